//! Reading blobs in-process from a repository's pack files, for history
//! scans: the same objects `git cat-file --batch` gives, without copying
//! gigabytes through a pipe and without a process per reader.
//!
//! Only what is common is read here: SHA-1 repositories, version 2 pack
//! indexes and the packs they describe (the repository's own and those of
//! its `objects/info/alternates`), with whole, `OFS_DELTA` and `REF_DELTA`
//! entries. Whatever this cannot give (a loose object, an object in no
//! pack, another index version or object format, a damaged entry) the
//! caller asks `git cat-file` for: git stays the reference for every
//! repository format, and the counting of missing objects is its answer.
//!
//! Memory stays bounded however large the packs: packs and their indexes
//! are mapped, and the pages read are dropped from the mappings
//! (`madvise(MADV_DONTNEED)`; they stay in the page cache) after every
//! `DROP_AFTER` bytes read from a pack, and each reader keeps a
//! delta-base cache of a fixed size.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::{Decompress, FlushDecompress, Status};

/// A SHA-1 object id.
pub type Id = [u8; 20];

/// Bytes of compressed pack data read from one pack between two drops of
/// its mapped pages, which bounds what the pack adds to resident memory
/// (the kernel maps up to 64 KiB around each page read). docker/cli
/// (288 MB pack), peak RSS of the scan with 48 MiB of delta caches:
/// 199 MB dropping after 32 MiB read, 162-167 MB after 8, the same CPU
/// time; with 32 MiB of caches, 141-145 MB after 8 and 136 after 4 (more
/// system time re-reading pages).
const DROP_AFTER: u64 = 8 << 20;

/// Longest delta chain followed (git writes at most 50 by default, 4095
/// at most): a longer one is a damaged pack.
const MAX_CHAIN: usize = 10_000;

/// The least of the bound on any object or delta inflated on the way to
/// a blob (64 times `--max-file-size`); past it git reads the blob.
const MIN_BOUND: u64 = 256 << 20;

/// What one lookup gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Got {
    /// The blob's content.
    Bytes(Vec<u8>),
    /// Larger than the limit: its size, the content not inflated.
    TooLarge(u64),
}

/// The pack files of a repository.
pub struct Packs {
    packs: Vec<Pack>,
}

struct Pack {
    idx: Map,
    data: Map,
    /// Objects in the pack.
    count: usize,
    /// Compressed bytes read since the mapping's pages were last dropped.
    read: AtomicU64,
}

impl Packs {
    /// The packs of the repository git finds from `dir`, or `None` when
    /// there are none this reader can use (then git reads everything).
    pub fn open(dir: &Path) -> Option<Packs> {
        let out = super::staged::git(dir)
            .args(["rev-parse", "--show-object-format", "--git-path", "objects"])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        if lines.next()? != "sha1" {
            return None;
        }
        let objects = dir.join(lines.next()?);
        let packs = Packs::in_dirs(&object_dirs(&objects));
        (!packs.packs.is_empty()).then_some(packs)
    }

    /// The usable packs in `objects/pack` of each object directory.
    fn in_dirs(dirs: &[PathBuf]) -> Packs {
        let mut found = Vec::new();
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir.join("pack")) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "idx") {
                    let modified = entry.metadata().and_then(|m| m.modified()).ok();
                    if let Some(pack) = Pack::open(&path) {
                        found.push((modified, pack));
                    }
                }
            }
        }
        // Newest first, as git looks: recent objects are in recent packs.
        found.sort_by_key(|f| std::cmp::Reverse(f.0));
        Packs {
            packs: found.into_iter().map(|(_, p)| p).collect(),
        }
    }

    /// A reader with its own delta-base cache of `cache` bytes.
    pub fn reader(&self, cache: usize) -> Reader<'_> {
        Reader {
            packs: self,
            cache: BaseCache::new(cache),
            z: Decompress::new(true),
            chain: Vec::new(),
            last: 0,
        }
    }

    /// The pack and offset of object `id`, looking first in pack `first`
    /// (where the previous object was: a repository that was never
    /// repacked may have hundreds of packs).
    fn find(&self, id: &Id, first: usize) -> Option<(usize, u64)> {
        if let Some(o) = self.packs.get(first).and_then(|pack| pack.find(id)) {
            return Some((first, o));
        }
        self.packs
            .iter()
            .enumerate()
            .filter(|(p, _)| *p != first)
            .find_map(|(p, pack)| pack.find(id).map(|o| (p, o)))
    }
}

