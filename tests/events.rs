//! Events and futures (SPEC.md section 7.1): how a scenario with events is
//! read into futures, each a scenario of its own.

use std::path::Path;

use fsdplan::scenario::{self, LoadedScenario, Override, RuleAction, ScenarioError};

/// Loads `text` as if it were a file in `tests/scenarios/` (so it can
/// include the small scenario), with `--set` overrides.
fn load(text: &str, sets: &[&str]) -> Result<LoadedScenario, ScenarioError> {
    let name = Path::new("tests/scenarios/inline.toml");
    let mut read = |path: &Path| {
        if path == name {
            Ok(text.to_string())
        } else {
            std::fs::read_to_string(path)
        }
    };
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    scenario::load_with(name, &mut read, &overrides)
}

fn loaded(text: &str) -> LoadedScenario {
    load(text, &[]).unwrap_or_else(|e| panic!("{e}"))
}

const TWO_EVENTS: &str = r#"
include = ["small.toml"]

[[event]]
name = "h20_ban"
reveal = "2025-04"

[[event.outcome]]
name = "banned"
probability = 0.4
export_rule = [ { gpu = "H20", jurisdiction = "CN", from = "2025-04", action = "ban" } ]

[[event.outcome]]
name = "open"

[[event]]
name = "fleet"
reveal = "2025-07"

[[event.outcome]]
name = "fast"
probability = 0.3
set = { "fleet.growth_per_year" = 0.6 }

[[event.outcome]]
name = "slow"
set = { fleet.growth_per_year = 0.1 }
"#;

