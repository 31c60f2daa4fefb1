//! Command-line interface: argument definitions (clap) and dispatch to the commands.

use crate::config::parse_size;
use crate::report::Format;
use crate::rules::Confidence;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `--version`: the version, the commit it was built from and the size of the built-in rule
/// pack (both from build.rs), so a bug report says exactly what ran.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("KEYSWEEP_COMMIT"),
    ", ",
    env!("KEYSWEEP_RULE_COUNT"),
    " rules)"
);

#[derive(Parser, Debug)]
#[command(
    name = "keysweep",
    version = LONG_VERSION,
    about = "Find hardcoded secrets in working trees and git history, and move them into AWS Secrets Manager",
    after_help = "Exit codes: 0 no findings, 1 findings, 2 usage or fatal error, 3 scan incomplete (with --fail-on-scan-errors)."
)]
pub struct Cli {
    /// When to colour the output (auto: only on a terminal, and not when NO_COLOR is set).
    #[arg(long, global = true, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan a directory tree (default), git history (--git) or the staged changes (--staged).
    Scan(ScanCmd),
    /// List, show and check rules.
    #[command(subcommand)]
    Rules(RulesCmd),
    /// Create or prune a baseline of known findings.
    #[command(subcommand)]
    Baseline(BaselineCmd),
    /// Install keysweep as the repository's git pre-commit hook.
    InstallHook(InstallHookCmd),
    /// Entry points for hook frameworks (the pre-commit framework's `.pre-commit-hooks.yaml`).
    #[command(subcommand)]
    Hook(HookCmd),
    /// Move findings into AWS Secrets Manager and print the code that reads them back.
    Migrate(Box<MigrateCmd>),
    /// Print a shell completion script on stdout.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of every command and flag on stdout.
    Man,
    /// Work with configuration files (import a gitleaks config).
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Scan the history of many repositories (a list file, or every repository under a
    /// directory); incremental with --state, split across workers with --shard.
    Sweep(Box<SweepCmd>),
    /// Merge the JSONL or SARIF reports of sweep shards into one, de-duplicated by
    /// fingerprint, with a sweep's summary.
    Merge(MergeCmd),
}

#[derive(Subcommand, Debug)]
pub enum ConfigCmd {
    /// Translate a gitleaks config into the equivalent .keysweep.toml; what cannot be
    /// translated is listed on stderr.
    ImportGitleaks {
        /// The gitleaks config to read.
        #[arg(value_name = "FILE", default_value = ".gitleaks.toml")]
        file: PathBuf,
        /// Where to write the keysweep config (`-`: stdout).
        #[arg(long, short, value_name = "FILE", default_value = ".keysweep.toml")]
        output: PathBuf,
        /// Replace an existing output file.
        #[arg(long)]
        force: bool,
    },
}

/// Where to scan and what to skip: shared by `scan`, `baseline` and `migrate`.
#[derive(Args, Debug, Clone)]
pub struct ScanTarget {
    /// Files or directories to scan (a repository with --git; `-`: standard input).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// With `-`: report standard input as PATH, and apply path rules (excludes, allowlisted
    /// paths) to it as to a file there.
    #[arg(long, value_name = "PATH")]
    pub stdin_name: Option<String>,
    /// Scan the git history of every ref: each unique blob once.
    #[arg(long, conflicts_with = "staged")]
    pub git: bool,
    /// Scan what `git commit` is about to record (the index against HEAD).
    #[arg(long)]
    pub staged: bool,
    /// With --git: only history reachable from REF.
    #[arg(long, value_name = "REF", requires = "git")]
    pub branch: Option<String>,
    /// With --git: only content introduced by commits in A..B.
    #[arg(
        long,
        value_name = "A..B",
        requires = "git",
        conflicts_with = "since_commit"
    )]
    pub range: Option<String>,
    /// With --git: shorthand for --range REV..HEAD.
    #[arg(long, value_name = "REV", requires = "git")]
    pub since_commit: Option<String>,
    /// With --git: list every place that holds each secret, not only how many.
    #[arg(long)]
    pub all_locations: bool,
    /// Skip paths matching GLOB (repeatable; gitignore syntax, relative to the scanned
    /// directory or, with --git and --staged, to the repository).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Do not honour .gitignore/.ignore/.keysweepignore files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Honour .gitignore files outside a git repository too (by default they count only inside
    /// one, as in ripgrep; .ignore and .keysweepignore count everywhere).
    #[arg(long)]
    pub no_require_git: bool,
    /// Follow symbolic links (never outside the scanned roots; special files are never read).
    #[arg(long, short = 'L')]
    pub follow: bool,
    /// Skip files larger than this (bytes; suffixes K, M, G allowed). Default 64M.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Config file (default: .keysweep.toml at the scanned root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Suppress findings listed in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Worker threads (default: all cores; at most 256).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub threads: Option<u64>,
    /// No summary line, no progress, no warnings.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print how long each phase of the scan took (history: graph walk, blob scan,
    /// attribution) on stderr.
    #[arg(long)]
    pub timings: bool,
    /// Report only findings of rules at least this confident: high (a unique prefix or
    /// checksum), medium (provider context plus shape) or low (generic rules; the default,
    /// i.e. everything).
    #[arg(long, value_name = "LEVEL", value_parser = confidence_parser())]
    pub min_confidence: Option<Confidence>,
}

