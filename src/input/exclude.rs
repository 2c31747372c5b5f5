//! `exclude` path globs, matched with `globset` (the glob engine of the
//! `ignore` walker) the way `.gitignore` lines read:
//!
//! - `*` and `?` stay within one path component; `**` crosses them;
//! - a glob without a `/` matches a name at any depth (`*.md`, `fixtures`);
//! - a leading `/` anchors the glob at the config's directory;
//! - a trailing `/` matches directories only;
//! - a matching directory excludes everything below it.
//!
//! Paths are matched relative to the config's root; a path outside it is
//! matched as given.

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::model::path::absolute;

#[derive(Debug)]
pub struct Excludes {
    root: PathBuf,
    cwd: PathBuf,
    /// Globs for files and directories.
    any: GlobSet,
    /// Globs written with a trailing `/`.
    dirs: GlobSet,
}

/// Rewrites one glob to globset syntax; `Err` says why it is invalid.
fn compile(glob: &str) -> Result<(globset::Glob, bool), String> {
    let mut g = glob.trim();
    if g.is_empty() {
        return Err("an empty glob matches nothing".to_string());
    }
    let dir_only = g.ends_with('/');
    g = g.trim_end_matches('/');
    g = g.strip_prefix("./").unwrap_or(g);
    let pattern = if let Some(anchored) = g.strip_prefix('/') {
        anchored.to_string()
    } else if g.contains('/') {
        g.to_string()
    } else {
        format!("**/{g}")
    };
    if pattern.is_empty() {
        return Err("this glob matches the whole tree".to_string());
    }
    let built = GlobBuilder::new(&pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|e| e.kind().to_string())?;
    Ok((built, dir_only))
}

impl Excludes {
    /// Compiles `globs`; on error, returns the index of the bad glob and why.
    pub fn new(globs: &[&str], root: &Path, cwd: &Path) -> Result<Excludes, (usize, String)> {
        let mut any = GlobSetBuilder::new();
        let mut dirs = GlobSetBuilder::new();
        for (i, g) in globs.iter().enumerate() {
            let (glob, dir_only) = compile(g).map_err(|e| (i, e))?;
            if dir_only {
                dirs.add(glob);
            } else {
                any.add(glob);
            }
        }
        let build = |b: GlobSetBuilder| b.build().map_err(|e| (0, e.to_string()));
        Ok(Excludes {
            root: absolute(root, cwd),
            cwd: cwd.to_path_buf(),
            any: build(any)?,
            dirs: build(dirs)?,
        })
    }

    /// The path that globs see: relative to the root, `/`-separated.
    fn relative(&self, path: &Path) -> String {
        let abs = absolute(path, &self.cwd);
        let rel = abs.strip_prefix(&self.root).unwrap_or(path);
        rel.to_string_lossy().replace('\\', "/")
    }

    /// Whether `path` (relative to the current directory, or absolute) is
    /// excluded. `is_dir` says whether `path` itself is a directory.
    pub fn is_excluded(&self, path: &Path, is_dir: bool) -> bool {
        let rel = self.relative(path);
        self.matches(&rel, is_dir)
    }

    /// Whether a root-relative `/`-separated path is excluded.
    pub fn matches(&self, rel: &str, is_dir: bool) -> bool {
        if rel.is_empty() {
            return false;
        }
        // Every ancestor is a directory.
        for (i, _) in rel.match_indices('/') {
            let parent = rel.get(..i).unwrap_or_default();
            if !parent.is_empty() && (self.any.is_match(parent) || self.dirs.is_match(parent)) {
                return true;
            }
        }
        self.any.is_match(rel) || (is_dir && self.dirs.is_match(rel))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(globs: &[&str]) -> Excludes {
        Excludes::new(globs, Path::new("/repo"), Path::new("/repo")).unwrap()
    }

    #[test]
    fn gitignore_like_globs() {
        let e = ex(&[
            "*.md",
            "/build",
            "tests/fixtures/**",
            "vendor/",
            "docs/*.txt",
        ]);
        assert!(e.matches("README.md", false));
        assert!(e.matches("a/b/notes.md", false));
        assert!(e.matches("build", true));
        assert!(e.matches("build/x.json", false));
        assert!(!e.matches("src/build/x.json", false));
        assert!(e.matches("tests/fixtures/a/config.json", false));
        assert!(!e.matches("tests/other.json", false));
        assert!(e.matches("vendor/lib/config.json", false));
        assert!(e.matches("a/vendor/x", false));
        assert!(
            !e.matches("vendor", false),
            "trailing / matches directories only"
        );
        assert!(e.matches("vendor", true));
        assert!(e.matches("docs/a.txt", false));
        assert!(
            !e.matches("docs/sub/a.txt", false),
            "* stays in one component"
        );
    }

    #[test]
    fn paths_are_made_relative_to_the_root() {
        let e = Excludes::new(&["/k8s"], Path::new("/repo"), Path::new("/repo/sub")).unwrap();
        assert!(e.is_excluded(Path::new("../k8s/secret.yaml"), false));
        assert!(e.is_excluded(Path::new("/repo/k8s/secret.yaml"), false));
        assert!(!e.is_excluded(Path::new("k8s/secret.yaml"), false));
    }

    #[test]
    fn bad_globs_name_their_index() {
        let err = Excludes::new(&["ok/*", "a[", ""], Path::new("/r"), Path::new("/r")).unwrap_err();
        assert_eq!(err.0, 1);
        assert!(err.1.contains("unclosed"), "{}", err.1);
        assert_eq!(
            Excludes::new(&[" "], Path::new("/r"), Path::new("/r"))
                .unwrap_err()
                .0,
            0
        );
    }
}
