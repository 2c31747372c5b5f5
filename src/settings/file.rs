//! `.credscan.toml` as written, parsed with the `toml` crate. Every key is
//! optional and unknown keys are rejected (`deny_unknown_fields`); values
//! keep their spans (`toml::Spanned`) so that validation errors point at the
//! value in the file.
//!
//! ```toml
//! exclude = ["tests/fixtures/", "*.md"]
//! max_file_size = "10M"      # or a number of bytes
//! format = "human"           # human, json, jsonl, sarif, github
//!
//! [[allow]]
//! fingerprint = "fc7510a2b744ad72c65b020ca07c6ec7"
//! reason = "documented example credential, revoked"
//!
//! [[allow]]
//! registry = "registry.example.test"
//! reason = "local test registry"
//!
//! [[allow]]
//! username = "ci-bot"
//! ```

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use super::{parse_size, AllowEntry, Config, ConfigError, ConfigProblem, Excludes, Format, Source};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    exclude: Option<Vec<Spanned<String>>>,
    allow: Option<Vec<Spanned<RawAllow>>>,
    max_file_size: Option<Spanned<toml::Value>>,
    format: Option<Spanned<Format>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    fingerprint: Option<Spanned<String>>,
    registry: Option<Spanned<String>>,
    username: Option<Spanned<String>>,
    reason: Option<Spanned<String>>,
}

/// Builds errors that point into one file.
struct Errors<'a> {
    name: &'a str,
    text: &'a Arc<String>,
}

impl Errors<'_> {
    fn at(&self, span: Range<usize>, message: &str, label: &str, help: &str) -> ConfigError {
        ConfigError(Box::new(ConfigProblem {
            message: format!("invalid config file {}: {message}", self.name),
            file: self.name.to_string(),
            text: Some(self.text.clone()),
            span: Some(span),
            label: label.to_string(),
            help: (!help.is_empty()).then(|| help.to_string()),
        }))
    }
}

const HELP_KEYS: &str = "top-level keys: exclude, allow, max_file_size, format; \
                         [[allow]] keys: fingerprint, registry, username, reason";

/// Parses and validates `text`, the contents of the config file `name`.
/// `root` is the directory `exclude` globs are relative to.
pub fn parse(name: &str, text: Arc<String>, root: PathBuf) -> Result<Config, ConfigError> {
    let errors = Errors { name, text: &text };
    let raw: RawConfig = toml::from_str(&text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim().to_string();
        let help = if message.contains("unknown field") {
            HELP_KEYS
        } else {
            ""
        };
        errors.at(span, &message, "here", help)
    })?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| root.clone());
    let excludes = match &raw.exclude {
        Some(globs) if !globs.is_empty() => {
            let strs: Vec<&str> = globs.iter().map(|g| g.get_ref().as_str()).collect();
            let ex = Excludes::new(&strs, &root, &cwd).map_err(|(i, why)| {
                errors.at(
                    globs[i].span(),
                    "bad exclude glob",
                    &why,
                    "globs follow .gitignore: `*.md`, `/build`, `tests/fixtures/`, `**/testdata/**`",
                )
            })?;
            Some(Arc::new(ex))
        }
        _ => None,
    };
    let max_file_size = raw
        .max_file_size
        .as_ref()
        .map(|v| size(v, &errors))
        .transpose()?;
    let allow = raw
        .allow
        .unwrap_or_default()
        .into_iter()
        .map(|e| allow_entry(e, &errors))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Config {
        source: Some(Source {
            name: name.to_string(),
            text: text.clone(),
        }),
        root,
        excludes,
        allow,
        max_file_size,
        format: raw.format.map(Spanned::into_inner),
    })
}

fn size(v: &Spanned<toml::Value>, errors: &Errors<'_>) -> Result<u64, ConfigError> {
    let bad = |why: &str| {
        errors.at(
            v.span(),
            "bad max_file_size",
            why,
            "a number of bytes or a size such as \"512K\", \"10M\", \"1G\"",
        )
    };
    match v.get_ref() {
        toml::Value::Integer(n) => u64::try_from(*n).map_err(|_| bad("must not be negative")),
        toml::Value::String(s) => parse_size(s).map_err(|e| bad(&e)),
        other => Err(bad(&format!(
            "expected a size, found a {}",
            other.type_str()
        ))),
    }
}

