//! The hedged plan's report (SPEC.md 7.4): the decision to take now
//! first, then the futures: a fan of their compute and of their cost over
//! time and the distribution of their NPV; then what changes after each
//! reveal, and the tables.

use std::collections::BTreeMap;

use maud::{html, Markup};

use super::charts::{self, Band, Frame, Series};
use super::page::{chart, headline_status, page, table_section, tables};
use crate::analyses::HedgedReport;
use crate::report::format::{millions, number, percent};
use crate::report::hedged_tables;
use crate::scenario::{Future, Scenario};

/// Above this many futures the NPV distribution is a histogram rather
/// than one bar per future.
const BARS_UP_TO: usize = 24;

/// The whole hedged plan report as one HTML document (compute in PFLOP/s:
/// PFLOP per period over the period's seconds).
pub fn hedged_plan_page(base: &Scenario, futures: &[Future], report: &HedgedReport) -> String {
    let seconds = base.calendar.seconds_per_period();
    let title = format!("fsdplan hedged plan: {}", report.scenario);
    let body = html! {
        (headline(report))
        @if let Some(why) = &report.infeasibility {
            section.alert {
                h2 { "Why there is no plan" }
                ul { @for line in &why.lines { li { (line) } } }
            }
        }
        @if report.objective.is_some() {
            @let mut decision = hedged_tables::decision(report, base, futures);
            @let after = decision.split_off(1);
            (table_section("The decision to take now", &decision))
            (futures_section(report, seconds))
            (table_section("After each reveal", &after))
        }
        (tables(&tables_after(report)))
    };
    page(&title, body)
}

fn tables_after(report: &HedgedReport) -> Vec<crate::report::TextTable> {
    let mut all = vec![hedged_tables::summary_table(report)];
    if report.objective.is_some() {
        all.extend(hedged_tables::per_future(report));
    }
    all
}

fn headline(report: &HedgedReport) -> Markup {
    let currency = &report.currency;
    let money = |x: f64| format!("{currency} {} M", millions(x));
    let npvs: Vec<f64> = report.futures.iter().filter_map(|f| f.npv).collect();
    let lowest = npvs.iter().copied().fold(f64::INFINITY, f64::min);
    let highest = npvs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let status = headline_status(
        &report.status,
        report.gap,
        report.relaxed,
        report.mip_gap_target,
    );
    html! {
        section.headline {
            div.card {
                span.label { "expected NPV" }
                span.value {
                    @match report.expected_npv {
                        Some(e) => { (money(e)) }
                        None => { "no plan" }
                    }
                }
                span.note { (status) }
            }
            @if let Some(cvar) = report.cvar {
                div.card {
                    span.label { "CVaR " (percent(report.cvar_alpha, 0)) }
                    span.value { (money(cvar)) }
                    span.note { "mean NPV of the costliest " (percent(1.0 - report.cvar_alpha, 0)) " of probability" }
                }
            }
            @if !npvs.is_empty() {
                div.card {
                    span.label { "NPV across futures" }
                    span.value { (number(lowest / 1e6, 0)) " – " (number(highest / 1e6, 0)) }
                    span.note { (currency) " M, lowest to highest future" }
                }
            }
            div.card {
                span.label { "futures" }
                span.value { (report.futures.len()) }
                span.note { (number(report.shared_purchase_columns as f64, 0)) " purchase columns shared until an event tells futures apart" }
            }
        }
    }
}

/// Each future's value per period: `values[f][t]`.
fn per_period<R>(
    report: &HedgedReport,
    rows: &[crate::plan::hedged::InFuture<R>],
    period: impl Fn(&R) -> &str,
    value: impl Fn(&R) -> f64,
) -> Vec<Vec<f64>> {
    let future: BTreeMap<&str, usize> = report
        .futures
        .iter()
        .enumerate()
        .map(|(i, f)| (f.future.as_str(), i))
        .collect();
    let at: BTreeMap<&str, usize> = report
        .periods
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    let mut values = vec![vec![0.0; report.periods.len()]; report.futures.len()];
    for row in rows {
        if let (Some(&f), Some(&t)) = (future.get(row.future.as_str()), at.get(period(&row.row))) {
            values[f][t] += value(&row.row);
        }
    }
    values
}

/// The `q` quantile of values weighted by probabilities: the smallest
/// value whose cumulative probability reaches `q`.
fn quantile(values: &[(f64, f64)], q: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = sorted.iter().map(|v| v.1).sum();
    let mut cumulative = 0.0;
    for &(value, p) in &sorted {
        cumulative += p / total;
        if cumulative >= q - 1e-12 {
            return value;
        }
    }
    sorted.last().map_or(0.0, |v| v.0)
}

