//! Git history as a source (`--history`, `--history=RANGE`, `--pre-push`):
//! every blob reachable from the scanned commits, each scanned once, and
//! each finding attributed to the commit that introduced it at its path.
//!
//! Commits and their blobs are listed by the `git` command line (`git
//! log`); blobs are read in-process from the pack files (input/packs.rs:
//! a small reader of pack indexes, whole and delta entries, inflating with
//! zlib-rs), and from `git cat-file --batch` for anything the packs do not
//! give (loose objects, objects in no pack, SHA-256 repositories, a
//! damaged entry), so every repository git reads still works, git being
//! the reference implementation (multi-pack indexes, promisor remotes,
//! partial and shallow clones, worktrees, alternates).
//!
//! Measured on docker/cli (60k commits, 131k reachable blobs, 2.1 GB, one
//! 288 MB pack; load 2.4-3.4, alternating with the previous build):
//! 3.6-3.7 s and 6.4-6.5 CPU-seconds, against 4.7-4.9 s and 8.3-8.4 when
//! two `git cat-file --batch` processes inflated the blobs (3.9 CPU-seconds,
//! much of it writing 2.1 GB into pipes, which credscan then read back):
//! reading in-process adds 2.1 CPU-seconds to credscan's own process.
//! `git log --raw`, a tree diff per commit, takes 1.9; the scan the
//! rest. Peak PSS of the process tree stays under 200 MB here, and at
//! 229-246 MB on moby/moby's 335 MiB of packs (the packs and indexes are
//! mapped, their pages dropped after every 8 MiB read; 32 MiB of
//! delta-base caches). gitoxide's gix-pack was not used: it adds 27
//! crates, and it maps whole packs and offers no call to drop the pages
//! read (only `madvise` on memory the crate owns), so reading every blob
//! of a 288 MB pack makes all of it resident.
//!
//! Processes for one scan:
//!
//! 1. `git log --raw -z --diff-merges=first-parent <revs>`
//!    lists, for every commit, the blobs it adds or changes (merges against
//!    their first parent, root commits against the empty tree), with author
//!    and dates. Every blob in a commit's tree is either in this diff or in
//!    its first parent's tree, so the listing reaches every blob reachable
//!    from `<revs>` (`--all`: all refs, which includes tags, remotes and
//!    the stash, plus `HEAD` and older stash entries). `git rev-list
//!    --objects` lists the blobs for less (1.3 CPU-seconds against 1.8 for
//!    this listing alone, docker/cli), but with one path per blob and no
//!    commits: attributing findings would take a second pass (a
//!    path-limited `git log --raw` costs 0.5 for a single path) that
//!    cannot see the other paths a blob had, so the one listing stays.
//! 2. Each blob is requested once, the first time it appears, from one of
//!    two reader threads (one per three scanner threads on larger
//!    machines), chosen by path so that the versions of a file, which git
//!    stores as delta chains, meet in one reader's delta-base cache. Each
//!    reader starts its own `git cat-file --batch` the first time the
//!    packs do not give a blob. The scan runs while `git log` is still
//!    listing.
//! 3. A blob's raw findings are placed (lines, columns, inline markers,
//!    fingerprints) by the scanner thread that found them, at the path the
//!    blob was requested for, while its content is at hand. When the
//!    listing is complete, they are grouped: one finding per credential
//!    per path, attributed to the earliest commit that introduced it
//!    there, with the number of commits whose tree holds it at that path,
//!    the number of paths that held it, and whether `HEAD` still does.
//!    Only blobs that also appeared at other paths are read again, to be
//!    placed there (34 of 1,424 blobs with raw findings on docker/cli).
//!
//! Missing objects (a partial clone) are counted and noted, never fetched
//! (`GIT_NO_LAZY_FETCH`). A shallow clone whose boundary the scan reaches
//! is reported as an error: the history behind it was not scanned.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};

use crossbeam_channel::bounded;

use super::catfile::{Blob, CatFile};
use super::packs::{Got, NotHere, Packs};
use super::staged::{git, path_from_bytes};
use super::{guarded, locate_fingerprinted, scan_counted, scanned_text, Base, Settings, Sink};
use crate::input::exclude::Excludes;
use crate::model::finding::{fingerprint, Finding, Origin, RawFinding, Secret};
use crate::model::rule::Rule;

/// Why the history could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HistoryError(pub String);

/// The path notices about the whole history are reported under.
pub const NOTICE_PATH: &str = "git history";

/// Blobs per request chunk sent to one blob reader.
const CHUNK: usize = 64;

const NONE: u32 = u32::MAX;

/// `git log` options allowed in a `--history=RANGE` besides revisions: limits
/// that select commits. Anything else starting with `-` is refused, so a
/// range taken from untrusted input (a branch name in CI) cannot pass
/// options such as `--output=FILE` to git.
const RANGE_OPTIONS: &[&str] = &[
    "--since=",
    "--until=",
    "--after=",
    "--before=",
    "--max-count=",
    "--not",
    "--all",
    "--branches",
    "--tags",
    "--remotes",
];

/// Parses a `--history=RANGE` value into `git log` revision arguments:
/// words separated by spaces, in git's syntax (`main..HEAD`,
/// `origin/main...feature`, `v1.0 ^v0.9`, `--since=2024-01-01 HEAD`). An
/// empty value means the whole history.
pub fn parse_range(range: &str) -> Result<Vec<String>, HistoryError> {
    let mut revs = Vec::new();
    for word in range.split_whitespace() {
        let allowed = RANGE_OPTIONS.iter().any(|o| {
            if o.ends_with('=') {
                word.starts_with(o)
            } else {
                word == *o || word.starts_with(&format!("{o}="))
            }
        });
        if word.starts_with('-') && !allowed {
            return Err(HistoryError(format!(
                "`{word}` is not allowed in --history=RANGE (revisions, ranges such as \
                 main..HEAD, and {} only)",
                RANGE_OPTIONS.join(" ")
            )));
        }
        revs.push(word.to_string());
    }
    Ok(revs)
}

/// The revisions a pre-push hook must scan: exactly the commits being
/// pushed. Read from pre-commit's environment (`PRE_COMMIT_FROM_REF` and
/// `PRE_COMMIT_TO_REF`; `PRE_COMMIT_LOCAL_BRANCH` and
/// `PRE_COMMIT_REMOTE_NAME` when a new branch reaches a root commit), or
/// else from the lines git gives a pre-push hook on standard input
/// (`<local ref> <local id> <remote ref> <remote id>`). `None`: nothing is
/// being pushed.
pub fn pre_push_revisions(
    env: impl Fn(&str) -> Option<String>,
    stdin: Option<&str>,
    repo: &Path,
) -> Result<Option<Vec<String>>, HistoryError> {
    if let (Some(from), Some(to)) = (env("PRE_COMMIT_FROM_REF"), env("PRE_COMMIT_TO_REF")) {
        return Ok(Some(vec![format!("{from}..{to}")]));
    }
    if let Some(local) = env("PRE_COMMIT_LOCAL_BRANCH") {
        let remote = env("PRE_COMMIT_REMOTE_NAME").unwrap_or_default();
        return Ok(Some(vec![
            local,
            "--not".into(),
            if remote.is_empty() {
                "--remotes".into()
            } else {
                format!("--remotes={remote}")
            },
        ]));
    }
    let mut pushed = Vec::new();
    let mut known = Vec::new();
    for line in stdin.unwrap_or("").lines() {
        let parts: Vec<&str> = line.split_whitespace().collect();
        let [_, local, _, remote] = parts[..] else {
            continue;
        };
        if is_zero(local) {
            continue; // a deletion pushes no content
        }
        pushed.push(local.to_string());
        if !is_zero(remote) && object_exists(repo, remote) {
            known.push(format!("^{remote}"));
        }
    }
    if pushed.is_empty() {
        return Ok(None);
    }
    // Commits already on any remote-tracking ref are published already.
    pushed.extend(known);
    pushed.extend(["--not".to_string(), "--remotes".to_string()]);
    Ok(Some(pushed))
}

