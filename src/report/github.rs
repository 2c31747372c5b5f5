//! GitHub Actions workflow commands: one annotation per finding, so
//! findings show on the pull request's changed lines. The command follows
//! the severity (critical and high: `error`, medium: `warning`, low:
//! `notice`), and the message is the one SARIF results carry.
//!
//! `::error file=PATH,line=L,col=C,endLine=L2,endColumn=C2,title=T::MESSAGE`
//!
//! Paths are relative to the repository root (GitHub's workspace). Values
//! are escaped as the Actions toolkit does: `%`, CR and LF everywhere, and
//! also `:` and `,` in properties. The secret is always redacted: workflow
//! logs are widely readable.

use std::io::{self, Write};

use super::{Outcome, Roots};
use crate::model::finding::Finding;
use crate::model::kind::Severity;

/// Escapes a command's message: the toolkit's `%`, CR and LF, then every
/// other control character as in the other text outputs (ESC would reach
/// the log viewer raw).
pub fn escape_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    super::escape::text(&s).into_owned()
}

/// Escapes a command property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow command for a severity.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "notice",
    }
}

/// The annotation for one finding.
pub fn annotation(f: &Finding, roots: &Roots) -> String {
    let path = roots.relative(&f.path).unwrap_or_else(|| f.path.clone());
    let title = format!(
        "credscan {} {}: {} {}",
        f.rule.id(),
        f.rule.name(),
        f.severity.as_str(),
        f.token.as_str()
    );
    format!(
        "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        command(f.severity),
        escape_property(&path),
        f.line,
        f.column,
        f.end_line,
        f.end_column,
        escape_property(&title),
        escape_data(&super::message(f))
    )
}

/// Writes one annotation per finding to `out`.
pub fn write(outcome: &Outcome, roots: &Roots, out: &mut dyn Write) -> io::Result<()> {
    for f in &outcome.findings {
        writeln!(out, "{}", annotation(f, roots))?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rule::Rule;
    use std::path::PathBuf;

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn annotation_names_file_line_and_columns() {
        let roots = Roots {
            base: PathBuf::from("/repo"),
            src_root: PathBuf::from("/repo"),
        };
        let mut f = crate::testing::finding(
            "dir,a/x:y.json",
            Rule::DockerConfig,
            "FAKEpass-1234-credscan",
            4,
        );
        f.registry = Some("https://index.docker.io/v1/".into());
        let a = annotation(&f, &roots);
        assert!(
            a.starts_with("::error file=dir%2Ca/x%3Ay.json,line=4,col=3,endLine=4,endColumn=9,title=credscan CS001 docker-config-credential%3A high password::High registry password (password) leaked for https://index.docker.io/v1/ (user ci-bot): secret FA********an. Decoded: "),
            "{a}"
        );
        assert!(!a.contains('\n'));
        assert!(!a.contains("FAKEpass-1234-credscan"));
    }

    #[test]
    fn the_command_follows_the_severity() {
        let roots = Roots {
            base: PathBuf::from("/repo"),
            src_root: PathBuf::from("/repo"),
        };
        let mut f =
            crate::testing::finding("a.json", Rule::DockerConfig, "FAKEpass-1234-credscan", 1);
        for (sev, cmd) in [
            (Severity::Critical, "::error "),
            (Severity::High, "::error "),
            (Severity::Medium, "::warning "),
            (Severity::Low, "::notice "),
        ] {
            f.severity = sev;
            let a = annotation(&f, &roots);
            assert!(a.starts_with(cmd), "{a}");
            assert!(
                a.ends_with(&escape_data(&crate::report::message(&f))),
                "{a}"
            );
        }
    }
}
