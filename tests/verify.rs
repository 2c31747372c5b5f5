//! `--verify` end to end: the built binary against servers the tests start
//! on 127.0.0.1. Built only with the `verify` feature
//! (`cargo test --features verify`). Tests marked `needs docker-registry` run Debian's
//! `docker-registry` package (CNCF distribution 2.8) with htpasswd or token
//! authentication; they fail when it is missing (`.ci/run` installs it).
//! The others use small fake servers that record what they receive.
//!
//! Every run also checks that no secret (nor its Basic encoding) appears in
//! standard output or standard error.
#![cfg(feature = "verify")]

mod common;
mod verify_support;

use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

use verify_support::*;

const USER: &str = "deployer";
const PASSWORD: &str = "Zq8vLm2Kp4Rt7Wx";
const WRONG: &str = "Hx3nPq9Lw2Vb6Ty";
const REFRESH: &str = "rt-Hq7Wm3Zx9Lp2Vn6Kc4Tb8Yd5Fg1Js0Ra";
const REVOKED: &str = "rt-Revoked4Wm3Zx9Lp2Vn6Kc4Tb8Yd5Fg1";

fn config_auth(host: &str, user: &str, password: &str) -> String {
    let auth = STANDARD.encode(format!("{user}:{password}"));
    format!("{{\"auths\": {{\"{host}\": {{\"auth\": \"{auth}\"}}}}}}\n")
}

fn config_identity(host: &str, token: &str) -> String {
    format!("{{\"auths\": {{\"{host}\": {{\"auth\": \"\", \"identitytoken\": \"{token}\"}}}}}}\n")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

impl Run {
    /// JSON Lines findings.
    fn findings(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    fn finding(&self, path: &str) -> Value {
        self.findings()
            .into_iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("no finding in {path}:\n{}\n{}", self.stdout, self.stderr))
    }

    fn status(&self, path: &str) -> String {
        let f = self.finding(path);
        f["verification"]["status"]
            .as_str()
            .unwrap_or_else(|| panic!("{path} has no verification: {f}"))
            .to_string()
    }

    fn reason(&self, path: &str) -> String {
        self.finding(path)["verification"]["reason"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// Scans `files` (written into a fresh directory) with `args`; JSON Lines
/// unless `args` name a format. Asserts that no secret leaks.
fn scan(files: &[(&str, String)], args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), files);
    scan_dir(dir.path(), args, &[])
}

fn scan_dir(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = common::credscan();
    cmd.current_dir(dir);
    for var in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    if !args.contains(&"--format") {
        cmd.args(["--format", "jsonl"]);
    }
    cmd.args(args).arg(".");
    let start = Instant::now();
    let out = cmd.output().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    };
    for secret in [PASSWORD, WRONG, REFRESH, REVOKED] {
        for user in [USER, "intruder"] {
            let basic = STANDARD.encode(format!("{user}:{secret}"));
            for text in [&run.stdout, &run.stderr] {
                assert!(!text.contains(secret), "secret in output:\n{text}");
                assert!(
                    !text.contains(&basic),
                    "Basic credentials in output:\n{text}"
                );
            }
        }
    }
    run
}

/// A fake registry with Basic authentication accepting USER/PASSWORD.
fn basic_registry(req: &Seen) -> Reply {
    match req.basic() {
        None => Reply::new(401).header("WWW-Authenticate", "Basic realm=\"fake\""),
        Some((u, p)) if u == USER && p == PASSWORD => Reply::new(200).json("{}".into()),
        Some(_) => Reply::new(401).header("WWW-Authenticate", "Basic realm=\"fake\""),
    }
}

fn ca_args(dir: &Path, pki: &Pki) -> String {
    pki.write_ca(dir).display().to_string()
}

/// Writes `files` into `dir`.
fn write_files(dir: &Path, files: &[(&str, String)]) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// A fresh directory holding the test CA (whose path is returned) and `files`.
fn dir_with_ca(pki: &Pki, files: &[(&str, String)]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let ca = ca_args(dir.path(), pki);
    write_files(dir.path(), files);
    (dir, ca)
}

/// Scans `files` with `--verify`, trusting the test CA.
fn verify_files(pki: &Pki, files: &[(&str, String)]) -> Run {
    let (dir, ca) = dir_with_ca(pki, files);
    scan_dir(dir.path(), &["--verify", "--verify-ca-file", &ca], &[])
}

/// Scans one config `a.json` holding USER/PASSWORD for `host` with
/// `--verify`, trusting the test CA.
fn verify_host(pki: &Pki, host: &str) -> Run {
    verify_files(pki, &[("a.json", config_auth(host, USER, PASSWORD))])
}

/// The finding in `path` has verification `status`; a failure shows its
/// reason and the registry's `log`.
fn assert_status(run: &Run, path: &str, status: &str, log: &str) {
    assert_eq!(
        run.status(path),
        status,
        "{path}: {}\n{log}",
        run.reason(path)
    );
}

/// The finding in `path` is unknown and its reason contains `text`.
fn assert_unknown_because(run: &Run, path: &str, text: &str) {
    assert_eq!(run.status(path), "unknown", "{path}: {}", run.reason(path));
    let reason = run.reason(path);
    assert!(reason.contains(text), "{path}: {reason}");
}

#[test]
fn no_connection_without_verify() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let host = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    let files = [("config.json", config_auth(&host, USER, PASSWORD))];
    let run = scan(&files, &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.finding("config.json").get("verification").is_none());
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the scan connected without --verify: {other:?}"),
    }
    // The control: the same scan with --verify does connect.
    let run = scan(&files, &["--verify", "--verify-timeout", "1"]);
    assert_eq!(run.status("config.json"), "unknown");
    assert!(listener.accept().is_ok(), "--verify made no connection");
}

