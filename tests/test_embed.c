/* test_embed.c: a program embedding rubric, linked with the installed static
 * library (build/librubric.a) as users' programs are.
 *
 * It names functions of its own after some of rubric's internal ones, with
 * other signatures. Only the rubric_* API is global in the library, so the
 * program links and both sides keep their own: were an internal name global,
 * the link would fail with a duplicate definition. Then it indexes
 * $RUBRIC_SRCDIR/corpus (default "./corpus") and searches it through the
 * public API alone.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stddef.h>

#include "rubric.h"
#include "harness.h"

/* The embedding program's own functions, named as rubric's internals are. */
int buf_add(int a, int b);
const char *xstrdup(void);
int hash64(int x);
int remove_tree(const char *why, int depth);
int read_html(void);
int xs_db_open_read(int n);

int buf_add(int a, int b) { return a + b; }
const char *xstrdup(void) { return "the program's own xstrdup"; }
int hash64(int x) { return x * 2; }
int remove_tree(const char *why, int depth) { return why ? depth : -depth; }
int read_html(void) { return 42; }
int xs_db_open_read(int n) { return n - 1; }

static char g_dir[] = "/tmp/rubric-test-embed-XXXXXX";
static char g_db[sizeof g_dir + 8];

static void the_programs_own_functions_keep_their_meaning(void)
{
    CHECK(buf_add(2, 3) == 5);
    CHECK_STR(xstrdup(), "the program's own xstrdup");
    CHECK(hash64(21) == 42);
    CHECK(remove_tree("x", 3) == 3);
    CHECK(read_html() == 42);
    CHECK(xs_db_open_read(1) == 0);
}

static void the_library_indexes_and_searches_beside_them(void)
{
    const char *src = getenv("RUBRIC_SRCDIR");
    char corpus[4096];
    snprintf(corpus, sizeof corpus, "%s/corpus", src && *src ? src : ".");
    const char *files[] = {"russia-balancing-act.txt", "urban-beekeeping.txt"};
    rubric_index *ix = NULL;
    char *err = NULL;
    CHECK(rubric_index_open(g_db, "english", &ix, &err) == RUBRIC_OK);
    free(err);
    if (!ix)
        return;
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", corpus, files[i]);
        size_t n = 0;
        CHECK(rubric_index_add_file(ix, path, NULL, &n) == RUBRIC_OK);
        CHECK(n > 0);
    }
    CHECK(rubric_index_commit(ix) == RUBRIC_OK);
    rubric_index_close(ix);

    rubric_db *db = NULL;
    CHECK(rubric_db_open(g_db, &db, &err) == RUBRIC_OK);
    free(err);
    if (!db)
        return;
    rubric_results *r = NULL;
    CHECK(rubric_search(db, "Bushehr", strlen("Bushehr"), NULL, &r, &err) == RUBRIC_OK);
    free(err);
    const rubric_hit *h = r && rubric_results_count(r) ? rubric_results_hit(r, 0) : NULL;
    CHECK(h != NULL);
    if (h)
        CHECK_STR(h->title, "Nuclear Cooperation");
    rubric_results_free(r);
    /* The index's id: the same through another handle, new for an index
     * made anew in the same folder. */
    char id[64];
    snprintf(id, sizeof id, "%s", rubric_db_id(db));
    CHECK(strlen(id) >= 32);
    rubric_db *again = NULL;
    CHECK(rubric_db_open(g_db, &again, &err) == RUBRIC_OK);
    free(err);
    if (again)
        CHECK_STR(rubric_db_id(again), id);
    rubric_db_close(again);
    rubric_db_close(db);
    char cmdline[4200];
    snprintf(cmdline, sizeof cmdline, "rm -rf '%s'", g_db);
    CHECK(system(cmdline) == 0);
    CHECK(rubric_index_open(g_db, "english", &ix, &err) == RUBRIC_OK);
    free(err);
    if (ix) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", corpus, files[0]);
        CHECK(rubric_index_add_file(ix, path, NULL, NULL) == RUBRIC_OK);
        CHECK(rubric_index_commit(ix) == RUBRIC_OK);
        rubric_index_close(ix);
    }
    CHECK(rubric_db_open(g_db, &db, &err) == RUBRIC_OK);
    free(err);
    if (db)
        CHECK(strcmp(rubric_db_id(db), id) != 0 && strlen(rubric_db_id(db)) >= 32);
    rubric_db_close(db);
}

static rubric_results *search_embedded(const char *q, const rubric_search_opts *o, int *rc,
                                       char **err)
{
    rubric_db *db = NULL;
    rubric_results *r = NULL;
    *err = NULL;
    *rc = rubric_db_open(g_db, &db, err);
    if (*rc == RUBRIC_OK)
        *rc = rubric_search(db, q, strlen(q), o, &r, err);
    rubric_db_close(db);
    return r;
}

