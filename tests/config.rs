//! `.keysweep.toml` and `--config`: custom rules, disabled rules, allowlists, defaults and
//! error messages, through the real binary.

use std::path::Path;
use std::process::{Command, Output};

const KEY1: &str = "AKIAQYLPMN5HHHFPZAM2";
const KEY2: &str = "AKIAZ7XKQ4RWT3MNBV6C";
const ACME: &str = "acme_9f3b2c7d1e8a4f6b0c5d2e9a7b3f1c8d";

const CUSTOM_RULE: &str = r#"
[[rules]]
id = "acme-api-token"
name = "ACME API token"
description = "Token for the ACME internal API."
keywords = ["acme_"]
regex = '\b(acme_[a-f0-9]{32})\b'
examples = ["token = acme_9f3b2c7d1e8a4f6b0c5d2e9a7b3f1c8d"]
negative_examples = ["token = acme_short"]
"#;

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn keysweep(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keysweep"))
        .current_dir(cwd)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/nonexistent/keysweep-test-gitconfig")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
        .args(args)
        .output()
        .unwrap()
}

/// Scans `root` (as the first path) and returns (exit code, sorted "path:rule" of findings),
/// paths relative to `root` (keysweep reports them joined to the root as given).
fn scan(root: &Path, extra: &[&str]) -> (i32, Vec<String>, String) {
    let mut args = vec!["scan", "--format", "json"];
    args.extend_from_slice(extra);
    let root_s = root.to_str().unwrap();
    args.push(root_s);
    let out = keysweep(root, &args);
    let code = out.status.code().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    if code == 2 {
        return (code, Vec::new(), stderr);
    }
    let v: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let mut found: Vec<String> = v
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            let below = path.strip_prefix(root_s).and_then(|p| p.strip_prefix('/'));
            format!(
                "{}:{}",
                below.unwrap_or_else(|| panic!("{path} is not reported below {root_s}")),
                f["rule_id"].as_str().or(f["rule"].as_str()).unwrap_or("?")
            )
        })
        .collect();
    // Only the rules these tests are about (the built-in pack grows independently).
    found.retain(|f| f.ends_with(":aws-access-key-id") || f.ends_with(":acme-api-token"));
    found.sort();
    (code, found, stderr)
}

fn tree() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "app/keys.py", &format!("key = \"{KEY1}\"\n"));
    write(
        d.path(),
        "tests/fixtures/sample.py",
        &format!("key = \"{KEY2}\"\n"),
    );
    d
}

#[test]
fn without_config_builtin_rules_apply() {
    let d = tree();
    let (code, found, err) = scan(d.path(), &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found.iter().all(|f| f.contains("aws-access-key-id")),
        "{found:?}"
    );
}

