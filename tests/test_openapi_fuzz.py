"""Schemathesis against the real server's own /openapi.json: the document says exactly what the server
accepts (valid requests are answered, invalid ones refused with a 4xx), and every answer has a status,
media type and shape the document lists; no request, however odd, is a server error."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
          "negative_data_rejection", "positive_data_acceptance"]


def test_the_server_does_what_its_openapi_document_says(server, tmp_path):
    spec = requests.get(f"{server}/openapi.json").json()
    assert len(spec["paths"]) > 20
    started = time.monotonic()
    run = subprocess.run(
        [SCHEMATHESIS, "run", f"{server}/openapi.json", "--checks", ",".join(CHECKS),
         "--phases", "examples,coverage,fuzzing", "--mode", "all",
         # a few cases an operation, and a fixed seed, so the run is bounded and repeatable
         "--max-examples", "10", "--seed", "20261202", "--workers", "2",
         "--request-timeout", "20", "--generation-database", "none", "--no-color"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    seconds = time.monotonic() - started
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-6000:]
    assert "No issues found" in output, output[-3000:]
    assert f"Tested: {len(spec['paths'])}" in output, output[-3000:]
    print(f"schemathesis: {seconds:.0f} s")
