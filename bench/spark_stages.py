"""Where a Spark application spent its time, read from its event log.

Prints the application's wall time, each SQL execution (one per action: a
write, a count, a collect) with its duration, the time outside any SQL
execution (JVM start, driver-side Python, file listing), and the slowest
stages with their task, GC, spill and shuffle metrics.

    python -m bench.spark_stages EVENT_LOG_FILE [--top 15]

Event logs are written by `python -m bench.etl_bench --spark-event-log DIR`.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


@dataclass
class Stage:
    stage_id: int
    name: str
    tasks: int
    seconds: float
    metrics: dict[str, float]
    execution: int | None = None


@dataclass
class Execution:
    execution_id: int
    description: str
    start_ms: int
    end_ms: int = 0
    stages: list[int] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return (self.end_ms - self.start_ms) / 1000


@dataclass
class Application:
    start_ms: int = 0
    end_ms: int = 0
    executions: dict[int, Execution] = field(default_factory=dict)
    stages: dict[int, Stage] = field(default_factory=dict)


def read_event_log(path: Path) -> Application:
    app = Application()
    stage_execution: dict[int, int] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            _apply(app, stage_execution, json.loads(line))
    for stage in app.stages.values():
        stage.execution = stage_execution.get(stage.stage_id)
        if stage.execution in app.executions:
            app.executions[stage.execution].stages.append(stage.stage_id)
    return app


def _apply(app: Application, stage_execution: dict[int, int], event: dict[str, Any]) -> None:
    kind = event["Event"]
    if kind == "SparkListenerApplicationStart":
        app.start_ms = event["Timestamp"]
    elif kind == "SparkListenerApplicationEnd":
        app.end_ms = event["Timestamp"]
    elif kind.endswith("SparkListenerSQLExecutionStart"):
        execution = Execution(event["executionId"], event["description"], event["time"])
        app.executions[execution.execution_id] = execution
    elif kind.endswith("SparkListenerSQLExecutionEnd"):
        app.executions[event["executionId"]].end_ms = event["time"]
    elif kind == "SparkListenerJobStart":
        execution_id = (event.get("Properties") or {}).get("spark.sql.execution.id")
        if execution_id is not None:
            for stage_id in event["Stage IDs"]:
                stage_execution[stage_id] = int(execution_id)
    elif kind == "SparkListenerStageCompleted":
        info = event["Stage Info"]
        seconds = (info["Completion Time"] - info["Submission Time"]) / 1000
        metrics = {
            item["Name"].removeprefix("internal.metrics."): float(item["Value"])
            for item in info.get("Accumulables", [])
            if item.get("Name", "").startswith("internal.metrics.")
            and isinstance(item.get("Value"), int | float | str)
            and str(item["Value"]).lstrip("-").isdigit()
        }
        app.stages[info["Stage ID"]] = Stage(
            info["Stage ID"], info["Stage Name"], info["Number of Tasks"], seconds, metrics
        )


def report(app: Application, top: int) -> str:
    wall = (app.end_ms - app.start_ms) / 1000
    in_sql = sum(execution.seconds for execution in app.executions.values())
    cpu = sum(stage.metrics.get("executorCpuTime", 0) for stage in app.stages.values()) / 1e9
    lines = [
        f"application wall: {wall:.1f} s; in SQL executions: {in_sql:.1f} s;"
        f" outside them (driver, JVM, listing): {wall - in_sql:.1f} s;"
        f" task CPU: {cpu:.1f} s",
        "",
        "| execution | seconds | task CPU s | stages | description |",
        "|---:|---:|---:|---:|---|",
    ]
    for execution in sorted(app.executions.values(), key=lambda e: e.start_ms):
        description = execution.description.replace("\n", " ")[:90]
        execution_cpu = sum(
            app.stages[stage].metrics.get("executorCpuTime", 0) for stage in execution.stages
        )
        lines.append(
            f"| {execution.execution_id} | {execution.seconds:.1f} | {execution_cpu / 1e9:.1f}"
            f" | {len(execution.stages)} | {description} |"
        )
    lines += [
        "",
        "| stage | execution | seconds | tasks | run s | CPU s | GC s | records in"
        " | shuffle write MiB | shuffle read MiB | spill MiB | name |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    slowest = sorted(app.stages.values(), key=lambda stage: -stage.seconds)[:top]
    for stage in slowest:
        m = stage.metrics
        shuffle_read = m.get("shuffle.read.localBytesRead", 0) + m.get(
            "shuffle.read.remoteBytesRead", 0
        )
        spill = m.get("diskBytesSpilled", 0) + m.get("memoryBytesSpilled", 0)
        lines.append(
            f"| {stage.stage_id} | {stage.execution} | {stage.seconds:.1f} | {stage.tasks}"
            f" | {m.get('executorRunTime', 0) / 1000:.1f} | {m.get('executorCpuTime', 0) / 1e9:.1f}"
            f" | {m.get('jvmGCTime', 0) / 1000:.1f}"
            f" | {m.get('input.recordsRead', 0):,.0f}"
            f" | {m.get('shuffle.write.bytesWritten', 0) / MIB:.1f}"
            f" | {shuffle_read / MIB:.1f} | {spill / MIB:.1f} | {stage.name[:60]} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("event_log", type=Path, help="a Spark event log file")
    parser.add_argument("--top", type=int, default=15, help="how many of the slowest stages")
    args = parser.parse_args(argv)
    print(report(read_event_log(args.event_log), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
