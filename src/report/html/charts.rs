//! The report's charts, drawn with plotters' SVG backend: stacked areas,
//! lines, fans, stacked bars and horizontal bars, each with axes in the
//! planner's units and thousands separators, light grid lines, a legend in
//! a column of its own beside the data (names wrap, never cut), and the
//! Okabe-Ito palette (it stays distinguishable for the common kinds of
//! colour blindness).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::report::format::number;

/// Okabe & Ito (2008), "Color Universal Design": eight colours
/// distinguishable with protanopia, deuteranopia and tritanopia. Black
/// comes last: it is kept for lines such as demand and caps.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
    RGBColor(0, 0, 0),       // black
];

/// The colour of the i-th series (repeats after seven; the dash or the
/// legend tells repeats apart).
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % (PALETTE.len() - 1)]
}

/// Width and (least) height of every chart, in SVG pixels.
pub const SIZE: (u32, u32) = (860, 380);

/// The legend's column at the right of a chart: the data never lies under
/// it.
const LEGEND_WIDTH: u32 = 260;

/// Characters of a legend line at 13 px before it wraps (at a word).
const LEGEND_CHARACTERS: usize = 33;

const FONT: &str = "sans-serif";

/// Grid lines: one light line per labelled value, no minor lines.
const GRID: RGBAColor = RGBAColor(0, 0, 0, 0.08);

/// One named series of values, one per x position.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// A dashed reference line (a cap), drawn in the colour of the series of
/// the same index when `colour_of` is given, else black.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub name: String,
    pub values: Vec<Option<f64>>,
    pub colour_of: Option<usize>,
}

/// What every chart has: a title, the x labels (periods or options), the
/// y axis's description with its unit; optionally the x axis's, and a
/// fixed top of the y axis (100 for shares).
#[derive(Debug, Clone, PartialEq)]
pub struct Frame<'a> {
    pub title: &'a str,
    pub x_labels: &'a [String],
    pub y_desc: &'a str,
    pub x_desc: &'a str,
    pub y_max: Option<f64>,
}

impl<'a> Frame<'a> {
    pub fn new(title: &'a str, x_labels: &'a [String], y_desc: &'a str) -> Frame<'a> {
        Frame {
            title,
            x_labels,
            y_desc,
            x_desc: "",
            y_max: None,
        }
    }

    /// The same frame with its y axis running to `top` (e.g. 100%).
    pub fn with_y_max(mut self, top: f64) -> Frame<'a> {
        self.y_max = Some(top);
        self
    }

    /// The same frame with a description of its x axis.
    pub fn with_x_desc(mut self, x_desc: &'a str) -> Frame<'a> {
        self.x_desc = x_desc;
        self
    }

    /// The top of the y axis for these values.
    fn top(&self, values: impl Iterator<Item = f64>) -> f64 {
        self.y_max.unwrap_or_else(|| y_top(values))
    }
}

type DrawResult<T> = Result<T, String>;

fn error<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// The top of the y axis: the largest value with 8% headroom, at least 1.
fn y_top(values: impl Iterator<Item = f64>) -> f64 {
    let largest = values.filter(|v| v.is_finite()).fold(0.0, f64::max);
    if largest <= 0.0 {
        1.0
    } else {
        largest * 1.08
    }
}

/// An axis label with thousands separators and as few decimals as the
/// axis's range needs.
fn axis_number(value: f64, top: f64) -> String {
    let decimals = if top >= 100.0 {
        0
    } else if top >= 1.0 {
        1
    } else {
        3
    };
    number(value, decimals)
}

/// Every nth period label, so that at most about 12 show.
fn x_label(labels: &[String], x: f64) -> String {
    let step = labels.len().div_ceil(12).max(1);
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    let i = i as usize;
    if i < labels.len() && i % step == 0 {
        labels[i].clone()
    } else {
        String::new()
    }
}

/// How an entry of the legend is marked.
#[derive(Debug, Clone, Copy)]
enum Mark {
    /// A filled square: an area or a bar.
    Swatch(RGBAColor),
    /// A line.
    Line(RGBAColor),
    /// A dashed line: a reference such as a cap.
    Dashed(RGBAColor),
}

/// One line of the legend.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    mark: Mark,
}

