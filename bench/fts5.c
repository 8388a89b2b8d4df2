/* fts5.c: SQLite FTS5 as a baseline for rubric's ranking, over the very same
 * passages and judged queries.
 *
 *   build/fts5-eval --index DB.sqlite [--include GLOB] [--exclude GLOB] [--boilerplate] PATH...
 *   build/fts5-eval --db DB.sqlite [--prefix P] [-v] FILE.tsv...
 *   build/fts5-eval --db DB.sqlite --queries FILE [--runs N]
 *
 * --index walks PATHs as rubric-index does (files, or directories recursively
 * in name order; hidden entries skipped; --include/--exclude globs matched
 * against the path under its PATH, '*' also matching '/'), reads each file a
 * rubric reader handles with rubric_doc_read(), so FTS5 gets exactly rubric's
 * passages, and writes every passage that is not boilerplate (rubric hides
 * those by default) into a new DB (an existing one is replaced), in one
 * transaction, as rows of
 *
 *   passages(title, trail, body, path UNINDEXED, anchor UNINDEXED)
 *   tokenize = 'porter unicode61 remove_diacritics 2'
 *
 * (trail: the enclosing headings joined by " > "; path: the path as walked,
 * or a JSON Lines record's own path, as rubric stores it).
 *
 * --db runs each judged query: its words (UAX #29 segments, rubric_segment(),
 * at most the first 32 as rubric keeps) each quoted as an FTS5 string and
 * joined by spaces (AND); when that matches nothing, joined by OR (rubric
 * falls back the same way). Rows are ranked by bm25(passages, 2.0, 0.5, 1.0)
 * (a title match weighs 2, a trail match 0.5, a body match 1, as in rubric),
 * first 10. Results are judged by tests/judge.c, exactly as build/eval judges
 * rubric's (sections, and the pages they are on; --prefix as build/eval's),
 * and printed in the same format, with the median time of a query
 * (SQLite's part only: both attempts, not the judging) under each file's
 * figures.
 *
 * --boilerplate (for `make bench`) writes the boilerplate passages too, so
 * that FTS5 indexes as much text as rubric-index does.
 *
 * --queries (for `make bench`) times plain queries, one a line of FILE
 * (empty lines and lines starting with '#' skipped): words outside double
 * quotes each an FTS5 string, the words of a "quoted phrase" one FTS5
 * phrase, all joined by AND, then OR when AND matches nothing (as for judged
 * queries), the first 10 rows by the same bm25() with each one's snippet()
 * of the body (as rubric makes a snippet per hit). One warm-up pass, then N
 * timed passes (default 3); prints the medians over the passes of each
 * pass's 50th and 99th percentile latency, in milliseconds:
 *   query fts5 NQUERIES P50_MS P99_MS
 *
 * Exit status: 0 done, 1 some inputs skipped or a file could not be read,
 * 2 usage error, 4 the database cannot be opened or written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common.h"
#include "config.h"
#include "judge.h"

#define QUERY_MAX_WORDS 32

static const char usage_text[] =
    "usage: fts5-eval --index DB.sqlite [--include GLOB] [--exclude GLOB] [--boilerplate] PATH...\n"
    "       fts5-eval --db DB.sqlite [--prefix P] [-v] FILE.tsv...\n"
    "       fts5-eval --db DB.sqlite --queries FILE [--runs N]\n"
    "--index puts rubric's passages of PATHs into an SQLite FTS5 table;\n"
    "--db runs judged queries against it and prints success@1, success@10\n"
    "and MRR@10 per file, of sections and of pages, as build/eval does for rubric;\n"
    "--queries times plain queries (make bench).\n";

static void out_of_memory(void)
{
    fputs("fts5-eval: out of memory\n", stderr);
    exit(1);
}

/* The library's growable strings (buf, internal.h), out of memory fatal. */
static void add(buf *b, const char *s, size_t n)
{
    if (buf_add(b, s, n) < 0)
        out_of_memory();
}

