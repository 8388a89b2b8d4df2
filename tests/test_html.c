/* test_html.c: the HTML reader (rubric_doc_read on *.html), one test per rule
 * of lib/reader_html.c, on inline fixtures. */
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

/* Read FIXTURE as page.html; NULL (failing the test) unless RUBRIC_OK. */
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

static rubric_doc *read_page(const char *html) { return read_page_len(html, strlen(html)); }

/* The first passage titled TITLE, or NULL. */
static const rubric_passage *by_title(const rubric_doc *d, const char *title)
{
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (p->title && strcmp(p->title, title) == 0) return p;
    }
    return NULL;
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

/* Check the passage titled TITLE: its anchor (when ANCHOR is not NULL) and its
 * trail (TRAIL joined by " > "). */
static void check_section(const rubric_doc *d, const char *title, const char *anchor,
                          const char *trail)
{
    const rubric_passage *p = by_title(d, title);
    if (!p) {
        fprintf(stderr, "  no passage titled \"%s\":\n", title);
        print_doc(d);
        CHECK(p != NULL);
        return;
    }
    int bad = 0;
    if (anchor && strcmp(nz(p->anchor), anchor) != 0) {
        fprintf(stderr, "  \"%s\": anchor %s, want %s\n", title, nz(p->anchor), anchor);
        bad = 1;
    }
    char *t = join_trail(p->trail, p->ntrail);
    if (trail && strcmp(t, trail) != 0) {
        fprintf(stderr, "  \"%s\": trail [%s], want [%s]\n", title, t, trail);
        bad = 1;
    }
    free(t);
    if (bad) print_doc(d);
    CHECK(!bad);
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

/* Every passage's anchor is an id of the page. */
static void check_anchors_are_ids(const rubric_doc *d, const char *data, size_t len)
{
    idset ids = page_ids(data, len);
    int bad = 0;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (!p->anchor || !ids_has(&ids, p->anchor)) {
            fprintf(stderr, "  passage %zu (\"%s\" part %u) has anchor %s, not an id of the page\n",
                    i, nz(p->title), p->part, nz(p->anchor));
            bad = 1;
        }
    }
    if (bad) print_doc(d);
    CHECK(!bad);
    ids_free(&ids);
}

/* ------------------------------------------------------------- sections */

static void html_sections_follow_h1_to_h6_with_trails_outermost_first(void)
{
    static const char page[] =
        "<!DOCTYPE html><html><head><title>Birds | Example Site</title></head><body>\n"
        "<h1>Garden Birds</h1>\n<p>Most gardens see a dozen species in a year.</p>\n"
        "<h2>Feeding</h2>\n<p>Seeds, suet and fresh water bring them in.</p>\n"
        "<h3>Winter Feeding</h3>\n<p>Fat balls matter most in the cold months.</p>\n"
        "<h4>Frozen Water</h4>\n<p>Float a ball in the bird bath to stop ice.</p>\n"
        "<h2>Nesting</h2>\n<p>Boxes go on north-facing walls.</p>\n"
        "</body></html>\n";
    rubric_doc *d = read_page(page);
    if (!d) return;
    CHECK_STR(rubric_doc_title(d), "Garden Birds");
    check_section(d, "Garden Birds", NULL, "");
    check_section(d, "Feeding", NULL, "Garden Birds");
    check_section(d, "Winter Feeding", NULL, "Garden Birds > Feeding");
    check_section(d, "Frozen Water", NULL, "Garden Birds > Feeding > Winter Feeding");
    check_section(d, "Nesting", NULL, "Garden Birds");
    const rubric_passage *p = by_title(d, "Winter Feeding");
    CHECK(p && find_bytes(p->text, p->text_len, "Fat balls", 9));
    CHECK(p && !find_bytes(p->text, p->text_len, "Winter Feeding", 14));
    CHECK(rubric_doc_count(d) == 5);
    rubric_doc_free(d);
}

static void html_takes_the_page_title_from_the_first_h1_else_from_the_title_element(void)
{
    rubric_doc *d = read_page(
        "<html><head><title>Tab text</title></head><body>"
        "<h2>Before</h2><p>Some words here.</p>"
        "<h1>The Real Title</h1><p>More words.</p><h1>Second H1</h1><p>Text.</p>"
        "</body></html>");
    if (d) CHECK_STR(rubric_doc_title(d), "The Real Title");
    rubric_doc_free(d);
    d = read_page("<html><head><title>\n  Only the Title Element  \n</title></head><body>"
                  "<h2>Section</h2><p>Some words here.</p></body></html>");
    if (d) CHECK_STR(rubric_doc_title(d), "Only the Title Element");
    rubric_doc_free(d);
}

