//! Why a scenario has no plan, in the planner's words.
//!
//! First, cheap checks catch the obvious cases with a specific message: a
//! class with training demand that no site it may be kept at can ever train
//! (home-only data and no GPU at any home site), or a period with demand in
//! which no node can be installed anywhere. Then an elastic version of the
//! model is solved: every capacity limit (power caps, ingest and link caps,
//! supply caps, licence caps, budget, export quotas) and every demand
//! (ingest of uploads, training demand, base compute) may be violated, at a
//! penalty of one per 100 % of the limit's level. The smallest total of
//! relative violations is what the scenario is missing, reported per period
//! with its amount: "2026Q3: camera_video training short by 1.2 EFLOP;
//! power cap at lingang: needs 6.3 MW more (40 MW)". Node counts are
//! continuous in the elastic model, so it explains LP infeasibility; a
//! scenario whose LP relaxation has a plan but whose integer model has none
//! is said to be so.

use serde::{Deserialize, Serialize};

use crate::model::lp::split_name;
use crate::model::{LinExpr, PlanInput, PlanModel, Sense, Var};
use crate::numbers::number;
use crate::solve::{LpBackend, LpOutcome};

/// One thing the scenario is missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Missing {
    pub period: String,
    /// `power_cap`, `ingest_cap`, `link_cap`, `supply_cap`, `licence_cap`,
    /// `budget`, `export_quota`, `uploads`, `training`, `base_compute`.
    pub kind: String,
    /// The model's name of the limit or demand.
    pub name: String,
    /// How much more the limit must allow (or how much demand is unmet).
    pub amount: f64,
    pub unit: String,
    pub text: String,
}

/// Why there is no plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Infeasibility {
    /// Messages of the cheap checks that failed.
    pub checks: Vec<String>,
    /// The smallest set of violations that gives a plan, earliest first.
    pub missing: Vec<Missing>,
    /// One line per finding, for people.
    pub lines: Vec<String>,
}

/// Model money units per 100 % violation of a limit.
const PENALTY: f64 = 1e4;

/// How an elastic row is read back.
struct Elastic {
    slack: Var,
    kind: &'static str,
    name: String,
    unit: &'static str,
    /// Natural units per model unit.
    per_model_unit: f64,
    /// The limit's level in natural units (for the text), if a cap.
    level: Option<f64>,
    words: String,
    period: String,
}

/// What an elastic solve found: the amounts missing, no solution even
/// with everything elastic, or nothing known (the backend failed or ran out
/// of time, which must never read as "no solution").
enum ElasticOutcome {
    Missing(Vec<Missing>),
    NoSolution,
    Unknown,
}

/// Explains why the model of `input` has no plan, each LP solve within
/// `seconds` when given (what is left of the command's time limit).
pub fn explain(
    input: &PlanInput,
    model: &PlanModel,
    backend: &dyn LpBackend,
    seconds: Option<f64>,
) -> Infeasibility {
    let mut result = Infeasibility {
        checks: cheap_checks(input),
        ..Infeasibility::default()
    };
    result.lines.extend(result.checks.iter().cloned());

    // Is it only the integers?
    let mut relaxed = model.lp.clone();
    relaxed.columns.iter_mut().for_each(|c| c.integer = false);
    let cut_short = |mut result: Infeasibility| {
        result.lines.push(
            "the time limit left no time to find which limits are short; raise --time-limit \
             for the full explanation"
                .into(),
        );
        result
    };
    let relaxed_outcome = backend.solve(&relaxed, &relaxed.bounds(), seconds);
    if matches!(relaxed_outcome, LpOutcome::Failed(_)) {
        return cut_short(result);
    }
    if matches!(relaxed_outcome, LpOutcome::Optimal { .. }) {
        result.lines.push(
            "the LP relaxation has a plan but no plan with whole nodes was found: \
             a cap allows fractions of a node only (check licence and supply caps and \
             power caps against node sizes), or raise --time-limit"
                .into(),
        );
        return result;
    }

    // With the limits as they are: how much demand goes unmet.
    let short = elastic_solve(input, model, &relaxed, Give::Demands, backend, seconds);
    // With all demand met: how much more each limit must allow.
    let more = elastic_solve(input, model, &relaxed, Give::Limits, backend, seconds);
    let known = |found: ElasticOutcome| match found {
        ElasticOutcome::Missing(missing) => Ok(Some(missing)),
        ElasticOutcome::NoSolution => Ok(None),
        ElasticOutcome::Unknown => Err(()),
    };
    let (Ok(short), Ok(more)) = (known(short), known(more)) else {
        return cut_short(result);
    };
    match (&short, &more) {
        (None, None) => result.lines.push(
            "even with every capacity limit and demand allowed to give way, the model \
             has no solution: check residency (a home-only class needs a home site with \
             storage) and the links"
                .into(),
        ),
        (_, None) => result.lines.push(format!(
            "no capacity limit can make up for it: raising power, supply, licence, \
             bandwidth caps, the budget or export quotas does not meet the demand ({})",
            what_blocks_training(input.scenario)
        )),
        _ => {}
    }
    let order = |p: &str| {
        input
            .labels
            .iter()
            .position(|l| l == p)
            .unwrap_or(usize::MAX)
    };
    for found in [short, more].into_iter().flatten() {
        result.missing.extend(found);
    }
    result.missing.sort_by(|a, b| {
        (order(&a.period), kind_rank(&a.kind), &a.name).cmp(&(
            order(&b.period),
            kind_rank(&b.kind),
            &b.name,
        ))
    });
    result
        .lines
        .extend(result.missing.iter().map(|m| m.text.clone()));
    result
}

