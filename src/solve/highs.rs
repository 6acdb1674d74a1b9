//! The HiGHS backend (cargo feature `highs`, `--solver highs`): HiGHS's dual
//! simplex for every LP, and its own branch and cut where the search hands
//! over an integer problem. Every status is mapped as it is: optimal;
//! a plan at a limit (time or nodes) with no proven gap; infeasible;
//! unbounded; an error with HiGHS's words.

use good_lp::solvers::highs::HighsProblem;
use good_lp::solvers::{SolutionStatus, WithInitialSolution};
use good_lp::{variable, ProblemVariables, ResolutionError, Solution, SolverModel};

use super::backend::{
    checked, constraint_of, objective_of, LpBackend, LpOutcome, MipBudget, MipOutcome,
};
use crate::model::LinearProgram;

/// Nonzeros from which an LP goes to HiGHS's interior-point solver (with
/// crossover, so the search still gets a vertex) instead of its dual
/// simplex. Measured with HiGHS 1.16 on 2 cores: on the generated large
/// scenario's relaxation (503,880 nonzeros) IPM took 4.0-4.3 s whatever
/// the column order, the dual simplex 4.0-6.2 s depending on it; on the
/// medium one (33,274) IPM took 0.11 s and the simplex 0.05 s.
pub const IPM_MIN_NONZEROS: usize = 200_000;

/// HiGHS through good_lp.
#[derive(Debug, Clone, Copy, Default)]
pub struct Highs {
    /// Threads HiGHS may use (`None`: its default).
    pub threads: Option<u32>,
}

impl Highs {
    /// The programme with the given bounds as a HiGHS problem.
    fn problem(
        &self,
        lp: &LinearProgram,
        bounds: &[(f64, f64)],
        integer: bool,
    ) -> (HighsProblem, Vec<good_lp::Variable>) {
        let mut vars = ProblemVariables::new();
        let columns: Vec<good_lp::Variable> = lp
            .columns
            .iter()
            .zip(bounds)
            .map(|(c, &(lo, hi))| {
                let mut def = variable().min(lo);
                if hi.is_finite() {
                    def = def.max(hi);
                }
                if integer && c.integer {
                    def = def.integer();
                }
                vars.add(def)
            })
            .collect();
        let mut problem = vars
            .minimise(objective_of(lp, &columns))
            .using(good_lp::highs);
        if let Some(threads) = self.threads {
            problem = problem.set_threads(threads);
        }
        // Deterministic runs: one seed, whatever the machine.
        problem = problem.set_option("random_seed", 0);
        for row in &lp.rows {
            problem.add_constraint(constraint_of(row, &columns));
        }
        (problem, columns)
    }
}

impl LpBackend for Highs {
    fn name(&self) -> &'static str {
        "highs"
    }

    fn solve(&self, lp: &LinearProgram, bounds: &[(f64, f64)], seconds: Option<f64>) -> LpOutcome {
        if bounds.iter().any(|&(lo, hi)| lo > hi) {
            return LpOutcome::Infeasible;
        }
        let (mut problem, columns) = self.problem(lp, bounds, false);
        if lp.size().nonzeros >= IPM_MIN_NONZEROS {
            problem = problem.set_option("solver", "ipm");
        }
        if let Some(seconds) = seconds.filter(|s| s.is_finite() && *s < 1e9) {
            problem = problem.set_time_limit(seconds.max(0.01));
        }
        match problem.solve() {
            Ok(solution) if matches!(solution.status(), SolutionStatus::Optimal) => {
                let values = columns.iter().map(|&v| solution.value(v)).collect();
                checked(lp, bounds, values)
            }
            Ok(_) => LpOutcome::Failed("HiGHS stopped at a limit before the LP optimum".into()),
            Err(ResolutionError::Infeasible) => LpOutcome::Infeasible,
            Err(ResolutionError::Unbounded) => LpOutcome::Unbounded,
            Err(other) => LpOutcome::Failed(format!("HiGHS: {other}")),
        }
    }

    fn solve_integer(&self, lp: &LinearProgram, start: &[f64], budget: MipBudget) -> MipOutcome {
        let (problem, columns) = self.problem(lp, &lp.bounds(), true);
        let mut problem = problem
            .set_time_limit(budget.seconds.clamp(0.01, 1e6))
            .with_initial_solution(columns.iter().copied().zip(start.iter().copied()));
        problem = problem.set_option(
            "mip_max_nodes",
            i32::try_from(budget.nodes).unwrap_or(i32::MAX),
        );
        let Ok(problem) = problem.set_mip_rel_gap(budget.mip_gap as f32) else {
            return MipOutcome::Nothing;
        };
        match problem.solve() {
            Ok(solution) => {
                // HiGHS reports a stop at the relative gap as GapLimit, and
                // Optimal when it closed the gap below it.
                let proven = matches!(
                    solution.status(),
                    SolutionStatus::Optimal | SolutionStatus::GapLimit
                );
                let values = columns.iter().map(|&v| solution.value(v)).collect();
                let LpOutcome::Optimal { values, objective } = checked(lp, &lp.bounds(), values)
                else {
                    return MipOutcome::Nothing;
                };
                // HiGHS stops at the relative gap asked for: the bound is at
                // most that far below (it does not report its own here).
                let bound = proven.then(|| objective - budget.mip_gap * objective.abs());
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
}
