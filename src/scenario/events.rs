//! Events, outcomes and futures (SPEC.md section 7.1).
//!
//! An event is something the planner does not know yet (an export ban, a
//! fleet's growth), revealed at a month. A future is one outcome of every
//! event; its scenario is the merged scenario with, event by event, the
//! chosen outcome's export rules appended and its `set` applied. Futures are
//! built from the merged TOML, so each future's scenario gets exactly the
//! checks a file gets, and a problem points at the outcome's line.

use toml::{Table, Value};

use super::diagnostic::{KeyPath, Problem, ScenarioError};
use super::overrides::{self, SetEntry};
use super::source::SourceMap;
use super::{validate, Scenario};
use crate::time::{Calendar, Month};

/// The most futures a scenario may have (SPEC.md 7.1).
pub const MAX_FUTURES: usize = 256;

/// Names an event may not have: they name fields of the futures' rows.
pub const RESERVED_EVENT_NAMES: [&str; 3] = ["future", "probability", "npv"];

/// An event, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub name: String,
    /// The outcome is known from this month on.
    pub reveal: Month,
    pub outcomes: Vec<Outcome>,
}

/// One outcome of an event, with its probability (the one left out filled
/// in as the rest).
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub name: String,
    pub probability: f64,
    /// Whether the file left the probability out.
    pub probability_is_rest: bool,
    /// What the outcome changes, in words: `H20 ban in CN from 2025-04`,
    /// `fleet.growth_per_year = 0.6` (for `check`).
    pub changes: Vec<String>,
}

/// `[risk]`: the objective is (1 - w) E[NPV] + w CVaR_alpha[NPV].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Risk {
    pub cvar_alpha: f64,
    pub cvar_weight: f64,
}

impl Default for Risk {
    fn default() -> Risk {
        Risk {
            cvar_alpha: 0.9,
            cvar_weight: 0.0,
        }
    }
}

impl Event {
    /// Whether the outcome is known in period `t`: the reveal month is at
    /// or before the period's first month (SPEC.md 7.2), so a reveal in the
    /// middle of a period is known from the next period on.
    pub fn known_in(&self, calendar: &Calendar, t: usize) -> bool {
        self.reveal <= calendar.first_month(t)
    }
}

/// One future: an outcome of every event, and the scenario it makes.
#[derive(Debug, Clone)]
pub struct Future {
    /// The outcome names joined by `/`, in event order (`banned/fast`).
    pub name: String,
    pub probability: f64,
    /// The chosen outcome of each event (index into its outcomes).
    pub outcomes: Vec<usize>,
    pub scenario: Scenario,
}

impl Future {
    /// Whether this future and `other` are alike in period `t`: the same
    /// outcome for every event known in `t` (SPEC.md 7.2).
    pub fn alike(&self, other: &Future, events: &[Event], calendar: &Calendar, t: usize) -> bool {
        events
            .iter()
            .zip(self.outcomes.iter().zip(&other.outcomes))
            .all(|(event, (a, b))| !event.known_in(calendar, t) || a == b)
    }
}

/// For each period, each future's decision group: the index of the first
/// future alike it in that period. Alike futures share their purchases.
pub fn decision_groups(
    futures: &[Future],
    events: &[Event],
    calendar: &Calendar,
) -> Vec<Vec<usize>> {
    (0..calendar.periods)
        .map(|t| {
            futures
                .iter()
                .map(|f| {
                    futures
                        .iter()
                        .position(|h| h.alike(f, events, calendar, t))
                        .unwrap_or(0)
                })
                .collect()
        })
        .collect()
}

/// What a decision group of period `t` knows, in words: the outcomes of
/// the events known then (`h20_ban=banned`), or `all futures`.
pub fn group_name(future: &Future, events: &[Event], calendar: &Calendar, t: usize) -> String {
    let known: Vec<String> = events
        .iter()
        .zip(&future.outcomes)
        .filter(|(e, _)| e.known_in(calendar, t))
        .map(|(e, &o)| format!("{}={}", e.name, e.outcomes[o].name))
        .collect();
    if known.is_empty() {
        "all futures".into()
    } else {
        known.join(" and ")
    }
}

/// Every combination of outcomes, the first event varying slowest, with
/// outcomes in file order.
pub fn combinations(events: &[Event]) -> Vec<Vec<usize>> {
    let mut all = vec![Vec::new()];
    for event in events {
        all = all
            .into_iter()
            .flat_map(|prefix: Vec<usize>| {
                (0..event.outcomes.len()).map(move |o| {
                    let mut next = prefix.clone();
                    next.push(o);
                    next
                })
            })
            .collect();
    }
    all
}

