//! The plan's tidy tables as CSV: one file per table, columns as in the
//! JSON result, numbers in the units of SPEC.md section 2.

use serde::Serialize;

use super::rows::PlanReport;

/// Each table's file name and CSV text.
pub fn tables(report: &PlanReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    Ok(vec![
        ("costs.csv", to_csv(&report.costs)?),
        ("gpus.csv", to_csv(&report.gpus)?),
        ("storage.csv", to_csv(&report.storage)?),
        ("sites.csv", to_csv(&report.sites)?),
        ("data.csv", to_csv(&report.data)?),
        ("links.csv", to_csv(&report.links)?),
        ("shortfall.csv", to_csv(&report.shortfall)?),
        ("summary.csv", to_csv(&[Summary::of(report)])?),
    ])
}

#[derive(Serialize, Default)]
struct Summary<'a> {
    scenario: &'a str,
    status: &'a str,
    objective: Option<f64>,
    bound: Option<f64>,
    gap: Option<f64>,
    currency: &'a str,
}

impl<'a> Summary<'a> {
    fn of(report: &'a PlanReport) -> Summary<'a> {
        Summary {
            scenario: &report.scenario,
            status: &report.status,
            objective: report.objective,
            bound: report.bound,
            gap: report.gap,
            currency: &report.currency,
        }
    }
}

/// Rows as CSV with a header line, also when there are no rows (the header
/// then comes from a default row).
pub(crate) fn to_csv<T: Serialize + Default>(rows: &[T]) -> Result<String, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if rows.is_empty() {
        writer.serialize(T::default())?;
    }
    for row in rows {
        writer.serialize(row)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    let text = String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8");
    if rows.is_empty() {
        let header = text.lines().next().unwrap_or_default();
        return Ok(format!("{header}\n"));
    }
    Ok(text)
}
