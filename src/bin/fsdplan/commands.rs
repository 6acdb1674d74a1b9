//! One function per command: read the inputs, call the library, emit the
//! result, return the exit code.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::ValueEnum;

use fsdplan::analyses::plan as plan_scenario;
use fsdplan::exit;
use fsdplan::model::lp_format::{self, LpHeader};
use fsdplan::model::{self, PlanInput};
use fsdplan::plan::PlanOptions;
use fsdplan::report::{
    alternatives_tables, audit_tables, check_tables, compare_tables, csv_tables, diff_tables,
    explain_tables, hedge_tables, hedged_tables, html, plan_tables, sweep_tables,
    verbose::{self, StageSeconds},
    PlanReport, RunFacts, TableStyle,
};
use fsdplan::scenario::{self, Future, LoadedScenario, Override, ScenarioSources};
use fsdplan::studies::compare;
use fsdplan::studies::diff;
use std::sync::OnceLock;

use fsdplan::solve::{Clock, LpBackend, MicroLp};
use fsdplan::studies::sweep::{self, Axis, Grid, Shard, SweepReport};

use crate::output::{
    json, print_out, render_tables, write_file, write_files, OutputArgs, Rendered,
};
use crate::progress::Progress;
use crate::solver_work::{self, Recording};

/// The LP backend chosen with `--solver` (microlp unless chosen), wrapped
/// to record its work for `--verbose`.
static SOLVER: OnceLock<Recording> = OnceLock::new();

fn recording() -> &'static Recording {
    SOLVER.get_or_init(|| Recording::new(Box::new(MicroLp)))
}

fn solver() -> &'static dyn LpBackend {
    recording()
}

/// `--verbose`: what the backend did for every plan of the command, on
/// standard error.
pub fn print_solver_work() {
    let backend = recording();
    let wall = command_clock().elapsed_seconds();
    let table = solver_work::table(backend.name(), &backend.work(), wall);
    eprint!("{}", table.render(TableStyle::Terminal));
}

/// Which backend plans are solved with.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Solver {
    /// The embedded pure-Rust solver (default; no system packages).
    Microlp,
    /// HiGHS (needs a build with `--features highs`).
    Highs,
}

/// Chooses the backend for this run.
pub fn choose_solver(choice: Solver, threads: Option<u32>) -> Result<(), i32> {
    let backend: Box<dyn LpBackend + Send> = match choice {
        Solver::Microlp => Box::new(MicroLp),
        #[cfg(feature = "highs")]
        Solver::Highs => Box::new(fsdplan::solve::Highs { threads }),
        #[cfg(not(feature = "highs"))]
        Solver::Highs => {
            let _ = threads;
            eprintln!(
                "error: this fsdplan was built without HiGHS; build it with \
                 `cargo build --release --features highs` (needs cmake and libclang)"
            );
            return Err(exit::USAGE);
        }
    };
    let _ = SOLVER.set(Recording::new(backend));
    Ok(())
}

/// Wall-clock time since the clock was made.
struct WallClock(Instant);

impl Clock for WallClock {
    fn elapsed_seconds(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }

    fn interrupted(&self) -> bool {
        crate::interrupt::requested()
    }

    fn searched(&self, step: &fsdplan::solve::search::SearchStep) {
        crate::progress::searched(step);
    }
}

/// When the command started. Every search of one command (a plan,
/// compare's options, diff's two sides, explain's plan) measures its time
/// limit from here, so `--time-limit` bounds the whole command. A sweep's
/// points are independent plans: each has the limit to itself.
static STARTED: OnceLock<Instant> = OnceLock::new();

/// Starts the command's clock (first thing in `main`).
pub fn start_clock() {
    STARTED.get_or_init(Instant::now);
}

fn command_clock() -> WallClock {
    WallClock(*STARTED.get_or_init(Instant::now))
}

fn wall_clock() -> Box<dyn Clock> {
    Box::new(command_clock())
}

fn point_clock() -> Box<dyn Clock> {
    Box::new(WallClock(Instant::now()))
}

/// The largest scenario or include file read (SPEC-sized scenarios are a few
/// KiB; a generated one of 50 sites is under 100 KiB).
pub const MAX_SCENARIO_BYTES: u64 = 16 * 1024 * 1024;

/// The largest plan or sweep JSON file read (a sweep of 100,000 points is
/// about 60 MB).
pub const MAX_JSON_BYTES: u64 = 1024 * 1024 * 1024;

/// Reads a scenario or include file: a regular file of at most 16 MiB, so a
/// device (`/dev/zero`), a FIFO or a directory is an error, never a hang.
fn read_file(path: &Path) -> std::io::Result<String> {
    read_bounded(path, MAX_SCENARIO_BYTES)
}

