//! The scenario file as written: typed with serde, before any value is checked.
//!
//! Every table denies unknown keys; numbers are read as `f64` so that range
//! checks (done in `validate`) can name the allowed range instead of a Rust
//! type. Field names are the file's keys, exactly as SPEC.md section 3 lists
//! them, plus the documented optional extensions.
//!
//! The same types give the JSON Schema of a scenario file (`fsdplan
//! schema`, [`super::schema`]): each key's doc comment is its description
//! (meaning, unit, default), and its `schemars` attributes give the range
//! `validate` allows (a test holds the two to agree at every bound).

use schemars::JsonSchema;
use serde::Deserialize;

use super::limits::*;

/// A fsdplan scenario file (docs/scenario.md). A file may hold part of a
/// scenario and `include` the rest; the scenario as merged must have
/// `[scenario]` and `[fleet]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ScenarioFile")]
pub struct RawScenarioFile {
    /// The scenario's name, calendar and discounting.
    pub scenario: RawScenario,
    /// The vehicles that upload.
    pub fleet: RawFleet,
    /// How fleet data turns into training compute.
    #[serde(default)]
    pub training: Option<RawTraining>,
    /// The kinds of data the fleet uploads, each with where it may go.
    #[serde(default)]
    pub data_class: Vec<RawDataClass>,
    /// Data-centre sites.
    #[serde(default)]
    pub site: Vec<RawSite>,
    /// Links that copy data between sites.
    #[serde(default)]
    pub link: Vec<RawLink>,
    /// GPU node types that may be bought.
    #[serde(default)]
    pub gpu: Vec<RawGpu>,
    /// Export controls: bans and licences of a GPU in a jurisdiction.
    #[serde(default)]
    pub export_rule: Vec<RawExportRule>,
    /// Storage tiers.
    #[serde(default)]
    pub storage: Vec<RawStorage>,
    /// A cap on capital spending.
    #[serde(default)]
    pub budget: Option<RawBudget>,
    /// SPEC.md section 7: what is not known yet.
    #[serde(default)]
    pub event: Vec<RawEvent>,
    /// How much the plan weighs its costliest futures.
    #[serde(default)]
    pub risk: Option<RawRisk>,
}

/// `[scenario]`: the name, calendar and discounting.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Scenario")]
pub struct RawScenario {
    /// Shown on every result. Not empty.
    #[schemars(length(min = 1))]
    pub name: String,
    /// The unit of every price (e.g. "CNY"); tables show millions of it. Not empty.
    #[schemars(length(min = 1))]
    pub currency: String,
    /// The home jurisdiction: where the fleet drives and uploads; vehicles
    /// upload only to sites there. A site's `jurisdiction`.
    #[schemars(length(min = 1))]
    pub home: String,
    /// First month of period 0, `YYYY-MM`; it must start a period (for
    /// periods of 3 months: January, April, July or October).
    #[schemars(regex(pattern = MONTH_PATTERN))]
    pub start: String,
    /// Length of one period in months: 1, 3, 6 or 12. Default: 3.
    #[schemars(extend("enum" = [1, 3, 6, 12], "default" = 3))]
    pub period_months: Option<f64>,
    /// The horizon, in periods: a whole number from 1 to 600.
    #[schemars(range(min = 1, max = MAX_PERIODS), extend("multipleOf" = 1))]
    pub periods: f64,
    /// Discount rate, a share per year (0.08 is 8%): costs in period t are
    /// discounted by (1 + rate)^(t x months / 12). 0 to 1.
    #[schemars(range(min = 0, max = MAX_DISCOUNT_RATE))]
    pub discount_rate: f64,
}

