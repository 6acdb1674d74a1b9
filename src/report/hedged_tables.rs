//! A hedged plan as tables (SPEC.md section 7): first the decision to take
//! now (purchases before the first reveal, the same in every future), then
//! what changes once each event is known, then the futures with their
//! NPVs, the expected NPV and CVaR, and the per-future tables.

use std::collections::BTreeMap;

use serde::Serialize;

use super::csv_tables::{to_csv, Units};
use super::format::{millions, number, percent, signed_millions, TextTable};
use crate::analyses::HedgedReport;
use crate::numbers::tidy;
use crate::plan::hedged::{rows_of, InFuture};
use crate::plan::result::CostRow;
use crate::scenario::events::{decision_groups, group_name};
use crate::scenario::{Future, Scenario};

/// Every table of a hedged plan, decision first.
pub fn all(report: &HedgedReport, base: &Scenario, futures: &[Future]) -> Vec<TextTable> {
    let mut tables = vec![summary(report)];
    if report.objective.is_none() {
        if let Some(why) = &report.infeasibility {
            let mut t = TextTable::new("Why there is no plan", &[""], 1).with_trailing_text(1);
            for line in &why.lines {
                t.push(vec![line.clone()]);
            }
            tables.push(t);
        }
        return tables;
    }
    tables.extend(decision(report, base, futures));
    tables.extend(per_future(report));
    tables
}

/// The summary table alone.
pub fn summary_table(report: &HedgedReport) -> TextTable {
    summary(report)
}

/// What to decide now, and what changes after each reveal.
pub fn decision(report: &HedgedReport, base: &Scenario, futures: &[Future]) -> Vec<TextTable> {
    let groups = decision_groups(futures, &base.events, &base.calendar);
    vec![
        decide_now(report, &groups, futures),
        after_reveals(report, base, &groups, futures),
    ]
}

/// The futures with their NPVs, each future's discounted cost by category
/// and its GPU purchases.
pub fn per_future(report: &HedgedReport) -> Vec<TextTable> {
    vec![
        futures_table(report),
        npv_by_category(report),
        purchases_per_future(report),
    ]
}

fn summary(report: &HedgedReport) -> TextTable {
    let mut t = TextTable::new(
        format!("fsdplan hedged plan: {}", report.scenario),
        &["", ""],
        2,
    );
    let money = |x: f64| format!("{} {}", report.currency, number(x, 0));
    let status = super::plan_tables::status_text(
        &report.status,
        report.gap,
        report.relaxed,
        report.mip_gap_target,
        report.stopped_by.as_deref(),
    );
    t.push(vec!["status".into(), status]);
    if !report.overrides.is_empty() {
        t.push(vec!["overrides".into(), report.overrides.join(", ")]);
    }
    if let Some(message) = &report.message {
        t.push(vec!["note".into(), message.clone()]);
    }
    t.push(vec![
        "futures".into(),
        format!(
            "{}, purchases shared until an event tells them apart",
            report.futures.len()
        ),
    ]);
    if let Some(e) = report.expected_npv {
        t.push(vec!["expected NPV".into(), money(e)]);
    }
    if let Some(c) = report.cvar {
        t.push(vec![
            format!(
                "CVaR {} (the costliest {})",
                percent(report.cvar_alpha, 0),
                percent(1.0 - report.cvar_alpha, 0)
            ),
            money(c),
        ]);
    }
    if let Some(objective) = report.objective {
        let what = if report.cvar_weight == 0.0 {
            "objective (expected NPV)".to_string()
        } else {
            format!(
                "objective ({} x expected NPV + {} x CVaR)",
                number(1.0 - report.cvar_weight, 2),
                number(report.cvar_weight, 2)
            )
        };
        t.push(vec![what, money(objective)]);
    }
    if let Some(bound) = report.bound {
        t.push(vec!["lower bound".into(), money(bound)]);
    }
    t.push(vec![
        "model".into(),
        format!(
            "{} rows, {} columns ({} purchase columns shared by several futures), {} integer",
            number(report.model.rows as f64, 0),
            number(report.model.columns as f64, 0),
            number(report.shared_purchase_columns as f64, 0),
            number(report.model.integers as f64, 0)
        ),
    ]);
    t.push(vec![
        "solve".into(),
        format!(
            "{} ({}, {})",
            report.solver.backend,
            crate::numbers::count(report.solver.lp_solves as f64, "LP solve", "LP solves"),
            crate::numbers::count(
                report.solver.nodes as f64,
                "branch-and-bound node",
                "branch-and-bound nodes"
            )
        ),
    ]);
    t
}

