//! The second pass: raw values -> a checked [`Scenario`].
//!
//! Every number is checked against its allowed range (NaN and infinity are
//! never allowed), every name reference is resolved, and every problem is
//! collected with its file, line and key path.

use std::collections::BTreeMap;

use toml::{Table, Value};

use super::diagnostic::{did_you_mean, KeyPath, Problem, ScenarioError, Segment};
use super::limits::*;
use super::raw::*;
use super::source::SourceMap;
use super::*;
use crate::time::{Calendar, Month, MonthRange};

/// What a number may be. Every range is closed above (see [`limits`]): a
/// value a typo or a unit slip produces is refused with its key rather than
/// planned with.
#[derive(Debug, Clone, Copy)]
enum Allowed {
    /// `0 <= x <= max`
    UpTo(f64),
    /// `0 < x <= max`
    PositiveUpTo(f64),
    /// `0 <= x <= 1`
    Share,
    /// `0 < x <= 1`
    PositiveShare,
    /// `0 <= x < 1`
    Decline,
    /// `min <= x <= max`
    Between(f64, f64),
    /// `min < x <= max`
    AboveUpTo(f64, f64),
    /// A whole number, `min <= x <= max`
    WholeBetween(f64, f64),
    /// A whole number in `1..=max`
    WholeUpTo(f64),
}

impl Allowed {
    fn admits(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Allowed::UpTo(max) => (0.0..=max).contains(&x),
                Allowed::PositiveUpTo(max) => x > 0.0 && x <= max,
                Allowed::Share => (0.0..=1.0).contains(&x),
                Allowed::PositiveShare => x > 0.0 && x <= 1.0,
                Allowed::Decline => (0.0..1.0).contains(&x),
                Allowed::Between(min, max) => (min..=max).contains(&x),
                Allowed::AboveUpTo(min, max) => x > min && x <= max,
                Allowed::WholeBetween(min, max) => (min..=max).contains(&x) && x.fract() == 0.0,
                Allowed::WholeUpTo(max) => (1.0..=max).contains(&x) && x.fract() == 0.0,
            }
    }

    /// The largest value allowed.
    fn max(self) -> f64 {
        match self {
            Allowed::UpTo(max)
            | Allowed::PositiveUpTo(max)
            | Allowed::Between(_, max)
            | Allowed::AboveUpTo(_, max)
            | Allowed::WholeBetween(_, max)
            | Allowed::WholeUpTo(max) => max,
            Allowed::Share | Allowed::PositiveShare | Allowed::Decline => 1.0,
        }
    }

    fn describe(self, key: &str) -> String {
        let n = show_limit;
        match self {
            Allowed::UpTo(max) => format!("0 <= {key} <= {}", n(max)),
            Allowed::PositiveUpTo(max) => format!("0 < {key} <= {}", n(max)),
            Allowed::Share => format!("0 <= {key} <= 1"),
            Allowed::PositiveShare => format!("0 < {key} <= 1"),
            Allowed::Decline => format!("0 <= {key} < 1"),
            Allowed::Between(min, max) => format!("{} <= {key} <= {}", n(min), n(max)),
            Allowed::AboveUpTo(min, max) => format!("{} < {key} <= {}", n(min), n(max)),
            Allowed::WholeBetween(min, max) => {
                format!("a whole number, {} <= {key} <= {}", n(min), n(max))
            }
            Allowed::WholeUpTo(max) => format!("a whole number, 1 <= {key} <= {}", n(max)),
        }
    }

    /// "did you mean 0.08, i.e. 8%?" when a percentage was typed where a
    /// fraction or a factor belongs.
    fn percent_hint(self, x: f64) -> Option<String> {
        (self.max() <= 10.0 && x > self.max() && x >= 2.0 && self.admits(x / 100.0))
            .then(|| format!("; did you mean {}, i.e. {x}%?", x / 100.0))
    }
}

/// A value as the reader typed it, short: `1e300`, not 301 digits.
pub(super) fn show_value(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1.0e15 || x.abs() < 1.0e-6) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A limit as a reader would write it: `1e13` rather than `10000000000000`.
pub(super) fn show_limit(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1.0e6 || x.abs() < 1.0e-3) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Checks the number `$raw.$key` at the key path `$path.$key`: the key is
/// named once, so the reported key can never differ from the checked field.
macro_rules! number {
    ($c:expr, $path:expr, $owner:expr, $raw:expr, $key:ident, $allowed:expr) => {
        $c.number(&$path.then(stringify!($key)), &$owner, $raw.$key, $allowed)
    };
}

/// The same for an optional number.
macro_rules! optional {
    ($c:expr, $path:expr, $owner:expr, $raw:expr, $key:ident, $allowed:expr) => {
        $c.optional(&$path.then(stringify!($key)), &$owner, $raw.$key, $allowed)
    };
}

/// The most problems shown in full: a scenario with thousands (a table
/// pasted 10,000 times) is reported in a moment, not in minutes.
pub const MAX_PROBLEMS_SHOWN: usize = 50;

/// Collects problems while checking values.
struct Checker<'a> {
    map: &'a SourceMap,
    problems: Vec<Problem>,
    /// Problems found beyond [`MAX_PROBLEMS_SHOWN`].
    more: usize,
}

