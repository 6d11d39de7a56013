//! The syntax tree of a Dockerfile, with the byte range in the source of every instruction,
//! keyword, flag, argument and heredoc.
//!
//! An [`Instruction`] keeps its *logical line*: the physical lines joined at their line
//! continuations, comments inside the continuation dropped. [`Logical`] maps every offset of
//! that text back to the source, so a word found in the joined text still points at the exact
//! line and column where it was written.

use std::ops::Range;

/// A parsed Dockerfile.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dockerfile {
    /// The escape character (`\` unless a `# escape=` directive says otherwise).
    pub escape: char,
    /// Parser directives at the top of the file (`# syntax=`, `# escape=`, `# check=`).
    pub directives: Vec<Directive>,
    /// Instructions in order.
    pub instructions: Vec<Instruction>,
    /// Comment lines (outside instructions and inside continuations), in order.
    pub comments: Vec<Comment>,
    /// Problems that make the file invalid, in order.
    pub errors: Vec<SyntaxError>,
}

/// A parser directive: `# name=value` at the very top of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Directive {
    /// The lowercase name (`syntax`, `escape`, `check`).
    pub name: String,
    pub value: String,
    pub range: Range<usize>,
}

/// A comment line; `text` is what follows the `#`, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comment {
    pub text: String,
    /// The comment from its `#` to the end of the line.
    pub range: Range<usize>,
    /// Byte offset in the source where `text` starts.
    pub text_start: usize,
    /// True when the comment sits inside an instruction's line continuation.
    pub inside_instruction: bool,
}

/// A problem that makes the file invalid, reported as `AG-D000`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub range: Range<usize>,
    pub message: String,
}

/// The instruction keywords Docker knows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    /// Anything else, upper-cased.
    Unknown(String),
}

impl Keyword {
    /// The keyword of a word (any case).
    pub(crate) fn parse(word: &str) -> Self {
        const KNOWN: &[Keyword] = &[
            Keyword::Add,
            Keyword::Arg,
            Keyword::Cmd,
            Keyword::Copy,
            Keyword::Entrypoint,
            Keyword::Env,
            Keyword::Expose,
            Keyword::From,
            Keyword::Healthcheck,
            Keyword::Label,
            Keyword::Maintainer,
            Keyword::Onbuild,
            Keyword::Run,
            Keyword::Shell,
            Keyword::Stopsignal,
            Keyword::User,
            Keyword::Volume,
            Keyword::Workdir,
        ];
        KNOWN
            .iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(word))
            .cloned()
            .unwrap_or_else(|| Self::Unknown(word.to_ascii_uppercase()))
    }

    /// The keyword in upper case.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Self::Add => "ADD",
            Self::Arg => "ARG",
            Self::Cmd => "CMD",
            Self::Copy => "COPY",
            Self::Entrypoint => "ENTRYPOINT",
            Self::Env => "ENV",
            Self::Expose => "EXPOSE",
            Self::From => "FROM",
            Self::Healthcheck => "HEALTHCHECK",
            Self::Label => "LABEL",
            Self::Maintainer => "MAINTAINER",
            Self::Onbuild => "ONBUILD",
            Self::Run => "RUN",
            Self::Shell => "SHELL",
            Self::Stopsignal => "STOPSIGNAL",
            Self::User => "USER",
            Self::Volume => "VOLUME",
            Self::Workdir => "WORKDIR",
            Self::Unknown(word) => word,
        }
    }

    /// Instructions whose arguments may be a JSON array (exec form).
    pub(crate) fn takes_exec_form(&self) -> bool {
        matches!(
            self,
            Self::Run
                | Self::Cmd
                | Self::Entrypoint
                | Self::Shell
                | Self::Volume
                | Self::Copy
                | Self::Add
                | Self::Healthcheck
        )
    }

    /// Instructions that may carry heredocs.
    pub(crate) fn takes_heredocs(&self) -> bool {
        matches!(self, Self::Run | Self::Copy | Self::Add)
    }
}

