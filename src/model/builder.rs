//! The shared model under construction: the programme, the index of every
//! decision variable by (period, site/link, option), the cost ledger, and the
//! expressions several families use (installed nodes and storage, inflow,
//! stock, power).

use super::costs::CostLedger;
use super::input::PlanInput;
use super::lp::{LinExpr, LinearProgram, Var};
use crate::scenario::Residency;
use crate::units::{Scales, GBPS_PER_PB_PER_SECOND, KW_PER_MW};

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

/// The model being built by the constraint families.
pub struct ModelBuilder<'a> {
    pub input: &'a PlanInput<'a>,
    pub scales: Scales,
    pub lp: LinearProgram,
    pub index: ModelIndex,
    pub ledger: CostLedger,
}

impl<'a> ModelBuilder<'a> {
    pub fn new(input: &'a PlanInput<'a>) -> ModelBuilder<'a> {
        let scenario = input.scenario;
        let (t, s, l, g, k, c) = (
            input.periods,
            scenario.sites.len(),
            scenario.links.len(),
            scenario.gpus.len(),
            scenario.storage_tiers.len(),
            scenario.data_classes.len(),
        );
        let largest_price = scenario
            .gpus
            .iter()
            .map(|g| g.price_per_node)
            .chain(scenario.storage_tiers.iter().map(|k| k.price_per_pb))
            .fold(0.0, f64::max);
        let largest_node = input.node_pflop.iter().copied().fold(0.0, f64::max);
        ModelBuilder {
            input,
            scales: Scales::choose(largest_price, largest_node),
            lp: LinearProgram::default(),
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
        }
    }

    /// A builder over an existing index, for reading a solution with the
    /// model's own expressions.
    pub fn reading(
        input: &'a PlanInput<'a>,
        scales: Scales,
        index: ModelIndex,
    ) -> ModelBuilder<'a> {
        ModelBuilder {
            input,
            scales,
            lp: LinearProgram::default(),
            index,
            ledger: CostLedger::default(),
        }
    }

    /// Gbps needed per PB moved in one period.
    pub fn gbps_per_pb(&self) -> f64 {
        GBPS_PER_PB_PER_SECOND / self.input.seconds
    }

    /// N[t][s][g]: existing nodes plus purchases within the lifetime window.
    pub fn installed_nodes(&self, t: usize, s: usize, g: usize) -> LinExpr {
        let mut expr = LinExpr::constant(self.input.scenario.sites[s].existing_nodes[g]);
        for tau in self.input.window(t, self.input.gpu_life[g]) {
            expr.add_opt(self.index.buy_nodes.get(tau, s, g), 1.0);
        }
        expr
    }

    /// C[t][s][k]: existing PB plus purchases within the lifetime window.
    pub fn installed_storage(&self, t: usize, s: usize, k: usize) -> LinExpr {
        let mut expr = LinExpr::constant(self.input.scenario.sites[s].existing_storage_pb[k]);
        for tau in self.input.window(t, self.input.tier_life[k]) {
            expr.add_opt(self.index.buy_storage.get(tau, s, k), 1.0);
        }
        expr
    }

    /// Nodes of GPU g bought in period t at all sites.
    pub fn nodes_bought_everywhere(&self, t: usize, g: usize) -> LinExpr {
        let mut expr = LinExpr::default();
        for s in 0..self.input.scenario.sites.len() {
            expr.add_opt(self.index.buy_nodes.get(t, s, g), 1.0);
        }
        expr
    }

    /// x[t][s][c]: PB of class c arriving at site s in period t (ingested
    /// plus copied in).
    pub fn inflow(&self, t: usize, s: usize, c: usize) -> LinExpr {
        let mut expr = LinExpr::default();
        expr.add_opt(self.index.ingest.get(t, s, c), 1.0);
        for (l, link) in self.input.scenario.links.iter().enumerate() {
            if link.to == s {
                expr.add_opt(self.index.copy.get(t, l, c), 1.0);
            }
        }
        expr
    }

    /// X[t][s][c]: PB of class c kept at site s in period t (inflows within
    /// the retention window).
    pub fn stock(&self, t: usize, s: usize, c: usize) -> LinExpr {
        let mut expr = LinExpr::default();
        for tau in self.input.window(t, self.input.retention_periods[c]) {
            expr.add_scaled(&self.inflow(tau, s, c), 1.0);
        }
        expr
    }

    /// De-identification compute (model units) charged at site s in period t:
    /// for every copy of an "export_after_deid" class leaving home from s.
    pub fn deid_work(&self, t: usize, s: usize) -> LinExpr {
        let scenario = self.input.scenario;
        let mut expr = LinExpr::default();
        for (l, link) in scenario.links.iter().enumerate() {
            if link.from != s || !self.input.link_leaves_home(l) {
                continue;
            }
            for (c, class) in scenario.data_classes.iter().enumerate() {
                if class.residency == Residency::ExportAfterDeid {
                    expr.add_opt(
                        self.index.copy.get(t, l, c),
                        class.deid_pflop_per_pb / self.scales.compute,
                    );
                }
            }
        }
        expr
    }

    /// P[t][s]: MW drawn at site s in period t, PUE included.
    pub fn power_mw(&self, t: usize, s: usize) -> LinExpr {
        let scenario = self.input.scenario;
        let pue = scenario.sites[s].pue;
        let mut expr = LinExpr::default();
        for (g, gpu) in scenario.gpus.iter().enumerate() {
            expr.add_scaled(
                &self.installed_nodes(t, s, g),
                pue * gpu.node_kw / KW_PER_MW,
            );
        }
        for (k, tier) in scenario.storage_tiers.iter().enumerate() {
            expr.add_scaled(
                &self.installed_storage(t, s, k),
                pue * tier.kw_per_pb / KW_PER_MW,
            );
        }
        expr
    }
}
