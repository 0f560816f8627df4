"""The full transform (decode + strip + metadata + quantities + indicators) on one core, in reports/s over
≥1,000 synthetic ~10 KB 示例县 captures; and our numeral/money parsing against cn2an and jionlp."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable

REPORTS = 1200
TARGET_BYTES = 10_000
SEED = 20240131
AIM_REPORTS_PER_S = 300

DIGITS = "零一二三四五六七八九"
# Real reports carry about 3 quantities per 1,000 characters; most sentences have none.
FILLER_SHARE = 0.8
FILLER = (
    "坚持以习近平新时代中国特色社会主义思想为指导,深入推进依法行政,全面落实行政执法“三项制度”。",
    "各乡镇、各部门认真贯彻落实上级决策部署,进一步规范行政行为,切实提高依法行政水平。",
    "推动法治政府建设各项任务落到实处,为全县经济社会高质量发展提供坚实法治保障。",
    "健全重大行政决策程序,严格落实公众参与、专家论证、风险评估、合法性审查和集体讨论决定制度。",
    "加强对行政权力运行的制约和监督,自觉接受人大监督、民主监督和社会舆论监督。",
    "深化“放管服”改革,持续优化营商环境,让企业和群众办事更加便捷高效。",
)


def chinese(n: int) -> str:
    """0 < n < 10^8 in Chinese numerals (二百三十五, 一万零五十)."""

    def group(g: int) -> str:
        out, gap = "", False
        for power, unit in ((3, "千"), (2, "百"), (1, "十"), (0, "")):
            d = g // 10**power % 10
            if d:
                out += ("零" if gap and out else "") + DIGITS[d] + unit
                gap = False
            else:
                gap = True
        return out

    high, low = divmod(n, 10**4)
    text = group(high) + "万" + ("零" if 0 < low < 1000 else "") if high else ""
    text += group(low) if low else ""
    return text[1:] if text.startswith("一十") else text


class Synth:
    """Deterministic 示例县 report text with known figures (money and numeral strings are recorded)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.money: list[tuple[str, float]] = []
        self.numerals: list[tuple[str, float]] = []

    def count(self) -> str:
        n = self.rng.choice([self.rng.randint(2, 99), self.rng.randint(100, 9999)])
        style = self.rng.random()
        if style < 0.15:
            word = chinese(n)
            self.numerals.append((word, float(n)))
            return word
        if style < 0.25:
            return f"{n}{self.rng.choice(['余', '多'])}"
        if style < 0.3:
            return f"{n:,}"
        return str(n)

    def money_text(self) -> str:
        kind = self.rng.random()
        if kind < 0.5:
            value = self.rng.randint(10, 99999) / 10
            text, amount = f"{value:g}万元", value * 1e4
        elif kind < 0.65:
            value = self.rng.randint(11, 9999) / 100
            text, amount = f"{value:g}亿元", value * 1e8
        elif kind < 0.75:  # a hedge before the scale word: 300多万元 is 3000000 (more_than)
            value = self.rng.randint(2, 9999)
            text, amount = f"{value}{self.rng.choice(['多', '余'])}万元", value * 1e4
        elif kind < 0.8:  # a Chinese decimal: 三点五亿元
            whole, tenth = self.rng.randint(1, 99), self.rng.randint(1, 9)
            text, amount = f"{chinese(whole)}点{chinese(tenth)}亿元", (whole + tenth / 10) * 1e8
        else:
            value = self.rng.randint(1000, 999999)
            text, amount = f"{value}元", float(value)
        self.money.append((text, round(amount, 2)))
        return text

    def percent(self) -> str:
        if self.rng.random() < 0.1:
            n = self.rng.randint(10, 99)
            return f"百分之{chinese(n)}"
        return f"{self.rng.randint(100, 1000) / 10:g}%"

    def sentence(self) -> str:
        r = self.rng
        c, m, p = self.count, self.money_text, self.percent
        templates: list[Callable[[], str]] = [
            lambda: f"全年受理行政复议案件{c()}件,其中维持{c()}件、撤销{c()}件,直接纠错率为{p()}。",
            lambda: f"办理行政应诉案件{c()}件,行政机关负责人出庭应诉{c()}件,出庭应诉率{p()}。",
            lambda: f"县政务服务中心进驻部门{c()}个、窗口{c()}个,进驻工作人员{c()}名,政务服务事项{c()}项。",
            lambda: f"全年审核规范性文件{c()}件,清理规范性文件{c()}件,其中废止{c()}件。",
            lambda: f"组织行政执法人员培训{c()}期,培训执法人员{c()}人次,参训率达{p()}。",
            lambda: f"全年办理行政处罚案件{c()}件,罚没款{m()}。",
            lambda: f"全县建立村人民调解委员会{c()}个,调解矛盾纠纷{c()}件,调解成功率{p()}。",
            lambda: f"收缴农民工工资保证金{m()},为{c()}名农民工追回欠薪{m()}。",
            lambda: f"全年主动公开政府信息{c()}条,发布政策解读{c()}条,收到政府信息公开申请{c()}件。",
            lambda: f"开展普法活动{c()}场次,受众{c()}人次,发放宣传资料{c()}份。",
            lambda: f"县政府常务会议会前学法{c()}次,组织{c()}名国家工作人员参加学法考试,参考率{p()}。",
            lambda: f"地区生产总值实现{m()},同比增长{p()};一般公共预算收入{m()},增长{p()}。",
            lambda: f"工程建设项目审批时间压缩至{r.randint(5, 60)}个工作日,新登记市场主体{c()}户。",
            lambda: f"清偿拖欠民营企业账款{m()},尚未清偿{m()}。",
            lambda: f"聘请法律顾问{c()}名,出具法律意见书{c()}份,提出修改意见建议{c()}条。",
            lambda: (
                f"{r.randint(2015, 2024)}年{r.randint(1, 12)}月{r.randint(1, 28)}日,"
                f"县政府第{c()}次常务会议专题研究法治政府建设工作,咨询电话0990-1234567。"
            ),
        ]
        if r.random() < FILLER_SHARE:
            return r.choice(FILLER)
        return r.choice(templates)()

    def report(self, number: int) -> bytes:
        year = 2016 + number % 9
        lines = [
            f"示例县人民政府关于{year}年度法治政府建设情况的报告",
            f"发布时间:{year + 1}-03-{1 + number % 28:02d} 10:00 信息来源:示例县人民政府办公室",
            "(示例县为虚构县,本文数字均为合成数据)",
            "示例市人民政府:",
        ]
        section = 0
        while len("\n".join(lines).encode()) < TARGET_BYTES:
            if len(lines) % 6 == 3:
                section += 1
                lines.append(f"{chinese(section)}、第{chinese(section)}部分工作情况")
            lines.append("".join(self.sentence() for _ in range(3)))
        lines.append("示例县人民政府")
        return "\n".join(lines).encode("utf-8")


