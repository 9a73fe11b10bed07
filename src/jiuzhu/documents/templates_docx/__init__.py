"""The built-in Word templates, generated from the layouts (no binary file in the repository).

`default_template(kind)` writes the layout of `jiuzhu.documents.layouts` as a
.docx with docxtpl (Jinja) placeholders: `{{ case_no }}`, a table row per
member (`{%tr for item in members %}`), a paragraph per line
(`{%p for line in reasons %}`). The office replaces a template by putting its
own `<kind>.docx` (or `<kind>-<programme>.docx`) in the template folder
(`JIUZHU_DOCX_TEMPLATE_DIR`); `jiuzhu document_templates` writes these defaults
there as a starting point, with a list of the keys each kind provides.
"""

from __future__ import annotations

import io
from functools import lru_cache
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

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

BODY_FONT = "宋体"
LATIN_FONT = "Times New Roman"
ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _east_asian(style: Any, name: str = BODY_FONT) -> None:
    """Word takes Chinese text's font from `w:eastAsia`, which python-docx does not set."""
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(
    doc: DocumentObject, text: str, *, align: str = "left", bold: bool = False, size: int = 0
) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = ALIGN[align]
    run = paragraph.add_run(text)
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)


def _blank_if_empty(doc: DocumentObject, key: str, empty: str) -> None:
    if not empty:
        return
    _paragraph(doc, f"{{%p if not {key} %}}")
    _paragraph(doc, empty)
    _paragraph(doc, "{%p endif %}")


def build(layout: Layout) -> bytes:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(11)
    _east_asian(normal)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if layout.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Cm(2))
    doc.core_properties.title = "{{ title }}"
    doc.core_properties.author = ""
    doc.core_properties.comments = ""
    _paragraph(doc, "{{ title }}", align="center", bold=True, size=18)
    _paragraph(doc, "{{ reference }}", align="right", size=9)
    for block in layout.blocks:
        if isinstance(block, Heading):
            _paragraph(doc, block.text, bold=True, size=12)
        elif isinstance(block, Para):
            _paragraph(doc, f"{{{{ {block.key} }}}}", align=block.align)
        elif isinstance(block, Lines):
            _paragraph(doc, f"{{%p for line in {block.key} %}}")
            _paragraph(doc, "{{ line }}")
            _paragraph(doc, "{%p endfor %}")
            _blank_if_empty(doc, block.key, block.empty)
        elif isinstance(block, Fields):
            table = doc.add_table(rows=0, cols=2)
            table.style = "Table Grid"
            for label, key in block.rows:
                cells = table.add_row().cells
                cells[0].text = label
                cells[1].text = f"{{{{ {key} }}}}"
                cells[0].width, cells[1].width = Cm(4.5), Cm(12.5)
        elif isinstance(block, Rows):
            table = doc.add_table(rows=4, cols=len(block.columns))
            table.style = "Table Grid"
            for cell, (label, _) in zip(table.rows[0].cells, block.columns, strict=True):
                cell.text = label
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            table.rows[1].cells[0].text = f"{{%tr for item in {block.key} %}}"
            for cell, (_, field) in zip(table.rows[2].cells, block.columns, strict=True):
                cell.text = f"{{{{ item.{field} }}}}"
            table.rows[3].cells[0].text = "{%tr endfor %}"
            _blank_if_empty(doc, block.key, block.empty)
        elif isinstance(block, Signatures):
            for label in block.labels:
                _paragraph(doc, f"{label}：________________")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@lru_cache(maxsize=len(Kind))
def default_template(kind: Kind) -> bytes:
    return build(LAYOUTS[Kind(kind)])


def keys_help() -> str:
    """The keys each kind's template may use (written beside the templates)."""
    lines = ["各文书模板可用的字段（在 Word 模板中写作 {{ 字段名 }}）：", ""]
    for kind, layout in LAYOUTS.items():
        lines.append(f"{kind.value}.docx：{'、'.join(layout.keys())}")
    lines += [
        "",
        "表格逐行：{%tr for item in members %} … {{ item.name }} … {%tr endfor %}",
        "逐段：{%p for line in reasons %} {{ line }} {%p endfor %}",
        "公示（publicnotice）只提供公示快照中的字段：社区、脱敏的户主姓名、保障人数、救助项目、"
        "金额、公示期、监督电话、发布单位，不能加入其他个人信息。",
    ]
    return "\n".join(lines) + "\n"
