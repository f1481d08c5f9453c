"""A synthetic national corpus: plan-shaped data for N partnerships over Y years, for scale tests.

Every distribution (priorities per plan, actions per priority, leads, partners, funding kinds,
amounts and streams, outcomes, progress updates, duties, strategies and Police and Crime Plan
priorities cited, plan kinds stated, plan-level money, themes) is read at run time from the real
plans in the repo's data/ folder, so the synthetic plans look like the real ones to the queries,
the reasoner and the shapes. Partnerships are spread over the police areas of England and Wales
with bodies of their own (areas.py); a Welsh plan cites no duty of England only. One plan in ten
is a strategy (priorities, no actions); some plans state an allocation for the whole plan; a
share of the delivery plans has quarterly progress returns (progress.py). Output is a data folder
`cspkg build --data DIR` reads: plans/, editorial/, returns/<plan>/<period>.ttl and reference/
(the real reference data plus a register of the synthetic partnerships, their bodies and their
areas' Police and Crime Plans). The same seed gives the same bytes.
"""

from __future__ import annotations

import calendar
import random
import shutil
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

from ..errors import BadInput
from ..sources import DEFAULT_DATA, REPO
from . import areas as area_register, progress
from .areas import Place
from .stats import Stats, read_stats

ID = "https://w3id.org/cspkg/id/"
FIRST_YEAR = 2016
# A third of the real plans' actions per priority gives ~1,500 quads a plan with its inferences,
# validation report and returns (as bench/national.py's PER_PLAN assumes): 2,000 plans ~ 3M quads.
ACTION_SCALE = 0.36
# No real plan here is a strategy (csp:partnershipStrategy: priorities, no actions); partnerships
# publish one every few years beside their delivery plans, so one plan in ten is one.
P_STRATEGY = 0.1
HEAD = """@prefix csp: <https://w3id.org/cspkg/def/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
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


def timing(rng: random.Random, year: int) -> tuple[str, str | None]:
    """A timing as plans state it ("Mar 19", "by June 23", "Q3", "2023-24", "Ongoing"), with the
    csp:due the plan's own reading gives where it names a month or a day (as the real plans do)."""
    month = rng.randint(1, 12)
    due_year = year + (month < 4)
    name = calendar.month_name[month]
    form = rng.choices(range(8), weights=[12, 4, 3, 2, 2, 2, 1, 3])[0]
    if form == 0:
        return f"{calendar.month_abbr[month]} {due_year % 100:02d}", f'"{due_year}-{month:02d}"^^xsd:gYearMonth'
    if form == 1:
        return f"by {name} {due_year % 100:02d}", f'"{due_year}-{month:02d}"^^xsd:gYearMonth'
    if form == 2:
        return f"{name} {due_year}", f'"{due_year}-{month:02d}"^^xsd:gYearMonth'
    if form == 3:
        return f"Q{rng.randint(1, 4)}", None
    if form == 4:
        return rng.choice([f"{year}-{(year + 1) % 100:02d}", f"{year % 100:02d}-{(year + 1) % 100:02d}"]), None
    if form == 5:
        return f"in {name}", f'"{due_year}-{month:02d}"^^xsd:gYearMonth'
    if form == 6:
        day = calendar.monthrange(due_year, month)[1]
        return f"by {day}{'st' if day == 31 else 'th'} {name} {due_year}", f'"{due_year}-{month:02d}-{day:02d}"^^xsd:date'
    return rng.choice(["Ongoing", "Throughout the year", "Quarterly"]), None


