"""Settings read from the environment, validated: a bad value is an error naming the variable.

Silently falling back to a default (PLANDOC_WATCH_WORKERS=two → 2 workers) hides a typo from the person
who set it; a setting that is present must parse. The same pydantic machinery as the schema validates,
and every group of settings goes through one reader (`_from_env`), so each variable is named, with what
it allows, in the same Chinese sentence.
"""
from __future__ import annotations

import os
from typing import Literal, Optional, get_args

from pydantic import BaseModel, Field, ValidationError

from pipeline.errors import InputError


class WatchSettings(BaseModel):
    settle: float = Field(gt=0, description="PLANDOC_WATCH_SETTLE：文件静止多少秒后才处理")
    rescan: float = Field(gt=0, description="PLANDOC_WATCH_RESCAN：每隔多少秒重新扫描一次收文目录")
    workers: int = Field(ge=1, le=64, description="PLANDOC_WATCH_WORKERS：并行处理的进程数")


ENV_NAMES = {"settle": "PLANDOC_WATCH_SETTLE", "rescan": "PLANDOC_WATCH_RESCAN", "workers": "PLANDOC_WATCH_WORKERS"}
_EXPECT = {"settle": "大于 0 的秒数", "rescan": "大于 0 的秒数", "workers": "1 到 64 之间的整数"}

# The PDF standards WeasyPrint can write (its `weasyprint.pdf.VARIANTS`, less "debug"); the compatibility
# test (tests/test_render_weasy_compat.py) checks each is still one of WeasyPrint's.
PdfVariant = Literal["pdf/a-1b", "pdf/a-2b", "pdf/a-3b", "pdf/a-2u", "pdf/a-3u", "pdf/a-4u", "pdf/a-1a", "pdf/a-2a",
                     "pdf/a-3a", "pdf/a-4e", "pdf/a-4f", "pdf/ua-1", "pdf/ua-2", "pdf/x-1a", "pdf/x-3", "pdf/x-4",
                     "pdf/x-5g"]
PDF_VARIANTS: tuple[str, ...] = get_args(PdfVariant)
DEFAULT_PDF_VARIANT = "pdf/a-2b"   # archival: fonts embedded, XMP metadata, sRGB output intent (公文 archives)


class RenderSettings(BaseModel):
    pdf_variant: Optional[PdfVariant] = Field(
        description="PLANDOC_PDF_VARIANT：PDF 的标准（缺省 pdf/a-2b；设为空则写普通 PDF）")


RENDER_ENV_NAMES = {"pdf_variant": "PLANDOC_PDF_VARIANT"}
_RENDER_EXPECT = {"pdf_variant": f"{'、'.join(PDF_VARIANTS)} 之一，或留空（写普通 PDF）"}


def _from_env(model: type[BaseModel], defaults: dict[str, object], env_names: dict[str, str],
              expect: dict[str, str], blank: object = ...) -> BaseModel:
    """`model` from `defaults` overridden by the environment variables that are set. A variable set to
    blank keeps the default, unless `blank` gives what blank means. A bad value is an InputError naming
    the variable, its value and what it allows."""
    values = dict(defaults)
    for field, env in env_names.items():
        raw = os.environ.get(env)
        if raw is None:
            continue
        if raw.strip():
            values[field] = raw.strip()
        elif blank is not ...:
            values[field] = blank
    try:
        return model.model_validate(values)
    except ValidationError as e:
        field = str(e.errors()[0]["loc"][0])
        env = env_names[field]
        raise InputError(None, f"环境变量 {env} 的值“{os.environ.get(env, '')}”无效，应为{expect[field]}",
                         hint=f"请改正或删除环境变量 {env}") from None


def watch_settings(polling: bool = False) -> WatchSettings:
    """The watcher's settings: defaults, overridden by the environment variables that are set."""
    defaults = {"settle": 2.0 if polling else 1.0, "rescan": 10.0, "workers": min(2, os.cpu_count() or 1)}
    return _from_env(WatchSettings, defaults, ENV_NAMES, _EXPECT)


def render_settings() -> RenderSettings:
    """How PDFs are written. PLANDOC_PDF_VARIANT="" turns PDF/A off (a plain PDF)."""
    return _from_env(RenderSettings, {"pdf_variant": DEFAULT_PDF_VARIANT}, RENDER_ENV_NAMES, _RENDER_EXPECT,
                     blank=None)
