//! The `fsdplan` command line: parses arguments, reads files, reads the
//! clock, draws progress, and hands everything else to the library.

mod commands;
mod interrupt;
mod output;
mod progress;
mod solver_work;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use fsdplan::plan::PlanOptions;
use fsdplan::scenario::Override;
use fsdplan::solve::Limits;
use fsdplan::studies::sweep::{Axis, Shard};

use output::OutputArgs;

/// Capacity planner for data centres that train self-driving models on a
/// car fleet's own data.
#[derive(Parser)]
#[command(name = "fsdplan", version, about, long_about = None, max_term_width = 100)]
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
        #[command(flatten)]
        output: OutputArgs,
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
        #[command(flatten)]
        output: OutputArgs,
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
        #[command(flatten)]
        solve: SolveArgs,
        #[command(flatten)]
        jobs: JobArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Near-optimal alternatives: with the NPV held within --slack of the
    /// optimum's, the least and the most of each metric, each an audited
    /// plan, so a narrow range reads as a firm decision, a wide one as a
    /// free choice.
    Alternatives {
        /// The scenario file (TOML).
        scenario: PathBuf,
        /// How much more than the optimum's NPV an alternative may cost, as
        /// a share (0.02: 2%).
        #[arg(long, default_value_t = 0.02, value_parser = parse_slack)]
        slack: f64,
        /// A metric to make as small as the slack allows (repeatable):
        /// nodes:GPU[,GPU...], abroad-pb[:CLASS], peak-mw:SITE,
        /// compute:SITE, capex-until:PERIOD, made-for:JURISDICTION. With
        /// no --min and no --max: every GPU's nodes, the PB abroad and
        /// every capped site's peak, both ways.
        #[arg(long = "min", value_name = "METRIC")]
        min: Vec<String>,
        /// A metric to make as large as the slack allows (repeatable), as
        /// for --min.
        #[arg(long = "max", value_name = "METRIC")]
        max: Vec<String>,
        /// Add N maximally different alternatives (hop-skip-jump): each,
        /// within the slack, buys as little as it can on the GPU and site
        /// pairs the optimum and the alternatives before it bought.
        #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=20))]
        distinct: u16,
        #[command(flatten)]
        overrides: OverrideArgs,
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
        /// Sites: the first in the home jurisdiction, the others abroad,
        /// each with a link from the first.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=200))]
        sites: u16,
        /// Planning periods.
        #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..=240))]
        periods: u16,
        /// GPU options, with prices, power and export rules.
        #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u16).range(1..=100))]
        gpus: u16,
        /// Data classes, with retention and where each may be kept.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=50))]
        classes: u16,
        /// Storage tiers.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=20))]
        tiers: u16,
        /// Months per period: 1, 3, 6 or 12.
        #[arg(long, default_value_t = 3, value_parser = parse_period_months)]
        period_months: u32,
        /// Seed of the random numbers: the same seed and flags give the same
        /// file.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Events of two outcomes each (a ban, the fleet's growth, a
        /// price), for 2^N futures (SPEC.md section 7).
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=8))]
        events: u16,
        /// Write the scenario to this file instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print the JSON Schema of the scenario file format, for editors
    /// (shipped as configs/fsdplan.schema.json; README "For planners").
    Schema {
        /// Write it to this file instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print a shell's completion script for fsdplan (README "For
    /// planners" says where each shell reads it).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print fsdplan's man page (roff), e.g. `fsdplan man > fsdplan.1`,
    /// or write a page per command into a directory.
    Man {
        /// Write fsdplan.1 and a page per command (fsdplan-plan.1, ...)
        /// into this directory, made if need be, instead.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
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
        /// The first plan: a scenario file (TOML, planned now) or a plan
        /// JSON file (`plan --format json`).
        a: PathBuf,
        /// The second plan, compared with the first (B - A).
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
    /// Branch-and-bound nodes the integer search of one plan may explore:
    /// the limit that ends a search the same way on any machine.
    #[arg(long, default_value_t = Limits::default().max_nodes as u64, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    max_nodes: u64,
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
    /// Also print, on standard error, what the solving took: the model's
    /// size, each stage's time and the integer search (one plan), and
    /// the backend's work over every plan of the command.
    #[arg(long, short)]
    verbose: bool,
    /// No progress line on standard error (it is drawn only when standard
    /// error is a terminal, and cleared when the work is done).
    #[arg(long, short)]
    quiet: bool,
}

impl SolveArgs {
    fn options(&self) -> PlanOptions {
        PlanOptions {
            relax: self.relax,
            limits: Limits {
                mip_gap: self.mip_gap,
                time_limit: self.time_limit,
                max_nodes: usize::try_from(self.max_nodes).unwrap_or(usize::MAX),
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

fn parse_slack(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "`{text}` is not a slack; allowed: a share with 0 <= slack <= 1, e.g. 0.02 for 2%"
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
    /// The output flags of a command that writes results.
    fn output_args(&mut self) -> Option<&mut OutputArgs> {
        match self {
            Command::Check { output, .. }
            | Command::Plan { output, .. }
            | Command::Report { output, .. }
            | Command::Hedge { output, .. }
            | Command::Compare { output, .. }
            | Command::Sweep { output, .. }
            | Command::Merge { output, .. }
            | Command::Alternatives { output, .. }
            | Command::Explain { output, .. }
            | Command::Audit { output, .. }
            | Command::Diff { output, .. } => Some(output),
            Command::Generate { .. }
            | Command::Schema { .. }
            | Command::Completions { .. }
            | Command::Man { .. } => None,
        }
    }

    /// The solve flags of a command that plans.
    fn solve_args(&self) -> Option<&SolveArgs> {
        match self {
            Command::Plan { solve, .. }
            | Command::Report { solve, .. }
            | Command::Explain { solve, .. }
            | Command::Compare { solve, .. }
            | Command::Hedge { solve, .. }
            | Command::Sweep { solve, .. }
            | Command::Alternatives { solve, .. }
            | Command::Diff { solve, .. } => Some(solve),
            _ => None,
        }
    }
}

/// The command line, each command's `--format` accepting (and its help
/// listing) only the formats it has.
fn command_line() -> clap::Command {
    let mut command = Cli::command();
    for (name, outputs) in output::COMMAND_OUTPUTS {
        command = command.mut_subcommand(*name, |sub| {
            sub.mut_arg("format", |arg| {
                arg.value_parser(output::format_parser(outputs.formats))
                    .help(output::format_help(*outputs))
            })
            .mut_arg("out", |arg| arg.help(output::out_help(*outputs)))
        });
    }
    command
}

fn parse() -> Result<Cli, i32> {
    let matches = command_line().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    if let (Some(name), Some(output)) = (matches.subcommand_name(), cli.command.output_args()) {
        let name = output::COMMAND_OUTPUTS
            .iter()
            .map(|(command, _)| *command)
            .find(|command| *command == name)
            .unwrap_or("fsdplan");
        if let Err(message) = output.bind(name) {
            eprintln!("error: {message}");
            return Err(fsdplan::exit::USAGE);
        }
        let overrides = matches
            .subcommand()
            .and_then(|(_, sub)| sub.try_get_raw("overrides").ok().flatten())
            .map(|raw| raw.map(|o| o.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        output.note_overrides(overrides);
    }
    Ok(cli)
}

fn main() -> ExitCode {
    commands::start_clock();
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code as u8),
    };
    let verbose = cli.command.solve_args().is_some_and(|solve| solve.verbose);
    progress::set_quiet(cli.command.solve_args().is_some_and(|solve| solve.quiet));
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
            output,
        } => commands::check(&scenario, &overrides.overrides, &output),
        Command::Plan {
            scenario,
            overrides,
            solve,
            output,
            explain,
            write_lp,
            future,
        } => commands::plan(
            &scenario,
            &overrides.overrides,
            solve.options(),
            &output,
            commands::PlanExtras {
                explain,
                write_lp: write_lp.as_deref(),
                verbose: solve.verbose,
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
            &output,
            solve.verbose,
        ),
        Command::Explain {
            scenario,
            overrides,
            solve,
            output,
        } => commands::explain(
            &scenario,
            &overrides.overrides,
            solve.options(),
            &output,
            solve.verbose,
        ),
        Command::Hedge {
            scenario,
            overrides,
            solve,
            jobs,
            output,
        } => commands::hedge(
            &scenario,
            &overrides.overrides,
            solve.options(),
            jobs.jobs,
            &output,
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
            solve,
            jobs,
            output,
        } => commands::sweep(&scenario, axes, shard, solve.options(), jobs.jobs, &output),
        Command::Merge { files, output } => commands::merge(&files, &output),
        Command::Alternatives {
            scenario,
            slack,
            min,
            max,
            distinct,
            overrides,
            solve,
            jobs,
            output,
        } => commands::alternatives(
            &scenario,
            &overrides.overrides,
            commands::AlternativesArgs {
                slack,
                min: &min,
                max: &max,
                distinct: usize::from(distinct),
            },
            solve.options(),
            jobs.jobs,
            &output,
        ),
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
        Command::Schema { output } => commands::schema(output.as_deref()),
        Command::Completions { shell } => commands::completions(shell, command_line()),
        Command::Man { out } => commands::man(command_line(), out.as_deref()),
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
    if verbose {
        commands::print_solver_work();
    }
    // A run the user interrupted says so, whatever it printed (unless its
    // output could not even be written).
    let code = if interrupt::requested() && code != fsdplan::exit::OUTPUT_FAILURE {
        fsdplan::exit::INTERRUPTED
    } else {
        code
    };
    ExitCode::from(code as u8)
}

#[cfg(test)]
mod tests {
    /// Every argument of every command says what it is for.
    #[test]
    fn every_argument_has_help() {
        let command = super::command_line();
        command.clone().debug_assert();
        let mut missing = Vec::new();
        for sub in command.get_subcommands() {
            for arg in sub.get_arguments() {
                if arg.get_help().is_none() && !arg.is_hide_set() {
                    missing.push(format!("{} {}", sub.get_name(), arg.get_id()));
                }
            }
        }
        assert!(missing.is_empty(), "no help text: {missing:?}");
    }
}
