//! Compare GPU options: one plan per option in which only that option may be
//! bought (nodes already installed keep running), plus the unrestricted
//! optimum, each with the first limit that shapes it.
//!
//! An option with no feasible plan is a row that says why: the limits of the
//! scenario are lifted one family at a time (export control on the option,
//! supply caps, licence caps, power caps, the budget, bandwidth caps, export
//! quotas) and the first family whose removal makes the LP relaxation
//! feasible is named, with where and by how much the lifted plan goes past it.

use rayon::prelude::*;
use serde::Serialize;

use crate::analyses::limits::{self, Limit, LimitKind};
use crate::analyses::PlanReport;
use crate::model::PlanInput;
use crate::plan::{self, PlanOptions};
use crate::scenario::{Future, Scenario};
use crate::solve::{Clock, LpBackend};
use crate::time::MonthRange;

pub const SCHEMA: &str = "fsdplan.compare/1";

/// The name of the row with every option allowed.
pub const UNRESTRICTED: &str = "all options";

/// One option's plan, in the scenario's units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareRow {
    /// A GPU name, or [`UNRESTRICTED`].
    pub option: String,
    pub status: String,
    /// The NPV, or for a hedged plan its objective (SPEC.md 7.2).
    pub npv: Option<f64>,
    /// Extension, hedged plans only: the expected NPV and the CVaR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_npv: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvar: Option<f64>,
    /// NPV minus the best NPV of the comparison.
    pub npv_difference: Option<f64>,
    /// `npv_difference` as a share of the best NPV.
    pub npv_difference_share: Option<f64>,
    pub nodes_bought: f64,
    pub gpus_bought: f64,
    /// Highest total power over all sites in any period.
    pub peak_mw: f64,
    /// Training compute delivered over the horizon (demand minus shortfall).
    pub delivered_pflop: f64,
    /// NPV per EFLOP (1,000 PFLOP) delivered.
    pub cost_per_delivered_eflop: Option<f64>,
    /// The first limit that shapes the plan, or why there is no plan.
    pub limit: String,
    /// Every limit found, earliest first.
    pub limits: Vec<Limit>,
}

/// A comparison of GPU options.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareReport {
    pub schema: &'static str,
    pub scenario: String,
    /// The `--set` overrides applied to the scenario file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    pub currency: String,
    /// Extension: the number of futures each option's hedged plan covers
    /// (0: the scenario has no events, each option is one plan).
    #[serde(skip_serializing_if = "is_zero")]
    pub futures: usize,
    /// Sorted by NPV; options without a plan last.
    pub rows: Vec<CompareRow>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A copy of `scenario` in which only the GPUs in `keep` may be bought.
/// Other GPUs with installed nodes stay (their nodes keep running, none may
/// be bought); others are removed with their export rules, so the model is
/// the one a scenario without them would give.
pub fn only_buy(scenario: &Scenario, keep: &[usize]) -> Scenario {
    let mut restricted = scenario.clone();
    for g in (0..scenario.gpus.len()).rev() {
        if keep.contains(&g) {
            continue;
        }
        let installed = scenario.sites.iter().any(|s| s.existing_nodes[g] > 0.0);
        if installed {
            restricted.gpus[g].allowed_in.clear();
            continue;
        }
        restricted.gpus.remove(g);
        for site in &mut restricted.sites {
            site.existing_nodes.remove(g);
        }
        restricted.export_rules.retain(|rule| rule.gpu != g);
        for rule in &mut restricted.export_rules {
            if rule.gpu > g {
                rule.gpu -= 1;
            }
        }
    }
    restricted
}

/// Plans every option in `gpus` (indices into the scenario's GPUs) and the
/// unrestricted scenario, in parallel on rayon's current pool.
/// `clock` makes one clock per plan.
pub fn compare(
    scenario: &Scenario,
    gpus: &[usize],
    options: PlanOptions,
    backend: &(dyn LpBackend + Sync),
    clock: &(dyn Fn() -> Box<dyn Clock> + Sync),
) -> CompareReport {
    let rows = plan_cases(gpus, &|case| {
        let (name, restricted) = restrict(scenario, case);
        option_row(
            name,
            &restricted,
            case.is_some(),
            options,
            backend,
            &*clock(),
        )
    });
    finish(scenario, rows, 0)
}

