"""Running the sandbox: stats and health controls, the loopback guard, the CLI, start and stop."""

from __future__ import annotations

import asyncio

import httpx

from dashboard.sandbox import Faults, SandboxConfig, create_app
from dashboard.sandbox.__main__ import config_from_args, parse_args


def test_base_and_root_urls(sandbox):
    assert sandbox.root_url == f"http://127.0.0.1:{sandbox.port}"
    assert sandbox.base_url == sandbox.root_url + "/api/dealer"
    with httpx.Client(trust_env=False) as client:
        health = client.get(sandbox.root_url + "/__sandbox__/health").json()
    assert health["success"] is True and health["data"]["transactions"] == 3_000
    assert health["data"]["anchor"] == "2026-11-20T12:00:00+03:00"


def test_stats_count_calls_per_endpoint_and_reset(make_sandbox, http_client):
    srv = make_sandbox()
    api = http_client(srv)
    for _ in range(3):
        api.get("/settings")
    api.get("/ibans")
    api.get("/transactions", params={"iban_id": 1})
    api.post("/send-money", json={})
    http_client(srv, headers={}).get("/ibans")  # refused calls count too: the client made them
    with httpx.Client(base_url=srv.root_url, trust_env=False) as control:
        stats = control.get("/__sandbox__/stats").json()
        assert stats == {
            "calls": {"GET /settings": 3, "GET /ibans": 2, "GET /transactions": 1, "POST /send-money": 1},
            "total": 7,
        }
        assert srv.state.call_counts() == stats["calls"]
        assert control.post("/__sandbox__/stats/reset").json() == {"success": True}
        assert control.get("/__sandbox__/stats").json() == {"calls": {}, "total": 0}


def test_controls_refuse_non_loopback_clients():
    app = create_app(SandboxConfig(transactions=100))

    async def status(client_host: str, method: str, path: str) -> int:
        transport = httpx.ASGITransport(app=app, client=(client_host, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            return (await client.request(method, path, json={})).status_code

    assert asyncio.run(status("203.0.113.9", "GET", "/__sandbox__/stats")) == 403
    assert asyncio.run(status("203.0.113.9", "PUT", "/__sandbox__/faults")) == 403
    assert asyncio.run(status("127.0.0.1", "GET", "/__sandbox__/stats")) == 200


def test_credit_card_switch_at_runtime(make_sandbox, http_client):
    srv = make_sandbox()
    with httpx.Client(base_url=srv.root_url, trust_env=False) as control:
        control.put("/__sandbox__/credit-card", json={"enabled": False})
    assert http_client(srv).get("/settings").json()["data"]["credit_card"]["status"] == "Pasif"


def test_cli_flags_build_the_config():
    args = parse_args(
        [
            "--port",
            "0",
            "--seed",
            "3",
            "--transactions",
            "500",
            "--no-credit-card",
            "--callback-url",
            "http://127.0.0.1:9/cb",
            "--latency-ms",
            "50",
            "--rate-limit-every",
            "4",
            "--hang-path",
            "/ibans",
            "--fault-path",
            "ibans",
        ]
    )
    config = config_from_args(args)
    assert (config.seed, config.transactions, config.credit_card_enabled) == (3, 500, False)
    assert config.callback_url == "http://127.0.0.1:9/cb"
    assert config.faults == Faults(latency_ms=50, rate_limit_every=4, hang_paths=("/ibans",), paths=("/ibans",))
