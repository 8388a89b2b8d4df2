#!/bin/sh
# bench/scale.sh PYDOCS RUSTDOCS: `make bench-scale`. How rubric grows with
# its corpus: the .html pages of the Python documentation (PYDOCS) copied
# 1, 10 and 100 times (BENCH_SCALE lists the counts), each copy a folder of
# hard links, and the Rust documentation (RUSTDOCS, Debian rust-doc) as
# installed. For each tree: the build of one index and of a set of
# BENCH_SHARDS shards built in parallel (wall and CPU time, peak RSS, size,
# and wall time per passage against the 1x build's), omindex on the same
# files; then queries searched in process (p50 and p99, the median of
# BENCH_RUNS passes) on the one index, on the set read locally and on the
# set's shards served by xapian-tcpsrv on loopback, and the messages a
# search sends to those shards. The Python trees are searched with
# bench/queries.txt, the Rust documentation with bench/queries-rust.txt
# (names, phrases, questions, and queries of its commonest words). A Python
# tree of more than BENCH_SETS_UP_TO copies (default 10) is built and searched
# as one index only (its set takes half an hour to build on two cores, and
# its exhaustive searches hours). Prints two tables and writes them to
# build/bench-scale/table.txt; a tree whose folder is missing is skipped, and
# said so.
set -u
pydocs=${1:-/usr/share/doc/python3.11/html}
rustdocs=${2:-/usr/share/doc/rust-doc/html}
scales=${BENCH_SCALE:-1 10 100}
shards=${BENCH_SHARDS:-2}
runs=${BENCH_RUNS:-3}
sets_up_to=${BENCH_SETS_UP_TO:-10}
B=build/bench-scale
export LC_ALL=C
say() { echo "bench-scale: $*" >&2; }
rm -rf $B
mkdir -p $B/log $B/trees

# The trees: NAME DIR QUERIES COPIES, one a line; the Rust documentation
# before the largest copies, which take longest.
: > $B/trees.txt
: > $B/large.txt
if [ -d "$pydocs" ]; then
    mkdir -p $B/trees/py1
    (cd "$pydocs" && find . -name '*.html' -print0 | xargs -0 cp --parents -t "$OLDPWD/$B/trees/py1") ||
        exit 1
    for n in $scales; do
        [ "$n" = 1 ] && { echo "py1 $B/trees/py1 bench/queries.txt 1" >> $B/trees.txt; continue; }
        k=0
        mkdir -p $B/trees/py$n
        while [ $k -lt "$n" ]; do
            cp -al $B/trees/py1 $B/trees/py$n/copy-$k || exit 1
            k=$((k + 1))
        done
        if [ "$n" -le "$sets_up_to" ]; then list=$B/trees.txt; else list=$B/large.txt; fi
        echo "py$n $B/trees/py$n bench/queries.txt $n" >> $list
    done
else
    say "$pydocs missing (Debian python3.11-doc): the Python trees skipped"
fi
if [ -d "$rustdocs" ]; then
    echo "rust $rustdocs bench/queries-rust.txt 1" >> $B/trees.txt
else
    say "$rustdocs missing (Debian rust-doc): the Rust documentation skipped"
fi
cat $B/large.txt >> $B/trees.txt

# Wall time per passage of the py1 build, once it is measured.
base=
build_row() {  # NAME ENGINE LOG WALL CPU RSS_KB DIR PASSAGES
    size=$(du -sm "$7" | cut -f1)
    ratio=-
    if [ "$8" != - ] && [ -n "$base" ]; then
        ratio=$(echo "$4 $8 $base" | awk '{ printf "%.2f", ($1 / $2) / $3 }')
    fi
    printf '| %s | %s | %s | %.1f | %.1f | %s | %s | %s |\n' "$1" "$2" "$8" "$4" "$5" \
        "$(( $6 / 1024 ))" "$size" "$ratio" >> $B/build.txt
}
passages_of() { sed -n 's/.* \([0-9][0-9]*\) in the index.*/\1/p' "$1" | tail -1; }

echo "| tree | built by | passages | wall s | CPU s | peak RSS MB | size MB | wall per passage / py1 one's |" > $B/build.txt
echo "|---|---|---|---|---|---|---|---|" >> $B/build.txt
echo "| tree | searched | queries | p50 ms | p99 ms | messages per query |" > $B/query.txt
echo "|---|---|---|---|---|---|" >> $B/query.txt
port=47600
while read -r name dir queries copies; do
    say "building $name"
    set -- $(build/bench-inproc run $B/log/$name-one.log build/rubric-index -q --db $B/$name-one "$dir")
    p=$(passages_of $B/log/$name-one.log)
    [ "$name" = py1 ] && base=$(echo "$1 $p" | awk '{ print $1 / $2 }')
    build_row "$name" "one index" $B/log/$name-one.log "$1" "$2" "$3" $B/$name-one "$p"
    if [ "$copies" -le "$sets_up_to" ]; then
        set -- $(build/bench-inproc run $B/log/$name-set.log build/rubric-index -q --shards $shards \
            --db $B/$name-set "$dir")
        build_row "$name" "$shards shards" $B/log/$name-set.log "$1" "$2" "$3" $B/$name-set \
            "$(passages_of $B/log/$name-set.log)"
    fi
    if command -v omindex >/dev/null; then
        set -- $(build/bench-inproc run $B/log/$name-omega.log omindex --db $B/$name-omega --url / "$dir")
        build_row "$name" "omindex" $B/log/$name-omega.log "$1" "$2" "$3" $B/$name-omega -
    fi

    pids=
    if command -v xapian-tcpsrv >/dev/null && [ -d $B/$name-set ]; then
        : > $B/$name-remote.stub
        k=0
        while [ $k -lt $shards ]; do
            port=$((port + 1))
            # A session of its own: on SIGTERM it signals its whole group.
            setsid xapian-tcpsrv --quiet --interface 127.0.0.1 --port $port $B/$name-set/shard-$k \
                >/dev/null 2>&1 &
            pids="$pids $!"
            echo "remote 127.0.0.1:$port" >> $B/$name-remote.stub
            k=$((k + 1))
        done
        sleep 1
    fi
    for db in one set remote.stub; do
        [ -e $B/$name-$db ] || continue
        say "searching $name-$db"
        set -- $(build/bench-inproc query $runs $B/$name-$db "$queries" 2>$B/log/query-$name-$db.log)
        msgs=-
        if [ $db = remote.stub ]; then
            msgs=$(build/bench-wire "$queries" $(sed 's/.*://' $B/$name-remote.stub) \
                       2>$B/log/wire-$name.log | awk '$2 == "plain" { print $4 }')
        fi
        printf '| %s | %s | %s | %.2f | %.2f | %s |\n' "$name" "${db%.stub}" "$3" "$4" "$5" "$msgs" \
            >> $B/query.txt
    done
    [ -n "$pids" ] && kill $pids 2>/dev/null
    # What is done so far, should the run be cut short.
    { cat $B/build.txt; echo; cat $B/query.txt; } > $B/table.txt
    # The largest trees are big: keep only what the next tree needs.
    rm -rf $B/$name-one $B/$name-set $B/$name-omega
done < $B/trees.txt

{ cat $B/build.txt; echo; cat $B/query.txt; } > $B/table.txt
cat $B/table.txt
