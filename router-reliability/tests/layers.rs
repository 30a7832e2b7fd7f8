//! The files of every crate stack in layers, and stay small (STYLE.md,
//! "Small files, one concept each"; crossbeam-channel's `src/flavors/` and
//! calloop's `src/sources/` are the examples).
//!
//! For each crate directory at the repository root with a `src/`, the test
//! reads the library's module files (from `lib.rs`, or `main.rs` where
//! there is no `lib.rs`, following `mod` declarations; `#[cfg(test)]` items,
//! `tests.rs` files and `tests/` folders left out) and draws an edge from a
//! file to each file its `crate::...` and `super::...` paths name. A path
//! names the deepest module file it passes through (`a/b.rs` or
//! `a/b/mod.rs`); an item the crate root re-exports (`pub use a::Item`)
//! names the file it comes from. The root itself is exempt: every file
//! reaches it, and it reaches every file. A module's relative paths down
//! to its own children (`use child::Item`) are not edges either: a folder
//! module is its children's room, and they may reach up to it.
//!
//! It fails naming each circle it finds (`a.rs -> b.rs -> a.rs`), and
//! each library file over [`MAX_LINES`] lines.
//!
//! Plain std, and a file-level reading of the source: a token scan, not a
//! parser. A circle hidden in a macro's expansion goes unseen.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

/// The most lines a library file may have.
const MAX_LINES: usize = 450;

/// The files each module file names, by path from `src/` (`router/mod.rs`).
type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn no_crate_has_a_circle_of_module_files() {
    let mut circles = Vec::new();
    for (name, sources) in crates() {
        let library = Library::read(&sources);
        for circle in find_cycles(&library.graph()) {
            circles.push(format!("{name}: {circle}"));
        }
    }
    assert!(
        circles.is_empty(),
        "files that import each other in a circle (move the type they share \
         down to a file they can all reach):\n{}",
        circles.join("\n")
    );
}

#[test]
fn no_library_file_is_over_the_line_limit() {
    let mut long = Vec::new();
    for (name, sources) in crates() {
        let library = Library::read(&sources);
        for file in &library.files {
            let lines = sources[file].lines().count();
            if lines > MAX_LINES {
                long.push(format!("{name}/src/{file}: {lines} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "library files over {MAX_LINES} lines (split them, one concept a file):\n{}",
        long.join("\n")
    );
}

/// The cycle finder on a graph with a circle of three, a file hanging off
/// it, a circle of two beside it and a chain with no circle.
#[test]
fn cycle_finder_names_a_circle() {
    let graph = graph(&[
        ("a.rs", &["b.rs"]),
        ("b.rs", &["c.rs"]),
        ("c.rs", &["a.rs", "d.rs"]),
        ("d.rs", &[]),
        ("e.rs", &["a.rs"]),
        ("x/mod.rs", &["x/y.rs"]),
        ("x/y.rs", &["x/mod.rs"]),
        ("p.rs", &["q.rs"]),
        ("q.rs", &["d.rs"]),
    ]);
    assert_eq!(
        find_cycles(&graph),
        [
            "a.rs -> b.rs -> c.rs -> a.rs",
            "x/mod.rs -> x/y.rs -> x/mod.rs"
        ]
    );
    let layered = graph_without(&graph, ("c.rs", "a.rs"), ("x/y.rs", "x/mod.rs"));
    assert_eq!(find_cycles(&layered), Vec::<String>::new());
}

/// The whole reading, on a crate in memory with the circle router-channel
/// had (a type used by the file below its home), re-exports, `super`,
/// inline and `#[cfg(test)]` modules, comments and strings.
#[test]
fn reading_finds_the_circle_of_a_crate_in_memory() {
    let sources: BTreeMap<String, String> = [
        (
            "lib.rs",
            "mod table; mod receiver; mod router; mod gone;\n\
             pub use table::Route;\n\
             pub struct Envelope { route: crate::Route }",
        ),
        (
            "table.rs",
            "//! Uses `crate::router::Inner` only in a comment.\n\
             use crate::receiver::Shared;\n\
             pub struct Route; pub(crate) struct Table(Shared);\n\
             const S: &str = \"crate::router::x\"; const C: char = '{';\n\
             fn f<'a>(x: &'a u8) -> &'a u8 { x }\n\
             #[cfg(test)]\nmod tests { use crate::router::Inner; }",
        ),
        (
            "receiver.rs",
            "use crate::{Envelope, Route};\npub(crate) struct Shared(Route);",
        ),
        (
            "router/mod.rs",
            "mod turn; #[cfg(test)] mod tests;\nuse turn::Turn;\n\
             pub(crate) struct Inner(crate::table::Table);",
        ),
        (
            "router/turn.rs",
            "use super::{Inner, super::Envelope};\n\
             mod inline { use super::super::Inner as Again; }\n\
             pub(super) struct Turn;",
        ),
        ("router/tests.rs", "use crate::receiver::Shared;"),
        ("unlisted.rs", "use crate::table::Table;"),
    ]
    .into_iter()
    .map(|(path, text)| (path.to_owned(), text.to_owned()))
    .collect();
    let library = Library::read(&sources);
    assert_eq!(
        library.files.iter().map(String::as_str).collect::<Vec<_>>(),
        [
            "lib.rs",
            "receiver.rs",
            "router/mod.rs",
            "router/turn.rs",
            "table.rs"
        ]
    );
    let expected = graph(&[
        ("receiver.rs", &["table.rs"]),
        ("router/mod.rs", &["table.rs"]),
        ("router/turn.rs", &["router/mod.rs"]),
        ("table.rs", &["receiver.rs"]),
    ]);
    assert_eq!(library.graph(), expected);
    assert_eq!(
        find_cycles(&library.graph()),
        ["receiver.rs -> table.rs -> receiver.rs"]
    );
}

fn graph(edges: &[(&str, &[&str])]) -> Graph {
    edges
        .iter()
        .map(|(from, to)| {
            let to = to.iter().map(|&to| to.to_owned()).collect();
            ((*from).to_owned(), to)
        })
        .collect()
}

fn graph_without(graph: &Graph, cut: (&str, &str), other: (&str, &str)) -> Graph {
    let mut graph = graph.clone();
    for (from, to) in [cut, other] {
        graph.get_mut(from).unwrap().remove(to);
    }
    graph
}

// ---------------------------------------------------------------- crates

/// Every crate directory at the repository root with a `src/`, by name,
/// with the text of each `.rs` file under its `src/`, by path from there.
fn crates() -> Vec<(String, BTreeMap<String, String>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("router-reliability sits in the repository");
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)
        .expect("the repository root lists")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|dir| dir.join("src").is_dir())
        .collect();
    dirs.sort();
    assert!(
        dirs.iter().any(|dir| dir.ends_with("router-channel")),
        "no crate found at {}",
        root.display()
    );
    dirs.into_iter()
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let src = dir.join("src");
            let mut sources = BTreeMap::new();
            read_sources(&src, &src, &mut sources);
            (name, sources)
        })
        .collect()
}

