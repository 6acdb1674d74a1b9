//! Exit codes of the `fsdplan` binary.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success (a plan was found: optimal, or feasible at a limit) |
//! | 2 | bad command line (unknown flag, bad flag value) |
//! | 3 | bad input: the scenario cannot be read, parsed or validated |
//! | 4 | no plan exists: the scenario is infeasible (or unbounded) |
//! | 5 | solver failure: the backend failed, or a limit stopped the search before any integer plan was found |
//! | 6 | output failure: a result file could not be written |
//! | 7 | `audit` found the plan breaks a rule of the scenario |
//! | 130 | interrupted by Ctrl-C: after the first, the best plan so far (or a sweep's finished points) was printed; after the second, the run ended at once |

pub const SUCCESS: i32 = 0;
pub const USAGE: i32 = 2;
pub const BAD_INPUT: i32 = 3;
pub const INFEASIBLE: i32 = 4;
pub const SOLVER_FAILURE: i32 = 5;
pub const OUTPUT_FAILURE: i32 = 6;
pub const AUDIT_FAILED: i32 = 7;
/// 128 + SIGINT, as shells report a run ended by Ctrl-C.
pub const INTERRUPTED: i32 = 130;

/// The exit code for a plan's status.
pub fn for_status(status: &str) -> i32 {
    match status {
        "optimal" | "feasible" => SUCCESS,
        "infeasible" | "unbounded" => INFEASIBLE,
        _ => SOLVER_FAILURE,
    }
}
