"""The network picture: actors linked to the events and agreements they take part in
(the ontology's ``involves`` property and its sub-properties).

A radial layout computed here, deterministic and without JavaScript: the events and
agreements lie on a ring in date order (clockwise from the top, undated ones last); each
actor sits inside the ring in the direction of the items it takes part in, nearer the
centre the more items it has. Node size grows with degree.

A large graph (more than ``DETAIL_ITEMS`` items or ``DETAIL_ACTORS`` actors) gets a picture
that stays readable: the ``TOP`` actors with the most links on a ring, a line between two
of them as thick as the number of items they take part in together. The list of every
actor and its items is split into pages of ``LIST_PAGE`` actors."""

from __future__ import annotations

import math
from collections import defaultdict

import pyoxigraph as ox

from isthmus.publish import timeline
from isthmus.publish.sitegraph import SiteGraph, relative

RING = 360.0
INNER = 300.0
HALF = 580  # half the picture's side (the ring, and room for labels outside it)
LABEL_CHARS = 34
RING_LABEL_MIN_SPACING = 10.0  # px of ring per item below which only the larger items are labelled
ACTOR_LABELS = 24
GAP_DEGREES = 6.0
#: the largest graph drawn item by item; above, the picture shows the top actors
DETAIL_ITEMS, DETAIL_ACTORS = 400, 300
TOP = 40
TOP_EDGES = 300
#: actors per page of the list
LIST_PAGE = 500


def _f(x: float) -> str:
    return f"{x:.1f}"


def graph(sg: SiteGraph):
    """(item kinds, edges): items by IRI, edges as (item, actor) -> role IRIs."""
    return sg.memo("network.graph", lambda: _graph(sg))


def _graph(sg: SiteGraph):
    roles = sg.subproperties_of(sg.vocab.involves)
    kinds = timeline.kinds(sg)
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    item_kind: dict[str, str] = {}
    for subject, triples in sg.data_out.items():
        if not isinstance(subject, ox.NamedNode):
            continue
        for t in triples:
            if t.predicate.value in roles and isinstance(t.object, ox.NamedNode) and t.object != subject:
                kind = item_kind.get(subject.value)
                if kind is None:
                    kind = next((key for key, cls in kinds if sg.is_a(subject, cls)), "other")
                    item_kind[subject.value] = kind
                edges[(subject.value, t.object.value)].add(t.predicate.value)
    return item_kind, edges


def page_name(number: int) -> str:
    return "network.html" if number == 1 else f"network-{number}.html"


def _ranked(sg: SiteGraph) -> tuple[list[str], dict[str, set[str]], dict[str, set[str]]]:
    """Actors by degree (most links first), and the actors of each item, the items of each actor."""
    def compute():
        _item_kind, edges = graph(sg)
        actors_of: dict[str, set[str]] = defaultdict(set)
        items_of: dict[str, set[str]] = defaultdict(set)
        for (item, actor) in edges:
            actors_of[item].add(actor)
            items_of[actor].add(item)
        actors = sorted(items_of, key=lambda x: (-len(items_of[x]), sg.label(x).lower(), x))
        return actors, actors_of, items_of
    return sg.memo("network.ranked", compute)


