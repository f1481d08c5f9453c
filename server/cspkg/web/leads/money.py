"""Money in words, the same on every page: what a plan says about paying for each action.

The kinds are those of the canned queries: plan-actions and actions-for-duty give each action's
"fundingKind" in these words, and plans and plan-summary count the actions of each kind in the
columns named here. "Funded" alone is not used on a page: to a reader it means an amount, while
most plans name a grant or a funder without one.
"""

from __future__ import annotations

# (column of plans / plan-summary, the words of plan-actions' fundingKind, how a page says it of a count)
KINDS = (
    ("actionsWithAmount", "amount stated", "with an amount stated"),
    ("actionsSourceOnly", "source named, no amount", "with a source named but no amount"),
    ("actionsInKind", "in kind", "with resources in kind"),
    ("actionsNoneRequired", "none required", "needing no funding, as the plan says"),
    ("actionsFundingNotStated", "not stated", "with no funding stated"),
)
MONEY_KINDS = tuple(column for column, _, _ in KINDS)


def money_kinds(row: dict) -> list[dict]:
    """A plan's actions by kind of funding, from a row of plans or plan-summary, each kind listed
    (with its count, 0 included) in the order above."""
    return [{"column": column, "kind": kind, "words": words, "count": int(row.get(column) or 0)}
            for column, kind, words in KINDS]


def kinds_of(actions: list[dict]) -> list[dict]:
    """The same, counted from rows that give each action's "fundingKind" (one row per action)."""
    return [{"column": column, "kind": kind, "words": words, "count": sum(a.get("fundingKind") == kind for a in actions)}
            for column, kind, words in KINDS]
