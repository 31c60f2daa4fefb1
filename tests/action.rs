//! The GitHub Action: `action.yml` and the example workflow validate against the schemas
//! GitHub's own tooling uses (check-jsonschema's vendored copies, from $KEYSWEEP_TEST_VENV),
//! and the action's scan step (`scripts/action-run`) runs with the environment a workflow
//! gives it, on a temporary repository with a base and a head branch.

mod common;

use common::prerequisite;
use common::repo::Repo;
use std::path::{Path, PathBuf};
use std::process::Output;

const OLD_KEY: &str = "AKIAQYLPMN5HHHFPZAM2";
const NEW_KEY: &str = "AKIAZ7XKQ4RWT3MNBV6C";

fn checkout() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `check-jsonschema --builtin-schema SCHEMA FILE` from the test venv.
fn check_jsonschema(schema: &str, file: &Path) -> Output {
    let venv = PathBuf::from(prerequisite(
        "KEYSWEEP_TEST_VENV",
        "the Python venv with check-jsonschema",
    ));
    let tool = venv.join("bin/check-jsonschema");
    assert!(tool.is_file(), "{} missing", tool.display());
    std::process::Command::new(tool)
        .args(["--builtin-schema", schema])
        .arg(file)
        .output()
        .unwrap()
}

#[test]
fn action_and_example_workflow_match_the_github_schemas() {
    let action = checkout().join("action.yml");
    let out = check_jsonschema("vendor.github-actions", &action);
    assert!(out.status.success(), "action.yml: {}", text(&out));
    let workflow = checkout().join("examples/github-workflow.yml");
    let out = check_jsonschema("vendor.github-workflows", &workflow);
    assert!(out.status.success(), "example workflow: {}", text(&out));

    // The validator does reject a broken action (a composite step with neither `run` nor
    // `uses`), so the checks above mean something.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("action.yml");
    let yaml = std::fs::read_to_string(&action).unwrap();
    std::fs::write(&broken, yaml.replace("uses: actions/cache@v4", "usez: x")).unwrap();
    let out = check_jsonschema("vendor.github-actions", &broken);
    assert!(
        !out.status.success(),
        "a broken action validated: {}",
        text(&out)
    );
}

#[test]
fn action_declares_the_inputs_and_outputs_the_readme_documents() {
    let yaml = std::fs::read_to_string(checkout().join("action.yml")).unwrap();
    for input in ["mode", "args", "baseline", "sarif-path", "fail-on-findings"] {
        assert!(
            yaml.contains(&format!("\n  {input}:\n")),
            "no input {input}"
        );
        assert!(
            yaml.contains(&format!("${{{{ inputs.{input} }}}}")),
            "input {input} is not passed to the scan"
        );
    }
    for output in ["findings", "sarif-path"] {
        assert!(
            yaml.contains(&format!("\n  {output}:\n    description: ")),
            "no output {output}"
        );
    }
    assert!(yaml.contains("using: composite"));
    assert!(yaml.contains("scripts/action-run"));
}

/// A repository whose `main` holds an old secret and whose `feature` branch adds a new one:
/// (repository, base sha, head sha).
fn pull_request_repo() -> (Repo, String, String) {
    let r = Repo::new();
    r.write("old.py", format!("key = \"{OLD_KEY}\"\n"));
    r.write("README", "hello\n");
    r.commit("base");
    let base = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("new.py", format!("token = \"{NEW_KEY}\"\n"));
    r.write("README", "hello\nworld\n");
    r.commit("head");
    let head = r.git(&["rev-parse", "HEAD"]).trim().to_string();
    (r, base, head)
}

/// What one run of the scan step left behind.
struct Run {
    code: i32,
    log: String,
    /// The `GITHUB_OUTPUT` file's lines.
    outputs: Vec<String>,
    sarif: Option<serde_json::Value>,
}

