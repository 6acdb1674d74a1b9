//! Hedged plans (SPEC.md section 7.2), hand-computed.
//!
//! The case: three years, demand in 2026 only (1,000,000 vehicles upload in
//! 2026, kept one year), which five nodes serve. GPU `good` costs 1e6 a node
//! in 2025 and 25 % less a year later; `bad` costs 2e6. Both live two years,
//! so a node bought in 2025 serves 2026, and a node bought in 2026 is paid
//! in full inside the horizon (2026 and 2027) as well; either way five
//! nodes draw two years of energy. An event revealed in 2026-01 may ban
//! `good` in China from 2026-01 with probability p.
//!
//! * Buy `good` ahead in 2025: 5e6 in every future.
//! * Wait: 5 x 0.75e6 = 3.75e6 if open, 5 x 2e6 = 10e6 if banned.
//!
//! Buying ahead is worth it when 5e6 < (1 - p) 3.75e6 + p 10e6, that is
//! p > d / (1 + d) = 0.2 for the decline d = 0.25. Everything else (energy,
//! storage, ingest) is the same in every plan: `COMMON`.

mod common;

use std::path::Path;

use common::*;
use fsdplan::analyses::{plan_hedged, HedgedReport};
use fsdplan::plan::PlanOptions;
use fsdplan::scenario::{self, LoadedScenario, Override};
use fsdplan::solve::{Limits, NoClock};

const UPLOAD_PB: f64 = 12.0;

fn node_energy() -> f64 {
    10.0 * 1.5 * 8760.0 * 0.1
}

fn ingest_cost() -> f64 {
    8.0e6 * UPLOAD_PB / YEAR_SECONDS * 100.0 * 12.0
}

/// Two years of energy for five nodes, the 2026 storage and ingest.
fn common_cost() -> f64 {
    10.0 * node_energy() + 1000.0 * UPLOAD_PB + ingest_cost()
}

const AHEAD: f64 = 5.0e6;
const WAIT_OPEN: f64 = 3.75e6;
const WAIT_BANNED: f64 = 10.0e6;

fn scenario(p: f64, reveal: &str, extra: &str) -> String {
    let mut text = format!(
        "{}{}{}{}{}{}",
        header(3, 12, 0.0, "vehicles_by_period = [0, 1_000_000, 0]"),
        class("home_only", ""),
        STORAGE,
        home_site("dc", ""),
        gpu("good", 1.0e6, "price_decline_per_year = 0.25")
            .replace("lifetime_years = 1", "lifetime_years = 2"),
        gpu("bad", 2.0e6, "").replace("lifetime_years = 1", "lifetime_years = 2"),
    );
    text.push_str(&format!(
        r#"
[[event]]
name = "ban"
reveal = "{reveal}"

[[event.outcome]]
name = "banned"
probability = {p}
export_rule = [ {{ gpu = "good", jurisdiction = "CN", from = "2026-01" }} ]

[[event.outcome]]
name = "open"
{extra}
"#
    ));
    text
}

fn load(text: &str) -> LoadedScenario {
    let name = Path::new("hedged.toml");
    let mut read = |path: &Path| {
        if path == name {
            Ok(text.to_string())
        } else {
            Err(std::io::Error::new(std::io::ErrorKind::NotFound, "none"))
        }
    };
    scenario::load_with(name, &mut read, &[] as &[Override]).unwrap_or_else(|e| panic!("{e}"))
}

fn hedged(text: &str, relax: bool) -> HedgedReport {
    let loaded = load(text);
    let options = PlanOptions { relax, ..options() };
    let report = plan_hedged(
        &loaded.scenario,
        &loaded.futures,
        options,
        backend(),
        &NoClock,
    )
    .report();
    assert!(
        report.audit_violations.is_empty(),
        "{:?}",
        report.audit_violations
    );
    report
}

fn npv(report: &HedgedReport, future: &str) -> f64 {
    report
        .futures
        .iter()
        .find(|f| f.future == future)
        .and_then(|f| f.npv)
        .unwrap_or_else(|| panic!("no NPV for {future}"))
}

fn bought(report: &HedgedReport, future: &str, period: &str, gpu: &str) -> f64 {
    report
        .gpus
        .iter()
        .filter(|r| r.future == future && r.row.period == period && r.row.gpu == gpu)
        .map(|r| r.row.bought_nodes)
        .sum()
}

