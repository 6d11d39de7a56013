//! A span-preserving YAML tree for Kubernetes manifests, built with bounded memory and time.
//!
//! Start with [`load`]: it reads a multi-document YAML text into [`Document`]s whose every
//! [`Node`] (keys included) carries the [`Mark`] where it starts, and returns the problems it met
//! ([`YamlProblem`]) instead of failing: a syntax error ends the file, but the documents completed
//! before it are kept, as `kubectl apply` would apply them.
//!
//! The tree is built from the events of `saphyr-parser`'s pull parser rather than with saphyr's
//! own loader, whose recursion overflows the stack on a few hundred kilobytes of nested `- - -`.
//! Hostile input is cut short by three budgets, each reported as a problem at the place it ran
//! out: nesting deeper than [`MAX_DEPTH`], more than [`MAX_NODES`] nodes in one file, and aliases
//! expanding to more than [`MAX_ALIAS_NODES`] nodes (the "billion laughs").
//!
//! Scalars keep their text and whether they were plain; their type is resolved when asked
//! ([`Node::as_bool`], [`Node::as_int`]) the way Kubernetes' YAML decoder resolves it, so `yes`
//! is a boolean and `"2"` is a string.

use std::collections::HashMap;
use std::fmt;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span, Tag};

use super::yaml_repair::{self, Padding};

/// Nesting deeper than this (sequences and mappings) ends the file with a problem.
///
/// Kubernetes objects rarely go past 20 levels; large CustomResourceDefinition schemas stay well
/// under 100.
pub(crate) const MAX_DEPTH: usize = 128;

/// More nodes than this in one file (aliases expanded) ends it with a problem.
pub(crate) const MAX_NODES: usize = 1_000_000;

/// Aliases of one file may expand to at most this many nodes in total.
pub(crate) const MAX_ALIAS_NODES: usize = 100_000;

/// A position in the source: 1-based line and 1-based column, counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Mark {
    pub line: u32,
    pub column: u32,
}

impl Mark {
    /// A mark at a 1-based line and column.
    pub(crate) const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One YAML node, where it starts and where it ends (exclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub mark: Mark,
    pub end: Mark,
    pub data: Data,
}

/// What a node holds. Children are exact-size slices: a run holds the trees of every file
/// linted together, so their size is the size of the run.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// A scalar, with its text as written (after unquoting and folding).
    Scalar(Scalar),
    /// A sequence.
    Seq(Box<[Node]>),
    /// A mapping, in source order. Duplicate keys are kept (and reported by [`load`]); lookups
    /// see the last, as Kubernetes' decoder does.
    Map(Box<[Entry]>),
}

/// The bytes of text a scalar keeps inline, without an allocation: most keys and values of a
/// manifest (`name`, `image`, `250m`, `/health`) fit.
const INLINE: usize = 21;

/// A scalar: its text as written (after unquoting and folding) and whether it was plain
/// (unquoted, untagged), which decides its type. Kept in 24 bytes, short text inline and the
/// long keys manifests repeat ([`well_known`]) as a reference to the binary's copy, so a whole
/// node is 40.
#[derive(Clone)]
pub struct Scalar(Repr);

#[derive(Clone)]
enum Repr {
    Inline {
        plain: bool,
        len: u8,
        bytes: [u8; INLINE],
    },
    Static {
        plain: bool,
        text: &'static str,
    },
    Heap {
        plain: bool,
        text: Box<str>,
    },
}

/// The long keys (over [`INLINE`] bytes) that manifests write again and again: the recommended
/// labels and the security fields every container sets. A scalar of one of these texts refers
/// to this copy instead of allocating its own.
fn well_known(text: &str) -> Option<&'static str> {
    Some(match text {
        "app.kubernetes.io/name" => "app.kubernetes.io/name",
        "app.kubernetes.io/instance" => "app.kubernetes.io/instance",
        "app.kubernetes.io/version" => "app.kubernetes.io/version",
        "app.kubernetes.io/component" => "app.kubernetes.io/component",
        "app.kubernetes.io/part-of" => "app.kubernetes.io/part-of",
        "app.kubernetes.io/managed-by" => "app.kubernetes.io/managed-by",
        "kubernetes.io/hostname" => "kubernetes.io/hostname",
        "allowPrivilegeEscalation" => "allowPrivilegeEscalation",
        "readOnlyRootFilesystem" => "readOnlyRootFilesystem",
        "terminationGracePeriodSeconds" => "terminationGracePeriodSeconds",
        "automountServiceAccountToken" => "automountServiceAccountToken",
        "progressDeadlineSeconds" => "progressDeadlineSeconds",
        "topologySpreadConstraints" => "topologySpreadConstraints",
        "terminationMessagePolicy" => "terminationMessagePolicy",
        "terminationMessagePath" => "terminationMessagePath",
        _ => return None,
    })
}

