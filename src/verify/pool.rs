//! Which findings to check, each distinct credential once, a few at a time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::target::Target;
use super::Verification;
use crate::judge::classify::TokenKind;
use crate::model::finding::{Finding, Secret, SecretKind};

/// One credential to check. `Debug` shows the secret redacted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Credential {
    /// The registry as the finding names it.
    pub registry: String,
    /// Its API endpoint; `None` when the name is not a host.
    pub target: Option<Target>,
    pub username: Option<String>,
    pub secret: Secret,
    pub kind: SecretKind,
    pub token: TokenKind,
}

/// The distinct credentials of `findings`, each with the indices of the
/// findings that carry it. Findings without a registry are not checked:
/// credscan sends a credential only to the registry its finding names.
pub fn distinct(findings: &[Finding]) -> Vec<(Credential, Vec<usize>)> {
    let mut index: HashMap<Credential, usize> = HashMap::new();
    let mut out: Vec<(Credential, Vec<usize>)> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        let Some(registry) = f.registry.as_deref() else {
            continue;
        };
        let target = Target::parse(registry);
        let cred = Credential {
            // The same endpoint under two spellings is one credential.
            registry: match &target {
                Some(t) => t.authority(),
                None => registry.to_string(),
            },
            target,
            username: f.username.clone(),
            secret: f.secret.clone(),
            kind: f.kind,
            token: f.token,
        };
        match index.get(&cred) {
            Some(&k) => out[k].1.push(i),
            None => {
                index.insert(cred.clone(), out.len());
                out.push((cred, vec![i]));
            }
        }
    }
    out
}

/// Runs `check` once per distinct credential on at most `concurrency`
/// threads; returns each finding index with its result.
pub fn check_all(
    findings: &[Finding],
    concurrency: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
    check: impl Fn(&Credential) -> Verification + Sync,
) -> Vec<(usize, Verification)> {
    let work = distinct(findings);
    let total = work.len();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Verification)>> = Mutex::new(Vec::new());
    if total > 0 {
        progress(0, total);
    }
    let workers = concurrency.clamp(1, total.max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some((cred, indices)) = work.get(k) else {
                    break;
                };
                let v = check(cred);
                if let Ok(mut r) = results.lock() {
                    r.extend(indices.iter().map(|&i| (i, v.clone())));
                }
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            });
        }
    });
    let mut r = results.into_inner().unwrap_or_default();
    r.sort_by_key(|(i, _)| *i);
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rule::Rule;
    use crate::testing;

    fn finding(registry: Option<&str>, user: &str, secret: &str) -> Finding {
        let mut f = testing::finding("a.json", Rule::ALL[0], secret, 1);
        f.registry = registry.map(str::to_string);
        f.username = Some(user.to_string());
        f
    }

    #[test]
    fn each_distinct_credential_is_checked_once() {
        let findings = vec![
            finding(
                Some("https://index.docker.io/v1/"),
                "deployer",
                "Zq8vLm2Kp4Rt7Wx",
            ),
            finding(Some("docker.io"), "deployer", "Zq8vLm2Kp4Rt7Wx"),
            finding(Some("docker.io"), "deployer", "Hx3nPq9Lw2Vb6Ty"),
            finding(Some("ghcr.io"), "deployer", "Zq8vLm2Kp4Rt7Wx"),
            finding(None, "deployer", "Zq8vLm2Kp4Rt7Wx"),
        ];
        let calls = AtomicUsize::new(0);
        let results = check_all(&findings, 3, &|_, _| {}, |c| {
            calls.fetch_add(1, Ordering::Relaxed);
            Verification::unknown(c.registry.clone())
        });
        assert_eq!(calls.load(Ordering::Relaxed), 3);
        let idx: Vec<usize> = results.iter().map(|(i, _)| *i).collect();
        assert_eq!(
            idx,
            vec![0, 1, 2, 3],
            "the finding without a registry is not checked"
        );
        assert_eq!(results[0].1.reason, "registry-1.docker.io");
        assert_eq!(results[1].1, results[0].1);
    }

    #[test]
    fn at_most_concurrency_checks_run_at_once() {
        let findings: Vec<Finding> = (0..12)
            .map(|i| {
                finding(
                    Some("registry.example.test"),
                    "deployer",
                    &format!("Zq8vLm2Kp4Rt7W{i}"),
                )
            })
            .collect();
        let (now, max) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let results = check_all(&findings, 3, &|_, _| {}, |_| {
            let n = now.fetch_add(1, Ordering::SeqCst) + 1;
            max.fetch_max(n, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(20));
            now.fetch_sub(1, Ordering::SeqCst);
            Verification::unknown("x")
        });
        assert_eq!(results.len(), 12);
        let max = max.load(Ordering::SeqCst);
        assert!(max <= 3, "{max} checks at once");
    }

    #[test]
    fn debug_output_redacts_the_secret() {
        let findings = vec![finding(Some("ghcr.io"), "deployer", "Zq8vLm2Kp4Rt7Wx")];
        let (cred, _) = &distinct(&findings)[0];
        let shown = format!("{cred:?}");
        assert!(!shown.contains("Zq8vLm2Kp4Rt7Wx"), "{shown}");
        assert!(shown.contains("ghcr.io"));
    }

    #[test]
    fn progress_counts_distinct_checks() {
        let findings: Vec<Finding> = (0..7)
            .map(|i| {
                finding(
                    Some("registry.example.test"),
                    "deployer",
                    &format!("Zq8vLm2Kp4Rt7W{i}"),
                )
            })
            .collect();
        let seen = Mutex::new(Vec::new());
        let _ = check_all(
            &findings,
            4,
            &|d, t| seen.lock().unwrap().push((d, t)),
            |_| Verification::unknown("x"),
        );
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        assert_eq!(seen, (0..=7).map(|d| (d, 7)).collect::<Vec<_>>());
    }
}
