//! The domain crate's module graph (issue 16): no module imports a layer above its own, and
//! no two modules depend on each other, directly or round a cycle.
//!
//! The graph is read from the source, not from rustc: every `.rs` file under `shared/src` is
//! one node (`mod.rs` is its folder's module, `lib.rs` the crate root), and an edge is a
//! `use crate::…`, `use super::…`, `use self::…`, a `use` of a child module, or an inline
//! `crate::…`/`super::…` path. A path names the longest module it starts with; when the next
//! segment is a name that module imports (`pub use` or not), the path is followed to where
//! the name comes from, so `crate::Ctx` is an edge to `ctx` and a facade `mod.rs` that
//! re-exports is not a node every user goes through. `#[cfg(test)]` items (the `mod tests`
//! blocks) are left out: a test may use anything.
//!
//! There are none: the lists below are empty and stay so (the test fails on a new one; a
//! listed one that is gone also fails it, so a list never holds a stale line).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first; a module may use its own layer and those below it.
///
/// - 0 domain: validated types and pure rules (`domain`), and `clock`, time as a dependency
///   (a trait and the system clock, nothing else), which the rules are written against.
/// - 1 store: the ports and their adapters: `store` (the storage port, DynamoDB and
///   embedded adapters, keys, item mapping), `notify` (the notifier port, SES, SNS and
///   outbox adapters), `aws`, the SDK's HTTP client those adapters are built with, and
///   `observe` (log setup, the ids on log lines, EMF metrics, masking), which the adapters
///   below and the use cases above report through.
/// - 2 use cases: `ordering`, `imports`, `integrations`, `fanout`, `accounts`, `reminders`,
///   `settings` (a client's settings), `digests` (a courier person's order digest), `teams` (a courier's teams), `clients` (a courier's
///   clients), `catalog` (its services and rate tables), `dispatch` (a task's progress), `live` (open pages' WebSockets and what is pushed to them),
///   `auth` (an API key to its principal, a use case the
///   authorizer and the local server run), and what every use case is written against:
///   `ctx` (the store, notifiers, clock and configuration a use case runs with) and `needs`
///   (the clients a `Ctx` is built from). Each use-case module has its own error enum
///   (`ordering::OrderError`, `imports::error::ImportError`, …): none uses `ApiError`.
/// - 3 adapters: `error` (`ApiError`: every use case's error as the API answers it, each
///   mapped once), `http` (the request and response of the HTTP adapters), `api` (JSON),
///   `web` (pages) and `lambda` (Lambda events onto a use case).
/// - 4 wiring: `functions`, the registry of every function's use case and needs.
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &["domain", "clock"]),
    ("store", &["store", "notify", "aws", "observe"]),
    (
        "use cases",
        &[
            "ordering",
            "imports",
            "integrations",
            "fanout",
            "accounts",
            "reminders",
            "settings",
            "teams",
            "chat",
            "hooks",
            "digests",
            "catalog",
            "clients",
            "dispatch",
            "live",
            "auth",
            "ctx",
            "needs",
        ],
    ),
    ("adapters", &["error", "http", "api", "web", "lambda"]),
    ("wiring", &["functions"]),
];

/// Uses of a higher layer that exist today, as "from -> to" (file modules). Remove a line
/// when its use is gone; never add one.
const KNOWN_LAYER_VIOLATIONS: &[&str] = &[];

/// Cycles that exist today: each one's modules, sorted, joined by " <-> ". Remove a line
/// when the cycle is broken; never add one.
const KNOWN_CYCLES: &[&str] = &[];

fn shared_src() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("shared/src")
}

#[test]
fn no_module_uses_a_higher_layer_or_sits_on_a_cycle() {
    let graph = Graph::of_crate(&shared_src());
    assert!(
        graph.edges.len() > 100 && graph.edges.contains_key("api::orders"),
        "the crate's graph was read ({} modules)",
        graph.edges.len()
    );
    let problems = problems(&graph, KNOWN_LAYER_VIOLATIONS, KNOWN_CYCLES);
    assert!(
        problems.is_empty(),
        "the module graph of shared/src changed (tests/tests/modules.rs):\n  {}\n",
        problems.join("\n  ")
    );
}

