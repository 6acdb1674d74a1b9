//! Inputs at the edges: legitimate extremes keep planning correctly, and
//! values a typo produces are refused with their key (issue 11).

mod common;

use std::path::Path;

use common::{class, gpu, header, home_site, run, STORAGE};
use fsdplan::scenario::{self, ScenarioError};

/// Loads tests/scenarios/small.toml (and its include) with every line
/// passed through `edit` first.
fn small_edited(edit: &dyn Fn(&str) -> String) -> Result<scenario::Scenario, ScenarioError> {
    let mut read = |path: &Path| {
        let text =
            std::fs::read_to_string(Path::new("tests/scenarios").join(path.file_name().unwrap()))?;
        Ok(text.lines().map(edit).collect::<Vec<_>>().join("\n"))
    };
    scenario::load(Path::new("small.toml"), &mut read).map(|l| l.scenario)
}

/// Multiplies every price in currency units (not factors or declines).
fn in_currency(factor: f64) -> impl Fn(&str) -> String {
    move |line: &str| {
        let Some((key, value)) = line.split_once(" = ") else {
            return line.to_string();
        };
        let key = key.trim();
        let is_money =
            (key.contains("price") || key.starts_with("maintenance") || key == "capex_per_period")
                && !key.contains("factor")
                && !key.contains("decline");
        match value
            .split('#')
            .next()
            .unwrap()
            .trim()
            .replace('_', "")
            .parse::<f64>()
        {
            Ok(x) if is_money => format!("{key} = {:e}", x * factor),
            _ => line.to_string(),
        }
    }
}

fn relaxed_npv(scenario: &scenario::Scenario) -> f64 {
    let report = fsdplan::analyses::plan(
        scenario,
        fsdplan::plan::PlanOptions {
            relax: true,
            limits: fsdplan::solve::Limits::default(),
        },
        common::backend(),
        &fsdplan::solve::NoClock,
    )
    .report();
    assert_eq!(report.status, "optimal", "{:?}", report.message);
    let audit = fsdplan::analyses::audit::audit(scenario, &report);
    assert!(audit.violations.is_empty(), "{:#?}", audit.violations);
    report.objective.unwrap()
}

#[test]
fn currencies_with_large_unit_counts_give_the_same_plan_in_their_units() {
    // KRW is about 190 to the CNY; IRR's official rate about 6,000. A
    // currency changes the unit, never the plan: the NPV scales exactly.
    let cny = relaxed_npv(&small_edited(&in_currency(1.0)).unwrap());
    for factor in [190.0, 6000.0] {
        let npv = relaxed_npv(&small_edited(&in_currency(factor)).unwrap());
        let ratio = npv / cny / factor;
        assert!((ratio - 1.0).abs() < 1e-6, "x{factor}: NPV ratio {ratio}");
    }
}

#[test]
fn fleets_of_one_to_a_hundred_million_vehicles_are_plannable() {
    for vehicles in ["1", "1_000", "1_000_000", "100_000_000"] {
        let text = header(4, 3, 0.05, &format!("vehicles = {vehicles}"))
            + &class("free", "")
            + "\n[training]\nshortfall_price_per_pflop = 1.0\n"
            + &home_site("a", "")
            + &gpu("g", 1.0e6, "")
            + STORAGE;
        let report = run(&text, false);
        assert!(
            report.status == "optimal" || report.status == "feasible",
            "{vehicles} vehicles: {} {:?}",
            report.status,
            report.message
        );
    }
}

#[test]
fn horizons_of_one_to_six_hundred_periods_are_plannable() {
    for (periods, months) in [(1, 12), (600, 1)] {
        let text = header(periods, months, 0.05, "vehicles = 10_000")
            + &class("free", "")
            + &home_site("a", "")
            + &gpu("g", 1.0e6, "")
            + STORAGE;
        let report = run(&text, true);
        assert_eq!(
            report.status, "optimal",
            "{periods} periods: {:?}",
            report.message
        );
    }
}

