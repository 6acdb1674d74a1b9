//! Two plans side by side, in the manner of `infracost diff`: the cost per
//! category (NPV) and per year, the change in amount and percent, the NPV
//! change, then the decisions that changed.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analyses::PlanReport;
use crate::numbers::number;
use crate::plan::result::CostRow;

pub const SCHEMA: &str = "fsdplan.diff/1";

/// One side of a diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffSide {
    /// Where it came from (a file name).
    pub source: String,
    pub scenario: String,
    pub status: String,
    pub npv: Option<f64>,
}

/// One line of a cost table: A, B, B - A and (B - A) / A.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DiffLine {
    pub name: String,
    pub a: f64,
    pub b: f64,
    pub change: f64,
    /// `null` when A is zero.
    pub change_share: Option<f64>,
}

impl DiffLine {
    fn new(name: impl Into<String>, a: f64, b: f64) -> DiffLine {
        let change = b - a;
        DiffLine {
            name: name.into(),
            a,
            b,
            change,
            change_share: (a.abs() > 1e-9).then(|| change / a),
        }
    }

    /// Whether the line changed by more than rounding noise.
    pub fn changed(&self) -> bool {
        self.change.abs() > 1e-6 * self.a.abs().max(self.b.abs()).max(1.0)
    }
}

/// What a decision is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    #[default]
    Nodes,
    Storage,
    Ingest,
    Link,
}

/// One decision that differs between A and B.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DecisionChange {
    pub period: String,
    pub kind: DecisionKind,
    /// Site (nodes, storage, ingest) or link name.
    pub place: String,
    /// GPU or tier name; empty for bandwidth.
    pub item: String,
    pub a: f64,
    pub b: f64,
    pub change: f64,
    /// In words: "+120 H20 nodes at lingang in 2025Q3".
    pub text: String,
}

/// The comparison of two plans.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffReport {
    pub schema: &'static str,
    pub currency: String,
    pub a: DiffSide,
    pub b: DiffSide,
    /// NPV per cost category, then the NPV itself.
    pub categories: Vec<DiffLine>,
    /// Undiscounted cost per calendar year, then the total.
    pub years: Vec<DiffLine>,
    pub decisions: Vec<DecisionChange>,
}

/// Why two plans cannot be compared.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DiffError {
    #[error("the plans are in different currencies ({a} and {b}); convert one first")]
    Currency { a: String, b: String },
}

/// Net present value per category: each period's costs at its discount
/// factor (read from the rows as discounted total / total).
fn npv_by_category(report: &PlanReport) -> [f64; 7] {
    let mut npv = [0.0; 7];
    for row in &report.costs {
        if row.total.abs() < 1e-12 {
            continue;
        }
        let discount = row.discounted_total / row.total;
        for (sum, (_, cost)) in npv.iter_mut().zip(row.categories()) {
            *sum += cost * discount;
        }
    }
    npv
}

/// Undiscounted total per calendar year (the label's first four characters).
fn cost_by_year(report: &PlanReport) -> BTreeMap<String, f64> {
    report
        .costs_by_year()
        .into_iter()
        .map(|year| (year.period, year.total))
        .collect()
}

/// Compares plan `a` with plan `b`.
pub fn diff(
    (a_source, a): (&str, &PlanReport),
    (b_source, b): (&str, &PlanReport),
) -> Result<DiffReport, DiffError> {
    if a.currency != b.currency {
        return Err(DiffError::Currency {
            a: a.currency.clone(),
            b: b.currency.clone(),
        });
    }
    let side = |source: &str, r: &PlanReport| DiffSide {
        source: source.to_string(),
        scenario: r.scenario.clone(),
        status: r.status.clone(),
        npv: r.objective,
    };
    let (npv_a, npv_b) = (npv_by_category(a), npv_by_category(b));
    let names = CostRow::default().categories().map(|(name, _)| name);
    let mut categories: Vec<DiffLine> = names
        .iter()
        .enumerate()
        .map(|(i, name)| DiffLine::new(*name, npv_a[i], npv_b[i]))
        .collect();
    categories.push(DiffLine::new(
        "NPV",
        a.objective.unwrap_or(0.0),
        b.objective.unwrap_or(0.0),
    ));

    let (years_a, years_b) = (cost_by_year(a), cost_by_year(b));
    let mut all_years: Vec<&String> = years_a.keys().chain(years_b.keys()).collect();
    all_years.sort();
    all_years.dedup();
    let mut years: Vec<DiffLine> = all_years
        .iter()
        .map(|y| {
            DiffLine::new(
                y.as_str(),
                years_a.get(*y).copied().unwrap_or(0.0),
                years_b.get(*y).copied().unwrap_or(0.0),
            )
        })
        .collect();
    years.push(DiffLine::new(
        "total",
        years_a.values().sum(),
        years_b.values().sum(),
    ));

    Ok(DiffReport {
        schema: SCHEMA,
        currency: a.currency.clone(),
        a: side(a_source, a),
        b: side(b_source, b),
        categories,
        years,
        decisions: decisions(a, b),
    })
}

type DecisionKey = (usize, DecisionKind, String, String);

