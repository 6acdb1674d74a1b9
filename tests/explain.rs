//! Binding limits and marginal costs on scenarios worked out by hand, and
//! the sign convention: a binding cap's value is the NPV saved by one more
//! unit (>= 0); a demand's marginal cost is the NPV added by one more unit.
//!
//! One node: 4 PFLOP/s sustained, 126,144,000 PFLOP in a year of 730-hour
//! months; 10 kW at PUE 1.5 = 15 kW. Base demand 6e8 PFLOP needs 4.756
//! nodes. Site a (energy CNY 0.1/kWh) holds 3 nodes under 0.045 MW; site b
//! (CNY 0.5/kWh) takes the rest.

mod common;

use common::{class, gpu, header, home_site, load, STORAGE};
use fsdplan::analyses::explain::explain;
use fsdplan::analyses::plan;
use fsdplan::plan::PlanOptions;
use fsdplan::solve::NoClock;

fn two_sites() -> String {
    header(1, 12, 0.0, "vehicles = 1")
        + &class("free", "")
        + "\n[training]\nbase_pflop_per_period = 6.0e8\n"
        + STORAGE
        + &home_site("a", "power_cap_mw = 0.045")
        + &home_site("b", "").replace("energy_price_per_kwh = 0.1", "energy_price_per_kwh = 0.5")
        + &gpu("G", 1000.0, "")
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() <= 1e-6 * expected.abs().max(1.0)
}

#[test]
fn one_more_megawatt_at_the_cheap_site_saves_its_energy_premium() {
    // Relaxed: a megawatt more at a moves a megawatt of nodes from b, saving
    // 1,000 kW x 8,760 h x (0.5 - 0.1) = CNY 3,504,000 a year.
    let scenario = load(&two_sites());
    let options = PlanOptions {
        relax: true,
        ..PlanOptions::default()
    };
    let run = plan(&scenario, options, common::backend(), &NoClock);
    let report = explain(&run.run, common::backend(), &NoClock);
    assert_eq!(report.basis, "LP relaxation");
    let power = report
        .limits
        .iter()
        .find(|l| l.kind == "power_cap")
        .expect("the power cap at a binds");
    assert!(close(power.value_per_unit, 3_504_000.0), "{power:?}");
    assert!(
        power.value_per_unit > 0.0,
        "a binding cap's value is a saving"
    );
    assert_eq!(
        power.text,
        "power cap at a, 2025: each extra MW would save CNY 3.5 M of NPV"
    );
    assert_eq!(report.limits[0].kind, "power_cap", "ranked first");

    // One more EFLOP of base compute is bought at b: (1,000 + 15 kW x
    // 8,760 h x 0.5) per node-year / 126,144 EFLOP per node-year.
    let base = report
        .marginal_costs
        .iter()
        .find(|c| c.name == "base_demand[2025]")
        .expect("base compute has a marginal cost");
    assert!(close(base.value_per_unit, 66_700.0 / 126_144.0), "{base:?}");
}

#[test]
fn with_purchases_fixed_spare_nodes_make_compute_free_at_the_margin() {
    // The integer plan buys 5 nodes for 4.756 nodes of work: one more EFLOP
    // costs nothing with the purchases fixed, and no cap binds.
    let scenario = load(&two_sites());
    let run = plan(
        &scenario,
        PlanOptions::default(),
        common::backend(),
        &NoClock,
    );
    let report = explain(&run.run, common::backend(), &NoClock);
    assert_eq!(report.basis, "fixed purchases");
    let base = report
        .marginal_costs
        .iter()
        .find(|c| c.name == "base_demand[2025]")
        .unwrap();
    assert_eq!(base.value_per_unit, 0.0);
    assert!(report.limits.is_empty(), "{:?}", report.limits);
}

#[test]
fn a_ban_is_valued_by_the_plans_with_and_without_it() {
    // G banned in CN; H costs twice as much. Lifting the ban saves the
    // price difference on the nodes bought: relaxed, 4.756 x 1,000 plus no
    // energy change (same node).
    let text = header(1, 12, 0.0, "vehicles = 1")
        + &class("free", "")
        + "\n[training]\nbase_pflop_per_period = 6.0e8\n"
        + STORAGE
        + &home_site("a", "")
        + &gpu("G", 1000.0, "")
        + &gpu("H", 2000.0, "")
        + "\n[[export_rule]]\ngpu = \"G\"\njurisdiction = \"CN\"\n";
    let scenario = load(&text);
    let run = plan(
        &scenario,
        PlanOptions::default(),
        common::backend(),
        &NoClock,
    );
    let report = explain(&run.run, common::backend(), &NoClock);
    let ban = report
        .limits
        .iter()
        .find(|l| l.kind == "export_ban")
        .expect("the ban is valued");
    let nodes = 6.0e8 / 126_144_000.0;
    assert!(close(ban.value_per_unit, nodes * 1000.0), "{ban:?}");
    assert!(
        ban.text
            .starts_with("G ban in CN, 2025: lifting it would save CNY 4,756"),
        "{}",
        ban.text
    );
}

#[test]
fn plan_explain_adds_the_section_to_tables_and_json() {
    let table = assert_cmd::Command::cargo_bin("fsdplan")
        .unwrap()
        .args(["plan", "tests/scenarios/small.toml", "--explain"])
        .output()
        .unwrap();
    assert_eq!(table.status.code(), Some(0));
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("Binding limits, largest value first"),
        "{text}"
    );
    assert!(text.contains("Marginal costs"), "{text}");
    let json = assert_cmd::Command::cargo_bin("fsdplan")
        .unwrap()
        .args([
            "plan",
            "tests/scenarios/small.toml",
            "--explain",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["explain"]["schema"], "fsdplan.explain/1");
    assert_eq!(json["explain"]["basis"], "fixed purchases");
    for limit in json["explain"]["limits"].as_array().unwrap() {
        assert!(limit["value_per_unit"].as_f64().unwrap() >= 0.0, "{limit}");
    }
}
