//! LP backends: translate the solver-neutral programme for a good_lp solver,
//! solve it as a linear programme (integrality is handled by our own search),
//! and check the answer before believing it.

use good_lp::solvers::{SolutionStatus, WithInitialSolution, WithMipGap};
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
    fn solve_integer(
        &self,
        _lp: &LinearProgram,
        _start: &[f64],
        _seconds: f64,
        _mip_gap: f64,
    ) -> MipOutcome {
        MipOutcome::Nothing
    }
}

/// The pure-Rust microlp backend: no system packages, builds with cargo alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct MicroLp;

/// microlp's own branch and bound is fast on small models (it re-solves
/// nodes with a warm dual simplex) but runs out of memory on large ones
/// (shared/notes/solvers.md: 609 MB at 603 integers), so it is only used up
/// to this many integer columns.
pub const MICROLP_MAX_INTEGERS: usize = 200;

impl LpBackend for MicroLp {
    fn name(&self) -> &'static str {
        "microlp"
    }

    fn solve_integer(
        &self,
        lp: &LinearProgram,
        start: &[f64],
        seconds: f64,
        mip_gap: f64,
    ) -> MipOutcome {
        if lp.integer_columns().count() > MICROLP_MAX_INTEGERS
            || lp.rows.iter().any(|r| r.terms.is_empty())
        {
            return MipOutcome::Nothing;
        }
        let mut vars = ProblemVariables::new();
        let columns: Vec<good_lp::Variable> = lp
            .columns
            .iter()
            .map(|c| {
                let mut def = variable().min(c.lower);
                if c.upper.is_finite() {
                    def = def.max(c.upper);
                }
                if c.integer {
                    def = def.integer();
                }
                vars.add(def)
            })
            .collect();
        let objective = objective_of(lp, &columns);
        let problem = vars
            .minimise(objective)
            .using(good_lp::microlp)
            .with_time_limit(seconds.clamp(0.01, 1e6))
            .with_initial_solution(columns.iter().zip(start).map(|(&v, &x)| (v, x)));
        let Ok(mut problem) = problem.with_mip_gap(mip_gap as f32) else {
            return MipOutcome::Nothing;
        };
        for row in &lp.rows {
            problem.add_constraint(constraint_of(row, &columns));
        }
        match problem.solve() {
            Ok(solution) => {
                let values: Vec<f64> = columns.iter().map(|&v| solution.value(v)).collect();
                let LpOutcome::Optimal { values, objective } = checked(lp, &lp.bounds(), values)
                else {
                    return MipOutcome::Nothing;
                };
                // Only a completed proof gives a bound; a gap stop gives a
                // bound at the gap, measured conservatively.
                let bound = match solution.status() {
                    SolutionStatus::Optimal => Some(objective),
                    SolutionStatus::GapLimit => Some(objective - mip_gap * objective.abs()),
                    _ => None,
                };
                MipOutcome::Plan {
                    values,
                    objective,
                    bound,
                }
            }
            Err(ResolutionError::Infeasible) => MipOutcome::Infeasible,
            Err(_) => MipOutcome::Nothing,
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
fn objective_of(lp: &LinearProgram, columns: &[good_lp::Variable]) -> Expression {
    let mut objective = Expression::with_capacity(lp.columns.len());
    for (column, &var) in lp.columns.iter().zip(columns) {
        if column.cost != 0.0 {
            objective.add_mul(column.cost, var);
        }
    }
    objective
}

/// One row as a good_lp constraint.
fn constraint_of(row: &Row, columns: &[good_lp::Variable]) -> good_lp::Constraint {
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
fn checked(lp: &LinearProgram, bounds: &[(f64, f64)], values: Vec<f64>) -> LpOutcome {
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
