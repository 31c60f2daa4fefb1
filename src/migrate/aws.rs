//! The Secrets Manager side: a client from aws-config's default chains (bounded in time:
//! short IMDS probe, short connect timeout, two attempts), read-only lookups for the plan,
//! CreateSecret/PutSecretValue for `--apply`. Every error becomes one line without values.
//!
//! One HTTP client serves every call (region and credential providers, SSO, STS, Secrets
//! Manager): hyper 1 with rustls on ring, handed to each provider explicitly because the SDK
//! is built without its default client (aws-lc, slower to build; see Cargo.toml).

use super::lifecycle::{Lifecycle, Rotator};
use super::{Action, Secret};
use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::environment::region::EnvironmentVariableRegionProvider;
use aws_config::imds::region::ImdsRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::ProfileFileRegionProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_secretsmanager::config::{ProvideCredentials, SharedHttpClient};
use aws_sdk_secretsmanager::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_secretsmanager::types::{
    Filter, FilterNameStringType, ReplicaRegionType, RotationRulesType, Tag,
};
use aws_sdk_secretsmanager::Client;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use std::time::Duration;

/// How long finding credentials (and the region) may take before we give up.
const CREDENTIALS_TIMEOUT: Duration = Duration::from_secs(6);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
const OPERATION_TIMEOUT: Duration = Duration::from_secs(25);

/// Where to connect: the `--region`, `--profile`, `--endpoint-url` flags.
#[derive(Debug, Clone, Default)]
pub struct Target {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
}

pub struct Conn {
    client: Client,
    kms: aws_sdk_kms::Client,
    pub region: String,
    /// For messages: the endpoint URL or "Secrets Manager in REGION".
    pub endpoint: String,
}

/// An error as one line; `fatal` ones (unreachable service, bad credentials) stop the run.
#[derive(Debug, Clone)]
pub struct OpError {
    pub fatal: bool,
    pub message: String,
}

/// What a name holds in Secrets Manager.
pub enum Existing {
    Absent,
    Present {
        arn: String,
        same: bool,
        /// The current version's id.
        version: String,
    },
}

/// HTTPS (and plain HTTP, for `--endpoint-url http://...` such as moto on loopback).
fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

fn imds_client(conf: &ProviderConfig) -> aws_config::imds::Client {
    aws_config::imds::Client::builder()
        .configure(conf)
        .connect_timeout(Duration::from_secs(1))
        .read_timeout(Duration::from_secs(1))
        .operation_timeout(Duration::from_secs(2))
        .max_attempts(1)
        .build()
}

/// Resolves region and credentials (each bounded in time) and builds the client.
pub async fn connect(t: &Target) -> Result<Conn, String> {
    let http = http_client();
    let conf = ProviderConfig::default().with_http_client(http.clone());
    let region = match &t.region {
        Some(r) => Some(r.clone()),
        None => {
            let chain = default_region_chain(&conf, t.profile.as_deref());
            tokio::time::timeout(CREDENTIALS_TIMEOUT, chain.region())
                .await
                .ok()
                .flatten()
                .map(|r| r.to_string())
        }
    };
    let Some(region) = region else {
        return Err(
            "no AWS region: pass --region, set AWS_REGION, or set region in your AWS profile"
                .into(),
        );
    };
    let mut creds = DefaultCredentialsChain::builder()
        .configure(conf.clone())
        .region(Region::new(region.clone()))
        .imds_client(imds_client(&conf));
    if let Some(p) = &t.profile {
        creds = creds.profile_name(p);
    }
    let creds = creds.build().await;
    match tokio::time::timeout(CREDENTIALS_TIMEOUT, creds.provide_credentials()).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            // The SDK's top-level message is generic; the innermost cause says what to fix
            // (a missing profile, an expired SSO session...).
            let mut cause: &dyn std::error::Error = &e;
            while let Some(next) = cause.source() {
                cause = next;
            }
            let why = one_line(&cause.to_string());
            let why = if why.starts_with("an error occurred while loading credentials")
                || why.starts_with("the credential provider was not enabled")
                || why.starts_with("no credentials found in chain")
                || why.contains("no providers in chain provided credentials")
            {
                String::new()
            } else {
                format!(" ({why})")
            };
            return Err(format!(
                "no AWS credentials found{why}: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, use --profile, or run `aws sso login`"
            ));
        }
        Err(_) => {
            return Err(format!(
                "no AWS credentials found within {}s: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, use --profile, or run `aws sso login`",
                CREDENTIALS_TIMEOUT.as_secs()
            ))
        }
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .region(Region::new(region.clone()))
        .credentials_provider(creds)
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(2)
                .with_max_backoff(Duration::from_secs(2)),
        );
    if let Some(p) = &t.profile {
        loader = loader.profile_name(p);
    }
    if let Some(u) = &t.endpoint_url {
        loader = loader.endpoint_url(u);
    }
    let config = loader.load().await;
    let endpoint = match &t.endpoint_url {
        Some(u) => u.clone(),
        None => format!("Secrets Manager in {region}"),
    };
    Ok(Conn {
        client: Client::new(&config),
        kms: aws_sdk_kms::Client::new(&config),
        region,
        endpoint,
    })
}

