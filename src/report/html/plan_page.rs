//! The plan report: the headline and the scenario's key assumptions first,
//! then what limits the plan, the charts (compute, power, storage,
//! bandwidth, residency, costs, NPV), then the plan's tables.

use std::collections::BTreeMap;

use maud::{html, Markup};

use super::charts::{self, Frame, Reference, Series};
use super::page::{chart, headline_status, page, table_section};
use crate::analyses::limits::capacity_limits;
use crate::model::PlanInput;
use crate::plan::result::{CostRow, DataRow};
use crate::report::format::{millions, number, percent};
use crate::report::plan_tables;
use crate::report::{PlanReport, RunFacts};

/// The whole plan report as one HTML document.
pub fn plan_page(input: &PlanInput, report: &PlanReport) -> String {
    let title = format!("fsdplan plan: {}", report.scenario);
    let body = html! {
        (headline(input, report))
        (assumptions(input, report))
        (limits(input, report))
        @if report.objective.is_some() {
            (charts_section(input, report))
        }
        // The costs right after the charts, then the decisions in detail.
        (table_section("Costs", &plan_tables::cost_tables(report)))
        (table_section("The plan in tables", &plan_tables::all_but_costs(
            report,
            RunFacts::default(),
            input.seconds,
            &|name| input.scenario.gpus_per_node(name),
        )))
    };
    page(&title, body)
}

fn headline(input: &PlanInput, report: &PlanReport) -> Markup {
    let currency = &report.currency;
    let nodes: f64 = report.gpus.iter().map(|r| r.bought_nodes).sum();
    let gpus: f64 = report
        .gpus
        .iter()
        .map(|r| r.bought_nodes * input.scenario.gpus_per_node(&r.gpu).unwrap_or(0.0))
        .sum();
    let status = headline_status(
        &report.status,
        report.gap,
        report.relaxed,
        report.mip_gap_target,
    );
    html! {
        section.headline {
            div.card {
                span.label { "NPV" }
                span.value {
                    @match report.objective {
                        Some(npv) => { (currency) " " (millions(npv)) " M" }
                        None => { "no plan" }
                    }
                }
                span.note { (status) }
            }
            @if let Some(bound) = report.bound {
                div.card {
                    span.label { "proven lower bound" }
                    span.value { (currency) " " (millions(bound)) " M" }
                    span.note { "no plan can cost less" }
                }
            }
            div.card {
                span.label { "GPUs bought" }
                span.value { (number(gpus, 0)) }
                span.note { (number(nodes, 0)) " nodes over " (report.periods.len()) " periods" }
            }
            div.card {
                span.label { "peak power" }
                span.value { (number(report.peak_mw(), 1)) " MW" }
                span.note { "all sites, PUE included" }
            }
        }
    }
}

fn assumptions(input: &PlanInput, report: &PlanReport) -> Markup {
    let scenario = input.scenario;
    let fleet = &scenario.fleet.vehicles_by_period;
    let home_sites: Vec<&str> = scenario
        .sites
        .iter()
        .filter(|s| s.is_home)
        .map(|s| s.name.as_str())
        .collect();
    let abroad: Vec<String> = scenario
        .sites
        .iter()
        .filter(|s| !s.is_home)
        .map(|s| format!("{} ({})", s.name, s.jurisdiction))
        .collect();
    html! {
        section {
            h2 { "Key assumptions" }
            ul.assumptions {
                li { "Horizon: " (report.periods.first().cloned().unwrap_or_default())
                     " to " (report.periods.last().cloned().unwrap_or_default())
                     ", " (report.periods.len()) " periods of "
                     (scenario.calendar.period_months) " months; discount rate "
                     (percent(scenario.discount_rate, 1)) " a year." }
                li { "Fleet: " (number(fleet.first().copied().unwrap_or(0.0), 0))
                     " vehicles at the start, " (number(fleet.last().copied().unwrap_or(0.0), 0))
                     " at the end; " (percent(scenario.fleet.uploading_share, 0)) " upload." }
                li { "Home (" (scenario.home) ") sites: " (home_sites.join(", ")) "; abroad: "
                     @if abroad.is_empty() { "none" } @else { (abroad.join(", ")) } "." }
                li { "GPU options: "
                     (scenario.gpus.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join(", "))
                     "; " (scenario.export_rules.len()) " export rules." }
                li { "Data classes: "
                     (scenario.data_classes.iter()
                        .map(|c| format!("{} ({})", c.name, c.residency.as_str()))
                        .collect::<Vec<_>>().join(", ")) "." }
                @if !report.overrides.is_empty() {
                    li { "Overrides: " (report.overrides.join(", ")) }
                }
                li { "Money in " (report.currency) "; M = million." }
            }
        }
    }
}

