//! Findings → secrets: pairing AWS key ids with their secret keys, parsing connection strings,
//! one secret per distinct value, names from the template (distinct, valid), tags,
//! descriptions, request tokens, and the Secrets Manager limits, all before any call.

use super::naming::{self, Fields, Template};
use super::values::{self, Db};
use super::{
    Action, Kind, Secret, Site, MAX_DESCRIPTION, MAX_TAGS, MAX_TAG_KEY, MAX_TAG_VALUE,
    MAX_VALUE_BYTES,
};
use crate::finding::{Finding, Hit};
use crate::rules::CredentialKind;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How far (in lines) an AWS secret key may be from its key id to be paired with it.
pub const PAIR_DISTANCE: usize = 5;

pub struct Options<'a> {
    pub template: &'a Template,
    pub prefix: &'a str,
    /// The scanned root directory's name.
    pub repo: &'a str,
    pub plain: bool,
    /// `--tag KEY=VALUE`, already split.
    pub extra_tags: &'a [(String, String)],
    pub kms_key_id: Option<&'a str>,
    /// The JSON key a lone secret of a finding is stored under: its rule's `store_key`
    /// (`Rule::store_key`; a hit names its rule by index into the scan's rule set).
    pub store_key: &'a dyn Fn(&Hit) -> String,
}

/// Splits `KEY=VALUE`.
pub fn parse_tag(s: &str) -> anyhow::Result<(String, String)> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => anyhow::bail!("invalid --tag {s:?}: expected KEY=VALUE"),
    }
}