/// The object directory and those it borrows from
/// (`objects/info/alternates`, followed as deep as git does).
fn object_dirs(objects: &Path) -> Vec<PathBuf> {
    let mut dirs = vec![objects.to_path_buf()];
    let mut i = 0;
    while i < dirs.len() && dirs.len() < 16 {
        let list = std::fs::read_to_string(dirs[i].join("info/alternates")).unwrap_or_default();
        for line in list.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with('"') {
                continue;
            }
            let alt = dirs[i].join(line);
            if !dirs.contains(&alt) {
                dirs.push(alt);
            }
        }
        i += 1;
    }
    dirs
}

impl Pack {
    fn open(idx_path: &Path) -> Option<Pack> {
        let idx = Map::open(idx_path).ok()?;
        let data = Map::open(&idx_path.with_extension("pack")).ok()?;
        let i = idx.bytes();
        // Version 2: magic, version, 256 cumulative counts, then ids,
        // CRCs, 4-byte offsets and 8-byte offsets, and two checksums.
        if i.len() < 8 + 1024 + 40 || i[..8] != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
            return None;
        }
        let count = be32(i, 8 + 255 * 4) as usize;
        if i.len() < 8 + 1024 + count * 28 + 40 {
            return None;
        }
        let d = data.bytes();
        if d.len() < 32
            || &d[..4] != b"PACK"
            || !matches!(be32(d, 4), 2 | 3)
            || be32(d, 8) as usize != count
        {
            return None;
        }
        Some(Pack {
            idx,
            data,
            count,
            read: AtomicU64::new(0),
        })
    }

    fn find(&self, id: &Id) -> Option<u64> {
        let i = self.idx.bytes();
        let first = id[0] as usize;
        let lo = if first == 0 {
            0
        } else {
            be32(i, 8 + (first - 1) * 4) as usize
        };
        let hi = (be32(i, 8 + first * 4) as usize).min(self.count);
        let ids = 8 + 1024;
        let (mut lo, mut hi) = (lo.min(hi), hi);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match i[ids + mid * 20..ids + mid * 20 + 20].cmp(id) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return self.offset(mid),
            }
        }
        None
    }

    fn offset(&self, n: usize) -> Option<u64> {
        let i = self.idx.bytes();
        let small = 8 + 1024 + self.count * 24;
        let o = be32(i, small + n * 4);
        if o & 0x8000_0000 == 0 {
            return Some(o as u64);
        }
        let at = small + self.count * 4 + (o & 0x7fff_ffff) as usize * 8;
        let b = i.get(at..at + 8)?;
        Some(u64::from_be_bytes(b.try_into().ok()?))
    }

    /// Counts `n` more bytes read; drops the mapped pages when enough were.
    fn touched(&self, n: u64) {
        if self.read.fetch_add(n, Ordering::Relaxed) + n >= DROP_AFTER {
            self.read.store(0, Ordering::Relaxed);
            self.data.drop_pages();
            // The index too: lookups touch all of it in the end (13 MB
            // for docker/cli's 476k objects, hundreds of MB for the
            // largest repositories). docker/cli: peak RSS 2-7 MB lower,
            // system time 0.0-0.1 s higher, in the noise.
            self.idx.drop_pages();
        }
    }
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Why an object was not read here: the caller asks git instead.
#[derive(Debug)]
pub struct NotHere;

/// An entry's header.
#[derive(Debug, PartialEq, Eq)]
struct Entry {
    /// 1 commit, 2 tree, 3 blob, 4 tag, 6 `OFS_DELTA`, 7 `REF_DELTA`.
    kind: u8,
    /// Inflated size (of the delta, for a delta).
    size: u64,
    /// Where the compressed data starts.
    data: usize,
    base: Base,
}

#[derive(Debug, PartialEq, Eq)]
enum Base {
    None,
    Offset(u64),
    Id(Id),
}

