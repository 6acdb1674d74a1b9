//! What an alternative minimises or maximises, in the planner's words:
//!
//! * `nodes:GPU[,GPU...]`: nodes of these GPUs bought over the horizon;
//! * `abroad-pb[:CLASS]`: PB kept at sites outside the home jurisdiction
//!   in the last period (of every class, or one);
//! * `peak-mw:SITE`: the site's highest power over the periods, MW;
//! * `compute:SITE`: sustained PFLOP/s installed at the site in the last
//!   period;
//! * `capex-until:PERIOD`: cash spent on purchases up to and including the
//!   period;
//! * `made-for:JURISDICTION`: nodes bought of the GPUs whose `allowed_in`
//!   holds that jurisdiction only.
//!
//! A metric the scenario cannot have (an unknown GPU, site, class, period
//! or jurisdiction) is a bad input with a did-you-mean.

use crate::model::{LinExpr, ModelExpressions, PlanInput};
use crate::plan::result::PlanResult;
use crate::scenario::diagnostic::did_you_mean;
use crate::scenario::Scenario;

/// A metric, as the command line names it and as the scenario resolves it.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// As written: `nodes:H20,H200`.
    pub text: String,
    pub kind: MetricKind,
}

/// What a metric measures, with the scenario's indices.
#[derive(Debug, Clone, PartialEq)]
pub enum MetricKind {
    /// Nodes bought over the horizon of these GPUs.
    Nodes(Vec<usize>),
    /// PB kept abroad in the last period, of one class or all.
    AbroadPb(Option<usize>),
    /// A site's highest power over the periods.
    PeakMw(usize),
    /// Sustained PFLOP/s installed at a site in the last period.
    Compute(usize),
    /// Cash spent on purchases in periods 0..=t.
    CapexUntil(usize),
    /// Nodes bought of the GPUs made for one jurisdiction only (the GPUs,
    /// and the jurisdiction).
    MadeFor(Vec<usize>, String),
}

const KINDS: [&str; 6] = [
    "nodes",
    "abroad-pb",
    "peak-mw",
    "compute",
    "capex-until",
    "made-for",
];