/// Builds the secrets for the chosen findings. `chosen[i]` says whether `all[i]` was picked
/// by the filters; unchosen findings still serve as partners (an AWS secret key next to a
/// chosen key id). Errors are every refused secret, each one line, without values.
pub fn build(
    all: &[Finding],
    chosen: &[bool],
    opts: &Options<'_>,
) -> Result<Vec<Secret>, Vec<String>> {
    let groups = group(all);
    let mut drafts: Vec<Draft> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut claimed: Vec<(String, usize, (usize, usize))> = Vec::new();
    // Structured secrets first, so a token rule matching inside a connection string or key
    // pair does not become a second secret for the same literal.
    let mut ordered: Vec<(bool, Draft)> = Vec::new();
    for g in &groups {
        if !g.iter().any(|&i| chosen[i]) {
            continue;
        }
        let d = draft(all, g, opts);
        ordered.push((d.kind != Kind::Token && d.kind != Kind::Plain, d));
    }
    let (structured, mut tokens): (Vec<_>, Vec<_>) = ordered.into_iter().partition(|(s, _)| *s);
    // A provider rule names a token better than a generic one matching the same literal.
    tokens.sort_by_key(|(_, d)| d.generic);
    for (is_structured, d) in structured.into_iter().chain(tokens) {
        let d_sites: Vec<&Site> = d.sites.iter().collect();
        if !is_structured
            && d_sites.iter().all(|s| {
                s.span.is_some_and(|sp| {
                    claimed
                        .iter()
                        .any(|(p, l, c)| *p == s.path && *l == s.line && sp.0 < c.1 && c.0 < sp.1)
                })
            })
        {
            continue;
        }
        for s in &d.sites {
            if let Some(sp) = s.span {
                claimed.push((s.path.clone(), s.line, sp));
            }
        }
        match index.get(&d.dedup) {
            Some(&j) => {
                let existing = &mut drafts[j];
                for s in d.sites {
                    let dup = existing
                        .sites
                        .iter()
                        .any(|e| e.path == s.path && e.line == s.line && e.span == s.span);
                    if !dup {
                        existing.sites.push(s);
                    }
                }
            }
            None => {
                index.insert(d.dedup.clone(), drafts.len());
                drafts.push(d);
            }
        }
    }
    // Keep the scan's order (path, line, column) for names and output; the rule id only
    // breaks ties between spans that could not be located.
    drafts.sort_by(|a, b| {
        let (x, y) = (&a.sites[0], &b.sites[0]);
        (&x.path, x.line, x.span, &x.rule_id).cmp(&(&y.path, y.line, y.span, &y.rule_id))
    });

    let names = assign_names(&drafts, opts);
    let mut errors = Vec::new();
    let mut secrets = Vec::new();
    for (d, name) in drafts.into_iter().zip(names) {
        let first = &d.sites[0];
        let where_ = format!("{}:{}", first.path, first.line);
        let mut tags = vec![
            ("keysweep:rule".to_string(), tag_value(&first.rule_id)),
            ("keysweep:path".to_string(), tag_value(&first.path)),
            ("keysweep:repo".to_string(), tag_value(opts.repo)),
            (
                super::FINGERPRINT_TAG.to_string(),
                tag_value(&first.fingerprint),
            ),
        ];
        for (k, v) in opts.extra_tags {
            tags.retain(|(ek, _)| ek != k);
            tags.push((k.clone(), v.clone()));
        }
        let mut errs = Vec::new();
        if name.len() > naming::MAX_NAME_LEN {
            errs.push(format!(
                "name is {} characters; Secrets Manager allows at most {} (shorten --name-template or --prefix)",
                name.len(),
                naming::MAX_NAME_LEN
            ));
        }
        if d.value.len() > MAX_VALUE_BYTES {
            errs.push(format!(
                "value is {} bytes; Secrets Manager allows at most {MAX_VALUE_BYTES} bytes",
                d.value.len()
            ));
        }
        if tags.len() > MAX_TAGS {
            errs.push(format!(
                "{} tags; Secrets Manager allows at most {MAX_TAGS}",
                tags.len()
            ));
        }
        for (k, v) in &tags {
            if k.chars().count() > MAX_TAG_KEY {
                errs.push(format!(
                    "tag key {:?} is {} characters; at most {MAX_TAG_KEY} allowed",
                    short(k),
                    k.chars().count()
                ));
            }
            if v.chars().count() > MAX_TAG_VALUE {
                errs.push(format!(
                    "tag {k} value is {} characters; at most {MAX_TAG_VALUE} allowed",
                    v.chars().count()
                ));
            }
            if k.to_ascii_lowercase().starts_with("aws:") {
                errs.push(format!("tag key {k:?}: the aws: prefix is reserved"));
            }
            if let Some(c) = k.chars().chain(v.chars()).find(|&c| !tag_char(c)) {
                errs.push(format!(
                    "tag {k:?}: character {c:?} is not allowed (letters, digits, spaces and _ . : / = + - @)"
                ));
            }
        }
        for e in errs {
            errors.push(format!("{where_} ({}): refused: {e}", first.rule_id));
        }
        let mut description = format!(
            "Moved out of {} by keysweep ({}, fingerprint {})",
            where_, first.rule_id, first.fingerprint
        );
        if description.len() > MAX_DESCRIPTION {
            description = format!("Moved out of source code by keysweep ({})", first.rule_id);
        }
        let token = request_token(&name, &d.value);
        secrets.push(Secret {
            name,
            value: d.value,
            kind: d.kind,
            keys: d.keys,
            sites: d.sites,
            tags,
            description,
            kms_key_id: opts.kms_key_id.map(str::to_string),
            token,
            action: Action::CreateNotChecked(String::new()),
            credential: d.credential,
            route: super::route::Route::SecretsManager,
            caching: false,
            kms_key_arn: None,
            after: Vec::new(),
        });
    }
    if errors.is_empty() {
        Ok(secrets)
    } else {
        Err(errors)
    }
}

