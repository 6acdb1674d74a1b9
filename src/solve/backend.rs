//! LP backends: translate the solver-neutral programme for a good_lp solver,
//! solve it as a linear programme (integrality is handled by our own search),
//! and check the answer before believing it.
//!
//! The microlp backend's own branch and bound is driven through microlp
//! directly, not through good_lp: good_lp passes only a time limit, and a
//! search cut by the clock gives different plans on a busy machine. microlp's
//! node limit makes the same input give the same plan, whatever the load and
//! however many plans run at once.

use std::time::Duration;

use good_lp::{
    constraint, variable, Expression, ProblemVariables, ResolutionError, Solution, SolverModel,
    WithTimeLimit,
};

use crate::model::lp::Row;
use crate::model::{LinearProgram, Sense};

/// Residual above which a backend's "optimal" answer is rejected.
pub const MAX_RESIDUAL: f64 = 1e-6;

/// What an LP solve found.
#[derive(Debug, Clone, PartialEq)]
pub enum LpOutcome {
    /// An optimal point and its objective value (model units).
    Optimal {
        values: Vec<f64>,
        objective: f64,
    },
    Infeasible,
    Unbounded,
    /// The backend failed, ran out of time, or returned a point that
    /// violates the programme.
    Failed(String),
}

/// What a backend's own integer search found.
#[derive(Debug, Clone, PartialEq)]
pub enum MipOutcome {
    /// A plan with its objective and the lower bound the backend proved.
    Plan {
        values: Vec<f64>,
        objective: f64,
        bound: Option<f64>,
    },
    Infeasible,
    /// Nothing usable (no plan in time, or a failure).
    Nothing,
}

/// A linear-programming backend.
pub trait LpBackend: Sync {
    /// The backend's name, as `--solver` spells it.
    fn name(&self) -> &'static str;

    /// Solves the programme as an LP with the given column bounds (which
    /// replace the programme's own), within `seconds` when given.
    fn solve(&self, lp: &LinearProgram, bounds: &[(f64, f64)], seconds: Option<f64>) -> LpOutcome;

    /// Runs the backend's own branch and bound from a known integer plan,
    /// when it has one worth running on a model of this size.
    fn solve_integer(&self, _lp: &LinearProgram, _start: &[f64], _budget: MipBudget) -> MipOutcome {
        MipOutcome::Nothing
    }
}

/// How much a backend's own integer search may do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MipBudget {
    /// Branch-and-bound nodes: the limit that normally stops the search,
    /// the same on any machine.
    pub nodes: u64,
    /// Seconds: a safety net only (a search stopped by it may differ from
    /// run to run).
    pub seconds: f64,
    /// Relative gap at which a plan is good enough.
    pub mip_gap: f64,
}

/// The pure-Rust microlp backend: no system packages, builds with cargo alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct MicroLp;

/// microlp's own branch and bound is fast on small models (it re-solves
/// nodes with a warm dual simplex) but runs out of memory on large ones
/// (docs/solvers.md: 609 MB at 603 integers), so it is only used up
/// to this many integer columns.
pub const MICROLP_MAX_INTEGERS: usize = 200;

