//! The speed-up of a sweep of the default scenario on 2 threads against 1:
//! `cargo bench --bench sweep` runs a 2 x 2 grid (about 10 s), `cargo bench
//! --bench sweep -- --full` the 100 points of docs/performance.md (fleet
//! growth x H20 price, 10 values each; about 4.5 minutes), `-- --points N`
//! any square grid. Each sweep is timed once: a point takes seconds, so one run of 100
//! is already an average. Rows must be identical with 1 and 2 threads.

use std::path::Path;
use std::time::Instant;

use fsdplan::plan::PlanOptions;
use fsdplan::scenario::ScenarioSources;
use fsdplan::solve::{Clock, MicroLp};
use fsdplan::studies::sweep::{self, Axis, Grid};

struct Wall(Instant);

impl Clock for Wall {
    fn elapsed_seconds(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

fn wall() -> Box<dyn Clock> {
    Box::new(Wall(Instant::now()))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let points: usize = args
        .iter()
        .position(|a| a == "--points")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(if args.iter().any(|a| a == "--full") {
            100
        } else {
            4
        });
    if points < 100 {
        eprintln!("the 100-point sweep: cargo bench --bench sweep -- --full");
    }
    let side = (points as f64).sqrt().round().max(2.0) as usize;
    let grid = Grid {
        axes: vec![
            Axis::parse(&format!("fleet.growth_per_year=0.05..0.50/{side}")).unwrap(),
            Axis::parse(&format!("gpu.H20.price_per_node=8e5..1.6e6/{side}")).unwrap(),
        ],
    };
    let mut read = |p: &Path| std::fs::read_to_string(p);
    let sources = ScenarioSources::read(Path::new("configs/china-1.7m.toml"), &mut read)
        .expect("the default scenario loads");
    let mut timings = Vec::new();
    let mut outputs = Vec::new();
    for jobs in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .expect("threads start");
        let started = Instant::now();
        let report = pool.install(|| {
            sweep::run(
                &sources,
                &grid,
                None,
                PlanOptions::default(),
                &MicroLp,
                &wall,
                &|| {},
            )
            .expect("the sweep runs")
        });
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "sweep of {} points, {jobs} job(s): {seconds:.1} s ({:.2} s per point, {} planned)",
            grid.size(),
            seconds / grid.size() as f64,
            report.planned()
        );
        timings.push(seconds);
        outputs.push(report);
    }
    println!("speed-up with 2 jobs: {:.2}x", timings[0] / timings[1]);
    assert_eq!(outputs[0], outputs[1], "rows differ between 1 and 2 jobs");
}
