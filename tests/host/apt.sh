# apt-get for the host's scripts (sourced by tests/host/setup.sh and tests/host/postgres.sh; needs
# `log` from tests/host/progress.sh). Runs apt-get as root (through sudo when not root).
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# Another apt or dpkg (unattended-upgrades, a second terminal) may hold their locks: wait for it.
apt_lock_holder() {
	local file inode
	for file in /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock; do
		[ -e "$file" ] || continue
		inode=$(stat -c %i "$file")
		awk -v inode="$inode" '{for (i = 2; i <= NF; i++) if ($i ~ /^[0-9a-f]+:[0-9a-f]+:[0-9]+$/) {
			split($i, dev, ":"); if (dev[3] == inode) {print $(i - 1); exit}}}' /proc/locks
	done | head -n 1
}
wait_for_apt() {
	local pid waited=0
	while pid=$(apt_lock_holder) && [ -n "$pid" ]; do
		if ((waited % 30 == 0)); then
			log "waiting for the apt/dpkg lock held by $(ps -o comm= -p "$pid" 2>/dev/null || echo ?) (pid $pid), ${waited} s so far"
		fi
		sleep 5
		waited=$((waited + 5))
	done
}
# apt_get ARGS...: apt-get, retried while another process holds its lock.
apt_get() {
	local try rc
	for try in 1 2 3 4 5 6; do
		wait_for_apt
		rc=0
		as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@" || rc=$?
		[ "$rc" = 0 ] && return 0
		[ -n "$(apt_lock_holder)" ] || return "$rc"
		log "apt-get $1: the lock was taken meanwhile; trying again ($try)"
	done
	return "$rc"
}
install_packages() {
	apt_get update
	apt_get install -y --no-install-recommends "$@"
}
