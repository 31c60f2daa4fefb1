//! The command line around scans: standard input (`scan -`), shell completions, the man page,
//! `--version`, `--color`, and a closed stdout pipe. The real binary, with real shells and man
//! page tools.

mod common;

use common::repo::Repo;
use common::{bin, stderr, stdout, AWS_KEY_ID, GITHUB_TOKEN};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `keysweep ARGS` in `dir` with `input` on its standard input.
fn run_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = bin()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run keysweep");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// The findings of a JSON report.
fn findings(out: &Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\nstderr: {}", stdout(out), stderr(out)));
    v.as_array().expect("array").clone()
}

fn secret_file() -> String {
    format!("aws_access_key_id = \"{AWS_KEY_ID}\"\n")
}

/// A program the test needs: its absence fails the test (it must not pass unchecked).
fn require(program: &str, why: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{program} is needed to {why}; install it (apt-get install {program})"
    );
}

#[test]
fn stdin_is_scanned_as_one_blob_reported_as_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_stdin(
        dir.path(),
        &["scan", "-", "-f", "json"],
        secret_file().as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let f = findings(&out);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["path"], "<stdin>");
    assert_eq!(f[0]["rule_id"], "aws-access-key-id");
    assert_eq!(f[0]["line"], 1);
    assert!(!stdout(&out).contains(AWS_KEY_ID), "the secret is redacted");
    assert!(stderr(&out).contains("scanned 1 files"), "{}", stderr(&out));

    let clean = run_stdin(dir.path(), &["scan", "-"], b"nothing to see\n");
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
}

#[test]
fn stdin_name_sets_the_path_and_path_rules_apply_to_it() {
    let dir = tempfile::tempdir().unwrap();
    common::write(
        dir.path(),
        ".keysweep.toml",
        "exclude = [\"vendor/**\"]\n[allowlist]\npaths = [\"tests/fixtures/**\"]\n",
    );
    let input = secret_file();
    let scan = |name: &str, extra: &[&str]| {
        let mut args = vec!["scan", "-", "--stdin-name", name, "-f", "json"];
        args.extend_from_slice(extra);
        run_stdin(dir.path(), &args, input.as_bytes())
    };
    let out = scan("./src/settings.py", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let f = findings(&out);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["path"], "src/settings.py");
    // The config's exclude and allowlisted paths, and --exclude, see the name.
    for (name, extra) in [
        ("vendor/lib/settings.py", &[][..]),
        ("tests/fixtures/keys.txt", &[][..]),
        ("src/settings.py", &["--exclude", "*.py"][..]),
    ] {
        let out = scan(name, extra);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        assert!(findings(&out).is_empty(), "{name}");
    }
}

#[test]
fn stdin_honours_inline_marks_the_baseline_and_the_size_limit() {
    let repo = Repo::new();
    repo.write("app/config.py", secret_file());
    repo.commit("config");
    let dir = repo.path();
    // A baseline made by a tree scan of the file suppresses its content piped in under its
    // name, also from a subdirectory: the fingerprint is taken relative to the repository.
    let created = common::run(dir, &["baseline", "create"]);
    assert_eq!(created.status.code(), Some(0), "{}", stderr(&created));
    let baseline = dir.join(".keysweep-baseline.json");
    let baseline = baseline.to_str().unwrap();
    let content = secret_file();
    let suppressed = run_stdin(
        &dir.join("app"),
        &[
            "scan",
            "-",
            "--stdin-name",
            "config.py",
            "--baseline",
            baseline,
        ],
        content.as_bytes(),
    );
    assert_eq!(suppressed.status.code(), Some(0), "{}", stderr(&suppressed));
    let elsewhere = run_stdin(
        dir,
        &[
            "scan",
            "-",
            "--stdin-name",
            "other.py",
            "--baseline",
            baseline,
        ],
        content.as_bytes(),
    );
    assert_eq!(elsewhere.status.code(), Some(1), "{}", stderr(&elsewhere));

    let marked = format!("token = \"{GITHUB_TOKEN}\"  # keysweep:allow\n");
    let out = run_stdin(dir, &["scan", "-"], marked.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let out = run_stdin(
        dir,
        &["scan", "-", "--max-file-size", "16"],
        content.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("larger than --max-file-size") && stderr(&out).contains("too large"),
        "{}",
        stderr(&out)
    );
    let mut binary = content.clone().into_bytes();
    binary.insert(0, 0);
    let out = run_stdin(dir, &["scan", "-"], &binary);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("1 binary"), "{}", stderr(&out));
}