/// Reads a regular file of at most `max` bytes.
fn read_bounded(path: &Path, max: u64) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    let metadata = std::fs::metadata(path)?;
    let kind = metadata.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a directory"
        } else {
            "not a regular file (a device, a FIFO or a socket)"
        };
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("it is {what}; allowed: a regular file"),
        ));
    }
    let too_large = |size: u64| {
        Error::new(
            ErrorKind::InvalidInput,
            format!(
                "it has {} bytes or more; allowed: at most {max} bytes ({} MiB)",
                size,
                max / (1024 * 1024)
            ),
        )
    };
    if metadata.len() > max {
        return Err(too_large(metadata.len()));
    }
    // The size can change after the check (or be reported as 0, as in
    // /proc): read at most one byte more than allowed, whatever it says.
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large(max + 1));
    }
    String::from_utf8(bytes).map_err(|_| Error::new(ErrorKind::InvalidData, "it is not UTF-8 text"))
}

fn load(path: &Path, overrides: &[Override]) -> Result<LoadedScenario, i32> {
    scenario::load_with(path, &mut read_file, overrides).map_err(|error| {
        eprint!("{error}");
        exit::BAD_INPUT
    })
}

fn override_texts(overrides: &[Override]) -> Vec<String> {
    overrides.iter().map(|o| o.text().to_string()).collect()
}

/// Runs `work` on a pool of `jobs` threads (default: one per core).
fn with_jobs<T: Send>(jobs: Option<u16>, work: impl FnOnce() -> T + Send) -> Result<T, i32> {
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(jobs) = jobs {
        pool = pool.num_threads(usize::from(jobs));
    }
    match pool.build() {
        Ok(pool) => Ok(pool.install(work)),
        Err(error) => {
            eprintln!("error: cannot start worker threads: {error}");
            Err(exit::SOLVER_FAILURE)
        }
    }
}

/// `report`: `plan` with its only format, the HTML page (to a file, a
/// directory or standard output). Exits like `plan`; an infeasible
/// scenario still gets its page (with the reasons), and the exit code says
/// it has no plan.
pub fn report(
    path: &Path,
    overrides: &[Override],
    options: PlanOptions,
    output: &OutputArgs,
    verbose: bool,
) -> i32 {
    let extras = PlanExtras {
        explain: false,
        write_lp: None,
        verbose,
        future: None,
    };
    plan(path, overrides, options, output, extras)
}

/// `--verbose` of one plan made without `plan`'s stage timing (report,
/// explain, a hedged plan): the model's size, the seconds to build it
/// (with loading) and to search, and the search's log.
fn print_run(
    size: fsdplan::model::ModelSize,
    (built_at, solved_at): (f64, f64),
    log: &[fsdplan::solve::search::SearchStep],
    money_scale: f64,
    scenario: &fsdplan::scenario::Scenario,
) {
    let seconds = StageSeconds {
        load: 0.0,
        build: built_at,
        search: solved_at - built_at,
        report: 0.0,
    };
    print_verbose(size, seconds, log, money_scale, scenario);
}

/// [`print_run`] of a plan run.
fn print_plan_run(run: &fsdplan::plan::PlanRun, scenario: &fsdplan::scenario::Scenario) {
    let times = (run.built_at, run.solved_at);
    print_run(
        run.size(),
        times,
        &run.outcome.log,
        run.model.scales.money,
        scenario,
    );
}

/// [`print_run`] of a hedged run.
fn print_hedged_run(
    run: &fsdplan::plan::hedged::HedgedRun,
    scenario: &fsdplan::scenario::Scenario,
) {
    let times = (run.built_at, run.solved_at);
    print_run(
        run.size(),
        times,
        &run.outcome.log,
        run.model.scales.money,
        scenario,
    );
}

pub fn check(path: &Path, overrides: &[Override], output: &OutputArgs) -> i32 {
    let loaded = match load(path, overrides) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let input = PlanInput::new(&loaded.scenario);
    let file = path.display().to_string();
    let report =
        fsdplan::analyses::check::check(&input, &loaded.futures, &file, &override_texts(overrides));
    let emitted = output.emit(Rendered {
        tables: &|| {
            let mut tables = vec![check_tables::summary(&report)];
            tables.extend(check_tables::all(&report));
            tables
        },
        json: &|| json(&report),
        csv: None,
        html: None,
    });
    match emitted {
        Ok(()) => exit::SUCCESS,
        Err(code) => code,
    }
}

