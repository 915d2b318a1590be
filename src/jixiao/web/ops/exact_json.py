"""The backup's serialisation: Django's JSON, with times kept to the microsecond.

Django's JSON encoder cuts a time to the millisecond, so a backup restored gave back timestamps a few hundred
microseconds off: a form's or a library entry's stamp no longer equalled the one a page or a version check
had read before the move. The data are otherwise Django's own format, read back by its own JSON
deserialiser (a backup of an earlier version restores the same way).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer

__all__ = ["Deserializer", "ExactEncoder", "Serializer"]


class ExactEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder without its cut of datetimes and times to milliseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time) and o.utcoffset() is None:
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self) -> None:
        self.options.setdefault("cls", ExactEncoder)
        super()._init_options()
