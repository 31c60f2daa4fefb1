//! The code `migrate` prints, checked by the languages' own toolchains: one template per
//! language (src/migrate/templates), one snippet per file with its declarations once.
//! Python (py_compile), Node (node --check), TypeScript (tsc --noEmit against the real
//! @aws-sdk/client-secrets-manager), Java (javac's parser), Go (gofmt -e: syntax only, the
//! SDK's modules are not reachable here), Rust (cargo check against aws-sdk-secretsmanager
//! at Cargo.lock's versions), Ruby (ruby -c), PHP (php -l), shell (bash -n),
//! CloudFormation/Kubernetes (YAML), Terraform (terraform fmt parses HCL). A missing
//! toolchain is listed in the output and fails under CI=true (scripts/test installs them).
#![cfg(all(feature = "migrate", unix))]

mod common;

use common::moto::{self, run_ok, stderr, Tree};
use common::toolchain::{java_parse, require, shown};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const TOKEN: &str = "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";
const PASSWORD: &str = "bwIZJjvLGxo5gOyTCn";

fn plan(t: &Tree, extra: &[&str]) -> Value {
    let o = moto::migrate(
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

fn snippet<'a>(doc: &'a Value, path: &str) -> &'a Value {
    let all: Vec<&Value> = doc["snippets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["path"] == path)
        .collect();
    assert_eq!(all.len(), 1, "{path}: one snippet per file: {all:#?}");
    all[0]
}

fn code<'a>(doc: &'a Value, path: &str) -> &'a str {
    snippet(doc, path)["code"].as_str().unwrap()
}

fn npm_dir() -> PathBuf {
    std::env::var_os("KEYSWEEP_TEST_NPM")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(&std::env::var("HOME").unwrap()).join(".cache/keysweep-tools/npm")
        })
}

fn yaml_check(dir: &Path, name: &str, code: &str, check: &str) {
    let f = dir.join(name);
    std::fs::write(&f, code).unwrap();
    run_ok(
        Command::new(moto::venv_python())
            .args([
                "-c",
                &format!(
                    "import sys, yaml; docs = list(yaml.safe_load_all(open(sys.argv[1]))); {check}"
                ),
            ])
            .arg(&f),
        &format!("yaml parse of {name}"),
    );
}

/// `cargo check` of a crate holding the Rust snippet, against the SDK at the versions in
/// our Cargo.lock, offline; its target directory stays under target/, so later runs are
/// incremental.
fn rust_check(code: &str) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("snippet-check");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        r#"[package]
name = "snippet-check"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
aws-config = { version = "1", default-features = false, features = ["behavior-version-latest"] }
aws-sdk-secretsmanager = { version = "1", default-features = false, features = ["behavior-version-latest"] }
serde_json = "1"
tokio = { version = "1", features = ["sync"] }

[workspace]
"#,
    )
    .unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"),
        dir.join("Cargo.lock"),
    )
    .unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        format!("#![allow(dead_code)]\n{code}\nfn main() {{}}\n"),
    )
    .unwrap();
    run_ok(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", dir.join("target"))
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .args(["check", "--offline", "--quiet"]),
        "cargo check of the Rust snippet",
    );
}

