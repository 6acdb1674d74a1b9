//! Data placement and residency: copies over links, bounded by what arrived
//! at the source that period, over leased link bandwidth, within export
//! quotas. Residency is enforced by construction: a copy variable exists only
//! where the class may be at both ends ("home_only" never reaches a non-home
//! site). De-identification compute for copies that leave home is charged at
//! the source by the compute family (see `ModelBuilder::deid_work`).

use super::builder::ModelBuilder;
use super::costs::CostCategory;
use super::lp::{LinExpr, Sense};

pub fn add(m: &mut ModelBuilder) {
    let input = m.input;
    let scenario = input.scenario;
    let gbps_per_pb = m.gbps_per_pb();
    let months = f64::from(scenario.calendar.period_months);
    for t in 0..input.periods {
        let label = &input.labels[t];
        for (l, link) in scenario.links.iter().enumerate() {
            for (c, class) in scenario.data_classes.iter().enumerate() {
                if input.link_may_carry(l, c) {
                    let var = m.lp.add_column(
                        format!("copy[{},{},{label}]", class.name, link.name),
                        0.0,
                        f64::INFINITY,
                        false,
                    );
                    m.index.copy.set(t, l, c, var);
                }
            }
        }
        for (l, link) in scenario.links.iter().enumerate() {
            let mut carried = LinExpr::default();
            for (c, class) in scenario.data_classes.iter().enumerate() {
                let Some(copy) = m.index.copy.get(t, l, c) else {
                    continue;
                };
                let mut bound = LinExpr::default();
                bound.add(copy, 1.0);
                bound.add_scaled(&m.expr().inflow(t, link.from, c), -1.0);
                m.lp.add_row(
                    format!("copy_source[{},{},{label}]", class.name, link.name),
                    bound,
                    Sense::Le,
                    0.0,
                );
                carried.add(copy, gbps_per_pb);
            }
            if carried.is_constant() {
                continue;
            }
            let upper = link.max_gbps.unwrap_or(f64::INFINITY);
            let gbps = m.lp.add_column(
                format!("link_gbps[{},{label}]", link.name),
                0.0,
                upper,
                false,
            );
            m.index.link_gbps.set(t, l, 0, gbps);
            let mut row = LinExpr::default();
            row.add(gbps, 1.0);
            row.add_scaled(&carried, -1.0);
            m.lp.add_row(
                format!("link_bandwidth[{},{label}]", link.name),
                row,
                Sense::Ge,
                0.0,
            );
            m.ledger.add(
                t,
                CostCategory::Link,
                gbps,
                link.price_per_gbps_month * months,
            );
        }
        for (c, class) in scenario.data_classes.iter().enumerate() {
            let Some(quota) = class.export_max_pb_per_period else {
                continue;
            };
            let mut leaving = LinExpr::default();
            for l in (0..scenario.links.len()).filter(|&l| input.link_leaves_home(l)) {
                leaving.add_opt(m.index.copy.get(t, l, c), 1.0);
            }
            if !leaving.is_constant() {
                m.lp.add_row(
                    format!("export_quota[{},{label}]", class.name),
                    leaving,
                    Sense::Le,
                    quota,
                );
            }
        }
    }
}
