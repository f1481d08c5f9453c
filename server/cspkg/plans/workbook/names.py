"""Matching an organisation's, stream's or strategy's name as a plan writes it against the names the graph holds.

Two names are the same name when they have the same words, in any order, ignoring case,
punctuation, '&' for 'and', 'the', and the abbreviations plans use for a partnership ("CSP" is
"Community Safety Partnership"): "Rochford & Castle Point CSP" is "Castle Point and Rochford
Community Safety Partnership". Words that tell bodies apart are kept: "Lichfield District Council"
and "Lichfield District Community Safety Partnership" differ by "council". A near name (a loose
key that also drops "district", "borough", "city", "of"; or a close spelling by difflib's ratio) is
never resolved, only offered as a candidate.

A generic name ("Police", "Fire", "PCC", "the county council") means the body the plan's own
partnership declares for that role, never a body chosen by its label.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

# Abbreviations expanded before comparing (whole words only).
EXPAND = {"csp": "community safety partnership"}  # only CSP: other short forms ("CP", "DA") mean different things in different plans
DROP = {"the"}
LOOSE_DROP = {"district", "borough", "city", "of", "and", "council", "county"}
WORD = re.compile(r"[a-z0-9]+")

# Roles a partnership declares (the Partnership sheet), and the generic names that mean them.
ROLES = {
    "police": "police force",
    "fire": "fire and rescue service",
    "county": "county council",
    "pcc": "police and crime commissioner",
    "council": "council",
    "self": "partnership",
}
GENERIC = {
    "police": "police", "the police": "police", "police force": "police", "local police": "police",
    "police service": "police", "constabulary": "police",
    "fire": "fire", "fire service": "fire", "fire and rescue": "fire", "fire and rescue service": "fire", "fire brigade": "fire",
    "county council": "county", "the county council": "county", "county": "county",
    "pcc": "pcc", "opcc": "pcc", "pfcc": "pcc", "opfcc": "pcc", "police and crime commissioner": "pcc",
    "police fire and crime commissioner": "pcc", "office of the police and crime commissioner": "pcc",
    "office of the police fire and crime commissioner": "pcc", "commissioner": "pcc",
    "council": "council", "the council": "council", "district council": "council", "borough council": "council",
    "local authority": "council", "the local authority": "council",
    "community safety partnership": "self", "the community safety partnership": "self", "the partnership": "self",
}


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold().replace("&", " and ")
    out: list[str] = []
    for w in WORD.findall(text):
        out += EXPAND.get(w, w).split()
    return out


def key(text: str) -> str:
    """The exact-match key: words in order-free form."""
    return " ".join(sorted(w for w in words(text) if w not in DROP))


def loose(text: str) -> str:
    """The near-match key: also without the words that only say a body's tier or joining words."""
    return " ".join(sorted({w for w in words(text) if w not in DROP | LOOSE_DROP}))


def generic_role(text: str) -> str | None:
    """The role a generic name stands for ('police' for "Police"), or None for a proper name."""
    return GENERIC.get(" ".join(w for w in words(text)))


def slug(text: str) -> str:
    """A stable key from a name: lower case words joined by '-', at most 60 characters on a word boundary."""
    joined = "-".join(words(text.replace("&", " and ")))
    while len(joined) > 60 and "-" in joined:
        joined = joined.rsplit("-", 1)[0]
    while joined.rsplit("-", 1)[-1] in ("and", "of", "the", "for") and "-" in joined:
        joined = joined.rsplit("-", 1)[0]
    return joined or "unnamed"


def partnership_slug(text: str) -> str:
    """A partnership's key as the IRI scheme has it: its name with "Community Safety Partnership" as -csp."""
    return slug(text).replace("community-safety-partnership", "csp")


YEARS = re.compile(r"((?:19|20)\d\d)\s*[-/–]\s*(?:19|20)?(\d\d)\b")


def plan_slug(area: str, title: str, period: str) -> str:
    """A Police and Crime Plan's key as the IRI scheme has it: <area>-pcp-<yyyy>-<yy>."""
    years = YEARS.search(period) or YEARS.search(title)
    return f"{area}-pcp-{years.group(1)}-{years.group(2)}" if years else f"{area}-pcp-{slug(title)}"


# Words many bodies' names share: two names alike only in these are not alike ("Lichfield District
# Community Safety Partnership" is not near "Braintree District Community Safety Partnership").
COMMON = DROP | LOOSE_DROP | {"community", "safety", "partnership", "police", "fire", "rescue", "service", "services",
                              "team", "unit", "board", "forum", "group", "office", "officer", "crime", "commissioner",
                              "authority", "local", "safer", "and", "for", "in", "on", "s", "plan", "strategy", "fund", "funding", "grant"}


def similar(a: str, b: str) -> float:
    """How alike two names are, from 0 to 1. The words that tell bodies apart (place and proper
    names: not COMMON) decide: when both names have some and share none, only their spelling
    (difflib's ratio) counts, so a misspelt place is near and another place is not."""
    wa, wb = set(key(a).split()), set(key(b).split())
    da, db = {w for w in wa - COMMON if not w.isdigit()}, {w for w in wb - COMMON if not w.isdigit()}
    if da and db and not da & db:
        return difflib.SequenceMatcher(None, " ".join(sorted(da)), " ".join(sorted(db))).ratio() - 0.15
    overlap = len(wa & wb) / max(len(wa | wb), 1)
    return max(overlap, difflib.SequenceMatcher(None, key(a), key(b)).ratio())


NEAR = 0.6  # below this a name is not offered as a candidate
TYPO = 0.85  # among one workbook's own new names (meant to differ), only a likely misspelling is near
