//! The commands that run more than one plan (compare, sweep, merge, diff)
//! and `--set` overrides, run through the binary on files under `tests/`.

mod common;

use std::path::Path;

use serde_json::Value;

use common::fsdplan;

/// Runs the binary; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = fsdplan().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs the binary, expects success, parses stdout as JSON.
fn run_json(args: &[&str]) -> Value {
    let (code, stdout, stderr) = run(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
}

const SMALL: &str = "tests/scenarios/small.toml";
const BANNED: &str = "tests/scenarios/banned-everywhere.toml";
/// Supply and licence caps raised so that single options can meet demand.
const LOOSE: [&str; 4] = [
    "--set",
    "gpu.910B.max_nodes_per_period=1000",
    "--set",
    "export_rule.3.max_installed_nodes_per_site=1000",
];

/// Copies the small scenario and its catalog into `dir`, editing each with
/// `edit`, and returns the scenario's path.
fn small_copy(
    dir: &Path,
    edit_scenario: impl Fn(String) -> String,
    edit_catalog: impl Fn(String) -> String,
) -> std::path::PathBuf {
    let scenario = std::fs::read_to_string(SMALL).unwrap();
    let catalog = std::fs::read_to_string("tests/scenarios/small-catalog.toml").unwrap();
    std::fs::write(dir.join("small-catalog.toml"), edit_catalog(catalog)).unwrap();
    let path = dir.join("small.toml");
    std::fs::write(&path, edit_scenario(scenario)).unwrap();
    path
}

// --- overrides -----------------------------------------------------------

#[test]
fn overrides_plan_exactly_like_an_edited_file() {
    let dir = tempfile::tempdir().unwrap();
    let edited = small_copy(
        dir.path(),
        |s| {
            s.replace("growth_per_year = 0.2", "growth_per_year = 0.35")
                .replace("power_cap_mw = 20", "power_cap_mw = 2")
        },
        |c| c.replace("price_per_node = 1_400_000", "price_per_node = 900_000"),
    );
    let mut overridden = run_json(&[
        "plan",
        SMALL,
        "--format",
        "json",
        "--set",
        "fleet.growth_per_year=0.35",
        "--set",
        "site.west.power_cap_mw=2",
        "--set",
        "gpu.910B.price_per_node=9e5",
    ]);
    let from_file = run_json(&["plan", edited.to_str().unwrap(), "--format", "json"]);
    let applied = overridden
        .as_object_mut()
        .unwrap()
        .remove("overrides")
        .expect("the plan lists its overrides");
    assert_eq!(applied[1], "site.west.power_cap_mw=2");
    assert_eq!(overridden, from_file);
    let base = run_json(&["plan", SMALL, "--format", "json"]);
    assert_ne!(base["objective"], overridden["objective"]);
}

#[test]
fn overrides_create_optional_tables_and_take_unquoted_strings() {
    let json = run_json(&[
        "plan",
        SMALL,
        "--format",
        "json",
        "--set",
        "budget.capex_per_period=1e12",
        "--set",
        "scenario.name=renamed by --set",
    ]);
    assert_eq!(json["scenario"], "renamed by --set");
}

#[test]
fn bad_override_paths_get_located_messages() {
    let (code, _, stderr) = run(&[
        "check",
        SMALL,
        "--set",
        "flet.vehicles=1",
        "--set",
        "gpu.H2O.price_per_node=9e5",
        "--set",
        "export_rule.9.price_factor=2",
        "--set",
        "site.east=1",
    ]);
    assert_eq!(code, fsdplan::exit::BAD_INPUT);
    insta::assert_snapshot!("bad_override_paths", stderr);
}

#[test]
fn bad_override_keys_and_values_get_the_file_checks() {
    let (code, _, stderr) = run(&["check", SMALL, "--set", "fleet.growth_per_yaer=0.3"]);
    assert_eq!(code, fsdplan::exit::BAD_INPUT);
    assert!(
        stderr.contains("did you mean `growth_per_year`"),
        "{stderr}"
    );
    insta::assert_snapshot!("bad_override_key", stderr);

    let (code, _, stderr) = run(&["check", SMALL, "--set", "fleet.uploading_share=lots"]);
    assert_eq!(code, fsdplan::exit::BAD_INPUT);
    insta::assert_snapshot!("bad_override_type", stderr);

    let (code, _, stderr) = run(&[
        "check",
        SMALL,
        "--set",
        "gpu.H20.mfu=1.5",
        "--set",
        "site.abroad.pue=0.9",
    ]);
    assert_eq!(code, fsdplan::exit::BAD_INPUT);
    insta::assert_snapshot!("bad_override_ranges", stderr);
}

#[test]
fn an_override_without_a_value_is_a_usage_error() {
    let (code, _, stderr) = run(&["plan", SMALL, "--set", "fleet.growth_per_year"]);
    assert_eq!(code, fsdplan::exit::USAGE);
    assert!(stderr.contains("PATH=VALUE"), "{stderr}");
}

// --- compare -------------------------------------------------------------

#[test]
fn compare_table_names_what_limits_each_option() {
    let mut args = vec!["compare", BANNED];
    args.extend(LOOSE);
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{stderr}");
    common::plan_snapshots(|| {
        insta::assert_snapshot!("compare_table", stdout);
    });
}

#[test]
fn compare_unrestricted_is_never_worse_and_a_ban_everywhere_says_so() {
    let mut args = vec!["compare", BANNED, "--format", "json"];
    args.extend(LOOSE);
    let json = run_json(&args);
    assert_eq!(json["schema"], "fsdplan.compare/1");
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 5, "four GPUs and the unrestricted plan");
    let npv = |row: &Value| row["npv"].as_f64();
    let best = rows
        .iter()
        .find(|r| r["option"] == "all options")
        .and_then(npv)
        .unwrap();
    for row in rows {
        if let Some(x) = npv(row) {
            assert!(best <= x * (1.0 + 1e-3), "{row}");
        }
    }
    let planned: Vec<f64> = rows.iter().filter_map(npv).collect();
    assert!(planned.windows(2).all(|w| w[0] <= w[1]), "sorted by NPV");
    assert!(planned.len() >= 3);
    let a800 = rows.iter().find(|r| r["option"] == "A800").unwrap();
    assert_eq!(a800["status"], "infeasible");
    assert!(
        a800["limit"]
            .as_str()
            .unwrap()
            .contains("A800 banned in CN"),
        "{a800}"
    );
    let h20 = rows.iter().find(|r| r["option"] == "H20").unwrap();
    assert_eq!(h20["limit"], "H20 banned in CN 2025Q2-2025Q3");
}