fn is_zero(id: &str) -> bool {
    id.bytes().all(|b| b == b'0')
}

fn object_exists(repo: &Path, id: &str) -> bool {
    git(repo)
        .args(["cat-file", "-e", &format!("{id}^{{commit}}")])
        .env("GIT_NO_LAZY_FETCH", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `git` for reading the object database: bounded pack windows and delta
/// cache, so each process's resident memory stays small however large the
/// packs are (git maps up to 8 GiB of pack by default).
fn git_objects(dir: &Path, cache: DeltaCache) -> Command {
    let mut c = git(dir);
    let mib = match cache {
        DeltaCache::Blobs { readers } => (BLOB_DELTA_CACHE_MIB / readers.max(1)).max(16),
        DeltaCache::Trees => 8,
    };
    // Small windows: git log reads trees from all over the packs, and with
    // 16 MiB windows under a 64 MiB limit it unmapped and mapped them
    // again and again (docker/cli: 0.35 CPU-seconds of page faults in
    // `git log` alone, 0.09 with 1 MiB windows under 32 MiB; `git
    // cat-file` 0.29 and 0.21). Under 16 MiB, moby/moby's `git log`
    // held 11 MB less but took 10% more CPU, and it is the longest
    // process of a scan there.
    c.args([
        "-c",
        "core.packedGitWindowSize=1m",
        "-c",
        "core.packedGitLimit=32m",
        "-c",
        &format!("core.deltaBaseCacheLimit={mib}m"),
    ]);
    c
}

/// How much inflated delta bases a git process keeps (git's default is
/// 96 MiB). Measured on docker/cli: inflating every blob once in one
/// process costs 3.3 CPU-seconds with 48 MiB, 3.5 with 32 and 4.1 with 16;
/// `git log --raw` costs the same with 8 MiB as with 48 and then holds 22
/// MiB instead of 65.
#[derive(Clone, Copy)]
enum DeltaCache {
    /// A blob reader, one of `readers` sharing [`BLOB_DELTA_CACHE_MIB`].
    Blobs {
        readers: usize,
    },
    Trees,
}

/// The delta cache the blob readers of one scan share. Read in-process
/// (input/packs.rs), docker/cli: 7.4-7.5 CPU-seconds and 118 MB peak RSS
/// with 16 MiB, 7.3-7.5 and 131-135 MB with 24, 7.2-7.4 and 141-145 MB
/// with 32, 7.1-7.2 and 162-167 MB with 48 (load 3.5-4.5). 32, because on
/// moby/moby (91k commits, 335 MiB of packs) 48 peaked at 248-274 MB of
/// PSS for the whole scan, mostly over the 256 MB bound, and 32 peaks at
/// 229-246, about 6% slower.
const BLOB_DELTA_CACHE_MIB: usize = 32;

/// The repository a history scan reads.
struct Repo {
    /// Where git runs.
    dir: PathBuf,
    /// What reported paths are relative to: the work tree's top, or the
    /// git directory of a bare repository.
    top: PathBuf,
    /// Commits at the boundary of a shallow clone.
    shallow: HashSet<String>,
}

fn output(cmd: &mut Command, what: &str) -> Result<String, HistoryError> {
    let out = cmd
        .env("GIT_NO_LAZY_FETCH", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| HistoryError(format!("cannot run git ({what}): {e}")))?;
    if !out.status.success() {
        return Err(HistoryError(format!(
            "git {what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn open(path: &Path) -> Result<Repo, HistoryError> {
    let dir = if path.is_file() {
        path.parent().unwrap_or(Path::new(".")).to_path_buf()
    } else {
        path.to_path_buf()
    };
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let info = output(
        git(&dir).args([
            "rev-parse",
            "--is-bare-repository",
            "--is-shallow-repository",
            "--absolute-git-dir",
            "--git-path",
            "shallow",
        ]),
        "rev-parse",
    )
    .map_err(|e| HistoryError(format!("--history needs a git repository: {e}")))?;
    let lines: Vec<&str> = info.lines().collect();
    let [bare, shallow, git_dir, shallow_file] = lines[..] else {
        return Err(HistoryError(format!(
            "unexpected git rev-parse output: {info}"
        )));
    };
    let top = if bare == "true" {
        PathBuf::from(git_dir)
    } else {
        let out = output(
            git(&dir).args(["rev-parse", "--show-toplevel"]),
            "rev-parse",
        )?;
        PathBuf::from(out.trim_end_matches(['\n', '\r']))
    };
    let shallow = if shallow == "true" {
        std::fs::read_to_string(dir.join(shallow_file))
            .unwrap_or_default()
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    } else {
        HashSet::new()
    };
    Ok(Repo { dir, top, shallow })
}

/// A commit as `git log` describes it.
struct Commit {
    id: Box<str>,
    first_parent: Option<Key>,
    /// Author time.
    time: i64,
    /// Committer time: of two commits with the same author time (a commit
    /// and its cherry-pick or rebase), the one committed first introduced
    /// the content.
    committed: i64,
    date: Box<str>,
    /// Index in [`Listing::authors`]: a history has far fewer authors
    /// than commits.
    author: u32,
}

/// What `git log` listed: commits (children before parents, unless commit
/// dates go back in time), and for each
/// the blobs it introduced at each path (`NONE`: deleted there).
#[derive(Default)]
struct Listing {
    commits: Vec<Commit>,
    authors: Vec<String>,
    author_ids: foldhash::HashMap<String, u32>,
    paths: Vec<Vec<u8>>,
    /// Hashed with foldhash, seeded per process: the listing looks up a
    /// path per changed file per commit (SipHash was 40% of parsing it,
    /// docker/cli).
    path_ids: foldhash::HashMap<Vec<u8>, u32>,
    /// The blob ids in index order, as hex, `id_len` characters each:
    /// one allocation instead of one per blob (131k blobs on docker/cli).
    blob_hex: String,
    id_len: usize,
    blob_ids: foldhash::HashMap<Key, u32>,
    /// (commit, path, blob)
    entries: Vec<(u32, u32, u32)>,
    /// By blob: the path it was requested for (the first one not
    /// excluded), `NONE` until then.
    first_path: Vec<u32>,
    submodules: HashSet<u32>,
}

impl Listing {
    fn path(&mut self, p: &[u8]) -> u32 {
        if let Some(&i) = self.path_ids.get(p) {
            return i;
        }
        let i = self.paths.len() as u32;
        self.paths.push(p.to_vec());
        self.path_ids.insert(p.to_vec(), i);
        i
    }

    /// The blob's index; `None` for an id that is not hex of the
    /// repository's id length.
    fn blob(&mut self, id: &str) -> Option<u32> {
        let k = key(id)?;
        if self.id_len == 0 {
            self.id_len = id.len();
        }
        if id.len() != self.id_len {
            return None;
        }
        if let Some(&i) = self.blob_ids.get(&k) {
            return Some(i);
        }
        let i = self.blob_ids.len() as u32;
        self.blob_hex.push_str(id);
        self.blob_ids.insert(k, i);
        self.first_path.push(NONE);
        Some(i)
    }

    /// The id of blob `b`, as hex.
    fn blob_id(&self, b: u32) -> &str {
        let start = b as usize * self.id_len;
        // Ids are ASCII hex.
        self.blob_hex
            .get(start..start + self.id_len)
            .unwrap_or_default()
    }

    /// The index of the blob with this id, if listed.
    fn blob_index(&self, id: &str) -> Option<u32> {
        self.blob_ids.get(&key(id)?).copied()
    }

    fn display(&self, path: u32) -> String {
        String::from_utf8_lossy(&self.paths[path as usize]).into_owned()
    }
}

/// An object id as a map key: its first 20 bytes (all of a SHA-1 id, 160
/// bits of a SHA-256 one), without an allocation per id.
type Key = [u8; 20];

fn key(hex: &str) -> Option<Key> {
    let hex = hex.as_bytes();
    if hex.len() < 40 || !hex.len().is_multiple_of(2) || !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    };
    let mut k = [0u8; 20];
    for (i, byte) in k.iter_mut().enumerate() {
        *byte = digit(hex[2 * i]) << 4 | digit(hex[2 * i + 1]);
    }
    Some(k)
}

/// Per-path exclusion, cached: the same paths recur in every commit.
struct Excluded<'a> {
    excludes: Option<&'a Excludes>,
    top: &'a Path,
    cache: Vec<u8>,
}

impl Excluded<'_> {
    fn check(&mut self, listing: &Listing, path: u32) -> bool {
        let Some(x) = self.excludes else {
            return false;
        };
        let i = path as usize;
        if self.cache.len() <= i {
            self.cache.resize(i + 1, 0);
        }
        if self.cache[i] == 0 {
            let abs = self.top.join(path_from_bytes(&listing.paths[i]));
            self.cache[i] = if x.is_excluded(&abs, false) { 2 } else { 1 };
        }
        self.cache[i] == 2
    }
}

/// A blob to read and scan: its index and id, and the path it is scanned
/// at (the first one the listing gave it that is not excluded), as an
/// index and as displayed.
struct Want {
    blob: u32,
    id: Box<str>,
    path: u32,
    display: Box<str>,
}

/// A blob read for scanning, and its content.
type ReadBlob = (Want, Vec<u8>);

/// A blob with raw findings, placed (see [`locate_noting`]) where it was
/// scanned while its content was at hand. Placing them needs the content;
/// keeping it would hold every blob with a raw finding in memory until the
/// end (234 MB of 1,424 blobs on docker/cli), and reading them all again
/// at the end took a serial 0.6 s there. Only the blobs that also appear at
/// other paths are read again, to place them there.
struct Located {
    /// The path the blob was scanned at.
    path: u32,
    /// Its findings placed at `path`.
    findings: Vec<Finding>,
    /// Fingerprints (at `path`) of the findings inline markers suppressed.
    inline: Vec<String>,
    /// The raw findings, for other paths.
    raw: Vec<RawFinding>,
}

/// Blobs with raw findings.
type Found = HashMap<u32, Located>;

/// Bytes of blobs read and not yet scanned, at most (unless one blob is
/// larger): blobs go up to `--max-file-size`.
const BLOBS_IN_FLIGHT: u64 = 32 << 20;

/// The bytes of blobs read and not yet scanned: readers wait for room,
/// scanners give it back when done with a blob.
struct Budget {
    state: Mutex<BudgetState>,
    freed: Condvar,
    limit: u64,
}

#[derive(Default)]
struct BudgetState {
    used: u64,
    /// Readers waiting for room.
    waiting: usize,
}

impl Budget {
    fn new(limit: u64) -> Budget {
        Budget {
            state: Mutex::default(),
            freed: Condvar::new(),
            limit,
        }
    }

    /// Takes `n` bytes, waiting while others are in flight and `n` does
    /// not fit beside them.
    fn take(&self, n: u64) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while s.used > 0 && s.used + n > self.limit {
            s.waiting += 1;
            s = self.freed.wait(s).unwrap_or_else(|e| e.into_inner());
            s.waiting -= 1;
        }
        s.used += n;
    }

    fn give(&self, n: u64) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.used = s.used.saturating_sub(n);
        let wake = s.waiting > 0;
        drop(s);
        if wake {
            self.freed.notify_all();
        }
    }
}

/// Bytes of the [`Budget`] a scanner holds, given back when dropped (also
/// if the scan panicked).
struct Taken<'a>(&'a Budget, u64);

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        self.0.give(self.1);
    }
}

