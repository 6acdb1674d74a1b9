//! A sweep as a table and as CSV: one row per grid point, in grid order.

use super::format::{millions, number, TextTable};
use crate::studies::sweep::SweepReport;

/// One row per point: the parameters, status, NPV, nodes bought per GPU,
/// peak MW and, for a point without a plan, why.
pub fn table(report: &SweepReport) -> TextTable {
    let mut headers: Vec<String> = vec!["#".into()];
    headers.extend(report.parameters.iter().map(|p| p.path.clone()));
    headers.push("status".into());
    headers.push(format!("NPV ({} M)", report.currency));
    headers.extend(report.gpus.iter().map(|g| format!("{g} nodes")));
    headers.push("peak MW".into());
    headers.push("error".into());
    let title = match &report.shard {
        Some(shard) => format!(
            "fsdplan sweep: {} (shard {shard}, {} of {} points)",
            report.scenario,
            report.rows.len(),
            report.grid_size
        ),
        None => format!(
            "fsdplan sweep: {} ({} points, {} planned)",
            report.scenario,
            report.grid_size,
            report.planned()
        ),
    };
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    // "#" is a number but the parameters may be text: align from the NPV.
    let mut t =
        TextTable::new(title, &header_refs, report.parameters.len() + 2).with_trailing_text(1);
    for row in &report.rows {
        let mut cells = vec![row.point.to_string()];
        cells.extend(row.values.iter().map(|v| crate::numbers::as_typed(v)));
        cells.push(row.status.clone());
        cells.push(row.npv.map_or_else(|| "-".to_string(), millions));
        for gpu in &report.gpus {
            cells.push(match (row.npv, row.nodes_bought.get(gpu)) {
                (Some(_), Some(n)) => number(*n, 0),
                _ => "-".to_string(),
            });
        }
        cells.push(
            row.peak_mw
                .map_or_else(|| "-".to_string(), |x| number(x, 1)),
        );
        cells.push(row.error.clone().unwrap_or_default());
        t.push(cells);
    }
    t
}

/// The sweep as one CSV file: a column per parameter and per GPU.
pub fn csv(report: &SweepReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(report.parameters.iter().map(|p| p.path.clone()));
    let npv = format!("npv_{}", report.currency.to_ascii_lowercase());
    header.extend(["status".into(), npv]);
    header.extend(report.gpus.iter().map(|g| format!("nodes_bought_{g}")));
    header.extend(["peak_mw".into(), "error".into()]);
    writer.write_record(&header)?;
    let optional = |x: Option<f64>| {
        x.map(|x| crate::numbers::tidy(x).to_string())
            .unwrap_or_default()
    };
    for row in &report.rows {
        let mut record = vec![row.point.to_string()];
        record.extend(row.values.iter().cloned());
        record.push(row.status.clone());
        record.push(optional(row.npv));
        for gpu in &report.gpus {
            record.push(optional(row.nodes_bought.get(gpu).copied()));
        }
        record.push(optional(row.peak_mw));
        record.push(row.error.clone().unwrap_or_default());
        writer.write_record(&record)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    let text = String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8");
    Ok(vec![("sweep.csv", super::csv_tables::neutralised(&text)?)])
}
