"""File formats as plug-ins: each module has detect(head, name) and read(data, name) -> grids; writers
have write(forms, path). The registry loads the module (and its heavy library) only when it is used.

CONTRACT: a reader module `jixiao.formats.<name>` defines
    EXTENSIONS: tuple[str, ...]                         # (".docx",)
    def detect(head: bytes, name: str) -> bool          # from the content; the extension only breaks ties
    def read(data: bytes, name: str) -> list[Grid]      # raises ReadError with a Chinese message
and a writer module defines
    def write(forms: Sequence[Form], path: Path, *, scorecards: Sequence[Scorecard] | None = None) -> None
"""

from __future__ import annotations


class ReadError(Exception):
    """A file that can't be read: the message says what, where and what to do (Chinese)."""

    def __init__(self, message: str, file: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.file = file

    def __str__(self) -> str:
        return f"{self.file}：{self.message}" if self.file else self.message
