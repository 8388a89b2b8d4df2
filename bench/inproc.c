/* inproc.c: the in-process measurements of `make bench`, and a timer of
 * processes.
 *
 *   build/bench-inproc analysis RUNS PATH...
 *       Reads the passages of PATHs (bench/common.h's walk, rubric_doc_read),
 *       keeps all their text in memory, then RUNS times each: rubric's
 *       analysis chain (rubric_analyzer_run, a new "english" analyzer per run,
 *       so its word cache starts cold) and Xapian's TermGenerator with its
 *       English stemmer into a throwaway document (ref_count), over
 *       every passage's text. Prints, per engine, the median time and the
 *       words each counted:
 *         analysis rubric|termgen BYTES WORDS SECONDS PASSAGES
 *
 *   build/bench-inproc query RUNS DB QUERIES
 *       Opens DB once (rubric_db_open), then runs each query of the file
 *       QUERIES (one a line; empty lines and lines starting with '#' skipped)
 *       through rubric_search (limit 10, snippets, each hit's snippet also
 *       escaped to HTML as rubric-query --json does): one warm-up pass, then
 *       RUNS timed passes. Prints the medians over the passes of each pass's
 *       50th and 99th percentile latency:
 *         query rubric NQUERIES P50_MS P99_MS
 *       and the five slowest queries on stderr.
 *
 *   build/bench-inproc spawn RUNS NAME QUERIES COMMAND ARG...
 *       Runs COMMAND once per query, the argument "{}" replaced by the query,
 *       output thrown away, and times each from fork to exit (one warm-up
 *       pass of the first 10 queries, then RUNS passes). Prints
 *         spawn NAME NQUERIES P50_MS P99_MS FAILURES
 *       (FAILURES: runs that exited with a status other than 0).
 *
 *   build/bench-inproc run LOG COMMAND ARG...
 *       Runs COMMAND once, its output into the file LOG, and prints its wall
 *       time, CPU time (user + system) and peak resident memory, from wait4's
 *       resource usage of the child:
 *         WALL_S CPU_S MAXRSS_KB
 *       Exits with COMMAND's exit status (127 when it could not be run).
 *
 * Exit status: 0 done, 1 failure, 2 usage error.
 */
#define _DEFAULT_SOURCE 1 /* wait4() */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "xapian_ref.h"

/* -------------------------------------------------------------- analysis */

typedef struct texts {
    char **text;
    size_t *len;
    size_t n, bytes;
} texts;

static int keep_text(void *ctx, const char *path, const rubric_doc *doc)
{
    (void)path;
    texts *t = ctx;
    for (size_t i = 0; i < rubric_doc_count(doc); i++) {
        const rubric_passage *p = rubric_doc_passage(doc, i);
        t->text = bench_xrealloc(t->text, (t->n + 1) * sizeof *t->text);
        t->len = bench_xrealloc(t->len, (t->n + 1) * sizeof *t->len);
        t->text[t->n] = bench_xrealloc(NULL, p->text_len + 1);
        memcpy(t->text[t->n], p->text, p->text_len);
        t->text[t->n][p->text_len] = '\0';
        t->len[t->n] = p->text_len;
        t->bytes += p->text_len;
        t->n++;
    }
    return 0;
}

/* Words: tokens that are not parts of the word before them (rubric_token.sub). */
static int count_word(void *ctx, const rubric_token *tok)
{
    if (!tok->sub)
        (*(size_t *)ctx)++;
    return 0;
}