impl Metric {
    /// Reads `KIND[:ARGUMENT]` against the scenario.
    pub fn parse(text: &str, scenario: &Scenario) -> Result<Metric, String> {
        let text = text.trim();
        let (kind, argument) = match text.split_once(':') {
            Some((kind, argument)) => (kind.trim(), Some(argument.trim())),
            None => (text, None),
        };
        let needs = |what: &str| {
            argument.filter(|a| !a.is_empty()).ok_or_else(|| {
                format!(
                    "metric `{text}` needs {what}: `{kind}:{}`",
                    what.to_uppercase()
                )
            })
        };
        let kind = match kind {
            "nodes" => {
                let names = needs("gpu")?;
                let gpus = names
                    .split(',')
                    .map(|name| gpu_index(scenario, name.trim(), text))
                    .collect::<Result<Vec<_>, _>>()?;
                MetricKind::Nodes(gpus)
            }
            "abroad-pb" => match argument {
                None => MetricKind::AbroadPb(None),
                Some(class) => {
                    let names = scenario.data_classes.iter().map(|c| c.name.as_str());
                    let index = find(names, class, "data class", text)?;
                    MetricKind::AbroadPb(Some(index))
                }
            },
            "peak-mw" => MetricKind::PeakMw(site_index(scenario, needs("site")?, text)?),
            "compute" => MetricKind::Compute(site_index(scenario, needs("site")?, text)?),
            "capex-until" => {
                let period = needs("period")?;
                let calendar = &scenario.calendar;
                let labels: Vec<String> =
                    (0..calendar.periods).map(|t| calendar.label(t)).collect();
                let index = find(labels.iter().map(String::as_str), period, "period", text)?;
                MetricKind::CapexUntil(index)
            }
            "made-for" => {
                let jurisdiction = needs("jurisdiction")?;
                let gpus: Vec<usize> = scenario
                    .gpus
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| g.allowed_in.len() == 1 && g.allowed_in[0] == jurisdiction)
                    .map(|(i, _)| i)
                    .collect();
                if gpus.is_empty() {
                    let mut known: Vec<&str> = scenario
                        .sites
                        .iter()
                        .map(|s| s.jurisdiction.as_str())
                        .collect();
                    known.extend(
                        scenario
                            .gpus
                            .iter()
                            .flat_map(|g| g.allowed_in.iter().map(String::as_str)),
                    );
                    known.sort_unstable();
                    known.dedup();
                    let hint = did_you_mean(jurisdiction, known.iter().copied())
                        .map(|close| format!("did you mean `{close}`? "))
                        .unwrap_or_default();
                    return Err(format!(
                        "metric `{text}`: no GPU is made for `{jurisdiction}` alone (allowed_in = [\"{jurisdiction}\"]); {hint}jurisdictions: {}",
                        known.join(", ")
                    ));
                }
                MetricKind::MadeFor(gpus, jurisdiction.to_string())
            }
            other => {
                let hint = did_you_mean(other, KINDS)
                    .map(|close| format!("did you mean `{close}`? "))
                    .unwrap_or_default();
                return Err(format!(
                    "metric `{text}` is not one fsdplan knows; {hint}allowed: nodes:GPU[,GPU...], abroad-pb[:CLASS], peak-mw:SITE, compute:SITE, capex-until:PERIOD, made-for:JURISDICTION"
                ));
            }
        };
        Ok(Metric {
            text: text.to_string(),
            kind,
        })
    }

    /// The default metrics: nodes of every GPU, PB abroad, and the peak of
    /// every site with a power cap.
    pub fn defaults(scenario: &Scenario) -> Vec<Metric> {
        let mut metrics: Vec<Metric> = scenario
            .gpus
            .iter()
            .enumerate()
            .map(|(g, gpu)| Metric {
                text: format!("nodes:{}", gpu.name),
                kind: MetricKind::Nodes(vec![g]),
            })
            .collect();
        metrics.push(Metric {
            text: "abroad-pb".into(),
            kind: MetricKind::AbroadPb(None),
        });
        metrics.extend(
            scenario
                .sites
                .iter()
                .enumerate()
                .filter(|(_, site)| site.power_cap_mw.is_some())
                .map(|(s, site)| Metric {
                    text: format!("peak-mw:{}", site.name),
                    kind: MetricKind::PeakMw(s),
                }),
        );
        metrics
    }

    /// The metric's unit, for tables and JSON.
    pub fn unit(&self, currency: &str) -> String {
        match self.kind {
            MetricKind::Nodes(_) | MetricKind::MadeFor(..) => "nodes".into(),
            MetricKind::AbroadPb(_) => "PB".into(),
            MetricKind::PeakMw(_) => "MW".into(),
            MetricKind::Compute(_) => "PFLOP/s".into(),
            MetricKind::CapexUntil(_) => currency.to_string(),
        }
    }

    /// The metric over the model's columns, in its unit. A peak is the
    /// largest of several expressions (one per period); every other metric
    /// is one.
    pub fn expressions(&self, ex: &ModelExpressions) -> Vec<LinExpr> {
        let input = ex.input;
        let scenario = input.scenario;
        let last = input.periods.saturating_sub(1);
        let nodes_of = |gpus: &[usize]| {
            let mut expr = LinExpr::default();
            for t in 0..input.periods {
                for &g in gpus {
                    expr.add_scaled(&ex.nodes_bought_everywhere(t, g), 1.0);
                }
            }
            expr
        };
        match &self.kind {
            MetricKind::Nodes(gpus) | MetricKind::MadeFor(gpus, _) => vec![nodes_of(gpus)],
            MetricKind::AbroadPb(class) => {
                let mut expr = LinExpr::default();
                for (s, site) in scenario.sites.iter().enumerate() {
                    if site.is_home {
                        continue;
                    }
                    for c in 0..scenario.data_classes.len() {
                        if class.is_none_or(|only| only == c) {
                            expr.add_scaled(&ex.stock(last, s, c), 1.0);
                        }
                    }
                }
                vec![expr]
            }
            MetricKind::PeakMw(s) => (0..input.periods).map(|t| ex.power_mw(t, *s)).collect(),
            MetricKind::Compute(s) => {
                let mut expr = LinExpr::default();
                for g in 0..scenario.gpus.len() {
                    expr.add_scaled(
                        &ex.installed_nodes(last, *s, g),
                        input.node_pflop[g] / input.seconds,
                    );
                }
                vec![expr]
            }
            MetricKind::CapexUntil(until) => {
                let mut expr = LinExpr::default();
                for t in 0..=*until {
                    for s in 0..scenario.sites.len() {
                        for g in 0..scenario.gpus.len() {
                            expr.add_opt(
                                ex.index.buy_nodes.get(t, s, g),
                                input.price_paid(t, s, g),
                            );
                        }
                        for k in 0..scenario.storage_tiers.len() {
                            expr.add_opt(ex.index.buy_storage.get(t, s, k), input.tier_price[t][k]);
                        }
                    }
                }
                vec![expr]
            }
        }
    }

    /// The metric's value in a plan, read from its result rows (the rows
    /// the audit checks), not from the solver's columns.
    pub fn value(&self, input: &PlanInput, result: &PlanResult) -> f64 {
        let scenario = input.scenario;
        let last = input.labels.last().map(String::as_str).unwrap_or_default();
        let gpu_named = |name: &str| scenario.gpus.iter().position(|g| g.name == name);
        let site_named = |name: &str| scenario.sites.iter().position(|s| s.name == name);
        let period_named = |label: &str| input.labels.iter().position(|l| l == label);
        match &self.kind {
            MetricKind::Nodes(gpus) | MetricKind::MadeFor(gpus, _) => result
                .gpus
                .iter()
                .filter(|r| gpu_named(&r.gpu).is_some_and(|g| gpus.contains(&g)))
                .map(|r| r.bought_nodes)
                .sum(),
            MetricKind::AbroadPb(class) => result
                .data
                .iter()
                .filter(|r| r.period == last)
                .filter(|r| site_named(&r.site).is_some_and(|s| !scenario.sites[s].is_home))
                .filter(|r| class.is_none_or(|c| scenario.data_classes[c].name == r.class))
                .map(|r| r.stock_pb)
                .sum(),
            MetricKind::PeakMw(s) => result
                .sites
                .iter()
                .filter(|r| r.site == scenario.sites[*s].name)
                .map(|r| r.power_mw)
                .fold(0.0, f64::max),
            MetricKind::Compute(s) => result
                .sites
                .iter()
                .filter(|r| r.period == last && r.site == scenario.sites[*s].name)
                .map(|r| r.compute_pflop / input.seconds)
                .sum(),
            MetricKind::CapexUntil(until) => {
                let nodes: f64 = result
                    .gpus
                    .iter()
                    .filter_map(|r| {
                        let (t, s, g) = (
                            period_named(&r.period)?,
                            site_named(&r.site)?,
                            gpu_named(&r.gpu)?,
                        );
                        (t <= *until).then(|| r.bought_nodes * input.price_paid(t, s, g))
                    })
                    .sum();
                let storage: f64 = result
                    .storage
                    .iter()
                    .filter_map(|r| {
                        let t = period_named(&r.period)?;
                        let k = scenario
                            .storage_tiers
                            .iter()
                            .position(|k| k.name == r.tier)?;
                        (t <= *until).then(|| r.bought_pb * input.tier_price[t][k])
                    })
                    .sum();
                nodes + storage
            }
        }
    }
}