#[test]
fn above_the_threshold_the_plan_buys_ahead_of_a_possible_ban() {
    let report = hedged(&scenario(0.3, "2026-01", ""), false);
    assert_eq!(report.status, "optimal");
    assert_eq!(bought(&report, "banned", "2025", "good"), 5.0);
    assert_eq!(bought(&report, "open", "2025", "good"), 5.0);
    assert_close(npv(&report, "banned"), AHEAD + common_cost(), "NPV banned");
    assert_close(npv(&report, "open"), AHEAD + common_cost(), "NPV open");
    assert_close(
        report.expected_npv.unwrap(),
        AHEAD + common_cost(),
        "E[NPV]",
    );
    assert_close(
        report.objective.unwrap(),
        AHEAD + common_cost(),
        "objective",
    );
}

#[test]
fn below_the_threshold_the_plan_waits_for_the_reveal() {
    let report = hedged(&scenario(0.1, "2026-01", ""), false);
    assert_eq!(bought(&report, "open", "2025", "good"), 0.0);
    assert_eq!(bought(&report, "open", "2026", "good"), 5.0);
    assert_eq!(bought(&report, "banned", "2026", "bad"), 5.0);
    assert_close(npv(&report, "open"), WAIT_OPEN + common_cost(), "NPV open");
    assert_close(
        npv(&report, "banned"),
        WAIT_BANNED + common_cost(),
        "NPV banned",
    );
    let expected = 0.9 * WAIT_OPEN + 0.1 * WAIT_BANNED + common_cost();
    assert_close(report.expected_npv.unwrap(), expected, "E[NPV]");
    // The relaxation: the same corner, node counts need not round.
    let relaxed = hedged(&scenario(0.1, "2026-01", ""), true);
    let fraction = 6.0e8 / (8.0 * 1000.0 * 0.5 * 1e-3 * YEAR_SECONDS) / 5.0;
    let relaxed_expected = (0.9 * WAIT_OPEN + 0.1 * WAIT_BANNED + 10.0 * node_energy()) * fraction
        + 1000.0 * UPLOAD_PB
        + ingest_cost();
    assert_close(
        relaxed.objective.unwrap(),
        relaxed_expected,
        "relaxed objective",
    );
}

#[test]
fn an_event_known_from_the_start_gives_each_future_its_own_plan() {
    let report = hedged(&scenario(0.1, "2025-01", ""), false);
    assert_close(npv(&report, "open"), WAIT_OPEN + common_cost(), "open");
    assert_close(
        npv(&report, "banned"),
        AHEAD + common_cost(),
        "banned buys ahead",
    );
    assert_eq!(report.shared_purchase_columns, 0);
}

#[test]
fn an_event_revealed_after_the_horizon_leaves_one_plan_and_its_rule_binds_all() {
    // Nothing is ever known, so both futures buy alike; the ban from 2026
    // forbids `good` in 2026 in the banned future, hence in both (7.5).
    let report = hedged(&scenario(0.1, "2030-01", ""), false);
    for future in ["banned", "open"] {
        assert_eq!(bought(&report, future, "2025", "good"), 5.0, "{future}");
        assert_eq!(bought(&report, future, "2026", "good"), 0.0, "{future}");
        assert_close(npv(&report, future), AHEAD + common_cost(), future);
    }
}

#[test]
fn cvar_weight_one_protects_the_worst_future() {
    // At p = 0.1 waiting is cheaper on average, but the banned future costs
    // 10e6: with the tail alone in the objective the plan buys ahead.
    let risk = "\n[risk]\ncvar_alpha = 0.9\ncvar_weight = 1.0\n";
    let text = scenario(0.1, "2026-01", "") + risk;
    let report = hedged(&text, false);
    assert_eq!(bought(&report, "open", "2025", "good"), 5.0);
    assert_close(report.cvar.unwrap(), AHEAD + common_cost(), "CVaR");
    assert_close(
        report.objective.unwrap(),
        AHEAD + common_cost(),
        "objective = CVaR",
    );
    // Half weight at alpha 0.8: the tail is the banned future and a tenth of
    // the open one. Waiting: 0.5 (0.9 x 3.75 + 0.1 x 10) + 0.5 (0.1 x 10 +
    // 0.1 x 3.75) / 0.2 = 2.1875 + 3.4375 = 5.625 (e6) against 5 ahead.
    let risk = "\n[risk]\ncvar_alpha = 0.8\ncvar_weight = 0.5\n";
    let report = hedged(&(scenario(0.1, "2026-01", "") + risk), false);
    assert_eq!(bought(&report, "banned", "2025", "good"), 5.0);
    assert_close(
        report.objective.unwrap(),
        AHEAD + common_cost(),
        "mixed objective",
    );
}

