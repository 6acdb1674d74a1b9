//! Analyses of a plan run: the independent audit, why a scenario has no
//! plan, the limits that bind, and what each limit costs (`explain`).
//!
//! They read [`crate::plan`]'s runs and results and never the reverse. A
//! [`PlanReport`], what every renderer reads, is made here and only here,
//! from a result the audit has checked.

pub mod audit;
pub mod check;
pub mod explain;
pub mod hedged_audit;
pub mod infeasibility;
pub mod limits;

use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};

use crate::plan::hedged::{self, HedgedResult, HedgedRun};
use crate::plan::result::PlanResult;
use crate::plan::{self, PlanOptions, PlanRun};
use crate::scenario::{Future, Scenario};
use crate::solve::{Clock, Guarded, LpBackend, SearchStatus};
use explain::ExplainReport;
use infeasibility::Infeasibility;

/// A plan's report, SPEC.md section 5: its result rows after the audit
/// ([`audit::certify`]), with the analyses attached. A result that breaks a
/// rule of the scenario keeps only its status `error` and the audit's
/// findings, never its tables.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanReport {
    #[serde(flatten)]
    pub result: PlanResult,
    /// Extension: the binding limits and marginal costs (`plan --explain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<ExplainReport>,
    /// Extension: why there is no plan, when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infeasibility: Option<Infeasibility>,
}

impl PlanReport {
    /// The audited report of a run, with the explanation of why it has no
    /// plan when there is one.
    pub fn new(run: &PlanRun, infeasibility: Option<Infeasibility>) -> PlanReport {
        PlanReport {
            result: audit::certify(run.input.scenario, run.result()),
            explain: None,
            infeasibility,
        }
    }
}

/// A report reads as its result rows: `report.costs`, `report.status`.
impl Deref for PlanReport {
    type Target = PlanResult;
    fn deref(&self) -> &PlanResult {
        &self.result
    }
}

impl DerefMut for PlanReport {
    fn deref_mut(&mut self) -> &mut PlanResult {
        &mut self.result
    }
}

/// A planning run and, when the scenario has no plan, why.
pub struct Planned<'a> {
    pub run: PlanRun<'a>,
    pub infeasibility: Option<Infeasibility>,
}

impl Planned<'_> {
    /// The audited report, with the infeasibility explanation.
    pub fn report(&self) -> PlanReport {
        PlanReport::new(&self.run, self.infeasibility.clone())
    }
}

/// Plans a scenario ([`plan::run`]); when it has no plan, also explains why,
/// within what is left of the time limit.
pub fn plan<'a>(
    scenario: &'a Scenario,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> Planned<'a> {
    let run = plan::run(scenario, options, backend, clock);
    let mut infeasibility = None;
    if run.outcome.status == SearchStatus::Infeasible {
        let left = options.limits.time_limit - clock.elapsed_seconds();
        let seconds = left.is_finite().then_some(left.max(0.05));
        infeasibility = Some(infeasibility::explain(
            &run.input,
            &run.model,
            &Guarded(backend),
            seconds,
        ));
    }
    Planned { run, infeasibility }
}

/// A hedged plan's report (SPEC.md 7.4): its result after the audit of
/// every future and of non-anticipativity, with why there is no plan when
/// there is none.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HedgedReport {
    #[serde(flatten)]
    pub result: HedgedResult,
    /// Extension: why there is no hedged plan, when there is none: a future
    /// with no plan even on its own, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infeasibility: Option<HedgedInfeasibility>,
    /// Extension: each future's binding limits and marginal costs (`plan
    /// --explain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<explain::HedgedExplainReport>,
}

/// Why a scenario with events has no hedged plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HedgedInfeasibility {
    /// A future with no plan of its own, if there is one.
    pub future: Option<String>,
    /// Why that future has none.
    pub explanation: Option<Infeasibility>,
    /// In words, for people.
    pub lines: Vec<String>,
}

impl Deref for HedgedReport {
    type Target = HedgedResult;
    fn deref(&self) -> &HedgedResult {
        &self.result
    }
}

impl DerefMut for HedgedReport {
    fn deref_mut(&mut self) -> &mut HedgedResult {
        &mut self.result
    }
}

impl HedgedReport {
    /// The plan in expectation, as a report `diff` can compare with any
    /// other (see [`HedgedResult::expected_plan`]). It comes from an
    /// audited hedged result.
    pub fn expected(&self) -> PlanReport {
        PlanReport {
            result: self.result.expected_plan(),
            explain: None,
            infeasibility: None,
        }
    }
}

/// A hedged run and, when it has no plan, why.
pub struct HedgedPlanned<'a> {
    pub run: HedgedRun<'a>,
    pub infeasibility: Option<HedgedInfeasibility>,
}

impl HedgedPlanned<'_> {
    /// The audited report.
    pub fn report(&self) -> HedgedReport {
        let run = &self.run;
        HedgedReport {
            result: hedged_audit::certify_hedged(run.base, run.futures, run.result()),
            infeasibility: self.infeasibility.clone(),
            explain: None,
        }
    }
}

/// Plans a scenario with events ([`hedged::run`]); when it has no plan,
/// finds a future with none of its own and explains it, or says that only
/// the shared purchases stand in the way.
pub fn plan_hedged<'a>(
    base: &'a Scenario,
    futures: &'a [Future],
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> HedgedPlanned<'a> {
    let run = hedged::run(base, futures, options, backend, clock);
    let mut infeasibility = None;
    if run.outcome.status == SearchStatus::Infeasible {
        let mut found = None;
        for future in futures {
            let alone = plan(&future.scenario, options, backend, clock);
            if alone.run.outcome.status == SearchStatus::Infeasible {
                found = Some((future.name.clone(), alone.infeasibility));
                break;
            }
        }
        infeasibility = Some(match found {
            Some((name, explanation)) => {
                let mut lines = vec![format!(
                    "future \"{name}\" has no plan even when planned alone, with perfect foresight:"
                )];
                if let Some(why) = &explanation {
                    lines.extend(why.lines.iter().map(|l| format!("  {l}")));
                }
                HedgedInfeasibility {
                    future: Some(name),
                    explanation,
                    lines,
                }
            }
            None => HedgedInfeasibility {
                future: None,
                explanation: None,
                lines: vec![
                    "every future has a plan when planned alone, but no purchases made before the events are revealed serve them all: buying ahead for one future breaks a cap (power, budget, licence) in another".into(),
                ],
            },
        });
    }
    HedgedPlanned { run, infeasibility }
}
