//! CS015: registry credential objects in any structured text: YAML, JSON,
//! TOML, HCL, XML, properties and `.env` files, and the object literals,
//! keyword arguments and builder calls of program code.
//!
//! One mechanism instead of one function per vendor form. Every line
//! holding a password-like key (`password`, `login_password`, `Password`,
//! `.withPassword(`, `REGISTRY_PASSWORD=`, `"Secret":` ...) is read as
//! `key <separator> value` pairs (`:`, `=`, `=>`, `:=`, `<key>v</key>`,
//! `key("v")`, `key.set("v")`, Ruby's `key 'v'`); a JSON object inside a
//! quoted string (`echo '{"username": …}' | base64`, the Engine API's
//! `X-Registry-Auth` built in a script) is read as pairs of its own, whose
//! siblings are its members only. A pair whose value is a
//! literal (quoted, or bare where the syntax makes bare words values) is a
//! candidate; the lines around it are read by indentation, which every one
//! of these syntaxes uses for nesting in practice:
//! - *siblings*: pairs on the same line and on the lines of the same
//!   block at the same indentation;
//! - *ancestors*: the lines that open the enclosing blocks (the nearest
//!   line above with less indentation, then the one above that, ...).
//!
//! A candidate is reported only with a *registry signal*:
//! - a sibling `registry`/`server`/`serveraddress`/`login_server`/... key
//!   holding a host, or a `url`/`host`/`address`/`remoteurl`/`id`/`image`/
//!   `repository` key holding a registry-like host (`registry.*`,
//!   `*.azurecr.io`, `ghcr.io`, `docker.io`, `oci://...`);
//! - an ancestor line naming a registry (`registry`, `registries`,
//!   `imageCredentials`, `imagePullSecret`, `auths`, `authConfig`,
//!   `dockerconfig`, a registry-like host as the key; `docker` within two
//!   levels);
//! - an `auth`/`credentials` parent beside an `image`/`repository` that
//!   names a registry-like host (Jib, CircleCI);
//! - a Kubernetes `kubernetes.io/basic-auth` Secret annotated
//!   `tekton.dev/docker-*` or `kpack.io/docker`;
//! - or a key that names the registry itself: an upper-case environment
//!   name with a registry word and a secret word (`REGISTRY_PASSWORD`,
//!   `DOCKERHUB_TOKEN`, `ACRPWD`, `TRIVY_PASSWORD`).
//!
//! The username is the literal of a sibling `username`/`user`/`login` key
//! (for environment names, the one sharing the password's prefix).
//! References, templates and placeholders are never values
//! (`placeholder::literal_credential`), nor are bare identifiers of code
//! (`password: pw,`, `var.registry_password`, `process.env.X`).

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder};

use super::{Candidate, Check, Form};
use crate::model::finding::{Context, SecretKind};
use crate::model::rule::Rule;

pub(crate) const FORM: Form = Form {
    slug: "structured",
    rule: Rule::RegistryCredential,
    title: "registry credential object",
    gate: TRIGGERS,
    check: Check::AtGate(scan),
    hint: None,
    doc: "A literal password, token or `Creds=user:password` under a credential key in any structured text (YAML, JSON, TOML, HCL, XML, `.env`, properties, object literals, keyword arguments, builder calls such as `.withPassword(\"…\")`, a JSON object in a quoted string such as `echo '{\"username\": …}' \\| base64`), reported only with a registry signal: a sibling `registry`/`serveraddress`/`login_server` key, a `url`/`host`/`server`/`image`/`repository` naming a registry-like host, an enclosing block naming a registry (`registry`, `imageCredentials`, `imagePullSecret`, `auths`, `authConfig`, a registry host as the key; `docker` within two levels), an `auth`/`credentials` block beside a registry image, a `kubernetes.io/basic-auth` Secret annotated `tekton.dev/docker-*` or `kpack.io/docker`, or an environment name holding a registry word (`REGISTRY_PASSWORD`, `DOCKERHUB_TOKEN`, `ACRPWD`, `TRIVY_PASSWORD`). Helm values, Tekton, kpack, Argo CD, Concourse, Spinnaker, Jib, Maven, Gradle, SDK clients, Pulumi, Packer, Salt, Puppet, Chef, Talos, distribution's proxy and quadlets all come through it.",
};

/// Gate spellings: one is part of every password-like key this reads.
const TRIGGERS: &[&str] = &[
    "password", "Password", "PASSWORD", "PWD=", "_TOKEN", "token:", "Secret\"", "Creds=",
];

/// Bytes of a line read each way from a key ([`line_within`]).
const LINE_REACH: usize = 4096;

/// Lines looked at around a candidate, each way.
const REACH: usize = 24;
/// Bytes around a candidate that must hold a registry hint (a cheap test
/// before the lines are read): the reach of siblings and ancestors.
const HINT_BEFORE: usize = 4096;
const HINT_AFTER: usize = 2048;

/// Words of which one is in every registry signal but the environment
/// names and the Kubernetes annotations (matched case-insensitively).
const HINTS: &[&str] = &[
    "regist",
    "docker",
    "quay",
    "ghcr",
    "gcr.io",
    "pkg.dev",
    "azurecr",
    "dkr.ecr",
    "harbor",
    "nvcr",
    "icr.io",
    "jfrog",
    "oci://",
    "auths",
    "imagecredential",
    "imagepullsecret",
    "authconfig",
    "pullsecret",
    "cr.",
    "container",
];

fn hints() -> &'static AhoCorasick {
    static H: OnceLock<AhoCorasick> = OnceLock::new();
    H.get_or_init(|| {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(HINTS)
            .expect("static patterns")
    })
}
/// Ancestor levels read for a registry word.
const LEVELS: usize = 4;

