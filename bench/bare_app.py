"""The floor for the API benchmark: a bare FastAPI app that answers fixed JSON bytes.

One POST route per benchmarked query, `/bare/<name>`, returns exactly the bytes
the GraphQL server answered for that query (captured by bench/api_bench.py), with
the same content type, and does nothing else. Served by uvicorn with one worker,
like `stock-analytics serve`; with `--access-log`, uvicorn writes its access log line
for each request to stderr (the bare app's counterpart of the API's JSON request log).

    python -m bench.bare_app --bodies BODIES.json [--port 8001] [--access-log]

It prints its address once it listens (on a free port unless --port is given).
"""

from __future__ import annotations

import argparse
import copy
import json
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Response
from uvicorn.config import LOGGING_CONFIG


def create_bare_app(bodies: dict[str, bytes]) -> FastAPI:
    app = FastAPI()
    for name, body in bodies.items():
        app.add_api_route(f"/bare/{name}", _answer(body), methods=["POST"])
    return app


def _answer(body: bytes) -> Callable[[], Awaitable[Response]]:
    async def answer() -> Response:
        return Response(content=body, media_type="application/json")

    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bodies", type=Path, required=True, help="JSON: name -> body text")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--access-log", action="store_true", help="uvicorn's access log on")
    args = parser.parse_args()
    texts: dict[str, str] = json.loads(args.bodies.read_text())
    app = create_bare_app({name: text.encode() for name, text in texts.items()})
    listening = socket.create_server(("127.0.0.1", args.port))
    print(f"bare app: http://127.0.0.1:{listening.getsockname()[1]}/bare", flush=True)
    if args.access_log:
        # uvicorn's own logging, its access lines on stderr (stdout announced the address)
        log_config = copy.deepcopy(LOGGING_CONFIG)
        log_config["handlers"]["access"]["stream"] = "ext://sys.stderr"
        config = uvicorn.Config(app, log_level="info", access_log=True, log_config=log_config)
    else:
        config = uvicorn.Config(app, log_level="warning")
    uvicorn.Server(config).run(sockets=[listening])


if __name__ == "__main__":
    main()
