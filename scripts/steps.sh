# Sourced by .ci/run and scripts/run-tests: each step's header and time, so
# that a CI log shows where the time goes.
#   step TITLE           ends the step before (printing "-- took N s") and
#                        prints "== TITLE"
#   step_bg ID TITLE CMD...  ends the step before and runs CMD beside the
#                        steps that follow; its output waits in a file
#                        until step_wait ID shows it
#   step_wait ID         ends the step before, waits for ID, shows its
#                        output, its time and the wait, returns its status
# When the script exits, every step's time is listed, longest first.
STEP_TITLE=
STEP_T0=
STEP_TIMES=()
declare -A STEP_BG_PID=() STEP_BG_LOG=() STEP_BG_TITLE=()

step_end() {
    [ -n "$STEP_T0" ] || return 0
    local took=$((SECONDS - STEP_T0))
    echo "-- took $took s: $STEP_TITLE"
    STEP_TIMES+=("$took|$STEP_TITLE")
    STEP_T0=
}

step() {
    step_end
    STEP_TITLE=$1
    STEP_T0=$SECONDS
    echo "== $1"
}

step_bg() {
    local id=$1 title=$2 log
    shift 2
    step_end
    log=$(mktemp)
    (
        t0=$SECONDS
        echo "== $title (beside the steps after it)"
        rc=0
        "$@" || rc=$?
        echo "-- took $((SECONDS - t0)) s: $title"
        exit $rc
    ) >"$log" 2>&1 &
    STEP_BG_PID[$id]=$!
    STEP_BG_LOG[$id]=$log
    STEP_BG_TITLE[$id]=$title
    echo "-- started beside the next steps: $title"
}

step_wait() {
    local id=$1 rc=0 log=${STEP_BG_LOG[$1]} took t0=$SECONDS
    step_end
    wait "${STEP_BG_PID[$id]}" || rc=$?
    cat "$log"
    echo "-- waited $((SECONDS - t0)) s for it to end"
    took=$(sed -n 's/^-- took \([0-9]*\) s: .*/\1/p' "$log" | tail -1)
    STEP_TIMES+=("${took:-?}|${STEP_BG_TITLE[$id]} (beside others)")
    rm -f "$log"
    unset "STEP_BG_PID[$id]" "STEP_BG_LOG[$id]" "STEP_BG_TITLE[$id]"
    return $rc
}

steps_summary() {
    step_end
    [ ${#STEP_TIMES[@]} -gt 0 ] || return 0
    echo "== step times of $1 ($((SECONDS / 60)) min $((SECONDS % 60)) s in all)"
    printf '%s\n' "${STEP_TIMES[@]}" | sort -t'|' -k1,1nr | awk -F'|' '{printf "%6s s  %s\n", $1, $2}'
}
