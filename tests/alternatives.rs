//! `fsdplan alternatives` on files under `tests/`: the near-optimal ranges
//! in JSON and CSV, metrics read with a did-you-mean, maximally different
//! alternatives, the files of `--out` and the HTML page, and the ranges of
//! a hedged plan.

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

/// A scenario with events: the alternatives of its hedged plan. The slack
/// holds the hedged objective; each end is a hedged plan, audited, written
/// under `--out`; a metric is that of the plan in expectation (each
/// future's, weighted by its probability).
#[test]
fn a_scenario_with_events_gets_the_ranges_of_its_hedged_plan() {
    let dir = tempfile::tempdir().unwrap();
    let out = fsdplan()
        .args([
            "alternatives",
            "tests/scenarios/small-hedged.toml",
            "--relax",
            "--min",
            "nodes:H20",
            "--max",
            "abroad-pb",
            "--format",
            "json",
            "--out",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(name)).unwrap()).unwrap()
    };
    let json = read("alternatives.json");
    let optimum = read("plan-optimum.json");
    assert_eq!(optimum["schema"], "fsdplan.hedged-plan/1");
    // The hedged plan's objective is the one the slack holds.
    assert_eq!(json["optimum"]["objective"], optimum["objective"]);
    let cap = json["npv_cap"].as_f64().unwrap();
    let probability = |plan: &serde_json::Value, future: &str| -> f64 {
        plan["futures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["future"] == future)
            .unwrap()["probability"]
            .as_f64()
            .unwrap()
    };
    for (file, row, end, expected) in [
        ("plan-least-nodes-H20.json", 0, "min", "npv_at_min"),
        ("plan-most-abroad-pb.json", 1, "max", "npv_at_max"),
    ] {
        let plan = read(file);
        assert_eq!(plan["schema"], "fsdplan.hedged-plan/1", "{file}");
        assert!(plan.get("audit_violations").is_none(), "{file}: {plan}");
        let objective = plan["objective"].as_f64().unwrap();
        assert_eq!(json["ranges"][row][expected].as_f64(), Some(objective));
        assert!(
            objective <= cap * (1.0 + 1e-9),
            "{file}: {objective} above {cap}"
        );
        // The metric in expectation, from the futures' rows.
        let last = plan["periods"].as_array().unwrap().last().unwrap().clone();
        let in_expectation: f64 = if row == 0 {
            plan["gpus"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["gpu"] == "H20")
                .map(|r| {
                    probability(&plan, r["future"].as_str().unwrap())
                        * r["bought_nodes"].as_f64().unwrap()
                })
                .sum()
        } else {
            plan["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["period"] == last && r["site"] == "abroad")
                .map(|r| {
                    probability(&plan, r["future"].as_str().unwrap())
                        * r["stock_pb"].as_f64().unwrap()
                })
                .sum()
        };
        let value = json["ranges"][row][end].as_f64().unwrap();
        assert!(
            (value - in_expectation).abs() <= 1e-6 * value.abs().max(1.0),
            "{file}: {value} against {in_expectation}"
        );
        let at_optimum = json["ranges"][row]["optimum"].as_f64().unwrap();
        let tolerance = 1e-6 * at_optimum.abs().max(1.0);
        match end {
            "min" => assert!(value <= at_optimum + tolerance),
            _ => assert!(value >= at_optimum - tolerance),
        }
    }
}

/// `--distinct N` adds N plans, each audited, within the slack, avoiding
/// the GPU and site pairs the plans before it bought, with its change in
/// NPV and the decisions that changed; `--out DIR` writes every plan made
/// as plan JSON beside the result.
#[test]
fn distinct_alternatives_are_within_the_slack_and_written_under_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = fsdplan()
        .args([
            "alternatives",
            SMALL,
            "--relax",
            "--min",
            "nodes:H100",
            "--distinct",
            "2",
            "--format",
            "json",
            "--out",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join("alternatives.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let npv = json["optimum"]["objective"].as_f64().unwrap();
    let cap = json["npv_cap"].as_f64().unwrap();
    let rows = json["alternatives"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let mut avoided_before = 0;
    for (k, row) in rows.iter().enumerate() {
        assert_eq!(row["name"], format!("alternative {}", k + 1));
        let objective = row["objective"].as_f64().unwrap();
        assert!(objective <= cap * (1.0 + 1e-9), "{row}");
        let change = row["change_pct"].as_f64().unwrap();
        assert!(
            (change - 100.0 * (objective - npv) / npv).abs() < 1e-6,
            "{row}"
        );
        // Each avoids at least what the one before avoided.
        let avoided = row["avoided"].as_array().unwrap();
        assert!(
            !avoided.is_empty() && avoided.len() >= avoided_before,
            "{row}"
        );
        avoided_before = avoided.len();
        assert!(
            row["changes"].as_array().is_some_and(|c| !c.is_empty()),
            "{row}"
        );
    }
    // Every plan made, as `plan --format json` writes it, each audited.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "alternatives.json",
            "plan-alternative-1.json",
            "plan-alternative-2.json",
            "plan-least-nodes-H100.json",
            "plan-optimum.json",
        ]
    );
    for (name, expected) in [
        ("plan-optimum.json", Some(npv)),
        ("plan-alternative-1.json", rows[0]["objective"].as_f64()),
        (
            "plan-least-nodes-H100.json",
            json["ranges"][0]["npv_at_min"].as_f64(),
        ),
    ] {
        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join(name)).unwrap()).unwrap();
        assert_eq!(plan["schema"], "fsdplan.plan/1", "{name}");
        assert_eq!(plan["objective"].as_f64(), expected, "{name}");
        assert!(plan
            .get("audit_violations")
            .is_none_or(|v| v.as_array().unwrap().is_empty()));
    }
}

/// The HTML page draws one range bar per metric, with the optimum's
/// marker, then the tables.
#[test]
fn the_html_page_draws_a_bar_per_range() {
    let out = fsdplan()
        .args([
            "alternatives",
            SMALL,
            "--relax",
            "--distinct",
            "1",
            "--format",
            "html",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    // One diamond per range: nodes of three GPUs, abroad-pb and three
    // capped sites' peaks.
    let json = fsdplan()
        .args(["alternatives", SMALL, "--relax", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let ranges = json["ranges"].as_array().unwrap().len();
    assert_eq!(ranges, 7);
    assert_eq!(page.matches("<polygon").count(), ranges);
    let end_labels = page
        .lines()
        .filter(|l| l.trim_start().starts_with("least "))
        .count();
    assert_eq!(end_labels, ranges);
    assert!(page.contains("Maximally different alternatives"));
}