/// What differs from the lists: a module without a layer, a violation or cycle not listed,
/// a listed one that is gone.
fn problems(graph: &Graph, known_violations: &[&str], known_cycles: &[&str]) -> Vec<String> {
    let mut problems = vec![];

    let unlayered: BTreeSet<&str> = graph
        .edges
        .keys()
        .map(|m| top(m))
        .filter(|t| layer_of(t).is_none())
        .collect();
    for top in unlayered {
        problems.push(format!(
            "top-level module `{top}` has no layer: add it to LAYERS"
        ));
    }

    let violations = graph.layer_violations();
    let known: BTreeSet<String> = known_violations.iter().map(|s| s.to_string()).collect();
    for v in violations.difference(&known) {
        let (from, to) = v.split_once(" -> ").unwrap();
        problems.push(format!(
            "new layer violation: {from} ({}) uses {to} ({}): a module may use only its own \
             layer and those below; move what it needs down",
            layer_name(from),
            layer_name(to)
        ));
    }
    for v in known.difference(&violations) {
        problems.push(format!(
            "fixed, good: {v} is no longer a layer violation; remove it from \
             KNOWN_LAYER_VIOLATIONS"
        ));
    }

    let cycles: BTreeSet<String> = graph.cycles().iter().map(|c| c.join(" <-> ")).collect();
    let known: BTreeSet<String> = known_cycles.iter().map(|s| s.to_string()).collect();
    for c in cycles.difference(&known) {
        let modules: Vec<&str> = c.split(" <-> ").collect();
        let shrunk = known.difference(&cycles).find(|k| {
            let known_modules: Vec<&str> = k.split(" <-> ").collect();
            modules.iter().all(|m| known_modules.contains(m))
        });
        let what = match shrunk {
            Some(k) => format!("the cycle {k} shrank to"),
            None => "new module cycle:".to_string(),
        };
        problems.push(format!(
            "{what} {c}\n    its edges: {}",
            graph.edges_within(&modules)
        ));
    }
    for c in known.difference(&cycles) {
        problems.push(format!(
            "fixed, good: the cycle {c} is gone; remove it from KNOWN_CYCLES"
        ));
    }
    problems
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap()
}

fn layer_of(top: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, tops)| tops.contains(&top))
}

fn layer_name(module: &str) -> &'static str {
    layer_of(top(module)).map_or("no layer", |l| LAYERS[l].0)
}

/// Every file module with the modules it uses (the crate root `lib.rs`, which only declares
/// the modules and re-exports three names, is not a node).
struct Graph {
    edges: BTreeMap<String, BTreeSet<String>>,
    /// The edges that are only a folder's `mod.rs` re-exporting its own files (`pub use
    /// ses::SesMailer;`): a name passed on, not a use, and whoever uses the name gets the
    /// edge to its file. The cycle check leaves them out, or every folder whose files use
    /// the types its `mod.rs` defines would be a cycle; the layer check keeps them.
    facade: BTreeSet<(String, String)>,
}

impl Graph {
    fn of_crate(src: &Path) -> Graph {
        let mut files = vec![];
        collect_rs(src, src, &mut files);
        let parsed: BTreeMap<String, Parsed> = files
            .iter()
            .map(|(module, text)| (module.clone(), parse(&tokens(text))))
            .collect();
        Graph::of_files(&parsed)
    }

