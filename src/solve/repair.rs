//! Repair of a rounded plan: rounding the LP's node counts up keeps every
//! capacity row satisfied but can break a cap (a site's power, a GPU's
//! supply per period, a licence). On the generated 20-site scenarios,
//! rounding up broke 1 to 4 of 10,040 rows (a power cap by 0.005 MW, a
//! supply cap by one node), and that made the whole candidate infeasible.
//! Moving single nodes back greedily was tried and was not enough: at a
//! power-capped site the node taken out was needed for home-only data, and
//! the site needed another mix of GPUs.
//!
//! So the repair is a small integer problem (fix and optimise): the integer
//! columns of the rows the plan breaks (with the continuous columns at their
//! LP values) are freed within their bounds, every other integer column
//! stays at its rounded value, and the backend's integer search decides the
//! freed ones together with all continuous columns.

use crate::model::lp::Row;
use crate::model::{LinearProgram, Sense};

/// Relative tolerance within which a row holds.
const ROW_TOLERANCE: f64 = 1e-9;

/// Whether a `<=` or `>=` row is broken at a point (`=` rows are left to
/// the LP: none of the model's has an integer column).
pub fn broken(row: &Row, values: &[f64]) -> bool {
    let activity: f64 = row.terms.iter().map(|&(v, c)| c * values[v.0]).sum();
    let over = match row.sense {
        Sense::Le => activity - row.rhs,
        Sense::Ge => row.rhs - activity,
        Sense::Eq => 0.0,
    };
    over > ROW_TOLERANCE * (1.0 + row.rhs.abs())
}

/// Bounds for repairing `candidate` (integer columns rounded, the rest at
/// the LP point): the integer columns of the rows it breaks free within
/// `bounds`, the other integer columns fixed at their candidate values, the
/// continuous columns as in `bounds`. `None` when it breaks no row with an
/// integer column (then rounding is not what made it infeasible).
pub fn repair_bounds(
    lp: &LinearProgram,
    bounds: &[(f64, f64)],
    candidate: &[f64],
) -> Option<Vec<(f64, f64)>> {
    let mut freed = vec![false; lp.columns.len()];
    let mut any = false;
    for row in &lp.rows {
        let has_integer = row.terms.iter().any(|&(v, _)| lp.columns[v.0].integer);
        if has_integer && broken(row, candidate) {
            for &(v, _) in &row.terms {
                freed[v.0] = lp.columns[v.0].integer;
            }
            any = true;
        }
    }
    any.then(|| {
        lp.columns
            .iter()
            .zip(bounds)
            .zip(candidate)
            .zip(&freed)
            .map(|(((column, &range), &x), &free)| {
                if column.integer && !free {
                    (x.round(), x.round())
                } else {
                    range
                }
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LinExpr;

    /// Node counts n1, n2 at site 1 and n3 at site 2 (integers), storage s
    /// at site 1 (continuous); a power cap at site 1 of 2.5 per node and
    /// unit of storage.
    fn programme() -> LinearProgram {
        let mut lp = LinearProgram::default();
        let n1 = lp.add_column("n1".into(), 0.0, 10.0, true);
        let n2 = lp.add_column("n2".into(), 0.0, 10.0, true);
        let n3 = lp.add_column("n3".into(), 0.0, 10.0, true);
        let s = lp.add_column("s".into(), 0.0, 10.0, false);
        let mut power = LinExpr::default();
        power.add(n1, 1.0);
        power.add(n2, 1.0);
        power.add(s, 1.0);
        lp.add_row("power".into(), power, Sense::Le, 2.5);
        let mut demand = LinExpr::default();
        demand.add(n1, 1.0);
        demand.add(n2, 1.0);
        demand.add(n3, 1.0);
        lp.add_row("demand".into(), demand, Sense::Ge, 2.5);
        lp
    }

    #[test]
    fn the_columns_of_a_broken_cap_are_freed_and_the_rest_stay_fixed() {
        let lp = programme();
        // LP: n1 = 0.4, n2 = 1.6, n3 = 0.5, s = 0.5. Rounded up: 1, 2, 1,
        // which breaks the power cap (1 + 2 + 0.5 > 2.5) but not demand.
        let candidate = [1.0, 2.0, 1.0, 0.5];
        let repair = repair_bounds(&lp, &lp.bounds(), &candidate).expect("a cap breaks");
        assert_eq!(
            repair,
            vec![(0.0, 10.0), (0.0, 10.0), (1.0, 1.0), (0.0, 10.0)]
        );
    }

    #[test]
    fn a_plan_that_breaks_nothing_needs_no_repair() {
        let lp = programme();
        assert_eq!(
            repair_bounds(&lp, &lp.bounds(), &[1.0, 1.0, 1.0, 0.5]),
            None
        );
    }
}
