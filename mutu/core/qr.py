"""QR codes (segno) drawn as inline SVG: in pages and in PDFs alike, no image files."""


def qr_svg(data, scale=3):
    import segno

    return segno.make(data, error="m").svg_inline(scale=scale)
