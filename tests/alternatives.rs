//! `fsdplan alternatives` on files under `tests/`: the near-optimal ranges
//! in JSON and CSV, metrics read with a did-you-mean, and scenarios with
//! events refused until they are built.

mod common;

use common::fsdplan;

const SMALL: &str = "tests/scenarios/small.toml";

#[test]
fn ranges_hold_the_optimum_and_stay_within_the_slack() {
    let out = fsdplan()
        .args([
            "alternatives",
            SMALL,
            "--relax",
            "--slack",
            "0.05",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema"], "fsdplan.alternatives/1");
    assert_eq!(json["slack"], 0.05);
    assert_eq!(json["optimum"]["status"], "optimal");
    let npv = json["optimum"]["objective"].as_f64().unwrap();
    let cap = json["npv_cap"].as_f64().unwrap();
    assert!((cap - 1.05 * npv).abs() < 1e-6 * npv, "{cap} against {npv}");
    let ranges = json["ranges"].as_array().unwrap();
    // The defaults: every GPU's nodes, the PB abroad, every capped site.
    assert!(ranges.len() >= 3, "{ranges:?}");
    for row in ranges {
        let (optimum, min, max) = (
            row["optimum"].as_f64().unwrap(),
            row["min"].as_f64().unwrap(),
            row["max"].as_f64().unwrap(),
        );
        let tolerance = 1e-6 * optimum.abs().max(1.0);
        assert!(
            min <= optimum + tolerance && optimum <= max + tolerance,
            "{row}"
        );
        for end in ["npv_at_min", "npv_at_max"] {
            assert!(row[end].as_f64().unwrap() <= cap * (1.0 + 1e-9), "{row}");
        }
        assert!(["firm", "some room", "free"].contains(&row["reading"].as_str().unwrap()));
    }
}

#[test]
fn one_end_asked_is_the_only_end_solved() {
    let out = fsdplan()
        .args([
            "alternatives",
            SMALL,
            "--relax",
            "--min",
            "abroad-pb",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    let header = lines.next().unwrap();
    assert!(
        header.contains("npv_at_min_cny") && header.contains("status_max"),
        "{header}"
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("abroad-pb,PB,") && row.contains("not asked"),
        "{row}"
    );
    assert_eq!(lines.next(), None);
}

#[test]
fn a_metric_the_scenario_cannot_have_is_a_bad_input_with_a_did_you_mean() {
    let out = fsdplan()
        .args(["alternatives", SMALL, "--max", "peak-mw:esat"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(fsdplan::exit::BAD_INPUT));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--max peak-mw:esat") && err.contains("did you mean `east`?"),
        "{err}"
    );
    let out = fsdplan()
        .args(["alternatives", SMALL, "--min", "node:H20"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(fsdplan::exit::BAD_INPUT));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("did you mean `nodes`?"));
}

#[test]
fn a_scenario_with_events_is_refused_until_built() {
    let out = fsdplan()
        .args(["alternatives", "tests/scenarios/small-hedged.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(fsdplan::exit::USAGE));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("not built yet"));
}
