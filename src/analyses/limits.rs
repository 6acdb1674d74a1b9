//! What limits a plan, in the planner's words: the scenario's limits that a
//! plan's rows meet (binding) or exceed (when a limit was lifted to find out
//! why a plan is impossible).
//!
//! This reads result rows, not the optimisation model, so it applies equally
//! to a plan of the scenario itself and to a plan of a scenario with some
//! limits removed: the amounts are checked against the original limits.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::export_control::Blocked;
use crate::model::PlanInput;
use crate::numbers::{millions, number, period_ranges};
use crate::plan::result::PlanResult;
use crate::units::KW_PER_MW;

/// The kinds of limit, in the order a planner would name them when several
/// first bind in the same period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    NotAllowed,
    NotAvailable,
    Ban,
    LicenceCap,
    SupplyCap,
    PowerCap,
    Budget,
    IngestCap,
    LinkCap,
    ExportQuota,
    Shortfall,
}

/// One limit met or exceeded by a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Limit {
    pub kind: LimitKind,
    /// First period in which it binds (`None`: the whole horizon).
    #[serde(skip)]
    pub first_period: Option<usize>,
    /// The limit in words, e.g. "power cap lingang 2026Q1 (40 MW)".
    pub text: String,
    /// How far the plan goes past the limit (0 when it only binds), in the
    /// limit's unit.
    #[serde(skip)]
    pub excess: f64,
}

/// Export-control blocks on buying `gpus` at the scenario's sites, in words,
/// one per reason (and jurisdiction, for bans and `allowed_in`), with the
/// periods grouped into runs: "H20 banned in CN 2025Q2-2025Q3", "H100 not
/// allowed in CN".
pub fn purchase_blocks(input: &PlanInput, gpus: &[usize]) -> Vec<Limit> {
    let mut blocked = BTreeMap::new();
    for &g in gpus {
        for s in 0..input.scenario.sites.len() {
            for t in 0..input.periods {
                if let Some(reason) = input.terms(t, s, g).blocked {
                    blocked.insert((g, s, t), (reason, 0.0));
                }
            }
        }
    }
    blocks_text(input, blocked)
}

/// The export-control blocks a plan goes past: purchases in `report` where
/// the scenario of `input` forbids them, with the nodes bought there as the
/// excess. Used on plans of a scenario with export control lifted.
pub fn blocks_used(input: &PlanInput, report: &PlanResult) -> Vec<Limit> {
    let scenario = input.scenario;
    let mut blocked = BTreeMap::new();
    for row in report.gpus.iter().filter(|r| r.bought_nodes > 0.0) {
        let (Some(t), Some(s), Some(g)) = (
            input.labels.iter().position(|l| *l == row.period),
            scenario.sites.iter().position(|s| s.name == row.site),
            scenario.gpus.iter().position(|g| g.name == row.gpu),
        ) else {
            continue;
        };
        if let Some(reason) = input.terms(t, s, g).blocked {
            blocked.insert((g, s, t), (reason, row.bought_nodes));
        }
    }
    blocks_text(input, blocked)
}

/// Groups blocked (gpu, site, period) purchases into limits in words.
fn blocks_text(
    input: &PlanInput,
    blocked: BTreeMap<(usize, usize, usize), (Blocked, f64)>,
) -> Vec<Limit> {
    let scenario = input.scenario;
    // (gpu, kind, jurisdiction) -> periods and nodes.
    let mut groups: BTreeMap<(usize, LimitKind, String), (Vec<usize>, f64)> = BTreeMap::new();
    for ((g, s, t), (reason, nodes)) in blocked {
        let (kind, jurisdiction) = match reason {
            Blocked::NotAllowed => (
                LimitKind::NotAllowed,
                scenario.sites[s].jurisdiction.clone(),
            ),
            Blocked::NotAvailable => (LimitKind::NotAvailable, String::new()),
            Blocked::Banned => (LimitKind::Ban, scenario.sites[s].jurisdiction.clone()),
        };
        let group = groups.entry((g, kind, jurisdiction)).or_default();
        if !group.0.contains(&t) {
            group.0.push(t);
        }
        group.1 += nodes;
    }
    let mut limits: Vec<Limit> = groups
        .into_iter()
        .map(|((g, kind, jurisdiction), (mut periods, nodes))| {
            periods.sort_unstable();
            let name = &scenario.gpus[g].name;
            let text = match kind {
                LimitKind::NotAllowed => format!("{name} not allowed in {jurisdiction}"),
                LimitKind::NotAvailable => {
                    format!(
                        "{name} not available {}",
                        period_ranges(&input.labels, &periods)
                    )
                }
                _ => format!(
                    "{name} banned in {jurisdiction} {}",
                    period_ranges(&input.labels, &periods)
                ),
            };
            Limit {
                kind,
                first_period: (kind != LimitKind::NotAllowed).then(|| periods[0]),
                text,
                excess: nodes,
            }
        })
        .collect();
    sort(&mut limits);
    limits
}