#[test]
fn a_value_out_of_its_range_names_its_key_and_the_range() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "price_per_node = 1_200_000",
            "price_per_node = 1e300",
            "price_per_node <= 1e13",
        ),
        ("vehicles = 200_000", "vehicles = 1e300", "vehicles <= 1e9"),
        (
            "discount_rate = 0.08",
            "discount_rate = 8",
            "did you mean 0.08, i.e. 8%?",
        ),
        ("mfu = 0.45", "mfu = 45", "did you mean 0.45, i.e. 45%?"),
        (
            "growth_per_year = 0.2",
            "growth_per_year = 20",
            "did you mean 0.2, i.e. 20%?",
        ),
        ("pue = 1.25", "pue = 125", "did you mean 1.25, i.e. 125%?"),
    ];
    for (from, to, expected) in cases {
        let edit = |line: &str| {
            if line.starts_with(from) {
                to.to_string()
            } else {
                line.to_string()
            }
        };
        let error = small_edited(&edit).expect_err(to).to_string();
        let key = to.split(' ').next().unwrap();
        assert!(
            error.contains(key) && error.contains(expected),
            "{to}: {error}"
        );
        assert!(error.contains(".toml:"), "{to} names no line: {error}");
    }
}

#[test]
fn a_model_with_a_number_no_solver_honours_is_never_solved() {
    use fsdplan::model::lp::{LinExpr, LinearProgram, Sense};
    let mut lp = LinearProgram::default();
    let x = lp.add_column("x".into(), 0.0, f64::INFINITY, false);
    let mut expr = LinExpr::default();
    expr.add(x, 1e-20);
    lp.add_row("tiny[a]".into(), expr, Sense::Ge, 1.0);
    let why = lp
        .numeric_problem()
        .expect("a 1e-20 coefficient is refused");
    assert!(why.contains("tiny[a]"), "{why}");

    let mut lp = LinearProgram::default();
    let x = lp.add_column("x".into(), 0.0, f64::INFINITY, false);
    lp.columns[x.0].cost = f64::NAN;
    assert!(lp.numeric_problem().unwrap().contains("column x"));
}

#[test]
fn names_are_identifiers_in_any_script() {
    let with_site = |name: &str| {
        header(1, 12, 0.0, "vehicles = 1000")
            + &class("free", "")
            + &home_site(name, "")
            + &gpu("g", 1.0e6, "")
            + STORAGE
    };
    for good in ["临港", "lingang-2", "site 3.b", "A_1"] {
        scenario::from_str("test.toml", &with_site(good)).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
    for bad in [
        "=HYPERLINK(x)",
        "+1",
        "-a",
        "@x",
        " a",
        "a\\tb",
        "a,b",
        "a\\\"b",
        "[a]",
    ] {
        let error = scenario::from_str("test.toml", &with_site(bad))
            .expect_err(bad)
            .to_string();
        assert!(
            error.contains("site[0].name") && error.contains("is not allowed as a name"),
            "{bad}: {error}"
        );
    }
}

#[test]
fn only_regular_files_of_at_most_16_mib_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    std::fs::write(&big, vec![b'#'; 16 * 1024 * 1024 + 1]).unwrap();
    let fifo = dir.path().join("fifo.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let including = dir.path().join("includes-dev-zero.toml");
    std::fs::write(&including, "include = [\"/dev/zero\"]\n").unwrap();
    let cases = [
        (Path::new("/dev/zero").to_path_buf(), "not a regular file"),
        (dir.path().to_path_buf(), "a directory"),
        (fifo, "not a regular file"),
        (big, "at most 16777216 bytes (16 MiB)"),
        (including, "not a regular file"),
    ];
    for (path, expected) in cases {
        let out = common::fsdplan()
            .arg("check")
            .arg(&path)
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(fsdplan::exit::BAD_INPUT),
            "{}: {stderr}",
            path.display()
        );
        assert!(stderr.contains(expected), "{}: {stderr}", path.display());
    }
}

