//! Hedged-plan benchmark (issue 12): the shipped hedged scenario (12
//! futures) and generated ones with 4, 16 and 64 futures (`generate
//! --events 2, 4, 6`: 3 sites x 12 quarters x 7 GPUs), next to the plain
//! plan of one future, with every backend of the build. For each it times
//! the hedged plan as an LP relaxation and as an integer plan (stages
//! apart: build, search, report rendered as the CLI's tables and JSON),
//! reads the peak memory, and runs `hedge` (every future's own plan, the
//! hedged plan, each bet) under the time limit of the command.
//!
//! ```text
//! cargo bench --bench hedged                        # microlp, all but the slow runs
//! cargo bench --bench hedged --features highs       # and HiGHS
//! cargo bench --bench hedged -- shipped             # runs whose label has "shipped"
//! cargo bench --bench hedged -- slow                # also hedge of 64 futures
//! ```
//!
//! Runs are timed once each (seconds to minutes; the search is
//! deterministic, so a repeat measures the same work). The result is a
//! Markdown table on standard output, pasted into `docs/performance.md`.

use std::path::Path;
use std::time::Instant;

use fsdplan::analyses::{plan, plan_hedged};
use fsdplan::generate::{generate, GeneratorSpec};
use fsdplan::plan::PlanOptions;
use fsdplan::report::{hedged_tables, TableStyle};
use fsdplan::scenario::{self, LoadedScenario, Override};
use fsdplan::solve::{Clock, Limits, LpBackend, MicroLp};
use fsdplan::studies::hedging;

struct Wall(Instant);

