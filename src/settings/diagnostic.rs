//! Config diagnostics rendered with miette, pointing into the config file:
//! errors (which stop the run) and stale `[[allow]]` entries (warnings).
//! They are rendered here, where the config's types live (and with the
//! engine, which finds the credentials to mask); `report::config` prints
//! them.

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report,
    Severity,
};

use crate::report::escape;
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

/// A config file's text made safe to show, byte for byte the same length
/// so spans still point at the same places: credential-looking values
/// (anything the scanner finds, and words of 8 or more characters that mix
/// letters and digits) become `*`, and control or invisible characters
/// `?` (line breaks and tabs are kept). `--config` may name the wrong file
/// (a docker `config.json`), and a value in `.credscan.toml` may be a
/// credential pasted in the wrong place.
pub fn sanitize_source(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for f in crate::engine::scan(text.as_bytes()) {
        if let Some(span) = bytes.get_mut(f.span) {
            mask(span);
        }
    }
    let is_word = |b: u8| !b.is_ascii_whitespace() && !b"\"'=,[]{}():;#<>`".contains(&b);
    let mut i = 0;
    while i < bytes.len() {
        if !is_word(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word(bytes[i]) {
            i += 1;
        }
        let word = &bytes[start..i];
        let letters = word.iter().any(u8::is_ascii_alphabetic);
        let digits = word.iter().any(u8::is_ascii_digit);
        if word.len() >= 8 && letters && digits {
            mask(&mut bytes[start..i]);
        }
    }
    let masked = String::from_utf8_lossy(&bytes).into_owned();
    let mut out = String::with_capacity(masked.len());
    let mut chars = masked.chars().peekable();
    while let Some(c) = chars.next() {
        let keep = c == '\n' || c == '\t' || (c == '\r' && chars.peek() == Some(&'\n'));
        if escape::is_unsafe(c) && !keep {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// Masks a byte range with `*`, keeping its length; the bytes of a
/// character cut by the range's ends become `*` too, so the text stays
/// valid UTF-8 once lossily decoded.
fn mask(span: &mut [u8]) {
    for b in span.iter_mut() {
        if !matches!(*b, b'\n' | b'\r') {
            *b = b'*';
        }
    }
}

/// Renders a config error. The file's text and the messages are shown
/// through [`sanitize_source`].
pub fn render_error(err: &ConfigError, color: bool) -> String {
    let clean = |s: &str| escape::text(&sanitize_source(s)).into_owned();
    let mut diag = MietteDiagnostic::new(clean(&err.message))
        .with_code("credscan::config")
        .with_severity(Severity::Error);
    if let Some(help) = &err.help {
        diag = diag.with_help(clean(help));
    }
    let file = escape::text(&err.file);
    match (&err.text, &err.span) {
        (Some(text), Some(span)) => {
            diag = diag.with_label(LabeledSpan::at(span.clone(), clean(&err.label)));
            render(diag, Some((&file, &sanitize_source(text))), color)
        }
        _ => render(diag, None, color),
    }
}

/// Renders the warning for an `[[allow]]` entry that matched nothing.
pub fn render_stale(source: &Source, entry: &AllowEntry, color: bool) -> String {
    let diag = MietteDiagnostic::new(format!(
        "stale allow entry in {}: {} matched no finding",
        escape::text(&source.name),
        escape::text(&sanitize_source(&entry.describe()))
    ))
    .with_code("credscan::stale-allow")
    .with_severity(Severity::Warning)
    .with_label(LabeledSpan::at(entry.span.clone(), "matched nothing"))
    .with_help("the credential is gone or the entry is wrong: remove the entry");
    let name = escape::text(&source.name);
    render(diag, Some((&name, &sanitize_source(&source.text))), color)
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
    fn config_errors_redact_credentials_and_escape_controls() {
        let auth = "ZGVwbG95ZXI6WnE4dkxtMktwNFJ0N1d4";
        let docker = format!(
            "{{\n  \"auths\": {{\n    \"registry.example.test\": {{\"auth\": \"{auth}\"}}\n  }}\n}}\n"
        );
        let err =
            crate::settings::file::parse("config.json", Arc::new(docker.clone()), "/r".into())
                .unwrap_err();
        let out = render_error(&err, false);
        assert!(out.contains("credscan::config"), "{out}");
        assert!(!out.contains("ZGVwbG95ZXI6"), "{out}");

        let toml = "[[allow]]\nusername = \"ghp_Zq8vLm2Kp4Rt7WxZq8vLm2Kp4Rt7WxAbCd\"\nreason = \"\u{1b}]0;owned\u{7}\"\nbogus = 1\n";
        let err =
            crate::settings::file::parse(".credscan.toml", Arc::new(toml.into()), "/r".into())
                .unwrap_err();
        let out = render_error(&err, false);
        assert!(!out.contains("Zq8vLm2Kp4Rt7Wx"), "{out}");
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
        assert_eq!(sanitize_source(toml).len(), toml.len());
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
