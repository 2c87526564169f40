"""Start worker processes (tests/support/worker.py) on the test site and talk to them."""

from __future__ import annotations

import json
import subprocess
import sys
from contextlib import contextmanager

from tests.host import bootstrap


class Worker:
	def __init__(self):
		self.process = subprocess.Popen(
			[sys.executable, "-m", "tests.support.worker"],
			**bootstrap.child_process(),
			stdin=subprocess.PIPE,
			stdout=subprocess.PIPE,
			text=True,
			bufsize=1,
		)
		ready = self.process.stdout.readline()
		if not ready:
			raise RuntimeError("worker process exited before it was ready")

	@property
	def pid(self) -> int:
		return self.process.pid

	def send(self, op: str, **args) -> None:
		self.process.stdin.write(json.dumps({"op": op, "args": args}) + "\n")
		self.process.stdin.flush()

	def receive(self):
		line = self.process.stdout.readline()
		if not line:
			raise RuntimeError(f"worker {self.pid} died")
		reply = json.loads(line)
		if "error" in reply:
			raise AssertionError(f"worker {self.pid}: {reply['error']}\n{reply.get('trace', '')}")
		return reply["ok"]

	def call(self, op: str, **args):
		self.send(op, **args)
		return self.receive()

	def close(self) -> None:
		if self.process.poll() is None:
			self.process.stdin.close()
			try:
				self.process.wait(timeout=20)
			except subprocess.TimeoutExpired:
				self.process.kill()
				self.process.wait()


@contextmanager
def workers(count: int):
	"""`count` live worker processes of the test site."""
	started: list[Worker] = []
	try:
		for _ in range(count):
			started.append(Worker())
		yield started
	finally:
		for worker in started:
			worker.close()