impl Clock for Wall {
    fn elapsed_seconds(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

/// A scenario: its label, and its file or generated text.
struct Case {
    label: &'static str,
    file: Option<&'static str>,
    text: String,
}

impl Case {
    fn load(&self) -> LoadedScenario {
        let name = Path::new(self.file.unwrap_or("generated.toml"));
        let mut read = |path: &Path| match self.file {
            Some(_) => std::fs::read_to_string(path),
            None if path == name => Ok(self.text.clone()),
            None => Err(std::io::Error::new(std::io::ErrorKind::NotFound, "none")),
        };
        scenario::load_with(name, &mut read, &[] as &[Override])
            .unwrap_or_else(|e| panic!("{}: {e}", self.label))
    }
}

fn cases() -> Vec<Case> {
    let generated = |label, events| Case {
        label,
        file: None,
        text: generate(GeneratorSpec {
            events,
            ..GeneratorSpec::default()
        }),
    };
    vec![
        Case {
            label: "default (1 future)",
            file: Some("configs/china-1.7m.toml"),
            text: String::new(),
        },
        Case {
            label: "shipped hedged",
            file: Some("configs/china-1.7m-hedged.toml"),
            text: String::new(),
        },
        generated("generated 1 future", 0),
        generated("generated 4 futures", 2),
        generated("generated 16 futures", 4),
        generated("generated 64 futures", 6),
    ]
}

fn backends() -> Vec<Box<dyn LpBackend>> {
    #[allow(unused_mut)]
    let mut all: Vec<Box<dyn LpBackend>> = vec![Box::new(MicroLp)];
    #[cfg(feature = "highs")]
    all.push(Box::new(fsdplan::solve::Highs::default()));
    all
}

fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// One run's row: size, stage times, status, the objective and gap.
struct Row {
    rows: usize,
    columns: usize,
    build: f64,
    search: f64,
    report: f64,
    status: String,
    objective: Option<f64>,
    gap: Option<f64>,
    extra: String,
    peak_mib: Option<f64>,
}

fn options(relax: bool, time_limit: f64) -> PlanOptions {
    PlanOptions {
        relax,
        limits: Limits {
            time_limit,
            ..Limits::default()
        },
    }
}

/// The hedged plan of a scenario with events, or the plain plan of one
/// without, timed by stage.
fn plan_run(loaded: &LoadedScenario, backend: &dyn LpBackend, relax: bool) -> Row {
    let memory = reset_peak_memory();
    let clock = Wall(Instant::now());
    let options = options(relax, 60.0);
    if loaded.futures.is_empty() {
        let planned = plan(&loaded.scenario, options, backend, &clock);
        let solved = clock.elapsed_seconds();
        let report = planned.report();
        let json = serde_json::to_string_pretty(&report).map_or(0, |j| j.len());
        std::hint::black_box(json);
        let size = planned.run.size();
        return Row {
            rows: size.rows,
            columns: size.columns,
            build: planned.run.built_at,
            search: solved - planned.run.built_at,
            report: clock.elapsed_seconds() - solved,
            status: report.status.clone(),
            objective: report.objective,
            gap: report.gap,
            extra: String::new(),
            peak_mib: if memory { peak_memory_mib() } else { None },
        };
    }
    let planned = plan_hedged(&loaded.scenario, &loaded.futures, options, backend, &clock);
    let solved = clock.elapsed_seconds();
    let report = planned.report();
    let rendered: usize = hedged_tables::all(&report, &loaded.scenario, &loaded.futures)
        .iter()
        .map(|t| t.render(TableStyle::Terminal).len())
        .sum::<usize>()
        + serde_json::to_string_pretty(&report).map_or(0, |j| j.len());
    std::hint::black_box(rendered);
    let size = planned.run.size();
    Row {
        rows: size.rows,
        columns: size.columns,
        build: planned.run.built_at,
        search: solved - planned.run.built_at,
        report: clock.elapsed_seconds() - solved,
        status: report.status.clone(),
        objective: report.objective,
        gap: report.gap,
        extra: format!("{} shared", report.shared_purchase_columns),
        peak_mib: if memory { peak_memory_mib() } else { None },
    }
}

/// `hedge` under a time limit of 120 s for the whole study.
fn hedge_run(loaded: &LoadedScenario, backend: &(dyn LpBackend + Sync)) -> Row {
    let memory = reset_peak_memory();
    let clock = Wall(Instant::now());
    let report = hedging::hedge(
        &loaded.scenario,
        &loaded.futures,
        options(false, 120.0),
        backend,
        &clock,
    );
    let seconds = clock.elapsed_seconds();
    let money = |x: Option<f64>| x.map_or("-".into(), |v| format!("{:.1} M", v / 1e6));
    let feasible = report
        .plan_for
        .iter()
        .filter(|b| b.expected_npv.is_some())
        .count();
    Row {
        rows: 0,
        columns: 0,
        build: 0.0,
        search: seconds,
        report: 0.0,
        status: report.hedged.status.clone(),
        objective: report.hedged.expected_npv,
        gap: report.hedged.gap,
        extra: format!(
            "EVPI {}, {feasible} of {} bets feasible",
            money(report.evpi),
            report.plan_for.len()
        ),
        peak_mib: if memory { peak_memory_mib() } else { None },
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filters: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .collect();
    // Without --full: the shipped hedged scenario's plans and the LPs of
    // the generated ones (about a minute); the generated integer plans and
    // every hedge run a minute or more each.
    let full = args.iter().any(|a| a == "--full") || !filters.is_empty();
    if !full {
        eprintln!(
            "the generated integer plans and hedge runs (up to a minute each): \
             cargo bench --bench hedged -- --full"
        );
    }
    println!(
        "| scenario | futures | rows / columns | backend | run | build s | search s | report s \
         | end to end s | status | objective (M) | gap | peak MiB | notes |"
    );
    println!("|{}", "---|".repeat(14));
    for case in cases() {
        let loaded = case.load();
        let futures = loaded.futures.len().max(1);
        for backend in backends() {
            for run in ["LP", "integer", "hedge"] {
                if run == "hedge" && loaded.futures.is_empty() {
                    continue;
                }
                // hedge of 64 futures: 129 plans of up to 64 futures' size.
                let slow = run == "hedge" && futures > 16;
                let label = format!(
                    "{} {} {run}{}",
                    case.label,
                    backend.name(),
                    if slow { " slow" } else { "" }
                );
                if slow && !filters.iter().any(|f| f == "slow") {
                    continue;
                }
                if !filters
                    .iter()
                    .filter(|f| *f != "slow")
                    .all(|f| label.contains(f.as_str()))
                {
                    continue;
                }
                let quick = run == "LP" || run == "integer" && !case.label.starts_with("generated");
                if !full && !quick {
                    continue;
                }
                eprintln!("running {label}");
                let row = match run {
                    "hedge" => hedge_run(&loaded, backend.as_ref()),
                    mode => plan_run(&loaded, backend.as_ref(), mode == "LP"),
                };
                let total = row.build + row.search + row.report;
                let money = |x: Option<f64>| x.map_or("-".into(), |v| format!("{:.1}", v / 1e6));
                let gap = |x: Option<f64>| x.map_or("-".into(), |g| format!("{:.3}%", g * 100.0));
                let size = if row.rows > 0 {
                    format!("{} / {}", row.rows, row.columns)
                } else {
                    "-".into()
                };
                println!(
                    "| {} | {futures} | {size} | {} | {run} | {:.3} | {:.3} | {:.3} | {:.2} | {} | {} | {} | {} | {} |",
                    case.label,
                    backend.name(),
                    row.build,
                    row.search,
                    row.report,
                    total,
                    row.status,
                    money(row.objective),
                    gap(row.gap),
                    row.peak_mib.map_or("-".into(), |m| format!("{m:.0}")),
                    row.extra,
                );
            }
        }
    }
}