impl Entry {
    fn new(name: &str, mark: Mark) -> Entry {
        Entry {
            name: name.to_string(),
            mark,
        }
    }
}

/// `text` in lines of at most `width` characters, broken at spaces (a word
/// longer than a line gets a line of its own, never cut).
fn wrapped(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// The height the legend needs: 16 px a line, 6 between entries.
fn legend_height(entries: &[Entry]) -> u32 {
    entries
        .iter()
        .map(|e| 16 * wrapped(&e.name, LEGEND_CHARACTERS).len().max(1) as u32 + 6)
        .sum::<u32>()
        + 40
}

/// The chart's height: [`SIZE`]'s, or more when the legend needs it.
fn height_for(entries: &[Entry]) -> u32 {
    SIZE.1.max(legend_height(entries) + 40)
}

type Area<'b> = DrawingArea<SVGBackend<'b>, plotters::coord::Shift>;

/// The title across the whole chart, then the plot at the left and the
/// legend's column at the right.
fn areas<'b>(root: &Area<'b>, title: &str) -> DrawResult<(Area<'b>, Area<'b>)> {
    root.fill(&WHITE).map_err(error)?;
    let body = root.titled(title, (FONT, 18)).map_err(error)?;
    let (width, _) = body.dim_in_pixel();
    Ok(body.split_horizontally(width.saturating_sub(LEGEND_WIDTH)))
}

/// The legend, top to bottom, in the column beside the plot.
fn draw_legend(area: &Area, entries: &[Entry]) -> DrawResult<()> {
    let font = (FONT, 13)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    let mut y = 24i32;
    for entry in entries {
        match entry.mark {
            Mark::Swatch(c) => area
                .draw(&Rectangle::new([(8, y - 6), (20, y + 6)], c.filled()))
                .map_err(error)?,
            Mark::Line(c) => area
                .draw(&PathElement::new([(6, y), (22, y)], c.stroke_width(2)))
                .map_err(error)?,
            Mark::Dashed(c) => {
                for x in [6, 12, 18] {
                    area.draw(&PathElement::new([(x, y), (x + 4, y)], c.stroke_width(2)))
                        .map_err(error)?;
                }
            }
        }
        let lines = wrapped(&entry.name, LEGEND_CHARACTERS);
        for (k, line) in lines.iter().enumerate() {
            area.draw(&Text::new(
                line.clone(),
                (28, y + 16 * k as i32),
                font.clone(),
            ))
            .map_err(error)?;
        }
        y += 16 * lines.len().max(1) as i32 + 6;
    }
    Ok(())
}

/// Stacked areas (one per series, bottom first) with optional reference
/// lines on top, e.g. installed compute by GPU with the compute needed.
pub fn stacked_area(frame: &Frame, series: &[Series], lines: &[Series]) -> DrawResult<String> {
    let n = frame.x_labels.len();
    let mut cumulative: Vec<Vec<f64>> = Vec::with_capacity(series.len());
    let mut running = vec![0.0; n];
    for s in series {
        for (total, v) in running.iter_mut().zip(&s.values) {
            *total += v.max(0.0);
        }
        cumulative.push(running.clone());
    }
    let top = frame.top(
        running
            .iter()
            .copied()
            .chain(lines.iter().flat_map(|l| l.values.iter().copied())),
    );
    // The legend reads like the stack: the top band first, then the lines.
    let mut entries: Vec<Entry> = lines
        .iter()
        .map(|l| Entry::new(&l.name, Mark::Line(BLACK.into())))
        .collect();
    entries.splice(
        0..0,
        series
            .iter()
            .enumerate()
            .rev()
            .map(|(i, s)| Entry::new(&s.name, Mark::Swatch(colour(i).mix(0.85)))),
    );
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (SIZE.0, height_for(&entries))).into_drawing_area();
        let (plot, side) = areas(&root, frame.title)?;
        let mut chart = cartesian(&plot, frame, n, top)?;
        // Highest cumulative first, so each lower band paints over it.
        for (i, upper) in cumulative.iter().enumerate().rev() {
            chart
                .draw_series(AreaSeries::new(
                    upper.iter().enumerate().map(|(x, &y)| (x as f64, y)),
                    0.0,
                    colour(i).mix(0.85),
                ))
                .map_err(error)?;
        }
        for line in lines {
            chart
                .draw_series(LineSeries::new(
                    line.values.iter().enumerate().map(|(x, &y)| (x as f64, y)),
                    BLACK.stroke_width(2),
                ))
                .map_err(error)?;
        }
        draw_legend(&side, &entries)?;
        root.present().map_err(error)?;
    }
    Ok(svg)
}

