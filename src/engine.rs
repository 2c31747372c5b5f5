//! The scan engine: finds docker credentials in one text, decoding layer by
//! layer.
//!
//! A *layer* is a text plus a map back to the file's bytes. The file itself
//! is the first layer. An escaped JSON string (`{\"auths\":...}`) becomes a
//! child layer whose bytes map one by one to the escaped source; a decoded
//! base64 value becomes a child layer that maps as a whole to the encoded
//! value in the file (the outermost one, which is what a finding points at).
//!
//! In each layer, in one pass each:
//! 1. `"auths"` maps and legacy `.dockercfg` host maps are parsed and every
//!    entry is checked (`Engine::entry`); escaped JSON is unescaped into a
//!    child layer.
//! 2. Base64 runs outside those objects are decoded; printable results are
//!    scanned as child layers (nested base64, encoded configs).
//! 3. A decoded layer that is itself a `user:password` pair is reported when
//!    the value sat in a credential context (`REGISTRY_AUTH=`, `auth:`,
//!    `Authorization: Basic`, ...).

#![warn(unreachable_pub)]

pub mod hits;
pub mod plaintext;
pub mod prefilter;

use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

use crate::forms::placeholder::{is_placeholder, plausible_config_pair, plausible_pair};
use crate::model::finding::{Context, RawFinding, Secret, SecretKind};
use crate::model::rule::Rule;
use crate::readers::decode;
use crate::readers::json::{self, Str, Value};
use hits::Hits;
use prefilter::Plan;

/// Deepest layer decoded. Credentials sit at most 4 layers deep in real
/// formats (k8s + ECR); this leaves room for hand-made nesting.
pub const MAX_DEPTH: usize = 10;

/// How far back the engine looks for a key or a Kubernetes data key.
const KEY_WINDOW: usize = 256;
const K8S_WINDOW: usize = 512;
/// How far back a legacy `"auth"` looks for its entry's `{`.
const ENTRY_WINDOW: usize = 2048;

