//! `migrate` beyond "stored", against the moto server scripts/test starts: each credential
//! routed to its home, the policy the printed code needs (DescribeSecret for caching
//! clients, kms:Decrypt on the key ARN behind an alias), plans that read no secret value
//! (every call recorded by a loopback proxy), rotation, replication and the resource policy
//! read back with boto3, and `migrate status` before and after the literal is removed.
#![cfg(feature = "migrate")]

mod common;

use common::moto::{self, boto3, moto_url, server_secrets, stderr, stdout, uniq, Tree};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

const TOKEN: &str = "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";
const PASSWORD: &str = "DVfxDQeWQnfi4vGz8Z";
// The app fixture's AWS key pair (fake).
const KEY_ID: &str = "AKIAUJZDEGXDNCF32EPF";
const SECRET_KEY: &str = "2hpChYgCfrL1spNxnyVmihA+2O76UMFxFkM+R5Kj";

/// Random base64 for key bodies, different on every run (xorshift seeded by the clock).
fn random_b64(n: usize) -> String {
    let mut x = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            A[(x % 64) as usize] as char
        })
        .collect()
}

fn pem(label: &str) -> String {
    let body = random_b64(64 * 6);
    let lines: Vec<&str> = (0..6).map(|i| &body[i * 64..(i + 1) * 64]).collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// A tree with one credential of each kind.
fn mixed_tree() -> Tree {
    let t = moto::tree_of("testdata/migrate/langs");
    for e in std::fs::read_dir(&t.root).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    let w = |name: &str, text: &str| std::fs::write(t.root.join(name), text).unwrap();
    w("app.py", &format!("GITHUB_TOKEN = \"{TOKEN}\"\n"));
    w(
        "client.js",
        &format!("module.exports = {{ password: \"{PASSWORD}\" }};\n"),
    );
    w(
        "settings.py",
        &format!("AWS_ACCESS_KEY_ID = \"{KEY_ID}\"\naws_secret_access_key = \"{SECRET_KEY}\"\n"),
    );
    w("id_ed25519", &pem("OPENSSH PRIVATE KEY"));
    w("tls.key", &pem("PRIVATE KEY"));
    w("tls.crt", &pem("CERTIFICATE"));
    w(".env", &format!("APP_KEY=base64:{}=\n", random_b64(43)));
    t
}

fn json_out(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(o), stderr(o)))
}

fn by_path<'a>(doc: &'a Value, path: &str) -> &'a Value {
    doc["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sites"][0]["path"] == path)
        .unwrap_or_else(|| panic!("no secret from {path}: {doc:#}"))
}

