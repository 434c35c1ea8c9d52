"""Files for upload tests, built here rather than shipped: real PDFs (pikepdf) with or without
what the upload check removes, and a huge but tiny PNG."""

from __future__ import annotations

import io
import struct
import zlib

import pikepdf
from pikepdf import Array, Dictionary, Name, String

SECRET_AUTHOR = "Mario Rossi Segreto"


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def one_colour_png(width: int, height: int) -> bytes:
    """A valid black-and-white PNG of width × height pixels of one colour: a 10,000 × 10,000
    picture in a few kilobytes, written row by row so that building it costs no memory."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte, then white pixels
    packer = zlib.compressobj(9)
    parts = [packer.compress(row) for _ in range(height)]
    data = b"".join(parts) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def _save(pdf: pikepdf.Pdf, **options) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def clean_pdf(pages: int = 2, text: str = "Ricevuta di pagamento") -> bytes:
    """A plain PDF of `pages` pages with `text` drawn on each."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    )
    for _ in range(pages):
        pdf.add_blank_page(page_size=(300, 200))
        page = pdf.pages[-1]
        page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
        page.obj.Contents = pdf.make_stream(f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode())
    return _save(pdf)


def risky_pdf() -> bytes:
    """A PDF carrying everything the check removes: document information and XMP metadata,
    JavaScript (an open action, document and page actions, the name tree), a link that launches
    a program, an embedded file and a file attachment annotation. And a harmless web link,
    which stays."""
    pdf = pikepdf.open(io.BytesIO(clean_pdf(pages=1)))
    page = pdf.pages[0]
    pdf.Root.OpenAction = pdf.make_indirect(
        Dictionary(S=Name.JavaScript, JS=String("app.alert('opened')"))
    )
    pdf.Root.AA = Dictionary(WC=Dictionary(S=Name.JavaScript, JS=String("app.alert('closed')")))
    attached = pdf.make_stream(b"an attached secret file", Type=Name.EmbeddedFile)
    filespec = pdf.make_indirect(
        Dictionary(Type=Name.Filespec, F=String("secret.txt"), EF=Dictionary(F=attached))
    )
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(
            Names=Array([String("init"), Dictionary(S=Name.JavaScript, JS=String("init()"))])
        ),
        EmbeddedFiles=Dictionary(Names=Array([String("secret.txt"), filespec])),
    )
    page.obj.AA = Dictionary(O=Dictionary(S=Name.JavaScript, JS=String("page_opened()")))
    page.obj.Annots = Array(
        [
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Link,
                Rect=[0, 0, 50, 50],
                A=Dictionary(S=Name.Launch, F=String("calc.exe")),
            ),
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Link,
                Rect=[60, 0, 110, 50],
                A=Dictionary(S=Name.URI, URI=String("https://www.example.org/")),
            ),
            Dictionary(
                Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[0, 60, 50, 110], FS=filespec
            ),
        ]
    )
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [SECRET_AUTHOR]
    pdf.docinfo["/Author"] = SECRET_AUTHOR
    pdf.docinfo["/Title"] = "Dichiarazione riservata"
    return _save(pdf)


def encrypted_pdf(user_password: str = "") -> bytes:
    """A plain PDF encrypted (with an owner password; a user password too when given)."""
    pdf = pikepdf.open(io.BytesIO(clean_pdf(pages=1)))
    return _save(pdf, encryption=pikepdf.Encryption(owner="owner-secret", user=user_password))


def no_pages_pdf() -> bytes:
    """A well-formed PDF without a single page."""
    return _save(pikepdf.new())
