/* test_html.c: the HTML reader (rubric_doc_read on *.html), one test per rule
 * of lib/reader_html.c: a table of pages, each with what reading it must give
 * (the page title, passages in order with their anchors and trails, words
 * read or skipped, boilerplate, limits), checked by one loop; every row is a
 * test named as a sentence. Then two hostile inputs: 100,000 nested elements
 * and a 20 MB page. */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath, for shell.h */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rubric.h"
#include "bytes.h"
#include "harness.h"

/* ------------------------------------------------------------------ helpers */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A growable string for generated fixtures. */
typedef struct sbuf {
    char *data;
    size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + n + 1 > cap) cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) { fprintf(stderr, "out of memory\n"); exit(2); }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    char tmp[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) sb_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void print_excerpt(const char *s, size_t len, size_t max)
{
    fputc('"', stderr);
    for (size_t i = 0; s && i < len && i < max; i++) {
        if (s[i] == '\n') fputs("\\n", stderr);
        else fputc(s[i], stderr);
    }
    fputs(s && len > max ? "...\"" : "\"", stderr);
}

static char *join_trail(const char *const *trail, size_t n)
{
    sbuf b = {0};
    sb_puts(&b, "");
    for (size_t i = 0; i < n; i++) {
        if (i) sb_puts(&b, " > ");
        sb_puts(&b, nz(trail[i]));
    }
    return b.data;
}

static void print_doc(const rubric_doc *d)
{
    fprintf(stderr, "    title \"%s\", %zu passages\n", nz(rubric_doc_title(d)),
            rubric_doc_count(d));
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        char *t = join_trail(p->trail, p->ntrail);
        fprintf(stderr, "    [%zu] %s part %u bp=%d \"%s\" trail [%s] [%zu,%zu) text ", i,
                nz(p->anchor), p->part, p->boilerplate, nz(p->title), nz(t), p->start,
                p->end);
        print_excerpt(p->text, p->text_len, 60);
        fputc('\n', stderr);
        free(t);
    }
}

/* Read LEN bytes of DATA as page.html; NULL (failing the test) unless RUBRIC_OK. */
static rubric_doc *read_page_len(const char *data, size_t len)
{
    rubric_doc *d = NULL;
    char *err = NULL;
    int rc = rubric_doc_read("page.html", data, len, &d, &err);
    if (rc != RUBRIC_OK || !d) {
        fprintf(stderr, "  rubric_doc_read(page.html) = %d (%s): %s\n", rc,
                nz(rubric_strerror(rc)), nz(err));
        CHECK(rc == RUBRIC_OK && d != NULL);
        free(err);
        rubric_doc_free(d);
        return NULL;
    }
    free(err);
    return d;
}

/* The first passage whose text holds WORDS, or NULL. */
static const rubric_passage *holding(const rubric_doc *d, const char *words)
{
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (find_bytes(p->text, p->text_len, words, strlen(words))) return p;
    }
    return NULL;
}

/* Does any passage's text, title or trail hold WORDS? */
static int anywhere(const rubric_doc *d, const char *words)
{
    if (holding(d, words)) return 1;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (p->title && strstr(p->title, words)) return 1;
        for (size_t k = 0; k < p->ntrail; k++)
            if (p->trail[k] && strstr(p->trail[k], words)) return 1;
    }
    return 0;
}

/* The ids of a page: every id="..." (or '...', or unquoted) value, and the
 * name="..." of <a> elements, as a NULL-terminated array. */
typedef struct idset {
    char **v;
    size_t n, cap;
} idset;

static void ids_add(idset *s, const char *id, size_t n)
{
    if (s->n + 1 >= s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) { fprintf(stderr, "out of memory\n"); exit(2); }
    }
    char *c = malloc(n + 1);
    if (!c) { fprintf(stderr, "out of memory\n"); exit(2); }
    memcpy(c, id, n);
    c[n] = '\0';
    s->v[s->n++] = c;
    s->v[s->n] = NULL;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void ids_scan(idset *s, const char *data, size_t len, const char *attr)
{
    size_t alen = strlen(attr);
    for (size_t i = 1; i + alen < len; i++) {
        if (!is_space(data[i - 1]) || strncmp(data + i, attr, alen) != 0) continue;
        size_t j = i + alen;
        if (data[j] == '"' || data[j] == '\'') {
            char q = data[j++];
            size_t k = j;
            while (k < len && data[k] != q) k++;
            ids_add(s, data + j, k - j);
        } else {
            size_t k = j;
            while (k < len && !is_space(data[k]) && data[k] != '>') k++;
            ids_add(s, data + j, k - j);
        }
    }
}

static idset page_ids(const char *data, size_t len)
{
    idset s = {0};
    ids_scan(&s, data, len, "id=");
    ids_scan(&s, data, len, "name=");
    return s;
}

static int ids_has(const idset *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i], id) == 0) return 1;
    return 0;
}

static void ids_free(idset *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------- the table */

/* A passage the page must have: the first one titled TITLE after the one
 * the row's previous section found (so sections are listed in document
 * order). */
typedef struct section {
    const char *title;
    const char *anchor; /* its anchor, unless NULL */
    const char *trail;  /* its trail joined by " > " ("" for none), unless NULL */
    const char *holds;  /* words its text holds, unless NULL */
    const char *lacks;  /* words its text does not hold, unless NULL */
} section;

enum { YES = 1, NO = 2 };

/* One page and what reading it must give. Every field left out is not
 * checked; lists end at their first NULL. On every page, (anchor, part)
 * names a passage (check_anchors). */
typedef struct row {
    const char *name;          /* a sentence: the test's name */
    const char *page;          /* the page (as page.html)... */
    void (*make)(sbuf *);      /* ...or, when PAGE is NULL, the page it writes */
    int empty;                 /* no text: "no text to index" (EINPUT), or no passages */
    int excluded;              /* YES: excluded, with no passages; NO: not excluded */
    const char *title;         /* rubric_doc_title() */
    size_t count;              /* how many passages, unless 0 */
    section sections[6];       /* passages in document order */
    const char *holding[9];    /* words some passage's text holds */
    const char *either[2];     /* some passage's text holds one or the other */
    const char *somewhere[4];  /* words some passage's text, title or trail holds */
    const char *nowhere[12];   /* words no passage's text, title or trail holds */
    const char *untitled;      /* bytes no passage's title holds */
    const char *boilerplate;   /* words of a passage that is boilerplate */
    const char *content[3];    /* words, each of a passage that is not */
    int unique_anchors;        /* no two passages share an anchor */
    int anchors_are_ids;       /* every passage's anchor is an id of the page */
    int valid_utf8;            /* the title, and each anchor, title, text and trail entry */
    int ranges;                /* byte ranges in order, each around its text's first word */
    size_t max_text;           /* no passage's text is longer, unless 0 */
    size_t max_name;           /* no title, anchor or trail entry is longer, unless 0 */
    struct {
        const char *title;     /* at least MIN passages so titled, */
        size_t min;
        const char *trail;     /* each with this trail */
    } parts;
} row;

#define N(a) (sizeof(a) / sizeof *(a))

static void fail(const row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(const row *r, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "  %s: ", r->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    harness_current_failed = 1;
}

static void check_sections(const row *r, const rubric_doc *d)
{
    size_t from = 0;
    const char *after = NULL;
    for (size_t s = 0; s < N(r->sections) && r->sections[s].title; s++) {
        const section *e = &r->sections[s];
        const rubric_passage *p = NULL;
        for (size_t i = from; i < rubric_doc_count(d) && !p; i++)
            if (strcmp(nz(rubric_doc_passage(d, i)->title), e->title) == 0) {
                p = rubric_doc_passage(d, i);
                from = i + 1;
            }
        if (!p) {
            fail(r, "no passage titled \"%s\"%s%s%s", e->title, after ? " after \"" : "",
                 after ? after : "", after ? "\"" : "");
            return;
        }
        after = e->title;
        if (e->anchor && strcmp(nz(p->anchor), e->anchor) != 0)
            fail(r, "\"%s\": anchor %s, want %s", e->title, nz(p->anchor), e->anchor);
        char *t = join_trail(p->trail, p->ntrail);
        if (e->trail && strcmp(t, e->trail) != 0)
            fail(r, "\"%s\": trail [%s], want [%s]", e->title, t, e->trail);
        free(t);
        if (e->holds && !find_bytes(p->text, p->text_len, e->holds, strlen(e->holds)))
            fail(r, "\"%s\": text lacks \"%s\"", e->title, e->holds);
        if (e->lacks && find_bytes(p->text, p->text_len, e->lacks, strlen(e->lacks)))
            fail(r, "\"%s\": text holds \"%s\"", e->title, e->lacks);
    }
}

static void check_words(const row *r, const rubric_doc *d)
{
    for (size_t i = 0; i < N(r->holding) && r->holding[i]; i++)
        if (!holding(d, r->holding[i]))
            fail(r, "no passage's text holds \"%s\"", r->holding[i]);
    if (r->either[0] && !holding(d, r->either[0]) && !holding(d, r->either[1]))
        fail(r, "no passage's text holds \"%s\" or \"%s\"", r->either[0], r->either[1]);
    for (size_t i = 0; i < N(r->somewhere) && r->somewhere[i]; i++)
        if (!anywhere(d, r->somewhere[i]))
            fail(r, "\"%s\" is in no passage's text, title or trail", r->somewhere[i]);
    for (size_t i = 0; i < N(r->nowhere) && r->nowhere[i]; i++)
        if (anywhere(d, r->nowhere[i]))
            fail(r, "\"%s\" was read", r->nowhere[i]);
    for (size_t i = 0; r->untitled && i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (strstr(nz(p->title), r->untitled))
            fail(r, "title \"%s\" holds \"%s\"", p->title, r->untitled);
    }
}

static void check_boilerplate(const row *r, const rubric_doc *d)
{
    if (r->boilerplate) {
        const rubric_passage *p = holding(d, r->boilerplate);
        if (!p || !p->boilerplate)
            fail(r, "\"%s\": %s", r->boilerplate, p ? "not boilerplate" : "no passage holds it");
    }
    for (size_t i = 0; i < N(r->content) && r->content[i]; i++) {
        const rubric_passage *p = holding(d, r->content[i]);
        if (!p || p->boilerplate)
            fail(r, "\"%s\": %s", r->content[i], p ? "boilerplate" : "no passage holds it");
    }
}

static void check_anchors(const row *r, const rubric_doc *d, const char *page, size_t len)
{
    size_t n = rubric_doc_count(d);
    for (size_t i = 0; r->unique_anchors && i < n; i++)
        for (size_t j = 0; j < i; j++) {
            const char *a = rubric_doc_passage(d, i)->anchor;
            if (a && strcmp(a, nz(rubric_doc_passage(d, j)->anchor)) == 0)
                fail(r, "passages %zu and %zu share the anchor %s", j, i, a);
        }
    if (r->anchors_are_ids) {
        idset ids = page_ids(page, len);
        for (size_t i = 0; i < n; i++) {
            const rubric_passage *p = rubric_doc_passage(d, i);
            if (!p->anchor || !ids_has(&ids, p->anchor))
                fail(r, "passage %zu (\"%s\" part %u) has anchor %s, not an id of the page", i,
                     nz(p->title), p->part, nz(p->anchor));
        }
        ids_free(&ids);
    }
    /* (anchor, part) names a passage: parts count the earlier passages with
     * the same anchor (a later part may be anchored at an id inside the
     * section). On every page. */
    for (size_t i = 0; i < n; i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        unsigned before = 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp(nz(rubric_doc_passage(d, j)->anchor), nz(p->anchor)) == 0) before++;
        if (p->part != before)
            fail(r, "passage %zu (%s): part %u, after %u at its anchor", i, nz(p->anchor),
                 p->part, before);
    }
}

static void check_sizes(const row *r, const rubric_doc *d)
{
    size_t parts = 0;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (r->max_text && p->text_len > r->max_text)
            fail(r, "passage %zu has %zu bytes of text (at most %zu)", i, p->text_len,
                 r->max_text);
        if (r->max_name) {
            size_t tl = strlen(nz(p->title)), al = strlen(nz(p->anchor));
            if (tl > r->max_name || al > r->max_name)
                fail(r, "passage %zu: %zu-byte title, %zu-byte anchor", i, tl, al);
            for (size_t k = 0; k < p->ntrail; k++)
                if (strlen(nz(p->trail[k])) > r->max_name)
                    fail(r, "passage %zu: trail entry %zu has %zu bytes", i, k,
                         strlen(nz(p->trail[k])));
        }
        if (r->parts.title && strcmp(nz(p->title), r->parts.title) == 0) {
            parts++;
            char *t = join_trail(p->trail, p->ntrail);
            if (strcmp(t, r->parts.trail) != 0)
                fail(r, "\"%s\" part %u: trail [%s], want [%s]", r->parts.title, p->part, t,
                     r->parts.trail);
            free(t);
        }
    }
    if (r->parts.title && parts < r->parts.min)
        fail(r, "\"%s\" has %zu parts, want at least %zu", r->parts.title, parts, r->parts.min);
}