/// What `plan` does besides planning.
pub struct PlanExtras<'a> {
    /// `--explain`.
    pub explain: bool,
    /// `--write-lp FILE`.
    pub write_lp: Option<&'a Path>,
    /// `--verbose`.
    pub verbose: bool,
    /// `--future NAME`.
    pub future: Option<&'a str>,
}

pub fn plan(
    path: &Path,
    overrides: &[Override],
    options: PlanOptions,
    output: &OutputArgs,
    extras: PlanExtras,
) -> i32 {
    let started = Instant::now();
    let loaded = match load(path, overrides) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let load_seconds = started.elapsed().as_secs_f64();
    let scenario = match (extras.future, loaded.futures.is_empty()) {
        (None, false) => return plan_hedged(&loaded, overrides, options, output, &extras),
        (None, true) => &loaded.scenario,
        (Some(name), _) => match future_named(&loaded, name) {
            Ok(future) => &future.scenario,
            Err(code) => return code,
        },
    };
    if let Some(file) = extras.write_lp {
        let model = model::build(&PlanInput::new(scenario));
        if let Err(code) = write_lp(file, model.lp, model.scales.money, scenario, options) {
            return code;
        }
    }
    let clock = command_clock();
    let solve_started = Instant::now();
    let progress = Progress::spinner("plan", &scenario.currency);
    let planned = plan_scenario(scenario, options, solver(), &clock);
    drop(progress);
    let solve_seconds = solve_started.elapsed().as_secs_f64();
    let run = &planned.run;
    let mut report = planned.report();
    let report_seconds = solve_started.elapsed().as_secs_f64() - solve_seconds;
    report.overrides = override_texts(overrides);
    if extras.explain {
        report.explain = Some(fsdplan::analyses::explain::explain(
            run,
            solver(),
            &command_clock(),
        ));
    }
    let facts = RunFacts {
        solve_seconds: Some(solve_seconds),
    };
    let gpus_per_node = |name: &str| scenario.gpus_per_node(name);
    let emitted = output.emit(Rendered {
        tables: &|| {
            let mut tables = plan_tables::all(&report, facts, run.input.seconds, &gpus_per_node);
            if let Some(explained) = &report.explain {
                tables.extend(explain_tables::tables(explained));
            }
            tables
        },
        json: &|| json(&report),
        csv: Some(&|| csv_tables::tables(&report)),
        html: Some(&|| html::plan_page(&run.input, &report)),
    });
    if let Err(code) = emitted {
        return code;
    }
    if extras.verbose {
        let seconds = StageSeconds {
            load: load_seconds,
            build: run.built_at,
            // With an infeasible scenario's explanation, if any.
            search: solve_seconds - run.built_at,
            report: report_seconds,
        };
        let log = &run.outcome.log;
        print_verbose(run.size(), seconds, log, run.model.scales.money, scenario);
    }
    // The tables on stdout already say why there is no plan.
    let why = report
        .infeasibility
        .as_ref()
        .filter(|_| !output.tables_on_stdout())
        .map(|w| w.lines.as_slice());
    finish_plan(&report.status, report.message.as_deref(), why)
}

/// `plan --verbose`: the model's size, the stages' seconds and the search.
fn print_verbose(
    size: fsdplan::model::ModelSize,
    seconds: StageSeconds,
    log: &[fsdplan::solve::search::SearchStep],
    money_scale: f64,
    scenario: &fsdplan::scenario::Scenario,
) {
    let tables = [
        verbose::run_facts(&size, seconds),
        verbose::search_log(log, money_scale, &scenario.currency),
    ];
    eprint!("{}", render_tables(&tables, TableStyle::Terminal));
}

/// A plan's status and why on standard error, and its exit code.
fn finish_plan(status: &str, message: Option<&str>, why: Option<&[String]>) -> i32 {
    if let Some(message) = message {
        eprintln!("{status}: {message}");
    }
    for line in why.unwrap_or_default() {
        eprintln!("  {line}");
    }
    exit::for_status(status)
}

/// `--write-lp FILE`: the programme that is solved (with `--relax`, the
/// relaxation), named for the scenario.
fn write_lp(
    file: &Path,
    mut lp: fsdplan::model::LinearProgram,
    money_scale: f64,
    scenario: &fsdplan::scenario::Scenario,
    options: PlanOptions,
) -> Result<(), i32> {
    if options.relax {
        for column in &mut lp.columns {
            column.integer = false;
        }
    }
    let header = LpHeader {
        scenario: scenario.name.clone(),
        currency: scenario.currency.clone(),
        money_scale,
    };
    write_file(file, &lp_format::write(&lp, &header))
}