/// aws-config's default region chain (environment, profile, IMDS) on our HTTP client: its
/// own builder cannot be handed one, so the same three providers are chained here.
fn default_region_chain(conf: &ProviderConfig, profile: Option<&str>) -> RegionProviderChain {
    let mut from_profile = ProfileFileRegionProvider::builder().configure(conf);
    if let Some(p) = profile {
        from_profile = from_profile.profile_name(p);
    }
    let imds = ImdsRegionProvider::builder()
        .configure(conf)
        .imds_client(imds_client(conf))
        .build();
    RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
        .or_else(from_profile.build())
        .or_else(imds)
}

impl Conn {
    /// Read-only and value-free: does `name` exist, and does its current version hold
    /// `s.value`? Answered by `DescribeSecret` alone: keysweep writes every version under a
    /// ClientRequestToken derived from the name and the value ([`super::plan::request_token`]),
    /// so "same value" is "the current version's id is the token this value would get". A
    /// plan therefore needs no decrypt right and decrypts nothing; a secret someone else
    /// wrote with the same value shows as different.
    pub async fn lookup(&self, s: &Secret) -> Result<Existing, OpError> {
        match self
            .client
            .describe_secret()
            .secret_id(&s.name)
            .send()
            .await
        {
            Ok(out) if out.deleted_date().is_some() => Err(OpError {
                fatal: false,
                message: "the name belongs to a secret scheduled for deletion: restore it (aws secretsmanager restore-secret) or choose another name".into(),
            }),
            Ok(out) => {
                let stages = out.version_ids_to_stages();
                let current = stages
                    .and_then(|m| {
                        m.iter()
                            .find(|(_, st)| st.iter().any(|x| x == "AWSCURRENT"))
                            .map(|(id, _)| id.clone())
                    })
                    .unwrap_or_default();
                let others: Vec<&str> = stages
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                Ok(Existing::Present {
                    arn: out.arn().unwrap_or(&s.name).to_string(),
                    same: holds_value(&s.name, &s.value, &current, &others),
                    version: current,
                })
            }
            Err(e) => {
                if let SdkError::ServiceError(x) = &e {
                    if x.err().is_resource_not_found_exception() {
                        return Ok(Existing::Absent);
                    }
                }
                Err(self.describe(&e, "DescribeSecret"))
            }
        }
    }

    pub async fn create(&self, s: &Secret, replicas: &[String]) -> Result<String, OpError> {
        let tags: Vec<Tag> = s
            .tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        let out = self
            .client
            .create_secret()
            .name(&s.name)
            .description(&s.description)
            .secret_string(&s.value)
            .client_request_token(&s.token)
            .set_kms_key_id(s.kms_key_id.clone())
            .set_tags(Some(tags))
            .set_add_replica_regions(replica_regions(replicas))
            .send()
            .await
            .map_err(|e| self.describe(&e, "CreateSecret"))?;
        Ok(out.arn().unwrap_or(&s.name).to_string())
    }

