//! How long the default plan takes: the model build, the LP relaxation and
//! the integer plan of the default and the domestic-only scenarios, each
//! run several times (the search is deterministic, so the spread is the
//! machine's), and the default plan's reports (CSV, the Excel workbook):
//! `cargo bench --bench plan`. About 20 s.

use std::path::Path;
use std::time::Instant;

use fsdplan::analyses::plan;
use fsdplan::model::{self, PlanInput};
use fsdplan::plan::PlanOptions;
use fsdplan::scenario;
use fsdplan::solve::{Clock, MicroLp};

struct Wall(Instant);

impl Clock for Wall {
    fn elapsed_seconds(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

fn load(path: &str) -> scenario::Scenario {
    let mut read = |p: &Path| std::fs::read_to_string(p);
    scenario::load(Path::new(path), &mut read)
        .expect("run from the repository root")
        .scenario
}

/// Runs `work` `samples` times after one warm-up run and prints the
/// median, the fastest and the slowest time.
fn time<T>(label: &str, samples: usize, mut work: impl FnMut() -> T) {
    std::hint::black_box(work());
    let mut seconds: Vec<f64> = (0..samples)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(work());
            started.elapsed().as_secs_f64()
        })
        .collect();
    seconds.sort_by(f64::total_cmp);
    let median = seconds[seconds.len() / 2];
    println!(
        "| {label} | {samples} | {:.4} | {:.4} | {:.4} |",
        median,
        seconds[0],
        seconds[seconds.len() - 1]
    );
}

fn main() {
    println!("| run | samples | median s | fastest s | slowest s |");
    println!("|---|---|---|---|---|");
    let default = load("configs/china-1.7m.toml");
    time("default: build model", 50, || {
        model::build(&PlanInput::new(&default)).lp.size()
    });
    let relax = PlanOptions {
        relax: true,
        ..PlanOptions::default()
    };
    time("default: plan, LP relaxation", 20, || {
        plan(&default, relax, &MicroLp, &Wall(Instant::now()))
            .report()
            .objective
    });
    let integer = PlanOptions::default();
    time("default: plan, integer", 10, || {
        plan(&default, integer, &MicroLp, &Wall(Instant::now()))
            .report()
            .objective
    });
    let report = plan(&default, integer, &MicroLp, &Wall(Instant::now())).report();
    time("default: the CSV tables", 50, || {
        fsdplan::report::csv_tables::tables(&report).map(|t| t.len())
    });
    time("default: the Excel workbook (JSON, CSV, xlsx)", 50, || {
        let json = serde_json::to_value(&report).expect("a plan serialises");
        let tables = fsdplan::report::csv_tables::tables(&report).expect("CSV");
        fsdplan::report::workbook::workbook(&fsdplan::report::workbook::WorkbookInput {
            json: &json,
            tables: &tables,
            overrides: &[],
            version: "bench",
        })
        .map(|bytes| bytes.len())
    });
    let domestic = load("configs/domestic-only.toml");
    time("domestic-only: plan, integer", 10, || {
        plan(&domestic, integer, &MicroLp, &Wall(Instant::now()))
            .report()
            .objective
    });
}