/// What can leave demand with nowhere to be trained, naming only the causes
/// this scenario has: an explanation never blames a rule that is not there.
pub fn what_blocks_training(scenario: &crate::scenario::Scenario) -> String {
    let mut causes = Vec::new();
    let export_controlled = !scenario.export_rules.is_empty()
        || scenario.gpus.iter().any(|g| {
            scenario
                .sites
                .iter()
                .any(|s| !g.allowed_in.contains(&s.jurisdiction))
        });
    if export_controlled {
        causes.push("export control");
    }
    if scenario
        .gpus
        .iter()
        .any(|g| g.available.from.is_some() || g.available.until.is_some())
    {
        causes.push("GPU availability dates");
    }
    if scenario
        .data_classes
        .iter()
        .any(|c| c.residency == crate::scenario::Residency::HomeOnly)
    {
        causes.push("residency");
    }
    match causes.as_slice() {
        [] => "no GPU option can be bought in a period that needs it".into(),
        [one] => format!("{one} leaves no site able to train it"),
        [rest @ .., last] => format!(
            "{} or {last} leaves no site able to train it",
            rest.join(", ")
        ),
    }
}

/// Demands first in a period, then the limits that would meet them.
fn kind_rank(kind: &str) -> u8 {
    match kind {
        "uploads" | "training" | "base_compute" => 0,
        _ => 1,
    }
}

/// What may give way in an elastic solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Give {
    /// Demands may go unmet; limits hold.
    Demands,
    /// Limits may be exceeded; demands hold.
    Limits,
}