/// Offsets of quoted `auth`/`auths` keys (the `a`). Go's JSON decoding
/// matches keys case-insensitively, so the lower-case, capitalised and
/// upper-case spellings are searched for; fully mixed case (`"aUtH"`) is
/// not, as no tool writes it. `memmem` with the quote included is fast and
/// has few false hits, even in code full of the word "author".
fn quoted_auth(text: &[u8]) -> Vec<usize> {
    static F: OnceLock<[memchr::memmem::Finder<'static>; 3]> = OnceLock::new();
    let finders = F.get_or_init(|| {
        [
            memchr::memmem::Finder::new(b"\"auth"),
            memchr::memmem::Finder::new(b"\"Auth"),
            memchr::memmem::Finder::new(b"\"AUTH"),
        ]
    });
    let mut out: Vec<usize> = Vec::new();
    for f in finders {
        out.extend(f.find_iter(text).map(|i| i + 1));
    }
    out.sort_unstable();
    out
}

/// How a layer's offsets map to the file.
#[derive(Debug, Clone)]
enum Map {
    Identity,
    /// `offsets[i]` is the file offset of layer byte `i`; one extra entry
    /// for the end.
    Offsets(Vec<usize>),
    /// Typographic quotes made ASCII: each of the three-byte quotes
    /// replaced at these layer offsets (ascending) made the layer two
    /// bytes shorter; `len` is the layer's length.
    Quotes {
        at: Vec<usize>,
        len: usize,
    },
    /// Every position maps to this file range (a decoded value).
    Fixed(Range<usize>),
}

impl Map {
    fn point(&self, i: usize) -> usize {
        match self {
            Map::Identity => i,
            Map::Offsets(o) => o[i.min(o.len() - 1)],
            Map::Quotes { at, len } => {
                let i = i.min(*len);
                i + 2 * at.partition_point(|&q| q < i)
            }
            Map::Fixed(r) => r.start,
        }
    }

    fn range(&self, r: Range<usize>) -> Range<usize> {
        match self {
            Map::Fixed(f) => f.clone(),
            _ => self.point(r.start)..self.point(r.end),
        }
    }
}

/// Kubernetes Secret data key a layer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K8s {
    None,
    /// `data[...]` (base64) with the key name.
    Data(&'static str),
    /// `stringData[...]` (raw JSON).
    StringData(&'static str),
    /// A chart's pull secret given on a command line: `helm install ...
    /// --set imagePullSecret.dockerconfigjson=<base64>`.
    HelmSet,
}

struct Layer<'a> {
    text: Cow<'a, [u8]>,
    map: Map,
    chain: Vec<String>,
    depth: usize,
    k8s: K8s,
    /// The outermost value sat under a key naming a credential.
    cred_context: bool,
    decoded: bool,
}

/// Scans one file's bytes and returns the credentials found, sorted by
/// position and de-duplicated.
pub fn scan(text: &[u8]) -> Vec<RawFinding> {
    let hits = Hits::find(text);
    match hits.plan(text) {
        Plan::Skip => scan_with(text, &hits, None),
        Plan::Full => scan_with(text, &hits, Some(Mode::Full)),
        Plan::Keys(keys) => scan_with(text, &hits, Some(Mode::Keys(&keys))),
        Plan::Anchored => scan_with(text, &hits, Some(Mode::Anchored)),
    }
}

/// `text` with typographic double and single quotes (U+201C, U+201D,
/// U+201E, U+2018, U+2019) made ASCII, and the layer offsets where they
/// were (see [`Map::Quotes`]); `None` when it has none. Dashes, ellipses
/// and bullets share the quotes' first two bytes: a text with only those
/// is not copied, and the text is copied a run at a time.
fn ascii_quotes(text: &[u8]) -> Option<(Vec<u8>, Vec<usize>)> {
    let quote = |b: &[u8]| match b {
        [0xE2, 0x80, 0x9C..=0x9E, ..] => Some(b'"'),
        [0xE2, 0x80, 0x98 | 0x99, ..] => Some(b'\''),
        _ => None,
    };
    let mut quotes = memchr::memmem::find_iter(text, b"\xE2\x80")
        .filter_map(|i| quote(&text[i..]).map(|q| (i, q)))
        .peekable();
    quotes.peek()?;
    let mut out = Vec::with_capacity(text.len());
    let mut at = Vec::new();
    let mut copied = 0;
    for (i, q) in quotes {
        out.extend_from_slice(&text[copied..i]);
        at.push(out.len());
        out.push(q);
        copied = i + 3;
    }
    out.extend_from_slice(&text[copied..]);
    Some((out, at))
}

/// Scans without the prefilter, decoding every base64 run: the reference
/// the prefiltered [`scan`] is tested against.
pub fn scan_full(text: &[u8]) -> Vec<RawFinding> {
    scan_with(text, &Hits::find(text), Some(Mode::Full))
}

/// How much of the top layer to look at (see [`Plan`]).
#[derive(Clone, Copy)]
enum Mode<'a> {
    /// Decode every base64 run that may be text.
    Full,
    /// Decode only runs under a credential key, found among all runs.
    Anchored,
    /// Decode only the values of the keys holding these keywords.
    Keys(&'a prefilter::Keys),
}

/// Runs the layered engine in `mode` (none: the prefilter ruled it out),
/// then the plaintext detectors, which gate themselves.
fn scan_with(text: &[u8], hits: &Hits, mode: Option<Mode<'_>>) -> Vec<RawFinding> {
    let mut engine = Engine { out: Vec::new() };
    let top = Layer {
        text: Cow::Borrowed(text),
        map: Map::Identity,
        chain: Vec::new(),
        depth: 0,
        k8s: K8s::None,
        cred_context: false,
        decoded: false,
    };
    if let Some(mode) = mode {
        engine.layer(&top, mode);
    }
    // Docs pages print configs with typographic quotes (`“auths”:{ …
    // “auth”:”…” }`); readers paste them, real token included. Such a
    // text is read again with the quotes made ASCII.
    if let Some((plain, at)) = ascii_quotes(text) {
        let len = plain.len();
        let layer = Layer {
            text: Cow::Owned(plain),
            map: Map::Quotes { at, len },
            chain: vec!["typographic quotes".to_string()],
            depth: 1,
            k8s: K8s::None,
            cred_context: false,
            decoded: false,
        };
        match prefilter::plan(&layer.text) {
            Plan::Skip => {}
            Plan::Full => engine.layer(&layer, Mode::Full),
            Plan::Keys(keys) => engine.layer(&layer, Mode::Keys(&keys)),
            Plan::Anchored => engine.layer(&layer, Mode::Anchored),
        }
    }
    // Plaintext forms: login commands, CI and runtime configs, headers.
    plaintext::scan(text, hits, &mut engine.out);
    if engine.out.is_empty() {
        return Vec::new();
    }
    let mut out = engine.out;
    out.sort_by(|a, b| {
        (
            a.span.start,
            a.span.end,
            &a.registry,
            &a.username,
            a.secret.expose(),
        )
            .cmp(&(
                b.span.start,
                b.span.end,
                &b.registry,
                &b.username,
                b.secret.expose(),
            ))
    });
    out.dedup_by(|a, b| {
        a.span == b.span
            && a.registry == b.registry
            && a.username == b.username
            && a.secret == b.secret
    });
    out
}

struct Engine {
    out: Vec<RawFinding>,
}

impl Engine {
    /// Scans one layer. Unless `mode` is [`Mode::Full`] (the prefilter
    /// saw keywords but no encoded `"auth`), a base64 run can only matter as
    /// the value of a credential key, so other runs are not decoded.
    fn layer(&mut self, layer: &Layer<'_>, mode: Mode<'_>) {
        let text: &[u8] = &layer.text;
        if layer.decoded && layer.cred_context {
            self.bare_pair(layer);
        }
        let mut claimed: Vec<Range<usize>> = Vec::new();
        let quoted = match mode {
            Mode::Keys(k) => Some(&k.quoted_auth[..]),
            _ => None,
        };
        self.structured(layer, &mut claimed, quoted);
        if layer.decoded && layer.cred_context {
            claimed.extend(self.auth_config(layer));
        }
        claimed.sort_by_key(|r| r.start);
        if layer.depth >= MAX_DEPTH {
            return;
        }
        let mut ci = 0;
        let runs = match mode {
            Mode::Keys(k) => anchored_runs(text, &k.hits),
            _ => decode::runs(text),
        };
        let anchored = !matches!(mode, Mode::Full);
        for run in runs {
            while ci < claimed.len() && claimed[ci].end <= run.start {
                ci += 1;
            }
            if claimed[ci..]
                .iter()
                .take_while(|c| c.start < run.last_end())
                .any(|c| c.start < run.last_end() && run.start < c.end)
            {
                continue;
            }
            self.run(layer, &run, anchored);
        }
    }

    /// Step 1: docker config JSON by structure, and escaped JSON.
    /// `known`: the offsets of quoted `auth` keys, when the prefilter
    /// already found them.
    fn structured(
        &mut self,
        layer: &Layer<'_>,
        claimed: &mut Vec<Range<usize>>,
        known: Option<&[usize]>,
    ) {
        let text: &[u8] = &layer.text;
        let found;
        let positions = match known {
            Some(p) => p,
            None => {
                found = quoted_auth(text);
                &found[..]
            }
        };
        let mut claimed_until = 0usize;
        // A range known to hold no `{`, so runs of `"auth"` keys without
        // objects (logs, key/value dumps) do not search the same bytes again.
        let mut brace_free = 0..0;
        for &h in positions {
            if h < claimed_until {
                continue;
            }
            let after = h + 4;
            let plural = matches!(text.get(after), Some(b's' | b'S'));
            let close = if plural { after + 1 } else { after };
            let escaped = h >= 2 && text[h - 2] == b'\\';
            if escaped {
                let mut q = close;
                while text.get(q) == Some(&b'\\') {
                    q += 1;
                }
                if q == close || text.get(q) != Some(&b'"') {
                    continue;
                }
                if layer.depth >= MAX_DEPTH {
                    continue;
                }
                if let Some(region) = self.escaped(layer, h - 2) {
                    claimed_until = claimed_until.max(region.end);
                    claimed.push(region);
                }
                continue;
            }
            if text.get(close) != Some(&b'"') {
                continue;
            }
            // Only computed once an entry is found.
            let k8s = || {
                if layer.k8s == K8s::None {
                    k8s_near(text, h)
                } else {
                    layer.k8s
                }
            };
            if plural {
                let Some(vstart) = after_colon(text, close + 1) else {
                    continue;
                };
                let Some((Value::Object(hosts, span), _)) = json::parse_at(text, vstart) else {
                    continue;
                };
                let k8s = k8s();
                for (host, entry) in &hosts {
                    let path = format!("JSON auths[{:?}]", host.value);
                    self.entry(layer, k8s, Some(host), entry, &path);
                }
                claimed_until = claimed_until.max(span.end);
                claimed.push(h - 1..span.end);
            } else if !brace_before(text, h, &mut brace_free) {
                continue;
            } else if let Some((host, entry)) = legacy_entry(text, h) {
                let span = entry.span();
                let path = match &host {
                    Some(host) => format!("JSON [{:?}]", host.value),
                    None => "JSON".to_string(),
                };
                if host.is_some() {
                    self.entry(layer, k8s(), host.as_ref(), &entry, &path);
                    claimed_until = claimed_until.max(span.end);
                    claimed.push(span);
                }
            }
        }
    }

    /// Unescapes the JSON string holding the escaped quote at `q` (and any
    /// strings it is concatenated with in an array, as notebooks split text
    /// into lines) and scans it as a child layer. Returns the source region.
    fn escaped(&mut self, layer: &Layer<'_>, q: usize) -> Option<Range<usize>> {
        let text: &[u8] = &layer.text;
        let (mut start, mut end) = string_around(text, q)?;
        // Join neighbouring array elements: "...",\n "..."
        let mut pieces = vec![(start, end)];
        let mut guard = 0;
        while guard < 512 {
            guard += 1;
            let Some((s, e)) = prev_string(text, start) else {
                break;
            };
            pieces.insert(0, (s, e));
            start = s;
        }
        guard = 0;
        while guard < 512 {
            guard += 1;
            let Some((s, e)) = next_string(text, end) else {
                break;
            };
            pieces.push((s, e));
            end = e;
        }
        let mut out = Vec::new();
        let mut offsets = Vec::new();
        for &(s, e) in &pieces {
            let mut i = s;
            while i < e {
                if text[i] == b'\\' {
                    let (bytes, used) = json::unescape_one(text, i)?;
                    for b in bytes {
                        out.push(b);
                        offsets.push(layer.map.point(i));
                    }
                    i += used;
                } else {
                    out.push(text[i]);
                    offsets.push(layer.map.point(i));
                    i += 1;
                }
            }
        }
        offsets.push(layer.map.point(end));
        let map = match &layer.map {
            Map::Fixed(r) => Map::Fixed(r.clone()),
            _ => Map::Offsets(offsets),
        };
        let child = Layer {
            text: Cow::Owned(out),
            map,
            chain: layer.chain.clone(),
            depth: layer.depth + 1,
            k8s: layer.k8s,
            cred_context: layer.cred_context,
            decoded: false,
        };
        self.layer(&child, Mode::Full);
        Some(start..end)
    }

    /// Step 2: one base64 run.
    /// `anchored`: only runs under a credential key can matter.
    fn run(&mut self, layer: &Layer<'_>, run: &decode::Run, anchored: bool) {
        let text: &[u8] = &layer.text;
        if !decode::could_be_text(text, run) {
            return;
        }
        let key = key_before(text, run.start);
        let key_lower = key.as_deref().map(str::to_ascii_lowercase);
        let cred = layer.cred_context || key_lower.as_deref().is_some_and(is_credential_key);
        if anchored && !cred {
            return;
        }
        let encoded = run.text(text);
        let Some(decoded) = decode::decode_text(&encoded) else {
            return;
        };
        let mut k8s = layer.k8s;
        let mut chain = layer.chain.clone();
        // `helm ... --set x.dockerconfigjson=<base64>`: the chart's pull
        // secret, written on a command line.
        let helm_key = key_lower
            .as_deref()
            .filter(|k| k.ends_with("dockerconfigjson") || k.ends_with("dockercfg"))
            .and_then(|_| helm_set_key(text, run.start));
        if let Some(k) = &key_lower {
            if k8s == K8s::None && helm_key.is_some() {
                k8s = K8s::HelmSet;
            } else if k8s == K8s::None {
                if k.ends_with(".dockerconfigjson") {
                    k8s = K8s::Data(".dockerconfigjson");
                } else if k.ends_with(".dockercfg") {
                    k8s = K8s::Data(".dockercfg");
                }
            }
        }
        if chain.is_empty() {
            match (k8s, &key) {
                (K8s::Data(name), _) => chain.push(format!("data[{name:?}]")),
                (K8s::HelmSet, _) => {
                    chain.push(format!("helm --set {}", helm_key.unwrap_or_default()));
                }
                (_, Some(k)) => chain.push(k.clone()),
                _ => {}
            }
        }
        chain.push("base64".to_string());
        let child = Layer {
            text: Cow::Owned(decoded.into_bytes()),
            map: Map::Fixed(layer.map.range(run.start..run.last_end())),
            chain,
            depth: layer.depth + 1,
            k8s,
            cred_context: cred,
            decoded: true,
        };
        self.layer(&child, Mode::Full);
    }

    /// Step 3: the whole decoded layer is `user:password`.
    fn bare_pair(&mut self, layer: &Layer<'_>) {
        let Ok(s) = std::str::from_utf8(&layer.text) else {
            return;
        };
        let s = s.trim();
        let Some((user, password)) = s.split_once(':') else {
            return;
        };
        let password = password.trim_end_matches('\0');
        if !plausible_pair(user, password) {
            return;
        }
        let (rule, context) = match layer.k8s {
            K8s::None => (Rule::BasicAuthPair, Context::Other),
            K8s::HelmSet => (Rule::KubernetesPullSecret, Context::Command),
            _ => (Rule::KubernetesPullSecret, Context::Kubernetes),
        };
        let mut chain = layer.chain.clone();
        chain.push("user:password".into());
        self.out.push(RawFinding {
            rule,
            span: layer.map.range(0..layer.text.len()),
            registry: None,
            username: Some(user.to_string()),
            secret: Secret::new(password),
            kind: SecretKind::Password,
            context,
            chain,
            hint: None,
        });
    }

    /// Step 3b: the decoded layer is one `AuthConfig` object, the JSON of
    /// the Engine API's `X-Registry-Auth` written outside a header (code,
    /// docs, test fixtures): `{"username","password","serveraddress"}`,
    /// `{"auth"}` or `{"identitytoken"}`, checked as a config entry whose
    /// registry is `serveraddress`; or the `X-Registry-Config` map of
    /// registry hosts to such objects. Returns the object's range.
    fn auth_config(&mut self, layer: &Layer<'_>) -> Option<Range<usize>> {
        let text: &[u8] = &layer.text;
        let start = text.iter().position(|c| !c.is_ascii_whitespace())?;
        if text[start] != b'{' {
            return None;
        }
        let (obj, end) = json::parse_at(text, start)?;
        let Value::Object(members, span) = &obj else {
            return None;
        };
        if !text[end..].iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        let credential = |v: &Value| {
            ["password", "auth", "identitytoken", "registrytoken"]
                .iter()
                .any(|k| v.get(k).is_some())
        };
        if credential(&obj) {
            let host = obj.get("serveraddress").and_then(Value::as_str);
            self.entry(layer, layer.k8s, host, &obj, "JSON");
            return Some(span.clone());
        }
        // `X-Registry-Config`: registry -> such an object (entries with an
        // `auth` are read by step 1 too; the duplicates share a span).
        let mut found = false;
        for (host, entry) in members {
            if is_host_like(&host.value) && credential(entry) {
                let path = format!("JSON [{:?}]", host.value);
                self.entry(layer, layer.k8s, Some(host), entry, &path);
                found = true;
            }
        }
        found.then(|| span.clone())
    }

    /// Checks one registry entry of a docker config.
    fn entry(
        &mut self,
        layer: &Layer<'_>,
        k8s: K8s,
        host: Option<&Str>,
        entry: &Value,
        path: &str,
    ) {
        if !matches!(entry, Value::Object(..)) {
            return;
        }
        let field = |name: &str| {
            entry
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.value.trim().is_empty())
        };
        let (rule, context) = match k8s {
            K8s::None => (Rule::DockerConfig, Context::DockerConfig),
            K8s::HelmSet => (Rule::KubernetesPullSecret, Context::Command),
            _ => (Rule::KubernetesPullSecret, Context::Kubernetes),
        };
        let mut chain_base = layer.chain.clone();
        if chain_base.is_empty() {
            if let K8s::StringData(name) = k8s {
                chain_base.push(format!("stringData[{name:?}]"));
            }
        }
        let registry = host.map(|h| h.value.clone());
        let emit = |out: &mut Vec<RawFinding>,
                    span: Range<usize>,
                    user: Option<&str>,
                    secret: &str,
                    kind: SecretKind,
                    tail: &[&str]| {
            let mut chain = chain_base.clone();
            chain.push(format!("{path}.{}", tail[0]));
            chain.extend(tail[1..].iter().map(|s| s.to_string()));
            out.push(RawFinding {
                rule,
                span: layer.map.range(span),
                registry: registry.clone(),
                username: user.map(str::to_string),
                secret: Secret::new(secret),
                kind,
                context,
                chain,
                hint: None,
            });
        };

        let username = field("username");
        let identity = field("identitytoken").filter(|t| !is_placeholder(&t.value));
        let mut auth_user: Option<String> = None;
        let mut auth_password: Option<String> = None;
        let mut identity_done = false;
        if let Some(auth) = field("auth") {
            if let Some(decoded) = decode::decode_text(auth.value.trim().as_bytes()) {
                if let Some((u, p)) = decoded.split_once(':') {
                    let p = p.trim_end_matches('\0');
                    auth_user = Some(u.to_string());
                    if p.is_empty() {
                        if let Some(tok) = identity {
                            if !u.is_empty() {
                                emit(
                                    &mut self.out,
                                    tok.span.clone(),
                                    Some(u),
                                    &tok.value,
                                    SecretKind::IdentityToken,
                                    &["identitytoken"],
                                );
                                identity_done = true;
                            }
                        } else if crate::model::kind::is_recognised_token(u) {
                            // `ghp_...:`: the token is the secret.
                            emit(
                                &mut self.out,
                                auth.span.clone(),
                                None,
                                u,
                                SecretKind::Password,
                                &["auth", "base64", "user:password"],
                            );
                        }
                    } else if plausible_config_pair(u, p) {
                        emit(
                            &mut self.out,
                            auth.span.clone(),
                            Some(u),
                            p,
                            SecretKind::Password,
                            &["auth", "base64", "user:password"],
                        );
                        auth_password = Some(p.to_string());
                    }
                }
            }
        }
        if let Some(pw) = field("password") {
            let same = auth_password.as_deref() == Some(pw.value.as_str());
            let user = username.map(|u| u.value.clone()).or(auth_user.clone());
            let ok = match &user {
                Some(u) => plausible_config_pair(u, &pw.value),
                None => {
                    !is_placeholder(&pw.value) && crate::forms::placeholder::printable(&pw.value)
                }
            };
            if !same && ok {
                emit(
                    &mut self.out,
                    pw.span.clone(),
                    user.as_deref(),
                    &pw.value,
                    SecretKind::Password,
                    &["password"],
                );
            }
        }
        if let (Some(tok), false) = (identity, identity_done) {
            let user = auth_user.clone().or(username.map(|u| u.value.clone()));
            emit(
                &mut self.out,
                tok.span.clone(),
                user.as_deref(),
                &tok.value,
                SecretKind::IdentityToken,
                &["identitytoken"],
            );
        }
        if let Some(tok) = field("registrytoken").filter(|t| !is_placeholder(&t.value)) {
            emit(
                &mut self.out,
                tok.span.clone(),
                None,
                &tok.value,
                SecretKind::RegistryToken,
                &["registrytoken"],
            );
        }
    }
}

