//! The boundaries the README's architecture section promises, checked on the source: only
//! `main.rs`, `cli.rs` and `commands/` know the command line, no two top-level modules import
//! each other (directly or in a cycle), and no source file grows past 1,000 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its top-level module name (`source/git/mod.rs` →
/// `source`, `cli.rs` → `cli`).
fn sources() -> Vec<(String, PathBuf, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(&src).unwrap();
                let first = rel.components().next().unwrap().as_os_str();
                let top = first.to_string_lossy().trim_end_matches(".rs").to_string();
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((top, p, text));
            }
        }
    }
    assert!(out.len() > 20, "found only {} source files", out.len());
    out
}

/// The code of a file without its comment lines (docs may name other modules freely).
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Top-level modules `text` refers to as `crate::NAME`.
fn imports(text: &str) -> BTreeSet<String> {
    let code = code(text);
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.insert(name);
        }
    }
    found
}

const COMMAND_LINE: [&str; 3] = ["main", "cli", "commands"];

#[test]
fn only_the_command_layer_knows_the_command_line() {
    let mut offenders = Vec::new();
    for (top, path, text) in sources() {
        if COMMAND_LINE.contains(&top.as_str()) {
            continue;
        }
        let code = code(&text);
        if code.contains("crate::cli") || code.contains("clap::") || code.contains("use clap") {
            offenders.push(path.display().to_string());
        }
        if imports(&text).contains("commands") {
            offenders.push(format!("{} (imports commands)", path.display()));
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn top_level_modules_import_each_other_without_cycles() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (top, _, text) in sources() {
        let deps = graph.entry(top.clone()).or_default();
        for m in imports(&text) {
            if m != top {
                deps.insert(m);
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in graph.keys() {
        if let Some(cycle) = visit(node, &graph, &mut Vec::new(), &mut done) {
            panic!("import cycle: {}", cycle.join(" -> "));
        }
    }
    // The sources do not depend on rules, findings or filters.
    let source = &graph["source"];
    for forbidden in ["rules", "engine", "finding", "filter", "report", "pipeline"] {
        assert!(!source.contains(forbidden), "source imports {forbidden}");
    }
    assert!(!graph["engine"].contains("source"), "engine imports source");
}

#[test]
fn no_source_file_is_longer_than_1000_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|(_, _, text)| text.lines().count() > 1000)
        .map(|(_, p, text)| format!("{}: {} lines", p.display(), text.lines().count()))
        .collect();
    assert!(long.is_empty(), "{long:#?}");
}