#[test]
fn a_sweep_of_too_many_points_is_refused_at_once() {
    for axes in [
        vec!["fleet.vehicles=1..2/100000000"],
        vec![
            "fleet.vehicles=1..2/1000",
            "fleet.growth_per_year=0..0.3/1000",
        ],
    ] {
        let mut cmd = common::fsdplan();
        cmd.args(["sweep", "tests/scenarios/small.toml"]);
        for axis in axes {
            cmd.args(["--set", axis]);
        }
        let out = cmd
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(fsdplan::exit::USAGE), "{stderr}");
        assert!(stderr.contains("at most 100000 points"), "{stderr}");
    }
}

#[test]
fn a_closed_standard_output_ends_the_command_quietly() {
    use std::io::Read;
    // The report is ~120 KB, more than a pipe holds, so the write after
    // the reader has gone fails with a broken pipe.
    for _ in 0..3 {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_fsdplan"))
            .args(["report", "tests/scenarios/small.toml"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 100];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(fsdplan::exit::SUCCESS), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn the_lp_file_of_a_relaxed_plan_is_the_relaxation() {
    let dir = tempfile::tempdir().unwrap();
    let written = |relax: bool| {
        let file = dir.path().join(format!("model-{relax}.lp"));
        let mut cmd = common::fsdplan();
        cmd.args(["plan", "tests/scenarios/small.toml", "--write-lp"])
            .arg(&file);
        if relax {
            cmd.arg("--relax");
        }
        assert!(cmd.output().unwrap().status.success());
        std::fs::read_to_string(file).unwrap()
    };
    assert!(written(false).contains("\nGeneral\n"));
    let relaxed = written(true);
    assert!(!relaxed.contains("\nGeneral\n"), "{relaxed}");
    assert!(relaxed.contains(", 0 integer"));
}

#[test]
fn outputs_are_replaced_whole_and_leave_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for format in ["json", "csv"] {
        let run = common::fsdplan()
            .args([
                "plan",
                "tests/scenarios/small.toml",
                "--format",
                format,
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert!(run.status.success());
    }
    let json = std::fs::read_to_string(out.join("plan.json")).unwrap();
    assert!(json.ends_with("}\n"));
    // A target that cannot be replaced fails, and leaves what was there.
    std::fs::create_dir(dir.path().join("taken.html")).unwrap();
    let run = common::fsdplan()
        .args(["report", "tests/scenarios/small.toml", "-o"])
        .arg(dir.path().join("taken.html"))
        .output()
        .unwrap();
    // A directory given as -o FILE is a usage error, found before planning.
    assert_eq!(run.status.code(), Some(fsdplan::exit::USAGE));
    assert!(dir.path().join("taken.html").is_dir());
    // A file that cannot be written (its folder is missing) is an output
    // failure after planning.
    let run = common::fsdplan()
        .args(["report", "tests/scenarios/small.toml", "-o"])
        .arg(dir.path().join("missing").join("x.html"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(fsdplan::exit::OUTPUT_FAILURE));
    for folder in [dir.path().to_path_buf(), out] {
        for entry in std::fs::read_dir(folder).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().to_string();
            assert!(!name.ends_with(".tmp"), "left behind: {name}");
        }
    }
}

/// A clock that advances one second each time it is read, and reports an
/// interrupt from the `interrupt_at`-th reading on.
struct TickingClock {
    ticks: std::sync::atomic::AtomicUsize,
    interrupt_at: usize,
}

impl fsdplan::solve::Clock for TickingClock {
    fn elapsed_seconds(&self) -> f64 {
        self.ticks.fetch_add(1, std::sync::atomic::Ordering::SeqCst) as f64
    }
    fn interrupted(&self) -> bool {
        self.ticks.load(std::sync::atomic::Ordering::SeqCst) >= self.interrupt_at
    }
}

/// Plans tests/scenarios/small.toml to a gap of 1e-9 (so the search runs
/// on) with this clock and time limit.
fn small_stopped(interrupt_at: usize, time_limit: f64) -> fsdplan::report::PlanReport {
    let scenario = small_edited(&|l: &str| l.to_string()).unwrap();
    let clock = TickingClock {
        ticks: 0.into(),
        interrupt_at,
    };
    let limits = fsdplan::solve::Limits {
        mip_gap: 1e-9,
        time_limit,
        ..fsdplan::solve::Limits::default()
    };
    let options = fsdplan::plan::PlanOptions {
        relax: false,
        limits,
    };
    let report = fsdplan::analyses::plan(&scenario, options, common::backend(), &clock).report();
    if report.objective.is_some() {
        let audit = fsdplan::analyses::audit::audit(&scenario, &report);
        assert!(audit.violations.is_empty(), "{:#?}", audit.violations);
    }
    report
}

#[test]
fn an_interrupt_keeps_the_best_plan_so_far_and_says_so() {
    let mut kept = 0;
    for interrupt_at in [1, 3, 6, 10, 20, 40, 80] {
        let report = small_stopped(interrupt_at, f64::INFINITY);
        match report.status.as_str() {
            "feasible" => {
                kept += 1;
                assert_eq!(report.stopped_by.as_deref(), Some("interrupt"));
                assert!(report.gap.unwrap() > 1e-9);
                assert!(report.message.clone().unwrap().contains("interrupt"));
            }
            "error" => {
                assert_eq!(report.stopped_by.as_deref(), Some("interrupt"));
                assert!(report.objective.is_none() && report.gpus.is_empty());
            }
            "optimal" => assert_eq!(report.stopped_by, None),
            other => panic!("{other}: {:?}", report.message),
        }
    }
    assert!(kept > 0, "no interrupt came after the first plan");
}

#[test]
fn a_plan_stopped_by_a_limit_names_the_limit() {
    let mut timed_out = 0;
    for time_limit in [2.0, 5.0, 10.0, 20.0, 40.0] {
        let report = small_stopped(usize::MAX, time_limit);
        match report.status.as_str() {
            "feasible" | "error" => {
                timed_out += 1;
                assert_eq!(
                    report.stopped_by.as_deref(),
                    Some("time_limit"),
                    "{time_limit}"
                );
                assert!(report.message.clone().unwrap().contains("--time-limit"));
            }
            _ => assert_eq!(report.stopped_by, None),
        }
    }
    assert!(timed_out > 0);
    // With no limit reached, nothing is said.
    let report = common::run(
        &std::fs::read_to_string("tests/scenarios/valid-base.toml").unwrap(),
        false,
    );
    assert_eq!(report.stopped_by, None);
}

#[test]
fn an_infeasibility_names_only_causes_the_scenario_has() {
    use fsdplan::analyses::infeasibility::what_blocks_training;
    // No export rule, every GPU allowed everywhere, no home-only class.
    let plain = header(1, 12, 0.0, "vehicles = 1000")
        + &class("free", "")
        + &home_site("a", "")
        + &gpu("g", 1.0e6, "")
        + STORAGE;
    let why = what_blocks_training(&common::load(&plain));
    assert!(
        !why.contains("export control") && !why.contains("residency"),
        "{why}"
    );
    // A home-only class: residency may be the cause, export control still not.
    let home_only = plain.replace("residency = \"free\"", "residency = \"home_only\"");
    let why = what_blocks_training(&common::load(&home_only));
    assert!(
        why.contains("residency") && !why.contains("export control"),
        "{why}"
    );
    // The small scenario has export rules and a home-only class.
    let why = what_blocks_training(&small_edited(&|l: &str| l.to_string()).unwrap());
    assert!(
        why.contains("export control") && why.contains("residency"),
        "{why}"
    );
}