#[test]
fn compare_matches_plans_with_the_other_options_removed() {
    let json = run_json(&[
        "compare",
        SMALL,
        "--format",
        "json",
        "--set",
        LOOSE[1],
        "--set",
        "export_rule.1.max_installed_nodes_per_site=1000",
    ]);
    let rows = json["rows"].as_array().unwrap();
    let mut checked = 0;
    for option in ["910B", "H20"] {
        let row = rows.iter().find(|r| r["option"] == option).unwrap();
        let Some(expected) = row["npv"].as_f64() else {
            continue;
        };
        // The catalog with only this GPU and its export rules.
        let dir = tempfile::tempdir().unwrap();
        let only = |catalog: String| {
            let mut doc: toml_edit::DocumentMut = catalog.parse().unwrap();
            let keep = |t: &toml_edit::Table, key: &str| {
                t.get(key).and_then(|v| v.as_str()) == Some(option)
            };
            for (array, key) in [("gpu", "name"), ("export_rule", "gpu")] {
                if let Some(tables) = doc[array].as_array_of_tables_mut() {
                    tables.retain(|t| keep(t, key));
                }
            }
            let text = doc.to_string();
            text.replace("max_nodes_per_period = 40", "max_nodes_per_period = 1000")
                .replace(
                    "max_installed_nodes_per_site = 30",
                    "max_installed_nodes_per_site = 1000",
                )
        };
        let path = small_copy(dir.path(), |s| s, only);
        let alone = run_json(&["plan", path.to_str().unwrap(), "--format", "json"]);
        let npv = alone["objective"].as_f64().unwrap();
        assert!(
            (npv - expected).abs() <= 1e-3 * npv,
            "{option}: compare {expected}, plan {npv}"
        );
        checked += 1;
    }
    assert_eq!(checked, 2, "both options have plans once supply is loose");
}

