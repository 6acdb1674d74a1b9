//! The live progress line on standard error of the commands that plan
//! (`plan`, `compare`, `sweep`, `hedge`, `alternatives`, and those that
//! plan on the way: `report`, `explain`, `diff`): the command's stage, the
//! time elapsed and, from the integer search, its latest step with the
//! best NPV so far, the bound and the gap. Drawn only when standard error
//! is a terminal and `--quiet` is not given, and cleared when the work is
//! done, so standard output and anything redirected are never touched.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use fsdplan::numbers::millions;
use fsdplan::solve::search::{relative_gap, SearchStep};

/// `--quiet`: no line at all.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Sets `--quiet` (once, before any work).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// The line being drawn, if any, and the currency its money is in.
static ACTIVE: Mutex<Option<(ProgressBar, String)>> = Mutex::new(None);

/// A progress line, cleared when dropped.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A line for work of unknown length (one plan): a spinner, `what`,
    /// the time elapsed and the search's latest step.
    pub fn spinner(what: &str, currency: &str) -> Progress {
        let bar = if shown() {
            ProgressBar::new_spinner()
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} {elapsed} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(what.to_string());
        if !bar.is_hidden() {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        Progress::activate(bar, currency)
    }

    /// A bar of `steps` `what` (sweep's points, hedge's and alternatives'
    /// plans), with the time elapsed and the latest step of any of its
    /// searches (cut to the terminal's width).
    pub fn bar(steps: usize, what: &str, currency: &str) -> Progress {
        let bar = if shown() && steps > 1 {
            ProgressBar::new(steps as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{bar:12}} {{pos}}/{{len}} {what} {{elapsed}} {{wide_msg}}"
            ))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Progress::activate(bar, currency)
    }

    fn activate(bar: ProgressBar, currency: &str) -> Progress {
        if let Ok(mut active) = ACTIVE.lock() {
            *active = (!bar.is_hidden()).then(|| (bar.clone(), currency.to_string()));
        }
        Progress { bar }
    }

    /// One step of the work done (a plan of a compare, a point of a sweep).
    pub fn inc(&self) {
        self.bar.inc(1);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
        if let Ok(mut active) = ACTIVE.lock() {
            *active = None;
        }
    }
}

/// Whether a line is drawn at all.
fn shown() -> bool {
    !QUIET.load(Ordering::Relaxed) && std::io::stderr().is_terminal()
}

/// Shows a step of an integer search on the line being drawn, if any.
pub fn searched(step: &SearchStep) {
    let Ok(active) = ACTIVE.lock() else {
        return;
    };
    if let Some((bar, currency)) = active.as_ref() {
        bar.set_message(step_text(step, currency));
    }
}

/// `rounding: NPV CNY 2,638.2 M, bound 2,635.5 M, gap 0.10%`.
pub fn step_text(step: &SearchStep, currency: &str) -> String {
    let mut text = step.stage.to_string();
    if step.objective.is_finite() {
        let unit = if currency.is_empty() {
            String::new()
        } else {
            format!("{currency} ")
        };
        text += &format!(": NPV {unit}{} M", millions(step.objective));
    }
    if step.bound.is_finite() {
        text += &format!(
            "{} bound {} M",
            if step.objective.is_finite() { "," } else { ":" },
            millions(step.bound)
        );
    }
    if step.objective.is_finite() && step.bound.is_finite() {
        text += &format!(
            ", gap {:.2}%",
            100.0 * relative_gap(step.objective, step.bound)
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(objective: f64, bound: f64) -> SearchStep {
        SearchStep {
            stage: "rounding",
            seconds: 0.5,
            objective,
            bound,
            lp_solves: 3,
        }
    }

    // That `--quiet` and a non-terminal draw nothing is tested on the
    // binary, under a pseudo-terminal and without one (tests/terminal.rs).

    #[test]
    fn a_step_reads_as_stage_npv_bound_and_gap() {
        assert_eq!(
            step_text(&step(2_638_161_247.0, 2_635_528_075.0), "CNY"),
            "rounding: NPV CNY 2,638.2 M, bound 2,635.5 M, gap 0.10%"
        );
        assert_eq!(
            step_text(&step(f64::INFINITY, 2_635_528_075.0), "CNY"),
            "rounding: bound 2,635.5 M"
        );
    }
}
