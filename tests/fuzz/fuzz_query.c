/* fuzz_query.c: any bytes, as a query against a small index, never crash. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rubric.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char article[] =
    "Fuzzing the Query Parser\n"
    "An introduction about nuclear energy and the port of Bushehr, with mediation.\n"
    "Contents\n- First Things\n- Second Things\n"
    "First Things\n"
    "Russia's diplomats mediate; a mediator offered \"quoted\" words and -dashes.\n"
    "Second Things\n"
    "Phrases like power plant, and numbers like 3.14 and 1,000 appear here.\n";

static char dir[] = "/tmp/rubric-fuzz-XXXXXX";
static rubric_db *db;

static void remove_index(void)
{
    char cmd[64];
    rubric_db_close(db);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_query: could not remove %s\n", dir);
}

static rubric_db *open_index(void)
{
    if (db)
        return db;
    if (!mkdtemp(dir))
        abort();
    atexit(remove_index);
    char file[64], index[64];
    snprintf(file, sizeof file, "%s/a.txt", dir);
    snprintf(index, sizeof index, "%s/db", dir);
    FILE *f = fopen(file, "w");
    if (!f)
        abort();
    fputs(article, f);
    fclose(f);
    rubric_index *ix = NULL;
    char *err = NULL;
    if (rubric_index_open(index, "english", &ix, &err) != RUBRIC_OK ||
        rubric_index_add_file(ix, file, NULL, NULL) != RUBRIC_OK ||
        rubric_index_commit(ix) != RUBRIC_OK)
        abort();
    rubric_index_close(ix);
    if (rubric_db_open(index, &db, &err) != RUBRIC_OK)
        abort();
    return db;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rubric_db *index = open_index();
    rubric_search_opts opts = RUBRIC_SEARCH_OPTS_INIT;
    opts.boilerplate = size > 0 && (data[0] & 1);
    rubric_results *r = NULL;
    char *err = NULL;
    int rc = rubric_search(index, (const char *)data, size, &opts, &r, &err);
    assert(rc == RUBRIC_OK || rc == RUBRIC_EINVAL || rc == RUBRIC_ENOMEM);
    assert((rc == RUBRIC_OK) == (r != NULL));
    assert(rc == RUBRIC_OK || err != NULL);
    for (size_t i = 0; r && i < rubric_results_count(r); i++) {
        const rubric_hit *h = rubric_results_hit(r, i);
        size_t at = 0;
        for (size_t k = 0; k < h->snippet.nspans; k++) {
            assert(h->snippet.spans[k].start >= at);
            at = h->snippet.spans[k].start + h->snippet.spans[k].len;
            assert(at <= h->snippet.text_len);
        }
        char *html = rubric_hit_snippet_html(h);
        assert(html);
        free(html);
    }
    free(err);
    rubric_results_free(r);
    return 0;
}