impl Scalar {
    /// A scalar of this text; `plain` when it was written unquoted and untagged. Short text is
    /// copied inline; only text longer than [`INLINE`] bytes is allocated (taken over when it is
    /// already owned), since the loader builds one scalar per key and value of every file.
    pub(crate) fn new<'t>(text: impl Into<std::borrow::Cow<'t, str>>, plain: bool) -> Self {
        let text = text.into();
        if text.len() <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            Self(Repr::Inline {
                plain,
                len: text.len() as u8,
                bytes,
            })
        } else if let Some(text) = well_known(&text) {
            Self(Repr::Static { plain, text })
        } else {
            Self(Repr::Heap {
                plain,
                text: text.into_owned().into_boxed_str(),
            })
        }
    }

    /// The text.
    pub(crate) fn text(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes, .. } => {
                // SAFETY: `Scalar::new` is the only way to build `Inline`; it copies all the
                // bytes of a `str` (`len` of them), so `bytes[..len]` is valid UTF-8. This is
                // the hottest path of every rule (key lookups), hence no re-validation.
                unsafe { std::str::from_utf8_unchecked(&bytes[..usize::from(*len)]) }
            }
            Repr::Static { text, .. } => text,
            Repr::Heap { text, .. } => text,
        }
    }

    /// The text's bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes, .. } => &bytes[..usize::from(*len)],
            Repr::Static { text, .. } => text.as_bytes(),
            Repr::Heap { text, .. } => text.as_bytes(),
        }
    }

    /// True when written unquoted and untagged.
    pub(crate) fn plain(&self) -> bool {
        match self.0 {
            Repr::Inline { plain, .. } | Repr::Static { plain, .. } | Repr::Heap { plain, .. } => {
                plain
            }
        }
    }
}

/// Scalars are equal when their texts and kinds are, however the text is kept.
impl PartialEq for Scalar {
    fn eq(&self, other: &Self) -> bool {
        self.plain() == other.plain() && self.text() == other.text()
    }
}

impl Eq for Scalar {}

impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scalar({:?}, plain: {})", self.text(), self.plain())
    }
}

/// A key and its value in a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

/// One document of a YAML stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 0-based position of the document in its file, counting empty documents too.
    pub index: usize,
    /// The document's content.
    pub root: Node,
}

/// Something wrong with the YAML text, at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlProblem {
    pub mark: Mark,
    pub kind: YamlProblemKind,
    pub message: String,
}

/// What kind of problem the loader met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlProblemKind {
    /// The text is not YAML; loading stopped here.
    Syntax,
    /// A key appears twice in one mapping; loading went on.
    DuplicateKey,
    /// A budget ran out (depth, nodes, alias expansion); loading stopped here.
    Budget,
}

/// The result of loading a YAML text: the complete documents, and what went wrong.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loaded {
    pub documents: Vec<Document>,
    pub problems: Vec<YamlProblem>,
}

/// Loads every document of a YAML text. Never panics and never fails: problems are returned
/// alongside the documents that loaded before them.
///
/// ```
/// use aigen::policy::k8s::yaml_tree::load;
/// let loaded = load("kind: Service\n---\nkind: Pod\nspec: {}\n");
/// assert_eq!(loaded.documents.len(), 2);
/// let spec = loaded.documents[1].root.get("spec").unwrap();
/// assert_eq!((spec.mark.line, spec.mark.column), (4, 7));
/// ```
pub fn load(text: &str) -> Loaded {
    let Some(pieces) = super::json_stream::split(text) else {
        return load_at(text, Place::default());
    };
    // Concatenated JSON objects (`kubectl` reads them as a stream): each is a document, read
    // where it sits in the file.
    let mut loaded = Loaded::default();
    for (index, piece) in pieces.into_iter().enumerate() {
        let mut part = load_at(&text[piece.clone()], Place::at(text, piece.start));
        for mut document in part.documents {
            document.index += index;
            loaded.documents.push(document);
        }
        loaded.problems.append(&mut part.problems);
    }
    loaded
}

