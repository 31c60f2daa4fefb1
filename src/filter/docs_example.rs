//! Values that documentation presents as examples: `For example, in settings.py:` above a
//! `SECRET_KEY = '...'`, a docstring's `e.g. token="..."`, a README that tells the reader to
//! generate their own key. Only generic findings are judged this way: a provider's format is
//! reported wherever it appears, a hand-typed sample under a generic name is not.

use memchr::memmem::Finder;
use std::sync::LazyLock;

/// Words and phrases (lower-case) that introduce an example.
const EXAMPLE_CUES: &[&str] = &[
    "example",
    "e.g.",
    "e.g:",
    "such as",
    "for instance",
    "sample",
];

/// Phrases (lower-case) by which a text tells the reader to make their own secret: what
/// follows them is an illustration, not a value anyone uses.
const GENERATE_YOUR_OWN: &[&str] = &[
    "generate your own",
    "generate a new",
    "generate a random",
    "generate a secure",
    "generate one with",
    "replace it with your own",
    "replace this with your own",
];

/// The searchers of each list, built once: building a searcher per line and cue cost more
/// than the search itself.
static EXAMPLE_FINDERS: LazyLock<Vec<Finder<'static>>> = LazyLock::new(|| finders(EXAMPLE_CUES));
static GENERATE_FINDERS: LazyLock<Vec<Finder<'static>>> =
    LazyLock::new(|| finders(GENERATE_YOUR_OWN));

fn finders(cues: &'static [&'static str]) -> Vec<Finder<'static>> {
    cues.iter().map(|cue| Finder::new(cue.as_bytes())).collect()
}

/// How many lines above a value an example cue still introduces it.
const CUE_LINES_BEFORE: usize = 6;
/// How many lines below a "generate your own" phrase its examples may sit.
const GENERATE_LINES_AFTER: usize = 40;

/// True when the value starting at byte `at` of `text` is introduced as an example: a cue in
/// prose on its own line (outside the value) or on one of the few lines above it, or a
/// "generate your own" phrase not far above it.
pub fn introduced_as_example(text: &[u8], at: usize, value_len: usize) -> bool {
    let at = at.min(text.len());
    let line_start = memchr::memrchr(b'\n', &text[..at]).map_or(0, |i| i + 1);
    let line_end = memchr::memchr(b'\n', &text[at..]).map_or(text.len(), |i| at + i);
    let after_value = (at + value_len).min(line_end);
    let own_line = [&text[line_start..at], &text[after_value..line_end]];
    if own_line.iter().any(|part| has_cue(part, &EXAMPLE_FINDERS)) {
        return true;
    }
    let mut end = line_start;
    for n in 0..GENERATE_LINES_AFTER {
        if end == 0 {
            break;
        }
        let start = memchr::memrchr(b'\n', &text[..end - 1]).map_or(0, |i| i + 1);
        let line = &text[start..end - 1];
        if (n < CUE_LINES_BEFORE && has_cue(line, &EXAMPLE_FINDERS))
            || has_cue(line, &GENERATE_FINDERS)
        {
            return true;
        }
        // A new section of a document starts a new context.
        if is_heading(line) {
            break;
        }
        end = start;
    }
    false
}

/// A Markdown heading (`## Staging`) or a reStructuredText underline (`=====`).
fn is_heading(line: &[u8]) -> bool {
    let t = line.trim_ascii();
    let hashes = t.iter().take_while(|b| **b == b'#').count();
    let markdown =
        (1..=6).contains(&hashes) && t.get(hashes) == Some(&b' ') && t.len() > hashes + 1;
    let underline = t.len() >= 3 && t.iter().all(|b| matches!(b, b'=' | b'-' | b'~' | b'^'));
    markdown || underline
}

