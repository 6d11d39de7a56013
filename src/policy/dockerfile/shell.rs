//! A small reader of the shell code in RUN instructions: it splits a script into simple
//! commands (at `&&`, `||`, `;`, `|`, `&`, newlines and parentheses) and each command into words,
//! with quotes, escapes, `$(...)`, backticks, comments and redirections handled well enough to
//! tell which programs run with which arguments. It is not a shell: it never expands anything.
//!
//! Ranges are byte offsets into the script text; callers map them to the Dockerfile with the
//! [`super::ast::Logical`] the script came from.

use std::ops::Range;

/// A word of a command: its value with quotes removed, and its raw range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShellWord {
    pub value: String,
    pub range: Range<usize>,
}

/// How a command is joined to the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Joint {
    /// `&&`
    And,
    /// `||`
    Or,
    /// `|` or `|&`: the output goes to the next command.
    Pipe,
    /// `;`, `&`, a newline, a parenthesis or the end.
    Sequence,
}

/// One simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Command {
    pub words: Vec<ShellWord>,
    /// How it is joined to the next command.
    pub joint: Joint,
}

/// Words that run the command after them: `sudo apt-get ...`, `env X=1 pip ...`.
const WRAPPERS: &[&str] = &["sudo", "env", "nohup", "time", "exec", "command", "nice"];

/// Options of those wrappers that take a value (`sudo -u app`).
const OPTIONS_WITH_VALUES: &[&str] = &["-u", "-g", "-C", "-n", "-U", "-p", "-h"];

impl Command {
    /// The words from the program on: leading `NAME=value` assignments skipped.
    pub(crate) fn program_words(&self) -> &[ShellWord] {
        let skip = self
            .words
            .iter()
            .take_while(|w| is_assignment(&w.value))
            .count();
        &self.words[skip..]
    }

    /// The words of the program that really runs: assignments and wrappers (`sudo`, `env`, ...)
    /// with their options skipped.
    pub(crate) fn effective_words(&self) -> &[ShellWord] {
        let mut words = self.program_words();
        while let Some(first) = words.first() {
            if !WRAPPERS.contains(&basename(&first.value)) {
                break;
            }
            let mut skip = 1;
            while let Some(word) = words.get(skip) {
                if OPTIONS_WITH_VALUES.contains(&word.value.as_str()) {
                    skip += 2;
                } else if word.value.starts_with('-') || is_assignment(&word.value) {
                    skip += 1;
                } else {
                    break;
                }
            }
            words = &words[skip.min(words.len())..];
        }
        words
    }

    /// The program that really runs (its base name), if any.
    pub(crate) fn program(&self) -> Option<&str> {
        self.effective_words().first().map(|w| basename(&w.value))
    }

    /// The arguments of the program that really runs.
    pub(crate) fn args(&self) -> &[ShellWord] {
        let words = self.effective_words();
        words.get(1..).unwrap_or(&[])
    }

    /// The first argument that is not an option (`install` in `apt-get -y install curl`); the
    /// value of `-o`/`-c` options is skipped.
    pub(crate) fn subcommand(&self) -> Option<&ShellWord> {
        let mut args = self.args().iter();
        while let Some(arg) = args.next() {
            if arg.value == "-o" || arg.value == "-c" {
                args.next();
            } else if !arg.value.starts_with('-') {
                return Some(arg);
            }
        }
        None
    }

    /// True when the program runs `subcommand` (`apt-get install`, `npm ci`).
    pub(crate) fn runs(&self, program: &str, subcommand: &str) -> bool {
        self.program() == Some(program) && self.subcommand().is_some_and(|w| w.value == subcommand)
    }

    /// The arguments after the subcommand that are not options: `curl`, `git` in
    /// `apt-get install -y curl git`.
    pub(crate) fn operands(&self) -> Vec<&ShellWord> {
        let Some(sub) = self.subcommand() else {
            return Vec::new();
        };
        self.args()
            .iter()
            .skip_while(|w| w.range != sub.range)
            .skip(1)
            .filter(|w| !w.value.starts_with('-'))
            .collect()
    }