static void check_utf8(const row *r, const rubric_doc *d)
{
    if (!valid_utf8_str(rubric_doc_title(d)))
        fail(r, "the page title is missing or not valid UTF-8");
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        int ok = valid_utf8_str(p->anchor) && valid_utf8_str(p->title) &&
                 valid_utf8(p->text, p->text_len);
        for (size_t k = 0; k < p->ntrail; k++) ok = ok && valid_utf8_str(p->trail[k]);
        if (!ok) fail(r, "passage %zu: an anchor, title, text or trail entry missing or not "
                         "valid UTF-8", i);
    }
}

/* Each passage's byte range within the page and after the one before, and
 * the first word of its text within 200 bytes of it in the source. */
static void check_ranges(const row *r, const rubric_doc *d, const char *page, size_t len)
{
    size_t prev_end = 0;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (!(p->start <= p->end && p->end <= len && p->start >= prev_end))
            fail(r, "passage %zu (%s): range [%zu, %zu), previous ended at %zu, file %zu bytes",
                 i, nz(p->title), p->start, p->end, prev_end, len);
        prev_end = p->end;
        if (p->text_len == 0) continue;
        size_t w = 0;
        while (w < p->text_len && p->text[w] != ' ' && p->text[w] != '\n') w++;
        size_t from = p->start > 200 ? p->start - 200 : 0;
        size_t to = p->end + 200 < len ? p->end + 200 : len;
        if (from > to || !find_bytes(page + from, to - from, p->text, w)) {
            fprintf(stderr, "  %s: passage %zu (%s): first word ", r->name, i, nz(p->title));
            print_excerpt(p->text, w, 40);
            fprintf(stderr, " not within [%zu, %zu) of the source\n", from, to);
            harness_current_failed = 1;
        }
    }
}

/* A page with no text: rubric_doc_read says "no text to index" (EINPUT), or
 * gives a document without passages. */
static void check_empty(const row *r, const char *page, size_t len)
{
    rubric_doc *d = NULL;
    char *err = NULL;
    int rc = rubric_doc_read("page.html", page, len, &d, &err);
    if (rc == RUBRIC_EINPUT) {
        if (d != NULL || !err || strcmp(err, "no text to index") != 0)
            fail(r, "RUBRIC_EINPUT with %s, message %s", d ? "a document" : "no document",
                 nz(err));
    } else if (rc != RUBRIC_OK || !d || rubric_doc_count(d) != 0) {
        fail(r, "rc %d (%s), %zu passages, message %s", rc, nz(rubric_strerror(rc)),
             d ? rubric_doc_count(d) : (size_t)0, nz(err));
    }
    free(err);
    rubric_doc_free(d);
}

static void check_row(const row *r)
{
    sbuf made = {0};
    const char *page = r->page;
    if (!page) {
        r->make(&made);
        page = made.data;
    }
    size_t len = strlen(page);
    if (r->empty) {
        check_empty(r, page, len);
        free(made.data);
        return;
    }
    rubric_doc *d = read_page_len(page, len);
    if (!d) {
        fprintf(stderr, "  %s: the page was not read\n", r->name);
        free(made.data);
        return;
    }
    if (r->excluded == YES && (!rubric_doc_excluded(d) || rubric_doc_count(d) != 0))
        fail(r, "excluded %d with %zu passages, want excluded with none",
             rubric_doc_excluded(d), rubric_doc_count(d));
    if (r->excluded == NO && rubric_doc_excluded(d))
        fail(r, "excluded");
    if (r->title && strcmp(nz(rubric_doc_title(d)), r->title) != 0)
        fail(r, "page title \"%s\", want \"%s\"", nz(rubric_doc_title(d)), r->title);
    if (r->count && rubric_doc_count(d) != r->count)
        fail(r, "%zu passages, want %zu", rubric_doc_count(d), r->count);
    check_sections(r, d);
    check_words(r, d);
    check_boilerplate(r, d);
    check_anchors(r, d, page, len);
    check_sizes(r, d);
    if (r->valid_utf8) check_utf8(r, d);
    if (r->ranges) check_ranges(r, d, page, len);
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
    free(made.data);
}

/* About 7 KB of paragraphs under one heading; some paragraphs (and the <dt>s
 * of a list at the end) have ids that later parts may be anchored at. */
/* A module index: a table of 30 entries, each a linked name and a gloss. */
static void module_index(sbuf *b)
{
    sb_puts(b, "<html><body><h1>Module Index</h1><p>Every module here is documented on a page "
               "of its own, with examples.</p><table>");
    for (int i = 0; i < 30; i++)
        sb_printf(b, "<tr><td><a href=\"lib/zorbmod%d.html\"><code>zorbmod%d</code></a></td>"
                     "<td><em>Tools for the %d%s kind of spool</em></td></tr>",
                  i, i, i, i == 1 ? "st" : "th");
    sb_puts(b, "</table></body></html>");
}

/* A reference's settings: a definition list of twelve names, none a link,
 * each with a short gloss and a list of where it is set, linked. */
