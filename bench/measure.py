"""Run a command and measure its wall time and the peak memory of its whole process tree.

Spark runs as a Python driver plus a JVM it starts, so the memory that matters
is the sum over the tree at each moment, not the largest single process (what
`/usr/bin/time` reports). The CPU time of the tree is summed the same way (the JVM is
not a waited-for child, so `time` misses it); on a shared machine it varies far less than
wall time. Linux only: it polls /proc.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MIB = 1024 * 1024


@dataclass(frozen=True)
class Measurement:
    returncode: int
    wall_seconds: float
    peak_rss_mib: float
    log: Path
    cpu_seconds: float = 0.0
    """User + system CPU of every process of the tree, as last sampled."""


def run_measured(
    command: list[str],
    log: Path,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    poll_seconds: float = 0.1,
) -> Measurement:
    """Run `command` with stdout and stderr to `log`; sample the tree's RSS while it runs."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=env)
        sampler = _PeakSampler(process.pid, poll_seconds)
        sampler.start()
        returncode = process.wait()
        wall = time.perf_counter() - start
        sampler.stop()
    return Measurement(
        returncode,
        round(wall, 2),
        round(sampler.peak_bytes / MIB, 1),
        log,
        round(sum(sampler.cpu_ticks.values()) / CLOCK_TICKS, 1),
    )


class _PeakSampler(threading.Thread):
    def __init__(self, root: int, poll_seconds: float) -> None:
        super().__init__(daemon=True)
        self._root, self._poll = root, poll_seconds
        self._done = threading.Event()
        self.peak_bytes = 0
        self.cpu_ticks: dict[int, int] = {}

    def run(self) -> None:
        while not self._done.is_set():
            self.peak_bytes = max(self.peak_bytes, tree_rss_bytes(self._root))
            for pid in tree_pids(self._root):
                ticks = _cpu_ticks(pid)
                if ticks is not None:
                    self.cpu_ticks[pid] = max(ticks, self.cpu_ticks.get(pid, 0))
            self._done.wait(self._poll)

    def stop(self) -> None:
        self._done.set()
        self.join()


def tree_rss_bytes(root: int) -> int:
    """Resident memory of `root` and all its descendants right now."""
    return sum(_rss_bytes(pid) for pid in tree_pids(root))


def tree_pids(root: int) -> list[int]:
    """`root` and all its descendants right now."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            parent = _parent_pid(int(entry.name))
            if parent is not None:
                children[parent].append(int(entry.name))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(children.get(pid, ()))
    return found


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: parse after the last ")".
    return int(stat.rsplit(")", 1)[1].split()[1])


def _cpu_ticks(pid: int) -> int | None:
    """utime + stime of `pid` (fields 14 and 15 of /proc/pid/stat), in clock ticks."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


def _rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return 0
