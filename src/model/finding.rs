//! Findings and the secret they carry.

use std::fmt;
use std::ops::Range;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::judge::classify::{Severity, TokenKind};
use crate::model::rule::Rule;

/// A secret value. Its `Debug` and `Display` never show it: only
/// [`Secret::redacted`] and the explicit [`Secret::expose`] do.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    /// The clear value; callers must only print it under `--reveal`.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// At most the first two and last two characters of a long secret;
    /// short secrets are fully masked.
    pub fn redacted(&self) -> String {
        redact(&self.0)
    }
}

pub fn redact(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() >= 16 {
        let head: String = chars[..2].iter().collect();
        let tail: String = chars[chars.len() - 2..].iter().collect();
        format!("{head}********{tail}")
    } else {
        "********".to_string()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.redacted())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// What kind of secret a finding holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretKind {
    /// A registry password (or a token used as one).
    Password,
    /// An OAuth refresh token (`identitytoken`).
    IdentityToken,
    /// A bearer token (`registrytoken`).
    RegistryToken,
}

impl SecretKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::Password => "password",
            SecretKind::IdentityToken => "identity-token",
            SecretKind::RegistryToken => "registry-token",
        }
    }
}

/// Where the credential sits, which decides the fix hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// A docker/podman config file (or its JSON elsewhere).
    DockerConfig,
    /// A Kubernetes Secret.
    Kubernetes,
    /// A shell command line (`docker login -p ...`), in any file.
    Command,
    /// A CI configuration (CircleCI, GitHub Actions, Bitbucket, Drone,
    /// Jenkins).
    Ci,
    /// A container runtime or scheduler config (containerd, k3s, Nomad).
    RuntimeConfig,
    /// Infrastructure code (Terraform, Ansible).
    Iac,
    /// Anything else: scripts, values files, docs.
    Other,
}

impl Origin {
    /// One line for people: `introduced in commit 1a2b3c4d5e6f by Ann
    /// <ann@example.test> on 2024-05-01T10:00:00Z; in 3 commits, 1 path;
    /// removed from HEAD`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!(
            "introduced in commit {} by {} on {}; in {}, {}; {}",
            self.commit.get(..12).unwrap_or(&self.commit),
            self.author,
            self.date,
            plural(self.commits, "commit"),
            plural(self.paths, "path"),
            if self.in_head {
                "still in HEAD"
            } else {
                "removed from HEAD (still in the history)"
            }
        )
    }
}

/// A credential found by the scanner, before it is placed in a file's
/// line/column coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFinding {
    pub rule: Rule,
    /// Byte range in the scanned file of the outermost value holding it.
    pub span: Range<usize>,
    pub registry: Option<String>,
    pub username: Option<String>,
    pub secret: Secret,
    pub kind: SecretKind,
    pub context: Context,
    pub chain: Vec<String>,
}

/// A finding located in a file, ready to report.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: Rule,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub byte_start: usize,
    pub byte_end: usize,
    pub registry: Option<String>,
    pub username: Option<String>,
    pub secret: Secret,
    pub kind: SecretKind,
    /// What the secret is, from its username and shape.
    pub token: TokenKind,
    pub severity: Severity,
    /// What classification learned (expiry, GCP project and account).
    pub detail: Option<String>,
    pub decode_chain: String,
    pub fingerprint: String,
    pub fix: String,
    /// The length of `fix`'s first part (where to rotate); after it and a
    /// space comes what to do instead.
    pub fix_rotate_len: usize,
    /// Redacted source lines around the finding, for human output.
    pub snippet: Option<crate::report::Snippet>,
    /// Where a history scan found it (`--history`); `None` for files.
    pub origin: Option<Box<Origin>>,
    /// What the registry said under `--verify`; `None` when not checked.
    pub verification: Option<crate::verify::Verification>,
}

/// The commit that introduced a finding found in git history, and how far
/// the credential spread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The commit that first added the credential at this path.
    pub commit: String,
    /// `Name <email>` of that commit's author.
    pub author: String,
    /// Author date, strict ISO 8601.
    pub date: String,
    /// The blob (file version) the line and column refer to.
    pub blob: String,
    /// Commits whose tree holds the credential at this path.
    pub commits: usize,
    /// Distinct paths, over the history scanned, that held this credential.
    pub paths: usize,
    /// Whether `HEAD` still holds it at this path.
    pub in_head: bool,
}

/// A fingerprint stable across line moves and reformatting: derived from
/// rule, path and secret with a fixed domain prefix, so it is never the bare
/// hash of the secret.
pub fn fingerprint(rule: Rule, path: &str, secret: &Secret) -> String {
    let mut h = Sha256::new();
    h.update(b"credscan-fingerprint-v1\0");
    h.update(rule.id().as_bytes());
    h.update(b"\0");
    h.update(path.as_bytes());
    h.update(b"\0");
    h.update(secret.expose().as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(32);
    for b in &digest[..16] {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_masks_short_and_trims_long() {
        assert_eq!(redact("short"), "********");
        assert_eq!(redact("FAKEpass-1234-credscan"), "FA********an");
        let s = Secret::new("FAKEpass-1234-credscan");
        assert_eq!(format!("{s:?}"), "Secret(FA********an)");
        assert_eq!(format!("{s}"), "FA********an");
    }

    #[test]
    fn fingerprint_depends_on_rule_path_secret_only() {
        let s = Secret::new("FAKEpass-1234");
        let a = fingerprint(Rule::DockerConfig, "a/config.json", &s);
        assert_eq!(a.len(), 32);
        assert_eq!(a, fingerprint(Rule::DockerConfig, "a/config.json", &s));
        assert_ne!(a, fingerprint(Rule::DockerConfig, "b/config.json", &s));
        assert_ne!(a, fingerprint(Rule::BasicAuthPair, "a/config.json", &s));
        let bare: String = Sha256::digest(b"FAKEpass-1234")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert!(!bare.starts_with(&a));
    }
}