/// The future `--future NAME` names, or a located error with the names.
fn future_named<'a>(loaded: &'a LoadedScenario, name: &str) -> Result<&'a Future, i32> {
    if loaded.futures.is_empty() {
        eprintln!("error: --future {name}: the scenario has no [[event]], so it has one future; plan it without --future");
        return Err(exit::USAGE);
    }
    if let Some(future) = loaded.futures.iter().find(|f| f.name == name) {
        return Ok(future);
    }
    let names: Vec<&str> = loaded.futures.iter().map(|f| f.name.as_str()).collect();
    let hint = fsdplan::scenario::diagnostic::did_you_mean(name, names.iter().copied())
        .map(|close| format!("did you mean `{close}`? "))
        .unwrap_or_default();
    eprintln!(
        "error: --future {name}: no such future; {hint}futures: {}",
        names.join(", ")
    );
    Err(exit::USAGE)
}

/// `plan` of a scenario with events: the hedged plan of all its futures.
fn plan_hedged(
    loaded: &LoadedScenario,
    overrides: &[Override],
    options: PlanOptions,
    output: &OutputArgs,
    extras: &PlanExtras,
) -> i32 {
    let base = &loaded.scenario;
    let futures = &loaded.futures;
    if let Some(file) = extras.write_lp {
        let model = fsdplan::plan::hedged::build_model(base, futures).model;
        if let Err(code) = write_lp(file, model.lp, model.scales.money, base, options) {
            return code;
        }
    }
    let clock = command_clock();
    let progress = Progress::spinner("hedged plan", &base.currency);
    let planned = fsdplan::analyses::plan_hedged(base, futures, options, solver(), &clock);
    drop(progress);
    let mut report = planned.report();
    report.overrides = override_texts(overrides);
    if extras.explain && report.audit_violations.is_empty() {
        report.explain = Some(fsdplan::analyses::explain::explain_hedged(
            &planned.run,
            solver(),
            &command_clock(),
        ));
    }
    let emitted = output.emit(Rendered {
        tables: &|| {
            let mut tables = hedged_tables::all(&report, base, futures);
            if let Some(explained) = &report.explain {
                tables.extend(explain_tables::hedged_tables(explained));
            }
            tables
        },
        json: &|| json(&report),
        csv: Some(&|| hedged_tables::csv(&report)),
        html: Some(&|| html::hedged_plan_page(base, futures, &report)),
    });
    if let Err(code) = emitted {
        return code;
    }
    if extras.verbose {
        print_hedged_run(&planned.run, base);
    }
    // The tables on stdout already say why there is no plan.
    let why = report
        .infeasibility
        .as_ref()
        .filter(|_| !output.tables_on_stdout())
        .map(|w| w.lines.as_slice());
    finish_plan(&report.status, report.message.as_deref(), why)
}

pub fn compare(
    path: &Path,
    overrides: &[Override],
    gpu_names: &[String],
    options: PlanOptions,
    jobs: Option<u16>,
    output: &OutputArgs,
) -> i32 {
    let loaded = match load(path, overrides) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let scenario = &loaded.scenario;
    let gpus = match compare::resolve_gpus(scenario, gpu_names) {
        Ok(gpus) => gpus,
        Err(message) => {
            eprintln!("error: --gpus: {message}");
            return exit::BAD_INPUT;
        }
    };
    let progress = Progress::spinner("compare", &scenario.currency);
    let compared = with_jobs(jobs, || {
        if loaded.futures.is_empty() {
            compare::compare(scenario, &gpus, options, solver(), &wall_clock)
        } else {
            compare::compare_hedged(
                scenario,
                &loaded.futures,
                &gpus,
                options,
                solver(),
                &wall_clock,
            )
        }
    });
    drop(progress);
    let mut report = match compared {
        Ok(report) => report,
        Err(code) => return code,
    };
    report.overrides = override_texts(overrides);
    let emitted = output.emit(Rendered {
        tables: &|| vec![compare_tables::table(&report)],
        json: &|| json(&report),
        csv: Some(&|| compare_tables::csv(&report)),
        html: Some(&|| html::compare_page(&report)),
    });
    if let Err(code) = emitted {
        return code;
    }
    exit::SUCCESS
}