#[test]
fn an_event_that_changes_nothing_gives_the_plain_plan_in_every_future() {
    let text = scenario(0.5, "2026-01", "").replace(
        "export_rule = [ { gpu = \"good\", jurisdiction = \"CN\", from = \"2026-01\" } ]",
        "",
    );
    let report = hedged(&text, false);
    let plain_text = text[..text.find("[[event]]").unwrap()].to_string();
    let plain = run(&plain_text, false);
    for future in ["banned", "open"] {
        assert_close(npv(&report, future), plain.objective.unwrap(), future);
    }
    assert_close(
        report.objective.unwrap(),
        plain.objective.unwrap(),
        "objective",
    );
}

fn hedge_study(text: &str) -> fsdplan::studies::hedging::HedgeReport {
    let loaded = load(text);
    fsdplan::studies::hedging::hedge(
        &loaded.scenario,
        &loaded.futures,
        options(),
        backend(),
        &NoClock,
    )
}

/// At p = 0.1 the hedged plan waits: E = 0.9 x 3.75e6 + 0.1 x 10e6. With
/// foresight the banned future buys ahead (5e6), so WS = 0.9 x 3.75e6 +
/// 0.1 x 5e6 and EVPI = 0.1 x 5e6. Betting on `open` is the hedged plan
/// (VSS 0); betting on `banned` buys ahead in both futures: E = 5e6, VSS =
/// 5e6 - 4.375e6.
#[test]
fn hedge_gives_wait_and_see_evpi_vss_and_regret() {
    let report = hedge_study(&scenario(0.1, "2026-01", ""));
    let c = common_cost();
    let hedged = 0.9 * WAIT_OPEN + 0.1 * WAIT_BANNED + c;
    assert_close(report.hedged.expected_npv.unwrap(), hedged, "E hedged");
    let ws = 0.9 * WAIT_OPEN + 0.1 * AHEAD + c;
    assert_close(report.wait_and_see.unwrap(), ws, "wait-and-see");
    assert_close(report.evpi.unwrap(), 0.5e6, "EVPI");
    let bet = |v: &str| report.plan_for.iter().find(|p| p.future == v).unwrap();
    assert_close(
        bet("open").expected_npv.unwrap(),
        hedged,
        "E betting on open",
    );
    assert!(bet("open").vss.unwrap().abs() < 1e-6 * hedged, "VSS open");
    assert_close(
        bet("banned").expected_npv.unwrap(),
        AHEAD + c,
        "E betting on banned",
    );
    assert_close(bet("banned").vss.unwrap(), AHEAD + c - hedged, "VSS banned");
    let regret = |plan: &str, future: &str| {
        report
            .regret
            .iter()
            .find(|r| r.plan == plan && r.future == future)
            .and_then(|r| r.regret)
            .unwrap()
    };
    assert_close(
        regret("hedged", "banned"),
        WAIT_BANNED - AHEAD,
        "regret hedged, banned",
    );
    assert!(regret("hedged", "open").abs() < 1e-6 * hedged);
    assert_close(
        regret("banned", "open"),
        AHEAD - WAIT_OPEN,
        "regret of the bet on banned",
    );
    assert!(report.notes.is_empty(), "{:?}", report.notes);
}

#[test]
fn an_event_known_from_the_start_is_worth_nothing_to_foresee() {
    let report = hedge_study(&scenario(0.1, "2025-01", ""));
    assert!(report.evpi.unwrap().abs() < 1e-6, "EVPI {:?}", report.evpi);
}

