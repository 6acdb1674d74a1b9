//! Scale benchmark (issue 5): the default scenario and generated small
//! (2 sites x 8 periods x 6 GPUs), medium (5 x 20 x 10) and large
//! (20 x 40 x 20) scenarios, each planned as an LP relaxation and as an
//! integer plan with every backend of the build. For each run it times the
//! stages separately (load, model build, solve, report: the result rows
//! rendered as the CLI's tables and JSON), reads the peak memory, and, when
//! Python's `highspy` is installed, times HiGHS alone on the same model
//! written with `--write-lp`: the floor no planner on HiGHS can beat.
//!
//! ```text
//! pip install highspy                                   # for the floor
//! cargo bench --bench scale --features highs            # everything
//! cargo bench --bench scale --features highs -- medium  # runs whose label has "medium"
//! cargo bench --bench scale -- --full                   # the large scenario too
//! ```
//!
//! Without `--full` (or a filter naming it) the large scenario is left out:
//! its runs take a minute each, and microlp cannot solve its LP within the
//! 60 s time limit (the row reads `error`; HiGHS solves it).
//!
//! Each run is timed once: the runs take from milliseconds to a minute, and
//! the search is deterministic, so a repeat measures the same work. The
//! result is a Markdown table on standard output, pasted into
//! `docs/performance.md`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use fsdplan::analyses::plan;
use fsdplan::generate::{generate, GeneratorSpec};
use fsdplan::model::lp_format::{self, LpHeader};
use fsdplan::model::{self, PlanInput};
use fsdplan::plan::PlanOptions;
use fsdplan::report::{plan_tables, RunFacts, TableStyle};
use fsdplan::scenario::{self, Scenario};
use fsdplan::solve::{Clock, LpBackend, MicroLp};

struct Wall(Instant);

