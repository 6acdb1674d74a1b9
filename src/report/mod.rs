//! Reports: the result rows and their renderers (tables, Markdown, CSV, JSON).

pub mod rows;

pub use rows::PlanReport;
