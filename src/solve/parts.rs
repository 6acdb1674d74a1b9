//! A programme split into independent parts: groups of columns no row
//! joins, each solved on its own, and a cache of the parts already solved;
//! and the relaxation that makes a hedged model fall into parts.
//!
//! A hedged model with its node purchases fixed is one programme per
//! future joined only by the storage purchases the futures share. Give
//! each future its own copy of those ([`Relaxation`]) and it falls into
//! one part per future, whose optimum is a lower bound on the whole. The
//! local search changes a few purchases at a time, and only the parts
//! whose rows hold a changed purchase differ from the last solve: the
//! others are answered from the cache. A move whose bound is not below the
//! plan's cost is passed over without solving the whole programme.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::backend::{checked, LpBackend, LpOutcome};
use super::reduce::Reduced;
use super::search::INTEGRALITY;
use crate::model::lp::{Column, Row};
use crate::model::{LinearProgram, Var};

/// One independent part: its programme and, for each of its columns, the
/// column of the programme it came from.
#[derive(Debug, Clone)]
pub struct Part {
    pub lp: LinearProgram,
    pub columns: Vec<usize>,
}

/// The independent parts of `lp`, in the order of their first column. A
/// column in no row is a part of its own. The parts' objective constants
/// are 0: the programme's own constant belongs to no part.
pub fn split(lp: &LinearProgram) -> Vec<Part> {
    // Union-find over the columns, each row joining its columns.
    let mut parent: Vec<usize> = (0..lp.columns.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for row in &lp.rows {
        let Some(&(first, _)) = row.terms.first() else {
            continue;
        };
        for &(var, _) in &row.terms[1..] {
            let a = root(&mut parent, first.0);
            let b = root(&mut parent, var.0);
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let n = lp.columns.len();
    let mut part_of_root: HashMap<usize, usize> = HashMap::new();
    let mut parts: Vec<Part> = Vec::new();
    let mut local = vec![0usize; n];
    let mut part_of = vec![0usize; n];
    for (i, column) in lp.columns.iter().enumerate() {
        let r = root(&mut parent, i);
        let p = *part_of_root.entry(r).or_insert_with(|| {
            parts.push(Part {
                lp: LinearProgram::default(),
                columns: Vec::new(),
            });
            parts.len() - 1
        });
        part_of[i] = p;
        local[i] = parts[p].columns.len();
        parts[p].columns.push(i);
        // Names stay with the programme: a part is solved, never shown.
        parts[p].lp.columns.push(Column {
            name: String::new(),
            ..*column
        });
    }
    for row in &lp.rows {
        let Some(&(first, _)) = row.terms.first() else {
            continue;
        };
        let p = part_of[first.0];
        parts[p].lp.rows.push(Row {
            name: String::new(),
            terms: row
                .terms
                .iter()
                .map(|&(var, coef)| (Var(local[var.0]), coef))
                .collect(),
            sense: row.sense,
            rhs: row.rhs,
        });
    }
    parts
}

/// A part's identity for the cache: two 64-bit hashes of every number and
/// sense in it (its names do not matter).
pub type PartKey = [u64; 2];

pub fn key(lp: &LinearProgram) -> PartKey {
    let mut hashes = [0u64; 2];
    for (salt, hash) in hashes.iter_mut().enumerate() {
        let mut h = DefaultHasher::new();
        salt.hash(&mut h);
        lp.columns.len().hash(&mut h);
        for c in &lp.columns {
            (
                c.lower.to_bits(),
                c.upper.to_bits(),
                c.cost.to_bits(),
                c.integer,
            )
                .hash(&mut h);
        }
        lp.rows.len().hash(&mut h);
        for r in &lp.rows {
            (r.sense as u8, r.rhs.to_bits(), r.terms.len()).hash(&mut h);
            for &(var, coef) in &r.terms {
                (var.0, coef.to_bits()).hash(&mut h);
            }
        }
        *hash = h.finish();
    }
    hashes
}

/// Solutions of parts already solved, by key. It forgets everything when
/// it holds more than [`PartCache::MAX_PARTS`], which bounds its memory.
#[derive(Debug, Default)]
pub struct PartCache {
    solved: HashMap<PartKey, Vec<f64>>,
}

impl PartCache {
    pub const MAX_PARTS: usize = 4096;

    pub fn get(&self, key: &PartKey) -> Option<&Vec<f64>> {
        self.solved.get(key)
    }

    pub fn insert(&mut self, key: PartKey, values: Vec<f64>) {
        if self.solved.len() >= Self::MAX_PARTS {
            self.solved.clear();
        }
        self.solved.insert(key, values);
    }
}

/// A programme solved part by part: its point, or why there is none, and
/// the parts it had to solve (for the cache).
pub struct SolvedInParts {
    pub outcome: Result<Vec<f64>, LpOutcome>,
    pub solved: Vec<(PartKey, Vec<f64>)>,
}

/// Solves `lp` part by part: each part from `cache` when the same part
/// was solved before, in this solve (futures that differ only in what the
/// plan does not touch have the same parts) or an earlier one; the others
/// with `backend`.
pub fn solve(
    lp: &LinearProgram,
    cache: &PartCache,
    backend: &dyn LpBackend,
    seconds: Option<f64>,
) -> SolvedInParts {
    let mut values = vec![0.0; lp.columns.len()];
    let mut solved: Vec<(PartKey, Vec<f64>)> = Vec::new();
    for part in split(lp) {
        let key = key(&part.lp);
        let known = cache
            .get(&key)
            .or_else(|| solved.iter().find(|(k, _)| *k == key).map(|(_, v)| v));
        let solution = match known {
            Some(known) => known.clone(),
            None => {
                let outcome = if part.lp.rows.is_empty() {
                    solve_unconstrained(&part.lp).ok_or(LpOutcome::Unbounded)
                } else {
                    match backend.solve(&part.lp, &part.lp.bounds(), seconds) {
                        LpOutcome::Optimal { values, .. } => Ok(values),
                        other => Err(other),
                    }
                };
                match outcome {
                    Ok(solution) => {
                        solved.push((key, solution.clone()));
                        solution
                    }
                    Err(why) => {
                        return SolvedInParts {
                            outcome: Err(why),
                            solved,
                        }
                    }
                }
            }
        };
        for (&column, x) in part.columns.iter().zip(solution) {
            values[column] = x;
        }
    }
    SolvedInParts {
        outcome: Ok(values),
        solved,
    }
}

/// The optimum of a part with no rows, when it is bounded: each column at
/// the bound its cost prefers.
pub fn solve_unconstrained(lp: &LinearProgram) -> Option<Vec<f64>> {
    lp.columns
        .iter()
        .map(|c| {
            let at = if c.cost >= 0.0 { c.lower } else { c.upper };
            at.is_finite().then_some(at)
        })
        .collect()
}

/// What one candidate of the local search gave, solved in parts: its
/// outcome (none when it has no point), the parts solved for it (for the
/// cache), and whether an LP was solved (not when the candidate left its
/// bounds).
pub struct Tried<T> {
    pub outcome: Option<T>,
    pub solved: Vec<(PartKey, Vec<f64>)>,
    pub solved_lp: bool,
}

/// How the local search solves one candidate point in parts, given the
/// parts solved so far and the seconds left.
pub type SolveCandidate<'a, T> = dyn Fn(&[f64], &PartCache, Option<f64>) -> Tried<T> + Sync + 'a;

impl<T> Tried<T> {
    fn map<U>(self, f: impl FnOnce(T) -> Option<U>) -> Tried<U> {
        Tried {
            outcome: self.outcome.and_then(f),
            solved: self.solved,
            solved_lp: self.solved_lp,
        }
    }
}

/// A full point and the bounds it was solved under.
type Fixed = (Vec<f64>, Vec<(f64, f64)>);

/// Fixes every integer column of `lp` at the rounded value of `candidate`
/// (nothing when one falls outside `bounds`) and solves the rest in parts:
/// the full point, with the bounds it was solved under.
fn solve_candidate(
    lp: &LinearProgram,
    bounds: &[(f64, f64)],
    integers: &[Var],
    candidate: &[f64],
    cache: &PartCache,
    backend: &dyn LpBackend,
    seconds: Option<f64>,
) -> Tried<Fixed> {
    let nothing = |solved_lp| Tried {
        outcome: None,
        solved: Vec::new(),
        solved_lp,
    };
    let mut fixed = bounds.to_vec();
    for &v in integers {
        let x = candidate[v.0].round();
        if x < bounds[v.0].0 - INTEGRALITY || x > bounds[v.0].1 + INTEGRALITY {
            return nothing(false);
        }
        fixed[v.0] = (x, x);
    }
    let Some(reduced) = Reduced::for_parts(lp, &fixed) else {
        return nothing(true);
    };
    let SolvedInParts { outcome, solved } = solve(&reduced.lp, cache, backend, seconds);
    Tried {
        outcome: outcome.ok().map(|values| (reduced.expand(&values), fixed)),
        solved,
        solved_lp: true,
    }
}

/// A candidate plan of `lp` under `bounds`, solved in parts: its objective
/// and full point, checked against the programme.
pub fn evaluate(
    lp: &LinearProgram,
    integers: &[Var],
    bounds: &[(f64, f64)],
    candidate: &[f64],
    cache: &PartCache,
    backend: &dyn LpBackend,
    seconds: Option<f64>,
) -> Tried<(f64, Vec<f64>)> {
    solve_candidate(lp, bounds, integers, candidate, cache, backend, seconds).map(
        |(point, fixed)| match checked(lp, &fixed, point) {
            LpOutcome::Optimal { values, objective } => Some((objective, values)),
            _ => None,
        },
    )
}

/// A relaxation of a programme in which each group of rows has its own
/// copy of the columns the groups share (see
/// [`super::search::Sharing`]), each copy with its group's share of the
/// cost. Every point of the programme is a point of the relaxation with
/// all copies equal and the same cost, so the relaxation's optimum is a
/// lower bound; and with the integers fixed it falls into one part per
/// group.
#[derive(Debug, Clone)]
pub struct Relaxation {
    lp: LinearProgram,
    bounds: Vec<(f64, f64)>,
}

impl Relaxation {
    /// The relaxation of `lp` under `bounds`; `None` when a row of no
    /// group holds a shared column (CVaR's rows join every future).
    pub fn new(
        lp: &LinearProgram,
        bounds: &[(f64, f64)],
        sharing: &super::search::Sharing,
    ) -> Option<Relaxation> {
        let mut relaxed = lp.clone();
        let mut relaxed_bounds = bounds.to_vec();
        let mut copy: HashMap<(usize, usize), Var> = HashMap::new();
        for (var, shares) in &sharing.columns {
            for &(group, share) in shares {
                let column = Column {
                    name: String::new(),
                    cost: share,
                    ..lp.columns[var.0]
                };
                relaxed.columns.push(column);
                relaxed_bounds.push(bounds[var.0]);
                copy.insert((var.0, group), Var(relaxed.columns.len() - 1));
            }
            relaxed.columns[var.0].cost = 0.0;
            relaxed_bounds[var.0] = (0.0, 0.0);
        }
        let shared: std::collections::HashSet<usize> =
            sharing.columns.iter().map(|(v, _)| v.0).collect();
        for (row, group) in relaxed.rows.iter_mut().zip(&sharing.row_group) {
            for term in &mut row.terms {
                if !shared.contains(&term.0 .0) {
                    continue;
                }
                let group = (*group)?;
                // A group without a share of the column gets a copy that
                // costs nothing: the relaxation only gets weaker.
                let next = relaxed.columns.len();
                let var = *copy.entry((term.0 .0, group)).or_insert(Var(next));
                if var.0 == next {
                    relaxed.columns.push(Column {
                        name: String::new(),
                        cost: 0.0,
                        ..lp.columns[term.0 .0]
                    });
                    relaxed_bounds.push(bounds[term.0 .0]);
                }
                term.0 = var;
            }
        }
        Some(Relaxation {
            lp: relaxed,
            bounds: relaxed_bounds,
        })
    }

    /// The relaxation's optimum with every integer column of `integers`
    /// fixed at the rounded value of `candidate`, solved part by part: a
    /// lower bound on the cost of the candidate plan (none when the
    /// relaxation has no point, and then neither has the programme).
    pub fn value(
        &self,
        integers: &[Var],
        candidate: &[f64],
        cache: &PartCache,
        backend: &dyn LpBackend,
        seconds: Option<f64>,
    ) -> Tried<f64> {
        solve_candidate(
            &self.lp,
            &self.bounds,
            integers,
            candidate,
            cache,
            backend,
            seconds,
        )
        .map(|(point, _)| Some(self.lp.objective_value(&point)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{LinExpr, Sense};

    /// Columns a, b, c, d, e: rows join a with c, and d with b and e; c is
    /// also joined to nothing else.
    fn programme(rhs: f64) -> LinearProgram {
        let mut lp = LinearProgram::default();
        let v: Vec<Var> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|n| lp.add_column(n.to_string(), 0.0, 10.0, false))
            .collect();
        let mut row = |terms: &[(usize, f64)], rhs: f64| {
            let mut e = LinExpr::default();
            for &(i, c) in terms {
                e.add(v[i], c);
            }
            lp.add_row(format!("r{}", lp.rows.len()), e, Sense::Ge, rhs);
        };
        row(&[(0, 1.0), (2, 1.0)], rhs);
        row(&[(3, 1.0), (1, 2.0)], 1.0);
        row(&[(4, 1.0), (3, -1.0)], 0.0);
        lp
    }

    #[test]
    fn columns_no_row_joins_are_separate_parts() {
        let parts = split(&programme(2.0));
        let columns: Vec<Vec<usize>> = parts.iter().map(|p| p.columns.clone()).collect();
        assert_eq!(columns, vec![vec![0, 2], vec![1, 3, 4]]);
        assert_eq!(parts[0].lp.rows.len(), 1);
        assert_eq!(parts[1].lp.rows.len(), 2);
        // Row r1 (d + 2b >= 1, its terms in column order) in part 1's own
        // numbering: b is 0, d is 1.
        assert_eq!(
            parts[1].lp.rows[0].terms,
            vec![(Var(0), 2.0), (Var(1), 1.0)]
        );
    }

    #[test]
    fn a_chain_joined_from_its_far_end_is_one_part() {
        let mut lp = LinearProgram::default();
        let v: Vec<Var> = (0..4)
            .map(|i| lp.add_column(format!("x{i}"), 0.0, 1.0, false))
            .collect();
        for (a, b) in [(3, 2), (2, 1), (1, 0)] {
            let mut e = LinExpr::default();
            e.add(v[a], 1.0);
            e.add(v[b], 1.0);
            lp.add_row(format!("{a}{b}"), e, Sense::Le, 1.0);
        }
        let parts = split(&lp);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].columns, vec![0, 1, 2, 3]);
        assert_eq!(parts[0].lp.rows.len(), 3);
    }

    #[test]
    fn a_part_is_known_by_its_numbers() {
        let one = split(&programme(2.0));
        let other = split(&programme(3.0));
        assert_ne!(key(&one[0].lp), key(&other[0].lp), "a changed rhs");
        assert_eq!(key(&one[1].lp), key(&other[1].lp), "an unchanged part");
        let mut cache = PartCache::default();
        cache.insert(key(&one[1].lp), vec![1.0, 2.0, 3.0]);
        assert_eq!(cache.get(&key(&other[1].lp)), Some(&vec![1.0, 2.0, 3.0]));
    }

    /// Two groups share column s (cost 2): group 0 needs s + a >= 3, group
    /// 1 needs s + b >= 1; a costs 3, b costs 0.5. The whole programme
    /// buys s = 3 (cost 6). With s copied, each copy at half the cost,
    /// group 0 buys s0 = 3 (3) and group 1 buys b = 1 (0.5): 3.5, a lower
    /// bound, in two parts.
    #[test]
    fn a_relaxation_gives_each_group_its_own_copy_and_a_lower_bound() {
        use crate::solve::search::Sharing;
        use crate::solve::MicroLp;
        let mut lp = LinearProgram::default();
        let sv = lp.add_column("s".into(), 0.0, 10.0, false);
        let a = lp.add_column("a".into(), 0.0, 10.0, false);
        let b = lp.add_column("b".into(), 0.0, 10.0, false);
        for (v, c) in [(sv, 2.0), (a, 3.0), (b, 0.5)] {
            lp.columns[v.0].cost = c;
        }
        for (other, rhs) in [(a, 3.0), (b, 1.0)] {
            let mut e = LinExpr::default();
            e.add(sv, 1.0);
            e.add(other, 1.0);
            lp.add_row("need".into(), e, Sense::Ge, rhs);
        }
        let sharing = Sharing {
            row_group: vec![Some(0), Some(1)],
            columns: vec![(sv, vec![(0, 1.0), (1, 1.0)])],
        };
        let relaxation =
            Relaxation::new(&lp, &lp.bounds(), &sharing).expect("every row has a group");
        let valued = relaxation.value(&[], &[0.0; 3], &PartCache::default(), &MicroLp, None);
        let bound = valued.outcome.expect("feasible");
        assert!((bound - 3.5).abs() < 1e-9, "{bound}");
        assert_eq!(valued.solved.len(), 2, "one part per group");
        let whole = match MicroLp.solve(&lp, &lp.bounds(), None) {
            LpOutcome::Optimal { objective, .. } => objective,
            _ => panic!("the whole programme has a plan"),
        };
        assert!((whole - 6.0).abs() < 1e-9 && bound <= whole);
        // A row of no group holding the shared column: no relaxation.
        let orphan = Sharing {
            row_group: vec![Some(0), None],
            ..sharing
        };
        assert!(Relaxation::new(&lp, &lp.bounds(), &orphan).is_none());
    }

    #[test]
    fn a_part_without_rows_sits_at_the_bound_its_cost_prefers() {
        let mut lp = LinearProgram::default();
        let a = lp.add_column("a".into(), 1.0, 4.0, false);
        let b = lp.add_column("b".into(), 0.0, 5.0, false);
        lp.columns[a.0].cost = 2.0;
        lp.columns[b.0].cost = -1.0;
        assert_eq!(solve_unconstrained(&lp), Some(vec![1.0, 5.0]));
        lp.columns[b.0].upper = f64::INFINITY;
        assert_eq!(solve_unconstrained(&lp), None);
    }
}
