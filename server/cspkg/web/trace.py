"""The layout of a plan's traceability picture: actions, priorities, duties and Acts in four
columns, each node a link, each path a curve; drawn as SVG by the template, no script needed."""

from __future__ import annotations

from ..namespaces import BASE
from .presentation import href as link_target

LAYERS = [("action", "Actions"), ("priority", "Priorities"), ("duty", "Legal duties"), ("act", "Acts")]
WIDTHS = {"action": 290, "priority": 230, "duty": 200, "act": 230}
GAP, ROW, TOP = 50, 30, 40
CHARS = {"action": 38, "priority": 30, "duty": 26, "act": 30}  # what fits in a box at 12px


def href(layer: str, iri: str) -> str | None:
    """Where a node links to; None (a box without a link) for an IRI that is not http(s)."""
    if layer == "duty":
        return link_target("/duties/" + iri.rsplit("/", 1)[-1])
    if iri.startswith(BASE + "id/"):
        return link_target("/doc/" + iri[len(BASE + "id/"):])
    return link_target(iri)  # legislation.gov.uk


def short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def layout(paths: list[dict]) -> dict:
    """Positions for every node and the curves between them, from plan-trace rows."""
    nodes: dict[tuple[str, str], dict] = {}
    edges: set[tuple[tuple[str, str], tuple[str, str]]] = set()
    for p in paths:
        chain = [("action", p["action"], p["actionLabel"])]
        if p.get("priority"):
            chain.append(("priority", p["priority"], p["priorityLabel"]))
        chain.append(("duty", p["duty"], p["dutyLabel"]))
        if p.get("act"):
            chain.append(("act", p["act"], p["actLabel"]))
        for layer, iri, label in chain:
            nodes.setdefault((layer, iri), {"layer": layer, "iri": iri, "label": label, "href": href(layer, iri)})
        for a, b in zip(chain, chain[1:]):
            edges.add(((a[0], a[1]), (b[0], b[1])))
    x, columns = 0, {}
    for layer, _ in LAYERS:
        columns[layer] = x
        x += WIDTHS[layer] + GAP
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

    y = {k: TOP + i * ROW for i, k in enumerate(sorted((k for k in nodes if k[0] == "action"), key=group))}
    for layer in ("priority", "duty", "act"):
        wanted = sorted(((sum(y[a] for a in links[k]) / len(links[k]), label(k), k) for k in nodes if k[0] == layer))
        last = TOP - ROW
        for want, _, k in wanted:
            last = y[k] = max(want, last + ROW)
    for k, n in nodes.items():
        n.update(x=columns[k[0]], y=round(y[k]), w=WIDTHS[k[0]], h=ROW - 6, text=short(n["label"], CHARS[k[0]]))
    curves = []
    for a, b in sorted(edges):
        s, t = nodes[a], nodes[b]
        x1, y1 = s["x"] + s["w"], s["y"] + s["h"] / 2
        x2, y2 = t["x"], t["y"] + t["h"] / 2
        mid = (x1 + x2) / 2
        curves.append(f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}")
    height = max(y.values(), default=TOP) + ROW + 10
    heads = [{"x": columns[layer], "text": f"{title} ({counts[layer]})"} for layer, title in LAYERS]
    order = {layer: i for i, (layer, _) in enumerate(LAYERS)}
    return {"width": x - GAP, "height": height, "heads": heads, "edges": curves,
            "nodes": sorted(nodes.values(), key=lambda n: (order[n["layer"]], n["y"]))}