/// One `key <sep> value` pair on a line.
#[derive(Debug, Clone)]
struct Pair {
    /// The key as written (without quotes).
    key: String,
    /// Lower-case, letters and digits only, without a `with`/`set` prefix.
    norm: String,
    /// The literal value and its span in the file, if the value is one.
    value: Option<(String, Range<usize>)>,
    /// For a pair of a JSON object inside a quoted string on the line
    /// (`'{"username": …}'`), where that string starts: the object's own
    /// pairs are its only siblings.
    embedded: Option<usize>,
}

/// The lines of a window of the text around the candidates being read:
/// start offsets of each line, without its `\r\n`. A window spans
/// [`WINDOW`] bytes each way, so siblings and ancestors are read without
/// indexing a whole (possibly huge) file.
struct Lines<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
    /// End of the window (a line end, or the text's end).
    hi: usize,
}

/// Bytes indexed on each side of a candidate.
const WINDOW: usize = 16 * 1024;

impl<'a> Lines<'a> {
    fn around(text: &'a [u8], pos: usize) -> Self {
        let lo = pos.saturating_sub(WINDOW);
        let lo = if lo == 0 {
            0
        } else {
            memchr::memchr(b'\n', &text[lo..pos]).map_or(pos, |i| lo + i + 1)
        };
        let hi = (pos + WINDOW).min(text.len());
        let hi = memchr::memrchr(b'\n', &text[pos..hi])
            .map_or(hi, |i| pos + i)
            .max(memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i));
        let mut starts = vec![lo];
        starts.extend(memchr::memchr_iter(b'\n', &text[lo..hi]).map(|i| lo + i + 1));
        if starts.len() > 1 && starts.last() == Some(&hi) {
            starts.pop();
        }
        Lines { text, starts, hi }
    }

    /// Whether a candidate at `pos` has its full reach inside the window.
    fn covers(&self, pos: usize) -> bool {
        let lo = self.starts[0];
        (lo == 0 || pos - lo >= WINDOW / 2)
            && pos < self.hi
            && (self.hi == self.text.len() || self.hi - pos >= WINDOW / 4)
    }

    fn len(&self) -> usize {
        self.starts.len()
    }

    fn range(&self, i: usize) -> Range<usize> {
        let s = self.starts[i];
        let mut e = self.starts.get(i + 1).map_or(self.hi, |n| n - 1);
        if e > s && self.text[e - 1] == b'\r' {
            e -= 1;
        }
        s..e.max(s)
    }

    fn line(&self, i: usize) -> &'a [u8] {
        &self.text[self.range(i)]
    }

    /// The window line holding `pos`; a position before the window (on a
    /// line that starts more than [`WINDOW`] bytes before the candidate)
    /// is on its first line.
    fn index_of(&self, pos: usize) -> usize {
        match self.starts.binary_search(&pos) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Indentation (a tab counts as one column, like a space), or `None`
    /// for a blank or comment-only line.
    fn indent(&self, i: usize) -> Option<usize> {
        let l = self.line(i);
        let n = l.iter().take_while(|c| matches!(c, b' ' | b'\t')).count();
        let rest = &l[n..];
        if rest.is_empty()
            || rest.starts_with(b"#")
            || rest.starts_with(b"//")
            || rest.starts_with(b"<!--")
            || rest.starts_with(b"/*")
            || rest.starts_with(b"* ")
        {
            return None;
        }
        Some(n)
    }
}