static void html_puts_the_title_first_in_every_trail_without_an_h1(void)
{
    static const char page[] =
        "<html><head><title>Field Guide</title></head><body>"
        "<h2>Owls</h2><p>Night hunters with silent flight.</p>"
        "<h3>Barn Owl</h3><p>Pale, heart-shaped face.</p>"
        "<h2>Hawks</h2><p>Day hunters of the hedgerows.</p>"
        "</body></html>";
    rubric_doc *d = read_page(page);
    if (!d) return;
    CHECK_STR(rubric_doc_title(d), "Field Guide");
    check_section(d, "Owls", "owls", "Field Guide");
    check_section(d, "Barn Owl", "barn-owl", "Field Guide > Owls");
    check_section(d, "Hawks", "hawks", "Field Guide");
    rubric_doc_free(d);
}

static void html_nests_headings_by_section_depth_even_when_all_are_h1(void)
{
    static const char page[] =
        "<html><body>"
        "<section><h1>Top</h1><p>Alpha words.</p>"
        "  <section><h1>Middle</h1><p>Beta words.</p>"
        "    <section><h1>Bottom</h1><p>Gamma words.</p></section>"
        "  </section>"
        "  <section><h1>Sibling</h1><p>Delta words.</p></section>"
        "</section>"
        "<section><h1>Next Top</h1><p>Epsilon words.</p></section>"
        "</body></html>";
    rubric_doc *d = read_page(page);
    if (!d) return;
    CHECK_STR(rubric_doc_title(d), "Top");
    check_section(d, "Top", NULL, "");
    check_section(d, "Middle", NULL, "Top");
    check_section(d, "Bottom", NULL, "Top > Middle");
    check_section(d, "Sibling", NULL, "Top");
    check_section(d, "Next Top", NULL, "");
    rubric_doc_free(d);
}

static void html_nests_headings_of_a_section_inside_an_article_under_the_articles_heading(void)
{
    /* Regression (reader_html.c, on_start): headings nest "by
     * <section>/<article> depth" (reader_html.c's header), so a <section>'s
     * h1 inside an <article> is under the article's h1: <article> is
     * sectioning content like <section>. When only <section>s were counted,
     * it came out as a sibling of the article's h1. */
    static const char page[] =
        "<html><body><article><h1>Post</h1><p>Opening words.</p>"
        "<section><h1>Part One</h1><p>First part words.</p></section>"
        "<section><h1>Part Two</h1><p>Second part words.</p></section>"
        "</article></body></html>";
    rubric_doc *d = read_page(page);
    if (!d) return;
    CHECK_STR(rubric_doc_title(d), "Post");
    check_section(d, "Post", NULL, "");
    check_section(d, "Part One", NULL, "Post");
    check_section(d, "Part Two", NULL, "Post");
    rubric_doc_free(d);
}

/* -------------------------------------------------------------- anchors */

static void html_anchors_a_section_at_its_headings_id(void)
{
    rubric_doc *d = read_page("<html><body><h1 id=\"top\">Bees</h1><p>Intro.</p>"
                              "<h2 id=\"swarm-control\">Swarms</h2><p>In May.</p>"
                              "</body></html>");
    if (!d) return;
    check_section(d, "Bees", "top", "");
    check_section(d, "Swarms", "swarm-control", "Bees");
    rubric_doc_free(d);
}

static void html_anchors_a_section_at_an_id_inside_its_heading(void)
{
    rubric_doc *d = read_page("<html><body><h1>Manual</h1><p>Opening words.</p>"
                              "<h2><a id=\"install\"></a>Installing</h2><p>Run it.</p>"
                              "</body></html>");
    if (d) check_section(d, "Installing", "install", "Manual");
    rubric_doc_free(d);
    d = read_page("<html><body><h1>Manual</h1><p>Opening words.</p>"
                  "<h2><a name=\"upgrade\"></a>Upgrading</h2><p>Back up first.</p>"
                  "</body></html>");
    if (d) check_section(d, "Upgrading", "upgrade", "Manual");
    rubric_doc_free(d);
    d = read_page("<html><body><h1>Manual</h1><p>Opening words.</p>"
                  "<h2>Removing <span id=\"remove\">it</span></h2><p>Delete the folder.</p>"
                  "</body></html>");
    if (d) check_section(d, "Removing it", "remove", "Manual");
    rubric_doc_free(d);
}

/* Regression (reader_html.c, on_start): an id inside a heading anchors it,
 * even after other ids of the page. When the nearest preceding id was taken
 * as the anchor at the heading's start tag, such an id was never used: the
 * heading was anchored at the earlier id (or, when taken, at a slug that is
 * not in the page). */
static void html_prefers_an_id_inside_the_heading_to_an_earlier_id_of_the_page(void)
{
    static const char page[] =
        "<html><body><h1>Manual</h1><p id=\"intro\">Opening words.</p>"
        "<h2><a id=\"install\"></a>Installing</h2><p>Run the installer.</p>"
        "<h2><a name=\"upgrade\"></a>Upgrading</h2><p>Back up first.</p>"
        "<h2>Removing <span id=\"remove\">it</span></h2><p>Delete the folder.</p>"
        "</body></html>";
    rubric_doc *d = read_page(page);
    if (!d) return;
    check_section(d, "Installing", "install", "Manual");
    check_section(d, "Upgrading", "upgrade", "Manual");
    check_section(d, "Removing it", "remove", "Manual");
    rubric_doc_free(d);
}

