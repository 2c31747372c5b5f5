#!/usr/bin/env python3
"""Generate a deterministic, realistic-looking synthetic repository tree for
benchmarking credscan.

Usage:
    gen_tree.py OUT_DIR --size-mb N [--seed S] [--force] [--no-git-dir]

The tree is about N MB on disk with about 33 files per MB (300 MB ~ 10k files):
source code (.rs/.py/.go/.js), Kubernetes YAML manifests (Deployments,
ConfigMaps, Opaque Secrets with random base64 values), package-lock.json and
go.sum lock files, minified JS with 100 KB+ lines, Markdown docs that talk
about `auth`/`auths`, log files, a few binary files, misc config/scripts, a
`.gitignore` that ignores an `ignored/` folder (which has content too) and a
handful of PLANTED Docker registry credentials.

A minimal empty `.git/` directory (HEAD, config, objects/, refs/) is written so
that tools built on the `ignore` crate (ripgrep, credscan) honour `.gitignore`;
they only do so inside a git repository.  Pass --no-git-dir to skip it.

The ground truth is written to OUT_DIR/../<name>.planted.json, where <name> is
the base name of OUT_DIR.  Only the standard library is used.
"""

import argparse
import base64
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

FORMAT_VERSION = 1  # bump when the generated content changes
MB = 1 << 20
FILES_PER_MB = 33
IGNORED_FRACTION = 0.03  # share of the bytes that go to the ignored/ folder

# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

WORDS = """
account action adapter address agent alert alias allocator archive array
artifact asset audit backend backoff batch binding
blob bucket buffer build bundle cache callback canary catalog channel chart
checksum chunk client cluster codec commit config connection consumer context
controller cookie credential cursor daemon dashboard decoder default deploy
digest dispatcher domain driver endpoint engine entry envelope event executor
exporter feature fetcher filter flag frame gateway handler header health
helper hook host identity image index ingress inventory job journal kernel
key label layer lease ledger limit listener loader lock logger manifest
mapper matcher message metric middleware mirror module monitor mount
namespace node notifier object operator option origin output package page
parser partition payload peer permission pipeline plugin policy pool
portal probe process profile project provider proxy publisher pull push
queue quota reader realm receiver record reducer registry release replica
report repository request resolver resource response retry role route
router rule runner sampler scheduler schema scope secret segment selector
sender service session shard signer snapshot socket source span state
storage store stream subscriber summary supervisor table tag target task
template tenant token topic tracker transport tree trigger upload user
validator value vault version volume watcher webhook worker workspace
""".split()

NPM_PKGS = """
react react-dom lodash express axios chalk commander debug semver uuid
yargs minimist glob rimraf mkdirp webpack babel-loader eslint prettier
typescript ts-node jest mocha chai sinon supertest body-parser cors
dotenv jsonwebtoken passport passport-jwt basic-auth http-auth
@auth/core @octokit/auth-token @aws-sdk/client-ecr @docker/extension-api
node-fetch ws socket.io redis ioredis pg mysql2 mongoose sequelize
knex moment dayjs date-fns rxjs immer zod yup joi ajv qs cookie
tough-cookie form-data mime-types content-type iconv-lite safe-buffer
string_decoder readable-stream inherits once wrappy balanced-match
brace-expansion minimatch picomatch micromatch fill-range to-regex-range
is-number esbuild rollup vite postcss autoprefixer tailwindcss sass
""".split()

GO_MODS = """
github.com/spf13/cobra github.com/spf13/viper github.com/stretchr/testify
golang.org/x/sync golang.org/x/net golang.org/x/crypto golang.org/x/oauth2
google.golang.org/grpc google.golang.org/protobuf k8s.io/api
k8s.io/apimachinery k8s.io/client-go github.com/docker/cli
github.com/docker/docker-credential-helpers github.com/google/go-containerregistry
github.com/prometheus/client_golang github.com/sirupsen/logrus go.uber.org/zap
github.com/opencontainers/image-spec github.com/pkg/errors
""".split()

LOG_LEVELS = ["INFO"] * 12 + ["DEBUG"] * 6 + ["WARN"] * 2 + ["ERROR"]

SENTENCES = [
    "The {a} forwards every {b} to the {c} once the {d} has been validated.",
    "When the {a} is unavailable we fall back to the cached {b} and emit a warning.",
    "Each {a} owns exactly one {b}; sharing them across {c} instances is not supported.",
    "Set `{u}` to `true` to enable the experimental {a} path.",
    "Retries use exponential backoff capped at {n} seconds.",
    "The {a} keeps at most {n} {b} entries in memory before spilling to disk.",
    "See the {a} section below for how the {b} interacts with the {c}.",
    "Requests without a valid auth header are rejected with HTTP 401 by the {a}.",
    "The auth middleware resolves the caller identity before the {a} runs.",
    "Registry auth is handled by a credential helper; never commit tokens to the repository.",
    "Running `docker login` writes an `auths` map to `~/.docker/config.json`.",
    "The `auths` object maps registry host names to credentials.",
    "Prefer `credsStore` or `credHelpers` over inline `auth` entries.",
    "Pull secrets of type `kubernetes.io/dockerconfigjson` store that JSON under `.dockerconfigjson`.",
    "Rotate the {a} token whenever a maintainer leaves the project.",
    "Metrics are exported on port {n} under the `/metrics` path.",
    "A {a} may be paused, resumed or cancelled through the admin API.",
    "This document describes version {n} of the {a} protocol.",
    "Large {a} payloads are streamed rather than buffered.",
    "The {a} is idempotent, so replaying a {b} is always safe.",
]

# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def snake(rng, n=2):
    return "_".join(rng.choice(WORDS) for _ in range(n))


def camel(rng, n=2, upper=False):
    parts = [rng.choice(WORDS) for _ in range(n)]
    s = parts[0] + "".join(p.capitalize() for p in parts[1:])
    return s[0].upper() + s[1:] if upper else s


PLAIN_SENTENCES = [s for s in SENTENCES if "auth" not in s]


def sentence(rng, plain=False):
    tpl = rng.choice(PLAIN_SENTENCES if plain else SENTENCES)
    return tpl.format(a=rng.choice(WORDS), b=rng.choice(WORDS), c=rng.choice(WORDS),
                      d=rng.choice(WORDS), u=snake(rng).upper(), n=rng.randint(2, 900))


def fill(rng, pool, size, header=b"", footer=b""):
    """Concatenate random pool chunks until about `size` bytes."""
    pool, avg = pool
    k = max(1, int((size - len(header) - len(footer)) / avg) + 1)
    return header + b"".join(rng.choices(pool, k=k)) + footer


def make_pool(chunks):
    """-> {"all": (chunks, avg_len), "clean": (chunks without 'auth', avg_len)}"""
    enc = [c.encode() if isinstance(c, str) else c for c in chunks]
    clean = [c for c in enc if b"auth" not in c] or enc
    return {"all": (enc, sum(map(len, enc)) / len(enc)),
            "clean": (clean, sum(map(len, clean)) / len(clean))}


def b64(data):
    return base64.b64encode(data).decode()


# --------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------


