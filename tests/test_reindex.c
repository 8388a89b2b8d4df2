/* test_reindex.c: reindexing end to end, with the real tools on real pages.
 *
 * A scratch copy of ~60 pages of the Python library reference
 * (/usr/share/doc/python3.11/html/library; 60 generated articles when it is
 * missing) plus the corpus articles are indexed again and again by build/rubric-index
 * while it changes: incremental runs, --rebuild, --dry-run, --status, -q, a
 * second writer, readers querying all along, and SIGKILL at random moments.
 *
 * Each page gets one paragraph right after its title holding marker words
 * ("steadymarker", "versionalpha", "pagemarkbc", ...) so that a test knows
 * exactly which passages hold which word. Every write sets a new, distinct
 * modification time, so no change hides behind an equal size and mtime.
 *
 * "Same passage ids" is checked on the index itself: every "Q" term (one per
 * passage, lib/index.c) read through lib/shim.h, compared with a clean build of
 * the same files into another directory.
 *
 * Binaries come from $RUBRIC_BUILD (default "build"), the corpus from
 * $RUBRIC_SRCDIR/corpus (default "./corpus"). $RUBRIC_KILL_SEED repeats a kill
 * loop (its seed is printed); $RUBRIC_KEEP_TMP keeps the temporary directory;
 * $RUBRIC_ONLY=WORDS runs only the tests whose names contain WORDS.
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "rubric.h"
#include "internal.h" /* exchange_paths(), as a rebuild publishes */
#include "shim.h"
#include "harness.h"
#include "shell.h"

#ifndef PYDOCS_LIBRARY
#define PYDOCS_LIBRARY "/usr/share/doc/python3.11/html/library"
#endif
#define NPAGES_WANTED 60
#define MAX_PAGES 80
/* Pages of this size index in ~0.2 s all together: a rebuild then fits in the
 * kill loop's 0-300 ms window, publishing step included. */
#define PAGE_MIN_BYTES 12000
#define PAGE_MAX_BYTES 70000

/* ------------------------------------------------------------------ setup */

static char g_tmp[PATH_MAX];   /* the temporary directory */
static char g_index[PATH_MAX]; /* absolute path of rubric-index */
static char g_query[PATH_MAX]; /* absolute path of rubric-query */
static char g_orig[PATH_MAX];  /* pristine copies of the pages */
static char *g_names[MAX_PAGES];
static size_t g_npages;
static int g_generated;                 /* no Python docs: generated articles */
static long long g_clock = 1700000000;  /* the next modification time we set */

/* ---------------------------------------------------------------- helpers */


/* Give PATH a modification time no other write of this test has had. */
static int bump_mtime(const char *path)
{
    struct timespec ts[2] = {{g_clock, 0}, {g_clock, 0}};
    g_clock++;
    return utimensat(AT_FDCWD, path, ts, 0);
}


/* Run a shell command (printf-style) in directory CWD. $I and $Q in the
 * command are the two tools. Safe in forked readers: stderr goes to a file
 * named after the process. */
__attribute__((format(printf, 3, 4)))
static void sh(cmd *c, const char *cwd, const char *fmt, ...)
{
    char body[8192], errpath[PATH_MAX + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    snprintf(errpath, sizeof errpath, "%s/.stderr-%ld", g_tmp, (long)getpid());
    shell_run(c, cwd ? cwd : g_tmp, g_index, g_query, errpath, body);
}


static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Does S (N bytes, not necessarily NUL-terminated) contain WORD? */
static int contains(const char *s, size_t n, const char *word)
{
    size_t m = strlen(word);
    for (size_t i = 0; s && m <= n && i <= n - m; i++)
        if (memcmp(s + i, word, m) == 0)
            return 1;
    return 0;
}

/* Number of lines of TEXT (a last line without "\n" counts). */
static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    size_t len = strlen(text);
    return n + (len > 0 && text[len - 1] != '\n');
}

/* Run the indexer in test directory T on "site" into "db" with FLAGS; the
 * summary line's counts are then read with count_before(). */
static void index_site(cmd *c, const char *t, const char *flags, char *line, size_t size)
{
    sh(c, t, "\"$I\" %s --db db site", flags);
    if (!summary_line(c->err, line, size))
        line[0] = '\0';
}

/* ------------------------------------------------------------------ pages */

/* A marker word for page (or trial) I: PREFIX and two consonants, which no
 * stemmer rule touches, so two markers never share a stem. */
static void marker(char *out, size_t size, const char *prefix, size_t i)
{
    static const char letters[] = "bcdfghjkmnpqrtvwxz";
    size_t n = sizeof letters - 1;
    snprintf(out, size, "%s%c%c", prefix, letters[(i / n) % n], letters[i % n]);
}

/* The words a page carries by default: steadymarker (every page, every
 * version), the version, and the page's own marker. */
static void default_words(char *out, size_t size, size_t i, const char *version)
{
    char own[32];
    marker(own, sizeof own, "pagemark", i);
    snprintf(out, size, "steadymarker version%s %s", version, own);
}

/* Write the original page I as T/site/NAME with a paragraph holding WORDS
 * after its title (WORDS NULL: the page as it is), with a new mtime. */
static int put_page_as(const char *t, size_t i, const char *name, const char *words)
{
    char src[PATH_MAX], site[PATH_MAX], dst[PATH_MAX];
    path_join(src, g_orig, g_names[i]);
    path_join(site, t, "site");
    path_join(dst, site, name);
    size_t len = 0;
    char *data = slurp(src, &len);
    if (!data)
        return -1;
    int html = ends_with(name, ".html");
    char para[1024] = "";
    if (words)
        snprintf(para, sizeof para,
                 "%sThe archivist wrote the words %s beside the entry for this page, so that a "
                 "later reader of the collection could find this passage again without "
                 "asking anyone for help.%s",
                 html ? "<p>" : "", words, html ? "</p>\n" : "\n");
    const char *at;
    if (html) {
        at = strstr(data, "</h1>");
        at = at ? at + 5 : data + len;
    } else {
        at = strchr(data, '\n');
        at = at ? at + 1 : data + len;
    }
    FILE *f = fopen(dst, "wb");
    int ok = f != NULL;
    if (f) {
        size_t head = (size_t)(at - data), plen = strlen(para);
        ok = fwrite(data, 1, head, f) == head && fwrite(para, 1, plen, f) == plen &&
             fwrite(at, 1, len - head, f) == len - head;
        ok = fclose(f) == 0 && ok;
    }
    free(data);
    return ok && bump_mtime(dst) == 0 ? 0 : -1;
}

static int put_page(const char *t, size_t i, const char *words)
{
    return put_page_as(t, i, g_names[i], words);
}

/* T/site/<page I>, and its path as the index records it ("site/<name>"). */
static void page_file(char *out, const char *t, size_t i)
{
    char site[PATH_MAX];
    path_join(site, t, "site");
    path_join(out, site, g_names[i]);
}

static void page_rel(char *out, size_t size, size_t i)
{
    snprintf(out, size, "site/%s", g_names[i]);
}

/* Every page of T/site in VERSION ("alpha", "beta"). */
static int set_version(const char *t, const char *version)
{
    char words[256];
    for (size_t i = 0; i < g_npages; i++) {
        default_words(words, sizeof words, i, version);
        if (put_page(t, i, words) < 0)
            return -1;
    }
    return 0;
}

/* A fresh test directory T (under the temporary one) with all pages in
 * T/site, version "alpha". */
static int make_site(char *t, const char *name)
{
    char site[PATH_MAX];
    path_join(t, g_tmp, name);
    path_join(site, t, "site");
    if (mkdir(t, 0755) < 0 || mkdir(site, 0755) < 0) {
        fprintf(stderr, "  mkdir %s: %s\n", site, strerror(errno));
        return -1;
    }
    return set_version(t, "alpha");
}

/* ------------------------------------------------------------- passage ids */

typedef struct idset {
    char **v;
    size_t n, cap;
    size_t shared; /* ids held by more than one passage */
} idset;

static void idset_free(idset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

static int collect_id(void *ctx, const char *term, size_t len, size_t freq)
{
    idset *s = ctx;
    if (freq == 0)
        return 0;
    if (freq > 1)
        s->shared++;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        char **v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return 1;
        s->v = v;
        s->cap = cap;
    }
    char *id = malloc(len + 1);
    if (!id)
        return 1;
    memcpy(id, term, len);
    id[len] = '\0';
    s->v[s->n++] = id;
    return 0;
}

/* Add TERM (a doc's id) to the idset CTX. */
static int collect_one_id(void *ctx, const char *term, size_t len)
{
    return collect_id(ctx, term, len, 1);
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every passage id ("Q" term) of the index at DB, sorted; -1 on failure. */
static int ids_of(const char *db, idset *s)
{
    memset(s, 0, sizeof *s);
    xs_db *d = NULL;
    char *err = NULL;
    if (xs_db_open_read(db, &d, &err) != XS_OK) {
        fprintf(stderr, "  cannot read the ids of %s: %s\n", db, err ? err : "?");
        free(err);
        return -1;
    }
    int rc = xs_db_terms(d, "Q", collect_id, s);
    xs_db_close(d);
    if (rc != XS_OK) {
        fprintf(stderr, "  cannot list the ids of %s\n", db);
        return -1;
    }
    if (s->n)
        qsort(s->v, s->n, sizeof *s->v, by_str);
    return 0;
}

/* How many ids of S begin with "Q" PREFIX. */
static size_t ids_with_prefix(const idset *s, const char *prefix)
{
    size_t n = 0, m = strlen(prefix);
    for (size_t i = 0; i < s->n; i++)
        n += s->v[i][0] == 'Q' && strncmp(s->v[i] + 1, prefix, m) == 0;
    return n;
}

static int ids_equal(const idset *a, const idset *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0)
            return 0;
    return 1;
}

/* Compare the ids of the indexes GOT and WANT; on a difference, say what it is. */
static int same_ids(const char *got, const char *want)
{
    idset a, b;
    int ok = ids_of(got, &a) == 0 && ids_of(want, &b) == 0;
    if (ok && (!ids_equal(&a, &b) || a.shared || b.shared)) {
        ok = 0;
        fprintf(stderr, "  passage ids differ: %s has %zu (%zu shared), %s has %zu (%zu shared)\n",
                got, a.n, a.shared, want, b.n, b.shared);
        size_t i = 0, j = 0;
        int shown = 0;
        while ((i < a.n || j < b.n) && shown < 6) {
            int cmp = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.v[i], b.v[j]);
            if (cmp == 0) {
                i++, j++;
                continue;
            }
            fprintf(stderr, "    only in %s: %s\n", cmp < 0 ? "the index" : "the clean build",
                    cmp < 0 ? a.v[i] : b.v[j]);
            cmp < 0 ? i++ : j++;
            shown++;
        }
    }
    idset_free(&a);
    idset_free(&b);
    return ok;
}

/* Build T/site afresh on one thread into T/NAME (removed first) and compare
 * DB's ids to it. */
