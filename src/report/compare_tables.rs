//! The comparison of GPU options as a table and as CSV.

use serde::Serialize;

use super::csv_tables::to_csv;
use super::format::{millions, number, signed_millions, signed_percent, TextTable};
use crate::studies::compare::CompareReport;

/// One row per option, best NPV first.
pub fn table(report: &CompareReport) -> TextTable {
    let money = |x: Option<f64>| x.map_or_else(|| "-".to_string(), millions);
    let mut t = TextTable::new(
        if report.overrides.is_empty() {
            format!("fsdplan compare: {}", report.scenario)
        } else {
            format!(
                "fsdplan compare: {} (with {})",
                report.scenario,
                report.overrides.join(", ")
            )
        },
        &[
            "option",
            "status",
            &format!("NPV ({} M)", report.currency),
            &format!("vs best ({} M)", report.currency),
            "vs best",
            "nodes bought",
            "GPUs bought",
            "peak MW",
            "delivered EFLOP",
            &format!("{} per EFLOP", report.currency),
            "first limit",
        ],
        2,
    )
    .with_trailing_text(1);
    for row in &report.rows {
        let planned = row.npv.is_some();
        let amount = |x: f64, decimals| {
            if planned {
                number(x, decimals)
            } else {
                "-".to_string()
            }
        };
        t.push(vec![
            row.option.clone(),
            row.status.clone(),
            money(row.npv),
            row.npv_difference
                .map_or_else(|| "-".to_string(), signed_millions),
            if planned {
                signed_percent(row.npv_difference_share, 1)
            } else {
                "-".to_string()
            },
            amount(row.nodes_bought, 0),
            amount(row.gpus_bought, 0),
            amount(row.peak_mw, 1),
            amount(row.delivered_pflop / 1e3, 0),
            row.cost_per_delivered_eflop
                .map_or_else(|| "-".to_string(), |x| number(x, 2)),
            row.limit.clone(),
        ]);
    }
    t
}

#[derive(Serialize, Default)]
struct CsvRow<'a> {
    option: &'a str,
    status: &'a str,
    npv: Option<f64>,
    npv_difference: Option<f64>,
    npv_difference_share: Option<f64>,
    nodes_bought: f64,
    gpus_bought: f64,
    peak_mw: f64,
    delivered_pflop: f64,
    cost_per_delivered_eflop: Option<f64>,
    limit: &'a str,
}

/// The comparison as one CSV file.
pub fn csv(report: &CompareReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    let rows: Vec<CsvRow> = report
        .rows
        .iter()
        .map(|r| CsvRow {
            option: &r.option,
            status: &r.status,
            npv: r.npv,
            npv_difference: r.npv_difference,
            npv_difference_share: r.npv_difference_share,
            nodes_bought: r.nodes_bought,
            gpus_bought: r.gpus_bought,
            peak_mw: r.peak_mw,
            delivered_pflop: r.delivered_pflop,
            cost_per_delivered_eflop: r.cost_per_delivered_eflop,
            limit: &r.limit,
        })
        .collect();
    Ok(vec![("compare.csv", to_csv(&rows)?)])
}
