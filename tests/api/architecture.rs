//! The layout's boundaries, checked on the sources: the domain and the infrastructure know
//! nothing of HTTP (no actix, no faces, no app state, no HTTP error); the faces (`api`,
//! `admin`, `portal`) do not import each other and hold no SQL; and no import cycle joins
//! more than two files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The faces: each serves one audience and may use the shared HTTP kit.
const FACES: [&str; 3] = ["api", "admin", "portal"];
/// The shared HTTP kit and the assembly, which know both HTTP and the domain.
const HTTP_SIDE: [&str; 5] = ["http", "state", "startup", "main", "lib"];

struct Source {
    /// `["buyers", "store"]` for `src/buyers/store.rs`.
    module: Vec<String>,
    /// The code without comments, string contents and unit tests.
    code: String,
}

fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            // A quote as a character literal opens no string.
            '\'' if chars.peek() == Some(&'"') => {
                chars.next();
                out.push_str("'\"");
            }
            // A raw string ends at `"#`, whatever quotes it holds.
            'r' if chars.peek() == Some(&'#') => {
                chars.next();
                if chars.next_if_eq(&'"').is_some() {
                    let mut last = ' ';
                    for n in chars.by_ref() {
                        if last == '"' && n == '#' {
                            break;
                        }
                        last = n;
                    }
                    out.push_str("\"\"");
                } else {
                    out.push_str("r#");
                }
            }
            '"' => {
                out.push('"');
                let mut escaped = false;
                for n in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if n == '\\' {
                        escaped = true;
                    } else if n == '"' {
                        break;
                    }
                }
                out.push('"');
            }
            _ => out.push(c),
        }
    }
    // Unit tests are the module's own business: cut at the first `#[cfg(test)] mod` (after
    // the comments are gone, so a comment between the attributes does not hide it).
    let mut cut = out.len();
    for (index, _) in out.match_indices("#[cfg(test)]") {
        let mut rest = out[index + "#[cfg(test)]".len()..].trim_start();
        // Other attributes may sit between `#[cfg(test)]` and the `mod`.
        while let Some(attribute) = rest.strip_prefix("#[") {
            rest = attribute
                .split_once(']')
                .map_or("", |(_, after)| after)
                .trim_start();
        }
        if rest.starts_with("mod ") {
            cut = index;
            break;
        }
    }
    out.truncate(cut);
    out
}

fn sources() -> BTreeMap<PathBuf, Source> {
    fn walk(dir: &Path, root: &Path, found: &mut BTreeMap<PathBuf, Source>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, root, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).unwrap().with_extension("");
                let mut module: Vec<String> = relative
                    .iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                if matches!(module.last().map(String::as_str), Some("mod")) {
                    module.pop();
                }
                let text = std::fs::read_to_string(&path).unwrap();
                found.insert(
                    path.clone(),
                    Source {
                        module,
                        code: strip(&text),
                    },
                );
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    walk(&root, &root, &mut found);
    found
}

/// The module paths a source names: `crate::a::b` and `use crate::a::{b, c::d}`, and
/// `super::x` relative to it.
fn named_paths(source: &Source) -> Vec<Vec<String>> {
    let code = &source.code;
    let mut paths = Vec::new();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let take_path = |from: &str| -> Vec<String> {
        let mut parts = Vec::new();
        let mut rest = from;
        loop {
            let name: String = rest.chars().take_while(|c| word(*c)).collect();
            if name.is_empty() {
                break;
            }
            rest = &rest[name.len()..];
            parts.push(name);
            match rest.strip_prefix("::") {
                Some(more) => rest = more,
                None => break,
            }
        }
        parts
    };
    for (index, _) in code.match_indices("crate::") {
        let after = &code[index + "crate::".len()..];
        let head = take_path(after);
        paths.push(head.clone());
        // A group: `crate::a::{b, c::d}`.
        let consumed: usize = head.iter().map(|p| p.len() + 2).sum();
        if let Some(group) = after.get(consumed..).and_then(|g| g.strip_prefix('{')) {
            let group = group.split('}').next().unwrap_or_default();
            for item in group.split(',') {
                let item = item.trim();
                let mut path = head.clone();
                path.extend(take_path(item).into_iter().filter(|p| p != "self"));
                paths.push(path);
            }
        }
    }
    let parent: Vec<String> = source.module[..source.module.len().saturating_sub(1)].to_vec();
    for (index, _) in code.match_indices("super::") {
        if index > 0 && code[..index].ends_with("::") {
            continue;
        }
        let mut path = parent.clone();
        path.extend(take_path(&code[index + "super::".len()..]));
        paths.push(path);
    }
    paths
}

/// The file a module path lands in (its longest prefix that is a file of ours).
fn file_of<'a>(
    path: &[String],
    by_module: &'a BTreeMap<Vec<String>, PathBuf>,
) -> Option<&'a PathBuf> {
    (1..=path.len())
        .rev()
        .find_map(|n| by_module.get(&path[..n].to_vec()))
}

fn area(source: &Source) -> &str {
    source.module.first().map(String::as_str).unwrap_or("lib")
}

fn is_domain_or_infrastructure(source: &Source) -> bool {
    let area = area(source);
    !FACES.contains(&area) && !HTTP_SIDE.contains(&area)
}

