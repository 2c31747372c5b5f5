"""Shared helpers for the credscan benchmark scripts (standard library only)."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

MB = 1 << 20
REPO = Path(__file__).resolve().parent.parent


class BenchError(Exception):
    """A setup problem (missing binary, bad tree...): reported without a traceback."""


def resolve_binary(name_or_path, what, hint=""):
    """Return an absolute path for a binary given as a name (looked up on PATH) or a path."""
    if os.sep in name_or_path or name_or_path.startswith("."):
        p = Path(name_or_path).expanduser().resolve()
        if not p.is_file():
            raise BenchError(f"{what} binary not found: {p}{hint}")
        if not os.access(p, os.X_OK):
            raise BenchError(f"{what} binary is not executable: {p}")
        return str(p)
    found = shutil.which(name_or_path)
    if not found:
        raise BenchError(f"{what} binary '{name_or_path}' not found on PATH{hint}")
    return found


def default_credscan():
    """credscan on PATH, else the repository's release build, else None."""
    found = shutil.which("credscan")
    if found:
        return found
    for build in ("release", "debug"):
        p = REPO / "target" / build / "credscan"
        if p.is_file() and os.access(p, os.X_OK):
            if build == "debug":
                print(f"warning: using a DEBUG build ({p}); timings will be meaningless", file=sys.stderr)
            return str(p)
    return None


@dataclass
class RunResult:
    wall_s: float
    maxrss_kb: int
    exit_code: int  # negative = killed by that signal (as in subprocess)
    timed_out: bool
    stdout: bytes  # possibly truncated (see run_once)
    stderr_tail: str

    @property
    def rss_mb(self):
        return self.maxrss_kb / 1024.0

    def describe_exit(self):
        if self.timed_out:
            return "TIMEOUT"
        if self.exit_code < 0:
            try:
                return f"SIG{signal.Signals(-self.exit_code).name[3:]}"
            except ValueError:
                return f"signal {-self.exit_code}"
        return str(self.exit_code)


_SUBREAPER = None


def _subreaper():
    """Make this process a child subreaper (Linux prctl), once. Returns success."""
    global _SUBREAPER
    if _SUBREAPER is None:
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            _SUBREAPER = libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
        except (OSError, AttributeError):
            _SUBREAPER = False
        if not _SUBREAPER:
            print("warning: cannot become a child subreaper; peak RSS will include the "
                  "Python harness's own memory", file=sys.stderr)
    return _SUBREAPER


# Why the /bin/sh hop: on Linux, exec() folds the *pre-exec* memory high-water
# mark into ru_maxrss, so a command forked straight from this (large) Python
# process would report at least Python's RSS.  Instead /bin/sh (small) starts
# the command in the background, prints its pid and exits; the command is
# re-parented to us (we are a subreaper) and we wait4() it directly.  The cost
# is ~1 ms of extra wall time per run, the same for every tool.
_LAUNCHER = '"$@" </dev/null & echo $! >&0'


def run_once(cmd, timeout=None, keep_stdout=0, cwd=None):
    """Run cmd, returning wall time and peak RSS (ru_maxrss from os.wait4).

    stdout goes to a regular temporary file, not /dev/null or a pipe: some
    tools special-case /dev/null, and a pipe would need a reader thread that
    competes for CPU.  The first `keep_stdout` bytes are returned.  On timeout
    the whole process group (started in its own session) is killed.
    """
    if not (os.sep in cmd[0] or shutil.which(cmd[0])):
        raise BenchError(f"cannot run {cmd[0]}: not found")
    via_sh = _subreaper()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        rfd, wfd = os.pipe() if via_sh else (None, None)
        argv = ["/bin/sh", "-c", _LAUNCHER, "sh", *cmd] if via_sh else cmd
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(argv, stdin=wfd if via_sh else subprocess.DEVNULL, stdout=out,
                                 stderr=err, cwd=cwd, start_new_session=True)
        except OSError as e:
            raise BenchError(f"cannot run {cmd[0]}: {e}") from e
        finally:
            if via_sh:
                os.close(wfd)
        fired = threading.Event()

        def kill():
            fired.set()
            try:
                os.killpg(p.pid, signal.SIGKILL)  # the command stays in sh's process group
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        try:
            if via_sh:
                with os.fdopen(rfd, "rb") as r:
                    line = r.readline()
                os.waitpid(p.pid, 0)  # reap sh
                p.returncode = 0
                if not line.strip():
                    raise BenchError(f"launcher failed for {cmd[0]}")
                pid = int(line)
            else:
                pid = p.pid
            _, status, rusage = os.wait4(pid, 0)
        finally:
            if timer:
                timer.cancel()
        wall = time.perf_counter() - t0
        code = os.waitstatus_to_exitcode(status)
        if not via_sh:
            p.returncode = code  # we reaped it ourselves; keep Popen from waiting again
        out.seek(0)
        stdout = out.read(keep_stdout) if keep_stdout else b""
        err.seek(0, os.SEEK_END)
        size = err.tell()
        err.seek(max(0, size - 2000))
        tail = err.read().decode("utf-8", "replace").strip()
    return RunResult(wall, rusage.ru_maxrss, code, fired.is_set(), stdout, tail)


def tool_version(binary, args=("--version",)):
    try:
        r = subprocess.run([binary, *args], capture_output=True, timeout=20, text=True)
        line = (r.stdout or r.stderr).strip().splitlines()
        return line[0] if line else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def fmt_table(headers, rows, right=None):
    """Plain-text table; `right` = set of column indexes to right-align."""
    right = set(range(1, len(headers))) if right is None else right
    cells = [[str(c) for c in headers]] + [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, r in enumerate(cells):
        lines.append("  ".join(c.rjust(widths[i]) if i in right else c.ljust(widths[i])
                               for i, c in enumerate(r)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
