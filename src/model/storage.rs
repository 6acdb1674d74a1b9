//! Storage: tiers bought by the PB with lifetimes, usable capacity for the
//! retained stock of every class, and read bandwidth for training.

use super::builder::ModelBuilder;
use super::costs::CostCategory;
use super::lp::{LinExpr, Sense};

pub fn add(m: &mut ModelBuilder) {
    let input = m.input;
    let scenario = input.scenario;
    let read_per_pflop = scenario.training.read_gb_per_pflop;
    for t in 0..input.periods {
        let label = &input.labels[t];
        for (s, site) in scenario.sites.iter().enumerate() {
            for (k, tier) in scenario.storage_tiers.iter().enumerate() {
                let var = match &m.shared {
                    Some(shared) => match shared.storage.get(t, s, k) {
                        Some(var) => var,
                        None => continue,
                    },
                    None => m.lp.add_column(
                        format!("buy_storage[{},{},{label}]", tier.name, site.name),
                        0.0,
                        f64::INFINITY,
                        false,
                    ),
                };
                m.index.buy_storage.set(t, s, k, var);
                let annuity = input.tier_price[t][k] * input.tier_annuity[k];
                for charged in input.charged_periods(t, input.tier_life[k]) {
                    m.ledger
                        .add(charged, CostCategory::StorageCapital, var, annuity);
                }
            }
        }
        for (s, site) in scenario.sites.iter().enumerate() {
            let mut held = LinExpr::default();
            for c in 0..scenario.data_classes.len() {
                held.add_scaled(&m.expr().stock(t, s, c), 1.0);
            }
            if !held.is_constant() {
                for (k, tier) in scenario.storage_tiers.iter().enumerate() {
                    held.add_scaled(&m.expr().installed_storage(t, s, k), -tier.usable_fraction);
                }
                m.lp.add_row(
                    format!("storage_capacity[{},{label}]", site.name),
                    held,
                    Sense::Le,
                    0.0,
                );
            }
            if read_per_pflop > 0.0 {
                let mut read = m.expr().training_work(t, s);
                if read.is_constant() {
                    continue;
                }
                // GB/s needed per model compute unit trained in a period.
                let gb_per_s = read_per_pflop * m.scales.compute / input.seconds;
                read = read.scaled(gb_per_s);
                for (k, tier) in scenario.storage_tiers.iter().enumerate() {
                    read.add_scaled(
                        &m.expr().installed_storage(t, s, k),
                        -tier.read_gb_per_s_per_pb,
                    );
                }
                m.lp.add_row(
                    format!("storage_read[{},{label}]", site.name),
                    read,
                    Sense::Le,
                    0.0,
                );
            }
        }
    }
}
