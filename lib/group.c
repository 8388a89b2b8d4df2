/* group.c: hits grouped by page (rubric_search_opts.per_article). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store/shim.h"

size_t rubric_results_article_count(const rubric_results *r)
{
    return r->narticles;
}

const rubric_article *rubric_results_article(const rubric_results *r, size_t i)
{
    return i < r->narticles ? &r->articles[i] : NULL;
}

/* of[] for a hit that is not shown. */
#define NOT_SHOWN ((size_t)-1)

int group_by_page(rubric_results *r, const xs_mset *m, size_t offset, size_t limit)
{
    size_t n = r->n;
    r->articles = calloc(n + 1, sizeof *r->articles);
    r->article_hits = calloc(n + 1, sizeof *r->article_hits);
    size_t *of = calloc(n + 1, sizeof *of);  /* hit -> article */
    size_t *parts = calloc(n + 1, sizeof *parts);  /* article -> parts not shown */
    const char **page = calloc(n + 1, sizeof *page);  /* article -> its page in its source */
    if (!r->articles || !r->article_hits || !of || !page || !parts) {
        free(of);
        free(page);
        free(parts);
        return -1;
    }
    size_t na = 0;
    for (size_t i = 0; i < n; i++) {
        const rubric_hit *h = &r->hits[i];
        const char *src = r->docs[i].source;
        size_t a = 0;
        while (a < na && !(strcmp(r->articles[a].path, h->path) == 0 &&
                           strcmp(page[a], src) == 0))
            a++;
        if (a == na) {
            r->articles[na].path = h->path;
            r->articles[na].title = h->ntrail ? h->trail[0] : h->title;
            page[na] = src;
            na++;
        }
        /* Each kept hit of a page carries the count of its page's matches
         * that were left out. */
        size_t left_out = xs_mset_collapsed(m, i);
        if (left_out > r->articles[a].matches)
            r->articles[a].matches = left_out;
        of[i] = a;
        /* A later part of a section already shown (whichever id it links
         * to) is one more matching passage, not one more hit. */
        const char *section = r->docs[i].section;
        for (size_t j = 0; j < i && *section; j++)
            if (of[j] == a && strcmp(r->docs[j].section, section) == 0) {
                of[i] = NOT_SHOWN;
                parts[a]++;
                break;
            }
        if (of[i] == a)
            r->articles[a].nhits++;
    }
    /* Ranks count the passages shown, as a flat list would (where the parts
     * of a section are one hit). */
    for (size_t i = 0, rank = 1; i < n; i++)
        if (of[i] != NOT_SHOWN)
            r->hits[i].rank = (unsigned)rank++;
    /* Lay each article's hits out back to back, and keep OFFSET..LIMIT. */
    size_t at = 0, first = offset < na ? offset : na, last = first + limit < na ? first + limit : na;
    for (size_t a = 0; a < na; a++)
        r->articles[a].matches += r->articles[a].nhits + parts[a];
    for (size_t a = first; a < last; a++) {
        size_t start = at;
        for (size_t i = 0; i < n; i++)
            if (of[i] == a)
                r->article_hits[at++] = i;
        r->articles[a].hits = r->article_hits + start;
    }
    memmove(r->articles, r->articles + first, (last - first) * sizeof *r->articles);
    r->narticles = last - first;
    free(of);
    free(page);
    free(parts);
    return 0;
}
