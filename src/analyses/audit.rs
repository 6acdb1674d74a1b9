//! An independent check of a plan against the scenario's rules.
//!
//! The audit reads a plan's result rows (the JSON of `plan --format json`)
//! and the validated scenario, and recomputes every rule of SPEC.md section
//! 4 from the scenario alone. It shares nothing with the model builder or
//! its derived inputs ([`crate::model`]), so a mistake there cannot hide
//! itself here. Each violation names the rule, the period, the place and the
//! amount.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::numbers::number;
use crate::plan::result::{CostRow, PlanResult};
use crate::scenario::{Residency, RuleAction, Scenario};

pub const SCHEMA: &str = "fsdplan.audit/1";

/// Relative tolerance of every comparison (with an absolute floor of the
/// same size): JSON numbers are exact, solver answers are not.
const TOLERANCE: f64 = 1e-6;

/// One rule broken by a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Violation {
    /// The rule, e.g. `power_cap`, `residency`, `export_quota`.
    pub rule: &'static str,
    /// Period label (empty for the whole plan).
    pub period: String,
    /// Site, link, class or GPU the rule is about.
    pub place: String,
    /// The plan's amount and what the rule allows, in the rule's unit.
    pub amount: f64,
    pub allowed: f64,
    /// In words: "power 41.2 MW above the cap of 40 MW".
    pub text: String,
}

/// The audit's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    pub schema: &'static str,
    pub scenario: String,
    /// Rules checked, one count per comparison made.
    pub checks: usize,
    pub violations: Vec<Violation>,
}

/// Whether `amount` exceeds `allowed` beyond rounding.
fn exceeds(amount: f64, allowed: f64) -> bool {
    amount > allowed + TOLERANCE * allowed.abs().max(1.0)
}

/// Whether two amounts differ beyond rounding.
fn differs(a: f64, b: f64) -> bool {
    (a - b).abs() > TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

/// The plan's rows as dense arrays indexed like the scenario.
struct PlanTables {
    bought: Vec<Vec<Vec<f64>>>,       // [t][s][g]
    installed: Vec<Vec<Vec<f64>>>,    // [t][s][g]
    bought_pb: Vec<Vec<Vec<f64>>>,    // [t][s][k]
    installed_pb: Vec<Vec<Vec<f64>>>, // [t][s][k]
    ingest_gbps: Vec<Vec<f64>>,       // [t][s]
    power_mw: Vec<Vec<f64>>,          // [t][s]
    compute_used: Vec<Vec<f64>>,      // [t][s]
    ingested: Vec<Vec<Vec<f64>>>,     // [t][s][c]
    imported: Vec<Vec<Vec<f64>>>,     // [t][s][c]
    stock: Vec<Vec<Vec<f64>>>,        // [t][s][c]
    trained: Vec<Vec<Vec<f64>>>,      // [t][s][c]
    copied: Vec<Vec<Vec<f64>>>,       // [t][l][c]
    link_gbps: Vec<Vec<f64>>,         // [t][l]
    shortfall: Vec<Vec<f64>>,         // [t][c]
}

struct Audit<'a> {
    scenario: &'a Scenario,
    labels: Vec<String>,
    checks: usize,
    violations: Vec<Violation>,
    /// The smallest amount of compute the audit tells apart, PFLOP: a
    /// millionth of one node of the fastest GPU in one period. The model
    /// counts compute in units of about one such node, and no solver
    /// resolves it finer; a class whose work is below it (0.1 PFLOP next to
    /// nodes of 4e6) is not held to a tolerance the plan cannot have.
    compute_resolution: f64,
}