/// Lines, one per series, with optional dashed reference lines (caps).
pub fn lines(frame: &Frame, series: &[Series], references: &[Reference]) -> DrawResult<String> {
    let n = frame.x_labels.len();
    let top = frame.top(
        series.iter().flat_map(|s| s.values.iter().copied()).chain(
            references
                .iter()
                .flat_map(|r| r.values.iter().flatten().copied()),
        ),
    );
    let reference_colour = |r: &Reference| r.colour_of.map_or(BLACK, colour);
    let drawn: Vec<&Reference> = references
        .iter()
        .filter(|r| r.values.iter().any(Option::is_some))
        .collect();
    let entries: Vec<Entry> = series
        .iter()
        .enumerate()
        .map(|(i, s)| Entry::new(&s.name, Mark::Line(colour(i).into())))
        .chain(
            drawn
                .iter()
                .map(|r| Entry::new(&r.name, Mark::Dashed(reference_colour(r).into()))),
        )
        .collect();
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (SIZE.0, height_for(&entries))).into_drawing_area();
        let (plot, side) = areas(&root, frame.title)?;
        let mut chart = cartesian(&plot, frame, n, top)?;
        for (i, s) in series.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(
                    // Points without a value (a sweep point with no plan)
                    // are left out.
                    s.values
                        .iter()
                        .enumerate()
                        .filter(|(_, y)| y.is_finite())
                        .map(|(x, &y)| (x as f64, y)),
                    colour(i).stroke_width(2),
                ))
                .map_err(error)?;
        }
        for r in drawn {
            let c = reference_colour(r);
            // Dashes as short segments: one per half period.
            let segments: Vec<PathElement<(f64, f64)>> = r
                .values
                .iter()
                .enumerate()
                .filter_map(|(x, v)| v.map(|y| (x as f64, y)))
                .map(|(x, y)| PathElement::new([(x - 0.25, y), (x + 0.25, y)], c.stroke_width(1)))
                .collect();
            chart.draw_series(segments).map_err(error)?;
        }
        draw_legend(&side, &entries)?;
        root.present().map_err(error)?;
    }
    Ok(svg)
}

