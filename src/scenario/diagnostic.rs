//! Errors in a scenario: where they are (file, line, key path) and what is
//! allowed instead. Each problem is rendered once, with the offending line of
//! the file, in the style of the Rust compiler.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, Config};

use super::source::{Location, SourceMap};

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// A path to a key in a scenario, e.g. `gpu[2].mfu`.
#[derive(Debug, Clone, PartialEq, Eq, Default, PartialOrd, Ord)]
pub struct KeyPath(Vec<Segment>);

impl KeyPath {
    pub fn key(key: &str) -> KeyPath {
        KeyPath(vec![Segment::Key(key.to_string())])
    }

    pub fn from_segments(segments: Vec<Segment>) -> KeyPath {
        KeyPath(segments)
    }

    /// This path followed by a key.
    pub fn then(&self, key: &str) -> KeyPath {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.to_string()));
        KeyPath(segments)
    }

    /// This path followed by an array index.
    pub fn index(&self, index: usize) -> KeyPath {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        KeyPath(segments)
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    /// Whether `prefix` is this path or a path above it.
    pub fn starts_with(&self, prefix: &KeyPath) -> bool {
        self.0.starts_with(&prefix.0)
    }

    /// The last key of the path, if it ends in a key.
    pub fn last_key(&self) -> Option<&str> {
        self.0.iter().rev().find_map(|s| match s {
            Segment::Key(k) => Some(k.as_str()),
            Segment::Index(_) => None,
        })
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => write!(f, "{key}")?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// One problem in a scenario file, located and rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based line, when the key could be found in the file.
    pub line: Option<usize>,
    /// The key path in that file, e.g. `gpu[2].mfu` (empty for syntax errors).
    pub key: String,
    pub message: String,
    /// The problem rendered with the offending line of the file.
    rendered: String,
}

impl Problem {
    /// A problem at a key of the merged scenario (translated to the file
    /// and key where it was written).
    pub fn at(map: &SourceMap, path: &KeyPath, message: String) -> Problem {
        Problem::located(map, map.locate(path), message)
    }

    /// A problem with the key itself (an unknown key), its name marked.
    pub fn at_key(map: &SourceMap, path: &KeyPath, message: String) -> Problem {
        Problem::located(map, map.locate_key(path), message)
    }

    /// A problem at a key path of one particular file.
    pub fn in_file(map: &SourceMap, file: usize, path: &KeyPath, message: String) -> Problem {
        Problem::located(map, map.locate_in(file, path), message)
    }

    pub(crate) fn located(map: &SourceMap, location: Location, message: String) -> Problem {
        let source = &map.files[location.file];
        let key = location.path.to_string();
        let message = match &map.context {
            Some(context) => format!("{message}; {context}"),
            None => message,
        };
        let line = location
            .span
            .as_ref()
            .map(|s| map.line_of(location.file, s.start));
        let headline = if key.is_empty() {
            message.clone()
        } else {
            format!("{key}: {message}")
        };
        let rendered = render(&source.path, &source.text, location.span, &headline);
        Problem {
            file: source.path.clone(),
            line,
            key,
            message,
            rendered,
        }
    }

    /// A TOML syntax error in one file.
    pub fn syntax(
        map: &SourceMap,
        file: usize,
        span: Option<Range<usize>>,
        message: String,
    ) -> Problem {
        let source = &map.files[file];
        let line = span.as_ref().map(|s| map.line_of(file, s.start));
        let message = format!("invalid TOML: {}", message.trim());
        let rendered = render(&source.path, &source.text, span, &message);
        Problem {
            file: source.path.clone(),
            line,
            key: String::new(),
            message,
            rendered,
        }
    }

    /// A syntax error known only as text (the span parser disagreed).
    pub fn syntax_text(path: &Path, message: String) -> Problem {
        Problem {
            file: path.to_path_buf(),
            line: None,
            key: String::new(),
            rendered: format!(
                "error: invalid TOML in {}: {}\n",
                path.display(),
                message.trim()
            ),
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered)
    }
}

fn render(path: &Path, text: &str, span: Option<Range<usize>>, message: &str) -> String {
    let file = SimpleFile::new(path.display().to_string(), text);
    let mut diagnostic = Diagnostic::error().with_message(message);
    if let Some(span) = span {
        diagnostic = diagnostic.with_labels(vec![Label::primary((), span)]);
    } else {
        diagnostic = diagnostic.with_notes(vec![format!("in {}", path.display())]);
    }
    let config = Config::default();
    term::emit_into_string(&config, &file, &diagnostic)
        .unwrap_or_else(|_| format!("error: {message}\n  in {}\n", path.display()))
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A file could not be read.
    #[error("error: {message}\n")]
    Io { path: PathBuf, message: String },
    /// A file is not valid TOML.
    #[error("{problem}")]
    Syntax { problem: Problem },
    /// Keys or values are wrong; every problem found is listed.
    #[error("{}", render_all(problems))]
    Invalid { problems: Vec<Problem> },
}

impl ScenarioError {
    /// The problems of an invalid scenario (none for other errors).
    pub fn problems(&self) -> &[Problem] {
        match self {
            ScenarioError::Invalid { problems } => problems,
            _ => &[],
        }
    }
}

fn render_all(problems: &[Problem]) -> String {
    let mut text = String::new();
    for problem in problems {
        text.push_str(&problem.to_string());
    }
    if problems.len() > 1 {
        text.push_str(&format!(
            "{} problems found in the scenario\n",
            problems.len()
        ));
    }
    text
}

impl ScenarioError {
    /// The problem in one line, for a row of a table (a sweep point that
    /// failed): the first problem's key and message, and how many more.
    pub fn summary(&self) -> String {
        match self {
            ScenarioError::Io { message, .. } => message.clone(),
            ScenarioError::Syntax { problem } => problem.message.clone(),
            ScenarioError::Invalid { problems } => {
                let Some(first) = problems.first() else {
                    return "invalid scenario".into();
                };
                let mut text = if first.key.is_empty() {
                    first.message.clone()
                } else {
                    format!("{}: {}", first.key, first.message)
                };
                if problems.len() > 1 {
                    text.push_str(&format!(" (and {} more)", problems.len() - 1));
                }
                text
            }
        }
    }

    /// One problem at a key path of one particular file.
    pub fn in_file(map: &SourceMap, file: usize, path: KeyPath, message: String) -> ScenarioError {
        ScenarioError::Invalid {
            problems: vec![Problem::in_file(map, file, &path, message)],
        }
    }
}

/// The closest of `candidates` to `word`, when it is close enough to be a
/// likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Close in spelling (Jaro-Winkler), or one or two typing slips away
    // (a swapped pair counts as one: `peu` for `pue`).
    let slips = (word.chars().count() / 4).max(1);
    candidates
        .into_iter()
        .map(|candidate| {
            let distance = strsim::damerau_levenshtein(word, candidate);
            (distance, strsim::jaro_winkler(word, candidate), candidate)
        })
        .filter(|(distance, score, _)| *score > 0.8 || *distance <= slips)
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map(|(_, _, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_the_file() {
        let path = KeyPath::key("gpu").index(2).then("mfu");
        assert_eq!(path.to_string(), "gpu[2].mfu");
        assert_eq!(path.last_key(), Some("mfu"));
    }

    #[test]
    fn suggests_close_names_only() {
        let keys = ["mfu", "tflops", "node_kw", "price_per_node"];
        assert_eq!(did_you_mean("tflop", keys), Some("tflops"));
        assert_eq!(
            did_you_mean("price_per_nodes", keys),
            Some("price_per_node")
        );
        assert_eq!(did_you_mean("zebra", keys), None);
        // A swapped pair is one slip: `peu` is `pue`.
        assert_eq!(did_you_mean("peu", ["pue", "name"]), Some("pue"));
        assert_eq!(did_you_mean("mfu", ["pue"]), None);
    }
}
