/* fold.c: duplicate folding. A passage whose text another page holds, where
 * that page is kept in a form with more structure, is folded: it keeps its
 * place in the index but carries TERM_FOLDED, and searches leave it out.
 *
 * Evidence is content only. Every passage's heading and body are sampled
 * (layout.c): the shingles of three stems whose hash is 0 modulo its sample
 * rate become its XF terms. A shingle is sampled wherever it occurs, so the
 * share of a passage's samples that another page also holds estimates the
 * share of its text that page holds, whatever the markup around it: the
 * Sphinx source beside its HTML page, a text copy of a manual page, the
 * single-page print version of a manual split into pages. A sample held by
 * more than FOLD_COMMON pages of one kind (a notice on every page) is no
 * evidence; one held by many passages of a few pages (a field described
 * alike in each section of a page, and in each section of its copy) still
 * is.
 *
 * P is folded when some page Q other than P's holds at least FOLD_SHARE of
 * P's informative samples (FOLD_SHARE_ALIKE when both were read by the same
 * kind of reader), or of those of them that a longer passage samples too
 * (a short passage is sampled more densely, and its text may be part of a
 * longer section in Q), and Q's fold key (XS_SLOT_FOLD) sorts before P's: read
 * with more structure (DOC_STRUCTURE_*), else a section in fewer parts, else
 * a source of fewer passages, else first by source and page. The order is
 * total and depends only on what is indexed, so the same passages are folded
 * whichever run indexed them and in whatever order: the choice is stable,
 * and when the kept copy is deleted the copy it hid comes back at the same
 * commit.
 *
 * Between pages read alike, a section folds only whole: Q must hold each of
 * its parts that has samples enough to tell. Two manual pages that include
 * the same list of options each keep theirs; the print version of a manual
 * beside its split pages folds.
 *
 * What a copy cuts differently folds with it. The part of a section that no
 * page holds folds when every other part that can be told folds into one
 * page Q (a source split into parts where its page is not); a passage too
 * short to tell folds when FOLD_SHARE of its page's told passages fold into
 * one page Q and Q has a section of the same heading (a source's section
 * made of include directives, which hold none of the text Q shows there).
 *
 * A run rechecks only the passages that share a sample with one it added or
 * deleted, and the other parts of their sections; a fresh build judges all
 * of them in one pass over every sample's postings. A passage's state
 * changes by replacing its document, the cost of folding on a first build. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store/shim.h"

/* Of a passage's informative samples, the share another page must hold: a
 * page read with more structure (HTML beside the text it was made from,
 * whose roles, directives and generated words each side lacks), or one read
 * alike, where a copy has nothing of the kind to differ by and texts that
 * are merely alike (two classes documented in the same words) must stay. */
#define FOLD_SHARE 0.6
#define FOLD_SHARE_ALIKE 0.9
/* A passage with fewer informative samples (about 30 words) is never folded:
 * too little text to tell a copy from a common phrase. */
#define FOLD_MIN_SAMPLES 4
/* A sample held by more pages than this is a stock phrase, not evidence. */
#define FOLD_COMMON 5
/* A sample held by more passages than this is taken as stock without
 * counting its pages: the count stays cheap. */
#define FOLD_COMMON_PASSAGES 64

/* The passages one sample term indexes: how many, and which, read when
 * first needed (ids_of()): a term too common to be evidence is never read. */
typedef struct postings {
    char *term;
    unsigned *ids;
    size_t n;
    int read;        /* ids read (n then counts them) */
    int level;       /* the coarsest rate it is sampled at (layout.c) */
    int stock;       /* held by more than FOLD_COMMON pages; -1: not yet told */
} postings;

/* A sample no other passage holds is evidence of nothing but its passage's
 * length: it is kept as LONELY + its level, never as a term of its own
 * (most samples of a corpus are such, and a term costs some hundred bytes). */
#define LONELY (SIZE_MAX - LAYOUT_SAMPLE_LEVELS)

/* A list of sample terms, as indexes into fold_pass.terms (or LONELY + a
 * level). */
typedef struct samples {
    size_t *v;
    size_t n, cap;
} samples;

/* Terms read from a document. */
typedef struct term_list {
    char **v;
    size_t n, cap;
} term_list;

static int keep_term(void *ctx, const char *term, size_t len)
{
    term_list *l = ctx;
    if (GROW(l->v, l->n, l->cap) < 0 || !(l->v[l->n] = xstrndup(term, len)))
        return RUBRIC_ENOMEM;
    l->n++;
    return 0;
}

static void term_list_free(term_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* What a pass has read, each thing once. */
typedef struct fold_pass {
    xs_db *db;
    hashmap term_at;   /* hash of a sample term -> 1 + its index in terms */
    postings *terms;
    size_t nterms, capterms;
    /* Fold keys ("" for a passage without one), each kept once: a
     * section's passages share theirs, and a whole pass reads every
     * passage's. */
    char **keys;
    size_t nkeys, capkeys;
    hashmap key_at;    /* hash of a key -> 1 + its index in keys */
    unsigned *key_of_doc; /* by docid: 1 + the index of its key, 0 unread */
    size_t capdocids;
    hashset folded;    /* the passages folded when the pass began */
    hashmap doc_at;    /* every passage judged (a whole pass): docid -> 1 + */
    samples *docs;     /* its index here, its informative samples */
    size_t ndocs, capdocs;
    samples one;       /* the samples of the passage judged (a partial pass) */
    term_list names;   /* the sample terms of the passage being read */
    hashmap verdict_at; /* docid -> 1 + its index in verdicts */
    struct verdict *verdicts;
    size_t nverdicts, capverdicts;
    hashmap section_at; /* docid -> 1 + the index of its section's parts */
    samples *sections;  /* each section's parts, as docids */
    size_t nsections, capsections;
} fold_pass;

/* A list of pages, each a pointer into a pass's keys. */
typedef struct page_list {
    const char **v;
    size_t n, cap;
} page_list;

/* Add PAGE to L unless it is there; RUBRIC_OK or RUBRIC_ENOMEM. */
static int page_list_add(page_list *l, const char *page)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], page) == 0)
            return RUBRIC_OK;
    if (GROW(l->v, l->n, l->cap) < 0)
        return RUBRIC_ENOMEM;
    l->v[l->n++] = page;
    return RUBRIC_OK;
}