/// [`compare`] on a scenario with events: each option is the hedged plan
/// of every future restricted to it (SPEC.md 7.2), and its NPV column is
/// the hedged objective. Nodes, GPUs and delivered compute are expected
/// values over the futures, peak MW the highest of any future, and the
/// limits each future's, with the futures they bind in named.
pub fn compare_hedged(
    base: &Scenario,
    futures: &[Future],
    gpus: &[usize],
    options: PlanOptions,
    backend: &(dyn LpBackend + Sync),
    clock: &(dyn Fn() -> Box<dyn Clock> + Sync),
) -> CompareReport {
    let rows = plan_cases(gpus, &|case| {
        let (name, restricted) = restrict(base, case);
        let restricted_futures: Vec<Future> = futures
            .iter()
            .map(|f| Future {
                scenario: restrict(&f.scenario, case).1,
                ..f.clone()
            })
            .collect();
        hedged_option_row(
            name,
            &restricted,
            &restricted_futures,
            case.is_some(),
            options,
            backend,
            &*clock(),
        )
    });
    finish(base, rows, futures.len())
}

/// One row per GPU option and one for every option allowed, planned in
/// parallel.
fn plan_cases(
    gpus: &[usize],
    row: &(dyn Fn(Option<usize>) -> CompareRow + Sync),
) -> Vec<CompareRow> {
    let mut cases: Vec<Option<usize>> = gpus.iter().copied().map(Some).collect();
    cases.push(None);
    cases.par_iter().map(|&case| row(case)).collect()
}

/// The option's name and the scenario in which only it may be bought.
fn restrict(scenario: &Scenario, case: Option<usize>) -> (String, Scenario) {
    match case {
        Some(g) => (scenario.gpus[g].name.clone(), only_buy(scenario, &[g])),
        None => (UNRESTRICTED.to_string(), scenario.clone()),
    }
}

