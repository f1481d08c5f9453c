"""Every page a strategy lead opens, in one list.

The crawl, the accessibility and phone-width browser tests, the JSON-twin tests and the page
benchmark all read this list, so a new page is covered everywhere once it is added here. Each entry
names an example on the seed data (`example`), the heading that example shows, and what the page
answers, in words (the README's pages section and docs/pages.md list these).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LeadPage:
    name: str  # short name, for test ids and benchmark rows
    rule: str  # the route, as Flask spells it
    example: str  # a path on the seed data
    heading: str  # text the example's first heading contains
    answers: str  # the question the page answers, in words
    twin: bool = True  # has a JSON twin at the same path plus .json that names its canned queries
    key: str | None = None  # what `<key>` in the rule names: a kind of IRI under /id/ (plan, duty, ...)


LEAD_PAGES: tuple[LeadPage, ...] = (
    LeadPage("home", "/", "/", "Community Safety Partnership plans",
             "Which partnerships have plans here, for which years, with how many actions and how much money?"),
    LeadPage("search", "/search", "/search?text=knife", "Search results for “knife”",
             "Where do plans mention a word (actions, priorities, outcomes, agencies)?"),
    LeadPage("plan", "/plans/<key>", "/plans/tendring-2021-22", "The Tendring Community Safety Partnership",
             "What does this plan do, who leads it, what does it cost, which duties does it serve, and is it complete?", key="plan"),
    LeadPage("trace", "/plans/<key>/trace", "/plans/thurrock-2023-24/trace", "Trace to the legislation",
             "Which legislation does each action of this plan trace to, and which actions trace to none?", key="plan"),
    LeadPage("report", "/plans/<key>/report", "/plans/castle-point-rochford-2017-18/report", "Board report",
             "How is the plan being delivered, as of its latest progress return or a chosen period's: statuses, exceptions, overdue actions, spend?", key="plan"),
    LeadPage("action-history", "/plans/<key>/actions/<action>", "/plans/thurrock-2023-24/actions/pop-1", "Action history",
             "How has one action been delivered, return by return: status, per cent complete, commentary and what was measured?", key="plan"),
    LeadPage("delivery", "/delivery", "/delivery", "Delivery across the partnerships",
             "How is each partnership delivering its plan, as its latest progress return reports it, across all or the ones a funder funds?"),
    LeadPage("duties", "/duties", "/duties", "Legal duties",
             "Which legal duties are there, who holds each, and how many plans and actions serve it?"),
    LeadPage("duty", "/duties/<key>", "/duties/serious-violence-duty", "Serious Violence Duty",
             "Everything done under one duty: which actions, who leads them, what they cost, and the law behind it.", key="duty"),
    LeadPage("organisations", "/organisations", "/organisations", "Organisations",
             "Which organisations lead and support the most actions, counting their teams and posts with them?"),
    LeadPage("organisation", "/organisations/<key>", "/organisations/thurrock-council", "Thurrock Council",
             "What does one organisation lead and support in each plan, through which teams and posts, in which partnerships, under which duties?", key="agency"),
    LeadPage("coverage", "/coverage", "/coverage", "Legal duties covered by each partnership",
             "Which duties does each partnership's plan serve, and which does it hold with no action or no funded action?"),
    LeadPage("compare", "/compare", "/compare", "Compare partnerships",
             "How do partnerships compare by theme, and which years does each have a plan for?"),
    LeadPage("side-by-side", "/compare/side-by-side", "/compare/side-by-side?a=colchester-csp&b=braintree-csp&theme=domestic-abuse",
             "Domestic abuse: side by side", "What does each of two partnerships do on one theme or under one duty?"),
    LeadPage("partnership", "/partnerships/<key>", "/partnerships/castle-point-rochford-csp",
             "Castle Point and Rochford Community Safety Partnership",
             "A partnership's plans over the years, what changed from one to the next, its members and the duties it holds.", key="partnership"),
    LeadPage("diff", "/diff", "/diff", "Year on year",
             "What changed between two plans of one partnership?", twin=False),
)


def by_name(name: str) -> LeadPage:
    return next(p for p in LEAD_PAGES if p.name == name)
