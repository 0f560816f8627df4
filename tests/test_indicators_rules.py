"""Indicator mapping over synthetic 示例县 reports: codes, values, scopes, stated zeros, de-duplication."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from demo_catalog import demo_entry

from nianbao.settings import ConfigError
from transforms.catalog import build_catalog, load_catalog
from transforms.extract import extract_pages
from transforms.figures import measure_bodies
from transforms.frames import FACT_SCHEMA, QUANTITY_SCHEMA
from transforms.model import Page
from transforms.units import units_table

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "figures"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def facts(body: str) -> list[tuple]:
    rows = measure_bodies([(0, body)]).facts.iter_rows(named=True)
    return [(r["code"], r["value"], r["unit"], r["qualifier"], r["scope"]) for r in rows]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_reports(name: str) -> None:
    body = (FIXTURES / name).read_text(encoding="utf-8")
    frames = measure_bodies([(0, body)])
    got_q = [
        [r["text"], r["value"], r["unit"], r["qualifier"], r["value_high"]]
        for r in frames.quantities.iter_rows(named=True)
    ]
    got_i = [
        [r["code"], r["value"], r["unit"], r["qualifier"], r["scope"]]
        for r in frames.facts.iter_rows(named=True)
    ]
    assert got_q == EXPECTED[name]["quantities"]
    assert got_i == EXPECTED[name]["indicators"]


def test_frames_follow_the_shared_schemas() -> None:
    frames = measure_bodies([(0, (FIXTURES / "shili-2023-law.txt").read_text(encoding="utf-8"))])
    assert frames.quantities.schema == pl.Schema(QUANTITY_SCHEMA)
    assert frames.facts.schema == pl.Schema(FACT_SCHEMA)
    assert frames.facts.to_arrow().num_rows == frames.facts.height


def test_scope_only_when_a_code_has_several_values() -> None:
    body = "全县建立乡镇人民调解委员会15个、村人民调解委员会218个,社区人民调解委员会9个。"
    assert facts(body) == [
        ("mediation.committees", 15.0, "个", None, "乡镇"),
        ("mediation.committees", 218.0, "个", None, "村"),
        ("mediation.committees", 9.0, "个", None, "社区"),
    ]
    assert facts("全县建立乡镇人民调解委员会15个。") == [("mediation.committees", 15.0, "个", None, None)]


def test_approval_time_limits_per_project_type() -> None:
    body = (
        "政府投资房屋建筑工程类审批压缩至40个工作日,企业投资类审批压缩至30个工作日,"
        "社会投资简易低风险类审批压缩至15个工作日。"
    )
    assert [(c, v, s) for c, v, _, _, s in facts(body)] == [
        ("approval.time_limit", 40.0, "政府投资房屋建筑工程类"),
        ("approval.time_limit", 30.0, "企业投资类"),
        ("approval.time_limit", 15.0, "社会投资简易低风险类"),
    ]


def test_one_value_for_several_scopes() -> None:
    body = "组织全县公职人员参加学法考试,参考率、合格率均达100%。"
    assert facts(body) == [
        ("legal_exam.rate", 100.0, "%", None, "参考率"),
        ("legal_exam.rate", 100.0, "%", None, "合格率"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        "全年办理行政应诉案件9件,未出现败诉案件。",
        "全年实现零败诉。",
        "全年没有发生行政机关败诉情况。",
        "行政诉讼败诉案件为零。",
    ],
)
def test_stated_zero(body: str) -> None:
    assert ("litigation.lost", 0.0, "件", None, None) in facts(body)


def test_stated_zero_rate_and_unrelated_negations() -> None:
    assert facts("行政诉讼败诉率为0。") == [("litigation.loss_rate", 0.0, "%", None, None)]
    assert facts("全年未发生群体性事件。") == []


def test_same_fact_twice_is_one_fact() -> None:
    body = "全年受理行政复议案件12件。经统计,全年受理行政复议案件12件。"
    assert facts(body) == [("reconsideration.accepted", 12.0, "件", None, None)]
    assert measure_bodies([(0, body)]).quantities.height == 2


def test_unit_family_gates_the_code() -> None:
    # A count of people is not a count of cases.
    assert facts("受理行政复议案件涉及群众35人。") == []
    assert facts("受理行政复议案件35件。") == [("reconsideration.accepted", 35.0, "件", None, None)]


def test_extract_fills_reports(tmp_path: Path) -> None:
    body = (FIXTURES / "shili-2022-trad.txt").read_text(encoding="utf-8")
    pages = [Page(name="trad.txt", data=body.encode("utf-8")), Page(name="empty.txt", data=b"")]
    batch = extract_pages(pages)
    report = batch.reports[0]
    assert report.ok
    assert [q.text for q in report.quantities][:3] == ["12件", "8件", "9件"]
    assert ("reconsideration.accepted", 12.0) in [(i.code, i.value) for i in report.indicators]
    for q in report.quantities:
        assert report.body[q.start : q.end] == q.text
    assert not batch.reports[1].ok and batch.reports[1].quantities == []
    assert set(batch.quantities["doc"].to_list()) == {0}
    assert batch.facts.height == len(report.indicators)


def test_new_synonym_is_a_config_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config"
    shutil.copytree(Path(__file__).resolve().parents[1] / "config", config)
    body = "全年开展“合规体检进企业”服务,走访企业45家。"
    assert facts(body) == []
    catalog = (config / "indicators.yaml").read_text(encoding="utf-8")
    rule = '      - {clause: "(法治|法律)[^,]{0,4}体检"}'
    catalog = catalog.replace(rule, rule + '\n      - {sentence: "合规体检", left: "走访企业"}')
    (config / "indicators.yaml").write_text(catalog, encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(config))
    assert facts(body) == [("legal_checkups.companies", 45.0, "家", None, None)]


def test_catalog_build_is_pure() -> None:
    raw = {"indicators": [demo_entry()]}
    catalog = build_catalog(raw, units_table())
    assert [r.code for r in catalog.rules] == ["demo.items"]
    frames = measure_bodies([(0, "梳理示例事项12项。")], catalog=catalog)
    assert frames.facts["code"].to_list() == ["demo.items"]
    assert load_catalog().by_code()["economy.gdp"].unit == "元"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "新收行政复议申请40件,依法受理36件,审结行政复议案件32件,综合纠错率15%。",
            [
                ("reconsideration.applications", 40.0),
                ("reconsideration.accepted", 36.0),
                ("reconsideration.concluded", 32.0),
                ("reconsideration.correction_rate", 15.0),
            ],
        ),
        (
            "全年新收行政诉讼案件50件,审结45件,败诉5件,败诉率10%。",
            [
                ("litigation.cases", 50.0),
                ("litigation.concluded", 45.0),
                ("litigation.lost", 5.0),
                ("litigation.loss_rate", 10.0),
            ],
        ),
        (
            "开展法治宣传活动300余场次,发放宣传资料5万余份,受教育群众10万余人次。",
            [
                ("legal_education.events", 300.0),
                ("legal_education.materials", 50000.0),
                ("legal_education.participants", 100000.0),
            ],
        ),
        (
            "全县共有人民调解组织286个,人民调解员1,650名。排查化解矛盾纠纷2,300余件。",
            [
                ("mediation.committees", 286.0),
                ("mediation.mediators", 1650.0),
                ("mediation.disputes", 2300.0),
            ],
        ),
        (
            "完成清欠农民工工资2,300万元,涉及农民工1,500人。",
            [("wages.recovered", 23000000.0), ("wages.workers", 1500.0)],
        ),
        (
            "城镇居民人均可支配收入达到4.2万元,增长6%。规模以上工业增加值增长8%。",
            [("income.urban_disposable", 42000.0)],
        ),
        ("政府信息公开申请38件,均按时答复。召开新闻发布会12场。", [("gov_info.applications", 38.0)]),
        (
            "全县共有行政执法单位42个,行政执法人员1,856名,其中持有执法证件1,720名。",
            [
                ("enforcement.departments", 42.0),
                ("enforcement.personnel", 1856.0),
                ("enforcement.certified", 1720.0),
            ],
        ),
        (
            "全年共作出行政处罚决定1,350件,罚没金额1,200万元。",
            [("enforcement.cases", 1350.0), ("enforcement.fines", 12000000.0)],
        ),
        (
            "全县地区生产总值完成285亿元、增长6.2%,一般公共预算收入12.5亿元、增长8%。",
            [
                ("economy.gdp", 28500000000.0),
                ("economy.gdp_growth", 6.2),
                ("fiscal.budget_revenue", 1250000000.0),
                ("fiscal.budget_revenue_growth", 8.0),
            ],
        ),
        # Second reading: phrasings of other provinces' reports.
        (
            "全年共收到行政复议申请56件，受理49件，审结45件，其中维持32件、撤销3件、确认违法2件、驳回申请5件。",
            [
                ("reconsideration.applications", 56.0),
                ("reconsideration.accepted", 49.0),
                ("reconsideration.concluded", 45.0),
                ("reconsideration.upheld", 32.0),
                ("reconsideration.revoked", 3.0),
                ("reconsideration.dismissed", 5.0),
            ],
        ),
        (
            "全年共受理行政復議申請十二件，維持原行政行為八件，撤銷一件。",
            [
                ("reconsideration.accepted", 12.0),
                ("reconsideration.upheld", 8.0),
                ("reconsideration.revoked", 1.0),
            ],
        ),
        ("行政機關負責人出庭應訴率達到百分之百。", [("litigation.head_appearance_rate", 100.0)]),
        ("為農民工追回工資300多萬元。", [("wages.recovered", 3000000.0)]),
        (
            "举办法治讲座6场，参加人数1200余人次。",
            [("legal_education.events", 6.0), ("legal_education.participants", 1200.0)],
        ),
        (
            "组织执法人员培训12期，参训860人次，参训率100%。",
            [
                ("enforcement.training_sessions", 12.0),
                ("enforcement.trainees", 860.0),
                ("enforcement.training_rate", 100.0),
            ],
        ),
        (
            "聘任营商环境监督员50名，设立营商环境监测点20个。",
            [("business_env.supervisors", 50.0), ("business_env.monitoring_points", 20.0)],
        ),
        (
            "全县共有综合行政执法队伍8支。对128件轻微违法行为依法不予处罚。",
            [("enforcement.teams", 8.0), ("enforcement.lenient_cases", 128.0)],
        ),
        (
            "开展劳动保障守法诚信等级评价，评价企业86家。开展企业法治体检活动，服务企业126家。",
            [("labor.credit_evaluations", 86.0), ("legal_checkups.companies", 126.0)],
        ),
        ("办理时限由20个工作日压缩至5个工作日。", [("approval.time_limit", 5.0)]),
        ("一般公共预算收入由8.2亿元增加到12.6亿元。", [("fiscal.budget_revenue", 1260000000.0)]),
        (
            "城乡居民人均可支配收入分别达到41250元和19860元，分别增长5.2%和7.1%。",
            [("income.urban_disposable", 41250.0), ("income.rural_disposable", 19860.0)],
        ),
        (
            "全年实现地区生产总值（GDP）312.5亿元，按可比价格计算，增长5.8%。",
            [("economy.gdp", 31250000000.0), ("economy.gdp_growth", 5.8)],
        ),
        ("2024年主要预期目标是：地区生产总值增长6%左右，一般公共预算收入增长6.5%。", []),
        (
            "全年共審查規範性文件三十八件，備案十二件。",
            [("normative_docs.reviewed", 38.0), ("normative_docs.filed", 12.0)],
        ),
        (
            "全年辦理行政處罰案件一千五百六十八件，罰沒款三百五十六點八萬元。",
            [("enforcement.cases", 1568.0), ("enforcement.fines", 3568000.0)],
        ),
        (
            "城乡居民人均可支配收入分别达到42680元、21350元，分别增长5.1%、7.3%。",
            [("income.urban_disposable", 42680.0), ("income.rural_disposable", 21350.0)],
        ),
        (
            "全年共办理各类政务服务事项56.8万件。梳理政务服务事项1512项。",
            [("gov_service.transactions", 568000.0), ("gov_service.items", 1512.0)],
        ),
    ],
)
def test_common_phrasings(body: str, expected: list[tuple[str, float]]) -> None:
    assert [(code, value) for code, value, *_ in facts(body)] == expected


def test_mediation_committee_abbreviation_keeps_scopes() -> None:
    body = "全县共有人民调解委员会215个，其中乡镇调委会14个、村（社区）调委会201个。"
    assert [(code, value, scope) for code, value, _, _, scope in facts(body)] == [
        ("mediation.committees", 215.0, None),
        ("mediation.committees", 14.0, "乡镇"),
        ("mediation.committees", 201.0, "村"),
    ]


def test_online_rates_keep_their_names_as_scope() -> None:
    body = "政务服务事项“一网通办”率达99.2%，全程网办率达85.6%。"
    assert [(code, value, scope) for code, value, _, _, scope in facts(body)] == [
        ("gov_service.online_rate", 99.2, "一网通办”率"),
        ("gov_service.online_rate", 85.6, "全程网办率"),
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("全年审查38件规范性文件。", "normative_docs.reviewed"),
        ("共办理56件行政复议案件。", "reconsideration.accepted"),
        ("办理1568件行政处罚案件。", "enforcement.cases"),
        ("调处2136件矛盾纠纷。", "mediation.disputes"),
        ("主动公开4562条政府信息。", "gov_info.proactive"),
        ("办理87件政府信息公开申请。", "gov_info.applications"),
    ],
)
def test_number_first_word_order(body: str, code: str) -> None:
    assert [c for c, *_ in facts(body)] == [code]


def test_listed_items_are_a_breakdown_not_the_total() -> None:
    body = "在政务大厅设置了5个无差别受理综合窗口、2个工程建设项目受理窗口、1个统一出件窗口。"
    assert facts(body) == []


def test_values_listed_under_fenbie_share_the_code() -> None:
    body = "示例县经营许可事项实行告知承诺制办件分别为208件、1336件。"
    assert [(c, v) for c, v, *_ in facts(body)] == [("commitment.cases", 208.0), ("commitment.cases", 1336.0)]
    # Listed actions pair with their values (catalog `pairing`): the second is not the first one's code.
    body = "行政复议决定维持、撤销分别为20件、3件。"
    assert [(c, v) for c, v, *_ in facts(body)] == [
        ("reconsideration.upheld", 20.0),
        ("reconsideration.revoked", 3.0),
    ]
    body = "示例县受理、审结行政复议案件分别为30件、28件。"
    assert [(c, v) for c, v, *_ in facts(body)] == [
        ("reconsideration.accepted", 30.0),
        ("reconsideration.concluded", 28.0),
    ]
    # Listed nouns too; items fewer than the values are no pairing (each value reads the whole list).
    body = "主动公开政府信息、政策解读分别为3560条、92条。"
    assert [(c, v) for c, v, *_ in facts(body)] == [
        ("gov_info.proactive", 3560.0),
        ("gov_info.interpretations", 92.0),
    ]
    # Another unit family does not inherit the code.
    body = "示例县告知承诺制办件分别为208件和36人。"
    assert [(c, v) for c, v, *_ in facts(body)] == [("commitment.cases", 208.0)]


@pytest.mark.parametrize("pairing", [{"action": "^受理"}, {"action": "^受理", "join": "("}, ["^受理"]])
def test_bad_pairing_is_a_clear_error(pairing: object) -> None:
    raw = {"indicators": [demo_entry()], "pairing": pairing}
    with pytest.raises(ConfigError, match="pairing"):
        build_catalog(raw, units_table())