/// How many times one text is padded ([`yaml_repair`]) and read again before its error stands.
const MAX_REPAIRS: usize = 16;

/// Loads a text that sits at `place` in its file, repairing the indentation go-yaml tolerates.
fn load_at(text: &str, mut place: Place) -> Loaded {
    let mut repaired: Option<String> = None;
    let mut attempts = 0;
    loop {
        let source = repaired.as_deref().unwrap_or(text);
        let (mut builder, error) = parse(source, place.clone());
        if let Some(error) = error {
            let open_flows = builder.open_flows(source);
            let stop = yaml_repair::Stop {
                error: &error,
                open_flows: &open_flows,
            };
            if attempts < MAX_REPAIRS
                && let Some(next) = yaml_repair::repair(source, &stop, &mut place.padding)
            {
                attempts += 1;
                repaired = Some(next);
                continue;
            }
            builder.problems.push(YamlProblem {
                mark: place.mark(error.marker()),
                kind: YamlProblemKind::Syntax,
                message: error.info().to_string(),
            });
        }
        return Loaded {
            documents: builder.documents,
            problems: builder.problems,
        };
    }
}

/// Runs the parser over a text: the tree built, and the syntax error that stopped it.
fn parse(text: &str, place: Place) -> (Builder, Option<ScanError>) {
    let mut builder = Builder {
        place,
        ..Builder::default()
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_event() {
            None => return (builder, None),
            Some(Ok((event, span))) => {
                if let Err(problem) = builder.on_event(event, span) {
                    builder.problems.push(problem);
                    return (builder, None);
                }
            }
            Some(Err(error)) => return (builder, Some(error)),
        }
    }
}

/// Where the text the parser reads sits in its file (lines before it, and characters before it
/// on its first line), and the spaces a repair added: parser positions to file positions.
#[derive(Debug, Default, Clone)]
struct Place {
    lines: usize,
    columns: usize,
    padding: Padding,
}

impl Place {
    /// The place of the text starting at byte `start` of `file`.
    fn at(file: &str, start: usize) -> Self {
        let before = &file[..start];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Self {
            lines: before.matches('\n').count(),
            columns: before[line_start..].chars().count(),
            padding: Padding::default(),
        }
    }

