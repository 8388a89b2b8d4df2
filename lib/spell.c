/* spell.c: spelling suggestions from the index's own words. */
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "internal.h"
#include "store/shim.h"

/* A word in at most RARE_WORD_MAX passages gets a suggestion when a word
 * RARE_WORD_RATIO times as frequent is close by (an unknown word, when any
 * is); a suggestion is at most SUGGEST_MAX_EDITS edits away (one for short
 * words). */
#define RARE_WORD_MAX 2
#define RARE_WORD_RATIO 20
#define SUGGEST_MAX_EDITS 2

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
        if (buf_add(&c->best, term, len) < 0)
            return RUBRIC_ENOMEM;  /* stops the walk, which returns it */
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
    suggest_ctx c = {word, len, len <= 4 ? 1 : SUGGEST_MAX_EDITS, {0}, (size_t)-1, 0};
    char first[8] = {0};
    int n = len ? u8_mblen((const uint8_t *)word, len) : 0;
    memcpy(first, word, n > 0 && n < (int)sizeof first ? (size_t)n : len ? 1 : 0);
    if (xs_db_words(db->db, first, consider, &c) != XS_OK || !c.best.data) {
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

char *spell_suggest(rubric_db *db, const qwords *words, const char *text, size_t len, int found)
{
    qwords ws = *words;
    qsort(ws.w, ws.n, sizeof *ws.w, by_start);
    buf out = {0};
    size_t copied = 0;
    int changed = 0;
    for (size_t i = 0; i < ws.n; i++) {
        const qword *w = &ws.w[i];
        size_t have = xs_db_termfreq(db->db, w->word, strlen(w->word)), freq = 0;
        /* A function word of the language is spelled right whatever the
         * index holds: a manual may have no "my" at all. A wildcard, or the
         * word still being typed, is a beginning, not a word; a phrase that found passages is spelled as
         * the index spells it. */
        if (w->start < copied || have > RARE_WORD_MAX ||
            function_word(rubric_analyzer_lang(db->an), w->word) || w->mode == W_OTHER || w->prefix ||
            (found && w->mode == W_POSITIONAL))
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
