//! Working-tree scans: the real binary on real files in temp dirs.

mod common;

use common::*;
use std::os::unix::fs::PermissionsExt;
use tempfile::TempDir;

fn tree() -> TempDir {
    let d = TempDir::new().unwrap();
    write(
        d.path(),
        "src/config.py",
        format!("import os\nAWS_KEY = \"{AWS_KEY_ID}\"\n"),
    );
    write(d.path(), ".env", format!("GITHUB_TOKEN={GITHUB_TOKEN}\n"));
    write(d.path(), "README.md", "nothing to see here\n");
    d
}

#[test]
fn finds_secrets_in_files_and_dotfiles_with_positions() {
    let d = tree();
    let (findings, out) = scan_json(d.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(paths(&findings), vec![".env", "src/config.py"]);
    let aws = findings
        .iter()
        .find(|f| f["path"] == "src/config.py")
        .unwrap();
    assert_eq!(aws["rule_id"], "aws-access-key-id");
    assert_eq!(aws["line"], 2);
    assert_eq!(aws["column"], 12);
    assert_eq!(aws["end_line"], 2);
    assert_eq!(aws["end_column"], 32);
    assert_eq!(aws["fingerprint"].as_str().unwrap().len(), 32);
}

#[test]
fn exit_codes_and_summary() {
    let d = tree();
    let out = run(d.path(), &["scan"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("scanned 3 files"), "{err}");
    assert!(err.contains("2 findings"), "{err}");
    let out = run(d.path(), &["scan", "--exit-zero"]);
    assert_eq!(out.status.code(), Some(0));
    let out = run(d.path(), &["scan", "--quiet"]);
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    let clean = TempDir::new().unwrap();
    write(clean.path(), "a.txt", "hello\n");
    assert_eq!(run(clean.path(), &["scan"]).status.code(), Some(0));

    let out = run(clean.path(), &["scan", "does-not-exist"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("keysweep: error: cannot scan does-not-exist"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert_eq!(
        run(clean.path(), &["scan", "--format", "nope"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn secrets_are_redacted_in_every_format_unless_asked() {
    let d = tree();
    for fmt in ["text", "json", "jsonl", "sarif", "csv", "github", "gitlab"] {
        let out = run(d.path(), &["scan", "--format", fmt]);
        let text = stdout(&out);
        assert!(!text.is_empty(), "{fmt} printed nothing");
        assert!(
            !text.contains(AWS_KEY_ID),
            "{fmt} leaks the AWS key id:\n{text}"
        );
        assert!(
            !text.contains(GITHUB_TOKEN),
            "{fmt} leaks the token:\n{text}"
        );
        assert!(!stderr(&out).contains(AWS_KEY_ID), "{fmt} leaks on stderr");
    }
    let out = run(d.path(), &["scan", "--format", "json", "--show-secrets"]);
    assert!(stdout(&out).contains(AWS_KEY_ID));
}

#[test]
fn output_file_is_private() {
    let d = tree();
    let report = d.path().join("report.json");
    let out = run(
        d.path(),
        &[
            "scan",
            "--format",
            "jsonl",
            "--output",
            report.to_str().unwrap(),
            "--exclude",
            "report.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let mode = std::fs::metadata(&report).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(text.lines().count(), 2);
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["rule_id"].is_string());
    }
}

#[test]
fn sarif_validates_against_the_schema_and_has_fingerprints() {
    let d = tree();
    let out = run(d.path(), &["scan", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../testdata/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "SARIF invalid: {errors:#?}");
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    let results = run0["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for r in results {
        assert_eq!(
            r["partialFingerprints"]["keysweep/v1"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
        assert!(r["locations"][0]["physicalLocation"]["region"]["startLine"].is_number());
    }
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules
        .iter()
        .all(|r| r["properties"]["security-severity"].is_string()
            && r["fullDescription"]["text"].is_string()));
}

#[test]
fn honours_gitignore_excludes_and_never_reads_dot_git() {
    let d = tree();
    write(d.path(), ".gitignore", "ignored/\n");
    write(d.path(), "ignored/creds.txt", format!("key {AWS_KEY_ID}\n"));
    write(d.path(), ".git/config", format!("key {AWS_KEY_ID}\n"));
    write(d.path(), "vendor/lib.js", format!("k='{AWS_KEY_ID}'\n"));
    let (f, _) = scan_json(d.path(), &["--exclude", "vendor/**"]);
    assert_eq!(paths(&f), vec![".env", "src/config.py"]);
    let (f, _) = scan_json(d.path(), &["--no-ignore"]);
    assert_eq!(
        paths(&f),
        vec![
            ".env",
            "ignored/creds.txt",
            "src/config.py",
            "vendor/lib.js"
        ]
    );
}

/// A tree that is not a git repository (an unpacked tarball, a build context) with a stray
/// `.gitignore` and the two ignore files of our own.
fn unpacked_tarball() -> TempDir {
    let d = TempDir::new().unwrap();
    write(d.path(), ".gitignore", ".env.production\n");
    write(d.path(), ".ignore", "fixtures/\n");
    write(d.path(), ".keysweepignore", "vendor/\n");
    write(
        d.path(),
        ".env.production",
        format!("GITHUB_TOKEN={GITHUB_TOKEN}\n"),
    );
    write(d.path(), "fixtures/a.txt", format!("key {AWS_KEY_ID}\n"));
    write(d.path(), "vendor/b.txt", format!("key {AWS_KEY_ID}\n"));
    d
}

#[test]
fn outside_a_git_repository_gitignore_does_not_hide_files_but_our_ignore_files_do() {
    let d = unpacked_tarball();
    let (f, _) = scan_json(d.path(), &[]);
    assert_eq!(paths(&f), vec![".env.production"]);
    // The old behaviour, opt-in as in ripgrep.
    let (f, _) = scan_json(d.path(), &["--no-require-git"]);
    assert_eq!(paths(&f), Vec::<String>::new());
    let (f, _) = scan_json(d.path(), &["--no-ignore"]);
    assert_eq!(
        paths(&f),
        vec![".env.production", "fixtures/a.txt", "vendor/b.txt"]
    );
}

#[test]
fn inside_a_git_repository_gitignore_and_our_ignore_files_all_apply() {
    let repo = common::repo::Repo::new();
    let d = unpacked_tarball();
    for name in [
        ".gitignore",
        ".ignore",
        ".keysweepignore",
        ".env.production",
    ] {
        std::fs::copy(d.path().join(name), repo.path().join(name)).unwrap();
    }
    write(repo.path(), "fixtures/a.txt", format!("key {AWS_KEY_ID}\n"));
    write(repo.path(), "vendor/b.txt", format!("key {AWS_KEY_ID}\n"));
    write(
        repo.path(),
        "app/.env",
        format!("GITHUB_TOKEN={GITHUB_TOKEN}\n"),
    );
    let (f, _) = scan_json(repo.path(), &[]);
    assert_eq!(paths(&f), vec!["app/.env"]);
    // A subdirectory of the repository is inside it too: the top's .gitignore applies.
    write(repo.path(), "app/.gitignore", ".env\n");
    let (f, _) = scan_json(&repo.path().join("app"), &["."]);
    assert_eq!(paths(&f), Vec::<String>::new());
}

#[test]
fn skips_binary_and_large_files_and_counts_them() {
    let d = TempDir::new().unwrap();
    let mut bin = b"\x7fELF\0\0\0".to_vec();
    bin.extend_from_slice(AWS_KEY_ID.as_bytes());
    write(d.path(), "a.bin", bin);
    let mut big = format!("k = '{AWS_KEY_ID}'\n").into_bytes();
    big.resize(5000, b'x');
    write(d.path(), "big.txt", big);
    write(d.path(), "small.txt", format!("k = '{AWS_KEY_ID}'\n"));
    let (f, out) = scan_json(d.path(), &["--max-file-size", "4K"]);
    assert_eq!(paths(&f), vec!["small.txt"]);
    let err = stderr(&out);
    assert!(
        err.contains("1 binary") && err.contains("1 too large"),
        "{err}"
    );
}

#[test]
fn bad_inputs_warn_and_the_scan_goes_on() {
    let d = TempDir::new().unwrap();
    write(d.path(), "good.txt", format!("k = '{AWS_KEY_ID}'\n"));
    std::os::unix::fs::symlink("missing-target", d.path().join("broken-link")).unwrap();
    std::fs::create_dir(d.path().join("loop")).unwrap();
    std::os::unix::fs::symlink("..", d.path().join("loop/up")).unwrap();
    // A non-UTF-8 file name.
    use std::os::unix::ffi::OsStrExt;
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(d.path().join(name), format!("k = '{AWS_KEY_ID}'\n")).unwrap();
    // Unreadable file (only meaningful when not running as root).
    write(d.path(), "secret.txt", format!("k = '{AWS_KEY_ID}'\n"));
    let locked = d.path().join("secret.txt");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let root = std::fs::File::open(&locked).is_ok();

    let (f, out) = scan_json(d.path(), &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("warning"), "{err}");
    // Symlinks are not followed by default (ripgrep's convention): counted, not read.
    assert!(err.contains("skipped 2 symlinks"), "{err}");
    assert!(err.contains("not valid UTF-8"), "{err}");
    // Followed, the broken one and the loop are warnings.
    let (_, followed) = scan_json(d.path(), &["--follow"]);
    let ferr = stderr(&followed);
    assert!(ferr.contains("broken-link"), "{ferr}");
    assert!(ferr.contains("loop"), "{ferr}");
    let p = paths(&f);
    assert!(p.contains(&"good.txt".to_string()));
    assert!(p.contains(&"caf\u{FFFD}.txt".to_string()), "{p:?}");
    if !root {
        assert!(err.contains("secret.txt"), "{err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn decodes_crlf_bom_latin1_and_utf16() {
    let d = TempDir::new().unwrap();
    write(
        d.path(),
        "crlf.ini",
        format!("[aws]\r\nkey = {AWS_KEY_ID}\r\n"),
    );
    write(d.path(), "bom.txt", format!("\u{FEFF}key = {AWS_KEY_ID}\n"));
    let mut latin1 = b"caf\xe9 = 1\nkey = ".to_vec();
    latin1.extend_from_slice(AWS_KEY_ID.as_bytes());
    write(d.path(), "latin1.txt", latin1);
    let mut utf16 = vec![0xFF, 0xFE];
    for u in format!("x = 1\nkey = {AWS_KEY_ID}\n").encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    write(d.path(), "utf16.txt", utf16);
    let (f, _) = scan_json(d.path(), &["--show-secrets"]);
    assert_eq!(
        paths(&f),
        vec!["bom.txt", "crlf.ini", "latin1.txt", "utf16.txt"]
    );
    for x in &f {
        assert_eq!(x["secret"], AWS_KEY_ID, "{x}");
        let want_line = if x["path"] == "bom.txt" { 1 } else { 2 };
        assert_eq!(x["line"], want_line, "{x}");
        assert!(!x["snippet"].as_str().unwrap().ends_with('\r'));
    }
}

#[test]
fn inline_allow_comments_from_us_and_other_tools() {
    let d = TempDir::new().unwrap();
    let k = AWS_KEY_ID;
    write(
        d.path(),
        "a.py",
        format!(
            "a = '{k}'  # keysweep:allow\nb = '{k}'  # gitleaks:allow\nc = '{k}'  # pragma: allowlist secret\n\
             d = '{k}'  # trufflehog:ignore\n# pragma: allowlist nextline secret\ne = '{k}'\nf = '{k}'\n"
        ),
    );
    let (f, _) = scan_json(d.path(), &[]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["line"], 7);
}

#[test]
fn fingerprint_survives_moving_the_line() {
    let d = TempDir::new().unwrap();
    write(d.path(), "a.py", format!("k = '{AWS_KEY_ID}'\n"));
    let (f1, _) = scan_json(d.path(), &[]);
    write(
        d.path(),
        "a.py",
        format!("\n\n# moved\nk = '{AWS_KEY_ID}'\n"),
    );
    let (f2, _) = scan_json(d.path(), &[]);
    assert_eq!(f1[0]["fingerprint"], f2[0]["fingerprint"]);
    assert_ne!(f1[0]["line"], f2[0]["line"]);
}

#[test]
fn rules_list_and_show() {
    let d = TempDir::new().unwrap();
    // One keywordless rule of our own, so the summary has one to count and mark.
    write(
        d.path(),
        "extra.toml",
        "[[rules]]\nid = \"test-keywordless\"\nname = \"n\"\ndescription = \"d\"\n\
         regex = '(zq9[0-9]{30})'\n",
    );
    let listed = |format: &str| {
        let out = run(
            d.path(),
            &[
                "rules",
                "list",
                "--config",
                "extra.toml",
                "--format",
                format,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let rules: Vec<serde_json::Value> = serde_json::from_str(&listed("json")).unwrap();
    let keywordless = |r: &&serde_json::Value| r["keywords"].as_array().is_none_or(Vec::is_empty);
    let want_unmarked: Vec<&str> = rules
        .iter()
        .filter(|r| !keywordless(r))
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let want_marked: Vec<&str> = rules
        .iter()
        .filter(keywordless)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(want_marked.contains(&"test-keywordless"), "{want_marked:?}");
    assert!(want_unmarked.contains(&"aws-access-key-id"));

    // The text list: one line per rule, keywordless ones marked, then "N rules, M without
    // keywords" with the counts of the lines above it.
    let text = listed("text");
    let (rows, summary) = text
        .trim_end()
        .rsplit_once('\n')
        .expect("rule lines, then a summary");
    let id_of = |line: &str| line.split_whitespace().next().unwrap().to_string();
    let (marked, unmarked): (Vec<&str>, Vec<&str>) = rows
        .lines()
        .partition(|l| l.ends_with("[(no keywords: runs on every file)]"));
    assert_eq!(
        marked.iter().map(|l| id_of(l)).collect::<Vec<_>>(),
        want_marked
    );
    assert_eq!(
        unmarked.iter().map(|l| id_of(l)).collect::<Vec<_>>(),
        want_unmarked
    );
    assert_eq!(
        summary,
        format!(
            "{} rules, {} without keywords",
            rules.len(),
            want_marked.len()
        )
    );

    let out = run(d.path(), &["rules", "show", "aws-access-key-id"]);
    assert!(stdout(&out).contains("examples:"));
    let out = run(d.path(), &["rules", "show", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_file_argument_is_scanned_directly() {
    let d = tree();
    let (f, _) = scan_json(d.path(), &["src/config.py"]);
    assert_eq!(paths(&f), vec!["src/config.py"]);
}