static int page_list_has(const page_list *l, const char *page)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], page) == 0)
            return 1;
    return 0;
}

/* What one passage's samples say: which pages read with more structure hold
 * enough of them, and which pages read alike do. Every such page is listed,
 * whatever order the passages were read in: which page a copy folds into
 * decides whether the other parts of its file fold (rest_of_copy(),
 * page_copy()), and a set of shards numbers its passages otherwise than one
 * index does. */
typedef struct verdict {
    int untold;        /* too few samples, or no fold key: says nothing */
    page_list better;  /* the pages with more structure that hold it */
    page_list alike;   /* the pages read alike that hold it */
} verdict;

static int add_index(samples *s, size_t i)
{
    if (GROW(s->v, s->n, s->cap) < 0)
        return -1;
    s->v[s->n++] = i;
    return 0;
}

/* The index of sample term T (LEN bytes) in f->terms, with how many
 * passages it indexes; SIZE_MAX on error. */
static size_t term_index(fold_pass *f, const char *t, size_t len)
{
    size_t *at = hashmap_at(&f->term_at, hash64(t, len));
    if (!at)
        return SIZE_MAX;
    if (*at)
        return *at - 1;
    if (GROW(f->terms, f->nterms, f->capterms) < 0)
        return SIZE_MAX;
    postings *p = &f->terms[f->nterms];
    memset(p, 0, sizeof *p);
    if (!(p->term = xstrndup(t, len)))
        return SIZE_MAX;
    p->n = xs_db_termfreq(f->db, t, len);
    p->level = layout_sample_level(t, len);
    p->stock = -1;
    *at = ++f->nterms;
    return f->nterms - 1;
}

/* The passages sample term K indexes, read once; NULL on error. */
static const unsigned *ids_of(fold_pass *f, size_t k)
{
    static const unsigned none[1];
    postings *p = &f->terms[k];
    if (!p->read) {
        if (xs_db_postings(f->db, p->term, strlen(p->term), &p->ids, &p->n) != XS_OK)
            return NULL;
        p->read = 1;
    }
    return p->ids ? p->ids : none;
}

/* Keep KEY (LEN bytes) as the fold key of DOCID. */
static int keep_key(fold_pass *f, unsigned docid, const char *key, size_t len)
{
    if (docid >= f->capdocids) {
        size_t was = f->capdocids;
        if (GROW(f->key_of_doc, docid, f->capdocids) < 0)
            return RUBRIC_ENOMEM;
        memset(f->key_of_doc + was, 0, (f->capdocids - was) * sizeof *f->key_of_doc);
    }
    size_t *at = hashmap_at(&f->key_at, hash64(key, len));
    if (!at)
        return RUBRIC_ENOMEM;
    size_t k = *at;
    if (!k || strlen(f->keys[k - 1]) != len || memcmp(f->keys[k - 1], key, len) != 0) {
        /* A key not seen yet (or another of the same hash, kept apart). */
        if (GROW(f->keys, f->nkeys, f->capkeys) < 0 ||
            !(f->keys[f->nkeys] = xstrndup(key, len)))
            return RUBRIC_ENOMEM;
        if (!*at)
            *at = f->nkeys + 1;
        k = ++f->nkeys;
    }
    f->key_of_doc[docid] = (unsigned)k;
    return RUBRIC_OK;
}

static int each_key(void *ctx, unsigned docid, const char *value, size_t len)
{
    return keep_key(ctx, docid, value, len);
}

/* The fold key of passage DOCID, read once; NULL on error. */
static const char *key_of(fold_pass *f, unsigned docid)
{
    if (docid < f->capdocids && f->key_of_doc[docid])
        return f->keys[f->key_of_doc[docid] - 1];
    char *v = NULL;
    size_t len = 0;
    int rc = xs_db_doc_value(f->db, docid, XS_SLOT_FOLD, &v, &len) == XS_OK
                 ? keep_key(f, docid, v, len)
                 : RUBRIC_ENODB;
    free(v);
    return rc == RUBRIC_OK ? f->keys[f->key_of_doc[docid] - 1] : NULL;
}

/* The page a fold key names (what follows its structure and counts). */
static const char *page_of(const char *key)
{
    size_t n = strlen(key);
    return n > 1 + 2 * LAYOUT_FOLD_COUNT_DIGITS ? key + 1 + 2 * LAYOUT_FOLD_COUNT_DIGITS : "";
}

/* Is sample T a stock phrase, held by more than FOLD_COMMON pages read by
 * one kind of reader? Into *STOCK. Pages are counted by kind (the fold key's
 * first character) because a copy in another form is not another use of the
 * phrase: in a tree that ships each page's source beside it, a sentence that
 * three HTML pages share is held by six pages. A passage with no fold key
 * (boilerplate) counts as a page of its own. */