/// Reads every candidate line of `text`.
pub(crate) fn scan(text: &[u8], at: &[(usize, &'static str)], out: &mut Vec<Candidate>) {
    // Every signal but an environment name needs a registry hint, and
    // environment names are upper case: a file with neither is skipped
    // before its lines are read.
    if !names_a_registry(text) && !at.iter().any(|&(_, w)| UPPER_TRIGGERS.contains(&w)) {
        return;
    }
    // Hints are searched lazily, only in the windows candidates ask about
    // (candidates come in text order): a hint counts when it starts within
    // HINT_BEFORE bytes before a candidate or HINT_AFTER after it.
    let mut near = NearHints::default();
    let mut near_hint = |pos: usize| near.any(text, pos);
    let mut basic_auth: Option<bool> = None;
    let mut window: Option<Lines<'_>> = None;
    // End of the last line read: later matches on it are skipped.
    let mut done: Option<usize> = None;
    // The triggers' matches as a leftmost-first search would report them:
    // none inside another.
    let mut last_end = 0;
    for &(m_start, word) in at {
        if m_start < last_end {
            continue;
        }
        let m_end = m_start + word.len();
        last_end = m_end;
        if done.is_some_and(|d| m_start <= d) || !key_shaped(text, m_end) {
            continue;
        }
        // A line is read at most LINE_REACH bytes each way from the key:
        // every pair of a line is a sibling of every other, so a minified
        // file's one line of thousands of objects would take time
        // quadratic in its pairs.
        let line_range = line_within(text, m_start, LINE_REACH);
        done = Some(line_range.end);
        let pairs = pairs(text, line_range.clone());
        for (k, p) in pairs.iter().enumerate() {
            let Some((value, span)) = &p.value else {
                continue;
            };
            // `Creds=user:password` (podman quadlets, `creds:` options).
            let pair_value = matches!(p.norm.as_str(), "creds" | "srccreds" | "destcreds")
                .then(|| value.split_once(':'))
                .flatten();
            let quoted = span.start > 0 && matches!(text[span.start - 1], b'"' | b'\'');
            // Blanks belong to a quoted value (`"correct horse battery
            // staple 42"`); phrases describing a secret are still rejected.
            let plausible = |user: Option<&str>, secret: &str| {
                if quoted && secret.contains(' ') {
                    crate::forms::placeholder::literal_command_credential(user, secret)
                } else {
                    crate::forms::placeholder::plausible_secret(secret)
                }
            };
            // The value's own tests come before the registry hint's: the
            // hints are searched as far as the last position asked about.
            let (user, secret, at) = match pair_value {
                Some((user, secret)) => {
                    if !plausible(Some(user), secret) || !near_hint(span.start) {
                        continue;
                    }
                    (Some(user), secret, span.start + user.len() + 1)
                }
                None => {
                    if !is_secret_key(p)
                        || (!quoted && code_variable(value))
                        || !plausible(None, value)
                    {
                        continue;
                    }
                    if !env_named(&p.key)
                        && !near_hint(span.start)
                        && !*basic_auth.get_or_insert_with(|| mentions_basic_auth(text))
                    {
                        continue;
                    }
                    (None, value.as_str(), span.start)
                }
            };
            // Only now index the lines around the candidate.
            let lines = match window.take() {
                Some(w) if w.covers(span.start) => w,
                _ => Lines::around(text, span.start),
            };
            let lines = window.insert(lines);
            let li = lines.index_of(line_range.start);
            let Some(found) = judge(text, lines, li, &pairs, k) else {
                continue;
            };
            let (username, chain) = match user {
                Some(u) => (
                    Some(u.to_string()),
                    format!("{}: {} user:password", found.how, p.key),
                ),
                None => (found.username, format!("{}: {}", found.how, p.key)),
            };
            out.push(Candidate {
                quoted,
                rule: Rule::RegistryCredential,
                context: Context::Other,
                span: at..at + secret.len(),
                secret: secret.to_string(),
                username,
                registry: found.registry,
                kind: SecretKind::Password,
                chain,
            });
        }
    }
}

/// Whether a trigger ending at `end` ends a key: the rest of the key
/// (`word` characters), an optional closing quote or `>`, blanks, then a
/// separator or the start of a value (`:`, `=`, `(`, `.set(`, a quote). Prose
/// (`the password is`) is skipped without parsing its line.
fn key_shaped(text: &[u8], end: usize) -> bool {
    let mut i = end;
    let stop = (end + 256).min(text.len());
    while i < stop && (text[i].is_ascii_alphanumeric() || matches!(text[i], b'_' | b'-')) {
        i += 1;
    }
    if i < stop && text[i] == b'>' {
        // `<password>value`
        return true;
    }
    if i < stop && matches!(text[i], b'"' | b'\'') {
        i += 1;
    }
    let blanks = |i: &mut usize| {
        while *i < stop && matches!(text[*i], b' ' | b'\t') {
            *i += 1;
        }
    };
    blanks(&mut i);
    // The separator.
    let rest = &text[i..stop];
    if rest.starts_with(b"=>") || rest.starts_with(b":=") {
        i += 2;
    } else if rest.starts_with(b".set(") {
        i += 5;
    } else if matches!(rest.first(), Some(b':' | b'=' | b'(')) {
        i += 1;
    } else if !matches!(rest.first(), Some(b'"' | b'\'')) {
        return false;
    }
    blanks(&mut i);
    // The value starts a literal: a quote, `Some(`, or a bare word that
    // ends the line (a YAML or env value; in code, a variable is
    // followed by `,`, `;` or `)` or calls something).
    match text.get(i) {
        None => false,
        Some(b'"' | b'\'' | b'<') => true,
        Some(_) if text[i..stop].starts_with(b"Some(") => true,
        Some(_) => {
            let mut e = i;
            while e < stop
                && !matches!(
                    text[e],
                    b' ' | b'\t' | b'\r' | b'\n' | b',' | b';' | b')' | b'('
                )
            {
                e += 1;
            }
            if e > i && text[e - 1] == b'}' {
                e -= 1;
            }
            let mut t = e;
            blanks(&mut t);
            e > i && (t >= text.len() || matches!(text[t], b'\r' | b'\n' | b'#') || t == stop)
        }
    }
}

/// The registry hints found so far, for candidates asked about in text
/// order: only the bytes within reach of a candidate are searched, each
/// once, so a long file with a few candidates costs a few windows, not a
/// search of everything before its last candidate.
#[derive(Default)]
struct NearHints {
    /// Every hint starting before `searched_to` and after the previous
    /// window's start is in `found`, in text order.
    searched_to: usize,
    found: std::collections::VecDeque<usize>,
}

impl NearHints {
    /// Whether a hint starts in `pos - HINT_BEFORE ..= pos + HINT_AFTER`.
    fn any(&mut self, text: &[u8], pos: usize) -> bool {
        let lo = pos.saturating_sub(HINT_BEFORE);
        let hi = pos.saturating_add(HINT_AFTER).min(text.len());
        if self.searched_to < lo {
            self.searched_to = lo;
            self.found.clear();
        }
        if self.searched_to <= hi {
            // Matches may run past `hi`; overlapping matches, so that a
            // window's edge never hides one.
            let end = hi.saturating_add(HINT_LONGEST).min(text.len());
            let from = self.searched_to;
            let mut new: Vec<usize> = hints()
                .find_overlapping_iter(&text[from..end])
                .map(|m| from + m.start())
                .filter(|&h| h <= hi)
                .collect();
            // Overlapping matches come in the order they end.
            new.sort_unstable();
            self.found.extend(new);
            self.searched_to = hi + 1;
        }
        while self.found.front().is_some_and(|&h| h < lo) {
            self.found.pop_front();
        }
        !self.found.is_empty()
    }
}

/// The length of the longest of [`HINTS`].
const HINT_LONGEST: usize = 15;

/// The upper-case triggers: the only ones an environment name holds.
const UPPER_TRIGGERS: &[&str] = &["PASSWORD", "_TOKEN", "PWD="];

/// Whether the text names a registry anywhere (a registry hint).
pub(crate) fn names_a_registry(text: &[u8]) -> bool {
    hints().find(text).is_some()
}

/// The `(key, literal value)` pairs of the line `text[range]`.
pub(crate) fn literal_pairs(text: &[u8], range: Range<usize>) -> Vec<(String, String)> {
    pairs(text, range)
        .into_iter()
        .filter_map(|p| p.value.map(|(v, _)| (p.key, v)))
        .collect()
}

/// The line around `pos`, cut `reach` bytes before and after `pos`: what
/// a reader of one call's arguments needs, in bounded time on a minified
/// file whose one line is hundreds of kilobytes long and holds thousands
/// of calls.
pub(crate) fn line_within(text: &[u8], pos: usize, reach: usize) -> Range<usize> {
    let lo = pos.saturating_sub(reach);
    let hi = pos.saturating_add(reach).min(text.len());
    let s = memchr::memrchr(b'\n', &text[lo..pos]).map_or(lo, |i| lo + i + 1);
    let mut e = memchr::memchr(b'\n', &text[pos..hi]).map_or(hi, |i| pos + i);
    if e > s && text[e - 1] == b'\r' {
        e -= 1;
    }
    s..e
}

/// The line holding `pos`, without its line end.
pub(crate) fn line_around(text: &[u8], pos: usize) -> Range<usize> {
    let s = memchr::memrchr(b'\n', &text[..pos]).map_or(0, |i| i + 1);
    let mut e = memchr::memchr(b'\n', &text[pos..]).map_or(text.len(), |i| pos + i);
    if e > s && text[e - 1] == b'\r' {
        e -= 1;
    }
    s..e
}

struct Judged {
    username: Option<String>,
    registry: Option<String>,
    how: &'static str,
}

/// The registry signal and username for the secret `pairs[k]` on line `li`.
fn judge(text: &[u8], lines: &Lines<'_>, li: usize, pairs: &[Pair], k: usize) -> Option<Judged> {
    let key = &pairs[k];
    let indent = lines.indent(li).unwrap_or(0);
    // Siblings: this line's other pairs, then the block's lines at the
    // same indentation.
    let mut siblings: Vec<Pair> = pairs
        .iter()
        .enumerate()
        .filter(|(j, p)| *j != k && (key.embedded.is_none() || p.embedded == key.embedded))
        .map(|(_, p)| p.clone())
        .collect();
    let reach = if key.embedded.is_some() { 0 } else { REACH };
    for dir in [-1isize, 1] {
        let mut j = li as isize;
        for _ in 0..reach {
            j += dir;
            if j < 0 || j as usize >= lines.len() {
                break;
            }
            let Some(ind) = lines.indent(j as usize) else {
                continue;
            };
            if lines.line(j as usize).starts_with(b"---") {
                break;
            }
            if ind < indent {
                break;
            }
            if ind == indent {
                siblings.extend(pairs_of(text, lines, j as usize));
            }
        }
    }
    // Ancestors: lines opening the enclosing blocks.
    let mut ancestors: Vec<usize> = Vec::new();
    let mut want = indent;
    let mut j = li;
    let mut budget = REACH * 2;
    while j > 0 && ancestors.len() < LEVELS && budget > 0 {
        j -= 1;
        budget -= 1;
        let Some(ind) = lines.indent(j) else { continue };
        if lines.line(j).starts_with(b"---") {
            break;
        }
        if ind < want {
            ancestors.push(j);
            want = ind;
            if ind == 0 {
                break;
            }
        }
    }

    let username = username_of(key, &siblings);
    let mut registry = None;
    let mut how = None;
    for s in &siblings {
        let Some((v, _)) = &s.value else { continue };
        if REGISTRY_KEYS.contains(&s.norm.as_str()) && host_like(v) && !other_registry(v) {
            registry = Some(v.clone());
            how = Some("registry object");
            break;
        }
        if URL_KEYS.contains(&s.norm.as_str()) && registry_like(v) {
            registry = Some(host_of(v));
            how = Some("registry object");
            break;
        }
    }
    if how.is_none() && env_named(&key.key) {
        how = Some("registry environment variable");
    }
    if how.is_none() {
        for (level, &a) in ancestors.iter().enumerate() {
            let line = String::from_utf8_lossy(lines.line(a)).to_ascii_lowercase();
            if REGISTRY_WORDS.iter().any(|w| line.contains(w))
                || (level < 2 && line.contains("docker"))
                || registry_like(line.trim())
            {
                how = Some("registry block");
                break;
            }
        }
    }
    if how.is_none() {
        // `auth`/`credentials` beside an image naming a registry (Jib,
        // CircleCI): the parent's siblings.
        if let Some(&parent) = ancestors.first() {
            let pk = pairs_of(text, lines, parent)
                .first()
                .map(|p| p.norm.clone())
                .or_else(|| opener_word(lines.line(parent)));
            if pk.as_deref().is_some_and(|k| AUTH_PARENTS.contains(&k)) {
                if let Some(host) = uncle_image(text, lines, parent) {
                    registry = Some(host);
                    how = Some("registry auth block");
                }
            }
        }
    }
    if how.is_none() && annotated_basic_auth(text, lines, li) {
        how = Some("Kubernetes basic-auth Secret for a registry");
    }
    Some(Judged {
        username,
        registry,
        how: how?,
    })
}

/// Keys whose value, when a host, names the registry.
const REGISTRY_KEYS: &[&str] = &[
    "registry",
    "registryurl",
    "registryaddress",
    "registryserver",
    "registryhost",
    "registryname",
    "serveraddress",
    "loginserver",
    "dockerserver",
    "dockerregistry",
    "dockerregistryserver",
    "dockerregistryserverurl",
];

/// Keys whose value names the registry when it looks like one.
const URL_KEYS: &[&str] = &[
    "server",
    "serverurl",
    "url",
    "uri",
    "host",
    "hostname",
    "address",
    "endpoint",
    "remoteurl",
    "id",
    "image",
    "imagename",
    "repository",
    "repo",
];

/// Words of an enclosing line that make a block a registry's.
const REGISTRY_WORDS: &[&str] = &[
    "registry",
    "registries",
    "imagecredentials",
    "imagepullsecret",
    "auths",
    "authconfig",
    "dockercfg",
    "dockerconfig",
    "registrycredentials",
    "registryauth",
    "registry_auth",
    "pullsecret",
];

/// Parent keys of a credential that an `image` beside them explains.
const AUTH_PARENTS: &[&str] = &["auth", "credentials", "authentication", "login"];

/// Hosts of package registries that are not container registries.
const OTHER_REGISTRIES: &[&str] = &[
    "npmjs",
    "yarnpkg",
    "pypi",
    "rubygems",
    "nuget",
    "crates.io",
    "maven.org",
    "gradle.org",
    "packagist",
];

fn is_secret_key(p: &Pair) -> bool {
    let n = p.norm.as_str();
    if n.ends_with("password")
        || n.ends_with("passwd")
        || n.ends_with("pwd")
        || n == "pass"
        || n.ends_with("token")
        || n == "secret"
    {
        // Not a file, a name or a flag about a password.
        return !(n.contains("file")
            || n.contains("path")
            || n.contains("env")
            || n.contains("stdin")
            || n.contains("name")
            || n.contains("type")
            || n.contains("ref")
            || n.contains("policy")
            || n.contains("expir")
            || n.contains("length"));
    }
    false
}

fn is_user_key(n: &str) -> bool {
    n == "username"
        || n == "user"
        || n == "login"
        || n == "loginusername"
        || n.ends_with("username")
        || n.ends_with("user")
}

fn username_of(key: &Pair, siblings: &[Pair]) -> Option<String> {
    let literal = |p: &Pair| p.value.as_ref().map(|(v, _)| v.clone());
    // Environment names: the user variable sharing the secret's prefix.
    if key.key.bytes().any(|c| c.is_ascii_uppercase()) && key.key.contains('_') {
        let prefix = key.key.rsplit_once('_').map_or("", |(a, _)| a);
        if let Some(p) = siblings.iter().find(|p| {
            p.value.is_some()
                && p.key.starts_with(prefix)
                && (p.key.ends_with("USER")
                    || p.key.ends_with("USERNAME")
                    || p.key.ends_with("LOGIN"))
        }) {
            return literal(p);
        }
    }
    siblings
        .iter()
        .find(|p| p.value.is_some() && is_user_key(&p.norm))
        .and_then(literal)
}

/// `REGISTRY_PASSWORD`, `DOCKERHUB_TOKEN`, `ACRPWD`, `TRIVY_PASSWORD`:
/// an environment name holding a registry word and a secret word.
fn env_named(key: &str) -> bool {
    let k = key.trim_start_matches("export ").trim();
    if !k
        .bytes()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
    {
        return false;
    }
    const REG: &[&str] = &[
        "REGISTRY",
        "DOCKER",
        "HARBOR",
        "QUAY",
        "GHCR",
        "ACR",
        "ECR",
        "GCR",
        "TRIVY",
        "CR_PAT",
        "NEXUS_DOCKER",
        "IMAGE_PULL",
        "PULL_SECRET",
    ];
    const SECRET: &[&str] = &[
        "PASSWORD", "PASSWD", "PWD", "TOKEN", "PASS", "SECRET", "PAT",
    ];
    REG.iter().any(|w| k.contains(w)) && SECRET.iter().any(|w| k.contains(w))
}

/// A host name, `host:port` or URL with one: a dot, a port or `localhost`,
/// no blanks.
fn host_like(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty()
        && !v.contains(char::is_whitespace)
        && !crate::forms::placeholder::is_reference(v)
        && (v.contains('.') || v.contains(':') || v.starts_with("localhost"))
}

/// The host part of a URL or image reference.
pub(crate) fn host_of(v: &str) -> String {
    let v = v.trim();
    let v = v.split_once("://").map_or(v, |(_, r)| r);
    v.split('/').next().unwrap_or(v).to_string()
}

/// A value naming a container registry: a host with a registry word, a
/// known registry domain, or an `oci://` URL.
pub(crate) fn registry_like(v: &str) -> bool {
    let v = v.trim().to_ascii_lowercase();
    if v.is_empty() || v.contains(char::is_whitespace) || v.len() > 200 {
        return false;
    }
    if v.starts_with("oci://") || v.starts_with("docker://") {
        return true;
    }
    let host = host_of(&v);
    if !(host.contains('.') || host.contains(':')) {
        return false;
    }
    if other_registry(&host) {
        return false;
    }
    const HOSTS: &[&str] = &[
        "registry", "docker", "harbor", "quay.io", "ghcr.io", "gcr.io", "pkg.dev", "azurecr.",
        "dkr.ecr.", "nvcr.io", "icr.io", "jfrog.io",
    ];
    HOSTS.iter().any(|h| host.contains(h))
}

fn other_registry(v: &str) -> bool {
    let v = v.to_ascii_lowercase();
    OTHER_REGISTRIES.iter().any(|o| v.contains(o))
}

/// An `image`/`repository` line next to `parent` (same indentation, same
/// block) naming a registry-like host.
fn uncle_image(text: &[u8], lines: &Lines<'_>, parent: usize) -> Option<String> {
    let indent = lines.indent(parent)?;
    for dir in [-1isize, 1] {
        let mut j = parent as isize;
        for _ in 0..REACH {
            j += dir;
            if j < 0 || j as usize >= lines.len() {
                break;
            }
            let Some(ind) = lines.indent(j as usize) else {
                continue;
            };
            if ind < indent {
                break;
            }
            if ind > indent {
                continue;
            }
            for p in pairs_of(text, lines, j as usize) {
                if let Some((v, _)) = &p.value {
                    if matches!(p.norm.as_str(), "image" | "repository" | "registry")
                        && registry_like(v)
                    {
                        return Some(host_of(v));
                    }
                }
            }
        }
    }
    None
}

/// The first word of a block-opening line without a separator
/// (`auth {`, `<auth>`, `auth do`).
fn opener_word(line: &[u8]) -> Option<String> {
    let s = String::from_utf8_lossy(line);
    let w: String = s
        .trim_start()
        .trim_start_matches('<')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!w.is_empty()).then(|| normalize(&w))
}

/// Whether the text holds a basic-auth Secret at all (its registry
/// annotations carry no hint word of their own but `docker`, which
/// [`HINTS`] has; this keeps the test exact).
fn mentions_basic_auth(text: &[u8]) -> bool {
    memchr::memmem::find(text, b"kubernetes.io/basic-auth").is_some()
}

/// A `kubernetes.io/basic-auth` Secret annotated for a registry
/// (`tekton.dev/docker-0`, `kpack.io/docker`), in the YAML document
/// holding line `li`.
fn annotated_basic_auth(text: &[u8], lines: &Lines<'_>, li: usize) -> bool {
    let doc_start = (0..li)
        .rev()
        .find(|&j| lines.line(j).starts_with(b"---"))
        .map_or(lines.starts[0], |j| lines.range(j).end);
    let doc_end = (li..lines.len())
        .find(|&j| lines.line(j).starts_with(b"---"))
        .map_or(lines.hi, |j| lines.range(j).start);
    let doc = &text[doc_start..doc_end];
    let has = |w: &[u8]| memchr::memmem::find(doc, w).is_some();
    has(b"kubernetes.io/basic-auth") && (has(b"tekton.dev/docker-") || has(b"kpack.io/docker"))
}

fn pairs_of(text: &[u8], lines: &Lines<'_>, i: usize) -> Vec<Pair> {
    pairs(text, lines.range(i))
}

/// Lower-case letters and digits of a key, without a leading `with`/`set`
/// of a builder method.
fn normalize(key: &str) -> String {
    let mut n: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    for prefix in ["with", "set"] {
        let builder = key
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()));
        if builder {
            n = n.get(prefix.len()..).unwrap_or_default().to_string();
        }
    }
    n
}