impl Audit<'_> {
    /// Records one comparison, and a violation when `amount > allowed`.
    fn at_most(
        &mut self,
        rule: &'static str,
        t: Option<usize>,
        place: &str,
        amount: f64,
        allowed: f64,
        what: &str,
    ) {
        self.checks += 1;
        let allowed = allowed + self.resolution(what);
        if exceeds(amount, allowed) {
            self.push(rule, t, place, amount, allowed, what);
        }
    }

    /// Records one comparison, and a violation when the two differ.
    fn equal(
        &mut self,
        rule: &'static str,
        t: Option<usize>,
        place: &str,
        amount: f64,
        expected: f64,
        what: &str,
    ) {
        self.checks += 1;
        if differs(amount, expected) && (amount - expected).abs() > self.resolution(what) {
            self.push(rule, t, place, amount, expected, what);
        }
    }

    /// The absolute resolution of a comparison in the unit `what` names.
    fn resolution(&self, what: &str) -> f64 {
        if what.starts_with("PFLOP") {
            self.compute_resolution
        } else {
            0.0
        }
    }

    fn push(
        &mut self,
        rule: &'static str,
        t: Option<usize>,
        place: &str,
        amount: f64,
        allowed: f64,
        what: &str,
    ) {
        let period = t.map(|t| self.labels[t].clone()).unwrap_or_default();
        let at = [place, period.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        self.violations.push(Violation {
            rule,
            period,
            place: place.to_string(),
            amount,
            allowed,
            text: format!(
                "{at}: {what} is {}, allowed {}",
                number(amount, 4),
                number(allowed, 4)
            ),
        });
    }
}

/// Checks `plan` against `scenario`.
pub fn audit(scenario: &Scenario, plan: &PlanResult) -> AuditReport {
    let calendar = scenario.calendar;
    let labels = calendar.labels();
    let mut audit = Audit {
        scenario,
        labels: labels.clone(),
        checks: 0,
        violations: Vec::new(),
        compute_resolution: TOLERANCE
            * scenario
                .gpus
                .iter()
                .map(|g| {
                    g.gpus_per_node
                        * g.tflops
                        * g.mfu
                        * 1e-3
                        * scenario.calendar.seconds_per_period()
                })
                .fold(0.0, f64::max),
    };
    let finish = |audit: Audit| AuditReport {
        schema: SCHEMA,
        scenario: scenario.name.clone(),
        checks: audit.checks,
        violations: audit.violations,
    };
    if plan.objective.is_none() {
        audit.push(
            "no_plan",
            None,
            "",
            0.0,
            0.0,
            &format!("the plan has status {}, nothing", plan.status),
        );
        return finish(audit);
    }
    let tables = match read_tables(scenario, &labels, plan) {
        Ok(tables) => tables,
        Err(unknown) => {
            for name in unknown {
                audit.checks += 1;
                audit.violations.push(Violation {
                    rule: "unknown_name",
                    period: String::new(),
                    place: name.clone(),
                    amount: 0.0,
                    allowed: 0.0,
                    text: format!(
                        "{name} is not in the scenario: is this plan of another scenario?"
                    ),
                });
            }
            return finish(audit);
        }
    };
    check_purchases(&mut audit, &tables, !plan.relaxed);
    check_data(&mut audit, &tables);
    check_capacity(&mut audit, &tables);
    check_costs(&mut audit, &tables, plan);
    finish(audit)
}

/// Violations shown in a failed plan's message; the JSON has them all.
const SHOWN_VIOLATIONS: usize = 3;

/// The gate every plan passes before anyone sees it: the plan is audited
/// in process, and one that breaks a rule is never shown as optimal or
/// feasible. It becomes a solver failure (`error`, exit 5) whose message
/// and `audit_violations` give the audit's findings, with no rows, so no
/// table, file or study can show its numbers. Reports without a plan pass
/// through as they are.
pub fn certify(scenario: &Scenario, mut plan: PlanResult) -> PlanResult {
    if plan.objective.is_none() {
        return plan;
    }
    let report = audit(scenario, &plan);
    if report.violations.is_empty() {
        return plan;
    }
    let count = report.violations.len();
    let shown: Vec<&str> = report
        .violations
        .iter()
        .take(SHOWN_VIOLATIONS)
        .map(|v| v.text.as_str())
        .collect();
    let more = if count > SHOWN_VIOLATIONS {
        format!("; and {} more", count - SHOWN_VIOLATIONS)
    } else {
        String::new()
    };
    let found_as = std::mem::replace(&mut plan.status, "error".into());
    plan.message = Some(format!(
        "the {} plan failed the independent audit ({count} of {} checks broken), so it is not shown: {}{more}. \
         This is a fault in fsdplan or its solver backend, not in the scenario; try --solver, or report it",
        found_as,
        report.checks,
        shown.join("; "),
    ));
    plan.audit_violations = report.violations.iter().map(|v| v.text.clone()).collect();
    plan.objective = None;
    plan.bound = None;
    plan.gap = None;
    plan.costs.clear();
    plan.gpus.clear();
    plan.storage.clear();
    plan.sites.clear();
    plan.data.clear();
    plan.links.clear();
    plan.shortfall.clear();
    plan
}

