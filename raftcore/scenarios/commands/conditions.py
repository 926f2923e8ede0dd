"""The conditions ``wait`` and ``expect`` take, one class each (see :mod:`.base`).

A condition looks at the cluster as the core holds it (the scenario language is part of the
core): who leads, each server's term, log, commit and applied index, snapshot and state
machine, a leader's matchIndex, the configuration, the checker's verdicts and the clients'
history. Server names are checked when the condition is evaluated (a server may be added by
the script before), everything else when the script is parsed.
"""

from __future__ import annotations

import re

from ...check.invariants import invariant_key
from ...check.linearizability import check_history
from ...node import Role
from .base import CONDITIONS, Condition, comparison, parse_int, servers

__all__ = ["parse_condition", "Leader", "NoLeader", "RoleIs", "TermIs", "LogIs", "CommitIs", "AppliedIs",
           "SnapshotIs", "MatchIs", "StateIs", "LogsEqual", "Members", "ViolationOf", "NoViolation", "Done",
           "Linearizable"]


def parse_condition(words: list[str]) -> Condition:
    """The condition these words write (ValueError naming every condition if none)."""
    if not words:
        raise ValueError("missing condition; conditions: " + "; ".join(c.syntax for c in CONDITIONS.values()))
    cls = CONDITIONS.get(words[0])
    if cls is None:
        raise ValueError(f"unknown condition {words[0]!r}; conditions: "
                         + "; ".join(c.syntax for c in CONDITIONS.values()))
    return cls(words)


class Leader(Condition):
    name = "leader"
    syntax = "leader [NAME] [term>=T]"
    doc = "there is a live leader (that one; of that term)"
    example = "wait leader S1 term>=2 within 2s"

    def parse(self, args):
        self.want, self.term_test = None, None
        for w in args:
            m = re.match(r"^term(>=|<=|=|>|<)(\d+)$", w)
            if m:
                self.term_test = comparison(m.group(1), m.group(2))
            elif self.want is None:
                self.want = w
            else:
                raise ValueError(f"unexpected {w!r} in leader condition")

    def holds(self, c):
        if self.want is not None:
            c.check_name(self.want)
        lead = c.leader()
        if lead is None or (self.want is not None and lead != self.want):
            return False
        return self.term_test is None or self.term_test(c.nodes[lead].current_term)


class NoLeader(Condition):
    name = "no-leader"
    syntax = "no-leader"
    doc = "no live server is leader"
    example = "wait no-leader within 1s"

    def holds(self, c):
        return c.leader() is None


class RoleIs(Condition):
    name = "role"
    syntax = "role NAME ROLE"
    doc = "the server has that role (follower, candidate, leader)"
    example = "expect role S4 candidate"

    def parse(self, args):
        if len(args) != 2 or args[1] not in [r.value for r in Role]:
            raise ValueError("role takes a server and follower|candidate|leader")

    def holds(self, c):
        names = servers(c, self.args[0])
        return bool(names) and all(str(c.nodes[n].role) == self.args[1] for n in names)


class _Compare(Condition):
    """``KIND NAME|all OP N``: one number of each named server compared."""

    def parse(self, args):
        if len(args) != 3:
            raise ValueError(f"{self.name} takes a server (or all), a comparison and a value")
        self.test = comparison(args[1], args[2])

    def value(self, node) -> int:
        raise ValueError(f"condition {self.name!r} compares nothing")

    def holds(self, c):
        return all(self.test(self.value(c.nodes[n])) for n in servers(c, self.args[0]))


class TermIs(_Compare):
    name = "term"
    syntax = "term NAME|all OP T"
    doc = "current term compares (OP is one of = >= <= > <)"
    example = "expect term all >= 2"

    def value(self, node):
        return node.current_term


class LogIs(_Compare):
    name = "log"
    syntax = "log NAME|all OP N"
    doc = "the last log index compares; `log NAME = 1,1,4` compares the terms"
    example = "expect log S2 = 1,1,4"

    def parse(self, args):
        self.terms = None
        if len(args) == 3 and ("," in args[2] or (args[1] == "=" and not args[2].isdigit())):
            self.terms = [parse_int(t, "a log term") for t in args[2].split(",") if t]
            return
        super().parse(args)

    def value(self, node):
        return node.log.last_index

    def holds(self, c):
        if self.terms is None:
            return super().holds(c)
        return all([c.nodes[n].log.term_at(i) for i in range(1, c.nodes[n].log.last_index + 1)] == self.terms
                   for n in servers(c, self.args[0]))


