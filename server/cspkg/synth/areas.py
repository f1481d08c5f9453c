"""Where synthetic partnerships are: the police areas of England and Wales, and the bodies of each.

Partnerships are spread over the 43 police areas of data/reference/police-areas.ttl. Each says its
police area and jurisdiction, and the bodies its plans name, as data/reference/partnerships.ttl
does for Essex: a partnership in Essex uses the real Essex force, commissioner, fire service and
county council; one elsewhere gets made-up ones ("Synthetic Kent Police"), each saying its police
area and jurisdiction as agencies.ttl does, and made-up Police and Crime Plans with the priorities
of the Essex ones. Every partnership has a made-up council of its own. An agency the real plans
name is read, in a plan of another area, as the body of the same kind there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pyoxigraph as ox

from .stats import Stats

ID = "https://w3id.org/cspkg/id/"
JUR = ID + "jurisdiction/"
COUNCILS = {"DistrictCouncil", "UnitaryAuthority", "ParishCouncil", "LondonBoroughCouncil"}
ROLES = {"PoliceForce": "policeForce", "LocalPolicingBody": "policingBody", "FireAndRescueAuthority": "fireService",
         "CountyCouncil": "countyCouncil"}
NO_COUNTY = ("metropolitan-police-district", "city-of-london")  # London boroughs are tier-one authorities


def lit(text: str, lang: str | None = "en") -> str:
    return str(ox.Literal(text, language=lang) if lang else ox.Literal(text))


def tail(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[1]


@dataclass
class Place:
    """One synthetic partnership: its made-up name, police area and the bodies its plans name."""
    name: str
    slug: str
    partnership: str  # IRI
    area: str  # police area name, as csp:policeArea says it
    area_iri: str
    jurisdiction: str  # IRI
    council: str
    council_class: str
    bodies: dict[str, str] = field(default_factory=dict)  # role -> IRI
    pcps: dict[str, str] = field(default_factory=dict)  # real PCP -> this area's PCP
    pcp_priorities: dict[str, str] = field(default_factory=dict)  # real PCP priority -> this area's
    labels: dict[str, str] = field(default_factory=dict)  # the new bodies' names

    def label(self, iri: str, s: Stats) -> str:
        return self.labels.get(iri) or s.agency_labels.get(iri, "partners")

    @property
    def welsh(self) -> bool:
        return self.jurisdiction == JUR + "wales"

    @property
    def essex_like(self) -> bool:
        """In the police area of the real plans: their bodies, strategies and PCPs are its own."""
        return not self.pcps

    def agency(self, iri: str, s: Stats) -> str:
        """The body a plan of this partnership means where a real plan names `iri`."""
        root = s.agency_root.get(iri, iri)
        kind = s.agency_class.get(root, "")
        if root not in s.local_agencies:  # a national body is the same everywhere, but its local units are the real area's
            return iri if self.essex_like else root
        if kind in COUNCILS:
            return self.council
        if kind in ROLES:
            return self.bodies.get(ROLES[kind], self.council)
        return iri if self.essex_like else self.council

    def duty_applies(self, duty: str, s: Stats) -> bool:
        where = s.duty_applies.get(duty, set())
        return not where or self.jurisdiction in where

    def strategy_fits(self, strategy: str, s: Stats) -> bool:
        """A strategy of the real plans' own area is cited only by partnerships there."""
        if self.essex_like:
            return True
        owner = s.strategy_partners.get(strategy)
        label = s.strategy_labels.get(strategy, "")
        named = [p.lower() for p in s.seed_places]
        return (owner is None or owner not in s.local_agencies) and not any(p in label.lower() for p in named) \
            and not any(p.replace(" ", "-") in tail(strategy) for p in named)


def home_area(s: Stats) -> str:
    """The police area of the real plans (the one their partnerships name)."""
    return sorted(s.area_bodies)[0] if s.area_bodies else ""


