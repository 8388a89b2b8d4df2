/* query.c: query text into a tree, and the tree into a Xapian query.
 *
 * The language (README, "The query language"):
 *   words              all must match (a ranked OR answers when none holds all)
 *   "a phrase"         the words in order; "a phrase"~N allows N words between
 *                      them, in any order
 *   a OR b, a AND b, NOT a, -a, +a, ( ... )
 *   a NEAR b, a NEAR/N b   within N words of each other (default 10)
 *   pre*               words beginning with "pre" (at most WILDCARD_MAX)
 *   =word              the exact form, unstemmed
 *   title:w  path:p  lang:l  tag:t   a heading word; a path (or a folder of
 *                      it); a language or tag given by the source
 * Operators are upper case; "or" is a word. Input that is not valid syntax
 * (a stray bracket, an operator with nothing to apply to) is searched as
 * plain words, phrases and exclusions instead: only an empty query and a too
 * broad wildcard are errors.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store/shim.h"

/* Words of a plain query found within this many positions of each other add
 * to the score: close together beats far apart. */
#define PROXIMITY_WINDOW 8
#define PROXIMITY_WEIGHT 0.5
/* When no passage holds every word, the ranked OR that answers instead is
 * carried by the query's rarest RELAXED_WORDS_MAX words. */
#define RELAXED_WORDS_MAX 12
/* Default NEAR distance, in words. */
#define NEAR_DEFAULT 10
/* A filter on a path matches at most this many paths. */
#define PATH_FILTER_MAX 100000

/* ------------------------------------------------------------------ lexing */

enum { T_END, T_WORD, T_PHRASE, T_LPAREN, T_RPAREN, T_OR, T_AND, T_NOT, T_NEAR };

typedef struct token {
    int type;
    size_t start, end;  /* the word's or phrase's text (inside the quotes) */
    int neg, plus, exact, wild;
    int field;
    unsigned slop;      /* phrase~N */
    unsigned window;    /* NEAR/N */
} token;

typedef struct lexer {
    const char *s;
    size_t len, pos;
    int plain;  /* no operators, brackets or fields: everything is words */
} lexer;

static int ends_word(const lexer *l, size_t i)
{
    return i >= l->len || is_ascii_space(l->s[i]) || (!l->plain && (l->s[i] == '(' || l->s[i] == ')'));
}

static int is_op(const lexer *l, size_t start, size_t end, const char *op)
{
    size_t n = strlen(op);
    return end - start == n && memcmp(l->s + start, op, n) == 0;
}

static const struct {
    const char *name;
    int field;
} fields[] = {{"title", F_TITLE}, {"path", F_PATH}, {"lang", F_LANG}, {"tag", F_TAG}};

static token next_token(lexer *l)
{
    token t = {0};
    for (;;) {
        while (l->pos < l->len && is_ascii_space(l->s[l->pos]))
            l->pos++;
        if (l->pos >= l->len)
            return t;  /* T_END */
        char c = l->s[l->pos];
        if (!l->plain && (c == '(' || c == ')')) {
            t.type = c == '(' ? T_LPAREN : T_RPAREN;
            l->pos++;
            return t;
        }
        /* Prefixes: -word, +word, =word, field:word, and -( ... ). */
        while (l->pos + 1 < l->len && !is_ascii_space(l->s[l->pos + 1]) &&
               (l->s[l->pos] == '-' || l->s[l->pos] == '+' || l->s[l->pos] == '=')) {
            if (l->s[l->pos] == '-')
                t.neg = 1;
            else if (l->s[l->pos] == '+')
                t.plus = 1;
            else
                t.exact = 1;
            l->pos++;
        }
        if (!l->plain && l->s[l->pos] == '(') {
            t.type = T_LPAREN;
            l->pos++;
            return t;
        }
        if (!l->plain)
            for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
                size_t n = strlen(fields[f].name);
                if (l->pos + n + 1 < l->len && memcmp(l->s + l->pos, fields[f].name, n) == 0 &&
                    l->s[l->pos + n] == ':' && !is_ascii_space(l->s[l->pos + n + 1])) {
                    t.field = fields[f].field;
                    l->pos += n + 1;
                    break;
                }
            }
        if (l->s[l->pos] == '"') {
            const char *close = memchr(l->s + l->pos + 1, '"', l->len - l->pos - 1);
            if (!close) {
                l->pos++;  /* an unpaired quote reads as a space */
                continue;
            }
            t.type = T_PHRASE;
            t.start = l->pos + 1;
            t.end = (size_t)(close - l->s);
            l->pos = t.end + 1;
            if (l->pos + 1 < l->len && l->s[l->pos] == '~' && isdigit((unsigned char)l->s[l->pos + 1])) {
                unsigned long n = strtoul(l->s + l->pos + 1, NULL, 10);
                t.slop = n > 50 ? 50 : (unsigned)n;
                l->pos++;
                while (l->pos < l->len && isdigit((unsigned char)l->s[l->pos]))
                    l->pos++;
            }
            return t;
        }
        size_t start = l->pos;
        while (!ends_word(l, l->pos) && l->s[l->pos] != '"')
            l->pos++;
        t.type = T_WORD;
        t.start = start;
        t.end = l->pos;
        if (!l->plain && !t.neg && !t.plus && !t.exact && !t.field) {
            if (is_op(l, start, l->pos, "OR"))
                t.type = T_OR;
            else if (is_op(l, start, l->pos, "AND"))
                t.type = T_AND;
            else if (is_op(l, start, l->pos, "NOT"))
                t.type = T_NOT;
            else if (is_op(l, start, l->pos, "NEAR") ||
                     (l->pos - start > 5 && memcmp(l->s + start, "NEAR/", 5) == 0 &&
                      isdigit((unsigned char)l->s[start + 5]))) {
                t.type = T_NEAR;
                unsigned long n = l->pos - start > 5 ? strtoul(l->s + start + 5, NULL, 10)
                                                     : NEAR_DEFAULT;
                t.window = n > 100 ? 100 : (unsigned)n;
            }
        }
        if (t.type == T_WORD && t.end - t.start > 1 && l->s[t.end - 1] == '*') {
            t.wild = 1;
            t.end--;
        }
        return t;
    }
}

