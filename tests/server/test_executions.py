"""Launched executions: a count fixed at launch, a failure numbered as the count numbers it, Stop."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from browser.lab import start_lab
from conftest import write_notebook
from server.conftest import Client, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbtrack-server")]

API = "/nbtrack/api"


@pytest.fixture(scope="module")
def launcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Client]:
    base = tmp_path_factory.mktemp("executions")
    root = base / "root"
    write_notebook(root / "slow.ipynb", ["import time", "time.sleep(120)", "done = True"], parameters="C = 1.0")
    write_notebook(root / "bad.ipynb", ["x = C", "raise ValueError('boom')", "never = True"], parameters="C = 1.0")
    server = start_lab(root, base / "store", home=base / "home", app="server")
    try:
        yield Client(server)
    finally:
        server.stop()


def launch(client: Client, notebook: str, params: dict[str, Any]) -> dict[str, Any]:
    reply = client.request("POST", f"{API}/executions", {"notebook": notebook, "params": params})
    assert reply.status == 201, reply.body
    return reply.json()


def test_a_stopped_execution_ends_its_run_as_killed(launcher: Client) -> None:
    client = launcher
    started = launch(client, "slow.ipynb", {"C": 2.0})
    path = f"{API}/executions/{started['id']}"
    # the notebook's code cells as written: parameters and three (injected and autolog not counted)
    assert started["cells_total"] == 4
    seen = wait_for(lambda: (b := client.request("GET", path).json())["cells_done"] >= 2 and b, timeout=120)
    assert seen["cells_total"] == 4 and seen["state"] == "running"
    reply = client.request("DELETE", path)
    assert reply.status == 200, reply.body
    stopped = reply.json()
    assert stopped["state"] == "killed" and stopped["run"]["status"] == "killed"
    # stopped in time.sleep: cell 3 of 4, and the stored run says the same cell
    assert stopped["failed_cell"] == 3 == stopped["run"]["error"]["cell"] and stopped["cells_total"] == 4
    assert client.request("GET", path).json()["state"] == "killed"
    assert client.request("DELETE", path).json()["state"] == "killed"  # stopping twice changes nothing


def test_a_failed_execution_names_the_cell_the_count_names(launcher: Client) -> None:
    client = launcher
    started = launch(client, "bad.ipynb", {})
    path = f"{API}/executions/{started['id']}"
    assert started["cells_total"] == 4  # parameters and three cells, as written
    done = wait_for(lambda: (b := client.request("GET", path).json())["state"] != "running" and b, timeout=120)
    assert done["state"] == "failed" and done["run"]["error"]["ename"] == "ValueError"
    assert done["failed_cell"] == 3 == done["run"]["error"]["cell"]  # raise is the third code cell
    assert done["cells_done"] == 3 and done["cells_total"] == 4


def test_stopping_an_unknown_execution_is_a_404(launcher: Client) -> None:
    reply = launcher.request("DELETE", f"{API}/executions/abc123")
    assert reply.status == 404 and "no execution" in reply.json()["message"]


def test_stop_needs_credentials_and_xsrf_with_a_cookie(launcher: Client) -> None:
    client = launcher
    started = launch(client, "slow.ipynb", {})
    path = f"{API}/executions/{started['id']}"
    assert client.request("DELETE", path, token=False).status == 403
    cookies, xsrf = client.cookie_session()
    assert client.request("DELETE", path, token=False, headers={"Cookie": cookies}).status == 403
    assert client.request("GET", path).json()["state"] == "running"  # neither refusal stopped it
    allowed = client.request("DELETE", path, token=False, headers={"Cookie": cookies, "X-XSRFToken": xsrf})
    assert allowed.status == 200 and allowed.json()["state"] == "killed"