    fn mark(&self, marker: &Marker) -> Mark {
        let mut column = self.padding.original_column(marker.line(), marker.col());
        if marker.line() == 1 {
            column += self.columns;
        }
        Mark {
            line: u32::try_from(marker.line() + self.lines).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }
}

/// A collection being built; its children so far are on the builder's scratch stacks from
/// `start` on.
#[derive(Debug)]
enum Frame {
    Seq {
        mark: Mark,
        anchor: usize,
        start: usize,
    },
    Map {
        mark: Mark,
        anchor: usize,
        start: usize,
        key: Option<Node>,
    },
}

/// An anchored node, with its size so an alias knows its cost before copying it.
#[derive(Debug)]
struct Anchored {
    node: Node,
    size: usize,
    depth: usize,
}

#[derive(Debug, Default)]
struct Builder {
    stack: Vec<Frame>,
    /// The items of the open sequences, innermost last.
    items: Vec<Node>,
    /// The entries of the open mappings, innermost last.
    entries: Vec<Entry>,
    anchors: HashMap<usize, Anchored>,
    documents: Vec<Document>,
    problems: Vec<YamlProblem>,
    /// Documents started so far (empty ones included).
    started: usize,
    /// The current document's root, once complete.
    root: Option<Node>,
    nodes: usize,
    alias_nodes: usize,
    /// Parser positions to file positions.
    place: Place,
    /// Where each open collection starts in the text the parser reads (1-based line, 0-based
    /// column), outermost first: a repair looks for the flow collections among them.
    starts: Vec<(usize, usize)>,
}

impl Builder {
    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlProblem> {
        let mark = self.place.mark(&span.start);
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                self.started += 1;
                self.anchors.clear();
                self.root = None;
            }
            Event::DocumentEnd => {
                // An empty document (`---` followed by nothing or comments) is a null: skipped.
                if let Some(root) = self.root.take().filter(|root| !root.is_null()) {
                    self.documents.push(Document {
                        index: self.started.saturating_sub(1),
                        root,
                    });
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, mark)?;
                let plain = style == ScalarStyle::Plain && tag.as_deref().is_none_or(not_str);
                let node = Node {
                    mark,
                    end: self.place.mark(&span.end),
                    data: Data::Scalar(Scalar::new(text, plain)),
                };
                if anchor != 0 {
                    self.anchors.insert(
                        anchor,
                        Anchored {
                            node: node.clone(),
                            size: 1,
                            depth: 0,
                        },
                    );
                }
                self.push(node);
            }
            Event::SequenceStart(anchor, _) => {
                self.open(mark)?;
                self.starts.push((span.start.line(), span.start.col()));
                self.stack.push(Frame::Seq {
                    mark,
                    anchor,
                    start: self.items.len(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.open(mark)?;
                self.starts.push((span.start.line(), span.start.col()));
                self.stack.push(Frame::Map {
                    mark,
                    anchor,
                    start: self.entries.len(),
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                self.starts.pop();
                let end = self.place.mark(&span.end);
                let (node, anchor) = match frame {
                    Frame::Seq {
                        mark,
                        anchor,
                        start,
                    } => (
                        Node {
                            mark,
                            end,
                            data: Data::Seq(self.items.drain(start..).collect()),
                        },
                        anchor,
                    ),
                    Frame::Map {
                        mark,
                        anchor,
                        start,
                        ..
                    } => {
                        let entries = self.finish_mapping(start);
                        (
                            Node {
                                mark,
                                end,
                                data: Data::Map(entries),
                            },
                            anchor,
                        )
                    }
                };
                if anchor != 0 {
                    let (size, depth) = (node.size(), node.depth());
                    self.anchors.insert(
                        anchor,
                        Anchored {
                            node: node.clone(),
                            size,
                            depth,
                        },
                    );
                }
                self.push(node);
            }
            Event::Alias(anchor) => {
                let Some(anchored) = self.anchors.get(&anchor) else {
                    return Err(YamlProblem {
                        mark,
                        kind: YamlProblemKind::Syntax,
                        message: "alias to an unknown anchor".to_string(),
                    });
                };
                let size = anchored.size;
                if self.stack.len() + anchored.depth > MAX_DEPTH {
                    return Err(depth_problem(mark));
                }
                if self.alias_nodes + size > MAX_ALIAS_NODES {
                    return Err(YamlProblem {
                        mark,
                        kind: YamlProblemKind::Budget,
                        message: format!(
                            "aliases expand to more than {MAX_ALIAS_NODES} nodes; a file that \
                             grows this much through aliases is refused"
                        ),
                    });
                }
                let mut node = anchored.node.clone();
                node.mark = mark;
                node.end = self.place.mark(&span.end);
                self.alias_nodes += size;
                self.count(size, mark)?;
                self.push(node);
            }
        }
        Ok(())
    }

    /// The open collections that are flow collections (start with `[` or `{` in `text`),
    /// outermost first.
    fn open_flows(&self, text: &str) -> Vec<(usize, usize)> {
        let lines: Vec<&str> = text.split('\n').collect();
        self.starts
            .iter()
            .copied()
            .filter(|&(line, column)| {
                line.checked_sub(1)
                    .and_then(|i| lines.get(i))
                    .and_then(|l| l.chars().nth(column))
                    .is_some_and(|c| c == '[' || c == '{')
            })
            .collect()
    }

    /// Counts `n` more nodes against the file's budget.
    fn count(&mut self, n: usize, mark: Mark) -> Result<(), YamlProblem> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(YamlProblem {
                mark,
                kind: YamlProblemKind::Budget,
                message: format!("the file has more than {MAX_NODES} YAML nodes"),
            });
        }
        Ok(())
    }

    /// Checks depth and node budgets before a collection opens.
    fn open(&mut self, mark: Mark) -> Result<(), YamlProblem> {
        self.count(1, mark)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(depth_problem(mark));
        }
        Ok(())
    }

