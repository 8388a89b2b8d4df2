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

/* CHILD attached to PARENT, under KEY when PARENT is an object (KEY NULL:
 * appended to an array), and returned; NULL when CHILD is NULL or cannot be
 * attached, CHILD then freed. Every node is attached as soon as it is made,
 * so that freeing the root frees all of it, whatever failed. */
static cJSON *add_child(cJSON *parent, const char *key, cJSON *child)
{
    if (child && (key ? cJSON_AddItemToObject(parent, key, child)
                      : cJSON_AddItemToArray(parent, child)))
        return child;
    cJSON_Delete(child);
    return NULL;
}

/* "missing_shards": the remote shards the search was made without, only
 * when there are some; 0 when out of memory. */
static int add_missing(cJSON *o, const rubric_results *res)
{
    return !res->nmissing ||
           add_child(o, "missing_shards",
                     text_array((const char *const *)res->missing, res->nmissing)) != NULL;
}

static int add_number(cJSON *o, const char *key, double v)
{
    return add_child(o, key, cJSON_CreateNumber(v)) != NULL;
}

/* H's explanation into O; 0 when out of memory. */
static int add_explain(cJSON *o, const rubric_hit *h)
{
    cJSON *ex = add_child(o, "explain", cJSON_CreateObject());
    cJSON *terms = ex && add_number(ex, "length", h->doclen) &&
                           add_number(ex, "average_length", rounded(h->avlength))
                       ? add_child(ex, "terms", cJSON_CreateArray())
                       : NULL;
    int ok = terms != NULL;
    double sum = 0;
    for (size_t k = 0; ok && k < h->nexplain; k++) {
        const rubric_contribution *c = &h->explain[k];
        cJSON *t = add_child(terms, NULL, cJSON_CreateObject());
        ok = t && add_text(t, "word", c->word) && add_text(t, "field", c->field) &&
             add_number(t, "wdf", c->wdf) && add_number(t, "df", (double)c->df) &&
             add_number(t, "scale", c->scale) && add_number(t, "weight", rounded(c->weight));
        sum += c->weight;
    }
    /* What the terms leave of the score: a wildcard's words. */
    return ok && add_number(ex, "proximity_and_phrases", rounded(h->score - sum));
}

/* H's fragments into O; 0 when out of memory. */
static int add_fragments(cJSON *o, const rubric_hit *h)
{
    cJSON *frags = add_child(o, "fragments", cJSON_CreateArray());
    int ok = frags != NULL;
    for (size_t k = 0; ok && k < h->nfragments; k++) {
        const rubric_fragment *f = &h->fragments[k];
        char *html = rubric_fragment_html(f);
        cJSON *fo = add_child(frags, NULL, cJSON_CreateObject()), *matches = NULL;
        ok = html && fo && add_text(fo, "snippet", html) &&
             (matches = add_child(fo, "matches", cJSON_CreateArray())) &&
             add_text(fo, "link", f->link);
        free(html);
        for (size_t j = 0; ok && j < f->nsource; j++) {
            cJSON *mo = add_child(matches, NULL, cJSON_CreateObject());
            ok = mo && add_number(mo, "start", (double)f->source[j].start) &&
                 add_number(mo, "length", (double)f->source[j].len);
        }
    }
    return ok;
}

/* Fragment F as HTML (its matches in <b>) under KEY of O, or appended when O
 * is an array and KEY NULL; 0 when out of memory. */
static int add_marked(cJSON *o, const char *key, const rubric_fragment *f)
{
    char *html = rubric_fragment_html(f);
    int ok = html && add_child(o, key, text_item(html)) != NULL;
    free(html);
    return ok;
}

/* The title and trail with the query's words marked, as the snippet is. */
static int add_marks(cJSON *r, const rubric_hit *h)
{
    cJSON *trail = add_marked(r, "title_html", &h->title_marked)
                       ? add_child(r, "trail_html", cJSON_CreateArray())
                       : NULL;
    int ok = trail != NULL;
    for (size_t k = 0; ok && k < h->ntrail; k++)
        ok = add_marked(trail, NULL, &h->trail_marked[k]);
    return ok;
}