    fn of_files(parsed: &BTreeMap<String, Parsed>) -> Graph {
        let modules: BTreeSet<&str> = parsed.keys().map(String::as_str).collect();
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut facade = BTreeSet::new();
        for (module, file) in parsed {
            let mut used = BTreeSet::new();
            let mut reexported = BTreeSet::new();
            let uses = file.uses.iter().map(|u| (&u.path, u.public));
            for (path, public) in uses.chain(file.paths.iter().map(|p| (p, false))) {
                let Some(absolute) = absolute(module, path, &modules, file) else {
                    continue;
                };
                if let Some(target) = resolve(&absolute, &modules, parsed) {
                    if target != *module && !target.is_empty() {
                        let own_file =
                            module.is_empty() || target.starts_with(&format!("{module}::"));
                        if public && own_file {
                            reexported.insert(target);
                        } else {
                            used.insert(target);
                        }
                    }
                }
            }
            if !module.is_empty() {
                for target in reexported.difference(&used) {
                    facade.insert((module.clone(), target.clone()));
                }
                used.extend(reexported);
                edges.insert(module.clone(), used);
            }
        }
        Graph { edges, facade }
    }

    /// "from -> to" for each edge from a lower layer to a higher one.
    fn layer_violations(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (from, tos) in &self.edges {
            for to in tos {
                if let (Some(a), Some(b)) = (layer_of(top(from)), layer_of(top(to))) {
                    if a < b {
                        out.insert(format!("{from} -> {to}"));
                    }
                }
            }
        }
        out
    }

    /// The strongly connected components of more than one module (Tarjan), each sorted.
    fn cycles(&self) -> Vec<Vec<String>> {
        let names: Vec<&String> = self.edges.keys().collect();
        let index_of: BTreeMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let successors: Vec<Vec<usize>> = names
            .iter()
            .map(|n| {
                self.edges[*n]
                    .iter()
                    .filter(|t| !self.facade.contains(&((*n).clone(), (*t).clone())))
                    .filter_map(|t| index_of.get(t.as_str()).copied())
                    .collect()
            })
            .collect();
        tarjan(&successors)
            .into_iter()
            .filter(|c| c.len() > 1)
            .map(|c| {
                let mut c: Vec<String> = c.into_iter().map(|i| names[i].clone()).collect();
                c.sort();
                c
            })
            .collect()
    }

    /// The edges among some modules, to show how a cycle closes.
    fn edges_within(&self, modules: &[&str]) -> String {
        let mut out = vec![];
        for from in modules {
            for to in self.edges.get(*from).into_iter().flatten() {
                let facade = self.facade.contains(&(from.to_string(), to.clone()));
                if modules.contains(&to.as_str()) && !facade {
                    out.push(format!("{from} -> {to}"));
                }
            }
        }
        out.join(", ")
    }
}

/// Tarjan's strongly connected components over nodes `0..successors.len()`.
fn tarjan(successors: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        successors: &'a [Vec<usize>],
        next: usize,
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        components: Vec<Vec<usize>>,
    }
    // Recursive: the crate's graph is a few hundred nodes deep at most.
    fn visit(s: &mut State, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &s.successors[v] {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(w_index) if s.on_stack[w] => s.low[v] = s.low[v].min(w_index),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = vec![];
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            s.components.push(component);
        }
    }
    let n = successors.len();
    let mut s = State {
        successors,
        next: 0,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: vec![],
        components: vec![],
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.components
}

