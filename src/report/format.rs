//! Tables for people: a simple table type that renders to a terminal table
//! or a GitHub Markdown table. Numbers are written by [`crate::numbers`].

use tabled::builder::Builder;
use tabled::settings::object::Columns;
use tabled::settings::{Alignment, Style};

pub use crate::numbers::{
    millions, number, percent, period_ranges, signed, signed_millions, signed_percent,
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
}

impl TextTable {
    pub fn new(title: impl Into<String>, headers: &[&str], first_numeric: usize) -> TextTable {
        TextTable {
            title: title.into(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            first_numeric,
            trailing_text: 0,
        }
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
        match style {
            TableStyle::Terminal => format!("{}\n{table}\n", self.title),
            TableStyle::Markdown => format!("### {}\n\n{table}\n", self.title),
        }
    }
}
