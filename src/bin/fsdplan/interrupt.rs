//! Ctrl-C: the first stops the search and keeps its best plan; the second
//! exits at once.
//!
//! The first SIGINT only sets a flag. The search reads it through its
//! [`Clock`](fsdplan::solve::Clock) at the end of each LP solve, ends as at
//! a time limit, and the command prints its best plan so far (audited, as
//! `feasible` with its gap and `stopped_by: "interrupt"`), then exits with
//! [`exit::INTERRUPTED`]. A sweep prints the points it finished. A second
//! SIGINT exits at once with the same code, writing nothing more (files are
//! written atomically, so none is left half-written).

use std::sync::atomic::{AtomicUsize, Ordering};

use fsdplan::exit;

static INTERRUPTS: AtomicUsize = AtomicUsize::new(0);

/// Installs the handler (for the commands that solve).
pub fn install() {
    let installed = ctrlc::set_handler(|| {
        if INTERRUPTS.fetch_add(1, Ordering::SeqCst) == 0 {
            eprintln!(
                "\ninterrupted: finishing with the best plan so far (Ctrl-C again to exit at once)"
            );
        } else {
            eprintln!("\ninterrupted again: exiting");
            std::process::exit(exit::INTERRUPTED);
        }
    });
    if let Err(error) = installed {
        eprintln!("warning: Ctrl-C will end the run without its plan: {error}");
    }
}

/// Whether the user has pressed Ctrl-C.
pub fn requested() -> bool {
    INTERRUPTS.load(Ordering::SeqCst) > 0
}
