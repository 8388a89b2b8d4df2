/* judge.c: judging ranked results against judged queries (see judge.h and
 * the opening comment of tests/eval.c for the rules). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "internal.h"
#include "judge.h"
#include "rubric.h"

static const char *prog = "eval";
static const char *prefix;
static int pages_only;

void judge_init(const char *name, const char *pfx, int pages)
{
    prog = name;
    prefix = pfx && *pfx ? pfx : NULL;
    pages_only = pages;
}

static void out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", prog);
    exit(1);
}

/* ------------------------------------------------------------ section cache */

/* The anchors of one target section, read from its source file. */
typedef struct section {
    char *path;     /* the result path the file was read from */
    char *anchor;   /* the target's anchor */
    char **anchors; /* every anchor of the section's parts (NULL: not read) */
    size_t n;
    struct section *next;
} section;

static section *sections;

static char *dup_or_die(const char *s)
{
    char *d = strdup(s);
    if (!d)
        out_of_memory();
    return d;
}

static int same_place(const rubric_passage *a, const rubric_passage *b)
{
    if (strcmp(a->title, b->title) != 0 || a->ntrail != b->ntrail)
        return 0;
    for (size_t i = 0; i < a->ntrail; i++)
        if (strcmp(a->trail[i], b->trail[i]) != 0)
            return 0;
    return 1;
}

/* Is B inside the section A heads: its trail is A's trail, then A's title? */
static int inside(const rubric_passage *a, const rubric_passage *b)
{
    if (b->ntrail <= a->ntrail || strcmp(b->trail[a->ntrail], a->title) != 0)
        return 0;
    for (size_t i = 0; i < a->ntrail; i++)
        if (strcmp(a->trail[i], b->trail[i]) != 0)
            return 0;
    return 1;
}

static void add_anchor(section *s, const char *anchor)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->anchors[i], anchor) == 0)
            return;
    char **a = realloc(s->anchors, (s->n + 1) * sizeof *a);
    if (!a)
        out_of_memory();
    s->anchors = a;
    s->anchors[s->n++] = dup_or_die(anchor);
}

/* An element that opens a section without being its heading (texinfo's
 * `<div class="section" id="Arrays">`, man2html's `<a name="lbBB">`) sits
 * right before the heading, with at most a navigation panel between: this
 * many bytes. Farther, the element lies inside a section's text. */
#define ELEMENT_HEADING_GAP 1024

/* Where NEEDLE first occurs in DATA (LEN bytes), or SIZE_MAX. */
static size_t find(const char *data, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = data; n && (size_t)(p - data) + n <= len; p++) {
        p = memchr(p, needle[0], len - n + 1 - (size_t)(p - data));
        if (!p)
            break;
        if (memcmp(p, needle, n) == 0)
            return (size_t)(p - data);
    }
    return SIZE_MAX;
}

/* The offset of the tag ('<') of the element whose id (or name) is ANCHOR
 * in the HTML DATA (the value quoted either way, or not at all), or
 * SIZE_MAX. */
static size_t element_at(const char *data, size_t len, const char *anchor)
{
    static const char *const attrs[] = {" id=", " name=", " ID=", " NAME="};
    static const char quotes[] = {'"', '\'', ' ', '>'};
    size_t best = SIZE_MAX, alen = strlen(anchor);
    char needle[512];
    if (alen + 16 > sizeof needle)
        return SIZE_MAX;
    for (size_t a = 0; a < sizeof attrs / sizeof *attrs; a++)
        for (size_t q = 0; q < sizeof quotes; q++) {
            /* Unquoted, the value ends at a space or at the tag's end. */
            int bare = quotes[q] == ' ' || quotes[q] == '>';
            size_t k = strlen(attrs[a]);
            memcpy(needle, attrs[a], k);
            if (!bare)
                needle[k++] = quotes[q];
            memcpy(needle + k, anchor, alen);
            k += alen;
            needle[k++] = quotes[q];
            needle[k] = '\0';
            size_t at = find(data, len, needle);
            if (at < best)
                best = at;
        }
    while (best != SIZE_MAX && best > 0 && data[best] != '<')
        best--;
    return best;
}

/* The first heading (`<h1>` to `<h6>`, any case) at or after FROM in DATA:
 * the offset of its tag in *TAG, and where its text begins (past the tag),
 * returned; SIZE_MAX when there is none. */
