/* test_generators.c: the HTML reader on pages written in the markup of the
 * documentation generators rubric is pointed at most (Sphinx, DocBook XSL,
 * gtk-doc, Texinfo old and new, AsciiDoc, Asciidoctor, mdBook, rustdoc,
 * Doxygen, MkDocs, pandoc old and new). Each page is
 * tests/fixtures/generators/NAME.html (under $RUBRIC_SRCDIR, default "."),
 * small and written by hand in the element structure, class names, id
 * conventions and navigation chrome its generator emits. Beside it,
 * NAME.sections says what reading it must give:
 *
 *   #nav<TAB>WORDS                  words found only in the page's chrome
 *   TITLE<TAB>ANCHOR<TAB>TRAIL<TAB>WORDS
 *                                   one line per content section, in order;
 *                                   TRAIL's entries joined by " > ", WORDS
 *                                   (space-separated) all in its text
 *
 * Other lines starting with '#' are comments. The golden lines state what is
 * right for a reader of the page, whatever rubric gives today: an
 * admonition's title ("Note", "Warning") is no section, and its text belongs
 * to the section around it; a trail never repeats an entry nor holds the
 * section's own title; an anchor is an id or an <a name> of the page (the
 * heading's, its section's, the nearest enclosing element's, or an empty
 * <a> just before the heading), else ""; navigation is no content.
 *
 * One test per page checks:
 *   (a) the sections, in order, against the golden lines (title, anchor,
 *       trail, words held as whole words): the passages that are not
 *       boilerplate and have text, consecutive ones of one title and trail
 *       taken as the parts of one section (checked by its first part, words
 *       in any part; a later part may link to an id nearer its text);
 *   (b) every passage's anchor, when it has one, is an id or an <a name> of
 *       the page;
 *   (c) no trail of a passage that is not boilerplate repeats an entry or
 *       holds the passage's own title;
 *   (d) the #nav words are in no passage that is not boilerplate. */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath, for shell.h */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rubric.h"
#include "bytes.h"
#include "harness.h"

#define N(a) (sizeof(a) / sizeof *(a))

/* ------------------------------------------------------------------ helpers */

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

static char *xstrndup_(const char *s, size_t n)
{
    char *c = xmalloc(n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

/* TRAIL's entries joined by " > " (caller frees). */
static char *join_trail(const char *const *trail, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(nz(trail[i])) + 3;
    char *s = xmalloc(len);
    s[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(s, " > ");
        strcat(s, nz(trail[i]));
    }
    return s;
}

/* The first MAX bytes of S[0..LEN) on one line, quoted, to stderr. */
static void print_excerpt(const char *s, size_t len, size_t max)
{
    fputc('"', stderr);
    for (size_t i = 0; s && i < len && i < max; i++)
        fputc(s[i] == '\n' || s[i] == '\t' ? ' ' : s[i], stderr);
    fputs(s && len > max ? "...\"" : "\"", stderr);
}

static int only_space(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Does S[0..LEN) hold NEEDLE, ignoring ASCII case? Where, or NULL. */
static const char *find_ci(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n && i + n <= len; i++)
        if (strncasecmp(s + i, needle, n) == 0)
            return s + i;
    return NULL;
}

static int word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Does S[0..LEN) hold the word W[0..N), not inside a longer word? */
static int find_word(const char *s, size_t len, const char *w, size_t n)
{
    for (const char *at = s; at && (size_t)(at - s) + n <= len;) {
        at = find_bytes(at, len - (size_t)(at - s), w, n);
        if (!at)
            return 0;
        size_t i = (size_t)(at - s);
        if ((i == 0 || !word_char(s[i - 1]) || !word_char(w[0])) &&
            (i + n == len || !word_char(s[i + n]) || !word_char(w[n - 1])))
            return 1;
        at++;
    }
    return 0;
}

/* ------------------------------------------------------------ page targets */

/* The fragment targets of a page: every id attribute, and the name of every
 * <a>, read from the tags of the page's bytes. */
typedef struct targets {
    char **v;
    size_t n, cap;
} targets;

static void targets_add(targets *t, const char *s, size_t n)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        char **v = realloc(t->v, t->cap * sizeof *v);
        if (!v) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
        t->v = v;
    }
    t->v[t->n++] = xstrndup_(s, n);
}

