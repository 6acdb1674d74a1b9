//! fsdplan: capacity planning for the data centres that train self-driving
//! models on a car fleet's own data.
//!
//! The layers, each importing only from those above it in this list:
//!
//! 1. [`units`], [`time`], [`numbers`], [`scenario`] (loading and
//!    validation), [`model`] (one constraint family per module) and
//!    [`solve`] (backends and the integer search);
//! 2. [`plan`]: a planning run (the model, its heuristics and the search)
//!    and its result rows;
//! 3. [`analyses`]: the audit, the infeasibility explanation, the binding
//!    limits and `explain`; a [`analyses::PlanReport`] is a result that
//!    passed the audit, with the analyses attached;
//! 4. [`studies`]: compare, sweep and diff, made of plans and analyses;
//! 5. [`report`]: tables, CSV, Markdown and HTML renderers;
//!
//! and the `fsdplan` binary on top. [`generate`] writes scenarios (beside
//! [`scenario`]) and [`exit`] names the exit codes. `tests/layers.rs` checks
//! that every `crate::` path in the source points down this list.
pub mod analyses;
pub mod exit;
pub mod generate;
pub mod model;
pub mod numbers;
pub mod plan;
pub mod report;
pub mod scenario;
pub mod solve;
pub mod studies;
pub mod time;
pub mod units;
