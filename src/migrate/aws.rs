//! The Secrets Manager side: a client from aws-config's default chains (bounded in time:
//! short IMDS probe, short connect timeout, two attempts), read-only lookups for the plan,
//! CreateSecret/PutSecretValue for `--apply`. Every error becomes one line without values.
//!
//! One HTTP client serves every call (region and credential providers, SSO, STS, Secrets
//! Manager): hyper 1 with rustls on ring, handed to each provider explicitly because the SDK
//! is built without its default client (aws-lc, slower to build; see Cargo.toml).

use super::{values, Action, Secret};
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
use aws_sdk_secretsmanager::types::Tag;
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
    /// Read-only: does `name` exist, and does it hold `value`?
    pub async fn lookup(&self, name: &str, value: &str) -> Result<Existing, OpError> {
        match self.client.get_secret_value().secret_id(name).send().await {
            Ok(out) => {
                let same = out
                    .secret_string()
                    .is_some_and(|s| values::same_value(s, value));
                Ok(Existing::Present {
                    arn: out.arn().unwrap_or(name).to_string(),
                    same,
                    version: out.version_id().unwrap_or_default().to_string(),
                })
            }
            Err(e) => {
                if let SdkError::ServiceError(s) = &e {
                    if s.err().is_resource_not_found_exception() {
                        return Ok(Existing::Absent);
                    }
                }
                Err(self.describe(&e, "GetSecretValue"))
            }
        }
    }

    pub async fn create(&self, s: &Secret) -> Result<String, OpError> {
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
            .send()
            .await
            .map_err(|e| self.describe(&e, "CreateSecret"))?;
        Ok(out.arn().unwrap_or(&s.name).to_string())
    }

    /// A new version. Its token also depends on the version it replaces: going back to an
    /// earlier value must make a new version, not hit the old token (a no-op in AWS).
    pub async fn put(&self, s: &Secret, replaces: &str) -> Result<String, OpError> {
        let token = super::plan::request_token(&format!("{}\0{replaces}", s.name), &s.value);
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
        Ok(match self.lookup(&s.name, &s.value).await? {
            Existing::Absent => Action::Create,
            Existing::Present {
                arn, same: true, ..
            } => Action::Same { arn },
            Existing::Present { arn, .. } => Action::Different { arn },
        })
    }

    /// Apply one secret: create, reuse, update (with `update`) or report a conflict.
    pub async fn apply(&self, s: &Secret, update: bool) -> Result<Action, OpError> {
        let existing = self.lookup(&s.name, &s.value).await?;
        let existing = match existing {
            Existing::Absent => match self.create(s).await {
                Ok(arn) => return Ok(Action::Created { arn }),
                Err(e) if e.message.contains("ResourceExistsException") => {
                    // Created concurrently (or a retried token): look again.
                    self.lookup(&s.name, &s.value).await?
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

fn one_line(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 300 {
        format!("{}...", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}
