#!/usr/bin/env python3
"""Time credscan against ripgrep (and any other secret scanner on PATH) on a
synthetic repository tree.

Usage:
    run.py [--credscan PATH] [--tree DIR | --size-mb N] [--runs 5]
           [--threads 1,2] [--warmup 1] [--json OUT]

With --size-mb N (default 300) the tree /tmp/credscan-bench-<N>mb is used,
and generated there with gen_tree.py first if it does not exist.

Every round runs each configuration once, alternating between credscan and
ripgrep (the order is reversed every other round):

    credscan <credscan-args> TREE          rg <rg-args> TREE
    credscan <credscan-args> -j N TREE     rg <rg-args> -j N TREE   (each N in --threads)

Defaults: credscan-args = "-q --format json", rg-args = "-c auth" (rg honours
the same .gitignore rules as credscan).  Exit codes 0 and 1 count as success.
Wall time and peak RSS (ru_maxrss via os.wait4) are measured for every run.
Other scanners found on PATH (ripsecrets, detect-secrets, gitleaks, trufflehog,
kingfisher, noseyparker) are run once each, with a timeout, as extra rows.

To try the harness before credscan is built, substitute rg:
    run.py --credscan "$(which rg)" --credscan-args="-c auth" --size-mb 50
"""

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True  # keep __pycache__ out of the repository
sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_tree  # noqa: E402
from benchlib import (MB, BenchError, default_credscan, fmt_table, resolve_binary,  # noqa: E402
                     run_once, tool_version)

OK_CODES = (0, 1)
KEEP_STDOUT = 64 * MB  # enough to parse credscan's JSON report


# ----------------------------------------------------------------------------
# tree
# ----------------------------------------------------------------------------


def size_label(mb):
    return f"{int(mb)}" if float(mb).is_integer() else f"{mb:g}"


def prepare_tree(args):
    """Return (tree Path, manifest dict or None)."""
    if args.tree:
        tree = Path(args.tree).expanduser().resolve()
        if not tree.is_dir():
            raise BenchError(f"--tree {tree} is not a directory")
    else:
        tree = Path(f"/tmp/credscan-bench-{size_label(args.size_mb)}mb")
        if not tree.exists():
            print(f"generating {tree} ({args.size_mb} MB, seed {args.seed}) ...", flush=True)
            rc = gen_tree.main([str(tree), "--size-mb", str(args.size_mb), "--seed", str(args.seed)])
            if rc != 0:
                raise BenchError("tree generation failed")
    mpath = gen_tree.manifest_path(tree)
    manifest = None
    if mpath.is_file():
        manifest = json.loads(mpath.read_text())
        if manifest.get("format_version") != gen_tree.FORMAT_VERSION:
            print(f"warning: {tree} was made by another version of gen_tree.py; delete it "
                  f"(and {mpath.name}) to regenerate", file=sys.stderr)
    else:
        print(f"note: no manifest at {mpath}; planted-credential check disabled", file=sys.stderr)
    return tree, manifest


def scanned_bytes(tree, manifest):
    """Bytes a .gitignore-honouring scanner has to read (for MB/s)."""
    if manifest and "scanned_bytes" in manifest:
        return manifest["scanned_bytes"], "manifest: excludes ignored/ and hidden files"
    total = 0
    for root, dirs, files in os.walk(tree):
        dirs[:] = [d for d in dirs if d != ".git"]
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total, "all files under the tree except .git/ (no manifest)"


# ----------------------------------------------------------------------------
# configurations
# ----------------------------------------------------------------------------


class Config:
    def __init__(self, tool, label, cmd, threads=None):
        self.tool, self.label, self.cmd, self.threads = tool, label, cmd, threads
        self.runs = []  # RunResult
        self.failed = None  # message once a run exits with an unexpected code

    @property
    def ok_runs(self):
        return [r for r in self.runs if not r.timed_out and r.exit_code in OK_CODES]

    def summary(self, nbytes):
        ok = self.ok_runs
        if not ok:
            return None
        walls = [r.wall_s for r in ok]
        med = statistics.median(walls)
        return {
            "median_ms": med * 1000,
            "min_ms": min(walls) * 1000,
            "max_ms": max(walls) * 1000,
            "peak_rss_mb": max(r.rss_mb for r in ok),
            "mb_per_s": (nbytes / MB) / med if med > 0 else None,
        }


