//! Solving: LP backends and the integer search over them.

pub mod backend;
pub mod search;

pub use backend::{LpBackend, LpOutcome, MicroLp, MipBudget, MipOutcome};
pub use search::{relative_gap, Clock, Limits, NoClock, SearchOutcome, SearchStatus};