fn limits(input: &PlanInput, report: &PlanReport) -> Markup {
    let binding: Vec<String> = if report.objective.is_some() {
        capacity_limits(input, report)
            .into_iter()
            .map(|l| l.text)
            .collect()
    } else {
        Vec::new()
    };
    html! {
        @if let Some(why) = &report.infeasibility {
            section.alert {
                h2 { "Why there is no plan" }
                ul { @for line in &why.lines { li { (line) } } }
            }
        } @else if let Some(message) = &report.message {
            section.alert { h2 { "Status: " (report.status) } p { (message) } }
        }
        @if !binding.is_empty() {
            section {
                h2 { "What limits the plan" }
                p.note { "Limits the plan meets: less than one more unit fits (earliest first)." }
                ul { @for text in binding.iter().take(12) { li { (text) } } }
                @if binding.len() > 12 {
                    p.note { "and " (binding.len() - 12) " more." }
                }
            }
        }
    }
}

/// Sums `value` of rows by (period index, key), in key order.
fn by_period<'r, R>(
    labels: &[String],
    rows: &'r [R],
    period: impl Fn(&'r R) -> &'r str,
    key: impl Fn(&'r R) -> String,
    value: impl Fn(&'r R) -> f64,
) -> Vec<Series> {
    let index: BTreeMap<&str, usize> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    let mut sums: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for row in rows {
        let Some(&t) = index.get(period(row)) else {
            continue;
        };
        sums.entry(key(row))
            .or_insert_with(|| vec![0.0; labels.len()])[t] += value(row);
    }
    sums.into_iter()
        .map(|(name, values)| Series { name, values })
        .collect()
}

fn charts_section(input: &PlanInput, report: &PlanReport) -> Markup {
    let scenario = input.scenario;
    let labels = &report.periods;
    let per_second = input.seconds;
    // A node's sustained PFLOP/s: the model's compute per node and period.
    let sustained = |gpu: &str| {
        scenario
            .gpus
            .iter()
            .position(|g| g.name == gpu)
            .map_or(0.0, |g| input.node_pflop[g] / per_second)
    };
    let frame = |title: &'static str, y_desc: &'static str| Frame::new(title, labels, y_desc);

    let compute = by_period(
        labels,
        &report.gpus,
        |r| &r.period,
        |r| r.gpu.clone(),
        |r| r.installed_nodes * sustained(&r.gpu),
    );
    let mut needed = by_period(
        labels,
        &report.sites,
        |r| &r.period,
        |_| "compute used (training, base, de-identification)".into(),
        |r| r.compute_used_pflop / per_second,
    );
    let shortfall = by_period(
        labels,
        &report.shortfall,
        |r| &r.period,
        |_| String::new(),
        |r| r.pflop / per_second,
    );
    if let (Some(line), Some(short)) = (needed.first_mut(), shortfall.first()) {
        line.name = "training and base demand".into();
        for (v, s) in line.values.iter_mut().zip(&short.values) {
            *v += s;
        }
    }

    // Power as a share of each site's own cap: a 120 MW cap would dwarf a
    // site drawing 15 MW on a shared MW axis. Sites without a cap are named
    // in the title.
    let cap_of = |site: &str| {
        scenario
            .sites
            .iter()
            .find(|s| s.name == site)
            .and_then(|s| s.power_cap_mw)
            .filter(|&cap| cap > 0.0)
    };
    let mut power_share = by_period(
        labels,
        &report.sites,
        |r| &r.period,
        |r| r.site.clone(),
        |r| cap_of(&r.site).map_or(0.0, |cap| 100.0 * r.power_mw / cap),
    );
    for series in &mut power_share {
        let peak = report
            .sites
            .iter()
            .filter(|r| r.site == series.name)
            .map(|r| r.power_mw)
            .fold(0.0, f64::max);
        if let Some(cap) = cap_of(&series.name) {
            series.name = format!(
                "{} (cap {} MW, peak {} MW)",
                series.name,
                number(cap, 0),
                number(peak, 1)
            );
        }
    }
    let uncapped: Vec<&str> = scenario
        .sites
        .iter()
        .filter(|s| s.power_cap_mw.is_none_or(|cap| cap <= 0.0))
        .map(|s| s.name.as_str())
        .collect();
    power_share.retain(|s| !uncapped.iter().any(|u| s.name == *u));
    let power_title = if uncapped.is_empty() {
        "Power by site as a share of its cap (PUE included)".to_string()
    } else {
        format!(
            "Power by site as a share of its cap (PUE included; no cap: {})",
            uncapped.join(", ")
        )
    };
    // The axis runs to the highest share; the cap's 100% line shows when
    // a site comes near it.
    let highest_share = power_share
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    let near_cap = highest_share > 80.0;
    let full_cap: Vec<Reference> = if near_cap {
        vec![Reference {
            name: "the cap (100%)".into(),
            values: vec![Some(100.0); labels.len()],
            colour_of: None,
        }]
    } else {
        Vec::new()
    };
    let power_frame = {
        let frame = Frame::new(&power_title, labels, "% of the site's cap");
        if near_cap {
            frame.with_y_max(100.0)
        } else {
            frame
        }
    };

    let storage = by_period(
        labels,
        &report.storage,
        |r| &r.period,
        |r| r.tier.clone(),
        |r| r.installed_pb,
    );
    let storage_by_site = by_period(
        labels,
        &report.storage,
        |r| &r.period,
        |r| r.site.clone(),
        |r| r.installed_pb,
    );
    let mut bandwidth = by_period(
        labels,
        &report.sites,
        |r| &r.period,
        |r| format!("ingest at {}", r.site),
        |r| r.ingest_gbps,
    );
    bandwidth.retain(|s| s.values.iter().any(|&v| v > 0.0));
    let mut link_gbps: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for row in &report.links {
        if let Some(t) = labels.iter().position(|l| *l == row.period) {
            // Gbps are leased per link, repeated on each class's row.
            let entry = link_gbps
                .entry(row.link.as_str())
                .or_insert_with(|| vec![0.0; labels.len()]);
            entry[t] = entry[t].max(row.gbps);
        }
    }
    bandwidth.extend(
        link_gbps
            .into_iter()
            .filter(|(_, v)| v.iter().any(|&x| x > 0.0))
            .map(|(name, values)| Series {
                name: format!("link {name}"),
                values,
            }),
    );

    // Residency: per class, training and stock at home and abroad.
    let home: BTreeMap<&str, bool> = scenario
        .sites
        .iter()
        .map(|s| (s.name.as_str(), s.is_home))
        .collect();
    let classes: Vec<String> = scenario
        .data_classes
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let last = labels.last().cloned().unwrap_or_default();
    let residency = |value: &dyn Fn(&DataRow) -> f64, abroad: bool| Series {
        name: if abroad {
            "abroad".into()
        } else {
            format!("home ({})", scenario.home)
        },
        values: classes
            .iter()
            .map(|c| {
                report
                    .data
                    .iter()
                    .filter(|r| &r.class == c && home.get(r.site.as_str()) == Some(&!abroad))
                    .map(value)
                    .sum()
            })
            .collect(),
    };
    let trained = |r: &DataRow| r.trained_pflop;
    let stock = |r: &DataRow| if r.period == last { r.stock_pb } else { 0.0 };
    // Shares of each class's own total, so a small class shows as clearly
    // as a large one.
    let shares = |value: &dyn Fn(&DataRow) -> f64| {
        let (mut at_home, mut away) = (residency(value, false), residency(value, true));
        for (h, a) in at_home.values.iter_mut().zip(away.values.iter_mut()) {
            let total = *h + *a;
            if total > 0.0 {
                *h *= 100.0 / total;
                *a *= 100.0 / total;
            }
        }
        [at_home, away]
    };

    let costs: Vec<Series> = {
        (0..CostRow::LABELS.len())
            .map(|k| Series {
                name: CostRow::LABELS[k].into(),
                values: report
                    .costs
                    .iter()
                    .map(|c| c.categories()[k].1 / 1e6)
                    .collect(),
            })
            .filter(|s| s.values.iter().any(|&v| v != 0.0))
            .collect()
    };
    let npv_bars: Vec<(String, Option<f64>, String)> = costs
        .iter()
        .map(|s| {
            let discounted: f64 = s
                .values
                .iter()
                .zip(&report.costs)
                .map(|(v, c)| {
                    if c.total != 0.0 {
                        v * c.discounted_total / c.total
                    } else {
                        0.0
                    }
                })
                .sum();
            (s.name.clone(), Some(discounted), String::new())
        })
        .collect();
    let currency_m = format!("{} M", report.currency);
    let costs_title = format!("Cost by category per period ({currency_m}, undiscounted)");
    let npv_title = format!("NPV by cost category ({currency_m}, discounted)");

    html! {
        section.charts {
            h2 { "The plan in charts" }
            (chart(charts::stacked_area(
                &frame("Installed compute by GPU (sustained PFLOP/s) and compute needed", "PFLOP/s"),
                &compute,
                &needed,
            )))
            @if !power_share.is_empty() {
                (chart(charts::lines(&power_frame, &power_share, &full_cap)))
            }
            (chart(charts::stacked_area(&frame("Installed storage by tier, all sites (PB)", "PB"), &storage, &[])))
            (chart(charts::stacked_area(&frame("Installed storage by site, all tiers (PB)", "PB"), &storage_by_site, &[])))
            @if !bandwidth.is_empty() {
                (chart(charts::lines(&frame("Ingest and link bandwidth leased (Gbps)", "Gbps"), &bandwidth, &[])))
            }
            (chart(charts::stacked_bars(
                &Frame::new("Where each class is trained (% of its training over the horizon)", &classes, "%").with_y_max(100.0),
                &shares(&trained),
            )))
            (chart(charts::stacked_bars(
                &Frame::new("Where each class is kept (% of its stock at the end of the horizon)", &classes, "%").with_y_max(100.0),
                &shares(&stock),
            )))
            (chart(charts::stacked_bars(
                &Frame::new(&costs_title, labels, &currency_m),
                &costs,
            )))
            (chart(charts::horizontal_bars(&npv_title, &currency_m, &npv_bars)))
        }
    }
}
