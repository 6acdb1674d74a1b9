//! The `fsdplan` command line: parses arguments, reads files, reads the
//! clock, draws progress, and hands everything else to the library.

mod commands;
mod interrupt;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use fsdplan::plan::PlanOptions;
use fsdplan::scenario::Override;
use fsdplan::solve::Limits;
use fsdplan::studies::sweep::{Axis, Shard};

use output::OutputArgs;

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
        #[command(flatten)]
        overrides: OverrideArgs,
        #[arg(long, value_enum, default_value_t = commands::CheckFormat::Table)]
        format: commands::CheckFormat,
    },
    /// Plan a scenario: purchases, capacity, data placement and costs.
    Plan {
        /// The scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        overrides: OverrideArgs,
        #[command(flatten)]
        solve: SolveArgs,
        #[command(flatten)]
        output: OutputArgs,
        /// Also explain the plan: binding limits with their value, and the
        /// marginal costs of training compute and storage.
        #[arg(long)]
        explain: bool,
        /// Also write the model in CPLEX LP format, with readable names, to
        /// this file (before solving), for any other solver or a person.
        #[arg(long, value_name = "FILE")]
        write_lp: Option<PathBuf>,
        /// Also print, on standard error, the model's size, the time spent
        /// loading, building, solving and reporting, and what each stage of
        /// the integer search found.
        #[arg(long, short)]
        verbose: bool,
        /// With events: plan this one future alone, with perfect foresight
        /// (its name is its outcomes joined by `/`, as `check` lists them),
        /// instead of the hedged plan of all futures.
        #[arg(long, value_name = "NAME")]
        future: Option<String>,
    },
    /// Plan a scenario and write a self-contained HTML report with charts:
    /// one file, no network or scripts, for a browser, a review or print.
    Report {
        /// The scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        overrides: OverrideArgs,
        #[command(flatten)]
        solve: SolveArgs,
        /// The HTML file to write (default: standard output).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// What hedging is worth on a scenario with events: the hedged plan,
    /// each future planned with foresight (wait-and-see, EVPI), the plan
    /// that bets on each future (VSS), and every plan's regret.
    Hedge {
        /// The scenario file (TOML), with [[event]] tables.
        scenario: PathBuf,
        #[command(flatten)]
        overrides: OverrideArgs,
        #[command(flatten)]
        solve: SolveArgs,
        #[command(flatten)]
        jobs: JobArgs,
        #[command(flatten)]
        output: OutputArgs,
        /// No progress bar (it is drawn only when stderr is a terminal).
        #[arg(long, short)]
        quiet: bool,
    },
    /// Plan once per GPU option (only that option may be bought) and once
    /// with every option; one row each, best NPV first.
    Compare {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// The options to compare, e.g. H20,910B (default: every GPU of the
        /// scenario).
        #[arg(long, value_delimiter = ',')]
        gpus: Vec<String>,
        #[command(flatten)]
        overrides: OverrideArgs,
        #[command(flatten)]
        solve: SolveArgs,
        #[command(flatten)]
        jobs: JobArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Plan every combination of swept values: --set PATH=V1,V2,... or
    /// --set PATH=A..B/N (N evenly spaced values from A to B).
    Sweep {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// A swept parameter; repeat for a grid (the first varies slowest).
        #[arg(long = "set", value_name = "PATH=VALUES", value_parser = Axis::parse, required = true)]
        axes: Vec<Axis>,
        /// Solve only shard I of N (1 <= I <= N): every N-th point from
        /// point I-1. Join the shards' JSON outputs with `fsdplan merge`.
        #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
        shard: Option<Shard>,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
        #[command(flatten)]
        solve: SolveArgs,
        #[command(flatten)]
        jobs: JobArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Join the JSON outputs of `sweep --shard` into one sweep.
    Merge {
        /// Shard outputs (`sweep --format json`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Explain a plan: the limits that bind, ranked by what one more unit
    /// of each is worth, and the marginal costs of training compute and
    /// storage per site and period.
    Explain {
        /// The scenario file (TOML).
        scenario: PathBuf,
        #[command(flatten)]
        overrides: OverrideArgs,
        #[command(flatten)]
        solve: SolveArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Write a generated scenario: realistically scaled prices, power and
    /// data volumes, export rules, foreign sites with links. For benchmarks,
    /// tests and as a starting point.
    Generate {
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=200))]
        sites: u16,
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..=240))]
        periods: u16,
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u16).range(1..=100))]
        gpus: u16,
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=50))]
        classes: u16,
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=20))]
        tiers: u16,
        /// Months per period: 1, 3, 6 or 12.
        #[arg(long, default_value_t = 3, value_parser = parse_period_months)]
        period_months: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Events of two outcomes each (a ban, the fleet's growth, a
        /// price), for 2^N futures (SPEC.md section 7).
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=8))]
        events: u16,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Re-check a plan (the JSON of `plan --format json`) against the
    /// scenario's rules, with code separate from the model builder; exits 7
    /// on any violation.
    Audit {
        /// The scenario file (TOML) the plan was made for.
        scenario: PathBuf,
        /// The plan (`plan --format json`), a hedged plan too.
        plan: PathBuf,
        #[command(flatten)]
        overrides: OverrideArgs,
        /// With events: the plan is of this one future (`plan --future`).
        #[arg(long, value_name = "NAME")]
        future: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Compare two plans: cost per category and per year, the NPV change,
    /// and the decisions that changed. A and B are scenario files (planned
    /// first) or plan JSON files (`plan --format json`).
    Diff {
        a: PathBuf,
        b: PathBuf,
        /// Leave out cost lines that did not change.
        #[arg(long)]
        changes_only: bool,
        #[command(flatten)]
        solve: SolveArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// `--set PATH=VALUE`, repeatable.
#[derive(Args)]
struct OverrideArgs {
    /// Change one scenario value, e.g. fleet.growth_per_year=0.3,
    /// gpu.H20.price_per_node=9e5, site.lingang.power_cap_mw=60.
    #[arg(long = "set", value_name = "PATH=VALUE", value_parser = Override::parse)]
    overrides: Vec<Override>,
}

/// How to solve.
#[derive(Args)]
struct SolveArgs {
    /// Solve the LP relaxation only (node counts continuous): a lower
    /// bound on the cost of any plan.
    #[arg(long)]
    relax: bool,
    /// Relative gap (NPV - bound) / NPV at which an integer plan is
    /// optimal.
    #[arg(long, default_value_t = Limits::default().mip_gap, value_parser = parse_gap)]
    mip_gap: f64,
    /// Seconds the integer search of one plan may take.
    #[arg(long, default_value_t = Limits::default().time_limit, value_parser = parse_seconds)]
    time_limit: f64,
    /// The LP backend: the embedded microlp, or HiGHS in a build with
    /// `--features highs`. The environment variable FSDPLAN_SOLVER sets
    /// the default.
    #[arg(long, value_enum, env = "FSDPLAN_SOLVER", default_value_t = commands::Solver::Microlp)]
    solver: commands::Solver,
    /// Threads for HiGHS (default: its own choice).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
}

impl SolveArgs {
    fn options(&self) -> PlanOptions {
        PlanOptions {
            relax: self.relax,
            limits: Limits {
                mip_gap: self.mip_gap,
                time_limit: self.time_limit,
                ..Limits::default()
            },
        }
    }
}

/// `--jobs N`.
#[derive(Args)]
struct JobArgs {
    /// Plans solved at once (default: one per core).
    #[arg(long, short, value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

fn parse_gap(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..1.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "`{text}` is not a gap; allowed: a number with 0 <= gap < 1, e.g. 0.001"
        )),
    }
}