static int same_ids_as_clean_build(const char *t, const char *db, const char *name)
{
    char clean[PATH_MAX];
    path_join(clean, t, name);
    cmd c;
    sh(&c, t, "rm -rf %s && \"$I\" -q -j 1 --db %s site", sq(name), sq(name));
    int ok = c.status == 0;
    if (!ok)
        fprintf(stderr, "  clean build: exit %d: %s", c.status, c.err);
    cmd_free(&c);
    return ok && same_ids(db, clean);
}

/* ----------------------------------------------------------- index state */

/* Hits of QUERY in the index at DB (up to 1000), through the library; *in_path
 * (may be NULL) counts those whose path is PATH. -1 when it fails. */
static long hits_for(const char *db, const char *query, const char *path, long *in_path)
{
    rubric_db *d = NULL;
    char *err = NULL;
    if (in_path)
        *in_path = 0;
    if (rubric_db_open(db, &d, &err) != RUBRIC_OK) {
        fprintf(stderr, "  open %s: %s\n", db, err ? err : "?");
        free(err);
        return -1;
    }
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 1000;
    o.no_correction = 1; /* a word gone is not found, not corrected into another */
    rubric_results *r = NULL;
    long n = -1;
    if (rubric_search(d, query, strlen(query), &o, &r, &err) == RUBRIC_OK) {
        n = (long)rubric_results_count(r);
        for (long i = 0; i < n && in_path && path; i++)
            *in_path += strcmp(rubric_results_hit(r, (size_t)i)->path, path) == 0;
        rubric_results_free(r);
    } else {
        fprintf(stderr, "  search %s: %s\n", query, err ? err : "?");
        free(err);
    }
    rubric_db_close(d);
    return n;
}

/* What rubric-index --status prints. */
typedef struct status {
    int exit;
    int lines;  /* how many of the six labelled lines were there */
    long revision, files, passages;
    char updated[64], language[64], size[64];
} status;

static void status_field(const char *out, const char *label, char *val, size_t size, int *found)
{
    char line[512];
    val[0] = '\0';
    for (const char *p = out; (p = strstr(p, label)); p++) {
        if (p != out && p[-1] != '\n')
            continue;
        line_with(p, label, line, sizeof line);
        const char *v = line + strlen(label);
        while (*v == ' ')
            v++;
        snprintf(val, size, "%s", v);
        (*found)++;
        return;
    }
}

static status status_of(const char *t)
{
    status s;
    memset(&s, 0, sizeof s);
    s.revision = s.files = s.passages = -1;
    cmd c;
    sh(&c, t, "\"$I\" --status --db db");
    s.exit = c.status;
    char v[64];
    status_field(c.out, "revision:", v, sizeof v, &s.lines);
    if (*v)
        s.revision = strtol(v, NULL, 10);
    status_field(c.out, "files:", v, sizeof v, &s.lines);
    if (*v)
        s.files = strtol(v, NULL, 10);
    status_field(c.out, "passages:", v, sizeof v, &s.lines);
    if (*v)
        s.passages = strtol(v, NULL, 10);
    status_field(c.out, "updated:", s.updated, sizeof s.updated, &s.lines);
    status_field(c.out, "language:", s.language, sizeof s.language, &s.lines);
    status_field(c.out, "size:", s.size, sizeof s.size, &s.lines);
    if (s.exit != 0 || s.lines != 6)
        fprintf(stderr, "  --status: exit %d, stdout:\n%s  stderr: %s", c.status, c.out, c.err);
    cmd_free(&c);
    return s;
}

/* "2026-11-26T11:24:47Z" */
static int is_iso_utc(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    if (strlen(s) != sizeof shape - 1)
        return 0;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
            return 0;
    return 1;
}

/* Names in directory DIR ending with SUFFIX. */
static int leftovers(const char *dir, const char *suffix)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (ends_with(e->d_name, suffix)) {
            fprintf(stderr, "  left behind: %s/%s\n", dir, e->d_name);
            n++;
        }
    if (d)
        closedir(d);
    return n;
}

/* ------------------------------------------------------------------ tests */

static void an_incremental_run_touches_only_what_changed_on_disk(void)
{
    char t[PATH_MAX], db[PATH_MAX], line[1024], rel[PATH_MAX];
    CHECK(make_site(t, "incremental") == 0);
    path_join(db, t, "db");
    long n = (long)g_npages;
    cmd c;
    index_site(&c, t, "", line, sizeof line);
    CHECK(c.status == 0);
    CHECK(count_before(line, "added") == n);
    cmd_free(&c);
    status s0 = status_of(t);
    CHECK(s0.exit == 0 && s0.revision > 0);

    /* Nothing changed: nothing read, nothing written, the revision stays. */
    index_site(&c, t, "", line, sizeof line);
    CHECK(c.status == 0);
    CHECK(count_before(line, "added") == 0);
    CHECK(count_before(line, "changed") == 0);
    CHECK(count_before(line, "removed") == 0);
    CHECK(count_before(line, "unchanged") == n);
    cmd_free(&c);
    status s1 = status_of(t);
    CHECK(s1.revision == s0.revision);
    CHECK_STR(s1.updated, s0.updated);

    /* Touched (same bytes, new mtime): read, found unchanged, not re-indexed. */
    char file[PATH_MAX];
    page_file(file, t, 0);
    CHECK(bump_mtime(file) == 0);
    index_site(&c, t, "", line, sizeof line);
    CHECK(c.status == 0);
    CHECK(count_before(line, "changed") == 0);
    CHECK(count_before(line, "unchanged") == n);
    CHECK(count_before(line, "passages written") == 0);
    cmd_free(&c);

    /* Changed: its passages are replaced, the old word gone, the new one in. */
    char old_word[32], new_word[32] = "freshmarkbc", words[256], hits_line[PATH_MAX + 32];
    marker(old_word, sizeof old_word, "pagemark", 1);
    page_rel(rel, sizeof rel, 1);
    long in_path = 0;
    CHECK(hits_for(db, old_word, rel, &in_path) == 1 && in_path == 1);
    snprintf(words, sizeof words, "steadymarker versionalpha %s", new_word);
    CHECK(put_page(t, 1, words) == 0);
    index_site(&c, t, "", line, sizeof line);
    CHECK(c.status == 0);
    CHECK(count_before(line, "changed") == 1);
    CHECK(count_before(line, "unchanged") == n - 1);
    cmd_free(&c);
    CHECK(hits_for(db, old_word, NULL, NULL) == 0);
    CHECK(hits_for(db, new_word, rel, &in_path) == 1 && in_path == 1);

    /* Deleted: its passages go. */
    char gone_word[32], gone_rel[PATH_MAX];
    marker(gone_word, sizeof gone_word, "pagemark", 2);
    page_rel(gone_rel, sizeof gone_rel, 2);
    page_file(file, t, 2);
    CHECK(hits_for(db, gone_word, NULL, NULL) == 1);
    CHECK(unlink(file) == 0);
    index_site(&c, t, "", line, sizeof line);
    CHECK(c.status == 0);
    CHECK(count_before(line, "removed") == 1);
    CHECK(count_before(line, "changed") == 0);
    cmd_free(&c);
    CHECK(hits_for(db, gone_word, NULL, NULL) == 0);
    idset ids;
    snprintf(hits_line, sizeof hits_line, "%s#", gone_rel);
    CHECK(ids_of(db, &ids) == 0 && ids_with_prefix(&ids, hits_line) == 0);
    idset_free(&ids);

    /* Renamed: the old path goes, the new one comes. */
    char moved_word[32], old_rel[PATH_MAX], new_file[PATH_MAX], new_rel[PATH_MAX + 16];
    char site[PATH_MAX], new_name[PATH_MAX];
    marker(moved_word, sizeof moved_word, "pagemark", 3);
    page_rel(old_rel, sizeof old_rel, 3);
    page_file(file, t, 3);
    path_join(site, t, "site");
    snprintf(new_name, sizeof new_name, "renamed-%s", g_names[3]);
    path_join(new_file, site, new_name);
    snprintf(new_rel, sizeof new_rel, "site/%s", new_name);
    CHECK(rename(file, new_file) == 0);
    index_site(&c, t, "", line, sizeof line);
    CHECK(c.status == 0);
    CHECK(count_before(line, "added") == 1);
    CHECK(count_before(line, "removed") == 1);
    CHECK(count_before(line, "changed") == 0);
    cmd_free(&c);
    CHECK(hits_for(db, moved_word, new_rel, &in_path) == 1 && in_path == 1);
    CHECK(hits_for(db, moved_word, old_rel, &in_path) == 1 && in_path == 0);
    CHECK(ids_of(db, &ids) == 0);
    snprintf(hits_line, sizeof hits_line, "%s#", old_rel);
    CHECK(ids_with_prefix(&ids, hits_line) == 0);
    snprintf(hits_line, sizeof hits_line, "%s#", new_rel);
    CHECK(ids_with_prefix(&ids, hits_line) > 0);
    idset_free(&ids);

    /* After all that: the passages of a clean build, no more, no fewer. */
    CHECK(same_ids_as_clean_build(t, db, "clean"));
}

/* ---------------------------------------------------------------- readers */

typedef struct reader_stats {
    long queries;
    long failures;   /* open or search failed, or rubric-query did not exit 0 */
    long zero;       /* "steadymarker" (on every page, in every version) found nothing */
    long incomplete; /* found another number of passages than there are pages */
    long mixed;      /* one result set holding passages of two versions */
    long alpha, beta;
    char first_error[400];
} reader_stats;

static volatile sig_atomic_t g_stop;

static void on_stop(int sig)
{
    (void)sig;
    g_stop = 1;
}