/// Whether `line` holds one of `cues` as words (not inside an identifier: `example_key`,
/// `EXAMPLE_TOKEN` and `samples/` are names and paths, which placeholder checks judge).
fn has_cue(line: &[u8], cues: &[Finder<'static>]) -> bool {
    if line.len() > 4096 {
        return false;
    }
    let lower = line.to_ascii_lowercase();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'/';
    cues.iter().any(|finder| {
        let cue = finder.needle();
        finder.find_iter(&lower).any(|i| {
            let before = i.checked_sub(1).map(|j| lower[j]);
            let after = lower.get(i + cue.len()).copied();
            // `examples` and `sampled` are still the word; `counterexample` is not a cue.
            !before.is_some_and(word)
                && !after.is_some_and(|b| word(b) && !matches!(b, b's' | b'd'))
                && is_prose_around(&lower, i)
        })
    })
}

/// A cue counts in prose (a comment, a docstring, a paragraph), not as a value in code:
/// some words of letters around it.
fn is_prose_around(line: &[u8], at: usize) -> bool {
    let words = line
        .split(|b| *b == b' ' || *b == b'\t')
        .filter(|w| {
            w.len() >= 2
                && w.iter()
                    .all(|b| b.is_ascii_alphabetic() || b",.:;".contains(b))
        })
        .count();
    words >= 2 && at < line.len()
}

/// Extensions of documentation files.
const DOC_EXTENSIONS: &[&str] = &[".md", ".markdown", ".rst", ".adoc", ".txt", ".ipynb"];

/// Whether `path` is a documentation file by its name.
pub fn is_doc_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    DOC_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Drops generic findings in documentation whose value appears in two or more documentation
/// files: a token the docs repeat is their published example, not someone's key. Returns how
/// many were dropped.
pub fn drop_repeated_in_docs(findings: &mut Vec<crate::finding::Finding>) -> usize {
    use std::collections::{HashMap, HashSet};
    let in_docs = |f: &crate::finding::Finding| f.hit.generic && is_doc_path(&f.path);
    let mut files: HashMap<&str, HashSet<&str>> = HashMap::new();
    for f in findings.iter().filter(|f| in_docs(f)) {
        files.entry(&f.hit.secret).or_default().insert(&f.path);
    }
    let repeated: HashSet<String> = files
        .into_iter()
        .filter(|(_, paths)| paths.len() >= 2)
        .map(|(secret, _)| secret.to_string())
        .collect();
    let before = findings.len();
    findings.retain(|f| !(in_docs(f) && repeated.contains(&f.hit.secret)));
    before - findings.len()
}

#[cfg(test)]
mod tests {
    use super::introduced_as_example;

    fn judged(text: &str, value: &str) -> bool {
        let at = text.find(value).expect("value in text");
        introduced_as_example(text.as_bytes(), at, value.len())
    }

    #[test]
    fn values_introduced_as_examples_are_recognised() {
        let v = "Rk2pQ9zXvL7mWc4T";
        for text in [
            format!("For example, in settings.py:\n\n    SECRET_KEY = '{v}'\n"),
            format!("Set a key, e.g. `SECRET_KEY = \"{v}\"`.\n"),
            format!("\"\"\"Sign with a key such as\n\n    token = \"{v}\"\n\"\"\"\n"),
            format!("SECRET_KEY = \"{v}\"  # sample value\n"),
            format!(
                "Generate your own key with `openssl rand -hex 32`.\n\n```\nAPI_KEY={v}\n```\n"
            ),
        ] {
            assert!(judged(&text, v), "{text}");
        }
    }

    #[test]
    fn values_in_code_and_names_that_merely_contain_a_cue_are_not() {
        let v = "Rk2pQ9zXvL7mWc4T";
        for text in [
            format!("SECRET_KEY = \"{v}\"\n"),
            format!("EXAMPLE_BUCKET = 'x'\nSECRET_KEY = \"{v}\"\n"),
            format!("samples_dir = 'data/samples'\nAPI_TOKEN = \"{v}\"\n"),
            format!("# the counterexample below\nAPI_TOKEN = \"{v}\"\n"),
            format!(
                "# For example:\na = 1\nb = 2\nc = 3\nd = 4\ne = 5\nf = 6\nAPI_TOKEN = \"{v}\"\n"
            ),
            format!("Generate your own key.\n\n## Staging\n\nIt runs with API_TOKEN={v} now.\n"),
        ] {
            assert!(!judged(&text, v), "{text}");
        }
    }
}
