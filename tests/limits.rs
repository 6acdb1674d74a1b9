//! What limits a plan, on scenarios small enough to work out by hand.
//!
//! One node: 8 GPUs x 1000 TFLOPS x 50 % MFU = 4 PFLOP/s, so 126,144,000
//! PFLOP in a year of 730-hour months. A base demand of 6e8 PFLOP a year
//! needs 6e8 / 126,144,000 = 4.76 nodes, so 5 whole nodes.

mod common;

use common::{class, gpu, header, home_site, load, STORAGE};
use fsdplan::analyses::limits::{capacity_limits, LimitKind};
use fsdplan::analyses::plan;
use fsdplan::plan::PlanOptions;
use fsdplan::solve::{Clock, NoClock};
use fsdplan::studies::compare::{compare, UNRESTRICTED};

fn base_demand() -> String {
    header(1, 12, 0.0, "vehicles = 1")
        + &class("free", "")
        + "\n[training]\nbase_pflop_per_period = 6.0e8\n"
        + STORAGE
}

fn no_clock() -> Box<dyn Clock> {
    Box::new(NoClock)
}

#[test]
fn a_full_site_is_named_as_its_power_cap() {
    // 10 kW x PUE 1.5 = 15 kW a node: 0.065 MW holds 4 nodes with 5 kW to
    // spare, less than one more node, so the cap binds. The fifth node
    // goes to the dearer site b.
    let text = base_demand()
        + &home_site("a", "power_cap_mw = 0.065")
        + &home_site("b", "").replace("energy_price_per_kwh = 0.1", "energy_price_per_kwh = 0.5")
        + &gpu("G", 1000.0, "");
    let scenario = load(&text);
    let run = plan(
        &scenario,
        PlanOptions::default(),
        common::backend(),
        &NoClock,
    );
    let report = run.report();
    let at_a: f64 = report
        .gpus
        .iter()
        .filter(|r| r.site == "a")
        .map(|r| r.installed_nodes)
        .sum();
    assert_eq!(at_a, 4.0);
    let limits = capacity_limits(&run.run.input, &report);
    assert_eq!(limits.len(), 1, "{limits:?}");
    assert_eq!(limits[0].kind, LimitKind::PowerCap);
    assert_eq!(limits[0].text, "power cap a 2025 (0.1 MW)");
    assert_eq!(limits[0].excess, 0.0);
}

#[test]
fn a_cap_with_room_for_another_node_does_not_bind() {
    // 0.1 MW holds 6 nodes; the plan needs 5.
    let text = base_demand() + &home_site("a", "power_cap_mw = 0.1") + &gpu("G", 1000.0, "");
    let scenario = load(&text);
    let run = plan(
        &scenario,
        PlanOptions::default(),
        common::backend(),
        &NoClock,
    );
    assert!(capacity_limits(&run.run.input, &run.report()).is_empty());
}

#[test]
fn an_option_short_of_supply_says_how_many_nodes_it_lacks() {
    // G may supply 3 nodes a period and the plan needs 5: 2 more. H has no
    // cap and costs more, so the unrestricted plan buys 3 G and 2 H, and
    // G's supply cap is what shapes it.
    let text = base_demand()
        + &home_site("a", "")
        + &gpu("G", 1000.0, "max_nodes_per_period = 3")
        + &gpu("H", 2000.0, "");
    let scenario = load(&text);
    let report = compare(
        &scenario,
        &[0, 1],
        PlanOptions::default(),
        common::backend(),
        &no_clock,
    );
    let row = |name: &str| report.rows.iter().find(|r| r.option == name).unwrap();

    let g = row("G");
    assert_eq!(g.status, "infeasible");
    assert_eq!(
        g.limit,
        "supply cap G 2025 (3 nodes/period): needs 2 nodes more"
    );

    let all = row(UNRESTRICTED);
    assert_eq!(all.nodes_bought, 5.0);
    assert_eq!(all.limit, "supply cap G 2025 (3 nodes/period)");
    let h = row("H");
    assert_eq!(h.limit, "none: cost alone");
    assert!(all.npv.unwrap() < h.npv.unwrap());
    assert_eq!(report.rows[0].option, UNRESTRICTED, "best first");
    assert_eq!(all.npv_difference, Some(0.0));
    let share = h.npv_difference_share.unwrap();
    assert!((share - (h.npv.unwrap() / all.npv.unwrap() - 1.0)).abs() < 1e-12);
}

#[test]
fn a_gpu_banned_everywhere_is_named_with_its_ban() {
    let text = base_demand()
        + &home_site("a", "")
        + &gpu("G", 1000.0, "")
        + "\n[[export_rule]]\ngpu = \"G\"\njurisdiction = \"CN\"\n";
    let scenario = load(&text);
    let report = compare(
        &scenario,
        &[0],
        PlanOptions::default(),
        common::backend(),
        &no_clock,
    );
    let g = report.rows.iter().find(|r| r.option == "G").unwrap();
    assert_eq!(g.status, "infeasible");
    assert_eq!(
        g.limit,
        "G banned in CN 2025: a plan would buy 5 nodes there"
    );
    let all = report
        .rows
        .iter()
        .find(|r| r.option == UNRESTRICTED)
        .unwrap();
    assert_eq!(all.status, "infeasible");
}
