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
