//! What `fsdplan check` prints: the derived quantities a planner
//! sanity-checks before solving, read from the same [`PlanInput`] the model
//! is built from.

use super::format::{number, period_ranges, TextTable};
use crate::model::export_control::Blocked;
use crate::model::PlanInput;
use crate::scenario::{Future, RuleAction, Scenario};
use crate::units::GBPS_PER_PB_PER_SECOND;

pub fn all(input: &PlanInput) -> Vec<TextTable> {
    vec![
        uploads(input),
        training(input),
        gpus(input),
        export_rules(input),
        buyable(input),
    ]
}

fn uploads(input: &PlanInput) -> TextTable {
    let scenario = input.scenario;
    let mut t = TextTable::new(
        format!(
            "Uploads per class (peak-to-average {})",
            scenario.fleet.upload_peak_to_average
        ),
        &[
            "period",
            "vehicles",
            "class",
            "uploaded PB",
            "average Gbps",
            "peak Gbps",
            "retained PB",
        ],
        3,
    );
    for (p, label) in input.labels.iter().enumerate() {
        for (c, class) in scenario.data_classes.iter().enumerate() {
            let pb = input.uploads_pb[p][c];
            let gbps = pb * GBPS_PER_PB_PER_SECOND / input.seconds;
            let retained: f64 = input
                .window(p, input.retention_periods[c])
                .map(|tau| input.uploads_pb[tau][c])
                .sum();
            t.push(vec![
                label.clone(),
                number(scenario.fleet.vehicles_by_period[p], 0),
                class.name.clone(),
                number(pb, 3),
                number(gbps, 2),
                number(gbps * scenario.fleet.upload_peak_to_average, 2),
                number(retained, 2),
            ]);
        }
    }
    t
}

fn training(input: &PlanInput) -> TextTable {
    let scenario = input.scenario;
    let mut t = TextTable::new(
        "Training demand (fleet data, plus base compute)",
        &["period", "class", "demand PFLOP", "sustained PFLOP/s"],
        2,
    );
    for (p, label) in input.labels.iter().enumerate() {
        for (c, class) in scenario.data_classes.iter().enumerate() {
            let demand = input.demand_pflop[p][c];
            t.push(vec![
                label.clone(),
                class.name.clone(),
                number(demand, 0),
                number(demand / input.seconds, 1),
            ]);
        }
        let base = scenario.training.base_pflop_per_period;
        if base > 0.0 {
            t.push(vec![
                label.clone(),
                "(base)".into(),
                number(base, 0),
                number(base / input.seconds, 1),
            ]);
        }
    }
    t
}

fn gpus(input: &PlanInput) -> TextTable {
    let scenario = input.scenario;
    let mut t = TextTable::new(
        "GPU options (per node; price at period 0, before licence fees)",
        &[
            "gpu",
            "PFLOP per period",
            "sustained PFLOP/s",
            "kW",
            "price",
            "lifetime periods",
            "annuity per period",
        ],
        1,
    );
    for (g, gpu) in scenario.gpus.iter().enumerate() {
        t.push(vec![
            gpu.name.clone(),
            number(input.node_pflop[g], 0),
            number(input.node_pflop[g] / input.seconds, 2),
            number(gpu.node_kw, 1),
            number(gpu.price_per_node, 0),
            input.gpu_life[g].to_string(),
            number(gpu.price_per_node * input.gpu_annuity[g], 0),
        ]);
    }
    t
}

fn buyable(input: &PlanInput) -> TextTable {
    let scenario = input.scenario;
    let mut t = TextTable::new(
        "Where each GPU may be bought, after export rules",
        &["gpu", "site", "buyable", "licence terms", "not buyable"],
        5,
    );
    for (g, gpu) in scenario.gpus.iter().enumerate() {
        for (s, site) in scenario.sites.iter().enumerate() {
            let open: Vec<usize> = (0..input.periods)
                .filter(|&p| input.buyable(p, s, g))
                .collect();
            // Licence terms each time they change (a later licence may
            // change the fee or the cap).
            let mut licence = Vec::new();
            let mut previous = (1.0, None);
            for p in 0..input.periods {
                let terms = input.terms(p, s, g);
                let current = (terms.price_factor, terms.licence_cap);
                if current != previous && current != (1.0, None) {
                    let cap = terms
                        .licence_cap
                        .map(|c| format!(", cap {} nodes", number(c, 0)))
                        .unwrap_or_default();
                    licence.push(format!(
                        "x{}{cap} from {}",
                        number(terms.price_factor, 2),
                        input.labels[p]
                    ));
                }
                previous = current;
            }
            let mut reasons = Vec::new();
            for reason in [Blocked::NotAvailable, Blocked::NotAllowed, Blocked::Banned] {
                let periods: Vec<usize> = (0..input.periods)
                    .filter(|&p| input.terms(p, s, g).blocked == Some(reason))
                    .collect();
                if !periods.is_empty() {
                    reasons.push(format!(
                        "{} {}",
                        reason.as_str(),
                        period_ranges(&input.labels, &periods)
                    ));
                }
            }
            t.push(vec![
                gpu.name.clone(),
                site.name.clone(),
                period_ranges(&input.labels, &open),
                licence.join("; "),
                reasons.join("; "),
            ]);
        }
    }
    t
}

