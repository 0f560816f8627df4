"""Text-density fallback for unknown templates: find the block that holds the article's prose.

Every paragraph-like element contributes its own non-link prose to all its ancestors; chrome elements (by
class/id words) that hold little prose are cut out; the content block is the deepest element that still
holds most of the page's prose, so paragraphs split across sibling containers stay together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from transforms.html_text import compact

_TEXT_BLOCKS = frozenset(
    (
        "p",
        "div",
        "td",
        "th",
        "li",
        "dd",
        "dt",
        "section",
        "article",
        "main",
        "pre",
        "blockquote",
        "center",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    )
)
_SENTENCE_PUNCT = re.compile(r"[。，；！？、．.,;!?]")


@dataclass(slots=True, frozen=True)
class DensityRules:
    """Thresholds of the fallback and the class/id words that mark chrome."""

    chrome_words: re.Pattern[str]
    furniture_words: re.Pattern[str]
    chrome_max_share: float = 0.3
    sibling_share: float = 0.2
    widget_link_share: float = 0.3


@dataclass(slots=True)
class ContentChoice:
    """The content blocks (in page order) and the subtrees inside them to leave out (by mem_id)."""

    blocks: list[LexborNode]
    skip_ids: frozenset[int]


def prose_weight(text: str) -> int:
    """Characters of running prose in a text: short strings without sentence punctuation count zero."""
    if len(text) < 8:
        return 0
    printed = compact(text)
    if len(printed) >= 8 and (_SENTENCE_PUNCT.search(printed) or len(printed) >= 25):
        return len(printed)
    return 0


def chrome_word_pattern(words: frozenset[str]) -> re.Pattern[str]:
    """A pattern finding any of ``words`` as a whole part of a class or id (parts split on - _ and spaces)."""
    alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return re.compile(rf"(?:^|[-_\s])(?:{alternatives})(?=$|[-_\s\d])", re.IGNORECASE)


def _label(node: LexborNode) -> str:
    """class and id on two lines: the chrome patterns take a line break for a word edge, as at either end."""
    attrs = node.attributes
    return f"{attrs.get('class') or ''}\n{attrs.get('id') or ''}"


def _is_chrome(node: LexborNode, pattern: re.Pattern[str]) -> bool:
    return pattern.search(_label(node)) is not None


def choose_content(root: LexborNode, rules: DensityRules) -> ContentChoice | None:
    """The elements under ``root`` holding the article prose, or None when the page has no prose.

    Each text-holding element scores its prose for itself, its parent and half for its grandparent; the
    best-scoring element outside page furniture (footer, navigation) is the core. When the core holds its
    paragraphs directly, sibling elements holding a fair share of prose join it (text split across
    containers); a core that is itself a box of containers already holds all of them.
    """
    tree = _Ancestry(root)
    own_of: dict[int, int] = {}
    local: dict[int, float] = {}
    direct: dict[int, int] = {}
    parent_of = tree.parent_of
    # one walk filtering on tag names: a lexbor selector list of twenty tags costs a walk per tag
    for block in [root, *(node for node in root.traverse() if node.tag in _TEXT_BLOCKS)]:
        text = block.text(deep=False)
        if len(text) < 8:  # most blocks: no text of their own (prose_weight would say 0)
            continue
        own = prose_weight(text)
        if not own:
            continue
        key = tree.add(block)
        own_of[key] = own_of.get(key, 0) + own
        local[key] = local.get(key, 0.0) + own
        direct[key] = direct.get(key, 0) + own
        parent = parent_of[key]
        if parent is not None:
            local[parent] = local.get(parent, 0.0) + own
            direct[parent] = direct.get(parent, 0) + own
            grandparent = parent_of[parent]
            if grandparent is not None:
                local[grandparent] = local.get(grandparent, 0.0) + own * 0.5
    if not own_of:
        return None
    subtree = tree.subtree_sums(own_of)
    total = subtree[root.mem_id]
    skipped = _cut_chrome(tree, rules, subtree, total)
    if subtree.get(root.mem_id, 0) <= 0:
        return None
    # stable sort: on equal scores the element reached first (the deeper one) stays ahead
    ranked = sorted(local, key=local.__getitem__, reverse=True)
    core_id = next(
        (
            k
            for k in ranked
            if k not in skipped and subtree.get(k, 0) > 0 and not any(a in skipped for a in tree.ancestors(k))
        ),
        None,
    )
    if core_id is None:
        return None
    core = tree.nodes[core_id]
    if direct.get(core_id, 0) * 2 >= subtree.get(core_id, 0):
        blocks = _with_siblings(core, rules, subtree, skipped)
    else:
        blocks = [core]
    leave_out = set(skipped)
    for block in blocks:
        leave_out.update(_widgets(block, rules, subtree, skipped))
    return ContentChoice(blocks=blocks, skip_ids=frozenset(leave_out))


class _Ancestry:
    """Parent links and depths of the elements met so far, by mem_id, so each parent is looked up once."""

    def __init__(self, root: LexborNode) -> None:
        self.root_id = root.mem_id
        self.parent_of: dict[int, int | None] = {root.mem_id: None}
        self.depth: dict[int, int] = {root.mem_id: 0}
        self.nodes: dict[int, LexborNode] = {root.mem_id: root}

    def add(self, node: LexborNode) -> int:
        """Record ``node`` and its ancestors up to the root; returns its mem_id."""
        new: list[int] = []
        current: LexborNode | None = node
        while current is not None and current.mem_id not in self.parent_of:
            parent = current.parent
            key = current.mem_id
            self.parent_of[key] = parent.mem_id if parent is not None else None
            self.nodes[key] = current
            new.append(key)
            current = parent
        depth = self.depth[current.mem_id] if current is not None else -1
        for key in reversed(new):
            depth += 1
            self.depth[key] = depth
        return node.mem_id

    def subtree_sums(self, own: dict[int, int]) -> dict[int, int]:
        """For every recorded element, the sum of ``own`` over it and the recorded elements below it."""
        sums = {key: own.get(key, 0) for key in self.parent_of}
        for key in sorted(self.parent_of, key=self.depth.__getitem__, reverse=True):
            parent = self.parent_of[key]
            if parent is not None:
                sums[parent] += sums[key]
        return sums

    def ancestors(self, key: int) -> list[int]:
        found = []
        parent = self.parent_of.get(key)
        while parent is not None:
            found.append(parent)
            parent = self.parent_of.get(parent)
        return found


def _cut_chrome(tree: _Ancestry, rules: DensityRules, subtree: dict[int, int], total: int) -> set[int]:
    """Elements with prose that are page furniture, or chrome holding a minor share of the page's prose."""
    limit = rules.chrome_max_share * total
    marked = set()
    furniture, chrome = rules.furniture_words.search, rules.chrome_words.search
    for key, weight in subtree.items():
        if key == tree.root_id:
            continue
        label = _label(tree.nodes[key])
        if furniture(label) or (weight <= limit and chrome(label)):
            marked.add(key)
    outermost = {key for key in marked if not any(a in marked for a in tree.ancestors(key))}
    for key in outermost:
        for ancestor in tree.ancestors(key):
            subtree[ancestor] -= subtree[key]
    return outermost