static int stock_sample(fold_pass *f, size_t t, int *stock)
{
    postings *p = &f->terms[t];
    if (p->stock < 0 && p->n <= FOLD_COMMON)
        p->stock = 0;
    if (p->stock < 0 && p->n > FOLD_COMMON_PASSAGES)
        p->stock = 1;
    const char *keys[FOLD_COMMON_PASSAGES]; /* a key of each page counted */
    size_t nkeys = 0, by_kind[UCHAR_MAX + 1] = {0}, most = 0, alone = 0;
    const unsigned *ids = p->stock < 0 ? ids_of(f, t) : NULL;
    if (p->stock < 0 && !ids)
        return RUBRIC_ENOMEM;
    for (size_t i = 0; p->stock < 0 && i < p->n; i++) {
        const char *key = key_of(f, ids[i]);
        if (!key)
            return RUBRIC_ENOMEM;
        if (!*key) {
            alone++;
        } else {
            size_t g = 0;
            while (g < nkeys && (keys[g][0] != key[0] || strcmp(page_of(keys[g]), page_of(key)) != 0))
                g++;
            if (g < nkeys)
                continue;
            keys[nkeys++] = key;
            size_t n = ++by_kind[(unsigned char)key[0]];
            most = n > most ? n : most;
        }
        if (most + alone > FOLD_COMMON)
            p->stock = 1;
    }
    if (p->stock < 0)
        p->stock = 0;
    *stock = p->stock;
    return RUBRIC_OK;
}

/* The informative samples of passage DOCID: in a whole pass, gathered
 * already; else read from its terms into f->one. NULL on error. */
static const samples *samples_of(fold_pass *f, unsigned docid)
{
    size_t *at = hashmap_get(&f->doc_at, docid);
    if (at)
        return &f->docs[*at - 1];
    f->one.n = 0;
    int rc = xs_status(xs_db_doc_terms(f->db, docid, PREFIX_SAMPLE, keep_term, &f->names));
    for (size_t s = 0; s < f->names.n; s++) {
        const char *name = f->names.v[s];
        size_t len = strlen(name), t = 0;
        int stock = 1;
        if (rc == RUBRIC_OK && xs_db_termfreq(f->db, name, len) == 1) {
            if (add_index(&f->one, LONELY + (size_t)layout_sample_level(name, len)) < 0)
                rc = RUBRIC_ENOMEM;
            free(f->names.v[s]);
            continue;
        }
        if (rc == RUBRIC_OK)
            t = term_index(f, name, len);
        if (rc == RUBRIC_OK && t == SIZE_MAX)
            rc = RUBRIC_ENOMEM;
        if (rc == RUBRIC_OK)
            rc = stock_sample(f, t, &stock);
        if (rc == RUBRIC_OK && !stock && add_index(&f->one, t) < 0)
            rc = RUBRIC_ENOMEM;
        free(f->names.v[s]);
    }
    f->names.n = 0;
    return rc == RUBRIC_OK ? &f->one : NULL;
}

/* A page that holds samples of the passage judged: how many, of those
 * sampled at each level and coarser, and the last one counted. */
typedef struct held {
    const char *page;
    size_t n[LAYOUT_SAMPLE_LEVELS];
    size_t last;
    int enough;  /* holds enough of them */
} held;

/* Of the samples MINE (stock phrases too) of a passage, how many passage
 * OTHER holds, into *COUNT. */
static int samples_held(fold_pass *f, unsigned other, const term_list *mine, size_t *count)
{
    term_list theirs = {0};
    hashset set = {0};
    int rc = xs_status(xs_db_doc_terms(f->db, other, PREFIX_SAMPLE, keep_term, &theirs));
    for (size_t i = 0; i < theirs.n && rc == RUBRIC_OK; i++)
        if (hashset_add(&set, hash64(theirs.v[i], strlen(theirs.v[i]))) < 0)
            rc = RUBRIC_ENOMEM;
    *count = 0;
    for (size_t i = 0; i < mine->n && rc == RUBRIC_OK; i++)
        *count += hashset_has(&set, hash64(mine->v[i], strlen(mine->v[i])));
    term_list_free(&theirs);
    hashset_free(&set);
    return rc;
}

/* Is passage DOCID (fold key MINE), too short for its informative samples
 * to tell, the copy of a passage with more structure? It is when one with
 * the same heading (its print held by no more than FOLD_COMMON passages)
 * holds FOLD_SHARE of its samples, stock phrases counted: a generated
 * reference of hundreds of short entries, each a name and a sentence of the
 * same template, beside its source. Into BETTER: the pages of those
 * passages. */
