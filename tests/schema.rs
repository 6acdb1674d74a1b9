//! The scenario file's JSON Schema (`fsdplan schema`): the shipped copy is
//! what the command prints; every shipped and test scenario file, and
//! generated ones, validate against it (with a JSON Schema validator, as an
//! editor would); the bad-input files that are schema errors fail it, and
//! those that only fsdplan can see (names that must resolve, includes,
//! derived magnitudes) pass it; and at every bound the schema states, the
//! validator agrees: the bound itself is accepted, just beyond it refused.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

use common::fsdplan;
use fsdplan::scenario::schema::{schema, schema_text, SHIPPED_PATH};

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).expect("the schema is a valid draft-07 schema")
}

/// A TOML file as the JSON an editor validates (NaN and infinities, which
/// JSON lacks, become null and so fail any number's schema).
fn as_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let table: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("{} is not TOML: {e}", path.display()));
    serde_json::to_value(table).unwrap()
}

fn errors(validator: &jsonschema::Validator, path: &Path) -> Vec<String> {
    let instance = as_json(path);
    validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn toml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_shipped_schema_is_what_fsdplan_schema_prints() {
    let shipped = std::fs::read_to_string(SHIPPED_PATH).unwrap();
    assert!(
        shipped == schema_text(),
        "{SHIPPED_PATH} is stale: run `cargo run --release -- schema -o {SHIPPED_PATH}`"
    );
    let printed = fsdplan().arg("schema").output().unwrap();
    assert!(printed.status.success());
    assert_eq!(String::from_utf8(printed.stdout).unwrap(), shipped);
}

#[test]
fn every_key_has_a_description_and_every_number_a_range() {
    let schema = schema();
    let definitions = schema["definitions"].as_object().unwrap();
    let mut numbers = 0;
    for (name, definition) in definitions {
        let Some(properties) = definition["properties"].as_object() else {
            continue;
        };
        assert_eq!(
            definition["additionalProperties"], false,
            "{name} denies unknown keys"
        );
        for (key, property) in properties {
            let description = property["description"].as_str().unwrap_or("");
            assert!(description.len() > 3, "{name}.{key} has no description");
            if property["type"] == "number" && property.get("enum").is_none() {
                numbers += 1;
                let low = property.get("minimum").or(property.get("exclusiveMinimum"));
                assert!(low.is_some(), "{name}.{key} has no lower bound");
                let high = property.get("maximum").or(property.get("exclusiveMaximum"));
                assert!(high.is_some(), "{name}.{key} has no upper bound");
            }
        }
    }
    assert!(numbers > 40, "only {numbers} numeric keys");
}

#[test]
fn every_shipped_and_test_scenario_validates() {
    let validator = validator();
    let mut files = Vec::new();
    for dir in [
        "configs",
        "configs/catalog",
        "tests/scenarios",
        "tests/infeasible",
    ] {
        files.extend(toml_files(dir));
    }
    assert!(files.len() > 15);
    for file in &files {
        let errors = errors(&validator, file);
        assert!(errors.is_empty(), "{}: {errors:#?}", file.display());
    }
    // Shipped configs name the schema for editors (taplo's directive).
    for file in toml_files("configs")
        .iter()
        .chain(&toml_files("configs/catalog"))
    {
        let text = std::fs::read_to_string(file).unwrap();
        let relative = if file.parent() == Some(Path::new("configs")) {
            "#:schema ./fsdplan.schema.json"
        } else {
            "#:schema ../fsdplan.schema.json"
        };
        assert!(
            text.starts_with(relative),
            "{} does not start with `{relative}`",
            file.display()
        );
    }
}

#[test]
fn generated_scenarios_validate() {
    let validator = validator();
    let dir = tempfile::tempdir().unwrap();
    for (i, args) in [
        vec!["generate"],
        vec!["generate", "--sites", "7", "--gpus", "12", "--events", "3"],
        vec![
            "generate",
            "--period-months",
            "1",
            "--periods",
            "36",
            "--seed",
            "9",
        ],
    ]
    .iter()
    .enumerate()
    {
        let path = dir.path().join(format!("g{i}.toml"));
        fsdplan().args(args).arg("-o").arg(&path).assert().success();
        let errors = errors(&validator, &path);
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
    }
}

/// Bad-input files whose mistake only fsdplan's own checks can see: the
/// file alone is well formed. Every other file in tests/bad is a schema
/// error (and syntax-error.toml is not TOML at all).
const NOT_SCHEMA_ERRORS: &[&str] = &[
    "ban-with-price-factor.toml",
    "both-vehicle-keys.toml",
    "demand-overflows.toml",
    "duplicate-site.toml",
    "event-duplicate-outcome.toml",
    "event-one-outcome.toml",
    "event-probabilities-sum.toml",
    "event-reserved-name.toml",
    "event-rule-unknown-gpu.toml",
    "event-set-bad-value.toml",
    "event-set-changes-name.toml",
    "event-set-unknown-path.toml",
    "event-too-many-futures.toml",
    "event-two-probabilities-left-out.toml",
    "growth-overflows-fleet.toml",
    "include-defines-key-twice.toml",
    "include-missing-file.toml",
    "link-to-itself.toml",
    "misaligned-start.toml",
    "missing-ingest-price.toml",
    "no-home-site.toml",
    "node-compute-vanishes.toml",
    "price-vanishes.toml",
    "range-backwards.toml",
    "unknown-gpu-in-existing.toml",
    "unknown-gpu-in-rule.toml",
    "unknown-link-endpoint.toml",
    "uploads-overflow.toml",
    "vehicles-by-period-length.toml",
];

#[test]
fn bad_input_files_that_are_schema_errors_fail_it_and_the_others_pass() {
    let validator = validator();
    let mut failed = 0;
    for file in toml_files("tests/bad") {
        let name = file.file_name().unwrap().to_str().unwrap();
        if name == "syntax-error.toml" {
            continue;
        }
        let errors = errors(&validator, &file);
        if NOT_SCHEMA_ERRORS.contains(&name) {
            assert!(
                errors.is_empty(),
                "{name} should pass the schema: {errors:#?}"
            );
        } else {
            assert!(!errors.is_empty(), "{name} passes the schema");
            failed += 1;
        }
    }
    assert!(failed >= 20, "only {failed} schema errors");
}

/// Where in a scenario file each definition's keys live: the table (or the
/// first element of the array of tables) of the root property naming it.
fn tables_of(schema: &Value) -> Vec<(String, bool, String)> {
    let reference = |property: &Value| -> Option<String> {
        let target = property
            .get("$ref")
            .or_else(|| property.pointer("/allOf/0/$ref"))
            .or_else(|| property.pointer("/items/$ref"))?;
        Some(target.as_str()?.rsplit('/').next()?.to_string())
    };
    schema["properties"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(key, property)| {
            let is_array = property["type"] == "array";
            reference(property).map(|definition| (key.clone(), is_array, definition))
        })
        .collect()
}

/// The problems fsdplan reports for the base scenario with `table.key` (in
/// the first element, for an array of tables) set to `value`.
fn problems_with(
    base: &toml::Table,
    table: &str,
    is_array: bool,
    key: &str,
    value: f64,
) -> Vec<(String, String)> {
    let mut file = base.clone();
    let target = if is_array {
        file.get_mut(table)
            .and_then(|t| t.as_array_mut())
            .and_then(|a| a.first_mut())
            .and_then(|e| e.as_table_mut())
    } else {
        file.entry(table.to_string())
            .or_insert(toml::Value::Table(toml::Table::new()))
            .as_table_mut()
    };
    let Some(target) = target else {
        return vec![("(none)".into(), format!("no {table} in the base"))];
    };
    target.insert(key.to_string(), toml::Value::Float(value));
    let text = toml::to_string(&file).unwrap();
    match fsdplan::scenario::from_str("probe.toml", &text) {
        Ok(_) => Vec::new(),
        Err(fsdplan::scenario::ScenarioError::Invalid { problems }) => {
            problems.into_iter().map(|p| (p.key, p.message)).collect()
        }
        Err(other) => vec![("(load)".into(), other.to_string())],
    }
}

#[test]
fn the_validator_agrees_with_every_bound_the_schema_states() {
    let schema = schema();
    let mut base: toml::Table = std::fs::read_to_string("tests/scenarios/valid-base.toml")
        .unwrap()
        .parse()
        .unwrap();
    // Every table the probes reach, with values inside their ranges.
    base.insert(
        "training".into(),
        toml::Value::Table("epochs_per_period = 1.0".parse().unwrap()),
    );
    base.insert(
        "budget".into(),
        toml::Value::Table("capex_per_period = 1e9".parse().unwrap()),
    );
    base.insert(
        "risk".into(),
        toml::Value::Table("cvar_alpha = 0.9".parse().unwrap()),
    );
    // A licence, whose terms (price factor, cap) are checked; a ban has none.
    base["export_rule"][0]
        .as_table_mut()
        .unwrap()
        .insert("action".into(), "licence".into());
    assert!(problems_with(&base, "risk", false, "cvar_weight", 0.5).is_empty());
    // Keys a probe cannot set alone (one excludes the other, or a value
    // ties to another key): their ranges are held by the bad-input tests.
    let skipped = [
        "vehicles",
        "growth_per_year",
        "period_months",
        "periods",
        "probability",
    ];
    let mut probes = 0;
    for (table, is_array, definition) in tables_of(&schema) {
        let properties = schema["definitions"][&definition]["properties"]
            .as_object()
            .unwrap();
        for (key, property) in properties {
            if property["type"] != "number" || skipped.contains(&key.as_str()) {
                continue;
            }
            let path = if is_array {
                format!("{table}[0].{key}")
            } else {
                format!("{table}.{key}")
            };
            let refused = |value: f64| {
                problems_with(&base, &table, is_array, key, value)
                    .into_iter()
                    .any(|(at, message)| at == path && message.contains("is not allowed"))
            };
            let step = |bound: f64| (bound.abs() * 1e-6).max(1e-3);
            let number = |name: &str| property.get(name).and_then(Value::as_f64);
            if let Some(max) = number("maximum") {
                assert!(
                    !refused(max),
                    "{path} = {max}, the schema's maximum, is refused"
                );
                assert!(
                    refused(max + step(max)),
                    "{path} above the schema's maximum {max} is accepted"
                );
                probes += 1;
            }
            if let Some(min) = number("minimum") {
                assert!(
                    !refused(min),
                    "{path} = {min}, the schema's minimum, is refused"
                );
                assert!(
                    refused(min - step(min)),
                    "{path} below the schema's minimum {min} is accepted"
                );
                probes += 1;
            }
            if let Some(min) = number("exclusiveMinimum") {
                assert!(
                    refused(min),
                    "{path} = {min}, excluded by the schema, is accepted"
                );
                assert!(!refused(min + 0.5), "{path} = {min} + 0.5 is refused");
                probes += 1;
            }
            if let Some(max) = number("exclusiveMaximum") {
                assert!(
                    refused(max),
                    "{path} = {max}, excluded by the schema, is accepted"
                );
                probes += 1;
            }
            if number("multipleOf") == Some(1.0) {
                let low = number("minimum").unwrap_or(0.0);
                assert!(
                    refused(low + 1.5),
                    "{path} = {}, not whole, is accepted",
                    low + 1.5
                );
                probes += 1;
            }
        }
    }
    assert!(probes > 80, "only {probes} probes");
}

/// taplo, the TOML engine of VS Code's Even Better TOML, found on PATH or
/// at FSDPLAN_TAPLO (`.ci/run` installs it from npm and sets
/// FSDPLAN_REQUIRE_TAPLO=1 so that the test cannot skip).
fn taplo() -> Option<PathBuf> {
    let candidates = std::env::var_os("FSDPLAN_TAPLO")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("taplo")]);
    for candidate in candidates {
        // npm's taplo prints its version and exits 1: its words count.
        let ran = std::process::Command::new(&candidate)
            .arg("--version")
            .output();
        if ran.is_ok_and(|o| o.stdout.starts_with(b"taplo ")) {
            return Some(candidate);
        }
    }
    assert!(
        std::env::var("FSDPLAN_REQUIRE_TAPLO").is_err(),
        "FSDPLAN_REQUIRE_TAPLO is set but no taplo was found"
    );
    None
}