__attribute__((format(printf, 2, 3)))
static void reader_failed(reader_stats *s, const char *fmt, ...)
{
    s->failures++;
    if (s->first_error[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->first_error, sizeof s->first_error, fmt, ap);
    va_end(ap);
}

static void tally(reader_stats *s, long n, long alpha, long beta, long expect)
{
    if (n == 0)
        s->zero++;
    if (n != expect || alpha + beta != n)
        s->incomplete++;
    if (alpha && beta)
        s->mixed++;
    if (n && alpha == n)
        s->alpha++;
    if (n && beta == n)
        s->beta++;
}

static void search_steady(rubric_db *db, reader_stats *s, long expect)
{
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 1000;
    o.snippet_len = 400;
    o.no_correction = 1;
    rubric_results *r = NULL;
    char *err = NULL;
    int rc = rubric_search(db, "steadymarker", strlen("steadymarker"), &o, &r, &err);
    if (rc != RUBRIC_OK) {
        reader_failed(s, "rubric_search: %s", err ? err : rubric_strerror(rc));
        free(err);
        return;
    }
    long n = (long)rubric_results_count(r), a = 0, b = 0;
    for (long i = 0; i < n; i++) {
        const rubric_hit *h = rubric_results_hit(r, (size_t)i);
        a += contains(h->snippet.text, h->snippet.text_len, "versionalpha");
        b += contains(h->snippet.text, h->snippet.text_len, "versionbeta");
    }
    rubric_results_free(r);
    tally(s, n, a, b, expect);
}

/* A reader process. MODE 0 opens the index for each query, 1 keeps one handle
 * (calling rubric_db_reopen every tenth query, as a long-lived reader does),
 * 2 runs rubric-query --json. Its figures go to FD when it is told to stop. */
static void reader_main(int mode, const char *t, const char *db, long expect, int fd)
{
    reader_stats s;
    memset(&s, 0, sizeof s);
    rubric_db *keep = NULL;
    char *err = NULL;
    while (!g_stop) {
        s.queries++;
        if (mode == 0 || (mode == 1 && !keep)) {
            rubric_db *d = NULL;
            int rc = rubric_db_open(db, &d, &err);
            if (rc != RUBRIC_OK) {
                reader_failed(&s, "rubric_db_open: %s", err ? err : rubric_strerror(rc));
                free(err);
                err = NULL;
                continue;
            }
            search_steady(d, &s, expect);
            if (mode == 0)
                rubric_db_close(d);
            else
                keep = d;
        } else if (mode == 1) {
            if (s.queries % 10 == 0) {
                int rc = rubric_db_reopen(keep);
                if (rc != RUBRIC_OK)
                    reader_failed(&s, "rubric_db_reopen: %s", rubric_strerror(rc));
            }
            search_steady(keep, &s, expect);
        } else {
            cmd c;
            sh(&c, t, "\"$Q\" --db db --json -n 1000 steadymarker");
            cJSON *j = c.status == 0 ? cJSON_Parse(c.out) : NULL;
            const cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "results");
            if (c.status != 0)
                reader_failed(&s, "rubric-query exit %d: %s", c.status, c.err);
            else if (!cJSON_IsArray(res))
                reader_failed(&s, "rubric-query: no results array in: %.200s", c.out);
            else {
                long n = cJSON_GetArraySize(res), a = 0, b = 0;
                const cJSON *hit;
                cJSON_ArrayForEach(hit, res) {
                    const cJSON *snip = cJSON_GetObjectItemCaseSensitive(hit, "snippet");
                    const char *sn = cJSON_IsString(snip) ? snip->valuestring : "";
                    a += strstr(sn, "versionalpha") != NULL;
                    b += strstr(sn, "versionbeta") != NULL;
                }
                tally(&s, n, a, b, expect);
            }
            cJSON_Delete(j);
            cmd_free(&c);
        }
    }
    rubric_db_close(keep);
    ssize_t w = write(fd, &s, sizeof s);
    _exit(w == (ssize_t)sizeof s ? 0 : 1);
}

static void readers_never_fail_nor_see_a_partial_index_during_reindex_and_rebuild(void)
{
    char t[PATH_MAX], db[PATH_MAX], line[1024];
    CHECK(make_site(t, "readers") == 0);
    path_join(db, t, "db");
    cmd c;
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);
    long expect = hits_for(db, "steadymarker", NULL, NULL);
    CHECK(expect == (long)g_npages);

    enum { NREADERS = 3 };
    static const char *const kind[NREADERS] = {"opening the index for each query",
                                               "on one long-lived handle", "rubric-query runs"};
    pid_t pids[NREADERS];
    int fds[NREADERS];
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    for (int m = 0; m < NREADERS; m++) {
        int p[2];
        pids[m] = -1;
        fds[m] = -1;
        if (pipe(p) < 0)
            continue;
        fflush(NULL);
        pids[m] = fork();
        if (pids[m] == 0) {
            close(p[0]);
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = on_stop;
            sa.sa_flags = SA_RESTART;
            sigaction(SIGUSR1, &sa, NULL);
            sigprocmask(SIG_SETMASK, &old, NULL);
            reader_main(m, t, db, expect, p[1]);
        }
        close(p[1]);
        fds[m] = p[0];
        CHECK(pids[m] > 0);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);

    /* The writer: every page changes each time, alternately by an
     * incremental run and by a rebuild. */
    sleep_ms(300);
    double t0 = now_s();
    int reindexes = 0, rebuilds = 0;
    for (int round = 0; round < 3; round++) {
        CHECK(set_version(t, "beta") == 0);
        index_site(&c, t, "-q", line, sizeof line);
        CHECK(c.status == 0);
        CHECK(count_before(line, "changed") == (long)g_npages);
        reindexes++;
        cmd_free(&c);
        CHECK(set_version(t, "alpha") == 0);
        index_site(&c, t, "-q --rebuild", line, sizeof line);
        CHECK(c.status == 0);
        rebuilds++;
        cmd_free(&c);
    }
    double writing = now_s() - t0;
    sleep_ms(300);

    reader_stats st[NREADERS];
    memset(st, 0, sizeof st);
    for (int m = 0; m < NREADERS; m++) {
        if (pids[m] <= 0)
            continue;
        kill(pids[m], SIGUSR1);
        ssize_t got = read(fds[m], &st[m], sizeof st[m]);
        CHECK(got == (ssize_t)sizeof st[m]);
        int ws = 0;
        waitpid(pids[m], &ws, 0);
        CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
        close(fds[m]);
    }
    printf("     readers during %d reindexes and %d rebuilds of %zu changed pages (%.1f s):\n",
           reindexes, rebuilds, g_npages, writing);
    for (int m = 0; m < NREADERS; m++) {
        printf("       %5ld queries %-33s: %ld failed, %ld empty, %ld incomplete, %ld mixed; "
               "%ld saw version alpha, %ld beta\n",
               st[m].queries, kind[m], st[m].failures, st[m].zero, st[m].incomplete,
               st[m].mixed, st[m].alpha, st[m].beta);
        if (st[m].first_error[0])
            fprintf(stderr, "  reader %s: first error: %s\n", kind[m], st[m].first_error);
        CHECK(st[m].queries > 10);
        CHECK(st[m].failures == 0);
        CHECK(st[m].zero == 0);
        CHECK(st[m].incomplete == 0);
        CHECK(st[m].mixed == 0);
    }
    /* The readers did see the index change under them. */
    CHECK(st[0].alpha > 0 && st[0].beta > 0);
    CHECK(st[1].alpha > 0 && st[1].beta > 0);
}

/* The passages of the index at DB (0 when it does not open). */
static size_t passages_in(const char *db)
{
    rubric_db *d = NULL;
    size_t n = rubric_db_open(db, &d, NULL) == RUBRIC_OK ? rubric_db_passages(d) : 0;
    rubric_db_close(d);
    return n;
}

/* A rebuild publishes by exchanging the new index's directory with the live
 * one. A reader opening the index reads several files: were they looked up
 * by path while the exchange happens, it could get some from each index, and
 * an open of that kind does not always fail (it read 63 passages of 62
 * pages once). Here two indexes of different sizes are exchanged in a tight
 * loop while a reader opens and searches: each open must see one of them
 * whole. */
static void a_reader_opening_as_a_rebuild_swaps_the_index_sees_one_index_whole(void)
{
    char t[PATH_MAX], db[PATH_MAX], other[PATH_MAX], file[PATH_MAX], line[1024];
    CHECK(make_site(t, "swap") == 0);
    path_join(db, t, "db");
    path_join(other, t, "other");
    cmd c;
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);
    sh(&c, t, "cp -a db other");
    CHECK(c.status == 0);
    cmd_free(&c);
    /* The live index then loses a third of its pages. */
    for (size_t i = 0; i < g_npages; i += 3) {
        page_file(file, t, i);
        CHECK(unlink(file) == 0);
    }
    index_site(&c, t, "-q --rebuild", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);
    rubric_db *d = NULL;
    size_t pass[2] = {passages_in(db), passages_in(other)};
    long hits[2] = {hits_for(db, "steadymarker", NULL, NULL), hits_for(other, "steadymarker",
                                                                        NULL, NULL)};
    CHECK(hits[0] > 0 && hits[1] > hits[0] && pass[0] > 0 && pass[1] > pass[0]);

    fflush(NULL);
    pid_t swapper = fork();
    if (swapper == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_stop;
        sigaction(SIGUSR1, &sa, NULL);
        long swaps = 0;
        while (!g_stop && exchange_paths(other, db) == 0)
            swaps++;
        _exit(g_stop && swaps > 0 ? 0 : 1);
    }
    CHECK(swapper > 0);
    long opens = 0, failed = 0, wrong = 0, saw[2] = {0, 0};
    char first[400] = "";
    double t0 = now_s();
    while (swapper > 0 && now_s() - t0 < 3.0) {
        char *err = NULL;
        d = NULL;
        opens++;
        int rc = rubric_db_open(db, &d, &err);
        if (rc != RUBRIC_OK) {
            if (!failed++)
                snprintf(first, sizeof first, "open: %s", err ? err : rubric_strerror(rc));
            free(err);
            continue;
        }
        rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
        o.limit = 1000;
        o.no_correction = 1;
        rubric_results *r = NULL;
        size_t n = rubric_db_passages(d);
        rc = rubric_search(d, "steadymarker", strlen("steadymarker"), &o, &r, &err);
        if (rc != RUBRIC_OK) {
            if (!failed++)
                snprintf(first, sizeof first, "search: %s", err ? err : rubric_strerror(rc));
            free(err);
        } else {
            long got = (long)rubric_results_count(r);
            int which = n == pass[0] ? 0 : n == pass[1] ? 1 : -1;
            if (which < 0 || got != hits[which]) {
                if (!wrong++)
                    snprintf(first, sizeof first, "%zu passages, %ld found", n, got);
            } else {
                saw[which]++;
            }
        }
        rubric_results_free(r);
        rubric_db_close(d);
    }
    if (swapper > 0)
        kill(swapper, SIGUSR1);
    int ws = 0;
    CHECK(swapper > 0 && waitpid(swapper, &ws, 0) == swapper);
    CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    printf("     %ld opens while two indexes (%zu and %zu passages) were swapped: %ld failed, "
           "%ld saw neither whole; %ld saw the one, %ld the other\n",
           opens, pass[0], pass[1], failed, wrong, saw[0], saw[1]);
    if (first[0])
        fprintf(stderr, "  first: %s\n", first);
    CHECK(failed == 0);
    CHECK(wrong == 0);
    CHECK(saw[0] > 0 && saw[1] > 0);
}

/* ---------------------------------------------------------------- rebuild */

/* Files read, analysed and written on several threads (a first build: one
 * shard per thread, merged) make the very index one thread makes, for a first
 * build and for a reindex of changed files. */
