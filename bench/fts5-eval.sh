#!/bin/sh
# fts5-eval.sh PYDOCS [EVALFLAGS...]: the FTS5 half of `make eval`, run from
# the top of the tree after rubric's half. Builds SQLite FTS5 indexes of the
# collections rubric was just evaluated on (corpus/, and the Python docs'
# HTML pages when PYDOCS is a folder), runs the same judged queries through
# build/fts5-eval, then prints both engines' figures side by side from the
# summary lines in build/eval-{rubric,fts5}-*.out.
set -e
pydocs=$1
shift

# Run a judged evaluation, keeping its output in OUT (for the table).
evaluate() {
    out=$1
    shift
    echo "$*"
    "$@" > "$out" || { s=$?; cat "$out"; exit $s; }
    cat "$out"
}

rm -f build/eval-corpus.sqlite build/eval-pydocs.sqlite build/eval-fts5-*.out
echo "build/fts5-eval --index build/eval-corpus.sqlite corpus"
build/fts5-eval --index build/eval-corpus.sqlite corpus || [ $? -eq 1 ]
evaluate build/eval-fts5-corpus.out build/fts5-eval "$@" --db build/eval-corpus.sqlite \
    tests/relevance/seed-article.tsv tests/relevance/beekeeping.tsv
if [ -d "$pydocs" ]; then
    echo "build/fts5-eval --index build/eval-pydocs.sqlite --include '*.html' $pydocs"
    build/fts5-eval --index build/eval-pydocs.sqlite --include '*.html' "$pydocs" || [ $? -eq 1 ]
    evaluate build/eval-fts5-pydocs.out build/fts5-eval "$@" --db build/eval-pydocs.sqlite \
        tests/relevance/python-docs.tsv
fi

# Summary lines read `tests/relevance/NAME.tsv: n=N s@1=X s@10=Y mrr@10=Z`.
echo
awk '
    FNR == 1 { engine = FILENAME ~ /-fts5-/ ? "fts5" : "rubric" }
    /^[^ ].*\.tsv: n=/ {
        name = $1
        sub(/:$/, "", name)
        sub(/.*\//, "", name)
        sub(/\.tsv$/, "", name)
        if (!(name in seen)) {
            seen[name] = 1
            order[++count] = name
        }
        for (i = 2; i <= NF; i++) {
            split($i, kv, "=")
            fig[name, engine, kv[1]] = kv[2]
        }
    }
    END {
        printf "%-16s %-8s %-4s %5s %5s %7s\n", "collection", "engine", "n", "s@1", "s@10", "mrr@10"
        for (c = 1; c <= count; c++)
            for (e = 1; e <= 2; e++) {
                engine = e == 1 ? "rubric" : "fts5"
                if ((order[c], engine, "n") in fig)
                    printf "%-16s %-8s %-4s %5s %5s %7s\n", order[c], engine,
                           fig[order[c], engine, "n"], fig[order[c], engine, "s@1"],
                           fig[order[c], engine, "s@10"], fig[order[c], engine, "mrr@10"]
            }
    }
' build/eval-rubric-corpus.out $(ls build/eval-rubric-pydocs.out 2>/dev/null) \
  build/eval-fts5-corpus.out $(ls build/eval-fts5-pydocs.out 2>/dev/null)