impl Checker<'_> {
    fn problem(&mut self, path: &KeyPath, message: String) {
        if self.problems.len() < MAX_PROBLEMS_SHOWN {
            self.problems.push(Problem::at(self.map, path, message));
        } else {
            self.more += 1;
        }
    }

    /// Checks a number; returns it whatever the verdict so checking goes on.
    fn number(&mut self, path: &KeyPath, owner: &str, value: f64, allowed: Allowed) -> f64 {
        if allowed.admits(value) && value != 0.0 && value.abs() < MIN_NONZERO {
            let key = path.last_key().unwrap_or("value");
            self.problem(
                path,
                format!(
                    "{} is too small to plan with{owner}: the model would lose it next to the other numbers; allowed: {key} = 0, or |{key}| >= {} (is it in the unit the format asks for?)",
                    show_value(value),
                    show_limit(MIN_NONZERO)
                ),
            );
            return value;
        }
        if !allowed.admits(value) {
            let key = path.last_key().unwrap_or("value");
            let shown = if value.is_nan() {
                "nan (not a number)".to_string()
            } else {
                show_value(value)
            };
            self.problem(
                path,
                format!(
                    "{shown} is not allowed{owner}; allowed: {}{}",
                    allowed.describe(key),
                    allowed.percent_hint(value).unwrap_or_default()
                ),
            );
        }
        value
    }

    fn optional(
        &mut self,
        path: &KeyPath,
        owner: &str,
        value: Option<f64>,
        allowed: Allowed,
    ) -> Option<f64> {
        value.map(|v| self.number(path, owner, v, allowed))
    }

    fn month(&mut self, path: &KeyPath, owner: &str, text: &str) -> Option<Month> {
        let month = Month::parse(text);
        if month.is_none() {
            self.problem(
                path,
                format!("\"{text}\" is not a month{owner}; allowed: \"YYYY-MM\", e.g. \"2025-04\""),
            );
        }
        month
    }

    fn range(
        &mut self,
        path: &KeyPath,
        owner: &str,
        from: (&str, Option<&String>),
        until: (&str, Option<&String>),
    ) -> MonthRange {
        let from_month = from
            .1
            .and_then(|t| self.month(&path.then(from.0), owner, t));
        let until_month = until
            .1
            .and_then(|t| self.month(&path.then(until.0), owner, t));
        if let (Some(a), Some(b)) = (from_month, until_month) {
            if b < a {
                self.problem(
                    &path.then(until.0),
                    format!(
                        "{b} is before {} = {a}{owner}; allowed: {} >= {}",
                        from.0, until.0, from.0
                    ),
                );
            }
        }
        MonthRange {
            from: from_month,
            until: until_month,
        }
    }

    /// Resolves a name among `names`, with a did-you-mean.
    fn resolve(&mut self, path: &KeyPath, kind: &str, name: &str, names: &[&str]) -> Option<usize> {
        let found = names.iter().position(|n| *n == name);
        if found.is_none() {
            let hint = match did_you_mean(name, names.iter().copied()) {
                Some(close) => format!("; did you mean \"{close}\"?"),
                None if names.is_empty() => format!("; no {kind} is defined"),
                None => format!("; defined: {}", quoted(names)),
            };
            self.problem(path, format!("no {kind} named \"{name}\"{hint}"));
        }
        found
    }

    /// Reports names defined twice within one kind.
    fn unique_names<'n>(&mut self, kind: &str, names: impl Iterator<Item = &'n str>) {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, name) in names.enumerate() {
            if let Some(first) = seen.insert(name, i) {
                self.problem(&KeyPath::key(kind).index(i).then("name"), format!("\"{name}\" is defined twice (first as {kind}[{first}]); names must be unique within {kind}"));
            }
            if name.trim().is_empty() {
                self.problem(
                    &KeyPath::key(kind).index(i).then("name"),
                    "names must not be empty".into(),
                );
            } else if let Some(why) = name_problem(name) {
                self.problem(&KeyPath::key(kind).index(i).then("name"), why);
            }
        }
    }
}

/// Why `name` is not an identifier, if it is not. A name appears in
/// tables, CSV files, the LP file and `--set` paths, so it must start with
/// a letter or digit (any script: 临港 is fine) and hold only letters,
/// digits, `_`, `-`, `.` and spaces: never a leading `=`, `+`, `-` or `@`
/// a spreadsheet would run, quotes, brackets or control characters.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ');
    let starts_well = name.chars().next().is_some_and(char::is_alphanumeric);
    if starts_well && name.chars().all(allowed) {
        return None;
    }
    let cleaned: String = name.chars().filter(|&c| allowed(c)).collect();
    let cleaned = cleaned
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim_end();
    let hint = if cleaned.is_empty() {
        String::new()
    } else {
        format!("; did you mean \"{cleaned}\"?")
    };
    Some(format!(
        "\"{}\" is not allowed as a name; allowed: a letter or digit first, then letters, digits, `_`, `-`, `.` or spaces{hint}",
        name.escape_debug()
    ))
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn owner(kind: &str, name: &str) -> String {
    format!(" for {kind} \"{name}\"")
}

