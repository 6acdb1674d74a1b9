//! Hand-computed cases, one or more per constraint family. Every expected
//! value is worked out here in closed form from SPEC.md section 4, not read
//! from the planner.

mod common;

use common::*;
use fsdplan::model::PlanInput;

/// The base case: 1,000,000 vehicles, half uploading 2 GB a month for a
/// year = 12 PB; half of it trained at 1e8 PFLOP/PB = 6e8 PFLOP. A node does
/// 8 * 1000 TFLOPS * 0.5 * 1e-3 * S PFLOP a year, S = 31,536,000 s.
const UPLOAD_PB: f64 = 12.0;
const DEMAND: f64 = 6.0e8;

fn node_pflop() -> f64 {
    8.0 * 1000.0 * 0.5 * 1e-3 * YEAR_SECONDS
}

/// Energy of one 10 kW node at PUE 1.5 for a year at 0.1 per kWh.
fn node_energy(price: f64) -> f64 {
    10.0 * 1.5 * 8760.0 * price
}

/// Ingest of 12 PB in a year at 100 per Gbps-month.
fn ingest_cost() -> f64 {
    let gbps = 8.0e6 * UPLOAD_PB / YEAR_SECONDS;
    gbps * 100.0 * 12.0
}

fn one_site(gpus: &str, extra_site: &str, extra: &str) -> String {
    format!(
        "{}{}{}{}{}{}",
        header(1, 12, 0.0, "vehicles = 1_000_000"),
        class("home_only", ""),
        STORAGE,
        home_site("dc", extra_site),
        gpus,
        extra
    )
}

#[test]
fn one_site_one_gpu_one_period_in_closed_form() {
    let text = one_site(&gpu("G", 1.0e6, ""), "", "");
    let nodes = (DEMAND / node_pflop()).ceil();
    assert_eq!(nodes, 5.0);
    let report = run(&text, false);
    assert_eq!(report.status, "optimal");
    assert_eq!(bought(&report, "2025", "dc", "G"), 5.0);
    let expected = 5.0 * 1.0e6 + 5.0 * node_energy(0.1) + 1000.0 * UPLOAD_PB + ingest_cost();
    assert_close(report.objective.unwrap(), expected, "NPV");
    // The table adds up to the objective.
    let discounted: f64 = report.costs.iter().map(|c| c.discounted_total).sum();
    assert_close(discounted, expected, "sum of discounted totals");

    // The relaxation buys the fractional node count.
    let relaxed = run(&text, true);
    let fraction = DEMAND / node_pflop();
    let expected = fraction * (1.0e6 + node_energy(0.1)) + 1000.0 * UPLOAD_PB + ingest_cost();
    assert_close(relaxed.objective.unwrap(), expected, "relaxed NPV");
    assert_close(relaxed.bound.unwrap(), expected, "relaxed bound");
}

#[test]
fn uploads_growth_and_retention_windows() {
    let mut text = one_site(&gpu("G", 1.0e6, ""), "", "");
    text = text
        .replace("periods = 1\n", "periods = 4\n")
        .replace("period_months = 12", "period_months = 3");
    text = text.replace(
        "vehicles = 1_000_000",
        "vehicles = 1_000_000\ngrowth_per_year = 0.2",
    );
    text = text.replace("retention_months = 12", "retention_months = 6");
    let scenario = load(&text);
    let input = PlanInput::new(&scenario);
    assert_eq!(input.retention_periods, vec![2]);
    let upload = |t: i32| 1.0e6 * 1.2f64.powf(f64::from(t) * 0.25) * 0.5 * 2.0 * 3.0 / 1.0e6;
    for t in 0..4 {
        assert_close(input.uploads_pb[t as usize][0], upload(t), "upload");
        let corpus = upload(t) + if t > 0 { upload(t - 1) } else { 0.0 };
        assert_close(
            input.demand_pflop[t as usize][0],
            1.0e8 * 0.5 * corpus,
            "demand",
        );
    }
    // Retention rounds up: 7 months at 3 a period keeps 3 periods.
    let scenario = load(&text.replace("retention_months = 6", "retention_months = 7"));
    assert_eq!(PlanInput::new(&scenario).retention_periods, vec![3]);
}

