//! Human output: one miette diagnostic per finding, then a summary.

use std::collections::BTreeSet;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, Report, Severity,
};

use super::escape::text as esc;
use super::{Options, Outcome};
use crate::model::finding::Finding;

/// Renders one finding as a diagnostic.
pub fn render_finding(f: &Finding, opts: &Options) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(120)
        .with_links(false);
    // Every string from the scanned file goes through `esc`.
    let secret = if opts.reveal {
        esc(f.secret.expose()).into_owned()
    } else {
        esc(&f.secret.redacted()).into_owned()
    };
    let registry = f.registry.as_deref().map(esc);
    let username = f.username.as_deref().map(esc);
    let what = match (&registry, &username) {
        (Some(r), Some(u)) => format!(" for {r} (user {u})"),
        (Some(r), None) => format!(" for {r}"),
        (None, Some(u)) => format!(" (user {u})"),
        (None, None) => String::new(),
    };
    let message = format!(
        "{}: {} leaked{what}",
        f.severity.as_str(),
        f.token.describe()
    );
    let label = format!("{} {secret}", f.token.as_str());
    let detail = f
        .detail
        .as_deref()
        .map(|d| format!(" ({})", esc(d)))
        .unwrap_or_default();
    let verified = f
        .verification
        .as_ref()
        .map(|v| format!("\nverified: {} ({})", v.status.as_str(), esc(&v.reason)))
        .unwrap_or_default();
    let help = format!(
        "registry: {}\nusername: {}\nsecret:   {secret}\nkind:     {}{detail}\nseverity: {}{verified}\ndecoded:  {}\nfix:      {}",
        registry.as_deref().unwrap_or("-"),
        username.as_deref().unwrap_or("-"),
        f.token.as_str(),
        f.severity.as_str(),
        esc(&f.decode_chain),
        esc(&f.fix)
    );
    let level = match f.severity {
        crate::judge::classify::Severity::Critical | crate::judge::classify::Severity::High => {
            Severity::Error
        }
        crate::judge::classify::Severity::Medium => Severity::Warning,
        crate::judge::classify::Severity::Low => Severity::Advice,
    };
    let mut diag = MietteDiagnostic::new(message)
        .with_code(format!("credscan::{}::{}", f.rule.id(), f.rule.name()))
        .with_severity(level)
        .with_help(help);
    let mut out = String::new();
    match &f.snippet {
        Some(snippet) => {
            diag = diag.with_label(LabeledSpan::new_primary_with_span(
                Some(label),
                snippet.label(),
            ));
            let report = Report::new(diag).with_source_code(snippet.clone());
            let _ = handler.render_report(&mut out, report.as_ref());
        }
        None => {
            let _ = handler.render_report(&mut out, &diag);
        }
    }
    out
}

/// The closing summary line.
pub fn summary(outcome: &Outcome) -> String {
    let s = &outcome.stats;
    let files: BTreeSet<&str> = outcome.findings.iter().map(|f| f.path.as_str()).collect();
    let n = outcome.findings.len();
    let mut line = format!(
        "credscan: {n} finding{} in {} file{}; scanned {} file{} ({}) in {} ms; {} skipped; {} error{}",
        plural(n),
        files.len(),
        plural(files.len()),
        s.files_scanned,
        plural(s.files_scanned as usize),
        human_bytes(s.bytes_scanned),
        s.elapsed_ms,
        s.files_skipped,
        s.errors,
        plural(s.errors as usize),
    );
    let sup = outcome.suppressed;
    if sup.config > 0 {
        line.push_str(&format!("; {} allowed by config", sup.config));
    }
    if sup.baseline > 0 {
        line.push_str(&format!("; {} in baseline", sup.baseline));
    }
    let mut counts = [0usize; 3];
    for f in &outcome.findings {
        if let Some(v) = &f.verification {
            counts[match v.status {
                crate::verify::Status::Live => 0,
                crate::verify::Status::Invalid => 1,
                crate::verify::Status::Unknown => 2,
            }] += 1;
        }
    }
    if counts.iter().any(|&n| n > 0) {
        line.push_str(&format!(
            "; verified: {} live, {} invalid, {} unknown",
            counts[0], counts[1], counts[2]
        ));
    }
    if sup.not_live > 0 {
        line.push_str(&format!("; {} not live (--only-live)", sup.not_live));
    }
    line
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub fn human_bytes(b: u64) -> String {
    const UNITS: &[&str] = &["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Writes the human report: findings to stdout, summary to stderr.
pub fn write(outcome: &Outcome, opts: &Options, out: &mut dyn Write) -> io::Result<()> {
    for f in &outcome.findings {
        out.write_all(render_finding(f, opts).as_bytes())?;
        writeln!(out)?;
    }
    out.flush()?;
    if !opts.quiet {
        writeln!(io::stderr(), "{}", summary(outcome))?;
    }
    Ok(())
}