fn read_sources(src: &Path, dir: &Path, into: &mut BTreeMap<String, String>) {
    for entry in fs::read_dir(dir).expect("a source folder lists") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            read_sources(src, &path, into);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let relative = path.strip_prefix(src).unwrap();
            let relative = relative.to_string_lossy().replace('\\', "/");
            // A file that is not UTF-8 is no library file of ours.
            if let Ok(text) = fs::read_to_string(&path) {
                into.insert(relative, text);
            }
        }
    }
}

// ---------------------------------------------------------------- reading

/// A module's path from the crate root: `["router", "dispatch"]`.
type ModPath = Vec<String>;

/// The module files of one library and the references between them.
struct Library {
    /// The files reached from the root, by path from `src/`.
    files: BTreeSet<String>,
    root: String,
    /// The file that defines each module file's path.
    by_module: BTreeMap<ModPath, String>,
    /// Names the root brings in (`pub use table::Route`): the path each
    /// stands for, from the root.
    imports: BTreeMap<String, ModPath>,
    /// Each file's references: the full path each names, from the root.
    references: BTreeMap<String, Vec<ModPath>>,
}

impl Library {
    fn read(sources: &BTreeMap<String, String>) -> Self {
        let root = if sources.contains_key("lib.rs") {
            "lib.rs"
        } else {
            "main.rs"
        };
        let mut library = Self {
            files: BTreeSet::new(),
            root: root.to_owned(),
            by_module: BTreeMap::new(),
            imports: BTreeMap::new(),
            references: BTreeMap::new(),
        };
        if !sources.contains_key(root) {
            return library;
        }
        let mut queue = VecDeque::from([(root.to_owned(), ModPath::new())]);
        while let Some((file, module)) = queue.pop_front() {
            if !library.files.insert(file.clone()) {
                continue;
            }
            library.by_module.insert(module.clone(), file.clone());
            let scan = Scan::of(&sources[&file], &module);
            for child in scan.children {
                let path = child.join("/");
                for candidate in [format!("{path}.rs"), format!("{path}/mod.rs")] {
                    let test_only = candidate
                        .split('/')
                        .any(|part| part == "tests" || part == "tests.rs");
                    if sources.contains_key(&candidate) && !test_only {
                        queue.push_back((candidate, child.clone()));
                        break;
                    }
                }
            }
            if module.is_empty() {
                library.imports = scan.imports;
            }
            library.references.insert(file, scan.references);
        }
        library
    }

