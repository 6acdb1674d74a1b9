//! Units and the scaling used inside the optimisation model.
//!
//! Outside the model every quantity is in the units of SPEC.md section 2:
//! PB, Gbps, GB/s, MW, PFLOP and currency units. Inside, money and compute are
//! divided by powers of ten chosen from the scenario's magnitudes so that the
//! constraint matrix stays near 1e-3..1e6 whatever the fleet size; results are
//! converted back before anyone sees them.

/// Hours in a month, by convention.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Gbps needed to move 1 PB in one second (10^15 bytes * 8 bits / 10^9).
pub const GBPS_PER_PB_PER_SECOND: f64 = 8.0e6;

/// GB in one PB.
pub const GB_PER_PB: f64 = 1.0e6;

/// kW in one MW.
pub const KW_PER_MW: f64 = 1000.0;

/// How the model's internal units relate to the scenario's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scales {
    /// Currency units in one model money unit.
    pub money: f64,
    /// PFLOP in one model compute unit.
    pub compute: f64,
}

impl Scales {
    /// Picks powers of ten so that the largest node price and the largest
    /// per-node compute per period are near 1 in model units.
    pub fn choose(largest_price: f64, largest_node_pflop: f64) -> Scales {
        Scales {
            money: power_of_ten_at_most(largest_price),
            compute: power_of_ten_at_most(largest_node_pflop),
        }
    }
}

/// The largest power of ten not above `x` (1 for zero or non-finite `x`).
pub fn power_of_ten_at_most(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        10f64.powi(x.log10().floor() as i32)
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_powers_of_ten() {
        assert_eq!(power_of_ten_at_most(1_100_000.0), 1.0e6);
        assert_eq!(power_of_ten_at_most(999.0), 100.0);
        assert_eq!(power_of_ten_at_most(0.0), 1.0);
        assert_eq!(power_of_ten_at_most(f64::NAN), 1.0);
        let s = Scales::choose(1.1e6, 3.27e6);
        assert_eq!((s.money, s.compute), (1.0e6, 1.0e6));
    }
}
