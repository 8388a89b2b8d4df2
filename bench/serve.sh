#!/bin/sh
# bench/serve.sh PYDOCS: `make bench-serve`. rubric-serve on loopback over an
# index of PYDOCS's .html pages, loaded by wrk cycling bench/queries.txt at 1,
# 8 and 64 connections (requests/s, p50, p99, errors), each searched afresh
# (--answer-cache 0) and as the server runs by default (its answer cache
# serving the repeats), its memory over 100,000 requests, and CGI mode, one
# process per request, beside Omega's own CGI program over omindex's
# database of the same pages. Prints one table
# and writes it to build/bench-serve/table.txt; wrk's output goes to
# build/bench-serve/log/.
set -u
pydocs=${1:-/usr/share/doc/python3.11/html}
secs=${BENCH_SECONDS:-10}
B=build/bench-serve
export LC_ALL=C
for tool in wrk omindex; do
    command -v $tool >/dev/null || { echo "bench-serve: $tool missing (Debian wrk, xapian-omega)" >&2; exit 1; }
done
omega=/usr/lib/cgi-bin/omega/omega
[ -d "$pydocs" ] || { echo "bench-serve: $pydocs missing (Debian python3.11-doc)" >&2; exit 1; }
rm -rf $B
mkdir -p $B/log $B/site $B/omega
top=$(pwd)
(cd "$pydocs" && find . -name '*.html' -print0 | xargs -0 cp --parents -t "$top/$B/site") || exit 1
echo "bench-serve: indexing $B/site (rubric-index, omindex)"
build/rubric-index -q --db $B/rubric.db $B/site 2>$B/log/index.log || [ $? -eq 1 ] || exit 1
omindex --db $B/omega/default --url / $B/site >$B/log/omindex.log 2>&1 || exit 1

# The queries, percent-encoded once: one request path a line.
grep -v '^#' bench/queries.txt | grep . | while IFS= read -r q; do
    printf '%s' "$q" | od -An -v -tx1 | tr -s ' ' '\n' | grep . | awk '
        BEGIN { for (i = 0; i < 256; i++) hex[sprintf("%02x", i)] = i }
        { c = hex[$1]
          if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 46 || c == 95)
              printf "%c", c
          else
              printf "%%%s", toupper($1) }
        END { printf "\n" }'
done > $B/queries.enc
nq=$(wc -l < $B/queries.enc)
sed 's|^|/api/v1/search?q=|' $B/queries.enc > $B/paths.txt
cat > $B/cycle.lua <<'EOF'
-- Each connection's requests cycle through the bench queries.
local paths = {}
for line in io.lines(os.getenv("RUBRIC_BENCH_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
    i = i % #paths + 1
    return wrk.format("GET", paths[i])
end
EOF
export RUBRIC_BENCH_PATHS=$top/$B/paths.txt

pid=
trap 'kill $pid 2>/dev/null' EXIT
serve_start() {  # ARGS...: rubric-serve started, its pid and url set
    build/rubric-serve --db $B/rubric.db --listen 127.0.0.1:0 --threads 2 --per-address 0 \
        --connections 1024 "$@" 2>$B/log/serve.log &
    pid=$!
    port=
    for i in $(seq 100); do
        port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\)\/.*/\1/p' $B/log/serve.log)
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "bench-serve: rubric-serve did not start: $(cat $B/log/serve.log)" >&2; exit 1; }
    url=http://127.0.0.1:$port
}
serve_stop() {
    kill $pid
    wait $pid 2>/dev/null
}

# wrk's figures in ms: "50% 661.00us" and the like.
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } printf "%.2f", v }'; }
run_wrk() {  # CONNECTIONS SECONDS LOG
    wrk -t1 -c$1 -d${2}s --latency --timeout 10s -s $B/cycle.lua $url > $3 2>&1
}
figures() {  # LOG: req/s p50 p99 errors
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' $1)
    p50=$(awk '$1 == "50%" { print $2 }' $1 | to_ms)
    p99=$(awk '$1 == "99%" { print $2 }' $1 | to_ms)
    non2xx=$(awk '/Non-2xx/ { print $NF }' $1)
    sock=$(awk '/Socket errors/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' $1)
    echo "$rps $p50 $p99 $(( ${non2xx:-0} + ${sock:-0} ))"
}
rss_kb() { awk '/^VmRSS/ { print $2 }' /proc/$pid/status; }

# Each row twice: every request searched (no answer cache), then as the
# server runs by default, the repeats of the cycle answered from memory.
: > $B/results.txt
for mode in fresh cached; do
    if [ $mode = fresh ]; then serve_start --answer-cache 0; else serve_start; fi
    echo "bench-serve: warming up ($mode)"
    run_wrk 8 3 $B/log/warm-$mode.log
    for c in 1 8 64; do
        echo "bench-serve: $c connections, ${secs} s ($mode)"
        run_wrk $c $secs $B/log/wrk-$mode-c$c.log
        echo "$mode c$c $(figures $B/log/wrk-$mode-c$c.log)" >> $B/results.txt
    done
    [ $mode = fresh ] && serve_stop
done
rss0=$(rss_kb)
echo "bench-serve: 100,000 requests or more at 8 connections, in runs of 20 s"
longreq=0
longerr=0
n=0
while [ $longreq -lt 100000 ] && [ $n -lt 30 ]; do
    n=$((n + 1))
    run_wrk 8 20 $B/log/wrk-long-$n.log
    longreq=$((longreq + $(awk '/requests in/ { print $1 }' $B/log/wrk-long-$n.log)))
    longerr=$((longerr + $(figures $B/log/wrk-long-$n.log | cut -d' ' -f4)))
