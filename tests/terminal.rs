//! Where planners work: the progress line on a terminal (run under a
//! pseudo-terminal with util-linux `script`) and its absence anywhere else;
//! shell completions and the man page.

mod common;

use std::path::Path;
use std::process::Command as Process;

use common::fsdplan;

const DEFAULT: &str = "configs/china-1.7m.toml";
const SMALL: &str = "tests/scenarios/small.toml";
const HEDGED: &str = "tests/scenarios/small-hedged.toml";

/// Commands the man pages must name.
const MAN_COMMANDS: [&str; 9] = [
    "plan",
    "compare",
    "sweep",
    "diff",
    "explain",
    "hedge",
    "alternatives",
    "schema",
    "completions",
];

fn binary() -> String {
    assert_cmd::cargo::cargo_bin("fsdplan")
        .to_string_lossy()
        .into_owned()
}

/// Runs `args` under a pseudo-terminal (standard error a terminal); returns
/// what the terminal showed. The command must succeed.
fn on_a_terminal(args: &[&str], dir: &Path) -> String {
    let (succeeded, shown) = run_on_a_terminal(args, dir);
    assert!(succeeded, "{args:?}: {shown}");
    shown
}

/// Whether `args` succeeded under a pseudo-terminal, and what it showed.
fn run_on_a_terminal(args: &[&str], dir: &Path) -> (bool, String) {
    let typescript = dir.join("typescript");
    // A terminal of 120 columns: the line is cut to the terminal's width.
    let command = std::iter::once(binary())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let command = format!("stty cols 120 rows 40; {command}");
    let out = Process::new("script")
        .args(["-q", "-e", "-c", &command])
        .arg(&typescript)
        .output()
        .expect("util-linux script runs");
    let shown = String::from_utf8_lossy(&std::fs::read(&typescript).unwrap()).into_owned();
    (out.status.success(), shown)
}

/// The commands that plan, each writing its result to `-o FILE`.
fn commands(dir: &Path) -> Vec<(Vec<String>, std::path::PathBuf)> {
    let runs: [(&str, &[&str]); 5] = [
        ("plan", &["plan", DEFAULT]),
        ("compare", &["compare", SMALL]),
        (
            "sweep",
            &["sweep", SMALL, "--set", "fleet.growth_per_year=0.1..0.3/3"],
        ),
        ("hedge", &["hedge", HEDGED]),
        (
            "alternatives",
            &["alternatives", SMALL, "--relax", "--min", "abroad-pb"],
        ),
    ];
    runs.iter()
        .map(|(name, args)| {
            let file = dir.join(format!("{name}.json"));
            let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            args.push("-o".into());
            args.push(file.to_string_lossy().into_owned());
            (args, file)
        })
        .collect()
}

#[test]
fn a_terminal_shows_a_progress_line_that_is_cleared_and_changes_no_result() {
    let dir = tempfile::tempdir().unwrap();
    for (args, file) in commands(dir.path()) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let shown = on_a_terminal(&args, dir.path());
        let on_terminal = std::fs::read(&file).unwrap();
        // The line: the stage and elapsed time, and the search's bound and
        // (for integer plans, which have a best plan before the end) NPV
        // and gap.
        assert!(shown.contains(" M"), "{args:?}: {shown}");
        assert!(shown.contains("bound"), "{args:?}: {shown}");
        if !args.contains(&"--relax") {
            assert!(
                shown.contains("NPV CNY") && shown.contains("gap"),
                "{args:?}: {shown}"
            );
        }
        // Cleared when done: the last thing drawn erases the line (script
        // then closes the typescript with its own "Script done" line).
        let drawn = shown.split("Script done").next().unwrap_or("").trim_end();
        let tail: String = drawn
            .chars()
            .skip(drawn.chars().count().saturating_sub(120))
            .collect();
        assert!(
            drawn.ends_with("\r\x1b[2K"),
            "{args:?}: not cleared: {tail:?}"
        );
        // The result is what a run without a terminal writes.
        let quiet = fsdplan().args(&args).output().unwrap();
        assert!(quiet.status.success());
        assert_eq!(std::fs::read(&file).unwrap(), on_terminal, "{args:?}");
    }
}

