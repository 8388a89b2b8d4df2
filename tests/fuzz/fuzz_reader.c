/* fuzz_reader.c: any bytes, read by each reader (text, HTML, Markdown, JSON
 * Lines), never crash or break an invariant. Built with FUZZ_FILE defined
 * (say "fuzz.html"), it is the target of that one reader. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rubric.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_token(void *ctx, const rubric_token *t)
{
    size_t *len = ctx;
    assert(t->start < t->end && t->end <= *len);
    assert(t->word_len > 0 && t->stem_len > 0);
    return 0;
}

static void read_as(const char *name, const uint8_t *data, size_t size)
{
    rubric_doc *doc = NULL;
    char *err = NULL;
    int rc = rubric_doc_read(name, (const char *)data, size, &doc, &err);
    assert(rc == RUBRIC_OK || rc == RUBRIC_EINPUT || rc == RUBRIC_ENOMEM);
    assert((rc == RUBRIC_OK) == (doc != NULL));
    for (size_t i = 0; doc && i < rubric_doc_count(doc); i++) {
        const rubric_passage *p = rubric_doc_passage(doc, i);
        if (!(p->start <= p->end && p->end <= size)) {
            fprintf(stderr, "%s: passage %zu has range [%zu, %zu) in %zu bytes:\n", name, i,
                    p->start, p->end, size);
            fwrite(data, 1, size, stderr);
            fputc('\n', stderr);
        }
        assert(p->start <= p->end && p->end <= size);
        /* Every reader names its sections but HTML's (a page's, or a JSON
         * Lines record's markup), whose anchors are the page's own ids: a
         * section without one has none. */
        assert(p->anchor[0] != '\0' || strstr(name, ".html") || strstr(name, ".jsonl"));
        assert(p->text_len == strlen(p->text));
        /* A map leads each run of the text into the source, in the text's
         * order; the text reader's (markup read) into the passage's range, in
         * the source's order too. HTML's need not: libxml2 may move the text
         * of a misnested element. */
        int text_reader = strstr(name, ".txt") != NULL;
        for (size_t k = 0; k < p->nmap; k++) {
            assert(p->map[2 * k] <= p->text_len && p->map[2 * k + 1] <= size);
            assert(k == 0 || p->map[2 * k] >= p->map[2 * k - 2]);
            if (text_reader) {
                assert(p->map[2 * k + 1] >= p->start && p->map[2 * k + 1] <= p->end);
                assert(k == 0 || p->map[2 * k + 1] > p->map[2 * k - 1]);
            }
        }
    }
    free(err);
    rubric_doc_free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Inputs are copied without a terminating NUL, as the API allows. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
#ifdef FUZZ_FILE
    read_as(FUZZ_FILE, copy, size);
#else
    read_as("fuzz.txt", copy, size);
    read_as("fuzz.html", copy, size);
    read_as("fuzz.md", copy, size);
    read_as("fuzz.jsonl", copy, size);
#endif
    free(copy);

    rubric_analyzer *a = NULL;
    if (rubric_analyzer_new("english", &a) == RUBRIC_OK) {
        size_t len = size;
        rubric_analyzer_run(a, (const char *)data, size, count_token, &len);
        rubric_analyzer_free(a);
    }
    return 0;
}
