"""Legal duties: the list of every duty with who holds it, and one duty's page."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, request

from . import areas
from .kit import ID, Page, key_of, number, one, routes
from .money import kinds_of

bp = Blueprint("duties", __name__)


STATUS_ORDER = {"statutory duty": (0, "Statutory duties", "statutory-duties"), "statutory power": (1, "Powers", "powers"),
                "statutory guidance": (2, "Statutory guidance", "statutory-guidance"),
                "non-statutory guidance": (3, "Non-statutory guidance", "non-statutory-guidance")}


DUTIES_COLUMNS = (("statusHeading", "Kind"), ("label", "Duty"), ("limbOfLabel", "A limb of"), ("heldBy", "Held by"),
                  ("cooperation", "Must co-operate"), ("appliesIn", "Applies in"), ("inForceFrom", "In force from"),
                  ("plans", "Plans"), ("actions", "Actions"), ("duty", "Link"))
HOLDER_COLUMNS = (("roleWords", "Role"), ("label", "Organisation"), ("area", "Police area"), ("body", "Link"))
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
    # The register's bodies are listed for an area (see `holders`): asked with the rest when one is given.
    # duty-coverage: only this duty's rows are read (`stated_for`), by its IRI as the answer has it.
    page.ahead(("duty-profile", {"duty": key}), ("actions-for-duty", {"duty": key}), ("partnership-plans", {}),
               ("duty-coverage", {}, ("duty", ID + "duty/" + key)), ("partnership-areas", {}),
               *((("duty-holders", {"duty": key}),) if request.args.get("area") else ()))
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
    listed = holders(page, key, chosen)
    holding = {role: [b for b in listed or () if b["role"] == role] for role in ("holds", "must co-operate")}
    # Plans that cite the duty themselves (a strategy with no action list among them), beside those whose actions serve it.
    serving = {a["plan"] for a in actions}
    cited = [{"plan": iri, "key": key_of(iri, "plan"), "title": plans[iri]["title"], "partnership": plans[iri]["partnershipLabel"],
              "served": iri in serving}
             for iri in citing if chosen.on_page(plans[iri]["partnership"])]
    shown = [a for a in actions if chosen.on_page(a["partnershipIri"]) or (a["partnershipIri"] is None and chosen.number == 1)]
    data = {"duty": first["duty"], "key": key, "label": first["dutyLabel"], "status": first.get("status"),
            "requires": first.get("requires"), "holders": first.get("holders"), "heldBy": first.get("heldBy"),
            "cooperation": first.get("cooperation"), "appliesIn": first.get("appliesIn"), "limbOf": first.get("limbOf"),
            "holdingBodies": holding["holds"], "cooperatingBodies": holding["must co-operate"], "registerListed": listed is not None,
            "legislation": legislation, "actions": shown, "actionCount": len(actions), "fundedActions": sum(a["funded"] for a in actions),
            "moneyKinds": kinds_of(actions), "amountGBP": stated_for(page, first["duty"], chosen if not everywhere else None),
            "plans": len(serving), "citedBy": cited}
    return areas.respond(page, chosen, "duty.html", first["dutyLabel"], data)


def stated_for(page: Page, duty: str, chosen=None):
    """The pounds stated for the actions serving a duty, each funding statement once (a row's
    statement serves all its actions): duty-coverage's totals, added across partnerships (those
    in the chosen area, if one is)."""
    return sum((number(c["totalGBP"]) or 0) for c in page.ask_where("duty-coverage", ("duty", duty))
               if chosen is None or chosen.keeps(c["partnership"]))


def holders(page: Page, key: str, chosen) -> list[dict] | None:
    """The register's bodies that hold the duty or must co-operate, as the page lists them: in a
    chosen area, those of its police areas and those with no police area recorded; every one when
    there is no area to choose (the area form is not shown). None at national size with no area
    chosen: hundreds of bodies do not read on a phone, so the page asks for an area. Either way
    the page offers every one as a download (asked only when downloaded)."""
    @cache  # read once, whether for the list, the JSON twin's table or both
    def every() -> list[dict]:
        return [{"body": r["body"], "label": r["bodyLabel"], "area": r.get("policeArea"), "role": r["role"],
                 "roleWords": "holds the duty" if r["role"] == "holds" else "must co-operate"}
                for r in page.ask("duty-holders", duty=key)]

    page.table("holders", "Organisations in the register that hold the duty or must co-operate", HOLDER_COLUMNS, every)
    if chosen.area:
        where = areas.police_areas(page, chosen.area)  # every partnership's in the area, not only those serving the duty
        return [b for b in every() if b["area"] is None or b["area"] in where]
    return None if chosen.visible else every()