def build_configs(args, credscan, rg, tree):
    cs_args = shlex.split(args.credscan_args)
    rg_args = shlex.split(args.rg_args)
    configs = [Config("credscan", "credscan", [credscan, *cs_args, str(tree)]),
               Config("rg", "rg", [rg, *rg_args, str(tree)])]
    for n in args.threads:
        configs.append(Config("credscan", f"credscan -j {n}", [credscan, *cs_args, "-j", str(n), str(tree)], n))
        configs.append(Config("rg", f"rg -j {n}", [rg, *rg_args, "-j", str(n), str(tree)], n))
    return configs


def peer_commands(tree, tmpdir):
    """(name, argv) for every known peer scanner that is installed."""
    t = str(tree)
    peers = []
    if shutil.which("ripsecrets"):
        peers.append(("ripsecrets", ["ripsecrets", t]))
    if shutil.which("detect-secrets"):
        # --all-files: walk the directory instead of asking git for tracked files
        peers.append(("detect-secrets", ["detect-secrets", "scan", "--all-files", t]))
    if shutil.which("gitleaks"):
        has_dir = run_once(["gitleaks", "dir", "--help"], timeout=20).exit_code == 0
        if has_dir:  # gitleaks >= 8.19
            peers.append(("gitleaks dir", ["gitleaks", "dir", t, "--no-banner", "--redact"]))
        else:
            peers.append(("gitleaks detect --no-git",
                          ["gitleaks", "detect", "--no-git", "--source", t, "--no-banner", "--redact"]))
    if shutil.which("trufflehog"):
        peers.append(("trufflehog filesystem",
                      ["trufflehog", "filesystem", t, "--no-verification", "--no-update", "--json"]))
    if shutil.which("kingfisher"):
        peers.append(("kingfisher scan", ["kingfisher", "scan", t, "--no-validate"]))
    if shutil.which("noseyparker"):
        peers.append(("noseyparker scan",
                      ["noseyparker", "scan", "--datastore", os.path.join(tmpdir, "np.datastore"), t]))
    return peers


# ----------------------------------------------------------------------------
# credscan output sanity check
# ----------------------------------------------------------------------------


def count_findings(stdout):
    """Best effort: number of findings in credscan's JSON (array, {findings: [...]}, or JSON lines)."""
    text = stdout.decode("utf-8", "replace").strip()
    if not text:
        return 0
    try:
        doc = json.loads(text)
    except ValueError:
        try:
            return sum(1 for ln in text.splitlines() if ln.strip() and json.loads(ln) is not None)
        except ValueError:
            return None
    if isinstance(doc, list):
        return len(doc)
    if isinstance(doc, dict):
        for key in ("findings", "results", "matches"):
            if isinstance(doc.get(key), list):
                return len(doc[key])
    return None


def planted_check(stdout, manifest):
    """Which planted files are mentioned in the output (by relative path)."""
    text = stdout.decode("utf-8", "replace")
    found = [p["path"] for p in manifest["planted"] if p["path"] in text]
    ignored = [p["path"] for p in manifest.get("ignored_planted", []) if p["path"] in text]
    decoys = [d for d in manifest.get("decoys", []) if d in text]
    return {"planted_total": len(manifest["planted"]), "planted_reported": len(found),
            "missed": [p["path"] for p in manifest["planted"] if p["path"] not in found],
            "ignored_reported": ignored, "decoys_reported": decoys}


# ----------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------


