//! Paths as the findings and the config name them.

#![warn(missing_docs)]

use std::path::{Path, PathBuf};

/// `path` made absolute against `cwd`, with `.` and `..` resolved without
/// touching the file system.
pub(crate) fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    use std::path::Component;
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_resolves_dots_lexically() {
        let cwd = Path::new("/repo/sub");
        assert_eq!(absolute(Path::new("."), cwd), Path::new("/repo/sub"));
        assert_eq!(absolute(Path::new("../a/./b"), cwd), Path::new("/repo/a/b"));
        assert_eq!(absolute(Path::new("/x/y"), cwd), Path::new("/x/y"));
    }
}