fn ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

/// The `key <sep> value` pairs of the line `text[range]`.
fn pairs(text: &[u8], range: Range<usize>) -> Vec<Pair> {
    let mut out = Vec::new();
    let end = range.end;
    let mut i = range.start;
    // `- KEY=value` (compose), `export KEY=value`.
    while i < end && matches!(text[i], b' ' | b'\t') {
        i += 1;
    }
    if text[i..end].starts_with(b"- ") {
        i += 2;
    }
    if text[i..end].starts_with(b"export ") {
        i += 7;
    }
    let line_start = i;
    // Quoted strings holding a JSON object, read inside.
    let mut regions: Vec<Range<usize>> = Vec::new();
    while i < end {
        let c = text[i];
        // XML element: <key>value</key>
        if c == b'<' && i + 1 < end && text[i + 1].is_ascii_alphabetic() {
            let ks = i + 1;
            let mut ke = ks;
            while ke < end && ident_byte(text[ke]) {
                ke += 1;
            }
            if ke < end && text[ke] == b'>' {
                let vs = ke + 1;
                if let Some(ve) = memchr::memchr(b'<', &text[vs..end]).map(|o| vs + o) {
                    let key = String::from_utf8_lossy(&text[ks..ke]).into_owned();
                    let closing = format!("</{key}>");
                    if text[ve..end].starts_with(closing.as_bytes()) {
                        out.push(pair(key, bare(text, vs, ve)));
                        i = ve + closing.len();
                        continue;
                    }
                }
            }
            i += 1;
            continue;
        }
        // Quoted or bare key.
        let (ks, ke, after) = if c == b'"' || c == b'\'' {
            match memchr::memchr(c, &text[i + 1..end]) {
                Some(o) => (i + 1, i + 1 + o, i + 2 + o),
                None => break,
            }
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'.' {
            let ks = i;
            let mut ke = i;
            while ke < end && ident_byte(text[ke]) {
                ke += 1;
            }
            (ks, ke, ke)
        } else {
            i += 1;
            continue;
        };
        // A JSON object inside a quoted string (`'{"username": …}'` given
        // to `echo … | base64` or assigned in a script): its own pairs.
        if ks > i && json_object(&text[ks..ke]) {
            regions.push(ks..ke);
            i = ks;
            continue;
        }
        let key_raw = String::from_utf8_lossy(&text[ks..ke]).into_owned();
        let key = key_raw.trim_start_matches('.').to_string();
        // Kotlin/Gradle properties: `password.set("v")`.
        if let Some(k) = key.strip_suffix(".set") {
            if text.get(ke) == Some(&b'(') {
                out.push(pair(k.to_string(), call_literal(text, ke + 1, end)));
                i = ke + 1;
                continue;
            }
        }
        let mut j = after;
        while j < end && matches!(text[j], b' ' | b'\t') {
            j += 1;
        }
        let rest = &text[j..end];
        let sep_len = if rest.starts_with(b"=>") || rest.starts_with(b":=") {
            2
        } else if rest.starts_with(b"::") || rest.starts_with(b"==") {
            0
        } else if rest.starts_with(b":") || rest.starts_with(b"=") {
            1
        } else if rest.starts_with(b"(") || rest.starts_with(b".set(") {
            // key("v"), .withKey("v"), key.set("v")
            let open = j + if rest.starts_with(b"(") { 1 } else { 5 };
            let v = call_literal(text, open, end);
            if !key.is_empty() {
                out.push(pair(key, v));
            }
            i = ke.max(i + 1);
            continue;
        } else if (rest.starts_with(b"'") || rest.starts_with(b"\""))
            && ks == line_start
            && j > ke
            && c != b'"'
            && c != b'\''
        {
            // Ruby DSL: `password 'value'` as the whole line.
            let v = quoted_value(text, j, end, true);
            out.push(pair(key, v));
            break;
        } else {
            i = ke.max(i + 1);
            continue;
        };
        if sep_len == 0 || key.is_empty() {
            i = ke.max(i + 1);
            continue;
        }
        let sep_is_colon = text[j] == b':' && sep_len == 1;
        let sep = j;
        let mut v = j + sep_len;
        while v < end && matches!(text[v], b' ' | b'\t') {
            v += 1;
        }
        let upper_key = key
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_');
        // `KEY=value` with no blank around `=` (dotenv, properties).
        let tight_eq = text[sep] == b'=' && sep == ke && v == sep + 1;
        let value = match text.get(v) {
            Some(b'"' | b'\'') => quoted_value(text, v, end, false),
            Some(b'S') if text[v..end].starts_with(b"Some(") => call_literal(text, v + 5, end),
            Some(_) if v < end && (sep_is_colon || upper_key || tight_eq) => {
                let mut e = v;
                while e < end && !matches!(text[e], b' ' | b'\t' | b',' | b'}' | b']') {
                    e += 1;
                }
                let mut tail = e;
                while tail < end && matches!(text[tail], b' ' | b'\t') {
                    tail += 1;
                }
                // A bare word ends the line (or starts a comment): a
                // YAML/env value, not a variable in code.
                let ends = tail == end || text[tail] == b'#';
                if ends && bare_literal(&text[v..e]) {
                    bare(text, v, e)
                } else {
                    None
                }
            }
            _ => None,
        };
        // Continue after the value (a flow mapping or JSON line holds more),
        // or inside it when it is a JSON object in a string.
        i = match &value {
            Some((s, span)) if json_object(s.as_bytes()) => {
                regions.push(span.clone());
                span.start
            }
            Some((_, span)) => span.end + 1,
            None => v.max(ke + 1),
        };
        out.push(pair(key, value));
    }
    for p in &mut out {
        if let Some((_, span)) = &p.value {
            p.embedded = regions
                .iter()
                .find(|r| *r != span && r.start <= span.start && span.end <= r.end)
                .map(|r| r.start);
        }
    }
    out
}

/// Whether a string's contents are a JSON object with members.
fn json_object(s: &[u8]) -> bool {
    s.trim_ascii_start().starts_with(b"{") && memchr::memmem::find(s, b"\":").is_some()
}

fn pair(key: String, value: Option<(String, Range<usize>)>) -> Pair {
    Pair {
        norm: normalize(&key),
        key,
        value,
        embedded: None,
    }
}

fn bare(text: &[u8], s: usize, e: usize) -> Option<(String, Range<usize>)> {
    let v = std::str::from_utf8(&text[s..e]).ok()?.trim();
    if v.is_empty() {
        return None;
    }
    let off = s + text[s..e]
        .iter()
        .take_while(|c| c.is_ascii_whitespace())
        .count();
    Some((v.to_string(), off..off + v.len()))
}

/// A bare word that can be a value: not a call, an index or a keyword.
fn bare_literal(v: &[u8]) -> bool {
    if v.is_empty()
        || v.iter()
            .any(|c| matches!(c, b'(' | b'[' | b'{' | b'"' | b'\''))
    {
        return false;
    }
    let s = String::from_utf8_lossy(v);
    !(s == "true" || s == "false" || s == "null")
}

/// A bare secret value that is a variable of code, not a literal:
/// `var.registry_password`, `env.X`, `registryPassword`.
fn code_variable(s: &str) -> bool {
    // Dotted identifiers: `var.registry_password`, `env.X`.
    let dotted = s.contains('.')
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    // camelCase identifiers without digits: `registryPassword`.
    let camel = s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_alphabetic())
        && s.chars().any(|c| c.is_ascii_uppercase());
    dotted || camel
}