/// The base64 runs that a keyword can make a credential: those that are
/// the value of a key containing the keyword (`KEY=`, `key:`, `"key": "`,
/// YAML `key: |` with the value on the next line), or that follow
/// `Basic`. This mirrors [`key_before`], which decides the context of a
/// run in a full scan; a property test holds the two together. Each
/// keyword costs a few bytes of work, however many there are.
fn anchored_runs(text: &[u8], hits: &[usize]) -> Vec<decode::Run> {
    let mut starts: Vec<usize> = hits
        .iter()
        .filter_map(|&k| value_after_key(text, k))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    let mut out: Vec<decode::Run> = Vec::new();
    for p in starts {
        if out.last().is_some_and(|r| p < r.last_end()) {
            continue;
        }
        if p > 0 && decode::is_b64_byte(text[p - 1]) {
            continue;
        }
        if let Some(run) = decode::run_at(text, p) {
            out.push(run);
        }
    }
    out
}

/// Where the value of the key containing the keyword at `k` starts.
fn value_after_key(text: &[u8], k: usize) -> Option<usize> {
    let n = text.len();
    let is_key = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'/');
    let skip = |mut i: usize, set: &[u8]| {
        while i < n && set.contains(&text[i]) {
            i += 1;
        }
        i
    };
    const WS_QUOTES: &[u8] = b" \t\"'`";
    let mut i = k;
    while i < n && is_key(text[i]) {
        i += 1;
    }
    let ident = &text[k..i];
    let basic = ident.len() >= 5 && ident[ident.len() - 5..].eq_ignore_ascii_case(b"basic");
    i = skip(i, WS_QUOTES);
    if basic {
        if i < n && text[i] == b':' {
            i = skip(i + 1, WS_QUOTES);
        }
    } else {
        if i >= n || !matches!(text[i], b':' | b'=') {
            return None;
        }
        i = skip(i + 1, WS_QUOTES);
    }
    // Value on the next line: `key: |`, `key: >-`, `key:`.
    let j = skip(i, b" \t\r|>+-0123456789");
    if j < n && text[j] == b'\n' {
        return Some(skip(j + 1, b" \t-"));
    }
    (i < n).then_some(i)
}

