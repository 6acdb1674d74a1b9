//! A result as an Excel workbook (`--format xlsx`), for finance partners:
//! a Summary sheet first (the result's scalars: scenario, status, NPV,
//! bound, gap, the `--set` overrides and the fsdplan version), then one
//! sheet per table of the result's CSV files, in their order and with
//! their columns (units in the headers, docs/results.md).
//!
//! Every sheet has a bold header row, frozen, with an autofilter over the
//! rows, and columns fitted to their contents. Numbers are written as
//! numbers, never as text: money (the columns and keys in the scenario's
//! currency) with thousands separators, shares and gaps as percentages.
//! A plan's cost sheet ends with a total row of `SUM` formulas over its
//! period rows, its values cached so that readers that do not recalculate
//! see them too. The NPV cells are named: `NPV` (the plan's, or a hedged
//! plan's expected NPV), `NPV_A` and `NPV_B` (diff), `NPV_<option>`
//! (compare).
//!
//! The workbook is the same bytes for the same result: its creation date
//! is fixed ([`CREATED`]) and the file stamps none of its own.

use rust_xlsxwriter::{
    column_number_to_name, ColNum, DocProperties, ExcelDateTime, Format, FormatBorder, Formula,
    Workbook, Worksheet, XlsxError,
};
use serde_json::Value;

/// The creation date every workbook carries (the document format requires
/// one; a fixed one keeps the file reproducible).
pub const CREATED: (u16, u8, u8) = (2000, 1, 1);

/// Summary keys that are money in the scenario's currency.
const MONEY_KEYS: &[&str] = &[
    "objective",
    "bound",
    "npv",
    "expected_npv",
    "cvar",
    "wait_and_see",
    "evpi",
    "npv_cap",
];

/// Summary keys that are shares (0.05 is 5%).
const SHARE_KEYS: &[&str] = &[
    "gap",
    "mip_gap_target",
    "slack",
    "cvar_alpha",
    "cvar_weight",
];

/// The summary keys whose cell gets a defined name, and the name; where
/// several keys would give one name, the first present.
const NAMED_KEYS: &[(&str, &str)] = &[
    ("expected_npv", "NPV"),
    ("hedged.expected_npv", "NPV"),
    ("objective", "NPV"),
    ("optimum.objective", "NPV"),
    ("a.npv", "NPV_A"),
    ("b.npv", "NPV_B"),
];

/// What a workbook is made of.
pub struct WorkbookInput<'a> {
    /// The result as its JSON value (docs/results.md).
    pub json: &'a Value,
    /// The result's CSV files (name, text), one sheet each.
    pub tables: &'a [(&'static str, String)],
    /// The `--set` overrides of the run, as typed.
    pub overrides: &'a [String],
    /// The fsdplan version that made it.
    pub version: &'a str,
}

/// How a column's numbers are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    /// In the scenario's currency.
    Money,
    /// A share: 0.05 shown as 5.00%.
    Share,
    /// Whole numbers (nodes, counts).
    Whole,
    /// Other quantities (PB, Gbps, MW, PFLOP).
    Quantity,
}

impl Kind {
    fn number_format(self, largest: f64) -> &'static str {
        match self {
            Kind::Text => "@",
            Kind::Money if largest >= 1000.0 => "#,##0",
            Kind::Money => "#,##0.00",
            Kind::Share => "0.00%",
            Kind::Whole => "#,##0",
            Kind::Quantity if largest >= 1000.0 => "#,##0",
            Kind::Quantity if largest >= 10.0 => "#,##0.0",
            Kind::Quantity => "#,##0.000",
        }
    }
}

/// The workbook's bytes.
pub fn workbook(input: &WorkbookInput) -> Result<Vec<u8>, XlsxError> {
    let currency = input
        .json
        .get("currency")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(title(input.json))
            .set_creation_datetime(&ExcelDateTime::from_ymd(CREATED.0, CREATED.1, CREATED.2)?),
    );
    let mut names = Vec::new();
    summary_sheet(book.add_worksheet(), input, &currency, &mut names)?;
    for (file, text) in input.tables {
        let sheet = file.trim_end_matches(".csv");
        if sheet == "summary" {
            // The Summary sheet says it all, and more.
            continue;
        }
        table_sheet(book.add_worksheet(), sheet, text, &currency, &mut names)?;
    }
    let mut defined = std::collections::BTreeSet::new();
    for (name, reference) in names {
        if defined.insert(name.clone()) {
            book.define_name(name, &reference)?;
        }
    }
    book.save_to_buffer()
}

