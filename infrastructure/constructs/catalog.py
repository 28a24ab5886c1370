"""The Glue Data Catalog database and one table per warehouse table.

The tables come from `etl.tables.TABLES`, the one declaration of the schema.
Every table is partitioned by `dataset_version` (the ETL run that wrote it,
`<table>/dataset_version=<run_id>/`), projected as `injected`: a query must
name its version with a static equality, and Athena reads that one prefix.
Tables partitioned by `year` project it too (an integer range), so Athena
prunes from the query's predicate without a crawler or MSCK REPAIR.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_glue as glue
from constructs import Construct

from etl.tables import TABLES, VERSION_KEY, VERSION_PARTITION, Column, Table
from infrastructure.naming import BucketName

WAREHOUSE_PREFIX = "warehouse/"
PARQUET_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"


class WarehouseCatalog(Construct):
    """Registers the warehouse under `s3://<bucket>/warehouse/` in the catalog."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        database_name: str,
        warehouse_bucket: BucketName,
        partition_years: tuple[int, int],
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.database_name = database_name
        self.warehouse_uri = warehouse_bucket.uri(WAREHOUSE_PREFIX)
        database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=database_name,
                description="Stock analytics warehouse: Parquet tables built by the ETL job.",
                location_uri=self.warehouse_uri,
            ),
        )
        self.table_names = tuple(table.name for table in TABLES)
        for table in TABLES:
            glue_table = glue.CfnTable(
                self,
                _construct_id(table),
                catalog_id=stack.account,
                database_name=database_name,
                table_input=self._table_input(table, partition_years),
            )
            glue_table.add_resource_dependency(database)
        self.catalog_arn = stack.format_arn(service="glue", resource="catalog")
        self.database_arn = stack.format_arn(
            service="glue", resource="database", resource_name=database_name
        )
        self.table_arns = tuple(
            stack.format_arn(
                service="glue", resource="table", resource_name=f"{database_name}/{name}"
            )
            for name in self.table_names
        )

    def _table_input(
        self, table: Table, partition_years: tuple[int, int]
    ) -> glue.CfnTable.TableInputProperty:
        location = f"{self.warehouse_uri}{table.name}/"
        parameters = {
            "classification": "parquet",
            "EXTERNAL": "TRUE",
            "parquet.compression": "SNAPPY",
        }
        parameters.update(_projection(table, location, partition_years))
        return glue.CfnTable.TableInputProperty(
            name=table.name,
            description=table.comment,
            table_type="EXTERNAL_TABLE",
            parameters=parameters,
            partition_keys=[_glue_column(column) for column in _partition_keys(table)],
            storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                location=location,
                input_format=PARQUET_INPUT_FORMAT,
                output_format=PARQUET_OUTPUT_FORMAT,
                serde_info=glue.CfnTable.SerdeInfoProperty(
                    serialization_library=PARQUET_SERDE,
                    parameters={"serialization.format": "1"},
                ),
                columns=[_glue_column(column) for column in table.columns],
            ),
        )


def _partition_keys(table: Table) -> tuple[Column, ...]:
    """`dataset_version` outermost, as the ETL lays the files out, then the table's own."""
    return (VERSION_PARTITION, *table.partition_keys)


def _projection(table: Table, location: str, partition_years: tuple[int, int]) -> dict[str, str]:
    if table.partition_names not in ((), ("year",)):
        raise ValueError(
            f"table {table.name}: partition projection is set up for `year` only, "
            f"not {table.partition_names}"
        )
    template = f"{location}{VERSION_KEY}=${{{VERSION_KEY}}}/"
    parameters = {
        "projection.enabled": "true",
        f"projection.{VERSION_KEY}.type": "injected",
    }
    if table.partition_names:
        first, last = partition_years
        parameters["projection.year.type"] = "integer"
        parameters["projection.year.range"] = f"{first},{last}"
        template += "year=${year}/"
    return {**parameters, "storage.location.template": template}


def _glue_column(column: Column) -> glue.CfnTable.ColumnProperty:
    return glue.CfnTable.ColumnProperty(name=column.name, type=column.type, comment=column.comment)


def _construct_id(table: Table) -> str:
    return "".join(part.capitalize() for part in table.name.split("_")) + "Table"
