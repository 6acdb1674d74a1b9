//! The integer search: node counts are integers, and no embedded solver can
//! be trusted to find a good integer plan for this model's size by itself
//! (see `docs/solvers.md`). So the search is ours, on top of any LP
//! backend:
//!
//! 1. solve the LP relaxation: a proven lower bound;
//! 2. build integer plans from it with the model's own rounding (installed
//!    nodes rounded over time, so rounding never multiplies across periods),
//!    each completed by re-solving the continuous rest with purchases fixed;
//! 3. if none is feasible, dive: fix the nearly integral counts, re-solve,
//!    repeat;
//! 4. on small models, the backend's own branch and bound, warm-started
//!    from the best plan, within a node budget; then local search (one node
//!    fewer, a purchase moved, another GPU) from its plan; and, when that
//!    improved the plan, a second backend turn from there;
//! 5. best-first branch and bound improves the plan and the bound until the
//!    gap target, a node limit or the time limit.
//!
//! The search never reads a clock itself: elapsed time comes from a
//! [`Clock`] the caller passes in. Node budgets, not the clock, stop it in
//! normal runs, so the same input gives the same plan on a busy machine or
//! an idle one, alone or in a parallel sweep; only a plan stopped by the
//! time limit can differ between runs.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::backend::{checked, LpBackend, LpOutcome, MipBudget, MipOutcome};
use super::parts::{self, PartCache};
use super::reduce::Reduced;
use super::repair::repair_bounds;
use crate::model::{LinearProgram, Var};

/// The incumbent's point with a move applied.
fn moved(incumbent: &Option<(f64, Vec<f64>)>, change: &[(Var, f64)]) -> Vec<f64> {
    let mut candidate = incumbent.as_ref().expect("incumbent exists").1.clone();
    for &(var, delta) in change {
        candidate[var.0] += delta;
    }
    candidate
}

/// Tolerance within which a value counts as integral.
pub const INTEGRALITY: f64 = 1e-6;

/// Integer columns up to which the backend's own search of the whole model
/// comes before the LP's neighbourhood (the default scenario has 166, the
/// generated medium one 736: there HiGHS's whole-model search spent its 10 s
/// without improving on rounding, and the neighbourhood reaches 0.087% in
/// 1.5 s).
pub const WHOLE_MODEL_MAX_INTEGERS: usize = 500;

/// Elapsed time since the solve started, supplied by the caller.
pub trait Clock {
    fn elapsed_seconds(&self) -> f64;

    /// Whether the user asked the search to stop (a first Ctrl-C): the
    /// search then ends as at its time limit, keeping its best plan.
    fn interrupted(&self) -> bool {
        false
    }

    /// Each step of the search as it is logged (a stage ended, or a better
    /// plan was found): a caller may show it, as the binary's progress line
    /// does. Its objective and bound are in model units unless the clock
    /// was wrapped [`InCurrency`]. Nothing by default.
    fn searched(&self, _step: &SearchStep) {}
}

/// A clock whose search steps are passed on in currency: the search works
/// in model units, `money` currency units each (the model's money scale).
pub struct InCurrency<'a> {
    pub clock: &'a dyn Clock,
    pub money: f64,
}

impl Clock for InCurrency<'_> {
    fn elapsed_seconds(&self) -> f64 {
        self.clock.elapsed_seconds()
    }

    fn interrupted(&self) -> bool {
        self.clock.interrupted()
    }

    fn searched(&self, step: &SearchStep) {
        self.clock.searched(&SearchStep {
            objective: step.objective * self.money,
            bound: step.bound * self.money,
            ..step.clone()
        });
    }
}

/// A clock whose search steps are not passed on: a search whose objective
/// is not an NPV (an alternatives metric) shows none.
pub struct Unobserved<'a>(pub &'a dyn Clock);

impl Clock for Unobserved<'_> {
    fn elapsed_seconds(&self) -> f64 {
        self.0.elapsed_seconds()
    }

    fn interrupted(&self) -> bool {
        self.0.interrupted()
    }
}

/// A clock that never advances: only node limits stop the search.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoClock;

impl Clock for NoClock {
    fn elapsed_seconds(&self) -> f64 {
        0.0
    }
}

/// When to stop searching.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Relative gap (objective - bound) / objective at which a plan is optimal.
    pub mip_gap: f64,
    /// Seconds of search.
    pub time_limit: f64,
    /// Branch-and-bound nodes.
    pub max_nodes: usize,
    /// Branch-and-bound nodes the backend's own integer search may take on
    /// a model of 1,000 rows (scaled inversely with the rows, since a node's
    /// cost grows with them): the limit that normally stops it, the same on
    /// every machine, so the same input gives the same plan.
    pub backend_nodes: u64,
    /// Seconds the backend's own integer search may take (within
    /// `time_limit`): a safety net behind `backend_nodes`, so that it stays
    /// bounded even when the overall time limit is not.
    pub backend_seconds: f64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            mip_gap: 1e-3,
            time_limit: 60.0,
            max_nodes: 2000,
            backend_nodes: 1000,
            backend_seconds: 10.0,
        }
    }
}

