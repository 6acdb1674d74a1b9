//! A hedged planning run (SPEC.md section 7.2): every future's model in
//! one programme with shared purchases, the same integer search as one
//! future's plan, and its result rows per future.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::heuristics::{round_into, PlanHeuristics, Rounding};
use super::result::tidy_number;
use super::result::{
    fill_rows, header, CostRow, DataRow, GpuRow, LinkRow, PlanResult, ShortfallRow, SiteRow,
    SolverInfo, StorageRow,
};
use super::PlanOptions;
use crate::model::compute::purchase_upper;
use crate::model::hedging::{self, FutureSpec, HedgedModel};
use crate::model::{LinearProgram, ModelIndex, ModelSize, PlanInput, Var};
use crate::scenario::events::{decision_groups, group_name};
use crate::scenario::{Event, Future, Scenario};
use crate::solve::search::{self, Heuristics, Sharing};
use crate::solve::{relative_gap, Clock, Guarded, LpBackend, SearchOutcome};

pub const SCHEMA: &str = "fsdplan.hedged-plan/1";

/// Everything a hedged planning run produced.
pub struct HedgedRun<'a> {
    /// The scenario as written (its events, risk and name).
    pub base: &'a Scenario,
    pub futures: &'a [Future],
    /// One per future, from its own scenario.
    pub inputs: Vec<PlanInput<'a>>,
    pub model: HedgedModel,
    /// `groups[t][f]`: the first future alike future f in period t.
    pub groups: Vec<Vec<usize>>,
    pub outcome: SearchOutcome,
    pub options: PlanOptions,
    pub backend: &'static str,
    pub built_at: f64,
    pub solved_at: f64,
}

impl HedgedRun<'_> {
    pub fn size(&self) -> ModelSize {
        self.model.lp.size()
    }

    pub fn events(&self) -> &[Event] {
        &self.base.events
    }

    /// Each future's plan as one scenario's result rows (not yet audited):
    /// its own NPV as the objective, no bound.
    pub fn future_results(&self) -> Vec<PlanResult> {
        let Some(values) = &self.outcome.values else {
            return Vec::new();
        };
        let scales = self.model.scales;
        self.inputs
            .iter()
            .zip(&self.model.futures)
            .map(|(input, model)| {
                let mut result = header(
                    input,
                    &self.outcome,
                    self.options,
                    self.backend,
                    self.size(),
                );
                let npv = model
                    .ledger
                    .npv(&input.discount, scales.money)
                    .value(values);
                result.objective = Some(npv * scales.money);
                fill_rows(
                    &mut result,
                    input,
                    (&model.index, &model.ledger, scales),
                    values,
                    self.options.relax,
                );
                result
            })
            .collect()
    }

    /// The hedged result (SPEC.md 7.4), not yet audited.
    pub fn result(&self) -> HedgedResult {
        build(self)
    }
}

/// The hedged model of a scenario's futures, with what it was built from.
pub struct HedgedBuild<'a> {
    pub inputs: Vec<PlanInput<'a>>,
    pub model: HedgedModel,
    pub groups: Vec<Vec<usize>>,
}

/// Builds the hedged model of all futures (for `plan` and `--write-lp`).
pub fn build_model<'a>(base: &Scenario, futures: &'a [Future]) -> HedgedBuild<'a> {
    let events = &base.events;
    let calendar = &base.calendar;
    let inputs: Vec<PlanInput> = futures
        .iter()
        .map(|f| PlanInput::new(&f.scenario))
        .collect();
    let groups = decision_groups(futures, events, calendar);
    let group_names: Vec<Vec<String>> = (0..calendar.periods)
        .map(|t| {
            futures
                .iter()
                .map(|f| group_name(f, events, calendar, t))
                .collect()
        })
        .collect();
    let specs: Vec<FutureSpec> = futures
        .iter()
        .zip(&inputs)
        .map(|(f, input)| FutureSpec {
            name: &f.name,
            probability: f.probability,
            input,
        })
        .collect();
    let model = hedging::build(&specs, &groups, &group_names, base.risk);
    HedgedBuild {
        inputs,
        model,
        groups,
    }
}

