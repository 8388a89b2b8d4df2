/* test_faults.c: out of memory at every allocation of an indexing run and of
 * a query. The program is linked with --wrap for malloc, calloc and realloc,
 * so each allocation the library makes (and cJSON's, through its hooks)
 * passes here; run N fails the Nth one. Every run must end in a right answer
 * or a clean RUBRIC_ENOMEM, never a crash (and, under SANITIZE=1, never a
 * leak): the first run counts the allocations, then each N up to that count
 * is tried.
 *
 * The index is one small article (corpus/urban-beekeeping.txt, under
 * $RUBRIC_SRCDIR), built afresh for each N in a temporary directory.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#define _XOPEN_SOURCE 700 /* realpath, for shell.h */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "rubric.h"
#include "harness.h"
#include "shell.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static unsigned long g_count;   /* allocations so far in this run */
static unsigned long g_fail_at; /* fail this one (0: none) */
static int g_failed;            /* one was failed */

static int fail_now(void)
{
    if (++g_count != g_fail_at)
        return 0;
    g_failed = 1;
    return 1;
}

void *__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __real_realloc(p, n);
}

static char g_tmp[PATH_MAX], g_article[PATH_MAX];
static char *g_reference;  /* the query's JSON with no fault */

/* Index the article into a new index DIR. RUBRIC_OK or the status that
 * stopped the run. */
static int index_article(const char *dir)
{
    rubric_index *ix = NULL;
    char *err = NULL;
    int rc = rubric_index_open(dir, "english", &ix, &err);
    free(err);
    if (rc == RUBRIC_OK)
        rc = rubric_index_add_file(ix, g_article, NULL, NULL);
    if (rc == RUBRIC_OK)
        rc = rubric_index_commit(ix);
    rubric_index_close(ix);
    return rc;
}

/* Search DIR for the test's query; the JSON (caller frees) in *json. */
static int search(const char *dir, char **json)
{
    *json = NULL;
    rubric_db *db = NULL;
    rubric_results *r = NULL;
    char *err = NULL;
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.fragments = 2;
    o.explain = 1;
    int rc = rubric_db_open(dir, &db, &err);
    if (rc == RUBRIC_OK)
        rc = rubric_search(db, "hive swarm", strlen("hive swarm"), &o, &r, &err);
    if (rc == RUBRIC_OK && !(*json = rubric_results_json(r, RUBRIC_JSON_COMPACT)))
        rc = RUBRIC_ENOMEM;
    free(err);
    rubric_results_free(r);
    rubric_db_close(db);
    return rc;
}

/* The JSON without its "updated" time, which moves from index to index. */
static void drop_updated(char *json)
{
    char *u = json ? strstr(json, "\"updated\":\"") : NULL;
    if (!u)
        return;
    char *end = strchr(u + 11, '"');
    if (end)
        memmove(u, end + 1, strlen(end + 1) + 1);
}

static void remove_dir(const char *dir)
{
    char rm[PATH_MAX + 64];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    if (system(rm) != 0)
        fprintf(stderr, "  could not remove %s\n", dir);
}

/* One run of each, failing allocation N (0: none). Returns the number of
 * allocations it made; *bad counts wrong outcomes. */
static unsigned long one_run(unsigned long n, int what, unsigned long *bad)
{
    char dir[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/db", g_tmp);
    if (what == 1 && index_article(dir) != RUBRIC_OK)  /* the query's index, made unfaulted */
        return 0;
    g_count = 0;
    g_fail_at = n;
    g_failed = 0;
    int rc;
    char *json = NULL;
    if (what == 0)
        rc = index_article(dir);
    else
        rc = search(dir, &json);
    unsigned long used = g_count;
    int failed = g_failed;
    g_fail_at = 0;
    if (rc == RUBRIC_OK && what == 0)
        rc = search(dir, &json);  /* what was indexed must be right */
    drop_updated(json);
    int right = rc == RUBRIC_OK && json && g_reference && strcmp(json, g_reference) == 0;
    if (getenv("RUBRIC_FAULT_SHOW"))
        fprintf(stderr, "  allocation %lu: status %d, json %s\n  reference %s\n", n, rc,
                json ? json : "(none)", g_reference);
    if (!(right || (failed && rc == RUBRIC_ENOMEM))) {
        if (*bad < 5)
            fprintf(stderr, "  %s, allocation %lu failed: status %d (%s)%s\n",
                    what ? "query" : "indexing", n, rc, rubric_strerror(rc),
                    rc == RUBRIC_OK ? ", but a different answer" : "");
        (*bad)++;
    }
    free(json);
    remove_dir(dir);
    return used;
}

static void each_allocation_failing_in_turn(int what)
{
    const char *only = getenv("RUBRIC_FAULT_AT");
    unsigned long bad = 0;
    if (only && *only) {
        one_run(strtoul(only, NULL, 10), what, &bad);
        return;
    }
    unsigned long total = one_run(0, what, &bad);
    CHECK(total > 0 && bad == 0);
    for (unsigned long n = 1; n <= total; n++)
        one_run(n, what, &bad);
    printf("     %s: %lu allocations, each failed in turn: %lu wrong outcomes\n",
           what ? "a query" : "an indexing run", total, bad);
    CHECK(bad == 0);
}

static void an_indexing_run_ends_right_or_out_of_memory_at_every_allocation(void)
{
    each_allocation_failing_in_turn(0);
}

static void a_query_ends_right_or_out_of_memory_at_every_allocation(void)
{
    each_allocation_failing_in_turn(1);
}

int main(void)
{
    const char *src = getenv("RUBRIC_SRCDIR"), *tmpdir = getenv("TMPDIR");
    snprintf(g_article, sizeof g_article, "%s/corpus/urban-beekeeping.txt",
             src && *src ? src : ".");
    snprintf(g_tmp, sizeof g_tmp, "%s/rubric-test-faults-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(g_tmp)) {
        fprintf(stderr, "test_faults: mkdtemp %s: %s\n", g_tmp, strerror(errno));
        return 1;
    }
    /* cJSON's allocations pass through the wrappers too. */
    cJSON_Hooks hooks = {__wrap_malloc, free};
    cJSON_InitHooks(&hooks);
    char dir[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/db", g_tmp);
    if (index_article(dir) != RUBRIC_OK || search(dir, &g_reference) != RUBRIC_OK) {
        fprintf(stderr, "test_faults: cannot index and search %s\n", g_article);
        return 1;
    }
    drop_updated(g_reference);
    remove_dir(dir);
    RUN(an_indexing_run_ends_right_or_out_of_memory_at_every_allocation);
    RUN(a_query_ends_right_or_out_of_memory_at_every_allocation);
    free(g_reference);
    remove_dir(g_tmp);
    return HARNESS_END();
}
