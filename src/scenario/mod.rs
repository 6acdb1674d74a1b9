//! Scenario loading and validation.
//!
//! Loading is two passes, as in cargo-nextest's config handling: the files are
//! read and merged (`include`), deserialised into the raw structs of [`raw`]
//! (unknown keys and wrong types are reported with a did-you-mean and the
//! file, line and key), then [`validate`] checks every value and every
//! cross-reference and builds the typed [`Scenario`] the model uses. Every
//! problem found is reported, not only the first.

pub mod diagnostic;
pub mod events;
pub mod limits;
mod magnitudes;
pub mod overrides;
pub mod raw;
pub mod schema;
pub mod source;
mod validate;

use std::path::Path;

pub use diagnostic::{KeyPath, Problem, ScenarioError};
pub use events::{Event, Future, Outcome, Risk};
pub use overrides::Override;
pub use source::SourceMap;

use crate::time::{Calendar, MonthRange};

/// Where a data class may be kept and trained on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Residency {
    /// Never at a non-home site.
    HomeOnly,
    /// May leave home once de-identified (compute charged at the source).
    ExportAfterDeid,
    /// May go anywhere.
    Free,
}

impl Residency {
    /// As the scenario file spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Residency::HomeOnly => "home_only",
            Residency::ExportAfterDeid => "export_after_deid",
            Residency::Free => "free",
        }
    }
}

/// A validated scenario: every value in range, every name resolved to an index.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub currency: String,
    /// The home jurisdiction, where the fleet drives and uploads.
    pub home: String,
    pub calendar: Calendar,
    /// Per year.
    pub discount_rate: f64,
    pub fleet: Fleet,
    pub training: Training,
    pub data_classes: Vec<DataClass>,
    pub sites: Vec<Site>,
    pub links: Vec<Link>,
    pub gpus: Vec<Gpu>,
    pub export_rules: Vec<ExportRule>,
    pub storage_tiers: Vec<StorageTier>,
    pub budget: Option<Budget>,
    /// SPEC.md section 7: what is not known yet. Empty in a future's own
    /// scenario, whose outcomes are applied.
    pub events: Vec<Event>,
    pub risk: Risk,
}

impl Scenario {
    /// GPUs per node of the GPU option with this name (the tables show
    /// GPUs as well as nodes).
    pub fn gpus_per_node(&self, gpu: &str) -> Option<f64> {
        self.gpus
            .iter()
            .find(|g| g.name == gpu)
            .map(|g| g.gpus_per_node)
    }
}

#[derive(Debug, Clone)]
pub struct Fleet {
    /// Vehicles in each period (from growth or given per period).
    pub vehicles_by_period: Vec<f64>,
    pub uploading_share: f64,
    pub upload_peak_to_average: f64,
}

