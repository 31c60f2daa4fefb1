//! SARIF 2.1.0 (built with `serde-sarif`), shaped for GitHub code scanning: one run, stable
//! rule ids with `security-severity` and `precision` (from the rule's confidence), help from
//! the rule's references, `partialFingerprints` carrying the content fingerprint, commit data
//! in result properties, and no secret text anywhere. The run says what it scanned
//! (`automationDetails`), whether it saw everything and what it warned about (`invocations`),
//! and, for history, which repository state it read (`versionControlProvenance`).

use super::ReportContext;
use crate::finding::Finding;
use crate::rules::{Confidence, Rule, Severity, Validator};
use anyhow::Result;
use serde_json::{json, Value};
use serde_sarif::sarif::{
    ArtifactContent, ArtifactLocation, Invocation, Location, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, ResultLevel, Run, RunAutomationDetails, Sarif, Tool, ToolComponent,
    VersionControlDetails,
};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key GitHub reads from `partialFingerprints`; ours is content-based, so we name it.
pub const FINGERPRINT_KEY: &str = "keysweep/v1";

pub fn write(findings: &[Finding], ctx: &ReportContext<'_>, w: &mut dyn Write) -> Result<()> {
    let sarif = build(findings, ctx);
    serde_json::to_writer_pretty(&mut *w, &sarif)?;
    writeln!(w)?;
    Ok(())
}

pub fn build(findings: &[Finding], ctx: &ReportContext<'_>) -> Sarif {
    // Only the rules that produced results are listed: a 150-rule driver section in every
    // upload is noise. Indices refer into this list.
    let mut used: Vec<&Rule> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for f in findings {
        if !index.contains_key(f.hit.rule_id.as_str()) {
            let rule = ctx.rules.rule(f.hit.rule_index);
            index.insert(rule.id.as_str(), used.len());
            used.push(rule);
        }
    }
    let rules: Vec<ReportingDescriptor> = used.iter().map(|r| descriptor(r)).collect();
    let base = SourceRoot::new(ctx.repo_root);
    let results: Vec<serde_sarif::sarif::Result> = findings
        .iter()
        .map(|f| result(f, index[f.hit.rule_id.as_str()], &base, ctx.show_secrets))
        .collect();
    let driver = ToolComponent::builder()
        .name("keysweep")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let mut bases = BTreeMap::new();
    // A sweep's results are relative to their repositories, one base each.
    for r in findings.iter().filter_map(|f| f.repository.as_deref()) {
        let mut b = ArtifactLocation::builder().build();
        if let Some(uri) = repository_uri(&r.location) {
            b.uri = Some(uri);
        }
        b.description = Some(Message::builder().text(r.location.clone()).build());
        bases.insert(repository_base(&r.id), b);
    }
    let sweep = ctx.run.kind == super::ScanKind::Sweep;
    if let Some(uri) = base.uri.as_ref().filter(|_| !sweep) {
        bases.insert(
            SRCROOT.to_string(),
            ArtifactLocation::builder().uri(uri.clone()).build(),
        );
    }
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .automation_details(
            RunAutomationDetails::builder()
                .id(format!("keysweep/{}/", ctx.run.kind.as_str()))
                .build(),
        )
        .invocations(vec![invocation(ctx)])
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .original_uri_base_ids(bases);
    let run = match &ctx.run.provenance {
        Some(p) => run
            .version_control_provenance(vec![version_control(p, base.uri.as_deref())])
            .build(),
        None => run.build(),
    };
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// The invocation: successful only when every input could be read (an incomplete scan must
/// not look like a clean one), with the report's notices and the scan's warnings as
/// notifications.
fn invocation(ctx: &ReportContext<'_>) -> Invocation {
    let notification = |text: &str, level: &str| {
        Notification::builder()
            .message(Message::builder().text(text.to_string()).build())
            .level(json!(level))
            .build()
    };
    let mut notifications: Vec<Notification> = ctx
        .notices
        .iter()
        .chain(&ctx.run.warnings)
        .map(|n| notification(n, "warning"))
        .collect();
    if ctx.run.errors > 0 {
        notifications.push(notification(
            &format!(
                "{} input(s) could not be read or decoded: the scan is incomplete",
                ctx.run.errors
            ),
            "error",
        ));
    }
    Invocation::builder()
        .execution_successful(ctx.run.errors == 0)
        .start_time_utc(format!("{}Z", super::utc(ctx.run.started)))
        .end_time_utc(format!("{}Z", super::utc(ctx.run.ended)))
        .tool_execution_notifications(notifications)
        .build()
}

/// The repository state a history or range scan read, mapped to the base the results'
/// paths are relative to.
fn version_control(p: &super::provenance::Provenance, base: Option<&str>) -> VersionControlDetails {
    let mut d = VersionControlDetails::builder()
        .repository_uri(p.repository_uri.clone())
        .build();
    d.revision_id = p.revision_id.clone();
    d.branch = p.branch.clone();
    if base.is_some() {
        d.mapped_to = Some(ArtifactLocation::builder().uri_base_id(SRCROOT).build());
    }
    d
}

/// SARIF `precision` from the rule's confidence: a prefix whose checksum is verified is as
/// sure as a pattern gets.
fn precision(r: &Rule) -> &'static str {
    match r.confidence() {
        Confidence::High
            if r.validators
                .iter()
                .any(|v| matches!(v, Validator::GithubChecksum | Validator::NpmChecksum)) =>
        {
            "very-high"
        }
        Confidence::High => "high",
        Confidence::Medium => "medium",
        Confidence::Low => "low",
    }
}

