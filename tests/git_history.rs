//! `scan --git`: real repositories built with the git CLI, scanned by the real binary.
//! Every finding's commit, author, path and line is checked against what git says.

mod common;

use common::{run, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const K1: &str = "AKIAUJZDEGXDNCF32EPF";
const K2: &str = "AKIA3DHODZDOCIS2JHTL";
const K3: &str = "AKIAGMXGEDN73U55XTPL";
const K4: &str = "AKIAPFT7V4SEH2KVJ72C";
const K5: &str = "AKIAEUVW75EFR6EDT4SY";
const K6: &str = "AKIAWB5WKH7DNSIPZZ7F";
const K7: &str = "AKIAK4ZRI3R2WYOJFLJO";

/// A scratch repository driven through the git CLI with fixed identities and dates.
struct Repo {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    tick: u64,
}

impl Repo {
    fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("repo");
        std::fs::create_dir(&dir).unwrap();
        let r = Repo {
            _tmp: tmp,
            dir,
            tick: 0,
        };
        r.git(&["init", "-q"]);
        r
    }

    fn git_in(dir: &Path, args: &[&str], who: (&str, &str), date: &str) -> String {
        // Packing commands are retried: on this shared machine an unrelated shell hook has
        // been seen to garble a repack now and then.
        let attempts = if matches!(args[0], "gc" | "repack" | "clone") {
            3
        } else {
            1
        };
        let mut last = None;
        for _ in 0..attempts {
            let out = Command::new("git")
                .current_dir(dir)
                .args([
                    "-c",
                    "init.defaultBranch=main",
                    "-c",
                    "commit.gpgsign=false",
                ])
                .args(["-c", "tag.gpgsign=false", "-c", "core.autocrlf=false"])
                .args(["-c", "gc.auto=0", "-c", "maintenance.auto=false"])
                .args(args)
                .env("GIT_AUTHOR_NAME", who.0)
                .env("GIT_AUTHOR_EMAIL", who.1)
                .env("GIT_AUTHOR_DATE", date)
                .env("GIT_COMMITTER_NAME", who.0)
                .env("GIT_COMMITTER_EMAIL", who.1)
                .env("GIT_COMMITTER_DATE", date)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("HOME", dir)
                // Plain system PATH: no version-manager shims between git and its helpers.
                .env("PATH", "/usr/local/bin:/usr/bin:/bin")
                .output()
                .expect("run git");
            if out.status.success() || args[0] == "merge" {
                return String::from_utf8_lossy(&out.stdout).trim().to_string();
            }
            last = Some(out);
        }
        let out = last.unwrap();
        panic!("git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn git(&self, args: &[&str]) -> String {
        Repo::git_in(
            &self.dir,
            args,
            ("Setup", "setup@example.com"),
            "1700000000 +0000",
        )
    }

    fn write(&self, rel: &str, content: &str) {
        common::write(&self.dir, rel, content);
    }

    /// Commits everything as `who`; returns the commit id.
    fn commit(&mut self, msg: &str, who: (&str, &str)) -> String {
        self.tick += 1;
        let date = format!("{} +0100", 1_700_000_000 + self.tick * 3600);
        Repo::git_in(&self.dir, &["add", "-A"], who, &date);
        Repo::git_in(
            &self.dir,
            &["commit", "-q", "--allow-empty", "-m", msg],
            who,
            &date,
        );
        self.git(&["rev-parse", "HEAD"])
    }

    fn date_of(&self, id: &str) -> String {
        self.git(&["show", "-s", "--format=%aI", id])
    }
}

const ALICE: (&str, &str) = ("Alice Doe", "alice@example.com");
const BOB: (&str, &str) = ("Bob Roe", "bob@example.com");
const CAROL: (&str, &str) = ("Carol Poe", "carol@example.com");

/// `keysweep scan --git ARGS --format json --show-secrets` in `cwd`.
fn scan_git(cwd: &Path, args: &[&str]) -> (Vec<Value>, std::process::Output) {
    let mut all = vec!["scan", "--git", "--format", "json", "--show-secrets"];
    all.extend_from_slice(args);
    let out = run(cwd, &all);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}\nstderr: {}", stdout(&out), stderr(&out)));
    (v.as_array().expect("array").clone(), out)
}

/// The findings holding `secret`.
fn with<'a>(findings: &'a [Value], secret: &str) -> Vec<&'a Value> {
    findings.iter().filter(|f| f["secret"] == secret).collect()
}

