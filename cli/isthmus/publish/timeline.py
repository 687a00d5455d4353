"""The timeline picture: every dated event and agreement as a mark at its date, at the
precision the data gives (a year, a month or a day), coloured by kind.

Two views in one SVG: an overview on a linear time axis (a mark's width is its precision;
a line after it runs to its end date), and a chronology with one row per item, where a
strip of twelve months shows the precision (the whole year, one month, or a day)."""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass

import pyoxigraph as ox

from isthmus.publish.sitegraph import SiteGraph, parse_date

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


def layout(sg: SiteGraph, here: str) -> dict:
    dated, undated = items(sg)
    view = {"width": WIDTH, "items": [], "undated": [
        {"href": sg.href(iri, here), "text": label, "kind": kind} for iri, label, kind in undated],
        "kinds": [{"key": key, "view_href": sg.href(cls, here), "text": sg.label(cls)} for key, cls in kinds(sg)]}
    if not dated:
        view.update(height=40, overview=None, rows=[], gaps=[], years=[], ticks=[])
        return view
    first = math.floor(min(i.year for i in dated) / 10) * 10
    last = math.ceil((max(max(i.year for i in dated), max((i.end[0] for i in dated if i.end), default=0)) + 1) / 10) * 10
    scale = (AXIS_X1 - AXIS_X0) / max(last - first, 1)

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
    view["items"] = [{"href": sg.href(i.iri, here), "text": i.label, "kind": i.kind, "kind_label": i.kind_label,
                      "date": i.date_text, "precision": i.precision, "end": i.end_text} for i in dated]
    return view


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
