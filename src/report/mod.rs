//! Reports: the result rows and their renderers (tables, Markdown, CSV, JSON).

pub mod audit_tables;
pub mod check_tables;
pub mod compare_tables;
pub mod csv_tables;
pub mod diff_tables;
pub mod explain_tables;
pub mod format;
pub mod html;
pub mod limits;
pub mod plan_tables;
pub mod rows;
pub mod sweep_tables;
pub mod verbose;

pub use format::{TableStyle, TextTable};
pub use plan_tables::RunFacts;
pub use rows::PlanReport;
