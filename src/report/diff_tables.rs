//! A diff of two plans as tables (Infracost style) and as CSV.

use super::csv_tables::{to_csv, Units};
use super::format::{millions, number, signed_millions, signed_percent, TextTable};
use crate::studies::diff::{DiffLine, DiffReport};

/// The summary, cost per category, cost per year and changed decisions.
/// With `changes_only`, cost lines that did not change are left out (the
/// NPV and total lines always stay).
pub fn tables(report: &DiffReport, changes_only: bool) -> Vec<TextTable> {
    let currency = &report.currency;
    let money = |x: Option<f64>| x.map_or_else(|| "-".to_string(), millions);
    let mut summary = TextTable::new(
        "fsdplan diff",
        &[
            "",
            "source",
            "scenario",
            "status",
            &format!("NPV ({currency} M)"),
        ],
        4,
    );
    for (name, side) in [("A", &report.a), ("B", &report.b)] {
        summary.push(vec![
            name.into(),
            side.source.clone(),
            side.scenario.clone(),
            side.status.clone(),
            money(side.npv),
        ]);
    }
    let npv = report.categories.last();
    summary.push(vec![
        "B - A".into(),
        String::new(),
        String::new(),
        String::new(),
        npv.map_or_else(String::new, |l| {
            format!(
                "{} ({})",
                signed_millions(l.change),
                signed_percent(l.change_share, 1)
            )
        }),
    ]);

    let lines = |title: String, first: &str, lines: &[DiffLine]| {
        let mut t = TextTable::new(title, &[first, "A", "B", "change", "%"], 1);
        let last = lines.len().saturating_sub(1);
        for (i, line) in lines.iter().enumerate() {
            if changes_only && i != last && !line.changed() {
                continue;
            }
            t.push(vec![
                category_label(&line.name),
                millions(line.a),
                millions(line.b),
                signed_millions(line.change),
                signed_percent(line.change_share, 1),
            ]);
        }
        t
    };
    let mut decisions = TextTable::new(
        format!("Decisions that changed ({})", report.decisions.len()),
        &["change", "A", "B"],
        1,
    );
    for d in &report.decisions {
        let decimals = if d.kind == crate::studies::diff::DecisionKind::Nodes {
            0
        } else {
            2
        };
        decisions.push(vec![
            d.text.clone(),
            number(d.a, decimals),
            number(d.b, decimals),
        ]);
    }
    vec![
        summary,
        lines(
            format!("Cost by category (NPV, {currency} M)"),
            "category",
            &report.categories,
        ),
        lines(
            format!("Cost by year (undiscounted, {currency} M)"),
            "year",
            &report.years,
        ),
        decisions,
    ]
}

/// The diff as CSV files: categories, years, decisions.
pub fn csv(
    report: &DiffReport,
    changes_only: bool,
) -> Result<Vec<(&'static str, String)>, csv::Error> {
    let keep = |lines: &[DiffLine]| -> Vec<DiffLine> {
        let last = lines.len().saturating_sub(1);
        lines
            .iter()
            .enumerate()
            .filter(|(i, l)| !changes_only || *i == last || l.changed())
            .map(|(_, l)| l.clone())
            .collect()
    };
    let money = Units::money(&report.currency, &["a", "b", "change"]);
    Ok(vec![
        (
            "diff_categories.csv",
            to_csv(&keep(&report.categories), money)?,
        ),
        ("diff_years.csv", to_csv(&keep(&report.years), money)?),
        (
            "diff_decisions.csv",
            to_csv(&report.decisions, Units::PLAIN)?,
        ),
    ])
}

/// A cost category as the plan's tables name it (`GPU capital`), the JSON
/// name (`gpu_capital`) otherwise (years, `NPV`).
fn category_label(name: &str) -> String {
    let names = crate::plan::result::CostRow::default()
        .categories()
        .map(|(json, _)| json);
    names
        .iter()
        .position(|json| *json == name)
        .map_or(name.to_string(), |i| {
            crate::plan::result::CostRow::LABELS[i].to_string()
        })
}