/// Plans a scenario with events: the hedged model of all its futures.
pub fn run<'a>(
    base: &'a Scenario,
    futures: &'a [Future],
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> HedgedRun<'a> {
    let built = build_model(base, futures);
    solve_built(base, futures, built, options, backend, clock)
}

/// A bet on one future (SPEC.md 7.3): its perfect-foresight purchases,
/// taken in every period in which a future is still alike it.
pub struct Bet {
    pub future: usize,
    /// Nodes bought, `[t][s][g]`, and PB bought, `[t][s][k]`.
    pub nodes: Vec<Vec<Vec<f64>>>,
    pub storage: Vec<Vec<Vec<f64>>>,
}

/// A purchase a bet makes that a model has no room for: its period, site,
/// GPU and node count.
pub struct NoRoom {
    pub period: usize,
    pub site: usize,
    pub gpu: usize,
    pub nodes: f64,
}

impl Bet {
    /// The bet on future `future`, from that future's own plan.
    pub fn new(future: usize, futures: &[Future], plan: &PlanResult) -> Bet {
        let scenario = &futures[future].scenario;
        let labels = scenario.calendar.labels();
        let period = |label: &str| labels.iter().position(|l| l == label);
        let site = |name: &str| scenario.sites.iter().position(|s| s.name == name);
        let (t, s) = (labels.len(), scenario.sites.len());
        let mut nodes = vec![vec![vec![0.0; scenario.gpus.len()]; s]; t];
        let mut storage = vec![vec![vec![0.0; scenario.storage_tiers.len()]; s]; t];
        for row in &plan.gpus {
            let g = scenario.gpus.iter().position(|g| g.name == row.gpu);
            if let (Some(t), Some(s), Some(g)) = (period(&row.period), site(&row.site), g) {
                nodes[t][s][g] = row.bought_nodes;
            }
        }
        for row in &plan.storage {
            let k = scenario
                .storage_tiers
                .iter()
                .position(|k| k.name == row.tier);
            if let (Some(t), Some(s), Some(k)) = (period(&row.period), site(&row.site), k) {
                storage[t][s][k] = row.bought_pb;
            }
        }
        Bet {
            future,
            nodes,
            storage,
        }
    }

    /// Fixes the purchase columns of `index` in `lp` to the bet's in the
    /// periods `fixed` holds; the first purchase the model has no column or
    /// bound for is returned instead.
    pub fn fix(
        &self,
        lp: &mut LinearProgram,
        index: &ModelIndex,
        fixed: &dyn Fn(usize) -> bool,
    ) -> Result<(), NoRoom> {
        for (t, sites) in self.nodes.iter().enumerate().filter(|(t, _)| fixed(*t)) {
            for (s, gpus) in sites.iter().enumerate() {
                for (g, &value) in gpus.iter().enumerate() {
                    match index.buy_nodes.get(t, s, g) {
                        Some(var) if value <= lp.columns[var.0].upper + 1e-9 => {
                            lp.columns[var.0].lower = value;
                            lp.columns[var.0].upper = value;
                        }
                        _ if value == 0.0 => {}
                        _ => {
                            return Err(NoRoom {
                                period: t,
                                site: s,
                                gpu: g,
                                nodes: value,
                            })
                        }
                    }
                }
                for (k, &pb) in self.storage[t][s].iter().enumerate() {
                    if let Some(var) = index.buy_storage.get(t, s, k) {
                        lp.columns[var.0].lower = pb;
                        lp.columns[var.0].upper = pb;
                    }
                }
            }
        }
        Ok(())
    }

    /// A purchase with no room, in words, naming the future that may not
    /// make it.
    pub fn no_room_text(&self, futures: &[Future], stranded: &str, no_room: &NoRoom) -> String {
        let scenario = &futures[self.future].scenario;
        format!(
            "betting on \"{}\" buys {} {} at {} in {}, which {stranded}, alike it then, may not buy",
            futures[self.future].name,
            crate::numbers::number(no_room.nodes, 0),
            scenario.gpus[no_room.gpu].name,
            scenario.sites[no_room.site].name,
            scenario.calendar.label(no_room.period)
        )
    }
}