class Generator:
    # category -> (share of file COUNT, lognormal median bytes, sigma, min, max)
    CATEGORIES = {
        "rust": (0.14, 8000, 0.9, 300, 150_000),
        "python": (0.14, 8000, 0.9, 300, 150_000),
        "go": (0.13, 8000, 0.9, 300, 150_000),
        "js": (0.13, 8000, 0.9, 300, 150_000),
        "yaml": (0.12, 2500, 0.7, 400, 60_000),
        "markdown": (0.08, 5000, 0.8, 500, 120_000),
        "misc": (0.10, 2000, 1.0, 100, 200_000),
        "log": (0.08, 50_000, 1.0, 2_000, 4 * MB),
        "lock": (0.03, 150_000, 0.6, 20_000, 2 * MB),
        "minified": (0.012, 0, 0, 0, 0),  # sized specially: >= 100 KB lines
        "binary": (0.018, 30_000, 1.0, 2_000, MB),
    }

    def __init__(self, out, size_mb, seed, git_dir=True):
        self.out = Path(out)
        self.size_mb = size_mb
        self.seed = seed
        self.git_dir = git_dir
        self.rng = random.Random(seed)
        self.paths = set()
        self.stats = {}
        self.planted = []
        self.ignored_planted = []
        self.decoys = []
        self._build_pools()

    # ---- pools of reusable chunks ---------------------------------------

    def _build_pools(self):
        rng = self.rng
        # random bytes + their base64, sliced for cheap "random" data
        self.rand = rng.randbytes(4 * MB)
        self.rand_b64 = base64.b64encode(self.rand)
        self.pools = {
            "rust": make_pool(self._rust_snippet() for _ in range(300)),
            "python": make_pool(self._python_snippet() for _ in range(300)),
            "go": make_pool(self._go_snippet() for _ in range(300)),
            "js": make_pool(self._js_snippet() for _ in range(300)),
            "minified": make_pool(self._minified_fragment() for _ in range(800)),
            "log": make_pool(self._log_message() for _ in range(3000)),
            "md": make_pool(self._md_block() for _ in range(400)),
            "csv": make_pool(self._csv_row() for _ in range(2000)),
        }

    # Share of files (per pool) that may contain "auth"-mentioning chunks; the
    # rest are built from chunks without the word, so that a cheap "auth"
    # prefilter has something realistic to skip.
    AUTH_FILE_SHARE = {"rust": 0.15, "python": 0.2, "go": 0.15, "js": 0.25, "md": 0.3,
                       "log": 0.3, "csv": 0.0, "minified": 1.0}

    def pool(self, name):
        p = self.pools[name]
        return p["all"] if self.rng.random() < self.AUTH_FILE_SHARE[name] else p["clean"]

    def rand_slice(self, n):
        off = self.rng.randrange(0, len(self.rand) - n)
        return self.rand[off:off + n]

    def b64_slice(self, n):
        off = self.rng.randrange(0, len(self.rand_b64) - n)
        return self.rand_b64[off:off + n].decode()

    def _rust_snippet(self):
        r = self.rng
        f, ty, ty2, a = snake(r), camel(r, 2, True), camel(r, 2, True), r.choice(WORDS)
        kind = r.random()
        if kind < 0.45:
            return f"""
/// {sentence(r)}
pub fn {f}({a}: &{ty}, limit: usize) -> Result<{ty2}, Error> {{
    let mut out = Vec::with_capacity(limit);
    for item in {a}.{snake(r)}() {{
        if item.{r.choice(WORDS)}_count > {r.randint(1, 500)} {{
            out.push(item.clone());
        }}
    }}
    tracing::debug!("{f}: kept {{}} of {{}} items", out.len(), limit);
    Ok({ty2}::from(out))
}}
"""
        if kind < 0.7:
            fields = "\n".join(f"    pub {snake(r)}: {r.choice(['u64', 'String', 'bool', 'Option<String>', 'Vec<u8>'])},"
                               for _ in range(r.randint(2, 7)))
            return f"""
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct {ty} {{
{fields}
}}
"""
        if kind < 0.85:
            return f"""
impl {ty} {{
    /// Looks up the registry entry in the `auths` map of the client config.
    pub fn {f}(&self, host: &str) -> Option<&{ty2}> {{
        let auths = self.config.auths.as_ref()?;
        auths.get(host).filter(|a| !a.is_empty())
    }}
}}
"""
        return f"""
#[cfg(test)]
mod {f}_tests {{
    use super::*;

    #[test]
    fn {f}_handles_empty_input() {{
        let v = {ty}::default();
        assert_eq!({f}(&v, 0).unwrap().len(), 0);
    }}
}}
"""

    def _python_snippet(self):
        r = self.rng
        f, a, b, cls = snake(r), r.choice(WORDS), r.choice(WORDS), camel(r, 2, True)
        kind = r.random()
        if kind < 0.5:
            return f'''

def {f}({a}, {b}=None, *, timeout={r.randint(1, 60)}):
    """{sentence(r)}"""
    result = []
    for item in {a}:
        if item.{r.choice(WORDS)} and {b} is not None:
            result.append(item)
    logger.info("{f} returned %d rows", len(result))
    return result
'''
        if kind < 0.8:
            return f'''

class {cls}:
    """{sentence(r)}"""

    def __init__(self, {a}, auth=None):
        self.{a} = {a}
        self.auth = auth or ("svc", os.environ.get("{snake(r).upper()}_PASSWORD", ""))
        self._cache = {{}}

    def {f}(self, key):
        if key not in self._cache:
            self._cache[key] = self.{a}.get(key, auth=self.auth)
        return self._cache[key]
'''
        return f'''

def test_{f}(tmp_path):
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps({{"auths": {{}}, "credsStore": "desktop"}}))
    assert {f}([], None) == []
'''

    def _go_snippet(self):
        r = self.rng
        f, ty, ty2, a = camel(r, 2, True), camel(r, 2, True), camel(r, 2, True), r.choice(WORDS)
        kind = r.random()
        if kind < 0.5:
            return f"""
// {f} {sentence(r)}
func (s *{ty}) {f}(ctx context.Context, {a} string) (*{ty2}, error) {{
\tif {a} == "" {{
\t\treturn nil, fmt.Errorf("{f.lower()}: empty {a}")
\t}}
\tctx, cancel := context.WithTimeout(ctx, {r.randint(1, 30)}*time.Second)
\tdefer cancel()
\tres, err := s.client.Get(ctx, {a})
\tif err != nil {{
\t\treturn nil, fmt.Errorf("{f.lower()}: %w", err)
\t}}
\treturn &{ty2}{{ID: res.ID, Count: len(res.Items)}}, nil
}}
"""
        if kind < 0.75:
            fields = "\n".join(f"\t{camel(r, 2, True)} {r.choice(['string', 'int64', 'bool', '[]byte', 'time.Duration'])} `json:\"{camel(r)}\"`"
                               for _ in range(r.randint(2, 7)))
            return f"""
// {ty} {sentence(r)}
type {ty} struct {{
{fields}
}}
"""
        return f"""
func encode{f}Auth(user, pass string) (string, error) {{
\tcfg := registry.AuthConfig{{Username: user, Password: pass}}
\tbuf, err := json.Marshal(cfg)
\tif err != nil {{
\t\treturn "", err
\t}}
\treturn base64.URLEncoding.EncodeToString(buf), nil
}}
"""

    def _js_snippet(self):
        r = self.rng
        f, a, b = camel(r), r.choice(WORDS), r.choice(WORDS)
        kind = r.random()
        if kind < 0.5:
            return f"""
export async function {f}({a}, options = {{}}) {{
  const url = `${{options.baseUrl}}/api/v{r.randint(1, 4)}/{a}s/${{encodeURIComponent({a}.id)}}`;
  const res = await fetch(url, {{
    headers: {{ Authorization: `Bearer ${{options.token}}`, Accept: 'application/json' }},
  }});
  if (!res.ok) throw new Error(`{f} failed: ${{res.status}}`);
  return (await res.json()).{b}s ?? [];
}}
"""
        if kind < 0.75:
            return f"""
// {sentence(r)}
const {f} = ({a}) => {{
  const auth = {{ username: process.env.REGISTRY_USER, password: process.env.REGISTRY_PASSWORD }};
  return {a}.map(({b}) => ({{ ...{b}, auth, ts: Date.now() }}));
}};
"""
        return f"""
describe('{f}', () => {{
  it('returns an empty list for {a}', async () => {{
    expect(await {f}([])).toEqual([]);
  }});
}});
"""

    def _minified_fragment(self):
        r = self.rng
        v = lambda: r.choice("abcdefghijklmnopqrstuvwxyz") + r.choice(["", "e", "t", "n", "r"])
        kind = r.random()
        if kind < 0.08:
            # inline data URI: long base64 run
            return f'.i{r.randint(0, 999)}{{background:url(data:image/png;base64,{self.b64_slice(r.randint(800, 6000))})}}'
        if kind < 0.15:
            return f'{v()}.auth=function({v()},{v()}){{return{{headers:{{Authorization:"Basic "+btoa({v()}+":"+{v()})}}}}}};'
        return (f'{r.randint(10, 9999)}:function({v()},{v()},{v()}){{"use strict";var {v()}={v()}({r.randint(1, 999)}),'
                f'{v()}={v()}.{camel(r)}||{{}};{v()}.exports=function({v()}){{return null!={v()}&&{v()}.{r.choice(WORDS)}'
                f'>{r.randint(0, 99)}?{v()}({v()}):void 0}}}},')

    def _log_message(self):
        r = self.rng
        comp = r.choice(WORDS)
        kind = r.random()
        if kind < 0.1:
            msg = f"auth: login succeeded user_id={r.randint(1, 99999)} method={r.choice(['oidc', 'password', 'token'])}"
        elif kind < 0.15:
            msg = f"auth: token refresh failed for client={snake(r)}: expired (retry in {r.randint(1, 60)}s)"
        elif kind < 0.2:
            msg = f"pulling image registry.example.test/{r.choice(WORDS)}/{r.choice(WORDS)}:{r.randint(1, 20)}.{r.randint(0, 9)} using auths from config"
        elif kind < 0.3:
            msg = f"request_id={self.b64_slice(22)} trace={self.rand_slice(16).hex()} status={r.choice([200, 200, 200, 204, 404, 500])}"
        else:
            msg = f"{sentence(r)} {snake(r)}={r.randint(0, 10**6)} elapsed={r.random() * 900:.1f}ms"
        return f" {r.choice(LOG_LEVELS):5} [{comp}] {msg}\n"

    def _md_block(self):
        r = self.rng
        kind = r.random()
        para = " ".join(sentence(r) for _ in range(r.randint(2, 6)))
        if kind < 0.55:
            return para + "\n\n"
        if kind < 0.7:
            return f"## {camel(r, 2, True)} {r.choice(WORDS)}\n\n{para}\n\n"
        if kind < 0.8:
            items = "".join(f"- `{snake(r)}`: {sentence(r)}\n" for _ in range(r.randint(2, 6)))
            return items + "\n"
        if kind < 0.9:
            return ("To authenticate against the registry, run the login command; it stores the\n"
                    "auth entry under `auths` in your client config:\n\n"
                    "```json\n{\n  \"auths\": {\n    \"registry.example.test\": {\n"
                    "      \"auth\": \"<base64 of username:password>\"\n    }\n  }\n}\n```\n\n"
                    f"{para}\n\n")
        return (f"```sh\ndocker login registry.example.test -u \"$REGISTRY_USER\" --password-stdin < token.txt\n"
                f"kubectl create secret docker-registry regcred --docker-server=registry.example.test "
                f"--docker-username=$REGISTRY_USER --docker-password=$REGISTRY_PASSWORD\n```\n\n{para}\n\n")

    def _csv_row(self):
        r = self.rng
        return f"{r.randint(1, 10**7)},{snake(r)},{r.choice(WORDS)}@example.test,{r.random() * 1000:.3f},{self.b64_slice(12)}\n"

    # ---- per-category file content --------------------------------------

    def content(self, cat, size):
        r = self.rng
        if cat == "rust":
            hdr = (f"//! {sentence(r, plain=True)}\n\nuse std::collections::HashMap;\nuse crate::{r.choice(WORDS)}::"
                   f"{{{camel(r, 2, True)}, Error}};\n").encode()
            return ".rs", fill(r, self.pool("rust"), size, hdr)
        if cat == "python":
            hdr = f'"""{sentence(r, plain=True)}"""\nimport json\nimport logging\nimport os\n\nlogger = logging.getLogger(__name__)\n'.encode()
            return ".py", fill(r, self.pool("python"), size, hdr)
        if cat == "go":
            hdr = (f"package {r.choice(WORDS)}\n\nimport (\n\t\"context\"\n\t\"encoding/base64\"\n\t\"encoding/json\"\n"
                   f"\t\"fmt\"\n\t\"time\"\n\n\t\"github.com/docker/docker/api/types/registry\"\n)\n").encode()
            return ".go", fill(r, self.pool("go"), size, hdr)
        if cat == "js":
            hdr = f"import {{ {camel(r)} }} from './{r.choice(WORDS)}.js';\n'use strict';\n".encode()
            return r.choice([".js", ".js", ".mjs", ".ts"]), fill(r, self.pool("js"), size, hdr)
        if cat == "yaml":
            return ".yaml", self.k8s_manifest(size).encode()
        if cat == "markdown":
            hdr = f"# {camel(r, 2, True)}\n\n{sentence(r, plain=True)}\n\n".encode()
            return ".md", fill(r, self.pool("md"), size, hdr)
        if cat == "log":
            return ".log", self.log_file(size)
        if cat == "lock":
            if r.random() < 0.8:
                return "package-lock.json", self.package_lock(size).encode()
            return "go.sum", self.go_sum(size).encode()
        if cat == "minified":
            return ".min.js", self.minified(size)
        if cat == "binary":
            ext, magic = r.choice([(".png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
                                   (".woff2", b"wOF2\x00\x01\x00\x00"),
                                   (".bin", b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00"),
                                   (".gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00")])
            body = bytearray(self.rand_slice(min(size, len(self.rand) - 1)))
            for i in range(0, len(body), 512):  # binary files are NUL-heavy
                body[i] = 0
            return ext, magic + bytes(body)
        if cat == "misc":
            return self.misc_file(size)
        raise ValueError(cat)

    def k8s_manifest(self, size):
        r = self.rng
        app, ns = snake(r, 1) + "-" + r.choice(WORDS), r.choice(["default", "prod", "staging", "platform", "ci"])
        docs = []
        total = 0
        while total < size:
            kind = r.random()
            if kind < 0.3:
                doc = f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {app}
  namespace: {ns}
  labels:
    app.kubernetes.io/name: {app}
spec:
  replicas: {r.randint(1, 6)}
  selector:
    matchLabels:
      app.kubernetes.io/name: {app}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {app}
    spec:
      imagePullSecrets:
        - name: regcred
      containers:
        - name: {app}
          image: registry.example.test/{r.choice(WORDS)}/{app}:{r.randint(1, 9)}.{r.randint(0, 30)}.{r.randint(0, 9)}
          ports:
            - containerPort: {r.randint(1024, 9999)}
          env:
            - name: {snake(r).upper()}
              valueFrom:
                secretKeyRef:
                  name: {app}-secrets
                  key: {snake(r)}
          resources:
            limits:
              memory: {r.choice([128, 256, 512, 1024])}Mi
"""
            elif kind < 0.55:
                lines = "\n".join(f"    {snake(r)} = {r.randint(0, 5000)}" for _ in range(r.randint(3, 20)))
                doc = f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {app}-config
  namespace: {ns}
data:
  LOG_LEVEL: {r.choice(['info', 'debug', 'warn'])}
  AUTH_MODE: {r.choice(['oidc', 'basic', 'none'])}
  app.ini: |
{lines}
"""
            elif kind < 0.85:
                keys = [r.choice(["password", "api-key", "token", "db-url", "client-secret", snake(r, 1)])
                        for _ in range(r.randint(2, 8))]
                data = "\n".join(f"  {k}-{i}: {b64(self.rand_slice(r.randint(8, 96)))}" for i, k in enumerate(keys))
                doc = f"""apiVersion: v1
kind: Secret
type: Opaque
metadata:
  name: {app}-secrets
  namespace: {ns}
data:
{data}
"""
            else:
                cert = self.b64_slice(r.randint(900, 2400))
                doc = f"""apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: {app}-tls
  namespace: {ns}
data:
  tls.crt: {cert}
  tls.key: {self.b64_slice(r.randint(1200, 1700))}
"""
            docs.append(doc)
            total += len(doc)
        return "---\n".join(docs)

    def log_file(self, size):
        r = self.rng
        pool, avg = self.pool("log")
        k = max(1, int(size / (avg + 24)) + 1)
        t0 = r.randint(1_700_000_000, 1_730_000_000)
        msgs = r.choices(pool, k=k)
        out = []
        for i, m in enumerate(msgs):
            t = t0 + i * 0.137
            out.append(time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)).encode()
                       + b".%03dZ" % int((t % 1) * 1000) + m)
        return b"".join(out)

    def package_lock(self, size):
        r = self.rng
        name = snake(r, 1) + "-" + r.choice(WORDS)
        entries = []
        total = 0
        while total < size:
            pkg = r.choice(NPM_PKGS)
            ver = f"{r.randint(0, 12)}.{r.randint(0, 30)}.{r.randint(0, 20)}"
            deps = ",\n".join(f'        "{d}": "^{r.randint(0, 9)}.{r.randint(0, 9)}.0"'
                              for d in r.sample(NPM_PKGS, r.randint(0, 4)))
            e = (f'    "node_modules/{pkg}": {{\n'
                 f'      "version": "{ver}",\n'
                 f'      "resolved": "https://registry.npmjs.org/{pkg}/-/{pkg.split("/")[-1]}-{ver}.tgz",\n'
                 f'      "integrity": "sha512-{b64(self.rand_slice(64))}",\n'
                 + ('      "dev": true,\n' if r.random() < 0.4 else "")
                 + f'      "license": "{r.choice(["MIT", "ISC", "Apache-2.0", "BSD-3-Clause"])}"'
                 + (f',\n      "dependencies": {{\n{deps}\n      }}\n' if deps else "\n")
                 + "    }")
            entries.append(e)
            total += len(e)
        return (f'{{\n  "name": "{name}",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n'
                f'  "requires": true,\n  "packages": {{\n' + ",\n".join(entries) + "\n  }\n}\n")

    def go_sum(self, size):
        r = self.rng
        lines = []
        total = 0
        while total < size:
            mod = r.choice(GO_MODS) + ("/" + r.choice(WORDS) if r.random() < 0.3 else "")
            ver = f"v{r.randint(0, 2)}.{r.randint(0, 40)}.{r.randint(0, 20)}"
            ln = f"{mod} {ver} h1:{b64(self.rand_slice(32))}\n{mod} {ver}/go.mod h1:{b64(self.rand_slice(32))}\n"
            lines.append(ln)
            total += len(ln)
        return "".join(lines)

    def minified(self, size):
        r = self.rng
        pool, avg = self.pool("minified")
        out = [b"/*! " + camel(r, 2, True).encode() + b" v" + str(r.randint(1, 9)).encode() + b" | MIT */\n"]
        remaining = size
        while remaining > 0:
            line_len = r.randint(100_000, 400_000)  # every line is 100 KB+
            k = int(line_len / avg) + 1
            line = b"!function(){var __m={" + b"".join(r.choices(pool, k=k)) + b"}}();\n"
            out.append(line)
            remaining -= len(line)
        out.append(b"//# sourceMappingURL=" + r.choice(WORDS).encode() + b".min.js.map\n")
        return b"".join(out)

    def misc_file(self, size):
        r = self.rng
        kind = r.random()
        if kind < 0.25:
            cfg = {"name": snake(r), "version": f"{r.randint(0, 9)}.{r.randint(0, 9)}.0",
                   "auth": {"type": r.choice(["oauth2", "oidc", "basic"]),
                            "issuer": f"https://{r.choice(WORDS)}.example.test",
                            "clientId": f"${{{snake(r).upper()}}}"},
                   "features": {snake(r): r.random() < 0.5 for _ in range(r.randint(2, 30))}}
            return ".json", (json.dumps(cfg, indent=2) + "\n").encode()
        if kind < 0.45:
            return ".csv", fill(r, self.pool("csv"), size, b"id,name,email,score,ref\n")
        if kind < 0.6:
            body = "\n".join(f"{snake(r)} = {r.choice(['true', 'false', str(r.randint(0, 999)), repr(snake(r))])}"
                             for _ in range(r.randint(3, 40)))
            return ".toml", f"[{r.choice(WORDS)}]\n{body}\n".encode()
        if kind < 0.8:
            return ".sh", (f"#!/usr/bin/env bash\nset -euo pipefail\n# {sentence(r, plain=True)}\n"
                           f"echo \"$REGISTRY_PASSWORD\" | docker login registry.example.test -u \"$REGISTRY_USER\" --password-stdin\n"
                           f"docker build -t registry.example.test/{r.choice(WORDS)}/{r.choice(WORDS)}:$GIT_SHA .\n"
                           f"docker push registry.example.test/{r.choice(WORDS)}/{r.choice(WORDS)}:$GIT_SHA\n").encode()
        return "Dockerfile", (f"FROM registry.example.test/base/{r.choice(['rust', 'python', 'node', 'golang'])}:{r.randint(1, 20)}\n"
                              f"WORKDIR /app\nCOPY . .\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n"
                              f"# {sentence(r, plain=True)}\nCMD [\"./{r.choice(WORDS)}\"]\n").encode()

    # ---- layout ---------------------------------------------------------

    def make_dirs(self, cat, count, prefix=""):
        r = self.rng
        dirs = []
        for _ in range(max(1, count)):
            w = lambda: r.choice(WORDS)
            if cat == "rust":
                d = f"crates/{w()}-{w()}/src" + (f"/{w()}" if r.random() < 0.5 else "")
            elif cat == "python":
                d = f"services/{w()}/{w()}" + (f"/{w()}" if r.random() < 0.5 else "")
            elif cat == "go":
                d = r.choice(["internal", "pkg", "cmd"]) + f"/{w()}" + (f"/{w()}" if r.random() < 0.5 else "")
            elif cat == "js":
                d = f"web/{w()}/src/{r.choice(['components', 'hooks', 'lib', 'pages', 'api'])}/{w()}"
            elif cat == "yaml":
                d = f"deploy/k8s/{r.choice(['dev', 'staging', 'prod', 'base'])}/{w()}"
            elif cat == "markdown":
                d = f"docs/{w()}" + (f"/{w()}" if r.random() < 0.5 else "")
            elif cat == "log":
                d = f"logs/{w()}/2024-{r.randint(1, 12):02d}"
            elif cat == "lock":
                d = f"packages/{w()}-{w()}"
            elif cat == "minified":
                d = f"web/{w()}/dist/assets"
            elif cat == "binary":
                d = f"assets/{r.choice(['img', 'fonts', 'bin', 'vendor'])}/{w()}"
            else:
                d = f"{r.choice(['config', 'scripts', 'tools', 'testdata', 'ci'])}/{w()}"
            dirs.append(prefix + d)
        return dirs

    def unique_path(self, d, name):
        rel = f"{d}/{name}"
        i = 2
        while rel in self.paths:
            stem, dot, ext = name.partition(".")
            rel = f"{d}/{stem}-{i}{dot}{ext}"
            i += 1
        self.paths.add(rel)
        return rel

    def write(self, rel, data, cat):
        p = self.out / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode()
        with open(p, "wb") as f:
            f.write(data)
        s = self.stats.setdefault(cat, [0, 0])
        s[0] += 1
        s[1] += len(data)
        return len(data)

    def draw_size(self, cat, scale, cap):
        _, median, sigma, lo, hi = self.CATEGORIES[cat]
        if cat == "minified":
            return self.rng.randint(110_000, 700_000)
        s = int(self.rng.lognormvariate(0, sigma) * median * scale)
        return max(lo, min(hi, cap, s))

    def fill_area(self, target_bytes, target_files, prefix, cat_label):
        """Write random files until target_bytes is reached (file count ~ target_files)."""
        r = self.rng
        cats = list(self.CATEGORIES)
        weights = [self.CATEGORIES[c][0] for c in cats]
        dirs = {c: self.make_dirs(c, int(self.CATEGORIES[c][0] * target_files / 18) + 1, prefix) for c in cats}
        cap = max(64 * 1024, target_bytes // 15)  # keep small trees from being one huge file
        written, nfiles = 0, 0
        unscaled_mean = 31_000.0  # running estimate, refined as we go
        drawn_total = 0.0
        while written < target_bytes:
            remaining_files = max(1, target_files - nfiles)
            want_mean = (target_bytes - written) / remaining_files
            scale = min(4.0, max(0.25, want_mean / unscaled_mean))
            cat = r.choices(cats, weights)[0]
            size = self.draw_size(cat, scale, cap)
            if cat == "minified" and size > cap * 2:
                cat, size = "js", self.draw_size("js", scale, cap)
            drawn_total += size / scale
            ext, data = self.content(cat, size)
            d = r.choice(dirs[cat])
            if ext.startswith("."):
                name = (snake(r, 1) if cat in ("python", "rust") else r.choice(WORDS) + "-" + r.choice(WORDS)) + ext
            else:
                name = ext  # fixed file names: package-lock.json, go.sum, Dockerfile
                while f"{d}/{name}" in self.paths:  # one per directory, like real projects
                    d = f"{d}/{r.choice(WORDS)}"
            written += self.write(self.unique_path(d, name), data, cat_label or cat)
            nfiles += 1
            unscaled_mean = drawn_total / nfiles
        return written, nfiles

    # ---- planted credentials --------------------------------------------

    def make_cred(self, registry, user):
        pw = "FAKEpass-" + self.rand_slice(9).hex()
        auth = b64(f"{user}:{pw}".encode())
        return {"registry": registry, "username": user, "password": pw, "auth": auth}

    def plant(self, rel, data, cred, kind, marker, ignored=False):
        rel = self.unique_path(rel.rsplit("/", 1)[0], rel.rsplit("/", 1)[1])
        raw = data.encode() if isinstance(data, str) else data
        idx = raw.find(marker.encode())
        assert idx >= 0, (rel, marker)
        line = raw.count(b"\n", 0, idx) + 1
        self.write(rel, raw, "ignored" if ignored else "planted")
        entry = dict(path=rel, line=line, kind=kind, **cred)
        (self.ignored_planted if ignored else self.planted).append(entry)

    def plant_all(self):
        r = self.rng
        # 1. plain docker client config.json, pretty printed
        c = self.make_cred("registry.example.test", "ci-bot")
        cfg = {"auths": {c["registry"]: {"auth": c["auth"]}},
               "HttpHeaders": {"User-Agent": "Docker-Client/24.0.7 (linux)"}}
        self.plant("deploy/registry/config.json", json.dumps(cfg, indent="\t") + "\n", c,
                   "docker-config-json", c["auth"])

        # 2. k8s Secret kubernetes.io/dockerconfigjson (kubectl create secret docker-registry format)
        c = self.make_cred("harbor.example.test", "deploy-bot")
        inner = json.dumps({"auths": {c["registry"]: {"username": c["username"], "password": c["password"],
                                                      "email": "deploy-bot@example.test", "auth": c["auth"]}}},
                           separators=(",", ":"))
        enc = b64(inner.encode())
        pre = self.k8s_manifest(3000)
        doc = (pre + "---\napiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\nmetadata:\n"
               f"  name: regcred\n  namespace: prod\ndata:\n  .dockerconfigjson: {enc}\n")
        self.plant(f"deploy/k8s/prod/{r.choice(WORDS)}/regcred.yaml", doc, c, "k8s-dockerconfigjson-secret", enc)

        # 3. k8s Secret with the JSON in stringData (not base64 at the outer level)
        c = self.make_cred("quay.example.test:5000", "robot$builder")
        doc = ("apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\nmetadata:\n"
               "  name: quay-pull\n  namespace: ci\nstringData:\n  .dockerconfigjson: |\n"
               "    {\n      \"auths\": {\n"
               f"        \"{c['registry']}\": {{\n          \"auth\": \"{c['auth']}\"\n        }}\n"
               "      }\n    }\n")
        self.plant(f"deploy/k8s/staging/{r.choice(WORDS)}/quay-pull-secret.yaml", doc, c,
                   "k8s-stringdata-dockerconfigjson", c["auth"])

        # 4. CI log where a job echoed a config into ~/.docker/config.json
        c = self.make_cred("ghcr.example.test", "release-bot")
        one_line = json.dumps({"auths": {c["registry"]: {"auth": c["auth"]}}}, separators=(",", ":"))
        before = self.log_file(40_000).decode()
        after = self.log_file(25_000).decode()
        log = before + f"+ echo '{one_line}' > /root/.docker/config.json\n" + after
        self.plant(f"logs/ci/2024-{r.randint(1, 12):02d}/build-{r.randint(1000, 9999)}.log", log, c,
                   "ci-log-echo", c["auth"])

        # 5. podman / skopeo containers auth.json
        c = self.make_cred("registry.internal.example.test", "svc-mirror")
        cfg = {"auths": {c["registry"]: {"auth": c["auth"]}}}
        self.plant("tools/ci/containers/auth.json", json.dumps(cfg, indent=2) + "\n", c,
                   "containers-auth-json", c["auth"])

        # planted in the .gitignore'd folder: should NOT be reported by tools honouring .gitignore
        c = self.make_cred("cache.example.test", "ignored-bot")
        cfg = {"auths": {c["registry"]: {"auth": c["auth"]}}}
        self.plant("ignored/cache/docker/config.json", json.dumps(cfg, indent=2) + "\n", c,
                   "docker-config-json (gitignored)", c["auth"], ignored=True)

    def write_decoys(self):
        """Credential-shaped files that contain no credential."""
        decoys = {
            "deploy/registry/config.credhelper.json":
                json.dumps({"auths": {"registry.example.test": {}, "ghcr.example.test": {}},
                            "credsStore": "desktop",
                            "credHelpers": {"123456789012.dkr.ecr.us-east-1.amazonaws.com": "ecr-login"}},
                           indent=2) + "\n",
            "docs/registry-auth.md":
                "# Registry auth\n\nNever commit a Docker `config.json` whose `auths` entries carry an `auth` value.\n\n"
                "```json\n{\"auths\": {\"registry.example.test\": {\"auth\": \"${REGISTRY_AUTH}\"}}}\n```\n",
            "deploy/k8s/base/regcred-template.yaml":
                "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\nmetadata:\n  name: regcred\n"
                "stringData:\n  .dockerconfigjson: '{\"auths\":{\"registry.example.test\":{\"auth\":\"{{ .Values.registryAuth }}\"}}}'\n",
        }
        for rel, text in decoys.items():
            rel = self.unique_path(rel.rsplit("/", 1)[0], rel.rsplit("/", 1)[1])
            self.write(rel, text, "decoy")
            self.decoys.append(rel)

    def write_fixed(self):
        gi = ("# build output\n/target/\nnode_modules/\n*.swp\n\n# local caches and scratch data\nignored/\n")
        self.write(".gitignore", gi, "hidden")
        wf = (".github/workflows/ci.yml",
              "name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
              "      - uses: actions/checkout@v4\n      - uses: docker/login-action@v3\n        with:\n"
              "          registry: registry.example.test\n          username: ${{ secrets.REGISTRY_USER }}\n"
              "          password: ${{ secrets.REGISTRY_PASSWORD }}\n      - run: make test\n")
        self.write(wf[0], wf[1], "hidden")
        self.write(".editorconfig", "root = true\n\n[*]\nindent_style = space\nindent_size = 4\n", "hidden")
        self.write(".dockerignore", "target\nnode_modules\nignored\n", "hidden")
        if self.git_dir:
            # minimal valid *empty* git repository so .gitignore rules apply
            git = self.out / ".git"
            for d in ("objects/info", "objects/pack", "refs/heads", "refs/tags"):
                (git / d).mkdir(parents=True, exist_ok=True)
            (git / "HEAD").write_text("ref: refs/heads/main\n")
            (git / "config").write_text("[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n"
                                        "\tbare = false\n")
            (git / "description").write_text("credscan benchmark tree\n")

    def generate(self):
        total = self.size_mb * MB
        target_files = max(20, round(self.size_mb * FILES_PER_MB))
        ign_bytes = int(total * IGNORED_FRACTION)
        ign_files = max(2, round(target_files * IGNORED_FRACTION))
        self.write_fixed()
        self.plant_all()
        self.write_decoys()
        fixed_files = sum(s[0] for s in self.stats.values())
        fixed_bytes = sum(s[1] for s in self.stats.values())
        self.fill_area(max(0, total - ign_bytes - fixed_bytes),
                       max(1, target_files - ign_files - fixed_files), "", None)
        self.fill_area(ign_bytes, ign_files, "ignored/", "ignored")
        st = self.stats
        all_files = sum(s[0] for s in st.values())
        all_bytes = sum(s[1] for s in st.values())
        ign_total_files, ign_total_bytes = st["ignored"]
        return {
            "generator": "bench/gen_tree.py",
            "format_version": FORMAT_VERSION,
            "root": str(self.out),
            "seed": self.seed,
            "size_mb": self.size_mb,
            "files": all_files,
            "bytes": all_bytes,
            "scanned_files": all_files - ign_total_files - st["hidden"][0],
            "scanned_bytes": all_bytes - ign_total_bytes - st["hidden"][1],
            "ignored_files": ign_total_files,
            "ignored_bytes": ign_total_bytes,
            "hidden_files": st["hidden"][0],
            "planted_count": len(self.planted),
            "planted": self.planted,
            "ignored_planted": self.ignored_planted,
            "decoys": self.decoys,
            "categories": {k: {"files": v[0], "bytes": v[1]} for k, v in sorted(st.items())},
            "notes": ("'scanned_*' excludes ignored/ and hidden files (.gitignore, .github/, .editorconfig, "
                      ".dockerignore; .git/ is never counted). Planted paths are relative to root; "
                      "line numbers are 1-based."),
        }


def manifest_path(out_dir):
    out = Path(out_dir).resolve()
    return out.parent / f"{out.name}.planted.json"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", help="directory to create (must not exist unless --force)")
    ap.add_argument("--size-mb", type=float, required=True, help="approximate tree size in MB")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--force", action="store_true", help="delete OUT_DIR first if it exists")
    ap.add_argument("--no-git-dir", action="store_true", help="do not create the minimal .git/ directory")
    args = ap.parse_args(argv)

    if args.size_mb <= 0:
        ap.error("--size-mb must be positive")
    out = Path(args.out_dir).resolve()
    if out.exists():
        if not args.force:
            print(f"error: {out} already exists (use --force to replace it)", file=sys.stderr)
            return 2
        shutil.rmtree(out)
    # build into a sibling temp dir and rename, so a half-written tree never looks complete
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    t0 = time.perf_counter()
    try:
        gen = Generator(tmp, args.size_mb, args.seed, git_dir=not args.no_git_dir)
        manifest = gen.generate()
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.rename(tmp, out)
    manifest["root"] = str(out)
    manifest["generate_seconds"] = round(time.perf_counter() - t0, 2)
    mpath = manifest_path(out)
    mpath.write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"generated {out}: {manifest['files']} files, {manifest['bytes'] / MB:.1f} MB "
          f"({manifest['scanned_files']} files / {manifest['scanned_bytes'] / MB:.1f} MB not ignored or hidden) "
          f"in {manifest['generate_seconds']}s")
    print(f"planted credentials: {manifest['planted_count']} "
          f"(+{len(manifest['ignored_planted'])} under ignored/); manifest: {mpath}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
