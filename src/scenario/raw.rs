//! The scenario file as written: typed with serde, before any value is checked.
//!
//! Every table denies unknown keys; numbers are read as `f64` so that range
//! checks (done in `validate`) can name the allowed range instead of a Rust
//! type. Field names are the file's keys, exactly as SPEC.md section 3 lists
//! them, plus the documented optional extensions.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenarioFile {
    pub scenario: RawScenario,
    pub fleet: RawFleet,
    #[serde(default)]
    pub training: Option<RawTraining>,
    #[serde(default)]
    pub data_class: Vec<RawDataClass>,
    #[serde(default)]
    pub site: Vec<RawSite>,
    #[serde(default)]
    pub link: Vec<RawLink>,
    #[serde(default)]
    pub gpu: Vec<RawGpu>,
    #[serde(default)]
    pub export_rule: Vec<RawExportRule>,
    #[serde(default)]
    pub storage: Vec<RawStorage>,
    #[serde(default)]
    pub budget: Option<RawBudget>,
    /// SPEC.md section 7: what is not known yet.
    #[serde(default)]
    pub event: Vec<RawEvent>,
    #[serde(default)]
    pub risk: Option<RawRisk>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: String,
    pub currency: String,
    pub home: String,
    pub start: String,
    pub period_months: Option<f64>,
    pub periods: f64,
    pub discount_rate: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFleet {
    pub vehicles: Option<f64>,
    pub growth_per_year: Option<f64>,
    pub vehicles_by_period: Option<Vec<f64>>,
    pub uploading_share: f64,
    pub upload_peak_to_average: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTraining {
    pub epochs_per_period: Option<f64>,
    pub base_pflop_per_period: Option<f64>,
    pub read_gb_per_pflop: Option<f64>,
    pub shortfall_price_per_pflop: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawResidency {
    HomeOnly,
    ExportAfterDeid,
    Free,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDataClass {
    pub name: String,
    pub gb_per_vehicle_month: f64,
    pub retention_months: f64,
    pub training_share: f64,
    pub pflop_per_pb: f64,
    pub residency: RawResidency,
    pub deid_pflop_per_pb: Option<f64>,
    pub export_max_pb_per_period: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExistingNodes {
    pub gpu: String,
    pub nodes: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExistingStorage {
    pub tier: String,
    pub pb: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub name: String,
    pub jurisdiction: String,
    pub power_cap_mw: Option<f64>,
    pub pue: f64,
    pub energy_price_per_kwh: f64,
    pub ingest_price_per_gbps_month: Option<f64>,
    pub ingest_max_gbps: Option<f64>,
    #[serde(default)]
    pub existing: Vec<RawExistingNodes>,
    #[serde(default)]
    pub existing_storage: Vec<RawExistingStorage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub name: String,
    pub from: String,
    pub to: String,
    pub price_per_gbps_month: f64,
    pub max_gbps: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGpu {
    pub name: String,
    pub tflops: f64,
    pub gpus_per_node: Option<f64>,
    pub node_kw: f64,
    pub price_per_node: f64,
    pub price_decline_per_year: Option<f64>,
    pub lifetime_years: f64,
    pub mfu: f64,
    pub maintenance_per_node_year: Option<f64>,
    pub allowed_in: Vec<String>,
    pub available_from: Option<String>,
    pub available_until: Option<String>,
    pub max_nodes_per_period: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RawRuleAction {
    #[default]
    Ban,
    Licence,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExportRule {
    pub gpu: String,
    pub jurisdiction: String,
    pub from: Option<String>,
    pub until: Option<String>,
    #[serde(default)]
    pub action: RawRuleAction,
    pub price_factor: Option<f64>,
    pub max_installed_nodes_per_site: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStorage {
    pub name: String,
    pub price_per_pb: f64,
    pub price_decline_per_year: Option<f64>,
    pub kw_per_pb: f64,
    pub read_gb_per_s_per_pb: f64,
    pub usable_fraction: f64,
    pub lifetime_years: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBudget {
    pub capex_per_period: f64,
}

/// `[[event]]`: something not known when the plan is made, revealed at a
/// month (SPEC.md section 7.1).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub name: String,
    pub reveal: String,
    #[serde(default)]
    pub outcome: Vec<RawOutcome>,
}

/// `[[event.outcome]]`: one way an event can turn out. Its `set` and
/// `export_rule` are applied to the merged scenario when a future is built
/// (see [`super::events`]); here they are only typed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutcome {
    pub name: String,
    pub probability: Option<f64>,
    #[serde(default)]
    pub set: Option<toml::Table>,
    #[serde(default)]
    pub export_rule: Vec<RawExportRule>,
}

/// `[risk]`: how much the plan weighs its costliest futures.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRisk {
    pub cvar_alpha: Option<f64>,
    pub cvar_weight: Option<f64>,
}