    /// A new version. Its token also depends on the version it replaces: going back to an
    /// earlier value must make a new version, not hit the old token (a no-op in AWS).
    pub async fn put(&self, s: &Secret, replaces: &str) -> Result<String, OpError> {
        let token = update_token(&s.name, replaces, &s.value);
        let out = self
            .client
            .put_secret_value()
            .secret_id(&s.name)
            .secret_string(&s.value)
            .client_request_token(token)
            .send()
            .await
            .map_err(|e| self.describe(&e, "PutSecretValue"))?;
        Ok(out.arn().unwrap_or(&s.name).to_string())
    }

    /// Plan: what Secrets Manager holds under this secret's name. What `--update` would do
    /// with a different value is the plan's wording (`render::describe`), not a lookup result.
    pub async fn check(&self, s: &Secret) -> Result<Action, OpError> {
        Ok(match self.lookup(s).await? {
            Existing::Absent => Action::Create,
            Existing::Present {
                arn, same: true, ..
            } => Action::Same { arn },
            Existing::Present { arn, .. } => Action::Different { arn },
        })
    }

    /// Apply one secret: create, reuse, update (with `update`) or report a conflict.
    pub async fn apply(
        &self,
        s: &Secret,
        update: bool,
        life: &Lifecycle,
    ) -> Result<Action, OpError> {
        let existing = self.lookup(s).await?;
        let existing = match existing {
            Existing::Absent => match self.create(s, &life.replica_regions).await {
                Ok(arn) => return Ok(Action::Created { arn }),
                Err(e) if e.message.contains("ResourceExistsException") => {
                    // Created concurrently (or a retried token): look again.
                    self.lookup(s).await?
                }
                Err(e) => return Err(e),
            },
            other => other,
        };
        match existing {
            Existing::Absent => Err(OpError {
                fatal: false,
                message: "secret vanished while being created".into(),
            }),
            Existing::Present {
                arn, same: true, ..
            } => Ok(Action::Reused { arn }),
            Existing::Present { arn, version, .. } if update => {
                let arn = self
                    .put(s, &version)
                    .await
                    .map(|a| if a.is_empty() { arn } else { a })?;
                Ok(Action::Updated { arn })
            }
            Existing::Present { arn, .. } => Ok(Action::Conflict { arn }),
        }
    }

    /// `kms:DescribeKey`: the key ARN behind a key id, key ARN, alias name or alias ARN. A
    /// policy can grant `kms:Decrypt` only on the key itself.
    pub async fn key_arn(&self, key: &str) -> Result<String, OpError> {
        let out = self
            .kms
            .describe_key()
            .key_id(key)
            .send()
            .await
            .map_err(|e| self.describe(&e, "kms:DescribeKey"))?;
        out.key_metadata()
            .and_then(|m| m.arn())
            .map(str::to_string)
            .ok_or_else(|| OpError {
                fatal: false,
                message: format!("kms:DescribeKey: no key ARN for {key}"),
            })
    }

