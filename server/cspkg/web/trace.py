"""The layout of a plan's traceability picture: actions, priorities, duties and Acts in four
columns, each node a link, each path a curve; drawn as SVG by the template, no script needed.

Labels are wrapped over as many lines as they need (a box is as tall as its label), never cut.
Each node carries the paths through it (`through`: the curves and the boxes on every
action-to-Act path that passes the node), which the template draws right after the node, hidden
until the node is hovered or focused; so a path lights up with CSS alone."""

from __future__ import annotations

import textwrap

from ..namespaces import BASE
from .presentation import href as link_target

LAYERS = [("action", "Actions"), ("priority", "Priorities"), ("duty", "Legal duties"), ("act", "Acts")]
WIDTHS = {"action": 290, "priority": 230, "duty": 200, "act": 230}
GAP, TOP, EDGE = 50, 40, 6  # between columns; above the first box (the column headings); left and right, for the highlight
SPACE = 8  # between boxes in a column
LINE, PAD = 15, 6  # a line of 12px text; padding above and below it in a box
CHARS = {"action": 40, "priority": 31, "duty": 26, "act": 31}  # what fits on a line of a box at 12px


def href(layer: str, iri: str) -> str | None:
    """Where a node links to; None (a box without a link) for an IRI that is not http(s)."""
    if layer == "duty":
        return link_target("/duties/" + iri.rsplit("/", 1)[-1])
    if iri.startswith(BASE + "id/"):
        return link_target("/doc/" + iri[len(BASE + "id/"):])
    return link_target(iri)  # legislation.gov.uk


def lines(text: str, limit: int) -> list[str]:
    """The label over lines of at most `limit` characters, words kept whole where they fit."""
    return textwrap.wrap(" ".join(text.split()), limit, break_on_hyphens=False) or [""]


def chains(paths: list[dict]) -> list[list[tuple[str, str, str]]]:
    """Each plan-trace row as the (layer, iri, label) boxes it passes, left to right."""
    out = []
    for p in paths:
        chain = [("action", p["action"], p["actionLabel"])]
        if p.get("priority"):
            chain.append(("priority", p["priority"], p["priorityLabel"]))
        chain.append(("duty", p["duty"], p["dutyLabel"]))
        if p.get("act"):
            chain.append(("act", p["act"], p["actLabel"]))
        out.append(chain)
    return out


def layout(paths: list[dict]) -> dict:
    """Positions for every node and the curves between them, from plan-trace rows."""
    nodes: dict[tuple[str, str], dict] = {}
    edges: set[tuple[tuple[str, str], tuple[str, str]]] = set()
    rows = chains(paths)
    for chain in rows:
        for layer, iri, label in chain:
            nodes.setdefault((layer, iri), {"layer": layer, "iri": iri, "label": label, "href": href(layer, iri)})
        for a, b in zip(chain, chain[1:]):
            edges.add(((a[0], a[1]), (b[0], b[1])))
    x, columns = EDGE, {}
    for layer, _ in LAYERS:
        columns[layer] = x
        x += WIDTHS[layer] + GAP
    for k, n in nodes.items():
        n["lines"] = lines(n["label"], CHARS[k[0]])
        n["h"] = len(n["lines"]) * LINE + 2 * PAD
    # Actions are stacked, grouped by the priority they serve; every other box sits level with the
    # mean of the boxes that link to it from the left, pushed down only to keep boxes apart.
    links: dict[tuple[str, str], set] = {}
    for a, b in edges:
        links.setdefault(b, set()).add(a)
        links.setdefault(a, set())
    counts = {layer: sum(1 for k in nodes if k[0] == layer) for layer, _ in LAYERS}
    label = lambda k: (nodes[k]["label"].lower(), k[1])
    right = {k: sorted({b for a, b in edges if a == k}, key=label) for k in nodes}
    priorities = sorted((k for k in nodes if k[0] == "priority"), key=lambda k: (label(right[k][0]) if right[k] else ("",), label(k)))
    order = {k: i for i, k in enumerate(priorities)}

    def group(k):
        mine = [order[b] for b in right[k] if b in order]
        return (min(mine) if mine else len(order), label(right[k][0]) if right[k] else ("",), label(k))

    y: dict[tuple[str, str], float] = {}
    bottom = TOP - SPACE
    for k in sorted((k for k in nodes if k[0] == "action"), key=group):
        y[k] = bottom + SPACE
        bottom = y[k] + nodes[k]["h"]
    for layer in ("priority", "duty", "act"):
        middle = lambda k: sum(y[a] + nodes[a]["h"] / 2 for a in links[k]) / len(links[k]) - nodes[k]["h"] / 2
        bottom = TOP - SPACE
        for want, _, k in sorted((middle(k), label(k), k) for k in nodes if k[0] == layer):
            y[k] = max(want, bottom + SPACE)
            bottom = y[k] + nodes[k]["h"]
    for k, n in nodes.items():
        n.update(x=columns[k[0]], y=round(y[k]), w=WIDTHS[k[0]])

    def curve(a, b) -> str:
        s, t = nodes[a], nodes[b]
        x1, y1 = s["x"] + s["w"], s["y"] + s["h"] / 2
        x2, y2 = t["x"], t["y"] + t["h"] / 2
        mid = (x1 + x2) / 2
        return f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"

    # The paths through each node, for the highlight: every chain that passes it, whole.
    for k, n in nodes.items():
        mine = [[(layer, iri) for layer, iri, _ in c] for c in rows if any((layer, iri) == k for layer, iri, _ in c)]
        on = sorted({e for c in mine for e in zip(c, c[1:])})
        boxes = sorted({b for c in mine for b in c}, key=lambda b: (nodes[b]["x"], nodes[b]["y"]))
        n["through"] = {"curves": [curve(a, b) for a, b in on],
                        "boxes": [{k2: nodes[b][k2] for k2 in ("x", "y", "w", "h")} for b in boxes]}
    height = max((y[k] + nodes[k]["h"] for k in nodes), default=TOP) + 10
    heads = [{"x": columns[layer], "text": f"{title} ({counts[layer]})"} for layer, title in LAYERS]
    order = {layer: i for i, (layer, _) in enumerate(LAYERS)}
    return {"width": x - GAP + EDGE, "height": round(height), "heads": heads, "edges": [curve(a, b) for a, b in sorted(edges)],
            "nodes": sorted(nodes.values(), key=lambda n: (order[n["layer"]], n["y"]))}
