//! How long the default plan takes, split into model build and the whole
//! plan (build, integer search and report rows), in a release build:
//! `cargo bench --bench plan`.

use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
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
        .expect("shipped scenario loads")
        .scenario
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("default scenario");
    group.sample_size(10);
    let default = load("configs/china-1.7m.toml");
    group.bench_function("build model", |b| {
        b.iter(|| {
            let input = PlanInput::new(&default);
            model::build(&input).lp.size()
        })
    });
    group.bench_function("plan, LP relaxation", |b| {
        let options = PlanOptions {
            relax: true,
            ..PlanOptions::default()
        };
        b.iter(|| {
            plan(&default, options, &MicroLp, &Wall(Instant::now()))
                .report()
                .objective
        })
    });
    group.bench_function("plan, integer", |b| {
        b.iter(|| {
            plan(
                &default,
                PlanOptions::default(),
                &MicroLp,
                &Wall(Instant::now()),
            )
            .report()
            .objective
        })
    });
    let domestic = load("configs/domestic-only.toml");
    group.bench_function("domestic-only plan, integer", |b| {
        b.iter(|| {
            plan(
                &domestic,
                PlanOptions::default(),
                &MicroLp,
                &Wall(Instant::now()),
            )
            .report()
            .objective
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