    /// After a secret is in place: replicas it lacks, the resource policy, rotation. Each
    /// step is one line in the result (`Err` when it failed). Rotation starts (and rotates at
    /// once) only where it is not already on, or when this run stored a new value.
    pub async fn after_store(
        &self,
        s: &Secret,
        stored_now: bool,
        life: &Lifecycle,
    ) -> Vec<Result<String, String>> {
        let mut out = Vec::new();
        let arn = s.action.arn().unwrap_or(&s.name).to_string();
        let d = match self.client.describe_secret().secret_id(&arn).send().await {
            Ok(d) => d,
            Err(e) => return vec![Err(self.describe(&e, "DescribeSecret").message)],
        };
        let have: Vec<&str> = d
            .replication_status()
            .iter()
            .filter_map(|r| r.region())
            .collect();
        let missing: Vec<String> = life
            .replica_regions
            .iter()
            .filter(|r| !have.contains(&r.as_str()))
            .cloned()
            .collect();
        if !missing.is_empty() {
            let r = self
                .client
                .replicate_secret_to_regions()
                .secret_id(&arn)
                .set_add_replica_regions(replica_regions(&missing))
                .send()
                .await;
            out.push(match r {
                Ok(_) => Ok(format!("replicated to {}", missing.join(", "))),
                Err(e) => Err(self.describe(&e, "ReplicateSecretToRegions").message),
            });
        } else if !life.replica_regions.is_empty() {
            out.push(Ok(format!(
                "{} {}",
                if stored_now {
                    "replicated to"
                } else {
                    "already replicated to"
                },
                life.replica_regions.join(", ")
            )));
        }
        if !life.readers.is_empty() {
            let policy = super::lifecycle::resource_policy(&life.readers, s.caching);
            let r = self
                .client
                .put_resource_policy()
                .secret_id(&arn)
                .resource_policy(policy.to_string())
                .block_public_policy(true)
                .send()
                .await;
            out.push(match r {
                Ok(_) => Ok(format!(
                    "resource policy: only {} may read it",
                    life.readers.join(", ")
                )),
                Err(e) => Err(self.describe(&e, "PutResourcePolicy").message),
            });
        }
        if let Some(rot) = &life.rotation {
            if d.rotation_enabled() == Some(true) && !stored_now {
                out.push(Ok("rotation already enabled".into()));
            } else {
                let rules = RotationRulesType::builder()
                    .set_automatically_after_days(rot.after_days)
                    .set_schedule_expression(rot.schedule.clone())
                    .set_duration(rot.window.clone())
                    .build();
                let lambda = match &rot.rotator {
                    Rotator::Lambda(a) => Some(a.clone()),
                    Rotator::Managed => None,
                };
                let r = self
                    .client
                    .rotate_secret()
                    .secret_id(&arn)
                    .set_rotation_lambda_arn(lambda)
                    .rotation_rules(rules)
                    .rotate_immediately(true)
                    .send()
                    .await;
                let when = rot.schedule.clone().unwrap_or_else(|| {
                    format!("every {} days", rot.after_days.unwrap_or_default())
                });
                out.push(match r {
                    Ok(_) => Ok(format!(
                        "rotation enabled ({when}), first rotation started now"
                    )),
                    Err(e) => Err(self.describe(&e, "RotateSecret").message),
                });
            }
        }
        out
    }