    /// True when an option is given, as `--long`, `--long=value`, or a short letter inside a
    /// cluster (`-qy` has `y`).
    pub(crate) fn has_option(&self, long: &str, short: Option<char>) -> bool {
        self.args().iter().any(|w| {
            let v = w.value.as_str();
            v == long
                || v.strip_prefix(long)
                    .is_some_and(|rest| rest.starts_with('='))
                || short.is_some_and(|c| {
                    v.len() > 1
                        && v.starts_with('-')
                        && !v.starts_with("--")
                        && v[1..].chars().all(|x| x.is_ascii_alphanumeric())
                        && v[1..].contains(c)
                })
        })
    }

    /// True when one of the arguments equals `value`.
    pub(crate) fn has_arg(&self, value: &str) -> bool {
        self.args().iter().any(|w| w.value == value)
    }

    /// The range from the first to the last word.
    pub(crate) fn range(&self) -> Range<usize> {
        match (self.words.first(), self.words.last()) {
            (Some(first), Some(last)) => first.range.start..last.range.end,
            _ => 0..0,
        }
    }
}

/// `/usr/bin/apt-get` → `apt-get`.
pub(crate) fn basename(program: &str) -> &str {
    program.rsplit('/').next().unwrap_or(program)
}

/// `NAME=value` with a valid variable name.
pub(crate) fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }
        None => false,
    }
}

/// Splits a script into simple commands.
pub(crate) fn parse(script: &str) -> Vec<Command> {
    Reader {
        src: script,
        pos: 0,
        commands: Vec::new(),
        words: Vec::new(),
        word: None,
        skip_next_word: false,
    }
    .run()
}

struct Reader<'a> {
    src: &'a str,
    pos: usize,
    commands: Vec<Command>,
    words: Vec<ShellWord>,
    /// The word being read: value and start.
    word: Option<(String, usize)>,
    /// The next word is a redirection target, not an argument.
    skip_next_word: bool,
}

