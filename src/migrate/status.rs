//! `keysweep migrate status`: did the migration finish? For every secret keysweep created
//! (found by its `keysweep:fingerprint` tag, described, never read): is the literal still
//! in the working tree (the finding's fingerprint in a fresh scan), has the application read
//! the secret since it was created (`LastAccessedDate`, which the service keeps to the day),
//! is rotation on and when did it last run, which key encrypts it, where it is replicated,
//! and whether the leaked value still needs rotating at its provider.

use serde::Serialize;
use serde_json::{json, Value};

/// What `DescribeSecret` says about one secret, dates as seconds since the epoch.
#[derive(Debug, Clone, Default)]
pub struct Described {
    pub name: String,
    pub arn: String,
    pub fingerprint: String,
    pub path: String,
    /// The `keysweep:repo` tag: the name of the directory it was migrated from.
    pub repo: String,
    pub created: Option<i64>,
    pub last_accessed: Option<i64>,
    pub rotation_enabled: bool,
    pub last_rotated: Option<i64>,
    pub kms_key_id: Option<String>,
    /// (region, status) per replica.
    pub replicas: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub name: String,
    pub arn: String,
    pub path: String,
    pub fingerprint: String,
    /// The literal is still in the working tree.
    pub literal_in_tree: bool,
    /// The application has read the secret on or after the day it was created.
    pub read_since_creation: bool,
    pub last_accessed: Option<String>,
    pub rotation_enabled: bool,
    pub last_rotated: Option<String>,
    /// "aws/secretsmanager" (AWS managed) or the customer managed key.
    pub encryption_key: String,
    pub replicas: Vec<String>,
    /// What to do about the leaked value.
    pub leaked_value: String,
    pub pending: bool,
}

const DAY: i64 = 86_400;

/// One row per secret; `in_tree(fingerprint)` says whether a fresh scan still finds it.
pub fn rows(secrets: &[Described], in_tree: &dyn Fn(&str) -> bool) -> Vec<Row> {
    let mut rows: Vec<Row> = secrets
        .iter()
        .map(|d| {
            let literal = in_tree(&d.fingerprint);
            let read = match (d.created, d.last_accessed) {
                (Some(c), Some(a)) => a >= c - c.rem_euclid(DAY),
                (None, Some(_)) => true,
                _ => false,
            };
            let rotated_after_creation = match (d.created, d.last_rotated) {
                (Some(c), Some(r)) => r >= c,
                (None, Some(_)) => true,
                _ => false,
            };
            let leaked_value = if d.rotation_enabled && rotated_after_creation {
                format!("rotated {} (a value from before then is dead if the rotation changed it at the provider)", date(d.last_rotated.unwrap_or_default()))
            } else {
                "ROTATE at its provider: the old value is still in git history".to_string()
            };
            Row {
                name: d.name.clone(),
                arn: d.arn.clone(),
                path: d.path.clone(),
                fingerprint: d.fingerprint.clone(),
                literal_in_tree: literal,
                read_since_creation: read,
                last_accessed: d.last_accessed.map(date),
                rotation_enabled: d.rotation_enabled,
                last_rotated: d.last_rotated.map(date),
                encryption_key: match d.kms_key_id.as_deref() {
                    None | Some("") | Some("alias/aws/secretsmanager") => "aws/secretsmanager (AWS managed)".into(),
                    Some(k) => format!("{k} (customer managed)"),
                },
                replicas: d.replicas.iter().map(|(r, s)| format!("{r}: {s}")).collect(),
                leaked_value,
                pending: literal || !read,
            }
        })
        .collect();
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    rows
}

/// `YYYY-MM-DD` of a Unix time (UTC).
pub fn date(secs: i64) -> String {
    // Days to civil date (Howard Hinnant's algorithm).
    let z = secs.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

pub fn json(rows: &[Row]) -> Value {
    let pending = rows.iter().filter(|r| r.pending).count();
    json!({"secrets": rows, "pending": pending, "done": rows.len() - pending})
}

pub fn text(rows: &[Row]) -> String {
    if rows.is_empty() {
        return "keysweep migrate status: no secret created by keysweep (none carries the keysweep:fingerprint tag)\n".into();
    }
    let mut o = String::new();
    let head = ["SECRET", "LITERAL", "READ", "ROTATION", "KEY", "REPLICAS"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                if r.literal_in_tree {
                    format!("still in {}", r.path)
                } else {
                    "removed".into()
                },
                match (&r.last_accessed, r.read_since_creation) {
                    (Some(d), true) => format!("read {d}"),
                    _ => "never read".into(),
                },
                match (r.rotation_enabled, &r.last_rotated) {
                    (true, Some(d)) => format!("on, last {d}"),
                    (true, None) => "on, not yet".into(),
                    (false, _) => "off".into(),
                },
                if r.encryption_key.starts_with("aws/") {
                    "aws managed".into()
                } else {
                    "customer managed".into()
                },
                if r.replicas.is_empty() {
                    "-".into()
                } else {
                    r.replicas.join(" ")
                },
            ]
        })
        .collect();
    let mut w = head.map(str::len);
    for c in &cells {
        for (i, x) in c.iter().enumerate() {
            w[i] = w[i].max(x.chars().count());
        }
    }
    let line = |c: &[String]| {
        let mut l = String::new();
        for (i, x) in c.iter().enumerate() {
            if i + 1 == c.len() {
                l.push_str(x);
            } else {
                l.push_str(&format!("{x:<width$}  ", width = w[i]));
            }
        }
        l.trim_end().to_string() + "\n"
    };
    o.push_str(&line(&head.map(String::from)));
    for c in &cells {
        o.push_str(&line(c));
    }
    o.push('\n');
    for r in rows {
        o.push_str(&format!("{}: leaked value: {}\n", r.name, r.leaked_value));
    }
    let pending = rows.iter().filter(|r| r.pending).count();
    o.push_str(&format!(
        "\n{} of {} secret{} done; {pending} pending (a literal still in the tree, or never read by the application)\n",
        rows.len() - pending,
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    ));
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_pending() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_764_547_200), "2025-12-01");
        let created = 1_764_590_000; // 2025-12-01, afternoon
        let d = Described {
            name: "a".into(),
            fingerprint: "fp".into(),
            created: Some(created),
            // The service keeps the access date to the day: midnight of the creation day.
            last_accessed: Some(1_764_547_200),
            ..Default::default()
        };
        let r = &rows(std::slice::from_ref(&d), &|_| false)[0];
        assert!(r.read_since_creation && !r.pending);
        assert!(r.leaked_value.starts_with("ROTATE"));
        let r = &rows(std::slice::from_ref(&d), &|fp| fp == "fp")[0];
        assert!(r.pending);
        let never = Described {
            last_accessed: None,
            ..d.clone()
        };
        assert!(rows(&[never], &|_| false)[0].pending);
        let old = Described {
            last_accessed: Some(created - 3 * DAY),
            ..d
        };
        assert!(!rows(&[old], &|_| false)[0].read_since_creation);
    }
}
