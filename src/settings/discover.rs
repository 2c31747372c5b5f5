//! Where `.credscan.toml` is looked for: only at the root of the
//! repository holding the current directory (the first directory upwards
//! holding `.git`: a directory or, in a linked worktree, a file), or in the
//! current directory outside a repository.
//!
//! Never in a subdirectory, and never from the PATHs scanned: in a
//! pre-commit hook the first file passed could be a nested
//! `.credscan.toml` (or sit beside one) that the commit's author wrote to
//! silence the scan. A stray file in `/tmp` or `$HOME` above the
//! repository is never picked up either.

use std::path::{Path, PathBuf};

use super::{absolute, FILE_NAME};

/// The config file for a scan run in `cwd`.
pub fn find(cwd: &Path) -> Option<PathBuf> {
    Some(root(cwd).join(FILE_NAME)).filter(|p| p.is_file())
}

/// The root of the repository holding `cwd` (absolute), or `cwd` outside
/// one. Reported paths and the config file are relative to it.
pub fn root(cwd: &Path) -> PathBuf {
    let cwd = absolute(cwd, cwd);
    cwd.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(&cwd)
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn only_the_repository_root_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        fs::create_dir_all(repo.join(".git")).unwrap();
        fs::create_dir_all(repo.join("a/b")).unwrap();
        // Above the root, and nested: never read.
        fs::write(dir.path().join(FILE_NAME), "").unwrap();
        fs::write(repo.join("a").join(FILE_NAME), "").unwrap();
        assert_eq!(find(&repo.join("a/b")), None);
        assert_eq!(find(&repo.join("a")), None);
        fs::write(repo.join(FILE_NAME), "").unwrap();
        assert_eq!(find(&repo.join("a/b")), Some(repo.join(FILE_NAME)));
        assert_eq!(find(&repo), Some(repo.join(FILE_NAME)));
    }

    #[test]
    fn linked_worktree_git_file_is_a_root() {
        let dir = tempfile::tempdir().unwrap();
        let wt = dir.path().join("wt");
        fs::create_dir_all(wt.join("sub")).unwrap();
        fs::write(wt.join(".git"), "gitdir: /elsewhere\n").unwrap();
        fs::write(dir.path().join(FILE_NAME), "").unwrap();
        assert_eq!(find(&wt.join("sub")), None);
        fs::write(wt.join(FILE_NAME), "").unwrap();
        assert_eq!(find(&wt.join("sub")), Some(wt.join(FILE_NAME)));
    }

    #[test]
    fn outside_a_repository_only_the_current_directory() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path().join("work");
        fs::create_dir_all(cwd.join("x/y")).unwrap();
        fs::write(dir.path().join(FILE_NAME), "").unwrap();
        assert_eq!(find(&cwd), None);
        fs::write(cwd.join("x").join(FILE_NAME), "").unwrap();
        assert_eq!(find(&cwd), None);
        fs::write(cwd.join(FILE_NAME), "").unwrap();
        assert_eq!(find(&cwd), Some(cwd.join(FILE_NAME)));
    }
}
