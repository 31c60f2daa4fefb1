//! Replacement code: for each place a secret was found, code in that file's language that
//! reads the secret at run time, with the secret's real name and JSON key.

use super::{Secret, Site};
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lang {
    Python,
    Java,
    Javascript,
    Typescript,
    Go,
    Csharp,
    Ruby,
    Php,
    Rust,
    Shell,
    CloudformationYaml,
    CloudformationJson,
    Terraform,
    Kubernetes,
    Config,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::Java => "java",
            Lang::Javascript => "javascript",
            Lang::Typescript => "typescript",
            Lang::Go => "go",
            Lang::Csharp => "csharp",
            Lang::Ruby => "ruby",
            Lang::Php => "php",
            Lang::Rust => "rust",
            Lang::Shell => "shell",
            Lang::CloudformationYaml => "cloudformation-yaml",
            Lang::CloudformationJson => "cloudformation-json",
            Lang::Terraform => "terraform",
            Lang::Kubernetes => "kubernetes",
            Lang::Config => "config",
        }
    }
}

/// The language of a file, from its extension and, for YAML/JSON, its content.
pub fn detect(path: &str, content: Option<&str>) -> Lang {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let ext = Path::new(&name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_string();
    let text = content.unwrap_or("");
    let cfn = text.contains("AWSTemplateFormatVersion")
        || (text.contains("Resources") && text.contains("AWS::"));
    let k8s = text.contains("apiVersion") && text.contains("kind");
    match ext.as_str() {
        "py" | "pyw" => Lang::Python,
        "java" | "kt" | "kts" | "scala" | "groovy" => Lang::Java,
        "js" | "mjs" | "cjs" | "jsx" => Lang::Javascript,
        "ts" | "tsx" | "mts" | "cts" => Lang::Typescript,
        "go" => Lang::Go,
        "cs" => Lang::Csharp,
        "rb" => Lang::Ruby,
        "php" => Lang::Php,
        "rs" => Lang::Rust,
        "sh" | "bash" | "zsh" | "ksh" => Lang::Shell,
        "tf" | "tfvars" | "hcl" => Lang::Terraform,
        "yaml" | "yml" | "template" if cfn => Lang::CloudformationYaml,
        "json" if cfn => Lang::CloudformationJson,
        "yaml" | "yml" if k8s => Lang::Kubernetes,
        _ if name == "dockerfile" => Lang::Config,
        _ => Lang::Config,
    }
}

/// One snippet: where it goes and the code.
#[derive(Debug, Clone, Serialize)]
pub struct Snippet {
    pub path: String,
    pub line: usize,
    pub secret_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub language: Lang,
    /// Code that parses on its own (Java: a class body).
    pub code: String,
}

/// A snippet for every site of every secret. `content` gives a file's text when on disk.
pub fn for_secrets(
    secrets: &[&Secret],
    region: Option<&str>,
    content: &dyn Fn(&str) -> Option<String>,
) -> Vec<Snippet> {
    let mut out = Vec::new();
    for s in secrets {
        for site in &s.sites {
            let lang = detect(&site.path, content(&site.path).as_deref());
            let arn = super::iam::resource(s, region);
            out.push(Snippet {
                path: site.path.clone(),
                line: site.line,
                secret_name: s.name.clone(),
                key: site.key.clone(),
                language: lang,
                code: code(lang, &s.name, site.key.as_deref(), site, &arn),
            });
        }
    }
    out
}

/// A string literal safe in every language we emit (names are `[A-Za-z0-9/_+=.@-]`, keys
/// are `[a-z0-9_]`), so plain double quotes need no escaping.
fn ident(key: Option<&str>) -> String {
    let k = key.unwrap_or("secret");
    let mut s: String = k
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

fn camel(s: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in s.chars() {
        if c == '_' {
            up = !out.is_empty();
        } else if up {
            out.push(c.to_ascii_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The code for one site.
pub fn code(lang: Lang, name: &str, key: Option<&str>, site: &Site, arn: &str) -> String {
    let at = format!("{}:{}", site.path, site.line);
    let var = ident(key);
    let upper = var.to_ascii_uppercase();
    let cvar = camel(&var);
    match lang {
        Lang::Python => {
            let (load, idx) = match key {
                Some(k) => ("json.loads(", format!(")[\"{k}\"]")),
                None => ("", String::new()),
            };
            format!(
                "# {at}: replace the literal with a lookup (pip install boto3)\n\
                 import json\n\
                 import boto3\n\
                 \n\
                 {var} = {load}boto3.client(\"secretsmanager\").get_secret_value(SecretId=\"{name}\")[\"SecretString\"]{idx}\n\
                 \n\
                 # Long-running process: cache it (pip install aws-secretsmanager-caching)\n\
                 import botocore.session\n\
                 from aws_secretsmanager_caching import SecretCache, SecretCacheConfig\n\
                 \n\
                 _secret_cache = SecretCache(config=SecretCacheConfig(), client=botocore.session.get_session().create_client(\"secretsmanager\"))\n\
                 {var} = {load}_secret_cache.get_secret_string(\"{name}\"){idx}\n"
            )
        }
        Lang::Java => {
            let parse = |src: &str| match key {
                Some(k) => format!(
                    "software.amazon.awssdk.protocols.jsoncore.JsonNode.parser().parse({src}).asObject().get(\"{k}\").asString()"
                ),
                None => src.to_string(),
            };
            format!(
                "// {at}: replace the literal with {cvar}() (software.amazon.awssdk:secretsmanager, SDK v2)\n\
                 static String {cvar}() {{\n\
                 \x20   try (var client = software.amazon.awssdk.services.secretsmanager.SecretsManagerClient.create()) {{\n\
                 \x20       String secret = client.getSecretValue(r -> r.secretId(\"{name}\")).secretString();\n\
                 \x20       return {};\n\
                 \x20   }}\n\
                 }}\n\
                 \n\
                 // Long-running process: the caching client (com.amazonaws.secretsmanager:aws-secretsmanager-caching-java)\n\
                 static final com.amazonaws.secretsmanager.caching.SecretCache SECRET_CACHE = new com.amazonaws.secretsmanager.caching.SecretCache();\n\
                 static String {cvar}Cached() {{\n\
                 \x20   return {};\n\
                 }}\n",
                parse("secret"),
                parse(&format!("SECRET_CACHE.getSecretString(\"{name}\")"))
            )
        }
        Lang::Javascript | Lang::Typescript => {
            let import = if lang == Lang::Typescript {
                "import { SecretsManagerClient, GetSecretValueCommand } from \"@aws-sdk/client-secrets-manager\";".to_string()
            } else {
                "const { SecretsManagerClient, GetSecretValueCommand } = require(\"@aws-sdk/client-secrets-manager\");".to_string()
            };
            let (ret, ty) = match key {
                Some(k) => (
                    format!("JSON.parse(out.SecretString)[\"{k}\"]"),
                    if lang == Lang::Typescript { ": Promise<string>" } else { "" },
                ),
                None => (
                    "out.SecretString".to_string(),
                    if lang == Lang::Typescript { ": Promise<string | undefined>" } else { "" },
                ),
            };
            format!(
                "// {at}: replace the literal with `await {cvar}()` (npm install @aws-sdk/client-secrets-manager, SDK v3)\n\
                 {import}\n\
                 \n\
                 const secretsClient = new SecretsManagerClient({{}});\n\
                 let {cvar}Cache;\n\
                 async function {cvar}(){ty} {{\n\
                 \x20 // Cached for the life of the process; restart (or clear the cache) after rotation.\n\
                 \x20 if ({cvar}Cache === undefined) {{\n\
                 \x20   const out = await secretsClient.send(new GetSecretValueCommand({{ SecretId: \"{name}\" }}));\n\
                 \x20   {cvar}Cache = {ret};\n\
                 \x20 }}\n\
                 \x20 return {cvar}Cache;\n\
                 }}\n"
            )
        }
        Lang::Go => {
            let (decl, ret) = match key {
                Some(k) => (
                    "\tvar m map[string]any\n\tif err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &m); err != nil {\n\t\treturn \"\", err\n\t}\n".to_string(),
                    format!("\ts, _ := m[\"{k}\"].(string)\n\treturn s, nil\n"),
                ),
                None => (String::new(), "\treturn aws.ToString(out.SecretString), nil\n".to_string()),
            };
            let json_import = if key.is_some() { "\t\"encoding/json\"\n" } else { "" };
            format!(
                "// {at}: replace the literal with {cvar}(ctx) (AWS SDK for Go v2)\n\
                 import (\n\
                 \t\"context\"\n\
                 {json_import}\
                 \n\
                 \t\"github.com/aws/aws-sdk-go-v2/aws\"\n\
                 \t\"github.com/aws/aws-sdk-go-v2/config\"\n\
                 \t\"github.com/aws/aws-sdk-go-v2/service/secretsmanager\"\n\
                 )\n\
                 \n\
                 func {cvar}(ctx context.Context) (string, error) {{\n\
                 \tcfg, err := config.LoadDefaultConfig(ctx)\n\
                 \tif err != nil {{\n\t\treturn \"\", err\n\t}}\n\
                 \tout, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{{SecretId: aws.String(\"{name}\")}})\n\
                 \tif err != nil {{\n\t\treturn \"\", err\n\t}}\n\
                 {decl}{ret}}}\n"
            )
        }
        Lang::Csharp => {
            let get = match key {
                Some(k) => format!("System.Text.Json.JsonDocument.Parse(response.SecretString).RootElement.GetProperty(\"{k}\").GetString()"),
                None => "response.SecretString".to_string(),
            };
            format!(
                "// {at}: replace the literal with the value read here (dotnet add package AWSSDK.SecretsManager)\n\
                 using Amazon.SecretsManager;\n\
                 using Amazon.SecretsManager.Model;\n\
                 \n\
                 using var client = new AmazonSecretsManagerClient();\n\
                 var response = await client.GetSecretValueAsync(new GetSecretValueRequest {{ SecretId = \"{name}\" }});\n\
                 var {cvar} = {get};\n\
                 // Long-running process: Amazon.SecretsManager.Extensions.Caching's SecretsManagerCache caches it.\n"
            )
        }
        Lang::Ruby => {
            let get = match key {
                Some(k) => format!("JSON.parse(resp.secret_string)[\"{k}\"]"),
                None => "resp.secret_string".to_string(),
            };
            format!(
                "# {at}: replace the literal with the value read here (gem install aws-sdk-secretsmanager)\n\
                 require \"json\"\n\
                 require \"aws-sdk-secretsmanager\"\n\
                 \n\
                 resp = Aws::SecretsManager::Client.new.get_secret_value(secret_id: \"{name}\")\n\
                 {var} = {get}\n"
            )
        }
        Lang::Php => {
            let get = match key {
                Some(k) => format!("json_decode($result['SecretString'], true)['{k}']"),
                None => "$result['SecretString']".to_string(),
            };
            format!(
                "<?php\n\
                 // {at}: replace the literal with the value read here (composer require aws/aws-sdk-php)\n\
                 use Aws\\SecretsManager\\SecretsManagerClient;\n\
                 \n\
                 $client = new SecretsManagerClient(['version' => '2017-10-17']);\n\
                 $result = $client->getSecretValue(['SecretId' => '{name}']);\n\
                 ${var} = {get};\n"
            )
        }
        Lang::Rust => {
            let get = match key {
                Some(k) => format!(
                    "let json: serde_json::Value = serde_json::from_str(out.secret_string().unwrap_or_default())?;\nlet {var} = json[\"{k}\"].as_str().unwrap_or_default().to_owned();"
                ),
                None => format!("let {var} = out.secret_string().unwrap_or_default().to_owned();"),
            };
            format!(
                "// {at}: replace the literal with the value read here (crates aws-config, aws-sdk-secretsmanager)\n\
                 let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;\n\
                 let out = aws_sdk_secretsmanager::Client::new(&config)\n\
                 \x20   .get_secret_value()\n\
                 \x20   .secret_id(\"{name}\")\n\
                 \x20   .send()\n\
                 \x20   .await?;\n\
                 {get}\n"
            )
        }
        Lang::Shell => format!(
            "# {at}: replace the literal with the value read at run time\n\
             {upper}=\"$({})\"\n",
            cli(name, key)
        ),
        Lang::CloudformationYaml => format!(
            "# {at}: replace the literal with a dynamic reference\n\
             Value: '{}'\n",
            resolve(name, key)
        ),
        Lang::CloudformationJson => format!(
            "{{\"_comment\": \"{at}: replace the literal with this dynamic reference\", \"Value\": \"{}\"}}\n",
            resolve(name, key)
        ),
        Lang::Terraform => {
            let tf = var.to_ascii_lowercase();
            let get = match key {
                Some(k) => format!("jsondecode(data.aws_secretsmanager_secret_version.{tf}.secret_string)[\"{k}\"]"),
                None => format!("data.aws_secretsmanager_secret_version.{tf}.secret_string"),
            };
            format!(
                "# {at}: replace the literal with local.{tf}\n\
                 data \"aws_secretsmanager_secret_version\" \"{tf}\" {{\n\
                 \x20 secret_id = \"{name}\"\n\
                 }}\n\
                 \n\
                 locals {{\n\
                 \x20 {tf} = {get}\n\
                 }}\n"
            )
        }
        Lang::Kubernetes => {
            let res = format!("{}-secrets", var.replace('_', "-").to_ascii_lowercase());
            let jmes = match key {
                Some(k) => format!(
                    "        jmesPath:\n          - path: \"{k}\"\n            objectAlias: \"{k}\"\n"
                ),
                None => "        objectAlias: \"secret\"\n".to_string(),
            };
            let obj = key.unwrap_or("secret");
            format!(
                "# {at}: replace the literal with the file /mnt/secrets/{obj} (or the env var {upper}\n\
                 # via the synced Secret below); needs the Secrets Store CSI driver and its AWS provider.\n\
                 apiVersion: secrets-store.csi.x-k8s.io/v1\n\
                 kind: SecretProviderClass\n\
                 metadata:\n\
                 \x20 name: {res}\n\
                 spec:\n\
                 \x20 provider: aws\n\
                 \x20 parameters:\n\
                 \x20   objects: |\n\
                 \x20     - objectName: \"{name}\"\n\
                 \x20       objectType: \"secretsmanager\"\n\
                 {jmes}\
                 \x20 secretObjects:\n\
                 \x20   - secretName: {res}\n\
                 \x20     type: Opaque\n\
                 \x20     data:\n\
                 \x20       - objectName: \"{obj}\"\n\
                 \x20         key: {obj}\n\
                 # In the pod: a csi volume (driver: secrets-store.csi.k8s.io, volumeAttributes:\n\
                 # secretProviderClass: {res}) mounted at /mnt/secrets, and\n\
                 # env: [{{name: {upper}, valueFrom: {{secretKeyRef: {{name: {res}, key: {obj}}}}}}}]\n"
            )
        }
        Lang::Config => {
            let ecs_from = match key {
                Some(k) => format!("{}:{k}::", arn.trim_end_matches("-??????")),
                None => arn.trim_end_matches("-??????").to_string(),
            };
            format!(
                "# {at}: delete the value from this file and inject it at start-up instead,\n\
                 # e.g. in the launch script:\n\
                 export {upper}=\"$({})\"\n\
                 # and have the application read ${upper} (for .properties/Spring: ${{{upper}}}).\n\
                 # On ECS, a task-definition secret does the same:\n\
                 #   \"secrets\": [{{\"name\": \"{upper}\", \"valueFrom\": \"{ecs_from}\"}}]\n",
                cli(name, key)
            )
        }
    }
}

/// The AWS CLI (+ jq) command that prints the value.
pub fn cli(name: &str, key: Option<&str>) -> String {
    let base = format!(
        "aws secretsmanager get-secret-value --secret-id '{name}' --query SecretString --output text"
    );
    match key {
        Some(k) => format!("{base} | jq -r '.[\"{k}\"]'"),
        None => base,
    }
}

/// CloudFormation dynamic reference.
pub fn resolve(name: &str, key: Option<&str>) -> String {
    match key {
        Some(k) => format!("{{{{resolve:secretsmanager:{name}:SecretString:{k}}}}}"),
        None => format!("{{{{resolve:secretsmanager:{name}:SecretString}}}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_languages() {
        assert_eq!(detect("a/b.py", None), Lang::Python);
        assert_eq!(
            detect("t.yaml", Some("AWSTemplateFormatVersion: x")),
            Lang::CloudformationYaml
        );
        assert_eq!(
            detect("d.yaml", Some("apiVersion: v1\nkind: Pod")),
            Lang::Kubernetes
        );
        assert_eq!(detect(".env", None), Lang::Config);
        assert_eq!(detect("main.tf", None), Lang::Terraform);
    }

    #[test]
    fn resolve_reference() {
        assert_eq!(
            resolve("a/b", Some("password")),
            "{{resolve:secretsmanager:a/b:SecretString:password}}"
        );
    }
}
