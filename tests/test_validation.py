"""The fast path gives what the references give: the scoped SPARQL rules what the generic rules
(themselves checked against owlrl in test_reasoning.py) infer plan by plan, and the shapes compiled
to SPARQL what pyshacl reports, on the seed plans, a synthetic corpus and every broken fixture."""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Graph

from cspkg.pipeline import scopes
from cspkg.pipeline.build import group, subjects
from cspkg.pipeline.reasoning import infer
from cspkg.sources import DEFAULT_DATA, ONTOLOGY_DIR, Source, discover, parse, shape_files
from cspkg.pipeline.shapes_sparql import Unsupported, compile_shapes
from cspkg.synth.generate import synthesise
from cspkg.pipeline.validation import PlanChecker, check, load_shapes, to_rdflib
from test_shapes import BREAKS, FIXTURE, PREFIXES

import pyoxigraph as ox


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(shape_files())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    data = tmp_path_factory.mktemp("synth") / "data"
    synthesise(data, partnerships=4, years=3, seed=11)
    return data


def contexts(data):
    reference, plans = group(discover(data))
    reference.inferred = infer(set(), reference.asserted)
    return reference, plans, reference.asserted | reference.inferred


def report_of(findings) -> Counter:
    """What a SHACL report says of each result, and what the officer's report names it by."""
    return Counter((f.scope, f.severity, f.focus, f.message, f.path, f.shape, f.label, f.kind, f.source) for f in findings)


@pytest.mark.parametrize("which", ["seed", "synthetic"])
def test_scoped_rules_infer_what_each_plan_alone_infers(which, corpus):
    reference, plans, background = contexts(DEFAULT_DATA if which == "seed" else corpus)
    inferred, _, _, _ = scopes.reason_and_validate(background, [(p.name, p.asserted, False) for p in plans], load_shapes(shape_files()))
    for plan in plans:
        expected = infer(background, plan.asserted)
        assert expected, plan.name  # the comparison is not vacuous
        assert inferred[plan.name] == expected, plan.name


@pytest.mark.parametrize("which", ["seed", "synthetic"])
def test_compiled_shapes_report_what_pyshacl_reports(which, corpus, shapes):
    reference, plans, background = contexts(DEFAULT_DATA if which == "seed" else corpus)
    inferred, findings, _, _ = scopes.reason_and_validate(background, [(p.name, p.asserted, True) for p in plans], shapes)
    checker = PlanChecker(background, shapes)
    expected = [f for p in plans for f in checker.check(p.name, p.asserted | inferred[p.name], subjects(p.asserted))]
    assert len(expected) > 10 * len(plans)  # warnings and notes on every plan: not vacuous
    assert report_of(findings) == report_of(expected)
    # the reference data, validated as one scope of its own
    ours = scopes.validate_alone("reference", background, {t.subject for t in reference.asserted}, shapes)
    assert report_of(ours) == report_of(check("reference", to_rdflib(background), shapes, subjects(reference.asserted)))


def fixture_triples(update: str | None = None) -> set[ox.Triple]:
    graph = Graph().parse(FIXTURE)
    if update:
        graph.update(PREFIXES + update)
    return set(ox.parse(graph.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES))


def ontology_closure() -> set[ox.Triple]:
    """The fixture's background, as in test_shapes.py: the ontology and its inferences."""
    ontology = {t for p in sorted(ONTOLOGY_DIR.glob("*.ttl")) for t in parse(Source(p, "ontology"))}
    return ontology | infer(set(), ontology)


@pytest.mark.parametrize("shape", sorted(BREAKS))
def test_compiled_shapes_fail_each_broken_fixture_as_pyshacl_does(shape, shapes):
    """Each shape's invalid case (test_shapes.py) gives the same results both ways."""
    background = ontology_closure()
    own = fixture_triples(BREAKS[shape])
    inferred, findings, _, _ = scopes.reason_and_validate(background, [("fixture", own, True)], shapes)
    expected = PlanChecker(background, shapes).check("fixture", own | inferred["fixture"], subjects(own))
    assert any(f.shape.endswith("/" + shape) for f in findings)
    assert report_of(findings) == report_of(expected)


def test_a_shape_the_compiler_does_not_know_is_refused_and_pyshacl_takes_over(shapes):
    extra = Graph()
    extra += shapes
    extra.parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix csp: <https://w3id.org/cspkg/def/> .
        <urn:x:Closed> a sh:NodeShape ; sh:targetClass csp:Action ; sh:closed true ; sh:message "closed"@en .""", format="turtle")
    with pytest.raises(Unsupported):
        compile_shapes(extra, ox.Store())
    own = fixture_triples()
    background = ontology_closure()
    _, findings, _, _ = scopes.reason_and_validate(background, [("fixture", own, True)], extra)
    assert any(f.message == "closed" for f in findings)  # pyshacl ran the shape the compiler refused


def test_validate_names_a_misspelt_duty_through_the_cli(tmp_path):
    """The real command, on a copy of the seed data with one duty identifier misspelt."""
    import shutil
    import subprocess
    import sys

    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    plan = data / "plans" / "thurrock-2023-24.ttl"
    text = plan.read_text(encoding="utf-8")
    assert "csp:relatesToDuty duty:serious-violence-duty ;" in text
    plan.write_text(text.replace("csp:relatesToDuty duty:serious-violence-duty ;", "csp:relatesToDuty duty:serious-violence-dutyy ;", 1),
                    encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "cspkg.cli.main", "validate", "--data", str(data)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if "serious-violence-dutyy" in line]
    # once, on the priority that states it (its actions inherit the link and are not listed again)
    assert len(lines) == 1 and "not in the duty register" in lines[0] and lines[0].lstrip().startswith("- Local priority")
    assert "Does not conform: 1 violation(s)" in done.stdout


def test_the_seed_plans_conform():
    """Warnings are allowed (they are the plans' real gaps); violations are not."""
    from cspkg.pipeline.build import run

    result = run(DEFAULT_DATA, None)
    assert [f for f in result.findings if f.severity == "violation"] == []
    assert result.warnings  # the report is not empty: the shapes ran


@pytest.mark.parametrize("select", [
    "SELECT $this WHERE { $this a csp:Action } ORDER BY $this",  # a solution modifier after the pattern
    "SELECT * WHERE { $this a csp:Action }",  # no variables named
])
def test_a_sparql_constraint_the_compiler_cannot_place_is_refused(select, shapes):
    """The per-scope query puts the focus nodes first in the author's pattern: a query of another form is left to pyshacl."""
    extra = Graph()
    extra += shapes
    extra.parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix csp: <https://w3id.org/cspkg/def/> .
        <urn:x:S> a sh:NodeShape ; sh:targetClass csp:Action ; sh:message "m"@en ;
            sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes <https://w3id.org/cspkg/def/shapes/> ; sh:select "{select}" ] .""",
                format="turtle")
    with pytest.raises(Unsupported):
        compile_shapes(extra, ox.Store())
