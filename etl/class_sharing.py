"""Java class-data sharing for local runs: the classes one run loaded, mapped by the next.

A local JVM spends seconds of its start loading and verifying Spark's classes. The
first local run for a given Java, Spark and set of JVM options has its JVM dump the
classes it loaded into an archive as it exits (`-XX:ArchiveClassesAtExit`); later
runs map that archive (`-XX:SharedArchiveFile`) instead. The JVM writes it under a
temporary name, renamed into place once that JVM has exited, so a run only ever maps
a whole archive (a truncated one would crash the JVM). An archive the JVM cannot use
(another classpath, a changed jar) is ignored by it, and any file-system trouble here
only means a run without one. Never on Glue: there the session is Glue's.

The archives live in `$STOCK_ANALYTICS_JVM_CACHE` (default `~/.cache/stock-analytics/jvm`,
under `$XDG_CACHE_HOME` when set); an empty value turns class-data sharing off. A run
that maps an archive marks it used; a run that writes one removes those no run has used
for UNUSED_DAYS (left by another Spark or Java, or other JVM options).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyspark
from pyspark.sql import SparkSession

CACHE_ENV = "STOCK_ANALYTICS_JVM_CACHE"
QUIET = "-Xlog:cds*=off"
"""The JVM's class-sharing notes (classes it skips, an archive it cannot use) would go to stdout."""
CLASSPATH_ENV = ("HADOOP_CONF_DIR", "YARN_CONF_DIR", "SPARK_DIST_CLASSPATH", "SPARK_CLASSPATH")
"""What adds to the classpath the launcher gives the JVM, beside Spark's conf folder and jars."""
DUMP_SECONDS = 120
"""How long the run that writes an archive waits for its JVM to exit."""
UNUSED_DAYS = 30
ARCHIVE_PATTERN = "spark-*.jsa"


@dataclass(frozen=True)
class ClassSharing:
    java_options: tuple[str, ...] = ()
    dump: tuple[Path, Path] | None = None
    """(where the JVM writes the archive, where `publish` moves it) when this run writes one."""


def class_sharing(java_options: Sequence[str]) -> ClassSharing:
    """The JVM options that map this configuration's archive, or that write it at exit."""
    folder = cache_folder()
    java = _java()
    if folder is None or java is None:
        return ClassSharing()
    archive = folder / f"spark-{pyspark.__version__}-{_key(java, java_options)}.jsa"
    if archive.is_file():
        with suppress(OSError):
            os.utime(archive)  # used: not to be removed as unused
        return ClassSharing((f"-XX:SharedArchiveFile={archive}", QUIET))
    if not _dumpable_classpath():
        return ClassSharing()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(folder.glob(f".{archive.name}.*"))
        _remove_unused(folder.glob(ARCHIVE_PATTERN))
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{archive.name}.")
        os.close(handle)
    except OSError:
        return ClassSharing()
    dump = f"-XX:ArchiveClassesAtExit={temporary}"
    return ClassSharing((dump, QUIET), (Path(temporary), archive))


def publish(spark: SparkSession, sharing: ClassSharing) -> None:
    """When this run writes an archive: stop Spark, let the JVM exit and write it, then move
    it into place. Call last: the session is unusable afterwards."""
    if sharing.dump is None:
        return
    temporary, archive = sharing.dump
    print(
        f"[class archive] saving the JVM's loaded classes to {archive}, once: later runs start"
        " faster ...",
        file=sys.stderr,
        flush=True,
    )
    gateway: Any = spark.sparkContext._gateway
    try:
        spark.stop()
        jvm = gateway.proc
        jvm.stdin.close()  # the gateway JVM exits when its input closes
        if jvm.wait(timeout=DUMP_SECONDS) == 0 and temporary.stat().st_size > 0:
            temporary.replace(archive)
    except (OSError, subprocess.TimeoutExpired):
        pass
    finally:
        temporary.unlink(missing_ok=True)


def _remove_abandoned(temporaries: Iterable[Path]) -> None:
    """Remove what runs killed while writing an archive left (up to an archive's size). One
    untouched for twice a run's wait is being written by no JVM (writing keeps it fresh), and
    a JVM yet to write its archive creates the file anew."""
    now = time.time()
    for temporary in temporaries:
        with suppress(OSError):
            if now - temporary.stat().st_mtime > 2 * DUMP_SECONDS:
                temporary.unlink()


def _remove_unused(archives: Iterable[Path]) -> None:
    """Remove the archives no run has mapped for UNUSED_DAYS (about 140 MiB each). A JVM that
    still maps one keeps its pages: removing the name does not unmap them."""
    oldest_used = time.time() - UNUSED_DAYS * 86_400
    for archive in archives:
        with suppress(OSError):
            if archive.stat().st_mtime < oldest_used:
                archive.unlink()


def cache_folder() -> Path | None:
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "stock-analytics" / "jvm"


def _java() -> Path | None:
    """The java that Spark's launcher runs: $JAVA_HOME/bin/java, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    found = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    return Path(found).resolve() if found and Path(found).is_file() else None


def _dumpable_classpath() -> bool:
    """False when Spark's launcher may put a folder with files on the JVM's classpath (a conf
    folder, extra class paths): a JVM asked to write an archive then refuses to start."""
    if any(os.environ.get(name) for name in CLASSPATH_ENV):
        return False
    if "class-path" in os.environ.get("PYSPARK_SUBMIT_ARGS", ""):
        return False
    conf = os.environ.get("SPARK_CONF_DIR") or _spark_home() / "conf"
    return not Path(conf).is_dir() or not any(Path(conf).iterdir())


def _spark_home() -> Path:
    return Path(os.environ.get("SPARK_HOME") or Path(pyspark.__file__).parent)


def _key(java: Path, java_options: Sequence[str]) -> str:
    """Names the archive after what it depends on: the Java binary, Spark's jars, the options."""
    jars = _spark_home() / "jars"
    identity = [str(java), java.stat().st_mtime_ns, java.stat().st_size, str(jars.resolve())]
    if jars.is_dir():
        identity.append(jars.stat().st_mtime_ns)
    identity.extend(java_options)
    return hashlib.sha256(repr(identity).encode()).hexdigest()[:16]
