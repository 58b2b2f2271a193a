#!/usr/bin/env bash
# The callgrind driver that benches/spawn_profile.sh and
# benches/timeout_profile.sh share: sourced by them, not run on its own.
#
#   source benches/callgrind.sh
#   callgrind_init NAME "DEFAULT WHICH..." "$@"
#       reads the script's arguments [ROUNDS [WHICH...]] into $rounds and
#       the array $runs (the defaults when none are given; a WHICH not
#       among them is an error), checks that valgrind is installed, builds
#       benches/NAME.rs (the bench profile: optimised, with line tables)
#       into $bin, and makes $out (target/NAME/) for what the runs leave;
#   callgrind_run WHICH TOGGLE [VALGRIND OPTION...]
#       runs "$bin WHICH $rounds" under `valgrind --tool=callgrind` with
#       collection switched on only inside the functions matching TOGGLE,
#       and sets $file to the profile, $out/callgrind.WHICH.out (valgrind's
#       own messages go to $out/valgrind.WHICH.log).
#
# Either exits with a message naming NAME.sh when something is wrong.

callgrind_init() {
    callgrind_name=$1
    local defaults=$2
    shift 2
    rounds=${1:-5}
    shift || true
    runs=("$@")
    # shellcheck disable=SC2206 # the defaults are a word list
    [ ${#runs[@]} -eq 0 ] && runs=($defaults)
    case $rounds in '' | *[!0-9]* | 0)
        echo "$callgrind_name.sh: ROUNDS must be a positive integer" >&2
        exit 2
        ;;
    esac
    # (The bench binary would take an unknown name for none and run all.)
    local which known
    for which in "${runs[@]}"; do
        for known in $defaults; do
            [ "$which" = "$known" ] && continue 2
        done
        echo "$callgrind_name.sh: unknown '$which' (any of: $defaults)" >&2
        exit 2
    done
    command -v valgrind >/dev/null || {
        echo "$callgrind_name.sh: valgrind is not installed (apt-get install valgrind)" >&2
        exit 1
    }
    bin=$(cargo bench --bench "$callgrind_name" --no-run --message-format=json 2>/dev/null |
        python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == sys.argv[1] and m.get("executable"):
        print(m["executable"])' "$callgrind_name")
    [ -x "$bin" ] || {
        echo "$callgrind_name.sh: could not build benches/$callgrind_name.rs" >&2
        exit 1
    }
    out=target/$callgrind_name
    mkdir -p "$out"
}

callgrind_run() {
    local which=$1 toggle=$2
    shift 2
    file=$out/callgrind.$which.out
    valgrind --tool=callgrind --callgrind-out-file="$file" "$@" \
        --collect-atstart=no --toggle-collect="$toggle" \
        "$bin" "$which" "$rounds" >/dev/null 2>"$out/valgrind.$which.log" || {
        echo "$callgrind_name.sh: valgrind failed for $which, see $out/valgrind.$which.log" >&2
        exit 1
    }
}
