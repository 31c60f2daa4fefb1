//! The project names no code repository it does not own: no link, install recipe, action
//! reference or SARIF field points at someone else's repository (GitHub names are
//! case-insensitive, and a plausible `keysweep/keysweep` resolves to an unrelated project).
//! Checked on what users read and run: the README, the action, the hooks manifest, the
//! example workflow, the deployment recipes (deploy/), the scripts and the source. Rule
//! examples (patterns/) and scanned fixtures (testdata/) are text to find secrets in, not
//! links.

mod common;

use std::path::Path;

/// Code hosts whose `host/owner/repo` paths name a code repository.
const CODE_HOSTS: &[&str] = &["github.com", "gitlab.com", "bitbucket.org", "codeberg.org"];

/// The one allowed mention: the Go import path of the official AWS SDK in the snippets
/// `migrate` prints (code the user compiles against that SDK, not a link or a recipe).
const GO_SDK_IMPORT: &str = "\"github.com/aws/aws-sdk-go-v2/";

/// `uses:` may name GitHub's own actions (checkout, cache, code scanning upload) or a path.
const ALLOWED_USES: &[&str] = &[
    "actions/checkout@",
    "actions/cache@",
    "actions/upload-artifact@",
    "actions/download-artifact@",
    "github/codeql-action/",
    "./",
];

fn checked_files() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("git")
        .current_dir(root)
        .args(["ls-files", "--cached", "--others", "--exclude-standard"])
        .output()
        .unwrap();
    assert!(out.status.success(), "git ls-files failed");
    let files: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|f| {
            [
                "README.md",
                "action.yml",
                ".pre-commit-hooks.yaml",
                "Cargo.toml",
            ]
            .contains(f)
                || ["examples/", "scripts/", "src/", ".ci/", "deploy/"]
                    .iter()
                    .any(|d| f.starts_with(d))
        })
        .map(str::to_string)
        .collect();
    assert!(files.len() > 20, "only {} files to check", files.len());
    files
}

#[test]
fn no_foreign_repository_is_named() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut bad = Vec::new();
    for file in checked_files() {
        let Ok(text) = std::fs::read_to_string(root.join(&file)) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            for host in CODE_HOSTS {
                for (at, _) in line.match_indices(&format!("{host}/")) {
                    // `docs.github.com/...` is documentation, not a repository.
                    let before = line[..at].chars().next_back();
                    if before.is_some_and(|c| c == '.' || c.is_ascii_alphanumeric()) {
                        continue;
                    }
                    let go_sdk = file.starts_with("src/migrate/")
                        && line[..at].ends_with('"')
                        && line[at - 1..].starts_with(GO_SDK_IMPORT);
                    if !go_sdk {
                        bad.push(format!("{file}:{}: {}", n + 1, line.trim()));
                    }
                }
            }
            if let Some(uses) = line
                .trim_start()
                .trim_start_matches("- ")
                .strip_prefix("uses:")
            {
                let uses = uses.trim();
                if !ALLOWED_USES.iter().any(|a| uses.starts_with(a)) {
                    bad.push(format!("{file}:{}: {}", n + 1, line.trim()));
                }
            }
            if line.contains("--git http") || line.contains("--git \"http") {
                bad.push(format!("{file}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "names a repository this project does not own:\n{}",
        bad.join("\n")
    );
}

#[test]
fn sarif_names_no_repository() {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        "app.py",
        format!("k = \"{}\"\n", common::AWS_KEY_ID),
    );
    let out = common::run(dir.path(), &["scan", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let sarif = common::stdout(&out);
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let driver = &v["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "keysweep");
    // No invented home page: `informationUri` only from package metadata, which has none.
    assert!(driver.get("informationUri").is_none(), "{driver}");
    for host in CODE_HOSTS {
        assert!(!sarif.contains(host), "the SARIF names {host}");
    }
}