/// Keys that make a bare base64 `user:password` a credential. Each holds
/// one of the prefilter's keywords ([`prefilter::words`]), which keeps the
/// prefiltered scan equal to the full one.
fn is_credential_key(key: &str) -> bool {
    prefilter::words().iter().any(|w| key.contains(w))
}

/// After a key's closing quote at `i`: whitespace, `:`, whitespace. Returns
/// the offset of the value.
fn after_colon(text: &[u8], i: usize) -> Option<usize> {
    sep_after(text, i, b':')
}

fn is_json_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// From `i`: JSON whitespace, `sep`, whitespace. Returns the offset after
/// them, which is in bounds.
fn sep_after(text: &[u8], mut i: usize, sep: u8) -> Option<usize> {
    while is_json_ws(*text.get(i)?) {
        i += 1;
    }
    if text[i] != sep {
        return None;
    }
    i += 1;
    while is_json_ws(*text.get(i)?) {
        i += 1;
    }
    Some(i)
}

/// Backwards from `i` (looking at `text[i - 1]`): whitespace, `sep`,
/// whitespace. Returns the offset before them, which is above 0.
fn sep_before(text: &[u8], mut i: usize, sep: u8) -> Option<usize> {
    while i > 0 && is_json_ws(text[i - 1]) {
        i -= 1;
    }
    if i == 0 || text[i - 1] != sep {
        return None;
    }
    i -= 1;
    while i > 0 && is_json_ws(text[i - 1]) {
        i -= 1;
    }
    (i > 0).then_some(i)
}

