"""Background loops: how long callback verification waits between batches."""

from dashboard import background


def test_verification_drains_without_pause_idles_when_empty_and_backs_off_after_an_api_error():
    assert background.verify_wait({"verified": 40, "errors": 0}) == 0.0  # more may wait: next batch at once
    assert background.verify_wait({"verified": 0, "errors": 0}) == background.VERIFY_IDLE_WAIT
    assert background.verify_wait({}) == background.VERIFY_IDLE_WAIT  # callbacks not configured
    assert background.verify_wait({"verified": 3, "errors": 1}) == background.VERIFY_RETRY_WAIT