/// (module path, source) of every `.rs` file: `a/b.rs` is `a::b`, `a/mod.rs` is `a`,
/// `lib.rs` the root "".
fn collect_rs(src: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_rs(src, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut segments: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(segments.last().map(String::as_str), Some("mod" | "lib")) {
                segments.pop();
            }
            out.push((segments.join("::"), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// What one file refers to: its `use` paths (each with the name it binds, if any) and its
/// inline `crate::`/`super::`/`self::`/child-module paths, outside `#[cfg(test)]` items.
#[derive(Default)]
struct Parsed {
    uses: Vec<Use>,
    paths: Vec<Vec<String>>,
}

struct Use {
    path: Vec<String>,
    /// The name it binds: the last segment or its `as` name; None for a glob.
    alias: Option<String>,
    /// `pub use` (or `pub(crate) use`…): a re-export.
    public: bool,
}

/// `module`'s path made absolute (from the crate root), or None when it leaves the crate.
fn absolute(
    module: &str,
    path: &[String],
    modules: &BTreeSet<&str>,
    file: &Parsed,
) -> Option<Vec<String>> {
    let mut here: Vec<String> = if module.is_empty() {
        vec![]
    } else {
        module.split("::").map(String::from).collect()
    };
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => return Some(rest[1..].to_vec()),
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                here.pop()?;
                rest = &rest[1..];
            }
        }
        Some(first) => {
            let mut child = here.clone();
            child.push(first.to_string());
            if modules.contains(child.join("::").as_str()) {
                // A child module, named as `use keys::…` or inline `keys::…`.
            } else if let Some(Use { path: target, .. }) = file
                .uses
                .iter()
                .find(|u| u.alias.as_deref() == Some(first) && u.path.len() > 1)
            {
                // A name this file imported, as in `use crate::store; … store::keys::…`;
                // only `crate`/`super`/`self` paths can reach the crate from here.
                let target = absolute(module, target, modules, &Parsed::default())?;
                return Some(target.into_iter().chain(rest[1..].to_vec()).collect());
            } else {
                return None;
            }
        }
        None => return None,
    }
    here.extend(rest.iter().cloned());
    Some(here)
}

/// The file module an absolute path names: its longest module prefix, followed through the
/// names that module imports. None for a name imported from outside the crate.
fn resolve(
    path: &[String],
    modules: &BTreeSet<&str>,
    parsed: &BTreeMap<String, Parsed>,
) -> Option<String> {
    let mut path = path.to_vec();
    for _ in 0..16 {
        let mut module_len = 0;
        for len in 1..=path.len() {
            if modules.contains(path[..len].join("::").as_str()) {
                module_len = len;
            }
        }
        let module = path[..module_len].join("::");
        let Some(next) = path.get(module_len) else {
            return Some(module);
        };
        let Some(file) = parsed.get(&module) else {
            return Some(module);
        };
        let imported = file
            .uses
            .iter()
            .find(|u| u.alias.as_deref() == Some(next.as_str()));
        match imported {
            Some(Use { path: target, .. }) => {
                let target = absolute(&module, target, modules, file)?;
                path = target
                    .into_iter()
                    .chain(path[module_len + 1..].iter().cloned())
                    .collect();
            }
            None => return Some(module),
        }
    }
    panic!("a `use` loop resolving {}", path.join("::"))
}

/// Rust source as identifiers and punctuation, without comments, strings, characters,
/// lifetimes and numbers (each string, character or number becomes one "_lit" token, so no
/// path runs across it).
fn tokens(text: &str) -> Vec<String> {
    let c: Vec<char> = text.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    let ident_start = |ch: char| ch.is_alphabetic() || ch == '_';
    let ident_char = |ch: char| ch.is_alphanumeric() || ch == '_';
    // The end of a string starting at its opening quote `c[i] == '"'`, with `hashes` #s.
    let string_end = |mut i: usize, hashes: usize, raw: bool| -> usize {
        i += 1;
        while i < c.len() {
            if !raw && c[i] == '\\' {
                i += 2;
                continue;
            }
            if c[i] == '"'
                && c[i + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|&&h| h == '#')
                    .count()
                    == hashes
            {
                return i + 1 + hashes;
            }
            i += 1;
        }
        i
    };
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = string_end(i, 0, false);
            out.push("_lit".into());
        } else if ch == '\'' {
            // A character ('a', '\n', '\'', '\u{1F600}') or a lifetime ('a, 'static).
            if c.get(i + 1) == Some(&'\\') {
                i += 3;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push("_lit".into());
            } else if c.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push("_lit".into());
            } else {
                i += 1;
                while i < c.len() && ident_char(c[i]) {
                    i += 1;
                }
            }
        } else if ch.is_ascii_digit() {
            while i < c.len()
                && (ident_char(c[i])
                    || c[i] == '.' && c.get(i + 1).is_some_and(char::is_ascii_digit))
            {
                i += 1;
            }
            out.push("_lit".into());
        } else if ident_start(ch) {
            let start = i;
            while i < c.len() && ident_char(c[i]) {
                i += 1;
            }
            let word: String = c[start..i].iter().collect();
            let next = c.get(i).copied();
            if matches!(word.as_str(), "r" | "br" | "cr") && matches!(next, Some('"' | '#')) {
                let hashes = c[i..].iter().take_while(|&&h| h == '#').count();
                if c.get(i + hashes) == Some(&'"') {
                    i = string_end(i + hashes, hashes, true);
                    out.push("_lit".into());
                    continue;
                }
                if word == "r" && hashes == 1 {
                    // A raw identifier, r#type.
                    let start = i + 1;
                    i = start;
                    while i < c.len() && ident_char(c[i]) {
                        i += 1;
                    }
                    out.push(c[start..i].iter().collect());
                    continue;
                }
            }
            if matches!(word.as_str(), "b" | "c") && next == Some('"') {
                i = string_end(i, 0, false);
                out.push("_lit".into());
                continue;
            }
            if word == "b" && next == Some('\'') {
                i += 1;
                if c.get(i + 1) == Some(&'\\') {
                    i += 2;
                }
                while i + 1 < c.len() && c[i + 1] != '\'' {
                    i += 1;
                }
                i += 2;
                out.push("_lit".into());
                continue;
            }
            out.push(word);
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push("::".into());
            i += 2;
        } else {
            out.push(ch.to_string());
            i += 1;
        }
    }
    out
}

