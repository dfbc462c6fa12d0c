"""Background loops: how long callback verification waits between batches; each job on one replica."""

import asyncio
import time
from collections.abc import Callable

from dashboard import background
from dashboard.fleet import LeasedJob, LeaseKeeper, TableLease
from dashboard.store import Store


def test_verification_drains_without_pause_idles_when_empty_and_backs_off_after_an_api_error():
    assert background.verify_wait({"verified": 40, "errors": 0}) == 0.0  # more may wait: next batch at once
    assert background.verify_wait({"verified": 0, "errors": 0}) == background.VERIFY_IDLE_WAIT
    assert background.verify_wait({}) == background.VERIFY_IDLE_WAIT  # callbacks not configured
    assert background.verify_wait({"verified": 3, "errors": 1}) == background.VERIFY_RETRY_WAIT


def test_two_replicas_run_a_job_on_one_of_them_and_the_survivor_takes_over_when_the_leader_is_killed(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(background, "JOB_TICK", 0.01)
    ttl, renew_every = 0.6, 0.1
    runs: list[tuple[str, float, float]] = []  # (replica, started, ended)

    def replica(holder: str) -> tuple[LeaseKeeper, LeasedJob, Callable[[], None]]:
        store = Store.in_dir(tmp_path)
        keeper = LeaseKeeper([TableLease(store.fleet, "settling", holder, ttl=ttl)], valid_for=ttl - 0.2)

        def settle() -> None:
            started = time.monotonic()
            time.sleep(0.02)
            runs.append((holder, started, time.monotonic()))

        return keeper, LeasedJob(keeper, "settling", 0.05), settle

    async def scenario() -> float:
        (ka, job_a, step_a), (kb, job_b, step_b) = replica("a"), replica("b")
        a = [asyncio.create_task(ka.keep(every=renew_every)), asyncio.create_task(background._every(job_a, step_a))]
        await asyncio.sleep(0.1)  # a starts first and leads
        b = [asyncio.create_task(kb.keep(every=renew_every)), asyncio.create_task(background._every(job_b, step_b))]
        await asyncio.sleep(1.0)
        monkeypatch.setattr(ka, "release_all", lambda: None)  # killed: nothing is handed back
        for task in a:
            task.cancel()
        await asyncio.gather(*a, return_exceptions=True)
        killed = time.monotonic()
        await asyncio.sleep(1.5)
        for task in b:
            task.cancel()
        await asyncio.gather(*b, return_exceptions=True)
        return killed

    killed = asyncio.run(scenario())
    by_a, by_b = [r for r in runs if r[0] == "a"], [r for r in runs if r[0] == "b"]
    assert len(by_a) >= 5 and len(by_b) >= 5
    assert max(end for _, _, end in by_a) <= min(start for _, start, _ in by_b)  # never both at once
    assert min(start for _, start, _ in by_b) - killed <= ttl + renew_every + 0.5  # the bound, scaled down (+ slack)


def test_background_work_starts_once_the_store_can_be_reached(monkeypatch):
    from dashboard.store import StoreUnavailable

    keeper = LeaseKeeper([])
    attempts: list[tuple[str, ...]] = []

    def lease_keeper(jobs: tuple[str, ...]) -> LeaseKeeper:
        attempts.append(jobs)
        if len(attempts) < 3:
            raise StoreUnavailable("The database cannot be reached right now")
        return keeper

    monkeypatch.setattr(background, "START_RETRY_WAIT", 0.01)
    monkeypatch.setattr(background, "connect_sandbox_callbacks", lambda origin: None)
    monkeypatch.setattr(background.services, "lease_keeper", lease_keeper)
    assert asyncio.run(background._start("http://127.0.0.1:1")) is keeper
    assert attempts == [background.JOBS] * 3