def plan_turtle(key: str, place: Place, year: int, s: Stats, rng: random.Random,
                strategy: bool = False) -> tuple[str, str, list[tuple[str, str]]]:
    """The plan's Turtle, its editorial Turtle and its actions (key, IRI). A strategy
    (csp:partnershipStrategy) sets priorities and lists no actions."""
    area, pt = place.name, f"<{place.partnership}>"
    plan, doc = f"<{ID}plan/{key}>", f"<{ID}document/{key}>"
    period = f"{year}/{(year + 1) % 100:02d}"
    title = f"{area} Community Safety Partnership {'Strategy' if strategy else 'Plan'} {period}"
    src = f"prov:wasDerivedFrom {doc}"
    real_pcp = s.pcp_for_year(year)
    pcp = place.pcps.get(real_pcp, real_pcp) if real_pcp else None
    n_pri = pick(rng, s.priorities_per_plan)
    pris = [f"<{ID}priority/{key}/{i}>" for i in range(1, n_pri + 1)]
    scheme = f"<{ID}scheme/{key}/priorities>"  # the plan's priorities are in its scheme, not in the plan
    out, ed, actions = [f"{plan} csp:priorityScheme {scheme} .\n{scheme} a skos:ConceptScheme ; skos:prefLabel {lit('Priorities: ' + title)} .\n"], [], []
    # duties where the partnership is: a Welsh plan cites no duty of England only
    priority_duties = Counter({d: n for d, n in s.priority_duties.items() if place.duty_applies(d, s)})
    plan_duties = Counter({d: n for d, n in s.plan_duties.items() if place.duty_applies(d, s)})
    strategies = Counter({x: n for x, n in s.strategies.items() if place.strategy_fits(x, s)})
    line = 10
    for i, pri in enumerate(pris, 1):
        line += 3
        label = rng.choice(s.priority_labels)
        out.append(f"{pri} a csp:LocalPriority ; skos:inScheme {scheme} ; csp:priorityOf {plan} ;\n"
                   f"    skos:prefLabel {lit(label)} ; csp:sourceLine {line} ; {src}")
        if priority_duties and rng.random() < s.p_priority_duty:
            duty = pick(rng, priority_duties)
            out[-1] += f" ;\n    csp:relatesToDuty <{duty}> ; csp:legalDutyAsStated {lit(s.duty_labels[duty], None)}"
        out[-1] += " .\n"
        ed.append(f"{pri} csp:hasTheme {', '.join(f'<{t}>' for t in sorted(rng.sample(s.themes, 2)))} .")
        n = pick(rng, s.actions_per_priority)  # a priority with no action in the real plans has none here either
        scaled = n * ACTION_SCALE  # rounded up or down at random, in proportion: the mean is n x ACTION_SCALE
        for _ in range(0 if strategy or n == 0 else max(1, int(scaled) + (rng.random() < scaled % 1))):
            actions.append((i, pri))
    if not actions and not strategy:  # a delivery plan lists at least one action (else a warning)
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
        if real_pcp and rng.random() < s.p_action_pcp:
            pcp_priority = rng.choice(s.pcp_priorities[real_pcp])
            targets.append(f"<{place.pcp_priorities.get(pcp_priority, pcp_priority)}>")
        a.append(f"csp:addressesPriority {', '.join(targets)}")
        if rng.random() < s.p_lead:
            lead = place.agency(pick(rng, s.leads), s)
            a.append(f"csp:leadAsStated {lit(place.label(lead, s), None)} ; csp:leadAgency <{lead}>")
        partners = sorted({place.agency(pick(rng, s.supporters), s) for _ in range(pick(rng, s.supporters_per_action))})
        if partners:
            a.append(f"csp:supportingAgency {', '.join(f'<{p}>' for p in partners)}")
        if strategies and rng.random() < s.p_action_strategy:
            cited = pick(rng, strategies)
            a.append(f"csp:citesStrategy <{cited}> ; csp:strategyLinkAsStated {lit(s.strategy_labels[cited], None)}")
        if rng.random() < s.p_timing:
            text, due = timing(rng, year)
            a.append(f"csp:timingAsStated {lit(text, None)}" + (f" ; csp:due {due}" if due else ""))
        if rng.random() < s.p_funding:
            fund = f"<{ID}funding/{key}/{ak}-1>"
            a.append(f"csp:hasFunding {fund}")
            out.append(funding(fund, s, rng, place, f"csp:sourceLine {line} ; {src}"))
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
    duties = sorted({pick(rng, plan_duties) for _ in range(rng.randint(1, 3))}) if plan_duties else []
    cited = sorted({pick(rng, strategies) for _ in range(pick(rng, s.strategies_per_plan))}) if strategies else []
    kind = "csp:partnershipStrategy" if strategy else "csp:deliveryPlan" if rng.random() < s.p_plan_kind else None
    allocation = None
    if rng.random() < s.p_plan_funding:  # money for the plan as a whole (as Castle Point and Rochford 2017/18)
        allocation = f"<{ID}funding/{key}/allocation-{year}-{(year + 1) % 100:02d}>"
        out.append(plan_allocation(allocation, s, rng, place, period, f"csp:sourceLine 8 ; {src}"))
    head = [f"{plan} a csp:PartnershipPlan ;\n    dct:title {lit(title)} ; rdfs:label {lit(title)} ;",
            f"    csp:planKind {kind} ;" if kind else "",
            f"    csp:partnership {pt} ; csp:periodAsStated {lit(period, None)} ;",
            f"    csp:startDate \"{year}-04-01\"^^xsd:date ; csp:endDate \"{year + 1}-03-31\"^^xsd:date ;",
            f"    csp:hasRegardTo <{pcp}> ;" if pcp else "",
            f"    csp:fulfilsDuty {', '.join(f'<{d}>' for d in duties)} ;" if duties else "",
            f"    csp:citesStrategy {', '.join(f'<{c}>' for c in cited)} ;\n"
            f"    csp:strategyLinkAsStated {', '.join(lit(s.strategy_labels[c], None) for c in cited)} ;" if cited else "",
            f"    csp:hasFunding {allocation} ;" if allocation else "",
            f"    csp:hasPriority {', '.join(pris)} ;",
            f"    csp:hasAction {', '.join(f'<{ID}action/{key}/r{n:02d}>' for n in range(1, len(actions) + 1))} ;" if actions else "",
            f"    {src} ; csp:sourceLine 5 .\n",
            f"{doc} a csp:SourceDocument ; dct:title {lit(title)} ; rdfs:label {lit(title)} ;",
            f"    csp:seedFile \"synthetic/{key}.txt\" ; dct:publisher {pt} .\n"]
    for d in duties:  # the plan's words for each plan-level duty link
        head.append(f"<{ID}document/{key}/duty-link/{d.rsplit('/', 1)[1]}> a rdf:Statement ;\n"
                    f"    rdf:subject {plan} ; rdf:predicate csp:fulfilsDuty ; rdf:object <{d}> ;\n"
                    f"    csp:quote {lit('The partnership sets out how it meets its duty: ' + s.duty_labels[d] + '.')} ;\n"
                    f"    csp:sourceLine 6 ; {src} .\n")
    plan_ttl = HEAD + f"# Synthetic plan (not a real partnership's): {title}.\n\n" + "\n".join(h for h in head if h) + "\n" + "\n".join(out)
    graph = f"<https://w3id.org/cspkg/graph/editorial/{key}>"
    ed_ttl = HEAD + f"\n{graph} a csp:EditorialAssertion ; rdfs:label {lit('Editorial assertions about ' + title)} ;\n" \
        f"    dct:creator \"cspkg synthetic corpus\" .\n\n" + "\n".join(ed) + "\n"
    return plan_ttl, ed_ttl, [(f"r{n:02d}", f"{ID}action/{key}/r{n:02d}") for n in range(1, len(actions) + 1)]


