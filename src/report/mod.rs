//! Reports: the result rows and their renderers (tables, Markdown, CSV, JSON).

pub mod check_tables;
pub mod csv_tables;
pub mod format;
pub mod plan_tables;
pub mod rows;

pub use format::{TableStyle, TextTable};
pub use plan_tables::RunFacts;
pub use rows::PlanReport;
