/* json.c: results as the JSON document the README's "JSON output" describes,
 * the one rendering every client prints or serves. */
#include <math.h>
#include <stdlib.h>

#include <cjson/cJSON.h>
#include <string.h>
#include <unistr.h>

#include "internal.h"

/* S as a JSON string: valid UTF-8 whatever S holds (a file name, a query),
 * each invalid byte as U+FFFD. NULL when out of memory. */
static cJSON *text_item(const char *s)
{
    size_t n = strlen(s);
    if (!u8_check((const uint8_t *)s, n))
        return cJSON_CreateString(s);
    char *clean = utf8_valid_copy(s, n, NULL);
    cJSON *item = clean ? cJSON_CreateString(clean) : NULL;
    free(clean);
    return item;
}

/* Add S to O under KEY as text_item() makes it; 0 when out of memory. */
static int add_text(cJSON *o, const char *key, const char *s)
{
    cJSON *item = text_item(s);
    if (item && cJSON_AddItemToObject(o, key, item))
        return 1;
    cJSON_Delete(item);
    return 0;
}

/* The N strings of LIST as a JSON array of text_item()s, or NULL. */
static cJSON *text_array(const char *const *list, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++) {
        cJSON *item = text_item(list[i]);
        if (!item || !cJSON_AddItemToArray(a, item)) {
            cJSON_Delete(item);
            cJSON_Delete(a);
            a = NULL;
        }
    }
    return a;
}

static double rounded(double x)
{
    return round(x * 1000.0) / 1000.0;
}

/* One hit as a JSON object. NULL when out of memory. */
static cJSON *hit_json(const rubric_hit *h)
{
    cJSON *r = cJSON_CreateObject();
    char *snippet = rubric_hit_snippet_html(h);
    cJSON *trail = text_array(h->trail, h->ntrail);
    int ok = r && snippet && trail && cJSON_AddNumberToObject(r, "rank", h->rank) &&
             cJSON_AddNumberToObject(r, "score", rounded(h->score)) &&
             add_text(r, "path", h->path) &&
             add_text(r, "anchor", h->anchor) &&
             add_text(r, "title", h->title) &&
             cJSON_AddItemToObject(r, "trail", trail);
    if (!ok || !cJSON_GetObjectItem(r, "trail"))
        cJSON_Delete(trail);
    ok = ok && add_text(r, "snippet", snippet) &&
         cJSON_AddBoolToObject(r, "boilerplate", h->boilerplate) &&
         add_text(r, "url", h->url);
    free(snippet);
    cJSON *ex = NULL;
    if (ok && h->explain) {
        ok = (ex = cJSON_AddObjectToObject(r, "explain")) &&
             cJSON_AddNumberToObject(ex, "length", h->doclen) &&
             cJSON_AddNumberToObject(ex, "average_length", rounded(h->avlength));
        cJSON *terms = ok ? cJSON_AddArrayToObject(ex, "terms") : NULL;
        double sum = 0;
        ok = ok && terms;
        for (size_t k = 0; ok && k < h->nexplain; k++) {
            const rubric_contribution *c = &h->explain[k];
            cJSON *t = cJSON_CreateObject();
            ok = t && cJSON_AddItemToArray(terms, t) && add_text(t, "word", c->word) &&
                 add_text(t, "field", c->field) &&
                 cJSON_AddNumberToObject(t, "wdf", c->wdf) &&
                 cJSON_AddNumberToObject(t, "df", (double)c->df) &&
                 cJSON_AddNumberToObject(t, "scale", c->scale) &&
                 cJSON_AddNumberToObject(t, "weight", rounded(c->weight));
            sum += c->weight;
        }
        /* What the terms leave of the score: words near each other, phrases. */
        ok = ok && cJSON_AddNumberToObject(ex, "proximity_and_phrases", rounded(h->score - sum));
    }
    cJSON *frags = NULL;
    if (ok && h->nfragments)
        ok = (frags = cJSON_AddArrayToObject(r, "fragments")) != NULL;
    for (size_t k = 0; ok && k < h->nfragments; k++) {
        const rubric_fragment *f = &h->fragments[k];
        char *html = rubric_fragment_html(f);
        cJSON *fo = cJSON_CreateObject(), *matches = NULL;
        ok = html && fo && cJSON_AddItemToArray(frags, fo) &&
             add_text(fo, "snippet", html) &&
             (matches = cJSON_AddArrayToObject(fo, "matches")) &&
             add_text(fo, "link", f->link);
        if (!ok && fo && !cJSON_GetObjectItem(fo, "snippet"))
            cJSON_Delete(fo);
        free(html);
        for (size_t j = 0; ok && j < f->nsource; j++) {
            cJSON *mo = cJSON_CreateObject();
            ok = mo && cJSON_AddItemToArray(matches, mo) &&
                 cJSON_AddNumberToObject(mo, "start", (double)f->source[j].start) &&
                 cJSON_AddNumberToObject(mo, "length", (double)f->source[j].len);
        }
    }
    if (!ok) {
        cJSON_Delete(r);
        return NULL;
    }
    return r;
}

/* Append H to the array TO; 0 when out of memory. */
static int add_hit(cJSON *to, const rubric_hit *h)
{
    cJSON *o = hit_json(h);
    if (o && cJSON_AddItemToArray(to, o))
        return 1;
    cJSON_Delete(o);
    return 0;
}

char *rubric_results_json(const rubric_results *res, int flags)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *results = NULL, *index = NULL, *articles = NULL;
    int ok = o && add_text(o, "query", res->query) &&
             cJSON_AddNumberToObject(o, "total", (double)rubric_results_total(res));
    const char *sugg = rubric_results_suggestion(res);
    ok = ok && (sugg ? add_text(o, "suggestion", sugg)
                     : cJSON_AddNullToObject(o, "suggestion") != NULL);
    /* true when nothing matched the query and the results answer the suggestion */
    ok = ok && cJSON_AddBoolToObject(o, "corrected", rubric_results_corrected(res));
    ok = ok && (results = cJSON_AddArrayToObject(o, "results"));
    /* Which state of the index answered: caches key on it. */
    ok = ok && (index = cJSON_AddObjectToObject(o, "index")) &&
         cJSON_AddNumberToObject(index, "revision", (double)res->revision) &&
         add_text(index, "updated", res->updated);
    if (!res->grouped) {
        for (size_t i = 0; ok && i < rubric_results_count(res); i++)
            ok = add_hit(results, rubric_results_hit(res, i));
    } else {
        ok = ok && (articles = cJSON_AddArrayToObject(o, "articles"));
        for (size_t a = 0; ok && a < rubric_results_article_count(res); a++) {
            const rubric_article *art = rubric_results_article(res, a);
            cJSON *ao = cJSON_CreateObject(), *passages = NULL;
            ok = ao && cJSON_AddItemToArray(articles, ao) &&
                 add_text(ao, "path", art->path) &&
                 add_text(ao, "title", art->title) &&
                 cJSON_AddNumberToObject(ao, "matches", (double)art->matches) &&
                 (passages = cJSON_AddArrayToObject(ao, "passages"));
            /* Each passage stands in its article and, for readers of the
             * flat list, in the results too. */
            for (size_t k = 0; ok && k < art->nhits; k++) {
                const rubric_hit *h = rubric_results_hit(res, art->hits[k]);
                ok = add_hit(passages, h) && add_hit(results, h);
            }
        }
    }
    char *s = !ok ? NULL : flags & RUBRIC_JSON_COMPACT ? cJSON_PrintUnformatted(o) : cJSON_Print(o);
    cJSON_Delete(o);
    return s;
}