    /// An edge from each file to each other file it names, the root left
    /// out.
    fn graph(&self) -> Graph {
        let mut graph = Graph::new();
        for (file, references) in &self.references {
            if *file == self.root {
                continue;
            }
            let targets = graph.entry(file.clone()).or_default();
            for path in references {
                let target = self.file_of(path, 0);
                if target != *file && target != self.root {
                    targets.insert(target);
                }
            }
        }
        graph
    }

    /// The file that defines the deepest module `path` passes through; for
    /// a name the root brings in, the file it comes from.
    fn file_of(&self, path: &[String], depth: usize) -> String {
        for end in (1..=path.len()).rev() {
            if let Some(file) = self.by_module.get(&path[..end]) {
                return file.clone();
            }
        }
        if depth < 8
            && let Some((first, rest)) = path.split_first()
            && let Some(imported) = self.imports.get(first)
        {
            let mut full = imported.clone();
            full.extend_from_slice(rest);
            return self.file_of(&full, depth + 1);
        }
        self.root.clone()
    }
}

/// What one file's tokens say.
#[derive(Default)]
struct Scan {
    /// The module files it declares (`mod name;`).
    children: Vec<ModPath>,
    /// Its `crate::` and `super::` paths, each from the root.
    references: Vec<ModPath>,
    /// Its `use` declarations outside any inline module, by the name each
    /// brings in: the path it stands for, from the root (for the root).
    imports: BTreeMap<String, ModPath>,
}