/// The decisions of a plan keyed by (period, kind, place, item), with the
/// period ordered by its position in either plan.
fn decision_values(
    report: &PlanReport,
    order: &dyn Fn(&str) -> usize,
) -> BTreeMap<DecisionKey, (String, f64)> {
    let mut values = BTreeMap::new();
    let mut put = |period: &str, kind, place: &str, item: &str, amount: f64| {
        if amount != 0.0 {
            let key = (order(period), kind, place.to_string(), item.to_string());
            values
                .entry(key)
                .or_insert_with(|| (period.to_string(), 0.0))
                .1 += amount;
        }
    };
    for r in &report.gpus {
        put(
            &r.period,
            DecisionKind::Nodes,
            &r.site,
            &r.gpu,
            r.bought_nodes,
        );
    }
    for r in &report.storage {
        put(
            &r.period,
            DecisionKind::Storage,
            &r.site,
            &r.tier,
            r.bought_pb,
        );
    }
    for r in &report.sites {
        put(&r.period, DecisionKind::Ingest, &r.site, "", r.ingest_gbps);
    }
    let mut links_seen = std::collections::BTreeSet::new();
    for r in &report.links {
        // The leased rate repeats on each class row of a link.
        if links_seen.insert((r.period.clone(), r.link.clone())) {
            put(&r.period, DecisionKind::Link, &r.link, "", r.gbps);
        }
    }
    values
}

/// A change of nodes in words: `+120 H20 nodes at lingang in 2025Q3`.
fn nodes_text(change: f64, gpu: &str, site: &str, when: &str) -> String {
    let sign = if change > 0.0 { "+" } else { "-" };
    let nodes = crate::numbers::count(change.abs(), "node", "nodes");
    let (n, noun) = nodes.split_once(' ').unwrap_or((&nodes, "nodes"));
    format!("{sign}{n} {gpu} {noun} at {site} {when}")
        .trim_end()
        .to_string()
}

/// The nodes bought over the whole horizon that differ between `a` and
/// `b`, per GPU and site, the largest change first (ties by GPU, then
/// site): `+350 H20 nodes at lingang`. The period of each is empty.
pub fn nodes_over_horizon(a: &PlanReport, b: &PlanReport) -> Vec<DecisionChange> {
    let totals = |r: &PlanReport| {
        let mut by_pair: BTreeMap<(String, String), f64> = BTreeMap::new();
        for row in &r.gpus {
            *by_pair
                .entry((row.gpu.clone(), row.site.clone()))
                .or_default() += row.bought_nodes;
        }
        by_pair
    };
    let (ta, tb) = (totals(a), totals(b));
    let mut keys: Vec<&(String, String)> = ta.keys().chain(tb.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out: Vec<DecisionChange> = keys
        .into_iter()
        .filter_map(|key| {
            let x = ta.get(key).copied().unwrap_or(0.0);
            let y = tb.get(key).copied().unwrap_or(0.0);
            let change = y - x;
            (change.abs() >= 0.5).then(|| DecisionChange {
                period: String::new(),
                kind: DecisionKind::Nodes,
                place: key.1.clone(),
                item: key.0.clone(),
                a: x,
                b: y,
                change,
                text: nodes_text(change, &key.0, &key.1, ""),
            })
        })
        .collect();
    // By size as shown (to the hundredth of a node), so that solver noise
    // does not reorder equal changes; then by GPU and site.
    let shown = |c: &DecisionChange| (c.change.abs() * 100.0).round();
    out.sort_by(|p, q| shown(q).total_cmp(&shown(p)));
    out
}

fn decisions(a: &PlanReport, b: &PlanReport) -> Vec<DecisionChange> {
    // Periods in the order of A, then any of B's that A lacks.
    let mut periods: Vec<&str> = a.periods.iter().map(String::as_str).collect();
    for p in &b.periods {
        if !periods.contains(&p.as_str()) {
            periods.push(p);
        }
    }
    let order = |p: &str| periods.iter().position(|q| *q == p).unwrap_or(usize::MAX);
    let (va, vb) = (decision_values(a, &order), decision_values(b, &order));
    let mut keys: Vec<&DecisionKey> = va.keys().chain(vb.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        let (period, x) = va.get(key).cloned().unwrap_or_default();
        let (period_b, y) = vb.get(key).cloned().unwrap_or_default();
        let period = if period.is_empty() { period_b } else { period };
        let change = y - x;
        let (kind, place, item) = (key.1, &key.2, &key.3);
        // Half the last digit shown: smaller changes would print as 0.
        let noise = match kind {
            DecisionKind::Nodes => 0.5,
            DecisionKind::Storage => 0.005,
            DecisionKind::Ingest | DecisionKind::Link => 0.05,
        };
        if change.abs() < noise {
            continue;
        }
        let sign = if change > 0.0 { "+" } else { "-" };
        let text = match kind {
            DecisionKind::Nodes => nodes_text(change, item, place, &format!("in {period}")),
            DecisionKind::Storage => format!(
                "{sign}{} PB {item} at {place} in {period}",
                number(change.abs(), 2)
            ),
            DecisionKind::Ingest => format!(
                "{sign}{} Gbps ingest at {place} in {period}",
                number(change.abs(), 1)
            ),
            DecisionKind::Link => format!(
                "{sign}{} Gbps on link {place} in {period}",
                number(change.abs(), 1)
            ),
        };
        out.push(DecisionChange {
            period,
            kind,
            place: place.clone(),
            item: item.clone(),
            a: x,
            b: y,
            change,
            text,
        });
    }
    out
}
