//! Suppression: inline comments (here), config allow entries (`allow`) and
//! baselines (`baseline`).

pub mod allow;
pub mod baseline;

/// Markers that suppress a finding on their line. `gitleaks:allow` and
/// `pragma: allowlist secret` (detect-secrets) are honoured so teams can
/// migrate without editing files.
pub const MARKERS: &[&str] = &[
    "credscan:allow",
    "gitleaks:allow",
    "pragma: allowlist secret",
];

/// Whether `line` carries an inline suppression marker.
pub fn line_allows(line: &[u8]) -> bool {
    MARKERS
        .iter()
        .any(|m| memchr::memmem::find(line, m.as_bytes()).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_in_any_comment_syntax() {
        assert!(line_allows(b"auth: abc # credscan:allow"));
        assert!(line_allows(b"\"auth\": \"x\" // credscan:allow"));
        assert!(line_allows(b"x <!-- gitleaks:allow -->"));
        assert!(line_allows(b"x  # pragma: allowlist secret"));
        assert!(!line_allows(b"auth: abc # credscan"));
    }
}
