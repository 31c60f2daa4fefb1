//! Embeds generated data into the binary: the built-in rule pack (`patterns/*.toml`), the
//! trigram frequency table of the keyword filter (`src/engine/trigrams.tsv`), the windows of
//! the pack's keywords that filter looks for (ranked by `src/engine/grams4.tsv`), and what
//! `--version` says besides the version (the commit built and the number of built-in rules).
//!
//! The TOML is parsed here, at build time, and embedded as JSON: parsing ~200 KB of TOML on
//! every start cost several milliseconds, which a pre-commit hook pays on every commit. A
//! syntax error in a pattern file fails the build with its file, line and column. The
//! schema itself (unknown fields, types) is checked when the JSON is loaded, by the rule
//! pack tests. Rule examples and the rules' documentation go to documents of their own, read
//! only when asked for.
use std::{env, fs, path::Path, process::Command};

#[path = "src/engine/trigram_slot.rs"]
mod trigram_slot;

#[path = "src/engine/parity_windows.rs"]
mod parity_windows;

#[path = "src/rules/parsed.rs"]
#[allow(dead_code)]
mod parsed;

#[path = "src/rules/literal_start.rs"]
mod literal_start;

fn main() {
    let (rules, keywords) = embed_patterns();
    let trigrams = embed_trigrams();
    embed_keyword_windows(&keywords, &trigrams);
    println!("cargo:rustc-env=KEYSWEEP_RULE_COUNT={rules}");
    let (commit, date) = commit();
    println!("cargo:rustc-env=KEYSWEEP_COMMIT={commit}");
    println!("cargo:rustc-env=KEYSWEEP_COMMIT_DATE={date}");
}

/// The checkout being built, read when the script runs: `env!` would bake in the directory the
/// script was compiled in, so a build directory copied to another checkout (a git worktree)
/// would keep embedding the first checkout's files and never notice edits to its own.
fn manifest_dir() -> std::path::PathBuf {
    env::var_os("CARGO_MANIFEST_DIR")
        .expect("cargo sets CARGO_MANIFEST_DIR")
        .into()
}

/// The short id and date (YYYY-MM-DD, the man page's date) of the commit checked out, or
/// `unknown` for a build outside this project's git checkout (a source archive, or a copy
/// inside some other repository).
fn commit() -> (String, String) {
    let dir = &manifest_dir();
    let git = |args: &[&str]| -> Option<String> {
        // A build run from a git hook inherits GIT_DIR, which names the hook's repository.
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .output()
            .ok()?;
        let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
        (out.status.success() && !text.is_empty()).then_some(text)
    };
    let top = git(&["rev-parse", "--show-toplevel"]).and_then(|t| fs::canonicalize(t).ok());
    let unknown = || ("unknown".to_string(), "unknown".to_string());
    if top.is_none() || top != fs::canonicalize(dir).ok() {
        return unknown();
    }
    // Built again when HEAD moves: HEAD itself, the branch it names, or the packed refs.
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git(&["rev-parse", "--git-path", &branch]));
    }
    watched.push(git(&["rev-parse", "--git-path", "packed-refs"]));
    for path in watched.into_iter().flatten() {
        let path = dir.join(path);
        // A path that does not exist would make cargo run this script on every build.
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    match (
        git(&["rev-parse", "--short=7", "HEAD"]),
        git(&["log", "-1", "--format=%cs", "HEAD"]),
    ) {
        (Some(id), Some(date)) => (id, date),
        _ => unknown(),
    }
}

