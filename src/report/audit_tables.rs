//! An audit as a table and as CSV.

use super::csv_tables::to_csv;
use super::format::{number, TextTable};
use crate::analyses::audit::AuditReport;

/// A headline and one row per violation.
pub fn tables(report: &AuditReport) -> Vec<TextTable> {
    let verdict = if report.violations.is_empty() {
        "passed".to_string()
    } else {
        match report.violations.len() {
            1 => "FAILED: 1 violation".to_string(),
            n => format!("FAILED: {n} violations"),
        }
    };
    let mut summary = TextTable::new(format!("fsdplan audit: {}", report.scenario), &["", ""], 2);
    summary.push(vec!["result".into(), verdict]);
    summary.push(vec!["checks".into(), number(report.checks as f64, 0)]);
    let mut violations = TextTable::new("Violations", &["rule", "period", "place", "what"], 4);
    for v in &report.violations {
        violations.push(vec![
            v.rule.to_string(),
            v.period.clone(),
            v.place.clone(),
            v.text.clone(),
        ]);
    }
    if report.violations.is_empty() {
        vec![summary]
    } else {
        vec![summary, violations]
    }
}

/// The violations as one CSV file.
pub fn csv(report: &AuditReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    Ok(vec![(
        "violations.csv",
        to_csv(&report.violations, super::csv_tables::Units::PLAIN)?,
    )])
}