/// The hedged model with the purchases fixed by `bet`, planned; or, when
/// the bet buys what a future alike it may not, why in words.
pub fn run_betting<'a>(
    base: &'a Scenario,
    futures: &'a [Future],
    bet: &Bet,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> Result<HedgedRun<'a>, String> {
    let mut built = build_model(base, futures);
    fix_to_bet(&mut built, futures, bet)?;
    Ok(solve_built(base, futures, built, options, backend, clock))
}

/// Fixes the purchase columns that future `bet.future`'s decision groups
/// own to its plan's purchases: in every period, those of the group that
/// holds the future bet on.
fn fix_to_bet(built: &mut HedgedBuild, futures: &[Future], bet: &Bet) -> Result<(), String> {
    let v = bet.future;
    let index = &built.model.futures[v].index;
    bet.fix(&mut built.model.lp, index, &|_| true)
        .map_err(|no| {
            // A future alike v then whose own bound is below the bet's.
            let (t, s, g) = (no.period, no.site, no.gpu);
            let stranded = (0..futures.len())
                .filter(|&f| f != v && built.groups[t][f] == built.groups[t][v])
                .find(|&f| purchase_upper(&built.inputs[f], t, s, g).is_none_or(|u| u < no.nodes))
                .map_or("another future".to_string(), |f| {
                    format!("future \"{}\"", futures[f].name)
                });
            bet.no_room_text(futures, &stranded, &no)
        })
}

fn solve_built<'a>(
    base: &'a Scenario,
    futures: &'a [Future],
    built: HedgedBuild<'a>,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> HedgedRun<'a> {
    let HedgedBuild {
        inputs,
        model,
        groups,
    } = built;
    let built_at = clock.elapsed_seconds();
    let heuristics = HedgedHeuristics::of(&inputs, &model, futures);
    let outcome = search::solve(
        &model.lp,
        &Guarded(backend),
        options.limits,
        &crate::solve::InCurrency {
            clock,
            money: model.scales.money,
        },
        options.relax,
        &heuristics,
    );
    drop(heuristics);
    HedgedRun {
        base,
        futures,
        inputs,
        model,
        groups,
        outcome,
        options,
        backend: backend.name(),
        built_at,
        solved_at: clock.elapsed_seconds(),
    }
}

/// The hedged integer search's heuristics for a programme made from
/// `built`'s (the near-optimal alternatives' pushes, whose objective is a
/// metric): each future's rounding and moves, without the relaxation of
/// shared storage purchases, whose cost shares are the model's objective's.
pub fn search_heuristics<'b>(
    built: &'b HedgedBuild<'b>,
    futures: &[Future],
) -> Box<dyn Heuristics + 'b> {
    let mut heuristics = HedgedHeuristics::of(&built.inputs, &built.model, futures);
    heuristics.sharing = None;
    Box::new(heuristics)
}

/// The integer search's heuristics on a hedged model: each future's, in
/// turn, on the one column vector.
struct HedgedHeuristics<'a> {
    futures: Vec<PlanHeuristics<'a>>,
    /// Per column, the probability of the futures whose purchase it is: a
    /// move on a column shared by most of the probability is tried first.
    weight: Vec<f64>,
    /// Per purchase column, its (period, site, GPU).
    place: Vec<Option<(usize, usize, usize)>>,
    /// The storage purchases futures share, for the search's relaxation;
    /// none with CVaR, whose rows join every future.
    sharing: Option<Sharing>,
}

