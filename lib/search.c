/* search.c: run a query and fill its results: the ranked passages, each with
 * its snippet, link, fragments and explanation, grouped by page if asked. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "store/shim.h"

/* BM25 parameters (Xapian's defaults: k1 1, b 0.5), chosen by measurement on
 * the judged queries (README, "Ranking"): passages are short and of similar
 * length, so length normalisation (b) matters less than for whole pages, and
 * repeating a word (k1) says less than it does in a long page. */
#define BM25_K1 0.75
#define BM25_B 0.2
/* Grouping by article looks at this many matches at least, so that the
 * numbers of matching passages per article are exact below it, unless the
 * time budget runs out first: the counts are then Xapian's estimates. */
#define GROUP_CHECK_AT_LEAST 2000
/* A flat search counts this many matches at least, so that a total up to it
 * is exact whatever the page asked for (-n, --offset); past it the total is
 * Xapian's estimate, and says so. Counting costs: at 1,000 the bench
 * queries' p50 doubled (0.61 to 1.15 ms); at 100 it is 0.68 ms. */
#define TOTAL_EXACT_UP_TO 100
/* What matching may cost a search, in seconds, when the caller does not say:
 * the last line of defence behind the query limits of query.c, which keep
 * ordinary queries far below it. Past it the match stops and the results are
 * the best passages found by then, marked partial. It covers every match a
 * search runs (the query, then the corrected one), each counted from its
 * first candidate, once the index's tables are open (a cold start opens them
 * slowly); snippets and explanations come after it, bounded by the number
 * of hits. */
#define SEARCH_TIME_BUDGET 0.03

/* Free what hit H owns (its document data belongs to the results). */
static void hit_free(rubric_hit *h)
{
    for (size_t k = 0; h->explain && k < h->nexplain; k++)
        free((char *)h->explain[k].word);
    free((rubric_contribution *)h->explain);
    for (size_t k = 0; h->fragments && k < h->nfragments; k++) {
        const rubric_fragment *f = &h->fragments[k];
        free((char *)f->text);
        free((rubric_span *)f->spans);
        free((rubric_span *)f->source);
        free((char *)f->link);
    }
    free((rubric_fragment *)h->fragments);
    free((char *)h->snippet.text);
    free((rubric_span *)h->snippet.spans);
    free((char *)h->title_marked.text);
    free((rubric_span *)h->title_marked.spans);
    for (size_t k = 0; h->trail_marked && k < h->ntrail; k++) {
        free((char *)h->trail_marked[k].text);
        free((rubric_span *)h->trail_marked[k].spans);
    }
    free((rubric_fragment *)h->trail_marked);
    free((char *)h->url);
}

void rubric_results_free(rubric_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        hit_free(&r->hits[i]);
        layout_passage_clear(&r->docs[i]);
    }
    free(r->articles);
    free(r->article_hits);
    free(r->hits);
    free(r->docs);
    free(r->suggestion);
    free(r->query);
    free(r->updated);
    free(r->base_url);
    for (size_t k = 0; k < r->nmissing; k++)
        free(r->missing[k]);
    free(r->missing);
    for (int k = 0; k < 3; k++) {
        free(r->facets[k]);
        free(r->facet_strings[k]);
    }
    free(r);
}

int rubric_results_total_exact(const rubric_results *r)
{
    return r->total_exact;
}

size_t rubric_results_total(const rubric_results *r)
{
    return r->total;
}

const char *rubric_results_suggestion(const rubric_results *r)
{
    return r->suggestion;
}

size_t rubric_results_count(const rubric_results *r)
{
    return r->n;
}

const rubric_hit *rubric_results_hit(const rubric_results *r, size_t i)
{
    return i < r->n ? &r->hits[i] : NULL;
}