static void indexing_on_several_threads_gives_the_same_index(void)
{
    char t[PATH_MAX], db[PATH_MAX];
    CHECK(make_site(t, "jobs") == 0);
    path_join(db, t, "db");
    cmd c;
    sh(&c, t, "\"$I\" -q -j 3 --db db site");
    CHECK(c.status == 0);
    cmd_free(&c);
    CHECK(same_ids_as_clean_build(t, db, "clean"));
    /* Passages are numbered as one thread numbers them, so rankings agree to
     * the last tie (a filter alone ranks in that order); the shards are
     * merged, with no scratch left. */
    sh(&c, t, "first=$(cd site && LC_ALL=C ls | head -n 1); last=$(cd site && LC_ALL=C ls | tail -n 1); "
              "for q in steadymarker 'the page' beekeeping \"path:$last OR path:$first\"; do "
              "for d in db clean; do \"$Q\" --db $d --json --boilerplate -n 100 \"$q\" | "
              "grep -v '\"revision\"\\|\"updated\"' > $d.json; done; "
              "cmp db.json clean.json || exit 1; grep -c '\"rank\"' db.json; done");
    CHECK(c.status == 0);
    CHECK(atoi(c.out) > 0);
    cmd_free(&c);
    CHECK(leftovers(t, ".rebuild") == 0);
    /* Change some pages, then reindex on threads: the same as a clean build. */
    sh(&c, t, "for f in $(ls site/*.html | head -3) site/*.txt; do "
              "printf '\\nThreaded Notes\\nA closing paragraph names the threadedword once.\\n' >> \"$f\"; done; "
              "\"$I\" -q -j 2 --db db site");
    CHECK(c.status == 0);
    cmd_free(&c);
    CHECK(same_ids_as_clean_build(t, db, "clean2"));
    sh(&c, t, "\"$Q\" --db db --json --boilerplate -n 100 threadedword | grep -c '\"rank\"'");
    CHECK(c.status == 0 && atoi(c.out) >= 2);  /* the text articles' new section */
    cmd_free(&c);
}

/* Build the pages of T/site into T/NAME through the library, on WORKERS
 * threads whose shards hold PART passages each (0: as built). */
static int build_pages(const char *t, const char *name, unsigned workers, size_t part,
                       size_t *shards)
{
    char db[PATH_MAX], files[64][PATH_MAX];
    const char *paths[64];
    size_t n = g_npages < 64 ? g_npages : 64;
    path_join(db, t, name);
    for (size_t i = 0; i < n; i++) {
        page_file(files[i], t, i);
        paths[i] = files[i];
    }
    rubric_index *ix = NULL;
    char *err = NULL;
    int rc = rubric_index_open(db, NULL, &ix, &err);
    free(err);
    if (rc != RUBRIC_OK)
        return rc;
    ix->part_passages = part;
    rc = rubric_index_add_many(ix, paths, NULL, n, workers, NULL, NULL);
    *shards = ix->nshards;
    if (rc == RUBRIC_OK)
        rc = rubric_index_commit(ix);
    rubric_index_close(ix);
    return rc;
}

/* Does every passage of the indexes at A and B (the same ids) have the same
 * document number in both? */
static int same_numbering(const char *a, const char *b)
{
    idset ids;
    xs_db *x = NULL, *y = NULL;
    char *err = NULL;
    int ok = ids_of(a, &ids) == 0;
    if (ok && (xs_db_open_read(a, &x, &err) != XS_OK || xs_db_open_read(b, &y, &err) != XS_OK)) {
        fprintf(stderr, "  cannot read %s or %s: %s\n", a, b, err ? err : "?");
        ok = 0;
    }
    free(err);
    for (size_t i = 0; ok && i < ids.n; i++) {
        unsigned *p = NULL, *q = NULL;
        size_t np = 0, nq = 0;
        const char *id = ids.v[i];
        ok = xs_db_postings(x, id, strlen(id), &p, &np) == XS_OK &&
             xs_db_postings(y, id, strlen(id), &q, &nq) == XS_OK && np == 1 && nq == 1 &&
             p[0] == q[0];
        if (!ok)
            fprintf(stderr, "  %s: numbered %u in %s, %u in %s\n", id, np ? p[0] : 0, a,
                    nq ? q[0] : 0, b);
        free(p);
        free(q);
    }
    xs_db_close(x);
    xs_db_close(y);
    idset_free(&ids);
    return ok;
}

/* A first build on threads whose shards fill up (here at 5 passages, where
 * a build starts another past PART_PASSAGES) writes each thread's files into
 * one shard after another, and still makes the very index one thread makes. */
static void a_build_whose_shards_fill_up_gives_the_same_index(void)
{
    char t[PATH_MAX], db[PATH_MAX], one[PATH_MAX];
    CHECK(make_site(t, "parts") == 0);
    path_join(db, t, "db");
    path_join(one, t, "one");
    size_t shards = 0, none = 0;
    CHECK(build_pages(t, "db", 2, 5, &shards) == RUBRIC_OK);
    CHECK(shards > 2);  /* more than one a thread */
    CHECK(build_pages(t, "one", 1, 0, &none) == RUBRIC_OK);
    CHECK(none == 0);
    CHECK(same_ids(db, one));
    CHECK(same_numbering(db, one));
    long a = hits_for(db, "steadymarker", NULL, NULL), b = hits_for(one, "steadymarker", NULL, NULL);
    CHECK(a > 0 && a == b);
    CHECK(leftovers(t, ".rebuild") == 0);
}

/* Stops a run at its third file. */
static int stop_at_third(void *ctx, size_t i, int st, int what, size_t npassages)
{
    (void)st, (void)what, (void)npassages;
    *(size_t *)ctx = i + 1;
    return i == 2;
}

/* A sharded first build told to stop part-way stops its threads, says why,
 * and publishes nothing: no index appears and no scratch is left. */
static void a_sharded_build_told_to_stop_publishes_nothing(void)
{
    char t[PATH_MAX], db[PATH_MAX];
    CHECK(make_site(t, "shardstop") == 0);
    path_join(db, t, "db");
    char files[8][PATH_MAX];
    const char *paths[8];
    for (size_t i = 0; i < 8; i++) {
        page_file(files[i], t, i);
        paths[i] = files[i];
    }
    rubric_index *ix = NULL;
    char *err = NULL;
    CHECK(rubric_index_open(db, NULL, &ix, &err) == RUBRIC_OK);
    free(err);
    if (!ix)
        return;
    size_t reported = 0;
    CHECK(rubric_index_add_many(ix, paths, NULL, 8, 2, stop_at_third, &reported) == 1);
    CHECK(reported == 3);
    rubric_index_close(ix);
    CHECK(hits_for(db, "steadymarker", NULL, NULL) <= 0);
    CHECK(leftovers(t, ".rebuild") == 0);
}

/* A sharded rebuild whose merge fails (its output path is taken) says so,
 * leaves the live index as it was and no scratch behind, and the handle then
 * refuses more work instead of crashing. */
static void a_rebuild_whose_merge_fails_leaves_the_live_index_as_it_was(void)
{
    char t[PATH_MAX], db[PATH_MAX], scratch[PATH_MAX], block[PATH_MAX];
    CHECK(make_site(t, "mergefail") == 0);
    path_join(db, t, "db");
    cmd c;
    sh(&c, t, "\"$I\" -q -j 1 --db db site");
    CHECK(c.status == 0);
    cmd_free(&c);
    long before = hits_for(db, "steadymarker", NULL, NULL);
    CHECK(before > 0);

    rubric_index *ix = NULL;
    char *err = NULL;
    CHECK(rubric_index_open_with(db, NULL, RUBRIC_OPEN_REBUILD, &ix, &err) == RUBRIC_OK);
    free(err);
    if (!ix)
        return;
    char *paths[2];
    char a[PATH_MAX], b[PATH_MAX];
    page_file(a, t, 0);
    page_file(b, t, 1);
    paths[0] = a;
    paths[1] = b;
    CHECK(rubric_index_add_many(ix, (const char *const *)paths, NULL, 2, 2, NULL, NULL) ==
          RUBRIC_OK);
    CHECK(rubric_index_passages(ix) > 0);
    /* The merged index would be written here: a dangling link is in the way. */
    CHECK(snprintf(scratch, sizeof scratch, "%s.rebuild", db) < (int)sizeof scratch);
    path_join(block, scratch, "index");
    CHECK(symlink("/nonexistent/rubric-index", block) == 0);
    CHECK(rubric_index_commit(ix) == RUBRIC_ENODB);
    CHECK(strstr(rubric_index_errmsg(ix), "compact") != NULL);
    int what = -1;
    CHECK(rubric_index_add_file(ix, a, &what, NULL) == RUBRIC_ENODB);
    CHECK(strstr(rubric_index_errmsg(ix), "failed commit") != NULL);
    rubric_index_close(ix);
    CHECK(hits_for(db, "steadymarker", NULL, NULL) == before);
    CHECK(leftovers(t, ".rebuild") == 0);
}

static void a_rebuild_replaces_the_index_whole_and_can_change_its_language(void)
{
    char t[PATH_MAX], db[PATH_MAX], line[1024], words[256];
    CHECK(make_site(t, "rebuild") == 0);
    path_join(db, t, "db");
    cmd c;
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);

    /* Changes, a deletion and an addition, then a rebuild. */
    CHECK(put_page(t, 0, "steadymarker versionalpha rebuiltmarkbc") == 0);
    char file[PATH_MAX];
    page_file(file, t, 1);
    CHECK(unlink(file) == 0);
    char name[PATH_MAX];
    snprintf(name, sizeof name, "added-%s", g_names[2]);
    default_words(words, sizeof words, 2, "beta");
    CHECK(put_page_as(t, 2, name, words) == 0);
    index_site(&c, t, "--rebuild", line, sizeof line);
    CHECK(c.status == 0);
    if (c.status != 0)
        fprintf(stderr, "  --rebuild: %s", c.err);
    cmd_free(&c);
    CHECK(same_ids_as_clean_build(t, db, "clean"));
    CHECK(hits_for(db, "rebuiltmarkbc", NULL, NULL) == 1);
    CHECK(leftovers(t, ".rebuild") == 0);
    CHECK(leftovers(t, ".old") == 0);
    status s = status_of(t);
    CHECK_STR(s.language, "english");
    CHECK(s.files == (long)g_npages);

    /* Another language needs a rebuild: a plain run is a usage error and
     * changes nothing. */
    sh(&c, t, "\"$I\" --lang french --db db site");
    CHECK(c.status == 2);
    CHECK(strstr(c.err, "french") != NULL);
    cmd_free(&c);
    status s2 = status_of(t);
    CHECK_STR(s2.language, "english");
    CHECK(s2.revision == s.revision);
    CHECK_STR(s2.updated, s.updated);

    sh(&c, t, "\"$I\" -q --rebuild --lang french --db db site");
    CHECK(c.status == 0);
    if (c.status != 0)
        fprintf(stderr, "  --rebuild --lang french: %s", c.err);
    cmd_free(&c);
    s2 = status_of(t);
    CHECK_STR(s2.language, "french");
    CHECK(s2.passages == s.passages);
    path_join(file, t, "clean");
    CHECK(same_ids(db, file));
    CHECK(leftovers(t, ".rebuild") == 0);
    /* The index keeps its new language: a plain run needs no --lang. */
    index_site(&c, t, "", line, sizeof line);
    CHECK(c.status == 0);
    CHECK(count_before(line, "changed") == 0 && count_before(line, "added") == 0);
    cmd_free(&c);
    sh(&c, t, "\"$Q\" --db db steadymarker");
    CHECK(c.status == 0 && strstr(c.out, "steadymarker") != NULL);
    cmd_free(&c);
}