pub fn hedge(
    path: &Path,
    overrides: &[Override],
    options: PlanOptions,
    jobs: Option<u16>,
    output: &OutputArgs,
) -> i32 {
    use fsdplan::studies::hedging;
    let loaded = match load(path, overrides) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    if loaded.futures.is_empty() {
        eprintln!("error: {} has no [[event]]: with one future there is nothing to hedge; `fsdplan plan` plans it", path.display());
        return exit::USAGE;
    }
    let clock = command_clock();
    let plans = hedging::plans_made(loaded.futures.len());
    let progress = Progress::bar(plans, "plans", &loaded.scenario.currency);
    let done = |_: &str| progress.inc();
    let result = with_jobs(jobs, || {
        hedging::hedge_with_progress(
            &loaded.scenario,
            &loaded.futures,
            options,
            solver(),
            &clock,
            &done,
        )
    });
    drop(progress);
    let mut report = match result {
        Ok(report) => report,
        Err(code) => return code,
    };
    report.overrides = override_texts(overrides);
    let emitted = output.emit(Rendered {
        tables: &|| hedge_tables::tables(&report),
        json: &|| json(&report),
        csv: Some(&|| hedge_tables::csv(&report)),
        html: Some(&|| html::hedge_page(&report)),
    });
    if let Err(code) = emitted {
        return code;
    }
    let status = report.hedged.status.clone();
    exit::for_status(&status)
}

pub fn sweep(
    path: &Path,
    axes: Vec<Axis>,
    shard: Option<Shard>,
    options: PlanOptions,
    jobs: Option<u16>,
    output: &OutputArgs,
) -> i32 {
    let grid = Grid { axes };
    let points = match grid.points_to_plan(shard) {
        Ok(points) => points,
        Err(why) => {
            eprintln!("error: {why}");
            return exit::USAGE;
        }
    };
    let sources = match ScenarioSources::read(path, &mut read_file) {
        Ok(sources) => sources,
        Err(error) => {
            eprint!("{error}");
            return exit::BAD_INPUT;
        }
    };
    let currency = sources.currency().unwrap_or_default();
    let progress = Progress::bar(points, "points", &currency);
    let done = || progress.inc();
    let result = with_jobs(jobs, || {
        sweep::run(
            &sources,
            &grid,
            shard,
            options,
            solver(),
            &point_clock,
            &done,
        )
    });
    drop(progress);
    let report = match result {
        Ok(Ok(report)) => report,
        Ok(Err(error)) => {
            eprint!("{error}");
            return exit::BAD_INPUT;
        }
        Err(code) => return code,
    };
    // A sweep in which every point is invalid is a bad command: show the
    // first point's full diagnostic once rather than a table of errors.
    if !report.rows.is_empty() && report.rows.iter().all(|r| r.status == sweep::BAD_INPUT) {
        let first = report.rows[0].point;
        if let Err(error) = sources.scenario(&grid.point(first)) {
            eprint!("{error}");
        }
        eprintln!("error: every point of the sweep is invalid");
        return exit::BAD_INPUT;
    }
    emit_sweep(&report, output)
}

fn emit_sweep(report: &SweepReport, output: &OutputArgs) -> i32 {
    let emitted = output.emit(Rendered {
        tables: &|| vec![sweep_tables::table(report)],
        json: &|| json(report),
        csv: Some(&|| sweep_tables::csv(report)),
        html: Some(&|| html::sweep_page(report)),
    });
    match emitted {
        Ok(()) => exit::SUCCESS,
        Err(code) => code,
    }
}

pub fn merge(files: &[PathBuf], output: &OutputArgs) -> i32 {
    let mut shards = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let text = match read_bounded(file, MAX_JSON_BYTES) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("error: cannot read {name}: {error}");
                return exit::BAD_INPUT;
            }
        };
        match serde_json::from_str::<SweepReport>(&text) {
            Ok(report) if report.schema == sweep::SCHEMA => shards.push((name, report)),
            Ok(report) => {
                eprintln!(
                    "error: {name} is a `{}` file, not a sweep ({})",
                    report.schema,
                    sweep::SCHEMA
                );
                return exit::BAD_INPUT;
            }
            Err(error) => {
                eprintln!(
                    "error: {name} is not the JSON output of `fsdplan sweep --format json`: {error}"
                );
                return exit::BAD_INPUT;
            }
        }
    }
    match sweep::merge(shards) {
        Ok(report) => emit_sweep(&report, output),
        Err(error) => {
            eprintln!("error: cannot merge: {error}");
            exit::BAD_INPUT
        }
    }
}

/// What `alternatives` is asked besides the scenario and the solve flags.
pub struct AlternativesArgs<'a> {
    pub slack: f64,
    pub min: &'a [String],
    pub max: &'a [String],
    /// How many maximally different alternatives to add.
    pub distinct: usize,
}

