#!/bin/sh
# bench/run.sh PYDOCS: the measurements of `make bench`, run from the top of
# the tree once the Makefile has built the tools (build/rubric-index,
# build/rubric-query, build/bench-floor, build/bench-inproc, and
# build/fts5-eval when SQLite is there) and installed the other engines
# (bench-deps). Prints one table and writes it to build/bench/table.txt
# (the raw medians go to build/bench/results.txt, each tool's output to
# build/bench/log/).
#
# The data: a scratch copy of PYDOCS's .html pages and nothing else
# (build/bench/site), made anew each run. Every figure is the median of
# BENCH_RUNS runs (default 3). An engine that is missing or fails reads n/a.
set -u
pydocs=${1:-/usr/share/doc/python3.11/html}
runs=${BENCH_RUNS:-3}
B=build/bench
site=$B/site
pfsite=$B/pagefind-site
changed=library/json.html  # the page changed for the reindex row
queries=bench/queries.txt
export LC_ALL=C

if [ ! -d "$pydocs" ]; then
    echo "bench: $pydocs missing (Debian python3.11-doc): nothing to measure" >&2
    exit 1
fi
mkdir -p $B/log
# Other work on the machine skews every figure: the table says how busy it was.
load=$(cut -d' ' -f1 /proc/loadavg)
: > $B/runs.txt
: > $B/results.txt

echo "bench: copying the .html pages of $pydocs into $site"
rm -rf $site $pfsite
mkdir -p $site
top=$(pwd)
(cd "$pydocs" && find . -name '*.html' -print0 | xargs -0 cp --parents -t "$top/$site") || exit 1
sitemb=$(find $site -type f -exec cat {} + | wc -c | awk '{ printf "%.1f", $1 / 1e6 }')
cp -r $site $pfsite
cat $(find $site -type f) > /dev/null  # the page cache starts warm for every engine

pagefind=$(ls build/bench/node/node_modules/@pagefind/*/bin/pagefind_extended \
               build/bench/node/node_modules/@pagefind/*/bin/pagefind 2>/dev/null | head -n 1)
have() { command -v "$1" >/dev/null 2>&1; }
# An indexer with a --jobs option is also measured on one worker (-j 1).
jobs=$(build/rubric-index --help 2>&1 | grep -e '--jobs' || true)

# measure ROW OUTPUT CMD...: run CMD once, OUTPUT (the index it writes, a
# file or folder) removed first, timed by `bench-inproc run` (wall clock, and
# the child's user + system time and peak RSS from wait4); appends "ROW wall
# cpu rss_kb size_kb" to runs.txt, or nothing when the command failed (exit
# status 1, some inputs skipped, counts as done).
measure() {
    row=$1 out=$2
    shift 2
    rm -rf "$out"
    build/bench-inproc run $B/log/$row.log "$@" > $B/time.out
    st=$?
    if [ $st -gt 1 ]; then
        echo "bench: $row failed (exit $st): see $B/log/$row.log" >&2
        return 0
    fi
    size=$(du -sk "$out" 2>/dev/null | cut -f1)
    echo "$row $(cat $B/time.out) ${size:-0}" >> $B/runs.txt
}

echo "bench: full index, $runs runs of each engine in turn"
i=0
while [ $i -lt $runs ]; do
    i=$((i + 1))
    echo "  run $i: rubric-index"
    measure rubric $B/rubric.db build/rubric-index -q --db $B/rubric.db $site
    if [ -n "$jobs" ]; then
        echo "  run $i: rubric-index -j 1"
        measure rubric1 $B/rubric1.db build/rubric-index -q -j 1 --db $B/rubric1.db $site
    fi
    echo "  run $i: floor"
    measure floor $B/floor.db build/bench-floor $B/floor.db $site
    if have omindex; then
        echo "  run $i: omindex"
        measure omindex $B/omega.db omindex --db $B/omega.db --url / $site
    fi
    if [ -n "$pagefind" ]; then
        echo "  run $i: pagefind"
        measure pagefind $pfsite/pagefind $pagefind --site $pfsite
    fi
    if [ -x build/fts5-eval ]; then
        echo "  run $i: fts5"
        measure fts5 $B/fts5.sqlite build/fts5-eval --index $B/fts5.sqlite --boilerplate $site
    fi
