//! Servers for the `--verify` tests, all on 127.0.0.1 and all stopped when
//! dropped (also when a test fails): a certificate authority made per test,
//! a scriptable HTTP(S) server that records what it receives, a token server
//! implementing the distribution token specification, and Debian's
//! `docker-registry` (CNCF distribution 2.8) as a child process.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A certificate authority for one test; `ca.pem` is what the tests pass
/// to `--verify-ca-file`.
pub struct Pki {
    issuer: Issuer<'static, KeyPair>,
    pub ca_pem: String,
}

/// A server certificate and its key.
#[derive(Clone)]
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_der: Vec<u8>,
    pub key_der: Vec<u8>,
}

impl Pki {
    pub fn new() -> Pki {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "credscan test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Pki {
            ca_pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A certificate for these names (IP addresses become IP SANs).
    pub fn leaf(&self, names: &[&str]) -> Leaf {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let params = CertificateParams::new(names).unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().to_vec(),
            key_der: key.serialize_der(),
        }
    }

    /// The usual loopback certificate.
    pub fn loopback(&self) -> Leaf {
        self.leaf(&["127.0.0.1", "localhost"])
    }

    pub fn write_ca(&self, dir: &Path) -> PathBuf {
        let p = dir.join("ca.pem");
        std::fs::write(&p, &self.ca_pem).unwrap();
        p
    }
}

pub fn tls_config(leaf: &Leaf) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone())),
        )
        .unwrap();
    Arc::new(cfg)
}

/// A request as the fake server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The Basic credentials, decoded.
    pub fn basic(&self) -> Option<(String, String)> {
        let v = self.header("authorization")?.strip_prefix("Basic ")?;
        let raw = String::from_utf8(STANDARD.decode(v).ok()?).ok()?;
        let (u, p) = raw.split_once(':')?;
        Some((u.to_string(), p.to_string()))
    }

    pub fn bearer(&self) -> Option<&str> {
        self.header("authorization")?.strip_prefix("Bearer ")
    }

    pub fn form(&self) -> HashMap<String, String> {
        self.body
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), unescape(v)))
            .collect()
    }

    pub fn query(&self) -> HashMap<String, String> {
        let q = self.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), unescape(v)))
            .collect()
    }
}

fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if let Some(Ok(v)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16)) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the fake server answers.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn new(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
    pub fn json(mut self, body: String) -> Reply {
        self.body = body;
        self.headers
            .push(("Content-Type".into(), "application/json".into()));
        self
    }
}

type Handler = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// How the fake server treats connections.
pub enum Mode {
    /// Answer each request with the handler (over TLS when a config is given).
    Http(Option<Arc<rustls::ServerConfig>>, Arc<Handler>),
    /// Accept and never answer.
    Silent,
}

/// A server on a free loopback port; stops when dropped.
pub struct FakeServer {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    pub connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FakeServer {
    pub fn https(
        leaf: &Leaf,
        handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static,
    ) -> FakeServer {
        FakeServer::start(Mode::Http(Some(tls_config(leaf)), Arc::new(handler)))
    }

    pub fn http(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> FakeServer {
        FakeServer::start(Mode::Http(None, Arc::new(handler)))
    }

    pub fn silent() -> FakeServer {
        FakeServer::start(Mode::Silent)
    }

    pub fn start(mode: Mode) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, conns2, stop2) = (seen.clone(), connections.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                conns2.fetch_add(1, Ordering::SeqCst);
                match &mode {
                    Mode::Silent => held.push(stream),
                    Mode::Http(tls, handler) => {
                        let (tls, handler, seen) = (tls.clone(), handler.clone(), seen2.clone());
                        std::thread::spawn(move || {
                            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                            match tls {
                                Some(cfg) => {
                                    let Ok(conn) = rustls::ServerConnection::new(cfg) else {
                                        return;
                                    };
                                    let mut s = rustls::StreamOwned::new(conn, stream);
                                    serve(&mut s, &*handler, &seen);
                                    s.conn.send_close_notify();
                                    let _ = s.flush();
                                }
                                None => {
                                    let mut s = stream;
                                    serve(&mut s, &*handler, &seen);
                                    let _ = s.shutdown(Shutdown::Both);
                                }
                            }
                        });
                    }
                }
            }
            drop(held);
        });
        FakeServer {
            addr,
            seen,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one request (headers, then a Content-Length body) and answers it;
/// one request per connection.
fn serve<S: Read + Write>(s: &mut S, handler: &Handler, seen: &Mutex<Vec<Seen>>) {
    let mut reader = BufReader::new(&mut *s);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            return;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let req = Seen {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let n = {
        let mut v = seen.lock().unwrap();
        v.push(req.clone());
        v.len() - 1
    };
    let reply = handler(&req, n);
    let mut out = format!("HTTP/1.1 {} X\r\n", reply.status);
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
        reply.body.len(),
        reply.body
    ));
    drop(reader);
    let _ = s.write_all(out.as_bytes());
    let _ = s.flush();
}

/// A token server following distribution's token specification: `GET
/// /token?service=..&account=..` with Basic credentials, and the OAuth2
/// `POST /token` with `grant_type=refresh_token`. Tokens are ES256 JWTs with
/// the signing certificate in `x5c`, which registry 2.8 checks against its
/// `rootcertbundle`.
pub struct TokenServer {
    pub server: FakeServer,
    /// The certificate that signs tokens, for the registry's rootcertbundle.
    pub signer_pem: String,
}