/// The one finding for `secret` at `path`: at `line`, introduced by `commit` of `who`.
fn expect_at(
    findings: &[Value],
    secret: &str,
    path: &str,
    line: u64,
    commit: &str,
    who: (&str, &str),
) -> Value {
    let f: Vec<&Value> = findings
        .iter()
        .filter(|x| x["secret"] == secret && x["path"] == path)
        .collect();
    assert_eq!(f.len(), 1, "{secret} at {path}: {findings:#?}");
    assert_eq!(f[0]["line"], line, "{:#}", f[0]);
    assert_eq!(f[0]["commit"]["id"], commit, "{:#}", f[0]);
    assert_eq!(f[0]["commit"]["author_name"], who.0, "{:#}", f[0]);
    assert_eq!(f[0]["commit"]["author_email"], who.1, "{:#}", f[0]);
    f[0].clone()
}

/// Exactly one finding for `secret`, at `path:line`, introduced by `commit` of `who`.
fn expect_one(
    findings: &[Value],
    secret: &str,
    path: &str,
    line: u64,
    commit: &str,
    who: (&str, &str),
) -> Value {
    let f = with(findings, secret);
    assert_eq!(f.len(), 1, "{secret}: {f:#?}");
    assert_eq!(f[0]["path"], path, "{:#}", f[0]);
    expect_at(findings, secret, path, line, commit, who)
}

/// History with edits, a rename, a deletion, a tag-only commit, an unmerged branch and a
/// merge whose conflict resolution adds a secret.
struct Fixture {
    repo: Repo,
    c1: String,
    c3: String,
    c4: String,
    tagged: String,
    wip: String,
    merge: String,
    c_feature: String,
}

fn fixture() -> Fixture {
    let mut r = Repo::new();
    r.write(
        "app/config.py",
        &format!("import os\n\nAWS_KEY = \"{K1}\"\n"),
    );
    r.write("shared.txt", "value = base\n");
    let c1 = r.commit("Add config\n\nlong body", ALICE);
    // An unrelated edit: a new blob holding the same secret, still attributed to c1.
    r.write(
        "app/config.py",
        &format!("import os\nimport sys\n\nAWS_KEY = \"{K1}\"\n"),
    );
    r.commit("Import sys", BOB);
    r.git(&["mv", "app/config.py", "app/settings.py"]);
    let c3 = r.commit("Rename config to settings", CAROL);
    r.write("creds.txt", &format!("# creds\naws_access_key_id = {K2}\n"));
    let c4 = r.commit("Add creds", BOB);
    std::fs::remove_file(r.dir.join("creds.txt")).unwrap();
    r.commit("Remove creds", BOB);
    // A commit reachable only through an annotated tag.
    r.git(&["checkout", "-q", "-b", "tmp"]);
    r.write("tagged.txt", &format!("key: {K3}\n"));
    let tagged = r.commit("Tagged only", CAROL);
    r.git(&["tag", "-a", "v1", "-m", "release"]);
    r.git(&["checkout", "-q", "main"]);
    r.git(&["branch", "-q", "-D", "tmp"]);
    // An unmerged branch.
    r.git(&["checkout", "-q", "-b", "wip"]);
    r.write("wip/notes.md", &format!("todo\n\nkey {K4}\n"));
    let wip = r.commit("WIP", ALICE);
    r.git(&["checkout", "-q", "main"]);
    // A conflicting merge whose resolution adds a secret.
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("shared.txt", "value = feature\n");
    r.write("feature.txt", &format!("one\ntwo\n{K5}\n"));
    let c_feature = r.commit("Feature change", BOB);
    r.git(&["checkout", "-q", "main"]);
    r.write("shared.txt", "value = main\n");
    r.commit("Main change", ALICE);
    Repo::git_in(
        &r.dir,
        &["merge", "-q", "--no-edit", "feature"],
        CAROL,
        "1700100000 +0000",
    );
    r.write("shared.txt", &format!("value = resolved\nkey = {K6}\n"));
    let merge = r.commit("Merge feature, resolve conflict", CAROL);
    assert_eq!(
        r.git(&["rev-list", "--parents", "-n1", "HEAD"])
            .split(' ')
            .count(),
        3
    );
    Fixture {
        repo: r,
        c1,
        c3,
        c4,
        tagged,
        wip,
        merge,
        c_feature,
    }
}

