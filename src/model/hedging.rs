//! The hedged model (SPEC.md section 7.2): one copy of the model per
//! future in one programme, weighted by the futures' probabilities, with
//! purchases that do not anticipate what is not yet revealed.
//!
//! Non-anticipativity is built into the columns rather than added as
//! equality rows: futures alike in a period share one purchase column per
//! site and GPU (and storage tier). The integer search then rounds, repairs
//! and moves one shared column as it would one future's, and the programme
//! is no larger than the futures' copies. A shared column's bound is the
//! tightest of its futures': a purchase one alike future may not make is
//! made by none (SPEC.md 7.5).

use super::builder::{scales_for, Grid, ModelBuilder, ModelIndex, SharedPurchases};
use super::compute::purchase_upper;
use super::costs::CostLedger;
use super::input::PlanInput;
use super::lp::{LinExpr, LinearProgram, Sense, Var};
use crate::scenario::Risk;
use crate::units::Scales;

/// One future of a hedged model: what to build it from.
pub struct FutureSpec<'a> {
    pub name: &'a str,
    pub probability: f64,
    pub input: &'a PlanInput<'a>,
}

/// One future's part of the programme.
#[derive(Debug, Clone)]
pub struct FutureModel {
    pub index: ModelIndex,
    pub ledger: CostLedger,
    /// The rows of the programme that are this future's.
    pub rows: std::ops::Range<usize>,
}

/// CVaR's columns: eta (the NPV at the alpha quantile) and each future's
/// NPV above it.
#[derive(Debug, Clone)]
pub struct CvarColumns {
    pub eta: Var,
    pub excess: Vec<Var>,
}

/// A built hedged model.
#[derive(Debug, Clone)]
pub struct HedgedModel {
    pub lp: LinearProgram,
    pub futures: Vec<FutureModel>,
    pub scales: Scales,
    pub cvar: Option<CvarColumns>,
    /// Purchase columns shared by more than one future.
    pub shared_columns: usize,
}

impl HedgedModel {
    /// For each column of the programme, the futures that make the
    /// purchases `grid` picks of their index (`|i| &i.buy_storage`) with
    /// it: more than one for a shared column, none for other columns.
    pub fn holders(&self, grid: impl Fn(&ModelIndex) -> &Grid) -> Vec<Vec<usize>> {
        let mut holders = vec![Vec::new(); self.lp.columns.len()];
        for (f, future) in self.futures.iter().enumerate() {
            for (_, var) in grid(&future.index).columns() {
                holders[var.0].push(f);
            }
        }
        holders
    }
}