static void html_anchors_a_sphinx_heading_at_its_sections_id_without_the_pilcrow(void)
{
    static const char page[] =
        "<html><body><div role=\"main\">"
        "<section id=\"module-platform\"><h1>platform \xE2\x80\x94 Access to data"
        "<a class=\"headerlink\" href=\"#module-platform\" title=\"Permalink\">\xC2\xB6</a></h1>"
        "<p>Source code: Lib/platform.py</p>"
        "<section id=\"cross-platform\">\n<h2>Cross Platform<a class=\"headerlink\" "
        "href=\"#cross-platform\" title=\"Permalink to this heading\">\xC2\xB6</a></h2>\n"
        "<dl><dt id=\"platform.architecture\">platform.architecture()<a class=\"headerlink\" "
        "href=\"#platform.architecture\">\xC2\xB6</a></dt><dd><p>Queries the given "
        "executable.</p></dd></dl>\n"
        "<h3>Not First<a class=\"headerlink\" href=\"#x\">\xC2\xB6</a></h3><p>Later words.</p>"
        "</section></section></div></body></html>";
    rubric_doc *d = read_page(page);
    if (!d) return;
    CHECK_STR(rubric_doc_title(d), "platform \xE2\x80\x94 Access to data");
    check_section(d, "platform \xE2\x80\x94 Access to data", "module-platform", "");
    check_section(d, "Cross Platform", "cross-platform",
                  "platform \xE2\x80\x94 Access to data");
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (strstr(nz(p->title), "\xC2\xB6")) {
            fprintf(stderr, "  title \"%s\" keeps the pilcrow\n", p->title);
            CHECK(!"pilcrow in a title");
        }
        CHECK(strcmp(nz(p->anchor), "cross-platform") != 0 ||
              strcmp(nz(p->title), "Cross Platform") == 0);
    }
    rubric_doc_free(d);
}

/* Regression (reader_html.c, trim_heading): a trailing '#' that is part of
 * the heading's last word (C#) is kept; a permalink link's '#' is dropped.
 * Once every trailing '#' was dropped as if it were a permalink mark. */
static void html_keeps_a_trailing_hash_that_belongs_to_the_heading(void)
{
    rubric_doc *d = read_page("<html><body><h1>Learning C#</h1><p>Some text.</p>"
                              "<h2>Calling F# from C#</h2><p>More text.</p>"
                              "<h2>Permalinks <a class=\"anchor\" href=\"#p\">#</a></h2>"
                              "<p>Even more.</p></body></html>");
    if (!d) return;
    CHECK_STR(rubric_doc_title(d), "Learning C#");
    CHECK(by_title(d, "Calling F# from C#") != NULL);
    CHECK(by_title(d, "Permalinks") != NULL);
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
}

static void html_anchors_a_heading_without_ids_at_the_nearest_preceding_id(void)
{
    static const char page[] =
        "<html><body><h1>Kestrels</h1><p>Small falcons.</p>"
        "<span id=\"hovering-label\"></span>\n<h2>Hovering</h2><p>Into the wind.</p>"
        "<div id=\"prey\"><p>Voles, mostly.</p></div>\n<h2>Prey</h2><p>And beetles.</p>"
        "</body></html>";
    rubric_doc *d = read_page(page);
    if (!d) return;
    check_section(d, "Hovering", "hovering-label", "Kestrels");
    check_section(d, "Prey", "prey", "Kestrels");
    rubric_doc_free(d);
}

static void html_anchors_a_heading_at_its_slug_when_the_page_has_no_ids(void)
{
    rubric_doc *d = read_page("<html><body><h1>Caf\xC3\xA9 Guide</h1><p>Intro.</p>"
                              "<h2>Feeding the Birds: A How-To!</h2><p>Seeds.</p>"
                              "</body></html>");
    if (!d) return;
    check_section(d, "Caf\xC3\xA9 Guide", "caf\xC3\xA9-guide", "");
    check_section(d, "Feeding the Birds: A How-To!", "feeding-the-birds-a-how-to",
                  "Caf\xC3\xA9 Guide");
    rubric_doc_free(d);
}