static targets page_targets(const char *data, size_t len)
{
    targets t = {0};
    size_t i = 0;
    while (i < len) {
        if (data[i] != '<' || i + 1 >= len || !isalpha((unsigned char)data[i + 1])) {
            if (i + 3 < len && memcmp(data + i, "<!--", 4) == 0) {
                const char *e = find_bytes(data + i, len - i, "-->", 3);
                i = e ? (size_t)(e - data) + 3 : len;
            } else {
                i++;
            }
            continue;
        }
        size_t j = i + 1, name = j;
        while (j < len && isalnum((unsigned char)data[j]))
            j++;
        int is_a = j - name == 1 && (data[name] == 'a' || data[name] == 'A');
        /* Attributes up to the tag's end. */
        while (j < len && data[j] != '>') {
            while (j < len && (isspace((unsigned char)data[j]) || data[j] == '/'))
                j++;
            size_t an = j;
            while (j < len && !isspace((unsigned char)data[j]) && data[j] != '=' &&
                   data[j] != '>' && data[j] != '/')
                j++;
            size_t alen = j - an;
            while (j < len && isspace((unsigned char)data[j]))
                j++;
            if (j < len && data[j] == '=') {
                j++;
                while (j < len && isspace((unsigned char)data[j]))
                    j++;
                size_t v = j, vend;
                if (j < len && (data[j] == '"' || data[j] == '\'')) {
                    char q = data[j++];
                    v = j;
                    while (j < len && data[j] != q)
                        j++;
                    vend = j;
                    if (j < len)
                        j++;
                } else {
                    while (j < len && !isspace((unsigned char)data[j]) && data[j] != '>')
                        j++;
                    vend = j;
                }
                if ((alen == 2 && strncasecmp(data + an, "id", 2) == 0) ||
                    (is_a && alen == 4 && strncasecmp(data + an, "name", 4) == 0))
                    targets_add(&t, data + v, vend - v);
            } else if (alen == 0 && j < len && data[j] != '>') {
                j++; /* a stray character */
            }
        }
        i = j + 1;
    }
    return t;
}

static int targets_has(const targets *t, const char *s)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i], s) == 0)
            return 1;
    return 0;
}

static void targets_free(targets *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i]);
    free(t->v);
}

/* ------------------------------------------------------------------ goldens */

typedef struct golden_line {
    const char *title, *anchor, *trail, *words;
} golden_line;

typedef struct golden {
    char *data;
    const char *nav;  /* the #nav words, or NULL */
    golden_line *line;
    size_t n;
} golden;

/* Parse the .sections file DATA (owned by G from then on); 0, or -1 with a
 * message for a malformed line. */
