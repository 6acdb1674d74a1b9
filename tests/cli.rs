//! The binary on files under `tests/`: snapshot tests of its tables and of
//! the error message for every bad input file, and its exit codes.

mod common;

use common::fsdplan;

/// Solve times vary from run to run; everything else must not. Replaces
/// `N.NN s,` in the summary's solve line with a placeholder.
fn redact_time(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with("solve ") || line.contains("| solve") {
                match (line.find("| "), line.find(" s, ")) {
                    (Some(a), Some(b)) if b > a => {
                        format!("{}| [time] s, {}", &line[..a], &line[b + 4..])
                    }
                    _ => line.to_string(),
                }
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn plan_table_of_the_small_scenario() {
    let out = fsdplan()
        .args(["plan", "tests/scenarios/small.toml"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    common::plan_snapshots(|| {
        insta::assert_snapshot!(redact_time(&String::from_utf8(out.stdout).unwrap()));
    });
}

#[test]
fn plan_markdown_of_the_small_scenario() {
    let out = fsdplan()
        .args(["plan", "tests/scenarios/small.toml", "--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    common::plan_snapshots(|| {
        insta::assert_snapshot!(redact_time(&String::from_utf8(out.stdout).unwrap()));
    });
}

#[test]
fn plan_json_follows_the_spec_and_is_byte_for_byte_repeatable() {
    let run = || {
        fsdplan()
            .args(["plan", "tests/scenarios/small.toml", "--format", "json"])
            .output()
            .unwrap()
    };
    let first = run();
    assert_eq!(first.status.code(), Some(0));
    assert_eq!(first.stdout, run().stdout, "same input, same output");
    let json: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(json["schema"], "fsdplan.plan/1");
    assert_eq!(json["status"], "optimal");
    for key in [
        "objective",
        "bound",
        "gap",
        "currency",
        "periods",
        "costs",
        "gpus",
        "storage",
        "sites",
        "data",
        "links",
        "shortfall",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    let npv = json["objective"].as_f64().unwrap();
    let discounted: f64 = json["costs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["discounted_total"].as_f64().unwrap())
        .sum();
    assert!(
        (npv - discounted).abs() <= 1e-6 * npv,
        "costs add up to the NPV"
    );
    common::plan_snapshots(|| {
        insta::assert_snapshot!(String::from_utf8(first.stdout).unwrap());
    });
}

#[test]
fn relaxed_plan_is_a_lower_bound() {
    let json = |args: &[&str]| -> serde_json::Value {
        let out = fsdplan().args(args).output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let relaxed = json(&[
        "plan",
        "tests/scenarios/small.toml",
        "--format",
        "json",
        "--relax",
    ]);
    let integer = json(&["plan", "tests/scenarios/small.toml", "--format", "json"]);
    assert_eq!(relaxed["bound"], relaxed["objective"]);
    assert!(relaxed["objective"].as_f64().unwrap() <= integer["objective"].as_f64().unwrap());
    assert!(relaxed["objective"].as_f64().unwrap() <= integer["bound"].as_f64().unwrap() + 1e-6);
}

#[test]
fn csv_writes_one_file_per_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = fsdplan()
        .args([
            "plan",
            "tests/scenarios/small.toml",
            "--format",
            "csv",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    for name in [
        "costs", "gpus", "storage", "sites", "data", "links", "summary",
    ] {
        let text = std::fs::read_to_string(dir.path().join(format!("{name}.csv"))).unwrap();
        assert!(
            text.starts_with("period,") || text.starts_with("scenario,"),
            "{name}.csv: {text}"
        );
    }
}

#[test]
fn check_prints_derived_quantities() {
    let out = fsdplan()
        .args(["check", "tests/scenarios/small.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn shipped_scenarios_plan_within_the_gap_target() {
    for scenario in ["configs/china-1.7m.toml", "configs/domestic-only.toml"] {
        let out = fsdplan()
            .args(["plan", scenario, "--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{scenario}");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["status"], "optimal", "{scenario}");
        assert!(json["gap"].as_f64().unwrap() <= 1e-3);
        // The plan passes the independent audit.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plan.json");
        std::fs::write(&file, &out.stdout).unwrap();
        let audit = fsdplan()
            .args(["audit", scenario])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(
            audit.status.code(),
            Some(0),
            "{scenario}: {}",
            String::from_utf8_lossy(&audit.stdout)
        );
    }
}

#[test]
fn an_infeasible_plan_exits_with_its_own_code() {
    let text = std::fs::read_to_string("tests/scenarios/valid-base.toml").unwrap()
        + "\n[budget]\ncapex_per_period = 0\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broke.toml");
    std::fs::write(
        &path,
        text.replace("existing = [ { gpu = \"H20\", nodes = 2 } ]", ""),
    )
    .unwrap();
    let out = fsdplan().arg("plan").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(fsdplan::exit::INFEASIBLE));
    assert!(String::from_utf8_lossy(&out.stdout).contains("infeasible"));
}

#[test]
fn bad_command_line_values_are_usage_errors() {
    let out = fsdplan()
        .args(["plan", "tests/scenarios/small.toml", "--mip-gap", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(fsdplan::exit::USAGE));
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 <= gap < 1"));
}

#[test]
fn every_bad_input_gets_one_located_message() {
    let mut files: Vec<_> = std::fs::read_dir("tests/bad")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 30);
    for path in files {
        let out = fsdplan().arg("check").arg(&path).output().unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        assert_eq!(out.status.code(), Some(fsdplan::exit::BAD_INPUT), "{name}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.starts_with("error: "), "{name}: {stderr}");
        if name != "include-missing-file" {
            assert!(
                stderr.contains(".toml:"),
                "{name} names no file and line: {stderr}"
            );
        }
        insta::with_settings!({ snapshot_suffix => name.clone(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("bad_input", stderr);
        });
    }
}
