#!/bin/sh
# fts5-eval.sh RELEVANCE NAME:PACKAGE:DIR...: the FTS5 half of `make eval`,
# run from the top of the tree after rubric's half. Builds SQLite FTS5 indexes
# of the collections rubric was just evaluated on (corpus/, and each tree DIR
# whole with judged queries, RELEVANCE/NAME.tsv or those rubric's half drew
# from its index) from rubric's own passages, and runs the same judged queries
# through build/fts5-eval, judged as rubric's are (--prefix DIR). Each output
# goes to build/eval-fts5-NAME.out for the table (bench/eval-table.sh). -v in
# $EVALFLAGS lists the misses; rubric's other flags are not FTS5's.
set -e
. bench/eval-common.sh
relevance=$1
shift

rm -f build/eval-*.sqlite build/eval-fts5-*.out
echo "build/fts5-eval --index build/eval-corpus.sqlite corpus"
build/fts5-eval --index build/eval-corpus.sqlite corpus || [ $? -eq 1 ]
evaluate build/eval-fts5-corpus.out build/fts5-eval $flags --db build/eval-corpus.sqlite \
    "$relevance/seed-article.tsv" "$relevance/beekeeping.tsv"
for tree in "$@"; do
    name=${tree%%:*}
    dir=${tree##*:}
    # rubric's half said why a tree is skipped.
    index=build/eval-index/$name-index.tsv
    if [ ! -d "$dir" ] || { [ ! -f "$relevance/$name.tsv" ] && [ ! -f "$index" ]; }; then
        continue
    fi
    echo "build/fts5-eval --index build/eval-$name.sqlite $dir"
    build/fts5-eval --index "build/eval-$name.sqlite" "$dir" || [ $? -eq 1 ]
    if [ -f "$relevance/$name.tsv" ]; then
        evaluate "build/eval-fts5-$name.out" build/fts5-eval $flags \
            --db "build/eval-$name.sqlite" --prefix "$dir" "$relevance/$name.tsv"
    fi
    # The known-item queries drawn from its index, when rubric's half drew them.
    if [ -f "$index" ]; then
        evaluate "build/eval-fts5-$name-index.out" build/fts5-eval $flags \
            --db "build/eval-$name.sqlite" --prefix "$dir" "$index"
    fi
done
