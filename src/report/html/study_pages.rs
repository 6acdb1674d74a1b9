//! The comparison and sweep reports: NPV per GPU option as bars, with the
//! reason an option has no plan; NPV against each swept parameter, a line
//! per value of the second parameter where there is one.

use std::collections::BTreeMap;

use maud::html;

use super::charts::{self, Frame, Series};
use super::page::{chart, page, tables};
use crate::numbers::as_typed;
use crate::report::format::millions;
use crate::report::{alternatives_tables, compare_tables, hedge_tables, sweep_tables};
use crate::studies::alternatives::AlternativesReport;
use crate::studies::compare::CompareReport;
use crate::studies::hedging::HedgeReport;
use crate::studies::sweep::SweepReport;

/// The comparison report.
pub fn compare_page(report: &CompareReport) -> String {
    let title = format!("fsdplan compare: {}", report.scenario);
    let bars: Vec<(String, Option<f64>, String)> = report
        .rows
        .iter()
        .map(|r| {
            let note = match r.npv {
                Some(_) => format!("({})", r.limit),
                None => format!("{}: {}", r.status, r.limit),
            };
            (
                r.option.clone(),
                r.npv.map(|v| v / 1e6),
                shortened(&note, 140),
            )
        })
        .collect();
    let axis = format!("NPV ({} M)", report.currency);
    let body = html! {
        p.note {
            "One plan per GPU option (only that option may be bought) and one with every option, "
            "best NPV first. Under each bar: what limits that plan first, or why there is none (in full in the table)."
        }
        @if !report.overrides.is_empty() {
            p.note { "Overrides: " (report.overrides.join(", ")) }
        }
        (chart(charts::horizontal_bars(&format!("NPV per GPU option ({} M)", report.currency), &axis, &bars)))
        (tables(&[compare_tables::table(report)]))
    };
    page(&title, body)
}

/// The near-optimal alternatives: the ranges as bars around the optimum's
/// marker (each metric on its own scale), what each reading means, then
/// the tables (the distinct alternatives among them).
pub fn alternatives_page(report: &AlternativesReport) -> String {
    let title = format!("fsdplan alternatives: {}", report.scenario);
    let currency = &report.currency;
    let value = |v: f64, unit: &str| {
        if unit == currency {
            format!("{currency} {} M", millions(v))
        } else {
            let decimals = if unit == "nodes" && !report.relaxed {
                0
            } else {
                1
            };
            format!("{} {unit}", crate::report::format::number(v, decimals))
        }
    };
    let bars: Vec<charts::RangeBar> = report
        .ranges
        .iter()
        .filter_map(|r| {
            let optimum = r.optimum?;
            let (min, max) = (r.min.unwrap_or(optimum), r.max.unwrap_or(optimum));
            let end = |x: Option<f64>, status: &str| match x {
                Some(x) => value(x, &r.unit),
                None if status == "not asked" => "not asked".to_string(),
                None => status.to_string(),
            };
            Some(charts::RangeBar {
                name: format!("{} ({})", r.metric, r.reading),
                min,
                max,
                optimum,
                min_label: end(r.min, &r.status_min),
                max_label: end(r.max, &r.status_max),
                optimum_label: value(optimum, &r.unit),
            })
        })
        .collect();
    let slack = crate::report::format::percent(report.slack, 1);
    let body = html! {
        p.note {
            "With the NPV held within " (slack) " of the optimum's"
            @if let Some(cap) = report.npv_cap { " (at most " (currency) " " (millions(cap)) " M)" }
            ", the least and the most of each metric, each an audited plan"
            @if report.relaxed { " (LP relaxations: node counts continuous)" }
            ". The diamond is the optimum. A narrow bar is a firm decision; a wide one a free choice."
        }
        @if !report.overrides.is_empty() {
            p.note { "Overrides: " (report.overrides.join(", ")) }
        }
        @if bars.is_empty() {
            p.note { "No ranges: " (report.optimum.status) }
        } @else {
            (chart(charts::ranges(&format!("Near-optimal ranges within {slack} of the optimum's NPV"), &bars)))
        }
        (tables(&alternatives_tables::tables(report)))
    };
    page(&title, body)
}

