//! The value of hedging (SPEC.md section 7.3): the hedged plan; each
//! future's perfect-foresight plan, wait-and-see and the expected value of
//! perfect information (EVPI); the plan for each future v (bet on v until
//! the events say otherwise) with its value of the stochastic solution
//! (VSS); and the regret of every plan in every future.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analyses::{self, hedged_audit, HedgedReport, PlanReport};
use crate::model::PlanInput;
use crate::numbers::number;
use crate::plan::hedged::{self, Bet, FutureRow};
use crate::plan::PlanOptions;
use crate::scenario::{Future, Scenario};
use crate::solve::{search, Clock, Guarded, LpBackend, SearchStatus};

pub const SCHEMA: &str = "fsdplan.hedge/1";

/// The hedged plan's headline numbers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HedgedSummary {
    pub status: String,
    pub objective: Option<f64>,
    pub bound: Option<f64>,
    pub gap: Option<f64>,
    pub expected_npv: Option<f64>,
    pub cvar: Option<f64>,
}

/// One future planned alone, knowing it will happen.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ForesightRow {
    pub future: String,
    pub status: String,
    pub npv: Option<f64>,
    pub bound: Option<f64>,
    pub gap: Option<f64>,
}

/// The plan that bets on one future.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct PlanForRow {
    /// The future bet on (the v).
    pub future: String,
    pub status: String,
    pub expected_npv: Option<f64>,
    pub vss: Option<f64>,
    /// Extension: the plan's objective and bound (with CVaR, the objective
    /// is not the expected NPV).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<f64>,
    /// Extension: why there is no plan, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// One plan's NPV in one future, against that future's foresight.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct RegretRow {
    /// `hedged`, or the future a plan bets on.
    pub plan: String,
    pub future: String,
    pub npv: Option<f64>,
    pub regret: Option<f64>,
}

/// `fsdplan hedge` (SPEC.md 7.4).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HedgeReport {
    pub schema: String,
    pub scenario: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    pub currency: String,
    pub futures: Vec<FutureRow>,
    pub hedged: HedgedSummary,
    pub perfect_foresight: Vec<ForesightRow>,
    pub wait_and_see: Option<f64>,
    pub evpi: Option<f64>,
    pub plan_for: Vec<PlanForRow>,
    pub regret: Vec<RegretRow>,
    /// Extension: where a value is smaller than the gaps that bound it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Runs the study. The futures' own plans, then the bets, run in parallel
/// on the caller's rayon pool.
pub fn hedge(
    base: &Scenario,
    futures: &[Future],
    options: PlanOptions,
    backend: &(dyn LpBackend + Sync),
    clock: &(dyn Clock + Sync),
) -> HedgeReport {
    hedge_with_progress(base, futures, options, backend, clock, &|_| {})
}

/// The number of plans [`hedge`] makes for `futures` futures: each
/// future's own, the hedged plan, and one bet per future.
pub fn plans_made(futures: usize) -> usize {
    2 * futures + 1
}

/// [`hedge`], calling `done` with what was planned after each of its
/// [`plans_made`] plans (for a progress bar).
pub fn hedge_with_progress(
    base: &Scenario,
    futures: &[Future],
    options: PlanOptions,
    backend: &(dyn LpBackend + Sync),
    clock: &(dyn Clock + Sync),
    done: &(dyn Fn(&str) + Sync),
) -> HedgeReport {
    // The futures' own plans first: each is one future's size, quick next
    // to the hedged plans, and every bet needs its future's.
    let foresight: Vec<PlanReport> = futures
        .par_iter()
        .map(|f| {
            let report = analyses::plan(&f.scenario, options, backend, clock).report();
            done(&format!("foresight of {}", f.name));
            report
        })
        .collect();
    // Under a time limit for the whole command, the hedged plan gets a
    // third of what is left, so the bets still have time to run.
    let mut hedged_options = options;
    let limit = options.limits.time_limit;
    if limit.is_finite() {
        let now = clock.elapsed_seconds();
        hedged_options.limits.time_limit = now + (limit - now).max(0.0) / 3.0;
    }
    let hedged = analyses::plan_hedged(base, futures, hedged_options, backend, clock).report();
    done("the hedged plan");
    let bets: Vec<Result<HedgedReport, String>> = (0..futures.len())
        .into_par_iter()
        .map(|v| {
            let bet = bet_on(v, base, futures, &foresight, options, backend, clock);
            done(&format!("bet on {}", futures[v].name));
            bet
        })
        .collect();
    assemble(base, futures, &hedged, &foresight, &bets)
}

