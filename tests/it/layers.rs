//! The module layering of `src/`, checked against the table in `ARCHITECTURE.md`.
//!
//! The table lists every top-level module of the crate in layers, highest first. A module may
//! import only modules of the layers below its own: not one above it, and not another of its own
//! layer. Below the top level, folders inside one folder must not import each other in a cycle.
//! The test reads every file under `src/`, takes out comments and string literals, and follows
//! each `crate::` (and `$crate::`) path and each `super::` path to the module it names, use trees
//! with braces included. A new import that breaks the layering fails here, naming the file, the
//! path and the two layers.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// One row of the table: its number and its modules.
#[derive(Debug)]
struct Layer {
    number: usize,
    modules: Vec<String>,
}

/// A path a file names, resolved to segments from the crate root.
#[derive(Debug)]
struct Import {
    /// The file, relative to the crate root (`src/staging/lint.rs`).
    file: String,
    /// The module the file (or an inline module in it) is, from the crate root.
    from: Vec<String>,
    /// What it names, from the crate root.
    to: Vec<String>,
    /// The path as written, for messages.
    written: String,
}

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The layer table: the first Markdown table whose header starts with `layer | modules`.
fn layers(architecture: &str) -> Vec<Layer> {
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in architecture.lines() {
        let line = line.trim();
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if !in_table {
            in_table = line.starts_with('|')
                && cells.len() >= 2
                && cells[0].eq_ignore_ascii_case("layer")
                && cells[1].eq_ignore_ascii_case("modules");
            continue;
        }
        if !line.starts_with('|') {
            break;
        }
        if cells[0].chars().all(|c| c == '-' || c == ':') {
            continue;
        }
        let number = cells[0]
            .parse()
            .unwrap_or_else(|_| panic!("ARCHITECTURE.md: `{}` is not a layer number", cells[0]));
        let modules = cells[1]
            .split(',')
            .map(|m| m.trim().trim_matches('`').to_string())
            .filter(|m| !m.is_empty())
            .collect();
        rows.push(Layer { number, modules });
    }
    assert!(
        !rows.is_empty(),
        "ARCHITECTURE.md has no `| layer | modules |` table"
    );
    rows
}

/// The folders and the `.rs` files under `dir`, each sorted.
fn tree(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut folders, mut files) = (Vec::new(), Vec::new());
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path.clone());
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    folders.sort();
    files.sort();
    (folders, files)
}

/// Every folder under `src/`, as module paths (`["policy", "k8s"]`).
fn folders(src: &Path) -> BTreeSet<Vec<String>> {
    tree(src)
        .0
        .iter()
        .map(|dir| module_of_dir(src, dir))
        .collect()
}

fn module_of_dir(src: &Path, dir: &Path) -> Vec<String> {
    dir.strip_prefix(src)
        .unwrap()
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect()
}

/// The module a file is: `src/policy/k8s/mod.rs` is `policy::k8s`, `src/fsutil.rs` is `fsutil`.
fn module_of_file(src: &Path, file: &Path) -> Vec<String> {
    let mut module = module_of_dir(src, file.parent().unwrap());
    let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
    if !matches!(stem.as_str(), "mod" | "lib" | "main") {
        module.push(stem);
    }
    module
}