fn allow_entry(raw: Spanned<RawAllow>, errors: &Errors<'_>) -> Result<AllowEntry, ConfigError> {
    // An `[[allow]]` table's own span is its header; stretch it over the
    // keys so a stale warning underlines the whole entry.
    let header = raw.span();
    let raw = raw.into_inner();
    let end = [&raw.fingerprint, &raw.registry, &raw.username, &raw.reason]
        .iter()
        .filter_map(|v| v.as_ref().map(|s| s.span().end))
        .filter(|&e| e > header.start)
        .max()
        .unwrap_or(header.end)
        .max(header.end);
    let span = header.start..end;
    let non_empty = |v: Option<Spanned<String>>, key: &str| match v {
        Some(s) if s.get_ref().trim().is_empty() => Err(errors.at(
            s.span(),
            &format!("empty {key}"),
            "empty",
            "remove the key or give it a value",
        )),
        Some(s) => Ok(Some(s)),
        None => Ok(None),
    };
    let fingerprint = non_empty(raw.fingerprint, "fingerprint")?;
    let registry = non_empty(raw.registry, "registry")?;
    let username = non_empty(raw.username, "username")?;
    let reason = non_empty(raw.reason, "reason")?;
    if fingerprint.is_none() && registry.is_none() && username.is_none() {
        return Err(errors.at(
            span,
            "allow entry matches nothing",
            "needs fingerprint, registry or username",
            "an [[allow]] entry needs at least one of fingerprint, registry, username",
        ));
    }
    if let Some(f) = &fingerprint {
        let v = f.get_ref();
        if v.len() != 32
            || !v
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(errors.at(
                f.span(),
                "bad fingerprint",
                "not a credscan fingerprint",
                "a fingerprint is 32 lowercase hex characters, as printed by `--format json`",
            ));
        }
        if reason.is_none() {
            return Err(errors.at(
                f.span(),
                "allow entry by fingerprint without a reason",
                "no reason given",
                "add `reason = \"...\"` saying why this credential may stay",
            ));
        }
    }
    Ok(AllowEntry {
        fingerprint: fingerprint.map(Spanned::into_inner),
        registry: registry.map(Spanned::into_inner),
        username: username.map(Spanned::into_inner),
        reason: reason.map(Spanned::into_inner),
        span,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config, ConfigError> {
        parse(".credscan.toml", Arc::new(text.to_string()), "/repo".into())
    }

    fn err(text: &str) -> (ConfigError, String) {
        let e = parse_str(text).unwrap_err();
        let span = e.span.clone().expect("span");
        (e, text[span].to_string())
    }

    #[test]
    fn full_config() {
        let cfg = parse_str(
            r#"
exclude = ["tests/", "*.md"]
max_file_size = "10M"
format = "sarif"

[[allow]]
fingerprint = "0123456789abcdef0123456789abcdef"
reason = "revoked example"

[[allow]]
registry = "registry.example.test"
username = "ci-bot"
"#,
        )
        .unwrap();
        assert_eq!(cfg.max_file_size, Some(10 << 20));
        assert_eq!(cfg.format, Some(Format::Sarif));
        assert_eq!(cfg.allow.len(), 2);
        assert_eq!(cfg.allow[1].username.as_deref(), Some("ci-bot"));
        let ex = cfg.excludes.unwrap();
        assert!(ex.matches("tests/a.json", false));
        assert!(ex.matches("doc/x.md", false));
        // The entry's span covers its keys, for stale warnings.
        let text = cfg.source.unwrap().text;
        let at = &text[cfg.allow[0].span.clone()];
        assert!(at.contains("0123456789abcdef"), "{at:?}");
    }

    #[test]
    fn empty_file_is_fine() {
        let cfg = parse_str("").unwrap();
        assert!(cfg.allow.is_empty() && cfg.excludes.is_none() && cfg.format.is_none());
        assert_eq!(
            parse_str("max_file_size = 1024").unwrap().max_file_size,
            Some(1024)
        );
    }

    #[test]
    fn unknown_keys_point_at_the_key() {
        let (e, at) = err("exclude = []\nexclude_paths = [\"x\"]\n");
        assert!(e.message.contains("unknown field"), "{}", e.message);
        assert_eq!(at, "exclude_paths");
        assert!(e.help.clone().unwrap().contains("max_file_size"));
        let (e, at) = err("[[allow]]\nusername = \"a\"\nhost = \"b\"\n");
        assert!(e.message.contains("unknown field"), "{}", e.message);
        assert_eq!(at, "host");
    }

    #[test]
    fn bad_values_point_at_the_value() {
        let (e, at) = err("format = \"xml\"\n");
        assert!(e.message.contains("xml"), "{}", e.message);
        assert_eq!(at, "\"xml\"");
        let (e, at) = err("max_file_size = \"lots\"\n");
        assert!(e.message.contains("max_file_size"));
        assert_eq!(at, "\"lots\"");
        let (_, at) = err("max_file_size = -1\n");
        assert_eq!(at, "-1");
        let (_, at) = err("max_file_size = true\n");
        assert_eq!(at, "true");
        let (e, at) = err("exclude = [\"ok\", \"a[\"]\n");
        assert!(e.label.contains("unclosed"), "{}", e.label);
        assert_eq!(at, "\"a[\"");
        let (_, at) = err("exclude = \"tests\"\n");
        assert_eq!(at, "\"tests\"");
        let (e, at) = err("[[allow]]\nfingerprint = \"xyz\"\nreason = \"r\"\n");
        assert!(e.message.contains("bad fingerprint"));
        assert_eq!(at, "\"xyz\"");
    }

    #[test]
    fn allow_entries_are_checked() {
        let (e, _) = err("[[allow]]\nreason = \"why\"\n");
        assert!(e.message.contains("matches nothing"), "{}", e.message);
        let (e, at) = err("[[allow]]\nfingerprint = \"0123456789abcdef0123456789abcdef\"\n");
        assert!(e.message.contains("without a reason"), "{}", e.message);
        assert!(at.contains("0123"));
        let (e, _) = err("[[allow]]\nusername = \" \"\n");
        assert!(e.message.contains("empty username"), "{}", e.message);
    }
}