/// The export rules in merged order, with the `--set` path of each (rules
/// have no names, so overrides address them by position).
fn export_rules(input: &PlanInput) -> TextTable {
    let scenario = input.scenario;
    let mut t = TextTable::new(
        "Export rules (override with --set export_rule.N.KEY=VALUE)",
        &["N", "gpu", "jurisdiction", "in force", "action"],
        5,
    );
    let month =
        |m: Option<crate::time::Month>| m.map_or_else(|| "..".to_string(), |m| m.to_string());
    for (i, rule) in scenario.export_rules.iter().enumerate() {
        let action = match rule.action {
            RuleAction::Ban => "ban".to_string(),
            RuleAction::Licence {
                price_factor,
                max_installed_nodes_per_site,
            } => {
                let cap = max_installed_nodes_per_site
                    .map(|c| format!(", cap {} nodes per site", number(c, 0)))
                    .unwrap_or_default();
                format!("licence x{}{cap}", number(price_factor, 2))
            }
        };
        t.push(vec![
            i.to_string(),
            scenario.gpus[rule.gpu].name.clone(),
            rule.jurisdiction.clone(),
            format!(
                "{} to {}",
                month(rule.months.from),
                month(rule.months.until)
            ),
            action,
        ]);
    }
    t
}

/// What `check` shows of a scenario with events (SPEC.md 7.1): the events
/// and their outcomes, the futures, and which events are known in each
/// period (purchases in a period are shared by the futures alike in it).
pub fn events(scenario: &Scenario, futures: &[Future]) -> Vec<TextTable> {
    let events = &scenario.events;
    let mut outcomes = TextTable::new(
        "Events (override with --set event.NAME.reveal=YYYY-MM or event.NAME.outcome.NAME.probability=P)",
        &["event", "revealed", "outcome", "probability", "changes"],
        3,
    )
    .with_trailing_text(1);
    for event in events {
        for (o, outcome) in event.outcomes.iter().enumerate() {
            let probability = if outcome.probability_is_rest {
                format!("{} (the rest)", number(outcome.probability, 4))
            } else {
                number(outcome.probability, 4)
            };
            outcomes.push(vec![
                if o == 0 {
                    event.name.clone()
                } else {
                    String::new()
                },
                if o == 0 {
                    event.reveal.to_string()
                } else {
                    String::new()
                },
                outcome.name.clone(),
                probability,
                if outcome.changes.is_empty() {
                    "none".to_string()
                } else {
                    outcome.changes.join("; ")
                },
            ]);
        }
    }

    let mut headers = vec!["future", "probability"];
    headers.extend(events.iter().map(|e| e.name.as_str()));
    let mut table = TextTable::new(
        format!("Futures ({}, each a scenario of its own)", futures.len()),
        &headers,
        1,
    )
    .with_trailing_text(events.len());
    for future in futures {
        let mut row = vec![future.name.clone(), number(future.probability, 4)];
        row.extend(
            events
                .iter()
                .zip(&future.outcomes)
                .map(|(e, &o)| e.outcomes[o].name.clone()),
        );
        table.push(row);
    }

    let calendar = &scenario.calendar;
    let mut known = TextTable::new(
        "What is known when (purchases are the same in every future alike in the period)",
        &["period", "events known", "purchase decisions"],
        2,
    );
    for t in 0..calendar.periods {
        let names: Vec<&str> = events
            .iter()
            .filter(|e| e.known_in(calendar, t))
            .map(|e| e.name.as_str())
            .collect();
        // One set of purchases per group of alike futures.
        let mut groups: Vec<&Future> = Vec::new();
        for future in futures {
            if !groups.iter().any(|g| g.alike(future, events, calendar, t)) {
                groups.push(future);
            }
        }
        known.push(vec![
            calendar.label(t),
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            },
            if groups.len() == 1 {
                "1 (shared by all futures)".to_string()
            } else {
                number(groups.len() as f64, 0)
            },
        ]);
    }
    vec![outcomes, table, known]
}
