from __future__ import annotations

import stat

from reporter.cohort.cache import DetailCache, default_cache_dir
from reporter.exec_api.models import SessionDetail

API = "https://api.exec.com/rest/v1"

DETAIL = SessionDetail.model_validate({
    "id": "sess-1",
    "user": {"id": "u1", "email": "a@acme.test"},
    "scenario": {"id": "sc1"},
    "score": 81.0,
    "rank": "silver",
    "is_valid_attempt": True,
    "created_at": "2026-10-01T10:00:00Z",
    "transcript": [{"speaker": "user", "text": "Hello"}],
    "evaluations": [],
})


def test_graded_detail_round_trips_with_private_file(tmp_path):
    cache = DetailCache(tmp_path, "ws-1", API)
    cache.put(DETAIL)
    assert cache.get("sess-1") == DETAIL and cache.hits == 1
    files = list(tmp_path.rglob("*.json"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert "sess-1" not in str(files[0])  # names are hashes, never the untrusted id


def test_ungraded_details_are_not_cached(tmp_path):
    cache = DetailCache(tmp_path, "ws-1", API)
    cache.put(DETAIL.model_copy(update={"id": "s2", "is_valid_attempt": False, "score": None}))
    cache.put(DETAIL.model_copy(update={"id": "s3", "score": None}))
    assert not cache.has("s2") and not cache.has("s3")


def test_one_folder_per_workspace(tmp_path):
    DetailCache(tmp_path, "ws-1", API).put(DETAIL)
    assert DetailCache(tmp_path, "ws-2", API).get("sess-1") is None


def test_one_folder_per_server_too(tmp_path):
    """Issue 21, 5: the same workspace id on another server (a sandbox, staging) is another
    cache; the same server spelt with a trailing slash or capitals is the same one."""
    DetailCache(tmp_path, "ws-1", API).put(DETAIL)
    assert DetailCache(tmp_path, "ws-1", "http://127.0.0.1:8765/rest/v1").get("sess-1") is None
    assert DetailCache(tmp_path, "ws-1", API.upper() + "/").get("sess-1") == DETAIL


def test_truncated_or_garbled_files_are_refetched_not_crashed_on(tmp_path):
    cache = DetailCache(tmp_path, "ws-1", API)
    for bad in (b'{"id": "sess-1", "us', b"\x00\xff garbage", b'{"id": "other"}', b"[]"):
        cache.put(DETAIL)
        path = next(tmp_path.rglob("*.json"))
        path.write_bytes(bad)
        assert cache.get("sess-1") is None
        assert not path.exists()
    assert cache.repaired == 4


def test_disabled_cache_holds_nothing(tmp_path):
    cache = DetailCache(None, "ws-1", API)
    cache.put(DETAIL)
    assert cache.get("sess-1") is None and not cache.has("sess-1")
    assert list(tmp_path.iterdir()) == []


def test_default_cache_dir_honours_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "reporter"
