"""tests/helpers/reruns.py's RunTracker, fed the very protobuf frames Streamlit's WebSocket carries (no
browser): when "the run asked for after this point" counts as finished, and when it does not."""

from __future__ import annotations

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.helpers.reruns import RunTracker


class FakeSocket:
    url = "ws://127.0.0.1:1/_stcore/stream"

    def __init__(self) -> None:
        self.handlers = {}

    def on(self, event: str, handler) -> None:
        self.handlers[event] = handler


class FakePage:
    """What RunTracker uses of a Playwright page; `wait_for_timeout` advances a scripted feed."""

    def __init__(self) -> None:
        self.handlers = {}
        self.waited = 0
        self.feed: list = []

    def on(self, event: str, handler) -> None:
        self.handlers[event] = handler

    def wait_for_timeout(self, ms: float) -> None:
        self.waited += 1
        if self.feed:
            self.feed.pop(0)()


def rerun(fragment: str = "", auto: bool = False) -> bytes:
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.fragment_id = fragment
    msg.rerun_script.is_auto_rerun = auto
    return msg.SerializeToString()


def finished(status=ForwardMsg.FINISHED_SUCCESSFULLY) -> bytes:
    msg = ForwardMsg()
    msg.script_finished = status
    return msg.SerializeToString()


def delta() -> bytes:
    msg = ForwardMsg()
    msg.delta.new_element.markdown.body = "hello"
    return msg.SerializeToString()


@pytest.fixture
def wired():
    page = FakePage()
    tracker = RunTracker(page)
    socket = FakeSocket()
    page.handlers["websocket"](socket)
    return tracker, page, socket.handlers["framesent"], socket.handlers["framereceived"]


def test_a_run_asked_for_is_settled_only_once_it_finished(wired) -> None:
    tracker, _page, sent, received = wired
    received(finished())  # the run before the action
    mark = tracker.mark()
    assert not tracker.settled_since(mark)  # nothing asked for yet: the page shows the run before
    sent(rerun())
    received(delta())
    assert not tracker.settled_since(mark)
    received(finished(ForwardMsg.FINISHED_EARLY_FOR_RERUN))  # st.rerun(): not over yet
    assert not tracker.settled_since(mark)
    received(finished())
    assert tracker.settled_since(mark)


def test_a_fragments_own_reruns_neither_count_as_the_action_nor_finish_a_whole_run(wired) -> None:
    tracker, _page, sent, received = wired
    mark = tracker.mark()
    sent(rerun(fragment="progress", auto=True))  # run_every, not the test's doing
    received(finished(ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY))
    assert not tracker.settled_since(mark)
    sent(rerun())  # the test's click: a whole run
    received(finished(ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY))  # a fragment run ending meanwhile
    assert not tracker.settled_since(mark)
    received(finished())
    assert tracker.settled_since(mark)


def test_a_click_inside_a_fragment_is_over_at_the_fragments_finish(wired) -> None:
    tracker, _page, sent, received = wired
    mark = tracker.mark()
    sent(rerun(fragment="dialog"))
    received(finished(ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY))
    assert tracker.settled_since(mark)


def test_a_second_request_before_the_first_finished_is_waited_for_too(wired) -> None:
    tracker, _page, sent, received = wired
    mark = tracker.mark()
    sent(rerun())
    sent(rerun())  # the value committed, then the button: two runs asked for
    assert not tracker.settled_since(mark)
    received(finished())
    assert tracker.settled_since(mark)  # the server ran once with both (the first was cut short)


def test_wait_since_polls_the_page_until_the_run_finishes(wired) -> None:
    tracker, page, sent, received = wired
    mark = tracker.mark()
    page.feed = [lambda: sent(rerun()), lambda: None, lambda: received(finished())]
    tracker.wait_since(mark, 5_000)
    assert page.waited == 3


def test_wait_since_says_when_no_run_was_even_asked_for(wired) -> None:
    tracker, _page, _sent, _received = wired
    with pytest.raises(AssertionError, match="never asked for"):
        tracker.wait_since(tracker.mark(), 200)


def test_other_sockets_are_not_followed() -> None:
    page = FakePage()
    RunTracker(page)
    socket = FakeSocket()
    socket.url = "ws://127.0.0.1:1/somewhere-else"
    page.handlers["websocket"](socket)
    assert socket.handlers == {}


def test_wait_since_gives_up_early_only_when_no_run_was_asked_for(wired) -> None:
    tracker, page, sent, received = wired
    mark = tracker.mark()
    with pytest.raises(AssertionError, match="never asked for"):
        tracker.wait_since(mark, 60_000, asked_within_ms=100)
    # Asked for (before the wait here): the whole timeout applies to the run itself.
    sent(rerun())
    page.feed = [lambda: None] * 3 + [lambda: received(finished())]
    tracker.wait_since(mark, 60_000, asked_within_ms=0)
    assert tracker.settled_since(mark)
