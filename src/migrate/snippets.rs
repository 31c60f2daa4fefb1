//! Replacement code: for each file a secret was found in, code in that file's language that
//! reads its secrets at run time (real names and JSON keys), from the language's template.

use super::template::{self, Fill, Template};
use super::{Secret, Site};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lang {
    Python,
    Java,
    Javascript,
    Typescript,
    Go,
    Csharp,
    Ruby,
    Php,
    Rust,
    Shell,
    CloudformationYaml,
    CloudformationJson,
    Terraform,
    Kubernetes,
    Config,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::Java => "java",
            Lang::Javascript => "javascript",
            Lang::Typescript => "typescript",
            Lang::Go => "go",
            Lang::Csharp => "csharp",
            Lang::Ruby => "ruby",
            Lang::Php => "php",
            Lang::Rust => "rust",
            Lang::Shell => "shell",
            Lang::CloudformationYaml => "cloudformation-yaml",
            Lang::CloudformationJson => "cloudformation-json",
            Lang::Terraform => "terraform",
            Lang::Kubernetes => "kubernetes",
            Lang::Config => "config",
        }
    }
}

/// The language of a file, from its extension and, for YAML/JSON, its content.
pub fn detect(path: &str, content: Option<&str>) -> Lang {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let ext = Path::new(&name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_string();
    let text = content.unwrap_or("");
    let cfn = text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && text.contains("AWS::"));
    let k8s = text.contains("apiVersion") && text.contains("kind");
    match ext.as_str() {
        "py" | "pyw" => Lang::Python,
        "java" | "kt" | "kts" | "scala" | "groovy" => Lang::Java,
        "js" | "mjs" | "cjs" | "jsx" => Lang::Javascript,
        "ts" | "tsx" | "mts" | "cts" => Lang::Typescript,
        "go" => Lang::Go,
        "cs" => Lang::Csharp,
        "rb" => Lang::Ruby,
        "php" => Lang::Php,
        "rs" => Lang::Rust,
        "sh" | "bash" | "zsh" | "ksh" => Lang::Shell,
        "tf" | "tfvars" | "hcl" => Lang::Terraform,
        "yaml" | "yml" | "template" if cfn => Lang::CloudformationYaml,
        "json" if cfn => Lang::CloudformationJson,
        "yaml" | "yml" if k8s => Lang::Kubernetes,
        _ if name == "dockerfile" => Lang::Config,
        _ => Lang::Config,
    }
}

/// One snippet per file (per site for templates that do not merge): the code that reads
/// every secret found in it, its declarations once.
#[derive(Debug, Clone, Serialize)]
pub struct Snippet {
    pub path: String,
    /// The first line it replaces.
    pub line: usize,
    pub language: Lang,
    /// The Lambda form (the Parameters and Secrets extension).
    pub lambda: bool,
    /// The code uses a caching client (which calls DescribeSecret as well).
    pub caching: bool,
    pub install: String,
    /// What it reads: one entry per literal replaced.
    pub reads: Vec<Read>,
    /// Code that parses on its own (Java: a class body; Go: without its package clause).
    pub code: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Read {
    pub line: usize,
    pub secret_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The accessor or variable the snippet defines for it.
    pub var: String,
}

/// True when the file looks like a Lambda handler (Python or Node.js).
pub fn is_lambda(lang: Lang, text: &str) -> bool {
    match lang {
        Lang::Python => {
            text.contains("def lambda_handler(") || text.contains("def handler(event, context)")
        }
        Lang::Javascript | Lang::Typescript => {
            text.contains("exports.handler")
                || text.contains("export const handler")
                || text.contains("export async function handler")
        }
        _ => false,
    }
}

/// The language, Lambda-ness and template of a file.
pub fn template_for(path: &str, text: Option<&str>) -> (Lang, bool, &'static Template) {
    let lang = detect(path, text);
    let lambda = is_lambda(lang, text.unwrap_or(""));
    (lang, lambda, template::of(lang, lambda))
}

/// The snippets for these secrets (the Secrets Manager route only). `content` gives a
/// file's text when on disk.
pub fn for_secrets(secrets: &[&Secret], content: &dyn Fn(&str) -> Option<String>) -> Vec<Snippet> {
    // path -> (secret, site) in scan order
    let mut by_file: BTreeMap<String, Vec<(&Secret, &Site)>> = BTreeMap::new();
    for s in secrets.iter().filter(|s| s.route.stored()) {
        for site in &s.sites {
            by_file
                .entry(site.path.clone())
                .or_default()
                .push((s, site));
        }
    }
    let mut out = Vec::new();
    for (path, mut sites) in by_file {
        sites.sort_by_key(|(_, site)| site.line);
        let text = content(&path);
        let (lang, lambda, t) = template_for(&path, text.as_deref());
        let esm = text.as_deref().is_some_and(|x| is_esm(&path, x));
        // One reader per (secret, key); distinct variable names within the file.
        let mut reads: Vec<Read> = Vec::new();
        let mut readers: Vec<String> = Vec::new();
        for (s, site) in &sites {
            if reads
                .iter()
                .any(|r| r.secret_name == s.name && r.key == site.key)
            {
                continue;
            }
            let base = ident(site.key.as_deref());
            let mut var = base.clone();
            let mut n = 2;
            while reads.iter().any(|r| r.var == var) {
                var = format!("{base}_{n}");
                n += 1;
            }
            let at = format!("{}:{}", site.path, site.line);
            let ecs = ecs_from(s, site.key.as_deref());
            let f = Fill {
                name: &s.name,
                key: site.key.as_deref(),
                var: &var,
                at: &at,
                ecs_from: &ecs,
            };
            readers.push(t.read(&f));
            reads.push(Read {
                line: site.line,
                secret_name: s.name.clone(),
                key: site.key.clone(),
                var,
            });
        }
        let snippet = |reads: Vec<Read>, code: String| Snippet {
            path: path.clone(),
            line: reads[0].line,
            language: lang,
            lambda,
            caching: t.caching,
            install: t.install.clone(),
            reads,
            code,
        };
        if !t.merge {
            for (r, code) in reads.into_iter().zip(readers) {
                out.push(snippet(vec![r], code));
            }
            continue;
        }
        let mut code = String::new();
        let c = comment(lang);
        let lines: Vec<String> = reads
            .iter()
            .map(|r| format!("{} ({})", r.line, r.var))
            .collect();
        code.push_str(&format!(
            "{c} {path}: replace the literal{} on line {} with the reader{} below ({})\n",
            if reads.len() == 1 { "" } else { "s" },
            lines.join(", "),
            if reads.len() == 1 { "" } else { "s" },
            t.install
        ));
        let imports = t.section("imports");
        if !imports.is_empty() {
            code.push_str(&format!("import (\n{imports})\n\n"));
        }
        let setup = t.setup(esm);
        if !setup.is_empty() {
            code.push_str(setup);
            code.push('\n');
        }
        code.push_str(&readers.join("\n"));
        // PHP: the header comment goes after the opening tag.
        if lang == Lang::Php {
            if let Some(i) = code.find("<?php\n") {
                code = format!("<?php\n{}{}", &code[..i], &code[i + "<?php\n".len()..]);
            }
        }
        out.push(snippet(reads, code));
    }
    out
}

/// ECS `valueFrom`: the secret's ARN once it exists (with `:key::` for a JSON key); before,
/// its name (a plain string), or a marked place for the ARN `--apply` prints.
fn ecs_from(s: &Secret, key: Option<&str>) -> String {
    match (s.action.arn().filter(|a| a.starts_with("arn:")), key) {
        (Some(arn), Some(k)) => format!("{arn}:{k}::"),
        (Some(arn), None) => arn.to_string(),
        (None, None) => s.name.clone(),
        (None, Some(k)) => format!("<the ARN of {} that --apply prints>:{k}::", s.name),
    }
}

fn comment(lang: Lang) -> &'static str {
    match lang {
        Lang::Java
        | Lang::Javascript
        | Lang::Typescript
        | Lang::Go
        | Lang::Csharp
        | Lang::Rust
        | Lang::Php => "//",
        _ => "#",
    }
}