#[test]
fn every_language_snippet_passes_its_toolchain() {
    let t = moto::tree_of("testdata/migrate/langs");
    let doc = plan(&t, &[]);
    let dir = t.home.join("snippets");
    std::fs::create_dir(&dir).unwrap();
    let mut skipped = Vec::new();
    for s in doc["snippets"].as_array().unwrap() {
        let c = s["code"].as_str().unwrap();
        assert!(
            !c.contains(TOKEN) && !c.contains(PASSWORD),
            "a snippet holds a value: {c}"
        );
        for r in s["reads"].as_array().unwrap() {
            assert!(c.contains(r["secret_name"].as_str().unwrap()), "{c}");
        }
    }
    let write = |name: &str, text: &str| {
        let f = dir.join(name);
        std::fs::write(&f, text).unwrap();
        f
    };

    // Python: the caching client, and the Lambda extension form for a handler.
    let py = code(&doc, "app.py");
    assert!(
        py.contains("SecretCache(") && py.contains("aws-secretsmanager-caching"),
        "{py}"
    );
    assert_eq!(py.matches("_SECRET_CACHE = ").count(), 1, "{py}");
    let lambda = code(&doc, "lambda_fn.py");
    assert!(
        lambda.contains("localhost:{port}/secretsmanager/get") && lambda.contains("\"2773\""),
        "{lambda}"
    );
    assert!(
        lambda.contains("X-Aws-Parameters-Secrets-Token") && !lambda.contains("boto3"),
        "{lambda}"
    );
    assert_eq!(snippet(&doc, "lambda_fn.py")["lambda"], true);
    for (name, text) in [("app.py", py), ("lambda_fn.py", lambda)] {
        run_ok(
            Command::new("python3")
                .args(["-m", "py_compile"])
                .arg(write(name, text)),
            "py_compile",
        );
    }
    // Node: CommonJS, and the Lambda extension in an ES module.
    let js = code(&doc, "client.js");
    assert_eq!(js.matches("new SecretsManagerClient(").count(), 1, "{js}");
    let mjs = code(&doc, "handler.mjs");
    assert!(
        mjs.contains("fetch(`http://localhost:${port}/secretsmanager/get"),
        "{mjs}"
    );
    for (name, text) in [("client.js", js), ("handler.mjs", mjs)] {
        run_ok(
            Command::new("node").arg("--check").arg(write(name, text)),
            "node --check",
        );
    }
    // TypeScript against the real SDK's types.
    let npm = npm_dir();
    let tsc = npm.join("node_modules/.bin/tsc");
    let sdk = npm.join("node_modules/@aws-sdk/client-secrets-manager");
    if require(
        tsc.to_str().unwrap(),
        "tsc --noEmit of the TypeScript snippet",
        &mut skipped,
    )
    .is_some()
        && require(
            sdk.join("package.json").to_str().unwrap(),
            "@aws-sdk/client-secrets-manager for tsc",
            &mut skipped,
        )
        .is_some()
    {
        let ts = dir.join("ts");
        std::fs::create_dir(&ts).unwrap();
        std::os::unix::fs::symlink(npm.join("node_modules"), ts.join("node_modules")).unwrap();
        std::fs::write(
            ts.join("api.ts"),
            format!("{}\nexport {{}};\n", code(&doc, "api.ts")),
        )
        .unwrap();
        run_ok(
            Command::new(&tsc).current_dir(&ts).args([
                "--noEmit",
                "--strict",
                "--target",
                "es2022",
                "--module",
                "es2022",
                "--moduleResolution",
                "bundler",
                "--types",
                "node",
                "api.ts",
            ]),
            "tsc --noEmit",
        );
    }
    // Java: a class body, parsed by javac.
    let java = code(&doc, "Client.java");
    assert!(
        java.contains("com.amazonaws.secretsmanager.caching.SecretCache"),
        "{java}"
    );
    java_parse(
        &[write("S.java", &format!("class S {{\n{java}\n}}\n"))],
        &dir,
    );
    // Go: one client, created once, errors returned.
    let go = code(&doc, "main.go");
    assert_eq!(go.matches("LoadDefaultConfig(").count(), 1, "{go}");
    assert!(
        go.contains("secretsOnce.Do(") && !go.contains("panic("),
        "{go}"
    );
    if let Some(gofmt) = require("gofmt", "gofmt -e of the Go snippet", &mut skipped) {
        run_ok(
            Command::new(gofmt)
                .arg("-e")
                .arg(write("main.go", &format!("package main\n\n{go}"))),
            "gofmt -e",
        );
    }
    // Rust against aws-sdk-secretsmanager.
    let rs = code(&doc, "main.rs");
    assert!(rs.contains("OnceCell") && !rs.contains("unwrap()"), "{rs}");
    rust_check(rs);
    if let Some(ruby) = require("ruby", "ruby -c of the Ruby snippet", &mut skipped) {
        run_ok(
            Command::new(ruby)
                .arg("-c")
                .arg(write("app.rb", code(&doc, "app.rb"))),
            "ruby -c",
        );
    }
    if let Some(php) = require("php", "php -l of the PHP snippet", &mut skipped) {
        run_ok(
            Command::new(php)
                .arg("-l")
                .arg(write("index.php", code(&doc, "index.php"))),
            "php -l",
        );
    }
    for path in ["run.sh", ".env"] {
        let c = code(&doc, path);
        assert!(
            c.contains("--query SecretString --output text | jq -r"),
            "{c}"
        );
        run_ok(
            Command::new("bash").arg("-n").arg(write("s.sh", c)),
            "bash -n",
        );
    }
    // ECS before the secret exists: its name (a JSON key needs the ARN --apply prints),
    // never an ARN with a made-up account.
    let env = code(&doc, ".env");
    assert!(
        !env.contains(":*:") && env.contains("<the ARN of t-snip/langs/.env/github-pat-classic"),
        "{env}"
    );
    // Terraform: the ephemeral resource by default, the data source as a commented fallback.
    let tf = code(&doc, "main.tf");
    assert!(
        tf.contains("ephemeral \"aws_secretsmanager_secret_version\""),
        "{tf}"
    );
    assert!(
        tf.contains("# data \"aws_secretsmanager_secret_version\"") && tf.contains("STATE FILE"),
        "{tf}"
    );
    if let Some(terraform) = require(
        "terraform",
        "terraform fmt of the Terraform snippet",
        &mut skipped,
    ) {
        let mut child = Command::new(terraform)
            .args(["fmt", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(tf.as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        assert!(
            o.status.success(),
            "terraform fmt: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // The same token in every file: one secret, named after its first place (.env).
    let name = "t-snip/langs/.env/github-pat-classic";
    yaml_check(&dir, "cfn.yaml", code(&doc, "template.yaml"), &format!(
        "assert docs[0]['Value'] == '{{{{resolve:secretsmanager:{name}:SecretString:token}}}}', docs"
    ));
    let cfn: Value = serde_json::from_str(code(&doc, "stack.json")).unwrap();
    assert_eq!(
        cfn["Value"],
        format!("{{{{resolve:secretsmanager:{name}:SecretString:token}}}}")
    );
    yaml_check(&dir, "k8s.yaml", code(&doc, "k8s.yaml"),
        "d = docs[0]; assert d['kind'] == 'SecretProviderClass' and d['spec']['provider'] == 'aws', d; \
         o = yaml.safe_load(d['spec']['parameters']['objects'])[0]; assert o['jmesPath'][0]['path'] == 'token', o");
    // C#: no toolchain from the registries here; its template is checked for its shape.
    let cs = code(&doc, "Program.cs");
    assert!(
        cs.contains("SecretsManagerCache") && cs.contains("static readonly"),
        "{cs}"
    );
    shown("migrate snippets: csharp is not checked by a toolchain (no .NET SDK in the distribution's archive)");
    if !skipped.is_empty() {
        shown(&format!(
            "migrate snippets: SKIPPED CHECKS: {}",
            skipped.join("; ")
        ));
    }
}

#[test]
fn one_snippet_per_file_declares_each_client_once() {
    // Two keys of one secret in one file: before, two snippets each declared
    // `const secretsClient` (JS) or `SECRET_CACHE` (Java), so pasting both did not compile.
    let t = moto::tree_of("testdata/migrate/app");
    let doc = plan(&t, &["--store-aws-keys"]);
    let dir = t.home.join("snippets");
    std::fs::create_dir(&dir).unwrap();
    let js = snippet(&doc, "client.js");
    assert_eq!(js["reads"].as_array().unwrap().len(), 2, "{js:#?}");
    let js = js["code"].as_str().unwrap();
    assert_eq!(js.matches("const secretsClient").count(), 1, "{js}");
    let f = dir.join("client.js");
    std::fs::write(&f, js).unwrap();
    run_ok(Command::new("node").arg("--check").arg(&f), "node --check");
    let java = code(&doc, "Uploader.java");
    assert_eq!(java.matches("SECRET_CACHE =").count(), 1, "{java}");
    let f = dir.join("U.java");
    std::fs::write(&f, format!("class U {{\n{java}\n}}\n")).unwrap();
    java_parse(&[f], &dir);
    let py = code(&doc, "settings.py");
    assert_eq!(py.matches("_SECRET_CACHE = ").count(), 1, "{py}");
    let f = dir.join("settings.py");
    std::fs::write(&f, py).unwrap();
    run_ok(
        Command::new("python3").args(["-m", "py_compile"]).arg(&f),
        "py_compile",
    );
}

#[test]
fn ecs_snippet_names_the_real_arn_after_apply() {
    let t = moto::tree_of("testdata/migrate/langs");
    let p = moto::uniq("t-ecs");
    let url = moto::moto_url();
    let o = moto::migrate(
        &t,
        &[
            "--endpoint-url",
            &url,
            "--prefix",
            &p,
            "--path",
            ".env",
            "--apply",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    let arn = doc["secrets"][0]["arn"].as_str().unwrap().to_string();
    assert!(
        arn.starts_with("arn:aws:secretsmanager:us-east-1:") && !arn.contains(":*:"),
        "{arn}"
    );
    let env = code(&doc, ".env");
    assert!(
        env.contains(&format!("\"valueFrom\": \"{arn}:token::\"")),
        "{env}"
    );
}

#[test]
fn patched_files_of_every_patched_language_still_parse() {
    let t = moto::tree_of("testdata/migrate/langs");
    t.git(&["init", "-q"]);
    t.git(&["add", "."]);
    t.git(&["commit", "-q", "-m", "fixture"]);
    let patch = t.home.join("fix.patch");
    let o = moto::migrate(
        &t,
        &[
            "--no-lookup",
            "--prefix",
            "t-patch",
            "--patch",
            patch.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    for (site, why) in [
        (
            "lambda_fn.py:4",
            "a Lambda handler reads the extension inside the handler",
        ),
        (
            "handler.mjs:2",
            "a Lambda handler reads the extension inside the handler",
        ),
        ("main.go:9", "a Go lookup returns an error"),
        ("client.js:3", "CommonJS cannot read a secret synchronously"),
    ] {
        assert!(
            err.contains(&format!("{site}: not patched: {why}")),
            "{site}: {err}"
        );
    }
    t.git(&["apply", patch.to_str().unwrap()]);
    let read = |p: &str| std::fs::read_to_string(t.root.join(p)).unwrap();
    for p in ["app.py", "api.ts", "run.sh", "template.yaml", "stack.json"] {
        assert!(
            !read(p).contains(TOKEN),
            "{p} still holds the token:\n{}",
            read(p)
        );
    }
    assert!(!read("app.py").contains(PASSWORD));
    run_ok(
        Command::new("python3")
            .args(["-m", "py_compile"])
            .arg(t.root.join("app.py")),
        "py_compile patched app.py",
    );
    run_ok(
        Command::new("bash").arg("-n").arg(t.root.join("run.sh")),
        "bash -n patched run.sh",
    );
    // TypeScript: an ES module, so the lookup is a top-level await through the one client.
    let ts = read("api.ts");
    assert!(ts.contains("export const token: string = (await secretValue(\"t-patch/langs/.env/github-pat-classic\", \"token\"));"), "{ts}");
    assert_eq!(ts.matches("new SecretsManagerClient(").count(), 1, "{ts}");
    let npm = npm_dir();
    let mut skipped = Vec::new();
    let tsc = npm.join("node_modules/.bin/tsc");
    if require(
        tsc.to_str().unwrap(),
        "tsc --noEmit of the patched api.ts",
        &mut skipped,
    )
    .is_some()
    {
        std::os::unix::fs::symlink(npm.join("node_modules"), t.root.join("node_modules")).unwrap();
        run_ok(
            Command::new(&tsc).current_dir(&t.root).args([
                "--noEmit",
                "--strict",
                "--target",
                "es2022",
                "--module",
                "es2022",
                "--moduleResolution",
                "bundler",
                "--types",
                "node",
                "api.ts",
            ]),
            "tsc --noEmit of the patched api.ts",
        );
    }
    let cfn: Value = serde_json::from_str(&read("stack.json")).unwrap();
    assert_eq!(
        cfn["Resources"]["Param"]["Properties"]["Value"],
        "{{resolve:secretsmanager:t-patch/langs/.env/github-pat-classic:SecretString:token}}"
    );
    yaml_check(
        &t.home,
        "patched.yaml",
        &read("template.yaml"),
        "assert 'resolve:secretsmanager' in str(docs[0]['Resources']), docs",
    );
    if !skipped.is_empty() {
        shown(&format!(
            "migrate patch: SKIPPED CHECKS: {}",
            skipped.join("; ")
        ));
    }
}