static int same_heading(fold_pass *f, unsigned docid, const char *mine, page_list *better)
{
    term_list print = {0}, all = {0};
    int rc = xs_status(xs_db_doc_terms(f->db, docid, PREFIX_HEADING_PRINT, keep_term, &print));
    size_t k = rc == RUBRIC_OK && print.n == 1 ? term_index(f, print.v[0], strlen(print.v[0]))
                                               : SIZE_MAX - 1;
    if (k == SIZE_MAX)
        rc = RUBRIC_ENOMEM;
    const unsigned *ids = NULL;
    if (rc == RUBRIC_OK && k != SIZE_MAX - 1 && f->terms[k].n >= 2 &&
        f->terms[k].n <= FOLD_COMMON) {
        rc = (ids = ids_of(f, k)) ? RUBRIC_OK : RUBRIC_ENOMEM;
        if (rc == RUBRIC_OK)
            rc = xs_status(xs_db_doc_terms(f->db, docid, PREFIX_SAMPLE, keep_term, &all));
    }
    for (size_t i = 0; all.n >= 2 && rc == RUBRIC_OK && i < f->terms[k].n; i++) {
        unsigned id = ids[i];
        const char *other = id == docid ? "" : key_of(f, id);
        size_t n_held = 0;
        if (!other)
            rc = RUBRIC_ENOMEM;
        else if (*other && other[0] != mine[0] && strcmp(other, mine) < 0 &&
                 strcmp(page_of(other), page_of(mine)) != 0 &&
                 (rc = samples_held(f, id, &all, &n_held)) == RUBRIC_OK &&
                 n_held >= FOLD_SHARE * (double)all.n)
            rc = page_list_add(better, page_of(other));
    }
    term_list_free(&print);
    term_list_free(&all);
    return rc;
}

/* The pages that hold enough of the samples of passage DOCID into V. */
static int weigh(fold_pass *f, unsigned docid, verdict *v)
{
    const char *mine = key_of(f, docid);
    if (!mine)
        return RUBRIC_ENOMEM;
    v->untold = 1;
    if (!*mine)
        return RUBRIC_OK;  /* boilerplate, or written before folding existed */
    const samples *sm = samples_of(f, docid);
    if (!sm)
        return RUBRIC_ENOMEM;
    size_t n = sm->n, at_level[LAYOUT_SAMPLE_LEVELS] = {0};
    if (n < FOLD_MIN_SAMPLES) {
        int rc = same_heading(f, docid, mine, &v->better);
        v->untold = v->better.n == 0;
        return rc;
    }
    v->untold = 0;
    for (size_t s = 0; s < n; s++) {
        size_t t = sm->v[s];
        int level = t >= LONELY ? (int)(t - LONELY) : f->terms[t].level;
        for (int l = 0; l <= level; l++)
            at_level[l]++;
    }
    /* Per better page, how many of the samples it holds, at each level. */
    held *pages = NULL;
    size_t np = 0, cap = 0;
    int rc = RUBRIC_OK;
    for (size_t s = 0; s < n && rc == RUBRIC_OK; s++) {
        if (sm->v[s] >= LONELY)
            continue;  /* no other page holds it */
        const postings *p = &f->terms[sm->v[s]];
        const unsigned *ids = ids_of(f, sm->v[s]);
        if (!ids) {
            rc = RUBRIC_ENOMEM;
            break;
        }
        for (size_t i = 0; i < p->n && rc == RUBRIC_OK; i++) {
            const char *other = ids[i] == docid ? "" : key_of(f, ids[i]);
            if (!other) {
                rc = RUBRIC_ENOMEM;
                break;
            }
            if (!*other || strcmp(other, mine) >= 0 ||
                strcmp(page_of(other), page_of(mine)) == 0)
                continue;
            size_t g = 0;
            while (g < np && strcmp(pages[g].page, page_of(other)) != 0)
                g++;
            if (g == np) {
                if (GROW(pages, np, cap) < 0) {
                    rc = RUBRIC_ENOMEM;
                    break;
                }
                memset(&pages[np], 0, sizeof *pages);
                pages[np++].page = page_of(other);
            }
            if (pages[g].last == s + 1)
                continue;  /* a page counts once per sample */
            pages[g].last = s + 1;
            int alike = other[0] == mine[0];
            double share = alike ? FOLD_SHARE_ALIKE : FOLD_SHARE;
            int enough = 0;
            for (int l = 0; l <= p->level; l++)
                if (++pages[g].n[l] >= share * (double)at_level[l] &&
                    at_level[l] >= FOLD_MIN_SAMPLES)
                    enough = 1;
            if (!enough || pages[g].enough)
                continue;
            pages[g].enough = 1;
            rc = page_list_add(alike ? &v->alike : &v->better, pages[g].page);
        }
    }
    free(pages);
    return rc;
}

/* The verdict on passage DOCID, weighed once a pass, into *AT (its index in
 * f->verdicts); RUBRIC_OK or an error. */
static int verdict_of(fold_pass *f, unsigned docid, size_t *at)
{
    size_t *v = hashmap_at(&f->verdict_at, docid);
    if (!v)
        return RUBRIC_ENOMEM;
    if (*v) {
        *at = *v - 1;
        return RUBRIC_OK;
    }
    if (GROW(f->verdicts, f->nverdicts, f->capverdicts) < 0)
        return RUBRIC_ENOMEM;
    verdict w = {0};
    int rc = weigh(f, docid, &w);
    f->verdicts[f->nverdicts] = w;
    *v = ++f->nverdicts;
    *at = f->nverdicts - 1;
    return rc;
}

static int keep_file(void *ctx, const char *term, size_t len)
{
    buf *b = ctx;
    return b->len ? 0 : buf_add(b, term, len) < 0 ? RUBRIC_ENOMEM : 0;
}

/* The parts of the section of passage DOCID (itself alone when it has no
 * anchor), into *AT (an index in f->sections): read for its whole file at
 * once. */