/// The plan's rows as arrays, or the names it uses that the scenario lacks.
fn read_tables(
    scenario: &Scenario,
    labels: &[String],
    plan: &PlanResult,
) -> Result<PlanTables, Vec<String>> {
    let (t_n, s_n, g_n, k_n, c_n, l_n) = (
        labels.len(),
        scenario.sites.len(),
        scenario.gpus.len(),
        scenario.storage_tiers.len(),
        scenario.data_classes.len(),
        scenario.links.len(),
    );
    let grid = |a: usize, b: usize| vec![vec![vec![0.0; b]; a]; t_n];
    let flat = |a: usize| vec![vec![0.0; a]; t_n];
    let mut tables = PlanTables {
        bought: grid(s_n, g_n),
        installed: grid(s_n, g_n),
        bought_pb: grid(s_n, k_n),
        installed_pb: grid(s_n, k_n),
        ingest_gbps: flat(s_n),
        power_mw: flat(s_n),
        compute_used: flat(s_n),
        ingested: grid(s_n, c_n),
        imported: grid(s_n, c_n),
        stock: grid(s_n, c_n),
        trained: grid(s_n, c_n),
        copied: grid(l_n, c_n),
        link_gbps: flat(l_n),
        shortfall: flat(c_n),
    };
    let sites: Vec<&str> = scenario.sites.iter().map(|x| x.name.as_str()).collect();
    let gpus: Vec<&str> = scenario.gpus.iter().map(|x| x.name.as_str()).collect();
    let tiers: Vec<&str> = scenario
        .storage_tiers
        .iter()
        .map(|x| x.name.as_str())
        .collect();
    let classes: Vec<&str> = scenario
        .data_classes
        .iter()
        .map(|x| x.name.as_str())
        .collect();
    let links: Vec<&str> = scenario.links.iter().map(|x| x.name.as_str()).collect();
    let mut unknown = Vec::new();
    let mut find = |kind: &str, name: &str, names: &[&str]| {
        let found = names.iter().position(|n| *n == name);
        if found.is_none() {
            let what = format!("{kind} `{name}`");
            if !unknown.contains(&what) {
                unknown.push(what);
            }
        }
        found
    };
    let period = |p: &str| labels.iter().position(|l| l == p);
    for r in &plan.gpus {
        let (t, s, g) = (
            period(&r.period),
            find("site", &r.site, &sites),
            find("gpu", &r.gpu, &gpus),
        );
        if let (Some(t), Some(s), Some(g)) = (t, s, g) {
            tables.bought[t][s][g] += r.bought_nodes;
            tables.installed[t][s][g] += r.installed_nodes;
        }
    }
    for r in &plan.storage {
        let (t, s, k) = (
            period(&r.period),
            find("site", &r.site, &sites),
            find("tier", &r.tier, &tiers),
        );
        if let (Some(t), Some(s), Some(k)) = (t, s, k) {
            tables.bought_pb[t][s][k] += r.bought_pb;
            tables.installed_pb[t][s][k] += r.installed_pb;
        }
    }
    for r in &plan.sites {
        let (t, s) = (period(&r.period), find("site", &r.site, &sites));
        if let (Some(t), Some(s)) = (t, s) {
            tables.ingest_gbps[t][s] = r.ingest_gbps;
            tables.power_mw[t][s] = r.power_mw;
            tables.compute_used[t][s] = r.compute_used_pflop;
        }
    }
    for r in &plan.data {
        let (t, s, c) = (
            period(&r.period),
            find("site", &r.site, &sites),
            find("class", &r.class, &classes),
        );
        if let (Some(t), Some(s), Some(c)) = (t, s, c) {
            tables.ingested[t][s][c] += r.ingested_pb;
            tables.imported[t][s][c] += r.imported_pb;
            tables.stock[t][s][c] += r.stock_pb;
            tables.trained[t][s][c] += r.trained_pflop;
        }
    }
    for r in &plan.links {
        let (t, l, c) = (
            period(&r.period),
            find("link", &r.link, &links),
            find("class", &r.class, &classes),
        );
        if let (Some(t), Some(l), Some(c)) = (t, l, c) {
            tables.copied[t][l][c] += r.copied_pb;
            tables.link_gbps[t][l] = tables.link_gbps[t][l].max(r.gbps);
        }
    }
    for r in &plan.shortfall {
        let (t, c) = (period(&r.period), find("class", &r.class, &classes));
        if let (Some(t), Some(c)) = (t, c) {
            tables.shortfall[t][c] += r.pflop;
        }
    }
    let periods_match = plan.periods == labels;
    if !periods_match {
        unknown.push(format!("periods {:?}", plan.periods));
    }
    if unknown.is_empty() {
        Ok(tables)
    } else {
        Err(unknown)
    }
}

