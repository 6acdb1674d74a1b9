//! Mutation property test (issue 11): every key of two valid scenarios is
//! set to values a typo, a unit slip or a broken export produces (0, 1e-300,
//! 1e300, negatives, NaN and infinity, strings, empty and huge arrays), and
//! tables and entries are removed or duplicated. Every case must end in one
//! of two ways, without a panic or a hang:
//!
//! * a bad-input error in which every problem names its key (and its file
//!   and line), or
//! * a plan (or a proof that there is none) whose rows pass the
//!   independent audit.
//!
//! Every case that loads is planned as an LP relaxation; every seventh also
//! as an integer plan.

mod common;

use std::time::{Duration, Instant};

use fsdplan::analyses::plan;
use fsdplan::plan::PlanOptions;
use fsdplan::scenario::{self, ScenarioError};
use fsdplan::solve::{Limits, NoClock};
use toml::{Table, Value};

/// The longest a case may take: far above the slowest seen (about 0.3 s),
/// low enough to catch a hang.
const CASE_LIMIT: Duration = Duration::from_secs(20);

fn base_scenarios() -> Vec<(&'static str, Table)> {
    let small = std::fs::read_to_string("tests/scenarios/small.toml").unwrap();
    let catalog = std::fs::read_to_string("tests/scenarios/small-catalog.toml").unwrap();
    let small = small.replace("include = [\"small-catalog.toml\"]", "") + "\n" + &catalog;
    let valid = std::fs::read_to_string("tests/scenarios/valid-base.toml").unwrap();
    [("small", small), ("valid-base", valid)]
        .into_iter()
        .map(|(name, text)| (name, text.parse::<Table>().unwrap()))
        .collect()
}

/// Replacement values for a number.
fn number_mutants() -> Vec<Value> {
    vec![
        Value::Float(0.0),
        Value::Float(1e-300),
        Value::Float(1e300),
        Value::Float(-1.0),
        Value::Float(-1e300),
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Float(0.5),
        Value::Float(8.0),
        Value::Float(1e9),
        Value::Float(100.0),
        Value::Float(1e-7),
        Value::Float(1e15),
        Value::Integer(0),
        Value::Integer(i64::MAX),
        Value::String("nan".into()),
        Value::String("".into()),
        Value::Array(vec![]),
    ]
}

/// Replacement values for a string.
fn string_mutants() -> Vec<Value> {
    vec![
        Value::String("".into()),
        Value::String("=HYPERLINK(\"x\")".into()),
        Value::String("no-such-name".into()),
        Value::String("2025-13".into()),
        Value::Float(1.0),
    ]
}

/// Every way to mutate `table`: each a function applied to a copy.
type Mutation = Box<dyn Fn(&mut Table)>;