static int section_of(fold_pass *f, unsigned docid, size_t *at)
{
    size_t *known = hashmap_get(&f->section_at, docid);
    if (known && *known) {
        *at = *known - 1;
        return RUBRIC_OK;
    }
    buf file = {0};
    unsigned *ids = NULL;
    size_t n = 0;
    hashmap by_value = {0}; /* hash of a section value -> 1 + its index */
    int rc = xs_status(xs_db_doc_terms(f->db, docid, PREFIX_FILE, keep_file, &file));
    if (rc == RUBRIC_OK && file.len)
        rc = xs_status(xs_db_postings(f->db, file.data, file.len, &ids, &n));
    if (rc == RUBRIC_OK && !n) {  /* not found through its file: alone */
        ids = malloc(sizeof *ids);
        rc = ids ? RUBRIC_OK : RUBRIC_ENOMEM;
        if (ids)
            ids[n++] = docid;
    }
    for (size_t i = 0; i < n && rc == RUBRIC_OK; i++) {
        char *value = NULL;
        size_t len = 0;
        rc = xs_status(xs_db_doc_value(f->db, ids[i], XS_SLOT_SECTION, &value, &len));
        size_t *sec = rc != RUBRIC_OK ? NULL
                      : len       ? hashmap_at(&by_value, hash64(value, len))
                                  : &(size_t){0};
        size_t *mine = rc == RUBRIC_OK ? hashmap_at(&f->section_at, ids[i]) : NULL;
        free(value);
        if (rc != RUBRIC_OK)
            break;
        if (!sec || !mine || (!*sec && GROW(f->sections, f->nsections, f->capsections) < 0)) {
            rc = RUBRIC_ENOMEM;
            break;
        }
        if (!*sec) {
            memset(&f->sections[f->nsections], 0, sizeof *f->sections);
            *sec = ++f->nsections;
        }
        *mine = *sec;
        if (add_index(&f->sections[*sec - 1], ids[i]) < 0)
            rc = RUBRIC_ENOMEM;
    }
    free(ids);
    buf_free(&file);
    hashmap_free(&by_value);
    known = rc == RUBRIC_OK ? hashmap_get(&f->section_at, docid) : NULL;
    if (rc == RUBRIC_OK && !(known && *known))
        rc = RUBRIC_ENODB;  /* its file's postings lack it */
    if (rc == RUBRIC_OK)
        *at = *known - 1;
    return rc;
}

/* Is passage DOCID, which no page with more structure holds, the rest of a
 * section that one page with more structure holds otherwise? Its section
 * SEC (an index in f->sections) is then a copy of that page's text, and the
 * part left over is the tail its copy cuts at another place (a section of a
 * Sphinx source split into parts where its page's text is not): into
 * *FOLDED when every other part that can be told is folded, one is, and one
 * page holds them all. */
static int rest_of_copy(fold_pass *f, unsigned docid, size_t sec, int *folded)
{
    size_t first = SIZE_MAX; /* the verdict of the first part told */
    int whole = 1, rc = RUBRIC_OK;
    for (size_t i = 0; i < f->sections[sec].n && whole && rc == RUBRIC_OK; i++) {
        size_t w;
        unsigned part = (unsigned)f->sections[sec].v[i];
        if (part == docid || (rc = verdict_of(f, part, &w)) != RUBRIC_OK ||
            (f->verdicts[w].untold && !f->verdicts[w].better.n))
            continue;
        whole = f->verdicts[w].better.n > 0;
        first = first == SIZE_MAX ? w : first;
    }
    if (rc != RUBRIC_OK || !whole || first == SIZE_MAX)
        return rc;
    /* A page the first told part folds into that holds every other. */
    for (size_t p = 0; p < f->verdicts[first].better.n && !*folded; p++) {
        const char *page = f->verdicts[first].better.v[p];
        int all = 1;
        for (size_t i = 0; i < f->sections[sec].n && all; i++) {
            size_t w;
            unsigned part = (unsigned)f->sections[sec].v[i];
            if (part == docid || verdict_of(f, part, &w) != RUBRIC_OK ||
                (f->verdicts[w].untold && !f->verdicts[w].better.n))
                continue;  /* read above: no error now */
            all = page_list_has(&f->verdicts[w].better, page);
        }
        *folded = all;
    }
    return RUBRIC_OK;
}

/* The passages of the file of passage DOCID into *IDS (*N of them, to be
 * freed). */
static int file_passages(fold_pass *f, unsigned docid, unsigned **ids, size_t *n)
{
    buf file = {0};
    *ids = NULL;
    *n = 0;
    int rc = xs_status(xs_db_doc_terms(f->db, docid, PREFIX_FILE, keep_file, &file));
    if (rc == RUBRIC_OK && file.len)
        rc = xs_status(xs_db_postings(f->db, file.data, file.len, ids, n));
    buf_free(&file);
    return rc;
}

/* Is passage DOCID, too short to tell, a section of a page that is as a
 * whole the copy of one page with more structure, which has a section of
 * the same heading? A markup source's section made of directives that
 * include its text from elsewhere (reStructuredText's ".. include::",
 * AsciiDoc's "include::") holds none of the text its page shows there.
 * The page is a copy when FOLD_SHARE of its passages that can be told
 * are folded into that page. Into *FOLDED. */
