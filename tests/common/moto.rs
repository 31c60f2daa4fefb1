//! Helpers for the `migrate` tests: the moto server scripts/test starts
//! (KEYSWEEP_TEST_MOTO_URL), the test venv's boto3 to read back what keysweep did, fixture
//! copies, and keysweep run with test credentials and nothing else from the environment.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn moto_url() -> String {
    super::prerequisite(
        "KEYSWEEP_TEST_MOTO_URL",
        "a moto server on loopback for the migrate tests",
    )
}

pub fn venv_python() -> PathBuf {
    Path::new(&super::prerequisite(
        "KEYSWEEP_TEST_VENV",
        "the Python venv with moto and boto3",
    ))
    .join("bin/python")
}

/// A name prefix unique to this run, so tests can share one server and re-run against it.
pub fn uniq(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{name}.{}.{nanos}", std::process::id())
}

/// A copy of a fixture directory in a fresh temporary directory, as `<tmp>/<dir name>`.
pub struct Tree {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub home: PathBuf,
}

impl Tree {
    /// git in the tree's root, in the tests' isolated git environment; a failure fails the
    /// test.
    pub fn git(&self, args: &[&str]) -> Output {
        run_ok(
            super::repo::isolated("git", &self.root)
                .env("HOME", &self.home)
                .args(args),
            "git",
        )
    }
}

pub fn tree_of(fixture: &str) -> Tree {
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture);
    let root = tmp.path().join(src.file_name().unwrap());
    std::fs::create_dir(&root).unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), root.join(e.file_name())).unwrap();
    }
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();
    Tree {
        _tmp: tmp,
        root,
        home,
    }
}

pub const TEST_CREDENTIALS: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing"),
    ("AWS_REGION", "us-east-1"),
];

/// `keysweep migrate <tree> ARGS` with test credentials.
pub fn migrate(t: &Tree, args: &[&str]) -> Output {
    keysweep_env(
        t,
        &[&["migrate", t.root.to_str().unwrap()], args].concat(),
        TEST_CREDENTIALS,
    )
}

/// `keysweep ARGS` (no path added) with exactly `env` besides PATH and HOME.
pub fn keysweep_env(t: &Tree, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_keysweep"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &t.home)
        .env("NO_COLOR", "1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", t.home.join("nonexistent-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            t.home.join("nonexistent-credentials"),
        );
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(args);
    c.output().unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs a boto3 script against the server (`sys.argv[1]` is its URL, then `args`) and
/// returns its stdout parsed as JSON (`null` when it prints nothing).
pub fn boto3(script: &str, args: &[&str]) -> Value {
    let prelude = r#"
import json, sys, boto3
def client(service, region="us-east-1"):
    return boto3.client(service, endpoint_url=sys.argv[1], region_name=region,
                        aws_access_key_id="testing", aws_secret_access_key="testing")
"#;
    let o = Command::new(venv_python())
        .arg("-c")
        .arg(format!("{prelude}\n{script}"))
        .arg(moto_url())
        .args(args)
        .output()
        .unwrap();
    assert!(o.status.success(), "boto3 script failed: {}", stderr(&o));
    let out = stdout(&o);
    if out.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&out).unwrap()
    }
}

/// Every secret on the server whose name starts with `prefix`, read back with boto3:
/// name, ARN, description, KMS key id, tags, current value and version, version count.
pub fn server_secrets(prefix: &str) -> Vec<Value> {
    let script = r#"
c = client("secretsmanager")
out = []
for page in c.get_paginator("list_secrets").paginate():
    for s in page["SecretList"]:
        if not s["Name"].startswith(sys.argv[2]):
            continue
        d = c.describe_secret(SecretId=s["ARN"])
        v = c.get_secret_value(SecretId=s["ARN"])
        out.append({
            "name": d["Name"], "arn": d["ARN"], "description": d.get("Description"),
            "kms_key_id": d.get("KmsKeyId"),
            "tags": {t["Key"]: t["Value"] for t in d.get("Tags", [])},
            "value": v["SecretString"], "version_id": v["VersionId"],
            "versions": len(d.get("VersionIdsToStages", {})),
        })
print(json.dumps(sorted(out, key=lambda x: x["name"])))
"#;
    boto3(script, &[prefix]).as_array().unwrap().clone()
}

/// A KMS key with an alias on the server; returns the key's ARN.
pub fn kms_key_with_alias(alias: &str) -> String {
    let script = r#"
k = client("kms")
arn = k.create_key(Description="keysweep test")["KeyMetadata"]["Arn"]
k.create_alias(AliasName=sys.argv[2], TargetKeyId=arn)
print(json.dumps(arn))
"#;
    boto3(script, &[alias]).as_str().unwrap().to_string()
}

pub fn run_ok(cmd: &mut Command, what: &str) -> Output {
    let o = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        o.status.success(),
        "{what} failed:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    o
}

/// A rotation function on the server (moto's Lambda without Docker: invocations answer
/// with a stub, which is all a rotation test against moto can have). Returns its ARN;
/// an existing function of that name is reused.
pub fn rotation_function(name: &str) -> String {
    let script = r#"
import io, urllib.request, zipfile
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/moto-api/config", method="POST",
    data=json.dumps({"lambda": {"use_docker": False}}).encode()))
iam, lam = client("iam"), client("lambda")
try:
    print(json.dumps(lam.get_function(FunctionName=sys.argv[2])["Configuration"]["FunctionArn"]))
    sys.exit(0)
except lam.exceptions.ResourceNotFoundException:
    pass
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"Service": "lambda.amazonaws.com"}}]}
try:
    role = iam.create_role(RoleName=sys.argv[2], AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
except iam.exceptions.EntityAlreadyExistsException:
    role = iam.get_role(RoleName=sys.argv[2])["Role"]["Arn"]
code = io.BytesIO()
with zipfile.ZipFile(code, "w") as z:
    z.writestr("index.py", "def handler(event, context):\n    return None\n")
fn = lam.create_function(FunctionName=sys.argv[2], Runtime="python3.12", Role=role,
                         Handler="index.handler", Code={"ZipFile": code.getvalue()})
print(json.dumps(fn["FunctionArn"]))
"#;
    boto3(script, &[name]).as_str().unwrap().to_string()
}
