//! A solver-neutral linear programme: named columns with bounds and
//! integrality, named rows, and a linear objective. Backends translate it;
//! the integer search changes bounds and re-solves it.

/// A column (decision variable) of the programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Var(pub usize);

/// A linear expression: sum of coefficient * variable, plus a constant.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinExpr {
    pub terms: Vec<(Var, f64)>,
    pub constant: f64,
}

impl LinExpr {
    pub fn constant(value: f64) -> LinExpr {
        LinExpr {
            terms: Vec::new(),
            constant: value,
        }
    }

    pub fn add(&mut self, var: Var, coef: f64) {
        if coef != 0.0 {
            self.terms.push((var, coef));
        }
    }

    pub fn add_opt(&mut self, var: Option<Var>, coef: f64) {
        if let Some(var) = var {
            self.add(var, coef);
        }
    }

    /// Adds `coef * other`.
    pub fn add_scaled(&mut self, other: &LinExpr, coef: f64) {
        for &(var, c) in &other.terms {
            self.add(var, c * coef);
        }
        self.constant += other.constant * coef;
    }

    /// `factor * self`.
    pub fn scaled(&self, factor: f64) -> LinExpr {
        let mut out = LinExpr::default();
        out.add_scaled(self, factor);
        out
    }

    /// Whether the expression has no variable.
    pub fn is_constant(&self) -> bool {
        self.terms.is_empty()
    }

    /// The value at a point.
    pub fn value(&self, values: &[f64]) -> f64 {
        self.constant
            + self
                .terms
                .iter()
                .map(|&(v, c)| c * values[v.0])
                .sum::<f64>()
    }
}

/// A model name split into its family and indices:
/// `power_cap[lingang,2026Q1]` -> (`power_cap`, [`lingang`, `2026Q1`]).
pub fn split_name(name: &str) -> (&str, Vec<&str>) {
    match name.split_once('[') {
        Some((head, rest)) => (head, rest.trim_end_matches(']').split(',').collect()),
        None => (name, Vec::new()),
    }
}

/// A column's specification.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub lower: f64,
    /// `f64::INFINITY` when unbounded.
    pub upper: f64,
    pub integer: bool,
    /// Objective coefficient.
    pub cost: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sense {
    Le,
    Ge,
    Eq,
}

/// A row: `terms sense rhs` (constants of the expression moved to the rhs).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    pub terms: Vec<(Var, f64)>,
    pub sense: Sense,
    pub rhs: f64,
}

/// The programme: minimise `sum cost * column + objective_constant`.
#[derive(Debug, Clone, Default)]
pub struct LinearProgram {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
    pub objective_constant: f64,
}

/// The magnitudes a solver honours: a nonzero coefficient, cost, bound or
/// right-hand side outside `1e-12..1e12` (or not finite) is lost to the
/// solver's tolerances or swamps the others.
pub const LARGEST_NUMBER: f64 = 1.0e12;
pub const SMALLEST_COEFFICIENT: f64 = 1.0e-12;

impl LinearProgram {
    /// The first number of the programme a solver cannot honour, named by
    /// its row or column: the last line of defence behind the scenario's
    /// own magnitude checks, so a model is never solved with one.
    pub fn numeric_problem(&self) -> Option<String> {
        let out_of_range = |x: f64| !x.is_finite() || x.abs() > LARGEST_NUMBER;
        for c in &self.columns {
            if out_of_range(c.cost) {
                return Some(format!(
                    "column {} has objective coefficient {:e}",
                    c.name, c.cost
                ));
            }
            if out_of_range(c.lower)
                || c.upper.is_nan()
                || (c.upper.is_finite() && out_of_range(c.upper))
            {
                return Some(format!(
                    "column {} has bounds [{:e}, {:e}]",
                    c.name, c.lower, c.upper
                ));
            }
        }
        for row in &self.rows {
            if out_of_range(row.rhs) {
                return Some(format!(
                    "row {} has right-hand side {:e}",
                    row.name, row.rhs
                ));
            }
            for &(var, coef) in &row.terms {
                if out_of_range(coef) || coef.abs() < SMALLEST_COEFFICIENT {
                    return Some(format!(
                        "row {} has coefficient {:e} on {}",
                        row.name, coef, self.columns[var.0].name
                    ));
                }
            }
        }
        if out_of_range(self.objective_constant) {
            return Some(format!(
                "the objective's constant is {:e}",
                self.objective_constant
            ));
        }
        None
    }

