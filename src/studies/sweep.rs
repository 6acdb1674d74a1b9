//! Sweeps: the grid of every combination of swept values, each point planned
//! on its own, in parallel, in a deterministic order; shards of a grid for
//! many machines, and the merge of their outputs.
//!
//! Grid order is that of nested loops over the axes as given: the first axis
//! varies slowest. Shard `I/N` holds the points whose index is `I-1` modulo
//! `N` (round robin, so neighbouring points, which tend to take similar
//! times, are spread over the shards).

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use toml::Value;

use crate::analyses::{hedged_audit, PlanReport};
use crate::plan::{self, PlanOptions};
use crate::scenario::overrides::{parse_value, value_text};
use crate::scenario::{Override, ScenarioError, ScenarioSources};
use crate::solve::{Clock, LpBackend};

pub const SCHEMA: &str = "fsdplan.sweep/1";

/// The most points one run plans (a whole grid, or one shard of it): a
/// typo such as `/100000000` is refused at once rather than planned for days.
pub const MAX_POINTS: usize = 100_000;

/// The status of a point whose scenario is invalid.
pub const BAD_INPUT: &str = "bad input";

/// The status of a point not planned because the run was interrupted.
pub const NOT_RUN: &str = "not run";

/// One swept parameter: a path and the values it takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    base: Override,
    values: Vec<Value>,
}

impl Axis {
    /// Parses `PATH=V1,V2,...` (a list) or `PATH=A..B/N` (N evenly spaced
    /// values from A to B, both included). A single value is an axis of one.
    pub fn parse(text: &str) -> Result<Axis, String> {
        let base = Override::parse(text)?;
        let values_text = text[text.find('=').map_or(0, |i| i + 1)..].trim();
        let values = match parse_range(values_text)? {
            Some(values) => values,
            None => split_list(values_text)
                .into_iter()
                .map(|v| parse_value(v.trim()))
                .collect(),
        };
        if values.is_empty() {
            return Err(format!("`{text}` gives no values"));
        }
        Ok(Axis { base, values })
    }

    pub fn path(&self) -> &str {
        self.base.path()
    }

    pub fn values(&self) -> &[Value] {
        &self.values
    }

    fn value_texts(&self) -> Vec<String> {
        self.values.iter().map(value_text).collect()
    }
}

/// `A..B/N`, when the text has that form.
fn parse_range(text: &str) -> Result<Option<Vec<Value>>, String> {
    let Some((ends, count)) = text.split_once('/') else {
        // Two numbers joined by `..` are a range that lacks its points.
        if let Some((from, to)) = text.split_once("..") {
            let numeric = |t: &str| t.trim().parse::<f64>().is_ok();
            if numeric(from) && numeric(to) {
                return Err(format!(
                    "`{text}` is a range without its number of points; allowed: A..B/N, N >= 2 evenly spaced values from A to B, e.g. {}..{}/5",
                    from.trim(),
                    to.trim()
                ));
            }
        }
        return Ok(None);
    };
    let Some((from, to)) = ends.split_once("..") else {
        return Ok(None);
    };
    let bad = || {
        format!("`{text}` is not a range A..B/N: A and B numbers, N >= 2 points, e.g. 0.1..0.3/5")
    };
    let number = |t: &str| match parse_value(t.trim()) {
        Value::Integer(i) => Some(i as f64),
        Value::Float(x) if x.is_finite() => Some(x),
        _ => None,
    };
    let (Some(from), Some(to)) = (number(from), number(to)) else {
        return Err(bad());
    };
    let count: usize = count.trim().parse().map_err(|_| bad())?;
    if count < 2 {
        return Err(bad());
    }
    if count > MAX_POINTS {
        return Err(format!(
            "`{text}` has {count} points; allowed: at most {MAX_POINTS} points in a sweep"
        ));
    }
    Ok(Some(
        (0..count)
            .map(|i| {
                let x = from + (to - from) * i as f64 / (count - 1) as f64;
                // 13 significant digits: 0.1..0.3/3 gives 0.2, not 0.20000000000000004.
                let x: f64 = format!("{x:.12e}").parse().unwrap_or(x);
                Value::Float(x)
            })
            .collect(),
    ))
}