static void options_carry_their_size_so_older_programs_keep_working(void)
{
    int rc;
    char *err;
    rubric_search_opts o;
    memset(&o, 0, sizeof o);  /* not initialised: refused, saying so */
    rubric_results *r = search_embedded("Bushehr", &o, &rc, &err);
    CHECK(rc == RUBRIC_EINVAL && !r && err && strstr(err, "rubric_search_opts_init"));
    free(err);

    rubric_search_opts_init(&o);
    o.limit = 1;
    o.fragments = 2;
    r = search_embedded("Bushehr", &o, &rc, &err);
    CHECK(rc == RUBRIC_OK && r && rubric_results_count(r) == 1);
    CHECK(r && rubric_results_count(r) && rubric_results_hit(r, 0)->nfragments > 0);
    rubric_results_free(r);
    free(err);

    /* A program built when the options ended before snippet_len: what
     * follows reads as zero, whatever the memory beyond holds. */
    o.size = offsetof(rubric_search_opts, snippet_len);
    r = search_embedded("Bushehr", &o, &rc, &err);
    CHECK(rc == RUBRIC_OK && r && rubric_results_count(r) == 1);
    CHECK(r && rubric_results_count(r) && rubric_results_hit(r, 0)->nfragments == 0);
    rubric_results_free(r);
    free(err);
}

static void results_render_as_the_json_the_tools_print(void)
{
    int rc;
    char *err;
    rubric_search_opts o = RUBRIC_SEARCH_OPTS_INIT;
    o.limit = 2;
    rubric_results *r = search_embedded("Bushehr", &o, &rc, &err);
    CHECK(rc == RUBRIC_OK && r);
    free(err);
    char *compact = r ? rubric_results_json(r, RUBRIC_JSON_COMPACT) : NULL;
    char *pretty = r ? rubric_results_json(r, 0) : NULL;
    CHECK(compact && !strchr(compact, '\n'));
    CHECK(compact && strstr(compact, "\"query\":\"Bushehr\""));
    CHECK(compact && strstr(compact, "\"title\":\"Nuclear Cooperation\""));
    CHECK(compact && strstr(compact, "<b>Bushehr</b>"));
    CHECK(compact && strstr(compact, "\"index\":{\"revision\":1,"));
    CHECK(pretty && strchr(pretty, '\n') && strstr(pretty, "\"results\":"));
    free(compact);
    free(pretty);
    rubric_results_free(r);
}

/* Each global symbol that COMMAND (nm's output) lists defined, but for the
 * library's version node and, with WEAK_OK, weak ones (C++ template
 * instances and type information, which merge with a program's own copies
 * instead of clashing): every one must be rubric_*. */
static void check_exports(const char *command, int weak_ok)
{
    FILE *p = popen(command, "r");
    char line[4096];
    size_t n = 0;
    CHECK(p != NULL);
    while (p && fgets(line, sizeof line, p)) {
        char addr[64], type[8], name[4000];
        if (sscanf(line, "%63s %7s %3999s", addr, type, name) != 3 || strcmp(name, "RUBRIC_0") == 0)
            continue;
        if (weak_ok && strchr("VWu", type[0]))
            continue;
        n++;
        if (strncmp(name, "rubric_", 7) != 0) {
            fprintf(stderr, "  %s exports %s\n", command, name);
            harness_current_failed = 1;
        }
    }
    CHECK(n >= 40);  /* the API itself is there */
    if (p)
        pclose(p);
}

static void both_libraries_export_the_rubric_api_and_nothing_else(void)
{
    const char *build = getenv("RUBRIC_BUILD");
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "nm -D --defined-only '%s/librubric.so'", build && *build ? build : "build");
    check_exports(cmd, 0);
    snprintf(cmd, sizeof cmd, "nm -g --defined-only '%s/librubric.a'", build && *build ? build : "build");
    check_exports(cmd, 1);
}

int main(void)
{
    if (!mkdtemp(g_dir)) {
        perror("test_embed: mkdtemp");
        return 1;
    }
    snprintf(g_db, sizeof g_db, "%s/db", g_dir);
    RUN(the_programs_own_functions_keep_their_meaning);
    RUN(both_libraries_export_the_rubric_api_and_nothing_else);
    RUN(the_library_indexes_and_searches_beside_them);
    RUN(options_carry_their_size_so_older_programs_keep_working);
    RUN(results_render_as_the_json_the_tools_print);
    char cmd[sizeof g_dir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_embed: could not remove %s\n", g_dir);
    return HARNESS_END();
}