/// `--min-confidence`: the rule schema's three levels.
fn confidence_parser() -> impl TypedValueParser<Value = Confidence> {
    PossibleValuesParser::new(["low", "medium", "high"]).map(|s| match s.as_str() {
        "high" => Confidence::High,
        "medium" => Confidence::Medium,
        _ => Confidence::Low,
    })
}

#[derive(Args, Debug)]
pub struct ScanCmd {
    #[command(flatten)]
    pub target: ScanTarget,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
    /// Exit 3 when a file or object could not be read or decoded (the scan is incomplete).
    #[arg(long)]
    pub fail_on_scan_errors: bool,
}

#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Report format.
    #[arg(long, short, default_value = "text", value_parser = format_parser())]
    pub format: Format,
    /// Write the report to FILE (created with mode 0600) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print secrets in clear. Off by default in every format.
    #[arg(long)]
    pub show_secrets: bool,
}

/// `--format`: the report formats, named and explained by `report::Format`.
fn format_parser() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(
        Format::ALL
            .iter()
            .map(|f| PossibleValue::new(f.name()).help(f.help())),
    )
    .try_map(|s| s.parse::<Format>())
}

#[derive(Subcommand, Debug)]
pub enum RulesCmd {
    /// List every rule (id, name, keywords); rules without keywords are marked.
    List {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
        /// Also list rules from this config file.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Show one rule in full, with its examples.
    Show {
        id: String,
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Check a rule file: syntax, regexes, and every rule's examples and negatives.
    Check { file: PathBuf },
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum BaselineCmd {
    /// Write the current findings as a baseline file (fingerprints only, no secrets).
    Create {
        #[command(flatten)]
        target: ScanTarget,
        /// Baseline file to write.
        #[arg(
            long,
            short,
            value_name = "FILE",
            default_value = ".keysweep-baseline.json"
        )]
        output: PathBuf,
    },
    /// Drop baseline entries that are no longer found.
    Prune {
        /// Baseline file to prune in place.
        #[arg(
            long = "file",
            value_name = "FILE",
            default_value = ".keysweep-baseline.json"
        )]
        file: PathBuf,
        #[command(flatten)]
        target: ScanTarget,
    },
}

#[derive(Args, Debug)]
pub struct InstallHookCmd {
    /// Repository (default: the current directory).
    #[arg(value_name = "REPO", default_value = ".")]
    pub repo: PathBuf,
    /// Replace a pre-commit hook keysweep did not write.
    #[arg(long)]
    pub force: bool,
}

#[derive(Subcommand, Debug)]
pub enum HookCmd {
    /// Check the FILEs the pre-commit framework passes: during a commit only their staged
    /// added lines, under `pre-commit run --all-files` / `--files` the files whole.
    PreCommit(PreCommitHookCmd),
}

