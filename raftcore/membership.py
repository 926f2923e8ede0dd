"""Cluster membership as log entries (thesis §4): single-server changes.

A configuration is the tuple of voting servers, sorted. It travels in the log as a
:class:`ConfigChange` entry; every server uses the latest configuration in its log, committed
or not (thesis §4.1), falling back to its snapshot's configuration and then to the bootstrap
configuration it was started with.
"""

from __future__ import annotations

from dataclasses import dataclass

from .immutable import immutable


@immutable
@dataclass(frozen=True, slots=True)
class ConfigChange:
    """A log entry's command that sets the configuration to ``voters``. ``change`` says what
    changed, for display ("+S4", "-S2"). It is never applied to the state machine."""

    voters: tuple[str, ...]
    change: str = ""
    client = None  # not a client command: no session, no reply

    def __str__(self) -> str:
        return f"config {','.join(self.voters)}"

    @property
    def label(self) -> str:
        return f"CONFIG {self.change}" if self.change else f"CONFIG {','.join(self.voters)}"