/// The paths of every leaf and of every table and array entry.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn walk(value: &Value, path: &mut Vec<Step>, out: &mut Vec<(Vec<Step>, Value)>) {
    out.push((path.clone(), value.clone()));
    match value {
        Value::Table(table) => {
            for (key, v) in table {
                path.push(Step::Key(key.clone()));
                walk(v, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Step::Index(i));
                walk(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(root: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(root, |v, step| match step {
        Step::Key(k) => v.as_table_mut().unwrap().get_mut(k).unwrap(),
        Step::Index(i) => &mut v.as_array_mut().unwrap()[*i],
    })
}

fn mutations(base: &Table) -> Vec<(String, Mutation)> {
    let root = Value::Table(base.clone());
    let mut nodes = Vec::new();
    walk(&root, &mut Vec::new(), &mut nodes);
    let mut out: Vec<(String, Mutation)> = Vec::new();
    for (path, value) in nodes {
        let name = format!("{path:?}");
        let replacements = match &value {
            Value::Float(_) | Value::Integer(_) => number_mutants(),
            Value::String(_) => string_mutants(),
            Value::Array(items) if !items.is_empty() => {
                // Empty, huge (the first entry 10,000 times), one entry duplicated.
                let mut duplicated = items.clone();
                duplicated.push(items[0].clone());
                vec![
                    Value::Array(vec![]),
                    Value::Array(vec![items[0].clone(); 10_000]),
                    Value::Array(duplicated),
                ]
            }
            _ => Vec::new(),
        };
        for replacement in replacements {
            let path = path.clone();
            let label = format!("{name} = {replacement:?}");
            let label = label.chars().take(200).collect();
            out.push((
                label,
                Box::new(move |t: &mut Table| {
                    let mut root = Value::Table(std::mem::take(t));
                    *at(&mut root, &path) = replacement.clone();
                    *t = root.as_table().unwrap().clone();
                }),
            ));
        }
        // Removing the key or the entry.
        if let Some((last, parent)) = path.split_last() {
            let parent = parent.to_vec();
            let last = last.clone();
            out.push((
                format!("{name} removed"),
                Box::new(move |t: &mut Table| {
                    let mut root = Value::Table(std::mem::take(t));
                    match (&last, at(&mut root, &parent)) {
                        (Step::Key(k), Value::Table(table)) => {
                            table.remove(k);
                        }
                        (Step::Index(i), Value::Array(items)) => {
                            items.remove(*i);
                        }
                        _ => unreachable!(),
                    }
                    *t = root.as_table().unwrap().clone();
                }),
            ));
        }
    }
    out
}

/// Every problem of a bad-input error names a key, except a TOML syntax
/// error (which names the line).
fn names_its_keys(error: &ScenarioError) -> bool {
    match error {
        ScenarioError::Invalid { problems } => problems.iter().all(|p| {
            p.line.is_some()
                || !p.key.is_empty()
                || p.message.contains("more problems are not shown")
        }),
        ScenarioError::Syntax { problem } => problem.line.is_some(),
        ScenarioError::Io { .. } => true,
    }
}

#[test]
fn every_mutated_scenario_is_refused_with_its_key_or_planned_and_audited() {
    let limits = Limits {
        time_limit: f64::INFINITY,
        ..Limits::default()
    };
    let (mut cases, mut refused, mut planned) = (0, 0, 0);
    for (base_name, base) in base_scenarios() {
        for (i, (label, mutate)) in mutations(&base).into_iter().enumerate() {
            let mut table = base.clone();
            mutate(&mut table);
            let text = toml::to_string(&table).unwrap();
            let started = Instant::now();
            cases += 1;
            match scenario::from_str("mutant.toml", &text) {
                Err(error) => {
                    refused += 1;
                    assert!(names_its_keys(&error), "{base_name}: {label}:\n{error}");
                }
                Ok(scenario) => {
                    let relax_modes: &[bool] = if i % 7 == 0 { &[true, false] } else { &[true] };
                    for &relax in relax_modes {
                        let report = plan(
                            &scenario,
                            PlanOptions { relax, limits },
                            common::backend(),
                            &NoClock,
                        )
                        .report();
                        planned += 1;
                        assert!(
                            matches!(
                                report.status.as_str(),
                                "optimal" | "feasible" | "infeasible"
                            ),
                            "{base_name}: {label} (relax {relax}): {} {:?}",
                            report.status,
                            report.message
                        );
                        if report.objective.is_some() {
                            let audit = fsdplan::analyses::audit::audit(&scenario, &report);
                            assert!(
                                audit.violations.is_empty(),
                                "{base_name}: {label}: {:#?}",
                                audit.violations
                            );
                        }
                    }
                }
            }
            assert!(
                started.elapsed() < CASE_LIMIT,
                "{base_name}: {label} took {:?}",
                started.elapsed()
            );
        }
    }
    eprintln!("{cases} mutated scenarios: {refused} refused, {planned} plans audited");
    assert!(cases >= 2000, "only {cases} cases");
}