impl Reader<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.src.get(self.pos + ahead..)?.chars().next()
    }

    fn word_mut(&mut self) -> &mut String {
        let start = self.pos;
        &mut self.word.get_or_insert_with(|| (String::new(), start)).0
    }

    fn end_word(&mut self) {
        if let Some((value, start)) = self.word.take() {
            if self.skip_next_word {
                self.skip_next_word = false;
            } else {
                self.words.push(ShellWord {
                    value,
                    range: start..self.pos,
                });
            }
        }
    }

    fn end_command(&mut self, joint: Joint) {
        self.end_word();
        self.skip_next_word = false;
        if !self.words.is_empty() {
            self.commands.push(Command {
                words: std::mem::take(&mut self.words),
                joint,
            });
        } else if joint == Joint::Pipe
            && let Some(last) = self.commands.last_mut()
        {
            last.joint = Joint::Pipe;
        }
    }

    /// Copies a bracketed construct (`$(...)`, `${...}`, backticks) into the current word.
    fn copy_until(&mut self, open: char, close: char) {
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            self.pos += c.len_utf8();
            self.word_mut().push(c);
            if c == '\\' {
                if let Some(next) = self.peek() {
                    self.pos += next.len_utf8();
                    self.word_mut().push(next);
                }
                continue;
            }
            if c == close && open != close {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return;
                }
            } else if c == open {
                if open == close && depth == 1 {
                    return;
                }
                depth += 1;
            }
        }
    }

    fn run(mut self) -> Vec<Command> {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' => {
                    self.end_word();
                    self.pos += 1;
                }
                '\n' => {
                    self.end_command(Joint::Sequence);
                    self.pos += 1;
                }
                '#' if self.word.is_none() => {
                    let end = self.src[self.pos..]
                        .find('\n')
                        .map_or(self.src.len(), |i| self.pos + i);
                    self.pos = end;
                }
                '\\' => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\n') => self.pos += 1,
                        Some(next) => {
                            self.word_mut().push(next);
                            self.pos += next.len_utf8();
                        }
                        None => self.word_mut().push('\\'),
                    }
                }
                '\'' => {
                    self.word_mut();
                    self.pos += 1;
                    let end = self.src[self.pos..]
                        .find('\'')
                        .map_or(self.src.len(), |i| self.pos + i);
                    let literal = self.src[self.pos..end].to_string();
                    self.word_mut().push_str(&literal);
                    self.pos = (end + 1).min(self.src.len());
                }
                '"' => {
                    self.word_mut();
                    self.pos += 1;
                    while let Some(c) = self.peek() {
                        self.pos += c.len_utf8();
                        match c {
                            '"' => break,
                            '\\' => {
                                if let Some(next) = self.peek() {
                                    self.pos += next.len_utf8();
                                    if !matches!(next, '"' | '\\' | '$' | '`' | '\n') {
                                        self.word_mut().push('\\');
                                    }
                                    if next != '\n' {
                                        self.word_mut().push(next);
                                    }
                                }
                            }
                            c => self.word_mut().push(c),
                        }
                    }
                }
                '$' if self.peek_at(1) == Some('(') => self.copy_until('(', ')'),
                '$' if self.peek_at(1) == Some('{') => {
                    self.word_mut().push('$');
                    self.pos += 1;
                    self.copy_until('{', '}');
                }
                '`' => self.copy_until('`', '`'),
                '&' if self.peek_at(1) == Some('&') => {
                    self.end_command(Joint::And);
                    self.pos += 2;
                }
                '|' if self.peek_at(1) == Some('|') => {
                    self.end_command(Joint::Or);
                    self.pos += 2;
                }
                '|' => {
                    self.end_command(Joint::Pipe);
                    self.pos += if self.peek_at(1) == Some('&') { 2 } else { 1 };
                }
                '&' if self.word.is_none() && self.words.is_empty() => self.pos += 1,
                ';' | '&' | '(' | ')' => {
                    self.end_command(Joint::Sequence);
                    self.pos += 1;
                }
                '<' | '>' => {
                    // `2>` : the digits are the file descriptor, not a word.
                    if let Some((value, _)) = &self.word
                        && value.bytes().all(|b| b.is_ascii_digit())
                    {
                        self.word = None;
                    }
                    self.end_word();
                    while let Some(op) = self.peek() {
                        if matches!(op, '<' | '>' | '&' | '|' | '-') {
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                    // `>&2`: the target is a descriptor written right after.
                    if self.peek().is_some_and(|c| c.is_ascii_digit())
                        && self.src[..self.pos].ends_with('&')
                    {
                        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                            self.pos += 1;
                        }
                    } else {
                        self.skip_next_word = true;
                    }
                }
                c => {
                    self.word_mut().push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        self.end_command(Joint::Sequence);
        self.commands
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programs(script: &str) -> Vec<(String, Vec<String>, Joint)> {
        parse(script)
            .iter()
            .map(|c| {
                (
                    c.program().unwrap_or("").to_string(),
                    c.args().iter().map(|w| w.value.clone()).collect(),
                    c.joint,
                )
            })
            .collect()
    }

    #[test]
    fn commands_split_at_operators() {
        let found = programs(
            "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \"curl\" \
             ; curl -fsSL https://x | sh -",
        );
        assert_eq!(found.len(), 4);
        assert_eq!(found[0].0, "apt-get");
        assert_eq!(found[0].2, Joint::And);
        assert_eq!(found[1].1, vec!["install", "-y", "curl"]);
        assert_eq!(found[2].2, Joint::Pipe);
        assert_eq!(found[3].0, "sh");
    }

    #[test]
    fn quotes_substitutions_and_comments_stay_in_words() {
        let found = programs(
            "echo 'a && b' \"$(cat x | wc -l)\" `id -u` # note && rm\nsudo -u app pip install x",
        );
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].1, vec!["a && b", "$(cat x | wc -l)", "`id -u`"]);
        assert_eq!(found[1].0, "pip");
        assert_eq!(found[1].1, vec!["install", "x"]);
    }

    #[test]
    fn redirections_are_not_arguments() {
        let found = programs("pip install x > /dev/null 2>&1 && npm ci 2>/tmp/log");
        assert_eq!(found[0].1, vec!["install", "x"]);
        assert_eq!(found[1].1, vec!["ci"]);
    }

    #[test]
    fn ranges_point_into_the_script() {
        let script = "cd /app && make";
        let commands = parse(script);
        assert_eq!(&script[commands[0].words[1].range.clone()], "/app");
        assert_eq!(&script[commands[1].range()], "make");
    }

    #[test]
    fn line_continuations_join_words() {
        let found = programs("apt-get install \\\n  -y curl");
        assert_eq!(found[0].1, vec!["install", "-y", "curl"]);
    }
}