/* Fill hit I of R from the document data of mset entry I. */
static int fill_hit(rubric_db *db, const qwords *q, const rubric_search_opts *o,
                    rubric_results *r, const xs_mset *ms, size_t i, size_t rank)
{
    size_t dlen = 0;
    const char *data = xs_mset_data(ms, i, &dlen);
    layout_passage *p = &r->docs[i];
    int rc = layout_passage_decode(data, dlen, p);
    if (rc != RUBRIC_OK)
        return rc;
    rubric_hit *h = &r->hits[i];
    h->rank = (unsigned)rank;
    h->score = xs_mset_weight(ms, i);
    h->path = p->path;
    h->anchor = p->anchor;
    h->title = p->title;
    h->trail = p->trail;
    h->ntrail = p->ntrail;
    h->start = p->start;
    h->end = p->end;
    h->part = p->part;
    h->boilerplate = p->boilerplate;
    h->more_parts = o->per_article ? 0 : xs_mset_collapsed(ms, i);
    h->page = *p->rel ? p->rel : h->path;
    h->url = link_url(o->base_url ? o->base_url : rubric_db_base_url(db), h->page, h->anchor);
    int ok = h->url && snippet_fill(db->an, q, p, o->snippet_len ? o->snippet_len : 200,
                                    o->fragments, h) == 0;
    if (!ok)
        return RUBRIC_ENOMEM;
    return o->explain ? explain_hit(db, ms, q, o->k1, o->b, xs_mset_docid(ms, i), h) : RUBRIC_OK;
}

/* *YES: whether DB was built whole by a version that writes what KEY
 * (META_FACETS, META_PRESENCE, META_HITS) says every passage has; for a set, whether
 * each of its indexes was. Returns a rubric status: what cannot be read is
 * an error (said in *ERRMSG), never a "no" (that would weigh the query
 * otherwise). */
static int written_whole(rubric_db *db, const char *key, int *yes, char **errmsg)
{
    *yes = 1;
    for (size_t k = 0; k < xs_db_parts(db->db) && *yes; k++) {
        char *v = NULL;
        size_t len = 0;
        int xr = xs_db_get_metadata(xs_db_part(db->db, k), key, &v, &len);
        *yes = xr == XS_OK && v && strcmp(v, "1") == 0;
        free(v);
        if (xr != XS_OK) {
            int rc = xs_status(xr);
            if (errmsg && rc != RUBRIC_ENOMEM)
                *errmsg = xasprintf("cannot search index '%s': %s", db->dir, xs_db_errmsg(db->db));
            return rc;
        }
    }
    return RUBRIC_OK;
}

/* A facet's values as they are counted: each value's string at OFF[i] in
 * STRINGS, its count in COUNT[i]. */
typedef struct facet_acc {
    size_t *off, *count;
    size_t n, cap, cap2;
    buf strings;
} facet_acc;

/* Add COUNT to value S (LEN bytes) of A. 0, or -1 when out of memory. */
static int facet_add(facet_acc *a, const char *s, size_t len, size_t count)
{
    for (size_t i = 0; i < a->n; i++) {
        const char *have = a->strings.data + a->off[i];
        if (strlen(have) == len && memcmp(have, s, len) == 0) {
            a->count[i] += count;
            return 0;
        }
    }
    if (GROW(a->off, a->n, a->cap) < 0 || GROW(a->count, a->n, a->cap2) < 0)
        return -1;
    a->off[a->n] = a->strings.len;
    a->count[a->n] = count;
    if (buf_add(&a->strings, s, len) < 0 || buf_addc(&a->strings, '\0') < 0)
        return -1;
    a->n++;
    return 0;
}

static int by_count(const void *x, const void *y)
{
    const rubric_facet_value *a = x, *b = y;
    return a->count != b->count ? (a->count < b->count ? 1 : -1)
                                : strcmp(a->value, b->value);
}

/* The counts of slot SLOT in M as facet K of R (each member of a list
 * counted). 0, or -1 when out of memory. */
static int take_facet(rubric_results *r, int k, const xs_mset *m, unsigned slot)
{
    facet_acc a = {0};
    int ok = 1;
    for (size_t i = 0; ok && i < xs_mset_facet_values(m, slot); i++) {
        size_t len = 0, count = 0;
        const char *v = xs_mset_facet_value(m, slot, i, &len, &count);
        for (size_t at = 0; ok && at < len;) {
            const char *sep = slot == XS_SLOT_TAGS ? memchr(v + at, XS_LIST_SEP, len - at) : NULL;
            size_t end = sep ? (size_t)(sep - v) : len;
            if (end > at)
                ok = facet_add(&a, v + at, end - at, count) == 0;
            at = end + 1;
        }
    }
    rubric_facet_value *out = ok ? calloc(a.n + 1, sizeof *out) : NULL;
    for (size_t i = 0; out && i < a.n; i++)
        out[i] = (rubric_facet_value){a.strings.data + a.off[i], a.count[i]};
    free(a.off);
    free(a.count);
    if (!out) {
        buf_free(&a.strings);
        return -1;
    }
    qsort(out, a.n, sizeof *out, by_count);
    r->facets[k] = out;
    r->facet_strings[k] = a.strings.data;  /* the values point into it */
    r->nfacets[k] = a.n < RUBRIC_FACET_VALUES_MAX ? a.n : RUBRIC_FACET_VALUES_MAX;
    return 0;
}

