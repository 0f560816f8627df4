"""Clues that tell apart real divisions sharing a name (白云区 in 广州 and in 贵阳), on synthetic text."""

from __future__ import annotations

import pytest

from transforms.model import Metadata, StrippedPage
from transforms.page_region import PageOrigin, find_region
from transforms.region_clues import area_region_code
from transforms.regions import region_by_code

BODY = ["2023年,白云区坚持依法行政,扎实推进法治政府建设,现将有关情况报告如下:", "一、主要举措"]
GUANGZHOU, GUIYANG = "440111", "520113"


GOV_FOOTER = "主办：区人民政府办公室"


def region_of(
    footer: str = "", url: str | None = None, body: list[str] = BODY, owner: str = GOV_FOOTER
) -> tuple[str | None, list[str]]:
    origin = PageOrigin("\n".join([*body, footer, owner]), url)
    found = find_region(StrippedPage(body_lines=body), Metadata(), origin)
    note = found.note()
    return (found.region.code if found.region else None), note.clues or [c["code"] for c in note.candidates]


def test_no_clue_leaves_both_candidates():
    assert region_of() == (None, [GUANGZHOU, GUIYANG])


@pytest.mark.parametrize(
    "footer, expected, clue",
    [
        ("版权所有 粤ICP备05012345号", GUANGZHOU, "icp: 粤ICP备"),
        ("黔ICP备12003456号-1", GUIYANG, "icp: 黔ICP备"),
        ("粤公网安备 44011102000123号", GUANGZHOU, "filing_code: 公网安备 44011102000123"),
        ("网站标识码:5201130001", GUIYANG, "site_code: 网站标识码:5201130001"),
        ("联系电话:020-86001234", GUANGZHOU, "area_code: 020"),
        ("联系电话:(0851)84801234", GUIYANG, "area_code: 0851"),
    ],
)
def test_printed_clues_settle_the_name(footer, expected, clue):
    code, clues = region_of(footer)
    assert code == expected
    assert clue in clues


def test_a_province_domain_settles_the_name():
    assert region_of(url="https://www.example.guizhou.gov.cn/zwgk/t1.html")[0] == GUIYANG
    assert region_of(url="https://www.example.com/t1.html")[0] is None


def test_numbers_that_are_not_phone_numbers_are_no_clue():
    assert region_of("文号:〔2023〕020-1号 金额0851万元 编号20-12345678")[0] is None


def test_clues_that_disagree_equally_leave_the_name_open():
    assert region_of("粤ICP备05012345号 黔ICP备12003456号")[0] is None


def test_the_area_code_table_resolves_cities_and_municipalities():
    assert area_region_code("020") == "440100"
    assert area_region_code("023") == "500000"
    assert area_region_code("0851") == "520100"
    guangzhou = region_by_code("440100")
    assert guangzhou is not None and guangzhou.name == "广州市"


def test_a_phone_number_right_after_its_label_counts():
    assert region_of("电话020-86001234")[0] == GUANGZHOU
    assert region_of("传真：（0851）84801234")[0] == GUIYANG
    assert region_of("编号A020-86001234 代码9020-86001234 括号020)86001234")[0] is None


MIRROR_FOOTER = "京ICP备10000001号 京公网安备 11010502000001号 客服电话:010-65001234"


def test_what_a_site_that_is_no_government_prints_is_no_clue():
    body = ["2023年,朝阳区坚持依法行政,推进法治政府建设,全区发展质量持续提升。", "一、主要举措"]
    mirror = "版权所有：某某信息网"
    assert region_of(MIRROR_FOOTER, body=body, owner=mirror)[0] is None
    with_city = [body[0] + "助力长春现代化都市圈建设。", body[1]]
    assert region_of(MIRROR_FOOTER, body=with_city, owner=mirror)[0] == "220104"  # 长春市朝阳区
    assert region_of(MIRROR_FOOTER, body=body)[0] == "110105"  # on a government site the footer counts
    assert region_of("联系电话:020-86001234", owner="")[0] is None
    gov_host = "https://www.example.gov.cn/a.html"
    assert region_of("联系电话:020-86001234", url=gov_host, owner="")[0] == GUANGZHOU
