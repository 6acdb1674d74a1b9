//! One convention for outputs on every command (`-o FILE` for one file,
//! `--out DIR` for several, the formats a command has, checked before any
//! work), help that fits 100 columns, `check --format json`, and
//! `--verbose` on every command that solves.

mod common;

use common::fsdplan;

const SMALL: &str = "tests/scenarios/small.toml";

/// Every command's name and the formats its help must list.
const FORMATS: &[(&str, &str)] = &[
    ("check", "table, json, markdown"),
    ("plan", "table, json, csv, markdown, html, xlsx"),
    ("report", "html"),
    ("hedge", "table, json, csv, markdown, html, xlsx"),
    ("compare", "table, json, csv, markdown, html, xlsx"),
    ("sweep", "table, json, csv, markdown, html, xlsx"),
    ("merge", "table, json, csv, markdown, html, xlsx"),
    ("explain", "table, json, csv, markdown, xlsx"),
    ("audit", "table, json, csv, markdown, xlsx"),
    ("alternatives", "table, json, csv, markdown, html, xlsx"),
    ("diff", "table, json, csv, markdown, xlsx"),
];

fn help(command: &[&str]) -> String {
    let out = fsdplan().args(command).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_lists_only_the_formats_each_command_has() {
    for (command, formats) in FORMATS {
        let out = fsdplan().args([command, "-h"]).output().unwrap();
        // The short help wraps at 100 columns: read it as one line.
        let short = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            short.contains(&format!("[possible values: {formats}]")),
            "{command}: {short}"
        );
    }
}

#[test]
fn help_lines_fit_100_columns() {
    let mut commands: Vec<Vec<&str>> = vec![vec![]];
    commands.extend(FORMATS.iter().map(|(c, _)| vec![*c]));
    commands.push(vec!["generate"]);
    commands.push(vec!["schema"]);
    commands.push(vec!["completions"]);
    for command in commands {
        let text = help(&command);
        for line in text.lines() {
            assert!(line.chars().count() <= 100, "{command:?}: {line}");
        }
    }
    // That every argument has help text is a unit test of the binary
    // (src/bin/fsdplan/main.rs), which can walk clap's command tree.
}

#[test]
fn a_file_named_with_o_gets_the_format_of_its_extension() {
    let dir = tempfile::tempdir().unwrap();
    for (name, starts) in [
        ("plan.html", "<!DOCTYPE html>"),
        ("plan.json", "{"),
        ("plan.md", "### fsdplan plan"),
        ("plan.txt", "fsdplan plan"),
    ] {
        let path = dir.path().join(name);
        let out = fsdplan()
            .args(["plan", SMALL, "-o", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{name}");
        assert!(out.stdout.is_empty(), "{name}: -o writes nothing to stdout");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(starts), "{name}: {}", &text[..40]);
    }
    // `report` takes the same -o, and --out too.
    let out = fsdplan()
        .args(["report", SMALL, "--out", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read_to_string(dir.path().join("plan.html"))
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
}

#[test]
fn output_mistakes_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.txt");
    std::fs::write(&file, "").unwrap();
    let dir_name = dir.path().to_str().unwrap();
    let file_name = file.to_str().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &["report", SMALL, "-o", dir_name],
            "it is a directory; allowed: a file name, or --out DIR",
        ),
        (
            &["plan", SMALL, "--format", "csv", "-o", "x.csv"],
            "`plan` writes 8 CSV files (one per table); use --out DIR",
        ),
        (
            &["plan", SMALL, "--out", file_name],
            "it is a file; allowed: a directory",
        ),
        (
            &["explain", SMALL, "-o", "why.html"],
            "`explain` has no html output (named by the extension of why.html)",
        ),
        (
            &["plan", SMALL, "-o", "a.json", "--out", dir_name],
            "cannot be used with",
        ),
    ];
    for (args, message) in cases {
        let out = fsdplan().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(fsdplan::exit::USAGE), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    // The check runs before the scenario is even read.
    let out = fsdplan()
        .args(["plan", "no/such/file.toml", "-o", dir_name])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(fsdplan::exit::USAGE));
}

#[test]
fn check_writes_json_with_the_tables_numbers() {
    let out = fsdplan()
        .args([
            "check",
            SMALL,
            "--format",
            "json",
            "--set",
            "fleet.uploading_share=0.4",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["schema"], "fsdplan.check/1");
    assert_eq!(json["valid"], true);
    assert_eq!(json["overrides"][0], "fleet.uploading_share=0.4");
    let table = fsdplan()
        .args(["check", SMALL, "--set", "fleet.uploading_share=0.4"])
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("overrides | fleet.uploading_share=0.4"),
        "{table}"
    );
    // Every upload in the JSON is in the table, to the table's decimals.
    for row in json["uploads"].as_array().unwrap() {
        let pb = row["uploaded_pb"].as_f64().unwrap();
        let cell = fsdplan::report::format::number(pb, 3);
        assert!(table.contains(&cell), "{cell} not in the table");
    }
}