static void html_makes_anchors_unique_when_two_headings_have_the_same_text(void)
{
    rubric_doc *d = read_page("<html><body><h1>Recipes</h1><p>Intro.</p>"
                              "<h2>Bread</h2><p>Flour.</p><h3>Notes</h3><p>One.</p>"
                              "<h2>Cake</h2><p>Sugar.</p><h3>Notes</h3><p>Two.</p>"
                              "</body></html>");
    if (!d) return;
    const char *seen[8] = {0};
    size_t n = rubric_doc_count(d);
    CHECK(n == 5);
    int dup = 0, notes = 0;
    for (size_t i = 0; i < n && i < 8; i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        seen[i] = p->anchor;
        for (size_t j = 0; j < i; j++)
            if (seen[j] && p->anchor && strcmp(seen[j], p->anchor) == 0) dup = 1;
        if (strcmp(nz(p->title), "Notes") == 0) {
            notes++;
            CHECK(strcmp(nz(p->anchor), notes == 1 ? "notes" : "notes-1") == 0);
        }
    }
    CHECK(notes == 2);
    if (dup) print_doc(d);
    CHECK(!dup);
    rubric_doc_free(d);
}

static void html_anchors_every_passage_at_an_id_of_the_page_when_sections_have_ids(void)
{
    static const char page[] =
        "<html><head><title>Docs</title></head><body>"
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
        "</section></div></body></html>";
    rubric_doc *d = read_page(page);
    if (!d) return;
    check_anchors_are_ids(d, page, sizeof page - 1);
    check_section(d, "First Steps", "first-steps", "Tutorial");
    check_section(d, "On Linux", "on-linux", "Tutorial > First Steps");
    rubric_doc_free(d);
}

/* ---------------------------------------------------------- not read */

static void html_skips_script_style_nav_aside_template_ignored_and_page_header_footer(void)
{
    static const char page[] =
        "<html><head><title>Page</title><style>.zzstyle { color: red }</style>"
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
        "</body></html>";
    rubric_doc *d = read_page(page);
    if (!d) return;
    static const char *const junk[] = {"zzstyle", "zzscripthead", "zzheader", "zznav",
                                       "zzrolenav", "zzscriptbody", "zzaside", "zztemplate",
                                       "zzignoreddiv", "zzignoredspan", "zzfooter", NULL};
    for (const char *const *j = junk; *j; j++)
        if (anywhere(d, *j)) {
            fprintf(stderr, "  \"%s\" was read\n", *j);
            CHECK(!"skipped text in a passage");
        }
    CHECK(holding(d, "Frogs spawn") != NULL);
    CHECK(holding(d, "come later") != NULL);
    CHECK(holding(d, "Larvae") != NULL);
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
}

static void html_reads_an_articles_own_header_with_its_h1(void)
{
    static const char page[] =
        "<html><body><header><p>zzsiteheader</p></header>"
        "<article><header><h1>Hedgehog Season</h1><p>By a keen gardener</p></header>"
        "<p>Hedgehogs wake in April and roam far at night.</p></article>"
        "<footer><p>zzsitefooter</p></footer></body></html>";
    rubric_doc *d = read_page(page);
    if (!d) return;
    CHECK_STR(rubric_doc_title(d), "Hedgehog Season");
    CHECK(by_title(d, "Hedgehog Season") != NULL);
    CHECK(holding(d, "Hedgehogs wake") != NULL);
    CHECK(holding(d, "keen gardener") != NULL);
    CHECK(!anywhere(d, "zzsiteheader"));
    CHECK(!anywhere(d, "zzsitefooter"));
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
}

static void html_reads_only_the_main_element_when_the_page_has_one(void)
{
    static const char *const pages[] = {
        "<html><body><div><p>zzbefore sidebar words</p></div>"
        "<main><h1>Otters</h1><p>Otters fish at dawn.</p></main>"
        "<div><p>zzafter related links</p></div></body></html>",
        "<html><body><div class=\"menu\"><p>zzbefore sidebar words</p></div>"
        "<div class=\"content\" role=\"main\"><h1>Otters</h1><p>Otters fish at dawn.</p></div>"
        "<div><p>zzafter related links</p></div></body></html>",
    };
    for (size_t i = 0; i < 2; i++) {
        rubric_doc *d = read_page(pages[i]);
        if (!d) continue;
        CHECK(holding(d, "Otters fish") != NULL);
        CHECK(!anywhere(d, "zzbefore"));
        CHECK(!anywhere(d, "zzafter"));
        if (harness_current_failed) print_doc(d);
        rubric_doc_free(d);
    }
}

/* Regression (reader_html.c, read_html): whether the page has a main element
 * is decided from the parse, so a page that only mentions "<main" or
 * role="main" (in its text, or in a comment) is read in full. When it was
 * guessed by searching the raw bytes, such a page was read as if its main
 * content were empty: nothing was read and rubric_doc_read failed with "no
 * text to index". */
static void html_reads_a_page_that_only_mentions_role_main_in_its_text(void)
{
    static const char *const pages[] = {
        "<html><body><h1>ARIA landmarks</h1><p>Mark the content with "
        "<code>&lt;div role=\"main\"&gt;</code> so screen readers find it.</p></body></html>",
        "<html><body><!-- <main> was removed in 2019 --><h1>Notes</h1>"
        "<p>Some text about tides.</p></body></html>",
    };
    for (size_t i = 0; i < 2; i++) {
        rubric_doc *d = read_page(pages[i]);
        if (d) CHECK(holding(d, i == 0 ? "screen readers" : "about tides") != NULL);
        rubric_doc_free(d);
    }
}