/// A `.dockerconfigjson` / `.dockercfg` key shortly before `pos`: raw JSON
/// under Kubernetes `stringData`.
fn k8s_near(text: &[u8], pos: usize) -> K8s {
    static JSON: OnceLock<memchr::memmem::FinderRev<'static>> = OnceLock::new();
    static CFG: OnceLock<memchr::memmem::FinderRev<'static>> = OnceLock::new();
    let window = &text[pos.saturating_sub(K8S_WINDOW)..pos];
    // Secret data keys are lower case (`.dockerconfigjson`, `.dockercfg`).
    let json = JSON
        .get_or_init(|| memchr::memmem::FinderRev::new(b".dockerconfigjson"))
        .rfind(window);
    let cfg = CFG
        .get_or_init(|| memchr::memmem::FinderRev::new(b".dockercfg"))
        .rfind(window);
    match (json, cfg) {
        (Some(a), Some(b)) if b > a => K8s::StringData(".dockercfg"),
        (Some(_), _) => K8s::StringData(".dockerconfigjson"),
        (None, Some(_)) => K8s::StringData(".dockercfg"),
        (None, None) => K8s::None,
    }
}

/// Whether a `{` may open an entry for the key at `h` (within
/// [`ENTRY_WINDOW`]). `known` is a range already known to hold no `{`; it
/// is extended, so consecutive keys scan each byte once.
fn brace_before(text: &[u8], h: usize, known: &mut Range<usize>) -> bool {
    let lo = h.saturating_sub(ENTRY_WINDOW);
    let from = if known.start <= lo && lo <= known.end && known.end <= h {
        known.end
    } else {
        lo
    };
    if memchr::memrchr(b'{', &text[from..h]).is_some() {
        return true;
    }
    *known = if from == known.end {
        known.start..h
    } else {
        lo..h
    };
    false
}

