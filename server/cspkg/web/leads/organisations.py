"""Organisations: the list of every organisation named in the plans with the actions it leads and
supports (its teams and posts counted with it), and one organisation's page."""

from __future__ import annotations

from flask import Blueprint

from .kit import Page, key_of, number, one, routes

bp = Blueprint("organisations", __name__)

LEADING = ("lead", "row lead")


LIST_COLUMNS = (("label", "Organisation"), ("leads", "Actions it leads"), ("viaRow", "of which through a row it leads"),
                ("supports", "Actions it supports"), ("partnershipCount", "Partnerships"), ("agency", "Link"))
ACTION_COLUMNS = (("planTitle", "Plan"), ("label", "Action"), ("roles", "Role"), ("namedAs", "Named in the plan as"), ("action", "Link"))
PART_COLUMNS = (("label", "Team or post"), ("kind", "Kind"), ("leads", "Actions it leads"), ("supports", "Actions it supports"), ("iri", "Link"))


@routes(bp, "/organisations")
def organisations():
    page = Page()
    listed = [{"agency": r["agency"], "label": r["agencyLabel"], "key": key_of(r["agency"], "agency"),
               **{k: number(r[k]) for k in ("leads", "viaRow", "supports", "partnershipCount")},
               "partnerships": r.get("partnerships"), "namedAs": r.get("namedAs")}
              for r in page.ask("agency-workload")]
    page.table("organisations", "Organisations by actions led", LIST_COLUMNS, listed)
    return page.respond("organisations.html", "Organisations", {"organisations": listed})


@routes(bp, "/organisations/<key>")
def organisation(key: str):
    page = Page()
    page.ahead(("organisation-profile", {"agent": key}), ("organisation-actions", {"agent": key}))
    profile = one(page, "organisation-profile", "agent", key)
    rows = page.ask("organisation-actions", agent=key)
    agent = profile[0]["agent"]
    facts = {}
    for r in profile:
        if r.get("relation"):
            facts.setdefault(r["relation"], []).append({"iri": r["other"], "label": r["otherLabel"], "parent": r.get("otherParent")})
    # Each action once per plan, with the roles it has and the bodies named for them.
    plans: dict[str, dict] = {}
    for r in rows:
        plan = plans.setdefault(r["plan"], {"plan": r["plan"], "key": key_of(r["plan"], "plan"), "title": r["planTitle"], "actions": {}})
        action = plan["actions"].setdefault(r["action"], {"action": r["action"], "number": r.get("actionNumber"),
                                                          "label": r["actionLabel"], "roles": [], "named": []})
        if r["role"] not in action["roles"]:
            action["roles"].append(r["role"])
        if not any(n["iri"] == r["named"] for n in action["named"]):
            action["named"].append({"iri": r["named"], "label": r["namedLabel"]})
    for plan in plans.values():
        plan["actions"] = sorted(plan["actions"].values(), key=lambda a: (not leads(a), a["label"].casefold()))
        plan["leads"] = sum(leads(a) for a in plan["actions"])
        plan["supports"] = sum("partner" in a["roles"] for a in plan["actions"])
    # Teams and posts with the actions of everything under them (rolled up), from the same rows.
    parents = {p["iri"]: p["parent"] for kind in ("team", "post") for p in facts.get(kind, [])}
    counted: dict[str, dict[str, set]] = {}
    for r in rows:
        body = r["named"]
        while body in parents:  # the body named, then each team above it up to this organisation
            tally = counted.setdefault(body, {"leads": set(), "supports": set()})
            tally["leads" if r["role"] in LEADING else "supports"].add(r["action"])
            body = parents[body]
    parts = [{**p, "key": key_of(p["iri"], "agency"), "kind": kind, "depth": depth(p["iri"], parents, agent),
              "leads": len(counted.get(p["iri"], {}).get("leads", ())),
              "supports": len(counted.get(p["iri"], {}).get("supports", ()))}
             for kind in ("team", "post") for p in facts.get(kind, [])]
    parts.sort(key=lambda p: (-p["leads"], -p["supports"], p["label"].casefold()))
    every = [a for plan in plans.values() for a in plan["actions"]]
    page.table("actions", "Actions by plan", ACTION_COLUMNS,
               [{**a, "planTitle": plan["title"], "namedAs": [n["label"] for n in a["named"]]} for plan in plans.values() for a in plan["actions"]])
    page.table("parts", "Teams and posts", PART_COLUMNS, parts)
    data = {"agency": agent, "key": key, "label": profile[0]["agentLabel"],
            "partOf": [{**p, "key": key_of(p["iri"], "agency")} for p in facts.get("part of", [])],
            "leads": sum(leads(a) for a in every),
            "viaRow": sum(leads(a) and "lead" not in a["roles"] for a in every),
            "supports": sum("partner" in a["roles"] for a in every),
            "plans": sorted(plans.values(), key=lambda p: p["title"].casefold()), "parts": parts,
            "memberOf": facts.get("member of", []), "holds": facts.get("holds", []),
            "cooperatesOn": facts.get("must co-operate on", [])}
    return page.respond("organisation.html", data["label"], data)


def leads(action: dict) -> bool:
    return any(role in LEADING for role in action["roles"])


def depth(iri: str, parents: dict[str, str], top: str) -> int:
    """How far below the organisation a team or post sits (0: directly under it)."""
    level = 0
    while parents.get(iri) not in (None, top):
        iri, level = parents[iri], level + 1
    return level