/// What the blob readers produced.
#[derive(Default)]
struct Scanned {
    /// Blobs with raw findings.
    found: Mutex<Found>,
    too_large: Mutex<Vec<(u32, u64)>>,
    missing: AtomicU64,
    /// Blobs git stopped on (damaged objects).
    damaged: AtomicU64,
    failure: Mutex<Option<String>>,
}

/// What the command line asks for.
pub enum Request<'a> {
    /// `--history` (empty) or `--history=RANGE`.
    Range(&'a str),
    /// `--pre-push`.
    PrePush,
}

/// Runs a history scan for the command line: parses the range, or finds
/// the pushed commits.
pub fn scan_request(
    request: Request<'_>,
    path: &Path,
    excludes: Option<&Excludes>,
    threads: usize,
    settings: &Settings,
    sink: &Sink,
) -> Result<PathBuf, HistoryError> {
    let revs = match request {
        Request::Range(range) => parse_range(range)?,
        Request::PrePush => {
            let repo = open(path)?;
            let mut input = None;
            let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
            if env("PRE_COMMIT_TO_REF").is_none() && env("PRE_COMMIT_LOCAL_BRANCH").is_none() {
                use std::io::IsTerminal;
                if !std::io::stdin().is_terminal() {
                    let mut s = String::new();
                    let _ = std::io::stdin().read_to_string(&mut s);
                    input = Some(s);
                }
            }
            match pre_push_revisions(env, input.as_deref(), &repo.dir)? {
                Some(revs) => revs,
                None => {
                    sink.note(NOTICE_PATH, "nothing to push: no commits were scanned");
                    return Ok(repo.top);
                }
            }
        }
    };
    scan(path, &revs, excludes, threads, settings, sink)
}

