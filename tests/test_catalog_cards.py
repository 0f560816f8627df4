"""Every indicator's card in config/indicators.yaml: a definition, its near neighbours, and example phrases
that the real transform maps exactly as stated (negatives never to that code; to the neighbour they name)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from demo_catalog import demo_entry

from nianbao.settings import ConfigError
from transforms.catalog import build_catalog, load_catalog
from transforms.figures import measure_bodies
from transforms.units import units_table

CATALOG = load_catalog()
EXAMPLES = [(ind.code, i, ex) for ind in CATALOG.indicators for i, ex in enumerate(ind.examples)]
NEGATIVES = [(ind.code, i, neg) for ind in CATALOG.indicators for i, neg in enumerate(ind.negatives)]


@pytest.fixture(scope="module")
def facts() -> Callable[[str], list[tuple]]:
    """facts(phrase): what the real transform finds in the phrase as a body of its own. Every example and
    negative phrase is one body of a single measure_bodies call, as the pages of a batch are, since a call
    has a fixed cost (≈ 0.1 s) that 250 one-phrase calls would pay 250 times."""
    phrases = sorted({item.text for _, _, item in [*EXAMPLES, *NEGATIVES]})
    found: dict[str, list[tuple]] = {phrase: [] for phrase in phrases}
    rows = measure_bodies(list(enumerate(phrases)), catalog=CATALOG).facts.iter_rows(named=True)
    for r in rows:
        found[phrases[r["doc"]]].append((r["code"], r["value"], r["unit"], r["qualifier"], r["scope"]))
    return found.__getitem__


@pytest.mark.parametrize(
    "indicator", [i for i in CATALOG.indicators if i.rules or i.zeros], ids=lambda ind: ind.code
)
def test_every_code_has_a_card(indicator) -> None:
    """Codes matched in text (the 信息公开 table codes are read from table cells: no phrases to claim)."""
    assert indicator.definition and "\n" not in indicator.definition
    assert indicator.neighbours, "name at least one near neighbour (code: why a phrase belongs there)"
    assert indicator.examples, "give at least one phrase the code claims"
    assert indicator.negatives, "give at least one phrase the code must not claim"
    # Neighbours name codes of the catalog (checked here, not on load: dropping a code stays one edit).
    codes = set(CATALOG.by_code())
    for code, why in indicator.neighbours:
        assert code != indicator.code and code in codes and why.strip()
    assert {neg.code for neg in indicator.negatives if neg.code} <= codes


@pytest.mark.parametrize(("code", "index", "example"), EXAMPLES, ids=[f"{c}+{i}" for c, i, _ in EXAMPLES])
def test_example_maps_exactly_as_stated(
    code: str, index: int, example, facts: Callable[[str], list[tuple]]
) -> None:
    found = [f for f in facts(example.text) if f[0] == code]
    assert found == [(code, example.value, example.unit, example.qualifier, example.scope)], example.text


@pytest.mark.parametrize(("code", "index", "negative"), NEGATIVES, ids=[f"{c}-{i}" for c, i, _ in NEGATIVES])
def test_negative_is_not_this_code(
    code: str, index: int, negative, facts: Callable[[str], list[tuple]]
) -> None:
    codes = [f[0] for f in facts(negative.text)]
    assert code not in codes, negative.text
    if negative.code:
        assert negative.code in codes, f"{negative.text} should be {negative.code}, got {codes}"


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ({"definition": "two\nlines"}, "definition must be one line"),
        ({"neighbours": {"demo.other": ""}}, "neighbours must map a code to why"),
        ({"examples": [{"text": "梳理示例事项12项。", "value": 12}]}, "needs text, value, unit"),
        ({"examples": [{"text": "示例事项12项。", "value": 12, "unit": "斤"}]}, "unit '斤' is not a unit"),
        ({"examples": [{"text": "x", "value": 1, "unit": "项", "qualifier": "roughly"}]}, "qualifier must"),
        ({"negatives": [{"txt": "x"}]}, "negative 1: needs text"),
    ],
)
def test_bad_cards_are_clear_errors(card: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build_catalog({"indicators": [demo_entry(**card)]}, units_table())


def test_unknown_top_level_key_is_an_error() -> None:
    with pytest.raises(ConfigError, match="unknown top-level keys"):
        build_catalog({"indicators": [demo_entry()], "indicator": []}, units_table())
