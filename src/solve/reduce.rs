//! A light presolve: the programme with its fixed columns substituted out.
//!
//! The integer search solves many LPs in which most columns are fixed (every
//! node count, when a rounded plan's continuous rest is completed; all but
//! the fractional ones in the restricted neighbourhood of the LP point).
//! Handing those to a backend as bounds keeps every nonzero of the fixed
//! columns in its factorisation; on the generated 20-site scenario 88% of
//! the nonzeros are on purchase columns. Substituting them into the
//! right-hand sides first gives the backend the problem that is really
//! left, whatever the backend does (microlp has no presolve of its own).

use crate::model::lp::{Column, Row};
use crate::model::{LinearProgram, Sense, Var};

/// Relative residual within which a row left with no column holds.
const EMPTY_ROW_TOLERANCE: f64 = 1e-9;

/// A programme with its fixed columns substituted out.
#[derive(Debug, Clone)]
pub struct Reduced {
    /// The programme over the columns that are not fixed.
    pub lp: LinearProgram,
    /// For each reduced column, its column in the full programme.
    kept: Vec<Var>,
    /// A full point: fixed columns at their values, the others at zero.
    fixed: Vec<f64>,
}

impl Reduced {
    /// Substitutes every column with equal bounds into the rows. `None` when
    /// a row left with no column does not hold: the bounds are infeasible.
    pub fn new(lp: &LinearProgram, bounds: &[(f64, f64)]) -> Option<Reduced> {
        Reduced::build(lp, bounds, true)
    }

    /// [`Reduced::new`] for a programme solved in parts and never shown:
    /// without names (the thousands of them would only be copied), and
    /// with each row left with one column folded into that column's
    /// bounds (with the purchases fixed, most capacity rows are such).
    pub fn for_parts(lp: &LinearProgram, bounds: &[(f64, f64)]) -> Option<Reduced> {
        let mut reduced = Reduced::build(lp, bounds, false)?;
        reduced.fold_singleton_rows()?;
        Some(reduced)
    }

    /// Folds every row with one column into that column's bounds; `None`
    /// when the bounds then cross by more than rounding.
    fn fold_singleton_rows(&mut self) -> Option<()> {
        let mut rows = Vec::with_capacity(self.lp.rows.len());
        for row in std::mem::take(&mut self.lp.rows) {
            let [(var, coef)] = row.terms[..] else {
                rows.push(row);
                continue;
            };
            let column = &mut self.lp.columns[var.0];
            let at = row.rhs / coef;
            let (caps, floors) = match (row.sense, coef > 0.0) {
                (Sense::Le, true) | (Sense::Ge, false) => (true, false),
                (Sense::Ge, true) | (Sense::Le, false) => (false, true),
                (Sense::Eq, _) => (true, true),
            };
            if caps {
                column.upper = column.upper.min(at);
            }
            if floors {
                column.lower = column.lower.max(at);
            }
            if column.lower > column.upper {
                if column.lower - column.upper > EMPTY_ROW_TOLERANCE * (1.0 + at.abs()) {
                    return None;
                }
                column.upper = column.lower;
            }
        }
        self.lp.rows = rows;
        Some(())
    }

    fn build(lp: &LinearProgram, bounds: &[(f64, f64)], names: bool) -> Option<Reduced> {
        let name = |n: &String| if names { n.clone() } else { String::new() };
        let mut position = vec![None; lp.columns.len()];
        let mut kept = Vec::new();
        let mut fixed = vec![0.0; lp.columns.len()];
        let mut reduced = LinearProgram {
            objective_constant: lp.objective_constant,
            ..LinearProgram::default()
        };
        for (i, (column, &(lower, upper))) in lp.columns.iter().zip(bounds).enumerate() {
            if lower == upper {
                fixed[i] = lower;
                reduced.objective_constant += column.cost * lower;
            } else {
                position[i] = Some(Var(kept.len()));
                kept.push(Var(i));
                reduced.columns.push(Column {
                    name: name(&column.name),
                    lower,
                    upper,
                    ..*column
                });
            }
        }
        for row in &lp.rows {
            let mut rhs = row.rhs;
            // The size of what was moved to the right: a row of fixed
            // values read back from a plan's rows (12 significant digits)
            // holds to within their rounding, not to within its rhs's.
            let mut moved = 0.0;
            let mut terms = Vec::with_capacity(row.terms.len());
            for &(var, coef) in &row.terms {
                match position[var.0] {
                    Some(new) => terms.push((new, coef)),
                    None => {
                        rhs -= coef * fixed[var.0];
                        moved += (coef * fixed[var.0]).abs();
                    }
                }
            }
            if terms.is_empty() {
                let excess = match row.sense {
                    Sense::Le => -rhs,
                    Sense::Ge => rhs,
                    Sense::Eq => rhs.abs(),
                };
                if excess > EMPTY_ROW_TOLERANCE * (1.0 + row.rhs.abs() + moved) {
                    return None;
                }
                continue;
            }
            reduced.rows.push(Row {
                name: name(&row.name),
                terms,
                sense: row.sense,
                rhs,
            });
        }
        Some(Reduced {
            lp: reduced,
            kept,
            fixed,
        })
    }

