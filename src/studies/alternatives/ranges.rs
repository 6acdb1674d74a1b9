//! The near-optimal range of each metric: with the NPV held at most
//! (1 + slack) x the optimum's NPV, the least and the most the metric can
//! be. Each end is a plan of its own (an integer plan, or an LP with
//! `relax`), searched with the metric as the objective and the NPV as a
//! row, then read back through the audit like any plan.
//!
//! A scenario with events is pushed the same way on its hedged model
//! (SPEC.md section 7): the objective held within the slack is the hedged
//! one ((1 - w) E[NPV] + w CVaR), the purchases stay non-anticipative, and
//! a metric is that of the plan in expectation (each future's, weighted by
//! its probability; a peak is the highest period of the expected power).

use serde::Serialize;

use super::metric::{Metric, MetricKind};
use crate::analyses::{hedged_audit, HedgedReport, PlanReport};
use crate::model::{self, LinExpr, LinearProgram, ModelExpressions, PlanInput, Sense};
use crate::plan::hedged::{self, HedgedBuild, HedgedRun};
use crate::plan::{heuristics::PlanHeuristics, PlanOptions, PlanRun};
use crate::scenario::{Future, Scenario};
use crate::solve::search::Heuristics;
use crate::solve::{search, Clock, Guarded, LpBackend, SearchOutcome};

/// Which way a metric is pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Min,
    Max,
}

/// What alternatives are made of: one scenario, or a scenario with events
/// and its futures, planned as one hedged plan.
#[derive(Clone, Copy)]
pub enum Subject<'a> {
    Plan(&'a Scenario),
    Hedged {
        base: &'a Scenario,
        futures: &'a [Future],
    },
}

impl<'a> Subject<'a> {
    /// The scenario as written (its GPUs, sites and name).
    pub fn scenario(&self) -> &'a Scenario {
        match *self {
            Subject::Plan(scenario) => scenario,
            Subject::Hedged { base, .. } => base,
        }
    }
}

/// An audited plan as `--out DIR` writes it: a plan, or a hedged plan.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum PlanFile {
    Plan(Box<PlanReport>),
    Hedged(Box<HedgedReport>),
}

impl PlanFile {
    /// The plan's objective: its NPV, or a hedged plan's hedged objective.
    pub fn objective(&self) -> Option<f64> {
        match self {
            PlanFile::Plan(plan) => plan.objective,
            PlanFile::Hedged(hedged) => hedged.objective,
        }
    }
}

/// One end of a range: the plan that pushes the metric furthest.
#[derive(Debug, Clone)]
pub struct Extreme {
    /// The metric in the audited plan (`None` without a plan).
    pub value: Option<f64>,
    /// The plan's NPV (currency); a hedged plan's objective.
    pub npv: Option<f64>,
    /// How far the metric could go at most, as the search proved it (the
    /// LP relaxation's end; equal to `value` for an LP or an optimal end).
    pub bound: Option<f64>,
    pub status: String,
    /// The audited plan, or a hedged plan's plan in expectation: what the
    /// metric and `diff` read.
    pub report: PlanReport,
    /// The audited plan as written.
    pub file: PlanFile,
}

/// The NPV an alternative may cost: (1 + slack) x the optimum's.
pub fn npv_cap(optimum_npv: f64, slack: f64) -> f64 {
    optimum_npv + slack * optimum_npv.abs()
}

/// A subject's model, built once for the pushes of one end (one at a time
/// per end, so the variants' sizes do not matter).
#[allow(clippy::large_enum_variant)]
enum Built<'a> {
    Plan {
        input: PlanInput<'a>,
        model: model::PlanModel,
    },
    Hedged {
        base: &'a Scenario,
        futures: &'a [Future],
        built: HedgedBuild<'a>,
    },
}

