"""config/sources.yaml: the shipped file validates, and a bad entry is a clear error naming it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from flows.sources import load_sources, parse_sources
from nianbao.settings import ConfigError, load_config

LAW = r"(\d{4})年度?法治政府建设.*报告"


def _raw() -> dict[str, Any]:
    return {
        "politeness": {"delay_seconds": 1.0},
        "sites": [
            {
                "id": "shili",
                "name": "示例县人民政府",
                "region_code": "990121",
                "base_url": "http://127.0.0.1:1/",
                "listings": [
                    {
                        "path": "fzzf/index.html",
                        "kind": "law_based_government_annual_report",
                        "title_pattern": LAW,
                    }
                ],
            },
        ],
    }


def test_shipped_sources_validate_and_cover_real_regions() -> None:
    config = load_sources()
    assert config.site("sample").region_code == "990121"
    assert config.site("sample").base_url is None  # filled at run time
    real = [s for s in config.sites if not s.sample]
    assert len(real) >= 30
    assert all(s.base_url and s.base_url.startswith(("http://", "https://")) for s in real)
    assert {"110101", "500103", "430600"} <= {s.region_code for s in real}


def test_select_by_region_code_or_id_and_sample_only_on_request() -> None:
    config = load_sources()
    assert [s.id for s in config.select(["110101"])] == ["bj-dongcheng"]
    assert "sample" not in {s.id for s in config.select(None)}
    assert [s.id for s in config.select(["sample"])] == ["sample"]
    with pytest.raises(ConfigError, match="no site with id or region code 999999, no-such-site"):
        config.select(["110101", "no-such-site", "999999"])


def test_politeness_override_merges_with_defaults() -> None:
    raw = _raw()
    raw["sites"][0]["politeness"] = {"delay_seconds": 0.01}
    config = parse_sources(raw)
    policy = config.politeness_for(config.site("shili"))
    assert policy.delay_seconds == 0.01
    assert policy.concurrency_per_host == 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s["listings"][0].update(kind="annual_thing"), "unknown report kind"),
        (lambda s: s["listings"][0].update(title_pattern="(\\d{4}"), "not a valid regex"),
        (lambda s: s.pop("base_url"), "base_url is required"),
        (lambda s: s.update(region_code="99012"), "region_code"),
        (lambda s: s.update(base_url="ftp://example.invalid/"), "http(s) URL"),
        (lambda s: s["listings"][0].update(pagination={"template": "index.html"}), "{n}"),
        (lambda s: s.update(listings=[]), "listings"),
        (lambda s: s.update(colour="blue"), "colour"),
        (lambda s: s.update(base_url="http://reader:pw@127.0.0.1:1/"), "must not hold credentials"),
    ],
)
def test_bad_entry_names_the_site_and_the_problem(edit: Any, message: str) -> None:
    raw = _raw()
    edit(raw["sites"][0])
    with pytest.raises(ConfigError) as err:
        parse_sources(raw)
    assert "site 'shili'" in str(err.value)
    assert message in str(err.value)


def test_a_site_is_fetched_from_its_hosts_and_ports_and_private_addresses_only_on_request() -> None:
    from flows.urls import configured_key

    raw = _raw()
    raw["sites"][0]["extra_hosts"] = ["www.example.invalid"]
    site = parse_sources(raw).site("shili")
    assert site.authorities == {"127.0.0.1:1", "www.example.invalid"}
    assert not site.allow_private_addresses
    assert configured_key("http://127.0.0.1:1/a", site.authorities) == "127.0.0.1:1"
    assert configured_key("http://127.0.0.1:2/a", site.authorities) is None
    assert configured_key("https://www.example.invalid/a", site.authorities) == "www.example.invalid"
    assert configured_key("http://www.example.invalid:8080/a", site.authorities) is None
    assert load_sources().site("sample").allow_private_addresses


def test_bad_politeness_override_is_reported_when_used() -> None:
    raw = _raw()
    raw["sites"][0]["politeness"] = {"delay_seconds": -1}
    config = parse_sources(raw)
    with pytest.raises(ConfigError, match="site 'shili': politeness"):
        config.politeness_for(config.site("shili"))


def test_duplicate_ids_are_refused() -> None:
    raw = _raw()
    raw["sites"].append(copy.deepcopy(raw["sites"][0]))
    with pytest.raises(ConfigError, match="appears twice"):
        parse_sources(raw)


def test_config_dir_override_is_used(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(_raw(), allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("NIANBAO_CONFIG", str(tmp_path))
    assert [s.id for s in load_sources().sites] == ["shili"]
    assert load_config("sources.yaml")["sites"][0]["id"] == "shili"


def test_every_known_report_url_is_reachable_through_a_shipped_listing(dev_corpus: Any) -> None:
    """Each report ../shared lists sits on a configured host, and a listing there keeps its title with the
    right year (offline: the titles are matched, no site is fetched)."""
    import csv
    from urllib.parse import urlsplit

    from flows.discover import report_year
    from flows.urls import configured_key

    known = dev_corpus.parent / "known-report-urls.csv"
    if not known.is_file():
        pytest.skip(f"{known} not found")
    config = load_sources()
    misses = []
    for row in csv.DictReader(known.open(encoding="utf-8")):
        host = urlsplit(row["url"]).hostname
        years = {
            report_year(row["title"], listing)
            for site in config.sites
            if configured_key(row["url"], site.authorities)
            for listing in site.listings
            if listing.title_regex().search(row["title"])
        }
        wanted = int(row["report_year"]) if row["report_year"] else None  # none: a multi-year report
        if not years or (wanted is not None and wanted not in years):
            misses.append(f"{row['title']} ({host}): years {years or 'none'}")
    assert not misses, "\n".join(misses)
