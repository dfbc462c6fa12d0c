"""The sender's adaptive rate (a fake clock), and any file Excel could write reads back cell for cell."""

from __future__ import annotations

import csv
import io
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.batches import AdaptiveRate, read_payout_file, sender
from dashboard.batches.parsing import COLUMNS


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def slots(rate: AdaptiveRate, clock: Clock, n: int, monkeypatch) -> list[float]:
    """When each of `n` back-to-back acquisitions goes (the fake clock jumps over each wait)."""

    def sleep(seconds: float) -> None:
        clock.now += seconds

    monkeypatch.setattr(sender.time, "sleep", sleep)
    out = []
    for _ in range(n):
        rate.acquire()
        out.append(round(clock.now, 6))
    return out


def test_rate_spaces_sends_and_a_429_halves_it_and_holds_for_retry_after(monkeypatch):
    clock = Clock()
    rate = AdaptiveRate(10.0, clock=clock)
    assert slots(rate, clock, 3, monkeypatch) == [100.0, 100.1, 100.2]
    rate.slow_down(2.0)  # EnigmaPay said: wait 2 s
    assert rate.rate == 5.0
    after = slots(rate, clock, 2, monkeypatch)
    assert after[0] >= 102.0 and round(after[1] - after[0], 6) == 0.2
    for _ in range(40):
        rate.succeeded()
    assert rate.rate == 10.0  # won back, never above the setting
    for _ in range(20):
        rate.slow_down(0.0)
    assert rate.rate == rate.floor == 0.2


# What a payout file holds: Latin and Turkish letters, digits, spaces, the punctuation of names and
# notes -- separators and quotes included (the CSV writer quotes them, as Excel does).
ALPHABET = string.ascii_letters + string.digits + "çğıöşüÇĞİÖŞÜâî .,;'\"/()&_"
text = st.text(alphabet=ALPHABET, min_size=1, max_size=30).filter(lambda s: s.strip() and s.lstrip()[:1] not in "=+-@")


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(text, text, text, text, text), min_size=1, max_size=8),
    separator=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1254"]),
)
def test_any_file_excel_could_write_reads_back_cell_for_cell(rows, separator, encoding):
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    parsed = read_payout_file("p.csv", out.getvalue().encode(encoding))
    assert parsed.separator == separator
    assert [tuple(r.cells[c] for c in COLUMNS) for r in parsed.rows] == rows