/* ----------------------------------------------------------------- parsing */

typedef struct parser {
    lexer lx;
    token tok;  /* the next token */
    rubric_analyzer *an;
    qtree *q;
    int error;  /* not valid syntax */
} parser;

static void advance(parser *p)
{
    p->tok = next_token(&p->lx);
}

static qnode *new_node(parser *p, int op)
{
    if (p->q->n == QUERY_MAX_NODES) {
        p->q->truncated = 1;
        return NULL;
    }
    qnode *n = &p->q->nodes[p->q->n++];
    memset(n, 0, sizeof *n);
    n->op = op;
    return n;
}

static int add_kid(parser *p, qnode *parent, qnode *kid)
{
    if (!kid)
        return 0;
    if (parent->nkids == QNODE_KIDS) {
        p->q->truncated = 1;
        return 0;
    }
    parent->kid[parent->nkids++] = kid;
    return 1;
}

typedef struct leaf_ctx {
    qnode *n;
    size_t offset;
} leaf_ctx;

static int collect_word(void *ctx, const rubric_token *t)
{
    leaf_ctx *c = ctx;
    qnode *n = c->n;
    if (n->nwords == QNODE_WORDS || t->sub)
        return 0;  /* a dotted name is searched whole */
    n->word[n->nwords] = xstrndup(t->word, t->word_len);
    n->stem[n->nwords] = xstrndup(t->stem, t->stem_len);
    n->wstart[n->nwords] = c->offset + t->start;
    n->wend[n->nwords] = c->offset + t->end;
    if (!n->word[n->nwords] || !n->stem[n->nwords]) {
        free(n->word[n->nwords]);
        free(n->stem[n->nwords]);
        return RUBRIC_ENOMEM;  /* stops the run, which returns it */
    }
    n->nwords++;
    return 0;
}

/* A leaf from token T: its words analysed like the documents'. NULL when it
 * holds no word (punctuation alone). */
static qnode *leaf(parser *p, const token *t)
{
    qnode *n = new_node(p, QN_LEAF);
    if (!n)
        return NULL;
    n->neg = t->neg;
    n->exact = t->exact;
    n->field = t->field;
    n->wild = t->wild;
    n->phrase = t->type == T_PHRASE;
    n->slop = t->slop;
    const char *s = p->lx.s + t->start;
    size_t len = t->end - t->start;
    if (n->field == F_PATH || n->field == F_LANG || n->field == F_TAG) {
        /* Filters match the value as written (tags and languages folded). */
        n->value = xstrndup(s, len);
        if (!n->value) {
            p->q->failed = 1;
            return NULL;
        }
        if (n->field != F_PATH)
            for (char *c = n->value; *c; c++)
                *c = (char)tolower((unsigned char)*c);
        return n;
    }
    leaf_ctx c = {n, t->start};
    if (rubric_analyzer_run(p->an, s, len, collect_word, &c) != RUBRIC_OK) {
        p->q->failed = 1;
        return NULL;
    }
    if (n->nwords == 0) {
        p->q->n--;  /* nothing to search for: drop it */
        return NULL;
    }
    /* Several words from one token ("Iran-Israel") are a phrase. */
    if (n->nwords > 1 && !n->wild)
        n->phrase = 1;
    return n;
}