/// Deserialises the merged table, then checks it.
pub fn validate(merged: Table, map: &SourceMap) -> Result<Scenario, ScenarioError> {
    let raw: RawScenarioFile = match serde_path_to_error::deserialize(Value::Table(merged)) {
        Ok(raw) => raw,
        Err(error) => {
            let mut path = key_path_of(error.path());
            let message = explain_serde_error(error.inner().message(), &path);
            // A missing key is named by its own path (`fleet`, `gpu[1].mfu`).
            if let Some(missing) = error.inner().message().strip_prefix("missing field `") {
                path = path.then(missing.split('`').next().unwrap_or(missing));
            }
            let problem = if error.inner().message().starts_with("unknown field") {
                Problem::at_key(map, &path, message)
            } else {
                Problem::at(map, &path, message)
            };
            return Err(ScenarioError::Invalid {
                problems: vec![problem],
            });
        }
    };
    let mut checker = Checker {
        map,
        problems: Vec::new(),
        more: 0,
    };
    let scenario = check(raw, &mut checker);
    if checker.problems.is_empty() {
        checker.problems = super::magnitudes::check(&scenario, map);
    }
    if checker.more > 0 {
        let shown = checker.problems.len();
        let first_key = KeyPath::from_segments(Vec::new());
        checker.problems.push(Problem::at(
            map,
            &first_key,
            format!(
                "{} more problems are not shown (only the first {shown} are); fix these and check again",
                checker.more
            ),
        ));
    }
    if checker.problems.is_empty() {
        Ok(scenario)
    } else {
        Err(ScenarioError::Invalid {
            problems: checker.problems,
        })
    }
}

fn key_path_of(path: &serde_path_to_error::Path) -> KeyPath {
    let segments = path
        .iter()
        .filter_map(|segment| match segment {
            serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
            serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
            serde_path_to_error::Segment::Enum { variant } => Some(Segment::Key(variant.clone())),
            serde_path_to_error::Segment::Unknown => None,
        })
        .collect();
    KeyPath::from_segments(segments)
}

/// Turns serde's wording into the planner's, with a did-you-mean.
fn explain_serde_error(message: &str, path: &KeyPath) -> String {
    let message = message.trim();
    let ticked: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    if message.starts_with("unknown field") {
        let unknown = ticked.first().copied().unwrap_or("");
        let allowed = &ticked[1.min(ticked.len())..];
        let hint = did_you_mean(unknown, allowed.iter().copied())
            .map(|close| format!("did you mean `{close}`? "))
            .unwrap_or_default();
        let table = match path.segments() {
            [Segment::Key(event), Segment::Index(_), Segment::Key(table), Segment::Index(_), Segment::Key(_)] =>
            {
                format!("[[{event}.{table}]]")
            }
            [.., Segment::Key(table), Segment::Index(_), Segment::Key(_)] => format!("[[{table}]]"),
            [Segment::Key(table), Segment::Key(_)] => format!("[{table}]"),
            _ => "the top level".to_string(),
        };
        let listed = allowed
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        return format!("unknown key `{unknown}` in {table}; {hint}allowed keys: {listed}");
    }
    if message.starts_with("unknown variant") {
        let unknown = ticked.first().copied().unwrap_or("");
        let allowed = &ticked[1.min(ticked.len())..];
        let hint = did_you_mean(unknown, allowed.iter().copied())
            .map(|close| format!("did you mean \"{close}\"? "))
            .unwrap_or_default();
        let listed = allowed
            .iter()
            .map(|k| format!("\"{k}\""))
            .collect::<Vec<_>>()
            .join(", ");
        return format!("\"{unknown}\" is not a known value; {hint}allowed: {listed}");
    }
    if message.starts_with("missing field") {
        let missing = ticked.first().copied().unwrap_or("");
        return format!("required key `{missing}` is missing");
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let rest = rest
            .replace("expected f64", "expected a number")
            .replace("expected a sequence", "expected an array")
            .replace("expected struct ", "expected a table ");
        return format!("wrong type: {rest}");
    }
    message.to_string()
}

