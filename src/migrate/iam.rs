//! What the user needs besides the secrets: the least-privilege IAM policy that lets the
//! application read them, and the reminder that the leaked values must be rotated.

use super::Secret;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The resource a policy grants for one secret: its ARN when known (created, reused,
/// looked up), else the ARN pattern `arn:aws:secretsmanager:REGION:*:secret:NAME-??????`.
pub fn resource(s: &Secret, region: Option<&str>) -> String {
    match s.action.arn() {
        Some(arn) if arn.starts_with("arn:") => arn.to_string(),
        _ => format!(
            "arn:aws:secretsmanager:{}:*:secret:{}-??????",
            region.unwrap_or("*"),
            s.name
        ),
    }
}

/// The policy document: `secretsmanager:GetSecretValue` on exactly these secrets, plus
/// `kms:Decrypt` on a customer managed key when one was given.
pub fn policy(secrets: &[&Secret], region: Option<&str>) -> Value {
    let resources: Vec<String> = secrets.iter().map(|s| resource(s, region)).collect();
    let mut statements = vec![json!({
        "Sid": "ReadMigratedSecrets",
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": resources,
    })];
    let keys: BTreeSet<&str> = secrets
        .iter()
        .filter_map(|s| s.kms_key_id.as_deref())
        .collect();
    if !keys.is_empty() {
        let keys: Vec<String> = keys
            .into_iter()
            .map(|k| {
                if k.starts_with("arn:") {
                    k.to_string()
                } else {
                    format!("arn:aws:kms:{}:*:key/{k}", region.unwrap_or("*"))
                }
            })
            .collect();
        statements.push(json!({
            "Sid": "DecryptMigratedSecrets",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": keys,
            "Condition": {"StringLike": {"kms:ViaService": format!("secretsmanager.{}.amazonaws.com", region.unwrap_or("*"))}},
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The rotation reminder, with the commits that introduced each leaked value when known.
pub fn rotation_reminder(secrets: &[&Secret]) -> String {
    let mut out = String::from(
        "ROTATE NOW: moving a secret into Secrets Manager does not un-leak it. The old value is\n\
         still in this repository's git history (and in every clone, fork and CI cache):\n\
         revoke or rotate it at its provider (AWS IAM, the database, the API vendor) now,\n\
         then store the new value in the secret (`aws secretsmanager put-secret-value`,\n\
         the console, or Secrets Manager rotation), never in the code.\n",
    );
    let mut any = false;
    for s in secrets {
        let commits: BTreeSet<String> = s
            .sites
            .iter()
            .filter_map(|site| {
                site.commit.as_ref().map(|c| {
                    format!(
                        "{} ({}, {}: {})",
                        &c.id[..c.id.len().min(12)],
                        c.date,
                        c.author_email,
                        c.summary
                    )
                })
            })
            .collect();
        if commits.is_empty() {
            continue;
        }
        if !any {
            out.push_str("Commits that introduced them:\n");
            any = true;
        }
        out.push_str(&format!("  {}:\n", s.name));
        for c in commits {
            out.push_str(&format!("    {c}\n"));
        }
    }
    if !any {
        out.push_str("(Scan with --git to list the commits that introduced each value.)\n");
    }
    out
}