/// Parses the entry header at `at` in pack data `d`.
fn entry(d: &[u8], at: u64) -> Result<Entry, NotHere> {
    let mut pos = usize::try_from(at).map_err(|_| NotHere)?;
    let mut byte = || -> Result<u8, NotHere> {
        let b = *d.get(pos).ok_or(NotHere)?;
        pos += 1;
        Ok(b)
    };
    let mut c = byte()?;
    let kind = (c >> 4) & 7;
    let mut size = (c & 15) as u64;
    let mut shift = 4;
    while c & 0x80 != 0 {
        c = byte()?;
        if shift > 57 {
            return Err(NotHere);
        }
        size |= ((c & 0x7f) as u64) << shift;
        shift += 7;
    }
    let base = match kind {
        1..=4 => Base::None,
        6 => {
            let mut c = byte()?;
            let mut back = (c & 0x7f) as u64;
            while c & 0x80 != 0 {
                c = byte()?;
                back = back
                    .checked_add(1)
                    .and_then(|b| b.checked_mul(128))
                    .ok_or(NotHere)?
                    | (c & 0x7f) as u64;
            }
            if back == 0 || back > at {
                return Err(NotHere);
            }
            Base::Offset(at - back)
        }
        7 => {
            let id = d.get(pos..pos + 20).ok_or(NotHere)?;
            pos += 20;
            Base::Id(id.try_into().map_err(|_| NotHere)?)
        }
        _ => return Err(NotHere),
    };
    Ok(Entry {
        kind,
        size,
        data: pos,
        base,
    })
}

/// Reads objects for one thread.
pub struct Reader<'a> {
    packs: &'a Packs,
    cache: BaseCache,
    z: Decompress,
    /// Deltas to apply, outermost first (kept to reuse the allocation).
    chain: Vec<(u64, Vec<u8>)>,
    /// The pack the previous object was in.
    last: usize,
}

impl Reader<'_> {
    /// Blob `id`, unless it is larger than `max` bytes. `Err`: ask git.
    pub fn blob(&mut self, id: &Id, max: u64) -> Result<Got, NotHere> {
        let (p, at) = self.packs.find(id, self.last).ok_or(NotHere)?;
        self.last = p;
        let got = self.object(p, at, max);
        self.chain.clear();
        got
    }

    fn object(&mut self, p: usize, at: u64, max: u64) -> Result<Got, NotHere> {
        // Whatever a damaged size field says, nothing larger is allocated
        // here: a base can be larger than the blob asked for (git deltas
        // against bases up to 32 times larger), not without bound.
        let limit = max.saturating_mul(64).max(MIN_BOUND);
        let packs = self.packs;
        let pack = &packs.packs[p];
        let d = pack.data.bytes();
        let mut at = at;
        let (kind, mut data) = loop {
            if let Some((kind, data)) = self.cache.get(p, at) {
                if self.chain.is_empty() && data.len() as u64 > max {
                    return Ok(Got::TooLarge(data.len() as u64));
                }
                break (kind, data);
            }
            let e = entry(d, at)?;
            let outermost = self.chain.is_empty();
            if outermost && e.kind != 6 && e.kind != 7 && e.size > max {
                return Ok(Got::TooLarge(e.size));
            }
            if e.size > limit {
                return Err(NotHere);
            }
            let bytes = inflate(&mut self.z, pack, &e)?;
            match e.base {
                Base::None => break (e.kind, Rc::new(bytes)),
                Base::Offset(base) => {
                    self.chain.push((at, bytes));
                    at = base;
                }
                Base::Id(base) => {
                    self.chain.push((at, bytes));
                    // A pack on disk holds its REF_DELTA bases (git
                    // completes thin packs when it stores them).
                    at = pack.find(&base).ok_or(NotHere)?;
                }
            }
            if let Some((_, delta)) = self.chain.last() {
                let (base, size) = delta_sizes(delta)?;
                if outermost && size > max {
                    return Ok(Got::TooLarge(size));
                }
                if base > limit || size > limit {
                    return Err(NotHere);
                }
            }
            if self.chain.len() > MAX_CHAIN {
                return Err(NotHere);
            }
        };
        // Apply the deltas from the innermost out, keeping each base used.
        while let Some((delta_at, delta)) = self.chain.pop() {
            self.cache.put(p, at, kind, &data);
            data = Rc::new(apply(&data, &delta)?);
            at = delta_at;
        }
        if kind != 3 {
            return Err(NotHere);
        }
        Ok(Got::Bytes(
            Rc::try_unwrap(data).unwrap_or_else(|shared| shared.to_vec()),
        ))
    }
}

