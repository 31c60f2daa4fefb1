//! The deployment recipes of org-wide sweeps: the GitHub Actions matrix workflow validates
//! against GitHub's workflow schema (check-jsonschema's vendored copy) and the Kubernetes
//! manifest against the Kubernetes API schemas (kubernetes-validate, offline, strict), both
//! from the test venv ($KEYSWEEP_TEST_VENV); each validator is shown to reject a broken copy.
//! Every keysweep flag the recipes use is one the binary has, and the shard count is the
//! same everywhere it is written.

mod common;

use common::{prerequisite, run, stdout};
use std::path::{Path, PathBuf};
use std::process::Output;

fn deploy(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("deploy")
        .join(rel)
}

fn venv_tool(name: &str) -> PathBuf {
    let venv = PathBuf::from(prerequisite(
        "KEYSWEEP_TEST_VENV",
        "the Python venv with check-jsonschema and kubernetes-validate",
    ));
    let tool = venv.join("bin").join(name);
    assert!(
        tool.is_file(),
        "{} missing: run scripts/test",
        tool.display()
    );
    tool
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn check_workflow(file: &Path) -> Output {
    std::process::Command::new(venv_tool("check-jsonschema"))
        .args(["--builtin-schema", "vendor.github-workflows"])
        .arg(file)
        .output()
        .unwrap()
}

fn check_manifest(file: &Path) -> Output {
    std::process::Command::new(venv_tool("kubernetes-validate"))
        .arg("--strict")
        .arg(file)
        .output()
        .unwrap()
}

/// A copy of `file` with `from` replaced by `to` (which must occur).
fn broken(file: &Path, from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", file.display());
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(file.file_name().unwrap());
    std::fs::write(&copy, text.replacen(from, to, 1)).unwrap();
    (dir, copy)
}

#[test]
fn the_matrix_workflow_matches_the_github_schema() {
    let workflow = deploy("github/sweep-matrix.yml");
    let out = check_workflow(&workflow);
    assert!(out.status.success(), "{}", text(&out));
    let (_keep, bad) = broken(
        &workflow,
        "runs-on: ubuntu-latest",
        "runs_on: ubuntu-latest",
    );
    assert!(
        !check_workflow(&bad).status.success(),
        "a broken workflow passed"
    );
}

#[test]
fn the_kubernetes_manifest_matches_the_kubernetes_schemas() {
    let manifest = deploy("kubernetes/sweep.yaml");
    let out = check_manifest(&manifest);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("job/keysweep-sweep"), "{}", text(&out));
    assert!(text(&out).contains("job/keysweep-merge"), "{}", text(&out));
    let (_keep, bad) = broken(&manifest, "parallelism: 4", "parallelizm: 4");
    assert!(
        !check_manifest(&bad).status.success(),
        "a broken manifest passed"
    );
}

/// The `--flags` written after `keysweep COMMAND` in `text`, up to the end of the command.
fn flags_of(text: &str, command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let needle = format!("keysweep {command}");
    let joined = text.replace("\\\n", " ");
    for line in joined.lines() {
        let Some(at) = line.find(&needle) else {
            continue;
        };
        // A folded YAML scalar continues on the following, more indented lines.
        let rest = &joined[joined.find(line).unwrap() + at..];
        let cmd: String = rest
            .lines()
            .take_while(|l| !l.trim().is_empty() && !l.trim_start().starts_with("- name"))
            .take_while(|l| !l.contains("&&") || l.contains(&needle))
            .collect::<Vec<_>>()
            .join(" ");
        for word in cmd.split_whitespace() {
            if let Some(flag) = word.strip_prefix("--") {
                out.push(format!("--{}", flag.split('=').next().unwrap()));
            }
        }
    }
    out
}

#[test]
fn the_recipes_use_flags_keysweep_has_and_one_shard_count() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["github/sweep-matrix.yml", "kubernetes/sweep.yaml"] {
        let text = std::fs::read_to_string(deploy(file)).unwrap();
        for command in ["sweep", "merge"] {
            let flags = flags_of(&text, command);
            assert!(!flags.is_empty(), "{file}: no `keysweep {command}`");
            let help = stdout(&run(dir.path(), &[command, "--help"]));
            for f in flags {
                assert!(help.contains(&f), "{file}: keysweep {command} has no {f}");
            }
        }
    }
    let k8s = std::fs::read_to_string(deploy("kubernetes/sweep.yaml")).unwrap();
    assert!(k8s.contains("completionMode: Indexed"));
    assert!(k8s.contains("completions: 4") && k8s.contains("parallelism: 4"));
    assert!(k8s.contains("--shard \"$((JOB_COMPLETION_INDEX + 1))/4\""));
    assert!(k8s.contains("-ge 4 ]"), "the merge waits for 4 shards");
    let gh = std::fs::read_to_string(deploy("github/sweep-matrix.yml")).unwrap();
    assert!(gh.contains("shard: [1, 2, 3, 4]"));
    assert!(gh.contains("--shard \"${{ matrix.shard }}/4\""));
    assert!(gh.contains("needs: sweep"));
}
