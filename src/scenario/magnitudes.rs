//! The third pass: derived magnitudes.
//!
//! Each value may be within its own range (see [`super::limits`]) and still
//! combine with others into a quantity no model can hold: a billion vehicles
//! uploading a PB each, or a demand of 1e20 nodes. This pass recomputes the
//! few products SPEC.md section 4 derives (vehicles after growth, uploads,
//! training and de-identification demand in nodes of the fastest GPU, node
//! compute, prices next to each other) and reports, at the key responsible,
//! any that overflows the model's range or underflows to nothing.

use super::diagnostic::{KeyPath, Problem};
use super::limits::*;
use super::source::SourceMap;
use super::validate::{show_limit, show_value};
use super::Scenario;
use crate::units::GB_PER_PB;

/// Problems with the scenario's derived quantities (none for a plannable one).
pub(super) fn check(scenario: &Scenario, map: &SourceMap) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut report = |path: KeyPath, message: String| {
        problems.push(Problem::at(map, &path, message));
    };
    let calendar = &scenario.calendar;
    let months = f64::from(calendar.period_months);
    let fleet = &scenario.fleet;

    let peak_vehicles = fleet.vehicles_by_period.iter().copied().fold(0.0, f64::max);
    if peak_vehicles > MAX_COUNT {
        report(
            KeyPath::key("fleet").then("growth_per_year"),
            format!(
                "grows the fleet to {} vehicles by the last period; allowed: at most {} \
                 vehicles in any period (lower `growth_per_year` or `vehicles`)",
                show_derived(peak_vehicles),
                show_limit(MAX_COUNT)
            ),
        );
        return problems;
    }

    let fastest = scenario
        .gpus
        .iter()
        .map(|g| node_pflop(g, calendar.seconds_per_period()))
        .fold(0.0, f64::max);
    for (i, gpu) in scenario.gpus.iter().enumerate() {
        let pflop = node_pflop(gpu, calendar.seconds_per_period());
        if pflop < MIN_NODE_COMPUTE_RATIO * fastest {
            report(
                KeyPath::key("gpu").index(i).then("tflops"),
                format!(
                    "gives a node of gpu \"{}\" {} of the fastest node's compute \
                     (tflops x gpus_per_node x mfu); allowed: at least {} of it, or the \
                     node is lost next to the others in the model (is tflops in TFLOPS?)",
                    gpu.name,
                    show_derived(pflop / fastest),
                    show_limit(MIN_NODE_COMPUTE_RATIO)
                ),
            );
        }
    }

    let training = &scenario.training;
    for (i, class) in scenario.data_classes.iter().enumerate() {
        let path = KeyPath::key("data_class").index(i);
        let per_vehicle = fleet.uploading_share * class.gb_per_vehicle_month * months / GB_PER_PB;
        let peak_uploads = peak_vehicles * per_vehicle;
        if peak_uploads > MAX_DERIVED {
            report(
                path.then("gb_per_vehicle_month"),
                format!(
                    "= {} with {} vehicles uploads {} PB per period of data_class \"{}\"; \
                     allowed: at most {} PB (is it in GB?)",
                    show_value(class.gb_per_vehicle_month),
                    show_derived(peak_vehicles),
                    show_derived(peak_uploads),
                    class.name,
                    show_limit(MAX_DERIVED)
                ),
            );
            continue;
        }
        if peak_vehicles > 0.0 && per_vehicle > 0.0 && peak_uploads < MIN_DERIVED {
            report(
                path.then("gb_per_vehicle_month"),
                format!(
                    "= {} with {} vehicles uploads {} PB per period of data_class \"{}\", \
                     which vanishes in floating point; allowed: 0, or uploads of at least {} PB",
                    show_value(class.gb_per_vehicle_month),
                    show_derived(peak_vehicles),
                    show_derived(peak_uploads),
                    class.name,
                    show_limit(MIN_DERIVED)
                ),
            );
            continue;
        }
        if fastest <= 0.0 {
            continue;
        }
        let retention_periods = (class.retention_months / months).ceil().max(1.0);
        let per_stock_pb = training.epochs_per_period * class.pflop_per_pb * class.training_share;
        let peak_demand_nodes = per_stock_pb * peak_uploads * retention_periods / fastest;
        if peak_demand_nodes > MAX_DERIVED {
            report(
                path.then("pflop_per_pb"),
                format!(
                    "= {} (x epochs_per_period {} x training_share {}) makes data_class \"{}\" \
                     need {} nodes of the fastest GPU in one period; allowed: at most {} nodes \
                     (is it PFLOP per PB?)",
                    show_value(class.pflop_per_pb),
                    show_value(training.epochs_per_period),
                    class.training_share,
                    class.name,
                    show_derived(peak_demand_nodes),
                    show_limit(MAX_DERIVED)
                ),
            );
        } else if peak_uploads > 0.0 && per_stock_pb > 0.0 && peak_demand_nodes < MIN_DERIVED {
            report(
                path.then("pflop_per_pb"),
                format!(
                    "= {} makes the training demand of data_class \"{}\" vanish in floating \
                     point ({} nodes); allowed: 0, or a demand of at least {} nodes",
                    show_value(class.pflop_per_pb),
                    class.name,
                    show_derived(peak_demand_nodes),
                    show_limit(MIN_DERIVED)
                ),
            );
        }
        for (key, work) in [
            ("pflop_per_pb", per_stock_pb),
            ("deid_pflop_per_pb", class.deid_pflop_per_pb),
        ] {
            if work / fastest > MAX_WORK_PER_PB_RATIO {
                report(
                    path.then(key),
                    format!(
                        "gives data_class \"{}\" {} PFLOP of work per PB, {} nodes of the fastest GPU in a period for each PB; allowed: at most {} nodes per PB ({} PFLOP; is it PFLOP per PB?)",
                        class.name,
                        show_derived(work),
                        show_derived(work / fastest),
                        show_limit(MAX_WORK_PER_PB_RATIO),
                        show_derived(MAX_WORK_PER_PB_RATIO * fastest)
                    ),
                );
            }
            if work > 0.0 && work / fastest < MIN_WORK_PER_PB_RATIO {
                report(
                    path.then(key),
                    format!(
                        "gives data_class \"{}\" {} PFLOP of work per PB, {} of one node of the fastest GPU in a period, which vanishes in the model; allowed: 0, or at least {} of a node ({} PFLOP)",
                        class.name,
                        show_derived(work),
                        show_derived(work / fastest),
                        show_limit(MIN_WORK_PER_PB_RATIO),
                        show_derived(MIN_WORK_PER_PB_RATIO * fastest)
                    ),
                );
            }
        }
        let deid_nodes = class.deid_pflop_per_pb * peak_uploads / fastest;
        if deid_nodes > MAX_DERIVED {
            report(
                path.then("deid_pflop_per_pb"),
                format!(
                    "= {} makes de-identifying data_class \"{}\" need {} nodes of the fastest \
                     GPU in one period; allowed: at most {} nodes",
                    show_value(class.deid_pflop_per_pb),
                    class.name,
                    show_derived(deid_nodes),
                    show_limit(MAX_DERIVED)
                ),
            );
        }
    }
    if fastest > 0.0 && training.base_pflop_per_period / fastest > MAX_DERIVED {
        report(
            KeyPath::key("training").then("base_pflop_per_period"),
            format!(
                "= {} needs {} nodes of the fastest GPU in one period; allowed: at most {} nodes",
                show_value(training.base_pflop_per_period),
                show_derived(training.base_pflop_per_period / fastest),
                show_limit(MAX_DERIVED)
            ),
        );
    }

    for (path, price, largest) in small_prices(scenario) {
        report(
            path,
            format!(
                "= {} is below {} of the largest price ({}); it would vanish in the model's \
                 money unit; allowed: 0, or at least {}",
                show_value(price),
                show_limit(MIN_PRICE_RATIO),
                show_derived(largest),
                show_derived(MIN_PRICE_RATIO * largest)
            ),
        );
    }
    problems
}