static void html_excludes_a_noindex_page_with_no_passages(void)
{
    static const char page[] =
        "<html><head><meta name=\"robots\" content=\"noindex, nofollow\"><title>Private</title>"
        "</head><body><h1>Private</h1><p>Do not index these words.</p></body></html>";
    rubric_doc *d = NULL;
    char *err = NULL;
    int rc = rubric_doc_read("page.html", page, sizeof page - 1, &d, &err);
    CHECK(rc == RUBRIC_OK);
    CHECK(d != NULL);
    if (d) {
        CHECK(rubric_doc_excluded(d) != 0);
        CHECK(rubric_doc_count(d) == 0);
    }
    free(err);
    rubric_doc_free(d);
    /* ...and a page without it is not excluded. */
    d = read_page("<html><head><meta name=\"description\" content=\"noindex\"></head>"
                  "<body><p>Fine to index.</p></body></html>");
    if (d) CHECK(rubric_doc_excluded(d) == 0);
    rubric_doc_free(d);
}

static void html_decodes_character_references_in_titles_and_text(void)
{
    rubric_doc *d = read_page(
        "<html><body><h1>Fish &amp; Chips &eacute;t&eacute; &#x263A;</h1>"
        "<p>Salt&nbsp;and vinegar &amp; more &#233;&lt;tags&gt;.</p>"
        "<h2>Caf&eacute;s &#38; Bars</h2><p>Open late.</p></body></html>");
    if (d) {
        CHECK_STR(rubric_doc_title(d), "Fish & Chips \xC3\xA9t\xC3\xA9 \xE2\x98\xBA");
        CHECK(by_title(d, "Caf\xC3\xA9s & Bars") != NULL);
        CHECK(holding(d, "Salt\xC2\xA0" "and") || holding(d, "Salt and"));
        CHECK(holding(d, "vinegar & more \xC3\xA9<tags>.") != NULL);
        CHECK(!anywhere(d, "&amp;") && !anywhere(d, "&eacute;") && !anywhere(d, "&#"));
        if (harness_current_failed) print_doc(d);
    }
    rubric_doc_free(d);
    d = read_page("<html><head><title>Caf&eacute; &amp; Bar</title></head>"
                  "<body><p>Coffee all day.</p></body></html>");
    if (d) CHECK_STR(rubric_doc_title(d), "Caf\xC3\xA9 & Bar");
    rubric_doc_free(d);
}

/* ------------------------------------------------------ link density */

static const char sourdough_prose[] =
    "<html><body><h1>Sourdough Baking</h1>"
    "<p>A sourdough starter is flour and water fermented by wild yeast and bacteria. "
    "Feed the starter daily with equal weights of flour and water, and keep it warm.</p>"
    "<p>Hydration is the weight of water divided by the weight of flour. A wetter dough "
    "ferments faster and bakes into a more open crumb with a crisp crust.</p>"
    "<p>Shape the dough gently, proof it overnight in the fridge, and bake it in a hot "
    "covered pot so the crust stays thin and blistered.</p>";

static void html_marks_a_list_of_unrelated_links_as_boilerplate(void)
{
    sbuf b = {0};
    sb_puts(&b, sourdough_prose);
    sb_puts(&b, "<ul>"
                "<li><a href=\"/celebs/yacht.html\">Celebrity Yacht Gossip Revealed</a></li>"
                "<li><a href=\"/deals/coupons.html\">Printable Coupon Codes Tonight</a></li>"
                "<li><a href=\"/games/racing.html\">Unblocked Racing Games Online</a></li>"
                "<li><a href=\"/money/crypto.html\">Crypto Millionaire Secrets Exposed</a></li>"
                "<li><a href=\"/health/knees.html\">Doctors Hate This Knee Trick</a></li>"
                "<li><a href=\"/tv/finale.html\">Shocking Season Finale Twist</a></li>"
                "</ul><p>Slice the loaf only once it has cooled.</p></body></html>");
    rubric_doc *d = read_page(b.data);
    free(b.data);
    if (!d) return;
    const rubric_passage *links = holding(d, "Yacht Gossip");
    const rubric_passage *prose = holding(d, "Hydration is");
    CHECK(links && links->boilerplate);
    CHECK(prose && !prose->boilerplate);
    CHECK(links != prose);
    CHECK(!holding(d, "Slice the loaf") || !holding(d, "Slice the loaf")->boilerplate);
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
}

