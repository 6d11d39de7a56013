//! The Dockerfile parser: source text in, a [`Dockerfile`] with exact byte ranges out.
//!
//! It follows BuildKit's grammar: parser directives at the top (`# syntax=`, `# escape=`,
//! `# check=`), instructions that continue over lines ending with the escape character (empty
//! and comment lines inside a continuation are skipped), heredocs after RUN, COPY and ADD
//! (`<<EOF`, `<<-EOF`, `<<"EOF"`), flags, JSON (exec) and shell forms, and ONBUILD triggers.
//!
//! Parsing never fails and never panics: problems become [`SyntaxError`]s at their position
//! and the rest of the file is still parsed.

use std::ops::Range;

use super::ast::{
    Comment, Directive, Dockerfile, Flag, Heredoc, Instruction, JsonError, Keyword, Logical,
    SyntaxError, Word,
};
use super::words::{parse_json_array, split_words};

/// Parses Dockerfile text.
pub(crate) fn parse(src: &str) -> Dockerfile {
    Parser::new(src).run()
}

struct Parser<'a> {
    src: &'a str,
    /// `(start, end)` of every physical line, without its line break.
    lines: Vec<(usize, usize)>,
    file: Dockerfile,
}

/// Instructions that take `--flags` before their arguments.
fn takes_flags(keyword: &Keyword) -> bool {
    matches!(
        keyword,
        Keyword::From | Keyword::Run | Keyword::Copy | Keyword::Add | Keyword::Healthcheck
    )
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Self {
        let mut lines = Vec::with_capacity(src.len() / 24 + 1);
        let mut start = 0;
        for piece in src.split_inclusive('\n') {
            let mut end = start + piece.len();
            if src[..end].ends_with('\n') {
                end -= 1;
            }
            if src[start..end].ends_with('\r') {
                end -= 1;
            }
            lines.push((start, end));
            start += piece.len();
        }
        Self {
            src,
            lines,
            file: Dockerfile {
                escape: '\\',
                ..Dockerfile::default()
            },
        }
    }

    fn line(&self, index: usize) -> &'a str {
        let (start, end) = self.lines[index];
        &self.src[start..end]
    }

    fn error(&mut self, range: Range<usize>, message: impl Into<String>) {
        self.file.errors.push(SyntaxError {
            range,
            message: message.into(),
        });
    }

    fn run(mut self) -> Dockerfile {
        let mut index = self.directives();
        while index < self.lines.len() {
            let text = self.line(index);
            let trimmed = text.trim_start();
            let indent = text.len() - trimmed.len();
            if trimmed.is_empty() {
                index += 1;
                continue;
            }
            if trimmed.starts_with('#') {
                self.comment(index, false);
                index += 1;
                continue;
            }
            index = self.instruction(index, self.lines[index].0 + indent);
        }
        self.check_structure();
        self.file
    }

    /// Reads parser directives at the top; returns the index of the first other line.
    fn directives(&mut self) -> usize {
        let mut index = 0;
        while index < self.lines.len() {
            let text = self.line(index);
            let Some((name, value)) = directive(text) else {
                break;
            };
            let name = name.to_ascii_lowercase();
            if !matches!(name.as_str(), "syntax" | "escape" | "check") {
                break;
            }
            let (start, end) = self.lines[index];
            let range = start + (text.len() - text.trim_start().len())..end;
            if self.file.directives.iter().any(|d| d.name == name) {
                self.error(
                    range.clone(),
                    format!("the `{name}` directive is given twice"),
                );
            } else if name == "escape" {
                match value {
                    "\\" => self.file.escape = '\\',
                    "`" => self.file.escape = '`',
                    other => self.error(
                        range.clone(),
                        format!("`escape` must be `\\` or a backtick, not `{other}`"),
                    ),
                }
            }
            self.file.directives.push(Directive {
                name,
                value: value.to_string(),
                range,
            });
            index += 1;
        }
        index
    }

    fn comment(&mut self, index: usize, inside_instruction: bool) {
        let (start, end) = self.lines[index];
        let text = self.line(index);
        let hash = start + (text.len() - text.trim_start().len());
        let body = &self.src[hash + 1..end];
        let text_start = hash + 1 + (body.len() - body.trim_start().len());
        self.file.comments.push(Comment {
            text: body.trim().to_string(),
            range: hash..end,
            text_start,
            inside_instruction,
        });
    }

    /// Reads one instruction starting at line `index`, offset `start`; returns the next line.
    fn instruction(&mut self, index: usize, start: usize) -> usize {
        let escape = self.file.escape;
        let mut logical = Logical::default();
        let mut current = index;
        let mut piece_start = start;
        let last;
        loop {
            let (_, end) = self.lines[current];
            let content = &self.src[piece_start..end];
            let trimmed = content.trim_end();
            if trimmed.ends_with(escape) {
                logical.push(&trimmed[..trimmed.len() - escape.len_utf8()], piece_start);
                current += 1;
                while current < self.lines.len() {
                    let next = self.line(current).trim_start();
                    if next.is_empty() {
                        current += 1;
                    } else if next.starts_with('#') {
                        self.comment(current, true);
                        current += 1;
                    } else {
                        break;
                    }
                }
                if current >= self.lines.len() {
                    last = current - 1;
                    break;
                }
                piece_start = self.lines[current].0;
            } else {
                logical.push(content, piece_start);
                last = current;
                break;
            }
        }

        let mut instruction = self.build(logical, escape);
        let mut next = last + 1;
        let mut end = self.lines[last].1;
        let mut last_line = last;
        if instruction.keyword.takes_heredocs() {
            for (name, strip_tabs, quoted, marker) in heredoc_markers(&instruction.line) {
                let (heredoc, after) =
                    self.heredoc_body(next, name, strip_tabs, quoted, marker.clone());
                if !heredoc.terminated {
                    self.error(
                        marker,
                        format!("heredoc `{}` is not terminated", heredoc.name),
                    );
                }
                if after > next {
                    last_line = after - 1;
                    end = self.lines[after - 1].1;
                }
                next = after;
                instruction.heredocs.push(heredoc);
            }
        }
        instruction.range = instruction.keyword_range.start..end.max(instruction.keyword_range.end);
        instruction.first_line = index + 1;
        instruction.last_line = last_line + 1;
        self.validate(&instruction);
        self.file.instructions.push(instruction);
        next
    }

    /// Reads a heredoc body from line `index`; returns it and the line after its delimiter.
    fn heredoc_body(
        &self,
        index: usize,
        name: String,
        strip_tabs: bool,
        quoted: bool,
        marker: Range<usize>,
    ) -> (Heredoc, usize) {
        let body_start = self
            .lines
            .get(index)
            .map_or(self.src.len(), |&(start, _)| start);
        let mut current = index;
        while current < self.lines.len() {
            let text = self.line(current);
            let candidate = if strip_tabs {
                text.trim_start_matches('\t')
            } else {
                text
            };
            if candidate == name {
                let heredoc = Heredoc {
                    name,
                    strip_tabs,
                    quoted,
                    marker,
                    body: body_start..self.lines[current].0,
                    terminated: true,
                };
                return (heredoc, current + 1);
            }
            current += 1;
        }
        let heredoc = Heredoc {
            name,
            strip_tabs,
            quoted,
            marker,
            body: body_start..self.src.len(),
            terminated: false,
        };
        (heredoc, self.lines.len())
    }

    /// Builds an instruction from its logical line.
    fn build(&mut self, line: Logical, escape: char) -> Instruction {
        let text = line.text.as_str();
        let keyword_len = text.find(|c: char| c.is_whitespace()).unwrap_or(text.len());
        let keyword = Keyword::parse(&text[..keyword_len]);
        let keyword_range = line.source_range(0..keyword_len);
        let mut pos = skip_whitespace(text, keyword_len);

        let mut flags = Vec::new();
        if takes_flags(&keyword) {
            while text[pos..].starts_with("--") {
                let token_end = text[pos..]
                    .find(|c: char| c.is_whitespace())
                    .map_or(text.len(), |i| pos + i);
                let token = &text[pos + 2..token_end];
                let (name, value) = match token.split_once('=') {
                    Some((name, value)) => (name, Some(unquote(value))),
                    None => (token, None),
                };
                let range = line.source_range(pos..token_end);
                if name.is_empty() {
                    self.error(range.clone(), "a flag needs a name after `--`");
                }
                flags.push(Flag {
                    name: name.to_ascii_lowercase(),
                    value,
                    range,
                });
                pos = skip_whitespace(text, token_end);
            }
        }
        let args_start = pos;
        // A shell-form RUN is read as shell code (see `checker::scripts`), not as words.
        let shell_run =
            keyword == Keyword::Run && !text[args_start..].trim_start().starts_with('[');
        let mut words: Vec<Word> = if shell_run {
            Vec::new()
        } else {
            split_words(text, args_start, escape)
                .into_iter()
                .map(|(value, range)| Word {
                    value,
                    range: line.source_range(range),
                })
                .collect()
        };

        let mut command_start = args_start;
        let mut exec = None;
        if keyword.takes_exec_form() {
            if keyword == Keyword::Healthcheck {
                command_start = match words.first() {
                    Some(first) if first.value.eq_ignore_ascii_case("CMD") => {
                        let after = args_start
                            + text[args_start..]
                                .find(char::is_whitespace)
                                .unwrap_or(text.len() - args_start);
                        skip_whitespace(text, after)
                    }
                    _ => text.len(),
                };
            }
            exec = parse_json_array(text, command_start).map(|parsed| match parsed {
                Ok(elements) => Ok(elements
                    .into_iter()
                    .map(|(value, range)| Word {
                        value,
                        range: line.source_range(range),
                    })
                    .collect::<Vec<_>>()),
                Err((range, message)) => Err(JsonError {
                    range: line.source_range(range),
                    message,
                }),
            });
            if keyword != Keyword::Healthcheck
                && let Some(Ok(elements)) = &exec
            {
                words = elements.clone();
            }
        }

        let trigger = if keyword == Keyword::Onbuild && args_start < text.len() {
            Some(Box::new(self.build(line.tail(args_start), escape)))
        } else {
            None
        };

        Instruction {
            keyword,
            keyword_range: keyword_range.clone(),
            range: keyword_range,
            first_line: 0,
            last_line: 0,
            args_start,
            flags,
            words,
            exec,
            command_start,
            heredocs: Vec::new(),
            trigger,
            line,
        }
    }

    /// Reports instructions whose arguments cannot be right whatever the rules say.
    fn validate(&mut self, instruction: &Instruction) {
        let keyword = instruction.keyword.as_str();
        let at = instruction.keyword_range.clone();
        let words = &instruction.words;
        let missing = || format!("`{keyword}` needs arguments");
        match &instruction.keyword {
            Keyword::Unknown(_) => {}
            Keyword::From => {
                let shape_ok = matches!(words.len(), 1)
                    || (words.len() == 3 && words[1].value.eq_ignore_ascii_case("AS"));
                if words.is_empty() {
                    self.error(at, "`FROM` needs an image");
                } else if !shape_ok {
                    let range = words[1].range.start..instruction.args_range().end;
                    self.error(range, "`FROM` takes an image and optionally `AS <name>`");
                }
            }
            Keyword::Copy | Keyword::Add => {
                if words.len() < 2 {
                    self.error(
                        instruction.args_range(),
                        format!("`{keyword}` needs a source and a destination"),
                    );
                }
            }
            Keyword::Healthcheck => match words.first() {
                None => self.error(at, "`HEALTHCHECK` needs `CMD <command>` or `NONE`"),
                Some(first) if first.value.eq_ignore_ascii_case("NONE") => {
                    if words.len() > 1 {
                        self.error(
                            words[1].range.clone(),
                            "`HEALTHCHECK NONE` takes no arguments",
                        );
                    }
                }
                Some(first) if first.value.eq_ignore_ascii_case("CMD") => {
                    if words.len() < 2 {
                        self.error(first.range.clone(), "`HEALTHCHECK CMD` needs a command");
                    }
                }
                Some(first) => self.error(
                    first.range.clone(),
                    "`HEALTHCHECK` needs `CMD <command>` or `NONE`",
                ),
            },
            Keyword::Shell => {
                if !instruction.is_exec_form() {
                    self.error(
                        instruction.args_range(),
                        "`SHELL` needs a JSON array, e.g. `[\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]`",
                    );
                }
            }
            Keyword::Env => {
                if words.is_empty() {
                    self.error(at, missing());
                } else if !words[0].value.contains('=') && words.len() < 2 {
                    self.error(
                        words[0].range.clone(),
                        format!(
                            "`ENV {}` has no value; write `ENV {}=<value>`",
                            words[0].value, words[0].value
                        ),
                    );
                }
            }
            Keyword::Onbuild => {
                if let Some(trigger) = &instruction.trigger {
                    if matches!(
                        trigger.keyword,
                        Keyword::Onbuild | Keyword::From | Keyword::Maintainer
                    ) {
                        self.error(
                            trigger.keyword_range.clone(),
                            format!("`ONBUILD` cannot trigger `{}`", trigger.keyword.as_str()),
                        );
                    } else {
                        self.validate(trigger);
                    }
                } else {
                    self.error(at, missing());
                }
            }
            _ => {
                if instruction.args().is_empty() && instruction.heredocs.is_empty() {
                    self.error(at, missing());
                }
            }
        }
    }

    /// File-level structure: some FROM, and nothing but ARG before the first one.
    fn check_structure(&mut self) {
        let mut seen_from = false;
        let mut problems = Vec::new();
        for instruction in &self.file.instructions {
            match instruction.keyword {
                Keyword::From => seen_from = true,
                Keyword::Arg => {}
                Keyword::Unknown(_) => {}
                ref other if !seen_from => problems.push((
                    instruction.keyword_range.clone(),
                    format!(
                        "`{}` comes before the first `FROM`; only `ARG` may",
                        other.as_str()
                    ),
                )),
                _ => {}
            }
        }
        if !seen_from {
            let message = if self.file.instructions.is_empty() {
                "the file has no instructions"
            } else {
                "the file has no `FROM` instruction"
            };
            problems.push((0..0, message.to_string()));
        }
        for (range, message) in problems {
            self.error(range, message);
        }
    }
}

