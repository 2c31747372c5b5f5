//! Opt-in live verification (`--verify`): asks each finding's registry
//! whether its credential still works, with the Docker Registry HTTP API v2
//! handshake that `docker login` performs.
//!
//! This module holds what every build needs (options, results, the
//! deduplicating worker pool, the severity rule). The network code lives in
//! `handshake` and `http`, compiled only with the opt-in `verify` cargo
//! feature;
//! nothing in this crate opens a connection unless [`run`] is called, and
//! `app` calls it only under `--verify`.

mod challenge;
#[cfg(feature = "verify")]
mod handshake;
#[cfg(feature = "verify")]
mod http;
mod pool;
mod target;

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::judge::classify::Severity;
use crate::model::finding::Finding;

pub use crate::model::verification::{Status, Verification};
pub use challenge::{parse_challenges, Challenge};
pub use pool::{check_all, distinct, Credential};
pub use target::{Insecure, Target};

/// Default per-request time limit.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
/// Default limit for opening a connection (TCP, proxy and TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Credentials checked at once.
pub const CONCURRENCY: usize = 4;
/// Smallest gap between two requests to the same host (5 per second).
pub const HOST_INTERVAL: Duration = Duration::from_millis(200);
/// The longest `Retry-After` credscan waits for; longer means `unknown`.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The command-line options of verification.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Verification (network access, off by default)")]
pub struct VerifyArgs {
    /// Check each finding that names a registry against that registry (the
    /// `docker login` handshake, over HTTPS) and report it as live, invalid
    /// or unknown. Without this flag credscan makes no network connection.
    #[arg(long)]
    pub verify: bool,

    /// Report only the credentials the registry accepted (needs --verify).
    #[arg(long, requires = "verify")]
    pub only_live: bool,

    /// Allow plain HTTP or unverified TLS for this registry (repeatable), as
    /// the docker daemon's option of the same name: `HOST[:PORT]` exactly as
    /// the finding names it.
    #[arg(
        long = "insecure-registry",
        value_name = "HOST[:PORT]",
        requires = "verify"
    )]
    pub insecure_registries: Vec<String>,

    /// Also trust the CA certificates in this PEM file (the system's trust
    /// store is always used; SSL_CERT_FILE and SSL_CERT_DIR are honoured).
    #[arg(long, value_name = "FILE", requires = "verify")]
    pub verify_ca_file: Option<PathBuf>,

    /// Time limit for each request to a registry, in seconds.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds, default_value = "15")]
    pub verify_timeout: Duration,

    /// Time limit for opening each connection (TCP, proxy and TLS), in
    /// seconds.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds, default_value = "5")]
    pub verify_connect_timeout: Duration,
}

/// Parses a positive number of seconds such as `15` or `0.5`.
pub fn parse_seconds(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !(v > 0.0 && v <= 3600.0) {
        return Err(format!(
            "`{s}`: use a number of seconds above 0 and at most 3600"
        ));
    }
    Ok(Duration::from_secs_f64(v))
}

/// Settings for one verification run.
#[derive(Debug, Clone)]
pub struct Options {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub insecure: Insecure,
    pub ca_file: Option<PathBuf>,
    pub concurrency: usize,
    pub host_interval: Duration,
    pub max_retry_after: Duration,
}

impl Options {
    pub fn from_args(args: &VerifyArgs) -> Result<Options, String> {
        Ok(Options {
            timeout: args.verify_timeout,
            connect_timeout: args.verify_connect_timeout.min(args.verify_timeout),
            insecure: Insecure::parse(&args.insecure_registries)?,
            ca_file: args.verify_ca_file.clone(),
            concurrency: CONCURRENCY,
            host_interval: HOST_INTERVAL,
            max_retry_after: MAX_RETRY_AFTER,
        })
    }
}

/// Whether this build can verify (the `verify` cargo feature).
pub const AVAILABLE: bool = cfg!(feature = "verify");

/// The message `--verify` gets from a build without the feature.
pub const UNAVAILABLE: &str = "this credscan was built without the `verify` feature, so --verify \
     is not available; install it with `cargo install credscan --features verify` (or build with \
     `cargo build --release --features verify`)";

/// Checks every distinct credential of `findings` that names a registry,
/// sets each checked finding's `verification` and adjusts its severity.
/// `progress` is told `(done, total)` after each check. Errors are setup
/// problems (an unreadable CA file), reported before any connection.
pub fn run(
    findings: &mut [Finding],
    opts: &Options,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<(), String> {
    #[cfg(feature = "verify")]
    {
        let client = http::Client::new(opts)?;
        let results = check_all(findings, opts.concurrency, progress, |cred| {
            handshake::check(&client, cred)
        });
        apply(findings, results);
        Ok(())
    }
    #[cfg(not(feature = "verify"))]
    {
        let _ = (findings, opts, progress);
        Err(UNAVAILABLE.to_string())
    }
}

/// Stores results (by finding index) and applies [`adjust`].
pub fn apply(findings: &mut [Finding], results: Vec<(usize, Verification)>) {
    for (i, v) in results {
        if let Some(f) = findings.get_mut(i) {
            f.severity = adjust(f.severity, v.status);
            f.verification = Some(v);
        }
    }
}

/// The severity of a checked finding: a credential the registry accepts is
/// critical; one it rejects stays reported (the secret is still in the
/// files and their history) but low; unknown changes nothing.
pub fn adjust(severity: Severity, status: Status) -> Severity {
    match status {
        Status::Live => Severity::Critical,
        Status::Invalid => Severity::Low,
        Status::Unknown => severity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_follows_the_registry_answer() {
        assert_eq!(adjust(Severity::Medium, Status::Live), Severity::Critical);
        assert_eq!(adjust(Severity::Critical, Status::Invalid), Severity::Low);
        assert_eq!(adjust(Severity::High, Status::Unknown), Severity::High);
    }

    #[test]
    fn seconds() {
        assert_eq!(parse_seconds("15").unwrap(), Duration::from_secs(15));
        assert_eq!(parse_seconds("0.5").unwrap(), Duration::from_millis(500));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("soon").is_err());
        assert!(parse_seconds("NaN").is_err());
    }

    #[test]
    fn verification_serializes_as_the_json_contract() {
        let v = Verification::invalid("registry rejected the credentials (HTTP 401)");
        assert_eq!(
            serde_json::to_value(&v).unwrap(),
            serde_json::json!({"status": "invalid", "reason": "registry rejected the credentials (HTTP 401)"})
        );
    }
}
