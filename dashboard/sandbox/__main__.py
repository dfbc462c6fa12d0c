"""`python -m dashboard.sandbox --port 8765`: serve the sandbox until Ctrl+C.

`python -m dashboard.sandbox drift --iban-id 1 --amount -150.25`: drift a running sandbox's balance."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from dashboard.sandbox.config import SANDBOX_API_KEY, SANDBOX_SECRET_KEY, SandboxConfig, request_hash
from dashboard.sandbox.faults import API_PREFIX, Faults
from dashboard.sandbox.runner import bind_socket, server_config
from dashboard.sandbox.server import create_app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m dashboard.sandbox", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    data = p.add_argument_group("demo data")
    data.add_argument("--seed", type=int, default=42)
    data.add_argument("--ibans", type=int, default=5)
    data.add_argument("--transactions", type=int, default=30_000)
    data.add_argument("--days", type=int, default=365)
    data.add_argument("--per-page", type=int, default=1000)
    data.add_argument("--tz", default="Europe/Istanbul")
    behaviour = p.add_argument_group("behaviour")
    behaviour.add_argument("--no-credit-card", action="store_true", help="settings say Pasif; card payments 403")
    behaviour.add_argument("--processing-after", type=float, default=2.0)
    behaviour.add_argument("--settle-after", type=float, default=6.0)
    behaviour.add_argument("--failure-rate", type=float, default=0.1)
    behaviour.add_argument("--callback-url", default=None)
    faults = p.add_argument_group("faults")
    faults.add_argument("--latency-ms", type=float, default=0.0)
    faults.add_argument("--error-rate", type=float, default=0.0)
    faults.add_argument("--rate-limit-every", type=int, default=0)
    faults.add_argument("--retry-after", type=int, default=1, dest="retry_after_seconds")
    faults.add_argument("--malformed-rate", type=float, default=0.0)
    faults.add_argument("--hang-path", action="append", default=[], dest="hang_paths", help="e.g. /ibans (repeatable)")
    faults.add_argument("--hang-seconds", type=float, default=30.0)
    faults.add_argument("--fault-path", action="append", default=[], dest="paths", help="limit faults to (repeatable)")
    return p.parse_args(argv)


def config_from_args(args: argparse.Namespace) -> SandboxConfig:
    faults = Faults(
        latency_ms=args.latency_ms,
        error_rate=args.error_rate,
        rate_limit_every=args.rate_limit_every,
        retry_after_seconds=args.retry_after_seconds,
        malformed_rate=args.malformed_rate,
        hang_paths=tuple(args.hang_paths),
        hang_seconds=args.hang_seconds,
        paths=tuple(args.paths),
    )
    return SandboxConfig(
        seed=args.seed,
        ibans=args.ibans,
        transactions=args.transactions,
        days=args.days,
        per_page=args.per_page,
        tz=args.tz,
        credit_card_enabled=not args.no_credit_card,
        processing_after=args.processing_after,
        settle_after=args.settle_after,
        failure_rate=args.failure_rate,
        callback_url=args.callback_url,
        faults=faults,
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["drift"]:
        from dashboard.sandbox.drift import cli

        raise SystemExit(cli(argv[1:]))
    args = parse_args(argv)
    config = config_from_args(args)
    app = create_app(config)
    sock = bind_socket(args.host, args.port)
    host = f"[{args.host}]" if ":" in args.host else args.host
    root = f"http://{host}:{sock.getsockname()[1]}"
    # The demo credentials are public sandbox values, printed so a person can point the console here.
    print(f"EnigmaPay sandbox: {root}{API_PREFIX}", flush=True)
    print(f"  API key:    {SANDBOX_API_KEY}\n  Secret key: {SANDBOX_SECRET_KEY}", flush=True)
    print(f"  X-Hash:     {request_hash(SANDBOX_API_KEY, SANDBOX_SECRET_KEY)}", flush=True)
    print(f"  controls:   {root}/__sandbox__/health, /stats, /faults, /callback-url, /callbacks, /drift", flush=True)
    uvicorn.Server(server_config(app)).run(sockets=[sock])


if __name__ == "__main__":
    main()