#[test]
fn basic_registry_live_invalid_and_outputs() {
    let pki = Pki::new();
    let server = FakeServer::https(&pki.loopback(), |r, _| basic_registry(r));
    let host = format!("127.0.0.1:{}", server.port());
    let files = [
        ("live.json", config_auth(&host, USER, PASSWORD)),
        ("copy.json", config_auth(&host, USER, PASSWORD)),
        ("wrong.json", config_auth(&host, USER, WRONG)),
    ];
    let (dir, ca) = dir_with_ca(&pki, &files);
    let run = scan_dir(dir.path(), &["--verify", "--verify-ca-file", &ca], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.status("live.json"), "live");
    assert_eq!(run.status("copy.json"), "live");
    assert_eq!(run.status("wrong.json"), "invalid");
    assert_eq!(run.finding("live.json")["severity"], "critical");
    assert_eq!(run.finding("wrong.json")["severity"], "low");
    assert!(
        run.reason("wrong.json").contains("401"),
        "{}",
        run.reason("wrong.json")
    );
    // Each distinct credential is checked once: two credentials, so two
    // authenticated requests (the copy shares the live one's result).
    let authed = server.seen().iter().filter(|r| r.basic().is_some()).count();
    assert_eq!(authed, 2, "{:?}", server.seen());

    let sarif = scan_dir(
        dir.path(),
        &["--verify", "--verify-ca-file", &ca, "--format", "sarif"],
        &[],
    );
    let doc: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["properties"]["verification"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == "live").count(), 2);
    assert_eq!(statuses.iter().filter(|s| **s == "invalid").count(), 1);
    let text = results[0]["message"]["text"].as_str().unwrap();
    assert!(text.contains("Verified "), "{text}");

    let github = scan_dir(
        dir.path(),
        &["--verify", "--verify-ca-file", &ca, "--format", "github"],
        &[],
    );
    assert!(github.stdout.contains("Verified live"), "{}", github.stdout);

    // The system trust store is used: SSL_CERT_FILE names it here.
    let system = scan_dir(dir.path(), &["--verify"], &[("SSL_CERT_FILE", &ca)]);
    assert_eq!(
        system.status("live.json"),
        "live",
        "{}",
        system.reason("live.json")
    );

    let human = scan_dir(
        dir.path(),
        &[
            "--verify",
            "--verify-ca-file",
            &ca,
            "--format",
            "human",
            "--color",
            "never",
        ],
        &[],
    );
    assert!(
        human.stdout.contains("verified: live ("),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("verified: invalid ("),
        "{}",
        human.stdout
    );

    let only = scan_dir(
        dir.path(),
        &["--verify", "--verify-ca-file", &ca, "--only-live"],
        &[],
    );
    let paths: Vec<String> = only
        .findings()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, vec!["copy.json", "live.json"]);
    let only_human = scan_dir(
        dir.path(),
        &[
            "--verify",
            "--verify-ca-file",
            &ca,
            "--only-live",
            "--format",
            "human",
        ],
        &[],
    );
    assert!(
        human
            .stderr
            .contains("verified: 2 live, 1 invalid, 0 unknown"),
        "{}",
        human.stderr
    );
    assert!(
        only_human.stderr.contains("1 not live (--only-live)"),
        "{}",
        only_human.stderr
    );

    // Without the CA the certificate is not trusted: unknown, nothing sent.
    let before = server.seen().len();
    let untrusted = scan_dir(dir.path(), &["--verify"], &[]);
    assert_unknown_because(&untrusted, "live.json", "TLS");
    assert_eq!(server.seen().len(), before);
}

