"""The example app, run locally by the CLI, tested over HTTP from pytest.

The CLI writes its URLs and its pid to a ready file, `wait-idle` returns once every view has
applied what was appended, and SIGINT to that pid (Ctrl-C) stops it. CDK_ES_API_CLI names the CLI's npm package
(default: cdk-event-sourced-api-cli; CI points it at the packed tarball).
"""
import json
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

APP_DIR = Path(__file__).resolve().parent.parent
CLI = ["npx", "--yes", f"--package={os.environ.get('CDK_ES_API_CLI', 'cdk-event-sourced-api-cli')}", "--", "cdk-event-sourced-api"]


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Starts the runtime on the app; yields the ready file's content; stops it."""
    ready_file = tmp_path_factory.mktemp("local") / "ready.json"
    # In a session of its own, so that a failed start can be cleaned up as a whole.
    cli = subprocess.Popen(
        [*CLI, "local", "--app", "python3 app.py", "--ready-file", str(ready_file)],
        cwd=APP_DIR,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240  # the first npx run installs the CLI
        while not ready_file.exists():
            assert cli.poll() is None, f"the CLI exited ({cli.returncode}) before it was ready"
            assert time.monotonic() < deadline, "the CLI was not ready within 240 s"
            time.sleep(0.2)
        ready: dict[str, Any] = json.loads(ready_file.read_text())
    except BaseException:
        os.killpg(cli.pid, signal.SIGKILL)
        raise
    yield ready
    # Ctrl-C to the CLI itself (npx exits with it): it stops the runtime and removes the file.
    os.kill(ready["pid"], signal.SIGINT)
    assert cli.wait(timeout=60) == 0
    assert not ready_file.exists()


def request(method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as response:
        return response.status, json.loads(response.read())


def wait_idle(local: dict[str, Any]) -> None:
    subprocess.run([*CLI, "wait-idle", "--local", local["operatorUrl"], "--timeout", "30"], check=True)


def test_an_order_reaches_both_views(local: dict[str, Any]) -> None:
    url = local["url"]
    status, event = request("POST", f"{url}/", {"type": "CustomerRegistered", "id": "c-1", "name": "Ada"})
    assert status == 201 and event["version"] == 1
    request("POST", f"{url}/", {"type": "OrderPlaced", "id": "c-1", "amountCents": 1250})
    wait_idle(local)
    assert request("GET", f"{url}/c-1")[1] == {"id": "c-1", "version": 2, "name": "Ada", "status": "active"}
    summary = request("GET", f"{url}/summary/c-1")[1]
    assert (summary["version"], summary["orders"], summary["totalCents"]) == (2, 1, 1250)