/// Builds every future's scenario from the merged scenario (after `--set`,
/// with its `event` and `risk` tables still in it). `base` is the merged
/// scenario validated, whose events are already checked.
pub(crate) fn futures(
    merged: &Table,
    map: &SourceMap,
    base: &Scenario,
) -> Result<Vec<Future>, ScenarioError> {
    let events = &base.events;
    let raw_events: Vec<&Table> = match merged.get("event") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_table).collect(),
        _ => Vec::new(),
    };
    let mut plain = merged.clone();
    plain.remove("event");
    plain.remove("risk");
    let mut futures = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    // One report per outcome that makes a future invalid, not one per future.
    let mut blamed: Vec<(usize, usize)> = Vec::new();
    for choice in combinations(events) {
        let name = future_name(events, &choice);
        let probability = events
            .iter()
            .zip(&choice)
            .map(|(e, &o)| e.outcomes[o].probability)
            .product();
        match future_scenario(&plain, map, &raw_events, &choice, None) {
            Ok(scenario) => futures.push(Future {
                name,
                probability,
                outcomes: choice,
                scenario,
            }),
            Err(error) => {
                // The outcome to blame: the first event whose outcome, applied
                // after the earlier ones, makes the scenario invalid.
                let culprit = (1..=events.len())
                    .find(|&k| {
                        future_scenario(&plain, map, &raw_events, &choice[..k], None).is_err()
                    })
                    .unwrap_or(events.len());
                let event = culprit.saturating_sub(1);
                let outcome = choice.get(event).copied().unwrap_or(0);
                if blamed.contains(&(event, outcome)) {
                    continue;
                }
                blamed.push((event, outcome));
                let context = format!(
                    "in future \"{name}\", made invalid by outcome \"{}\" of event \"{}\"",
                    events[event].outcomes[outcome].name, events[event].name
                );
                let located =
                    future_scenario(&plain, map, &raw_events, &choice[..culprit], Some(context))
                        .err()
                        .unwrap_or(error);
                problems.extend(located.problems().iter().cloned());
            }
        }
    }
    if problems.is_empty() {
        Ok(futures)
    } else {
        Err(ScenarioError::Invalid { problems })
    }
}

/// A future's name: its outcomes' names joined by `/`.
pub fn future_name(events: &[Event], choice: &[usize]) -> String {
    events
        .iter()
        .zip(choice)
        .map(|(e, &o)| e.outcomes[o].name.as_str())
        .collect::<Vec<_>>()
        .join("/")
}

/// The scenario of the first `choice.len()` events' chosen outcomes applied
/// to `plain` (the merged scenario without its events), validated.
fn future_scenario(
    plain: &Table,
    map: &SourceMap,
    raw_events: &[&Table],
    choice: &[usize],
    context: Option<String>,
) -> Result<Scenario, ScenarioError> {
    let mut merged = plain.clone();
    let mut map = map.clone();
    map.context = context;
    for (e, &o) in choice.iter().enumerate() {
        let Some((file, event_path)) = map.origin("event", e) else {
            continue;
        };
        let outcome_path = event_path.then("outcome").index(o);
        let Some(outcome) = raw_events[e]
            .get("outcome")
            .and_then(Value::as_array)
            .and_then(|items| items.get(o))
            .and_then(Value::as_table)
        else {
            continue;
        };
        // Rules first, so a `set` of `export_rule.N` counts them (7.1).
        if let Some(Value::Array(rules)) = outcome.get("export_rule") {
            let merged_rules = merged
                .entry("export_rule".to_string())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = merged_rules {
                for (r, rule) in rules.iter().enumerate() {
                    items.push(rule.clone());
                    map.push_origin(
                        "export_rule",
                        file,
                        outcome_path.then("export_rule").index(r),
                    );
                }
            }
        }
        if let Some(Value::Table(set)) = outcome.get("set") {
            let mut entries = Vec::new();
            flatten_set(
                set,
                &outcome_path.then("set"),
                &mut Vec::new(),
                &mut entries,
            );
            let entries: Vec<SetEntry> = entries
                .into_iter()
                .map(|(keys, file_path, value)| SetEntry {
                    keys,
                    value,
                    location: map.locate_in(file, &file_path),
                })
                .collect();
            overrides::apply_set(&mut merged, &mut map, &entries)?;
        }
    }
    validate::validate(merged, &map)
}

/// The paths an outcome's `set` spells: a quoted key (`"fleet.growth_per_year"`)
/// is split at its dots, a dotted key (`fleet.growth_per_year`) is a nested
/// table; either way the leaf values with the path of keys to them and
/// where they are in the file.
pub(crate) fn flatten_set(
    table: &Table,
    file_path: &KeyPath,
    keys: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, KeyPath, Value)>,
) {
    for (key, value) in table {
        let depth = keys.len();
        keys.extend(key.split('.').map(str::to_string));
        let here = file_path.then(key);
        match value {
            Value::Table(inner) => flatten_set(inner, &here, keys, out),
            leaf => out.push((keys.clone(), here, leaf.clone())),
        }
        keys.truncate(depth);
    }
}

/// What a path may not touch in an outcome's `set` (SPEC.md 7.5), or `None`
/// when it may be set.
pub(crate) fn forbidden_in_set(keys: &[String]) -> Option<String> {
    let first = keys.first().map(String::as_str).unwrap_or("");
    let last = keys.last().map(String::as_str).unwrap_or("");
    let why = match (first, keys.get(1).map(String::as_str)) {
        ("event", _) | ("risk", _) => "events and [risk] are fixed for all futures",
        ("include", _) => "files cannot be included by an outcome",
        ("scenario", Some("start" | "period_months" | "periods")) => {
            "the period grid is the same in every future"
        }
        _ if last == "name" => "names are the same in every future",
        _ if last == "existing" || last == "existing_storage" => {
            "what is already installed is known now, the same in every future"
        }
        _ => return None,
    };
    Some(format!(
        "`{}` cannot be set by an outcome: {why}; an outcome may set any other value (SPEC.md section 7.5)",
        keys.join(".")
    ))
}
