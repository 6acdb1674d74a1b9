//! The audit against plans broken on purpose: each corruption of a correct
//! plan of the small scenario must be caught and named by its rule, and the
//! correct plan must pass.

mod common;

use std::path::Path;

use fsdplan::analyses::audit::audit;
use fsdplan::analyses::plan;
use fsdplan::plan::result::PlanResult;
use fsdplan::plan::PlanOptions;
use fsdplan::report::PlanReport;
use fsdplan::scenario::{self, Scenario};
use fsdplan::solve::NoClock;
use serde_json::Value;

fn small() -> Scenario {
    let mut read = |p: &Path| std::fs::read_to_string(p);
    scenario::load(Path::new("tests/scenarios/small.toml"), &mut read)
        .expect("the small scenario loads")
        .scenario
}

fn plan_json(scenario: &Scenario) -> Value {
    let report = plan(
        scenario,
        PlanOptions::default(),
        common::backend(),
        &NoClock,
    )
    .report();
    serde_json::to_value(report).unwrap()
}

/// The rules the audit names for the plan after `corrupt`.
fn rules_after(corrupt: impl FnOnce(&mut Value)) -> Vec<&'static str> {
    let scenario = small();
    let mut json = plan_json(&scenario);
    corrupt(&mut json);
    let report: PlanReport = serde_json::from_value(json).unwrap();
    let mut rules: Vec<&'static str> = audit(&scenario, &report)
        .violations
        .iter()
        .map(|v| v.rule)
        .collect();
    rules.dedup();
    rules
}

/// The first row of `table` matching every (key, value) pair.
fn row<'a>(json: &'a mut Value, table: &str, keys: &[(&str, &str)]) -> &'a mut Value {
    json[table]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| keys.iter().all(|(k, v)| r[*k] == *v))
        .unwrap_or_else(|| panic!("no {table} row {keys:?}"))
}

fn scale(value: &mut Value, factor: f64) {
    *value = Value::from(value.as_f64().unwrap() * factor);
}

#[test]
fn a_correct_plan_passes() {
    let scenario = small();
    let report: PlanReport = serde_json::from_value(plan_json(&scenario)).unwrap();
    let result = audit(&scenario, &report);
    assert!(result.violations.is_empty(), "{:#?}", result.violations);
    assert!(result.checks > 300, "{} checks", result.checks);
}

#[test]
fn home_only_data_abroad_is_caught() {
    let rules = rules_after(|json| {
        let tracks = row(json, "data", &[("class", "tracks"), ("period", "2025Q2")]);
        tracks["site"] = "abroad".into();
    });
    assert!(rules.contains(&"residency"), "{rules:?}");
}

#[test]
fn export_without_deidentification_is_caught() {
    let rules = rules_after(|json| {
        // East's work without the de-identification of what it exports.
        let trained: f64 = json["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["site"] == "east" && r["period"] == "2025Q1")
            .map(|r| r["trained_pflop"].as_f64().unwrap())
            .sum();
        let east = row(json, "sites", &[("site", "east"), ("period", "2025Q1")]);
        east["compute_used_pflop"] = Value::from(trained);
    });
    assert!(rules.contains(&"deidentification"), "{rules:?}");
}

#[test]
fn an_export_quota_overrun_is_caught() {
    let rules = rules_after(|json| {
        let copy = row(
            json,
            "links",
            &[("link", "east-abroad"), ("period", "2025Q2")],
        );
        copy["copied_pb"] = Value::from(0.35);
    });
    assert!(rules.contains(&"export_quota"), "{rules:?}");
}

#[test]
fn a_purchase_under_a_ban_is_caught() {
    let rules = rules_after(|json| {
        let buy = row(
            json,
            "gpus",
            &[("site", "east"), ("gpu", "H20"), ("period", "2025Q2")],
        );
        buy["bought_nodes"] = Value::from(3.0);
    });
    assert!(rules.contains(&"export_ban"), "{rules:?}");
}

#[test]
fn licence_supply_and_power_caps_are_caught() {
    let rules = rules_after(|json| {
        let h20 = row(
            json,
            "gpus",
            &[("site", "west"), ("gpu", "H20"), ("period", "2025Q4")],
        );
        h20["installed_nodes"] = Value::from(31.0);
    });
    assert!(rules.contains(&"licence_cap"), "{rules:?}");

    let rules = rules_after(|json| {
        let b = row(
            json,
            "gpus",
            &[("site", "west"), ("gpu", "910B"), ("period", "2025Q1")],
        );
        b["bought_nodes"] = Value::from(45.0);
    });
    assert!(rules.contains(&"supply_cap"), "{rules:?}");

    let rules = rules_after(|json| {
        let b = row(
            json,
            "gpus",
            &[("site", "west"), ("gpu", "910B"), ("period", "2025Q4")],
        );
        b["installed_nodes"] = Value::from(3000.0);
    });
    assert!(rules.contains(&"power_cap"), "{rules:?}");
}

#[test]
fn uploads_stock_and_bandwidth_are_checked() {
    let rules = rules_after(|json| {
        let east = row(
            json,
            "data",
            &[("site", "east"), ("class", "video"), ("period", "2025Q1")],
        );
        scale(&mut east["ingested_pb"], 0.5);
    });
    assert!(rules.contains(&"ingest_all"), "{rules:?}");

    let rules = rules_after(|json| {
        let east = row(
            json,
            "data",
            &[("site", "east"), ("class", "tracks"), ("period", "2025Q3")],
        );
        scale(&mut east["stock_pb"], 2.0);
    });
    assert!(rules.contains(&"retention"), "{rules:?}");

    let rules = rules_after(|json| {
        let east = row(json, "sites", &[("site", "east"), ("period", "2025Q2")]);
        scale(&mut east["ingest_gbps"], 0.5);
    });
    assert!(rules.contains(&"ingest_bandwidth"), "{rules:?}");

    let rules = rules_after(|json| {
        let link = row(
            json,
            "links",
            &[("link", "east-west"), ("period", "2025Q3")],
        );
        scale(&mut link["gbps"], 0.5);
    });
    assert!(rules.contains(&"link_bandwidth"), "{rules:?}");
}

#[test]
fn costs_that_do_not_add_up_are_caught() {
    let rules = rules_after(|json| {
        let cost = row(json, "costs", &[("period", "2025Q3")]);
        scale(&mut cost["energy"], 1.1);
    });
    assert!(rules.contains(&"costs"), "{rules:?}");

    let rules = rules_after(|json| scale(&mut json["objective"], 0.99));
    assert_eq!(rules, ["npv"]);
}

#[test]
fn a_plan_of_another_scenario_is_named_as_such() {
    let rules = rules_after(|json| {
        let buy = row(
            json,
            "gpus",
            &[("site", "east"), ("gpu", "H20"), ("period", "2025Q1")],
        );
        buy["site"] = "north".into();
    });
    assert_eq!(rules, ["unknown_name"]);
}

#[test]
fn the_binary_exits_7_on_a_violation_and_0_on_a_clean_plan() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = small();
    let mut json = plan_json(&scenario);
    let good = dir.path().join("good.json");
    std::fs::write(&good, serde_json::to_string(&json).unwrap()).unwrap();
    scale(&mut json["objective"], 0.99);
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, serde_json::to_string(&json).unwrap()).unwrap();
    let run = |plan: &Path| {
        assert_cmd::Command::cargo_bin("fsdplan")
            .unwrap()
            .args(["audit", "tests/scenarios/small.toml"])
            .arg(plan)
            .output()
            .unwrap()
    };
    let out = run(&good);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("passed"));
    let out = run(&bad);
    assert_eq!(out.status.code(), Some(fsdplan::exit::AUDIT_FAILED));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("FAILED: 1 violation") && text.contains("npv"),
        "{text}"
    );
}

