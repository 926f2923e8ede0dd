"""The nemesis: the fault schedule a run draws from its seed (partitions, crashes, slow links,
lossy periods, leader churn, membership changes, transfers, pauses, clock skew, stale-leader
windows), and the closed-loop clients that keep writing and reading while it strikes."""

from __future__ import annotations

import math

from ..node import Role
from .settings import MAX_CLIENTS, MAX_SERVERS

#: Simulated ms between two nemesis/client ticks.
TICK_MS = 10.0
KEYS = ("x", "y")
#: The closed-loop clients' names, c1, c2, …: a run has the first ``settings.clients`` of them.
CLIENT_NAMES = tuple(f"c{k}" for k in range(1, MAX_CLIENTS + 1))
#: The shapes a partition takes (Jepsen's nemeses): the target (the leader, half of the time)
#: alone; the target with a minority; random majority/minority halves; two halves joined only
#: by a bridge server; a ring where each server sees a majority and no two the same one;
#: one direction of some of the target's links.
#: "stale": the target's side is cut off and the links back to it turn slow at the same
#: moment, so the deposed side learns of a new term late (a stale-leader window).
PARTITIONS = ("isolate", "minority", "halves", "bridge", "ring", "oneway", "stale")
#: How many servers a crash kills: the target, the target and a minority, a majority, all.
CRASHES = ("one", "one", "minority", "majority", "all")
FAULT_KINDS = PARTITIONS + ("crash", "slow", "flaky", "churn", "membership", "transfer", "pause", "skew", "window")
#: How a stale-leader window is built (:meth:`Nemesis._window`): the leader cut off right after
#: a heartbeat round a majority acknowledged, or, first, the followers that acknowledged it
#: restarted (issue 13's bug 1).
WINDOWS = ("cut", "restart")
#: A stale-leader window gives up if it has not reached its read within this many ms of
#: being armed, and waits at most WINDOW_WAIT_MS for a calm moment to be armed in.
WINDOW_MS = 1000.0
WINDOW_WAIT_MS = 3000.0
#: The window's own clients: a write through the new leader, then a read at the old one.
WINDOW_CLIENTS = ("nemesis-w", "nemesis-r")
#: Clock-skew events per simulated second when clocks drift (``drift`` > 0).
SKEW_RATE = 1.0
#: Membership requests per simulated second, when membership changes are on.
MEMBERSHIP_RATE = 3.0


