"""A synthetic national corpus: plan-shaped data for N partnerships over Y years, for scale tests.

Every distribution (priorities per plan, actions per priority, leads, partners, funding kinds,
amounts and streams, outcomes, progress updates, duties and Police and Crime Plan priorities
cited, themes) is read at run time from the real plans in the repo's data/ folder, so the
synthetic plans look like the real ones to the queries, the reasoner and the shapes. Output is
a data folder `cspkg build --data DIR` reads: plans/, editorial/ and reference/ (the real
reference data plus a register of the synthetic partnerships). The same seed gives the same
bytes.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from ..errors import BadInput
from ..sources import DEFAULT_DATA, REPO
from .stats import Stats, read_stats

ID = "https://w3id.org/cspkg/id/"
FIRST_YEAR = 2016
# Real plans hold ~2,000 triples with their inferences; half their actions per priority gives
# ~1,000, so 300 partnerships x 10 years is about 3M triples.
ACTION_SCALE = 0.36
HEAD = """@prefix csp: <https://w3id.org/cspkg/def/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
# Area names are made, not borrowed, so no synthetic plan passes for a real partnership's.
STEMS = ["Ash", "Brook", "Elm", "Fern", "Hollin", "Kings", "Lang", "Mill", "Oak", "Red", "Stan", "Thorn",
         "Wyke", "Bar", "Cal", "Dun", "Gil", "Hart", "Lin", "Mar", "Nor", "Pen", "Rush", "Sel", "Tad"]
ENDINGS = ["ford", "bury", "ham", "wick", "ton", "field", "bridge", "stead", "minster", "worth", "ley", "borough"]


def lit(text: str, lang: str | None = "en") -> str:
    return str(ox.Literal(text, language=lang) if lang else ox.Literal(text))


def area_names(count: int, rng: random.Random) -> list[str]:
    names = sorted({s + e for s in STEMS for e in ENDINGS})
    rng.shuffle(names)
    if count <= len(names):
        return names[:count]
    return [f"{names[i % len(names)]} {i // len(names) + 1}" if i >= len(names) else names[i] for i in range(count)]


def slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def pick(rng: random.Random, counter: Counter):
    """A value drawn with the frequency it has in the real plans."""
    values = sorted(counter, key=str)
    return rng.choices(values, weights=[counter[v] for v in values])[0]