#[derive(Args, Debug)]
pub struct PreCommitHookCmd {
    /// Files to check, relative to the repository's top (pre-commit passes them).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// What to check in them. `auto`: their staged changes when git is running a commit
    /// (git sets GIT_INDEX_FILE for its commit hooks), else the files whole.
    #[arg(long, value_enum, default_value_t = PreCommitMode::Auto)]
    pub mode: PreCommitMode,
    /// Config file (default: .keysweep.toml at the repository's top).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Suppress findings listed in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Skip paths matching GLOB (repeatable; gitignore syntax, relative to the repository).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// No summary line and no warnings.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreCommitMode {
    /// Staged changes during a commit, whole files otherwise.
    Auto,
    /// Only the staged added or changed lines of the files.
    Staged,
    /// The files whole, as they are in the working tree.
    Files,
}

#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MigrateCmd {
    /// `migrate status`: whether the migration finished (a directory named `status` is
    /// `./status`).
    #[command(subcommand)]
    pub status: Option<MigrateSub>,
    #[command(flatten)]
    pub target: ScanTarget,
    /// Only findings of this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Only the finding with this fingerprint (repeatable).
    #[arg(long = "fingerprint", value_name = "FP")]
    pub fingerprints: Vec<String>,
    /// Only findings whose path matches GLOB (repeatable).
    #[arg(long = "path", value_name = "GLOB")]
    pub path_globs: Vec<String>,
    /// Send the plan to Secrets Manager. Without it nothing is sent.
    #[arg(long)]
    pub apply: bool,
    /// Store a new version when a secret exists with a different value.
    #[arg(long, requires = "apply")]
    pub update: bool,
    /// Plan without contacting Secrets Manager: every secret shows "create (not checked)".
    #[arg(long, conflicts_with = "apply")]
    pub no_lookup: bool,
    /// Write the plan as JSON (no secret values) to FILE.
    #[arg(long, value_name = "FILE")]
    pub plan_out: Option<PathBuf>,
    /// Name prefix for the {prefix} placeholder of the name template.
    #[arg(long, default_value = "keysweep")]
    pub prefix: String,
    /// Secret name template: {prefix} {repo} {path} {rule} {line} {fingerprint}.
    #[arg(long, default_value = "{prefix}/{repo}/{path}/{rule}")]
    pub name_template: String,
    /// Store lone tokens as plain strings instead of one-key JSON.
    #[arg(long)]
    pub plain: bool,
    /// Tag every created secret with KEY=VALUE (repeatable).
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// KMS key to encrypt the secrets with.
    #[arg(long, value_name = "KEY")]
    pub kms_key_id: Option<String>,
    /// AWS region (default: from the environment or profile).
    #[arg(long)]
    pub region: Option<String>,
    /// AWS profile.
    #[arg(long)]
    pub profile: Option<String>,
    /// Secrets Manager endpoint (e.g. a local test server).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Write a unified diff replacing literals with lookups to FILE (for `git apply`).
    #[arg(long, value_name = "FILE")]
    pub patch: Option<PathBuf>,
    /// Report format for the plan.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
    /// Store AWS access keys in Secrets Manager anyway (by default they are routed to an IAM
    /// role: stored keys need credentials to be read back).
    #[arg(long)]
    pub store_aws_keys: bool,
    /// Store raw encryption keys in Secrets Manager anyway (by default they are routed to KMS).
    #[arg(long)]
    pub store_encryption_keys: bool,
    /// Rotate the secrets with this rotation function (a Lambda ARN); needs
    /// --rotation-schedule. The first rotation starts right after creation.
    #[arg(long, value_name = "LAMBDA_ARN")]
    pub rotate_with: Option<String>,
    /// Rotation that Secrets Manager manages itself (no function); needs --rotation-schedule.
    #[arg(long)]
    pub rotate_managed: bool,
    /// When to rotate: "rate(30 days)", "rate(12 hours)" or "cron(...)".
    #[arg(long, value_name = "EXPR")]
    pub rotation_schedule: Option<String>,
    /// The rotation window, e.g. 4h (with a schedule).
    #[arg(long, value_name = "HOURS")]
    pub rotation_window: Option<String>,
    /// Replicate the secrets to REGION (repeatable).
    #[arg(long = "replica-region", value_name = "REGION")]
    pub replica_regions: Vec<String>,
    /// Attach a resource policy that lets only PRINCIPAL (an IAM ARN or account id;
    /// repeatable) read the secret, validated with BlockPublicPolicy.
    #[arg(long = "resource-policy", value_name = "PRINCIPAL")]
    pub readers: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum MigrateSub {
    /// For the secrets keysweep created: is the literal gone from the tree, has the
    /// application read the secret, rotation, encryption key, replicas. Exit 1 while any is
    /// pending.
    Status(MigrateStatusCmd),
}

