"""The lab's controls: one table (:data:`SETTINGS`) for the command line, the page's form and
the validation; :class:`LabSettings`, what they set; and the command line that repeats a
campaign or replays one run (:func:`cli_command`, :func:`replay_command`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from ..config import UNSAFE_SWITCHES

#: The largest cluster: the bound of ``size`` and of membership changes (spares run up to S9).
MAX_SERVERS = 9
#: The most closed-loop clients a run has.
MAX_CLIENTS = 10


class LabSettingsError(ValueError):
    """A lab setting out of range or of the wrong type; the message names the setting."""


@dataclass(frozen=True)
class Setting:
    """One control of the lab: the CLI flag, the page's form field and the validation rule."""

    name: str
    kind: str            # "int", "float", "prob", "bool" or "switches"
    label: str
    help: str
    lo: float | None = None
    hi: float | None = None
    unit: str = ""

    def coerce(self, value):
        """A value from JSON, a URL parameter or the command line, checked; else LabSettingsError."""
        label = self.label
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, (int, float)) and value in (0, 1):
                return bool(value)
            text = str(value).strip().lower()
            if text in ("1", "true", "on", "yes"):
                return True
            if text in ("0", "false", "off", "no", ""):
                return False
            raise LabSettingsError(f"{label} must be on or off, got {_show(value)}")
        if self.kind == "switches":
            if isinstance(value, str):
                items = [s.strip() for s in value.split(",") if s.strip()]
            elif isinstance(value, (list, tuple)):
                items = [part.strip() for s in value for part in str(s).split(",") if part.strip()]
            else:
                raise LabSettingsError(f"{label} must be a list of switch names, got {_show(value)}")
            for sw in items:
                if sw not in UNSAFE_SWITCHES:
                    raise LabSettingsError(f"unknown unsafe switch {sw!r}; switches: {', '.join(UNSAFE_SWITCHES)}")
            # Canonical order: the switches' own order, whatever order they were given in.
            return tuple(sw for sw in UNSAFE_SWITCHES if sw in items)
        if isinstance(value, bool):
            raise LabSettingsError(f"{label} must be a number, got {_show(value)}")
        if isinstance(value, str):
            text = value.strip()
            try:
                value = int(text) if self.kind == "int" else float(text)
            except ValueError:
                what = "a whole number" if self.kind == "int" else "a number"
                raise LabSettingsError(f"{label} must be {what}, got {_show(text)}") from None
        if not isinstance(value, (int, float)) or isinstance(value, float) and not math.isfinite(value):
            raise LabSettingsError(f"{label} must be a number, got {_show(value)}")
        if self.kind == "int":
            if value != int(value):
                raise LabSettingsError(f"{label} must be a whole number, got {_show(value)}")
            value = int(value)
        else:
            value = float(value)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            raise LabSettingsError(f"{label} must be {_num(self.lo)}–{_num(self.hi)}{self.unit}, got {_num(value)}")
        return value


def _num(x) -> str:
    return str(int(x)) if float(x) == int(x) else f"{x:g}"


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