fn title(json: &Value) -> String {
    let scenario = json.get("scenario").and_then(Value::as_str).unwrap_or("");
    let schema = json.get("schema").and_then(Value::as_str).unwrap_or("");
    format!("{scenario} ({schema})")
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin)
}

/// One summary row: its key, and its value as a cell.
enum Scalar {
    Text(String),
    Number(f64, Kind),
}

/// The result's scalars, nested objects' as `outer.inner`, lists of
/// scalars joined with `; `; tables (lists of objects) have sheets.
fn scalars(prefix: &str, value: &Value, out: &mut Vec<(String, Scalar)>) {
    let Value::Object(fields) = value else {
        return;
    };
    for (key, value) in fields {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Object(_) => scalars(&path, value, out),
            // An empty list is a table without rows (its sheet says so).
            Value::Array(items) if items.is_empty() => {}
            Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
                let text: Vec<String> = items.iter().map(text_of).collect();
                out.push((path, Scalar::Text(text.join("; "))));
            }
            Value::Array(_) => {}
            Value::Number(n) => {
                let number = n.as_f64().unwrap_or(f64::NAN);
                let kind = if MONEY_KEYS.contains(&key.as_str()) {
                    Kind::Money
                } else if SHARE_KEYS.contains(&key.as_str()) {
                    Kind::Share
                } else if number.fract() == 0.0 {
                    Kind::Whole
                } else {
                    Kind::Quantity
                };
                out.push((path, Scalar::Number(number, kind)));
            }
            other => out.push((path, Scalar::Text(text_of(other)))),
        }
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn summary_sheet(
    sheet: &mut Worksheet,
    input: &WorkbookInput,
    currency: &str,
    names: &mut Vec<(String, String)>,
) -> Result<(), XlsxError> {
    sheet.set_name("Summary")?;
    let header = header_format();
    for (col, title) in ["key", "value", "unit"].iter().enumerate() {
        sheet.write_string_with_format(0, col as ColNum, *title, &header)?;
    }
    let mut rows = Vec::new();
    scalars("", input.json, &mut rows);
    if !rows.iter().any(|(key, _)| key == "overrides") {
        rows.push(("overrides".into(), Scalar::Text(input.overrides.join("; "))));
    }
    rows.push(("fsdplan_version".into(), Scalar::Text(input.version.into())));
    let currency_upper = currency.to_ascii_uppercase();
    for (i, (key, value)) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, key)?;
        match value {
            Scalar::Text(text) => {
                sheet.write_string(row, 1, text)?;
            }
            Scalar::Number(number, kind) if number.is_finite() => {
                let format = Format::new().set_num_format(kind.number_format(number.abs()));
                sheet.write_number_with_format(row, 1, *number, &format)?;
                if *kind == Kind::Money {
                    sheet.write_string(row, 2, &currency_upper)?;
                }
            }
            Scalar::Number(..) => {}
        }
    }
    let mut named = std::collections::BTreeSet::new();
    for (key, name) in NAMED_KEYS {
        let row = rows.iter().position(|(k, value)| {
            k == key && matches!(value, Scalar::Number(x, _) if x.is_finite())
        });
        if let Some(row) = row {
            if named.insert(*name) {
                names.push((name.to_string(), format!("=Summary!$B${}", row + 2)));
            }
        }
    }
    finish_sheet(sheet, rows.len() as u32, 2)
}

/// Freezes and filters the header row, and fits the columns.
fn finish_sheet(sheet: &mut Worksheet, last_row: u32, last_col: ColNum) -> Result<(), XlsxError> {
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row.max(1), last_col)?;
    sheet.autofit();
    Ok(())
}