static int golden_parse(golden *g, char *data, const char *file)
{
    memset(g, 0, sizeof *g);
    g->data = data;
    size_t cap = 0, lineno = 0;
    for (char *s = data; s && *s;) {
        char *nl = strchr(s, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        size_t len = strlen(s);
        if (len && s[len - 1] == '\r')
            s[--len] = '\0';
        if (strncmp(s, "#nav\t", 5) == 0) {
            g->nav = s + 5;
        } else if (*s && *s != '#') {
            char *f[4];
            size_t nf = 0;
            f[nf++] = s;
            for (char *p = s; *p && nf < 4; p++)
                if (*p == '\t') {
                    *p = '\0';
                    f[nf++] = p + 1;
                }
            if (nf != 4 || strchr(f[3], '\t')) {
                fprintf(stderr, "  %s:%zu: want 4 tab-separated fields\n", file, lineno);
                return -1;
            }
            if (g->n == cap) {
                cap = cap ? cap * 2 : 16;
                golden_line *l = realloc(g->line, cap * sizeof *l);
                if (!l) {
                    fprintf(stderr, "out of memory\n");
                    exit(2);
                }
                g->line = l;
            }
            g->line[g->n++] = (golden_line){f[0], f[1], f[2], f[3]};
        }
        s = nl ? nl + 1 : NULL;
    }
    return 0;
}

static void golden_free(golden *g)
{
    free(g->line);
    free(g->data);
}

/* ---------------------------------------------------------------- sections */

/* A section as read: consecutive passages (not boilerplate, with text) of one
 * title and trail; FIRST is its first part. A later part may link to an id
 * nearer its text than the section's anchor (check (b) still holds it to
 * the page). */
typedef struct section {
    const rubric_passage *first;
    char *trail;   /* joined */
    char *text;    /* the parts' text, joined by newlines */
    size_t text_len;
    long golden;   /* the golden line it matches, or -1 */
} section;

static void section_add_text(section *s, const char *t, size_t n)
{
    char *p = realloc(s->text, s->text_len + n + 2);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    s->text = p;
    if (s->text_len)
        s->text[s->text_len++] = '\n';
    memcpy(s->text + s->text_len, t, n);
    s->text_len += n;
    s->text[s->text_len] = '\0';
}

static size_t read_sections(const rubric_doc *d, section **out)
{
    size_t n = 0, cap = 0;
    section *v = NULL;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (p->boilerplate || only_space(p->text, p->text_len))
            continue;
        char *trail = join_trail(p->trail, p->ntrail);
        section *last = n ? &v[n - 1] : NULL;
        if (last && strcmp(nz(last->first->title), nz(p->title)) == 0 &&
            strcmp(last->trail, trail) == 0) {
            section_add_text(last, p->text, p->text_len);
            free(trail);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            section *w = realloc(v, cap * sizeof *w);
            if (!w) {
                fprintf(stderr, "out of memory\n");
                exit(2);
            }
            v = w;
        }
        v[n] = (section){p, trail, NULL, 0, -1};
        section_add_text(&v[n], p->text, p->text_len);
        n++;
    }
    *out = v;
    return n;
}

/* How well section S fits golden line L: 0 when they cannot be the same
 * section (neither title nor anchor agree), more the more agrees. */
static int fit(const section *s, const golden_line *l)
{
    int title = strcmp(nz(s->first->title), l->title) == 0;
    int anchor = *l->anchor && strcmp(nz(s->first->anchor), l->anchor) == 0;
    if (!title && !anchor)
        return 0;
    return 4 * title + 2 * anchor + (strcmp(s->trail, l->trail) == 0);
}

/* Pair sections with golden lines, in order, agreeing the most (the largest
 * total fit of an order-keeping matching). */
static void align(section *s, size_t ns, const golden *g)
{
    size_t cols = g->n + 1;
    long *best = calloc((ns + 1) * cols, sizeof *best);
    if (!best) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
#define BEST(i, j) best[(i) * cols + (j)]
    for (size_t i = ns; i-- > 0;)
        for (size_t j = g->n; j-- > 0;) {
            long b = BEST(i + 1, j) > BEST(i, j + 1) ? BEST(i + 1, j) : BEST(i, j + 1);
            int f = fit(&s[i], &g->line[j]);
            if (f && BEST(i + 1, j + 1) + f > b)
                b = BEST(i + 1, j + 1) + f;
            BEST(i, j) = b;
        }
    size_t i = 0, j = 0;
    while (i < ns && j < g->n) {
        int f = fit(&s[i], &g->line[j]);
        if (f && BEST(i, j) == BEST(i + 1, j + 1) + f) {
            s[i++].golden = (long)j++;
        } else if (BEST(i, j) == BEST(i + 1, j)) {
            i++;
        } else {
            j++;
        }
    }
#undef BEST
    free(best);
}

/* -------------------------------------------------------------------- checks */

static void fail_prefix(const char *page)
{
    fprintf(stderr, "  %s: ", page);
    harness_current_failed = 1;
}

