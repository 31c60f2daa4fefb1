//! Filesystem access that a hostile tree cannot turn against us: files keysweep reads are
//! opened only if they are regular files (a FIFO or `/proc/kmsg` would block for ever, a
//! device could be endless), and files keysweep writes are created beside their target and
//! renamed into place with mode 0600, never written through a link or onto a special file,
//! and never chmod-ed when keysweep did not create them.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

/// Opens `path` for reading only if it is a regular file. With `follow` false a symlink is
/// refused too (for files found by looking, such as `.keysweep.toml`). The open itself does
/// not block on a FIFO, and the check is made on the opened handle, so the file cannot be
/// swapped between check and open.
pub fn open_regular(path: &Path, follow: bool) -> std::io::Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
        if !follow {
            flags |= libc::O_NOFOLLOW;
        }
        opts.custom_flags(flags);
    }
    let file = opts.open(path).map_err(|e| {
        #[cfg(unix)]
        if !follow && e.raw_os_error() == Some(libc::ELOOP) {
            return std::io::Error::other("is a symbolic link; not followed");
        }
        e
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other(format!(
            "is not a regular file ({})",
            kind(&meta.file_type())
        )));
    }
    Ok(file)
}

/// Reads a regular file (see [`open_regular`]) as UTF-8 text of at most `limit` bytes.
pub fn read_text(path: &Path, follow: bool, limit: u64) -> Result<String> {
    let file =
        open_regular(path, follow).with_context(|| format!("cannot read {}", path.display()))?;
    let mut text = String::new();
    file.take(limit.saturating_add(1))
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if text.len() as u64 > limit {
        bail!("{} is larger than {limit} bytes", path.display());
    }
    Ok(text)
}

/// What kind of non-regular file this is, for messages.
pub fn kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else {
        "a special file"
    }
}

/// A file being written: a private temporary file beside the target, renamed over it by
/// [`PrivateFile::commit`]. Dropped without commit, the temporary file is removed and the
/// target left as it was.
pub struct PrivateFile {
    tmp: tempfile::NamedTempFile,
    target: std::path::PathBuf,
}

impl PrivateFile {
    /// Refuses (with one line) a target that is a symlink, a directory or a special file.
    pub fn create(target: &Path) -> Result<PrivateFile> {
        if let Ok(meta) = std::fs::symlink_metadata(target) {
            if !meta.is_file() {
                bail!(
                    "refusing to write {}: it is {}",
                    target.display(),
                    kind(&meta.file_type())
                );
            }
        }
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        // tempfile creates the file exclusively, with mode 0600.
        let tmp = tempfile::Builder::new()
            .prefix(".keysweep-")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a file in {}", dir.display()))?;
        Ok(PrivateFile {
            tmp,
            target: target.to_path_buf(),
        })
    }

    /// Moves the written file into place.
    pub fn commit(self) -> Result<()> {
        let target = self.target;
        self.tmp
            .as_file()
            .sync_all()
            .with_context(|| format!("cannot write {}", target.display()))?;
        self.tmp
            .persist(&target)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", target.display()))?;
        Ok(())
    }
}

impl Write for PrivateFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tmp.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.tmp.flush()
    }
}

/// Writes `bytes` to `target` through a [`PrivateFile`].
pub fn write_private(target: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = PrivateFile::create(target)?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", target.display()))?;
    f.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn output_never_goes_through_a_link_or_onto_a_special_file() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let link = d.path().join("report.json");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let e = write_private(&link, b"x").unwrap_err().to_string();
        assert!(e.contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        let e = write_private(d.path(), b"x").unwrap_err().to_string();
        assert!(e.contains("directory"), "{e}");
        let e = write_private(Path::new("/dev/null"), b"x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("device"), "{e}");

        let out = d.path().join("out.json");
        std::fs::write(&out, "old").unwrap();
        write_private(&out, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn reads_refuse_fifos_and_unfollowed_links() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = open_regular(&fifo, true).unwrap_err().to_string();
        assert!(e.contains("FIFO"), "{e}");
        let file = d.path().join("f");
        std::fs::write(&file, "x").unwrap();
        let link = d.path().join("l");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(open_regular(&link, true).is_ok());
        let e = open_regular(&link, false).unwrap_err().to_string();
        assert!(e.contains("symbolic link"), "{e}");
        assert!(read_text(&file, false, 0).is_err(), "over the limit");
    }
}
