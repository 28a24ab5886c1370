import sys
from pathlib import Path

from bench.measure import run_measured

HOLD = "import sys, time; block = bytearray({mib} * 2**20); time.sleep({seconds})"


def test_peak_memory_sums_the_whole_process_tree(tmp_path: Path) -> None:
    # A parent holding 150 MiB starts a child holding 250 MiB: at peak they hold 400 together,
    # where the largest single process (what /usr/bin/time reports) holds 250.
    # The child holds its memory for 3 s, many sampling periods, so a busy machine that
    # delays a sample or two still sees both processes at their peak.
    child = HOLD.format(mib=250, seconds=3)
    parent = (
        "import subprocess, sys; block = bytearray(150 * 2**20); "
        f"subprocess.run([sys.executable, '-c', {child!r}], check=True)"
    )
    measured = run_measured([sys.executable, "-c", parent], tmp_path / "run.log")
    assert measured.returncode == 0
    assert 400 <= measured.peak_rss_mib < 600
    assert measured.wall_seconds >= 3


def test_output_goes_to_the_log_and_failures_are_reported(tmp_path: Path) -> None:
    script = "import sys; print('to stdout'); print('to stderr', file=sys.stderr); sys.exit(3)"
    measured = run_measured([sys.executable, "-c", script], tmp_path / "fail.log")
    assert measured.returncode == 3
    assert sorted(measured.log.read_text().splitlines()) == ["to stderr", "to stdout"]


def test_cpu_time_sums_the_whole_process_tree(tmp_path: Path) -> None:
    # A parent that sleeps starts a child that spins for 1.5 s of CPU: the tree's CPU time is
    # the child's, which a parent-only figure would miss.
    spin = "import time; end = time.process_time() + 1.5\nwhile time.process_time() < end: pass"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {spin!r}], check=True)"
    measured = run_measured([sys.executable, "-c", parent], tmp_path / "cpu.log")
    assert measured.returncode == 0
    assert 1.3 <= measured.cpu_seconds < 3
