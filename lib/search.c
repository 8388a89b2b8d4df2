/* search.c: query text into a Xapian query, ranked passages, snippets, suggestions. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include <unistr.h>

#include "internal.h"
#include "store/shim.h"

/* BM25 parameters (Xapian's defaults: k1 1, b 0.5), chosen by measurement on
 * the judged queries (README, "Ranking"): passages are short and of similar
 * length, so length normalisation (b) matters less than for whole pages, and
 * repeating a word (k1) says less than it does in a long page. */
#define BM25_K1 0.75
#define BM25_B 0.2
/* Grouping by article looks at this many matches at least, so that the
 * numbers of matching passages per article are exact below it. */
#define GROUP_CHECK_AT_LEAST 2000
/* Spelling: a word in at most RARE_WORD_MAX passages gets a suggestion when
 * a word RARE_WORD_RATIO times as frequent is close by (an unknown word, when
 * any is). */
#define RARE_WORD_MAX 2
#define RARE_WORD_RATIO 20
/* Spelling: a suggestion is at most this many edits away (one for short words). */
#define SUGGEST_MAX_EDITS 2

struct rubric_db {
    xs_db *db;
    rubric_analyzer *an;
    char *dir;
    char *base_url;
    char *updated;
    synonyms *syn;
};

int rubric_db_set_synonyms(rubric_db *db, const char *text, size_t len, char **errmsg)
{
    synonyms *s = NULL;
    int rc = text ? synonyms_parse(db->an, text, len, &s, errmsg) : RUBRIC_OK;
    if (rc != RUBRIC_OK)
        return rc;
    synonyms_free(db->syn);
    db->syn = s;
    return RUBRIC_OK;
}

unsigned long rubric_db_revision(rubric_db *db)
{
    return layout_revision(db->db);
}

const char *rubric_db_updated(rubric_db *db)
{
    free(db->updated);
    size_t len = 0;
    if (xs_db_get_metadata(db->db, META_UPDATED, &db->updated, &len) != XS_OK)
        db->updated = NULL;
    return db->updated ? db->updated : "";
}

const char *rubric_db_lang(const rubric_db *db)
{
    return rubric_analyzer_lang(db->an);
}

int rubric_db_reopen(rubric_db *db)
{
    int rc = xs_db_reopen_path(db->db);
    return rc == XS_OK ? RUBRIC_OK : rc == XS_ENOMEM ? RUBRIC_ENOMEM : RUBRIC_ENODB;
}

static int count_file(void *ctx, const char *key, const char *val, size_t len)
{
    (void)key;
    (void)val;
    *(size_t *)ctx += len > 0;
    return 0;
}

/* Bytes in the files of DIR (a glass database is one flat directory). */
static unsigned long long dir_bytes(const char *dir)
{
    unsigned long long n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (path && stat(path, &st) == 0 && S_ISREG(st.st_mode))
            n += (unsigned long long)st.st_size;
        free(path);
    }
    if (d)
        closedir(d);
    return n;
}

int rubric_db_stats_get(rubric_db *db, rubric_db_stats *out)
{
    memset(out, 0, sizeof *out);
    out->revision = layout_revision(db->db);
    out->passages = xs_db_doccount(db->db);
    if (xs_db_metadata(db->db, META_FILE, count_file, &out->files) != XS_OK)
        return RUBRIC_ENODB;
    out->bytes = dir_bytes(db->dir);
    return RUBRIC_OK;
}

const char *rubric_db_base_url(const rubric_db *db)
{
    return db->base_url ? db->base_url : "";
}