impl<'a> HedgedHeuristics<'a> {
    /// Each future's heuristics on the hedged model of `inputs`.
    fn of(inputs: &'a [PlanInput<'a>], model: &'a HedgedModel, futures: &[Future]) -> Self {
        let probabilities: Vec<f64> = futures.iter().map(|f| f.probability).collect();
        HedgedHeuristics::new(
            inputs
                .iter()
                .zip(&model.futures)
                .map(|(input, m)| PlanHeuristics {
                    lp: &model.lp,
                    index: &m.index,
                    input,
                })
                .collect(),
            &probabilities,
            model,
        )
    }

    fn new(futures: Vec<PlanHeuristics<'a>>, probabilities: &[f64], model: &HedgedModel) -> Self {
        let columns = model.lp.columns.len();
        let mut weight = vec![0.0; columns];
        let mut place = vec![None; columns];
        for (h, p) in futures.iter().zip(probabilities) {
            let (periods, sites, gpus) = (
                h.input.periods,
                h.input.scenario.sites.len(),
                h.input.scenario.gpus.len(),
            );
            for t in 0..periods {
                for s in 0..sites {
                    for g in 0..gpus {
                        if let Some(var) = h.index.buy_nodes.get(t, s, g) {
                            weight[var.0] += p;
                            place[var.0] = Some((t, s, g));
                        }
                    }
                }
            }
        }
        HedgedHeuristics {
            sharing: sharing(model, probabilities),
            futures,
            weight,
            place,
        }
    }
}

/// The storage purchases more than one future shares, each future's
/// share of a purchase's cost in proportion to its probability (exact when
/// the futures pay the same price for it, and a lower bound whatever the
/// shares); each row's future. None with CVaR.
fn sharing(model: &HedgedModel, probabilities: &[f64]) -> Option<Sharing> {
    if model.cvar.is_some() {
        return None;
    }
    let lp = &model.lp;
    let holders = model.holders(|i| &i.buy_storage);
    let columns: Vec<(Var, Vec<(usize, f64)>)> = holders
        .iter()
        .enumerate()
        .filter(|(_, futures)| futures.len() > 1)
        .map(|(c, futures)| {
            let total: f64 = futures.iter().map(|&f| probabilities[f]).sum();
            let cost = lp.columns[c].cost;
            let shares = futures
                .iter()
                .map(|&f| (f, cost * probabilities[f] / total))
                .collect();
            (Var(c), shares)
        })
        .collect();
    if columns.is_empty() {
        return None;
    }
    let mut row_group = vec![None; lp.rows.len()];
    for (f, future) in model.futures.iter().enumerate() {
        for group in &mut row_group[future.rows.clone()] {
            *group = Some(f);
        }
    }
    Some(Sharing { row_group, columns })
}

impl Heuristics for HedgedHeuristics<'_> {
    fn sharing(&self) -> Option<Sharing> {
        self.sharing.clone()
    }

    fn round(&self, values: &[f64]) -> Vec<Vec<f64>> {
        [Rounding::Up, Rounding::Nearest, Rounding::Down]
            .into_iter()
            .map(|mode| {
                let mut rounded = values.to_vec();
                for h in &self.futures {
                    round_into(h.lp, h.index, h.input, values, &mut rounded, mode);
                }
                rounded
            })
            .collect()
    }

    /// Every future's moves, each once (a shared column's moves are the
    /// same in all its futures).
    fn moves(&self, values: &[f64]) -> Vec<Vec<(Var, f64)>> {
        let mut seen = HashSet::new();
        let mut all = Vec::new();
        // First the same move in every future that can make it (one node
        // fewer of a GPU at a site in a period, everywhere): futures that
        // differ only by an event's outcome often want the same change.
        type Signature = Vec<(usize, usize, usize, i64)>;
        let mut joint: std::collections::BTreeMap<Signature, (Vec<(Var, f64)>, bool)> =
            std::collections::BTreeMap::new();
        let mut each = Vec::new();
        for h in &self.futures {
            for step in h.moves(values) {
                let signature: Option<Vec<(usize, usize, usize, i64)>> = step
                    .iter()
                    .map(|&(v, change)| {
                        self.place[v.0].map(|(t, s, g)| (t, s, g, change.round() as i64))
                    })
                    .collect();
                if let Some(signature) = signature {
                    let (entry, widened) = joint.entry(signature).or_default();
                    for &(v, change) in &step {
                        if !entry.iter().any(|&(w, _)| w == v) {
                            *widened |= !entry.is_empty() && entry.len() >= step.len();
                            entry.push((v, change));
                        }
                    }
                }
                each.push(step);
            }
        }
        // Only moves that more than one future contributed to.
        for (_, (step, widened)) in joint {
            let key: Vec<(usize, i64)> = step
                .iter()
                .map(|&(v, change)| (v.0, change.round() as i64))
                .collect();
            if widened && seen.insert(key) {
                all.push(step);
            }
        }
        let joint_moves = all.len();
        {
            for step in each {
                let key: Vec<(usize, i64)> = step
                    .iter()
                    .map(|&(v, change)| (v.0, change.round() as i64))
                    .collect();
                if seen.insert(key) {
                    all.push(step);
                }
            }
        }
        // Then each future's own moves, heaviest first, each future's own
        // order (fewer, shifted, swapped) kept among equals.
        let weight = |step: &Vec<(Var, f64)>| {
            step.iter()
                .map(|(v, _)| self.weight.get(v.0).copied().unwrap_or(0.0))
                .fold(0.0, f64::max)
        };
        all[joint_moves..].sort_by(|a, b| weight(b).total_cmp(&weight(a)));
        all
    }
}