/// `[fleet]`: `vehicles` (with `growth_per_year`) or `vehicles_by_period`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Fleet")]
pub struct RawFleet {
    /// Vehicles at period 0, grown by `growth_per_year`. 0 to 1e9. One of
    /// `vehicles` or `vehicles_by_period`.
    #[schemars(range(min = 0, max = MAX_COUNT))]
    pub vehicles: Option<f64>,
    /// Compound fleet growth, a share per year (0.15 is 15%). Above -1, at
    /// most 2. Default: 0.
    #[schemars(range(max = MAX_GROWTH_PER_YEAR), extend("exclusiveMinimum" = -1, "default" = 0))]
    pub growth_per_year: Option<f64>,
    /// The fleet period by period: exactly `periods` values, each 0 to 1e9.
    /// Instead of `vehicles`.
    #[schemars(inner(range(min = 0, max = MAX_COUNT)))]
    pub vehicles_by_period: Option<Vec<f64>>,
    /// Share of vehicles that upload, 0 to 1.
    #[schemars(range(min = 0, max = 1))]
    pub uploading_share: f64,
    /// Ingest is sized for the peak: average rate x this ratio. 1 to 100.
    /// Default: 1.
    #[schemars(range(min = 1, max = MAX_PEAK_TO_AVERAGE), extend("default" = 1))]
    pub upload_peak_to_average: Option<f64>,
}

/// `[training]`: how fleet data turns into training compute.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Training")]
pub struct RawTraining {
    /// Passes over the retained training corpus each period, 0 to 10,000.
    /// Default: 1.
    #[schemars(range(min = 0, max = MAX_EPOCHS_PER_PERIOD), extend("default" = 1))]
    pub epochs_per_period: Option<f64>,
    /// PFLOP per period of compute not tied to fleet data, at any site.
    /// 0 to 1e18. Default: 0.
    #[schemars(range(min = 0, max = MAX_BASE_PFLOP_PER_PERIOD), extend("default" = 0))]
    pub base_pflop_per_period: Option<f64>,
    /// GB of storage read per PFLOP trained; 0 leaves read bandwidth out.
    /// 0 to 1e6. Default: 0.
    #[schemars(range(min = 0, max = MAX_READ_RATE), extend("default" = 0))]
    pub read_gb_per_pflop: Option<f64>,
    /// Currency per PFLOP of compute not delivered. Absent: demand is a
    /// hard constraint; present: the plan may fall short at this price.
    /// 0 to 1e13.
    #[schemars(range(min = 0, max = MAX_PRICE))]
    pub shortfall_price_per_pflop: Option<f64>,
}

/// Where a data class may be kept and trained on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "Residency")]
pub enum RawResidency {
    /// Home sites only (video with faces or plates, precise trajectories).
    HomeOnly,
    /// Abroad once de-identified at home.
    ExportAfterDeid,
    /// Anywhere.
    Free,
}

/// `[[data_class]]`: one kind of data the fleet uploads.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "DataClass")]
pub struct RawDataClass {
    /// Unique; used in results and overrides. A letter or digit first, then
    /// letters, digits, `_`, `-`, `.` or spaces.
    #[schemars(regex(pattern = NAME_PATTERN))]
    pub name: String,
    /// GB uploaded per uploading vehicle and month, 0 to 1e6.
    #[schemars(range(min = 0, max = MAX_GB_PER_VEHICLE_MONTH))]
    pub gb_per_vehicle_month: f64,
    /// Months an upload is kept (rounded up to whole periods), 0 to 1,200.
    #[schemars(range(min = 0, max = MAX_RETENTION_MONTHS))]
    pub retention_months: f64,
    /// Share of the retained volume in the training corpus, 0 to 1.
    #[schemars(range(min = 0, max = 1))]
    pub training_share: f64,
    /// Training compute in PFLOP per PB of corpus per epoch, 0 to 1e15.
    #[schemars(range(min = 0, max = MAX_PFLOP_PER_PB))]
    pub pflop_per_pb: f64,
    /// Where the class may be kept and trained: home sites only; abroad
    /// after de-identification at home; anywhere.
    pub residency: RawResidency,
    /// PFLOP at home to de-identify 1 PB before it leaves
    /// (`export_after_deid`), 0 to 1e15. Default: 0.
    #[schemars(range(min = 0, max = MAX_PFLOP_PER_PB), extend("default" = 0))]
    pub deid_pflop_per_pb: Option<f64>,
    /// PB per period of this class that may leave home (a quota), 0 to 1e9.
    /// Default: unlimited.
    #[schemars(range(min = 0, max = MAX_COUNT))]
    pub export_max_pb_per_period: Option<f64>,
}

