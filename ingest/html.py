"""An HTML page from a government site → the article as plain lines, and the page's metadata.

The page is parsed with lxml (which recovers from unclosed tags), its furniture — menus,
breadcrumbs (您现在的位置), share widgets (分享到), 打印本页/关闭窗口, visit counters, copyright
lines, 上一篇/下一篇 — is removed, and the article body is chosen as the element holding most of the
page's paragraph text (link text does not count), preferring the usual content containers
(``content``, ``article``, ``zoom``, ``TRS_Editor``, ``Custom_UnionStyle``).

Block elements become line breaks; a data table becomes one line per row with its cells joined
by a TAB, so a 任务分工 table reads ``序号\\t任务\\t牵头单位\\t配合单位\\t完成时限``. The metadata block
(索引号, 发布机构, 发布日期, 文号 …) is read whether it is a table, ``<meta>`` tags or
``label:value`` text, and kept out of the article text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from policykg.ingest.characters import Conversion, plan
from policykg.ingest.text import DOC_NUMBER

_BREAK = "\x1e"  # a line break in the rendered stream
_CELL = "\x1f"  # a table-cell separator, a TAB in the output

BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd tr td th table thead tbody tfoot caption section article "
    "main header footer aside blockquote pre center address figure figcaption hr form fieldset legend "
    "details summary body html".split()
)
DROP_TAGS = frozenset(
    "head script style noscript template iframe frame frameset object embed applet svg canvas map area "
    "audio video select option button input textarea nav".split()
)
CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ALNUM = re.compile(r"[A-Za-z0-9]")

# Short elements (and short lines) with these words are page furniture, not article text.
FURNITURE_TEXT = re.compile(
    r"您现在的位置|您当前的位置|您的位置|当前位置|所在位置|分享到|打印本页|打印此页|打印文章|【打印】|\[打印\]|"
    r"关闭窗口|关闭本页|【关闭】|\[关闭\]|浏览次数|阅读次数|访问量|访问次数|点击数|点击量|点击率|浏览量|"
    r"版权所有|Copyright|©|上一篇|下一篇|字体[:：]?\s*[\[【]?\s*[大中小]|【字体|扫一扫|保护视力色|"
    r"网站地图|网站标识码|ICP备|公网安备|技术支持[:：]|收藏本页|加入收藏|设为首页",
    re.I,
)
FURNITURE_MAX_CHARS = 80
# id/class words of furniture containers (split on space, _ and -).
_FURNITURE_ATTR = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|menus|submenu|breadcrumbs?|crumbs?|bread|share|bdshare|"
    r"bdsharebuttonbox|fenxiang|footer|foot|copyright|sidebar|topbar|toolbar|dqwz|position|location|"
    r"pager|pagination|prevnext|sxp)(?:$|[\s_-])",
    re.I,
)
# A furniture container never holds more than this much non-link Han text; above it, keep it.
FURNITURE_GUARD = 300
MIN_BODY = 20  # Han characters (letters and digits count 0.3) of non-link text an article has at least
# Descend into a child holding this share of its parent's text; stopping higher keeps a title or
# 文号 row beside the article (what is then left of furniture and metadata is filtered by line).
DESCEND = 0.9
PREFERRED_BODY = re.compile(r"content|article|zoom|trs_editor|custom_unionstyle|zhengwen|maintext|detail", re.I)
_TITLE_ATTR = re.compile(r"title|biaoti|(?:^|[\s_-])bt(?:$|[\s_-])", re.I)

# Metadata labels → (key, priority); a lower number wins when a page shows two.
METADATA_LABELS: dict[str, tuple[str, int]] = {
    "标题": ("title", 1),
    "名称": ("title", 2),
    "索引号": ("index_number", 1),
    "发布机构": ("publisher", 1),
    "发文机关": ("publisher", 2),
    "发文单位": ("publisher", 3),
    "信息来源": ("publisher", 4),
    "文章来源": ("publisher", 4),
    "来源": ("publisher", 5),
    "发布日期": ("date_published", 1),
    "发布时间": ("date_published", 2),
    "成文日期": ("date_written", 1),
    "发文日期": ("date_written", 2),
    "文号": ("doc_number", 1),
    "发文字号": ("doc_number", 1),
}
# Labels that only end a value (``发布机构:X 浏览次数:12`` → X).
_OTHER_LABELS = (
    "浏览次数 阅读次数 点击数 访问量 主题分类 体裁分类 组配分类 服务对象 主题词 关键词 公文种类 生效日期 "
    "废止日期 有效性 作者 字号 字体 责任编辑 编辑 分享到 时间 日期".split()
)
META_TAGS = {"articletitle": "title", "pubdate": "date_published", "contentsource": "publisher"}
_META_PRIORITY = 3  # <meta> tags lose to a label the page shows, except for the title
_EMPTY_VALUES = {"无", "暂无", "-", "—", "/", "－", "null", "none"}
DATE_KEYS = {"date_published", "date_written"}
METADATA_LINE_MAX = 200


def _spaced(label: str) -> str:
    return r"[\s\u3000]*".join(map(re.escape, label))


_ANY_LABEL = "|".join(_spaced(lab) for lab in sorted({*METADATA_LABELS, *_OTHER_LABELS}, key=len, reverse=True))
_LABEL_VALUE = re.compile(
    rf"(?P<label>{'|'.join(_spaced(lab) for lab in sorted(METADATA_LABELS, key=len, reverse=True))})"
    rf"[\s\u3000]*[:：][\s\u3000]*(?P<value>.*?)"
    rf"(?=[\s\u3000]*(?:{_ANY_LABEL})[\s\u3000]*[:：]|\s[^\s:：]{{1,8}}[:：]|\s{{2,}}|{_CELL}|$)"
)
# Lines of the metadata block left in a body: a label with a colon or a TAB after it, or alone.
# (名称 is left out: a task table may well have a 名称 column.)
_LINE_LABELS = [lab for lab in METADATA_LABELS if lab != "名称"] + "主题分类 体裁分类 组配分类 主题词 公文种类 生效日期 废止日期 有效性".split()
_METADATA_LINE = re.compile(rf"^(?:{'|'.join(_spaced(lab) for lab in _LINE_LABELS)})[\s\u3000]*(?:[:：]|\t|$)")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")


@dataclass(frozen=True)
class Page:
    """The article as lines (title first) and what the page says about it; ``original_text`` is
    the article in the page's own characters when glosses were removed or Traditional converted."""

    text: str
    metadata: dict[str, str] = field(default_factory=dict)
    original_text: str | None = None
    conversions: tuple[str, ...] = ()


