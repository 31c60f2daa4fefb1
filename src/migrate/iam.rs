//! What the user needs besides the secrets: the least-privilege IAM policy that lets the
//! application read them, and the reminder that the leaked values must be rotated.

use super::Secret;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

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

/// The policy document: exactly what the printed code needs, on exactly these secrets.
/// `secretsmanager:GetSecretValue` on all of them; `secretsmanager:DescribeSecret` on those
/// read through a caching client (it describes a secret before reading it, and gets
/// AccessDenied without it); with a customer managed key, `kms:Decrypt` on the key's ARN
/// (resolved from an alias with kms:DescribeKey), only through Secrets Manager and only for
/// these secrets (the encryption context Secrets Manager sends is the secret's ARN).
/// Secrets whose key could not be resolved are listed in `unresolved`.
pub fn policy(secrets: &[&Secret], region: Option<&str>) -> Value {
    let stored: Vec<&&Secret> = secrets.iter().filter(|s| s.route.stored()).collect();
    let resources: Vec<String> = stored.iter().map(|s| resource(s, region)).collect();
    let mut statements = vec![json!({
        "Sid": "ReadMigratedSecrets",
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": resources,
    })];
    let cached: Vec<String> = stored
        .iter()
        .filter(|s| s.caching)
        .map(|s| resource(s, region))
        .collect();
    if !cached.is_empty() {
        statements.push(json!({
            "Sid": "DescribeForTheCachingClient",
            "Effect": "Allow",
            "Action": "secretsmanager:DescribeSecret",
            "Resource": cached,
        }));
    }
    let mut by_key: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for s in &stored {
        if let Some(k) = s.kms_key_arn.as_deref() {
            by_key.entry(k).or_default().push(resource(s, region));
        }
    }
    for (i, (key, arns)) in by_key.into_iter().enumerate() {
        let via = format!(
            "secretsmanager.{}.amazonaws.com",
            key_region(key).or(region).unwrap_or("*")
        );
        // Exact ARNs once the secrets exist; before, the same `-??????` patterns as above.
        let exact = arns.iter().all(|a| !a.contains('*') && !a.contains('?'));
        let condition = if exact {
            json!({"StringEquals": {"kms:ViaService": via, "kms:EncryptionContext:SecretARN": arns}})
        } else {
            json!({"StringEquals": {"kms:ViaService": via}, "StringLike": {"kms:EncryptionContext:SecretARN": arns}})
        };
        statements.push(json!({
            "Sid": if i == 0 { "DecryptMigratedSecrets".to_string() } else { format!("DecryptMigratedSecrets{}", i + 1) },
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": key,
            "Condition": condition,
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The region of a key ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`).
fn key_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::route::Route;
    use crate::migrate::{Action, Kind};
    use crate::rules::CredentialKind;

    fn secret(name: &str, caching: bool, arn: Option<&str>) -> Secret {
        Secret {
            name: name.into(),
            value: String::new(),
            kind: Kind::Token,
            keys: vec!["token".into()],
            sites: Vec::new(),
            tags: Vec::new(),
            description: String::new(),
            kms_key_id: Some("alias/app".into()),
            token: String::new(),
            action: match arn {
                Some(a) => Action::Created { arn: a.into() },
                None => Action::Create,
            },
            credential: CredentialKind::AccessToken,
            route: Route::SecretsManager,
            caching,
            kms_key_arn: Some(
                "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
                    .into(),
            ),
            after: Vec::new(),
        }
    }

    #[test]
    fn describe_only_for_caching_readers_and_decrypt_on_the_key_arn() {
        let a = secret(
            "a",
            true,
            Some("arn:aws:secretsmanager:eu-west-1:111122223333:secret:a-AbCdEf"),
        );
        let b = secret(
            "b",
            false,
            Some("arn:aws:secretsmanager:eu-west-1:111122223333:secret:b-GhIjKl"),
        );
        let p = policy(&[&a, &b], Some("eu-west-1"));
        let st = p["Statement"].as_array().unwrap();
        assert_eq!(st.len(), 3, "{p:#}");
        assert_eq!(st[0]["Resource"].as_array().unwrap().len(), 2);
        assert_eq!(st[1]["Action"], "secretsmanager:DescribeSecret");
        assert_eq!(st[1]["Resource"], json!([a.action.arn().unwrap()]));
        assert_eq!(st[2]["Resource"], a.kms_key_arn.as_deref().unwrap());
        assert_eq!(
            st[2]["Condition"]["StringEquals"]["kms:ViaService"],
            "secretsmanager.eu-west-1.amazonaws.com"
        );
        assert!(!p.to_string().contains("key/alias"));
        // Plain readers only: no DescribeSecret at all.
        let p = policy(&[&b], Some("eu-west-1"));
        assert!(!p.to_string().contains("DescribeSecret"), "{p:#}");
        // Before creation: ARN patterns, matched with StringLike.
        let c = secret("c", false, None);
        let p = policy(&[&c], Some("eu-west-1"));
        assert!(
            p["Statement"][1]["Condition"]["StringLike"]["kms:EncryptionContext:SecretARN"][0]
                .as_str()
                .unwrap()
                .ends_with(":secret:c-??????")
        );
        // An unresolved key gets no statement rather than a made-up ARN.
        let mut d = secret("d", false, None);
        d.kms_key_arn = None;
        assert_eq!(
            policy(&[&d], Some("eu-west-1"))["Statement"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}