static qnode *parse_or(parser *p);

/* An AND with nothing in it: "()" or nothing before an OR. */
static int empty(const qnode *n)
{
    return !n || (n->op == QN_AND && n->nkids == 0);
}

static qnode *parse_primary(parser *p)
{
    token t = p->tok;
    if (t.type == T_LPAREN) {
        advance(p);
        qnode *inner = parse_or(p);
        if (p->tok.type != T_RPAREN || empty(inner)) {
            p->error = 1;
            return NULL;
        }
        advance(p);
        if (inner && t.neg)
            inner->neg = !inner->neg;
        return inner;
    }
    if (t.type == T_WORD || t.type == T_PHRASE) {
        advance(p);
        qnode *n = leaf(p, &t);
        /* a NEAR b NEAR/3 c */
        while (n && p->tok.type == T_NEAR && !p->error) {
            unsigned window = p->tok.window;
            advance(p);
            if (p->tok.type != T_WORD && p->tok.type != T_PHRASE) {
                p->error = 1;
                return NULL;
            }
            token u = p->tok;
            advance(p);
            qnode *m = leaf(p, &u);
            if (!m)
                continue;
            if (n->op != QN_NEAR) {
                qnode *near = new_node(p, QN_NEAR);
                if (!near)
                    return n;
                near->window = window;
                n->in_near = 1;
                add_kid(p, near, n);
                n = near;
            }
            if (window > n->window)
                n->window = window;
            m->in_near = 1;
            add_kid(p, n, m);
        }
        return n;
    }
    p->error = 1;  /* an operator or bracket with nothing to apply to */
    return NULL;
}

static qnode *parse_unary(parser *p)
{
    if (p->tok.type == T_NOT) {
        advance(p);
        qnode *n = parse_primary(p);
        if (n)
            n->neg = !n->neg;
        return n;
    }
    return parse_primary(p);
}

static qnode *parse_and(parser *p)
{
    qnode *and = new_node(p, QN_AND);
    if (!and)
        return NULL;
    and->implicit = 1;
    for (;;) {
        int t = p->tok.type;
        if (t == T_END || t == T_RPAREN || t == T_OR || p->error)
            break;
        if (t == T_AND) {
            and->implicit = 0;
            advance(p);
            if (p->tok.type == T_END || p->tok.type == T_RPAREN || p->tok.type == T_OR) {
                p->error = 1;
                break;
            }
            continue;
        }
        add_kid(p, and, parse_unary(p));
    }
    if (and->nkids == 1 && !p->error)
        return and->kid[0];
    return and;
}

static qnode *parse_or(parser *p)
{
    qnode *first = parse_and(p);
    if (p->tok.type != T_OR)
        return first;
    qnode *or = new_node(p, QN_OR);
    if (!or)
        return first;
    if (empty(first))
        p->error = 1;  /* nothing before the OR */
    add_kid(p, or, first);
    while (p->tok.type == T_OR && !p->error) {
        advance(p);
        if (p->tok.type == T_END || p->tok.type == T_RPAREN || p->tok.type == T_OR) {
            p->error = 1;
            break;
        }
        qnode *next = parse_and(p);
        if (empty(next))
            p->error = 1;
        add_kid(p, or, next);
    }
    return or;
}

static void free_words(qtree *q)
{
    for (size_t i = 0; i < q->n; i++) {
        qnode *n = &q->nodes[i];
        for (size_t k = 0; k < n->nwords; k++) {
            free(n->word[k]);
            free(n->stem[k]);
        }
        free(n->value);
    }
    q->n = 0;
    q->root = NULL;
}

void qtree_free(qtree *q)
{
    if (q)
        free_words(q);
}

