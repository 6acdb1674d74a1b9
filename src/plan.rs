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
    /// Seconds by the caller's clock when the model was built and when the
    /// search ended (for `plan --verbose` and the benchmarks).
    pub built_at: f64,
    pub solved_at: f64,
}

impl PlanRun<'_> {
    pub fn size(&self) -> ModelSize {
        self.model.lp.size()
    }

    /// The result rows of SPEC.md section 5, after the independent audit
    /// ([`crate::audit::certify`]): a plan that breaks a rule of the
    /// scenario is never returned as one.
    pub fn report(&self) -> PlanReport {
        crate::audit::certify(self.input.scenario, crate::report::rows::build(self))
    }
}

/// Plans a scenario; when it has no plan, also explains why.
pub fn plan<'a>(
    scenario: &'a Scenario,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> PlanRun<'a> {
    let mut run = plan_unexplained(scenario, options, backend, clock);
    if run.outcome.status == SearchStatus::Infeasible {
        let backend = &crate::solve::Guarded(backend);
        // Within what is left of the time limit, like the search.
        let left = options.limits.time_limit - clock.elapsed_seconds();
        let seconds = left.is_finite().then_some(left.max(0.05));
        run.infeasibility = Some(infeasibility::explain(
            &run.input, &run.model, backend, seconds,
        ));
    }
    run
}

/// Plans a scenario without explaining an infeasible one: for callers that
/// only need the objective of a variant (compare's lifted limits, explain's
/// bans), where the explanation's extra solves would be thrown away.
pub fn plan_unexplained<'a>(
    scenario: &'a Scenario,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> PlanRun<'a> {
    let input = PlanInput::new(scenario);
    let model = model::build(&input);
    let built_at = clock.elapsed_seconds();
    let heuristics = heuristics::PlanHeuristics {
        model: &model,
        input: &input,
    };
    let outcome = search::solve(
        &model.lp,
        &crate::solve::Guarded(backend),
        options.limits,
        clock,
        options.relax,
        &heuristics,
    );
    PlanRun {
        backend: backend.name(),
        input,
        model,
        outcome,
        options,
        infeasibility: None,
        built_at,
        solved_at: clock.elapsed_seconds(),
    }
}