/// The value of hedging: the expected NPV of the hedged plan and of each
/// bet on one future above wait-and-see, as bars (a bet without a plan
/// drawn empty with why), the notes on noise, then the tables.
pub fn hedge_page(report: &HedgeReport) -> String {
    let title = format!("fsdplan hedge: {}", report.scenario);
    let currency = &report.currency;
    // Above wait-and-see, so that the differences show: the hedged plan's
    // bar is the EVPI, a bet's the EVPI plus its VSS.
    let above = |x: Option<f64>| {
        x.zip(report.wait_and_see)
            .map(|(e, ws)| ((e - ws) / 1e6).max(0.0))
    };
    let mut bars: Vec<(String, Option<f64>, String)> = vec![(
        "hedged plan".into(),
        above(report.hedged.expected_npv),
        format!("(EVPI; {})", report.hedged.status),
    )];
    for bet in &report.plan_for {
        let note = match (bet.vss, &bet.why) {
            (Some(vss), _) => format!("(VSS {currency} {} M)", millions(vss)),
            (None, Some(why)) => shortened(&format!("{}: {why}", bet.status), 140),
            (None, None) => bet.status.clone(),
        };
        bars.push((
            format!("bet on {}", bet.future),
            above(bet.expected_npv),
            note,
        ));
    }
    let money = |x: Option<f64>| {
        x.map_or_else(
            || "-".to_string(),
            |v| format!("{currency} {} M", millions(v)),
        )
    };
    let body = html! {
        section.headline {
            div.card {
                span.label { "hedged plan, expected NPV" }
                span.value { (money(report.hedged.expected_npv)) }
                span.note { (report.hedged.status) }
            }
            div.card {
                span.label { "EVPI" }
                span.value { (money(report.evpi)) }
                span.note { "what knowing the future in advance would save" }
            }
            div.card {
                span.label { "wait-and-see" }
                span.value { (money(report.wait_and_see)) }
                span.note { "expected NPV with perfect foresight" }
            }
        }
        @if !report.notes.is_empty() {
            section.alert {
                h2 { "Read with care" }
                ul { @for note in &report.notes { li { (note) } } }
            }
        }
        (chart(charts::horizontal_bars(
            &format!("Expected NPV of each plan above wait-and-see ({currency} M): what not knowing the future costs it"),
            &format!("expected NPV minus wait-and-see ({currency} M)"),
            &bars,
        )))
        (tables(&hedge_tables::tables(report)))
    };
    page(&title, body)
}

/// The sweep report.
pub fn sweep_page(report: &SweepReport) -> String {
    let title = format!("fsdplan sweep: {}", report.scenario);
    let axis = format!("NPV ({} M)", report.currency);
    let figures: Vec<_> = (0..report.parameters.len())
        .map(|p| {
            let name = &report.parameters[p].path;
            // The values of this parameter along x, in grid order.
            let mut xs: Vec<String> = Vec::new();
            for row in &report.rows {
                if !xs.contains(&row.values[p]) {
                    xs.push(row.values[p].clone());
                }
            }
            // One line per value of the next parameter (if any).
            let other = (report.parameters.len() > 1).then(|| (p + 1) % report.parameters.len());
            let mut lines: BTreeMap<usize, (String, Vec<f64>)> = BTreeMap::new();
            for row in &report.rows {
                let x = xs.iter().position(|v| *v == row.values[p]).unwrap_or(0);
                let (key, label) = match other {
                    Some(o) => {
                        let values = &report.parameters[o].values;
                        let k = values.iter().position(|v| *v == row.values[o]).unwrap_or(0);
                        (
                            k,
                            format!(
                                "{} = {}",
                                report.parameters[o].path,
                                as_typed(&row.values[o])
                            ),
                        )
                    }
                    None => (0, "NPV".to_string()),
                };
                let entry = lines
                    .entry(key)
                    .or_insert_with(|| (label, vec![f64::NAN; xs.len()]));
                if let Some(npv) = row.npv {
                    entry.1[x] = npv / 1e6;
                }
            }
            let series: Vec<Series> = lines
                .into_values()
                .map(|(name, values)| Series { name, values })
                .collect();
            let chart_title = format!("NPV against {name}");
            let x_desc = format!("{name} ({})", parameter_unit(name, &report.currency));
            // Numbers with thousands separators: 1,200,000, not 1200000.
            let xs: Vec<String> = xs.iter().map(|x| as_typed(x)).collect();
            (chart_title, x_desc, xs, series)
        })
        .collect();
    let body = html! {
        p.note {
            (report.rows.len()) " points of a grid of " (report.grid_size)
            @if let Some(shard) = &report.shard { " (shard " (shard) ")" }
            ". Points without a plan are left out of the lines and listed in the table."
        }
        @for (chart_title, x_desc, xs, series) in &figures {
            (chart(charts::lines(&Frame::new(chart_title, xs, &axis).with_x_desc(x_desc), series, &[])))
        }
        (tables(&[sweep_tables::table(report)]))
    };
    page(&title, body)
}