/// Runs `scripts/action-run` in `r` as a workflow step would, for event `event_name` whose
/// payload is `event`, with the action inputs `inputs` (as action.yml passes them).
fn run_action(
    r: &Repo,
    event_name: &str,
    event: &serde_json::Value,
    inputs: &[(&str, &str)],
) -> Run {
    let runner = tempfile::tempdir().unwrap();
    let event_path = runner.path().join("event.json");
    std::fs::write(&event_path, serde_json::to_vec(event).unwrap()).unwrap();
    let output_path = runner.path().join("github_output");
    let mut cmd = r.cmd(checkout().join("scripts/action-run"));
    cmd.env("GITHUB_EVENT_NAME", event_name)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_WORKSPACE", r.path())
        .env("GITHUB_OUTPUT", &output_path)
        .env("KEYSWEEP_BIN", env!("CARGO_BIN_EXE_keysweep"))
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTION_PATH")
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in inputs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let outputs = std::fs::read_to_string(&output_path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect::<Vec<_>>();
    let sarif_path = outputs
        .iter()
        .find_map(|l| l.strip_prefix("sarif-path="))
        .map(|p| r.path().join(p));
    let sarif = sarif_path.map(|p| {
        serde_json::from_slice(&std::fs::read(&p).unwrap())
            .unwrap_or_else(|e| panic!("{}: bad SARIF: {e}", p.display()))
    });
    Run {
        code: out.status.code().unwrap_or(-1),
        log: text(&out),
        outputs,
        sarif,
    }
}

fn pull_request_event(base: &str, head: &str) -> serde_json::Value {
    serde_json::json!({
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "base": { "ref": "main", "sha": base },
            "head": { "ref": "feature", "sha": head },
        },
    })
}