impl<'a> Built<'a> {
    fn new(subject: Subject<'a>) -> Built<'a> {
        match subject {
            Subject::Plan(scenario) => {
                let input = PlanInput::new(scenario);
                let model = model::build(&input);
                Built::Plan { input, model }
            }
            Subject::Hedged { base, futures } => Built::Hedged {
                base,
                futures,
                built: hedged::build_model(base, futures),
            },
        }
    }

    fn lp(&self) -> &LinearProgram {
        match self {
            Built::Plan { model, .. } => &model.lp,
            Built::Hedged { built, .. } => &built.model.lp,
        }
    }

    /// Currency per unit of model money.
    fn money(&self) -> f64 {
        match self {
            Built::Plan { model, .. } => model.scales.money,
            Built::Hedged { built, .. } => built.model.scales.money,
        }
    }

    /// The expressions `of` makes on the model; on a hedged model, each
    /// future's weighted by its probability and summed (the expressions of
    /// the plan in expectation).
    fn expressions(&self, of: &dyn Fn(&ModelExpressions) -> Vec<LinExpr>) -> Vec<LinExpr> {
        match self {
            Built::Plan { input, model } => of(&ModelExpressions {
                input,
                index: &model.index,
                scales: model.scales,
            }),
            Built::Hedged { futures, built, .. } => {
                let mut expected: Vec<LinExpr> = Vec::new();
                for ((future, input), part) in
                    futures.iter().zip(&built.inputs).zip(&built.model.futures)
                {
                    let of_future = of(&ModelExpressions {
                        input,
                        index: &part.index,
                        scales: built.model.scales,
                    });
                    expected.resize(of_future.len(), LinExpr::default());
                    for (sum, expr) in expected.iter_mut().zip(&of_future) {
                        sum.add_scaled(expr, future.probability);
                    }
                }
                expected
            }
        }
    }

    fn heuristics(&self) -> Box<dyn Heuristics + '_> {
        match self {
            Built::Plan { input, model } => Box::new(PlanHeuristics::of(model, input)),
            Built::Hedged { futures, built, .. } => hedged::search_heuristics(built, futures),
        }
    }

    /// The audited plan of an outcome of the model's programme.
    fn report(
        &self,
        outcome: SearchOutcome,
        options: PlanOptions,
        backend: &dyn LpBackend,
    ) -> (PlanReport, PlanFile) {
        match self {
            Built::Plan { input, model } => {
                let run = PlanRun {
                    input: input.clone(),
                    model: model.clone(),
                    outcome,
                    options,
                    backend: backend.name(),
                    built_at: 0.0,
                    solved_at: 0.0,
                };
                let report = PlanReport::new(&run, None);
                (report.clone(), PlanFile::Plan(Box::new(report)))
            }
            Built::Hedged {
                base,
                futures,
                built,
            } => {
                let run = HedgedRun {
                    base,
                    futures,
                    inputs: built.inputs.clone(),
                    model: built.model.clone(),
                    groups: built.groups.clone(),
                    outcome,
                    options,
                    backend: backend.name(),
                    built_at: 0.0,
                    solved_at: 0.0,
                };
                let report = HedgedReport {
                    result: hedged_audit::certify_hedged(base, futures, run.result()),
                    infeasibility: None,
                    explain: None,
                };
                (report.expected(), PlanFile::Hedged(Box::new(report)))
            }
        }
    }
}

