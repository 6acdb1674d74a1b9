//! The plan as tables a planner and a finance partner read: a summary, GPU
//! purchases, site capacity, data placement, link use, shortfall and the
//! cost table with its NPV row. Zero rows are hidden.

use super::format::{count, millions, number, percent, TextTable};
use crate::analyses::PlanReport;
use crate::plan::result::CostRow;

/// What the caller knows that the report does not (it reads the clock).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunFacts {
    pub solve_seconds: Option<f64>,
}

/// A plan's status in words, with its gap against the target.
pub fn status_text(
    status: &str,
    gap: Option<f64>,
    relaxed: bool,
    target: f64,
    stopped_by: Option<&str>,
) -> String {
    let limit = stopped_by
        .and_then(crate::solve::StopReason::named)
        .map_or("a limit", crate::solve::StopReason::describe);
    match (status, gap) {
        ("optimal", Some(gap)) if !relaxed => format!(
            "optimal (gap {} within target {})",
            percent(gap, 3),
            percent(target, 3)
        ),
        ("optimal", _) if relaxed => "optimal (LP relaxation: node counts continuous)".to_string(),
        ("feasible", Some(gap)) => format!(
            "feasible (gap {} above target {}: {limit} stopped the search)",
            percent(gap, 3),
            percent(target, 3)
        ),
        (status, _) => status.to_string(),
    }
}

pub fn summary(report: &PlanReport, facts: RunFacts) -> TextTable {
    let mut t = TextTable::new(format!("fsdplan plan: {}", report.scenario), &["", ""], 2);
    let money = |x: f64| format!("{} {}", report.currency, number(x, 0));
    let status = status_text(
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
    if let Some(npv) = report.objective {
        t.push(vec!["NPV".into(), money(npv)]);
    }
    if let Some(bound) = report.bound {
        t.push(vec!["lower bound".into(), money(bound)]);
    }
    let periods = match (report.periods.first(), report.periods.last()) {
        (Some(first), Some(last)) => {
            format!("{first} to {last} ({} periods)", report.periods.len())
        }
        _ => "none".into(),
    };
    t.push(vec!["periods".into(), periods]);
    let time = facts
        .solve_seconds
        .map(|s| format!("{s:.2} s, "))
        .unwrap_or_default();
    t.push(vec![
        "solve".into(),
        format!(
            "{time}{} ({}, {})",
            report.solver.backend,
            count(report.solver.lp_solves as f64, "LP solve", "LP solves"),
            count(
                report.solver.nodes as f64,
                "branch-and-bound node",
                "branch-and-bound nodes"
            )
        ),
    ]);
    t.push(vec![
        "model".into(),
        format!(
            "{} rows, {} columns, {} nonzeros, {} integer",
            number(report.model.rows as f64, 0),
            number(report.model.columns as f64, 0),
            number(report.model.nonzeros as f64, 0),
            number(report.model.integers as f64, 0)
        ),
    ]);
    t
}

pub fn purchases(report: &PlanReport, gpus_per_node: &dyn Fn(&str) -> Option<f64>) -> TextTable {
    let mut t = TextTable::new(
        "GPU purchases",
        &[
            "period",
            "site",
            "gpu",
            "nodes bought",
            "GPUs bought",
            "installed nodes",
        ],
        3,
    );
    // A relaxation's node counts are fractional: show them so.
    let decimals = if report.relaxed { 2 } else { 0 };
    for row in report.gpus.iter().filter(|r| r.bought_nodes > 0.0) {
        let gpus = gpus_per_node(&row.gpu).map_or("-".to_string(), |per| {
            number(row.bought_nodes * per, decimals)
        });
        t.push(vec![
            row.period.clone(),
            row.site.clone(),
            row.gpu.clone(),
            number(row.bought_nodes, decimals),
            gpus,
            number(row.installed_nodes, decimals),
        ]);
    }
    t
}

/// Storage tiers in the order they first appear in the report.
fn tiers(report: &PlanReport) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for row in &report.storage {
        if !names.contains(&row.tier) {
            names.push(row.tier.clone());
        }
    }
    names
}

