//! What checking a credential against its registry found (`--verify`):
//! the vocabulary `verify` produces and the reporters print.

#![warn(missing_docs)]

use serde::Serialize;

/// What the registry said about a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The registry (or its token service) accepted the credential.
    Live,
    /// The registry rejected it (401/403 with the credential), or it has
    /// expired.
    Invalid,
    /// No answer either way: network error, timeout, TLS failure, 5xx, rate
    /// limiting, an answer the handshake does not expect, or a flow the
    /// credential cannot take.
    Unknown,
}

impl Status {
    /// The lower-case name every output format uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Live => "live",
            Status::Invalid => "invalid",
            Status::Unknown => "unknown",
        }
    }
}

/// The outcome of checking one credential: the JSON `verification` object.
/// The reason never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Live, invalid or unknown.
    pub status: Status,
    /// What the registry answered, in a few words.
    pub reason: String,
}

impl Verification {
    /// A credential the registry accepted.
    pub fn live(reason: impl Into<String>) -> Self {
        Verification {
            status: Status::Live,
            reason: reason.into(),
        }
    }
    /// A credential the registry rejected.
    pub fn invalid(reason: impl Into<String>) -> Self {
        Verification {
            status: Status::Invalid,
            reason: reason.into(),
        }
    }
    /// No answer either way.
    pub fn unknown(reason: impl Into<String>) -> Self {
        Verification {
            status: Status::Unknown,
            reason: reason.into(),
        }
    }
}
