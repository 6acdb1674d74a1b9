//! Cost accounting: every cost term of SPEC.md section 4, by period and
//! category, in currency. Each constraint family adds its terms here; the
//! objective (NPV) and the reported cost table are both read from this one
//! ledger, so the table always adds up to the objective.

use super::lp::{LinExpr, LinearProgram, Var};

/// The cost categories of the cost table, in table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CostCategory {
    GpuCapital,
    StorageCapital,
    Maintenance,
    Ingest,
    Link,
    Energy,
    Shortfall,
}

impl CostCategory {
    pub const ALL: [CostCategory; 7] = [
        CostCategory::GpuCapital,
        CostCategory::StorageCapital,
        CostCategory::Maintenance,
        CostCategory::Ingest,
        CostCategory::Link,
        CostCategory::Energy,
        CostCategory::Shortfall,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CostCategory::GpuCapital => "gpu_capital",
            CostCategory::StorageCapital => "storage_capital",
            CostCategory::Maintenance => "maintenance",
            CostCategory::Ingest => "ingest",
            CostCategory::Link => "link",
            CostCategory::Energy => "energy",
            CostCategory::Shortfall => "shortfall",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One cost term: `amount` currency per unit of `var` (or a fixed amount).
#[derive(Debug, Clone, Copy, PartialEq)]
struct CostTerm {
    period: usize,
    category: CostCategory,
    var: Option<Var>,
    amount: f64,
}

/// All cost terms of a plan.
#[derive(Debug, Clone, Default)]
pub struct CostLedger {
    terms: Vec<CostTerm>,
}

impl CostLedger {
    /// `amount` currency per unit of `var` in `period`.
    pub fn add(&mut self, period: usize, category: CostCategory, var: Var, amount: f64) {
        if amount != 0.0 {
            self.terms.push(CostTerm {
                period,
                category,
                var: Some(var),
                amount,
            });
        }
    }

    /// A fixed amount in `period` (e.g. energy of existing nodes).
    pub fn add_fixed(&mut self, period: usize, category: CostCategory, amount: f64) {
        if amount != 0.0 {
            self.terms.push(CostTerm {
                period,
                category,
                var: None,
                amount,
            });
        }
    }

    /// Writes the discounted costs into the programme's objective, in model
    /// money units (`money_scale` currency each).
    pub fn write_objective(&self, lp: &mut LinearProgram, discount: &[f64], money_scale: f64) {
        for column in &mut lp.columns {
            column.cost = 0.0;
        }
        lp.objective_constant = 0.0;
        self.add_to_objective(lp, discount, money_scale, 1.0);
    }

    /// Adds `weight` times the discounted costs to the objective (a hedged
    /// model weighs each future by its probability).
    pub fn add_to_objective(
        &self,
        lp: &mut LinearProgram,
        discount: &[f64],
        money_scale: f64,
        weight: f64,
    ) {
        for term in &self.terms {
            let amount = weight * discount[term.period] * term.amount / money_scale;
            match term.var {
                Some(var) => lp.columns[var.0].cost += amount,
                None => lp.objective_constant += amount,
            }
        }
    }

    /// The NPV as an expression, in model money units.
    pub fn npv(&self, discount: &[f64], money_scale: f64) -> LinExpr {
        let mut npv = LinExpr::default();
        for term in &self.terms {
            let amount = discount[term.period] * term.amount / money_scale;
            match term.var {
                Some(var) => npv.add(var, amount),
                None => npv.constant += amount,
            }
        }
        npv
    }

    /// Nominal cost per period and category (currency) at a solution:
    /// `[period][category]` in the order of [`CostCategory::ALL`].
    pub fn evaluate(&self, periods: usize, values: &[f64]) -> Vec<[f64; 7]> {
        let mut table = vec![[0.0; 7]; periods];
        for term in &self.terms {
            let quantity = term.var.map_or(1.0, |v| values[v.0]);
            table[term.period][term.category.index()] += term.amount * quantity;
        }
        table
    }
}
