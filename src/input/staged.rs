//! The git index as a source: the staged content of every file added,
//! modified, copied or renamed in it, which is exactly what the next commit
//! will hold.
//!
//! This runs the `git` command line rather than a git library: git is the
//! reference implementation of the index (split index, sparse index,
//! untracked cache and other extensions, linked worktrees, `GIT_INDEX_FILE`
//! set by `git commit -a` while hooks run), it is always present where a
//! repository is, and it keeps libgit2/C builds out of this crate. Two
//! processes serve a whole scan, however many files:
//!
//! 1. `git diff --cached --raw -z --no-abbrev --diff-filter=ACMR <base>`
//!    lists paths with their staged blob ids. `<base>` is `HEAD`, or git's
//!    empty tree in a repository without commits. `-z` keeps paths with
//!    spaces, quotes or non-ASCII bytes verbatim.
//! 2. `git cat-file --batch` streams the blobs.
//!
//! Paths are reported relative to the repository root, whatever directory
//! credscan runs in.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crossbeam_channel::bounded;

use super::catfile::{Blob, CatFile};
use super::{scan_bytes, Settings, Sink};
use crate::input::exclude::Excludes;

/// git's well-known empty tree: the base to diff against before the first
/// commit.
pub const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// A staged file: repository-relative path and blob id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: Vec<u8>,
    pub mode: String,
    pub blob: String,
}

/// Why the index could not be read (not a repository, git missing, ...).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StagedError(pub String);

pub(super) fn git(cwd: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(cwd)
        // Pathspecs are file names, not globs or magic.
        .env("GIT_LITERAL_PATHSPECS", "1")
        .stdin(Stdio::null());
    c
}

pub(super) fn run(cmd: &mut Command, what: &str) -> Result<Vec<u8>, StagedError> {
    let out = cmd
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| StagedError(format!("cannot run git ({what}): {e}")))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr);
        return Err(StagedError(format!("git {what} failed: {}", msg.trim())));
    }
    Ok(out.stdout)
}

/// The top of the work tree that holds `cwd`.
pub fn toplevel(cwd: &Path) -> Result<PathBuf, StagedError> {
    let out = run(
        git(cwd).args(["rev-parse", "--show-toplevel"]),
        "rev-parse --show-toplevel",
    )
    .map_err(|e| StagedError(format!("--staged needs a git work tree: {e}")))?;
    let mut bytes = out;
    while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        bytes.pop();
    }
    Ok(path_from_bytes(&bytes))
}

#[cfg(unix)]
pub(super) fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(b))
}