/// What one future buys in one period, in words: `+120 910C at guizhou`.
fn bought_in(report: &HedgedReport, future: &str, period: &str) -> Vec<String> {
    let mut out = Vec::new();
    for row in rows_of(&report.gpus, future) {
        if row.period == period && row.bought_nodes > 0.0 {
            out.push(format!(
                "+{} {} at {}",
                number(row.bought_nodes, if report.relaxed { 1 } else { 0 }),
                row.gpu,
                row.site
            ));
        }
    }
    for row in rows_of(&report.storage, future) {
        if row.period == period && row.bought_pb > 0.0 {
            out.push(format!(
                "+{} PB {} at {}",
                number(row.bought_pb, 2),
                row.tier,
                row.site
            ));
        }
    }
    out
}

/// Purchases in the periods before any event is known: one decision for
/// every future.
fn decide_now(report: &HedgedReport, groups: &[Vec<usize>], futures: &[Future]) -> TextTable {
    let mut t = TextTable::new(
        "Decide now: purchases before the first reveal (the same in every future)",
        &["period", "purchases"],
        2,
    )
    .with_trailing_text(1);
    for (p, period) in report.periods.iter().enumerate() {
        if groups[p].iter().any(|&g| g != 0) {
            break;
        }
        let bought = bought_in(report, &futures[0].name, period);
        t.push(vec![
            period.clone(),
            if bought.is_empty() {
                "nothing".into()
            } else {
                bought.join(", ")
            },
        ]);
    }
    if t.rows.is_empty() {
        t.push(vec![
            "-".into(),
            "an event is known from the first period: every purchase waits for it".into(),
        ]);
    }
    t
}

/// Purchases once events are known: one line per period and per group of
/// futures alike in it (`if h20_ban=banned`).
fn after_reveals(
    report: &HedgedReport,
    base: &Scenario,
    groups: &[Vec<usize>],
    futures: &[Future],
) -> TextTable {
    let mut t = TextTable::new(
        "After each reveal: purchases by what is known",
        &["period", "if", "futures", "purchases"],
        4,
    )
    .with_trailing_text(3);
    for (p, period) in report.periods.iter().enumerate() {
        if groups[p].iter().all(|&g| g == 0) {
            continue;
        }
        for (r, future) in futures.iter().enumerate() {
            if groups[p][r] != r {
                continue;
            }
            let members = futures
                .iter()
                .enumerate()
                .filter(|(f, _)| groups[p][*f] == r)
                .count();
            let bought = bought_in(report, &future.name, period);
            t.push(vec![
                period.clone(),
                group_name(future, &base.events, &base.calendar, p),
                members.to_string(),
                if bought.is_empty() {
                    "nothing".into()
                } else {
                    bought.join(", ")
                },
            ]);
        }
    }
    t
}

fn futures_table(report: &HedgedReport) -> TextTable {
    let expected = report.expected_npv.unwrap_or(0.0);
    let mut t = TextTable::new(
        format!(
            "Futures (NPV in millions of {}; difference from the expected NPV)",
            report.currency
        ),
        &["future", "probability", "NPV", "difference"],
        1,
    );
    for f in &report.futures {
        t.push(vec![
            f.future.clone(),
            percent(f.probability, 1),
            f.npv.map_or("-".into(), millions),
            f.npv.map_or("-".into(), |n| signed_millions(n - expected)),
        ]);
    }
    t
}