#[test]
fn each_credential_goes_to_its_home_and_only_secrets_manager_is_applied() {
    let t = mixed_tree();
    let p = uniq("t-routes");
    let url = moto_url();
    let o = moto::migrate(
        &t,
        &[
            "--endpoint-url",
            &url,
            "--prefix",
            &p,
            "--apply",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json_out(&o);
    let aws = by_path(&doc, "settings.py");
    assert_eq!(aws["route"], "iam-role", "{aws:#}");
    assert_eq!(aws["action"], "not stored");
    let instead = aws["instead"].as_str().unwrap();
    assert!(
        instead.contains("aws iam update-access-key") && instead.contains("--status Inactive"),
        "{instead}"
    );
    assert!(
        instead.contains("aws iam delete-access-key")
            && instead.contains("default credential chain"),
        "{instead}"
    );
    assert!(!instead.contains(KEY_ID), "{instead}");
    assert_eq!(by_path(&doc, "id_ed25519")["route"], "ec2-instance-connect");
    assert!(by_path(&doc, "id_ed25519")["instead"]
        .as_str()
        .unwrap()
        .contains("aws ssm start-session"));
    assert_eq!(by_path(&doc, "tls.key")["route"], "acm");
    assert!(by_path(&doc, "tls.key")["instead"]
        .as_str()
        .unwrap()
        .contains("aws acm import-certificate"));
    assert_eq!(by_path(&doc, ".env")["route"], "kms");
    assert!(by_path(&doc, ".env")["instead"]
        .as_str()
        .unwrap()
        .contains("aws kms create-key"));
    assert_eq!(by_path(&doc, "app.py")["route"], "secrets-manager");
    assert_eq!(by_path(&doc, "app.py")["action"], "created");
    assert_eq!(by_path(&doc, "client.js")["action"], "created");
    // Only the Secrets Manager route reached the server; the policy names only those.
    let created: Vec<String> = server_secrets(&format!("{p}/"))
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(created.len(), 2, "{created:?}");
    assert!(
        created
            .iter()
            .all(|n| n.contains("/app.py/") || n.contains("/client.js/")),
        "{created:?}"
    );
    let policy = doc["iam_policy"].to_string();
    assert!(
        !policy.contains("settings.py") && !policy.contains("tls.key"),
        "{policy}"
    );
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(!all.contains(SECRET_KEY) && !all.contains(KEY_ID) && !all.contains(TOKEN));

    // --patch leaves the other homes' literals alone, and says why.
    let patch = t.home.join("fix.patch");
    let o = moto::migrate(&t, &["--no-lookup", "--patch", patch.to_str().unwrap()]);
    assert!(
        stderr(&o).contains(
            "settings.py:1: not patched: this credential does not go to Secrets Manager (iam-role)"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!std::fs::read_to_string(&patch)
        .unwrap()
        .contains("settings.py"));
    // --store-aws-keys stores the pair anyway.
    let o = moto::migrate(&t, &["--no-lookup", "--store-aws-keys", "--format", "json"]);
    assert_eq!(
        by_path(&json_out(&o), "settings.py")["route"],
        "secrets-manager"
    );
}

#[test]
fn policy_fits_the_code_and_decrypts_with_the_key_arn_behind_an_alias() {
    let t = mixed_tree();
    let p = uniq("t-policy");
    let url = moto_url();
    let alias = format!("alias/{}", uniq("t-policy-key").replace('.', "-"));
    let key_arn = moto::kms_key_with_alias(&alias);
    let base = [
        "--endpoint-url",
        url.as_str(),
        "--prefix",
        p.as_str(),
        "--kms-key-id",
        alias.as_str(),
        "--format",
        "json",
    ];
    // The plan resolves the alias already (kms:DescribeKey, read-only).
    let doc = json_out(&moto::migrate(&t, &base));
    let st = doc["iam_policy"]["Statement"].as_array().unwrap().clone();
    let decrypt = st.iter().find(|s| s["Action"] == "kms:Decrypt").unwrap();
    assert_eq!(decrypt["Resource"], key_arn.as_str(), "{decrypt:#}");
    assert!(
        decrypt["Condition"]["StringLike"]["kms:EncryptionContext:SecretARN"].is_array(),
        "{decrypt:#}"
    );

    let o = moto::migrate(&t, &[&base[..], &["--apply"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json_out(&o);
    let py = by_path(&doc, "app.py")["arn"].as_str().unwrap().to_string();
    let js = by_path(&doc, "client.js")["arn"]
        .as_str()
        .unwrap()
        .to_string();
    let st = doc["iam_policy"]["Statement"].as_array().unwrap().clone();
    let get = st
        .iter()
        .find(|s| s["Action"] == "secretsmanager:GetSecretValue")
        .unwrap();
    assert_eq!(get["Resource"], serde_json::json!([py, js]), "{st:#?}");
    // The Python snippet uses the caching client, which calls DescribeSecret first; the
    // JavaScript one reads with GetSecretValue alone.
    let describe = st
        .iter()
        .find(|s| s["Action"] == "secretsmanager:DescribeSecret")
        .unwrap();
    assert_eq!(describe["Resource"], serde_json::json!([py]), "{st:#?}");
    let decrypt = st.iter().find(|s| s["Action"] == "kms:Decrypt").unwrap();
    assert_eq!(decrypt["Resource"], key_arn.as_str());
    assert_eq!(
        decrypt["Condition"]["StringEquals"]["kms:ViaService"],
        "secretsmanager.us-east-1.amazonaws.com"
    );
    assert_eq!(
        decrypt["Condition"]["StringEquals"]["kms:EncryptionContext:SecretARN"],
        serde_json::json!([py, js])
    );
    assert!(
        !doc["iam_policy"].to_string().contains("key/alias"),
        "{:#}",
        doc["iam_policy"]
    );
    assert_eq!(st.len(), 3, "{st:#?}");

    // An alias that does not exist stops an apply in one line (the policy could not name it).
    let o = moto::migrate(
        &t,
        &[
            "--endpoint-url",
            &url,
            "--prefix",
            &p,
            "--kms-key-id",
            "alias/no-such-key",
            "--apply",
            "-q",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--kms-key-id alias/no-such-key: kms:DescribeKey"),
        "{}",
        stderr(&o)
    );
}

/// A loopback HTTP proxy in front of the server that records each request's X-Amz-Target.
fn recording_proxy(upstream: &str) -> (String, Arc<Mutex<Vec<String>>>) {
    let up = upstream.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let calls = Arc::new(Mutex::new(Vec::new()));
    let rec = calls.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let (up, rec) = (up.clone(), rec.clone());
            std::thread::spawn(move || {
                let _ = relay(client, &up, &rec);
            });
        }
    });
    (url, calls)
}

/// Relays one request: records its target, asks the server to close after answering, and
/// copies the answer back (whose `Connection: close` makes the client reconnect).
fn relay(client: TcpStream, upstream: &str, rec: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = Vec::new();
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("x-amz-target:") {
            rec.lock().unwrap().push(v.trim().to_string());
        }
        if let Some(v) = lower.strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("connection:") {
            continue;
        }
        if line == "\r\n" {
            head.extend_from_slice(b"Connection: close\r\n\r\n");
            break;
        }
        head.extend_from_slice(line.as_bytes());
    }
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    let mut up = TcpStream::connect(upstream)?;
    up.write_all(&head)?;
    up.write_all(&body)?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp)?;
    (&client).write_all(&resp)
}

#[test]
fn plans_and_apply_prechecks_read_no_secret_value() {
    let t = mixed_tree();
    let p = uniq("t-calls");
    let (proxy, calls) = recording_proxy(&moto_url());
    let alias = format!("alias/{}", uniq("t-calls-key").replace('.', "-"));
    moto::kms_key_with_alias(&alias);
    let run = |extra: &[&str]| {
        calls.lock().unwrap().clear();
        let o = moto::migrate(
            &t,
            &[
                &[
                    "--endpoint-url",
                    proxy.as_str(),
                    "--prefix",
                    p.as_str(),
                    "--kms-key-id",
                    alias.as_str(),
                ],
                extra,
            ]
            .concat(),
        );
        let made = calls.lock().unwrap().clone();
        (o, made)
    };
    let (o, plan_calls) = run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("create (checked: no secret has this name)"),
        "{}",
        stdout(&o)
    );
    assert!(!plan_calls.is_empty(), "the proxy saw no call");
    for c in &plan_calls {
        assert!(
            c == "secretsmanager.describesecret"
                || c == "secretsmanager.listsecrets"
                || c == "trentservice.describekey",
            "a plan made {c}: {plan_calls:?}"
        );
    }
    let (o, apply_calls) = run(&["--apply"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        apply_calls.contains(&"secretsmanager.createsecret".to_string()),
        "{apply_calls:?}"
    );
    assert!(
        !apply_calls.iter().any(|c| c.contains("getsecretvalue")),
        "{apply_calls:?}"
    );
    // The value is compared through the versions' request tokens: still no read.
    let (o, replan) = run(&[]);
    assert!(
        stdout(&o).contains("already there with the same value: reuse it"),
        "{}",
        stdout(&o)
    );
    assert!(
        !replan.iter().any(|c| c.contains("getsecretvalue")),
        "{replan:?}"
    );
    // A new value stored with --update is recognised as this run's value afterwards.
    std::fs::write(
        t.root.join("client.js"),
        "module.exports = { password: \"T5mxEP0kHEnS0MAuWX\" };\n",
    )
    .unwrap();
    let (o, _) = run(&[]);
    assert!(
        stdout(&o).contains("CONFLICT: exists with a different value"),
        "{}",
        stdout(&o)
    );
    let (o, update_calls) = run(&["--apply", "--update"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !update_calls.iter().any(|c| c.contains("getsecretvalue")),
        "{update_calls:?}"
    );
    let (o, _) = run(&[]);
    assert!(!stdout(&o).contains("CONFLICT"), "{}", stdout(&o));
}

#[test]
fn rotation_replication_and_resource_policy_are_read_back() {
    let t = mixed_tree();
    std::fs::remove_file(t.root.join("client.js")).unwrap();
    let p = uniq("t-life");
    let url = moto_url();
    // The plan says what --apply will do after storing.
    let o = moto::migrate(
        &t,
        &[
            "--no-lookup",
            "--rotate-managed",
            "--rotation-schedule",
            "rate(30 days)",
            "--replica-region",
            "eu-west-1",
            "--resource-policy",
            "123456789012",
        ],
    );
    let plan = stdout(&o);
    assert!(
        plan.contains("then:   with --apply: replicate to eu-west-1"),
        "{plan}"
    );
    assert!(plan.contains("then:   with --apply: rotate by Secrets Manager (managed rotation) (every 30 days), the first time right away"), "{plan}");
    let o = moto::migrate(
        &t,
        &[
            "--endpoint-url",
            &url,
            "--prefix",
            &p,
            "--apply",
            "--rotate-managed",
            "--rotation-schedule",
            "rate(30 days)",
            "--replica-region",
            "eu-west-1",
            "--resource-policy",
            "123456789012",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("then:   rotation enabled (every 30 days), first rotation started now"),
        "{out}"
    );
    assert!(
        out.contains("then:   resource policy: only 123456789012 may read it"),
        "{out}"
    );
    // Described, not read: moto's rotation without a function leaves no current value.
    let d = boto3(
        r#"
c = client("secretsmanager")
name = [s["Name"] for page in c.get_paginator("list_secrets").paginate()
        for s in page["SecretList"] if s["Name"].startswith(sys.argv[2])][0]
d = c.describe_secret(SecretId=name)
pol = c.get_resource_policy(SecretId=name)
print(json.dumps({"rotation": d.get("RotationEnabled"), "rules": d.get("RotationRules"),
                  "rotated": "LastRotatedDate" in d,
                  "replicas": [r["Region"] for r in d.get("ReplicationStatus", [])],
                  "policy": json.loads(pol["ResourcePolicy"])}))
"#,
        &[&format!("{p}/")],
    );
    assert_eq!(d["rotation"], true, "{d:#}");
    assert_eq!(d["rules"]["AutomaticallyAfterDays"], 30, "{d:#}");
    assert_eq!(d["rotated"], true, "rotated right after creation: {d:#}");
    assert_eq!(d["replicas"], serde_json::json!(["eu-west-1"]), "{d:#}");
    let st = &d["policy"]["Statement"][0];
    assert_eq!(
        st["Principal"]["AWS"],
        serde_json::json!(["arn:aws:iam::123456789012:root"]),
        "{d:#}"
    );
    assert_eq!(
        st["Action"][1], "secretsmanager:DescribeSecret",
        "a caching reader: {d:#}"
    );

    // With a rotation function: sent as given, enabled, and rotated right away.
    let function = moto::rotation_function("keysweep-test-rotator");
    let p2 = uniq("t-life-fn");
    let o = moto::migrate(
        &t,
        &[
            "--endpoint-url",
            &url,
            "--prefix",
            &p2,
            "--apply",
            "--rotate-with",
            &function,
            "--rotation-schedule",
            "rate(7 days)",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    let d = boto3(
        r#"
c = client("secretsmanager")
name = [s["Name"] for page in c.get_paginator("list_secrets").paginate()
        for s in page["SecretList"] if s["Name"].startswith(sys.argv[2])][0]
d = c.describe_secret(SecretId=name)
print(json.dumps({"fn": d.get("RotationLambdaARN"), "rotation": d.get("RotationEnabled"),
                  "days": d.get("RotationRules", {}).get("AutomaticallyAfterDays"), "rotated": "LastRotatedDate" in d}))
"#,
        &[&format!("{p2}/")],
    );
    assert_eq!(
        d,
        serde_json::json!({"fn": function, "rotation": true, "days": 7, "rotated": true})
    );
    // A function that does not exist: that step fails for that secret, in one line.
    let p3 = uniq("t-life-nofn");
    let o = moto::migrate(
        &t,
        &[
            "--endpoint-url",
            &url,
            "--prefix",
            &p3,
            "--apply",
            "--rotate-with",
            "arn:aws:lambda:us-east-1:123456789012:function:no-such-rotator",
            "--rotation-schedule",
            "rate(7 days)",
            "--rotation-window",
            "4h",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("then:   FAILED: RotateSecret: ResourceNotFoundException"),
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains("rotation/replication/policy steps failed 1"),
        "{}",
        stderr(&o)
    );
    // Flags that do not fit together are refused before anything is sent.
    let o = moto::migrate(
        &t,
        &[
            "--endpoint-url",
            &url,
            "--apply",
            "--rotation-schedule",
            "rate(7 days)",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--rotation-schedule needs --rotate-with"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn status_before_and_after_the_literal_is_removed() {
    let t = mixed_tree();
    std::fs::remove_file(t.root.join("client.js")).unwrap();
    let p = uniq("t-status");
    let url = moto_url();
    let o = moto::migrate(&t, &["--endpoint-url", &url, "--prefix", &p, "--apply"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let root = t.root.to_str().unwrap().to_string();
    let status = |format: &str| {
        moto::keysweep_env(
            &t,
            &[
                "migrate",
                "status",
                &root,
                "--endpoint-url",
                &url,
                "--name-prefix",
                &p,
                "--format",
                format,
            ],
            moto::TEST_CREDENTIALS,
        )
    };
    let o = status("json");
    assert_eq!(o.status.code(), Some(1), "pending: {}", stderr(&o));
    let doc = json_out(&o);
    let row = &doc["secrets"][0];
    assert_eq!(doc["secrets"].as_array().unwrap().len(), 1, "{doc:#}");
    assert_eq!(row["literal_in_tree"], true, "{doc:#}");
    assert_eq!(row["path"], "app.py");
    assert_eq!(row["rotation_enabled"], false);
    assert_eq!(row["encryption_key"], "aws/secretsmanager (AWS managed)");
    assert!(
        row["leaked_value"].as_str().unwrap().starts_with("ROTATE"),
        "{doc:#}"
    );
    let text = stdout(&status("text"));
    assert!(
        text.contains("SECRET") && text.contains("still in app.py"),
        "{text}"
    );

    std::fs::write(
        t.root.join("app.py"),
        "import os\nGITHUB_TOKEN = os.environ[\"GITHUB_TOKEN\"]\n",
    )
    .unwrap();
    let o = status("json");
    let doc = json_out(&o);
    assert_eq!(doc["secrets"][0]["literal_in_tree"], false, "{doc:#}");
    // moto never reports LastAccessedDate, so the secret still counts as never read here
    // (the read check itself is a unit test of src/migrate/status.rs).
    assert_eq!(doc["secrets"][0]["read_since_creation"], false, "{doc:#}");
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&status("text"));
    assert!(
        text.contains("removed") && text.contains("never read"),
        "{text}"
    );
    assert!(!text.contains(TOKEN));
}

/// Splits a README command line into words (double quotes group, as the shell would).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// What may differ between the README and a run: ARN suffixes and dates, and column widths.
fn normalise(line: &str) -> String {
    let s: Vec<char> = arn_suffixes(line).chars().collect();
    let mut out = String::new();
    // Dates YYYY-MM-DD → DATE.
    let mut i = 0;
    while i < s.len() {
        let is_date = i + 10 <= s.len()
            && s[i..i + 10].iter().enumerate().all(|(k, c)| {
                if k == 4 || k == 7 {
                    *c == '-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if is_date {
            out.push_str("DATE");
            i += 10;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `...:secret:NAME-AbCdEf` → `...:secret:NAME-XXXXXX`.
fn arn_suffixes(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find(":secret:") {
        let (head, tail) = rest.split_at(i + ":secret:".len());
        out.push_str(head);
        let end = tail
            .find(|c: char| c == '"' || c == ':' || c.is_whitespace())
            .unwrap_or(tail.len());
        let name = &tail[..end];
        match name.rfind('-') {
            Some(d) if name.len() - d == 7 => {
                out.push_str(&name[..d]);
                out.push_str("-XXXXXX");
            }
            _ => out.push_str(name),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn readme_migrate_session_is_what_the_binary_prints() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("### `keysweep migrate [PATH]`").unwrap()..];
    let block = &section[section.find("```text\n").unwrap() + 8..];
    let block = &block[..block.find("```").unwrap()];
    // The README's tree: a checkout named `orders` with the fixture's settings.py.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("orders");
    std::fs::create_dir(&root).unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/migrate/app/settings.py"
        ),
        root.join("settings.py"),
    )
    .unwrap();
    let t = moto::tree_of("testdata/migrate/langs");
    let url = moto_url();
    let p = uniq("readme");
    moto::rotation_function("rotate-orders-db");
    let mut sessions: Vec<(String, Vec<&str>)> = Vec::new();
    for line in block.lines() {
        match line.strip_prefix("$ ") {
            Some(cmd) => sessions.push((cmd.to_string(), Vec::new())),
            None => sessions
                .last_mut()
                .expect("the block starts with a command")
                .1
                .push(line),
        }
    }
    assert!(sessions.len() >= 3, "{sessions:?}");
    for (cmd, shown) in &sessions {
        let mut args = words(cmd);
        assert_eq!(args.remove(0), "keysweep", "{cmd}");
        for a in args.iter_mut() {
            if a == "prod" {
                *a = p.clone();
            }
        }
        args.extend(["--endpoint-url".to_string(), url.clone()]);
        if args[1] == "status" {
            args.extend(["--name-prefix".to_string(), p.clone()]);
        }
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_keysweep"));
        c.current_dir(&root)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap())
            .env("HOME", &t.home)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .args(&args);
        for (k, v) in moto::TEST_CREDENTIALS {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        let actual: Vec<String> = format!("{}{}", stdout(&o), stderr(&o))
            .replace(&p, "prod")
            .lines()
            .map(normalise)
            .collect();
        for line in shown.iter().filter(|l| l.trim() != "...") {
            let want = normalise(line);
            assert!(
                actual.contains(&want),
                "README.md: `{cmd}` does not print\n{line}\nIt printed:\n{}",
                actual.join("\n")
            );
        }
    }
}
