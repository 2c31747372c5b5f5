#!/usr/bin/env python3
"""Time credscan on pathological inputs, each at two sizes (S and 2S), to spot
super-linear time or memory.

Usage:
    pathological.py [--credscan PATH] [--credscan-args ARGS] [--size-mb 100]
                    [--runs 3] [--timeout 300] [--cases a,b,...] [--keep]

Cases (S -> 2S):
    single_line   one line of code-ish text, no newline      --size-mb (100 MB -> 200 MB)
    base64_run    consecutive base64 characters, no newline  --b64-mb (32 MB -> 64 MB)
    nested_b64    a docker config.json base64-encoded 20 times; the innermost JSON is
                  padded so the whole blob is --nested-mb     (8 MB -> 16 MB)
    deep_json     [[[[ ... config JSON ... ]]]] nested --json-depth deep (100k -> 200k)
    short_lines   "a: b" lines                               --lines (1M -> 2M)
    auth_dense    '"auth": "<random base64>"' lines, defeating any "auth" prefilter
                  (--lines / 2 -> --lines)
    password_keys_one_line
                  minified JSON, {"username","password"} objects on one line,
                  (--lines / 4 -> --lines / 2 keys)
    sibling_password_keys
                  YAML, password: keys under one parent  (--lines / 4 -> --lines / 2)

Each input file is written to its own directory under a temp dir in /tmp and
credscan is run as `credscan <credscan-args> DIR` (default args
"-q --format json"); exit codes 0 and 1 are success.  For every case the
report shows median wall time, peak RSS, throughput and the per-byte cost
ratio cost(2S)/cost(S), where cost = (wall - startup) / bytes and startup is
the median wall time on an empty directory.  ~1.0 is linear, ~2.0 quadratic.

To try the harness before credscan is built, substitute rg:
    pathological.py --credscan "$(which rg)" --credscan-args="-c auth" --size-mb 20
"""

import argparse
import base64
import json
import random
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the repository
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (MB, BenchError, default_credscan, fmt_table, resolve_binary,  # noqa: E402
                      run_once, tool_version)

OK_CODES = (0, 1)
CHUNK = 1 * MB
NESTING = 20


def docker_config(rng, padding=0):
    user, pw = "ci-bot", "FAKEpass-" + rng.randbytes(8).hex()
    cfg = {"auths": {"registry.example.test": {"auth": base64.b64encode(f"{user}:{pw}".encode()).decode()}}}
    if padding:
        cfg["x-padding"] = "p" * padding
    return json.dumps(cfg, separators=(",", ":")).encode()


# ---- generators: write `size` units to path, return bytes written ------------