#[test]
fn annuity_with_discounting_stays_inside_the_horizon() {
    let text = format!(
        "{}{}{}{}{}",
        header(3, 12, 0.1, "vehicles_by_period = [1_000_000, 0, 0]"),
        class("home_only", ""),
        STORAGE,
        home_site("dc", ""),
        gpu("G", 1.0e6, "").replace("lifetime_years = 1", "lifetime_years = 2")
    );
    let report = run(&text, false);
    assert_eq!(bought(&report, "2025", "dc", "G"), 5.0);
    let annuity = 1.0e6 * 0.1 / (1.0 - 1.1f64.powi(-2));
    assert_close(report.costs[0].gpu_capital, 5.0 * annuity, "capital 2025");
    assert_close(report.costs[1].gpu_capital, 5.0 * annuity, "capital 2026");
    assert_close(
        report.costs[2].gpu_capital,
        0.0,
        "capital 2027 (after the node's life)",
    );
    // Installed nodes draw power for their whole life, demand or not.
    assert_close(
        report.costs[1].energy,
        5.0 * node_energy(0.1),
        "energy 2026",
    );
    let storage = 1000.0 * UPLOAD_PB * 0.1 / (1.0 - 1.0 / 1.1);
    let expected = 5.0 * annuity * (1.0 + 1.0 / 1.1)
        + 5.0 * node_energy(0.1) * (1.0 + 1.0 / 1.1)
        + storage
        + ingest_cost();
    assert_close(report.objective.unwrap(), expected, "NPV");
}

#[test]
fn prices_decline_from_period_zero() {
    let text = format!(
        "{}{}{}{}{}",
        header(2, 12, 0.0, "vehicles_by_period = [0, 1_000_000]"),
        class("home_only", ""),
        STORAGE,
        home_site("dc", ""),
        gpu("G", 1.0e6, "price_decline_per_year = 0.2")
    );
    let report = run(&text, false);
    assert_eq!(bought(&report, "2026", "dc", "G"), 5.0);
    assert_close(
        report.costs[1].gpu_capital,
        5.0 * 0.8e6,
        "capital at the declined price",
    );
}

#[test]
fn a_power_cap_forces_a_second_site() {
    // Three nodes fit under 0.05 MW at the cheap site (3 x 10 kW x 1.5).
    let text = format!(
        "{}{}{}{}{}{}",
        header(1, 12, 0.0, "vehicles = 1_000_000"),
        class("home_only", ""),
        STORAGE,
        home_site("cheap", "power_cap_mw = 0.05")
            .replace("energy_price_per_kwh = 0.1", "energy_price_per_kwh = 0.05"),
        home_site("dear", "").replace("energy_price_per_kwh = 0.1", "energy_price_per_kwh = 0.2"),
        gpu("G", 1.0e6, "")
    );
    let report = run(&text, false);
    assert_eq!(installed(&report, "2025", "cheap", "G"), 3.0);
    assert_eq!(installed(&report, "2025", "dear", "G"), 2.0);
    let cheap = report.sites.iter().find(|s| s.site == "cheap").unwrap();
    assert!(cheap.power_mw <= 0.05 + 1e-9);
    let expected = 5.0e6
        + 3.0 * node_energy(0.05)
        + 2.0 * node_energy(0.2)
        + 1000.0 * UPLOAD_PB
        + ingest_cost();
    assert_close(report.objective.unwrap(), expected, "NPV");
}

fn two_countries(residency: &str, class_extra: &str) -> String {
    format!(
        "{}{}{}{}{}{}",
        header(1, 12, 0.0, "vehicles = 1_000_000"),
        class(residency, class_extra),
        STORAGE,
        home_site("home", "").replace("energy_price_per_kwh = 0.1", "energy_price_per_kwh = 0.5"),
        r#"
[[site]]
name = "abroad"
jurisdiction = "US"
pue = 1.5
energy_price_per_kwh = 0.01

[[link]]
name = "out"
from = "home"
to = "abroad"
price_per_gbps_month = 1
"#,
        gpu("G", 1.0e6, "")
    )
}

#[test]
fn home_only_data_stays_home_although_abroad_is_cheaper() {
    let report = run(&two_countries("home_only", ""), false);
    assert_eq!(installed(&report, "2025", "home", "G"), 5.0);
    assert_eq!(installed(&report, "2025", "abroad", "G"), 0.0);
    assert!(report.data.iter().all(|d| d.site == "home"));
    assert!(report.links.is_empty());

    // The same data free to move trains abroad, where power is cheap.
    let free = run(&two_countries("free", ""), false);
    assert_eq!(installed(&free, "2025", "abroad", "G"), 5.0);
    assert_eq!(installed(&free, "2025", "home", "G"), 0.0);
    assert!(free.objective.unwrap() < report.objective.unwrap());
}

#[test]
fn de_identification_is_charged_at_the_source() {
    let report = run(
        &two_countries("export_after_deid", "deid_pflop_per_pb = 1.0e7"),
        false,
    );
    let copied: f64 = report.links.iter().map(|l| l.copied_pb).sum();
    assert!(copied > 0.0, "data should be copied abroad");
    let home = report.sites.iter().find(|s| s.site == "home").unwrap();
    let trained_home: f64 = report
        .data
        .iter()
        .filter(|d| d.site == "home")
        .map(|d| d.trained_pflop)
        .sum();
    assert_close(
        home.compute_used_pflop,
        1.0e7 * copied + trained_home,
        "compute used at home",
    );
    assert!(installed(&report, "2025", "home", "G") >= 1.0);
}

