"""The replicated state machine: a deterministic key-value store with client sessions.

Determinism is the whole point (§2 of the paper, "replicated state machines"): every replica
applies the same commands in the same order and must reach the same state, so nothing in
:func:`apply_op` may read a clock, a random number or the environment. The one exception is
the ``nondeterministic`` unsafe switch, which exists to show what breaks without it.

Client sessions (thesis §6.3) make retried commands apply once: each client numbers its
commands, and the store remembers, per client, the last sequence number it applied and the
result it returned, answering a retry from that record instead of applying it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from .immutable import immutable

OPS = {"SET": 1, "INC": 0, "DEL": 0, "GET": 0, "CAS": 2}  # op -> number of arguments after the key
#: The result of INC on a value that is not an integer (the value is left alone), so that such
#: histories stay checkable instead of aborting.
ERR = "ERR"


@immutable
@dataclass(frozen=True, slots=True)
class Command:
    op: str
    key: str
    args: tuple[str, ...] = ()
    client: str | None = None
    seq: int = 0

    def __str__(self) -> str:
        return " ".join((self.op, self.key) + self.args)

    @property
    def label(self) -> str:
        """The form drawn on the site, as in the seed: ``SET x=1``."""
        if self.op == "SET":
            return f"SET {self.key}={self.args[0]}"
        if self.op == "CAS":
            return f"CAS {self.key}:{self.args[0]}→{self.args[1]}"
        return str(self)

    @property
    def is_read(self) -> bool:
        return self.op == "GET"

    def with_session(self, client: str, seq: int) -> "Command":
        return Command(self.op, self.key, self.args, client, seq)


def parse_command(text: str) -> Command:
    """Parse ``SET x 1``, ``SET x=1``, ``INC x``, ``DEL x``, ``GET x``, ``CAS x 1 2``."""
    words = text.replace("=", " ").split()
    if not words:
        raise ValueError("empty command")
    op = words[0].upper()
    if op not in OPS:
        raise ValueError(f"unknown command {words[0]!r} in {text!r}; expected one of {', '.join(OPS)}")
    if len(words) < 2:
        raise ValueError(f"{op} needs a key: {text!r}")
    args = tuple(words[2:])
    if len(args) != OPS[op]:
        raise ValueError(f"{op} takes {OPS[op]} argument(s) after the key, got {len(args)}: {text!r}")
    return Command(op, words[1], args)


def apply_op(value: str | None, op: str, args: tuple[str, ...]) -> tuple[str | None, object]:
    """The sequential specification of one key: (old value, command) -> (new value, result).

    The linearizability checker uses this same function as its model, so the store and the
    checker can never disagree about what a command means.
    """
    if op == "SET":
        return args[0], "OK"
    if op == "GET":
        return value, value
    if op == "DEL":
        return None, "OK"
    if op == "INC":
        try:
            n = int(value) + 1 if value is not None else 1
        except ValueError:
            return value, ERR
        return str(n), n
    if op == "CAS":
        if value is not None and value == args[0]:
            return args[1], True
        return value, False
    raise ValueError(f"unknown op {op!r}")


class KVStore:
    """The state machine each replica applies committed commands to."""

    __slots__ = ("data", "sessions", "nondeterministic")

    def __init__(self, nondeterministic: bool = False):
        self.data: dict[str, str] = {}
        # client -> (last applied seq, its result); thesis §6.3
        self.sessions: dict[str, tuple[int, object]] = {}
        self.nondeterministic = nondeterministic

    def apply(self, command: Command, local_clock: float = 0.0) -> object:
        """Apply one committed command; ``local_clock`` is read only by the unsafe variant."""
        if command.client is not None:
            last = self.sessions.get(command.client)
            if last is not None and command.seq <= last[0]:
                # A retry of a command this store already applied: answer it, do not re-apply.
                return last[1] if command.seq == last[0] else "STALE"
        new, result = apply_op(self.data.get(command.key), command.op, command.args)
        if command.op != "GET":
            if new is None:
                self.data.pop(command.key, None)
            else:
                self.data[command.key] = new
            if self.nondeterministic:
                # UNSAFE: the result depends on when this replica happens to apply it.
                self.data[command.key + "@"] = f"{local_clock:.0f}ms"
        if command.client is not None:
            self.sessions[command.client] = (command.seq, result)
        return result

    def query(self, command: Command) -> object:
        """A read-only query answered from the current state, without a log entry (thesis §6.4)."""
        return apply_op(self.data.get(command.key), "GET", ())[1]

    def digest(self) -> str:
        """A deterministic summary of the whole state, compared across replicas by the checker:
        the data and the session table — each client's last sequence number *and the result
        it was given* (thesis §6.3), since a retry is answered from that record: two replicas
        whose recorded results differ would answer the same retry differently (issue 13)."""
        data = ";".join(f"{k}={v}" for k, v in sorted(self.data.items()))
        sess = ";".join(f"{c}#{s}={r!r}" for c, (s, r) in sorted(self.sessions.items()))
        return f"{data}|{sess}"

    def copy(self) -> "KVStore":
        other = KVStore(self.nondeterministic)
        other.data = dict(self.data)
        other.sessions = dict(self.sessions)
        return other

    def __deepcopy__(self, memo) -> "KVStore":
        other = memo[id(self)] = self.copy()  # keys, values and session results are immutable
        return other