    /// A full point from a point of the reduced programme.
    pub fn expand(&self, values: &[f64]) -> Vec<f64> {
        let mut full = self.fixed.clone();
        for (&var, &x) in self.kept.iter().zip(values) {
            full[var.0] = x;
        }
        full
    }

    /// A full point's values on the reduced programme's columns.
    pub fn restrict(&self, full: &[f64]) -> Vec<f64> {
        self.kept.iter().map(|v| full[v.0]).collect()
    }

    /// How many columns were substituted out.
    pub fn fixed_columns(&self) -> usize {
        self.fixed.len() - self.kept.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LinExpr;

    /// min x + 2y + 3z, x + y + z >= 4, y - z <= 1, z fixed at 1.
    fn programme() -> LinearProgram {
        let mut lp = LinearProgram::default();
        let x = lp.add_column("x".into(), 0.0, 10.0, false);
        let y = lp.add_column("y".into(), 0.0, 10.0, true);
        let z = lp.add_column("z".into(), 0.0, 10.0, true);
        for (v, c) in [(x, 1.0), (y, 2.0), (z, 3.0)] {
            lp.columns[v.0].cost = c;
        }
        let mut all = LinExpr::default();
        all.add(x, 1.0);
        all.add(y, 1.0);
        all.add(z, 1.0);
        lp.add_row("all".into(), all, Sense::Ge, 4.0);
        let mut diff = LinExpr::default();
        diff.add(y, 1.0);
        diff.add(z, -1.0);
        lp.add_row("diff".into(), diff, Sense::Le, 1.0);
        let mut only_z = LinExpr::default();
        only_z.add(z, 1.0);
        lp.add_row("z_at_most_2".into(), only_z, Sense::Le, 2.0);
        lp
    }

    #[test]
    fn fixed_columns_move_to_the_right_and_the_objective() {
        let lp = programme();
        let bounds = [(0.0, 10.0), (0.0, 10.0), (1.0, 1.0)];
        let reduced = Reduced::new(&lp, &bounds).expect("feasible");
        assert_eq!(reduced.fixed_columns(), 1);
        assert_eq!(reduced.lp.columns.len(), 2);
        // x + y >= 3, y <= 2; the row on z alone holds and is dropped.
        assert_eq!(reduced.lp.rows.len(), 2);
        assert_eq!(reduced.lp.rows[0].rhs, 3.0);
        assert_eq!(reduced.lp.rows[1].rhs, 2.0);
        assert_eq!(reduced.lp.objective_constant, 3.0);
        let full = reduced.expand(&[1.0, 2.0]);
        assert_eq!(full, vec![1.0, 2.0, 1.0]);
        assert_eq!(reduced.restrict(&full), vec![1.0, 2.0]);
        assert_eq!(
            lp.objective_value(&full),
            reduced.lp.objective_value(&[1.0, 2.0])
        );
        assert!(reduced.lp.columns[1].integer);
    }

    #[test]
    fn for_parts_folds_rows_of_one_column_into_its_bounds() {
        let lp = programme();
        // y and z fixed: x + 0 >= 4 - 2 - 3 = -1 folds into x's lower bound
        // (0 stays); with z fixed at 1 and y free, y - 1 <= 1 folds to y <= 2.
        let bounds = [(0.0, 10.0), (0.0, 10.0), (1.0, 1.0)];
        let reduced = Reduced::for_parts(&lp, &bounds).expect("feasible");
        assert_eq!(reduced.lp.rows.len(), 1, "x + y >= 3 stays");
        assert_eq!(reduced.lp.columns[1].upper, 2.0);
        assert!(reduced.lp.columns.iter().all(|c| c.name.is_empty()));
        // x + y >= 3 with y fixed at 0 and x at most 2: the bounds cross.
        let mut capped = lp.clone();
        capped.columns[0].upper = 2.0;
        let bounds = [(0.0, 2.0), (0.0, 0.0), (1.0, 1.0)];
        assert!(Reduced::for_parts(&capped, &bounds).is_none());
    }

    #[test]
    fn a_violated_row_without_columns_is_infeasible() {
        let lp = programme();
        let bounds = [(0.0, 10.0), (0.0, 10.0), (3.0, 3.0)];
        assert!(Reduced::new(&lp, &bounds).is_none());
    }
}