/// A derived number to three significant digits: `6.76e-9`, `2.16e9`, `720`.
fn show_derived(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1.0e6 || x.abs() < 1.0e-3) {
        format!("{x:.2e}")
    } else if x == 0.0 {
        "0".into()
    } else {
        let decimals = (2 - x.abs().log10().floor() as i32).max(0) as usize;
        let text = format!("{x:.decimals$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    }
}

/// One node's compute in one period, PFLOP (as [`crate::model`] derives it).
fn node_pflop(gpu: &super::Gpu, seconds: f64) -> f64 {
    gpu.gpus_per_node * gpu.tflops * gpu.mfu * 1e-3 * seconds
}

/// Nonzero prices so far below the largest that the model cannot see them.
fn small_prices(scenario: &Scenario) -> Vec<(KeyPath, f64, f64)> {
    let mut prices: Vec<(KeyPath, f64)> = Vec::new();
    for (i, g) in scenario.gpus.iter().enumerate() {
        let p = KeyPath::key("gpu").index(i);
        prices.push((p.then("price_per_node"), g.price_per_node));
        prices.push((
            p.then("maintenance_per_node_year"),
            g.maintenance_per_node_year,
        ));
    }
    for (i, k) in scenario.storage_tiers.iter().enumerate() {
        prices.push((
            KeyPath::key("storage").index(i).then("price_per_pb"),
            k.price_per_pb,
        ));
    }
    for (i, s) in scenario.sites.iter().enumerate() {
        let p = KeyPath::key("site").index(i);
        prices.push((p.then("energy_price_per_kwh"), s.energy_price_per_kwh));
        prices.push((
            p.then("ingest_price_per_gbps_month"),
            s.ingest_price_per_gbps_month,
        ));
    }
    for (i, l) in scenario.links.iter().enumerate() {
        prices.push((
            KeyPath::key("link").index(i).then("price_per_gbps_month"),
            l.price_per_gbps_month,
        ));
    }
    let largest = prices.iter().map(|(_, p)| *p).fold(0.0, f64::max);
    prices
        .into_iter()
        .filter(|&(_, p)| p > 0.0 && p < MIN_PRICE_RATIO * largest)
        .map(|(path, p)| (path, p, largest))
        .collect()
}