#[test]
fn connection_refused_is_unknown() {
    let host = format!("127.0.0.1:{}", free_port());
    let run = scan(
        &[("a.json", config_auth(&host, USER, PASSWORD))],
        &["--verify"],
    );
    assert_unknown_because(&run, "a.json", "refused");
    assert_eq!(run.code, 1);
}

#[test]
fn silent_server_times_out() {
    let server = FakeServer::silent();
    let host = format!("127.0.0.1:{}", server.port());
    let run = scan(
        &[("a.json", config_auth(&host, USER, PASSWORD))],
        &["--verify", "--verify-timeout", "1"],
    );
    assert_unknown_because(&run, "a.json", "in time");
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
    assert!(server.connections() >= 1);
}

#[test]
fn certificate_for_another_name_is_unknown_and_gets_nothing() {
    let pki = Pki::new();
    let server = FakeServer::https(&pki.leaf(&["other.example.test"]), |r, _| basic_registry(r));
    let host = format!("127.0.0.1:{}", server.port());
    let run = verify_host(&pki, &host);
    assert_unknown_because(&run, "a.json", "TLS");
    assert_unknown_because(&run, "a.json", "certificate");
    assert!(server.seen().is_empty(), "{:?}", server.seen());
}

#[test]
fn retry_after_is_honoured() {
    let pki = Pki::new();
    let server = FakeServer::https(&pki.loopback(), |r, n| {
        if n == 0 {
            Reply::new(429).header("Retry-After", "1")
        } else {
            basic_registry(r)
        }
    });
    let host = format!("127.0.0.1:{}", server.port());
    let run = verify_host(&pki, &host);
    assert_eq!(run.status("a.json"), "live", "{}", run.reason("a.json"));
    assert!(run.elapsed >= Duration::from_secs(1), "{:?}", run.elapsed);
    assert_eq!(server.seen().len(), 3);
}

