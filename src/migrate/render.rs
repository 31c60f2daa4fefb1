//! Output of a migration: the plan (or the results of `--apply`) as text or JSON, with the
//! replacement snippets, the IAM policy and the rotation reminder. No secret values.

use super::snippets::Snippet;
use super::{iam, route};
use super::{Action, Secret};

/// Reads a file of the migrated tree (for the route instructions).
pub type Content<'a> = &'a dyn Fn(&str) -> Option<String>;
use serde_json::{json, Value};

/// Counts per outcome, in the order the summary lists them.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    pub create: usize,
    pub reuse: usize,
    pub conflict: usize,
    pub created: usize,
    pub reused: usize,
    pub updated: usize,
    pub conflicts: usize,
    pub failed: usize,
    pub not_attempted: usize,
    /// Routed elsewhere (IAM role, Instance Connect, ACM, KMS): nothing stored.
    pub not_stored: usize,
    /// Rotation, replication or resource-policy steps that failed after storing.
    pub after_failed: usize,
}

impl Summary {
    pub fn of(secrets: &[Secret]) -> Summary {
        let mut s = Summary::default();
        for x in secrets {
            match &x.action {
                Action::CreateNotChecked(_) | Action::Create => s.create += 1,
                Action::Same { .. } => s.reuse += 1,
                Action::Different { .. } | Action::LookupFailed(_) => s.conflict += 1,
                Action::Created { .. } => s.created += 1,
                Action::Reused { .. } => s.reused += 1,
                Action::Updated { .. } => s.updated += 1,
                Action::Conflict { .. } => s.conflicts += 1,
                Action::Failed(_) => s.failed += 1,
                Action::NotAttempted(_) => s.not_attempted += 1,
                Action::NotStored => s.not_stored += 1,
            }
            s.after_failed += x.after.iter().filter(|r| r.is_err()).count();
        }
        s
    }

    pub fn line(&self, applied: bool) -> String {
        if applied {
            let mut l = format!(
                "created {}, reused {}, updated {}, conflicts {}, failed {}",
                self.created, self.reused, self.updated, self.conflicts, self.failed
            );
            if self.not_attempted > 0 {
                l.push_str(&format!(", not attempted {}", self.not_attempted));
            }
            if self.after_failed > 0 {
                l.push_str(&format!(
                    ", rotation/replication/policy steps failed {}",
                    self.after_failed
                ));
            }
            if self.not_stored > 0 {
                l.push_str(&format!(", not stored (another home) {}", self.not_stored));
            }
            l
        } else {
            let mut l = format!(
                "to create {}, already there {}, conflicts/unknown {}",
                self.create, self.reuse, self.conflict
            );
            if self.not_stored > 0 {
                l.push_str(&format!(", not stored (another home) {}", self.not_stored));
            }
            l
        }
    }
}

/// The action with its explanation, for people.
pub fn describe(a: &Action, update: bool) -> String {
    match a {
        Action::CreateNotChecked(why) if why.is_empty() => "create (not checked)".into(),
        Action::CreateNotChecked(why) => format!("create (not checked: {why})"),
        Action::Create => "create (checked: no secret has this name)".into(),
        Action::Same { .. } => "already there with the same value: reuse it".into(),
        Action::Different { .. } if update => {
            "exists with a different value: --update will store a new version".into()
        }
        Action::Different { .. } => {
            "CONFLICT: exists with a different value (add --update to store a new version)".into()
        }
        Action::LookupFailed(e) => format!("unknown: lookup failed: {e}"),
        Action::Created { arn } => format!("created {arn}"),
        Action::Reused { arn } => format!("reused {arn} (same value)"),
        Action::Updated { arn } => format!("updated {arn} (new version)"),
        Action::Conflict { arn } => format!(
            "CONFLICT: {arn} holds a different value; nothing changed (use --update to store a new version)"
        ),
        Action::Failed(e) => format!("FAILED: {e}"),
        Action::NotAttempted(e) => format!("not attempted: {e}"),
        Action::NotStored => "not stored: it belongs elsewhere (see \"instead\")".into(),
    }
}

fn tags_obj(s: &Secret) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in &s.tags {
        m.insert(k.clone(), Value::String(v.clone()));
    }
    Value::Object(m)
}

/// The JSON document (`--format json`, `--plan-out`).
pub fn json_doc(
    secrets: &[Secret],
    applied: bool,
    update: bool,
    region: Option<&str>,
    snippets: &[Snippet],
    content: Content<'_>,
) -> Value {
    let refs: Vec<&Secret> = secrets.iter().collect();
    let sum = Summary::of(secrets);
    let items: Vec<Value> = secrets
        .iter()
        .map(|s| {
            let sites: Vec<Value> = s
                .sites
                .iter()
                .map(|site| {
                    json!({
                        "path": site.path,
                        "line": site.line,
                        "rule": site.rule_id,
                        "fingerprint": site.fingerprint,
                        "key": site.key,
                        "commit": site.commit.as_ref().map(|c| &c.id),
                    })
                })
                .collect();
            json!({
                "name": s.name,
                "kind": s.kind.as_str(),
                "keys": s.keys,
                "action": s.action.label(),
                "detail": describe(&s.action, update),
                "arn": s.action.arn(),
                "description": s.description,
                "credential": s.credential.as_str(),
                "route": s.route.as_str(),
                "why": route::why(s.route, s.credential),
                "instead": (!s.route.stored()).then(|| route::instructions(s, content)),
                "kms_key_id": s.kms_key_id,
                "kms_key_arn": s.kms_key_arn,
                "after_store": s.after.iter().map(|r| match r {
                    Ok(m) => json!({"ok": true, "detail": m}),
                    Err(e) => json!({"ok": false, "detail": e}),
                }).collect::<Vec<_>>(),
                "tags": tags_obj(s),
                "sites": sites,
            })
        })
        .collect();
    json!({
        "mode": if applied { "apply" } else { "plan" },
        "secrets": items,
        "summary": if applied {
            json!({"created": sum.created, "reused": sum.reused, "updated": sum.updated,
                   "conflicts": sum.conflicts, "failed": sum.failed, "not_attempted": sum.not_attempted,
                   "not_stored": sum.not_stored, "after_store_failed": sum.after_failed})
        } else {
            json!({"create": sum.create, "reuse": sum.reuse, "conflict": sum.conflict,
                   "not_stored": sum.not_stored})
        },
        "iam_policy": iam::policy(&policy_secrets(&refs, applied), region),
        "snippets": snippets,
        "rotate": iam::rotation_reminder(&refs),
    })
}

