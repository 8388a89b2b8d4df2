/* explain.c: a hit's score term by term (rubric_search_opts.explain).
 *
 * The terms are those the search's query weighs (xs_mset_weighed()), each at
 * the scale the query builder gave it, a phrase's or a NEAR's only where it
 * matches, so the rows add up to the score but for a wildcard's words. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store/shim.h"

/* BM25 as Xapian computes it (BM25Weight with k2 0, k3 1, min_normlen 0.5,
 * no relevance set), for --explain. */
static double bm25(const xs_term_stats *t, double k1, double b)
{
    if (!t->wdf)
        return 0;
    double n = (double)t->termfreq, N = (double)t->doccount;
    double tw = (N - n + 0.5) / (n + 0.5);
    if (tw < 2)
        tw = tw * 0.5 + 1;
    double normlen = t->avlength > 0 ? t->doclen / t->avlength : 1;
    if (normlen < 0.5)
        normlen = 0.5;
    double wdf = t->wdf;
    return log(tw) * (k1 + 1) * wdf / (k1 * (b * normlen + 1 - b) + wdf);
}

static int has_prefix(const char *term, const char *prefix)
{
    return strncmp(term, prefix, strlen(prefix)) == 0;
}

/* What TERM is a term of, as explain names it, and the word it holds (into
 * *WORD, pointing into TERM); NULL for a term no row names. */
static const char *field_of(const char *term, size_t group, const char **word)
{
    static const struct {
        const char *prefix, *name;
    } others[] = {{PREFIX_PRESENT, "present"}, {PREFIX_OPTION, "option"},
                  {PREFIX_CAPS, "capitals"}};
    *word = term;
    if (term[0] == 'X')
        return NULL;  /* the heading key has a row of its own */
    for (size_t f = 0; f < FIELD_COUNT; f++)
        if (!query_fields[f].exact && has_prefix(term, query_fields[f].prefix)) {
            *word = term + strlen(query_fields[f].prefix);
            return query_fields[f].name;
        }
    for (size_t k = 0; k < sizeof others / sizeof *others; k++)
        if (has_prefix(term, others[k].prefix)) {
            *word = term + strlen(others[k].prefix);
            return others[k].name;
        }
    if (term[0] >= 'A' && term[0] <= 'Z')
        return NULL;
    return group ? "phrase" : query_fields[FIELD_EXACT].name;
}

/* The words of Q a heading key stands for: its plain words, function
 * words left out. */
static char *key_words(const qwords *q)
{
    buf out = {0};
    int rc = 0;
    for (size_t i = 0; i < q->n; i++)
        if (q->w[i].mode == W_PLAIN && !q->w[i].function)
            rc |= buf_printf(&out, "%s%s", out.len ? " " : "", q->w[i].stem);
    if (rc || buf_addc(&out, '\0') < 0) {
        buf_free(&out);
        return NULL;
    }
    return out.data;
}

static int keep_first(void *ctx, const char *term, size_t len)
{
    buf *b = ctx;
    return b->len ? 0 : buf_add(b, term, len) < 0 ? RUBRIC_ENOMEM : 1;
}

/* Does phrase or NEAR GROUP match passage DOCID? 1 or 0, asked once a hit
 * (into *MATCHES, *N of them), with the passage's id term (*ID, read
 * once); or a rubric status. */
static int group_matches(rubric_db *db, const xs_mset *ms, unsigned docid, size_t group,
                         unsigned char **matches, size_t *n, buf *id)
{
    if (group > *n) {
        unsigned char *more = realloc(*matches, group);
        if (!more)
            return RUBRIC_ENOMEM;
        memset(more + *n, 0, group - *n);
        *matches = more;
        *n = group;
    }
    if ((*matches)[group - 1])
        return (*matches)[group - 1] == 1;
    if (!id->len) {
        int rc = xs_db_doc_terms(db->db, docid, PREFIX_ID, keep_first, id);
        if (rc < 0)
            return xs_status(rc);
        if (!id->len)
            return RUBRIC_ENODB;  /* every passage has one */
    }
    int rc = xs_mset_group_matches(db->db, ms, group, id->data, id->len);
    if (rc < 0)
        return xs_status(rc);
    (*matches)[group - 1] = rc ? 1 : 2;
    return rc;
}

int explain_hit(rubric_db *db, const xs_mset *ms, const qwords *q, double k1, double b,
                unsigned docid, rubric_hit *h)
{
    size_t nw = xs_mset_weighed(ms);
    rubric_contribution *c = calloc(nw + 1, sizeof *c);
    const char **terms = calloc(nw + 1, sizeof *terms);  /* each row's */
    h->explain = c;
    h->nexplain = 0;
    if (!c || !terms) {
        free(terms);
        return RUBRIC_ENOMEM;
    }
    size_t n = 0;
    int rc = RUBRIC_OK;
    /* Each phrase and NEAR: whether it matches the hit (1), not (2), or is
     * not asked yet (0); and the hit's id term, to ask with. */
    unsigned char *matches = NULL;
    size_t nmatches = 0;
    buf id = {0};
    for (size_t i = 0; i < nw && rc == RUBRIC_OK; i++) {
        double factor;
        size_t group;
        const char *term = xs_mset_weighed_term(ms, i, &factor, &group), *word;
        const char *name = field_of(term, group, &word);
        if (!name && !has_prefix(term, PREFIX_HEADING_KEY))
            continue;
        if (group && (rc = group_matches(db, ms, docid, group, &matches, &nmatches, &id)) != 1) {
            rc = rc == 0 ? RUBRIC_OK : rc;
            continue;
        }
        rc = RUBRIC_OK;
        /* A term weighed twice (a word, and a part of a dotted name that
         * says it again) is one row at the sum of its scales. */
        size_t k = 0;
        while (k < n && !(strcmp(terms[k], term) == 0 && strcmp(c[k].field, name ? name : "key") == 0))
            k++;
        if (k < n) {
            c[k].weight *= (c[k].scale + factor) / c[k].scale;
            c[k].scale += factor;
            continue;
        }
        xs_term_stats st;
        if (xs_db_term_stats(db->db, docid, term, &st) != XS_OK || !st.wdf)
            continue;
        h->doclen = st.doclen;
        h->avlength = st.avlength;
        if (!(c[n].word = name ? xstrdup(word) : key_words(q))) {
            rc = RUBRIC_ENOMEM;
            break;
        }
        terms[n] = term;
        c[n].field = name ? name : "key";
        c[n].wdf = st.wdf;
        c[n].df = st.termfreq;
        c[n].scale = factor;
        c[n].weight = bm25(&st, k1, b) * factor;
        n++;
    }
    free(terms);
    free(matches);
    buf_free(&id);
    h->nexplain = n;
    return rc;
}
