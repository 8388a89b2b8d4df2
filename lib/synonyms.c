/* synonyms.c: groups of words and phrases that mean the same, applied to queries.
 *
 * The file holds one group per line, members separated by '=':
 *   UN = United Nations
 *   US = U.S. = United States
 * Blank lines and lines starting with '#' are ignored. Members are analysed
 * like queries (folded, not stemmed for matching). A member written in
 * capitals (an acronym: "US") matches only a query that writes it in
 * capitals too, so that "us" stays a pronoun.
 */
#include <stdlib.h>
#include <string.h>

#include <unictype.h>
#include <unistr.h>

#include "internal.h"

typedef struct member {
    size_t n;
    char *word[QNODE_WORDS];  /* exact forms */
    char *stem[QNODE_WORDS];
    int caps;
} member;

typedef struct syn_group {
    member *m;
    size_t n;
} syn_group;

struct synonyms {
    syn_group *g;
    size_t n, cap;
};

typedef struct member_ctx {
    member *m;
} member_ctx;

static int add_word(void *ctx, const rubric_token *t)
{
    member_ctx *c = ctx;
    if (t->sub || c->m->n == QNODE_WORDS)
        return 0;
    c->m->word[c->m->n] = xstrndup(t->word, t->word_len);
    c->m->stem[c->m->n] = xstrndup(t->stem, t->stem_len);
    c->m->n++;
    if (!c->m->word[c->m->n - 1] || !c->m->stem[c->m->n - 1])
        return RUBRIC_ENOMEM;  /* stops the run, which returns it */
    return 0;
}

/* Has S[0..N) letters, all of them capitals? */
static int all_caps(const char *s, size_t n)
{
    int letters = 0;
    for (size_t i = 0; i < n;) {
        ucs4_t uc;
        int k = u8_mbtouc(&uc, (const uint8_t *)s + i, n - i);
        if (uc_is_alpha(uc)) {
            if (!uc_is_upper(uc))
                return 0;
            letters = 1;
        }
        i += k > 0 ? (size_t)k : 1;
    }
    return letters;
}

static void free_group(syn_group *g)
{
    for (size_t i = 0; i < g->n; i++)
        for (size_t k = 0; k < g->m[i].n; k++) {
            free(g->m[i].word[k]);
            free(g->m[i].stem[k]);
        }
    free(g->m);
}

void synonyms_free(synonyms *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free_group(&s->g[i]);
    free(s->g);
    free(s);
}

int synonyms_parse(rubric_analyzer *an, const char *text, size_t len, synonyms **out,
                   char **errmsg)
{
    *out = NULL;
    if (errmsg)
        *errmsg = NULL;
    synonyms *s = calloc(1, sizeof *s);
    if (!s)
        return RUBRIC_ENOMEM;
    size_t line = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        line++;
        const char *l = text + pos;
        size_t n = end - pos;
        pos = nl ? end + 1 : len;
        while (n && (*l == ' ' || *l == '\t')) {
            l++;
            n--;
        }
        if (n == 0 || *l == '#' || *l == '\r')
            continue;
        syn_group g = {0};
        size_t parts = 1;
        for (size_t i = 0; i < n; i++)
            parts += l[i] == '=';
        if (!(g.m = calloc(parts, sizeof *g.m)))
            goto oom;
        for (size_t i = 0, from = 0; i <= n; i++) {
            if (i < n && l[i] != '=')
                continue;
            member *m = &g.m[g.n];
            member_ctx c = {m};
            if (rubric_analyzer_run(an, l + from, i - from, add_word, &c) != RUBRIC_OK) {
                free_group(&g);
                goto oom;
            }
            m->caps = m->n == 1 && all_caps(l + from, i - from);
            if (m->n)
                g.n++;
            from = i + 1;
        }
        if (g.n < 2 || g.n > SYNONYM_GROUP_MAX) {
            size_t members = g.n;
            free_group(&g);
            if (errmsg)
                *errmsg = members < 2 ? xasprintf("line %zu: a group needs two members or more, "
                                              "joined by '='", line)
                                  : xasprintf("line %zu: a group has more than %d members: "
                                              "split it", line, SYNONYM_GROUP_MAX);
            synonyms_free(s);
            return RUBRIC_EINVAL;
        }
        if (GROW(s->g, s->n, s->cap) < 0) {
            free_group(&g);
            goto oom;
        }
        s->g[s->n++] = g;
    }
    *out = s;
    return RUBRIC_OK;
oom:
    synonyms_free(s);
    return RUBRIC_ENOMEM;
}

/* Does MEMBER match the N words WORDS, typed as RAW (RAWLEN bytes)? */
static int member_matches(const member *m, char *const *words, size_t n, const char *raw,
                          size_t rawlen)
{
    if (m->n != n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (strcmp(m->word[k], words[k]) != 0)
            return 0;
    return !m->caps || all_caps(raw, rawlen);
}

size_t synonyms_find(const synonyms *s, char *const *words, size_t n, const char *raw,
                     size_t rawlen)
{
    for (size_t i = 0; s && i < s->n; i++)
        for (size_t k = 0; k < s->g[i].n; k++)
            if (member_matches(&s->g[i].m[k], words, n, raw, rawlen))
                return i + 1;
    return 0;
}

size_t synonyms_longest(const synonyms *s)
{
    size_t longest = 0;
    for (size_t i = 0; s && i < s->n; i++)
        for (size_t k = 0; k < s->g[i].n; k++)
            if (s->g[i].m[k].n > longest)
                longest = s->g[i].m[k].n;
    return longest;
}

size_t synonyms_members(const synonyms *s, size_t group)
{
    return group && group <= s->n ? s->g[group - 1].n : 0;
}

char *const *synonyms_member(const synonyms *s, size_t group, size_t k, char *const **stems,
                             size_t *n, int *caps)
{
    const member *m = &s->g[group - 1].m[k];
    *n = m->n;
    *caps = m->caps;
    *stems = m->stem;
    return m->word;
}
