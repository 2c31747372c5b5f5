//! The HTTP side of verification: ureq (blocking) over rustls with the ring
//! provider. This file enforces the transport rules:
//!
//! - credentials travel only over verified HTTPS, except to a host the user
//!   named with `--insecure-registry` (plain HTTP or unverified TLS);
//! - redirects are followed only within one origin (scheme, host, port), so
//!   they never carry credentials to another host;
//! - each host gets at most one request per [`Options::host_interval`], and
//!   `Retry-After` on 429/503 is honoured (up to a limit);
//! - error texts name hosts and statuses, never headers or bodies.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use ureq::http::Uri;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::Agent;

use super::target::Insecure;
use super::Options;

/// How a request authenticates.
#[derive(Clone, Copy)]
pub enum Auth<'a> {
    None,
    Basic { user: &'a str, password: &'a str },
    Bearer(&'a str),
}

/// One request: a GET, or a form POST when `form` is set.
pub struct Request<'a> {
    pub url: String,
    pub auth: Auth<'a>,
    pub form: Option<Vec<(&'static str, &'a str)>>,
}

impl Request<'_> {
    fn carries_secret(&self) -> bool {
        !matches!(self.auth, Auth::None) || self.form.is_some()
    }
}

/// What came back (after same-origin redirects and rate-limit retries).
/// No `Debug`: the body may hold an issued token.
pub struct Response {
    pub status: u16,
    /// The `WWW-Authenticate` header values.
    pub challenges: Vec<String>,
    /// The body, at most [`BODY_LIMIT`] bytes, lossily decoded.
    pub body: String,
}

/// Registry answers we read are small JSON documents.
const BODY_LIMIT: u64 = 64 * 1024;
const MAX_REDIRECTS: usize = 5;
const MAX_ATTEMPTS: usize = 3;

pub struct Client {
    verified: Agent,
    unverified: Agent,
    insecure: Insecure,
    limiter: Limiter,
    max_retry_after: Duration,
}

