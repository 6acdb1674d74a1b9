//! Analyses of a plan run: the independent audit, why a scenario has no
//! plan, the limits that bind, and what each limit costs (`explain`).
//!
//! They read [`crate::plan`]'s runs and results and never the reverse. A
//! [`PlanReport`], what every renderer reads, is made here and only here,
//! from a result the audit has checked.

pub mod audit;
pub mod explain;
pub mod infeasibility;
pub mod limits;

use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};

use crate::plan::result::PlanResult;
use crate::plan::{self, PlanOptions, PlanRun};
use crate::scenario::Scenario;
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
