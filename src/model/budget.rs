//! Budget: cash spent on purchases (nodes at the price paid, storage) in any
//! one period.

use super::builder::ModelBuilder;
use super::lp::{LinExpr, Sense};

pub fn add(m: &mut ModelBuilder) {
    let input = m.input;
    let scenario = input.scenario;
    let Some(budget) = scenario.budget else {
        return;
    };
    let money = m.scales.money;
    for t in 0..input.periods {
        let mut spent = LinExpr::default();
        for s in 0..scenario.sites.len() {
            for g in 0..scenario.gpus.len() {
                spent.add_opt(
                    m.index.buy_nodes.get(t, s, g),
                    input.price_paid(t, s, g) / money,
                );
            }
            for k in 0..scenario.storage_tiers.len() {
                spent.add_opt(
                    m.index.buy_storage.get(t, s, k),
                    input.tier_price[t][k] / money,
                );
            }
        }
        if !spent.is_constant() {
            m.lp.add_row(
                format!("budget[{}]", input.labels[t]),
                spent,
                Sense::Le,
                budget.capex_per_period / money,
            );
        }
    }
}