def plan_turtle(key: str, area: str, pt: str, year: int, s: Stats, rng: random.Random) -> tuple[str, str]:
    """The plan's Turtle and its editorial Turtle."""
    plan, doc = f"<{ID}plan/{key}>", f"<{ID}document/{key}>"
    period = f"{year}/{(year + 1) % 100:02d}"
    title = f"{area} Community Safety Partnership Plan {period}"
    src = f"prov:wasDerivedFrom {doc}"
    pcp = s.pcp_for_year(year)
    n_pri = pick(rng, s.priorities_per_plan)
    pris = [f"<{ID}priority/{key}/{i}>" for i in range(1, n_pri + 1)]
    scheme = f"<{ID}scheme/{key}/priorities>"  # the plan's priorities are in its scheme, not in the plan
    out, ed, actions = [f"{plan} csp:priorityScheme {scheme} .\n{scheme} a skos:ConceptScheme ; skos:prefLabel {lit('Priorities: ' + title)} .\n"], [], []
    line = 10
    for i, pri in enumerate(pris, 1):
        line += 3
        label = rng.choice(s.priority_labels)
        out.append(f"{pri} a csp:LocalPriority ; skos:inScheme {scheme} ; csp:priorityOf {plan} ;\n"
                   f"    skos:prefLabel {lit(label)} ; csp:sourceLine {line} ; {src}")
        if rng.random() < s.p_priority_duty:
            duty = pick(rng, s.priority_duties)
            out[-1] += f" ;\n    csp:relatesToDuty <{duty}> ; csp:legalDutyAsStated {lit(s.duty_labels[duty], None)}"
        out[-1] += " .\n"
        ed.append(f"{pri} csp:hasTheme {', '.join(f'<{t}>' for t in sorted(rng.sample(s.themes, 2)))} .")
        for _ in range(round(pick(rng, s.actions_per_priority) * ACTION_SCALE)):
            actions.append((i, pri))
    if not actions:  # every plan lists at least one action (a shape requires it)
        actions.append((1, pris[0]))
    for n, (i, pri) in enumerate(actions, 1):
        line += 2
        ak = f"r{n:02d}"
        act = f"<{ID}action/{key}/{ak}>"
        label = rng.choice(s.action_labels)
        a = [f"{act} a csp:Action ; csp:actionOf {plan} ; csp:actionNumber {lit(ak, None)} ; csp:presentation \"table row\"",
             f"rdfs:label {lit(label)} ; dct:description {lit(label + '. ' + rng.choice(s.action_labels))}",
             f"csp:sourceLine {line} ; {src}",
             f"csp:localPrioritiesAsStated {lit(f'Priority {i}', None)}"]
        targets = [pri]
        if pcp and rng.random() < s.p_action_pcp:
            targets.append(f"<{rng.choice(s.pcp_priorities[pcp])}>")
        a.append(f"csp:addressesPriority {', '.join(targets)}")
        if rng.random() < s.p_lead:
            lead = pick(rng, s.leads)
            a.append(f"csp:leadAsStated {lit(s.agency_labels[lead], None)} ; csp:leadAgency <{lead}>")
        partners = sorted({pick(rng, s.supporters) for _ in range(pick(rng, s.supporters_per_action))})
        if partners:
            a.append(f"csp:supportingAgency {', '.join(f'<{p}>' for p in partners)}")
        if rng.random() < s.p_timing:
            month = rng.randint(1, 12)
            due_year = year + (month < 4)
            a.append(f"csp:timingAsStated {lit(f'By {due_year}-{month:02d}', None)} ; "
                     f"csp:due \"{due_year}-{month:02d}\"^^xsd:gYearMonth")
        if rng.random() < s.p_funding:
            fund = f"<{ID}funding/{key}/{ak}-1>"
            a.append(f"csp:hasFunding {fund}")
            out.append(funding(fund, s, rng, period, f"csp:sourceLine {line} ; {src}"))
        for kind, prop, count in (("outcome", "hasOutcome", s.outcomes_per_action), ("update", "hasUpdate", s.updates_per_action)):
            items = [f"<{ID}{kind}/{key}/{ak}-{k}>" for k in range(1, pick(rng, count) + 1)]
            if items:
                a.append(f"csp:{prop} {', '.join(items)}")
            for k, item in enumerate(items, 1):
                if kind == "outcome":
                    out.append(f"{item} a csp:Outcome ; rdfs:label {lit(rng.choice(s.outcome_labels))} ; csp:sourceLine {line} ; {src} .\n")
                else:
                    out.append(f"{item} a csp:ProgressUpdate ; rdfs:label {lit(f'Q{k} update')} ;\n"
                               f"    dct:description {lit(rng.choice(s.update_texts))} ;\n"
                               f"    csp:reportingPeriod {lit(f'Q{k} {period}', None)} ; csp:sourceLine {line} ; {src} .\n")
        out.append(" ;\n    ".join(a) + " .\n")
        ed.append(f"{act} csp:hasTheme {', '.join(f'<{t}>' for t in sorted(rng.sample(s.themes, rng.randint(1, 3))))} .")
    duties = sorted({pick(rng, s.plan_duties) for _ in range(rng.randint(1, 3))})
    head = [f"{plan} a csp:PartnershipPlan ;\n    dct:title {lit(title)} ; rdfs:label {lit(title)} ;",
            f"    csp:partnership {pt} ; csp:periodAsStated {lit(period, None)} ;",
            f"    csp:startDate \"{year}-04-01\"^^xsd:date ; csp:endDate \"{year + 1}-03-31\"^^xsd:date ;",
            f"    csp:hasRegardTo <{pcp}> ;" if pcp else "",
            f"    csp:fulfilsDuty {', '.join(f'<{d}>' for d in duties)} ;",
            f"    csp:hasPriority {', '.join(pris)} ;",
            f"    csp:hasAction {', '.join(f'<{ID}action/{key}/r{n:02d}>' for n in range(1, len(actions) + 1))} ;",
            f"    {src} ; csp:sourceLine 5 .\n",
            f"{doc} a csp:SourceDocument ; dct:title {lit(title)} ; rdfs:label {lit(title)} ;",
            f"    csp:seedFile \"synthetic/{key}.txt\" ; dct:publisher {pt} .\n"]
    plan_ttl = HEAD + f"# Synthetic plan (not a real partnership's): {title}.\n\n" + "\n".join(h for h in head if h) + "\n" + "\n".join(out)
    graph = f"<https://w3id.org/cspkg/graph/editorial/{key}>"
    ed_ttl = HEAD + f"\n{graph} a csp:EditorialAssertion ; rdfs:label {lit('Editorial assertions about ' + title)} ;\n" \
        f"    dct:creator \"cspkg synthetic corpus\" .\n\n" + "\n".join(ed) + "\n"
    return plan_ttl, ed_ttl


