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

    A frozen dataclass forbids ``self.x = ...`` (its ``__setattr__`` raises), so the
    ``__init__`` that ``@dataclass`` writes stores each field with
    ``object.__setattr__(self, "x", x)``: a global, an attribute lookup and a generic call per
    field. Messages are made by the hundred thousand in a simulation (about one per
    delivery), so this writes the same ``__init__`` — the same parameters, defaults and
    order — that fills the fields while the new instance is, for those few lines, of a
    *builder* class: a plain class with the same slots (the same memory layout, so Python
    allows the ``__class__`` switch), on which ``self.x = x`` is an ordinary store. The
    instance then becomes the frozen class again, before anyone else sees it: the same
    value, as frozen as before, about 40% faster to make than through each slot's descriptor
    (0.56 → 0.36 µs for an ``AppendEntriesReply`` on CPython 3.11, 1.46 → 0.83 in Pyodide).

    Classes this does not fit (slots other than the fields, a ``__post_init__``, default
    factories, keyword-only or ``init=False`` fields) keep the ``__init__`` that
    ``@dataclass`` wrote; so does an instance of a subclass (its layout may differ).
    """
    params = dataclasses.fields(cls) if dataclasses.is_dataclass(cls) else ()
    names = tuple(f.name for f in params)
    if (not params or not cls.__dataclass_params__.frozen or tuple(cls.__dict__.get("__slots__", ())) != names
            or hasattr(cls, "__post_init__")
            or any(not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING for f in params)):
        return
    builder = type(f"{cls.__name__}Builder", (), {"__slots__": names, "__module__": cls.__module__})
    defaults = {f"_default_{f.name}": f.default for f in params if f.default is not dataclasses.MISSING}
    signature = ", ".join(n if f"_default_{n}" not in defaults else f"{n}=_default_{n}" for n in names)
    arguments = ", ".join(names)
    body = "".join(f"        self.{n} = {n}\n" for n in names)
    source = (f"def make(_cls, _builder, _set_class, _dataclass_init, {', '.join(defaults)}):\n"
              f"    def __init__(self, {signature}):\n"
              f"        if type(self) is not _cls:\n"
              f"            return _dataclass_init(self, {arguments})\n"
              f"        _set_class(self, '__class__', _builder)\n{body}"
              f"        self.__class__ = _cls\n"
              f"    return __init__\n")
    namespace: dict = {}
    exec(source, namespace)  # as @dataclass makes its own __init__
    init = namespace["make"](cls, builder, object.__setattr__, cls.__init__, **defaults)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init
