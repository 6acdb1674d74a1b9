//! Compute and training: integer node purchases with lifetimes, training
//! demand placed where the data is, base compute anywhere, de-identification
//! at the source of copies leaving home, optional priced shortfall; GPU
//! capital charges (annuities of the price paid) and maintenance.

use super::builder::ModelBuilder;
use super::costs::CostCategory;
use super::input::PlanInput;
use super::lp::{LinExpr, Sense};

pub fn add(m: &mut ModelBuilder) {
    add_purchases(m);
    add_training(m);
    add_capacity(m);
}

/// n[t][s][g] where export control allows it, with its capital charge and
/// the maintenance of installed nodes.
fn add_purchases(m: &mut ModelBuilder) {
    let input = m.input;
    let scenario = input.scenario;
    let years = scenario.calendar.years_per_period();
    for t in 0..input.periods {
        let label = &input.labels[t];
        for (s, site) in scenario.sites.iter().enumerate() {
            for (g, gpu) in scenario.gpus.iter().enumerate() {
                let var = match &m.shared {
                    // A hedged model's purchases are shared by alike futures.
                    Some(shared) => match shared.nodes.get(t, s, g) {
                        Some(var) => var,
                        None => continue,
                    },
                    None => {
                        let Some(upper) = purchase_upper(input, t, s, g) else {
                            continue;
                        };
                        m.lp.add_column(
                            format!("buy[{},{},{label}]", gpu.name, site.name),
                            0.0,
                            upper,
                            true,
                        )
                    }
                };
                m.index.buy_nodes.set(t, s, g, var);
                let annuity = input.price_paid(t, s, g) * input.gpu_annuity[g];
                for charged in input.charged_periods(t, input.gpu_life[g]) {
                    m.ledger
                        .add(charged, CostCategory::GpuCapital, var, annuity);
                    m.ledger.add(
                        charged,
                        CostCategory::Maintenance,
                        var,
                        gpu.maintenance_per_node_year * years,
                    );
                }
            }
        }
    }
    // Existing nodes never retire and are maintained every period.
    for t in 0..input.periods {
        for site in &scenario.sites {
            for (g, gpu) in scenario.gpus.iter().enumerate() {
                m.ledger.add_fixed(
                    t,
                    CostCategory::Maintenance,
                    site.existing_nodes[g] * gpu.maintenance_per_node_year * years,
                );
            }
        }
    }
}

/// The most nodes of GPU `g` site `s` may buy in period `t`, or `None`
/// when it may buy none (export control, availability, or a cap already
/// reached). Caps that hold for any plan tighten the bound.
pub fn purchase_upper(input: &PlanInput, t: usize, s: usize, g: usize) -> Option<f64> {
    if !input.buyable(t, s, g) {
        return None;
    }
    let gpu = &input.scenario.gpus[g];
    let existing = input.scenario.sites[s].existing_nodes[g];
    let licence = input
        .terms(t, s, g)
        .licence_cap
        .map(|cap| (cap.max(existing) - existing).max(0.0));
    let upper = [licence, gpu.max_nodes_per_period]
        .into_iter()
        .flatten()
        .fold(f64::INFINITY, f64::min);
    (upper > 0.0).then_some(upper)
}

/// Training demand per class, bounded by the stock at each site; base
/// compute; priced shortfall.
fn add_training(m: &mut ModelBuilder) {
    let input = m.input;
    let scenario = input.scenario;
    let unit = m.scales.compute;
    for t in 0..input.periods {
        let label = &input.labels[t];
        for (c, class) in scenario.data_classes.iter().enumerate() {
            let demand = input.demand_pflop[t][c];
            if demand <= 0.0 {
                continue;
            }
            let mut delivered = LinExpr::default();
            for (s, site) in scenario.sites.iter().enumerate() {
                if !input.class_may_be_at[c][s] {
                    continue;
                }
                let var = m.lp.add_column(
                    format!("train[{},{},{label}]", class.name, site.name),
                    0.0,
                    f64::INFINITY,
                    false,
                );
                m.index.train.set(t, s, c, var);
                delivered.add(var, 1.0);
                let mut bound = LinExpr::default();
                bound.add(var, 1.0);
                bound.add_scaled(
                    &m.expr().stock(t, s, c),
                    -input.pflop_per_stock_pb[c] / unit,
                );
                m.lp.add_row(
                    format!("train_on_stock[{},{},{label}]", class.name, site.name),
                    bound,
                    Sense::Le,
                    0.0,
                );
            }
            if let Some(price) = scenario.training.shortfall_price_per_pflop {
                let var = m.lp.add_column(
                    format!("shortfall[{},{label}]", class.name),
                    0.0,
                    f64::INFINITY,
                    false,
                );
                m.index.shortfall.set(t, c, 0, var);
                delivered.add(var, 1.0);
                m.ledger.add(t, CostCategory::Shortfall, var, price * unit);
            }
            m.lp.add_row(
                format!("training_demand[{},{label}]", class.name),
                delivered,
                Sense::Eq,
                demand / unit,
            );
        }
        let base = scenario.training.base_pflop_per_period;
        if base > 0.0 {
            let mut all = LinExpr::default();
            for (s, site) in scenario.sites.iter().enumerate() {
                let var = m.lp.add_column(
                    format!("base_compute[{},{label}]", site.name),
                    0.0,
                    f64::INFINITY,
                    false,
                );
                m.index.base.set(t, s, 0, var);
                all.add(var, 1.0);
            }
            m.lp.add_row(format!("base_demand[{label}]"), all, Sense::Eq, base / unit);
        }
    }
}

/// Work at a site (training, base, de-identification) within the compute of
/// its installed nodes.
fn add_capacity(m: &mut ModelBuilder) {
    let input = m.input;
    let scenario = input.scenario;
    let unit = m.scales.compute;
    for t in 0..input.periods {
        let label = &input.labels[t];
        for (s, site) in scenario.sites.iter().enumerate() {
            let mut work = m.expr().work(t, s);
            if work.is_constant() {
                continue;
            }
            for g in 0..scenario.gpus.len() {
                work.add_scaled(
                    &m.expr().installed_nodes(t, s, g),
                    -input.node_pflop[g] / unit,
                );
            }
            m.lp.add_row(
                format!("compute_capacity[{},{label}]", site.name),
                work,
                Sense::Le,
                0.0,
            );
        }
    }
}
