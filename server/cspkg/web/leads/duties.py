"""Legal duties: the list of every duty with who holds it, and one duty's page."""

from __future__ import annotations

from flask import Blueprint

from . import areas
from .kit import Page, key_of, number, one, routes
from .money import kinds_of

bp = Blueprint("duties", __name__)


STATUS_ORDER = {"statutory duty": (0, "Statutory duties", "statutory-duties"), "statutory power": (1, "Powers", "powers"),
                "statutory guidance": (2, "Statutory guidance", "statutory-guidance"),
                "non-statutory guidance": (3, "Non-statutory guidance", "non-statutory-guidance")}


DUTIES_COLUMNS = (("statusHeading", "Kind"), ("label", "Duty"), ("limbOfLabel", "A limb of"), ("heldBy", "Held by"),
                  ("cooperation", "Must co-operate"), ("appliesIn", "Applies in"), ("inForceFrom", "In force from"),
                  ("plans", "Plans"), ("actions", "Actions"), ("duty", "Link"))
ACTION_COLUMNS = (("partnership", "Partnership"), ("planLabel", "Plan"), ("actionLabel", "Action"), ("lead", "Lead"),
                  ("fundingKind", "Funding"), ("amount", "Amount stated (GBP)"), ("linked", "How it is linked to the duty"),
                  ("action", "Link"))


@routes(bp, "/duties")
def duties():
    page = Page()
    rows = page.ask("duties")
    labels = {r["duty"]: r["dutyLabel"] for r in rows}
    listed = []
    for r in rows:
        order, heading, anchor = STATUS_ORDER.get(r.get("status") or "", (4, "Other", "other"))
        listed.append({"duty": r["duty"], "key": key_of(r["duty"], "duty"), "label": r["dutyLabel"], "status": r.get("status"),
                       "statusOrder": order, "statusHeading": heading, "statusKey": anchor,
                       "heldBy": r.get("heldBy"), "cooperation": r.get("cooperation"), "appliesIn": r.get("appliesIn"),
                       "limbOfKey": key_of(r["limbOf"], "duty") if r.get("limbOf") else None,
                       "limbOfLabel": labels.get(r.get("limbOf")), "inForceFrom": r.get("inForceFrom"),
                       "plans": number(r["plans"]), "actions": number(r["actions"])})
    listed.sort(key=lambda d: (d["statusOrder"], d["label"].casefold()))
    page.table("duties", "Legal duties", DUTIES_COLUMNS, listed)
    return page.respond("duties.html", "Legal duties", {"duties": listed})


@routes(bp, "/duties/<key>")
def duty(key: str):
    page = Page()
    page.ahead(("duty-profile", {"duty": key}), ("actions-for-duty", {"duty": key}), ("duty-holders", {"duty": key}),
               ("partnership-plans", {}), ("duty-coverage", {}), ("partnership-areas", {}))
    profile = one(page, "duty-profile", "duty", key)
    first = profile[0]
    actions = [{**r, "amount": number(r.get("amount")), "funded": r["funding"].startswith(("money", "in kind")),
                "partnershipKey": None} for r in page.ask("actions-for-duty", duty=key)]
    plans = {r["plan"]: r for r in page.ask("partnership-plans")}
    for a in actions:
        listed = plans.get(a["plan"])  # a plan the plans query leaves out still shows its actions
        a["partnership"] = listed["partnershipLabel"] if listed else None
        a["partnershipKey"] = key_of(listed["partnership"], "partnership") if listed else None
        a["partnershipIri"] = listed["partnership"] if listed else None
    citing = [iri for iri in (first.get("citedBy") or "").split() if iri in plans]
    # The partnerships whose plans serve or cite the duty, in the plans' order, by area and a page at a time;
    # an action of a plan the plans query leaves out has no partnership, so no area: it is listed on the first page.
    involved = {a["partnershipIri"] for a in actions} | {plans[iri]["partnership"] for iri in citing}
    chosen = areas.select(page, [p for p in dict.fromkeys(r["partnership"] for r in plans.values()) if p in involved])
    everywhere = chosen.area is None
    actions = [a for a in actions if chosen.keeps(a["partnershipIri"]) or (everywhere and a["partnershipIri"] is None)]
    page.table("actions", "Actions that serve the duty", ACTION_COLUMNS, actions)
    legislation = [{k: r.get(k) for k in ("provision", "provisionLabel", "act", "actLabel", "inForceFrom", "inForceUntil", "checked")}
                   for r in profile if r.get("provision")]
    bodies = page.ask("duty-holders", duty=key)
    holding = {role: [{"body": r["body"], "label": r["bodyLabel"], "area": r.get("policeArea")} for r in bodies if r["role"] == role]
               for role in ("holds", "must co-operate")}
    # Plans that cite the duty themselves (a strategy with no action list among them), beside those whose actions serve it.
    serving = {a["plan"] for a in actions}
    cited = [{"plan": iri, "key": key_of(iri, "plan"), "title": plans[iri]["title"], "partnership": plans[iri]["partnershipLabel"],
              "served": iri in serving}
             for iri in citing if chosen.on_page(plans[iri]["partnership"])]
    shown = [a for a in actions if chosen.on_page(a["partnershipIri"]) or (a["partnershipIri"] is None and chosen.number == 1)]
    data = {"duty": first["duty"], "key": key, "label": first["dutyLabel"], "status": first.get("status"),
            "requires": first.get("requires"), "holders": first.get("holders"), "heldBy": first.get("heldBy"),
            "cooperation": first.get("cooperation"), "appliesIn": first.get("appliesIn"), "limbOf": first.get("limbOf"),
            "holdingBodies": holding["holds"], "cooperatingBodies": holding["must co-operate"],
            "legislation": legislation, "actions": shown, "actionCount": len(actions), "fundedActions": sum(a["funded"] for a in actions),
            "moneyKinds": kinds_of(actions), "amountGBP": stated_for(page, first["duty"], chosen if not everywhere else None),
            "plans": len(serving), "citedBy": cited}
    return areas.respond(page, chosen, "duty.html", first["dutyLabel"], data)


def stated_for(page: Page, duty: str, chosen=None):
    """The pounds stated for the actions serving a duty, each funding statement once (a row's
    statement serves all its actions): duty-coverage's totals, added across partnerships (those
    in the chosen area, if one is)."""
    return sum((number(c["totalGBP"]) or 0) for c in page.ask("duty-coverage")
               if c["duty"] == duty and (chosen is None or chosen.keeps(c["partnership"])))