class CommitIs(_Compare):
    name = "commit"
    syntax = "commit NAME|all OP N"
    doc = "the commit index compares"
    example = "wait commit all >= 3 within 2s"

    def value(self, node):
        return node.commit_index


class AppliedIs(_Compare):
    name = "applied"
    syntax = "applied NAME|all OP N"
    doc = "last_applied compares"
    example = "expect applied S3 = 3"

    def value(self, node):
        return node.last_applied


class SnapshotIs(_Compare):
    name = "snapshot"
    syntax = "snapshot NAME|all OP N"
    doc = "the last index covered by the server's snapshot compares (0: none)"
    example = "wait snapshot S2 >= 10 within 5s"

    def value(self, node):
        return node.snapshot.index if node.snapshot else 0


class MatchIs(Condition):
    name = "match"
    syntax = "match LEADER FOLLOWERS OP N"
    doc = "the leader's match_index for each follower compares"
    example = "expect match S1 S3 >= 4"

    def parse(self, args):
        if len(args) != 4:
            raise ValueError("match takes a leader, a follower, a comparison and a value")
        self.test = comparison(args[2], args[3])

    def holds(self, c):
        c.check_name(self.args[0])
        lead = c.nodes[self.args[0]]
        return lead.role is Role.LEADER and all(self.test(lead.match_index.get(f, 0))
                                                for f in servers(c, self.args[1]))


class StateIs(Condition):
    name = "state"
    syntax = "state K=V on all|NAMES"
    doc = "each named live server's state machine has K=V (`K=` for absent)"
    example = "expect state x=3 on all"

    def parse(self, args):
        if len(args) != 3 or args[1] != "on" or "=" not in args[0]:
            raise ValueError("state takes K=V on all|NAMES")
        self.key, value = args[0].split("=", 1)
        self.want = value if value else None

    def holds(self, c):
        return all(c.nodes[n].state.get(self.key) == self.want for n in servers(c, self.args[2]))


class LogsEqual(Condition):
    name = "logs-equal"
    syntax = "logs-equal [NAMES]"
    doc = "the live servers' logs hold the same entries"
    example = "wait logs-equal within 2s"

    def parse(self, args):
        if len(args) > 1:
            raise ValueError("logs-equal takes at most one comma-separated list of servers")

    def holds(self, c):
        logs = [c.nodes[n].log.entries() for n in servers(c, self.args[0] if self.args else "all")]
        return all(log == logs[0] for log in logs)


class Members(Condition):
    name = "members"
    syntax = "members NAMES"
    doc = "the leader's configuration is exactly these servers, committed, no change pending"
    example = "wait members S1,S2,S3,S4 within 3s"

    def parse(self, args):
        if len(args) != 1:
            raise ValueError("members takes a comma-separated list of servers")
        self.want = tuple(sorted(x for x in args[0].split(",") if x))

    def holds(self, c):
        lead = c.leader()
        if lead is None or c.membership_queue:
            return False
        node = c.nodes[lead]
        return tuple(sorted(node.voters)) == self.want and node.config_index <= node.commit_index


class ViolationOf(Condition):
    name = "violation"
    syntax = "violation NAME|any"
    doc = "the invariant checker reported that violation (by key, e.g. `leader_completeness`, or by name)"
    example = 'expect violation "Election Safety"'

    def parse(self, args):
        if len(args) < 1:
            raise ValueError("violation takes an invariant key or name (quoted words allowed) or any")
        name = " ".join(args).strip('"')
        self.key = None if name == "any" else invariant_key(name)

    def holds(self, c):
        if self.key is None:
            return c.violation is not None
        return any(v.key == self.key for v in c.violations)


class NoViolation(Condition):
    name = "no-violation"
    syntax = "no-violation"
    doc = "the invariant checker reported nothing"
    example = "expect no-violation"

    def holds(self, c):
        return c.violation is None


class Done(Condition):
    name = "done"
    syntax = "done"
    doc = "every client operation has its reply"
    example = "wait done within 2s"

    def holds(self, c):
        return all(h.done for h in c.handles)


class Linearizable(Condition):
    name = "linearizable"
    syntax = "linearizable"
    doc = "the clients' history is linearizable"
    example = "expect linearizable"

    def holds(self, c):
        result = check_history(c.history)
        return result.ok and result.complete