#[test]
fn quiet_draws_nothing_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.json");
    let shown = on_a_terminal(
        &["plan", DEFAULT, "--quiet", "-o", file.to_str().unwrap()],
        dir.path(),
    );
    assert!(!shown.contains("NPV"), "{shown}");
    assert!(!shown.contains("\x1b[2K"), "{shown}");
}

#[test]
fn without_a_terminal_standard_error_stays_empty() {
    let dir = tempfile::tempdir().unwrap();
    for (args, _) in commands(dir.path()) {
        let out = fsdplan().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains('\r') && !stderr.contains('\x1b') && !stderr.contains("NPV"),
            "{args:?}: {stderr:?}"
        );
    }
}

#[test]
fn a_workbook_to_a_terminal_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let (succeeded, shown) = run_on_a_terminal(&["plan", SMALL, "--format", "xlsx"], dir.path());
    assert!(!succeeded);
    assert!(shown.contains("a workbook is binary"), "{shown}");
    assert!(!shown.contains("PK\u{3}\u{4}"), "no zip on the terminal");
    // Refused before any work: no plan was searched for.
    assert!(!shown.contains("root LP"), "{shown}");
}

#[test]
fn bash_completion_completes_commands_and_formats() {
    let out = fsdplan().args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success());
    let script = String::from_utf8(out.stdout).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fsdplan.bash");
    std::fs::write(&file, &script).unwrap();
    // Load it into bash and ask it, as the shell does on TAB.
    let complete = |words: &str| {
        let probe = format!(
            "source '{}'; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; \
             _fsdplan fsdplan \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            file.display()
        );
        let out = Process::new("bash").args(["-c", &probe]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let commands = complete("fsdplan ''");
    for command in [
        "plan",
        "compare",
        "sweep",
        "hedge",
        "alternatives",
        "schema",
        "completions",
        "man",
    ] {
        assert!(
            commands.lines().any(|l| l == command),
            "{command} in {commands}"
        );
    }
    let formats = complete("fsdplan plan x.toml --format ''");
    assert_eq!(
        formats.lines().collect::<Vec<_>>(),
        ["table", "json", "csv", "markdown", "html", "xlsx"]
    );
}

#[test]
fn zsh_and_fish_completions_name_the_commands() {
    for (shell, marker) in [("zsh", "#compdef fsdplan"), ("fish", "complete -c fsdplan")] {
        let out = fsdplan().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains(marker), "{shell}");
        assert!(
            script.contains("alternatives") && script.contains("xlsx"),
            "{shell}"
        );
    }
    let out = fsdplan().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn the_man_page_is_roff_with_every_command() {
    let out = fsdplan().arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH fsdplan"),
        "{}",
        &page[..200]
    );
    assert!(page.contains(".TH fsdplan"));
    for command in MAN_COMMANDS {
        assert!(page.contains(&format!("fsdplan\\-{command}")), "{command}");
    }
    // Rendered by man where it is installed.
    if Process::new("man")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("fsdplan.1");
        std::fs::write(&file, &page).unwrap();
        let out = Process::new("man")
            .arg("-l")
            .arg(&file)
            .env("MANPAGER", "cat")
            .output()
            .unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("SUBCOMMANDS"));
    }
}

#[test]
fn man_out_writes_a_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    fsdplan()
        .args(["man", "--out"])
        .arg(&out)
        .assert()
        .success();
    for command in MAN_COMMANDS {
        let page = std::fs::read_to_string(out.join(format!("fsdplan-{command}.1")))
            .unwrap_or_else(|_| panic!("no page for {command}"));
        assert!(
            page.contains(&format!(".TH fsdplan-{command} 1")),
            "{command}"
        );
        assert!(
            page.contains(concat!("\"fsdplan ", env!("CARGO_PKG_VERSION"), "\"")),
            "{command}"
        );
    }
    let plan = std::fs::read_to_string(out.join("fsdplan-plan.1")).unwrap();
    assert!(
        plan.contains("xlsx") && plan.contains("\\-\\-quiet"),
        "plan's page has its formats and flags"
    );
    let top = std::fs::read_to_string(out.join("fsdplan.1")).unwrap();
    let printed = fsdplan().arg("man").output().unwrap();
    assert_eq!(String::from_utf8(printed.stdout).unwrap(), top);
}
