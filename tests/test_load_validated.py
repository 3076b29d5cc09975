"""Reading a validated file (`errors.load_validated`): the plan JSON (`load.load_result`) and the 台账 config
(`track.config.load_config`) share one reader, so every way a file can be unusable is refused the same
way for both — in Chinese, naming the file, never a traceback and never a blocked read."""
from __future__ import annotations

import os

import pytest

from pipeline.errors import InputError
from pipeline.load import load_result
from pipeline.track.config import load_config


READERS = {"plan json": (load_result, ".json"), "track config": (load_config, ".toml")}


@pytest.fixture(params=sorted(READERS))
def reader(request):
    return READERS[request.param]


def _refused(read, path, *words):
    with pytest.raises(InputError) as info:
        read(path)
    message = info.value.message
    assert path.name in message and all(w in message for w in words), message
    return message


def test_a_folder_is_refused(reader, tmp_path):
    read, suffix = reader
    folder = tmp_path / f"folder{suffix}"
    folder.mkdir()
    _refused(read, folder, "文件夹")


@pytest.mark.timeout(30)
def test_a_fifo_is_refused_without_blocking(reader, tmp_path):
    read, suffix = reader
    fifo = tmp_path / f"pipe{suffix}"
    os.mkfifo(fifo)
    _refused(read, fifo, "管道")


def test_text_that_is_not_utf8_is_refused(reader, tmp_path):
    read, suffix = reader
    path = tmp_path / f"gbk{suffix}"
    path.write_bytes("[statuses]\n已完成 = []\n".encode("gb18030"))
    _refused(read, path, "UTF-8")


def test_missing_file_is_refused(reader, tmp_path):
    read, suffix = reader
    _refused(read, tmp_path / f"absent{suffix}", "不存在")


def test_deep_nesting_is_refused(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    _refused(load_result, path, "嵌套")


def test_nan_keeps_its_hint(tmp_path):
    path = tmp_path / "nan.json"
    path.write_text('{"plan": NaN}', encoding="utf-8")
    message = _refused(load_result, path, "NaN", "处理建议：请重新用 plandoc parse 生成解析结果")
    assert "非数值“NaN”" in message
