//! Maximally different alternatives, by hop-skip-jump (Brill's HSJ, as
//! PyPSA's `optimize_mga` and GenX's MGA use it): each alternative, with the
//! NPV within the slack, buys as little as it can of the GPU and site pairs
//! that the optimum and the alternatives before it bought, so that each
//! plan is as unlike the ones before as the slack allows.
//!
//! The purchases are weighed by each node's sustained PFLOP/s, so that a
//! node of a large GPU counts for more than one of a small GPU and the
//! objective reads as "PFLOP/s bought on pairs already used". Each
//! alternative is then made as cheap as it can be at that value, audited
//! like any plan, and set against the optimum in the words of `diff`.

use std::collections::BTreeSet;

use serde::Serialize;

use super::ranges::{least, PlanFile, Subject};
use crate::analyses::PlanReport;
use crate::model::{LinExpr, ModelExpressions};
use crate::plan::PlanOptions;
use crate::scenario::Scenario;
use crate::solve::{Clock, LpBackend};
use crate::studies::diff;

/// One maximally different alternative.
#[derive(Debug, Clone, Serialize)]
pub struct AlternativeRow {
    /// `alternative 1`, `alternative 2`, ...
    pub name: String,
    pub status: String,
    /// Its NPV (currency).
    pub objective: Option<f64>,
    /// Its NPV against the optimum's, in percent (1.5: 1.5% dearer).
    pub change_pct: Option<f64>,
    /// The GPU and site pairs it had to avoid: those the optimum and the
    /// alternatives before it bought, a GPU an entry (`910C at lingang,
    /// guizhou`).
    pub avoided: Vec<String>,
    /// PFLOP/s it still buys on those pairs (what it minimised).
    pub pflops_on_avoided: Option<f64>,
    /// The nodes bought over the horizon that differ from the optimum's,
    /// per GPU and site, the largest first ("+350 H20 nodes at lingang").
    pub nodes_changed: Vec<String>,
    /// Every decision that differs from the optimum's, period by period,
    /// in the words of `diff` ("+120 H20 nodes at lingang in 2025Q3").
    pub changes: Vec<String>,
    /// Why it has no plan, or the rules its plan broke.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The audited plan (written under `--out DIR`).
    #[serde(skip)]
    pub plan: Option<PlanFile>,
}

/// The GPU and site pairs a plan bought nodes of, as indices.
fn pairs_bought(scenario: &Scenario, report: &PlanReport) -> BTreeSet<(usize, usize)> {
    let gpu = |name: &str| scenario.gpus.iter().position(|g| g.name == name);
    let site = |name: &str| scenario.sites.iter().position(|s| s.name == name);
    report
        .gpus
        .iter()
        .filter(|row| row.bought_nodes > 1e-6)
        .filter_map(|row| Some((gpu(&row.gpu)?, site(&row.site)?)))
        .collect()
}

/// PFLOP/s bought over the horizon on `pairs` (GPU, site).
fn purchases_on(ex: &ModelExpressions, pairs: &BTreeSet<(usize, usize)>) -> LinExpr {
    let input = ex.input;
    let mut expr = LinExpr::default();
    for t in 0..input.periods {
        for &(g, s) in pairs {
            expr.add_opt(
                ex.index.buy_nodes.get(t, s, g),
                input.node_pflop[g] / input.seconds,
            );
        }
    }
    expr
}

/// `count` alternatives after `optimum` (whose columns `seed` are), each
/// with the NPV at most `cap`, each avoiding what the plans before it
/// bought. `done` is told each as it finishes. They are solved one after
/// another: each needs the ones before.
#[allow(clippy::too_many_arguments)]
pub fn distinct(
    subject: Subject,
    optimum: &PlanReport,
    seed: Option<&[f64]>,
    count: usize,
    cap: f64,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &(dyn Fn() -> Box<dyn Clock> + Sync),
    done: &(dyn Fn(&str) + Sync),
) -> Vec<AlternativeRow> {
    let scenario = subject.scenario();
    let mut avoided = pairs_bought(scenario, optimum);
    let input = crate::model::PlanInput::new(scenario);
    let pflops_per_node: Vec<f64> = input.node_pflop.iter().map(|p| p / input.seconds).collect();
    let optimum_npv = optimum.objective;
    let mut rows = Vec::with_capacity(count);
    for k in 1..=count {
        let name = format!("alternative {k}");
        let pairs = avoided.clone();
        let end = least(
            subject,
            &|ex| purchases_on(ex, &pairs),
            cap,
            seed,
            options,
            backend,
            &*clock(),
        );
        let (report, file) = (end.report, end.file);
        let has_plan = report.objective.is_some();
        let on_avoided = has_plan.then(|| {
            report
                .gpus
                .iter()
                .filter_map(|row| {
                    let g = scenario.gpus.iter().position(|g| g.name == row.gpu)?;
                    let s = scenario.sites.iter().position(|s| s.name == row.site)?;
                    pairs
                        .contains(&(g, s))
                        .then(|| row.bought_nodes * pflops_per_node[g])
                })
                .sum::<f64>()
        });
        let texts = |changes: Vec<diff::DecisionChange>| -> Vec<String> {
            changes.into_iter().map(|c| c.text).collect()
        };
        let (nodes_changed, changes) = if has_plan {
            let every = diff::diff(("optimum", optimum), (&name, &report))
                .map(|d| texts(d.decisions))
                .unwrap_or_default();
            (texts(diff::nodes_over_horizon(optimum, &report)), every)
        } else {
            (Vec::new(), Vec::new())
        };
        rows.push(AlternativeRow {
            name: name.clone(),
            status: report.status.clone(),
            objective: end.npv,
            change_pct: match (end.npv, optimum_npv) {
                (Some(npv), Some(best)) if best.abs() > 0.0 => {
                    Some(100.0 * (npv - best) / best.abs())
                }
                _ => None,
            },
            avoided: avoided_words(scenario, &pairs),
            pflops_on_avoided: on_avoided,
            nodes_changed,
            changes,
            why: super::why_no_plan(&report),
            plan: Some(file),
        });
        done(&name);
        if has_plan {
            avoided.extend(pairs_bought(scenario, &report));
        }
    }
    rows
}