/// The other outcome caps installed `good` nodes at 2 from 2026: betting on
/// the ban (5 `good` nodes bought in 2025) leaves that future with more
/// installed than its cap allows, so the bet has no plan, and says which
/// future it strands.
#[test]
fn betting_on_one_future_can_leave_another_without_a_plan() {
    let text = scenario(0.5, "2026-01", "").replace(
        "name = \"open\"",
        "name = \"capped\"\nexport_rule = [ { gpu = \"good\", jurisdiction = \"CN\", from = \"2026-01\", action = \"licence\", price_factor = 1.0, max_installed_nodes_per_site = 2 } ]",
    );
    let report = hedge_study(&text);
    let bet = report
        .plan_for
        .iter()
        .find(|p| p.future == "banned")
        .unwrap();
    assert_eq!(bet.status, "infeasible");
    let why = bet.why.as_deref().unwrap();
    assert!(why.contains("future \"capped\""), "{why}");
    // The hedged plan itself buys at most 2 `good` nodes ahead.
    assert!(report.hedged.expected_npv.is_some());
}

fn compare_study(text: &str) -> fsdplan::studies::compare::CompareReport {
    let loaded = load(text);
    fsdplan::studies::compare::compare_hedged(
        &loaded.scenario,
        &loaded.futures,
        &[0, 1],
        options(),
        backend(),
        &|| Box::new(NoClock),
    )
}

/// Each option is a hedged plan. At p = 0.1 with both GPUs the plan waits
/// (E = 0.9 x 3.75e6 + 0.1 x 10e6); with `good` alone the banned future
/// can only buy it in 2025, so both futures buy ahead (5e6); with `bad`
/// alone five `bad` nodes cost 10e6 in every future.
#[test]
fn compare_on_events_plans_each_option_hedged() {
    let report = compare_study(&scenario(0.1, "2026-01", ""));
    assert_eq!(report.futures, 2);
    let c = common_cost();
    let row = |name: &str| report.rows.iter().find(|r| r.option == name).unwrap();
    let all = row(fsdplan::studies::compare::UNRESTRICTED);
    let waiting = 0.9 * WAIT_OPEN + 0.1 * WAIT_BANNED + c;
    assert_close(all.npv.unwrap(), waiting, "all options");
    assert_close(all.expected_npv.unwrap(), waiting, "all options, E[NPV]");
    assert_close(all.nodes_bought, 5.0, "expected nodes");
    let good = row("good");
    assert_close(good.npv.unwrap(), AHEAD + c, "good alone buys ahead");
    assert!(
        good.limits
            .iter()
            .any(|l| l.text == "good banned in CN 2026-2027 (in banned)"),
        "{:?}",
        good.limits
    );
    let bad = row("bad");
    assert_close(bad.npv.unwrap(), WAIT_BANNED + c, "bad alone");
    assert_eq!(
        report.rows[0].option,
        fsdplan::studies::compare::UNRESTRICTED
    );
    assert_close(good.npv_difference.unwrap(), AHEAD + c - waiting, "vs best");
}

/// A ban on `good` from 2025 in the banned future forbids it in 2025 in
/// both futures (they are alike until 2026): `good` alone leaves the banned
/// future without a plan, and the row says so in words: the ban where a
/// plan without it would buy (2026, when `good` is cheaper).
#[test]
fn compare_on_events_names_the_future_an_option_leaves_without_a_plan() {
    let text = scenario(0.1, "2026-01", "").replace("from = \"2026-01\"", "from = \"2025-01\"");
    let report = compare_study(&text);
    let good = report.rows.iter().find(|r| r.option == "good").unwrap();
    assert_eq!(good.status, "infeasible");
    assert_eq!(
        good.limit,
        "in future \"banned\": good banned in CN 2026: a plan would buy 5 nodes there"
    );
    assert!(good.npv.is_none() && good.expected_npv.is_none());
}

fn options() -> PlanOptions {
    PlanOptions {
        relax: false,
        limits: Limits {
            mip_gap: 1e-9,
            time_limit: f64::INFINITY,
            max_nodes: 5000,
            ..Limits::default()
        },
    }
}

