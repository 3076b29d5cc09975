"""Settings of the progress loop, from `pipeline/data/track.toml` (or `PLANDOC_TRACK_CONFIG`).

Thresholds, status words and bulletin wording are local policy, different in every 督查室, so they
live in a file a clerk can copy and edit rather than in code. The file is validated on load: a typo
in a threshold must fail loudly (in Chinese), not silently fall back to a default.
"""
from __future__ import annotations

import functools
import os
import tomllib
import unicodedata
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from pipeline.errors import load_validated
from pipeline.resources import DATA_DIR

DEFAULT_CONFIG = DATA_DIR / "track.toml"
CANONICAL_STATUSES = ("已完成", "超序时", "序时推进", "滞后", "未启动", "调整", "不适用")
Light = Literal["green", "yellow", "red"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Thresholds(_Strict):
    yellow_below: float
    red_below: float
    inclusive: bool = False
    ahead_above: float | None = None    # gap > this → 超序时 (None: never called ahead)

    @model_validator(mode="after")
    def _ordered(self):
        if self.red_below < self.yellow_below:
            raise ValueError("red_below 必须不小于 yellow_below")
        return self

    def light(self, gap: float) -> Light:
        """gap in points (negative = behind). Boundaries are strict unless `inclusive`."""
        def beyond(limit: float) -> bool:
            return gap <= -limit if self.inclusive else gap < -limit
        if beyond(self.red_below):
            return "red"
        if beyond(self.yellow_below):
            return "yellow"
        return "green"


class ReportedLights(BaseModel):
    model_config = ConfigDict(extra="allow")
    not_started_red_from_month: int = 7

    def for_status(self, status: str) -> Light | None:
        value = (self.model_extra or {}).get(status)
        return value if value in ("green", "yellow", "red") else None


class Lights(_Strict):
    quantity: Thresholds
    growth_rate: Thresholds
    reported: ReportedLights


class TargetRules(_Strict):
    approx_band_pts: float = 0.5
    literal_growth_floor: dict[str, float] = {}
    lower_is_better_words: list[str] = []
    reduction_words: list[str] = []
    stock_words: list[str] = []
    max_completion_pct: float = 300.0
    completion_tolerance_pts: float = 0.5


class Collection(_Strict):
    stale_exempt: list[str] = ["已完成", "不适用", "调整"]


class BulletinSettings(_Strict):
    wording: dict[str, str] = {}
    lagging: list[str] = ["滞后", "未启动"]
    # The 通报 as a 公文 (pipeline/track/bulletin_context.py): who issues it, to whom, which issue.
    issuer: str = "人民政府督查室"          # 署名 and the 红头's 发文机关; "{region}" is the plan's region
    mark: str = "督查通报"                  # 红头 (formal style)
    addressees: str = "各镇政府、街道办事处，区政府各部门，有关单位"
    issue_number: int = 0                   # 0: 第N期 counted per plan in the archive; else this number
    issue_offset: int = 0                   # added to the counted number (issues published before plandoc)
    good_limit: int = 5                     # 进展较好: at most this many tasks named
    quote_chars: int = 90                   # 进展情况/存在问题 quoted up to this length, cut at a sentence
    cc: str = ""                            # 版记 抄送 (empty: no 版记)
    printer: str = ""                       # 版记 印发机关 ("" → the issuer)
    next_steps: list[str] = []              # 下步工作要求 paragraphs ([]: the shipped wording)


class TrackConfig(_Strict):
    statuses: dict[str, list[str]]
    lights: Lights
    targets: TargetRules = TargetRules()
    collection: Collection = Collection()
    bulletin: BulletinSettings = BulletinSettings()

    @model_validator(mode="after")
    def _statuses_complete(self):
        missing = [s for s in CANONICAL_STATUSES if s not in self.statuses]
        unknown = [s for s in self.statuses if s not in CANONICAL_STATUSES]
        if missing or unknown:
            raise ValueError(f"statuses 必须恰好列出 {'、'.join(CANONICAL_STATUSES)}"
                             f"（缺少：{'、'.join(missing) or '无'}；多出：{'、'.join(unknown) or '无'}）")
        seen: dict[str, str] = {}
        for canonical, words in self.statuses.items():
            for w in [canonical, *words]:
                key = status_key(w)
                if seen.get(key, canonical) != canonical:
                    raise ValueError(f"状态用语“{w}”同时对应“{seen[key]}”和“{canonical}”")
                seen[key] = canonical
        return self

    @functools.cached_property
    def alias_table(self) -> dict[str, str]:
        """Normalised word → canonical status (the canonical labels map to themselves)."""
        return {status_key(w): c for c, words in self.statuses.items() for w in [c, *words]}

    def canonical_status(self, word: str) -> str | None:
        return self.alias_table.get(status_key(word))


def status_key(word: str) -> str:
    """Matching form of a status word: NFKC (full-width → half-width) and no whitespace at all."""
    return "".join(unicodedata.normalize("NFKC", word).split())


@functools.lru_cache(maxsize=8)
def _load(path: str) -> TrackConfig:
    return load_validated(Path(path), TrackConfig, tomllib.loads, missing="台账配置文件不存在",
                          malformed={tomllib.TOMLDecodeError: "台账配置文件不是有效的 TOML（{error}）"},
                          invalid="台账配置有误：{field}")


def load_config(path: str | Path | None = None) -> TrackConfig:
    """The settings in `path`, else `$PLANDOC_TRACK_CONFIG`, else the shipped defaults."""
    chosen = path or os.environ.get("PLANDOC_TRACK_CONFIG") or DEFAULT_CONFIG
    return _load(str(Path(chosen).resolve()))