impl LpBackend for MicroLp {
    fn name(&self) -> &'static str {
        "microlp"
    }

    fn solve_integer(&self, lp: &LinearProgram, start: &[f64], budget: MipBudget) -> MipOutcome {
        if lp.integer_columns().count() > MICROLP_MAX_INTEGERS
            || lp.rows.iter().any(|r| r.terms.is_empty())
        {
            return MipOutcome::Nothing;
        }
        let mut problem = microlp::Problem::new(microlp::OptimizationDirection::Minimize);
        let mut columns = Vec::with_capacity(lp.columns.len());
        for c in &lp.columns {
            let var = if c.integer {
                // Node counts: non-negative and far below i32::MAX.
                let lower = c.lower.ceil().clamp(0.0, i32::MAX as f64) as i32;
                let upper = if c.upper.is_finite() {
                    c.upper.floor().clamp(0.0, i32::MAX as f64) as i32
                } else {
                    i32::MAX
                };
                if lower > upper {
                    return MipOutcome::Infeasible;
                }
                problem.add_integer_var(c.cost, (lower, upper))
            } else {
                problem.add_var(c.cost, (c.lower, c.upper))
            };
            columns.push(var);
        }
        for row in &lp.rows {
            let mut expr = microlp::LinearExpr::empty();
            for &(var, coef) in &row.terms {
                expr.add(columns[var.0], coef);
            }
            let op = match row.sense {
                Sense::Le => microlp::ComparisonOp::Le,
                Sense::Ge => microlp::ComparisonOp::Ge,
                Sense::Eq => microlp::ComparisonOp::Eq,
            };
            problem.add_constraint(expr, op, row.rhs);
        }
        let mut options = microlp::SolveOptions::default();
        options.node_limit = Some(budget.nodes);
        options.time_limit = Some(Duration::from_secs_f64(budget.seconds.clamp(0.01, 1e6)));
        options.mip_gap = budget.mip_gap;
        // Hints for the node counts only: microlp fixes every hinted column
        // and completes the rest with an LP, so hinting continuous columns
        // too would turn their rounding noise into a rejected hint.
        options.warm_start = Some(
            lp.columns
                .iter()
                .zip(&columns)
                .zip(start)
                .filter(|((c, _), _)| c.integer)
                .map(|((_, &var), &x)| (var, x))
                .collect(),
        );
        let outcome = match problem.solve_with(options) {
            Ok(outcome) => outcome,
            Err(microlp::Error::Infeasible) => return MipOutcome::Infeasible,
            Err(_) => return MipOutcome::Nothing,
        };
        let stats = outcome.stats();
        let Some(solution) = outcome.solution() else {
            return MipOutcome::Nothing;
        };
        let values: Vec<f64> = columns.iter().map(|&v| solution.var_value(v)).collect();
        let LpOutcome::Optimal { values, objective } = checked(lp, &lp.bounds(), values) else {
            return MipOutcome::Nothing;
        };
        // microlp's bound leaves out the programme's constant term.
        let bound = match solution.termination_reason() {
            microlp::TerminationReason::ProvenOptimal => Some(objective),
            _ => stats
                .best_bound
                .filter(|b| b.is_finite())
                .map(|b| b + lp.objective_constant),
        };
        MipOutcome::Plan {
            values,
            objective,
            bound,
        }
    }

    fn solve(&self, lp: &LinearProgram, bounds: &[(f64, f64)], seconds: Option<f64>) -> LpOutcome {
        // Rows with no column are decided here: backends differ on them.
        for row in lp.rows.iter().filter(|r| r.terms.is_empty()) {
            let holds = match row.sense {
                Sense::Le => 0.0 <= row.rhs + MAX_RESIDUAL,
                Sense::Ge => 0.0 >= row.rhs - MAX_RESIDUAL,
                Sense::Eq => row.rhs.abs() <= MAX_RESIDUAL,
            };
            if !holds {
                return LpOutcome::Infeasible;
            }
        }
        if bounds.iter().any(|&(lo, hi)| lo > hi) {
            return LpOutcome::Infeasible;
        }
        let mut vars = ProblemVariables::new();
        let columns: Vec<good_lp::Variable> = bounds
            .iter()
            .map(|&(lo, hi)| {
                let mut def = variable().min(lo);
                if hi.is_finite() {
                    def = def.max(hi);
                }
                vars.add(def)
            })
            .collect();
        let objective = objective_of(lp, &columns);
        let mut problem = vars.minimise(objective).using(good_lp::microlp);
        if let Some(seconds) = seconds.filter(|s| s.is_finite() && *s < 1e9) {
            problem = problem.with_time_limit(seconds.max(0.01));
        }
        for row in lp.rows.iter().filter(|r| !r.terms.is_empty()) {
            problem.add_constraint(constraint_of(row, &columns));
        }
        match problem.solve() {
            Ok(solution) => {
                let values: Vec<f64> = columns.iter().map(|&v| solution.value(v)).collect();
                checked(lp, bounds, values)
            }
            Err(ResolutionError::Infeasible) => LpOutcome::Infeasible,
            Err(ResolutionError::Unbounded) => LpOutcome::Unbounded,
            Err(other) => LpOutcome::Failed(other.to_string()),
        }
    }
}

