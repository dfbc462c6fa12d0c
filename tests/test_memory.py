"""dashboard.memory: histories are built on an Arrow pool that returns memory at once; the default
pool is back as soon as the last build ends, also when builds overlap or fail."""

import os
import threading

import pyarrow as pa
import pytest

from dashboard import data_access, memory  # noqa: F401 -- importing data_access configures glibc


@pytest.mark.skipif(bool(os.environ.get("ARROW_DEFAULT_MEMORY_POOL")), reason="the environment chose the pool")
def test_building_a_history_uses_jemalloc_then_restores_the_default_pool():
    default = pa.default_memory_pool().backend_name
    with memory.building_history() as backend:
        assert backend == pa.default_memory_pool().backend_name == "jemalloc"
        arr = pa.array(["x"] * 10)
        with memory.building_history():  # nested / another session at the same time
            pass
        assert pa.default_memory_pool().backend_name == "jemalloc"
    assert pa.default_memory_pool().backend_name == default
    assert arr.to_pylist() == ["x"] * 10  # a buffer outlives the switch (it remembers its pool)

    with pytest.raises(RuntimeError):
        with memory.building_history():
            raise RuntimeError("fetch failed")
    assert pa.default_memory_pool().backend_name == default


def test_overlapping_builds_from_threads_restore_once():
    default = pa.default_memory_pool().backend_name
    inside = threading.Barrier(4)

    def build():
        with memory.building_history():
            inside.wait(5)

    threads = [threading.Thread(target=build) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert pa.default_memory_pool().backend_name == default
    memory.configure()
    memory.configure()  # idempotent