def gen_single_line(path, size_mb, rng):
    words = (b"let auth_token = config.get(registry).unwrap_or_default(); fn main() { x += 1; } "
             b"return {status: 200, body: payload}; // TODO: handle errors, retries and auth ").split(b" ")
    chunks = [b" ".join(rng.choices(words, k=CHUNK // 6))[:CHUNK] for _ in range(4)]
    target = int(size_mb * MB)
    written = 0
    with open(path, "wb") as f:
        while written < target:
            c = rng.choice(chunks)[: target - written]
            f.write(c)
            written += len(c)
    return written


def gen_base64_run(path, size_mb, rng):
    target = int(size_mb * MB)
    written = 0
    with open(path, "wb") as f:
        while written < target:
            c = base64.b64encode(rng.randbytes(CHUNK // 4 * 3))[: target - written]
            f.write(c)
            written += len(c)
    return written


def gen_nested_b64(path, size_mb, rng):
    target = int(size_mb * MB)
    # len(b64(x)) ~= 4/3 len(x): size the padding so 20 layers land near target
    inner = max(0, int(target / (4 / 3) ** NESTING) - 80)
    blob = docker_config(rng, padding=inner)
    for _ in range(NESTING):
        blob = base64.b64encode(blob)
    with open(path, "wb") as f:
        f.write(b"DOCKER_CONFIG_B64=" + blob + b"\n")
    return len(blob) + 19


def gen_deep_json(path, depth, rng):
    data = b"[" * depth + docker_config(rng) + b"]" * depth + b"\n"
    Path(path).write_bytes(data)
    return len(data)


def gen_short_lines(path, lines, rng):
    data = b"a: b\n" * lines
    Path(path).write_bytes(data)
    return len(data)


def gen_auth_dense(path, lines, rng):
    rand = base64.b64encode(rng.randbytes(1 << 20))
    out = []
    for i in range(lines):
        off = (i * 7919) % (len(rand) - 40)
        out.append(b'  "auth": "' + rand[off:off + 32] + b'",\n')
    data = b"".join(out)
    Path(path).write_bytes(data)
    return len(data)


def gen_password_keys_one_line(path, keys, rng):
    """Minified JSON: every YAML-form key on one long line."""
    items = [b'{"username":"u%d","password":"%s"}' % (i, base64.b64encode(rng.randbytes(9)))
             for i in range(keys)]
    data = b"[" + b",".join(items) + b"]\n"
    Path(path).write_bytes(data)
    return len(data)


def gen_sibling_password_keys(path, keys, rng):
    """YAML: thousands of password: keys under one parent."""
    lines = [b"properties:"] + [b"  password: %s" % base64.b64encode(rng.randbytes(9))
                                for _ in range(keys)]
    data = b"\n".join(lines) + b"\n"
    Path(path).write_bytes(data)
    return len(data)


def cases(args):
    """(name, file name, generator, base size, unit) ; each runs at base and 2 * base."""
    return [
        ("single_line", "one-line.js", gen_single_line, args.size_mb, "MB"),
        ("base64_run", "blob.b64", gen_base64_run, args.b64_mb, "MB"),
        ("nested_b64", "nested.env", gen_nested_b64, args.nested_mb, "MB"),
        ("deep_json", "deep.json", gen_deep_json, args.json_depth, "deep"),
        ("short_lines", "short.yaml", gen_short_lines, args.lines, "lines"),
        ("auth_dense", "auth-dense.json", gen_auth_dense, max(1, args.lines // 2), "lines"),
        ("password_keys_one_line", "password-keys.min.json", gen_password_keys_one_line,
         max(1, args.lines // 4), "keys"),
        ("sibling_password_keys", "password-siblings.yaml", gen_sibling_password_keys,
         max(1, args.lines // 4), "keys"),
    ]


def measure(cmd, runs, timeout):
    """Median wall and max RSS over `runs`; stop early on failure/timeout."""
    results = []
    for _ in range(runs):
        r = run_once(cmd, timeout=timeout, keep_stdout=1 << 16)
        results.append(r)
        if r.timed_out or r.exit_code not in OK_CODES:
            break
    ok = [r for r in results if not r.timed_out and r.exit_code in OK_CODES]
    last = results[-1]
    return {
        "ok": len(ok) == len(results),
        "status": "ok" if len(ok) == len(results) else last.describe_exit(),
        "exit_code": last.exit_code,
        "wall_s": statistics.median(r.wall_s for r in ok) if ok else last.wall_s,
        "rss_mb": max(r.rss_mb for r in results),
        "stderr_tail": last.stderr_tail[-400:],
        "stdout_head": last.stdout[:200].decode("utf-8", "replace"),
    }


def fmt_size(n, unit):
    if unit == "MB":
        return f"{n:g} MB"
    return f"{n // 1000}k {unit}" if n >= 1000 else f"{n} {unit}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--credscan", help="credscan binary (default: credscan on PATH, else target/release/credscan)")
    ap.add_argument("--credscan-args", default="-q --format json",
                    help='arguments before the directory (default "-q --format json")')
    ap.add_argument("--size-mb", type=float, default=100, help="single_line size S in MB (default 100)")
    ap.add_argument("--b64-mb", type=float, default=32, help="base64_run size S in MB (default 32)")
    ap.add_argument("--nested-mb", type=float, default=8, help="nested_b64 size S in MB (default 8)")
    ap.add_argument("--json-depth", type=int, default=100_000, help="deep_json depth S (default 100000)")
    ap.add_argument("--lines", type=int, default=1_000_000, help="short_lines count S (default 1000000)")
    ap.add_argument("--cases", help="comma-separated subset of cases to run")
    ap.add_argument("--runs", type=int, default=3, help="runs per input, median reported (default 3)")
    ap.add_argument("--timeout", type=float, default=300, help="per-run timeout in seconds (default 300)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--json", metavar="OUT", help="also write results as JSON to OUT")
    args = ap.parse_args(argv)
    try:
        return run(args)
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run(args):
    hint = " (build it with `cargo build --release` in /work/main, or pass --credscan PATH)"
    credscan = resolve_binary(args.credscan, "credscan", hint) if args.credscan else default_credscan()
    if not credscan:
        raise BenchError("credscan not found on PATH or in target/release" + hint)
    cs_args = shlex.split(args.credscan_args)
    all_cases = cases(args)
    if args.cases:
        wanted = [c.strip() for c in args.cases.split(",") if c.strip()]
        unknown = set(wanted) - {c[0] for c in all_cases}
        if unknown:
            raise BenchError(f"unknown case(s): {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(c[0] for c in all_cases)}")
        all_cases = [c for c in all_cases if c[0] in wanted]

    tmp = Path(tempfile.mkdtemp(prefix="credscan-patho-", dir="/tmp"))
    print(f"credscan: {credscan} [{tool_version(credscan)}]  args: {' '.join(cs_args)}")
    print(f"inputs:   {tmp}{' (kept)' if args.keep else ''}")
    try:
        empty = tmp / "empty"
        empty.mkdir()
        base = measure([credscan, *cs_args, str(empty)], max(3, args.runs), args.timeout)
        if not base["ok"]:
            raise BenchError(f"credscan fails on an empty directory ({base['status']}): {base['stderr_tail']}")
        startup = base["wall_s"]
        print(f"startup:  {startup * 1000:.1f} ms median on an empty directory, {base['rss_mb']:.1f} MB RSS\n")

        rows, results = [], []
        for name, fname, gen, size, unit in all_cases:
            per_case = []
            for mult in (1, 2):
                n = size * mult
                d = tmp / f"{name}-{mult}x"
                d.mkdir()
                rng = random.Random(args.seed)
                t0 = time.perf_counter()
                nbytes = gen(d / fname, n, rng)
                gen_s = time.perf_counter() - t0
                print(f"{name} @ {fmt_size(n, unit)}: {nbytes / MB:.1f} MB generated in {gen_s:.1f}s; running ...",
                      flush=True)
                m = measure([credscan, *cs_args, str(d)], args.runs, args.timeout)
                m.update(case=name, size=n, unit=unit, bytes=nbytes)
                per_case.append(m)
                if not args.keep:
                    shutil.rmtree(d)
                if not m["ok"]:
                    print(f"  ! {m['status']}: {m['stderr_tail'][-300:]}", file=sys.stderr)
                    break  # no point in doubling a failing input
            ratio = rss_ratio = None
            if len(per_case) == 2 and all(m["ok"] for m in per_case):
                a, b = per_case
                net_a, net_b = a["wall_s"] - startup, b["wall_s"] - startup
                if net_a > 0.002 and net_b > 0:  # below ~2 ms of real work the ratio is noise
                    ratio = (net_b / b["bytes"]) / (net_a / a["bytes"])
                rss_ratio = b["rss_mb"] / a["rss_mb"] if a["rss_mb"] else None
            for i, m in enumerate(per_case):
                mbps = (m["bytes"] / MB) / m["wall_s"] if m["ok"] and m["wall_s"] > 0 else None
                last = i == len(per_case) - 1
                rows.append([
                    name if i == 0 else "",
                    fmt_size(m["size"], m["unit"]),
                    f"{m['bytes'] / MB:.1f}",
                    f"{m['wall_s'] * 1000:.1f}",
                    f"{m['rss_mb']:.1f}",
                    f"{mbps:.0f}" if mbps else "",
                    m["status"] if m["status"] != "ok" else str(m["exit_code"]),
                    (f"{ratio:.2f}" if ratio else ("~" if len(per_case) == 2 else "")) if last else "",
                    (f"{rss_ratio:.2f}" if rss_ratio else "") if last else "",
                ])
            results.extend(per_case)
            for m in per_case:
                m["cost_ratio_2x"] = ratio
                m["rss_ratio_2x"] = rss_ratio

        print()
        print(fmt_table(["case", "size", "MB", "median ms", "peak RSS MB", "MB/s", "exit",
                         "cost 2S/S", "RSS 2S/S"], rows))
        print("\ncost 2S/S = per-byte wall time (minus startup) at 2S divided by that at S: "
              "~1 linear, ~2 quadratic; '~' = too fast to tell.")
        fast = [m for m in results if m["ok"] and m["wall_s"] > 0 and m["bytes"] > 16 * MB
                and (m["bytes"] / MB) / m["wall_s"] > 8000]
        for m in fast:
            print(f"note: {m['case']} ran at > 8 GB/s; the file was probably skipped (size limit?) rather than scanned")
        if args.json:
            Path(args.json).write_text(json.dumps({"credscan": credscan, "args": cs_args, "startup_s": startup,
                                                   "results": results}, indent=2) + "\n")
            print(f"wrote {args.json}")
        return 0 if all(m["ok"] for m in results) else 1
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