/// The fan of `values[f][t]`: every future's range, the middle 80% of
/// probability, and the expected value.
fn fan_of(report: &HedgedReport, values: &[Vec<f64>]) -> (Vec<Band>, Vec<Series>) {
    let periods = report.periods.len();
    let probabilities: Vec<f64> = report.futures.iter().map(|f| f.probability).collect();
    let column = |t: usize| -> Vec<(f64, f64)> {
        values
            .iter()
            .zip(&probabilities)
            .map(|(v, &p)| (v[t], p))
            .collect()
    };
    let band = |name: &str, low: f64, high: f64| Band {
        name: name.into(),
        lower: (0..periods).map(|t| quantile(&column(t), low)).collect(),
        upper: (0..periods).map(|t| quantile(&column(t), high)).collect(),
    };
    let expected = Series {
        name: "expected".into(),
        values: (0..periods)
            .map(|t| column(t).iter().map(|(v, p)| v * p).sum())
            .collect(),
    };
    (
        vec![
            band("all futures (lowest to highest)", 0.0, 1.0),
            band("middle 80% of probability", 0.1, 0.9),
        ],
        vec![expected],
    )
}

fn futures_section(report: &HedgedReport, seconds: f64) -> Markup {
    let labels = &report.periods;
    let currency_m = format!("{} M", report.currency);
    let compute = per_period(
        report,
        &report.sites,
        |r| &r.period,
        |r| r.compute_pflop / seconds,
    );
    let cost = per_period(report, &report.costs, |r| &r.period, |r| r.total / 1e6);
    let (compute_bands, compute_lines) = fan_of(report, &compute);
    let (cost_bands, cost_lines) = fan_of(report, &cost);
    html! {
        section {
            h2 { "The futures" }
            p.note { "Each future runs the same purchases until an event tells it apart from others, then its own. The bands hold every future, and the middle 80% of probability; the line is the probability-weighted mean." }
            (chart(charts::fan(
                &Frame::new("Installed compute in each future (sustained PFLOP/s)", labels, "PFLOP/s"),
                &compute_bands,
                &compute_lines,
            )))
            (chart(charts::fan(
                &Frame::new("Cost per period in each future (undiscounted)", labels, &currency_m),
                &cost_bands,
                &cost_lines,
            )))
            (npv_distribution(report))
        }
    }
}

/// One bar per future, costliest first, with its probability; or, with
/// many futures, the probability of each NPV range.
fn npv_distribution(report: &HedgedReport) -> Markup {
    let currency_m = format!("{} M", report.currency);
    let mut futures: Vec<(&str, f64, f64)> = report
        .futures
        .iter()
        .filter_map(|f| {
            f.npv
                .map(|npv| (f.future.as_str(), npv / 1e6, f.probability))
        })
        .collect();
    let expected = report.expected_npv.map_or(String::new(), |e| {
        format!("; expected {} {} M", report.currency, millions(e))
    });
    let cvar = report.cvar.map_or(String::new(), |c| {
        format!(", CVaR {} {} M", report.currency, millions(c))
    });
    if futures.len() <= BARS_UP_TO {
        futures.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let bars: Vec<(String, Option<f64>, String)> = futures
            .iter()
            .map(|&(name, npv, p)| {
                (
                    name.to_string(),
                    Some(npv),
                    format!("(p {})", percent(p, 1)),
                )
            })
            .collect();
        let title = format!("NPV of each future, costliest first{expected}{cvar}");
        return chart(charts::horizontal_bars(&title, &currency_m, &bars));
    }
    let lowest = futures.iter().map(|f| f.1).fold(f64::INFINITY, f64::min);
    let highest = futures
        .iter()
        .map(|f| f.1)
        .fold(f64::NEG_INFINITY, f64::max);
    let bins = 12;
    let width = ((highest - lowest) / bins as f64).max(1e-9);
    let mut mass = vec![0.0; bins];
    for &(_, npv, p) in &futures {
        let bin = (((npv - lowest) / width) as usize).min(bins - 1);
        mass[bin] += 100.0 * p;
    }
    let labels: Vec<String> = (0..bins)
        .map(|b| millions((lowest + width * (b as f64 + 0.5)) * 1e6))
        .collect();
    let title = format!(
        "Probability of each NPV range ({} futures, {currency_m} at the middle of each range){expected}{cvar}",
        futures.len()
    );
    chart(charts::stacked_bars(
        &Frame::new(&title, &labels, "% of probability").with_x_desc(&currency_m),
        &[Series {
            name: "probability".into(),
            values: mass,
        }],
    ))
}

#[cfg(test)]
mod tests {
    use super::quantile;

    #[test]
    fn a_weighted_quantile_is_the_first_value_whose_probability_reaches_it() {
        let values = [(3.0, 0.5), (1.0, 0.1), (2.0, 0.4)];
        assert_eq!(quantile(&values, 0.0), 1.0);
        assert_eq!(quantile(&values, 0.1), 1.0);
        assert_eq!(quantile(&values, 0.11), 2.0);
        assert_eq!(quantile(&values, 0.5), 2.0);
        assert_eq!(quantile(&values, 0.9), 3.0);
        assert_eq!(quantile(&values, 1.0), 3.0);
    }
}
