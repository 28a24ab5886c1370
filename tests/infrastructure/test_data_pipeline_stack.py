"""The data pipeline stack, asserted on the synthesized template."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from etl.tables import FIRST_DATE, LAST_DATE, TABLES
from infrastructure.paths import ETL_PACKAGE, GLUE_JOB_SCRIPT, REPO_ROOT
from tests.infrastructure.cfn import as_list, only, policy_statements, render, resources
from tests.infrastructure.synth import Synthesized


def _job(synth: Synthesized) -> dict[str, Any]:
    return only(synth.pipeline, "AWS::Glue::Job")


def _staged_asset(synth: Synthesized, s3_url: str) -> Path:
    """The file or folder that the asset behind `s3://<assets bucket>/<key>` stages."""
    manifest = json.loads((synth.outdir / f"{synth.names.pipeline}.assets.json").read_text())
    key = s3_url.rsplit("/", 1)[-1]
    for asset in manifest["files"].values():
        if any(d["objectKey"] == key for d in asset["destinations"].values()):
            return synth.outdir / str(asset["source"]["path"])
    raise AssertionError(f"no asset publishes {key}")


def _sub(value: Any) -> str:
    assert isinstance(value, dict), value
    text: str = value["Fn::Sub"]
    return text


def test_glue_job_runs_the_local_job_file_on_glue_5_1(synthesized: Synthesized) -> None:
    job = _job(synthesized)
    assert job["GlueVersion"] == "5.1"
    assert job["Command"]["Name"] == "glueetl"
    assert job["Command"]["PythonVersion"] == "3"
    script = _staged_asset(synthesized, _sub(job["Command"]["ScriptLocation"]))
    assert script.read_bytes() == GLUE_JOB_SCRIPT.read_bytes()


def test_etl_package_ships_as_a_zip_with_etl_at_its_top(dev: Synthesized) -> None:
    extra = _sub(_job(dev)["DefaultArguments"]["--extra-py-files"])
    assert extra.endswith(".zip")
    staged = _staged_asset(dev, extra)
    assert [p.name for p in staged.iterdir()] == ["etl"]
    shipped = {p.relative_to(staged).as_posix() for p in staged.rglob("*.py")}
    local = {
        p.relative_to(REPO_ROOT).as_posix()
        for p in ETL_PACKAGE.rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert shipped == local
    assert "etl/tables.py" in shipped
    assert not list(staged.rglob("__pycache__"))


def test_glue_job_arguments_and_capacity(synthesized: Synthesized) -> None:
    job = _job(synthesized)
    pipeline = synthesized.config.pipeline
    env = synthesized.config.name
    arguments = render(job["DefaultArguments"])
    assert (
        arguments["--input"] == f"s3://stock-analytics-{env}-raw-${{AWS::AccountId}}-us-east-1/raw/"
    )
    assert (
        arguments["--warehouse"]
        == f"s3://stock-analytics-{env}-curated-${{AWS::AccountId}}-us-east-1/warehouse/"
    )
    assert arguments["--enable-continuous-cloudwatch-log"] == "true"
    assert arguments["--enable-metrics"] == "true"
    assert arguments["--job-language"] == "python"
    assert job["WorkerType"] == pipeline.glue_worker_type
    assert job["NumberOfWorkers"] == pipeline.glue_workers
    assert job["ExecutionProperty"] == {"MaxConcurrentRuns": 1}


def test_glue_job_role_reads_raw_writes_warehouse_only(dev: Synthesized) -> None:
    role_id = _job(dev)["Role"]["Fn::GetAtt"][0]
    statements = policy_statements(dev.pipeline, role_id)
    by_sid = {s["Sid"]: s for s in statements}

    def bucket(purpose: str) -> str:
        account = "${AWS::AccountId}"
        return f"arn:${{AWS::Partition}}:s3:::stock-analytics-dev-{purpose}-{account}-us-east-1"

    assert by_sid["ReadRaw"]["Resource"] == bucket("raw") + "/raw/*"
    assert by_sid["ReplaceWarehouse"]["Resource"] == bucket("curated") + "/warehouse*"
    assert "Condition" not in by_sid["ListRawAndWarehouse"]
    assert set(by_sid["ListRawAndWarehouse"]["Resource"]) == {bucket("raw"), bucket("curated")}
    assert set(by_sid["ReplaceWarehouse"]["Action"]) == {
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteObject",
    }
    for statement in statements:
        if "*" in as_list(statement["Resource"]):
            assert statement["Action"] == "cloudwatch:PutMetricData"
            assert statement["Condition"] == {"StringEquals": {"cloudwatch:namespace": "Glue"}}
        for action in as_list(statement["Action"]):
            assert "*" not in action
    code = by_sid["ReadJobCode"]["Resource"]
    assert sorted(c.rsplit(".", 1)[-1] for c in code) == ["py", "zip"]


def test_one_catalog_table_per_contract_table_with_its_columns(synthesized: Synthesized) -> None:
    tables = {
        t["TableInput"]["Name"]: t for t in resources(synthesized.pipeline, "AWS::Glue::Table")
    }
    assert set(tables) == {table.name for table in TABLES}
    database = only(synthesized.pipeline, "AWS::Glue::Database")["DatabaseInput"]["Name"]
    for table in TABLES:
        cfn = tables[table.name]
        assert cfn["DatabaseName"] == database
        table_input = cfn["TableInput"]
        storage = table_input["StorageDescriptor"]
        assert [(c["Name"], c["Type"], c["Comment"]) for c in storage["Columns"]] == [
            (c.name, c.type, c.comment) for c in table.columns
        ]
        assert [(c["Name"], c["Type"]) for c in table_input["PartitionKeys"]] == [
            ("dataset_version", "string"),
            *((c.name, c.type) for c in table.partition_keys),
        ]
        assert storage["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
        assert storage["InputFormat"].endswith("MapredParquetInputFormat")
        location = render(storage["Location"])
        assert location.endswith(f"-us-east-1/warehouse/{table.name}/")
        assert location.startswith(f"s3://stock-analytics-{synthesized.config.name}-curated-")


@pytest.mark.parametrize("table", [t for t in TABLES if t.partition_keys], ids=lambda t: t.name)
def test_partitioned_tables_project_the_version_and_year(
    synthesized: Synthesized, table: Any
) -> None:
    cfn = next(
        t
        for t in resources(synthesized.pipeline, "AWS::Glue::Table")
        if t["TableInput"]["Name"] == table.name
    )
    parameters = render(cfn["TableInput"]["Parameters"])
    first, last = synthesized.config.pipeline.partition_years
    location = render(cfn["TableInput"]["StorageDescriptor"]["Location"])
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.dataset_version.type"] == "injected"
    assert parameters["projection.year.type"] == "integer"
    assert parameters["projection.year.range"] == f"{first},{last}"
    # Every date the ETL accepts lies in a projected year: no accepted row is invisible.
    assert (first, last) == (FIRST_DATE.year, LAST_DATE.year)
    assert parameters["storage.location.template"] == (
        location + "dataset_version=${dataset_version}/year=${year}/"
    )
    assert parameters["storage.location.template"].endswith(
        f"/warehouse/{table.name}/dataset_version=${{dataset_version}}/year=${{year}}/"
    )


def test_unpartitioned_tables_project_the_version_only(dev: Synthesized) -> None:
    unpartitioned = {t.name for t in TABLES if not t.partition_keys}
    assert unpartitioned
    for cfn in resources(dev.pipeline, "AWS::Glue::Table"):
        if cfn["TableInput"]["Name"] in unpartitioned:
            parameters = render(cfn["TableInput"]["Parameters"])
            location = render(cfn["TableInput"]["StorageDescriptor"]["Location"])
            assert {k: v for k, v in parameters.items() if k.startswith("projection.")} == {
                "projection.enabled": "true",
                "projection.dataset_version.type": "injected",
            }
            assert parameters["storage.location.template"] == (
                location + "dataset_version=${dataset_version}/"
            )


def test_athena_workgroup_guard_rails(synthesized: Synthesized) -> None:
    workgroup = only(synthesized.pipeline, "AWS::Athena::WorkGroup")
    settings = render(workgroup["WorkGroupConfiguration"])
    assert settings["EngineVersion"] == {"SelectedEngineVersion": "Athena engine version 3"}
    assert settings["EnforceWorkGroupConfiguration"] is True
    assert settings["PublishCloudWatchMetricsEnabled"] is True
    assert settings["BytesScannedCutoffPerQuery"] == (
        synthesized.config.pipeline.bytes_scanned_cutoff
    )
    results = settings["ResultConfiguration"]
    assert results["EncryptionConfiguration"] == {"EncryptionOption": "SSE_S3"}
    assert results["OutputLocation"].startswith(
        f"s3://stock-analytics-{synthesized.config.name}-athena-results-"
    )


def test_runs_start_on_schedule_and_on_raw_uploads(synthesized: Synthesized) -> None:
    template = synthesized.template("pipeline")
    rules = [render(r) for r in resources(synthesized.pipeline, "AWS::Events::Rule")]
    schedule = [r for r in rules if "ScheduleExpression" in r]
    upload = [r for r in rules if r.get("EventPattern", {}).get("source") == ["aws.s3"]]
    assert [r["ScheduleExpression"] for r in schedule] == [synthesized.config.pipeline.schedule]
    assert len(upload) == 1
    pattern = upload[0]["EventPattern"]
    assert pattern["source"] == ["aws.s3"]
    assert pattern["detail-type"] == ["Object Created"]
    assert pattern["detail"]["object"] == {"key": [{"prefix": "raw/"}]}
    workflow = only(synthesized.pipeline, "AWS::Glue::Workflow")["Name"]
    for rule in schedule + upload:
        (target,) = rule["Targets"]
        assert target["Arn"].endswith(f":workflow/{workflow}")
    template.has_resource_properties(
        "AWS::Glue::Trigger",
        {
            "Type": "EVENT",
            "WorkflowName": workflow,
            "Actions": [{"JobName": _job(synthesized)["Name"]}],
        },
    )


def test_sample_upload_is_a_config_switch(dev: Synthesized, prod: Synthesized) -> None:
    assert dev.config.pipeline.deploy_sample
    assert not prod.config.pipeline.deploy_sample
    (upload,) = resources(dev.pipeline, "Custom::CDKBucketDeployment")
    assert render(upload["DestinationBucketKeyPrefix"]) == "raw/sample/"
    assert resources(prod.pipeline, "Custom::CDKBucketDeployment") == []


def test_glue_logs_and_bookmarks_are_encrypted_with_a_rotating_key(
    synthesized: Synthesized,
) -> None:
    job = _job(synthesized)
    security = only(synthesized.pipeline, "AWS::Glue::SecurityConfiguration")
    assert job["SecurityConfiguration"] == security["Name"]
    encryption = security["EncryptionConfiguration"]
    key_id = encryption["CloudWatchEncryption"]["KmsKeyArn"]["Fn::GetAtt"][0]
    key_arn = {"Fn::GetAtt": [key_id, "Arn"]}
    assert encryption["CloudWatchEncryption"] == {
        "CloudWatchEncryptionMode": "SSE-KMS",
        "KmsKeyArn": key_arn,
    }
    assert encryption["JobBookmarksEncryption"] == {
        "JobBookmarksEncryptionMode": "CSE-KMS",
        "KmsKeyArn": key_arn,
    }
    key = synthesized.pipeline["Resources"][key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    (logs_grant,) = [
        s
        for s in render(key["KeyPolicy"]["Statement"])
        if s.get("Sid") == "GlueLogGroupsEncryptWithThisKey"
    ]
    assert logs_grant["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs_grant["Condition"] == {
        "ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": "arn:${AWS::Partition}:logs:us-east-1:"
            "${AWS::AccountId}:log-group:/aws-glue/*"
        }
    }
    role_id = job["Role"]["Fn::GetAtt"][0]
    by_sid = {s["Sid"]: s for s in policy_statements(synthesized.pipeline, role_id)}
    assert by_sid["UseLogAndBookmarkKey"]["Resource"] == "${" + key_id + ".Arn}"