fn find<'a>(
    names: impl Iterator<Item = &'a str> + Clone,
    name: &str,
    what: &str,
    text: &str,
) -> Result<usize, String> {
    if let Some(index) = names.clone().position(|n| n == name) {
        return Ok(index);
    }
    let hint = did_you_mean(name, names.clone())
        .map(|close| format!("did you mean `{close}`? "))
        .unwrap_or_default();
    let known: Vec<&str> = names.collect();
    Err(format!(
        "metric `{text}`: no {what} `{name}` in the scenario; {hint}{what}s: {}",
        known.join(", ")
    ))
}

fn gpu_index(scenario: &Scenario, name: &str, text: &str) -> Result<usize, String> {
    find(
        scenario.gpus.iter().map(|g| g.name.as_str()),
        name,
        "GPU",
        text,
    )
}

fn site_index(scenario: &Scenario, name: &str, text: &str) -> Result<usize, String> {
    find(
        scenario.sites.iter().map(|s| s.name.as_str()),
        name,
        "site",
        text,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyses::plan;
    use crate::plan::PlanOptions;
    use crate::solve::{MicroLp, NoClock};

    fn small() -> Scenario {
        let text = include_str!("../../../tests/scenarios/small.toml");
        let catalog = include_str!("../../../tests/scenarios/small-catalog.toml");
        let mut read = |path: &std::path::Path| {
            if path.ends_with("small-catalog.toml") {
                Ok(catalog.to_string())
            } else {
                Ok(text.to_string())
            }
        };
        crate::scenario::load(
            std::path::Path::new("tests/scenarios/small.toml"),
            &mut read,
        )
        .expect("the small scenario loads")
        .scenario
    }

    #[test]
    fn metrics_read_in_the_planners_words_with_a_did_you_mean() {
        let scenario = small();
        let gpu = scenario.gpus[0].name.clone();
        let site = scenario.sites[0].name.clone();
        assert!(matches!(
            Metric::parse(&format!("nodes:{gpu}"), &scenario).unwrap().kind,
            MetricKind::Nodes(ref g) if g == &vec![0]
        ));
        assert_eq!(
            Metric::parse("abroad-pb", &scenario).unwrap().kind,
            MetricKind::AbroadPb(None)
        );
        assert_eq!(
            Metric::parse(&format!("peak-mw:{site}"), &scenario)
                .unwrap()
                .kind,
            MetricKind::PeakMw(0)
        );
        let label = scenario.calendar.label(1);
        assert_eq!(
            Metric::parse(&format!("capex-until:{label}"), &scenario)
                .unwrap()
                .kind,
            MetricKind::CapexUntil(1)
        );
        let error = Metric::parse("peak-mv:x", &scenario).unwrap_err();
        assert!(error.contains("did you mean `peak-mw`?"), "{error}");
        let typo: String = format!("{site}x");
        let error = Metric::parse(&format!("compute:{typo}"), &scenario).unwrap_err();
        assert!(
            error.contains(&format!("did you mean `{site}`?")),
            "{error}"
        );
        let error = Metric::parse("nodes", &scenario).unwrap_err();
        assert!(error.contains("needs gpu: `nodes:GPU`"), "{error}");
        let error = Metric::parse("capex-until:1999Q1", &scenario).unwrap_err();
        assert!(error.contains("no period `1999Q1`"), "{error}");
    }

    #[test]
    fn defaults_are_every_gpu_the_data_abroad_and_every_capped_site() {
        let scenario = small();
        let texts: Vec<String> = Metric::defaults(&scenario)
            .into_iter()
            .map(|m| m.text)
            .collect();
        let capped = scenario
            .sites
            .iter()
            .filter(|s| s.power_cap_mw.is_some())
            .count();
        assert_eq!(texts.len(), scenario.gpus.len() + 1 + capped);
        assert!(texts.contains(&"abroad-pb".to_string()));
    }

    /// Each metric read from the audited rows equals its expression at the
    /// solver's point: the two definitions agree.
    #[test]
    fn a_metric_reads_the_same_from_the_rows_as_from_the_columns() {
        let scenario = small();
        let planned = plan(&scenario, PlanOptions::default(), &MicroLp, &NoClock);
        let report = planned.report();
        assert!(report.objective.is_some(), "{:?}", report.message);
        let run = &planned.run;
        let values = run.outcome.values.as_ref().expect("a plan");
        let ex = ModelExpressions {
            input: &run.input,
            index: &run.model.index,
            scales: run.model.scales,
        };
        let mut metrics = Metric::defaults(&scenario);
        for text in [
            format!("compute:{}", scenario.sites[0].name),
            format!(
                "capex-until:{}",
                scenario.calendar.label(scenario.calendar.periods - 1)
            ),
            format!("peak-mw:{}", scenario.sites[0].name),
        ] {
            metrics.push(Metric::parse(&text, &scenario).unwrap());
        }
        for metric in metrics {
            let from_columns = metric
                .expressions(&ex)
                .iter()
                .map(|e| e.value(values))
                .fold(f64::NEG_INFINITY, f64::max);
            let from_rows = metric.value(&run.input, &report.result);
            if !metric.text.starts_with("abroad-pb") {
                assert!(
                    from_rows > 0.0,
                    "{} is 0: the check would be empty",
                    metric.text
                );
            }
            let scale = from_columns.abs().max(1.0);
            assert!(
                (from_columns - from_rows).abs() <= 1e-6 * scale,
                "{}: columns {from_columns}, rows {from_rows}",
                metric.text
            );
        }
    }
}