/// The plan that pushes `metric` in `direction` with the NPV (a hedged
/// plan's objective) at most `cap` (currency). A peak's maximum is the
/// largest of the per-period maxima; its minimum uses one more column, the
/// peak itself, above every period's power. `seed`, the optimum's columns,
/// is the integer search's first candidate: it lies within the cap, so the
/// search always has a plan to improve on (rounding an LP point that sits
/// on the cap seldom stays under it).
#[allow(clippy::too_many_arguments)]
pub fn extreme(
    subject: Subject,
    metric: &Metric,
    direction: Direction,
    cap: f64,
    seed: Option<&[f64]>,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> Extreme {
    let built = Built::new(subject);
    let expressions = built.expressions(&|ex| metric.expressions(ex));
    let heuristics = built.heuristics();
    let pusher = Pusher {
        built: &built,
        heuristics: &*heuristics,
        direction,
        cap_model: cap / built.money(),
        seed,
        options,
        backend,
        clock,
    };
    // Each candidate's metric as the audited rows have it, not as the
    // solver left it.
    let input = PlanInput::new(subject.scenario());
    let valued = |mut end: Extreme| {
        end.value = end
            .report
            .objective
            .map(|_| metric.value(&input, &end.report.result));
        end
    };
    match (&metric.kind, direction) {
        (MetricKind::PeakMw(_), Direction::Max) => {
            let ends: Vec<Extreme> = expressions
                .iter()
                .map(|power| valued(pusher.push(power, None)))
                .collect();
            // The peak can reach at most the largest period's bound.
            let bound = ends
                .iter()
                .filter_map(|e| e.bound)
                .fold(None, |m: Option<f64>, b| Some(m.map_or(b, |m| m.max(b))));
            let key = |e: &Extreme| e.value.unwrap_or(f64::NEG_INFINITY);
            let best = ends.into_iter().max_by(|a, b| key(a).total_cmp(&key(b)));
            let mut best = best.unwrap_or_else(|| valued(pusher.push(&LinExpr::default(), None)));
            if best.value.is_some() {
                best.bound = bound;
            }
            best
        }
        (MetricKind::PeakMw(_), Direction::Min) => {
            valued(pusher.push(&LinExpr::default(), Some(&expressions)))
        }
        _ => {
            let objective = expressions.first().cloned().unwrap_or_default();
            valued(pusher.push(&objective, None))
        }
    }
}

/// The plan that makes `objective` (built on the model's expressions) as
/// small as the NPV cap allows, then as cheap as it can be at that value:
/// the step of each maximally different alternative ([`super::distinct`]).
/// On a hedged model the objective is that of the plan in expectation.
/// The end's `value` is left for the caller to read from the rows.
#[allow(clippy::too_many_arguments)]
pub fn least(
    subject: Subject,
    objective: &dyn Fn(&ModelExpressions) -> LinExpr,
    cap: f64,
    seed: Option<&[f64]>,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> Extreme {
    let built = Built::new(subject);
    let objective = built
        .expressions(&|ex| vec![objective(ex)])
        .pop()
        .unwrap_or_default();
    let heuristics = built.heuristics();
    let pusher = Pusher {
        built: &built,
        heuristics: &*heuristics,
        direction: Direction::Min,
        cap_model: cap / built.money(),
        seed,
        options,
        backend,
        clock,
    };
    pusher.push(&objective, None)
}

/// What every end of a range is solved with.
struct Pusher<'a> {
    built: &'a Built<'a>,
    /// The model's own heuristics (a plan's or a hedged plan's).
    heuristics: &'a dyn Heuristics,
    direction: Direction,
    /// The NPV cap in model money.
    cap_model: f64,
    seed: Option<&'a [f64]>,
    options: PlanOptions,
    backend: &'a dyn LpBackend,
    clock: &'a dyn Clock,
}

impl Pusher<'_> {
    /// Solves the programme with `objective` pushed in the direction (or,
    /// given `peak_of`, the largest of those expressions minimised) and
    /// the NPV within the cap, and reads the plan back as a report.
    fn push(&self, objective: &LinExpr, peak_of: Option<&[LinExpr]>) -> Extreme {
        let original = self.built.lp();
        let mut lp: LinearProgram = original.clone();
        // The NPV row: the original objective, within the cap.
        let mut npv = LinExpr::default();
        for (j, column) in original.columns.iter().enumerate() {
            npv.add(crate::model::Var(j), column.cost);
        }
        lp.add_row(
            "npv_within_slack".into(),
            npv,
            Sense::Le,
            self.cap_model - original.objective_constant,
        );
        for column in &mut lp.columns {
            column.cost = 0.0;
        }
        lp.objective_constant = 0.0;
        let sign = match self.direction {
            Direction::Min => 1.0,
            Direction::Max => -1.0,
        };
        let objective_constant = objective.constant;
        let mut target = objective.clone();
        if let Some(periods) = peak_of {
            // The peak: one column above each period's power.
            let peak = lp.add_column("peak".into(), 0.0, f64::INFINITY, false);
            for (t, power) in periods.iter().enumerate() {
                let mut row = power.clone();
                row.add(peak, -1.0);
                lp.add_row(format!("peak_above[{t}]"), row, Sense::Le, 0.0);
            }
            target = LinExpr::default();
            target.add(peak, 1.0);
            target.constant = 0.0;
        }
        // Objective coefficients near 1: the metric divided by its largest.
        let largest = target
            .terms
            .iter()
            .map(|(_, c)| c.abs())
            .fold(0.0, f64::max);
        let scale = if largest > 0.0 { 1.0 / largest } else { 1.0 };
        for &(var, coef) in &target.terms {
            lp.columns[var.0].cost += sign * coef * scale;
        }
        let heuristics = Seeded {
            model: self.heuristics,
            seed: self.seed.map(|values| {
                let mut values = values.to_vec();
                values.resize(lp.columns.len(), 0.0);
                values
            }),
            integer: lp.columns.iter().map(|c| c.integer).collect(),
        };
        // The metric is sign x objective / scale plus its constant.
        let metric_of = |objective: f64| sign * objective / scale + objective_constant;
        let mut outcome = search::solve(
            &lp,
            &Guarded(self.backend),
            self.options.limits,
            &crate::solve::Unobserved(self.clock),
            self.options.relax,
            &heuristics,
        );
        let bound = outcome.bound.is_finite().then(|| metric_of(outcome.bound));
        // The plan's NPV is the original objective at its point; its bound
        // is not the NPV's, so none is claimed beyond the point itself.
        if let Some(values) = &outcome.values {
            let point = &values[..original.columns.len()];
            // Then the cheapest plan at that extreme: the metric held where
            // the search left it (and the whole nodes fixed), the NPV
            // minimised. Without this pass an end may lease bandwidth or buy
            // storage it does not use, because the slack pays for it.
            let cheapest = self.cheapest_at(point, objective, peak_of);
            let point = cheapest.as_deref().unwrap_or(point);
            let value: f64 = original
                .columns
                .iter()
                .zip(point)
                .map(|(c, v)| c.cost * v)
                .sum::<f64>()
                + original.objective_constant;
            outcome.values = Some(point.to_vec());
            outcome.objective = value;
            outcome.bound = value;
        }
        let (report, file) = self.built.report(outcome, self.options, self.backend);
        Extreme {
            value: None,
            bound: report.objective.and(bound),
            npv: report.objective.and(file.objective()),
            status: report.status.clone(),
            report,
            file,
        }
    }

    /// The least-NPV point that keeps the metric at least as far as
    /// `point` took it (`objective`, or the largest of `peak_of`), with
    /// `point`'s whole-node columns fixed; `None` if the LP fails.
    fn cheapest_at(
        &self,
        point: &[f64],
        objective: &LinExpr,
        peak_of: Option<&[LinExpr]>,
    ) -> Option<Vec<f64>> {
        let mut lp = self.built.lp().clone();
        let slack = |x: f64| 1e-9 * x.abs().max(1.0);
        match (peak_of, self.direction) {
            (Some(periods), _) => {
                // A minimised peak: no period above it.
                let peak = periods
                    .iter()
                    .map(|p| p.value(point))
                    .fold(f64::NEG_INFINITY, f64::max);
                for (t, power) in periods.iter().enumerate() {
                    lp.add_row(
                        format!("peak_held[{t}]"),
                        power.clone(),
                        Sense::Le,
                        peak + slack(peak),
                    );
                }
            }
            (None, Direction::Min) => {
                let value = objective.value(point);
                lp.add_row(
                    "metric_held".into(),
                    objective.clone(),
                    Sense::Le,
                    value + slack(value),
                );
            }
            (None, Direction::Max) => {
                let value = objective.value(point);
                lp.add_row(
                    "metric_held".into(),
                    objective.clone(),
                    Sense::Ge,
                    value - slack(value),
                );
            }
        }
        let mut bounds = lp.bounds();
        if !self.options.relax {
            for (j, column) in lp.columns.iter().enumerate() {
                if column.integer {
                    bounds[j] = (point[j], point[j]);
                }
            }
        }
        let seconds = (self.options.limits.time_limit - self.clock.elapsed_seconds()).max(1.0);
        match Guarded(self.backend).solve(&lp, &bounds, Some(seconds)) {
            crate::solve::LpOutcome::Optimal { values, .. } => Some(values),
            _ => None,
        }
    }
}

