//! Secret names: the name template, sanitising, and the rules Secrets Manager imposes.
//!
//! A name holds only `[A-Za-z0-9/_+=.@-]`, is at most 512 characters, and never ends in `-`
//! followed by exactly six characters: Secrets Manager appends such a suffix to every ARN, and
//! a name that already looks like one makes partial-ARN lookups ambiguous.

use anyhow::{bail, Result};

/// Longest secret name Secrets Manager accepts.
pub const MAX_NAME_LEN: usize = 512;

/// Placeholders the template may use.
pub const PLACEHOLDERS: &[&str] = &["prefix", "repo", "path", "rule", "line", "fingerprint"];

/// Values for one finding's placeholders.
pub struct Fields<'a> {
    pub prefix: &'a str,
    pub repo: &'a str,
    pub path: &'a str,
    pub rule: &'a str,
    pub line: usize,
    pub fingerprint: &'a str,
}

/// A parsed name template: literal text and placeholders.
#[derive(Debug, Clone)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
enum Part {
    Lit(String),
    Field(String),
}

pub fn valid_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "/_+=.@-".contains(c)
}

impl Template {
    /// Parses and checks a template: known placeholders only, balanced braces, and literal
    /// text made of valid name characters (literals are never rewritten silently).
    pub fn parse(s: &str) -> Result<Template> {
        let mut parts = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            match rest.find(['{', '}']) {
                Some(i) if rest.as_bytes()[i] == b'{' => {
                    if i > 0 {
                        parts.push(Part::Lit(rest[..i].to_string()));
                    }
                    let Some(end) = rest[i..].find('}') else {
                        bail!("invalid --name-template {s:?}: unclosed '{{'");
                    };
                    let field = &rest[i + 1..i + end];
                    if !PLACEHOLDERS.contains(&field) {
                        bail!(
                            "invalid --name-template {s:?}: unknown placeholder {{{field}}} (known: {})",
                            PLACEHOLDERS
                                .iter()
                                .map(|p| format!("{{{p}}}"))
                                .collect::<Vec<_>>()
                                .join(" ")
                        );
                    }
                    parts.push(Part::Field(field.to_string()));
                    rest = &rest[i + end + 1..];
                }
                Some(_) => bail!("invalid --name-template {s:?}: unmatched '}}'"),
                None => {
                    parts.push(Part::Lit(rest.to_string()));
                    rest = "";
                }
            }
        }
        for p in &parts {
            if let Part::Lit(l) = p {
                if let Some(c) = l.chars().find(|&c| !valid_char(c)) {
                    bail!(
                        "invalid --name-template {s:?}: character {c:?} is not allowed in secret names (allowed: A-Z a-z 0-9 / _ + = . @ -)"
                    );
                }
            }
        }
        if !parts.iter().any(|p| matches!(p, Part::Field(_))) {
            bail!("invalid --name-template {s:?}: it has no placeholder, so every secret would get the same name");
        }
        Ok(Template { parts })
    }

    /// Renders the template for one finding; placeholder values are sanitised, the result
    /// is made valid (see [`finish`]). Length is checked later, with the other limits.
    pub fn render(&self, f: &Fields<'_>) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(l) => out.push_str(l),
                Part::Field(name) => {
                    let v = match name.as_str() {
                        "prefix" => sanitize(f.prefix),
                        "repo" => sanitize(f.repo),
                        "path" => sanitize(f.path),
                        "rule" => sanitize(f.rule),
                        "line" => f.line.to_string(),
                        _ => sanitize(f.fingerprint),
                    };
                    out.push_str(&v);
                }
            }
        }
        finish(&out)
    }
}

/// Replaces every character not allowed in a name with `_`.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if valid_char(c) { c } else { '_' })
        .collect()
}

/// Tidies a rendered name: no empty path segments (`a//b`), no leading or trailing `/`, and no
/// ARN-like `-XXXXXX` ending (the last `-` becomes `_`).
pub fn finish(name: &str) -> String {
    let mut s: String = name
        .split('/')
        .filter(|seg| !seg.is_empty())
        .collect::<Vec<_>>()
        .join("/");
    if s.is_empty() {
        s = "secret".to_string();
    }
    if looks_like_arn_suffix(&s) {
        let i = s.len() - 7;
        s.replace_range(i..i + 1, "_");
    }
    s
}

/// True when the name ends in `-` and exactly six characters after it (no further `-`).
pub fn looks_like_arn_suffix(name: &str) -> bool {
    let chars: Vec<char> = name.chars().collect();
    let n = chars.len();
    n >= 7 && chars[n - 7] == '-' && chars[n - 6..].iter().all(|&c| c != '-')
}

/// Makes a name distinct by appending the finding's short fingerprint.
pub fn disambiguate(name: &str, fingerprint: &str) -> String {
    let short: String = fingerprint.chars().take(8).collect();
    finish(&format!("{name}-{short}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(path: &'a str, rule: &'a str) -> Fields<'a> {
        Fields {
            prefix: "keysweep",
            repo: "my repo",
            path,
            rule,
            line: 7,
            fingerprint: "0123456789abcdef",
        }
    }

    #[test]
    fn renders_and_sanitises() {
        let t = Template::parse("{prefix}/{repo}/{path}/{rule}").unwrap();
        assert_eq!(
            t.render(&fields("src/conf ig.py", "aws-access-key-id")),
            "keysweep/my_repo/src/conf_ig.py/aws-access-key-id"
        );
    }

    #[test]
    fn never_ends_like_an_arn_suffix() {
        let t = Template::parse("{prefix}/{rule}").unwrap();
        let n = t.render(&fields("a", "foo-abcdef"));
        assert_eq!(n, "keysweep/foo_abcdef");
        assert!(!looks_like_arn_suffix(&n));
        assert!(looks_like_arn_suffix("x/foo-abcdef"));
        assert!(!looks_like_arn_suffix("x/foo-abcdefg"));
        assert!(!looks_like_arn_suffix("x/foo-abcde"));
        assert!(!looks_like_arn_suffix(&disambiguate("x/foo", "0123456789")));
    }

    #[test]
    fn bad_templates_are_refused() {
        assert!(Template::parse("{prefix}/{nope}").is_err());
        assert!(Template::parse("{prefix").is_err());
        assert!(Template::parse("{prefix} x").is_err());
        assert!(Template::parse("fixed").is_err());
        assert!(Template::parse("a/{line}/{fingerprint}").is_ok());
    }

    #[test]
    fn empty_segments_are_dropped() {
        assert_eq!(finish("/a//b/"), "a/b");
    }
}
