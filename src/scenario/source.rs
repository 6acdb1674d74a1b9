//! Scenario sources: the files read, how `include` merges them, and where in
//! which file each key of the merged scenario was written.
//!
//! Reading is done through a caller-supplied function so that the library
//! itself does no I/O: the binary passes `std::fs::read_to_string`, tests pass
//! an in-memory map.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::diagnostic::{KeyPath, Problem, ScenarioError, Segment};
use super::overrides::AppliedOverride;

/// Plain tables of a scenario file: merged key by key across includes.
pub(crate) const PLAIN_TABLES: &[&str] = &["scenario", "fleet", "training", "budget", "risk"];
/// Arrays of tables: concatenated across includes.
pub(crate) const ARRAYS_OF_TABLES: &[&str] = &[
    "data_class",
    "site",
    "link",
    "gpu",
    "export_rule",
    "storage",
    "event",
];

/// One file read for a scenario.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user (or the including file) named it.
    pub path: PathBuf,
    pub text: String,
    /// The same text parsed with spans, for locating keys.
    spans: toml_edit::Document<String>,
}

/// Where a key of the merged scenario was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: usize,
    /// The key path inside that file (array indices counted in that file).
    pub path: KeyPath,
    /// Byte range in the file of the deepest part of `path` that exists.
    pub span: Option<Range<usize>>,
}

/// All files of one scenario and the origin of every merged entry.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    pub files: Vec<SourceFile>,
    /// `(table, key)` of a plain table -> the file that defined the key.
    plain_keys: BTreeMap<(String, String), usize>,
    /// Top-level key -> first file that defined it.
    top_keys: BTreeMap<String, usize>,
    /// Array of tables -> for each merged element, the file and the path
    /// of the element in that file: `gpu[1]`, or `event[0].outcome[1].
    /// export_rule[0]` for a rule an outcome appended.
    array_items: BTreeMap<String, Vec<(usize, KeyPath)>>,
    /// `--set` overrides and outcomes' `set` applied after merging, in order.
    pub(crate) overrides: Vec<AppliedOverride>,
    /// Said after every problem's message: which future of the events a
    /// problem was found in, and the outcome that caused it.
    pub(crate) context: Option<String>,
}

impl SourceMap {
    /// Translates a path in the merged scenario to a file, a file-local path
    /// and the byte span of the deepest existing part.
    pub fn locate(&self, path: &KeyPath) -> Location {
        self.locate_part(path, Part::Value)
    }

    /// [`SourceMap::locate`] of the key itself, not its value: where an
    /// unknown key is written.
    pub fn locate_key(&self, path: &KeyPath) -> Location {
        self.locate_part(path, Part::Key)
    }

    fn locate_part(&self, path: &KeyPath, part: Part) -> Location {
        if let Some(applied) = self
            .overrides
            .iter()
            .rev()
            .find(|o| path.starts_with(&o.path))
        {
            return applied.location.clone();
        }
        let segments = path.segments();
        let (file, local) = match segments {
            [Segment::Key(top), Segment::Index(i), rest @ ..] => {
                match self.array_items.get(top).and_then(|items| items.get(*i)) {
                    Some((file, origin)) => {
                        let mut local = origin.segments().to_vec();
                        local.extend(rest.iter().cloned());
                        (*file, local)
                    }
                    None => (self.top_file(top), segments.to_vec()),
                }
            }
            [Segment::Key(top), Segment::Key(key), ..] => {
                let file = self
                    .plain_keys
                    .get(&(top.clone(), key.clone()))
                    .copied()
                    .unwrap_or_else(|| self.top_file(top));
                (file, segments.to_vec())
            }
            [Segment::Key(top), ..] => (self.top_file(top), segments.to_vec()),
            _ => (0, segments.to_vec()),
        };
        let local = KeyPath::from_segments(local);
        let span = self
            .files
            .get(file)
            .and_then(|f| span_of(&f.spans, &local, part));
        Location {
            file,
            path: local,
            span,
        }
    }

    /// Locates a key path of one particular file.
    pub fn locate_in(&self, file: usize, path: &KeyPath) -> Location {
        let span = self
            .files
            .get(file)
            .and_then(|f| span_of(&f.spans, path, Part::Value));
        Location {
            file,
            path: path.clone(),
            span,
        }
    }

    /// Where the merged array element `top[index]` was written: its file and
    /// its path there.
    pub(crate) fn origin(&self, top: &str, index: usize) -> Option<(usize, KeyPath)> {
        self.array_items.get(top)?.get(index).cloned()
    }