/* R's facets from M, as O asks (rubric_search() clears O->facets when the
 * index cannot count them). */
static int take_facets(const rubric_search_opts *o, rubric_results *r, const xs_mset *m)
{
    static const unsigned slots[3] = {XS_SLOT_TOP, XS_SLOT_LANG, XS_SLOT_TAGS};
    if (!o->facets)
        return 0;
    for (int k = 0; k < 3; k++)
        if ((o->facets & (1u << k)) && take_facet(r, k, m, slots[k]) < 0)
            return -1;
    r->facets_exact = xs_mset_exact(m) && !xs_mset_stopped(m) &&
                      xs_mset_facet_seen(m) >= xs_mset_estimate(m);
    return 0;
}

static const struct { const char *name; unsigned bit; } facet_kinds[] = {
    {"section", RUBRIC_FACET_SECTION}, {"lang", RUBRIC_FACET_LANG}, {"tag", RUBRIC_FACET_TAG}};

int rubric_facets_parse(const char *s, unsigned *out)
{
    *out = 0;
    while (*s) {
        size_t n = strcspn(s, ","), k = 0;
        while (k < 3 && !(strlen(facet_kinds[k].name) == n && strncmp(facet_kinds[k].name, s, n) == 0))
            k++;
        if (k == 3) {
            *out = 0;
            return RUBRIC_EINVAL;
        }
        *out |= facet_kinds[k].bit;
        s += n + (s[n] == ',');
    }
    return *out ? RUBRIC_OK : RUBRIC_EINVAL;
}

const char *rubric_facet_name(unsigned which)
{
    for (size_t k = 0; k < 3; k++)
        if (facet_kinds[k].bit == which)
            return facet_kinds[k].name;
    return NULL;
}

const rubric_facet_value *rubric_results_facet(const rubric_results *r, unsigned which, size_t *n)
{
    int k = which == RUBRIC_FACET_SECTION ? 0 : which == RUBRIC_FACET_LANG ? 1
            : which == RUBRIC_FACET_TAG    ? 2 : -1;
    *n = k >= 0 ? r->nfacets[k] : 0;
    return k >= 0 ? r->facets[k] : NULL;
}

int rubric_results_facets_exact(const rubric_results *r)
{
    return r->facets_exact;
}

/* What the index was built whole with (written_whole()): each -1 until a
 * search that needs it reads it, once a search. */
typedef struct built_with {
    int presence; /* presence terms (META_PRESENCE) */
    int hits;     /* the section of every passage's parts (META_HITS) */
} built_with;

/* Run Q, matching for what is *LEFT of the budget (less what it spends).
 * Words side by side are a ranked OR carried by the rarer words (every word
 * held adds a share of its IDF: query_build.c), so that a passage holding a
 * rare word outranks one holding only the common ones, and one holding them
 * all outranks both; any other query (an explicit AND, a phrase, one word)
 * matches as written. */
