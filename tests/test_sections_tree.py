"""Section headings: 一、 level 1, (一) level 2, parts (第一部分) above them, run-in titles cut at 。."""

from __future__ import annotations

from transforms.sections import find_sections, heading_of

BODY = "\n".join(
    [
        "示例市人民政府:",
        "2021年,示例县坚持依法行政。",
        "一、履行政府主体职责,推进法治政府建设",
        "(一)依法全面履行政府职能",
        "一是推进政务服务改革。全年办理事项12345件。",
        "1.完善行政权力运行机制。",
        "(二)主动公开情况。2022年,主动公开政府信息57条。",
        "（三）依申请公开情况",
        "二、工作中存在的问题",
    ]
)


def listed(body: str) -> list[tuple[int, str, str]]:
    return [(s.level, s.number, s.title) for s in find_sections(body)]


def test_levels_one_and_two_are_listed_with_run_in_titles_cut():
    assert listed(BODY) == [
        (1, "一", "履行政府主体职责,推进法治政府建设"),
        (2, "一", "依法全面履行政府职能"),
        (2, "二", "主动公开情况"),
        (2, "三", "依申请公开情况"),
        (1, "二", "工作中存在的问题"),
    ]


def test_offsets_point_at_the_heading_in_the_body():
    for section in find_sections(BODY):
        assert BODY[section.start :].startswith(("一、", "二、", "(", "（"))


def test_parts_move_every_heading_one_level_down():
    body = "各位代表:\n第一部分    2021年工作回顾\n一、统筹发展和安全,取得重要成果\n第二部分 2022年工作安排"
    assert listed(body) == [
        (1, "一", "2021年工作回顾"),
        (2, "一", "统筹发展和安全,取得重要成果"),
        (1, "二", "2022年工作安排"),
    ]


def test_run_in_leads_are_level_three_and_not_listed():
    section = heading_of("三是加强行政执法队伍建设。举办培训班2期。")
    assert section is not None
    assert (section.level, section.number, section.title) == (3, "三", "加强行政执法队伍建设")
    assert listed("三是加强行政执法队伍建设。") == []


def test_ordinary_paragraphs_are_not_headings():
    assert heading_of("2021年,县政府加强组织领导,进一步加快了法治政府建设。") is None
    assert heading_of("十九届四中全会精神深入人心。") is None
    assert listed("") == []
