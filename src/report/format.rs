//! Tables for people: a simple table type that renders to a terminal table
//! or a GitHub Markdown table. Numbers are written by [`crate::numbers`].

use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::{Alignment, Style, Width};

pub use crate::numbers::{
    count, millions, number, percent, period_ranges, signed, signed_millions, signed_percent,
};

/// How tables are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableStyle {
    /// ASCII, for terminals and plain-text pastes.
    Terminal,
    /// GitHub-flavoured Markdown, for reviews.
    Markdown,
}

/// A titled table of text cells; numeric columns are right-aligned.
#[derive(Debug, Clone, PartialEq)]
pub struct TextTable {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns from this index on are numbers...
    pub first_numeric: usize,
    /// ...except this many text columns at the end.
    pub trailing_text: usize,
    /// Columns whose text wraps (at word boundaries) to at most this many
    /// characters in a terminal table; Markdown keeps each cell on one line.
    pub wrapped: Vec<(usize, usize)>,
}

impl TextTable {
    pub fn new(title: impl Into<String>, headers: &[&str], first_numeric: usize) -> TextTable {
        TextTable {
            title: title.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            first_numeric,
            trailing_text: 0,
            wrapped: Vec::new(),
        }
    }

    /// The same table with column `column` wrapped at `width` characters on
    /// a terminal: a long cell (a limit in words) never runs off the screen.
    pub fn with_wrapped(mut self, column: usize, width: usize) -> TextTable {
        self.wrapped.push((column, width));
        self
    }

    /// The same table with the last `columns` columns left-aligned text.
    pub fn with_trailing_text(mut self, columns: usize) -> TextTable {
        self.trailing_text = columns;
        self
    }

    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    pub fn render(&self, style: TableStyle) -> String {
        let mut builder = Builder::default();
        builder.push_record(self.headers.clone());
        for row in &self.rows {
            builder.push_record(row.clone());
        }
        let mut table = builder.build();
        match style {
            TableStyle::Terminal => table.with(Style::psql()),
            TableStyle::Markdown => table.with(Style::markdown()),
        };
        let numeric_end = self.headers.len().saturating_sub(self.trailing_text);
        for column in self.first_numeric..numeric_end {
            table.modify(Columns::one(column), Alignment::right());
        }
        if style == TableStyle::Terminal {
            for &(column, width) in &self.wrapped {
                // Trimmed, so that a line broken before a space does not
                // start with it.
                table.modify(
                    Columns::one(column),
                    (
                        Width::wrap(width).keep_words(true),
                        tabled::settings::formatting::TrimStrategy::Horizontal,
                    ),
                );
            }
        }
        match style {
            TableStyle::Terminal => format!("{}\n{table}\n", self.title),
            TableStyle::Markdown => format!("### {}\n\n{table}\n", self.title),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_column_keeps_words_whole_on_a_terminal_and_one_line_in_markdown() {
        let mut t = TextTable::new("limits", &["option", "first limit"], 2).with_wrapped(1, 20);
        t.push(vec![
            "H20".into(),
            "supply cap H20 2025Q1 (2,000 nodes) binds first".into(),
        ]);
        let terminal = t.render(TableStyle::Terminal);
        assert!(
            terminal.lines().all(|l| l.chars().count() <= 32),
            "{terminal}"
        );
        assert!(terminal.contains("(2,000 nodes)"), "{terminal}");
        let markdown = t.render(TableStyle::Markdown);
        assert!(markdown.contains("supply cap H20 2025Q1 (2,000 nodes) binds first"));
    }
}