/// A legacy `.dockercfg` entry around the `"auth"` key at `h`: the entry
/// object and the host key naming it, if any.
fn legacy_entry(text: &[u8], h: usize) -> Option<(Option<Str>, Value)> {
    // Find the `{` opening the object that holds this key. Most `"auth"`
    // keys outside docker configs have no `{` nearby at all: a SIMD search
    // settles those before the brace-counting walk.
    let lo = h.saturating_sub(ENTRY_WINDOW);
    let nearest = memchr::memrchr(b'{', &text[lo..h])? + lo;
    let lo = nearest.saturating_sub(1).max(lo);
    let mut depth = 0i32;
    let mut i = h - 1;
    let open = loop {
        if i <= lo {
            return None;
        }
        i -= 1;
        match text[i] {
            b'}' | b']' => depth += 1,
            b'{' if depth == 0 => break i,
            b'{' | b'[' => depth -= 1,
            _ => {}
        }
    };
    let (entry, _) = json::parse_at(text, open)?;
    // Before the `{`: `"host" :`
    let host = (|| {
        let j = sep_before(text, open, b':')?;
        if text[j - 1] != b'"' {
            return None;
        }
        let close = j - 1;
        let open_q = memchr::memrchr(b'"', &text[close.saturating_sub(512)..close])?
            + close.saturating_sub(512);
        let (v, _) = json::parse_at(text, open_q)?;
        let s = v.as_str()?.clone();
        is_host_like(&s.value).then_some(s)
    })();
    Some((host, entry))
}

