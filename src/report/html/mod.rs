//! Self-contained HTML reports: one file, no network, no scripts, charts
//! as inline SVG (plotters), readable when printed and in the browser's
//! dark mode.

pub mod charts;
mod page;
mod plan_page;
mod study_pages;

pub use plan_page::plan_page;
pub use study_pages::{compare_page, sweep_page};
