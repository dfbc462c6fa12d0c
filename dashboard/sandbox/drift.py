"""Balance drift: the sandbox reports an IBAN's balance off by an amount no transaction explains.

So a reconciliation difference can be produced on purpose, in tests and demos:
- `POST /__sandbox__/drift` `{"iban_id": 1, "amount": "-150.25"}` (loopback only) adds to that
  IBAN's drift; `GET /__sandbox__/drift` lists every drift. Amounts are lira as text (or an integer),
  at most two decimals, never a float.
- `python -m dashboard.sandbox drift --iban-id 1 --amount -150.25 [--url http://127.0.0.1:8765]`.
- `request_drift(root_url, iban_id, amount)`: the same call, for the console's sandbox control.
"""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation

import httpx
from starlette.requests import Request
from starlette.responses import Response

from dashboard.money import from_kurus, to_kurus

PATH = "/__sandbox__/drift"
MAX_KURUS = 10**13  # 100 billion lira: nothing real drifts further


class DriftError(ValueError):
    """A drift that cannot be applied; the message says why."""


def parse_drift(body: dict) -> tuple[int, int]:
    """(iban_id, kuruş) from a request body; DriftError when either is missing or not exact."""
    iban_id, amount = body.get("iban_id"), body.get("amount")
    if isinstance(iban_id, bool) or not isinstance(iban_id, int):
        raise DriftError("iban_id must be an integer")
    if isinstance(amount, bool) or not isinstance(amount, (str, int)):
        raise DriftError('amount must be lira as text (e.g. "-150.25") or an integer')
    try:
        kurus = to_kurus(Decimal(str(amount).strip()))
    except (InvalidOperation, ValueError):
        raise DriftError("amount must be a number of lira with at most two decimals") from None
    if kurus == 0 or abs(kurus) >= MAX_KURUS:
        raise DriftError("amount must not be zero and must be below 100 billion lira")
    return iban_id, kurus


def _listing(drifts: dict[int, int]) -> list[dict]:
    return [{"iban_id": i, "drift": f"{from_kurus(k)}"} for i, k in sorted(drifts.items())]


async def get_drift(request: Request, state) -> Response:
    from dashboard.sandbox.server import JSON

    return JSON({"success": True, "data": _listing(state.drifts())})


async def post_drift(request: Request, state) -> Response:
    from dashboard.sandbox.server import JSON, fail, json_body

    try:
        iban_id, kurus = parse_drift(await json_body(request))
        state.drift(iban_id, kurus)
    except DriftError as exc:
        return fail(422, str(exc))
    except KeyError:
        return fail(404, "IBAN not found")
    return JSON({"success": True, "data": _listing(state.drifts())})


def request_drift(root_url: str, iban_id: int, amount: Decimal, *, timeout: float = 10.0) -> list[dict]:
    """Ask a sandbox (on loopback) to drift an IBAN's balance; its drifts after. DriftError if refused."""
    response = httpx.post(
        root_url.rstrip("/") + PATH, json={"iban_id": iban_id, "amount": str(amount)}, timeout=timeout
    )
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    if response.status_code != 200 or not body.get("success"):
        raise DriftError(body.get("message") or f"the sandbox answered HTTP {response.status_code}")
    return body["data"]


def cli(argv: list[str]) -> int:
    """`python -m dashboard.sandbox drift ...`: print the drifts after, or why it was refused."""
    p = argparse.ArgumentParser(prog="python -m dashboard.sandbox drift", description=__doc__.splitlines()[0])
    p.add_argument("--url", default="http://127.0.0.1:8765", help="the sandbox's root URL")
    p.add_argument("--iban-id", type=int, required=True)
    p.add_argument("--amount", required=True, help="lira, e.g. -150.25 (added to the IBAN's drift)")
    args = p.parse_args(argv)
    try:
        amount = Decimal(args.amount)
        drifts = request_drift(args.url, args.iban_id, amount)
    except (InvalidOperation, DriftError, httpx.HTTPError) as exc:
        print(f"drift refused: {exc}")
        return 1
    for row in drifts:
        print(f"IBAN {row['iban_id']}: drift {row['drift']} TRY")
    return 0