/// Text joined from pieces of the source, with the map back to source offsets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Logical {
    /// The joined text.
    pub text: String,
    /// `(offset in text, offset in source)` at the start of each contiguous piece.
    segments: Vec<(usize, usize)>,
}

impl Logical {
    /// Text that is one contiguous piece of the source starting at `source_start`.
    pub(crate) fn contiguous(text: &str, source_start: usize) -> Self {
        Self {
            text: text.to_string(),
            segments: vec![(0, source_start)],
        }
    }

    /// Appends `piece`, which starts at `source_start` in the source.
    pub(crate) fn push(&mut self, piece: &str, source_start: usize) {
        if piece.is_empty() {
            return;
        }
        self.segments.push((self.text.len(), source_start));
        self.text.push_str(piece);
    }

    /// The source offset of a text offset.
    pub(crate) fn source_offset(&self, offset: usize) -> usize {
        let index = match self
            .segments
            .binary_search_by(|(start, _)| start.cmp(&offset))
        {
            Ok(i) => i,
            Err(0) => return self.segments.first().map_or(offset, |s| s.1),
            Err(i) => i - 1,
        };
        let (start, source) = self.segments[index];
        source + (offset - start)
    }

    /// The source range of a text range (the end maps from the piece holding the last byte).
    pub(crate) fn source_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.source_offset(range.start);
        if range.end <= range.start {
            return start..start;
        }
        let last = range.end - 1;
        let index = match self.segments.binary_search_by(|(s, _)| s.cmp(&last)) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        let end = match self.segments.get(index) {
            Some(&(s, source)) => source + (range.end - s),
            None => range.end,
        };
        start..end.max(start)
    }

    /// The part of the text from `from` to the end, with its map.
    pub(crate) fn tail(&self, from: usize) -> Self {
        let from = from.min(self.text.len());
        let mut tail = Self::default();
        for (i, &(start, source)) in self.segments.iter().enumerate() {
            let end = self
                .segments
                .get(i + 1)
                .map_or(self.text.len(), |next| next.0);
            if end <= from {
                continue;
            }
            let piece_start = start.max(from);
            tail.push(&self.text[piece_start..end], source + (piece_start - start));
        }
        tail
    }
}

/// A word of an instruction's arguments: the unquoted value and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    /// The value with quotes and escapes removed.
    pub value: String,
    /// The raw token in the source, quotes included.
    pub range: Range<usize>,
}

/// A `--name` or `--name=value` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Flag {
    /// The name without the dashes.
    pub name: String,
    pub value: Option<String>,
    /// The whole flag, dashes included.
    pub range: Range<usize>,
}

/// A heredoc (`<<EOF` ... `EOF`) of a RUN, COPY or ADD instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heredoc {
    /// The delimiter word.
    pub name: String,
    /// `<<-`: leading tabs are removed from the body.
    pub strip_tabs: bool,
    /// The delimiter was quoted: no expansion in the body.
    pub quoted: bool,
    /// The `<<EOF` marker in the instruction.
    pub marker: Range<usize>,
    /// The body, between the instruction line and the delimiter line.
    pub body: Range<usize>,
    /// False when the file ended before the delimiter line.
    pub terminated: bool,
}

/// An exec-form argument list that looks like JSON but is not valid JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonError {
    pub range: Range<usize>,
    pub message: String,
}