/// A CSV cell made inert against formulas ([`super::csv_tables`]) back
/// as it was: a workbook's text cells are never run.
fn original_text(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// Columns that name things: text even where every cell reads as a number
/// (a period of 12 months is `2025`, a GPU may be `910`).
const LABEL_HEADERS: &[&str] = &[
    "period",
    "year",
    "site",
    "gpu",
    "class",
    "tier",
    "link",
    "from",
    "to",
    "future",
    "option",
    "name",
    "item",
    "kind",
    "limit",
    "metric",
    "place",
    "plan",
    "scenario",
    "subject",
    "text",
    "unit",
    "currency",
    "status",
    "reading",
    "error",
    "jurisdiction",
];

fn column_kind(header: &str, cells: &[&str], currency: &str) -> Kind {
    if LABEL_HEADERS.contains(&header) || header.starts_with("status_") {
        return Kind::Text;
    }
    let numbers: Vec<f64> = cells
        .iter()
        .filter(|c| !c.is_empty())
        .filter_map(|c| c.parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect();
    let texts = cells.iter().filter(|c| !c.is_empty()).count();
    if numbers.len() < texts || (texts == 0 && !is_numeric_header(header, currency)) {
        return Kind::Text;
    }
    if !currency.is_empty() && header.ends_with(&format!("_{currency}")) {
        Kind::Money
    } else if header.ends_with("share") || header == "gap" || header.ends_with("_gap") {
        Kind::Share
    } else if numbers.iter().all(|x| x.fract() == 0.0) {
        Kind::Whole
    } else {
        Kind::Quantity
    }
}

/// Whether an empty column's header names a number (for its format).
fn is_numeric_header(header: &str, currency: &str) -> bool {
    (!currency.is_empty() && header.ends_with(&format!("_{currency}")))
        || [
            "_pb", "_gbps", "_mw", "_nodes", "_period", "_share", "_horizon",
        ]
        .iter()
        .any(|unit| header.ends_with(unit))
}

fn table_sheet(
    sheet: &mut Worksheet,
    name: &str,
    text: &str,
    currency: &str,
    names: &mut Vec<(String, String)>,
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().filter_map(Result::ok).collect();
    let Some((headers, rows)) = records.split_first() else {
        return Ok(());
    };
    let header = header_format();
    let columns = headers.len();
    let mut kinds = Vec::with_capacity(columns);
    let mut formats = Vec::with_capacity(columns);
    for (col, title) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as ColNum, title, &header)?;
        let cells: Vec<&str> = rows.iter().map(|r| r.get(col).unwrap_or("")).collect();
        let kind = column_kind(title, &cells, currency);
        let largest = cells
            .iter()
            .filter_map(|c| c.parse::<f64>().ok())
            .fold(0.0_f64, |m, x| m.max(x.abs()));
        kinds.push(kind);
        formats.push(Format::new().set_num_format(kind.number_format(largest)));
    }
    for (i, record) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, cell) in record.iter().enumerate().take(columns) {
            if cell.is_empty() {
                continue;
            }
            let col_num = col as ColNum;
            match (kinds[col], cell.parse::<f64>()) {
                (Kind::Text, _) | (_, Err(_)) => {
                    sheet.write_string(row, col_num, original_text(cell))?;
                }
                (_, Ok(value)) => {
                    sheet.write_number_with_format(row, col_num, value, &formats[col])?;
                }
            }
        }
    }
    let label_column = kinds.iter().position(|k| *k == Kind::Text);
    // Each option's NPV cell named (compare).
    if let (Some(npv), Some(label)) = (
        headers.iter().position(|h| h == format!("npv_{currency}")),
        label_column,
    ) {
        if name == "compare" {
            for (i, record) in rows.iter().enumerate() {
                let label = record.get(label).unwrap_or("");
                names.push((
                    format!("NPV_{}", defined_name_part(label)),
                    format!(
                        "={name}!${}${}",
                        column_number_to_name(npv as ColNum),
                        i + 2
                    ),
                ));
            }
        }
    }
    if name == "costs" && headers.get(0) == Some("period") && !rows.is_empty() {
        total_row(sheet, rows.len() as u32 + 1, &kinds, &formats, rows)?;
    }
    // The filter covers the rows of the table, not its total.
    finish_sheet(
        sheet,
        rows.len() as u32,
        columns.saturating_sub(1) as ColNum,
    )
}