/// The hedged plan that bets on future `v`, or why it has none.
fn bet_on(
    v: usize,
    base: &Scenario,
    futures: &[Future],
    foresight: &[PlanReport],
    options: PlanOptions,
    backend: &(dyn LpBackend + Sync),
    clock: &(dyn Clock + Sync),
) -> Result<HedgedReport, String> {
    if foresight[v].objective.is_none() {
        let own = &foresight[v];
        return Err(format!(
            "future \"{}\" has no plan of its own to bet on ({}{})",
            futures[v].name,
            own.status,
            own.message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        ));
    }
    let bet = Bet::new(v, futures, &foresight[v].result);
    let run = hedged::run_betting(base, futures, &bet, options, backend, clock)?;
    let report = HedgedReport {
        result: hedged_audit::certify_hedged(base, futures, run.result()),
        infeasibility: None,
        explain: None,
    };
    if report.status == "infeasible" {
        return Err(stranded(base, futures, &bet, options, backend)
            .unwrap_or_else(|| {
                format!(
                    "betting on \"{}\" leaves the futures together without a plan, though each alone has one",
                    futures[v].name
                )
            }));
    }
    Ok(report)
}

/// A future that betting on `bet.future` leaves without a plan, and what
/// runs short there: that future alone with the bet's purchases in the
/// periods it is alike the future bet on.
fn stranded(
    base: &Scenario,
    futures: &[Future],
    bet: &Bet,
    options: PlanOptions,
    backend: &dyn LpBackend,
) -> Option<String> {
    let v = bet.future;
    for (f, future) in futures.iter().enumerate() {
        if f == v {
            continue;
        }
        let input = PlanInput::new(&future.scenario);
        let mut model = crate::model::build(&input);
        let alike = |t| future.alike(&futures[v], &base.events, &base.calendar, t);
        if let Err(no) = bet.fix(&mut model.lp, &model.index, &alike) {
            let stranded = format!("future \"{}\"", future.name);
            return Some(bet.no_room_text(futures, &stranded, &no));
        }
        let heuristics = crate::plan::heuristics::PlanHeuristics::of(&model, &input);
        let outcome = search::solve(
            &model.lp,
            &Guarded(backend),
            options.limits,
            &crate::solve::NoClock,
            true,
            &heuristics,
        );
        if outcome.status == SearchStatus::Infeasible {
            let why = analyses::infeasibility::explain(&input, &model, &Guarded(backend), None);
            let lines = if why.lines.is_empty() {
                String::new()
            } else {
                format!(": {}", why.lines.join("; "))
            };
            return Some(format!(
                "betting on \"{}\" leaves future \"{}\" without a plan{lines}",
                futures[v].name, future.name
            ));
        }
    }
    None
}

/// The objective's uncertainty from a gap: objective minus bound.
fn slack(objective: Option<f64>, bound: Option<f64>) -> f64 {
    match (objective, bound) {
        (Some(o), Some(b)) => (o - b).max(0.0),
        _ => 0.0,
    }
}

