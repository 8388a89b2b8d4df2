/* common.h: what the benchmark's C programs (bench/floor.c, bench/inproc.c)
 * share: a clock, reading a file, and rubric-index's walk over a site (files
 * or directories recursively, in name order, hidden entries skipped, files no
 * reader handles left out) with each file read into rubric's passages by
 * rubric_doc_read(). Header-only: each program includes it once.
 */
#ifndef RUBRIC_BENCH_COMMON_H
#define RUBRIC_BENCH_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

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

static inline int bench_by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk PATH as rubric-index does; returns the number of files skipped. */
static inline unsigned long bench_walk(const char *path, int explicit, bench_doc_fn fn, void *ctx)
{
    struct stat st;
    if ((explicit ? stat(path, &st) : lstat(path, &st)) < 0) {
        fprintf(stderr, "bench: skipped '%s': %s\n", path, strerror(errno));
        return 1;
    }
    if (S_ISLNK(st.st_mode) && (stat(path, &st) < 0 || S_ISDIR(st.st_mode)))
        return 0;
    unsigned long skipped = 0;
    if (S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(path);
        if (!dir) {
            fprintf(stderr, "bench: skipped '%s': %s\n", path, strerror(errno));
            return 1;
        }
        char **names = NULL;
        size_t n = 0;
        struct dirent *e;
        size_t plen = strlen(path);
        int slash = plen > 0 && path[plen - 1] == '/';
        while ((e = readdir(dir))) {
            if (e->d_name[0] == '.')
                continue;
            names = bench_xrealloc(names, (n + 1) * sizeof *names);
            char *full = bench_xrealloc(NULL, plen + strlen(e->d_name) + 2);
            sprintf(full, "%s%s%s", path, slash ? "" : "/", e->d_name);
            names[n++] = full;
        }
        closedir(dir);
        qsort(names, n, sizeof *names, bench_by_name);
        for (size_t i = 0; i < n; i++) {
            skipped += bench_walk(names[i], 0, fn, ctx);
            free(names[i]);
        }
        free(names);
        return skipped;
    }
    if (!rubric_doc_supported(path))
        return 0;
    size_t len = 0;
    char *data = bench_read_file(path, &len);
    if (!data) {
        fprintf(stderr, "bench: skipped '%s': %s\n", path, strerror(errno));
        return 1;
    }
    rubric_doc *doc = NULL;
    char *err = NULL;
    int rc = rubric_doc_read(path, data, len, &doc, &err);
    if (rc != RUBRIC_OK) {
        fprintf(stderr, "bench: skipped '%s': %s\n", path, err ? err : rubric_strerror(rc));
        free(err);
        free(data);
        return 1;
    }
    fn(ctx, path, doc);
    rubric_doc_free(doc);
    free(data);
    return 0;
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