def _element_children(node: LexborNode) -> list[LexborNode]:
    return [c for c in node.iter() if c.tag and not c.tag.startswith("-")]


def _with_siblings(
    core: LexborNode, rules: DensityRules, subtree: dict[int, int], skipped: set[int]
) -> list[LexborNode]:
    """The core plus siblings holding a share of its prose with few links, and the data tables and short
    pieces between or right after them, in page order. Table cells never merge with their neighbours."""
    parent = core.parent
    if parent is None or core.tag in ("td", "th"):
        return [core]
    floor = max(1.0, rules.sibling_share * subtree.get(core.mem_id, 0))
    children = [c for c in _element_children(parent) if c.mem_id not in skipped]
    picked = [
        c.mem_id == core.mem_id
        or (subtree.get(c.mem_id, 0) >= floor and _link_share(c) < rules.widget_link_share)
        for c in children
    ]
    chosen = [i for i, keep in enumerate(picked) if keep]
    first, last = chosen[0], chosen[-1]
    probe = last + 1
    while probe < len(children) and (_is_data_table(children[probe], rules) or _is_caption(children[probe])):
        if _is_data_table(children[probe], rules):
            last = probe  # headings between tables count only when a table follows them
        probe += 1
    return [
        c
        for i, c in enumerate(children)
        if picked[i] or (first < i <= last and _link_share(c) < rules.widget_link_share)
    ]


def _is_caption(node: LexborNode) -> bool:
    """A short text block without links, such as the heading over a table."""
    text = node.text(deep=True).strip()
    return 0 < len(text) <= 60 and node.css_first("a") is None


def _link_share(node: LexborNode) -> float:
    text = len(compact(node.text(deep=True)))
    if not text:
        return 0.0
    return sum(len(compact(a.text(deep=True))) for a in node.css("a")) / text


def _is_data_table(node: LexborNode, rules: DensityRules) -> bool:
    """A table (or a box around one) with text and few links: figures that belong to the report."""
    table = node if node.tag == "table" else node.css_first("table")
    return (
        table is not None
        and len(node.text(deep=True).strip()) >= 4
        and _link_share(node) < rules.widget_link_share
    )


def _widgets(block: LexborNode, rules: DensityRules, subtree: dict[int, int], skipped: set[int]) -> set[int]:
    """Chrome inside a content block: elements without prose whose class/id says chrome, and child
    containers with no prose and mostly link text (share bars, link lists)."""
    found = {
        n.mem_id
        for n in block.css("[class],[id]")
        if n.mem_id not in subtree and _is_chrome(n, rules.chrome_words)
    }
    for child in _element_children(block):
        if child.mem_id in skipped or subtree.get(child.mem_id, 0) or not _is_container(child):
            continue
        if not child.text(deep=True).strip() or _link_share(child) >= rules.widget_link_share:
            found.add(child.mem_id)
    return found


def _is_container(node: LexborNode) -> bool:
    """An element holding other blocks (a widget, a list, a layout box), not a paragraph or heading."""
    if node.tag in ("ul", "ol", "table", "form", "aside", "dl"):
        return True
    return node.css_first("div,p,ul,ol,table,li") is not None
