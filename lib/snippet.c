/* snippet.c: the windows of a passage around its matches: snippets and
 * fragments, their match spans, source offsets and HTML. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct match {
    size_t start, end;
    unsigned long long terms; /* the query words it matched (bit term % 64),
                               * for counting distinct ones */
} match;

typedef struct snip_ctx {
    const qwords *q;
    match *m;
    size_t n, cap;
} snip_ctx;

static int find_matches(void *ctx, const rubric_token *t)
{
    snip_ctx *c = ctx;
    size_t term = 0;
    int hit = 0;
    for (; term < c->q->n && !hit; term++) {
        const qword *w = &c->q->w[term];
        size_t n = strlen(w->stem), wn = strlen(w->word);
        /* A wildcard, or the word being typed, matches the words it begins. */
        hit = (n == t->stem_len && memcmp(w->stem, t->stem, n) == 0) ||
              ((w->mode == W_OTHER || w->prefix) && wn <= t->word_len &&
               memcmp(w->word, t->word, wn) == 0);
    }
    if (!hit)
        return 0;
    if (GROW(c->m, c->n, c->cap) < 0)
        return RUBRIC_ENOMEM;  /* stops the run, which returns it */
    c->m[c->n].start = t->start;
    c->m[c->n].end = t->end;
    c->m[c->n].terms = 1ULL << ((term - 1) % 64);
    c->n++;
    return 0;
}

static int is_cont(const char *s, size_t i)
{
    return ((unsigned char)s[i] & 0xC0) == 0x80;
}

/* Sort M[0..*N) by start and fold matches that overlap into one. The
 * analyzer gives a dotted or joined word and then its parts at the same
 * bytes (`standby.signal`, then `standby`), so two query words can match
 * overlapping spans; a snippet marks each byte once. */
static void merge_matches(match *m, size_t *n)
{
    for (size_t i = 1; i < *n; i++) {
        match x = m[i];
        size_t j = i;
        for (; j > 0 && (m[j - 1].start > x.start ||
                         (m[j - 1].start == x.start && m[j - 1].end < x.end)); j--)
            m[j] = m[j - 1];
        m[j] = x;
    }
    size_t out = 0;
    for (size_t i = 0; i < *n; i++) {
        if (out > 0 && m[i].start < m[out - 1].end) {
            if (m[i].end > m[out - 1].end)
                m[out - 1].end = m[i].end;
            m[out - 1].terms |= m[i].terms;
        } else {
            m[out++] = m[i];
        }
    }
    *n = out;
}

/* Every word of TEXT that matches a query word, in order of position, with
 * no two overlapping. */
static int find_all(rubric_analyzer *an, const qwords *q, const char *text, size_t len, match **out,
                    size_t *n)
{
    snip_ctx c = {q, NULL, 0, 0};
    *out = NULL;
    *n = 0;
    if (rubric_analyzer_run(an, text, len, find_matches, &c) != RUBRIC_OK) {
        free(c.m);
        return -1;
    }
    merge_matches(c.m, &c.n);
    *out = c.m;
    *n = c.n;
    return 0;
}

/* The window of about WANT bytes of TEXT holding the most distinct query
 * words among the matches not USED yet, as [*s, *e): starting at a sentence
 * when one starts close before, ending on a word boundary. 0 when no unused
 * match is left (the window is then the text's start). */
static int pick_window(const char *text, size_t len, const match *m, size_t n, const char *used,
                       size_t want, size_t *s_out, size_t *e_out)
{
    size_t lead = want / 4, best_start = 0, best_distinct = 0, best_count = 0, best_i = 0;
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (used[i])
            continue;
        size_t ws = m[i].start > lead ? m[i].start - lead : 0;
        size_t we = ws + want;
        size_t distinct = 0, count = 0;
        unsigned long long seen = 0;
        for (size_t j = i; j < n && m[j].end <= we; j++) {
            if (used[j])
                continue;
            count++;
            distinct += (size_t)__builtin_popcountll(m[j].terms & ~seen);
            seen |= m[j].terms;
        }
        if (!found || distinct > best_distinct ||
            (distinct == best_distinct && count > best_count)) {
            found = 1;
            best_distinct = distinct;
            best_count = count;
            best_start = ws;
            best_i = i;
        }
    }
    /* Begin at the start of the sentence holding the first match when that is
     * close enough before it (the text's own start counts), so the snippet
     * reads from a sentence start. */
    if (found) {
        size_t m0 = m[best_i].start, floor = m0 > want / 2 ? m0 - want / 2 : 0;
        size_t k = m0;
        while (k > floor && !(k >= 2 && strchr(".!?", text[k - 2]) && is_ascii_space(text[k - 1])))
            k--;
        if (k > floor || floor == 0)
            best_start = k;
    }
    size_t s = best_start, e = s + want < len ? s + want : len;
    /* Start and end on word boundaries (a space), else on a character. */
    if (s > 0) {
        size_t k = s;
        while (k < e && k < s + 30 && !is_ascii_space(text[k - 1]))
            k++;
        s = k < e && is_ascii_space(text[k - 1]) ? k : s;
        while (s < e && is_cont(text, s))
            s++;
    }
    if (e < len) {
        size_t k = e;
        while (k > s && e - k < 30 && !is_ascii_space(text[k]))
            k--;
        e = k > s && is_ascii_space(text[k]) ? k : e;
        while (e > s && is_cont(text, e))
            e--;
    }
    while (e > s && is_ascii_space(text[e - 1]))
        e--;
    *s_out = s;
    *e_out = e;
    return found;
}

/* Whether SPANS are sorted, disjoint and inside a text of LEN bytes: what
 * everything that prints a fragment relies on. */