static void html_keeps_a_list_of_links_in_the_pages_own_words_as_content(void)
{
    sbuf b = {0};
    sb_puts(&b, sourdough_prose);
    sb_puts(&b, "<ul>"
                "<li><a href=\"/starter.html\">Feeding the sourdough starter</a></li>"
                "<li><a href=\"/hydration.html\">Dough hydration and weight</a></li>"
                "<li><a href=\"/crumb.html\">An open crumb</a></li>"
                "<li><a href=\"/crust.html\">A crisp blistered crust</a></li>"
                "<li><a href=\"/proof.html\">Proof the dough overnight</a></li>"
                "<li><a href=\"/yeast.html\">Wild yeast and bacteria</a></li>"
                "</ul></body></html>");
    rubric_doc *d = read_page(b.data);
    free(b.data);
    if (!d) return;
    const rubric_passage *links = holding(d, "Wild yeast and bacteria");
    CHECK(links && !links->boilerplate);
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
}

static void html_keeps_a_paragraph_with_one_link_as_content(void)
{
    rubric_doc *d = read_page(
        "<html><body><h1>Knife Care</h1><p>Hone the edge before each use and "
        "<a href=\"https://example.com/whetstones\">sharpen it on a whetstone</a> "
        "every few months; wash by hand and dry at once.</p></body></html>");
    if (!d) return;
    const rubric_passage *p = holding(d, "whetstone");
    CHECK(p && !p->boilerplate);
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
}

/* -------------------------------------------------------- long sections */

static void html_splits_a_long_section_into_parts_keeping_title_and_trail(void)
{
    /* About 7 KB of paragraphs under one heading; some paragraphs (and the
     * <dt>s of a list at the end) have ids that later parts may be anchored at. */
    sbuf b = {0};
    sb_puts(&b, "<html><body><div role=\"main\"><section id=\"glossary\"><h1>Baking</h1>"
                "<p>Short intro.</p><section id=\"oven-spring\"><h2>Oven Spring</h2>");
    for (int i = 0; i < 24; i++) {
        if (i % 5 == 3)
            sb_printf(&b, "<p id=\"spring-%d\">", i);
        else
            sb_puts(&b, "<p>");
        sb_printf(&b, "Paragraph %d: the oven spring of a loaf depends on the strength "
                      "of its gluten, the activity of its yeast, the steam in the oven and "
                      "the heat stored in the stone or pot it bakes on; a weak dough spreads "
                      "sideways instead of rising, and a cold oven sets the crust late.</p>\n",
                  i);
    }
    sb_puts(&b, "<dl>");
    for (int i = 0; i < 4; i++)
        sb_printf(&b, "<dt id=\"term-%d\">Term %d</dt><dd><p>Definition %d: a word bakers "
                      "use for one step of the long road from flour to loaf.</p></dd>\n",
                  i, i, i);
    sb_puts(&b, "</dl></section></section></div></body></html>");
    rubric_doc *d = read_page_len(b.data, b.len);
    if (!d) { free(b.data); return; }
    size_t parts = 0;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (p->text_len > 2400) {
            fprintf(stderr, "  passage %zu has %zu bytes of text\n", i, p->text_len);
            CHECK(p->text_len <= 2400);
        }
        /* (anchor, part) names a passage: parts count the earlier passages
         * with the same anchor (a later part may be anchored at an id inside
         * the section). */
        unsigned before = 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp(nz(rubric_doc_passage(d, j)->anchor), nz(p->anchor)) == 0) before++;
        CHECK(p->part == before);
        if (strcmp(nz(p->title), "Oven Spring") != 0) continue;
        parts++;
        char *t = join_trail(p->trail, p->ntrail);
        CHECK_STR(t, "Baking");
        free(t);
    }
    if (parts < 3) fprintf(stderr, "  \"Oven Spring\" has %zu parts\n", parts);
    CHECK(parts >= 3);
    CHECK(holding(d, "Paragraph 0:") && holding(d, "Paragraph 23:"));
    CHECK(holding(d, "Definition 3:") != NULL);
    check_anchors_are_ids(d, b.data, b.len);
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
    free(b.data);
}

/* ---------------------------------------------------------- malformed */

static void html_reads_unclosed_tags(void)
{
    rubric_doc *d = read_page("<p>one<p>two<div>three");
    if (!d) return;
    CHECK(holding(d, "one") && holding(d, "two") && holding(d, "three"));
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
}

static void html_reads_text_with_stray_lt_and_ampersand(void)
{
    rubric_doc *d = read_page("<html><body><h1>Maths</h1><p>apples < bananas && cherries "
                              "> dates & elderberries &unknown; figs <3 grapes</p>"
                              "<p>x<y and a & b</p></body></html>");
    if (!d) return;
    static const char *const words[] = {"apples", "bananas", "cherries", "dates",
                                        "elderberries", "figs", "grapes", NULL};
    for (const char *const *w = words; *w; w++)
        if (!holding(d, *w)) {
            fprintf(stderr, "  \"%s\" is missing\n", *w);
            CHECK(!"word lost");
        }
    CHECK(holding(d, "&") != NULL);
    for (size_t i = 0; i < rubric_doc_count(d); i++)
        CHECK(valid_utf8(rubric_doc_passage(d, i)->text, rubric_doc_passage(d, i)->text_len));
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
}