/// Returns how many rules the pack holds.
/// Returns the number of rules and their keywords.
fn embed_patterns() -> (usize, Vec<String>) {
    let dir = manifest_dir().join("patterns");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("patterns/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut pack = Vec::new();
    let mut examples = Vec::new();
    let mut docs = Vec::new();
    let mut patterns = Vec::new();
    let mut rule_keywords = Vec::new();
    let mut keywords = Vec::new();
    let mut count = 0;
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(f).expect("read pattern file");
        let value: toml::Value = match toml::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                let (line, col) = e.span().map_or((0, 0), |s| {
                    let before = &text[..s.start];
                    (
                        before.matches('\n').count() + 1,
                        before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1,
                    )
                });
                panic!("patterns/{name}:{line}:{col}: {}", e.message());
            }
        };
        let json = serde_json::to_value(&value).expect("TOML to JSON");
        let mut rules = json.get("rules").cloned().unwrap_or_default();
        count += rules.as_array().map_or(0, Vec::len);
        for rule in rules.as_array().into_iter().flatten() {
            patterns.push(rule["regex"].as_str().unwrap_or_default().to_string());
            let words: Vec<String> = rule["keywords"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|k| k.as_str())
                .map(str::to_string)
                .collect();
            rule_keywords.push(words.clone());
            keywords.extend(words);
        }
        let own = split_fields(&mut rules, &["examples", "negative_examples"]);
        examples.push(serde_json::json!({ "file": name, "rules": own }));
        docs.extend(split_fields(
            &mut rules,
            &["description", "references", "tags"],
        ));
        // The field is required in a rule file; the pack's rules read theirs from the docs.
        for rule in rules.as_array_mut().into_iter().flatten() {
            rule["description"] = serde_json::Value::from("");
        }
        pack.push(serde_json::json!({ "file": name, "rules": rules }));
    }
    let out_dir = env::var("OUT_DIR").unwrap();
    let out = Path::new(&out_dir);
    // Two documents of about the same size: start-up parses them on two threads.
    let texts: Vec<String> = pack.iter().map(|f| f.to_string()).collect();
    let total: usize = texts.iter().map(String::len).sum();
    let mut size = 0;
    let split = texts
        .iter()
        .position(|t| {
            size += t.len();
            size >= total / 2
        })
        .map_or(texts.len(), |i| i + 1);
    for (i, part) in [&texts[..split], &texts[split..]].iter().enumerate() {
        replace(
            &out.join(format!("patterns-{i}.json")),
            &format!("[{}]", part.join(",")),
        );
    }
    replace(
        &out.join("pattern-examples.json"),
        &serde_json::to_string(&examples).unwrap(),
    );
    replace(
        &out.join("pattern-docs.json"),
        &serde_json::to_string(&docs).unwrap(),
    );
    let (parsed, keyword_starts) = parse_patterns(&patterns, &rule_keywords);
    replace_bytes(&out.join("pattern-parsed.bin"), &parsed);
    replace_bytes(&out.join("pattern-keyword-starts.bin"), &keyword_starts);
    (count, keywords)
}

/// The rules' regexes parsed in ASCII mode (as `src/rules/compile.rs` reads them), encoded
/// by `src/rules/parsed.rs`, one table entry per rule in pack order. A pattern that needs
/// Unicode mode, or does not parse, has none and is parsed at run time as before. With it,
/// one byte per rule: 1 when every match of its regex begins with one of its keywords
/// (`src/rules/literal_start.rs`), else 0.
fn parse_patterns(patterns: &[String], keywords: &[Vec<String>]) -> (Vec<u8>, Vec<u8>) {
    let hirs: Vec<Option<regex_syntax::hir::Hir>> = patterns
        .iter()
        .map(|pattern| {
            // A parser of its own per pattern: one reused keeps flags such as `(?i)` from the
            // pattern before (the pack test caught a case-folded literal).
            regex_syntax::ParserBuilder::new()
                .unicode(false)
                .utf8(false)
                .build()
                .parse(pattern)
                .ok()
        })
        .collect();
    let encodings: Vec<Option<Vec<u8>>> = hirs
        .iter()
        .map(|hir| {
            let mut bytes = Vec::new();
            parsed::encode(hir.as_ref()?, &mut bytes);
            Some(bytes)
        })
        .collect();
    let keyword_starts = hirs
        .iter()
        .zip(keywords)
        .map(|(hir, words)| {
            let words: Vec<Vec<u8>> = words
                .iter()
                .map(|w| w.to_ascii_lowercase().into_bytes())
                .collect();
            hir.as_ref()
                .is_some_and(|h| literal_start::starts_with_a_keyword(h, &words)) as u8
        })
        .collect();
    (parsed::table(&encodings), keyword_starts)
}

/// Writes `path` as a new file (temp file, then rename) rather than through the old one: a
/// target directory copied with hard links shares its outputs' inodes with other copies, and
/// writing in place would change their embedded data too (and theirs ours).
fn replace(path: &Path, text: &str) {
    replace_bytes(path, text.as_bytes());
}

fn replace_bytes(path: &Path, bytes: &[u8]) {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes).unwrap_or_else(|e| panic!("write {}: {e}", tmp.display()));
    fs::rename(&tmp, path).unwrap_or_else(|e| panic!("rename to {}: {e}", path.display()));
}

