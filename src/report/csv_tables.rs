//! The plan's tidy tables as CSV: one file per table, columns as in the
//! JSON result, numbers in the units of SPEC.md section 2.

use serde::Serialize;

use crate::analyses::PlanReport;

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
    neutralised(&text)
}

/// The CSV with every cell a spreadsheet would run as a formula made inert:
/// text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
/// leading `'` (OWASP's advice for CSV injection). Numbers such as `-5` are
/// left as they are, so they stay numbers.
pub(crate) fn neutralised(text: &str) -> Result<String, csv::Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in reader.records() {
        let record = record?;
        writer.write_record(record.iter().map(|cell| inert_cell(cell).into_owned()))?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8"))
}

fn inert_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_made_inert_and_numbers_stay_numbers() {
        let text = "name,value\n\"=HYPERLINK(\"\"http://x\"\")\",-5\n@SUM(A1),+3\n-x,1e-3\n";
        let out = neutralised(text).unwrap();
        assert_eq!(
            out,
            "name,value\n\"'=HYPERLINK(\"\"http://x\"\")\",-5\n'@SUM(A1),+3\n'-x,1e-3\n"
        );
    }
}
