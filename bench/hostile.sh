#!/bin/bash
# hostile.sh DB: hostile queries against the index DB, one rubric-query
# process each (with --fragments 3 --explain --json), and the wall time of
# each, to check that every one is answered or refused quickly (README,
# "Limits"). Not part of `make test`: it measures, it asserts nothing.
#   sh bench/hostile.sh build/bench/rubric.db
set -u
DB=$1
Q=${RUBRIC_QUERY:-build/rubric-query}
repeat() { python3 -c "import sys; print(sys.argv[2].join([sys.argv[1]] * int(sys.argv[3])))" "$@"; }
queries=(
    "$(repeat the ' ' 48)"
    "$(repeat python ' ' 1000)"
    "function module class method object return value string list file data type error name call argument default example python code line time number set use new first following used see also can will one two may must should each any all some more other such only when which"
    "$(repeat a '' 8000)"
    "$(repeat '(' '' 8000)"
    "$(repeat '"' '' 8000)"
    "$(repeat 'NOT x' ' ' 1000)"
    "$(python3 -c "import itertools; print(' OR '.join(a+b+c+'*' for a,b,c in list(itertools.product('abcdefghij', repeat=3))[:100]))")"
    "$(repeat python ' NEAR ' 40)"
    "\"$(repeat the ' ' 1000)\""
    "$(python3 -c "print(' '.join('pythnoqx%d' % i for i in range(48)))")"
    "a*"
    "NEAR/999999 python"
    '"of the" "of the" "of the"'
    "mac_ver platform"
)
for q in "${queries[@]}"; do
    s=$(date +%s%N)
    "$Q" --db "$DB" -n 10 --fragments 3 --explain --json -- "$q" >/dev/null 2>&1
    rc=$?
    e=$(date +%s%N)
    printf '%7.1f ms  exit %d  %s\n' "$(echo "($e - $s) / 1000000" | bc -l)" "$rc" "${q:0:50}"
done
