//! Human output, for people.
//!
//! The default groups findings by file: one line per finding
//! (`path:line:col`, severity, token kind, user@registry, rule), its
//! redacted source line
//! with the value underlined, and how it decoded. Each distinct fix hint
//! is printed once, after the files, with the findings it applies to.
//! `--format concise` prints one line per finding and nothing else.
//! The summary and the next step go to stderr ([`super::closing`]).

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::escape::text as esc;
use super::{Options, Outcome};
use crate::model::finding::Finding;
use crate::model::kind::Severity;

/// Width fix hints are wrapped to.
const WIDTH: usize = 100;

/// `s` in an ANSI style when `on`.
fn paint(s: &str, style: &str, on: bool) -> String {
    if on {
        format!("\u{1b}[{style}m{s}\u{1b}[0m")
    } else {
        s.to_string()
    }
}

fn severity_style(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "1;31",
        Severity::High => "31",
        Severity::Medium => "33",
        Severity::Low => "36",
    }
}

/// `user@registry`, with `-` for the part that is unknown.
pub fn user_at_registry(f: &Finding) -> String {
    format!(
        "{}@{}",
        esc(f.username.as_deref().unwrap_or("-")),
        esc(f.registry.as_deref().unwrap_or("-"))
    )
}

/// One finding on one line: `path:line:col severity kind user@registry rule`.
pub fn concise_line(f: &Finding, opts: &Options) -> String {
    format!(
        "{}:{}:{} {} {} {} {}",
        esc(&f.path),
        f.line,
        f.column,
        paint(f.severity.as_str(), severity_style(f.severity), opts.color),
        f.token.as_str(),
        user_at_registry(f),
        f.rule.id()
    )
}

/// Writes the concise report: one line per finding.
pub fn write_concise(outcome: &Outcome, opts: &Options, out: &mut dyn Write) -> io::Result<()> {
    for f in &outcome.findings {
        writeln!(out, "{}", concise_line(f, opts))?;
    }
    out.flush()
}

/// A finding's fix hint in its two parts (where to rotate, what to do
/// instead); the whole hint when it does not split.
fn fix_parts(f: &Finding) -> Vec<&str> {
    let split = f
        .fix
        .get(..f.fix_rotate_len)
        .zip(f.fix.get(f.fix_rotate_len..));
    match split {
        Some((rotate, instead)) if f.fix_rotate_len > 0 => [rotate.trim(), instead.trim()]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect(),
        _ => vec![f.fix.trim()],
    }
}

/// The distinct fix hint parts in order of first appearance, each with the
/// findings it applies to.
fn fixes(findings: &[Finding]) -> Vec<(&str, Vec<&Finding>)> {
    let mut fixes: Vec<(&str, Vec<&Finding>)> = Vec::new();
    for f in findings {
        for part in fix_parts(f) {
            match fixes.iter_mut().find(|(fix, _)| *fix == part) {
                Some((_, list)) => list.push(f),
                None => fixes.push((part, vec![f])),
            }
        }
    }
    fixes
}

/// The redacted source line and a second line underlining the value.
/// `width` is the gutter width for line numbers.
fn snippet_lines(f: &Finding, opts: &Options, width: usize) -> Option<[String; 2]> {
    let snippet = f.snippet.as_ref()?;
    let text = snippet.text();
    let label = snippet.label_range();
    let prefix = text.get(..label.start)?;
    let value = text.get(label.clone())?;
    let number = format!("{:>width$}", snippet.line_number());
    let gutter = " ".repeat(number.len());
    // Tabs stay tabs under the prefix so the marks line up.
    let pad: String = prefix
        .chars()
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let marks = "^".repeat(value.chars().count().max(1));
    let secret = if opts.reveal {
        esc(f.secret.expose()).into_owned()
    } else {
        esc(&f.secret.redacted()).into_owned()
    };
    Some([
        format!("      {number} | {text}"),
        format!(
            "      {gutter} | {pad}{} {} {secret}",
            paint(&marks, severity_style(f.severity), opts.color),
            f.token.as_str()
        ),
    ])
}

/// Words of `text` wrapped to `width`, each line after `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent.len() + line.len() + 1 + word.len() > width {
            out.push_str(indent);
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(indent);
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Writes the grouped human report.
pub fn write(outcome: &Outcome, opts: &Options, out: &mut dyn Write) -> io::Result<()> {
    let fixes = fixes(&outcome.findings);
    let fix_numbers = |f: &Finding| {
        fix_parts(f)
            .iter()
            .filter_map(|part| fixes.iter().position(|(fix, _)| fix == part))
            .map(|i| (i + 1).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (i, group) in outcome
        .findings
        .chunk_by(|a, b| a.path == b.path)
        .enumerate()
    {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "{} ({} finding{})",
            paint(&esc(&group[0].path), "1", opts.color),
            group.len(),
            plural(group.len())
        )?;
        let width = group
            .iter()
            .filter_map(|f| f.snippet.as_ref())
            .map(|s| s.line_number().to_string().len())
            .max()
            .unwrap_or(1);
        for f in group {
            writeln!(
                out,
                "  {} {} [fix {}]",
                concise_line(f, opts),
                f.rule.name(),
                fix_numbers(f)
            )?;
            if let Some(lines) = snippet_lines(f, opts, width) {
                for line in lines {
                    writeln!(out, "{line}")?;
                }
            }
            writeln!(out, "      decoded: {}", esc(&f.decode_chain))?;
            if let Some(detail) = &f.detail {
                writeln!(out, "      detail:  {}", esc(detail))?;
            }
            if let Some(v) = &f.verification {
                writeln!(
                    out,
                    "      verified: {} ({})",
                    v.status.as_str(),
                    esc(&v.reason)
                )?;
            }
            if let Some(o) = &f.origin {
                writeln!(out, "      commit:  {}", esc(&o.summary()))?;
            }
        }
    }
    for (i, (fix, applies)) in fixes.iter().enumerate() {
        let mut places: Vec<String> = applies
            .iter()
            .map(|f| format!("{}:{}:{}", esc(&f.path), f.line, f.column))
            .collect();
        places.dedup();
        writeln!(out)?;
        writeln!(
            out,
            "{} ({} finding{}):",
            paint(&format!("fix {}", i + 1), "1", opts.color),
            applies.len(),
            plural(applies.len())
        )?;
        out.write_all(wrap(&places.join(", "), "    ", WIDTH).as_bytes())?;
        out.write_all(wrap(&esc(fix), "  ", WIDTH).as_bytes())?;
    }
    out.flush()
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
    if let Some(s) = outcome.suppressed.describe() {
        line.push_str("; ");
        line.push_str(&s);
    }
    let mut counts = [0usize; 3];
    for f in &outcome.findings {
        if let Some(v) = &f.verification {
            counts[match v.status {
                crate::model::verification::Status::Live => 0,
                crate::model::verification::Status::Invalid => 1,
                crate::model::verification::Status::Unknown => 2,
            }] += 1;
        }
    }
    if counts.iter().any(|&n| n > 0) {
        line.push_str(&format!(
            "; verified: {} live, {} invalid, {} unknown",
            counts[0], counts[1], counts[2]
        ));
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
