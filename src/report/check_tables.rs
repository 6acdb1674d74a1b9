//! What `fsdplan check` prints: the rows of [`CheckReport`] as tables, the
//! same numbers its JSON holds.

use super::format::{number, TextTable};
use crate::analyses::check::CheckReport;

/// The events (if any) first, then the scenario's derived quantities.
pub fn all(report: &CheckReport) -> Vec<TextTable> {
    let mut tables = Vec::new();
    if !report.futures.is_empty() {
        tables.extend(events(report));
    }
    tables.extend([
        uploads(report),
        training(report),
        gpus(report),
        export_rules(report),
        buyable(report),
    ]);
    tables
}

fn uploads(report: &CheckReport) -> TextTable {
    let mut t = TextTable::new(
        format!(
            "Uploads per class (peak-to-average {})",
            report.upload_peak_to_average
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
    for row in &report.uploads {
        t.push(vec![
            row.period.clone(),
            number(row.vehicles, 0),
            row.class.clone(),
            number(row.uploaded_pb, 3),
            number(row.average_gbps, 2),
            number(row.peak_gbps, 2),
            number(row.retained_pb, 2),
        ]);
    }
    t
}

fn training(report: &CheckReport) -> TextTable {
    let mut t = TextTable::new(
        "Training demand (fleet data, plus base compute)",
        &["period", "class", "demand PFLOP", "sustained PFLOP/s"],
        2,
    );
    for row in &report.training {
        t.push(vec![
            row.period.clone(),
            row.class.clone(),
            number(row.demand_pflop, 0),
            number(row.sustained_pflops, 1),
        ]);
    }
    t
}

fn gpus(report: &CheckReport) -> TextTable {
    let mut t = TextTable::new(
        format!(
            "GPU options (per node; price in {} at period 0, before licence fees)",
            report.currency
        ),
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
    for row in &report.gpus {
        t.push(vec![
            row.gpu.clone(),
            number(row.node_pflop_per_period, 0),
            number(row.node_sustained_pflops, 2),
            number(row.node_kw, 1),
            number(row.price_per_node, 0),
            row.lifetime_periods.to_string(),
            number(row.annuity_per_period, 0),
        ]);
    }
    t
}

fn buyable(report: &CheckReport) -> TextTable {
    let mut t = TextTable::new(
        "Where each GPU may be bought, after export rules",
        &["gpu", "site", "buyable", "licence terms", "not buyable"],
        5,
    );
    for row in &report.buyable {
        t.push(vec![
            row.gpu.clone(),
            row.site.clone(),
            row.buyable.clone(),
            row.licence_terms.join("; "),
            row.not_buyable.join("; "),
        ]);
    }
    t
}

/// The export rules in merged order, with the `--set` path of each (rules
/// have no names, so overrides address them by position).
fn export_rules(report: &CheckReport) -> TextTable {
    let mut t = TextTable::new(
        "Export rules (override with --set export_rule.N.KEY=VALUE)",
        &["N", "gpu", "jurisdiction", "in force", "action"],
        5,
    );
    let month = |m: &Option<String>| m.clone().unwrap_or_else(|| "..".to_string());
    for rule in &report.export_rules {
        let action = if rule.action == "ban" {
            "ban".to_string()
        } else {
            let cap = rule
                .max_installed_nodes_per_site
                .map(|c| format!(", cap {} nodes per site", number(c, 0)))
                .unwrap_or_default();
            format!("licence x{}{cap}", number(rule.price_factor, 2))
        };
        t.push(vec![
            rule.index.to_string(),
            rule.gpu.clone(),
            rule.jurisdiction.clone(),
            format!("{} to {}", month(&rule.from), month(&rule.until)),
            action,
        ]);
    }
    t
}

/// What `check` shows of a scenario with events (SPEC.md 7.1): the events
/// and their outcomes, the futures, and which events are known in each
/// period (purchases in a period are shared by the futures alike in it).
fn events(report: &CheckReport) -> Vec<TextTable> {
    let mut outcomes = TextTable::new(
        "Events (override with --set event.NAME.reveal=YYYY-MM or event.NAME.outcome.NAME.probability=P)",
        &["event", "revealed", "outcome", "probability", "changes"],
        3,
    )
    .with_trailing_text(1);
    let mut previous: Option<&str> = None;
    for row in &report.events {
        let first = previous != Some(row.event.as_str());
        previous = Some(&row.event);
        let probability = if row.probability_is_rest {
            format!("{} (the rest)", number(row.probability, 4))
        } else {
            number(row.probability, 4)
        };
        outcomes.push(vec![
            if first {
                row.event.clone()
            } else {
                String::new()
            },
            if first {
                row.revealed.clone()
            } else {
                String::new()
            },
            row.outcome.clone(),
            probability,
            if row.changes.is_empty() {
                "none".to_string()
            } else {
                row.changes.join("; ")
            },
        ]);
    }

    let mut event_names: Vec<&str> = Vec::new();
    for row in &report.events {
        if !event_names.contains(&row.event.as_str()) {
            event_names.push(&row.event);
        }
    }
    let mut headers = vec!["future", "probability"];
    headers.extend(event_names.iter().copied());
    let mut table = TextTable::new(
        format!(
            "Futures ({}, each a scenario of its own)",
            report.futures.len()
        ),
        &headers,
        1,
    )
    .with_trailing_text(event_names.len());
    for future in &report.futures {
        let mut row = vec![future.future.clone(), number(future.probability, 4)];
        row.extend(future.outcomes.iter().cloned());
        table.push(row);
    }

    let mut known = TextTable::new(
        "What is known when (purchases are the same in every future alike in the period)",
        &["period", "events known", "purchase decisions"],
        2,
    );
    for row in &report.known {
        known.push(vec![
            row.period.clone(),
            if row.events_known.is_empty() {
                "none".to_string()
            } else {
                row.events_known.join(", ")
            },
            if row.purchase_decisions == 1 {
                "1 (shared by all futures)".to_string()
            } else {
                number(row.purchase_decisions as f64, 0)
            },
        ]);
    }
    vec![outcomes, table, known]
}

/// The file, that it is valid, the overrides applied and, with events,
/// what the later tables stand for.
pub fn summary(report: &CheckReport) -> TextTable {
    let mut t = TextTable::new(format!("fsdplan check: {}", report.scenario), &["", ""], 2);
    t.push(vec!["file".into(), report.file.clone()]);
    t.push(vec!["status".into(), "valid".into()]);
    t.push(vec![
        "overrides".into(),
        if report.overrides.is_empty() {
            "none".into()
        } else {
            report.overrides.join(", ")
        },
    ]);
    t.push(vec![
        "periods".into(),
        match (report.periods.first(), report.periods.last()) {
            (Some(first), Some(last)) => format!("{first} to {last} ({})", report.periods.len()),
            _ => "none".into(),
        },
    ]);
    if !report.futures.is_empty() {
        // An event's outcomes are consecutive rows.
        let mut names: Vec<&str> = report.events.iter().map(|e| e.event.as_str()).collect();
        names.dedup();
        let events = names.len();
        t.push(vec![
            "events".into(),
            format!(
                "{events} events, {} futures, each valid; the tables after the futures are for the scenario before any outcome",
                report.futures.len()
            ),
        ]);
    }
    t
}
