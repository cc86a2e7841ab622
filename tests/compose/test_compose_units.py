"""Unit parsers and the Fargate size table (values written from the docs, not from the code)."""

import pytest

from components.compose.fargate_sizes import (
    FARGATE_CPU_MEMORY,
    describe_fargate_sizes,
    is_valid_fargate_size,
    smallest_fargate_size,
)
from components.compose.units import format_duration, parse_cpus, parse_duration, parse_size

MIB = 1024 * 1024


@pytest.mark.parametrize("text,seconds", [
    ("1m30s", 90.0), ("10s", 10.0), ("500ms", 0.5), ("1.5h", 5400.0), ("2us", 2e-6), ("1h2m3s", 3723.0),
    ("0", 0.0), (15, 15.0), (2.5, 2.5),
])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["10", "ten seconds", "1x", "s", "", True, -1, None, [1]])
def test_parse_duration_rejects(bad):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


@pytest.mark.parametrize("text,size", [
    ("512M", 512 * MIB), ("1g", 1024 * MIB), ("1.5GB", int(1.5 * 1024 * MIB)), ("100b", 100), ("64k", 65536),
    ("128mb", 128 * MIB), (1024, 1024), ("2048", 2048),
])
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("bad", ["12q", "M", "-1M", -1, True, "1.2.3G"])
def test_parse_size_rejects(bad):
    with pytest.raises(ValueError, match="size"):
        parse_size(bad)


def test_parse_cpus():
    assert parse_cpus("0.5") == 0.5
    assert parse_cpus(2) == 2.0
    for bad in ("half", -1, True, None):
        with pytest.raises(ValueError, match="CPUs"):
            parse_cpus(bad)


@pytest.mark.parametrize("seconds,text", [(30, "30s"), (30.0, "30s"), (1.5, "1500ms"), (0, "0s"), (120, "120s")])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


# The table from the AWS docs, as the brief lists it.
DOC_TABLE = {
    256: [512, 1024, 2048],
    512: [1024, 2048, 3072, 4096],
    1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
}


def test_fargate_table_small_rows_match_docs():
    for cpu, mems in DOC_TABLE.items():
        assert list(FARGATE_CPU_MEMORY[cpu]) == mems
    assert sorted(FARGATE_CPU_MEMORY) == [256, 512, 1024, 2048, 4096, 8192, 16384]


@pytest.mark.parametrize("cpu,mem,ok", [
    (256, 512, True), (256, 4096, False), (512, 5120, False), (2048, 4096, True), (2048, 16384, True),
    (2048, 17408, False), (4096, 30720, True), (4096, 31744, False), (4096, 9216, True),
    (8192, 16384, True), (8192, 20480, True), (8192, 17408, False), (8192, 61440, True), (8192, 65536, False),
    (16384, 32768, True), (16384, 40960, True), (16384, 36864, False), (16384, 122880, True),
    (128, 512, False), (3072, 8192, False),
])
def test_fargate_valid_pairs(cpu, mem, ok):
    assert is_valid_fargate_size(cpu, mem) is ok


@pytest.mark.parametrize("cpu,mem,expected", [
    (0.3 * 1024, 600, (512, 1024)),
    (256, 512, (256, 512)),
    (0, 0, (256, 512)),
    (256, 2049, (512, 3072)),
    (1024, 9000, (2048, 9216)),
    (4096, 30721, (8192, 32768)),
    (8192, 61441, (16384, 65536)),
    (16384, 122880, (16384, 122880)),
    (17000, 1, None),
    (16384, 122881, None),
])
def test_fargate_round_up(cpu, mem, expected):
    assert smallest_fargate_size(cpu, mem) == expected


def test_describe_sizes_lists_every_cpu():
    text = describe_fargate_sizes()
    for cpu in (256, 512, 1024, 2048, 4096, 8192, 16384):
        assert f"{cpu}:" in text
    assert "16384: 32768-122880 by 8192" in text