done
rss1=$(rss_kb)
hwm=$(awk '/^VmHWM/ { print $2 }' /proc/$pid/status)
serve_stop
trap - EXIT

# CGI: one process per request, the same queries: rubric-serve's API (ten
# sections, as Omega's page shows ten pages) and its results page (ten pages
# with up to three sections each), and Omega's own page.
cat > $B/omega.conf <<EOF
database_dir $top/$B/omega
template_dir /var/lib/xapian-omega/templates
log_dir $top/$B/log
cdb_dir /var/lib/xapian-omega/cdb
EOF
cgi_rounds=${BENCH_CGI_ROUNDS:-3}
cgi_time() {  # WHICH: seconds for every query, cgi_rounds times
    start=$(date +%s.%N)
    r=0
    while [ $r -lt $cgi_rounds ]; do
        r=$((r + 1))
        while IFS= read -r q; do
            if [ "$1" = api ] || [ "$1" = page ]; then
                info=/search
                [ "$1" = api ] && info=/api/v1/search
                GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET PATH_INFO=$info QUERY_STRING="q=$q" \
                    RUBRIC_DB=$B/rubric.db build/rubric-serve > /dev/null
            else
                GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING="P=$q&DB=default" \
                    OMEGA_CONFIG_FILE=$B/omega.conf $omega > /dev/null
            fi
        done < $B/queries.enc
    done
    end=$(date +%s.%N)
    echo "$start $end" | awk -v n=$((nq * cgi_rounds)) '{ printf "%.2f", ($2 - $1) * 1000 / n }'
}
echo "bench-serve: CGI mode, $((nq * cgi_rounds)) requests each"
cgi_rubric=$(cgi_time api)
cgi_page=$(cgi_time page)
cgi_omega=n/a
if [ -x $omega ]; then
    # Omega must answer with results, or the comparison means nothing.
    GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING="P=json&DB=default" \
        OMEGA_CONFIG_FILE=$B/omega.conf $omega > $B/log/omega-sample.html 2>&1
    if grep -q 'library/json.html' $B/log/omega-sample.html; then
        cgi_omega=$(cgi_time omega)
    else
        echo "bench-serve: Omega's CGI answered no results: see $B/log/omega-sample.html" >&2
    fi
fi

{
    echo "rubric-serve on loopback: $(grep -c . $B/queries.enc) bench queries cycled, wrk -t1, ${secs} s a row,"
    echo "2 server threads, $(nproc) processors, load $(cut -d' ' -f1 /proc/loadavg) at the end"
    echo
    echo "| answers | connections | requests/s | p50 ms | p99 ms | errors |"
    echo "|---|---|---|---|---|---|"
    while read -r mode row rps p50 p99 err; do
        what="searched"
        [ $mode = cached ] && what="default (cache)"
        echo "| $what | ${row#c} | $rps | $p50 | $p99 | $err |"
    done < $B/results.txt
    echo
    echo "memory over $longreq requests (8 connections, default): RSS $((rss0 / 1024)) MB before, $((rss1 / 1024)) MB after"
    echo "(growth $(( (rss1 - rss0) / 1024 )) MB, $(( rss1 - rss0 )) kB), peak $((hwm / 1024)) MB; errors $longerr"
    echo "CGI, one process a request: rubric-serve $cgi_rubric ms (the API, ten sections), $cgi_page ms"
    echo "(the results page, ten pages of up to three sections); Omega $cgi_omega ms (its page, ten pages)"
    echo
    awk -v cr=$cgi_rubric -v co=$cgi_omega -v grow=$((rss1 - rss0)) -v lerr=$longerr -v conns=64 '
        { e += $6 }
        $1 == "cached" && $2 == "c1" { p50_1 = $4; r1 = $3 } $1 == "cached" && $2 == "c8" { r8 = $3 }
        $1 == "cached" && $2 == "c64" { p99_64 = $5; r64 = $3 }
        $1 == "fresh" && $2 == "c1" { fp50_1 = $4; fr1 = $3 } $1 == "fresh" && $2 == "c8" { fr8 = $3 }
        $1 == "fresh" && $2 == "c64" { fp99_64 = $5; fr64 = $3 }
        function row(what, got, ok) { printf "  %-44s %-12s %s\n", what, got, ok ? "met" : "MISSED" }
        END {
            print "targets, as the server runs by default (every request searched, beside):"
            row("p50 at 1 connection <= 1 ms", p50_1 " ms (" fp50_1 ")", p50_1 <= 1)
            row("8 connections >= 1.6x one connection",
                sprintf("%.2fx (%.2fx)", r1 ? r8 / r1 : 0, fr1 ? fr8 / fr1 : 0), r1 && r8 / r1 >= 1.6)
            row("p99 at 64 connections <= 10 ms", p99_64 " ms (" fp99_64 ")", p99_64 <= 10)
            # wrk keeps every connection busy: by the law of Little the mean wait is
            # the connections over the throughput, whatever the server does.
            if (fr64) printf "  %-44s %s\n", "(searched: 64 / the throughput at 64:", sprintf("%.1f ms)", 64000 / fr64)
            row("0 errors", e + lerr, e + lerr == 0)
            row("RSS growth < 5 MB over 100,000 requests", sprintf("%.1f MB", grow / 1024), grow < 5 * 1024)
            if (co == "n/a") row("CGI no slower than Omega CGI", "n/a", 0)
            else row("CGI (ten results) no slower than Omega CGI", cr " vs " co " ms", cr <= co)
        }' $B/results.txt
} | tee $B/table.txt
