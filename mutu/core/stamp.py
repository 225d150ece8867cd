"""Many PDF pages that share one layout (a certificate per participant, a letter per participant):
WeasyPrint lays the shared page out once, with an empty box (an element with an id) where each
person's text or QR code goes; reportlab writes the variable parts of every page into one overlay
document (its fonts subset once); pikepdf lays each overlay page over a copy of the shared page.
Drawing a page then costs its text and QR code, not a layout (bench/programme.py).

The template decides where each part goes and how much room it has; here each text has its size,
weight, colour and alignment. A text that does not fit its box's width wraps onto the lines the box
holds, and only then shrinks; a QR box is filled by the code's modules. Fonts are the template's
DejaVu Sans (MUTU_PDF_FONT_DIR)."""

import io
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

PX = 0.75  # WeasyPrint's CSS px in PDF points
LEADING = 1.2  # a line's height, as a multiple of its font size
MIN_SIZE = 6.0  # pt: a long name shrinks to fit its box, not below this
FONTS = {False: ("MutuSans", "DejaVuSans.ttf"), True: ("MutuSansBold", "DejaVuSans-Bold.ttf")}


@dataclass(frozen=True)
class Text:
    """A line of text stamped in the box of element `slot`."""

    slot: str
    size: float  # pt, when it fits
    bold: bool = False
    color: str = "#1d2b3a"
    align: str = "center"  # or "left", from the box's top


@dataclass(frozen=True)
class Code:
    """A QR code filling the box of element `slot`."""

    slot: str


class Layout:
    """A template rendered once: its PDF and the boxes (in PDF points, from the bottom left) of the
    slots its elements reserve."""

    def __init__(self, template, context, slots):
        from weasyprint import HTML

        html = render_to_string(template, context)
        document = HTML(string=html, base_url=settings.MUTU_SITE_URL).render()
        self.pages = len(document.pages)
        page = document.pages[0]
        self.size = (page.width * PX, page.height * PX)
        missing = {slot.slot for slot in slots} - set(page.anchors)
        if missing:
            raise ValueError(f"{template} has no element for {sorted(missing)}")
        height = self.size[1]
        self.boxes = {}
        for slot in slots:
            x1, y1, x2, y2 = page.anchors[slot.slot]
            self.boxes[slot.slot] = (x1 * PX, height - y2 * PX, x2 * PX, height - y1 * PX)
        self.slots = slots
        self.pdf = document.write_pdf()


def _fonts():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, filename in FONTS.values():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, f"{settings.MUTU_PDF_FONT_DIR}/{filename}"))
    return pdfmetrics


def _fitted(metrics, name, size, width, height, value):
    """(size, lines): the largest size, from `size` down, at which `value` wrapped to `width` fits
    `height`."""
    from reportlab.lib.utils import simpleSplit

    while True:
        lines = simpleSplit(value, name, size, width)
        if len(lines) * size * LEADING <= height or size <= MIN_SIZE:
            return size, lines
        size = max(MIN_SIZE, size * 0.92)


def _text(canvas, metrics, slot, box, value):
    from reportlab.lib.colors import HexColor

    name = FONTS[slot.bold][0]
    x1, y1, x2, y2 = box
    size, lines = _fitted(metrics, name, slot.size, x2 - x1, y2 - y1, value)
    face = metrics.getFont(name).face
    ascent, descent = face.ascent / 1000 * size, face.descent / 1000 * size  # descent is negative
    block = len(lines) * size * LEADING
    top = y2 if slot.align == "left" else y2 - ((y2 - y1) - block) / 2
    canvas.setFont(name, size)
    canvas.setFillColor(HexColor(slot.color))
    for number, line in enumerate(lines):
        # Each line's text sits in the middle of its own line height.
        baseline = top - number * size * LEADING - (size * LEADING - (ascent - descent)) / 2 - ascent
        if slot.align == "left":
            canvas.drawString(x1, baseline, line)
        else:
            canvas.drawCentredString((x1 + x2) / 2, baseline, line)


def _code(canvas, box, value):
    import segno
    from PIL import Image

    # Mask 0 instead of the best of eight: any mask is a valid code for every reader, and choosing
    # one costs 5 ms a code, half of a certificate's budget.
    matrix = segno.make(value, error="m", mask=0).matrix
    size = len(matrix)
    modules = Image.frombytes("L", (size, size), bytes(0 if dark else 255 for row in matrix for dark in row))
    x1, y1, x2, y2 = box
    side = min(x2 - x1, y2 - y1)
    # One pixel a module, scaled up: PDF images are not smoothed unless they ask to be.
    canvas.drawInlineImage(modules, x1, y2 - side, side, side)


def overlay(layout, pages):
    """One overlay document: a page per item of `pages` ({slot id: value}), in a pikepdf Pdf."""
    import pikepdf
    from reportlab.pdfgen.canvas import Canvas

    metrics = _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=layout.size, pageCompression=1)
    for values in pages:
        for slot in layout.slots:
            value = values.get(slot.slot)
            if not value:
                continue
            box = layout.boxes[slot.slot]
            if isinstance(slot, Code):
                _code(canvas, box, value)
            else:
                _text(canvas, metrics, slot, box, value)
        canvas.showPage()
    canvas.save()
    return pikepdf.open(io.BytesIO(buffer.getvalue()))


def _save(pdf):
    import pikepdf

    buffer = io.BytesIO()
    # The shared page and the overlay's fonts are compressed already: compressing again costs 3 ms.
    pdf.save(buffer, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.preserve)
    return buffer.getvalue()


def each(layout, pages):
    """One PDF per item of `pages`: the shared page with that item stamped on it."""
    import pikepdf

    stamps = overlay(layout, pages)
    for number in range(len(stamps.pages)):
        pdf = pikepdf.open(io.BytesIO(layout.pdf))
        pdf.pages[0].add_overlay(stamps.pages[number])
        yield _save(pdf)


def bound(parts):
    """One PDF of every item of every (layout, pages) in `parts`, in order, each on its layout's page.
    Each page draws its layout's page as one shared form and its own stamp over it, so the file
    holds the shared page once, however many pages there are."""
    import pikepdf

    pdf = pikepdf.new()
    for layout, pages in parts:
        source = pikepdf.open(io.BytesIO(layout.pdf))
        shared = pdf.copy_foreign(source.make_indirect(source.pages[0].as_form_xobject()))
        for stamp in overlay(layout, pages).pages:
            page = pdf.add_blank_page(page_size=layout.size)
            page.add_overlay(shared)
            page.add_overlay(stamp)
    return _save(pdf)
