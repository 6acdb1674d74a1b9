//! The model's heuristics for the integer search. Rounding: for each
//! site and GPU, walk the periods and buy just enough whole nodes to reach
//! the rounded installed count the LP wanted, so rounding never piles up
//! across periods (buying 0.3 nodes in each of ten quarters becomes 3 nodes,
//! not 10). Moves: one node fewer, one node a period earlier or later, or
//! one node of another GPU instead, each tried with the rest re-solved.

use crate::model::lp::Var;
use crate::model::PlanInput;
use crate::model::{LinearProgram, ModelIndex, PlanModel};
use crate::solve::search::Heuristics;

/// The model's heuristics for the integer search.
pub struct PlanHeuristics<'a> {
    pub lp: &'a LinearProgram,
    pub index: &'a ModelIndex,
    pub input: &'a PlanInput<'a>,
}

impl<'a> PlanHeuristics<'a> {
    pub fn of(model: &'a PlanModel, input: &'a PlanInput<'a>) -> PlanHeuristics<'a> {
        PlanHeuristics {
            lp: &model.lp,
            index: &model.index,
            input,
        }
    }
}

impl Heuristics for PlanHeuristics<'_> {
    fn round(&self, values: &[f64]) -> Vec<Vec<f64>> {
        candidates(self.lp, self.index, self.input, values)
    }

    /// One node fewer; one node bought a period later or earlier; one node of
    /// another GPU instead.
    fn moves(&self, values: &[f64]) -> Vec<Vec<(Var, f64)>> {
        let index = &self.index.buy_nodes;
        let scenario = self.input.scenario;
        // Cheapest checks first: dropping a node, then shifting it, then
        // swapping it for another GPU at the same site and period.
        let (mut fewer, mut shifted, mut swapped) = (Vec::new(), Vec::new(), Vec::new());
        for t in 0..self.input.periods {
            for s in 0..scenario.sites.len() {
                for g in 0..scenario.gpus.len() {
                    let Some(var) = index.get(t, s, g).filter(|v| values[v.0] >= 0.5) else {
                        continue;
                    };
                    fewer.push(vec![(var, -1.0)]);
                    let neighbours = [
                        t.checked_sub(1),
                        Some(t + 1).filter(|&n| n < self.input.periods),
                    ];
                    for other in neighbours
                        .into_iter()
                        .flatten()
                        .filter_map(|p| index.get(p, s, g))
                    {
                        shifted.push(vec![(var, -1.0), (other, 1.0)]);
                    }
                    for other in (0..scenario.gpus.len())
                        .filter(|&o| o != g)
                        .filter_map(|o| index.get(t, s, o))
                    {
                        swapped.push(vec![(var, -1.0), (other, 1.0)]);
                    }
                }
            }
        }
        fewer.extend(shifted);
        fewer.extend(swapped);
        fewer
    }
}

/// How to round the LP's installed node counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Up: capacity never below the LP's.
    Up,
    /// To the nearest whole node.
    Nearest,
    /// Down: power and licence caps never exceeded.
    Down,
}

/// Candidate integer purchase plans for an LP point, best guesses first.
pub fn candidates(
    lp: &LinearProgram,
    index: &ModelIndex,
    input: &PlanInput,
    values: &[f64],
) -> Vec<Vec<f64>> {
    [Rounding::Up, Rounding::Nearest, Rounding::Down]
        .into_iter()
        .map(|mode| round_purchases(lp, index, input, values, mode))
        .collect()
}

/// One rounded plan: `values` with every purchase column made whole.
pub fn round_purchases(
    lp: &LinearProgram,
    index: &ModelIndex,
    input: &PlanInput,
    values: &[f64],
    mode: Rounding,
) -> Vec<f64> {
    let mut rounded = values.to_vec();
    round_into(lp, index, input, values, &mut rounded, mode);
    rounded
}

/// Makes the purchase columns of one scenario's `index` whole in
/// `rounded`, from the LP point `values` (a hedged model rounds each
/// future's columns in turn; shared ones come out the same each time,
/// since alike futures are alike in every earlier period too).
pub fn round_into(
    lp: &LinearProgram,
    index: &ModelIndex,
    input: &PlanInput,
    values: &[f64],
    rounded: &mut [f64],
    mode: Rounding,
) {
    let scenario = input.scenario;
    for s in 0..scenario.sites.len() {
        for g in 0..scenario.gpus.len() {
            let life = input.gpu_life[g];
            for t in 0..input.periods {
                let Some(var) = index.buy_nodes.get(t, s, g) else {
                    continue;
                };
                // Installed nodes the LP wanted at t, and what the rounded
                // plan already has at t without buying at t.
                let mut wanted = 0.0;
                let mut have = 0.0;
                for tau in input.window(t, life) {
                    if let Some(v) = index.buy_nodes.get(tau, s, g) {
                        wanted += values[v.0];
                        if tau < t {
                            have += rounded[v.0];
                        }
                    }
                }
                let target = match mode {
                    Rounding::Up => (wanted - 1e-6).ceil(),
                    Rounding::Nearest => wanted.round(),
                    Rounding::Down => (wanted + 1e-6).floor(),
                };
                let upper = lp.columns[var.0].upper;
                rounded[var.0] = (target - have).max(0.0).min(upper).round();
            }
        }
    }
}
