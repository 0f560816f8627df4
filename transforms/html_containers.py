"""The config table of known CMS content containers (config/containers.yaml) and lookups in a page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from nianbao.settings import ConfigError
from transforms.html_density import chrome_word_pattern
from transforms.html_text import compact
from transforms.rulebook import any_of, compiled


@dataclass(slots=True, frozen=True)
class PageRules:
    """Everything config/containers.yaml says about reading an HTML page."""

    containers: tuple[str, ...]
    hosts: dict[str, tuple[str, ...]]
    chrome_selectors: tuple[str, ...]
    chrome_words: re.Pattern[str]
    furniture_words: re.Pattern[str]
    not_found: re.Pattern[str]
    not_found_max_chars: int
    byline_label: re.Pattern[str]
    byline_date: re.Pattern[str]
    box_max_chars: int
    related_heading: re.Pattern[str]
    related_tail_share: float
    site_title: re.Pattern[str]
    not_title: re.Pattern[str]
    index_label: re.Pattern[str]

    def selectors_for(self, url: str | None) -> tuple[str, ...]:
        """Host overrides (exact host, then '.parent' domains) followed by the generic containers."""
        host = (urlsplit(url).hostname or "").lower() if url else ""
        own: list[str] = []
        if host:
            labels = host.split(".")
            for key in [host, "." + host] + ["." + ".".join(labels[i:]) for i in range(1, len(labels))]:
                own.extend(self.hosts.get(key, ()))
        return tuple(dict.fromkeys(own + list(self.containers)))


def _strings(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        raise ConfigError(f"config/containers.yaml: {where} must be a list of non-empty strings")
    return tuple(raw)


def _parse(raw: Any) -> PageRules:
    if not isinstance(raw, dict):
        raise ConfigError("config/containers.yaml: expected a mapping")
    hosts_raw = raw.get("hosts") or {}
    if not isinstance(hosts_raw, dict):
        raise ConfigError("config/containers.yaml: hosts must map a host to a list of selectors")
    hosts = {str(h).lower(): _strings(sel, f"hosts.{h}") for h, sel in hosts_raw.items()}
    patterns = _strings(raw.get("not_found_patterns"), "not_found_patterns")
    not_found = _regex(any_of(patterns), "not_found_patterns")
    label = _pattern(raw, "byline_label_pattern")
    date = _pattern(raw, "byline_date_pattern")
    selectors = _strings(raw.get("containers"), "containers") + tuple(s for v in hosts.values() for s in v)
    probe = LexborHTMLParser("<p></p>")
    for selector in selectors + _strings(raw.get("chrome_selectors"), "chrome_selectors"):
        try:
            probe.css(selector)
        except Exception as exc:  # selectolax raises plain exceptions for bad selectors
            raise ConfigError(f"config/containers.yaml: bad CSS selector {selector!r}: {exc}") from exc
    return PageRules(
        containers=_strings(raw.get("containers"), "containers"),
        hosts=hosts,
        chrome_selectors=_strings(raw.get("chrome_selectors"), "chrome_selectors"),
        chrome_words=_words(raw, "chrome_words"),
        furniture_words=_words(raw, "furniture_words"),
        not_found=not_found,
        not_found_max_chars=int(raw.get("not_found_max_chars", 600)),
        byline_label=label,
        byline_date=date,
        box_max_chars=int(raw.get("metadata_box_max_chars", 2000)),
        related_heading=_pattern(raw, "related_heading_pattern"),
        related_tail_share=float(raw.get("related_tail_share", 0.5)),
        site_title=_pattern(raw, "site_title_pattern"),
        index_label=_regex(f"(?:{_pattern(raw, 'index_field_labels').pattern})[:：]?", "index_field_labels"),
        not_title=_regex(
            any_of((label.pattern, date.pattern, _pattern(raw, "not_title_pattern").pattern)),
            "not_title_pattern",
        ),
    )


def _words(raw: dict[str, Any], key: str) -> re.Pattern[str]:
    return chrome_word_pattern(frozenset(_strings(raw.get(key), key)))


def _pattern(raw: dict[str, Any], key: str) -> re.Pattern[str]:
    return _regex(_strings([raw.get(key)], key)[0], key)


def _regex(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(f"config/containers.yaml: {where}: bad regular expression: {exc}") from exc


_SHARE_OF_LARGEST = 0.2


def page_rules() -> PageRules:
    """The parsed config/containers.yaml (re-read when the file changes)."""
    return compiled("containers.yaml", _parse)


def _outermost(nodes: list[LexborNode]) -> list[LexborNode]:
    ids = {n.mem_id for n in nodes}
    kept = []
    for node in nodes:
        parent = node.parent
        while parent is not None and parent.mem_id not in ids:
            parent = parent.parent
        if parent is None:
            kept.append(node)
    return kept


def known_containers(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> list[LexborNode] | None:
    """The outermost matches, in page order, of the first selector matching elements with text.

    One combined query walks the tree once (a query per selector costs a walk each); each match is then
    ranked by the first selector it satisfies (no need when only one match has text: it is the answer).
    """
    if not selectors:
        return None
    matches: list[LexborNode] = []
    seen: set[int] = set()
    for node in tree.css(",".join(selectors)):
        if node.mem_id not in seen and _has_text(node):
            seen.add(node.mem_id)
            matches.append(node)
    if len(matches) < 2:
        return matches or None
    ranked: dict[int, list[LexborNode]] = {}
    for node in matches:
        rank = next((i for i, selector in enumerate(selectors) if node.css_matches(selector)), None)
        if rank is not None:
            ranked.setdefault(rank, []).append(node)
    if not ranked:
        return None
    return _together(_outermost(ranked[min(ranked)]))


def _has_text(node: LexborNode) -> bool:
    """Whether the element holds text other than whitespace (node.text().strip(), stopping at the first)."""
    for inner in node.traverse(include_text=True, skip_empty=True):
        if inner.is_text_node and (inner.text_content or "").strip():
            return True
    return False


def _together(nodes: list[LexborNode]) -> list[LexborNode]:
    """Of several matches, those that belong to the article: the largest one, its siblings, and matches
    holding a fair share of its text. A small match elsewhere (the same editor class reused for a 相关解读
    box in a sidebar) is left out."""
    if len(nodes) < 2:
        return nodes
    sizes = [len(compact(n.text(deep=True))) for n in nodes]
    largest = max(range(len(nodes)), key=sizes.__getitem__)
    home = nodes[largest].parent
    home_id = home.mem_id if home is not None else None
    return [
        n
        for n, size in zip(nodes, sizes, strict=True)
        if size >= _SHARE_OF_LARGEST * sizes[largest] or (n.parent is not None and n.parent.mem_id == home_id)
    ]
