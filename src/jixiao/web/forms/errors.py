"""The refusals of the web services: a status, a Chinese message, and the fields it concerns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class ServiceError(Exception):
    """A request the service refuses; `errors` maps a field name ("" for the whole form) to messages."""

    def __init__(self, message: str, errors: Mapping[str, list[str]] | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {"": [message]})
        self.status = status


class PermissionDenied(ServiceError):
    def __init__(self, message: str = "您没有权限进行此操作。") -> None:
        super().__init__(message, status=403)


class NotFound(ServiceError):
    def __init__(self, message: str = "没有找到此内容，或您无权查看。") -> None:
        super().__init__(message, status=404)


class Refused(ServiceError):
    """A step the rules don't allow now; `items` lists what stands in the way (findings to fix…)."""

    def __init__(self, message: str, items: Sequence[Mapping[str, Any]] = (), status: int = 400) -> None:
        super().__init__(message, status=status)
        self.items = list(items)