/// A quoted literal at `q`: its contents when nothing but a closing
/// delimiter or a conversion (`.to_string()`) follows it. `whole_line`:
/// only blanks or a comment may follow.
fn quoted_value(
    text: &[u8],
    q: usize,
    end: usize,
    whole_line: bool,
) -> Option<(String, Range<usize>)> {
    let quote = text[q];
    let mut k = q + 1;
    while k < end && text[k] != quote {
        if text[k] == b'\\' {
            k += 1;
        }
        k += 1;
    }
    if k >= end {
        return None;
    }
    let (vs, ve) = (q + 1, k);
    let mut t = k + 1;
    for conv in [".to_string()", ".to_owned()", ".into()", ".freeze"] {
        if text[t..end].starts_with(conv.as_bytes()) {
            t += conv.len();
        }
    }
    while t < end && matches!(text[t], b' ' | b'\t') {
        t += 1;
    }
    let ok = t == end
        || text[t] == b'#'
        || text[t..end].starts_with(b"//")
        || (!whole_line && matches!(text[t], b',' | b';' | b')' | b'}' | b']' | b'>'))
        || (!whole_line && text[t..end].starts_with(b"</"));
    if !ok {
        return None;
    }
    let v = std::str::from_utf8(&text[vs..ve]).ok()?;
    if v.contains("\\") {
        return None;
    }
    Some((v.to_string(), vs..ve))
}

