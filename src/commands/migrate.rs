//! `keysweep migrate`: scan, choose findings, plan the secrets and route each to where it
//! belongs, check the Secrets Manager ones (DescribeSecret only: a plan reads no value) or
//! `--apply` them (with rotation, replication and a resource policy when asked), and print
//! the replacement code, the IAM policy and the rotation reminder. Nothing is sent (no
//! create/put) without `--apply`. `keysweep migrate status` reports whether a migration
//! finished.

use crate::migrate as ops;

use crate::cli::{MigrateCmd, MigrateStatusCmd, MigrateSub, PlanFormat};
use crate::commands::scan;
use crate::exit;
use crate::finding::Finding;
use crate::pathfilter::PathFilter;
use crate::pipeline;
use anyhow::{bail, Context, Result};
use ops::aws::{self, Target};
use ops::lifecycle::{self, Lifecycle};
use ops::naming::Template;
use ops::plan::{self, Options};
use ops::route::{self, Overrides};
use ops::{patch, render, snippets, status, Action, Secret};
use std::path::{Path, PathBuf};

pub fn run(cmd: Box<MigrateCmd>) -> Result<i32> {
    let mut cmd = *cmd;
    if let Some(MigrateSub::Status(st)) = cmd.status.take() {
        return run_status(st);
    }
    // Everything that can be refused is refused before scanning or any call.
    let template = Template::parse(&cmd.name_template)?;
    let life = lifecycle::parse(
        cmd.rotate_with.as_deref(),
        cmd.rotate_managed,
        cmd.rotation_schedule.as_deref(),
        cmd.rotation_window.as_deref(),
        &cmd.replica_regions,
        &cmd.readers,
    )?;
    let tags = cmd
        .tags
        .iter()
        .map(|t| plan::parse_tag(t))
        .collect::<Result<Vec<_>>>()?;
    if cmd.target.paths.len() > 1 {
        bail!("migrate takes one PATH (the repository or directory to migrate)");
    }
    let globs = PathFilter::from_globs(&cmd.path_globs, "--path")?;

    let mut outcome = pipeline::run(&scan::scan_options(&cmd.target)?)?;
    let root = cmd
        .target
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    // Migrate works on one project: its secrets are named, tagged and patched by their path
    // below the migrated root.
    for f in &mut outcome.findings {
        f.path = below_root(&f.path, &root);
    }
    let repo = repo_name(&root);
    let chosen: Vec<bool> = outcome
        .findings
        .iter()
        .map(|f| is_chosen(f, &cmd, &globs))
        .collect();
    if !chosen.iter().any(|&c| c) {
        if !cmd.target.quiet {
            eprintln!(
                "keysweep migrate: no findings to migrate ({} found, none chosen by the filters)",
                outcome.findings.len()
            );
        }
        return Ok(exit::CLEAN);
    }
    let rules = &outcome.rules;
    let opts = Options {
        template: &template,
        prefix: &cmd.prefix,
        repo: &repo,
        plain: cmd.plain,
        extra_tags: &tags,
        kms_key_id: cmd.kms_key_id.as_deref(),
        store_key: &|hit| rules.rule(hit.rule_index).store_key().into(),
    };
    let mut secrets = match plan::build(&outcome.findings, &chosen, &opts) {
        Ok(s) => s,
        Err(errors) => {
            for e in &errors {
                eprintln!("keysweep: {e}");
            }
            eprintln!(
                "keysweep: error: {} secret{} refused; nothing was sent",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            return Ok(exit::ERROR);
        }
    };

    let file_text = |rel: &str| std::fs::read_to_string(file_on_disk(&root, rel)).ok();
    let overrides = Overrides {
        store_aws_keys: cmd.store_aws_keys,
        store_encryption_keys: cmd.store_encryption_keys,
    };
    for s in &mut secrets {
        s.route = route::of(s.credential, &s.sites, overrides, &file_text);
        // The policy (and the resource policy sent with --apply) follow the code printed
        // for each place the secret is read.
        s.caching = s.sites.iter().any(|site| {
            snippets::template_for(&site.path, file_text(&site.path).as_deref())
                .2
                .caching
        });
    }

    let target = Target {
        region: cmd.region.clone(),
        profile: cmd.profile.clone(),
        endpoint_url: cmd.endpoint_url.clone(),
    };
    let stored = secrets.iter().any(|s| s.route.stored());
    let (region, fatal) = if stored && (cmd.apply || !cmd.no_lookup) {
        let rt = runtime()?;
        rt.block_on(talk(&target, &mut secrets, cmd.apply, cmd.update, &life))
    } else {
        for s in &mut secrets {
            s.action = if s.route.stored() {
                Action::CreateNotChecked("--no-lookup".into())
            } else {
                Action::NotStored
            };
        }
        (cmd.region.clone(), None)
    };
    if !cmd.apply {
        for s in secrets.iter_mut().filter(|s| s.route.stored()) {
            s.after = life.planned().into_iter().map(Ok).collect();
        }
    }
    if let Some(msg) = &fatal {
        eprintln!("keysweep: error: {msg}");
        // Nothing happened at all: the one line is the whole story.
        if cmd.apply
            && !secrets.iter().any(|s| {
                s.action.succeeded()
                    || matches!(s.action, Action::Conflict { .. } | Action::Failed(_))
            })
        {
            return Ok(exit::ERROR);
        }
    }

    let refs: Vec<&Secret> = secrets.iter().collect();
    let snips = snippets::for_secrets(&refs, &file_text);
    let doc = render::json_doc(
        &secrets,
        cmd.apply,
        cmd.update,
        region.as_deref(),
        &snips,
        &file_text,
    );
    if let Some(path) = &cmd.plan_out {
        let mut text = serde_json::to_string_pretty(&doc)?;
        text.push('\n');
        crate::safefs::write_private(path, text.as_bytes())?;
    }
    // Written, not printed: a closed pipe (`migrate | head`) is an error main ends quietly on.
    let plan = match cmd.format {
        PlanFormat::Json => format!("{}\n", serde_json::to_string_pretty(&doc)?),
        PlanFormat::Text => render::text(
            &secrets,
            cmd.apply,
            cmd.update,
            region.as_deref(),
            &snips,
            &file_text,
        ),
    };
    std::io::Write::write_all(&mut std::io::stdout().lock(), plan.as_bytes())?;
    if let Some(path) = &cmd.patch {
        let p = patch::build(&refs, &root);
        crate::safefs::write_private(path, p.diff.as_bytes())?;
        for s in &p.skipped {
            eprintln!("keysweep: {s}");
        }
        eprintln!(
            "keysweep: wrote {} ({} literal{} replaced); review, then `git apply {}`. It holds the removed lines: delete it afterwards.",
            path.display(),
            p.patched,
            if p.patched == 1 { "" } else { "s" },
            path.display()
        );
    }
    if !cmd.target.quiet {
        eprintln!(
            "keysweep migrate: {}",
            render::Summary::of(&secrets).line(cmd.apply)
        );
    }
    Ok(if fatal.is_some() {
        exit::ERROR
    } else if !cmd.apply
        || secrets
            .iter()
            .all(|s| s.action.done() && s.after.iter().all(|r| r.is_ok()))
    {
        exit::CLEAN
    } else {
        exit::FINDINGS
    })
}

/// Connects, then checks (plan) or applies every secret. Returns the region used and the
/// fatal error, if any. In a plan, an unreachable service is not fatal: the secrets show
/// "create (not checked: why)".
async fn talk(
    target: &Target,
    secrets: &mut [Secret],
    apply: bool,
    update: bool,
    life: &Lifecycle,
) -> (Option<String>, Option<String>) {
    for s in secrets.iter_mut().filter(|s| !s.route.stored()) {
        s.action = Action::NotStored;
    }
    let conn = match aws::connect(target).await {
        Ok(c) => c,
        Err(msg) => {
            if apply {
                return (target.region.clone(), Some(msg));
            }
            eprintln!("keysweep: note: not checked against Secrets Manager: {msg}");
            for s in secrets.iter_mut().filter(|s| s.route.stored()) {
                s.action = Action::CreateNotChecked(short_reason(&msg));
            }
            return (target.region.clone(), None);
        }
    };
    let region = Some(conn.region.clone());
    let mut fatal: Option<String> = None;
    // One --kms-key-id for the run: resolved to its key ARN once (kms:DescribeKey), for the
    // policy. A key that cannot be resolved stops an apply: the secrets would be encrypted
    // with a key the printed policy cannot name.
    if let Some(key) = secrets.iter().find_map(|s| s.kms_key_id.clone()) {
        match conn.key_arn(&key).await {
            Ok(arn) => {
                for s in secrets.iter_mut() {
                    s.kms_key_arn = Some(arn.clone());
                }
            }
            Err(e) if apply => fatal = Some(format!("--kms-key-id {key}: {}", e.message)),
            Err(e) => eprintln!("keysweep: note: --kms-key-id {key}: {}", e.message),
        }
    }
    for s in secrets.iter_mut().filter(|s| s.route.stored()) {
        if let Some(f) = &fatal {
            s.action = if apply {
                Action::NotAttempted(f.clone())
            } else {
                Action::CreateNotChecked(short_reason(f))
            };
            continue;
        }
        let r = if apply {
            conn.apply(s, update, life).await
        } else {
            conn.check(s).await
        };
        s.action = match r {
            Ok(a) => a,
            Err(e) if e.fatal => {
                fatal = Some(e.message.clone());
                if apply {
                    Action::NotAttempted(e.message)
                } else {
                    Action::CreateNotChecked(short_reason(&e.message))
                }
            }
            Err(e) if apply => Action::Failed(e.message),
            Err(e) => Action::LookupFailed(e.message),
        };
        if apply && s.action.succeeded() {
            let stored_now = matches!(s.action, Action::Created { .. } | Action::Updated { .. });
            s.after = conn.after_store(s, stored_now, life).await;
        }
    }
    if !apply {
        if let Some(f) = fatal.take() {
            eprintln!("keysweep: note: not checked against Secrets Manager: {f}");
        }
    }
    (region, fatal)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// `migrate status`: the secrets keysweep created (by tag), described, against a fresh scan
/// of the tree. Exit 1 while any is pending.
fn run_status(cmd: MigrateStatusCmd) -> Result<i32> {
    if cmd.target.paths.len() > 1 {
        bail!("migrate status takes one PATH (the migrated repository or directory)");
    }
    let outcome = pipeline::run(&scan::scan_options(&cmd.target)?)?;
    let present: std::collections::HashSet<&str> = outcome
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let target = Target {
        region: cmd.region.clone(),
        profile: cmd.profile.clone(),
        endpoint_url: cmd.endpoint_url.clone(),
    };
    let described = runtime()?.block_on(async {
        let conn = aws::connect(&target).await?;
        conn.keysweep_secrets().await.map_err(|e| e.message)
    });
    let mut described = match described {
        Ok(d) => d,
        Err(msg) => bail!("{msg}"),
    };
    // The secrets migrated from this tree: its directory's name is their keysweep:repo tag.
    let root = cmd
        .target
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    let repo = repo_name(&root);
    described.retain(|d| {
        d.repo == repo
            && cmd
                .name_prefix
                .as_deref()
                .is_none_or(|p| d.name.starts_with(p))
    });
    let rows = status::rows(&described, &|fp| present.contains(fp));
    let out = match cmd.format {
        PlanFormat::Json => format!("{}\n", serde_json::to_string_pretty(&status::json(&rows))?),
        PlanFormat::Text => status::text(&rows),
    };
    std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes())?;
    Ok(if rows.iter().any(|r| r.pending) {
        exit::FINDINGS
    } else {
        exit::CLEAN
    })
}

fn short_reason(msg: &str) -> String {
    msg.split(':').next().unwrap_or(msg).trim().to_string()
}

/// `path` (as the scan reported it) relative to the migrated `root`.
fn below_root(path: &str, root: &Path) -> String {
    match Path::new(path).strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().replace('\\', "/"),
        _ => path.to_string(),
    }
}

/// `--path` globs match like `--exclude`: gitignore-style, relative to the migrated root.
fn is_chosen(f: &Finding, cmd: &MigrateCmd, globs: &PathFilter) -> bool {
    (cmd.rules.is_empty() || cmd.rules.contains(&f.hit.rule_id))
        && (cmd.fingerprints.is_empty()
            || cmd
                .fingerprints
                .iter()
                .any(|fp| !fp.is_empty() && f.fingerprint.starts_with(fp.as_str())))
        && (globs.is_empty() || globs.matches_file(&f.path))
}

/// `{repo}`: the name of the scanned root directory (a file's directory for a file).
fn repo_name(root: &Path) -> String {
    let abs = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let dir = if abs.is_file() {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs)
    } else {
        abs
    };
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "repo".into())
}

fn file_on_disk(root: &Path, rel: &str) -> PathBuf {
    if rel.is_empty() {
        root.to_path_buf()
    } else {
        root.join(rel)
    }
}