fn check(raw: RawScenarioFile, c: &mut Checker) -> Scenario {
    let s = KeyPath::key("scenario");
    let period_months = optional!(
        c,
        s,
        "",
        raw.scenario,
        period_months,
        Allowed::WholeBetween(1.0, 12.0)
    )
    .unwrap_or(3.0);
    if ![1.0, 3.0, 6.0, 12.0].contains(&period_months) {
        c.problem(
            &s.then("period_months"),
            format!("{period_months} is not allowed; allowed: 1, 3, 6 or 12"),
        );
    }
    let period_months = if [1.0, 3.0, 6.0, 12.0].contains(&period_months) {
        period_months as u32
    } else {
        3
    };
    let periods = number!(
        c,
        s,
        "",
        raw.scenario,
        periods,
        Allowed::WholeUpTo(MAX_PERIODS)
    );
    let periods = if Allowed::WholeUpTo(MAX_PERIODS).admits(periods) {
        periods as usize
    } else {
        1
    };
    let start = c
        .month(&s.then("start"), "", &raw.scenario.start)
        .unwrap_or(Month::new(2000, 1).expect("valid month"));
    if (start.month() - 1) % period_months != 0 {
        c.problem(
            &s.then("start"),
            format!("{start} does not start a period of {period_months} months; allowed: a month m with (m - 1) divisible by {period_months}, e.g. {}", Month::new(start.year(), 1).expect("valid month")),
        );
    }
    let discount_rate = number!(
        c,
        s,
        "",
        raw.scenario,
        discount_rate,
        Allowed::UpTo(MAX_DISCOUNT_RATE)
    );
    for (key, value) in [
        ("name", &raw.scenario.name),
        ("currency", &raw.scenario.currency),
        ("home", &raw.scenario.home),
    ] {
        if value.trim().is_empty() {
            c.problem(&s.then(key), "must not be empty".into());
        }
    }
    let calendar = Calendar {
        start,
        period_months,
        periods,
    };

    let fleet = check_fleet(&raw.fleet, &calendar, c);
    let training = check_training(raw.training.as_ref(), c);

    // Names first: later checks resolve references against them.
    c.unique_names("data_class", raw.data_class.iter().map(|x| x.name.as_str()));
    c.unique_names("site", raw.site.iter().map(|x| x.name.as_str()));
    c.unique_names("link", raw.link.iter().map(|x| x.name.as_str()));
    c.unique_names("gpu", raw.gpu.iter().map(|x| x.name.as_str()));
    c.unique_names("storage", raw.storage.iter().map(|x| x.name.as_str()));
    let gpu_names: Vec<&str> = raw.gpu.iter().map(|g| g.name.as_str()).collect();
    let tier_names: Vec<&str> = raw.storage.iter().map(|t| t.name.as_str()).collect();
    let site_names: Vec<&str> = raw.site.iter().map(|x| x.name.as_str()).collect();

    let data_classes = raw
        .data_class
        .iter()
        .enumerate()
        .map(|(i, x)| check_class(i, x, c))
        .collect();
    let gpus: Vec<Gpu> = raw
        .gpu
        .iter()
        .enumerate()
        .map(|(i, g)| check_gpu(i, g, c))
        .collect();
    let storage_tiers = raw
        .storage
        .iter()
        .enumerate()
        .map(|(i, t)| check_tier(i, t, c))
        .collect();
    let sites: Vec<Site> = raw
        .site
        .iter()
        .enumerate()
        .map(|(i, x)| check_site(i, x, &raw.scenario.home, &gpu_names, &tier_names, c))
        .collect();
    if !raw.site.is_empty() && !sites.iter().any(|x| x.is_home) {
        c.problem(&KeyPath::key("site"), format!("no site is in the home jurisdiction \"{}\"; allowed: at least one site with jurisdiction = \"{}\" (vehicles upload only there)", raw.scenario.home, raw.scenario.home));
    }
    if raw.site.is_empty() {
        c.problem(
            &KeyPath::key("scenario"),
            format!(
                "no [[site]] is defined; allowed: at least one site with jurisdiction = \"{}\"",
                raw.scenario.home
            ),
        );
    }
    if raw.data_class.is_empty() {
        c.problem(
            &KeyPath::key("scenario"),
            "no [[data_class]] is defined; allowed: at least one".into(),
        );
    }
    let links = raw
        .link
        .iter()
        .enumerate()
        .filter_map(|(i, l)| check_link(i, l, &site_names, c))
        .collect();
    let export_rules = raw
        .export_rule
        .iter()
        .enumerate()
        .filter_map(|(i, r)| check_rule(i, r, &gpu_names, c))
        .collect();
    let budget = raw.budget.as_ref().map(|b| Budget {
        capex_per_period: c.number(
            &KeyPath::key("budget").then("capex_per_period"),
            "",
            b.capex_per_period,
            Allowed::UpTo(MAX_BUDGET),
        ),
    });

    let events = check_events(&raw.event, c);
    let risk = check_risk(raw.risk.as_ref(), c);

    Scenario {
        name: raw.scenario.name,
        currency: raw.scenario.currency,
        home: raw.scenario.home,
        calendar,
        discount_rate,
        fleet,
        training,
        data_classes,
        sites,
        links,
        gpus,
        export_rules,
        storage_tiers,
        budget,
        events,
        risk,
    }
}

/// Why `name` cannot name an event or an outcome (SPEC.md 7.1: it appears
/// in future names joined by `/` and as a JSON field), if it cannot.
fn event_name_problem(name: &str, kind: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if name.is_empty() {
        return Some(format!("{kind} names must not be empty"));
    }
    if !name.chars().all(allowed) {
        let cleaned: String = name
            .chars()
            .map(|c| if allowed(c) { c } else { '_' })
            .collect();
        return Some(format!(
            "\"{}\" is not allowed as {kind} name; allowed: letters A-Z or a-z, digits, `_` and `-`; did you mean \"{cleaned}\"?",
            name.escape_debug()
        ));
    }
    None
}

