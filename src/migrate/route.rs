//! Where each credential belongs, from its rule's kind (AWS's guidance: pick the service
//! that fits the kind of secret). Only the Secrets Manager route stores anything; every
//! other route prints what to do instead, because storing such a credential would keep
//! the wrong thing alive:
//!
//! - AWS access keys → an IAM role. Reading stored keys back needs AWS credentials in the
//!   first place: if the default credential chain works, the stored keys are not needed.
//! - SSH private keys → EC2 Instance Connect or SSM Session Manager (no shared key at all).
//! - a private key next to its certificate → ACM.
//! - raw encryption keys → KMS, which uses a key without ever handing it out.
//!
//! `--store-aws-keys` and `--store-encryption-keys` store those anyway.

use super::snippets::{detect, Lang};
use super::{Secret, Site};
use crate::rules::CredentialKind;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Route {
    SecretsManager,
    IamRole,
    InstanceConnect,
    Acm,
    Kms,
}

impl Route {
    pub fn as_str(self) -> &'static str {
        match self {
            Route::SecretsManager => "secrets-manager",
            Route::IamRole => "iam-role",
            Route::InstanceConnect => "ec2-instance-connect",
            Route::Acm => "acm",
            Route::Kms => "kms",
        }
    }

    pub fn stored(self) -> bool {
        self == Route::SecretsManager
    }
}

/// What the user chose to store anyway.
#[derive(Debug, Clone, Copy, Default)]
pub struct Overrides {
    pub store_aws_keys: bool,
    pub store_encryption_keys: bool,
}

/// The route for a secret found as `kind`; `content` reads a file of the tree.
pub fn of(
    kind: CredentialKind,
    sites: &[Site],
    o: Overrides,
    content: &dyn Fn(&str) -> Option<String>,
) -> Route {
    use CredentialKind as K;
    match kind {
        K::AwsAccessKeyId | K::AwsSecretAccessKey | K::AwsSessionToken if !o.store_aws_keys => {
            Route::IamRole
        }
        K::SshPrivateKey => Route::InstanceConnect,
        K::PrivateKey if sites.iter().any(|s| next_to_certificate(&s.path, content)) => Route::Acm,
        K::EncryptionKey if !o.store_encryption_keys => Route::Kms,
        _ => Route::SecretsManager,
    }
}

/// A certificate in the same file, or in a sibling with the same stem (`tls.key` + `tls.crt`).
fn next_to_certificate(path: &str, content: &dyn Fn(&str) -> Option<String>) -> bool {
    const CERT: &str = "-----BEGIN CERTIFICATE-----";
    if content(path).is_some_and(|t| t.contains(CERT)) {
        return true;
    }
    let stem = path.rsplit_once('.').map_or(path, |(s, _)| s);
    ["crt", "cer", "pem"]
        .iter()
        .map(|ext| format!("{stem}.{ext}"))
        .filter(|p| p != path)
        .any(|p| content(&p).is_some_and(|t| t.contains(CERT)))
}

/// Why this route, one line, for the plan.
pub fn why(r: Route, kind: CredentialKind) -> String {
    match r {
        Route::SecretsManager => format!(
            "a {} is an application credential: Secrets Manager",
            kind.as_str().replace('-', " ")
        ),
        Route::IamRole => "AWS access keys belong to no file: an IAM role gives the code temporary credentials (stored keys would need credentials to be read back); not stored (--store-aws-keys stores them)".into(),
        Route::InstanceConnect => "an SSH key gives shell access: EC2 Instance Connect or SSM Session Manager grant it per session, with no shared key; not stored".into(),
        Route::Acm => "a private key next to its certificate: ACM serves and renews the certificate without the key leaving AWS; not stored".into(),
        Route::Kms => "an encryption key: KMS encrypts and decrypts without handing the key out; not stored (--store-encryption-keys stores it)".into(),
    }
}

/// The runtime a file runs in, for the IAM-role replacement.
fn runtime(path: &str, text: &str) -> &'static str {
    let lang = detect(path, Some(text));
    let lambda = text.contains("AWS::Lambda::Function")
        || text.contains("AWS::Serverless::Function")
        || text.contains("def lambda_handler")
        || text.contains("exports.handler")
        || text.contains("export const handler")
        || text.contains("lambda.Start(");
    match lang {
        _ if lambda => "lambda",
        Lang::Kubernetes => "kubernetes",
        Lang::Terraform => "terraform",
        Lang::CloudformationJson | Lang::CloudformationYaml => "cloudformation",
        Lang::Shell | Lang::Config => "shell",
        _ => "code",
    }
}