/// The literal first argument of a call whose argument list opens at
/// `open`: `("v")`, `(Some("v"))`.
fn call_literal(text: &[u8], open: usize, end: usize) -> Option<(String, Range<usize>)> {
    let mut v = open;
    while v < end && matches!(text[v], b' ' | b'\t') {
        v += 1;
    }
    match text.get(v) {
        Some(b'"' | b'\'') if v < end => quoted_value(text, v, end, false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_candidate_far_into_a_long_line_is_read() {
        // Minified JSON: the line starts more than the window's reach
        // before the candidate (this indexed before the window and
        // panicked).
        let mut text = String::from("[");
        text.push_str(&"{\"name\":\"a\",\"note\":\"b\"},".repeat(2000));
        text.push_str(
            "{\"registry\":\"r.example.test\",\"username\":\"u\",\"password\":\"Zq8vLm2Kp4Rt7Wx\"}]",
        );
        assert!(text.find("password").unwrap() > 2 * WINDOW);
        assert_eq!(
            found(&text),
            [("Zq8vLm2Kp4Rt7Wx".to_string(), Some("u".to_string()))]
        );
    }

    #[test]
    fn the_longest_hint_is_known() {
        assert_eq!(HINTS.iter().map(|h| h.len()).max(), Some(HINT_LONGEST));
    }

    proptest::proptest! {
        /// Windowed hint search: a candidate is near a hint exactly when
        /// some hint, in any case, starts within reach of it.
        #[test]
        fn near_hints_match_a_search_of_each_window(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "x".repeat(700), "y".repeat(3000), "Docker".into(), "cr.".into(),
                    "gcr.io".into(), "QUAY".into(), " ".into(), "regist".into(),
                ]),
                0..30,
            ),
            mut asks in proptest::collection::vec(0usize..40_000, 0..12),
        ) {
            let text = parts.concat();
            let text = text.as_bytes();
            asks.retain(|&p| p < text.len());
            asks.sort_unstable();
            let lower = text.to_ascii_lowercase();
            let mut near = NearHints::default();
            for pos in asks {
                let lo = pos.saturating_sub(HINT_BEFORE);
                let hi = (pos + HINT_AFTER).min(text.len());
                let slow = HINTS.iter().any(|h| {
                    memchr::memmem::find_iter(&lower, h.as_bytes()).any(|s| s >= lo && s <= hi)
                });
                proptest::prop_assert_eq!(near.any(text, pos), slow, "at {}", pos);
            }
        }
    }

    fn found(text: &str) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        let at = crate::forms::gate_positions(text.as_bytes(), FORM.gate);
        scan(text.as_bytes(), &at, &mut out);
        out.into_iter()
            .filter(Candidate::is_literal)
            .map(|p| (p.secret, p.username))
            .collect()
    }

    #[test]
    fn helm_values_and_sibling_registry() {
        let t = "imageCredentials:\n  registry: quay.io\n  username: robot-x\n  password: Zq8vLm2Kp4Rt7Wx\n";
        assert_eq!(
            found(t),
            vec![("Zq8vLm2Kp4Rt7Wx".into(), Some("robot-x".into()))]
        );
        let t = "settings:\n  registry: registry.example.test\n  username: wp-bot\n  password: Hv3nQ8rTzW6pLk2M\n";
        assert_eq!(found(t).len(), 1);
    }

    #[test]
    fn no_signal_no_finding() {
        for t in [
            "database:\n  host: db.internal\n  username: app\n  password: Zq8vLm2Kp4Rt7Wx\n",
            "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: Zq8vLm2Kp4Rt7Wx\n",
            "npm:\n  registry: https://registry.npmjs.org\n  password: Zq8vLm2Kp4Rt7Wx\n",
            "const token = tokenize(src);\nlet password: String = read();\n",
        ] {
            assert!(found(t).is_empty(), "{t}");
        }
    }

    #[test]
    fn code_variables_are_not_literals() {
        for t in [
            "registry: {\n  server: \"r.example.test\",\n  username: user,\n  password: registryPassword,\n}\n",
            "registry {\n  url = \"oci://r.example.test\"\n  password = var.registry_password\n}\n",
            "auth = AuthConfig(server=\"r.example.test\", password=os.environ[\"P\"])\n",
        ] {
            assert!(found(t).is_empty(), "{t}");
        }
    }

    #[test]
    fn environment_names() {
        let t = "DOCKERHUB_USERNAME=acme\nDOCKERHUB_PASSWORD=Zq8vLm2Kp4Rt7Wx\nDB_PASSWORD=Hv3nQ8rTzW6pLk2M\n";
        assert_eq!(
            found(t),
            vec![("Zq8vLm2Kp4Rt7Wx".into(), Some("acme".into()))]
        );
    }

    #[test]
    fn json_objects_in_quoted_strings_are_read_on_their_own() {
        let pw = "Zq8vLm2Kp4Rt7Wx";
        let json = format!(
            r#"{{"username":"xra-bot","password":"{pw}","serveraddress":"registry.example.test"}}"#
        );
        let want = vec![("Zq8vLm2Kp4Rt7Wx".to_string(), Some("xra-bot".to_string()))];
        assert_eq!(found(&format!("echo -n '{json}' | base64 -w0\n")), want);
        assert_eq!(found(&format!("AUTH_JSON='{json}'\n")), want);
        // The object's siblings are its own members, not the next line's.
        let t = format!(
            "AUTH_JSON='{json}'\nDB_JSON='{{\"username\": \"db\", \"password\": \"Hv3nQ8rTzW6pLk2M\", \"host\": \"db.internal.test\"}}'\n"
        );
        assert_eq!(found(&t), want);
    }
}