fn check_events(raw: &[RawEvent], c: &mut Checker) -> Vec<Event> {
    let mut events = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut futures: usize = 1;
    // The event that takes the count of futures over the limit.
    let mut too_many_at = 0;
    for (n, event) in raw.iter().enumerate() {
        let path = KeyPath::key("event").index(n);
        let name_path = path.then("name");
        if let Some(first) = seen.insert(event.name.as_str(), n) {
            c.problem(
                &name_path,
                format!(
                    "\"{}\" is defined twice (first as event[{first}]); event names must be unique",
                    event.name
                ),
            );
        }
        if let Some(why) = event_name_problem(&event.name, "an event") {
            c.problem(&name_path, why);
        } else if events::RESERVED_EVENT_NAMES.contains(&event.name.as_str()) {
            c.problem(
                &name_path,
                format!(
                    "\"{}\" cannot name an event: it names a field of the futures' rows; allowed: any other name, not {}",
                    event.name,
                    quoted(&events::RESERVED_EVENT_NAMES)
                ),
            );
        }
        let owner = owner("event", &event.name);
        let reveal = c
            .month(&path.then("reveal"), &owner, &event.reveal)
            .unwrap_or(Month::new(2000, 1).expect("valid month"));
        if event.outcome.len() < 2 {
            c.problem(
                &path.then("name"),
                format!(
                    "event \"{}\" has {} outcome{}; allowed: at least two [[event.outcome]] tables (an event with one outcome is not uncertain: put its rules in the scenario)",
                    event.name,
                    event.outcome.len(),
                    if event.outcome.len() == 1 { "" } else { "s" }
                ),
            );
        }
        let mut outcome_names: BTreeMap<&str, usize> = BTreeMap::new();
        let mut outcomes = Vec::new();
        let mut given = 0.0;
        let mut left_out = Vec::new();
        for (o, outcome) in event.outcome.iter().enumerate() {
            let outcome_path = path.then("outcome").index(o);
            if let Some(first) = outcome_names.insert(outcome.name.as_str(), o) {
                c.problem(&outcome_path.then("name"), format!("\"{}\" is defined twice in event \"{}\" (first as outcome[{first}]); outcome names must be unique within their event", outcome.name, event.name));
            }
            if let Some(why) = event_name_problem(&outcome.name, "an outcome") {
                c.problem(&outcome_path.then("name"), why);
            }
            let probability = match outcome.probability {
                Some(p) => {
                    let p = c.number(
                        &outcome_path.then("probability"),
                        &format!(
                            " for outcome \"{}\" of event \"{}\"",
                            outcome.name, event.name
                        ),
                        p,
                        Allowed::PositiveShare,
                    );
                    given += p;
                    p
                }
                None => {
                    left_out.push(o);
                    0.0
                }
            };
            outcomes.push(Outcome {
                name: outcome.name.clone(),
                probability,
                probability_is_rest: outcome.probability.is_none(),
                changes: outcome_changes(outcome),
            });
        }
        match left_out.as_slice() {
            [] if !event.outcome.is_empty() && (given - 1.0).abs() > 1e-9 => {
                c.problem(
                    &path.then("name"),
                    format!(
                        "the probabilities of event \"{}\" sum to {}; allowed: a sum of 1 (within 1e-9), or leave out one outcome's probability and it gets the rest",
                        event.name,
                        show_value(given)
                    ),
                );
            }
            [] => {}
            [rest] => {
                let remaining = 1.0 - given;
                if remaining <= 1e-9 {
                    c.problem(
                        &path.then("outcome").index(*rest).then("name"),
                        format!(
                            "outcome \"{}\" of event \"{}\" leaves out its probability, but the others already sum to {}; allowed: the others sum to less than 1, so the rest is above 1e-9",
                            event.outcome[*rest].name,
                            event.name,
                            show_value(given)
                        ),
                    );
                }
                outcomes[*rest].probability = remaining;
            }
            [_, second, ..] => {
                c.problem(
                    &path.then("outcome").index(*second).then("name"),
                    format!(
                        "{} outcomes of event \"{}\" leave out their probability; allowed: at most one, which gets 1 minus the others",
                        left_out.len(),
                        event.name
                    ),
                );
            }
        }
        let before = futures;
        futures = futures.saturating_mul(event.outcome.len().max(1));
        if before <= events::MAX_FUTURES && futures > events::MAX_FUTURES {
            too_many_at = n;
        }
        events.push(Event {
            name: event.name.clone(),
            reveal,
            outcomes,
        });
    }
    if futures > events::MAX_FUTURES {
        let counts: Vec<String> = raw.iter().map(|e| e.outcome.len().to_string()).collect();
        c.problem(
            &KeyPath::key("event").index(too_many_at).then("name"),
            format!(
                "the events make {} futures ({}); allowed: at most {} (SPEC.md 7.1): merge outcomes or drop an event",
                if futures == usize::MAX { "too many".to_string() } else { crate::numbers::number(futures as f64, 0) },
                counts.join(" x "),
                events::MAX_FUTURES
            ),
        );
    }
    events
}

/// An outcome's rules and `set`, in words.
fn outcome_changes(outcome: &RawOutcome) -> Vec<String> {
    let mut changes = Vec::new();
    for rule in &outcome.export_rule {
        let action = match rule.action {
            RawRuleAction::Ban => "ban".to_string(),
            RawRuleAction::Licence => match rule.price_factor {
                Some(factor) => format!("licence at x{}", show_value(factor)),
                None => "licence".to_string(),
            },
        };
        let mut text = format!("{} {action} in {}", rule.gpu, rule.jurisdiction);
        if let Some(from) = &rule.from {
            text.push_str(&format!(" from {from}"));
        }
        if let Some(until) = &rule.until {
            text.push_str(&format!(" until {until}"));
        }
        changes.push(text);
    }
    if let Some(set) = &outcome.set {
        let mut entries = Vec::new();
        events::flatten_set(set, &KeyPath::key("set"), &mut Vec::new(), &mut entries);
        for (keys, _, value) in entries {
            changes.push(format!(
                "{} = {}",
                keys.join("."),
                super::overrides::value_text(&value)
            ));
        }
    }
    changes
}

