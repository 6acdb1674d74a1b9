//! The validated model input: every derived quantity of SPEC.md section 4
//! (uploads, retention windows, training demand, per-node compute, lifetimes,
//! prices, annuities, discount factors, purchase terms, where each data class
//! may be), in the scenario's own units. Both the model builder and
//! `fsdplan check` read from here, so they can never disagree.

use super::export_control::{purchase_terms, PurchaseTerms};
use crate::scenario::{Residency, Scenario};
use crate::units::GB_PER_PB;

/// Everything the model needs that follows from the scenario alone.
#[derive(Debug, Clone)]
pub struct PlanInput<'a> {
    pub scenario: &'a Scenario,
    pub periods: usize,
    pub labels: Vec<String>,
    /// Hours and seconds in one period.
    pub hours: f64,
    pub seconds: f64,
    /// Discount rate per period.
    pub rate_per_period: f64,
    /// Discount factor of each period, d_t = (1 + rho)^-t.
    pub discount: Vec<f64>,
    /// Uploads per period and class, PB.
    pub uploads_pb: Vec<Vec<f64>>,
    /// Retention window of each class, periods.
    pub retention_periods: Vec<usize>,
    /// Training demand per period and class, PFLOP.
    pub demand_pflop: Vec<Vec<f64>>,
    /// Training compute per PB of stock per period, per class (PFLOP/PB).
    pub pflop_per_stock_pb: Vec<f64>,
    /// Compute of one node in one period, per GPU, PFLOP.
    pub node_pflop: Vec<f64>,
    /// Lifetimes in periods.
    pub gpu_life: Vec<usize>,
    pub tier_life: Vec<usize>,
    /// List price per node in each period (before licence factors).
    pub gpu_price: Vec<Vec<f64>>,
    /// Price per PB in each period.
    pub tier_price: Vec<Vec<f64>>,
    /// Annuity per period as a share of the price paid.
    pub gpu_annuity: Vec<f64>,
    pub tier_annuity: Vec<f64>,
    /// Purchase terms, indexed [t][s][g].
    terms: Vec<Vec<Vec<PurchaseTerms>>>,
    /// Whether class c may ever be at site s, [c][s].
    pub class_may_be_at: Vec<Vec<bool>>,
}

