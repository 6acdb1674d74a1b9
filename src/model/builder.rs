//! The shared model under construction: the programme, the index of every
//! decision variable by (period, site/link, option) and the cost ledger.
//! The expressions several families use are in [`super::expressions`].

use super::costs::CostLedger;
use super::expressions::ModelExpressions;
use super::input::PlanInput;
use super::lp::{LinearProgram, Var};
use crate::units::{Scales, GBPS_PER_PB_PER_SECOND};

/// A dense three-dimensional table of optional variables.
#[derive(Debug, Clone)]
pub struct Grid {
    dims: [usize; 3],
    cells: Vec<Option<Var>>,
}

impl Grid {
    pub fn new(a: usize, b: usize, c: usize) -> Grid {
        Grid {
            dims: [a, b, c],
            cells: vec![None; a * b * c],
        }
    }

    fn offset(&self, a: usize, b: usize, c: usize) -> usize {
        debug_assert!(a < self.dims[0] && b < self.dims[1] && c < self.dims[2]);
        (a * self.dims[1] + b) * self.dims[2] + c
    }

    /// Each cell that holds a column, with its three indices.
    pub fn columns(&self) -> impl Iterator<Item = ([usize; 3], Var)> + '_ {
        let [_, b, c] = self.dims;
        self.cells
            .iter()
            .enumerate()
            .filter_map(move |(i, cell)| cell.map(|var| ([i / (b * c), (i / c) % b, i % c], var)))
    }

    pub fn get(&self, a: usize, b: usize, c: usize) -> Option<Var> {
        self.cells[self.offset(a, b, c)]
    }

    pub fn set(&mut self, a: usize, b: usize, c: usize, var: Var) {
        let i = self.offset(a, b, c);
        self.cells[i] = Some(var);
    }
}

/// Every decision variable, by what it decides. Units inside the model:
/// nodes, PB, Gbps and the compute unit of [`Scales`].
#[derive(Debug, Clone)]
pub struct ModelIndex {
    /// n[t][s][g]: nodes bought.
    pub buy_nodes: Grid,
    /// b[t][s][k]: PB of storage bought.
    pub buy_storage: Grid,
    /// in[t][s][c]: PB ingested (home sites).
    pub ingest: Grid,
    /// e[t][l][c]: PB copied over a link.
    pub copy: Grid,
    /// y[t][s][c]: training compute.
    pub train: Grid,
    /// o[t][s][0]: base compute.
    pub base: Grid,
    /// B[t][s][0]: ingest Gbps leased.
    pub ingest_gbps: Grid,
    /// G[t][l][0]: link Gbps leased.
    pub link_gbps: Grid,
    /// q[t][c][0]: training shortfall.
    pub shortfall: Grid,
}

/// Purchase columns made before a future's model is built, shared with
/// the futures alike in each period (see [`super::hedging`]).
#[derive(Debug, Clone)]
pub struct SharedPurchases {
    /// n[t][s][g], `None` where no alike future may buy.
    pub nodes: Grid,
    /// b[t][s][k].
    pub storage: Grid,
}

/// The scales of a scenario's model: powers of ten of its largest price and
/// its largest node's compute.
pub fn scales_for(input: &PlanInput) -> Scales {
    let scenario = input.scenario;
    let largest_price = scenario
        .gpus
        .iter()
        .map(|g| g.price_per_node)
        .chain(scenario.storage_tiers.iter().map(|k| k.price_per_pb))
        .fold(0.0, f64::max);
    let largest_node = input.node_pflop.iter().copied().fold(0.0, f64::max);
    Scales::choose(largest_price, largest_node)
}

/// The model being built by the constraint families.
pub struct ModelBuilder<'a> {
    pub input: &'a PlanInput<'a>,
    pub scales: Scales,
    pub lp: LinearProgram,
    pub index: ModelIndex,
    pub ledger: CostLedger,
    /// The purchase columns to use instead of making new ones.
    pub shared: Option<SharedPurchases>,
}

impl<'a> ModelBuilder<'a> {
    pub fn new(input: &'a PlanInput<'a>) -> ModelBuilder<'a> {
        let scales = scales_for(input);
        ModelBuilder::with(input, scales, LinearProgram::default(), None)
    }

    /// A builder that adds to `lp` with the given scales and, for a future
    /// of a hedged model, its shared purchase columns.
    pub fn with(
        input: &'a PlanInput<'a>,
        scales: Scales,
        lp: LinearProgram,
        shared: Option<SharedPurchases>,
    ) -> ModelBuilder<'a> {
        let scenario = input.scenario;
        let (t, s, l, g, k, c) = (
            input.periods,
            scenario.sites.len(),
            scenario.links.len(),
            scenario.gpus.len(),
            scenario.storage_tiers.len(),
            scenario.data_classes.len(),
        );
        ModelBuilder {
            input,
            scales,
            lp,
            index: ModelIndex {
                buy_nodes: Grid::new(t, s, g),
                buy_storage: Grid::new(t, s, k),
                ingest: Grid::new(t, s, c),
                copy: Grid::new(t, l, c),
                train: Grid::new(t, s, c),
                base: Grid::new(t, s, 1),
                ingest_gbps: Grid::new(t, s, 1),
                link_gbps: Grid::new(t, l, 1),
                shortfall: Grid::new(t, c, 1),
            },
            ledger: CostLedger::default(),
            shared,
        }
    }

    /// Gbps needed per PB moved in one period.
    pub fn gbps_per_pb(&self) -> f64 {
        GBPS_PER_PB_PER_SECOND / self.input.seconds
    }

    /// The shared expressions over this builder's variables.
    pub fn expr(&self) -> ModelExpressions<'_> {
        ModelExpressions {
            input: self.input,
            index: &self.index,
            scales: self.scales,
        }
    }
}
