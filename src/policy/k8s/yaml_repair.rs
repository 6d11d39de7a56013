//! What go-yaml reads and saphyr refuses: flow collections and quoted scalars whose continuation
//! lines sit left of the block they belong to.
//!
//! YAML 1.2 wants every line of a flow collection (`[ ... ]`, `{ ... }`) and of a multi-line
//! quoted scalar indented deeper than the block mapping holding it; go-yaml, which `kubectl`,
//! Helm and every Kubernetes tool read manifests with, does not check. So
//!
//! ```yaml
//! spec:
//!   args: [
//!     --port=8080
//! ]
//!   command: "run
//! --fast"
//! ```
//!
//! is a manifest for them and a syntax error for saphyr. When saphyr stops on such an
//! indentation error, [`repair`] finds the construct (the quoted scalar the error names, or the
//! outermost flow collection still open) and pads each of its lines that sits left of the
//! construct's opening character with spaces, so the text reads again. Nothing else changes:
//! whitespace at the start of a line inside a flow collection or a quoted scalar carries no
//! meaning (it is folded away), so the values are the ones go-yaml reads; and lines keep their
//! numbers, and [`Padding`] maps every column back, so positions stay exact.
//!
//! This is not a parser: it scans one construct whose start saphyr pointed at, to its closing
//! quote or bracket, skipping quoted text and comments inside it.

use saphyr_parser::ScanError;

/// Spaces added at the start of lines, and how to take them back out of a column.
#[derive(Debug, Default, Clone)]
pub(super) struct Padding {
    /// (1-based line, spaces added at its start), sorted by line, one entry per line.
    lines: Vec<(usize, usize)>,
}

impl Padding {
    /// The 0-based column in the original text of a 0-based column of the padded one.
    pub(super) fn original_column(&self, line: usize, column: usize) -> usize {
        if self.lines.is_empty() {
            return column;
        }
        match self.lines.binary_search_by_key(&line, |(l, _)| *l) {
            Ok(i) => column.saturating_sub(self.lines[i].1),
            Err(_) => column,
        }
    }

    fn add(&mut self, line: usize, spaces: usize) {
        match self.lines.binary_search_by_key(&line, |(l, _)| *l) {
            Ok(i) => self.lines[i].1 += spaces,
            Err(i) => self.lines.insert(i, (line, spaces)),
        }
    }
}

/// Where saphyr stopped, and the flow collections open there (their 1-based lines and 0-based
/// columns in the text it read, outermost first).
pub(super) struct Stop<'a> {
    pub error: &'a ScanError,
    pub open_flows: &'a [(usize, usize)],
}

/// The text padded so saphyr reads past `stop`, or `None` when the error is not one go-yaml
/// tolerates (or padding would not change anything). `padding` records what was added.
pub(super) fn repair(text: &str, stop: &Stop<'_>, padding: &mut Padding) -> Option<String> {
    let marker = stop.error.marker();
    let start = match stop.error.info() {
        "invalid indentation in quoted scalar" => (marker.line(), marker.col()),
        "invalid indentation" | "invalid indentation in flow construct" => {
            *stop.open_flows.first()?
        }
        _ => return None,
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let opener = lines.get(start.0.checked_sub(1)?)?.chars().nth(start.1)?;
    let last = construct_end(&lines, start, opener)?;
    let target = start.1 + 1;
    let mut out = String::with_capacity(text.len() + 64);
    let mut changed = false;
    for (i, line) in lines.iter().enumerate() {
        let number = i + 1;
        if number > start.0 && number <= last {
            let indent = line.chars().take_while(|c| *c == ' ' || *c == '\t').count();
            let blank = line.trim().is_empty();
            if !blank && indent < target {
                out.extend(std::iter::repeat_n(' ', target - indent));
                padding.add(number, target - indent);
                changed = true;
            }
        }
        out.push_str(line);
    }
    changed.then_some(out)
}

/// The 1-based line where the construct opened by `opener` at `start` closes: the matching
/// quote of a quoted scalar, or the bracket that closes a flow collection (quoted text and
/// comments inside skipped). `None` when it does not close.
fn construct_end(lines: &[&str], start: (usize, usize), opener: char) -> Option<usize> {
    let mut scan = Scan::default();
    scan.state = match opener {
        '"' => State::Double,
        '\'' => State::Single,
        '[' | '{' => State::Flow,
        _ => return None,
    };
    scan.depth = usize::from(scan.state == State::Flow);
    for (i, line) in lines.iter().enumerate().skip(start.0 - 1) {
        let skip = if i + 1 == start.0 { start.1 + 1 } else { 0 };
        let mut previous = if skip == 0 {
            ' '
        } else {
            line.chars().nth(skip - 1).unwrap_or(' ')
        };
        let mut chars = line.chars().skip(skip).peekable();
        while let Some(c) = chars.next() {
            if scan.step(c, previous, chars.peek().copied()) {
                return Some(i + 1);
            }
            if std::mem::take(&mut scan.skip_next) {
                chars.next();
            }
            previous = c;
        }
        if scan.state == State::Comment {
            scan.state = State::Flow;
        }
    }
    None
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    Flow,
    Double,
    Single,
    Comment,
}

/// The scanner of one construct: where it is, and how many flow collections are open.
#[derive(Debug, Default)]
struct Scan {
    state: State,
    depth: usize,
    /// A quoted scalar inside a flow collection is open (its end does not end the construct).
    in_flow: bool,
    /// The next character is escaped (`\\x` in double quotes, `''` in single quotes).
    skip_next: bool,
}

impl Scan {
    /// Takes one character; true when the construct closes with it.
    fn step(&mut self, c: char, previous: char, next: Option<char>) -> bool {
        match self.state {
            State::Double => match c {
                '\\' => self.skip_next = true,
                '"' => return self.close_quote(),
                _ => {}
            },
            State::Single => {
                if c == '\'' {
                    if next == Some('\'') {
                        self.skip_next = true;
                    } else {
                        return self.close_quote();
                    }
                }
            }
            State::Comment => {}
            State::Flow => match c {
                '"' => {
                    self.in_flow = true;
                    self.state = State::Double;
                }
                '\'' => {
                    self.in_flow = true;
                    self.state = State::Single;
                }
                '#' if previous.is_whitespace() => self.state = State::Comment,
                '[' | '{' => self.depth += 1,
                ']' | '}' => {
                    self.depth = self.depth.saturating_sub(1);
                    return self.depth == 0;
                }
                _ => {}
            },
        }
        false
    }

    fn close_quote(&mut self) -> bool {
        if self.in_flow {
            self.in_flow = false;
            self.state = State::Flow;
            false
        } else {
            true
        }
    }
}
