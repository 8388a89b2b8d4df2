/* query.c: query text into a tree: lexing, lenient parsing, and what the
 * rest of the library asks of a tree (its words, its description).
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

/* Default NEAR distance, in words. */
#define NEAR_DEFAULT 10

/* ------------------------------------------------------------------ lexing */

enum { T_END, T_WORD, T_PHRASE, T_LPAREN, T_RPAREN, T_OR, T_AND, T_NOT, T_NEAR };

typedef struct token {
    int type;
    size_t start, end;  /* the word's or phrase's text (inside the quotes) */
    int neg, plus, exact, wild;
    size_t dashes;      /* a command-line option's leading dashes */
    int field;
    unsigned slop;      /* phrase~N */
    unsigned window;    /* NEAR/N */
} token;

typedef struct lexer {
    const char *s;
    size_t len, pos;
    int plain;  /* no operators, brackets or fields: everything is words */
    int dashes; /* a leading '-' is part of the word, never an exclusion */
} lexer;

/* The bytes of the space at S[I] (of N): an ASCII one, or a no-break space
 * (U+00A0, U+202F: a query copied from a page, whose index indents its
 * entries so); 0 for anything else. */
static size_t space_at(const char *s, size_t i, size_t n)
{
    const unsigned char *u = (const unsigned char *)s + i;
    if (i >= n)
        return 0;
    if (is_ascii_space(s[i]))
        return 1;
    if (u[0] == 0xC2 && i + 1 < n && u[1] == 0xA0)
        return 2;
    if (u[0] == 0xE2 && i + 2 < n && u[1] == 0x80 && u[2] == 0xAF)
        return 3;
    return 0;
}

