//! Where results go: standard output, one file (`-o FILE`) or files in a
//! directory (`--out DIR`), in the formats the command has.

use std::path::{Path, PathBuf};

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, ValueEnum};

use fsdplan::exit;
use fsdplan::report::{TableStyle, TextTable};

/// The output formats; each command has some of them ([`Outputs`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables for a terminal or a plain-text paste.
    Table,
    /// The machine-readable result (docs/results.md).
    Json,
    /// One CSV file per table, units in the headers (docs/results.md).
    Csv,
    /// GitHub-flavoured Markdown tables, for a review.
    Markdown,
    /// A self-contained HTML page with charts, for a browser or print.
    Html,
    /// An Excel workbook: a summary sheet, then one sheet per table.
    Xlsx,
}

impl Format {
    /// The file extension of a result written in this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Xlsx => "xlsx",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Xlsx => "xlsx",
        }
    }

    /// The format a file name's extension asks for (`-o plan.html`).
    fn of_file(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Format::value_variants().iter().copied().find(|f| {
            f.extension() == extension || (extension == "markdown" && *f == Format::Markdown)
        })
    }
}

/// What one command can write.
#[derive(Clone, Copy, Debug)]
pub struct Outputs {
    /// Its formats, the first the default.
    pub formats: &'static [Format],
    /// The name of the file `--out DIR` writes (`plan` for `plan.json`);
    /// a CSV of one table is `STEM.csv`.
    pub stem: &'static str,
    /// The files its CSV makes (one per table).
    pub csv_files: usize,
}

use Format::{Csv, Html, Json, Markdown, Table, Xlsx};

/// Every command's outputs, by the name it is called with. `--help` lists
/// these formats only, and a run checks its choice before any work.
pub const COMMAND_OUTPUTS: &[(&str, Outputs)] = &[
    (
        "check",
        Outputs {
            formats: &[Table, Json, Markdown],
            stem: "check",
            csv_files: 0,
        },
    ),
    (
        "plan",
        Outputs {
            formats: &[Table, Json, Csv, Markdown, Html, Xlsx],
            stem: "plan",
            csv_files: 8,
        },
    ),
    (
        "report",
        Outputs {
            formats: &[Html],
            stem: "plan",
            csv_files: 0,
        },
    ),
    (
        "hedge",
        Outputs {
            formats: &[Table, Json, Csv, Markdown, Html, Xlsx],
            stem: "hedge",
            csv_files: 3,
        },
    ),
    (
        "compare",
        Outputs {
            formats: &[Table, Json, Csv, Markdown, Html, Xlsx],
            stem: "compare",
            csv_files: 1,
        },
    ),
    (
        "sweep",
        Outputs {
            formats: &[Table, Json, Csv, Markdown, Html, Xlsx],
            stem: "sweep",
            csv_files: 1,
        },
    ),
    (
        "merge",
        Outputs {
            formats: &[Table, Json, Csv, Markdown, Html, Xlsx],
            stem: "sweep",
            csv_files: 1,
        },
    ),
    (
        "alternatives",
        Outputs {
            formats: &[Table, Json, Csv, Markdown, Html, Xlsx],
            stem: "alternatives",
            csv_files: 1,
        },
    ),
    (
        "explain",
        Outputs {
            formats: &[Table, Json, Csv, Markdown, Xlsx],
            stem: "explain",
            csv_files: 2,
        },
    ),
    (
        "audit",
        Outputs {
            formats: &[Table, Json, Csv, Markdown, Xlsx],
            stem: "audit",
            csv_files: 1,
        },
    ),
    (
        "diff",
        Outputs {
            formats: &[Table, Json, Csv, Markdown, Xlsx],
            stem: "diff",
            csv_files: 3,
        },
    ),
];

/// The outputs of the command called `name`.
pub fn outputs_of(name: &str) -> Option<Outputs> {
    COMMAND_OUTPUTS
        .iter()
        .find(|(command, _)| *command == name)
        .map(|(_, outputs)| *outputs)
}