/// Solves the elastic model; `None` when even it has no solution.
fn elastic_solve(
    input: &PlanInput,
    model: &PlanModel,
    relaxed: &crate::model::LinearProgram,
    give: Give,
    backend: &dyn LpBackend,
    seconds: Option<f64>,
) -> ElasticOutcome {
    let (elastic, mut rows) = elastic_model(model, relaxed.clone(), give);
    // Caps with constants moved to the right-hand side read better from
    // the scenario: the power cap as written, not net of existing nodes.
    for row in &mut rows {
        match row.kind {
            "power_cap" => {
                let (_, args) = split_name(&row.name);
                row.level = input
                    .scenario
                    .sites
                    .iter()
                    .find(|s| Some(&s.name.as_str()) == args.first())
                    .and_then(|s| s.power_cap_mw);
            }
            "licence_cap" => row.level = None,
            _ => {}
        }
    }
    let values = match backend.solve(&elastic, &elastic.bounds(), seconds) {
        LpOutcome::Optimal { values, .. } => values,
        LpOutcome::Infeasible | LpOutcome::Unbounded => return ElasticOutcome::NoSolution,
        LpOutcome::Failed(_) => return ElasticOutcome::Unknown,
    };
    let mut missing = Vec::new();
    for row in rows {
        let amount = values[row.slack.0] * row.per_model_unit;
        let decimals = if amount >= 100.0 { 0 } else { 2 };
        let shown = number(amount, decimals);
        if amount <= 1e-6 * row.level.unwrap_or(1.0).max(1.0) || shown == "0" {
            continue;
        }
        let currency = &input.scenario.currency;
        let quantity = |text: String| match row.unit {
            "currency" => format!("{currency} {text}"),
            unit => format!("{text} {unit}"),
        };
        let amount_text = quantity(shown);
        let text = match row.level {
            Some(level) => format!(
                "{}: {} needs {amount_text} more to meet all demand (limit {})",
                row.period,
                row.words,
                quantity(number(level, if level >= 100.0 { 0 } else { 2 }))
            ),
            None if give == Give::Limits => format!(
                "{}: {} needs {amount_text} more to meet all demand",
                row.period, row.words
            ),
            None => format!(
                "{}: {} by {amount_text} with the limits as they are",
                row.period, row.words
            ),
        };
        missing.push(Missing {
            period: row.period,
            kind: row.kind.into(),
            name: row.name,
            amount,
            unit: if row.unit == "currency" {
                input.scenario.currency.clone()
            } else {
                row.unit.into()
            },
            text,
        });
    }
    ElasticOutcome::Missing(missing)
}

/// The elastic LP: costs dropped, each limit and demand given a slack
/// column penalised per unit of its level.
fn elastic_model(
    model: &PlanModel,
    mut lp: crate::model::LinearProgram,
    give: Give,
) -> (crate::model::LinearProgram, Vec<Elastic>) {
    let money = model.scales.money;
    let compute = model.scales.compute;
    // Costs stay, so that among the smallest violations the cheapest plan
    // is chosen (a pure-penalty objective is so degenerate that microlp
    // returned points off by 1e-4); violating a limit by 100 % of its level
    // costs PENALTY model money units, far above any plan's cost.
    lp.objective_constant = 0.0;
    let mut elastic = Vec::new();
    let row_count = lp.rows.len();
    for r in 0..row_count {
        let (head, args) = split_name(&lp.rows[r].name);
        let arg = |i: usize| args.get(i).copied().unwrap_or("").to_string();
        let last = args.last().copied().unwrap_or("").to_string();
        let (kind, unit, per_model_unit, words, is_cap) = match head {
            "power_cap" => (
                "power_cap",
                "MW",
                1.0,
                format!("power cap at {}", arg(0)),
                true,
            ),
            "supply_cap" => (
                "supply_cap",
                "nodes",
                1.0,
                format!("supply cap {}", arg(0)),
                true,
            ),
            "licence_cap" => (
                "licence_cap",
                "nodes",
                1.0,
                format!("licence cap {} at {}", arg(0), arg(1)),
                true,
            ),
            "budget" => ("budget", "currency", money, "budget".to_string(), true),
            "export_quota" => (
                "export_quota",
                "PB",
                1.0,
                format!("export quota {}", arg(0)),
                true,
            ),
            "ingest_all" => (
                "uploads",
                "PB",
                1.0,
                format!("{} uploads not ingested", arg(0)),
                false,
            ),
            "training_demand" => (
                "training",
                "EFLOP",
                compute / 1e3,
                format!("{} training short", arg(0)),
                false,
            ),
            "base_demand" => (
                "base_compute",
                "EFLOP",
                compute / 1e3,
                "base compute short".into(),
                false,
            ),
            _ => continue,
        };
        if is_cap != (give == Give::Limits) {
            continue;
        }
        let (rhs, sense, name) = (lp.rows[r].rhs, lp.rows[r].sense, lp.rows[r].name.clone());
        let level_model = rhs.abs().max(1e-2);
        let coef = match sense {
            Sense::Le => -1.0,
            Sense::Ge | Sense::Eq => 1.0,
        };
        let slack = lp.add_column(format!("slack_{name}"), 0.0, f64::INFINITY, false);
        lp.columns[slack.0].cost = PENALTY / level_model;
        lp.rows[r].terms.push((slack, coef));
        elastic.push(Elastic {
            slack,
            kind,
            name,
            unit,
            per_model_unit,
            level: is_cap.then_some(rhs * per_model_unit),
            words,
            period: last,
        });
    }
    // Caps written as column bounds: ingest and link leases; and the node
    // purchases' bounds, which repeat the supply and licence caps whose
    // rows are elastic.
    if give == Give::Demands {
        return (lp, elastic);
    }
    for column in &mut lp.columns {
        if column.name.starts_with("buy[") {
            column.upper = f64::INFINITY;
        }
    }
    let column_count = lp.columns.len();
    for i in 0..column_count {
        let column = &lp.columns[i];
        if !column.upper.is_finite() || column.integer {
            continue;
        }
        let (head, args) = split_name(&column.name);
        let (kind, words) = match head {
            "ingest_gbps" => (
                "ingest_cap",
                format!("ingest cap at {}", args.first().copied().unwrap_or("")),
            ),
            "link_gbps" => (
                "link_cap",
                format!("link cap {}", args.first().copied().unwrap_or("")),
            ),
            _ => continue,
        };
        let cap = column.upper;
        let name = column.name.clone();
        let period = args.last().copied().unwrap_or("").to_string();
        lp.columns[i].upper = f64::INFINITY;
        let slack = lp.add_column(format!("slack_{name}"), 0.0, f64::INFINITY, false);
        lp.columns[slack.0].cost = PENALTY / cap.max(1e-2);
        let mut expr = LinExpr::default();
        expr.add(Var(i), 1.0);
        expr.add(slack, -1.0);
        lp.add_row(format!("{kind}[{name}]"), expr, Sense::Le, cap);
        elastic.push(Elastic {
            slack,
            kind,
            name,
            unit: "Gbps",
            per_model_unit: 1.0,
            level: Some(cap),
            words,
            period,
        });
    }
    (lp, elastic)
}