pub const TOKEN_ISSUER: &str = "credscan-test-issuer";
pub const TOKEN_SERVICE: &str = "credscan-test-registry";

pub struct Accounts {
    /// user -> password
    pub passwords: Vec<(String, String)>,
    /// refresh tokens the server honours
    pub refresh_tokens: Vec<String>,
}

impl TokenServer {
    pub fn start(tls: &Leaf, accounts: Accounts) -> TokenServer {
        use ring::signature::{EcdsaKeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let rc_key = KeyPair::try_from(pkcs8.as_ref()).unwrap();
        let mut params = CertificateParams::new(vec!["token-signer".to_string()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "credscan test token signer");
        let signer = params.self_signed(&rc_key).unwrap();
        let x5c = STANDARD.encode(signer.der());
        let sign = move |subject: &str| -> String {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs();
            let header = serde_json::json!({"typ": "JWT", "alg": "ES256", "x5c": [x5c]});
            let claims = serde_json::json!({
                "iss": TOKEN_ISSUER,
                "sub": subject,
                "aud": TOKEN_SERVICE,
                "exp": now + 300,
                "nbf": now - 10,
                "iat": now,
                "jti": format!("jti-{now}-{subject}"),
                "access": [],
            });
            let signing_input = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let rng = ring::rand::SystemRandom::new();
            let sig = key.sign(&rng, signing_input.as_bytes()).unwrap();
            format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
        };
        let server = FakeServer::https(tls, move |req, _| {
            if !req.target.starts_with("/token") {
                return Reply::new(404);
            }
            match req.method.as_str() {
                "GET" => match req.basic() {
                    Some((u, p))
                        if accounts
                            .passwords
                            .iter()
                            .any(|(au, ap)| *au == u && *ap == p) =>
                    {
                        let t = sign(&u);
                        Reply::new(200)
                            .json(serde_json::json!({"token": t, "access_token": t}).to_string())
                    }
                    Some(_) => Reply::new(401)
                        .json(r#"{"details":"incorrect username or password"}"#.into()),
                    None => {
                        // Anonymous tokens, as public token services issue.
                        Reply::new(200).json(serde_json::json!({"token": sign("")}).to_string())
                    }
                },
                "POST" => {
                    let form = req.form();
                    let ok = form.get("grant_type").map(String::as_str) == Some("refresh_token")
                        && form
                            .get("refresh_token")
                            .is_some_and(|t| accounts.refresh_tokens.contains(t));
                    if ok {
                        Reply::new(200).json(
                            serde_json::json!({"access_token": sign("refresh-user"), "token_type": "Bearer"})
                                .to_string(),
                        )
                    } else {
                        Reply::new(400).json(r#"{"error":"invalid_grant"}"#.into())
                    }
                }
                _ => Reply::new(405),
            }
        });
        TokenServer {
            server,
            signer_pem: signer.pem(),
        }
    }

    pub fn realm(&self) -> String {
        format!("https://127.0.0.1:{}/token", self.server.port())
    }
}

/// How the real registry authenticates.
pub enum RegistryAuth<'a> {
    Htpasswd(&'a [(&'a str, &'a str)]),
    Token { realm: String, signer_pem: String },
}

/// Debian's `docker-registry` on a free loopback port with TLS; killed when
/// dropped.
pub struct Registry {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
}

pub const REGISTRY_BIN: &str = "docker-registry";

impl Registry {
    pub fn start(leaf: &Leaf, auth: RegistryAuth<'_>) -> Registry {
        let found = Command::new(REGISTRY_BIN)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(
            found,
            "`{REGISTRY_BIN}` not found on PATH: install Debian's docker-registry package \
             (apt-get install docker-registry; .ci/run installs it)"
        );
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("cert.pem"), &leaf.cert_pem).unwrap();
        std::fs::write(d.join("key.pem"), &leaf.key_pem).unwrap();
        let auth_yaml = match auth {
            RegistryAuth::Htpasswd(users) => {
                let mut lines = String::new();
                for (u, p) in users {
                    let hash = bcrypt::hash(p, 4).unwrap();
                    lines.push_str(&format!("{u}:{hash}\n"));
                }
                std::fs::write(d.join("htpasswd"), lines).unwrap();
                format!(
                    "  htpasswd:\n    realm: credscan-test\n    path: {}\n",
                    d.join("htpasswd").display()
                )
            }
            RegistryAuth::Token { realm, signer_pem } => {
                std::fs::write(d.join("token-root.pem"), signer_pem).unwrap();
                format!(
                    "  token:\n    realm: {realm}\n    service: {TOKEN_SERVICE}\n    issuer: {TOKEN_ISSUER}\n    rootcertbundle: {}\n",
                    d.join("token-root.pem").display()
                )
            }
        };
        let port = free_port();
        let config = format!(
            "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: credscan-test-secret\n  tls:\n    certificate: {}\n    key: {}\nauth:\n{auth_yaml}",
            d.join("data").display(),
            d.join("cert.pem").display(),
            d.join("key.pem").display(),
        );
        std::fs::write(d.join("config.yml"), config).unwrap();
        let log = std::fs::File::create(d.join("registry.log")).unwrap();
        let child = Command::new(REGISTRY_BIN)
            .arg("serve")
            .arg(d.join("config.yml"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut reg = Registry { child, port, dir };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = reg.child.try_wait() {
                panic!("docker-registry exited ({status}):\n{}", reg.log());
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "docker-registry did not listen within 20 s:\n{}",
                reg.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        reg
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
