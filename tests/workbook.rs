//! `--format xlsx`: the workbook read back with calamine, every number of
//! every sheet compared with the JSON result (or, for the studies, with the
//! CSV files the sheets are made from), its layout (frozen bold headers,
//! autofilters, number formats, the cost total formula, the NPV name)
//! checked in the file's XML, and LibreOffice converting every sheet
//! (where LibreOffice is installed; `.ci/run` installs it and sets
//! FSDPLAN_REQUIRE_SOFFICE=1 so that the test cannot skip).

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::Value;

use common::fsdplan;

const DEFAULT: &str = "configs/china-1.7m.toml";
const SMALL: &str = "tests/scenarios/small.toml";
const HEDGED: &str = "tests/scenarios/small-hedged.toml";

/// A plan's tables, each a sheet after the Summary, and a list in the JSON.
const PLAN_TABLES: [&str; 7] = [
    "costs",
    "gpus",
    "storage",
    "sites",
    "data",
    "links",
    "shortfall",
];

/// Runs `args` with `-o DIR/NAME` and returns the file written.
fn written(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    fsdplan().args(args).arg("-o").arg(&path).assert().success();
    path
}

fn json_of(args: &[&str]) -> Value {
    let out = fsdplan()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn csv_files(dir: &Path, args: &[&str]) -> Vec<(String, String)> {
    let out = dir.join("csv");
    fsdplan()
        .args(args)
        .args(["--format", "csv", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut files: Vec<(String, String)> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn open(path: &Path) -> Xlsx<std::io::BufReader<std::fs::File>> {
    open_workbook(path).expect("the workbook opens")
}

fn sheet(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Vec<Vec<Data>> {
    let range = book.worksheet_range(name).expect("the sheet exists");
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, found {other:?}"),
    }
}

/// Whether two numbers agree to the last digits a double keeps.
fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

/// The JSON key a header names: the header itself, or it less its unit.
fn header_key<'a>(header: &str, fields: &'a serde_json::Map<String, Value>) -> Option<&'a str> {
    fields.keys().map(String::as_str).find(|key| {
        header == *key
            || ["_cny", "_per_period", "_over_horizon"]
                .iter()
                .any(|unit| header == format!("{key}{unit}"))
    })
}

/// Every cell of a table sheet against the JSON rows it was made from.
fn check_table(rows: &[Vec<Data>], json_rows: &[Value], sheet: &str) {
    let headers: Vec<String> = rows[0].iter().map(text).collect();
    let data = &rows[1..];
    let data = if sheet == "costs" {
        &data[..data.len() - 1]
    } else {
        data
    };
    assert_eq!(data.len(), json_rows.len(), "{sheet}: one row per JSON row");
    let mut numbers = 0;
    for (row, json) in data.iter().zip(json_rows) {
        let fields = json.as_object().unwrap();
        for (col, header) in headers.iter().enumerate() {
            let key = header_key(header, fields)
                .unwrap_or_else(|| panic!("{sheet}: header {header} names no JSON key"));
            let cell = row.get(col).cloned().unwrap_or(Data::Empty);
            match &fields[key] {
                Value::Number(n) => {
                    let Data::Float(x) = cell else {
                        panic!("{sheet}.{header}: a number written as {cell:?}");
                    };
                    assert!(same(x, n.as_f64().unwrap()), "{sheet}.{header}: {x} vs {n}");
                    numbers += 1;
                }
                Value::String(s) => assert_eq!(&text(&cell), s, "{sheet}.{header}"),
                Value::Null => assert_eq!(cell, Data::Empty, "{sheet}.{header}"),
                Value::Bool(b) => assert_eq!(text(&cell), b.to_string(), "{sheet}.{header}"),
                other => panic!("{sheet}.{header}: unexpected {other}"),
            }
        }
    }
    if !json_rows.is_empty() {
        assert!(numbers > 0, "{sheet}: no numbers compared");
    }
}

/// A file of the workbook's package, as text.
fn part(path: &Path, name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} is in the workbook"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn the_default_plans_workbook_holds_the_jsons_numbers_cell_by_cell() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["plan", DEFAULT, "--set", "fleet.growth_per_year=0.2"];
    let path = written(dir.path(), "plan.xlsx", &args);
    let json = json_of(&args);
    let mut book = open(&path);
    let mut expected = vec!["Summary"];
    expected.extend(PLAN_TABLES);
    assert_eq!(book.sheet_names(), expected);
    for name in PLAN_TABLES {
        let rows = sheet(&mut book, name);
        check_table(&rows, json[name].as_array().unwrap(), name);
    }

    // The summary: the JSON's scalars, the overrides and the version; the
    // NPV and the bound are numbers in CNY, the gap a percentage.
    let summary = sheet(&mut book, "Summary");
    let value = |key: &str| {
        summary
            .iter()
            .find(|r| text(&r[0]) == key)
            .unwrap_or_else(|| panic!("the summary has {key}"))
            .clone()
    };
    for key in ["objective", "bound", "gap"] {
        let row = value(key);
        assert_eq!(row[1], Data::Float(json[key].as_f64().unwrap()), "{key}");
    }
    assert_eq!(text(&value("objective")[2]), "CNY");
    assert_eq!(
        text(&value("scenario")[1]),
        json["scenario"].as_str().unwrap()
    );
    assert_eq!(text(&value("status")[1]), "optimal");
    assert_eq!(text(&value("overrides")[1]), "fleet.growth_per_year=0.2");
    assert_eq!(
        text(&value("fsdplan_version")[1]),
        env!("CARGO_PKG_VERSION")
    );
    let objective_row = summary
        .iter()
        .position(|r| text(&r[0]) == "objective")
        .unwrap();
    assert!(book
        .defined_names()
        .iter()
        .any(|(name, reference)| name == "NPV"
            && reference == &format!("Summary!$B${}", objective_row + 1)));

    // The cost sheet's total row: SUM formulas over the period rows, whose
    // cached values are the sums, the discounted total the NPV.
    let costs = sheet(&mut book, "costs");
    let periods = json["costs"].as_array().unwrap().len();
    let total = costs.last().unwrap();
    assert_eq!(text(&total[0]), "total");
    let formulas = book.worksheet_formula("costs").unwrap();
    let formula = |col: usize| {
        formulas
            .get_value((periods as u32 + 1, col as u32))
            .cloned()
            .unwrap_or_default()
    };
    let headers: Vec<String> = costs[0].iter().map(text).collect();
    for (col, header) in headers.iter().enumerate().skip(1) {
        let letter = (b'A' + col as u8) as char;
        assert_eq!(
            formula(col),
            format!("SUM({letter}2:{letter}{})", periods + 1),
            "{header}"
        );
        let sum: f64 = costs[1..=periods]
            .iter()
            .map(|r| match r[col] {
                Data::Float(x) => x,
                ref other => panic!("{other:?}"),
            })
            .sum();
        let Data::Float(cached) = total[col] else {
            panic!("the total of {header} has no value");
        };
        assert!(same(cached, sum), "{header}: {cached} vs {sum}");
    }
    let Data::Float(npv) = total[headers.len() - 1] else {
        panic!("no discounted total");
    };
    assert!((npv - json["objective"].as_f64().unwrap()).abs() < 1.0);

    // Layout, from the sheets' XML: frozen header, autofilter, bold header
    // cells, number formats with thousands separators and percentages.
    let styles = part(&path, "xl/styles.xml");
    for format in ["#,##0", "0.00%"] {
        assert!(
            styles.contains(&format!("formatCode=\"{format}\"")),
            "{format}"
        );
    }
    assert!(styles.contains("<b/>"), "a bold font");
    for index in 1..=8 {
        let xml = part(&path, &format!("xl/worksheets/sheet{index}.xml"));
        assert!(xml.contains("state=\"frozen\""), "sheet {index} frozen");
        assert!(
            xml.contains("<autoFilter ref=\"A1:"),
            "sheet {index} filtered"
        );
        assert!(xml.contains("<cols>"), "sheet {index} has fitted widths");
    }
}

#[test]
fn a_workbook_is_the_same_bytes_for_the_same_input_and_out_dir_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let a = written(dir.path(), "a.xlsx", &["plan", SMALL]);
    let out = dir.path().join("out");
    fsdplan()
        .args(["plan", SMALL, "--format", "xlsx", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(a).unwrap(),
        std::fs::read(out.join("plan.xlsx")).unwrap()
    );
}

/// Every number of every CSV file in the sheet of its name, as a number
/// (only labels read as numbers and are text: a period, or diff's year
/// rows named `2025`).
fn check_against_csv(path: &Path, csv: &[(String, String)]) {
    let mut book = open(path);
    assert_eq!(book.sheet_names()[0], "Summary");
    for (stem, text_of_file) in csv {
        if stem == "summary" {
            continue;
        }
        let rows = sheet(&mut book, stem);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text_of_file.as_bytes());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let headers = &records[0];
        assert_eq!(
            rows[0].iter().map(text).collect::<Vec<_>>(),
            headers.iter().collect::<Vec<_>>(),
            "{stem}: headers"
        );
        let mut numbers = 0;
        for (record, row) in records[1..].iter().zip(&rows[1..]) {
            for (col, cell) in record.iter().enumerate() {
                let found = row.get(col).cloned().unwrap_or(Data::Empty);
                match (cell.parse::<f64>(), &found) {
                    (Ok(_), Data::String(s)) if !["period", "name"].contains(&&headers[col]) => {
                        panic!(
                            "{stem}.{}: the number {cell} written as text {s:?}",
                            &headers[col]
                        )
                    }
                    (_, Data::String(s)) => assert_eq!(
                        s.trim_start_matches('\''),
                        cell.trim_start_matches('\''),
                        "{stem}"
                    ),
                    (Ok(x), Data::Float(y)) => {
                        assert!(same(x, *y), "{stem}.{}: {x} vs {y}", &headers[col]);
                        numbers += 1;
                    }
                    (_, Data::Empty) => assert!(cell.is_empty(), "{stem}: {cell} left out"),
                    (_, other) => panic!("{stem}: {cell} written as {other:?}"),
                }
            }
        }
        assert!(
            numbers > 0 || records.len() == 1,
            "{stem}: no numbers compared"
        );
    }
}

