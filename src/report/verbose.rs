//! `plan --verbose`: the model's size, where the time went, and what each
//! stage of the integer search found. Printed on standard error, so the
//! plan on standard output stays byte for byte the same.

use super::format::{millions, number, percent, TextTable};
use crate::model::ModelSize;
use crate::solve::search::{relative_gap, SearchStep};

/// Seconds spent in each part of a planning run, by the caller's clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageSeconds {
    pub load: f64,
    pub build: f64,
    pub search: f64,
    pub report: f64,
}

/// The model's size and the time per stage.
pub fn run_facts(size: &ModelSize, seconds: StageSeconds) -> TextTable {
    let mut t = TextTable::new("model and time", &["", ""], 2);
    t.push(vec![
        "model".into(),
        format!(
            "{} rows, {} columns ({} integer), {} nonzeros",
            number(size.rows as f64, 0),
            number(size.columns as f64, 0),
            number(size.integers as f64, 0),
            number(size.nonzeros as f64, 0),
        ),
    ]);
    let total = seconds.load + seconds.build + seconds.search + seconds.report;
    let share = |x: f64| {
        if total > 0.0 {
            percent(x / total, 1)
        } else {
            "-".into()
        }
    };
    for (stage, s) in [
        ("load and validate", seconds.load),
        ("build the model", seconds.build),
        ("solve (search)", seconds.search),
        ("report", seconds.report),
    ] {
        t.push(vec![stage.into(), format!("{s:.3} s ({})", share(s))]);
    }
    t.push(vec!["total".into(), format!("{total:.3} s")]);
    t
}

/// The search's log: one row per stage, with the best plan and bound after
/// it, in millions of the scenario's currency.
pub fn search_log(log: &[SearchStep], money_scale: f64, currency: &str) -> TextTable {
    let plan_header = format!("plan ({currency} M)");
    let bound_header = format!("bound ({currency} M)");
    let mut t = TextTable::new(
        "integer search",
        &[
            "stage",
            "seconds",
            &plan_header,
            &bound_header,
            "gap",
            "LP solves",
        ],
        1,
    );
    for step in log {
        let has_plan = step.objective.is_finite();
        let money = |x: f64| {
            if x.is_finite() {
                millions(x * money_scale)
            } else {
                "-".into()
            }
        };
        t.push(vec![
            step.stage.into(),
            format!("{:.2}", step.seconds),
            money(step.objective),
            money(step.bound),
            if has_plan && step.bound.is_finite() {
                percent(relative_gap(step.objective, step.bound), 3)
            } else {
                "-".into()
            },
            number(step.lp_solves as f64, 0),
        ]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::TableStyle;

    /// The table's cells, row by row, as rendered in Markdown.
    fn cells(table: &TextTable) -> Vec<Vec<String>> {
        table
            .render(TableStyle::Markdown)
            .lines()
            .filter(|line| line.starts_with('|') && !line.starts_with("|-"))
            .map(|line| {
                line.trim_matches('|')
                    .split('|')
                    .map(|cell| cell.trim().to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn the_log_shows_plan_bound_and_gap_in_millions() {
        let log = [
            SearchStep {
                stage: "root LP",
                seconds: 0.5,
                objective: f64::INFINITY,
                bound: 100.0,
                lp_solves: 1,
            },
            SearchStep {
                stage: "rounding",
                seconds: 0.75,
                objective: 101.0,
                bound: 100.0,
                lp_solves: 4,
            },
        ];
        let rows = cells(&search_log(&log, 1e6, "CNY"));
        assert_eq!(
            rows,
            [
                [
                    "stage",
                    "seconds",
                    "plan (CNY M)",
                    "bound (CNY M)",
                    "gap",
                    "LP solves"
                ],
                ["root LP", "0.50", "-", "100.0", "-", "1"],
                ["rounding", "0.75", "101.0", "100.0", "0.990%", "4"],
            ]
        );
    }

    #[test]
    fn time_shares_add_up() {
        let size = ModelSize {
            rows: 1000,
            columns: 2000,
            nonzeros: 12345,
            integers: 10,
        };
        let seconds = StageSeconds {
            load: 0.0,
            build: 1.0,
            search: 3.0,
            report: 0.0,
        };
        let rows = cells(&run_facts(&size, seconds));
        assert_eq!(
            rows[1],
            [
                "model",
                "1,000 rows, 2,000 columns (10 integer), 12,345 nonzeros"
            ]
        );
        assert_eq!(rows[3], ["build the model", "1.000 s (25.0%)"]);
        assert_eq!(rows[4], ["solve (search)", "3.000 s (75.0%)"]);
        assert_eq!(rows[6], ["total", "4.000 s"]);
    }
}
