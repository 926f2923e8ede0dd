"""Faults: crashes and restarts, partitions and cut links, slow links, a lossy network, and
the unsafe switches that remove one rule of the algorithm."""

from __future__ import annotations

from ...config import UNSAFE_SWITCHES
from ...sim import NetworkConfig
from .base import ScriptCommand, parse_duration
from .cluster import network_options

__all__ = ["Crash", "Restart", "Isolate", "Partition", "Cut", "Heal", "Delay", "Network", "Unsafe"]


class _OneServer(ScriptCommand):
    @classmethod
    def validate(cls, args):
        if len(args) != 1:
            raise ValueError(f"{cls.name} takes one server name")


class Crash(_OneServer):
    name = "crash"
    syntax = "crash NAME|leader"
    help = "Crash a server: it stops; only its disk survives."
    example = "crash leader"

    @classmethod
    def execute(cls, run, step):
        run.cluster.crash(run.resolve(step.args[0]))
        return "ok"


class Restart(_OneServer):
    name = "restart"
    syntax = "restart NAME|all"
    help = "Restart a crashed server from its disk (`all`: every crashed server)."
    example = "restart S1"

    @classmethod
    def execute(cls, run, step):
        c = run.cluster
        if step.args[0] == "all":
            for name in [x for x in c.names if not c.alive(x)]:
                c.restart(name)
        else:
            c.restart(run.resolve(step.args[0]))
        return "ok"


class Isolate(_OneServer):
    name = "isolate"
    syntax = "isolate NAME|leader"
    help = "Cut a server off from all others."
    example = "isolate S2"

    @classmethod
    def execute(cls, run, step):
        run.cluster.isolate(run.resolve(step.args[0]))
        return "ok"


class Partition(ScriptCommand):
    name = "partition"
    syntax = "partition A,B | C,D,E"
    help = "Split the network into groups that cannot talk."
    example = "partition S1,S2 | S3,S4,S5"

    @classmethod
    def validate(cls, args):
        if "|" not in " ".join(args):
            raise ValueError("partition needs at least two groups separated by '|'")

    @classmethod
    def execute(cls, run, step):
        groups = [g.strip() for g in " ".join(step.args).split("|")]
        run.cluster.partition(*[[x for x in g.replace(" ", ",").split(",") if x] for g in groups])
        return "ok"


class Cut(ScriptCommand):
    name = "cut"
    syntax = "cut A->B [C->D ..]"
    help = "Cut one direction of a link."
    example = "cut S1->S3"

    @classmethod
    def validate(cls, args):
        if not args or any("->" not in x for x in args):
            raise ValueError("cut takes links written A->B")

    @classmethod
    def execute(cls, run, step):
        links = [tuple(run.resolve(x) for x in link.split("->")) for link in step.args]  # all checked first
        for src, dst in links:
            run.cluster.cut(src, dst)
        return "ok"


class Heal(ScriptCommand):
    name = "heal"
    syntax = "heal"
    help = "Remove every partition and cut."
    example = "heal"

    @classmethod
    def validate(cls, args):
        if args:
            raise ValueError("heal takes no arguments")

    @classmethod
    def execute(cls, run, step):
        run.cluster.heal()
        return "ok"


class Delay(ScriptCommand):
    name = "delay"
    syntax = "delay A->B DURATION"
    help = "Add extra one-way delay to a link (0 removes it)."
    example = "delay S1->S3 400ms"

    @classmethod
    def validate(cls, args):
        if len(args) != 2 or "->" not in args[0]:
            raise ValueError("delay takes a link A->B and a duration")
        parse_duration(args[1])

    @classmethod
    def execute(cls, run, step):
        src, dst = step.args[0].split("->")
        run.cluster.set_link_delay(run.resolve(src), run.resolve(dst), parse_duration(step.args[1]))
        return "ok"


class Network(ScriptCommand):
    name = "network"
    syntax = "network [loss=P] [duplicate=P] [reorder=P] [latency=MIN-MAX]"
    help = "Change the network's fault rates and latency."
    example = "network loss=0.1 reorder=0.2"

    @classmethod
    def validate(cls, args):
        network_options(args, NetworkConfig())

    @classmethod
    def execute(cls, run, step):
        network_options(step.args, run.cluster.network)
        return "ok"


class Unsafe(ScriptCommand):
    name = "unsafe"
    syntax = "unsafe SWITCH on|off"
    help = "Flip an unsafe switch (removes one rule)."
    example = "unsafe multiple_votes_per_term on"

    @classmethod
    def validate(cls, args):
        if len(args) != 2 or args[1] not in ("on", "off"):
            raise ValueError("unsafe takes a switch name and on|off")
        if args[0] not in UNSAFE_SWITCHES:
            raise ValueError(f"unknown unsafe switch {args[0]!r}; switches: {', '.join(UNSAFE_SWITCHES)}")

    @classmethod
    def execute(cls, run, step):
        run.cluster.set_unsafe(step.args[0], step.args[1] == "on")
        return "ok"
