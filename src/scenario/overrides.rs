//! `--set PATH=VALUE`: one scenario value changed without editing the file.
//!
//! Paths address plain tables by key (`fleet.growth_per_year`,
//! `training.epochs_per_period`) and named entries of arrays of tables by
//! name (`gpu.H20.price_per_node`, `site.lingang.power_cap_mw`). Entries
//! without a name (`export_rule`) are addressed by their position in the
//! merged scenario, counting from 0 (`export_rule.1.price_factor`).
//!
//! Overrides are applied to the merged scenario before it is validated, so a
//! bad value gets exactly the checks a bad file gets. The overrides are kept
//! as a pseudo-file named `--set`, one argument per line, and every problem
//! with an overridden key points at the argument that set it.

use std::ops::Range;

use toml::{Table, Value};

use super::diagnostic::{did_you_mean, KeyPath, Problem, ScenarioError, Segment};
use super::source::{Location, SourceMap, ARRAYS_OF_TABLES, PLAIN_TABLES};

/// The name of the pseudo-file holding the overrides in error messages.
pub const OVERRIDES_FILE: &str = "--set";

/// One `PATH=VALUE` override.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// The argument as typed.
    text: String,
    /// Byte offset of the `=`.
    equals: usize,
    value: Value,
}

impl Override {
    /// Parses `PATH=VALUE`. The value is read as a TOML value (`0.3`,
    /// `9e5`, `"CN"`, `["CN", "US"]`, `true`); anything that is not one is
    /// taken as a string, so `scenario.start=2025-04` works unquoted.
    pub fn parse(text: &str) -> Result<Override, String> {
        let example = "e.g. fleet.growth_per_year=0.3 or gpu.H20.price_per_node=9e5";
        let Some(equals) = text.find('=') else {
            return Err(format!("`{text}` is not PATH=VALUE; {example}"));
        };
        if text[..equals].trim().is_empty() {
            return Err(format!("`{text}` has no path before `=`; {example}"));
        }
        if text.contains('\n') {
            return Err(format!("`{text}` spans several lines; give one value"));
        }
        let value = parse_value(text[equals + 1..].trim());
        Ok(Override {
            text: text.to_string(),
            equals,
            value,
        })
    }

    /// The same path with another value (for sweeps).
    pub fn with_value(&self, value: Value) -> Override {
        let text = format!("{}={}", self.path(), value_text(&value));
        Override {
            equals: self.path().len(),
            text,
            value,
        }
    }

    /// The path as typed, e.g. `gpu.H20.price_per_node`.
    pub fn path(&self) -> &str {
        self.text[..self.equals].trim()
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The value as a user would type it (strings unquoted).
    pub fn value_text(&self) -> String {
        value_text(&self.value)
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The path's segments with their byte ranges in `text`.
    fn segments(&self) -> Vec<(&str, Range<usize>)> {
        let mut out = Vec::new();
        let mut start = 0;
        for part in self.text[..self.equals].split('.') {
            let lead = part.len() - part.trim_start().len();
            let trimmed = part.trim();
            out.push((trimmed, start + lead..start + lead + trimmed.len()));
            start += part.len() + 1;
        }
        out
    }
}

/// Reads a value as TOML, or as a plain string when it is not TOML.
pub fn parse_value(text: &str) -> Value {
    match format!("v = {text}").parse::<Table>() {
        Ok(mut table) if table.len() == 1 => {
            table.remove("v").unwrap_or(Value::String(text.into()))
        }
        _ => Value::String(text.to_string()),
    }
}

/// A value as a user would type it: strings without quotes, numbers as TOML
/// writes them.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Float(x) => format!("{x}"),
        other => other.to_string(),
    }
}

/// Where an override was applied: the merged key path it set, the argument
/// it came from, and that argument's span in the `--set` pseudo-file.
#[derive(Debug, Clone)]
pub(crate) struct AppliedOverride {
    pub path: KeyPath,
    pub location: Location,
}

/// Applies overrides to a merged scenario and records where each came from.
/// Every path that cannot be resolved is reported, not only the first.
pub(crate) fn apply(
    merged: &mut Table,
    map: &mut SourceMap,
    overrides: &[Override],
) -> Result<(), ScenarioError> {
    if overrides.is_empty() {
        return Ok(());
    }
    let mut text = String::new();
    let mut starts = Vec::new();
    for o in overrides {
        starts.push(text.len());
        text.push_str(&o.text);
        text.push('\n');
    }
    let file = map.push_pseudo_file(OVERRIDES_FILE, text);
    let mut problems = Vec::new();
    for (o, start) in overrides.iter().zip(starts) {
        let segments = o.segments();
        let written = KeyPath::from_segments(
            segments
                .iter()
                .map(|(s, _)| Segment::Key(s.to_string()))
                .collect(),
        );
        let whole = start..start + o.text.len();
        let problem = |span: Range<usize>, message: String| {
            let location = Location {
                file,
                path: written.clone(),
                span: Some(start + span.start..start + span.end),
            };
            Problem::located(map, location, message)
        };
        match resolve(merged, &segments) {
            Ok((path, slot)) => {
                slot.insert(
                    path.last_key().unwrap_or_default().to_string(),
                    o.value.clone(),
                );
                map.overrides.push(AppliedOverride {
                    path,
                    location: Location {
                        file,
                        path: written,
                        span: Some(whole),
                    },
                });
            }
            Err((span, message)) => problems.push(problem(span, message)),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ScenarioError::Invalid { problems })
    }
}

