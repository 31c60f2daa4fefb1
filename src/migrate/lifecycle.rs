//! What happens to a secret after it is stored, per the service's own advice: rotation
//! (`--rotate-with LAMBDA_ARN` or `--rotate-managed`, a schedule and a window, and an
//! immediate first rotation: the value was typed in by hand and has leaked), replication
//! (`--replica-region`), and a resource policy that admits only the given principals.
//! Parsed and checked here, before any call; sent by `aws`.

use anyhow::{bail, Result};
use serde_json::{json, Value};

/// How a stored secret is rotated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotator {
    /// A rotation function (one of the Secrets Manager rotation templates, or your own).
    Lambda(String),
    /// Rotation Secrets Manager performs itself (managed rotation): no function.
    Managed,
}

/// The rotation schedule as RotateSecret takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub rotator: Rotator,
    /// `rate(N days)` without a window: `AutomaticallyAfterDays = N`, which the service
    /// treats the same; anything else is sent as `ScheduleExpression`.
    pub after_days: Option<i64>,
    pub schedule: Option<String>,
    /// `Duration`, e.g. `4h`.
    pub window: Option<String>,
}

/// The lifecycle options of one run.
#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    pub rotation: Option<Rotation>,
    pub replica_regions: Vec<String>,
    /// Principals (ARNs or account ids) the resource policy allows; empty: no policy.
    pub readers: Vec<String>,
}

impl Lifecycle {
    /// What `--apply` will do after storing a secret, one line per step (for a plan).
    pub fn planned(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.replica_regions.is_empty() {
            out.push(format!(
                "with --apply: replicate to {}",
                self.replica_regions.join(", ")
            ));
        }
        if !self.readers.is_empty() {
            out.push(format!(
                "with --apply: resource policy: only {} may read it",
                self.readers.join(", ")
            ));
        }
        if let Some(r) = &self.rotation {
            let by = match &r.rotator {
                Rotator::Lambda(arn) => format!("with {arn}"),
                Rotator::Managed => "by Secrets Manager (managed rotation)".to_string(),
            };
            let when = match (&r.schedule, r.after_days) {
                (Some(s), _) => s.clone(),
                (None, Some(d)) => format!("every {d} days"),
                (None, None) => String::new(),
            };
            let window = r
                .window
                .as_ref()
                .map(|w| format!(", window {w}"))
                .unwrap_or_default();
            out.push(format!(
                "with --apply: rotate {by} ({when}{window}), the first time right away"
            ));
        }
        out
    }
}

/// Checks the flags together: a schedule needs a rotator and the reverse, a window needs a
/// schedule, a Lambda ARN must look like one.
pub fn parse(
    rotate_with: Option<&str>,
    managed: bool,
    schedule: Option<&str>,
    window: Option<&str>,
    replica_regions: &[String],
    readers: &[String],
) -> Result<Lifecycle> {
    let rotator = match (rotate_with, managed) {
        (Some(_), true) => bail!("--rotate-with and --rotate-managed exclude each other"),
        (Some(arn), false) => {
            if !arn.starts_with("arn:") || !arn.contains(":lambda:") || !arn.contains(":function:")
            {
                bail!("--rotate-with {arn:?}: expected a Lambda function ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME)");
            }
            Some(Rotator::Lambda(arn.to_string()))
        }
        (None, true) => Some(Rotator::Managed),
        (None, false) => None,
    };
    let rotation = match (rotator, schedule) {
        (None, None) => {
            if window.is_some() {
                bail!("--rotation-window needs --rotation-schedule");
            }
            None
        }
        (None, Some(_)) => {
            bail!("--rotation-schedule needs --rotate-with LAMBDA_ARN or --rotate-managed")
        }
        (Some(_), None) => {
            bail!("rotation needs --rotation-schedule \"rate(30 days)\" or \"cron(...)\"")
        }
        (Some(rotator), Some(expr)) => {
            let expr = expr.trim();
            let days = rate_days(expr);
            if days.is_none() && !valid_expression(expr) {
                bail!("--rotation-schedule {expr:?}: expected rate(N days), rate(N hours) or cron(...)");
            }
            if let Some(n) = days {
                if !(1..=1000).contains(&n) {
                    bail!("--rotation-schedule {expr:?}: Secrets Manager rotates every 1 to 1000 days");
                }
            }
            if let Some(w) = window {
                let hours = w.strip_suffix('h').and_then(|h| h.parse::<u32>().ok());
                if !hours.is_some_and(|h| (1..=24).contains(&h)) {
                    bail!("--rotation-window {w:?}: expected hours, 1h to 24h (e.g. 4h)");
                }
            }
            Some(Rotation {
                rotator,
                after_days: if window.is_none() { days } else { None },
                schedule: if window.is_none() && days.is_some() {
                    None
                } else {
                    Some(expr.to_string())
                },
                window: window.map(str::to_string),
            })
        }
    };
    for r in replica_regions {
        let ok = !r.is_empty()
            && r.split('-').count() >= 3
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            bail!("--replica-region {r:?}: expected a region name such as eu-west-1");
        }
    }
    for p in readers {
        let account = p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit());
        if !(account || p.starts_with("arn:aws") && p.contains(":iam::")) || p.contains('*') {
            bail!("--resource-policy {p:?}: expected an IAM principal ARN or a 12-digit account id (no wildcards)");
        }
    }
    Ok(Lifecycle {
        rotation,
        replica_regions: replica_regions.to_vec(),
        readers: readers.to_vec(),
    })
}