/// The objective over good_lp columns.
pub(crate) fn objective_of(lp: &LinearProgram, columns: &[good_lp::Variable]) -> Expression {
    let mut objective = Expression::with_capacity(lp.columns.len());
    for (column, &var) in lp.columns.iter().zip(columns) {
        if column.cost != 0.0 {
            objective.add_mul(column.cost, var);
        }
    }
    objective
}

/// One row as a good_lp constraint.
pub(crate) fn constraint_of(row: &Row, columns: &[good_lp::Variable]) -> good_lp::Constraint {
    let mut lhs = Expression::with_capacity(row.terms.len());
    for &(var, coef) in &row.terms {
        lhs.add_mul(coef, columns[var.0]);
    }
    match row.sense {
        Sense::Le => constraint::leq(lhs, row.rhs),
        Sense::Ge => constraint::geq(lhs, row.rhs),
        Sense::Eq => constraint::eq(lhs, row.rhs),
    }
}

/// Accepts a point only if it satisfies the rows and bounds.
pub(crate) fn checked(lp: &LinearProgram, bounds: &[(f64, f64)], values: Vec<f64>) -> LpOutcome {
    if values.iter().any(|v| !v.is_finite()) {
        return LpOutcome::Failed("the backend returned a non-finite value".into());
    }
    let violation = lp.max_violation(&values, bounds);
    if violation > MAX_RESIDUAL {
        return LpOutcome::Failed(format!(
            "the backend's answer violates the model by {violation:.2e}"
        ));
    }
    let objective = lp.objective_value(&values);
    LpOutcome::Optimal { values, objective }
}

/// A backend whose panics become failures: a backend crate that panics on
/// extreme values (microlp was seen to) ends one solve, never the program.
pub struct Guarded<'a>(pub &'a dyn LpBackend);

/// The text of a caught panic.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

impl LpBackend for Guarded<'_> {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn solve(&self, lp: &LinearProgram, bounds: &[(f64, f64)], seconds: Option<f64>) -> LpOutcome {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.0.solve(lp, bounds, seconds)
        }))
        .unwrap_or_else(|payload| {
            LpOutcome::Failed(format!(
                "the {} backend failed inside ({})",
                self.0.name(),
                panic_text(payload.as_ref())
            ))
        })
    }

    fn solve_integer(&self, lp: &LinearProgram, start: &[f64], budget: MipBudget) -> MipOutcome {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.0.solve_integer(lp, start, budget)
        }))
        .unwrap_or(MipOutcome::Nothing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Panics;

    impl LpBackend for Panics {
        fn name(&self) -> &'static str {
            "panics"
        }
        fn solve(&self, _: &LinearProgram, _: &[(f64, f64)], _: Option<f64>) -> LpOutcome {
            panic!("index out of bounds")
        }
        fn solve_integer(&self, _: &LinearProgram, _: &[f64], _: MipBudget) -> MipOutcome {
            panic!("overflow")
        }
    }

    #[test]
    fn a_backend_panic_becomes_a_failure() {
        let lp = LinearProgram::default();
        let guarded = Guarded(&Panics);
        match guarded.solve(&lp, &[], None) {
            LpOutcome::Failed(why) => assert!(why.contains("index out of bounds"), "{why}"),
            other => panic!("{other:?}"),
        }
        let budget = MipBudget {
            nodes: 1,
            seconds: 1.0,
            mip_gap: 0.0,
        };
        assert_eq!(guarded.solve_integer(&lp, &[], budget), MipOutcome::Nothing);
    }
}
