"""The timeline picture: every dated event and agreement as a mark at its date, at the
precision the data gives (a year, a month or a day), coloured by kind.

Two views in one SVG: an overview on a linear time axis (a mark's width is its precision;
a line after it runs to its end date), and a chronology with one row per item, where a
strip of twelve months shows the precision (the whole year, one month, or a day).

A large graph (more than ``DETAIL`` dated items) gets a picture that stays readable: how
many items each year has, one stacked bar per year, each bar a link to that year in the
list. The list of every item, in date order, is split into pages of ``LIST_PAGE`` items.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass

import pyoxigraph as ox

from isthmus.publish.sitegraph import SiteGraph, parse_date, relative

WIDTH = 1000
MARGIN = 16
AXIS_X0, AXIS_X1 = 70, WIDTH - MARGIN
LANE = 8
ROW = 22
GAP = 20
STRIP_X = 70
MONTH_W = 16
LABEL_X = STRIP_X + 12 * MONTH_W + 14
LABEL_CHARS = 96
MONTHS = "JFMAMJJASOND"
#: at most this many dated items are drawn one by one; above, the picture counts per year
DETAIL = 500
#: items per page of the list
LIST_PAGE = 1000
BARS_TOP, BARS_HEIGHT = 44, 180


@dataclass(frozen=True)
class Item:
    iri: str
    label: str
    kind: str  # "event" or "agreement"
    kind_label: str
    year: int
    month: int | None
    day: int | None
    precision: str
    date_text: str
    end: tuple | None  # (year, month, day, precision) of the end date
    end_text: str

    @property
    def start(self) -> float:
        return fraction(self.year, self.month, self.day)

    @property
    def stop(self) -> float:
        return interval_end(self.year, self.month, self.day, self.precision)


def fraction(year: int, month: int | None, day: int | None) -> float:
    """A date as a fractional year (the start of the interval it names)."""
    value = float(year)
    if month:
        value += (month - 1) / 12
        if day:
            value += (day - 1) / (12 * calendar.monthrange(year if year > 0 else 2000, month)[1])
    return value


def interval_end(year: int, month: int | None, day: int | None, precision: str) -> float:
    if precision == "year":
        return year + 1.0
    if precision == "month":
        return fraction(year, month, None) + 1 / 12
    return fraction(year, month, day) + 1 / 365


def kinds(sg: SiteGraph) -> list[tuple[str, str]]:
    """(key, class IRI) of the kinds the pictures show: events and agreements."""
    return [("event", sg.vocab.Event), ("agreement", sg.vocab.Agreement)]


def items(sg: SiteGraph) -> tuple[list[Item], list[tuple[str, str, str]]]:
    """The dated events and agreements in date order, and the undated ones (iri, label, kind)."""
    return sg.memo("timeline.items", lambda: _items(sg))


def _items(sg: SiteGraph) -> tuple[list[Item], list[tuple[str, str, str]]]:
    vocab = sg.vocab
    dated: list[Item] = []
    undated: list[tuple[str, str, str]] = []
    for subject in sorted(sg.data_out, key=str):
        if not isinstance(subject, ox.NamedNode):
            continue
        kind = next((key for key, cls in kinds(sg) if sg.is_a(subject, cls)), None)
        if kind is None:
            continue
        dates = [v for p in (vocab.date, vocab.startDate) for v in sg.objects(subject, p) if isinstance(v, ox.Literal)]
        parsed = [(parse_date(v), v) for v in sorted(dates, key=lambda v: v.value)]
        parsed = [(p, v) for p, v in parsed if p is not None]
        if not parsed:
            undated.append((subject.value, sg.label(subject.value), kind))
            continue
        (year, month, day, precision), literal = parsed[0]
        ends = sorted((v for v in sg.objects(subject, vocab.endDate) if isinstance(v, ox.Literal)), key=lambda v: v.value)
        end = next((parse_date(v) for v in ends if parse_date(v) is not None), None)
        end_text = next((v.value for v in ends if parse_date(v) is not None), "")
        kind_class = dict(kinds(sg))[kind]
        dated.append(Item(subject.value, sg.label(subject.value), kind, sg.label(kind_class), year, month, day,
                          precision, literal.value, end, end_text))
    dated.sort(key=lambda i: (i.start, i.stop, i.label.lower(), i.iri))
    undated.sort(key=lambda u: (u[1].lower(), u[0]))
    return dated, undated


def _f(x: float) -> str:
    return f"{x:.1f}"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def page_name(number: int) -> str:
    """The file of the list's page ``number`` (from 1): timeline.html, timeline-2.html, …"""
    return "timeline.html" if number == 1 else f"timeline-{number}.html"