done
# Medians per row: "index ROW wall cpu rss_kb size_kb" (each run's figures
# stay in index-runs.txt, the reindex runs' in runs.txt).
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
for row in rubric rubric1 floor omindex pagefind fts5; do
    if grep -q "^$row " $B/runs.txt; then
        line="index $row"
        for col in 2 3 4 5; do
            line="$line $(grep "^$row " $B/runs.txt | cut -d' ' -f$col | median)"
        done
        echo "$line" >> $B/results.txt
    fi
done

echo "bench: analysis chain, $runs runs"
build/bench-inproc analysis $runs $site >> $B/results.txt 2> $B/log/analysis.log ||
    echo "bench: analysis failed: see $B/log/analysis.log" >&2

echo "bench: queries ($(grep -vc '^#' $queries) of $queries), $runs passes each"
if [ -d $B/rubric.db ]; then
    build/bench-inproc query $runs $B/rubric.db $queries >> $B/results.txt 2> $B/log/query-rubric.log ||
        echo "bench: rubric queries failed: see $B/log/query-rubric.log" >&2
    build/bench-inproc spawn $runs rubric-query $queries \
        build/rubric-query --db $B/rubric.db --json '{}' >> $B/results.txt 2> $B/log/query-cli.log
fi
if [ -f $B/fts5.sqlite ]; then
    build/fts5-eval --db $B/fts5.sqlite --queries $queries --runs $runs >> $B/results.txt \
        2> $B/log/query-fts5.log || echo "bench: fts5 queries failed: see $B/log/query-fts5.log" >&2
fi
if have quest && [ -d $B/omega.db ]; then
    build/bench-inproc spawn $runs quest $queries quest -d $B/omega.db '{}' >> $B/results.txt \
        2> $B/log/query-quest.log
fi

echo "bench: reindex, $runs runs each"
mv $B/runs.txt $B/index-runs.txt
: > $B/runs.txt
if [ -d $B/rubric.db ]; then
    i=0
    while [ $i -lt $runs ]; do
        i=$((i + 1))
        measure noop $B/nothing build/rubric-index -q --db $B/rubric.db $site
    done
    i=0
    while [ $i -lt $runs ]; do
        i=$((i + 1))
        # A real change inside the page's text: a word added to the first
        # paragraph of its main content (not of its navigation), which the
        # reindexed page must then be found by.
        line=$(awk '/role="main"/ { m = 1 } m && /<\/p>/ { print NR; exit }' $site/$changed)
        sed -i "${line:-1}s|</p>| benchchange$i</p>|" $site/$changed
        measure onepage $B/nothing build/rubric-index -q --db $B/rubric.db $site
        build/rubric-query --db $B/rubric.db --json "benchchange$i" 2>/dev/null |
            grep -q '"snippet":.*<b>benchchange'"$i"'</b>' ||
            echo "bench: the changed page is not found by its new word benchchange$i" >&2
    done
    for row in noop onepage; do
        if grep -q "^$row " $B/runs.txt; then
            echo "reindex $row $(grep "^$row " $B/runs.txt | cut -d' ' -f2 | median)" \
                "$(grep "^$row " $B/runs.txt | cut -d' ' -f3 | median)" \
                "$(grep "^$row " $B/runs.txt | cut -d' ' -f4 | median)" >> $B/results.txt
        fi
    done
fi

# ------------------------------------------------------------------ the table
cores=$(nproc)
defjobs=$(( cores > 8 ? 8 : cores ))  # rubric-index's default --jobs
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
ram=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
when=$(date -u '+%Y-%m-%d %H:%M UTC')
pages=$(find $site -name '*.html' | wc -l)
xapv=$(pkg-config --modversion xapian-core 2>/dev/null || echo '?')
sqlv=$(pkg-config --modversion sqlite3 2>/dev/null || echo '?')
pfv=$( [ -n "$pagefind" ] && "$pagefind" --version 2>/dev/null | awk '{ print $NF }')
qfile=$queries

awk -v cores="$cores" -v cpu="$cpu" -v ram="$ram" -v os="$os" -v when="$when" \
    -v pages="$pages" -v sitemb="$sitemb" -v runs="$runs" -v xapv="$xapv" -v sqlv="$sqlv" \
    -v pfv="${pfv:-n/a}" -v qfile="$qfile" -v changed="$changed" -v pydocs="$pydocs" \
    -v load="$load" -v defjobs="$defjobs" '