static void settings_list(sbuf *b)
{
    sb_puts(b, "<html><body><h1>Submit Step</h1><p>Settings of the submit step:</p><dl>");
    for (int i = 0; i < 12; i++)
        sb_printf(b, "<dt><code>Flangeport%d</code></dt><dd><p>Legacy option %d. Not used.</p>"
                     "<ul><li><a href=\"#script\">Script</a> variable: "
                     "<a href=\"var/FLANGE_%d.html\">FLANGE_%d</a></li>"
                     "<li><a href=\"mod.html\">Module</a> variable: <code>FLANGE_%d</code></li>"
                     "</ul></dd>",
                  i, i, i, i, i);
    sb_puts(b, "</dl></body></html>");
}

/* A symbol index as a definition list: twelve linked names, each a gloss. */
static void linked_terms_index(sbuf *b)
{
    sb_puts(b, "<html><body><h1>Symbol Index</h1><p>Every symbol of the library.</p><dl>");
    for (int i = 0; i < 12; i++)
        sb_printf(b, "<dt><a href=\"spool%d.html#spool-open-%d\">spool_open_%d</a></dt>"
                     "<dd>function in <a href=\"spool%d.html\">Spools %d</a></dd>",
                  i, i, i, i, i);
    sb_puts(b, "</dl></body></html>");
}

/* A back-of-book index that lists each term's places after it: twelve
 * terms, none a link, each followed by the links to where it is found. */
static void places_index(sbuf *b)
{
    sb_puts(b, "<html><body><h1>Concept Index</h1><p>Where each idea is told.</p><dl>");
    for (int i = 0; i < 12; i++)
        sb_printf(b, "<dt>retry%d interval</dt><dd><p><a href=\"ch%d.html#s%d\">Queue runs "
                     "<small>[Timing]</small></a>, <a href=\"ch%d.html#t%d\">Hosts</a></p></dd>",
                  i, i, i, i + 1, i);
    sb_puts(b, "</dl></body></html>");
}

/* A table of facts: 30 rows of short cells, one link among them. */
static void facts_table(sbuf *b)
{
    sb_puts(b, "<html><body><h1>Kiln Temperatures</h1><table>"
               "<tr><th>Cone</th><th>Degrees</th><th>Colour</th></tr>");
    for (int i = 0; i < 30; i++)
        sb_printf(b, "<tr><td>%d</td><td>%d</td><td>quiblent%d glow</td></tr>", i, 600 + 20 * i,
                  i);
    sb_puts(b, "</table><p>See <a href=\"cones.html\">cones</a> for how they bend.</p>"
               "</body></html>");
}

static void long_section(sbuf *b)
{
    sb_puts(b, "<html><body><div role=\"main\"><section id=\"glossary\"><h1>Baking</h1>"
               "<p>Short intro.</p><section id=\"oven-spring\"><h2>Oven Spring</h2>");
    for (int i = 0; i < 24; i++) {
        if (i % 5 == 3)
            sb_printf(b, "<p id=\"spring-%d\">", i);
        else
            sb_puts(b, "<p>");
        sb_printf(b, "Paragraph %d: the oven spring of a loaf depends on the strength "
                     "of its gluten, the activity of its yeast, the steam in the oven and "
                     "the heat stored in the stone or pot it bakes on; a weak dough spreads "
                     "sideways instead of rising, and a cold oven sets the crust late.</p>\n",
                  i);
    }
    sb_puts(b, "<dl>");
    for (int i = 0; i < 4; i++)
        sb_printf(b, "<dt id=\"term-%d\">Term %d</dt><dd><p>Definition %d: a word bakers "
                     "use for one step of the long road from flour to loaf.</p></dd>\n",
                  i, i, i);
    sb_puts(b, "</dl></section></section></div></body></html>");
}

/* An h2 that is never closed, followed by some 450 KB of inline content. */
static void heading_never_closed(sbuf *b)
{
    sb_puts(b, "<html><body><h1>Big</h1><p>Intro.</p><h2>Never closed ");
    for (int i = 0; i < 20000; i++) sb_puts(b, "words <b>and</b> more ");
    sb_puts(b, "</body></html>");
}

#define SOURDOUGH_PROSE                                                                   \
    "<html><body><h1>Sourdough Baking</h1>"                                               \
    "<p>A sourdough starter is flour and water fermented by wild yeast and bacteria. "    \
    "Feed the starter daily with equal weights of flour and water, and keep it warm.</p>" \
    "<p>Hydration is the weight of water divided by the weight of flour. A wetter dough " \
    "ferments faster and bakes into a more open crumb with a crisp crust.</p>"           \
    "<p>Shape the dough gently, proof it overnight in the fridge, and bake it in a hot "  \
    "covered pot so the crust stays thin and blistered.</p>"

#define PLATFORM "platform \xE2\x80\x94 Access to data"

