/* wire.c: the messages a search sends to remote shards, counted.
 *
 *   build/bench-wire QUERIES PORT...
 *       Puts a counting relay (tests/wire.h) in front of each xapian-tcpsrv
 *       listening on 127.0.0.1:PORT, opens a stub naming the relays as one
 *       set (rubric_db_open), and runs each query of the file QUERIES (one a
 *       line; empty lines and lines starting with '#' skipped) through
 *       rubric_search in four modes: plain (limit 10, snippets), explain,
 *       per-article 2 and prefix (search as you type). Each mode opens the
 *       set afresh and counts one pass after the open, as a server that
 *       keeps the set open would send them: what the set keeps between
 *       searches (metadata, frequencies) while no shard moves on is asked
 *       once in the pass. Prints a line per mode:
 *         wire MODE NQUERIES MSGS TRIPS TERMFREQ DOCUMENT QUERY GETMSET REOPEN TERMLIST DOCLENGTH ALLTERMS OTHER
 *       every figure a mean per query over all the shards: MSGS the messages
 *       sent, TRIPS the round trips (a message sent after waiting for a
 *       reply; those sent to several shards before any reply is read count
 *       once per shard), then the messages of each type, OTHER the rest.
 *
 * Exit status: 0 done, 1 failure, 2 usage error.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "wire.h"

#define MAX_SHARDS 16

enum { MODE_PLAIN, MODE_EXPLAIN, MODE_PER_ARTICLE, MODE_PREFIX, MODES };
static const char *const mode_names[MODES] = {"plain", "explain", "per-article-2", "prefix"};

static void run(rubric_db *db, char **q, size_t n, int mode)
{
    rubric_search_opts o;
    rubric_search_opts_init(&o);
    o.limit = 10;
    o.explain = mode == MODE_EXPLAIN;
    o.per_article = mode == MODE_PER_ARTICLE ? 2 : 0;
    o.prefix = mode == MODE_PREFIX;
    for (size_t i = 0; i < n; i++) {
        rubric_results *res = NULL;
        char *err = NULL;
        int rc = rubric_search(db, q[i], strlen(q[i]), &o, &res, &err);
        if (rc != RUBRIC_OK)
            fprintf(stderr, "bench-wire: '%s': %s\n", q[i], err ? err : rubric_strerror(rc));
        free(err);
        rubric_results_free(res);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc - 2 > MAX_SHARDS) {
        fprintf(stderr, "usage: bench-wire QUERIES PORT... (1 to %d ports)\n", MAX_SHARDS);
        return 2;
    }
    bench_queries qs;
    if (bench_load_queries(argv[1], &qs) < 0)
        return 1;
    char **q = qs.q;
    size_t nq = qs.n;
    int nw = argc - 2;
    wire *w[MAX_SHARDS];
    char stub[] = "/tmp/bench-wire-XXXXXX";
    int fd = mkstemp(stub);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        perror("bench-wire: stub");
        return 1;
    }
    for (int k = 0; k < nw; k++) {
        int port;
        if (!(w[k] = wire_start(atoi(argv[2 + k]), &port))) {
            fprintf(stderr, "bench-wire: no relay for port %s\n", argv[2 + k]);
            return 1;
        }
        fprintf(f, "remote 127.0.0.1:%d\n", port);
    }
    fclose(f);
    static const int shown[] = {WIRE_TERMFREQ, WIRE_DOCUMENT, WIRE_QUERY,     WIRE_GETMSET,
                                WIRE_REOPEN,   WIRE_TERMLIST, WIRE_DOCLENGTH, WIRE_ALLTERMS};
    int status = 0;
    for (int m = 0; m < MODES && status == 0; m++) {
        rubric_db *db = NULL;
        char *err = NULL;
        int rc = rubric_db_open(stub, &db, &err);
        if (rc != RUBRIC_OK) {
            fprintf(stderr, "bench-wire: %s\n", err ? err : rubric_strerror(rc));
            free(err);
            status = 1;
            break;
        }
        for (int k = 0; k < nw; k++)
            wire_reset(w[k]);
        run(db, q, nq, m);
        rubric_db_close(db);
        wire_counts sum;
        memset(&sum, 0, sizeof sum);
        for (int k = 0; k < nw; k++) {
            wire_counts c;
            wire_read(w[k], &c);
            for (int t = 0; t < WIRE_TYPES; t++)
                sum.msgs[t] += c.msgs[t];
            sum.other += c.other;
            sum.total += c.total;
            sum.trips += c.trips;
        }
        unsigned long rest = sum.total;
        printf("wire %s %zu %.1f %.1f", mode_names[m], nq, (double)sum.total / nq,
               (double)sum.trips / nq);
        for (size_t t = 0; t < sizeof shown / sizeof *shown; t++) {
            printf(" %.1f", (double)sum.msgs[shown[t]] / nq);
            rest -= sum.msgs[shown[t]];
        }
        printf(" %.1f\n", (double)rest / nq);
    }
    unlink(stub); /* read again before each search, to see whether it changed */
    for (int k = 0; k < nw; k++)
        wire_stop(w[k]);
    bench_free_queries(&qs);
    return status;
}