def funding(fund: str, s: Stats, rng: random.Random, period: str, where: str) -> str:
    kind = pick(rng, s.funding_kinds)
    if kind == "NoFundingRequired":
        return f"{fund} a csp:NoFundingRequired ; rdfs:label {lit('None required')} ; csp:fundingAsStated \"None required\" ; {where} .\n"
    funder = pick(rng, s.funders)
    if kind == "InKindFunding":
        text = f"Funding in kind by {s.agency_labels.get(funder, 'partners')}"
        return f"{fund} a csp:InKindFunding ; rdfs:label {lit(text)} ; csp:fundingAsStated {lit(text, None)} ; csp:funder <{funder}> ; {where} .\n"
    amount = rng.choice(s.amounts)
    stream = pick(rng, s.streams)
    text = f"£{amount:,.0f} {s.stream_labels[stream]}"
    return (f"{fund} a csp:MonetaryFunding ; rdfs:label {lit(text)} ; csp:fundingAsStated {lit(text, None)} ;\n"
            f"    csp:amount {amount:.2f} ; csp:fundingStream <{stream}> ; csp:funder <{funder}> ; {where} .\n")


def synthesise(out_dir: Path, partnerships: int, years: int, seed: int, *, force: bool = False, editorial: bool = True,
               with_seed: bool = False) -> int:
    """Write the corpus; returns the number of plans written (with_seed: the five real plans too)."""
    if partnerships < 1 or years < 1:
        raise BadInput("--partnerships and --years must be at least 1")
    target = out_dir.resolve()
    real = DEFAULT_DATA.resolve()
    if target == REPO.resolve() or target == real or real in target.parents or target in real.parents:
        raise BadInput(f"{out_dir}: refusing to write synthetic plans into (or over) the real data folder {real}")
    if target.exists() and any(target.iterdir()):
        if not force:
            raise BadInput(f"{out_dir}: folder is not empty (use --force to replace it)")
        shutil.rmtree(target)
    stats = read_stats(DEFAULT_DATA)
    rng = random.Random(seed)
    areas = area_names(partnerships, rng)
    for sub in ("plans", "reference", "editorial")[: 3 if editorial else 2]:
        (target / sub).mkdir(parents=True, exist_ok=True)
    for ref in sorted((DEFAULT_DATA / "reference").glob("*.ttl")):
        shutil.copyfile(ref, target / "reference" / ref.name)
    register = [HEAD, "# Synthetic partnerships (not real ones), for scale tests.\n"]
    count = 0
    for area in areas:
        pt = f"<{ID}partnership/{slug(area)}-csp>"
        register.append(f"{pt} a csp:CommunitySafetyPartnership ; skos:prefLabel {lit(area + ' Community Safety Partnership')} ;\n"
                        f"    csp:coversArea {lit(area, None)} .\n")
        for year in range(FIRST_YEAR, FIRST_YEAR + years):
            key = f"{slug(area)}-{year}-{(year + 1) % 100:02d}"
            plan_ttl, ed_ttl = plan_turtle(key, area, pt, year, stats, random.Random(f"{seed}/{key}"))
            (target / "plans" / f"{key}.ttl").write_text(plan_ttl, encoding="utf-8")
            if editorial:
                (target / "editorial" / f"{key}.ttl").write_text(ed_ttl, encoding="utf-8")
            count += 1
    if with_seed:  # the real plans beside the synthetic ones: the canned queries' defaults then exist
        for folder in ("plans", "editorial")[: 2 if editorial else 1]:
            for path in sorted((DEFAULT_DATA / folder).glob("*.ttl")):
                shutil.copyfile(path, target / folder / path.name)
                count += folder == "plans"
    (target / "reference" / "synthetic-partnerships.ttl").write_text("\n".join(register), encoding="utf-8")
    return count
