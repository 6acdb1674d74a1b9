//! Ingest: every upload is taken in at a home site (vehicles never upload
//! across the border), over leased bandwidth sized for the peak.

use super::builder::ModelBuilder;
use super::costs::CostCategory;
use super::lp::{LinExpr, Sense};

pub fn add(m: &mut ModelBuilder) {
    let input = m.input;
    let scenario = input.scenario;
    let peak = scenario.fleet.upload_peak_to_average;
    let gbps_per_pb = m.gbps_per_pb();
    let months = f64::from(scenario.calendar.period_months);
    for t in 0..input.periods {
        let label = &input.labels[t];
        for (c, class) in scenario.data_classes.iter().enumerate() {
            let upload = input.uploads_pb[t][c];
            if upload <= 0.0 {
                continue;
            }
            let mut all = LinExpr::default();
            for (s, site) in scenario
                .sites
                .iter()
                .enumerate()
                .filter(|(_, site)| site.is_home)
            {
                let var = m.lp.add_column(
                    format!("ingest[{},{},{label}]", class.name, site.name),
                    0.0,
                    f64::INFINITY,
                    false,
                );
                m.index.ingest.set(t, s, c, var);
                all.add(var, 1.0);
            }
            m.lp.add_row(
                format!("ingest_all[{},{label}]", class.name),
                all,
                Sense::Eq,
                upload,
            );
        }
        for (s, site) in scenario
            .sites
            .iter()
            .enumerate()
            .filter(|(_, site)| site.is_home)
        {
            let mut need = LinExpr::default();
            for c in 0..scenario.data_classes.len() {
                need.add_opt(m.index.ingest.get(t, s, c), peak * gbps_per_pb);
            }
            if need.is_constant() {
                continue;
            }
            let upper = site.ingest_max_gbps.unwrap_or(f64::INFINITY);
            let gbps = m.lp.add_column(
                format!("ingest_gbps[{},{label}]", site.name),
                0.0,
                upper,
                false,
            );
            m.index.ingest_gbps.set(t, s, 0, gbps);
            let mut row = LinExpr::default();
            row.add(gbps, 1.0);
            row.add_scaled(&need, -1.0);
            m.lp.add_row(
                format!("ingest_bandwidth[{},{label}]", site.name),
                row,
                Sense::Ge,
                0.0,
            );
            m.ledger.add(
                t,
                CostCategory::Ingest,
                gbps,
                site.ingest_price_per_gbps_month * months,
            );
        }
    }
}
