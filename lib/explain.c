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
    /* Per mode, the fields a word is searched in (as query.c builds it). */
    static const struct {
        int mode;
        const char *prefix, *field;
        double scale;
        int exact;
    } fields[] = {{W_PLAIN, PREFIX_STEM, "body", 1.0, 0},
                  {W_PLAIN, PREFIX_HEAD, "heading", HEADING_WEIGHT, 0},
                  {W_PLAIN, PREFIX_TRAIL, "trail", TRAIL_WEIGHT, 0},
                  {W_PLAIN, "", "exact", EXACT_WEIGHT, 1},
                  {W_EXACT, "", "exact", 1.0, 1},
                  {W_TITLE, PREFIX_HEAD, "heading", HEADING_WEIGHT, 0},
                  {W_POSITIONAL, "", "phrase", 1.0, 1}};
    size_t nf = sizeof fields / sizeof *fields;
    rubric_contribution *c = calloc(q->n * nf + 1, sizeof *c);
    if (!c)
        return -1;
    h->explain = c;
    buf term = {0};
    size_t n = 0;
    for (size_t i = 0; i < q->n; i++)
        for (size_t f = 0; f < nf; f++) {
            if (fields[f].mode != q->w[i].mode)
                continue;
            term.len = 0;
            const char *w = fields[f].exact ? q->w[i].word : q->w[i].stem;
            if (buf_adds(&term, fields[f].prefix) < 0 || buf_adds(&term, w) < 0) {
                buf_free(&term);
                h->nexplain = n;
                return -1;
            }
            xs_term_stats st;
            if (xs_db_term_stats(db->db, docid, term.data, &st) != XS_OK || !st.wdf)
                continue;
            /* As query.c weighs them: a word in most bodies counts in the
             * body only. */
            if (q->w[i].mode == W_PLAIN && (f == 1 || f == 2) &&
                common_word(db->db, q->w[i].stem))
                continue;
            h->doclen = st.doclen;
            h->avlength = st.avlength;
            if (!(c[n].word = xstrdup(w))) {
                buf_free(&term);
                h->nexplain = n;
                return -1;
            }
            c[n].field = fields[f].field;
            c[n].wdf = st.wdf;
            c[n].df = st.termfreq;
            c[n].scale = fields[f].scale;
            c[n].weight = bm25(&st, k1, b) * fields[f].scale;
            n++;
        }
    buf_free(&term);
    h->explain = c;
    h->nexplain = n;
    return 0;
}
