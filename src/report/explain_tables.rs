//! What explains a plan, as tables and CSV.

use super::csv_tables::to_csv;
use super::format::TextTable;
use crate::analyses::explain::{money_text, ExplainReport};

/// The binding limits, largest value first, then the marginal costs.
pub fn tables(report: &ExplainReport) -> Vec<TextTable> {
    let currency = &report.currency;
    let money = money_text;
    let mut limits = TextTable::new(
        format!(
            "Binding limits, largest value first (basis: {}; each limit loosened 0.1% and the LP re-solved)",
            report.basis
        ),
        &[
            "limit",
            "unit",
            &format!("{currency} per unit"),
            &format!("1% more saves ({currency})"),
        ],
        2,
    );
    for l in &report.limits {
        limits.push(vec![
            l.text.clone(),
            l.unit.clone(),
            money(l.value_per_unit),
            money(l.value_of_one_percent),
        ]);
    }
    if report.limits.is_empty() {
        limits.push(vec![
            "no limit binds: cost alone shapes the plan".into(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    let mut costs = TextTable::new(
        "Marginal costs: training demand per class, compute and storage per site",
        &["", "unit", &format!("{currency} per unit")],
        2,
    );
    for c in &report.marginal_costs {
        costs.push(vec![
            c.text.clone(),
            c.unit.clone(),
            money(c.value_per_unit),
        ]);
    }
    vec![limits, costs]
}

/// Limits and marginal costs as two CSV files.
pub fn csv(report: &ExplainReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    Ok(vec![
        ("binding_limits.csv", to_csv(&report.limits)?),
        ("marginal_costs.csv", to_csv(&report.marginal_costs)?),
    ])
}