def parse_threads(s):
    try:
        vals = [int(x) for x in s.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad thread list: {s!r}")
    if any(v < 1 for v in vals):
        raise argparse.ArgumentTypeError("thread counts must be >= 1")
    return vals


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--credscan", help="credscan binary (default: credscan on PATH, else target/release/credscan)")
    ap.add_argument("--credscan-args", default="-q --format json",
                    help='arguments before the tree (default "-q --format json"; write --credscan-args=-q ...)')
    ap.add_argument("--rg", default="rg", help="ripgrep binary (default: rg on PATH)")
    ap.add_argument("--rg-args", default="-c auth", help='ripgrep arguments (default "-c auth")')
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--tree", help="scan this existing directory")
    src.add_argument("--size-mb", type=float, default=300,
                     help="use/generate /tmp/credscan-bench-<N>mb (default 300)")
    ap.add_argument("--seed", type=int, default=1, help="seed when generating a tree (default 1)")
    ap.add_argument("--runs", type=int, default=5, help="timed rounds (default 5)")
    ap.add_argument("--threads", type=parse_threads, default=[1, 2],
                    help="comma-separated -j values to also time (default 1,2; '' for none)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs of each configuration (default 1)")
    ap.add_argument("--timeout", type=float, default=600, help="per-run timeout in seconds (default 600)")
    ap.add_argument("--peer-timeout", type=float, default=600, help="timeout for peer scanners (default 600)")
    ap.add_argument("--no-peers", action="store_true", help="skip other secret scanners")
    ap.add_argument("--json", metavar="OUT", help="also write results as JSON to OUT")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be >= 1")

    try:
        return bench(args)
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def bench(args):
    hint = " (build it with `cargo build --release` in /work/main, or pass --credscan PATH)"
    credscan = resolve_binary(args.credscan, "credscan", hint) if args.credscan else default_credscan()
    if not credscan:
        raise BenchError("credscan not found on PATH or in target/release" + hint)
    rg = resolve_binary(args.rg, "ripgrep", " (install ripgrep or pass --rg PATH)")

    tree, manifest = prepare_tree(args)
    nbytes, bytes_note = scanned_bytes(tree, manifest)
    nfiles = manifest.get("scanned_files") if manifest else None

    print(f"tree:      {tree}  ({nbytes / MB:.1f} MB scanned"
          + (f", {nfiles} files" if nfiles else "") + f"; {bytes_note})")
    print(f"credscan:  {credscan}  [{tool_version(credscan)}]")
    print(f"rg:        {rg}  [{tool_version(rg)}]")
    print(f"host:      {platform.platform()}, {os.cpu_count()} CPUs, python {platform.python_version()}")

    # Page cache: the first pass over the tree reads from disk, the second should not.
    rg_cmd = [rg, *shlex.split(args.rg_args), str(tree)]
    first = run_once(rg_cmd, timeout=args.timeout)
    second = run_once(rg_cmd, timeout=args.timeout)
    for r in (first, second):
        if r.exit_code not in OK_CODES:
            raise BenchError(f"rg failed (exit {r.describe_exit()}): {r.stderr_tail}")
    cache_note = "warm" if first.wall_s < 1.5 * second.wall_s + 0.02 else "was cold, now warm"
    print(f"page cache: rg pass 1 {first.wall_s * 1000:.0f} ms, pass 2 {second.wall_s * 1000:.0f} ms ({cache_note})")

    configs = build_configs(args, credscan, rg, tree)
    checks = {}

    def run_config(c, timed):
        if c.failed:
            return
        r = run_once(c.cmd, timeout=args.timeout, keep_stdout=KEEP_STDOUT if c.tool == "credscan" else 0)
        if r.timed_out or r.exit_code not in OK_CODES:
            c.failed = f"exit {r.describe_exit()}: {r.stderr_tail[-500:]}"
            print(f"  ! {c.label} failed ({c.failed}); skipping its remaining runs", file=sys.stderr)
            return
        if c.tool == "credscan" and c.label not in checks:
            checks[c.label] = {"exit_code": r.exit_code, "findings": count_findings(r.stdout)}
            if manifest:
                checks[c.label].update(planted_check(r.stdout, manifest))
        if timed:
            c.runs.append(r)

    for w in range(args.warmup):
        print(f"warmup {w + 1}/{args.warmup} ...", flush=True)
        for c in configs:
            run_config(c, timed=False)
    for i in range(args.runs):
        order = configs if i % 2 == 0 else list(reversed(configs))
        print(f"round {i + 1}/{args.runs} ...", flush=True)
        for c in order:
            run_config(c, timed=True)

    # ---- peers ----
    peer_rows = []
    if not args.no_peers:
        with tempfile.TemporaryDirectory(prefix="credscan-bench-peers-") as tmp:
            peers = peer_commands(tree, tmp)
            if not peers:
                print("peers: none of ripsecrets, detect-secrets, gitleaks, trufflehog, kingfisher, "
                      "noseyparker found on PATH")
            for name, cmd in peers:
                print(f"peer: {name} ...", flush=True)
                r = run_once(cmd, timeout=args.peer_timeout)
                peer_rows.append({"label": name, "cmd": cmd, "wall_ms": r.wall_s * 1000, "peak_rss_mb": r.rss_mb,
                                  "exit": r.describe_exit(), "timed_out": r.timed_out,
                                  "mb_per_s": None if r.timed_out else (nbytes / MB) / r.wall_s,
                                  "stderr_tail": r.stderr_tail[-300:]})

    # ---- report ----
    summaries = {c.label: c.summary(nbytes) for c in configs}
    rg_by_threads = {c.threads: summaries[c.label] for c in configs if c.tool == "rg"}
    rows, json_rows = [], []
    for c in configs:
        s = summaries[c.label]
        ratio = None
        if c.tool == "credscan" and s and rg_by_threads.get(c.threads):
            ratio = s["median_ms"] / rg_by_threads[c.threads]["median_ms"]
        if s:
            rows.append([c.label, f"{s['median_ms']:.1f}", f"{s['min_ms']:.1f}", f"{s['peak_rss_mb']:.1f}",
                         f"{s['mb_per_s']:.0f}", f"{ratio:.2f}x" if ratio else "",
                         f"{len(c.ok_runs)}/{args.runs}"])
        else:
            rows.append([c.label, "-", "-", "-", "-", "", f"FAILED: {c.failed or 'no runs'}"[:60]])
        json_rows.append({"label": c.label, "tool": c.tool, "threads": c.threads, "cmd": c.cmd,
                          "wall_ms": [r.wall_s * 1000 for r in c.runs],
                          "rss_mb": [r.rss_mb for r in c.runs], "exit_codes": [r.exit_code for r in c.runs],
                          "summary": s, "ratio_vs_rg": ratio, "failed": c.failed})
    for p in peer_rows:
        status = "TIMEOUT" if p["timed_out"] else f"exit {p['exit']}"
        rows.append([p["label"] + " (1 run)", f"{p['wall_ms']:.1f}", "", f"{p['peak_rss_mb']:.1f}",
                     f"{p['mb_per_s']:.0f}" if p["mb_per_s"] else "", "", status])

    print()
    print(fmt_table(["config", "median ms", "min ms", "peak RSS MB", "MB/s", "credscan/rg", "ok runs"], rows))
    print(f"\nMB/s = {nbytes / MB:.1f} MB / median wall time. credscan/rg compares medians at the same -j.")
    for label, chk in checks.items():
        line = f"{label}: exit {chk['exit_code']}, findings in output: {chk['findings'] if chk['findings'] is not None else '?'}"
        if "planted_total" in chk:
            line += f"; planted files reported {chk['planted_reported']}/{chk['planted_total']}"
            if chk["missed"]:
                line += f" (missed: {', '.join(chk['missed'])})"
            if chk["ignored_reported"]:
                line += f"; REPORTED .gitignore'd file(s): {', '.join(chk['ignored_reported'])}"
            if chk["decoys_reported"]:
                line += f"; reported decoy(s): {', '.join(chk['decoys_reported'])}"
        print(line)

    if args.json:
        out = {"tree": str(tree), "scanned_bytes": nbytes, "scanned_files": nfiles, "bytes_note": bytes_note,
               "manifest": str(gen_tree.manifest_path(tree)) if manifest else None,
               "host": {"platform": platform.platform(), "cpus": os.cpu_count()},
               "credscan": credscan, "credscan_version": tool_version(credscan),
               "rg": rg, "rg_version": tool_version(rg), "runs": args.runs, "warmup": args.warmup,
               "page_cache_ms": [first.wall_s * 1000, second.wall_s * 1000],
               "rows": json_rows, "peers": peer_rows, "credscan_checks": checks}
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
        print(f"\nwrote {args.json}")

    failed = [c.label for c in configs if c.failed]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
