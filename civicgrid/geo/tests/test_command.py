"""manage.py import_geojson with real files."""

import json

import pytest
from django.core.management import CommandError, call_command

from civicgrid.geo.models import Area, Grid
from civicgrid.testing.factories import square

pytestmark = pytest.mark.django_db


def write(tmp_path, features, name="grids.geojson"):
    path = tmp_path / name
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def grid_feature(code, name, x0, community="441322001003", size=0.01, **props):
    return {
        "type": "Feature",
        "geometry": square(x0, 23.00, size),
        "properties": {"code": code, "name": name, "community_code": community, **props},
    }


def test_imports_a_file_and_reports_counts(tiny, south, tmp_path, capsys):
    path = write(
        tmp_path,
        [
            grid_feature("G-C1", "南门第一网格", 114.04),
            grid_feature("G-C2", "南门第二网格", 114.05),
        ],
    )
    call_command("import_geojson", str(path), "--kind", "grids")
    assert "新建 2 个,更新 0 个" in capsys.readouterr().out
    assert set(Grid.objects.filter(community=south).values_list("code", flat=True)) == {
        "G-C1",
        "G-C2",
    }


def test_errors_one_per_line_non_zero_exit_nothing_imported(tiny, south, tmp_path, capsys):
    path = write(
        tmp_path,
        [
            grid_feature("G-C1", "南门第一网格", 114.04),
            grid_feature("G-C2", "南门第二网格", 114.045),  # overlaps the first
            grid_feature("G-C3", "无社区网格", 114.05, community="441322001099"),
        ],
    )
    with pytest.raises(CommandError, match="2 处错误,未导入任何数据"):
        call_command("import_geojson", str(path), "--kind", "grids")
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("南门第二网格(G-C2)\tgeometry\t与网格『南门第一网格』重叠约")
    assert lines[1].startswith("无社区网格(G-C3)\tcommunity_code\t")
    assert not Grid.objects.filter(community=south).exists()


def test_dry_run_writes_nothing(tiny, south, tmp_path, capsys):
    path = write(tmp_path, [grid_feature("G-C1", "南门第一网格", 114.04)])
    call_command("import_geojson", str(path), "--kind", "grids", "--dry-run")
    assert "试运行" in capsys.readouterr().out
    assert not Grid.objects.filter(code="G-C1").exists()


def test_tolerance_option(tiny, south, tmp_path):
    path = write(
        tmp_path,
        [
            grid_feature("G-C1", "南门第一网格", 114.04),
            grid_feature("G-C2", "南门第二网格", 114.0499),
        ],
    )  # ~10 m overlap
    with pytest.raises(CommandError):
        call_command("import_geojson", str(path), "--kind", "grids", "--dry-run")
    call_command("import_geojson", str(path), "--kind", "grids", "--tolerance", "30")
    assert Grid.objects.filter(code__in=["G-C1", "G-C2"]).count() == 2


def test_areas_file(tiny, tmp_path):
    path = write(
        tmp_path,
        [
            {
                "type": "Feature",
                "geometry": None,
                "properties": {
                    "code": "441322001003",
                    "name": "南门社区",
                    "level": "社区",
                    "parent_code": "441322001000",
                },
            }
        ],
        name="areas.geojson",
    )
    call_command("import_geojson", str(path), "--kind", "areas")
    assert Area.objects.get(code="441322001003").parent == tiny.street


def test_bad_json_and_missing_file(tiny, tmp_path, capsys):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_geojson", str(bad), "--kind", "areas")
    assert "不是有效的 JSON" in capsys.readouterr().err
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("import_geojson", str(tmp_path / "missing.geojson"), "--kind", "areas")
