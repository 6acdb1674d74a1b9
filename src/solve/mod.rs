//! Solving: LP backends and the integer search over them.

pub mod backend;
#[cfg(feature = "highs")]
pub mod highs;
pub mod parts;
pub mod reduce;
pub mod repair;
pub mod search;

pub use backend::{Guarded, LpBackend, LpOutcome, MicroLp, MipBudget, MipOutcome};
#[cfg(feature = "highs")]
pub use highs::Highs;
pub use search::{
    relative_gap, Clock, InCurrency, Limits, NoClock, SearchOutcome, SearchStatus, StopReason,
    Unobserved,
};