/// Splits on commas outside brackets and quotes, so list values such as
/// `["CN","US"]` stay whole.
fn split_list(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, ch) in text.char_indices() {
        match ch {
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// All combinations of the axes' values.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub axes: Vec<Axis>,
}

impl Grid {
    /// The number of points, saturating (see [`Grid::points_to_plan`]).
    pub fn size(&self) -> usize {
        self.checked_size().unwrap_or(usize::MAX)
    }

    fn checked_size(&self) -> Option<usize> {
        self.axes
            .iter()
            .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
    }

    /// The points one run plans (the whole grid or one shard), or why there
    /// are too many: at most [`MAX_POINTS`], checked before any work.
    pub fn points_to_plan(&self, shard: Option<Shard>) -> Result<usize, String> {
        let sizes: Vec<String> = self
            .axes
            .iter()
            .map(|a| a.values.len().to_string())
            .collect();
        let Some(size) = self.checked_size() else {
            return Err(format!(
                "the sweep grid has more points than can be counted ({}); allowed: at most {MAX_POINTS} points per run",
                sizes.join(" x ")
            ));
        };
        let points = points_in(self, shard);
        if points > MAX_POINTS {
            let what = match shard {
                Some(s) => format!(
                    "shard {s} of the sweep grid ({size} points: {})",
                    sizes.join(" x ")
                ),
                None => format!("the sweep grid ({})", sizes.join(" x ")),
            };
            let shards = size.div_ceil(MAX_POINTS);
            return Err(format!(
                "{what} has {points} points; allowed: at most {MAX_POINTS} points per run (split it with --shard I/{shards} or more)"
            ));
        }
        Ok(points)
    }

    /// The overrides of point `index` (first axis slowest).
    pub fn point(&self, index: usize) -> Vec<Override> {
        let mut rest = index;
        let mut chosen = vec![0; self.axes.len()];
        for (a, axis) in self.axes.iter().enumerate().rev() {
            chosen[a] = rest % axis.values.len();
            rest /= axis.values.len();
        }
        self.axes
            .iter()
            .zip(chosen)
            .map(|(axis, i)| axis.base.with_value(axis.values[i].clone()))
            .collect()
    }
}

/// One of `count` deterministic parts of a grid (1-based `index`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parses `I/N` with 1 <= I <= N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("`{text}` is not a shard I/N with 1 <= I <= N, e.g. 2/8");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    pub fn holds(&self, point: usize) -> bool {
        point % self.count == self.index - 1
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A swept parameter as recorded in the output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AxisInfo {
    pub path: String,
    pub values: Vec<String>,
}

/// One point of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    /// Index in the grid.
    pub point: usize,
    /// The value of each swept parameter, in axis order.
    pub values: Vec<String>,
    pub status: String,
    pub npv: Option<f64>,
    /// Nodes bought over the horizon per GPU.
    pub nodes_bought: BTreeMap<String, f64>,
    pub peak_mw: Option<f64>,
    /// Why the point has no plan, when it has none.
    pub error: Option<String>,
}

/// A sweep's result (or one shard of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    pub schema: String,
    pub scenario: String,
    pub currency: String,
    pub parameters: Vec<AxisInfo>,
    /// The GPU options of the scenario, in its order (the table's columns).
    pub gpus: Vec<String>,
    pub grid_size: usize,
    /// `I/N` for one shard; `null` for a whole grid.
    pub shard: Option<String>,
    pub rows: Vec<SweepRow>,
}

impl SweepReport {
    /// Points that produced a plan.
    pub fn planned(&self) -> usize {
        self.rows.iter().filter(|r| r.npv.is_some()).count()
    }
}

/// Plans every point of `grid` in `shard` (all points when `None`) on
/// rayon's current pool, calling `done` after each point. A point whose
/// scenario is invalid or has no plan is a row saying why; the others go on.
/// Rows come out in grid order whatever the number of threads.
///
/// Fails only when the scenario without overrides cannot be loaded.
pub fn run(
    sources: &ScenarioSources,
    grid: &Grid,
    shard: Option<Shard>,
    options: PlanOptions,
    backend: &(dyn LpBackend + Sync),
    clock: &(dyn Fn() -> Box<dyn Clock> + Sync),
    done: &(dyn Fn() + Sync),
) -> Result<SweepReport, ScenarioError> {
    let base = sources.scenario(&[])?.scenario;
    let points = shard_points(grid, shard);
    let rows = points
        .par_iter()
        .map(|&point| {
            let row = sweep_point(sources, grid, point, options, backend, &*clock());
            done();
            row
        })
        .collect();
    Ok(SweepReport {
        schema: SCHEMA.into(),
        scenario: base.name.clone(),
        currency: base.currency.clone(),
        parameters: grid
            .axes
            .iter()
            .map(|a| AxisInfo {
                path: a.path().to_string(),
                values: a.value_texts(),
            })
            .collect(),
        gpus: base.gpus.iter().map(|g| g.name.clone()).collect(),
        grid_size: grid.size(),
        shard: shard.map(|s| s.to_string()),
        rows,
    })
}

/// The points of a shard, for progress bars.
pub fn points_in(grid: &Grid, shard: Option<Shard>) -> usize {
    let size = grid.size();
    match shard {
        None => size,
        // Points p < size with p % count == index - 1.
        Some(s) => size / s.count + usize::from(size % s.count >= s.index),
    }
}

