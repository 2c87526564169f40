"""Remove every Redis key of a dropped host site, and no other site's.

A host site keeps two families of keys in the shared Redis. Its cache: every key the framework's
`make_key` builds starts with `<db_name>|` (documents and metadata, user keys, rate-limit counters,
this app's registry version and audit buffer). Its background jobs: RQ queues named
`<bench_id>:<queue>` (config.bench_id), with their lists, registries and workers' sets under
`rq:<kind>:<queue name>`, the queue names in the set `rq:queues`, and one hash per job whose
`origin` is its queue. Each family ends its site part with a separator (`|`, `:`), so a match can
never take the keys of a site whose name merely starts the same way.
"""

from __future__ import annotations

import redis
from rq import Queue, Worker
from rq.job import Job

from tests.host import config


def drop_site_keys(db_name: str, url: str | None = None) -> int:
	"""Delete the Redis keys of the host site `db_name`; returns how many were deleted."""
	conn = redis.Redis.from_url(url or config.REDIS_URL)
	queue_prefix = f"{config.bench_id(db_name)}:"
	keys = set(conn.scan_iter(match=f"{_glob_escape(db_name)}|*", count=1000))
	keys.update(conn.scan_iter(match=f"rq:*:{_glob_escape(queue_prefix)}*", count=1000))
	keys.update(_job_keys(conn, queue_prefix))
	keys.update(_worker_keys(conn, queue_prefix))
	queues = [q for q in conn.smembers(Queue.redis_queues_keys) if _queue_name(q).startswith(queue_prefix)]
	with conn.pipeline() as pipe:
		if queues:
			pipe.srem(Queue.redis_queues_keys, *queues)
		for key in keys:
			pipe.delete(key)
		deleted = pipe.execute()
	return sum(deleted[1:] if queues else deleted)


def _job_keys(conn: redis.Redis, queue_prefix: str) -> set[bytes]:
	"""Keys of the jobs queued for the site, in a queue or a registry or neither any more: each job's
	hash, dependents and dependencies, results and executions (`rq:<kind>:<job id>[:...]`; the
	framework's job ids never contain a colon)."""
	hashes = [
		k
		for k in conn.scan_iter(match=f"{Job.redis_job_namespace_prefix}*", count=1000, _type="hash")
		if k.count(b":") == 2
	]
	with conn.pipeline() as pipe:
		for key in hashes:
			pipe.hget(key, "origin")
		origins = pipe.execute()
	ids = {
		key.split(b":")[2]
		for key, origin in zip(hashes, origins, strict=True)
		if origin and origin.decode().startswith(queue_prefix)
	}
	if not ids:
		return set()
	return {
		k for k in conn.scan_iter(match="rq:*", count=1000) if k.count(b":") >= 2 and k.split(b":")[2] in ids
	}


def _worker_keys(conn: redis.Redis, queue_prefix: str) -> list[bytes]:
	"""Registration hashes of workers that listened to the site's queues only (a killed worker's
	hash outlives it until its heartbeat expires)."""
	found = []
	for key in conn.scan_iter(match=f"{Worker.redis_worker_namespace_prefix}*", count=1000, _type="hash"):
		queues = (conn.hget(key, "queues") or b"").decode().split(",")
		if queues != [""] and all(q.startswith(queue_prefix) for q in queues):
			found.append(key)
	if found:
		conn.srem(Worker.redis_workers_keys, *found)
	return found


def _queue_name(member: bytes) -> str:
	return member.decode()[len(Queue.redis_queue_namespace_prefix) :]


def _glob_escape(text: str) -> str:
	"""`text` as a literal inside a Redis MATCH pattern."""
	return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)