static const row rows[] = {
    /* ------------------------------------------------------- sections */
    {
        .name = "html_sections_follow_h1_to_h6_with_trails_outermost_first",
        .page = "<!DOCTYPE html><html><head><title>Birds | Example Site</title></head><body>\n"
                "<h1>Garden Birds</h1>\n<p>Most gardens see a dozen species in a year.</p>\n"
                "<h2>Feeding</h2>\n<p>Seeds, suet and fresh water bring them in.</p>\n"
                "<h3>Winter Feeding</h3>\n<p>Fat balls matter most in the cold months.</p>\n"
                "<h4>Frozen Water</h4>\n<p>Float a ball in the bird bath to stop ice.</p>\n"
                "<h2>Nesting</h2>\n<p>Boxes go on north-facing walls.</p>\n"
                "</body></html>\n",
        .title = "Garden Birds",
        .count = 5,
        .sections = {{"Garden Birds", NULL, ""},
                     {"Feeding", NULL, "Garden Birds"},
                     {"Winter Feeding", NULL, "Garden Birds > Feeding", .holds = "Fat balls",
                      .lacks = "Winter Feeding"},
                     {"Frozen Water", NULL, "Garden Birds > Feeding > Winter Feeding"},
                     {"Nesting", NULL, "Garden Birds"}},
    },
    {
        .name = "html_takes_the_page_title_from_the_first_h1",
        .page = "<html><head><title>Tab text</title></head><body>"
                "<h2>Before</h2><p>Some words here.</p>"
                "<h1>The Real Title</h1><p>More words.</p><h1>Second H1</h1><p>Text.</p>"
                "</body></html>",
        .title = "The Real Title",
    },
    {
        .name = "html_takes_the_page_title_from_the_title_element_without_an_h1",
        .page = "<html><head><title>\n  Only the Title Element  \n</title></head><body>"
                "<h2>Section</h2><p>Some words here.</p></body></html>",
        .title = "Only the Title Element",
    },
    {
        .name = "html_puts_the_title_first_in_every_trail_without_an_h1",
        .page = "<html><head><title>Field Guide</title></head><body>"
                "<h2>Owls</h2><p>Night hunters with silent flight.</p>"
                "<h3>Barn Owl</h3><p>Pale, heart-shaped face.</p>"
                "<h2>Hawks</h2><p>Day hunters of the hedgerows.</p>"
                "</body></html>",
        .title = "Field Guide",
        .sections = {{"Owls", "", "Field Guide"},
                     {"Barn Owl", "", "Field Guide > Owls"},
                     {"Hawks", "", "Field Guide"}},
    },
    {
        .name = "html_nests_headings_by_section_depth_even_when_all_are_h1",
        .page = "<html><body>"
                "<section><h1>Top</h1><p>Alpha words.</p>"
                "  <section><h1>Middle</h1><p>Beta words.</p>"
                "    <section><h1>Bottom</h1><p>Gamma words.</p></section>"
                "  </section>"
                "  <section><h1>Sibling</h1><p>Delta words.</p></section>"
                "</section>"
                "<section><h1>Next Top</h1><p>Epsilon words.</p></section>"
                "</body></html>",
        .title = "Top",
        .sections = {{"Top", NULL, ""},
                     {"Middle", NULL, "Top"},
                     {"Bottom", NULL, "Top > Middle"},
                     {"Sibling", NULL, "Top"},
                     {"Next Top", NULL, ""}},
    },
    /* Regression (reader_html.c, on_start): headings nest "by
     * <section>/<article> depth" (reader_html.c's header), so a <section>'s
     * h1 inside an <article> is under the article's h1: <article> is
     * sectioning content like <section>. When only <section>s were counted,
     * it came out as a sibling of the article's h1. */
    {
        .name = "html_nests_headings_of_a_section_inside_an_article_under_the_articles_heading",
        .page = "<html><body><article><h1>Post</h1><p>Opening words.</p>"
                "<section><h1>Part One</h1><p>First part words.</p></section>"
                "<section><h1>Part Two</h1><p>Second part words.</p></section>"
                "</article></body></html>",
        .title = "Post",
        .sections = {{"Post", NULL, ""}, {"Part One", NULL, "Post"}, {"Part Two", NULL, "Post"}},
    },

    /* -------------------------------------------------------- anchors */
    {
        .name = "html_anchors_a_section_at_its_headings_id",
        .page = "<html><body><h1 id=\"top\">Bees</h1><p>Intro.</p>"
                "<h2 id=\"swarm-control\">Swarms</h2><p>In May.</p>"
                "</body></html>",
        .sections = {{"Bees", "top", ""}, {"Swarms", "swarm-control", "Bees"}},
    },
    {
        .name = "html_anchors_a_section_at_an_a_id_inside_its_heading",
        .page = "<html><body><h1>Manual</h1><p>Opening words.</p>"
                "<h2><a id=\"install\"></a>Installing</h2><p>Run it.</p>"
                "</body></html>",
        .sections = {{"Installing", "install", "Manual"}},
    },
    {
        .name = "html_anchors_a_section_at_an_a_name_inside_its_heading",
        .page = "<html><body><h1>Manual</h1><p>Opening words.</p>"
                "<h2><a name=\"upgrade\"></a>Upgrading</h2><p>Back up first.</p>"
                "</body></html>",
        .sections = {{"Upgrading", "upgrade", "Manual"}},
    },
    {
        .name = "html_anchors_a_section_at_an_id_inside_its_headings_text",
        .page = "<html><body><h1>Manual</h1><p>Opening words.</p>"
                "<h2>Removing <span id=\"remove\">it</span></h2><p>Delete the folder.</p>"
                "</body></html>",
        .sections = {{"Removing it", "remove", "Manual"}},
    },
    /* Regression (reader_html.c, on_start): an id inside a heading anchors it,
     * even after other ids of the page. When the nearest preceding id was taken
     * as the anchor at the heading's start tag, such an id was never used: the
     * heading was anchored at the earlier id (or, when taken, at a slug that is
     * not in the page). */
    {
        .name = "html_prefers_an_id_inside_the_heading_to_an_earlier_id_of_the_page",
        .page = "<html><body><h1>Manual</h1><p id=\"intro\">Opening words.</p>"
                "<h2><a id=\"install\"></a>Installing</h2><p>Run the installer.</p>"
                "<h2><a name=\"upgrade\"></a>Upgrading</h2><p>Back up first.</p>"
                "<h2>Removing <span id=\"remove\">it</span></h2><p>Delete the folder.</p>"
                "</body></html>",
        .sections = {{"Installing", "install", "Manual"},
                     {"Upgrading", "upgrade", "Manual"},
                     {"Removing it", "remove", "Manual"}},
    },
    {
        .name = "html_anchors_a_sphinx_heading_at_its_sections_id_without_the_pilcrow",
        .page = "<html><body><div role=\"main\">"
                "<section id=\"module-platform\"><h1>" PLATFORM
                "<a class=\"headerlink\" href=\"#module-platform\" title=\"Permalink\">\xC2\xB6</a></h1>"
                "<p>Source code: Lib/platform.py</p>"
                "<section id=\"cross-platform\">\n<h2>Cross Platform<a class=\"headerlink\" "
                "href=\"#cross-platform\" title=\"Permalink to this heading\">\xC2\xB6</a></h2>\n"
                "<dl><dt id=\"platform.architecture\">platform.architecture()<a class=\"headerlink\" "
                "href=\"#platform.architecture\">\xC2\xB6</a></dt><dd><p>Queries the given "
                "executable.</p></dd></dl>\n"
                "<h3>Not First<a class=\"headerlink\" href=\"#x\">\xC2\xB6</a></h3><p>Later words.</p>"
                "</section></section></div></body></html>",
        .title = PLATFORM,
        .sections = {{PLATFORM, "module-platform", ""},
                     {"Cross Platform", "cross-platform", PLATFORM}},
        .untitled = "\xC2\xB6",
        .unique_anchors = 1,  /* none but "Cross Platform" at cross-platform */
    },
    /* Regression (reader_html.c, trim_heading): a trailing '#' that is part of
     * the heading's last word (C#) is kept; a permalink link's '#' is dropped.
     * Once every trailing '#' was dropped as if it were a permalink mark. */
    {
        .name = "html_keeps_a_trailing_hash_that_belongs_to_the_heading",
        .page = "<html><body><h1>Learning C#</h1><p>Some text.</p>"
                "<h2>Calling F# from C#</h2><p>More text.</p>"
                "<h2>Permalinks <a class=\"anchor\" href=\"#p\">#</a></h2>"
                "<p>Even more.</p></body></html>",
        .title = "Learning C#",
        .sections = {{"Calling F# from C#"}, {"Permalinks"}},
    },
    {
        /* An id right before a heading, nothing read between, is its
         * anchor (<a name> in older HTML); one with text after it marks
         * that text, not the heading, which then has none. */
        .name = "html_anchors_a_heading_without_ids_at_an_id_right_before_it",
        .page = "<html><body><h1>Kestrels</h1><p>Small falcons.</p>"
                "<span id=\"hovering-label\"></span>\n<h2>Hovering</h2><p>Into the wind.</p>"
                "<div id=\"prey\"><p>Voles, mostly.</p></div>\n<h2>Prey</h2><p>And beetles.</p>"
                "</body></html>",
        .sections = {{"Hovering", "hovering-label", "Kestrels"}, {"Prey", "", "Kestrels"}},
    },
    {
        /* An empty element's id right before a term, nothing read between
         * (Texinfo writes its index entries' ids there, at the end of the
         * entry above), is the term's place: the term heads a section
         * there, as a term holding the id does. A list's container's id
         * is no term's place: its terms stay text. */
        .name = "html_heads_a_section_with_a_term_right_after_an_empty_elements_id",
        .page = "<html><body><h1>Kiln</h1><h2 id=\"settings\">Settings</h2>"
                "<p>Each line names a setting.</p>\n"
                "<span id=\"index-ramp\"></span>\n<dl><dt><code>ramp</code></dt>"
                "<dd><p>Degrees gained an hour.</p>\n<span id=\"index-hold\"></span>"
                "<span id=\"index-soak\"></span>\n</dd>"
                "<dt><code>hold</code></dt><dd><p>Minutes kept at the peak.</p></dd></dl>"
                "<h2>Glazes</h2><div id=\"glaze-list\"><dl><dt>celadon</dt>"
                "<dd><p>Grey-green.</p></dd><dt>tenmoku</dt><dd><p>Dark brown.</p></dd></dl>"
                "</div></body></html>",
        .sections = {{"Settings", "settings", "Kiln", "names"},
                     {"ramp", "index-ramp", "Kiln > Settings", "gained", "kept"},
                     {"hold", "index-soak", "Kiln > Settings", "peak"},
                     {"Glazes", "", "Kiln", "celadon"}},
    },
    {
        /* A link can only land on an id of the page: without one, a
         * section has no anchor (its links are the page's, with a text
         * fragment), never a made-up slug. */
        .name = "html_leaves_the_anchor_empty_when_the_page_has_no_ids",
        .page = "<html><body><h1>Caf\xC3\xA9 Guide</h1><p>Intro.</p>"
                "<h2>Feeding the Birds: A How-To!</h2><p>Seeds.</p>"
                "</body></html>",
        .sections = {{"Caf\xC3\xA9 Guide", "", ""},
                     {"Feeding the Birds: A How-To!", "", "Caf\xC3\xA9 Guide"}},
    },
    {
        .name = "html_tells_two_headings_of_the_same_text_apart_by_their_trails",
        .page = "<html><body><h1>Recipes</h1><p>Intro.</p>"
                "<h2>Bread</h2><p>Flour.</p><h3>Notes</h3><p>One.</p>"
                "<h2>Cake</h2><p>Sugar.</p><h3>Notes</h3><p>Two.</p>"
                "</body></html>",
        .count = 5,  /* these five, so two titled "Notes" */
        .sections = {{"Recipes", ""}, {"Bread", ""}, {"Notes", "", "Recipes > Bread"},
                     {"Cake", ""}, {"Notes", "", "Recipes > Cake"}},
    },
    {
        .name = "html_anchors_every_passage_at_an_id_of_the_page_when_sections_have_ids",
        .page = "<html><head><title>Docs</title></head><body>"
                "<div class=\"related\" role=\"navigation\"><a href=\"a.html\">prev</a></div>"
                "<div class=\"body\" role=\"main\">"
                "<section id=\"tutorial\"><span id=\"tut-label\"></span><h1>Tutorial"
                "<a class=\"headerlink\" href=\"#tutorial\">\xC2\xB6</a></h1>"
                "<p>Words before the first subsection.</p>"
                "<section id=\"first-steps\"><h2>First Steps<a class=\"headerlink\" "
                "href=\"#first-steps\">\xC2\xB6</a></h2><p>Install it.</p>"
                "<section id=\"on-windows\"><h3>On Windows</h3><p>Use the installer.</p></section>"
                "<section id=\"on-linux\"><h3>On Linux</h3><p>Use the package manager.</p>"
                "<p id=\"from-source\">Or build it yourself.</p></section>"
                "</section>"
                "<section id=\"notes\"><h2>Notes</h2><p>A closing remark.</p>"
                "<div class=\"admonition\" id=\"warning-1\"><p>Mind the gap.</p></div></section>"
                "</section></div></body></html>",
        .anchors_are_ids = 1,
        .sections = {{"First Steps", "first-steps", "Tutorial"},
                     {"On Linux", "on-linux", "Tutorial > First Steps"}},
    },

    /* ------------------------------------------------------- not read */
    {
        .name = "html_skips_script_style_nav_aside_template_ignored_and_page_header_footer",
        .page = "<html><head><title>Page</title><style>.zzstyle { color: red }</style>"
                "<script>var zzscripthead = 1;</script></head><body>"
                "<header><p>zzheader site banner words</p></header>"
                "<nav><ul><li><a href=\"/\">zznav home</a></li></ul></nav>"
                "<div role=\"navigation\"><p>zzrolenav breadcrumbs</p></div>"
                "<h1>Pond Life</h1><p>Frogs spawn in March in shallow water.</p>"
                "<script>document.write('zzscriptbody');</script>"
                "<aside><p>zzaside related reading</p></aside>"
                "<template><p>zztemplate hidden content</p></template>"
                "<div data-rubric-ignore><p>zzignoreddiv advert</p></div>"
                "<p>Newts <span data-rubric-ignore=\"\">zzignoredspan</span>come later.</p>"
                "<h2>Dragonflies</h2><p>Larvae live two years under water.</p>"
                "<footer><p>zzfooter copyright notice</p></footer>"
                "</body></html>",
        .nowhere = {"zzstyle", "zzscripthead", "zzheader", "zznav", "zzrolenav", "zzscriptbody",
                    "zzaside", "zztemplate", "zzignoreddiv", "zzignoredspan", "zzfooter"},
        .holding = {"Frogs spawn", "come later", "Larvae"},
    },
    {
        .name = "html_reads_an_articles_own_header_with_its_h1",
        .page = "<html><body><header><p>zzsiteheader</p></header>"
                "<article><header><h1>Hedgehog Season</h1><p>By a keen gardener</p></header>"
                "<p>Hedgehogs wake in April and roam far at night.</p></article>"
                "<footer><p>zzsitefooter</p></footer></body></html>",
        .title = "Hedgehog Season",
        .sections = {{"Hedgehog Season"}},
        .holding = {"Hedgehogs wake", "keen gardener"},
        .nowhere = {"zzsiteheader", "zzsitefooter"},
    },
    {
        .name = "html_reads_only_the_main_element_when_the_page_has_one",
        .page = "<html><body><div><p>zzbefore sidebar words</p></div>"
                "<main><h1>Otters</h1><p>Otters fish at dawn.</p></main>"
                "<div><p>zzafter related links</p></div></body></html>",
        .holding = {"Otters fish"},
        .nowhere = {"zzbefore", "zzafter"},
    },
    {
        .name = "html_reads_only_the_role_main_element_when_the_page_has_one",
        .page = "<html><body><div class=\"menu\"><p>zzbefore sidebar words</p></div>"
                "<div class=\"content\" role=\"main\"><h1>Otters</h1><p>Otters fish at dawn.</p>"
                "</div><div><p>zzafter related links</p></div></body></html>",
        .holding = {"Otters fish"},
        .nowhere = {"zzbefore", "zzafter"},
    },
    /* Regression (reader_html.c, read_html): whether the page has a main element
     * is decided from the parse, so a page that only mentions "<main" or
     * role="main" (in its text, or in a comment) is read in full. When it was
     * guessed by searching the raw bytes, such a page was read as if its main
     * content were empty: nothing was read and rubric_doc_read failed with "no
     * text to index". */
    {
        .name = "html_reads_a_page_that_only_mentions_role_main_in_its_text",
        .page = "<html><body><h1>ARIA landmarks</h1><p>Mark the content with "
                "<code>&lt;div role=\"main\"&gt;</code> so screen readers find it.</p>"
                "</body></html>",
        .holding = {"screen readers"},
    },
    {
        .name = "html_reads_a_page_that_only_mentions_main_in_a_comment",
        .page = "<html><body><!-- <main> was removed in 2019 --><h1>Notes</h1>"
                "<p>Some text about tides.</p></body></html>",
        .holding = {"about tides"},
    },
    {
        .name = "html_excludes_a_noindex_page_with_no_passages",
        .page = "<html><head><meta name=\"robots\" content=\"noindex, nofollow\">"
                "<title>Private</title></head><body><h1>Private</h1>"
                "<p>Do not index these words.</p></body></html>",
        .excluded = YES,
    },
    {
        /* Texinfo writes such a page for every node and anchor: its text
         * only says where the node is. */
        .name = "html_excludes_a_page_that_redirects_at_once_to_another",
        .page = "<html><head><meta http-equiv=\"Refresh\" content=\"0; url=Expansion.html"
                "#Filename-Expansion\"><title>Filename Expansion</title></head><body>"
                "<p>The node you are looking for is at <a href=\"Expansion.html"
                "#Filename-Expansion\">Filename Expansion</a>.</p></body></html>",
        .excluded = YES,
    },
    {
        .name = "html_keeps_a_page_that_redirects_later_or_reloads_or_moves_within_itself",
        .page = "<html><head><meta http-equiv=\"refresh\" content=\"5; url=new.html\">"
                "<meta http-equiv=\"refresh\" content=\"30\">"
                "<meta http-equiv=\"refresh\" content=\"0; url=#latest\"></head>"
                "<body><p>Scores so far.</p></body></html>",
        .excluded = NO,
        .holding = {"Scores"},
    },
    {
        .name = "html_does_not_exclude_a_page_whose_description_says_noindex",
        .page = "<html><head><meta name=\"description\" content=\"noindex\"></head>"
                "<body><p>Fine to index.</p></body></html>",
        .excluded = NO,
    },
    {
        /* Read in UTF-8, its byte ranges still the page's own. */
        .name = "html_reads_a_page_in_the_charset_it_declares",
        .page = "<html><head><meta charset=\"iso-8859-1\"><title>Menu</title></head><body>"
                "<h1>Caf\xE9s</h1><p>Open late; cr\xE8me br\xFBl\xE9" "e every night.</p>"
                "<h2 id=\"soup\">Soup</h2><p>Leek and potato, with rye bread.</p></body></html>",
        .title = "Caf\xC3\xA9s",
        .sections = {{"Soup", "soup", "Caf\xC3\xA9s", "potato"}},
        .holding = {"cr\xC3\xA8me br\xC3\xBBl\xC3\xA9" "e every"},
        .valid_utf8 = 1,
        .ranges = 1,
    },
    {
        /* Apache's Korean manual: a page mostly of bytes that are not UTF-8. */
        .name = "html_reads_a_page_in_euc_kr_as_it_declares",
        .page = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
                "charset=EUC-KR\"></head><body>"
                "<h1>\xB4\xD9\xC1\xDF\xC3\xB3\xB8\xAE \xB8\xF0\xB5\xE2</h1>"
                "<p>MPM \xB8\xF0\xB5\xE2\xC0\xBA \xBC\xAD\xB9\xF6\xC0\xC7 "
                "\xB1\xE2\xB4\xC9\xC0\xBB \xC8\xAE\xC0\xE5\xC7\xD1\xB4\xD9</p></body></html>",
        .title = "\xEB\x8B\xA4\xEC\xA4\x91\xEC\xB2\x98\xEB\xA6\xAC \xEB\xAA\xA8\xEB\x93\x88",
        .holding = {"\xEB\xAA\xA8\xEB\x93\x88\xEC\x9D\x80 \xEC\x84\x9C\xEB\xB2\x84\xEC\x9D\x98"},
        .ranges = 1,
    },
    {
        /* Valid UTF-8 is UTF-8, whatever the page says (not "CafÃ©"). */
        .name = "html_reads_a_utf8_page_as_utf8_though_it_declares_another_charset",
        .page = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
                "charset=iso-8859-1\"></head><body><p>Caf\xC3\xA9 au lait.</p></body></html>",
        .holding = {"Caf\xC3\xA9 au"},
    },
    {
        .name = "html_decodes_character_references_in_titles_and_text",
        .page = "<html><body><h1>Fish &amp; Chips &eacute;t&eacute; &#x263A;</h1>"
                "<p>Salt&nbsp;and vinegar &amp; more &#233;&lt;tags&gt;.</p>"
                "<h2>Caf&eacute;s &#38; Bars</h2><p>Open late.</p></body></html>",
        .title = "Fish & Chips \xC3\xA9t\xC3\xA9 \xE2\x98\xBA",
        .sections = {{"Caf\xC3\xA9s & Bars"}},
        .either = {"Salt\xC2\xA0" "and", "Salt and"},
        .holding = {"vinegar & more \xC3\xA9<tags>."},
        .nowhere = {"&amp;", "&eacute;", "&#"},
    },
    {
        .name = "html_decodes_character_references_in_the_title_element",
        .page = "<html><head><title>Caf&eacute; &amp; Bar</title></head>"
                "<body><p>Coffee all day.</p></body></html>",
        .title = "Caf\xC3\xA9 & Bar",
    },

    /* --------------------------------------------------- link density */
    {
        .name = "html_marks_a_list_of_unrelated_links_as_boilerplate",
        .page = SOURDOUGH_PROSE
                "<ul>"
                "<li><a href=\"/celebs/yacht.html\">Celebrity Yacht Gossip Revealed</a></li>"
                "<li><a href=\"/deals/coupons.html\">Printable Coupon Codes Tonight</a></li>"
                "<li><a href=\"/games/racing.html\">Unblocked Racing Games Online</a></li>"
                "<li><a href=\"/money/crypto.html\">Crypto Millionaire Secrets Exposed</a></li>"
                "<li><a href=\"/health/knees.html\">Doctors Hate This Knee Trick</a></li>"
                "<li><a href=\"/tv/finale.html\">Shocking Season Finale Twist</a></li>"
                "</ul><p>Slice the loaf only once it has cooled.</p></body></html>",
        .boilerplate = "Yacht Gossip",
        .content = {"Hydration is", "Slice the loaf"},
    },
    {
        .name = "html_keeps_a_list_of_links_in_the_pages_own_words_as_content",
        .page = SOURDOUGH_PROSE
                "<ul>"
                "<li><a href=\"/starter.html\">Feeding the sourdough starter</a></li>"
                "<li><a href=\"/hydration.html\">Dough hydration and weight</a></li>"
                "<li><a href=\"/crumb.html\">An open crumb</a></li>"
                "<li><a href=\"/crust.html\">A crisp blistered crust</a></li>"
                "<li><a href=\"/proof.html\">Proof the dough overnight</a></li>"
                "<li><a href=\"/yeast.html\">Wild yeast and bacteria</a></li>"
                "</ul></body></html>",
        .content = {"Wild yeast and bacteria"},
    },
    {
        .name = "html_keeps_a_paragraph_with_one_link_as_content",
        .page = "<html><body><h1>Knife Care</h1><p>Hone the edge before each use and "
                "<a href=\"https://example.com/whetstones\">sharpen it on a whetstone</a> "
                "every few months; wash by hand and dry at once.</p></body></html>",
        .content = {"whetstone"},
    },

    {
        .name = "html_marks_a_bar_of_page_links_before_a_heading_as_boilerplate",
        .page = "<html><body><h1>Kilns</h1><p>Every kiln needs a vent and a sitter.</p>"
                "<p>Next: <a href=\"glazes.html\">Glazes</a>, Up: "
                "<a href=\"index.html\">Quillhaven Pottery</a></p>"
                "<h2 id=\"vents\">Vents</h2><p>A vent draws fumes out.</p></body></html>",
        .boilerplate = "Quillhaven",
        .content = {"needs a vent", "draws fumes"},
    },
    {
        /* Its links name pages on the page's own subject, in the words of
         * its prose, and are nearly all its text: still a bar, at the edge. */
        .name = "html_marks_a_bar_of_links_to_pages_on_the_same_subject_as_boilerplate",
        .page = "<html><body><h2 id=\"perm\">Permutation Matrices</h2><p>A permutation matrix permutes "
                "rows; diagonal matrices scale them, and the algebra of both is cheap.</p>"
                "<p>Previous: <a href=\"diag.html\">Diagonal Matrices</a>, "
                "Up: <a href=\"algebra.html\">Algebra with Permutation Matrices</a> "
                "[<a href=\"index.html#toc\">Contents</a>]</p></body></html>",
        .boilerplate = "Previous",
        .content = {"permutes rows"},
    },
    {
        /* Headings that are links to other pages, nothing under them: a
         * table of contents, not sections. One with text under it stays. */
        .name = "html_takes_headings_that_only_link_elsewhere_for_a_table_of_contents",
        .page = "<html><body><h1>Kiln FAQ</h1><p>Questions potters ask.</p>"
                "<h2>Contents</h2><dl><dt><h3><a href=\"faq1.html#q1\">1.1: Why does "
                "glaze crawl?</a></h3></dt><dt><h3><a href=\"faq1.html#q2\">1.2: How hot "
                "is cone 6?</a></h3></dt></dl>"
                "<h2><a href=\"news.html\">Firing news</a></h2><p>A new kiln opened.</p>"
                "</body></html>",
        .sections = {{"Contents", "", "Kiln FAQ"}, {"Firing news", "", "Kiln FAQ", "opened"}},
        .boilerplate = "crawl",
        .content = {"Questions potters"},
    },
    {
        .name = "html_keeps_a_sentence_naming_its_links_inside_a_section_as_content",
        .page = "<html><body><h1>Kilns</h1><p>Every kiln needs a vent and a sitter.</p>"
                "<p>See <a href=\"#vent\">vent</a> and <a href=\"#sitter\">sitter</a>.</p>"
                "<p>A sitter stops the firing at the right cone.</p></body></html>",
        .content = {"See vent and sitter"},
    },
    {
        .name = "html_marks_a_list_of_links_to_the_pages_own_headings_as_boilerplate",
        .page = "<html><body><h1>Kilns</h1><ul>"
                "<li><a href=\"#vents\">Vents</a></li><li><a href=\"#sitters\">Sitters</a></li>"
                "<li><a href=\"#cones\">Cones and zorbleton</a></li></ul>"
                "<h2 id=\"vents\">Vents</h2><p>Vents draw fumes out.</p>"
                "<h2 id=\"sitters\">Sitters</h2><p>Sitters stop a firing.</p>"
                "<h2 id=\"cones\">Cones</h2><p>Cones bend when the heat is right.</p>"
                "</body></html>",
        .boilerplate = "zorbleton",
        .content = {"bend when"},
    },
    {
        .name = "html_keeps_a_boxed_headings_text_in_its_section_without_a_section_of_its_own",
        .page = "<html><body><h1>Kilns</h1><h2 id=\"vents\">Vents</h2><p>A vent draws fumes.</p>"
                "<div class=\"box\"><h3>Careful</h3><p>Never block the vent.</p></div>"
                "<p>Open it fully at first.</p><h2 id=\"cones\">Cones</h2><p>Cones bend.</p>"
                "</body></html>",
        .sections = {{"Vents", "vents", "Kilns", .holds = "Never block the vent"},
                     {"Cones", "cones", "Kilns"}},
        .untitled = "Careful",
        .count = 3,
    },
    {
        .name = "html_reads_the_footnotes_of_an_aside_and_skips_a_sidebar_aside",
        .page = "<html><body><h1>Kilns</h1><p>A kiln fires clay.<a href=\"#f1\">1</a></p>"
                "<aside class=\"notes\"><aside id=\"f1\" role=\"doc-footnote\">"
                "<p>Earthenware fires at the lowest quiblent heat.</p></aside></aside>"
                "<aside><p>Buy our zorbleton mugs.</p></aside></body></html>",
        .holding = {"quiblent"},
        .nowhere = {"zorbleton"},
    },
    {
        .name = "html_keeps_a_page_header_that_holds_the_h1_and_anchors_the_title_there",
        .page = "<html><body><header id=\"title-block\"><h1>Kilns</h1>"
                "<p>by Ada Quillfeather</p></header><p>A kiln fires clay.</p>"
                "<h2 id=\"vents\">Vents</h2><p>Vents draw fumes.</p></body></html>",
        .title = "Kilns",
        .sections = {{"Kilns", "title-block", "", .holds = "Quillfeather"}},
    },

    {
        .name = "html_marks_an_index_of_linked_entries_with_glosses_as_boilerplate",
        .make = module_index,
        .boilerplate = "zorbmod7",
        .content = {"Every module here"},
    },
    {
        .name = "html_keeps_a_definition_list_of_unlinked_names_with_linked_glosses_as_content",
        .make = settings_list,
        .content = {"Flangeport7", "Legacy option 3"},
    },
    {
        .name = "html_marks_a_definition_list_of_linked_names_as_an_index",
        .make = linked_terms_index,
        .boilerplate = "spool_open_7",
        .content = {"Every symbol"},
    },
    {
        .name = "html_marks_a_definition_list_of_names_followed_by_their_places_as_an_index",
        .make = places_index,
        .boilerplate = "retry7",
        .content = {"Where each idea"},
    },
    {
        .name = "html_keeps_a_table_of_short_facts_with_a_few_links_as_content",
        .make = facts_table,
        .content = {"quiblent7"},
    },

    /* -------------------------------------------------- long sections */
    {
        .name = "html_splits_a_long_section_into_parts_keeping_title_and_trail",
        .make = long_section,
        .max_text = 2400,
        .parts = {"Oven Spring", 3, "Baking"},
        .holding = {"Paragraph 0:", "Paragraph 23:", "Definition 3:"},
        .anchors_are_ids = 1,
    },

    /* ------------------------------------------------------ malformed */
    {
        .name = "html_reads_unclosed_tags",
        .page = "<p>one<p>two<div>three",
        .holding = {"one", "two", "three"},
    },
    {
        .name = "html_reads_text_with_stray_lt_and_ampersand",
        .page = "<html><body><h1>Maths</h1><p>apples < bananas && cherries "
                "> dates & elderberries &unknown; figs <3 grapes</p>"
                "<p>x<y and a & b</p></body></html>",
        .holding = {"apples", "bananas", "cherries", "dates", "elderberries", "figs", "grapes",
                    "&"},
        .valid_utf8 = 1,
    },
    {
        .name = "html_survives_a_heading_that_is_never_closed",
        .page = "<html><body><h1>Page</h1><p>Intro words.</p>"
                "<h2>Unclosed heading<p>Body text after it.</p>"
                "<p>More body text.</p></body></html>",
        .somewhere = {"Unclosed heading", "Body text after it", "More body text"},
        .holding = {"Intro words"},
    },
    /* Regression (reader_html.c, cut_heading): a heading longer than
     * HEADING_TEXT_MAX (1024 bytes) is one that was never closed, like an h2
     * that libxml2 never closes because only inline content follows: its first
     * words become the title and the rest reads as text, so titles, anchors and
     * trail entries stay within 1024 bytes. When a heading's text was not
     * bounded, such an h2 became a title, a slug anchor and a trail entry as
     * long as the rest of the page. */
    {
        .name = "html_bounds_the_title_and_anchor_of_a_heading_that_is_never_closed",
        .make = heading_never_closed,
        .max_name = 1024,
    },
    {
        .name = "html_reads_attributes_without_quotes",
        .page = "<html><body><section id=plain-section><h1 class=big>Moths"
                "</h1><p>Night flyers.</p></section>"
                "<h2 id=unquoted-id class=x data-x=1>Lights</h2>"
                "<p>Moths circle lamps.</p></body></html>",
        .sections = {{"Moths", "plain-section", ""}, {"Lights", "unquoted-id", "Moths"}},
    },
    {
        .name = "html_reads_a_document_that_is_only_text",
        .page = "Just some words about tide pools, with no tags at all.\n",
        .holding = {"tide pools"},
        .count = 1,
    },
    {.name = "html_survives_an_empty_html_element", .page = "<html></html>", .empty = 1},
    {
        .name = "html_survives_an_empty_head_and_body",
        .page = "<html><head></head><body></body></html>",
        .empty = 1,
    },
    {.name = "html_survives_a_page_that_is_only_a_doctype", .page = "<!DOCTYPE html>", .empty = 1},
    {.name = "html_survives_a_page_that_is_only_white_space", .page = "   \n", .empty = 1},
    {
        .name = "html_keeps_titles_and_text_valid_utf8_despite_invalid_bytes",
        .page = "<html><head><title>Bad \xFF title</title></head><body>"
                "<h2 id=\"caf\xE9\">Head\xFE\xC3ing \xC3\xA9</h2>"
                "<p>Text \x80\x81 with a few bad bytes \xE2\x82 in the middle, and plenty of "
                "good words around them so the page still reads as UTF-8 text.</p>"
                "<p>A second paragraph with more ordinary words about rivers, lakes and seas.</p>"
                "</body></html>",
        .valid_utf8 = 1,
        .holding = {"good words"},
    },

    /* ---------------------------------------------------- byte ranges */
    {
        .name = "html_keeps_each_passage_byte_range_around_its_text_in_the_source",
        .page = "<!DOCTYPE html>\n<html>\n<head>\n<title>Tides</title>\n</head>\n<body>\n"
                "<h1>Tides</h1>\n<p>Twice a day the sea rises and falls along the coast.</p>\n"
                "<h2>Spring Tides</h2>\n<p>Sun and moon pull together at new and full moon.</p>\n"
                "<p>Ranges are largest then.</p>\n"
                "<h2>Neap Tides</h2>\n<p>Quarter moons give the smallest range.</p>\n"
                "<h3>Empty</h3>\n"
                "<h2>Tide Tables</h2>\n<ul><li>High water</li><li>Low water</li></ul>\n"
                "</body>\n</html>\n",
        .ranges = 1,
    },
};