/// `--format`'s help for a command: its default and the extensions of -o
/// that name its formats.
pub fn format_help(outputs: Outputs) -> String {
    let extensions = outputs
        .formats
        .iter()
        .map(|f| format!(".{} {}", f.extension(), f.name()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "The output format (default: {}, or the one the extension of -o names: {extensions})",
        outputs.formats[0].name()
    )
}

/// What `--out DIR` writes for a command: CSV files only where it has them.
pub fn out_help(outputs: Outputs) -> String {
    let stem = outputs.stem;
    let file = outputs
        .formats
        .iter()
        .filter(|f| **f != Format::Csv)
        .map(|f| format!("{stem}.{}", f.extension()))
        .collect::<Vec<_>>()
        .join(", ");
    match outputs.csv_files {
        0 => format!("Write the result into this directory (made if need be) as {file}"),
        1 => format!(
            "Write the result into this directory (made if need be) as {file}, or {stem}.csv"
        ),
        n => format!(
            "Write the result into this directory (made if need be) as {file}, or {n} CSV files (one per table) with --format csv"
        ),
    }
}

/// A `--format` that accepts, and whose help lists, only `formats`.
pub fn format_parser(formats: &'static [Format]) -> impl TypedValueParser<Value = Format> {
    let values = formats
        .iter()
        .filter_map(|f| f.to_possible_value())
        .collect::<Vec<_>>();
    PossibleValuesParser::new(values)
        .map(|name: String| Format::from_str(&name, false).expect("a listed format parses"))
}

/// `--format`, `-o FILE` and `--out DIR`.
#[derive(Args, Clone, Debug)]
pub struct OutputArgs {
    /// The output format (default: the first listed below, or the one the
    /// extension of -o names: .txt table, .json, .csv, .md markdown, .html).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the result to this one file instead of standard output.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "FILE",
        conflicts_with = "out"
    )]
    pub file: Option<PathBuf>,
    /// Write the result into this directory, made if need be: one CSV file
    /// per table with --format csv, else one file named for the command
    /// (plan.json, compare.html, ...).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The command's outputs and the checked choice, set once parsed
    /// ([`OutputArgs::bind`]).
    #[arg(skip)]
    chosen: Option<(Outputs, Output)>,
    /// The run's `--set` overrides as typed, for the workbook's summary.
    #[arg(skip)]
    overrides: Vec<String>,
}

/// Where a result goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    Stdout,
    File(PathBuf),
    Dir(PathBuf),
}

/// A checked output choice: a format the command has, and where it goes.
#[derive(Clone, Debug, PartialEq)]
pub struct Output {
    pub format: Format,
    pub target: Target,
}

impl OutputArgs {
    /// Ties the flags to the command they came with, and checks them
    /// before any work is done.
    pub fn bind(&mut self, command: &'static str) -> Result<(), String> {
        let outputs =
            outputs_of(command).ok_or_else(|| format!("`{command}` writes no results"))?;
        self.chosen = Some((outputs, self.resolve(command, outputs)?));
        Ok(())
    }

    /// Records the run's `--set` overrides as typed (the workbook's
    /// summary lists them).
    pub fn note_overrides(&mut self, overrides: Vec<String>) {
        self.overrides = overrides;
    }

    /// The directory of `--out DIR`, where a command may write files
    /// beside its result (alternatives' plans).
    pub fn out_dir(&self) -> Option<&Path> {
        match &self.chosen {
            Some((
                _,
                Output {
                    target: Target::Dir(dir),
                    ..
                },
            )) => Some(dir),
            _ => None,
        }
    }

    /// Whether the result goes to standard output as tables (table or
    /// markdown), so that what they say need not be said again on stderr.
    pub fn tables_on_stdout(&self) -> bool {
        self.chosen.as_ref().is_some_and(|(_, o)| {
            o.target == Target::Stdout && matches!(o.format, Format::Table | Format::Markdown)
        })
    }

