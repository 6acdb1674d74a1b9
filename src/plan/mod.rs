//! A planning run: scenario -> model -> integer search -> result rows.
//! No I/O and no clock here: the caller passes the backend and a clock.
//!
//! This layer sits on the model and the solver; the analyses (audit,
//! infeasibility, explain) read its runs and results, never the reverse.

pub mod hedged;
pub mod heuristics;
pub mod result;

use crate::model::{self, ModelSize, PlanInput, PlanModel};
use crate::scenario::Scenario;
use crate::solve::{search, Clock, Limits, LpBackend, SearchOutcome};

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
    /// Seconds by the caller's clock when the model was built and when the
    /// search ended (for `plan --verbose` and the benchmarks).
    pub built_at: f64,
    pub solved_at: f64,
}

impl PlanRun<'_> {
    pub fn size(&self) -> ModelSize {
        self.model.lp.size()
    }

    /// The result rows of SPEC.md section 5, as the solver left them, not
    /// yet audited. What commands show is [`crate::analyses::PlanReport`],
    /// built only through the audit.
    pub fn result(&self) -> result::PlanResult {
        result::build(self)
    }
}

/// Plans a scenario. An infeasible one is explained by
/// [`crate::analyses::plan`]; callers that only need the objective of a
/// variant (compare's lifted limits, explain's bans) call this directly and
/// save the explanation's extra solves.
pub fn run<'a>(
    scenario: &'a Scenario,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> PlanRun<'a> {
    let input = PlanInput::new(scenario);
    let model = model::build(&input);
    let built_at = clock.elapsed_seconds();
    let heuristics = heuristics::PlanHeuristics::of(&model, &input);
    let outcome = search::solve(
        &model.lp,
        &crate::solve::Guarded(backend),
        options.limits,
        &crate::solve::InCurrency {
            clock,
            money: model.scales.money,
        },
        options.relax,
        &heuristics,
    );
    PlanRun {
        backend: backend.name(),
        input,
        model,
        outcome,
        options,
        built_at,
        solved_at: clock.elapsed_seconds(),
    }
}
