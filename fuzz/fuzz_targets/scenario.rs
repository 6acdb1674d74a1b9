//! Fuzzes the scenario loader and the `--set` and sweep-axis parsers.
//!
//! An input is up to three parts separated by a line `%%`: the scenario
//! file `fuzz.toml`, a file `inc.toml` it may include, and `--set`
//! overrides, one per line. Whatever the bytes, loading must end in a
//! scenario or an error, never a panic or a hang; a scenario that loads must
//! give a model input and a model without panicking.
//!
//! Run: `cargo +nightly fuzz run scenario fuzz/corpus/scenario` (see the
//! README's "Fuzzing").

#![no_main]

use std::path::Path;

use fsdplan::scenario::{self, Override};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, "\n%%\n");
    let main = parts.next().unwrap_or_default().to_string();
    let include = parts.next().map(str::to_string);
    let overrides: Vec<Override> = parts
        .next()
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            // The sweep's axis parser sees every line too.
            let _ = fsdplan::sweep::Axis::parse(line);
            Override::parse(line).ok()
        })
        .collect();
    let mut read = |path: &Path| match path.file_name().and_then(|n| n.to_str()) {
        Some("fuzz.toml") => Ok(main.clone()),
        Some("inc.toml") if include.is_some() => Ok(include.clone().unwrap_or_default()),
        _ => Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such file")),
    };
    if let Ok(loaded) = scenario::load_with(Path::new("fuzz.toml"), &mut read, &overrides) {
        let input = fsdplan::model::input::PlanInput::new(&loaded.scenario);
        let model = fsdplan::model::build(&input);
        let _ = model.lp.numeric_problem();
    }
});
