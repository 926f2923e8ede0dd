"""``cluster``: the first line of every script, and the options a cluster is made with."""

from __future__ import annotations

from ...config import RaftConfig
from ...sim import NetworkConfig
from .base import ScriptCommand, parse_duration, parse_int, parse_range

__all__ = ["ClusterCommand", "cluster_options", "network_options"]


class ClusterCommand(ScriptCommand):
    name = "cluster"
    syntax = ("cluster N [names=A,B,..] [seed=S] [timeout=MIN-MAX] [heartbeat=MS] [latency=MIN-MAX] "
              "[backtrack=fast|slow] [batch=N] [persist=MS] [prevote=on|off] [checkquorum=on|off] "
              "[reads=log|read_index|lease] [snapshot=N] [trailing=N] [unsafe=SWITCH,..] "
              "[violations=stop|continue] [linearizability=on|off]")
    help = ("Create the cluster. Must be the first command. PreVote and CheckQuorum are on unless "
            "turned off; `snapshot=N` compacts the log every N applied entries; "
            "`violations=continue` lets the run go on after an invariant is violated (to show what "
            "follows), recording the first violation of each invariant; `linearizability=on` checks "
            "the clients' history after every reply, a non-linearizable history counting as a violation.")
    example = "cluster 5 seed=7 timeout=150-300"
    schedulable = False

    @classmethod
    def validate(cls, args):
        if not args:
            raise ValueError("cluster needs a size")
        cluster_options(args)


def cluster_options(args: list[str]) -> dict:
    """The ``Cluster(...)`` keyword arguments a ``cluster`` line asks for."""
    size = parse_int(args[0], "cluster size")
    if size < 1:
        raise ValueError(f"cluster size must be at least 1, got {size}")
    opts: dict = {"size": size, "config": RaftConfig(), "network": NetworkConfig(), "seed": 0, "names": None}
    cfg, net = opts["config"], opts["network"]
    for word in args[1:]:
        if "=" not in word:
            raise ValueError(f"expected key=value, got {word!r}")
        key, value = word.split("=", 1)
        if key == "names":
            names = [x for x in value.split(",") if x]
            if len(names) != size:
                raise ValueError(f"cluster {size} needs {size} names, got {len(names)}")
            for reserved in ("leader", "all"):
                if reserved in names:
                    raise ValueError(f"{reserved!r} is a keyword of the scenario language, not a server name")
            opts["names"] = names
        elif key == "seed":
            opts["seed"] = parse_int(value, "seed")
        elif key == "timeout":
            cfg.election_timeout_min, cfg.election_timeout_max = parse_range(value, "timeout")
        elif key == "heartbeat":
            cfg.heartbeat_interval = parse_duration(value)
        elif key == "latency":
            net.latency_min, net.latency_max = parse_range(value, "latency")
        elif key == "persist":
            net.persist_latency = parse_duration(value)
        elif key == "backtrack":
            if value not in ("fast", "slow"):
                raise ValueError(f"backtrack is fast or slow, got {value!r}")
            cfg.fast_backtrack = value == "fast"
        elif key == "batch":
            cfg.max_entries_per_append = parse_int(value, "batch")
        elif key in ("prevote", "checkquorum"):
            if value not in ("on", "off"):
                raise ValueError(f"{key} is on or off, got {value!r}")
            setattr(cfg, "pre_vote" if key == "prevote" else "check_quorum", value == "on")
        elif key == "reads":
            cfg.read_mode = value
        elif key == "snapshot":
            cfg.snapshot_threshold = parse_int(value, "snapshot")
        elif key == "trailing":
            cfg.snapshot_trailing = parse_int(value, "trailing")
        elif key == "unsafe":
            for sw in value.split(","):
                cfg.unsafe.set(sw, True)
        elif key == "violations":
            if value not in ("stop", "continue"):
                raise ValueError(f"violations is stop or continue, got {value!r}")
            opts["stop_on_violation"] = value == "stop"
        elif key == "linearizability":
            if value not in ("on", "off"):
                raise ValueError(f"linearizability is on or off, got {value!r}")
            opts["watch_linearizability"] = value == "on"
        else:
            raise ValueError(f"unknown cluster option {key!r}")
    cfg.validate()
    net.validate()
    return opts


def network_options(args: list[str], net: NetworkConfig) -> NetworkConfig:
    """Apply ``loss=P duplicate=P reorder=P latency=MIN-MAX`` to ``net``."""
    if not args:
        raise ValueError("network needs at least one setting")
    for word in args:
        if "=" not in word:
            raise ValueError(f"expected key=value, got {word!r}")
        key, value = word.split("=", 1)
        if key == "latency":
            net.latency_min, net.latency_max = parse_range(value, "latency")
        elif key in ("loss", "duplicate", "reorder"):
            try:
                setattr(net, key, float(value))
            except ValueError:
                raise ValueError(f"{key} must be a number between 0 and 1, got {value!r}") from None
        else:
            raise ValueError(f"unknown network setting {key!r}")
    net.validate()
    return net