    /// Places a finished node: in the open collection, or as the document's root.
    fn push(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { .. }) => self.items.push(node),
            Some(Frame::Map { start, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    let entries = &mut self.entries;
                    if let Some(first) = entries[*start..].iter().find(|e| same_key(&e.key, &k)) {
                        self.problems.push(YamlProblem {
                            mark: k.mark,
                            kind: YamlProblemKind::DuplicateKey,
                            message: format!(
                                "duplicate key `{}` (first at line {})",
                                k.display_key(),
                                first.key.mark.line
                            ),
                        });
                    }
                    entries.push(Entry {
                        key: k,
                        value: node,
                    });
                }
            },
        }
    }

    /// Takes a finished mapping's entries off the scratch stack, applying merge keys
    /// (`<<: *defaults`): the merged mappings' entries are added where the mapping does not set
    /// the key itself.
    fn finish_mapping(&mut self, start: usize) -> Box<[Entry]> {
        if !self.entries[start..].iter().any(|e| e.key.is_merge_key()) {
            return self.entries.drain(start..).collect();
        }
        let entries: Vec<Entry> = self.entries.drain(start..).collect();
        let mut own = Vec::with_capacity(entries.len());
        let mut merged: Vec<Entry> = Vec::new();
        for entry in entries {
            if !entry.key.is_merge_key() {
                own.push(entry);
                continue;
            }
            let sources = match entry.value.data {
                Data::Map(map) => vec![map],
                Data::Seq(items) => items
                    .into_vec()
                    .into_iter()
                    .filter_map(|item| match item.data {
                        Data::Map(map) => Some(map),
                        _ => None,
                    })
                    .collect(),
                Data::Scalar(_) => Vec::new(),
            };
            for source in sources {
                for e in source.into_vec() {
                    if !merged.iter().any(|m| same_key(&m.key, &e.key)) {
                        merged.push(e);
                    }
                }
            }
        }
        for e in merged {
            if !own.iter().any(|o| same_key(&o.key, &e.key)) {
                own.push(e);
            }
        }
        own.into_boxed_slice()
    }
}

fn depth_problem(mark: Mark) -> YamlProblem {
    YamlProblem {
        mark,
        kind: YamlProblemKind::Budget,
        message: format!("YAML nested deeper than {MAX_DEPTH} levels"),
    }
}

/// Whether a tag leaves a plain scalar's type to be resolved (anything but `!!str`).
fn not_str(tag: &Tag) -> bool {
    !(tag.is_yaml_core_schema() && tag.suffix == "str")
}

fn same_key(a: &Node, b: &Node) -> bool {
    match (&a.data, &b.data) {
        (Data::Scalar(x), Data::Scalar(y)) => x == y,
        _ => false,
    }
}