def page_count(sg: SiteGraph) -> int:
    actors, _actors_of, _items_of = _ranked(sg)
    return max(1, -(-len(actors) // LIST_PAGE))


def views(sg: SiteGraph) -> list[tuple[str, dict]]:
    """(file, view) of every network page: the picture and the first actors of the list on
    ``network.html``, the other actors on the next pages."""
    item_kind, edges = graph(sg)
    actors, _actors_of, items_of = _ranked(sg)
    count = page_count(sg)
    out = []
    for number in range(1, count + 1):
        here = page_name(number)
        share = actors[(number - 1) * LIST_PAGE:number * LIST_PAGE]
        if number == 1:
            view = layout(sg, here, listed=share)
        else:
            view = _empty(sg, len(actors), len(item_kind))
            view["actors"] = [_actor_entry(sg, actor, items_of[actor], edges, here) for actor in share]
        view["page"] = number
        view["pager"] = [{"number": n, "href": relative(page_name(n), here), "current": n == number,
                          "text": _range_text(sg, actors[(n - 1) * LIST_PAGE:n * LIST_PAGE])}
                         for n in range(1, count + 1)] if count > 1 else []
        out.append((here, view))
    return out


def _range_text(sg: SiteGraph, share: list[str]) -> str:
    _actors, _actors_of, items_of = _ranked(sg)
    high, low = len(items_of[share[0]]), len(items_of[share[-1]])
    return f"{high:,} link{'s' if high != 1 else ''}" if high == low else f"{high:,} to {low:,} links"


def _empty(sg: SiteGraph, actors: int, items: int) -> dict:
    return {"half": HALF, "nodes": [], "edges": [], "labels": [], "actors": [], "items": items, "ring": RING,
            "marks": [], "kinds": [{"key": key, "text": sg.label(cls)} for key, cls in timeline.kinds(sg)],
            "total_actors": actors, "top": None, "page": 1, "pager": []}


def layout(sg: SiteGraph, here: str, *, listed: list[str] | None = None) -> dict:
    """The view of the network page: the picture, and the actors ``listed`` (all by default)."""
    item_kind, edges = graph(sg)
    if not edges:
        view = _empty(sg, 0, 0)
        view["kinds"] = []
        return view
    ranked, actors_of, items_of = _ranked(sg)
    if listed is None:
        listed = ranked
    if len(item_kind) > DETAIL_ITEMS or len(ranked) > DETAIL_ACTORS:
        view = _empty(sg, len(ranked), len(item_kind))
        view["top"] = _top(sg, ranked, actors_of, items_of, here)
        view["actors"] = [_actor_entry(sg, actor, items_of[actor], edges, here) for actor in listed]
        return view
    dated, undated = timeline.items(sg)
    order = {item.iri: n for n, item in enumerate(dated)}
    undated_rank = {iri: n for n, (iri, _label, _kind) in enumerate(undated)}
    items = sorted(item_kind, key=lambda i: (0, order[i], "") if i in order else
                   (1, undated_rank.get(i, len(undated_rank)), sg.label(i).lower() + i))
    # ring: dated items, a gap, undated items, a gap back to the top
    n_dated = sum(1 for i in items if i in order)
    n_undated = len(items) - n_dated
    gaps = (1 if n_dated else 0) + (1 if n_undated else 0)
    step = (360.0 - gaps * GAP_DEGREES) / max(len(items), 1)
    angle: dict[str, float] = {}
    a = GAP_DEGREES / 2
    for n, item in enumerate(items):
        if n == n_dated and n_dated:
            a += GAP_DEGREES
        angle[item] = a + step / 2
        a += step
    pos: dict[str, tuple[float, float]] = {i: _polar(RING, angle[i]) for i in items}
    marks = []  # where the ring starts, and where the undated items start
    if n_dated:
        x, y = _polar(RING - 18, 0.0)
        marks.append({"x": _f(x), "y": _f(y), "text": f"{dated[0].year} ↻"})
    if n_dated and n_undated:
        gap = angle[items[n_dated]] - step / 2 - GAP_DEGREES / 2
        x, y = _polar(RING - 18, gap)
        marks.append({"x": _f(x), "y": _f(y + 4), "text": "undated ↻"})
    # actors: in the direction of their items' mean, nearer the centre the more items they have
    actors = ranked
    top = max(len(v) for v in items_of.values())
    radius: dict[str, float] = {}
    for actor in actors:
        mine = sorted(items_of[actor], key=lambda i: angle[i])  # a fixed order: the same sums every run
        sx = sum(math.sin(math.radians(angle[i])) for i in mine)
        sy = sum(math.cos(math.radians(angle[i])) for i in mine)
        direction = math.degrees(math.atan2(sx, sy)) % 360
        share = math.sqrt((len(items_of[actor]) - 1) / max(top - 1, 1))
        r = INNER * (0.96 - 0.86 * share)
        pos[actor] = _polar(r, direction)
        radius[actor] = 2.5 + 1.6 * math.sqrt(len(items_of[actor]))
    _separate(actors, pos, radius)
    for item in items:
        radius[item] = 2.0 + 1.2 * math.sqrt(len(actors_of[item]))
    nodes = []
    for item in items:
        x, y = pos[item]
        nodes.append({"x": _f(x), "y": _f(y), "r": _f(radius[item]), "kind": item_kind[item], "href": sg.href(item, here),
                      "title": f"{sg.label(item)} ({len(actors_of[item])} actor{'s' if len(actors_of[item]) != 1 else ''})"})
    for actor in actors:
        x, y = pos[actor]
        nodes.append({"x": _f(x), "y": _f(y), "r": _f(radius[actor]), "kind": "actor", "href": sg.href(actor, here),
                      "title": f"{sg.label(actor)} (takes part in {len(items_of[actor])})"})
    lines = []
    for (item, actor) in sorted(edges):
        (x1, y1), (x2, y2) = pos[actor], pos[item]
        lines.append({"x1": _f(x1), "y1": _f(y1), "x2": _f(x2), "y2": _f(y2), "kind": item_kind[item]})
    labels = _ring_labels(sg, items, angle, actors_of, here) + _actor_labels(sg, actors, pos, radius, items_of, here)
    view = _empty(sg, len(actors), len(items))
    view.update(marks=marks, nodes=nodes, edges=lines, labels=labels,
                actors=[_actor_entry(sg, actor, items_of[actor], edges, here) for actor in listed])
    return view


def _top(sg: SiteGraph, ranked: list[str], actors_of: dict, items_of: dict, here: str) -> dict:
    """The ``TOP`` actors on a ring, by degree clockwise from the top, and the lines between
    those that take part in the same items (the ``TOP_EDGES`` strongest)."""
    top = ranked[:TOP]
    index = {actor: n for n, actor in enumerate(top)}
    together: dict[tuple[str, str], int] = defaultdict(int)
    for item in sorted(actors_of):
        mine = sorted((a for a in actors_of[item] if a in index), key=index.__getitem__)
        for n, a in enumerate(mine):
            for b in mine[n + 1:]:
                together[(a, b)] += 1
    strongest = sorted(together.items(), key=lambda kv: (-kv[1], index[kv[0][0]], index[kv[0][1]]))[:TOP_EDGES]
    most = max((w for _pair, w in strongest), default=1)
    high = len(items_of[top[0]])
    step = 360.0 / len(top)
    nodes, labels = [], []
    for n, actor in enumerate(top):
        angle = n * step
        x, y = _polar(RING, angle)
        degree = len(items_of[actor])
        nodes.append({"x": _f(x), "y": _f(y), "r": _f(3 + 11 * math.sqrt(degree / high)), "kind": "actor",
                      "href": sg.href(actor, here), "title": f"{sg.label(actor)} (takes part in {degree:,})"})
        lx, ly = _polar(RING + 20, angle)
        left = angle > 180
        labels.append({"x": _f(lx), "y": _f(ly), "rotate": _f(angle - 90 + (180 if left else 0)),
                       "anchor": "end" if left else "start", "text": _truncate(sg.label(actor)),
                       "href": sg.href(actor, here), "cls": "ring-label"})
    lines = []
    for (a, b), weight in strongest:
        (x1, y1), (x2, y2) = _polar(RING, index[a] * step), _polar(RING, index[b] * step)
        lines.append({"x1": _f(x1), "y1": _f(y1), "x2": _f(x2), "y2": _f(y2), "w": _f(0.6 + 5 * math.sqrt(weight / most)),
                      "title": f"{sg.label(a)} and {sg.label(b)}: {weight:,} together"})
    return {"nodes": nodes, "labels": labels, "lines": lines, "shown": len(top), "most": most}


def _polar(r: float, degrees: float) -> tuple[float, float]:
    rad = math.radians(degrees)
    return r * math.sin(rad), -r * math.cos(rad)


def _separate(actors: list[str], pos: dict, radius: dict, rounds: int = 40) -> None:
    """Push overlapping actor nodes apart (a grid finds the neighbours), keeping them inside
    the ring; deterministic: the same input always moves the same way."""
    cell = 2 * max(radius[a] for a in actors) + 4
    for _ in range(rounds):
        grid: dict[tuple[int, int], list[str]] = defaultdict(list)
        for a in actors:
            grid[(int(pos[a][0] // cell), int(pos[a][1] // cell))].append(a)
        moved = False
        for index, a in enumerate(actors):
            ax, ay = pos[a]
            gx, gy = int(ax // cell), int(ay // cell)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for b in grid.get((gx + dx, gy + dy), ()):
                        if b <= a:
                            continue
                        bx, by = pos[b]
                        need = radius[a] + radius[b] + 3
                        dist = math.hypot(bx - ax, by - ay)
                        if dist >= need:
                            continue
                        if dist < 1e-6:
                            ux, uy = math.cos(index), math.sin(index)
                        else:
                            ux, uy = (bx - ax) / dist, (by - ay) / dist
                        push = (need - dist) / 2
                        ax, ay = ax - ux * push, ay - uy * push
                        pos[b] = _inside(bx + ux * push, by + uy * push)
                        moved = True
            pos[a] = _inside(ax, ay)
        if not moved:
            break


def _inside(x: float, y: float) -> tuple[float, float]:
    r = math.hypot(x, y)
    if r <= INNER:
        return x, y
    return x * INNER / r, y * INNER / r


def _truncate(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _ring_labels(sg: SiteGraph, items: list[str], angle: dict, actors_of: dict, here: str) -> list[dict]:
    spacing = 2 * math.pi * RING / max(len(items), 1)
    if spacing >= RING_LABEL_MIN_SPACING:
        shown = set(items)
    else:  # too many to label: the items with the most actors, as many as fit
        fit = int(2 * math.pi * RING / RING_LABEL_MIN_SPACING)
        shown = set(sorted(items, key=lambda i: (-len(actors_of[i]), i))[:fit])
    out = []
    for item in items:
        if item not in shown:
            continue
        a = angle[item]
        x, y = _polar(RING + 10, a)
        left = a > 180
        rotate = a - 90 + (180 if left else 0)
        out.append({"x": _f(x), "y": _f(y), "rotate": _f(rotate), "anchor": "end" if left else "start",
                    "text": _truncate(sg.label(item)), "href": sg.href(item, here), "cls": "ring-label"})
    return out


def _actor_labels(sg: SiteGraph, actors: list[str], pos: dict, radius: dict, items_of: dict, here: str) -> list[dict]:
    """Labels for the larger actors, as many as fit inside the ring without overlapping
    (largest first; to the right of the node, else to its left)."""
    placed: list[tuple[float, float, float, float]] = []
    out = []
    for actor in actors:
        if len(out) >= ACTOR_LABELS or len(items_of[actor]) < 2:
            break
        text = _truncate(sg.label(actor))
        x, y = pos[actor]
        width = 6.6 * len(text)
        gap = radius[actor] + 3
        for anchor, x0 in (("start", x + gap), ("end", x - gap - width)):
            box = (x0, y - 9, x0 + width, y + 4)
            inside = all(math.hypot(cx, cy) < RING - 8 for cx in (box[0], box[2]) for cy in (box[1], box[3]))
            free = all(box[2] < b[0] or b[2] < box[0] or box[3] < b[1] or b[3] < box[1] for b in placed)
            if inside and free:
                placed.append(box)
                out.append({"x": _f(x + gap if anchor == "start" else x - gap), "y": _f(y + 4), "rotate": None,
                            "anchor": anchor, "text": text, "href": sg.href(actor, here), "cls": "actor-label"})
                break
    return out


def _actor_entry(sg: SiteGraph, actor: str, items: set[str], edges: dict, here: str) -> dict:
    entries = []
    for item in sorted(items, key=lambda i: (sg.label(i).lower(), i)):
        roles = sorted(sg.label(r) for r in edges[(item, actor)])
        entries.append({"href": sg.href(item, here), "text": sg.label(item), "roles": roles})
    return {"href": sg.href(actor, here), "text": sg.label(actor), "degree": len(items), "items": entries}
