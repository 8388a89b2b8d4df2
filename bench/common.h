/* common.h: what the benchmark's C programs (bench/floor.c, bench/inproc.c,
 * bench/fts5.c, bench/wire.c) share: a clock, a file of queries, and rubric-index's walk over a site (files or
 * directories recursively, in name order, hidden entries skipped, files no
 * reader handles left out) with each file read into rubric's passages by
 * rubric_doc_read(). Files are read by the library's own read_file().
 * Header-only: each program includes it once.
 */
#ifndef RUBRIC_BENCH_COMMON_H
#define RUBRIC_BENCH_COMMON_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "internal.h"
#include "rubric.h"

static inline double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void *bench_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("bench: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

/* Called with each file's passages (the document is freed after the call);
 * a nonzero return stops the walk. */
typedef int (*bench_doc_fn)(void *ctx, const char *path, const rubric_doc *doc);

typedef struct bench_walk_ctx {
    const char *tool;  /* names the messages on stderr */
    bench_doc_fn fn;
    void *ctx;
    unsigned long skipped;
} bench_walk_ctx;

/* cli_walk's callback (its context a bench_walk_ctx): the file read into
 * passages, then handed to FN; a file that cannot be read is named and
 * counted as skipped. */
static inline int bench_read_doc(void *ctx, const char *path, const char *rel)
{
    (void)rel;
    bench_walk_ctx *b = ctx;
    size_t len = 0;
    char *data = NULL;
    int e = read_file(path, SIZE_MAX, &data, &len);
    if (e) {
        fprintf(stderr, "%s: skipped '%s': %s\n", b->tool, path, read_file_error(e));
        b->skipped++;
        return 0;
    }
    rubric_doc *doc = NULL;
    char *err = NULL;
    int rc = rubric_doc_read(path, data, len, &doc, &err);
    free(data);
    if (rc != RUBRIC_OK) {
        fprintf(stderr, "%s: skipped '%s': %s\n", b->tool, path, err ? err : rubric_strerror(rc));
        free(err);
        b->skipped++;
        return 0;
    }
    rc = b->fn(b->ctx, path, doc);
    rubric_doc_free(doc);
    return rc;
}

/* Walk PATH as rubric-index does (lib/walk.c); returns the number of files
 * skipped. */
static inline unsigned long bench_walk(const char *path, bench_doc_fn fn, void *ctx)
{
    bench_walk_ctx b = {"bench", fn, ctx, 0};
    cli_walk w = {"bench", path, NULL, NULL, NULL, bench_read_doc, NULL, &b, 0, 0, NULL};
    cli_walk_run(&w);
    return b.skipped + w.skipped;
}

static inline int bench_by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The Q-quantile (0..1) of N values, sorting them: the nearest rank. */
static inline double bench_quantile(double *v, size_t n, double q)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, bench_by_value);
    size_t i = (size_t)ceil(q * (double)n);
    if (i > 0)
        i--;
    if (i >= n)
        i = n - 1;
    return v[i];
}

/* A file of queries, one a line; empty lines and lines beginning with "#"
 * are skipped. -1, said on stderr, when it cannot be read or holds none. */
typedef struct bench_queries {
    char **q;
    size_t n;
} bench_queries;

static inline int bench_load_queries(const char *file, bench_queries *qs)
{
    size_t len = 0;
    char *data = NULL;
    int e = read_file(file, SIZE_MAX, &data, &len);
    if (e) {
        fprintf(stderr, "bench: %s: %s\n", file, read_file_error(e));
        return -1;
    }
    memset(qs, 0, sizeof *qs);
    for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = '\0';
        if (!n || line[0] == '#')
            continue;
        qs->q = bench_xrealloc(qs->q, (qs->n + 1) * sizeof *qs->q);
        qs->q[qs->n] = bench_xrealloc(NULL, n + 1);
        memcpy(qs->q[qs->n++], line, n + 1);
    }
    free(data);
    if (!qs->n) {
        fprintf(stderr, "bench: %s: no queries\n", file);
        return -1;
    }
    return 0;
}

static inline void bench_free_queries(bench_queries *qs)
{
    for (size_t i = 0; i < qs->n; i++)
        free(qs->q[i]);
    free(qs->q);
}

#endif