/// A row of a per-future table: the future's name first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InFuture<T> {
    pub future: String,
    #[serde(flatten)]
    pub row: T,
}

impl<T> InFuture<T> {
    pub fn new(future: &str, row: T) -> InFuture<T> {
        InFuture {
            future: future.to_string(),
            row,
        }
    }
}

/// One future of a hedged plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FutureRow {
    pub future: String,
    pub probability: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub npv: Option<f64>,
    /// One field per event, holding this future's outcome, in event order.
    #[serde(flatten)]
    pub outcomes: Outcomes,
}

/// A future's outcome of each event, in event order: written as one JSON
/// field per event.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcomes(pub Vec<(String, String)>);

impl Outcomes {
    /// The outcomes of `future`, named.
    pub fn of(future: &Future, events: &[Event]) -> Outcomes {
        Outcomes(
            events
                .iter()
                .zip(&future.outcomes)
                .map(|(e, &o)| (e.name.clone(), e.outcomes[o].name.clone()))
                .collect(),
        )
    }
}

impl FutureRow {
    /// A future's row without its NPV.
    pub fn of(future: &Future, events: &[Event]) -> FutureRow {
        FutureRow {
            future: future.name.clone(),
            probability: tidy_number(future.probability),
            npv: None,
            outcomes: Outcomes::of(future, events),
        }
    }
}