static void adds(buf *b, const char *s)
{
    add(b, s, strlen(s));
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* ------------------------------------------------------------------ indexing */

typedef struct run {
    sqlite3 *db;
    sqlite3_stmt *insert;
    unsigned long files, skipped, passages, boilerplate;
    int fatal;
    int keep_boilerplate; /* --boilerplate: write those passages too */
} run;

/* The walk's callback: the passages of PATH's DOC into the table; nonzero
 * stops. */
static int index_doc(void *ctx, const char *path, const rubric_doc *doc)
{
    run *r = ctx;
    buf trail = {0};
    for (size_t i = 0; i < rubric_doc_count(doc) && !r->fatal; i++) {
        const rubric_passage *p = rubric_doc_passage(doc, i);
        if (p->boilerplate && !r->keep_boilerplate) {
            r->boilerplate++;
            continue;
        }
        trail.len = 0;
        adds(&trail, "");
        for (size_t t = 0; t < p->ntrail; t++) {
            if (t)
                adds(&trail, " > ");
            adds(&trail, p->trail[t]);
        }
        sqlite3_stmt *st = r->insert;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, p->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, trail.data, (int)trail.len, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, p->text, (int)p->text_len, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, p->path ? p->path : path, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, p->anchor, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) {
            fprintf(stderr, "fts5-eval: cannot insert a passage of '%s': %s\n", path,
                    sqlite3_errmsg(r->db));
            r->fatal = 1;
        }
        r->passages++;
    }
    buf_free(&trail);
    r->files++;
    return r->fatal;
}

static int exec_sql(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "fts5-eval: %s: %s\n", sql, err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return -1;
    }
    return 0;
}

