//! The planning model of SPEC.md section 4.
//!
//! [`PlanInput`] derives every quantity the model needs from the scenario;
//! [`build`] lets each constraint family add its variables, rows and cost
//! terms to one shared [`ModelBuilder`] (in the manner of GenX and Calliope),
//! then writes the discounted cost ledger as the objective. The result is a
//! solver-neutral [`LinearProgram`] with the index needed to read a solution.

pub mod budget;
pub mod builder;
pub mod compute;
pub mod costs;
pub mod export_control;
pub mod expressions;
pub mod hedging;
pub mod ingest;
pub mod input;
pub mod lp;
pub mod lp_format;
pub mod placement;
pub mod power;
pub mod storage;

pub use builder::{Grid, ModelIndex};
pub use costs::{CostCategory, CostLedger};
pub use expressions::ModelExpressions;
pub use input::PlanInput;
pub use lp::{LinExpr, LinearProgram, ModelSize, Sense, Var};

use crate::units::Scales;

/// A built model: the programme, how to read it, and its cost ledger.
#[derive(Debug, Clone)]
pub struct PlanModel {
    pub lp: LinearProgram,
    pub index: ModelIndex,
    pub ledger: CostLedger,
    pub scales: Scales,
}

/// Builds the whole model from the derived input.
pub fn build(input: &PlanInput) -> PlanModel {
    let mut m = builder::ModelBuilder::new(input);
    add_families(&mut m);
    m.ledger
        .write_objective(&mut m.lp, &input.discount, m.scales.money);
    PlanModel {
        lp: m.lp,
        index: m.index,
        ledger: m.ledger,
        scales: m.scales,
    }
}

/// Every constraint family adds its columns, rows and cost terms.
pub(crate) fn add_families(m: &mut builder::ModelBuilder) {
    ingest::add(m);
    placement::add(m);
    compute::add(m);
    storage::add(m);
    power::add(m);
    export_control::add(m);
    budget::add(m);
}