/// Inflates entry `e` of `pack`: exactly `e.size` bytes, or `NotHere`.
fn inflate(z: &mut Decompress, pack: &Pack, e: &Entry) -> Result<Vec<u8>, NotHere> {
    let d = pack.data.bytes();
    let input = d.get(e.data..).ok_or(NotHere)?;
    // Deflate never inflates more than 1,032 bytes out of one: a larger
    // size is a damaged header.
    if e.size > (input.len() as u64).saturating_mul(1032) {
        return Err(NotHere);
    }
    let size = usize::try_from(e.size).map_err(|_| NotHere)?;
    z.reset(true);
    // One byte more than expected: a longer stream shows as such.
    let mut out = buffer(size + 1)?;
    let status = z
        .decompress_vec(input, &mut out, FlushDecompress::Finish)
        .map_err(|_| NotHere)?;
    // The header, up to 30 bytes, and the compressed data.
    pack.touched(z.total_in() + 30);
    if status != Status::StreamEnd || out.len() != size {
        return Err(NotHere);
    }
    Ok(out)
}

/// An empty buffer for `size` bytes, or `NotHere` when memory for it
/// cannot be had (a damaged size): never an abort.
fn buffer(size: usize) -> Result<Vec<u8>, NotHere> {
    let mut v = Vec::new();
    v.try_reserve_exact(size).map_err(|_| NotHere)?;
    Ok(v)
}

/// A git delta's base and result sizes.
fn delta_sizes(delta: &[u8]) -> Result<(u64, u64), NotHere> {
    let mut pos = 0;
    let base = varint(delta, &mut pos)?;
    let result = varint(delta, &mut pos)?;
    Ok((base, result))
}

fn varint(b: &[u8], pos: &mut usize) -> Result<u64, NotHere> {
    let mut n = 0u64;
    let mut shift = 0;
    loop {
        let c = *b.get(*pos).ok_or(NotHere)?;
        *pos += 1;
        if shift > 63 {
            return Err(NotHere);
        }
        n |= ((c & 0x7f) as u64) << shift;
        shift += 7;
        if c & 0x80 == 0 {
            return Ok(n);
        }
    }
}

/// Applies a git delta (copy and insert instructions) to `base`.
fn apply(base: &[u8], delta: &[u8]) -> Result<Vec<u8>, NotHere> {
    let mut pos = 0;
    let base_size = varint(delta, &mut pos)?;
    let size = usize::try_from(varint(delta, &mut pos)?).map_err(|_| NotHere)?;
    if base_size != base.len() as u64 {
        return Err(NotHere);
    }
    let mut out = buffer(size)?;
    while pos < delta.len() {
        let op = delta[pos];
        pos += 1;
        if op & 0x80 != 0 {
            // Copy from the base: offset and size bytes as flagged.
            let mut field = |bits: u8, bytes: usize| -> Result<usize, NotHere> {
                let mut v = 0usize;
                for i in 0..bytes {
                    if bits & (1 << i) != 0 {
                        v |= (*delta.get(pos).ok_or(NotHere)? as usize) << (8 * i);
                        pos += 1;
                    }
                }
                Ok(v)
            };
            let offset = field(op, 4)?;
            let mut len = field(op >> 4, 3)?;
            if len == 0 {
                len = 0x10000;
            }
            let end = offset.checked_add(len).ok_or(NotHere)?;
            out.extend_from_slice(base.get(offset..end).ok_or(NotHere)?);
        } else if op != 0 {
            let len = op as usize;
            out.extend_from_slice(delta.get(pos..pos + len).ok_or(NotHere)?);
            pos += len;
        } else {
            return Err(NotHere);
        }
        if out.len() > size {
            return Err(NotHere);
        }
    }
    if out.len() != size {
        return Err(NotHere);
    }
    Ok(out)
}

type Cached = (u8, Rc<Vec<u8>>, u64);

/// Inflated delta bases by pack and offset, the least recently used
/// dropped first beyond a size.
struct BaseCache {
    limit: usize,
    bytes: usize,
    tick: u64,
    /// By (pack, offset): the object's kind, content and last use.
    map: HashMap<(usize, u64), Cached>,
    order: BTreeMap<u64, (usize, u64)>,
}

