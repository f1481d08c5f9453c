"""The answer cache every worker shares: through the real server with two workers, an answer is
computed once per build (every later request, whichever worker takes it, is a hit), and a new build
or a replace of one plan is a miss again. Also the cache on its own: other builds' answers are
dropped, the size is kept, and a damaged file costs only the cache, never the answer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests
from server import serving

from cspkg.answers.cache import SharedCache
from cspkg.pipeline.build import run
from cspkg.pipeline.replace import replace_plan
from cspkg.sources import DEFAULT_DATA, Source, parse

REQUESTS = 24  # bounded; new connections each time, so both workers take some


def ask(base: str, path: str) -> requests.Response:
    response = requests.get(base + path, headers={"Connection": "close"}, timeout=30)
    assert response.status_code == 200, response.text[:300]
    return response


@pytest.fixture(scope="module")
def own_store(tmp_path_factory) -> tuple[Path, Path]:
    """A store and data folder of its own: the test rebuilds and replaces."""
    work = tmp_path_factory.mktemp("cache")
    data = work / "data"
    shutil.copytree(DEFAULT_DATA, data)
    root = work / "store"
    assert not run(data, root).violations
    return data, root


def test_an_answer_is_computed_once_for_all_workers_and_again_after_a_build_and_a_replace(own_store):
    data, root = own_store
    path = "/queries/duties-without-funded-actions.json"
    with serving(root, workers=2) as base:
        first = ask(base, path)
        assert first.headers["X-Cache"] == "MISS"
        later = [ask(base, path) for _ in range(REQUESTS)]
        assert {r.headers["X-Cache"] for r in later} == {"HIT"}
        assert {r.content for r in later} == {first.content}

        # A new build of the same data: a new key, computed once more, then shared again.
        assert not run(data, root).violations
        rebuilt = ask(base, path)
        assert rebuilt.headers["X-Cache"] == "MISS" and rebuilt.headers["ETag"] != first.headers["ETag"]
        assert {ask(base, path).headers["X-Cache"] for _ in range(6)} == {"HIT"}

        # A replace of one plan makes a new build too: its answers are recomputed.
        plan = data / "plans" / "thurrock-2023-24.ttl"
        result = replace_plan(root, plan.stem, parse(Source(plan, "plan")))
        assert result.store_path is not None
        replaced = ask(base, path)
        assert replaced.headers["X-Cache"] == "MISS"
        assert ask(base, path).headers["X-Cache"] == "HIT"


def test_other_builds_are_dropped_and_the_size_is_kept(tmp_path):
    cache = SharedCache(tmp_path / "c.sqlite", size=3)
    for i in range(5):
        cache.put("b1", ("q", i), {"rows": [i]})
    assert [cache.get("b1", ("q", i)) for i in range(5)] == [None, None, {"rows": [2]}, {"rows": [3]}, {"rows": [4]}]
    other = SharedCache(tmp_path / "c.sqlite", size=3)  # another worker, the same file
    assert other.get("b1", ("q", 4)) == {"rows": [4]}
    other.put("b2", ("q", 0), (b"body", "text/csv", {"Link": "<x>"}))
    assert cache.get("b1", ("q", 4)) is None, "an answer of an earlier build is dropped"
    assert cache.get("b2", ("q", 0)) == (b"body", "text/csv", {"Link": "<x>"})
    apart = SharedCache(tmp_path / "c.sqlite", size=3, scope="another server")
    assert apart.get("b2", ("q", 0)) is None, "two servers with other settings never share an entry"


def test_a_damaged_cache_file_costs_the_cache_not_the_answer(tmp_path):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not a SQLite database" * 100)
    cache = SharedCache(path, size=10)
    assert cache.put("b", "k", [1, 2]) == [1, 2]
    assert cache.get("b", "k") is None


def test_size_zero_keeps_nothing(tmp_path):
    cache = SharedCache(tmp_path / "c.sqlite", size=0)
    assert cache.put("b", "k", "v") == "v" and cache.get("b", "k") is None
    assert not (tmp_path / "c.sqlite").exists()


def _put_in_another_process(path: str) -> None:
    SharedCache(Path(path), size=10).put("b", ("national", "answer"), {"rows": ["computed once"]})


def test_an_answer_kept_by_one_process_is_read_by_another(tmp_path):
    import multiprocessing

    path = tmp_path / "c.sqlite"
    process = multiprocessing.get_context("spawn").Process(target=_put_in_another_process, args=(str(path),))
    process.start()
    process.join(60)
    assert process.exitcode == 0
    assert SharedCache(path, size=10).get("b", ("national", "answer")) == {"rows": ["computed once"]}


def test_a_page_is_made_once_per_build_for_all_workers(own_store):
    """A lead page and its JSON twin are kept like answers: made once, the same bytes for every
    later request whichever worker takes it, and made again after a replace (a new build)."""
    data, root = own_store
    with serving(root, workers=2) as base:
        for path in ("/plans/thurrock-2023-24", "/plans/thurrock-2023-24.json", "/coverage"):
            first = ask(base, path)
            assert first.headers["X-Cache"] == "MISS"
            later = [ask(base, path) for _ in range(REQUESTS // 3)]
            assert {r.headers["X-Cache"] for r in later} == {"HIT"}
            assert {r.content for r in later} == {first.content}
            assert {r.headers["Content-Type"] for r in later} == {first.headers["Content-Type"]}
        plan = data / "plans" / "thurrock-2023-24.ttl"
        assert replace_plan(root, plan.stem, parse(Source(plan, "plan"))).store_path is not None
        assert ask(base, "/plans/thurrock-2023-24").headers["X-Cache"] == "MISS"
        assert ask(base, "/plans/thurrock-2023-24").headers["X-Cache"] == "HIT"
        missing = requests.get(base + "/plans/no-such-plan-2020-21", timeout=30)
        assert missing.status_code == 404 and missing.headers.get("X-Cache") is None  # only a page that answers is kept
