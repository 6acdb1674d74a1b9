//! The backend the whole suite runs on: the embedded microlp, or HiGHS with
//! `FSDPLAN_SOLVER=highs` in a build with `--features highs` (`.ci/run`
//! runs the suite both ways). The binary reads the same variable, so the
//! CLI tests follow it too. Snapshots of plans get a `@highs` suffix on
//! HiGHS: the two backends may stop at different plans within the gap.

use fsdplan::solve::{LpBackend, MicroLp};

/// The backend's name, as `--solver` spells it.
pub fn backend_name() -> &'static str {
    match std::env::var("FSDPLAN_SOLVER").as_deref() {
        Ok("highs") => "highs",
        Ok("microlp") | Err(_) => "microlp",
        Ok(other) => panic!("FSDPLAN_SOLVER={other}: allowed are microlp and highs"),
    }
}

/// The backend the tests plan with.
pub fn backend() -> &'static dyn LpBackend {
    match backend_name() {
        #[cfg(feature = "highs")]
        "highs" => &fsdplan::solve::Highs { threads: None },
        #[cfg(not(feature = "highs"))]
        "highs" => panic!("FSDPLAN_SOLVER=highs needs `cargo test --features highs`"),
        _ => &MicroLp,
    }
}

/// Runs snapshot assertions of plans under the backend's suffix.
pub fn plan_snapshots(assertions: impl FnOnce()) {
    let mut settings = insta::Settings::clone_current();
    if backend_name() != "microlp" {
        settings.set_snapshot_suffix(backend_name());
    }
    settings.bind(assertions);
}
