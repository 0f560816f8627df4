"""Quantity mentions in a body: values, units, hedges, ranges, offsets, and the traps that are not counts."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from transforms.figures import measure_bodies
from transforms.quantities import QUOTED, BodyBatch, _matches, _mention_starts, _quote_spans, _quote_starts
from transforms.units import units_table


def quantities(body: str) -> list[dict]:
    return list(measure_bodies([(0, body)]).quantities.iter_rows(named=True))


def found(body: str) -> list[tuple]:
    return [(q["value"], q["unit"], q["qualifier"], q["value_high"]) for q in quantities(body)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("示例县设立十三个便民服务站。", (13, "个", None, None)),
        ("建成村级服务点二百三十五个。", (235, "个", None, None)),
        ("培训两千余人。", (2000, "人", "more_than", None)),
        ("受益群众一万零五十人。", (10050, "人", None, None)),
        ("新增就业1.2万人。", (12000, "人", None, None)),
        ("完成造林3万4千亩。", (34000, "亩", None, None)),
        ("收缴保证金3751.9万元。", (37519000, "元", None, None)),
        ("地区生产总值256.8亿元。", (25680000000, "元", None, None)),
        ("参训率达91%。", (91, "%", None, None)),
        ("参训率达百分之九十一。", (91, "%", None, None)),
        ("满意度提高2.5个百分点。", (2.5, "百分点", None, None)),
        ("审批时间压缩至41个工作日。", (41, "工作日", None, None)),
        ("办结时限3—5个工作日。", (3, "工作日", None, 5)),
        ("补助1万-5万元。", (10000, "元", None, 50000)),
        ("聘请律师600多名。", (600, "名", "more_than", None)),
        ("开展活动100余次。", (100, "次", "more_than", None)),
        ("受众4万余人。", (40000, "人", "more_than", None)),
        ("提速40%以上。", (40, "%", "more_than", None)),
        ("惠及近5000人。", (5000, "人", "about", None)),
        ("投入约12亿元。", (1200000000, "元", "about", None)),
        ("面积5万亩左右。", (50000, "亩", "about", None)),
        ("超过40个项目落地。", (40, "个", "more_than", None)),
        ("资金不足300万元。", (3000000, "元", "less_than", None)),
        ("发放资料２，０００份。", (2000, "份", None, None)),
        ("主动公开政府信息21132 条。", (21132, "条", None, None)),
        ("實現182項涉企經營事項。", (182, "项", None, None)),
        ("培訓六百餘名。", (600, "名", "more_than", None)),
        ("有两三个乡镇试点。", (2, "个", "about", 3)),
        ("开展活动百余场。", (100, "场", "more_than", None)),
        ("走访企业二十多家。", (20, "家", "more_than", None)),
        # Second reading: forms real reports from other provinces print.
        ("为农民工追回工资300多万元。", (3000000, "元", "more_than", None)),
        ("挽回经济损失560余万元。", (5600000, "元", "more_than", None)),
        ("罚没款 356.8 万元。", (3568000, "元", None, None)),
        ("罚没款\u00a0356.8\u00a0万元。", (3568000, "元", None, None)),
        ("地区生产总值156.8亿元。", (15680000000, "元", None, None)),
        ("財政收入完成三點五億元。", (350000000, "元", None, None)),
        ("参考率达百分之九十五点五。", (95.5, "%", None, None)),
        ("出庭应诉率达到百分之百。", (100, "%", None, None)),
        ("滞纳金按日加收千分之三。", (3, "‰", None, None)),
        ("審批時限壓縮至十五個工作日以內。", (15, "工作日", "less_than", None)),
        ("受众达一萬二千餘人次。", (12000, "人次", "more_than", None)),
        ("培训时长不少于40学时。", (40, "学时", "more_than", None)),
        # A bare 百/千/万 after a hedge or 达, and 百个; 类 counts; a session count that is no ordinal.
        ("现代服务业增加值达千亿元。", (100000000000, "元", None, None)),
        ("近万名干部参加考试。", (10000, "名", "about", None)),
        ("位列全国百个城市前列。", (100, "个", None, None)),
        ("将证明事项划分为六类。", (6, "类", None, None)),
        ("抽查行政执法案卷260卷。", (260, "卷", None, None)),
        ("本届政府共召开3次会议。", (3, "次", None, None)),
    ],
)
def test_values_units_and_qualifiers(body: str, expected: tuple) -> None:
    assert found(body) == [expected]


@pytest.mark.parametrize(
    "body",
    [
        "2019年,我县深入推进依法行政。",
        "咨询电话:0990-1234567、1234568,投诉热线12345。",
        "根据示府〔2024〕3号文件,开展第一批试点。",
        "市政府第40次常务会议研究,第34次、40次、41次会议学法。",
        "深入学习党的十九届四中全会和省委十一届六次全会精神。",
        "全面推行行政执法“三项制度”,推进“一网通办”,落实三项制度。",
        "打造“一条科技创新发展带、四条特色文化旅游休闲发展带”格局。",
        "全面提升四个服务”工作水平,大力推进五个示范建设。",
        "实施《助企纾困28条》,推行“助企纾困20条”。",
        "二〇二四年一月十日,8月27日—29日举办培训。",
        "《示例县十四五规划(2021—2025年)》印发。",
        "开展一次专项清理,建立一个统筹机制。",
        "地址:示例县人民路1号,邮编990121,G4高速。",
        "构建“四位一体”体系,各部门协同联动。",
        "走访数十家企业,整改几十个问题。",
        "提供7×24小时不打烊服务,PM2.5浓度持续下降。",
        "统计期限为2023年1月1日至12月31日。",
        "2023年3月，县政府召开常务会议；开通12345热线，受理群众诉求。",
        "印发《示例县法治政府建设实施方案》（示府发〔2023〕5号），第3批试点名单公布。",
        "认真落实十四五规划，坚决做到两个维护，深化三项制度改革。",
        "群众办事最多跑一次。每季度召开一次，研究部署工作。",
        "三点建议：一是加强领导。会议于上午九点半召开。",
        "开展“百日攻坚”行动，组织百名律师进千企。",
        "列入第一、二批名单，第3、4次会议审议，第五、六届委员。",
        "围绕县十五届人大三次会议明确的目标,落实县委六届二次三次四次全会精神。",
        "出台助企纾困28条等惠企政策。",
        "推出优化营商环境15条、乡村振兴行动计划8条,将民营经济发展12条升级为18条,出台惠企22条措施。",
        "走访三元里街道,破除城乡二元结构,惠及千家万户。",
    ],
)
def test_traps_are_not_quantities(body: str) -> None:
    assert found(body) == []


def test_offsets_text_and_sentence() -> None:
    body = "示例市人民政府:\n2023年,示例县设立5个综合窗口;受理案件1,024件。下一步继续推进。"
    rows = quantities(body)
    assert [q["text"] for q in rows] == ["5个", "1,024件"]
    for q in rows:
        assert body[q["start"] : q["end"]] == q["text"]
    assert rows[0]["sentence"] == "2023年,示例县设立5个综合窗口"
    assert rows[1]["sentence"] == "受理案件1,024件"


def test_duplicates_are_kept_in_reading_order() -> None:
    body = "设立10个监测点,其中市级10个、县级2个。"
    assert [q["value"] for q in quantities(body)] == [10, 10, 2]


def test_batch_keeps_docs_apart() -> None:
    frames = measure_bodies([(0, "设立3个窗口。"), (2, "设立7个窗口,进驻部门4个。")])
    rows = frames.quantities.select("doc", "ordinal", "value").rows()
    assert rows == [(0, 0, 3.0), (2, 0, 7.0), (2, 1, 4.0)]


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("一二两十百千万亿0123456789.,余多约近个件项名人次元%“”《》第、,。\n县区事")
        ),
        max_size=60,
    )
)
def test_scanner_never_raises(body: str) -> None:
    for q in quantities(body):
        assert body[q["start"] : q["end"]] == q["text"]
        assert q["value"] >= 0


def test_lone_one_counts_in_a_list_of_counts() -> None:
    body = "全年共受理行政復議申請十二件，維持原行政行為八件，撤銷一件。另有一件事需说明。"
    assert [(v, u) for v, u, *_ in found(body)] == [(12, "件"), (8, "件"), (1, "件")]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list('“”‘’「」《》",;。:、\n' + "一二件受理案 " * 6)), max_size=60),
        min_size=1,
        max_size=3,
    )
)
@example(["受" * 20 + "”,", "," + "受" * 21 + "”" + "受" * 20 + "”", "“受”受”:案”"])
def test_quote_spans_are_those_of_the_pattern(texts: list[str]) -> None:
    """Tried over the joined text only where a span can start, the quoted spans are those QUOTED.finditer
    finds in each body."""
    batch = BodyBatch(texts, texts)
    expected = [
        (base + m.start(), base + m.end())
        for text, base in zip(texts, batch.starts.tolist(), strict=True)
        for m in QUOTED.finditer(text)
    ]
    assert list(zip(*_quote_spans(batch.text, _quote_starts(batch).tolist()), strict=True)) == expected


MENTION_CHARS = list(
    "一二两十百千万亿0123456789٣.,余多来约近超不足大接少分之个件项名人次元%第、,。\n \t-至最附"
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(MENTION_CHARS), max_size=60), min_size=1, max_size=3))
def test_mentions_tried_where_they_can_start_are_those_of_the_pattern(texts: list[str]) -> None:
    """Tried over the joined text only at the positions _mention_starts gives, the matches are those
    finditer finds in each body."""
    units = units_table()
    batch = BodyBatch(texts, texts)
    expected = [
        ((base + m.start(), base + m.end()), m.groups())
        for text, base in zip(texts, batch.starts.tolist(), strict=True)
        for m in units.mention_re.finditer(text)
    ]
    found = _matches(units.mention_re, batch.text, _mention_starts(batch, units).tolist())
    assert [(m.span(), m.groups()) for m in found] == expected


@given(st.lists(st.text(alphabet=st.sampled_from(list("一件,。\n 𠀀é")), min_size=1), max_size=4))
def test_text_series_holds_each_bodys_matching_text(texts: list[str]) -> None:
    """The polars column cut from the batch's UTF-8 holds each body's matching text (1- to 4-byte
    characters)."""
    assert BodyBatch(texts, texts).text_series().to_list() == texts
