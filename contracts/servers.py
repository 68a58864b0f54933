"""Server types of ODCS v3.1 and the fields each accepts (from the official JSON Schema).

A ``Server`` keeps these type-specific fields as extras; ``lint`` checks them against this table.
"""

from __future__ import annotations

__all__ = ["SERVER_FIELDS", "SERVER_TYPES"]

# type -> (field -> JSON type ("string" | "integer"), required fields)
SERVER_FIELDS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "api": ({"location": "string"}, ("location",)),
    "athena": (
        {"stagingDir": "string", "schema": "string", "catalog": "string", "regionName": "string"},
        ("stagingDir", "schema"),
    ),
    "azure": ({"location": "string", "format": "string", "delimiter": "string"}, ("location", "format")),
    "bigquery": ({"project": "string", "dataset": "string"}, ("project", "dataset")),
    "clickhouse": ({"host": "string", "port": "integer", "database": "string"}, ("host", "port", "database")),
    "databricks": ({"host": "string", "catalog": "string", "schema": "string"}, ("catalog", "schema")),
    "denodo": ({"host": "string", "port": "integer", "database": "string"}, ("host", "port")),
    "dremio": ({"host": "string", "port": "integer", "schema": "string"}, ("host", "port")),
    "duckdb": ({"database": "string", "schema": "string"}, ("database",)),
    "glue": (
        {"account": "string", "database": "string", "location": "string", "format": "string"},
        ("account", "database"),
    ),
    "cloudsql": (
        {"host": "string", "port": "integer", "database": "string", "schema": "string"},
        ("host", "port", "database", "schema"),
    ),
    "db2": (
        {"host": "string", "port": "integer", "database": "string", "schema": "string"},
        ("host", "port", "database"),
    ),
    "hive": ({"host": "string", "port": "integer", "database": "string"}, ("host", "database")),
    "impala": ({"host": "string", "port": "integer", "database": "string"}, ("host", "database")),
    "informix": ({"host": "string", "port": "integer", "database": "string"}, ("host", "database")),
    "zen": ({"host": "string", "port": "integer", "database": "string"}, ("host", "database")),
    "custom": (
        {
            "account": "string",
            "catalog": "string",
            "database": "string",
            "dataset": "string",
            "delimiter": "string",
            "endpointUrl": "string",
            "format": "string",
            "host": "string",
            "location": "string",
            "path": "string",
            "port": "integer",
            "project": "string",
            "region": "string",
            "regionName": "string",
            "schema": "string",
            "serviceName": "string",
            "stagingDir": "string",
            "warehouse": "string",
            "stream": "string",
        },
        (),
    ),
    "kafka": ({"host": "string", "format": "string"}, ("host",)),
    "kinesis": ({"region": "string", "format": "string"}, ()),
    "local": ({"path": "string", "format": "string"}, ("path", "format")),
    "mysql": ({"host": "string", "port": "integer", "database": "string"}, ("host", "port", "database")),
    "oracle": (
        {"host": "string", "port": "integer", "serviceName": "string"},
        ("host", "port", "serviceName"),
    ),
    "postgresql": (
        {"host": "string", "port": "integer", "database": "string", "schema": "string"},
        ("host", "port", "database", "schema"),
    ),
    "postgres": (
        {"host": "string", "port": "integer", "database": "string", "schema": "string"},
        ("host", "port", "database", "schema"),
    ),
    "presto": ({"host": "string", "catalog": "string", "schema": "string"}, ("host",)),
    "pubsub": ({"project": "string"}, ("project",)),
    "redshift": (
        {"host": "string", "database": "string", "schema": "string", "region": "string", "account": "string"},
        ("database", "schema"),
    ),
    "s3": (
        {"location": "string", "endpointUrl": "string", "format": "string", "delimiter": "string"},
        ("location",),
    ),
    "sftp": ({"location": "string", "format": "string", "delimiter": "string"}, ("location",)),
    "snowflake": (
        {
            "host": "string",
            "port": "integer",
            "account": "string",
            "database": "string",
            "schema": "string",
            "warehouse": "string",
        },
        ("account", "database", "schema"),
    ),
    "sqlserver": (
        {"host": "string", "port": "integer", "database": "string", "schema": "string"},
        ("host", "database", "schema"),
    ),
    "synapse": ({"host": "string", "port": "integer", "database": "string"}, ("host", "port", "database")),
    "trino": (
        {"host": "string", "port": "integer", "catalog": "string", "schema": "string"},
        ("host", "port", "catalog", "schema"),
    ),
    "vertica": (
        {"host": "string", "port": "integer", "database": "string", "schema": "string"},
        ("host", "port", "database", "schema"),
    ),
}
SERVER_TYPES: tuple[str, ...] = tuple(SERVER_FIELDS)
