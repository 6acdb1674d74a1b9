//! Near-optimal alternatives (modelling to generate alternatives, as PyPSA's
//! `optimize_mga`, GenX and Calliope SPORES do it): with the NPV held
//! within a slack of the optimum, how far each decision of the planner's
//! can move. A narrow range is a firm decision, a wide one a free choice.
//!
//! * [`metric`]: the decisions in the planner's words, each as a linear
//!   expression over the model's columns and as a value read back from a
//!   plan's result rows (so an alternative's metric is checked on what the
//!   audit accepted, not on the solver's numbers);
//! * [`ranges`]: one end of a metric's near-optimal range, an integer plan
//!   (or an LP) searched with the metric as its objective and the NPV as a
//!   row within the slack, then made as cheap as it can be at that
//!   extreme, audited like any plan;
//! * [`distinct`]: maximally different alternatives (hop-skip-jump), each
//!   avoiding the GPU and site pairs the plans before it bought;
//! * [`alternatives`]: the optimum, every end asked for and the distinct
//!   alternatives, in parallel.

pub mod distinct;
pub mod metric;
pub mod ranges;

use rayon::prelude::*;
use serde::Serialize;

use crate::analyses;
use crate::model::PlanInput;
use crate::plan::PlanOptions;
use crate::solve::{Clock, LpBackend};
use distinct::AlternativeRow;
use metric::Metric;
use ranges::{extreme, npv_cap, Direction};
pub use ranges::{PlanFile, Subject};

pub const SCHEMA: &str = "fsdplan.alternatives/1";

/// The near-optimal ranges of a scenario's metrics.
#[derive(Debug, Clone, Serialize)]
pub struct AlternativesReport {
    pub schema: &'static str,
    pub scenario: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    pub currency: String,
    /// The NPV an alternative may cost above the optimum's, as a share.
    pub slack: f64,
    /// True with `--relax`: every number is an LP optimum.
    pub relaxed: bool,
    pub optimum: OptimumRow,
    /// The NPV every alternative stays within (currency), when there is
    /// an optimum.
    pub npv_cap: Option<f64>,
    pub ranges: Vec<RangeRow>,
    /// The maximally different alternatives (`--distinct N`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<AlternativeRow>,
    /// Every audited plan made, by name (`optimum`, `least nodes:H20`,
    /// `alternative 1`), for `--out DIR`.
    #[serde(skip)]
    pub plans: Vec<(String, PlanFile)>,
}

/// The plan the ranges are measured from.
#[derive(Debug, Clone, Serialize)]
pub struct OptimumRow {
    pub status: String,
    pub objective: Option<f64>,
    pub bound: Option<f64>,
    pub gap: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One metric's range within the slack.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RangeRow {
    pub metric: String,
    pub unit: String,
    /// The metric in the optimum.
    pub optimum: Option<f64>,
    /// The least and the most within the slack (`None`: that end was not
    /// asked for, or has no plan).
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// What the search proved each end could reach at most (the LP
    /// relaxation's end); equal to `min` or `max` when that end is optimal
    /// or with `--relax`.
    pub bound_min: Option<f64>,
    pub bound_max: Option<f64>,
    /// The NPV of the plan at each end (currency).
    pub npv_at_min: Option<f64>,
    pub npv_at_max: Option<f64>,
    /// Each end's plan status, or `not asked`.
    pub status_min: String,
    pub status_max: String,
    /// `firm`, `some room` or `free` (see [`reading`]), or `-` without
    /// both ends.
    pub reading: String,
    /// Why an end has no plan, or stopped early, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_min: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_max: Option<String>,
}

/// The metrics to push, each with the ends asked for.
#[derive(Debug, Clone)]
pub struct Asked {
    pub metric: Metric,
    pub min: bool,
    pub max: bool,
}

/// How wide a range reads: `firm` when both ends lie within 5% of the
/// larger end's size, `free` when the range is at least half of it (or
/// the metric can be zero in one plan and not in another), `some room`
/// between.
pub fn reading(min: f64, max: f64) -> &'static str {
    let size = min.abs().max(max.abs());
    let width = max - min;
    if size < 1e-9 || width <= 0.05 * size {
        "firm"
    } else if width >= 0.5 * size {
        "free"
    } else {
        "some room"
    }
}

