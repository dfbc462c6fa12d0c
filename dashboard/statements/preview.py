"""A PDF page as PNG (pypdfium2), so a person sees the statement before downloading it."""

from __future__ import annotations

import io

import pypdfium2

PREVIEW_WIDTH = 1400  # pixels: A4 landscape readable on a screen without zooming


def page_png(pdf: bytes, page: int = 0, width: int = PREVIEW_WIDTH) -> bytes:
    """Page `page` (0 = first) of `pdf` rendered `width` pixels wide, as PNG bytes."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        sheet = document[page]
        image = sheet.render(scale=width / sheet.get_width()).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        return out.getvalue()
    finally:
        document.close()


def page_count(pdf: bytes) -> int:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()
