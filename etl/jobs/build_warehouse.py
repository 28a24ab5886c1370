"""Build the warehouse from raw daily prices: the one job, run locally and on AWS Glue.

Locally `main()` builds its own SparkSession (local[*]); on Glue it takes Glue's.
The input is read once (again only for the raw strings of conflicting duplicates, and to count
the lines of a file read in chunks only when rejected rows of it need line numbers); the judged
rows with their daily metrics, and the summaries, are kept (etl/kept_frames.py) and every table is
built from them.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlparse

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from etl.class_sharing import ClassSharing, class_sharing
from etl.class_sharing import publish as publish_class_archive
from etl.cleanup import clean_up, remove_version, table_bytes
from etl.dataset_pointer import TABLE_BYTES
from etl.headline import HEADLINE_KEY, checks_from_rows, collect_rows, headline_parts, shaped
from etl.io import (
    InputError,
    InputFile,
    check_output_location,
    named_read_errors,
    read_raw_input,
)
from etl.kept_frames import KeptFrames
from etl.options import JobOptions, parse_options, running_on_glue
from etl.publication import PublishConflict, publish, read_pointer
from etl.storage import Storage, open_storage
from etl.summary import Accounting, RunSummary
from etl.tables import (
    ANOMALIES,
    DAILY_METRICS,
    MARKET_DAILY,
    REJECTED_ROWS,
    RUNS,
    THIRTY_DAY_LEADERS,
    TICKER_STATS,
)
from etl.transforms.anomalies import flag_anomalies
from etl.transforms.leaders import thirty_day_leaders
from etl.transforms.returns import add_returns, add_traded_value, add_year
from etl.transforms.summaries import summarize_market_days, summarize_tickers
from etl.transforms.validation import (
    CONFLICTING_DUPLICATE,
    count_outcomes,
    is_accepted,
    parse_rows,
    resolve_duplicates,
    select_accepted_rows,
    select_rejected_rows,
)
from etl.warehouse import TableWrite, VersionWriter
from etl.writer_lease import LeaseHeld, take_writer_lease

LOCAL_SHUFFLE_PARTITIONS = 4
SMALL_INPUT_BYTES = 32 * 2**20
"""A local input up to this size runs in a session sized for it: one shuffle partition, queries
interpreted (SMALL_SQL), and a JVM that compiles less (the C1 compiler only) and collects garbage in
one thread."""
SMALL_JAVA = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
SMALL_SQL = {"spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN"}
"""A small input's queries are interpreted, not compiled to Java classes first: for a few thousand
rows compiling costs more than it saves (5k rows: Janino compilations 128 -> 32, the ones Spark
makes whatever the mode)."""
DRIVER_MEMORY = "2g"
LARGE_HEAP = ("-XX:InitialRAMPercentage=100", "-XX:MetaspaceSize=256m")
"""A larger input's heap at its full size from the start, and the class metadata's first
collection threshold above what Spark loads: a heap that grows, and the default 21 MB
threshold, each cost a full collection (2.5M rows: three, of 0.2-0.7 s, and none with these;
the collector's CPU 2.3-2.5 -> 1.5-1.8 s). The initial heap is all the memory, which the JVM
caps at its maximum (-Xmx: DRIVER_MEMORY, or what the user gave Spark, such as
--driver-memory in PYSPARK_SUBMIT_ARGS); an -Xms above a smaller -Xmx would stop the JVM."""
LARGE_JAVA = (
    *LARGE_HEAP,
    "-XX:+UseParallelGC",
    "-XX:Tier4InvocationThreshold=25000",
    "-XX:Tier4MinInvocationThreshold=3000",
    "-XX:Tier4CompileThreshold=75000",
    "-XX:Tier4BackEdgeThreshold=200000",
)
"""A larger input: the throughput collector, which costs less CPU than the default G1's
concurrent work (2.5M rows: 151 s of the process tree's CPU with G1, 132 s with it); and the
optimizing (C2) compiler only for code run 5 times as often as by default. Most of what C2
compiled was Spark's machinery (task deserialization, Janino, class loading), not the loops
over rows, which still reach it: 1M rows, C2's CPU 17.5-18.0 -> 12.2-13.0 s."""
COMPILER_DIRECTIVES = Path(__file__).with_name("compiler_directives.json")
"""HotSpot compiler directives for a larger input: C2 never compiles the listed framework code
(Janino, ANTLR, catalyst's planning, task (de)serialization, class loading, ASM), which runs
per query or per task, not per row; such a method is compiled by C1 without profiling (level 1)
instead. Spark's generated classes and the per-row code keep C2. 1M rows: the process tree's
CPU 41.5 -> 36.5 s (C2's 10.2 -> 7.2 s), the tasks' not raised."""
WRITE_TASKS = 4
"""daily_metrics is written by at most this many tasks, as its rows are partitioned after the
per-ticker windows (no shuffle by year): at most this many files per year."""
OVERVIEW = "_overview"
ANOMALY_COUNTS = "_anomaly_counts"
QUIET_LOG4J2 = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.hadoop.name = org.apache.hadoop.util.NativeCodeLoader
logger.hadoop.level = error
logger.executor.name = org.apache.spark.executor.Executor
logger.executor.level = off
logger.tasks.name = org.apache.spark.scheduler.TaskSetManager
logger.tasks.level = off
"""
"""Spark's own log at WARN while it starts (ERROR once it runs), without the shell banner.

A failed task is not logged: its error reaches the job, which names the file it
could not read (an InputError) or fails with the whole Java trace.
"""
Report = Callable[[str], None]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the job; returns the process exit code (0 done, 2 bad input, 3 another writer)."""
    options = parse_options(sys.argv[1:] if argv is None else argv)
    if running_on_glue():
        return _run_and_report(_glue_session(), options)
    spark, sharing = _local_session(local_input_bytes(options.input))
    try:
        return _run_and_report(spark, options)
    finally:
        publish_class_archive(spark, sharing)


def _run_and_report(spark: SparkSession, options: JobOptions) -> int:
    try:
        summary = run(spark, options)
    except InputError as error:
        print(f"ETL failed, nothing written: {error}", file=sys.stderr)
        return 2
    except (LeaseHeld, PublishConflict) as error:
        print(f"ETL failed, nothing published: {error}", file=sys.stderr)
        return 3
    print(summary.render())
    return 0


def run(spark: SparkSession, options: JobOptions, report: Report | None = None) -> RunSummary:
    """Build every table from one read of `options.input` and publish the warehouse.

    Raises InputError (before writing anything) when a file lacks a required
    column or has no valid row; LeaseHeld at once when another run is writing the
    warehouse; PublishConflict when another writer changed the pointer meanwhile.
    """
    say = report or _print_to_stderr
    started_at = datetime.now(UTC)
    run_id = new_run_id(started_at)
    _configure(spark, options)
    kept = KeptFrames(spark)
    check_output_location(spark, options.warehouse)
    storage = open_storage(options.warehouse)
    lease = take_writer_lease(storage, run_id)
    # The two collecting actions run in this thread while the main one plans or writes: Spark
    # runs the jobs of several threads at once.
    actions = ThreadPoolExecutor(max_workers=1)
    try:
        with _step(say, "read"):
            raw = read_raw_input(spark, options.input)
            say(f"  {len(raw.files)} input file(s) under {options.input}")
            if raw.skipped:
                say(f"  {len(raw.skipped)} file(s) skipped (not .csv or .csv.gz)")
        with _step(say, "validate"):
            # Every later window and aggregate is per ticker: shuffle by it once.
            parsed = parse_rows(raw.located).repartition("ticker")
            # The daily metrics of the accepted rows are computed with the judging, in one job
            # and one kept frame: their windows need the order the duplicate windows sorted.
            judged = kept.keep(_daily_metrics(resolve_duplicates(parsed), is_accepted()))
            names = [file.name for file in raw.files]
            counting = actions.submit(_count_outcomes, spark, raw.files, judged)
            # The tables are planned while Spark judges the rows.
            metrics = select_accepted_rows(judged)
            tickers = kept.keep(summarize_tickers(metrics))
            anomalies = kept.keep(flag_anomalies(metrics, run_id))
            market_days = kept.keep(summarize_market_days(metrics).transform(add_year))
            # Written, and ranked again for the headline answers: one scan of the metrics, of
            # the table's columns only (the top-k copies every row it compares).
            leaders = kept.keep(
                thirty_day_leaders(metrics.select(*THIRTY_DAY_LEADERS.column_names))
            )
            # One Spark action for the headline answers and the run's own facts.
            answers = [*headline_parts(leaders, tickers, market_days), *_facts(tickers, anomalies)]
            counted = counting.result()
            outcomes = [(names[f], why, collapsed, n) for f, why, collapsed, n in counted]
            rejecting = {file_id for file_id, why, _, _ in counted if why is not None}
            accounting = Accounting.from_outcomes(outcomes, names, raw.skipped)
            _require_valid_rows(accounting)
            # Collected while the tables are written: started during the judging, its tasks
            # would only compete with the judging's for the cores.
            answering = actions.submit(collect_rows, answers)
        with _step(say, "write"):
            writer = VersionWriter(spark, options.warehouse, run_id)
            conflicting = accounting.rejected_by_reason.get(CONFLICTING_DUPLICATE, 0)
            rejected = select_rejected_rows(
                judged,
                names,
                run_id,
                raw.located,
                conflicting,
                lambda located: raw.number_lines(located, rejecting),
            )
            if not accounting.rows_rejected:
                # The counts show none: Spark plans the same columns as an empty relation, so
                # the table is written without a scan of every judged row for them.
                rejected = rejected.where(F.lit(False))
            try:
                writer.write_all(
                    [
                        TableWrite(DAILY_METRICS, metrics, ("ticker", "date"), WRITE_TASKS),
                        TableWrite(MARKET_DAILY, market_days, ("date",)),
                        TableWrite(TICKER_STATS, tickers, ("ticker",)),
                        TableWrite(THIRTY_DAY_LEADERS, leaders),
                        TableWrite(REJECTED_ROWS, rejected),
                        TableWrite(ANOMALIES, anomalies, ("ticker", "date", "kind")),
                    ]
                )
                rows = answering.result()
                headline = checks_from_rows(rows)
                (overview,) = rows[OVERVIEW]
                anomaly_counts = {
                    row["ticker"]: row["count"] for row in rows.get(ANOMALY_COUNTS, [])
                }
                summary = RunSummary(
                    run_id=run_id,
                    input=options.input,
                    warehouse=options.warehouse,
                    started_at=started_at,
                    finished_at=datetime.now(UTC),
                    accounting=accounting,
                    tickers=overview["count"],
                    first_date=overview["date"],
                    last_date=overview["prior_date"],
                    anomalies_by_kind=anomaly_counts,
                )
                writer.write(RUNS, _runs_row(spark, summary))
                version = summary.version_summary(
                    {TABLE_BYTES: table_bytes(storage, run_id), HEADLINE_KEY: headline}
                )
                lease.ensure_held()
                pointer = publish(
                    storage, version, keep=options.retained_versions, now=datetime.now(UTC)
                )
            except BaseException:
                _discard_unpublished(storage, run_id)
                raise
        with _step(say, "clean up"):
            grace = timedelta(seconds=options.grace_seconds)
            removed = clean_up(storage, now=datetime.now(UTC), grace=grace, own=run_id)
        summary = replace(
            summary,
            retained_versions=tuple(v.version for v in pointer.versions),
            clean_up=removed,
        )
    finally:
        actions.shutdown(cancel_futures=True)
        lease.release()
        kept.release()
    return summary


def _count_outcomes(
    spark: SparkSession, files: Sequence[InputFile], judged: DataFrame
) -> list[tuple[int, str | None, bool, int]]:
    """(file_id, reason, collapsed, rows) of the judged rows: the job that judges them, so the
    one that names an input file that cannot be read."""
    with named_read_errors(spark, files):
        counted = count_outcomes(judged).collect()
    return [(row.file_id, row.reason, row.collapsed, row.rows) for row in counted]


def _discard_unpublished(storage: Storage, run_id: str) -> None:
    """Remove this run's version folders, unless the pointer names it: a failure after a
    publication whose answer was lost must not delete a published version."""
    try:
        pointer = read_pointer(storage).pointer
    except Exception:  # the next run's clean-up removes the folders as an orphan's
        return
    if pointer is None or run_id not in pointer.known_versions:
        remove_version(storage, run_id)


def new_run_id(started_at: datetime) -> str:
    """A unique, sortable run id: UTC start time plus a random suffix."""
    return f"{started_at:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def _daily_metrics(judged: DataFrame, accepted: Column) -> DataFrame:
    """The metric columns on every judged row, meaningful on the `accepted` ones."""
    return (
        judged.transform(add_traded_value)
        .transform(add_returns, counted=accepted)
        .transform(add_year)
    )


def _facts(tickers: DataFrame, anomalies: DataFrame) -> list[DataFrame]:
    """The run's tickers and date range (OVERVIEW: count, date, prior_date) and its anomalies
    by kind (ANOMALY_COUNTS: the kind as `ticker`, count), in the headline answers' shape."""
    # Each aggregated in one task, no partial aggregates shuffled to a final one: the tickers are
    # few, and the anomalies are written from one task as well.
    overview = tickers.coalesce(1).agg(
        F.count("ticker").alias("tickers"),
        F.min("first_date").alias("first_date"),
        F.max("last_date").alias("last_date"),
    )
    by_kind = anomalies.coalesce(1).groupBy("kind").agg(F.count(F.lit(1)).alias("rows"))
    return [
        shaped(
            OVERVIEW,
            overview,
            count=F.col("tickers"),
            date=F.col("first_date"),
            prior_date=F.col("last_date"),
        ),
        shaped(ANOMALY_COUNTS, by_kind, ticker=F.col("kind"), count=F.col("rows")),
    ]


def _require_valid_rows(accounting: Accounting) -> None:
    if accounting.files_without_valid_row:
        raise InputError(f"no valid row in {', '.join(accounting.files_without_valid_row)}")
    if accounting.rows_accepted == 0:
        raise InputError("no valid row in the input")


def _runs_row(spark: SparkSession, summary: RunSummary) -> DataFrame:
    counts = summary.accounting
    values = {
        "run_id": summary.run_id,
        "started_at": summary.started_at,
        "finished_at": summary.finished_at,
        "input": summary.input,
        "rows_read": counts.rows_read,
        "rows_accepted": counts.rows_accepted,
        "rows_rejected": counts.rows_rejected,
        "duplicates_collapsed": counts.duplicates_collapsed,
        "tickers": summary.tickers,
        "first_date": summary.first_date,
        "last_date": summary.last_date,
    }
    # Literals on a one-row relation, not createDataFrame (that would start a Python worker and
    # import pandas) nor spark.range (its typed Dataset initializes Scala reflection: seconds).
    return spark.sql("SELECT 1").select(
        *(F.lit(values[c.name]).cast(c.type).alias(c.name) for c in RUNS.columns)
    )


def _configure(spark: SparkSession, options: JobOptions) -> None:
    settings = {
        # An impossible date such as 2024-13-45 casts to null (ANSI mode would fail), then is
        # rejected.
        "spark.sql.ansi.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        # Where the kept frames are cached (Glue), they are read a few times, soon after:
        # encoding their columns compactly costs more CPU than it saves (about 4 s per million
        # rows).
        "spark.sql.inMemoryColumnarStorage.compressed": "false",
    }
    if options.shuffle_partitions is not None:
        settings["spark.sql.shuffle.partitions"] = str(options.shuffle_partitions)
    for key, value in settings.items():
        spark.conf.set(key, value)
    hadoop = spark.sparkContext._jsc.hadoopConfiguration()
    hadoop.set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")


@contextmanager
def _step(say: Report, name: str) -> Iterator[None]:
    say(f"[{name}] ...")
    started = time.perf_counter()
    yield
    say(f"[{name}] done in {time.perf_counter() - started:.1f} s")


def _print_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _local_session(input_bytes: int | None = None) -> tuple[SparkSession, ClassSharing]:
    """A local[*] session; for a small input (`input_bytes`, when known), one sized for it.
    Its JVM maps the class archive of an earlier run, or writes one (etl/class_sharing.py)."""
    small = input_bytes is not None and input_bytes <= SMALL_INPUT_BYTES
    log_config = Path(tempfile.gettempdir()) / "build_warehouse-log4j2.properties"
    log_config.write_text(QUIET_LOG4J2)
    # A Python worker, should one start, runs this interpreter, not the first python3 on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    java = SMALL_JAVA if small else large_java()
    java_options = [f"-Dlog4j2.configurationFile={log_config}", *java]
    sharing = class_sharing(java_options)
    builder = (
        SparkSession.builder.master("local[*]")
        .appName("build_warehouse")
        .config("spark.driver.extraJavaOptions", " ".join([*java_options, *sharing.java_options]))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", DRIVER_MEMORY)
        .config("spark.sql.shuffle.partitions", str(1 if small else LOCAL_SHUFFLE_PARTITIONS))
        # No adaptive query execution locally: with 4 shuffle partitions there is nothing to
        # adapt, and it ran each query stage as a job of its own, planned again, and read the
        # kept judged rows a second time to count the outcomes (2.5M rows: 26 -> 11 jobs).
        .config("spark.sql.adaptive.enabled", "false")
    )
    for key, value in (SMALL_SQL if small else {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark, sharing


def large_java() -> tuple[str, ...]:
    """LARGE_JAVA, with the compiler directives when their file is there and its path has no
    blank (the JVM options are one blank-separated string; a JVM told to read a missing file
    does not start). `-DisplayVMOutput`: the JVM would print the number of directives it read
    to stdout."""
    path = str(COMPILER_DIRECTIVES)
    if not COMPILER_DIRECTIVES.is_file() or any(c.isspace() for c in path):
        return LARGE_JAVA
    return (
        *LARGE_JAVA,
        "-XX:+UnlockDiagnosticVMOptions",
        f"-XX:CompilerDirectivesFile={path}",
        "-XX:-DisplayVMOutput",
    )


def local_input_bytes(path: str) -> int | None:
    """The size of a local input (a file, or the files under a folder); None elsewhere."""
    if urlparse(path).scheme not in ("", "file"):
        return None
    root = Path(unquote(urlparse(path).path))
    if root.is_file():
        return root.stat().st_size
    return sum(file.stat().st_size for file in root.rglob("*") if file.is_file())


def _glue_session() -> SparkSession:
    spark = SparkSession.builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    return spark


if __name__ == "__main__":
    sys.exit(main())