static void html_survives_a_heading_that_is_never_closed(void)
{
    rubric_doc *d = read_page("<html><body><h1>Page</h1><p>Intro words.</p>"
                              "<h2>Unclosed heading<p>Body text after it.</p>"
                              "<p>More body text.</p></body></html>");
    if (!d) return;
    CHECK(anywhere(d, "Unclosed heading"));
    CHECK(anywhere(d, "Body text after it"));
    CHECK(anywhere(d, "More body text"));
    CHECK(holding(d, "Intro words") != NULL);
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
}

/* Regression (reader_html.c, cut_heading): a heading longer than
 * HEADING_TEXT_MAX (1024 bytes) is one that was never closed, like an h2
 * that libxml2 never closes because only inline content follows: its first
 * words become the title and the rest reads as text, so titles, anchors and
 * trail entries stay within 1024 bytes. When a heading's text was not
 * bounded, such an h2 became a title, a slug anchor and a trail entry as
 * long as the rest of the page. */
static void html_bounds_the_title_and_anchor_of_a_heading_that_is_never_closed(void)
{
    sbuf b = {0};
    sb_puts(&b, "<html><body><h1>Big</h1><p>Intro.</p><h2>Never closed ");
    for (int i = 0; i < 20000; i++) sb_puts(&b, "words <b>and</b> more ");
    sb_puts(&b, "</body></html>");
    rubric_doc *d = read_page_len(b.data, b.len);
    free(b.data);
    if (!d) return;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (strlen(nz(p->title)) > 1024 || strlen(nz(p->anchor)) > 1024) {
            fprintf(stderr, "  passage %zu: %zu-byte title, %zu-byte anchor\n", i,
                    strlen(nz(p->title)), strlen(nz(p->anchor)));
            CHECK(!"unbounded title or anchor");
        }
        for (size_t k = 0; k < p->ntrail; k++) CHECK(strlen(nz(p->trail[k])) <= 1024);
    }
    rubric_doc_free(d);
}

static void html_returns_quickly_on_100000_nested_divs(void)
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
    CHECK(elapsed <= 10.0);
    CHECK(rc == RUBRIC_OK);
    if (d) CHECK(holding(d, "Before the divs") != NULL);
    free(err);
    rubric_doc_free(d);
    free(b.data);
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

static void html_reads_attributes_without_quotes(void)
{
    rubric_doc *d = read_page("<html><body><section id=plain-section><h1 class=big>Moths"
                              "</h1><p>Night flyers.</p></section>"
                              "<h2 id=unquoted-id class=x data-x=1>Lights</h2>"
                              "<p>Moths circle lamps.</p></body></html>");
    if (!d) return;
    check_section(d, "Moths", "plain-section", "");
    check_section(d, "Lights", "unquoted-id", "Moths");
    rubric_doc_free(d);
}

static void html_reads_a_document_that_is_only_text(void)
{
    rubric_doc *d = read_page("Just some words about tide pools, with no tags at all.\n");
    if (!d) return;
    CHECK(holding(d, "tide pools") != NULL);
    CHECK(rubric_doc_count(d) == 1);
    rubric_doc_free(d);
}

static void html_survives_an_empty_html_element(void)
{
    static const char *const pages[] = {"<html></html>", "<html><head></head><body></body></html>",
                                        "<!DOCTYPE html>", "   \n"};
    for (size_t i = 0; i < 4; i++) {
        rubric_doc *d = NULL;
        char *err = NULL;
        int rc = rubric_doc_read("page.html", pages[i], strlen(pages[i]), &d, &err);
        if (rc == RUBRIC_EINPUT) {
            CHECK(d == NULL);
            CHECK(err && strcmp(err, "no text to index") == 0);
        } else {
            CHECK(rc == RUBRIC_OK);
            CHECK(d && rubric_doc_count(d) == 0);
        }
        if (harness_current_failed)
            fprintf(stderr, "  page %zu: rc %d, err %s\n", i, rc, nz(err));
        free(err);
        rubric_doc_free(d);
    }
}

static void html_keeps_titles_and_text_valid_utf8_despite_invalid_bytes(void)
{
    static const char page[] =
        "<html><head><title>Bad \xFF title</title></head><body>"
        "<h2 id=\"caf\xE9\">Head\xFE\xC3ing \xC3\xA9</h2>"
        "<p>Text \x80\x81 with a few bad bytes \xE2\x82 in the middle, and plenty of "
        "good words around them so the page still reads as UTF-8 text.</p>"
        "<p>A second paragraph with more ordinary words about rivers, lakes and seas.</p>"
        "</body></html>";
    rubric_doc *d = read_page(page);
    if (!d) return;
    CHECK(valid_utf8_str(rubric_doc_title(d)));
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        CHECK(valid_utf8_str(p->anchor));
        CHECK(valid_utf8_str(p->title));
        CHECK(valid_utf8(p->text, p->text_len));
        for (size_t k = 0; k < p->ntrail; k++) CHECK(valid_utf8_str(p->trail[k]));
    }
    CHECK(holding(d, "good words") != NULL);
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
}