/// Nodes of one GPU installed before period 0.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ExistingNodes")]
pub struct RawExistingNodes {
    /// A `[[gpu]]`'s name.
    pub gpu: String,
    /// Nodes, a whole number from 0 to 1e9.
    #[schemars(range(min = 0, max = MAX_COUNT), extend("multipleOf" = 1))]
    pub nodes: f64,
}

/// Storage of one tier installed before period 0.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ExistingStorage")]
pub struct RawExistingStorage {
    /// A `[[storage]]` tier's name.
    pub tier: String,
    /// Raw PB, 0 to 1e9.
    #[schemars(range(min = 0, max = MAX_COUNT))]
    pub pb: f64,
}

/// `[[site]]`: a data-centre site.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Site")]
pub struct RawSite {
    /// Unique; as data class names.
    #[schemars(regex(pattern = NAME_PATTERN))]
    pub name: String,
    /// Decides which GPUs may be bought and which classes may be kept here.
    #[schemars(length(min = 1))]
    pub jurisdiction: String,
    /// Facility power cap in MW (IT x PUE) in every period, 0 to 1e6.
    /// Default: no cap.
    #[schemars(range(min = 0, max = MAX_POWER_MW))]
    pub power_cap_mw: Option<f64>,
    /// Power usage effectiveness: facility power per IT power, 1 to 10.
    #[schemars(range(min = 1, max = MAX_PUE))]
    pub pue: f64,
    /// Currency per kWh at the facility meter, 0 to 1e13.
    #[schemars(range(min = 0, max = MAX_PRICE))]
    pub energy_price_per_kwh: f64,
    /// Currency per Gbps-month of ingest leased for the upload peak;
    /// required at home sites, ignored abroad. 0 to 1e13.
    #[schemars(range(min = 0, max = MAX_PRICE))]
    pub ingest_price_per_gbps_month: Option<f64>,
    /// Cap on ingest in Gbps, 0 to 1e9. Default: unlimited.
    #[schemars(range(min = 0, max = MAX_COUNT))]
    pub ingest_max_gbps: Option<f64>,
    /// Nodes installed before period 0: no capital charge, never retired.
    #[serde(default)]
    pub existing: Vec<RawExistingNodes>,
    /// Storage installed before period 0 (raw PB), likewise.
    #[serde(default)]
    pub existing_storage: Vec<RawExistingStorage>,
}

/// `[[link]]`: a link that copies data `from` one site `to` another.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Link")]
pub struct RawLink {
    /// Unique; as data class names.
    #[schemars(regex(pattern = NAME_PATTERN))]
    pub name: String,
    /// The site data is copied from.
    pub from: String,
    /// The site data is copied to (not `from`).
    pub to: String,
    /// Currency per Gbps-month of leased link bandwidth, 0 to 1e13.
    #[schemars(range(min = 0, max = MAX_PRICE))]
    pub price_per_gbps_month: f64,
    /// Cap on the link in Gbps, 0 to 1e9. Default: unlimited.
    #[schemars(range(min = 0, max = MAX_COUNT))]
    pub max_gbps: Option<f64>,
}