/// `alternatives`: the optimum, then each metric's least and most within
/// the slack.
pub fn alternatives(
    path: &Path,
    overrides: &[Override],
    args: AlternativesArgs,
    options: PlanOptions,
    jobs: Option<u16>,
    output: &OutputArgs,
) -> i32 {
    use fsdplan::studies::alternatives::{self, metric::Metric, Asked};
    let loaded = match load(path, overrides) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let scenario = &loaded.scenario;
    // A scenario with events: the alternatives of its hedged plan.
    let subject = if loaded.futures.is_empty() {
        alternatives::Subject::Plan(scenario)
    } else {
        alternatives::Subject::Hedged {
            base: scenario,
            futures: &loaded.futures,
        }
    };
    let mut asked: Vec<Asked> = Vec::new();
    if args.min.is_empty() && args.max.is_empty() {
        asked.extend(Metric::defaults(scenario).into_iter().map(|metric| Asked {
            metric,
            min: true,
            max: true,
        }));
    }
    for (flag, texts, is_min) in [("--min", args.min, true), ("--max", args.max, false)] {
        for text in texts {
            let metric = match Metric::parse(text, scenario) {
                Ok(metric) => metric,
                Err(message) => {
                    eprintln!("error: {flag} {text}: {message}");
                    return exit::BAD_INPUT;
                }
            };
            match asked.iter_mut().find(|a| a.metric == metric) {
                Some(a) if is_min => a.min = true,
                Some(a) => a.max = true,
                None => asked.push(Asked {
                    metric,
                    min: is_min,
                    max: !is_min,
                }),
            }
        }
    }
    let progress = Progress::bar(
        alternatives::plans_made(&asked, args.distinct),
        "plans",
        &scenario.currency,
    );
    let done = |_: &str| progress.inc();
    let result = with_jobs(jobs, || {
        alternatives::alternatives(
            subject,
            &asked,
            args.distinct,
            args.slack,
            options,
            solver(),
            &point_clock,
            &done,
        )
    });
    drop(progress);
    let mut report = match result {
        Ok(report) => report,
        Err(code) => return code,
    };
    report.overrides = override_texts(overrides);
    let emitted = output.emit(Rendered {
        tables: &|| alternatives_tables::tables(&report),
        json: &|| json(&report),
        csv: Some(&|| alternatives_tables::csv(&report)),
        html: Some(&|| fsdplan::report::html::alternatives_page(&report)),
    });
    if let Err(code) = emitted {
        return code;
    }
    // Under --out, every plan made beside the result, as `plan` writes it.
    if let Some(dir) = output.out_dir() {
        let plans: Vec<(String, String)> = report
            .plans
            .iter()
            .map(|(name, plan)| (plan_file_name(name), json(plan)))
            .collect();
        if let Err(code) = write_files(dir, &plans) {
            return code;
        }
    }
    if let Some(message) = &report.optimum.message {
        eprintln!("{}: {message}", report.optimum.status);
    }
    exit::for_status(&report.optimum.status)
}

/// The file a named plan of `alternatives` is written to under --out:
/// `least nodes:H20,H200` to `plan-least-nodes-H20-H200.json`.
fn plan_file_name(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    format!("plan-{}.json", slug.trim_matches('-'))
}

/// A plan for one side of a diff: a plan JSON file as written, or a
/// scenario file planned now.
fn plan_of(path: &Path, options: PlanOptions) -> Result<PlanReport, i32> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !is_json {
        let loaded = load(path, &[])?;
        let clock = command_clock();
        let _progress = Progress::spinner(
            &format!("plan of {}", path.display()),
            &loaded.scenario.currency,
        );
        if !loaded.futures.is_empty() {
            // A hedged plan is compared by its expected costs.
            let planned = fsdplan::analyses::plan_hedged(
                &loaded.scenario,
                &loaded.futures,
                options,
                solver(),
                &clock,
            );
            return Ok(planned.report().expected());
        }
        return Ok(plan_scenario(&loaded.scenario, options, solver(), &clock).report());
    }
    Ok(match read_plan(path)? {
        PlanFile::One(report) => report,
        PlanFile::Hedged(result) => fsdplan::analyses::HedgedReport {
            result,
            infeasibility: None,
            explain: None,
        }
        .expected(),
    })
}

