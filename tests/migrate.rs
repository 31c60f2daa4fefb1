//! `keysweep migrate` against a real Secrets Manager-compatible server: moto on loopback,
//! started by scripts/test (KEYSWEEP_TEST_MOTO_URL, KEYSWEEP_TEST_VENV). What was created is
//! read back with boto3 from the test venv, not through keysweep. Snippets and patches are
//! checked with real parsers (python, node, javac's parser, yaml).
#![cfg(feature = "migrate")]

use serde_json::Value;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

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

mod common;

use common::moto::{
    self, moto_url, run_ok, server_secrets, stderr, stdout, uniq, venv_python, Tree,
};
use common::toolchain::java_parse;

/// A copy of the fixture (AWS key pairs in every language, a postgres URL).
fn tree() -> Tree {
    moto::tree_of("testdata/migrate/app")
}

/// The fixture is AWS key pairs: these tests are about storing, so they store them
/// (`--store-aws-keys`; routing is tests/migrate_routes.rs).
fn keysweep(t: &Tree, args: &[&str]) -> Output {
    moto::migrate(t, &[&["--store-aws-keys"], args].concat())
}

fn keysweep_env(t: &Tree, args: &[&str], env: &[(&str, &str)]) -> Output {
    let root = t.root.to_str().unwrap().to_string();
    moto::keysweep_env(
        t,
        &[&["migrate", root.as_str(), "--store-aws-keys"], args].concat(),
        env,
    )
}

fn assert_no_secret_values(what: &str, text: &str) {
    for s in ALL_SECRETS {
        assert!(!text.contains(s), "{what} leaks a secret value:\n{text}");
    }
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
    let alias = format!("alias/{}", uniq("t-apply-key").replace('.', "-"));
    let key_arn = moto::kms_key_with_alias(&alias);
    let args = [
        "--endpoint-url",
        &url,
        "--prefix",
        &p_apply,
        "--apply",
        "--tag",
        "team=payments",
        "--kms-key-id",
        &alias,
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
    assert_eq!(py["kms_key_id"], alias.as_str());
    // The policy grants kms:Decrypt on the key the alias names (kms:DescribeKey), never
    // on an ARN made up from the alias.
    assert!(
        out.contains(&format!("\"Resource\": \"{key_arn}\"")),
        "{out}"
    );
    assert!(!out.contains("key/alias/"), "{out}");
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

#[test]
fn patch_applies_with_git_and_patched_files_still_parse() {
    let t = tree();
    let p_patch = uniq("t-patch");
    t.git(&["init", "-q"]);
    t.git(&["add", "."]);
    t.git(&["commit", "-q", "-m", "fixture"]);
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
    assert!(diff.contains("--- a/Uploader.java"), "{diff}");
    // Wrong before: the CommonJS patch shelled out to the aws CLI, the Go patch panicked in
    // an IIFE that loaded its config on every evaluation.
    assert!(
        !diff.contains("child_process") && !diff.contains("execFileSync"),
        "{diff}"
    );
    assert!(
        !diff.contains("panic(") && !diff.contains("--- a/main.go"),
        "{diff}"
    );
    let err = stderr(&o);
    assert!(err.contains("client.js:5: not patched: CommonJS"), "{err}");
    assert!(
        err.contains("main.go:10: not patched: a Go lookup returns an error"),
        "{err}"
    );
    t.git(&["apply", "--check", patch.to_str().unwrap()]);
    t.git(&["apply", patch.to_str().unwrap()]);

    // Python: the template's setup once, after the imports; each literal a lookup through it.
    let settings = std::fs::read_to_string(t.root.join("settings.py")).unwrap();
    assert!(
        !settings.contains(PY_SECRET)
            && !settings.contains(PY_KEY_ID)
            && !settings.contains(DB_PASSWORD),
        "{settings}"
    );
    assert_eq!(
        settings.matches("def secret_value(").count(),
        1,
        "{settings}"
    );
    assert_eq!(
        settings.matches("_SECRET_CACHE = SecretCache(").count(),
        1,
        "{settings}"
    );
    assert!(settings.contains(&format!(
        "AWS_ACCESS_KEY_ID = secret_value(\"{p_patch}/app/settings.py/aws-access-key-id\", \"aws_access_key_id\")"
    )), "{settings}");
    assert!(
        settings.contains("(\"postgres://app:\" + secret_value("),
        "{settings}"
    );
    assert!(
        settings.find("import os").unwrap() < settings.find("def secret_value(").unwrap(),
        "{settings}"
    );
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
    // Java: one static cache, first in the class (initialised before the fields reading it),
    // no client per evaluation.
    let java = std::fs::read_to_string(t.root.join("Uploader.java")).unwrap();
    assert!(!java.contains(JAVA_SECRET), "{java}");
    assert_eq!(
        java.matches("new com.amazonaws.secretsmanager.caching.SecretCache()")
            .count(),
        1,
        "{java}"
    );
    assert!(!java.contains("SecretsManagerClient.create()"), "{java}");
    assert!(
        java.find("SECRET_CACHE =").unwrap() < java.find("ACCESS_KEY_ID =").unwrap(),
        "{java}"
    );
    java_parse(&[t.root.join("Uploader.java")], &t.home);
    // CommonJS and Go are left as they were (their snippets say what to write).
    assert!(std::fs::read_to_string(t.root.join("client.js"))
        .unwrap()
        .contains(JS_SECRET));
    assert!(std::fs::read_to_string(t.root.join("main.go"))
        .unwrap()
        .contains(GO_SECRET));
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