    /// Records that an element appended to the merged array `top` was
    /// written at `path` of `file` (an outcome's export rule).
    pub(crate) fn push_origin(&mut self, top: &str, file: usize, path: KeyPath) {
        self.array_items
            .entry(top.to_string())
            .or_default()
            .push((file, path));
    }

    /// Adds a file that is not read from disk (the `--set` overrides).
    pub(crate) fn push_pseudo_file(&mut self, name: &str, text: String) -> usize {
        push_file(self, Path::new(name), text, None)
    }

    fn top_file(&self, top: &str) -> usize {
        self.top_keys.get(top).copied().unwrap_or(0)
    }

    /// 1-based line of a byte offset in a file.
    pub fn line_of(&self, file: usize, offset: usize) -> usize {
        let text = &self.files[file].text;
        text[..offset.min(text.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
            + 1
    }
}

/// Which part of a `key = value` line a span covers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Key,
    Value,
}

/// Finds the span of the deepest existing item along `path` in a parsed
/// file: its value, or with [`Part::Key`] the last key's name.
fn span_of(doc: &toml_edit::Document<String>, path: &KeyPath, part: Part) -> Option<Range<usize>> {
    let last = path.segments().len().saturating_sub(1);
    use toml_edit::{Item, Value as EditValue};
    /// A place in the parsed file: a table (standard or from an array of
    /// tables), an item, or an inline value.
    #[derive(Clone, Copy)]
    enum Node<'a> {
        Table(&'a toml_edit::Table),
        Item(&'a Item),
        Value(&'a EditValue),
    }
    let mut node = Node::Table(doc.as_table());
    let mut best = None;
    for (depth, segment) in path.segments().iter().enumerate() {
        let mut key_span = None;
        let next = match (node, segment) {
            (Node::Table(table), Segment::Key(key))
            | (Node::Item(Item::Table(table)), Segment::Key(key)) => {
                table.get_key_value(key).map(|(k, v)| {
                    key_span = k.span();
                    best = k.span().or(best.clone());
                    Node::Item(v)
                })
            }
            (Node::Item(Item::Value(EditValue::InlineTable(table))), Segment::Key(key))
            | (Node::Value(EditValue::InlineTable(table)), Segment::Key(key)) => {
                table.get_key_value(key).map(|(k, v)| {
                    key_span = k.span();
                    best = k.span().or(best.clone());
                    Node::Item(v)
                })
            }
            (Node::Item(Item::ArrayOfTables(array)), Segment::Index(i)) => {
                array.get(*i).map(Node::Table)
            }
            (Node::Item(Item::Value(EditValue::Array(array))), Segment::Index(i))
            | (Node::Value(EditValue::Array(array)), Segment::Index(i)) => {
                array.get(*i).map(Node::Value)
            }
            _ => None,
        };
        let Some(found) = next else { break };
        if depth == last && part == Part::Key && key_span.is_some() {
            return key_span;
        }
        let span = match &found {
            Node::Table(table) => table.span(),
            Node::Item(item) => item.span(),
            Node::Value(value) => value.span(),
        };
        if span.is_some() {
            best = span;
        }
        node = found;
    }
    best
}

/// Reads a scenario and every file it includes, and merges them into one
/// TOML table. `read` is given the path to read.
pub fn load_sources(
    path: &Path,
    read: &mut dyn FnMut(&Path) -> std::io::Result<String>,
) -> Result<(Table, SourceMap), ScenarioError> {
    let mut map = SourceMap::default();
    let mut merged = Table::new();
    let mut stack = Vec::new();
    load_into(path, None, read, &mut map, &mut merged, &mut stack)?;
    Ok((merged, map))
}

fn load_into(
    path: &Path,
    included_from: Option<(usize, KeyPath)>,
    read: &mut dyn FnMut(&Path) -> std::io::Result<String>,
    map: &mut SourceMap,
    merged: &mut Table,
    stack: &mut Vec<PathBuf>,
) -> Result<(), ScenarioError> {
    let include_problem = |map: &SourceMap, message: String| match &included_from {
        Some((file, key)) => ScenarioError::in_file(map, *file, key.clone(), message),
        None => ScenarioError::Io {
            path: path.to_path_buf(),
            message,
        },
    };
    if stack.iter().any(|p| p == path) {
        return Err(include_problem(
            map,
            format!(
                "`{}` includes itself (through {})",
                path.display(),
                stack_text(stack)
            ),
        ));
    }
    let text = read(path)
        .map_err(|e| include_problem(map, format!("cannot read `{}`: {e}", path.display())))?;
    let table: Table = match text.parse::<Table>() {
        Ok(table) => table,
        Err(error) => {
            let file = push_file(map, path, text, None);
            return Err(ScenarioError::Syntax {
                problem: Problem::syntax(map, file, error.span(), error.message().to_string()),
            });
        }
    };
    let spans =
        toml_edit::Document::parse(text.clone()).map_err(|error| ScenarioError::Syntax {
            problem: Problem::syntax_text(path, error.to_string()),
        })?;
    let file = push_file(map, path, text, Some(spans));
    stack.push(path.to_path_buf());

    let mut includes = Vec::new();
    for (key, value) in table {
        let key_path = KeyPath::key(&key);
        if key == "include" {
            let Value::Array(items) = value else {
                return Err(ScenarioError::in_file(
                    map,
                    file,
                    key_path,
                    "`include` must be an array of file paths".into(),
                ));
            };
            for (i, item) in items.into_iter().enumerate() {
                let Value::String(included) = item else {
                    return Err(ScenarioError::in_file(
                        map,
                        file,
                        key_path.index(i),
                        "each `include` entry must be a file path string".into(),
                    ));
                };
                includes.push((i, included));
            }
            continue;
        }
        merge_top_key(map, merged, file, key, value)?;
    }
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    for (i, included) in includes {
        let child = base.join(&included);
        load_into(
            &child,
            Some((file, KeyPath::key("include").index(i))),
            read,
            map,
            merged,
            stack,
        )?;
    }
    stack.pop();
    Ok(())
}

fn stack_text(stack: &[PathBuf]) -> String {
    stack
        .iter()
        .map(|p| format!("`{}`", p.display()))
        .collect::<Vec<_>>()
        .join(" -> ")
}

fn push_file(
    map: &mut SourceMap,
    path: &Path,
    text: String,
    spans: Option<toml_edit::Document<String>>,
) -> usize {
    let spans = spans
        .unwrap_or_else(|| toml_edit::Document::parse(String::new()).expect("empty TOML parses"));
    map.files.push(SourceFile {
        path: path.to_path_buf(),
        text,
        spans,
    });
    map.files.len() - 1
}

fn merge_top_key(
    map: &mut SourceMap,
    merged: &mut Table,
    file: usize,
    key: String,
    value: Value,
) -> Result<(), ScenarioError> {
    let defined_twice = |map: &SourceMap, path: KeyPath, first: usize| {
        ScenarioError::in_file(
            map,
            file,
            path,
            format!(
                "defined twice: already defined in `{}`",
                map.files[first].path.display()
            ),
        )
    };
    match (merged.get_mut(&key), value) {
        (None, value) => {
            if let Value::Array(items) = &value {
                if ARRAYS_OF_TABLES.contains(&key.as_str()) {
                    map.array_items.insert(
                        key.clone(),
                        (0..items.len())
                            .map(|i| (file, KeyPath::key(&key).index(i)))
                            .collect(),
                    );
                }
            }
            if let Value::Table(table) = &value {
                if PLAIN_TABLES.contains(&key.as_str()) {
                    for inner in table.keys() {
                        map.plain_keys.insert((key.clone(), inner.clone()), file);
                    }
                }
            }
            map.top_keys.insert(key.clone(), file);
            merged.insert(key, value);
        }
        (Some(Value::Array(existing)), Value::Array(items))
            if ARRAYS_OF_TABLES.contains(&key.as_str()) =>
        {
            let origins = map.array_items.entry(key.clone()).or_default();
            origins.extend((0..items.len()).map(|i| (file, KeyPath::key(&key).index(i))));
            existing.extend(items);
        }
        (Some(Value::Table(existing)), Value::Table(table))
            if PLAIN_TABLES.contains(&key.as_str()) =>
        {
            for (inner, value) in table {
                if let Some(&first) = map.plain_keys.get(&(key.clone(), inner.clone())) {
                    return Err(defined_twice(map, KeyPath::key(&key).then(&inner), first));
                }
                map.plain_keys.insert((key.clone(), inner.clone()), file);
                existing.insert(inner, value);
            }
        }
        (Some(_), _) => {
            let first = map.top_file(&key);
            return Err(defined_twice(map, KeyPath::key(&key), first));
        }
    }
    Ok(())
}