impl Clock for Wall {
    fn elapsed_seconds(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

/// A scenario to plan: its label, and its file or generated text.
struct Case {
    label: &'static str,
    file: Option<&'static str>,
    text: String,
}

impl Case {
    /// Reads and validates the scenario (a file with its includes, or text).
    fn load(&self) -> Scenario {
        match self.file {
            Some(path) => {
                let mut read = |p: &Path| std::fs::read_to_string(p);
                scenario::load(Path::new(path), &mut read)
                    .expect("run from the repository root")
                    .scenario
            }
            None => scenario::from_str(self.label, &self.text).expect("valid scenario"),
        }
    }
}

fn cases() -> Vec<Case> {
    let generated = |label, sites, periods, gpus| Case {
        label,
        file: None,
        text: generate(GeneratorSpec {
            sites,
            periods,
            gpus,
            ..GeneratorSpec::default()
        }),
    };
    vec![
        Case {
            label: "default",
            file: Some("configs/china-1.7m.toml"),
            text: String::new(),
        },
        generated("small", 2, 8, 6),
        generated("medium", 5, 20, 10),
        generated("large", 20, 40, 20),
    ]
}

fn backends() -> Vec<Box<dyn LpBackend>> {
    #[allow(unused_mut)]
    let mut all: Vec<Box<dyn LpBackend>> = vec![Box::new(MicroLp)];
    #[cfg(feature = "highs")]
    all.push(Box::new(fsdplan::solve::Highs::default()));
    all
}

/// Resets the process's peak resident memory (Linux: `clear_refs` 5).
fn reset_peak_memory() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The process's peak resident memory since the last reset, in MiB.
fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// One planning run, timed by stage.
struct Measured {
    load: f64,
    build: f64,
    solve: f64,
    report: f64,
    status: String,
    npv: Option<f64>,
    gap: Option<f64>,
    peak_mib: Option<f64>,
    size: model::ModelSize,
}

fn measure(case: &Case, backend: &dyn LpBackend, relax: bool) -> Measured {
    let memory = reset_peak_memory();
    let started = Instant::now();
    let scenario = case.load();
    let load = started.elapsed().as_secs_f64();
    let options = PlanOptions {
        relax,
        ..PlanOptions::default()
    };
    let clock = Wall(Instant::now());
    let planned = plan(&scenario, options, backend, &clock);
    let solved = clock.elapsed_seconds();
    let run = &planned.run;
    let report = planned.report();
    let gpus_per_node = |name: &str| scenario.gpus_per_node(name);
    let tables = plan_tables::all(
        &report,
        RunFacts::default(),
        run.input.seconds,
        &gpus_per_node,
    );
    let rendered: usize = tables
        .iter()
        .map(|t| t.render(TableStyle::Terminal).len())
        .sum::<usize>()
        + serde_json::to_string_pretty(&report).map_or(0, |j| j.len());
    std::hint::black_box(rendered);
    let reported = clock.elapsed_seconds();
    Measured {
        load,
        build: run.built_at,
        solve: solved - run.built_at,
        report: reported - solved,
        status: report.status.clone(),
        npv: report.objective,
        gap: report.gap,
        peak_mib: if memory { peak_memory_mib() } else { None },
        size: run.size(),
    }
}

/// HiGHS alone on the written model: seconds of `Highs.run()` (reading the
/// file excluded), status, NPV and gap.
struct Floor {
    seconds: f64,
    status: String,
    npv: Option<f64>,
    gap: Option<f64>,
}

const HIGHSPY: &str = r#"
import json, sys, time
import highspy
path, relax, limit = sys.argv[1], sys.argv[2] == "lp", float(sys.argv[3])
h = highspy.Highs()
h.setOptionValue("output_flag", False)
h.readModel(path)
h.setOptionValue("solve_relaxation", relax)
h.setOptionValue("mip_rel_gap", 1e-3)
h.setOptionValue("time_limit", limit)
h.setOptionValue("random_seed", 0)
t = time.perf_counter()
h.run()
seconds = time.perf_counter() - t
info = h.getInfo()
status = h.modelStatusToString(h.getModelStatus())
ok = info.primal_solution_status == 2
print(json.dumps({"seconds": seconds, "status": status,
                  "objective": info.objective_function_value if ok else None,
                  "gap": None if relax or not ok else info.mip_gap}))
"#;

fn highs_alone(case: &Case, relax: bool, dir: &Path) -> Option<Floor> {
    let scenario = case.load();
    let built = model::build(&PlanInput::new(&scenario));
    let header = LpHeader {
        scenario: scenario.name.clone(),
        currency: scenario.currency.clone(),
        money_scale: built.scales.money,
    };
    let file: PathBuf = dir.join(format!("{}.lp", case.label));
    std::fs::write(&file, lp_format::write(&built.lp, &header)).ok()?;
    let limit = PlanOptions::default().limits.time_limit;
    let output = Command::new("python3")
        .args(["-c", HIGHSPY])
        .arg(&file)
        .arg(if relax { "lp" } else { "mip" })
        .arg(limit.to_string())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    // HiGHS prints its banner before output can be switched off: the
    // result is the last line.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value: serde_json::Value = serde_json::from_str(stdout.lines().last()?).ok()?;
    Some(Floor {
        seconds: value["seconds"].as_f64()?,
        status: value["status"].as_str()?.to_string(),
        npv: value["objective"].as_f64().map(|o| o * built.scales.money),
        gap: value["gap"].as_f64(),
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filters: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .collect();
    let full = args.iter().any(|a| a == "--full") || filters.iter().any(|f| f.contains("large"));
    if !full {
        eprintln!("the large scenario (a minute a run): cargo bench --bench scale -- --full");
    }
    let dir = PathBuf::from("target/scale-bench");
    std::fs::create_dir_all(&dir).expect("target/ is writable");
    let python = Command::new("python3")
        .args(["-c", "import highspy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !python {
        eprintln!("highspy not found (pip install highspy): no HiGHS-alone floor");
    }
    println!(
        "| scenario | rows / columns / integers | backend | mode | load s | build s | solve s \
         | report s | end to end s | build + report | status | NPV (M) | gap | peak MiB \
         | HiGHS alone s | HiGHS alone NPV (M), gap | ratio |"
    );
    println!("|{}", "---|".repeat(17));
    for case in cases() {
        if case.label == "large" && !full {
            continue;
        }
        for relax in [true, false] {
            let mode = if relax { "LP" } else { "integer" };
            let mut floor: Option<Option<Floor>> = None;
            for backend in backends() {
                let label = format!("{} {} {}", case.label, backend.name(), mode);
                if !filters.iter().all(|f| label.contains(f.as_str())) {
                    continue;
                }
                eprintln!("running {label}");
                let m = measure(&case, backend.as_ref(), relax);
                let end_to_end = m.load + m.build + m.solve + m.report;
                let floor = if backend.name() == "highs" && python {
                    floor
                        .get_or_insert_with(|| highs_alone(&case, relax, &dir))
                        .as_ref()
                } else {
                    None
                };
                let money = |x: Option<f64>| x.map_or("-".into(), |v| format!("{:.2}", v / 1e6));
                let gap = |x: Option<f64>| x.map_or("-".into(), |g| format!("{:.3}%", g * 100.0));
                println!(
                    "| {} | {} / {} / {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.2}% \
                     | {} | {} | {} | {} | {} | {} | {} |",
                    case.label,
                    m.size.rows,
                    m.size.columns,
                    m.size.integers,
                    backend.name(),
                    mode,
                    m.load,
                    m.build,
                    m.solve,
                    m.report,
                    end_to_end,
                    100.0 * (m.build + m.report) / end_to_end.max(1e-12),
                    m.status,
                    money(m.npv),
                    gap(m.gap),
                    m.peak_mib.map_or("-".into(), |p| format!("{p:.0}")),
                    floor.map_or("-".into(), |f| format!("{:.3} ({})", f.seconds, f.status)),
                    floor.map_or("-".into(), |f| format!("{}, {}", money(f.npv), gap(f.gap))),
                    floor.map_or("-".into(), |f| format!("{:.2}", end_to_end / f.seconds)),
                );
            }
        }
    }
}
