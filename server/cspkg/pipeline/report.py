"""Plain-English text for the build summary and the validation report."""

from __future__ import annotations

from itertools import groupby

from .build import BuildResult, graph_counts
from ..namespaces import GRAPH
from .validation import Finding

HEADINGS = {"violation": "Violations (must be fixed before the plan can be published)",
            "warning": "Warnings (worth fixing; they do not stop a build)",
            "info": "Notes"}


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def finding_line(f: Finding) -> str:
    where = f" ({f.source})" if f.source else ""
    return f'    - {f.kind} "{_short(f.label)}"{where}: {f.message}'


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _notes_summary(group: list[Finding]) -> list[str]:
    counts: dict[str, int] = {}
    for f in group:
        counts[f.message] = counts.get(f.message, 0) + 1
    return [f"    - {n} × {message}" for message, n in sorted(counts.items(), key=lambda kv: -kv[1])]


def validation_report(result: BuildResult, verbose: bool = False) -> str:
    lines = []
    order = {"reference": 0}
    findings = sorted(result.findings, key=lambda f: (order.get(f.scope, 1), f.scope))
    scopes = ["reference", *result.titles]
    by_scope = {k: list(g) for k, g in groupby(findings, key=lambda f: f.scope)}
    for scope in scopes:
        items = by_scope.get(scope, [])
        title = "Reference data (ontology, duties, agencies, Police and Crime Plans, themes)" if scope == "reference" \
            else f"{result.titles[scope]} ({scope})"
        if scope in result.unreadable:
            lines.append(f"{title}: not read: {result.unreadable[scope]}")
            continue
        counts = [_plural(sum(f.severity == s for f in items), s) for s in ("violation", "warning")]
        lines.append(f"{title}: {', '.join(counts)}")
        for severity in ("violation", "warning", "info"):
            group = [f for f in items if f.severity == severity]
            if group:
                lines.append(f"  {HEADINGS[severity]}:")
                brief = severity == "info" and not verbose
                lines += _notes_summary(group) if brief else [finding_line(f) for f in group]
    return "\n".join(lines)


def build_summary(result: BuildResult) -> str:
    counts = graph_counts(result)
    asserted = sum(a for a, _ in counts.values())
    inferred = sum(i for _, i in counts.values())
    lines = [f"Graphs: {len(counts)} ({asserted:,} triples asserted, {inferred:,} inferred)"]
    for graph, (a, i) in sorted(counts.items()):
        lines.append(f"  {graph.removeprefix(GRAPH):45} {a + i:>8,} {'inferred' if i else 'asserted'}")
    lines.append(f"Validation: {_plural(len(result.violations), 'violation')}, {_plural(len(result.warnings), 'warning')}")
    stages = ", ".join(f"{k} {v:.2f}" for k, v in result.seconds.items())
    lines.append(f"Seconds: {stages}, total {sum(result.seconds.values()):.2f}")
    if result.store_path:
        lines.append(f"Store: {result.store_path} (now current)")
    return "\n".join(lines)


def left_out_report(result: BuildResult) -> str:
    """One line for each plan whose file did not go into the store: why, and what the store holds instead."""
    lines = [f"{_plural(len(result.left_out), 'plan')} left out of this build (every other plan was published):"]
    for key, outcome in sorted(result.left_out.items()):
        n = sum(f.severity == "violation" and f.scope == key for f in result.findings)
        why = outcome.unreadable if outcome.unreadable else _plural(n, "violation") + " (listed above)"
        then = f"kept the version built at {outcome.kept}" if outcome.kept else "left out: it has never conformed"
        lines.append(f"  {result.titles.get(key, key)} ({key}): {why}; {then}")
    return "\n".join(lines)