/// Takes `fields` out of each rule of the pack, into a document of their own in the same
/// order (`{ id, field... }` per rule). Two such documents: the examples and negative
/// examples, two thirds of the pack's text, which only `rules show/check` and the tests read;
/// and the documentation (description, references, tags), which only reports and the rules
/// commands read. A scan, which a pre-commit hook starts on every commit, parses neither.
fn split_fields(rules: &mut serde_json::Value, fields: &[&str]) -> Vec<serde_json::Value> {
    let Some(rules) = rules.as_array_mut() else {
        return Vec::new();
    };
    rules
        .iter_mut()
        .map(|rule| {
            let mut own = serde_json::Map::new();
            if let Some(rule) = rule.as_object_mut() {
                own.insert("id".into(), rule.get("id").cloned().unwrap_or_default());
                for field in fields {
                    if let Some(v) = rule.remove(*field) {
                        own.insert(field.to_string(), v);
                    }
                }
            }
            serde_json::Value::Object(own)
        })
        .collect()
}

/// The trigram table, made by `scripts/gen-trigrams`, becomes Rust statics (`OUT_DIR/
/// trigrams.rs`, included by `src/engine/anchor.rs`): the rows, sorted, and an open-addressed
/// table of them (`src/engine/trigram_slot.rs`), so a lookup at start-up is a probe or two
/// with nothing to parse. A malformed line fails the build with its line number.
fn embed_trigrams() -> Vec<GramRow<3>> {
    let rows = read_grams::<3>("src/engine/trigrams.tsv", "trigram");
    let mut code = format!(
        "/// Folded trigrams (`byte | 0x20`) most frequent in code and config, ascending, with\n\
         /// occurrences per MB: generated from `src/engine/trigrams.tsv` by build.rs. The tests read it;\n\
         /// lookups go through `TRIGRAM_SLOTS`.\n\
         #[cfg(test)]\n\
         static COMMON_TRIGRAMS: [([u8; 3], u32); {}] = [\n",
        rows.len()
    );
    for (t, n) in &rows {
        code += &format!("    ({t:?}, {n}),\n");
    }
    code += "];\n";
    let size = 1usize << trigram_slot::SLOT_BITS;
    let mut slots = vec![(0u32, 0u32); size];
    for (t, n) in &rows {
        let key = trigram_slot::trigram_key(*t);
        let mut at = trigram_slot::trigram_slot(key);
        while slots[at].0 != 0 {
            at = (at + 1) % size;
        }
        slots[at] = (key, *n);
    }
    code += &format!(
        "/// `COMMON_TRIGRAMS` by `trigram_slot::trigram_key`, open-addressed: (key, per MB), key 0\n\
         /// for an empty slot.\n\
         static TRIGRAM_SLOTS: [(u32, u32); {size}] = [\n"
    );
    for (key, n) in &slots {
        code += &format!("    ({key}, {n}),\n");
    }
    code += "];\n";
    replace(
        &Path::new(&env::var("OUT_DIR").unwrap()).join("trigrams.rs"),
        &code,
    );
    rows
}