fn check_risk(raw: Option<&RawRisk>, c: &mut Checker) -> Risk {
    let defaults = Risk::default();
    let Some(raw) = raw else {
        return defaults;
    };
    let r = KeyPath::key("risk");
    Risk {
        cvar_alpha: optional!(c, r, "", raw, cvar_alpha, Allowed::Decline)
            .unwrap_or(defaults.cvar_alpha),
        cvar_weight: optional!(c, r, "", raw, cvar_weight, Allowed::Share)
            .unwrap_or(defaults.cvar_weight),
    }
}

fn check_fleet(raw: &RawFleet, calendar: &Calendar, c: &mut Checker) -> Fleet {
    let f = KeyPath::key("fleet");
    let vehicles_by_period = match (raw.vehicles, &raw.vehicles_by_period) {
        (Some(vehicles), None) => {
            let vehicles = c.number(&f.then("vehicles"), "", vehicles, Allowed::UpTo(MAX_COUNT));
            let growth = optional!(
                c,
                f,
                "",
                raw,
                growth_per_year,
                Allowed::AboveUpTo(-1.0, MAX_GROWTH_PER_YEAR)
            )
            .unwrap_or(0.0);
            (0..calendar.periods)
                .map(|t| vehicles * (1.0 + growth).powf(t as f64 * calendar.years_per_period()))
                .collect()
        }
        (None, Some(by_period)) => {
            if raw.growth_per_year.is_some() {
                c.problem(&f.then("growth_per_year"), "cannot be combined with `vehicles_by_period`; allowed: `vehicles` with optional `growth_per_year`, or `vehicles_by_period` alone".into());
            }
            if by_period.len() != calendar.periods {
                c.problem(
                    &f.then("vehicles_by_period"),
                    format!(
                        "has {} values; allowed: exactly `periods` = {} values",
                        by_period.len(),
                        calendar.periods
                    ),
                );
            }
            for (t, v) in by_period.iter().enumerate() {
                c.number(
                    &f.then("vehicles_by_period").index(t),
                    "",
                    *v,
                    Allowed::UpTo(MAX_COUNT),
                );
            }
            let mut values = by_period.clone();
            values.resize(calendar.periods, 0.0);
            values
        }
        (Some(_), Some(_)) => {
            c.problem(
                &f.then("vehicles_by_period"),
                "both `vehicles` and `vehicles_by_period` are given; allowed: exactly one of them"
                    .into(),
            );
            vec![0.0; calendar.periods]
        }
        (None, None) => {
            c.problem(&f, "neither `vehicles` nor `vehicles_by_period` is given; allowed: exactly one of them".into());
            vec![0.0; calendar.periods]
        }
    };
    Fleet {
        vehicles_by_period,
        uploading_share: number!(c, f, "", raw, uploading_share, Allowed::Share),
        upload_peak_to_average: optional!(
            c,
            f,
            "",
            raw,
            upload_peak_to_average,
            Allowed::Between(1.0, MAX_PEAK_TO_AVERAGE)
        )
        .unwrap_or(1.0),
    }
}

fn check_training(raw: Option<&RawTraining>, c: &mut Checker) -> Training {
    let t = KeyPath::key("training");
    let Some(raw) = raw else {
        return Training {
            epochs_per_period: 1.0,
            base_pflop_per_period: 0.0,
            read_gb_per_pflop: 0.0,
            shortfall_price_per_pflop: None,
        };
    };
    Training {
        epochs_per_period: optional!(
            c,
            t,
            "",
            raw,
            epochs_per_period,
            Allowed::UpTo(MAX_EPOCHS_PER_PERIOD)
        )
        .unwrap_or(1.0),
        base_pflop_per_period: optional!(
            c,
            t,
            "",
            raw,
            base_pflop_per_period,
            Allowed::UpTo(MAX_BASE_PFLOP_PER_PERIOD)
        )
        .unwrap_or(0.0),
        read_gb_per_pflop: optional!(
            c,
            t,
            "",
            raw,
            read_gb_per_pflop,
            Allowed::UpTo(MAX_READ_RATE)
        )
        .unwrap_or(0.0),
        shortfall_price_per_pflop: optional!(
            c,
            t,
            "",
            raw,
            shortfall_price_per_pflop,
            Allowed::UpTo(MAX_PRICE)
        ),
    }
}