def plan_allocation(fund: str, s: Stats, rng: random.Random, place: Place, period: str, where: str) -> str:
    amount = rng.choice(s.amounts)
    stream = pick(rng, s.streams)
    funder = place.bodies.get("policingBody") or place.agency(pick(rng, s.funders), s)
    text = f"The {period} allocation for {place.label(place.council, s)} totals £{amount:,.0f}."
    return (f"{fund} a csp:Allocation ; rdfs:label {lit(f'{period} allocation for ' + place.label(place.council, s))} ;\n"
            f"    csp:fundingAsStated {lit(text, None)} ; csp:amount {amount:.2f} ; csp:allocatedTo <{place.council}> ;\n"
            f"    csp:fundingPeriodAsStated {lit(period, None)} ; csp:funder <{funder}> ; csp:fundingStream <{stream}> ;\n"
            f"    csp:purposeAsStated \"The projects identified in the plan\" ; {where} .\n")


def funding(fund: str, s: Stats, rng: random.Random, place: Place, where: str) -> str:
    kind = pick(rng, s.funding_kinds)
    if kind == "NoFundingRequired":
        return f"{fund} a csp:NoFundingRequired ; rdfs:label {lit('None required')} ; csp:fundingAsStated \"None required\" ; {where} .\n"
    funder = place.agency(pick(rng, s.funders), s)
    if kind == "InKindFunding":
        text = f"Funding in kind by {place.label(funder, s)}"
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
    places = area_register.places(area_names(partnerships, rng), stats, rng)
    for sub in ("plans", "reference", "editorial")[: 3 if editorial else 2]:
        (target / sub).mkdir(parents=True, exist_ok=True)
    for ref in sorted((DEFAULT_DATA / "reference").glob("*.ttl")):
        shutil.copyfile(ref, target / "reference" / ref.name)
    register = [HEAD, "# Synthetic partnerships (not real ones), their new bodies and their areas' Police and Crime Plans, for scale tests.\n",
                area_register.register(places, stats)]
    count = 0
    for place in places:
        for year in range(FIRST_YEAR, FIRST_YEAR + years):
            key = f"{place.slug}-{year}-{(year + 1) % 100:02d}"
            plan_rng = random.Random(f"{seed}/{key}")
            strategy = plan_rng.random() < P_STRATEGY
            plan_ttl, ed_ttl, actions = plan_turtle(key, place, year, stats, plan_rng, strategy)
            (target / "plans" / f"{key}.ttl").write_text(plan_ttl, encoding="utf-8")
            if editorial:
                (target / "editorial" / f"{key}.ttl").write_text(ed_ttl, encoding="utf-8")
            returns_rng = random.Random(f"{seed}/{key}/returns")
            if actions and returns_rng.random() < progress.SHARE:
                for period_key, body in progress.returns_for(key, year, actions, place.partnership, stats.update_texts, returns_rng):
                    path = target / "returns" / key / f"{period_key}.ttl"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(body)
            count += 1
    if with_seed:  # the real plans beside the synthetic ones: the canned queries' defaults then exist
        for folder in ("plans", "editorial")[: 2 if editorial else 1]:
            for path in sorted((DEFAULT_DATA / folder).glob("*.ttl")):
                shutil.copyfile(path, target / folder / path.name)
                count += folder == "plans"
    (target / "reference" / "synthetic-partnerships.ttl").write_text("\n".join(register), encoding="utf-8")
    return count