#[test]
fn every_study_writes_a_workbook_of_its_tables() {
    let dir = tempfile::tempdir().unwrap();
    let studies: &[(&str, &[&str])] = &[
        ("compare", &["compare", SMALL]),
        (
            "sweep",
            &["sweep", SMALL, "--set", "fleet.growth_per_year=0.1..0.3/3"],
        ),
        ("diff", &["diff", SMALL, DEFAULT]),
        ("explain", &["explain", SMALL]),
        ("hedge", &["hedge", HEDGED]),
        ("alternatives", &["alternatives", SMALL, "--relax"]),
        ("hedged-plan", &["plan", HEDGED]),
    ];
    for (name, args) in studies {
        let sub = dir.path().join(name);
        std::fs::create_dir_all(&sub).unwrap();
        let path = written(&sub, &format!("{name}.xlsx"), args);
        check_against_csv(&path, &csv_files(&sub, args));
    }
    // audit reads a plan file.
    let plan = written(dir.path(), "plan.json", &["plan", SMALL]);
    let plan = plan.to_str().unwrap();
    let sub = dir.path().join("audit");
    std::fs::create_dir_all(&sub).unwrap();
    let args = ["audit", SMALL, plan];
    let path = written(&sub, "audit.xlsx", &args);
    check_against_csv(&path, &csv_files(&sub, &args));
}

