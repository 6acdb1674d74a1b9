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
                        "error: --format html is for plan, compare, sweep and hedge; \
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
                print_out(&files[0].1)
            }
        }
    }
}

/// Pretty JSON with a final newline.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("results serialise to JSON") + "\n"
}

fn write_files(dir: &Path, files: &[(String, String)]) -> Result<(), i32> {
    std::fs::create_dir_all(dir).map_err(|e| cannot_write(dir, e))?;
    for (name, text) in files {
        write_file(&dir.join(name), text)?;
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
pub fn write_file(path: &Path, contents: &str) -> Result<(), i32> {
    write_atomically(path, contents.as_bytes()).map_err(|e| cannot_write(path, e))
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
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => {
            eprintln!("error: cannot write to standard output: {error}");
            Err(exit::OUTPUT_FAILURE)
        }
    }
}