fn is_ident(token: &str) -> bool {
    token.starts_with(|c: char| c.is_alphabetic() || c == '_') && token != "_lit"
}

/// The `use` trees and inline paths of a file's tokens, skipping `#[cfg(test)]` items.
fn parse(t: &[String]) -> Parsed {
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < t.len() {
        if t[i..].starts_with(&["#", "[", "cfg", "(", "test", ")", "]"].map(String::from)) {
            i = skip_item(t, i + 7);
        } else if t[i] == "use" {
            let public = i > 0
                && (t[i - 1] == "pub"
                    || t[i - 1] == ")" && {
                        // `pub(crate) use`, `pub(super) use`, `pub(in …) use`
                        let open = t[..i].iter().rposition(|s| s == "(").unwrap_or(0);
                        open > 0 && t[open - 1] == "pub"
                    });
            let (trees, end) = use_tree(t, i + 1, vec![]);
            parsed
                .uses
                .extend(trees.into_iter().map(|(path, alias)| Use {
                    path,
                    alias,
                    public,
                }));
            i = end;
        } else if is_ident(&t[i])
            && t.get(i + 1).map(String::as_str) == Some("::")
            && (i == 0 || t[i - 1] != "::")
        {
            let mut path = vec![t[i].clone()];
            i += 1;
            while t.get(i).map(String::as_str) == Some("::")
                && t.get(i + 1).is_some_and(|s| is_ident(s))
            {
                path.push(t[i + 1].clone());
                i += 2;
            }
            parsed.paths.push(path);
        } else {
            i += 1;
        }
    }
    parsed
}