/// The cost sheet's total row: `=SUM(...)` over the period rows of each
/// money column, with the sum cached as the formula's result.
fn total_row(
    sheet: &mut Worksheet,
    row: u32,
    kinds: &[Kind],
    formats: &[Format],
    rows: &[csv::StringRecord],
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(row, 0, "total", &bold)?;
    for (col, kind) in kinds.iter().enumerate() {
        if *kind != Kind::Money {
            continue;
        }
        let letter = column_number_to_name(col as ColNum);
        let sum: f64 = rows
            .iter()
            .filter_map(|r| r.get(col).and_then(|c| c.parse::<f64>().ok()))
            .sum();
        let formula =
            Formula::new(format!("=SUM({letter}2:{letter}{row})")).set_result(format!("{sum}"));
        sheet.write_formula_with_format(
            row,
            col as ColNum,
            formula,
            &formats[col].clone().set_bold(),
        )?;
    }
    Ok(())
}

/// A label as part of a defined name: letters, digits and `_` only.
fn defined_name_part(label: &str) -> String {
    let part: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let trimmed = part.trim_matches('_');
    if trimmed.is_empty() {
        "option".into()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_take_their_kind_from_header_and_cells() {
        let kind = |header: &str, cells: &[&str]| column_kind(header, cells, "cny");
        assert_eq!(kind("gpu_capital_cny", &["1.5", "2"]), Kind::Money);
        assert_eq!(kind("npv_difference_share", &["0.01"]), Kind::Share);
        assert_eq!(kind("gap", &["0.001"]), Kind::Share);
        assert_eq!(kind("bought_nodes", &["2", "420"]), Kind::Whole);
        assert_eq!(kind("stock_pb", &["7.65"]), Kind::Quantity);
        // Labels stay text, even when they read as numbers.
        assert_eq!(kind("period", &["2025", "2026"]), Kind::Text);
        assert_eq!(kind("gpu", &["910"]), Kind::Text);
        assert_eq!(kind("status_min", &["optimal"]), Kind::Text);
        // A column with any text is text; an empty one is by its header.
        assert_eq!(kind("limit", &["supply cap", ""]), Kind::Text);
        assert_eq!(kind("pflop_per_period", &[]), Kind::Whole);
        assert_eq!(kind("note", &[]), Kind::Text);
    }

    #[test]
    fn formats_follow_the_kind_and_the_largest_value() {
        assert_eq!(Kind::Money.number_format(2.6e9), "#,##0");
        assert_eq!(Kind::Money.number_format(16.9), "#,##0.00");
        assert_eq!(Kind::Share.number_format(0.5), "0.00%");
        assert_eq!(Kind::Quantity.number_format(0.039), "#,##0.000");
        assert_eq!(Kind::Quantity.number_format(19.3), "#,##0.0");
    }

    #[test]
    fn scalars_flatten_objects_and_join_lists() {
        let json = serde_json::json!({
            "scenario": "s",
            "objective": 2.5e9,
            "gap": 0.001,
            "solver": { "lp_solves": 4 },
            "gpus": ["H20", "910B"],
            "rows": [{ "a": 1 }],
            "empty": []
        });
        let mut rows = Vec::new();
        scalars("", &json, &mut rows);
        let keys: Vec<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["scenario", "objective", "gap", "solver.lp_solves", "gpus"]
        );
        assert!(matches!(rows[1].1, Scalar::Number(_, Kind::Money)));
        assert!(matches!(rows[2].1, Scalar::Number(_, Kind::Share)));
        assert!(matches!(&rows[4].1, Scalar::Text(t) if t == "H20; 910B"));
    }

    #[test]
    fn defined_name_parts_are_letters_digits_and_underscores() {
        assert_eq!(defined_name_part("all options"), "all_options");
        assert_eq!(defined_name_part("no H20"), "no_H20");
        assert_eq!(defined_name_part("--"), "option");
    }
}