/// `[[gpu]]`: a GPU node type.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Gpu")]
pub struct RawGpu {
    /// Unique; as data class names.
    #[schemars(regex(pattern = NAME_PATTERN))]
    pub name: String,
    /// Dense BF16 peak in TFLOPS per GPU: above 0, at most 1e6.
    #[schemars(range(max = MAX_TFLOPS), extend("exclusiveMinimum" = 0))]
    pub tflops: f64,
    /// GPUs per node, a whole number from 1 to 10,000. Default: 8.
    #[schemars(range(min = 1, max = MAX_GPUS_PER_NODE), extend("multipleOf" = 1, "default" = 8))]
    pub gpus_per_node: Option<f64>,
    /// kW of the whole node at full load (IT power), 0 to 10,000.
    #[schemars(range(min = 0, max = MAX_KW))]
    pub node_kw: f64,
    /// Currency per node at period 0, 0 to 1e13.
    #[schemars(range(min = 0, max = MAX_PRICE))]
    pub price_per_node: f64,
    /// Compound price decline, a share per year: 0 to below 1. Default: 0.
    #[schemars(range(min = 0), extend("exclusiveMaximum" = 1, "default" = 0))]
    pub price_decline_per_year: Option<f64>,
    /// Years: capital is charged as an annuity over them, and the node
    /// retires after them. Above 0, at most 100.
    #[schemars(range(max = MAX_LIFETIME_YEARS), extend("exclusiveMinimum" = 0))]
    pub lifetime_years: f64,
    /// Model FLOPs utilisation: the sustained share of peak on this
    /// workload. Above 0, at most 1.
    #[schemars(range(max = 1), extend("exclusiveMinimum" = 0))]
    pub mfu: f64,
    /// Currency per node-year, 0 to 1e13. Default: 0.
    #[schemars(range(min = 0, max = MAX_PRICE), extend("default" = 0))]
    pub maintenance_per_node_year: Option<f64>,
    /// Jurisdictions where it may be bought at all (one or more).
    #[schemars(length(min = 1))]
    pub allowed_in: Vec<String>,
    /// First month it may be bought, `YYYY-MM`. Default: always.
    #[schemars(regex(pattern = MONTH_PATTERN))]
    pub available_from: Option<String>,
    /// Last month it may be bought, `YYYY-MM`. Default: always.
    #[schemars(regex(pattern = MONTH_PATTERN))]
    pub available_until: Option<String>,
    /// Supply cap in nodes per period, all sites together: a whole number
    /// from 0 to 1e9. Default: unlimited.
    #[schemars(range(min = 0, max = MAX_COUNT), extend("multipleOf" = 1))]
    pub max_nodes_per_period: Option<f64>,
}

/// What an export rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "RuleAction")]
pub enum RawRuleAction {
    /// No purchases while in force.
    #[default]
    Ban,
    /// Purchases allowed on the licence's terms.
    Licence,
}

/// `[[export_rule]]`: a ban or licence of a GPU in a jurisdiction.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ExportRule")]
pub struct RawExportRule {
    /// A `[[gpu]]`'s name.
    pub gpu: String,
    /// Sites there are affected.
    #[schemars(length(min = 1))]
    pub jurisdiction: String,
    /// First month in force, `YYYY-MM`. Default: open-ended.
    #[schemars(regex(pattern = MONTH_PATTERN))]
    pub from: Option<String>,
    /// Last month in force, `YYYY-MM`. Default: open-ended.
    #[schemars(regex(pattern = MONTH_PATTERN))]
    pub until: Option<String>,
    /// `ban` stops purchases; `licence` allows them on its terms. Default: ban.
    #[serde(default)]
    #[schemars(extend("default" = "ban"))]
    pub action: RawRuleAction,
    /// A licence's price multiplier (fees), 0 to 10. Default: 1.
    #[schemars(range(min = 0, max = MAX_PRICE_FACTOR), extend("default" = 1))]
    pub price_factor: Option<f64>,
    /// A licence's cap on installed nodes per site: a whole number from 0
    /// to 1e9. Default: no cap.
    #[schemars(range(min = 0, max = MAX_COUNT), extend("multipleOf" = 1))]
    pub max_installed_nodes_per_site: Option<f64>,
}

