"""Values that never change once made, and so need no copying.

Time travel (:meth:`raftcore.sim.Cluster.snapshot`) deep-copies the whole simulation; the
messages on the wire, log entries, commands, configuration entries and snapshots are frozen
values, so a snapshot shares them instead of copying them — which is most of what it would
otherwise copy.
"""

from __future__ import annotations

import dataclasses


def _shared(self, memo):
    return self


def immutable(cls):
    """Class decorator (after ``@dataclass(frozen=True, slots=True)``): ``copy.deepcopy``
    returns the value itself. Only for classes whose instances, and everything they hold,
    are never mutated. It also gives the class a faster ``__init__`` (see :func:`_fast_init`)."""
    cls.__deepcopy__ = _shared
    cls.__copy__ = lambda self: self
    _fast_init(cls)
    return cls


def _fast_init(cls) -> None:
    """Replace a frozen, slotted dataclass's ``__init__`` by one that does the same faster.

    A frozen dataclass forbids ``self.x = ...``, so the ``__init__`` that ``@dataclass``
    writes stores each field with ``object.__setattr__(self, "x", x)``: a global, an attribute
    lookup and a generic call per field. Messages are made by the hundred thousand in a
    simulation (about one per delivery), so this writes the same ``__init__`` — the same
    parameters, defaults and order — storing each field through its slot's own descriptor
    (``cls.x.__set__``, looked up once here), which is what ``object.__setattr__`` ends up
    calling anyway: a third faster, and the instance is the same, as frozen as before.

    Classes this does not fit (no slots, a ``__post_init__``, default factories, keyword-only
    or ``init=False`` fields) keep the ``__init__`` that ``@dataclass`` wrote.
    """
    params = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
    if (not params or not cls.__dataclass_params__.frozen or "__slots__" not in cls.__dict__
            or hasattr(cls, "__post_init__")
            or any(not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING for f in params)):
        return
    names = [f.name for f in params]
    setters = {f"_set_{n}": getattr(cls, n).__set__ for n in names}
    defaults = {f"_default_{f.name}": f.default for f in params if f.default is not dataclasses.MISSING}
    signature = ", ".join(n if f"_default_{n}" not in defaults else f"{n}=_default_{n}" for n in names)
    body = "".join(f"        _set_{n}(self, {n})\n" for n in names)
    source = (f"def make({', '.join([*setters, *defaults])}):\n"
              f"    def __init__(self, {signature}):\n{body}"
              f"    return __init__\n")
    namespace: dict = {}
    exec(source, namespace)  # as @dataclass makes its own __init__
    init = namespace["make"](**setters, **defaults)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init
