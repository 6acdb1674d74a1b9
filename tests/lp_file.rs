//! The model written with `plan --write-lp`, re-solved by GLPK's `glpsol`,
//! a solver this project does not use: its LP optimum must equal the
//! planner's relaxation, and its integer optimum must lie between the
//! planner's bound and the planner's plan.
//!
//! `glpsol` comes from Debian's `glpk-utils`; `.ci/run` installs it and sets
//! FSDPLAN_REQUIRE_GLPSOL=1, so in CI this test fails rather than skips when
//! it is missing.

use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

fn glpsol_available() -> bool {
    let found = Command::new("glpsol").arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("FSDPLAN_REQUIRE_GLPSOL").is_none(),
            "glpsol is required (FSDPLAN_REQUIRE_GLPSOL is set) but not installed"
        );
        eprintln!("glpsol not installed (apt-get install glpk-utils): LP-file test skipped");
    }
    found
}

/// Plans `scenario`, writing the LP file; returns (objective, bound).
fn plan(scenario: &str, lp: &Path, relax: bool) -> (f64, f64) {
    let mut cmd = Command::cargo_bin("fsdplan").unwrap();
    cmd.args(["plan", scenario, "--format", "json", "--write-lp"])
        .arg(lp);
    if relax {
        cmd.arg("--relax");
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        json["objective"].as_f64().unwrap(),
        json["bound"].as_f64().unwrap(),
    )
}

/// glpsol's optimum of an LP file, in currency units (the file's header
/// gives the scale).
fn glpsol(lp: &Path, relax: bool) -> f64 {
    let solution = lp.with_extension("sol");
    let mut cmd = Command::new("glpsol");
    cmd.arg("--lp").arg(lp).arg("-o").arg(&solution);
    if relax {
        cmd.arg("--nomip");
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = std::fs::read_to_string(&solution).unwrap();
    assert!(
        text.contains("OPTIMAL"),
        "glpsol did not prove optimality:\n{text}"
    );
    let objective: f64 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Objective:"))
        .and_then(|rest| rest.split('=').nth(1))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("glpsol prints the objective");
    let header = std::fs::read_to_string(lp).unwrap();
    let scale: f64 = header
        .lines()
        .find_map(|l| l.split("NPV = objective x ").nth(1))
        .and_then(|v| v.trim_end_matches(')').parse().ok())
        .expect("the LP file states its money scale");
    objective * scale
}

#[test]
fn glpsol_re_solves_the_written_model_to_the_planners_objective() {
    if !glpsol_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for scenario in ["tests/scenarios/small.toml", "configs/china-1.7m.toml"] {
        let lp = dir.path().join("relaxed.lp");
        let (relaxed, _) = plan(scenario, &lp, true);
        let theirs = glpsol(&lp, true);
        assert!(
            (theirs - relaxed).abs() <= 1e-7 * relaxed,
            "{scenario}: LP relaxation {relaxed}, glpsol {theirs}"
        );
    }
    // The integer optimum: the small scenario is small enough for glpsol to
    // prove it.
    let lp = dir.path().join("small.lp");
    let (objective, bound) = plan("tests/scenarios/small.toml", &lp, false);
    let theirs = glpsol(&lp, false);
    assert!(
        bound <= theirs * (1.0 + 1e-9) && theirs <= objective * (1.0 + 1e-9),
        "glpsol's integer optimum {theirs} lies outside the planner's [{bound}, {objective}]"
    );
}
