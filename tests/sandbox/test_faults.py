"""Injected faults over HTTP: each kind, the paths filter, runtime changes, overlap and shutdown."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import orjson
import pytest

from dashboard.sandbox import Faults, auth_headers


def admin(srv) -> httpx.Client:
    return httpx.Client(base_url=srv.root_url, trust_env=False)


def test_error_rate_answers_500(make_sandbox, http_client):
    api = http_client(make_sandbox(faults=Faults(error_rate=1.0)))
    response = api.get("/settings")
    assert response.status_code == 500
    assert response.json() == {"success": False, "message": "Server Error"}


def test_partial_error_rate_is_deterministic(make_sandbox, http_client):
    runs = []
    for _ in range(2):
        api = http_client(make_sandbox(faults=Faults(error_rate=0.3)))
        runs.append([api.get("/settings").status_code for _ in range(40)])
    assert runs[0] == runs[1]
    assert 4 <= runs[0].count(500) <= 20 and set(runs[0]) == {200, 500}


def test_rate_limit_every_nth_request_with_retry_after(make_sandbox, http_client):
    api = http_client(make_sandbox(faults=Faults(rate_limit_every=3, retry_after_seconds=2)))
    responses = [api.get("/ibans") for _ in range(6)]
    assert [r.status_code for r in responses] == [200, 200, 429, 200, 200, 429]
    assert responses[2].headers["retry-after"] == "2"
    assert responses[2].json()["success"] is False


def test_malformed_rate_answers_200_with_broken_json(make_sandbox, http_client):
    api = http_client(make_sandbox(faults=Faults(malformed_rate=1.0)))
    response = api.get("/ibans")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(response.content)


def test_paths_filter_limits_faults_to_some_endpoints(make_sandbox, http_client):
    api = http_client(make_sandbox(faults=Faults(error_rate=1.0, paths=("/api/dealer/settings",))))
    assert api.get("/settings").status_code == 500
    assert api.get("/ibans").status_code == 200


def test_hang_times_out_the_client(make_sandbox, http_client):
    srv = make_sandbox(faults=Faults(hang_paths=("ibans",), hang_seconds=60))
    api = http_client(srv, timeout=0.5)
    assert api.get("/settings").status_code == 200  # other endpoints answer
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        api.get("/ibans")
    assert time.monotonic() - started < 2


def test_stop_does_not_wait_for_hanging_requests(make_sandbox):
    srv = make_sandbox(faults=Faults(hang_paths=("/ibans",), hang_seconds=60))
    outcome: list[object] = []

    def patient() -> None:
        with httpx.Client(base_url=srv.base_url, headers=auth_headers(), trust_env=False, timeout=30) as client:
            try:
                outcome.append(client.get("/ibans").status_code)
            except httpx.HTTPError as exc:
                outcome.append(exc)

    waiting = threading.Thread(target=patient)
    waiting.start()
    time.sleep(0.3)  # the request is now hanging inside the server
    assert not outcome
    started = time.monotonic()
    srv.stop()
    waiting.join(5)
    assert time.monotonic() - started < 3
    assert not srv.thread.is_alive() and len(outcome) == 1
    assert outcome[0] == 503 or isinstance(outcome[0], httpx.HTTPError)


def test_latency_overlaps_under_concurrency(make_sandbox):
    srv = make_sandbox(faults=Faults(latency_ms=200))

    async def burst() -> tuple[float, list[int]]:
        async with httpx.AsyncClient(base_url=srv.base_url, headers=auth_headers(), trust_env=False) as client:
            started = time.monotonic()
            responses = await asyncio.gather(*(client.get("/settings") for _ in range(20)))
            return time.monotonic() - started, [r.status_code for r in responses]

    elapsed, statuses = asyncio.run(burst())
    assert statuses == [200] * 20
    assert 0.2 <= elapsed < 1.0, elapsed  # serial would take 4 s


def test_faults_change_at_runtime(make_sandbox, http_client):
    srv = make_sandbox()
    api = http_client(srv)
    with admin(srv) as control:
        assert control.put("/__sandbox__/faults", json={"error_rate": 2}).status_code == 422
        assert control.put("/__sandbox__/faults", json={"bogus": 1}).status_code == 422
        answer = control.put("/__sandbox__/faults", json={"error_rate": 1.0, "paths": ["/settings"]})
        assert answer.json()["data"]["paths"] == ["/settings"]
        assert api.get("/settings").status_code == 500
        assert control.get("/__sandbox__/faults").json()["data"]["error_rate"] == 1.0
        control.put("/__sandbox__/faults", json={})  # back to healthy
        assert api.get("/settings").status_code == 200
    srv.state.set_faults(Faults(rate_limit_every=1))
    assert api.get("/settings").status_code == 429


def test_faults_apply_before_auth(make_sandbox, http_client):
    api = http_client(make_sandbox(faults=Faults(error_rate=1.0)), headers={})
    assert api.get("/settings").status_code == 500  # the provider's gateway fails before it checks keys
