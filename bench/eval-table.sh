#!/bin/sh
# eval-table.sh NAME[:PACKAGE:DIR]...: the table that ends `make eval`, every
# collection by every engine, from the summary lines the judged runs left in
# build/eval-{rubric,fts5,omega}-NAME.out (collections in the order given):
#   tests/relevance/C.tsv: n=N [s@1=X s@10=Y mrr@10=Z] page-s@1=X page-s@10=Y page-mrr@10=Z
# Section figures (s@1, s@10, mrr@10) are those of the judged section;
# page figures those of its page. Omega returns pages: its section columns
# read "-". An engine that did not run on a collection has no row.
set -e
files=
for c in "$@"; do
    for engine in rubric fts5 omega; do
        f=build/eval-$engine-${c%%:*}.out
        [ ! -f "$f" ] || files="$files $f"
    done
done
[ -n "$files" ] || exit 0
# shellcheck disable=SC2086 # a list of file names without blanks
awk '
    FNR == 1 {
        engine = FILENAME ~ /eval-fts5-/ ? "fts5" : FILENAME ~ /eval-omega-/ ? "omega" : "rubric"
    }
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
    function cell(k) {
        return k in fig ? fig[k] : "-"
    }
    END {
        if (!count)
            exit
        nengines = split("rubric fts5 omega", engines, " ")
        fmt = "%-18s %-7s %4s %5s %5s %7s %9s %10s %12s\n"
        print ""
        printf fmt, "collection", "engine", "n", "s@1", "s@10", "mrr@10", "page-s@1", "page-s@10",
               "page-mrr@10"
        for (c = 1; c <= count; c++)
            for (e = 1; e <= nengines; e++) {
                k = order[c] SUBSEP engines[e] SUBSEP
                if ((k "n") in fig)
                    printf fmt, order[c], engines[e], fig[k "n"], cell(k "s@1"), cell(k "s@10"),
                           cell(k "mrr@10"), cell(k "page-s@1"), cell(k "page-s@10"),
                           cell(k "page-mrr@10")
            }
    }
' $files
