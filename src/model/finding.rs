//! Findings and the secret they carry.

#![warn(missing_docs)]

use std::fmt;
use std::ops::Range;

use serde::Serialize;
use sha2::Sha256;

use crate::model::kind::{Severity, TokenKind};
use crate::model::rule::Rule;

/// A secret value. Its `Debug` and `Display` never show it: only
/// [`Secret::redacted`] and the explicit [`Secret::expose`] do.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    /// Wraps a clear value.
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

/// Masks `s` as [`Secret::redacted`] does: the first two and last two
/// characters of a value of 16 or more, nothing of a shorter one.
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
    /// The kebab-case name the reports use (`identity-token`).
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
    /// The rule that found it.
    pub rule: Rule,
    /// Byte range in the scanned file of the outermost value holding it.
    pub span: Range<usize>,
    /// The registry it is for, when known.
    pub registry: Option<String>,
    /// The user it belongs to, when known.
    pub username: Option<String>,
    /// The secret, decoded.
    pub secret: Secret,
    /// What kind of secret it is.
    pub kind: SecretKind,
    /// Where it sits, which decides the fix hint.
    pub context: Context,
    /// The layers and keys passed to reach it (a key, `base64`, `user:password`, ...).
    pub chain: Vec<String>,
    /// The fix-hint sentence of the form that found it, if it has one.
    pub hint: Option<&'static str>,
}

/// A finding located in a file, ready to report.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule that found it.
    pub rule: Rule,
    /// The path of the file (or the name given to standard input).
    pub path: String,
    /// 1-based line where the value holding it starts.
    pub line: usize,
    /// 1-based column (in characters) where that value starts.
    pub column: usize,
    /// 1-based line of the position just past the value's end.
    pub end_line: usize,
    /// 1-based column (in characters) just past the value's end.
    pub end_column: usize,
    /// Byte offset in the file where the value starts.
    pub byte_start: usize,
    /// Byte offset in the file just past the value's end.
    pub byte_end: usize,
    /// The registry it is for, when known.
    pub registry: Option<String>,
    /// The user it belongs to, when known.
    pub username: Option<String>,
    /// The secret, decoded.
    pub secret: Secret,
    /// What kind of secret it is.
    pub kind: SecretKind,
    /// What the secret is, from its username and shape.
    pub token: TokenKind,
    /// How bad its leak is.
    pub severity: Severity,
    /// What classification learned (expiry, GCP project and account).
    pub detail: Option<String>,
    /// The layers and keys passed to reach it, joined with ` -> `.
    pub decode_chain: String,
    /// See [`fingerprint`]: stable across line moves, used by baselines.
    pub fingerprint: String,
    /// What to do: where to rotate the secret, then what to do instead.
    pub fix: String,
    /// The length of `fix`'s first part (where to rotate); after it and a
    /// space comes what to do instead.
    pub fix_rotate_len: usize,
    /// Redacted source lines around the finding, for human output.
    pub snippet: Option<crate::model::snippet::Snippet>,
    /// Where a history scan found it (`--history`); `None` for files.
    pub origin: Option<Box<Origin>>,
    /// What the registry said under `--verify`; `None` when not checked.
    pub verification: Option<crate::model::verification::Verification>,
}

/// Environment variable holding the key for keyed fingerprints.
pub const FINGERPRINT_KEY_ENV: &str = "CREDSCAN_FINGERPRINT_KEY";

/// PBKDF2 rounds of the unkeyed scheme: each guess at a secret costs an
/// attacker holding a fingerprint this many HMAC-SHA256 rounds (a thousand
/// times one hash), and a scan the same per finding. With 1,000 rounds a
/// file with 5,000 findings scans in 1.1 s against 0.16 s keyed (release,
/// 2 cores, load 6); 10,000 rounds took 20 s (load 15). The key, not the
/// rounds, is the defence against short wordlists.
pub const SLOW_ROUNDS: u32 = 1_000;

/// How fingerprints are derived. Both are salted with the rule and the
/// path, so a fingerprint is specific to where the secret sits, and both
/// are deterministic, so baselines stay stable across runs.
#[derive(Clone, PartialEq, Eq)]
pub enum FingerprintScheme {
    /// PBKDF2-HMAC-SHA256 with [`SLOW_ROUNDS`] rounds: no key to manage,
    /// guessing made slow (a weak password still falls to a short list).
    Slow,
    /// HMAC-SHA256 under a secret key (from [`FINGERPRINT_KEY_ENV`]):
    /// without the key a fingerprint tells nothing about the secret.
    Keyed(Vec<u8>),
}

