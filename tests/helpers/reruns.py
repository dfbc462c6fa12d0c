"""Streamlit's script runs as the browser sees them, read off its WebSocket (the protobuf messages).

A click or a typed value makes the browser send a `rerun_script` BackMsg; the server answers, when
the run is over, with a `script_finished` ForwardMsg. Between the two the page still shows the run
before, and `stApp`'s `data-test-script-state` still says "notRunning" until the server has said it
started (on a loaded machine: seconds), so waiting for "idle" right after a click can pass at once
and read the old page. `RunTracker` counts both messages per page, in order, so a test can wait
for "a run asked for after this point has finished" instead of for a fixed time.

Attach with `track_runs(context)` before the context opens its pages (every page it opens, and
every WebSocket of each page, reloads included, is followed); `runs_of(page)` finds the tracker.
"""

from __future__ import annotations

import time

from playwright.sync_api import BrowserContext, Page, WebSocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

_FULL = ForwardMsg.FINISHED_SUCCESSFULLY
_FRAGMENT = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
_ATTR = "_enigmapay_runs"


class RunTracker:
    """Counts, in the order the page saw them, the runs it asked for and the runs that finished.

    Runs a fragment asks for on its own (`run_every`: every 2 s on a batch being sent) are left out
    of the requests: only what the test did is waited for. A whole-script run asked for is over at a
    whole-script "finished"; a fragment's (a widget inside one, a dialog's button) at any."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.seq = 0  # one tick per rerun asked for or run finished
        self.last_request = 0
        self.last_request_full = True
        self.last_finish = 0
        self.last_full_finish = 0
        self.requests = 0
        self.finishes = 0
        page.on("websocket", self._socket)

    def _socket(self, socket: WebSocket) -> None:
        if socket.url.endswith("/_stcore/stream"):
            socket.on("framesent", self._sent)
            socket.on("framereceived", self._received)

    def _sent(self, payload: bytes | str) -> None:
        if not isinstance(payload, bytes):
            return
        msg = BackMsg.FromString(payload)
        if msg.WhichOneof("type") == "rerun_script" and not msg.rerun_script.is_auto_rerun:
            self.seq += 1
            self.requests += 1
            self.last_request = self.seq
            self.last_request_full = not msg.rerun_script.fragment_id

    def _received(self, payload: bytes | str) -> None:
        if not isinstance(payload, bytes):
            return
        msg = ForwardMsg.FromString(payload)
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished in (_FULL, _FRAGMENT):
            self.seq += 1
            self.finishes += 1
            self.last_finish = self.seq
            if msg.script_finished == _FULL:
                self.last_full_finish = self.seq

    def mark(self) -> int:
        return self.seq

    def settled_since(self, mark: int) -> bool:
        """A run was asked for after `mark`, and one of its kind finished after the last one asked for."""
        finished = self.last_full_finish if self.last_request_full else self.last_finish
        return self.last_request > mark and finished > self.last_request

    def wait_since(self, mark: int, timeout_ms: float, asked_within_ms: float | None = None) -> None:
        """Until `settled_since(mark)`; AssertionError after `timeout_ms`, or after `asked_within_ms` if
        by then no run was even asked for (the action did not take: the caller may try it again)."""
        start = time.monotonic()
        deadline = start + timeout_ms / 1000
        if asked_within_ms is not None:
            deadline = min(deadline, start + asked_within_ms / 1000)
        while not self.settled_since(mark):
            if self.last_request > mark:
                deadline = start + timeout_ms / 1000
            if time.monotonic() > deadline:
                asked = "asked for" if self.last_request > mark else "never asked for"
                raise AssertionError(
                    f"no script run finished {time.monotonic() - start:.0f} s after the action (a rerun was {asked};"
                    f" {self.requests} asked for, {self.finishes} finished on this page)"
                )
            self.page.wait_for_timeout(50)  # lets Playwright hand over the WebSocket frames meanwhile


def track_runs(context: BrowserContext) -> BrowserContext:
    """Follow the script runs of every page `context` opens from now on."""
    context.on("page", lambda page: setattr(page, _ATTR, RunTracker(page)))
    return context


def runs_of(page: Page) -> RunTracker:
    tracker = getattr(page, _ATTR, None)
    assert tracker is not None, "this page's context was not made with track_runs(): its reruns are not followed"
    return tracker
