//! Language templates: how each language reads a secret, written once as data
//! (`templates/<lang>.tpl`) and used by both the snippets and `--patch`, so the two cannot
//! drift. A template has sections (`=== name`):
//!
//! - `meta`: `caching` (the code uses a caching client, which calls DescribeSecret before
//!   GetSecretValue, so the policy must allow both), `install`, `patch` (where `--patch`
//!   puts the setup: `after-imports`, `class-body`, `esm-after-imports`, `in-place` for an
//!   expression needing no setup, `none`), `no-patch` (why not, for `none`), `merge`
//!   (`no`: one snippet per site);
//! - `imports`, `setup` (`setup-esm`): once per file: the one client of the process;
//! - `read` / `read-plain`: per secret and key, for a JSON key or a plain string;
//! - `expr` / `expr-plain`: the expression `--patch` puts where the literal was.
//!
//! Placeholders are `@@NAME@@` (secret name), `@@KEY@@`, `@@VAR@@` (snake case),
//! `@@CVAR@@` (camel case), `@@UPPER@@`, `@@LOWER@@`, `@@DASHED@@`, `@@AT@@` (path:line),
//! `@@ECS_FROM@@`; `@@` never occurs in code of these languages otherwise.

use super::snippets::Lang;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// Where `--patch` puts a template's setup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insert {
    AfterImports,
    ClassBody,
    EsmAfterImports,
    InPlace,
    None,
}

#[derive(Debug)]
pub struct Template {
    pub caching: bool,
    pub install: String,
    pub insert: Insert,
    /// Why `--patch` leaves this language's literals alone (`no-patch`), when it does.
    pub no_patch: Option<String>,
    pub merge: bool,
    sections: BTreeMap<String, String>,
}

/// The values a template's placeholders stand for.
pub struct Fill<'a> {
    pub name: &'a str,
    pub key: Option<&'a str>,
    /// The variable name, snake case, already made unique within its file.
    pub var: &'a str,
    pub at: &'a str,
    pub ecs_from: &'a str,
}

impl Template {
    fn parse(text: &str) -> Template {
        let mut sections = BTreeMap::new();
        let mut current: Option<(String, String)> = None;
        for line in text.split_inclusive('\n') {
            if let Some(name) = line.strip_prefix("=== ") {
                if let Some((n, b)) = current.take() {
                    sections.insert(n, b);
                }
                current = Some((name.trim().to_string(), String::new()));
            } else if let Some((_, body)) = current.as_mut() {
                body.push_str(line);
            }
        }
        if let Some((n, b)) = current {
            sections.insert(n, b);
        }
        let meta: BTreeMap<String, String> = sections
            .get("meta")
            .map(|m| {
                m.lines()
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let insert = match meta.get("patch").map(String::as_str) {
            Some("after-imports") => Insert::AfterImports,
            Some("class-body") => Insert::ClassBody,
            Some("esm-after-imports") => Insert::EsmAfterImports,
            Some("in-place") => Insert::InPlace,
            _ => Insert::None,
        };
        Template {
            caching: meta.get("caching").is_some_and(|v| v == "yes"),
            install: meta.get("install").cloned().unwrap_or_default(),
            insert,
            no_patch: meta.get("no-patch").cloned(),
            merge: meta.get("merge").is_none_or(|v| v != "no"),
            sections,
        }
    }

    /// A section as written (empty when the template has none).
    pub fn section(&self, name: &str) -> &str {
        self.sections.get(name).map_or("", String::as_str)
    }

    /// The per-secret reader, filled.
    pub fn read(&self, f: &Fill<'_>) -> String {
        fill(
            self.section(if f.key.is_some() {
                "read"
            } else {
                "read-plain"
            }),
            f,
        )
    }

    /// The in-place expression, filled (None when the template has none).
    pub fn expr(&self, f: &Fill<'_>) -> Option<String> {
        let e = self.section(if f.key.is_some() {
            "expr"
        } else {
            "expr-plain"
        });
        (!e.is_empty()).then(|| fill(e.trim_end_matches('\n'), f))
    }

    /// The setup for an ES module, when it differs from the CommonJS one.
    pub fn setup(&self, esm: bool) -> &str {
        if esm && self.sections.contains_key("setup-esm") {
            self.section("setup-esm")
        } else {
            self.section("setup")
        }
    }
}

pub fn fill(text: &str, f: &Fill<'_>) -> String {
    let upper = f.var.to_ascii_uppercase();
    text.replace("@@NAME@@", f.name)
        .replace("@@KEY@@", f.key.unwrap_or(""))
        .replace("@@VAR@@", f.var)
        .replace("@@CVAR@@", &camel(f.var))
        .replace("@@UPPER@@", &upper)
        .replace("@@LOWER@@", &f.var.to_ascii_lowercase())
        .replace("@@DASHED@@", &f.var.replace('_', "-").to_ascii_lowercase())
        .replace("@@AT@@", f.at)
        .replace("@@ECS_FROM@@", f.ecs_from)
}

pub fn camel(s: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in s.chars() {
        if c == '_' {
            up = !out.is_empty();
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

macro_rules! templates {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("templates/", $file, ".tpl")))),*]
    };
}