class Nemesis:
    """The nemesis half of :class:`~raftcore.lab.run.LabRun`: what strikes the cluster on
    each tick, and how each fault is made and undone. A mixin: it works on the run's state
    (``cluster``, ``settings``, ``rng``, the active faults), which ``LabRun.__init__`` sets up;
    its methods are the run's own, so a snapshot of the run holds the nemesis too."""

    def _act(self, kind: str, text: str) -> None:
        self.faults[kind] = self.faults.get(kind, 0) + 1
        self.actions.append((self.steps, self.cluster.now, text))

    def _tick(self) -> None:
        c, s, rng, p = self.cluster, self.settings, self.rng, self._p
        now = c.now
        leaders = c.leaders()
        if not leaders:
            self.leaderless += TICK_MS
        elif len(leaders) > 1:
            self.stale_leader += TICK_MS  # a deposed leader that does not know it yet (§5.1)
        # End the faults whose time is up, in a fixed order. A partition that ends is, half of
        # the time, replaced at once by another: the network changes shape without healing,
        # so servers cut off during one election meet again only after the next.
        if self.partition_until is not None and now >= self.partition_until:
            self.partition_until = None
            self._heal()
            if s.partitions and rng.random() < 0.5:
                self._partition()
        for name in sorted(self.down_until) if self.down_until else ():
            if now >= self.down_until[name]:
                del self.down_until[name]
                c.restart(name)
                self.actions.append((self.steps, now, f"restart {name}"))
        for name in sorted(self.slow_until) if self.slow_until else ():
            until, links = self.slow_until[name]
            if now >= until:
                del self.slow_until[name]
                for a, b in links:
                    c.set_link_delay(a, b, 0.0)
                self.actions.append((self.steps, now, f"{name} fast again"))
        if self.flaky_until is not None and now >= self.flaky_until:
            self.flaky_until = None
            c.network.loss = s.loss
            self.actions.append((self.steps, now, "network reliable again"))
        if self.window is not None and now >= self.window["until"]:
            self._window_over("gives up" if self.window["stage"] != "waiting" else "found no calm moment")
        elif self.window is not None and self.window["stage"] == "waiting":
            self._window_arm()
        if self.window is not None and self.window["stage"] != "waiting":
            # A stale-leader window under way needs the cluster as it built it: no new fault
            # (a window lasts a few hundred ms at most).
            self._clients()
            return
        # Start new faults: each kind is a Poisson process of the given rate.
        if s.partitions and self.partition_until is None and rng.random() < s.partitions * p:
            self._partition()
        if s.crashes and "crash" in self.kinds and rng.random() < s.crashes * p:
            self._crash()
        if s.slow and "slow" in self.kinds and rng.random() < s.slow * p:
            self._slow()
        if s.flaky and "flaky" in self.kinds and self.flaky_until is None and rng.random() < s.flaky * p:
            loss = rng.uniform(0.2, 0.6)
            c.network.loss = max(s.loss, loss)
            self.flaky_until = now + self._fault_length(50, 1000)
            self._act("flaky", f"network loses {100 * loss:.0f}% of messages")
        if s.membership and "membership" in self.kinds and rng.random() < MEMBERSHIP_RATE * p:
            self._membership()
        if s.transfers and "transfer" in self.kinds and rng.random() < s.transfers * p:
            self._transfer()
        if s.pauses and "pause" in self.kinds and rng.random() < s.pauses * p:
            self._pause()
        if s.drift and "skew" in self.kinds and rng.random() < SKEW_RATE * p:
            self._skew()
        if s.windows and "window" in self.kinds and rng.random() < s.windows * p:
            self._window()  # (self.window is None here)
        self._clients()

    def _heal(self) -> None:
        c = self.cluster
        c.heal()
        for a, b in self.stale_links:
            if (a, b) not in self._slowed():
                c.set_link_delay(a, b, 0.0)
        self.stale_links = []
        self.actions.append((self.steps, c.now, "heal"))

    def _slowed(self) -> set[tuple[str, str]]:
        """Links a slow-server fault holds slow (a healed partition leaves them slow)."""
        return {link for _, links in self.slow_until.values() for link in links}

    def _transfer(self) -> None:
        """An operator asks the leader to hand leadership to another voter (thesis §3.10):
        its TimeoutNow-driven election disregards stickiness and breaks the leader's lease."""
        c, rng = self.cluster, self.rng
        lead = c.leader()
        if lead is None:
            return
        voters = [n for n in c.nodes[lead].voters if n != lead and c.alive(n)]
        if not voters:
            return
        to = rng.choice(voters)
        try:
            c.transfer_leadership(to)
        except ValueError:
            return  # refused (e.g. the leader is being removed): an operator's request may fail
        self._act("transfer", f"transfer leadership {lead} -> {to}")

    def _pause(self) -> None:
        """Process pause (Jepsen): the target stops taking steps — no timers, messages wait
        in its socket — while its clock runs on; it resumes after a few ms to seconds and
        first handles everything that waited. A paused leader does not know it was deposed."""
        c = self.cluster
        who = self._target()
        if not c.alive(who) or who in self.paused:
            return
        until = c.now + self._fault_length(20, 2000)
        c.pause(who, until)
        self.paused[who] = until
        self._act("pause", f"pause {who} for {until - c.now:.0f}ms")

    def _skew(self) -> None:
        """Clock skew within the bound (Jepsen's clock nemesis): the target's clock (the
        leader's half of the time) slows towards 1 − ε and every other clock speeds up towards
        1 + ε — the worst case for a lease, which the leader measures on its own clock while
        the followers' stickiness runs on theirs (thesis §6.4)."""
        c, rng, e = self.cluster, self.rng, self.settings.drift
        who = self._target()
        for name in self._servers():
            u = rng.uniform(0.5, 1.0)
            c.set_clock_rate(name, 1.0 - e * u if name == who else 1.0 + e * u)
        self._act("skew", f"clock of {who} slow, the others fast (drift bound {e:g})")

    def _elected(self) -> None:
        """A leader was just elected (the checker records every election as it happens).
        Leader churn strikes it, with probability ``churn``, within a few ms: before its
        first entries are everywhere, when a new term's state is most fragile — unless it is
        the successor a stale-leader window is waiting for (its write goes through it)."""
        elected = self.cluster.checker.leader_of_term
        self.elections = len(elected)
        term = next(reversed(elected))  # the latest election (dicts keep insertion order)
        w = self.window
        if w is not None and w["stage"] != "waiting":  # no churn while a window runs
            if w["stage"] in ("timeout", "elect") and elected[term] != w["leader"]:
                self._window_write(elected[term])
            return
        s = self.settings
        if s.churn and "churn" in self.kinds and self.strike is None and self.rng.random() < s.churn:
            self.strike = (self.cluster.now + self.rng.uniform(0, 60), elected[term], term)

    def _strike(self, who: str) -> None:
        """Leader churn: the nemesis turns to the new leader. Whatever partition it had made
        ends — the servers it cut off, the previous leader among them, come back a term or
        more behind — and the new leader is cut off alone or killed (often only for a bounce)."""
        c = self.cluster
        self.faults["churn"] = self.faults.get("churn", 0) + 1
        if self.partition_until is not None:
            self.partition_until = None
            self._heal()
        if self.rng.random() < 0.5:
            self._partition("isolate", who)
        else:
            self._crash(who)

    # ------------------------------------------------------------ stale-leader windows

    def _window(self) -> None:
        """A stale-leader window, built on purpose (thesis §6.4; issue 13): the moments a
        deposed leader can still answer a read are few and short, so random faults almost
        never meet them. The nemesis arms the window on the leader L: L's clock slows to
        1 − ε and every other clock speeds up to 1 + ε (the drift bound: the worst case for a
        lease), and it waits for the first heartbeat round L starts after that and a majority
        acknowledges (:meth:`_window_watch`). At that moment —

        * ``cut``: L is cut off. As soon as every other voter's leader stickiness (a minimum
          election timeout on its own fast clock) has run out, one of them, B, times out;
        * ``restart``: first B is cut off from L (both ways), so that only the others keep
          acknowledging L; when L's round is confirmed, the others crash and restart at once
          (issue 13's bug 1: a restart must not forget the stickiness promise), L is cut off
          and B times out at once —

        then a client writes through B as soon as it is elected, and, just after that write
        is acknowledged, another client reads at L. Raft (with CheckQuorum, leases that allow
        for the drift, ReadIndex's confirming round, stickiness kept across restarts) answers
        that read with the new value or not at all; each rule removed shows as a
        non-linearizable history. Forcing B's timeout keeps every promise L's lease counts
        on: for ``cut``, B's timer has run a minimum election timeout on its own clock since
        B last heard from L (B's own stickiness); for ``restart``, L's lease rests on a round
        B never acknowledged (it was cut off before), so only the restarted servers'
        promise stands between B and the election — the rule under test.

        A window needs a calm moment to start from: a leader, every voter up and caught up, a
        network that mostly delivers. So the nemesis *waits* for one (up to
        :data:`WINDOW_WAIT_MS`, every other fault going on meanwhile), then arms the window
        (:meth:`_window_arm`); from then until its read no other fault starts (a few hundred
        ms). Waiting in calm instead would starve the other faults of the moments they need
        (leader churn's Figure 8 among them)."""
        if self.window is None:
            self.window = {"stage": "waiting", "due": None, "until": self.cluster.now + WINDOW_WAIT_MS}
            self._window_arm()

    def _window_arm(self) -> None:
        c, rng = self.cluster, self.rng
        lead = c.leader()
        if lead is None or lead in self.paused or self.flaky_until is not None \
                or any(self._client_busy(name) for name in WINDOW_CLIENTS):
            return  # it needs a leader, a network that mostly delivers, and its clients free
        node = c.nodes[lead]
        others = [n for n in node.voters if n != lead]
        if not others or any(not c.alive(n) or n in self.paused or n not in node.progress
                             or node.progress[n].match_index < node.commit_index for n in others):
            return  # and every voter up and caught up: a successor elected without delay
        kind = rng.choice(WINDOWS)
        b = rng.choice(others)
        # The window takes over: no churn strike pending, no partition but its own, no slow link.
        self.strike = None
        if self.partition_until is not None:
            self._heal()
        for name in sorted(self.slow_until):
            for x, y in self.slow_until.pop(name)[1]:
                c.set_link_delay(x, y, 0.0)
        self.partition_until = c.now + WINDOW_MS + self._fault_length(10, 2000)
        e = self.settings.drift
        if e:
            for x in self._servers():
                c.set_clock_rate(x, 1.0 - e if x == lead else 1.0 + e)
        text = f"stale-leader window ({kind}) on {lead}, successor {b}"
        if kind == "restart":
            c.cut(lead, b)
            c.cut(b, lead)
            text += f"; cut {lead}<->{b}"
        key = KEYS[rng.randrange(len(KEYS))]
        self.window = {"kind": kind, "leader": lead, "successor": b, "stage": "armed", "due": None,
                       "round": c.nodes[lead].round, "term": c.nodes[lead].current_term, "key": key,
                       "until": c.now + WINDOW_MS}
        self._act(f"window:{kind}", text)

    def _client_busy(self, name: str) -> bool:
        cl = self.cluster.clients.get(name)
        return cl is not None and (cl.current is not None or bool(cl.queue))

    def _window_watch(self) -> None:
        """After each simulator event while a window is armed or waits for its write: has L
        just had a round confirmed, or has the write been acknowledged?"""
        w, c = self.window, self.cluster
        if w["stage"] == "armed":
            lead = w["leader"]
            node = c.nodes[lead]
            if not c.alive(lead) or node.role is not Role.LEADER or node.current_term != w["term"]:
                self._window_over("lost its leader")
            elif node.round > w["round"] and node.confirmed_round() == node.round:
                self._window_cut()
        elif w["stage"] == "write" and not self._client_busy(WINDOW_CLIENTS[0]):
            # Just after the write was acknowledged (an operation invoked at the very time
            # another completes counts as concurrent with it).
            w["stage"], w["due"] = "read", c.now + 0.1

    def _window_cut(self) -> None:
        """L's round was just confirmed by a majority: cut L off (after restarting the
        others, for ``restart``), and time B out when the stickiness allows."""
        w, c = self.window, self.cluster
        lead, b = w["leader"], w["successor"]
        names = [n for n in c.nodes[lead].voters if n != lead]
        if w["kind"] == "restart":
            for x in names:
                if x != b and c.alive(x):
                    c.crash(x)
                    c.restart(x)
                    self.paused.pop(x, None)
                    self.down_until.pop(x, None)
            due = c.now
        else:
            # As early as the lease's promise allows: B's timer after a minimum election
            # timeout on its own clock since it last heard from L (its own stickiness, which
            # keeps it from voting, even for itself), and its PreVote reaching each other
            # voter once that voter's stickiness has run out (no message is faster than the
            # network's minimum latency). Thesis §4.2.3, §6.4.
            due = c.now
            for x in names:
                if c.alive(x):
                    node = c.nodes[x]
                    ends = max(node.leader_contact + c.config.election_timeout_min, node.restart_fence)
                    if ends != float("-inf"):
                        t = c.clocks[x].real(ends)
                        due = max(due, t if x == b else t - c.network.latency_min)
        c.partition([lead])
        w["stage"], w["due"] = "timeout", due
        self.actions.append((self.steps, c.now, f"window: {lead}'s round confirmed; "
                                                 + ("restart " + ",".join(x for x in names if x != b) + "; "
                                                    if w["kind"] == "restart" else "")
                                                 + f"isolate {lead}; {b} times out at {due:.1f}ms"))

    def _window_due(self) -> None:
        """The window's timed steps: B times out; the read at the old leader."""
        w, c = self.window, self.cluster
        w["due"] = None
        if w["stage"] == "timeout":
            b = w["successor"]
            w["stage"] = "elect"
            if c.alive(b) and b not in self.paused and c.nodes[b].role is not Role.LEADER:
                c.timeout(b)
        elif w["stage"] == "read":
            c.read(w["key"], client=WINDOW_CLIENTS[1], server=w["leader"])
            self.actions.append((self.steps, c.now, f"window: read {w['key']} at {w['leader']}"))
            self.window = None

    def _window_write(self, new: str) -> None:
        w, c = self.window, self.cluster
        self.op += 1
        value = str(self.op)
        self.written[w["key"]].append(value)
        c.submit(f"SET {w['key']} {value}", client=WINDOW_CLIENTS[0], server=new)
        w["stage"] = "write"
        self.actions.append((self.steps, c.now, f"window: {new} elected; write {w['key']}={value} through it"))

    def _window_over(self, why: str) -> None:
        self.actions.append((self.steps, self.cluster.now, f"window {why}"))
        self.window = None

    def _servers(self) -> list[str]:
        return list(self.cluster.names)  # in creation order: S1.., then servers added later

    def _target(self) -> str:
        """The leader half of the time (the server whose failure matters most), else anyone."""
        c, rng = self.cluster, self.rng
        lead = c.leader()
        live = [n for n in self._servers() if c.alive(n)] or self._servers()
        if lead is not None and rng.random() < 0.5:
            return lead
        return rng.choice(live)

    def _fault_length(self, lo: float, hi: float) -> float:
        """Log-uniform: as many short faults (about an election timeout) as long ones."""
        return math.exp(self.rng.uniform(math.log(lo), math.log(hi)))

    def _partition(self, kind: str | None = None, who: str | None = None) -> None:
        c, rng = self.cluster, self.rng
        names = self._servers()
        n = len(names)
        if kind is None:
            if not self.partition_kinds:
                return
            kind = rng.choice(self.partition_kinds)
        if who is None:
            who = self._target()
        others = [x for x in names if x != who]
        rng.shuffle(others)
        if kind == "isolate":          # the leader (or anyone) alone
            c.partition([who])
            text = f"isolate {who}"
        elif kind == "minority":       # the target with a minority of its own
            k = rng.randrange(0, max(1, (n - 1) // 2))
            side = [who] + others[:k]
            c.partition(side)
            text = f"partition {','.join(side)} | rest"
        elif kind == "halves":         # random majority / minority halves
            k = rng.randrange(1, n // 2 + 1)
            side = others[:k] if rng.random() < 0.5 else [who] + others[:k - 1]
            c.partition(side)
            text = f"partition {','.join(side)} | rest"
        elif kind == "bridge":         # two halves that only the bridge server connects
            ring = [who] + others
            bridge, rest = ring[-1], ring[:-1]
            a, b = rest[:len(rest) // 2], rest[len(rest) // 2:]
            for x in a:
                for y in b:
                    c.cut(x, y)
                    c.cut(y, x)
            text = f"bridge {','.join(a)} <{bridge}> {','.join(b)}"
        elif kind == "ring":           # everyone sees a majority, no two the same majority
            ring = [who] + others
            reach = (n // 2 + 1) // 2  # neighbours on each side: with itself, a majority
            for i, x in enumerate(ring):
                for j, y in enumerate(ring):
                    if min((i - j) % n, (j - i) % n) > reach:
                        c.cut(x, y)
            text = f"majorities ring {','.join(ring)}"
        elif kind == "stale":           # cut off, and news from the others arrives late
            k = rng.randrange(0, max(1, (n - 1) // 2))
            side = [who] + others[:k]
            rest = [x for x in names if x not in side]
            extra = rng.uniform(100, 600)
            for x in side:
                for y in rest:
                    c.cut(x, y)
                    if (y, x) not in self._slowed():
                        c.set_link_delay(y, x, extra)
                        self.stale_links.append((y, x))
            text = f"cut {','.join(side)} off, links back +{extra:.0f}ms"
        else:                           # one direction of some of the target's links
            outgoing = rng.random() < 0.5
            cut = others[:rng.randrange(1, n)]
            for y in cut:
                c.cut(who, y) if outgoing else c.cut(y, who)
            text = f"cut {who}->{','.join(cut)}" if outgoing else f"cut {','.join(cut)}->{who}"
        if kind in ("isolate", "minority", "stale") and self.settings.drift:
            # The stale-leader window at its widest: at the moment the target's side is cut
            # off, its clocks slow and the others' speed up, within the drift bound — the
            # worst case for a lease, measured on the (maybe deposed) leader's clock while the
            # followers' stickiness runs on theirs (thesis §6.4).
            e = self.settings.drift
            cut_off = {who} if kind == "isolate" else set(side)
            for x in names:
                c.set_clock_rate(x, 1.0 - e if x in cut_off else 1.0 + e)
            text += "; clocks skewed"
        self.partition_until = c.now + self._fault_length(50, 3000)
        self._act(f"partition:{kind}", text)

    def _crash(self, who: str | None = None) -> None:
        """Kill servers (Jepsen's kill nemesis): the target alone, or a minority, a majority or
        every server at once; they restart together after a bounce of a few ms or an outage of
        seconds. A restart loses everything but the disk."""
        c, rng = self.cluster, self.rng
        if who is None:
            who = self._target()
            kind = rng.choice(CRASHES)
        else:
            kind = "one"
        live = [n for n in self._servers() if c.alive(n) and n != who]
        rng.shuffle(live)
        n = len(c.members)
        k = {"one": 0, "minority": (n - 1) // 2 - 1, "majority": n // 2, "all": len(live)}[kind]
        victims = [x for x in [who] + live[:max(0, k)] if c.alive(x)]
        if not victims:
            return
        until = c.now + self._fault_length(5, 3000)
        for x in victims:
            c.crash(x)
            self.paused.pop(x, None)  # a crash ends a pause: the restarted process runs
            self.down_until[x] = until
        self._act(f"crash:{kind}", f"crash {','.join(victims)}")

    def _slow(self) -> None:
        """Timer skew, as a network can make it: one server's messages (out, in or both) take
        up to an election timeout longer, so it sees everything late and is seen late."""
        c, rng = self.cluster, self.rng
        who = self._target()
        if who in self.slow_until:
            return
        extra = rng.uniform(20, 300)
        way = rng.choice(("out", "in", "both"))
        links = []
        for y in self._servers():
            if y == who:
                continue
            if way in ("out", "both"):
                links.append((who, y))
            if way in ("in", "both"):
                links.append((y, who))
        for a, b in links:
            c.set_link_delay(a, b, extra)
        self.slow_until[who] = (c.now + self._fault_length(50, 3000), links)
        self._act("slow", f"slow {who} {way} +{extra:.0f}ms")

    def _membership(self) -> None:
        """An operator's request: add or remove a server, replace one by another, or grow or
        shrink the cluster by two — asked for at once, and without waiting for earlier
        requests to be carried out, as an impatient operator would. Carrying the changes out
        one server at a time (thesis §4.1) is the cluster's job."""
        c, rng = self.cluster, self.rng
        members = list(c.members)
        candidates = [n for n in self._servers() if n not in members and c.alive(n)] + self.spares[:2]
        n = len(members)
        ops = {"add": (1, 0), "remove": (0, 1), "replace": (1, 1), "grow": (2, 0), "shrink": (0, 2)}
        allowed = [k for k, (add, remove) in ops.items()
                   if add <= len(candidates) and 3 <= n + add - remove <= MAX_SERVERS and n - remove >= 3]
        if not allowed:
            return
        kind = rng.choice(allowed)
        add, remove = ops[kind]
        done = []
        for new in rng.sample(candidates, add):
            if new in self.spares:
                self.spares.remove(new)
            c.add_server(new)
            done.append(f"add {new}")
        for _ in range(remove):
            old = self._target() if rng.random() < 0.5 else None  # the leader half of the time
            if old not in members:
                old = rng.choice(members)
            members.remove(old)
            c.remove_server(old)
            done.append(f"remove {old}")
        self._act(f"membership:{kind}", "; ".join(done))

    def _clients(self) -> None:
        """Closed-loop clients: an idle client thinks for a while (uniformly up to twice
        ``think``), then issues its next operation on one of KEYS."""
        c, rng = self.cluster, self.rng
        think = self.settings.think
        for client in CLIENT_NAMES[:self.settings.clients]:
            cl = c.clients.get(client)
            if cl is not None and (cl.current is not None or cl.queue):
                continue
            ready = self.ready_at.get(client)
            if ready is None and think:
                self.ready_at[client] = c.now + rng.uniform(0, 2 * think)
                continue
            if ready is not None and c.now < ready:
                continue
            self.ready_at.pop(client, None)
            self.op += 1
            key = KEYS[rng.randrange(len(KEYS))]
            r = rng.random()
            written = self.written[key]
            # Half of the operations go to a server drawn at random (as Jepsen's clients are
            # bound to nodes), the others where the client's last answer came from: so some
            # reach a deposed leader while others already write through its successor.
            server = None
            if rng.random() < 0.5:
                live = [n for n in self._servers() if c.alive(n)]
                server = rng.choice(live) if live else None
            if r < 0.35:
                value = str(self.op)  # every value written is unique: a stale read cannot hide
                written.append(value)
                c.submit(f"SET {key} {value}", client=client, server=server)
            elif r < 0.5:
                c.submit(f"INC {key}", client=client, server=server)
            elif r < 0.6 and written:
                old = written[-1 - rng.randrange(min(3, len(written)))]
                value = str(self.op)
                written.append(value)
                c.submit(f"CAS {key} {old} {value}", client=client, server=server)
            else:
                c.read(key, client=client, server=server)