/// A band of a fan chart: the area between `lower` and `upper`.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub name: String,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// A fan: bands drawn widest first, each darker than the last, in the
/// first colour, and lines on top (the expected value), e.g. the futures'
/// compute over time, from the lowest to the highest future.
pub fn fan(frame: &Frame, bands: &[Band], lines: &[Series]) -> DrawResult<String> {
    let n = frame.x_labels.len();
    let top = frame.top(
        bands
            .iter()
            .flat_map(|b| b.upper.iter().copied())
            .chain(lines.iter().flat_map(|s| s.values.iter().copied())),
    );
    let base = colour(0);
    let shade = |i: usize| base.mix(0.18 + 0.22 * i as f64);
    let line_colour = |i: usize| if i == 0 { BLACK } else { colour(i) };
    let entries: Vec<Entry> = bands
        .iter()
        .enumerate()
        .map(|(i, b)| Entry::new(&b.name, Mark::Swatch(shade(i))))
        .chain(
            lines
                .iter()
                .enumerate()
                .map(|(i, s)| Entry::new(&s.name, Mark::Line(line_colour(i).into()))),
        )
        .collect();
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (SIZE.0, height_for(&entries))).into_drawing_area();
        let (plot, side) = areas(&root, frame.title)?;
        let mut chart = cartesian(&plot, frame, n, top)?;
        for (i, band) in bands.iter().enumerate() {
            let mut outline: Vec<(f64, f64)> = band
                .upper
                .iter()
                .enumerate()
                .map(|(x, &y)| (x as f64, y))
                .collect();
            outline.extend(
                band.lower
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(x, &y)| (x as f64, y)),
            );
            chart
                .draw_series([Polygon::new(outline, shade(i).filled())])
                .map_err(error)?;
        }
        for (i, s) in lines.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(
                    s.values
                        .iter()
                        .enumerate()
                        .filter(|(_, y)| y.is_finite())
                        .map(|(x, &y)| (x as f64, y)),
                    line_colour(i).stroke_width(2),
                ))
                .map_err(error)?;
        }
        draw_legend(&side, &entries)?;
        root.present().map_err(error)?;
    }
    Ok(svg)
}

/// Stacked bars, one bar per x position, one segment per series.
pub fn stacked_bars(frame: &Frame, series: &[Series]) -> DrawResult<String> {
    let n = frame.x_labels.len();
    let totals: Vec<f64> = (0..n)
        .map(|x| series.iter().map(|s| s.values[x].max(0.0)).sum())
        .collect();
    let top = frame.top(totals.iter().copied());
    // The legend reads like the stack: the top segment first.
    let entries: Vec<Entry> = series
        .iter()
        .enumerate()
        .rev()
        .map(|(i, s)| Entry::new(&s.name, Mark::Swatch(colour(i).into())))
        .collect();
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (SIZE.0, height_for(&entries))).into_drawing_area();
        let (plot, side) = areas(&root, frame.title)?;
        let mut chart = cartesian(&plot, frame, n, top)?;
        let mut base = vec![0.0; n];
        for (i, s) in series.iter().enumerate() {
            let c = colour(i);
            let bars: Vec<Rectangle<(f64, f64)>> = s
                .values
                .iter()
                .enumerate()
                .map(|(x, &v)| {
                    let y0 = base[x];
                    let y1 = y0 + v.max(0.0);
                    base[x] = y1;
                    Rectangle::new([(x as f64 - 0.38, y0), (x as f64 + 0.38, y1)], c.filled())
                })
                .collect();
            chart.draw_series(bars).map_err(error)?;
        }
        draw_legend(&side, &entries)?;
        root.present().map_err(error)?;
    }
    Ok(svg)
}

