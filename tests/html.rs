//! The HTML reports: they parse, every chart is well-formed SVG that a
//! real renderer (resvg) draws at its size and not blank, the text content
//! of the default scenario's report is pinned by a snapshot, and a headless
//! Chromium shows the charts (where Chromium is installed; `.ci/run`
//! installs it and sets FSDPLAN_REQUIRE_CHROMIUM=1 so the test cannot skip).

mod common;

use std::path::Path;
use std::process::Command as Process;

use resvg::{tiny_skia, usvg};
use scraper::{Html, Selector};

use common::fsdplan;

fn run(args: &[&str]) -> String {
    let out = fsdplan().args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The `<svg>...</svg>` documents of a page, as written.
fn svgs(page: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("every <svg> is closed") + start + 6;
        found.push(&rest[start..end]);
        rest = &rest[end..];
    }
    found
}

/// Share of pixels that are not (nearly) white.
fn ink(pixmap: &tiny_skia::Pixmap) -> f64 {
    let pixels = pixmap.pixels();
    let inked = pixels
        .iter()
        .filter(|p| p.alpha() > 0 && (p.red() < 235 || p.green() < 235 || p.blue() < 235))
        .count();
    inked as f64 / pixels.len().max(1) as f64
}

/// Renders every chart of a page with resvg: each parses as SVG, has its
/// declared size and draws something.
fn assert_charts_render(page: &str, expected: usize) {
    let charts = svgs(page);
    assert_eq!(charts.len(), expected, "charts in the page");
    for (i, svg) in charts.iter().enumerate() {
        let tree = usvg::Tree::from_str(svg, &usvg::Options::default())
            .unwrap_or_else(|e| panic!("chart {i} is not well-formed SVG: {e}"));
        let size = tree.size().to_int_size();
        assert_eq!(size.width(), 860, "chart {i} width");
        assert!(size.height() >= 160, "chart {i} height {}", size.height());
        let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
        resvg::render(&tree, tiny_skia::Transform::default(), &mut pixmap.as_mut());
        let share = ink(&pixmap);
        assert!(share > 0.01, "chart {i} is blank ({share:.4} inked)");
    }
}