int rubric_db_open(const char *dir, rubric_db **out, char **errmsg)
{
    *out = NULL;
    if (errmsg)
        *errmsg = NULL;
    struct stat st;
    /* Without an atomic exchange, a rebuild leaves DIR missing for an
     * instant while its scratch copy takes its place: wait that out. */
    char *scratch = xasprintf("%s.rebuild", dir);
    for (int i = 0; i < 100 && scratch && stat(dir, &st) < 0 && errno == ENOENT &&
                    stat(scratch, &st) == 0;
         i++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    free(scratch);
    if (stat(dir, &st) < 0) {
        if (errmsg)
            *errmsg = errno == ENOENT
                          ? xasprintf("index '%s' does not exist (build it with rubric-index)", dir)
                          : xasprintf("cannot open index '%s': %s", dir, strerror(errno));
        return RUBRIC_ENODB;
    }
    rubric_db *db = calloc(1, sizeof *db);
    if (!db || !(db->dir = xstrdup(dir))) {
        free(db);
        return RUBRIC_ENOMEM;
    }
    char *msg = NULL;
    int rc = xs_db_open_read(dir, &db->db, &msg);
    if (rc != XS_OK) {
        if (errmsg)
            *errmsg = xasprintf("cannot open index '%s': %s", dir, msg ? msg : "out of memory");
        free(msg);
        free(db->dir);
        free(db);
        return rc == XS_ENOMEM ? RUBRIC_ENOMEM : RUBRIC_ENODB;
    }
    char *lang = NULL;
    size_t len = 0;
    xs_db_get_metadata(db->db, META_LANG, &lang, &len);
    xs_db_get_metadata(db->db, META_BASE_URL, &db->base_url, &len);
    rc = rubric_analyzer_new(lang ? lang : "english", &db->an);
    if (rc != RUBRIC_OK && errmsg)
        *errmsg = xasprintf("index '%s' names an unknown language '%s'", dir, lang);
    free(lang);
    if (rc != RUBRIC_OK) {
        rubric_db_close(db);
        return rc == RUBRIC_EINVAL ? RUBRIC_ENODB : rc;
    }
    *out = db;
    return RUBRIC_OK;
}

void rubric_db_close(rubric_db *db)
{
    if (!db)
        return;
    xs_db_close(db->db);
    rubric_analyzer_free(db->an);
    free(db->base_url);
    free(db->updated);
    free(db->dir);
    synonyms_free(db->syn);
    free(db);
}

size_t rubric_db_passages(rubric_db *db)
{
    return xs_db_doccount(db->db);
}

/* The words a query looks for, flattened: for snippets and suggestions. */
/* How a query word is searched, for --explain. */
enum { W_PLAIN, W_EXACT, W_TITLE, W_POSITIONAL, W_OTHER };

typedef struct qword {
    const char *word, *stem;
    size_t start, end;  /* in the query text */
    int mode;           /* W_* */
} qword;

typedef struct qwords {
    qword w[QUERY_MAX_NODES * 2];
    size_t n;
} qwords;

static void add_qword(void *ctx, const qnode *leaf, size_t k)
{
    qwords *ws = ctx;
    int mode = leaf->wild                     ? W_OTHER
               : leaf->exact                  ? W_EXACT
               : leaf->field == F_TITLE       ? W_TITLE
               : leaf->phrase || leaf->in_near ? W_POSITIONAL
                                              : W_PLAIN;
    for (size_t i = 0; i < ws->n; i++)
        if (strcmp(ws->w[i].stem, leaf->stem[k]) == 0 && ws->w[i].mode == mode)
            return;
    if (ws->n < sizeof ws->w / sizeof *ws->w)
        ws->w[ws->n++] =
            (qword){leaf->word[k], leaf->stem[k], leaf->wstart[k], leaf->wend[k], mode};
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* ---------------------------------------------------------------- spelling */

/* Optimal string alignment distance between A and B (bytes), or LIMIT + 1
 * when above LIMIT. */
static size_t edit_distance(const char *a, size_t na, const char *b, size_t nb, size_t limit)
{
    if ((na > nb ? na - nb : nb - na) > limit || na > 64 || nb > 64)
        return limit + 1;
    size_t d[3][65];
    size_t *prev2 = d[0], *prev = d[1], *cur = d[2];
    for (size_t j = 0; j <= nb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= na; i++) {
        cur[0] = i;
        size_t best = cur[0];
        for (size_t j = 1; j <= nb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (prev[j - 1] + cost < v)
                v = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[nb] > limit ? limit + 1 : prev[nb];
}

typedef struct suggest_ctx {
    const char *word;
    size_t len, limit;
    buf best;
    size_t best_dist, best_freq;
    int failed;
} suggest_ctx;

static int consider(void *ctx, const char *term, size_t len, size_t freq)
{
    suggest_ctx *c = ctx;
    /* Prefixed terms start with an ASCII capital; exact words never do. */
    if (len == 0 || (term[0] >= 'A' && term[0] <= 'Z'))
        return 0;
    size_t d = edit_distance(c->word, c->len, term, len, c->limit);
    if (d > c->limit || d == 0)
        return 0;
    if (d < c->best_dist || (d == c->best_dist && freq > c->best_freq)) {
        c->best.len = 0;
        if (buf_add(&c->best, term, len) < 0) {
            c->failed = 1;
            return RUBRIC_ENOMEM;
        }
        c->best_dist = d;
        c->best_freq = freq;
    }
    return 0;
}

/* The index's closest word to WORD, malloc'd, or NULL. Only the words that
 * begin with WORD's first character are looked at (a typo seldom hits the
 * first letter): a slice of the vocabulary, where walking all of it cost
 * some 10 ms a query on the Python docs. */
static char *suggest_word(rubric_db *db, const char *word, size_t *freq)
{
    size_t len = strlen(word);
    suggest_ctx c = {word, len, len <= 4 ? 1 : SUGGEST_MAX_EDITS, {0}, (size_t)-1, 0, 0};
    char first[8] = {0};
    int n = len ? u8_mblen((const uint8_t *)word, len) : 0;
    memcpy(first, word, n > 0 && n < (int)sizeof first ? (size_t)n : len ? 1 : 0);
    xs_db_words(db->db, first, consider, &c);
    if (c.failed || !c.best.data) {
        buf_free(&c.best);
        return NULL;
    }
    *freq = c.best_freq;
    return buf_detach(&c.best);
}

static int by_start(const void *a, const void *b)
{
    const qword *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The query with each unknown word replaced by its suggestion, or NULL when
 * every word is known (or nothing better is found). */
static char *suggest_query(rubric_db *db, const qwords *words, const char *text, size_t len)
{
    qwords ws = *words;
    qsort(ws.w, ws.n, sizeof *ws.w, by_start);
    buf out = {0};
    size_t copied = 0;
    int changed = 0;
    for (size_t i = 0; i < ws.n; i++) {
        const qword *w = &ws.w[i];
        size_t have = xs_db_termfreq(db->db, w->word, strlen(w->word)), freq = 0;
        if (w->start < copied || have > RARE_WORD_MAX)
            continue;
        char *sug = suggest_word(db, w->word, &freq);
        /* A word the index knows, but rarely, is corrected only towards a
         * word far more common: a typo that slipped into a page too. */
        if (sug && have > 0 && freq < RARE_WORD_RATIO * have) {
            free(sug);
            sug = NULL;
        }
        if (!sug)
            continue;
        if (buf_add(&out, text + copied, w->start - copied) < 0 || buf_adds(&out, sug) < 0) {
            free(sug);
            buf_free(&out);
            return NULL;
        }
        free(sug);
        copied = w->end;
        changed = 1;
    }
    if (!changed || buf_add(&out, text + copied, len - copied) < 0) {
        buf_free(&out);
        return NULL;
    }
    return buf_detach(&out);
}

/* ---------------------------------------------------------------- results */

struct rubric_results {
    int corrected;     /* the hits answer the suggestion, not the query */
    rubric_article *articles;
    size_t narticles;
    size_t *article_hits;  /* the hits of every article, back to back */
    const char **page_keys;
    rubric_hit *hits;
    size_t n;
    size_t total;
    char *suggestion;
    layout_passage *docs;  /* the decoded passage data the hits' strings point into;
                          what else a hit points to is its own, freed with it */
};

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
    free((char *)h->snippet);
    free((rubric_span *)h->spans);
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
    free(r->page_keys);
    free(r->hits);
    free(r->docs);
    free(r->suggestion);
    free(r);
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

/* ---------------------------------------------------------------- snippets */

typedef struct match {
    size_t start, end;
    unsigned long long terms; /* the query words it matched (bit term % 64),
                               * for counting distinct ones */
} match;

typedef struct snip_ctx {
    const qwords *q;
    match *m;
    size_t n, cap;
    int failed;
} snip_ctx;

static int find_matches(void *ctx, const rubric_token *t)
{
    snip_ctx *c = ctx;
    size_t term = 0;
    int hit = 0;
    for (; term < c->q->n && !hit; term++)
        hit = strlen(c->q->w[term].stem) == t->stem_len &&
              memcmp(c->q->w[term].stem, t->stem, t->stem_len) == 0;
    if (!hit)
        return 0;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        match *m = realloc(c->m, cap * sizeof *m);
        if (!m) {
            c->failed = 1;
            return RUBRIC_ENOMEM;
        }
        c->m = m;
        c->cap = cap;
    }
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
static int find_all(rubric_db *db, const qwords *q, const char *text, size_t len, match **out,
                    size_t *n)
{
    snip_ctx c = {q, NULL, 0, 0, 0};
    *out = NULL;
    *n = 0;
    if (rubric_analyzer_run(db->an, text, len, find_matches, &c) != RUBRIC_OK || c.failed) {
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
        while (k > floor && !(k >= 2 && strchr(".!?", text[k - 2]) && is_blank(text[k - 1])))
            k--;
        if (k > floor || floor == 0)
            best_start = k;
    }
    size_t s = best_start, e = s + want < len ? s + want : len;
    /* Start and end on word boundaries (a space), else on a character. */
    if (s > 0) {
        size_t k = s;
        while (k < e && k < s + 30 && !is_blank(text[k - 1]))
            k++;
        s = k < e && is_blank(text[k - 1]) ? k : s;
        while (s < e && is_cont(text, s))
            s++;
    }
    if (e < len) {
        size_t k = e;
        while (k > s && e - k < 30 && !is_blank(text[k]))
            k--;
        e = k > s && is_blank(text[k]) ? k : e;
        while (e > s && is_cont(text, e))
            e--;
    }
    while (e > s && is_blank(text[e - 1]))
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

char *rubric_fragment_html(const rubric_fragment *f)
{
    buf b = {0};
    size_t at = 0;
    int ok = !f->cut_start || buf_adds(&b, "... ") == 0;
    for (size_t i = 0; i < f->nspans && ok; i++) {
        const rubric_span *sp = &f->spans[i];
        ok = buf_add_html(&b, f->text + at, sp->start - at) == 0 && buf_adds(&b, "<b>") == 0 &&
             buf_add_html(&b, f->text + sp->start, sp->len) == 0 && buf_adds(&b, "</b>") == 0;
        at = sp->start + sp->len;
    }
    ok = ok && buf_add_html(&b, f->text + at, f->text_len - at) == 0;
    ok = ok && (!f->cut_end || buf_adds(&b, " ...") == 0);
    if (!ok) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

char *rubric_hit_snippet_html(const rubric_hit *hit)
{
    rubric_fragment f = {hit->snippet, hit->snippet_len, hit->spans, hit->nspans,
                         hit->snippet_cut_start, hit->snippet_cut_end, 0, NULL, 0, NULL};
    return rubric_fragment_html(&f);
}

/* Append S to B, percent-encoding what cannot stand in a URL as it is. */
static int add_url_part(buf *b, const char *s, int fragment)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int plain = c >= 0x80 || (c > 0x20 && c != 0x7F && !strchr("\"<>`%{}|\\^", c) &&
                                  (!fragment || c != '#'));
        if (plain ? buf_addc(b, (char)c) < 0 : buf_printf(b, "%%%02X", c) < 0)
            return -1;
    }
    return 0;
}

/* BASE + REL + "#" + ANCHOR, REL alone when it is a URL already. */
static char *make_url(const char *base, const char *rel, const char *anchor)
{
    buf b = {0};
    int ok = 1;
    if (!strstr(rel, "://") && *base) {
        ok = buf_adds(&b, base) == 0;
        int slash_end = b.len && b.data[b.len - 1] == '/';
        if (slash_end && *rel == '/')
            rel++;
        else if (ok && !slash_end && *rel != '/')
            ok = buf_addc(&b, '/') == 0;
    }
    ok = ok && add_url_part(&b, rel, 0) == 0;
    if (ok && *anchor)
        ok = buf_addc(&b, '#') == 0 && add_url_part(&b, anchor, 1) == 0;
    if (!ok) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

/* URL + ":~:text=" + the words from the first match, encoded for a text
 * directive (which reserves '-', ',' and '&'). */
static char *text_link(const char *url, const rubric_fragment *f)
{
    buf b = {0};
    size_t from = f->nspans ? f->spans[0].start : 0, to = from, words = 0;
    while (to < f->text_len && words < 6) {
        while (to < f->text_len && f->text[to] != ' ')
            to++;
        words++;
        if (words < 6)
            while (to < f->text_len && f->text[to] == ' ')
                to++;
    }
    int ok = buf_adds(&b, url) == 0 && buf_adds(&b, strchr(url, '#') ? ":~:text=" : "#:~:text=") == 0;
    for (size_t k = from; ok && k < to; k++) {
        unsigned char c = (unsigned char)f->text[k];
        ok = (isalnum(c) || c == '.' || c == '_' || c == '~') ? buf_addc(&b, (char)c) == 0
                                                               : buf_printf(&b, "%%%02X", c) == 0;
    }
    if (!ok) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

/* Up to MAX fragments of TEXT around its matches M, best first, each with the
 * source offsets of its matches and a link that scrolls to them. */
static int make_fragments(const layout_passage *doc, const char *text, size_t len, const match *m,
                          size_t n, size_t want, size_t max, rubric_hit *h)
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
        if (!pick_window(text, len, m, n, used, want, &s, &e) && k > 0)
            break;
        rc = make_window(text, len, m, n, used, s, e, &f[k]);
        if (rc < 0)
            break;
        h->nfragments = k + 1;
        rubric_span *src = malloc((f[k].nspans + 1) * sizeof *src);
        f[k].link = text_link(h->url, &f[k]);
        if (!src || !f[k].link) {
            free(src);
            rc = -1;
            break;
        }
        for (size_t j = 0; j < f[k].nspans; j++) {
            src[j].start = layout_source_offset(doc, f[k].text_start + f[k].spans[j].start);
            src[j].len = f[k].spans[j].len;
        }
        f[k].source = src;
        f[k].nsource = f[k].nspans;
    }
    h->fragments = f;
    free(used);
    return rc;
}

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

/* Hit H's score term by term: each query word in each field it matched. */
static int explain_hit(rubric_db *db, const qwords *q, const rubric_search_opts *o, unsigned docid,
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
    double k1 = o->k1 > 0 ? o->k1 : BM25_K1, b = o->b > 0 ? o->b : BM25_B;
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

/* Fill hit I of R from the document data of mset entry I. */
static int fill_hit(rubric_db *db, const qwords *q, const rubric_search_opts *o,
                    rubric_results *r, const xs_mset *ms, size_t i, size_t rank)
{
    size_t dlen = 0;
    const char *data = xs_mset_data(ms, i, &dlen);
    layout_passage *doc = &r->docs[i];
    if (layout_passage_decode(data, dlen, doc) != RUBRIC_OK)
        return -1;
    rubric_hit *h = &r->hits[i];
    h->rank = (unsigned)rank;
    h->score = xs_mset_weight(ms, i);
    h->path = doc->path;
    h->anchor = doc->anchor;
    h->title = doc->title;
    h->start = doc->start;
    h->end = doc->end;
    h->part = doc->part;
    h->boilerplate = doc->boilerplate;
    h->trail = doc->trail;
    h->ntrail = doc->ntrail;
    h->url = make_url(o->base_url ? o->base_url : rubric_db_base_url(db),
                      *doc->rel ? doc->rel : h->path, h->anchor);
    if (!h->url)
        return -1;
    const char *text = doc->text;
    size_t len = doc->text_len, want = o->snippet_len ? o->snippet_len : 200, n = 0, s = 0, e = 0;
    match *m = NULL;
    if (find_all(db, q, text, len, &m, &n) < 0)
        return -1;
    char *used = calloc(n + 1, 1);
    rubric_fragment main = {0};
    int rc = used ? 0 : -1;
    if (rc == 0) {
        pick_window(text, len, m, n, used, want, &s, &e);
        rc = make_window(text, len, m, n, used, s, e, &main);
    }
    if (rc == 0) {
        h->snippet = main.text;
        h->snippet_len = main.text_len;
        h->spans = main.spans;
        h->nspans = main.nspans;
        h->snippet_cut_start = main.cut_start;
        h->snippet_cut_end = main.cut_end;
    }
    if (rc == 0 && o->fragments)
        rc = make_fragments(doc, text, len, m, n, want, o->fragments, h);
    if (rc == 0 && o->explain)
        rc = explain_hit(db, q, o, xs_mset_docid(ms, i), h);
    free(used);
    free(m);
    return rc;
}

static int group(rubric_results *r, const xs_mset *m, size_t offset, size_t limit);

/* Run Q: words ANDed, then, when nothing holds them all, a ranked OR. */
static int run(rubric_db *db, const qtree *q, const rubric_search_opts *o, size_t limit,
               xs_mset **out, char **errmsg)
{
    *out = NULL;
    for (int relax = 0; relax < 2; relax++) {
        xs_query *xq = qtree_build(db->db, q, relax, o->boilerplate, db->syn);
        if (!xq)
            return RUBRIC_ENOMEM;
        xs_mset *m = NULL;
        xs_search so = {o->offset, limit, o->k1 > 0 ? o->k1 : BM25_K1, o->b > 0 ? o->b : BM25_B,
                        o->per_article, 0};
        if (o->per_article)
            so.check_at_least = GROUP_CHECK_AT_LEAST;
        int xr = xs_db_search(db->db, xq, &so, &m);
        xs_query_free(xq);
        if (xr == XS_EWILDCARD) {
            if (errmsg)
                *errmsg = xasprintf("a wildcard matches more than %d words: make it longer",
                                    WILDCARD_MAX);
            return RUBRIC_EINVAL;
        }
        if (xr != XS_OK) {
            if (errmsg)
                *errmsg = xasprintf("search failed: %s", xs_db_errmsg(db->db));
            return xr == XS_ENOMEM ? RUBRIC_ENOMEM : RUBRIC_ENODB;
        }
        xs_mset_free(*out);
        *out = m;
        if (xs_mset_estimate(m) > 0 || !qtree_can_relax(q))
            break;
    }
    return RUBRIC_OK;
}

int rubric_search(rubric_db *db, const char *query, size_t len, const rubric_search_opts *opts,
                  rubric_results **out, char **errmsg)
{
    *out = NULL;
    if (errmsg)
        *errmsg = NULL;
    rubric_search_opts o = {0};
    if (opts)
        o = *opts;
    size_t limit = o.limit ? o.limit : 10;
    size_t article_offset = o.offset, article_limit = limit;
    if (o.per_article) {
        /* Fetch enough passages for the articles wanted, from the first. */
        limit = (o.offset + limit) * o.per_article;
        o.offset = 0;
    }
    qtree *q = calloc(1, sizeof *q), *fixed = NULL;
    qwords *words = calloc(1, sizeof *words);
    rubric_results *r = calloc(1, sizeof *r);
    xs_mset *m = NULL;
    int rc = RUBRIC_ENOMEM;
    if (!q || !r || !words || qtree_parse(db->an, query, len, q) != RUBRIC_OK)
        goto fail;
    if (!q->has_positive) {
        rc = RUBRIC_EINVAL;
        if (errmsg)
            *errmsg = xstrdup(q->root ? "query has nothing to search for, only exclusions"
                              : len ? "query has no words to search for"
                                    : "empty query");
        goto fail;
    }
    if ((rc = run(db, q, &o, limit, &m, errmsg)) != RUBRIC_OK)
        goto fail;
    rc = RUBRIC_ENOMEM;
    qtree_words(q, add_qword, words);
    r->suggestion = suggest_query(db, words, query, len);
    if (xs_mset_estimate(m) == 0 && r->suggestion && !o.no_correction) {
        /* Nothing found, and a corrected query may do better: answer that. */
        xs_mset *m2 = NULL;
        fixed = calloc(1, sizeof *fixed);
        if (!fixed || qtree_parse(db->an, r->suggestion, strlen(r->suggestion), fixed) != RUBRIC_OK)
            goto fail;
        if ((rc = run(db, fixed, &o, limit, &m2, errmsg)) != RUBRIC_OK)
            goto fail;
        rc = RUBRIC_ENOMEM;
        if (xs_mset_estimate(m2) > 0) {
            xs_mset_free(m);
            m = m2;
            r->corrected = 1;
            words->n = 0;
            qtree_words(fixed, add_qword, words);
        } else {
            xs_mset_free(m2);
        }
    }
    r->total = xs_mset_estimate(m);
    size_t n = xs_mset_size(m);
    r->hits = calloc(n + 1, sizeof *r->hits);
    r->docs = calloc(n + 1, sizeof *r->docs);
    r->page_keys = calloc(n + 1, sizeof *r->page_keys);
    if (!r->hits || !r->docs || !r->page_keys)
        goto fail;
    r->n = n;
    for (size_t i = 0; i < n; i++)
        if (fill_hit(db, words, &o, r, m, i, o.offset + i + 1) < 0) {
            rc = RUBRIC_ENODB;
            if (errmsg)
                *errmsg = xstrdup("a passage's stored data is damaged or memory ran out");
            goto fail;
        }
    if (o.per_article && group(r, m, article_offset, article_limit) < 0)
        goto fail;
    xs_mset_free(m);
    qtree_free(q);
    qtree_free(fixed);
    free(q);
    free(fixed);
    free(words);
    *out = r;
    return RUBRIC_OK;
fail:
    if (rc == RUBRIC_ENOMEM && errmsg && !*errmsg)
        *errmsg = xstrdup("out of memory");
    xs_mset_free(m);
    qtree_free(q);
    qtree_free(fixed);
    free(q);
    free(fixed);
    free(words);
    rubric_results_free(r);
    return rc;
}

size_t rubric_results_article_count(const rubric_results *r)
{
    return r->narticles;
}

const rubric_article *rubric_results_article(const rubric_results *r, size_t i)
{
    return i < r->narticles ? &r->articles[i] : NULL;
}

/* Group the hits by page (the source and the page within it), in the order
 * of each page's best hit; keep the articles from OFFSET, at most LIMIT, and
 * their hits. M's collapse counts give each page's other matches. */
static int group(rubric_results *r, const xs_mset *m, size_t offset, size_t limit)
{
    size_t n = r->n;
    r->articles = calloc(n + 1, sizeof *r->articles);
    r->article_hits = calloc(n + 1, sizeof *r->article_hits);
    size_t *of = calloc(n + 1, sizeof *of);  /* hit -> article */
    if (!r->articles || !r->article_hits || !of) {
        free(of);
        return -1;
    }
    size_t na = 0;
    for (size_t i = 0; i < n; i++) {
        const rubric_hit *h = &r->hits[i];
        const char *src = r->docs[i].source;
        size_t a = 0;
        while (a < na && !(strcmp(r->articles[a].path, h->path) == 0 &&
                           strcmp(r->page_keys[a], src) == 0))
            a++;
        if (a == na) {
            r->articles[na].path = h->path;
            r->articles[na].title = h->ntrail ? h->trail[0] : h->title;
            r->page_keys[na] = src;
            na++;
        }
        /* Each kept hit of a page carries the count of its page's matches
         * that were left out. */
        size_t left_out = xs_mset_collapsed(m, i);
        r->articles[a].nhits++;
        if (left_out > r->articles[a].matches)
            r->articles[a].matches = left_out;
        of[i] = a;
    }
    /* Lay each article's hits out back to back, and keep OFFSET..LIMIT. */
    size_t at = 0, first = offset < na ? offset : na, last = first + limit < na ? first + limit : na;
    for (size_t a = 0; a < na; a++)
        r->articles[a].matches += r->articles[a].nhits;
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
    return 0;
}

int rubric_results_corrected(const rubric_results *r)
{
    return r->corrected;
}
