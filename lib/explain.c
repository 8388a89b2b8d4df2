/* explain.c: a hit's score term by term (rubric_search_opts.explain). */
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

int explain_hit(rubric_db *db, const qwords *q, double k1, double b, unsigned docid,
                rubric_hit *h)
{
    /* Per mode, the fields a word is searched in, as query.c builds it: a
     * plain word in every field at its scale; an exact form, and a word of a
     * phrase or NEAR, by its exact form in full; title: in headings. */
    static const struct {
        int mode, field;
        int full;           /* at scale 1, not the field's */
        const char *label;  /* when not the field's name */
    } rows[] = {{W_PLAIN, FIELD_BODY, 0, NULL},      {W_PLAIN, FIELD_HEADING, 0, NULL},
                {W_PLAIN, FIELD_TRAIL, 0, NULL},     {W_PLAIN, FIELD_EXACT, 0, NULL},
                {W_PLAIN, FIELD_ANCHOR, 0, NULL},    {W_PLAIN, FIELD_TERM, 0, NULL},
                {W_EXACT, FIELD_EXACT, 1, NULL},
                {W_TITLE, FIELD_HEADING, 0, NULL},
                {W_POSITIONAL, FIELD_EXACT, 1, "phrase"}};
    size_t nr = sizeof rows / sizeof *rows;
    rubric_contribution *c = calloc(q->n * nr + 1, sizeof *c);
    if (!c)
        return -1;
    h->explain = c;
    buf term = {0};
    size_t n = 0;
    for (size_t i = 0; i < q->n; i++)
        for (size_t r = 0; r < nr; r++) {
            if (rows[r].mode != q->w[i].mode)
                continue;
            const field *f = &query_fields[rows[r].field];
            double scale = rows[r].full ? 1.0 : f->scale;
            term.len = 0;
            const char *w = f->exact ? q->w[i].word : q->w[i].stem;
            if (buf_adds(&term, f->prefix) < 0 || buf_adds(&term, w) < 0) {
                buf_free(&term);
                h->nexplain = n;
                return -1;
            }
            xs_term_stats st;
            if (xs_db_term_stats(db->db, docid, term.data, &st) != XS_OK || !st.wdf)
                continue;
            /* As query_build.c weighs them: a word in most bodies, or a
             * function word, counts in the fields that keep it only. */
            if (q->w[i].mode == W_PLAIN && f->skip_common &&
                (q->w[i].function || query_common_word(db->db, q->w[i].stem)))
                continue;
            h->doclen = st.doclen;
            h->avlength = st.avlength;
            if (!(c[n].word = xstrdup(w))) {
                buf_free(&term);
                h->nexplain = n;
                return -1;
            }
            c[n].field = rows[r].label ? rows[r].label : f->name;
            c[n].wdf = st.wdf;
            c[n].df = st.termfreq;
            c[n].scale = scale;
            c[n].weight = bm25(&st, k1, b) * scale;
            n++;
        }
    buf_free(&term);
    h->explain = c;
    h->nexplain = n;
    return 0;
}
