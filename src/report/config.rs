//! Config diagnostics rendered with miette, pointing into the config file:
//! errors (which stop the run) and stale `[[allow]]` entries (warnings).

use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report,
    Severity,
};

use crate::settings::{AllowEntry, ConfigError, Source};

fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
}

fn render(diag: MietteDiagnostic, source: Option<(&str, &str)>, color: bool) -> String {
    let mut out = String::new();
    match source {
        Some((name, text)) => {
            let report =
                Report::new(diag).with_source_code(NamedSource::new(name, text.to_string()));
            let _ = handler(color).render_report(&mut out, report.as_ref());
        }
        None => {
            let _ = handler(color).render_report(&mut out, &diag);
        }
    }
    out
}

/// Renders a config error.
pub fn render_error(err: &ConfigError, color: bool) -> String {
    let mut diag = MietteDiagnostic::new(err.message.clone())
        .with_code("credscan::config")
        .with_severity(Severity::Error);
    if let Some(help) = &err.help {
        diag = diag.with_help(help.clone());
    }
    match (&err.text, &err.span) {
        (Some(text), Some(span)) => {
            diag = diag.with_label(LabeledSpan::at(span.clone(), err.label.clone()));
            render(diag, Some((&err.file, text)), color)
        }
        _ => render(diag, None, color),
    }
}

/// Renders the warning for an `[[allow]]` entry that matched nothing.
pub fn render_stale(source: &Source, entry: &AllowEntry, color: bool) -> String {
    let diag = MietteDiagnostic::new(format!(
        "stale allow entry in {}: {} matched no finding",
        source.name,
        entry.describe()
    ))
    .with_code("credscan::stale-allow")
    .with_severity(Severity::Warning)
    .with_label(LabeledSpan::at(entry.span.clone(), "matched nothing"))
    .with_help("the credential is gone or the entry is wrong: remove the entry");
    render(diag, Some((&source.name, &source.text)), color)
}

/// Prints a config error to stderr.
pub fn error(err: &ConfigError, color: bool) {
    let _ = write!(io::stderr(), "{}", render_error(err, color));
}

/// Prints stale-entry warnings to stderr.
pub fn stale(source: &Source, entries: &[&AllowEntry], color: bool) {
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for e in entries {
        let _ = write!(err, "{}", render_stale(source, e, color));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn errors_point_into_the_file() {
        let text = "format = \"human\"\nexclude_paths = [\"x\"]\n";
        let err =
            crate::settings::file::parse(".credscan.toml", Arc::new(text.into()), "/r".into())
                .unwrap_err();
        let out = render_error(&err, false);
        assert!(out.contains("credscan::config"), "{out}");
        assert!(out.contains("[.credscan.toml:2:1]"), "{out}");
        assert!(out.contains("exclude_paths"), "{out}");
    }

    #[test]
    fn stale_entries_are_warnings_with_a_location() {
        let text = "\n[[allow]]\nusername = \"ghost\"\n";
        let cfg =
            crate::settings::file::parse(".credscan.toml", Arc::new(text.into()), "/r".into())
                .unwrap();
        let out = render_stale(cfg.source.as_ref().unwrap(), &cfg.allow[0], false);
        assert!(out.contains("stale allow entry"), "{out}");
        assert!(out.contains("username ghost"), "{out}");
        assert!(out.contains(".credscan.toml:"), "{out}");
        assert!(out.contains("⚠"), "{out}");
    }
}
