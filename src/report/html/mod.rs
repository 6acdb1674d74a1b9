//! Self-contained HTML reports: one file, no network, no scripts, charts
//! as inline SVG (plotters), readable when printed and in the browser's
//! dark mode.

pub mod charts;
mod hedged_page;
mod page;
mod plan_page;
mod study_pages;

pub use hedged_page::hedged_plan_page;
pub use plan_page::plan_page;
pub use study_pages::{alternatives_page, compare_page, hedge_page, sweep_page};
