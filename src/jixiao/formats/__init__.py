"""File formats as plug-ins: each module has detect(data, name) and read(data, name) -> grids; writers
have write(forms, path). The registry loads the module (and its heavy library) only when it is used.

CONTRACT: a reader module `jixiao.formats.<name>` defines
    EXTENSIONS: tuple[str, ...]                         # (".docx",): the names it is given from folders
    def detect(data: bytes, name: str) -> bool          # its own files, from the content; the
                                                        # extension only breaks ties
    def read(data: bytes, name: str) -> list[Grid]      # raises ReadError with a Chinese message
The registry asks the readers in its order and never looks inside a file itself; a reader uses the
helpers of `formats.containers` and `formats.limits`, never the registry. A writer module defines
    def write(forms: Sequence[Form], path: Path, *, scorecards: Sequence[Scorecard] | None = None) -> None
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class ReadError(Exception):
    """A file that can't be read (whole): the message says what, where and what to do (Chinese).

    `grids` holds what could be read before the damage (a truncated page's first tables), so the
    caller can keep those forms while the file is still named with the reason: a file is read whole
    or named, never partly read in silence.
    """

    def __init__(self, message: str, file: str = "", *, grids: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.grids = tuple(grids)

    def __str__(self) -> str:
        return f"{self.file}：{self.message}" if self.file else self.message


class Skipped(ReadError):
    """A file of a folder or archive that was deliberately not read (unknown type, hidden, unsafe
    name); the message says why. A ReadError, so a caller that knows no better still names it."""