/// A registry host or URL: `ghcr.io`, `localhost:5000`, `https://...`.
fn is_host_like(s: &str) -> bool {
    !s.is_empty()
        && !s.contains(char::is_whitespace)
        && (s.contains('.') || s.contains(':') || s.starts_with("localhost"))
}

/// The JSON string (unescaped quotes) holding position `q`: returns the
/// range of its contents. Bounded by the line.
fn string_around(text: &[u8], q: usize) -> Option<(usize, usize)> {
    // Backwards to an unescaped quote or the line start.
    let mut s = q;
    loop {
        if s == 0 {
            break;
        }
        let c = text[s - 1];
        if c == b'\n' {
            break;
        }
        if c == b'"' && !is_escaped(text, s - 1) {
            break;
        }
        s -= 1;
    }
    let mut e = q;
    while e < text.len() {
        let c = text[e];
        if c == b'\n' {
            break;
        }
        if c == b'"' && !is_escaped(text, e) {
            break;
        }
        e += 1;
    }
    Some((s, e))
}

/// Whether the byte at `i` is preceded by an odd number of backslashes.
fn is_escaped(text: &[u8], i: usize) -> bool {
    let mut n = 0;
    let mut j = i;
    while j > 0 && text[j - 1] == b'\\' {
        n += 1;
        j -= 1;
    }
    n % 2 == 1
}

