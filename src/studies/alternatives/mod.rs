//! Near-optimal alternatives (modelling to generate alternatives, as PyPSA's
//! `optimize_mga`, GenX and Calliope SPORES do it): with the NPV held
//! within a slack of the optimum, how far each decision of the planner's
//! can move. A narrow range is a firm decision, a wide one a free choice.
//!
//! Built so far: [`metric`], the decisions in the planner's words, each as
//! a linear expression over the model's columns and as a value read back
//! from a plan's result rows (so an alternative's metric is checked on what
//! the audit accepted, not on the solver's numbers).

pub mod metric;
