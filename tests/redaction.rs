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
