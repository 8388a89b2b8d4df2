/* query_build.c: a parsed query (qtree) into a Xapian query: each word in
 * the fields of query_fields, phrases, NEAR, filters and exclusions, synonym
 * groups, and the ranked OR that answers words side by side, carried by the
 * rarer ones.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store/shim.h"

/* The ranked OR that answers words side by side is carried by the query's
 * rarest RELAXED_WORDS_MAX words. */
#define RELAXED_WORDS_MAX 12
/* In the ranked OR, a passage holding a word gains COORDINATION_WEIGHT times
 * the word's IDF once, whatever field holds it and how often: the weight of
 * its presence term (layout.c), scaled to that. The passages holding the
 * rarer part of the query come first, and BM25 orders passages holding the
 * same words. Without it a common word found in a heading, a trail and a
 * body outweighed a rare word found once. 2.5 rather than 2: a passage
 * holding both of two words then outranks one holding the rarer in its
 * heading only (2 measured a little better on bash's and gtk3's judged
 * queries, and broke that). A term, not a posting source of constant
 * weight: Xapian prunes by a term's weight bound, where beside the source
 * it read a common word's whole posting list (Iterator::collect on the
 * Rust documentation went from 31 ms to 11 ms). An index written before
 * the presence terms (no rubric:presence) has the share matched from the
 * word's field terms, at 2.5 times log(passages / passages holding it in
 * bodies). */
#define COORDINATION_WEIGHT 2.5
/* A passage whose heading says just the query's words (its key, layout.c,
 * is the query's) gains HEADING_KEY_WEIGHT times the key's IDF: "matrices"
 * then finds the section headed "4.1 Matrices" above the longer sections
 * headed "Creating Sparse Matrices" whose lengths BM25 favours. */
#define HEADING_KEY_WEIGHT 1.0
/* A word typed as a command-line option weighs this much more where it is
 * written as one, and DEFINED_OPTION_SCALE more again where a definition
 * list defines it (a D term: git's OPTIONS, where "--ff-only" is a term,
 * over the example that types it). */
#define OPTION_SCALE 2.0
#define DEFINED_OPTION_SCALE 1.0
/* The parts of a dotted name (os.path.join: os, path, join) weigh this much
 * of a word in the ranked OR (add_parts). */
#define PART_SCALE 0.5
/* A filter on a path matches at most this many paths. */
#define PATH_FILTER_MAX 100000