#[test]
fn futures_are_every_combination_first_event_slowest() {
    let l = loaded(TWO_EVENTS);
    let names: Vec<&str> = l.futures.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["banned/fast", "banned/slow", "open/fast", "open/slow"]
    );
    let probabilities: Vec<f64> = l.futures.iter().map(|f| f.probability).collect();
    for (p, expected) in probabilities.iter().zip([0.12, 0.28, 0.18, 0.42]) {
        assert!((p - expected).abs() < 1e-12, "{probabilities:?}");
    }
    assert!((probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // The outcome left without a probability gets the rest.
    let ban = &l.scenario.events[0];
    assert!((ban.outcomes[1].probability - 0.6).abs() < 1e-12);
    assert!(ban.outcomes[1].probability_is_rest);
}

#[test]
fn a_future_is_the_scenario_with_its_outcomes_applied() {
    let l = loaded(TWO_EVENTS);
    let base_rules = l.scenario.export_rules.len();
    let banned_fast = &l.futures[0].scenario;
    let open_slow = &l.futures[3].scenario;
    // The ban's rule is appended after the scenario's own.
    assert_eq!(banned_fast.export_rules.len(), base_rules + 1);
    let added = &banned_fast.export_rules[base_rules];
    assert_eq!(banned_fast.gpus[added.gpu].name, "H20");
    assert_eq!(added.action, RuleAction::Ban);
    assert_eq!(open_slow.export_rules.len(), base_rules);
    // A quoted path and a dotted key set the same value.
    let vehicles = |s: &scenario::Scenario| s.fleet.vehicles_by_period.clone();
    let (fast, slow) = (vehicles(banned_fast), vehicles(open_slow));
    assert_eq!(fast[0], slow[0]);
    // Four quarters of growth: 1.6^(3/4) against 1.1^(3/4).
    assert!((fast[3] / fast[0] - 1.6f64.powf(0.75)).abs() < 1e-9);
    assert!((slow[3] / slow[0] - 1.1f64.powf(0.75)).abs() < 1e-9);
    // A future's own scenario has no events left.
    assert!(banned_fast.events.is_empty());
}

#[test]
fn an_event_is_known_from_the_period_its_reveal_month_starts_or_the_next() {
    let l = loaded(TWO_EVENTS);
    let calendar = &l.scenario.calendar;
    let [ban, fleet] = &l.scenario.events[..] else {
        panic!("two events")
    };
    let known = |e: &scenario::Event| (0..4).map(|t| e.known_in(calendar, t)).collect::<Vec<_>>();
    assert_eq!(known(ban), [false, true, true, true]);
    assert_eq!(known(fleet), [false, false, true, true]);
    // Revealed in the middle of the first quarter: known from the second.
    let l = load(TWO_EVENTS, &["event.h20_ban.reveal=2025-02"]).unwrap();
    assert_eq!(known(&l.scenario.events[0]), [false, true, true, true]);
    // Revealed before the horizon: known throughout; after it: never.
    let l = load(TWO_EVENTS, &["event.h20_ban.reveal=2024-12"]).unwrap();
    assert_eq!(known(&l.scenario.events[0]), [true; 4]);
    let l = load(TWO_EVENTS, &["event.h20_ban.reveal=2030-01"]).unwrap();
    assert_eq!(known(&l.scenario.events[0]), [false; 4]);
}

#[test]
fn futures_are_alike_until_an_event_tells_them_apart() {
    let l = loaded(TWO_EVENTS);
    let (events, calendar) = (&l.scenario.events, &l.scenario.calendar);
    let f = &l.futures;
    let alike = |a: usize, b: usize, t: usize| f[a].alike(&f[b], events, calendar, t);
    // 2025Q1: nothing known, all alike.
    assert!(alike(0, 3, 0) && alike(1, 2, 0));
    // 2025Q2: the ban is known; banned/fast and banned/slow still alike.
    assert!(alike(0, 1, 1) && !alike(0, 2, 1));
    // 2025Q3: both known; every future on its own.
    assert!(!alike(0, 1, 2) && alike(2, 2, 2));
}

#[test]
fn an_outcome_probability_can_be_overridden() {
    let l = load(
        TWO_EVENTS,
        &["event.h20_ban.outcome.banned.probability=0.7"],
    )
    .unwrap();
    let p: Vec<f64> = l.futures.iter().map(|f| f.probability).collect();
    assert!(
        (p[0] - 0.21).abs() < 1e-12 && (p[3] - 0.21).abs() < 1e-12,
        "{p:?}"
    );
}

#[test]
fn an_outcome_set_counts_the_rules_appended_before_it() {
    let text = r#"
include = ["small.toml"]

[[event]]
name = "licence"
reveal = "2025-04"

[[event.outcome]]
name = "dear"
probability = 0.5
export_rule = [ { gpu = "H100", jurisdiction = "CN", from = "2025-04", action = "licence", price_factor = 1.2 } ]
set = { "export_rule.2.price_factor" = 1.5 }

[[event.outcome]]
name = "none"
"#;
    let l = loaded(text);
    let dear = &l.futures[0].scenario;
    match dear.export_rules[2].action {
        RuleAction::Licence { price_factor, .. } => assert_eq!(price_factor, 1.5),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_later_event_wins_on_the_same_path() {
    let text = r#"
include = ["small.toml"]

[[event]]
name = "first"
reveal = "2025-04"
[[event.outcome]]
name = "a"
probability = 0.5
set = { "fleet.growth_per_year" = 0.5 }
[[event.outcome]]
name = "b"

[[event]]
name = "second"
reveal = "2025-07"
[[event.outcome]]
name = "c"
probability = 0.5
set = { "fleet.growth_per_year" = 0.0 }
[[event.outcome]]
name = "d"
"#;
    let l = loaded(text);
    let vehicles = &l.futures[0].scenario.fleet.vehicles_by_period;
    assert_eq!(l.futures[0].name, "a/c");
    assert_eq!(vehicles[0], vehicles[3], "growth 0 from the later event");
    let vehicles = &l.futures[1].scenario.fleet.vehicles_by_period;
    assert!(vehicles[3] > vehicles[0], "a/d keeps the first event's 0.5");
}

#[test]
fn an_invalid_future_names_the_future_and_the_outcome() {
    let text = TWO_EVENTS.replace("0.6 }", "30 }");
    let error = load(&text, &[]).unwrap_err().to_string();
    assert!(
        error.contains(
            "in future \"banned/fast\", made invalid by outcome \"fast\" of event \"fleet\""
        ),
        "{error}"
    );
    assert!(error.contains("inline.toml:"), "{error}");
    // Reported once for the outcome, not once per future it is in.
    assert_eq!(error.matches("made invalid").count(), 1, "{error}");
}

#[test]
fn a_scenario_without_events_has_no_futures() {
    let l = load("include = [\"small.toml\"]\n", &[]).unwrap();
    assert!(l.futures.is_empty() && l.scenario.events.is_empty());
    assert_eq!(l.scenario.risk.cvar_weight, 0.0);
    assert_eq!(l.scenario.risk.cvar_alpha, 0.9);
}
