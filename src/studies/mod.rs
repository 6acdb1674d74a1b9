//! What-if studies: each is made of several plans and their analyses.
//!
//! * [`compare`]: one plan per GPU option, side by side, with the limit that
//!   binds each;
//! * [`sweep`]: one plan per point of a grid of overrides;
//! * [`diff`]: what changed between two plans.

pub mod alternatives;
pub mod compare;
pub mod diff;
pub mod hedging;
pub mod sweep;