#[test]
fn custom_rule_is_applied_and_checkable() {
    let d = tree();
    write(d.path(), "app/acme.py", &format!("token = \"{ACME}\"\n"));
    write(d.path(), ".keysweep.toml", CUSTOM_RULE);
    let (_, found, err) = scan(d.path(), &[]);
    assert!(
        found.contains(&"app/acme.py:acme-api-token".to_string()),
        "{found:?} {err}"
    );
    // `rules check` and `rules list --config` read a config file (with other tables too).
    let cfg = format!("exclude = [\"x/**\"]\n[allowlist]\nstopwords = [\"dummy\"]\n{CUSTOM_RULE}");
    write(d.path(), "full.toml", &cfg);
    let out = keysweep(d.path(), &["rules", "check", "full.toml"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 rules, 0 failures"), "{stdout}");
    let out = keysweep(d.path(), &["rules", "list", "--config", "full.toml"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("acme-api-token"));
}

#[test]
fn disabled_rules_and_replaced_builtins() {
    let d = tree();
    write(
        d.path(),
        ".keysweep.toml",
        "disable_rules = [\"aws-access-key-id\"]\n",
    );
    let (_, found, err) = scan(d.path(), &[]);
    assert!(found.is_empty(), "{found:?} {err}");

    // A custom rule with a built-in's id replaces it: this one only matches KEY2.
    let replaced = "[[rules]]\nid = \"aws-access-key-id\"\nname = \"n\"\ndescription = \"d\"\n\
         keywords = [\"akiaz7\"]\nregex = '(AKIAZ7[A-Z2-7]{14})'\n";
    write(d.path(), ".keysweep.toml", replaced);
    let (_, found, err) = scan(d.path(), &[]);
    assert_eq!(
        found,
        vec!["tests/fixtures/sample.py:aws-access-key-id".to_string()],
        "{err}"
    );
}

#[test]
fn allowlists_drop_findings() {
    let cases = [
        "[allowlist]\npaths = [\"tests/fixtures/**\"]\n",
        "exclude = [\"tests/**\"]\n",
        "[allowlist]\nregexes = ['^AKIAZ7']\n",
        "[allowlist]\nlines = ['sample']\n", // no: the line is `key = "..."`; see below
        "[allowlist]\nstopwords = [\"xkq4\"]\n",
    ];
    for (i, cfg) in cases.iter().enumerate() {
        let d = tree();
        if i == 3 {
            write(
                d.path(),
                "tests/fixtures/sample.py",
                &format!("key = \"{KEY2}\" # sample value\n"),
            );
        }
        write(d.path(), ".keysweep.toml", cfg);
        let (code, found, err) = scan(d.path(), &[]);
        assert_eq!(code, 1, "{cfg}: {err}");
        assert_eq!(
            found,
            vec!["app/keys.py:aws-access-key-id".to_string()],
            "{cfg}: {err}"
        );
    }
}

#[test]
fn config_flag_and_size_limit() {
    let d = tree();
    let cfg_dir = tempfile::tempdir().unwrap();
    let cfg = cfg_dir.path().join("ks.toml");
    std::fs::write(&cfg, "max_file_size = \"10\"\n").unwrap();
    let (code, found, err) = scan(d.path(), &["--config", cfg.to_str().unwrap()]);
    assert_eq!((code, found.len()), (0, 0), "{err}");
    assert!(err.contains("too large"), "{err}");
    // The command line wins over the file.
    let (_, found, _) = scan(
        d.path(),
        &["--config", cfg.to_str().unwrap(), "--max-file-size", "1M"],
    );
    assert_eq!(found.len(), 2);
}

#[test]
fn broken_config_is_one_line_with_file_line_column_and_exit_2() {
    let d = tree();
    let cases = [
        (
            "max_file_size = \"1M\"\n\n[allowlist]\npathz = [\"a\"]\n",
            ":4:1:",
        ),
        ("exclude = [\"a\",\n", ":1:16:"),
        ("[allowlist]\nregexes = [\"ok\", \"(unclosed\"]\n", ":2:18:"),
        ("max_file_size = \"ten\"\n", ":1:17:"),
        (
            "\n[[rules]]\nid = \"bad-regex\"\nname = \"n\"\ndescription = \"d\"\nregex = '(x'\n",
            ":",
        ),
    ];
    for (cfg, pos) in cases {
        write(d.path(), ".keysweep.toml", cfg);
        let (code, _, err) = scan(d.path(), &[]);
        assert_eq!(code, 2, "{cfg}: {err}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "one line: {err}");
        assert!(
            lines[0].contains(&format!(".keysweep.toml{pos}")),
            "{cfg}: {err}"
        );
    }
}

#[test]
fn config_at_repo_root_applies_to_staged_scans_from_a_subdirectory() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .current_dir(root)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/nonexistent/keysweep-test-gitconfig")
            .args(["-c", "init.defaultBranch=main"])
            .args(args)
            .status()
            .unwrap();
        assert!(ok.success());
    };
    git(&["init", "-q", "."]);
    write(root, "sub/a.py", &format!("key = \"{KEY1}\"\n"));
    git(&["add", "-A"]);
    let out = keysweep(&root.join("sub"), &["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(1));
    write(root, ".keysweep.toml", "[allowlist]\npaths = [\"sub/*\"]\n");
    let out = keysweep(&root.join("sub"), &["scan", "--staged"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