    pub fn add_column(&mut self, name: String, lower: f64, upper: f64, integer: bool) -> Var {
        self.columns.push(Column {
            name,
            lower,
            upper,
            integer,
            cost: 0.0,
        });
        Var(self.columns.len() - 1)
    }

    /// Adds `expr sense rhs`; the expression's constant moves to the right.
    /// Terms on the same column are merged.
    pub fn add_row(&mut self, name: String, expr: LinExpr, sense: Sense, rhs: f64) {
        let mut terms = expr.terms;
        terms.sort_by_key(|&(v, _)| v);
        let mut merged: Vec<(Var, f64)> = Vec::with_capacity(terms.len());
        for (var, coef) in terms {
            match merged.last_mut() {
                Some((last, c)) if *last == var => *c += coef,
                _ => merged.push((var, coef)),
            }
        }
        merged.retain(|&(_, c)| c != 0.0);
        self.rows.push(Row {
            name,
            terms: merged,
            sense,
            rhs: rhs - expr.constant,
        });
    }

    pub fn integer_columns(&self) -> impl Iterator<Item = Var> + '_ {
        self.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.integer)
            .map(|(i, _)| Var(i))
    }

    /// Objective value at a point.
    pub fn objective_value(&self, values: &[f64]) -> f64 {
        self.objective_constant
            + self
                .columns
                .iter()
                .zip(values)
                .map(|(c, v)| c.cost * v)
                .sum::<f64>()
    }

    /// The programme's own column bounds.
    pub fn bounds(&self) -> Vec<(f64, f64)> {
        self.columns.iter().map(|c| (c.lower, c.upper)).collect()
    }

    /// The largest violation of a row or of `bounds` at a point, each
    /// measured relative to the size of the row (1 + largest |coef * value|
    /// and |rhs|).
    pub fn max_violation(&self, values: &[f64], bounds: &[(f64, f64)]) -> f64 {
        let mut worst: f64 = 0.0;
        for (&(lower, upper), &v) in bounds.iter().zip(values) {
            let scale = 1.0 + v.abs();
            worst = worst.max((lower - v) / scale).max((v - upper) / scale);
        }
        for row in &self.rows {
            let mut lhs = 0.0;
            let mut scale = 1.0 + row.rhs.abs();
            for &(var, coef) in &row.terms {
                let term = coef * values[var.0];
                lhs += term;
                scale = scale.max(term.abs());
            }
            let excess = match row.sense {
                Sense::Le => lhs - row.rhs,
                Sense::Ge => row.rhs - lhs,
                Sense::Eq => (lhs - row.rhs).abs(),
            };
            worst = worst.max(excess / scale);
        }
        worst
    }

    /// Rows, columns, nonzeros and integer columns.
    pub fn size(&self) -> ModelSize {
        ModelSize {
            rows: self.rows.len(),
            columns: self.columns.len(),
            nonzeros: self.rows.iter().map(|r| r.terms.len()).sum(),
            integers: self.columns.iter().filter(|c| c.integer).count(),
        }
    }
}

/// How big a programme is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModelSize {
    pub rows: usize,
    pub columns: usize,
    pub nonzeros: usize,
    pub integers: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_merge_terms_and_move_constants() {
        let mut lp = LinearProgram::default();
        let x = lp.add_column("x".into(), 0.0, f64::INFINITY, false);
        let mut e = LinExpr::constant(2.0);
        e.add(x, 1.0);
        e.add(x, 2.0);
        lp.add_row("r".into(), e, Sense::Le, 5.0);
        assert_eq!(lp.rows[0].terms, vec![(x, 3.0)]);
        assert_eq!(lp.rows[0].rhs, 3.0);
        let bounds = lp.bounds();
        assert!(lp.max_violation(&[1.0], &bounds) <= 0.0);
        assert!(lp.max_violation(&[2.0], &bounds) > 0.0);
    }
}
