"""The Flask service: canned queries as a web API, a SPARQL 1.1 endpoint, linked data and pages for leads.

`create_app(settings)` is the factory (gunicorn: `cspkg.web:create_app()`); nothing is built at
import time. One blueprint per area.
"""

from __future__ import annotations

from flask import Flask

from ..settings import Settings


def create_app(settings: Settings | None = None) -> Flask:
    from ..catalogue import catalogue
    from ..runner import Runner
    from . import errors, linkeddata, pages, queries, sparql, uploads, yearonyear

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body, JSON_SORT_KEYS=False)
    app.extensions["cspkg"] = {
        "settings": settings,
        "runner": Runner(settings),
        "catalogue": catalogue(),
        "cache": {},
    }
    errors.register(app)
    app.register_blueprint(queries.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(linkeddata.bp)
    app.register_blueprint(uploads.bp)
    app.register_blueprint(yearonyear.bp)
    app.register_blueprint(pages.bp)

    @app.context_processor
    def publisher():
        return {"licence": settings.licence}

    from ..errors import CspkgError
    from ..health import StoreHealth

    health = StoreHealth(settings)

    @app.get("/healthz")
    def healthz():
        # answered in the worker, not by the query processes: it does not wait behind queries
        try:
            return {"ok": True, "build": health.check()}
        except CspkgError as err:
            return {"ok": False, "status": 503, "error": str(err)}, 503

    @app.after_request
    def cors(response):
        # Reads are open to any origin, so a YASGUI page elsewhere can query us.
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Access-Control-Expose-Headers", "Link, ETag, X-Result-Truncated")
        return response

    return app