/// The optimum, then for each metric the ends asked for and `distinct`
/// maximally different alternatives, solved in parallel (on the caller's
/// rayon pool; the distinct ones one after another, beside the ends), each
/// with a clock of its own from `clock`. `done` is told each plan as it
/// finishes.
#[allow(clippy::too_many_arguments)]
pub fn alternatives(
    subject: Subject,
    asked: &[Asked],
    distinct: usize,
    slack: f64,
    options: PlanOptions,
    backend: &(dyn LpBackend + Sync),
    clock: &(dyn Fn() -> Box<dyn Clock> + Sync),
    done: &(dyn Fn(&str) + Sync),
) -> AlternativesReport {
    let scenario = subject.scenario();
    // The optimum: its audited plan (a hedged plan's plan in expectation,
    // which the metrics read), as written, and its columns.
    let (optimum, optimum_file, seed) = match subject {
        Subject::Plan(scenario) => {
            let planned = analyses::plan(scenario, options, backend, &*clock());
            let optimum = planned.report();
            let file = PlanFile::Plan(Box::new(optimum.clone()));
            (optimum, file, planned.run.outcome.values)
        }
        Subject::Hedged { base, futures } => {
            let planned = analyses::plan_hedged(base, futures, options, backend, &*clock());
            let hedged = planned.report();
            let mut expected = hedged.expected();
            // The objective the slack holds: the hedged one.
            expected.result.objective = hedged.objective;
            expected.result.bound = hedged.bound;
            expected.result.gap = hedged.gap;
            let file = PlanFile::Hedged(Box::new(hedged));
            (expected, file, planned.run.outcome.values)
        }
    };
    done("the optimum");
    let input = PlanInput::new(scenario);
    let mut report = AlternativesReport {
        schema: SCHEMA,
        scenario: scenario.name.clone(),
        overrides: Vec::new(),
        currency: scenario.currency.clone(),
        slack,
        relaxed: options.relax,
        optimum: OptimumRow {
            status: optimum.status.clone(),
            objective: optimum.objective,
            bound: optimum.bound,
            gap: optimum.gap,
            message: optimum.message.clone(),
        },
        npv_cap: None,
        ranges: Vec::new(),
        alternatives: Vec::new(),
        plans: vec![("optimum".to_string(), optimum_file)],
    };
    let Some(npv) = optimum.objective else {
        return report;
    };
    let cap = npv_cap(npv, slack);
    report.npv_cap = Some(cap);
    let ends: Vec<(usize, Direction)> = asked
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            let mut ends = Vec::new();
            if a.min {
                ends.push((i, Direction::Min));
            }
            if a.max {
                ends.push((i, Direction::Max));
            }
            ends
        })
        .collect();
    let seed = seed.as_deref();
    let solve_ends = || -> Vec<(usize, Direction, ranges::Extreme)> {
        ends.par_iter()
            .map(|&(i, direction)| {
                let end = extreme(
                    subject,
                    &asked[i].metric,
                    direction,
                    cap,
                    seed,
                    options,
                    backend,
                    &*clock(),
                );
                done(&end_name(direction, &asked[i].metric));
                (i, direction, end)
            })
            .collect()
    };
    let solve_distinct = || {
        distinct::distinct(
            subject, &optimum, seed, distinct, cap, options, backend, clock, done,
        )
    };
    let (solved, alternatives) = rayon::join(solve_ends, solve_distinct);
    for (i, a) in asked.iter().enumerate() {
        let end = |direction: Direction| {
            solved
                .iter()
                .find(|(j, d, _)| *j == i && *d == direction)
                .map(|(_, _, e)| e)
        };
        let (low, high) = (end(Direction::Min), end(Direction::Max));
        let status =
            |e: Option<&ranges::Extreme>| e.map_or("not asked".to_string(), |e| e.status.clone());
        let min = low.and_then(|e| e.value);
        let max = high.and_then(|e| e.value);
        report.ranges.push(RangeRow {
            metric: a.metric.text.clone(),
            unit: a.metric.unit(&scenario.currency),
            optimum: Some(a.metric.value(&input, &optimum.result)),
            min,
            max,
            bound_min: low.and_then(|e| e.bound),
            bound_max: high.and_then(|e| e.bound),
            npv_at_min: low.and_then(|e| e.npv),
            npv_at_max: high.and_then(|e| e.npv),
            status_min: status(low),
            status_max: status(high),
            why_min: low.and_then(|e| why_no_plan(&e.report)),
            why_max: high.and_then(|e| why_no_plan(&e.report)),
            reading: match (min, max) {
                (Some(min), Some(max)) => reading(min, max).to_string(),
                _ => "-".to_string(),
            },
        });
        for (direction, end) in [(Direction::Min, low), (Direction::Max, high)] {
            if let Some(end) = end {
                let name = end_name(direction, &a.metric);
                report.plans.push((name, end.file.clone()));
            }
        }
    }
    for row in &alternatives {
        if let Some(plan) = &row.plan {
            report.plans.push((row.name.clone(), plan.clone()));
        }
    }
    report.alternatives = alternatives;
    report
}

