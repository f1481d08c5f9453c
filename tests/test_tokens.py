"""Partnership write tokens end to end: `cspkg token issue/list/revoke` through the real command, and a
server with partnership tokens only, which re-reads the token file when it changes."""

from __future__ import annotations

import hashlib
import shutil
import stat

import pytest
import requests

from cspkg.plans import tokens
from cspkg.pipeline.build import run
from cspkg.sources import DEFAULT_DATA
from server import serving
from test_cli import cspkg

PARTNERSHIPS = ["braintree-csp", "castle-point-rochford-csp", "colchester-csp", "tendring-csp", "thurrock-csp"]


def issue(path, partnership: str, *more: str):
    return cspkg("token", "issue", "--partnership", partnership, "--file", str(path), *more)


def test_issue_prints_the_token_once_and_keeps_only_its_hash(tmp_path):
    path = tmp_path / "tokens"
    done = issue(path, "tendring-csp", "--label", "Tendring CSP officer")
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert len(token) >= 40 and "\n" not in token
    text = path.read_text()
    assert token not in text and token not in done.stderr
    line = [l for l in text.splitlines() if not l.startswith("#")]
    assert len(line) == 1
    digest, partnership, issued, label = line[0].split("\t")
    assert digest == hashlib.sha256(token.encode()).hexdigest() and partnership == "tendring-csp"
    assert label == "Tendring CSP officer" and len(issued) == 10 and issued[4] == "-"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    listed = cspkg("token", "list", "--file", str(path))
    assert listed.returncode == 0
    assert f"  {digest[:12]}  tendring-csp" in listed.stdout and issued in listed.stdout and "Tendring CSP officer" in listed.stdout
    assert token not in listed.stdout and digest not in listed.stdout  # a prefix only


def test_an_unknown_partnership_is_refused_with_the_known_ones(tmp_path):
    path = tmp_path / "tokens"
    done = issue(path, "nowhere-csp")
    assert done.returncode == 2 and done.stdout == ""
    assert f"no partnership 'nowhere-csp' in the reference data (known: {', '.join(PARTNERSHIPS)})" in done.stderr
    assert not path.exists()


def test_revoke_needs_one_token_named_by_its_hash(tmp_path):
    path = tmp_path / "tokens"
    # two hand-written lines whose hashes start alike (a file may be edited by hand)
    path.write_text(f"{'abcdef01' + '0' * 56}\ttendring-csp\t2026-01-01\tone\n{'abcdef01' + '1' * 56}\tthurrock-csp\t2026-01-02\ttwo\n")
    for prefix, message in (("abc", "give at least 6 hex digits"), ("not-hex", "give at least 6 hex digits"),
                            ("abcdef01", "'abcdef01' matches 2 tokens (abcdef010000 (tendring-csp), abcdef011111 (thurrock-csp)); give more digits"),
                            ("fedcba", "no token's hash starts with 'fedcba'")):
        done = cspkg("token", "revoke", prefix, "--file", str(path))
        assert done.returncode == 2 and message in done.stderr, done.stderr
    done = cspkg("token", "revoke", "abcdef011", "--file", str(path))
    assert done.returncode == 0 and "Revoked token abcdef011111 of partnership thurrock-csp (two)" in done.stdout
    assert [e.partnership for e in tokens.read(path)] == ["tendring-csp"]


def test_a_damaged_token_file_is_named_by_line(tmp_path):
    path = tmp_path / "tokens"
    path.write_text("# comment\n\nnot a token line\n")
    done = cspkg("token", "list", "--file", str(path))
    assert done.returncode == 2 and f"{path}:3: not a token line" in done.stderr and "Traceback" not in done.stderr


def test_the_registry_rereads_the_file_when_it_changes(tmp_path):
    path = tmp_path / "tokens"
    registry = tokens.Registry(path)
    assert registry.entries() == []
    token = issue(path, "colchester-csp").stdout.strip()
    assert registry.match(token).partnership == "colchester-csp"
    assert registry.match(token + "x") is None
    prefix = hashlib.sha256(token.encode()).hexdigest()[:8]
    assert cspkg("token", "revoke", prefix, "--file", str(path)).returncode == 0
    assert registry.match(token) is None


@pytest.mark.slow
def test_a_server_with_partnership_tokens_only(tmp_path):
    """No administrator token: a partnership token writes its plan; a damaged token file stops all writes (503)."""
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA, data)
    store = tmp_path / "store"
    assert not run(data, store).violations
    path = tmp_path / "tokens"
    token = issue(path, "thurrock-csp", "--data", str(data)).stdout.strip()
    plan = (data / "plans" / "thurrock-2023-24.ttl").read_bytes()
    headers = {"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"}
    with serving(store, workers=1, data=data, tokens_file=path) as base:
        r = requests.post(base + "/plans", data=plan, headers=headers, timeout=60)
        assert r.status_code == 200, r.text
        r = requests.post(base + "/plans", data=plan, headers={**headers, "Authorization": "Bearer "}, timeout=60)
        assert r.status_code == 401
        good = path.read_text()
        path.write_text(good + "garbage\n")
        r = requests.post(base + "/plans", data=plan, headers=headers, timeout=60)
        assert r.status_code == 503 and "token file is damaged" in r.json()["error"] and str(path) not in r.text
        path.write_text(good)
        r = requests.post(base + "/plans", data=plan, headers=headers, timeout=60)
        assert r.status_code == 200, r.text
