"""Run the chat demo: ``python -m examples.chat [--host HOST] [--port PORT]``."""

from __future__ import annotations

import argparse

import uvicorn

from examples.chat.app import app


def main(argv: list[str] | None = None) -> None:
    """Serve the chat app under uvicorn, printing where to connect."""
    parser = argparse.ArgumentParser(prog="python -m examples.chat", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    args = parser.parse_args(argv)
    print(
        f"typedws chat demo: open http://{args.host}:{args.port}/ in a browser"
        f" (WebSocket at ws://{args.host}:{args.port}/ws); Ctrl+C stops it",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
