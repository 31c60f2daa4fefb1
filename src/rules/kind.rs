//! What kind of credential a rule finds. Everything that acts on a finding by its nature —
//! where `migrate` sends it, which key it is stored under — reads this, never the rule id.

use serde::{Deserialize, Serialize};

/// The kind of credential, as declared by `kind = "..."` in a rule. Each variant says where
/// such a credential belongs instead of the source code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    /// AWS access key id (`AKIA…`, `ASIA…`). Belongs nowhere: code running on AWS takes an
    /// IAM role (instance profile, task role, IRSA) instead of a key pair. `migrate` stores it
    /// with its secret access key when one is next to it.
    AwsAccessKeyId,
    /// AWS secret access key, the other half of an access key pair: replaced by an IAM role.
    AwsSecretAccessKey,
    /// AWS STS session token (temporary credentials): an IAM role's own sessions make it moot.
    AwsSessionToken,
    /// The public half that names a key pair (Alibaba AccessKey ID, Twilio API key SID, a
    /// service-account `private_key_id`): no secret alone, it tells which credential to revoke.
    /// Stored in Secrets Manager beside its secret.
    KeyId,
    /// A private key of a key pair (TLS, PKCS#8, PGP): ACM when it comes with a certificate,
    /// else Secrets Manager.
    PrivateKey,
    /// An SSH private key: EC2 Instance Connect or SSM Session Manager, not a shared key.
    SshPrivateKey,
    /// A symmetric or decryption key (an application's encryption key, an age identity):
    /// KMS, which uses the key without ever handing it out.
    EncryptionKey,
    /// A password, or a username/password pair (HTTP Basic, a Docker `auth`): Secrets Manager.
    Password,
    /// The password of a database or broker connection string or URL: Secrets Manager (the
    /// RDS secret structure when `migrate` can parse the connection).
    DatabaseCredential,
    /// An API key issued by a provider: Secrets Manager.
    ApiKey,
    /// An access, bearer, personal, service or bot token: Secrets Manager.
    AccessToken,
    /// An OAuth refresh token: Secrets Manager.
    RefreshToken,
    /// An OAuth client (consumer, app) secret: Secrets Manager.
    ClientSecret,
    /// A secret that signs or verifies webhook payloads: Secrets Manager.
    SigningSecret,
    /// A webhook URL whose path is the secret: Secrets Manager.
    WebhookUrl,
    /// Any other secret value: Secrets Manager.
    #[default]
    Secret,
}

impl CredentialKind {
    /// The name written in rule files (`kind = "api-key"`).
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::AwsAccessKeyId => "aws-access-key-id",
            CredentialKind::AwsSecretAccessKey => "aws-secret-access-key",
            CredentialKind::AwsSessionToken => "aws-session-token",
            CredentialKind::KeyId => "key-id",
            CredentialKind::PrivateKey => "private-key",
            CredentialKind::SshPrivateKey => "ssh-private-key",
            CredentialKind::EncryptionKey => "encryption-key",
            CredentialKind::Password => "password",
            CredentialKind::DatabaseCredential => "database-credential",
            CredentialKind::ApiKey => "api-key",
            CredentialKind::AccessToken => "access-token",
            CredentialKind::RefreshToken => "refresh-token",
            CredentialKind::ClientSecret => "client-secret",
            CredentialKind::SigningSecret => "signing-secret",
            CredentialKind::WebhookUrl => "webhook-url",
            CredentialKind::Secret => "secret",
        }
    }

    /// The JSON key a secret of this kind is stored under when its rule names none
    /// (`store_key`). The AWS names are the ones the AWS SDKs and CLI read.
    pub fn default_store_key(self) -> &'static str {
        match self {
            CredentialKind::AwsAccessKeyId => "aws_access_key_id",
            CredentialKind::AwsSecretAccessKey => "aws_secret_access_key",
            CredentialKind::AwsSessionToken => "aws_session_token",
            CredentialKind::KeyId => "key_id",
            CredentialKind::PrivateKey | CredentialKind::SshPrivateKey => "private_key",
            CredentialKind::EncryptionKey => "encryption_key",
            // Connection-string rules capture the password alone.
            CredentialKind::Password | CredentialKind::DatabaseCredential => "password",
            CredentialKind::ApiKey => "api_key",
            CredentialKind::AccessToken => "token",
            CredentialKind::RefreshToken => "refresh_token",
            CredentialKind::ClientSecret => "client_secret",
            CredentialKind::SigningSecret => "signing_secret",
            CredentialKind::WebhookUrl => "webhook_url",
            CredentialKind::Secret => "secret",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::CredentialKind as K;

    #[test]
    fn names_are_the_serde_names_and_store_keys_are_json_keys() {
        let all = [
            K::AwsAccessKeyId,
            K::AwsSecretAccessKey,
            K::AwsSessionToken,
            K::KeyId,
            K::PrivateKey,
            K::SshPrivateKey,
            K::EncryptionKey,
            K::Password,
            K::DatabaseCredential,
            K::ApiKey,
            K::AccessToken,
            K::RefreshToken,
            K::ClientSecret,
            K::SigningSecret,
            K::WebhookUrl,
            K::Secret,
        ];
        for kind in all {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, kind.as_str(), "{kind:?}");
            let back: K = serde_json::from_value(json).unwrap();
            assert_eq!(back, kind);
            let key = kind.default_store_key();
            assert!(super::super::is_store_key(key), "{key}");
        }
    }
}