fn check_class(i: usize, raw: &RawDataClass, c: &mut Checker) -> DataClass {
    let p = KeyPath::key("data_class").index(i);
    let o = owner("data_class", &raw.name);
    let residency = match raw.residency {
        RawResidency::HomeOnly => Residency::HomeOnly,
        RawResidency::ExportAfterDeid => Residency::ExportAfterDeid,
        RawResidency::Free => Residency::Free,
    };
    if residency == Residency::HomeOnly && raw.export_max_pb_per_period.is_some_and(|x| x > 0.0) {
        c.problem(
            &p.then("export_max_pb_per_period"),
            format!("is set{o}, but a \"home_only\" class never leaves home; allowed: 0 or absent"),
        );
    }
    DataClass {
        name: raw.name.clone(),
        gb_per_vehicle_month: number!(
            c,
            p,
            o,
            raw,
            gb_per_vehicle_month,
            Allowed::UpTo(MAX_GB_PER_VEHICLE_MONTH)
        ),
        retention_months: number!(
            c,
            p,
            o,
            raw,
            retention_months,
            Allowed::UpTo(MAX_RETENTION_MONTHS)
        ),
        training_share: number!(c, p, o, raw, training_share, Allowed::Share),
        pflop_per_pb: number!(c, p, o, raw, pflop_per_pb, Allowed::UpTo(MAX_PFLOP_PER_PB)),
        residency,
        deid_pflop_per_pb: optional!(
            c,
            p,
            o,
            raw,
            deid_pflop_per_pb,
            Allowed::UpTo(MAX_PFLOP_PER_PB)
        )
        .unwrap_or(0.0),
        export_max_pb_per_period: optional!(
            c,
            p,
            o,
            raw,
            export_max_pb_per_period,
            Allowed::UpTo(MAX_COUNT)
        ),
    }
}

fn check_gpu(i: usize, raw: &RawGpu, c: &mut Checker) -> Gpu {
    let p = KeyPath::key("gpu").index(i);
    let o = owner("gpu", &raw.name);
    if raw.allowed_in.is_empty() {
        c.problem(&p.then("allowed_in"), format!("is empty{o}: the GPU could never be bought; allowed: one or more jurisdictions, e.g. [\"US\"]"));
    }
    Gpu {
        name: raw.name.clone(),
        tflops: number!(c, p, o, raw, tflops, Allowed::PositiveUpTo(MAX_TFLOPS)),
        gpus_per_node: optional!(
            c,
            p,
            o,
            raw,
            gpus_per_node,
            Allowed::WholeBetween(1.0, MAX_GPUS_PER_NODE)
        )
        .unwrap_or(8.0),
        node_kw: number!(c, p, o, raw, node_kw, Allowed::UpTo(MAX_KW)),
        price_per_node: number!(c, p, o, raw, price_per_node, Allowed::UpTo(MAX_PRICE)),
        price_decline_per_year: optional!(c, p, o, raw, price_decline_per_year, Allowed::Decline)
            .unwrap_or(0.0),
        lifetime_years: number!(
            c,
            p,
            o,
            raw,
            lifetime_years,
            Allowed::PositiveUpTo(MAX_LIFETIME_YEARS)
        ),
        mfu: number!(c, p, o, raw, mfu, Allowed::PositiveShare),
        maintenance_per_node_year: optional!(
            c,
            p,
            o,
            raw,
            maintenance_per_node_year,
            Allowed::UpTo(MAX_PRICE)
        )
        .unwrap_or(0.0),
        allowed_in: raw.allowed_in.clone(),
        available: c.range(
            &p,
            &o,
            ("available_from", raw.available_from.as_ref()),
            ("available_until", raw.available_until.as_ref()),
        ),
        max_nodes_per_period: optional!(
            c,
            p,
            o,
            raw,
            max_nodes_per_period,
            Allowed::WholeBetween(0.0, MAX_COUNT)
        ),
    }
}

fn check_tier(i: usize, raw: &RawStorage, c: &mut Checker) -> StorageTier {
    let p = KeyPath::key("storage").index(i);
    let o = owner("storage", &raw.name);
    StorageTier {
        name: raw.name.clone(),
        price_per_pb: number!(c, p, o, raw, price_per_pb, Allowed::UpTo(MAX_PRICE)),
        price_decline_per_year: optional!(c, p, o, raw, price_decline_per_year, Allowed::Decline)
            .unwrap_or(0.0),
        kw_per_pb: number!(c, p, o, raw, kw_per_pb, Allowed::UpTo(MAX_KW)),
        read_gb_per_s_per_pb: number!(
            c,
            p,
            o,
            raw,
            read_gb_per_s_per_pb,
            Allowed::UpTo(MAX_READ_RATE)
        ),
        usable_fraction: number!(c, p, o, raw, usable_fraction, Allowed::PositiveShare),
        lifetime_years: number!(
            c,
            p,
            o,
            raw,
            lifetime_years,
            Allowed::PositiveUpTo(MAX_LIFETIME_YEARS)
        ),
    }
}

