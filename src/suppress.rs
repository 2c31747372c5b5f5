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

/// Whether `line` carries an inline suppression marker (tests only: the
/// scan always knows where the value is, see `line_allows_outside`).
#[cfg(test)]
pub fn line_allows(line: &[u8]) -> bool {
    line_allows_outside(line, 0..0)
}

/// Whether `line` carries an inline suppression marker outside `value`
/// (byte offsets within `line`): a marker inside the credential's own
/// value is part of the secret, and must not suppress it. A marker counts
/// only whole: `pragma: allowlist secretive` is not `pragma: allowlist
/// secret`, and `xcredscan:allow` is not `credscan:allow`.
pub fn line_allows_outside(line: &[u8], value: std::ops::Range<usize>) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-');
    MARKERS.iter().any(|m| {
        memchr::memmem::find_iter(line, m.as_bytes()).any(|at| {
            let end = at + m.len();
            let inside = at < value.end && end > value.start;
            let whole_start = at == 0 || !word(line[at - 1]);
            let whole_end = line.get(end).is_none_or(|&b| !word(b));
            !inside && whole_start && whole_end
        })
    })
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

    #[test]
    fn markers_count_only_whole_and_outside_the_value() {
        assert!(!line_allows(b"x # pragma: allowlist secretive"));
        assert!(!line_allows(b"x # notcredscan:allow"));
        assert!(line_allows(b"x # credscan:allow, reviewed"));
        let line = b"password: Zq8vgitleaks:allowLm2 # ok";
        let value = 10..31;
        assert_eq!(&line[value.clone()], b"Zq8vgitleaks:allowLm2");
        assert!(!line_allows_outside(line, value.clone()));
        let marked = b"password: Zq8vgitleaks:allowLm2 # gitleaks:allow";
        assert!(line_allows_outside(marked, value));
    }
}