pub fn sites(report: &PlanReport, seconds_per_period: f64) -> TextTable {
    let tiers = tiers(report);
    let mut headers: Vec<String> = vec![
        "period".into(),
        "site".into(),
        "compute PFLOP/s".into(),
        "used".into(),
    ];
    headers.extend(tiers.iter().map(|tier| format!("{tier} PB")));
    headers.extend([
        "ingest Gbps".to_string(),
        "power MW".to_string(),
        "cap MW".to_string(),
    ]);
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut t = TextTable::new(
        "Site capacity (installed; compute is sustained, MFU included)",
        &header_refs,
        2,
    );
    for row in &report.sites {
        let storage: Vec<f64> = tiers
            .iter()
            .map(|tier| {
                report
                    .storage
                    .iter()
                    .find(|s| s.period == row.period && s.site == row.site && &s.tier == tier)
                    .map_or(0.0, |s| s.installed_pb)
            })
            .collect();
        if row.compute_pflop == 0.0
            && row.power_mw == 0.0
            && row.ingest_gbps == 0.0
            && storage.iter().all(|&x| x == 0.0)
        {
            continue;
        }
        let used = if row.compute_pflop > 0.0 {
            percent(row.compute_used_pflop / row.compute_pflop, 0)
        } else {
            "-".into()
        };
        let mut cells = vec![
            row.period.clone(),
            row.site.clone(),
            number(row.compute_pflop / seconds_per_period, 1),
            used,
        ];
        cells.extend(storage.iter().map(|&pb| number(pb, 1)));
        cells.push(number(row.ingest_gbps, 1));
        cells.push(number(row.power_mw, 2));
        cells.push(row.power_cap_mw.map_or("none".into(), |cap| number(cap, 1)));
        t.push(cells);
    }
    t
}

pub fn data(report: &PlanReport, seconds_per_period: f64) -> TextTable {
    let mut t = TextTable::new(
        "Data placement (PB; training as sustained PFLOP/s over the period)",
        &[
            "period",
            "site",
            "class",
            "ingested",
            "copied in",
            "copied out",
            "stock",
            "trained PFLOP/s",
        ],
        3,
    );
    for row in &report.data {
        t.push(vec![
            row.period.clone(),
            row.site.clone(),
            row.class.clone(),
            number(row.ingested_pb, 2),
            number(row.imported_pb, 2),
            number(row.copied_out_pb, 2),
            number(row.stock_pb, 2),
            number(row.trained_pflop / seconds_per_period, 1),
        ]);
    }
    t
}

pub fn links(report: &PlanReport) -> TextTable {
    let mut t = TextTable::new(
        "Link use",
        &["period", "link", "class", "copied PB", "link Gbps"],
        3,
    );
    for row in &report.links {
        t.push(vec![
            row.period.clone(),
            row.link.clone(),
            row.class.clone(),
            number(row.copied_pb, 2),
            number(row.gbps, 1),
        ]);
    }
    t
}

pub fn shortfall(report: &PlanReport, seconds_per_period: f64) -> TextTable {
    let mut t = TextTable::new(
        "Training shortfall",
        &["period", "class", "PFLOP short", "sustained PFLOP/s short"],
        2,
    );
    for row in &report.shortfall {
        t.push(vec![
            row.period.clone(),
            row.class.clone(),
            number(row.pflop, 0),
            number(row.pflop / seconds_per_period, 1),
        ]);
    }
    t
}

pub fn costs(report: &PlanReport) -> TextTable {
    let title = format!(
        "Costs by period ({} millions; NPV row discounted)",
        report.currency
    );
    let headers: Vec<&str> = std::iter::once("period")
        .chain(CostRow::LABELS)
        .chain(["total", "discounted"])
        .collect();
    let mut t = TextTable::new(title, &headers, 1);
    let mut nominal = [0.0; 9];
    let mut discounted = [0.0; 9];
    for row in &report.costs {
        let [a, b, c, d, e, f, g] = row.categories().map(|(_, x)| x);
        let values = [a, b, c, d, e, f, g, row.total, row.discounted_total];
        let factor = if row.total != 0.0 {
            row.discounted_total / row.total
        } else {
            0.0
        };
        for (i, v) in values.iter().enumerate() {
            nominal[i] += v;
            discounted[i] += if i == 8 { *v } else { v * factor };
        }
        if row.total == 0.0 {
            continue;
        }
        let mut cells = vec![row.period.clone()];
        cells.extend(values.iter().map(|&v| millions(v)));
        t.push(cells);
    }
    let mut total = vec!["total (nominal)".to_string()];
    total.extend(nominal[..8].iter().map(|&v| millions(v)));
    total.push(millions(nominal[8]));
    t.push(total);
    let mut npv = vec!["NPV".to_string()];
    npv.extend(discounted[..8].iter().map(|&v| millions(v)));
    npv.push(millions(discounted[8]));
    t.push(npv);
    t
}

