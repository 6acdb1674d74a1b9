//! What explains a plan, as tables and CSV; a hedged plan's with a
//! `future` column first.

use super::csv_tables::{to_csv, Units};
use super::format::TextTable;

use super::hedged_tables::in_future_csv;
use crate::analyses::explain::{
    money_text, BindingLimit, ExplainReport, HedgedExplainReport, MarginalCost,
};

/// The binding limits (largest value first), the bans, then the marginal
/// costs; rows that differ only by period are one row over a run of
/// periods ("2026Q1-2027Q4"). The JSON and CSV keep one row per period.
pub fn tables(report: &ExplainReport) -> Vec<TextTable> {
    let limits: Vec<_> = report.limits.iter().map(|l| (None, l)).collect();
    let costs: Vec<_> = report.marginal_costs.iter().map(|c| (None, c)).collect();
    assemble(
        &report.currency,
        &report.basis,
        &report.periods,
        false,
        &limits,
        &costs,
    )
}

/// A hedged plan's binding limits and marginal costs, future by future.
pub fn hedged_tables(report: &HedgedExplainReport) -> Vec<TextTable> {
    let limits: Vec<_> = report
        .limits
        .iter()
        .map(|l| (Some(l.future.as_str()), &l.row))
        .collect();
    let costs: Vec<_> = report
        .marginal_costs
        .iter()
        .map(|c| (Some(c.future.as_str()), &c.row))
        .collect();
    assemble(
        &report.currency,
        &report.basis,
        &report.periods,
        true,
        &limits,
        &costs,
    )
}

/// Rows alike but for their period, gathered in first-seen order: the
/// future (if any), the subject in words, the unit, and the periods with
/// their values.
struct Run<'a> {
    future: Option<&'a str>,
    subject: &'a str,
    unit: &'a str,
    /// (period index, value per unit, value of 1% more), in period order.
    periods: Vec<(usize, f64, f64)>,
}

/// A row of either table as the grouping reads it.
struct Valued<'a> {
    future: Option<&'a str>,
    subject: &'a str,
    period: Option<&'a str>,
    text: &'a str,
    unit: &'a str,
    value: f64,
    one_percent: f64,
}

impl<'a> Valued<'a> {
    fn limit(future: Option<&'a str>, l: &'a BindingLimit) -> Valued<'a> {
        Valued {
            future,
            subject: &l.subject,
            period: l.period.as_deref(),
            text: &l.text,
            unit: &l.unit,
            value: l.value_per_unit,
            one_percent: l.value_of_one_percent,
        }
    }

    fn cost(future: Option<&'a str>, c: &'a MarginalCost) -> Valued<'a> {
        Valued {
            future,
            subject: &c.subject,
            period: c.period.as_deref(),
            text: &c.text,
            unit: &c.unit,
            value: c.value_per_unit,
            one_percent: 0.0,
        }
    }
}

/// Gathers rows alike but for their period into runs. A row without a
/// period of the plan (or from a JSON written before rows had subjects)
/// stays a row of its own, in its words.
fn gather<'a>(rows: impl Iterator<Item = Valued<'a>>, periods: &[String]) -> Vec<Run<'a>> {
    let mut runs: Vec<Run<'a>> = Vec::new();
    for row in rows {
        let period = row
            .period
            .and_then(|p| periods.iter().position(|label| label == p))
            .filter(|_| !row.subject.is_empty());
        let Some(period) = period else {
            runs.push(Run {
                future: row.future,
                subject: row.text,
                unit: row.unit,
                periods: Vec::new(),
            });
            continue;
        };
        let entry = (period, row.value, row.one_percent);
        match runs.iter_mut().find(|r| {
            r.future == row.future
                && r.subject == row.subject
                && r.unit == row.unit
                && !r.periods.is_empty()
        }) {
            Some(run) => run.periods.push(entry),
            None => runs.push(Run {
                future: row.future,
                subject: row.subject,
                unit: row.unit,
                periods: vec![entry],
            }),
        }
    }
    for run in &mut runs {
        run.periods.sort_by_key(|&(t, _, _)| t);
    }
    runs
}

/// `2026Q1-2027Q4`, or the runs of a broken list.
fn run_periods(run: &Run, periods: &[String]) -> String {
    let indices: Vec<usize> = run.periods.iter().map(|&(t, _, _)| t).collect();
    crate::numbers::period_ranges(periods, &indices)
}