def page_count(sg: SiteGraph) -> int:
    dated, undated = items(sg)
    return max(1, -(-(len(dated) + len(undated)) // LIST_PAGE))


def views(sg: SiteGraph) -> list[tuple[str, dict]]:
    """(file, view) of every timeline page: the picture and the first part of the list on
    ``timeline.html``, the rest of the list on the next pages."""
    dated, undated = items(sg)
    entries = [("dated", i) for i in dated] + [("undated", u) for u in undated]
    chunks = [entries[n:n + LIST_PAGE] for n in range(0, len(entries), LIST_PAGE)] or [[]]
    year_page: dict[int, int] = {}
    for number, chunk in enumerate(chunks, 1):
        for kind, entry in chunk:
            if kind == "dated":
                year_page.setdefault(entry.year, number)
    pager = [{"number": n, "file": page_name(n), "text": _range_text(chunk)} for n, chunk in enumerate(chunks, 1)]
    out = []
    for number, chunk in enumerate(chunks, 1):
        here = page_name(number)
        if number == 1:
            view = layout(sg, here, dated=dated, undated=undated, year_page=year_page)
        else:
            view = _frame(sg, here, dated, undated)
            view.update(height=40, overview=None, bars=None, rows=[], gaps=[], years=[], ticks=[])
        page_dated = [entry for kind, entry in chunk if kind == "dated"]
        view["items"] = _list_items(sg, page_dated, here, anchors=len(dated) > DETAIL)
        view["undated"] = [{"href": sg.href(entry[0], here), "text": entry[1], "kind": entry[2]}
                           for k, entry in chunk if k == "undated"]
        view["page"] = number
        view["pager"] = [dict(p, href=relative(p["file"], here), current=p["number"] == number) for p in pager] \
            if len(chunks) > 1 else []
        out.append((here, view))
    return out


def _range_text(chunk: list) -> str:
    years = [entry.year for kind, entry in chunk if kind == "dated"]
    text = "" if not years else str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"
    if any(kind == "undated" for kind, _entry in chunk):
        text = f"{text}, undated" if text else "undated"
    return text


def _list_items(sg: SiteGraph, dated: list[Item], here: str, *, anchors: bool) -> list[dict]:
    """The list's entries; with ``anchors``, the first of each year is the target of its bar."""
    out, previous = [], None
    for i in dated:
        out.append({"href": sg.href(i.iri, here), "text": i.label, "kind": i.kind, "kind_label": i.kind_label,
                    "date": i.date_text, "precision": i.precision, "end": i.end_text,
                    "anchor": f"y{i.year}" if anchors and i.year != previous else ""})
        previous = i.year
    return out


def _frame(sg: SiteGraph, here: str, dated: list[Item], undated: list) -> dict:
    """What every timeline page shows around its part of the list."""
    return {"width": WIDTH, "items": [], "undated": [], "total": len(dated), "total_undated": len(undated),
            "page": 1, "pager": [],
            "kinds": [{"key": key, "view_href": sg.href(cls, here), "text": sg.label(cls)} for key, cls in kinds(sg)]}


def layout(sg: SiteGraph, here: str, *, dated: list[Item] | None = None, undated: list | None = None,
           year_page: dict[int, int] | None = None) -> dict:
    """The view of the timeline page: the picture, and (unless ``views`` pages it) the list."""
    if dated is None or undated is None:
        dated, undated = items(sg)
    view = _frame(sg, here, dated, undated)
    view.update(bars=None)
    view["items"] = _list_items(sg, dated, here, anchors=len(dated) > DETAIL)
    view["undated"] = [
        {"href": sg.href(iri, here), "text": label, "kind": kind} for iri, label, kind in undated]
    if not dated:
        view.update(height=40, overview=None, rows=[], gaps=[], years=[], ticks=[])
        return view
    first = math.floor(min(i.year for i in dated) / 10) * 10
    last = math.ceil((max(max(i.year for i in dated), max((i.end[0] for i in dated if i.end), default=0)) + 1) / 10) * 10
    scale = (AXIS_X1 - AXIS_X0) / max(last - first, 1)
    if len(dated) > DETAIL:
        view.update(height=BARS_TOP + BARS_HEIGHT + 34, overview=None, rows=[], gaps=[], years=[],
                    bars=_bars(sg, dated, first, last, scale, here, year_page or {}))
        return view

    def x(t: float) -> float:
        return AXIS_X0 + (t - first) * scale

    # overview: greedy lanes so marks (and their duration lines) never overlap
    lanes: list[float] = []
    marks = []
    for item in dated:
        x0 = x(item.start)
        width = max(x(item.stop) - x0, 2.0)
        tail = x(interval_end(*item.end)) if item.end else None
        right = max(x0 + width, tail or 0.0)
        lane = next((n for n, end in enumerate(lanes) if end + 1.5 <= x0), None)
        if lane is None:
            lanes.append(0.0)
            lane = len(lanes) - 1
        lanes[lane] = right
        marks.append({"item": item, "x": x0, "w": width, "lane": lane, "tail": tail})
    top = 44  # below the legend
    axis_y = top + len(lanes) * LANE + 6
    overview = {
        "marks": [{"x": _f(m["x"]), "y": _f(top + m["lane"] * LANE), "w": _f(m["w"]), "h": LANE - 2,
                   "tail": _f(m["tail"]) if m["tail"] is not None else None, "kind": m["item"].kind,
                   "ty": _f(top + m["lane"] * LANE + (LANE - 2) / 2), "href": sg.href(m["item"].iri, here),
                   "title": _title(m["item"])} for m in marks],
        "axis_y": axis_y, "x0": AXIS_X0, "x1": AXIS_X1,
        "ticks": [{"x": _f(x(year)), "label": str(year)} for year in range(first, last + 1, 10 if last - first <= 200 else 50)],
    }
    # chronology: one row per item, grouped by year, with a marked gap where years are empty
    y = axis_y + 60
    header_y = y - 12
    rows, gaps, years = [], [], []
    previous = None
    for item in dated:
        if item.year != previous:
            if previous is not None and item.year - previous > 1:
                gaps.append({"y": _f(y), "mid": _f(y + GAP / 2 + 5), "text": _gap_text(previous, item.year)})
                y += GAP
            years.append({"y": _f(y), "ty": _f(y + ROW / 2 + 5), "label": str(item.year)})
            previous = item.year
        rows.append(_row(sg, item, y, here))
        y += ROW
    view.update(height=int(y + 10), overview=overview, rows=rows, gaps=gaps, years=years,
                header_y=header_y, months=[{"x": _f(STRIP_X + n * MONTH_W + MONTH_W / 2), "text": m}
                                           for n, m in enumerate(MONTHS)],
                strip_x=STRIP_X, strip_w=12 * MONTH_W, label_x=LABEL_X)
    return view


def _bars(sg: SiteGraph, dated: list[Item], first: int, last: int, scale: float, here: str,
          year_page: dict[int, int]) -> dict:
    """One bar per year, its parts the counts per kind, each a link to the year in the list."""
    keys = [key for key, _cls in kinds(sg)]
    counts: dict[int, dict[str, int]] = {}
    for item in dated:
        counts.setdefault(item.year, dict.fromkeys(keys, 0))[item.kind] += 1
    top = max(sum(c.values()) for c in counts.values())
    unit = BARS_HEIGHT / top
    base_y = BARS_TOP + BARS_HEIGHT
    bars = []
    for year in sorted(counts):
        x = AXIS_X0 + (year - first) * scale
        y = base_y
        parts = []
        for key in keys:
            h = counts[year][key] * unit
            if counts[year][key]:
                y -= h
                parts.append({"kind": key, "y": _f(y), "h": _f(max(h, 0.5))})
        total = sum(counts[year].values())
        names = dict((k, sg.label(c)) for k, c in kinds(sg))
        said = " and ".join(f"{counts[year][k]:,} {names[k]}{'s' if counts[year][k] != 1 else ''}" for k in keys if counts[year][k])
        target = f"{page_name(year_page.get(year, 1))}#y{year}"
        bars.append({"x": _f(x + 0.5), "w": _f(max(scale - 1, 1.0)), "parts": parts, "total": total,
                     "href": relative(target, here), "title": f"{year}: {said}"})
    step = 10 if last - first <= 200 else 50
    return {"bars": bars, "axis_y": base_y, "x0": AXIS_X0, "x1": AXIS_X1, "top": top, "top_y": BARS_TOP,
            "ticks": [{"x": _f(AXIS_X0 + (year - first) * scale), "label": str(year)} for year in range(first, last + 1, step)]}


def _gap_text(previous: int, year: int) -> str:
    missing = year - previous - 1
    span = f"{previous + 1}" if missing == 1 else f"{previous + 1}–{year - 1}"
    return f"{span}: nothing dated ({missing} year{'s' if missing != 1 else ''})"


def _title(item: Item) -> str:
    end = f" to {item.end_text}" if item.end_text else ""
    return f"{item.label} ({item.kind_label}, {item.date_text}{end}; precise to the {item.precision})"


def _row(sg: SiteGraph, item: Item, y: float, here: str) -> dict:
    mid = y + ROW / 2
    if item.precision == "year":
        mark = {"shape": "rect", "x": _f(STRIP_X), "y": _f(mid - 6), "w": _f(12 * MONTH_W), "h": 12}
    elif item.precision == "month":
        mark = {"shape": "rect", "x": _f(STRIP_X + (item.month - 1) * MONTH_W + 1), "y": _f(mid - 6),
                "w": _f(MONTH_W - 2), "h": 12}
    else:
        days = calendar.monthrange(item.year if item.year > 0 else 2000, item.month)[1]
        cx = STRIP_X + (item.month - 1) * MONTH_W + (item.day - 0.5) / days * MONTH_W
        mark = {"shape": "circle", "cx": _f(cx), "cy": _f(mid), "r": 5}
    date = item.date_text + (f" – {item.end_text}" if item.end_text else "")
    return {
        "y": _f(y), "h": ROW, "ty": _f(mid + 4.5), "sy": _f(mid - 6), "kind": item.kind, "precision": item.precision, "mark": mark,
        "href": sg.href(item.iri, here), "text": _truncate(item.label, LABEL_CHARS - len(date)), "date": date,
        "title": _title(item),
    }