fn assemble(
    base: &Scenario,
    futures: &[Future],
    hedged: &HedgedReport,
    foresight: &[PlanReport],
    bets: &[Result<HedgedReport, String>],
) -> HedgeReport {
    let events = &base.events;
    let future_rows: Vec<FutureRow> = futures.iter().map(|f| FutureRow::of(f, events)).collect();
    let perfect_foresight: Vec<ForesightRow> = futures
        .iter()
        .zip(foresight)
        .map(|(f, p)| ForesightRow {
            future: f.name.clone(),
            status: p.status.clone(),
            npv: p.objective,
            bound: p.bound,
            gap: p.gap,
        })
        .collect();
    let all_planned = foresight.iter().all(|p| p.objective.is_some());
    let wait_and_see = all_planned.then(|| {
        futures
            .iter()
            .zip(foresight)
            .map(|(f, p)| f.probability * p.objective.unwrap_or(0.0))
            .sum::<f64>()
    });
    let ws_slack: f64 = futures
        .iter()
        .zip(foresight)
        .map(|(f, p)| f.probability * slack(p.objective, p.bound))
        .sum();
    let hedged_slack = slack(hedged.objective, hedged.bound);
    // Values and gaps below the solver's tolerance are noise: a value of 0
    // needs no warning, and neither does a gap of float dust.
    let noise = 1e-6 * hedged.objective.unwrap_or(0.0).abs();
    let evpi = match (hedged.expected_npv, wait_and_see) {
        (Some(e), Some(ws)) => Some(e - ws),
        _ => None,
    };
    let mut notes = Vec::new();
    if let Some(evpi) = evpi {
        let within = hedged_slack + ws_slack;
        if within > noise && evpi.abs() > noise && evpi.abs() <= within {
            notes.push(format!(
                "EVPI ({}) is within the gaps that bound it ({}): it may be 0; plan with a smaller --mip-gap to resolve it",
                number(evpi, 0),
                number(within, 0)
            ));
        }
    }
    let mut plan_for = Vec::new();
    let mut regret = Vec::new();
    let push_regret = |regret: &mut Vec<RegretRow>, plan: &str, report: &HedgedReport| {
        for (row, p) in report.futures.iter().zip(foresight) {
            regret.push(RegretRow {
                plan: plan.to_string(),
                future: row.future.clone(),
                npv: row.npv,
                regret: match (row.npv, p.objective) {
                    (Some(n), Some(best)) => Some(n - best),
                    _ => None,
                },
            });
        }
    };
    push_regret(&mut regret, "hedged", hedged);
    for ((future, bet), own) in futures.iter().zip(bets).zip(foresight) {
        match bet {
            Ok(report) => {
                let vss = match (report.expected_npv, hedged.expected_npv) {
                    (Some(ev), Some(e)) => Some(ev - e),
                    _ => None,
                };
                if let Some(vss) = vss {
                    let within = hedged_slack + slack(report.objective, report.bound);
                    if within > noise && vss.abs() > noise && vss.abs() <= within {
                        notes.push(format!(
                            "VSS of the plan for \"{}\" ({}) is within the gaps that bound it ({})",
                            future.name,
                            number(vss, 0),
                            number(within, 0)
                        ));
                    }
                }
                plan_for.push(PlanForRow {
                    future: future.name.clone(),
                    status: report.status.clone(),
                    expected_npv: report.expected_npv,
                    vss,
                    objective: report.objective,
                    bound: report.bound,
                    why: report
                        .message
                        .clone()
                        .filter(|_| report.objective.is_none()),
                });
                push_regret(&mut regret, &future.name, report);
            }
            Err(why) => plan_for.push(PlanForRow {
                future: future.name.clone(),
                // A bet with no plan of its own to bet on failed for the
                // reason its own plan did (a time limit is not infeasibility).
                status: if own.objective.is_none() && own.status != "infeasible" {
                    own.status.clone()
                } else {
                    "infeasible".into()
                },
                expected_npv: None,
                vss: None,
                objective: None,
                bound: None,
                why: Some(why.clone()),
            }),
        }
    }
    HedgeReport {
        schema: SCHEMA.into(),
        scenario: base.name.clone(),
        overrides: Vec::new(),
        currency: base.currency.clone(),
        futures: future_rows,
        hedged: HedgedSummary {
            status: hedged.status.clone(),
            objective: hedged.objective,
            bound: hedged.bound,
            gap: hedged.gap,
            expected_npv: hedged.expected_npv,
            cvar: hedged.cvar,
        },
        perfect_foresight,
        wait_and_see,
        evpi,
        plan_for,
        regret,
        notes,
    }
}