/// The indices of the points in `shard`, without visiting the others.
fn shard_points(grid: &Grid, shard: Option<Shard>) -> Vec<usize> {
    match shard {
        None => (0..grid.size()).collect(),
        Some(s) => (s.index - 1..grid.size()).step_by(s.count).collect(),
    }
}

fn sweep_point(
    sources: &ScenarioSources,
    grid: &Grid,
    point: usize,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) -> SweepRow {
    let overrides = grid.point(point);
    let mut row = SweepRow {
        point,
        values: overrides.iter().map(Override::value_text).collect(),
        status: String::new(),
        npv: None,
        nodes_bought: BTreeMap::new(),
        peak_mw: None,
        error: None,
    };
    if clock.interrupted() {
        row.status = NOT_RUN.into();
        row.error = Some("interrupted before this point was planned".into());
        return row;
    }
    let loaded = match sources.scenario(&overrides) {
        Ok(loaded) => loaded,
        Err(error) => {
            row.status = BAD_INPUT.into();
            row.error = Some(error.summary());
            return row;
        }
    };
    if !loaded.futures.is_empty() {
        hedged_point(&mut row, &loaded, options, backend, clock);
        return row;
    }
    // A point's row shows the status and message; the infeasibility
    // explanation's extra solves would go unseen.
    let run = plan::run(&loaded.scenario, options, backend, clock);
    let report = PlanReport::new(&run, None);
    row.status = report.status.to_string();
    row.npv = report.objective;
    if report.objective.is_some() {
        for gpu in &loaded.scenario.gpus {
            row.nodes_bought.insert(gpu.name.clone(), 0.0);
        }
        for r in &report.gpus {
            *row.nodes_bought.entry(r.gpu.clone()).or_default() += r.bought_nodes;
        }
        row.peak_mw = Some(report.peak_mw());
    } else {
        row.error = report.message.clone();
    }
    row
}

/// A point of a scenario with events: its hedged plan. The NPV column is
/// the hedged objective, nodes are the futures' probability-weighted
/// purchases, and the peak is the highest of any future.
fn hedged_point(
    row: &mut SweepRow,
    loaded: &crate::scenario::LoadedScenario,
    options: PlanOptions,
    backend: &dyn LpBackend,
    clock: &dyn Clock,
) {
    let (base, futures) = (&loaded.scenario, &loaded.futures);
    let run = plan::hedged::run(base, futures, options, backend, clock);
    let report = hedged_audit::certify_hedged(base, futures, run.result());
    row.status = report.status.clone();
    row.npv = report.objective;
    if report.objective.is_none() {
        row.error = report.message.clone();
        return;
    }
    for gpu in &base.gpus {
        row.nodes_bought.insert(gpu.name.clone(), 0.0);
    }
    let mut peak: f64 = 0.0;
    for (plan, future) in report.future_plans().iter().zip(futures) {
        for r in &plan.gpus {
            *row.nodes_bought.entry(r.gpu.clone()).or_default() +=
                future.probability * r.bought_nodes;
        }
        peak = peak.max(plan.peak_mw());
    }
    for nodes in row.nodes_bought.values_mut() {
        *nodes = crate::plan::result::tidy_number(*nodes);
    }
    row.peak_mw = Some(peak);
}

/// Why shard outputs cannot be merged.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MergeError {
    #[error("nothing to merge")]
    Empty,
    #[error("{file} is a sweep of {found}, not of the same grid as {first_file}: {what} differ")]
    DifferentGrid {
        file: String,
        first_file: String,
        found: String,
        what: &'static str,
    },
    #[error("point {point} appears in both {first} and {second}")]
    Duplicate {
        point: usize,
        first: String,
        second: String,
    },
    #[error(
        "{missing} of {grid_size} points are missing (first: {first}); \
         merge the output of every shard"
    )]
    Missing {
        missing: usize,
        grid_size: usize,
        first: usize,
    },
}