/// The model's heuristics, with the optimum (the seed) first. An LP end
/// sits on the NPV cap, so rounding it seldom stays under the cap; points
/// between the seed and the LP end have an NPV and a metric that far of
/// the way (both are linear), so rounded they give whole-node plans most
/// of the way to the end, under the cap.
struct Seeded<'a> {
    model: &'a dyn Heuristics,
    seed: Option<Vec<f64>>,
    /// Which columns are whole nodes.
    integer: Vec<bool>,
}

/// How far from the seed toward the LP end the candidates lie.
const TOWARD_THE_END: [f64; 4] = [0.95, 0.85, 0.7, 0.5];

impl Heuristics for Seeded<'_> {
    fn round(&self, values: &[f64]) -> Vec<Vec<f64>> {
        let mut candidates = Vec::new();
        if let Some(seed) = &self.seed {
            for share in TOWARD_THE_END {
                for up in [false, true] {
                    let point = values
                        .iter()
                        .zip(seed)
                        .zip(&self.integer)
                        .map(|((&end, &start), &integer)| {
                            let x = start + share * (end - start);
                            match (integer, up) {
                                (true, true) => (x - 1e-9).ceil(),
                                (true, false) => x.round(),
                                (false, _) => x,
                            }
                        })
                        .collect();
                    candidates.push(point);
                }
            }
            candidates.push(seed.clone());
        }
        candidates.extend(self.model.round(values));
        candidates
    }

    fn moves(&self, values: &[f64]) -> Vec<Vec<(crate::model::Var, f64)>> {
        self.model.moves(values)
    }
}