/// `# name=value` → `(name, value)`.
fn directive(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start().strip_prefix('#')?;
    let (name, value) = rest.split_once('=')?;
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    Some((name, value.trim()))
}

fn skip_whitespace(text: &str, from: usize) -> usize {
    let from = from.min(text.len());
    from + (text[from..].len() - text[from..].trim_start().len())
}

fn unquote(value: &str) -> String {
    let bytes = value.as_bytes();
    if bytes.len() >= 2
        && (bytes[0] == b'"' || bytes[0] == b'\'')
        && bytes[bytes.len() - 1] == bytes[0]
    {
        value[1..value.len() - 1].to_string()
    } else {
        value.to_string()
    }
}

/// The heredoc markers of an instruction line, outside quotes: `(name, strip_tabs, quoted,
/// source range of the marker)`.
fn heredoc_markers(line: &Logical) -> Vec<(String, bool, bool, Range<usize>)> {
    let text = line.text.as_bytes();
    let mut markers = Vec::new();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quote = Some(b),
            None if b == b'<'
                && text.get(i + 1) == Some(&b'<')
                && text.get(i + 2) != Some(&b'<')
                && (i == 0 || text[i - 1] != b'<') =>
            {
                let start = i;
                let mut j = i + 2;
                let strip_tabs = text.get(j) == Some(&b'-');
                if strip_tabs {
                    j += 1;
                }
                let open = text.get(j).copied().filter(|c| *c == b'"' || *c == b'\'');
                if open.is_some() {
                    j += 1;
                }
                let name_start = j;
                while j < text.len()
                    && (text[j].is_ascii_alphanumeric() || matches!(text[j], b'_' | b'-' | b'.'))
                {
                    j += 1;
                }
                let name_end = j;
                if let Some(open) = open {
                    if text.get(j) != Some(&open) {
                        i += 2;
                        continue;
                    }
                    j += 1;
                }
                if name_end > name_start {
                    markers.push((
                        line.text[name_start..name_end].to_string(),
                        strip_tabs,
                        open.is_some(),
                        line.source_range(start..j),
                    ));
                }
                i = j;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    markers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(instruction: &Instruction) -> Vec<&str> {
        instruction.words.iter().map(|w| w.value.as_str()).collect()
    }

    #[test]
    fn instructions_have_exact_ranges() {
        let src = "FROM python:3.13-slim AS build\nRUN --mount=type=cache,target=/root/.cache pip install x\n";
        let file = parse(src);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let from = &file.instructions[0];
        assert_eq!(from.keyword, Keyword::From);
        assert_eq!(&src[from.words[0].range.clone()], "python:3.13-slim");
        assert_eq!(words(from), vec!["python:3.13-slim", "AS", "build"]);
        let run = &file.instructions[1];
        assert_eq!(run.flags[0].name, "mount");
        assert_eq!(
            run.flags[0].value.as_deref(),
            Some("type=cache,target=/root/.cache")
        );
        assert_eq!(
            &src[run.flags[0].range.clone()],
            "--mount=type=cache,target=/root/.cache"
        );
        assert_eq!(run.args(), "pip install x");
        assert_eq!((run.first_line, run.last_line), (2, 2));
    }

    #[test]
    fn continuations_join_and_map_back() {
        let src = "RUN apt-get update \\\n    # a comment\n\n    && apt-get install -y curl\nCMD [\"x\"]\n";
        let file = parse(src);
        let run = &file.instructions[0];
        assert_eq!(run.args(), "apt-get update     && apt-get install -y curl");
        let command = run.command();
        let curl = command.text.find("curl").unwrap();
        assert_eq!(&src[command.source_range(curl..curl + 4)], "curl");
        assert_eq!((run.first_line, run.last_line), (1, 4));
        assert!(file.comments[0].inside_instruction);
        assert_eq!(file.instructions[1].first_line, 5);
    }

    #[test]
    fn the_escape_directive_changes_the_continuation_character() {
        let src =
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  C:\\\n";
        let file = parse(src);
        assert_eq!(file.escape, '`');
        assert_eq!(file.directives[0].name, "escape");
        assert_eq!(file.instructions[1].args(), "dir   C:\\");
        assert!(file.errors.is_empty(), "{:?}", file.errors);
    }

    #[test]
    fn heredocs_take_their_bodies() {
        let src = "FROM alpine:3.20\nRUN <<EOF\napk add --no-cache curl\nEOF\nCOPY <<-\"CONF\" /etc/app.conf\n\tkey=value\n\tCONF\nUSER 1000\n";
        let file = parse(src);
        assert!(file.errors.is_empty(), "{:?}", file.errors);
        let run = &file.instructions[1];
        assert_eq!(
            &src[run.heredocs[0].body.clone()],
            "apk add --no-cache curl\n"
        );
        assert_eq!((run.first_line, run.last_line), (2, 4));
        let copy = &file.instructions[2];
        assert!(copy.heredocs[0].strip_tabs && copy.heredocs[0].quoted);
        assert_eq!(&src[copy.heredocs[0].body.clone()], "\tkey=value\n");
        assert_eq!(file.instructions[3].keyword, Keyword::User);
        assert_eq!(file.instructions[3].first_line, 8);
    }

    #[test]
    fn an_unterminated_heredoc_is_an_error_not_a_panic() {
        let file = parse("FROM a:1\nRUN <<EOF\necho hi\n");
        assert_eq!(file.errors.len(), 1);
        assert_eq!(file.errors[0].message, "heredoc `EOF` is not terminated");
        assert_eq!(file.errors[0].range, 13..18);
    }

    #[test]
    fn exec_and_shell_forms_are_told_apart() {
        let file = parse(
            "FROM a:1\nCMD [\"python\", \"app.py\"]\nENTRYPOINT python app.py\nHEALTHCHECK --interval=30s CMD [\"curl\", \"-f\", \"x\"]\nCMD ['a']\n",
        );
        assert!(file.instructions[1].is_exec_form());
        assert_eq!(words(&file.instructions[1]), vec!["python", "app.py"]);
        assert!(file.instructions[2].exec.is_none());
        let health = &file.instructions[3];
        assert!(health.is_exec_form());
        assert_eq!(
            health.flag("interval").and_then(|f| f.value.as_deref()),
            Some("30s")
        );
        assert!(matches!(file.instructions[4].exec, Some(Err(_))));
    }

    #[test]
    fn onbuild_holds_its_trigger() {
        let src = "FROM a:1\nONBUILD COPY . /app\nONBUILD FROM b\n";
        let file = parse(src);
        let trigger = file.instructions[1].trigger.as_ref().unwrap();
        assert_eq!(trigger.keyword, Keyword::Copy);
        assert_eq!(&src[trigger.keyword_range.clone()], "COPY");
        assert_eq!(file.errors[0].message, "`ONBUILD` cannot trigger `FROM`");
    }

    #[test]
    fn structure_errors_are_reported() {
        assert_eq!(parse("").errors[0].message, "the file has no instructions");
        assert_eq!(
            parse("# only\n\n").errors[0].message,
            "the file has no instructions"
        );
        let file = parse("RUN x\nFROM a:1\nCOPY a\nFROM\n");
        let messages: Vec<&str> = file.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "`COPY` needs a source and a destination",
                "`FROM` needs an image",
                "`RUN` comes before the first `FROM`; only `ARG` may",
            ]
        );
    }

    #[test]
    fn crlf_line_ends_are_handled() {
        let src = "FROM a:1\r\nRUN echo \\\r\n  hi\r\n";
        let file = parse(src);
        assert!(file.errors.is_empty());
        assert_eq!(file.instructions[1].args(), "echo   hi");
    }
}