impl BaseCache {
    fn new(limit: usize) -> BaseCache {
        BaseCache {
            limit,
            bytes: 0,
            tick: 0,
            map: HashMap::new(),
            order: BTreeMap::new(),
        }
    }

    fn get(&mut self, p: usize, at: u64) -> Option<(u8, Rc<Vec<u8>>)> {
        let (kind, data, tick) = self.map.get_mut(&(p, at))?;
        self.order.remove(tick);
        self.tick += 1;
        *tick = self.tick;
        self.order.insert(self.tick, (p, at));
        Some((*kind, Rc::clone(data)))
    }

    fn put(&mut self, p: usize, at: u64, kind: u8, data: &Rc<Vec<u8>>) {
        if data.len() > self.limit / 4 || self.map.contains_key(&(p, at)) {
            return;
        }
        while self.bytes + data.len() > self.limit {
            let Some((_, key)) = self.order.pop_first() else {
                break;
            };
            if let Some((_, old, _)) = self.map.remove(&key) {
                self.bytes -= old.len();
            }
        }
        self.tick += 1;
        self.bytes += data.len();
        self.map.insert((p, at), (kind, Rc::clone(data), self.tick));
        self.order.insert(self.tick, (p, at));
    }
}

/// A read-only file mapping.
struct Map {
    ptr: *const u8,
    len: usize,
}

// The mapping is read-only and owned: sharing it between threads is
// sharing a `&[u8]`.
unsafe impl Send for Map {}
unsafe impl Sync for Map {}