static int run(rubric_db *db, const qtree *q, const rubric_search_opts *o, size_t limit,
               double *left, built_with *w, xs_mset **out, char **errmsg)
{
    *out = NULL;
    /* Whether the index has presence terms: read once a search, and only
     * for a ranked OR, which weighs by them. */
    int ranked_or = qtree_words_side_by_side(q);
    if (ranked_or && w->presence < 0) {
        int got = written_whole(db, META_PRESENCE, &w->presence, errmsg);
        if (got != RUBRIC_OK)
            return got;
    }
    /* An index written before XS_SLOT_HIT collapses the parts that share
     * a link. */
    if (!o->per_article && w->hits < 0) {
        int got = written_whole(db, META_HITS, &w->hits, errmsg);
        if (got != RUBRIC_OK)
            return got;
    }
    xs_query *xq = qtree_build(db->db, q, ranked_or, ranked_or && w->presence > 0, o, db->syn);
    if (!xq)
        return RUBRIC_ENOMEM;
    /* By article, at most per_article passages of a page; else one passage
     * of a section, its best part. */
    xs_search so = {o->offset, limit, o->k1, o->b,
                    o->per_article ? XS_SLOT_PAGE : w->hits > 0 ? XS_SLOT_HIT : XS_SLOT_SECTION,
                    o->per_article ? (unsigned)o->per_article : 1, 0,
                    /* spent: as good as stopped at the first candidate */
                    *left > 0 ? *left : 1e-9, 0};
    so.check_at_least = o->per_article ? GROUP_CHECK_AT_LEAST : TOTAL_EXACT_UP_TO;
    if (o->facets) {
        /* Every match the counts cover is looked at. */
        so.facet_slots = (o->facets & RUBRIC_FACET_SECTION ? 1u << XS_SLOT_TOP : 0) |
                         (o->facets & RUBRIC_FACET_LANG ? 1u << XS_SLOT_LANG : 0) |
                         (o->facets & RUBRIC_FACET_TAG ? 1u << XS_SLOT_TAGS : 0);
        if (so.check_at_least < RUBRIC_FACET_MATCHES_MAX)
            so.check_at_least = RUBRIC_FACET_MATCHES_MAX;
    }
    int xr = xs_db_search(db->db, xq, &so, out);
    xs_query_free(xq);
    if (xr == XS_OK) {
        *left -= xs_mset_spent(*out);
        return RUBRIC_OK;
    }
    if (xr == XS_EWILDCARD) {
        if (errmsg)
            *errmsg = xasprintf("a wildcard matches more than %d words: make it longer",
                                WILDCARD_MAX);
        return RUBRIC_EINVAL;
    }
    int rc = xs_status(xr);
    if (errmsg)
        *errmsg = rc == RUBRIC_ESHARD ? xasprintf("cannot search index '%s': %s", db->dir,
                                                  xs_db_errmsg(db->db))
                  : rc == RUBRIC_ENODB
                      ? xasprintf("cannot read index '%s' (damaged? rubric-index --rebuild "
                                  "writes it anew): %s", db->dir, xs_db_errmsg(db->db))
                      : xasprintf("search failed: %s", xs_db_errmsg(db->db));
    return rc;
}

void rubric_search_opts_init(rubric_search_opts *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
}

/* OPTS as this library knows them: the fields a caller built with an older
 * rubric.h lacks read as zero, and defaults are filled in. RUBRIC_EINVAL when
 * OPTS was not initialised (its size is 0). */
static int resolve_opts(const rubric_search_opts *opts, rubric_search_opts *o)
{
    memset(o, 0, sizeof *o);
    if (opts) {
        if (opts->size < offsetof(rubric_search_opts, offset) + sizeof opts->offset)
            return RUBRIC_EINVAL;
        memcpy(o, opts, opts->size < sizeof *o ? opts->size : sizeof *o);
    }
    o->size = sizeof *o;
    if (!o->limit)
        o->limit = 10;
    if (o->k1 <= 0)
        o->k1 = BM25_K1;
    if (o->b <= 0)
        o->b = BM25_B;
    if (!(o->time_budget > 0))
        o->time_budget = SEARCH_TIME_BUDGET;
    return RUBRIC_OK;
}

/* Why a parsed query Q of LEN bytes has nothing to search for. */
static const char *nothing_to_search(const qtree *q, size_t len)
{
    return q->root ? "query has nothing to search for, only exclusions"
           : len   ? "query has no words to search for"
                   : "empty query";
}

/* When *M found nothing and R's suggestion finds something, answer that
 * instead: *M and WORDS then belong to the corrected query, parsed into
 * FIXED (which the caller frees once WORDS are no longer used). */
static int try_correction(rubric_db *db, const rubric_search_opts *o, size_t limit,
                          double *left, built_with *w, rubric_results *r, xs_mset **m,
                          qtree *fixed, qwords *words, char **errmsg)
{
    if (xs_mset_estimate(*m) > 0 || xs_mset_stopped(*m) || !r->suggestion || o->no_correction)
        return RUBRIC_OK;
    xs_mset *m2 = NULL;
    int rc = RUBRIC_ENOMEM;
    if (qtree_parse(db->an, r->suggestion, strlen(r->suggestion), fixed) == RUBRIC_OK)
        rc = run(db, fixed, o, limit, left, w, &m2, errmsg);
    /* Out of time, the suggestion may have found nothing only for want of it. */
    if (rc == RUBRIC_OK && xs_mset_stopped(m2))
        r->partial = 1;
    if (rc == RUBRIC_OK && xs_mset_estimate(m2) > 0) {
        xs_mset_free(*m);
        *m = m2;
        m2 = NULL;
        r->corrected = 1;
        qwords_collect(fixed, words);  /* they point into FIXED, kept by the caller */
    }
    xs_mset_free(m2);
    return rc;
}