#[derive(Args, Debug)]
pub struct MigrateStatusCmd {
    #[command(flatten)]
    pub target: ScanTarget,
    /// Only secrets whose name starts with PREFIX.
    #[arg(long, value_name = "PREFIX")]
    pub name_prefix: Option<String>,
    /// AWS region (default: from the environment or profile).
    #[arg(long)]
    pub region: Option<String>,
    /// AWS profile.
    #[arg(long)]
    pub profile: Option<String>,
    /// Secrets Manager endpoint (e.g. a local test server).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    Text,
    Json,
}

/// `keysweep sweep`.
#[derive(Args, Debug)]
#[command(
    after_help = "Exit codes: 0 no findings, 1 findings, 2 usage or fatal error, 3 scan incomplete (with --fail-on-scan-errors), 4 some repository could not be swept (each is named in a warning; the others were swept)."
)]
pub struct SweepCmd {
    /// A file listing repositories (`-`: standard input): one local path or git URL per line,
    /// `#` comments (repeatable). Relative paths are relative to the file.
    #[arg(long, value_name = "FILE", required_unless_present = "discover")]
    pub repos: Vec<PathBuf>,
    /// Sweep every git repository (bare or not) found under DIR (repeatable).
    #[arg(long, value_name = "DIR")]
    pub discover: Vec<PathBuf>,
    /// Mirror repositories given by URL into DIR (cloned once, fetched on later sweeps).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Repositories scanned at the same time (bounds memory: one repository's history each).
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub max_parallel: u64,
    /// Keep per-repository state in DIR: the next sweep scans only blobs not seen before.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// With --state: report only findings new since the last sweep, or the whole inventory.
    #[arg(long, value_enum, default_value_t = SweepReport::All)]
    pub report: SweepReport,
    /// Sweep only shard K of N (1-based) of the repository list, chosen by repository id.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// The key of the value groups (a file of at least 16 random bytes); shards merged into
    /// one report must share it. Default: the state directory's, else one for this run.
    #[arg(long, value_name = "FILE")]
    pub value_key: Option<PathBuf>,
    /// Config file for every repository (a swept repository's own config is not read).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Suppress findings listed in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Skip paths matching GLOB in every repository (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Skip blobs larger than this (bytes; suffixes K, M, G allowed). Default 64M.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Report only findings of rules at least this confident.
    #[arg(long, value_name = "LEVEL", value_parser = confidence_parser())]
    pub min_confidence: Option<Confidence>,
    /// Worker threads per repository (default: the cores divided by --max-parallel).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=256))]
    pub threads: Option<u64>,
    /// No summary, progress or warnings.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
    /// Exit 3 when an object could not be read or decoded.
    #[arg(long)]
    pub fail_on_scan_errors: bool,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepReport {
    New,
    All,
}

/// `keysweep merge`.
#[derive(Args, Debug)]
pub struct MergeCmd {
    /// Shard reports, all JSONL or all SARIF (as `sweep --format jsonl|sarif` wrote them).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Write the merged report to FILE (mode 0600) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// No summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    pub exit_zero: bool,
}
