//! `keysweep migrate` against a real Secrets Manager-compatible server: moto on loopback,
//! started by scripts/test (KEYSWEEP_TEST_MOTO_URL, KEYSWEEP_TEST_VENV). What was created is
//! read back with boto3 from the test venv, not through keysweep. Snippets and patches are
//! checked with real parsers (python, node, javac's parser, yaml).
#![cfg(feature = "migrate")]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/migrate/app");

// The fake credentials in testdata/migrate/app.
const PY_KEY_ID: &str = "AKIAUJZDEGXDNCF32EPF";
const PY_SECRET: &str = "2hpChYgCfrL1spNxnyVmihA+2O76UMFxFkM+R5Kj";
const JS_SECRET: &str = "I8ihN5KXSc7Tvo+hBKqFYY+kv5ZJr3J1TWDtkwtD";
const JAVA_SECRET: &str = "ZYn9ZhyiA4uoRgnatmUdjAWtGSU8po/799NksnRH";
const CFN_SECRET: &str = "yEZDz+TddJ8HyS5SUkCnD8zRA9a9SkpXz9w3QlY7";
const DB_PASSWORD: &str = "Zr8vQe2LkP4x";
const ENV_SECRET: &str = "biheyEd7P4zDL+ak6J0kGODKdinZnLXicaBAg8WY";
const K8S_SECRET: &str = "7/wy5yq1XoY1BaIMcAxYmfsB4HbQLXjjlAFbVV6q";
const JSON_SECRET: &str = "nneGEYG1/LwiqD9jJBAciI05FhfwKVqlUr5Qrec8";
const GO_SECRET: &str = "RTk8j1d+bWWbjkloG1QX647kdNl9cDo+/GbVMszv";
const ALL_SECRETS: &[&str] = &[
    PY_SECRET,
    JS_SECRET,
    JAVA_SECRET,
    CFN_SECRET,
    DB_PASSWORD,
    ENV_SECRET,
    K8S_SECRET,
    JSON_SECRET,
    GO_SECRET,
];

fn moto_url() -> String {
    std::env::var("KEYSWEEP_TEST_MOTO_URL").unwrap_or_else(|_| {
        panic!(
            "KEYSWEEP_TEST_MOTO_URL is not set: run the tests with scripts/test, which starts \
             a moto server on loopback (these tests do not skip)"
        )
    })
}

/// A name prefix unique to this run, so tests can share one server and re-run against it.
fn uniq(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{name}.{}.{nanos}", std::process::id())
}

fn venv_python() -> PathBuf {
    let venv = std::env::var("KEYSWEEP_TEST_VENV").unwrap_or_else(|_| {
        panic!("KEYSWEEP_TEST_VENV is not set: run the tests with scripts/test")
    });
    Path::new(&venv).join("bin/python")
}

/// A copy of the fixture in a fresh temporary directory, as `<tmp>/app`.
struct Tree {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
}