#[cfg(not(unix))]
pub(super) fn path_from_bytes(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

/// Staged entries under `pathspecs` (relative to `cwd`; all when empty).
pub fn entries(cwd: &Path, pathspecs: &[PathBuf]) -> Result<Vec<Entry>, StagedError> {
    let has_head = git(cwd)
        .args(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| StagedError(format!("cannot run git: {e}")))?
        .success();
    let base = if has_head { "HEAD" } else { EMPTY_TREE };
    let mut cmd = git(cwd);
    cmd.args([
        "diff",
        "--cached",
        "--raw",
        "-z",
        "--no-abbrev",
        "--no-relative",
        "--no-ext-diff",
        "--diff-filter=ACMR",
        base,
    ]);
    if !pathspecs.is_empty() {
        cmd.arg("--");
        cmd.args(pathspecs.iter().map(OsString::from));
    }
    let out = run(&mut cmd, "diff --cached")?;
    parse_raw(&out)
}

/// Parses `git diff --raw -z` output:
/// `:<old mode> <new mode> <old id> <new id> <status>\0<path>\0`, with a
/// second path (the destination) for copies and renames.
pub fn parse_raw(out: &[u8]) -> Result<Vec<Entry>, StagedError> {
    let mut fields = out.split(|b| *b == 0).filter(|f| !f.is_empty());
    let mut entries = Vec::new();
    while let Some(meta) = fields.next() {
        let meta = String::from_utf8_lossy(meta);
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let [_, new_mode, _, new_id, status] = parts[..] else {
            return Err(StagedError(format!("unexpected git diff output: {meta}")));
        };
        let mut path = fields
            .next()
            .ok_or_else(|| StagedError(format!("git diff output ends after {meta}")))?;
        if status.starts_with('R') || status.starts_with('C') {
            path = fields
                .next()
                .ok_or_else(|| StagedError(format!("git diff output ends after {meta}")))?;
        }
        entries.push(Entry {
            path: path.to_vec(),
            mode: new_mode.to_string(),
            blob: new_id.to_string(),
        });
    }
    Ok(entries)
}

/// Scans the staged content under `pathspecs`. Returns the repository root,
/// which reported paths are relative to.
pub fn scan(
    cwd: &Path,
    pathspecs: &[PathBuf],
    excludes: Option<&Excludes>,
    threads: usize,
    settings: &Settings,
    sink: &Sink,
) -> Result<PathBuf, StagedError> {
    let top = toplevel(cwd)?;
    let mut blobs = Vec::new();
    for e in entries(cwd, pathspecs)? {
        let display = match std::str::from_utf8(&e.path) {
            Ok(s) => s.to_string(),
            Err(_) => crate::report::escape::quote_bytes(&e.path),
        };
        let in_tree = top.join(path_from_bytes(&e.path));
        if excludes.is_some_and(|x| x.is_excluded(&in_tree, false)) {
            sink.excluded
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            continue;
        }
        // `-o` must not replace a file being committed.
        if sink.output_file.is_some() {
            if let Ok(m) = std::fs::metadata(&in_tree) {
                sink.reading(&m);
            }
        }
        match e.mode.as_str() {
            // Symlinks: not followed, as in the walk.
            "120000" => sink.skip_silently(),
            // Submodules: their content lives in another repository.
            "160000" => sink.skip_silently(),
            _ if e.blob.bytes().all(|b| b == b'0') => sink.skip_silently(),
            _ => blobs.push((display, e.blob)),
        }
    }
    if !blobs.is_empty() {
        read_blobs(&top, blobs, threads, settings, sink)?;
    }
    Ok(top)
}

/// Streams blobs out of `git cat-file --batch` into scanner threads.
fn read_blobs(
    top: &Path,
    blobs: Vec<(String, String)>,
    threads: usize,
    settings: &Settings,
    sink: &Sink,
) -> Result<(), StagedError> {
    let (mut cat, mut stdin) = CatFile::spawn(git(top))
        .map_err(|e| StagedError(format!("cannot run git cat-file: {e}")))?;
    let ids: Vec<String> = blobs.iter().map(|(_, id)| id.clone()).collect();
    let lfs_store = lfs_store(top);
    let lfs_store = lfs_store.as_deref();
    let (tx, rx) = bounded::<(String, Vec<u8>)>(threads * 2);
    let result = std::thread::scope(|s| {
        // Feed ids on another thread: git may block writing its output
        // until it is read.
        s.spawn(move || {
            for id in ids {
                if writeln!(stdin, "{id}").is_err() {
                    break;
                }
            }
        });
        for _ in 0..threads.max(1) {
            let rx = rx.clone();
            s.spawn(move || {
                for (path, bytes) in rx {
                    super::guarded(&path, sink, || match lfs_pointer_oid(&bytes) {
                        Some(oid) => scan_lfs_object(&path, &oid, lfs_store, settings, sink),
                        None => scan_bytes(&path, &bytes, settings, sink),
                    });
                }
            });
        }
        drop(rx);
        for (path, id) in blobs {
            let blob = match cat.read(&id, settings.max_file_size) {
                Ok(blob) => blob,
                Err(e) => {
                    // The id writer must not block on a pipe no one reads.
                    cat.kill();
                    return Err(StagedError(format!("reading git cat-file: {e}")));
                }
            };
            match blob {
                Blob::Bytes(bytes) => {
                    if tx.send((path, bytes)).is_err() {
                        break;
                    }
                }
                Blob::TooLarge(size) => sink.note(
                    &path,
                    format!(
                        "skipped: {size} bytes is larger than --max-file-size ({} bytes)",
                        settings.max_file_size
                    ),
                ),
                Blob::Missing(line) => {
                    sink.error(&path, format!("cannot read staged blob {id}: {line}"))
                }
            }
        }
        drop(tx);
        Ok(())
    });
    let status = cat.finish();
    result?;
    status.map_err(|e| StagedError(format!("git cat-file: {e}")))
}

/// The `sha256` object id of a git-lfs pointer file, if `bytes` is one.
pub fn lfs_pointer_oid(bytes: &[u8]) -> Option<String> {
    if bytes.len() > 1024 || !bytes.starts_with(b"version https://git-lfs.github.com/spec/") {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let oid = text
        .lines()
        .find_map(|l| l.strip_prefix("oid sha256:"))?
        .trim();
    (oid.len() == 64 && oid.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| oid.to_ascii_lowercase())
}

/// The local LFS object store: `lfs/objects` in the common git directory.
fn lfs_store(top: &Path) -> Option<PathBuf> {
    let out = run(
        git(top).args(["rev-parse", "--path-format=absolute", "--git-common-dir"]),
        "rev-parse --git-common-dir",
    )
    .ok()?;
    let dir = String::from_utf8_lossy(&out).trim_end().to_string();
    Some(PathBuf::from(dir).join("lfs").join("objects"))
}

/// Scans the content a staged git-lfs pointer stands for: the local LFS
/// object when it is there, else a note that the content was not scanned.
fn scan_lfs_object(path: &str, oid: &str, store: Option<&Path>, settings: &Settings, sink: &Sink) {
    let object = store.and_then(|s| {
        let p = s.join(oid.get(..2)?).join(oid.get(2..4)?).join(oid);
        p.is_file().then_some(p)
    });
    match object {
        Some(p) => super::walk::scan_file(&p, path, settings, sink),
        None => sink.note(
            path,
            format!(
                "staged as a git-lfs pointer; the LFS object sha256:{oid} is not in the local \
                 store, so its content was not scanned"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lfs_pointers_are_recognised() {
        let oid = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";
        let ptr =
            format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 12345\n");
        assert_eq!(lfs_pointer_oid(ptr.as_bytes()).as_deref(), Some(oid));
        assert_eq!(lfs_pointer_oid(b"version 1\noid sha256:abc\n"), None);
        assert_eq!(lfs_pointer_oid(b"{\"auths\": {}}"), None);
    }

    #[test]
    fn raw_output_with_renames_and_odd_names() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let out = format!(
            ":000000 100644 {z} {a} A\0dir/with space.json\0\
             :100644 100644 {a} {b} R087\0old name\0new näme\0\
             :100644 100755 {a} {b} M\0x\0"
        );
        let e = parse_raw(out.as_bytes()).unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0].path, b"dir/with space.json");
        assert_eq!(e[0].blob, a);
        assert_eq!(e[1].path, "new näme".as_bytes());
        assert_eq!(e[1].blob, b);
        assert_eq!(e[2].mode, "100755");
        assert!(parse_raw(b"").unwrap().is_empty());
        assert!(parse_raw(b":garbage\0x\0").is_err());
    }
}