impl Serialize for Outcomes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (event, outcome) in &self.0 {
            map.serialize_entry(event, outcome)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Outcomes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Outcomes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("one field per event with the future's outcome")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Outcomes, A::Error> {
                let mut out = Vec::new();
                while let Some((event, outcome)) = map.next_entry::<String, String>()? {
                    out.push((event, outcome));
                }
                Ok(Outcomes(out))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// A hedged plan's result (SPEC.md 7.4).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HedgedResult {
    pub schema: String,
    pub scenario: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// (1 - w) E[NPV] + w CVaR, the hedged model's objective.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bound: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<f64>,
    #[serde(default)]
    pub stopped_by: Option<String>,
    pub currency: String,
    pub periods: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_npv: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvar: Option<f64>,
    /// Extensions: the `[risk]` the objective used.
    pub cvar_alpha: f64,
    pub cvar_weight: f64,
    pub futures: Vec<FutureRow>,
    pub costs: Vec<InFuture<CostRow>>,
    pub gpus: Vec<InFuture<GpuRow>>,
    pub storage: Vec<InFuture<StorageRow>>,
    pub sites: Vec<InFuture<SiteRow>>,
    pub data: Vec<InFuture<DataRow>>,
    pub links: Vec<InFuture<LinkRow>>,
    pub shortfall: Vec<InFuture<ShortfallRow>>,
    pub relaxed: bool,
    pub mip_gap_target: f64,
    pub solver: SolverInfo,
    pub model: ModelSize,
    /// Extension: purchase columns shared by more than one future.
    pub shared_purchase_columns: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit_violations: Vec<String>,
}

/// Rows of several futures merged into their probability-weighted mean:
/// rows with the same key are added up, each scaled by its future's
/// probability, in the order they first appear.
fn weighted<T: Clone>(
    rows: &[InFuture<T>],
    probability: &dyn Fn(&str) -> f64,
    key: &dyn Fn(&T) -> String,
    add: &dyn Fn(&mut T, &T, f64),
    zero: &dyn Fn(&T) -> T,
) -> Vec<T> {
    let mut order: Vec<String> = Vec::new();
    let mut merged: std::collections::HashMap<String, T> = std::collections::HashMap::new();
    for row in rows {
        let k = key(&row.row);
        let entry = merged.entry(k.clone()).or_insert_with(|| {
            order.push(k);
            zero(&row.row)
        });
        add(entry, &row.row, probability(&row.future));
    }
    order
        .into_iter()
        .filter_map(|k| merged.remove(&k))
        .collect()
}

impl HedgedResult {
    /// The plan in expectation: every row the probability-weighted mean of
    /// the futures' rows, the NPV the expected NPV (for `diff`, which
    /// compares two plans' expected costs). Not a plan any future runs.
    pub fn expected_plan(&self) -> PlanResult {
        let p = |future: &str| {
            self.futures
                .iter()
                .find(|f| f.future == future)
                .map_or(0.0, |f| f.probability)
        };
        let t = tidy_number;
        let costs = weighted(
            &self.costs,
            &p,
            &|r: &CostRow| r.period.clone(),
            &|m: &mut CostRow, r: &CostRow, w| {
                m.gpu_capital += w * r.gpu_capital;
                m.storage_capital += w * r.storage_capital;
                m.maintenance += w * r.maintenance;
                m.ingest += w * r.ingest;
                m.link += w * r.link;
                m.energy += w * r.energy;
                m.shortfall += w * r.shortfall;
                m.total += w * r.total;
                m.discounted_total += w * r.discounted_total;
            },
            &|r: &CostRow| CostRow {
                period: r.period.clone(),
                ..CostRow::default()
            },
        );
        let gpus = weighted(
            &self.gpus,
            &p,
            &|r: &GpuRow| format!("{}|{}|{}", r.period, r.site, r.gpu),
            &|m: &mut GpuRow, r: &GpuRow, w| {
                m.bought_nodes += w * r.bought_nodes;
                m.installed_nodes += w * r.installed_nodes;
            },
            &|r: &GpuRow| GpuRow {
                bought_nodes: 0.0,
                installed_nodes: 0.0,
                ..r.clone()
            },
        );
        let storage = weighted(
            &self.storage,
            &p,
            &|r: &StorageRow| format!("{}|{}|{}", r.period, r.site, r.tier),
            &|m: &mut StorageRow, r: &StorageRow, w| {
                m.bought_pb += w * r.bought_pb;
                m.installed_pb += w * r.installed_pb;
            },
            &|r: &StorageRow| StorageRow {
                bought_pb: 0.0,
                installed_pb: 0.0,
                ..r.clone()
            },
        );
        let sites = weighted(
            &self.sites,
            &p,
            &|r: &SiteRow| format!("{}|{}", r.period, r.site),
            &|m: &mut SiteRow, r: &SiteRow, w| {
                m.ingest_gbps += w * r.ingest_gbps;
                m.power_mw += w * r.power_mw;
                m.compute_pflop += w * r.compute_pflop;
                m.compute_used_pflop += w * r.compute_used_pflop;
            },
            &|r: &SiteRow| SiteRow {
                ingest_gbps: 0.0,
                power_mw: 0.0,
                compute_pflop: 0.0,
                compute_used_pflop: 0.0,
                ..r.clone()
            },
        );
        let links = weighted(
            &self.links,
            &p,
            &|r: &LinkRow| format!("{}|{}|{}", r.period, r.link, r.class),
            &|m: &mut LinkRow, r: &LinkRow, w| {
                m.copied_pb += w * r.copied_pb;
                m.gbps += w * r.gbps;
            },
            &|r: &LinkRow| LinkRow {
                copied_pb: 0.0,
                gbps: 0.0,
                ..r.clone()
            },
        );
        let data = weighted(
            &self.data,
            &p,
            &|r: &DataRow| format!("{}|{}|{}", r.period, r.site, r.class),
            &|m: &mut DataRow, r: &DataRow, w| {
                m.ingested_pb += w * r.ingested_pb;
                m.imported_pb += w * r.imported_pb;
                m.copied_out_pb += w * r.copied_out_pb;
                m.stock_pb += w * r.stock_pb;
                m.trained_pflop += w * r.trained_pflop;
            },
            &|r: &DataRow| DataRow {
                ingested_pb: 0.0,
                imported_pb: 0.0,
                copied_out_pb: 0.0,
                stock_pb: 0.0,
                trained_pflop: 0.0,
                ..r.clone()
            },
        );
        let shortfall = weighted(
            &self.shortfall,
            &p,
            &|r: &ShortfallRow| format!("{}|{}", r.period, r.class),
            &|m: &mut ShortfallRow, r: &ShortfallRow, w| {
                m.pflop += w * r.pflop;
            },
            &|r: &ShortfallRow| ShortfallRow {
                pflop: 0.0,
                ..r.clone()
            },
        );
        let mut plan = PlanResult {
            schema: super::result::SCHEMA.to_string(),
            scenario: self.scenario.clone(),
            overrides: self.overrides.clone(),
            status: self.status.clone(),
            message: self.message.clone(),
            objective: self.expected_npv,
            bound: None,
            gap: None,
            stopped_by: self.stopped_by.clone(),
            currency: self.currency.clone(),
            periods: self.periods.clone(),
            costs,
            gpus,
            storage,
            sites,
            data,
            links,
            shortfall,
            relaxed: self.relaxed,
            mip_gap_target: self.mip_gap_target,
            solver: self.solver.clone(),
            model: self.model,
            audit_violations: self.audit_violations.clone(),
        };
        for row in &mut plan.costs {
            row.total = t(row.total);
            row.discounted_total = t(row.discounted_total);
        }
        plan
    }