impl Client {
    /// Builds the agents. Reads the system trust store and `--verify-ca-file`;
    /// opens no connection.
    pub fn new(opts: &Options) -> Result<Client, String> {
        // ureq is built without a default provider: use ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut roots: Vec<Certificate<'static>> = Vec::new();
        let native = rustls_native_certs::load_native_certs();
        for der in native.certs {
            roots.push(Certificate::from_der(der.as_ref()).to_owned());
        }
        if let Some(path) = &opts.ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| format!("cannot read --verify-ca-file {}: {e}", path.display()))?;
            let before = roots.len();
            for item in ureq::tls::parse_pem(&pem) {
                match item {
                    Ok(PemItem::Certificate(c)) => roots.push(c.to_owned()),
                    Ok(_) => {}
                    Err(e) => {
                        return Err(format!(
                            "--verify-ca-file {}: not a PEM certificate file ({e})",
                            path.display()
                        ))
                    }
                }
            }
            if roots.len() == before {
                return Err(format!(
                    "--verify-ca-file {}: no certificate in the file",
                    path.display()
                ));
            }
        }
        let agent = |verify: bool| -> Agent {
            let tls = TlsConfig::builder()
                .root_certs(RootCerts::new_with_certs(&roots))
                .disable_verification(!verify)
                .build();
            Agent::config_builder()
                .tls_config(tls)
                .http_status_as_error(false)
                .max_redirects(0)
                .timeout_connect(Some(opts.connect_timeout))
                .timeout_global(Some(opts.timeout))
                .user_agent(concat!("credscan/", env!("CARGO_PKG_VERSION")))
                .accept("application/json")
                .build()
                .new_agent()
        };
        Ok(Client {
            verified: agent(true),
            unverified: agent(false),
            insecure: opts.insecure.clone(),
            limiter: Limiter::new(opts.host_interval),
            max_retry_after: opts.max_retry_after,
        })
    }

    /// Whether the user allowed plain HTTP / unverified TLS to this host.
    pub fn is_insecure(&self, host: &str, port: Option<u16>) -> bool {
        self.insecure.allows(host, port)
    }

    /// Sends `req`, following same-origin redirects and retrying on 429/503
    /// with `Retry-After`. `Err` is a reason for an `unknown` result.
    pub fn send(&self, req: &Request<'_>) -> Result<Response, String> {
        let mut url = req.url.clone();
        let mut redirects = 0;
        let mut attempts = 0;
        loop {
            let origin = Origin::of(&url)?;
            self.check_policy(&origin, req)?;
            self.limiter.wait(&origin.authority());
            attempts += 1;
            let agent = if self.insecure.allows(&origin.host, origin.explicit_port) {
                &self.unverified
            } else {
                &self.verified
            };
            let mut resp = call(agent, &url, req).map_err(|e| describe(&e, &origin))?;
            let status = resp.status().as_u16();
            let header = |name: &str| -> Option<String> {
                resp.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            if matches!(status, 301 | 302 | 303 | 307 | 308) {
                let Some(location) = header("location") else {
                    return Err(format!(
                        "HTTP {status} redirect from {} without a Location",
                        origin.authority()
                    ));
                };
                let next = resolve(&origin, &location);
                let next_origin = Origin::of(&next)?;
                if next_origin != origin {
                    return Err(format!(
                        "{} redirected to another origin ({}); credentials are not sent there",
                        origin.authority(),
                        next_origin.describe()
                    ));
                }
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    return Err(format!("too many redirects from {}", origin.authority()));
                }
                url = next;
                continue;
            }
            if status == 429 || status == 503 {
                let wait = header("retry-after").map(|v| parse_retry_after(&v));
                match wait {
                    Some(Some(d)) if d > self.max_retry_after => {
                        return Err(format!(
                            "rate limited by {} (HTTP {status}); Retry-After of {} s exceeds the {} s limit",
                            origin.authority(),
                            d.as_secs(),
                            self.max_retry_after.as_secs()
                        ));
                    }
                    _ if attempts >= MAX_ATTEMPTS && status == 429 => {
                        return Err(format!(
                            "rate limited by {} (HTTP 429) after {attempts} attempts",
                            origin.authority()
                        ));
                    }
                    _ if attempts >= MAX_ATTEMPTS => {}
                    Some(d) => {
                        // An unparsable Retry-After (an HTTP date) waits 5 s.
                        let d = d.unwrap_or(Duration::from_secs(5));
                        self.limiter.defer(&origin.authority(), d);
                        continue;
                    }
                    None if status == 429 => {
                        self.limiter
                            .defer(&origin.authority(), Duration::from_secs(attempts as u64));
                        continue;
                    }
                    None => {}
                }
            }
            let challenges = resp
                .headers()
                .get_all("www-authenticate")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .map(str::to_string)
                .collect();
            let mut body = Vec::new();
            let _ = resp
                .body_mut()
                .as_reader()
                .take(BODY_LIMIT)
                .read_to_end(&mut body);
            return Ok(Response {
                status,
                challenges,
                body: String::from_utf8_lossy(&body).into_owned(),
            });
        }
    }

    /// The transport rules for one request.
    fn check_policy(&self, origin: &Origin, req: &Request<'_>) -> Result<(), String> {
        let insecure = self.insecure.allows(&origin.host, origin.explicit_port);
        match origin.scheme.as_str() {
            "https" => Ok(()),
            "http" if insecure => Ok(()),
            "http" if req.carries_secret() => Err(format!(
                "refused to send credentials over plain HTTP to {} (allow it with --insecure-registry {})",
                origin.authority(),
                origin.authority()
            )),
            "http" => Err(format!(
                "refused plain HTTP to {} (allow it with --insecure-registry {})",
                origin.authority(),
                origin.authority()
            )),
            other => Err(format!("unsupported URL scheme `{other}`")),
        }
    }
}

fn call(
    agent: &Agent,
    url: &str,
    req: &Request<'_>,
) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    let auth = match req.auth {
        Auth::None => None,
        Auth::Basic { user, password } => Some(format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )),
        Auth::Bearer(t) => Some(format!("Bearer {t}")),
    };
    match &req.form {
        Some(form) => {
            let mut r = agent.post(url);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            r.send_form(form.iter().map(|(k, v)| (*k, *v)))
        }
        None => {
            let mut r = agent.get(url);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            r.call()
        }
    }
}

/// A reason for a transport failure; names the host, never the request.
fn describe(e: &ureq::Error, origin: &Origin) -> String {
    let host = origin.authority();
    match e {
        ureq::Error::Timeout(t) => format!("no answer from {host} in time ({t} timeout)"),
        ureq::Error::HostNotFound => format!("host {} not found", origin.host),
        ureq::Error::ConnectionFailed => format!("could not connect to {host}"),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("connection refused by {host}")
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            format!("no answer from {host} in time")
        }
        ureq::Error::Io(io) => match io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
            Some(tls) => format!("TLS failure with {host}: {tls}"),
            None => format!("network error with {host}: {io}"),
        },
        ureq::Error::Rustls(t) => format!("TLS failure with {host}: {t}"),
        ureq::Error::Tls(t) => format!("TLS failure with {host}: {t}"),
        ureq::Error::Protocol(_) => format!("{host} did not answer with valid HTTP"),
        ureq::Error::InvalidProxyUrl => "invalid proxy URL in the environment".to_string(),
        other => format!("request to {host} failed: {other}"),
    }
}