static size_t heading_after(const char *data, size_t len, size_t from, size_t *tag)
{
    for (size_t i = from; i + 2 < len; i++)
        if (data[i] == '<' && (data[i + 1] == 'h' || data[i + 1] == 'H') &&
            data[i + 2] >= '1' && data[i + 2] <= '6') {
            const char *gt = memchr(data + i, '>', len - i);
            *tag = i;
            return gt ? (size_t)(gt - data) + 1 : SIZE_MAX;
        }
    return SIZE_MAX;
}

/* Does passage P hold any word, beside spaces and no-break spaces? */
static int has_words(const rubric_passage *p)
{
    const unsigned char *t = (const unsigned char *)p->text;
    for (size_t i = 0; i < p->text_len; i++) {
        if (t[i] == 0xc2 && i + 1 < p->text_len && t[i + 1] == 0xa0)
            i++;
        else if (t[i] >= 0x80 || (t[i] > ' ' && t[i] != 0x7f))
            return 1;
    }
    return 0;
}

/* The first passage of the section a target's ANCHOR names in the page DATA,
 * or N. A passage that bears the anchor and begins at its element (or after
 * it: its text) is the section. Otherwise the anchor's element tells: a
 * heading, or an element right before one (texinfo's `<div id="Arrays">`,
 * whose heading rubric anchors on `Arrays-1`), opens the heading's section,
 * its first passage. So does man2html's `<A NAME="lbBB">&nbsp;</A>` before
 * `<H3>Parameter Expansion</H3>`, even where a passage bears the anchor while
 * ending with the element, or holding nothing but it (no words, the title of
 * the passage before). Any other element lies in the text of the passage
 * that bears its anchor or holds it, or, between two passages, begins the
 * one after it. */
static size_t section_start(const rubric_doc *doc, size_t n, const char *data, size_t len,
                            const char *anchor)
{
    size_t exact = 0;
    while (exact < n && strcmp(rubric_doc_passage(doc, exact)->anchor, anchor) != 0)
        exact++;
    size_t x = element_at(data, len, anchor);
    if (x == SIZE_MAX)
        return exact;
    if (exact < n) {
        const rubric_passage *p = rubric_doc_passage(doc, exact);
        /* A passage of no words that continues the one before it is the
         * anchor's element alone, left at the end of the section before. */
        int alone = !has_words(p) && exact > 0 && same_place(rubric_doc_passage(doc, exact - 1), p);
        if (p->start >= x && !alone)
            return exact;
    }
    /* The heading's passage starts after the heading's tag: a passage of
     * the heading before that has no text of its own (a heading alone) is
     * placed where this heading's text begins. */
    size_t tag = 0, text = heading_after(data, len, x, &tag);
    if (text != SIZE_MAX && tag - x <= ELEMENT_HEADING_GAP)
        for (size_t i = 0; i < n; i++)
            if (rubric_doc_passage(doc, i)->start > text)
                return i;
    if (exact < n)
        return exact;
    for (size_t i = 0; i < n; i++)
        if (x < rubric_doc_passage(doc, i)->end)
            return i;
    return n;
}

/* The section of ANCHOR in the file at PATH (a result's path), read once. */
static section *section_of(const char *path, const char *anchor)
{
    for (section *s = sections; s; s = s->next)
        if (strcmp(s->path, path) == 0 && strcmp(s->anchor, anchor) == 0)
            return s;
    section *s = calloc(1, sizeof *s);
    if (!s)
        out_of_memory();
    s->path = dup_or_die(path);
    s->anchor = dup_or_die(anchor);
    s->next = sections;
    sections = s;
    add_anchor(s, anchor);

    size_t len = 0;
    char *data = NULL;
    rubric_doc *doc = NULL;
    char *err = NULL;
    if (read_file(path, SIZE_MAX, &data, &len) != 0 ||
        rubric_doc_read(path, data, len, &doc, &err) != RUBRIC_OK) {
        fprintf(stderr, "%s: note: cannot read %s (%s): accepting only #%s there\n", prog,
                path, err ? err : "unreadable", anchor);
        free(err);
        free(data);
        return s;
    }
    size_t n = rubric_doc_count(doc), i = section_start(doc, n, data, len, anchor);
    if (i == n)
        fprintf(stderr, "%s: note: no passage of %s leads to #%s: accepting only #%s there\n",
                prog, path, anchor, anchor);
    if (i < n) {
        const rubric_passage *first = rubric_doc_passage(doc, i);
        add_anchor(s, first->anchor);
        for (i++; i < n; i++) {
            const rubric_passage *p = rubric_doc_passage(doc, i);
            if (p->part == 0 && !same_place(first, p) && !inside(first, p))
                break;
            add_anchor(s, p->anchor);
        }
    }
    rubric_doc_free(doc);
    free(data);
    return s;
}

