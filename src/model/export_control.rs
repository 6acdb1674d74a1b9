//! Export control and supply: which GPU may be bought where and when, at what
//! price factor, with which caps on installed nodes and purchases.
//!
//! A purchase of GPU g at site s in period t is possible only when g is
//! available in t, the site's jurisdiction is in `allowed_in`, and no "ban"
//! rule for (g, jurisdiction) is in force in t. While "licence" rules are in
//! force their price factors multiply and the smallest cap applies to the
//! installed nodes (never below the nodes already there); the cap applies
//! even when a ban also stops purchases.

use super::builder::ModelBuilder;
use super::lp::Sense;
use crate::scenario::{RuleAction, Scenario};

/// What export control says about buying GPU g at site s in period t.
#[derive(Debug, Clone, PartialEq)]
pub struct PurchaseTerms {
    /// Why no purchase is possible, when it is not.
    pub blocked: Option<Blocked>,
    /// Product of the price factors of licences in force.
    pub price_factor: f64,
    /// Smallest licence cap on installed nodes in force (before the
    /// existing-nodes floor).
    pub licence_cap: Option<f64>,
}

/// The reason a purchase is impossible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// Outside `available_from..available_until`.
    NotAvailable,
    /// The jurisdiction is not in `allowed_in`.
    NotAllowed,
    /// A ban rule is in force.
    Banned,
}

impl Blocked {
    pub fn as_str(self) -> &'static str {
        match self {
            Blocked::NotAvailable => "not available",
            Blocked::NotAllowed => "not allowed",
            Blocked::Banned => "banned",
        }
    }
}

/// The purchase terms for GPU `g` at site `s` in period `t`.
pub fn purchase_terms(scenario: &Scenario, t: usize, s: usize, g: usize) -> PurchaseTerms {
    let gpu = &scenario.gpus[g];
    let site = &scenario.sites[s];
    let calendar = &scenario.calendar;
    let mut terms = PurchaseTerms {
        blocked: None,
        price_factor: 1.0,
        licence_cap: None,
    };
    let mut banned = false;
    for rule in &scenario.export_rules {
        if rule.gpu != g
            || rule.jurisdiction != site.jurisdiction
            || !calendar.overlaps(t, &rule.months)
        {
            continue;
        }
        match rule.action {
            RuleAction::Ban => banned = true,
            RuleAction::Licence {
                price_factor,
                max_installed_nodes_per_site,
            } => {
                terms.price_factor *= price_factor;
                if let Some(cap) = max_installed_nodes_per_site {
                    terms.licence_cap = Some(terms.licence_cap.map_or(cap, |c: f64| c.min(cap)));
                }
            }
        }
    }
    terms.blocked = if !calendar.overlaps(t, &gpu.available) {
        Some(Blocked::NotAvailable)
    } else if !gpu.allowed_in.contains(&site.jurisdiction) {
        Some(Blocked::NotAllowed)
    } else if banned {
        Some(Blocked::Banned)
    } else {
        None
    };
    terms
}

/// Adds licence caps on installed nodes and supply caps on purchases.
pub fn add(m: &mut ModelBuilder) {
    let input = m.input;
    let scenario = input.scenario;
    for t in 0..input.periods {
        let label = &input.labels[t];
        for (g, gpu) in scenario.gpus.iter().enumerate() {
            for (s, site) in scenario.sites.iter().enumerate() {
                let Some(cap) = input.terms(t, s, g).licence_cap else {
                    continue;
                };
                let installed = m.expr().installed_nodes(t, s, g);
                if installed.is_constant() {
                    continue;
                }
                let cap = cap.max(site.existing_nodes[g]);
                m.lp.add_row(
                    format!("licence_cap[{},{},{label}]", gpu.name, site.name),
                    installed,
                    Sense::Le,
                    cap,
                );
            }
            if let Some(max) = gpu.max_nodes_per_period {
                let bought = m.expr().nodes_bought_everywhere(t, g);
                if !bought.is_constant() {
                    m.lp.add_row(
                        format!("supply_cap[{},{label}]", gpu.name),
                        bought,
                        Sense::Le,
                        max,
                    );
                }
            }
        }
    }
}