/// Scans the history of the repository holding `path`: everything when
/// `revs` is empty, else the commits `git log <revs>` lists. Returns the
/// directory reported paths are relative to.
pub fn scan(
    path: &Path,
    revs: &[String],
    excludes: Option<&Excludes>,
    threads: usize,
    settings: &Settings,
    sink: &Sink,
) -> Result<PathBuf, HistoryError> {
    let repo = open(path)?;
    let mut excluded = Excluded {
        excludes,
        top: &repo.top,
        cache: Vec::new(),
    };
    let scanned = Scanned::default();
    // Two blob readers (one per three scanner threads on larger
    // machines), sharing a 32 MiB delta-base cache. When they were `git
    // cat-file` processes, one made the scanners of 2 cores wait (8.2-8.7
    // s on docker/cli against 7.3-7.8 s with two). Reading in-process,
    // docker/cli on 2 cores: 3.7-3.9 s with one reader, 3.4 s with two or
    // three, the same CPU time; each reader adds its cache and buffers
    // (peak RSS 155-158, 162-163, 172-176 MB), hence two. The scanner
    // threads are fed through a channel, so a reader never waits for a
    // scan. Each path's versions go to one reader, so a delta chain
    // (versions of one file, mostly) is inflated in one reader's cache
    // rather than in all of them.
    let readers = match threads.max(1) {
        1 => 1,
        n => n.div_ceil(3).max(2),
    };
    let budget = Budget::new(BLOBS_IN_FLIGHT);
    let packs = Packs::open(&repo.dir);
    let listing = std::thread::scope(|s| -> Result<Listing, HistoryError> {
        let mut txs = Vec::with_capacity(readers);
        // Up to 8 blobs per scanner thread waiting, and at most
        // BLOBS_IN_FLIGHT bytes read and not scanned yet: with 2 per
        // thread, the readers stopped whenever the scanners met a larger
        // blob, and the scanners waited again after it (docker/cli: 107k
        // context switches and 10.4-10.6 CPU-s, against 50-59k and
        // 10.2-10.3 with 8, the same peak memory).
        let (btx, brx) = bounded::<ReadBlob>(threads.max(1) * 8);
        let budget = &budget;
        let mut handles = Vec::new();
        for _ in 0..readers {
            // Room for 4,096 blobs per reader (about 600 KB): each path
            // has one reader, so a reader slowed by a long run of deltas
            // (versions of one large file) would otherwise stop the
            // listing, and with it the other reader, until it caught up.
            let (tx, rx) = bounded::<Vec<Want>>(64);
            txs.push(tx);
            let btx = btx.clone();
            let scanned = &scanned;
            let dir = &repo.dir;
            let packs = packs.as_ref();
            handles.push(s.spawn(move || {
                read_blobs(dir, readers, packs, rx, btx, budget, settings, scanned)
            }));
        }
        drop(btx);
        for _ in 0..threads.max(1) {
            let brx = brx.clone();
            let scanned = &scanned;
            handles.push(s.spawn(move || {
                let mut fingerprints = Fingerprints::default();
                for (want, bytes) in brx {
                    let _taken = Taken(budget, bytes.len() as u64);
                    let name = format!("blob {}", short(&want.id));
                    guarded(&name, sink, || {
                        if let Some((text, raw)) = scan_counted(&bytes, sink) {
                            let located =
                                locate_scanned(&want, &text, raw, settings, &mut fingerprints);
                            scanned
                                .found
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .insert(want.blob, located);
                        }
                    });
                }
            }));
        }
        drop(brx);
        let listed = list(&repo, revs, readers, &mut excluded, |reader, chunk| {
            // Readers never stop receiving, so this only fails if one
            // panicked.
            let _ = txs[reader].send(chunk);
        });
        drop(txs);
        for h in handles {
            if h.join().is_err() {
                return Err(HistoryError("a history reader thread panicked".into()));
            }
        }
        listed
    })?;
    if let Some(e) = scanned
        .failure
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
    {
        return Err(HistoryError(e));
    }
    report_skips(&repo, &listing, &scanned, settings, sink);
    let found = scanned
        .found
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    if !found.is_empty() {
        let findings = attribute(&repo, &listing, found, &mut excluded, settings, sink)?;
        sink.add_findings(findings);
    }
    Ok(repo.top)
}

/// Runs `git log` and parses its listing, handing chunks of new blobs to
/// `request` (with the reader, of `readers`, they go to) as they appear.
fn list(
    repo: &Repo,
    revs: &[String],
    readers: usize,
    excluded: &mut Excluded<'_>,
    mut request: impl FnMut(usize, Vec<Want>),
) -> Result<Listing, HistoryError> {
    let mut cmd = git_objects(&repo.dir, DeltaCache::Trees);
    cmd.args([
        "-c",
        "log.showSignature=false",
        "log",
        "--raw",
        "-z",
        // Whatever log.showRoot and diff.relative say: root commits list
        // their whole tree, and paths are relative to the top.
        "--root",
        "--no-relative",
        "--no-abbrev",
        "--no-renames",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--no-mailmap",
        "--diff-merges=first-parent",
        "--format=%x01%H%x00%P%x00%at %ct%x00%aI%x00%an <%ae>%x00",
    ]);
    if revs.is_empty() {
        cmd.arg("--all");
        // `--all` holds the newest stash entry; older ones live only in
        // the stash's reflog.
        cmd.args(older_stashes(repo));
    } else {
        cmd.args(revs);
    }
    cmd.arg("--");
    let mut child = cmd
        .env("GIT_NO_LAZY_FETCH", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| HistoryError(format!("cannot run git log: {e}")))?;
    let stdout = child.stdout.take().expect("stdout is piped");
    super::catfile::widen(&stdout);
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let errors = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let mut listing = Listing::default();
    let parsed = parse_log(
        BufReader::with_capacity(256 << 10, stdout),
        &mut listing,
        readers,
        excluded,
        &mut request,
    );
    let status = child.wait();
    let errors = errors.join().unwrap_or_default();
    parsed.map_err(|e| HistoryError(format!("reading git log: {e}")))?;
    match status {
        Ok(s) if s.success() => Ok(listing),
        _ => {
            let msg = String::from_utf8_lossy(&errors).trim().to_string();
            let mut text = format!("git log {} failed: {msg}", revs.join(" "));
            if !repo.shallow.is_empty() {
                text.push_str(
                    "\nthis is a shallow clone: fetch the history the range needs \
                     (git fetch --unshallow, or fetch-depth: 0 in actions/checkout)",
                );
            }
            Err(HistoryError(text))
        }
    }
}

fn older_stashes(repo: &Repo) -> Vec<String> {
    let mut cmd = git(&repo.dir);
    cmd.args(["log", "-g", "--format=%H", "refs/stash", "--"]);
    match output(&mut cmd, "log -g refs/stash") {
        Ok(out) => out.lines().skip(1).map(str::to_string).collect(),
        Err(_) => Vec::new(), // no stash
    }
}

