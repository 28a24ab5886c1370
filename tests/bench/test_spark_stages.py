import json
from pathlib import Path

from bench.spark_stages import read_event_log, report

MIB = 1024 * 1024


def _stage(stage_id: int, start: int, end: int, metrics: dict[str, int]) -> dict[str, object]:
    accumulables = [
        {"ID": n, "Name": f"internal.metrics.{name}", "Value": value}
        for n, (name, value) in enumerate(metrics.items())
    ]
    return {
        "Event": "SparkListenerStageCompleted",
        "Stage Info": {
            "Stage ID": stage_id,
            "Stage Name": f"parquet at job.py:{stage_id}",
            "Number of Tasks": 2,
            "Submission Time": start,
            "Completion Time": end,
            "Accumulables": [*accumulables, {"ID": 99, "Name": "number of files", "Value": "3"}],
        },
    }


def test_report_splits_the_time_between_executions_and_stages(tmp_path: Path) -> None:
    sql = "org.apache.spark.sql.execution.ui.SparkListenerSQLExecution"
    events = [
        {"Event": "SparkListenerApplicationStart", "Timestamp": 0},
        {"Event": sql + "Start", "executionId": 0, "description": "write daily", "time": 1000},
        {
            "Event": "SparkListenerJobStart",
            "Stage IDs": [0, 1],
            "Properties": {"spark.sql.execution.id": "0"},
        },
        _stage(
            0,
            1100,
            2100,
            {
                "executorRunTime": 1800,
                "executorCpuTime": 1_200_000_000,
                "shuffle.write.bytesWritten": 3 * MIB,
            },
        ),
        _stage(
            1,
            2100,
            4600,
            {"executorRunTime": 4000, "executorCpuTime": 300_000_000, "jvmGCTime": 1500},
        ),
        {"Event": sql + "End", "executionId": 0, "time": 5000},
        {"Event": "SparkListenerApplicationEnd", "Timestamp": 10000},
    ]
    log = tmp_path / "app-1"
    log.write_text("\n".join(json.dumps(event) for event in events) + "\n")

    app = read_event_log(log)
    text = report(app, top=5).splitlines()

    assert text[0] == (
        "application wall: 10.0 s; in SQL executions: 4.0 s;"
        " outside them (driver, JVM, listing): 6.0 s; task CPU: 1.5 s"
    )
    assert "| 0 | 4.0 | 1.5 | 2 | write daily |" in text
    stage_rows = [
        line for line in text if line.startswith("| 1 | 0 |") or line.startswith("| 0 | 0 |")
    ]
    assert stage_rows == [
        "| 1 | 0 | 2.5 | 2 | 4.0 | 0.3 | 1.5 | 0 | 0.0 | 0.0 | 0.0 | parquet at job.py:1 |",
        "| 0 | 0 | 1.0 | 2 | 1.8 | 1.2 | 0.0 | 0 | 3.0 | 0.0 | 0.0 | parquet at job.py:0 |",
    ]