static int build_index(const char *dbpath, char **include, char **exclude, int boilerplate,
                       char **paths, int npaths)
{
    double t0 = now_us();
    if (unlink(dbpath) < 0 && errno != ENOENT) {
        fprintf(stderr, "fts5-eval: cannot replace %s: %s\n", dbpath, strerror(errno));
        return 4;
    }
    run r;
    memset(&r, 0, sizeof r);
    r.keep_boilerplate = boilerplate;
    if (sqlite3_open_v2(dbpath, &r.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        fprintf(stderr, "fts5-eval: %s: %s\n", dbpath, sqlite3_errmsg(r.db));
        sqlite3_close(r.db);
        return 4;
    }
    static const char insert_sql[] =
        "INSERT INTO passages(title, trail, body, path, anchor) VALUES (?, ?, ?, ?, ?)";
    if (exec_sql(r.db, "CREATE VIRTUAL TABLE passages USING fts5(title, trail, body, "
                       "path UNINDEXED, anchor UNINDEXED, "
                       "tokenize = 'porter unicode61 remove_diacritics 2')") < 0 ||
        exec_sql(r.db, "BEGIN") < 0 ||
        sqlite3_prepare_v2(r.db, insert_sql, -1, &r.insert, NULL) != SQLITE_OK) {
        if (r.db && !r.insert)
            fprintf(stderr, "fts5-eval: %s\n", sqlite3_errmsg(r.db));
        sqlite3_close(r.db);
        return 4;
    }
    for (int i = 0; i < npaths && !r.fatal; i++) {
        /* The very walk rubric-index makes. */
        bench_walk_ctx b = {"fts5-eval", index_doc, &r, 0};
        cli_walk w = {"fts5-eval", paths[i], include, exclude, NULL, bench_read_doc, NULL, &b, 0, 0, NULL};
        cli_walk_run(&w);
        r.skipped += w.skipped + b.skipped;
    }
    sqlite3_finalize(r.insert);
    if (r.fatal || exec_sql(r.db, "COMMIT") < 0) {
        sqlite3_close(r.db);
        unlink(dbpath);
        return 4;
    }
    sqlite3_close(r.db);
    fprintf(stderr,
            "fts5-eval: %lu files, %lu passages written (%lu boilerplate left out), "
            "%lu skipped, %.2f s\n",
            r.files, r.passages, r.boilerplate, r.skipped, (now_us() - t0) / 1e6);
    return r.skipped ? 1 : 0;
}

/* ------------------------------------------------------------ FTS5 queries */

/* A query as FTS5 strings joined by AND, and by OR (the fallback). */
typedef struct fts_query {
    buf and_q, or_q;
    unsigned n;
} fts_query;

static void add_unit(fts_query *u, const buf *unit)
{
    if (u->n) {
        adds(&u->and_q, " ");
        adds(&u->or_q, " OR ");
    }
    add(&u->and_q, unit->data, unit->len);
    add(&u->or_q, unit->data, unit->len);
    u->n++;
}

/* Appends a word to an FTS5 string under construction ('"' doubled), so no
 * punctuation can make a syntax error. */
static void quote_word(buf *b, const rubric_token *t)
{
    for (size_t i = 0; i < t->word_len; i++)
        add(b, t->word[i] == '"' ? "\"\"" : &t->word[i], t->word[i] == '"' ? 2 : 1);
}

/* A word outside quotes: an FTS5 string of its own. */
static int single_word(void *ctx, const rubric_token *t)
{
    buf one = {0};
    adds(&one, "\"");
    quote_word(&one, t);
    adds(&one, "\"");
    add_unit(ctx, &one);
    buf_free(&one);
    return 0;
}

/* At most QUERY_MAX_WORDS words, each an FTS5 string of its own. */
static int add_word(void *ctx, const rubric_token *t)
{
    fts_query *w = ctx;
    return w->n == QUERY_MAX_WORDS ? 1 : single_word(ctx, t);
}

/* ------------------------------------------------------------------ querying */

typedef struct searcher {
    sqlite3 *db;
    judge_times times;  /* microseconds per query of the current file */
} searcher;

typedef struct hit {
    char *path, *anchor, *title;
} hit;

/* Run the FTS5 query MATCH: its first JUDGE_LIMIT rows into HITS; -1 on an
 * error (in ERR). */
static int fts_search(sqlite3 *db, const char *match, hit *hits, size_t *n, char *err,
                      size_t errlen)
{
    static const char sql[] = "SELECT path, anchor, title FROM passages WHERE passages MATCH ?"
                              " ORDER BY bm25(passages, 2.0, 0.5, 1.0) LIMIT 10";
    sqlite3_stmt *st = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < JUDGE_LIMIT) {
        hit *h = &hits[(*n)++];
        h->path = strdup((const char *)sqlite3_column_text(st, 0));
        h->anchor = strdup((const char *)sqlite3_column_text(st, 1));
        h->title = strdup((const char *)sqlite3_column_text(st, 2));
        if (!h->path || !h->anchor || !h->title)
            out_of_memory();
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

static void free_hits(hit *hits, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(hits[i].path);
        free(hits[i].anchor);
        free(hits[i].title);
    }
}

static judge_rank run_query(void *ctx, const char *query, const char *targets, char *first,
                            size_t firstlen)
{
    searcher *s = ctx;
    double t0 = now_us();
    fts_query w;
    memset(&w, 0, sizeof w);
    rubric_segment(query, strlen(query), add_word, &w);
    if (!w.n) {
        snprintf(first, firstlen, "(error: no words)");
        return (judge_rank){0, 0};
    }
    hit hits[JUDGE_LIMIT];
    size_t n = 0;
    char err[256];
    int rc = fts_search(s->db, w.and_q.data, hits, &n, err, sizeof err);
    if (rc == 0 && n == 0 && w.n > 1)
        rc = fts_search(s->db, w.or_q.data, hits, &n, err, sizeof err);
    double t = now_us() - t0;
    buf_free(&w.and_q);
    buf_free(&w.or_q);
    judge_time(&s->times, t);
    if (rc < 0) {
        snprintf(first, firstlen, "(error: %s)", err);
        return (judge_rank){0, 0};
    }
    if (n)
        snprintf(first, firstlen, "%s#%s \"%s\"", hits[0].path, hits[0].anchor, hits[0].title);
    else
        snprintf(first, firstlen, "(no results)");
    judge_hit judged[JUDGE_LIMIT];
    for (size_t i = 0; i < n; i++)
        judged[i] = (judge_hit){hits[i].path, hits[i].anchor};
    judge_rank rank = judge_hits(judged, n, targets);
    free_hits(hits, n);
    return rank;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int run_queries(const char *dbpath, int verbose, char **files, int nfiles)
{
    searcher s;
    memset(&s, 0, sizeof s);
    if (sqlite3_open_v2(dbpath, &s.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "fts5-eval: %s: %s\n", dbpath, sqlite3_errmsg(s.db));
        sqlite3_close(s.db);
        return 4;
    }
    judge_figures *figs = calloc((size_t)nfiles, sizeof *figs);
    int *ok = calloc((size_t)nfiles, sizeof *ok);
    if (!figs || !ok)
        out_of_memory();
    int status = 0;
    for (int i = 0; i < nfiles; i++) {
        ok[i] = judge_file(files[i], verbose, run_query, &s, &figs[i]) == 0;
        if (!ok[i]) {
            status = 1;
            continue;
        }
        double max, med = judge_times_median(&s.times, &max);
        if (max > 0)
            printf("   median %.0f us per query (max %.0f us)\n", med, max);
    }
    for (int i = 0; i < nfiles; i++)
        if (ok[i])
            judge_summary(files[i], &figs[i]);
    free(figs);
    free(ok);
    free(s.times.v);
    judge_cleanup();
    sqlite3_close(s.db);
    return status;
}

/* ------------------------------------------------------- timed plain queries */

/* A word of a quoted phrase: the phrase's words make one FTS5 string. */
static int phrase_word(void *ctx, const rubric_token *t)
{
    buf *b = ctx;
    if (b->len > 1)
        adds(b, " ");
    quote_word(b, t);
    return 0;
}

/* A plain query line as FTS5 AND and OR queries: quoted runs are phrases. */
static void plain_query(const char *line, fts_query *u)
{
    memset(u, 0, sizeof *u);
    const char *p = line;
    while (*p) {
        const char *q = strchr(p, '"');
        const char *end = q ? q : p + strlen(p);
        rubric_segment(p, (size_t)(end - p), single_word, u);
        if (!q)
            break;
        const char *close = strchr(q + 1, '"');
        const char *pend = close ? close : q + 1 + strlen(q + 1);
        buf ph = {0};
        adds(&ph, "\"");
        rubric_segment(q + 1, (size_t)(pend - q - 1), phrase_word, &ph);
        adds(&ph, "\"");
        if (ph.len > 2)
            add_unit(u, &ph);
        buf_free(&ph);
        p = close ? close + 1 : pend;
    }
}

/* Run MATCH with snippets; the number of rows, or -1. */
static int timed_search(sqlite3 *db, const char *match)
{
    static const char sql[] =
        "SELECT path, anchor, title, snippet(passages, 2, '<b>', '</b>', '...', 24)"
        " FROM passages WHERE passages MATCH ?"
        " ORDER BY bm25(passages, 2.0, 0.5, 1.0) LIMIT 10";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    int rc, n = 0;
    size_t bytes = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < 4; c++)
            bytes += (size_t)sqlite3_column_bytes(st, c);
        n++;
    }
    sqlite3_finalize(st);
    (void)bytes;
    return rc == SQLITE_DONE ? n : -1;
}