/// (rule id, artifact uri) of every SARIF result.
fn results(sarif: &serde_json::Value) -> Vec<(String, String)> {
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results array")
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn pull_request_run_reports_only_what_the_head_adds() {
    let (r, base, head) = pull_request_repo();
    let event = pull_request_event(&base, &head);
    let run = run_action(&r, "pull_request", &event, &[]);
    assert_eq!(
        run.code, 1,
        "findings fail the step by default: {}",
        run.log
    );
    let sarif = run.sarif.expect("a SARIF report");
    assert_eq!(
        results(&sarif),
        vec![("aws-access-key-id".to_string(), "new.py".to_string())],
        "{}",
        run.log
    );
    assert!(
        run.outputs.contains(&"findings=1".to_string()),
        "{:?}",
        run.outputs
    );
    assert!(
        run.outputs
            .contains(&"sarif-path=keysweep.sarif".to_string()),
        "{:?}",
        run.outputs
    );
    assert!(
        run.log
            .contains("::error title=keysweep::1 secret(s) found"),
        "{}",
        run.log
    );
    let sarif_text = std::fs::read_to_string(r.path().join("keysweep.sarif")).unwrap();
    assert!(!sarif_text.contains(NEW_KEY) && !run.log.contains(NEW_KEY));

    // fail-on-findings: false reports the same and passes; sarif-path is honoured.
    let run = run_action(
        &r,
        "pull_request",
        &event,
        &[
            ("INPUT_FAIL_ON_FINDINGS", "false"),
            ("INPUT_SARIF_PATH", "out/ks.sarif"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.log);
    assert!(
        run.outputs.contains(&"findings=1".to_string()),
        "{:?}",
        run.outputs
    );
    assert!(run.outputs.contains(&"sarif-path=out/ks.sarif".to_string()));
    assert_eq!(results(&run.sarif.unwrap()).len(), 1);
}

#[test]
fn pull_request_run_honours_baseline_and_args() {
    let (r, base, head) = pull_request_repo();
    let event = pull_request_event(&base, &head);
    // A baseline of the head's findings (written outside the repository under review).
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let out = r
        .cmd(env!("CARGO_BIN_EXE_keysweep"))
        .args(["baseline", "create", "-q", "-o"])
        .arg(&baseline)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let run = run_action(
        &r,
        "pull_request",
        &event,
        &[("INPUT_BASELINE", baseline.to_str().unwrap())],
    );
    assert_eq!(run.code, 0, "{}", run.log);
    assert!(
        run.outputs.contains(&"findings=0".to_string()),
        "{:?}",
        run.outputs
    );

    let run = run_action(
        &r,
        "pull_request",
        &event,
        &[("INPUT_ARGS", "--exclude new.py")],
    );
    assert_eq!(run.code, 0, "{}", run.log);
    assert!(
        run.outputs.contains(&"findings=0".to_string()),
        "{:?}",
        run.outputs
    );
}

#[test]
fn push_run_scans_the_tree_or_the_history() {
    let (r, _, head) = pull_request_repo();
    let event = serde_json::json!({ "ref": "refs/heads/feature", "after": head });
    let run = run_action(&r, "push", &event, &[]);
    assert_eq!(run.code, 1, "{}", run.log);
    let mut found = results(&run.sarif.unwrap());
    found.sort();
    assert_eq!(
        found.iter().map(|(_, p)| p.as_str()).collect::<Vec<_>>(),
        ["new.py", "old.py"],
        "{}",
        run.log
    );
    assert!(run.outputs.contains(&"findings=2".to_string()));

    // mode: history finds a secret that only an old commit holds.
    r.write("old.py", "key = None\n");
    r.commit("remove the old key from the tree");
    let run = run_action(&r, "push", &event, &[("INPUT_MODE", "tree")]);
    assert!(
        run.outputs.contains(&"findings=1".to_string()),
        "{}",
        run.log
    );
    let run = run_action(&r, "push", &event, &[("INPUT_MODE", "history")]);
    assert!(
        run.outputs.contains(&"findings=2".to_string()),
        "{}",
        run.log
    );
    assert_eq!(run.code, 1);
}

#[test]
fn bad_inputs_fail_with_one_clear_line() {
    let (r, base, head) = pull_request_repo();
    let event = pull_request_event(&base, &head);
    let run = run_action(&r, "pull_request", &event, &[("INPUT_MODE", "everything")]);
    assert_eq!(run.code, 2, "{}", run.log);
    assert!(
        run.log.contains("::error title=keysweep::mode must be"),
        "{}",
        run.log
    );
    let run = run_action(
        &r,
        "pull_request",
        &event,
        &[("INPUT_FAIL_ON_FINDINGS", "no")],
    );
    assert_eq!(run.code, 2, "{}", run.log);
    // A base the clone does not have (and no remote to fetch it from): told what to do.
    let missing = pull_request_event(&"1".repeat(40), &head);
    let run = run_action(&r, "pull_request", &missing, &[]);
    assert_eq!(run.code, 2, "{}", run.log);
    assert!(run.log.contains("fetch-depth: 0"), "{}", run.log);
}

#[test]
fn tree_run_leaves_out_the_actions_own_checkout() {
    let (r, _, head) = pull_request_repo();
    // `uses: ./.keysweep-action` after checking out keysweep into the workspace.
    r.write(".keysweep-action/testdata/key.txt", format!("{NEW_KEY}\n"));
    let event = serde_json::json!({ "ref": "refs/heads/feature", "after": head });
    let action = r.path().join(".keysweep-action");
    let run = run_action(
        &r,
        "push",
        &event,
        &[("GITHUB_ACTION_PATH", action.to_str().unwrap())],
    );
    let found = results(&run.sarif.unwrap());
    assert!(
        found
            .iter()
            .all(|(_, p)| !p.starts_with(".keysweep-action/")),
        "{found:?}"
    );
    assert_eq!(found.len(), 2, "{}", run.log);
    // Without it, the same file is found: the exclusion is what hides it.
    let run = run_action(&r, "push", &event, &[]);
    assert_eq!(results(&run.sarif.unwrap()).len(), 3, "{}", run.log);
}

#[test]
fn install_step_reuses_a_cached_binary_and_checks_release_assets() {
    let root = tempfile::tempdir().unwrap();
    let github_path = root.path().join("github_path");
    let install = |root: &Path, extra: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new(checkout().join("scripts/action-install"));
        cmd.env("KEYSWEEP_ROOT", root)
            .env("ACTION_PATH", checkout())
            .env("GITHUB_PATH", &github_path)
            .env_remove("RELEASE_ASSET_URL")
            .env_remove("RELEASE_ASSET_SHA256");
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    // A release asset without its checksum is refused before anything is downloaded.
    let empty = tempfile::tempdir().unwrap();
    let out = install(
        empty.path(),
        &[(
            "RELEASE_ASSET_URL",
            "https://downloads.invalid/keysweep-{version}.tar.gz",
        )],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("release-asset-sha256"),
        "{}",
        text(&out)
    );
    assert!(!empty.path().join("bin/keysweep").exists());

    // A binary restored from the cache is used as it is, and put on PATH.
    std::fs::create_dir_all(root.path().join("bin")).unwrap();
    std::fs::copy(
        env!("CARGO_BIN_EXE_keysweep"),
        root.path().join("bin/keysweep"),
    )
    .unwrap();
    let out = install(root.path(), &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("using the cached keysweep"),
        "{}",
        text(&out)
    );
    assert_eq!(
        std::fs::read_to_string(&github_path).unwrap(),
        format!("{}/bin\n", root.path().display())
    );
}
