//! Writing a command's output file without losing anything the user had.
//!
//! - A symbolic link is written through: its final target gets the new text and the link stays a
//!   link.
//! - A FIFO, device, directory or socket is refused ("not a regular file") before anything opens
//!   it, so a FIFO never blocks and `/dev/null` is never replaced by a regular file.
//! - A file with one link is replaced atomically (temporary file in the same folder, synced, then
//!   renamed over it), keeping its permission bits, and its owner and group when we may set them.
//! - A file with several hard links, or whose owner we cannot give to a new file, is rewritten in
//!   place, because a rename would cut the other links or change the owner. To stay crash-safe,
//!   the complete new text is first written and synced to a temporary file beside it; only then
//!   is the original truncated and rewritten. If the machine stops during that rewrite, the
//!   temporary file (`.<name>.asl-studio-<pid>.tmp`) still holds the whole new text; after a
//!   successful rewrite it is removed.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Writes `text` to `path` (see the module documentation for what is kept and what is refused).
///
/// # Errors
/// A message naming the path: not a regular file, a dangling link, or the I/O error.
pub fn write_output(path: &Path, text: &str) -> Result<(), String> {
    write_output_bytes(path, text.as_bytes())
}

/// Writes `bytes` to `path` as [`write_output`] writes text (a PNG picture, for one).
///
/// # Errors
/// A message naming the path: not a regular file, a dangling link, or the I/O error.
pub fn write_output_bytes(path: &Path, text: &[u8]) -> Result<(), String> {
    let target = resolve_target(path)?;
    let shown = path.display();
    let existing = match std::fs::metadata(&target) {
        Ok(metadata) => Some(metadata),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(format!("{shown}: cannot write: {error}")),
    };
    if let Some(metadata) = &existing
        && let Some(kind) = asl_codec::load::describe_non_regular(metadata.file_type())
    {
        return Err(format!("{shown}: not a regular file ({kind}); not written"));
    }
    let temp = temp_path(&target);
    let result = match &existing {
        Some(metadata) if must_rewrite_in_place(metadata) => rewrite_in_place(&target, &temp, text),
        _ => replace_atomically(&target, &temp, text, existing.as_ref()),
    };
    result.map_err(|error| {
        let _ = std::fs::remove_file(&temp);
        format!("{shown}: cannot write: {error}")
    })
}

/// The file a write to `path` lands in: `path`, or the final target of its chain of links.
fn resolve_target(path: &Path) -> Result<PathBuf, String> {
    let mut current = path.to_path_buf();
    // The kernel's own limit on links followed in one lookup.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)
                    .map_err(|error| format!("{}: cannot read link: {error}", path.display()))?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(format!(
        "{}: too many levels of symbolic links",
        path.display()
    ))
}

fn temp_path(target: &Path) -> PathBuf {
    let dir = target
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}.asl-studio-{}.tmp", std::process::id()))
}

/// Whether a rename would lose something: other hard links, or an owner we cannot give a new file.
#[cfg(unix)]
fn must_rewrite_in_place(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    metadata.nlink() > 1
}

#[cfg(not(unix))]
fn must_rewrite_in_place(_metadata: &std::fs::Metadata) -> bool {
    false
}

fn write_synced(path: &Path, text: &[u8]) -> std::io::Result<std::fs::File> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(text)?;
    file.sync_all()?;
    Ok(file)
}

fn replace_atomically(
    target: &Path,
    temp: &Path,
    text: &[u8],
    existing: Option<&std::fs::Metadata>,
) -> std::io::Result<()> {
    let file = write_synced(temp, text)?;
    if let Some(metadata) = existing {
        file.set_permissions(metadata.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt as _;
            if std::os::unix::fs::fchown(&file, Some(metadata.uid()), Some(metadata.gid())).is_err()
            {
                // Only root may give a file away: keep the owner by rewriting the original instead.
                drop(file);
                std::fs::remove_file(temp)?;
                return rewrite_in_place(target, temp, text);
            }
        }
    }
    drop(file);
    std::fs::rename(temp, target)
}

fn rewrite_in_place(target: &Path, temp: &Path, text: &[u8]) -> std::io::Result<()> {
    drop(write_synced(temp, text)?);
    let mut file = std::fs::OpenOptions::new().write(true).open(target)?;
    file.set_len(0)?;
    file.write_all(text)?;
    file.sync_all()?;
    std::fs::remove_file(temp)
}