/// The capacity limits of the scenario that `report` meets or exceeds,
/// earliest first. A limit binds when less than one more unit of the
/// smallest decision fits under it (one node of power, one node's price of
/// budget, half a node under a cap on node counts); continuous limits bind
/// within a relative 1e-6.
pub fn capacity_limits(input: &PlanInput, report: &PlanResult) -> Vec<Limit> {
    let scenario = input.scenario;
    let period_of: BTreeMap<&str, usize> = input
        .labels
        .iter()
        .enumerate()
        .map(|(t, l)| (l.as_str(), t))
        .collect();
    let site_of = |name: &str| scenario.sites.iter().position(|s| s.name == name);
    let gpu_of = |name: &str| scenario.gpus.iter().position(|g| g.name == name);
    let tight = |amount: f64, cap: f64| amount >= cap * (1.0 - 1e-6) - 1e-9;
    let mut found: BTreeMap<(LimitKind, String), Limit> = BTreeMap::new();
    let mut note = |kind: LimitKind, key: String, t: usize, text: String, excess: f64| {
        let entry = found.entry((kind, key)).or_insert(Limit {
            kind,
            first_period: Some(t),
            text,
            excess,
        });
        entry.excess = entry.excess.max(excess);
    };

    // Licence and supply caps on node counts.
    let mut bought_per_period: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let mut spent: Vec<f64> = vec![0.0; input.periods];
    for row in &report.gpus {
        let (Some(&t), Some(s), Some(g)) = (
            period_of.get(row.period.as_str()),
            site_of(&row.site),
            gpu_of(&row.gpu),
        ) else {
            continue;
        };
        *bought_per_period.entry((t, g)).or_default() += row.bought_nodes;
        spent[t] += row.bought_nodes * input.price_paid(t, s, g);
        if let Some(cap) = input.terms(t, s, g).licence_cap {
            let cap = cap.max(scenario.sites[s].existing_nodes[g]);
            if row.installed_nodes >= cap - 0.5 && row.bought_nodes + cap > 0.0 {
                note(
                    LimitKind::LicenceCap,
                    format!("{}/{}", row.gpu, row.site),
                    t,
                    format!(
                        "licence cap {} at {} {} ({} nodes)",
                        row.gpu,
                        row.site,
                        row.period,
                        number(cap, 0)
                    ),
                    (row.installed_nodes - cap).max(0.0),
                );
            }
        }
    }
    for (&(t, g), &bought) in &bought_per_period {
        let gpu = &scenario.gpus[g];
        if let Some(cap) = gpu.max_nodes_per_period {
            if bought >= cap - 0.5 && cap + bought > 0.0 {
                note(
                    LimitKind::SupplyCap,
                    gpu.name.clone(),
                    t,
                    format!(
                        "supply cap {} {} ({} nodes/period)",
                        gpu.name,
                        input.labels[t],
                        number(cap, 0)
                    ),
                    (bought - cap).max(0.0),
                );
            }
        }
    }

    // Budget: nodes at the price paid plus storage.
    if let Some(budget) = scenario.budget {
        for row in &report.storage {
            let (Some(&t), Some(k)) = (
                period_of.get(row.period.as_str()),
                scenario
                    .storage_tiers
                    .iter()
                    .position(|k| k.name == row.tier),
            ) else {
                continue;
            };
            spent[t] += row.bought_pb * input.tier_price[t][k];
        }
        for (t, &cash) in spent.iter().enumerate() {
            let cheapest = (0..scenario.gpus.len())
                .map(|g| input.gpu_price[t][g])
                .fold(f64::INFINITY, f64::min);
            let slack = if cheapest.is_finite() { cheapest } else { 0.0 };
            if cash > 0.0 && cash >= budget.capex_per_period - slack {
                note(
                    LimitKind::Budget,
                    String::new(),
                    t,
                    format!(
                        "budget {} ({} {} M/period)",
                        input.labels[t],
                        scenario.currency,
                        millions(budget.capex_per_period)
                    ),
                    (cash - budget.capex_per_period).max(0.0),
                );
            }
        }
    }

    // Power, ingest.
    let smallest_node_mw = scenario
        .gpus
        .iter()
        .map(|g| g.node_kw / KW_PER_MW)
        .fold(f64::INFINITY, f64::min);
    for row in &report.sites {
        let (Some(&t), Some(s)) = (period_of.get(row.period.as_str()), site_of(&row.site)) else {
            continue;
        };
        let site = &scenario.sites[s];
        if let Some(cap) = site.power_cap_mw {
            let slack = if smallest_node_mw.is_finite() {
                smallest_node_mw * site.pue
            } else {
                0.0
            };
            if row.power_mw > 0.0 && row.power_mw >= cap - slack {
                note(
                    LimitKind::PowerCap,
                    row.site.clone(),
                    t,
                    format!(
                        "power cap {} {} ({} MW)",
                        row.site,
                        row.period,
                        number(cap, 1)
                    ),
                    (row.power_mw - cap).max(0.0),
                );
            }
        }
        if let Some(cap) = site.ingest_max_gbps {
            if row.ingest_gbps > 0.0 && tight(row.ingest_gbps, cap) {
                note(
                    LimitKind::IngestCap,
                    row.site.clone(),
                    t,
                    format!(
                        "ingest cap {} {} ({} Gbps)",
                        row.site,
                        row.period,
                        number(cap, 0)
                    ),
                    (row.ingest_gbps - cap).max(0.0),
                );
            }
        }
    }

    // Links: the leased rate is the same on every class row of a link.
    for row in &report.links {
        let (Some(&t), Some(link)) = (
            period_of.get(row.period.as_str()),
            scenario.links.iter().find(|l| l.name == row.link),
        ) else {
            continue;
        };
        if let Some(cap) = link.max_gbps {
            if row.gbps > 0.0 && tight(row.gbps, cap) {
                note(
                    LimitKind::LinkCap,
                    row.link.clone(),
                    t,
                    format!(
                        "link cap {} {} ({} Gbps)",
                        row.link,
                        row.period,
                        number(cap, 0)
                    ),
                    (row.gbps - cap).max(0.0),
                );
            }
        }
    }

    // Export quotas: PB of a class leaving home sites per period.
    let mut exported: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for row in &report.links {
        let (Some(&t), Some(l), Some(c)) = (
            period_of.get(row.period.as_str()),
            scenario.links.iter().position(|l| l.name == row.link),
            scenario
                .data_classes
                .iter()
                .position(|c| c.name == row.class),
        ) else {
            continue;
        };
        if input.link_leaves_home(l) {
            *exported.entry((t, c)).or_default() += row.copied_pb;
        }
    }
    for (&(t, c), &pb) in &exported {
        let class = &scenario.data_classes[c];
        if let Some(quota) = class.export_max_pb_per_period {
            if pb > 0.0 && tight(pb, quota) {
                note(
                    LimitKind::ExportQuota,
                    class.name.clone(),
                    t,
                    format!(
                        "export quota {} {} ({} PB/period)",
                        class.name,
                        input.labels[t],
                        number(quota, 1)
                    ),
                    (pb - quota).max(0.0),
                );
            }
        }
    }

    // Training demand not met.
    for row in &report.shortfall {
        let Some(&t) = period_of.get(row.period.as_str()) else {
            continue;
        };
        note(
            LimitKind::Shortfall,
            row.class.clone(),
            t,
            format!(
                "{} training short by {} PFLOP in {}",
                row.class,
                number(row.pflop, 0),
                row.period
            ),
            0.0,
        );
    }

    let mut limits: Vec<Limit> = found.into_values().collect();
    sort(&mut limits);
    limits
}

/// Earliest first; the whole-horizon limits before any period; then by kind.
pub fn sort(limits: &mut [Limit]) {
    limits
        .sort_by(|a, b| (a.first_period, a.kind, &a.text).cmp(&(b.first_period, b.kind, &b.text)));
}
