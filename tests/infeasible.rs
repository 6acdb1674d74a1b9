//! Scenarios without a plan, one per kind of cause, each explained in words
//! that name the limit, the period and the place, with a snapshot of the
//! explanation. The numbers are worked out in each file's comment and in
//! the assertions here: a node is 126,144 EFLOP a year and 15 kW; training
//! needs 600,000 EFLOP a year (4.756 nodes); uploads are 12 PB a year
//! (3.04 Gbps).

use assert_cmd::Command;

/// The plan's exit code, the explanation on stderr, and the JSON. With
/// `--format json` the explanation is on stderr (with tables, it is in the
/// table on stdout, and stderr has the status line only).
fn plan(name: &str) -> (i32, String, serde_json::Value) {
    let path = format!("tests/infeasible/{name}.toml");
    let json_out = Command::cargo_bin("fsdplan")
        .unwrap()
        .args(["plan", &path, "--format", "json"])
        .output()
        .unwrap();
    (
        json_out.status.code().unwrap_or(-1),
        String::from_utf8(json_out.stderr).unwrap(),
        serde_json::from_slice(&json_out.stdout).unwrap(),
    )
}

/// The missing amounts of a kind in the JSON explanation.
fn missing(json: &serde_json::Value, kind: &str) -> Vec<f64> {
    json["infeasibility"]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == kind)
        .map(|m| m["amount"].as_f64().unwrap())
        .collect()
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * b.abs()
}

#[test]
fn every_infeasible_scenario_is_explained() {
    let mut names: Vec<String> = std::fs::read_dir("tests/infeasible")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('_'))
        .map(|p| p.file_stem().unwrap().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert_eq!(names.len(), 6);
    for name in names {
        let (code, stderr, json) = plan(&name);
        assert_eq!(code, fsdplan::exit::INFEASIBLE, "{name}");
        assert_eq!(json["status"], "infeasible");
        assert!(
            stderr.lines().count() > 1,
            "{name}: just `infeasible`: {stderr}"
        );
        insta::with_settings!({ snapshot_suffix => name.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("infeasible", stderr);
        });
    }
}

#[test]
fn a_power_cap_names_the_megawatts_missing() {
    // 0.03 MW holds 2 nodes: 4.756 nodes need 0.0713 MW.
    let (_, stderr, json) = plan("power");
    assert!(
        stderr.contains("2025: power cap at east needs 0.04 MW more"),
        "{stderr}"
    );
    let power = missing(&json, "power_cap");
    assert!(close(power[0], 4.756_468 * 0.015 - 0.03, 1e-4), "{power:?}");
    let short = missing(&json, "training");
    assert!(
        close(short[0], 600_000.0 - 2.0 * 126_144.0, 1e-9),
        "{short:?}"
    );
}

#[test]
fn supply_budget_and_ingest_caps_name_what_is_missing() {
    let (_, _, json) = plan("supply");
    assert!(close(
        missing(&json, "supply_cap")[0],
        4.756_468 - 3.0,
        1e-4
    ));
    // Budget: nodes 4,756 plus storage 12 PB x 1,000, less 3,000.
    let (_, stderr, json) = plan("budget");
    assert!(close(
        missing(&json, "budget")[0],
        4_756.468 + 12_000.0 - 3_000.0,
        1e-4
    ));
    assert!(stderr.contains("budget needs CNY 13,756 more"), "{stderr}");
    // Ingest: 12 PB a year is 3.044 Gbps; the cap is 1.
    let (_, stderr, json) = plan("ingest-cap");
    let gbps = 8e6 * 12.0 / (3600.0 * 730.0 * 12.0);
    assert!(close(missing(&json, "ingest_cap")[0], gbps - 1.0, 1e-6));
    assert!(
        stderr.contains("ingest cap at east needs 2.04 Gbps more"),
        "{stderr}"
    );
}

#[test]
fn bans_and_residency_are_caught_before_solving() {
    let (_, stderr, _) = plan("ban");
    assert!(
        stderr.contains("video has training demand but none of the sites it may be kept at (east)"),
        "{stderr}"
    );
    assert!(stderr.contains("every GPU is banned"), "{stderr}");
    let (_, stderr, _) = plan("residency");
    assert!(
        stderr.contains("2025: video has training demand but none of the sites it may be kept at (east) can have compute"),
        "{stderr}"
    );
}