/// The string element before the one whose contents start at `start`
/// (`"...", "<start>`), as in a JSON array of lines.
fn prev_string(text: &[u8], start: usize) -> Option<(usize, usize)> {
    if start == 0 || text[start - 1] != b'"' {
        return None;
    }
    let i = sep_before(text, start - 1, b',')?;
    if text[i - 1] != b'"' || is_escaped(text, i - 1) {
        return None;
    }
    let close = i - 1;
    let (s, e) = string_around(text, close)?;
    (e == close && s > 0 && text[s - 1] == b'"').then_some((s, e))
}

/// The string element after the one whose contents end at `end`.
fn next_string(text: &[u8], end: usize) -> Option<(usize, usize)> {
    if text.get(end) != Some(&b'"') {
        return None;
    }
    let i = sep_after(text, end + 1, b',')?;
    if text[i] != b'"' {
        return None;
    }
    let (s, e) = string_around(text, i + 1)?;
    (s == i + 1 && text.get(e) == Some(&b'"')).then_some((s, e))
}

/// The key a value at `pos` is assigned to: `KEY=`, `key:`, `"key": "`,
/// or, for a value alone on its line, the key ending the previous line
/// (YAML `key: |` / `key: >-`). Also recognises `Authorization: Basic`.
fn key_before(text: &[u8], pos: usize) -> Option<String> {
    let lo = pos.saturating_sub(KEY_WINDOW);
    let line_start = memchr::memrchr(b'\n', &text[lo..pos])
        .map(|i| lo + i + 1)
        .unwrap_or(lo);
    let mut before = trim_end_value(&text[line_start..pos]);
    if before.iter().all(|c| matches!(c, b' ' | b'\t' | b'-')) && line_start > 0 {
        // Value alone on its line: look at the previous line.
        let prev_end = line_start - 1;
        let plo = prev_end.saturating_sub(KEY_WINDOW);
        let prev_start = memchr::memrchr(b'\n', &text[plo..prev_end])
            .map(|i| plo + i + 1)
            .unwrap_or(plo);
        let mut prev = &text[prev_start..prev_end];
        while let [rest @ .., c] = prev {
            if matches!(c, b' ' | b'\t' | b'\r' | b'|' | b'>' | b'+' | b'-') || c.is_ascii_digit() {
                prev = rest;
            } else {
                break;
            }
        }
        before = prev;
    }
    let lower = before.to_ascii_lowercase();
    if lower.ends_with(b"basic") || lower.ends_with(b"basic:") {
        return Some("Authorization: Basic".to_string());
    }
    let before = match before {
        [rest @ .., b':' | b'='] => rest,
        _ => return None,
    };
    let before = trim_end_value(before);
    let start = before
        .iter()
        .rposition(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'/')))
        .map(|i| i + 1)
        .unwrap_or(0);
    let key = &before[start..];
    if key.is_empty() {
        return None;
    }
    Some(String::from_utf8_lossy(key).into_owned())
}

/// The key, as written, of a `--set`/`--set-string` assignment whose value
/// starts at `pos`: `--set k=V`, `--set=k=V`, `--set "a=b,k=V"`,
/// `--set-string k\.x=V`. `None` when the value is not on such an option.
fn helm_set_key(text: &[u8], pos: usize) -> Option<String> {
    let lo = pos.saturating_sub(KEY_WINDOW);
    let line = &text[memchr::memrchr(b'\n', &text[lo..pos]).map_or(lo, |i| lo + i + 1)..pos];
    let blank = |c: &u8| matches!(c, b' ' | b'\t');
    let word_at = line.iter().rposition(blank).map_or(0, |i| i + 1);
    let word = &line[word_at..];
    let word = word
        .strip_prefix(b"\"")
        .or(word.strip_prefix(b"'"))
        .unwrap_or(word);
    let assignment = match word {
        [rest @ .., b'='] => rest,
        _ => return None,
    };
    let options: [&[u8]; 2] = [b"--set", b"--set-string"];
    let inline = options.iter().find_map(|o| {
        assignment
            .strip_prefix(*o)
            .and_then(|r| r.strip_prefix(b"="))
    });
    let assignment = match inline {
        Some(rest) => rest,
        None => {
            let before = line[..word_at].trim_ascii_end();
            let prev = &before[before.iter().rposition(blank).map_or(0, |i| i + 1)..];
            if !options.contains(&prev) {
                return None;
            }
            assignment
        }
    };
    let key = assignment.rsplit(|&c| c == b',').next().unwrap_or_default();
    (!key.is_empty()).then(|| String::from_utf8_lossy(key).into_owned())
}

/// Strips trailing whitespace and quote characters.
fn trim_end_value(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., c] = s {
        if matches!(c, b' ' | b'\t' | b'\r' | b'"' | b'\'' | b'`') {
            s = rest;
        } else {
            break;
        }
    }
    s
}

#[cfg(test)]
mod tests;