#[test]
fn compare_rejects_unknown_options() {
    let (code, _, stderr) = run(&["compare", SMALL, "--gpus", "H20,H2O"]);
    assert_eq!(code, fsdplan::exit::BAD_INPUT);
    assert!(stderr.contains("did you mean `H20`"), "{stderr}");
}

// --- sweep and merge -----------------------------------------------------

const SWEEP: [&str; 6] = [
    "sweep",
    SMALL,
    "--set",
    "fleet.growth_per_year=0.1..0.4/4",
    "--set",
    "gpu.H20.price_per_node=1.2e6,-5",
];

#[test]
fn sweep_rows_come_in_grid_order_whatever_the_jobs() {
    let mut one = SWEEP.to_vec();
    one.extend(["--jobs", "1", "--format", "json"]);
    let mut two = SWEEP.to_vec();
    two.extend(["--jobs", "2", "--format", "json"]);
    let (code, first, stderr) = run(&one);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stderr, "", "no progress bar when stderr is not a terminal");
    let (_, second, _) = run(&two);
    assert_eq!(first, second, "same rows with 1 and 2 jobs");
    let json: Value = serde_json::from_str(&first).unwrap();
    let rows = json["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 8);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["point"], i);
        let bad = row["values"][1] == "-5";
        if bad {
            assert_eq!(row["status"], "bad input");
            assert!(row["error"].as_str().unwrap().contains("price_per_node"));
        } else {
            assert!(row["npv"].as_f64().is_some(), "{row}");
        }
    }
    assert_eq!(rows[2]["values"][0], "0.2", "first axis varies slowest");
    // More growth never costs less.
    let npvs: Vec<f64> = rows.iter().filter_map(|r| r["npv"].as_f64()).collect();
    assert!(
        npvs.windows(2).all(|w| w[0] <= w[1] * (1.0 + 1e-3)),
        "{npvs:?}"
    );
}

#[test]
fn sweep_table() {
    let (code, stdout, stderr) = run(&SWEEP);
    assert_eq!(code, 0, "{stderr}");
    common::plan_snapshots(|| {
        insta::assert_snapshot!("sweep_table", stdout);
    });
}

#[test]
fn shards_merged_equal_the_whole_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let mut whole = SWEEP.to_vec();
    whole.extend(["--format", "json"]);
    let (_, expected, _) = run(&whole);
    let mut files = Vec::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let out = dir.path().join(shard.replace('/', "-of-"));
        let mut args = whole.clone();
        args.extend(["--shard", shard, "--out", out.to_str().unwrap()]);
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 0, "{stderr}");
        let file = out.join("sweep.json");
        let json: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(json["shard"], shard);
        files.push(file.to_str().unwrap().to_string());
    }
    let mut merge = vec!["merge", "--format", "json"];
    merge.extend(files.iter().map(String::as_str).rev());
    let (code, merged, stderr) = run(&merge);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(merged, expected);

    let (code, _, stderr) = run(&["merge", &files[0], &files[2]]);
    assert_eq!(code, fsdplan::exit::BAD_INPUT);
    assert!(
        stderr.contains("3 of 8 points are missing (first: 1)"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["merge", &files[0], &files[0]]);
    assert_eq!(code, fsdplan::exit::BAD_INPUT);
    assert!(stderr.contains("appears in both"), "{stderr}");
}