static int spans_valid(const rubric_span *spans, size_t n, size_t len)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (spans[i].start < at || spans[i].len > len || spans[i].start > len - spans[i].len)
            return 0;
        at = spans[i].start + spans[i].len;
    }
    return 1;
}

/* Fill F with the window [S, E) of TEXT and the matches inside it (marked
 * USED). Returns 0, or -1 when out of memory. */
static int make_window(const char *text, size_t len, const match *m, size_t n, char *used,
                       size_t s, size_t e, rubric_fragment *f)
{
    char *snip = xstrndup(text + s, e - s);
    rubric_span *spans = malloc((n ? n : 1) * sizeof *spans);
    if (!snip || !spans) {
        free(snip);
        free(spans);
        return -1;
    }
    /* Newlines between paragraphs read as spaces in a snippet. */
    for (char *p = snip; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    size_t ns = 0;
    for (size_t i = 0; i < n; i++)
        if (m[i].start >= s && m[i].end <= e) {
            spans[ns].start = m[i].start - s;
            spans[ns].len = m[i].end - m[i].start;
            ns++;
            used[i] = 1;
        }
    memset(f, 0, sizeof *f);
    f->text = snip;
    f->text_len = e - s;
    assert(spans_valid(spans, ns, e - s));
    f->spans = spans;
    f->nspans = ns;
    f->cut_start = s > 0;
    f->cut_end = e < len;
    f->text_start = s;
    return 0;
}

char *fragment_html(const rubric_fragment *f, const char *open, const char *close,
                    const char *cut)
{
    buf b = {0};
    size_t at = 0;
    int ok = !f->cut_start || (buf_adds(&b, cut) == 0 && buf_addc(&b, ' ') == 0);
    for (size_t i = 0; i < f->nspans && ok; i++) {
        const rubric_span *sp = &f->spans[i];
        ok = buf_add_html(&b, f->text + at, sp->start - at) == 0 && buf_adds(&b, open) == 0 &&
             buf_add_html(&b, f->text + sp->start, sp->len) == 0 && buf_adds(&b, close) == 0;
        at = sp->start + sp->len;
    }
    ok = ok && buf_add_html(&b, f->text + at, f->text_len - at) == 0;
    ok = ok && (!f->cut_end || (buf_addc(&b, ' ') == 0 && buf_adds(&b, cut) == 0));
    if (!ok) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

char *rubric_fragment_html(const rubric_fragment *f)
{
    return fragment_html(f, "<b>", "</b>", "...");
}

char *rubric_hit_snippet_html(const rubric_hit *hit)
{
    return rubric_fragment_html(&hit->snippet);
}

/* Up to MAX fragments of P's text around its matches M, best first, each with
 * the source offsets of its matches and a link that scrolls to them. */
static int make_fragments(const layout_passage *p, const match *m, size_t n, size_t want,
                          size_t max, rubric_hit *h)
{
    rubric_fragment *f = calloc(max, sizeof *f);
    char *used = calloc(n + 1, 1);
    if (!f || !used) {
        free(f);
        free(used);
        return -1;
    }
    h->fragments = f;
    size_t s = 0, e = 0;
    int rc = 0;
    for (size_t k = 0; k < max && rc == 0; k++) {
        /* The first fragment always exists; later ones need matches left. */
        if (!pick_window(p->text, p->text_len, m, n, used, want, &s, &e) && k > 0)
            break;
        rc = make_window(p->text, p->text_len, m, n, used, s, e, &f[k]);
        if (rc < 0)
            break;
        h->nfragments = k + 1;
        rubric_span *src = malloc((f[k].nspans + 1) * sizeof *src);
        f[k].link = link_text(h->url, &f[k]);
        if (!src || !f[k].link) {
            free(src);
            rc = -1;
            break;
        }
        for (size_t j = 0; j < f[k].nspans; j++) {
            src[j].start = layout_source_offset(p, f[k].text_start + f[k].spans[j].start);
            src[j].len = f[k].spans[j].len;
        }
        f[k].source = src;
        f[k].nsource = f[k].nspans;
    }
    free(used);
    return rc;
}

/* TEXT whole as fragment F, the query's words in it its spans (a heading or
 * trail entry: a title shown with its matches). 0, or -1 out of memory. */
static int mark_whole(rubric_analyzer *an, const qwords *q, const char *text, rubric_fragment *f)
{
    match *m = NULL;
    size_t n = 0, len = strlen(text);
    if (find_all(an, q, text, len, &m, &n) < 0)
        return -1;
    char *used = calloc(n + 1, 1);
    int rc = used ? make_window(text, len, m, n, used, 0, len, f) : -1;
    free(used);
    free(m);
    return rc;
}

int snippet_fill(rubric_analyzer *an, const qwords *q, const layout_passage *p, size_t want,
                 size_t nfragments, rubric_hit *h)
{
    if (mark_whole(an, q, p->title, &h->title_marked) < 0)
        return -1;
    rubric_fragment *trail = calloc(p->ntrail ? p->ntrail : 1, sizeof *trail);
    if (!trail)
        return -1;
    h->trail_marked = trail;
    for (size_t k = 0; k < p->ntrail; k++)
        if (mark_whole(an, q, p->trail[k], &trail[k]) < 0)
            return -1;
    match *m = NULL;
    size_t n = 0, s = 0, e = 0;
    if (find_all(an, q, p->text, p->text_len, &m, &n) < 0)
        return -1;
    char *used = calloc(n + 1, 1);
    int rc = used ? 0 : -1;
    if (rc == 0) {
        pick_window(p->text, p->text_len, m, n, used, want, &s, &e);
        rc = make_window(p->text, p->text_len, m, n, used, s, e, &h->snippet);
    }
    if (rc == 0 && nfragments)
        rc = make_fragments(p, m, n, want, nfragments, h);
    free(used);
    free(m);
    return rc;
}
