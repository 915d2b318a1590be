"""The scanned image of a cell, kept for a person to compare with what was read (issue 14 point 2).

The import preview shows each cell the engine was unsure of, and each number a check or a
correction names, beside the image of that cell on the page. The images are small grayscale PNGs
(data: URLs, which the app's Content-Security-Policy allows for images), cut while the page image
is at hand and kept on the form (Form.scan_images), never in its record.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# The largest image kept of a cell, in pixels (width, height): a number cell read at 300 dpi is
# shrunk to fit, a long text to a line a person can still read.
IMAGE_BOX = (360, 96)
PNG_PREFIX = "data:image/png;base64,"


def cell_png(gray: np.ndarray, box: tuple[int, int, int, int], rule: int) -> str:
    """The cell (x0, top, x1, bottom, in pixels of the page) less its rules, as a PNG data URL ("" if empty)."""
    import cv2

    x0, top, x1, bottom = box
    inset = max(rule, 1)
    crop = gray[max(top + inset, 0) : max(bottom - inset, 0), max(x0 + inset, 0) : max(x1 - inset, 0)]
    if crop.size == 0:
        return ""
    h, w = crop.shape
    scale = min(1.0, IMAGE_BOX[0] / w, IMAGE_BOX[1] / h)
    if scale < 1:
        crop = cv2.resize(crop, (max(int(w * scale), 1), max(int(h * scale), 1)), interpolation=cv2.INTER_AREA)
    ok, png = cv2.imencode(".png", crop, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    return PNG_PREFIX + base64.b64encode(png.tobytes()).decode("ascii") if ok else ""