def build_pages(count: int = REPORTS) -> tuple[list, Synth]:
    from transforms.model import Page

    synth = Synth(SEED)
    pages = [Page(name=f"shili-{i:05d}.txt", data=synth.report(i)) for i in range(count)]
    return pages, synth


def best_of(runs: int, work: Callable[[], object], clock: Callable[[], float] = time.perf_counter) -> float:
    times = []
    for _ in range(runs):
        started = clock()
        work()
        times.append(clock() - started)
    return min(times)


def one_core() -> dict:
    """Run in a child pinned to one CPU with POLARS_MAX_THREADS=1 (set before polars is imported).

    The full transform is the frames path that ingest runs (extract_pages(objects=False)); `nianbao extract`
    also builds per-report Quantity/Indicator objects, measured apart."""
    from transforms.document import read_document
    from transforms.extract import extract_pages
    from transforms.figures import measure_reports

    pages, _ = build_pages()
    extract_pages(pages[:20])  # warm caches: config, regexes, region dictionary
    full = best_of(3, lambda: extract_pages(pages, objects=False))
    # CPU time of the (single-threaded) process: what one core does when the machine is shared.
    full_cpu = best_of(3, lambda: extract_pages(pages, objects=False), time.process_time)
    with_objects_cpu = best_of(3, lambda: extract_pages(pages), time.process_time)
    documents = [read_document(p) for p in pages]
    figures = best_of(3, lambda: measure_reports(documents, objects=False), time.process_time)
    batch = extract_pages(pages, objects=False)
    return {
        "reports": len(pages),
        "mean_report_bytes": round(sum(len(p.data) for p in pages) / len(pages)),
        "quantities_per_report": round(batch.quantities.height / len(pages), 1),
        "facts_per_report": round(batch.facts.height / len(pages), 1),
        "full_transform_reports_per_s": round(len(pages) / full, 1),
        "full_transform_reports_per_cpu_s": round(len(pages) / full_cpu, 1),
        "with_report_objects_reports_per_cpu_s": round(len(pages) / with_objects_cpu, 1),
        "figures_only_reports_per_cpu_s": round(len(pages) / figures, 1),
        "figures_share_of_full": round(figures / full_cpu, 3),
    }


