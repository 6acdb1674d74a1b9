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
        // A whole-node end short of what the LP proves possible says so,
        // where the two differ as shown.
        let with_bound = |cell: String, value: Option<f64>, bound: Option<f64>| match (value, bound)
        {
            (Some(_), Some(b)) if amount(Some(b), "") != cell => {
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
    if !report.alternatives.is_empty() {
        tables.push(distinct_table(report));
    }
    tables
}

/// How many of an alternative's changed decisions its row lists.
const CHANGES_SHOWN: usize = 4;

/// The maximally different alternatives: what each costs, what it had to
/// avoid, and the decisions that changed from the optimum.
fn distinct_table(report: &AlternativesReport) -> TextTable {
    let mut table = TextTable::new(
        "Maximally different alternatives: each buys as little as it can on the GPU and site pairs the plans before it bought",
        &[
            "alternative",
            &format!("NPV ({} M)", report.currency),
            "vs optimum",
            "PFLOP/s on avoided pairs",
            "avoided (bought before)",
            "nodes changed from the optimum, over the horizon",
        ],
        1,
    )
    .with_trailing_text(2)
    .with_wrapped(4, 32)
    .with_wrapped(5, 64);
    for row in &report.alternatives {
        // The largest node changes over the horizon; the JSON has every
        // decision, period by period.
        let shown = &row.nodes_changed;
        let changes = match shown.len() {
            0 if row.objective.is_none() => row.why.clone().unwrap_or_else(|| row.status.clone()),
            0 if row.changes.is_empty() => "none".to_string(),
            0 => format!("no nodes; {} smaller decisions", row.changes.len()),
            n if n <= CHANGES_SHOWN => shown.join("; "),
            n => format!(
                "{}; and {} more",
                shown[..CHANGES_SHOWN].join("; "),
                n - CHANGES_SHOWN
            ),
        };
        table.push(vec![
            row.name.clone(),
            row.objective.map_or_else(|| row.status.clone(), millions),
            row.change_pct
                .map_or_else(|| "-".to_string(), |p| format!("{p:+.2}%")),
            row.pflops_on_avoided
                .map_or_else(|| "-".to_string(), |p| number(p, 1)),
            row.avoided.join("; "),
            changes,
        ]);
    }
    table
}

/// The ranges as one CSV file (`alternatives.csv`).
pub fn csv(report: &AlternativesReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    let units = Units::money(&report.currency, &["npv_at_min", "npv_at_max"]);
    Ok(vec![("alternatives.csv", to_csv(&report.ranges, units)?)])
}
