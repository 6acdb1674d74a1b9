//! Where results go: standard output, or files in an `--out` directory.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use fsdplan::exit;
use fsdplan::report::{TableStyle, TextTable};

/// Output formats shared by the commands that produce results.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
    Markdown,
    /// A self-contained HTML report with charts (plan, compare, sweep).
    Html,
}

/// `--format` and `--out`.
#[derive(Args)]
pub struct OutputArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the result into this directory (one CSV file per table with
    /// --format csv; one .json, .md, .html or .txt file otherwise) instead
    /// of printing it.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Tables rendered one after another.
pub fn render_tables(tables: &[TextTable], style: TableStyle) -> String {
    tables
        .iter()
        .map(|t| t.render(style))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A result in every format: `stem` names the file written with `--out`.
pub struct Rendered<'a> {
    pub stem: &'a str,
    pub tables: &'a dyn Fn() -> Vec<TextTable>,
    pub json: &'a dyn Fn() -> String,
    pub csv: &'a dyn Fn() -> Result<Vec<(&'static str, String)>, csv::Error>,
    /// The HTML report, for the commands that have one.
    pub html: Option<&'a dyn Fn() -> String>,
}

impl OutputArgs {
    /// Prints or writes a result in the chosen format.
    pub fn emit(&self, result: Rendered) -> Result<(), i32> {
        let file = |ext: &str| format!("{}.{ext}", result.stem);
        let files: Vec<(String, String)> = match self.format {
            Format::Table => vec![(
                file("txt"),
                render_tables(&(result.tables)(), TableStyle::Terminal),
            )],
            Format::Markdown => vec![(
                file("md"),
                render_tables(&(result.tables)(), TableStyle::Markdown),
            )],
            Format::Json => vec![(file("json"), (result.json)())],
            Format::Html => match result.html {
                Some(html) => vec![(file("html"), html())],
                None => {
                    eprintln!(
                        "error: --format html is for plan, compare and sweep; \
                         use table, json, csv or markdown here"
                    );
                    return Err(exit::USAGE);
                }
            },
            Format::Csv => match (result.csv)() {
                Ok(files) => files
                    .into_iter()
                    .map(|(name, text)| (name.to_string(), text))
                    .collect(),
                Err(error) => {
                    eprintln!("error: cannot write CSV: {error}");
                    return Err(exit::OUTPUT_FAILURE);
                }
            },
        };
        match &self.out {
            Some(dir) => write_files(dir, &files),
            None => {
                if files.len() > 1 {
                    eprintln!(
                        "note: printing {} only; use --out DIR for every table",
                        files[0].0
                    );
                }
                print!("{}", files[0].1);
                Ok(())
            }
        }
    }
}

/// Pretty JSON with a final newline.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("results serialise to JSON") + "\n"
}

fn write_files(dir: &Path, files: &[(String, String)]) -> Result<(), i32> {
    let fail = |what: &Path, error: std::io::Error| {
        eprintln!("error: cannot write {}: {error}", what.display());
        exit::OUTPUT_FAILURE
    };
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, e))?;
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| fail(&path, e))?;
    }
    Ok(())
}