#[test]
fn npv_names_of_compare_and_diff() {
    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path(), "compare.xlsx", &["compare", SMALL]);
    let json = json_of(&["compare", SMALL]);
    let mut book = open(&path);
    let names: Vec<(String, String)> = book.defined_names().to_vec();
    let rows = sheet(&mut book, "compare");
    let npv_col = rows[0].iter().position(|h| text(h) == "npv_cny").unwrap();
    let first = &json["rows"][0];
    let (_, reference) = names
        .iter()
        .find(|(name, _)| name == "NPV_all_options")
        .expect("a name for the first option's NPV");
    assert_eq!(
        reference,
        &format!("compare!${}$2", (b'A' + npv_col as u8) as char)
    );
    assert_eq!(
        rows[1][npv_col],
        Data::Float(first["npv"].as_f64().unwrap())
    );

    // A hedged plan's NPV, and hedge's, is the expected NPV.
    for (name, args, key) in [
        ("hedged.xlsx", &["plan", HEDGED][..], "expected_npv"),
        ("hedge.xlsx", &["hedge", HEDGED][..], "hedged.expected_npv"),
    ] {
        let path = written(dir.path(), name, args);
        let mut book = open(&path);
        let summary = sheet(&mut book, "Summary");
        let row = summary.iter().position(|r| text(&r[0]) == key).unwrap();
        let reference = book
            .defined_names()
            .iter()
            .find(|(n, _)| n == "NPV")
            .map(|(_, r)| r.clone());
        assert_eq!(reference, Some(format!("Summary!$B${}", row + 1)), "{name}");
    }

    let path = written(dir.path(), "diff.xlsx", &["diff", SMALL, DEFAULT]);
    let book = open(&path);
    let names: Vec<&str> = book
        .defined_names()
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert!(
        names.contains(&"NPV_A") && names.contains(&"NPV_B"),
        "{names:?}"
    );
}