#[test]
fn an_editors_toml_engine_follows_the_directive_and_flags_mistakes() {
    let Some(taplo) = taplo() else {
        eprintln!("skipped: no taplo on this machine");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(SHIPPED_PATH, dir.path().join("fsdplan.schema.json")).unwrap();
    let default = std::fs::read_to_string("configs/china-1.7m.toml").unwrap();
    let check = |name: &str, text: &str| {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let out = std::process::Command::new(&taplo)
            .arg("check")
            .arg(&file)
            .current_dir(dir.path())
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (valid, said) = check("default.toml", &default);
    assert!(valid, "the default scenario: {said}");
    let mistakes = [
        ("pue = 1.25", "pue = 0.25", "less than the minimum of 1"),
        (
            "uploading_share = 0.5",
            "uploading_shar = 0.5",
            "uploading_shar",
        ),
        ("residency = \"home_only\"", "residency = \"home\"", "home"),
        (
            "start = \"2025-01\"",
            "start = \"2025-1\"",
            "does not match",
        ),
        (
            "discount_rate = 0.08 ",
            "discount_rate = 8 ",
            "greater than the maximum of 1",
        ),
    ];
    for (i, (right, wrong, expected)) in mistakes.iter().enumerate() {
        assert!(
            default.contains(right),
            "the default scenario has `{right}`"
        );
        let (valid, said) = check(
            &format!("mistake{i}.toml"),
            &default.replacen(right, wrong, 1),
        );
        assert!(!valid, "taplo accepts `{wrong}`");
        assert!(said.contains(expected), "`{wrong}`: {said}");
    }
}