/// One entry of an outcome's `set`: the path's keys, the value, and where
/// the entry is in the file.
#[derive(Debug, Clone)]
pub(crate) struct SetEntry {
    pub keys: Vec<String>,
    pub value: Value,
    pub location: Location,
}

/// Applies an outcome's `set` (SPEC.md 7.1) as `--set` applies its
/// arguments, with every problem at the entry's line in the file.
pub(crate) fn apply_set(
    merged: &mut Table,
    map: &mut SourceMap,
    entries: &[SetEntry],
) -> Result<(), ScenarioError> {
    let mut problems = Vec::new();
    for entry in entries {
        if let Some(why) = super::events::forbidden_in_set(&entry.keys) {
            problems.push(Problem::located(map, entry.location.clone(), why));
            continue;
        }
        let segments: Vec<(&str, Range<usize>)> =
            entry.keys.iter().map(|k| (k.as_str(), 0..0)).collect();
        match resolve(merged, &segments) {
            Ok((path, slot)) => {
                slot.insert(
                    path.last_key().unwrap_or_default().to_string(),
                    entry.value.clone(),
                );
                map.overrides.push(AppliedOverride {
                    path,
                    location: entry.location.clone(),
                });
            }
            Err((_, message)) => {
                problems.push(Problem::located(map, entry.location.clone(), message))
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ScenarioError::Invalid { problems })
    }
}

type PathProblem = (Range<usize>, String);

/// Finds the table an override writes into and the merged key path it sets.
fn resolve<'t>(
    merged: &'t mut Table,
    segments: &[(&str, Range<usize>)],
) -> Result<(KeyPath, &'t mut Table), PathProblem> {
    let (top, top_span) = segments[0].clone();
    let tables = PLAIN_TABLES.iter().chain(ARRAYS_OF_TABLES).copied();
    if PLAIN_TABLES.contains(&top) {
        let [_, (key, _)] = segments else {
            return Err((
                span_from(segments, 0),
                format!("a path into [{top}] is `{top}.KEY`, e.g. `fleet.growth_per_year`"),
            ));
        };
        check_key(segments, 1)?;
        let slot = merged
            .entry(top.to_string())
            .or_insert_with(|| Value::Table(Table::new()));
        let Value::Table(table) = slot else {
            return Err((top_span, format!("`{top}` is not a table")));
        };
        return Ok((KeyPath::key(top).then(key), table));
    }
    if top == "event" && segments.len() == 5 {
        return resolve_outcome(merged, segments);
    }
    if ARRAYS_OF_TABLES.contains(&top) {
        let [_, (entry, entry_span), (key, _)] = segments else {
            return Err((
                span_from(segments, 0),
                format!(
                    "a path into [[{top}]] is `{top}.NAME.KEY` (or `{top}.INDEX.KEY`), \
                     e.g. `gpu.H20.price_per_node`"
                ),
            ));
        };
        check_key(segments, 2)?;
        let items = match merged.get_mut(top) {
            Some(Value::Array(items)) => items,
            _ => return Err((top_span, format!("the scenario has no [[{top}]] entries"))),
        };
        let names: Vec<String> = items
            .iter()
            .filter_map(|item| item.get("name").and_then(Value::as_str).map(str::to_string))
            .collect();
        let by_name = items
            .iter()
            .position(|item| item.get("name").and_then(Value::as_str) == Some(entry));
        let by_index = entry.parse::<usize>().ok().filter(|&i| i < items.len());
        let Some(index) = by_name.or(by_index) else {
            let message = if names.is_empty() {
                format!(
                    "no [[{top}]] at position `{entry}`; entries are addressed by position \
                     0..={}",
                    items.len().saturating_sub(1)
                )
            } else {
                let hint = did_you_mean(entry, names.iter().map(String::as_str))
                    .map(|close| format!("did you mean `{close}`? "))
                    .unwrap_or_default();
                format!(
                    "no {top} named `{entry}`; {hint}known: {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            return Err((entry_span.clone(), message));
        };
        let Some(Value::Table(table)) = items.get_mut(index) else {
            return Err((
                entry_span.clone(),
                format!("[[{top}]] {entry} is not a table"),
            ));
        };
        return Ok((KeyPath::key(top).index(index).then(key), table));
    }
    let hint = did_you_mean(top, tables.clone())
        .map(|close| format!("did you mean `{close}`? "))
        .unwrap_or_default();
    let listed = tables
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let message = if top == "include" {
        format!("`include` cannot be overridden; tables that can: {listed}")
    } else {
        format!("unknown table `{top}`; {hint}tables: {listed}")
    };
    Err((top_span, message))
}

/// `event.NAME.outcome.NAME.KEY` (SPEC.md section 8): an outcome's
/// probability, so a sweep can vary it.
fn resolve_outcome<'t>(
    merged: &'t mut Table,
    segments: &[(&str, Range<usize>)],
) -> Result<(KeyPath, &'t mut Table), PathProblem> {
    let [(_, _), (event, event_span), (outcome_word, outcome_word_span), (outcome, outcome_span), (_, _)] =
        segments
    else {
        unreachable!("called with five segments");
    };
    if *outcome_word != "outcome" {
        return Err((
            outcome_word_span.clone(),
            "a path into an event's outcome is `event.NAME.outcome.NAME.probability`".into(),
        ));
    }
    check_key(segments, 4)?;
    let named = |items: &[Value], name: &str| {
        items
            .iter()
            .position(|item| item.get("name").and_then(Value::as_str) == Some(name))
    };
    let names = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .filter_map(|item| item.get("name").and_then(Value::as_str).map(str::to_string))
            .collect()
    };
    let unknown = |kind: &str, name: &str, known: Vec<String>| {
        let hint = did_you_mean(name, known.iter().map(String::as_str))
            .map(|close| format!("did you mean `{close}`? "))
            .unwrap_or_default();
        let listed = known
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        format!("no {kind} named `{name}`; {hint}known: {listed}")
    };
    let Some(Value::Array(events)) = merged.get_mut("event") else {
        return Err((
            event_span.clone(),
            "the scenario has no [[event]] entries".into(),
        ));
    };
    let Some(e) = named(events, event) else {
        return Err((event_span.clone(), unknown("event", event, names(events))));
    };
    let outcomes = match events[e].get_mut("outcome") {
        Some(Value::Array(outcomes)) => outcomes,
        _ => {
            return Err((
                outcome_span.clone(),
                format!("event `{event}` has no outcomes"),
            ))
        }
    };
    let Some(o) = named(outcomes, outcome) else {
        let message = unknown(
            &format!("outcome of event `{event}`"),
            outcome,
            names(outcomes),
        );
        return Err((outcome_span.clone(), message));
    };
    let Some(Value::Table(table)) = outcomes.get_mut(o) else {
        return Err((
            outcome_span.clone(),
            format!("outcome `{outcome}` is not a table"),
        ));
    };
    let key = segments[4].0;
    let path = KeyPath::key("event")
        .index(e)
        .then("outcome")
        .index(o)
        .then(key);
    Ok((path, table))
}

