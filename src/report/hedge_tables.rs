//! `fsdplan hedge` as tables: what hedging is worth (EVPI, VSS), each
//! future's own plan, the plan that bets on each future, and the regret of
//! every plan in every future.

use super::csv_tables::to_csv;
use super::format::{millions, percent, signed_millions, TextTable};
use crate::studies::hedging::{HedgeReport, RegretRow};

pub fn tables(report: &HedgeReport) -> Vec<TextTable> {
    let money = |x: Option<f64>| x.map_or("-".to_string(), millions);
    let signed = |x: Option<f64>| x.map_or("-".to_string(), signed_millions);
    let mut summary = TextTable::new(
        format!(
            "fsdplan hedge: {} (millions of {})",
            report.scenario, report.currency
        ),
        &["", ""],
        2,
    );
    let h = &report.hedged;
    summary.push(vec!["hedged plan".into(), h.status.clone()]);
    summary.push(vec!["expected NPV, hedged".into(), money(h.expected_npv)]);
    summary.push(vec!["CVaR, hedged".into(), money(h.cvar)]);
    summary.push(vec![
        "wait-and-see (each future planned knowing it)".into(),
        money(report.wait_and_see),
    ]);
    summary.push(vec![
        "EVPI (what knowing the future would save)".into(),
        money(report.evpi),
    ]);
    let best_bet = report
        .plan_for
        .iter()
        .filter_map(|p| p.vss.map(|v| (v, &p.future)))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((vss, future)) = best_bet {
        summary.push(vec![
            "smallest VSS (hedging against the best single bet)".into(),
            format!("{} (bet on {future})", millions(vss)),
        ]);
    }
    for note in &report.notes {
        summary.push(vec!["note".into(), note.clone()]);
    }

    let mut foresight = TextTable::new(
        "Perfect foresight: each future planned alone, knowing it will happen",
        &["future", "probability", "status", "NPV", "gap"],
        3,
    );
    for (row, f) in report.perfect_foresight.iter().zip(&report.futures) {
        foresight.push(vec![
            row.future.clone(),
            percent(f.probability, 1),
            row.status.clone(),
            money(row.npv),
            row.gap.map_or("-".into(), |g| percent(g, 3)),
        ]);
    }

    let mut bets = TextTable::new(
        "Plans that bet on one future (its purchases until the events say otherwise)",
        &["bet on", "status", "expected NPV", "VSS", "why no plan"],
        2,
    )
    .with_trailing_text(1);
    for row in &report.plan_for {
        bets.push(vec![
            row.future.clone(),
            row.status.clone(),
            money(row.expected_npv),
            signed(row.vss),
            row.why.clone().unwrap_or_default(),
        ]);
    }

    let futures: Vec<&str> = report.futures.iter().map(|f| f.future.as_str()).collect();
    let mut headers = vec!["plan"];
    headers.extend(futures.iter().copied());
    headers.push("worst");
    let mut regret = TextTable::new(
        "Regret: a plan's NPV in a future minus that future's foresight NPV",
        &headers,
        1,
    );
    let mut plans: Vec<&str> = Vec::new();
    for row in &report.regret {
        if !plans.contains(&row.plan.as_str()) {
            plans.push(&row.plan);
        }
    }
    for plan in plans {
        let rows: Vec<&RegretRow> = report.regret.iter().filter(|r| r.plan == plan).collect();
        let mut cells = vec![plan.to_string()];
        cells.extend(rows.iter().map(|r| signed(r.regret)));
        let worst = rows
            .iter()
            .filter_map(|r| r.regret)
            .fold(None, |w: Option<f64>, r| Some(w.map_or(r, |w| w.max(r))));
        cells.push(signed(worst));
        regret.push(cells);
    }
    vec![summary, foresight, bets, regret]
}

pub fn csv(report: &HedgeReport) -> Result<Vec<(&'static str, String)>, csv::Error> {
    let money = super::csv_tables::Units::money(
        &report.currency,
        &["npv", "bound", "expected_npv", "vss", "objective", "regret"],
    );
    Ok(vec![
        (
            "perfect_foresight.csv",
            to_csv(&report.perfect_foresight, money)?,
        ),
        ("plan_for.csv", to_csv(&report.plan_for, money)?),
        ("regret.csv", to_csv(&report.regret, money)?),
    ])
}