    /// The future results this hedged result holds, one per future, as
    /// single plans (for the audit and for per-future tables).
    pub fn future_plans(&self) -> Vec<PlanResult> {
        self.futures
            .iter()
            .map(|f| PlanResult {
                schema: super::result::SCHEMA.to_string(),
                scenario: self.scenario.clone(),
                overrides: self.overrides.clone(),
                status: self.status.clone(),
                message: self.message.clone(),
                objective: f.npv,
                bound: None,
                gap: None,
                stopped_by: self.stopped_by.clone(),
                currency: self.currency.clone(),
                periods: self.periods.clone(),
                costs: rows_of(&self.costs, &f.future),
                gpus: rows_of(&self.gpus, &f.future),
                storage: rows_of(&self.storage, &f.future),
                sites: rows_of(&self.sites, &f.future),
                data: rows_of(&self.data, &f.future),
                links: rows_of(&self.links, &f.future),
                shortfall: rows_of(&self.shortfall, &f.future),
                relaxed: self.relaxed,
                mip_gap_target: self.mip_gap_target,
                solver: self.solver.clone(),
                model: self.model,
                audit_violations: Vec::new(),
            })
            .collect()
    }

    /// Clears every number and row of a plan that may not be shown.
    pub fn withdraw(&mut self) {
        self.objective = None;
        self.bound = None;
        self.gap = None;
        self.expected_npv = None;
        self.cvar = None;
        for f in &mut self.futures {
            f.npv = None;
        }
        self.costs.clear();
        self.gpus.clear();
        self.storage.clear();
        self.sites.clear();
        self.data.clear();
        self.links.clear();
        self.shortfall.clear();
    }
}

/// One future's rows of a per-future table.
pub fn rows_of<T: Clone>(rows: &[InFuture<T>], future: &str) -> Vec<T> {
    rows.iter()
        .filter(|r| r.future == future)
        .map(|r| r.row.clone())
        .collect()
}

fn tagged<T>(future: &str, rows: Vec<T>) -> Vec<InFuture<T>> {
    rows.into_iter()
        .map(|row| InFuture {
            future: future.to_string(),
            row,
        })
        .collect()
}

/// CVaR at level `alpha` of a discrete distribution of costs: the expected
/// cost in the costliest `1 - alpha` of probability (a future on the
/// boundary counted in part).
pub fn cvar(outcomes: &[(f64, f64)], alpha: f64) -> f64 {
    let mut sorted: Vec<(f64, f64)> = outcomes.to_vec();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let tail = 1.0 - alpha;
    let mut left = tail;
    let mut sum = 0.0;
    for (cost, probability) in sorted {
        let taken = probability.min(left);
        sum += taken * cost;
        left -= taken;
        if left <= 1e-15 {
            break;
        }
    }
    sum / tail
}

fn build(run: &HedgedRun) -> HedgedResult {
    let base = run.base;
    let events = run.events();
    let plain = header(
        &run.inputs[0],
        &run.outcome,
        run.options,
        run.backend,
        run.size(),
    );
    let mut result = HedgedResult {
        schema: SCHEMA.into(),
        scenario: base.name.clone(),
        overrides: Vec::new(),
        status: plain.status,
        message: plain.message,
        objective: None,
        bound: None,
        gap: None,
        stopped_by: plain.stopped_by,
        currency: base.currency.clone(),
        periods: plain.periods,
        expected_npv: None,
        cvar: None,
        cvar_alpha: base.risk.cvar_alpha,
        cvar_weight: base.risk.cvar_weight,
        futures: run
            .futures
            .iter()
            .map(|f| FutureRow::of(f, events))
            .collect(),
        costs: Vec::new(),
        gpus: Vec::new(),
        storage: Vec::new(),
        sites: Vec::new(),
        data: Vec::new(),
        links: Vec::new(),
        shortfall: Vec::new(),
        relaxed: run.options.relax,
        mip_gap_target: run.options.limits.mip_gap,
        solver: plain.solver,
        model: plain.model,
        shared_purchase_columns: run.model.shared_columns,
        audit_violations: Vec::new(),
    };
    if run.outcome.values.is_none() {
        return result;
    }
    let money = run.model.scales.money;
    let objective = run.outcome.objective * money;
    let bound = run.outcome.bound * money;
    result.objective = Some(objective);
    result.bound = Some(bound.min(objective));
    result.gap = Some(relative_gap(objective, bound));
    let plans = run.future_results();
    let mut npvs = Vec::new();
    for ((row, plan), future) in result.futures.iter_mut().zip(&plans).zip(run.futures) {
        let npv = plan.objective.unwrap_or(0.0);
        row.npv = Some(npv);
        npvs.push((npv, future.probability));
    }
    result.expected_npv = Some(tidy_number(npvs.iter().map(|(n, p)| n * p).sum()));
    result.cvar = Some(tidy_number(cvar(&npvs, base.risk.cvar_alpha)));
    for (plan, future) in plans.into_iter().zip(run.futures) {
        let name = &future.name;
        result.costs.extend(tagged(name, plan.costs));
        result.gpus.extend(tagged(name, plan.gpus));
        result.storage.extend(tagged(name, plan.storage));
        result.sites.extend(tagged(name, plan.sites));
        result.data.extend(tagged(name, plan.data));
        result.links.extend(tagged(name, plan.links));
        result.shortfall.extend(tagged(name, plan.shortfall));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::cvar;

    #[test]
    fn cvar_is_the_mean_of_the_costliest_tail() {
        let costs = [(100.0, 0.5), (200.0, 0.3), (1000.0, 0.2)];
        // alpha 0: the expectation.
        assert!((cvar(&costs, 0.0) - 310.0).abs() < 1e-9);
        // alpha 0.8: the costliest 20%, the last future alone.
        assert!((cvar(&costs, 0.8) - 1000.0).abs() < 1e-9);
        // alpha 0.7: 20% at 1000 and 10% of the 200 future.
        assert!((cvar(&costs, 0.7) - (0.2 * 1000.0 + 0.1 * 200.0) / 0.3).abs() < 1e-9);
    }
}
