//! Where `.credscan.toml` is looked for.
//!
//! From the start directory upwards, up to and including the repository
//! root (the first directory holding `.git`: a directory or, in a linked
//! worktree, a file). Outside a repository the search stops at the current
//! directory, and a start outside both (a path in another tree that is not a
//! repository) only looks in the start directory itself, so a stray file in
//! `/tmp` or `$HOME` is never picked up by accident.

use std::path::{Path, PathBuf};

use super::{absolute, FILE_NAME};

/// The config file for a scan starting at `start` (a file or directory).
pub fn find(start: &Path, cwd: &Path) -> Option<PathBuf> {
    let start = absolute(start, cwd);
    let dir = if start.is_dir() {
        start
    } else {
        start.parent()?.to_path_buf()
    };
    let cwd = absolute(cwd, cwd);
    let ancestors: Vec<&Path> = dir.ancestors().collect();
    let stop = ancestors
        .iter()
        .position(|d| d.join(".git").exists())
        .or_else(|| ancestors.iter().position(|d| *d == cwd))
        .unwrap_or(0);
    ancestors[..=stop]
        .iter()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn walks_up_to_the_repository_root() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        fs::create_dir_all(repo.join(".git")).unwrap();
        fs::create_dir_all(repo.join("a/b")).unwrap();
        fs::write(repo.join(FILE_NAME), "").unwrap();
        // Above the root: never read.
        fs::write(dir.path().join(FILE_NAME), "").unwrap();
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir_all(&elsewhere).unwrap();
        assert_eq!(
            find(&repo.join("a/b"), &elsewhere),
            Some(repo.join(FILE_NAME))
        );
        assert_eq!(
            find(&repo.join("a/b/file.txt"), &repo),
            Some(repo.join(FILE_NAME))
        );
        fs::remove_file(repo.join(FILE_NAME)).unwrap();
        assert_eq!(find(&repo.join("a/b"), &elsewhere), None);
    }

    #[test]
    fn linked_worktree_git_file_is_a_root() {
        let dir = tempfile::tempdir().unwrap();
        let wt = dir.path().join("wt");
        fs::create_dir_all(wt.join("sub")).unwrap();
        fs::write(wt.join(".git"), "gitdir: /elsewhere\n").unwrap();
        fs::write(dir.path().join(FILE_NAME), "").unwrap();
        assert_eq!(find(&wt.join("sub"), &wt.join("sub")), None);
        fs::write(wt.join(FILE_NAME), "").unwrap();
        assert_eq!(
            find(&wt.join("sub"), &wt.join("sub")),
            Some(wt.join(FILE_NAME))
        );
    }

    #[test]
    fn outside_a_repository_stops_at_cwd() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path().join("work");
        fs::create_dir_all(cwd.join("x/y")).unwrap();
        fs::write(dir.path().join(FILE_NAME), "").unwrap();
        assert_eq!(find(&cwd.join("x/y"), &cwd), None);
        fs::write(cwd.join(FILE_NAME), "").unwrap();
        assert_eq!(find(&cwd.join("x/y"), &cwd), Some(cwd.join(FILE_NAME)));
        // A start elsewhere looks only in its own directory.
        let other = dir.path().join("other/deep");
        fs::create_dir_all(&other).unwrap();
        assert_eq!(find(&other, &cwd), None);
    }
}
