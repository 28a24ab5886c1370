"""`stock-analytics serve` for real (uvicorn in a subprocess): every stderr line is JSON,
each request's line carries the id the response header names, and behind a trusted
proxy the client is the address the proxy saw, not one the client wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from testsupport.servers import announced_url

START_SECONDS = 30.0


def test_the_server_logs_json_lines(tiny_warehouse: Path) -> None:
    command = Path(sys.executable).parent / "stock-analytics"
    process = subprocess.Popen(
        [str(command), "serve", "--warehouse", str(tiny_warehouse), "--port", "0"],
        # As in AWS (FORWARDED_ALLOW_IPS is the VPC's range there): the proxy is trusted.
        env={
            **os.environ,
            "STOCK_ANALYTICS_LOG_LEVEL": "info",
            "FORWARDED_ALLOW_IPS": "127.0.0.0/8",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = announced_url(process)
        with httpx.Client(base_url=url, timeout=5) as client:
            for _ in range(int(START_SECONDS / 0.1)):
                try:
                    client.get("/health")
                    break
                except httpx.TransportError:
                    if process.poll() is not None:
                        break
                    time.sleep(0.1)
            response = client.post(
                "/graphql",
                json={"query": "query Day { mostValuableDay { date } }"},
                # A forged first entry, then the address the (trusted) proxy appended.
                headers={"X-Request-ID": "served-1", "X-Forwarded-For": "6.6.6.6, 203.0.113.9"},
            )
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=15)
    assert response.headers["x-request-id"] == "served-1"
    lines = [json.loads(line) for line in stderr.splitlines() if line.strip()]
    [logged] = [line for line in lines if line.get("request_id") == "served-1"]
    assert (logged["logger"], logged["operation"], logged["status"]) == (
        "graphql_api.access",
        "Day",
        200,
    )
    assert logged["client"] == "203.0.113.9"
    assert any(line["logger"].startswith("uvicorn") for line in lines)
