//! A planning run: scenario -> model -> integer search -> result rows.
//! No I/O and no clock here: the caller passes the backend and a clock.

use crate::infeasibility::{self, Infeasibility};
use crate::model::{self, heuristics, ModelSize, PlanInput, PlanModel};
use crate::report::PlanReport;
use crate::scenario::Scenario;
use crate::solve::{search, Clock, Limits, LpBackend, SearchOutcome, SearchStatus};

/// How to plan.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlanOptions {
    /// Solve the LP relaxation only (node counts continuous).
    pub relax: bool,
    pub limits: Limits,
}

/// Everything a planning run produced.
pub struct PlanRun<'a> {
    pub input: PlanInput<'a>,
    pub model: PlanModel,
    pub outcome: SearchOutcome,
    pub options: PlanOptions,
    pub backend: &'static str,
    /// Why there is no plan, when the scenario is infeasible.
    pub infeasibility: Option<Infeasibility>,
}

impl PlanRun<'_> {
    pub fn size(&self) -> ModelSize {
        self.model.lp.size()
    }

    /// The result rows of SPEC.md section 5.
    pub fn report(&self) -> PlanReport {
        crate::report::rows::build(self)
    }
}

/// Plans a scenario.
pub fn plan<'a>(
    scenario: &'a Scenario,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> PlanRun<'a> {
    let input = PlanInput::new(scenario);
    let model = model::build(&input);
    let heuristics = heuristics::PlanHeuristics {
        model: &model,
        input: &input,
    };
    let outcome = search::solve(
        &model.lp,
        backend,
        options.limits,
        clock,
        options.relax,
        &heuristics,
    );
    let infeasibility = (outcome.status == SearchStatus::Infeasible)
        .then(|| infeasibility::explain(&input, &model, backend));
    PlanRun {
        backend: backend.name(),
        input,
        model,
        outcome,
        options,
        infeasibility,
    }
}
