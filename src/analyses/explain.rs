//! Why the plan looks the way it does: the limits that bind, each with what
//! one more unit of it would be worth, and the marginal cost of training
//! compute and of storage, in the planner's words and units.
//!
//! After an integer plan, the purchases are fixed at the plan's values and
//! the continuous rest is re-solved; after `--relax`, the relaxation is used
//! as it is. The value of a limit is measured, not read from a dual: the
//! limit is loosened by a small step (0.1 % of its level) and the LP is
//! re-solved, so the value is the one-sided derivative of the NPV in the
//! direction that matters ("each extra MW would save ..."). This works with
//! any LP backend, duals or not, and is well defined where the dual is not
//! unique (degenerate optima).
//!
//! Sign convention, pinned by tests: a limit's `value_per_unit` is the NPV
//! saved per unit of loosening, so it is >= 0 for a binding cap; a demand's
//! marginal cost is the NPV added per unit of extra demand, >= 0.
//!
//! Export bans have no row to loosen (a banned purchase has no column). A ban
//! is valued by planning the LP relaxation without the rule and comparing it
//! with the LP relaxation of the scenario itself; the text says so.

use serde::{Deserialize, Serialize};

use crate::model::lp::split_name;
use crate::model::Grid;
use crate::model::{LinearProgram, Sense};
use crate::numbers::{millions, number, period_ranges};
use crate::plan::hedged::{HedgedRun, InFuture};
use crate::plan::{self, PlanOptions, PlanRun};
use crate::scenario::{RuleAction, Scenario};
use crate::solve::{Clock, LpBackend, LpOutcome};
use crate::units::Scales;

pub const SCHEMA: &str = "fsdplan.explain/1";

/// One limit that binds, valued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct BindingLimit {
    /// The family: `power_cap`, `ingest_cap`, `link_cap`, `supply_cap`,
    /// `licence_cap`, `budget`, `export_quota`, `export_ban`.
    pub kind: String,
    /// The model's name for it, e.g. `power_cap[lingang,2026Q1]`.
    pub name: String,
    /// The unit one more of which is valued: `MW`, `Gbps`, `node`,
    /// `EFLOP`, `PB`, `M` (millions of the currency), or `rule` for a ban.
    pub unit: String,
    /// NPV saved per unit of loosening (currency).
    pub value_per_unit: f64,
    /// NPV saved by loosening it 1 % of its level (the ranking key).
    pub value_of_one_percent: f64,
    /// Extension: what binds, without its period ("export quota
    /// camera_video"), so that tables can gather its periods into runs.
    #[serde(default)]
    pub subject: String,
    /// Extension: the period it binds in (`None` for a ban, which has its
    /// periods in its subject).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// In words.
    pub text: String,
}

/// The marginal cost of one more unit of demand or of stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct MarginalCost {
    /// `training` (per class and period, and base compute), `compute` or
    /// `storage` (per site and period).
    pub kind: String,
    pub name: String,
    pub unit: String,
    /// NPV added per unit (currency); for storage, NPV saved per extra
    /// usable PB.
    pub value_per_unit: f64,
    pub text: String,
    /// Extension: what it is the cost of, without its period.
    #[serde(default)]
    pub subject: String,
    /// Extension: its period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
}

/// What explains a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainReport {
    pub schema: String,
    pub scenario: String,
    pub currency: String,
    /// `fixed purchases` (after an integer plan) or `LP relaxation`.
    pub basis: String,
    /// How values were found, and what could not be.
    pub method: String,
    /// Extension: the plan's period labels, in order (for grouping rows
    /// into runs of periods).
    #[serde(default)]
    pub periods: Vec<String>,
    /// Ranked by `value_of_one_percent`, largest first.
    pub limits: Vec<BindingLimit>,
    pub marginal_costs: Vec<MarginalCost>,
}

/// How a row or column name maps to a family, its unit and the words.
struct Family {
    kind: &'static str,
    unit: &'static str,
    /// Natural units per model unit of the row (e.g. PFLOP per compute unit).
    per_model_unit: f64,
    /// Words before the per-unit value: the subject, then the period.
    words: String,
    subject: String,
    period: String,
}

