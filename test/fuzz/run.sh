#!/bin/sh
# run.sh [seconds [name...]]: builds every test/fuzz/fuzz_*.c (or only
# fuzz_<name>.c for the names given) and runs each for a
# bounded time (default 20 s), starting from the committed seeds in
# seeds/<name>/ copied into the git-ignored scratch corpus corpus-<name>/.
# The log and any crash reproducer land in corpus-<name>-run/.  The last lines are one
# "unit fuzz_<name>: 1 passed, 0 failed" per target; exits 1 if any failed.
set -u
cd "$(dirname "$0")" || exit 2
secs=${1:-20}
case $secs in
	''|*[!0-9]*) echo "usage: $0 [seconds [name...]]" >&2; exit 2 ;;
esac
[ $# -gt 0 ] && shift
targets=""
if [ $# -gt 0 ]; then
	for name in "$@"; do
		targets="$targets fuzz_$name.c"
	done
else
	targets=$(ls fuzz_*.c 2>/dev/null)
fi

summary=""
failed=0
[ -n "$targets" ] || { echo "no fuzz_*.c targets" >&2; exit 2; }
for src in $targets; do
	[ -e "$src" ] || { echo "$src: no such fuzz target" >&2; exit 2; }
	target=${src%.c}
	name=${target#fuzz_}
	corpus="corpus-$name"
	rundir="corpus-$name-run"
	log="$rundir/fuzz.log"
	ok=1

	if ! make -s "$target"; then
		echo "$target: build failed"
		ok=0
	else
		mkdir -p "$corpus" "$rundir"
		if [ -d "seeds/$name" ]; then
			cp -R "seeds/$name/." "$corpus/"
		fi
		# -max_total_time bounds the run; -timeout catches hangs of one input
		./"$target" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix="$rundir/" \
			"$corpus" >"$log" 2>&1
		rc=$?
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		echo "$target: ${execs:-?} execs in ${secs} s, corpus $(ls "$corpus" | wc -l) files (log $(pwd)/$log)"
		if [ $rc -ne 0 ]; then
			ok=0
			tail -n 40 "$log"
			for f in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log"); do
				echo "$target: crash reproducer $(pwd)/$f (rerun: $(pwd)/$target $(pwd)/$f)"
			done
		fi
	fi
	if [ $ok -eq 1 ]; then
		summary="${summary}unit $target: 1 passed, 0 failed
"
	else
		failed=1
		summary="${summary}unit $target: 0 passed, 1 failed
"
	fi
done
printf '%s' "$summary"
exit $failed