fn npv_by_category(report: &HedgedReport) -> TextTable {
    let mut headers = vec!["future"];
    headers.extend(CostRow::LABELS);
    headers.push("NPV");
    let mut t = TextTable::new(
        format!(
            "Discounted cost per future (millions of {})",
            report.currency
        ),
        &headers,
        1,
    );
    for f in &report.futures {
        let mut sums = [0.0; 7];
        let mut npv = 0.0;
        for row in rows_of(&report.costs, &f.future) {
            let factor = if row.total != 0.0 {
                row.discounted_total / row.total
            } else {
                0.0
            };
            for (sum, (_, value)) in sums.iter_mut().zip(row.categories()) {
                *sum += value * factor;
            }
            npv += row.discounted_total;
        }
        let mut cells = vec![f.future.clone()];
        cells.extend(sums.iter().map(|&x| millions(x)));
        cells.push(millions(npv));
        t.push(cells);
    }
    t
}

fn purchases_per_future(report: &HedgedReport) -> TextTable {
    let mut t = TextTable::new(
        "GPU purchases per future",
        &["future", "period", "site", "gpu", "bought", "installed"],
        4,
    );
    let decimals = if report.relaxed { 1 } else { 0 };
    for row in report.gpus.iter().filter(|r| r.row.bought_nodes > 0.0) {
        t.push(vec![
            row.future.clone(),
            row.row.period.clone(),
            row.row.site.clone(),
            row.row.gpu.clone(),
            number(row.row.bought_nodes, decimals),
            number(row.row.installed_nodes, decimals),
        ]);
    }
    t
}

/// The hedged plan's tables as CSV, each with a first column `future`.
pub fn csv(report: &HedgedReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    let costs = Units::money(&report.currency, super::csv_tables::COST_MONEY);
    Ok(vec![
        ("futures.csv", futures_csv(report)?),
        ("costs.csv", in_future_csv(&report.costs, costs)?),
        ("gpus.csv", in_future_csv(&report.gpus, Units::PLAIN)?),
        ("storage.csv", in_future_csv(&report.storage, Units::PLAIN)?),
        ("sites.csv", in_future_csv(&report.sites, Units::PLAIN)?),
        ("data.csv", in_future_csv(&report.data, Units::PLAIN)?),
        ("links.csv", in_future_csv(&report.links, Units::PLAIN)?),
        (
            "shortfall.csv",
            in_future_csv(&report.shortfall, Units::PLAIN)?,
        ),
    ])
}

/// A per-future table: the row type's columns after a `future` column.
pub(crate) fn in_future_csv<T: Serialize + Default + Clone>(
    rows: &[InFuture<T>],
    units: Units,
) -> Result<String, csv::Error> {
    /// The row with its future first.
    #[derive(Serialize, Default)]
    struct Led<T> {
        future: String,
        #[serde(flatten)]
        row: T,
    }
    let led: Vec<Led<T>> = rows
        .iter()
        .map(|r| Led {
            future: r.future.clone(),
            row: r.row.clone(),
        })
        .collect();
    to_csv(&led, units)
}

fn futures_csv(report: &HedgedReport) -> Result<String, csv::Error> {
    let events: Vec<&String> = report
        .futures
        .first()
        .map(|f| f.outcomes.0.iter().map(|(e, _)| e).collect())
        .unwrap_or_default();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let npv = format!("npv_{}", report.currency.to_ascii_lowercase());
    let mut header = vec!["future".to_string(), "probability".into(), npv];
    header.extend(events.iter().map(|e| e.to_string()));
    writer.write_record(&header)?;
    for f in &report.futures {
        let mut record = vec![
            f.future.clone(),
            tidy(f.probability).to_string(),
            f.npv.map_or(String::new(), |n| tidy(n).to_string()),
        ];
        let outcomes: BTreeMap<&String, &String> =
            f.outcomes.0.iter().map(|(e, o)| (e, o)).collect();
        record.extend(
            events
                .iter()
                .map(|e| outcomes.get(e).map_or(String::new(), |o| o.to_string())),
        );
        writer.write_record(&record)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    super::csv_tables::neutralised(
        &String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8"),
    )
}