/// The code of a file with comments, string literals and character literals blanked out (kept
/// as spaces, so nothing they hold is read as a path).
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            i += end;
        } else if rest.starts_with("/*") {
            let mut depth = 0;
            let mut j = 0;
            while j < rest.len() {
                if rest[j..].starts_with("/*") {
                    depth += 1;
                    j += 2;
                } else if rest[j..].starts_with("*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += rest[j..].chars().next().unwrap().len_utf8();
                }
            }
            out.push(' ');
            i += j;
        } else if let Some(len) = raw_string_len(rest) {
            out.push_str("\"\"");
            i += len;
        } else if rest.starts_with('"') || rest.starts_with("b\"") {
            let start = if rest.starts_with('b') { 2 } else { 1 };
            let mut j = start;
            while j < rest.len() {
                match rest.as_bytes()[j] {
                    b'\\' => j += 2,
                    b'"' => {
                        j += 1;
                        break;
                    }
                    _ => j += 1,
                }
            }
            out.push_str("\"\"");
            i += j;
        } else if let Some(len) = char_literal_len(rest) {
            out.push_str("' '");
            i += len;
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The length of a raw string literal (`r"…"`, `r#"…"#`, `br"…"`) at the start of `text`.
fn raw_string_len(text: &str) -> Option<usize> {
    let after_prefix = text.strip_prefix("br").or_else(|| text.strip_prefix('r'))?;
    let hashes = after_prefix.chars().take_while(|c| *c == '#').count();
    let body = after_prefix[hashes..].strip_prefix('"')?;
    let closing = format!("\"{}", "#".repeat(hashes));
    let end = body.find(&closing)?;
    Some(text.len() - body.len() + end + closing.len())
}

/// The length of a character literal (`'{'`, `'\n'`, `'\''`) at the start of `text`; a lifetime
/// (`'a`) is not one.
fn char_literal_len(text: &str) -> Option<usize> {
    let rest = text.strip_prefix('\'')?;
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    let after = if first == '\\' {
        // Skip the backslash and the character after it, which may be a quote.
        rest.get(2..)?.find('\'')? + 2
    } else {
        first.len_utf8()
    };
    rest[after..].starts_with('\'').then_some(after + 2)
}

/// Reads a path's segments and use-tree groups starting at `text` (just after `crate::` or the
/// last `super::`), returning every path it names relative to that start.
fn path_tree(text: &str) -> Vec<Vec<String>> {
    let (paths, _) = parse_tree(text.as_bytes(), 0);
    paths
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

fn ident(bytes: &[u8], i: usize) -> Option<(String, usize)> {
    let start = i;
    let mut end = i;
    while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
        end += 1;
    }
    (end > start).then(|| {
        (
            String::from_utf8_lossy(&bytes[start..end]).into_owned(),
            end,
        )
    })
}

/// One use tree: `a::b::c`, `a::{b, c::d}`, `*`; returns its paths and where it ends.
fn parse_tree(bytes: &[u8], i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    let mut i = skip_space(bytes, i);
    loop {
        if bytes.get(i) == Some(&b'{') {
            let mut paths = Vec::new();
            i += 1;
            loop {
                i = skip_space(bytes, i);
                match bytes.get(i) {
                    Some(b'}') => {
                        i += 1;
                        break;
                    }
                    Some(b',') => i += 1,
                    None => break,
                    _ => {
                        let (inner, end) = parse_tree(bytes, i);
                        for mut path in inner {
                            let mut full = prefix.clone();
                            if path.first().is_some_and(|s| s == "self") {
                                path.remove(0);
                            }
                            full.extend(path);
                            paths.push(full);
                        }
                        i = if end > i { end } else { i + 1 };
                    }
                }
            }
            return (paths, i);
        }
        let Some((segment, end)) = ident(bytes, i) else {
            return (vec![prefix], i);
        };
        prefix.push(segment);
        i = skip_space(bytes, end);
        if bytes[i..].starts_with(b"::") {
            i = skip_space(bytes, i + 2);
            if bytes.get(i) == Some(&b'*') {
                return (vec![prefix], i + 1);
            }
        } else {
            return (vec![prefix], i);
        }
    }
}

/// The inline modules (`mod tests { … }`) open at each byte of `code`, innermost last.
fn inline_modules(code: &str) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut open: Vec<(String, usize)> = Vec::new();
    let mut at = Vec::with_capacity(bytes.len());
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if boundary
            && bytes[i..].starts_with(b"mod")
            && bytes.get(i + 3).is_some_and(u8::is_ascii_whitespace)
        {
            let name_at = skip_space(bytes, i + 3);
            if let Some((name, end)) = ident(bytes, name_at) {
                let brace = skip_space(bytes, end);
                if bytes.get(brace) == Some(&b'{') {
                    for _ in i..=brace {
                        at.push(open.iter().map(|(n, _)| n.clone()).collect());
                    }
                    depth += 1;
                    open.push((name, depth));
                    i = brace + 1;
                    continue;
                }
            }
        }
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                if open.last().is_some_and(|(_, d)| *d == depth) {
                    open.pop();
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        at.push(open.iter().map(|(n, _)| n.clone()).collect());
        i += 1;
    }
    at
}

