//! The near-optimal ranges as tables and CSV: the optimum first, then one
//! row per metric with its least and most within the slack, what each end
//! costs, and whether the decision is firm or free.

use super::csv_tables::{to_csv, Units};
use super::format::{millions, number, percent, TextTable};
use crate::studies::alternatives::AlternativesReport;

pub fn tables(report: &AlternativesReport) -> Vec<TextTable> {
    let currency = &report.currency;
    let money = |x: Option<f64>| {
        x.map_or_else(
            || "-".to_string(),
            |v| format!("{currency} {}", number(v, 0)),
        )
    };
    let mut summary = TextTable::new(
        format!("fsdplan alternatives: {}", report.scenario),
        &["", ""],
        2,
    );
    summary.push(vec!["optimum".into(), report.optimum.status.clone()]);
    if !report.overrides.is_empty() {
        summary.push(vec!["overrides".into(), report.overrides.join(", ")]);
    }
    if let Some(message) = &report.optimum.message {
        summary.push(vec!["note".into(), message.clone()]);
    }
    summary.push(vec!["NPV".into(), money(report.optimum.objective)]);
    summary.push(vec![
        "slack".into(),
        format!(
            "{}: every alternative's NPV at most {}",
            percent(report.slack, 1),
            money(report.npv_cap)
        ),
    ]);
    if report.relaxed {
        summary.push(vec![
            "basis".into(),
            "LP relaxation: every number is an LP optimum (node counts continuous)".into(),
        ]);
    }
    let decimals = |unit: &str| match unit {
        "nodes" if !report.relaxed => 0,
        "nodes" | "MW" | "PB" | "PFLOP/s" => 1,
        _ => 0,
    };
    let npv_at = format!("NPV ({currency} M)");
    let mut ranges = TextTable::new(
        format!(
            "Near-optimal ranges: the least and the most of each, with the NPV within {} of the optimum",
            percent(report.slack, 1)
        ),
        &[
            "metric",
            "unit",
            "optimum",
            "least",
            "most",
            &format!("{npv_at} at least"),
            &format!("{npv_at} at most"),
            "reading",
        ],
        2,
    )
    .with_trailing_text(1);
    for row in &report.ranges {
        let d = decimals(&row.unit);
        let amount = |x: Option<f64>, status: &str| {
            x.map_or_else(
                || {
                    if status == "not asked" {
                        "-".to_string()
                    } else {
                        status.to_string()
                    }
                },
                |v| {
                    if row.unit == *currency {
                        format!("{} M", millions(v))
                    } else {
                        number(v, d)
                    }
                },
            )
        };
        let npv = |x: Option<f64>| x.map_or_else(|| "-".to_string(), millions);
        // A whole-node end short of what the LP proves possible says so.
        let with_bound = |cell: String, value: Option<f64>, bound: Option<f64>| match (value, bound)
        {
            (Some(v), Some(b)) if (v - b).abs() > 1e-6 * v.abs().max(1.0) => {
                format!("{cell} (LP {})", amount(Some(b), ""))
            }
            _ => cell,
        };
        ranges.push(vec![
            row.metric.clone(),
            row.unit.clone(),
            amount(row.optimum, ""),
            with_bound(amount(row.min, &row.status_min), row.min, row.bound_min),
            with_bound(amount(row.max, &row.status_max), row.max, row.bound_max),
            npv(row.npv_at_min),
            npv(row.npv_at_max),
            row.reading.clone(),
        ]);
    }
    let mut tables = vec![summary];
    if report.optimum.objective.is_some() {
        tables.push(ranges);
    }
    tables
}

/// The ranges as one CSV file (`alternatives.csv`).
pub fn csv(report: &AlternativesReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    let units = Units::money(&report.currency, &["npv_at_min", "npv_at_max"]);
    Ok(vec![("alternatives.csv", to_csv(&report.ranges, units)?)])
}