/// The pack's keywords of five bytes or more, with the two windows the keyword filter looks
/// for in each (`src/engine/parity_windows.rs`), become a sorted static (`OUT_DIR/
/// keyword_windows.rs`, included by `src/engine/anchor.rs`). Windows are ranked by how often
/// real code holds them, from `grams4.tsv` (made by `scripts/gen-trigrams --gram 4`); among
/// windows rarer than that table lists, by their trigrams. Estimating a window from its
/// trigrams alone, as a start-up must for a user's keywords, picks windows such as `tome`
/// in `customerio` or `link` in `plink`, which code is full of.
fn embed_keyword_windows(keywords: &[String], trigrams: &[GramRow<3>]) {
    let grams: std::collections::HashMap<[u8; 4], u32> =
        read_grams::<4>("src/engine/grams4.tsv", "gram")
            .into_iter()
            .collect();
    let trigrams: std::collections::HashMap<[u8; 3], u32> = trigrams.iter().copied().collect();
    let folded = |b: &[u8]| b.iter().map(|b| b | 0x20).collect::<Vec<u8>>();
    let mut keywords: Vec<Vec<u8>> = keywords
        .iter()
        .map(|k| k.to_ascii_lowercase().into_bytes())
        .filter(|k| k.len() >= 5 && k.len() <= usize::from(u16::MAX))
        .collect();
    keywords.sort();
    keywords.dedup();
    let mut code = String::from(
        "/// The built-in pack's keywords (lower-case, five bytes or more), ascending, with the\n\
         /// offsets of the even and the odd window the keyword filter looks for.\n\
         static BUILTIN_WINDOWS: &[(&str, [u16; 2])] = &[\n",
    );
    for kw in &keywords {
        let f = folded(kw);
        let tri = |i: usize| trigrams.get(&<[u8; 3]>::try_from(&f[i..i + 3]).unwrap());
        let [even, odd] = parity_windows::cheapest_by_parity(kw.len(), |i| {
            let window = grams.get(&<[u8; 4]>::try_from(&f[i..i + 4]).unwrap());
            let (a, b) = (
                tri(i).copied().unwrap_or(0),
                tri(i + 1).copied().unwrap_or(0),
            );
            (
                window.copied().unwrap_or(0),
                parity_windows::trigram_rank(a, b),
            )
        });
        let text = String::from_utf8(kw.clone()).expect("keywords are UTF-8 (TOML strings)");
        code += &format!("    ({text:?}, [{even}, {odd}]),\n");
    }
    code += "];\n";
    replace(
        &Path::new(&env::var("OUT_DIR").unwrap()).join("keyword_windows.rs"),
        &code,
    );
}

/// One row of a gram table: the gram's bytes and its occurrences per MB.
type GramRow<const N: usize> = ([u8; N], u32);
/// What is wrong with the table: (line number, message).
type TableError = (usize, String);

/// The rows of the gram table at `rel` (in the checkout); a malformed line fails the build
/// with its line number.
fn read_grams<const N: usize>(rel: &str, column: &str) -> Vec<GramRow<N>> {
    let path = manifest_dir().join(rel);
    println!("cargo:rerun-if-changed={}", path.display());
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    parse_grams(&text, column).unwrap_or_else(|(line, msg)| panic!("{rel}:{line}: {msg}"))
}

/// Rows of a table: `#` comments, a header naming the columns (`column`, `per_mb`, then
/// any per-family columns), then one row per gram in strictly ascending byte order.
fn parse_grams<const N: usize>(text: &str, column: &str) -> Result<Vec<GramRow<N>>, TableError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.starts_with('#'));
    let (n, header) = lines.next().ok_or((0, "no header line".to_string()))?;
    let columns = header.split('\t').count();
    if !header.starts_with(&format!("{column}\tper_mb")) {
        return Err((
            n,
            format!("the header must start with the columns {column}, per_mb"),
        ));
    }
    let mut rows: Vec<GramRow<N>> = Vec::new();
    for (n, line) in lines {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != columns {
            return Err((
                n,
                format!("{} fields, the header has {columns}", fields.len()),
            ));
        }
        let t = unescape(fields[0]).ok_or_else(|| {
            let msg = format!("`{}` is not {N} bytes (each itself or \\xHH)", fields[0]);
            (n, msg)
        })?;
        if t.iter().any(|b| b & 0x20 == 0) {
            // The filter folds text with `| 0x20`: an unfolded gram would never be met.
            return Err((n, format!("`{}` is not folded (byte | 0x20)", fields[0])));
        }
        let per_mb = fields[1]
            .parse::<u32>()
            .ok()
            .filter(|&f| f > 0)
            .ok_or_else(|| {
                (
                    n,
                    format!("per_mb `{}` is not a positive integer", fields[1]),
                )
            })?;
        if rows.last().is_some_and(|(prev, _)| *prev >= t) {
            return Err((n, "grams must be in strictly ascending byte order".into()));
        }
        rows.push((t, per_mb));
    }
    if rows.is_empty() {
        return Err((text.lines().count(), "no gram rows".into()));
    }
    Ok(rows)
}

/// A gram as the generator writes it: bytes as themselves, or `\xHH`.
fn unescape<const N: usize>(field: &str) -> Option<[u8; N]> {
    let mut out = Vec::new();
    let mut rest = field.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'\\' {
            let hex = tail.get(..3)?.strip_prefix(b"x")?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            out.push(u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?);
            rest = &tail[3..];
        } else {
            out.push(b);
            rest = tail;
        }
    }
    out.try_into().ok()
}