static int time_queries(const char *dbpath, const char *file, int runs)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "fts5-eval: %s: %s\n", file, strerror(errno));
        return 1;
    }
    fts_query *qs = NULL;
    size_t n = 0;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        fts_query u;
        plain_query(line, &u);
        if (!u.n) {
            fprintf(stderr, "fts5-eval: no words in '%s'\n", line);
            continue;
        }
        fts_query *p = realloc(qs, (n + 1) * sizeof *p);
        if (!p)
            out_of_memory();
        qs = p;
        qs[n++] = u;
    }
    fclose(f);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "fts5-eval: %s: %s\n", dbpath, sqlite3_errmsg(db));
        sqlite3_close(db);
        return 4;
    }
    double *times = malloc(((size_t)runs * n + 1) * sizeof *times);
    double *p50 = malloc(((size_t)runs + 1) * sizeof *p50);
    double *p99 = malloc(((size_t)runs + 1) * sizeof *p99);
    if (!times || !p50 || !p99)
        out_of_memory();
    size_t errors = 0;
    for (int r = -1; r < runs; r++) {
        for (size_t i = 0; i < n; i++) {
            double t0 = now_us();
            int rows = timed_search(db, qs[i].and_q.data);
            if (rows == 0 && qs[i].n > 1)
                rows = timed_search(db, qs[i].or_q.data);
            if (r >= 0)
                times[(size_t)r * n + i] = now_us() - t0;
            else if (rows < 0) {
                fprintf(stderr, "fts5-eval: '%s': %s\n", qs[i].and_q.data, sqlite3_errmsg(db));
                errors++;
            }
        }
    }
    for (int r = 0; r < runs && n; r++) {
        double *t = times + (size_t)r * n;
        qsort(t, n, sizeof *t, by_value);
        size_t i50 = (n + 1) / 2, i99 = (size_t)(0.99 * (double)n + 0.999999);
        p50[r] = t[(i50 ? i50 : 1) - 1];
        p99[r] = t[(i99 ? i99 : 1) - 1];
    }
    qsort(p50, (size_t)runs, sizeof *p50, by_value);
    qsort(p99, (size_t)runs, sizeof *p99, by_value);
    printf("query fts5 %zu %.3f %.3f\n", n, p50[(runs - 1) / 2] / 1e3, p99[(runs - 1) / 2] / 1e3);
    fprintf(stderr, "fts5-eval: %zu queries, %zu errors\n", n, errors);
    for (size_t i = 0; i < n; i++) {
        buf_free(&qs[i].and_q);
        buf_free(&qs[i].or_q);
    }
    free(qs);
    free(times);
    free(p50);
    free(p99);
    sqlite3_close(db);
    return errors ? 1 : 0;
}