#[test]
fn rate_limit_beyond_the_cap_and_server_errors_are_unknown() {
    let pki = Pki::new();
    let limited = FakeServer::https(&pki.loopback(), |_, _| {
        Reply::new(429).header("Retry-After", "3600")
    });
    let broken = FakeServer::https(&pki.loopback(), |_, _| Reply::new(500));
    let busy = FakeServer::https(&pki.loopback(), |_, _| {
        Reply::new(429).header("Retry-After", "1")
    });
    let h = |s: &FakeServer| format!("127.0.0.1:{}", s.port());
    let files = [
        ("limited.json", config_auth(&h(&limited), USER, PASSWORD)),
        ("broken.json", config_auth(&h(&broken), USER, PASSWORD)),
        ("busy.json", config_auth(&h(&busy), USER, PASSWORD)),
    ];
    let run = verify_files(&pki, &files);
    assert_unknown_because(&run, "limited.json", "Retry-After");
    assert_unknown_because(&run, "broken.json", "HTTP 500");
    assert_eq!(
        run.finding("broken.json")["severity"],
        "high",
        "unknown keeps the severity"
    );
    assert_unknown_because(&run, "busy.json", "after 3 attempts");
    assert_eq!(busy.seen().len(), 3);
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
}

#[test]
fn redirect_to_another_host_carries_no_credentials() {
    let pki = Pki::new();
    let elsewhere = FakeServer::https(&pki.loopback(), |_, _| Reply::new(200));
    let target = format!("https://localhost:{}/v2/", elsewhere.port());
    let server = FakeServer::https(&pki.loopback(), move |r, _| {
        if r.basic().is_some() {
            Reply::new(307).header("Location", &target)
        } else {
            Reply::new(401).header("WWW-Authenticate", "Basic realm=\"fake\"")
        }
    });
    let host = format!("127.0.0.1:{}", server.port());
    let run = verify_host(&pki, &host);
    assert_unknown_because(&run, "a.json", "another origin");
    assert_eq!(elsewhere.connections(), 0);
}

#[test]
fn same_origin_redirects_are_followed() {
    let pki = Pki::new();
    let server = FakeServer::https(&pki.loopback(), |r, _| {
        if r.target == "/v2/" && r.basic().is_some() {
            Reply::new(307).header("Location", "/v2/moved")
        } else {
            basic_registry(r)
        }
    });
    let host = format!("127.0.0.1:{}", server.port());
    let run = verify_host(&pki, &host);
    assert_eq!(run.status("a.json"), "live", "{}", run.reason("a.json"));
    assert!(server
        .seen()
        .iter()
        .any(|r| r.target == "/v2/moved" && r.basic().is_some()));
}

#[test]
fn insecure_registry_allows_an_unverified_certificate() {
    let pki = Pki::new();
    let server = FakeServer::https(&pki.leaf(&["other.example.test"]), |r, _| basic_registry(r));
    let host = format!("127.0.0.1:{}", server.port());
    let files = [("a.json", config_auth(&host, USER, PASSWORD))];
    let run = scan(&files, &["--verify", "--insecure-registry", &host]);
    assert_eq!(run.status("a.json"), "live", "{}", run.reason("a.json"));
}

#[test]
fn plain_http_registry_needs_insecure_registry() {
    let server = FakeServer::http(|r, _| basic_registry(r));
    let host = format!("127.0.0.1:{}", server.port());
    let files = [("a.json", config_auth(&host, USER, PASSWORD))];
    let run = scan(&files, &["--verify"]);
    assert_eq!(run.status("a.json"), "unknown");
    assert!(
        server
            .seen()
            .iter()
            .all(|r| r.header("authorization").is_none()),
        "{:?}",
        server.seen()
    );
    let run = scan(&files, &["--verify", "--insecure-registry", &host]);
    assert_eq!(run.status("a.json"), "live", "{}", run.reason("a.json"));
    assert!(server.seen().iter().any(|r| r.basic().is_some()));
    // Another port of the same host is not covered by the entry.
    let run = scan(&files, &["--verify", "--insecure-registry", "127.0.0.1:1"]);
    assert_eq!(run.status("a.json"), "unknown");
}

