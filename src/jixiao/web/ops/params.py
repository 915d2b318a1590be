"""Request parameters and JSON bodies, read in one place with their types (issue 16 point 6).

Every reader answers a ServiceError (400) whose message names the field in Chinese; nothing a client
sends reaches a view as the wrong type. "²".isdigit() is true but int("²") fails, and a 20-digit id
overflows the database: integers are ASCII digits within the range of a 64-bit column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

MAX_ID = 2**63 - 1
MAX_DEPTH = 64  # deeper JSON than any record (a form is four levels deep)
_DIGITS = re.compile(r"[0-9]{1,19}")


def _error(field: str, message: str) -> Exception:
    from jixiao.web.forms.errors import ServiceError

    return ServiceError(f"参数 {field} {message}", {field: [message]}, status=400)


def is_id(text: Any) -> bool:
    """Whether a text is a non-negative integer the database can hold (ASCII digits only)."""
    return isinstance(text, str) and _DIGITS.fullmatch(text) is not None and int(text) <= MAX_ID


def query_int(params: Mapping[str, Any], field: str, default: int | None = None, *, minimum: int = 0,
              maximum: int = MAX_ID) -> int | None:
    """An integer parameter of a query or a posted form; missing or empty gives the default."""
    raw = params.get(field)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return default
    raw = raw.strip() if isinstance(raw, str) else raw
    if not is_id(raw) or not minimum <= int(raw) <= maximum:
        raise _error(field, f"应为 {minimum}–{maximum} 之间的整数，实际为「{str(raw)[:40]}」。")
    return int(raw)


def query_ids(values: list[str], field: str, limit: int) -> list[int]:
    """A list of ids (repeated or comma-separated parameters), at most `limit`."""
    ids: list[int] = []
    for value in values:
        for part in str(value).split(","):
            if part.strip():
                if not is_id(part.strip()):
                    raise _error(field, f"应为编号（整数），实际为「{part.strip()[:40]}」。")
                ids.append(int(part))
    if len(ids) > limit:
        raise _error(field, f"最多 {limit} 个，实际为 {len(ids)} 个：请分几次进行。")
    return ids


def _depth(value: Any, limit: int) -> bool:
    """Whether JSON data nests deeper than limit (iteratively: no recursion on hostile input)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


class Body(dict[str, Any]):
    """A JSON object from a request body, with typed getters that name the field when refusing."""

    def integer(self, field: str, default: int | None = None, *, required: bool = False, minimum: int = 0,
            maximum: int = MAX_ID) -> int | None:
        value = self.get(field)
        if value is None:
            if required:
                raise _error(field, "缺少。")
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise _error(field, f"应为 {minimum}–{maximum} 之间的整数（JSON 数字），实际为 {json.dumps(value, ensure_ascii=False)[:40]}。")
        return value

    def text(self, field: str, default: str = "", *, max_length: int = 10_000) -> str:
        value = self.get(field)
        if value is None:
            return default
        if not isinstance(value, str):
            raise _error(field, f"应为文本，实际为 {json.dumps(value, ensure_ascii=False)[:40]}。")
        if len(value) > max_length:
            raise _error(field, f"太长（{len(value)} 个字符，最多 {max_length} 个）。")
        return value

    def opt_str(self, field: str, *, max_length: int = 10_000) -> str | None:
        return None if self.get(field) is None else self.text(field, max_length=max_length)

    def flag(self, field: str, default: bool = False) -> bool:
        value = self.get(field, default)
        if not isinstance(value, bool):
            raise _error(field, f"应为 true 或 false，实际为 {json.dumps(value, ensure_ascii=False)[:40]}。")
        return value

    def object(self, field: str, *, required: bool = False) -> dict[str, Any] | None:
        value = self.get(field)
        if value is None:
            if required:
                raise _error(field, "缺少。")
            return None
        if not isinstance(value, dict):
            raise _error(field, "应为 JSON 对象。")
        return value

    def ids(self, field: str, limit: int) -> list[int]:
        value = self.get(field)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_ID
                                                  for v in value):
            raise _error(field, "应为编号（整数）的列表，如 [1, 2, 3]。")
        if len(value) > limit:
            raise _error(field, f"最多 {limit} 个，实际为 {len(value)} 个：请分几次进行。")
        return list(value)

    def objects(self, field: str, limit: int = 1000) -> list[Body]:
        value = self.get(field)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise _error(field, "应为 JSON 对象的列表。")
        if len(value) > limit:
            raise _error(field, f"最多 {limit} 项。")
        return [Body(v) for v in value]


def json_object(body: bytes) -> Body:
    """A request body as a JSON object; anything else (not JSON, not an object, nested too deep) → 400."""
    from jixiao.web.forms.errors import ServiceError

    try:
        data = json.loads(body or b"{}")
    except RecursionError:
        raise ServiceError(f"请求内容嵌套太深（超过 {MAX_DEPTH} 层）。") from None
    except json.JSONDecodeError as e:
        raise ServiceError(f"请求内容不是有效的 JSON（第 {e.lineno} 行第 {e.colno} 列附近有误），请检查后重试。") from e
    except (ValueError, UnicodeDecodeError) as e:
        raise ServiceError("请求内容不是有效的 JSON（应为 UTF-8 编码的 JSON 对象），请检查后重试。") from e
    if not isinstance(data, dict):
        raise ServiceError("请求内容应为 JSON 对象。")
    if _depth(data, MAX_DEPTH):
        raise ServiceError(f"请求内容嵌套太深（超过 {MAX_DEPTH} 层）。")
    return Body(data)