fn short(s: &str) -> String {
    if s.chars().count() > 40 {
        format!("{}...", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

/// Tag values made from paths and rule ids: characters Secrets Manager refuses become `_`.
fn tag_value(s: &str) -> String {
    s.chars()
        .map(|c| if tag_char(c) { c } else { '_' })
        .collect()
}

/// A UUID-shaped, deterministic ClientRequestToken: the same name and value give the same
/// token, so a retried CreateSecret/PutSecretValue is idempotent.
pub fn request_token(name: &str, value: &str) -> String {
    let vh = Sha256::digest(value.as_bytes());
    let mut h = Sha256::new();
    h.update(b"keysweep-request-token/1\0");
    h.update(name.as_bytes());
    h.update([0]);
    h.update(vh);
    let x = hex::encode(&h.finalize()[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &x[..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

/// A secret before it has a name.
struct Draft {
    kind: Kind,
    /// The first finding's credential kind (the id's, for an AWS key pair).
    credential: CredentialKind,
    /// Found by a generic rule: yields the literal to a specific rule's draft.
    generic: bool,
    value: String,
    keys: Vec<String>,
    sites: Vec<Site>,
    /// Same key → same secret.
    dedup: String,
}

/// Groups finding indices: AWS key ids with their nearest secret key (same path and commit,
/// within PAIR_DISTANCE lines), everything else alone.
fn group(all: &[Finding]) -> Vec<Vec<usize>> {
    let mut used = HashSet::new();
    let mut groups = Vec::new();
    let same_place = |a: &Finding, b: &Finding| {
        a.path == b.path && a.commit.as_ref().map(|c| &c.id) == b.commit.as_ref().map(|c| &c.id)
    };
    for (i, f) in all.iter().enumerate() {
        if f.hit.kind != CredentialKind::AwsAccessKeyId || used.contains(&i) {
            continue;
        }
        let partner = all
            .iter()
            .enumerate()
            .filter(|(j, g)| {
                !used.contains(j)
                    && g.hit.kind == CredentialKind::AwsSecretAccessKey
                    && same_place(f, g)
                    && g.hit.line.abs_diff(f.hit.line) <= PAIR_DISTANCE
            })
            .min_by_key(|(j, g)| (g.hit.line.abs_diff(f.hit.line), *j))
            .map(|(j, _)| j);
        if let Some(j) = partner {
            used.insert(i);
            used.insert(j);
            groups.push(vec![i, j]);
        }
    }
    for i in 0..all.len() {
        if !used.contains(&i) {
            groups.push(vec![i]);
        }
    }
    groups.sort_by_key(|g| g[0]);
    groups
}

/// Byte range of the finding's secret (its first line) within its line.
fn secret_span(f: &Finding) -> Option<(usize, usize)> {
    let first = f.hit.secret.lines().next().unwrap_or("");
    if first.is_empty() || f.hit.secret.contains('\n') {
        return None;
    }
    let text = &f.hit.line_text;
    let by_col = text
        .char_indices()
        .nth(f.hit.column.saturating_sub(1))
        .map(|(i, _)| i)
        .filter(|&i| text[i..].starts_with(first));
    let start = by_col.or_else(|| text.find(first))?;
    Some((start, start + first.len()))
}

fn site(f: &Finding, span: Option<(usize, usize)>, key: Option<String>) -> Site {
    Site {
        path: f.path.clone(),
        line: f.hit.line,
        span,
        line_text: f.hit.line_text.clone(),
        key,
        rule_id: f.hit.rule_id.clone(),
        fingerprint: f.fingerprint.clone(),
        commit: f.commit.clone(),
    }
}

fn draft(all: &[Finding], g: &[usize], opts: &Options<'_>) -> Draft {
    if let [a, b] = g {
        let (id, sk) = (&all[*a], &all[*b]);
        // A pair is stored under the names the AWS SDKs and CLI read, whatever its rules'
        // `store_key`: that is what makes the stored secret usable as credentials.
        let id_key = CredentialKind::AwsAccessKeyId.default_store_key();
        let sk_key = CredentialKind::AwsSecretAccessKey.default_store_key();
        let mut m = Map::new();
        m.insert(id_key.into(), Value::String(id.hit.secret.clone()));
        m.insert(sk_key.into(), Value::String(sk.hit.secret.clone()));
        let value = Value::Object(m).to_string();
        return Draft {
            kind: Kind::AwsKeyPair,
            credential: id.hit.kind,
            generic: false,
            dedup: format!("json\0{value}"),
            value,
            keys: vec![id_key.into(), sk_key.into()],
            sites: vec![
                site(id, secret_span(id), Some(id_key.into())),
                site(sk, secret_span(sk), Some(sk_key.into())),
            ],
        };
    }
    let f = &all[g[0]];
    let span = secret_span(f);
    if let Some(db) = span.and_then(|sp| values::parse_connection(&f.hit.line_text, sp)) {
        return db_draft(f, &db);
    }
    if opts.plain {
        return Draft {
            kind: Kind::Plain,
            credential: f.hit.kind,
            generic: f.hit.generic,
            dedup: format!("token\0{}", f.hit.secret),
            value: f.hit.secret.clone(),
            keys: Vec::new(),
            sites: vec![site(f, span, None)],
        };
    }
    let key = (opts.store_key)(&f.hit);
    let mut m = Map::new();
    m.insert(key.clone(), Value::String(f.hit.secret.clone()));
    Draft {
        kind: Kind::Token,
        credential: f.hit.kind,
        generic: f.hit.generic,
        dedup: format!("token\0{}", f.hit.secret),
        value: Value::Object(m).to_string(),
        keys: vec![key.clone()],
        sites: vec![site(f, span, Some(key))],
    }
}

fn db_draft(f: &Finding, db: &Db) -> Draft {
    let m = db.to_json();
    let keys = m.keys().cloned().collect();
    let value = Value::Object(m).to_string();
    let span = (
        db.password_offset,
        db.password_offset + db.raw_password.len(),
    );
    Draft {
        kind: Kind::Database,
        credential: CredentialKind::DatabaseCredential,
        generic: false,
        dedup: format!("json\0{value}"),
        value,
        keys,
        sites: vec![site(f, Some(span), Some("password".into()))],
    }
}

/// Names from the template; the first secret (scan order) keeps a name several would get,
/// the others get their short fingerprint appended.
fn assign_names(drafts: &[Draft], opts: &Options<'_>) -> Vec<String> {
    let mut names: Vec<String> = drafts
        .iter()
        .map(|d| {
            let s = &d.sites[0];
            opts.template.render(&Fields {
                prefix: opts.prefix,
                repo: opts.repo,
                path: &s.path,
                rule: &s.rule_id,
                line: s.line,
                fingerprint: &s.fingerprint,
            })
        })
        .collect();
    loop {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut clash = Vec::new();
        for (i, n) in names.iter().enumerate() {
            if seen.insert(n.as_str(), i).is_some() {
                clash.push(i);
            }
        }
        if clash.is_empty() {
            return names;
        }
        for i in clash {
            let fp = &drafts[i].sites[0].fingerprint;
            let base = names[i].clone();
            let mut n = naming::disambiguate(&base, fp);
            let mut k = 2;
            while names.contains(&n) {
                n = naming::disambiguate(&base, &format!("{fp}{k}"));
                n = format!("{n}.{k}");
                k += 1;
            }
            names[i] = n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, Hit};
    use crate::rules::{CredentialKind as K, Severity};

    /// What a finding knows about its rule.
    struct R {
        id: &'static str,
        kind: K,
        generic: bool,
    }

    const AWS_ID: R = R {
        id: "aws-access-key-id",
        kind: K::AwsAccessKeyId,
        generic: false,
    };
    const AWS_SECRET: R = R {
        id: "aws-secret-access-key",
        kind: K::AwsSecretAccessKey,
        generic: false,
    };
    const PAT: R = R {
        id: "github-pat",
        kind: K::AccessToken,
        generic: false,
    };
    const GENERIC_SECRET: R = R {
        id: "generic-secret-assignment",
        kind: K::Secret,
        generic: true,
    };
    const GENERIC_PASSWORD: R = R {
        id: "password-assignment",
        kind: K::Password,
        generic: true,
    };
    const POSTGRES: R = R {
        id: "postgres-url",
        kind: K::DatabaseCredential,
        generic: false,
    };

    fn finding(path: &str, line: usize, rule: &R, line_text: &str, secret: &str) -> Finding {
        let col = line_text.find(secret).unwrap();
        let hit = Hit {
            rule_index: 0,
            rule_id: rule.id.into(),
            rule_name: rule.id.into(),
            severity: Severity::High,
            confidence: crate::rules::Confidence::High,
            kind: rule.kind,
            generic: rule.generic,
            line,
            column: line_text[..col].chars().count() + 1,
            end_line: line,
            end_column: 0,
            start: 0,
            end: 0,
            secret: secret.into(),
            line_text: line_text.into(),
            line_secrets: Vec::new(),
            prev_line_text: None,
            last_line_text: None,
        };
        Finding::new(hit, &crate::source::Origin::file(path.into(), None))
    }

    /// Rules that declare no `store_key`.
    fn kind_key(h: &Hit) -> String {
        h.kind.default_store_key().into()
    }

    fn opts(t: &Template) -> Options<'_> {
        Options {
            template: t,
            prefix: "ks",
            repo: "repo",
            plain: false,
            extra_tags: &[],
            kms_key_id: None,
            store_key: &kind_key,
        }
    }

    const ID: &str = "AKIAQYLPMN5HHHFPZAM2";
    const SK: &str = "Xq3vT8kLm2Rp9Wz4Yb7Nc1Df6Gh0Jk5Ls8Qa2Ee3";

    #[test]
    fn pairs_aws_keys_and_merges_same_values() {
        let all = vec![
            finding("a.py", 1, &AWS_ID, &format!("ID = \"{ID}\""), ID),
            finding("a.py", 2, &AWS_SECRET, &format!("SK = \"{SK}\""), SK),
            finding("b.py", 9, &PAT, "t = \"ghp_x1\"", "ghp_x1"),
            finding("c.py", 3, &PAT, "tok = 'ghp_x1'", "ghp_x1"),
        ];
        let t = Template::parse("{prefix}/{repo}/{path}/{rule}").unwrap();
        let s = build(&all, &[true, false, true, true], &opts(&t)).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].kind, Kind::AwsKeyPair);
        assert_eq!(s[0].name, "ks/repo/a.py/aws-access-key-id");
        let v: Value = serde_json::from_str(&s[0].value).unwrap();
        assert_eq!(v["aws_access_key_id"], ID);
        assert_eq!(v["aws_secret_access_key"], SK);
        assert_eq!(s[1].sites.len(), 2, "one secret for one value in two files");
        assert_eq!(s[1].keys, vec!["token".to_string()]);
        let (a, b) = s[0].sites[1].span.unwrap();
        assert_eq!(&s[0].sites[1].line_text[a..b], SK);
    }

    #[test]
    fn a_lone_secret_is_stored_under_its_rules_store_key() {
        let all = vec![
            finding("a.py", 1, &PAT, "t = 'ghp_x1'", "ghp_x1"),
            finding(
                "a.py",
                2,
                &GENERIC_PASSWORD,
                "password = 'Hq7!zk2Lp9'",
                "Hq7!zk2Lp9",
            ),
        ];
        let t = Template::parse("{prefix}/{path}/{line}").unwrap();
        let s = build(&all, &[true, true], &opts(&t)).unwrap();
        assert_eq!(s[0].keys, vec!["token".to_string()]);
        assert_eq!(s[1].keys, vec!["password".to_string()]);
        // A rule's own `store_key` wins over its kind's.
        let declared = |h: &Hit| match h.kind {
            K::AccessToken => "github_token".to_string(),
            _ => kind_key(h),
        };
        let o = Options {
            store_key: &declared,
            ..opts(&t)
        };
        let s = build(&all, &[true, true], &o).unwrap();
        assert_eq!(s[0].keys, vec!["github_token".to_string()]);
        let v: Value = serde_json::from_str(&s[0].value).unwrap();
        assert_eq!(v["github_token"], "ghp_x1");
        assert_eq!(s[0].sites[0].key.as_deref(), Some("github_token"));
    }

    #[test]
    fn renaming_rules_does_not_change_the_plan() {
        // The same findings twice: once under the built-in ids, once under ids that share
        // none of their words (no "aws", "secret", "password", "generic").
        let renamed = |r: &R, id: &'static str| R {
            id,
            kind: r.kind,
            generic: r.generic,
        };
        let pat_line = "token = \"ghp_abcdefghijklmnop\"";
        let db_line = "DB = \"postgres://app:Zr8vQe2LkP4x@db.internal:5432/orders\"";
        let findings = |id: &R, sk: &R, generic: &R, pat: &R, pw: &R, pg: &R| {
            vec![
                finding("a.py", 1, id, &format!("ID = \"{ID}\""), ID),
                finding("a.py", 2, sk, &format!("SK = \"{SK}\""), SK),
                finding("b.py", 1, generic, pat_line, "ghp_abcdefghijklmnop"),
                finding("b.py", 1, pat, pat_line, "ghp_abcdefghijklmnop"),
                finding("c.py", 4, pw, "password = 'Hq7!zk2Lp9'", "Hq7!zk2Lp9"),
                finding("d.py", 2, pg, db_line, "Zr8vQe2LkP4x"),
                finding("d.py", 2, pw, db_line, "Zr8vQe2LkP4x"),
            ]
        };
        let before = findings(
            &AWS_ID,
            &AWS_SECRET,
            &GENERIC_SECRET,
            &PAT,
            &GENERIC_PASSWORD,
            &POSTGRES,
        );
        let after = findings(
            &renamed(&AWS_ID, "cloud-one"),
            &renamed(&AWS_SECRET, "cloud-two"),
            &renamed(&GENERIC_SECRET, "zz-catch-all"),
            &renamed(&PAT, "aa-vcs"),
            &renamed(&GENERIC_PASSWORD, "login-literal"),
            &renamed(&POSTGRES, "sql-url"),
        );
        // Names and tags carry the rule id by design; the template here leaves it out.
        let t = Template::parse("{prefix}/{path}/{line}").unwrap();
        let chosen = vec![true; before.len()];
        let plan = |all: &[Finding]| -> Vec<String> {
            build(all, &chosen, &opts(&t))
                .unwrap()
                .iter()
                .map(|s| {
                    let sites: Vec<String> = s
                        .sites
                        .iter()
                        .map(|x| format!("{}:{}:{:?}:{:?}", x.path, x.line, x.span, x.key))
                        .collect();
                    // The value by its hash: a failing assertion prints no value.
                    format!(
                        "{} {:?} {} {:?} {}",
                        s.name,
                        s.kind,
                        &hex::encode(Sha256::digest(&s.value))[..12],
                        s.keys,
                        sites.join(",")
                    )
                })
                .collect()
        };
        let (a, b) = (plan(&before), plan(&after));
        assert_eq!(a.len(), 4, "{a:#?}");
        assert_eq!(a, b);
        assert!(a[0].contains("AwsKeyPair"), "{a:#?}");
        assert!(
            a[1].contains("Token") && a[1].contains(r#"["token"]"#),
            "{a:#?}"
        );
        assert!(a[2].contains(r#"["password"]"#), "{a:#?}");
        assert!(a[3].contains("Database"), "{a:#?}");
    }

    #[test]
    fn provider_rules_win_over_generic_ones_for_the_same_literal() {
        let line = "token = \"ghp_abcdefghijklmnop\"";
        let specific = R {
            id: "github-pat-classic",
            ..PAT
        };
        let all = vec![
            finding("a.py", 1, &GENERIC_SECRET, line, "ghp_abcdefghijklmnop"),
            finding("a.py", 1, &specific, line, "ghp_abcdefghijklmnop"),
        ];
        let t = Template::parse("{prefix}/{path}/{rule}").unwrap();
        let s = build(&all, &[true, true], &opts(&t)).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].sites.len(), 1);
        assert_eq!(s[0].name, "ks/a.py/github-pat-classic");
        assert_eq!(s[0].keys, vec!["token".to_string()]);
    }

    #[test]
    fn clashing_names_are_told_apart() {
        let all = vec![
            finding("a.py", 1, &PAT, "t = 'ghp_aaa1'", "ghp_aaa1"),
            finding("a.py", 5, &PAT, "u = 'ghp_bbb2'", "ghp_bbb2"),
        ];
        let t = Template::parse("{prefix}/{path}/{rule}").unwrap();
        let s = build(&all, &[true, true], &opts(&t)).unwrap();
        assert_eq!(s[0].name, "ks/a.py/github-pat");
        assert!(s[1].name.starts_with("ks/a.py/github-pat-"));
        assert_ne!(s[0].name, s[1].name);
        assert_ne!(s[0].token, s[1].token);
        // Deterministic.
        let again = build(&all, &[true, true], &opts(&t)).unwrap();
        assert_eq!(s[1].name, again[1].name);
        assert_eq!(s[1].token, again[1].token);
    }

    #[test]
    fn database_url_becomes_rds_structure_and_claims_the_literal() {
        let line = "DB = \"postgres://app:Zr8vQe2LkP4x@db.internal:5432/orders\"";
        let all = vec![
            finding(
                "d.py",
                2,
                &POSTGRES,
                line,
                "postgres://app:Zr8vQe2LkP4x@db.internal:5432/orders",
            ),
            finding("d.py", 2, &GENERIC_PASSWORD, line, "Zr8vQe2LkP4x"),
        ];
        let t = Template::parse("{prefix}/{path}/{rule}").unwrap();
        let s = build(&all, &[true, true], &opts(&t)).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].kind, Kind::Database);
        let v: Value = serde_json::from_str(&s[0].value).unwrap();
        assert_eq!(v["engine"], "postgres");
        assert_eq!(v["port"], 5432);
        assert_eq!(v["dbname"], "orders");
        assert_eq!(s[0].sites[0].key.as_deref(), Some("password"));
    }

    #[test]
    fn limits_are_refused_before_any_call() {
        let big = "A".repeat(70_000);
        let line = format!("k = '{big}'");
        let all = vec![finding("big.txt", 1, &GENERIC_SECRET, &line, &big)];
        let t = Template::parse("{prefix}/{path}/{rule}").unwrap();
        let errs = build(&all, &[true], &opts(&t)).unwrap_err();
        assert!(errs[0].contains("at most 65536 bytes"), "{errs:?}");
        assert!(!errs[0].contains("AAAA"));
        let long = format!("{}/{{rule}}", "p".repeat(600));
        let t = Template::parse(&long).unwrap();
        let all = vec![finding("a", 1, &PAT, "x = 'abc123'", "abc123")];
        let errs = build(&all, &[true], &opts(&t)).unwrap_err();
        assert!(errs[0].contains("at most 512"), "{errs:?}");
    }

    #[test]
    fn request_token_is_uuid_shaped() {
        let t = request_token("a", "b");
        assert_eq!(t.len(), 36);
        assert_eq!(t.matches('-').count(), 4);
        assert_eq!(t, request_token("a", "b"));
        assert_ne!(t, request_token("a", "c"));
    }
}
