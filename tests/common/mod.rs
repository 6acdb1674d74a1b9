//! Small scenarios written out in full, and a way to plan them.
#![allow(dead_code)]

mod backend;
#[allow(unused_imports)]
pub use backend::{backend, backend_name, plan_snapshots};

use fsdplan::analyses::plan;
use fsdplan::plan::result::GpuRow;
use fsdplan::plan::PlanOptions;
use fsdplan::report::PlanReport;
use fsdplan::scenario;
use fsdplan::solve::{Limits, NoClock};

/// Seconds in a period of 12 months (730 h per month).
pub const YEAR_SECONDS: f64 = 3600.0 * 730.0 * 12.0;

/// A one-year, one-period scenario header with `vehicles` and a discount of 0.
pub fn header(periods: usize, period_months: u32, discount: f64, vehicles: &str) -> String {
    format!(
        r#"
[scenario]
name = "test"
currency = "CNY"
home = "CN"
start = "2025-01"
period_months = {period_months}
periods = {periods}
discount_rate = {discount}

[fleet]
{vehicles}
uploading_share = 0.5
"#
    )
}

/// One data class uploading 2 GB per vehicle-month, kept one year.
pub fn class(residency: &str, extra: &str) -> String {
    format!(
        r#"
[[data_class]]
name = "video"
gb_per_vehicle_month = 2.0
retention_months = 12
training_share = 0.5
pflop_per_pb = 1.0e8
residency = "{residency}"
{extra}
"#
    )
}

/// A cheap storage tier with no power and no read limit.
pub const STORAGE: &str = r#"
[[storage]]
name = "disk"
price_per_pb = 1000
kw_per_pb = 0
read_gb_per_s_per_pb = 0
usable_fraction = 1.0
lifetime_years = 1
"#;

/// A home site.
pub fn home_site(name: &str, extra: &str) -> String {
    format!(
        r#"
[[site]]
name = "{name}"
jurisdiction = "CN"
pue = 1.5
energy_price_per_kwh = 0.1
ingest_price_per_gbps_month = 100
{extra}
"#
    )
}

/// A GPU node of 8 x 1000 TFLOPS at 50 % MFU, 10 kW, one-year life.
pub fn gpu(name: &str, price: f64, extra: &str) -> String {
    format!(
        r#"
[[gpu]]
name = "{name}"
tflops = 1000
node_kw = 10
price_per_node = {price}
lifetime_years = 1
mfu = 0.5
allowed_in = ["CN", "US"]
{extra}
"#
    )
}

/// The binary under test.
pub fn fsdplan() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("fsdplan").expect("the binary is built")
}

pub fn load(text: &str) -> scenario::Scenario {
    match scenario::from_str("test.toml", text) {
        Ok(s) => s,
        Err(e) => panic!("scenario did not load:\n{e}\n{text}"),
    }
}

/// Plans to a gap of 1e-9: hand-computed cases are small enough to prove.
pub fn run(text: &str, relax: bool) -> PlanReport {
    run_with(
        text,
        relax,
        Limits {
            mip_gap: 1e-9,
            time_limit: f64::INFINITY,
            max_nodes: 5000,
            ..Limits::default()
        },
    )
}

/// Plans with the given limits (node limits only: tests read no clock).
/// Every integer plan must pass the independent audit.
pub fn run_with(text: &str, relax: bool, limits: Limits) -> PlanReport {
    let scenario = load(text);
    let report = plan(
        &scenario,
        PlanOptions { relax, limits },
        backend(),
        &NoClock,
    )
    .report();
    if !relax && report.objective.is_some() {
        let audit = fsdplan::analyses::audit::audit(&scenario, &report);
        assert!(
            audit.violations.is_empty(),
            "the plan fails its audit: {:#?}\n{text}",
            audit.violations
        );
    }
    report
}

pub fn assert_close(actual: f64, expected: f64, what: &str) {
    let tolerance = 1e-7 * expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: got {actual}, expected {expected}"
    );
}

/// The GPU row of a period, site and GPU, if the plan has one.
fn gpu_row<'a>(report: &'a PlanReport, period: &str, site: &str, gpu: &str) -> Option<&'a GpuRow> {
    report
        .gpus
        .iter()
        .find(|r| r.period == period && r.site == site && r.gpu == gpu)
}

/// Installed nodes of a GPU at a site in a period (0 when no row).
pub fn installed(report: &PlanReport, period: &str, site: &str, gpu: &str) -> f64 {
    gpu_row(report, period, site, gpu).map_or(0.0, |r| r.installed_nodes)
}

/// Nodes bought of a GPU at a site in a period (0 when no row).
pub fn bought(report: &PlanReport, period: &str, site: &str, gpu: &str) -> f64 {
    gpu_row(report, period, site, gpu).map_or(0.0, |r| r.bought_nodes)
}
