#!/usr/bin/env python3
"""Runs a command and samples, every 20 ms, the resident set size of the
process and the proportional set size of it and all its descendants (from
/proc). Prints JSON with the wall time, the CPU time of the process and its
reaped children, the peak RSS of the main process alone and the peak PSS
summed over the process tree (git's mmapped packs included, pages shared
between processes counted once).

    bench/rss.py -- credscan --history REPO
"""
import json
import os
import subprocess
import sys
import time


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid):
    """Proportional set size: pages shared by several processes (the same
    git pack mapped by each git process) count once in a sum."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid):
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return out


def tree(pid):
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(children(p))
    return seen


def measure(cmd, stdout=subprocess.DEVNULL, cwd=None, env=None, interval=0.02):
    """Runs `cmd`; returns wall and CPU seconds, peak RSS and tree PSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd, env=env)
    main_peak = tree_peak = 0
    status = usage = None
    while True:
        pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            status, usage = st, ru
            break
        main_peak = max(main_peak, rss_kb(proc.pid))
        tree_peak = max(tree_peak, sum(pss_kb(p) for p in tree(proc.pid)))
        time.sleep(interval)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    return {
        "cmd": cmd,
        "code": proc.returncode,
        "wall_s": round(wall, 3),
        "user_s": round(usage.ru_utime, 3),
        "sys_s": round(usage.ru_stime, 3),
        # ru_maxrss of wait4: the largest of the process and its children.
        "maxrss_mb": round(usage.ru_maxrss / 1024, 1),
        "main_peak_rss_mb": round(main_peak / 1024, 1),
        "tree_peak_pss_mb": round(tree_peak / 1024, 1),
        "stderr_tail": err[-400:],
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    print(json.dumps(measure(args), indent=2))
