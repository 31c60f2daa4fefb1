//! The state of the scanned repository that SARIF's `versionControlProvenance` records for
//! history and range scans: the commit `HEAD` points at, its branch, and where the repository
//! lives. The remote's URL is the repository's own configuration, so it is treated as
//! hostile: it can carry credentials (`https://user:token@host/…`), which never reach the
//! report, and anything that is not a plain network URL is left out.

use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// An absolute URI without user information: the `origin` remote, else the repository's
    /// own directory as a `file:` URI.
    pub repository_uri: String,
    /// The full id of the commit `HEAD` points at.
    pub revision_id: Option<String>,
    /// The branch `HEAD` is on (none when detached).
    pub branch: Option<String>,
}

/// Reads `HEAD`, its branch and the `origin` remote of the repository at `root`, opened
/// isolated (no user or system configuration, no environment), as the history source opens
/// it. None when it cannot be opened.
pub fn read(root: &Path) -> Option<Provenance> {
    let repo = gix::open_opts(root, gix::open::Options::isolated()).ok()?;
    let revision_id = repo.head_id().ok().map(|id| id.to_string());
    let branch = repo
        .head_name()
        .ok()
        .flatten()
        .map(|name| name.shorten().to_string());
    let remote_uri = repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url(gix::remote::Direction::Fetch).map(public_uri))
        .flatten();
    let repository_uri = remote_uri.or_else(|| {
        let dir = std::fs::canonicalize(root).ok()?;
        Some(crate::report::sarif::file_uri(&dir))
    })?;
    Some(Provenance {
        repository_uri,
        revision_id,
        branch,
    })
}

/// The URL as an absolute URI with no user name or password, for the network schemes a
/// code host is reached by; None for local paths and anything else.
fn public_uri(url: &gix::Url) -> Option<String> {
    use gix::url::Scheme;
    let scheme = match url.scheme {
        Scheme::Https => "https",
        Scheme::Http => "http",
        Scheme::Ssh => "ssh",
        Scheme::Git => "git",
        _ => return None,
    };
    let host = url.host()?;
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'))
    {
        return None;
    }
    let path = url.path.to_string();
    if path.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let port = url.port.map(|p| format!(":{p}")).unwrap_or_default();
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    Some(format!("{scheme}://{host}{port}{path}"))
}

#[cfg(test)]
mod tests {
    use super::public_uri;

    fn uri(s: &str) -> Option<String> {
        public_uri(&gix::Url::from_bytes(s.into()).unwrap())
    }

    #[test]
    fn credentials_in_a_remote_url_never_survive() {
        assert_eq!(
            uri("https://deploy:s3cr3t-value@git.example.org/team/app.git").as_deref(),
            Some("https://git.example.org/team/app.git")
        );
        assert_eq!(
            uri("https://oauth2@git.example.org:8443/team/app").as_deref(),
            Some("https://git.example.org:8443/team/app")
        );
    }

    #[test]
    fn scp_style_remotes_become_ssh_uris_and_local_paths_are_left_out() {
        assert_eq!(
            uri("git@git.example.org:team/app.git").as_deref(),
            Some("ssh://git.example.org/team/app.git")
        );
        assert_eq!(uri("/srv/git/app.git"), None);
        assert_eq!(uri("file:///srv/git/app.git"), None);
    }
}