#[test]
fn every_ref_is_scanned_and_each_secret_attributed_to_its_commit() {
    let fx = fixture();
    let r = &fx.repo;
    let (f, out) = scan_git(&r.dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // K1 first appeared in app/config.py (c1); a later edit of that file is not a new
    // finding; the rename put it at a new path (the rename commit): two places, each
    // reported once and pointing at the other.
    let k1 = with(&f, K1);
    assert_eq!(k1.len(), 2, "{k1:#?}");
    let a = expect_at(&f, K1, "app/config.py", 3, &fx.c1, ALICE);
    assert_eq!(a["commit"]["summary"], "Add config");
    assert_eq!(a["commit"]["date"], r.date_of(&fx.c1));
    assert_eq!(a["commit"]["date"], "2023-11-15T00:13:20+01:00");
    assert_eq!(a["other_locations"], 1);
    let b = expect_at(&f, K1, "app/settings.py", 4, &fx.c3, CAROL);
    assert_eq!(b["other_locations"], 1);
    // Added then removed: still found.
    expect_one(&f, K2, "creds.txt", 2, &fx.c4, BOB);
    // Only reachable from a tag, only on an unmerged branch.
    expect_one(&f, K3, "tagged.txt", 1, &fx.tagged, CAROL);
    expect_one(&f, K4, "wip/notes.md", 3, &fx.wip, ALICE);
    // From the merged branch, attributed to the branch commit, not the merge.
    expect_one(&f, K5, "feature.txt", 3, &fx.c_feature, BOB);
    // Only in the merge's conflict resolution: attributed to the merge commit.
    expect_one(&f, K6, "shared.txt", 2, &fx.merge, CAROL);
}

#[test]
fn all_locations_lists_the_other_places() {
    let fx = fixture();
    let (f, _) = scan_git(&fx.repo.dir, &["--all-locations"]);
    let a = expect_at(&f, K1, "app/config.py", 3, &fx.c1, ALICE);
    let locs = a["locations"].as_array().expect("locations");
    assert_eq!(locs.len(), 1, "{a:#}");
    assert_eq!(locs[0]["path"], "app/settings.py");
    assert_eq!(locs[0]["line"], 4);
    assert_eq!(locs[0]["commit"]["id"], fx.c3.as_str());
}

#[test]
fn branch_limits_the_scan_to_its_history() {
    let fx = fixture();
    let (f, out) = scan_git(&fx.repo.dir, &["--branch", "main"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        with(&f, K4).is_empty(),
        "unmerged branch must not be scanned"
    );
    assert!(
        with(&f, K3).is_empty(),
        "tag-only commit must not be scanned"
    );
    expect_one(&f, K2, "creds.txt", 2, &fx.c4, BOB);
    expect_one(&f, K5, "feature.txt", 3, &fx.c_feature, BOB);
    expect_one(&f, K6, "shared.txt", 2, &fx.merge, CAROL);
    let (f, _) = scan_git(&fx.repo.dir, &["--branch", "wip"]);
    expect_one(&f, K4, "wip/notes.md", 3, &fx.wip, ALICE);
    assert!(with(&f, K5).is_empty());
    let bad = run(
        &fx.repo.dir,
        &["scan", "--git", "--branch", "no-such-branch"],
    );
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn range_over_a_merge_reports_branch_and_resolution_secrets_only() {
    let fx = fixture();
    let r = &fx.repo;
    let base = r.git(&["rev-parse", "main^1"]);
    let (f, _) = scan_git(&r.dir, &["--range", &format!("{base}..main")]);
    expect_one(&f, K5, "feature.txt", 3, &fx.c_feature, BOB);
    expect_one(&f, K6, "shared.txt", 2, &fx.merge, CAROL);
    assert_eq!(f.len(), 2, "{f:#?}");
}

#[test]
fn range_reports_only_lines_the_range_added() {
    let mut r = Repo::new();
    r.write("f.txt", &format!("x = {K1}\nplain\n"));
    r.write("old.txt", &format!("{K3}\n"));
    let a = r.commit("Base", ALICE);
    r.write("f.txt", &format!("x = {K1}\nplain\ny = {K2}\n"));
    r.write("new/g.txt", &format!("a\nb = {K3}\n"));
    let b = r.commit("Add more", BOB);
    r.write("f.txt", &format!("x = {K1}\nchanged\ny = {K2}\n"));
    let c = r.commit("Touch another line", CAROL);
    let (f, out) = scan_git(&r.dir, &["--range", &format!("{a}..{b}")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(with(&f, K1).is_empty(), "K1 was there before A: {f:#?}");
    expect_one(&f, K2, "f.txt", 3, &b, BOB);
    // Same secret as an old file, but on a line new at this path.
    expect_at(&f, K3, "new/g.txt", 2, &b, BOB);
    assert_eq!(f.len(), 2, "{f:#?}");
    // Same through --since-commit (A..HEAD): C only changed a plain line.
    let (f2, _) = scan_git(&r.dir, &["--since-commit", &a]);
    assert_eq!(f2.len(), 2, "{f2:#?}");
    expect_one(&f2, K2, "f.txt", 3, &b, BOB);
    let (f3, out) = scan_git(&r.dir, &["--range", &format!("{b}..{c}")]);
    assert!(f3.is_empty(), "{f3:#?}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn bare_clone_with_packed_objects() {
    let fx = fixture();
    let bare = fx.repo.dir.parent().unwrap().join("bare.git");
    let url = format!("file://{}", fx.repo.dir.display());
    Repo::git_in(
        fx.repo.dir.parent().unwrap(),
        &["clone", "-q", "--bare", &url, bare.to_str().unwrap()],
        ALICE,
        "1700000000 +0000",
    );
    assert!(
        std::fs::read_dir(bare.join("objects/pack"))
            .unwrap()
            .count()
            > 0
    );
    let (f, out) = scan_git(fx.repo.dir.parent().unwrap(), &[bare.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    expect_at(&f, K1, "app/config.py", 3, &fx.c1, ALICE);
    expect_one(&f, K2, "creds.txt", 2, &fx.c4, BOB);
    expect_one(&f, K3, "tagged.txt", 1, &fx.tagged, CAROL);
    expect_one(&f, K4, "wip/notes.md", 3, &fx.wip, ALICE);
    expect_one(&f, K6, "shared.txt", 2, &fx.merge, CAROL);
    // And after gc in the original: packed refs and objects give the same findings.
    pack(&fx.repo.dir);
    let (g, _) = scan_git(&fx.repo.dir, &[]);
    assert_eq!(g.len(), f.len());
}

/// Packs objects and refs like `git gc` would (gc/repack itself has been seen to fail in a
/// shared sandbox for reasons outside git).
fn pack(dir: &Path) {
    let out = Command::new("sh")
        .current_dir(dir)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .args([
            "-c",
            "git rev-list --objects --all | git pack-objects -q .git/objects/pack/pack >/dev/null \
             && git prune-packed && git pack-refs --all",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Unique reachable blobs, as git counts them.
fn reachable_blobs(dir: &Path) -> usize {
    let out = Command::new("sh")
        .current_dir(dir)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .args(["-c", "git rev-list --objects --all | cut -d' ' -f1 | git cat-file --batch-check='%(objecttype)' | grep -c blob"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// "keysweep: scanned N blobs" from the summary line.
fn scanned_blobs(err: &str) -> usize {
    let rest = err.split("scanned ").nth(1).expect(err);
    rest.split(' ').next().unwrap().parse().expect(err)
}

#[test]
fn packed_and_loose_objects_together_and_unreachable_blobs_ignored() {
    let mut fx = fixture();
    pack(&fx.repo.dir);
    // A new loose commit on top of the packs.
    fx.repo.write("late.txt", &format!("late = {K7}\n"));
    let late = fx.repo.commit("Late", ALICE);
    // An unreachable blob holding a secret, in a pack of its own: not history, not reported.
    common::write(
        &fx.repo.dir,
        "../dangling.txt",
        "dangling AKIAR6ZQ4HXW2MNB7TLC\n",
    );
    let dangling = fx.repo.git(&["hash-object", "-w", "../dangling.txt"]);
    let out = Command::new("sh")
        .current_dir(&fx.repo.dir)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .args([
            "-c",
            &format!("echo {dangling} | git pack-objects -q .git/objects/pack/pack"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let (f, out) = scan_git(&fx.repo.dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    expect_one(&f, K7, "late.txt", 1, &late, ALICE);
    expect_one(&f, K6, "shared.txt", 2, &fx.merge, CAROL);
    expect_at(&f, K1, "app/config.py", 3, &fx.c1, ALICE);
    assert!(
        with(&f, "AKIAR6ZQ4HXW2MNB7TLC").is_empty(),
        "unreachable blob reported"
    );
    assert_eq!(
        scanned_blobs(&stderr(&out)),
        reachable_blobs(&fx.repo.dir),
        "{}",
        stderr(&out)
    );
}

#[test]
fn shallow_clone_is_scanned_with_a_warning() {
    let fx = fixture();
    let parent = fx.repo.dir.parent().unwrap();
    let url = format!("file://{}", fx.repo.dir.display());
    Repo::git_in(
        parent,
        &["clone", "-q", "--depth", "1", &url, "shallow"],
        ALICE,
        "1700000000 +0000",
    );
    let (f, out) = scan_git(&parent.join("shallow"), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("shallow"), "{}", stderr(&out));
    // Only the tip's tree is there: everything is attributed to the boundary commit.
    expect_at(&f, K1, "app/settings.py", 4, &fx.merge, CAROL);
    expect_one(&f, K5, "feature.txt", 3, &fx.merge, CAROL);
    expect_one(&f, K6, "shared.txt", 2, &fx.merge, CAROL);
    assert!(with(&f, K2).is_empty());
}

#[test]
fn empty_repository_is_clean() {
    let r = Repo::new();
    let (f, out) = scan_git(&r.dir, &[]);
    assert!(f.is_empty());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bare = r.dir.parent().unwrap().join("empty.git");
    Repo::git_in(
        r.dir.parent().unwrap(),
        &["init", "-q", "--bare", "empty.git"],
        ALICE,
        "1700000000 +0000",
    );
    let (f, out) = scan_git(&bare, &[]);
    assert!(f.is_empty());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn subdirectory_and_worktree_find_the_repository() {
    let fx = fixture();
    let r = &fx.repo;
    let (f, _) = scan_git(&r.dir, &["app"]);
    let (g, out) = scan_git(&r.dir.join("app"), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(f.len(), g.len());
    expect_one(&g, K6, "shared.txt", 2, &fx.merge, CAROL);
    let wt = r.dir.parent().unwrap().join("wt");
    r.git(&["worktree", "add", "-q", wt.to_str().unwrap(), "wip"]);
    let (w, out) = scan_git(&wt, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(w.len(), g.len());
    expect_one(&w, K4, "wip/notes.md", 3, &fx.wip, ALICE);
}

#[test]
fn stash_is_scanned() {
    let mut r = Repo::new();
    r.write("a.txt", "hello\n");
    r.commit("Init", ALICE);
    r.write("a.txt", &format!("hello\n{K7}\n"));
    r.git(&["stash", "-q"]);
    let (f, _) = scan_git(&r.dir, &[]);
    let k = with(&f, K7);
    assert_eq!(k.len(), 1, "{f:#?}");
    assert_eq!(k[0]["path"], "a.txt");
    assert_eq!(k[0]["line"], 2);
}

#[test]
fn missing_object_is_a_warning_and_the_scan_goes_on() {
    let mut r = Repo::new();
    r.write("a.txt", &format!("{K1}\n"));
    r.write("b.txt", &format!("{K2}\n"));
    let c1 = r.commit("Two secrets", ALICE);
    r.write("c/d.txt", &format!("{K3}\n"));
    r.commit("Third", BOB);
    let blob = r.git(&["rev-parse", "HEAD:b.txt"]);
    let tree = r.git(&["rev-parse", "HEAD:c"]);
    for id in [&blob, &tree] {
        let p = r.dir.join(".git/objects").join(&id[..2]).join(&id[2..]);
        std::fs::remove_file(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    let (f, out) = scan_git(&r.dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&blob), "warning names the blob: {err}");
    assert!(err.contains(&tree), "warning names the tree: {err}");
    expect_one(&f, K1, "a.txt", 1, &c1, ALICE);
    assert!(with(&f, K2).is_empty());
}

#[test]
fn text_report_shows_the_commit() {
    let fx = fixture();
    let out = run(&fx.repo.dir, &["scan", "--git"]);
    let text = stdout(&out);
    assert!(text.contains(&fx.merge[..7]), "{text}");
    assert!(text.contains("Carol Poe"), "{text}");
    assert!(!text.contains(K6), "secrets are redacted: {text}");
}
