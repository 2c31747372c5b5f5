//! JSON output: `{"version": 1, "findings": [...], "stats": {...}}`.
//! The contract is documented in the README; fields are only ever added.

use std::io::{self, Write};

use serde::Serialize;

use super::{Options, Outcome, Stats};
use crate::model::finding::Finding;

pub const VERSION: u32 = 1;

#[derive(Serialize)]
pub struct JsonFinding<'a> {
    pub rule: &'static str,
    pub rule_name: &'static str,
    pub path: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub byte_start: usize,
    pub byte_end: usize,
    pub registry: Option<&'a str>,
    pub username: Option<&'a str>,
    pub secret: String,
    pub secret_kind: &'static str,
    pub severity: &'static str,
    pub detail: Option<&'a str>,
    pub decode_chain: &'a str,
    pub fingerprint: &'a str,
    pub fix: &'a str,
    /// Only in history scans: the commit that introduced it, and spread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<&'a crate::model::finding::Origin>,
    /// Under `--verify`, on each checked finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification: Option<&'a crate::model::verification::Verification>,
}

impl<'a> JsonFinding<'a> {
    pub fn new(f: &'a Finding, opts: &Options) -> Self {
        JsonFinding {
            rule: f.rule.id(),
            rule_name: f.rule.name(),
            path: &f.path,
            line: f.line,
            column: f.column,
            end_line: f.end_line,
            end_column: f.end_column,
            byte_start: f.byte_start,
            byte_end: f.byte_end,
            registry: f.registry.as_deref(),
            username: f.username.as_deref(),
            secret: if opts.reveal {
                f.secret.expose().to_string()
            } else {
                f.secret.redacted()
            },
            secret_kind: f.token.as_str(),
            severity: f.severity.as_str(),
            detail: f.detail.as_deref(),
            decode_chain: &f.decode_chain,
            fingerprint: &f.fingerprint,
            fix: &f.fix,
            history: f.origin.as_deref(),
            verification: f.verification.as_ref(),
        }
    }
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    stats: &'a Stats,
    /// What was left out on purpose, by what.
    suppressions: super::SuppressionCounts,
}

pub fn write(outcome: &Outcome, opts: &Options, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        version: VERSION,
        findings: outcome
            .findings
            .iter()
            .map(|f| JsonFinding::new(f, opts))
            .collect(),
        stats: &outcome.stats,
        suppressions: outcome.suppressed.counts(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    out.flush()
}