/* ---------------------------------------------------------------------- main */

static void add_glob(char ***list, size_t *n, char *glob)
{
    char **p = realloc(*list, (*n + 2) * sizeof *p);
    if (!p)
        out_of_memory();
    p[(*n)++] = glob;
    p[*n] = NULL;
    *list = p;
}

int main(int argc, char **argv)
{
    enum { OPT_INCLUDE = 256, OPT_EXCLUDE, OPT_BOILERPLATE, OPT_QUERIES, OPT_RUNS };
    static const struct option longopts[] = {
        {"index", required_argument, NULL, 'i'},
        {"db", required_argument, NULL, 'd'},
        {"include", required_argument, NULL, OPT_INCLUDE},
        {"exclude", required_argument, NULL, OPT_EXCLUDE},
        {"prefix", required_argument, NULL, 'p'},
        {"boilerplate", no_argument, NULL, OPT_BOILERPLATE},
        {"queries", required_argument, NULL, OPT_QUERIES},
        {"runs", required_argument, NULL, OPT_RUNS},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *index_db = NULL, *query_db = NULL, *prefix = NULL, *timed = NULL;
    char **include = NULL, **exclude = NULL;
    size_t ninclude = 0, nexclude = 0;
    int verbose = 0, boilerplate = 0, runs = 3, c;
    while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'i': index_db = optarg; break;
        case 'd': query_db = optarg; break;
        case OPT_INCLUDE: add_glob(&include, &ninclude, optarg); break;
        case OPT_EXCLUDE: add_glob(&exclude, &nexclude, optarg); break;
        case 'p': prefix = optarg; break;
        case OPT_BOILERPLATE: boilerplate = 1; break;
        case OPT_QUERIES: timed = optarg; break;
        case OPT_RUNS: runs = atoi(optarg); break;
        case 'v': verbose = 1; break;
        case 'h': fputs(usage_text, stdout); return 0;
        default: fputs(usage_text, stderr); return 2;
        }
    }
    if (timed && query_db && !index_db && optind == argc && runs > 0)
        return time_queries(query_db, timed, runs);
    if (!index_db == !query_db || optind >= argc || timed) {
        fputs(usage_text, stderr);
        return 2;
    }
    int status;
    if (index_db) {
        status = build_index(index_db, include, exclude, boilerplate, argv + optind,
                             argc - optind);
    } else {
        judge_init("fts5-eval", prefix, 0);
        status = run_queries(query_db, verbose, argv + optind, argc - optind);
    }
    free(include);
    free(exclude);
    return status;
}
