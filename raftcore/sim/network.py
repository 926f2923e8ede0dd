"""The network model: latency, loss, duplication, reordering, partitions and link cuts.

Every random choice is drawn from the cluster's one seeded ``random.Random``, in the order
messages are sent, so a run is reproducible from its seed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class NetworkConfig:
    """Knobs of the simulated network; all may change while a simulation runs.

    Defaults are the paper's recommended setting: one-way latency 5–10 ms, a reliable network.
    ``reorder`` is the probability that a message is held back by up to ``reorder_delay`` ms,
    so that later messages overtake it. ``persist_latency`` (plus up to ``persist_jitter``, uniformly)
    is the time a server spends writing to stable storage before it may send what depends
    on the write (Figure 16's setting includes it).
    """

    latency_min: float = 5.0
    latency_max: float = 10.0
    loss: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0
    reorder_delay: float = 30.0
    persist_latency: float = 0.0
    persist_jitter: float = 0.0
    client_latency: float = 2.0

    def validate(self) -> None:
        for name in ("latency_min", "latency_max", "reorder_delay", "persist_latency", "persist_jitter", "client_latency"):
            if getattr(self, name) < 0:
                raise ValueError(f"network {name} must not be negative, got {getattr(self, name)}")
        if self.latency_max < self.latency_min:
            raise ValueError(f"network latency_max ({self.latency_max}) is below latency_min ({self.latency_min})")
        for name in ("loss", "duplicate", "reorder"):
            p = getattr(self, name)
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"network {name} is a probability between 0 and 1, got {p}")
