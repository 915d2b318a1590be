"""A cached property for the hot path: functools.cached_property without its lock.

On Python 3.11, functools.cached_property takes a per-class lock on every first access; reading a
batch computes tens of thousands of parsed cells, and the lock costs more than the parse. The value
is stored in the instance's __dict__ exactly as cached_property stores it, so later reads never
reach the descriptor. Two threads racing on the first read both compute the same pure value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class cached_value(Generic[T]):
    """A property computed once per instance and kept in its __dict__ (frozen dataclasses too)."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_value[T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T | cached_value[T]:
        if instance is None:
            return self
        value = self.func(instance)
        instance.__dict__[self.name] = value
        return value