/// `-o` into something that is not a regular file (a named pipe here;
/// `/dev/null` or `/dev/stdout` alike) writes into it and leaves it what it
/// was. Renaming a temporary file over it, as `-o` does for a regular file,
/// would replace the pipe or device with a plain file: run as root on
/// `/dev/null`, that broke the machine's `/dev/null` for every program after.
#[cfg(unix)]
#[test]
fn o_into_a_pipe_writes_into_it_and_leaves_it_a_pipe() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("plan.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let pipe = pipe.clone();
        std::thread::spawn(move || std::fs::read_to_string(pipe).unwrap())
    };
    let out = fsdplan()
        .args([
            "plan",
            SMALL,
            "--format",
            "json",
            "-o",
            pipe.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // Checked before the reader is joined: a pipe renamed over was never
    // opened for writing, and its reader would wait for ever.
    let kind = std::fs::symlink_metadata(&pipe).unwrap().file_type();
    assert!(kind.is_fifo(), "the pipe was replaced: {kind:?}");
    let json: serde_json::Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
    assert_eq!(json["schema"], "fsdplan.plan/1");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file is left beside it");
}

#[test]
fn verbose_reports_the_solver_work_of_every_command_that_solves() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("plan.html");
    for args in [
        vec!["plan", SMALL],
        vec!["report", SMALL, "-o", page.to_str().unwrap()],
        vec!["explain", SMALL],
        vec!["compare", SMALL],
        vec!["sweep", SMALL, "--set", "fleet.uploading_share=0.4,0.5"],
        vec!["diff", SMALL, SMALL],
    ] {
        let quiet = fsdplan().args(&args).output().unwrap();
        let out = fsdplan().args(&args).arg("-v").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("solver work (all plans of this command)"),
            "{args:?}: {err}"
        );
        assert!(err.contains("LP solves"), "{args:?}: {err}");
        // Standard output is the same with and without -v (the plan's
        // solve time aside).
        let strip = |bytes: &[u8]| -> String {
            String::from_utf8_lossy(bytes)
                .lines()
                .filter(|l| !l.contains(" solve "))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(strip(&out.stdout), strip(&quiet.stdout), "{args:?}");
    }
}

#[test]
fn a_missing_file_ends_its_message_with_a_newline() {
    let out = fsdplan()
        .args(["plan", "tests/scenarios/no-such-file.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(fsdplan::exit::BAD_INPUT));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("error: ") && err.ends_with('\n'), "{err:?}");
}

#[test]
fn why_there_is_no_plan_is_said_once() {
    const INFEASIBLE: &str = "tests/infeasible/ban.toml";
    // As tables on stdout: the reasons are in the table, stderr has the
    // status line only.
    let out = fsdplan().args(["plan", INFEASIBLE]).output().unwrap();
    assert_eq!(out.status.code(), Some(fsdplan::exit::INFEASIBLE));
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    let reason = "no capacity limit can make up for it";
    assert_eq!(stdout.matches(reason).count(), 1, "{stdout}");
    assert!(!stderr.contains(reason), "{stderr}");
    assert!(stderr.starts_with("infeasible: "), "{stderr}");
    // As JSON, the reasons are on stderr for the person at the terminal.
    let out = fsdplan()
        .args(["plan", INFEASIBLE, "--format", "json"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stderr).unwrap().contains(reason));
}

#[test]
fn plan_tables_have_costs_by_year_and_diff_names_categories_as_plan_does() {
    let out = fsdplan().args(["plan", SMALL]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Costs by year (CNY millions, nominal; discounted total last)"),
        "{text}"
    );
    let out = fsdplan().args(["diff", SMALL, SMALL]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(" GPU capital "), "{text}");
    assert!(!text.contains("gpu_capital"), "{text}");
}

#[test]
fn a_sweep_range_without_points_is_explained() {
    let out = fsdplan()
        .args(["sweep", SMALL, "--set", "fleet.growth_per_year=0.1..0.3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(fsdplan::exit::USAGE));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("A..B/N") && err.contains("0.1..0.3/5"),
        "{err}"
    );
}

#[test]
fn csv_headers_name_their_units() {
    let dir = tempfile::tempdir().unwrap();
    let out = fsdplan()
        .args([
            "plan",
            SMALL,
            "--format",
            "csv",
            "--out",
            dir.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let header = |file: &str| {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        text.lines().next().unwrap().to_string()
    };
    assert!(header("costs.csv").starts_with("period,gpu_capital_cny,storage_capital_cny,"));
    assert!(
        header("sites.csv").contains(",compute_pflop_per_period,"),
        "{}",
        header("sites.csv")
    );
    let gpus = std::fs::read_to_string(dir.path().join("gpus.csv")).unwrap();
    // Whole nodes as integers, never `420.0`.
    assert!(!gpus.contains(".0,") && !gpus.contains(".0\n"), "{gpus}");
    let out = fsdplan()
        .args(["compare", SMALL, "--relax", "--format", "csv"])
        .output()
        .unwrap();
    let compare = String::from_utf8(out.stdout).unwrap();
    let header = compare.lines().next().unwrap();
    assert!(
        header.contains(",delivered_pflop_over_horizon,cost_per_delivered_eflop_cny,"),
        "{header}"
    );
}

/// The file counts `--help` and the `-o` check state are the files written.
#[test]
fn each_command_writes_as_many_csv_files_as_it_says() {
    let plan_json = tempfile::NamedTempFile::with_suffix(".json").unwrap();
    let out = fsdplan()
        .args(["plan", SMALL, "-o", plan_json.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let plan_json = plan_json.path().to_str().unwrap().to_string();
    let cases: [(Vec<&str>, usize); 5] = [
        (vec!["plan", SMALL], 8),
        (vec!["explain", SMALL], 2),
        (vec!["diff", SMALL, SMALL], 3),
        (vec!["compare", SMALL, "--relax"], 1),
        (vec!["audit", SMALL, &plan_json], 1),
    ];
    for (args, files) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = fsdplan()
            .args(&args)
            .args(["--format", "csv", "--out", dir.path().to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let written = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(written, files, "{args:?}");
        let help = fsdplan().args([args[0], "--help"]).output().unwrap();
        let help = String::from_utf8(help.stdout).unwrap();
        // The help wraps at 100 columns: read it as one line.
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        let said = if files == 1 {
            format!("or {}.csv", args[0])
        } else {
            format!("or {files} CSV files")
        };
        assert!(help.contains(&said), "{args:?}: {help}");
    }
}