/// Periods a purchase stays installed: round(years * 12 / months), at least 1.
fn life_periods(scenario: &Scenario, years: f64) -> usize {
    ((years * 12.0 / f64::from(scenario.calendar.period_months)).round() as usize).max(1)
}

/// Export control, supply, licence caps, installed counts and the budget;
/// whole nodes unless the plan is a relaxation (`--relax`), whose node
/// counts are fractional by design.
fn check_purchases(audit: &mut Audit, p: &PlanTables, whole_nodes: bool) {
    let scenario = audit.scenario;
    let calendar = scenario.calendar;
    let years_per_period = f64::from(calendar.period_months) / 12.0;
    for t in 0..calendar.periods {
        let mut cash = 0.0;
        for (g, gpu) in scenario.gpus.iter().enumerate() {
            let mut bought_everywhere = 0.0;
            let life = life_periods(scenario, gpu.lifetime_years);
            let price = gpu.price_per_node
                * (1.0 - gpu.price_decline_per_year).powf(t as f64 * years_per_period);
            for (s, site) in scenario.sites.iter().enumerate() {
                let bought = p.bought[t][s][g];
                bought_everywhere += bought;
                let place = format!("{} at {}", gpu.name, site.name);
                if whole_nodes {
                    audit.equal(
                        "whole_nodes",
                        Some(t),
                        &place,
                        bought,
                        bought.round(),
                        "nodes bought",
                    );
                }
                // Where and when it may be bought.
                let mut banned = false;
                let mut factor = 1.0;
                let mut cap: Option<f64> = None;
                for rule in scenario.export_rules.iter().filter(|r| {
                    r.gpu == g
                        && r.jurisdiction == site.jurisdiction
                        && calendar.overlaps(t, &r.months)
                }) {
                    match rule.action {
                        RuleAction::Ban => banned = true,
                        RuleAction::Licence {
                            price_factor,
                            max_installed_nodes_per_site,
                        } => {
                            factor *= price_factor;
                            if let Some(c) = max_installed_nodes_per_site {
                                cap = Some(cap.map_or(c, |x| x.min(c)));
                            }
                        }
                    }
                }
                let allowed_here = gpu.allowed_in.contains(&site.jurisdiction)
                    && calendar.overlaps(t, &gpu.available)
                    && !banned;
                if !allowed_here {
                    let rule = if banned { "export_ban" } else { "not_buyable" };
                    audit.at_most(
                        rule,
                        Some(t),
                        &place,
                        bought,
                        0.0,
                        "nodes bought where export control or availability forbids",
                    );
                } else {
                    audit.checks += 1;
                }
                cash += bought * price * factor;
                // Installed = existing + purchases within their life.
                let first = (t + 1).saturating_sub(life);
                let expected = site.existing_nodes[g]
                    + (first..=t).map(|tau| p.bought[tau][s][g]).sum::<f64>();
                audit.equal(
                    "installed_nodes",
                    Some(t),
                    &place,
                    p.installed[t][s][g],
                    expected,
                    "installed nodes",
                );
                if let Some(cap) = cap {
                    let cap = cap.max(site.existing_nodes[g]);
                    audit.at_most(
                        "licence_cap",
                        Some(t),
                        &place,
                        p.installed[t][s][g],
                        cap,
                        "installed nodes under licence",
                    );
                }
            }
            if let Some(max) = gpu.max_nodes_per_period {
                audit.at_most(
                    "supply_cap",
                    Some(t),
                    &gpu.name,
                    bought_everywhere,
                    max,
                    "nodes bought at all sites",
                );
            }
        }
        for (k, tier) in scenario.storage_tiers.iter().enumerate() {
            let life = life_periods(scenario, tier.lifetime_years);
            let price = tier.price_per_pb
                * (1.0 - tier.price_decline_per_year).powf(t as f64 * years_per_period);
            for (s, site) in scenario.sites.iter().enumerate() {
                cash += p.bought_pb[t][s][k] * price;
                let first = (t + 1).saturating_sub(life);
                let expected = site.existing_storage_pb[k]
                    + (first..=t).map(|tau| p.bought_pb[tau][s][k]).sum::<f64>();
                let place = format!("{} at {}", tier.name, site.name);
                audit.equal(
                    "installed_storage",
                    Some(t),
                    &place,
                    p.installed_pb[t][s][k],
                    expected,
                    "installed PB",
                );
            }
        }
        if let Some(budget) = scenario.budget {
            audit.at_most(
                "budget",
                Some(t),
                "",
                cash,
                budget.capex_per_period,
                "cash spent on purchases",
            );
        }
    }
}