/// The costs per calendar year: what finance budgets by. Nominal amounts
/// and each year's discounted total, in millions.
pub fn costs_by_year(report: &PlanReport) -> TextTable {
    let title = format!(
        "Costs by year ({} millions, nominal; discounted total last)",
        report.currency
    );
    let headers: Vec<&str> = std::iter::once("year")
        .chain(CostRow::LABELS)
        .chain(["total", "discounted"])
        .collect();
    let mut t = TextTable::new(title, &headers, 1);
    let years = report.costs_by_year();
    for year in years.iter().filter(|y| y.total != 0.0) {
        let mut cells = vec![year.period.clone()];
        cells.extend(year.categories().map(|(_, x)| millions(x)));
        cells.push(millions(year.total));
        cells.push(millions(year.discounted_total));
        t.push(cells);
    }
    if t.rows.len() > 1 {
        let mut total = vec!["total".to_string()];
        let sum = |f: &dyn Fn(&CostRow) -> f64| years.iter().map(f).sum::<f64>();
        for i in 0..CostRow::LABELS.len() {
            total.push(millions(sum(&|y: &CostRow| y.categories()[i].1)));
        }
        total.push(millions(sum(&|y: &CostRow| y.total)));
        total.push(millions(sum(&|y: &CostRow| y.discounted_total)));
        t.push(total);
    }
    t
}

/// Every table of a plan, in reading order, empty ones left out: the
/// summary, the decisions, then the costs.
pub fn all(
    report: &PlanReport,
    facts: RunFacts,
    seconds_per_period: f64,
    gpus_per_node: &dyn Fn(&str) -> Option<f64>,
) -> Vec<TextTable> {
    let mut tables = all_but_costs(report, facts, seconds_per_period, gpus_per_node);
    tables.extend(cost_tables(report));
    tables
}

/// The cost tables (by period with the NPV row, and by year), when there
/// is a plan.
pub fn cost_tables(report: &PlanReport) -> Vec<TextTable> {
    if report.objective.is_none() {
        return Vec::new();
    }
    [costs(report), costs_by_year(report)]
        .into_iter()
        .filter(|t| !t.rows.is_empty())
        .collect()
}

/// [`all`] without the cost tables (the HTML page shows those first).
pub fn all_but_costs(
    report: &PlanReport,
    facts: RunFacts,
    seconds_per_period: f64,
    gpus_per_node: &dyn Fn(&str) -> Option<f64>,
) -> Vec<TextTable> {
    let mut tables = vec![summary(report, facts)];
    if let Some(why) = &report.infeasibility {
        let mut t = TextTable::new(
            "Why there is no plan (the least the scenario must give way, earliest first)",
            &[""],
            1,
        )
        .with_wrapped(0, 96);
        for line in &why.lines {
            t.push(vec![line.clone()]);
        }
        tables.push(t);
    }
    if report.objective.is_none() {
        return tables;
    }
    for table in [
        purchases(report, gpus_per_node),
        sites(report, seconds_per_period),
        data(report, seconds_per_period),
        links(report),
        shortfall(report, seconds_per_period),
    ] {
        if !table.rows.is_empty() {
            tables.push(table);
        }
    }
    tables
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_search_names_the_limit_that_stopped_it() {
        let text = status_text("feasible", Some(0.004), false, 0.001, Some("time_limit"));
        assert_eq!(
            text,
            "feasible (gap 0.400% above target 0.100%: the time limit (--time-limit) stopped the search)"
        );
        let text = status_text("feasible", Some(0.004), false, 0.001, Some("node_limit"));
        assert!(text.contains("the node limit (--max-nodes)"), "{text}");
        let text = status_text("feasible", Some(0.004), false, 0.001, None);
        assert!(text.contains("a limit stopped the search"), "{text}");
    }
}
