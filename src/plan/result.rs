//! The result of a plan run as tidy rows (SPEC.md section 5), in the
//! scenario's units: PB, Gbps, MW, PFLOP, currency. The audit checks these
//! rows; the report that renderers read is these rows with the analyses
//! attached ([`crate::analyses::PlanReport`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::PlanRun;
use crate::model::{CostCategory, LinExpr, ModelExpressions, ModelIndex, ModelSize};
use crate::solve::{relative_gap, SearchOutcome, SearchStatus, StopReason};

pub const SCHEMA: &str = "fsdplan.plan/1";

/// A plan's result.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanResult {
    pub schema: String,
    pub scenario: String,
    /// Extension: the `--set` overrides applied to the scenario file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    pub status: String,
    /// Why the plan has no solution or stopped early, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<f64>,
    /// Extension: the limit that stopped the search early ("time_limit",
    /// "node_limit" or "interrupt"), or null: only a plan stopped by time
    /// or an interrupt can differ between runs.
    #[serde(default)]
    pub stopped_by: Option<String>,
    pub currency: String,
    pub periods: Vec<String>,
    pub costs: Vec<CostRow>,
    pub gpus: Vec<GpuRow>,
    pub storage: Vec<StorageRow>,
    pub sites: Vec<SiteRow>,
    pub data: Vec<DataRow>,
    pub links: Vec<LinkRow>,
    pub shortfall: Vec<ShortfallRow>,
    /// Extensions: how the plan was found.
    pub relaxed: bool,
    pub mip_gap_target: f64,
    pub solver: SolverInfo,
    pub model: ModelSize,
    /// Extension: the rules the solver's plan broke, when the in-process
    /// audit rejected it (status `error`; the plan is not shown).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit_violations: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SolverInfo {
    pub backend: String,
    pub lp_solves: usize,
    pub nodes: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct CostRow {
    pub period: String,
    pub gpu_capital: f64,
    pub storage_capital: f64,
    pub maintenance: f64,
    pub ingest: f64,
    pub link: f64,
    pub energy: f64,
    pub shortfall: f64,
    pub total: f64,
    pub discounted_total: f64,
}

impl CostRow {
    /// The cost categories' names as tables and charts show them, in the
    /// order of [`CostRow::categories`].
    pub const LABELS: [&'static str; 7] = [
        "GPU capital",
        "storage capital",
        "maintenance",
        "ingest",
        "link",
        "energy",
        "shortfall",
    ];