/* Fill R's hits from M, ranked from FIRST_RANK. */
static int fill_hits(rubric_db *db, const qwords *words, const rubric_search_opts *o,
                     rubric_results *r, const xs_mset *m, size_t first_rank, char **errmsg)
{
    size_t n = xs_mset_size(m);
    r->hits = calloc(n + 1, sizeof *r->hits);
    r->docs = calloc(n + 1, sizeof *r->docs);
    if (!r->hits || !r->docs)
        return RUBRIC_ENOMEM;
    r->n = n;
    for (size_t i = 0; i < n; i++) {
        int rc = fill_hit(db, words, o, r, m, i, first_rank + i);
        if (rc == RUBRIC_ENODB && errmsg)
            *errmsg = xasprintf("cannot read index '%s': a passage's stored data is damaged",
                                db->dir);
        else if (rc != RUBRIC_OK && rc != RUBRIC_ENOMEM && errmsg)
            *errmsg = xasprintf("cannot read index '%s': %s", db->dir, xs_db_errmsg(db->db));
        if (rc != RUBRIC_OK)
            return rc;
    }
    return RUBRIC_OK;
}

/* With a remote shard: the frequencies a search asks of its WORDS (each
 * stem, to weigh it; each form, to spell it), learnt at once rather than
 * with a round trip each. */
static int learn_frequencies(rubric_db *db, const qwords *words, char **errmsg)
{
    if (!xs_db_remote(db->db))
        return RUBRIC_OK;
    enum { MAX = 2 * sizeof words->w / sizeof *words->w };
    size_t off[MAX], n = 0;
    buf b = {0};
    int bad = 0;
    for (size_t i = 0; i < words->n; i++) {
        const qword *w = &words->w[i];
        if (w->mode == W_OTHER)
            continue;  /* a wildcard: expanded, not weighed as a word */
        off[n++] = b.len;
        bad |= buf_adds(&b, PREFIX_STEM) | buf_adds(&b, w->stem) | buf_addc(&b, '\0');
        off[n++] = b.len;
        bad |= buf_adds(&b, w->word) | buf_addc(&b, '\0');
    }
    const char *terms[MAX];
    for (size_t i = 0; i < n && !bad; i++)
        terms[i] = b.data + off[i];
    int rc = bad ? RUBRIC_ENOMEM : xs_status(xs_db_learn_termfreqs(db->db, terms, n));
    buf_free(&b);
    if (rc != RUBRIC_OK && rc != RUBRIC_ENOMEM && errmsg)
        *errmsg = xasprintf("cannot search index '%s': %s", db->dir, xs_db_errmsg(db->db));
    return rc;
}

/* What the results say about the query and the index that answered it. */
static int note_context(rubric_db *db, const char *query, size_t len,
                        const rubric_search_opts *o, rubric_results *r)
{
    r->query = xstrndup(query, len);
    r->revision = rubric_db_revision(db);
    r->updated = xstrdup(rubric_db_updated(db));
    r->base_url = xstrdup(o->base_url ? o->base_url : rubric_db_base_url(db));
    return r->query && r->updated && r->base_url ? RUBRIC_OK : RUBRIC_ENOMEM;
}

