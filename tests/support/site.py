"""Helpers that act on the test site: users with roles, API keys, committed setup, migrate."""

from __future__ import annotations

import os
import subprocess
import sys

import frappe

from tests.host import bootstrap

# Users several test modules share, each always with the same roles: Frappe refuses to create more
# than 60 users an hour (throttle_user_creation), and the suite makes many.
ASSISTANT_USER = "fac-log-member@example.com"  # Assistant User
ASSISTANT_ADMIN = "fac-log-assistant-admin@example.com"  # Assistant Admin and Assistant User
SYSTEM_MANAGER = "fac-log-manager@example.com"  # System Manager


def make_user(email: str, roles: list[str] | tuple[str, ...] = (), commit: bool = True) -> str:
	"""A System User with exactly `roles` (created once, roles reset on every call)."""
	previous = frappe.session.user
	frappe.set_user("Administrator")
	existing = frappe.db.exists("User", email)
	if existing:
		user = frappe.get_doc("User", email)
		user.set("roles", [])
	else:
		user = frappe.get_doc(
			{"doctype": "User", "email": email, "first_name": email.split("@")[0], "send_welcome_email": 0}
		)
	user.user_type = "System User"
	for role in roles:
		user.append("roles", {"role": role})
	user.flags.ignore_password_policy = True
	if not existing:
		# Frappe refuses a 61st new user within an hour (throttle_user_limit); the suite makes ~75,
		# each once, which a run in one process (a real bench) does on one site. The limit is
		# raised for this insert in this process only; the site's configuration is not touched.
		limit = frappe.local.conf.get("throttle_user_limit")
		frappe.local.conf.throttle_user_limit = 1000
		try:
			user.insert(ignore_permissions=True)
		finally:
			if limit is None:
				frappe.local.conf.pop("throttle_user_limit", None)
			else:
				frappe.local.conf.throttle_user_limit = limit
	else:
		user.save(ignore_permissions=True)
	if commit:
		frappe.db.commit()
	frappe.set_user(previous)
	return email


def mark_setup_complete() -> None:
	"""Mark the site's setup done as the setup wizard's last step does (not committed): until then
	the desk sends every user to /app/setup-wizard, which only a System Manager may open."""
	frappe.db.set_single_value("System Settings", "setup_complete", 1)
	frappe.db.set_default("desktop:home_page", "workspace")


def api_credentials(email: str) -> str:
	"""`key:secret` for the token Authorization header of `email` (committed)."""
	user = frappe.get_doc("User", email)
	key = user.api_key or frappe.generate_hash(length=15)
	secret = frappe.generate_hash(length=15)
	user.api_key = key
	user.api_secret = secret
	user.save(ignore_permissions=True)
	frappe.db.commit()
	return f"{key}:{secret}"


def run_host_command(*args: str, check: bool = True) -> subprocess.CompletedProcess:
	"""Run `python -m tests.host ARGS` for the test site in a separate process."""
	if bootstrap.on_real_bench():
		raise RuntimeError("host commands are not available on a real bench; run `bench` instead")
	return subprocess.run(
		[sys.executable, "-m", "tests.host", *args],
		capture_output=True,
		text=True,
		check=check,
		cwd=str(bootstrap.REPO),
		env=dict(os.environ),
	)


def run_migrate() -> subprocess.CompletedProcess:
	"""`bench migrate` in another process; this process reconnects afterwards.

	Migrate kills database connections idle for more than 30 s, which may include ours.
	"""
	frappe.db.commit()
	if bootstrap.on_real_bench():
		done = subprocess.run(
			["bench", "--site", os.environ["FAC_TEST_SITE"], "migrate"],
			capture_output=True,
			text=True,
			check=True,
		)
	else:
		done = run_host_command("migrate", os.environ["DB_NAME"])
	reconnect()
	return done


def reconnect() -> None:
	user = frappe.session.user
	frappe.db.close()
	frappe.local.db = None
	frappe.connect()
	frappe.set_user(user)