/// The rule's help in Markdown: what it finds, what to do, and its provider documentation.
fn help_markdown(r: &Rule) -> String {
    let mut md = format!(
        "{}\n\n**Fix:** remove the literal, rotate the credential at its provider, and read it \
         at run time from a secret store (`keysweep migrate` can move it into AWS Secrets \
         Manager).",
        r.description()
    );
    if !r.references().is_empty() {
        md.push_str("\n\n**References:**\n");
        for url in r.references() {
            md.push_str(&format!("\n- <{url}>"));
        }
    }
    md
}

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Low => ResultLevel::Note,
        Severity::Medium => ResultLevel::Warning,
        Severity::High | Severity::Critical => ResultLevel::Error,
    }
}

fn level_name(s: Severity) -> &'static str {
    match s {
        Severity::Low => "note",
        Severity::Medium => "warning",
        Severity::High | Severity::Critical => "error",
    }
}

fn descriptor(r: &Rule) -> ReportingDescriptor {
    let mut props = BTreeMap::new();
    props.insert("security-severity".to_string(), json!(r.severity.score()));
    props.insert("precision".to_string(), json!(precision(r)));
    let mut tags = vec!["security".to_string(), "secret".to_string()];
    tags.extend(r.tags().iter().cloned());
    let mut d = ReportingDescriptor::builder()
        .id(r.id.clone())
        .name(pascal(&r.id))
        .short_description(
            MultiformatMessageString::builder()
                .text(r.name.clone())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(r.description())
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(format!(
                    "{} Remove the literal, rotate the credential at its provider, and read it \
                     at run time from a secret store (`keysweep migrate` can move it into AWS \
                     Secrets Manager).",
                    r.description()
                ))
                .markdown(help_markdown(r))
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level_name(r.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(props)
                .build(),
        )
        .build();
    // The first reference is the provider page on this credential: the rule's help link.
    d.help_uri = r.references().first().cloned();
    d
}

/// The base that artifact URIs are relative to: the repository's top when the scan was in a
/// repository (so code scanning can place alerts), else the working directory.
const SRCROOT: &str = "%SRCROOT%";

struct SourceRoot {
    /// `file:` URI of the base, ending in `/`.
    uri: Option<String>,
    /// The working directory, relative to the base, for paths reported relative to it.
    cwd_in_base: Option<PathBuf>,
    in_repo: bool,
}

impl SourceRoot {
    fn new(repo_root: Option<&Path>) -> SourceRoot {
        let cwd = std::env::current_dir().ok();
        let base = repo_root.map(Path::to_path_buf).or_else(|| cwd.clone());
        let uri = base.as_deref().map(|b| {
            let mut u = file_uri(b);
            if !u.ends_with('/') {
                u.push('/');
            }
            u
        });
        let cwd_in_base = match (&cwd, &base) {
            (Some(c), Some(b)) => c.strip_prefix(b).ok().map(Path::to_path_buf),
            _ => None,
        };
        SourceRoot {
            uri,
            cwd_in_base,
            in_repo: repo_root.is_some(),
        }
    }

    /// (uri, uses the base) for a finding.
    fn locate(&self, f: &Finding) -> (String, bool) {
        if let (true, Some(p)) = (self.in_repo, &f.repo_path) {
            return (uri_path(p), true);
        }
        let path = Path::new(&f.path);
        if path.is_absolute() {
            return (file_uri(path), false);
        }
        match &self.cwd_in_base {
            Some(prefix) => {
                let joined = prefix.join(path.strip_prefix("./").unwrap_or(path));
                (uri_path(&joined.to_string_lossy().replace('\\', "/")), true)
            }
            None => (uri_path(&f.path), false),
        }
    }
}

/// A `file:` URI for an absolute path.
pub(crate) fn file_uri(path: &Path) -> String {
    let p = path.to_string_lossy().replace('\\', "/");
    let p = if p.starts_with('/') {
        p
    } else {
        format!("/{p}")
    };
    format!("file://{}", uri_path(&p))
}

/// One result. `f` is the redactor's view: its line and secret are masked unless the user
/// asked for secrets (`show`), and only then is the secret itself a property.
fn result(
    f: &Finding,
    rule_index: usize,
    base: &SourceRoot,
    show: bool,
) -> serde_sarif::sarif::Result {
    let region = Region::builder()
        .start_line(f.hit.line as i64)
        .start_column(f.hit.column as i64)
        .end_line(f.hit.end_line as i64)
        .end_column(f.hit.end_column as i64)
        .snippet(
            ArtifactContent::builder()
                .text(f.hit.line_text.clone())
                .build(),
        )
        .build();
    let location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact(base, f))
                .region(region)
                .build(),
        )
        .build();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), f.fingerprint.clone());
    let mut props: BTreeMap<String, Value> = BTreeMap::new();
    props.insert("severity".into(), json!(f.hit.severity.as_str()));
    if show {
        props.insert("secret".into(), json!(f.hit.secret));
    }
    if let Some(c) = &f.commit {
        props.insert("commit".into(), json!(c.id));
        props.insert("author".into(), json!(c.author_name));
        props.insert("authorEmail".into(), json!(c.author_email));
        props.insert("date".into(), json!(c.date));
        props.insert("commitMessage".into(), json!(c.summary));
    }
    if f.other_locations > 0 {
        props.insert("otherLocations".into(), json!(f.other_locations));
    }
    if let Some(r) = &f.repository {
        props.insert("repository".into(), json!(r.location));
        props.insert("repositoryId".into(), json!(r.id));
    }
    if let Some(g) = &f.value_group {
        props.insert("valueGroup".into(), json!(g));
    }
    // The message names the rule and place only: never the secret, not even redacted,
    // since code scanning shows messages to everyone with read access.
    let message = format!(
        "{} found in {} at line {}. Rotate it and move it to a secret store.",
        f.hit.rule_name, f.path, f.hit.line
    );
    serde_sarif::sarif::Result::builder()
        .rule_id(f.hit.rule_id.clone())
        .rule_index(rule_index as i64)
        .level(level(f.hit.severity))
        .message(Message::builder().text(message).build())
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build()
}

/// The `originalUriBaseIds` key of a sweep's repository.
fn repository_base(id: &str) -> String {
    format!("REPOSITORY-{id}")
}

/// A repository's location as a base URI (ending in `/`): a URL as listed, a path as a
/// `file:` URI; None for what is neither (an scp-like `user@host:path`).
fn repository_uri(location: &str) -> Option<String> {
    let mut uri = if location.contains("://") {
        location.to_string()
    } else if Path::new(location).is_absolute() {
        file_uri(Path::new(location))
    } else {
        return None;
    };
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(uri)
}

fn artifact(base: &SourceRoot, f: &Finding) -> ArtifactLocation {
    if let Some(r) = &f.repository {
        return ArtifactLocation::builder()
            .uri(uri_path(f.stable_path()))
            .uri_base_id(repository_base(&r.id))
            .build();
    }
    let (uri, relative) = base.locate(f);
    if relative {
        ArtifactLocation::builder()
            .uri(uri)
            .uri_base_id(SRCROOT)
            .build()
    } else {
        ArtifactLocation::builder().uri(uri).build()
    }
}

/// Percent-encodes what a relative URI reference cannot hold as is.
fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `github-pat-classic` → `GithubPatClassic`, the SARIF `name` convention.
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