/// `[[storage]]`: a storage tier.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Storage")]
pub struct RawStorage {
    /// Unique; as data class names.
    #[schemars(regex(pattern = NAME_PATTERN))]
    pub name: String,
    /// Currency per raw PB at period 0, 0 to 1e13.
    #[schemars(range(min = 0, max = MAX_PRICE))]
    pub price_per_pb: f64,
    /// Compound price decline, a share per year: 0 to below 1. Default: 0.
    #[schemars(range(min = 0), extend("exclusiveMaximum" = 1, "default" = 0))]
    pub price_decline_per_year: Option<f64>,
    /// kW per PB, 0 to 10,000.
    #[schemars(range(min = 0, max = MAX_KW))]
    pub kw_per_pb: f64,
    /// Aggregate read bandwidth in GB/s per installed PB, 0 to 1e6.
    #[schemars(range(min = 0, max = MAX_READ_RATE))]
    pub read_gb_per_s_per_pb: f64,
    /// Usable share of raw capacity after replication or erasure coding:
    /// above 0, at most 1.
    #[schemars(range(max = 1), extend("exclusiveMinimum" = 0))]
    pub usable_fraction: f64,
    /// Years before it retires: above 0, at most 100.
    #[schemars(range(max = MAX_LIFETIME_YEARS), extend("exclusiveMinimum" = 0))]
    pub lifetime_years: f64,
}

/// `[budget]`: a cap on capital spending.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Budget")]
pub struct RawBudget {
    /// Currency spent on purchases in any one period, 0 to 1e18.
    #[schemars(range(min = 0, max = MAX_BUDGET))]
    pub capex_per_period: f64,
}

/// `[[event]]`: something not known when the plan is made, revealed at a
/// month (SPEC.md section 7.1).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Event")]
pub struct RawEvent {
    /// Unique; letters A-Z or a-z, digits, `_` and `-`. Future names join
    /// outcome names with `/`.
    #[schemars(regex(pattern = EVENT_NAME_PATTERN))]
    pub name: String,
    /// The month from which the outcome is known (for purchases in periods
    /// that start on or after it), `YYYY-MM`.
    #[schemars(regex(pattern = MONTH_PATTERN))]
    pub reveal: String,
    /// The ways it can turn out: two or more.
    #[serde(default)]
    pub outcome: Vec<RawOutcome>,
}

/// `[[event.outcome]]`: one way an event can turn out.
///
/// Its `set` and `export_rule` are applied to the merged scenario when a
/// future is built (`super::events`); here they are only typed.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Outcome")]
pub struct RawOutcome {
    /// Unique within the event; as event names.
    #[schemars(regex(pattern = EVENT_NAME_PATTERN))]
    pub name: String,
    /// Above 0, at most 1; an event's sum to 1, and one outcome may leave
    /// it out (the rest).
    #[schemars(range(max = 1), extend("exclusiveMinimum" = 0))]
    pub probability: Option<f64>,
    /// Values this outcome changes, as `--set` paths (`"fleet.growth_per_year"
    /// = 0.3`, `"gpu.H20.price_per_node" = 9e5`); validated like the file.
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub set: Option<toml::Table>,
    /// Export rules added in this outcome.
    #[serde(default)]
    pub export_rule: Vec<RawExportRule>,
}

/// `[risk]`: how much the plan weighs its costliest futures.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Risk")]
pub struct RawRisk {
    /// CVaR is the mean NPV of the worst 1 - alpha of probability: 0 to
    /// below 1. Default: 0.9.
    #[schemars(range(min = 0), extend("exclusiveMaximum" = 1, "default" = 0.9))]
    pub cvar_alpha: Option<f64>,
    /// The objective is (1 - w) x expected NPV + w x CVaR: 0 to 1. Default: 0.
    #[schemars(range(min = 0, max = 1), extend("default" = 0))]
    pub cvar_weight: Option<f64>,
}

/// `YYYY-MM`, a month.
pub const MONTH_PATTERN: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])$";

/// A name of a class, site, link, GPU or tier: what `validate::name_problem`
/// allows (a letter or digit of any script first, then letters, digits,
/// `_`, `-`, `.` and spaces), said without `\p{L}`, which not every
/// validator's regex engine has (Python's has not): the punctuation and
/// symbols it refuses are refused, so a pattern match never refuses a
/// name fsdplan accepts.
pub const NAME_PATTERN: &str =
    r#"^[^\s_.\-=+@'"`\\/,;:!?#$%^&*()\[\]{}<>|~][^\t\r\n=+@'"`\\/,;:!?#$%^&*()\[\]{}<>|~]*$"#;

/// An event's or outcome's name.
pub const EVENT_NAME_PATTERN: &str = r"^[A-Za-z0-9_-]+$";