fn check_site(
    i: usize,
    raw: &RawSite,
    home: &str,
    gpu_names: &[&str],
    tier_names: &[&str],
    c: &mut Checker,
) -> Site {
    let p = KeyPath::key("site").index(i);
    let o = owner("site", &raw.name);
    let is_home = raw.jurisdiction == home;
    let ingest_price = match (is_home, raw.ingest_price_per_gbps_month) {
        (true, Some(price)) => c.number(
            &p.then("ingest_price_per_gbps_month"),
            &o,
            price,
            Allowed::UpTo(MAX_PRICE),
        ),
        (true, None) => {
            c.problem(&p, format!("required key `ingest_price_per_gbps_month` is missing{o}; it is required at home sites (jurisdiction \"{home}\"), where vehicles upload"));
            0.0
        }
        (false, _) => 0.0,
    };
    let mut existing_nodes = vec![0.0; gpu_names.len()];
    for (j, e) in raw.existing.iter().enumerate() {
        let ep = p.then("existing").index(j);
        let nodes = number!(c, ep, o, e, nodes, Allowed::WholeBetween(0.0, MAX_COUNT));
        if let Some(g) = c.resolve(&ep.then("gpu"), "gpu", &e.gpu, gpu_names) {
            if existing_nodes[g] > 0.0 {
                c.problem(
                    &ep.then("gpu"),
                    format!(
                        "\"{}\" is listed twice in `existing`{o}; allowed: one entry per GPU",
                        e.gpu
                    ),
                );
            }
            existing_nodes[g] += nodes.max(0.0);
        }
    }
    let mut existing_storage_pb = vec![0.0; tier_names.len()];
    for (j, e) in raw.existing_storage.iter().enumerate() {
        let ep = p.then("existing_storage").index(j);
        let pb = number!(c, ep, o, e, pb, Allowed::UpTo(MAX_COUNT));
        if let Some(k) = c.resolve(&ep.then("tier"), "storage tier", &e.tier, tier_names) {
            if existing_storage_pb[k] > 0.0 {
                c.problem(&ep.then("tier"), format!("\"{}\" is listed twice in `existing_storage`{o}; allowed: one entry per tier", e.tier));
            }
            existing_storage_pb[k] += pb.max(0.0);
        }
    }
    if raw.jurisdiction.trim().is_empty() {
        c.problem(&p.then("jurisdiction"), format!("must not be empty{o}"));
    }
    Site {
        name: raw.name.clone(),
        jurisdiction: raw.jurisdiction.clone(),
        is_home,
        power_cap_mw: optional!(c, p, o, raw, power_cap_mw, Allowed::UpTo(MAX_POWER_MW)),
        pue: number!(c, p, o, raw, pue, Allowed::Between(1.0, MAX_PUE)),
        energy_price_per_kwh: number!(c, p, o, raw, energy_price_per_kwh, Allowed::UpTo(MAX_PRICE)),
        ingest_price_per_gbps_month: ingest_price,
        ingest_max_gbps: optional!(c, p, o, raw, ingest_max_gbps, Allowed::UpTo(MAX_COUNT)),
        existing_nodes,
        existing_storage_pb,
    }
}

fn check_link(i: usize, raw: &RawLink, site_names: &[&str], c: &mut Checker) -> Option<Link> {
    let p = KeyPath::key("link").index(i);
    let o = owner("link", &raw.name);
    let from = c.resolve(&p.then("from"), "site", &raw.from, site_names);
    let to = c.resolve(&p.then("to"), "site", &raw.to, site_names);
    if from.is_some() && from == to {
        c.problem(
            &p.then("to"),
            format!(
                "\"{}\" is also the link's `from`{o}; allowed: two different sites",
                raw.to
            ),
        );
    }
    let price = number!(c, p, o, raw, price_per_gbps_month, Allowed::UpTo(MAX_PRICE));
    let max_gbps = optional!(c, p, o, raw, max_gbps, Allowed::UpTo(MAX_COUNT));
    Some(Link {
        name: raw.name.clone(),
        from: from?,
        to: to?,
        price_per_gbps_month: price,
        max_gbps,
    })
}

fn check_rule(
    i: usize,
    raw: &RawExportRule,
    gpu_names: &[&str],
    c: &mut Checker,
) -> Option<ExportRule> {
    let p = KeyPath::key("export_rule").index(i);
    let o = format!(
        " for the export rule on \"{}\" in \"{}\"",
        raw.gpu, raw.jurisdiction
    );
    let gpu = c.resolve(&p.then("gpu"), "gpu", &raw.gpu, gpu_names);
    let months = c.range(
        &p,
        &o,
        ("from", raw.from.as_ref()),
        ("until", raw.until.as_ref()),
    );
    let action = match raw.action {
        RawRuleAction::Ban => {
            for (key, value) in [
                ("price_factor", raw.price_factor),
                (
                    "max_installed_nodes_per_site",
                    raw.max_installed_nodes_per_site,
                ),
            ] {
                if value.is_some() {
                    c.problem(&p.then(key), format!("applies only to action = \"licence\"{o}; remove it or set action = \"licence\""));
                }
            }
            RuleAction::Ban
        }
        RawRuleAction::Licence => RuleAction::Licence {
            price_factor: optional!(c, p, o, raw, price_factor, Allowed::UpTo(MAX_PRICE_FACTOR))
                .unwrap_or(1.0),
            max_installed_nodes_per_site: optional!(
                c,
                p,
                o,
                raw,
                max_installed_nodes_per_site,
                Allowed::WholeBetween(0.0, MAX_COUNT)
            ),
        },
    };
    if raw.jurisdiction.trim().is_empty() {
        c.problem(&p.then("jurisdiction"), format!("must not be empty{o}"));
    }
    Some(ExportRule {
        gpu: gpu?,
        jurisdiction: raw.jurisdiction.clone(),
        months,
        action,
    })
}