/* ---------------------------------------------------------- byte ranges */

static void html_keeps_each_passage_byte_range_around_its_text_in_the_source(void)
{
    static const char page[] =
        "<!DOCTYPE html>\n<html>\n<head>\n<title>Tides</title>\n</head>\n<body>\n"
        "<h1>Tides</h1>\n<p>Twice a day the sea rises and falls along the coast.</p>\n"
        "<h2>Spring Tides</h2>\n<p>Sun and moon pull together at new and full moon.</p>\n"
        "<p>Ranges are largest then.</p>\n"
        "<h2>Neap Tides</h2>\n<p>Quarter moons give the smallest range.</p>\n"
        "<h3>Empty</h3>\n"
        "<h2>Tide Tables</h2>\n<ul><li>High water</li><li>Low water</li></ul>\n"
        "</body>\n</html>\n";
    const size_t len = sizeof page - 1;
    rubric_doc *d = read_page(page);
    if (!d) return;
    size_t prev_end = 0;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (!(p->start <= p->end && p->end <= len && p->start >= prev_end)) {
            fprintf(stderr, "  passage %zu (%s): range [%zu, %zu), previous ended at %zu, "
                            "file %zu bytes\n", i, nz(p->title), p->start, p->end, prev_end, len);
            CHECK(!"range outside the file or out of order");
        }
        prev_end = p->end;
        if (p->text_len == 0) continue;
        size_t w = 0;
        while (w < p->text_len && p->text[w] != ' ' && p->text[w] != '\n') w++;
        size_t from = p->start > 200 ? p->start - 200 : 0;
        size_t to = p->end + 200 < len ? p->end + 200 : len;
        if (from > to || !find_bytes(page + from, to - from, p->text, w)) {
            fprintf(stderr, "  passage %zu (%s): first word ", i, nz(p->title));
            print_excerpt(p->text, w, 40);
            fprintf(stderr, " not within [%zu, %zu) of the source\n", from, to);
            CHECK(!"first word outside the passage's range");
        }
    }
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
}

int main(void)
{
    RUN(html_sections_follow_h1_to_h6_with_trails_outermost_first);
    RUN(html_takes_the_page_title_from_the_first_h1_else_from_the_title_element);
    RUN(html_puts_the_title_first_in_every_trail_without_an_h1);
    RUN(html_nests_headings_by_section_depth_even_when_all_are_h1);
    RUN(html_nests_headings_of_a_section_inside_an_article_under_the_articles_heading);
    RUN(html_anchors_a_section_at_its_headings_id);
    RUN(html_anchors_a_section_at_an_id_inside_its_heading);
    RUN(html_prefers_an_id_inside_the_heading_to_an_earlier_id_of_the_page);
    RUN(html_anchors_a_sphinx_heading_at_its_sections_id_without_the_pilcrow);
    RUN(html_keeps_a_trailing_hash_that_belongs_to_the_heading);
    RUN(html_anchors_a_heading_without_ids_at_the_nearest_preceding_id);
    RUN(html_anchors_a_heading_at_its_slug_when_the_page_has_no_ids);
    RUN(html_makes_anchors_unique_when_two_headings_have_the_same_text);
    RUN(html_anchors_every_passage_at_an_id_of_the_page_when_sections_have_ids);
    RUN(html_skips_script_style_nav_aside_template_ignored_and_page_header_footer);
    RUN(html_reads_an_articles_own_header_with_its_h1);
    RUN(html_reads_only_the_main_element_when_the_page_has_one);
    RUN(html_reads_a_page_that_only_mentions_role_main_in_its_text);
    RUN(html_excludes_a_noindex_page_with_no_passages);
    RUN(html_decodes_character_references_in_titles_and_text);
    RUN(html_marks_a_list_of_unrelated_links_as_boilerplate);
    RUN(html_keeps_a_list_of_links_in_the_pages_own_words_as_content);
    RUN(html_keeps_a_paragraph_with_one_link_as_content);
    RUN(html_splits_a_long_section_into_parts_keeping_title_and_trail);
    RUN(html_reads_unclosed_tags);
    RUN(html_reads_text_with_stray_lt_and_ampersand);
    RUN(html_survives_a_heading_that_is_never_closed);
    RUN(html_bounds_the_title_and_anchor_of_a_heading_that_is_never_closed);
    RUN(html_returns_quickly_on_100000_nested_divs);
    RUN(html_reads_a_20_mb_page_of_paragraphs);
    RUN(html_reads_attributes_without_quotes);
    RUN(html_reads_a_document_that_is_only_text);
    RUN(html_survives_an_empty_html_element);
    RUN(html_keeps_titles_and_text_valid_utf8_despite_invalid_bytes);
    RUN(html_keeps_each_passage_byte_range_around_its_text_in_the_source);
    return HARNESS_END();
}