/// An ES module: `.mjs`, TypeScript, or a file with top-level `import`/`export`.
pub fn is_esm(path: &str, text: &str) -> bool {
    let p = path.to_ascii_lowercase();
    if p.ends_with(".mjs") || p.ends_with(".ts") || p.ends_with(".tsx") || p.ends_with(".mts") {
        return true;
    }
    if p.ends_with(".cjs") {
        return false;
    }
    text.lines()
        .any(|l| l.starts_with("import ") || l.starts_with("export "))
}

/// A variable name from a JSON key (keys are `[A-Za-z0-9_]`).
fn ident(key: Option<&str>) -> String {
    let k = key.unwrap_or("secret");
    let mut s: String = k
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_languages() {
        assert_eq!(detect("a/b.py", None), Lang::Python);
        assert_eq!(
            detect("t.yaml", Some("AWSTemplateFormatVersion: x")),
            Lang::CloudformationYaml
        );
        assert_eq!(
            detect("d.yaml", Some("apiVersion: v1\nkind: Pod")),
            Lang::Kubernetes
        );
        assert_eq!(detect(".env", None), Lang::Config);
        assert_eq!(detect("main.tf", None), Lang::Terraform);
    }

    fn secret(name: &str, path: &str, line: usize) -> Secret {
        Secret {
            name: name.into(),
            value: String::new(),
            kind: super::super::Kind::Token,
            keys: vec!["token".into()],
            sites: vec![Site {
                path: path.into(),
                line,
                span: None,
                line_text: String::new(),
                key: Some("token".into()),
                rule_id: "r".into(),
                fingerprint: "f".into(),
                commit: None,
            }],
            tags: Vec::new(),
            description: String::new(),
            kms_key_id: None,
            token: String::new(),
            action: super::super::Action::Create,
            credential: crate::rules::CredentialKind::AccessToken,
            route: super::super::route::Route::SecretsManager,
            caching: false,
            kms_key_arn: None,
            after: Vec::new(),
        }
    }

    #[test]
    fn two_secrets_in_one_file_share_one_setup_and_get_distinct_readers() {
        let (a, b) = (secret("s/a", "app.js", 3), secret("s/b", "app.js", 9));
        let c = secret("s/c", "other.py", 1);
        let out = for_secrets(&[&a, &b, &c], &|_| None);
        assert_eq!(out.len(), 2);
        let js = &out[0];
        assert_eq!(js.path, "app.js");
        let vars: Vec<&str> = js.reads.iter().map(|r| r.var.as_str()).collect();
        assert_eq!(vars, ["token", "token_2"]);
        assert_eq!(
            js.code.matches("const secretsClient").count(),
            1,
            "{}",
            js.code
        );
        assert!(
            js.code
                .contains("const token = () => secretValue(\"s/a\", \"token\");"),
            "{}",
            js.code
        );
        assert!(
            js.code
                .contains("const token2 = () => secretValue(\"s/b\", \"token\");"),
            "{}",
            js.code
        );
        assert!(out[1].caching, "Python reads through the caching client");
    }
}