#[cfg(unix)]
impl Map {
    fn open(path: &Path) -> io::Result<Map> {
        use std::os::fd::AsRawFd;
        let file = std::fs::File::open(path)?;
        let len = usize::try_from(file.metadata()?.len()).map_err(io::Error::other)?;
        if len == 0 {
            return Err(io::Error::other("empty file"));
        }
        // SAFETY: a private read-only mapping of a whole file; git never
        // rewrites a pack or an index in place (new ones get new names).
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Map {
            ptr: ptr as *const u8,
            len,
        })
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr` maps `len` readable bytes until `drop`.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// Drops the pages read so far from this process's memory. The
    /// mapping stays valid: pages come back from the file (the page
    /// cache) when read again, with the same content, as the mapping
    /// is private and never written.
    fn drop_pages(&self) {
        // SAFETY: the range is this mapping; MADV_DONTNEED on a clean
        // private file mapping only discards pages.
        unsafe {
            libc::madvise(self.ptr as *mut libc::c_void, self.len, libc::MADV_DONTNEED);
        }
    }
}

#[cfg(unix)]
impl Drop for Map {
    fn drop(&mut self) {
        // SAFETY: the mapping made in `open`, unmapped once.
        unsafe {
            libc::munmap(self.ptr as *mut libc::c_void, self.len);
        }
    }
}

#[cfg(not(unix))]
impl Map {
    fn open(_: &Path) -> io::Result<Map> {
        Err(io::Error::other("pack files are read by git here"))
    }

    fn bytes(&self) -> &[u8] {
        &[]
    }

    fn drop_pages(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A delta: base and result sizes, then the instructions.
    fn delta(base: usize, result: usize, ops: &[u8]) -> Vec<u8> {
        let mut d = Vec::new();
        for mut n in [base, result] {
            loop {
                let low = (n & 0x7f) as u8;
                n >>= 7;
                if n == 0 {
                    d.push(low);
                    break;
                }
                d.push(low | 0x80);
            }
        }
        d.extend_from_slice(ops);
        d
    }

    #[test]
    fn deltas_copy_from_the_base_and_insert_their_own_bytes() {
        let base = b"registry.example.test deployer Zq8vLm2Kp4Rt7Wx".repeat(4);
        // Copy 8 bytes from offset 9, insert "NEW", copy 22 bytes from 0.
        let ops = [0x91, 9, 8, 3, b'N', b'E', b'W', 0x90, 22];
        let d = delta(base.len(), 33, &ops);
        assert_eq!(delta_sizes(&d).unwrap(), (base.len() as u64, 33));
        let out = apply(&base, &d).unwrap();
        assert_eq!(out, b"example.NEWregistry.example.test ".as_slice());
        // A copy of size 0 means 64 KiB.
        let big = vec![7u8; 0x10000 + 5];
        let d = delta(big.len(), 0x10000, &[0x80]);
        assert_eq!(apply(&big, &d).unwrap(), vec![7u8; 0x10000]);
    }

    #[test]
    fn damaged_deltas_are_refused_not_trusted() {
        let base = b"0123456789".to_vec();
        // Wrong base size, a copy past the base's end, a result of the
        // wrong size, the reserved instruction 0, a cut insert.
        for d in [
            delta(9, 4, &[0x90, 4]),
            delta(10, 4, &[0x91, 8, 4]),
            delta(10, 5, &[0x90, 4]),
            delta(10, 4, &[0, 0x90, 4]),
            delta(10, 4, &[4, b'a', b'b']),
        ] {
            assert!(apply(&base, &d).is_err(), "{d:?}");
        }
    }

    #[test]
    fn entry_headers_give_kind_size_and_base() {
        // A blob of 300 bytes: kind 3, size 300 = 0b1_0010_1100.
        let mut pack = vec![0u8; 100];
        pack.extend_from_slice(&[0x80 | 0x30 | 0x0c, 0x12, 0x78, 0x9c]);
        let e = entry(&pack, 100).unwrap();
        assert_eq!((e.kind, e.size, e.data, e.base), (3, 300, 102, Base::None));
        // An OFS_DELTA of 5 bytes whose base is 90 bytes back.
        let mut pack = vec![0u8; 200];
        pack.extend_from_slice(&[0x65, 90]);
        let e = entry(&pack, 200).unwrap();
        assert_eq!((e.kind, e.size, e.base), (6, 5, Base::Offset(110)));
        // Two offset bytes: ((1 + 1) << 7) + 2 = 258 back.
        let mut pack = vec![0u8; 300];
        pack.extend_from_slice(&[0x65, 0x81, 0x02]);
        assert_eq!(entry(&pack, 300).unwrap().base, Base::Offset(42));
        // A REF_DELTA names its base.
        let mut pack = vec![0x75];
        pack.extend_from_slice(&[0xab; 20]);
        let e = entry(&pack, 0).unwrap();
        assert_eq!((e.kind, e.data, e.base), (7, 21, Base::Id([0xab; 20])));
        // A base before the pack's start, a cut header, kind 5: refused.
        assert!(entry(&[0x65, 90], 0).is_err());
        assert!(entry(&[0xb5], 0).is_err());
        assert!(entry(&[0x55], 0).is_err());
    }

    /// An entry header: kind and size.
    fn header(kind: u8, mut size: u64) -> Vec<u8> {
        let mut h = vec![(kind << 4) | (size & 15) as u8];
        size >>= 4;
        while size > 0 {
            *h.last_mut().unwrap() |= 0x80;
            h.push((size & 0x7f) as u8);
            size >>= 7;
        }
        h
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(data).unwrap();
        z.finish().unwrap()
    }

    /// Writes a pack of these entries (id, header and data after it) and
    /// its version 2 index into `dir/pack`; the entries' offsets.
    fn write_pack(dir: &Path, entries: &[(Id, Vec<u8>)]) -> Vec<u64> {
        let mut pack = b"PACK".to_vec();
        pack.extend_from_slice(&2u32.to_be_bytes());
        pack.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        let mut offsets = Vec::new();
        for (_, bytes) in entries {
            offsets.push(pack.len() as u64);
            pack.extend_from_slice(bytes);
        }
        pack.extend_from_slice(&[0; 20]);
        let mut sorted: Vec<(Id, u64)> = entries
            .iter()
            .zip(&offsets)
            .map(|((id, _), o)| (*id, *o))
            .collect();
        sorted.sort();
        let mut idx = vec![0xff, b't', b'O', b'c', 0, 0, 0, 2];
        for b in 0..256 {
            let n = sorted.iter().filter(|(id, _)| id[0] as usize <= b).count() as u32;
            idx.extend_from_slice(&n.to_be_bytes());
        }
        for (id, _) in &sorted {
            idx.extend_from_slice(id);
        }
        idx.extend(std::iter::repeat_n(0, 4 * sorted.len()));
        for (_, o) in &sorted {
            idx.extend_from_slice(&(*o as u32).to_be_bytes());
        }
        idx.extend_from_slice(&[0; 40]);
        std::fs::create_dir_all(dir.join("pack")).unwrap();
        std::fs::write(dir.join("pack/pack-t.pack"), pack).unwrap();
        std::fs::write(dir.join("pack/pack-t.idx"), idx).unwrap();
        offsets
    }

    #[test]
    fn reader_gives_whole_and_delta_blobs_and_refuses_damaged_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let base = b"registry.example.test deployer Zq8vLm2Kp4Rt7Wx\n".repeat(20);
        let (a, b, c, d, e, f) = ([1; 20], [2; 20], [3; 20], [4; 20], [5; 20], [6; 20]);
        let whole = |kind: u8, data: &[u8]| {
            let mut v = header(kind, data.len() as u64);
            v.extend(zlib(data));
            v
        };
        // b: the base's first 22 bytes and "NEW".
        let b_delta = delta(base.len(), 25, &[0x90, 22, 3, b'N', b'E', b'W']);
        let mut b_entry = header(6, b_delta.len() as u64);
        b_entry.push(0); // offset back: set below
        b_entry.extend(zlib(&b_delta));
        // c: the same by id.
        let mut c_entry = header(7, b_delta.len() as u64);
        c_entry.extend_from_slice(&a);
        c_entry.extend(zlib(&b_delta));
        // d: a blob whose header claims a terabyte.
        let mut d_entry = header(3, 1 << 40);
        d_entry.extend(zlib(b"short"));
        // e: a delta claiming a base of a terabyte.
        let e_delta = delta(1 << 40, 3, &[3, b'a', b'b', b'c']);
        let mut e_entry = header(7, e_delta.len() as u64);
        e_entry.extend_from_slice(&a);
        e_entry.extend(zlib(&e_delta));
        // f: a tree, not a blob.
        let entries = vec![
            (a, whole(3, &base)),
            (b, b_entry),
            (c, c_entry),
            (d, d_entry),
            (e, e_entry),
            (f, whole(2, b"tree")),
        ];
        // b's base is a, right before it: offset back = a's entry length.
        let back = entries[0].1.len();
        assert!(back < 128);
        let mut entries = entries;
        let at = entries[1].1.len() - zlib(&b_delta).len() - 1;
        entries[1].1[at] = back as u8;
        write_pack(dir.path(), &entries);

        let packs = Packs::in_dirs(&[dir.path().to_path_buf()]);
        assert_eq!(packs.packs.len(), 1);
        let mut r = packs.reader(1 << 20);
        let max = 10 << 20;
        assert_eq!(r.blob(&a, max).unwrap(), Got::Bytes(base.clone()));
        let expected = b"registry.example.test NEW".to_vec();
        assert_eq!(r.blob(&b, max).unwrap(), Got::Bytes(expected.clone()));
        assert_eq!(r.blob(&c, max).unwrap(), Got::Bytes(expected));
        // Sizes are checked before inflating: the header's, or the delta's.
        assert_eq!(r.blob(&a, 100).unwrap(), Got::TooLarge(base.len() as u64));
        assert_eq!(r.blob(&b, 20).unwrap(), Got::TooLarge(25));
        assert_eq!(r.blob(&d, max).unwrap(), Got::TooLarge(1 << 40));
        // Damaged, not a blob, or not in the pack: git is asked instead.
        assert!(r.blob(&d, u64::MAX >> 1).is_err());
        assert!(r.blob(&e, max).is_err());
        assert!(r.blob(&f, max).is_err());
        assert!(r.blob(&[7; 20], max).is_err());
    }

    #[test]
    fn base_cache_drops_the_least_recently_used_beyond_its_size() {
        let mut cache = BaseCache::new(100);
        let data = |n: usize| Rc::new(vec![1u8; n]);
        cache.put(0, 1, 3, &data(20));
        cache.put(0, 2, 3, &data(20));
        cache.put(1, 1, 3, &data(20));
        // Used: 0/1 is now newer than 0/2.
        assert_eq!(cache.get(0, 1).unwrap().1.len(), 20);
        cache.put(0, 3, 3, &data(25));
        cache.put(0, 4, 3, &data(25));
        assert!(cache.get(0, 2).is_none(), "least recently used");
        assert!(cache.get(0, 1).is_some() && cache.get(1, 1).is_some());
        assert!(cache.bytes <= 100);
        // More than a quarter of the cache is never kept.
        cache.put(0, 5, 3, &data(26));
        assert!(cache.get(0, 5).is_none());
    }
}
