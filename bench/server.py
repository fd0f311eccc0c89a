"""A real `policykg serve` on a free loopback port for the benchmarks: started over a store,
waited for until ``ready`` answers 200, stopped when the block ends."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

POLICYKG = Path(sys.executable).parent / "policykg"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(store: Path, env: dict[str, str] | None = None, ready: str = "/api/settings", wait: float = 60) -> Iterator[str]:
    """Serve ``store`` (with these extra environment variables) and yield the base URL."""
    port = free_port()
    server = subprocess.Popen([str(POLICYKG), "serve", "--store", str(store), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}{ready}", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if server.poll() is not None:
                    raise RuntimeError(f"policykg serve exited with {server.returncode}") from None
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