/// Every path a file names that leads into the crate: `crate::…`, `$crate::…`, `super::…`.
fn imports(src: &Path, file: &Path) -> Vec<Import> {
    let code = code_only(&fs::read_to_string(file).unwrap());
    let module = module_of_file(src, file);
    let nesting = inline_modules(&code);
    let bytes = code.as_bytes();
    let relative = file
        .strip_prefix(crate_root())
        .unwrap()
        .display()
        .to_string();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let rest = &code[i..];
        let (base, start) = if boundary && rest.starts_with("crate::") {
            (Vec::new(), i + "crate::".len())
        } else if boundary && rest.starts_with("super::") {
            let mut base = module.clone();
            base.extend(nesting.get(i).cloned().unwrap_or_default());
            let mut j = i;
            while code[j..].starts_with("super::") {
                base.pop();
                j += "super::".len();
            }
            (base, j)
        } else {
            i += 1;
            continue;
        };
        let mut from = module.clone();
        from.extend(nesting.get(i).cloned().unwrap_or_default());
        for path in path_tree(&code[start..]) {
            let mut to = base.clone();
            to.extend(path);
            found.push(Import {
                file: relative.clone(),
                from: from.clone(),
                written: format!(
                    "{}{}",
                    &code[i..start],
                    &code[start..]
                        .split([';', '\n', '(', ')', '.', '='])
                        .next()
                        .unwrap_or("")
                        .trim()
                ),
                to,
            });
        }
        i = start;
    }
    found
}