def compare_parsers() -> dict:
    """Speed and correctness of our parsing against cn2an (numerals) and jionlp.parse_money (money)."""
    import cn2an

    with contextlib.redirect_stdout(io.StringIO()):
        import jionlp
    from transforms.figures import measure_mentions
    from transforms.numbers import parse_number
    from transforms.textmap import match_text

    _, synth = build_pages(200)
    numerals, money = synth.numerals, synth.money

    def ours_numerals() -> list:
        return [parse_number(text) for text, _ in numerals]

    def cn2an_numerals() -> list:
        out = []
        for text, _ in numerals:
            try:
                out.append(float(cn2an.cn2an(text, "smart")))
            except ValueError:
                out.append(None)
        return out

    def ours_money() -> list:
        # The batch path without indicator rules: tokenise, then normalise all strings in one frame.
        frame = measure_mentions([(i, text, match_text(text)) for i, (text, _) in enumerate(money)])
        values = dict(zip(frame["doc"].to_list(), frame["value"].to_list(), strict=True))
        return [values.get(i) for i in range(len(money))]

    def jionlp_money() -> list:
        out = []
        for text, _ in money:
            try:
                num = (jionlp.parse_money(text) or {}).get("num")
            except ValueError:
                num = None
            # A hedged amount (300多万元) comes back as a [low, high] range: low is the printed number.
            out.append(float(num[0] if isinstance(num, list) else num) if num is not None else None)
        return out

    def accuracy(got: list, truth: list[tuple[str, float]]) -> float:
        return round(
            sum(g is not None and abs(g - v) < 0.01 for g, (_, v) in zip(got, truth, strict=True))
            / len(truth),
            4,
        )

    figures: dict = {"numeral_strings": len(numerals), "money_strings": len(money)}
    runs = (
        ("ours_numerals", ours_numerals, numerals),
        ("cn2an_numerals", cn2an_numerals, numerals),
        ("ours_money", ours_money, money),
        ("jionlp_money", jionlp_money, money),
    )
    for name, work, truth in runs:
        seconds = best_of(3, work)
        figures[f"{name}_per_s"] = round(len(truth) / seconds)
        figures[f"{name}_accuracy"] = accuracy(work(), truth)
    figures["numerals_speed_ratio_ours_vs_cn2an"] = round(
        figures["ours_numerals_per_s"] / figures["cn2an_numerals_per_s"], 2
    )
    figures["money_speed_ratio_ours_vs_jionlp"] = round(
        figures["ours_money_per_s"] / figures["jionlp_money_per_s"], 2
    )
    # Counts are not money: what parse_money says about them (silent wrong answers are the danger).
    for trap in ("13个", "两三个", "600多名"):
        try:
            figures[f"jionlp_parse_money({trap})"] = (jionlp.parse_money(trap) or {}).get("num")
        except ValueError as exc:
            figures[f"jionlp_parse_money({trap})"] = f"error: {str(exc)[:40]}"
    return figures


def main() -> dict:
    env = {**os.environ, "POLARS_MAX_THREADS": "1", "RAYON_NUM_THREADS": "1"}
    child = subprocess.run(
        [sys.executable, "-m", "bench.bench_transform", "--one-core"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    figures["aim_reports_per_s"] = AIM_REPORTS_PER_S
    figures["ratio_to_aim"] = round(figures["full_transform_reports_per_s"] / AIM_REPORTS_PER_S, 2)
    figures.update(compare_parsers())
    for key, value in figures.items():
        print(f"{key:40s} {value}")
    return figures


if __name__ == "__main__":
    if "--one-core" in sys.argv:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        print(json.dumps(one_core()))
    else:
        main()