fn tree() -> Tree {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("app");
    std::fs::create_dir(&root).unwrap();
    for e in std::fs::read_dir(FIXTURE).unwrap() {
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

/// Runs keysweep with test credentials and nothing else from the environment.
fn keysweep(t: &Tree, args: &[&str]) -> Output {
    keysweep_env(
        t,
        args,
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
        ],
    )
}

fn keysweep_env(t: &Tree, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_keysweep"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", &t.home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", t.home.join("nonexistent-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            t.home.join("nonexistent-credentials"),
        );
    for (k, v) in env {
        c.env(k, v);
    }
    c.arg("migrate").arg(&t.root).args(args);
    c.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_no_secret_values(what: &str, text: &str) {
    for s in ALL_SECRETS {
        assert!(!text.contains(s), "{what} leaks a secret value:\n{text}");
    }
}

/// Every secret on the server whose name starts with `prefix`, read back with boto3:
/// name, description, KMS key id, tags, current value, version count.
fn server_secrets(prefix: &str) -> Vec<Value> {
    let script = r#"
import json, sys, boto3
c = boto3.client("secretsmanager", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="testing", aws_secret_access_key="testing")
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
    let o = Command::new(venv_python())
        .args(["-c", script, &moto_url(), prefix])
        .output()
        .unwrap();
    assert!(o.status.success(), "boto3 read-back failed: {}", stderr(&o));
    serde_json::from_slice::<Value>(&o.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn by_name<'a>(secrets: &'a [Value], suffix: &str) -> &'a Value {
    secrets
        .iter()
        .find(|s| s["name"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no secret named *{suffix} in {secrets:#?}"))
}

#[test]
fn plan_without_apply_sends_nothing_and_plan_out_has_no_values() {
    let t = tree();
    let p_plan = uniq("t-plan");
    let url = moto_url();
    let plan = t.home.join("plan.json");
    let o = keysweep(
        &t,
        &[
            "--endpoint-url",
            &url,
            "--prefix",
            &p_plan,
            "--plan-out",
            plan.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("nothing is sent without --apply"), "{out}");
    assert!(
        out.contains("create (checked: no secret has this name)"),
        "the plan looks names up read-only: {out}"
    );
    assert!(
        out.contains(&format!("{p_plan}/app/settings.py/aws-access-key-id")),
        "{out}"
    );
    assert!(
        out.contains("-??????"),
        "plan policy uses ARN patterns: {out}"
    );
    assert!(out.contains("ROTATE NOW"), "{out}");
    assert_no_secret_values("plan output", &out);
    assert_no_secret_values("stderr", &stderr(&o));
    assert!(
        server_secrets(&format!("{p_plan}/")).is_empty(),
        "a plan must not create anything"
    );

    let text = std::fs::read_to_string(&plan).unwrap();
    assert_no_secret_values("--plan-out", &text);
    assert!(!text.contains(PY_KEY_ID), "--plan-out holds a key id");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["mode"], "plan");
    let names: Vec<&str> = doc["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let want = format!("{p_plan}/app/settings.py/aws-access-key-id");
    assert!(names.contains(&want.as_str()), "{names:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&plan).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}

#[test]
fn apply_creates_then_rerun_reuses() {
    let t = tree();
    let p_apply = uniq("t-apply");
    let url = moto_url();
    let args = [
        "--endpoint-url",
        &url,
        "--prefix",
        &p_apply,
        "--apply",
        "--tag",
        "team=payments",
        "--kms-key-id",
        "alias/keysweep-test",
    ];
    let o = keysweep(&t, &args);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert_no_secret_values("apply output", &out);
    assert_no_secret_values("apply stderr", &stderr(&o));
    assert!(out.contains("created arn:aws:secretsmanager:"), "{out}");
    let secrets = server_secrets(&format!("{p_apply}/"));
    assert!(secrets.len() >= 4, "{secrets:#?}");
    let py = by_name(&secrets, "/settings.py/aws-access-key-id");
    let v: Value = serde_json::from_str(py["value"].as_str().unwrap()).unwrap();
    assert_eq!(v["aws_access_key_id"], PY_KEY_ID);
    assert_eq!(v["aws_secret_access_key"], PY_SECRET);
    assert_eq!(
        py["name"],
        format!("{p_apply}/app/settings.py/aws-access-key-id")
    );
    assert_eq!(py["kms_key_id"], "alias/keysweep-test");
    assert_eq!(py["tags"]["keysweep:rule"], "aws-access-key-id");
    assert_eq!(py["tags"]["keysweep:path"], "settings.py");
    assert_eq!(py["tags"]["team"], "payments");
    assert_eq!(
        py["tags"]["keysweep:fingerprint"].as_str().unwrap().len(),
        32
    );
    assert!(
        py["description"]
            .as_str()
            .unwrap()
            .contains("settings.py:4"),
        "{py}"
    );
    let js = by_name(&secrets, "/client.js/aws-access-key-id");
    let v: Value = serde_json::from_str(js["value"].as_str().unwrap()).unwrap();
    assert_eq!(v["aws_secret_access_key"], JS_SECRET);
    // deploy.sh holds the same pair: one secret, not two.
    let same: Vec<&Value> = secrets
        .iter()
        .filter(|s| s["value"].as_str().unwrap().contains(JS_SECRET))
        .collect();
    assert_eq!(same.len(), 1, "{same:#?}");
    assert!(!secrets
        .iter()
        .any(|s| s["name"].as_str().unwrap().contains("deploy.sh")));
    // The postgres URL (built-in connection-string rule) is an RDS-structured secret.
    let db = secrets
        .iter()
        .find(|s| s["value"].as_str().unwrap().contains("\"engine\""))
        .expect("a database secret for settings.py:6");
    assert!(
        db["name"].as_str().unwrap().contains("/settings.py/"),
        "{db}"
    );
    let v: Value = serde_json::from_str(db["value"].as_str().unwrap()).unwrap();
    assert_eq!(v["password"], DB_PASSWORD);
    // The policy after apply names exactly the created ARNs.
    assert!(out.contains(py["arn"].as_str().unwrap()), "{out}");

    // Re-running is a no-op: everything reused, no new version.
    let o = keysweep(&t, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("reused arn:aws:secretsmanager:"));
    assert!(stderr(&o).contains("created 0,"), "{}", stderr(&o));
    let again = server_secrets(&format!("{p_apply}/"));
    assert_eq!(again.len(), secrets.len());
    for (a, b) in secrets.iter().zip(&again) {
        assert_eq!(
            a["version_id"], b["version_id"],
            "re-run made a new version"
        );
    }
}

#[test]
fn conflict_is_reported_and_update_stores_a_new_version() {
    let t = tree();
    let p_conflict = uniq("t-conflict");
    let url = moto_url();
    let base = [
        "--endpoint-url",
        &url,
        "--prefix",
        &p_conflict,
        "--path",
        "settings.py",
    ];
    let o = keysweep(&t, &[&base[..], &["--apply"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The key is rotated in the file: the same name now gets another value.
    let new_secret = "Qm7Rt2Vx9Lp4Kd8Hs3Nf6Bw1Zc5Yj0Ga7Ue2Ti9O";
    let settings = t.root.join("settings.py");
    let text = std::fs::read_to_string(&settings).unwrap();
    std::fs::write(&settings, text.replace(PY_SECRET, new_secret)).unwrap();

    let o = keysweep(&t, &[&base[..], &["--apply"]].concat());
    assert_eq!(o.status.code(), Some(1), "a conflict is not success");
    let out = stdout(&o);
    assert!(out.contains("CONFLICT"), "{out}");
    assert!(!out.contains(new_secret));
    assert!(stderr(&o).contains("conflicts 1"), "{}", stderr(&o));
    let s = server_secrets(&format!("{p_conflict}/"));
    let aws = by_name(&s, "/aws-access-key-id");
    let v: Value = serde_json::from_str(aws["value"].as_str().unwrap()).unwrap();
    assert_eq!(
        v["aws_secret_access_key"], PY_SECRET,
        "conflict must not overwrite"
    );

    let o = keysweep(&t, &[&base[..], &["--apply", "--update"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("updated arn:"), "{}", stdout(&o));
    let s2 = server_secrets(&format!("{p_conflict}/"));
    let aws2 = by_name(&s2, "/aws-access-key-id");
    let v: Value = serde_json::from_str(aws2["value"].as_str().unwrap()).unwrap();
    assert_eq!(v["aws_secret_access_key"], new_secret);
    assert_eq!(s2.len(), s.len(), "--update makes no new secret");
    assert_eq!(aws2["arn"], aws["arn"]);
}

#[test]
fn too_large_value_and_bad_templates_are_refused_before_any_call() {
    let t = tree();
    let (p_big, p_long, p_tags) = (uniq("t-big"), uniq("t-long"), uniq("t-tags"));
    let url = moto_url();
    // A custom rule that matches a 66 KB token: its secret cannot fit in 64 KiB.
    std::fs::write(
        t.root.join(".keysweep.toml"),
        r#"[[rules]]
id = "test-huge-token"
name = "Huge test token"
description = "A test token too large for Secrets Manager."
keywords = ["hugetoken_"]
regex = '''\bhugetoken_([A-Za-z0-9]{66000,70000})\b'''
window = [0, 70100]
examples = []
"#,
    )
    .unwrap();
    let big: String = (0..66500)
        .map(|i| (b'a' + ((i * 7 + i / 13) % 26) as u8) as char)
        .collect();
    std::fs::write(t.root.join("big.txt"), format!("T = \"hugetoken_{big}\"\n")).unwrap();
    let o = keysweep(&t, &["--endpoint-url", &url, "--prefix", &p_big, "--apply"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("big.txt:1") && err.contains("at most 65536 bytes"),
        "{err}"
    );
    assert!(err.contains("nothing was sent"), "{err}");
    assert!(!err.contains(&big[..40]), "error leaks the value");
    assert!(
        server_secrets(&format!("{p_big}/")).is_empty(),
        "refusal must precede every call"
    );
    std::fs::remove_file(t.root.join("big.txt")).unwrap();

    // Unknown placeholder, characters AWS refuses, names over 512 characters.
    for (tpl, msg) in [
        ("{prefix}/{nope}/{rule}", "unknown placeholder"),
        ("{prefix} {path}", "not allowed in secret names"),
        ("fixed-name", "no placeholder"),
    ] {
        let o = keysweep(
            &t,
            &["--endpoint-url", &url, "--name-template", tpl, "--apply"],
        );
        assert_eq!(o.status.code(), Some(2), "{tpl}");
        assert!(stderr(&o).contains(msg), "{tpl}: {}", stderr(&o));
    }
    let long = format!("{p_long}/{}/{{path}}/{{rule}}", "x".repeat(520));
    let o = keysweep(
        &t,
        &["--endpoint-url", &url, "--name-template", &long, "--apply"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("at most 512"), "{}", stderr(&o));
    let o = keysweep(
        &t,
        &[
            "--endpoint-url",
            &url,
            "--prefix",
            &p_tags,
            "--tag",
            &format!("k={}", "v".repeat(300)),
            "--apply",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("at most 256"), "{}", stderr(&o));
    assert!(server_secrets(&format!("{p_long}/")).is_empty());
    assert!(server_secrets(&format!("{p_tags}/")).is_empty());
}

#[test]
fn server_down_is_one_clear_line_quickly() {
    let t = tree();
    let p_down = uniq("t-down");
    // A port nobody listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let o = keysweep(
        &t,
        &["--endpoint-url", &url, "--prefix", &p_down, "--apply", "-q"],
    );
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot reach") && err.contains(&url), "{err}");
    assert!(took < Duration::from_secs(15), "took {took:?}");

    // A plan still prints, marked "not checked", and says why in one line.
    let o = keysweep(&t, &["--endpoint-url", &url, "--prefix", &p_down, "-q"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("create (not checked: cannot reach"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn missing_credentials_is_one_clear_line_quickly() {
    let t = tree();
    let p_nocreds = uniq("t-nocreds");
    let url = moto_url();
    let started = Instant::now();
    let o = keysweep_env(
        &t,
        &[
            "--endpoint-url",
            &url,
            "--prefix",
            &p_nocreds,
            "--apply",
            "-q",
        ],
        &[("AWS_REGION", "us-east-1")],
    );
    let took = started.elapsed();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no AWS credentials"), "{err}");
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert!(server_secrets(&format!("{p_nocreds}/")).is_empty());

    // Without --apply, the plan says it could not check.
    let o = keysweep_env(
        &t,
        &["--endpoint-url", &url, "-q"],
        &[("AWS_REGION", "us-east-1")],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("create (not checked: no AWS credentials"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn database_url_becomes_an_rds_secret() {
    let t = tree();
    let p_db = uniq("t-db");
    let url = moto_url();
    // A rule of our own for the URL, so this tests migrate and not the rule pack (a built-in
    // connection-string rule matching the same literal is merged into the same secret).
    std::fs::write(
        t.root.join(".keysweep.toml"),
        r#"[[rules]]
id = "test-postgres-url"
name = "Test postgres URL"
description = "Postgres URL with a password, for the migrate tests."
keywords = ["postgres://"]
regex = '''(postgres://[a-z]+:[A-Za-z0-9]{8,}@[a-z.]+:[0-9]+/[a-z]+)'''
examples = []
"#,
    )
    .unwrap();
    let o = keysweep(
        &t,
        &[
            "--endpoint-url",
            &url,
            "--prefix",
            &p_db,
            "--path",
            "settings.py",
            "--apply",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let db = doc["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "database")
        .unwrap_or_else(|| {
            panic!("no database secret for the postgres URL in settings.py:6\n{doc:#}")
        });
    let name = db["name"].as_str().unwrap();
    let s = server_secrets(name);
    let v: Value = serde_json::from_str(s[0]["value"].as_str().unwrap()).unwrap();
    assert_eq!(v["engine"], "postgres");
    assert_eq!(v["host"], "db.internal");
    assert_eq!(v["port"], 5432);
    assert_eq!(v["username"], "app");
    assert_eq!(v["password"], DB_PASSWORD);
    assert_eq!(v["dbname"], "orders");
}

/// The JSON plan of the fixture, without contacting anything.
fn offline_plan(t: &Tree, extra: &[&str]) -> Value {
    let o = keysweep(
        t,
        &[
            &["--no-lookup", "--format", "json", "--prefix", "t-snip"],
            extra,
        ]
        .concat(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn run_ok(cmd: &mut Command, what: &str) {
    let o = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        o.status.success(),
        "{what} failed:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
}

/// Java syntax check without the SDK on the class path: javac's parser only (JavacTask.parse).
fn java_parse(files: &[PathBuf], dir: &Path) {
    let checker = dir.join("ParseOnly.java");
    std::fs::write(
        &checker,
        r#"import javax.tools.*;
import com.sun.source.util.JavacTask;
public class ParseOnly {
    public static void main(String[] args) throws Exception {
        JavaCompiler c = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> d = new DiagnosticCollector<>();
        StandardJavaFileManager fm = c.getStandardFileManager(d, null, null);
        JavacTask t = (JavacTask) c.getTask(null, fm, d, java.util.List.of("-proc:none"), null, fm.getJavaFileObjects(args));
        t.parse();
        boolean bad = false;
        for (Diagnostic<? extends JavaFileObject> x : d.getDiagnostics()) {
            if (x.getKind() == Diagnostic.Kind.ERROR) { System.err.println(x); bad = true; }
        }
        System.exit(bad ? 1 : 0);
    }
}
"#,
    )
    .unwrap();
    let mut c = Command::new("java");
    c.arg(&checker).args(files);
    run_ok(&mut c, "java parse-only check");
}

#[test]
fn snippets_parse_with_real_parsers() {
    let t = tree();
    let doc = offline_plan(&t, &[]);
    let snippets = doc["snippets"].as_array().unwrap();
    let dir = t.home.join("snippets");
    std::fs::create_dir(&dir).unwrap();
    let mut java = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, s) in snippets.iter().enumerate() {
        let code = s["code"].as_str().unwrap();
        let lang = s["language"].as_str().unwrap();
        let name = s["secret_name"].as_str().unwrap();
        assert!(
            code.contains(name),
            "snippet without the secret's real name: {code}"
        );
        if let Some(k) = s["key"].as_str() {
            assert!(code.contains(k), "snippet without its JSON key: {code}");
        }
        assert_no_secret_values("snippet", code);
        seen.insert(lang.to_string());
        match lang {
            "python" => {
                let f = dir.join(format!("s{i}.py"));
                std::fs::write(&f, code).unwrap();
                run_ok(
                    Command::new("python3").args(["-m", "py_compile"]).arg(&f),
                    "py_compile",
                );
            }
            "javascript" => {
                let f = dir.join(format!("s{i}.js"));
                std::fs::write(&f, code).unwrap();
                run_ok(Command::new("node").arg("--check").arg(&f), "node --check");
            }
            "java" => {
                let f = dir.join(format!("S{i}.java"));
                std::fs::write(&f, format!("class S{i} {{\n{code}\n}}\n")).unwrap();
                java.push(f);
            }
            "cloudformation-yaml" => {
                let check = format!(
                    "import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); \
                     assert d['Value'] == '{{{{resolve:secretsmanager:{name}:SecretString:{}}}}}', d",
                    s["key"].as_str().unwrap()
                );
                let f = dir.join(format!("s{i}.yaml"));
                std::fs::write(&f, code).unwrap();
                run_ok(
                    Command::new(venv_python()).args(["-c", &check]).arg(&f),
                    "yaml parse",
                );
            }
            "cloudformation-json" => {
                let v: Value = serde_json::from_str(code).unwrap();
                assert_eq!(
                    v["Value"],
                    format!(
                        "{{{{resolve:secretsmanager:{name}:SecretString:{}}}}}",
                        s["key"].as_str().unwrap()
                    )
                );
            }
            "kubernetes" => {
                let check = format!(
                    "import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); \
                     assert d['kind'] == 'SecretProviderClass' and d['spec']['provider'] == 'aws', d; \
                     o = yaml.safe_load(d['spec']['parameters']['objects'])[0]; \
                     assert o['objectName'] == '{name}' and o['jmesPath'][0]['path'] == '{}', o",
                    s["key"].as_str().unwrap()
                );
                let f = dir.join(format!("s{i}.yaml"));
                std::fs::write(&f, code).unwrap();
                run_ok(
                    Command::new(venv_python()).args(["-c", &check]).arg(&f),
                    "kubernetes yaml parse",
                );
            }
            "shell" | "config" => {
                let f = dir.join(format!("s{i}.sh"));
                std::fs::write(&f, code).unwrap();
                run_ok(Command::new("bash").arg("-n").arg(&f), "bash -n");
                assert!(
                    code.contains("--query SecretString --output text | jq -r"),
                    "{code}"
                );
            }
            _ => {}
        }
    }
    for l in [
        "python",
        "javascript",
        "java",
        "cloudformation-yaml",
        "cloudformation-json",
        "kubernetes",
        "shell",
        "config",
        "go",
    ] {
        assert!(seen.contains(l), "no {l} snippet in {seen:?}");
    }
    java_parse(&java, &dir);
}

#[test]
fn patch_applies_with_git_and_patched_files_still_parse() {
    let t = tree();
    let p_patch = uniq("t-patch");
    let git = |args: &[&str]| {
        run_ok(
            Command::new("git")
                .current_dir(&t.root)
                .env("HOME", &t.home)
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args),
            "git",
        )
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "fixture"]);
    let patch = t.home.join("fix.patch");
    let o = keysweep(
        &t,
        &[
            "--no-lookup",
            "--prefix",
            &p_patch,
            "--patch",
            patch.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let diff = std::fs::read_to_string(&patch).unwrap();
    assert!(
        diff.contains("--- a/settings.py\n+++ b/settings.py\n"),
        "{diff}"
    );
    assert!(diff.contains("--- a/client.js"), "{diff}");
    assert!(diff.contains("--- a/Uploader.java"), "{diff}");
    git(&["apply", "--check", patch.to_str().unwrap()]);
    git(&["apply", patch.to_str().unwrap()]);

    let settings = std::fs::read_to_string(t.root.join("settings.py")).unwrap();
    assert!(
        !settings.contains(PY_SECRET) && !settings.contains(PY_KEY_ID),
        "{settings}"
    );
    assert!(settings.contains(&format!(
        "SecretId=\"{p_patch}/app/settings.py/aws-access-key-id\""
    )));
    assert!(
        settings.contains("DEBUG = os.environ.get(\"DEBUG\") == \"1\""),
        "rest kept"
    );
    run_ok(
        Command::new("python3")
            .args(["-m", "py_compile"])
            .arg(t.root.join("settings.py")),
        "py_compile patched settings.py",
    );
    let js = std::fs::read_to_string(t.root.join("client.js")).unwrap();
    assert!(!js.contains(JS_SECRET), "{js}");
    assert!(js.contains("region: \"us-east-1\","), "rest kept");
    run_ok(
        Command::new("node")
            .arg("--check")
            .arg(t.root.join("client.js")),
        "node --check patched client.js",
    );
    let java = std::fs::read_to_string(t.root.join("Uploader.java")).unwrap();
    assert!(!java.contains(JAVA_SECRET), "{java}");
    java_parse(&[t.root.join("Uploader.java")], &t.home);
    // CloudFormation: the scalar becomes a dynamic reference, and the template still parses.
    let check = format!(
        "import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); \
         v = d['Resources']['Fn']['Properties']['Environment']['Variables']; \
         assert v['AWS_SECRET_ACCESS_KEY'] == '{{{{resolve:secretsmanager:{p_patch}/app/template.yaml/aws-access-key-id:SecretString:aws_secret_access_key}}}}', v"
    );
    run_ok(
        Command::new(venv_python())
            .args(["-c", &check])
            .arg(t.root.join("template.yaml")),
        "yaml parse of the patched template",
    );
    let cfn = std::fs::read_to_string(t.root.join("template.yaml")).unwrap();
    assert!(!cfn.contains(CFN_SECRET), "{cfn}");
    let stack: Value =
        serde_json::from_str(&std::fs::read_to_string(t.root.join("stack.json")).unwrap()).unwrap();
    let vars = &stack["Resources"]["Fn"]["Properties"]["Environment"]["Variables"];
    assert_eq!(
        vars["AWS_ACCESS_KEY_ID"],
        format!("{{{{resolve:secretsmanager:{p_patch}/app/stack.json/aws-access-key-id:SecretString:aws_access_key_id}}}}")
    );
    // Go: no compiler here; the lookup is inline and the aliased imports were added.
    let go = std::fs::read_to_string(t.root.join("main.go")).unwrap();
    assert!(
        go.contains("\tkssm \"github.com/aws/aws-sdk-go-v2/service/secretsmanager\"\n"),
        "{go}"
    );
    assert!(
        go.contains("var awsSecretAccessKey = func() string {"),
        "{go}"
    );
    assert!(go.contains("fmt.Println(len(awsAccessKeyID), len(awsSecretAccessKey))"));
    // Shell: a command substitution; .env is not patched (its snippet says how to inject it).
    let sh = std::fs::read_to_string(t.root.join("deploy.sh")).unwrap();
    assert!(!sh.contains(JS_SECRET), "{sh}");
    assert!(
        sh.contains("export AWS_SECRET_ACCESS_KEY=\"$(aws secretsmanager get-secret-value"),
        "{sh}"
    );
    run_ok(
        Command::new("bash").arg("-n").arg(t.root.join("deploy.sh")),
        "bash -n patched deploy.sh",
    );
    assert!(std::fs::read_to_string(t.root.join(".env"))
        .unwrap()
        .contains("AKIA454ML6LG4TJFCZ4K"));
    let err = stderr(&o);
    assert!(err.contains(".env:2: not patched"), "{err}");
    assert_no_secret_values("patch stderr", &err);
}

#[test]
fn history_findings_list_the_commits_to_rotate() {
    let t = tree();
    let git = |args: &[&str]| {
        run_ok(
            Command::new("git")
                .current_dir(&t.root)
                .env("HOME", &t.home)
                .args(["-c", "user.name=t", "-c", "user.email=leaker@example.com"])
                .args(args),
            "git",
        )
    };
    git(&["init", "-q"]);
    git(&["add", "settings.py"]);
    git(&["commit", "-q", "-m", "add settings"]);
    let head = Command::new("git")
        .current_dir(&t.root)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap();
    let o = keysweep(&t, &["--git", "--no-lookup", "--path", "settings.py"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("ROTATE NOW"), "{out}");
    assert!(out.contains(&head[..12]), "commit {head} not listed: {out}");
    assert!(out.contains("leaker@example.com: add settings"), "{out}");
    assert_no_secret_values("history plan", &out);
}

#[test]
fn one_failing_secret_does_not_stop_the_others() {
    let t = tree();
    let url = moto_url();
    let p_fail = uniq("t-fail");
    // A secret scheduled for deletion blocks its name: reading and creating it both fail.
    let blocked = format!("{p_fail}/app/settings.py/aws-access-key-id");
    let script = r#"
import sys, boto3
c = boto3.client("secretsmanager", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="testing", aws_secret_access_key="testing")
c.create_secret(Name=sys.argv[2], SecretString="old")
c.delete_secret(SecretId=sys.argv[2], RecoveryWindowInDays=7)
"#;
    run_ok(
        Command::new(venv_python()).args(["-c", script, &url, &blocked]),
        "boto3 setup",
    );
    let o = keysweep(
        &t,
        &["--endpoint-url", &url, "--prefix", &p_fail, "--apply"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("FAILED: "), "{out}");
    assert!(stderr(&o).contains("failed 1"), "{}", stderr(&o));
    assert_no_secret_values("failure output", &out);
    let created = server_secrets(&format!("{p_fail}/"));
    assert!(
        created.iter().any(|s| s["name"]
            .as_str()
            .unwrap()
            .ends_with("/client.js/aws-access-key-id")),
        "the other secrets are still created: {created:#?}"
    );
}