/// The rows measured against the best and sorted, as a report.
fn finish(scenario: &Scenario, mut rows: Vec<CompareRow>, futures: usize) -> CompareReport {
    let best = rows
        .iter()
        .filter_map(|r| r.npv)
        .fold(f64::INFINITY, f64::min);
    for row in &mut rows {
        if let Some(npv) = row.npv {
            row.npv_difference = Some(npv - best);
            row.npv_difference_share = (best > 0.0).then(|| (npv - best) / best);
        }
    }
    rows.sort_by(|a, b| match (a.npv, b.npv) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    CompareReport {
        schema: SCHEMA,
        scenario: scenario.name.clone(),
        overrides: Vec::new(),
        currency: scenario.currency.clone(),
        futures,
        rows,
    }
}

/// Plans one option. `focus` says whether the scenario was restricted to
/// one GPU, whose export-control blocks then count as limits.
fn option_row(
    option: String,
    scenario: &Scenario,
    focus: bool,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> CompareRow {
    // An option without a plan is explained by lifting limits in turn
    // (`why_infeasible`), not by the elastic LP of `analyses::plan`.
    let run = plan::run(scenario, options, backend, clock);
    let report = PlanReport::new(&run, None);
    let input = &run.input;
    let focus_gpus = focus_gpus(scenario, focus);
    let mut row = CompareRow::new(option, &report.status, report.objective);
    if report.objective.is_none() {
        row.limit = if report.status == "infeasible" {
            why_infeasible(scenario, &focus_gpus, options, backend, clock)
        } else {
            report
                .message
                .clone()
                .unwrap_or_else(|| format!("no plan ({})", report.status))
        };
        return row;
    }
    row.add_purchases(scenario, &report, 1.0);
    row.peak_mw = report.peak_mw();
    row.delivered_pflop = delivered_pflop(input, &report);
    row.cost_per_delivered_eflop = per_eflop(report.objective, row.delivered_pflop);
    let mut found = limits::purchase_blocks(input, &focus_gpus);
    found.extend(limits::capacity_limits(input, &report));
    limits::sort(&mut found);
    row.set_limits(found);
    row
}

/// Plans one option of a scenario with events: the hedged plan of its
/// futures, each restricted to the option.
fn hedged_option_row(
    option: String,
    base: &Scenario,
    futures: &[Future],
    focus: bool,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> CompareRow {
    let planned = crate::analyses::plan_hedged(base, futures, options, backend, clock);
    let report = planned.report();
    let focus_gpus = focus_gpus(base, focus);
    let mut row = CompareRow::new(option, &report.status, report.objective);
    row.expected_npv = report.expected_npv;
    row.cvar = report.cvar;
    if report.objective.is_none() {
        let stranded = planned
            .infeasibility
            .as_ref()
            .and_then(|i| i.future.clone());
        row.limit = match stranded.and_then(|name| futures.iter().find(|f| f.name == name)) {
            // `plan_hedged` names a future only when it is infeasible alone.
            Some(future) => {
                let why = why_infeasible(&future.scenario, &focus_gpus, options, backend, clock);
                format!("in future \"{}\": {why}", future.name)
            }
            None => planned
                .infeasibility
                .as_ref()
                .and_then(|i| i.lines.first().cloned())
                .or_else(|| report.message.clone())
                .unwrap_or_else(|| format!("no plan ({})", report.status)),
        };
        return row;
    }
    let mut per_future = Vec::new();
    for ((future, plan), input) in futures
        .iter()
        .zip(report.future_plans())
        .zip(&planned.run.inputs)
    {
        let plan = PlanReport {
            result: plan,
            explain: None,
            infeasibility: None,
        };
        let p = future.probability;
        row.add_purchases(&future.scenario, &plan, p);
        row.peak_mw = row.peak_mw.max(plan.peak_mw());
        row.delivered_pflop += p * delivered_pflop(input, &plan);
        let mut found = limits::purchase_blocks(input, &focus_gpus);
        found.extend(limits::capacity_limits(input, &plan));
        per_future.push((future, found));
    }
    row.cost_per_delivered_eflop = per_eflop(report.expected_npv, row.delivered_pflop);
    row.set_limits(limits_in_futures(per_future));
    row
}

/// Each future's limits as one list: a limit met in every future reads as
/// it is; one met in some is followed by the futures it binds in (or, when
/// more than three, how many and their probability).
fn limits_in_futures(per_future: Vec<(&Future, Vec<Limit>)>) -> Vec<Limit> {
    let all = per_future.len();
    let mut merged: Vec<(Limit, Vec<&Future>)> = Vec::new();
    for (future, found) in per_future {
        for limit in found {
            let same =
                |(l, _): &&mut (Limit, Vec<&Future>)| l.kind == limit.kind && l.text == limit.text;
            match merged.iter_mut().find(same) {
                Some((l, seen)) => {
                    l.first_period = l.first_period.min(limit.first_period);
                    l.excess = l.excess.max(limit.excess);
                    seen.push(future);
                }
                None => merged.push((limit, vec![future])),
            }
        }
    }
    let mut limits: Vec<Limit> = merged
        .into_iter()
        .map(|(mut limit, seen)| {
            if seen.len() < all {
                let names: Vec<&str> = seen.iter().map(|f| f.name.as_str()).collect();
                let p: f64 = seen.iter().map(|f| f.probability).sum();
                limit.text = if seen.len() <= 3 {
                    format!("{} (in {})", limit.text, names.join(", "))
                } else {
                    format!(
                        "{} (in {} of {all} futures, probability {})",
                        limit.text,
                        seen.len(),
                        crate::numbers::number(p, 2)
                    )
                };
            }
            limit
        })
        .collect();
    limits::sort(&mut limits);
    limits
}

/// With `focus`, the GPUs the restricted scenario may still buy somewhere,
/// whose export-control blocks count as limits; otherwise none.
fn focus_gpus(scenario: &Scenario, focus: bool) -> Vec<usize> {
    if !focus {
        return Vec::new();
    }
    scenario
        .gpus
        .iter()
        .enumerate()
        .filter(|(_, g)| !g.allowed_in.is_empty())
        .map(|(g, _)| g)
        .collect()
}

/// NPV per EFLOP delivered, when any is.
fn per_eflop(npv: Option<f64>, delivered_pflop: f64) -> Option<f64> {
    npv.filter(|_| delivered_pflop > 0.0)
        .map(|npv| npv / (delivered_pflop / 1e3))
}

impl CompareRow {
    fn new(option: String, status: &str, npv: Option<f64>) -> CompareRow {
        CompareRow {
            option,
            status: status.to_string(),
            npv,
            expected_npv: None,
            cvar: None,
            npv_difference: None,
            npv_difference_share: None,
            nodes_bought: 0.0,
            gpus_bought: 0.0,
            peak_mw: 0.0,
            delivered_pflop: 0.0,
            cost_per_delivered_eflop: None,
            limit: String::new(),
            limits: Vec::new(),
        }
    }

    /// Adds `weight` times the plan's nodes and GPUs bought.
    fn add_purchases(&mut self, scenario: &Scenario, plan: &PlanReport, weight: f64) {
        for r in &plan.gpus {
            self.nodes_bought += weight * r.bought_nodes;
            if let Some(gpu) = scenario.gpus.iter().find(|g| g.name == r.gpu) {
                self.gpus_bought += weight * r.bought_nodes * gpu.gpus_per_node;
            }
        }
    }

    /// The limits found, and the first of them in words.
    fn set_limits(&mut self, found: Vec<Limit>) {
        self.limit = found
            .first()
            .map_or_else(|| "none: cost alone".to_string(), |l| l.text.clone());
        self.limits = found;
    }
}

/// Training compute delivered over the horizon: demand (fleet data and
/// base) minus shortfall.
pub fn delivered_pflop(input: &PlanInput, report: &PlanReport) -> f64 {
    let demand: f64 = input.demand_pflop.iter().flatten().sum::<f64>()
        + input.scenario.training.base_pflop_per_period * input.periods as f64;
    let short: f64 = report.shortfall.iter().map(|r| r.pflop).sum();
    demand - short
}

/// The families of limits lifted, one at a time, to find why no plan exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    ExportControl,
    Supply,
    Licence,
    Power,
    Budget,
    Bandwidth,
    ExportQuota,
}

impl Family {
    const ALL: [Family; 7] = [
        Family::ExportControl,
        Family::Supply,
        Family::Licence,
        Family::Power,
        Family::Budget,
        Family::Bandwidth,
        Family::ExportQuota,
    ];

    fn kinds(self) -> &'static [LimitKind] {
        match self {
            Family::ExportControl => &[
                LimitKind::NotAllowed,
                LimitKind::NotAvailable,
                LimitKind::Ban,
            ],
            Family::Supply => &[LimitKind::SupplyCap],
            Family::Licence => &[LimitKind::LicenceCap],
            Family::Power => &[LimitKind::PowerCap],
            Family::Budget => &[LimitKind::Budget],
            Family::Bandwidth => &[LimitKind::IngestCap, LimitKind::LinkCap],
            Family::ExportQuota => &[LimitKind::ExportQuota],
        }
    }

    /// A copy of `scenario` without this family's limits (export control
    /// only on the `focus` GPUs).
    fn lift(self, scenario: &mut Scenario, focus: &[usize]) {
        match self {
            Family::ExportControl => {
                let everywhere: Vec<String> = scenario
                    .sites
                    .iter()
                    .map(|s| s.jurisdiction.clone())
                    .collect();
                for &g in focus {
                    let gpu = &mut scenario.gpus[g];
                    gpu.allowed_in = everywhere.clone();
                    gpu.available = MonthRange::default();
                }
                scenario.export_rules.retain(|rule| {
                    !focus.contains(&rule.gpu)
                        || !matches!(rule.action, crate::scenario::RuleAction::Ban)
                });
            }
            Family::Supply => scenario
                .gpus
                .iter_mut()
                .for_each(|g| g.max_nodes_per_period = None),
            Family::Licence => {
                for rule in &mut scenario.export_rules {
                    if let crate::scenario::RuleAction::Licence {
                        max_installed_nodes_per_site,
                        ..
                    } = &mut rule.action
                    {
                        *max_installed_nodes_per_site = None;
                    }
                }
            }
            Family::Power => scenario
                .sites
                .iter_mut()
                .for_each(|s| s.power_cap_mw = None),
            Family::Budget => scenario.budget = None,
            Family::Bandwidth => {
                scenario
                    .sites
                    .iter_mut()
                    .for_each(|s| s.ingest_max_gbps = None);
                scenario.links.iter_mut().for_each(|l| l.max_gbps = None);
            }
            Family::ExportQuota => scenario
                .data_classes
                .iter_mut()
                .for_each(|c| c.export_max_pb_per_period = None),
        }
    }
}

/// Why `scenario`, found infeasible, has no plan, in words.
fn why_infeasible(
    scenario: &Scenario,
    focus: &[usize],
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> String {
    let relaxed = PlanOptions {
        relax: true,
        ..options
    };
    let original = PlanInput::new(scenario);
    let lifted_plan = |families: &[Family]| {
        let mut lifted = scenario.clone();
        for family in families {
            family.lift(&mut lifted, focus);
        }
        let run = plan::run(&lifted, relaxed, backend, clock);
        let report = PlanReport::new(&run, None);
        report.objective.is_some().then_some(report)
    };
    if lifted_plan(&[]).is_some() {
        return "no integer plan found, although the LP relaxation has one".into();
    }
    for family in Family::ALL {
        let Some(lifted) = lifted_plan(&[family]) else {
            continue;
        };
        if family == Family::ExportControl {
            if let Some(first) = limits::blocks_used(&original, &lifted).first() {
                return exceeded_text(first, &scenario.currency);
            }
            continue;
        }
        let exceeded: Vec<Limit> = limits::capacity_limits(&original, &lifted)
            .into_iter()
            .filter(|l| family.kinds().contains(&l.kind) && l.excess > 1e-6)
            .collect();
        if let Some(first) = exceeded.first() {
            return exceeded_text(first, &scenario.currency);
        }
    }
    match lifted_plan(&Family::ALL) {
        Some(lifted) => {
            let mut exceeded: Vec<Limit> = limits::capacity_limits(&original, &lifted)
                .into_iter()
                .filter(|l| l.excess > 1e-6)
                .collect();
            exceeded.extend(limits::blocks_used(&original, &lifted));
            limits::sort(&mut exceeded);
            let listed: Vec<String> = exceeded
                .iter()
                .take(3)
                .map(|l| exceeded_text(l, &scenario.currency))
                .collect();
            format!("several limits together: {}", listed.join("; "))
        }
        None => "no plan even without capacity limits or export control: \
                 check that every class may be ingested and trained at a home site"
            .into(),
    }
}

/// "power cap lingang 2026Q1 (40 MW): needs 12.3 MW more".
fn exceeded_text(limit: &Limit, currency: &str) -> String {
    use crate::numbers::{millions, number};
    let amount = match limit.kind {
        LimitKind::PowerCap => format!("{} MW", number(limit.excess, 1)),
        LimitKind::LicenceCap | LimitKind::SupplyCap => {
            format!("{} nodes", number(limit.excess, 0))
        }
        LimitKind::NotAllowed | LimitKind::NotAvailable | LimitKind::Ban => {
            return format!(
                "{}: a plan would buy {} nodes there",
                limit.text,
                number(limit.excess, 0)
            );
        }
        LimitKind::Budget => format!("{currency} {} M", millions(limit.excess)),
        LimitKind::IngestCap | LimitKind::LinkCap => format!("{} Gbps", number(limit.excess, 1)),
        LimitKind::ExportQuota => format!("{} PB", number(limit.excess, 2)),
        _ => return limit.text.clone(),
    };
    format!("{}: needs {amount} more", limit.text)
}

/// The indices of the named GPUs (every GPU when `names` is empty).
pub fn resolve_gpus(scenario: &Scenario, names: &[String]) -> Result<Vec<usize>, String> {
    if names.is_empty() {
        return Ok((0..scenario.gpus.len()).collect());
    }
    let known: Vec<&str> = scenario.gpus.iter().map(|g| g.name.as_str()).collect();
    let mut gpus = Vec::new();
    for name in names {
        let name = name.trim();
        match known.iter().position(|k| *k == name) {
            Some(g) if !gpus.contains(&g) => gpus.push(g),
            Some(_) => {}
            None => {
                let hint = crate::scenario::diagnostic::did_you_mean(name, known.iter().copied())
                    .map(|close| format!("did you mean `{close}`? "))
                    .unwrap_or_default();
                return Err(format!(
                    "no GPU named `{name}`; {hint}known: {}",
                    known.join(", ")
                ));
            }
        }
    }
    Ok(gpus)
}