fn parse_log(
    mut r: impl BufRead,
    listing: &mut Listing,
    readers: usize,
    excluded: &mut Excluded<'_>,
    request: &mut impl FnMut(usize, Vec<Want>),
) -> std::io::Result<()> {
    let mut tok = Vec::new();
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
    let readers = readers.max(1);
    let mut chunks: Vec<Vec<Want>> = (0..readers).map(|_| Vec::with_capacity(CHUNK)).collect();
    let mut commit = NONE;
    let mut meta = Vec::new();
    while next(&mut r, &mut tok)? {
        let t = trim_newlines(&tok);
        if t.is_empty() {
            continue;
        }
        if t[0] == 1 {
            let id = String::from_utf8_lossy(&t[1..]).into();
            let mut field = || -> std::io::Result<String> {
                if !next(&mut r, &mut tok)? {
                    return Err(bad("git log output ends inside a commit header"));
                }
                Ok(String::from_utf8_lossy(&tok).into_owned())
            };
            let parents = field()?;
            let times = field()?;
            let mut times = times.split(' ').map(|t| t.parse().unwrap_or(0));
            let time = times.next().unwrap_or(0);
            let committed = times.next().unwrap_or(0);
            let date = field()?;
            let author = field()?;
            commit = listing.commits.len() as u32;
            let author = match listing.author_ids.get(&author) {
                Some(&a) => a,
                None => {
                    let a = listing.authors.len() as u32;
                    listing.authors.push(author.clone());
                    listing.author_ids.insert(author, a);
                    a
                }
            };
            listing.commits.push(Commit {
                id,
                first_parent: parents.split(' ').next().and_then(key),
                time,
                committed,
                date: date.into(),
                author,
            });
            continue;
        }
        if t[0] != b':' || commit == NONE {
            return Err(bad("unexpected git log output"));
        }
        // :<old mode> <new mode> <old id> <new id> <status>, parsed in
        // place (411k entries on docker/cli): the path token comes next,
        // into `tok`.
        meta.clear();
        meta.extend_from_slice(&t[1..]);
        if !next(&mut r, &mut tok)? {
            return Err(bad("git log output ends after a raw entry"));
        }
        let mut parts = meta.split(|b| *b == b' ');
        let (Some(_), Some(mode), Some(_), Some(id), Some(status), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(bad("unexpected git log raw entry"));
        };
        let Ok(id) = std::str::from_utf8(id) else {
            return Err(bad("unexpected object id in git log output"));
        };
        let path = listing.path(&tok);
        if status.starts_with(b"D") || is_zero(id) {
            listing.entries.push((commit, path, NONE));
            continue;
        }
        match mode {
            // Submodules: their content lives in another repository.
            b"160000" => {
                listing.submodules.insert(path);
                listing.entries.push((commit, path, NONE));
                continue;
            }
            // Symlinks: the blob is the link's target, not followed.
            b"120000" => {
                listing.entries.push((commit, path, NONE));
                continue;
            }
            _ => {}
        }
        let Some(blob) = listing.blob(id) else {
            return Err(bad("unexpected object id in git log output"));
        };
        listing.entries.push((commit, path, blob));
        if listing.first_path[blob as usize] == NONE && !excluded.check(listing, path) {
            listing.first_path[blob as usize] = path;
            let reader = path as usize % readers;
            let chunk = &mut chunks[reader];
            chunk.push(Want {
                blob,
                id: id.into(),
                path,
                display: listing.display(path).into(),
            });
            if chunk.len() == CHUNK {
                request(reader, std::mem::replace(chunk, Vec::with_capacity(CHUNK)));
            }
        }
    }
    for (reader, chunk) in chunks.into_iter().enumerate() {
        if !chunk.is_empty() {
            request(reader, chunk);
        }
    }
    Ok(())
}

/// Reads the next NUL-terminated token; false at the end.
fn next(r: &mut impl BufRead, tok: &mut Vec<u8>) -> std::io::Result<bool> {
    tok.clear();
    r.read_until(0, tok)?;
    if tok.last() == Some(&0) {
        tok.pop();
        Ok(true)
    } else {
        Ok(!tok.is_empty())
    }
}

fn trim_newlines(t: &[u8]) -> &[u8] {
    let start = t.iter().position(|b| *b != b'\n').unwrap_or(t.len());
    &t[start..]
}

/// One blob reader: reads from the pack files in-process, and asks a `git
/// cat-file --batch` (started when first needed) for what they do not
/// give; the blobs go to the scanner threads through `blobs`.
#[allow(clippy::too_many_arguments)]
fn read_blobs(
    dir: &Path,
    readers: usize,
    packs: Option<&Packs>,
    rx: crossbeam_channel::Receiver<Vec<Want>>,
    blobs: crossbeam_channel::Sender<ReadBlob>,
    budget: &Budget,
    settings: &Settings,
    scanned: &Scanned,
) {
    let fail = |msg: String| {
        let mut f = scanned.failure.lock().unwrap_or_else(|e| e.into_inner());
        f.get_or_insert(msg);
    };
    let max = settings.max_file_size;
    let send = |want: Want, got: Got| match got {
        Got::Bytes(bytes) => {
            budget.take(bytes.len() as u64);
            // Scanners never stop receiving while readers run.
            let _ = blobs.send((want, bytes));
        }
        Got::TooLarge(size) => scanned
            .too_large
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((want.blob, size)),
    };
    let mut reader = packs.map(|p| p.reader((BLOB_DELTA_CACHE_MIB / readers.max(1)) << 20));
    let mut git: Option<Fallback> = None;
    let mut failed = false;
    let mut stops = 0;
    for chunk in rx {
        if failed {
            continue; // keep the listing flowing
        }
        let mut rest = Vec::new();
        for want in chunk {
            let id = (want.id.len() == 40).then(|| key(&want.id)).flatten();
            match (reader.as_mut(), id) {
                (Some(r), Some(id)) => match r.blob(&id, max) {
                    Ok(got) => send(want, got),
                    Err(NotHere) => rest.push(want),
                },
                _ => rest.push(want),
            }
        }
        if rest.is_empty() {
            continue;
        }
        // A damaged object makes git stop in the middle of the chunk (and
        // every object whose delta chain goes through it will too): that
        // object is counted as unreadable, and a new git reads the rest.
        // Past MAX_STOPS such stops, the scan fails instead.
        let mut rest: std::collections::VecDeque<Want> = rest.into();
        while !rest.is_empty() && !failed {
            let cat = match &mut git {
                Some(cat) => cat,
                None => match CatFile::spawn(git_objects(dir, DeltaCache::Blobs { readers })) {
                    Ok((cat, stdin)) => git.insert(Fallback {
                        cat,
                        stdin: BufWriter::new(stdin),
                    }),
                    Err(e) => {
                        fail(format!("cannot run git cat-file: {e}"));
                        failed = true;
                        break;
                    }
                },
            };
            // At most CHUNK ids (a few KiB) are written before the answers
            // are read: they fit in the pipe, so git never waits for us to
            // read while we wait for it to read. A write fails when git
            // has stopped; its answers so far are still read.
            for want in &rest {
                if writeln!(cat.stdin, "{}", want.id).is_err() {
                    break;
                }
            }
            let _ = cat.stdin.flush();
            while let Some(want) = rest.pop_front() {
                match cat.cat.read(&want.id, max) {
                    Ok(Blob::Bytes(bytes)) => send(want, Got::Bytes(bytes)),
                    Ok(Blob::TooLarge(size)) => send(want, Got::TooLarge(size)),
                    Ok(Blob::Missing(_)) => {
                        scanned.missing.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        scanned.damaged.fetch_add(1, Ordering::Relaxed);
                        cat.cat.kill();
                        git = None;
                        stops += 1;
                        if stops > MAX_STOPS {
                            fail(format!(
                                "reading git cat-file: {e} (git stopped on {stops} objects)"
                            ));
                            failed = true;
                        }
                        break;
                    }
                }
            }
        }
    }
    if let Some(Fallback { cat, stdin }) = git {
        drop(stdin);
        // Every id asked for was answered (or counted unreadable) above;
        // a git that exits with an error after its last answer (seen with
        // a damaged pack) has nothing more to give.
        let _ = cat.finish();
    }
}

/// How many times a blob reader starts `git cat-file` again after it
/// stopped on a damaged object (each start costs a few milliseconds).
const MAX_STOPS: usize = 256;

