"""Fault injection: latency, 500s, 429s, malformed bodies and hangs, decided per request.

Randomness comes from a seeded generator so a failing test replays the same faults.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field, fields
from typing import Any

API_PREFIX = "/api/dealer"


def endpoint_path(path: str) -> str:
    """'/api/dealer/ibans' or 'ibans' or '/ibans' -> '/ibans': faults name endpoints relative to the base URL."""
    path = path.strip()
    if path.startswith(API_PREFIX):
        path = path[len(API_PREFIX) :]
    return "/" + path.strip("/")


@dataclass(frozen=True)
class Faults:
    """What goes wrong, and how often. All zero/empty means a healthy provider.

    `paths` restricts every fault to those endpoints (empty = all endpoints); `hang_paths`
    names the endpoints that hang for `hang_seconds` before answering.
    """

    latency_ms: float = 0.0
    error_rate: float = 0.0
    rate_limit_every: int = 0
    retry_after_seconds: int = 1
    malformed_rate: float = 0.0
    hang_paths: tuple[str, ...] = ()
    hang_seconds: float = 30.0
    paths: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("error_rate", "malformed_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.latency_ms < 0 or self.hang_seconds < 0 or self.retry_after_seconds < 0:
            raise ValueError("latency_ms, hang_seconds and retry_after_seconds must not be negative")
        if self.rate_limit_every < 0:
            raise ValueError("rate_limit_every must not be negative")
        # Normalise here so '/api/dealer/ibans', 'ibans' and '/ibans' all mean the same endpoint.
        object.__setattr__(self, "hang_paths", tuple(endpoint_path(p) for p in self.hang_paths))
        object.__setattr__(self, "paths", tuple(endpoint_path(p) for p in self.paths))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        """Build from a JSON body; unknown keys or wrong types raise ValueError (answered as 422)."""
        known = {f.name: f for f in fields(cls)}
        unknown = set(data) - set(known)
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        kwargs: dict[str, Any] = {}
        for name, value in data.items():
            if name in ("hang_paths", "paths"):
                if isinstance(value, str):
                    value = [value]
                if not isinstance(value, (list, tuple)) or not all(isinstance(p, str) for p in value):
                    raise ValueError(f"{name} must be a list of endpoint paths")
                kwargs[name] = tuple(value)
            elif name in ("rate_limit_every", "retry_after_seconds"):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"{name} must be an integer")
                kwargs[name] = value
            else:
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ValueError(f"{name} must be a number")
                kwargs[name] = float(value)
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["hang_paths"] = list(self.hang_paths)
        data["paths"] = list(self.paths)
        return data


@dataclass(frozen=True)
class Decision:
    """What to do to one request: wait `hang` then `latency` seconds, then answer `kind` (None = normally)."""

    hang: float = 0.0
    latency: float = 0.0
    kind: str | None = None  # "rate_limit" | "error" | "malformed"
    retry_after: int = 0  # seconds, for "rate_limit"


HEALTHY = Decision()


class FaultInjector:
    """Decides, request by request, which fault (if any) applies. Thread-safe."""

    def __init__(self, faults: Faults, seed: int) -> None:
        self._seed = seed
        self._lock = threading.Lock()
        self.set(faults)

    @property
    def faults(self) -> Faults:
        return self._faults

    def set(self, faults: Faults) -> None:
        """Replace the faults; the counter and generator restart so each setting replays identically."""
        with self._lock:
            self._faults = faults
            self._rng = random.Random(self._seed)
            self._count = 0

    def decide(self, path: str) -> Decision:
        path = endpoint_path(path)
        with self._lock:
            f = self._faults
            if f.paths and path not in f.paths:
                return HEALTHY
            self._count += 1
            hang = f.hang_seconds if path in f.hang_paths else 0.0
            latency = f.latency_ms / 1000.0
            kind = None
            # Draw both numbers on every request so one fault's rate does not shift the other's sequence.
            error_draw, malformed_draw = self._rng.random(), self._rng.random()
            if f.rate_limit_every and self._count % f.rate_limit_every == 0:
                kind = "rate_limit"
            elif error_draw < f.error_rate:
                kind = "error"
            elif malformed_draw < f.malformed_rate:
                kind = "malformed"
            if not (hang or latency or kind):
                return HEALTHY
            return Decision(hang=hang, latency=latency, kind=kind, retry_after=f.retry_after_seconds)
