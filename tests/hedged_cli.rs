//! The command line on a scenario with events: `check` lists them, `plan`
//! gives the hedged plan (SPEC.md 7.4), `--future` one future's, `audit`
//! checks a hedged plan's futures and non-anticipativity, and the commands
//! that do not plan events yet say so instead of ignoring them.

mod common;

use common::fsdplan;
use serde_json::Value;

const HEDGED: &str = "tests/scenarios/small-hedged.toml";

fn stdout_of(args: &[&str]) -> (Option<i32>, String, String) {
    let out = fsdplan().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn check_lists_events_futures_and_what_is_known_when() {
    let (code, out, err) = stdout_of(&["check", HEDGED]);
    assert_eq!(code, Some(0), "{err}");
    let head: String = out.split("Uploads per class").next().unwrap().to_string();
    insta::assert_snapshot!(head);
}

#[test]
fn plan_table_puts_the_decision_to_take_now_first() {
    let (code, out, err) = stdout_of(&["plan", HEDGED]);
    assert_eq!(code, Some(0), "{err}");
    let now = out.find("Decide now").expect("the decision table");
    assert!(now < out.find("After each reveal").unwrap());
    assert!(out.find("After each reveal").unwrap() < out.find("Futures (").unwrap());
    common::plan_snapshots(|| insta::assert_snapshot!(out));
}

fn hedged_json() -> (String, Value) {
    let (code, out, err) = stdout_of(&["plan", HEDGED, "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    (out, json)
}

#[test]
fn plan_json_is_the_hedged_schema_with_a_future_on_every_row() {
    let (text, json) = hedged_json();
    assert_eq!(json["schema"], "fsdplan.hedged-plan/1");
    let futures = json["futures"].as_array().unwrap();
    assert_eq!(futures.len(), 4);
    // The fields in SPEC order, the events in file order (read from the
    // text: a parsed JSON object keeps no order).
    let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle}"));
    let order = [
        at("\"future\": \"banned/fast\""),
        at("\"probability\": 0.12"),
        at("\"npv\""),
        at("\"h20_ban\": \"banned\""),
        at("\"fleet\": \"fast\""),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    let mut expected = 0.0;
    for f in futures {
        expected += f["probability"].as_f64().unwrap() * f["npv"].as_f64().unwrap();
    }
    let reported = json["expected_npv"].as_f64().unwrap();
    assert!(
        (expected - reported).abs() <= 1e-9 * reported,
        "{expected} {reported}"
    );
    assert!((json["objective"].as_f64().unwrap() - reported).abs() <= 1e-6 * reported);
    for table in [
        "costs",
        "gpus",
        "storage",
        "sites",
        "data",
        "links",
        "shortfall",
    ] {
        for row in json[table].as_array().unwrap() {
            assert!(row["future"].is_string(), "{table}");
        }
        // `future` is each row's first field.
        let start = at(&format!("\"{table}\": ["));
        let rest = &text[start..];
        if let Some(open) = rest
            .find('{')
            .filter(|_| !json[table].as_array().unwrap().is_empty())
        {
            let first_field = rest[open + 1..].trim_start();
            assert!(
                first_field.starts_with("\"future\""),
                "{table}: {first_field:.40}"
            );
        }
    }
    // Same input, same bytes.
    assert_eq!(text, hedged_json().0);
}

#[test]
fn audit_passes_a_hedged_plan_and_catches_one_that_anticipates() {
    let (text, mut json) = hedged_json();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, &text).unwrap();
    let (code, out, err) = stdout_of(&["audit", HEDGED, good.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}{err}");
    // One future buys a node more in 2025Q1, before anything is known.
    let row = json["gpus"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["future"] == "open/slow" && r["period"] == "2025Q1")
        .expect("a purchase in the first quarter");
    let bought = row["bought_nodes"].as_f64().unwrap();
    row["bought_nodes"] = (bought + 1.0).into();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_string(&json).unwrap()).unwrap();
    let (code, out, _) = stdout_of(&["audit", HEDGED, bad.to_str().unwrap()]);
    assert_eq!(code, Some(fsdplan::exit::AUDIT_FAILED), "{out}");
    assert!(out.contains("are alike in 2025Q1"), "{out}");
}

#[test]
fn future_plans_one_future_alone_and_audit_needs_to_know_which() {
    let (code, out, err) = stdout_of(&[
        "plan",
        HEDGED,
        "--future",
        "banned/slow",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["schema"], "fsdplan.plan/1");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.json");
    std::fs::write(&file, &out).unwrap();
    let file = file.to_str().unwrap();
    let (code, _, err) = stdout_of(&["audit", HEDGED, file, "--future", "banned/slow"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = stdout_of(&["audit", HEDGED, file]);
    assert_eq!(code, Some(fsdplan::exit::USAGE));
    assert!(err.contains("--future NAME"), "{err}");
    let (code, _, err) = stdout_of(&["plan", HEDGED, "--future", "banned/slw"]);
    assert_eq!(code, Some(fsdplan::exit::USAGE));
    assert!(err.contains("did you mean `banned/slow`?"), "{err}");
}

#[test]
fn compare_plans_each_option_hedged_in_tables_json_and_csv() {
    let (code, out, err) = stdout_of(&["compare", HEDGED, "--relax"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("each option a hedged plan of 4 futures"),
        "{out}"
    );
    assert!(out.contains("E[NPV]") && out.contains("CVaR"), "{out}");
    let (code, out, err) = stdout_of(&["compare", HEDGED, "--relax", "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["futures"], 4);
    for row in json["rows"].as_array().unwrap() {
        if row["status"] == "optimal" {
            assert!(row["expected_npv"].as_f64().unwrap() > 0.0, "{row}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = stdout_of(&[
        "compare",
        HEDGED,
        "--relax",
        "--format",
        "csv",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let csv = std::fs::read_to_string(dir.path().join("compare.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("option,status,npv_cny,expected_npv_cny,cvar_cny,"),
        "{header}"
    );
    // Every record has the header's fields (the reader refuses otherwise).
    let records = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert!(records.len() >= 2, "{csv}");
}

#[test]
fn explain_names_the_future_of_each_binding_limit() {
    let (code, out, err) = stdout_of(&["explain", HEDGED]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("Binding limits in each future"), "{out}");
    assert!(out.contains(" future "), "{out}");
    let (code, out, err) = stdout_of(&["explain", HEDGED, "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["schema"], "fsdplan.hedged-explain/1");
    let futures = ["banned/fast", "banned/slow", "open/fast", "open/slow"];
    let rows = json["marginal_costs"].as_array().unwrap();
    for future in futures {
        assert!(rows.iter().any(|r| r["future"] == future), "{future}");
    }
    for row in json["limits"].as_array().unwrap() {
        assert!(futures.contains(&row["future"].as_str().unwrap()), "{row}");
        assert!(row["value_per_unit"].as_f64().unwrap() > 0.0, "{row}");
    }
    // `plan --explain` carries the same explanation in the hedged plan.
    let (code, out, err) = stdout_of(&["plan", HEDGED, "--explain", "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let plan: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["schema"], "fsdplan.hedged-plan/1");
    assert_eq!(plan["explain"], json);
}

#[test]
fn hedge_draws_no_progress_bar_off_a_terminal_or_with_quiet() {
    for args in [vec!["hedge", HEDGED], vec!["hedge", HEDGED, "--quiet"]] {
        let (code, out, err) = stdout_of(&args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?} wrote to stderr: {err}");
        assert!(out.contains("EVPI"), "{out}");
    }
}

#[test]
fn hedge_reports_evpi_vss_and_regret_in_json_and_tables() {
    let (code, out, err) = stdout_of(&["hedge", HEDGED, "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["schema"], "fsdplan.hedge/1");
    for key in [
        "scenario",
        "currency",
        "futures",
        "hedged",
        "perfect_foresight",
        "wait_and_see",
        "evpi",
        "plan_for",
        "regret",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    let futures = json["futures"].as_array().unwrap();
    assert!(futures.iter().all(|f| f.get("npv").is_none()));
    let e = json["hedged"]["expected_npv"].as_f64().unwrap();
    let ws: f64 = json["perfect_foresight"]
        .as_array()
        .unwrap()
        .iter()
        .zip(futures)
        .map(|(p, f)| p["npv"].as_f64().unwrap() * f["probability"].as_f64().unwrap())
        .sum();
    assert!((json["wait_and_see"].as_f64().unwrap() - ws).abs() < 1e-6 * ws);
    assert!((json["evpi"].as_f64().unwrap() - (e - ws)).abs() < 1e-6 * ws);
    assert!(
        json["evpi"].as_f64().unwrap() >= -1e-6 * ws,
        "EVPI >= 0 with weight 0"
    );
    let mut feasible = 0;
    for bet in json["plan_for"].as_array().unwrap() {
        if let Some(ev) = bet["expected_npv"].as_f64() {
            feasible += 1;
            assert!((bet["vss"].as_f64().unwrap() - (ev - e)).abs() < 1e-6 * e);
        } else {
            assert!(
                bet["why"].as_str().unwrap().contains("without a plan"),
                "{bet}"
            );
        }
    }
    assert_eq!(
        json["regret"].as_array().unwrap().len(),
        (1 + feasible) * futures.len()
    );
    let (code, table, _) = stdout_of(&["hedge", HEDGED]);
    assert_eq!(code, Some(0));
    for heading in [
        "EVPI",
        "Perfect foresight",
        "Plans that bet on one future",
        "Regret",
    ] {
        assert!(table.contains(heading), "{heading}");
    }
    // A scenario without events has nothing to hedge.
    let (code, _, err) = stdout_of(&["hedge", "tests/scenarios/small.toml"]);
    assert_eq!(code, Some(fsdplan::exit::USAGE));
    assert!(err.contains("no [[event]]"), "{err}");
}

#[test]
fn the_shipped_hedged_scenario_is_valid_and_its_relaxation_passes_the_audit() {
    let scenario = "configs/china-1.7m-hedged.toml";
    let (code, out, err) = stdout_of(&["check", scenario]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("3 events, 12 futures"), "{out}");
    let (code, out, err) = stdout_of(&["plan", scenario, "--relax", "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["status"], "optimal");
    assert_eq!(json["futures"].as_array().unwrap().len(), 12);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hedged.json");
    std::fs::write(&file, &out).unwrap();
    let (code, out, _) = stdout_of(&["audit", scenario, file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    // The default scenario is the future that happened, with foresight:
    // it is never dearer than the hedged plan in that future.
    let (_, default, _) = stdout_of(&[
        "plan",
        "configs/china-1.7m.toml",
        "--relax",
        "--format",
        "json",
    ]);
    let default: Value = serde_json::from_str(&default).unwrap();
    let happened = json["futures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["future"] == "banned_then_licensed/licensed/as_planned")
        .unwrap();
    let foresight = default["objective"].as_f64().unwrap();
    assert!(happened["npv"].as_f64().unwrap() >= foresight * (1.0 - 1e-9));
}

#[test]
fn sweep_plans_a_hedged_plan_per_point_and_can_vary_a_probability() {
    let (code, out, err) = stdout_of(&[
        "sweep",
        HEDGED,
        "--set",
        "event.fleet.outcome.fast.probability=0.1,0.9",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let rows = json["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    let npv = |i: usize| rows[i]["npv"].as_f64().unwrap();
    // Fast growth is dearer, so the more likely it is, the dearer the plan.
    assert!(npv(1) > npv(0), "{} {}", npv(0), npv(1));
    // Each point's NPV is the hedged objective of that probability.
    let (_, plan, _) = stdout_of(&[
        "plan",
        HEDGED,
        "--set",
        "event.fleet.outcome.fast.probability=0.9",
        "--format",
        "json",
    ]);
    let plan: Value = serde_json::from_str(&plan).unwrap();
    assert_eq!(plan["objective"].as_f64().unwrap(), npv(1));
}

#[test]
fn diff_compares_a_hedged_plan_by_its_expected_costs() {
    let (_, text, _) = stdout_of(&["plan", HEDGED, "--format", "json"]);
    let hedged: Value = serde_json::from_str(&text).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hedged.json");
    std::fs::write(&file, &text).unwrap();
    let (code, out, err) = stdout_of(&[
        "diff",
        "tests/scenarios/small.toml",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let diff: Value = serde_json::from_str(&out).unwrap();
    let b = diff["b"]["npv"].as_f64().expect("B's NPV");
    let expected = hedged["expected_npv"].as_f64().unwrap();
    assert!((b - expected).abs() <= 1e-9 * expected, "{b} {expected}");
    // The expected cost table adds up to the expected NPV.
    let by_category: f64 = diff["categories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] != "NPV")
        .map(|c| c["b"].as_f64().unwrap())
        .sum();
    assert!(
        (by_category - expected).abs() <= 1e-6 * expected,
        "{by_category} {expected}"
    );
    // A scenario with events is planned hedged, then compared the same way.
    let (code, out, err) = stdout_of(&[
        "diff",
        "tests/scenarios/small.toml",
        HEDGED,
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let again: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(again["b"]["npv"], diff["b"]["npv"]);
}