/// The unit of a scenario value, read from its key as docs/scenario.md
/// names them: `gpu.H20.price_per_node` is in CNY per node,
/// `site.lingang.power_cap_mw` in MW, `fleet.growth_per_year` a share.
fn parameter_unit(path: &str, currency: &str) -> String {
    let key = path.rsplit('.').next().unwrap_or(path);
    if let Some(per) = key.split_once("price_per_").map(|(_, per)| per) {
        let per = match per {
            "gbps_month" => "Gbps-month",
            "kwh" => "kWh",
            "pb" => "PB",
            "pflop" => "PFLOP",
            other => other,
        };
        return format!("{currency} per {per}");
    }
    if key.starts_with("maintenance_per_node_year") {
        return format!("{currency} per node-year");
    }
    if key == "capex_per_period" {
        return format!("{currency} per period");
    }
    let suffixes = [
        ("_mw", "MW"),
        ("_gbps", "Gbps"),
        ("_kw", "kW"),
        ("_pb", "PB"),
        ("_per_pb", "per PB"),
        ("_years", "years"),
        ("_months", "months"),
        ("_per_period", "per period"),
        ("_nodes", "nodes"),
        ("tflops", "TFLOPS"),
        ("vehicles", "vehicles"),
    ];
    if let Some((_, unit)) = suffixes.iter().find(|(end, _)| key.ends_with(end)) {
        return unit.to_string();
    }
    if key.ends_with("_per_year") || key.ends_with("rate") {
        return "share per year".into();
    }
    if key.ends_with("share") || key.ends_with("fraction") || key == "mfu" || key == "probability" {
        return "share".into();
    }
    "as in the scenario file".into()
}

/// `text` cut at a word to at most `limit` characters, with an ellipsis
/// (the table below the chart has it in full).
fn shortened(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let cut: String = text.chars().take(limit).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{at_word} …")
}

#[cfg(test)]
mod tests {
    use super::shortened;

    #[test]
    fn swept_values_read_with_separators_and_units() {
        assert_eq!(crate::numbers::as_typed("1200000"), "1,200,000");
        assert_eq!(crate::numbers::as_typed("0.15"), "0.15");
        assert_eq!(crate::numbers::as_typed("\"CN\""), "\"CN\"");
        assert_eq!(
            super::parameter_unit("gpu.H20.price_per_node", "CNY"),
            "CNY per node"
        );
        assert_eq!(
            super::parameter_unit("site.lingang.power_cap_mw", "CNY"),
            "MW"
        );
        assert_eq!(
            super::parameter_unit("fleet.growth_per_year", "CNY"),
            "share per year"
        );
        assert_eq!(
            super::parameter_unit("site.x.ingest_price_per_gbps_month", "USD"),
            "USD per Gbps-month"
        );
    }

    #[test]
    fn long_notes_are_cut_at_a_word() {
        assert_eq!(shortened("none: cost alone", 90), "none: cost alone");
        assert_eq!(
            shortened("supply cap 910B 2025Q1 needs more", 20),
            "supply cap 910B …"
        );
    }
}