static int page_copy(fold_pass *f, unsigned docid, int *folded)
{
    const char *mine = key_of(f, docid);
    unsigned *ids = NULL;
    size_t n = 0;
    int rc = mine && *mine ? file_passages(f, docid, &ids, &n) : mine ? RUBRIC_OK : RUBRIC_ENOMEM;
    /* The verdicts of the page's passages that can be told, and the pages
     * any of them folds into. */
    size_t *told = NULL, ntold = 0, captold = 0;
    page_list into = {0};
    for (size_t i = 0; i < n && rc == RUBRIC_OK; i++) {
        size_t w;
        const char *key = key_of(f, ids[i]);
        if (!key) {
            rc = RUBRIC_ENOMEM;
            break;
        }
        if (ids[i] == docid || !*key || strcmp(page_of(key), page_of(mine)) != 0 ||
            (rc = verdict_of(f, ids[i], &w)) != RUBRIC_OK ||
            (f->verdicts[w].untold && !f->verdicts[w].better.n))
            continue;
        if (GROW(told, ntold, captold) < 0) {
            rc = RUBRIC_ENOMEM;
            break;
        }
        told[ntold++] = w;
        for (size_t p = 0; p < f->verdicts[w].better.n && rc == RUBRIC_OK; p++)
            rc = page_list_add(&into, f->verdicts[w].better.v[p]);
    }
    free(ids);
    /* The heading of the passage judged, to be found in such a page. */
    term_list print = {0};
    size_t k = SIZE_MAX - 1;
    if (rc == RUBRIC_OK && into.n)
        rc = xs_status(xs_db_doc_terms(f->db, docid, PREFIX_HEADING_PRINT, keep_term, &print));
    if (rc == RUBRIC_OK && print.n == 1 &&
        (k = term_index(f, print.v[0], strlen(print.v[0]))) == SIZE_MAX)
        rc = RUBRIC_ENOMEM;
    term_list_free(&print);
    const unsigned *same = rc == RUBRIC_OK && k != SIZE_MAX - 1 ? ids_of(f, k) : NULL;
    if (rc == RUBRIC_OK && k != SIZE_MAX - 1 && !same)
        rc = RUBRIC_ENOMEM;
    for (size_t p = 0; same && p < into.n && !*folded && rc == RUBRIC_OK; p++) {
        size_t holding = 0;
        for (size_t i = 0; i < ntold; i++)
            holding += page_list_has(&f->verdicts[told[i]].better, into.v[p]);
        if ((double)holding < FOLD_SHARE * (double)ntold)
            continue;
        for (size_t i = 0; i < f->terms[k].n && !*folded; i++) {
            const char *key = key_of(f, same[i]);
            if (!key)
                rc = RUBRIC_ENOMEM;
            else
                *folded = *key && strcmp(page_of(key), into.v[p]) == 0;
        }
    }
    free(told);
    free(into.v);
    return rc;
}

/* Is passage DOCID folded? Into *FOLDED; RUBRIC_OK or an error. A page read
 * with more structure that holds it is enough, or one that holds the rest
 * of its section (rest_of_copy()) or, for a passage too short to tell, the
 * rest of its page (page_copy()). A page read alike must hold
 * every part of its section that can be told: a section is a copy of another
 * page's (a manual split into pages beside its print version) only whole;
 * two manual pages that include the same list of options each keep it. */
static int judge(fold_pass *f, unsigned docid, int *folded)
{
    size_t v, sec;
    *folded = 0;
    int rc = verdict_of(f, docid, &v);
    if (rc != RUBRIC_OK || f->verdicts[v].better.n) {
        *folded = rc == RUBRIC_OK && f->verdicts[v].better.n;
        return rc;
    }
    if ((rc = section_of(f, docid, &sec)) != RUBRIC_OK)
        return rc;
    if ((rc = rest_of_copy(f, docid, sec, folded)) != RUBRIC_OK || *folded)
        return rc;
    if (f->verdicts[v].untold && ((rc = page_copy(f, docid, folded)) != RUBRIC_OK || *folded))
        return rc;
    if (!f->verdicts[v].alike.n)
        return rc;
    for (size_t g = 0; g < f->verdicts[v].alike.n && !*folded; g++) {
        const char *page = f->verdicts[v].alike.v[g];
        int whole = 1;
        for (size_t i = 0; i < f->sections[sec].n && whole && rc == RUBRIC_OK; i++) {
            size_t w;
            unsigned part = (unsigned)f->sections[sec].v[i];
            /* A part too short to tell, or folded into a page with more
             * structure (its pages read alike not counted), says nothing. */
            if (part == docid || (rc = verdict_of(f, part, &w)) != RUBRIC_OK ||
                f->verdicts[w].untold || f->verdicts[w].better.n)
                continue;
            whole = page_list_has(&f->verdicts[w].alike, page);
        }
        if (rc != RUBRIC_OK)
            return rc;
        *folded = whole;
    }
    return rc;
}

static int cmp_id(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return (x > y) - (x < y);
}

/* Add to *IDS the passages holding a term of TOUCHED: those whose verdict
 * this run's changes may move. A term held by more than FOLD_COMMON pages
 * before the run and after it is evidence for none of them, and is passed
 * over: one the run added nothing to held as many pages before it or more,
 * and one held by more than FOLD_COMMON_PASSAGES passages besides those the
 * run added was stock before too. */