    /// The choice, checked against what `command` can write before any
    /// work is done: a format it has, one file only where the result is
    /// one file, never a directory given as `-o FILE`, and no workbook to
    /// a terminal.
    fn resolve(&self, command: &str, outputs: Outputs) -> Result<Output, String> {
        let default = outputs.formats[0];
        let format = match (self.format, &self.file) {
            (Some(format), _) => format,
            (None, Some(file)) => Format::of_file(file).unwrap_or(default),
            (None, None) => default,
        };
        if !outputs.formats.contains(&format) {
            let names: Vec<&str> = outputs.formats.iter().map(|f| f.name()).collect();
            let hint = match &self.file {
                Some(file) if self.format.is_none() => {
                    format!(" (named by the extension of {})", file.display())
                }
                _ => String::new(),
            };
            return Err(format!(
                "`{command}` has no {} output{hint}; allowed: --format {}",
                format.name(),
                names.join(", ")
            ));
        }
        let target = match (&self.file, &self.out) {
            (Some(file), _) => {
                if file.is_dir() {
                    return Err(format!(
                        "-o {}: it is a directory; allowed: a file name, or --out DIR to write into a directory",
                        file.display()
                    ));
                }
                if format == Format::Csv && outputs.csv_files > 1 {
                    return Err(format!(
                        "-o {}: `{command}` writes {} CSV files (one per table); use --out DIR for them, or -o FILE with another format",
                        file.display(),
                        outputs.csv_files
                    ));
                }
                Target::File(file.clone())
            }
            (None, Some(dir)) => {
                if dir.exists() && !dir.is_dir() {
                    return Err(format!(
                        "--out {}: it is a file; allowed: a directory (made if it does not exist), or -o FILE to write one file",
                        dir.display()
                    ));
                }
                Target::Dir(dir.clone())
            }
            (None, None) => Target::Stdout,
        };
        if format == Format::Xlsx
            && target == Target::Stdout
            && std::io::IsTerminal::is_terminal(&std::io::stdout())
        {
            return Err("a workbook is binary and standard output is a terminal; allowed: -o FILE.xlsx, --out DIR, or standard output redirected to a file".into());
        }
        Ok(Output { format, target })
    }
}