/// Obvious reasons, checked from the inputs before any solve.
pub fn cheap_checks(input: &PlanInput) -> Vec<String> {
    let scenario = input.scenario;
    let mut found = Vec::new();
    if !scenario.sites.iter().any(|s| s.is_home) {
        found.push(format!(
            "no site is in the home jurisdiction {}: uploads have nowhere to go",
            scenario.home
        ));
        return found;
    }
    // Can site s have compute in period t: nodes there already, or a GPU it
    // may buy in a period whose purchase is still installed in t?
    let compute_possible = |t: usize, s: usize| {
        (0..scenario.gpus.len()).any(|g| {
            scenario.sites[s].existing_nodes[g] > 0.0
                || input
                    .window(t, input.gpu_life[g])
                    .any(|tau| input.buyable(tau, s, g))
        })
    };
    for (c, class) in scenario.data_classes.iter().enumerate() {
        let first = (0..input.periods).find(|&t| {
            input.demand_pflop[t][c] > 0.0
                && !(0..scenario.sites.len())
                    .any(|s| input.class_may_be_at[c][s] && compute_possible(t, s))
        });
        if let Some(t) = first {
            let reach: Vec<&str> = scenario
                .sites
                .iter()
                .enumerate()
                .filter(|(s, _)| input.class_may_be_at[c][*s])
                .map(|(_, site)| site.name.as_str())
                .collect();
            found.push(format!(
                "{}: {} has training demand but none of the sites it may be kept at ({}) \
                 can have compute then: no GPU installed there and none may be bought \
                 (allowed_in, availability, bans)",
                input.labels[t],
                class.name,
                reach.join(", ")
            ));
        }
    }
    let base = scenario.training.base_pflop_per_period;
    for t in 0..input.periods {
        let demand: f64 = input.demand_pflop[t].iter().sum::<f64>() + base;
        if demand > 0.0 && !(0..scenario.sites.len()).any(|s| compute_possible(t, s)) {
            found.push(format!(
                "{}: there is training demand but no GPU is installed anywhere and none may \
                 be bought in time at any site: every GPU is banned, not allowed or not \
                 available",
                input.labels[t]
            ));
            break;
        }
    }
    found
}