/* The page judge_anchor_on_page() read last (NULL when unreadable), and
 * the ids and names of its elements as a browser reads them (character
 * references decoded), sorted; read when a literal search of the page
 * fails. */
static char *page_path, *page_data;
static size_t page_len;
static char **page_ids;
static size_t page_nids, page_capids;
static int page_parsed;

static void forget_page(void)
{
    free(page_path);
    free(page_data);
    page_path = page_data = NULL;
    for (size_t i = 0; i < page_nids; i++)
        free(page_ids[i]);
    free(page_ids);
    page_ids = NULL;
    page_nids = page_capids = 0;
    page_parsed = 0;
}

static void keep_id(const xmlChar *v)
{
    if (!v)
        return;
    if (page_nids == page_capids) {
        page_capids = page_capids ? 2 * page_capids : 256;
        char **g = realloc(page_ids, page_capids * sizeof *g);
        if (!g)
            out_of_memory();
        page_ids = g;
    }
    page_ids[page_nids++] = dup_or_die((const char *)v);
}

static void collect_ids(xmlNode *n)
{
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        xmlChar *id = xmlGetProp(n, (const xmlChar *)"id");
        keep_id(id);
        xmlFree(id);
        if (xmlStrcasecmp(n->name, (const xmlChar *)"a") == 0) {
            xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
            keep_id(name);
            xmlFree(name);
        }
        collect_ids(n->children);
    }
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Parse the page read last for its ids, once. */
static void parse_page(void)
{
    if (page_parsed)
        return;
    page_parsed = 1;
    htmlDocPtr doc = htmlReadMemory(page_data, (int)page_len, page_path, NULL,
                                    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                        HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    if (!doc)
        return;
    collect_ids(xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
    qsort(page_ids, page_nids, sizeof *page_ids, by_string);
}

int judge_anchor_on_page(const char *path, const char *anchor)
{
    if (!page_path || strcmp(page_path, path) != 0) {
        forget_page();
        page_path = dup_or_die(path);
        if (read_file(path, SIZE_MAX, &page_data, &page_len) != 0 || page_len > INT32_MAX)
            page_data = NULL;
    }
    if (!page_data || element_at(page_data, page_len, anchor) != SIZE_MAX)
        return 1;
    /* The page may write the id with character references ("&lt;n&gt;",
     * "&#64;"): as the page's parser decodes them. */
    parse_page();
    return bsearch(&anchor, page_ids, page_nids, sizeof *page_ids, by_string) != NULL;
}

void judge_cleanup(void)
{
    forget_page();
    while (sections) {
        section *s = sections;
        sections = s->next;
        for (size_t i = 0; i < s->n; i++)
            free(s->anchors[i]);
        free(s->anchors);
        free(s->path);
        free(s->anchor);
        free(s);
    }
}

/* ------------------------------------------------------------------ matching */

/* Is PATH the file WANT (WLEN bytes) names? With a prefix, PATH under it
 * must be WANT exactly: `index.html` is the tree's own index, not
 * `library/index.html`. Without one, or for a path outside it, PATH may also
 * end with '/' and WANT (a tree indexed from elsewhere). */
static int path_matches(const char *path, const char *want, size_t wlen)
{
    size_t plen;
    if (prefix) {
        size_t n = strlen(prefix);
        if (strncmp(path, prefix, n) == 0 && (path[n] == '/' || prefix[n - 1] == '/')) {
            path += n;
            while (*path == '/')
                path++;
            return strlen(path) == wlen && memcmp(path, want, wlen) == 0;
        }
    }
    plen = strlen(path);
    if (plen < wlen || memcmp(path + plen - wlen, want, wlen) != 0)
        return 0;
    return plen == wlen || path[plen - wlen - 1] == '/';
}

/* Nonzero when the result PATH#ANCHOR is acceptable for TARGET ("path#anchor"
 * or "path"). */
static int hit_matches(const char *path, const char *hit_anchor, const char *target)
{
    const char *hash = strchr(target, '#');
    size_t wlen = hash ? (size_t)(hash - target) : strlen(target);
    if (!path_matches(path, target, wlen))
        return 0;
    if (!hash)
        return 1;
    const char *anchor = hash + 1;
    if (strcmp(hit_anchor, anchor) == 0)
        return 1;
    section *s = section_of(path, anchor);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->anchors[i], hit_anchor) == 0)
            return 1;
    return 0;
}

