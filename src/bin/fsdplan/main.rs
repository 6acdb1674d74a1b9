//! The `fsdplan` command line: parses arguments, reads files, reads the
//! clock, and hands everything else to the library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};

use fsdplan::exit;
use fsdplan::model::PlanInput;
use fsdplan::plan::{plan, PlanOptions};
use fsdplan::report::{check_tables, csv_tables, plan_tables, RunFacts, TableStyle, TextTable};
use fsdplan::scenario::{self, LoadedScenario};
use fsdplan::solve::{Clock, Limits, MicroLp};

/// Capacity planner for data centres that train self-driving models on a
/// car fleet's own data.
#[derive(Parser)]
#[command(name = "fsdplan", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a scenario and print the derived quantities to sanity-check.
    Check {
        /// The scenario file (TOML).
        scenario: PathBuf,
        #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
        format: CheckFormat,
    },
    /// Plan a scenario: purchases, capacity, data placement and costs.
    Plan {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// Solve the LP relaxation only (node counts continuous): a lower
        /// bound on the cost of any plan.
        #[arg(long)]
        relax: bool,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Write the result into this directory (one CSV file per table with
        /// --format csv; plan.json, plan.md or plan.txt otherwise).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Relative gap (NPV - bound) / NPV at which an integer plan is
        /// optimal.
        #[arg(long, default_value_t = Limits::default().mip_gap, value_parser = parse_gap)]
        mip_gap: f64,
        /// Seconds the integer search may take.
        #[arg(long, default_value_t = Limits::default().time_limit, value_parser = parse_seconds)]
        time_limit: f64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Table,
    Markdown,
}

fn parse_gap(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..1.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "`{text}` is not a gap; allowed: a number with 0 <= gap < 1, e.g. 0.001"
        )),
    }
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(format!(
            "`{text}` is not a time limit; allowed: seconds > 0, e.g. 30"
        )),
    }
}

/// Wall-clock time since the solve started.
struct WallClock(Instant);

impl Clock for WallClock {
    fn elapsed_seconds(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check { scenario, format } => run_check(&scenario, format),
        Command::Plan {
            scenario,
            relax,
            format,
            out,
            mip_gap,
            time_limit,
        } => {
            let limits = Limits {
                mip_gap,
                time_limit,
                ..Limits::default()
            };
            run_plan(
                &scenario,
                PlanOptions { relax, limits },
                format,
                out.as_deref(),
            )
        }
    };
    ExitCode::from(code as u8)
}

fn load(path: &Path) -> Result<LoadedScenario, i32> {
    let mut read = |p: &Path| std::fs::read_to_string(p);
    scenario::load(path, &mut read).map_err(|error| {
        eprint!("{error}");
        exit::BAD_INPUT
    })
}

fn print_tables(tables: &[TextTable], style: TableStyle) -> String {
    tables
        .iter()
        .map(|t| t.render(style))
        .collect::<Vec<_>>()
        .join("\n")
}

fn run_check(path: &Path, format: CheckFormat) -> i32 {
    let loaded = match load(path) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let input = PlanInput::new(&loaded.scenario);
    let style = match format {
        CheckFormat::Table => TableStyle::Terminal,
        CheckFormat::Markdown => TableStyle::Markdown,
    };
    println!("{}: valid\n", path.display());
    print!("{}", print_tables(&check_tables::all(&input), style));
    exit::SUCCESS
}

fn run_plan(path: &Path, options: PlanOptions, format: Format, out: Option<&Path>) -> i32 {
    let loaded = match load(path) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let scenario = &loaded.scenario;
    let clock = WallClock(Instant::now());
    let run = plan(scenario, options, &MicroLp, &clock);
    let solve_seconds = clock.elapsed_seconds();
    let report = run.report();
    let facts = RunFacts {
        solve_seconds: Some(solve_seconds),
    };
    let gpus_per_node = |name: &str| {
        scenario
            .gpus
            .iter()
            .find(|g| g.name == name)
            .map(|g| g.gpus_per_node)
    };
    let tables = || plan_tables::all(&report, facts, run.input.seconds, &gpus_per_node);
    let files: Vec<(&str, String)> = match format {
        Format::Table => vec![("plan.txt", print_tables(&tables(), TableStyle::Terminal))],
        Format::Markdown => vec![("plan.md", print_tables(&tables(), TableStyle::Markdown))],
        Format::Json => vec![(
            "plan.json",
            serde_json::to_string_pretty(&report).expect("the report serialises") + "\n",
        )],
        Format::Csv => match csv_tables::tables(&report) {
            Ok(files) => files,
            Err(error) => {
                eprintln!("error: cannot write CSV: {error}");
                return exit::OUTPUT_FAILURE;
            }
        },
    };
    match out {
        Some(dir) => {
            if let Err(code) = write_files(dir, &files) {
                return code;
            }
        }
        None => {
            if files.len() > 1 {
                eprintln!(
                    "note: printing {} only; use --out DIR for every table",
                    files[0].0
                );
            }
            print!("{}", files[0].1);
        }
    }
    if let Some(message) = &report.message {
        eprintln!("{}: {message}", report.status);
    }
    exit::for_status(report.status)
}

fn write_files(dir: &Path, files: &[(&str, String)]) -> Result<(), i32> {
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