/// Uploads per period and class (PB).
fn uploads(scenario: &Scenario) -> Vec<Vec<f64>> {
    let months = f64::from(scenario.calendar.period_months);
    scenario
        .fleet
        .vehicles_by_period
        .iter()
        .map(|v| {
            scenario
                .data_classes
                .iter()
                .map(|c| v * scenario.fleet.uploading_share * c.gb_per_vehicle_month * months / 1e6)
                .collect()
        })
        .collect()
}

/// Periods a class is retained: ceil(months / period months), at least 1.
fn retention_periods(scenario: &Scenario, months: f64) -> usize {
    ((months / f64::from(scenario.calendar.period_months)).ceil() as usize).max(1)
}

/// Residency, ingest, copies, stock, training and de-identification.
fn check_data(audit: &mut Audit, p: &PlanTables) {
    let scenario = audit.scenario;
    let periods = scenario.calendar.periods;
    let uploads = uploads(scenario);
    let training = &scenario.training;
    for (c, class) in scenario.data_classes.iter().enumerate() {
        let window = retention_periods(scenario, class.retention_months);
        let per_pb = training.epochs_per_period * class.pflop_per_pb * class.training_share;
        for t in 0..periods {
            let first = (t + 1).saturating_sub(window);
            // Every upload ingested, at home sites only.
            let mut ingested = 0.0;
            for (s, site) in scenario.sites.iter().enumerate() {
                let place = format!("{} at {}", class.name, site.name);
                if site.is_home {
                    ingested += p.ingested[t][s][c];
                } else {
                    audit.at_most(
                        "ingest_abroad",
                        Some(t),
                        &place,
                        p.ingested[t][s][c],
                        0.0,
                        "PB uploaded to a non-home site",
                    );
                }
                if class.residency == Residency::HomeOnly && !site.is_home {
                    let held = p.stock[t][s][c] + p.imported[t][s][c];
                    audit.at_most(
                        "residency",
                        Some(t),
                        &place,
                        held,
                        0.0,
                        "PB of a home-only class at a non-home site",
                    );
                }
                // Imports are the copies arriving; stock is the window's inflow.
                let arriving: f64 = scenario
                    .links
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.to == s)
                    .map(|(l, _)| p.copied[t][l][c])
                    .sum();
                audit.equal(
                    "imports",
                    Some(t),
                    &place,
                    p.imported[t][s][c],
                    arriving,
                    "PB imported",
                );
                let inflow: f64 = (first..=t)
                    .map(|tau| p.ingested[tau][s][c] + p.imported[tau][s][c])
                    .sum();
                audit.equal(
                    "retention",
                    Some(t),
                    &place,
                    p.stock[t][s][c],
                    inflow,
                    "stock PB (the retention window's inflow)",
                );
                audit.at_most(
                    "training_data",
                    Some(t),
                    &place,
                    p.trained[t][s][c],
                    per_pb * p.stock[t][s][c],
                    "PFLOP trained on the stock",
                );
            }
            audit.equal(
                "ingest_all",
                Some(t),
                &class.name,
                ingested,
                uploads[t][c],
                "PB ingested at home sites",
            );
            // Training demand met or short.
            let corpus: f64 = (first..=t).map(|tau| uploads[tau][c]).sum();
            let demand = per_pb * corpus;
            let trained: f64 = (0..scenario.sites.len()).map(|s| p.trained[t][s][c]).sum();
            audit.equal(
                "training_demand",
                Some(t),
                &class.name,
                trained + p.shortfall[t][c],
                demand,
                "PFLOP trained plus shortfall",
            );
            if training.shortfall_price_per_pflop.is_none() {
                audit.at_most(
                    "shortfall",
                    Some(t),
                    &class.name,
                    p.shortfall[t][c],
                    0.0,
                    "PFLOP short with demand a hard constraint",
                );
            }
            // Copies: bounded by arrivals at the source; quotas on leaving home.
            let mut exported = 0.0;
            for (l, link) in scenario.links.iter().enumerate() {
                let copied = p.copied[t][l][c];
                let source = p.ingested[t][link.from][c] + p.imported[t][link.from][c];
                let place = format!("{} on {}", class.name, link.name);
                audit.at_most(
                    "copy_source",
                    Some(t),
                    &place,
                    copied,
                    source,
                    "PB copied (what arrived at the source)",
                );
                if class.residency == Residency::HomeOnly && !scenario.sites[link.to].is_home {
                    audit.at_most(
                        "residency",
                        Some(t),
                        &place,
                        copied,
                        0.0,
                        "PB of a home-only class copied abroad",
                    );
                }
                if scenario.sites[link.from].is_home && !scenario.sites[link.to].is_home {
                    exported += copied;
                }
            }
            if let Some(quota) = class.export_max_pb_per_period {
                audit.at_most(
                    "export_quota",
                    Some(t),
                    &class.name,
                    exported,
                    quota,
                    "PB leaving home",
                );
            }
        }
    }
}