int rubric_search(rubric_db *db, const char *query, size_t len, const rubric_search_opts *opts,
                  rubric_results **out, char **errmsg)
{
    *out = NULL;
    if (errmsg)
        *errmsg = NULL;
    rubric_search_opts o;
    if (resolve_opts(opts, &o) != RUBRIC_OK) {
        if (errmsg)
            *errmsg = xstrdup("search options not initialised (rubric_search_opts_init)");
        return RUBRIC_EINVAL;
    }
    if (len > RUBRIC_QUERY_MAX_BYTES) {
        if (errmsg)
            *errmsg = xasprintf("query is longer than %d bytes", RUBRIC_QUERY_MAX_BYTES);
        return RUBRIC_EINVAL;
    }
    /* A remote shard may have dropped its connection since the last search
     * (xapian-tcpsrv closes idle ones): connected again first, or the query
     * would be weighed by the frequencies a dead connection gives (none). */
    if (xs_db_remote(db->db)) {
        int xr = xs_db_refresh(db->db);
        if (xr != XS_OK) {
            if (errmsg)
                *errmsg = xasprintf("cannot search index '%s': %s", db->dir,
                                    xs_db_errmsg(db->db));
            return xs_status(xr);
        }
    }
    size_t limit = o.limit, article_offset = o.offset, article_limit = o.limit;
    if (o.per_article) {
        /* Fetch enough passages for the articles wanted, from the first. */
        limit = (o.offset + limit) * o.per_article;
        o.offset = 0;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    qtree *q = calloc(1, sizeof *q), *fixed = calloc(1, sizeof *fixed);
    qwords *words = calloc(1, sizeof *words);
    rubric_results *r = calloc(1, sizeof *r);
    xs_mset *m = NULL;
    int rc = RUBRIC_ENOMEM;
    if (!q || !fixed || !r || !words || qtree_parse(db->an, query, len, q) != RUBRIC_OK)
        goto done;
    /* Nothing but exclusions would match nothing: "-bvs" is rather a
     * command's option, searched for. */
    if (q->root && !q->has_positive) {
        qtree_free(q);
        if (qtree_parse_options(db->an, query, len, q) != RUBRIC_OK)
            goto done;
    }
    if (o.prefix)
        qtree_mark_prefix(q, len);
    /* An index without the facet values counts none: asked once here. */
    r->facets_asked = o.facets;
    if (o.facets) {
        int yes;
        if ((rc = written_whole(db, META_FACETS, &yes, errmsg)) != RUBRIC_OK)
            goto done;
        o.facets = yes ? o.facets : 0;
    }
    if (!q->has_positive) {
        rc = RUBRIC_EINVAL;
        if (errmsg)
            *errmsg = xstrdup(nothing_to_search(q, len));
        goto done;
    }
    qwords_collect(q, words);
    if ((rc = learn_frequencies(db, words, errmsg)) != RUBRIC_OK)
        goto done;
    double left = o.time_budget;
    built_with w = {-1, -1};
    if ((rc = run(db, q, &o, limit, &left, &w, &m, errmsg)) != RUBRIC_OK)
        goto done;
    r->suggestion = spell_suggest(db, words, query, len, xs_mset_estimate(m) > 0);
    if ((rc = try_correction(db, &o, limit, &left, &w, r, &m, fixed, words, errmsg)) !=
        RUBRIC_OK)
        goto done;
    r->total = xs_mset_estimate(m);
    r->total_exact = xs_mset_exact(m);
    r->partial |= xs_mset_stopped(m);
    if ((rc = note_context(db, query, len, &o, r)) != RUBRIC_OK)
        goto done;
    /* The shards that answered are not all of the index. */
    if (xs_db_missing(db->db) &&
        !(r->missing = calloc(xs_db_missing(db->db), sizeof *r->missing))) {
        rc = RUBRIC_ENOMEM;
        goto done;
    }
    for (size_t k = 0; k < xs_db_missing(db->db); k++, r->nmissing++)
        if (!(r->missing[k] = xstrdup(xs_db_missing_name(db->db, k)))) {
            rc = RUBRIC_ENOMEM;
            goto done;
        }
    r->partial |= r->nmissing > 0;
    if (take_facets(&o, r, m) < 0) {
        rc = RUBRIC_ENOMEM;
        goto done;
    }
    if ((rc = fill_hits(db, words, &o, r, m, o.offset + 1, errmsg)) != RUBRIC_OK)
        goto done;
    r->grouped = o.per_article > 0;
    if (o.per_article && group_by_page(r, m, article_offset, article_limit) < 0)
        rc = RUBRIC_ENOMEM;
done:
    if (rc == RUBRIC_ENOMEM && errmsg && !*errmsg)
        *errmsg = xstrdup("out of memory");
    xs_mset_free(m);
    qtree_free(q);
    qtree_free(fixed);
    free(q);
    free(fixed);
    free(words);
    if (rc == RUBRIC_OK) {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        r->offset = article_offset;
        r->limit = article_limit;
        r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        *out = r;
    } else {
        rubric_results_free(r);
    }
    return rc;
}

int rubric_results_corrected(const rubric_results *r)
{
    return r->corrected;
}

const char *rubric_results_missing_shard(const rubric_results *r, size_t k)
{
    return k < r->nmissing ? r->missing[k] : NULL;
}

int rubric_results_partial(const rubric_results *r)
{
    return r->partial;
}

double rubric_results_seconds(const rubric_results *r)
{
    return r->seconds;
}
