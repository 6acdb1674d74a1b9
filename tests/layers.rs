//! The library's layers import downward only (see the crate docs): the
//! model and the solver know nothing of plans, a plan run nothing of its
//! analyses, the analyses nothing of the studies, and nothing but the binary
//! knows the renderers. Checked on the source, so a new upward import fails
//! here with the file and line rather than surviving as a cycle.

use std::fs;
use std::path::{Path, PathBuf};

/// The library's top-level modules, lowest layer first. A module may use
/// `crate::X` only for an X in its own layer or one listed before it.
const LAYERS: &[&[&str]] = &[
    &["units", "time", "numbers", "exit"],
    &["scenario", "generate"],
    &["model"],
    &["solve"],
    &["plan"],
    &["analyses"],
    &["studies"],
    &["report"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn layers_import_downward_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    let mut checked = 0;
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative.components().next().unwrap().as_os_str();
        let top = top.to_str().unwrap().trim_end_matches(".rs");
        if top == "bin" || top == "lib" {
            continue;
        }
        let own = layer_of(top).unwrap_or_else(|| {
            panic!(
                "src/{}: module `{top}` is in no layer of this test",
                relative.display()
            )
        });
        checked += 1;
        let text = fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            // Doc links may name any layer; only code imports.
            if line.trim_start().starts_with("//") {
                continue;
            }
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let used: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if let Some(layer) = layer_of(&used) {
                    if layer > own {
                        upward.push(format!(
                            "src/{}:{}: `{top}` uses `crate::{used}`, a higher layer",
                            relative.display(),
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 40, "only {checked} files checked");
    assert!(upward.is_empty(), "{}", upward.join("\n"));
}