/// What `lib.rs` re-exports at the crate root (`crate::Error` is `error::Error`).
fn root_reexports(src: &Path) -> BTreeMap<String, String> {
    let code = code_only(&fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut map = BTreeMap::new();
    for statement in code.split(';') {
        let Some(tree) = statement.trim().strip_prefix("pub use ") else {
            continue;
        };
        for path in path_tree(tree) {
            if let (Some(first), Some(last)) = (path.first(), path.last()) {
                map.insert(last.clone(), first.clone());
            }
        }
    }
    map
}

/// All imports of the crate's files, `lib.rs` and `main.rs` left out (the root declares every
/// module; the binary only calls `cli::main`).
fn all_imports(src: &Path) -> Vec<Import> {
    tree(src)
        .1
        .iter()
        .filter(|f| {
            f.parent() != Some(src)
                || !matches!(f.file_name().unwrap().to_str(), Some("lib.rs" | "main.rs"))
        })
        .flat_map(|f| imports(src, f))
        .collect()
}

#[test]
fn modules_import_only_the_layers_below_their_own() {
    let root = crate_root();
    let src = root.join("src");
    let architecture = fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let table = layers(&architecture);
    let layer_of: BTreeMap<&str, usize> = table
        .iter()
        .flat_map(|l| l.modules.iter().map(move |m| (m.as_str(), l.number)))
        .collect();

    let mut top_level: BTreeSet<String> = BTreeSet::new();
    for entry in fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() || !matches!(name.as_str(), "lib" | "main") {
            top_level.insert(name);
        }
    }
    let unlisted: Vec<&String> = top_level
        .iter()
        .filter(|m| !layer_of.contains_key(m.as_str()))
        .collect();
    assert!(
        unlisted.is_empty(),
        "modules missing from ARCHITECTURE.md's layer table: {unlisted:?}"
    );
    let gone: Vec<&&str> = layer_of
        .keys()
        .filter(|m| !top_level.contains(**m))
        .collect();
    assert!(
        gone.is_empty(),
        "ARCHITECTURE.md's layer table lists modules that are not in src/: {gone:?}"
    );

    let reexports = root_reexports(&src);
    let mut broken = Vec::new();
    for import in all_imports(&src) {
        let (Some(from), Some(first)) = (import.from.first(), import.to.first()) else {
            continue;
        };
        let to = if top_level.contains(first) {
            first.clone()
        } else if let Some(module) = reexports.get(first) {
            module.clone()
        } else {
            continue;
        };
        if *from == to {
            continue;
        }
        let (from_layer, to_layer) = (layer_of[from.as_str()], layer_of[to.as_str()]);
        if to_layer <= from_layer {
            broken.push(format!(
                "{}: `{}` is an import of `{to}` (layer {to_layer}) from `{from}` (layer {from_layer})",
                import.file, import.written
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "imports that break the layering of ARCHITECTURE.md (a module may import only modules \
         of the layers below its own):\n  {}",
        broken.join("\n  ")
    );
}

#[test]
fn folders_in_one_folder_do_not_import_each_other_in_a_cycle() {
    let src = crate_root().join("src");
    let folders = folders(&src);
    // Edges between sibling folders, with one import that makes each.
    let mut edges: BTreeMap<Vec<String>, BTreeMap<Vec<String>, String>> = BTreeMap::new();
    for import in all_imports(&src) {
        let common = import
            .from
            .iter()
            .zip(&import.to)
            .take_while(|(a, b)| a == b)
            .count();
        if common >= import.from.len() || common >= import.to.len() {
            continue;
        }
        let a = import.from[..=common].to_vec();
        let b = import.to[..=common].to_vec();
        if folders.contains(&a) && folders.contains(&b) {
            edges
                .entry(a)
                .or_default()
                .entry(b)
                .or_insert_with(|| format!("{}: `{}`", import.file, import.written));
        }
    }
    // A cycle is an edge whose target reaches its source.
    let reaches = |from: &Vec<String>, to: &Vec<String>| {
        let mut seen = BTreeSet::new();
        let mut pending = vec![from.clone()];
        while let Some(node) = pending.pop() {
            if &node == to {
                return true;
            }
            if seen.insert(node.clone()) {
                pending.extend(edges.get(&node).into_iter().flat_map(|e| e.keys().cloned()));
            }
        }
        false
    };
    let mut cycles = Vec::new();
    for (a, targets) in &edges {
        for (b, example) in targets {
            if reaches(b, a) {
                cycles.push(format!("{}/ -> {}/ ({example})", a.join("/"), b.join("/")));
            }
        }
    }
    assert!(
        cycles.is_empty(),
        "folders that import each other in a cycle:\n  {}",
        cycles.join("\n  ")
    );
}

#[test]
fn the_reader_follows_use_trees_super_and_inline_modules() {
    assert_eq!(
        path_tree("policy::{k8s::yaml, self, finding::{Finding, Counts}};"),
        vec![
            vec!["policy", "k8s", "yaml"],
            vec!["policy"],
            vec!["policy", "finding", "Finding"],
            vec!["policy", "finding", "Counts"],
        ]
    );
    let code = code_only(
        "// crate::nope\nlet s = \"crate::nope\"; let c = '{'; let q = '\\'';\nfn f<'a>() {}\nmod tests {\n    use super::x;\n}\n",
    );
    assert!(
        !code.contains("nope") && code.contains("super::x"),
        "{code}"
    );
    let nesting = inline_modules(&code);
    let at = code.find("super::x").unwrap();
    assert_eq!(nesting[at], vec!["tests".to_string()]);
    assert!(nesting[code.find("fn f").unwrap()].is_empty());
}