/// One instruction, with its continuation lines and heredocs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Instruction {
    pub keyword: Keyword,
    /// The keyword as written.
    pub keyword_range: Range<usize>,
    /// From the keyword to the end of the last line (heredoc delimiters included).
    pub range: Range<usize>,
    /// 1-based lines the instruction starts and ends on.
    pub first_line: usize,
    pub last_line: usize,
    /// The logical line: from the keyword to the end, continuations joined.
    pub line: Logical,
    /// Offset in `line.text` where the arguments after the flags start.
    pub args_start: usize,
    pub flags: Vec<Flag>,
    /// The arguments after the flags: shell words, or the elements of the JSON array in exec
    /// form. Empty for a shell-form `RUN`, whose command is shell code ([`Instruction::command`]).
    pub words: Vec<Word>,
    /// For instructions that take an exec form: `Some(Ok(..))` when the arguments (after `CMD`
    /// for HEALTHCHECK) are a JSON array, `Some(Err(..))` when they look like one but do not
    /// parse, `None` for the shell form.
    pub exec: Option<Result<Vec<Word>, JsonError>>,
    /// Offset in `line.text` where the command of a shell-form instruction starts (after `CMD`
    /// for HEALTHCHECK).
    pub command_start: usize,
    pub heredocs: Vec<Heredoc>,
    /// The instruction ONBUILD triggers.
    pub trigger: Option<Box<Instruction>>,
}

impl Instruction {
    /// The arguments after the flags, as text.
    pub(crate) fn args(&self) -> &str {
        self.line
            .text
            .get(self.args_start..)
            .unwrap_or("")
            .trim_end()
    }

    /// The source range of the arguments after the flags (the keyword when there are none).
    pub(crate) fn args_range(&self) -> Range<usize> {
        let args = self.args();
        if args.is_empty() {
            return self.keyword_range.clone();
        }
        let lead = self.line.text[self.args_start..].len()
            - self.line.text[self.args_start..].trim_start().len();
        let start = self.args_start + lead;
        self.line.source_range(start..self.args_start + args.len())
    }

    /// The flag of a name (the last one when repeated).
    pub(crate) fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().rev().find(|f| f.name == name)
    }

    /// True when the arguments are a valid JSON array.
    pub(crate) fn is_exec_form(&self) -> bool {
        matches!(self.exec, Some(Ok(_)))
    }

    /// The shell command of a shell-form instruction (after `CMD` for HEALTHCHECK), with its
    /// map to the source.
    pub(crate) fn command(&self) -> Logical {
        self.line.tail(self.command_start)
    }

    /// The settings of an `ARG` or `ENV` instruction: one per `NAME=value` (or bare `NAME`)
    /// word, or the single setting of the legacy `ENV NAME value words` form. `source` is the
    /// file's text, for where the value of a `NAME=value` word starts as written.
    pub(crate) fn settings(&self, source: &str) -> Vec<Setting> {
        let words = &self.words;
        let legacy =
            self.keyword == Keyword::Env && words.first().is_some_and(|w| !w.value.contains('='));
        if legacy {
            let name = &words[0];
            let value = words[1..]
                .iter()
                .map(|w| w.value.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            return vec![Setting {
                name: name.value.clone(),
                value: Some(value),
                word: name.range.clone(),
                name_range: name.range.clone(),
                value_ranges: words[1..].iter().map(|w| w.range.clone()).collect(),
            }];
        }
        words
            .iter()
            .map(|word| {
                let (name, value) = match word.value.split_once('=') {
                    Some((name, value)) => (name.to_string(), Some(value.to_string())),
                    None => (word.value.clone(), None),
                };
                let name_end = (word.range.start + name.len()).min(word.range.end);
                let raw = source.get(word.range.clone()).unwrap_or("");
                let value_ranges = raw
                    .find('=')
                    .map(|eq| word.range.start + eq + 1..word.range.end)
                    .into_iter()
                    .collect();
                Setting {
                    name,
                    value,
                    word: word.range.clone(),
                    name_range: word.range.start..name_end,
                    value_ranges,
                }
            })
            .collect()
    }
}

/// One setting of an `ARG` or `ENV` instruction (see [`Instruction::settings`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Setting {
    /// The name, quotes removed.
    pub name: String,
    /// The value, quotes removed; `None` for an `ARG NAME` without a default.
    pub value: Option<String>,
    /// The word that holds the name (`NAME=value`, or `NAME` of the legacy form).
    pub word: Range<usize>,
    /// The name in the source.
    pub name_range: Range<usize>,
    /// Where the value is written: after the `=` of its word, or the words after the name in
    /// the legacy form.
    pub value_ranges: Vec<Range<usize>>,
}