#[cfg(test)]
mod tests {
    use super::super::hand_worked::{scenario, two_gpus};
    use super::*;
    use crate::solve::{MicroLp, NoClock};

    fn range(scenario: &Scenario, metric: &str, slack: f64, relax: bool) -> (f64, f64, f64) {
        let options = PlanOptions {
            relax,
            ..PlanOptions::default()
        };
        let planned = crate::analyses::plan(scenario, options, &MicroLp, &NoClock);
        let report = planned.report();
        let npv = report.objective.expect("an optimum");
        let metric = Metric::parse(metric, scenario).unwrap();
        let at_optimum = metric.value(&planned.run.input, &report.result);
        let cap = npv_cap(npv, slack);
        let low = extreme(
            Subject::Plan(scenario),
            &metric,
            Direction::Min,
            cap,
            planned.run.outcome.values.as_deref(),
            options,
            &MicroLp,
            &NoClock,
        );
        let high = extreme(
            Subject::Plan(scenario),
            &metric,
            Direction::Max,
            cap,
            planned.run.outcome.values.as_deref(),
            options,
            &MicroLp,
            &NoClock,
        );
        for end in [&low, &high] {
            assert!(
                end.report.audit_violations.is_empty(),
                "{:?}",
                end.report.audit_violations
            );
            let npv_end = end.npv.expect("a plan at each end");
            assert!(npv_end <= cap * (1.0 + 1e-9), "{npv_end} above {cap}");
        }
        if relax {
            // An LP end is its own bound.
            for end in [&low, &high] {
                let value = end.value.unwrap();
                let close = |b: f64| (b - value).abs() <= 1e-6 * value.abs().max(1.0);
                assert_eq!(end.bound.map(close), Some(true), "{:?} {value}", end.bound);
            }
        }
        let (low, high) = (low.value.unwrap(), high.value.unwrap());
        // Minimising never gives more than the optimum's value, maximising
        // never less.
        let tolerance = 1e-9 * at_optimum.abs().max(1.0);
        assert!(low <= at_optimum + tolerance && at_optimum <= high + tolerance);
        (npv, low, high)
    }

    #[test]
    fn a_one_percent_slack_lets_either_gpu_carry_all_the_demand() {
        // Demand: 3.1536e9 PFLOP a year = 100 PFLOP/s = 100 nodes of 1 PFLOP/s.
        let scenario = two_gpus();
        // The optimum buys 100 A nodes: NPV 100,000, so the cap is 101,000.
        let (npv, low, high) = range(&scenario, "nodes:B", 0.01, true);
        assert!((npv - 100_000.0).abs() < 1e-3, "{npv}");
        // All of it on A (0 B), or all on B; as an LP, B may even buy
        // beyond the demand up to the cap: 101,000 / 1,005 nodes.
        assert!(low.abs() < 1e-6, "{low}");
        assert!((high - 101_000.0 / 1005.0).abs() < 1e-6, "{high}");
        // Whole nodes: 100 B nodes cost 100,500, 101 would cost 101,505.
        let (_, low, high) = range(&scenario, "nodes:B", 0.01, false);
        assert!(
            low.abs() < 1e-9 && (high - 100.0).abs() < 1e-9,
            "{low}..{high}"
        );
    }

    #[test]
    fn a_slack_of_zero_reproduces_the_optimum() {
        let scenario = two_gpus();
        let (_, low, high) = range(&scenario, "nodes:B", 0.0, true);
        assert!(low.abs() < 1e-6 && high.abs() < 1e-6, "{low}..{high}");
        let (_, low, high) = range(&scenario, "nodes:A", 0.0, false);
        assert!(
            (low - 100.0).abs() < 1e-9 && (high - 100.0).abs() < 1e-9,
            "{low}..{high}"
        );
    }

    #[test]
    fn a_power_cap_makes_the_peak_firm() {
        // 100 nodes of 1 kW draw 0.1 MW; a cap of 0.1 MW leaves no room, so
        // the peak is the same at both ends whatever the slack.
        let capped = scenario(Some(0.1), &[("A", 1000.0)]);
        let (_, low, high) = range(&capped, "peak-mw:east", 0.05, true);
        assert!(
            (low - 0.1).abs() < 1e-9 && (high - 0.1).abs() < 1e-9,
            "{low}..{high}"
        );
    }
}