/// Rejects an empty key (`fleet.=1`); whether the key is known is checked
/// with the rest of the scenario, so the message lists the allowed keys.
fn check_key(segments: &[(&str, Range<usize>)], at: usize) -> Result<(), PathProblem> {
    let (key, span) = &segments[at];
    if key.is_empty() {
        return Err((span.clone(), "empty key in the path".into()));
    }
    Ok(())
}

fn span_from(segments: &[(&str, Range<usize>)], from: usize) -> Range<usize> {
    segments[from].1.start..segments.last().map_or(0, |(_, s)| s.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_toml_or_else_strings() {
        assert_eq!(parse_value("0.3"), Value::Float(0.3));
        assert_eq!(parse_value("1_700_000"), Value::Integer(1_700_000));
        assert_eq!(parse_value("9e5"), Value::Float(9e5));
        assert_eq!(parse_value("2025-04"), Value::String("2025-04".into()));
        assert_eq!(parse_value("\"CN\""), Value::String("CN".into()));
        assert_eq!(
            parse_value("[\"CN\", \"US\"]"),
            Value::Array(vec!["CN".into(), "US".into()])
        );
    }

    #[test]
    fn parses_path_and_value() {
        let o = Override::parse("gpu.H20.price_per_node = 9e5").unwrap();
        assert_eq!(o.path(), "gpu.H20.price_per_node");
        assert_eq!(o.value_text(), "900000");
        let spans = o.segments();
        assert_eq!(spans[1], ("H20", 4..7));
        assert!(Override::parse("fleet.growth_per_year").is_err());
        assert!(Override::parse("=3").is_err());
    }
}
