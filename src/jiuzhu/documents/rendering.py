"""Context + layout → Word (docxtpl, from a replaceable template) and PDF (reportlab).

Word: the office's template from the template folder wins over the built-in one
(`jiuzhu.documents.templates_docx`); Jinja runs sandboxed with autoescape, so a
template sees only the context and a value cannot inject Word markup.

PDF: laid out from the same layout, with a Chinese TrueType font found through
fontconfig (or `JIUZHU_PDF_FONT`); without one the error says, in Chinese, what
to install. The Word template's edits do not change the PDF (converting .docx to
PDF would need an office suite on the server).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jiuzhu.core.errors import ServiceError
from jiuzhu.documents import conf
from jiuzhu.documents.layouts import (
    LAYOUTS,
    Fields,
    Heading,
    Kind,
    Layout,
    Lines,
    Para,
    Rows,
    Signatures,
)
from jiuzhu.documents.templates_docx import default_template

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"
FONT_NAME = "JiuzhuCJK"
#: Where Debian puts the TrueType Chinese fonts reportlab can embed (Noto CJK is
#: OpenType/CFF, which reportlab cannot embed).
KNOWN_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
)
FONT_MISSING = (
    "未找到可用的中文字体，无法生成 PDF 文书。请安装文泉驿微米黑字体"
    "（apt-get install fonts-wqy-microhei），或设置环境变量 JIUZHU_PDF_FONT "
    "指向一个 TrueType 中文字体文件（.ttf/.ttc）。Word 版文书不受影响。"
)
PROBE = "救助公示"
CELL_SIZE = 9.5
BLANK_ROW_HEIGHT = 1.1 * cm


class DocumentBroken(ServiceError):
    """A configuration problem of the server: the font or the office's template."""

    code = "document_unavailable_on_server"
    default_message = "文书暂时无法生成，请联系系统管理员"
    http_status = 503


class FontMissing(DocumentBroken):
    code = "pdf_font_missing"
    default_message = FONT_MISSING


@dataclass(frozen=True)
class Rendered:
    content: bytes
    content_type: str
    extension: str


# -- Word ------------------------------------------------------------------------


def template_source(kind: Kind, programme: str | None) -> tuple[str, bytes]:
    """(where from, bytes) of the template: the office's own first, then the built-in one."""
    folder = conf.template_dir()
    names = [f"{kind.value}-{programme}.docx"] if programme else []
    names.append(f"{kind.value}.docx")
    for name in names:
        path = folder / name
        if path.is_file():
            return name, path.read_bytes()
    return "内置模板", default_template(kind)


def render_docx(kind: Kind, context: dict[str, Any], *, programme: str | None = None) -> Rendered:
    source, data = template_source(kind, programme)
    try:
        template = DocxTemplate(io.BytesIO(data))
        template.render(context, jinja_env=SandboxedEnvironment(autoescape=True))
        out = io.BytesIO()
        template.save(out)
    except (TemplateError, PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentBroken(
            f"文书模板“{source}”无法使用（{type(exc).__name__}），"
            "请检查模板中的 {{ }} 标记，或删除该模板以恢复内置模板"
        ) from exc
    return Rendered(out.getvalue(), DOCX_TYPE, "docx")


# -- PDF -------------------------------------------------------------------------


def _fontconfig_candidates() -> list[str]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    try:
        listed = subprocess.run(  # noqa: S603 - a fixed program and fixed arguments
            [fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = [line.split(":", 1)[0].strip() for line in listed.splitlines() if line.strip()]
    truetype = [f for f in files if f.lower().endswith((".ttf", ".ttc"))]
    # Prefer the sans fonts the platform documents (wqy-microhei), then the rest.
    return sorted(set(truetype), key=lambda f: ("microhei" not in f, "wqy" not in f, f))


@lru_cache(maxsize=8)
def _load_font(path: str) -> TTFont | None:
    """The font at `path` if reportlab can embed it and it has Chinese glyphs."""
    try:
        font = TTFont(FONT_NAME, path, subfontIndex=0)
    except (TTFError, OSError, ValueError):
        return None
    glyphs = getattr(font.face, "charToGlyph", {})
    if not all(ord(char) in glyphs for char in PROBE):
        return None
    return font


def find_font() -> TTFont:
    configured = conf.pdf_font()
    if configured:
        font = _load_font(str(Path(configured).expanduser()))
        if font is None:
            raise FontMissing(
                f"设置的 PDF 字体 JIUZHU_PDF_FONT={configured} 不存在、不是 TrueType 字体或不含中文字形。"
                + FONT_MISSING
            )
        return font
    for path in [*_fontconfig_candidates(), *KNOWN_FONTS]:
        if Path(path).is_file():
            font = _load_font(path)
            if font is not None:
                return font
    raise FontMissing(FONT_MISSING)


def _font_name() -> str:
    font = find_font()
    registered = (
        pdfmetrics.getFont(FONT_NAME) if FONT_NAME in pdfmetrics.getRegisteredFontNames() else None
    )
    if registered is not font:
        pdfmetrics.registerFont(font)
    return FONT_NAME


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    return {
        "body": base,
        "left": base,
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER, spaceAfter=4
        ),
        "reference": ParagraphStyle("reference", parent=base, fontSize=8.5, alignment=TA_RIGHT),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=3
        ),
        "cell": ParagraphStyle(
            "cell", parent=base, fontSize=CELL_SIZE, leading=13, alignment=TA_LEFT
        ),
        "head": ParagraphStyle(
            "head", parent=base, fontSize=CELL_SIZE, leading=13, alignment=TA_CENTER
        ),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text if text is not None else "")), style)