/* Caches key on the revision (rubric-query --json prints it as "index"): a
 * commit that changes the index must give it a revision never seen before. */
static void a_rebuild_moves_the_revision_forward_never_back(void)
{
    char t[PATH_MAX], line[1024];
    CHECK(make_site(t, "revision") == 0);
    cmd c;
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);
    long r1 = status_of(t).revision;
    CHECK(put_page(t, 0, "steadymarker versionalpha revisionmarkbc") == 0);
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);
    long r2 = status_of(t).revision;
    CHECK(r2 > r1);
    CHECK(put_page(t, 0, "steadymarker versionalpha revisionmarkcd") == 0);
    index_site(&c, t, "-q --rebuild", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);
    long r3 = status_of(t).revision;
    CHECK(r3 > r2);
    if (r3 <= r2)
        fprintf(stderr, "  revision %ld after the first build, %ld after a change, %ld after "
                        "a --rebuild that changed the content again\n", r1, r2, r3);
}

/* ---------------------------------------------------------------- locking */

/* A child holding the index at DB open for writing: it says so on a pipe, then
 * holds it HOLD_MS (forever when negative) and exits. */
static pid_t hold_lock(const char *db, long hold_ms)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        rubric_index *ix = NULL;
        char *err = NULL;
        int rc = rubric_index_open(db, NULL, &ix, &err);
        char ok = rc == RUBRIC_OK ? 'y' : 'n';
        if (write(p[1], &ok, 1) != 1 || rc != RUBRIC_OK)
            _exit(1);
        if (hold_ms < 0)
            for (;;)
                pause();
        sleep_ms(hold_ms);
        rubric_index_close(ix);
        _exit(0);
    }
    close(p[1]);
    char ok = 'n';
    if (pid < 0 || read(p[0], &ok, 1) != 1 || ok != 'y') {
        fprintf(stderr, "  the lock holder could not open %s\n", db);
        if (pid > 0)
            waitpid(pid, NULL, 0);
        pid = -1;
    }
    close(p[0]);
    return pid;
}

static void a_second_indexer_is_refused_at_once_or_waits_with_wait(void)
{
    char t[PATH_MAX], db[PATH_MAX], line[1024];
    CHECK(make_site(t, "lock") == 0);
    path_join(db, t, "db");
    cmd c;
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);
    CHECK(put_page(t, 0, "steadymarker versionalpha lockmarkbc") == 0);

    /* Held: refused at once with exit 3; readers and --status still work. */
    pid_t holder = hold_lock(db, -1);
    CHECK(holder > 0);
    double t0 = now_s();
    sh(&c, t, "\"$I\" --db db site");
    double refused = now_s() - t0;
    CHECK(c.status == 3);
    CHECK(strstr(c.err, "index is locked by another indexer") != NULL);
    CHECK(refused < 1.0);
    if (c.status != 3)
        fprintf(stderr, "  exit %d: %s", c.status, c.err);
    cmd_free(&c);
    sh(&c, t, "\"$I\" --status --db db && \"$Q\" --db db steadymarker");
    CHECK(c.status == 0);
    cmd_free(&c);
    /* A dry run takes no lock: it runs beside the holder, and says what a
     * real run would change. */
    sh(&c, t, "\"$I\" --dry-run --db db site");
    CHECK(c.status == 0 && strstr(c.out, "change site/"));
    cmd_free(&c);
    /* --wait shorter than the hold: still exit 3, after about that long. */
    t0 = now_s();
    sh(&c, t, "\"$I\" --wait 1 --db db site");
    double waited_out = now_s() - t0;
    CHECK(c.status == 3);
    CHECK(waited_out >= 0.9 && waited_out < 2.5);
    cmd_free(&c);
    if (holder > 0) {
        kill(holder, SIGKILL);
        waitpid(holder, NULL, 0);
    }
    CHECK(hits_for(db, "lockmarkbc", NULL, NULL) == 0);

    /* Held for 1 s: --wait 3 gets it when it is released. */
    holder = hold_lock(db, 1000);
    CHECK(holder > 0);
    t0 = now_s();
    sh(&c, t, "\"$I\" --wait 3 --db db site");
    double waited = now_s() - t0;
    CHECK(c.status == 0);
    CHECK(waited >= 0.7 && waited < 3.5);
    if (c.status != 0)
        fprintf(stderr, "  --wait 3: exit %d after %.2f s: %s", c.status, waited, c.err);
    cmd_free(&c);
    int ws = 0;
    if (holder > 0) {
        waitpid(holder, &ws, 0);
        CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    }
    CHECK(hits_for(db, "lockmarkbc", NULL, NULL) == 1);
    printf("     refused in %.3f s; --wait 1 gave up after %.2f s; --wait 3 got the index "
           "after %.2f s\n", refused, waited_out, waited);
}

/* ------------------------------------------------------------- kill loop */

static uint64_t g_rng;

static uint64_t rnd(void)
{
    /* xorshift64* */
    g_rng ^= g_rng >> 12;
    g_rng ^= g_rng << 25;
    g_rng ^= g_rng >> 27;
    return g_rng * 2685821657736338717ULL;
}