/* Does the tree hold anything positive to search for? */
static int positive(const qnode *n)
{
    if (!n || n->neg)
        return 0;
    if (n->op == QN_LEAF)
        return 1;
    for (size_t i = 0; i < n->nkids; i++)
        if (positive(n->kid[i]))
            return 1;
    return 0;
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Do leaves A and B look for the same thing in the same way? */
static int same_leaf(const qnode *a, const qnode *b)
{
    if (a->op != QN_LEAF || b->op != QN_LEAF || a->neg != b->neg || a->field != b->field ||
        a->exact != b->exact || a->wild != b->wild || a->phrase != b->phrase ||
        a->in_near != b->in_near || a->slop != b->slop || a->nwords != b->nwords ||
        !same_str(a->value, b->value))
        return 0;
    for (size_t k = 0; k < a->nwords; k++)
        if (strcmp(a->word[k], b->word[k]) != 0)
            return 0;
    return 1;
}

/* Drop the leaves of an AND or an OR that repeat an earlier one: "the the"
 * asks no more than "the", and each repeat would cost a posting list walk
 * (48 of a common word took a quarter of a second). A group left with one
 * member (and no exclusion of its own) is that member. Returns N or what
 * stands for it. */
static qnode *drop_repeats(qnode *n)
{
    if (!n || n->op == QN_LEAF)
        return n;
    size_t kept = 0;
    for (size_t i = 0; i < n->nkids; i++) {
        qnode *k = drop_repeats(n->kid[i]);
        int seen = 0;
        for (size_t j = 0; j < kept && !seen; j++)
            seen = same_leaf(n->kid[j], k);
        if (!seen)
            n->kid[kept++] = k;
    }
    n->nkids = kept;
    return n->nkids == 1 && !n->neg ? n->kid[0] : n;
}

int qtree_parse(rubric_analyzer *an, const char *s, size_t len, qtree *q)
{
    memset(q, 0, sizeof *q);
    q->text = s;
    for (int plain = 0; plain < 2; plain++) {
        parser p = {{s, len, 0, plain}, {0}, an, q, 0};
        advance(&p);
        q->root = parse_or(&p);
        if (p.tok.type != T_END)
            p.error = 1;
        if (q->failed) {
            free_words(q);
            return RUBRIC_ENOMEM;
        }
        if (!p.error) {
            if (empty(q->root))
                q->root = NULL;  /* no words at all */
            break;
        }
        /* Not valid syntax: read it again as plain words. */
        free_words(q);
        q->truncated = 0;
    }
    if (empty(q->root))
        q->root = NULL;
    q->root = drop_repeats(q->root);
    q->has_positive = positive(q->root);
    return RUBRIC_OK;
}

/* ---------------------------------------------------------------- building */

typedef struct builder {
    xs_db *db;
    const synonyms *syn;
    size_t synonym_budget; /* synonym members the query may still expand into */
    const char *text;  /* the query as typed */
    int wildcard_limit;
    int failed;
} builder;

static xs_query *prefixed(const char *prefix, const char *s)
{
    buf t = {0};
    if (buf_adds(&t, prefix) < 0 || buf_adds(&t, s) < 0)
        return NULL;
    xs_query *q = xs_query_term(t.data, t.len, 1, 0);
    buf_free(&t);
    return q;
}

static xs_query *combine(builder *b, int op, xs_query **subs, size_t n, unsigned window)
{
    for (size_t i = 0; i < n; i++)
        if (!subs[i]) {
            for (size_t k = 0; k < n; k++)
                xs_query_free(subs[k]);
            b->failed = 1;
            return NULL;
        }
    xs_query *q = xs_query_combine(op, subs, n, window);
    if (!q)
        b->failed = 1;
    return q;
}


const field query_fields[FIELD_COUNT] = {
    [FIELD_BODY] = {"body", PREFIX_STEM, 1.0, 0, 0},
    [FIELD_HEADING] = {"heading", PREFIX_HEAD, 2.0, 0, 1},
    [FIELD_TRAIL] = {"trail", PREFIX_TRAIL, 1.5, 0, 1},
    [FIELD_EXACT] = {"exact", "", 0.3, 1, 0},
};

/* WORD (its exact form) or STEM as a term of field F, at F's scale. */
static xs_query *field_query(const field *f, const char *word, const char *stem)
{
    xs_query *q = f->exact ? xs_query_term(word, strlen(word), 1, 0) : prefixed(f->prefix, stem);
    return f->scale == 1.0 ? q : xs_query_scale(q, f->scale);
}

/* One word in every field of the table. A word found in most passages (a
 * "for", an "a") is weighed in the fields that keep it only (the body and
 * its exact form): headings are short, so it would look rare there, and a
 * heading that shares only such words with the query says nothing. */
static xs_query *plain_word(builder *b, const char *word, const char *stem)
{
    int common = query_common_word(b->db, stem);
    xs_query *sub[FIELD_COUNT];
    size_t n = 0;
    for (size_t f = 0; f < FIELD_COUNT; f++)
        if (!(common && query_fields[f].skip_common))
            sub[n++] = field_query(&query_fields[f], word, stem);
    return combine(b, XS_OP_OR, sub, n, 0);
}

/* Word K of leaf N: an exact form alone counts in full; title: looks in
 * headings only. */
static xs_query *word_query(builder *b, const qnode *n, size_t k)
{
    if (n->exact)
        return xs_query_term(n->word[k], strlen(n->word[k]), 1, 0);
    if (n->field == F_TITLE)
        return field_query(&query_fields[FIELD_HEADING], n->word[k], n->stem[k]);
    return plain_word(b, n->word[k], n->stem[k]);
}

/* Any member of synonym GROUP: a word as a word, several as a phrase, an
 * acronym as a word written in capitals (the index marks them: "US" is not
 * the pronoun "us"). */
static xs_query *synonym_query(builder *b, size_t group, xs_query *typed)
{
    size_t nm = synonyms_members(b->syn, group);
    xs_query *alt[QNODE_KIDS + 1];
    size_t na = 0;
    if (typed)
        alt[na++] = typed;  /* what was typed, searched as it would be alone */
    for (size_t k = 0; k < nm && na < QNODE_KIDS; k++) {
        char *const *stems;
        size_t nw;
        int caps;
        char *const *words = synonyms_member(b->syn, group, k, &stems, &nw, &caps);
        if (caps) {
            alt[na++] = prefixed(PREFIX_CAPS, words[0]);
            continue;
        }
        if (nw == 1) {
            alt[na++] = plain_word(b, words[0], stems[0]);
            continue;
        }
        xs_query *t[QNODE_WORDS];
        for (size_t w = 0; w < nw; w++)
            t[w] = xs_query_term(words[w], strlen(words[w]), 1, 0);
        alt[na++] = combine(b, XS_OP_PHRASE, t, nw, (unsigned)nw);
    }
    if (na == 0)
        return xs_query_match_nothing();
    return combine(b, XS_OP_OR, alt, na, 0);
}

/* GROUP when the query may still expand into its members (which are then
 * spent), else 0: past SYNONYM_EXPANSIONS_MAX, words are searched as typed. */
static size_t spend_synonyms(builder *b, size_t group)
{
    size_t nm = group ? synonyms_members(b->syn, group) : 0;
    if (!group || nm > b->synonym_budget)
        return 0;
    b->synonym_budget -= nm;
    return group;
}

/* The synonym group of leaf N's words, or 0. */
static size_t leaf_synonyms(builder *b, const qnode *n)
{
    if (!b->syn || n->exact || n->wild || n->field || n->slop || !n->nwords)
        return 0;
    return spend_synonyms(b, synonyms_find(b->syn, n->word, n->nwords, b->text + n->wstart[0],
                                           n->wend[n->nwords - 1] - n->wstart[0]));
}

static xs_query *leaf_query(builder *b, const qnode *n)
{
    size_t group = leaf_synonyms(b, n);
    if (group) {
        xs_query *typed = n->phrase ? NULL : word_query(b, n, 0);
        if (!n->phrase && !typed) {
            b->failed = 1;
            return NULL;
        }
        return synonym_query(b, group, typed);
    }
    if (n->field == F_PATH) {
        /* The path as given to the indexer, or under its root: the file
         * itself, or a folder and everything in it ("fruit" is not
         * "fruitcake"). */
        static const char *const prefixes[2] = {PREFIX_FILE, PREFIX_REL};
        size_t len = strlen(n->value);
        int folder = len && n->value[len - 1] == '/';
        xs_query *sub[4] = {NULL, NULL, NULL, NULL};
        size_t k = 0;
        for (int i = 0; i < 2; i++) {
            buf t = {0};
            if (buf_adds(&t, prefixes[i]) == 0 && buf_adds(&t, n->value) == 0) {
                if (!folder)
                    sub[k++] = xs_query_term(t.data, t.len, 1, 0);
                if (folder || buf_addc(&t, '/') == 0)
                    sub[k++] = xs_query_wildcard(t.data, t.len, PATH_FILTER_MAX, 0);
            }
            buf_free(&t);
        }
        return combine(b, XS_OP_OR, sub, folder ? 2 : 4, 0);
    }
    if (n->field == F_LANG || n->field == F_TAG)
        return prefixed(n->field == F_LANG ? PREFIX_LANG : PREFIX_TAG, n->value);
    if (n->wild) {
        /* The words of the index beginning with the folded prefix. */
        const char *w = n->word[n->nwords - 1];
        return xs_query_wildcard(w, strlen(w), WILDCARD_MAX, b->wildcard_limit);
    }
    if (n->phrase && n->field == F_TITLE) {
        xs_query *sub[QNODE_WORDS];
        for (size_t k = 0; k < n->nwords; k++)
            sub[k] = word_query(b, n, k);
        return combine(b, XS_OP_AND, sub, n->nwords, 0);
    }
    if (n->phrase) {
        xs_query *sub[QNODE_WORDS];
        for (size_t k = 0; k < n->nwords; k++)
            sub[k] = xs_query_term(n->word[k], strlen(n->word[k]), 1, 0);
        /* "a b"~N: within N extra words, in any order. */
        return combine(b, n->slop ? XS_OP_NEAR : XS_OP_PHRASE, sub, n->nwords,
                       (unsigned)n->nwords + n->slop);
    }
    return word_query(b, n, 0);
}

int query_common_word(xs_db *db, const char *stem)
{
    /* On the stack: the answer never depends on memory left. A stem longer
     * than a word may be is no common word. */
    char term[8 + 4 * RUBRIC_WORD_MAX];
    size_t n = strlen(stem);
    if (n + sizeof PREFIX_STEM > sizeof term)
        return 0;
    memcpy(term, PREFIX_STEM, sizeof PREFIX_STEM - 1);
    memcpy(term + sizeof PREFIX_STEM - 1, stem, n + 1);
    size_t total = xs_db_doccount(db), df = xs_db_termfreq(db, term, strlen(term));
    return total > 0 && (double)df > COMMON_WORD_SHARE * (double)total;
}

/* Is leaf N a single word so common that requiring it says little? */
static int common(builder *b, const qnode *n)
{
    if (n->op != QN_LEAF || n->nwords != 1 || n->phrase || n->wild || n->exact || n->neg ||
        n->field)
        return 0;
    return query_common_word(b->db, n->stem[0]);
}

/* How many passages hold leaf N's word (its stem in bodies): 0 for anything
 * but a plain word, so that phrases and the like always stay. */
static size_t word_df(builder *b, const qnode *n)
{
    if (!n || n->op != QN_LEAF || n->nwords != 1 || n->phrase || n->wild || n->exact || n->field)
        return 0;
    char term[8 + 4 * RUBRIC_WORD_MAX];
    size_t len = strlen(n->stem[0]);
    if (len + sizeof PREFIX_STEM > sizeof term)
        return 0;
    memcpy(term, PREFIX_STEM, sizeof PREFIX_STEM - 1);
    memcpy(term + sizeof PREFIX_STEM - 1, n->stem[0], len + 1);
    return xs_db_termfreq(b->db, term, strlen(term));
}

/* In a ranked OR, only the RELAXED_WORDS_MAX rarest of the words REQ[0..*N)
 * of node N (those in KIDS[0..*N) order) carry the query: the others are the
 * common words that make an OR of many slow and decide nothing. */
static void keep_rarest(builder *b, const qnode *const *kids, xs_query **req, size_t *n)
{
    if (*n <= RELAXED_WORDS_MAX)
        return;
    size_t df[QNODE_KIDS];
    for (size_t i = 0; i < *n; i++)
        df[i] = word_df(b, kids[i]);
    for (size_t dropped = 0; *n - dropped > RELAXED_WORDS_MAX; dropped++) {
        size_t worst = 0;
        for (size_t i = 1; i < *n; i++)
            if (req[i] && (!req[worst] || df[i] > df[worst]))
                worst = i;
        xs_query_free(req[worst]);
        req[worst] = NULL;
    }
    size_t out = 0;
    for (size_t i = 0; i < *n; i++)
        if (req[i])
            req[out++] = req[i];
    *n = out;
}

static int is_filter(const qnode *n)
{
    return n->op == QN_LEAF && (n->field == F_PATH || n->field == F_LANG || n->field == F_TAG);
}

static xs_query *node_query(builder *b, const qnode *n, int or_fallback);

/* Words near each other in a plain query: a boost, never a requirement. */
static xs_query *proximity(builder *b, const qnode *n)
{
    xs_query *sub[QNODE_KIDS];
    size_t k = 0;
    for (size_t i = 0; i < n->nkids; i++) {
        const qnode *c = n->kid[i];
        if (c->op == QN_LEAF && !c->neg && !c->phrase && !c->wild && !c->field && c->nwords == 1)
            sub[k++] = xs_query_term(c->word[0], strlen(c->word[0]), 1, 0);
    }
    if (k < 2) {
        for (size_t i = 0; i < k; i++)
            xs_query_free(sub[i]);
        return NULL;
    }
    return xs_query_scale(combine(b, XS_OP_NEAR, sub, k, PROXIMITY_WINDOW), PROXIMITY_WEIGHT);
}

static xs_query *and_query(builder *b, const qnode *n, int or_fallback)
{
    xs_query *req[QNODE_KIDS], *opt[QNODE_KIDS], *neg[QNODE_KIDS], *filt[QNODE_KIDS];
    const qnode *reqkid[QNODE_KIDS];
    size_t nreq = 0, nopt = 0, nneg = 0, nfilt = 0;
    int rare = 0;
    for (size_t i = 0; i < n->nkids; i++)
        rare |= !n->kid[i]->neg && !is_filter(n->kid[i]) && !common(b, n->kid[i]);
    for (size_t i = 0; i < n->nkids; i++) {
        const qnode *c = n->kid[i];
        /* Words side by side that spell a synonym ("United Nations") stand
         * for their group, as one word would. */
        size_t run = 0, group = 0;
        if (b->syn && n->implicit)
            for (size_t len = synonyms_longest(b->syn); len >= 2 && !group; len--) {
                if (i + len > n->nkids)
                    continue;
                char *words[QNODE_WORDS];
                int plain = len <= QNODE_WORDS;
                for (size_t k = 0; plain && k < len; k++) {
                    const qnode *w = n->kid[i + k];
                    plain = w->op == QN_LEAF && !w->neg && !w->phrase && !w->wild && !w->exact &&
                            !w->field && w->nwords == 1;
                    if (plain)
                        words[k] = w->word[0];
                }
                if (plain) {
                    const qnode *last = n->kid[i + len - 1];
                    group = spend_synonyms(b, synonyms_find(b->syn, words, len,
                                                            b->text + c->wstart[0],
                                                            last->wend[0] - c->wstart[0]));
                    run = len;
                }
            }
        if (group) {
            reqkid[nreq] = NULL;
            req[nreq++] = synonym_query(b, group, NULL);
            i += run - 1;
            continue;
        }
        xs_query *x = node_query(b, c, 0);
        if (c->neg)
            neg[nneg++] = x;
        else if (is_filter(c))
            filt[nfilt++] = x;
        else if (rare && n->implicit && !or_fallback && common(b, c))
            opt[nopt++] = x;
        else {
            reqkid[nreq] = c;
            req[nreq++] = x;
        }
    }
    if (or_fallback && !b->failed)
        keep_rarest(b, reqkid, req, &nreq);
    xs_query *top = NULL;
    if (nreq)
        top = combine(b, or_fallback ? XS_OP_OR : XS_OP_AND, req, nreq, 0);
    else
        top = xs_query_match_all();
    /* Each list is handed to combine() (which frees it if it fails) or,
     * when a step before failed, freed below. */
    if (nopt && top) {
        xs_query *pair[2] = {top, combine(b, XS_OP_OR, opt, nopt, 0)};
        top = combine(b, XS_OP_AND_MAYBE, pair, 2, 0);
        nopt = 0;
    }
    if (top && n->implicit) {
        xs_query *near = proximity(b, n);
        if (near) {
            xs_query *pair[2] = {top, near};
            top = combine(b, XS_OP_AND_MAYBE, pair, 2, 0);
        }
    }
    if (nfilt && top) {
        xs_query *pair[2] = {top, combine(b, XS_OP_AND, filt, nfilt, 0)};
        top = combine(b, XS_OP_FILTER, pair, 2, 0);
        nfilt = 0;
    }
    if (nneg && top) {
        xs_query *pair[2] = {top, combine(b, XS_OP_OR, neg, nneg, 0)};
        top = combine(b, XS_OP_AND_NOT, pair, 2, 0);
        nneg = 0;
    }
    if (!top) {
        b->failed = 1;
        for (size_t i = 0; i < nopt; i++)
            xs_query_free(opt[i]);
        for (size_t i = 0; i < nfilt; i++)
            xs_query_free(filt[i]);
        for (size_t i = 0; i < nneg; i++)
            xs_query_free(neg[i]);
    }
    return top;
}

static xs_query *node_query(builder *b, const qnode *n, int or_fallback)
{
    if (n->op == QN_LEAF)
        return leaf_query(b, n);
    if (n->op == QN_AND)
        return and_query(b, n, or_fallback);
    xs_query *sub[QNODE_KIDS];
    size_t k = 0;
    for (size_t i = 0; i < n->nkids; i++)
        if (!n->kid[i]->neg)  /* an exclusion means nothing inside OR or NEAR */
            sub[k++] = node_query(b, n->kid[i], 0);
    if (k == 0)
        return xs_query_match_all();
    if (n->op == QN_OR)
        return combine(b, XS_OP_OR, sub, k, 0);
    /* NEAR: every leaf's exact words, within the window. */
    xs_query *terms[QNODE_KIDS * QNODE_WORDS];
    size_t nt = 0;
    for (size_t i = 0; i < k; i++)
        xs_query_free(sub[i]);
    for (size_t i = 0; i < n->nkids; i++)
        for (size_t w = 0; w < n->kid[i]->nwords && nt < QNODE_KIDS * QNODE_WORDS; w++)
            terms[nt++] = xs_query_term(n->kid[i]->word[w], strlen(n->kid[i]->word[w]), 1, 0);
    if (nt == 0)
        return xs_query_match_all();
    return combine(b, XS_OP_NEAR, terms, nt, (unsigned)nt + n->window);
}

xs_query *qtree_build(xs_db *db, const qtree *q, int or_fallback, int boilerplate,
                      const synonyms *syn)
{
    builder b = {db, syn, SYNONYM_EXPANSIONS_MAX, q->text, 1, 0};
    xs_query *top = q->root ? node_query(&b, q->root, or_fallback) : xs_query_match_all();
    if (top && q->root && q->root->neg) {
        /* NOT a, alone: everything but a. */
        xs_query *pair[2] = {xs_query_match_all(), top};
        top = combine(&b, XS_OP_AND_NOT, pair, 2, 0);
    }
    if (top && !boilerplate) {
        xs_query *pair[2] = {top, xs_query_term(TERM_BOILERPLATE, strlen(TERM_BOILERPLATE), 1, 0)};
        top = combine(&b, XS_OP_AND_NOT, pair, 2, 0);
    }
    if (b.failed) {
        xs_query_free(top);
        return NULL;
    }
    return top;
}

int qtree_can_relax(const qtree *q)
{
    const qnode *r = q->root;
    if (!r || r->op != QN_AND || !r->implicit)
        return 0;
    size_t pos = 0;
    for (size_t i = 0; i < r->nkids; i++)
        pos += !r->kid[i]->neg && !is_filter(r->kid[i]);
    return pos >= 2;
}

/* Call FN for every word the query looks for (not excluded ones). */
static void each_word(const qnode *n, int neg, void (*fn)(void *, const qnode *, size_t),
                      void *ctx)
{
    if (!n)
        return;
    neg ^= n->neg;
    if (neg)
        return;
    if (n->op == QN_LEAF) {
        if (!is_filter(n))
            for (size_t k = 0; k < n->nwords; k++)
                fn(ctx, n, k);
        return;
    }
    for (size_t i = 0; i < n->nkids; i++)
        each_word(n->kid[i], neg, fn, ctx);
}

void qtree_words(const qtree *q, void (*fn)(void *ctx, const qnode *leaf, size_t k), void *ctx)
{
    each_word(q->root, 0, fn, ctx);
}

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

void qwords_collect(const qtree *q, qwords *out)
{
    out->n = 0;
    qtree_words(q, add_qword, out);
}

/* ------------------------------------------------------------ describing */

static int describe_node(const qnode *n, buf *out)
{
    static const char *const field_names[] = {"", "title:", "path:", "lang:", "tag:"};
    int rc = 0;
    if (n->neg)
        rc |= buf_addc(out, '-');
    if (n->op == QN_LEAF) {
        rc |= buf_adds(out, field_names[n->field]);
        if (n->exact)
            rc |= buf_addc(out, '=');
        if (n->value)
            return rc | buf_adds(out, n->value);
        if (n->phrase)
            rc |= buf_addc(out, '"');
        for (size_t k = 0; k < n->nwords; k++)
            rc |= buf_printf(out, "%s%s", k ? " " : "", n->word[k]);
        if (n->phrase)
            rc |= buf_addc(out, '"');
        if (n->slop)
            rc |= buf_printf(out, "~%u", n->slop);
        if (n->wild)
            rc |= buf_addc(out, '*');
        return rc;
    }
    static const char *const ops[] = {"", "AND", "OR", "NEAR"};
    rc |= buf_adds(out, n->op == QN_AND && n->implicit ? "WORDS" : ops[n->op]);
    if (n->op == QN_NEAR)
        rc |= buf_printf(out, "/%u", n->window);
    rc |= buf_addc(out, '(');
    for (size_t i = 0; i < n->nkids; i++) {
        if (i)
            rc |= buf_addc(out, ' ');
        rc |= describe_node(n->kid[i], out);
    }
    return rc | buf_addc(out, ')');
}

char *qtree_describe(const qtree *q)
{
    buf out = {0};
    if ((q->root ? describe_node(q->root, &out) : buf_adds(&out, "(empty)")) != 0) {
        buf_free(&out);
        return NULL;
    }
    return buf_detach(&out);
}