/// The index after the item starting at `i` (after its outer attributes): after its `;` or
/// the `}` that closes its body.
fn skip_item(t: &[String], mut i: usize) -> usize {
    while t.get(i).map(String::as_str) == Some("#") {
        // Another attribute: `#[…]`.
        i = skip_group(t, i + 1);
    }
    let mut depth = 0usize;
    while i < t.len() {
        match t[i].as_str() {
            "{" | "(" | "[" => depth += 1,
            "}" | ")" | "]" => {
                depth -= 1;
                if depth == 0 && t[i] == "}" {
                    return i + 1;
                }
            }
            ";" if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    i
}

/// The index after the bracketed group opening at `i`.
fn skip_group(t: &[String], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < t.len() {
        match t[i].as_str() {
            "{" | "(" | "[" => depth += 1,
            "}" | ")" | "]" => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// The paths of the `use` tree at `i` (each with the name it binds; None for a glob), and
/// the index after it (after the `;` at the top).
fn use_tree(
    t: &[String],
    mut i: usize,
    prefix: Vec<String>,
) -> (Vec<(Vec<String>, Option<String>)>, usize) {
    let mut path = prefix;
    let mut out = vec![];
    loop {
        match t.get(i).map(String::as_str) {
            Some("{") => {
                i += 1;
                while t.get(i).map(String::as_str) != Some("}") && i < t.len() {
                    let (trees, end) = use_tree(t, i, path.clone());
                    out.extend(trees);
                    i = end;
                    if t.get(i).map(String::as_str) == Some(",") {
                        i += 1;
                    }
                }
                i += 1;
                break;
            }
            Some("*") => {
                out.push((path.clone(), None));
                i += 1;
                break;
            }
            Some("::") => i += 1,
            Some(segment) if is_ident(segment) => {
                if segment == "self" && !path.is_empty() {
                    // `a::{self, …}` binds `a`.
                } else {
                    path.push(segment.to_string());
                }
                i += 1;
                if t.get(i).map(String::as_str) == Some("as") {
                    out.push((path.clone(), t.get(i + 1).cloned()));
                    i += 2;
                    break;
                }
                if t.get(i).map(String::as_str) != Some("::") {
                    out.push((path.clone(), path.last().cloned()));
                    break;
                }
            }
            _ => break,
        }
    }
    if t.get(i).map(String::as_str) == Some(";") {
        i += 1;
    }
    (out, i)
}

/// The checker's own tests, on hand-made crates: each can fail.
mod graph_checks {
    use super::*;

    fn graph(files: &[(&str, &str)]) -> Graph {
        let parsed = files
            .iter()
            .map(|(m, src)| (m.to_string(), parse(&tokens(src))))
            .collect();
        Graph::of_files(&parsed)
    }

    fn edges(g: &Graph) -> Vec<String> {
        g.edges
            .iter()
            .flat_map(|(f, ts)| ts.iter().map(move |t| format!("{f} -> {t}")))
            .collect()
    }

    #[test]
    fn tarjan_finds_the_components_of_a_hand_made_graph() {
        // 0 -> 1 -> 2 -> 0 and 2 -> 3 -> 4 -> 3, 5 alone, 6 -> 6.
        let successors = vec![
            vec![1],
            vec![2],
            vec![0, 3],
            vec![4],
            vec![3],
            vec![],
            vec![6],
        ];
        let mut components: Vec<Vec<usize>> = tarjan(&successors)
            .into_iter()
            .map(|mut c| {
                c.sort();
                c
            })
            .collect();
        components.sort();
        assert_eq!(
            components,
            vec![vec![0, 1, 2], vec![3, 4], vec![5], vec![6]]
        );
        assert_eq!(
            tarjan(&[vec![1], vec![2], vec![]]).len(),
            3,
            "a chain has no cycle"
        );
    }

    #[test]
    fn edges_come_from_uses_and_inline_paths_but_not_from_tests() {
        let g = graph(&[
            ("", "pub mod a; pub mod b; pub use a::Thing;"),
            (
                "a",
                "pub mod x; pub use x::Thing; use crate::b::{self, y::{Y as Z}};",
            ),
            (
                "a::x",
                "pub struct Thing; fn f() { crate::c::g(); let s = \"crate::b::y\"; }",
            ),
            (
                "b",
                "use crate::a; // use crate::c;\n fn f() { a::x::go() }",
            ),
            (
                "b::y",
                "#[cfg(test)]\nmod tests { use crate::c::*; }\n use super::*; pub struct Y;",
            ),
            (
                "c",
                "fn f<'a>(x: &'a str) -> char { let _ = r#\"crate::a\"#; '\\'' }",
            ),
            (
                "d",
                "use crate::Thing; use std::fmt; #[cfg(test)] fn t() { crate::b::y(); }",
            ),
        ]);
        assert_eq!(
            edges(&g),
            [
                "a -> a::x",
                "a -> b",
                "a -> b::y",
                "a::x -> c",
                "b -> a",
                "b -> a::x",
                "b::y -> b",
                "d -> a::x",
            ]
        );
        assert_eq!(g.cycles(), vec![vec!["a", "b", "b::y"]]);
    }

    #[test]
    fn a_lower_layer_using_a_higher_one_is_a_violation() {
        let g = graph(&[
            ("domain::order", "use crate::api::orders::load;"),
            (
                "api::orders",
                "use crate::domain::order::Order; use crate::store::Store;",
            ),
            ("store", "fn f() { crate::web::render() }"),
            ("web", ""),
        ]);
        assert_eq!(
            g.layer_violations().into_iter().collect::<Vec<_>>(),
            ["domain::order -> api::orders", "store -> web"]
        );
        assert_eq!(
            g.cycles(),
            vec![vec!["api::orders".to_string(), "domain::order".to_string()]]
        );
    }

    #[test]
    fn the_lists_only_shrink() {
        let g = graph(&[
            ("ordering::place", "use crate::api::orders::load;"),
            ("api::orders", "use crate::ordering::place::place;"),
            ("api::search", ""),
            ("store", ""),
        ]);
        let violation = "ordering::place -> api::orders";
        let cycle = "api::orders <-> ordering::place";
        assert!(problems(&g, &[violation], &[cycle]).is_empty());

        let unlisted = problems(&g, &[], &[]);
        assert_eq!(unlisted.len(), 2, "{unlisted:#?}");
        assert!(unlisted[0].starts_with(
            "new layer violation: ordering::place (use cases) uses api::orders (adapters)"
        ));
        assert!(unlisted[1].starts_with("new module cycle: api::orders <-> ordering::place"));

        let stale = problems(
            &g,
            &[violation, "store -> api::search"],
            &[cycle, "api::search <-> store"],
        );
        assert_eq!(
            stale,
            [
                "fixed, good: store -> api::search is no longer a layer violation; remove it \
                 from KNOWN_LAYER_VIOLATIONS",
                "fixed, good: the cycle api::search <-> store is gone; remove it from \
                 KNOWN_CYCLES",
            ]
        );

        let shrunk = problems(
            &g,
            &[violation],
            &["api::orders <-> api::search <-> ordering::place"],
        );
        assert!(
            shrunk[0].starts_with("the cycle api::orders <-> api::search <-> ordering::place shrank to api::orders <-> ordering::place"),
            "{shrunk:#?}"
        );

        let unlayered = graph(&[("wat::x", "")]);
        assert_eq!(
            problems(&unlayered, &[], &[]),
            ["top-level module `wat` has no layer: add it to LAYERS"]
        );
    }

    #[test]
    fn a_folder_re_exporting_its_files_is_no_cycle_but_calling_them_is() {
        let facade = graph(&[
            (
                "notify",
                "mod ses; pub(crate) use ses::Ses; pub trait Mailer {}",
            ),
            ("notify::ses", "use super::Mailer; pub struct Ses;"),
            ("ctx", "use crate::notify::Ses;"),
        ]);
        assert_eq!(
            edges(&facade),
            [
                "ctx -> notify::ses",
                "notify -> notify::ses",
                "notify::ses -> notify"
            ]
        );
        assert!(facade.cycles().is_empty());

        let dispatch = graph(&[
            ("shop", "pub use shopify::map; fn f() { shopify::map() }"),
            ("shop::shopify", "use super::Order; pub fn map() {}"),
        ]);
        assert_eq!(dispatch.cycles(), vec![vec!["shop", "shop::shopify"]]);
    }
}