fn parse_period_months(text: &str) -> Result<u32, String> {
    match text.parse::<u32>() {
        Ok(m @ (1 | 3 | 6 | 12)) => Ok(m),
        _ => Err(format!(
            "`{text}` is not a period length; allowed: 1, 3, 6 or 12 months"
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

impl Command {
    /// The solve flags of a command that plans.
    fn solve_args(&self) -> Option<&SolveArgs> {
        match self {
            Command::Plan { solve, .. }
            | Command::Report { solve, .. }
            | Command::Explain { solve, .. }
            | Command::Compare { solve, .. }
            | Command::Hedge { solve, .. }
            | Command::Sweep { solve, .. }
            | Command::Diff { solve, .. } => Some(solve),
            _ => None,
        }
    }
}

fn main() -> ExitCode {
    commands::start_clock();
    let cli = Cli::parse();
    // The backend is chosen once, before any command runs.
    if let Some(solve) = cli.command.solve_args() {
        if let Err(code) = commands::choose_solver(solve.solver, solve.threads) {
            return ExitCode::from(code as u8);
        }
        interrupt::install();
    }
    let code = match cli.command {
        Command::Check {
            scenario,
            overrides,
            format,
        } => commands::check(&scenario, &overrides.overrides, format),
        Command::Plan {
            scenario,
            overrides,
            solve,
            output,
            explain,
            write_lp,
            verbose,
            future,
        } => commands::plan(
            &scenario,
            &overrides.overrides,
            solve.options(),
            &output,
            commands::PlanExtras {
                explain,
                write_lp: write_lp.as_deref(),
                verbose,
                future: future.as_deref(),
            },
        ),
        Command::Report {
            scenario,
            overrides,
            solve,
            output,
        } => commands::report(
            &scenario,
            &overrides.overrides,
            solve.options(),
            output.as_deref(),
        ),
        Command::Explain {
            scenario,
            overrides,
            solve,
            output,
        } => commands::explain(&scenario, &overrides.overrides, solve.options(), &output),
        Command::Hedge {
            scenario,
            overrides,
            solve,
            jobs,
            output,
            quiet,
        } => commands::hedge(
            &scenario,
            &overrides.overrides,
            solve.options(),
            jobs.jobs,
            &output,
            quiet,
        ),
        Command::Compare {
            scenario,
            gpus,
            overrides,
            solve,
            jobs,
            output,
        } => commands::compare(
            &scenario,
            &overrides.overrides,
            &gpus,
            solve.options(),
            jobs.jobs,
            &output,
        ),
        Command::Sweep {
            scenario,
            axes,
            shard,
            quiet,
            solve,
            jobs,
            output,
        } => commands::sweep(
            &scenario,
            axes,
            shard,
            quiet,
            solve.options(),
            jobs.jobs,
            &output,
        ),
        Command::Merge { files, output } => commands::merge(&files, &output),
        Command::Generate {
            sites,
            periods,
            gpus,
            classes,
            tiers,
            period_months,
            seed,
            events,
            output,
        } => commands::generate(
            fsdplan::generate::GeneratorSpec {
                sites: usize::from(sites),
                events: usize::from(events),
                periods: usize::from(periods),
                gpus: usize::from(gpus),
                classes: usize::from(classes),
                tiers: usize::from(tiers),
                period_months,
                seed,
            },
            output.as_deref(),
        ),
        Command::Audit {
            scenario,
            plan,
            overrides,
            future,
            output,
        } => commands::audit(
            &scenario,
            &plan,
            &overrides.overrides,
            future.as_deref(),
            &output,
        ),
        Command::Diff {
            a,
            b,
            changes_only,
            solve,
            output,
        } => commands::diff(&a, &b, changes_only, solve.options(), &output),
    };
    // A run the user interrupted says so, whatever it printed (unless its
    // output could not even be written).
    let code = if interrupt::requested() && code != fsdplan::exit::OUTPUT_FAILURE {
        fsdplan::exit::INTERRUPTED
    } else {
        code
    };
    ExitCode::from(code as u8)
}
