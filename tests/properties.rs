//! Invariants over randomly generated scenarios.

mod common;

use common::{run, run_with};
use fsdplan::solve::Limits;
use proptest::prelude::*;

/// Parameters of a random two-country scenario.
#[derive(Debug, Clone)]
struct Random {
    vehicles: u32,
    growth: f64,
    gb: f64,
    east_cap: f64,
    west_cap: f64,
    ban_from: u32,
    ban_len: u32,
    tracks_residency: &'static str,
    video_residency: &'static str,
    abroad: bool,
}

prop_compose! {
    fn random()(
        vehicles in 50_000u32..400_000,
        growth in 0.0..0.5f64,
        gb in 0.5..4.0f64,
        east_cap in 0.5..6.0f64,
        west_cap in 0.5..6.0f64,
        ban_from in 1u32..12,
        ban_len in 0u32..9,
        tracks_residency in prop_oneof![Just("home_only"), Just("free")],
        video_residency in prop_oneof![Just("home_only"), Just("export_after_deid"), Just("free")],
        abroad in any::<bool>(),
    ) -> Random {
        Random { vehicles, growth, gb, east_cap, west_cap, ban_from, ban_len, tracks_residency, video_residency, abroad }
    }
}

fn scenario(r: &Random, upload_factor: f64) -> String {
    let ban_until = (r.ban_from + r.ban_len).min(12);
    let abroad = if r.abroad {
        r#"
[[site]]
name = "abroad"
jurisdiction = "US"
power_cap_mw = 8
pue = 1.3
energy_price_per_kwh = 0.2

[[link]]
name = "east-abroad"
from = "east"
to = "abroad"
price_per_gbps_month = 20_000
"#
    } else {
        ""
    };
    format!(
        r#"
[scenario]
name = "random"
currency = "CNY"
home = "CN"
start = "2025-01"
periods = 4
discount_rate = 0.08

[fleet]
vehicles = {vehicles}
growth_per_year = {growth}
uploading_share = 0.5

[training]
shortfall_price_per_pflop = 1.0
read_gb_per_pflop = 1.0

[[data_class]]
name = "video"
gb_per_vehicle_month = {video_gb}
retention_months = 6
training_share = 0.3
pflop_per_pb = 1.0e9
residency = "{video_residency}"
deid_pflop_per_pb = 2.0e6

[[data_class]]
name = "tracks"
gb_per_vehicle_month = {tracks_gb}
retention_months = 12
training_share = 0.5
pflop_per_pb = 1.0e7
residency = "{tracks_residency}"

[[site]]
name = "east"
jurisdiction = "CN"
power_cap_mw = {east_cap}
pue = 1.25
energy_price_per_kwh = 0.7
ingest_price_per_gbps_month = 50_000

[[site]]
name = "west"
jurisdiction = "CN"
power_cap_mw = {west_cap}
pue = 1.2
energy_price_per_kwh = 0.35
ingest_price_per_gbps_month = 60_000

[[link]]
name = "east-west"
from = "east"
to = "west"
price_per_gbps_month = 5_000
{abroad}
[[gpu]]
name = "fast"
tflops = 989
node_kw = 10.2
price_per_node = 2_000_000
lifetime_years = 4
mfu = 0.4
allowed_in = ["CN", "US"]

[[gpu]]
name = "slow"
tflops = 320
node_kw = 5.6
price_per_node = 1_400_000
lifetime_years = 4
mfu = 0.3
allowed_in = ["CN"]

[[export_rule]]
gpu = "fast"
jurisdiction = "CN"
from = "2025-{ban_from:02}"
until = "2025-{ban_until:02}"

[[storage]]
name = "hdd"
price_per_pb = 250_000
kw_per_pb = 1.0
read_gb_per_s_per_pb = 8
usable_fraction = 0.75
lifetime_years = 5
"#,
        vehicles = r.vehicles,
        growth = r.growth,
        video_gb = r.gb * upload_factor,
        tracks_gb = 0.1 * upload_factor,
        video_residency = r.video_residency,
        tracks_residency = r.tracks_residency,
        east_cap = r.east_cap,
        west_cap = r.west_cap,
        ban_from = r.ban_from,
        ban_until = ban_until.max(r.ban_from),
    )
}

/// Quarters (2025Q1..2025Q4) that overlap months `from..=until` of 2025.
fn quarters_banned(from: u32, until: u32) -> Vec<String> {
    (1..=4u32)
        .filter(|q| {
            let first = 3 * (q - 1) + 1;
            let last = first + 2;
            first <= until && last >= from
        })
        .map(|q| format!("2025Q{q}"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn more_uploads_never_cost_less(r in random(), extra in 1.0..2.0f64) {
        let base = run(&scenario(&r, 1.0), true);
        let more = run(&scenario(&r, extra), true);
        prop_assume!(base.status == "optimal" && more.status == "optimal");
        let (a, b) = (base.objective.unwrap(), more.objective.unwrap());
        prop_assert!(b >= a - 1e-6 * a.abs(), "NPV fell from {a} to {b} with {extra}x uploads");
    }

    #[test]
    fn integer_plans_obey_export_control_residency_and_power(r in random()) {
        let limits = Limits { mip_gap: 1e-3, time_limit: f64::INFINITY, max_nodes: 200, backend_nodes: 200, ..Limits::default() };
        let report = run_with(&scenario(&r, 1.0), false, limits);
        prop_assume!(report.objective.is_some());
        let banned = quarters_banned(r.ban_from, (r.ban_from + r.ban_len).min(12).max(r.ban_from));
        for row in &report.gpus {
            prop_assert_eq!(row.bought_nodes, row.bought_nodes.round());
            prop_assert_eq!(row.installed_nodes, row.installed_nodes.round());
            if row.gpu == "fast" && row.site != "abroad" {
                prop_assert!(!(banned.contains(&row.period) && row.bought_nodes > 0.0), "bought banned {:?}", row);
            }
            if row.gpu == "slow" {
                prop_assert!(row.site != "abroad", "slow is not allowed abroad");
            }
        }
        for row in &report.data {
            let home_only = (row.class == "tracks" && r.tracks_residency == "home_only")
                || (row.class == "video" && r.video_residency == "home_only");
            if home_only {
                prop_assert!(row.site != "abroad", "home-only data abroad: {:?}", row);
            }
        }
        for row in &report.sites {
            if let Some(cap) = row.power_cap_mw {
                prop_assert!(row.power_mw <= cap + 1e-6, "power {} over cap {}", row.power_mw, cap);
            }
        }
    }
}