fn future_names(loaded: &LoadedScenario) -> String {
    loaded
        .futures
        .iter()
        .map(|f| f.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A plan JSON file: one scenario's plan or a hedged plan.
enum PlanFile {
    One(PlanReport),
    Hedged(fsdplan::plan::hedged::HedgedResult),
}

/// A JSON file written by `plan --format json`, read once and told apart
/// by its schema.
fn read_plan(path: &Path) -> Result<PlanFile, i32> {
    let name = path.display();
    let text = read_bounded(path, MAX_JSON_BYTES).map_err(|error| {
        eprintln!("error: cannot read {name}: {error}");
        exit::BAD_INPUT
    })?;
    let not_a_plan = |error: serde_json::Error| {
        eprintln!("error: {name} is not the JSON output of `fsdplan plan --format json`: {error}");
        exit::BAD_INPUT
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(not_a_plan)?;
    let Some(schema) = value.get("schema").and_then(|s| s.as_str()) else {
        eprintln!("error: {name} is not the JSON output of `fsdplan plan --format json`: it has no `schema` string");
        return Err(exit::BAD_INPUT);
    };
    if schema == fsdplan::plan::hedged::SCHEMA {
        return serde_json::from_value(value)
            .map(PlanFile::Hedged)
            .map_err(not_a_plan);
    }
    if schema != fsdplan::plan::result::SCHEMA {
        eprintln!(
            "error: {name} is a `{schema}` file, not a plan ({} or {})",
            fsdplan::plan::result::SCHEMA,
            fsdplan::plan::hedged::SCHEMA
        );
        return Err(exit::BAD_INPUT);
    }
    serde_json::from_value(value)
        .map(PlanFile::One)
        .map_err(not_a_plan)
}

pub fn diff(
    a: &Path,
    b: &Path,
    changes_only: bool,
    options: PlanOptions,
    output: &OutputArgs,
) -> i32 {
    let (plan_a, plan_b) = match rayon::join(|| plan_of(a, options), || plan_of(b, options)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let (name_a, name_b) = (a.display().to_string(), b.display().to_string());
    let report = match diff::diff((&name_a, &plan_a), (&name_b, &plan_b)) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return exit::BAD_INPUT;
        }
    };
    let emitted = output.emit(Rendered {
        tables: &|| diff_tables::tables(&report, changes_only),
        json: &|| json(&report),
        csv: Some(&|| diff_tables::csv(&report, changes_only)),
        html: None,
    });
    if let Err(code) = emitted {
        return code;
    }
    for (name, side) in [(&name_a, &plan_a), (&name_b, &plan_b)] {
        if side.objective.is_none() {
            eprintln!("{name}: {}: no plan to compare", side.status);
            return exit::for_status(&side.status);
        }
    }
    exit::SUCCESS
}

pub fn audit(
    path: &Path,
    plan_path: &Path,
    overrides: &[Override],
    future: Option<&str>,
    output: &OutputArgs,
) -> i32 {
    let loaded = match load(path, overrides) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let plan = match read_plan(plan_path) {
        Ok(plan) => plan,
        Err(code) => return code,
    };
    let report = match plan {
        PlanFile::Hedged(plan) => {
            if loaded.futures.is_empty() {
                eprintln!(
                    "error: {} is a hedged plan, but {} has no [[event]]",
                    plan_path.display(),
                    path.display()
                );
                return exit::BAD_INPUT;
            }
            fsdplan::analyses::hedged_audit::audit_hedged(&loaded.scenario, &loaded.futures, &plan)
        }
        PlanFile::One(plan) => {
            let scenario = match (future, loaded.futures.is_empty()) {
                (None, true) => &loaded.scenario,
                (None, false) => {
                    eprintln!("error: {} has events and {} is the plan of one future: name it with --future NAME (futures: {})", path.display(), plan_path.display(), future_names(&loaded));
                    return exit::USAGE;
                }
                (Some(name), _) => match future_named(&loaded, name) {
                    Ok(f) => &f.scenario,
                    Err(code) => return code,
                },
            };
            fsdplan::analyses::audit::audit(scenario, &plan)
        }
    };
    let emitted = output.emit(Rendered {
        tables: &|| audit_tables::tables(&report),
        json: &|| json(&report),
        csv: Some(&|| audit_tables::csv(&report)),
        html: None,
    });
    if let Err(code) = emitted {
        return code;
    }
    if report.violations.is_empty() {
        exit::SUCCESS
    } else {
        exit::AUDIT_FAILED
    }
}

pub fn explain(
    path: &Path,
    overrides: &[Override],
    options: PlanOptions,
    output: &OutputArgs,
    verbose: bool,
) -> i32 {
    let loaded = match load(path, overrides) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    if !loaded.futures.is_empty() {
        return explain_hedged(&loaded, options, output, verbose);
    }
    let clock = command_clock();
    let progress = Progress::spinner("plan", &loaded.scenario.currency);
    let planned = plan_scenario(&loaded.scenario, options, solver(), &clock);
    drop(progress);
    let run = &planned.run;
    if verbose {
        print_plan_run(run, &loaded.scenario);
    }
    let plan = planned.report();
    if let Err(code) = audited(
        &plan.status,
        plan.message.as_deref(),
        &plan.audit_violations,
    ) {
        return code;
    }
    let status = plan.result.status;
    let progress = Progress::spinner("explain: loosening each limit", "");
    let report = fsdplan::analyses::explain::explain(run, solver(), &clock);
    drop(progress);
    let emitted = output.emit(Rendered {
        tables: &|| explain_tables::tables(&report),
        json: &|| json(&report),
        csv: Some(&|| explain_tables::csv(&report)),
        html: None,
    });
    if let Err(code) = emitted {
        return code;
    }
    exit::for_status(&status)
}

/// No explanation of a plan that failed the audit: its status and message
/// on stderr, and the solver-failure code.
fn audited(status: &str, message: Option<&str>, violations: &[String]) -> Result<(), i32> {
    if violations.is_empty() {
        return Ok(());
    }
    if let Some(message) = message {
        eprintln!("{status}: {message}");
    }
    Err(exit::SOLVER_FAILURE)
}

/// `explain` of a scenario with events: the hedged plan, explained future
/// by future.
fn explain_hedged(
    loaded: &LoadedScenario,
    options: PlanOptions,
    output: &OutputArgs,
    verbose: bool,
) -> i32 {
    let clock = command_clock();
    let progress = Progress::spinner("hedged plan", &loaded.scenario.currency);
    let planned = fsdplan::analyses::plan_hedged(
        &loaded.scenario,
        &loaded.futures,
        options,
        solver(),
        &clock,
    );
    drop(progress);
    if verbose {
        print_hedged_run(&planned.run, &loaded.scenario);
    }
    let plan = planned.report();
    if let Err(code) = audited(
        &plan.status,
        plan.message.as_deref(),
        &plan.audit_violations,
    ) {
        return code;
    }
    if plan.objective.is_none() {
        let why = plan.infeasibility.as_ref().map(|w| w.lines.as_slice());
        return finish_plan(&plan.status, plan.message.as_deref(), why);
    }
    let progress = Progress::spinner("explain: loosening each limit", "");
    let report = fsdplan::analyses::explain::explain_hedged(&planned.run, solver(), &clock);
    drop(progress);
    let emitted = output.emit(Rendered {
        tables: &|| explain_tables::hedged_tables(&report),
        json: &|| json(&report),
        csv: Some(&|| explain_tables::hedged_csv(&report)),
        html: None,
    });
    if let Err(code) = emitted {
        return code;
    }
    exit::for_status(&plan.status)
}

pub fn generate(spec: fsdplan::generate::GeneratorSpec, output: Option<&Path>) -> i32 {
    print_or_write(&fsdplan::generate::generate(spec), output)
}

/// The text to `output`, or to standard output.
fn print_or_write(text: &str, output: Option<&Path>) -> i32 {
    let written = match output {
        Some(path) => write_file(path, text),
        None => print_out(text),
    };
    match written {
        Ok(()) => exit::SUCCESS,
        Err(code) => code,
    }
}

pub fn schema(output: Option<&Path>) -> i32 {
    print_or_write(&fsdplan::scenario::schema::schema_text(), output)
}

/// The completion script of `shell` for the command line `command`.
pub fn completions(shell: clap_complete::Shell, mut command: clap::Command) -> i32 {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "fsdplan", &mut script);
    print_or_write(&String::from_utf8_lossy(&script), None)
}

/// The man page of the command line `command` (roff), its subcommands
/// listed in it; with `out`, that page and one per command in `out`.
pub fn man(command: clap::Command, out: Option<&Path>) -> i32 {
    let render = |command: clap::Command| {
        let mut page = Vec::new();
        clap_mangen::Man::new(command)
            .source(concat!("fsdplan ", env!("CARGO_PKG_VERSION")))
            .render(&mut page)
            .map(|()| page)
            .map_err(|error| {
                eprintln!("error: cannot render the man page: {error}");
                exit::OUTPUT_FAILURE
            })
    };
    // `fsdplan help` is --help: no page of its own.
    let mut command = command.disable_help_subcommand(true);
    command.build();
    let Some(dir) = out else {
        return match render(command) {
            Ok(page) => print_or_write(&String::from_utf8_lossy(&page), None),
            Err(code) => code,
        };
    };
    let mut pages = Vec::new();
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_display_name().unwrap_or(sub.get_name()).to_string();
        match render(sub.clone()) {
            Ok(page) => pages.push((format!("{name}.1"), page)),
            Err(code) => return code,
        }
    }
    match render(command) {
        Ok(page) => pages.insert(0, ("fsdplan.1".to_string(), page)),
        Err(code) => return code,
    }
    match crate::output::write_files(dir, &pages) {
        Ok(()) => exit::SUCCESS,
        Err(code) => code,
    }
}
