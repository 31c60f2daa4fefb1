# Rust: one client per process (tokio's OnceCell), errors returned with `?`.
=== meta
caching: no
install: cargo add aws-config aws-sdk-secretsmanager serde_json tokio --features tokio/sync
patch: none
=== setup
type SecretError = Box<dyn std::error::Error + Send + Sync>;

// One Secrets Manager client for the process, created on first use.
static SECRETS_CLIENT: tokio::sync::OnceCell<aws_sdk_secretsmanager::Client> = tokio::sync::OnceCell::const_new();

async fn secret_value(name: &str, key: Option<&str>) -> Result<String, SecretError> {
    let client = SECRETS_CLIENT
        .get_or_init(|| async {
            let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
            aws_sdk_secretsmanager::Client::new(&config)
        })
        .await;
    let out = client.get_secret_value().secret_id(name).send().await?;
    let value = out.secret_string().ok_or("the secret has no string value")?.to_owned();
    match key {
        None => Ok(value),
        Some(k) => {
            let json: serde_json::Value = serde_json::from_str(&value)?;
            Ok(json[k].as_str().ok_or("no such key in the secret")?.to_owned())
        }
    }
}
=== read
async fn @@VAR@@() -> Result<String, SecretError> {
    secret_value("@@NAME@@", Some("@@KEY@@")).await
}
=== read-plain
async fn @@VAR@@() -> Result<String, SecretError> {
    secret_value("@@NAME@@", None).await
}