/// The page's text a reader sees outside the charts and the tables' cells:
/// title, headline, assumptions, limits, chart titles and table captions.
fn text_content(page: &str) -> String {
    let document = Html::parse_document(page);
    let selector = Selector::parse(
        "h1, h2, .card, ul > li, section > p, figure svg > text:first-of-type, caption",
    )
    .unwrap();
    document
        .select(&selector)
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_plan_report_parses_renders_and_reads_as_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.html");
    let out = fsdplan()
        .args(["report", "configs/china-1.7m.toml", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = std::fs::read_to_string(&file).unwrap();
    // Self-contained: nothing fetched, nothing run (the only addresses are
    // the SVG namespace's).
    for banned in [
        "<script", "<link", "@import", "url(", "src=", "href=", "<img", "<iframe",
    ] {
        assert!(!page.contains(banned), "the page contains {banned}");
    }
    let document = Html::parse_document(&page);
    assert!(document.errors.is_empty(), "{:?}", document.errors);
    assert_charts_render(&page, 9);
    // The same report as `plan --format html`, and the numbers of the JSON.
    assert_eq!(
        run(&["plan", "configs/china-1.7m.toml", "--format", "html"]),
        page
    );
    let plan: serde_json::Value = serde_json::from_str(&run(&[
        "plan",
        "configs/china-1.7m.toml",
        "--format",
        "json",
    ]))
    .unwrap();
    let npv = plan["objective"].as_f64().unwrap();
    let shown = format!("CNY {} M", fsdplan::report::format::millions(npv));
    assert!(page.contains(&shown), "{shown}");
    common::plan_snapshots(|| insta::assert_snapshot!("plan_report_text", text_content(&page)));
}

#[test]
fn compare_and_sweep_reports_render_their_charts() {
    let compare = run(&["compare", "tests/scenarios/small.toml", "--format", "html"]);
    assert!(Html::parse_document(&compare).errors.is_empty());
    assert_charts_render(&compare, 1);
    assert!(compare.contains("NPV per GPU option"));
    let sweep = run(&[
        "sweep",
        "tests/scenarios/small.toml",
        "--set",
        "fleet.growth_per_year=0.1..0.3/3",
        "--set",
        "scenario.discount_rate=0.05,0.1",
        "--format",
        "html",
        "--quiet",
    ]);
    assert!(Html::parse_document(&sweep).errors.is_empty());
    // One chart per swept parameter, a line per value of the other.
    assert_charts_render(&sweep, 2);
    assert!(sweep.contains("NPV against fleet.growth_per_year"));
    assert!(sweep.contains("scenario.discount_rate = 0.05"));
}

#[test]
fn an_infeasible_scenario_gets_a_report_with_the_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("power.html");
    let out = fsdplan()
        .args(["report", "tests/infeasible/power.toml", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(fsdplan::exit::INFEASIBLE));
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(page.contains("Why there is no plan"), "{page}");
    assert!(page.contains("power cap at"), "{page}");
    assert!(Html::parse_document(&page).errors.is_empty());
}

#[test]
fn the_hedged_plan_report_puts_the_decision_first_then_the_fans_and_the_npvs() {
    let page = run(&["report", "tests/scenarios/small-hedged.toml"]);
    assert!(Html::parse_document(&page).errors.is_empty());
    // Compute and cost fans, then one bar per future's NPV.
    assert_charts_render(&page, 3);
    assert_eq!(
        run(&[
            "plan",
            "tests/scenarios/small-hedged.toml",
            "--format",
            "html"
        ]),
        page
    );
    let text = text_content(&page);
    let at = |what: &str| {
        text.find(what)
            .unwrap_or_else(|| panic!("{what} missing from\n{text}"))
    };
    assert!(at("expected NPV") < at("Decide now: purchases before the first reveal"));
    assert!(at("Decide now") < at("Installed compute in each future"));
    assert!(at("Installed compute in each future") < at("Cost per period in each future"));
    assert!(at("NPV of each future, costliest first") < at("After each reveal"));
    assert!(at("After each reveal") < at("Futures (NPV in millions"));
    for band in [
        "all futures (lowest to highest)",
        "middle 80% of probability",
        "expected",
    ] {
        assert!(page.contains(band), "{band}");
    }
    for future in ["banned/fast", "banned/slow", "open/fast", "open/slow"] {
        assert!(page.contains(future), "{future}");
    }
}

#[test]
fn many_futures_get_a_histogram_of_their_npvs() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("g5.toml");
    fsdplan()
        .args(["generate", "--sites", "2", "--periods", "4", "--gpus", "2"])
        .args(["--classes", "2", "--tiers", "1", "--events", "5", "-o"])
        .arg(&scenario)
        .assert()
        .success();
    let page = run(&[
        "plan",
        scenario.to_str().unwrap(),
        "--relax",
        "--format",
        "html",
    ]);
    assert_charts_render(&page, 3);
    assert!(
        page.contains("Probability of each NPV range (32 futures"),
        "{}",
        text_content(&page)
    );
}

#[test]
fn the_hedge_report_draws_each_plan_s_expected_npv() {
    let page = run(&[
        "hedge",
        "tests/scenarios/small-hedged.toml",
        "--format",
        "html",
    ]);
    assert!(Html::parse_document(&page).errors.is_empty());
    assert_charts_render(&page, 1);
    let text = text_content(&page);
    for what in [
        "EVPI",
        "wait-and-see",
        "Expected NPV of each plan above wait-and-see",
        "Regret",
    ] {
        assert!(text.contains(what), "{what} missing from\n{text}");
    }
    assert!(page.contains("bet on open/slow"), "{text}");
}

#[test]
fn html_is_refused_where_there_is_no_report() {
    // Refused by the command line itself, before any planning: the
    // formats a command lists are the ones it has.
    for args in [
        vec!["explain", "tests/scenarios/small.toml"],
        vec!["audit", "tests/scenarios/small.toml", "plan.json"],
        vec![
            "diff",
            "tests/scenarios/small.toml",
            "tests/scenarios/small.toml",
        ],
    ] {
        let out = fsdplan()
            .args(&args)
            .args(["--format", "html"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(fsdplan::exit::USAGE), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("invalid value 'html'")
                && err.contains("[possible values: table, json, csv, markdown, xlsx]"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn headless_chromium_shows_the_charts_without_errors() {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Process::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        assert!(
            std::env::var("FSDPLAN_REQUIRE_CHROMIUM").is_err(),
            "FSDPLAN_REQUIRE_CHROMIUM is set but no Chromium was found"
        );
        eprintln!("skipped: no Chromium on this machine");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("plan.html");
    let shot = dir.path().join("plan.png");
    fsdplan()
        .args(["report", "configs/china-1.7m.toml", "-o"])
        .arg(&page)
        .assert()
        .success();
    let out = Process::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--window-size=1000,2400",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    // Console messages from the page (there should be none: no scripts).
    for line in log.lines() {
        assert!(
            !(line.contains("CONSOLE") || line.contains("Uncaught")),
            "the page logged: {line}"
        );
    }
    let png = std::fs::read(Path::new(&shot)).unwrap();
    let pixmap = tiny_skia::Pixmap::decode_png(&png).unwrap();
    assert_eq!((pixmap.width(), pixmap.height()), (1000, 2400));
    // Charts fill much of the first 2,400 pixels: more than text alone.
    let share = ink(&pixmap);
    assert!(share > 0.05, "screenshot nearly blank ({share:.4} inked)");
    // The first chart (compute) shows in colour, not only black text.
    let coloured = pixmap
        .pixels()
        .iter()
        .filter(|p| {
            let (r, g, b) = (p.red() as i32, p.green() as i32, p.blue() as i32);
            (r - g).abs() > 60 || (g - b).abs() > 60 || (r - b).abs() > 60
        })
        .count();
    assert!(coloured > 20_000, "only {coloured} coloured pixels");
}
