"""Settings read from the environment, validated: a bad value is an error naming the variable.

Silently falling back to a default (PLANDOC_WATCH_WORKERS=two → 2 workers) hides a typo from the person
who set it; a setting that is present must parse. The same pydantic machinery as the schema validates.
"""
from __future__ import annotations

import os

from pydantic import BaseModel, Field, ValidationError

from pipeline.errors import InputError


class WatchSettings(BaseModel):
    settle: float = Field(gt=0, description="PLANDOC_WATCH_SETTLE：文件静止多少秒后才处理")
    rescan: float = Field(gt=0, description="PLANDOC_WATCH_RESCAN：每隔多少秒重新扫描一次收文目录")
    workers: int = Field(ge=1, le=64, description="PLANDOC_WATCH_WORKERS：并行处理的进程数")


ENV_NAMES = {"settle": "PLANDOC_WATCH_SETTLE", "rescan": "PLANDOC_WATCH_RESCAN", "workers": "PLANDOC_WATCH_WORKERS"}
_EXPECT = {"settle": "大于 0 的秒数", "rescan": "大于 0 的秒数", "workers": "1 到 64 之间的整数"}


def watch_settings(polling: bool = False) -> WatchSettings:
    """The watcher's settings: defaults, overridden by the environment variables that are set."""
    values: dict[str, object] = {"settle": 2.0 if polling else 1.0, "rescan": 10.0,
                                 "workers": min(2, os.cpu_count() or 1)}
    for field, env in ENV_NAMES.items():
        raw = os.environ.get(env)
        if raw is not None and raw.strip():
            values[field] = raw.strip()
    try:
        return WatchSettings.model_validate(values)
    except ValidationError as e:
        field = str(e.errors()[0]["loc"][0])
        env = ENV_NAMES[field]
        raise InputError(None, f"环境变量 {env} 的值“{os.environ.get(env, '')}”无效，应为{_EXPECT[field]}",
                         hint=f"请改正或删除环境变量 {env}") from None