static int gather(fold_pass *f, const fold_set *touched, unsigned **ids, size_t *n, size_t *cap)
{
    for (size_t t = 0; t < touched->n; t++) {
        size_t k = term_index(f, touched->terms[t], strlen(touched->terms[t]));
        if (k == SIZE_MAX)
            return RUBRIC_ENOMEM;
        int stock = f->terms[k].n > FOLD_COMMON_PASSAGES + touched->added[t];
        if (!stock && !touched->added[t]) {
            int rc = stock_sample(f, k, &stock);
            if (rc != RUBRIC_OK)
                return rc;
        }
        if (stock)
            continue;
        const unsigned *of = ids_of(f, k);
        if (!of)
            return RUBRIC_ENOMEM;
        for (size_t i = 0; i < f->terms[k].n; i++) {
            if (GROW(*ids, *n, *cap) < 0)
                return RUBRIC_ENOMEM;
            (*ids)[(*n)++] = of[i];
        }
    }
    return RUBRIC_OK;
}

/* Sample T (an index into f->terms, or LONELY + a level) is one of the
 * informative samples of passage DOCID (a whole pass). */
static int note_sample(fold_pass *f, unsigned docid, size_t t)
{
    size_t *at = hashmap_at(&f->doc_at, docid);
    if (!at)
        return RUBRIC_ENOMEM;
    if (!*at) {
        if (GROW(f->docs, f->ndocs, f->capdocs) < 0)
            return RUBRIC_ENOMEM;
        memset(&f->docs[f->ndocs], 0, sizeof *f->docs);
        *at = ++f->ndocs;
    }
    return add_index(&f->docs[*at - 1], t) < 0 ? RUBRIC_ENOMEM : RUBRIC_OK;
}

/* A whole pass: every sample term's postings, and from them every passage's
 * informative samples; every passage's fold key in one read. */
static int each_whole_term(void *ctx, const char *term, size_t len, size_t freq)
{
    fold_pass *f = ctx;
    if (freq > FOLD_COMMON_PASSAGES)
        return 0;  /* no evidence: not even read */
    if (freq == 1) {
        unsigned *one = NULL;
        size_t n = 0;
        if (xs_db_postings(f->db, term, len, &one, &n) != XS_OK)
            return RUBRIC_ENOMEM;
        int rc = n == 1 ? note_sample(f, one[0], LONELY + (size_t)layout_sample_level(term, len))
                        : RUBRIC_OK;
        free(one);
        return rc;
    }
    size_t k = term_index(f, term, len);
    int stock = 0;
    if (k == SIZE_MAX)
        return RUBRIC_ENOMEM;
    int rc = stock_sample(f, k, &stock);
    if (rc != RUBRIC_OK || stock)
        return rc;
    const unsigned *ids = ids_of(f, k);
    if (!ids)
        return RUBRIC_ENOMEM;
    for (size_t i = 0; i < f->terms[k].n; i++)
        if (note_sample(f, ids[i], k) != RUBRIC_OK)
            return RUBRIC_ENOMEM;
    return 0;
}

/* The passages that hold a heading print few enough hold (a whole pass):
 * each may be a short copy (same_heading). */
typedef struct heading_pass {
    fold_pass *f;
    unsigned **ids;
    size_t *n, *cap;
} heading_pass;

static int each_heading_term(void *ctx, const char *term, size_t len, size_t freq)
{
    heading_pass *h = ctx;
    if (freq < 2 || freq > FOLD_COMMON)
        return 0;
    size_t k = term_index(h->f, term, len);
    const unsigned *ids = k == SIZE_MAX ? NULL : ids_of(h->f, k);
    if (!ids)
        return RUBRIC_ENOMEM;
    for (size_t i = 0; i < h->f->terms[k].n; i++) {
        if (GROW(*h->ids, *h->n, *h->cap) < 0)
            return RUBRIC_ENOMEM;
        (*h->ids)[(*h->n)++] = ids[i];
    }
    return 0;
}

/* Note sample term TERM, held by a passage deleted (ADDED 0) or added. */
static int note(fold_set *s, const char *term, size_t len, int added)
{
    size_t *at = hashmap_at(&s->seen, hash64(term, len));
    if (!at)
        return RUBRIC_ENOMEM;
    if (!*at) {
        if (GROW(s->terms, s->n, s->cap) < 0 || GROW(s->added, s->n, s->capadded) < 0 ||
            !(s->terms[s->n] = xstrndup(term, len)))
            return RUBRIC_ENOMEM;
        s->added[s->n] = 0;
        *at = ++s->n;
    }
    s->added[*at - 1] += added != 0;
    return RUBRIC_OK;
}

static int note_added(void *ctx, const char *term, size_t len)
{
    return note(ctx, term, len, 1);
}

static int note_deleted(void *ctx, const char *term, size_t len)
{
    return note(ctx, term, len, 0);
}

int fold_note_doc(fold_set *s, const xs_doc *doc)
{
    int rc = xs_status(xs_doc_terms(doc, PREFIX_SAMPLE, note_added, s));
    return rc == RUBRIC_OK ? xs_status(xs_doc_terms(doc, PREFIX_HEADING_PRINT, note_added, s))
                           : rc;
}

int fold_note_file(fold_set *s, xs_db *db, const char *fileterm)
{
    unsigned *ids = NULL;
    size_t n = 0;
    int rc = xs_status(xs_db_postings(db, fileterm, strlen(fileterm), &ids, &n));
    for (size_t i = 0; i < n && rc == RUBRIC_OK; i++) {
        rc = xs_status(xs_db_doc_terms(db, ids[i], PREFIX_SAMPLE, note_deleted, s));
        if (rc == RUBRIC_OK)
            rc = xs_status(xs_db_doc_terms(db, ids[i], PREFIX_HEADING_PRINT, note_deleted, s));
    }
    free(ids);
    return rc;
}

