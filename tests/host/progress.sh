# Progress of long shell steps, sourced by tests/host/setup.sh and scripts/serve-dev-site.
# Needs LOGS (a folder for the steps' logs); LOG_PREFIX names the script in its lines.
log() { printf '[%s] %s\n' "${LOG_PREFIX:-setup}" "$*"; }
# The last line a step wrote, without carriage-return progress bars or long URLs.
last_line() {
	tail -c 4000 "$1" 2>/dev/null | tr '\r' '\n' | sed -E 's#[a-z]+://[^ ]*/##g' \
		| grep -v -e '^[[:space:]]*$' -e "^WARNING: Location '' is ignored" | tail -n 1 | cut -c1-100
}
# step NAME COMMAND...: COMMAND's output into $LOGS/NAME.log, a line every 10 s while it runs.
# Start a step with & and wait for it: a function called where bash ignores `set -e` (left of ||,
# inside if) would carry on after a failed command.
step() {
	local name=$1 out="$LOGS/$1.log" started=$SECONDS next=10 rc=0 pid
	shift
	"$@" >"$out" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if ((SECONDS - started >= next)); then
			log "$name: $((SECONDS - started)) s, $(last_line "$out")"
			next=$((next + 10))
		fi
	done
	wait "$pid" || rc=$?
	if [ "$rc" != 0 ]; then
		log "$name failed (exit $rc); the end of $out:"
		tr '\r' '\n' <"$out" | tail -n 25 | sed 's/^/    /' >&2
		return "$rc"
	fi
	if ((SECONDS - started >= 3)); then log "$name: done in $((SECONDS - started)) s"; fi
}
# wait_all PID...: wait for every background step; fails if one did.
wait_all() {
	local rc=0 pid
	for pid in "$@"; do wait "$pid" || rc=1; done
	return "$rc"
}
