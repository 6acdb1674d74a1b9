//! The plan's tidy tables as CSV: one file per table, columns as in the
//! JSON result, numbers in the units of SPEC.md section 2.

use serde::Serialize;

use crate::analyses::PlanReport;

/// Each table's file name and CSV text.
pub fn tables(report: &PlanReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    let currency = &report.currency;
    let costs = Units::money(currency, COST_MONEY);
    let summary = Units::money(currency, &["objective", "bound"]);
    Ok(vec![
        ("costs.csv", to_csv(&report.costs, costs)?),
        ("gpus.csv", to_csv(&report.gpus, Units::PLAIN)?),
        ("storage.csv", to_csv(&report.storage, Units::PLAIN)?),
        ("sites.csv", to_csv(&report.sites, Units::PLAIN)?),
        ("data.csv", to_csv(&report.data, Units::PLAIN)?),
        ("links.csv", to_csv(&report.links, Units::PLAIN)?),
        ("shortfall.csv", to_csv(&report.shortfall, Units::PLAIN)?),
        ("summary.csv", to_csv(&[Summary::of(report)], summary)?),
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

/// What a CSV's numbers are in, for its header: the currency of its money
/// columns, which columns are money, and what its PFLOP columns (`pflop`,
/// `..._pflop`) count: `_per_period` (a plan's rows) or `_over_horizon`
/// (compare's delivered compute). Other columns carry their unit in their
/// name already (`_pb`, `_gbps`, `_mw`, `_nodes`, `_share`).
#[derive(Debug, Clone, Copy)]
pub struct Units<'a> {
    pub currency: &'a str,
    pub money: &'a [&'a str],
    pub pflop: &'a str,
}

impl<'a> Units<'a> {
    /// No money columns; PFLOP in the period.
    pub const PLAIN: Units<'static> = Units {
        currency: "",
        money: &[],
        pflop: "_per_period",
    };

    /// `money` columns in `currency`; PFLOP in the period.
    pub fn money(currency: &'a str, money: &'a [&'a str]) -> Units<'a> {
        Units {
            currency,
            money,
            pflop: "_per_period",
        }
    }

    /// A column's header with its unit: `gpu_capital_cny`,
    /// `compute_pflop_per_period`.
    pub fn header(&self, field: &str) -> String {
        if self.money.contains(&field) && !self.currency.is_empty() {
            format!("{field}_{}", self.currency.to_ascii_lowercase())
        } else if field == "pflop" || field.ends_with("_pflop") {
            format!("{field}{}", self.pflop)
        } else {
            field.to_string()
        }
    }
}

/// The cost categories and totals of a cost row, money all.
pub const COST_MONEY: &[&str] = &[
    "gpu_capital",
    "storage_capital",
    "maintenance",
    "ingest",
    "link",
    "energy",
    "shortfall",
    "total",
    "discounted_total",
];

/// Rows as CSV with a header line (units in the names, [`Units`]), also
/// when there are no rows (the header then comes from a default row). The
/// numbers are the JSON's, tidied the same way
/// ([`crate::numbers::tidy_json`]).
pub(crate) fn to_csv<T: Serialize + Default>(
    rows: &[T],
    units: Units,
) -> Result<String, csv::Error> {
    use serde::ser::Error;
    let to_value = |row: &T| {
        let mut value = serde_json::to_value(row).map_err(csv::Error::custom)?;
        crate::numbers::tidy_json(&mut value);
        Ok::<_, csv::Error>(value)
    };
    let header_row = match rows.first() {
        Some(row) => to_value(row)?,
        None => to_value(&T::default())?,
    };
    let fields: Vec<String> = match &header_row {
        serde_json::Value::Object(fields) => fields.keys().cloned().collect(),
        _ => return Err(csv::Error::custom("a CSV row is a struct")),
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(fields.iter().map(|f| units.header(f)))?;
    for row in rows {
        let value = to_value(row)?;
        let cells: Vec<String> = fields.iter().map(|f| cell(value.get(f))).collect();
        writer.write_record(&cells)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    let text = String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8");
    neutralised(&text)
}

/// A JSON value as one CSV cell: nothing for null, a list joined by `; `.
fn cell(value: Option<&serde_json::Value>) -> String {
    use serde_json::Value;
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| cell(Some(item)))
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
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
    fn headers_carry_units_and_numbers_are_tidy() {
        #[derive(Serialize, Default)]
        struct Row {
            period: &'static str,
            gpu_capital: f64,
            compute_pflop: f64,
            bought_nodes: f64,
            note: Option<&'static str>,
        }
        let rows = [Row {
            period: "2025Q1",
            gpu_capital: 7.649999999999995,
            compute_pflop: 1e-13,
            bought_nodes: 420.0,
            note: None,
        }];
        let units = Units::money("CNY", &["gpu_capital"]);
        assert_eq!(
            to_csv(&rows, units).unwrap(),
            "period,gpu_capital_cny,compute_pflop_per_period,bought_nodes,note\n2025Q1,7.65,0,420,\n"
        );
        assert_eq!(
            to_csv::<Row>(&[], units).unwrap(),
            "period,gpu_capital_cny,compute_pflop_per_period,bought_nodes,note\n"
        );
    }

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