int judge_matches(const char *path, const char *anchor, const char *targets)
{
    char *save = NULL, *copy = dup_or_die(targets);
    int ok = 0;
    for (char *t = strtok_r(copy, " ", &save); t && !ok; t = strtok_r(NULL, " ", &save))
        ok = hit_matches(path, anchor, t);
    free(copy);
    return ok;
}

int judge_page_matches(const char *path, const char *targets)
{
    char *save = NULL, *copy = dup_or_die(targets);
    int ok = 0;
    for (char *t = strtok_r(copy, " ", &save); t && !ok; t = strtok_r(NULL, " ", &save))
        ok = path_matches(path, t, strcspn(t, "#"));
    free(copy);
    return ok;
}

judge_rank judge_hits(const judge_hit *hits, size_t n, const char *targets)
{
    judge_rank r = {0, 0};
    for (size_t i = 0; i < n && i < JUDGE_LIMIT && (!r.section || !r.page); i++) {
        if (!r.page && judge_page_matches(hits[i].path, targets))
            r.page = (unsigned)i + 1;
        /* A section is on its page: no need to read the page otherwise. */
        if (!r.section && r.page && hits[i].anchor &&
            judge_matches(hits[i].path, hits[i].anchor, targets))
            r.section = (unsigned)i + 1;
    }
    return r;
}

/* ------------------------------------------------------------------ one file */

static void count(unsigned rank, size_t *at1, size_t *at10, double *rr)
{
    if (rank == 1)
        (*at1)++;
    if (rank >= 1 && rank <= JUDGE_LIMIT) {
        (*at10)++;
        *rr += 1.0 / rank;
    }
}

/* `n=N s@1=... page-mrr@10=...`, the section figures left out for an engine
 * that returns pages, then a newline. */
static void print_figures(const judge_figures *fig)
{
    double n = fig->n ? (double)fig->n : 1.0;
    printf("n=%zu", fig->n);
    if (!fig->pages_only)
        printf(" s@1=%.2f s@10=%.2f mrr@10=%.2f", fig->at1 / n, fig->at10 / n, fig->rr / n);
    printf(" page-s@1=%.2f page-s@10=%.2f page-mrr@10=%.2f\n", fig->page_at1 / n,
           fig->page_at10 / n, fig->page_rr / n);
}

int judge_file(const char *file, int verbose, judge_query_fn fn, void *ctx,
               judge_figures *fig)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open %s\n", prog, file);
        return -1;
    }
    printf("== %s\n", file);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned lineno = 0;
    memset(fig, 0, sizeof *fig);
    fig->pages_only = pages_only;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        if (!tab || !tab[1]) {
            fprintf(stderr, "%s: %s:%u: expected query<TAB>path#anchor...\n", prog, file,
                    lineno);
            continue;
        }
        *tab = '\0';
        const char *query = line;
        const char *targets = tab + 1;
        char first[1024];
        judge_rank rank = fn(ctx, query, targets, first, sizeof first);
        fig->n++;
        count(rank.section, &fig->at1, &fig->at10, &fig->rr);
        count(rank.page, &fig->page_at1, &fig->page_at10, &fig->page_rr);
        /* A miss at rank 1, with where its page ranked beside. */
        unsigned shown = pages_only ? rank.page : rank.section;
        if (verbose && shown != 1) {
            char rank_s[16] = "miss", page_s[16] = "-";
            if (shown)
                snprintf(rank_s, sizeof rank_s, "rank %u", shown);
            if (rank.page)
                snprintf(page_s, sizeof page_s, "%u", rank.page);
            if (pages_only)
                printf("  %-8s %s\n", rank_s, query);
            else
                printf("  %-8s (page %s) %s\n", rank_s, page_s, query);
            printf("          expected: %s\n", targets);
            printf("          first:    %s\n", first);
        }
    }
    free(line);
    fclose(f);
    printf("   ");
    print_figures(fig);
    return 0;
}

void judge_summary(const char *file, const judge_figures *fig)
{
    printf("%s: ", file);
    print_figures(fig);
}

void judge_time(judge_times *t, double value)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        double *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            out_of_memory();
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = value;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double judge_times_median(judge_times *t, double *max)
{
    *max = 0;
    if (!t->n)
        return 0;
    qsort(t->v, t->n, sizeof *t->v, by_value);
    double med = t->n % 2 ? t->v[t->n / 2] : (t->v[t->n / 2 - 1] + t->v[t->n / 2]) / 2;
    *max = t->v[t->n - 1];
    t->n = 0;
    return med;
}