/// How the search ended.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchStatus {
    /// Within the gap target (or the relaxation, when relaxed).
    Optimal,
    /// A limit stopped the search with a plan above the gap target.
    Feasible,
    Infeasible,
    Unbounded,
    /// A limit stopped the search before any integer plan was found, or a
    /// backend failed.
    Error(String),
}

/// Which limit stopped a search before it proved its plan within the gap
/// target (`stopped_by` in the JSON): a search stopped by time or an
/// interrupt may differ between runs; one stopped by nodes, or by nothing,
/// never does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    TimeLimit,
    NodeLimit,
    Interrupt,
}

impl StopReason {
    /// As the JSON spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::TimeLimit => "time_limit",
            StopReason::NodeLimit => "node_limit",
            StopReason::Interrupt => "interrupt",
        }
    }

    /// The reason the JSON names `name`.
    pub fn named(name: &str) -> Option<StopReason> {
        [
            StopReason::TimeLimit,
            StopReason::NodeLimit,
            StopReason::Interrupt,
        ]
        .into_iter()
        .find(|reason| reason.as_str() == name)
    }

    /// In words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            StopReason::TimeLimit => "the time limit (--time-limit)",
            StopReason::NodeLimit => "the node limit (--max-nodes)",
            StopReason::Interrupt => "an interrupt (Ctrl-C)",
        }
    }
}

/// The search's result, in model units.
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    pub status: SearchStatus,
    /// What stopped the search early, if anything did.
    pub stopped_by: Option<StopReason>,
    pub values: Option<Vec<f64>>,
    pub objective: f64,
    pub bound: f64,
    pub lp_solves: usize,
    pub nodes: usize,
    /// What each stage found, in order (for `plan --verbose`).
    pub log: Vec<SearchStep>,
}

/// One line of the search's log: a stage ended or found a better plan.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchStep {
    /// The stage, in words ("root LP", "rounding", "local search", ...).
    pub stage: &'static str,
    /// Seconds since the search started, by the caller's clock.
    pub seconds: f64,
    /// The best plan's objective after the step (model units; infinite
    /// while there is none).
    pub objective: f64,
    /// The proven lower bound after the step (model units).
    pub bound: f64,
    /// LP solves so far.
    pub lp_solves: usize,
}

/// Model knowledge the search uses: how to round an LP point, and which
/// small changes to an integer plan are worth trying.
pub trait Heuristics {
    /// Candidate integer plans from an LP point: each is a full column
    /// vector whose integer entries are used, best guesses first.
    fn round(&self, values: &[f64]) -> Vec<Vec<f64>>;

    /// Moves from an integer plan: each a list of (column, change) applied
    /// together (e.g. one node fewer, or one node bought a period later).
    fn moves(&self, values: &[f64]) -> Vec<Vec<(Var, f64)>>;

    /// Continuous columns that groups of rows share and nothing else
    /// joins (a hedged model's storage purchases, shared by the futures
    /// alike when they are made): given them, the local search first
    /// values each move on a relaxation in which every group has its own
    /// copy of them, solved group by group (see [`super::parts`]), and
    /// solves the whole programme only for a move whose relaxation may
    /// improve the plan. None by default.
    fn sharing(&self) -> Option<Sharing> {
        None
    }
}

/// Columns groups of rows share (see [`Heuristics::sharing`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Sharing {
    /// Each row's group, or `None` for a row of no group (which may not
    /// hold a shared column).
    pub row_group: Vec<Option<usize>>,
    /// The shared columns, each with its groups' shares of its cost; the
    /// shares sum to the cost.
    pub columns: Vec<(Var, Vec<(usize, f64)>)>,
}

struct Search<'a> {
    lp: &'a LinearProgram,
    backend: &'a dyn LpBackend,
    clock: &'a dyn Clock,
    limits: Limits,
    integers: Vec<Var>,
    lp_solves: usize,
    incumbent: Option<(f64, Vec<f64>)>,
    log: Vec<SearchStep>,
}

