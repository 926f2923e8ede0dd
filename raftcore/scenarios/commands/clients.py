"""``submit`` and ``read``: clients of the replicated key-value store (§8, thesis §6)."""

from __future__ import annotations

from ...kv import parse_command
from .base import ScriptCommand, client_options

__all__ = ["Submit", "Read"]


class _ClientCommand(ScriptCommand):
    @classmethod
    def execute(cls, run, step):
        client, server, words = client_options(step.args)
        if server is not None:
            server = run.resolve(server)
        h = cls.send(run.cluster, words, client, server)
        return f"{h.client}#{h.seq} {h.command}" + (f" to {server}" if server else "")

    @classmethod
    def send(cls, cluster, words: list[str], client: str | None, server: str | None):
        raise ValueError(f"{cls.name!r} sends nothing")


class Submit(_ClientCommand):
    name = "submit"
    syntax = "submit COMMAND [client=NAME] [server=NAME|leader]"
    help = ("A client submits a KV command, first to `server` (default: the server that answered its "
            "last operation, else the first one); it follows redirects and retries on timeouts.")
    example = "submit SET x 1 client=alice server=leader"

    @classmethod
    def validate(cls, args):
        parse_command(" ".join(client_options(args)[2]))

    @classmethod
    def send(cls, cluster, words, client, server):
        return cluster.submit(" ".join(words), client, server)


class Read(_ClientCommand):
    name = "read"
    syntax = "read KEY [client=NAME] [server=NAME|leader]"
    help = "A client reads a key through the configured read path (ReadIndex unless `reads=`)."
    example = "read x client=bob server=S1"

    @classmethod
    def validate(cls, args):
        if len(client_options(args)[2]) != 1:
            raise ValueError("read takes one key")

    @classmethod
    def send(cls, cluster, words, client, server):
        return cluster.read(words[0], client, server)