/// One value, or the first period's and the last's: `162 to 41.43`.
fn first_to_last(run: &Run, value: impl Fn(&(usize, f64, f64)) -> f64) -> String {
    let first = run.periods.first().map(&value).unwrap_or_default();
    let last = run.periods.last().map(&value).unwrap_or_default();
    if money_text(first) == money_text(last) {
        money_text(first)
    } else {
        format!("{} to {}", money_text(first), money_text(last))
    }
}

fn assemble(
    currency: &str,
    basis: &str,
    periods: &[String],
    hedged: bool,
    limits: &[(Option<&str>, &BindingLimit)],
    costs: &[(Option<&str>, &MarginalCost)],
) -> Vec<TextTable> {
    let first: &[&str] = if hedged { &["future"] } else { &[] };
    let with_first = |rest: &[&str]| -> Vec<String> {
        first.iter().chain(rest).map(|h| h.to_string()).collect()
    };
    let lead = |future: Option<&str>| future.map(str::to_string).into_iter();
    let (bans, others): (Vec<_>, Vec<_>) = limits.iter().partition(|(_, l)| l.unit == "rule");

    let per_unit = format!("{currency} per unit, first to last period");
    let one_percent = format!("1% more saves, all periods ({currency})");
    let headers = with_first(&["limit", "periods", "unit", &per_unit, &one_percent]);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut limit_table = TextTable::new(
        if hedged {
            format!("Binding limits in each future, largest value first (basis: {basis}; each limit loosened 0.1% and the LP re-solved; values are that future's NPV)")
        } else {
            format!("Binding limits, largest value first (basis: {basis}; each limit loosened 0.1% and the LP re-solved)")
        },
        &headers,
        first.len() + 3,
    );
    let limit_runs = gather(others.iter().map(|(f, l)| Valued::limit(*f, l)), periods);
    for run in &limit_runs {
        let total: f64 = run.periods.iter().map(|&(_, _, one)| one).sum();
        limit_table.push(
            lead(run.future)
                .chain([
                    run.subject.to_string(),
                    run_periods(run, periods),
                    run.unit.to_string(),
                    first_to_last(run, |&(_, v, _)| v),
                    money_text(total),
                ])
                .collect(),
        );
    }
    if limit_runs.is_empty() {
        let mut row = vec![String::new(); first.len()];
        row.push(if bans.is_empty() {
            "no limit binds: cost alone shapes the plan".into()
        } else {
            "no capacity limit binds: only the bans below".into()
        });
        row.extend([String::new(), String::new(), String::new(), String::new()]);
        limit_table.push(row);
    }
    let mut tables = vec![limit_table];

    if !bans.is_empty() {
        let saves = format!("lifting it saves ({currency} NPV)");
        let headers = with_first(&["export-control ban", &saves]);
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut ban_table = TextTable::new(
            "Export-control bans that bind (each valued by LP plans with and without it)",
            &headers,
            first.len() + 1,
        );
        for (future, ban) in &bans {
            let rule = ban.text.split(": ").next().unwrap_or(&ban.text);
            ban_table.push(
                lead(*future)
                    .chain([rule.to_string(), money_text(ban.value_per_unit)])
                    .collect(),
            );
        }
        tables.push(ban_table);
    }

    let per_unit = format!("{currency} per unit, first to last period");
    let headers = with_first(&["", "periods", "unit", &per_unit]);
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut cost_table = TextTable::new(
        if hedged {
            "Marginal costs in each future: training demand per class, compute and storage per site"
        } else {
            "Marginal costs: training demand per class, compute and storage per site"
        },
        &headers,
        first.len() + 3,
    );
    let cost_runs = gather(costs.iter().map(|(f, c)| Valued::cost(*f, c)), periods);
    for run in &cost_runs {
        cost_table.push(
            lead(run.future)
                .chain([
                    run.subject.to_string(),
                    run_periods(run, periods),
                    run.unit.to_string(),
                    first_to_last(run, |&(_, v, _)| v),
                ])
                .collect(),
        );
    }
    tables.push(cost_table);
    tables
}

/// Limits and marginal costs as two CSV files.
pub fn csv(report: &ExplainReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    Ok(vec![
        (
            "binding_limits.csv",
            to_csv(&report.limits, limit_units(&report.currency))?,
        ),
        (
            "marginal_costs.csv",
            to_csv(&report.marginal_costs, marginal_units(&report.currency))?,
        ),
    ])
}