fn rate_days(expr: &str) -> Option<i64> {
    let inner = expr.strip_prefix("rate(")?.strip_suffix(')')?;
    let (n, unit) = inner.trim().split_once(' ')?;
    if unit.trim() == "days" || unit.trim() == "day" {
        n.parse().ok()
    } else {
        None
    }
}

fn valid_expression(expr: &str) -> bool {
    if let Some(inner) = expr.strip_prefix("rate(").and_then(|e| e.strip_suffix(')')) {
        return inner
            .split_once(' ')
            .is_some_and(|(n, u)| n.parse::<u32>().is_ok() && matches!(u, "hours" | "hour"));
    }
    expr.strip_prefix("cron(")
        .and_then(|e| e.strip_suffix(')'))
        .is_some_and(|inner| inner.split_whitespace().count() == 6)
}

/// The resource policy: the given principals may read this secret; nobody else is named.
/// Sent with `BlockPublicPolicy`, so the service refuses it if it were to grant wider access.
pub fn resource_policy(readers: &[String], describe: bool) -> Value {
    let principals: Vec<String> = readers
        .iter()
        .map(|p| {
            if p.starts_with("arn:") {
                p.clone()
            } else {
                format!("arn:aws:iam::{p}:root")
            }
        })
        .collect();
    let actions: Vec<&str> = if describe {
        vec![
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
        ]
    } else {
        vec!["secretsmanager:GetSecretValue"]
    };
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "OnlyTheseReaders",
            "Effect": "Allow",
            "Principal": {"AWS": principals},
            "Action": actions,
            "Resource": "*",
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(rw: Option<&str>, m: bool, s: Option<&str>, w: Option<&str>) -> Result<Lifecycle> {
        parse(rw, m, s, w, &[], &[])
    }

    const FN: &str = "arn:aws:lambda:us-east-1:123456789012:function:rotate-pg";

    #[test]
    fn schedules_become_rotation_rules() {
        let r = p(Some(FN), false, Some("rate(30 days)"), None)
            .unwrap()
            .rotation
            .unwrap();
        assert_eq!(r.after_days, Some(30));
        assert_eq!(r.schedule, None);
        assert_eq!(r.rotator, Rotator::Lambda(FN.into()));
        // A window goes with a schedule expression, as the service documents it.
        let r = p(Some(FN), false, Some("rate(30 days)"), Some("4h"))
            .unwrap()
            .rotation
            .unwrap();
        assert_eq!(
            (r.after_days, r.schedule.as_deref(), r.window.as_deref()),
            (None, Some("rate(30 days)"), Some("4h"))
        );
        let r = p(None, true, Some("cron(0 4 ? * SUN *)"), None)
            .unwrap()
            .rotation
            .unwrap();
        assert_eq!(r.schedule.as_deref(), Some("cron(0 4 ? * SUN *)"));
        assert_eq!(r.rotator, Rotator::Managed);
        assert!(p(None, true, Some("rate(4 hours)"), None).is_ok());
    }

    #[test]
    fn inconsistent_flags_are_refused() {
        assert!(p(Some(FN), true, Some("rate(1 day)"), None).is_err());
        assert!(p(Some("my-fn"), false, Some("rate(1 day)"), None).is_err());
        assert!(p(Some(FN), false, None, None).is_err());
        assert!(p(None, false, Some("rate(1 day)"), None).is_err());
        assert!(p(None, false, None, Some("4h")).is_err());
        assert!(p(Some(FN), false, Some("rate(2000 days)"), None).is_err());
        assert!(p(Some(FN), false, Some("every day"), None).is_err());
        assert!(p(Some(FN), false, Some("rate(1 day)"), Some("30h")).is_err());
        assert!(parse(None, false, None, None, &["EU".into()], &[]).is_err());
        assert!(parse(None, false, None, None, &[], &["*".into()]).is_err());
        assert!(parse(None, false, None, None, &[], &["123456789012".into()]).is_ok());
    }

    #[test]
    fn resource_policy_names_only_the_readers() {
        let v = resource_policy(
            &[
                "123456789012".into(),
                "arn:aws:iam::210987654321:role/app".into(),
            ],
            true,
        );
        let st = &v["Statement"][0];
        assert_eq!(st["Principal"]["AWS"][0], "arn:aws:iam::123456789012:root");
        assert_eq!(
            st["Principal"]["AWS"][1],
            "arn:aws:iam::210987654321:role/app"
        );
        assert_eq!(st["Action"][1], "secretsmanager:DescribeSecret");
        assert!(!v.to_string().contains("\"*\"}") && !v.to_string().contains("\"AWS\":\"*\""));
    }
}