#[test]
fn a_ban_forces_a_worse_gpu() {
    let rules = r#"
[[export_rule]]
gpu = "good"
jurisdiction = "CN"
from = "2025-01"
until = "2025-12"
"#;
    let text = one_site(
        &(gpu("good", 1.0e6, "") + &gpu("bad", 2.0e6, "")),
        "",
        rules,
    );
    let report = run(&text, false);
    assert_eq!(bought(&report, "2025", "dc", "good"), 0.0);
    assert_eq!(bought(&report, "2025", "dc", "bad"), 5.0);
    let expected = 5.0 * 2.0e6 + 5.0 * node_energy(0.1) + 1000.0 * UPLOAD_PB + ingest_cost();
    assert_close(report.objective.unwrap(), expected, "NPV");
}

#[test]
fn a_licence_fee_raises_the_price_paid_and_its_cap_binds() {
    let licence = |extra: &str| {
        format!(
            r#"
[[export_rule]]
gpu = "good"
jurisdiction = "CN"
from = "2025-01"
action = "licence"
price_factor = 1.5
{extra}
"#
        )
    };
    let text = one_site(&gpu("good", 1.0e6, ""), "", &licence(""));
    let report = run(&text, false);
    assert_close(
        report.costs[0].gpu_capital,
        5.0 * 1.5e6,
        "capital with the fee",
    );

    let text = one_site(
        &(gpu("good", 1.0e6, "") + &gpu("bad", 2.0e6, "")),
        "",
        &licence("max_installed_nodes_per_site = 3"),
    );
    let report = run(&text, false);
    assert_eq!(installed(&report, "2025", "dc", "good"), 3.0);
    assert_eq!(installed(&report, "2025", "dc", "bad"), 2.0);
}

#[test]
fn supply_caps_purchases_across_sites() {
    let text = one_site(
        &(gpu("good", 1.0e6, "max_nodes_per_period = 3") + &gpu("bad", 2.0e6, "")),
        "",
        "",
    );
    let report = run(&text, false);
    assert_eq!(bought(&report, "2025", "dc", "good"), 3.0);
    assert_eq!(bought(&report, "2025", "dc", "bad"), 2.0);
    let expected =
        3.0e6 + 2.0 * 2.0e6 + 5.0 * node_energy(0.1) + 1000.0 * UPLOAD_PB + ingest_cost();
    assert_close(report.objective.unwrap(), expected, "NPV");
}

#[test]
fn a_budget_counts_nodes_and_storage() {
    // Five nodes (5.0e6) and 12 PB (12,000) do not fit in 5.0e6.
    let tight = one_site(
        &gpu("G", 1.0e6, ""),
        "",
        "[budget]\ncapex_per_period = 5.0e6\n",
    );
    assert_eq!(run(&tight, false).status, "infeasible");
    let enough = one_site(
        &gpu("G", 1.0e6, ""),
        "",
        "[budget]\ncapex_per_period = 5.012e6\n",
    );
    assert_eq!(run(&enough, false).status, "optimal");
}

#[test]
fn shortfall_priced_below_a_node_buys_nothing() {
    // A node delivers 126,144,000 PFLOP for 1,013,140: 0.008 per PFLOP.
    let text = one_site(&gpu("G", 1.0e6, ""), "", "").replace(
        "[[data_class]]",
        "[training]\nshortfall_price_per_pflop = 0.001\n\n[[data_class]]",
    );
    let report = run(&text, false);
    assert!(report.gpus.is_empty());
    assert_eq!(report.shortfall.len(), 1);
    assert_close(report.shortfall[0].pflop, DEMAND, "shortfall");
    let expected = DEMAND * 0.001 + 1000.0 * UPLOAD_PB + ingest_cost();
    assert_close(report.objective.unwrap(), expected, "NPV");
}

#[test]
fn existing_nodes_carry_no_capital_but_draw_power_and_maintenance() {
    let site = r#"existing = [ { gpu = "G", nodes = 5 } ]"#;
    let text = one_site(
        &gpu("G", 1.0e6, "maintenance_per_node_year = 1000"),
        site,
        "",
    );
    let report = run(&text, false);
    assert!(report.gpus.iter().all(|g| g.bought_nodes == 0.0));
    let expected = 5.0 * node_energy(0.1) + 5.0 * 1000.0 + 1000.0 * UPLOAD_PB + ingest_cost();
    assert_close(report.objective.unwrap(), expected, "NPV");
}
