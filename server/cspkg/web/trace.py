"""The layout of a plan's traceability picture: actions, priorities, duties and Acts in four
columns, each node a link, each path a curve; drawn as SVG by the template, no script needed."""

from __future__ import annotations

from ..namespaces import BASE

LAYERS = [("action", "Actions"), ("priority", "Priorities"), ("duty", "Legal duties"), ("act", "Acts")]
WIDTHS = {"action": 330, "priority": 270, "duty": 230, "act": 250}
GAP, ROW, TOP = 70, 30, 40
CHARS = {"action": 44, "priority": 36, "duty": 30, "act": 33}  # what fits in a box at 12px


def href(layer: str, iri: str) -> str:
    if layer == "duty":
        return "/duties/" + iri.rsplit("/", 1)[-1]
    if iri.startswith(BASE + "id/"):
        return "/doc/" + iri[len(BASE + "id/"):]
    return iri  # legislation.gov.uk


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
    counts = {}
    for layer, _ in LAYERS:
        mine = sorted((n for n in nodes.values() if n["layer"] == layer), key=lambda n: (n["label"].lower(), n["iri"]))
        counts[layer] = len(mine)
        for i, n in enumerate(mine):
            n.update(x=columns[layer], y=TOP + i * ROW, w=WIDTHS[layer], h=ROW - 6, text=short(n["label"], CHARS[layer]))
    curves = []
    for a, b in sorted(edges):
        s, t = nodes[a], nodes[b]
        x1, y1 = s["x"] + s["w"], s["y"] + s["h"] / 2
        x2, y2 = t["x"], t["y"] + t["h"] / 2
        mid = (x1 + x2) / 2
        curves.append(f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}")
    height = TOP + max(counts.values(), default=0) * ROW + 10
    heads = [{"x": columns[layer], "text": f"{title} ({counts[layer]})"} for layer, title in LAYERS]
    order = {layer: i for i, (layer, _) in enumerate(LAYERS)}
    return {"width": x - GAP, "height": height, "heads": heads, "edges": curves,
            "nodes": sorted(nodes.values(), key=lambda n: (order[n["layer"]], n["y"]))}
