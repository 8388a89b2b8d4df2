#!/bin/sh
# omega-eval.sh RELEVANCE NAME:PACKAGE:DIR...: the Omega half of `make eval`,
# run from the top of the tree after rubric's half. For each tree DIR with
# judged queries (RELEVANCE/NAME.tsv, or those rubric's half drew from its
# index): an omindex database of the whole tree (build/eval-omega-NAME.db),
# then the same judged queries through quest (build/omega-eval), judged at
# page level as rubric's pages are. Each output goes to
# build/eval-omega-NAME.out for the table (bench/eval-table.sh). -v in
# $EVALFLAGS lists the misses.
#
# omindex reads the files rubric-index reads and no others, so both engines
# search the same pages: those with the extensions rubric has readers for
# (HTML as text/html, the rest as text/plain, Omega having no Markdown or
# JSON Lines reader), matched in any case as rubric matches them; everything
# else is ignored (-G, first match wins), where omindex would otherwise read
# files of no extension (scripts, READMEs) by their content. --follow: rubric
# follows symbolic links (git-doc's index.html is one, to git.html). Stemming
# is omindex's default, English, as quest's.
set -e
. bench/eval-common.sh
relevance=$1
shift

# A -G glob matching EXT in any case: html -> *.[Hh][Tt][Mm][Ll].
any_case() {
    printf '%s' "$1" | awk '{ printf "*."; for (i = 1; i <= length($0); i++) {
        c = substr($0, i, 1); printf "[%s%s]", toupper(c), c } }'
}

# The -G options, and the same quoted to be shown.
types=
shown=
for ext in html htm xhtml txt text md markdown jsonl ndjson; do
    case $ext in *htm*) type=text/html ;; *) type=text/plain ;; esac
    types="$types -G $(any_case $ext):$type"
    shown="$shown -G '$(any_case $ext):$type'"
done

rm -rf build/eval-omega-*.db build/eval-omega-*.out build/eval-omega-*.log
for tree in "$@"; do
    name=${tree%%:*}
    dir=${tree##*:}
    # rubric's half said why a tree is skipped.
    index=build/eval-index/$name-index.tsv
    if [ ! -d "$dir" ] || { [ ! -f "$relevance/$name.tsv" ] && [ ! -f "$index" ]; }; then
        continue
    fi
    db=build/eval-omega-$name.db
    # Its per-file messages (empty pages, say) go to a log. $types is a list
    # of options, split but not globbed.
    set -f
    s=0
    echo "omindex --db $db --url / --follow$shown -G '*:ignore' $dir"
    # shellcheck disable=SC2086
    omindex --db "$db" --url / --follow $types -G '*:ignore' "$dir" \
        > "build/eval-omega-$name.log" 2>&1 || s=$?
    set +f
    if [ $s -ne 0 ]; then
        echo "omega-eval: omindex failed on $dir: see build/eval-omega-$name.log" >&2
        exit 1
    fi
    # The same files as rubric's index, or the comparison is off: say so.
    files=$(build/rubric-index --status --db "build/eval-$name.db" 2>/dev/null |
        sed -n 's/^files: *//p')
    if command -v xapian-delve >/dev/null; then
        pages=$(xapian-delve "$db" | sed -n 's/^number of documents = //p')
        echo "omindex: $pages pages, rubric-index: ${files:-?} files (build/eval-omega-$name.log)"
        [ -z "$files" ] || [ "$pages" = "$files" ] ||
            echo "omega-eval: omindex and rubric-index did not read the same files of $dir" >&2
    fi
    if [ -f "$relevance/$name.tsv" ]; then
        evaluate "build/eval-omega-$name.out" build/omega-eval $flags --db "$db" \
            --prefix "$dir" "$relevance/$name.tsv"
    fi
    # The known-item queries drawn from its index, when rubric's half drew them.
    if [ -f "$index" ]; then
        evaluate "build/eval-omega-$name-index.out" build/omega-eval $flags --db "$db" \
            --prefix "$dir" "$index"
    fi
done
