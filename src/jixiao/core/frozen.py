"""A faster __init__ for the frozen dataclasses built in the hot path (findings, rows, scores).

The __init__ that dataclasses generates for a frozen class sets every field through
object.__setattr__, a microsecond or two per object; reading and checking a form builds dozens of
them. `fast_init` gives the class an __init__ with the same parameters, defaults and default
factories that stores the same values in the instance's __dict__ in one step, in field order (so
__dict__, repr, equality and hashing are as before). Instances stay frozen: assignment still raises.
"""

from __future__ import annotations

from dataclasses import MISSING, fields, is_dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def fast_init(cls: type[T]) -> type[T]:
    """Replace a frozen dataclass's generated __init__ (no __post_init__, every field in __init__)."""
    params = getattr(cls, "__dataclass_params__", None)
    if not is_dataclass(cls) or params is None or not params.frozen or hasattr(cls, "__post_init__"):
        raise TypeError(f"fast_init needs a frozen dataclass without __post_init__, not {cls.__name__}")
    namespace: dict[str, Any] = {"_MISSING": MISSING}
    arguments: list[str] = []
    factories: list[str] = []
    for f in fields(cls):
        if not f.init or f.kw_only:
            raise TypeError(f"fast_init can't build {cls.__name__}.{f.name}")
        if f.default is not MISSING:
            namespace[f"_default_{f.name}"] = f.default
            arguments.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            arguments.append(f"{f.name}=_MISSING")
            factories.append(f"    if {f.name} is _MISSING:\n        {f.name} = _factory_{f.name}()\n")
        else:
            arguments.append(f.name)
    stores = ", ".join(f"{f.name}={f.name}" for f in fields(cls))
    source = (f"def __init__(self, {', '.join(arguments)}):\n" + "".join(factories)
              + f"    self.__dict__.update({stores})\n")
    exec(source, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    setattr(cls, "__init__", init)  # noqa: B010 - replacing the method is the point
    return cls