impl Node {
    /// The value of `key` when this node is a mapping (the last one if the key repeats).
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry (key node and value node) of `key` when this node is a mapping.
    pub(crate) fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.data {
            Data::Map(entries) => entries.iter().rev().find(|e| e.key.as_str() == Some(key)),
            _ => None,
        }
    }

    /// Follows a path of mapping keys: `node.path(&["spec", "template"])`.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The entries when this node is a mapping, else an empty slice.
    pub(crate) fn entries(&self) -> &[Entry] {
        match &self.data {
            Data::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items when this node is a sequence, else an empty slice.
    pub(crate) fn items(&self) -> &[Node] {
        match &self.data {
            Data::Seq(items) => items,
            _ => &[],
        }
    }

    /// The text of a scalar that is not null (quoted or not), else `None`.
    pub fn as_str(&self) -> Option<&str> {
        match &self.data {
            Data::Scalar(s) if !self.is_null() => Some(s.text()),
            _ => None,
        }
    }

    /// The text of a quoted (or `!!str`) scalar, or of a plain one that resolves to a string.
    pub(crate) fn as_string(&self) -> Option<&str> {
        match &self.data {
            Data::Scalar(s) if !s.plain() => Some(s.text()),
            Data::Scalar(s) if self.resolves_to_string() => Some(s.text()),
            _ => None,
        }
    }

    /// True for a mapping.
    pub(crate) fn is_map(&self) -> bool {
        matches!(self.data, Data::Map(_))
    }

    /// True for a sequence.
    pub(crate) fn is_seq(&self) -> bool {
        matches!(self.data, Data::Seq(_))
    }

    /// True for a null: an empty plain scalar, `~` or `null`.
    pub(crate) fn is_null(&self) -> bool {
        match &self.data {
            Data::Scalar(s) => {
                s.plain() && matches!(s.as_bytes(), b"" | b"~" | b"null" | b"Null" | b"NULL")
            }
            _ => false,
        }
    }

    /// A plain boolean, with the spellings Kubernetes' YAML decoder accepts (`true`, `yes`,
    /// `on`, ...).
    pub(crate) fn as_bool(&self) -> Option<bool> {
        match &self.data {
            Data::Scalar(s) if s.plain() => match s.text() {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On"
                | "ON" => Some(true),
                "false" | "False" | "FALSE" | "no" | "No" | "NO" | "n" | "N" | "off" | "Off"
                | "OFF" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A plain integer: decimal with an optional sign, `0x` hex or `0o` octal.
    pub(crate) fn as_int(&self) -> Option<i64> {
        match &self.data {
            Data::Scalar(s) if s.plain() => parse_int(s.text()),
            _ => None,
        }
    }

    /// A plain number (integer or float).
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match &self.data {
            Data::Scalar(s) if s.plain() => parse_int(s.text())
                .map(|i| i as f64)
                .or_else(|| s.text().parse::<f64>().ok().filter(|f| f.is_finite())),
            _ => None,
        }
    }

    /// True when the key is the YAML merge key `<<`.
    fn is_merge_key(&self) -> bool {
        matches!(&self.data, Data::Scalar(s) if s.plain() && s.as_bytes() == b"<<")
    }

    fn resolves_to_string(&self) -> bool {
        !self.is_null() && self.as_bool().is_none() && self.as_f64().is_none()
    }

    /// How a key reads in a message.
    fn display_key(&self) -> String {
        match &self.data {
            Data::Scalar(s) => s.text().to_string(),
            Data::Seq(_) => "[...]".to_string(),
            Data::Map(_) => "{...}".to_string(),
        }
    }

    /// How many collections deep this subtree goes (0 for a scalar).
    pub(crate) fn depth(&self) -> usize {
        match &self.data {
            Data::Scalar(_) => 0,
            Data::Seq(items) => 1 + items.iter().map(Node::depth).max().unwrap_or(0),
            Data::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|e| e.key.depth().max(e.value.depth()))
                    .max()
                    .unwrap_or(0)
            }
        }
    }

    /// The number of nodes in this subtree (itself included; keys count).
    pub(crate) fn size(&self) -> usize {
        match &self.data {
            Data::Scalar(_) => 1,
            Data::Seq(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Data::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|e| e.key.size() + e.value.size())
                    .sum::<usize>()
            }
        }
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(oct) = digits.strip_prefix("0o") {
        i64::from_str_radix(oct, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let loaded = load(text);
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        assert_eq!(loaded.documents.len(), 1);
        loaded.documents.into_iter().next().unwrap().root
    }

    #[test]
    fn every_node_knows_where_it_starts() {
        let root = one(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: app\n      image: x:1\n",
        );
        let containers = root.path(&["spec", "containers"]).unwrap();
        assert_eq!(containers.mark, Mark::new(5, 5));
        let name = containers.items()[0].entry("name").unwrap();
        assert_eq!(name.key.mark, Mark::new(5, 7));
        assert_eq!(name.value.mark, Mark::new(5, 13));
        assert_eq!(name.value.end, Mark::new(5, 16));
        let quoted = one("a: \"x y\"\n").get("a").unwrap().clone();
        assert_eq!(
            (quoted.mark, quoted.end),
            (Mark::new(1, 4), Mark::new(1, 9))
        );
        assert_eq!(name.value.as_str(), Some("app"));
    }

    #[test]
    fn documents_are_numbered_and_empty_ones_skipped() {
        let loaded = load("---\n# only a comment\n---\nkind: A\n---\n---\nkind: B\n...\n");
        let kinds: Vec<_> = loaded
            .documents
            .iter()
            .map(|d| (d.index, d.root.get("kind").unwrap().as_str().unwrap()))
            .collect();
        assert_eq!(kinds, vec![(1, "A"), (3, "B")]);
    }

    #[test]
    fn syntax_errors_keep_the_documents_before_them() {
        let loaded = load("kind: A\n---\nkind: [B\n");
        assert_eq!(loaded.documents.len(), 1);
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(loaded.problems[0].kind, YamlProblemKind::Syntax);
        assert_eq!(loaded.problems[0].mark.line, 4);
    }

    #[test]
    fn scalars_resolve_as_kubernetes_reads_them() {
        let root = one("a: yes\nb: \"yes\"\nc: 0x1F\nd: '2'\ne: ~\nf: 1.5\ng: !!str 3\nh:\n");
        assert_eq!(root.get("a").unwrap().as_bool(), Some(true));
        assert_eq!(root.get("b").unwrap().as_bool(), None);
        assert_eq!(root.get("b").unwrap().as_string(), Some("yes"));
        assert_eq!(root.get("c").unwrap().as_int(), Some(31));
        assert_eq!(root.get("d").unwrap().as_int(), None);
        assert_eq!(root.get("d").unwrap().as_str(), Some("2"));
        assert!(root.get("e").unwrap().is_null());
        assert_eq!(root.get("e").unwrap().as_str(), None);
        assert_eq!(root.get("f").unwrap().as_f64(), Some(1.5));
        assert_eq!(root.get("g").unwrap().as_int(), None);
        assert!(root.get("h").unwrap().is_null());
    }

    #[test]
    fn duplicate_keys_are_reported_and_the_last_wins() {
        let loaded = load("a: 1\nb: 2\na: 3\n");
        assert_eq!(loaded.problems.len(), 1);
        let problem = &loaded.problems[0];
        assert_eq!(problem.kind, YamlProblemKind::DuplicateKey);
        assert_eq!(problem.mark, Mark::new(3, 1));
        assert_eq!(problem.message, "duplicate key `a` (first at line 1)");
        assert_eq!(loaded.documents[0].root.get("a").unwrap().as_int(), Some(3));
    }

    #[test]
    fn aliases_and_merge_keys_expand() {
        let root = one("base: &b {cpu: 1, memory: 2}\nx:\n  <<: *b\n  cpu: 5\ny: *b\n");
        let x = root.get("x").unwrap();
        assert_eq!(x.get("cpu").unwrap().as_int(), Some(5));
        assert_eq!(x.get("memory").unwrap().as_int(), Some(2));
        assert!(x.get("<<").is_none());
        let y = root.get("y").unwrap();
        assert_eq!(y.mark, Mark::new(5, 4));
        assert_eq!(y.get("cpu").unwrap().as_int(), Some(1));
    }

    #[test]
    fn billion_laughs_runs_out_of_alias_budget() {
        let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10u8 {
            let (this, prev) = ((b'a' + i) as char, (b'a' + i - 1) as char);
            let refs = vec![format!("*{prev}"); 9].join(", ");
            text.push_str(&format!("{this}: &{this} [{refs}]\n"));
        }
        let loaded = load(&text);
        assert_eq!(loaded.documents.len(), 0);
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(loaded.problems[0].kind, YamlProblemKind::Budget);
        assert!(loaded.problems[0].message.contains("aliases expand"));
    }

    #[test]
    fn deep_nesting_runs_out_of_depth_budget() {
        let text = "- ".repeat(200_000) + "x\n";
        let loaded = load(&text);
        assert_eq!(loaded.problems.len(), 1);
        let problem = &loaded.problems[0];
        assert_eq!(problem.kind, YamlProblemKind::Budget);
        assert_eq!(problem.mark, Mark::new(1, 1 + 2 * MAX_DEPTH as u32));
        let flow = "[".repeat(10_000);
        assert_eq!(load(&flow).problems.len(), 1);
        // Chained anchors add a level each without opening a collection at the alias.
        let mut chain = String::from("a0: &a0 x\n");
        for i in 1..400 {
            chain.push_str(&format!("a{i}: &a{i} [*a{}]\n", i - 1));
        }
        let loaded = load(&chain);
        assert_eq!(loaded.problems.len(), 1);
        assert!(loaded.problems[0].message.contains("nested deeper"));
    }

    #[test]
    fn nodes_stay_small() {
        assert_eq!(std::mem::size_of::<Scalar>(), 24);
        assert_eq!(std::mem::size_of::<Node>(), 40);
        for text in [
            "",
            "name",
            "exactly-twenty-one-by",
            "twenty-two-bytes-here!",
            "é".repeat(30).as_str(),
        ] {
            let scalar = Scalar::new(text, false);
            assert_eq!((scalar.text(), scalar.plain()), (text, false));
        }
        // A long key manifests repeat refers to the binary's copy and compares by its text.
        let key = String::from("app.kubernetes.io/part-of");
        let scalar = Scalar::new(key.clone(), true);
        assert!(matches!(scalar.0, Repr::Static { .. }));
        assert_eq!((scalar.text(), scalar.plain()), (key.as_str(), true));
        assert_eq!(scalar, Scalar::new(key.as_str(), true));
        assert_ne!(scalar, Scalar::new(key.as_str(), false));
        assert!(matches!(
            Scalar::new("app.kubernetes.io/partof", true).0,
            Repr::Heap { .. }
        ));
    }

    #[test]
    fn flow_lists_closing_left_of_their_key_read_as_go_yaml_reads_them() {
        // go-yaml accepts both; YAML 1.2 wants `]` and the items right of `args`'s block.
        let text = "spec:\n  args: [\n    --a,\n\"--b\", # note\n]\n  image: x\n";
        let root = one(text);
        let args = root.path(&["spec", "args"]).unwrap();
        let items: Vec<_> = args.items().iter().map(|i| i.as_str().unwrap()).collect();
        assert_eq!(items, ["--a", "--b"]);
        assert_eq!(args.mark, Mark::new(2, 9));
        assert_eq!(args.items()[1].mark, Mark::new(4, 1));
        assert_eq!(args.end, Mark::new(5, 2));
        let image = root.path(&["spec", "image"]).unwrap();
        assert_eq!(image.mark, Mark::new(6, 10));
        // `]` at exactly the key's indentation, two mappings deep (a chart's values file).
        let values = one(
            "vault:\n  server:\n    args: [\n      \"server\",\n      \"-dev\"\n    ]\n    env: []\n",
        );
        let server = values.path(&["vault", "server"]).unwrap();
        assert_eq!(server.get("args").unwrap().items().len(), 2);
        assert_eq!(server.get("args").unwrap().end, Mark::new(6, 6));
        assert_eq!(server.entry("env").unwrap().key.mark, Mark::new(7, 5));
        let nested = one("a:\n  b: {c: [1,\n2], d: \"x\n y\"\n}\n");
        let b = nested.get("a").unwrap().get("b").unwrap();
        assert_eq!(b.get("c").unwrap().items()[1].mark, Mark::new(3, 1));
        assert_eq!(b.get("d").unwrap().as_str(), Some("x y"));
    }

    #[test]
    fn quoted_scalars_continued_left_of_their_key_read_as_go_yaml_reads_them() {
        let text = "a:\n  b:\n    c: \"one \\\"q\\\"\ntwo\"\n    d: 'it''s\n  x'\n    e: 1\n";
        let root = one(text);
        let b = root.path(&["a", "b"]).unwrap();
        assert_eq!(b.get("c").unwrap().as_str(), Some("one \"q\" two"));
        assert_eq!(b.get("c").unwrap().end, Mark::new(4, 5));
        assert_eq!(b.get("d").unwrap().as_str(), Some("it's x"));
        assert_eq!(b.get("e").unwrap().mark, Mark::new(7, 8));
        // A plain scalar continued left of its key is an error for go-yaml too.
        let loaded = load("a:\n  b:\n    c: one\n  two\n");
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(loaded.problems[0].kind, YamlProblemKind::Syntax);
        // An unclosed flow list stays an error, at its place in the file.
        let loaded = load("a:\n  b: [\n    x,\ny\n");
        assert_eq!(loaded.problems.len(), 1);
        assert_eq!(loaded.problems[0].mark, Mark::new(4, 1));
    }

    #[test]
    fn concatenated_json_objects_are_documents_where_they_sit() {
        let text = "{\"kind\": \"A\"}{\"kind\": \"B\"}\n\n  {\n \"kind\": \"C\"}\n";
        let loaded = load(text);
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        let found: Vec<_> = loaded
            .documents
            .iter()
            .map(|d| {
                let kind = d.root.get("kind").unwrap();
                (d.index, kind.as_str().unwrap(), kind.mark)
            })
            .collect();
        assert_eq!(
            found,
            [
                (0, "A", Mark::new(1, 10)),
                (1, "B", Mark::new(1, 23)),
                (2, "C", Mark::new(4, 10))
            ]
        );
    }

    #[test]
    fn odd_input_is_a_problem_not_a_panic() {
        assert_eq!(load(""), Loaded::default());
        assert_eq!(load("\u{feff}a: 1\n").documents.len(), 1);
        assert!(!load("a: \u{0}\u{1}\u{2}\n").problems.is_empty());
        assert!(!load("\tkey: [}\n").problems.is_empty());
        assert!(load("just text").documents[0].root.as_str().is_some());
    }
}