/// The in-process gate: a plan that breaks a rule is never returned as a
/// plan. It becomes a solver failure with the audit's findings and no rows.
#[test]
fn a_plan_that_fails_the_audit_is_never_shown() {
    let scenario = small();
    let mut json = plan_json(&scenario);
    scale(&mut row(&mut json, "sites", &[])["power_mw"], 100.0);
    let broken: PlanResult = serde_json::from_value(json).unwrap();
    assert!(broken.objective.is_some());
    let gated = fsdplan::analyses::audit::certify(&scenario, broken);
    assert_eq!(gated.status, "error");
    assert_eq!(fsdplan::exit::for_status(&gated.status), 5);
    assert!(gated.objective.is_none() && gated.bound.is_none());
    assert!(gated.costs.is_empty() && gated.gpus.is_empty() && gated.sites.is_empty());
    assert!(!gated.audit_violations.is_empty());
    let message = gated.message.unwrap();
    assert!(
        message.contains("failed the independent audit"),
        "{message}"
    );
    assert!(message.contains("MW reported"), "{message}");
    // A correct plan passes the gate unchanged.
    let good: PlanResult = serde_json::from_value(plan_json(&scenario)).unwrap();
    assert_eq!(
        fsdplan::analyses::audit::certify(&scenario, good.clone()),
        good
    );
}

/// A relaxation keeps its fractional node counts, so the compute it uses is
/// within the compute installed, and it passes the audit (integrality aside).
#[test]
fn a_relaxed_plan_keeps_fractional_nodes_and_passes_the_audit() {
    let scenario = small();
    let options = PlanOptions {
        relax: true,
        ..PlanOptions::default()
    };
    let report = plan(&scenario, options, common::backend(), &NoClock).report();
    assert_eq!(report.status, "optimal");
    assert!(
        report
            .gpus
            .iter()
            .any(|r| r.bought_nodes.fract() != 0.0 || r.installed_nodes.fract() != 0.0),
        "the small scenario's relaxation buys fractional nodes"
    );
    for site in &report.sites {
        assert!(
            site.compute_used_pflop <= site.compute_pflop,
            "{} {}: used {} above installed {}",
            site.site,
            site.period,
            site.compute_used_pflop,
            site.compute_pflop
        );
    }
    let audited = audit(&scenario, &report);
    assert!(audited.violations.is_empty(), "{:?}", audited.violations);
}

/// Rows are cleaned once: no float noise, and no invariant broken by it.
#[test]
fn result_rows_carry_no_float_noise() {
    use fsdplan::plan::result::tidy_number;
    assert_eq!(tidy_number(7.649999999999995), 7.65);
    assert_eq!(tidy_number(12109824.000001552), 12109824.0);
    assert_eq!(tidy_number(-0.0), 0.0);
    assert_eq!(tidy_number(1e-13), 0.0);
    assert_eq!(tidy_number(2638160123.4567), 2638160123.46);
    let scenario = small();
    let report: PlanReport = serde_json::from_value(plan_json(&scenario)).unwrap();
    for site in &report.sites {
        assert!(site.compute_used_pflop <= site.compute_pflop);
        if let Some(cap) = site.power_cap_mw {
            assert!(site.power_mw <= cap);
        }
    }
    for row in &report.costs {
        assert_eq!(row.total, tidy_number(row.total));
    }
}
