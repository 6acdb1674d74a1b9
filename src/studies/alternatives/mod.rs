//! Near-optimal alternatives (modelling to generate alternatives, as PyPSA's
//! `optimize_mga`, GenX and Calliope SPORES do it): with the NPV held
//! within a slack of the optimum, how far each decision of the planner's
//! can move. A narrow range is a firm decision, a wide one a free choice.
//!
//! Built so far (issue 14 is not finished; there is no command yet):
//!
//! * [`metric`]: the decisions in the planner's words, each as a linear
//!   expression over the model's columns and as a value read back from a
//!   plan's result rows (so an alternative's metric is checked on what the
//!   audit accepted, not on the solver's numbers);
//! * [`ranges`]: one end of a metric's near-optimal range, an integer plan
//!   (or an LP) searched with the metric as its objective and the NPV as a
//!   row within the slack, audited like any plan.
//!
//! To come: the ranges table and `--distinct N` (hop-skip-jump), the
//! `alternatives` command with its formats, HTML page, progress and
//! `--jobs`, hedged scenarios, and the docs.

pub mod metric;
pub mod ranges;
