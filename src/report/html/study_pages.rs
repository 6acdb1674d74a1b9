//! The comparison and sweep reports: NPV per GPU option as bars, with the
//! reason an option has no plan; NPV against each swept parameter, a line
//! per value of the second parameter where there is one.

use std::collections::BTreeMap;

use maud::html;

use super::charts::{self, Frame, Series};
use super::page::{chart, page, tables};
use crate::report::{compare_tables, sweep_tables};
use crate::studies::compare::CompareReport;
use crate::studies::sweep::SweepReport;

/// The comparison report.
pub fn compare_page(report: &CompareReport) -> String {
    let title = format!("fsdplan compare: {}", report.scenario);
    let bars: Vec<(String, Option<f64>, String)> = report
        .rows
        .iter()
        .map(|r| {
            let note = match r.npv {
                Some(_) => format!("({})", r.limit),
                None => format!("{}: {}", r.status, r.limit),
            };
            (
                r.option.clone(),
                r.npv.map(|v| v / 1e6),
                shortened(&note, 90),
            )
        })
        .collect();
    let axis = format!("NPV ({} M)", report.currency);
    let body = html! {
        p.note {
            "One plan per GPU option (only that option may be bought) and one with every option, "
            "best NPV first. After each bar: what limits that plan first, or why there is none."
        }
        @if !report.overrides.is_empty() {
            p.note { "Overrides: " (report.overrides.join(", ")) }
        }
        (chart(charts::horizontal_bars(&format!("NPV per GPU option ({} M)", report.currency), &axis, &bars)))
        (tables(&[compare_tables::table(report)]))
    };
    page(&title, body)
}

/// The sweep report.
pub fn sweep_page(report: &SweepReport) -> String {
    let title = format!("fsdplan sweep: {}", report.scenario);
    let axis = format!("NPV ({} M)", report.currency);
    let figures: Vec<_> = (0..report.parameters.len())
        .map(|p| {
            let name = &report.parameters[p].path;
            // The values of this parameter along x, in grid order.
            let mut xs: Vec<String> = Vec::new();
            for row in &report.rows {
                if !xs.contains(&row.values[p]) {
                    xs.push(row.values[p].clone());
                }
            }
            // One line per value of the next parameter (if any).
            let other = (report.parameters.len() > 1).then(|| (p + 1) % report.parameters.len());
            let mut lines: BTreeMap<usize, (String, Vec<f64>)> = BTreeMap::new();
            for row in &report.rows {
                let x = xs.iter().position(|v| *v == row.values[p]).unwrap_or(0);
                let (key, label) = match other {
                    Some(o) => {
                        let values = &report.parameters[o].values;
                        let k = values.iter().position(|v| *v == row.values[o]).unwrap_or(0);
                        (
                            k,
                            format!("{} = {}", report.parameters[o].path, row.values[o]),
                        )
                    }
                    None => (0, "NPV".to_string()),
                };
                let entry = lines
                    .entry(key)
                    .or_insert_with(|| (label, vec![f64::NAN; xs.len()]));
                if let Some(npv) = row.npv {
                    entry.1[x] = npv / 1e6;
                }
            }
            let series: Vec<Series> = lines
                .into_values()
                .map(|(name, values)| Series { name, values })
                .collect();
            let chart_title = format!("NPV against {name}");
            (chart_title, xs, series)
        })
        .collect();
    let body = html! {
        p.note {
            (report.rows.len()) " points of a grid of " (report.grid_size)
            @if let Some(shard) = &report.shard { " (shard " (shard) ")" }
            ". Points without a plan are left out of the lines and listed in the table."
        }
        @for (chart_title, xs, series) in &figures {
            (chart(charts::lines(&Frame { title: chart_title, x_labels: xs, y_desc: &axis }, series, &[])))
        }
        (tables(&[sweep_tables::table(report)]))
    };
    page(&title, body)
}

/// `text` cut at a word to at most `limit` characters, with an ellipsis
/// (the table below the chart has it in full).
fn shortened(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let cut: String = text.chars().take(limit).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{at_word} …")
}

#[cfg(test)]
mod tests {
    use super::shortened;

    #[test]
    fn long_notes_are_cut_at_a_word() {
        assert_eq!(shortened("none: cost alone", 90), "none: cost alone");
        assert_eq!(
            shortened("supply cap 910B 2025Q1 needs more", 20),
            "supply cap 910B …"
        );
    }
}