/* ----------------------------------------------------- hostile input */

static void html_reads_100000_nested_divs_and_keeps_what_surrounds_them(void)
{
    sbuf b = {0};
    sb_puts(&b, "<html><body><h1>Deep</h1><p>Before the divs.</p>");
    for (int i = 0; i < 100000; i++) sb_puts(&b, "<div>");
    sb_puts(&b, "deep text");
    for (int i = 0; i < 100000; i++) sb_puts(&b, "</div>");
    sb_puts(&b, "<p>After the divs.</p></body></html>");
    rubric_doc *d = NULL;
    char *err = NULL;
    double t0 = now_seconds();
    int rc = rubric_doc_read("page.html", b.data, b.len, &d, &err);
    double elapsed = now_seconds() - t0;
    printf("     (100000 nested divs: %.2f s)\n", elapsed);
    CHECK(rc == RUBRIC_OK);
    if (d) CHECK(holding(d, "Before the divs") != NULL);
    free(err);
    rubric_doc_free(d);
    free(b.data);
}

/* 50,000 sections of one id (headed alike but for a number: the same words
 * would be a template's labels): each is anchored at that id, the only
 * place of the page it names, told apart by its part number, and the page
 * is read in seconds (repeats once cost a probe of every earlier anchor:
 * two minutes for this page). */
