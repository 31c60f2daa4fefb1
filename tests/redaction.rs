//! No secret reaches any output unless `--show-secrets`: secrets are planted everywhere a
//! report can echo one (two on one line, a commit message, an author name, a path, a config
//! value) and every format of tree and history scans is searched for them.

mod common;

use common::repo::Repo;
use common::GITHUB_TOKEN;
use std::process::Output;

/// AWS key ids in the real format, one per place.
const SAME_LINE_A: &str = "AKIAQYLPMN5HHHFPZAM2";
const SAME_LINE_B: &str = "AKIAZ7XKQ4RWT3MNBV6C";
const IN_MESSAGE: &str = "AKIAWQ3RT6YHNB2MKL7P";
const IN_AUTHOR: &str = "AKIAJ4KD7XQ2MN5PLR3T";
const IN_PATH: &str = "AKIAR5TG2WQ7MZ3KXN4B";

const FORMATS: [&str; 7] = ["text", "json", "jsonl", "sarif", "csv", "github", "gitlab"];

fn planted() -> Repo {
    let r = Repo::new();
    r.write(
        "src/app.py",
        format!("keys = [\"{SAME_LINE_A}\", \"{SAME_LINE_B}\", \"{GITHUB_TOKEN}\"]\n"),
    );
    r.write(&format!("notes/{IN_PATH}.txt"), format!("id {IN_PATH}\n"));
    r.git(&["add", "-A"]);
    let out = r
        .cmd("git")
        .args([
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-q",
            "--no-verify",
            "-m",
            &format!("add keys, old one was {IN_MESSAGE}"),
        ])
        .env("GIT_AUTHOR_NAME", format!("Dev {IN_AUTHOR}"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    r
}

fn all_output(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn assert_clean(what: &str, text: &str) {
    for s in [
        SAME_LINE_A,
        SAME_LINE_B,
        IN_MESSAGE,
        IN_AUTHOR,
        IN_PATH,
        GITHUB_TOKEN,
    ] {
        // A redaction keeps at most four characters: the first twelve never appear.
        assert!(
            !text.contains(&s[..12]),
            "{what}: {} leaked:\n{text}",
            &s[..12]
        );
    }
}

#[test]
fn no_format_prints_a_planted_secret() {
    let r = planted();
    for mode in [&[][..], &["--git"][..]] {
        for format in FORMATS {
            let mut args = vec!["scan", "--format", format];
            args.extend_from_slice(mode);
            let out = r
                .cmd(env!("CARGO_BIN_EXE_keysweep"))
                .args(&args)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{args:?}: {}", all_output(&out));
            let text = all_output(&out);
            assert_clean(&format!("{args:?}"), &text);
            if mode.is_empty() {
                continue;
            }
            // History findings carry their commit; its message and author are masked, not
            // dropped.
            if format == "json" {
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                let c = &v[0]["commit"];
                assert!(c["summary"]
                    .as_str()
                    .unwrap()
                    .starts_with("add keys, old one was AKIA*"));
                assert!(c["author_name"].as_str().unwrap().starts_with("Dev AKIA*"));
            }
        }
    }
}

#[test]
fn show_secrets_shows_them_in_every_format() {
    let r = planted();
    for format in FORMATS {
        let out = r
            .cmd(env!("CARGO_BIN_EXE_keysweep"))
            .args(["scan", "--show-secrets", "--format", format])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(SAME_LINE_A), "{format}: {text}");
    }
}

#[test]
fn a_config_value_of_the_wrong_type_is_not_echoed() {
    let r = Repo::new();
    r.write(".keysweep.toml", format!("exclude = \"{SAME_LINE_A}\"\n"));
    r.write("a.py", "x = 1\n");
    let out = r
        .cmd(env!("CARGO_BIN_EXE_keysweep"))
        .args(["scan"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    let err = common::stderr(&out);
    assert!(err.contains(".keysweep.toml:1:"), "{err}");
    assert_clean("config error", &all_output(&out));
}

#[test]
fn control_characters_are_escaped_in_text() {
    let r = Repo::new();
    r.write(
        "esc.py",
        format!("k = \"{SAME_LINE_A}\"  # \x1b]0;owned\x07 \x1b[2J\n"),
    );
    let out = r
        .cmd(env!("CARGO_BIN_EXE_keysweep"))
        .args(["scan"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    assert!(text.contains("\\x1B]0;owned\\x07"), "{text}");
}

/// A password assignment: its rule is of low confidence.
const PASSWORD: &str = "Qm7#rT2x!Lp9vZ4k";

#[test]
fn a_secret_whose_finding_is_dropped_is_masked_in_the_line_of_another() {
    let r = Repo::new();
    r.write(
        "app.py",
        format!("password = \"{PASSWORD}\"; token = \"{GITHUB_TOKEN}\"\n"),
    );
    let rules = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["scan", "--format", "json"];
        args.extend_from_slice(extra);
        let out = r
            .cmd(env!("CARGO_BIN_EXE_keysweep"))
            .args(&args)
            .output()
            .unwrap();
        let found: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        found
            .iter()
            .map(|f| f["rule_id"].as_str().unwrap().to_string())
            .collect()
    };
    // The password is a finding of its own, dropped by the confidence floor.
    assert_eq!(rules(&[]).len(), 2, "{:?}", rules(&[]));
    assert_eq!(rules(&["--min-confidence", "high"]).len(), 1);
    for format in FORMATS {
        let out = r
            .cmd(env!("CARGO_BIN_EXE_keysweep"))
            .args(["scan", "--min-confidence", "high", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}: {}", all_output(&out));
        let text = all_output(&out);
        assert!(
            !text.contains(&PASSWORD[..8]),
            "{format}: password leaked:\n{text}"
        );
        assert_clean(format, &text);
    }
}

#[test]
fn a_secret_cut_by_the_edge_of_another_findings_line_is_masked_where_it_shows() {
    // The excerpt of a long line ends 1,024 bytes after the secret: the second key begins
    // 16 bytes before that edge, so the first finding's line shows only its first part, and
    // the second finding's line shows only the end of the first secret.
    let filler = " ".repeat(1024 - 16 - 7);
    let line = format!("a = \"{GITHUB_TOKEN}\"{filler} b = \"{SAME_LINE_B}\"\n");
    let b_start = line.find(SAME_LINE_B).unwrap();
    let a_end = line.find(GITHUB_TOKEN).unwrap() + GITHUB_TOKEN.len();
    assert_eq!(b_start - a_end, 1024 - 16);
    let r = Repo::new();
    r.write("long.py", &line);
    let head = &SAME_LINE_B[..12];
    let tail = &GITHUB_TOKEN[GITHUB_TOKEN.len() - 12..];
    for format in FORMATS {
        let out = r
            .cmd(env!("CARGO_BIN_EXE_keysweep"))
            .args(["scan", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}: {}", all_output(&out));
        let text = all_output(&out);
        assert!(!text.contains(head), "{format}: {head} leaked:\n{text}");
        assert!(!text.contains(tail), "{format}: {tail} leaked:\n{text}");
        assert_clean(format, &text);
    }
}
