"""Region names → codes from jionlp's division dataset: renames, duplicate names, the fictional extras."""

from __future__ import annotations

from transforms.regions import all_regions, find_mentions, region_by_code, resolve_region
from transforms.textmap import to_simplified, to_simplified_lines


def code(text: str, context: str = "") -> str | None:
    region = resolve_region(text, context)
    return region.code if region else None


def test_the_most_specific_region_of_a_path_wins():
    assert code("北京市东城区人民政府") == "110101"
    assert code("天津市静海区人民政府关于2024年法治政府建设报告") == "120118"
    assert code("岳阳市人民政府关于2021年度法治政府建设工作情况的报告") == "430600"


def test_traditional_characters_resolve():
    assert to_simplified("東城區") == "东城区"
    assert to_simplified_lines(["東城區", "", "東\n城"]) == ["东城区", "", "东\n城"]  # (a line's own newline)
    assert to_simplified_lines(["東城區", "堅持"]) == ["东城区", "坚持"]
    assert to_simplified_lines([]) == []
    # a long text (looked through with numpy first): one traditional character among many, or none, or one
    # beside a character beyond U+FFFF
    prose = "示例县坚持依法行政，全面推进法治政府建设。" * 60
    assert to_simplified(prose) == prose
    assert to_simplified(prose + "東城區") == prose + "东城区"
    assert to_simplified("區" + prose) == "区" + prose
    assert to_simplified(prose + "𠀋區") == prose + "𠀋区"
    assert code("東城區政府堅持") == "110101"


def test_duplicate_names_need_their_province_or_city():
    assert code("新华区人民政府") is None
    assert code("新华区人民政府", context="河北省石家庄市") == "130105"
    assert code("河北省沧州市新华区") == "130902"


def test_a_former_county_name_still_gets_a_code():
    assert code("平泉县人民政府2016年法治政府建设情况报告") == "130881"
    former = [r for r in all_regions() if r.name == "平泉县"]
    assert former and former[0].valid_to == 2017


def test_two_character_counties_only_match_at_a_word_edge():
    assert [m.name for m in find_mentions("各乡镇和县直各部门完成县级任务")] == []
    assert code("和县人民政府") is not None
    assert code("安徽省和县") is not None


def test_common_words_are_not_regions():
    assert find_mentions("加强城区管理,推进区域协调发展") == []


def test_fictional_regions_come_from_config():
    assert code("示例县人民政府") == "990121"
    county = region_by_code("990121")
    assert county is not None
    assert (county.level, county.parent_code) == ("county", "990100")
    assert (county.province, county.city) == ("示例省", "示例市")


def test_all_regions_rows_are_complete():
    rows = all_regions()
    assert len(rows) > 3000
    levels = {r.level for r in rows}
    assert levels == {"province", "city", "county"}
    by_code = {r.code: r for r in rows if r.valid_to is None}
    dongcheng = by_code["110101"]
    assert (dongcheng.name, dongcheng.level, dongcheng.parent_code, dongcheng.province) == (
        "东城区",
        "county",
        "110000",
        "北京市",
    )
    assert all(len(r.code) == 6 and r.code.isdigit() for r in rows)
    assert all(r.parent_code in by_code for r in rows if r.parent_code)


def test_a_code_names_one_current_division():
    current = [r.code for r in all_regions() if r.valid_to is None]
    assert len(current) == len(set(current))
    assert not any("直辖" in r.name for r in all_regions())


def test_the_parsed_dataset_is_cached_on_disk(tmp_path, monkeypatch):
    from transforms import regions

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    parsed = regions._load_dataset()
    cached = list((tmp_path / "nianbao").glob("regions-*.json"))
    assert len(cached) == 1
    assert regions._load_dataset() == parsed
    assert any(row["code"] == "110101" for row in parsed["rows"])