static void html_gives_50000_sections_of_one_heading_and_id_that_id_and_distinct_parts(void)
{
    enum { SECTIONS = 50000 };
    sbuf b = {0};
    sb_puts(&b, "<html><body><h1>Repeats</h1>\n");
    for (int i = 0; i < SECTIONS; i++) {
        char line[96];
        snprintf(line, sizeof line, "<h2 id=\"same\">Same Heading %d</h2><p>Words.</p>\n", i);
        sb_puts(&b, line);
    }
    sb_puts(&b, "</body></html>\n");
    double t0 = now_seconds();
    rubric_doc *d = read_page_len(b.data, b.len);
    double elapsed = now_seconds() - t0;
    printf("     (%d sections of one heading: %.2f s)\n", SECTIONS, elapsed);
    size_t n = d ? rubric_doc_count(d) : 0;
    CHECK(n >= SECTIONS);
    size_t wrong = 0;
    for (size_t i = 1; i < n; i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        wrong += strcmp(p->anchor, "same") != 0 || p->part != i - 1;
    }
    CHECK(d && wrong == 0);
    rubric_doc_free(d);
    free(b.data);
}

/* A million attributes on one element: the first 256 count (an id among
 * them still anchors its heading), the rest are blanked before the parser
 * sees them, so the page is read at once and every offset stays true. */