fn family(name: &str, money: f64, compute: f64) -> Option<Family> {
    let (head, args) = split_name(name);
    let arg = |i: usize| args.get(i).copied().unwrap_or("");
    // The period is the name's last argument.
    let period = args.last().copied().unwrap_or("").to_string();
    let f = |kind, unit, per_model_unit, subject: String| {
        let words = if kind == "budget" {
            format!("{subject} {period}")
        } else {
            format!("{subject}, {period}")
        };
        Some(Family {
            kind,
            unit,
            per_model_unit,
            words,
            subject,
            period: period.clone(),
        })
    };
    match head {
        "power_cap" => f("power_cap", "MW", 1.0, format!("power cap at {}", arg(0))),
        "ingest_gbps" => f(
            "ingest_cap",
            "Gbps",
            1.0,
            format!("ingest cap at {}", arg(0)),
        ),
        "link_gbps" => f("link_cap", "Gbps", 1.0, format!("link cap {}", arg(0))),
        "supply_cap" => f("supply_cap", "node", 1.0, format!("supply cap {}", arg(0))),
        "licence_cap" => f(
            "licence_cap",
            "node",
            1.0,
            format!("licence cap {} at {}", arg(0), arg(1)),
        ),
        "budget" => f("budget", "M", money / 1e6, "budget".to_string()),
        "export_quota" => f(
            "export_quota",
            "PB",
            1.0,
            format!("export quota {}", arg(0)),
        ),
        "compute_capacity" => f(
            "compute",
            "EFLOP",
            compute / 1e3,
            format!("compute at {}", arg(0)),
        ),
        "storage_capacity" => f("storage", "PB", 1.0, format!("storage at {}", arg(0))),
        "base_demand" => f(
            "training",
            "EFLOP",
            compute / 1e3,
            "base compute".to_string(),
        ),
        "training_demand" => f(
            "training",
            "EFLOP",
            compute / 1e3,
            format!("training compute for {}", arg(0)),
        ),
        _ => None,
    }
}

/// Explains a planning run. `clock` is used for the re-solves of banned
/// purchases (whole LP plans).
pub fn explain(run: &PlanRun, backend: &dyn LpBackend, clock: &dyn Clock) -> ExplainReport {
    let scenario = run.input.scenario;
    let lp = &run.model.lp;
    let relaxed = run.options.relax;
    let basis = if relaxed {
        "LP relaxation"
    } else {
        "fixed purchases"
    };
    let mut report = empty_report(scenario, basis);
    let Some(plan_values) = &run.outcome.values else {
        report.method = "no plan to explain: the scenario has no feasible plan".into();
        return report;
    };
    // The basis: integers fixed at the plan (or the relaxation as is).
    let mut bounds = lp.bounds();
    if !relaxed {
        for (i, column) in lp.columns.iter().enumerate() {
            if column.integer {
                let v = plan_values[i].round();
                bounds[i] = (v, v);
            }
        }
    }
    value_limits(
        &mut report,
        scenario,
        lp,
        run.model.scales,
        bounds,
        run.options,
        backend,
        clock,
    );
    report
}

/// What explains a hedged plan, future by future (`explain` and `plan
/// --explain` on a scenario with events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HedgedExplainReport {
    pub schema: String,
    pub scenario: String,
    pub currency: String,
    pub basis: String,
    pub method: String,
    /// Extension: the period labels, in order.
    #[serde(default)]
    pub periods: Vec<String>,
    /// Each future's binding limits, futures in order, each's ranked by
    /// `value_of_one_percent`, largest first.
    pub limits: Vec<InFuture<BindingLimit>>,
    pub marginal_costs: Vec<InFuture<MarginalCost>>,
}

pub const HEDGED_SCHEMA: &str = "fsdplan.hedged-explain/1";

