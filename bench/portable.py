#!/usr/bin/env python3
"""The portable base64 classifier against the SSE2 one, on one machine.

Builds `benches/micro.rs` twice (the default build, which uses SSE2 on
x86_64, and `--features portable`, which is what aarch64 and other targets
use), then runs the candidate-search benchmarks of both alternately, so a
change in the machine's load hits both, and prints per input the median
throughput of each and the ratio portable time / SSE2 time.

    bench/portable.py [--rounds 5] [--filter decode::runs]

Run it on an idle machine if you can, and report `uptime` with the numbers.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINE = re.compile(r"^(?P<name>.+?)\s+(?P<ms>[0-9.]+) ms\s+(?P<mbs>[0-9.]+) MB/s")


def build(features):
    """Builds the micro benchmark; returns its executable."""
    cmd = ["cargo", "bench", "--locked", "--bench", "micro", "--no-run",
           "--message-format=json"] + features
    out = subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    exe = None
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and msg["target"]["name"] == "micro":
            exe = msg["executable"]
    if not exe:
        sys.exit(f"no micro benchmark executable from {' '.join(cmd)}")
    return exe


def run(exe, filters):
    """One run of the benchmark: {name: MB/s}."""
    out = subprocess.run([exe, "--bench"] + filters, cwd=ROOT, check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    result = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            result[m["name"].strip()] = float(m["mbs"])
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--filter", action="append",
                    help="benchmark name words (default: decode::runs)")
    args = ap.parse_args()
    filters = args.filter or ["decode::runs"]
    builds = {"sse2": build([]), "portable": build(["--features", "portable"])}
    samples = {b: {} for b in builds}
    for r in range(args.rounds):
        for b, exe in builds.items():
            for name, mbs in run(exe, filters).items():
                samples[b].setdefault(name, []).append(mbs)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    print(f"{'benchmark':<40} {'SSE2 MB/s':>10} {'portable MB/s':>14} {'portable/SSE2 time':>19}")
    for name in samples["sse2"]:
        sse2 = statistics.median(samples["sse2"][name])
        port = statistics.median(samples["portable"].get(name, [float("nan")]))
        print(f"{name:<40} {sse2:>10.0f} {port:>14.0f} {sse2 / port:>18.2f}x")


if __name__ == "__main__":
    main()
