//! The comparison of GPU options as a table and as CSV.

use serde::Serialize;

use super::csv_tables::to_csv;
use super::format::{millions, number, signed_millions, signed_percent, TextTable};
use crate::studies::compare::CompareReport;

/// One row per option, best NPV first.
pub fn table(report: &CompareReport) -> TextTable {
    let money = |x: Option<f64>| x.map_or_else(|| "-".to_string(), millions);
    let currency = &report.currency;
    let hedged = report.futures > 0;
    let mut title = format!("fsdplan compare: {}", report.scenario);
    if !report.overrides.is_empty() {
        title += &format!(" (with {})", report.overrides.join(", "));
    }
    if hedged {
        title += &format!(
            "; each option a hedged plan of {} futures (nodes, GPUs and EFLOP expected values, peak MW the highest future's)",
            report.futures
        );
    }
    let npv_header = if hedged {
        format!("objective ({currency} M)")
    } else {
        format!("NPV ({currency} M)")
    };
    let mut headers: Vec<String> = vec!["option".into(), "status".into(), npv_header];
    if hedged {
        headers.push(format!("E[NPV] ({currency} M)"));
        headers.push(format!("CVaR ({currency} M)"));
    }
    headers.extend([
        format!("vs best ({currency} M)"),
        "vs best".into(),
        "nodes bought".into(),
        "GPUs bought".into(),
        "peak MW".into(),
        "delivered EFLOP".into(),
        format!("{currency} per EFLOP"),
        "first limit".into(),
    ]);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    // The first limit in at most 48 characters a line; the JSON's `limits`
    // have every limit in full.
    let limit_column = headers.len() - 1;
    let mut t = TextTable::new(title, &headers, 2)
        .with_trailing_text(1)
        .with_wrapped(limit_column, 48);
    for row in &report.rows {
        let planned = row.npv.is_some();
        let amount = |x: f64, decimals| {
            if planned {
                number(x, decimals)
            } else {
                "-".to_string()
            }
        };
        let mut cells = vec![row.option.clone(), row.status.clone(), money(row.npv)];
        if hedged {
            cells.push(money(row.expected_npv));
            cells.push(money(row.cvar));
        }
        cells.extend([
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
        t.push(cells);
    }
    t
}

#[derive(Serialize, Default)]
struct CsvRow<'a> {
    option: &'a str,
    status: &'a str,
    npv: Option<f64>,
    /// Hedged comparisons only (`Some` on every row then, so every record
    /// has the same fields).
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_npv: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cvar: Option<Option<f64>>,
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
    let hedged = report.futures > 0;
    let rows: Vec<CsvRow> = report
        .rows
        .iter()
        .map(|r| CsvRow {
            option: &r.option,
            status: &r.status,
            npv: r.npv,
            expected_npv: hedged.then_some(r.expected_npv),
            cvar: hedged.then_some(r.cvar),
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
    Ok(vec![(
        "compare.csv",
        to_csv(
            &rows,
            super::csv_tables::Units {
                currency: &report.currency,
                money: &[
                    "npv",
                    "expected_npv",
                    "cvar",
                    "npv_difference",
                    "cost_per_delivered_eflop",
                ],
                // Delivered compute is summed over the horizon.
                pflop: "_over_horizon",
            },
        )?,
    )])
}