void fold_set_free(fold_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->terms[i]);
    free(s->terms);
    free(s->added);
    hashmap_free(&s->seen);
    memset(s, 0, sizeof *s);
}

int fold_run(xs_db *db, const fold_set *touched)
{
    fold_pass f = {.db = db};
    unsigned *ids = NULL, *was = NULL;
    size_t n = 0, cap = 0, nwas = 0;
    int rc = xs_status(xs_db_postings(db, TERM_FOLDED, strlen(TERM_FOLDED), &was, &nwas));
    for (size_t i = 0; i < nwas && rc == RUBRIC_OK; i++)
        if (hashset_add(&f.folded, was[i]) < 0)
            rc = RUBRIC_ENOMEM;
    if (rc == RUBRIC_OK && !touched) {
        /* Every passage with evidence, and every one folded before. */
        rc = xs_status(xs_db_values(db, XS_SLOT_FOLD, each_key, &f));
        if (rc == RUBRIC_OK)
            rc = xs_status(xs_db_terms(db, PREFIX_SAMPLE, each_whole_term, &f));
        for (size_t k = 0; k < f.nterms && rc == RUBRIC_OK; k++) {
            const unsigned *of = ids_of(&f, k);
            if (!of)
                rc = RUBRIC_ENOMEM;
            for (size_t i = 0; of && i < f.terms[k].n && rc == RUBRIC_OK; i++) {
                if (GROW(ids, n, cap) < 0)
                    rc = RUBRIC_ENOMEM;
                else
                    ids[n++] = of[i];
            }
        }
        for (size_t i = 0; i < nwas && rc == RUBRIC_OK; i++) {
            if (GROW(ids, n, cap) < 0)
                rc = RUBRIC_ENOMEM;
            else
                ids[n++] = was[i];
        }
        heading_pass h = {&f, &ids, &n, &cap};
        if (rc == RUBRIC_OK)
            rc = xs_status(xs_db_terms(db, PREFIX_HEADING_PRINT, each_heading_term, &h));
    } else if (rc == RUBRIC_OK) {
        rc = gather(&f, touched, &ids, &n, &cap);
        /* A part's verdict weighs its section's other parts too: they are
         * rechecked when a page read alike holds it (else no part of its
         * section was, or can be, folded by a page read alike). */
        for (size_t i = 0, gathered = n; i < gathered && rc == RUBRIC_OK; i++) {
            size_t sec, v;
            if ((rc = verdict_of(&f, ids[i], &v)) != RUBRIC_OK)
                break;
            if (!f.verdicts[v].alike.n)
                continue;
            rc = section_of(&f, ids[i], &sec);
            for (size_t k = 0; rc == RUBRIC_OK && k < f.sections[sec].n; k++) {
                if (GROW(ids, n, cap) < 0)
                    rc = RUBRIC_ENOMEM;
                else
                    ids[n++] = (unsigned)f.sections[sec].v[k];
            }
        }
    }
    /* A passage folded into a page with more structure, or folded before,
     * weighs the other passages of its file too (rest_of_copy(),
     * page_copy()): they are rechecked, each file once. */
    hashset added = {0};
    for (size_t i = 0, judged = n; i < judged && rc == RUBRIC_OK; i++) {
        size_t v;
        if (hashset_has(&added, ids[i]) || (rc = verdict_of(&f, ids[i], &v)) != RUBRIC_OK)
            continue;
        if (!f.verdicts[v].better.n && !hashset_has(&f.folded, ids[i]))
            continue;
        unsigned *more = NULL;
        size_t nmore = 0;
        rc = file_passages(&f, ids[i], &more, &nmore);
        for (size_t k = 0; rc == RUBRIC_OK && k < nmore; k++) {
            if (GROW(ids, n, cap) < 0 || hashset_add(&added, more[k]) < 0)
                rc = RUBRIC_ENOMEM;
            else
                ids[n++] = more[k];
        }
        free(more);
    }
    hashset_free(&added);
    if (rc == RUBRIC_OK && n)
        qsort(ids, n, sizeof *ids, cmp_id);
    for (size_t i = 0; i < n && rc == RUBRIC_OK; i++) {
        if (i && ids[i] == ids[i - 1])
            continue;
        int folded = 0;
        rc = judge(&f, ids[i], &folded);
        if (rc == RUBRIC_OK && folded != hashset_has(&f.folded, ids[i]))
            rc = xs_status(xs_db_doc_mark(db, ids[i], TERM_FOLDED, folded));
    }
    free(ids);
    free(was);
    for (size_t i = 0; i < f.nterms; i++) {
        free(f.terms[i].term);
        free(f.terms[i].ids);
    }
    free(f.terms);
    for (size_t i = 0; i < f.nkeys; i++)
        free(f.keys[i]);
    free(f.keys);
    free(f.key_of_doc);
    for (size_t i = 0; i < f.ndocs; i++)
        free(f.docs[i].v);
    free(f.docs);
    for (size_t i = 0; i < f.nverdicts; i++) {
        free(f.verdicts[i].better.v);
        free(f.verdicts[i].alike.v);
    }
    free(f.verdicts);
    for (size_t i = 0; i < f.nsections; i++)
        free(f.sections[i].v);
    free(f.sections);
    hashmap_free(&f.verdict_at);
    hashmap_free(&f.section_at);
    free(f.one.v);
    term_list_free(&f.names);
    hashmap_free(&f.term_at);
    hashmap_free(&f.key_at);
    hashmap_free(&f.doc_at);
    hashset_free(&f.folded);
    return rc;
}
