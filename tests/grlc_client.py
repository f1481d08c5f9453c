"""Ask grlc, in-process, for its API over a local folder of queries and for answers from it.

Run with the Python of a virtual environment that has grlc (grlc pins its own dependencies, so it
is not installed beside cspkg):

    python grlc_client.py QUERIES_DIR SPARQL_ENDPOINT < calls.json > answers.json

`calls.json` is a list of {"name": query, "args": {parameter: value, "page": n}}. The answer is
{"swagger": grlc's API document, "answers": [{"status", "content_type", "body"}, one per call]}.
grlc reads its settings from config.ini in the working directory when it is imported, so this
writes one in a fresh temporary folder first: the local folder of queries and the endpoint.
Only the standard library and grlc are used here.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile


def main(queries: str, endpoint: str, calls: list[dict]) -> dict:
    workdir = tempfile.mkdtemp(prefix="grlc-")
    with open(os.path.join(workdir, "config.ini"), "w", encoding="utf-8") as config:
        config.write(f"[local]\nlocal_sparql_dir = {os.path.abspath(queries)}\n\n"
                     f"[defaults]\nsparql_endpoint = {endpoint}\nserver_name = localhost\ndebug = False\n")
    os.chdir(workdir)
    from grlc.server import app  # reads config.ini from the working directory

    client = app.test_client()
    swagger = client.get("/api-local/swagger").get_json()
    answers = []
    for call in calls:
        response = client.get(f"/api-local/{call['name']}", query_string=call["args"],
                              headers={"Accept": "application/sparql-results+json"})
        answers.append({"status": response.status_code, "content_type": response.headers.get("Content-Type", ""),
                        "body": response.get_data(as_text=True)})
    return {"swagger": swagger, "answers": answers}


if __name__ == "__main__":
    calls = json.load(sys.stdin)
    with contextlib.redirect_stdout(sys.stderr):  # grlc prints as it starts; stdout carries the answer only
        result = main(sys.argv[1], sys.argv[2], calls)
    json.dump(result, sys.stdout)
