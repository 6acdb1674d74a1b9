//! Power: installed nodes and storage draw their full IT power times the
//! site's PUE, within the site's cap; energy is paid at full load.

use super::builder::ModelBuilder;
use super::costs::CostCategory;
use super::lp::Sense;
use crate::units::KW_PER_MW;

pub fn add(m: &mut ModelBuilder) {
    let input = m.input;
    let scenario = input.scenario;
    for t in 0..input.periods {
        let label = &input.labels[t];
        for (s, site) in scenario.sites.iter().enumerate() {
            let power = m.expr().power_mw(t, s);
            // Energy: MW * 1000 kW/MW * hours * price per kWh.
            let per_mw = KW_PER_MW * input.hours * site.energy_price_per_kwh;
            for &(var, coef) in &power.terms {
                m.ledger.add(t, CostCategory::Energy, var, coef * per_mw);
            }
            m.ledger
                .add_fixed(t, CostCategory::Energy, power.constant * per_mw);
            if let Some(cap) = site.power_cap_mw {
                m.lp.add_row(
                    format!("power_cap[{},{label}]", site.name),
                    power,
                    Sense::Le,
                    cap,
                );
            }
        }
    }
}