/// Horizontal bars with a value label each, e.g. NPV per GPU option or per
/// cost category; a bar of `None` is drawn empty with its note instead.
/// The value sits at the bar's end; its note, which may be long, goes on
/// the line below the bar, wrapped, so no label runs off the chart.
pub fn horizontal_bars(
    title: &str,
    x_desc: &str,
    bars: &[(String, Option<f64>, String)],
) -> DrawResult<String> {
    let n = bars.len().max(1);
    let top = y_top(bars.iter().filter_map(|b| b.1));
    let label_area = label_width(bars.iter().map(|b| b.0.as_str()));
    // Characters of a note line in the plot's width (about 7 px each).
    let note_characters = ((SIZE.0 - label_area - 40) / 7) as usize;
    let note_lines = bars
        .iter()
        .map(|b| wrapped(&b.2, note_characters).len())
        .max()
        .unwrap_or(0);
    let row = 34 + 15 * note_lines as u32;
    let height = (90 + row * n as u32).max(160);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (SIZE.0, height)).into_drawing_area();
        root.fill(&WHITE).map_err(error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(label_area)
            .build_cartesian_2d(0.0..top * 1.25, -0.5..(n as f64 - 0.5))
            .map_err(error)?;
        let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .y_labels(n)
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() > 1e-6 || i < 0.0 {
                    return String::new();
                }
                // Bars run top to bottom in the given order.
                labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
            })
            .x_label_formatter(&|x| axis_number(*x, top))
            .x_desc(x_desc)
            .label_style((FONT, 13))
            .draw()
            .map_err(error)?;
        // The bar's thickness in the row, leaving room for its note below.
        let half = 0.32 * 34.0 / row as f64;
        let line_step = 15.0 / row as f64;
        let font = |h| {
            (FONT, 13)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(h, VPos::Center))
        };
        for (k, (_, value, note)) in bars.iter().enumerate() {
            let centre = (n - 1 - k) as f64;
            let y = centre + line_step * note_lines as f64 / 2.0;
            let c = colour(k);
            if let Some(v) = value {
                chart
                    .draw_series([Rectangle::new(
                        [(0.0, y - half), (v.max(0.0), y + half)],
                        c.filled(),
                    )])
                    .map_err(error)?;
                chart
                    .draw_series([Text::new(
                        axis_number(*v, top),
                        (v.max(0.0) + top * 0.01, y),
                        font(HPos::Left),
                    )])
                    .map_err(error)?;
            }
            for (i, line) in wrapped(note, note_characters).into_iter().enumerate() {
                let below = y - half - line_step * (i as f64 + 0.6);
                chart
                    .draw_series([Text::new(line, (0.0, below), font(HPos::Left))])
                    .map_err(error)?;
            }
        }
        root.present().map_err(error)?;
    }
    Ok(svg)
}

/// One metric's near-optimal range: the least and the most within the
/// slack, the optimum's value, and each value's label (with its unit).
#[derive(Debug, Clone, PartialEq)]
pub struct RangeBar {
    /// The metric and its reading: `nodes:H20 (free)`.
    pub name: String,
    pub min: f64,
    pub max: f64,
    pub optimum: f64,
    pub min_label: String,
    pub max_label: String,
    pub optimum_label: String,
}

/// The ranges as bars, one row a metric, each on its own scale (its share
/// of the largest value in its row, since the metrics are in different
/// units): a bar from the least to the most within the slack, a black
/// diamond at the optimum, the values in the metric's units at the ends.
/// A range too narrow to see is drawn a few pixels wide around its ends.
pub fn ranges(title: &str, bars: &[RangeBar]) -> DrawResult<String> {
    let n = bars.len().max(1);
    let label_area = label_width(bars.iter().map(|b| b.name.as_str()));
    // Room in a row for the optimum's label above the bar and the ends'
    // below it.
    let row = 60u32;
    let height = (96 + row * n as u32).max(160);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (SIZE.0, height)).into_drawing_area();
        root.fill(&WHITE).map_err(error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(52)
            .y_label_area_size(label_area)
            .build_cartesian_2d(-0.02..1.06, -0.5..(n as f64 - 0.5))
            .map_err(error)?;
        let labels: Vec<String> = bars.iter().map(|b| b.name.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .y_labels(n)
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() > 1e-6 || i < 0.0 {
                    return String::new();
                }
                labels.get(n - 1 - i as usize).cloned().unwrap_or_default()
            })
            .x_labels(6)
            .x_label_formatter(&|x| {
                if *x < -1e-9 || *x > 1.0 + 1e-9 {
                    String::new()
                } else {
                    format!("{:.0}%", x * 100.0)
                }
            })
            .x_desc("share of the largest value in the row (each metric in its own units)")
            .label_style((FONT, 13))
            .draw()
            .map_err(error)?;
        let font = |h, v| (FONT, 12).into_font().color(&BLACK).pos(Pos::new(h, v));
        // Bars a few pixels wide at least (the plot is about 860 - label
        // area px across 1.08 units).
        let least_width = 4.0 * 1.08 / f64::from(SIZE.0 - label_area);
        for (k, bar) in bars.iter().enumerate() {
            let y = (n - 1 - k) as f64;
            let largest = bar.min.abs().max(bar.max.abs()).max(bar.optimum.abs());
            let share = |v: f64| if largest > 0.0 { v / largest } else { 0.0 };
            let (mut lo, mut hi) = (share(bar.min), share(bar.max));
            if hi - lo < least_width {
                let mid = (lo + hi) / 2.0;
                lo = mid - least_width / 2.0;
                hi = mid + least_width / 2.0;
            }
            chart
                .draw_series([Rectangle::new(
                    [(lo, y - 0.16), (hi, y + 0.16)],
                    colour(k).mix(0.75).filled(),
                )])
                .map_err(error)?;
            let at = share(bar.optimum);
            chart
                .draw_series([Polygon::new(
                    vec![
                        (at, y + 0.25),
                        (at + 0.01, y),
                        (at, y - 0.25),
                        (at - 0.01, y),
                    ],
                    BLACK.filled(),
                )])
                .map_err(error)?;
            chart
                .draw_series([
                    Text::new(
                        format!("least {}, most {}", bar.min_label, bar.max_label),
                        (lo.max(0.0), y - 0.28),
                        font(HPos::Left, VPos::Top),
                    ),
                    Text::new(
                        format!("optimum {}", bar.optimum_label),
                        (at, y + 0.3),
                        font(HPos::Center, VPos::Bottom),
                    ),
                ])
                .map_err(error)?;
        }
        root.present().map_err(error)?;
    }
    Ok(svg)
}