#[derive(Debug, Clone)]
pub struct Training {
    pub epochs_per_period: f64,
    pub base_pflop_per_period: f64,
    pub read_gb_per_pflop: f64,
    /// `None`: training demand is a hard constraint.
    pub shortfall_price_per_pflop: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct DataClass {
    pub name: String,
    pub gb_per_vehicle_month: f64,
    pub retention_months: f64,
    pub training_share: f64,
    pub pflop_per_pb: f64,
    pub residency: Residency,
    pub deid_pflop_per_pb: f64,
    pub export_max_pb_per_period: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Site {
    pub name: String,
    pub jurisdiction: String,
    /// Whether the site is in the home jurisdiction.
    pub is_home: bool,
    /// `None`: no cap (an extension; SPEC.md shows every site with one).
    pub power_cap_mw: Option<f64>,
    pub pue: f64,
    pub energy_price_per_kwh: f64,
    /// Zero at non-home sites (ignored there).
    pub ingest_price_per_gbps_month: f64,
    pub ingest_max_gbps: Option<f64>,
    /// Existing nodes per GPU option (index into `Scenario::gpus`).
    pub existing_nodes: Vec<f64>,
    /// Existing PB per storage tier (index into `Scenario::storage_tiers`).
    pub existing_storage_pb: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub name: String,
    pub from: usize,
    pub to: usize,
    pub price_per_gbps_month: f64,
    pub max_gbps: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Gpu {
    pub name: String,
    pub tflops: f64,
    pub gpus_per_node: f64,
    pub node_kw: f64,
    pub price_per_node: f64,
    pub price_decline_per_year: f64,
    pub lifetime_years: f64,
    pub mfu: f64,
    pub maintenance_per_node_year: f64,
    pub allowed_in: Vec<String>,
    pub available: MonthRange,
    pub max_nodes_per_period: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RuleAction {
    /// No purchases while in force.
    Ban,
    /// Purchases allowed at a price factor, installed nodes capped per site.
    Licence {
        price_factor: f64,
        max_installed_nodes_per_site: Option<f64>,
    },
}

#[derive(Debug, Clone)]
pub struct ExportRule {
    pub gpu: usize,
    pub jurisdiction: String,
    pub months: MonthRange,
    pub action: RuleAction,
}

#[derive(Debug, Clone)]
pub struct StorageTier {
    pub name: String,
    pub price_per_pb: f64,
    pub price_decline_per_year: f64,
    pub kw_per_pb: f64,
    pub read_gb_per_s_per_pb: f64,
    pub usable_fraction: f64,
    pub lifetime_years: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub capex_per_period: f64,
}

/// A scenario with the files it came from (for error messages after loading).
#[derive(Debug)]
pub struct LoadedScenario {
    /// The files and `--set` as written: with events, the scenario before
    /// any outcome is applied.
    pub scenario: Scenario,
    pub sources: SourceMap,
    /// One per combination of the events' outcomes (SPEC.md 7.1), each with
    /// its own scenario; empty without events.
    pub futures: Vec<Future>,
}

/// A scenario's files, read and merged but not yet validated: the starting
/// point for any number of variants with different overrides (a sweep reads
/// the files once).
#[derive(Debug, Clone)]
pub struct ScenarioSources {
    merged: toml::Table,
    map: SourceMap,
}

impl ScenarioSources {
    /// Reads a scenario file and everything it includes. `read` reads one
    /// file (the library itself does no I/O).
    pub fn read(
        path: &Path,
        read: &mut dyn FnMut(&Path) -> std::io::Result<String>,
    ) -> Result<ScenarioSources, ScenarioError> {
        let (merged, map) = source::load_sources(path, read)?;
        Ok(ScenarioSources { merged, map })
    }

    /// The currency the files name, before any check (for a progress line
    /// drawn before the variants are validated).
    pub fn currency(&self) -> Option<String> {
        self.merged
            .get("scenario")?
            .get("currency")?
            .as_str()
            .map(str::to_string)
    }

    /// Applies `overrides` and validates the result.
    pub fn scenario(&self, overrides: &[Override]) -> Result<LoadedScenario, ScenarioError> {
        let mut merged = self.merged.clone();
        let mut map = self.map.clone();
        overrides::apply(&mut merged, &mut map, overrides)?;
        let scenario = validate::validate(merged.clone(), &map)?;
        let futures = if scenario.events.is_empty() {
            Vec::new()
        } else {
            events::futures(&merged, &map, &scenario)?
        };
        Ok(LoadedScenario {
            scenario,
            sources: map,
            futures,
        })
    }
}

/// Loads and validates a scenario file and everything it includes. `read`
/// reads one file (the library itself does no I/O).
pub fn load(
    path: &Path,
    read: &mut dyn FnMut(&Path) -> std::io::Result<String>,
) -> Result<LoadedScenario, ScenarioError> {
    load_with(path, read, &[])
}

/// Like [`load`], with `--set` overrides applied before validation.
pub fn load_with(
    path: &Path,
    read: &mut dyn FnMut(&Path) -> std::io::Result<String>,
    overrides: &[Override],
) -> Result<LoadedScenario, ScenarioError> {
    ScenarioSources::read(path, read)?.scenario(overrides)
}

/// Loads a scenario from one in-memory text named `name`; any `include` in
/// it fails, since no other file exists.
pub fn from_str(name: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let mut read = |path: &Path| {
        if path == Path::new(name) {
            Ok(text.to_string())
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such file",
            ))
        }
    };
    load(Path::new(name), &mut read).map(|loaded| loaded.scenario)
}