def _grid(font: str) -> TableStyle:
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
    )


def _column_widths(rows: list[list[str]], width: float, font: str) -> list[float]:
    """Columns as wide as their longest text (within limits), scaled to the page."""
    columns = len(rows[0])
    natural = [
        min(
            max(pdfmetrics.stringWidth(row[i], font, CELL_SIZE) for row in rows) + 8,
            width * 0.4,
        )
        for i in range(columns)
    ]
    natural = [max(value, width * 0.06) for value in natural]
    total = sum(natural)
    return [value * width / total for value in natural]


def _flowables(layout: Layout, context: dict[str, Any], width: float, font: str) -> list[Any]:
    s = _styles(font)
    story: list[Any] = [
        _p(context.get("title", ""), s["title"]),
        _p(context.get("reference", ""), s["reference"]),
        Spacer(1, 6),
    ]
    for block in layout.blocks:
        if isinstance(block, Heading):
            story.append(_p(block.text, s["heading"]))
        elif isinstance(block, Para):
            story.append(_p(context.get(block.key, ""), s[block.align]))
        elif isinstance(block, Lines):
            lines = [str(line) for line in context.get(block.key) or []]
            story.extend(
                _p(line, s["body"]) for line in lines or ([block.empty] if block.empty else [])
            )
        elif isinstance(block, Fields):
            data = [
                [_p(label, s["cell"]), _p(context.get(key, ""), s["cell"])]
                for label, key in block.rows
            ]
            table = Table(data, colWidths=[width * 0.28, width * 0.72])
            table.setStyle(_grid(font))
            story.append(table)
        elif isinstance(block, Rows):
            items = list(context.get(block.key) or [])
            header = [_p(label, s["head"]) for label, _ in block.columns]
            body = [
                [_p(item.get(field, ""), s["cell"]) for _, field in block.columns] for item in items
            ]
            texts = [[label for label, _ in block.columns]] + [
                [str(item.get(field, "")) for _, field in block.columns] for item in items
            ]
            # A row left blank to be filled in by hand gets room for handwriting.
            heights = [None] + [BLANK_ROW_HEIGHT if not any(row[1:]) else None for row in texts[1:]]
            table = Table(
                [header, *body],
                colWidths=_column_widths(texts, width, font),
                rowHeights=heights,
                repeatRows=1,
            )
            style = _grid(font)
            style.add("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))
            table.setStyle(style)
            story.append(table)
            if not items and block.empty:
                story.extend([Spacer(1, 3), _p(block.empty, s["body"])])
        elif isinstance(block, Signatures):
            story.append(Spacer(1, 12))
            story.extend(_p(f"{label}：________________", s["body"]) for label in block.labels)
        story.append(Spacer(1, 4))
    return story


def render_pdf(kind: Kind, context: dict[str, Any]) -> Rendered:
    layout = LAYOUTS[kind]
    font = _font_name()
    pagesize = landscape(A4) if layout.landscape else A4
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=str(context.get("title", "")),
        author="",
        subject="",
        creator="智慧救助平台",
        invariant=1,
    )
    doc.build(_flowables(layout, context, doc.width, font))
    return Rendered(out.getvalue(), PDF_TYPE, "pdf")


FORMATS = ("docx", "pdf")


def render(
    kind: Kind, fmt: str, context: dict[str, Any], *, programme: str | None = None
) -> Rendered:
    if fmt == "docx":
        return render_docx(kind, context, programme=programme)
    return render_pdf(kind, context)
