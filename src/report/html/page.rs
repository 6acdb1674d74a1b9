//! The page every report shares: one HTML document with its style sheet
//! inline (no network, no scripts, no web fonts), light and dark colours,
//! and print rules; charts as inline SVG on a light card; tables from the
//! same [`TextTable`]s the terminal shows.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::report::TextTable;

const STYLE: &str = r#"
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #57606a;
        --card: #f6f8fa; --line: #d0d7de; --alert: #fff4e5; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9da7b3; --card: #161b22;
          --line: #30363d; --alert: #3d2b12; }
}
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
       color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 960px;
       padding: 24px; line-height: 1.45; }
h1 { font-size: 1.6rem; margin: 0 0 12px; }
h2 { font-size: 1.2rem; margin: 28px 0 8px; border-bottom: 1px solid var(--line); }
.headline { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
.card .label { display: block; color: var(--muted); font-size: .85rem; }
.card .value { display: block; font-size: 1.35rem; font-weight: 600; white-space: nowrap;
              font-variant-numeric: tabular-nums; }
.card .note { display: block; color: var(--muted); font-size: .85rem; }
.note { color: var(--muted); font-size: .9rem; }
.alert { background: var(--alert); border-radius: 8px; padding: 4px 16px 12px; margin-top: 16px; }
figure.chart { margin: 16px 0; background: #ffffff; border: 1px solid var(--line);
               border-radius: 8px; padding: 8px; }
figure.chart svg { display: block; width: 100%; height: auto; }
table { border-collapse: collapse; margin: 8px 0 20px; font-size: .85rem;
        font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; }
th { text-align: left; }
td.num { text-align: right; }
.table-wrap { overflow-x: auto; }
@media print {
  body { max-width: none; padding: 0; }
  figure.chart, table, .card { break-inside: avoid; }
  .table-wrap { overflow: visible; }
}
"#;

/// A complete document with this title and body.
pub fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(concat!("fsdplan ", env!("CARGO_PKG_VERSION")));
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (title) }
                (body)
            }
        }
    }
    .into_string()
}

/// The status under a headline's NPV: the relaxation, or the status with
/// its gap and target.
pub fn headline_status(status: &str, gap: Option<f64>, relaxed: bool, target: f64) -> String {
    use crate::report::format::percent;
    match gap {
        _ if relaxed => "LP relaxation (node counts continuous)".to_string(),
        Some(gap) => format!(
            "{status}: gap {} (target {})",
            percent(gap, 3),
            percent(target, 3)
        ),
        None => status.to_string(),
    }
}

/// A chart drawn by [`super::charts`], or why it could not be drawn.
pub fn chart(svg: Result<String, String>) -> Markup {
    match svg {
        // plotters writes its own escaped SVG document.
        Ok(svg) => html! { figure.chart { (PreEscaped(strip_xml_declaration(&svg))) } },
        Err(why) => html! { p.note { "This chart could not be drawn: " (why) } },
    }
}

fn strip_xml_declaration(svg: &str) -> &str {
    match svg.strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map_or(svg, |(_, after)| after.trim_start()),
        None => svg,
    }
}

/// Tables as HTML, numbers right-aligned as in the terminal.
pub fn tables(tables: &[TextTable]) -> Markup {
    table_section("Tables", tables)
}

/// Tables as HTML under their own heading.
pub fn table_section(heading: &str, tables: &[TextTable]) -> Markup {
    html! {
        section {
            h2 { (heading) }
            @for table in tables {
                div.table-wrap {
                    table {
                        caption { (table.title) }
                        thead { tr { @for h in &table.headers { th { (h) } } } }
                        tbody {
                            @for row in &table.rows {
                                tr {
                                    @for (i, cell) in row.iter().enumerate() {
                                        @if is_numeric(table, i, row.len()) {
                                            td.num { (cell) }
                                        } @else {
                                            td { (cell) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn is_numeric(table: &TextTable, column: usize, columns: usize) -> bool {
    column >= table.first_numeric && column < columns.saturating_sub(table.trailing_text)
}
