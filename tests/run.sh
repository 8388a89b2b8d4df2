#!/bin/sh
# run.sh: run each test program, then print the totals as "N passed, M failed".
passed=0
failed=0
# No configuration of the user running the tests is read (tools/config.h):
# an absolute folder that does not exist.
XDG_CONFIG_HOME=/nonexistent/rubric-tests
export XDG_CONFIG_HOME
for t in "$@"; do
    echo "== $t"
    out=$("$t" 2>&1)
    status=$?
    printf '%s\n' "$out"
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$line" ]; then
        echo "$t: ended without a summary (exit $status)"
        failed=$((failed + 1))
        continue
    fi
    p=${line%% passed*}
    f=${line#*passed, }
    f=${f%% failed*}
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$t: exit $status with no failed test"
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