#[test]
fn stdin_works_with_every_report_format() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["text", "json", "jsonl", "sarif", "csv", "github", "gitlab"] {
        let out = run_stdin(
            dir.path(),
            &["scan", "-", "--stdin-name", "deploy/app.env", "-f", format],
            secret_file().as_bytes(),
        );
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("app.env"), "{format}: {text}");
        assert!(!text.contains(AWS_KEY_ID), "{format} leaks the secret");
        if ["json", "sarif", "gitlab"].contains(&format) {
            serde_json::from_str::<serde_json::Value>(&text)
                .unwrap_or_else(|e| panic!("{format}: {e}"));
        }
    }
}

#[test]
fn git_show_piped_into_scan_dash() {
    let repo = Repo::new();
    repo.write("config/prod.env", secret_file());
    repo.commit("add config");
    // Gone from the work tree, still in HEAD: only `git show` has it.
    std::fs::remove_file(repo.path().join("config/prod.env")).unwrap();
    let tree = common::run(repo.path(), &["scan"]);
    assert_eq!(tree.status.code(), Some(0), "{}", stdout(&tree));

    let out = repo
        .cmd("sh")
        .env("KEYSWEEP", env!("CARGO_BIN_EXE_keysweep"))
        .args([
            "-c",
            "git show HEAD:config/prod.env | \"$KEYSWEEP\" scan - --stdin-name config/prod.env -f json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let f = findings(&out);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["path"], "config/prod.env");
    assert_eq!(f[0]["line"], 1);
}

#[test]
fn stdin_refuses_other_paths_a_terminal_and_a_stray_name() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["scan", "-", "src"][..],
        &["scan", "--git", "-"][..],
        &["scan", "src", "--stdin-name", "x.py"][..],
    ] {
        let out = run_stdin(dir.path(), args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.starts_with("keysweep: error: ") && err.lines().count() == 1,
            "{err}"
        );
    }
    require("script", "give keysweep a terminal");
    let out = Command::new("script")
        .args(["-qec", "\"$KEYSWEEP\" scan -", "/dev/null"])
        .env("KEYSWEEP", env!("CARGO_BIN_EXE_keysweep"))
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("standard input is a terminal"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn completions_for_every_shell_and_bash_accepts_its_script() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains("keysweep"), "{shell}");
        assert!(
            script.contains("stdin-name"),
            "{shell}: flags are completed"
        );
    }
    let out = bin().args(["completions", "bash"]).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keysweep.bash");
    std::fs::write(&path, &out.stdout).unwrap();
    let check = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(check.status.success(), "bash -n: {}", stderr(&check));
    let bad = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_man_page_passes_the_man_page_tools() {
    let out = bin().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = stdout(&out);
    for needle in [".TH KEYSWEEP 1", ".SH \"KEYSWEEP SCAN\"", "stdin\\-name"] {
        assert!(page.contains(needle), "{needle}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keysweep.1");
    std::fs::write(&path, &out.stdout).unwrap();
    let has = |p: &str| {
        Command::new("sh")
            .args(["-c", &format!("command -v {p}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let (mandoc, man) = (has("mandoc"), has("man"));
    assert!(
        mandoc || man,
        "mandoc or man (man-db) is needed to check the man page: apt-get install mandoc"
    );
    if mandoc {
        // Warnings and errors fail; style suggestions (long lines) do not.
        let lint = Command::new("mandoc")
            .args(["-T", "lint", "-W", "warning"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            lint.status.success() && lint.stdout.is_empty(),
            "mandoc -T lint: {}{}",
            stdout(&lint),
            stderr(&lint)
        );
    }
    if man {
        // groff's warnings (-ww) reach stderr; a page that renders cleanly has none.
        let shown = Command::new("man")
            .arg("-l")
            .arg(&path)
            .env("MANROFFOPT", "-ww")
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100")
            .output()
            .unwrap();
        assert!(shown.status.success(), "man -l: {}", stderr(&shown));
        assert!(
            stderr(&shown).trim().is_empty(),
            "man -l: {}",
            stderr(&shown)
        );
        assert!(
            stdout(&shown).contains("--stdin-name"),
            "{}",
            stdout(&shown)
        );
    }
}

#[test]
fn version_names_the_commit_and_the_rule_count() {
    let out = bin().arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let line = stdout(&out);
    let re = regex::Regex::new(
        r"^keysweep (\d+\.\d+\.\d+) \(commit ([0-9a-f]{7}|unknown), (\d+) rules\)\n$",
    )
    .unwrap();
    let caps = re.captures(&line).unwrap_or_else(|| panic!("{line:?}"));
    assert_eq!(&caps[1], env!("CARGO_PKG_VERSION"));
    let rules = bin()
        .args(["rules", "list", "--format", "json"])
        .output()
        .unwrap();
    let listed = serde_json::from_slice::<serde_json::Value>(&rules.stdout).unwrap();
    assert_eq!(
        caps[3].parse::<usize>().unwrap(),
        listed.as_array().unwrap().len()
    );
    // Built in this checkout: the commit is the one checked out.
    let head = Command::new("git")
        .args([
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "rev-parse",
            "--short=7",
            "HEAD",
        ])
        .output()
        .unwrap();
    if head.status.success() {
        assert_eq!(&caps[2], stdout(&head).trim());
    }
}

/// Runs keysweep with stdout on a pipe whose reader is already closed.
fn into_closed_pipe(args: &[&str], dir: &Path) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    bin()
        .current_dir(dir)
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let out = into_closed_pipe(&["rules", "list"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    common::write(dir.path(), "a.env", secret_file());
    for format in ["json", "text", "sarif"] {
        let out = into_closed_pipe(&["scan", "-f", format], dir.path());
        // The usual code for a scan with findings; only the summary on stderr.
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{format}: {err}");
        assert!(err.starts_with("keysweep: scanned"), "{format}: {err}");
    }
    for args in [&["completions", "bash"][..], &["man"][..]] {
        let out = into_closed_pipe(args, dir.path());
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).is_empty(), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn color_is_forced_by_flag_and_turned_off_by_no_color() {
    let dir = tempfile::tempdir().unwrap();
    common::write(dir.path(), "a.env", secret_file());
    let ansi = |o: &Output| stdout(o).contains("\x1b[");
    // Not a terminal, and common::bin sets NO_COLOR: only --color always colours.
    let forced = common::run(dir.path(), &["scan", "--color", "always"]);
    assert_eq!(forced.status.code(), Some(1));
    assert!(ansi(&forced), "{}", stdout(&forced));
    assert!(!ansi(&common::run(dir.path(), &["scan"])));

    // On a terminal (script gives it one) auto colours, unless NO_COLOR or --color never.
    require("script", "give keysweep a terminal");
    let on_tty = |args: &str, no_color: Option<&str>| {
        let mut c = Command::new("script");
        c.args([
            "-qec",
            &format!("\"$KEYSWEEP\" scan -q {args}"),
            "/dev/null",
        ])
        .env("KEYSWEEP", env!("CARGO_BIN_EXE_keysweep"))
        .env_remove("NO_COLOR")
        .current_dir(dir.path())
        .stdin(Stdio::null());
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args}: {}", stdout(&out));
        assert!(
            stdout(&out).contains("aws-access-key-id"),
            "{}",
            stdout(&out)
        );
        out
    };
    assert!(ansi(&on_tty("", None)), "auto on a terminal colours");
    assert!(
        ansi(&on_tty("", Some(""))),
        "an empty NO_COLOR does not count"
    );
    assert!(!ansi(&on_tty("", Some("1"))), "NO_COLOR=1");
    assert!(!ansi(&on_tty("--color never", None)), "--color never");
    assert!(ansi(&on_tty("--color always", Some("1"))), "the flag wins");
}