/// Joins shard outputs (named for messages) into the report of the whole
/// grid: the one an unsharded sweep gives.
pub fn merge(shards: Vec<(String, SweepReport)>) -> Result<SweepReport, MergeError> {
    let mut shards = shards.into_iter();
    let (first_file, mut merged) = shards.next().ok_or(MergeError::Empty)?;
    let mut origin: BTreeMap<usize, String> = merged
        .rows
        .iter()
        .map(|r| (r.point, first_file.clone()))
        .collect();
    for (file, report) in shards {
        let differs = [
            ("schemas", report.schema != merged.schema),
            ("scenarios", report.scenario != merged.scenario),
            ("parameters", report.parameters != merged.parameters),
            ("GPU options", report.gpus != merged.gpus),
            ("grid sizes", report.grid_size != merged.grid_size),
        ]
        .into_iter()
        .find(|(_, differs)| *differs);
        if let Some((what, _)) = differs {
            return Err(MergeError::DifferentGrid {
                file,
                first_file,
                found: report.scenario,
                what,
            });
        }
        for row in report.rows {
            if let Some(first) = origin.get(&row.point) {
                return Err(MergeError::Duplicate {
                    point: row.point,
                    first: first.clone(),
                    second: file,
                });
            }
            origin.insert(row.point, file.clone());
            merged.rows.push(row);
        }
    }
    merged.rows.sort_by_key(|r| r.point);
    let missing: Vec<usize> = (0..merged.grid_size)
        .filter(|p| !origin.contains_key(p))
        .collect();
    if let Some(&first) = missing.first() {
        return Err(MergeError::Missing {
            missing: missing.len(),
            grid_size: merged.grid_size,
            first,
        });
    }
    merged.shard = None;
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_without_points_says_how_to_write_one() {
        let error = Axis::parse("fleet.growth_per_year=0.1..0.3").unwrap_err();
        assert!(error.contains("without its number of points"), "{error}");
        assert!(error.contains("e.g. 0.1..0.3/5"), "{error}");
    }

    #[test]
    fn lists_and_ranges() {
        let axis = Axis::parse("fleet.growth_per_year=0.1..0.3/3").unwrap();
        assert_eq!(axis.value_texts(), ["0.1", "0.2", "0.3"]);
        let axis = Axis::parse("gpu.H20.allowed_in=[\"CN\"],[\"CN\",\"US\"]").unwrap();
        assert_eq!(axis.values().len(), 2);
        let axis = Axis::parse("gpu.H20.price_per_node=9e5,1.1e6").unwrap();
        assert_eq!(axis.value_texts(), ["900000", "1100000"]);
        assert!(Axis::parse("fleet.growth_per_year=0.1..x/3").is_err());
        assert!(Axis::parse("fleet.growth_per_year=0.1..0.3/1").is_err());
    }

    #[test]
    fn grid_order_is_nested_loops() {
        let grid = Grid {
            axes: vec![
                Axis::parse("a.x=1,2").unwrap(),
                Axis::parse("b.y=10,20,30").unwrap(),
            ],
        };
        assert_eq!(grid.size(), 6);
        let texts = |p| {
            grid.point(p)
                .iter()
                .map(Override::value_text)
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(0), ["1", "10"]);
        assert_eq!(texts(2), ["1", "30"]);
        assert_eq!(texts(3), ["2", "10"]);
    }

    #[test]
    fn shards_partition_the_grid() {
        let shards: Vec<Shard> = (1..=3).map(|i| Shard { index: i, count: 3 }).collect();
        for point in 0..10 {
            assert_eq!(shards.iter().filter(|s| s.holds(point)).count(), 1);
        }
        assert!(Shard::parse("0/3").is_err());
        assert!(Shard::parse("4/3").is_err());
        assert_eq!(Shard::parse("2/3").unwrap(), Shard { index: 2, count: 3 });
    }

    #[test]
    fn a_shard_counts_and_lists_its_points_without_visiting_the_grid() {
        let axis = |n: usize| Axis::parse(&format!("fleet.vehicles=1..2/{n}")).unwrap();
        let grid = Grid {
            axes: vec![axis(7), axis(3)],
        };
        for count in 1..=25 {
            for index in 1..=count {
                let shard = Some(Shard { index, count });
                let expected: Vec<usize> = (0..21).filter(|&p| (p % count) + 1 == index).collect();
                assert_eq!(shard_points(&grid, shard), expected);
                assert_eq!(points_in(&grid, shard), expected.len(), "{index}/{count}");
            }
        }
    }

    #[test]
    fn sweeps_beyond_the_point_limit_are_refused_before_any_work() {
        let refused = Axis::parse("fleet.vehicles=1..2/100000000").unwrap_err();
        assert!(refused.contains("100000000 points"), "{refused}");
        let axis = |n: usize| Axis::parse(&format!("fleet.vehicles=1..2/{n}")).unwrap();
        let grid = Grid {
            axes: vec![axis(1000), axis(1000), axis(1000)],
        };
        let why = grid.points_to_plan(None).unwrap_err();
        assert!(
            why.contains("1000000000 points") && why.contains("--shard I/10000"),
            "{why}"
        );
        // A shard small enough is fine, and counted without a loop.
        let shard = Some(Shard {
            index: 3,
            count: 20_000,
        });
        assert_eq!(grid.points_to_plan(shard), Ok(50_000));
        // A grid whose size overflows usize is refused too.
        let huge = Grid {
            axes: vec![axis(100_000); 5],
        };
        assert!(huge
            .points_to_plan(Some(Shard { index: 1, count: 2 }))
            .is_err());
    }
}
