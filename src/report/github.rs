//! GitHub Actions workflow commands: one `::error` annotation per finding,
//! so findings show on the pull request's changed lines.
//!
//! `::error file=PATH,line=L,col=C,endLine=L2,endColumn=C2,title=T::MESSAGE`
//!
//! Paths are relative to the repository root (GitHub's workspace). Values
//! are escaped as the Actions toolkit does: `%`, CR and LF everywhere, and
//! also `:` and `,` in properties. The secret is always redacted: workflow
//! logs are widely readable.

use std::io::{self, Write};

use super::{Outcome, Roots};
use crate::finding::Finding;

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

/// The annotation for one finding.
pub fn annotation(f: &Finding, roots: &Roots) -> String {
    let path = roots.relative(&f.path).unwrap_or_else(|| f.path.clone());
    let title = format!("credscan {} {}", f.rule.id(), f.rule.name());
    let whose = match (&f.registry, &f.username) {
        (Some(r), Some(u)) => format!(" for {r} (user {u})"),
        (Some(r), None) => format!(" for {r}"),
        (None, Some(u)) => format!(" (user {u})"),
        (None, None) => String::new(),
    };
    let message = format!(
        "{} leaked: registry credential{whose}; secret {}\ndecoded: {}\nfix: {}",
        f.kind.as_str(),
        f.secret.redacted(),
        f.decode_chain,
        f.fix
    );
    format!(
        "::error file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(&path),
        f.line,
        f.column,
        f.end_line,
        f.end_column,
        escape_property(&title),
        escape_data(&message)
    )
}

/// Writes one annotation per finding to `out`, and the summary line to
/// stderr (a plain log line) unless quiet.
pub fn write(outcome: &Outcome, roots: &Roots, quiet: bool, out: &mut dyn Write) -> io::Result<()> {
    for f in &outcome.findings {
        writeln!(out, "{}", annotation(f, roots))?;
    }
    out.flush()?;
    if !quiet {
        writeln!(io::stderr(), "{}", super::human::summary(outcome))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::Rule;
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
            a.starts_with("::error file=dir%2Ca/x%3Ay.json,line=4,col=3,endLine=4,endColumn=9,title=credscan CS001 docker-config-credential::password leaked: registry credential for https://index.docker.io/v1/ (user ci-bot); secret FA********an%0Adecoded: "),
            "{a}"
        );
        assert!(!a.contains('\n'));
        assert!(!a.contains("FAKEpass-1234-credscan"));
    }
}
