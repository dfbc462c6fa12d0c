"""Target 2 (ingest): the API's JSON bytes of 1,000,000 transactions (20 IBANs, paginated as the
sandbox serves them) -> the cached, typed history, in <= 2x `orjson.loads` of the same bytes, with
peak memory <= 2x the final frame.

How: the sandbox serves a year of 1M transactions over 20 IBANs; every page's bytes are fetched
once and kept. The measured path is the console's own: `EnigmaPayClient` (over an
httpx.MockTransport that answers with those stored bytes, so pagination, status checks and
decoding all run, minus the network), `history.fetch.fetch_history`, the function `load_history`
runs on a cache miss (one thread per IBAN converting pages a batch at a time, then the frame built
column by column). Baseline: `orjson.loads` of every stored body.
Memory: peak RSS (VmHWM, reset through /proc/self/clear_refs just before the ingest) minus RSS
before it, against the final frame's `memory_usage(deep=True)`; RSS sees numpy and Arrow buffers,
which tracemalloc does not.
"""

from __future__ import annotations

import argparse
import gc
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import httpx
import orjson

from bench._common import best_of, header, info, ms, peak_mib, quiet, reset_peak, rss_mib, verdict

TZ = "Europe/Istanbul"


def fetch_bodies(transactions: int, ibans: int):
    """{iban_id: [page bytes...]} and the IBAN models, from a sandbox that is stopped afterwards."""
    from dashboard.client import EnigmaPayClient
    from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY, SandboxConfig, run_in_thread

    srv = run_in_thread(SandboxConfig(transactions=transactions, ibans=ibans))
    try:
        with EnigmaPayClient(SANDBOX_API_KEY, SANDBOX_SECRET_KEY, base_url=srv.base_url) as client:
            accounts = client.list_ibans()
            bodies: dict[int, list[bytes]] = {}
            for iban in accounts:
                pages, page = [], 1
                while True:
                    r = client._http.get(client._url("/transactions"), params={"iban_id": iban.id, "page": page})
                    r.raise_for_status()
                    pages.append(r.content)
                    if page >= orjson.loads(r.content)["last_page"]:
                        break
                    page += 1
                bodies[iban.id] = pages
    finally:
        srv.stop()
    return accounts, bodies


def replay_client(bodies: dict[int, list[bytes]]):
    """The console's client, answered from the stored bytes (same URLs, same pagination links)."""
    from dashboard.client import EnigmaPayClient
    from dashboard.sandbox import SANDBOX_API_KEY, SANDBOX_SECRET_KEY

    def handler(request: httpx.Request) -> httpx.Response:
        q = parse_qs(urlsplit(str(request.url)).query)
        pages = bodies[int(q["iban_id"][0])]
        return httpx.Response(
            200, content=pages[int(q.get("page", ["1"])[0]) - 1], headers={"content-type": "application/json"}
        )

    return EnigmaPayClient(
        SANDBOX_API_KEY,
        SANDBOX_SECRET_KEY,
        base_url="http://127.0.0.1:9/api/dealer",
        transport=httpx.MockTransport(handler),
        tz=TZ,
    )


def ingest(client, accounts, workers: int, arrow: bool = True):
    from dashboard import history
    from dashboard.history.fetch import fetch_history

    if arrow:
        frame, _, error = fetch_history(client, accounts, None, None, TZ, workers=workers)
        if error is not None:
            raise error
        return frame

    def one(iban):  # the old path, for comparison: dict pages, one frame per IBAN, then combine
        pages = client.iter_transaction_pages(iban.id)
        return history.records_to_frame(pages, iban_id=iban.id, iban=iban.iban, tz=TZ)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        frames = list(pool.map(one, accounts))
    combined = history.combine(frames)
    del frames
    return combined


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench ingest")
    p.add_argument("--transactions", type=int, default=1_000_000)
    p.add_argument("--ibans", type=int, default=20)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    quiet()
    header(f"ingest: {args.transactions:,} transactions, {args.ibans} IBANs")
    from dashboard.history.fetch import MAX_FETCH_WORKERS

    t0 = time.perf_counter()
    accounts, bodies = fetch_bodies(args.transactions, args.ibans)
    all_bodies = [b for pages in bodies.values() for b in pages]
    size = sum(map(len, all_bodies))
    info("ingest", f"{len(all_bodies)} pages, {size / 1e6:,.0f} MB of JSON fetched in {time.perf_counter() - t0:.1f} s")
    client = replay_client(bodies)
    workers = min(MAX_FETCH_WORKERS, len(accounts))

    # Memory first, in a clean state: peak RSS over the ingest minus RSS before it.
    gc.collect()
    before = rss_mib()
    reset_peak()
    frame = ingest(client, accounts, workers)
    peak = peak_mib() - before
    frame_mib = frame.memory_usage(deep=True).sum() / 2**20
    rows = len(frame)
    del frame
    gc.collect()

    base, _ = best_of(lambda: [orjson.loads(b) for b in all_bodies] and None, args.repeat)
    seq, _ = best_of(lambda: ingest(client, accounts, 1) is None, args.repeat)
    par, _ = best_of(lambda: ingest(client, accounts, workers) is None, args.repeat)
    print(f"  orjson.loads of all bodies (baseline): {ms(base)}")
    print(f"  bytes -> cached typed frame, 1 thread: {ms(seq)}  ({seq / base:.2f}x)")
    print(f"  bytes -> cached typed frame, {workers} threads (load_history's pool): {ms(par)}  ({par / base:.2f}x)")
    print(f"  rows {rows:,}; final frame {frame_mib:,.0f} MiB; peak RSS growth during ingest {peak:,.0f} MiB")
    verdict("ingest time", min(seq, par) / base, 2.0, "ingest / orjson.loads")
    verdict("ingest memory", peak / frame_mib, 2.0, "peak RSS growth / final frame")
    if args.transactions <= 1_000_000:
        old, _ = best_of(lambda: ingest(client, accounts, workers, arrow=False) is None, 1)
        info("ingest", f"for comparison, orjson dicts -> records_to_frame path: {ms(old)} ({old / base:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
