"""What the office configures for its documents, without a policy parameter or a release.

Each value is read from the Django settings first (tests set them there), then
from the environment, then a default:

* ``JIUZHU_NOTICE_COMPLAINT_PHONE`` — the 监督电话 printed on every 公示
  (default: a Chinese placeholder asking for it to be set, so an unconfigured
  install prints something visibly incomplete rather than a made-up number);
* ``JIUZHU_NOTICE_ISSUER`` — the issuing office of the 公示; empty (the default)
  means the case's street/township: "××街道办事处" or "××镇人民政府";
* ``JIUZHU_DOCX_TEMPLATE_DIR`` — where the office puts its own Word templates
  (``<kind>.docx``, or ``<kind>-<programme>.docx`` for one programme); they win
  over the built-in ones. Default: ``<JIUZHU_DATA_DIR>/document_templates``;
* ``JIUZHU_PDF_FONT`` — a TrueType Chinese font file for PDFs; empty (the
  default) means: ask fontconfig, then look in the usual Debian places.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

COMPLAINT_PHONE_PLACEHOLDER = "县民政局监督电话（请在系统配置中填写）"


def _value(name: str, default: str = "") -> str:
    configured = getattr(settings, name, None)
    if configured is not None:
        return str(configured).strip()
    return os.environ.get(name, "").strip() or default


def complaint_phone() -> str:
    return _value("JIUZHU_NOTICE_COMPLAINT_PHONE") or COMPLAINT_PHONE_PLACEHOLDER


def issuer_override() -> str:
    return _value("JIUZHU_NOTICE_ISSUER")


def template_dir() -> Path:
    configured = _value("JIUZHU_DOCX_TEMPLATE_DIR")
    if configured:
        return Path(configured).expanduser()
    return Path(settings.DATA_DIR) / "document_templates"


def pdf_font() -> str:
    return _value("JIUZHU_PDF_FONT")
