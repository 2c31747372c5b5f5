//! Test helpers shared by unit tests (compiled only under `cfg(test)`).
//! Findings are built here in one place, so a field added to `Finding`
//! changes one constructor, not every test.

use crate::model::finding::{fingerprint, Finding, Secret, SecretKind};
use crate::model::rule::Rule;

/// A located finding at `line` with a fingerprint derived as the scanner
/// derives it.
pub fn finding(path: &str, rule: Rule, secret: &str, line: usize) -> Finding {
    let secret = Secret::new(secret);
    Finding {
        rule,
        path: path.into(),
        line,
        column: 3,
        end_line: line,
        end_column: 9,
        byte_start: line * 10,
        byte_end: line * 10 + 6,
        registry: Some("registry.example.test".into()),
        username: Some("ci-bot".into()),
        fingerprint: fingerprint(rule, path, &secret),
        secret,
        kind: SecretKind::Password,
        token: crate::model::kind::TokenKind::Password,
        severity: crate::model::kind::Severity::High,
        detail: None,
        decode_chain: "base64 -> user:password".into(),
        fix: "Rotate the credential. Use a secret store.".into(),
        fix_rotate_len: "Rotate the credential.".len(),
        snippet: None,
        origin: None,
        verification: None,
    }
}