/// Explains a hedged plan: in each future, that future's model with the
/// hedged plan's purchases, explained as [`explain`] explains one plan.
/// Node purchases are fixed (after an integer plan), and so is every
/// purchase the future shares with others in a period before an event
/// tells them apart; what the future buys alone re-optimises as in
/// `explain`. With the shared purchases fixed, the futures meet nowhere
/// else, so each value is what one more unit of a limit saves of that
/// future's NPV, should that future happen. Bans are valued by LP
/// relaxations of that future alone, with and without the rule.
pub fn explain_hedged(
    run: &HedgedRun,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> HedgedExplainReport {
    let mut report = HedgedExplainReport {
        schema: HEDGED_SCHEMA.into(),
        scenario: run.base.name.clone(),
        currency: run.base.currency.clone(),
        basis: if run.options.relax {
            "LP relaxation, each future with the purchases it shares fixed as the hedged plan made them"
        } else {
            "fixed purchases, each future's as the hedged plan made them"
        }
        .into(),
        method: "in each future, each limit loosened by 0.1% of its level and the LP re-solved; \
                 bans valued by LP plans of the future alone without the rule"
            .into(),
        periods: period_labels(run.base),
        limits: Vec::new(),
        marginal_costs: Vec::new(),
    };
    let Some(values) = &run.outcome.values else {
        report.method = "no plan to explain: the scenario has no feasible hedged plan".into();
        return report;
    };
    let relaxed = run.options.relax;
    // The futures that hold each purchase column of the hedged model.
    let node_holders = run.model.holders(|i| &i.buy_nodes);
    let storage_holders = run.model.holders(|i| &i.buy_storage);
    for ((future, input), hedged) in run.futures.iter().zip(&run.inputs).zip(&run.model.futures) {
        let model = crate::model::build(input);
        let mut bounds = model.lp.bounds();
        // A purchase shared with other futures stays as the hedged plan
        // made it (moving it would move theirs); one this future makes
        // alone re-optimises as in `explain`: storage always, nodes only
        // in the relaxation. A purchase the hedged model has no column for
        // may not be made.
        let fix = |own: &Grid,
                   shared: &Grid,
                   holders: &[Vec<usize>],
                   integer: bool,
                   bounds: &mut [(f64, f64)]| {
            for ([t, s, k], var) in own.columns() {
                let hedged_var = shared.get(t, s, k);
                let alone = hedged_var.is_some_and(|h| holders[h.0].len() == 1);
                if alone && (relaxed || !integer) {
                    continue;
                }
                let v = hedged_var.map_or(0.0, |h| values[h.0]);
                let v = if integer && !relaxed {
                    v.round()
                } else {
                    v.max(0.0)
                };
                bounds[var.0] = (v, v);
            }
        };
        fix(
            &model.index.buy_nodes,
            &hedged.index.buy_nodes,
            &node_holders,
            true,
            &mut bounds,
        );
        fix(
            &model.index.buy_storage,
            &hedged.index.buy_storage,
            &storage_holders,
            false,
            &mut bounds,
        );
        let mut one = empty_report(&future.scenario, "");
        value_limits(
            &mut one,
            &future.scenario,
            &model.lp,
            model.scales,
            bounds,
            run.options,
            backend,
            clock,
        );
        for ban in one.limits.iter_mut().filter(|l| l.kind == "export_ban") {
            ban.text = ban.text.replace(
                "(LP relaxations with and without it)",
                "(LP relaxations of this future alone, with and without it)",
            );
        }
        let name = &future.name;
        report
            .limits
            .extend(one.limits.into_iter().map(|row| InFuture::new(name, row)));
        report.marginal_costs.extend(
            one.marginal_costs
                .into_iter()
                .map(|row| InFuture::new(name, row)),
        );
    }
    report
}

fn empty_report(scenario: &Scenario, basis: &str) -> ExplainReport {
    ExplainReport {
        schema: SCHEMA.into(),
        scenario: scenario.name.clone(),
        currency: scenario.currency.clone(),
        basis: basis.into(),
        method: "each limit loosened by 0.1% of its level and the LP re-solved \
                 (no backend duals needed); bans valued by LP plans without the rule"
            .into(),
        periods: period_labels(scenario),
        limits: Vec::new(),
        marginal_costs: Vec::new(),
    }
}

/// The scenario's period labels, in order.
fn period_labels(scenario: &Scenario) -> Vec<String> {
    let calendar = &scenario.calendar;
    (0..calendar.periods).map(|t| calendar.label(t)).collect()
}

/// Values every binding limit and demand of `lp` at the basis `bounds`
/// into `report`.
#[allow(clippy::too_many_arguments)]
fn value_limits(
    report: &mut ExplainReport,
    scenario: &Scenario,
    lp: &LinearProgram,
    scales: Scales,
    bounds: Vec<(f64, f64)>,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) {
    let backend: &dyn LpBackend = &crate::solve::Guarded(backend);
    let money = scales.money;
    let compute = scales.compute;
    let currency = scenario.currency.as_str();
    let LpOutcome::Optimal {
        values,
        objective: base,
    } = backend.solve(lp, &bounds, None)
    else {
        report.method = "the LP with the plan's purchases fixed could not be re-solved".into();
        return;
    };

    let resolve = |lp: &LinearProgram, bounds: &[(f64, f64)]| match backend.solve(lp, bounds, None)
    {
        LpOutcome::Optimal { objective, .. } => Some(objective),
        _ => None,
    };

    // Caps and demands written as rows.
    for (r, row) in lp.rows.iter().enumerate() {
        let Some(fam) = family(&row.name, money, compute) else {
            continue;
        };
        let activity: f64 = row.terms.iter().map(|&(v, c)| c * values[v.0]).sum();
        let scale: f64 = row
            .terms
            .iter()
            .map(|&(v, c)| (c * values[v.0]).abs())
            .sum::<f64>()
            / 2.0;
        let level = row.rhs.abs().max(scale).max(1e-9);
        let is_demand = row.sense == Sense::Eq;
        let binding = is_demand || (activity - row.rhs).abs() <= 1e-7 * level.max(1.0);
        if !binding {
            continue;
        }
        let step = 1e-3 * level.max(1e-3);
        let mut loosened = lp.clone();
        loosened.rows[r].rhs += match row.sense {
            Sense::Ge => -step,
            _ => step,
        };
        let Some(objective) = resolve(&loosened, &bounds) else {
            continue;
        };
        // Currency per natural unit.
        let per_unit = (base - objective) * money / (step * fam.per_model_unit);
        let one_percent = (base - objective) * money * 10.0;
        if is_demand {
            let cost = -per_unit;
            report.marginal_costs.push(MarginalCost {
                kind: fam.kind.into(),
                name: row.name.clone(),
                unit: fam.unit.into(),
                value_per_unit: clean(cost),
                text: format!(
                    "{}: each extra {} costs {currency} {}",
                    fam.words,
                    fam.unit,
                    money_text(cost)
                ),
                subject: fam.subject.clone(),
                period: Some(fam.period.clone()),
            });
            continue;
        }
        // Compute and storage capacity are the plan's own decisions, not
        // the scenario's limits: their values are marginal costs.
        if fam.kind == "storage" || fam.kind == "compute" {
            let what = if fam.kind == "storage" {
                "usable PB".to_string()
            } else {
                "EFLOP of capacity".to_string()
            };
            report.marginal_costs.push(MarginalCost {
                kind: fam.kind.into(),
                name: row.name.clone(),
                unit: fam.unit.into(),
                value_per_unit: clean(per_unit),
                text: format!(
                    "{}: each extra {what} would save {currency} {}",
                    fam.words,
                    money_text(per_unit)
                ),
                subject: fam.subject.clone(),
                period: Some(fam.period.clone()),
            });
            continue;
        }
        if saves(base, objective) && per_unit.abs() >= 1e-9 * money {
            report
                .limits
                .push(valued(&fam, &row.name, per_unit, one_percent, currency));
        }
    }

    // Caps written as column bounds (ingest and link leases).
    for (i, column) in lp.columns.iter().enumerate() {
        if !column.upper.is_finite() || column.integer {
            continue;
        }
        let Some(fam) = family(&column.name, money, compute) else {
            continue;
        };
        if values[i] < column.upper - 1e-7 * column.upper.max(1.0) {
            continue;
        }
        let step = 1e-3 * column.upper.max(1e-3);
        let mut loosened = bounds.clone();
        loosened[i].1 += step;
        let Some(objective) = resolve(lp, &loosened) else {
            continue;
        };
        let per_unit = (base - objective) * money / step;
        if saves(base, objective) && per_unit.abs() >= 1e-9 * money {
            let one_percent = (base - objective) * money * 10.0;
            report
                .limits
                .push(valued(&fam, &column.name, per_unit, one_percent, currency));
        }
    }

    report
        .limits
        .extend(ban_values(scenario, options, backend, clock));
    report.limits.sort_by(|a, b| {
        b.value_of_one_percent
            .total_cmp(&a.value_of_one_percent)
            .then_with(|| a.name.cmp(&b.name))
    });
}

/// A binding cap with its value, in words.
fn valued(
    fam: &Family,
    name: &str,
    per_unit: f64,
    one_percent: f64,
    currency: &str,
) -> BindingLimit {
    BindingLimit {
        kind: fam.kind.into(),
        name: name.to_string(),
        unit: fam.unit.into(),
        value_per_unit: clean(per_unit),
        value_of_one_percent: clean(one_percent),
        text: format!(
            "{}: each extra {} would save {currency} {} of NPV",
            fam.words,
            unit_words(fam.unit, currency),
            money_text(per_unit)
        ),
        subject: fam.subject.clone(),
        period: Some(fam.period.clone()),
    }
}

/// Each ban rule in force during the horizon, valued by the LP relaxation
/// without it against the LP relaxation with it.
fn ban_values(
    scenario: &Scenario,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> Vec<BindingLimit> {
    let relaxed = PlanOptions {
        relax: true,
        ..options
    };
    // NPV of the LP relaxation in currency, when it has one.
    let lp_npv = |s: &Scenario| {
        let run = plan::run(s, relaxed, backend, clock);
        let npv = run.outcome.objective * run.model.scales.money;
        run.outcome.values.is_some().then_some(npv)
    };
    let Some(with_rules) = lp_npv(scenario) else {
        return Vec::new();
    };
    let calendar = scenario.calendar;
    let labels = calendar.labels();
    let mut limits = Vec::new();
    for (i, rule) in scenario.export_rules.iter().enumerate() {
        if rule.action != RuleAction::Ban {
            continue;
        }
        let periods: Vec<usize> = (0..calendar.periods)
            .filter(|&t| calendar.overlaps(t, &rule.months))
            .collect();
        if periods.is_empty() {
            continue;
        }
        let mut lifted = scenario.clone();
        lifted.export_rules.remove(i);
        let Some(without) = lp_npv(&lifted) else {
            continue;
        };
        let saving = with_rules - without;
        if saving <= 1e-9 * with_rules.abs() {
            continue;
        }
        let gpu = &scenario.gpus[rule.gpu].name;
        let subject = format!(
            "{gpu} ban in {}, {}",
            rule.jurisdiction,
            period_ranges(&labels, &periods)
        );
        limits.push(BindingLimit {
            kind: "export_ban".into(),
            name: format!("export_rule[{i}]"),
            unit: "rule".into(),
            value_per_unit: clean(saving),
            value_of_one_percent: clean(saving),
            text: format!(
                "{subject}: lifting it would save {} {} of NPV (LP relaxations with and without it)",
                scenario.currency,
                money_text(saving)
            ),
            subject,
            period: None,
        });
    }
    limits
}

/// Whether loosening a cap saved more than a re-solve's noise. Loosening
/// never costs more in exact arithmetic, so a rise is noise too.
fn saves(base: f64, loosened: f64) -> bool {
    base - loosened > 1e-10 * base.abs().max(1.0)
}

fn clean(x: f64) -> f64 {
    if x.abs() < 1e-9 {
        0.0
    } else {
        x
    }
}

/// Money in words: `1.9 M` for millions, `52,300` below.
pub fn money_text(x: f64) -> String {
    if x.abs() >= 1e6 {
        format!("{} M", millions(x))
    } else if x.abs() >= 100.0 {
        number(x, 0)
    } else {
        number(x, 2)
    }
}

/// "MW", "node allowed", "CNY 1 M of capex".
fn unit_words(unit: &str, currency: &str) -> String {
    match unit {
        "node" => "node allowed".into(),
        "M" => format!("{currency} 1 M of capex"),
        "EFLOP" => "EFLOP of compute".into(),
        other => other.into(),
    }
}
