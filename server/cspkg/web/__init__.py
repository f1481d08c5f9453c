"""The Flask service: canned queries as a web API, a SPARQL 1.1 endpoint, linked data and pages for leads.

`create_app(settings)` is the factory (gunicorn: `cspkg.web:create_app()`); nothing is built at
import time. One blueprint per area.
"""

from __future__ import annotations

from flask import Flask

from ..settings import Settings

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    # Keeps the Origin header on our own form posts (no-referrer would send "Origin: null") and
    # sends other sites only our origin, never a path or query (search text, SPARQL).
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP level 2
}


def create_app(settings: Settings | None = None) -> Flask:
    from ..answers.cache import SharedCache
    from ..answers.catalogue import catalogue
    from ..answers.runner import Runner
    from . import errors, linkeddata, queries, sparql, uploads, yearonyear
    from .leads import delivery, duties, grids, home, kit, organisations, partnerships, plans, reports, sidebyside
    from .presentation import href

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body, JSON_SORT_KEYS=False)
    app.extensions["cspkg"] = {
        "settings": settings,
        "runner": Runner(settings),
        "catalogue": catalogue(),
        "cache": SharedCache(settings.cache_path, settings.cache_size, scope=repr(sorted(settings.to_env().items()))),
    }
    errors.register(app)
    app.add_template_filter(href, "href")  # every link target in a template passes it
    app.register_blueprint(queries.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(linkeddata.bp)
    app.register_blueprint(uploads.bp)
    app.register_blueprint(yearonyear.bp)
    for lead in (kit, home, plans, reports, delivery, duties, organisations, grids, partnerships, sidebyside):
        app.register_blueprint(lead.bp)

    @app.context_processor
    def publisher():
        return {"licence": settings.licence}

    from ..errors import CspkgError
    from ..store.health import StoreHealth

    health = StoreHealth(settings)

    @app.get("/healthz")
    def healthz():
        # answered in the worker, not by the query processes: it does not wait behind queries
        try:
            return {"ok": True, "build": health.check()}
        except CspkgError as err:
            return {"ok": False, "status": 503, "error": str(err)}, 503

    @app.after_request
    def headers(response):
        # Reads are open to any origin, so a YASGUI page elsewhere can query us.
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Access-Control-Expose-Headers", "Link, ETag, X-Result-Truncated, X-Cache")
        # Pages load scripts and styles only from /static (none inline), and no other site may frame them.
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app
