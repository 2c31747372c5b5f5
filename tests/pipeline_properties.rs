//! Whole-pipeline properties and a bounded fuzz pass.
//!
//! Each case runs a file through everything a real scan does to it: the
//! engine, locating, classification, fix hints, snippets and fingerprints
//! (`input::scan_bytes`, under `input::guarded` as the walk runs it), then
//! every reporter. Secrets, usernames, registries and paths are arbitrary
//! UTF-8 or arbitrary bytes. The properties:
//!
//! - nothing panics (a contained panic is recorded as an error: none is
//!   allowed here);
//! - JSON, JSON Lines and SARIF parse;
//! - text outputs (human, concise, GitHub) carry no raw control character
//!   but line feeds (and tabs in snippet lines);
//! - no secret found is printed whole without `--reveal`.
//!
//! `CREDSCAN_FUZZ_CASES` sets the number of cases (default 64 per
//! property); `.ci/run` runs a bounded pass with more.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use proptest::prelude::*;

use credscan::input::{scan_bytes, Settings, Sink};
use credscan::report::{self, Options, Outcome, Roots};

fn cases() -> u32 {
    std::env::var("CREDSCAN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

/// Every reporter's output for one file, by format name.
fn pipeline(path: &str, bytes: &[u8], reveal: bool) -> (Vec<(&'static str, Vec<u8>)>, Outcome) {
    let settings = Settings {
        max_file_size: u64::MAX,
        reveal,
        snippets: true,
    };
    let sink = Sink::default();
    credscan::input::guarded(path, &sink, || scan_bytes(path, bytes, &settings, &sink));
    let stats = sink.stats(0);
    let (findings, notices) = sink.into_parts();
    let outcome = Outcome {
        findings,
        notices,
        stats,
        suppressed: Default::default(),
    };
    let opts = Options {
        reveal,
        color: false,
        quiet: true,
    };
    let roots = Roots::discover(std::path::Path::new("/repo"));
    let mut outs = Vec::new();
    type Writer = fn(&Outcome, &Options, &Roots, &mut dyn std::io::Write) -> std::io::Result<()>;
    let writers: [(&'static str, Writer); 6] = [
        ("human", |o, p, _, w| report::human::write(o, p, w)),
        ("concise", |o, p, _, w| {
            report::human::write_concise(o, p, w)
        }),
        ("json", |o, p, _, w| report::json::write(o, p, w)),
        ("jsonl", |o, p, _, w| report::jsonl::write(o, p, w)),
        ("sarif", |o, _, r, w| report::sarif::write(o, r, w)),
        ("github", |o, _, r, w| report::github::write(o, r, w)),
    ];
    for (name, write) in writers {
        let mut buf = Vec::new();
        write(&outcome, &opts, &roots, &mut buf).unwrap();
        outs.push((name, buf));
    }
    (outs, outcome)
}

fn check(path: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let (outs, outcome) = pipeline(path, bytes, false);
    prop_assert_eq!(
        outcome.stats.errors,
        0,
        "a panic was caught: {:?}",
        outcome.notices
    );
    for (name, out) in &outs {
        let text = String::from_utf8(out.clone())
            .map_err(|e| TestCaseError::fail(format!("{name}: not UTF-8: {e}")))?;
        match *name {
            "json" | "sarif" => {
                serde_json::from_str::<serde_json::Value>(&text)
                    .map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
            }
            "jsonl" => {
                for line in text.lines() {
                    serde_json::from_str::<serde_json::Value>(line)
                        .map_err(|e| TestCaseError::fail(format!("jsonl: {e}: {line}")))?;
                }
            }
            _ => {
                let bad = text
                    .chars()
                    .find(|&c| c.is_control() && c != '\n' && c != '\t');
                prop_assert!(bad.is_none(), "{}: raw {:?} in {:?}", name, bad, text);
                for line in text.lines() {
                    if *name != "github" {
                        prop_assert!(!line.trim_start().starts_with("::"), "{}: {:?}", name, line);
                    }
                }
            }
        }
        for f in &outcome.findings {
            let secret = f.secret.expose();
            // Only secrets that cannot be a coincidence of other fields
            // (nor of their quoting and escaping): no other field shares
            // any 8 consecutive characters of the secret.
            let chars: Vec<char> = secret.chars().collect();
            let others = [
                path,
                f.username.as_deref().unwrap_or(""),
                f.registry.as_deref().unwrap_or(""),
            ];
            let distinct = chars.len() >= 12
                && chars.windows(8).all(|w| {
                    let w: String = w.iter().collect();
                    others.iter().all(|o| !o.contains(&w))
                });
            if distinct {
                prop_assert!(!text.contains(secret), "{}: secret printed: {}", name, text);
            }
        }
    }
    Ok(())
}

/// Arbitrary text, biased to what the scanner and reporters handle
/// specially: controls, quotes, backslashes, markers, bidi characters.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,40}",
        proptest::collection::vec(
            prop_oneof![
                Just("\u{1b}[2J".to_string()),
                Just("\n::error::x".to_string()),
                Just("\r".to_string()),
                Just("\\".to_string()),
                Just("\"".to_string()),
                Just("\u{202e}".to_string()),
                Just("é€".to_string()),
                Just("gitleaks:allow".to_string()),
                Just("ghp_Zq8vLm2Kp4Rt7WxZq8vLm2Kp4Rt7WxAbCd12".to_string()),
                "[A-Za-z0-9+/=_.-]{1,16}",
            ],
            0..8,
        )
        .prop_map(|v| v.concat()),
    ]
}

/// A file that holds a credential in one of the common forms, built from
/// arbitrary parts; `raw` bytes go into the base64 `auth` (not UTF-8).
fn credential_file() -> impl Strategy<Value = Vec<u8>> {
    (
        field(),
        field(),
        field(),
        proptest::collection::vec(any::<u8>(), 0..48),
        0u8..5,
    )
        .prop_map(|(user, secret, registry, raw, form)| {
            let q = |s: &str| serde_json::to_string(s).unwrap();
            match form {
                0 => {
                    let mut pair = user.clone().into_bytes();
                    pair.push(b':');
                    pair.extend_from_slice(&raw);
                    pair.extend_from_slice(secret.as_bytes());
                    format!(
                        "{{\"auths\": {{{}: {{\"auth\": \"{}\"}}}}}}\n",
                        q(&registry),
                        STANDARD.encode(pair)
                    )
                    .into_bytes()
                }
                1 => format!(
                    "{{\"auths\": {{{}: {{\"username\": {}, \"password\": {}}}}}}}\n",
                    q(&registry),
                    q(&user),
                    q(&secret)
                )
                .into_bytes(),
                2 => format!("docker login -u {user} -p {secret} {registry}\n").into_bytes(),
                3 => format!(
                    "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
                    STANDARD.encode(format!(
                        "{{\"auths\":{{{}:{{\"auth\":\"{}\"}}}}}}",
                        q(&registry),
                        STANDARD.encode(format!("{user}:{secret}"))
                    ))
                )
                .into_bytes(),
                _ => {
                    let mut b = format!("REGISTRY_AUTH={}\n", STANDARD.encode(format!("{user}:{secret}")))
                        .into_bytes();
                    b.extend_from_slice(&raw);
                    b
                }
            }
        })
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("deploy/config.json".to_string()),
        "[a-z/._-]{1,30}",
        field().prop_filter("a path", |s| !s.is_empty()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn whole_pipeline_on_credential_forms(path in path(), file in credential_file()) {
        check(&path, &file)?;
    }

    #[test]
    fn whole_pipeline_on_arbitrary_bytes(path in path(), bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(&path, &bytes)?;
    }

    /// With `--reveal` the pipeline still never panics and JSON still
    /// parses.
    #[test]
    fn whole_pipeline_revealed(path in path(), file in credential_file()) {
        let (outs, outcome) = pipeline(&path, &file, true);
        prop_assert_eq!(outcome.stats.errors, 0);
        for (name, out) in outs {
            if name == "json" || name == "sarif" {
                prop_assert!(serde_json::from_slice::<serde_json::Value>(&out).is_ok());
            }
            if name == "human" || name == "concise" {
                let text = String::from_utf8_lossy(&out);
                prop_assert!(!text.contains('\x1b'), "raw ESC: {}", text);
            }
        }
    }
}
