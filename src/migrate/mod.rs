//! Migration of findings into AWS Secrets Manager: plan (names, values, tags), apply (the
//! SDK calls), and what the user needs afterwards (replacement code, a patch, the IAM
//! policy, the rotation reminder). One module per job:
//!
//! - `route`: where each credential belongs (Secrets Manager, IAM role, Instance Connect,
//!   ACM, KMS) and what to do for the routes that store nothing;
//! - `naming`: the name template and Secrets Manager's name rules;
//! - `values`: what a finding becomes (RDS structure, AWS key pair, one-key JSON, plain);
//! - `plan`: findings → secrets (pairing, de-duplication, names, tags, limits), rendering;
//! - `aws`: the Secrets Manager client and its calls, errors as one line;
//! - `template`: one data file per language (`templates/*.tpl`), read by `snippets` and
//!   `patch` alike;
//! - `snippets`: code that reads a secret back, one merged snippet per file;
//! - `patch`: a unified diff replacing literals with lookups;
//! - `iam`: the least-privilege policy and the rotation reminder;
//! - `lifecycle`: rotation, replication and the resource policy (flags, checks);
//! - `status`: `migrate status`, the table that says whether a migration finished;
//! - `render`: the plan/results as text or JSON.
//!
//! Secret values live only in [`Secret::value`] and [`Site::line_text`]; nothing here
//! prints, logs or serializes either.

pub mod aws;
pub mod iam;
pub mod lifecycle;
pub mod naming;
pub mod patch;
pub mod plan;
pub mod render;
pub mod route;
pub mod snippets;
pub mod status;
pub mod template;
pub mod values;

/// The tag `migrate status` finds keysweep's secrets by (with the finding it came from).
pub const FINGERPRINT_TAG: &str = "keysweep:fingerprint";

use crate::finding::CommitInfo;
use crate::rules::CredentialKind;

/// Secrets Manager limits, checked before any call.
pub const MAX_VALUE_BYTES: usize = 65536;
pub const MAX_TAGS: usize = 50;
pub const MAX_TAG_KEY: usize = 128;
pub const MAX_TAG_VALUE: usize = 256;
pub const MAX_DESCRIPTION: usize = 2048;

/// One place in a file where a secret's literal sits, and the JSON key that replaces it.
#[derive(Clone)]
pub struct Site {
    /// Path relative to the scanned root.
    pub path: String,
    pub line: usize,
    /// Byte range of the literal to replace within `line_text` (None when it could not be
    /// located, e.g. a multi-line secret).
    pub span: Option<(usize, usize)>,
    /// The line in clear. Never printed.
    pub line_text: String,
    /// The JSON key holding this literal; None for a plain-string secret.
    pub key: Option<String>,
    pub rule_id: String,
    pub fingerprint: String,
    pub commit: Option<CommitInfo>,
}

// Debug output never shows values: no derive on types holding them.
impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("path", &self.path)
            .field("line", &self.line)
            .field("key", &self.key)
            .field("rule_id", &self.rule_id)
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("keys", &self.keys)
            .field("sites", &self.sites)
            .field("action", &self.action)
            .field("route", &self.route)
            .finish_non_exhaustive()
    }
}

/// What kind of value a secret holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    AwsKeyPair,
    Database,
    Token,
    Plain,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AwsKeyPair => "aws-access-key",
            Kind::Database => "database",
            Kind::Token => "token",
            Kind::Plain => "plain",
        }
    }
}

/// One secret to create: its name, value, where it came from, and what happens to it.
#[derive(Clone)]
pub struct Secret {
    pub name: String,
    /// The SecretString. Never printed, logged or serialized.
    pub value: String,
    pub kind: Kind,
    /// JSON keys (empty for a plain string).
    pub keys: Vec<String>,
    pub sites: Vec<Site>,
    pub tags: Vec<(String, String)>,
    pub description: String,
    pub kms_key_id: Option<String>,
    /// ClientRequestToken: a UUID-shaped hash of the name and the value's hash.
    pub token: String,
    pub action: Action,
    /// The kind of credential (its first finding's rule) and where it belongs.
    pub credential: CredentialKind,
    pub route: route::Route,
    /// A snippet for it uses a caching client, which calls DescribeSecret too.
    pub caching: bool,
    /// `--kms-key-id` resolved to the key's ARN (kms:DescribeKey), when resolved.
    pub kms_key_arn: Option<String>,
    /// What `--apply` did after storing it (replicas, resource policy, rotation), one line
    /// each; `Err` for a step that failed.
    pub after: Vec<Result<String, String>>,
}

/// What was, or will be, done with a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Plan, no lookup possible: the reason.
    CreateNotChecked(String),
    /// Plan: the name is free.
    Create,
    /// Plan: a secret with this name holds the same value.
    Same {
        arn: String,
    },
    /// Plan: a secret with this name holds another value.
    Different {
        arn: String,
    },
    /// Plan: the lookup failed.
    LookupFailed(String),
    Created {
        arn: String,
    },
    Reused {
        arn: String,
    },
    Updated {
        arn: String,
    },
    Conflict {
        arn: String,
    },
    Failed(String),
    /// Apply stopped before this secret (a fatal error on an earlier one).
    NotAttempted(String),
    /// Its route is not Secrets Manager: nothing is stored, the plan says what to do.
    NotStored,
}

impl Action {
    /// Short label for tables and JSON.
    pub fn label(&self) -> &'static str {
        match self {
            Action::CreateNotChecked(_) => "create (not checked)",
            Action::Create => "create",
            Action::Same { .. } => "reuse",
            Action::Different { .. } => "conflict",
            Action::LookupFailed(_) => "lookup failed",
            Action::Created { .. } => "created",
            Action::Reused { .. } => "reused",
            Action::Updated { .. } => "updated",
            Action::Conflict { .. } => "conflict",
            Action::Failed(_) => "failed",
            Action::NotAttempted(_) => "not attempted",
            Action::NotStored => "not stored",
        }
    }

    /// The ARN when known.
    pub fn arn(&self) -> Option<&str> {
        match self {
            Action::Same { arn }
            | Action::Different { arn }
            | Action::Created { arn }
            | Action::Reused { arn }
            | Action::Updated { arn }
            | Action::Conflict { arn } => Some(arn),
            _ => None,
        }
    }

    /// True when the secret is in Secrets Manager with this run's value, or was never meant
    /// to be (another route).
    pub fn done(&self) -> bool {
        self.succeeded() || *self == Action::NotStored
    }

    /// True when the secret is in Secrets Manager with this run's value.
    pub fn succeeded(&self) -> bool {
        matches!(
            self,
            Action::Created { .. } | Action::Reused { .. } | Action::Updated { .. }
        )
    }
}