impl fmt::Debug for FingerprintScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FingerprintScheme {
    /// The scheme's name, recorded in baselines.
    pub fn name(&self) -> &'static str {
        match self {
            FingerprintScheme::Slow => "pbkdf2-sha256",
            FingerprintScheme::Keyed(_) => "hmac-sha256",
        }
    }

    /// The scheme this process uses: keyed when [`FINGERPRINT_KEY_ENV`] is
    /// set and not empty. Read once.
    pub fn current() -> &'static FingerprintScheme {
        static SCHEME: std::sync::OnceLock<FingerprintScheme> = std::sync::OnceLock::new();
        SCHEME.get_or_init(|| match std::env::var_os(FINGERPRINT_KEY_ENV) {
            Some(k) if !k.is_empty() => FingerprintScheme::Keyed(k.into_encoded_bytes()),
            _ => FingerprintScheme::Slow,
        })
    }
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
/// rule, path and secret under the process's [`FingerprintScheme`].
pub fn fingerprint(rule: Rule, path: &str, secret: &Secret) -> String {
    fingerprint_with(FingerprintScheme::current(), rule, path, secret)
}

/// [`fingerprint`] under an explicit scheme.
pub fn fingerprint_with(
    scheme: &FingerprintScheme,
    rule: Rule,
    path: &str,
    secret: &Secret,
) -> String {
    use hmac::{KeyInit, Mac};
    let mut salt = Vec::with_capacity(32 + path.len());
    salt.extend_from_slice(b"credscan-fingerprint-v2\0");
    salt.extend_from_slice(rule.id().as_bytes());
    salt.push(0);
    salt.extend_from_slice(path.as_bytes());
    let mut digest = [0u8; 16];
    match scheme {
        FingerprintScheme::Slow => {
            pbkdf2::pbkdf2_hmac::<Sha256>(
                secret.expose().as_bytes(),
                &salt,
                SLOW_ROUNDS,
                &mut digest,
            );
        }
        FingerprintScheme::Keyed(key) => {
            let mut mac =
                hmac::Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
            mac.update(&salt);
            mac.update(b"\0");
            mac.update(secret.expose().as_bytes());
            let tag = mac.finalize().into_bytes();
            digest.copy_from_slice(&tag[..16]);
        }
    }
    let mut out = String::with_capacity(32);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    #[test]
    fn redaction_masks_short_and_trims_long() {
        assert_eq!(redact("short"), "********");
        assert_eq!(redact("FAKEpass-1234-credscan"), "FA********an");
        let s = Secret::new("FAKEpass-1234-credscan");
        assert_eq!(format!("{s:?}"), "Secret(FA********an)");
        assert_eq!(format!("{s}"), "FA********an");
    }

    #[test]
    fn fingerprint_schemes_are_stable_and_distinct() {
        let s = Secret::new("Zq8vLm2Kp4Rt7Wx");
        let slow = FingerprintScheme::Slow;
        let keyed = FingerprintScheme::Keyed(b"team key".to_vec());
        let other = FingerprintScheme::Keyed(b"other key".to_vec());
        let f = |sch: &FingerprintScheme| fingerprint_with(sch, Rule::DockerConfig, "a.json", &s);
        assert_eq!(f(&slow), f(&slow));
        assert_eq!(f(&keyed), f(&keyed));
        assert_ne!(f(&slow), f(&keyed));
        assert_ne!(f(&keyed), f(&other));
        for x in [f(&slow), f(&keyed)] {
            assert_eq!(x.len(), 32);
            assert!(x.bytes().all(|c| c.is_ascii_hexdigit()));
        }
        assert_eq!(
            format!("{keyed:?}"),
            "hmac-sha256",
            "the key is never shown"
        );
    }

    /// The old scheme was one SHA-256 per guess; the slow one is
    /// [`SLOW_ROUNDS`] HMAC rounds. A fingerprint no longer equals the
    /// single domain-prefixed SHA-256 an attacker could test cheaply.
    #[test]
    fn unkeyed_fingerprint_is_not_one_fast_hash() {
        let s = Secret::new("Zq8vLm2Kp4Rt7Wx");
        let fp = fingerprint_with(&FingerprintScheme::Slow, Rule::DockerConfig, "a.json", &s);
        let mut h = Sha256::new();
        h.update(b"credscan-fingerprint-v1\0CS001\0a.json\0Zq8vLm2Kp4Rt7Wx");
        let fast: String = h.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_ne!(fp, fast);
        const { assert!(SLOW_ROUNDS >= 1_000) };
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