#[test]
fn the_domain_and_the_infrastructure_know_nothing_of_http() {
    let mut offences = Vec::new();
    for (path, source) in &sources() {
        if !is_domain_or_infrastructure(source) {
            continue;
        }
        if source.code.contains("actix") {
            offences.push(format!("{} uses actix", path.display()));
        }
        for named in named_paths(source) {
            let first = named.first().map(String::as_str).unwrap_or_default();
            if FACES.contains(&first) || matches!(first, "http" | "state" | "startup") {
                offences.push(format!(
                    "{} imports crate::{}",
                    path.display(),
                    named.join("::")
                ));
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}

#[test]
fn the_faces_do_not_import_each_other_nor_hold_sql() {
    let mut offences = Vec::new();
    for (path, source) in &sources() {
        let area = area(source);
        if !FACES.contains(&area) && area != "http" {
            continue;
        }
        if source.code.contains("sqlx") {
            offences.push(format!("{} uses sqlx", path.display()));
        }
        for named in named_paths(source) {
            let first = named.first().map(String::as_str).unwrap_or_default();
            if FACES.contains(&first) && first != area {
                offences.push(format!(
                    "{} imports crate::{}",
                    path.display(),
                    named.join("::")
                ));
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}

#[test]
fn no_import_cycle_joins_more_than_two_files() {
    let sources = sources();
    let by_module: BTreeMap<Vec<String>, PathBuf> = sources
        .iter()
        .map(|(path, source)| (source.module.clone(), path.clone()))
        .collect();
    let edges: BTreeMap<&PathBuf, BTreeSet<&PathBuf>> = sources
        .iter()
        .map(|(path, source)| {
            let targets = named_paths(source)
                .iter()
                .filter_map(|named| file_of(named, &by_module))
                .filter(|target| *target != path)
                .collect();
            (path, targets)
        })
        .collect();
    // Strongly connected components (Kosaraju): a component of more than two files is a knot.
    let mut order = Vec::new();
    let mut seen = BTreeSet::new();
    fn visit<'a>(
        node: &'a PathBuf,
        edges: &BTreeMap<&'a PathBuf, BTreeSet<&'a PathBuf>>,
        seen: &mut BTreeSet<&'a PathBuf>,
        order: &mut Vec<&'a PathBuf>,
    ) {
        if !seen.insert(node) {
            return;
        }
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, seen, order);
        }
        order.push(node);
    }
    for node in edges.keys() {
        visit(node, &edges, &mut seen, &mut order);
    }
    let mut reverse: BTreeMap<&PathBuf, BTreeSet<&PathBuf>> = BTreeMap::new();
    for (from, targets) in &edges {
        for to in targets {
            reverse.entry(*to).or_default().insert(*from);
        }
    }
    let mut assigned = BTreeSet::new();
    let mut knots = Vec::new();
    for node in order.iter().rev() {
        if assigned.contains(node) {
            continue;
        }
        let mut component = BTreeSet::new();
        let mut stack = vec![*node];
        while let Some(current) = stack.pop() {
            if !assigned.insert(current) {
                continue;
            }
            component.insert(current);
            for previous in reverse.get(current).into_iter().flatten() {
                if !assigned.contains(previous) {
                    stack.push(previous);
                }
            }
        }
        if component.len() > 2 {
            // Name the knot by its edges, so the import to cut can be read off the failure.
            let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
            let name = |p: &PathBuf| p.strip_prefix(&src).unwrap_or(p).display().to_string();
            let knot: Vec<String> = component
                .iter()
                .flat_map(|from| {
                    edges[from]
                        .iter()
                        .filter(|to| component.contains(*to))
                        .map(move |to| format!("{} -> {}", name(from), name(to)))
                })
                .collect();
            knots.push(knot);
        }
    }
    assert!(knots.is_empty(), "import cycles: {knots:#?}");
}

#[test]
fn the_checks_see_what_they_look_for() {
    // A control: the scan finds the imports it must judge (so an empty result means clean,
    // not blind).
    let sources = sources();
    let api_buyers = sources
        .values()
        .find(|s| s.module == ["api", "buyers"])
        .expect("src/api/buyers.rs");
    let named = named_paths(api_buyers);
    assert!(
        named
            .iter()
            .any(|p| p.first().map(String::as_str) == Some("buyers")),
        "{named:?}"
    );
    let write = sources
        .values()
        .find(|s| s.module == ["write"])
        .expect("src/write/mod.rs");
    assert!(
        named_paths(write)
            .iter()
            .any(|p| p.starts_with(&["kyc".to_owned()]))
    );
}

#[test]
fn page_forms_are_read_only_through_the_csrf_checking_extractors() {
    // `StaffForm` and `BuyerForm` check the session's token before a handler runs; a plain
    // `web::Form` would leave the check to memory. Only the forms that come before a session
    // exists (staff sign-in, the buyer's link landing page) read their own.
    let offences: Vec<String> = sources()
        .iter()
        .filter(|(_, s)| matches!(area(s), "admin" | "portal"))
        .filter(|(_, s)| s.module != ["admin", "auth"] && s.module != ["portal", "link"])
        .filter(|(_, s)| s.code.contains("web::Form"))
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(offences.is_empty(), "{offences:#?}");
}