/* One hit as a JSON object. NULL when out of memory. */
static cJSON *hit_json(const rubric_hit *h)
{
    cJSON *r = cJSON_CreateObject();
    char *snippet = rubric_hit_snippet_html(h);
    int ok = r && snippet && add_number(r, "rank", h->rank) &&
             add_number(r, "score", rounded(h->score)) && add_text(r, "path", h->path) &&
             add_text(r, "anchor", h->anchor) && add_text(r, "title", h->title) &&
             add_child(r, "trail", text_array(h->trail, h->ntrail)) &&
             add_text(r, "snippet", snippet) && add_marks(r, h) &&
             add_child(r, "boilerplate", cJSON_CreateBool(h->boilerplate)) &&
             add_text(r, "url", h->url);
    free(snippet);
    if (ok && h->explain)
        ok = add_explain(r, h);
    if (ok && h->nfragments)
        ok = add_fragments(r, h);
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

/* The articles of grouped results R into O, their passages also into the
 * array RESULTS; 0 when out of memory. */
static int add_articles(cJSON *o, const rubric_results *res, cJSON *results)
{
    cJSON *articles = add_child(o, "articles", cJSON_CreateArray());
    int ok = articles != NULL;
    for (size_t a = 0; ok && a < rubric_results_article_count(res); a++) {
        const rubric_article *art = rubric_results_article(res, a);
        cJSON *ao = add_child(articles, NULL, cJSON_CreateObject()), *passages = NULL;
        ok = ao && add_text(ao, "path", art->path) && add_text(ao, "title", art->title) &&
             add_number(ao, "matches", (double)art->matches) &&
             (passages = add_child(ao, "passages", cJSON_CreateArray()));
        /* Each passage stands in its article and, for readers of the flat
         * list, in the results too. */
        for (size_t k = 0; ok && k < art->nhits; k++) {
            const rubric_hit *h = rubric_results_hit(res, art->hits[k]);
            ok = add_hit(passages, h) && add_hit(results, h);
        }
    }
    return ok;
}

/* ---------------------------------------------------- the HTTP API's form */

/* F as HTML with its matches in <mark>, under KEY of O (appended when KEY is
 * NULL); 0 when out of memory. */
static int add_mark_html(cJSON *o, const char *key, const rubric_fragment *f)
{
    char *html = fragment_html(f, "<mark>", "</mark>", "\xe2\x80\xa6" /* U+2026 */);
    int ok = html && add_child(o, key, text_item(html)) != NULL;
    free(html);
    return ok;
}

/* A string made by the library (a link) under KEY of O; 0 when it is NULL
 * (out of memory) or cannot be added. The string is freed. */
static int add_made(cJSON *o, const char *key, char *s)
{
    int ok = s && add_text(o, key, s);
    free(s);
    return ok;
}

/* The title of H's page: the outermost heading above it, else its own. */
static const char *page_title(const rubric_hit *h)
{
    return h->ntrail ? h->trail[0] : h->title;
}

/* One hit as the API gives it. NULL when out of memory. */
static cJSON *web_hit(const rubric_hit *h)
{
    cJSON *o = cJSON_CreateObject(), *page = NULL, *trail = NULL;
    buf id = {0};
    int ok = o && buf_adds(&id, h->page) == 0 && buf_addc(&id, '#') == 0 &&
             buf_adds(&id, h->anchor) == 0 && (!h->part || buf_printf(&id, "/%u", h->part) == 0);
    ok = ok && add_text(o, "id", id.data) && add_number(o, "rank", h->rank) &&
         add_text(o, "url", h->url) &&
         add_made(o, "link", h->nfragments ? xstrdup(h->fragments[0].link)
                                           : link_text(h->url, &h->snippet)) &&
         (page = add_child(o, "page", cJSON_CreateObject())) && add_text(page, "path", h->page) &&
         add_text(page, "title", page_title(h)) && add_text(o, "title", h->title) &&
         add_mark_html(o, "title_html", &h->title_marked) &&
         add_child(o, "trail", text_array(h->trail, h->ntrail)) &&
         (trail = add_child(o, "trail_html", cJSON_CreateArray()));
    for (size_t k = 0; ok && k < h->ntrail; k++)
        ok = add_mark_html(trail, NULL, &h->trail_marked[k]);
    ok = ok && add_mark_html(o, "snippet_html", &h->snippet) &&
         add_number(o, "score", rounded(h->score)) &&
         add_child(o, "boilerplate", cJSON_CreateBool(h->boilerplate));
    cJSON *frags = NULL;
    if (ok && h->nfragments)
        ok = (frags = add_child(o, "fragments", cJSON_CreateArray())) != NULL;
    for (size_t k = 0; ok && k < h->nfragments; k++) {
        cJSON *fo = add_child(frags, NULL, cJSON_CreateObject());
        ok = fo && add_mark_html(fo, "snippet_html", &h->fragments[k]) &&
             add_text(fo, "link", h->fragments[k].link);
    }
    buf_free(&id);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* The pages of grouped results into the array PAGES; 0 when out of memory. */
static int web_pages(cJSON *pages, const rubric_results *res)
{
    int ok = 1;
    for (size_t a = 0; ok && a < rubric_results_article_count(res); a++) {
        const rubric_article *art = rubric_results_article(res, a);
        const rubric_hit *first = rubric_results_hit(res, art->hits[0]);
        cJSON *po = add_child(pages, NULL, cJSON_CreateObject()), *hits = NULL;
        const rubric_fragment *title = first->ntrail ? &first->trail_marked[0] : &first->title_marked;
        ok = po && add_text(po, "path", first->page) &&
             add_made(po, "url", link_url(res->base_url, first->page, "")) &&
             add_text(po, "title", page_title(first)) && add_mark_html(po, "title_html", title) &&
             add_number(po, "matches", (double)art->matches) &&
             (hits = add_child(po, "hits", cJSON_CreateArray()));
        for (size_t k = 0; ok && k < art->nhits; k++)
            ok = add_child(hits, NULL, web_hit(rubric_results_hit(res, art->hits[k]))) != NULL;
    }
    return ok;
}

/* The facets asked for, as {"section": [{"value", "count"}], ...}, under
 * "facets" of O (null when the index cannot count them), with
 * "facets_exact"; nothing when none was asked for. 0 when out of memory. */
static int web_facets(cJSON *o, const rubric_results *res)
{
    if (!res->facets_asked)
        return 1;
    size_t n = 0;
    int counted = 0;
    for (unsigned which = 1; rubric_facet_name(which); which <<= 1)
        counted |= rubric_results_facet(res, which, &n) != NULL;
    if (!counted)
        return add_child(o, "facets", cJSON_CreateNull()) != NULL;
    cJSON *f = add_child(o, "facets", cJSON_CreateObject());
    int ok = f && add_child(o, "facets_exact", cJSON_CreateBool(rubric_results_facets_exact(res)));
    for (unsigned which = 1; ok && rubric_facet_name(which); which <<= 1) {
        const rubric_facet_value *v = rubric_results_facet(res, which, &n);
        cJSON *list = v ? add_child(f, rubric_facet_name(which), cJSON_CreateArray()) : NULL;
        ok = !v || list;
        for (size_t i = 0; ok && v && i < n; i++) {
            cJSON *e = add_child(list, NULL, cJSON_CreateObject());
            ok = e && add_text(e, "value", v[i].value) && add_number(e, "count", (double)v[i].count);
        }
    }
    return ok;
}

static cJSON *web_document(const rubric_results *res)
{
    cJSON *o = cJSON_CreateObject(), *total = NULL, *hits = NULL, *index = NULL;
    const char *sugg = rubric_results_suggestion(res);
    int corrected = rubric_results_corrected(res);
    int ok = o && add_number(o, "schema", RUBRIC_JSON_SCHEMA) && add_text(o, "query", res->query) &&
             add_text(o, "effective_query", corrected ? sugg : res->query) &&
             add_child(o, "corrected", cJSON_CreateBool(corrected)) &&
             (sugg ? add_text(o, "suggestion", sugg)
                   : add_child(o, "suggestion", cJSON_CreateNull()) != NULL) &&
             (total = add_child(o, "total", cJSON_CreateObject())) &&
             add_number(total, "value", (double)rubric_results_total(res)) &&
             add_text(total, "relation", rubric_results_total_exact(res) ? "eq" : "gte") &&
             add_child(o, "partial", cJSON_CreateBool(rubric_results_partial(res))) &&
             add_missing(o, res) &&
             add_number(o, "offset", (double)res->offset) &&
             add_number(o, "limit", (double)res->limit) &&
             (hits = add_child(o, "hits", cJSON_CreateArray()));
    if (ok && res->grouped) {
        cJSON *pages = add_child(o, "pages", cJSON_CreateArray());
        ok = pages && web_pages(pages, res);
    } else if (ok) {
        ok = add_child(o, "pages", cJSON_CreateNull()) != NULL;
        for (size_t i = 0; ok && i < rubric_results_count(res); i++)
            ok = add_child(hits, NULL, web_hit(rubric_results_hit(res, i))) != NULL;
    }
    ok = ok && web_facets(o, res) && (index = add_child(o, "index", cJSON_CreateObject())) &&
         add_number(index, "revision", (double)res->revision) &&
         add_text(index, "updated", res->updated) &&
         add_number(o, "took_ms", round(res->seconds * 1e5) / 100.0);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* ---------------------------------------------------------- either form */

char *rubric_results_json(const rubric_results *res, int flags)
{
    if (flags & RUBRIC_JSON_WEB) {
        cJSON *o = web_document(res);
        char *s = !o ? NULL : flags & RUBRIC_JSON_COMPACT ? cJSON_PrintUnformatted(o) : cJSON_Print(o);
        cJSON_Delete(o);
        return s;
    }

    cJSON *o = cJSON_CreateObject(), *results = NULL, *index = NULL;
    const char *sugg = rubric_results_suggestion(res);
    int ok = o && add_number(o, "schema", RUBRIC_JSON_SCHEMA) && add_text(o, "query", res->query) &&
             add_number(o, "total", (double)rubric_results_total(res)) &&
             /* false when the total is Xapian's estimate */
             add_child(o, "total_exact", cJSON_CreateBool(rubric_results_total_exact(res))) &&
             (sugg ? add_text(o, "suggestion", sugg)
                   : add_child(o, "suggestion", cJSON_CreateNull()) != NULL) &&
             /* true when nothing matched the query and the results answer the suggestion */
             add_child(o, "corrected", cJSON_CreateBool(rubric_results_corrected(res))) &&
             /* true when the time budget stopped the search: the best found by then */
             add_child(o, "partial", cJSON_CreateBool(rubric_results_partial(res))) &&
             add_missing(o, res) &&
             (results = add_child(o, "results", cJSON_CreateArray())) &&
             /* Which state of the index answered: caches key on it. */
             (index = add_child(o, "index", cJSON_CreateObject())) &&
             add_number(index, "revision", (double)res->revision) &&
             add_text(index, "updated", res->updated);
    if (ok && !res->grouped)
        for (size_t i = 0; ok && i < rubric_results_count(res); i++)
            ok = add_hit(results, rubric_results_hit(res, i));
    else if (ok)
        ok = add_articles(o, res, results);
    ok = ok && web_facets(o, res);
    char *s = !ok ? NULL : flags & RUBRIC_JSON_COMPACT ? cJSON_PrintUnformatted(o) : cJSON_Print(o);
    cJSON_Delete(o);
    return s;
}