impl<'a> PlanInput<'a> {
    pub fn new(scenario: &'a Scenario) -> PlanInput<'a> {
        let calendar = &scenario.calendar;
        let periods = calendar.periods;
        let period_months = f64::from(calendar.period_months);
        let years = calendar.years_per_period();
        let rate_per_period = (1.0 + scenario.discount_rate).powf(years) - 1.0;
        let discount = (0..periods)
            .map(|t| (1.0 + rate_per_period).powi(-(t as i32)))
            .collect();
        let fleet = &scenario.fleet;
        let uploads_pb: Vec<Vec<f64>> = (0..periods)
            .map(|t| {
                scenario
                    .data_classes
                    .iter()
                    .map(|c| {
                        fleet.vehicles_by_period[t]
                            * fleet.uploading_share
                            * c.gb_per_vehicle_month
                            * period_months
                            / GB_PER_PB
                    })
                    .collect()
            })
            .collect();
        let retention_periods: Vec<usize> = scenario
            .data_classes
            .iter()
            .map(|c| ((c.retention_months / period_months).ceil() as usize).max(1))
            .collect();
        let pflop_per_stock_pb: Vec<f64> = scenario
            .data_classes
            .iter()
            .map(|c| scenario.training.epochs_per_period * c.pflop_per_pb * c.training_share)
            .collect();
        let demand_pflop = (0..periods)
            .map(|t| {
                (0..scenario.data_classes.len())
                    .map(|c| {
                        let window = t + 1 - retention_periods[c].min(t + 1);
                        let corpus: f64 = (window..=t).map(|tau| uploads_pb[tau][c]).sum();
                        pflop_per_stock_pb[c] * corpus
                    })
                    .collect()
            })
            .collect();
        let seconds = calendar.seconds_per_period();
        let node_pflop = scenario
            .gpus
            .iter()
            .map(|g| g.gpus_per_node * g.tflops * g.mfu * 1e-3 * seconds)
            .collect();
        let life =
            |years_of_life: f64| ((years_of_life * 12.0 / period_months).round() as usize).max(1);
        let gpu_life: Vec<usize> = scenario
            .gpus
            .iter()
            .map(|g| life(g.lifetime_years))
            .collect();
        let tier_life: Vec<usize> = scenario
            .storage_tiers
            .iter()
            .map(|k| life(k.lifetime_years))
            .collect();
        let declined =
            |price: f64, decline: f64, t: usize| price * (1.0 - decline).powf(t as f64 * years);
        let gpu_price = (0..periods)
            .map(|t| {
                scenario
                    .gpus
                    .iter()
                    .map(|g| declined(g.price_per_node, g.price_decline_per_year, t))
                    .collect()
            })
            .collect();
        let tier_price = (0..periods)
            .map(|t| {
                scenario
                    .storage_tiers
                    .iter()
                    .map(|k| declined(k.price_per_pb, k.price_decline_per_year, t))
                    .collect()
            })
            .collect();
        let gpu_annuity = gpu_life
            .iter()
            .map(|&l| annuity_factor(rate_per_period, l))
            .collect();
        let tier_annuity = tier_life
            .iter()
            .map(|&l| annuity_factor(rate_per_period, l))
            .collect();
        let terms = (0..periods)
            .map(|t| {
                (0..scenario.sites.len())
                    .map(|s| {
                        (0..scenario.gpus.len())
                            .map(|g| purchase_terms(scenario, t, s, g))
                            .collect()
                    })
                    .collect()
            })
            .collect();
        PlanInput {
            scenario,
            periods,
            labels: calendar.labels(),
            hours: calendar.hours_per_period(),
            seconds,
            rate_per_period,
            discount,
            uploads_pb,
            retention_periods,
            demand_pflop,
            pflop_per_stock_pb,
            node_pflop,
            gpu_life,
            tier_life,
            gpu_price,
            tier_price,
            gpu_annuity,
            tier_annuity,
            terms,
            class_may_be_at: class_reach(scenario),
        }
    }

    /// Export-control terms for buying GPU g at site s in period t.
    pub fn terms(&self, t: usize, s: usize, g: usize) -> &PurchaseTerms {
        &self.terms[t][s][g]
    }

    /// Whether GPU g may be bought at site s in period t.
    pub fn buyable(&self, t: usize, s: usize, g: usize) -> bool {
        self.terms[t][s][g].blocked.is_none()
    }

    /// Price actually paid per node (licence factors included).
    pub fn price_paid(&self, t: usize, s: usize, g: usize) -> f64 {
        self.gpu_price[t][g] * self.terms[t][s][g].price_factor
    }

    /// Periods whose purchases are installed in period t: the lifetime window.
    pub fn window(&self, t: usize, life: usize) -> std::ops::RangeInclusive<usize> {
        (t + 1 - life.min(t + 1))..=t
    }

    /// Periods whose capital charge falls in period t's window, i.e. the
    /// periods in which something bought at `tau` is charged.
    pub fn charged_periods(&self, tau: usize, life: usize) -> std::ops::Range<usize> {
        tau..(tau + life).min(self.periods)
    }

    /// Whether link l may carry class c: the class may be at both ends.
    pub fn link_may_carry(&self, l: usize, c: usize) -> bool {
        let link = &self.scenario.links[l];
        self.class_may_be_at[c][link.from] && self.class_may_be_at[c][link.to]
    }

    /// Whether a link goes from a home site to a non-home site.
    pub fn link_leaves_home(&self, l: usize) -> bool {
        let link = &self.scenario.links[l];
        self.scenario.sites[link.from].is_home && !self.scenario.sites[link.to].is_home
    }
}

/// Annuity per period for one currency unit of price: rho / (1 - (1+rho)^-L),
/// or 1/L without discounting.
pub fn annuity_factor(rate_per_period: f64, life: usize) -> f64 {
    if rate_per_period == 0.0 {
        1.0 / life as f64
    } else {
        rate_per_period / (1.0 - (1.0 + rate_per_period).powi(-(life as i32)))
    }
}

/// Where each class may be: home sites always (ingest), other sites when the
/// class may leave home and a chain of links reaches them.
fn class_reach(scenario: &Scenario) -> Vec<Vec<bool>> {
    scenario
        .data_classes
        .iter()
        .map(|class| {
            let mut at: Vec<bool> = scenario.sites.iter().map(|s| s.is_home).collect();
            if class.residency != Residency::HomeOnly {
                let mut changed = true;
                while changed {
                    changed = false;
                    for link in &scenario.links {
                        if at[link.from] && !at[link.to] {
                            at[link.to] = true;
                            changed = true;
                        }
                    }
                }
            }
            at
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annuity_repays_the_price_at_the_discount_rate() {
        // Without discounting: straight line.
        assert_eq!(annuity_factor(0.0, 4), 0.25);
        // With discounting, the present value of L payments equals the price.
        let rho = 0.02;
        let a = annuity_factor(rho, 16);
        let pv: f64 = (1..=16).map(|t| a / (1.0 + rho).powi(t)).sum();
        assert!((pv - 1.0).abs() < 1e-12);
    }
}