/// De-identification work at each site in period t (PFLOP).
fn deid_work(scenario: &Scenario, p: &PlanTables, t: usize, s: usize) -> f64 {
    scenario
        .links
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            l.from == s && scenario.sites[l.from].is_home && !scenario.sites[l.to].is_home
        })
        .map(|(l, _)| {
            scenario
                .data_classes
                .iter()
                .enumerate()
                .filter(|(_, c)| c.residency == Residency::ExportAfterDeid)
                .map(|(c, class)| class.deid_pflop_per_pb * p.copied[t][l][c])
                .sum::<f64>()
        })
        .sum()
}

/// Compute, storage, read bandwidth, power and bandwidth leases.
fn check_capacity(audit: &mut Audit, p: &PlanTables) {
    let scenario = audit.scenario;
    let calendar = scenario.calendar;
    let seconds = 3600.0 * 730.0 * f64::from(calendar.period_months);
    let base = scenario.training.base_pflop_per_period;
    for t in 0..calendar.periods {
        let mut base_done = 0.0;
        for (s, site) in scenario.sites.iter().enumerate() {
            let name = site.name.as_str();
            let compute: f64 = scenario
                .gpus
                .iter()
                .enumerate()
                .map(|(g, gpu)| {
                    gpu.gpus_per_node * gpu.tflops * gpu.mfu * 1e-3 * seconds * p.installed[t][s][g]
                })
                .sum();
            audit.at_most(
                "compute",
                Some(t),
                name,
                p.compute_used[t][s],
                compute,
                "PFLOP of work",
            );
            // Work = training + base + de-identification at the source.
            let trained: f64 = p.trained[t][s].iter().sum();
            let deid = deid_work(scenario, p, t, s);
            let rest = p.compute_used[t][s] - trained - deid;
            audit.at_most(
                "deidentification",
                Some(t),
                name,
                deid + trained,
                p.compute_used[t][s],
                "PFLOP of training and de-identification",
            );
            base_done += rest.max(0.0);
            // Storage holds the stock; reads fit the read bandwidth.
            let usable: f64 = scenario
                .storage_tiers
                .iter()
                .enumerate()
                .map(|(k, tier)| tier.usable_fraction * p.installed_pb[t][s][k])
                .sum();
            audit.at_most(
                "storage",
                Some(t),
                name,
                p.stock[t][s].iter().sum(),
                usable,
                "PB stored",
            );
            let read: f64 = scenario
                .storage_tiers
                .iter()
                .enumerate()
                .map(|(k, tier)| tier.read_gb_per_s_per_pb * p.installed_pb[t][s][k])
                .sum();
            let reads =
                scenario.training.read_gb_per_pflop * (p.compute_used[t][s] - deid) / seconds;
            audit.at_most("storage_reads", Some(t), name, reads, read, "GB/s read");
            // Power from what is installed.
            let kw: f64 = scenario
                .gpus
                .iter()
                .enumerate()
                .map(|(g, gpu)| gpu.node_kw * p.installed[t][s][g])
                .sum::<f64>()
                + scenario
                    .storage_tiers
                    .iter()
                    .enumerate()
                    .map(|(k, tier)| tier.kw_per_pb * p.installed_pb[t][s][k])
                    .sum::<f64>();
            let power = site.pue * kw / 1000.0;
            audit.equal(
                "power",
                Some(t),
                name,
                p.power_mw[t][s],
                power,
                "MW reported",
            );
            if let Some(cap) = site.power_cap_mw {
                audit.at_most("power_cap", Some(t), name, power, cap, "MW drawn");
            }
            // Ingest bandwidth.
            let ingested: f64 = p.ingested[t][s].iter().sum();
            let needed = scenario.fleet.upload_peak_to_average * 8e6 * ingested / seconds;
            audit.at_most(
                "ingest_bandwidth",
                Some(t),
                name,
                needed,
                p.ingest_gbps[t][s],
                "Gbps of uploads",
            );
            if let Some(max) = site.ingest_max_gbps {
                audit.at_most(
                    "ingest_cap",
                    Some(t),
                    name,
                    p.ingest_gbps[t][s],
                    max,
                    "Gbps leased",
                );
            }
        }
        audit.at_most(
            "base_compute",
            Some(t),
            "",
            base,
            base_done,
            "PFLOP of base compute",
        );
        for (l, link) in scenario.links.iter().enumerate() {
            let copied: f64 = p.copied[t][l].iter().sum();
            let needed = 8e6 * copied / seconds;
            audit.at_most(
                "link_bandwidth",
                Some(t),
                &link.name,
                needed,
                p.link_gbps[t][l],
                "Gbps of copies",
            );
            if let Some(max) = link.max_gbps {
                audit.at_most(
                    "link_cap",
                    Some(t),
                    &link.name,
                    p.link_gbps[t][l],
                    max,
                    "Gbps leased",
                );
            }
        }
    }
}