typedef struct builder {
    xs_db *db;
    const synonyms *syn;
    size_t synonym_budget; /* synonym members the query may still expand into */
    const char *text;  /* the query as typed */
    int presence;      /* the passages have presence terms (PREFIX_PRESENT) */
    double k1;         /* BM25's, which weighs the presence terms */
    int wildcard_limit;
    const qnode *keyed; /* the node the heading key weighs within */
    const layout_key *key;
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

/* The fields a word is searched in, at their scales. The terms a passage's
 * definition lists define (an option's "--onto <newbase>" in git's OPTIONS)
 * weigh half: the field is small, so its words look rare in it (at 1, a
 * manual page's list of key bindings outranked the bindings' own entries:
 * bash-docs-index 0.90 to 0.86; 0.3 and 0.7 measured below 0.5). */
const field query_fields[FIELD_COUNT] = {
    [FIELD_BODY] = {"body", PREFIX_STEM, 1.0, 0, 0},
    [FIELD_HEADING] = {"heading", PREFIX_HEAD, 2.0, 0, 1},
    [FIELD_TRAIL] = {"trail", PREFIX_TRAIL, 1.5, 0, 1},
    [FIELD_EXACT] = {"exact", "", 0.3, 1, 0},
    [FIELD_ANCHOR] = {"anchor", PREFIX_ANCHOR, 1.0, 0, 1},
    [FIELD_TERM] = {"term", PREFIX_TERM, 0.5, 0, 1},
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
 * heading that shares only such words with the query says nothing. So is a
 * FUNCTION word (qnode.function), however few passages hold it. */
static xs_query *plain_word(builder *b, const char *word, const char *stem, int function)
{
    int common = function || query_common_word(b->db, stem);
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
    return plain_word(b, n->word[k], n->stem[k], n->function);
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
            alt[na++] = plain_word(b, words[0], stems[0], 0);
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

static xs_query *leaf_words(builder *b, const qnode *n);

/* Leaf N; a word typed as an option also matches where it is written so
 * (its O term, layout.c), at OPTION_SCALE: "-W" is that option, not any
 * "w"; and where it is defined (its D term), at DEFINED_OPTION_SCALE. */
static xs_query *leaf_query(builder *b, const qnode *n)
{
    xs_query *q = leaf_words(b, n);
    if (!q || !n->option)
        return q;
    xs_query *opt = prefixed(PREFIX_OPTION, n->option), *def = prefixed(PREFIX_TERM, n->option);
    xs_query *alt[3] = {q, opt ? xs_query_scale(opt, OPTION_SCALE) : NULL,
                        def ? xs_query_scale(def, DEFINED_OPTION_SCALE) : NULL};
    return combine(b, XS_OP_OR, alt, 3, 0);
}

static xs_query *leaf_words(builder *b, const qnode *n)
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
                    sub[k++] = xs_query_wildcard(b->db, t.data, t.len, PATH_FILTER_MAX, 0);
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
        return xs_query_wildcard(b->db, w, strlen(w), WILDCARD_MAX, b->wildcard_limit);
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
    if (n->prefix) {
        /* Being typed: the word, or the commonest words it begins. */
        const char *w = n->word[0];
        xs_query *alt[2] = {word_query(b, n, 0),
                            xs_query_wildcard(b->db, w, strlen(w), PREFIX_EXPANSION_MAX, 0)};
        return combine(b, XS_OP_OR, alt, 2, 0);
    }
    return word_query(b, n, 0);
}

/* How many passages hold STEM in their bodies. The term is made on the
 * stack, so the answer never depends on memory left; a stem longer than a
 * word may be is in none. */
static size_t stem_df(xs_db *db, const char *stem)
{
    char term[8 + 4 * RUBRIC_WORD_MAX];
    size_t n = strlen(stem);
    if (n + sizeof PREFIX_STEM > sizeof term)
        return 0;
    memcpy(term, PREFIX_STEM, sizeof PREFIX_STEM - 1);
    memcpy(term + sizeof PREFIX_STEM - 1, stem, n + 1);
    return xs_db_termfreq(db, term, sizeof PREFIX_STEM - 1 + n);
}

int query_common_word(xs_db *db, const char *stem)
{
    size_t total = xs_db_doccount(db);
    return total > 0 && (double)stem_df(db, stem) > COMMON_WORD_SHARE * (double)total;
}

/* Is leaf N a single word so common that requiring it says little? */
/* Is N one word searched plainly (no phrase, wildcard, exact form, field)? */
static int single_word(const qnode *n)
{
    return n && n->op == QN_LEAF && n->nwords == 1 && !n->phrase && !n->wild && !n->exact &&
           !n->field;
}

/* Is N a word that says little: common in the index, or a function word
 * beside other words (which may be in few passages of a manual, and so look
 * rare)? Such a word is not required, and carries no coordination share. */
static int weak(builder *b, const qnode *n)
{
    return single_word(n) && !n->neg && (n->function || query_common_word(b->db, n->stem[0]));
}

/* How many passages hold leaf N's word (its stem in bodies): 0 for anything
 * but a plain word, so that phrases and the like always stay; SIZE_MAX for
 * a function word, the first to go. */
static size_t word_df(builder *b, const qnode *n)
{
    if (!single_word(n))
        return 0;
    return n->function ? SIZE_MAX : stem_df(b->db, n->stem[0]);
}

/* Leaf N's share of the ranked OR's coordination score: its word's presence
 * term, or in an older index its terms in every field of query_fields,
 * present or not. NULL (nothing to add) for anything but a plain word, and
 * for a function word. */
static xs_query *word_coordination(builder *b, const char *word, const char *stem)
{
    if (b->presence) {
        /* Weighed so that at a passage's average length its weight is
         * COORDINATION_WEIGHT times its IDF: BM25 gives a term of wdf W
         * (k1 + 1) W / (k1 + W) times the IDF there. */
        double w = PRESENCE_WDF;
        xs_query *q = prefixed(PREFIX_PRESENT, stem);
        if (q)
            q = xs_query_scale(q, COORDINATION_WEIGHT * (b->k1 + w) / ((b->k1 + 1) * w));
        if (!q)
            b->failed = 1;
        return q;
    }
    size_t total = xs_db_doccount(b->db), df = stem_df(b->db, stem);
    if (!total || !df)
        return NULL;
    buf t[FIELD_COUNT] = {{0}};
    const char *terms[FIELD_COUNT];
    size_t lens[FIELD_COUNT];
    int ok = 1;
    for (size_t f = 0; f < FIELD_COUNT; f++) {
        const field *fd = &query_fields[f];
        ok = ok && buf_adds(&t[f], fd->exact ? word : fd->prefix) == 0 &&
             (fd->exact || buf_adds(&t[f], stem) == 0);
        terms[f] = t[f].data;
        lens[f] = t[f].len;
    }
    double idf = log((double)total / (double)df);
    xs_query *q = ok ? xs_query_presence(terms, lens, FIELD_COUNT, COORDINATION_WEIGHT * idf,
                                        xs_db_remote(b->db)) : NULL;
    for (size_t f = 0; f < FIELD_COUNT; f++)
        buf_free(&t[f]);
    if (!q)
        b->failed = 1;
    return q;
}

static xs_query *coordination(builder *b, const qnode *n)
{
    if (!single_word(n) || n->neg || n->function)
        return NULL;
    return word_coordination(b, n->word[0], n->stem[0]);
}

/* In a ranked OR, only the RELAXED_WORDS_MAX rarest of the words REQ[0..*N)
 * of node N (those in KIDS[0..*N) order) carry the query: the others are the
 * common words that make an OR of many slow and decide nothing. */
static void keep_rarest(builder *b, const qnode **kids, xs_query **req, size_t *n)
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
        if (req[i]) {
            kids[out] = kids[i];
            req[out++] = req[i];
        }
    *n = out;
}

/* Is N a word typed whole whose parts can stand for it: a dotted name, or a
 * token made a phrase ("focus-in-event")? */
static int has_parts(const qnode *n)
{
    return n && n->op == QN_LEAF && n->nparts && !n->neg && !n->field && !n->exact &&
           !n->wild;
}

/* In a ranked OR, the parts of each dotted name among the words REQ[0..*N)
 * (KIDS[0..*N) their leaves: those keep_rarest() kept), and of each token
 * made a phrase, join them (as far as QNODE_KIDS allows),
 * each at PART_SCALE with its own coordination share: "tzname
 * (datetime.timezone method)" then finds the entry headed
 * "timezone.tzname(dt)", whose heading holds two of the parts but not the
 * name typed, and "GtkWidget::focus-in-event" the section headed "The
 * focus-in-event signal" under "GtkWidget". */
static void add_parts(builder *b, const qnode **kids, xs_query **req, size_t *n)
{
    size_t words = *n;
    for (size_t i = 0; i < words && !b->failed; i++) {
        const qnode *c = kids[i];
        if (!has_parts(c))
            continue;
        for (size_t k = 0; k < c->nparts && *n < QNODE_KIDS && !b->failed; k++) {
            /* A function word among the parts ("in" of focus-in-event) counts
             * as one does among words. */
            int function = c->part_function[k];
            xs_query *alt[2] = {plain_word(b, c->part[k], c->part_stem[k], function),
                                function ? NULL
                                         : word_coordination(b, c->part[k], c->part_stem[k])};
            xs_query *q = alt[1] ? combine(b, XS_OP_OR, alt, 2, 0) : alt[0];
            kids[*n] = NULL;
            req[(*n)++] = q ? xs_query_scale(q, PART_SCALE) : NULL;
            if (!req[*n - 1])
                b->failed = 1;
        }
    }
}

static xs_query *node_query(builder *b, const qnode *n, int ranked_or);

/* TOP, the query's words before its exclusions and filters, with the
 * passages headed by just those words (qtree.key) weighed higher; TOP
 * itself when the query names no heading. Those passages match TOP already
 * (their headings hold a word it looks for, or its one word), so the OR
 * adds none. */
static xs_query *with_heading_key(builder *b, xs_query *top)
{
    buf t = {0};
    int k = b->key ? layout_key_term(b->key, &t) : 0;
    if (k <= 0 || !top) {
        buf_free(&t);
        if (k < 0)
            b->failed = 1;
        return top;
    }
    double w = PRESENCE_WDF;
    xs_query *key = xs_query_term(t.data, t.len, 1, 0);
    buf_free(&t);
    if (key)
        key = xs_query_scale(key, HEADING_KEY_WEIGHT * (b->k1 + w) / ((b->k1 + 1) * w));
    xs_query *pair[2] = {top, key};
    return combine(b, XS_OP_OR, pair, 2, 0);
}

static xs_query *and_query(builder *b, const qnode *n, int ranked_or)
{
    xs_query *req[QNODE_KIDS], *opt[QNODE_KIDS], *neg[QNODE_KIDS], *filt[QNODE_KIDS];
    const qnode *reqkid[QNODE_KIDS];
    size_t nreq = 0, nopt = 0, nneg = 0, nfilt = 0;
    int rare = 0;
    for (size_t i = 0; i < n->nkids; i++)
        rare |= !n->kid[i]->neg && !qnode_is_filter(n->kid[i]) && !weak(b, n->kid[i]);
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
        else if (qnode_is_filter(c))
            filt[nfilt++] = x;
        else if (rare && n->implicit && (ranked_or ? c->function : weak(b, c)))
            opt[nopt++] = x;
        else {
            reqkid[nreq] = c;
            req[nreq++] = x;
        }
    }
    if (ranked_or && !b->failed) {
        keep_rarest(b, reqkid, req, &nreq);
        for (size_t i = 0; i < nreq && !b->failed; i++) {
            xs_query *share = reqkid[i] ? coordination(b, reqkid[i]) : NULL;
            if (share) {
                xs_query *pair[2] = {req[i], share};
                req[i] = combine(b, XS_OP_OR, pair, 2, 0);
            }
        }
        if (!b->failed)
            add_parts(b, reqkid, req, &nreq);
    }
    xs_query *top = NULL;
    if (nreq)
        top = combine(b, ranked_or ? XS_OP_OR : XS_OP_AND, req, nreq, 0);
    else
        top = xs_query_match_all();
    if (n == b->keyed && nreq)
        top = with_heading_key(b, top);
    /* Each list is handed to combine() (which frees it if it fails) or,
     * when a step before failed, freed below. */
    if (nopt && top) {
        xs_query *pair[2] = {top, combine(b, XS_OP_OR, opt, nopt, 0)};
        top = combine(b, XS_OP_AND_MAYBE, pair, 2, 0);
        nopt = 0;
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

static xs_query *node_query(builder *b, const qnode *n, int ranked_or)
{
    if (n->op == QN_LEAF)
        return leaf_query(b, n);
    if (n->op == QN_AND)
        return and_query(b, n, ranked_or);
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

/* The filter KIND (F_PATH, F_TAG, F_LANG) for any of VALUES, as a query
 * of that field:value would select; NULL in *OUT when VALUES is empty. 0, or
 * -1 when out of memory. */
static int filter_any(builder *b, int kind, const char *const *values, xs_query **out)
{
    xs_query *sub[FILTER_VALUES_MAX];
    size_t n = 0;
    *out = NULL;
    for (; values && values[n] && n < FILTER_VALUES_MAX; n++) {
        /* Tags and languages are folded, as the query's tag: and lang: are. */
        char *v = xstrdup(values[n]);
        for (char *c = v; c && *c && kind != F_PATH; c++)
            *c = (char)tolower((unsigned char)*c);
        qnode leaf = {.op = QN_LEAF, .field = kind, .value = v};
        sub[n] = v ? leaf_query(b, &leaf) : NULL;
        free(v);
    }
    if (n)
        *out = combine(b, XS_OP_OR, sub, n, 0);
    return b->failed ? -1 : 0;
}

/* TOP restricted to what O's filters select (each list any of its values,
 * all the lists); TOP itself when there are none, NULL when out of memory. */
static xs_query *apply_filters(builder *b, xs_query *top, const rubric_search_opts *o)
{
    const char *const *lists[3] = {o->paths, o->tags, o->langs};
    static const int fields[3] = {F_PATH, F_TAG, F_LANG};
    xs_query *filt[3];
    size_t n = 0;
    for (int i = 0; i < 3 && !b->failed; i++)
        if (filter_any(b, fields[i], lists[i], &filt[n]) == 0 && filt[n])
            n++;
    if (b->failed) {
        for (size_t i = 0; i < n; i++)
            xs_query_free(filt[i]);
        xs_query_free(top);
        return NULL;
    }
    if (n == 0)
        return top;
    xs_query *pair[2] = {top, n == 1 ? filt[0] : combine(b, XS_OP_AND, filt, n, 0)};
    return combine(b, XS_OP_FILTER, pair, 2, 0);
}

xs_query *qtree_build(xs_db *db, const qtree *q, int ranked_or, int presence,
                      const rubric_search_opts *o, const synonyms *syn)
{
    builder b = {.db = db, .syn = syn, .synonym_budget = SYNONYM_EXPANSIONS_MAX, .text = q->text,
                 .presence = presence, .wildcard_limit = 1, .k1 = o->k1, .key = &q->key};
    /* A word with parts, alone, is a ranked OR of itself and its parts. */
    qnode alone = {.op = QN_AND, .implicit = 1, .nkids = 1, .kid = {q->root}};
    const qnode *root = ranked_or && has_parts(q->root) ? &alone : q->root;
    b.keyed = root;
    xs_query *top = root ? node_query(&b, root, ranked_or) : xs_query_match_all();
    /* One word alone: the key weighs within it (an AND weighs it before
     * its exclusions). */
    if (root && root->op == QN_LEAF && !root->neg)
        top = with_heading_key(&b, top);
    if (top && q->root && q->root->neg) {
        /* NOT a, alone: everything but a. */
        xs_query *pair[2] = {xs_query_match_all(), top};
        top = combine(&b, XS_OP_AND_NOT, pair, 2, 0);
    }
    if (top)
        top = apply_filters(&b, top, o);
    if (top && !o->boilerplate) {
        xs_query *pair[2] = {top, xs_query_term(TERM_BOILERPLATE, strlen(TERM_BOILERPLATE), 1, 0)};
        top = combine(&b, XS_OP_AND_NOT, pair, 2, 0);
    }
    /* A folded passage is a copy of one shown in its place (fold.c). */
    if (top) {
        xs_query *pair[2] = {top, xs_query_term(TERM_FOLDED, strlen(TERM_FOLDED), 1, 0)};
        top = combine(&b, XS_OP_AND_NOT, pair, 2, 0);
    }
    if (b.failed) {
        xs_query_free(top);
        return NULL;
    }
    return top;
}

int qtree_words_side_by_side(const qtree *q)
{
    const qnode *r = q->root;
    if (has_parts(r))
        return 1;
    if (!r || r->op != QN_AND || !r->implicit)
        return 0;
    size_t pos = 0;
    for (size_t i = 0; i < r->nkids; i++)
        pos += !r->kid[i]->neg && !qnode_is_filter(r->kid[i]);
    return pos >= 2;
}