/// The text report.
pub fn text(
    secrets: &[Secret],
    applied: bool,
    update: bool,
    region: Option<&str>,
    snippets: &[Snippet],
    content: Content<'_>,
) -> String {
    let refs: Vec<&Secret> = secrets.iter().collect();
    let mut o = String::new();
    let n = secrets.len();
    let findings: usize = secrets.iter().map(|s| s.sites.len()).sum();
    if applied {
        o.push_str(&format!(
            "keysweep migrate: applied {n} secret{} ({findings} finding{})\n\n",
            plural(n),
            plural(findings)
        ));
    } else {
        o.push_str(&format!(
            "keysweep migrate: plan for {n} secret{} ({findings} finding{}); nothing is sent without --apply\n\n",
            plural(n),
            plural(findings)
        ));
    }
    for (i, s) in secrets.iter().enumerate() {
        o.push_str(&format!("[{}] {}\n", i + 1, s.name));
        o.push_str(&format!("    route:  {}\n", s.route.as_str()));
        o.push_str(&format!(
            "    why:    {}\n",
            route::why(s.route, s.credential)
        ));
        o.push_str(&format!("    action: {}\n", describe(&s.action, update)));
        for r in &s.after {
            match r {
                Ok(m) => o.push_str(&format!("    then:   {m}\n")),
                Err(e) => o.push_str(&format!("    then:   FAILED: {e}\n")),
            }
        }
        let keys = if s.keys.is_empty() {
            "plain string".to_string()
        } else {
            format!("JSON keys {}", s.keys.join(", "))
        };
        if s.route.stored() {
            o.push_str(&format!("    value:  {keys} ({})\n", s.kind.as_str()));
        }
        for (j, site) in s.sites.iter().enumerate() {
            let key = site
                .key
                .as_deref()
                .map(|k| format!(" -> {k}"))
                .unwrap_or_default();
            o.push_str(&format!(
                "    {} {}:{} {} {}{key}\n",
                if j == 0 { "from:  " } else { "       " },
                site.path,
                site.line,
                site.rule_id,
                &site.fingerprint[..site.fingerprint.len().min(12)]
            ));
        }
        if !s.route.stored() {
            o.push_str("    instead:\n");
            for l in route::instructions(s, content).lines() {
                o.push_str(&format!("      {l}\n"));
            }
            o.push('\n');
            continue;
        }
        let tags: Vec<String> = s.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        o.push_str(&format!("    tags:   {}\n", tags.join(", ")));
        o.push_str(&format!(
            "    kms:    {}\n\n",
            match (&s.kms_key_id, &s.kms_key_arn) {
                (Some(k), Some(arn)) if k != arn => format!("{k} ({arn})"),
                (Some(k), _) => k.clone(),
                (None, _) => "aws/secretsmanager (the account's default key)".into(),
            }
        ));
    }
    o.push_str(&format!(
        "Summary: {}\n\n",
        Summary::of(secrets).line(applied)
    ));
    if !snippets.is_empty() {
        o.push_str("Replacement code (read the secret at run time instead of the literal):\n\n");
        for sn in snippets {
            let what: Vec<String> = sn
                .reads
                .iter()
                .map(|r| match &r.key {
                    Some(k) => format!("{} key {k}", r.secret_name),
                    None => r.secret_name.clone(),
                })
                .collect();
            o.push_str(&format!(
                "==> {}:{} ({}{}{}) {}\n",
                sn.path,
                sn.line,
                sn.language.as_str(),
                if sn.lambda { ", Lambda extension" } else { "" },
                if sn.caching { ", caching client" } else { "" },
                what.join("; ")
            ));
            o.push_str(&sn.code);
            o.push('\n');
        }
    }
    let ok = policy_secrets(&refs, applied);
    if ok
        .iter()
        .any(|s| s.kms_key_id.is_some() && s.kms_key_arn.is_none())
    {
        o.push_str("Note: the KMS key could not be resolved to its ARN (kms:DescribeKey), so the policy has no kms:Decrypt statement; add one on the key's ARN.\n\n");
    }
    if !ok.is_empty() {
        o.push_str(if applied {
            "Least-privilege IAM policy for the application (exactly these secrets):\n"
        } else {
            "Least-privilege IAM policy for the application (ARN patterns until created):\n"
        });
        o.push_str(&serde_json::to_string_pretty(&iam::policy(&ok, region)).unwrap_or_default());
        o.push_str("\n\n");
    }
    o.push_str(&iam::rotation_reminder(&refs));
    o
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The secrets the policy covers: all of them in a plan, the ones in place after apply.
fn policy_secrets<'a>(refs: &[&'a Secret], applied: bool) -> Vec<&'a Secret> {
    refs.iter()
        .copied()
        .filter(|s| s.route.stored() && (!applied || s.action.succeeded()))
        .collect()
}
