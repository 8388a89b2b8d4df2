# eval-common.sh: what the FTS5 and Omega halves of `make eval`
# (bench/fts5-eval.sh, bench/omega-eval.sh) share; each sources it after
# `set -e`, run from the top of the tree.

# The flags of $EVALFLAGS the baselines take too: -v lists the misses
# (rubric's other flags, such as --bm25, are its own).
flags=
for f in $EVALFLAGS; do
    case $f in -v|--verbose) flags=-v ;; esac
done

# Run a judged evaluation, keeping its output in OUT (for the table,
# bench/eval-table.sh) and showing it; a failure shows it and stops.
evaluate() {
    out=$1
    shift
    echo "$*"
    "$@" > "$out" || { s=$?; cat "$out"; exit $s; }
    cat "$out"
}