#: Every control of the lab, in the order the page and ``--help`` show them. One table, so
#: that the command line, the page and the validation cannot drift apart.
SETTINGS: tuple[Setting, ...] = (
    Setting("size", "int", "cluster size", "servers at the start", 3, MAX_SERVERS),
    Setting("duration", "float", "duration", "simulated ms of faults per run (then everything heals)", 100, 600_000,
            " ms"),
    Setting("loss", "prob", "message loss", "probability that a message is lost", 0, 1),
    Setting("duplicate", "prob", "duplication", "probability that a message is delivered twice", 0, 1),
    Setting("reorder", "prob", "reordering", "probability that a message is held back up to 30 ms", 0, 1),
    Setting("delay", "float", "extra delay", "extra one-way latency on every link, ms", 0, 1000, " ms"),
    Setting("slow", "float", "slow links", "expected slow-server faults (timer skew) per simulated second", 0, 50,
            " per s"),
    Setting("flaky", "float", "flaky network", "expected lossy periods (20–60% of messages lost for up to "
            "a second) per simulated second", 0, 50, " per s"),
    Setting("partitions", "float", "partitions", "expected partitions per simulated second", 0, 50, " per s"),
    Setting("crashes", "float", "crashes", "expected crashes per simulated second (a restart follows each)", 0, 50,
            " per s"),
    Setting("churn", "prob", "leader churn", "chance that each new leader is crashed or cut off soon after "
            "its election", 0, 1),
    Setting("transfers", "float", "leadership transfers", "expected leadership transfers asked of the leader "
            "per simulated second (thesis §3.10)", 0, 50, " per s"),
    Setting("pauses", "float", "process pauses", "expected process pauses per simulated second: a server stops "
            "taking steps while its clock runs on", 0, 50, " per s"),
    Setting("windows", "float", "stale-leader windows", "expected stale-leader windows per simulated second: "
            "the leader is cut off (or its followers restarted) just after a heartbeat round, clocks skewed to the "
            "drift bound, a write through its successor, then a read at the old leader (thesis §6.4)", 0, 50,
            " per s"),
    Setting("drift", "float", "clock drift", "bound ε on each server's clock rate (1 ± ε, drawn per seed); "
            "leases are shortened for it (thesis §6.4)", 0, 0.45),
    Setting("lease", "prob", "lease reads", "chance that a run reads with a lease (else through the log or "
            "ReadIndex, evenly; thesis §6.4)", 0, 1),
    Setting("pre_vote", "bool", "PreVote", "servers ask whether they could win before raising their term "
            "(thesis §9.6)"),
    Setting("check_quorum", "bool", "CheckQuorum", "leaders step down without a majority; followers ignore "
            "candidates while they hear a leader (thesis §6.2, §4.2.3)"),
    Setting("membership", "bool", "membership changes", "an operator adds, removes and replaces servers, "
            "or grows or shrinks the cluster by two (carried out one server at a time)"),
    Setting("snapshots", "bool", "snapshots", "compact logs every 16 applied entries (InstallSnapshot)"),
    Setting("batch", "int", "batch size", "most entries one AppendEntries carries (flow control)", 1, 64),
    Setting("swarm", "bool", "swarm", "each run turns on a random subset of the fault kinds (swarm testing)"),
    Setting("clients", "int", "clients", "closed-loop clients, one operation outstanding each", 1, MAX_CLIENTS),
    Setting("think", "float", "think time", "mean ms a client waits between a reply and its next operation",
            0, 10_000, " ms"),
    Setting("client_timeout", "float", "client timeout", "ms before a client retries at another server", 20,
            10_000, " ms"),
    Setting("unsafe", "switches", "unsafe switches", "rules removed from the algorithm"),
    Setting("runs", "int", "runs", "number of runs", 1, 100_000),
    Setting("seed", "int", "seed", "base seed: run i uses seed + i", 0, 2**31 - 1),
)
_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass
class LabSettings:
    """What the lab's controls set (see :data:`SETTINGS` for ranges and meaning).

    The defaults are a demanding nemesis: several faults of each kind per run, short
    crash-restart bounces among long outages, the leader targeted half of the time.
    """

    size: int = 3
    duration: float = 20_000.0
    loss: float = 0.02
    duplicate: float = 0.02
    reorder: float = 0.05
    delay: float = 0.0
    slow: float = 1.0
    flaky: float = 2.0
    partitions: float = 3.0
    crashes: float = 1.5
    churn: float = 0.8
    transfers: float = 0.5
    pauses: float = 0.5
    windows: float = 0.25
    drift: float = 0.2
    lease: float = 0.5
    pre_vote: bool = True
    check_quorum: bool = True
    membership: bool = True
    snapshots: bool = True
    batch: int = 1
    swarm: bool = False
    clients: int = 4
    think: float = 40.0
    client_timeout: float = 100.0
    unsafe: tuple[str, ...] = ()
    runs: int = 100
    seed: int = 0

    def validate(self) -> "LabSettings":
        """Check (and normalize) every field; raise :class:`LabSettingsError` naming the first bad one."""
        for s in SETTINGS:
            setattr(self, s.name, s.coerce(getattr(self, s.name)))
        return self

    @classmethod
    def from_dict(cls, data: dict) -> "LabSettings":
        """Settings from JSON or URL parameters: unknown names and bad values are errors."""
        if not isinstance(data, dict):
            raise LabSettingsError(f"lab settings must be an object of name: value, got {_show(data)}")
        for name in sorted(data):
            if name not in _BY_NAME:
                raise LabSettingsError(f"unknown lab setting {name!r}; settings: {', '.join(_BY_NAME)}")
        s = cls()
        for name in _BY_NAME:
            if name in data:
                setattr(s, name, data[name])
        return s.validate()

    def to_dict(self) -> dict:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["unsafe"] = list(self.unsafe)
        return d

    def with_(self, **changes) -> "LabSettings":
        d = self.to_dict()
        d.update(changes)
        return LabSettings.from_dict(d)


def _value_text(s: Setting, value) -> str:
    if s.kind == "switches":
        return ",".join(value)
    if s.kind == "bool":
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)


def cli_command(settings: LabSettings) -> str:
    """The command line that runs the same campaign: ``python -m raftcore.lab`` with the
    settings that differ from the defaults (``--runs`` and ``--seed`` always)."""
    import shlex

    mine = settings.to_dict()
    defaults = LabSettings().to_dict()
    words = ["python", "-m", "raftcore.lab"]
    for s in SETTINGS:
        value = mine[s.name]
        if s.name not in ("runs", "seed") and value == defaults[s.name]:
            continue
        flag = "--" + s.name.replace("_", "-")
        if s.kind == "bool":
            words.append(flag if value else "--no-" + flag[2:])
        elif s.kind == "switches":
            for sw in value:
                words += [flag, sw]
        else:
            words += [flag, _value_text(s, value)]
    return " ".join(shlex.quote(w) for w in words)


def replay_command(seed: int, settings: LabSettings) -> str:
    """The command that replays run ``seed`` alone with the same settings."""
    d = settings.to_dict()
    d.update(runs=1, seed=seed)
    return cli_command(LabSettings.from_dict(d))


def settings_schema() -> list[dict]:
    """The controls, for a page to build its form from (defaults from :class:`LabSettings`)."""
    defaults = LabSettings().to_dict()
    out = []
    for s in SETTINGS:
        item = {"name": s.name, "kind": s.kind, "label": s.label, "help": s.help, "default": defaults[s.name]}
        if s.lo is not None:
            item["min"], item["max"] = s.lo, s.hi
        if s.kind == "switches":
            item["choices"] = dict(UNSAFE_SWITCHES)
        out.append(item)
    return out
