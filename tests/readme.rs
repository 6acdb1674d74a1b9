//! What the README shows is what the binary prints: its diff example, the
//! commands of its quick start, and links that stay inside the repository.

mod common;

use common::fsdplan;

fn readme() -> String {
    std::fs::read_to_string("README.md").unwrap()
}

#[test]
fn the_diff_example_lines_are_what_diff_prints() {
    if common::backend_name() != "microlp" {
        return; // The README quotes the default backend's plans.
    }
    let text = readme().split_whitespace().collect::<Vec<_>>().join(" ");
    let out = fsdplan()
        .args([
            "diff",
            "configs/china-1.7m.toml",
            "configs/domestic-only.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let printed = String::from_utf8(out.stdout).unwrap();
    for line in [
        "+79 910B nodes at guizhou in 2025Q1",
        "-1 910B node at lingang in 2025Q1",
        "-1.39 PB nvme at texas in 2025Q1",
    ] {
        assert!(text.contains(line), "README no longer quotes `{line}`");
        assert!(printed.contains(line), "diff does not print `{line}`");
    }
}

#[test]
fn the_alternatives_example_lines_are_what_alternatives_prints() {
    if common::backend_name() != "microlp" {
        return; // The README quotes the default backend's plans.
    }
    let text = readme().split_whitespace().collect::<Vec<_>>().join(" ");
    let out = fsdplan()
        .args([
            "alternatives",
            "configs/china-1.7m.toml",
            "--relax",
            "--distinct",
            "3",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = json["alternatives"].as_array().unwrap();
    for (k, line) in [
        (0, "+1,073 L20 nodes at guizhou"),
        (0, "+143 H100 nodes at texas"),
        (2, "+774 H20 nodes at guizhou"),
    ] {
        assert!(text.contains(line), "README no longer quotes `{line}`");
        let changed = rows[k]["nodes_changed"].as_array().unwrap();
        assert!(
            changed.iter().any(|c| c == line),
            "alternative {} does not change `{line}`: {changed:?}",
            k + 1
        );
    }
}

#[test]
fn links_point_inside_the_repository() {
    let mut files = vec!["README.md".to_string()];
    for entry in std::fs::read_dir("docs").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path.display().to_string());
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains("../shared"),
            "{file} points outside the clone"
        );
        assert!(
            !text.contains("SPEC.md"),
            "{file} names SPEC.md, which the clone lacks"
        );
        // Every relative Markdown link names a file that exists.
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let target = &rest[..rest.find(')').unwrap_or(0)];
            if target.starts_with("http") || target.starts_with('#') || target.is_empty() {
                continue;
            }
            let base = std::path::Path::new(&file).parent().unwrap();
            let path = base.join(target.split('#').next().unwrap());
            assert!(path.exists(), "{file}: link to {target} names nothing");
        }
    }
    for entry in std::fs::read_dir("configs").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !text.contains("shared/"),
                "{} cites a file the clone lacks",
                path.display()
            );
        }
    }
}

/// Every key of the scenario format (the fields of `src/scenario/raw.rs`)
/// is documented in docs/scenario.md.
#[test]
fn every_scenario_key_is_documented() {
    let raw = std::fs::read_to_string("src/scenario/raw.rs").unwrap();
    let docs = std::fs::read_to_string("docs/scenario.md").unwrap();
    let mut missing = Vec::new();
    for line in raw.lines() {
        let line = line.trim();
        let Some(field) = line.strip_prefix("pub ") else {
            continue;
        };
        let Some((name, _)) = field.split_once(':') else {
            continue;
        };
        if name.contains(' ') || name.contains('(') {
            continue;
        }
        if !docs.contains(&format!("`{name}`")) && !docs.contains(&format!(".{name}`")) {
            missing.push(name.to_string());
        }
    }
    assert!(missing.is_empty(), "docs/scenario.md lacks {missing:?}");
}