/// Builds the hedged model. `groups[t][f]` is future f's decision group in
/// period t (the first future alike it, see
/// [`crate::scenario::events::decision_groups`]); `group_names[t][f]` names
/// the group for column names.
pub fn build(
    futures: &[FutureSpec],
    groups: &[Vec<usize>],
    group_names: &[Vec<String>],
    risk: Risk,
) -> HedgedModel {
    let first = futures[0].input;
    let (periods, sites, gpus, tiers) = (
        first.periods,
        first.scenario.sites.len(),
        first.scenario.gpus.len(),
        first.scenario.storage_tiers.len(),
    );
    // One set of scales for all futures: their costs meet in one objective.
    let scales =
        futures
            .iter()
            .map(|f| scales_for(f.input))
            .fold(Scales::choose(0.0, 0.0), |a, b| Scales {
                money: a.money.max(b.money),
                compute: a.compute.max(b.compute),
            });

    let mut lp = LinearProgram::default();
    let mut shared: Vec<SharedPurchases> = futures
        .iter()
        .map(|_| SharedPurchases {
            nodes: Grid::new(periods, sites, gpus),
            storage: Grid::new(periods, sites, tiers),
        })
        .collect();
    let mut shared_columns = 0;
    for t in 0..periods {
        let label = &first.labels[t];
        let split = groups[t].iter().any(|&g| g != 0);
        for (r, _) in futures
            .iter()
            .enumerate()
            .filter(|(f, _)| groups[t][*f] == *f)
        {
            let members: Vec<usize> = (0..futures.len()).filter(|&f| groups[t][f] == r).collect();
            let suffix = if split {
                format!(",{}", group_names[t][r])
            } else {
                String::new()
            };
            if members.len() > 1 {
                shared_columns += sites * (gpus + tiers);
            }
            for s in 0..sites {
                let site = &first.scenario.sites[s].name;
                for g in 0..gpus {
                    let upper = members
                        .iter()
                        .map(|&f| purchase_upper(futures[f].input, t, s, g))
                        .try_fold(f64::INFINITY, |a, b| b.map(|b| a.min(b)));
                    let Some(upper) = upper else {
                        continue;
                    };
                    let gpu = &first.scenario.gpus[g].name;
                    let var = lp.add_column(
                        format!("buy[{gpu},{site},{label}{suffix}]"),
                        0.0,
                        upper,
                        true,
                    );
                    for &f in &members {
                        shared[f].nodes.set(t, s, g, var);
                    }
                }
                for k in 0..tiers {
                    let tier = &first.scenario.storage_tiers[k].name;
                    let var = lp.add_column(
                        format!("buy_storage[{tier},{site},{label}{suffix}]"),
                        0.0,
                        f64::INFINITY,
                        false,
                    );
                    for &f in &members {
                        shared[f].storage.set(t, s, k, var);
                    }
                }
            }
        }
    }

    let mut models = Vec::new();
    for (f, spec) in futures.iter().enumerate() {
        let (columns, rows) = (lp.columns.len(), lp.rows.len());
        let mut m = ModelBuilder::with(spec.input, scales, lp, Some(shared[f].clone()));
        super::add_families(&mut m);
        lp = m.lp;
        for column in &mut lp.columns[columns..] {
            column.name = in_future(&column.name, spec.name);
        }
        for row in &mut lp.rows[rows..] {
            row.name = in_future(&row.name, spec.name);
        }
        models.push(FutureModel {
            index: m.index,
            ledger: m.ledger,
            rows: rows..lp.rows.len(),
        });
    }

    // (1 - w) E[NPV] + w CVaR, CVaR by Rockafellar and Uryasev:
    // eta + sum_f p_f max(0, NPV_f - eta) / (1 - alpha).
    let w = risk.cvar_weight;
    for column in &mut lp.columns {
        column.cost = 0.0;
    }
    lp.objective_constant = 0.0;
    for (spec, model) in futures.iter().zip(&models) {
        model.ledger.add_to_objective(
            &mut lp,
            &spec.input.discount,
            scales.money,
            (1.0 - w) * spec.probability,
        );
    }
    let cvar = (w > 0.0).then(|| {
        // NPVs are never negative (every cost is), so eta >= 0 loses nothing.
        let eta = lp.add_column("cvar_eta".into(), 0.0, f64::INFINITY, false);
        lp.columns[eta.0].cost = w;
        let mut excess = Vec::new();
        for (spec, model) in futures.iter().zip(&models) {
            let above = lp.add_column(
                format!("cvar_excess[{}]", spec.name),
                0.0,
                f64::INFINITY,
                false,
            );
            lp.columns[above.0].cost = w * spec.probability / (1.0 - risk.cvar_alpha);
            let npv = model.ledger.npv(&spec.input.discount, scales.money);
            let mut row = LinExpr::default();
            row.add(above, 1.0);
            row.add(eta, 1.0);
            row.add_scaled(&npv, -1.0);
            lp.add_row(format!("cvar_excess[{}]", spec.name), row, Sense::Ge, 0.0);
            excess.push(above);
        }
        CvarColumns { eta, excess }
    });
    HedgedModel {
        lp,
        futures: models,
        scales,
        cvar,
        shared_columns,
    }
}

/// A future's copy of a column or row name: the future as a last index,
/// `train[video,east,2025Q1]` -> `train[video,east,2025Q1,banned/fast]`.
fn in_future(name: &str, future: &str) -> String {
    match name.strip_suffix(']') {
        Some(open) => format!("{open},{future}]"),
        None => format!("{name}[{future}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_future_is_the_last_index_of_its_names() {
        assert_eq!(in_future("train[a,b]", "x/y"), "train[a,b,x/y]");
        assert_eq!(in_future("budget", "x"), "budget[x]");
    }
}
