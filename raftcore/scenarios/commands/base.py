"""What a scenario command and a condition are: one class each, all of its rules in one place.

A command of the scenario language is a subclass of :class:`ScriptCommand` with its
``name``, ``syntax``, ``help`` and ``example`` (the authoring guide's table and the usage
shown with an error), :meth:`~ScriptCommand.validate` (checks that need no cluster, run when
the script is parsed, so a typo fails before anything runs) and
:meth:`~ScriptCommand.execute` (what it does to a running :class:`ScenarioRun`). A condition
of ``wait`` and ``expect`` is a subclass of :class:`Condition`: its syntax, what it means,
an example, its parsing and :meth:`~Condition.holds`. Defining the class registers it, in
definition order (the order the guide lists them and errors name them); adding a command is
adding a class to a module of this package (see ARCHITECTURE.md).

Errors are ``ValueError`` with the fix in words: at parse time the scenario reports them
with the line and the command's usage, at run time the run prints ``FAILED: …`` (or raises,
when strict).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, ClassVar

if TYPE_CHECKING:  # pragma: no cover
    from ..language import ScenarioRun, Step
    from ...sim import Cluster

__all__ = ["ScriptCommand", "Condition", "COMMANDS", "CONDITIONS", "parse_duration", "parse_range", "parse_int",
           "client_options", "mark_label", "comparison", "servers"]

#: Every command, by name, in definition order.
COMMANDS: dict[str, type["ScriptCommand"]] = {}
#: Every condition, by its first word, in definition order.
CONDITIONS: dict[str, type["Condition"]] = {}


class ScriptCommand:
    #: the first word of the command
    name: ClassVar[str] = ""
    #: how it is written (the guide's table; the usage an error shows)
    syntax: ClassVar[str] = ""
    #: what it does, one or two sentences
    help: ClassVar[str] = ""
    #: a line of a real script
    example: ClassVar[str] = ""
    #: whether ``at TIME`` may schedule it (not what takes time itself, nor ``cluster``)
    schedulable: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name:
            if cls.name in COMMANDS:
                raise RuntimeError(f"two scenario commands named {cls.name!r}: {COMMANDS[cls.name]} and {cls}")
            COMMANDS[cls.name] = cls

    @classmethod
    def validate(cls, args: list[str]) -> None:
        """Raise ValueError if ``args`` cannot be right whatever the cluster (parse time)."""

    @classmethod
    def execute(cls, run: "ScenarioRun", step: "Step") -> str | None:
        """Carry the command out on ``run``; return what it prints (``"ok"`` by default), or
        None when it prints later (``run``, ``wait``). Raise ValueError to fail it."""
        raise ValueError(f"{cls.name!r} cannot be executed by itself")


class Condition:
    """A condition of ``wait`` and ``expect``, parsed once from its words. Conditions never
    change once parsed, so a snapshot of a run shares them instead of copying them."""

    #: the first word
    name: ClassVar[str] = ""
    syntax: ClassVar[str] = ""
    #: when it holds
    doc: ClassVar[str] = ""
    #: a line of a real script using it
    example: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name:
            if cls.name in CONDITIONS:
                raise RuntimeError(f"two scenario conditions named {cls.name!r}: {CONDITIONS[cls.name]} and {cls}")
            CONDITIONS[cls.name] = cls

    def __init__(self, words: list[str]):
        #: the condition as written (what a failure quotes)
        self.text = " ".join(words)
        self.args = list(words[1:])
        self.parse(self.args)

    def parse(self, args: list[str]) -> None:
        """Check ``args`` and keep what :meth:`holds` needs (raise ValueError)."""
        if args:
            raise ValueError(f"{self.name} takes no arguments")

    def holds(self, c: "Cluster") -> bool:
        raise ValueError(f"condition {self.name!r} cannot be evaluated")

    def __deepcopy__(self, memo) -> "Condition":
        return self


# ------------------------------------------------------------------ the words of the language

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s)?$")
_CMP = {"=": lambda a, b: a == b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b, "<": lambda a, b: a < b}


def parse_duration(text: str) -> float:
    m = _DURATION.match(text.strip())
    if not m:
        raise ValueError(f"bad duration {text!r}: write e.g. 300ms or 2s")
    value = float(m.group(1))
    return value * 1000 if m.group(2) == "s" else value


def parse_range(text: str, what: str) -> tuple[float, float]:
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(f"bad {what} {text!r}: write MIN-MAX in ms, e.g. 150-300")
    lo, hi = (float(p.removesuffix("ms")) for p in parts)
    return lo, hi


def parse_int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{what} must be an integer, got {text!r}") from None


def comparison(op: str, value: str) -> Callable[[int], bool]:
    """``x OP value`` as a test of x (OP one of = >= <= > <)."""
    if op not in _CMP:
        raise ValueError(f"bad comparison {op!r}: use one of {' '.join(_CMP)}")
    v = parse_int(value, "the compared value")
    test = _CMP[op]
    return lambda x: test(x, v)


def servers(c: "Cluster", spec: str) -> list[str]:
    """``all`` (the live servers) or comma-separated names, each checked."""
    if spec == "all":
        return [n for n in c.names if c.alive(n)]
    names = spec.split(",")
    for n in names:
        c.check_name(n)
    return names


def client_options(args: list[str]) -> tuple[str | None, str | None, list[str]]:
    """``client=`` and ``server=`` of submit/read, and the remaining words."""
    client = server = None
    rest = []
    for x in args:
        if x.startswith("client="):
            client = x.split("=", 1)[1]
            if not client:
                raise ValueError("client= needs a name")
        elif x.startswith("server="):
            server = x.split("=", 1)[1]
            if not server:
                raise ValueError("server= needs a server name or leader")
        else:
            rest.append(x)
    return client, server, rest


def mark_label(args: list[str]) -> str:
    text = " ".join(args).strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    if not text:
        raise ValueError('mark needs a label, e.g. mark "(a) S1 is leader of term 2"')
    return text
