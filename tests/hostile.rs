//! Hostile trees: links out of the root, special files where files are expected, output paths
//! that point somewhere else, nonsense limits, misleading encodings. Each scan must finish,
//! stay inside its roots and say what it skipped.

#![cfg(unix)]

mod common;

use common::{bin, paths, scan_json, stderr, write, AWS_KEY_ID};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs keysweep in `dir`, failing the test (and killing it) if it takes over 30 s.
fn run_bounded(dir: &Path, args: &[&str]) -> Output {
    let mut child = bin()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("keysweep {args:?} did not finish in 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn mkfifo(p: &Path) {
    assert!(Command::new("mkfifo").arg(p).status().unwrap().success());
}

fn tree_with_secret() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "app.py", format!("k = \"{AWS_KEY_ID}\"\n"));
    d
}

#[test]
fn a_link_to_the_root_of_the_filesystem_is_not_followed() {
    let d = tree_with_secret();
    symlink("/", d.path().join("rootfs")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "other.py",
        format!("k = \"{AWS_KEY_ID}\"\n"),
    );
    symlink(outside.path(), d.path().join("elsewhere")).unwrap();
    symlink(outside.path().join("other.py"), d.path().join("linked.py")).unwrap();
    for extra in [&[][..], &["--follow"][..]] {
        let mut args = vec!["scan", "-f", "json"];
        args.extend_from_slice(extra);
        let out = run_bounded(d.path(), &args);
        let f: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(paths(&f), vec!["app.py"], "{extra:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("3 symlinks"), "{}", stderr(&out));
    }
}

#[test]
fn follow_reads_links_that_stay_inside_the_root() {
    let d = tree_with_secret();
    write(d.path(), "real/conf.py", format!("k = \"{AWS_KEY_ID}\"\n"));
    symlink(d.path().join("real"), d.path().join("alias")).unwrap();
    let (f, _) = scan_json(d.path(), &["--follow"]);
    assert_eq!(paths(&f), vec!["alias/conf.py", "app.py", "real/conf.py"]);
    let (f, _) = scan_json(d.path(), &[]);
    assert_eq!(paths(&f), vec!["app.py", "real/conf.py"]);
}

#[test]
fn special_files_never_block_the_scan() {
    let d = tree_with_secret();
    mkfifo(&d.path().join("pipe.env"));
    symlink("/proc/kmsg", d.path().join("kmsg.log")).unwrap();
    let out = run_bounded(d.path(), &["scan", "-f", "json", "--follow"]);
    let f: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(paths(&f), vec!["app.py"]);
    assert!(stderr(&out).contains("special file"), "{}", stderr(&out));

    // Named on the command line: a warning, and the scan goes on.
    let out = run_bounded(d.path(), &["scan", "-f", "json", "pipe.env", "app.py"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("pipe.env: skipped: it is a FIFO"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_config_file_that_is_not_a_regular_file_is_ignored_with_a_warning() {
    for target in ["/proc/kmsg", "fifo"] {
        let d = tree_with_secret();
        if target == "fifo" {
            mkfifo(&d.path().join(".keysweep.toml"));
        } else {
            symlink(target, d.path().join(".keysweep.toml")).unwrap();
        }
        let out = run_bounded(d.path(), &["scan", "-f", "json"]);
        assert_eq!(out.status.code(), Some(1), "{target}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(".keysweep.toml ignored"),
            "{target}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn output_files_are_never_written_through_a_link_or_onto_a_device() {
    let d = tree_with_secret();
    let victim = d.path().join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    symlink(&victim, d.path().join("report.json")).unwrap();
    for args in [
        &["scan", "-f", "json", "-o", "report.json", "app.py"][..],
        &["baseline", "create", "-o", "report.json", "app.py"][..],
        &["scan", "-o", "/dev/null", "app.py"][..],
        &["baseline", "create", "-o", "/dev/null", "app.py"][..],
    ] {
        let out = run_bounded(d.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("refusing to write"),
            "{}",
            stderr(&out)
        );
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());

    // A regular file is replaced, private; `-` is stdout.
    let out = run_bounded(
        d.path(),
        &["scan", "-f", "json", "-o", "out.json", "app.py"],
    );
    assert_eq!(out.status.code(), Some(1));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(d.path().join("out.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let out = run_bounded(d.path(), &["scan", "-f", "json", "-o", "-", "app.py"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("aws-access-key-id"));
}

#[test]
fn size_limits_are_parsed_with_overflow_checks() {
    let d = tree_with_secret();
    let out = run_bounded(
        d.path(),
        &[
            "scan",
            "-f",
            "json",
            "--max-file-size",
            "18446744073709551615",
        ],
    );
    let f: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(paths(&f), vec!["app.py"]);
    let out = run_bounded(d.path(), &["scan", "--max-file-size", "99999999999G"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("size too large"), "{}", stderr(&out));
}

#[test]
fn an_ascii_file_starting_with_ff_fe_is_scanned_as_it_is() {
    let d = tempfile::tempdir().unwrap();
    let mut bytes = b"\xFF\xFE".to_vec();
    bytes.extend_from_slice(format!("key = \"{AWS_KEY_ID}\"\n").as_bytes());
    write(d.path(), "odd.txt", bytes);
    let (f, _) = scan_json(d.path(), &[]);
    assert_eq!(paths(&f), vec!["odd.txt"]);
}

/// A repository whose three blobs sit in one pack; returns it and the pack offset of the blob
/// holding `KEY_B`.
fn packed_repo() -> (common::repo::Repo, std::path::PathBuf, u64) {
    let r = common::repo::Repo::new();
    r.write("a.py", format!("k = \"{AWS_KEY_ID}\"\n"));
    r.write("b.py", format!("k = \"{KEY_B}\"\n"));
    r.commit("init");
    r.git(&["gc", "-q"]);
    let pack_dir = r.path().join(".git/objects/pack");
    let idx = std::fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    let blob = r.git(&["rev-parse", "HEAD:b.py"]);
    let listing = r.git(&["verify-pack", "-v", idx.to_str().unwrap()]);
    let offset = listing
        .lines()
        .find(|l| l.starts_with(blob.trim()))
        .and_then(|l| l.split_whitespace().nth(4))
        .unwrap()
        .parse()
        .unwrap();
    (r, idx.with_extension("pack"), offset)
}

const KEY_B: &str = "AKIAZ7XKQ4RWT3MNBV6C";

#[test]
fn a_corrupt_pack_entry_header_is_a_warning_not_a_silent_loss() {
    // Entry headers that declare a wrong size: gix would hand over zero-padded (looks binary)
    // or truncated (secret cut off) content without an error.
    for header in [[0xbfu8, 0x07], [0xb1, 0x00]] {
        let (r, pack, offset) = packed_repo();
        let mut bytes = std::fs::read(&pack).unwrap();
        bytes[offset as usize..offset as usize + 2].copy_from_slice(&header);
        let mut perms = std::fs::metadata(&pack).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&pack, perms).unwrap();
        std::fs::write(&pack, bytes).unwrap();
        let blob = r.git(&["rev-parse", "HEAD:b.py"]);
        let out = run_bounded(r.path(), &["scan", "--git", "-f", "json"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("object {} could not be read", blob.trim())),
            "{err}"
        );
        assert!(err.contains("1 unreadable"), "{err}");
        let out = run_bounded(
            r.path(),
            &["scan", "--git", "-f", "json", "--fail-on-scan-errors"],
        );
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    }
}

#[test]
fn staged_scans_of_broken_or_bare_repositories_are_errors() {
    let r = common::repo::Repo::new();
    r.write("a.py", "x = 1\n");
    r.commit("init");
    r.write("b.py", format!("k = \"{AWS_KEY_ID}\"\n"));
    r.git(&["add", "b.py"]);
    let head = r.path().join(".git/HEAD");
    std::fs::write(&head, "ref: refs/he").unwrap();
    let out = run_bounded(r.path(), &["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not a branch"), "{}", stderr(&out));
    std::fs::write(&head, "ref: refs/heads/main\n").unwrap();

    let bare = tempfile::tempdir().unwrap();
    let status = Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(r.path())
        .arg(bare.path().join("b.git"))
        .status()
        .unwrap();
    assert!(status.success());
    let out = run_bounded(&bare.path().join("b.git"), &["scan", "--staged"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("bare repository"), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1);
}

#[test]
fn absurd_thread_counts_are_capped() {
    let d = tree_with_secret();
    let out = run_bounded(d.path(), &["scan", "-f", "json", "--threads", "4294967296"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("capped at 256"), "{}", stderr(&out));
    let out = run_bounded(d.path(), &["scan", "--threads", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_range_is_scanned_with_the_config_of_its_base() {
    let r = common::repo::Repo::new();
    r.write("README", "x\n");
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "pr"]);
    r.write(
        ".keysweep.toml",
        "exclude = [\"**\"]\n[allowlist]\nregexes = ['.']\n",
    );
    r.write("leak.py", format!("k = \"{AWS_KEY_ID}\"\n"));
    r.write("base.json", "{\"version\": 1, \"findings\": []}\n");
    r.commit("pr silences itself");

    let out = run_bounded(
        r.path(),
        &["scan", "--git", "--range", "main..pr", "-f", "sarif"],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "the PR's own config was used: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("changes .keysweep.toml"),
        "{}",
        stderr(&out)
    );
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let note = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0];
    assert!(note["message"]["text"]
        .as_str()
        .unwrap()
        .contains(".keysweep.toml"));
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);

    let out = run_bounded(
        r.path(),
        &[
            "scan",
            "--git",
            "--since-commit",
            "main",
            "--baseline",
            "base.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("changes the baseline base.json"),
        "{}",
        stderr(&out)
    );

    // Named explicitly, the file is trusted.
    let out = run_bounded(
        r.path(),
        &[
            "scan",
            "--git",
            "--range",
            "main..pr",
            "--config",
            ".keysweep.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