/// What to do instead, for every route but Secrets Manager. Names no value: the key id is
/// referred to by where it was found.
pub fn instructions(s: &Secret, content: &dyn Fn(&str) -> Option<String>) -> String {
    let first = &s.sites[0];
    let at = format!("{}:{}", first.path, first.line);
    match s.route {
        Route::SecretsManager => String::new(),
        Route::IamRole => {
            let mut o = String::new();
            let mut seen = std::collections::BTreeSet::new();
            for site in &s.sites {
                let text = content(&site.path).unwrap_or_default();
                let rt = runtime(&site.path, &text);
                if !seen.insert((site.path.clone(), rt)) {
                    continue;
                }
                o.push_str(&format!("{}: {}\n", site.path, role_replacement(rt)));
            }
            o.push_str(&format!(
                "Then retire the leaked key (its id is at {at}; KEY_ID and USER below are that key and its IAM user):\n\
                 \x20 aws iam update-access-key --user-name USER --access-key-id KEY_ID --status Inactive\n\
                 \x20 aws iam get-access-key-last-used --access-key-id KEY_ID   # nothing still using it?\n\
                 \x20 aws iam delete-access-key --user-name USER --access-key-id KEY_ID\n"
            ));
            o
        }
        Route::InstanceConnect => format!(
            "Remove the key at {at} from the repository and its public half from every authorized_keys.\n\
             Connect per session instead:\n\
             \x20 aws ec2-instance-connect ssh --instance-id INSTANCE_ID      # EC2 Instance Connect\n\
             \x20 aws ssm start-session --target INSTANCE_ID                 # SSM Session Manager\n"
        ),
        Route::Acm => format!(
            "Import the certificate and the key at {at} into ACM, point the load balancer or CloudFront\n\
             at the ACM certificate, then delete the key from the repository and revoke the certificate:\n\
             \x20 aws acm import-certificate --certificate fileb://cert.pem --private-key fileb://key.pem --certificate-chain fileb://chain.pem\n\
             (or request a certificate ACM renews itself: aws acm request-certificate --domain-name DOMAIN)\n"
        ),
        Route::Kms => format!(
            "Create a KMS key and encrypt through it instead of with the key at {at}:\n\
             \x20 aws kms create-key --description \"{}\"\n\
             \x20 (kms:Encrypt/kms:Decrypt for small values, kms:GenerateDataKey for envelope encryption)\n\
             Re-encrypt what the leaked key protected, then destroy it.\n",
            s.name
        ),
    }
}

fn role_replacement(runtime: &str) -> &'static str {
    match runtime {
        "lambda" => "delete the keys; the function's execution role supplies credentials (give the role the permissions the keys had)",
        "kubernetes" => "delete the keys; give the pod's service account an IAM role (EKS Pod Identity, or IRSA: the eks.amazonaws.com/role-arn annotation)",
        "terraform" => "delete the keys from the provider; run Terraform with a role (assume_role { role_arn = ... } in the provider, or the CI's OIDC role)",
        "cloudformation" => "delete the keys; give the resource a role (Lambda: Role, EC2: an instance profile, ECS: TaskRoleArn)",
        "shell" => "delete the keys; where it runs, the instance profile, ECS task role or CI OIDC role supplies credentials (on a workstation: aws sso login)",
        _ => "delete the keys and create the client without them: the SDK's default credential chain picks up the role where the code runs (EC2 instance profile, ECS task role, EKS Pod Identity/IRSA, Lambda execution role; aws sso login on a workstation)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(path: &str) -> Site {
        Site {
            path: path.into(),
            line: 1,
            span: None,
            line_text: String::new(),
            key: None,
            rule_id: "r".into(),
            fingerprint: "f".into(),
            commit: None,
        }
    }

    #[test]
    fn routes_follow_the_kind() {
        let none = |_: &str| None;
        let o = Overrides::default();
        use CredentialKind as K;
        assert_eq!(
            of(K::AwsAccessKeyId, &[site("a.py")], o, &none),
            Route::IamRole
        );
        assert_eq!(
            of(K::SshPrivateKey, &[site("id_rsa")], o, &none),
            Route::InstanceConnect
        );
        assert_eq!(
            of(K::PrivateKey, &[site("k.pem")], o, &none),
            Route::SecretsManager
        );
        assert_eq!(of(K::EncryptionKey, &[site("a.py")], o, &none), Route::Kms);
        assert_eq!(
            of(K::ApiKey, &[site("a.py")], o, &none),
            Route::SecretsManager
        );
        let store = Overrides {
            store_aws_keys: true,
            store_encryption_keys: true,
        };
        assert_eq!(
            of(K::AwsSecretAccessKey, &[site("a.py")], store, &none),
            Route::SecretsManager
        );
        assert_eq!(
            of(K::EncryptionKey, &[site("a.py")], store, &none),
            Route::SecretsManager
        );
        let cert = |p: &str| (p == "tls.crt").then(|| "-----BEGIN CERTIFICATE-----\n".to_string());
        assert_eq!(of(K::PrivateKey, &[site("tls.key")], o, &cert), Route::Acm);
    }
}