    /// The cost categories in table order, with their JSON names.
    pub fn categories(&self) -> [(&'static str, f64); 7] {
        [
            ("gpu_capital", self.gpu_capital),
            ("storage_capital", self.storage_capital),
            ("maintenance", self.maintenance),
            ("ingest", self.ingest),
            ("link", self.link),
            ("energy", self.energy),
            ("shortfall", self.shortfall),
        ]
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct GpuRow {
    pub period: String,
    pub site: String,
    pub gpu: String,
    pub bought_nodes: f64,
    pub installed_nodes: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct StorageRow {
    pub period: String,
    pub site: String,
    pub tier: String,
    pub bought_pb: f64,
    pub installed_pb: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct SiteRow {
    pub period: String,
    pub site: String,
    pub ingest_gbps: f64,
    pub power_mw: f64,
    /// `null` for a site without a cap.
    pub power_cap_mw: Option<f64>,
    pub compute_pflop: f64,
    pub compute_used_pflop: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct DataRow {
    pub period: String,
    pub site: String,
    pub class: String,
    pub ingested_pb: f64,
    pub imported_pb: f64,
    /// Extension: PB of this class copied from this site to others.
    pub copied_out_pb: f64,
    pub stock_pb: f64,
    pub trained_pflop: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct LinkRow {
    pub period: String,
    pub link: String,
    pub class: String,
    pub copied_pb: f64,
    pub gbps: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct ShortfallRow {
    pub period: String,
    pub class: String,
    pub pflop: f64,
}

impl PlanResult {
    /// The cost rows summed per calendar year ([`costs_by_year`]).
    pub fn costs_by_year(&self) -> Vec<CostRow> {
        costs_by_year(&self.costs)
    }

    /// Highest total power over all sites in any period, in MW.
    pub fn peak_mw(&self) -> f64 {
        let mut per_period = vec![0.0; self.periods.len()];
        for row in &self.sites {
            if let Some(t) = self.periods.iter().position(|p| *p == row.period) {
                per_period[t] += row.power_mw;
            }
        }
        per_period.into_iter().fold(0.0, f64::max)
    }
}

/// Cost rows summed per calendar year (a period label's first four
/// characters: `2025Q3`, `2025-07`, `2025H2` and `2025` are all 2025), in
/// order; `period` holds the year.
pub fn costs_by_year(costs: &[CostRow]) -> Vec<CostRow> {
    let mut years: Vec<CostRow> = Vec::new();
    for row in costs {
        let year: String = row.period.chars().take(4).collect();
        if years.last().is_none_or(|last| last.period != year) {
            years.push(CostRow {
                period: year,
                ..CostRow::default()
            });
        }
        let sum = years.last_mut().expect("a year was pushed");
        sum.gpu_capital += row.gpu_capital;
        sum.storage_capital += row.storage_capital;
        sum.maintenance += row.maintenance;
        sum.ingest += row.ingest;
        sum.link += row.link;
        sum.energy += row.energy;
        sum.shortfall += row.shortfall;
        sum.total += row.total;
        sum.discounted_total += row.discounted_total;
    }
    years
}

/// Zero for values that are zero up to solver noise, so tables and JSON
/// show 0 rather than 1e-13 or -0.
pub fn clean(x: f64) -> f64 {
    if x.abs() < 1e-9 {
        0.0
    } else {
        x
    }
}

fn status_text(
    status: &SearchStatus,
    stopped_by: Option<StopReason>,
) -> (&'static str, Option<String>) {
    match status {
        SearchStatus::Optimal => ("optimal", None),
        SearchStatus::Feasible => (
            "feasible",
            Some(format!(
                "{} stopped the search above the gap target",
                stopped_by.map_or("a limit", StopReason::describe)
            )),
        ),
        SearchStatus::Infeasible => (
            "infeasible",
            Some("no plan satisfies every constraint of the scenario".into()),
        ),
        SearchStatus::Unbounded => ("unbounded", Some("the model is unbounded".into())),
        SearchStatus::Error(why) => ("error", Some(why.clone())),
    }
}

pub fn build(run: &PlanRun) -> PlanResult {
    let mut report = header(
        &run.input,
        &run.outcome,
        run.options,
        run.backend,
        run.size(),
    );
    let outcome = &run.outcome;
    let Some(values) = &outcome.values else {
        return report;
    };
    let money = run.model.scales.money;
    let objective = outcome.objective * money;
    let bound = outcome.bound * money;
    report.objective = Some(objective);
    report.bound = Some(bound.min(objective));
    report.gap = Some(relative_gap(objective, bound));
    let model = &run.model;
    fill_rows(
        &mut report,
        &run.input,
        (&model.index, &model.ledger, model.scales),
        values,
        run.options.relax,
    );
    report
}

/// A result without rows: what the search found, before reading its plan.
pub fn header(
    input: &crate::model::PlanInput,
    outcome: &SearchOutcome,
    options: super::PlanOptions,
    backend: &str,
    size: ModelSize,
) -> PlanResult {
    let scenario = input.scenario;
    let (status, message) = status_text(&outcome.status, outcome.stopped_by);
    PlanResult {
        schema: SCHEMA.to_string(),
        scenario: scenario.name.clone(),
        overrides: Vec::new(),
        status: status.to_string(),
        message,
        objective: None,
        bound: None,
        gap: None,
        stopped_by: outcome.stopped_by.map(|r| r.as_str().to_string()),
        currency: scenario.currency.clone(),
        periods: input.labels.clone(),
        costs: Vec::new(),
        gpus: Vec::new(),
        storage: Vec::new(),
        sites: Vec::new(),
        data: Vec::new(),
        links: Vec::new(),
        shortfall: Vec::new(),
        relaxed: options.relax,
        mip_gap_target: options.limits.mip_gap,
        solver: SolverInfo {
            backend: backend.to_string(),
            lp_solves: outcome.lp_solves,
            nodes: outcome.nodes,
        },
        model: size,
        audit_violations: Vec::new(),
    }
}

/// Reads one scenario's plan out of a solution: its cost table and rows,
/// tidied. `model` is the scenario's index and ledger in the programme
/// (a hedged model has one per future) and the model's scales.
pub fn fill_rows(
    report: &mut PlanResult,
    input: &crate::model::PlanInput,
    model: (&ModelIndex, &crate::model::CostLedger, crate::units::Scales),
    values: &[f64],
    relax: bool,
) {
    let (index, ledger, scales) = model;
    let scenario = input.scenario;
    let unit = scales.compute;
    let value = |expr: &LinExpr| clean(expr.value(values));
    let var = |v: Option<crate::model::Var>| v.map_or(0.0, |v| clean(values[v.0]));
    let m = ModelExpressions {
        input,
        index,
        scales,
    };

    let table = ledger.evaluate(input.periods, values);
    for (t, label) in input.labels.iter().enumerate() {
        let c = table[t].map(clean);
        let total = c.iter().sum::<f64>();
        report.costs.push(CostRow {
            period: label.clone(),
            gpu_capital: c[CostCategory::GpuCapital as usize],
            storage_capital: c[CostCategory::StorageCapital as usize],
            maintenance: c[CostCategory::Maintenance as usize],
            ingest: c[CostCategory::Ingest as usize],
            link: c[CostCategory::Link as usize],
            energy: c[CostCategory::Energy as usize],
            shortfall: c[CostCategory::Shortfall as usize],
            total,
            discounted_total: total * input.discount[t],
        });
    }
    for (t, label) in input.labels.iter().enumerate() {
        for (s, site) in scenario.sites.iter().enumerate() {
            let mut compute = 0.0;
            for (g, gpu) in scenario.gpus.iter().enumerate() {
                // Whole nodes in an integer plan; a relaxation keeps its
                // fractions, so installed capacity covers what it uses.
                let whole = |x: f64| if relax { x } else { x.round() };
                let bought = whole(var(index.buy_nodes.get(t, s, g)));
                let installed = whole(value(&m.installed_nodes(t, s, g)));
                compute += installed * input.node_pflop[g];
                if bought > 0.0 || installed > 0.0 {
                    report.gpus.push(GpuRow {
                        period: label.clone(),
                        site: site.name.clone(),
                        gpu: gpu.name.clone(),
                        bought_nodes: bought,
                        installed_nodes: installed,
                    });
                }
            }
            for (k, tier) in scenario.storage_tiers.iter().enumerate() {
                let bought = var(index.buy_storage.get(t, s, k));
                let installed = value(&m.installed_storage(t, s, k));
                if bought > 0.0 || installed > 0.0 {
                    report.storage.push(StorageRow {
                        period: label.clone(),
                        site: site.name.clone(),
                        tier: tier.name.clone(),
                        bought_pb: bought,
                        installed_pb: installed,
                    });
                }
            }
            report.sites.push(SiteRow {
                period: label.clone(),
                site: site.name.clone(),
                ingest_gbps: var(index.ingest_gbps.get(t, s, 0)),
                power_mw: value(&m.power_mw(t, s)),
                power_cap_mw: site.power_cap_mw,
                compute_pflop: clean(compute),
                compute_used_pflop: clean(value(&m.work(t, s)) * unit),
            });
            for (c, class) in scenario.data_classes.iter().enumerate() {
                let ingested = var(index.ingest.get(t, s, c));
                let inflow = value(&m.inflow(t, s, c));
                let stock = value(&m.stock(t, s, c));
                let trained = var(index.train.get(t, s, c)) * unit;
                let copied_out: f64 = scenario
                    .links
                    .iter()
                    .enumerate()
                    .filter(|(_, link)| link.from == s)
                    .map(|(l, _)| var(index.copy.get(t, l, c)))
                    .sum();
                if ingested > 0.0 || inflow > 0.0 || stock > 0.0 || trained > 0.0 {
                    report.data.push(DataRow {
                        period: label.clone(),
                        site: site.name.clone(),
                        class: class.name.clone(),
                        ingested_pb: ingested,
                        imported_pb: clean(inflow - ingested),
                        copied_out_pb: clean(copied_out),
                        stock_pb: stock,
                        trained_pflop: clean(trained),
                    });
                }
            }
        }
        for (l, link) in scenario.links.iter().enumerate() {
            let gbps = var(index.link_gbps.get(t, l, 0));
            for (c, class) in scenario.data_classes.iter().enumerate() {
                let copied = var(index.copy.get(t, l, c));
                if copied > 0.0 {
                    report.links.push(LinkRow {
                        period: label.clone(),
                        link: link.name.clone(),
                        class: class.name.clone(),
                        copied_pb: copied,
                        gbps,
                    });
                }
            }
        }
        for (c, class) in scenario.data_classes.iter().enumerate() {
            let short = var(index.shortfall.get(t, c, 0)) * unit;
            if short > 0.0 {
                report.shortfall.push(ShortfallRow {
                    period: label.clone(),
                    class: class.name.clone(),
                    pflop: clean(short),
                });
            }
        }
    }
    tidy(report, scenario);
}

/// Significant digits kept in result rows: far above any input's precision
/// and far below the solver's tolerance (1e-6), so that `7.649999999999995`
/// reads `7.65` and `12109824.000001552` reads `12109824`.
pub const SIGNIFICANT_DIGITS: i32 = 12;

/// `x` rounded to [`SIGNIFICANT_DIGITS`], and zero up to solver noise.
pub fn tidy_number(x: f64) -> f64 {
    let x = clean(x);
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let exponent = SIGNIFICANT_DIGITS - 1 - x.abs().log10().floor() as i32;
    // Both ways divide or multiply exact powers of ten into an exact
    // integer, so the result is the double nearest the rounded decimal.
    let rounded = if exponent >= 0 {
        let p = 10f64.powi(exponent.min(300));
        (x * p).round() / p
    } else {
        let p = 10f64.powi(-exponent);
        (x / p).round() * p
    };
    if rounded.is_finite() {
        rounded
    } else {
        x
    }
}

/// Brings `x` down to `limit` when it is above it by solver noise only.
fn within(x: f64, limit: f64) -> f64 {
    if x > limit && x - limit <= 1e-6 * limit.abs().max(1.0) {
        limit
    } else {
        x
    }
}

/// Cleans the rows once, for every format: numbers tidied, and the
/// invariants a reader checks (compute used within installed compute, power
/// within its cap, stock within usable storage) kept where only float noise
/// would break them.
fn tidy(report: &mut PlanResult, scenario: &crate::scenario::Scenario) {
    for x in [&mut report.objective, &mut report.bound, &mut report.gap]
        .into_iter()
        .flatten()
    {
        *x = tidy_number(*x);
    }
    for row in &mut report.costs {
        for x in [
            &mut row.gpu_capital,
            &mut row.storage_capital,
            &mut row.maintenance,
            &mut row.ingest,
            &mut row.link,
            &mut row.energy,
            &mut row.shortfall,
            &mut row.total,
            &mut row.discounted_total,
        ] {
            *x = tidy_number(*x);
        }
    }
    for row in &mut report.gpus {
        row.bought_nodes = tidy_number(row.bought_nodes);
        row.installed_nodes = tidy_number(row.installed_nodes);
    }
    for row in &mut report.storage {
        row.bought_pb = tidy_number(row.bought_pb);
        row.installed_pb = tidy_number(row.installed_pb);
    }
    for row in &mut report.sites {
        row.ingest_gbps = tidy_number(row.ingest_gbps);
        row.compute_pflop = tidy_number(row.compute_pflop);
        row.compute_used_pflop = within(tidy_number(row.compute_used_pflop), row.compute_pflop);
        row.power_mw = tidy_number(row.power_mw);
        if let Some(cap) = row.power_cap_mw {
            row.power_mw = within(row.power_mw, cap);
        }
    }
    for row in &mut report.data {
        for x in [
            &mut row.ingested_pb,
            &mut row.imported_pb,
            &mut row.copied_out_pb,
            &mut row.stock_pb,
            &mut row.trained_pflop,
        ] {
            *x = tidy_number(*x);
        }
    }
    for row in &mut report.links {
        row.copied_pb = tidy_number(row.copied_pb);
        row.gbps = tidy_number(row.gbps);
    }
    for row in &mut report.shortfall {
        row.pflop = tidy_number(row.pflop);
    }
    // Stock within usable storage, per site and period.
    let usable_fraction = |tier: &str| {
        scenario
            .storage_tiers
            .iter()
            .find(|k| k.name == tier)
            .map_or(1.0, |k| k.usable_fraction)
    };
    let mut usable: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for row in &report.storage {
        *usable.entry((&row.period, &row.site)).or_default() +=
            usable_fraction(&row.tier) * row.installed_pb;
    }
    let mut stock: BTreeMap<(String, String), f64> = BTreeMap::new();
    for row in &report.data {
        *stock
            .entry((row.period.clone(), row.site.clone()))
            .or_default() += row.stock_pb;
    }
    for ((period, site), held) in stock {
        let room = usable
            .get(&(period.as_str(), site.as_str()))
            .copied()
            .unwrap_or(0.0);
        if held > room && within(held, room) == room {
            let share = room / held;
            for row in report
                .data
                .iter_mut()
                .filter(|r| r.period == period && r.site == site)
            {
                row.stock_pb = tidy_down(row.stock_pb * share);
            }
        }
    }
}

/// `x` rounded down to [`SIGNIFICANT_DIGITS`].
fn tidy_down(x: f64) -> f64 {
    let tidied = tidy_number(x);
    if tidied <= x {
        return tidied;
    }
    let step = 10f64.powi(x.abs().log10().floor() as i32 - (SIGNIFICANT_DIGITS - 1));
    tidy_number(tidied - step).min(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_add_up_by_calendar_year() {
        let row = |period: &str, gpu: f64, energy: f64, discount: f64| CostRow {
            period: period.into(),
            gpu_capital: gpu,
            energy,
            total: gpu + energy,
            discounted_total: (gpu + energy) * discount,
            ..CostRow::default()
        };
        let costs = vec![
            row("2025Q3", 10.0, 1.0, 1.0),
            row("2025Q4", 10.0, 2.0, 0.5),
            row("2026Q1", 20.0, 3.0, 0.25),
        ];
        let years = costs_by_year(&costs);
        assert_eq!(years.len(), 2);
        assert_eq!(
            (
                years[0].period.as_str(),
                years[0].gpu_capital,
                years[0].energy
            ),
            ("2025", 20.0, 3.0)
        );
        assert_eq!((years[0].total, years[0].discounted_total), (23.0, 17.0));
        assert_eq!(
            (
                years[1].period.as_str(),
                years[1].total,
                years[1].discounted_total
            ),
            ("2026", 23.0, 5.75)
        );
    }
}
