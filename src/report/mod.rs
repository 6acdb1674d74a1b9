//! Reports: the renderers of plans, studies and analyses (tables, Markdown,
//! CSV, JSON, HTML). The top layer of the library: nothing below imports it.

pub mod alternatives_tables;
pub mod audit_tables;
pub mod check_tables;
pub mod compare_tables;
pub mod csv_tables;
pub mod diff_tables;
pub mod explain_tables;
pub mod format;
pub mod hedge_tables;
pub mod hedged_tables;
pub mod html;
pub mod plan_tables;
pub mod sweep_tables;
pub mod verbose;
pub mod workbook;

pub use crate::analyses::PlanReport;
pub use format::{TableStyle, TextTable};
pub use plan_tables::RunFacts;