#[test]
fn a_sweep_in_which_every_point_is_bad_shows_the_diagnostic_once() {
    let (code, _, stderr) = run(&["sweep", SMALL, "--set", "fleet.growth_per_yaer=0.1,0.2"]);
    assert_eq!(code, fsdplan::exit::BAD_INPUT);
    assert!(
        stderr.contains("did you mean `growth_per_year`"),
        "{stderr}"
    );
    assert!(stderr.contains("every point of the sweep is invalid"));
}

// --- diff ----------------------------------------------------------------

#[test]
fn diff_of_a_scenario_and_a_plan_file() {
    let dir = tempfile::tempdir().unwrap();
    let (code, json, _) = run(&[
        "plan",
        SMALL,
        "--format",
        "json",
        "--set",
        "fleet.growth_per_year=0.5",
    ]);
    assert_eq!(code, 0);
    let grown = dir.path().join("grown.json");
    std::fs::write(&grown, json).unwrap();
    let grown = grown.to_str().unwrap();

    let report = run_json(&["diff", SMALL, grown, "--format", "json"]);
    assert_eq!(report["schema"], "fsdplan.diff/1");
    let npv = report["categories"].as_array().unwrap().last().unwrap();
    assert_eq!(npv["name"], "NPV");
    assert!(
        npv["change"].as_f64().unwrap() > 0.0,
        "more data costs more"
    );
    let categories: f64 = report["categories"].as_array().unwrap()[..7]
        .iter()
        .map(|l| l["b"].as_f64().unwrap())
        .sum();
    assert!((categories - npv["b"].as_f64().unwrap()).abs() <= 1e-6 * categories);
    assert!(!report["decisions"].as_array().unwrap().is_empty());

    let (_, base, _) = run(&["plan", SMALL, "--format", "json"]);
    std::fs::write(dir.path().join("base.json"), base).unwrap();
    let out = fsdplan()
        .current_dir(dir.path())
        .args(["diff", "base.json", "grown.json", "--changes-only"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    common::plan_snapshots(|| {
        insta::assert_snapshot!("diff_table", String::from_utf8(out.stdout).unwrap());
    });
}

#[test]
fn diff_of_a_plan_with_itself_changes_nothing() {
    let report = run_json(&["diff", SMALL, SMALL, "--format", "json"]);
    assert!(report["decisions"].as_array().unwrap().is_empty());
    for line in report["categories"].as_array().unwrap() {
        assert_eq!(line["change"], 0.0, "{line}");
    }
    let (_, table, _) = run(&["diff", SMALL, SMALL, "--changes-only"]);
    let categories = table.split("Cost by category").nth(1).unwrap();
    let categories = categories.split("Cost by year").next().unwrap();
    assert!(!categories.contains("gpu_capital"), "{categories}");
    assert!(categories.contains("NPV"));
}

#[test]
fn diff_rejects_files_that_are_not_plans() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.json");
    std::fs::write(&file, "{\"schema\": 3}").unwrap();
    let (code, _, stderr) = run(&["diff", SMALL, file.to_str().unwrap()]);
    assert_eq!(code, fsdplan::exit::BAD_INPUT);
    assert!(
        stderr.contains("not the JSON output of `fsdplan plan"),
        "{stderr}"
    );
}

// --- formats -------------------------------------------------------------

#[test]
fn every_command_writes_every_format() {
    let commands: [&[&str]; 3] = [
        &["compare", SMALL],
        &["sweep", SMALL, "--set", "fleet.growth_per_year=0.1,0.2"],
        &["diff", SMALL, SMALL],
    ];
    for command in commands {
        for format in ["table", "markdown", "json"] {
            let mut args = command.to_vec();
            args.extend(["--format", format]);
            let (code, stdout, stderr) = run(&args);
            assert_eq!(code, 0, "{args:?}: {stderr}");
            match format {
                "json" => assert!(serde_json::from_str::<Value>(&stdout).is_ok()),
                "markdown" => assert!(stdout.starts_with("### "), "{stdout}"),
                _ => assert!(stdout.starts_with("fsdplan "), "{stdout}"),
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let mut args = command.to_vec();
        args.extend(["--format", "csv", "--out", dir.path().to_str().unwrap()]);
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(!files.is_empty());
        for file in files {
            let path = file.unwrap().path();
            let mut reader = csv::Reader::from_path(&path).unwrap();
            assert!(!reader.headers().unwrap().is_empty(), "{path:?}");
        }
    }
}

// --- generate ------------------------------------------------------------

#[test]
fn generated_scenarios_are_valid_repeatable_and_plannable() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("small.toml");
    let args = [
        "generate",
        "--sites",
        "2",
        "--periods",
        "8",
        "--gpus",
        "6",
        "--classes",
        "3",
        "--tiers",
        "3",
        "--seed",
        "1",
    ];
    let (code, first, stderr) = run(&args);
    assert_eq!(code, 0, "{stderr}");
    let (_, second, _) = run(&args);
    assert_eq!(first, second, "same seed, same file");
    std::fs::write(&file, &first).unwrap();
    let path = file.to_str().unwrap();
    let (code, _, stderr) = run(&["check", path]);
    assert_eq!(code, 0, "{stderr}");
    let plan = run_json(&["plan", path, "--format", "json"]);
    // A plan within 0.5 %: the search does not always prove 0.1 % on
    // generated scenarios within its node limit (see docs, issue 5).
    assert!(
        plan["status"] == "optimal" || plan["status"] == "feasible",
        "{}",
        plan["status"]
    );
    assert!(plan["gap"].as_f64().unwrap() < 5e-3, "{}", plan["gap"]);
    assert_eq!(
        plan["model"]["integers"].as_u64().map(|n| n > 0),
        Some(true)
    );
    let out = dir.path().join("plan.json");
    std::fs::write(&out, plan.to_string()).unwrap();
    let (code, _, audit) = run(&["audit", path, out.to_str().unwrap()]);
    assert_eq!(code, 0, "{audit}");
    let (code, _, stderr) = run(&["generate", "--period-months", "4"]);
    assert_eq!(code, fsdplan::exit::USAGE);
    assert!(stderr.contains("1, 3, 6 or 12"), "{stderr}");
}

/// The generated medium scenario (736 integers) goes through the search's
/// path for large models: rounding, then the LP's neighbourhood, within the
/// 0.1% target on either backend (measured: microlp 4.5 s, HiGHS 1.5 s);
/// `--verbose` shows the model's size and each stage on standard error,
/// and leaves standard output as it is without it.
#[test]
fn a_generated_medium_scenario_plans_within_the_gap_and_verbose_shows_the_search() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("medium.toml");
    let (code, text, stderr) = run(&[
        "generate",
        "--sites",
        "5",
        "--periods",
        "20",
        "--gpus",
        "10",
        "--seed",
        "1",
    ]);
    assert_eq!(code, 0, "{stderr}");
    std::fs::write(&file, text).unwrap();
    let path = file.to_str().unwrap();
    let (code, verbose_json, verbose) = run(&["plan", path, "--format", "json", "--verbose"]);
    assert_eq!(code, 0, "{verbose}");
    let plan: Value = serde_json::from_str(&verbose_json).unwrap();
    assert_eq!(plan["status"], "optimal", "{verbose}");
    assert!(plan["gap"].as_f64().unwrap() <= 1e-3, "{}", plan["gap"]);
    for expected in [
        "1,348 rows, 1,996 columns (736 integer), 33,274 nonzeros",
        "build the model",
        "root LP",
        "LP neighbourhood",
    ] {
        assert!(verbose.contains(expected), "{expected}: {verbose}");
    }
    assert_eq!(run_json(&["plan", path, "--format", "json"]), plan);
    let out = dir.path().join("plan.json");
    std::fs::write(&out, verbose_json).unwrap();
    let (code, _, audit) = run(&["audit", path, out.to_str().unwrap()]);
    assert_eq!(code, 0, "{audit}");
}