/* Rebuilds take turns on one thread and on two (shards merged at the end). */
static pid_t spawn_indexer(const char *t, int rebuild, int first)
{
    static int turn;
    const char *jobs = turn++ % 2 ? "2" : "1";
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (chdir(t) != 0 || fd < 0)
            _exit(127);
        dup2(fd, 1);
        dup2(fd, 2);
        if (rebuild)
            execl(g_index, "rubric-index", "-q", "-j", jobs, "--rebuild", "--db", "db", "site",
                  (char *)NULL);
        else if (first)
            execl(g_index, "rubric-index", "-q", "-j", jobs, "--db", "db", "site", (char *)NULL);
        else
            execl(g_index, "rubric-index", "-q", "--db", "db", "site", (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Kills land in four kinds of run, in turn: an incremental run after a few
 * pages changed (it is over in ~20 ms, so most of these kills come after
 * it), a --rebuild, an incremental run after every page changed, and a
 * first build (the index removed before it). Rebuilds and first builds take
 * turns on one and two threads. */
enum { KILL_FEW, KILL_REBUILD, KILL_ALL, KILL_FIRST, KILL_KINDS };
static const char *const kill_kind[KILL_KINDS] = {"a few pages reindexed", "rebuild",
                                                   "every page reindexed", "first build"};

/* The passages holding steadymarker (on every page) are all of one version:
 * 1 for alpha, 2 for beta, 0 when mixed or missing. */
static int one_version(const char *db)
{
    rubric_db *d = NULL;
    char *err = NULL;
    if (rubric_db_open(db, &d, &err) != RUBRIC_OK) {
        free(err);
        return 0;
    }
    reader_stats s;
    memset(&s, 0, sizeof s);
    search_steady(d, &s, -1);
    rubric_db_close(d);
    return s.failures || s.mixed ? 0 : s.alpha ? 1 : s.beta ? 2 : 0;
}

static void killing_the_indexer_at_any_moment_leaves_a_working_index(void)
{
    enum { TRIALS = 52, MODIFY = 6 };
    char t[PATH_MAX], db[PATH_MAX], scratch[PATH_MAX], line[1024], words[256], trial_word[32];
    CHECK(make_site(t, "kill") == 0);
    path_join(db, t, "db");
    path_join(scratch, t, "db.rebuild");
    const char *seed_env = getenv("RUBRIC_KILL_SEED");
    uint64_t seed = seed_env && *seed_env ? strtoull(seed_env, NULL, 0) : 20261126;
    g_rng = seed ? seed : 1;
    printf("     kill loop: seed %llu (RUBRIC_KILL_SEED=%llu repeats it)\n",
           (unsigned long long)seed, (unsigned long long)seed);
    cmd c;
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);
    idset before;
    CHECK(ids_of(db, &before) == 0);

    int present[MAX_PAGES];
    for (size_t i = 0; i < g_npages; i++)
        present[i] = 1;
    const char *version = "alpha";
    int kills[KILL_KINDS] = {0}, mid_run[KILL_KINDS] = {0};
    int scratch_left = 0, locked_after = 0, bad_query = 0, bad_status = 0, torn = 0;
    int failed_completion = 0, not_clean = 0;
    double t0 = now_s();
    for (int trial = 0; trial < TRIALS; trial++) {
        int kind = trial % KILL_KINDS;
        marker(trial_word, sizeof trial_word, "trialmark", (size_t)trial);
        /* Which pages change; now and then one goes or comes back. */
        long nmod = 0;
        for (int k = 0; k < MODIFY; k++) {
            size_t i = (size_t)(rnd() % g_npages);
            if (present[i] == 1) {
                present[i] = 2;
                nmod++;
            }
        }
        size_t victim = (size_t)(rnd() % g_npages);
        char file[PATH_MAX];
        if (trial % 4 == 2 && present[victim] == 1) {
            page_file(file, t, victim);
            CHECK(unlink(file) == 0);
            present[victim] = 0;
        } else if (trial % 4 == 0) {
            for (size_t i = 0; i < g_npages; i++)
                if (!present[i]) {
                    present[i] = 3; /* written below */
                    break;
                }
        }
        if (kind == KILL_ALL)
            version = strcmp(version, "alpha") == 0 ? "beta" : "alpha";
        for (size_t i = 0; i < g_npages; i++) {
            if (present[i] == 2) {
                char own[32];
                marker(own, sizeof own, "pagemark", i);
                snprintf(words, sizeof words, "steadymarker version%s %s %s", version, own,
                         trial_word);
                CHECK(put_page(t, i, words) == 0);
            } else if (present[i] == 3 || (present[i] == 1 && kind == KILL_ALL)) {
                default_words(words, sizeof words, i, version);
                CHECK(put_page(t, i, words) == 0);
            }
            present[i] = present[i] ? 1 : 0;
        }

        /* Start the indexer, kill it at a random moment. */
        long delay = (long)(rnd() % 301);
        if (kind == KILL_FIRST) {
            sh(&c, t, "rm -rf db db.rebuild");
            cmd_free(&c);
        }
        pid_t pid = spawn_indexer(t, kind == KILL_REBUILD, kind == KILL_FIRST);
        CHECK(pid > 0);
        sleep_ms(delay);
        int ws = 0;
        kill(pid, SIGKILL);
        waitpid(pid, &ws, 0);
        kills[kind]++;
        if (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL)
            mid_run[kind]++;
        else
            CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
        scratch_left += kind == KILL_REBUILD && exists(scratch);

        /* The index answers, and holds the killed run all or nothing. */
        /* (A first build killed before it made the index leaves none.) */
        char version_file[PATH_MAX];
        path_join(version_file, db, "iamglass");
        int none = kind == KILL_FIRST && !exists(version_file);
        sh(&c, t, "\"$Q\" --db db steadymarker");
        if (c.status != (none ? 4 : 0)) {
            bad_query++;
            fprintf(stderr, "  trial %d (%s, killed after %ld ms): rubric-query exit %d: %s",
                    trial, kill_kind[kind], delay, c.status, c.err);
        }
        cmd_free(&c);
        sh(&c, t, "\"$I\" --status --db db");
        if (none ? c.status != 4 : c.status != 0 || !strstr(c.out, "revision:")) {
            bad_status++;
            fprintf(stderr, "  trial %d: --status exit %d: %s", trial, c.status, c.err);
        }
        cmd_free(&c);
        long seen = none ? 0 : hits_for(db, trial_word, NULL, NULL);
        int seen_version = one_version(db);
        idset killed;
        memset(&killed, 0, sizeof killed);
        int have_killed = none || ids_of(db, &killed) == 0;

        /* Then a run to completion gives the passages of a clean build. */
        index_site(&c, t, "-q", line, sizeof line);
        if (c.status == 3) {
            locked_after++;
            cmd_free(&c);
            index_site(&c, t, "-q --wait 5", line, sizeof line);
        }
        if (c.status != 0) {
            failed_completion++;
            fprintf(stderr, "  trial %d: the run after the kill: exit %d: %s", trial, c.status,
                    c.err);
        }
        cmd_free(&c);
        if (!same_ids_as_clean_build(t, db, "clean")) {
            not_clean++;
            fprintf(stderr, "  trial %d (%s, killed after %ld ms): not a clean build's ids\n",
                    trial, kill_kind[kind], delay);
        }
        CHECK(hits_for(db, trial_word, NULL, NULL) == nmod);
        CHECK(one_version(db) == (strcmp(version, "alpha") == 0 ? 1 : 2));
        idset now;
        int have_now = ids_of(db, &now) == 0;
        /* A killed first build leaves no passages or all of them. */
        int whole = have_killed && have_now &&
                    (ids_equal(&killed, &before) || ids_equal(&killed, &now) ||
                     (kind == KILL_FIRST && killed.n == 0));
        if (!(seen == 0 || seen == nmod) || (seen_version == 0 && killed.n > 0) || !whole) {
            torn++;
            fprintf(stderr, "  trial %d (%s, killed after %ld ms): the killed run left a partial "
                            "index: %ld of %ld changed passages, version %d, %zu ids (before "
                            "%zu, after %zu)\n",
                    trial, kill_kind[kind], delay, seen, nmod, seen_version,
                    have_killed ? killed.n : 0, before.n, have_now ? now.n : 0);
        }
        if (have_killed)
            idset_free(&killed);
        idset_free(&before);
        before = now;
    }
    idset_free(&before);
    double took = now_s() - t0;

    /* A later rebuild clears any scratch directory a killed one left. */
    index_site(&c, t, "-q --rebuild", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);
    CHECK(leftovers(t, ".rebuild") == 0);

    int total_mid = 0;
    for (int k = 0; k < KILL_KINDS; k++)
        total_mid += mid_run[k];
    printf("     %d kills in %.1f s, %d of them mid-run (the indexer had not exited):", TRIALS, took,
           total_mid);
    for (int k = 0; k < KILL_KINDS; k++)
        printf("%s %d/%d %s", k ? "," : "", mid_run[k], kills[k], kill_kind[k]);
    printf("\n");
    printf("     after the kills: %d partial indexes, %d failed queries, %d failed --status, "
           "%d runs found it locked; %d killed rebuilds left db.rebuild behind (a later "
           "--rebuild removes it)\n",
           torn, bad_query, bad_status, locked_after, scratch_left);
    CHECK(bad_query == 0);
    CHECK(bad_status == 0);
    CHECK(torn == 0);
    CHECK(failed_completion == 0);
    CHECK(not_clean == 0);
    CHECK(total_mid >= TRIALS / 4);
}

/* The bytes the files under DIR take (du -sk), or -1. */
static long kbytes_of(const char *t, const char *dir)
{
    cmd c;
    sh(&c, t, "du -sk %s | cut -f1", dir);
    long kb = c.status == 0 ? strtol(c.out, NULL, 10) : -1;
    cmd_free(&c);
    return kb;
}

/* A file size limit (ulimit -f) reached in a first build, an incremental
 * run and a rebuild: each stops with a message saying what ran out, leaves
 * the index as it was and no scratch behind, and a run with room converges
 * on a clean build. */
static void a_file_size_limit_stops_a_run_saying_so_and_keeps_the_index(void)
{
    char t[PATH_MAX], db[PATH_MAX], line[1024], words[256];
    CHECK(make_site(t, "fsize") == 0);
    path_join(db, t, "db");
    cmd c;
    /* dash counts ulimit -f in blocks of 512 bytes: 64 KB. */
    sh(&c, t, "ulimit -f 128; \"$I\" -q --db db site");
    CHECK(c.status == 4 && strstr(c.err, "File too large"));
    if (c.status != 4)
        fprintf(stderr, "  first build: exit %d: %s", c.status, c.err);
    cmd_free(&c);
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);
    idset before, after;
    CHECK(ids_of(db, &before) == 0);
    for (size_t i = 0; i < g_npages; i++) {
        snprintf(words, sizeof words, "steadymarker limitword%zu", i);
        CHECK(put_page(t, i, words) == 0);
    }
    const char *runs[] = {"ulimit -f 128; \"$I\" -q --db db site",
                          "ulimit -f 128; \"$I\" -q -j 2 --rebuild --db db site"};
    for (size_t k = 0; k < 2; k++) {
        long before_kb = kbytes_of(t, "db");
        sh(&c, t, "%s", runs[k]);
        CHECK(c.status == 4 && strstr(c.err, "File too large"));
        CHECK(before_kb > 0 && kbytes_of(t, "db") <= before_kb);
        CHECK(strstr(c.err, "the index is unchanged") || strstr(c.err, "rebuild"));
        cmd_free(&c);
        CHECK(ids_of(db, &after) == 0 && ids_equal(&before, &after));
        idset_free(&after);
        CHECK(hits_for(db, "limitword3", NULL, NULL) == 0);
        CHECK(leftovers(t, ".rebuild") == 0);
    }
    idset_free(&before);
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);
    CHECK(hits_for(db, "limitword3", NULL, NULL) >= 1);
    CHECK(same_ids_as_clean_build(t, db, "fsize-clean"));
}

/* A full disk (a small tmpfs) in a first build, an incremental run and a
 * rebuild: each stops saying what ran out, leaves the index as it was and no
 * scratch behind, and a run with room converges on a clean build. Needs root
 * to mount the tmpfs. */
static void a_full_disk_stops_a_run_saying_so_and_keeps_the_index(void)
{
    char t[PATH_MAX], db[PATH_MAX], fs[PATH_MAX], words[256];
    CHECK(make_site(t, "diskfull") == 0);
    path_join(fs, t, "fs");
    path_join(db, fs, "db");
    cmd c;
    sh(&c, t, "mkdir fs && mount -t tmpfs -o size=64m tmpfs fs");
    int mounted = c.status == 0;
    cmd_free(&c);
    if (!mounted) {
        printf("SKIP a_full_disk_stops_a_run_saying_so_and_keeps_the_index (cannot mount a tmpfs)\n");
        return;
    }
    sh(&c, t, "\"$I\" -q --db fs/db site");
    CHECK(c.status == 0);
    cmd_free(&c);
    long used = kbytes_of(t, "fs");
    idset before, after;
    CHECK(used > 0 && ids_of(db, &before) == 0);
    for (size_t i = 0; i < g_npages; i++) {
        snprintf(words, sizeof words, "steadymarker fullword%zu %s", i,
                 "and a long tail of words to make every page grow a little bigger than before");
        CHECK(put_page(t, i, words) == 0);
    }
    /* Room for what is there and a little: the runs that grow it fail. */
    sh(&c, t, "mount -o remount,size=%ldk fs", used + 64);
    CHECK(c.status == 0);
    cmd_free(&c);
    const char *runs[] = {"\"$I\" -q --db fs/db site", "\"$I\" -q -j 2 --rebuild --db fs/db site"};
    for (size_t k = 0; k < 2; k++) {
        long before_kb = kbytes_of(t, "fs");
        sh(&c, t, "%s", runs[k]);
        CHECK(c.status == 4 && strstr(c.err, "No space left on device"));
        if (c.status != 4)
            fprintf(stderr, "  run %zu: exit %d: %s", k, c.status, c.err);
        cmd_free(&c);
        /* What the failed run wrote is given back. */
        long after_kb = kbytes_of(t, "fs");
        CHECK(before_kb > 0 && after_kb <= before_kb);
        if (after_kb > before_kb)
            fprintf(stderr, "  run %zu: %ld KiB before, %ld KiB after\n", k, before_kb, after_kb);
        CHECK(ids_of(db, &after) == 0 && ids_equal(&before, &after));
        idset_free(&after);
        CHECK(hits_for(db, "fullword3", NULL, NULL) == 0);
        CHECK(leftovers(fs, ".rebuild") == 0);
    }
    /* A first build that runs out of room publishes nothing. */
    sh(&c, t, "rm -rf fs/db && \"$I\" -q --db fs/db site");
    CHECK(c.status == 4 && strstr(c.err, "No space left on device"));
    if (c.status != 4)
        fprintf(stderr, "  first build: exit %d: %s", c.status, c.err);
    cmd_free(&c);
    CHECK(leftovers(fs, ".rebuild") == 0);
    /* With room again, the next run converges. */
    sh(&c, t, "mount -o remount,size=64m fs");
    cmd_free(&c);
    sh(&c, t, "\"$I\" -q --db fs/db site");
    CHECK(c.status == 0);
    cmd_free(&c);
    CHECK(hits_for(db, "fullword3", NULL, NULL) >= 1);
    CHECK(same_ids_as_clean_build(t, db, "diskfull-clean"));
    idset_free(&before);
    sh(&c, t, "umount fs");
    cmd_free(&c);
}

/* -------------------------------------------------------------- bad input */