    /// Every secret carrying the `keysweep:fingerprint` tag (`ListSecrets`, all pages), then
    /// each one's `DescribeSecret`. Never reads a value.
    pub async fn keysweep_secrets(&self) -> Result<Vec<super::status::Described>, OpError> {
        let mut arns = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .client
                .list_secrets()
                .filters(
                    Filter::builder()
                        .key(FilterNameStringType::TagKey)
                        .values(super::FINGERPRINT_TAG)
                        .build(),
                )
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| self.describe(&e, "ListSecrets"))?;
            arns.extend(
                page.secret_list()
                    .iter()
                    .filter_map(|s| s.arn().map(str::to_string)),
            );
            match page.next_token() {
                Some(t) if !t.is_empty() => next = Some(t.to_string()),
                _ => break,
            }
        }
        let mut out = Vec::new();
        for arn in arns {
            let d = self
                .client
                .describe_secret()
                .secret_id(&arn)
                .send()
                .await
                .map_err(|e| self.describe(&e, "DescribeSecret"))?;
            let tag = |k: &str| {
                d.tags()
                    .iter()
                    .find(|t| t.key() == Some(k))
                    .and_then(|t| t.value())
                    .unwrap_or_default()
                    .to_string()
            };
            out.push(super::status::Described {
                name: d.name().unwrap_or_default().to_string(),
                arn: d.arn().unwrap_or(&arn).to_string(),
                fingerprint: tag(super::FINGERPRINT_TAG),
                path: tag("keysweep:path"),
                repo: tag("keysweep:repo"),
                created: d.created_date().map(|t| t.secs()),
                last_accessed: d.last_accessed_date().map(|t| t.secs()),
                rotation_enabled: d.rotation_enabled() == Some(true),
                last_rotated: d.last_rotated_date().map(|t| t.secs()),
                kms_key_id: d.kms_key_id().map(str::to_string),
                replicas: d
                    .replication_status()
                    .iter()
                    .map(|r| {
                        (
                            r.region().unwrap_or_default().to_string(),
                            r.status()
                                .map(|s| s.as_str().to_string())
                                .unwrap_or_default(),
                        )
                    })
                    .collect(),
            });
        }
        Ok(out)
    }

    /// One line for an SDK error; never includes request content.
    fn describe<E: ProvideErrorMetadata + std::error::Error>(
        &self,
        e: &SdkError<E, aws_sdk_secretsmanager::config::http::HttpResponse>,
        op: &str,
    ) -> OpError {
        let ep = &self.endpoint;
        match e {
            SdkError::DispatchFailure(d) => {
                let why = if d.is_timeout() {
                    "timed out"
                } else if d.is_io() {
                    "connection failed (refused or unreachable)"
                } else {
                    "request could not be sent"
                };
                OpError {
                    fatal: true,
                    message: format!("cannot reach {ep}: {why}"),
                }
            }
            SdkError::TimeoutError(_) => OpError {
                fatal: true,
                message: format!("cannot reach {ep}: timed out"),
            },
            SdkError::ResponseError(_) => OpError {
                fatal: true,
                message: format!("{op}: unreadable response from {ep} (is it Secrets Manager?)"),
            },
            SdkError::ServiceError(s) => {
                let err = s.err();
                let code = err.code().unwrap_or("UnknownError");
                let msg = err.message().map(one_line).unwrap_or_default();
                let fatal = matches!(
                    code,
                    "UnrecognizedClientException"
                        | "InvalidClientTokenId"
                        | "InvalidSignatureException"
                        | "ExpiredTokenException"
                        | "IncompleteSignature"
                        | "SignatureDoesNotMatch"
                );
                let what = if code == "AccessDeniedException" {
                    format!("{op}: access denied ({code})")
                } else if fatal {
                    format!("{op}: AWS credentials rejected ({code})")
                } else {
                    format!("{op}: {code}")
                };
                OpError {
                    fatal,
                    message: if msg.is_empty() {
                        what
                    } else {
                        format!("{what}: {msg}")
                    },
                }
            }
            _ => OpError {
                fatal: true,
                message: format!("{op}: {}", one_line(&e.to_string())),
            },
        }
    }
}

fn replica_regions(regions: &[String]) -> Option<Vec<ReplicaRegionType>> {
    if regions.is_empty() {
        return None;
    }
    Some(
        regions
            .iter()
            .map(|r| ReplicaRegionType::builder().region(r).build())
            .collect(),
    )
}

/// The token of a version that replaced version `replaces` with `value` (`--update`).
pub fn update_token(name: &str, replaces: &str, value: &str) -> String {
    super::plan::request_token(&format!("{name}\0{replaces}"), value)
}

/// True when the current version `current` is one keysweep wrote for `value`: created with
/// it, or stored by `--update` over one of the secret's other versions.
pub fn holds_value(name: &str, value: &str, current: &str, versions: &[&str]) -> bool {
    !current.is_empty()
        && (current == super::plan::request_token(name, value)
            || versions
                .iter()
                .any(|v| *v != current && current == update_token(name, v, value)))
}

pub(crate) fn one_line(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 300 {
        format!("{}...", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::plan::request_token;

    #[test]
    fn the_current_version_tells_whether_it_holds_this_value() {
        let created = request_token("n", "v1");
        assert!(holds_value("n", "v1", &created, &[&created]));
        assert!(!holds_value("n", "v2", &created, &[&created]));
        assert!(!holds_value("other", "v1", &created, &[&created]));
        // After --update over `created`, the current version is the update's token.
        let updated = update_token("n", &created, "v2");
        assert!(holds_value("n", "v2", &updated, &[&created, &updated]));
        assert!(!holds_value("n", "v1", &updated, &[&created, &updated]));
        // A version someone else wrote (random id): never "same".
        assert!(!holds_value(
            "n",
            "v1",
            "3f2c9a7e-0000-4000-8000-000000000000",
            &[]
        ));
        assert!(!holds_value("n", "v1", "", &[]));
    }
}
