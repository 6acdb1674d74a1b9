//! `--verbose` on every command that solves: the chosen backend wrapped so
//! that each LP solve and each run of its own branch and bound is counted
//! and timed, whichever plans the command makes (one, or a compare's, a
//! sweep's or a hedge's many). Printed on standard error at the end, so
//! standard output stays byte for byte the same.

use std::sync::Mutex;
use std::time::Instant;

use fsdplan::model::LinearProgram;
use fsdplan::report::format::number;
use fsdplan::report::TextTable;
use fsdplan::solve::{LpBackend, LpOutcome, MipBudget, MipOutcome};

/// What the backend was asked to do, and how long it took.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Work {
    pub lp_solves: u64,
    pub optimal: u64,
    pub infeasible: u64,
    pub unbounded: u64,
    pub failed: u64,
    pub lp_seconds: f64,
    pub slowest_lp_seconds: f64,
    /// Rows and columns of the largest programme solved.
    pub largest: (usize, usize),
    pub mip_runs: u64,
    pub mip_seconds: f64,
}

/// A backend that records its work.
pub struct Recording {
    pub inner: Box<dyn LpBackend + Send>,
    pub work: Mutex<Work>,
}

impl Recording {
    pub fn new(inner: Box<dyn LpBackend + Send>) -> Recording {
        Recording {
            inner,
            work: Mutex::new(Work::default()),
        }
    }

    /// The work so far.
    pub fn work(&self) -> Work {
        self.work.lock().map(|w| w.clone()).unwrap_or_default()
    }

    fn record(&self, note: impl FnOnce(&mut Work)) {
        if let Ok(mut work) = self.work.lock() {
            note(&mut work);
        }
    }
}

impl LpBackend for Recording {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn solve(&self, lp: &LinearProgram, bounds: &[(f64, f64)], seconds: Option<f64>) -> LpOutcome {
        let started = Instant::now();
        let outcome = self.inner.solve(lp, bounds, seconds);
        let took = started.elapsed().as_secs_f64();
        self.record(|work| {
            work.lp_solves += 1;
            match &outcome {
                LpOutcome::Optimal { .. } => work.optimal += 1,
                LpOutcome::Infeasible => work.infeasible += 1,
                LpOutcome::Unbounded => work.unbounded += 1,
                LpOutcome::Failed(_) => work.failed += 1,
            }
            work.lp_seconds += took;
            work.slowest_lp_seconds = work.slowest_lp_seconds.max(took);
            let size = (lp.rows.len(), lp.columns.len());
            if size.0 * size.1 > work.largest.0 * work.largest.1 {
                work.largest = size;
            }
        });
        outcome
    }

    fn solve_integer(&self, lp: &LinearProgram, start: &[f64], budget: MipBudget) -> MipOutcome {
        let started = Instant::now();
        let outcome = self.inner.solve_integer(lp, start, budget);
        let took = started.elapsed().as_secs_f64();
        let found = !matches!(outcome, MipOutcome::Nothing);
        self.record(|work| {
            work.mip_runs += u64::from(found);
            work.mip_seconds += took;
        });
        outcome
    }
}

/// The work as a table: `wall_seconds` is the command's time so far.
pub fn table(backend: &str, work: &Work, wall_seconds: f64) -> TextTable {
    let mut t = TextTable::new("solver work (all plans of this command)", &["", ""], 2);
    let count = |n: u64| number(n as f64, 0);
    t.push(vec!["backend".into(), backend.to_string()]);
    t.push(vec![
        "LP solves".into(),
        format!(
            "{} ({} optimal, {} infeasible, {} unbounded, {} failed)",
            count(work.lp_solves),
            count(work.optimal),
            count(work.infeasible),
            count(work.unbounded),
            count(work.failed)
        ),
    ]);
    t.push(vec![
        "seconds in LP solves".into(),
        format!(
            "{:.3} s (summed over threads; slowest {:.3} s)",
            work.lp_seconds, work.slowest_lp_seconds
        ),
    ]);
    t.push(vec![
        "largest LP".into(),
        format!(
            "{} rows, {} columns",
            number(work.largest.0 as f64, 0),
            number(work.largest.1 as f64, 0)
        ),
    ]);
    t.push(vec![
        "backend branch and bound".into(),
        format!(
            "{} runs with a result, {:.3} s",
            count(work.mip_runs),
            work.mip_seconds
        ),
    ]);
    t.push(vec!["wall time".into(), format!("{wall_seconds:.3} s")]);
    t
}