function num(x, d) { return x == "" ? "n/a" : sprintf("%." d "f", x) }
function ratio(x, y) { return (x == "" || y == "" || y == 0) ? "n/a" : sprintf("%.2fx", x / y) }
$1 == "index"    { iw[$2] = $3; ic[$2] = $4; ir[$2] = $5 / 1024; is[$2] = $6 / 1024 }
$1 == "analysis" { ab[$2] = $3; aw[$2] = $4; at[$2] = $5; np = $6 }
$1 == "query"    { qn[$2] = $3; q50[$2] = $4; q99[$2] = $5 }
$1 == "spawn"    { qn[$2] = $3; q50[$2] = $4; q99[$2] = $5; qf[$2] = $6 }
$1 == "reindex"  { rw[$2] = $3; rc[$2] = $4; rr[$2] = $5 / 1024 }
END {
    printf "rubric benchmark, %s\n", when
    printf "machine: %s cores, %s, %s RAM, %s\n", cores, cpu, ram, os
    printf "data: the %d .html pages of %s (Debian python3.11-doc, %s MB), %s passages (%.1f MB of text)\n",
           pages, pydocs, sitemb, np == "" ? "?" : np, ab["rubric"] / 1e6
    printf "others: Xapian %s (omindex, quest, TermGenerator), Pagefind %s, SQLite %s FTS5\n",
           xapv, pfv, sqlv
    printf "every figure: the median of %d runs (load average before: %s)\n\n", runs, load

    printf "%-40s %8s %8s %12s %8s %12s\n", "1. full index", "wall s", "cpu s", "peak RSS MiB",
           "size MiB", "wall/rubric"
    n = split("rubric rubric1 floor omindex pagefind fts5", rows, " ")
    name["rubric"] = "rubric-index, -j " defjobs " (passages)"
    name["rubric1"] = "rubric-index -j 1 (passages)"
    name["floor"] = "floor: TermGenerator (passages)"
    name["omindex"] = "omindex (whole pages)"
    name["pagefind"] = "pagefind (whole pages)"
    name["fts5"] = "SQLite FTS5 porter (passages)"
    for (i = 1; i <= n; i++) {
        r = rows[i]
        if (r == "rubric1" && !(r in iw))
            continue  # an indexer without --jobs
        if (r in iw)
            printf "   %-37s %8s %8s %12s %8s %12s\n", name[r], num(iw[r], 2), num(ic[r], 2),
                   num(ir[r], 1), num(is[r], 1), ratio(iw[r], iw["rubric"])
        else
            printf "   %-37s %8s %8s %12s %8s %12s\n", name[r], "n/a", "n/a", "n/a", "n/a", "n/a"
    }

    printf "\n%-40s %8s %8s %12s\n", "2. analysis chain (in memory)", "MB/s", "Mwords/s", "MB/s/rubric"
    name["rubric"] = "rubric_analyzer_run"
    name["termgen"] = "Xapian TermGenerator, no document"
    split("rubric termgen", rows, " ")
    for (i = 1; i <= 2; i++) {
        r = rows[i]
        if (r in at && at[r] > 0) {
            mbs[r] = ab[r] / 1e6 / at[r]
            printf "   %-37s %8.1f %8.2f %12s\n", name[r], mbs[r], aw[r] / 1e6 / at[r],
                   ratio(mbs[r], ab["rubric"] / 1e6 / at["rubric"])
        } else
            printf "   %-37s %8s %8s %12s\n", name[r], "n/a", "n/a", "n/a"
    }

    nq = qn["rubric"] != "" ? qn["rubric"] : qn["fts5"]
    printf "\n%-40s %8s %8s %12s\n", "3. queries (" nq " of " qfile ")", "p50 ms", "p99 ms",
           "p50/rubric"
    name["rubric"] = "rubric_search, in-process, snippets"
    name["fts5"] = "FTS5, in-process, snippet()"
    name["rubric-query"] = "rubric-query --json, a process each"
    name["quest"] = "quest on omindex db, a process each"
    n = split("rubric fts5 rubric-query quest", rows, " ")
    for (i = 1; i <= n; i++) {
        r = rows[i]
        base = (r == "rubric" || r == "fts5") ? "rubric" : "rubric-query"
        if (r in q50)
            printf "   %-37s %8s %8s %12s%s\n", name[r], num(q50[r], 2), num(q99[r], 2),
                   ratio(q50[r], q50[base]), (qf[r] > 0 ? "  (" qf[r] " failed)" : "")
        else
            printf "   %-37s %8s %8s %12s\n", name[r], "n/a", "n/a", "n/a"
    }

    printf "\n%-40s %8s %8s %12s %8s\n", "4. reindex with rubric-index", "wall ms", "cpu ms",
           "peak RSS MiB", "of full"
    name["noop"] = "nothing changed"
    name["onepage"] = "one page changed (" changed ")"
    split("noop onepage", rows, " ")
    for (i = 1; i <= 2; i++) {
        r = rows[i]
        if (r in rw)
            printf "   %-37s %8s %8s %12s %8s\n", name[r], num(rw[r] * 1000, 1),
                   num(rc[r] * 1000, 1), num(rr[r], 1), (("rubric" in iw) ? sprintf("%.2f%%", 100 * rw[r] / iw["rubric"]) : "n/a")
        else
            printf "   %-37s %8s %8s %12s %8s\n", name[r], "n/a", "n/a", "n/a", "n/a"
    }

    printf "\ntargets\n"
    if (("rubric" in iw) && ("omindex" in iw)) {
        x = iw["rubric"] / iw["omindex"]
        printf "   %-37s %-26s %s\n", "full index <= 0.5x omindex wall", sprintf("%.2fx", x),
               (x <= 0.5 ? "met" : sprintf("missed by %.1fx", x / 0.5))
    } else
        printf "   %-37s %-26s %s\n", "full index <= 0.5x omindex wall", "n/a", "n/a"
    if ("rubric" in ir)
        printf "   %-37s %-26s %s\n", "peak RSS <= 150 MB", sprintf("%.1f MB", ir["rubric"] * 1.048576),
               (ir["rubric"] * 1.048576 <= 150 ? "met" : sprintf("missed by %.1f MB", ir["rubric"] * 1.048576 - 150))
    one = ("rubric1" in iw) ? "rubric1" : "rubric"
    if ((one in iw) && ("floor" in iw)) {
        x = iw[one] / iw["floor"]
        printf "   %-37s %-26s %s\n", "rubric-index" (one == "rubric1" ? " -j 1" : "") " <= 1.1x floor",
               sprintf("%.2fx (cpu %.2fx)", x, ic[one] / ic["floor"]),
               (x <= 1.1 ? "met" : sprintf("missed by %.2fx", x / 1.1))
    }
    if (defjobs > 1 && ("rubric" in iw) && ("floor" in iw)) {
        x = iw["rubric"] / iw["floor"]
        printf "   %-37s %-26s %s\n", "rubric-index -j " defjobs " < floor",
               sprintf("%.2fx (cpu %.2fx)", x, ic["rubric"] / ic["floor"]),
               (x < 1 ? "met" : sprintf("missed by %.2fx", x))
    }
    if ("rubric" in q50) {
        ok = q50["rubric"] <= 1 && q99["rubric"] <= 5
        over = q50["rubric"] > q99["rubric"] / 5 ? q50["rubric"] : q99["rubric"] / 5
        printf "   %-37s %-26s %s\n", "in-process p50 <= 1 ms, p99 <= 5 ms",
               sprintf("%.2f ms, %.2f ms", q50["rubric"], q99["rubric"]),
               (ok ? "met" : sprintf("missed by %.2fx", over))
    }
    if (("rubric-query" in q50) && ("quest" in q50)) {
        x = q50["rubric-query"] / q50["quest"]
        printf "   %-37s %-26s %s\n", "rubric-query p50 <= quest p50",
               sprintf("%.2f ms vs %.2f ms", q50["rubric-query"], q50["quest"]),
               (x <= 1 ? "met" : sprintf("missed by %.2fx", x))
    }
    if ((at["rubric"] > 0) && (at["termgen"] > 0)) {
        x = at["termgen"] / at["rubric"]
        printf "   %-37s %-26s %s\n", "analysis >= 3x TermGenerator", sprintf("%.2fx", x),
               (x >= 3 ? "met" : sprintf("missed by %.2fx", 3 / x))
    }
}' $B/results.txt > $B/table.txt || { echo "bench: the table could not be made" >&2; exit 1; }

echo
cat $B/table.txt
echo
echo "bench: written to $B/table.txt (raw figures: $B/results.txt, logs: $B/log/)"