/// The `git cat-file` a blob reader asks for what the packs do not give.
struct Fallback {
    cat: CatFile,
    stdin: BufWriter<std::process::ChildStdin>,
}

/// One note for `n` blobs not scanned (each counted as a skipped file):
/// `text` gets "`n` blob(s)" and "was" or "were".
fn note_blobs(sink: &Sink, n: u64, text: impl FnOnce(&str, &str) -> String) {
    if n == 0 {
        return;
    }
    // The note itself counts one.
    sink.files_skipped.fetch_add(n - 1, Ordering::Relaxed);
    let (blobs, were) = if n == 1 {
        ("1 blob".to_string(), "was")
    } else {
        (format!("{n} blobs"), "were")
    };
    sink.note(NOTICE_PATH, text(&blobs, were));
}

/// Notes for blobs not scanned, submodules and a shallow boundary.
fn report_skips(
    repo: &Repo,
    listing: &Listing,
    scanned: &Scanned,
    settings: &Settings,
    sink: &Sink,
) {
    let mut large =
        std::mem::take(&mut *scanned.too_large.lock().unwrap_or_else(|e| e.into_inner()));
    large.sort_unstable();
    for (blob, size) in large {
        let path = listing.first_path[blob as usize];
        sink.note(
            &listing.display(path),
            format!(
                "skipped blob {}: {size} bytes is larger than --max-file-size ({} bytes)",
                short(listing.blob_id(blob)),
                settings.max_file_size
            ),
        );
    }
    note_blobs(
        sink,
        scanned.missing.load(Ordering::Relaxed),
        |blobs, were| {
            format!(
                "{blobs} missing from this clone (a partial clone?) {were} not scanned; \
             fetch them for a complete scan (a clone without --filter)"
            )
        },
    );
    note_blobs(
        sink,
        scanned.damaged.load(Ordering::Relaxed),
        |blobs, were| {
            format!(
                "{blobs} could not be read (git stopped on {}: a damaged repository? \
             `git fsck` tells which) and {were} not scanned",
                if were == "was" { "it" } else { "them" }
            )
        },
    );
    let mut subs: Vec<String> = listing
        .submodules
        .iter()
        .map(|p| listing.display(*p))
        .collect();
    subs.sort();
    for s in subs {
        sink.note(&s, "skipped: a submodule (scan its own repository)");
    }
    let mut cut: Vec<&str> = listing
        .commits
        .iter()
        .filter(|c| repo.shallow.contains(&*c.id))
        .map(|c| &*c.id)
        .collect();
    if !cut.is_empty() {
        cut.sort_unstable();
        sink.error(
            NOTICE_PATH,
            format!(
                "this is a shallow clone and the scan reached its boundary at {} commit{} \
                 ({}): older history was not scanned, and content at the boundary is \
                 attributed to it; fetch the full history (git fetch --unshallow, or \
                 fetch-depth: 0 in actions/checkout, GIT_DEPTH: 0 in GitLab CI)",
                cut.len(),
                if cut.len() == 1 { "" } else { "s" },
                cut.iter()
                    .take(3)
                    .map(|c| short(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
}

/// The first 12 characters of an object id (ids are ASCII hex).
pub fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// Fingerprints already derived, by rule, path and secret. The versions
/// of a file carry the same credential at the same path, and the default
/// fingerprint scheme is slow on purpose (PBKDF2): on docker/cli, deriving
/// each again took 0.2 CPU-seconds.
#[derive(Default)]
struct Fingerprints(HashMap<String, String>);

impl Fingerprints {
    fn get(&mut self, rule: Rule, path: &str, secret: &Secret) -> String {
        let key = format!("{}\0{path}\0{}", rule.id(), secret.expose());
        self.0
            .entry(key)
            .or_insert_with(|| fingerprint(rule, path, secret))
            .clone()
    }
}

/// Places a scanned blob's raw findings at the path it was scanned at.
fn locate_scanned(
    want: &Want,
    text: &[u8],
    raw: Vec<RawFinding>,
    settings: &Settings,
    fingerprints: &mut Fingerprints,
) -> Located {
    let mut inline = Vec::new();
    let findings = locate_memo(
        &want.display,
        text,
        raw.clone(),
        settings,
        fingerprints,
        &mut inline,
    );
    Located {
        path: want.path,
        findings,
        inline,
        raw,
    }
}

/// Places raw findings at `path`, with fingerprints from `fingerprints`;
/// the fingerprints of those inline markers suppressed go to `inline`.
fn locate_memo(
    path: &str,
    text: &[u8],
    raw: Vec<RawFinding>,
    settings: &Settings,
    fingerprints: &mut Fingerprints,
    inline: &mut Vec<String>,
) -> Vec<Finding> {
    let fingerprints = std::cell::RefCell::new(fingerprints);
    locate_fingerprinted(
        path,
        text,
        Base::default(),
        raw,
        settings,
        &mut |r: &RawFinding| {
            inline.push(fingerprints.borrow_mut().get(r.rule, path, &r.secret));
        },
        &mut |rule, path, secret| fingerprints.borrow_mut().get(rule, path, secret),
    )
}

/// One finding per credential per path, and what it is attributed to.
struct Group {
    finding: Finding,
    /// (author time, committer time, later in the listing first): smaller
    /// is earlier.
    rank: (i64, i64, std::cmp::Reverse<u32>),
    commit: u32,
    path: u32,
    blob: u32,
    /// Blobs holding this credential at this path.
    blobs: HashSet<u32>,
}

fn attribute(
    repo: &Repo,
    listing: &Listing,
    mut found: Found,
    excluded: &mut Excluded<'_>,
    settings: &Settings,
    sink: &Sink,
) -> Result<Vec<Finding>, HistoryError> {
    // Credentials inline markers suppressed, each counted once per path
    // however many versions of the file carry it (as findings are).
    let mut inline: HashSet<String> = HashSet::new();
    // Where (and by which commits) each blob with findings was introduced.
    let mut at: HashMap<(u32, u32), u32> = HashMap::new(); // (blob, path) -> earliest commit
    let rank = |c: u32| {
        let commit = &listing.commits[c as usize];
        (commit.time, commit.committed, std::cmp::Reverse(c))
    };
    for &(c, p, b) in &listing.entries {
        if b == NONE || !found.contains_key(&b) {
            continue;
        }
        at.entry((b, p))
            .and_modify(|best| {
                if rank(c) < rank(*best) {
                    *best = c;
                }
            })
            .or_insert(c);
    }
    let mut groups: HashMap<String, Group> = HashMap::new();
    let mut places: Vec<_> = at
        .into_iter()
        .filter(|&((_, p), _)| !excluded.check(listing, p))
        .collect();
    places.sort_unstable();
    let mut place = |f: Finding, c: u32, p: u32, b: u32| {
        let r = rank(c);
        match groups.get_mut(&f.fingerprint) {
            Some(g) => {
                g.blobs.insert(b);
                if (r, f.byte_start) < (g.rank, g.finding.byte_start) {
                    g.rank = r;
                    g.commit = c;
                    g.blob = b;
                    g.finding = f;
                }
            }
            None => {
                groups.insert(
                    f.fingerprint.clone(),
                    Group {
                        rank: r,
                        commit: c,
                        path: p,
                        blob: b,
                        blobs: HashSet::from([b]),
                        finding: f,
                    },
                );
            }
        }
    };
    // Each blob at the path it was scanned at was placed then; the places
    // left need its content again.
    let mut again = Vec::new();
    for ((b, p), c) in places {
        let Some(located) = found.get_mut(&b).filter(|l| l.path == p) else {
            again.push(((b, p), c));
            continue;
        };
        inline.extend(located.inline.drain(..));
        for f in std::mem::take(&mut located.findings) {
            place(f, c, p, b);
        }
    }
    if !again.is_empty() {
        let mut wanted: Vec<u32> = again.iter().map(|&((b, _), _)| b).collect();
        wanted.dedup();
        let mut texts = ReadAgain::start(repo, listing, wanted, settings)?;
        let mut fingerprints = Fingerprints::default();
        let mut suppressed = Vec::new();
        for ((b, p), c) in again {
            let bytes = texts.get(b)?;
            let path = listing.display(p);
            let raw = found[&b].raw.clone();
            for f in locate_memo(
                &path,
                bytes,
                raw,
                settings,
                &mut fingerprints,
                &mut suppressed,
            ) {
                place(f, c, p, b);
            }
            inline.extend(suppressed.drain(..));
        }
        texts.finish()?;
    }
    sink.suppressed_inline(inline.len());
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    // Paths per credential.
    let mut spread: HashMap<(&'static str, &str), HashSet<u32>> = HashMap::new();
    for g in groups.values() {
        spread
            .entry((g.finding.rule.id(), g.finding.secret.expose()))
            .or_default()
            .insert(g.path);
    }
    let paths_count: HashMap<String, usize> = groups
        .iter()
        .map(|(k, g)| {
            let n = spread[&(g.finding.rule.id(), g.finding.secret.expose())].len();
            (k.clone(), n)
        })
        .collect();
    let counts = commit_counts(listing, &groups);
    let head = head_blobs(repo, listing, &groups);
    let mut out = Vec::with_capacity(groups.len());
    for (key, g) in groups {
        let c = &listing.commits[g.commit as usize];
        let in_head = head
            .get(&g.path)
            .and_then(|id| listing.blob_index(id))
            .is_some_and(|b| g.blobs.contains(&b));
        let mut f = g.finding;
        f.origin = Some(Box::new(Origin {
            commit: c.id.to_string(),
            author: listing.authors[c.author as usize].clone(),
            date: c.date.to_string(),
            blob: listing.blob_id(g.blob).to_string(),
            commits: counts.get(&key).copied().unwrap_or(1),
            paths: paths_count[&key],
            in_head,
        }));
        out.push(f);
    }
    Ok(out)
}

/// Blobs with raw findings that also appeared at paths other than the one
/// they were scanned at, read again (in the order asked) from one
/// `git cat-file --batch` to place their findings there, one at a time.
struct ReadAgain {
    cat: CatFile,
    writer: Option<std::thread::JoinHandle<()>>,
    ids: std::vec::IntoIter<(u32, Box<str>)>,
    max: u64,
    /// The blob read last and its scanned text.
    current: Option<(u32, Vec<u8>)>,
}

impl ReadAgain {
    fn start(
        repo: &Repo,
        listing: &Listing,
        blobs: Vec<u32>,
        settings: &Settings,
    ) -> Result<ReadAgain, HistoryError> {
        let (cat, stdin) = CatFile::spawn(git_objects(&repo.dir, DeltaCache::Blobs { readers: 1 }))
            .map_err(|e| HistoryError(format!("cannot run git cat-file: {e}")))?;
        let ids: Vec<(u32, Box<str>)> = blobs
            .iter()
            .map(|&b| (b, listing.blob_id(b).into()))
            .collect();
        let sent: Vec<Box<str>> = ids.iter().map(|(_, id)| id.clone()).collect();
        // Written from another thread: git blocks on a full output pipe
        // until the answers are read.
        let writer = std::thread::spawn(move || {
            let mut stdin = BufWriter::new(stdin);
            for id in sent {
                if writeln!(stdin, "{id}").is_err() {
                    return;
                }
            }
            let _ = stdin.flush();
        });
        Ok(ReadAgain {
            cat,
            writer: Some(writer),
            ids: ids.into_iter(),
            max: settings.max_file_size,
            current: None,
        })
    }

    /// The scanned text of blob `b`, which is the blob read last or the
    /// next one asked for.
    fn get(&mut self, b: u32) -> Result<&[u8], HistoryError> {
        if self.current.as_ref().is_none_or(|(c, _)| *c != b) {
            self.current = None;
            let (id, read) = match self.ids.next() {
                Some((next, id)) if next == b => {
                    let read = self.cat.read(&id, self.max);
                    (id, read)
                }
                _ => (
                    "?".into(),
                    Err(std::io::Error::other("blobs asked for out of order")),
                ),
            };
            let bytes = match read {
                Ok(Blob::Bytes(bytes)) => bytes,
                other => {
                    self.cat.kill();
                    let why = match other {
                        Err(e) => e.to_string(),
                        Ok(Blob::Missing(line)) => line,
                        Ok(_) => "larger than --max-file-size".into(),
                    };
                    return Err(HistoryError(format!(
                        "reading blob {} again: {why}",
                        short(&id)
                    )));
                }
            };
            let text = scanned_text(&bytes).map(|t| t.into_owned());
            self.current = Some((b, text.unwrap_or_default()));
        }
        Ok(self.current.as_ref().map_or(&[], |(_, t)| t.as_slice()))
    }

    fn finish(mut self) -> Result<(), HistoryError> {
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
        self.cat
            .finish()
            .map_err(|e| HistoryError(format!("git cat-file: {e}")))
    }
}

/// For each group, the number of scanned commits whose tree holds one of
/// its blobs at its path: the path's content is followed from first
/// parents to children, each commit taking its own change or else its
/// first parent's content.
fn commit_counts(listing: &Listing, groups: &HashMap<String, Group>) -> HashMap<String, usize> {
    let wanted: HashSet<u32> = groups.values().map(|g| g.path).collect();
    let mut changes: HashMap<u32, Vec<(u32, u32)>> = HashMap::new(); // path -> (commit, blob)
    for &(c, p, b) in &listing.entries {
        if wanted.contains(&p) {
            changes.entry(p).or_default().push((c, b));
        }
    }
    let index: HashMap<Key, u32> = listing
        .commits
        .iter()
        .enumerate()
        .filter_map(|(i, c)| Some((key(&c.id)?, i as u32)))
        .collect();
    let parent: Vec<u32> = listing
        .commits
        .iter()
        .map(|c| {
            c.first_parent
                .and_then(|p| index.get(&p).copied())
                .unwrap_or(NONE)
        })
        .collect();
    // Every first parent before its children. `git log` lists children
    // first (by commit date, without --topo-order, which would make git
    // hold every commit before the first line), except where commit dates
    // go back in time.
    let n = listing.commits.len();
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    let mut chain = Vec::new();
    for start in 0..n {
        let mut c = start as u32;
        while c != NONE && !placed[c as usize] {
            placed[c as usize] = true;
            chain.push(c);
            c = parent[c as usize];
        }
        order.extend(chain.drain(..).rev());
    }
    // Per path (run at the end, serially: vectors over the commits and the
    // blobs instead of a hash lookup per commit and group, 55 -> 32 ms on
    // docker/cli): the path's change in each commit, its content in each,
    // and the number of commits holding each blob there.
    let mut change: Vec<Option<u32>> = vec![None; n];
    let mut state = vec![NONE; n];
    let mut holding = vec![0usize; listing.blob_ids.len()];
    let mut out = HashMap::new();
    for p in wanted {
        let ch = changes.get(&p).map(Vec::as_slice).unwrap_or_default();
        for &(c, b) in ch {
            change[c as usize] = Some(b);
        }
        for &c in &order {
            state[c as usize] = match change[c as usize] {
                Some(b) => b,
                None if parent[c as usize] != NONE => state[parent[c as usize] as usize],
                None => NONE,
            };
        }
        for &(c, _) in ch {
            change[c as usize] = None;
        }
        for &b in &state {
            if b != NONE {
                holding[b as usize] += 1;
            }
        }
        for (key, g) in groups.iter().filter(|(_, g)| g.path == p) {
            let count = g.blobs.iter().map(|&b| holding[b as usize]).sum::<usize>();
            out.insert(key.clone(), count);
        }
        for &b in &state {
            if b != NONE {
                holding[b as usize] = 0;
            }
        }
    }
    out
}

/// The blob ids `HEAD` holds at the groups' paths (none without `HEAD`).
fn head_blobs(
    repo: &Repo,
    listing: &Listing,
    groups: &HashMap<String, Group>,
) -> HashMap<u32, String> {
    let mut out = HashMap::new();
    let Ok(tree) = output(
        git(&repo.dir).args(["ls-tree", "-r", "-z", "--full-tree", "HEAD"]),
        "ls-tree HEAD",
    ) else {
        return out;
    };
    let wanted: HashSet<u32> = groups.values().map(|g| g.path).collect();
    for rec in tree.split('\0') {
        // <mode> SP <type> SP <id> TAB <path>
        let Some((meta, path)) = rec.split_once('\t') else {
            continue;
        };
        let Some(&p) = listing.path_ids.get(path.as_bytes()) else {
            continue;
        };
        if wanted.contains(&p) {
            if let Some(id) = meta.split(' ').nth(2) {
                out.insert(p, id.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_take_revisions_and_commit_limits_only() {
        assert_eq!(parse_range("").unwrap(), Vec::<String>::new());
        assert_eq!(parse_range("main..HEAD").unwrap(), vec!["main..HEAD"]);
        assert_eq!(
            parse_range(" --since=2024-01-01  v2 ^v1 ").unwrap(),
            vec!["--since=2024-01-01", "v2", "^v1"]
        );
        assert_eq!(
            parse_range("--all --not --remotes=origin").unwrap().len(),
            3
        );
        assert!(parse_range("--output=/tmp/x HEAD").is_err());
        assert!(parse_range("-p").is_err());
        assert!(parse_range("--sincere=1").is_err());
    }

    #[test]
    fn pre_push_revisions_from_pre_commit_env_or_git_stdin() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                vars.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let here = Path::new(".");
        let r = pre_push_revisions(
            env(&[("PRE_COMMIT_FROM_REF", "aaa"), ("PRE_COMMIT_TO_REF", "bbb")]),
            None,
            here,
        );
        assert_eq!(r.unwrap(), Some(vec!["aaa..bbb".to_string()]));
        let r = pre_push_revisions(
            env(&[
                ("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/topic"),
                ("PRE_COMMIT_REMOTE_NAME", "origin"),
            ]),
            None,
            here,
        );
        assert_eq!(
            r.unwrap(),
            Some(vec![
                "refs/heads/topic".to_string(),
                "--not".into(),
                "--remotes=origin".into()
            ])
        );
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        // A deletion pushes nothing.
        let lines = format!("(delete) {z} refs/heads/old {a}\n");
        assert_eq!(
            pre_push_revisions(env(&[]), Some(&lines), here).unwrap(),
            None
        );
        // A new branch: everything not on a remote.
        let lines = format!("refs/heads/new {a} refs/heads/new {z}\n");
        assert_eq!(
            pre_push_revisions(env(&[]), Some(&lines), here).unwrap(),
            Some(vec![a.clone(), "--not".into(), "--remotes".into()])
        );
    }

    #[test]
    fn blob_budget_waits_for_room_but_lets_a_larger_blob_through_alone() {
        use std::time::Duration;
        let budget = Budget::new(10);
        // Larger than the limit, nothing else in flight: taken at once.
        budget.take(25);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| {
                budget.take(5);
                let _ = tx.send(());
            });
            assert!(
                rx.recv_timeout(Duration::from_millis(100)).is_err(),
                "waits while 25 bytes are in flight"
            );
            drop(Taken(&budget, 25));
            rx.recv_timeout(Duration::from_secs(10))
                .expect("room once the large blob is scanned");
        });
        assert_eq!(budget.state.lock().unwrap().used, 5);
    }

    #[test]
    fn log_listing_parses_commits_entries_and_odd_paths() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let c1 = "1".repeat(40);
        let c2 = "2".repeat(40);
        let out = format!(
            "\x01{c2}\0{c1}\0200 210\0date2\0Ann <a@x>\0\n\
             :100644 100644 {a} {b} M\0dir/with space\0\
             :100644 000000 {a} {z} D\0gone\0\
             :000000 160000 {z} {a} A\0sub\0\
             \x01{c1}\0\0100 110\0date1\0Bob <b@x>\0\n\
             :000000 100644 {z} {a} A\0dir/with space\0\
             :000000 100644 {z} {a} A\0\nnewline first\0"
        );
        let mut listing = Listing::default();
        let top = PathBuf::from("/repo");
        let mut ex = Excluded {
            excludes: None,
            top: &top,
            cache: Vec::new(),
        };
        let mut requested = Vec::new();
        parse_log(out.as_bytes(), &mut listing, 1, &mut ex, &mut |_, c| {
            requested.extend(c)
        })
        .unwrap();
        assert_eq!(listing.commits.len(), 2);
        assert_eq!(listing.commits[0].first_parent, key(&c1));
        assert_eq!(listing.commits[1].first_parent, None);
        assert_eq!(
            listing.authors[listing.commits[1].author as usize],
            "Bob <b@x>"
        );
        assert_eq!(
            (listing.commits[0].time, listing.commits[0].committed),
            (200, 210)
        );
        let names: Vec<_> = requested.iter().map(|w| w.id.to_string()).collect();
        assert_eq!(names, vec![b.clone(), a.clone()], "each blob once");
        // Each is scanned at the first path it appeared at.
        let at: Vec<_> = requested.iter().map(|w| &*w.display).collect();
        assert_eq!(at, vec!["dir/with space", "dir/with space"]);
        assert_eq!((listing.blob_id(0), listing.blob_id(1)), (&*b, &*a));
        assert_eq!(listing.blob_index(&a.to_uppercase()), Some(1));
        assert_eq!(listing.blob_index(&"c".repeat(40)), None);
        // SHA-256 repositories: 64 hex characters, keyed by the first 40.
        assert_eq!(key(&"ab".repeat(32)), Some([0xab; 20]));
        assert_eq!(key("c1"), None);
        assert_eq!(key(&"g".repeat(40)), None);
        assert_eq!(listing.entries.len(), 5);
        assert!(listing.path_ids.contains_key(b"\nnewline first".as_slice()));
        assert_eq!(listing.submodules.len(), 1);
    }
}
