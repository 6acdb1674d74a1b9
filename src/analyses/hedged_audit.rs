//! The audit of a hedged plan (SPEC.md section 7): every future's plan
//! against its own scenario, as [`super::audit`] checks one plan; that no
//! purchase anticipates an event not yet revealed; and the expected NPV,
//! CVaR and objective recomputed from the futures' NPVs.

use std::collections::BTreeMap;

use super::audit::{audit, AuditReport, Violation, SCHEMA};
use crate::numbers::number;
use crate::plan::hedged::{cvar, rows_of, HedgedResult};
use crate::scenario::{Future, Scenario};

/// Relative tolerance, as in the single-plan audit.
const TOLERANCE: f64 = 1e-6;

fn differs(a: f64, b: f64) -> bool {
    (a - b).abs() > TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

/// Checks a hedged result against the scenario's futures.
pub fn audit_hedged(base: &Scenario, futures: &[Future], result: &HedgedResult) -> AuditReport {
    let mut report = AuditReport {
        schema: SCHEMA,
        scenario: base.name.clone(),
        checks: 0,
        violations: Vec::new(),
    };
    let push =
        |report: &mut AuditReport, rule: &'static str, period: &str, place: &str, text: String| {
            report.violations.push(Violation {
                rule,
                period: period.to_string(),
                place: place.to_string(),
                amount: 0.0,
                allowed: 0.0,
                text,
            });
        };
    if result.objective.is_none() {
        return report;
    }
    let names: Vec<&str> = result.futures.iter().map(|f| f.future.as_str()).collect();
    let expected: Vec<&str> = futures.iter().map(|f| f.name.as_str()).collect();
    report.checks += 1;
    if names != expected {
        push(
            &mut report,
            "futures",
            "",
            "",
            format!(
                "the plan's futures ({}) are not the scenario's ({})",
                names.join(", "),
                expected.join(", ")
            ),
        );
        return report;
    }
    // Each future on its own.
    let plans = result.future_plans();
    for (future, plan) in futures.iter().zip(&plans) {
        let single = audit(&future.scenario, plan);
        report.checks += single.checks;
        for mut v in single.violations {
            v.text = format!("future {}: {}", future.name, v.text);
            v.place = format!("{} ({})", v.place, future.name);
            report.violations.push(v);
        }
    }
    // No purchase anticipates: alike futures buy the same in every period.
    let calendar = &base.calendar;
    let bought = |f: usize, t: usize| {
        let label = &result.periods[t];
        let mut map: BTreeMap<String, f64> = BTreeMap::new();
        for row in rows_of(&result.gpus, &futures[f].name) {
            if &row.period == label && row.bought_nodes != 0.0 {
                map.insert(
                    format!("{} {} at {}", row.gpu, "nodes", row.site),
                    row.bought_nodes,
                );
            }
        }
        for row in rows_of(&result.storage, &futures[f].name) {
            if &row.period == label && row.bought_pb != 0.0 {
                map.insert(format!("{} PB at {}", row.tier, row.site), row.bought_pb);
            }
        }
        map
    };
    for t in 0..calendar.periods.min(result.periods.len()) {
        for f in 0..futures.len() {
            let Some(h) =
                (0..f).find(|&h| futures[h].alike(&futures[f], &base.events, calendar, t))
            else {
                continue;
            };
            let (mine, theirs) = (bought(f, t), bought(h, t));
            let keys: std::collections::BTreeSet<&String> =
                mine.keys().chain(theirs.keys()).collect();
            for key in keys {
                report.checks += 1;
                let a = mine.get(key).copied().unwrap_or(0.0);
                let b = theirs.get(key).copied().unwrap_or(0.0);
                if differs(a, b) {
                    push(
                        &mut report,
                        "anticipation",
                        &result.periods[t],
                        key,
                        format!(
                            "futures {} and {} are alike in {} (no event tells them apart yet) but buy {} and {} of {key}",
                            futures[h].name,
                            futures[f].name,
                            result.periods[t],
                            number(b, 3),
                            number(a, 3)
                        ),
                    );
                }
            }
        }
    }
    // The expected NPV, CVaR and objective from the futures' NPVs.
    let npvs: Vec<(f64, f64)> = result
        .futures
        .iter()
        .map(|f| (f.npv.unwrap_or(f64::NAN), f.probability))
        .collect();
    for (row, future) in result.futures.iter().zip(futures) {
        report.checks += 1;
        if differs(row.probability, future.probability) {
            push(
                &mut report,
                "probability",
                "",
                &future.name,
                format!(
                    "future {} has probability {} in the plan, {} in the scenario",
                    future.name, row.probability, future.probability
                ),
            );
        }
    }
    let expected_npv: f64 = npvs.iter().map(|(n, p)| n * p).sum();
    let tail = cvar(&npvs, result.cvar_alpha);
    let objective = (1.0 - result.cvar_weight) * expected_npv + result.cvar_weight * tail;
    for (rule, reported, recomputed) in [
        ("expected_npv", result.expected_npv, expected_npv),
        ("cvar", result.cvar, tail),
        ("objective", result.objective, objective),
    ] {
        report.checks += 1;
        let reported = reported.unwrap_or(f64::NAN);
        if !reported.is_finite() || differs(reported, recomputed) {
            push(
                &mut report,
                rule,
                "",
                "",
                format!(
                    "{rule} is {} but the futures' NPVs give {}",
                    number(reported, 0),
                    number(recomputed, 0)
                ),
            );
        }
    }
    report
}

/// The gate of a hedged plan, as [`super::audit::certify`] is of one: a
/// plan that breaks a rule in any future, anticipates, or misstates its
/// expectation is never shown.
pub fn certify_hedged(
    base: &Scenario,
    futures: &[Future],
    mut result: HedgedResult,
) -> HedgedResult {
    if result.objective.is_none() {
        return result;
    }
    let report = audit_hedged(base, futures, &result);
    if report.violations.is_empty() {
        return result;
    }
    let shown: Vec<&str> = report
        .violations
        .iter()
        .take(3)
        .map(|v| v.text.as_str())
        .collect();
    let found_as = std::mem::replace(&mut result.status, "error".into());
    result.message = Some(format!(
        "the {found_as} hedged plan failed the independent audit ({} of {} checks broken), so it is not shown: {}. \
         This is a fault in fsdplan or its solver backend, not in the scenario; try --solver, or report it",
        report.violations.len(),
        report.checks,
        shown.join("; ")
    ));
    result.audit_violations = report.violations.iter().map(|v| v.text.clone()).collect();
    result.withdraw();
    result
}
