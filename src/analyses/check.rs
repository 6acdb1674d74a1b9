//! What `fsdplan check` reports: the derived quantities a planner
//! sanity-checks before solving, read from the same [`PlanInput`] the model
//! is built from. The tables (`report::check_tables`) and the JSON
//! (`check --format json`, schema `fsdplan.check/1`) are both these rows.

use serde::Serialize;

use crate::model::export_control::Blocked;
use crate::model::PlanInput;
use crate::numbers::period_ranges;
use crate::scenario::{Future, RuleAction, Scenario};
use crate::units::GBPS_PER_PB_PER_SECOND;

pub const SCHEMA: &str = "fsdplan.check/1";

/// A valid scenario's derived quantities.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CheckReport {
    pub schema: &'static str,
    pub scenario: String,
    /// The file checked, as named on the command line.
    pub file: String,
    /// Always true: an invalid scenario is an error, not a report.
    pub valid: bool,
    pub overrides: Vec<String>,
    pub currency: String,
    pub periods: Vec<String>,
    pub seconds_per_period: f64,
    pub upload_peak_to_average: f64,
    pub uploads: Vec<UploadRow>,
    pub training: Vec<TrainingRow>,
    pub gpus: Vec<GpuOptionRow>,
    pub export_rules: Vec<ExportRuleRow>,
    pub buyable: Vec<BuyableRow>,
    /// With events (SPEC.md 7.1): the events, the futures and what is
    /// known when. Empty without events; the other rows are then those of
    /// the scenario before any outcome.
    pub events: Vec<EventRow>,
    pub futures: Vec<FutureInfo>,
    pub known: Vec<KnownRow>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UploadRow {
    pub period: String,
    pub vehicles: f64,
    pub class: String,
    pub uploaded_pb: f64,
    pub average_gbps: f64,
    pub peak_gbps: f64,
    pub retained_pb: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrainingRow {
    pub period: String,
    /// A data class, or `(base)` for compute not tied to fleet data.
    pub class: String,
    pub demand_pflop: f64,
    pub sustained_pflops: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GpuOptionRow {
    pub gpu: String,
    pub node_pflop_per_period: f64,
    pub node_sustained_pflops: f64,
    pub node_kw: f64,
    /// At period 0, before licence fees, in the scenario's currency.
    pub price_per_node: f64,
    pub lifetime_periods: usize,
    pub annuity_per_period: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExportRuleRow {
    /// The rule's position, as `--set export_rule.N.KEY=VALUE` names it.
    pub index: usize,
    pub gpu: String,
    pub jurisdiction: String,
    /// First month in force (`YYYY-MM`), or null: from the start.
    pub from: Option<String>,
    /// Last month in force, or null: to the end.
    pub until: Option<String>,
    pub action: String,
    /// A licence's price factor (1 for a ban).
    pub price_factor: f64,
    pub max_installed_nodes_per_site: Option<f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BuyableRow {
    pub gpu: String,
    pub site: String,
    /// Periods in runs, e.g. `2025Q1-2025Q3, 2026Q1`, or `never`.
    pub buyable: String,
    /// Licence terms each time they change, e.g. `x1.15 from 2026Q1`.
    pub licence_terms: Vec<String>,
    /// Why not, with the periods, e.g. `banned 2025Q2-2025Q4`.
    pub not_buyable: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EventRow {
    pub event: String,
    pub revealed: String,
    pub outcome: String,
    pub probability: f64,
    /// True when the probability is the rest of the event's.
    pub probability_is_rest: bool,
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FutureInfo {
    pub future: String,
    pub probability: f64,
    /// The outcome of each event, in the order of `events`.
    pub outcomes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KnownRow {
    pub period: String,
    pub events_known: Vec<String>,
    /// Sets of purchases made in the period: one per group of futures
    /// alike in it.
    pub purchase_decisions: usize,
}

/// The report of a valid scenario (`futures` empty without events).
pub fn check(
    input: &PlanInput,
    futures: &[Future],
    file: &str,
    overrides: &[String],
) -> CheckReport {
    let scenario = input.scenario;
    let (events, known) = if futures.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        (event_rows(scenario), known_rows(scenario, futures))
    };
    CheckReport {
        schema: SCHEMA,
        scenario: scenario.name.clone(),
        file: file.to_string(),
        valid: true,
        overrides: overrides.to_vec(),
        currency: scenario.currency.clone(),
        periods: input.labels.clone(),
        seconds_per_period: input.seconds,
        upload_peak_to_average: scenario.fleet.upload_peak_to_average,
        uploads: uploads(input),
        training: training(input),
        gpus: gpus(input),
        export_rules: export_rules(scenario),
        buyable: buyable(input),
        events,
        futures: futures
            .iter()
            .map(|future| FutureInfo {
                future: future.name.clone(),
                probability: future.probability,
                outcomes: scenario
                    .events
                    .iter()
                    .zip(&future.outcomes)
                    .map(|(e, &o)| e.outcomes[o].name.clone())
                    .collect(),
            })
            .collect(),
        known,
    }
}

fn uploads(input: &PlanInput) -> Vec<UploadRow> {
    let scenario = input.scenario;
    let mut rows = Vec::new();
    for (p, label) in input.labels.iter().enumerate() {
        for (c, class) in scenario.data_classes.iter().enumerate() {
            let pb = input.uploads_pb[p][c];
            let gbps = pb * GBPS_PER_PB_PER_SECOND / input.seconds;
            rows.push(UploadRow {
                period: label.clone(),
                vehicles: scenario.fleet.vehicles_by_period[p],
                class: class.name.clone(),
                uploaded_pb: pb,
                average_gbps: gbps,
                peak_gbps: gbps * scenario.fleet.upload_peak_to_average,
                retained_pb: input
                    .window(p, input.retention_periods[c])
                    .map(|tau| input.uploads_pb[tau][c])
                    .sum(),
            });
        }
    }
    rows
}

fn training(input: &PlanInput) -> Vec<TrainingRow> {
    let scenario = input.scenario;
    let mut rows = Vec::new();
    let row = |period: &str, class: &str, demand: f64| TrainingRow {
        period: period.to_string(),
        class: class.to_string(),
        demand_pflop: demand,
        sustained_pflops: demand / input.seconds,
    };
    for (p, label) in input.labels.iter().enumerate() {
        for (c, class) in scenario.data_classes.iter().enumerate() {
            rows.push(row(label, &class.name, input.demand_pflop[p][c]));
        }
        let base = scenario.training.base_pflop_per_period;
        if base > 0.0 {
            rows.push(row(label, "(base)", base));
        }
    }
    rows
}

fn gpus(input: &PlanInput) -> Vec<GpuOptionRow> {
    let scenario = input.scenario;
    scenario
        .gpus
        .iter()
        .enumerate()
        .map(|(g, gpu)| GpuOptionRow {
            gpu: gpu.name.clone(),
            node_pflop_per_period: input.node_pflop[g],
            node_sustained_pflops: input.node_pflop[g] / input.seconds,
            node_kw: gpu.node_kw,
            price_per_node: gpu.price_per_node,
            lifetime_periods: input.gpu_life[g],
            annuity_per_period: gpu.price_per_node * input.gpu_annuity[g],
        })
        .collect()
}

fn export_rules(scenario: &Scenario) -> Vec<ExportRuleRow> {
    scenario
        .export_rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            let (action, price_factor, cap) = match rule.action {
                RuleAction::Ban => ("ban", 1.0, None),
                RuleAction::Licence {
                    price_factor,
                    max_installed_nodes_per_site,
                } => ("licence", price_factor, max_installed_nodes_per_site),
            };
            ExportRuleRow {
                index,
                gpu: scenario.gpus[rule.gpu].name.clone(),
                jurisdiction: rule.jurisdiction.clone(),
                from: rule.months.from.map(|m| m.to_string()),
                until: rule.months.until.map(|m| m.to_string()),
                action: action.to_string(),
                price_factor,
                max_installed_nodes_per_site: cap,
            }
        })
        .collect()
}

fn buyable(input: &PlanInput) -> Vec<BuyableRow> {
    let scenario = input.scenario;
    let mut rows = Vec::new();
    for (g, gpu) in scenario.gpus.iter().enumerate() {
        for (s, site) in scenario.sites.iter().enumerate() {
            let open: Vec<usize> = (0..input.periods)
                .filter(|&p| input.buyable(p, s, g))
                .collect();
            // Licence terms each time they change (a later licence may
            // change the fee or the cap).
            let mut licence_terms = Vec::new();
            let mut previous = (1.0, None);
            for p in 0..input.periods {
                let terms = input.terms(p, s, g);
                let current = (terms.price_factor, terms.licence_cap);
                if current != previous && current != (1.0, None) {
                    let cap = terms
                        .licence_cap
                        .map(|c| format!(", cap {} nodes", crate::numbers::number(c, 0)))
                        .unwrap_or_default();
                    licence_terms.push(format!(
                        "x{}{cap} from {}",
                        crate::numbers::number(terms.price_factor, 2),
                        input.labels[p]
                    ));
                }
                previous = current;
            }
            let mut not_buyable = Vec::new();
            for reason in [Blocked::NotAvailable, Blocked::NotAllowed, Blocked::Banned] {
                let periods: Vec<usize> = (0..input.periods)
                    .filter(|&p| input.terms(p, s, g).blocked == Some(reason))
                    .collect();
                if !periods.is_empty() {
                    not_buyable.push(format!(
                        "{} {}",
                        reason.as_str(),
                        period_ranges(&input.labels, &periods)
                    ));
                }
            }
            rows.push(BuyableRow {
                gpu: gpu.name.clone(),
                site: site.name.clone(),
                buyable: period_ranges(&input.labels, &open),
                licence_terms,
                not_buyable,
            });
        }
    }
    rows
}

fn event_rows(scenario: &Scenario) -> Vec<EventRow> {
    let mut rows = Vec::new();
    for event in &scenario.events {
        for outcome in &event.outcomes {
            rows.push(EventRow {
                event: event.name.clone(),
                revealed: event.reveal.to_string(),
                outcome: outcome.name.clone(),
                probability: outcome.probability,
                probability_is_rest: outcome.probability_is_rest,
                changes: outcome.changes.clone(),
            });
        }
    }
    rows
}

fn known_rows(scenario: &Scenario, futures: &[Future]) -> Vec<KnownRow> {
    let events = &scenario.events;
    let calendar = &scenario.calendar;
    (0..calendar.periods)
        .map(|t| {
            // One set of purchases per group of alike futures.
            let mut groups: Vec<&Future> = Vec::new();
            for future in futures {
                if !groups.iter().any(|g| g.alike(future, events, calendar, t)) {
                    groups.push(future);
                }
            }
            KnownRow {
                period: calendar.label(t),
                events_known: events
                    .iter()
                    .filter(|e| e.known_in(calendar, t))
                    .map(|e| e.name.clone())
                    .collect(),
                purchase_decisions: groups.len(),
            }
        })
        .collect()
}
