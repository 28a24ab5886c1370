"""Class-data sharing for local runs: the archive is written once, then mapped, and is harmless
when absent, unusable or unwritable."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from etl.class_sharing import (
    CACHE_ENV,
    DUMP_SECONDS,
    QUIET,
    UNUSED_DAYS,
    ClassSharing,
    class_sharing,
)
from tests.etl.cli import stock_analytics
from testsupport.paths import SAMPLE_DATA

OPTIONS = ["-XX:+UseSerialGC"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "jvm"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    for name in ("SPARK_CONF_DIR", "HADOOP_CONF_DIR", "YARN_CONF_DIR", "SPARK_DIST_CLASSPATH"):
        monkeypatch.delenv(name, raising=False)
    return folder


def test_without_an_archive_the_jvm_writes_one_under_a_temporary_name(cache: Path) -> None:
    sharing = class_sharing(OPTIONS)

    assert sharing.dump is not None
    temporary, archive = sharing.dump
    assert sharing.java_options == (f"-XX:ArchiveClassesAtExit={temporary}", QUIET)
    assert temporary.parent == archive.parent == cache
    assert not archive.exists()


def test_a_temporary_left_by_a_killed_run_is_removed_once_no_run_can_be_writing_it(
    cache: Path,
) -> None:
    first = class_sharing(OPTIONS)
    assert first.dump is not None
    abandoned, archive = first.dump
    abandoned.write_bytes(b"part of an archive")
    recent = cache / f".{archive.name}.recent"
    recent.write_bytes(b"being written")
    long_ago = time.time() - 3 * DUMP_SECONDS
    os.utime(abandoned, (long_ago, long_ago))

    second = class_sharing(OPTIONS)

    assert second.dump is not None
    assert not abandoned.exists()
    assert recent.exists()
    assert second.dump[0].exists()


def test_with_an_archive_the_jvm_maps_it(cache: Path) -> None:
    sharing = class_sharing(OPTIONS)
    assert sharing.dump is not None
    sharing.dump[0].rename(sharing.dump[1])

    again = class_sharing(OPTIONS)
    assert again == ClassSharing((f"-XX:SharedArchiveFile={sharing.dump[1]}", QUIET))
    assert class_sharing([*OPTIONS, "-XX:TieredStopAtLevel=1"]).dump is not None


def test_a_run_that_writes_an_archive_removes_those_unused_for_long(cache: Path) -> None:
    first = class_sharing(OPTIONS)
    assert first.dump is not None
    first.dump[0].rename(mapped := first.dump[1])
    unused = cache / "spark-3.0.0-another-java.jsa"
    recent = cache / "spark-3.0.0-other-options.jsa"
    for archive, days in ((mapped, UNUSED_DAYS + 1), (unused, UNUSED_DAYS + 1), (recent, 1)):
        archive.write_bytes(b"an archive")
        then = time.time() - days * 86_400
        os.utime(archive, (then, then))

    assert class_sharing(OPTIONS).dump is None  # maps it: now used
    writing = class_sharing([*OPTIONS, "-XX:TieredStopAtLevel=1"])

    assert writing.dump is not None
    assert not unused.exists()
    assert mapped.exists()
    assert recent.exists()


def test_off_when_the_cache_is_empty_unwritable_or_the_classpath_has_a_conf_folder(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, "")
    assert class_sharing(OPTIONS) == ClassSharing()

    a_file = tmp_path / "file"
    a_file.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(a_file / "jvm"))
    assert class_sharing(OPTIONS) == ClassSharing()

    monkeypatch.setenv(CACHE_ENV, str(cache))
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "spark-defaults.conf").write_text("")
    monkeypatch.setenv("SPARK_CONF_DIR", str(conf))
    assert class_sharing(OPTIONS) == ClassSharing()


def test_the_jvm_ignores_an_archive_it_cannot_use(tmp_path: Path) -> None:
    unusable = tmp_path / "unusable.jsa"
    unusable.write_bytes(bytes(range(256)) * 64)
    for archive in (unusable, tmp_path / "absent.jsa"):
        java = ["java", f"-XX:SharedArchiveFile={archive}", QUIET, "-version"]
        done = subprocess.run(java, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout == ""
        assert "cds" not in done.stderr


def test_the_first_run_writes_the_archive_and_the_next_maps_it(tmp_path: Path) -> None:
    cache = tmp_path / "jvm"
    summaries, written = [], []
    for run in ("first", "second"):
        done = stock_analytics(
            "etl",
            "--input",
            str(SAMPLE_DATA),
            "--warehouse",
            str(tmp_path / run),
            environment={CACHE_ENV: str(cache)},
        )
        assert done.returncode == 0, done.stderr
        [archive] = cache.iterdir()
        assert archive.suffix == ".jsa"
        written.append(archive.stat())
        summaries.append(done.stdout)
        saying = f"[class archive] saving the JVM's loaded classes to {archive}"
        assert (saying in done.stderr) == (run == "first"), done.stderr
    first, second = written
    assert second.st_ino == first.st_ino  # mapped, not written again (a rename would be new)
    assert second.st_mtime_ns > first.st_mtime_ns  # and marked used
    assert all(summary.startswith("ETL run ") for summary in summaries), summaries
    assert "cds" not in "".join(summaries)
