#!/usr/bin/env python3
"""Runs a command and samples, every 20 ms, the resident set size of the
process and the proportional set size of it and all its descendants (from
/proc). Prints JSON with the wall time, the CPU time of the process and its
reaped children, the peak RSS of the main process alone and the peak PSS
summed over the process tree (git's mmapped packs included, pages shared
between processes counted once), and the CPU time per kind of process in
the tree (`git cat-file`, `git log`, the main process).

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


TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    """User plus system CPU seconds a process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return None


def label(pid, main):
    """What a process in the tree is: "main", or "git <subcommand>"."""
    if pid == main:
        return "main"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return None
    if not argv:
        return None
    name = os.path.basename(argv[0])
    if name != "git":
        return name
    i = 1
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] in ("-c", "-C") else 1
    return f"git {argv[i]}" if i < len(argv) else "git"


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
    # Last CPU time seen per process of the tree, and what it is.
    seen_cpu = {}
    while True:
        pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            status, usage = st, ru
            break
        main_peak = max(main_peak, rss_kb(proc.pid))
        pids = tree(proc.pid)
        tree_peak = max(tree_peak, sum(pss_kb(p) for p in pids))
        for p in pids:
            c = cpu_s(p)
            if c is not None:
                # Labelled again each time: a child's command line is its
                # parent's until it executes git.
                name = label(p, proc.pid) or seen_cpu.get(p, (None, 0))[0]
                seen_cpu[p] = (name, c)
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
        # CPU seconds per kind of process in the tree (git's children by
        # subcommand), as last sampled: a process's last interval before
        # it exits is missed, and the main process's share is its total
        # less what its children were seen to use.
        "cpu_by_process": by_process(seen_cpu, usage.ru_utime + usage.ru_stime),
        "stderr_tail": err[-400:],
    }


def by_process(seen, total):
    out = {}
    for name, c in seen.values():
        if name and name != "main":
            out[name] = round(out.get(name, 0) + c, 2)
    out["main"] = round(max(0.0, total - sum(out.values())), 2)
    return out


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    print(json.dumps(measure(args), indent=2))