impl Search<'_> {
    /// Logs the end of a stage with the best plan and bound so far.
    fn log(&mut self, stage: &'static str, bound: f64) {
        let step = SearchStep {
            stage,
            seconds: self.clock.elapsed_seconds(),
            objective: self.incumbent_objective(),
            bound,
            lp_solves: self.lp_solves,
        };
        self.clock.searched(&step);
        self.log.push(step);
    }

    fn remaining(&self) -> f64 {
        self.limits.time_limit - self.clock.elapsed_seconds()
    }

    fn out_of_time(&self) -> bool {
        self.remaining() <= 0.0 || self.clock.interrupted()
    }

    /// Why the search is stopping early, if by the clock or the user.
    fn stop_reason(&self) -> Option<StopReason> {
        if self.clock.interrupted() {
            Some(StopReason::Interrupt)
        } else if self.remaining() <= 0.0 {
            Some(StopReason::TimeLimit)
        } else {
            None
        }
    }

    /// Solves the LP with these bounds, fixed columns substituted out first.
    fn solve(&mut self, bounds: &[(f64, f64)]) -> LpOutcome {
        if self.clock.interrupted() {
            // Every stage then winds down at once, keeping the best plan.
            return LpOutcome::Failed("interrupted".into());
        }
        if self.remaining() <= 0.0 {
            // No solve starts after the time limit: a backend overruns the
            // time it is given by up to one LP's iterations, never more.
            return LpOutcome::Failed("the time limit was reached".into());
        }
        self.lp_solves += 1;
        let Some(reduced) = Reduced::new(self.lp, bounds) else {
            return LpOutcome::Infeasible;
        };
        if reduced.lp.columns.is_empty() {
            return checked(self.lp, bounds, reduced.expand(&[]));
        }
        let seconds = Some(self.remaining().max(0.05));
        match self
            .backend
            .solve(&reduced.lp, &reduced.lp.bounds(), seconds)
        {
            LpOutcome::Optimal { values, .. } => checked(self.lp, bounds, reduced.expand(&values)),
            other => other,
        }
    }

    /// The programme solved whole, its fixed columns left in as bounds:
    /// microlp was seen to call a reduced programme infeasible that a
    /// point of the whole one satisfies to 1e-12 (a bet's purchases fixed
    /// on the shipped hedged scenario), so an infeasible root is asked
    /// twice before the scenario is called infeasible.
    fn second_opinion(&mut self, bounds: &[(f64, f64)]) -> LpOutcome {
        if self.out_of_time() {
            return LpOutcome::Infeasible;
        }
        self.lp_solves += 1;
        let seconds = Some(self.remaining().max(0.05));
        match self.backend.solve(self.lp, bounds, seconds) {
            LpOutcome::Optimal { values, .. } => checked(self.lp, bounds, values),
            other => other,
        }
    }

    fn fractional(&self, values: &[f64]) -> Vec<(Var, f64)> {
        self.integers
            .iter()
            .map(|&v| (v, values[v.0]))
            .filter(|&(_, x)| (x - x.round()).abs() > INTEGRALITY)
            .collect()
    }

    /// Fixes every integer column at the rounded value of `candidate`, solves
    /// the rest and keeps the plan if it is the best so far.
    fn try_fixed(&mut self, bounds: &[(f64, f64)], candidate: &[f64]) -> bool {
        let mut fixed = bounds.to_vec();
        for &v in &self.integers {
            let x = candidate[v.0].round();
            if x < bounds[v.0].0 - INTEGRALITY || x > bounds[v.0].1 + INTEGRALITY {
                return false;
            }
            fixed[v.0] = (x, x);
        }
        match self.solve(&fixed) {
            LpOutcome::Optimal { values, objective } => {
                self.offer(objective, values);
                true
            }
            _ => false,
        }
    }

    fn offer(&mut self, objective: f64, mut values: Vec<f64>) {
        for &v in &self.integers {
            values[v.0] = values[v.0].round();
        }
        if self
            .incumbent
            .as_ref()
            .is_none_or(|(best, _)| objective < *best)
        {
            self.incumbent = Some((objective, values));
        }
    }

    fn incumbent_objective(&self) -> f64 {
        self.incumbent.as_ref().map_or(f64::INFINITY, |(o, _)| *o)
    }

    /// Whether a subproblem with this bound cannot improve the plan by more
    /// than the gap target.
    fn prunable(&self, bound: f64) -> bool {
        let best = self.incumbent_objective();
        best.is_finite() && relative_gap(best, bound) <= self.limits.mip_gap
    }

    /// Improves the incumbent by trying each move in turn (with the
    /// continuous rest re-solved) and keeping every one that lowers the cost,
    /// until no move helps, the gap target is met, or time runs out.
    ///
    /// Each move is re-solved cold. A warm re-solve through microlp 0.6's
    /// `Solution::fix_var` was tried and measured on the default scenario:
    /// it reported "infeasible" for 69 of 240 moves that a cold solve finds
    /// feasible, losing the improvements, so it is not used.
    fn local_search(
        &mut self,
        bounds: &[(f64, f64)],
        heuristics: &dyn Heuristics,
        root_bound: f64,
    ) {
        let sharing = heuristics.sharing();
        let relaxation = sharing
            .as_ref()
            .and_then(|sharing| parts::Relaxation::new(self.lp, bounds, sharing));
        // With shared columns, passes first hold them at the plan's values
        // (quick: every move is solved in parts, and a move that helps is
        // kept at once), and when such a pass finds nothing, the next
        // values each move on the relaxation, solving the whole programme
        // for the moves it cannot rule out.
        let mut holding = relaxation.is_some();
        let held: Vec<Var> = sharing
            .iter()
            .flat_map(|s| s.columns.iter().map(|(v, _)| *v))
            .collect();
        // Parts solved so far, across passes.
        let (mut held_parts, mut relaxed_parts) = (PartCache::default(), PartCache::default());
        loop {
            let Some((start, plan)) = self.incumbent.clone() else {
                return;
            };
            let moves = heuristics.moves(&plan);
            match &relaxation {
                None => {
                    for change in moves {
                        if self.out_of_time() || self.prunable(root_bound) {
                            return;
                        }
                        let candidate = moved(&self.incumbent, &change);
                        self.try_fixed(bounds, &candidate);
                    }
                }
                Some(_) if holding => {
                    let mut pass = bounds.to_vec();
                    for &v in &held {
                        pass[v.0] = (plan[v.0], plan[v.0]);
                    }
                    self.moves_in_parts(&pass, &moves, &mut held_parts, root_bound);
                    if !self.out_of_time() && !self.prunable(root_bound) {
                        // The held columns re-optimised for the plan the
                        // moves left, on the whole programme.
                        let moved = self.incumbent.clone().expect("incumbent exists").1;
                        self.try_fixed(bounds, &moved);
                    }
                }
                Some(relaxation) => self.moves_on_relaxation(
                    bounds,
                    relaxation,
                    &moves,
                    &mut relaxed_parts,
                    root_bound,
                ),
            }
            if self.out_of_time() || self.prunable(root_bound) {
                return;
            }
            if self.incumbent_objective() < start {
                holding = relaxation.is_some();
            } else if holding {
                holding = false;
            } else {
                return;
            }
        }
    }

    /// Tries `moves` in turn from the incumbent with `pass`'s bounds (the
    /// shared columns held), each solved in parts; a move that lowers the
    /// cost is kept at once.
    fn moves_in_parts(
        &mut self,
        pass: &[(f64, f64)],
        moves: &[Vec<(Var, f64)>],
        cache: &mut PartCache,
        root_bound: f64,
    ) {
        let (lp, integers, backend) = (self.lp, self.integers.clone(), self.backend);
        let solve = |candidate: &[f64], known: &PartCache, seconds| {
            parts::evaluate(lp, &integers, pass, candidate, known, backend, seconds)
        };
        self.in_batches(moves, cache, root_bound, &solve, |search, plan, _| {
            let (objective, values) = plan;
            let improves = objective < search.incumbent_objective();
            if improves {
                search.offer(objective, values);
            }
            improves
        });
    }

    /// Tries `moves` in turn from the incumbent, keeping each that lowers
    /// the cost. Each move is first valued on `relaxation`, part by part: a
    /// move whose relaxed cost is not below the plan's cannot lower it and
    /// is passed over; the others are solved on the whole programme, as
    /// every move is without a relaxation.
    fn moves_on_relaxation(
        &mut self,
        bounds: &[(f64, f64)],
        relaxation: &parts::Relaxation,
        moves: &[Vec<(Var, f64)>],
        cache: &mut PartCache,
        root_bound: f64,
    ) {
        let (integers, backend) = (self.integers.clone(), self.backend);
        let value = |candidate: &[f64], known: &PartCache, seconds| {
            relaxation.value(&integers, candidate, known, backend, seconds)
        };
        self.in_batches(moves, cache, root_bound, &value, |search, bound, change| {
            let best = search.incumbent_objective();
            if bound >= best - 1e-9 * best.abs().max(1.0) || search.out_of_time() {
                return false;
            }
            let candidate = moved(&search.incumbent, change);
            search.try_fixed(bounds, &candidate);
            search.incumbent_objective() < best
        });
    }

    /// Runs `moves` from the incumbent a batch at a time, one move per
    /// thread of rayon's pool: `solve` gives each move's outcome, in
    /// parallel and from the same incumbent; the outcomes are read in
    /// order, and `keep` says whether the move lowered the cost (having
    /// kept it). The moves after one that did are solved again from the new
    /// plan. So the plans kept, and the LP solves counted, are those of
    /// trying the moves one by one, whatever the number of threads.
    fn in_batches<T: Send>(
        &mut self,
        moves: &[Vec<(Var, f64)>],
        cache: &mut PartCache,
        root_bound: f64,
        solve: &parts::SolveCandidate<'_, T>,
        mut keep: impl FnMut(&mut Self, T, &[(Var, f64)]) -> bool,
    ) {
        use rayon::prelude::*;
        let width = rayon::current_num_threads().max(1);
        let mut next = 0;
        while next < moves.len() {
            if self.out_of_time() || self.prunable(root_bound) {
                return;
            }
            let batch = &moves[next..(next + width).min(moves.len())];
            let seconds = Some(self.remaining().max(0.05));
            let (incumbent, known) = (&self.incumbent, &*cache);
            let tried: Vec<parts::Tried<T>> = batch
                .par_iter()
                .map(|change| solve(&moved(incumbent, change), known, seconds))
                .collect();
            let mut read = batch.len();
            for (i, (result, change)) in tried.into_iter().zip(batch).enumerate() {
                for (key, values) in result.solved {
                    cache.insert(key, values);
                }
                if i >= read {
                    continue;
                }
                self.lp_solves += usize::from(result.solved_lp);
                if let Some(outcome) = result.outcome {
                    if keep(self, outcome, change) {
                        read = i + 1;
                    }
                }
            }
            next += read;
        }
    }

    /// Searches the neighbourhood of an LP point with the backend's own
    /// integer search: every node count between the floor and the ceiling
    /// of its LP value, the integral ones fixed and substituted out, so only
    /// the fractional counts are left to decide (197 of 11,420 on the
    /// generated 20-site scenario). The plans found there are usually
    /// within a fraction of a percent of the bound: the LP already decided
    /// where and what to buy, only not in whole nodes.
    ///
    /// The neighbourhood is widened to hold the best plan so far, which
    /// then starts the search: it can only improve on it.
    fn neighbourhood(&mut self, bounds: &[(f64, f64)], point: &[f64]) {
        if self.out_of_time() {
            return;
        }
        let mut restricted = bounds.to_vec();
        let incumbent = self.incumbent.as_ref().map(|(_, plan)| plan);
        for &v in &self.integers {
            let (lower, upper) = bounds[v.0];
            let x = point[v.0];
            let mut floor = (x + INTEGRALITY).floor().clamp(lower, upper);
            let mut ceil = (x - INTEGRALITY).ceil().clamp(lower, upper);
            if let Some(plan) = incumbent {
                floor = floor.min(plan[v.0]);
                ceil = ceil.max(plan[v.0]);
            }
            restricted[v.0] = (floor, ceil.max(floor));
        }
        let start = incumbent.map_or_else(|| point.to_vec(), Clone::clone);
        // Three times the whole-model search's time: on large models this is
        // the search that finds the plan (HiGHS needs 15 s on the generated
        // 20-site scenario to prove its neighbourhood's optimum within 0.1%).
        let seconds = self.remaining().min(3.0 * self.limits.backend_seconds);
        self.restricted_search(bounds, &restricted, &start, seconds);
    }

    /// Repairs a rounded plan the LP rejected (see [`super::repair`]): the
    /// integer columns of the caps it breaks are freed, the others stay
    /// fixed, and the backend's integer search decides the freed ones.
    fn repair(&mut self, bounds: &[(f64, f64)], candidate: &[f64]) {
        if let Some(restricted) = repair_bounds(self.lp, bounds, candidate) {
            let seconds = self.remaining().min(self.limits.backend_seconds);
            self.restricted_search(bounds, &restricted, candidate, seconds);
        }
    }

    /// The backend's own integer search on the programme with `restricted`
    /// bounds (fixed columns substituted out), from `start`; a plan it finds
    /// is checked against `bounds` and offered.
    fn restricted_search(
        &mut self,
        bounds: &[(f64, f64)],
        restricted: &[(f64, f64)],
        start: &[f64],
        seconds: f64,
    ) {
        let Some(reduced) = Reduced::new(self.lp, restricted) else {
            return;
        };
        if reduced.lp.integer_columns().next().is_none() {
            return;
        }
        let budget = MipBudget {
            nodes: self.backend_nodes(&reduced.lp),
            seconds,
            mip_gap: 0.99 * self.limits.mip_gap,
        };
        if let MipOutcome::Plan { values, .. } =
            self.backend
                .solve_integer(&reduced.lp, &reduced.restrict(start), budget)
        {
            if let LpOutcome::Optimal { values, objective } =
                checked(self.lp, bounds, reduced.expand(&values))
            {
                if self.fractional(&values).is_empty() {
                    self.offer(objective, values);
                }
            }
        }
    }

    /// The backend's node budget on a programme: the cost of a node grows
    /// with the rows, so the same budget of work buys more nodes on a small
    /// programme.
    fn backend_nodes(&self, lp: &LinearProgram) -> u64 {
        let rows = lp.rows.len().max(1) as u64;
        (self.limits.backend_nodes * 1000 / rows).max(1)
    }

    /// Dives from an LP point: rounds the nearly integral counts in batches,
    /// re-solving after each, until the point is integral or infeasible.
    fn dive(&mut self, bounds: &[(f64, f64)], mut values: Vec<f64>) {
        let mut bounds = bounds.to_vec();
        for _ in 0..self.integers.len().max(1) {
            if self.out_of_time() {
                return;
            }
            let fractional = self.fractional(&values);
            if fractional.is_empty() {
                let objective = self.lp.objective_value(&values);
                self.offer(objective, values);
                return;
            }
            // Fix every integer column that is already integral, and the
            // fractional ones within 0.2 of an integer (at least the closest).
            for &v in &self.integers {
                let x = values[v.0];
                if (x - x.round()).abs() <= INTEGRALITY {
                    bounds[v.0] = (x.round(), x.round());
                }
            }
            let mut by_closeness = fractional;
            by_closeness.sort_by(|a, b| {
                let da = (a.1 - a.1.round()).abs();
                let db = (b.1 - b.1.round()).abs();
                da.total_cmp(&db).then(a.0.cmp(&b.0))
            });
            for (i, &(v, x)) in by_closeness.iter().enumerate() {
                if i > 0 && (x - x.round()).abs() > 0.2 {
                    break;
                }
                let r = x.round().clamp(bounds[v.0].0, bounds[v.0].1);
                bounds[v.0] = (r, r);
            }
            match self.solve(&bounds) {
                LpOutcome::Optimal {
                    values: next,
                    objective,
                } => {
                    if self.prunable(objective) {
                        return;
                    }
                    values = next;
                }
                _ => return,
            }
        }
    }
}