/// Scheme, host and port of a URL: what redirects must keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub scheme: String,
    pub host: String,
    /// The port as written in the URL.
    pub explicit_port: Option<u16>,
}

impl Origin {
    pub fn of(url: &str) -> Result<Origin, String> {
        let uri: Uri = url
            .parse()
            .map_err(|_| "the registry named an invalid URL".to_string())?;
        let scheme = uri
            .scheme_str()
            .ok_or_else(|| "the registry named a URL without a scheme".to_string())?
            .to_ascii_lowercase();
        let host = uri
            .host()
            .ok_or_else(|| "the registry named a URL without a host".to_string())?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let default = if scheme == "http" { 80 } else { 443 };
        let explicit_port = uri.port_u16().filter(|&p| p != default);
        Ok(Origin {
            scheme,
            host,
            explicit_port,
        })
    }

    pub fn authority(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        match self.explicit_port {
            Some(p) => format!("{host}:{p}"),
            None => host,
        }
    }

    fn describe(&self) -> String {
        format!("{}://{}", self.scheme, self.authority())
    }
}

/// Resolves a `Location` against the current origin.
fn resolve(origin: &Origin, location: &str) -> String {
    let l = location.trim();
    if l.contains("://") {
        l.to_string()
    } else if let Some(rest) = l.strip_prefix("//") {
        format!("{}://{rest}", origin.scheme)
    } else if l.starts_with('/') {
        format!("{}://{}{l}", origin.scheme, origin.authority())
    } else {
        format!("{}://{}/{l}", origin.scheme, origin.authority())
    }
}

/// `Retry-After` in seconds; `None` for an HTTP date or garbage.
fn parse_retry_after(v: &str) -> Option<Duration> {
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// At most one request per interval to each host; `Retry-After` pushes the
/// host's next slot back for every worker.
struct Limiter {
    interval: Duration,
    next: Mutex<HashMap<String, Instant>>,
}

impl Limiter {
    fn new(interval: Duration) -> Limiter {
        Limiter {
            interval,
            next: Mutex::new(HashMap::new()),
        }
    }

    fn wait(&self, host: &str) {
        let slot = {
            let Ok(mut next) = self.next.lock() else {
                return;
            };
            let now = Instant::now();
            let slot = next.get(host).copied().unwrap_or(now).max(now);
            next.insert(host.to_string(), slot + self.interval);
            slot
        };
        let now = Instant::now();
        if slot > now {
            std::thread::sleep(slot - now);
        }
    }

    fn defer(&self, host: &str, by: Duration) {
        if let Ok(mut next) = self.next.lock() {
            let until = Instant::now() + by;
            let e = next.entry(host.to_string()).or_insert(until);
            if *e < until {
                *e = until;
            }
        }
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let o = Origin::of("https://Auth.Example.test/token?x=1").unwrap();
        assert_eq!(o.host, "auth.example.test");
        assert_eq!(o.explicit_port, None);
        assert_eq!(
            Origin::of("https://h:443/").unwrap(),
            Origin::of("https://h/").unwrap()
        );
        assert_ne!(
            Origin::of("http://h/").unwrap(),
            Origin::of("https://h/").unwrap()
        );
        assert_eq!(
            Origin::of("https://[::1]:5000/v2/").unwrap().authority(),
            "[::1]:5000"
        );
        assert!(Origin::of("not a url").is_err());
    }

    #[test]
    fn locations() {
        let o = Origin::of("https://127.0.0.1:5000/v2/").unwrap();
        assert_eq!(resolve(&o, "/v2/x"), "https://127.0.0.1:5000/v2/x");
        assert_eq!(resolve(&o, "//other.test/v2/"), "https://other.test/v2/");
        assert_eq!(resolve(&o, "https://other.test/"), "https://other.test/");
    }

    #[test]
    fn query_values_are_escaped() {
        assert_eq!(query_escape("robot$team+ci"), "robot%24team%2Bci");
        assert_eq!(query_escape("a b&c=d"), "a%20b%26c%3Dd");
        assert_eq!(query_escape("registry.docker.io"), "registry.docker.io");
    }

    #[test]
    fn retry_after_seconds_only() {
        assert_eq!(parse_retry_after(" 2 "), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn limiter_spaces_requests_per_host() {
        let l = Limiter::new(Duration::from_millis(50));
        let start = Instant::now();
        l.wait("a");
        l.wait("b");
        assert!(
            start.elapsed() < Duration::from_millis(40),
            "other hosts do not wait"
        );
        l.wait("a");
        l.wait("a");
        assert!(start.elapsed() >= Duration::from_millis(100));
    }
}