/// Every cost category recomputed from the decisions, the totals, the
/// discounting and the NPV.
fn check_costs(audit: &mut Audit, p: &PlanTables, plan: &PlanResult) {
    let scenario = audit.scenario;
    let calendar = scenario.calendar;
    let months = f64::from(calendar.period_months);
    let years = months / 12.0;
    let hours = 730.0 * months;
    let rate = (1.0 + scenario.discount_rate).powf(years) - 1.0;
    let annuity = |life: usize| {
        if rate == 0.0 {
            1.0 / life as f64
        } else {
            rate / (1.0 - (1.0 + rate).powi(-(life as i32)))
        }
    };
    let rows: BTreeMap<&str, &CostRow> =
        plan.costs.iter().map(|r| (r.period.as_str(), r)).collect();
    let mut npv = 0.0;
    for t in 0..calendar.periods {
        let label = audit.labels[t].clone();
        let Some(row) = rows.get(label.as_str()) else {
            audit.push("costs", Some(t), "", 0.0, 0.0, "the cost row is missing");
            continue;
        };
        let mut gpu_capital = 0.0;
        let mut maintenance = 0.0;
        for (g, gpu) in scenario.gpus.iter().enumerate() {
            let life = life_periods(scenario, gpu.lifetime_years);
            for (s, site) in scenario.sites.iter().enumerate() {
                maintenance += gpu.maintenance_per_node_year * p.installed[t][s][g] * years;
                for tau in (t + 1).saturating_sub(life)..=t {
                    let mut factor = 1.0;
                    for rule in scenario.export_rules.iter().filter(|r| {
                        r.gpu == g
                            && r.jurisdiction == site.jurisdiction
                            && calendar.overlaps(tau, &r.months)
                    }) {
                        if let RuleAction::Licence { price_factor, .. } = rule.action {
                            factor *= price_factor;
                        }
                    }
                    let price = gpu.price_per_node
                        * (1.0 - gpu.price_decline_per_year).powf(tau as f64 * years)
                        * factor;
                    gpu_capital += p.bought[tau][s][g] * price * annuity(life);
                }
            }
        }
        let mut storage_capital = 0.0;
        for (k, tier) in scenario.storage_tiers.iter().enumerate() {
            let life = life_periods(scenario, tier.lifetime_years);
            for s in 0..scenario.sites.len() {
                for tau in (t + 1).saturating_sub(life)..=t {
                    let price = tier.price_per_pb
                        * (1.0 - tier.price_decline_per_year).powf(tau as f64 * years);
                    storage_capital += p.bought_pb[tau][s][k] * price * annuity(life);
                }
            }
        }
        let ingest: f64 = scenario
            .sites
            .iter()
            .enumerate()
            .map(|(s, site)| p.ingest_gbps[t][s] * site.ingest_price_per_gbps_month * months)
            .sum();
        let link: f64 = scenario
            .links
            .iter()
            .enumerate()
            .map(|(l, link)| p.link_gbps[t][l] * link.price_per_gbps_month * months)
            .sum();
        let energy: f64 = scenario
            .sites
            .iter()
            .enumerate()
            .map(|(s, site)| p.power_mw[t][s] * 1000.0 * hours * site.energy_price_per_kwh)
            .sum();
        let shortfall: f64 = p.shortfall[t].iter().sum::<f64>()
            * scenario.training.shortfall_price_per_pflop.unwrap_or(0.0);
        let recomputed = [
            gpu_capital,
            storage_capital,
            maintenance,
            ingest,
            link,
            energy,
            shortfall,
        ];
        let expected = row
            .categories()
            .into_iter()
            .zip(recomputed)
            .map(|((category, reported), recomputed)| (category, reported, recomputed));
        let mut total = 0.0;
        for (category, reported, recomputed) in expected {
            // Cost rows are compared to the period's total, so a category
            // near zero is not held to a tolerance of its own size.
            audit.checks += 1;
            if (reported - recomputed).abs() > TOLERANCE * row.total.abs().max(1.0) {
                audit.push(
                    "costs",
                    Some(t),
                    category,
                    reported,
                    recomputed,
                    &format!("{category} cost"),
                );
            }
            total += reported;
        }
        audit.equal(
            "costs",
            Some(t),
            "total",
            row.total,
            total,
            "the period's total",
        );
        let discount = (1.0 + rate).powi(-(t as i32));
        audit.equal(
            "costs",
            Some(t),
            "discounted_total",
            row.discounted_total,
            row.total * discount,
            "the discounted total",
        );
        npv += row.total * discount;
    }
    audit.equal(
        "npv",
        None,
        "objective",
        plan.objective.unwrap_or(0.0),
        npv,
        "the NPV",
    );
}