static void a_page_turned_unreadable_keeps_its_passages_and_the_run_exits_1(void)
{
    char t[PATH_MAX], db[PATH_MAX], line[1024];
    CHECK(make_site(t, "badinput") == 0);
    path_join(db, t, "db");
    cmd c;
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);

    /* Page 3 becomes NUL bytes, page 4 invalid UTF-8; page 5 changes for real. */
    char nul_word[32], bad_word[32], nul_rel[PATH_MAX], bad_rel[PATH_MAX], file[PATH_MAX];
    marker(nul_word, sizeof nul_word, "pagemark", 3);
    marker(bad_word, sizeof bad_word, "pagemark", 4);
    page_rel(nul_rel, sizeof nul_rel, 3);
    page_rel(bad_rel, sizeof bad_rel, 4);
    idset ids;
    char prefix[PATH_MAX + 2];
    CHECK(ids_of(db, &ids) == 0);
    snprintf(prefix, sizeof prefix, "%s#", nul_rel);
    size_t nul_ids = ids_with_prefix(&ids, prefix);
    snprintf(prefix, sizeof prefix, "%s#", bad_rel);
    size_t bad_ids = ids_with_prefix(&ids, prefix);
    idset_free(&ids);
    CHECK(nul_ids > 0 && bad_ids > 0);

    static char junk[8192];
    memset(junk, 0, sizeof junk);
    page_file(file, t, 3);
    CHECK(write_file(file, junk, sizeof junk) == 0 && bump_mtime(file) == 0);
    memset(junk, 0xff, sizeof junk);
    page_file(file, t, 4);
    CHECK(write_file(file, junk, sizeof junk) == 0 && bump_mtime(file) == 0);
    CHECK(put_page(t, 5, "steadymarker versionalpha goodmarkbc") == 0);

    for (int run = 0; run < 2; run++) {
        index_site(&c, t, run ? "-q" : "", line, sizeof line);
        CHECK(c.status == 1);
        CHECK(strstr(c.err, nul_rel) != NULL);
        CHECK(strstr(c.err, bad_rel) != NULL);
        CHECK(count_before(line, "skipped") == 2);
        CHECK(count_before(line, "changed") == (run ? 0 : 1));
        CHECK(count_before(line, "removed") == 0);
        if (c.status != 1 || !strstr(c.err, nul_rel))
            fprintf(stderr, "  run %d: exit %d: %s", run, c.status, c.err);
        cmd_free(&c);
        long in_path = 0;
        CHECK(hits_for(db, nul_word, nul_rel, &in_path) == 1 && in_path == 1);
        CHECK(hits_for(db, bad_word, bad_rel, &in_path) == 1 && in_path == 1);
        CHECK(hits_for(db, "goodmarkbc", NULL, NULL) == 1);
        CHECK(ids_of(db, &ids) == 0);
        snprintf(prefix, sizeof prefix, "%s#", nul_rel);
        CHECK(ids_with_prefix(&ids, prefix) == nul_ids);
        snprintf(prefix, sizeof prefix, "%s#", bad_rel);
        CHECK(ids_with_prefix(&ids, prefix) == bad_ids);
        idset_free(&ids);
    }

    /* Readable again: indexed again. */
    CHECK(put_page(t, 3, "steadymarker versionalpha mendedmarkbc") == 0);
    CHECK(put_page(t, 4, "steadymarker versionalpha mendedmarkcd") == 0);
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    CHECK(count_before(line, "changed") == 2);
    cmd_free(&c);
    CHECK(hits_for(db, nul_word, NULL, NULL) == 0);
    CHECK(hits_for(db, "mendedmarkbc", NULL, NULL) == 1);
    CHECK(same_ids_as_clean_build(t, db, "clean"));
}

/* ------------------------------------------------------------- observable */

static void status_json_dry_run_and_quiet_tell_what_the_index_holds(void)
{
    char t[PATH_MAX], db[PATH_MAX], line[1024], words[256];
    CHECK(make_site(t, "observe") == 0);
    path_join(db, t, "db");
    cmd c;
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);

    /* --status */
    status s = status_of(t);
    CHECK(s.exit == 0);
    CHECK(s.lines == 6);
    CHECK(s.revision > 0);
    CHECK(is_iso_utc(s.updated));
    CHECK(s.files == (long)g_npages);
    rubric_db *d = NULL;
    char *err = NULL;
    long passages = -1;
    if (rubric_db_open(db, &d, &err) == RUBRIC_OK) {
        passages = (long)rubric_db_passages(d);
        rubric_db_close(d);
    }
    free(err);
    CHECK(s.passages > 0 && s.passages == passages);
    CHECK_STR(s.language, "english");
    CHECK(strstr(s.size, "MB") != NULL);

    /* rubric-query --json names the same state. */
    sh(&c, t, "\"$Q\" --db db --json steadymarker");
    CHECK(c.status == 0);
    cJSON *j = cJSON_Parse(c.out);
    const cJSON *ix = cJSON_GetObjectItemCaseSensitive(j, "index");
    const cJSON *rev = cJSON_GetObjectItemCaseSensitive(ix, "revision");
    const cJSON *upd = cJSON_GetObjectItemCaseSensitive(ix, "updated");
    CHECK(cJSON_IsNumber(rev) && (long)rev->valuedouble == s.revision);
    CHECK(cJSON_IsString(upd));
    CHECK_STR(cJSON_IsString(upd) ? upd->valuestring : NULL, s.updated);
    cJSON_Delete(j);
    cmd_free(&c);

    /* --dry-run: one line per add, change and removal; nothing moves. */
    char rel0[PATH_MAX], rel2[PATH_MAX], added[PATH_MAX], file[PATH_MAX], want[3][PATH_MAX + 16];
    page_rel(rel0, sizeof rel0, 0);
    page_rel(rel2, sizeof rel2, 2);
    CHECK(put_page(t, 0, "steadymarker versionalpha drymarkbc") == 0);
    page_file(file, t, 2);
    CHECK(unlink(file) == 0);
    snprintf(added, sizeof added, "added-%s", g_names[1]);
    default_words(words, sizeof words, 1, "beta");
    CHECK(put_page_as(t, 1, added, words) == 0);
    page_file(file, t, 3);
    CHECK(bump_mtime(file) == 0); /* touched only: not a change */
    snprintf(want[0], sizeof want[0], "change %s\n", rel0);
    snprintf(want[1], sizeof want[1], "add site/%s\n", added);
    snprintf(want[2], sizeof want[2], "remove %s\n", rel2);
    idset ids_before;
    CHECK(ids_of(db, &ids_before) == 0);
    sh(&c, t, "\"$I\" --dry-run --db db site");
    CHECK(c.status == 0);
    for (int i = 0; i < 3; i++)
        CHECK(strstr(c.out, want[i]) != NULL);
    CHECK(count_lines(c.out) == 3);
    if (count_lines(c.out) != 3 || c.status != 0)
        fprintf(stderr, "  --dry-run: exit %d, stdout:\n%s", c.status, c.out);
    char *first = strdup(c.out);
    cmd_free(&c);
    status s2 = status_of(t);
    CHECK(s2.revision == s.revision);
    CHECK_STR(s2.updated, s.updated);
    CHECK(s2.passages == s.passages && s2.files == s.files);
    idset ids_after;
    CHECK(ids_of(db, &ids_after) == 0 && ids_equal(&ids_before, &ids_after));
    idset_free(&ids_after);
    idset_free(&ids_before);
    CHECK(hits_for(db, "drymarkbc", NULL, NULL) == 0);
    sh(&c, t, "\"$I\" --dry-run --db db site");
    CHECK(c.status == 0);
    CHECK_STR(c.out, first);
    cmd_free(&c);
    free(first);

    /* The real run does what the dry run said. */
    index_site(&c, t, "", line, sizeof line);
    CHECK(c.status == 0);
    CHECK(count_before(line, "added") == 1);
    CHECK(count_before(line, "changed") == 1);
    CHECK(count_before(line, "removed") == 1);
    cmd_free(&c);
    status s3 = status_of(t);
    CHECK(s3.revision > s.revision);
    CHECK(is_iso_utc(s3.updated) && strcmp(s3.updated, s.updated) >= 0);
    sh(&c, t, "\"$Q\" --db db --json drymarkbc");
    j = cJSON_Parse(c.out);
    ix = cJSON_GetObjectItemCaseSensitive(j, "index");
    rev = cJSON_GetObjectItemCaseSensitive(ix, "revision");
    upd = cJSON_GetObjectItemCaseSensitive(ix, "updated");
    CHECK(cJSON_IsNumber(rev) && (long)rev->valuedouble == s3.revision);
    CHECK_STR(cJSON_IsString(upd) ? upd->valuestring : NULL, s3.updated);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "results")) == 1);
    cJSON_Delete(j);
    cmd_free(&c);

    /* -q: the summary line, and errors; nothing else. */
    char rel5[PATH_MAX];
    page_rel(rel5, sizeof rel5, 5);
    CHECK(put_page(t, 4, "steadymarker versionalpha quietmarkbc") == 0);
    page_file(file, t, 5);
    CHECK(write_file(file, "\0\0\0\0\0\0\0\0", 8) == 0 && bump_mtime(file) == 0);
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 1);
    CHECK(count_lines(c.err) == 2);
    CHECK(strstr(c.err, rel5) != NULL);
    CHECK(*line && count_before(line, "changed") == 1);
    CHECK(c.out[0] == '\0');
    if (count_lines(c.err) != 2)
        fprintf(stderr, "  -q with a bad file, stderr:\n%s", c.err);
    cmd_free(&c);
    CHECK(put_page(t, 5, "steadymarker versionalpha quietmarkdf") == 0);
    CHECK(put_page(t, 6, "steadymarker versionalpha quietmarkcd") == 0);
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    CHECK(count_lines(c.err) == 1);
    CHECK(*line && count_before(line, "changed") == 2);
    CHECK(c.out[0] == '\0');
    if (count_lines(c.err) != 1)
        fprintf(stderr, "  -q, stderr:\n%s", c.err);
    cmd_free(&c);
}

/* "--dry-run: list what would be added, changed and removed; change nothing". */
static void a_dry_run_on_a_missing_index_creates_nothing(void)
{
    char t[PATH_MAX], db[PATH_MAX];
    CHECK(make_site(t, "dry-missing") == 0);
    path_join(db, t, "never.db");
    cmd c;
    sh(&c, t, "\"$I\" --dry-run --db never.db site");
    CHECK(c.status == 0);
    CHECK(count_lines(c.out) == (int)g_npages);
    cmd_free(&c);
    CHECK(!exists(db));
    if (exists(db))
        fprintf(stderr, "  %s was created by a dry run\n", db);
}

/* A dry run says what the real run would do: a page that has turned into
 * NUL bytes would be skipped (named on stderr, exit 1), not changed. */
/* The ids of the folded passages of the index at DB, sorted; -1 on failure. */
static int folded_ids(const char *db, idset *s)
{
    memset(s, 0, sizeof *s);
    xs_db *d = NULL;
    char *err = NULL;
    if (xs_db_open_read(db, &d, &err) != XS_OK) {
        fprintf(stderr, "  cannot read %s: %s\n", db, err ? err : "?");
        free(err);
        return -1;
    }
    unsigned *docs = NULL;
    size_t n = 0;
    int rc = xs_db_postings(d, "XD", 2, &docs, &n);
    for (size_t i = 0; i < n && rc == XS_OK; i++)
        rc = xs_db_doc_terms(d, docs[i], "Q", collect_one_id, s);
    free(docs);
    xs_db_close(d);
    if (rc != XS_OK)
        return -1;
    if (s->n)
        qsort(s->v, s->n, sizeof *s->v, by_str);
    return 0;
}

/* Reindexing as copies come and go folds exactly what a fresh build of the
 * same files folds: each run rechecks all that its changes could move. */