const FILES: &[(&str, &str)] = templates![
    "python",
    "python-lambda",
    "java",
    "javascript",
    "javascript-lambda",
    "typescript",
    "go",
    "csharp",
    "ruby",
    "php",
    "rust",
    "shell",
    "config",
    "cloudformation-yaml",
    "cloudformation-json",
    "terraform",
    "kubernetes",
];

fn all() -> &'static BTreeMap<&'static str, Template> {
    static ALL: OnceLock<BTreeMap<&'static str, Template>> = OnceLock::new();
    ALL.get_or_init(|| {
        FILES
            .iter()
            .map(|(n, t)| (*n, Template::parse(t)))
            .collect()
    })
}

/// The template for a language; `lambda` picks the Parameters and Secrets extension form
/// where there is one (Python, JavaScript).
pub fn of(lang: Lang, lambda: bool) -> &'static Template {
    let name = match (lang, lambda) {
        (Lang::Python, true) => "python-lambda",
        (Lang::Javascript, true) => "javascript-lambda",
        _ => lang.as_str(),
    };
    &all()[name]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_a_complete_template() {
        for (name, text) in FILES {
            let t = Template::parse(text);
            assert!(!t.section("read").is_empty(), "{name}: no read section");
            assert!(
                !t.section("read-plain").is_empty(),
                "{name}: no read-plain section"
            );
            assert!(!t.install.is_empty(), "{name}: no install line");
            if matches!(
                t.insert,
                Insert::AfterImports
                    | Insert::ClassBody
                    | Insert::EsmAfterImports
                    | Insert::InPlace
            ) {
                assert!(!t.section("expr").is_empty(), "{name}: patched but no expr");
            }
            for (s, body) in &t.sections {
                let unknown = body.split("@@").skip(1).step_by(2).find(|p| {
                    ![
                        "NAME", "KEY", "VAR", "CVAR", "UPPER", "LOWER", "DASHED", "AT", "ECS_FROM",
                    ]
                    .contains(p)
                });
                assert!(
                    unknown.is_none(),
                    "{name} [{s}]: unknown placeholder {unknown:?}"
                );
            }
        }
        for lang in [
            Lang::Python,
            Lang::Java,
            Lang::Go,
            Lang::Terraform,
            Lang::Config,
        ] {
            let _ = of(lang, false);
        }
        assert!(of(Lang::Python, false).caching && of(Lang::Java, false).caching);
        assert!(
            !of(Lang::Python, true).caching,
            "the Lambda extension is not a caching client"
        );
    }

    #[test]
    fn fill_names_every_placeholder() {
        let f = Fill {
            name: "a/b",
            key: Some("api_key"),
            var: "api_key",
            at: "x.py:3",
            ecs_from: "a/b",
        };
        assert_eq!(
            fill("@@CVAR@@ @@UPPER@@ @@DASHED@@ @@NAME@@:@@KEY@@ @@AT@@", &f),
            "apiKey API_KEY api-key a/b:api_key x.py:3"
        );
    }
}
