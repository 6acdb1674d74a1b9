//! The expressions several constraint families and the report share, over
//! the model's variables: installed nodes and storage, inflow, stock,
//! de-identification and training work, power. The report reads a solution
//! with the same expressions, so rows use exactly the model's definitions.

use super::builder::ModelIndex;
use super::input::PlanInput;
use super::lp::LinExpr;
use crate::scenario::Residency;
use crate::units::{Scales, KW_PER_MW};

/// Read-only access to the model's variables as planner quantities.
#[derive(Clone, Copy)]
pub struct ModelExpressions<'a> {
    pub input: &'a PlanInput<'a>,
    pub index: &'a ModelIndex,
    pub scales: Scales,
}

impl ModelExpressions<'_> {
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

    /// All compute work at site s in period t (model units): training, base
    /// and de-identification.
    pub fn work(&self, t: usize, s: usize) -> LinExpr {
        let mut work = self.training_work(t, s);
        work.add_scaled(&self.deid_work(t, s), 1.0);
        work
    }

    /// Training and base compute at site s in period t (what reads storage).
    pub fn training_work(&self, t: usize, s: usize) -> LinExpr {
        let mut work = LinExpr::default();
        for c in 0..self.input.scenario.data_classes.len() {
            work.add_opt(self.index.train.get(t, s, c), 1.0);
        }
        work.add_opt(self.index.base.get(t, s, 0), 1.0);
        work
    }
}