static void incremental_runs_fold_what_a_rebuild_folds(void)
{
    char t[PATH_MAX], db[PATH_MAX], fresh[PATH_MAX], line[1024];
    CHECK(make_site(t, "folding") == 0);
    path_join(db, t, "db");
    path_join(fresh, t, "fresh");
    cmd c;
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);
    /* Copies of six pages beside them, then edits and deletions. */
    char name[PATH_MAX];
    for (size_t i = 0; i < 6; i++) {
        snprintf(name, sizeof name, "mirror/%s", g_names[i]);
        char dir[PATH_MAX];
        path_join(dir, t, "site/mirror");
        mkdir(dir, 0755);
        CHECK(put_page_as(t, i, name, NULL) == 0);
    }
    char drop[PATH_MAX + 64];
    snprintf(drop, sizeof drop, "rm site/%s && \"$I\" -q --db db site", g_names[2]);
    const char *steps[] = {
        "\"$I\" -q --db db site",
        /* an original edited: its copy now differs in a paragraph */
        NULL,
        "\"$I\" -q --db db site",
        /* an original deleted: its copy is the one left */
        drop,
        "rm site/mirror/* && \"$I\" -q --db db site",
    };
    for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
        if (!steps[k]) {
            char words[256];
            default_words(words, sizeof words, 1, "alpha");
            strcat(words, " and a sentence the copy lacks about the lighthouse keeper");
            CHECK(put_page(t, 1, words) == 0);
            continue;
        }
        sh(&c, t, "%s", steps[k]);
        CHECK(c.status == 0);
        if (c.status != 0)
            fprintf(stderr, "  step %zu: exit %d: %s", k, c.status, c.err);
        cmd_free(&c);
        sh(&c, t, "rm -rf fresh && \"$I\" -q --db fresh site");
        CHECK(c.status == 0);
        if (c.status != 0)
            fprintf(stderr, "  step %zu, fresh build: exit %d: %s", k, c.status, c.err);
        cmd_free(&c);
        idset a, b;
        CHECK(folded_ids(db, &a) == 0 && folded_ids(fresh, &b) == 0);
        if (!ids_equal(&a, &b))
            fprintf(stderr, "  step %zu: %zu folded by the runs, %zu by a fresh build\n", k, a.n,
                    b.n);
        CHECK(ids_equal(&a, &b));
        if (k == 0)
            CHECK(a.n > 0);  /* the copies of the first step are folded */
        if (k == 4)
            CHECK(a.n == 0);  /* and nothing once they are gone */
        idset_free(&a);
        idset_free(&b);
    }
}

static void a_dry_run_lists_a_page_turned_binary_as_skipped_not_changed(void)
{
    char t[PATH_MAX], line[1024], file[PATH_MAX], rel[PATH_MAX], change[PATH_MAX + 16];
    CHECK(make_site(t, "dry-binary") == 0);
    cmd c;
    index_site(&c, t, "-q", line, sizeof line);
    CHECK(c.status == 0);
    cmd_free(&c);
    static const char nul[64];
    page_file(file, t, 7);
    page_rel(rel, sizeof rel, 7);
    CHECK(write_file(file, nul, sizeof nul) == 0 && bump_mtime(file) == 0);
    snprintf(change, sizeof change, "change %s", rel);
    sh(&c, t, "\"$I\" --dry-run --db db site");
    CHECK(strstr(c.out, change) == NULL);
    CHECK(strstr(c.err, rel) != NULL);
    if (strstr(c.out, change) || !strstr(c.err, rel))
        fprintf(stderr, "  --dry-run: exit %d, stdout: %s  stderr: %s", c.status, c.out, c.err);
    cmd_free(&c);
    index_site(&c, t, "", line, sizeof line);
    CHECK(c.status == 1 && count_before(line, "skipped") == 1 && count_before(line, "changed") == 0);
    cmd_free(&c);
}

/* ------------------------------------------------------------------- main */

/* Does the page at PATH suit the tests: one h1, in a marked main content? */
static int suitable_page(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0 || st.st_size < PAGE_MIN_BYTES || st.st_size > PAGE_MAX_BYTES)
        return 0;
    char *data = slurp(path, NULL);
    if (!data)
        return 0;
    const char *h1 = strstr(data, "</h1>");
    int ok = h1 && !strstr(h1 + 5, "</h1>") && strstr(data, "role=\"main\"") &&
             strstr(data, "role=\"main\"") < h1;
    free(data);
    return ok;
}

static int add_name(const char *name)
{
    if (g_npages == MAX_PAGES)
        return -1;
    g_names[g_npages] = strdup(name);
    return g_names[g_npages] ? (int)g_npages++ : -1;
}

/* ~60 pages of the Python library reference, spread over the alphabet. */
static int copy_pydocs(void)
{
    struct dirent **list = NULL;
    int n = scandir(PYDOCS_LIBRARY, &list, NULL, alphasort);
    if (n < 0)
        return -1;
    char **fit = calloc((size_t)n + 1, sizeof *fit);
    size_t nfit = 0;
    for (int i = 0; i < n; i++) {
        char path[PATH_MAX];
        path_join(path, PYDOCS_LIBRARY, list[i]->d_name);
        if (fit && ends_with(list[i]->d_name, ".html") && suitable_page(path))
            fit[nfit++] = list[i]->d_name;
    }
    int rc = nfit >= NPAGES_WANTED ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < NPAGES_WANTED; k++) {
        const char *name = fit[k * nfit / NPAGES_WANTED];
        char from[PATH_MAX], to[PATH_MAX];
        path_join(from, PYDOCS_LIBRARY, name);
        path_join(to, g_orig, name);
        size_t len = 0;
        char *data = slurp(from, &len);
        if (!data || write_file(to, data, len) < 0 || add_name(name) < 0)
            rc = -1;
        free(data);
    }
    for (int i = 0; i < n; i++)
        free(list[i]);
    free(list);
    free(fit);
    return rc;
}

/* Without the Python docs: 60 plain-text articles of made-up prose. */
static int generate_articles(void)
{
    static const char *const words[] = {
        "river", "harbour", "market", "lantern", "granite", "orchard", "weaver", "ledger",
        "meadow", "copper", "winter", "bridge", "village", "pottery", "salt", "timber",
        "chapel", "festival", "garden", "quarry", "shepherd", "canal", "mill", "bakery"};
    size_t nw = sizeof words / sizeof *words;
    uint64_t r = 12345;
    for (int a = 0; a < NPAGES_WANTED; a++) {
        char name[64], path[PATH_MAX];
        snprintf(name, sizeof name, "article-%02d.txt", a);
        path_join(path, g_orig, name);
        FILE *f = fopen(path, "w");
        if (!f)
            return -1;
        fprintf(f, "Notes on the %s of the %s country\n", words[a % nw], words[(a * 7 + 3) % nw]);
        for (int sec = 0; sec < 6; sec++) {
            if (sec)
                fprintf(f, "The %s and the %s\n", words[(a + sec) % nw], words[(a * sec + 5) % nw]);
            for (int para = 0; para < 3; para++) {
                fprintf(f, "In this part of the country the");
                for (int w = 0; w < 40; w++) {
                    r = r * 6364136223846793005ULL + 1442695040888963407ULL;
                    fprintf(f, " %s", words[(r >> 33) % nw]);
                }
                fprintf(f, " were all recorded by the people who lived there.\n");
            }
        }
        if (fclose(f) != 0 || add_name(name) < 0)
            return -1;
    }
    return 0;
}

static int copy_corpus(const char *corpus)
{
    struct dirent **list = NULL;
    int n = scandir(corpus, &list, NULL, alphasort);
    if (n < 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0 && ends_with(list[i]->d_name, ".txt")) {
            char from[PATH_MAX], to[PATH_MAX];
            path_join(from, corpus, list[i]->d_name);
            path_join(to, g_orig, list[i]->d_name);
            size_t len = 0;
            char *data = slurp(from, &len);
            if (!data || write_file(to, data, len) < 0 || add_name(list[i]->d_name) < 0)
                rc = -1;
            free(data);
        }
        free(list[i]);
    }
    free(list);
    return rc;
}

int main(void)
{
    const char *src = getenv("RUBRIC_SRCDIR");
    char p[PATH_MAX], corpus[PATH_MAX];
    src = src && *src ? src : ".";
    if (shell_setup("reindex", g_index, g_query, g_tmp) < 0)
        return 1;
    snprintf(p, sizeof p, "%s/corpus", src);
    if (absolute(p, corpus) < 0)
        return 1;
    unsetenv("NO_COLOR");
    /* No rubric.json of the current folder: the tests run in their own. */
    path_join(g_orig, g_tmp, "orig");
    if (mkdir(g_orig, 0755) < 0) {
        fprintf(stderr, "test_reindex: mkdir %s: %s\n", g_orig, strerror(errno));
        return 1;
    }
    if (copy_pydocs() < 0) {
        for (size_t i = 0; i < g_npages; i++)
            free(g_names[i]);
        g_npages = 0;
        g_generated = 1;
        if (generate_articles() < 0) {
            fprintf(stderr, "test_reindex: cannot write articles in %s\n", g_orig);
            return 1;
        }
    }
    if (copy_corpus(corpus) < 0) {
        fprintf(stderr, "test_reindex: cannot copy %s\n", corpus);
        return 1;
    }
    printf("     %zu pages: %s, and corpus/*.txt, in %s\n", g_npages,
           g_generated ? "60 generated articles" : "60 pages of " PYDOCS_LIBRARY, g_tmp);
    double t0 = now_s();

    TRY(an_incremental_run_touches_only_what_changed_on_disk);
    TRY(readers_never_fail_nor_see_a_partial_index_during_reindex_and_rebuild);
    TRY(a_reader_opening_as_a_rebuild_swaps_the_index_sees_one_index_whole);
    TRY(indexing_on_several_threads_gives_the_same_index);
    TRY(a_rebuild_replaces_the_index_whole_and_can_change_its_language);
    TRY(a_rebuild_whose_merge_fails_leaves_the_live_index_as_it_was);
    TRY(a_build_whose_shards_fill_up_gives_the_same_index);
    TRY(a_sharded_build_told_to_stop_publishes_nothing);
    TRY(a_rebuild_moves_the_revision_forward_never_back);
    TRY(a_second_indexer_is_refused_at_once_or_waits_with_wait);
    TRY(killing_the_indexer_at_any_moment_leaves_a_working_index);
    TRY(a_file_size_limit_stops_a_run_saying_so_and_keeps_the_index);
    TRY(a_full_disk_stops_a_run_saying_so_and_keeps_the_index);
    TRY(a_page_turned_unreadable_keeps_its_passages_and_the_run_exits_1);
    TRY(status_json_dry_run_and_quiet_tell_what_the_index_holds);
    TRY(a_dry_run_on_a_missing_index_creates_nothing);
    TRY(a_dry_run_lists_a_page_turned_binary_as_skipped_not_changed);
    TRY(incremental_runs_fold_what_a_rebuild_folds);

    printf("     %.1f s in all\n", now_s() - t0);
    for (size_t i = 0; i < g_npages; i++)
        free(g_names[i]);
    snprintf(p, sizeof p, "rm -rf %s", sq(g_tmp));
    if (getenv("RUBRIC_KEEP_TMP"))
        printf("     kept %s\n", g_tmp);
    else if (system(p) != 0)
        fprintf(stderr, "test_reindex: could not remove %s\n", g_tmp);
    return HARNESS_END();
}
