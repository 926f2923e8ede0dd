"""Clients of the replicated key-value store, as the simulator drives them.

A client has one operation outstanding at a time (thesis §6.3): it numbers each command, sends
it to the server it believes leads, follows redirects, and on a timeout retries the *same*
numbered command elsewhere, so that the state machine's session table can apply it once.
What the client saw — invocation time, completion time, result — is the history the
linearizability checker reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..kv import Command


@dataclass(slots=True, eq=False)
class Handle:
    """One client operation. ``done`` once the client has its reply; ``index`` is the log
    index of the entry that answered it."""

    command: Command
    client: str
    seq: int
    invoked_at: float | None = None
    completed_at: float | None = None
    done: bool = False
    index: int | None = None
    result: object = None
    node: str | None = None  # server currently asked
    attempt: int = 0

    def __str__(self) -> str:
        state = f"-> {self.result!r} at {self.completed_at:.1f}ms" if self.done else "pending"
        return f"{self.client}#{self.seq} {self.command} {state}"


@dataclass(slots=True)
class Client:
    name: str
    next_seq: int = 1
    target: str | None = None  # the server this client believes leads
    queue: list[Handle] = field(default_factory=list)
    current: Handle | None = None
