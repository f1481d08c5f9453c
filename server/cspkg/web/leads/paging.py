"""A long list a page at a time: the `?page=N` of the pages that list partnerships (areas.py) or
search results. The number is read here, once for all of them; a bad one is said in words (the
page shows again from the first page, with a 400), and a page past the last is a 404 that links to
the last page."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from flask import jsonify, make_response, render_template, request

from .kit import twin

PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def page_number() -> tuple[int, str | None]:
    """The page asked for (1 when none is), and what is wrong with the parameter, if anything (then 1)."""
    raw = request.args.get("page", "").strip()
    if len(request.args.getlist("page")) > 1:
        return 1, "parameter 'page' is given more than once; give one page number"
    if raw and not PAGE_NUMBER.fullmatch(raw):
        return 1, f"parameter 'page': '{raw[:40]}' is not a page number; give a whole number from 1, as in page=2"
    return (int(raw) if raw else 1), None


def href(number: int | None = None, suffix: str = "") -> str:
    """This page (or its twin, with `suffix` ".json") at another page number, its other parameters kept."""
    base = twin(request.path)[0]
    base = "/" if base == "/index" and not suffix else base
    args = [(k, v) for k, v in request.args.items(multi=True) if k not in ("page", "table")]
    if number and number > 1:
        args.append(("page", str(number)))
    return base + suffix + (f"?{urlencode(args)}" if args else "")


def past_the_last(missing: str, pages: int):
    """The 404 for a page past the last (`missing` says so in words), linking to the last page."""
    fmt = twin(request.path)[1]
    last = href(pages, ".json" if fmt == "json" else "")
    message = missing + "; the last page is page " + str(pages)
    if fmt == "json":
        response = jsonify({"ok": False, "status": 404, "error": message, "last": last})
    else:
        response = make_response(render_template("error.html", status=404, message=message + ".",
                                                 onward={"href": last, "text": f"Go to the last page (page {pages})"}))
    response.status_code = 404
    return response