/* (a) The sections of D against the golden lines G. */
static void check_sections(const char *page, const rubric_doc *d, const golden *g)
{
    section *s = NULL;
    size_t ns = read_sections(d, &s);
    align(s, ns, g);

    size_t k = 0;  /* the next section to report */
    for (size_t j = 0; j <= g->n; j++) {
        /* The sections read before the one matching line J are extra. */
        size_t m = k;
        while (m < ns && s[m].golden != (long)j)
            m++;
        if (j < g->n && m == ns) {
            const golden_line *l = &g->line[j];
            fail_prefix(page);
            fprintf(stderr, "section \"%s\" missing (want anchor \"%s\", trail \"%s\")\n",
                    l->title, l->anchor, l->trail);
            continue;
        }
        for (; k < m; k++) {
            const rubric_passage *p = s[k].first;
            fail_prefix(page);
            fprintf(stderr, "extra passage \"%s\" (anchor \"%s\", trail \"%s\")%s: ",
                    nz(p->title), nz(p->anchor), s[k].trail,
                    k && strcmp(nz(s[k - 1].first->title), nz(p->title)) == 0 &&
                            strcmp(s[k - 1].trail, s[k].trail) == 0
                        ? ", the section before it again under another anchor"
                        : "");
            print_excerpt(s[k].text, s[k].text_len, 90);
            fputc('\n', stderr);
        }
        if (j == g->n)
            break;
        const golden_line *l = &g->line[j];
        const section *got = &s[m];
        const rubric_passage *p = got->first;
        if (strcmp(nz(p->title), l->title) != 0) {
            fail_prefix(page);
            fprintf(stderr, "section \"%s\": title\n    got:  \"%s\"\n    want: \"%s\"\n",
                    l->title, nz(p->title), l->title);
        }
        if (strcmp(nz(p->anchor), l->anchor) != 0) {
            fail_prefix(page);
            fprintf(stderr, "section \"%s\": anchor\n    got:  \"%s\"\n    want: \"%s\"\n",
                    l->title, nz(p->anchor), l->anchor);
        }
        if (strcmp(got->trail, l->trail) != 0) {
            fail_prefix(page);
            fprintf(stderr, "section \"%s\": trail\n    got:  \"%s\"\n    want: \"%s\"\n",
                    l->title, got->trail, l->trail);
        }
        const char *w = l->words;
        while (*w) {
            while (*w == ' ')
                w++;
            size_t n = strcspn(w, " ");
            if (n && !find_word(got->text, got->text_len, w, n)) {
                fail_prefix(page);
                fprintf(stderr, "section \"%s\": text lacks \"%.*s\"; text is ", l->title,
                        (int)n, w);
                print_excerpt(got->text, got->text_len, 120);
                fputc('\n', stderr);
            }
            w += n;
        }
        k = m + 1;
    }
    for (size_t i = 0; i < ns; i++) {
        free(s[i].trail);
        free(s[i].text);
    }
    free(s);
}

/* (b) Every anchor is a fragment target of the page. */
static void check_anchors(const char *page, const rubric_doc *d, const char *data, size_t len)
{
    targets t = page_targets(data, len);
    const char *last = NULL;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (!p->anchor || !*p->anchor || targets_has(&t, p->anchor))
            continue;
        if (last && strcmp(last, p->anchor) == 0)
            continue; /* said for the part before */
        last = p->anchor;
        fail_prefix(page);
        fprintf(stderr, "passage \"%s\": anchor \"%s\" is no id or <a name> of the page\n",
                nz(p->title), p->anchor);
    }
    targets_free(&t);
}

/* (c) No trail repeats an entry or holds its passage's title. */
static void check_trails(const char *page, const rubric_doc *d)
{
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (p->boilerplate || (p->part > 0 && i > 0 &&
                               strcmp(nz(rubric_doc_passage(d, i - 1)->title), nz(p->title)) == 0))
            continue; /* a later part says what its first did */
        for (size_t a = 0; a < p->ntrail; a++) {
            if (strcmp(nz(p->trail[a]), nz(p->title)) == 0) {
                char *t = join_trail(p->trail, p->ntrail);
                fail_prefix(page);
                fprintf(stderr, "passage \"%s\": trail \"%s\" holds its own title\n",
                        nz(p->title), t);
                free(t);
            }
            for (size_t b = 0; b < a; b++)
                if (strcmp(nz(p->trail[a]), nz(p->trail[b])) == 0) {
                    char *t = join_trail(p->trail, p->ntrail);
                    fail_prefix(page);
                    fprintf(stderr, "passage \"%s\": trail \"%s\" repeats \"%s\"\n",
                            nz(p->title), t, nz(p->trail[a]));
                    free(t);
                }
        }
    }
}