/// The pairs in words, one entry a GPU: `910C at lingang, guizhou`.
fn avoided_words(scenario: &Scenario, pairs: &BTreeSet<(usize, usize)>) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for (g, gpu) in scenario.gpus.iter().enumerate() {
        let sites: Vec<&str> = pairs
            .iter()
            .filter(|(pg, _)| *pg == g)
            .map(|&(_, s)| scenario.sites[s].name.as_str())
            .collect();
        if !sites.is_empty() {
            words.push(format!("{} at {}", gpu.name, sites.join(", ")));
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::super::hand_worked::{scenario, two_gpus};
    use super::super::ranges::npv_cap;
    use super::*;
    use crate::solve::{MicroLp, NoClock};

    fn alternatives_of(
        scenario: &Scenario,
        count: usize,
        slack: f64,
        relax: bool,
    ) -> (f64, Vec<AlternativeRow>) {
        let options = PlanOptions {
            relax,
            ..PlanOptions::default()
        };
        let planned = crate::analyses::plan(scenario, options, &MicroLp, &NoClock);
        let optimum = planned.report();
        let npv = optimum.objective.expect("an optimum");
        let cap = npv_cap(npv, slack);
        let rows = distinct(
            Subject::Plan(scenario),
            &optimum,
            planned.run.outcome.values.as_deref(),
            count,
            cap,
            options,
            &MicroLp,
            &|| Box::new(NoClock),
            &|_| {},
        );
        for row in &rows {
            let Some(PlanFile::Plan(plan)) = &row.plan else {
                panic!("a plan");
            };
            assert!(
                plan.audit_violations.is_empty(),
                "{:?}",
                plan.audit_violations
            );
            let npv = row.objective.expect("an NPV");
            assert!(npv <= cap * (1.0 + 1e-9), "{npv} above {cap}");
        }
        (npv, rows)
    }

    #[test]
    fn the_first_alternative_moves_all_the_demand_to_the_other_gpu() {
        // The optimum: 100 A nodes (NPV 100,000). Within 1% (101,000), the
        // first alternative avoids A at east and buys 100 B nodes (100,500).
        for relax in [false, true] {
            let (_, rows) = alternatives_of(&two_gpus(), 2, 0.01, relax);
            let first = &rows[0];
            assert_eq!(first.avoided, ["A at east"]);
            assert!((first.objective.unwrap() - 100_500.0).abs() < 1e-3);
            assert!((first.change_pct.unwrap() - 0.5).abs() < 1e-6);
            assert!(first.pflops_on_avoided.unwrap().abs() < 1e-6);
            // Changes of the same size in the order of GPU, then site.
            assert_eq!(
                first.nodes_changed,
                ["-100 A nodes at east", "+100 B nodes at east"]
            );
            // The second must avoid both: it can only buy as little as the
            // demand needs (100 PFLOP/s), the cheapest way.
            let second = &rows[1];
            assert_eq!(second.avoided, ["A at east", "B at east"]);
            assert!((second.pflops_on_avoided.unwrap() - 100.0).abs() < 1e-6);
            assert!((second.objective.unwrap() - 100_000.0).abs() < 1e-3);
            assert!(
                second.nodes_changed.is_empty(),
                "{:?}",
                second.nodes_changed
            );
        }
    }

    #[test]
    fn no_slack_leaves_no_other_plan() {
        let (npv, rows) = alternatives_of(&two_gpus(), 1, 0.0, false);
        assert_eq!(rows[0].objective, Some(npv));
        assert!(rows[0].nodes_changed.is_empty());
    }

    #[test]
    fn a_dearer_gpu_takes_only_what_the_slack_pays_for() {
        // B costs 5% more (50 a node): a 1% slack (1,000) pays for 20 B
        // nodes, so 80 PFLOP/s stay on the avoided pair, whole nodes or not.
        let dearer = scenario(None, &[("A", 1000.0), ("B", 1050.0)]);
        for relax in [false, true] {
            let (_, rows) = alternatives_of(&dearer, 1, 0.01, relax);
            let on_avoided = rows[0].pflops_on_avoided.unwrap();
            assert!((on_avoided - 80.0).abs() < 1e-6, "{on_avoided}");
            assert_eq!(
                rows[0].nodes_changed,
                ["-20 A nodes at east", "+20 B nodes at east"]
            );
        }
    }
}