/// A hedged plan's limits and marginal costs, each row led by its future.
pub fn hedged_csv(report: &HedgedExplainReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    Ok(vec![
        (
            "binding_limits.csv",
            in_future_csv(&report.limits, limit_units(&report.currency))?,
        ),
        (
            "marginal_costs.csv",
            in_future_csv(&report.marginal_costs, marginal_units(&report.currency))?,
        ),
    ])
}

/// A binding limit's CSV: its value is money per unit of the limit.
fn limit_units(currency: &str) -> Units<'_> {
    Units::money(currency, &["value_per_unit", "value_of_one_percent"])
}

/// A marginal cost's CSV: money per unit (the `unit` column names it).
fn marginal_units(currency: &str) -> Units<'_> {
    Units::money(currency, &["value_per_unit"])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn periods() -> Vec<String> {
        ["2025Q3", "2025Q4", "2026Q1", "2026Q2"]
            .map(String::from)
            .to_vec()
    }

    fn limit(subject: &str, period: Option<&str>, value: f64, one: f64) -> BindingLimit {
        BindingLimit {
            subject: subject.into(),
            period: period.map(String::from),
            text: format!("{subject}, {}: words", period.unwrap_or("-")),
            unit: "PB".into(),
            value_per_unit: value,
            value_of_one_percent: one,
            ..BindingLimit::default()
        }
    }

    #[test]
    fn rows_alike_but_for_their_period_are_one_row_over_a_run() {
        let rows = [
            limit("export quota video", Some("2026Q1"), 30.0, 0.6),
            limit("export quota video", Some("2025Q4"), 12.0, 0.2),
            limit("export quota video", Some("2025Q3"), 3.0, 0.1),
            limit("power cap at east", Some("2026Q2"), 9.0, 0.5),
        ];
        let runs = gather(rows.iter().map(|l| Valued::limit(None, l)), &periods());
        assert_eq!(runs.len(), 2);
        assert_eq!(runs[0].subject, "export quota video");
        assert_eq!(run_periods(&runs[0], &periods()), "2025Q3-2026Q1");
        assert_eq!(first_to_last(&runs[0], |&(_, v, _)| v), "3.00 to 30.00");
        assert_eq!(runs[1].subject, "power cap at east");
        assert_eq!(run_periods(&runs[1], &periods()), "2026Q2");
    }

    #[test]
    fn a_row_without_a_period_stays_a_row_of_its_own_in_its_words() {
        let ban = limit("H200 ban in CN, 2025Q1-2025Q4", None, 5e8, 5e8);
        let runs = gather([Valued::limit(None, &ban)].into_iter(), &periods());
        assert_eq!((runs.len(), runs[0].subject), (1, ban.text.as_str()));
        assert!(runs[0].periods.is_empty());
    }

    /// The explanation's rows carry their subject and period, as the
    /// grouping reads them.
    #[test]
    fn explained_rows_name_their_subject_and_period() {
        let text = include_str!("../../tests/scenarios/small.toml");
        let catalog = include_str!("../../tests/scenarios/small-catalog.toml");
        let mut read = |path: &std::path::Path| {
            Ok(if path.ends_with("small-catalog.toml") {
                catalog
            } else {
                text
            }
            .to_string())
        };
        let scenario = crate::scenario::load(
            std::path::Path::new("tests/scenarios/small.toml"),
            &mut read,
        )
        .unwrap()
        .scenario;
        let options = crate::plan::PlanOptions::default();
        let planned = crate::analyses::plan(
            &scenario,
            options,
            &crate::solve::MicroLp,
            &crate::solve::NoClock,
        );
        let report = crate::analyses::explain::explain(
            &planned.run,
            &crate::solve::MicroLp,
            &crate::solve::NoClock,
        );
        assert!(!report.marginal_costs.is_empty());
        for cost in &report.marginal_costs {
            let period = cost.period.as_deref().expect("a period");
            assert!(report.periods.iter().any(|p| p == period));
            assert!(
                cost.text
                    .starts_with(&format!("{}, {period}:", cost.subject)),
                "{}",
                cost.text
            );
        }
        for limit in report.limits.iter().filter(|l| l.period.is_some()) {
            assert!(limit.text.starts_with(&limit.subject), "{}", limit.text);
        }
    }
}