static int analysis(int runs, char **paths, int npaths)
{
    texts t;
    memset(&t, 0, sizeof t);
    for (int i = 0; i < npaths; i++)
        bench_walk(paths[i], keep_text, &t);
    if (!t.n) {
        fputs("bench-inproc: no passages\n", stderr);
        return 1;
    }
    double *rt = bench_xrealloc(NULL, (size_t)runs * sizeof *rt);
    double *xt = bench_xrealloc(NULL, (size_t)runs * sizeof *xt);
    size_t rwords = 0, xwords = 0;
    for (int r = 0; r < runs; r++) {
        rubric_analyzer *an = NULL;
        if (rubric_analyzer_new("english", &an) != RUBRIC_OK) {
            fputs("bench-inproc: cannot create an analyzer\n", stderr);
            return 1;
        }
        size_t words = 0;
        double t0 = bench_now();
        for (size_t i = 0; i < t.n; i++)
            rubric_analyzer_run(an, t.text[i], t.len[i], count_word, &words);
        rt[r] = bench_now() - t0;
        rubric_analyzer_free(an);
        rwords = words;

        words = 0;
        t0 = bench_now();
        for (size_t i = 0; i < t.n; i++)
            words += ref_count(t.text[i], t.len[i], NULL);
        xt[r] = bench_now() - t0;
        xwords = words;
    }
    printf("analysis rubric %zu %zu %.6f %zu\n", t.bytes, rwords,
           bench_quantile(rt, (size_t)runs, 0.5), t.n);
    printf("analysis termgen %zu %zu %.6f %zu\n", t.bytes, xwords,
           bench_quantile(xt, (size_t)runs, 0.5), t.n);
    fprintf(stderr, "bench-inproc: %zu passages, %.1f MB of text\n", t.n, (double)t.bytes / 1e6);
    for (size_t i = 0; i < t.n; i++)
        free(t.text[i]);
    free(t.text);
    free(t.len);
    free(rt);
    free(xt);
    return 0;
}

/* Medians over the passes of each pass's p50 and p99 (times in seconds). */
static void pass_quantiles(double *times, size_t n, int runs, double *p50, double *p99)
{
    double *a = bench_xrealloc(NULL, (size_t)runs * sizeof *a);
    double *b = bench_xrealloc(NULL, (size_t)runs * sizeof *b);
    for (int r = 0; r < runs; r++) {
        a[r] = bench_quantile(times + (size_t)r * n, n, 0.5);
        b[r] = bench_quantile(times + (size_t)r * n, n, 0.99);
    }
    *p50 = bench_quantile(a, (size_t)runs, 0.5);
    *p99 = bench_quantile(b, (size_t)runs, 0.5);
    free(a);
    free(b);
}

static int query(int runs, const char *dbpath, const char *file)
{
    bench_queries qs;
    if (bench_load_queries(file, &qs) < 0)
        return 1;
    rubric_db *db = NULL;
    char *err = NULL;
    int rc = rubric_db_open(dbpath, &db, &err);
    if (rc != RUBRIC_OK) {
        fprintf(stderr, "bench-inproc: %s: %s\n", dbpath, err ? err : rubric_strerror(rc));
        free(err);
        bench_free_queries(&qs);
        return 1;
    }
    rubric_search_opts opts;
    rubric_search_opts_init(&opts);
    opts.limit = 10;
    double *times = bench_xrealloc(NULL, (size_t)runs * qs.n * sizeof *times);
    size_t errors = 0, hits = 0;
    for (int r = -1; r < runs; r++) {
        for (size_t i = 0; i < qs.n; i++) {
            double t0 = bench_now();
            rubric_results *res = NULL;
            rc = rubric_search(db, qs.q[i], strlen(qs.q[i]), &opts, &res, &err);
            if (rc == RUBRIC_OK) {
                for (size_t k = 0; k < rubric_results_count(res); k++)
                    free(rubric_hit_snippet_html(rubric_results_hit(res, k)));
                if (r < 0)
                    hits += rubric_results_count(res);
            } else if (r < 0) {
                fprintf(stderr, "bench-inproc: '%s': %s\n", qs.q[i], err ? err : rubric_strerror(rc));
                errors++;
            }
            free(err);
            err = NULL;
            rubric_results_free(res);
            if (r >= 0)
                times[(size_t)r * qs.n + i] = bench_now() - t0;
        }
    }
    /* The slowest queries (by their best pass), for whoever wants to know why. */
    double *best = bench_xrealloc(NULL, qs.n * sizeof *best);
    for (size_t i = 0; i < qs.n; i++) {
        best[i] = times[i];
        for (int r = 1; r < runs; r++)
            if (times[(size_t)r * qs.n + i] < best[i])
                best[i] = times[(size_t)r * qs.n + i];
    }
    for (int k = 0; k < 5 && (size_t)k < qs.n; k++) {
        size_t w = 0;
        for (size_t i = 1; i < qs.n; i++)
            if (best[i] > best[w])
                w = i;
        fprintf(stderr, "bench-inproc: slow: %.2f ms '%s'\n", best[w] * 1e3, qs.q[w]);
        best[w] = -1;
    }
    free(best);
    double p50, p99;
    pass_quantiles(times, qs.n, runs, &p50, &p99);
    printf("query rubric %zu %.3f %.3f\n", qs.n, p50 * 1e3, p99 * 1e3);
    fprintf(stderr, "bench-inproc: %zu queries, %zu hits shown, %zu errors\n", qs.n, hits, errors);
    free(times);
    rubric_db_close(db);
    bench_free_queries(&qs);
    return 0;
}

