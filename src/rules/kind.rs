//! What kind of credential a rule finds. Everything that acts on a finding by its nature —
//! where `migrate` sends it, which key it is stored under — reads this, never the rule id.

use serde::{Deserialize, Serialize};

/// The kind of credential, as declared by `kind = "..."` in a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    /// AWS access key id (`AKIA…`, `ASIA…`): belongs to an IAM role, not a store.
    AwsAccessKeyId,
    /// AWS secret access key: the other half of an access key pair.
    AwsSecretAccessKey,
    /// AWS session token (temporary credentials).
    AwsSessionToken,
    /// A private key of a key pair (TLS, PKCS#8, PGP): ACM when it has a certificate.
    PrivateKey,
    /// An SSH private key: EC2 Instance Connect / SSM Session Manager.
    SshPrivateKey,
    /// A raw symmetric or encryption key: KMS.
    EncryptionKey,
    /// A password (or a username/password pair).
    Password,
    /// Database credentials: a connection string or URL with a password.
    DatabaseCredential,
    /// An API key issued by a provider.
    ApiKey,
    /// An access, bearer, personal or bot token.
    AccessToken,
    /// An OAuth client secret or refresh token.
    OauthSecret,
    /// A webhook URL whose path is the secret.
    WebhookUrl,
    /// Any other secret value.
    #[default]
    Secret,
}