def places(names: list[str], s: Stats, rng: random.Random) -> list[Place]:
    """Each made-up partnership placed in a police area: every area in turn (in a shuffled order,
    with a Welsh area among the first five), so a few hundred partnerships cover all 43."""
    areas = list(s.police_areas)
    rng.shuffle(areas)
    welsh = [i for i, a in enumerate(areas) if a[2] == JUR + "wales"]
    if welsh and welsh[0] > 4:
        areas[4], areas[welsh[0]] = areas[welsh[0]], areas[4]
    home = home_area(s)
    out = []
    for i, name in enumerate(names):
        area_iri, area, jurisdiction = areas[i % len(areas)]
        slug = name.lower().replace(" ", "-")
        pa = tail(area_iri)
        if jurisdiction == JUR + "wales":
            kind, label = "UnitaryAuthority", f"{name} County Borough Council"
        elif pa in NO_COUNTY:
            kind, label = "LondonBoroughCouncil", f"London Borough of {name}"
        elif rng.random() < 0.6:
            kind, label = "DistrictCouncil", f"{name} District Council"
        else:
            kind, label = "UnitaryAuthority", f"{name} Council"
        place = Place(name, slug, f"{ID}partnership/{slug}-csp", area, area_iri, jurisdiction, f"{ID}agency/synthetic-{slug}-council", kind)
        place.labels[place.council] = label
        if area == home:
            place.bodies |= s.area_bodies[home]
            if kind != "DistrictCouncil":
                place.bodies.pop("countyCouncil", None)
        else:
            for role in ("policeForce", "policingBody", "fireService") + (("countyCouncil",) if kind == "DistrictCouncil" else ()):
                place.bodies[role] = f"{ID}agency/synthetic-{pa}-{role.lower()}"
                place.labels[place.bodies[role]] = BODY_NAMES[role][1].format(area)
            for pcp in sorted(s.pcps.values()):
                ours = f"{ID}plan/synthetic-{pa}-pcp-{tail(pcp).rsplit('-pcp-', 1)[-1]}"
                place.pcps[pcp] = ours
                for pr in s.pcp_priorities.get(pcp, []):
                    place.pcp_priorities[pr] = f"{ID}priority/{tail(ours)}/{tail(pr)}"
        out.append(place)
    return out


BODY_NAMES = {"policeForce": ("PoliceForce", "Synthetic {} Police"),
              "policingBody": ("LocalPolicingBody", "Synthetic {} Police and Crime Commissioner"),
              "fireService": ("FireAndRescueAuthority", "Synthetic {} Fire and Rescue Service"),
              "countyCouncil": ("CountyCouncil", "Synthetic {} County Council")}


def register(ps: list[Place], s: Stats) -> str:
    """The Turtle of the partnerships, their new bodies and their areas' Police and Crime Plans."""
    out, area_done = [], set()
    area_roles: dict[str, dict[str, str]] = {}  # a county council is the area's if any partnership there has one
    for p in ps:
        if not p.essex_like:
            area_roles.setdefault(p.area, {}).update({r: p.bodies[r] for r in BODY_NAMES if r in p.bodies})
    for p in ps:
        where = f"csp:policeArea {lit(p.area, None)} ; csp:inJurisdiction <{p.jurisdiction}>"
        roles = " ; ".join(f"csp:{role} <{p.bodies[role]}>" for role in ("policeForce", "fireService", "policingBody", "countyCouncil")
                           if role in p.bodies)
        out.append(f"<{p.partnership}> a csp:CommunitySafetyPartnership ; skos:prefLabel {lit(p.name + ' Community Safety Partnership')} ;\n"
                   f"    csp:coversArea {lit(p.name, None)} ;\n    {where} ; {roles} ;\n    csp:localCouncil <{p.council}> .\n"
                   f"<{p.council}> a csp:{p.council_class} ; skos:prefLabel {lit(p.labels[p.council])} ; {where} .\n")
        if p.essex_like or p.area in area_done:
            continue
        area_done.add(p.area)
        for role, (kind, name) in BODY_NAMES.items():
            if role in area_roles[p.area]:
                out.append(f"<{area_roles[p.area][role]}> a csp:{kind} ; skos:prefLabel {lit(name.format(p.area))} ; {where} .")
        for real, ours in sorted(p.pcps.items()):
            title, period, start, end = s.pcp_info.get(real, ("Police and Crime Plan", "", "", ""))
            scheme = f"{ID}scheme/{tail(ours)}/priorities"
            pris = [pr for pr in s.pcp_priorities.get(real, [])]
            out.append(f"<{ours}> a csp:PoliceAndCrimePlan ; csp:priorityScheme <{scheme}> ;\n"
                       f"    dct:title {lit(title)} ; skos:prefLabel {lit(f'Synthetic {p.area} {title}')} ;\n"
                       f"    csp:partnership <{p.bodies['policingBody']}> ; csp:policeArea {lit(p.area, None)} ; "
                       f"csp:periodAsStated {lit(period, None)} ;\n"
                       f"    csp:startDate \"{start}\"^^xsd:date ; csp:endDate \"{end}\"^^xsd:date"
                       + (f" ;\n    csp:hasPriority {', '.join(f'<{p.pcp_priorities[pr]}>' for pr in pris)}" if pris else "") + " .\n"
                       f"<{scheme}> a skos:ConceptScheme ; skos:prefLabel {lit(f'Priorities: Synthetic {p.area} {title}')} .")
            for pr in pris:
                label, notation, themes = s.pcp_priority_info.get(pr, (tail(pr), "", []))
                out.append(f"<{p.pcp_priorities[pr]}> a csp:PCPPriority ; skos:inScheme <{scheme}> ; skos:prefLabel {lit(label)}"
                           + (f" ; skos:notation {lit(notation, None)}" if notation else "")
                           + (f" ; csp:hasTheme {', '.join(f'<{t}>' for t in themes)}" if themes else "") + " .")
        out.append("")
    return "\n".join(out) + "\n"