/// With the event known from the start the futures share no purchase, so
/// each future's part of the hedged explanation is the explanation of that
/// future planned alone: the same limits and marginal costs, value for
/// value; the ban binds in the banned future (it buys ahead, at 5e6
/// instead of 3.75e6).
#[test]
fn explain_of_a_hedged_plan_is_each_futures_own_when_they_share_nothing() {
    use fsdplan::analyses::explain::{explain, explain_hedged};
    let loaded = load(&scenario(0.1, "2025-01", ""));
    let run = fsdplan::plan::hedged::run(
        &loaded.scenario,
        &loaded.futures,
        options(),
        backend(),
        &NoClock,
    );
    let hedged = explain_hedged(&run, backend(), &NoClock);
    assert_eq!(hedged.schema, "fsdplan.hedged-explain/1");
    let mut limits_seen = 0;
    for future in &loaded.futures {
        let alone = fsdplan::plan::run(&future.scenario, options(), backend(), &NoClock);
        let own = explain(&alone, backend(), &NoClock);
        let rows: Vec<_> = hedged
            .limits
            .iter()
            .filter(|l| l.future == future.name)
            .map(|l| &l.row)
            .collect();
        assert_eq!(
            rows.len(),
            own.limits.len(),
            "{}: {rows:?} vs {:?}",
            future.name,
            own.limits
        );
        for (h, o) in rows.iter().zip(&own.limits) {
            assert_eq!(h.name, o.name);
            assert_close(h.value_per_unit, o.value_per_unit, &h.name);
        }
        limits_seen += rows.len();
        let costs: Vec<_> = hedged
            .marginal_costs
            .iter()
            .filter(|c| c.future == future.name)
            .map(|c| &c.row)
            .collect();
        assert_eq!(costs.len(), own.marginal_costs.len(), "{}", future.name);
        for (h, o) in costs.iter().zip(&own.marginal_costs) {
            assert_eq!(h.name, o.name);
            assert_close(h.value_per_unit, o.value_per_unit, &h.name);
        }
    }
    assert!(limits_seen > 0, "no limit binds: {hedged:?}");
}

/// The progress callback hears of every plan `hedge` makes: each future's
/// own, the hedged plan, and each bet.
#[test]
fn hedge_reports_progress_once_per_plan() {
    let loaded = load(&scenario(0.1, "2026-01", ""));
    let heard = std::sync::Mutex::new(Vec::new());
    let report = fsdplan::studies::hedging::hedge_with_progress(
        &loaded.scenario,
        &loaded.futures,
        options(),
        backend(),
        &NoClock,
        &|what| heard.lock().unwrap().push(what.to_string()),
    );
    let mut heard = heard.into_inner().unwrap();
    heard.sort();
    assert_eq!(
        heard.len(),
        fsdplan::studies::hedging::plans_made(loaded.futures.len())
    );
    assert_eq!(
        heard,
        [
            "bet on banned",
            "bet on open",
            "foresight of banned",
            "foresight of open",
            "the hedged plan"
        ]
    );
    assert!(report.evpi.is_some());
}

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// With cvar_weight 0: EVPI >= 0, every VSS >= 0, and the hedged
    /// objective is never above a bet's (SPEC.md 7.3), whatever the
    /// probability, the price decline and the reveal month.
    #[test]
    fn hedging_is_never_worth_less_than_nothing(
        p in 0.02f64..0.98,
        decline in 0.0f64..0.6,
        reveal in prop::sample::select(vec!["2025-01", "2025-07", "2026-01", "2027-01", "2031-01"]),
    ) {
        let text = scenario((p * 1000.0).round() / 1000.0, reveal, "")
            .replace("price_decline_per_year = 0.25", &format!("price_decline_per_year = {decline:.3}"));
        let report = hedge_study(&text);
        let e = report.hedged.expected_npv.unwrap();
        let tolerance = 1e-7 * e;
        prop_assert!(report.evpi.unwrap() >= -tolerance, "EVPI {:?}", report.evpi);
        for bet in &report.plan_for {
            if let Some(vss) = bet.vss {
                prop_assert!(vss >= -tolerance, "VSS {} of {}", vss, bet.future);
                prop_assert!(bet.expected_npv.unwrap() >= report.hedged.objective.unwrap() - tolerance);
            }
        }
        // Every regret is >= 0: no plan beats foresight in any future.
        for r in &report.regret {
            prop_assert!(r.regret.unwrap() >= -tolerance, "{:?}", r);
        }
    }
}