/* (d) The chrome's words are in no content passage. */
static void check_nav(const char *page, const rubric_doc *d, const char *nav)
{
    if (!nav || !*nav)
        return;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (p->boilerplate)
            continue;
        const char *at = find_ci(p->text, p->text_len, nav);
        if (!at)
            continue;
        size_t from = (size_t)(at - p->text) > 40 ? (size_t)(at - p->text) - 40 : 0;
        fail_prefix(page);
        fprintf(stderr, "navigation text \"%s\" in passage \"%s\" (anchor \"%s\"): ", nav,
                nz(p->title), nz(p->anchor));
        print_excerpt(p->text + from, p->text_len - from, 100);
        fputc('\n', stderr);
    }
}

/* ------------------------------------------------------------------- pages */

typedef struct page {
    const char *name;  /* tests/fixtures/generators/NAME.html and .sections */
    const char *test;
} page;

static const page pages[] = {
    {"sphinx", "sphinx_pages_give_their_sections_with_anchors_and_trails"},
    {"docbook", "docbook_xsl_chunks_give_their_sections_with_anchors_and_trails"},
    {"gtkdoc", "gtkdoc_pages_give_their_sections_with_anchors_and_trails"},
    {"gtkdoc-index", "a_gtkdoc_symbol_index_is_navigation_though_no_dl_holds_its_entries"},
    {"gtkdoc-fields", "gtkdoc_field_headings_under_every_function_are_no_sections"},
    {"texinfo", "texinfo_pages_give_their_sections_with_anchors_and_trails"},
    {"texinfo-old", "old_texinfo_pages_give_their_sections_with_anchors_and_trails"},
    {"asciidoc", "asciidoc_pages_give_their_sections_with_anchors_and_trails"},
    {"asciidoctor", "asciidoctor_pages_give_their_sections_with_anchors_and_trails"},
    {"mdbook", "mdbook_pages_give_their_sections_with_anchors_and_trails"},
    {"rustdoc", "rustdoc_pages_give_their_sections_with_anchors_and_trails"},
    {"doxygen", "doxygen_pages_give_their_sections_with_anchors_and_trails"},
    {"mkdocs", "mkdocs_pages_give_their_sections_with_anchors_and_trails"},
    {"pandoc", "pandoc_pages_give_their_sections_with_anchors_and_trails"},
    {"pandoc-old", "old_pandoc_pages_give_their_sections_with_anchors_and_trails"},
};

/* The file REL under $RUBRIC_SRCDIR (default "."), NUL-terminated, or NULL. */
static char *source_file(const char *rel, size_t *len)
{
    const char *dir = getenv("RUBRIC_SRCDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : ".", rel);
    return slurp(path, len);
}

static void check_page(const page *pg)
{
    char html_rel[256], gold_rel[256], page_name[128];
    snprintf(html_rel, sizeof html_rel, "tests/fixtures/generators/%s.html", pg->name);
    snprintf(gold_rel, sizeof gold_rel, "tests/fixtures/generators/%s.sections", pg->name);
    snprintf(page_name, sizeof page_name, "%s.html", pg->name);
    size_t len = 0;
    char *html = source_file(html_rel, &len);
    char *gdata = source_file(gold_rel, NULL);
    if (!html || !gdata) {
        fprintf(stderr, "  cannot read %s\n", !html ? html_rel : gold_rel);
        CHECK(html && gdata);
        free(html);
        free(gdata);
        return;
    }
    golden g;
    if (golden_parse(&g, gdata, gold_rel) < 0) {
        CHECK(!"a well-formed golden file");
        golden_free(&g);
        free(html);
        return;
    }
    rubric_doc *d = NULL;
    char *err = NULL;
    int rc = rubric_doc_read(html_rel, html, len, &d, &err);
    if (rc != RUBRIC_OK || !d) {
        fprintf(stderr, "  rubric_doc_read(%s) = %d (%s): %s\n", html_rel, rc,
                nz(rubric_strerror(rc)), nz(err));
        CHECK(rc == RUBRIC_OK && d != NULL);
    } else {
        check_sections(page_name, d, &g);
        check_anchors(page_name, d, html, len);
        check_trails(page_name, d);
        check_nav(page_name, d, g.nav);
    }
    free(err);
    rubric_doc_free(d);
    golden_free(&g);
    free(html);
}

int main(void)
{
    for (size_t i = 0; i < N(pages); i++)
        RUN_NAMED(pages[i].test, check_page(&pages[i]));
    return HARNESS_END();
}