#[test]
fn a_workbook_to_a_pipe_is_written_whole() {
    // Standard output of a test is a pipe: the workbook goes there whole
    // (a terminal is refused: tests/terminal.rs).
    let out = fsdplan()
        .args(["plan", SMALL, "--format", "xlsx"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"PK"), "a zip package");
}

#[test]
fn libreoffice_opens_every_sheet_with_the_jsons_numbers() {
    let Some(soffice) = ["soffice", "libreoffice"].into_iter().find(|bin| {
        std::process::Command::new(bin)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        assert!(
            std::env::var("FSDPLAN_REQUIRE_SOFFICE").is_err(),
            "FSDPLAN_REQUIRE_SOFFICE is set but no LibreOffice was found"
        );
        eprintln!("skipped: no LibreOffice on this machine");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = written(dir.path(), "plan.xlsx", &["plan", DEFAULT]);
    let json = json_of(&["plan", DEFAULT]);
    // Every sheet to CSV (the last field, -1: all sheets), numbers in
    // full rather than as shown. A private profile keeps runs apart.
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        dir.path().display()
    );
    let out = std::process::Command::new(soffice)
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
        ])
        .arg(dir.path().join("lo"))
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in PLAN_TABLES {
        let file = dir.path().join("lo").join(format!("plan-{name}.csv"));
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|_| panic!("LibreOffice wrote no {}", file.display()));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let json_rows = json[name].as_array().unwrap();
        let records = if name == "costs" {
            assert_eq!(&records.last().unwrap()[0], "total");
            &records[..records.len() - 1]
        } else {
            &records[..]
        };
        assert_eq!(records.len(), json_rows.len(), "{name}");
        for (record, json_row) in records.iter().zip(json_rows) {
            let fields = json_row.as_object().unwrap();
            for (col, header) in headers.iter().enumerate() {
                let key = header_key(header, fields).unwrap();
                match &fields[key] {
                    Value::Number(n) => {
                        let x: f64 = record[col].parse().unwrap_or_else(|_| {
                            panic!("{name}.{header}: {:?} is not a number", &record[col])
                        });
                        let y = n.as_f64().unwrap();
                        assert!(
                            (x - y).abs() <= 1e-9 * y.abs().max(1.0),
                            "{name}.{header}: {x} vs {y}"
                        );
                    }
                    Value::String(s) => assert_eq!(&record[col], s),
                    _ => {}
                }
            }
        }
    }
}

#[test]
fn labels_that_read_as_numbers_stay_text() {
    // Periods of 12 months are labelled `2025`, `2026`, ...
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "plan",
        SMALL,
        "--set",
        "scenario.period_months=12",
        "--set",
        "gpu.910B.max_nodes_per_period=400",
    ];
    let path = written(dir.path(), "annual.xlsx", &args);
    let mut book = open(&path);
    let costs = sheet(&mut book, "costs");
    assert_eq!(text(&costs[0][0]), "period");
    assert_eq!(costs[1][0], Data::String("2025".into()));
    check_table(&costs, json_of(&args)["costs"].as_array().unwrap(), "costs");
}
