"""The `stock-analytics` command line: ETL, API server and demo."""