/// Relative gap of an objective above a bound.
pub fn relative_gap(objective: f64, bound: f64) -> f64 {
    let gap = objective - bound;
    if gap <= 0.0 {
        0.0
    } else {
        gap / objective.abs().max(1e-9)
    }
}

/// A branch-and-bound node: bounds and the LP bound of its parent.
struct Node {
    bound: f64,
    sequence: usize,
    bounds: Vec<(f64, f64)>,
}

impl PartialEq for Node {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Node {}
impl PartialOrd for Node {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Node {
    /// The heap pops the smallest bound first, then the oldest node.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .bound
            .total_cmp(&self.bound)
            .then(other.sequence.cmp(&self.sequence))
    }
}

/// Solves the programme with integer columns integral (or relaxed).
pub fn solve(
    lp: &LinearProgram,
    backend: &dyn LpBackend,
    limits: Limits,
    clock: &dyn Clock,
    relax: bool,
    heuristics: &dyn Heuristics,
) -> SearchOutcome {
    let mut search = Search {
        lp,
        backend,
        clock,
        limits,
        integers: lp.integer_columns().collect(),
        lp_solves: 0,
        incumbent: None,
        log: Vec::new(),
    };
    let finish = |search: &Search, status: SearchStatus, bound: f64| SearchOutcome {
        stopped_by: match status {
            SearchStatus::Feasible | SearchStatus::Error(_) => search.stop_reason(),
            _ => None,
        },
        status,
        values: search.incumbent.as_ref().map(|(_, v)| v.clone()),
        objective: search.incumbent_objective(),
        bound,
        lp_solves: search.lp_solves,
        nodes: 0,
        log: search.log.clone(),
    };
    if let Some(why) = lp.numeric_problem() {
        let why = format!("the model holds a number no solver can honour ({why}; allowed: finite, 1e-12 to 1e12 in model units); check the scenario values behind it");
        return finish(&search, SearchStatus::Error(why), f64::NAN);
    }
    let base = lp.bounds();
    let mut root = search.solve(&base);
    if matches!(root, LpOutcome::Infeasible) {
        root = search.second_opinion(&base);
    }
    let (root_values, root_objective) = match root {
        LpOutcome::Optimal { values, objective } => (values, objective),
        LpOutcome::Infeasible => return finish(&search, SearchStatus::Infeasible, f64::NAN),
        LpOutcome::Unbounded => return finish(&search, SearchStatus::Unbounded, f64::NAN),
        LpOutcome::Failed(why) => return finish(&search, SearchStatus::Error(why), f64::NAN),
    };
    search.log("root LP", root_objective);
    if relax || search.fractional(&root_values).is_empty() {
        if relax {
            search.incumbent = Some((root_objective, root_values));
        } else {
            search.offer(root_objective, root_values);
        }
        return finish(&search, SearchStatus::Optimal, root_objective);
    }

    let candidates = heuristics.round(&root_values);
    for candidate in &candidates {
        search.try_fixed(&base, candidate);
    }
    search.log("rounding", root_objective);
    // When no rounding completes, repair the first (rounded up: capacity
    // never below the LP's) where it breaks a cap.
    if search.incumbent.is_none() {
        if let Some(first) = candidates.first() {
            search.repair(&base, first);
            search.log("repair", root_objective);
        }
    }
    // A backend's search of the whole model helps on small models and is
    // hopeless on large ones, where the LP's neighbourhood comes first.
    let whole_model = search.integers.len() <= WHOLE_MODEL_MAX_INTEGERS;
    if !whole_model && !search.prunable(root_objective) {
        search.neighbourhood(&base, &root_values);
        search.log("LP neighbourhood", root_objective);
    }
    if search.incumbent.is_none() {
        search.dive(&base, root_values.clone());
        search.log("dive", root_objective);
    }
    // On small models, the backend's own integer search of the whole model
    // starts from the best plan so far; the local search then improves on
    // its plan, and the backend gets a second turn from that.
    let mut proven_bound = root_objective;
    for turn in 0..2 {
        let before = search.incumbent_objective();
        if search.prunable(proven_bound) || search.out_of_time() {
            break;
        }
        if !whole_model {
            search.local_search(&base, heuristics, proven_bound);
            search.log("local search", proven_bound);
            break;
        }
        let start = search
            .incumbent
            .as_ref()
            .map_or(root_values.clone(), |(_, v)| v.clone());
        let budget = MipBudget {
            nodes: search.backend_nodes(lp),
            seconds: search.remaining().min(limits.backend_seconds),
            mip_gap: 0.99 * limits.mip_gap,
        };
        match backend.solve_integer(lp, &start, budget) {
            MipOutcome::Plan {
                values,
                objective,
                bound,
            } if search.fractional(&values).is_empty() => {
                search.offer(objective, values);
                if let Some(bound) = bound {
                    proven_bound = proven_bound.max(bound.min(search.incumbent_objective()));
                }
            }
            MipOutcome::Infeasible if search.incumbent.is_none() => {
                return finish(&search, SearchStatus::Infeasible, f64::NAN);
            }
            _ => {}
        }
        search.log("backend integer search", proven_bound);
        search.local_search(&base, heuristics, proven_bound);
        search.log("local search", proven_bound);
        if turn == 0 && search.incumbent_objective() >= before {
            break;
        }
    }
    // Then, on small models, the LP's neighbourhood, if the plan is not yet
    // within the gap target.
    if whole_model && !search.prunable(proven_bound) && !search.out_of_time() {
        let before = search.incumbent_objective();
        search.neighbourhood(&base, &root_values);
        search.log("LP neighbourhood", proven_bound);
        if search.incumbent_objective() < before {
            search.local_search(&base, heuristics, proven_bound);
            search.log("local search", proven_bound);
        }
    }

    // Best-first branch and bound.
    let mut heap = BinaryHeap::new();
    let mut sequence = 0;
    let mut nodes = 0;
    let mut pruned_bound = f64::INFINITY;
    let branch = |heap: &mut BinaryHeap<Node>,
                  sequence: &mut usize,
                  bounds: &[(f64, f64)],
                  var: Var,
                  x: f64,
                  bound: f64| {
        let mut down = bounds.to_vec();
        down[var.0].1 = x.floor();
        let mut up = bounds.to_vec();
        up[var.0].0 = x.ceil();
        for bounds in [down, up] {
            *sequence += 1;
            heap.push(Node {
                bound,
                sequence: *sequence,
                bounds,
            });
        }
    };
    if let Some(var) = most_fractional(&search.fractional(&root_values)) {
        branch(
            &mut heap,
            &mut sequence,
            &base,
            var.0,
            var.1,
            root_objective,
        );
    }
    let global_bound = |heap: &BinaryHeap<Node>, pruned: f64, incumbent: f64| {
        heap.peek()
            .map_or(f64::INFINITY, |n| n.bound)
            .min(pruned)
            .min(incumbent)
            .max(proven_bound)
    };
    loop {
        let bound = global_bound(&heap, pruned_bound, search.incumbent_objective());
        if search.incumbent.is_some()
            && relative_gap(search.incumbent_objective(), bound) <= limits.mip_gap
        {
            break;
        }
        if heap.is_empty() || nodes >= limits.max_nodes || search.out_of_time() {
            break;
        }
        let node = heap.pop().expect("heap is not empty");
        if search.prunable(node.bound) {
            pruned_bound = pruned_bound.min(node.bound);
            continue;
        }
        nodes += 1;
        match search.solve(&node.bounds) {
            LpOutcome::Optimal { values, objective } => {
                if search.prunable(objective) {
                    pruned_bound = pruned_bound.min(objective);
                    continue;
                }
                let fractional = search.fractional(&values);
                match most_fractional(&fractional) {
                    None => search.offer(objective, values),
                    Some((var, x)) => {
                        if nodes % 8 == 1 {
                            for candidate in heuristics.round(&values) {
                                search.try_fixed(&node.bounds, &candidate);
                            }
                        }
                        branch(&mut heap, &mut sequence, &node.bounds, var, x, objective);
                    }
                }
            }
            LpOutcome::Infeasible => {}
            // A node the backend could not solve keeps its parent's bound.
            LpOutcome::Unbounded | LpOutcome::Failed(_) => {
                pruned_bound = pruned_bound.min(node.bound)
            }
        }
    }
    let bound = global_bound(&heap, pruned_bound, search.incumbent_objective());
    if nodes > 0 {
        search.log("branch and bound", bound);
    }
    let status = match &search.incumbent {
        None if heap.is_empty() && nodes < limits.max_nodes && !search.out_of_time() => {
            SearchStatus::Infeasible
        }
        None => {
            let reason = search.stop_reason().unwrap_or(StopReason::NodeLimit);
            let advice = match reason {
                StopReason::Interrupt => "",
                _ => "; raise it",
            };
            SearchStatus::Error(format!(
                "{} stopped the search before any integer plan was found{advice}",
                reason.describe()
            ))
        }
        Some((objective, _)) if relative_gap(*objective, bound) <= limits.mip_gap => {
            SearchStatus::Optimal
        }
        Some(_) => SearchStatus::Feasible,
    };
    let stopped_by = match status {
        SearchStatus::Feasible | SearchStatus::Error(_) => search
            .stop_reason()
            .or((nodes >= limits.max_nodes).then_some(StopReason::NodeLimit)),
        _ => None,
    };
    SearchOutcome {
        nodes,
        stopped_by,
        ..finish(&search, status, bound)
    }
}

fn most_fractional(fractional: &[(Var, f64)]) -> Option<(Var, f64)> {
    fractional.iter().copied().max_by(|a, b| {
        let fa = (a.1 - a.1.floor() - 0.5).abs();
        let fb = (b.1 - b.1.floor() - 0.5).abs();
        fb.total_cmp(&fa).then(b.0.cmp(&a.0))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LinExpr, Sense};
    use crate::solve::MicroLp;

    /// A backend that calls every programme with fewer columns than the
    /// whole one infeasible: as microlp once did with a reduced programme.
    struct LiesOnReduced(usize);

    impl LpBackend for LiesOnReduced {
        fn name(&self) -> &'static str {
            "lies"
        }
        fn solve(
            &self,
            lp: &LinearProgram,
            bounds: &[(f64, f64)],
            seconds: Option<f64>,
        ) -> LpOutcome {
            if lp.columns.len() < self.0 {
                return LpOutcome::Infeasible;
            }
            MicroLp.solve(lp, bounds, seconds)
        }
    }

    struct NoHeuristics;

    impl Heuristics for NoHeuristics {
        fn round(&self, _: &[f64]) -> Vec<Vec<f64>> {
            Vec::new()
        }
        fn moves(&self, _: &[f64]) -> Vec<Vec<(Var, f64)>> {
            Vec::new()
        }
    }

    /// min x + y, x + y >= 2, y fixed at 0.5.
    #[test]
    fn an_infeasible_reduced_root_is_checked_on_the_whole_programme() {
        let mut lp = LinearProgram::default();
        let x = lp.add_column("x".into(), 0.0, 10.0, false);
        let y = lp.add_column("y".into(), 0.5, 0.5, false);
        lp.columns[x.0].cost = 1.0;
        lp.columns[y.0].cost = 1.0;
        let mut both = LinExpr::default();
        both.add(x, 1.0);
        both.add(y, 1.0);
        lp.add_row("both".into(), both, Sense::Ge, 2.0);
        let outcome = solve(
            &lp,
            &LiesOnReduced(2),
            Limits::default(),
            &NoClock,
            true,
            &NoHeuristics,
        );
        assert_eq!(outcome.status, SearchStatus::Optimal);
        assert!(
            (outcome.objective - 2.0).abs() < 1e-9,
            "{}",
            outcome.objective
        );
        assert_eq!(outcome.lp_solves, 2, "the reduced root, then the whole one");
    }
}
