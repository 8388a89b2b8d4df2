/* common.h: what the benchmark's C programs (bench/floor.c, bench/inproc.c)
 * share: a clock, reading a file, and rubric-index's walk over a site (files
 * or directories recursively, in name order, hidden entries skipped, files no
 * reader handles left out) with each file read into rubric's passages by
 * rubric_doc_read(). Header-only: each program includes it once.
 */
#ifndef RUBRIC_BENCH_COMMON_H
#define RUBRIC_BENCH_COMMON_H

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
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

static inline char *bench_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f)
        return NULL;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        errno = EINVAL;
        return NULL;
    }
    char *data = bench_xrealloc(NULL, (size_t)st.st_size + 1);
    size_t got = fread(data, 1, (size_t)st.st_size, f);
    fclose(f);
    if (got != (size_t)st.st_size) {
        free(data);
        errno = EIO;
        return NULL;
    }
    data[got] = '\0';
    *len = got;
    return data;
}

/* Called with each file's passages (the document is freed after the call). */
typedef void (*bench_doc_fn)(void *ctx, const char *path, const rubric_doc *doc);

typedef struct bench_walk_ctx {
    bench_doc_fn fn;
    void *ctx;
    unsigned long skipped;
} bench_walk_ctx;

/* cli_walk's callback: the file read into passages, then handed to FN. */
static inline int bench_read_doc(void *ctx, const char *path, const char *rel)
{
    (void)rel;
    bench_walk_ctx *b = ctx;
    size_t len = 0;
    char *data = bench_read_file(path, &len);
    if (!data) {
        fprintf(stderr, "bench: skipped '%s': %s\n", path, strerror(errno));
        b->skipped++;
        return 0;
    }
    rubric_doc *doc = NULL;
    char *err = NULL;
    int rc = rubric_doc_read(path, data, len, &doc, &err);
    if (rc != RUBRIC_OK) {
        fprintf(stderr, "bench: skipped '%s': %s\n", path, err ? err : rubric_strerror(rc));
        free(err);
        free(data);
        b->skipped++;
        return 0;
    }
    b->fn(b->ctx, path, doc);
    rubric_doc_free(doc);
    free(data);
    return 0;
}

/* Walk PATH as rubric-index does (lib/cli.c's walk); returns the number of
 * files skipped. */
static inline unsigned long bench_walk(const char *path, bench_doc_fn fn, void *ctx)
{
    bench_walk_ctx b = {fn, ctx, 0};
    cli_walk w = {"bench", path, NULL, NULL, NULL, bench_read_doc, &b, 0, 0};
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

#endif
