//! LP backends: translate the solver-neutral programme for a good_lp solver,
//! solve it as a linear programme (integrality is handled by our own search),
//! and check the answer before believing it.

use good_lp::{constraint, variable, Expression, ProblemVariables, ResolutionError, Solution, SolverModel, WithTimeLimit};

use crate::model::{LinearProgram, Sense};

/// Residual above which a backend's "optimal" answer is rejected.
pub const MAX_RESIDUAL: f64 = 1e-6;

/// What an LP solve found.
#[derive(Debug, Clone, PartialEq)]
pub enum LpOutcome {
    /// An optimal point and its objective value (model units).
    Optimal { values: Vec<f64>, objective: f64 },
    Infeasible,
    Unbounded,
    /// The backend failed, ran out of time, or returned a point that
    /// violates the programme.
    Failed(String),
}

/// A linear-programming backend.
pub trait LpBackend: Sync {
    /// The backend's name, as `--solver` spells it.
    fn name(&self) -> &'static str;

    /// Solves the programme as an LP with the given column bounds (which
    /// replace the programme's own), within `seconds` when given.
    fn solve(&self, lp: &LinearProgram, bounds: &[(f64, f64)], seconds: Option<f64>) -> LpOutcome;
}

/// The pure-Rust microlp backend: no system packages, builds with cargo alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct MicroLp;

impl LpBackend for MicroLp {
    fn name(&self) -> &'static str {
        "microlp"
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
        let mut objective = Expression::with_capacity(lp.columns.len());
        for (column, &var) in lp.columns.iter().zip(&columns) {
            if column.cost != 0.0 {
                objective.add_mul(column.cost, var);
            }
        }
        let mut problem = vars.minimise(objective).using(good_lp::microlp);
        if let Some(seconds) = seconds.filter(|s| s.is_finite() && *s < 1e9) {
            problem = problem.with_time_limit(seconds.max(0.01));
        }
        for row in lp.rows.iter().filter(|r| !r.terms.is_empty()) {
            let mut lhs = Expression::with_capacity(row.terms.len());
            for &(var, coef) in &row.terms {
                lhs.add_mul(coef, columns[var.0]);
            }
            let c = match row.sense {
                Sense::Le => constraint::leq(lhs, row.rhs),
                Sense::Ge => constraint::geq(lhs, row.rhs),
                Sense::Eq => constraint::eq(lhs, row.rhs),
            };
            problem.add_constraint(c);
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

/// Accepts a point only if it satisfies the rows and bounds.
fn checked(lp: &LinearProgram, bounds: &[(f64, f64)], values: Vec<f64>) -> LpOutcome {
    if values.iter().any(|v| !v.is_finite()) {
        return LpOutcome::Failed("the backend returned a non-finite value".into());
    }
    let violation = lp.max_violation(&values, bounds);
    if violation > MAX_RESIDUAL {
        return LpOutcome::Failed(format!("the backend's answer violates the model by {violation:.2e}"));
    }
    let objective = lp.objective_value(&values);
    LpOutcome::Optimal { values, objective }
}