/// An end's name: `least nodes:H20`, `most abroad-pb`.
fn end_name(direction: Direction, metric: &Metric) -> String {
    let which = match direction {
        Direction::Min => "least",
        Direction::Max => "most",
    };
    format!("{which} {}", metric.text)
}

/// Why a plan is missing or stopped early: its message, and the first
/// rules it broke when the audit rejected it.
fn why_no_plan(report: &analyses::PlanReport) -> Option<String> {
    let mut parts: Vec<String> = report.message.iter().cloned().collect();
    parts.extend(report.audit_violations.iter().take(3).cloned());
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The number of plans [`alternatives`] makes: the optimum, each end and
/// each distinct alternative.
pub fn plans_made(asked: &[Asked], distinct: usize) -> usize {
    1 + distinct
        + asked
            .iter()
            .map(|a| usize::from(a.min) + usize::from(a.max))
            .sum::<usize>()
}

/// The hand-worked scenarios of the tests.
#[cfg(test)]
mod hand_worked {
    use crate::scenario::Scenario;

    /// One site, one year, 100 PFLOP/s of base compute (3.1536e9 PFLOP, a
    /// node of GPU A or B delivers 1 PFLOP/s), a power cap if given, and
    /// the GPUs listed.
    pub fn scenario(power_cap_mw: Option<f64>, gpus: &[(&str, f64)]) -> Scenario {
        let mut text = String::from(concat!(
            "[scenario]\nname = \"alternatives\"\ncurrency = \"CNY\"\nhome = \"CN\"\n",
            "start = \"2025-01\"\nperiod_months = 12\nperiods = 1\ndiscount_rate = 0\n\n",
            "[fleet]\nvehicles = 1000\nuploading_share = 1\n\n",
            "[training]\nbase_pflop_per_period = 3.1536e9\n\n",
            "[[data_class]]\nname = \"video\"\ngb_per_vehicle_month = 1\nretention_months = 12\n",
            "training_share = 0\npflop_per_pb = 1\nresidency = \"home_only\"\n\n",
            "[[storage]]\nname = \"hdd\"\nprice_per_pb = 0\nkw_per_pb = 0\n",
            "read_gb_per_s_per_pb = 1\nusable_fraction = 1\nlifetime_years = 1\n\n",
            "[[site]]\nname = \"east\"\njurisdiction = \"CN\"\npue = 1\nenergy_price_per_kwh = 0\n",
            "ingest_price_per_gbps_month = 0\n",
        ));
        if let Some(cap) = power_cap_mw {
            text.push_str(&format!("power_cap_mw = {cap}\n"));
        }
        for (name, price) in gpus {
            text.push_str(&format!(
                "\n[[gpu]]\nname = \"{name}\"\ntflops = 1000\ngpus_per_node = 1\nnode_kw = 1\nprice_per_node = {price}\nlifetime_years = 1\nmfu = 1\nallowed_in = [\"CN\"]\n"
            ));
        }
        crate::scenario::from_str("alternatives.toml", &text).expect("valid")
    }

    /// Two GPUs whose cost per PFLOP differs by 0.5%.
    pub fn two_gpus() -> Scenario {
        scenario(None, &[("A", 1000.0), ("B", 1005.0)])
    }
}

#[cfg(test)]
mod tests {
    use super::reading;

    #[test]
    fn ranges_read_firm_some_room_or_free() {
        assert_eq!(reading(98.0, 100.0), "firm");
        assert_eq!(reading(0.0, 0.0), "firm");
        assert_eq!(reading(80.0, 100.0), "some room");
        assert_eq!(reading(0.0, 1200.0), "free");
        assert_eq!(reading(300.0, 1200.0), "free");
    }
}
