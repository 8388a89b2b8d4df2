#!/bin/sh
# bench/shards.sh PYDOCS: `make bench-shards`. The documentation tree PYDOCS
# indexed as one index and as sets of 2 and 3 shards (wall and CPU time, peak
# memory, size), then bench/queries.txt searched in process on each (p50 and
# p99 of the median of three passes), on the sets read locally and with
# their shards served by xapian-tcpsrv on loopback, and the messages a
# search sends to remote shards, by type. Prints one table and
# writes it to build/bench-shards/table.txt.
set -u
pydocs=${1:-/usr/share/doc/python3.11/html}
runs=${BENCH_RUNS:-3}
B=build/bench-shards
export LC_ALL=C
[ -d "$pydocs" ] || { echo "bench-shards: $pydocs missing (Debian python3.11-doc)" >&2; exit 1; }
rm -rf $B
mkdir -p $B/log
row() { printf '| %s | %s | %s | %s | %s |\n' "$@" >> $B/table.txt; }

: > $B/table.txt
echo "| index | build wall s | CPU s | peak RSS MB | size MB |" >> $B/table.txt
echo "|---|---|---|---|---|" >> $B/table.txt
for n in 1 2 3; do
    if [ $n = 1 ]; then name=one; args=""; else name=set$n; args="--shards $n"; fi
    echo "bench-shards: building $name" >&2
    set -- $(build/bench-inproc run $B/log/$name.log build/rubric-index -q $args --db $B/$name "$pydocs")
    size=$(du -sm $B/$name | cut -f1)
    row "$name" "$1" "$2" "$(( $3 / 1024 ))" "$size"
done

# Each set's shards served on loopback, and a stub naming them.
pids=
port=47500
for n in 2 3; do
    : > $B/remote$n.stub
    k=0
    while [ $k -lt $n ]; do
        port=$((port + 1))
        # A session of its own: on SIGTERM it signals its whole group.
        setsid xapian-tcpsrv --quiet --interface 127.0.0.1 --port $port $B/set$n/shard-$k \
            >/dev/null 2>&1 &
        pids="$pids $!"
        echo "remote 127.0.0.1:$port" >> $B/remote$n.stub
        k=$((k + 1))
    done
done
sleep 1

echo >> $B/table.txt
echo "| searched | queries | p50 ms | p99 ms |" >> $B/table.txt
echo "|---|---|---|---|" >> $B/table.txt
for db in one set2 set3 remote2.stub remote3.stub; do
    echo "bench-shards: searching $db" >&2
    out=$(build/bench-inproc query $runs $B/$db bench/queries.txt 2>$B/log/query-$db.log)
    set -- $out
    printf '| %s | %s | %s | %s |\n' "$db" "$3" "$4" "$5" >> $B/table.txt
done
# The messages each search sends to the remote shards (build/bench-wire:
# a counting relay in front of each server), per query over all shards.
echo >> $B/table.txt
echo "| shards | mode | msgs | TERMFREQ | DOCUMENT | QUERY | GETMSET | REOPEN | TERMLIST | DOCLENGTH | ALLTERMS | other |" >> $B/table.txt
echo "|---|---|---|---|---|---|---|---|---|---|---|---|" >> $B/table.txt
for n in 2 3; do
    echo "bench-shards: counting messages on $n remote shards" >&2
    ports=$(sed 's/.*://' $B/remote$n.stub)
    build/bench-wire bench/queries.txt $ports 2>$B/log/wire-$n.log |
        while read -r _ mode _ msgs _ rest; do
            echo "| $n | $mode | $msgs | $(echo $rest | sed 's/ / | /g') |" >> $B/table.txt
        done
done
kill $pids 2>/dev/null
cat $B/table.txt