#[test]
fn plain_http_token_realm_gets_no_credentials() {
    let pki = Pki::new();
    let realm = FakeServer::http(|_, _| Reply::new(200).json(r#"{"token":"t"}"#.into()));
    let challenge = format!(
        "Bearer realm=\"http://127.0.0.1:{}/token\",service=\"fake\"",
        realm.port()
    );
    let server = FakeServer::https(&pki.loopback(), move |_, _| {
        Reply::new(401).header("WWW-Authenticate", &challenge)
    });
    let host = format!("127.0.0.1:{}", server.port());
    let run = verify_host(&pki, &host);
    assert_unknown_because(&run, "a.json", "not HTTPS");
    assert_eq!(realm.connections(), 0);
}

#[test]
fn proxy_from_the_environment_is_used_and_no_proxy_bypasses_it() {
    // A proxy that refuses every CONNECT: if credscan goes through it, the
    // result is unknown and the proxy saw the CONNECT line.
    let proxy = FakeServer::http(|_, _| Reply::new(403));
    let pki = Pki::new();
    let server = FakeServer::https(&pki.loopback(), |r, _| basic_registry(r));
    let host = format!("127.0.0.1:{}", server.port());
    let (dir, ca) = dir_with_ca(&pki, &[("a.json", config_auth(&host, USER, PASSWORD))]);
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port());
    let args = ["--verify", "--verify-ca-file", &ca];
    let run = scan_dir(dir.path(), &args, &[("HTTPS_PROXY", &proxy_url)]);
    assert_eq!(run.status("a.json"), "unknown");
    let seen = proxy.seen();
    assert!(
        seen.iter()
            .any(|r| r.method == "CONNECT" && r.target == host),
        "{seen:?}"
    );
    assert!(seen.iter().all(|r| r.header("authorization").is_none()));
    let run = scan_dir(
        dir.path(),
        &args,
        &[("HTTPS_PROXY", &proxy_url), ("NO_PROXY", "127.0.0.1")],
    );
    assert_eq!(run.status("a.json"), "live", "{}", run.reason("a.json"));
    assert_eq!(proxy.seen().len(), seen.len());
}

#[test]
#[ignore = "needs docker-registry"]
fn htpasswd_registry_live_wrong_password_unknown_user() {
    let pki = Pki::new();
    let registry = Registry::start(
        &pki.loopback(),
        RegistryAuth::Htpasswd(&[(USER, PASSWORD), ("other-user", WRONG)]),
    );
    let host = registry.host();
    let files = [
        ("live.json", config_auth(&host, USER, PASSWORD)),
        ("wrong.json", config_auth(&host, USER, WRONG)),
        ("stranger.json", config_auth(&host, "intruder", PASSWORD)),
    ];
    let run = verify_files(&pki, &files);
    let log = registry.log();
    assert_status(&run, "live.json", "live", &log);
    assert!(
        run.reason("live.json").contains("Basic"),
        "{}",
        run.reason("live.json")
    );
    assert_eq!(run.finding("live.json")["severity"], "critical");
    assert_status(&run, "wrong.json", "invalid", &log);
    assert_status(&run, "stranger.json", "invalid", &log);
    assert_eq!(run.finding("stranger.json")["severity"], "low");
}

#[test]
#[ignore = "needs docker-registry"]
fn token_registry_live_wrong_password_and_identity_tokens() {
    let pki = Pki::new();
    let tokens = TokenServer::start(
        &pki.loopback(),
        Accounts {
            passwords: vec![(USER.into(), PASSWORD.into())],
            refresh_tokens: vec![REFRESH.into()],
        },
    );
    let registry = Registry::start(
        &pki.loopback(),
        RegistryAuth::Token {
            realm: tokens.realm(),
            signer_pem: tokens.signer_pem.clone(),
        },
    );
    let host = registry.host();
    let files = [
        ("live.json", config_auth(&host, USER, PASSWORD)),
        ("wrong.json", config_auth(&host, USER, WRONG)),
        ("refresh.json", config_identity(&host, REFRESH)),
        ("revoked.json", config_identity(&host, REVOKED)),
    ];
    let run = verify_files(&pki, &files);
    let log = registry.log();
    assert_status(&run, "live.json", "live", &log);
    assert!(
        run.reason("live.json").contains("token service"),
        "{}",
        run.reason("live.json")
    );
    assert_status(&run, "wrong.json", "invalid", &log);
    assert_status(&run, "refresh.json", "live", &log);
    assert_status(&run, "revoked.json", "invalid", &log);

    // The token service saw the documented requests.
    let seen = tokens.server.seen();
    let get = seen
        .iter()
        .find(|r| r.method == "GET" && r.basic() == Some((USER.into(), PASSWORD.into())))
        .expect("a GET with Basic credentials");
    assert_eq!(
        get.query().get("service").map(String::as_str),
        Some(TOKEN_SERVICE)
    );
    assert_eq!(get.query().get("account").map(String::as_str), Some(USER));
    let post = seen
        .iter()
        .find(|r| {
            r.method == "POST" && r.form().get("refresh_token").map(String::as_str) == Some(REFRESH)
        })
        .expect("an OAuth2 refresh_token POST");
    assert_eq!(
        post.form().get("grant_type").map(String::as_str),
        Some("refresh_token")
    );
    assert_eq!(
        post.form().get("service").map(String::as_str),
        Some(TOKEN_SERVICE)
    );
    assert!(
        seen.iter()
            .all(|r| r.method != "GET" || r.basic().is_some()),
        "no anonymous token request"
    );
}

/// A fake registry whose token service is on the same host at `realm_path`
/// (which may carry a query), accepting one user and password.
fn fake_token_registry(pki: &Pki, realm_path: &str, service: &str, user: &str) -> FakeServer {
    let port = std::sync::Arc::new(std::sync::OnceLock::<u16>::new());
    let (p2, realm_path, service, user) = (
        port.clone(),
        realm_path.to_string(),
        service.to_string(),
        user.to_string(),
    );
    let token_path = realm_path.split('?').next().unwrap().to_string();
    let server = FakeServer::https(&pki.loopback(), move |r, _| {
        let path = r.target.split('?').next().unwrap_or("");
        if path == token_path {
            return match r.basic() {
                Some((u, p)) if u == user && p == PASSWORD => {
                    Reply::new(200).json(r#"{"token":"issued-by-fake"}"#.into())
                }
                _ => Reply::new(401),
            };
        }
        if r.bearer() == Some("issued-by-fake") {
            return Reply::new(200).json("{}".into());
        }
        let challenge = format!(
            "Bearer realm=\"https://127.0.0.1:{}{realm_path}\",service=\"{service}\"",
            p2.get().unwrap()
        );
        Reply::new(401).header("WWW-Authenticate", &challenge)
    });
    port.set(server.port()).unwrap();
    server
}

fn ecr_token(expiration: u64) -> String {
    STANDARD.encode(format!(
        "{{\"payload\":\"Zm9vYmFyUGF5bG9hZEZha2U=\",\"datakey\":\"ZGF0YWtleUZha2U=\",\"version\":\"2\",\"type\":\"DATA_KEY\",\"expiration\":{expiration}}}"
    ))
}

/// The request shapes of the documented registry flows, against fakes that
/// answer as those registries document (the real services are never
/// contacted by tests).
#[test]
fn documented_registry_flows() {
    let pki = Pki::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();

    // Harbor: robot accounts named `robot$project+name`, realm /service/token.
    let harbor = fake_token_registry(&pki, "/service/token", "harbor-registry", "robot$ci+puller");
    // NGC: a realm that already carries a query, user `$oauthtoken`.
    let ngc = fake_token_registry(&pki, "/token?service=ngc", "ngc", "$oauthtoken");
    // ACR: the null GUID user with a refresh token as password, /oauth2/token.
    let acr_user = "00000000-0000-0000-0000-000000000000";
    let acr = fake_token_registry(&pki, "/oauth2/token", "fake.azurecr.io", acr_user);
    // ECR: Basic on /v2/ with user AWS.
    let ecr = FakeServer::https(&pki.loopback(), |r, _| match r.basic() {
        Some((u, p)) if u == "AWS" && p == ecr_token(4_102_444_800) => Reply::new(200),
        _ => Reply::new(401).header(
            "WWW-Authenticate",
            "Basic realm=\"https://fake.dkr.ecr.test/\",service=\"ecr.amazonaws.com\"",
        ),
    });
    // A registrytoken: a bearer token sent as is.
    let bearer = FakeServer::https(&pki.loopback(), |r, _| {
        if r.bearer() == Some(REFRESH) {
            Reply::new(200)
        } else {
            Reply::new(401).header("WWW-Authenticate", "Bearer realm=\"https://127.0.0.1:1/t\"")
        }
    });
    // A registry without authentication cannot tell anything.
    let open = FakeServer::https(&pki.loopback(), |_, _| Reply::new(200));

    let h = |s: &FakeServer| format!("127.0.0.1:{}", s.port());
    let files = [
        (
            "harbor.json",
            config_auth(&h(&harbor), "robot$ci+puller", PASSWORD),
        ),
        ("ngc.json", config_auth(&h(&ngc), "$oauthtoken", PASSWORD)),
        ("acr.json", config_auth(&h(&acr), acr_user, PASSWORD)),
        (
            "ecr.json",
            config_auth(&h(&ecr), "AWS", &ecr_token(4_102_444_800)),
        ),
        (
            "ecr-expired.json",
            config_auth(&h(&ecr), "AWS", &ecr_token(now - 3600)),
        ),
        (
            "bearer.json",
            format!(
                "{{\"auths\": {{\"{}\": {{\"registrytoken\": \"{REFRESH}\"}}}}}}\n",
                h(&bearer)
            ),
        ),
        ("open.json", config_auth(&h(&open), USER, PASSWORD)),
        ("identity-on-basic.json", config_identity(&h(&ecr), REFRESH)),
        (
            "bearer-open.json",
            format!(
                "{{\"auths\": {{\"{}\": {{\"registrytoken\": \"{REFRESH}\"}}}}}}\n",
                h(&open)
            ),
        ),
    ];
    let run = verify_files(&pki, &files);
    for live in [
        "harbor.json",
        "ngc.json",
        "acr.json",
        "ecr.json",
        "bearer.json",
    ] {
        assert_eq!(run.status(live), "live", "{live}: {}", run.reason(live));
    }
    assert_eq!(run.status("ecr-expired.json"), "invalid");
    assert!(run.reason("ecr-expired.json").contains("no request sent"));
    assert_eq!(run.status("open.json"), "unknown");
    assert!(run.reason("open.json").contains("without authentication"));
    assert_eq!(
        run.status("bearer-open.json"),
        "unknown",
        "an open registry accepts any token"
    );
    assert_eq!(run.status("identity-on-basic.json"), "unknown");
    assert!(run
        .reason("identity-on-basic.json")
        .contains("token service"));

    let token_get = |s: &FakeServer| {
        s.seen()
            .into_iter()
            .find(|r| r.basic().is_some())
            .expect("a token request with Basic credentials")
    };
    let t = token_get(&harbor);
    assert!(
        t.target
            .starts_with("/service/token?service=harbor-registry&account=robot%24ci%2Bpuller"),
        "{}",
        t.target
    );
    assert_eq!(t.basic().unwrap().0, "robot$ci+puller");
    let t = token_get(&ngc);
    assert!(
        t.target
            .starts_with("/token?service=ngc&service=ngc&account=%24oauthtoken"),
        "{}",
        t.target
    );
    let t = token_get(&acr);
    assert!(
        t.target
            .starts_with("/oauth2/token?service=fake.azurecr.io&account=00000000-"),
        "{}",
        t.target
    );
    // The expired ECR token was never sent.
    let expired = ecr_token(now - 3600);
    assert!(ecr
        .seen()
        .iter()
        .all(|r| r.basic().map(|b| b.1) != Some(expired.clone())));
}