/* ----------------------------------------------------------------- spawn */

/* Run ARGV with "{}" replaced by Q; its exit status, or -1. */
static int run_once(char **argv, int argc, const char *q)
{
    char **args = bench_xrealloc(NULL, ((size_t)argc + 1) * sizeof *args);
    for (int i = 0; i < argc; i++)
        args[i] = strcmp(argv[i], "{}") == 0 ? (char *)q : argv[i];
    args[argc] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execvp(args[0], args);
        _exit(127);
    }
    free(args);
    if (pid < 0)
        return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int spawn(int runs, const char *name, const char *file, char **argv, int argc)
{
    bench_queries qs;
    if (bench_load_queries(file, &qs) < 0)
        return 1;
    double *times = bench_xrealloc(NULL, (size_t)runs * qs.n * sizeof *times);
    size_t failures = 0;
    for (size_t i = 0; i < qs.n && i < 10; i++)
        run_once(argv, argc, qs.q[i]);
    for (int r = 0; r < runs; r++) {
        for (size_t i = 0; i < qs.n; i++) {
            double t0 = bench_now();
            int st = run_once(argv, argc, qs.q[i]);
            times[(size_t)r * qs.n + i] = bench_now() - t0;
            if (st != 0) {
                if (r == 0)
                    fprintf(stderr, "bench-inproc: %s: exit %d for '%s'\n", name, st, qs.q[i]);
                failures++;
            }
        }
    }
    double p50, p99;
    pass_quantiles(times, qs.n, runs, &p50, &p99);
    printf("spawn %s %zu %.3f %.3f %zu\n", name, qs.n, p50 * 1e3, p99 * 1e3, failures);
    free(times);
    bench_free_queries(&qs);
    return 0;
}

/* ------------------------------------------------------------------ run */

static int run_timed(const char *log, char **argv)
{
    fflush(stdout);
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    if (pid < 0) {
        fprintf(stderr, "bench-inproc: fork: %s\n", strerror(errno));
        return 127;
    }
    int st;
    struct rusage ru;
    while (wait4(pid, &st, 0, &ru) < 0)
        if (errno != EINTR)
            return 127;
    double wall = bench_now() - t0;
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("%.4f %.4f %ld\n", wall, cpu, ru.ru_maxrss);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 127;
}

int main(int argc, char **argv)
{
    static const char usage_text[] = "usage: bench-inproc analysis RUNS PATH...\n"
                                     "       bench-inproc query RUNS DB QUERIES\n"
                                     "       bench-inproc spawn RUNS NAME QUERIES COMMAND ARG...\n"
                                     "       bench-inproc run LOG COMMAND ARG...\n";
    if (argc >= 4 && strcmp(argv[1], "run") == 0)
        return run_timed(argv[2], argv + 3);
    int runs = argc > 2 ? atoi(argv[2]) : 0;
    if (argc < 4 || runs < 1) {
        fputs(usage_text, stderr);
        return 2;
    }
    if (strcmp(argv[1], "analysis") == 0)
        return analysis(runs, argv + 3, argc - 3);
    if (strcmp(argv[1], "query") == 0 && argc == 5)
        return query(runs, argv[3], argv[4]);
    if (strcmp(argv[1], "spawn") == 0 && argc >= 6)
        return spawn(runs, argv[3], argv[4], argv + 5, argc - 5);
    fputs(usage_text, stderr);
    return 2;
}