impl Scan {
    fn of(text: &str, module: &[String]) -> Self {
        let tokens = without_test_items(&tokens(text));
        let mut scan = Scan::default();
        // The inline modules around the current token, with the brace
        // depth inside each.
        let mut inline: Vec<(String, usize)> = Vec::new();
        let mut depth = 0usize;
        let mut i = 0;
        while i < tokens.len() {
            let here = || {
                let mut here = module.to_vec();
                here.extend(inline.iter().map(|(name, _)| name.clone()));
                here
            };
            match tokens[i].as_str() {
                "{" => depth += 1,
                "}" => {
                    depth = depth.saturating_sub(1);
                    if inline.last().is_some_and(|(_, inside)| depth < *inside) {
                        inline.pop();
                    }
                }
                "mod" if i + 2 < tokens.len() && is_ident(&tokens[i + 1]) => {
                    let mut child = here();
                    child.push(tokens[i + 1].clone());
                    match tokens[i + 2].as_str() {
                        ";" => scan.children.push(child),
                        "{" => {
                            inline.push((tokens[i + 1].clone(), depth + 1));
                            depth += 1;
                            i += 3;
                            continue;
                        }
                        _ => {}
                    }
                }
                "use" if inline.is_empty() && depth == 0 => {
                    let mut leaves = Vec::new();
                    let start = if tokens.get(i + 1).is_some_and(|t| t == "::") {
                        i + 2
                    } else {
                        i + 1
                    };
                    use_tree(&tokens, start, ModPath::new(), &mut leaves);
                    for (path, name) in leaves {
                        let full = match path.first().map(String::as_str) {
                            Some("crate" | "super") => from_root(&path, module),
                            Some("self") => Some([module, &path[1..]].concat()),
                            // Relative: a module here, or another crate.
                            _ => Some([module, &path[..]].concat()),
                        };
                        if let Some(full) = full {
                            scan.imports.insert(name, full);
                        }
                    }
                }
                "crate" | "super" if tokens.get(i + 1).is_some_and(|t| t == "::") => {
                    let before = if i > 0 { tokens[i - 1].as_str() } else { "" };
                    if before != "$" && before != "in" && before != "::" {
                        let mut leaves = Vec::new();
                        let after = use_tree(&tokens, i, ModPath::new(), &mut leaves);
                        let here = here();
                        scan.references.extend(
                            leaves
                                .into_iter()
                                .filter_map(|(path, _)| from_root(&path, &here)),
                        );
                        // Past the tree, whose braces balance: a `super`
                        // inside it (`super::{a, super::b}`) is read.
                        i = after;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        scan
    }
}

/// `path` (as written in module `here`) from the root, if it starts with
/// `crate` or `super`.
fn from_root(path: &[String], here: &[String]) -> Option<ModPath> {
    let (first, rest) = path.split_first()?;
    match first.as_str() {
        "crate" => Some(rest.to_vec()),
        "super" => {
            let ups = path.iter().take_while(|part| *part == "super").count();
            let base = here.get(..here.len().checked_sub(ups)?)?;
            Some([base, &path[ups..]].concat())
        }
        _ => None,
    }
}

/// Reads the path or use tree at `tokens[i]` (`a::b::{c, d::*, e as f}`)
/// into `leaves`: each full path, with the name it brings in. Returns the
/// index after it.
fn use_tree(
    tokens: &[String],
    mut i: usize,
    mut prefix: ModPath,
    leaves: &mut Vec<(ModPath, String)>,
) -> usize {
    loop {
        let Some(token) = tokens.get(i) else {
            return i;
        };
        match token.as_str() {
            "{" => {
                i += 1;
                while tokens.get(i).is_some_and(|t| t != "}") {
                    i = use_tree(tokens, i, prefix.clone(), leaves);
                    if tokens.get(i).is_some_and(|t| t == ",") {
                        i += 1;
                    } else if tokens.get(i).is_none_or(|t| t != "}") {
                        return i;
                    }
                }
                return i + 1;
            }
            "*" => return i + 1,
            "self" if !prefix.is_empty() => {
                let name = prefix.last().cloned().unwrap_or_default();
                return leaf(tokens, i + 1, prefix, name, leaves);
            }
            name if is_ident(name) => {
                prefix.push(name.to_owned());
                if tokens.get(i + 1).is_some_and(|t| t == "::")
                    && tokens.get(i + 2).is_some_and(|t| t != "<")
                {
                    i += 2;
                } else {
                    let name = name.to_owned();
                    return leaf(tokens, i + 1, prefix, name, leaves);
                }
            }
            _ => {
                if !prefix.is_empty() {
                    let name = prefix.last().cloned().unwrap_or_default();
                    leaves.push((prefix, name));
                }
                return i;
            }
        }
    }
}

/// Ends a use tree's leaf at `tokens[i]`, taking an `as name` there.
fn leaf(
    tokens: &[String],
    i: usize,
    path: ModPath,
    name: String,
    leaves: &mut Vec<(ModPath, String)>,
) -> usize {
    if tokens.get(i).is_some_and(|t| t == "as")
        && let Some(alias) = tokens.get(i + 1)
    {
        leaves.push((path, alias.clone()));
        return i + 2;
    }
    leaves.push((path, name));
    i
}

fn is_ident(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// The tokens of `text` that matter here: identifiers (and numbers), `::`
/// and single punctuation, with comments, strings and characters left
/// out, and lifetimes' quotes dropped.
fn tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut nested = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    nested += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    nested -= 1;
                    i += 2;
                    if nested == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some(end) = raw_string_end(&chars, i) {
            i = end;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c == '\'' {
            if at(i + 1) == '\\' {
                // An escape: the quote, the backslash, the escaped character.
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                // A lifetime: its name follows as an identifier.
                i += 1;
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // A byte string or byte character: its quote follows.
            if (word == "b" || word == "c") && matches!(at(i), '"' | '\'') {
                continue;
            }
            if word == "r" && at(i) == '#' && at(i + 1).is_alphabetic() {
                // A raw identifier: `r#name` is `name`, which follows.
                i += 1;
                continue;
            }
            tokens.push(word);
        } else if c == ':' && at(i + 1) == ':' {
            tokens.push("::".to_owned());
            i += 2;
        } else {
            tokens.push(c.to_string());
            i += 1;
        }
    }
    tokens
}

/// Where the raw string starting at `chars[i]` (`r"…"`, `br#"…"#`) ends, if
/// one starts there.
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return None;
    }
    let mut j = i;
    if matches!(chars.get(j), Some('b' | 'c')) {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    j += hashes;
    if chars.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < chars.len() {
        if chars[j] == '"'
            && chars[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(j)
}

/// `tokens` without the items marked `#[cfg(test)]` (and the whole file
/// for `#![cfg(test)]`): each such item up to its `;` or through its
/// braces.
fn without_test_items(tokens: &[String]) -> Vec<String> {
    let attribute = ["#", "[", "cfg", "(", "test", ")", "]"];
    let is_test_attribute = |i: usize| {
        tokens
            .get(i..i + attribute.len())
            .is_some_and(|w| w == &attribute[..])
    };
    if tokens.first().is_some_and(|t| t == "#")
        && tokens.get(1).is_some_and(|t| t == "!")
        && tokens.get(2..8).is_some_and(|w| w == &attribute[1..])
    {
        return Vec::new();
    }
    let mut kept = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !is_test_attribute(i) {
            kept.push(tokens[i].clone());
            i += 1;
            continue;
        }
        i += attribute.len();
        // Further attributes of the same item.
        while tokens.get(i).is_some_and(|t| t == "#") {
            i = past_group(tokens, i + 1);
        }
        let mut nesting = 0usize;
        while i < tokens.len() {
            match tokens[i].as_str() {
                "(" | "[" => nesting += 1,
                ")" | "]" => nesting = nesting.saturating_sub(1),
                ";" if nesting == 0 => {
                    i += 1;
                    break;
                }
                "{" if nesting == 0 => {
                    i = past_group(tokens, i);
                    break;
                }
                _ => {}
            }
            i += 1;
        }
    }
    kept
}

/// The index after the bracketed group that opens at `tokens[i]`.
fn past_group(tokens: &[String], mut i: usize) -> usize {
    let mut nesting = 0usize;
    while i < tokens.len() {
        match tokens[i].as_str() {
            "(" | "[" | "{" => nesting += 1,
            ")" | "]" | "}" => {
                nesting = nesting.saturating_sub(1);
                if nesting == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

// ---------------------------------------------------------------- cycles

/// Every circle of `graph`, one per knot of files that reach each other
/// (a strongly connected component), and within a knot the shortest circle
/// through each of its files that the ones before did not already name;
/// each written from its first file in sorted order, `a.rs -> b.rs ->
/// a.rs`.
fn find_cycles(graph: &Graph) -> Vec<String> {
    let mut circles = Vec::new();
    for knot in knots(graph) {
        let mut named: BTreeSet<String> = BTreeSet::new();
        for file in &knot {
            if named.contains(file) {
                continue;
            }
            let Some(mut circle) = shortest_circle(graph, &knot, file) else {
                continue;
            };
            circle.pop();
            let first = circle
                .iter()
                .enumerate()
                .min_by_key(|(_, f)| *f)
                .map(|(at, _)| at)
                .unwrap();
            circle.rotate_left(first);
            named.extend(circle.iter().cloned());
            circle.push(circle[0].clone());
            let text = circle.join(" -> ");
            if !circles.contains(&text) {
                circles.push(text);
            }
        }
    }
    circles
}

/// The strongly connected components of `graph` with more than one file,
/// each sorted, in the order of their first files (Tarjan's algorithm).
fn knots(graph: &Graph) -> Vec<BTreeSet<String>> {
    struct Tarjan<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        knots: Vec<BTreeSet<String>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, file: &'g str) {
            let number = self.index.len();
            self.index.insert(file, number);
            self.low.insert(file, number);
            self.stack.push(file);
            self.on_stack.insert(file);
            for next in self.graph.get(file).into_iter().flatten() {
                let next = next.as_str();
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[file].min(self.low[next]);
                    self.low.insert(file, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[file].min(self.index[next]);
                    self.low.insert(file, low);
                }
            }
            if self.low[file] == self.index[file] {
                let mut knot = BTreeSet::new();
                while let Some(top) = self.stack.pop() {
                    self.on_stack.remove(top);
                    knot.insert(top.to_owned());
                    if top == file {
                        break;
                    }
                }
                if knot.len() > 1 {
                    self.knots.push(knot);
                }
            }
        }
    }
    let mut tarjan = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        knots: Vec::new(),
    };
    for file in graph.keys() {
        if !tarjan.index.contains_key(file.as_str()) {
            tarjan.visit(file);
        }
    }
    let mut knots = tarjan.knots;
    knots.sort();
    knots
}

/// The shortest path from `file` back to it inside `knot`, both ends
/// included (breadth first).
fn shortest_circle(graph: &Graph, knot: &BTreeSet<String>, file: &str) -> Option<Vec<String>> {
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([file]);
    while let Some(at) = queue.pop_front() {
        for next in graph.get(at).into_iter().flatten() {
            if !knot.contains(next) {
                continue;
            }
            if next == file {
                let mut path = vec![file.to_owned(), at.to_owned()];
                let mut back = at;
                while back != file {
                    back = came_from[back];
                    path.push(back.to_owned());
                }
                path.reverse();
                return Some(path);
            }
            if !came_from.contains_key(next.as_str()) {
                came_from.insert(next, at);
                queue.push_back(next);
            }
        }
    }
    None
}