/// Tables rendered one after another.
pub fn render_tables(tables: &[TextTable], style: TableStyle) -> String {
    tables
        .iter()
        .map(|t| t.render(style))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A result's CSV files: each file's name and text.
pub type CsvFiles = Result<Vec<(&'static str, String)>, csv::Error>;

/// A result in every format the command has (its `--out` file is named by
/// [`Outputs::stem`]).
pub struct Rendered<'a> {
    pub tables: &'a dyn Fn() -> Vec<TextTable>,
    pub json: &'a dyn Fn() -> String,
    /// The CSV files, for the commands that have them.
    pub csv: Option<&'a dyn Fn() -> CsvFiles>,
    /// The HTML report, for the commands that have one.
    pub html: Option<&'a dyn Fn() -> String>,
}

impl OutputArgs {
    /// Prints or writes a result in the chosen format.
    pub fn emit(&self, result: Rendered) -> Result<(), i32> {
        let Some((outputs, output)) = &self.chosen else {
            eprintln!("error: the output flags were not checked");
            return Err(exit::USAGE);
        };
        let stem = outputs.stem;
        let file = |ext: &str| format!("{stem}.{ext}");
        let text = |name: String, text: String| (name, text.into_bytes());
        let files: Vec<(String, Vec<u8>)> = match output.format {
            Format::Table => vec![text(
                file("txt"),
                render_tables(&(result.tables)(), TableStyle::Terminal),
            )],
            Format::Markdown => vec![text(
                file("md"),
                render_tables(&(result.tables)(), TableStyle::Markdown),
            )],
            Format::Json => vec![text(file("json"), (result.json)())],
            Format::Html => match result.html {
                Some(html) => vec![text(file("html"), html())],
                None => {
                    eprintln!(
                        "error: this result has no HTML page; use table, json, csv or markdown"
                    );
                    return Err(exit::USAGE);
                }
            },
            Format::Csv | Format::Xlsx => {
                let tables = match result.csv.map(|csv| csv()) {
                    Some(Ok(files)) => files,
                    Some(Err(error)) => {
                        eprintln!("error: cannot write CSV: {error}");
                        return Err(exit::OUTPUT_FAILURE);
                    }
                    None => {
                        eprintln!("error: this result has no tables for CSV or a workbook; use table, json or markdown");
                        return Err(exit::USAGE);
                    }
                };
                if output.format == Format::Xlsx {
                    vec![(file("xlsx"), self.workbook(&(result.json)(), &tables)?)]
                } else {
                    tables
                        .into_iter()
                        .map(|(name, csv)| text(name.to_string(), csv))
                        .collect()
                }
            }
        };
        match &output.target {
            Target::Dir(dir) => write_files(dir, &files),
            Target::File(path) => {
                if files.len() > 1 {
                    eprintln!(
                        "error: -o {}: this result is {} files; use --out DIR",
                        path.display(),
                        files.len()
                    );
                    return Err(exit::USAGE);
                }
                write_bytes(path, &files[0].1)
            }
            Target::Stdout => {
                if files.len() > 1 {
                    eprintln!(
                        "note: printing {} only; use --out DIR for every table",
                        files[0].0
                    );
                }
                print_bytes(&files[0].1)
            }
        }
    }

    /// The result as an Excel workbook ([`fsdplan::report::workbook`]).
    fn workbook(&self, json: &str, tables: &[(&'static str, String)]) -> Result<Vec<u8>, i32> {
        let value: serde_json::Value =
            serde_json::from_str(json).expect("the result's JSON parses");
        fsdplan::report::workbook::workbook(&fsdplan::report::workbook::WorkbookInput {
            json: &value,
            tables,
            overrides: &self.overrides,
            version: env!("CARGO_PKG_VERSION"),
        })
        .map_err(|error| {
            eprintln!("error: cannot write the workbook: {error}");
            exit::OUTPUT_FAILURE
        })
    }
}

/// Pretty JSON with a final newline, its numbers tidied
/// ([`fsdplan::numbers::tidy_json`]).
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut value = serde_json::to_value(value).expect("results serialise to JSON");
    fsdplan::numbers::tidy_json(&mut value);
    serde_json::to_string_pretty(&value).expect("results serialise to JSON") + "\n"
}

/// Writes each (name, contents) into `dir`, made if need be.
pub fn write_files<C: AsRef<[u8]>>(dir: &Path, files: &[(String, C)]) -> Result<(), i32> {
    std::fs::create_dir_all(dir).map_err(|e| cannot_write(dir, e))?;
    for (name, contents) in files {
        write_bytes(&dir.join(name), contents.as_ref())?;
    }
    Ok(())
}

fn cannot_write(what: &Path, error: std::io::Error) -> i32 {
    eprintln!("error: cannot write {}: {error}", what.display());
    exit::OUTPUT_FAILURE
}

/// Writes a file atomically: into a temporary file beside it, flushed to
/// disk, then renamed over the target. A run that fails or is interrupted
/// never leaves a half-written file, and never clobbers the previous one.
///
/// A target that exists and is not a regular file (`/dev/null`,
/// `/dev/stdout`, a named pipe) is written into, never renamed over: a
/// rename would replace the device with a plain file (as root, `-o
/// /dev/null` would turn the machine's `/dev/null` into a file that every
/// later program reads back).
pub fn write_file(path: &Path, contents: &str) -> Result<(), i32> {
    write_bytes(path, contents.as_bytes())
}

/// [`write_file`] of bytes (a workbook).
pub fn write_bytes(path: &Path, contents: &[u8]) -> Result<(), i32> {
    write_atomically(path, contents).map_err(|e| cannot_write(path, e))
}

fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory; allowed: a file name",
        ));
    }
    if let Ok(existing) = std::fs::metadata(path) {
        if !existing.file_type().is_file() {
            let mut special = std::fs::OpenOptions::new().write(true).open(path)?;
            return special.write_all(contents).and_then(|()| special.flush());
        }
    }
    // The previous file's permissions, or the usual ones for a new file
    // (a temporary file is created private).
    let permissions = std::fs::metadata(path).ok().map(|m| m.permissions());
    let mut temporary = tempfile::Builder::new()
        .prefix(".fsdplan-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temporary.write_all(contents)?;
    temporary.as_file().sync_all()?;
    match permissions {
        Some(permissions) => temporary.as_file().set_permissions(permissions)?,
        None => set_usual_permissions(temporary.as_file())?,
    }
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn set_usual_permissions(file: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_usual_permissions(_: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

/// Prints to standard output. A closed pipe (`fsdplan ... | head`) ends
/// the output quietly, and the command keeps its usual exit status; any
/// other failure to write is an output failure.
pub fn print_out(text: &str) -> Result<(), i32> {
    print_bytes(text.as_bytes())
}

/// [`print_out`] of bytes.
pub fn print_bytes(bytes: &[u8]) -> Result<(), i32> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => {
            eprintln!("error: cannot write to standard output: {error}");
            Err(exit::OUTPUT_FAILURE)
        }
    }
}