/// Room for the longest bar label at 13 px (about 7 px a character),
/// between 150 and 420 px.
fn label_width<'a>(labels: impl Iterator<Item = &'a str>) -> u32 {
    let longest = labels.map(|l| l.chars().count()).max().unwrap_or(0) as u32;
    (longest * 7 + 16).clamp(150, 420)
}

type Cartesian<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// The axes every chart over periods or options shares: labels along x, a
/// unit along y, light grid lines at the labelled values only.
fn cartesian<'a, 'b>(
    area: &'a Area<'b>,
    frame: &Frame,
    n: usize,
    top: f64,
) -> DrawResult<Cartesian<'a, 'b>> {
    let x_area = if frame.x_desc.is_empty() { 44 } else { 60 };
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(x_area)
        .y_label_area_size(72)
        .build_cartesian_2d(-0.5..(n.max(1) as f64 - 0.5), 0.0..top)
        .map_err(error)?;
    let labels = frame.x_labels;
    let x_formatter = |x: &f64| x_label(labels, *x);
    let y_formatter = |y: &f64| axis_number(*y, top);
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_labels(n.clamp(2, 40))
        .x_label_formatter(&x_formatter)
        .y_label_formatter(&y_formatter)
        .y_desc(frame.y_desc)
        .label_style((FONT, 13));
    if !frame.x_desc.is_empty() {
        mesh.x_desc(frame.x_desc);
    }
    mesh.draw().map_err(error)?;
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame<'a>(labels: &'a [String]) -> Frame<'a> {
        Frame::new("Installed compute", labels, "PFLOP/s")
    }

    #[test]
    fn legend_names_wrap_at_words_and_are_never_cut() {
        assert_eq!(
            wrapped("compute used (training, base, de-identification)", 33),
            vec!["compute used (training, base,", "de-identification)"]
        );
        assert_eq!(
            wrapped("banned_then_licensed/licensed", 10),
            vec!["banned_then_licensed/licensed"]
        );
        // Many entries make the chart taller, never clip the legend.
        let entries: Vec<Entry> = (0..40)
            .map(|i| Entry::new(&format!("series {i}"), Mark::Line(BLACK.into())))
            .collect();
        assert!(height_for(&entries) > SIZE.1);
        assert_eq!(height_for(&entries[..3]), SIZE.1);
    }

    #[test]
    fn shares_run_to_their_fixed_top() {
        let labels: Vec<String> = vec!["video".into()];
        let frame = Frame::new("shares", &labels, "%").with_y_max(100.0);
        assert_eq!(frame.top([30.0, 70.0].into_iter()), 100.0);
        assert_eq!(
            Frame::new("x", &labels, "%").top([100.0].into_iter()),
            108.0
        );
    }

    #[test]
    fn axis_numbers_have_thousands_separators() {
        assert_eq!(axis_number(12345.0, 20000.0), "12,345");
        assert_eq!(axis_number(2.25, 5.0), "2.3");
        assert_eq!(axis_number(0.125, 0.5), "0.125");
    }

    #[test]
    fn at_most_about_twelve_period_labels_show() {
        let labels: Vec<String> = (0..40).map(|i| format!("p{i}")).collect();
        let shown = (0..40)
            .filter(|&i| !x_label(&labels, i as f64).is_empty())
            .count();
        assert_eq!(shown, 10);
        assert_eq!(x_label(&labels, 0.5), "");
    }

    #[test]
    fn charts_are_svg_with_their_title_legend_and_labels() {
        let labels: Vec<String> = vec!["2025Q1".into(), "2025Q2".into()];
        let series = [
            Series {
                name: "H20".into(),
                values: vec![1000.0, 2500.0],
            },
            Series {
                name: "910B".into(),
                values: vec![0.0, 500.0],
            },
        ];
        let needed = [Series {
            name: "needed".into(),
            values: vec![900.0, 2900.0],
        }];
        let svg = stacked_area(&frame(&labels), &series, &needed).unwrap();
        for text in [
            "<svg",
            "Installed compute",
            "H20",
            "910B",
            "needed",
            "2025Q2",
            "PFLOP/s",
            "2,000",
        ] {
            assert!(svg.contains(text), "{text} missing");
        }
        let bars = stacked_bars(&frame(&labels), &series).unwrap();
        assert!(bars.contains("<rect"));
        let caps = [Reference {
            name: "cap".into(),
            values: vec![Some(3000.0), None],
            colour_of: Some(0),
        }];
        assert!(lines(&frame(&labels), &series, &caps)
            .unwrap()
            .contains("cap"));
        let npv = horizontal_bars(
            "NPV",
            "CNY M",
            &[
                ("H20".into(), Some(74.4), String::new()),
                ("H100".into(), None, "banned".into()),
            ],
        )
        .unwrap();
        assert!(npv.contains("banned") && npv.contains("74"));
    }

    #[test]
    fn a_fan_draws_its_bands_and_lines() {
        let labels: Vec<String> = vec!["2025Q1".into(), "2025Q2".into(), "2025Q3".into()];
        let bands = [
            Band {
                name: "all futures".into(),
                lower: vec![1.0, 2.0, 3.0],
                upper: vec![2.0, 5.0, 9.0],
            },
            Band {
                name: "middle 80%".into(),
                lower: vec![1.2, 2.5, 4.0],
                upper: vec![1.8, 4.0, 7.0],
            },
        ];
        let expected = [Series {
            name: "expected".into(),
            values: vec![1.5, 3.0, 5.0],
        }];
        let svg = fan(&frame(&labels), &bands, &expected).unwrap();
        for text in ["all futures", "middle 80%", "expected", "<polygon"] {
            assert!(svg.contains(text), "{text} missing");
        }
        assert_eq!(label_width(["H20", "H100"].into_iter()), 150);
        assert_eq!(
            label_width(["banned_then_licensed/licensed/as_planned"].into_iter()),
            296
        );
    }

    #[test]
    fn nothing_to_draw_still_gives_a_chart() {
        let labels: Vec<String> = vec![];
        let svg = stacked_area(&frame(&labels), &[], &[]).unwrap();
        assert!(svg.contains("<svg"));
    }
}
