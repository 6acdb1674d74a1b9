//! What explains a plan, as tables and CSV; a hedged plan's with a
//! `future` column first.

use super::csv_tables::{to_csv, Units};
use super::format::TextTable;
use super::hedged_tables::in_future_csv;
use crate::analyses::explain::{
    money_text, BindingLimit, ExplainReport, HedgedExplainReport, MarginalCost,
};

/// The binding limits, largest value first, then the marginal costs.
pub fn tables(report: &ExplainReport) -> Vec<TextTable> {
    let limits: Vec<_> = report.limits.iter().map(|l| (None, l)).collect();
    let costs: Vec<_> = report.marginal_costs.iter().map(|c| (None, c)).collect();
    build(&report.currency, &report.basis, false, &limits, &costs)
}

/// A hedged plan's binding limits and marginal costs, future by future.
pub fn hedged_tables(report: &HedgedExplainReport) -> Vec<TextTable> {
    let limits: Vec<_> = report
        .limits
        .iter()
        .map(|l| (Some(l.future.as_str()), &l.row))
        .collect();
    let costs: Vec<_> = report
        .marginal_costs
        .iter()
        .map(|c| (Some(c.future.as_str()), &c.row))
        .collect();
    build(&report.currency, &report.basis, true, &limits, &costs)
}

fn build(
    currency: &str,
    basis: &str,
    hedged: bool,
    limits: &[(Option<&str>, &BindingLimit)],
    costs: &[(Option<&str>, &MarginalCost)],
) -> Vec<TextTable> {
    let money = money_text;
    let first: &[&str] = if hedged { &["future"] } else { &[] };
    let with_first = |rest: &[&str]| -> Vec<String> {
        first.iter().chain(rest).map(|h| h.to_string()).collect()
    };
    let per_unit = format!("{currency} per unit");
    let one_percent = format!("1% more saves ({currency})");
    let headers = with_first(&["limit", "unit", &per_unit, &one_percent]);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut limit_table = TextTable::new(
        if hedged {
            format!("Binding limits in each future, largest value first (basis: {basis}; each limit loosened 0.1% and the LP re-solved; values are that future's NPV)")
        } else {
            format!("Binding limits, largest value first (basis: {basis}; each limit loosened 0.1% and the LP re-solved)")
        },
        &headers,
        first.len() + 2,
    );
    let lead = |future: Option<&str>| future.map(str::to_string).into_iter();
    for (future, l) in limits {
        limit_table.push(
            lead(*future)
                .chain([
                    l.text.clone(),
                    l.unit.clone(),
                    money(l.value_per_unit),
                    money(l.value_of_one_percent),
                ])
                .collect(),
        );
    }
    if limits.is_empty() {
        let mut row = vec![String::new(); first.len()];
        row.push("no limit binds: cost alone shapes the plan".into());
        row.extend([String::new(), String::new(), String::new()]);
        limit_table.push(row);
    }
    let headers = with_first(&["", "unit", &per_unit]);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut cost_table = TextTable::new(
        if hedged {
            "Marginal costs in each future: training demand per class, compute and storage per site"
        } else {
            "Marginal costs: training demand per class, compute and storage per site"
        },
        &headers,
        first.len() + 2,
    );
    for (future, c) in costs {
        cost_table.push(
            lead(*future)
                .chain([c.text.clone(), c.unit.clone(), money(c.value_per_unit)])
                .collect(),
        );
    }
    vec![limit_table, cost_table]
}

/// Limits and marginal costs as two CSV files.
pub fn csv(report: &ExplainReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    Ok(vec![
        (
            "binding_limits.csv",
            to_csv(&report.limits, limit_units(&report.currency))?,
        ),
        (
            "marginal_costs.csv",
            to_csv(&report.marginal_costs, marginal_units(&report.currency))?,
        ),
    ])
}

/// A hedged plan's limits and marginal costs, each row led by its future.
pub fn hedged_csv(report: &HedgedExplainReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    Ok(vec![
        (
            "binding_limits.csv",
            in_future_csv(&report.limits, limit_units(&report.currency))?,
        ),
        (
            "marginal_costs.csv",
            in_future_csv(&report.marginal_costs, marginal_units(&report.currency))?,
        ),
    ])
}

/// A binding limit's CSV: its value is money per unit of the limit.
fn limit_units(currency: &str) -> Units<'_> {
    Units {
        currency,
        money: &["value_per_unit", "value_of_one_percent"],
    }
}

/// A marginal cost's CSV: money per unit (the `unit` column names it).
fn marginal_units(currency: &str) -> Units<'_> {
    Units {
        currency,
        money: &["value_per_unit"],
    }
}