static int ends_word(const lexer *l, size_t i)
{
    return i >= l->len || space_at(l->s, i, l->len) ||
           (!l->plain && (l->s[i] == '(' || l->s[i] == ')'));
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

/* Does a command-line option begin at L's position: "--" and a letter or
 * digit, or "-" and one letter or digit alone ("-x")? Then it is searched
 * for, never taken for an exclusion. */
static int option_at(const lexer *l)
{
    const char *s = l->s + l->pos;
    size_t n = l->len - l->pos;
    if (n >= 3 && s[0] == '-' && s[1] == '-')
        return isalnum((unsigned char)s[2]);
    return n >= 2 && s[0] == '-' && isalnum((unsigned char)s[1]) &&
           (n == 2 || space_at(s, 2, n));
}

static token next_token(lexer *l)
{
    token t = {0};
    for (;;) {
        for (size_t sp; (sp = space_at(l->s, l->pos, l->len)) > 0;)
            l->pos += sp;
        if (l->pos >= l->len)
            return t;  /* T_END */
        char c = l->s[l->pos];
        if (!l->plain && (c == '(' || c == ')')) {
            t.type = c == '(' ? T_LPAREN : T_RPAREN;
            l->pos++;
            return t;
        }
        /* Prefixes: -word, +word, =word, field:word, and -( ... ). A
         * command-line option is a word: --name, and -x (one character). */
        if (option_at(l) || (l->dashes && l->s[l->pos] == '-')) {
            while (l->s[l->pos] == '-') {
                l->pos++;
                t.dashes++;
            }
        }
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
    int whole;  /* the last part is the last word, whose own parts may follow */
    int subs;   /* parts of words seen */
} leaf_ctx;

/* Add the part WORD (its stem STEM) to leaf N, which keeps its last
 * QNODE_PARTS: a.b.c.d.e.f.g.h.i's most specific. 0, or -1 when out of
 * memory (N unchanged). */
static int add_part(qnode *n, const char *word, size_t wlen, const char *stem, size_t slen)
{
    char *w = xstrndup(word, wlen), *s = xstrndup(stem, slen);
    if (!w || !s) {
        free(w);
        free(s);
        return -1;
    }
    if (n->nparts == QNODE_PARTS) {
        free(n->part[0]);
        free(n->part_stem[0]);
        memmove(n->part, n->part + 1, (QNODE_PARTS - 1) * sizeof *n->part);
        memmove(n->part_stem, n->part_stem + 1, (QNODE_PARTS - 1) * sizeof *n->part_stem);
        n->nparts--;
    }
    n->part[n->nparts] = w;
    n->part_stem[n->nparts] = s;
    n->nparts++;
    return 0;
}

static void free_parts(qnode *n)
{
    for (size_t k = 0; k < n->nparts; k++) {
        free(n->part[k]);
        free(n->part_stem[k]);
    }
    n->nparts = 0;
}

static int collect_word(void *ctx, const rubric_token *t)
{
    leaf_ctx *c = ctx;
    qnode *n = c->n;
    /* The parts of a leaf, kept for the ranked OR (query_build.c): its
     * words, each a dotted name given as its own parts instead. */
    if (t->sub) {
        if (!c->n->nwords || n->nwords > QNODE_WORDS || (!c->whole && !c->subs))
            return 0;
        if (c->whole) {  /* the word's parts stand for it */
            n->nparts--;
            free(n->part[n->nparts]);
            free(n->part_stem[n->nparts]);
            c->whole = 0;
        }
        c->subs++;
        return add_part(n, t->word, t->word_len, t->stem, t->stem_len) < 0 ? RUBRIC_ENOMEM : 0;
    }
    c->whole = 0;
    if (n->nwords == QNODE_WORDS)
        return 0;
    if (add_part(n, t->word, t->word_len, t->stem, t->stem_len) < 0)
        return RUBRIC_ENOMEM;
    c->whole = 1;
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
    size_t opt = t->dashes && !n->phrase && !n->wild && !n->field && !n->exact
                     ? layout_option_len(s, len, t->dashes)
                     : 0;
    if (opt && !(n->option = xstrndup(s - t->dashes, t->dashes + opt))) {
        p->q->failed = 1;
        return NULL;
    }
    leaf_ctx c = {n, t->start, 0, 0};
    if (rubric_analyzer_run(p->an, s, len, collect_word, &c) != RUBRIC_OK) {
        p->q->failed = 1;
        return NULL;
    }
    if (n->nwords == 0) {
        free(n->option);
        n->option = NULL;
        p->q->n--;  /* nothing to search for: drop it */
        return NULL;
    }
    /* Several words from one token ("Iran-Israel") are a phrase, and its
     * words are its parts, as a dotted name's are (the parts of a dotted
     * one among them: GtkStack:interpolate-size is GtkStack, interpolate,
     * size); a quoted phrase is searched as written, with no parts, and a
     * plain word has none. */
    int one_token = n->nwords > 1 && !n->wild && !n->phrase;
    if (n->phrase || (!one_token && !c.subs))
        free_parts(n);
    if (one_token)
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
        qnode *kid = parse_unary(p);
        /* Words side by side in brackets, among words side by side, are
         * words side by side: "tzname (datetime.timezone method)", as an
         * index prints it, is three words, not a word and a group that
         * must match whole. */
        if (kid && kid->op == QN_AND && kid->implicit && !kid->neg)
            for (size_t k = 0; k < kid->nkids; k++)
                add_kid(p, and, kid->kid[k]);
        else
            add_kid(p, and, kid);
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
        free_parts(n);
        free(n->value);
        free(n->option);
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

typedef struct content_ctx {
    const char *lang;
    int found;
} content_ctx;

static void note_content(void *ctx, const qnode *leaf, size_t k)
{
    content_ctx *c = ctx;
    if (!qnode_is_filter(leaf) && !function_word(c->lang, leaf->word[k]))
        c->found = 1;
}

/* A word alone that is a function word of LANG says little when the query
 * looks for other words too (a "how" beside "history"): mark it so
 * (qnode.function). A query of function words alone ("to be or not to be")
 * keeps them all. A part that is a function word is marked whatever the
 * query (qnode.part_function). */
static void mark_function_words(qtree *q, const char *lang)
{
    content_ctx c = {lang, 0};
    qtree_words(q, note_content, &c);
    for (size_t i = 0; i < q->n; i++) {
        qnode *n = &q->nodes[i];
        /* Only a word typed plainly: "how", not "=how", how* or title:how. */
        n->function = c.found && n->op == QN_LEAF && n->nwords == 1 && !n->phrase && !n->wild &&
                      !n->exact && !n->field && function_word(lang, n->word[0]);
        for (size_t k = 0; k < n->nparts; k++)
            n->part_function[k] = (unsigned char)function_word(lang, n->part[k]);
    }
}

/* Can leaf N's words be those of a heading that the query names? A word
 * typed plainly: a heading holding its stem matches it (not so a phrase,
 * whose order counts, or an exact form). */
static int key_leaf(const qnode *n)
{
    return n->op == QN_LEAF && !n->wild && !n->field && !n->prefix && !n->phrase && !n->exact &&
           !n->slop;
}

/* Q's heading key (qtree.key): the words of a query of words and phrases
 * side by side (exclusions and filters aside), without its function words,
 * as layout.c keys a heading of those words. */
static void key_of(qtree *q, const char *lang)
{
    const qnode *r = q->root;
    int side = r && r->op == QN_AND && r->implicit;
    for (size_t i = 0; r && i < (side ? r->nkids : 1); i++) {
        const qnode *n = side ? r->kid[i] : r;
        if (n->neg || qnode_is_filter(n))
            continue;
        if (!key_leaf(n)) {
            memset(&q->key, 0, sizeof q->key);
            return;
        }
        for (size_t k = 0; k < n->nwords; k++)
            if (!function_word(lang, n->word[k]))
                layout_key_add(&q->key, n->stem[k], strlen(n->stem[k]));
    }
}

/* Parse S into Q's root, as the query language says, else (not valid
 * syntax) as plain words; with DASHES, a '-' before a word is no exclusion. */
static int parse_words(rubric_analyzer *an, const char *s, size_t len, qtree *q, int dashes)
{
    for (int plain = 0; plain < 2; plain++) {
        parser p = {{s, len, 0, plain, dashes}, {0}, an, q, 0};
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
    return RUBRIC_OK;
}

static int parse(rubric_analyzer *an, const char *s, size_t len, qtree *q, int dashes)
{
    memset(q, 0, sizeof *q);
    q->text = s;
    if (parse_words(an, s, len, q, dashes) != RUBRIC_OK)
        return RUBRIC_ENOMEM;
    q->has_positive = positive(q->root);
    mark_function_words(q, rubric_analyzer_lang(an));
    key_of(q, rubric_analyzer_lang(an));
    return RUBRIC_OK;
}

int qtree_parse(rubric_analyzer *an, const char *s, size_t len, qtree *q)
{
    return parse(an, s, len, q, 0);
}

int qtree_parse_options(rubric_analyzer *an, const char *s, size_t len, qtree *q)
{
    return parse(an, s, len, q, 1);
}

void qtree_mark_prefix(qtree *q, size_t len)
{
    /* A space, or a closing quote or bracket, after it: the word is whole. */
    if (!q->root || !len || isspace((unsigned char)q->text[len - 1]))
        return;
    qnode *last = NULL;
    for (size_t i = 0; i < q->n; i++) {
        qnode *n = &q->nodes[i];
        if (n->op == QN_LEAF && n->nwords && (!last || n->wend[0] > last->wend[0]))
            last = n;
    }
    if (last && last->wend[last->nwords - 1] == len && last->nwords == 1 && !last->neg &&
        !last->field && !last->exact && !last->wild && !last->phrase && !last->in_near)
        last->prefix = 1;
}

int qnode_is_filter(const qnode *n)
{
    if (n->op == QN_OR && n->nkids) {
        /* (path:a OR path:b): any of them, still a selection */
        for (size_t i = 0; i < n->nkids; i++)
            if (n->kid[i]->neg || !qnode_is_filter(n->kid[i]))
                return 0;
        return 1;
    }
    return n->op == QN_LEAF && (n->field == F_PATH || n->field == F_LANG || n->field == F_TAG);
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
        if (!qnode_is_filter(n))
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
            (qword){leaf->word[k], leaf->stem[k], leaf->wstart[k], leaf->wend[k], mode,
                    leaf->function, leaf->prefix};
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