static void html_reads_an_element_with_a_million_attributes_at_once(void)
{
    sbuf b = {0};
    sb_puts(&b, "<html><body><h1>Flood</h1><p>Before.</p><h2 id=\"kept\"");
    for (int i = 0; i < 1000000; i++)
        sb_printf(&b, " a%d=\"x>\"", i);
    sb_puts(&b, ">Heavy Heading</h2><p>After the flood comes plain text.</p>\n");
    sb_puts(&b, "<h2");
    for (int i = 0; i < 300; i++)
        sb_printf(&b, " b%d", i);
    sb_puts(&b, " id=\"dropped\">Late Id</h2><p>Tail words.</p></body></html>\n");
    double t0 = now_seconds();
    rubric_doc *d = read_page_len(b.data, b.len);
    double elapsed = now_seconds() - t0;
    printf("     (1,000,000 attributes: %.2f s)\n", elapsed);
    const rubric_passage *heavy = d ? holding(d, "After the flood") : NULL;
    CHECK(heavy && strcmp(heavy->anchor, "kept") == 0 && strcmp(heavy->title, "Heavy Heading") == 0);
    CHECK(heavy && heavy->end <= b.len &&
          find_bytes(b.data + heavy->start, heavy->end - heavy->start, "After the flood", 15));
    const rubric_passage *late = d ? holding(d, "Tail words") : NULL;
    CHECK(late && strcmp(late->anchor, "") == 0);  /* its id was the 301st */
    CHECK(d && rubric_doc_notes(d) && strstr(rubric_doc_notes(d), "past the 256th of 2 elements"));
    rubric_doc_free(d);
    free(b.data);
}

/* The terms a definition list defines (an option of a manual page's
 * OPTIONS) are the passage's terms, one a line, and stay in its text; a term
 * that opens with a link cites a place elsewhere (Python's "PEP 479 - ..."
 * lists) and is no term of this one, nor is navigation. */
static void a_definition_lists_terms_are_its_passages_terms(void)
{
    static const char page[] =
        "<html><body><h1>git-rebase</h1><h2 id=\"_options\">OPTIONS</h2><div class=\"dlist\"><dl>"
        "<dt class=\"hdlist1\">--onto &lt;newbase&gt;</dt><dd><p>Starting point at which to "
        "create the new commits.</p></dd>"
        "<dt class=\"hdlist1\">--keep-base</dt><dd><p>Set the starting point to the merge "
        "base.</p></dd></dl></div>"
        "<h2 id=\"_see\">SEE ALSO</h2><dl><dt><a href=\"https://example.org/pep-0479\">PEP 479"
        "</a> - Change iteration handling</dt><dd><p>Written by two people.</p></dd></dl>"
        "</body></html>";
    rubric_doc *d = read_page_len(page, sizeof page - 1);
    const rubric_passage *opts = d ? holding(d, "Starting point") : NULL;
    const rubric_passage *see = d ? holding(d, "Written by") : NULL;
    CHECK_STR(opts ? opts->terms : NULL, "--onto <newbase>\n--keep-base");
    CHECK(opts && find_bytes(opts->text, opts->text_len, "--onto <newbase>", 16));
    CHECK_STR(see ? see->terms : NULL, "");
    rubric_doc_free(d);
}