class NoArticleBody(ValueError):
    """The page has no article text once its furniture is removed (a list or index page)."""


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "gb18030": "gb18030", "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-big5": "big5hkscs", "cp950": "big5hkscs",
    "utf8": "utf-8", "utf-8": "utf-8",
}


def declared_charset(data: bytes) -> str | None:
    """The Python codec of the charset a page declares in a ``<meta>`` near its top, if any."""
    m = _DECLARED.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").lower()
    return _CHARSET_ALIASES.get(name, name)


def looks_like_html(data: bytes) -> bool:
    """Content sniffing: a page starts (after BOM, blanks, an XML declaration or comments) with
    ``<!doctype html`` or ``<html``."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf").lstrip()
    while True:
        if head.startswith(b"<?xml"):
            head = head[head.find(b"?>") + 2 :].lstrip() if b"?>" in head else b""
        elif head.startswith(b"<!--"):
            head = head[head.find(b"-->") + 3 :].lstrip() if b"-->" in head else b""
        else:
            break
    low = head[:20].lower()
    return low.startswith(b"<!doctype html") or low.startswith(b"<html")


def has_markup(data: bytes) -> bool:
    """Whether a file named .html has any tags at all (a text saved as .html has none)."""
    return re.search(rb"<(?:[A-Za-z][A-Za-z0-9]*[\s/>]|!--|!doctype)", data[:65536], re.I) is not None


# --- parsing and clean-up ------------------------------------------------------------------


def parse(markup: str) -> HtmlElement:
    """A recovered tree of the page; an empty page gives an empty ``<html>``."""
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, default_doctype=False)
    try:
        return lxml.html.document_fromstring(_XML_DECL.sub("", markup, count=1), parser=parser)
    except (etree.ParserError, ValueError):
        return lxml.html.fromstring("<html><body></body></html>")


def _tag(el: HtmlElement) -> str | None:
    return el.tag.lower() if isinstance(el.tag, str) else None


def _attrs(el: HtmlElement) -> str:
    return f"{el.get('id', '')} {el.get('class', '')}"


def _hidden(el: HtmlElement) -> bool:
    style = re.sub(r"\s+", "", (el.get("style") or "").lower())
    return "display:none" in style or "visibility:hidden" in style or el.get("hidden") is not None


def _inside(el: HtmlElement, tags: set[str]) -> bool:
    return any(_tag(a) in tags for a in el.iterancestors())


def collapse(text: str) -> str:
    """One line: blanks collapsed, a source line break between two Han characters dropped."""
    text = text.replace("\xa0", " ").replace("\u200b", "").replace("\ufeff", "")
    text = re.sub(rf"(?<=[{CJK}])[ \t\r\f\v]*\n\s*(?=[{CJK}])", "", text)
    return re.sub(r"\s+", " ", text).strip(" \u3000")


def _scores(root: HtmlElement) -> dict[HtmlElement, float]:
    """Non-link text score of every element, computed bottom-up in one pass."""
    scores: dict[HtmlElement, float] = {}

    def visit(el: HtmlElement) -> float:
        own = 0.0 if _tag(el) == "a" else _weigh(el.text)
        for child in el:
            child_score = visit(child)
            own += 0.0 if _tag(el) == "a" else child_score + _weigh(child.tail)
        scores[el] = own
        return own

    visit(root)
    return scores


def _weigh(text: str | None) -> float:
    if not text:
        return 0.0
    return len(_CJK_CHAR.findall(text)) + 0.3 * len(_ALNUM.findall(text))


def _is_furniture(el: HtmlElement, scores: dict[HtmlElement, float], page: float) -> bool:
    tag = _tag(el)
    if tag is None:
        return True
    if tag in DROP_TAGS or _hidden(el):
        return True
    # A container that holds much or most of the page's text is not furniture, whatever its
    # class says (an unclosed breadcrumb <div> can swallow the whole article).
    guarded = scores.get(el, 0.0) < min(FURNITURE_GUARD, 0.5 * page)
    if tag in ("header", "footer") and not _inside(el, {"article", "main"}) and guarded:
        return True
    if guarded and _FURNITURE_ATTR.search(_attrs(el)):
        return True
    if tag in ("html", "body"):
        return False
    if scores.get(el, 0.0) > FURNITURE_MAX_CHARS:
        return False  # more Han characters than a furniture line has: no need to look
    text = collapse(el.text_content())
    return len(text) <= FURNITURE_MAX_CHARS and bool(FURNITURE_TEXT.search(text))


def remove_furniture(root: HtmlElement) -> None:
    """Drop page furniture in place, outermost first; text after a dropped element is kept."""
    scores = _scores(root)
    page = scores[root]

    def prune(el: HtmlElement) -> None:
        for child in list(el):
            if _is_furniture(child, scores, page):
                _drop(child)
            else:
                prune(child)

    prune(root)


def _drop(el: HtmlElement) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    parent.remove(el)
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


# --- rendering -----------------------------------------------------------------------------


def _own_rows(table: HtmlElement) -> list[HtmlElement]:
    return [tr for tr in table.iter("tr") if next((a for a in tr.iterancestors("table")), None) is table]


def _cells(tr: HtmlElement) -> list[HtmlElement]:
    return [c for c in tr if _tag(c) in ("td", "th")]


def is_layout_table(table: HtmlElement) -> bool:
    """A table used to lay out a page rather than to hold data: one column, a table nested in a
    cell, or a cell holding a long run of paragraphs."""
    if (table.get("role") or "").lower() == "presentation":
        return True
    rows = [_cells(tr) for tr in _own_rows(table)]
    if not rows or max(len(r) for r in rows) <= 1:
        return True
    for row in rows:
        for cell in row:
            if cell.find(".//table") is not None:
                return True
            blocks = sum(1 for d in cell.iter() if _tag(d) in ("p", "div", "br"))
            if blocks >= 3 and len(collapse(cell.text_content())) > 500:
                return True
    return False


def _span(cell: HtmlElement, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, "1")), 1000))
    except ValueError:
        return 1


def table_rows(table: HtmlElement) -> list[list[str]]:
    """Cell texts row by row: a cell spanning columns appears once, a cell spanning rows is
    repeated in each row it covers (so columns stay aligned)."""
    rows: list[list[str]] = []
    carried: dict[int, tuple[str, int, int]] = {}  # column → (text, rows still to cover, colspan)
    for tr in _own_rows(table):
        out: list[str] = []
        col = 0

        def take_carried() -> None:
            nonlocal col
            while col in carried:
                text, left, span = carried.pop(col)
                out.append(text)  # noqa: B023 (called only within the row that defines it)
                if left > 1:
                    carried[col] = (text, left - 1, span)
                col += span

        for cell in _cells(tr):
            take_carried()
            text = cell_text(cell)
            span, down = _span(cell, "colspan"), _span(cell, "rowspan")
            out.append(text)
            if down > 1:
                carried[col] = (text, down - 1, span)
            col += span
        take_carried()
        rows.append(out)
    return rows


def cell_text(cell: HtmlElement) -> str:
    out: list[str] = []
    _emit_children(cell, out, pre=False)
    return collapse("".join(out).replace(_BREAK, " ").replace(_CELL, " "))


def _emit_children(el: HtmlElement, out: list[str], pre: bool) -> None:
    if el.text:
        out.append(el.text.replace("\n", _BREAK) if pre else el.text)
    for child in el:
        _emit(child, out, pre)
        if child.tail:
            out.append(child.tail.replace("\n", _BREAK) if pre else child.tail)


def _emit(el: HtmlElement, out: list[str], pre: bool) -> None:
    tag = _tag(el)
    if tag is None or tag in DROP_TAGS:
        return
    if tag == "br":
        out.append(_BREAK)
        return
    if tag == "table" and not is_layout_table(el):
        out.append(_BREAK)
        for row in table_rows(el):
            if any(row):
                out.append(_CELL.join(row))
                out.append(_BREAK)
        return
    block = tag in BLOCK_TAGS
    if block:
        out.append(_BREAK)
    _emit_children(el, out, pre or tag == "pre")
    if block:
        out.append(_BREAK)


def render(el: HtmlElement) -> list[str]:
    """The element as non-blank lines; table rows keep TABs between cells."""
    out: list[str] = []
    _emit(el, out, pre=False)
    lines = []
    for raw in "".join(out).split(_BREAK):
        if _CELL in raw:
            line = "\t".join(collapse(c) for c in raw.split(_CELL))
            if line.strip("\t"):
                lines.append(line)
        else:
            line = collapse(raw)
            if line:
                lines.append(line)
    return lines


# --- metadata ------------------------------------------------------------------------------


def _iso_date(value: str) -> str | None:
    m = _DATE.search(value)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _label_key(label: str) -> tuple[str, int] | None:
    return METADATA_LABELS.get(re.sub(r"[\s\u3000:：]", "", label))


def _offer(found: dict[str, tuple[int, str]], key: str, priority: int, value: str) -> None:
    value = collapse(value).strip("　 ,，;；")
    if not value or value.lower() in _EMPTY_VALUES:
        return
    if key in DATE_KEYS:
        iso = _iso_date(value)
        if iso is None:
            return
        value = iso
    if key not in found or priority < found[key][0]:
        found[key] = (priority, value)


def read_metadata(root: HtmlElement) -> dict[str, str]:
    """索引号, 发布机构, 发布日期, 文号 … and the title, from ``<meta>`` tags, metadata-table
    cells (label cell, value cell) and ``label:value`` text anywhere on the page."""
    found: dict[str, tuple[int, str]] = {}
    for meta in root.iter("meta"):
        key = META_TAGS.get((meta.get("name") or "").strip().lower())
        if key:
            _offer(found, key, 0 if key == "title" else _META_PRIORITY, meta.get("content") or "")
    body = root.find("body")
    for line in render(body if body is not None else root):
        cells = line.split("\t")
        for i, cell in enumerate(cells):
            known = _label_key(cell)
            if known and i + 1 < len(cells) and not _label_key(cells[i + 1]):
                _offer(found, known[0], known[1], cells[i + 1])
                continue
            if len(cell) > METADATA_LINE_MAX:
                continue  # a paragraph of the article, not a metadata line
            for m in _LABEL_VALUE.finditer(cell):
                known = _label_key(m.group("label"))
                if known:
                    _offer(found, known[0], known[1], m.group("value"))
    return {key: value for key, (_, value) in sorted(found.items())}


# --- body and title ------------------------------------------------------------------------


def choose_body(root: HtmlElement, scores: dict[HtmlElement, float]) -> HtmlElement:
    """The element holding the article: by text density (descend while one child holds at least
    ``DESCEND`` of the non-link text), unless a content container by id/class holds at least half
    as much."""
    body = root.find("body")
    cur = body if body is not None else root
    while True:
        if _tag(cur) == "table" and not is_layout_table(cur):
            break
        children = [c for c in cur if _tag(c) is not None]
        if not children:
            break
        best = max(children, key=lambda c: scores.get(c, 0.0))
        if scores.get(best, 0.0) < DESCEND * scores.get(cur, 0.0) or scores.get(best, 0.0) == 0:
            break
        cur = best
    dense = cur
    preferred = [
        el for el in (body if body is not None else root).iter()
        if _tag(el) is not None and PREFERRED_BODY.search(_attrs(el)) and scores.get(el, 0.0) >= 0.5 * scores[dense]
    ]
    if not preferred or scores[dense] == 0:
        return dense
    top = max(scores[el] for el in preferred)
    near = [el for el in preferred if scores[el] >= 0.9 * top]
    return max(near, key=lambda el: sum(1 for _ in el.iterancestors()))


def _title_candidates(root: HtmlElement) -> list[HtmlElement]:
    out = []
    for el in root.iter():
        tag = _tag(el)
        if tag is None or tag in ("html", "head", "title", "meta", "body"):
            continue
        if tag in ("h1", "h2", "h3") or _TITLE_ATTR.search(_attrs(el)):
            text = collapse(el.text_content())
            if 4 <= len(text) <= 150 and not FURNITURE_TEXT.search(text):
                out.append(el)
    return out


def choose_title(root: HtmlElement, body: HtmlElement, page_title: str) -> str | None:
    """The article title: a heading (or ``*title*`` element) whose text the ``<title>`` contains,
    else the first heading inside the body, else the nearest one before it, else the
    ``<title>`` without the site name."""
    candidates = _title_candidates(root)
    squeezed = re.sub(r"\s+", "", page_title)
    in_title = [c for c in candidates if re.sub(r"\s+", "", collapse(c.text_content())) in squeezed]
    if in_title:
        return collapse(max(in_title, key=lambda c: len(collapse(c.text_content()))).text_content())
    inside = [c for c in candidates if c is body or body in c.iterancestors()]
    if inside:
        return collapse(inside[0].text_content())
    order = {el: i for i, el in enumerate(root.iter())}
    before = [c for c in candidates if order.get(c, 0) < order.get(body, 0)]
    if before:
        return collapse(before[-1].text_content())
    if squeezed:
        parts = [p.strip() for p in re.split(r"\s*(?:[_|｜]|--|—|\s-\s)\s*", collapse(page_title)) if p.strip()]
        return max(parts, key=len) if parts else None
    return None


def _standalone_doc_number(root: HtmlElement) -> str | None:
    """A 文号 printed on a line of its own (``钦南政办发〔2017〕12号``), as official documents do
    under their title."""
    body = root.find("body")
    for line in render(body if body is not None else root):
        if len(line) <= 30 and DOC_NUMBER.fullmatch(line):
            return line
    return None


def _is_metadata_line(line: str) -> bool:
    return bool(_METADATA_LINE.match(line))


def _is_furniture_line(line: str) -> bool:
    return len(line) <= FURNITURE_MAX_CHARS and bool(FURNITURE_TEXT.search(line))


def page_text(markup: str, characters: bool = True) -> Page:
    """The article of one page as text (title line first) and the page metadata.

    With ``characters``, pinyin glosses are removed and a Traditional page converted to
    Simplified node by node before anything else, so furniture (瀏覽次數) and labels (發佈機構)
    are recognised on mirror sites too; ``Page.original_text`` is then the same article lines
    in the page's own characters. Raises NoArticleBody when nothing but furniture is left.
    """
    root = parse(markup)
    conversion = plan(" ".join(root.itertext())) if characters else Conversion()
    elements = list(root.iter())  # all of them, before furniture is detached
    slots, glosses = _convert_tree(elements, conversion)
    metadata = read_metadata(root)
    title_el = root.find(".//title")
    page_title = collapse(title_el.text_content()) if title_el is not None else ""
    remove_furniture(root)
    scores = _scores(root)
    body = choose_body(root, scores)
    rendered = render(body)
    keep = [not _is_furniture_line(ln) and not _is_metadata_line(ln) for ln in rendered]
    lines = [ln for ln, k in zip(rendered, keep) if k]
    if scores[body] < MIN_BODY or sum(_weigh(ln) for ln in lines) < MIN_BODY:
        raise NoArticleBody("no article text once menus, links and page furniture are removed")
    title = metadata.get("title") or choose_title(root, body, page_title)
    standalone = _standalone_doc_number(root)
    if standalone:
        metadata.setdefault("doc_number", standalone)
    layout = _Layout(
        drop_first=bool(title) and re.sub(r"\s+", "", lines[0]) == re.sub(r"\s+", "", title or ""),
        add_doc_number=bool(standalone and not any(standalone in ln for ln in lines)),
    )
    if title:
        metadata.setdefault("title", title)
    text = layout.assemble(lines, title, standalone)
    original_text = None
    if slots:
        sources = {piece: _source_elements(elements, piece) for piece in (title, standalone) if piece}
        for el, slot, original in slots:
            _set_slot(el, slot, original)
        before = render(body)
        if len(before) == len(rendered):
            original_lines = [ln for ln, k in zip(before, keep) if k]
            original_text = layout.assemble(
                original_lines, _original_of(title, sources), _original_of(standalone, sources)
            )
    return Page(text, metadata, original_text, tuple(conversion.tags(glosses, original_text != text)))


@dataclass(frozen=True)
class _Layout:
    """How the article lines become the page text: the same for the converted and the original."""

    drop_first: bool  # the body starts with the title line, which goes first anyway
    add_doc_number: bool  # a 文号 line outside the body goes under the title

    def assemble(self, lines: list[str], title: str | None, doc_number: str | None) -> str:
        out = lines[1:] if self.drop_first else list(lines)
        if self.add_doc_number and doc_number:
            out.insert(0, doc_number)
        if title:
            out.insert(0, title)
        return "\n".join(out) + "\n"


_SLOTS = ("text", "tail", "content")


def _get_slot(el: HtmlElement, slot: str) -> str | None:
    return el.get("content") if slot == "content" else getattr(el, slot)


def _set_slot(el: HtmlElement, slot: str, value: str) -> None:
    if slot == "content":
        el.set("content", value)
    else:
        setattr(el, slot, value)


def _convert_tree(elements: list[HtmlElement], conversion: Conversion) -> tuple[list[tuple[HtmlElement, str, str]], int]:
    """Convert every text node (and ``<meta content>``) in place; the slots changed, with their
    original text, and the number of glosses removed."""
    slots: list[tuple[HtmlElement, str, str]] = []
    glosses = 0
    if conversion == Conversion():  # no toned gloss and not Traditional: nothing to do
        return slots, 0
    for el in elements:
        if _tag(el) is None:
            continue
        for slot in _SLOTS:
            if slot == "content" and _tag(el) != "meta":
                continue
            value = _get_slot(el, slot)
            if not value or not _CJK_CHAR.search(value):
                continue
            new, n = conversion.apply(value)
            glosses += n
            if new != value:
                slots.append((el, slot, value))
                _set_slot(el, slot, new)
    return slots, glosses


def _source_elements(elements: list[HtmlElement], piece: str) -> list[HtmlElement]:
    """Elements whose text (or meta content) is exactly this title or 文号 line."""
    found = []
    for el in elements:
        if _tag(el) is None:
            continue
        if _tag(el) == "meta":
            if collapse(el.get("content") or "") == piece:
                found.append(el)
        elif collapse(el.text_content()) == piece:
            found.append(el)
    return found


def _original_of(piece: str | None, sources: dict[str, list[HtmlElement]]) -> str | None:
    """The title or 文号 line in the page's own characters (the tree is restored by now)."""
    if not piece:
        return piece
    for el in sources.get(piece, []):
        return collapse(el.get("content") or "") if _tag(el) == "meta" else collapse(el.text_content())
    return piece
