"""Dropping a host site removes every Redis key it left, and no key of another site."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid

import pytest
import redis

from tests.host import bootstrap, config

pytestmark = pytest.mark.skipif(
	bootstrap.on_real_bench(), reason="host sites only: a bench drops sites with `bench drop-site`"
)


def _site_keys(conn: redis.Redis, db_name: str) -> set[bytes]:
	"""Every key that names the site: its cache prefix, its queues, or a job from its queues."""
	queue = f"{config.bench_id(db_name)}:".encode()
	found = {k for k in conn.scan_iter(count=1000) if k.startswith(f"{db_name}|".encode()) or queue in k}
	for key in conn.scan_iter(match="rq:job:*", count=1000, _type="hash"):
		if (conn.hget(key, "origin") or b"").startswith(queue):
			found.add(key)
	return found


def _write_keys(db_name: str) -> None:
	env = {**os.environ, **config.site_env(db_name)}
	subprocess.run(
		[sys.executable, "-m", "tests.support.site_keys"],
		cwd=str(bootstrap.REPO),
		env=env,
		check=True,
		capture_output=True,
		timeout=120,
	)


def test_dropping_a_site_removes_its_cache_queue_and_job_keys_and_spares_a_similar_name():
	from tests.host import site as host_site
	from tests.host.site_redis import drop_site_keys

	conn = redis.Redis.from_url(config.REDIS_URL)
	name = f"fac_drop_{uuid.uuid4().hex[:8]}"
	neighbour = f"{name}1"  # starts with the dropped site's name
	try:
		_write_keys(name)
		_write_keys(neighbour)
		left = _site_keys(conn, name)
		kinds = {b":".join(k.split(b":")[:2]) if k.startswith(b"rq:") else k.split(b"|")[0] for k in left}
		assert {name.encode(), b"rq:job", b"rq:queue", b"rq:failed"} <= kinds, kinds
		assert any(k.startswith(b"rq:results:") for k in conn.scan_iter(match="rq:results:*", count=1000))
		neighbour_before = _site_keys(conn, neighbour)
		queues_before = conn.smembers("rq:queues")

		host_site.drop_site(name)  # as the test session and `python -m tests.host drop-site` do

		assert _site_keys(conn, name) == set()
		assert not [q for q in conn.smembers("rq:queues") if f"{config.bench_id(name)}:".encode() in q]
		assert _site_keys(conn, neighbour) == neighbour_before
		assert {q for q in queues_before if f"{config.bench_id(neighbour)}:".encode() in q} <= conn.smembers(
			"rq:queues"
		)
	finally:
		for site in (name, neighbour):
			drop_site_keys(site)
			shutil.rmtree(config.site_dir(site), ignore_errors=True)


def test_dropping_a_site_removes_the_results_of_its_jobs():
	from tests.host import site as host_site
	from tests.host.site_redis import drop_site_keys

	conn = redis.Redis.from_url(config.REDIS_URL)
	name = f"fac_drop_{uuid.uuid4().hex[:8]}"
	try:
		_write_keys(name)
		job_ids = [k.decode()[len("rq:job:") :] for k in _site_keys(conn, name) if k.startswith(b"rq:job:")]
		results = [f"rq:results:{job_id}" for job_id in job_ids if conn.exists(f"rq:results:{job_id}")]
		assert results, "the burst worker left no job results"
		host_site.drop_site(name)
		assert not any(conn.exists(key) for key in results)
	finally:
		drop_site_keys(name)
		shutil.rmtree(config.site_dir(name), ignore_errors=True)