/* A table of one row whose first cell is a single name, above prose (an
 * option's name, use, type and default, then what it does), defines that
 * name as a list's term does; a summary table of many rows defines nothing,
 * nor does a one-row table with a sentence in its first cell, or one that
 * prose does not follow. */
static void a_one_row_table_naming_a_name_defines_it(void)
{
    static const char page[] =
        "<html><body><h1>Spool options</h1>"
        "<h2 id=\"summary\">Summary</h2><table>"
        "<tr><td>queue_depth</td><td>how many messages wait</td></tr>"
        "<tr><td>queue_wait</td><td>how long a message waits</td></tr></table>"
        "<p>The summary lists each option once.</p>"
        "<h2 id=\"list\">List of options</h2>"
        "<table><tr><td><span class=\"option\">queue_depth</span></td><td>Use: main</td>"
        "<td>Type: integer</td><td>Default: 10</td></tr></table>"
        "<p>How many messages may wait in the spool at once.</p>"
        "<table><tr><td>queue wait time</td><td>Use: main</td></tr></table>"
        "<p>How long a message waits before it is tried again.</p>"
        "<table><tr><td>queue_flush</td><td>Use: main</td></tr></table>"
        "<table><tr><td>queue_limit</td><td>Use: main</td></tr></table>"
        "<p>The limit of the spool.</p>"
        "</body></html>";
    rubric_doc *d = read_page_len(page, sizeof page - 1);
    const rubric_passage *summary = d ? holding(d, "lists each option") : NULL;
    const rubric_passage *list = d ? holding(d, "may wait in the spool") : NULL;
    CHECK_STR(summary ? summary->terms : NULL, "");
    CHECK_STR(list ? list->terms : NULL, "queue_depth\nqueue_limit");
    rubric_doc_free(d);
}

/* The ids written between blocks place what follows them: the section's
 * own, and Texinfo's index entries after a section's heading and before a
 * term, are places of those passages (rubric_passage.places); an id right
 * before text in the same block names that text (gtk-doc's members), and
 * one inside a sentence marks a mention (Sphinx's index targets): neither
 * is a place. */
static void ids_between_blocks_are_the_places_of_what_follows(void)
{
    static const char page[] =
        "<html><body><div id=\"Ops\"><h3>8.3 Arithmetic Operators</h3>\n"
        "<span id=\"index-addition\"></span>\n<span id=\"index-exponentiation\"></span>\n"
        "<p>These operators work on scalars and matrices.</p>\n"
        "<span id=\"index-until\"></span><span id=\"index-loops_002c-until\"></span>\n"
        "<dl><dt><code>until list do list done</code></dt><dd><p>Runs the body while the "
        "test fails.</p></dd></dl>\n"
        "<h3 id=\"members\">Members</h3>\n<p><a name=\"SPOOL-MODE-FAST:CAPS\"></a>"
        "SPOOL_MODE_FAST selects the fast path, and the <span id=\"index-0-command:spool\">"
        "</span><code>spool()</code> command says so.</p>\n</div></body></html>";
    rubric_doc *d = read_page_len(page, sizeof page - 1);
    const rubric_passage *ops = d ? holding(d, "work on scalars") : NULL;
    const rubric_passage *until = d ? holding(d, "while the test fails") : NULL;
    const rubric_passage *members = d ? holding(d, "fast path") : NULL;
    CHECK_STR(ops ? ops->places : NULL, "Ops\nindex-addition\nindex-exponentiation");
    CHECK_STR(until ? until->anchor : NULL, "index-loops_002c-until");
    CHECK_STR(until ? until->places : NULL, "index-until\nindex-loops_002c-until");
    CHECK_STR(members ? members->places : NULL, "members");
    rubric_doc_free(d);
}

/* An XHTML page's internal DTD subset is declarations, not text: none of it
 * is indexed, and offsets after it stay true. */
static void xhtml_internal_dtd_subset_is_not_text(void)
{
    static const char page[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE html [\n<!ENTITY lol \"lol ]> trap\">\n"
        "<!ENTITY lol1 \"&lol;&lol;&lol;\">\n]>\n"
        "<html xmlns=\"http://www.w3.org/1999/xhtml\"><body><h1>Laughs</h1>"
        "<p>Plain words only.</p></body></html>\n";
    rubric_doc *d = read_page_len(page, sizeof page - 1);
    CHECK(d != NULL);
    for (size_t i = 0; d && i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        CHECK(!find_bytes(p->text, p->text_len, "ENTITY", 6));
        CHECK(!find_bytes(p->text, p->text_len, "trap", 4));
        CHECK(p->end <= sizeof page - 1);
    }
    const rubric_passage *p = d ? holding(d, "Plain words") : NULL;
    CHECK(p && find_bytes(page + p->start, p->end - p->start, "Plain words", 11));
    rubric_doc_free(d);
}

static void html_reads_a_20_mb_page_of_paragraphs(void)
{
    sbuf b = {0};
    sb_puts(&b, "<html><head><title>Big</title></head><body><h1>Big Page</h1>\n");
    for (size_t i = 0; b.len < (size_t)20 * 1024 * 1024; i++) {
        if (i % 500 == 0) sb_printf(&b, "<h2>Chapter %zu</h2>\n", i / 500);
        sb_printf(&b, "<p>Paragraph %zu: rivers carry silt to the sea, and deltas grow "
                      "where the current slows and drops its load.</p>\n",
                  i);
    }
    sb_puts(&b, "</body></html>\n");
    double t0 = now_seconds();
    rubric_doc *d = read_page_len(b.data, b.len);
    double elapsed = now_seconds() - t0;
    printf("     (20 MB page: %.2f s, %zu passages)\n", elapsed,
           d ? rubric_doc_count(d) : (size_t)0);
    if (d) {
        CHECK(rubric_doc_count(d) > 100);
        const rubric_passage *last = rubric_doc_passage(d, rubric_doc_count(d) - 1);
        CHECK(last && last->end <= b.len);
        CHECK(last && find_bytes(last->text, last->text_len, "deltas", 6));
    }
    rubric_doc_free(d);
    free(b.data);
}

/* A page in a charset the system cannot convert is skipped, and the message
 * says which charset it declared; so is one whose bytes are not of it. */
static void html_in_an_unknown_charset_is_skipped_naming_it(void)
{
    static const char *const pages[] = {
        "<html><head><meta charset=\"x-unheard-of\"></head><body><p>caf\xE9</p></body></html>",
        "<html><head><meta charset=\"euc-kr\"></head><body><p>caf\xE9\xFF</p></body></html>",
    };
    for (size_t i = 0; i < N(pages); i++) {
        rubric_doc *d = NULL;
        char *err = NULL;
        int rc = rubric_doc_read("page.html", pages[i], strlen(pages[i]), &d, &err);
        CHECK(rc == RUBRIC_EINPUT && !d);
        CHECK(err && strstr(err, i ? "euc-kr" : "x-unheard-of"));
        if (err && !strstr(err, i ? "euc-kr" : "x-unheard-of"))
            fprintf(stderr, "  message: %s\n", err);
        free(err);
        rubric_doc_free(d);
    }
}

/* Converting keeps an offset per byte: a page in another charset over 8 MiB
 * is skipped, saying so, rather than converted. */
static void html_too_large_to_convert_is_skipped_saying_so(void)
{
    sbuf b = {0};
    sb_puts(&b, "<html><head><meta charset=\"iso-8859-1\"></head><body>");
    while (b.len < (9u << 20))
        sb_puts(&b, "<p>Caf\xE9 cr\xE8me, br\xFBl\xE9\xE9 et na\xEF" "f.</p>\n");
    sb_puts(&b, "</body></html>");
    rubric_doc *d = NULL;
    char *err = NULL;
    int rc = rubric_doc_read("page.html", b.data, b.len, &d, &err);
    CHECK(rc == RUBRIC_EINPUT && !d);
    CHECK(err && strstr(err, "too large to convert from iso-8859-1"));
    free(err);
    rubric_doc_free(d);
    free(b.data);
}

int main(void)
{
    for (size_t i = 0; i < N(rows); i++)
        RUN_NAMED(rows[i].name, check_row(&rows[i]));
    RUN(html_reads_100000_nested_divs_and_keeps_what_surrounds_them);
    RUN(html_gives_50000_sections_of_one_heading_and_id_that_id_and_distinct_parts);
    RUN(a_definition_lists_terms_are_its_passages_terms);
    RUN(a_one_row_table_naming_a_name_defines_it);
    RUN(ids_between_blocks_are_the_places_of_what_follows);
    RUN(html_reads_an_element_with_a_million_attributes_at_once);
    RUN(xhtml_internal_dtd_subset_is_not_text);
    RUN(html_reads_a_20_mb_page_of_paragraphs);
    RUN(html_in_an_unknown_charset_is_skipped_naming_it);
    RUN(html_too_large_to_convert_is_skipped_saying_so);
    return HARNESS_END();
}
