//! The JSON Schema of a scenario file (`fsdplan schema`, shipped as
//! `configs/fsdplan.schema.json`), generated from the types that load it
//! ([`super::raw`]): an editor that reads it (VS Code with Even Better
//! TOML, anything built on taplo) completes keys, shows each key's meaning,
//! unit, default and range, and flags unknown keys, wrong types and values
//! out of range as you type.
//!
//! It describes one file, and a file may hold part of a scenario and
//! `include` the rest: plain tables (`[scenario]`, `[fleet]`, ...) merge
//! key by key across files, so neither they nor their keys are required
//! by it (fsdplan checks the merged scenario has them all), while an array
//! of tables' elements are whole in one file and have their required keys.
//! What a schema cannot see (names that must resolve, the length of
//! `vehicles_by_period`, derived magnitudes) `fsdplan check` reports.

use schemars::generate::SchemaSettings;
use serde_json::{json, Value};

use super::raw::RawScenarioFile;
use super::source::PLAIN_TABLES;

/// The definition a root property refers to (`"$ref"`, or its `allOf`'s).
fn definition_of(property: &Value) -> Option<String> {
    let reference = property
        .get("$ref")
        .or_else(|| property.pointer("/allOf/0/$ref"))?;
    Some(reference.as_str()?.rsplit('/').next()?.to_string())
}

/// Where the shipped schema lives, relative to the repository.
pub const SHIPPED_PATH: &str = "configs/fsdplan.schema.json";

/// The schema, as JSON (draft 7, which editors support best).
pub fn schema() -> Value {
    let generator = SchemaSettings::draft07().into_generator();
    let mut schema = generator
        .into_root_schema_for::<RawScenarioFile>()
        .to_value();
    without_null(&mut schema);
    tidy(&mut schema);
    let root = schema
        .as_object_mut()
        .expect("a struct's schema is an object");
    root.remove("required");
    let plain: Vec<String> = PLAIN_TABLES
        .iter()
        .filter_map(|table| definition_of(root.get("properties")?.get(*table)?))
        .collect();
    assert_eq!(
        plain.len(),
        PLAIN_TABLES.len(),
        "each plain table has a definition"
    );
    if let Some(Value::Object(definitions)) = root.get_mut("definitions") {
        for name in &plain {
            if let Some(Value::Object(definition)) = definitions.get_mut(name) {
                definition.remove("required");
            }
        }
    }
    let mut ordered = serde_json::Map::new();
    for key in ["$schema", "title", "description"] {
        if let Some(value) = root.remove(key) {
            ordered.insert(key.into(), value);
        }
    }
    ordered.insert("title".into(), json!("fsdplan scenario file"));
    ordered.extend(std::mem::take(root));
    *root = ordered;
    if let Some(Value::Object(properties)) = root.get_mut("properties") {
        let mut with_include = serde_json::Map::new();
        with_include.insert(
            "include".into(),
            json!({
                "description": "Files whose tables are merged into this one, relative to this file. A name defined twice is an error.",
                "type": "array",
                "items": { "type": "string", "minLength": 1 }
            }),
        );
        with_include.extend(std::mem::take(properties));
        *properties = with_include;
    }
    schema
}

/// The schema as the shipped file holds it: pretty JSON, final newline.
pub fn schema_text() -> String {
    serde_json::to_string_pretty(&schema()).expect("a schema serialises") + "\n"
}

/// TOML has no null: a key left out is how a file says "none", so the
/// `null` that optional keys allow in JSON is taken out (an editor would
/// otherwise offer it).
fn without_null(schema: &mut Value) {
    match schema {
        Value::Object(fields) => {
            if let Some(Value::Array(types)) = fields.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    fields.insert("type".into(), only);
                }
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(options)) = fields.get_mut(key) {
                    options.retain(|o| o != &json!({ "type": "null" }));
                    if options.len() == 1 {
                        let only = options.remove(0);
                        fields.remove(key);
                        if let Value::Object(only) = only {
                            for (k, v) in only {
                                fields.entry(k).or_insert(v);
                            }
                        }
                    }
                }
            }
            for value in fields.values_mut() {
                without_null(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(without_null),
        _ => {}
    }
}

/// Descriptions as editors show them (a doc comment's wrapped lines joined,
/// its paragraphs kept); no `format` on numbers (`double` is Rust's word,
/// not the file's), and no `null` defaults.
fn tidy(schema: &mut Value) {
    match schema {
        Value::Object(fields) => {
            if fields.get("format").is_some_and(|f| f == "double") {
                fields.remove("format");
            }
            if fields.get("default").is_some_and(Value::is_null) {
                fields.remove("default");
            }
            if let Some(Value::String(text)) = fields.get_mut("description") {
                *text = text
                    .split("\n\n")
                    .map(|paragraph| paragraph.split('\n').collect::<Vec<_>>().join(" "))
                    .collect::<Vec<_>>()
                    .join("\n\n");
            }
            for value in fields.values_mut() {
                tidy(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}
