//! The HiGHS backend against the embedded one (build with `--features
//! highs`): both find plans above the other's proven bound, equal LP
//! relaxations, the same infeasibility, and plans that pass the audit.
#![cfg(feature = "highs")]

use std::path::Path;

use fsdplan::analyses::plan;
use fsdplan::plan::PlanOptions;
use fsdplan::report::PlanReport;
use fsdplan::scenario::{self, Scenario};
use fsdplan::solve::{Highs, LpBackend, MicroLp, NoClock};

fn load(path: &str) -> Scenario {
    let mut read = |p: &Path| std::fs::read_to_string(p);
    scenario::load(Path::new(path), &mut read)
        .expect("the scenario loads")
        .scenario
}

fn report(scenario: &Scenario, backend: &dyn LpBackend, relax: bool) -> PlanReport {
    let options = PlanOptions {
        relax,
        ..PlanOptions::default()
    };
    plan(scenario, options, backend, &NoClock).report()
}

const SCENARIOS: [&str; 3] = [
    "tests/scenarios/small.toml",
    "configs/china-1.7m.toml",
    "configs/domestic-only.toml",
];

#[test]
fn both_backends_agree_within_their_gaps() {
    let highs = Highs::default();
    for path in SCENARIOS {
        let scenario = load(path);
        let (a, b) = (
            report(&scenario, &MicroLp, false),
            report(&scenario, &highs, false),
        );
        assert_eq!(b.solver.backend, "highs");
        for r in [&a, &b] {
            assert_eq!(r.status, "optimal", "{path}: {}", r.solver.backend);
            let audit = fsdplan::analyses::audit::audit(&scenario, r);
            assert!(
                audit.violations.is_empty(),
                "{path}: {:#?}",
                audit.violations
            );
        }
        let (npv_a, npv_b) = (a.objective.unwrap(), b.objective.unwrap());
        let (bound_a, bound_b) = (a.bound.unwrap(), b.bound.unwrap());
        // Each plan costs at least what the other proved no plan can beat.
        assert!(
            npv_a >= bound_b * (1.0 - 1e-9),
            "{path}: {npv_a} < {bound_b}"
        );
        assert!(
            npv_b >= bound_a * (1.0 - 1e-9),
            "{path}: {npv_b} < {bound_a}"
        );
        assert!(
            (npv_a - npv_b).abs() <= 2e-3 * npv_a,
            "{path}: {npv_a} vs {npv_b}"
        );
    }
}

#[test]
fn both_backends_give_the_same_relaxation() {
    for path in SCENARIOS {
        let scenario = load(path);
        let a = report(&scenario, &MicroLp, true).objective.unwrap();
        let b = report(&scenario, &Highs::default(), true)
            .objective
            .unwrap();
        assert!((a - b).abs() <= 1e-7 * a, "{path}: {a} vs {b}");
    }
}

#[test]
fn highs_reports_infeasibility_and_explains_it() {
    let scenario = load("tests/infeasible/power.toml");
    let r = report(&scenario, &Highs::default(), false);
    assert_eq!(r.status, "infeasible");
    let why = r.infeasibility.expect("explained");
    assert!(
        why.lines
            .iter()
            .any(|l| l.contains("power cap at east needs 0.04 MW more")),
        "{:?}",
        why.lines
    );
}
