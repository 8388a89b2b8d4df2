/* test_markdown.c: the Markdown reader (rubric_doc_read on *.md), one test per rule.
 *
 * Fixtures are inline; tests/fixtures/sourdough.md is a whole article, found
 * under $RUBRIC_SRCDIR (default ".").
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath, for shell.h */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rubric.h"
#include "harness.h"
#include "shell.h"

/* ------------------------------------------------------------------ helpers */

static rubric_doc *read_md_len(const char *data, size_t len)
{
    rubric_doc *d = NULL;
    char *err = NULL;
    int rc = rubric_doc_read("x.md", data, len, &d, &err);
    if (rc != RUBRIC_OK)
        fprintf(stderr, "  rubric_doc_read: %s (%s)\n", rubric_strerror(rc), err ? err : "");
    free(err);
    return d;
}

static rubric_doc *read_md(const char *data)
{
    return read_md_len(data, strlen(data));
}

/* The first passage with ANCHOR (part 0), or NULL. */
static const rubric_passage *by_anchor(const rubric_doc *d, const char *anchor)
{
    for (size_t i = 0; d && i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (strcmp(p->anchor, anchor) == 0)
            return p;
    }
    return NULL;
}

static const char *anchor_of(const rubric_doc *d, const char *title)
{
    for (size_t i = 0; d && i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (strcmp(p->title, title) == 0)
            return p->anchor;
    }
    return NULL;
}

static int text_has(const rubric_passage *p, const char *needle)
{
    size_t n = strlen(needle);
    if (!p || n > p->text_len)
        return 0;
    for (size_t i = 0; i + n <= p->text_len; i++)
        if (memcmp(p->text + i, needle, n) == 0)
            return 1;
    return 0;
}

static int any_text_has(const rubric_doc *d, const char *needle)
{
    for (size_t i = 0; d && i < rubric_doc_count(d); i++)
        if (text_has(rubric_doc_passage(d, i), needle))
            return 1;
    return 0;
}

static const char *trail_at(const rubric_passage *p, size_t i)
{
    return p && i < p->ntrail ? p->trail[i] : NULL;
}

static int found_between(const char *src, size_t start, size_t end, const char *s, size_t n)
{
    for (size_t i = start; i + n <= end; i++)
        if (memcmp(src + i, s, n) == 0)
            return 1;
    return 0;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The file REL under $RUBRIC_SRCDIR (default "."), NUL-terminated, or NULL. */
static char *source_file(const char *rel, size_t *len)
{
    const char *dir = getenv("RUBRIC_SRCDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : ".", rel);
    return slurp(path, len);
}

/* -------------------------------------------------------------- headings */

static void markdown_atx_headings_nest_into_trails_outermost_first(void)
{
    rubric_doc *d = read_md("# Top\n\nIntro text.\n\n## Middle ##\n\nMiddle text.\n\n"
                            "### Low\n\nLow text.\n\n## Second\n\nMore.\n");
    CHECK(d != NULL);
    CHECK_STR(rubric_doc_title(d), "Top");
    const rubric_passage *top = by_anchor(d, "top");
    CHECK(top && top->ntrail == 0);
    CHECK_STR(top ? top->title : NULL, "Top");
    const rubric_passage *mid = by_anchor(d, "middle");
    CHECK(mid && mid->ntrail == 1);
    CHECK_STR(mid ? mid->title : NULL, "Middle");
    CHECK_STR(trail_at(mid, 0), "Top");
    const rubric_passage *low = by_anchor(d, "low");
    CHECK(low && low->ntrail == 2);
    CHECK_STR(trail_at(low, 0), "Top");
    CHECK_STR(trail_at(low, 1), "Middle");
    CHECK(text_has(low, "Low text."));
    const rubric_passage *second = by_anchor(d, "second");
    CHECK(second && second->ntrail == 1);
    rubric_doc_free(d);
}

static void markdown_setext_headings_start_sections(void)
{
    rubric_doc *d = read_md("Big Title\n=========\n\nOpening words.\n\nSmaller part\n"
                            "------------\n\nPart words\nacross two lines.\n");
    CHECK(d != NULL);
    CHECK_STR(rubric_doc_title(d), "Big Title");
    const rubric_passage *p = by_anchor(d, "smaller-part");
    CHECK(p && p->ntrail == 1);
    CHECK_STR(trail_at(p, 0), "Big Title");
    CHECK(text_has(p, "Part words across two lines."));
    CHECK(by_anchor(d, "big-title") != NULL);
    rubric_doc_free(d);
}

static void markdown_heading_text_is_its_inline_text_without_urls(void)
{
    rubric_doc *d = read_md("# Top\n\n## The `run()` *call* [docs](http://example.org/x) "
                            "![logo](logo.png) &amp; <b>more</b>\n\nText.\n");
    CHECK_STR(anchor_of(d, "The run() call docs & more"), "the-run-call-docs---more");
    CHECK(!any_text_has(d, "example.org"));
    rubric_doc_free(d);
}

static void markdown_fenced_code_stays_text_of_its_section(void)
{
    rubric_doc *d = read_md("# Setup\n\nRun this:\n\n```sh\n# not a heading\nmake install\n```\n\n"
                            "~~~\n## nor this\n~~~\n\nDone.\n");
    CHECK(d && rubric_doc_count(d) == 1);
    const rubric_passage *p = by_anchor(d, "setup");
    CHECK(text_has(p, "# not a heading\nmake install"));
    CHECK(text_has(p, "## nor this"));
    CHECK(text_has(p, "Done."));
    CHECK(anchor_of(d, "not a heading") == NULL);
    rubric_doc_free(d);
}

static void markdown_indented_code_stays_text_of_its_section(void)
{
    rubric_doc *d = read_md("# Setup\n\nThe config:\n\n    # a comment\n    x = 1\n\nAfter.\n");
    CHECK(d && rubric_doc_count(d) == 1);
    const rubric_passage *p = by_anchor(d, "setup");
    CHECK(text_has(p, "# a comment\nx = 1"));
    CHECK(anchor_of(d, "a comment") == NULL);
    rubric_doc_free(d);
}

/* ---------------------------------------------------------- front matter */

static void markdown_front_matter_gives_a_plain_title(void)
{
    const char *src = "---\nlayout: post\ntitle: Plain Title # a comment\nauthor: Someone\n---\n"
                      "# Heading One\n\nBody.\n";
    rubric_doc *d = read_md(src);
    CHECK_STR(rubric_doc_title(d), "Plain Title");
    CHECK(!any_text_has(d, "layout"));
    CHECK(!any_text_has(d, "Someone"));
    const rubric_passage *p = by_anchor(d, "heading-one");
    CHECK(p && p->ntrail == 0);
    CHECK(p && p->start >= (size_t)(strstr(src, "# Heading") - src));
    rubric_doc_free(d);
}

static void markdown_front_matter_gives_a_quoted_title(void)
{
    rubric_doc *d = read_md("---\ntitle: \"Quoted: \\\"Yes\\\" \\u00e9\"\n---\nBody.\n");
    CHECK_STR(rubric_doc_title(d), "Quoted: \"Yes\" \xC3\xA9");
    rubric_doc_free(d);
    d = read_md("---\ntitle: 'It''s: single'\n...\nBody.\n");
    CHECK_STR(rubric_doc_title(d), "It's: single");
    rubric_doc_free(d);
    /* With a BOM and CRLF lines. */
    d = read_md("\xEF\xBB\xBF---\r\ntitle: Windows\r\n---\r\nBody.\r\n");
    CHECK_STR(rubric_doc_title(d), "Windows");
    CHECK(!any_text_has(d, "title"));
    rubric_doc_free(d);
}

static void markdown_front_matter_title_stands_above_headings_without_h1(void)
{
    rubric_doc *d = read_md("---\ntitle: The Article\n---\nLead.\n\n## Part\n\nText.\n");
    CHECK_STR(rubric_doc_title(d), "The Article");
    const rubric_passage *p = by_anchor(d, "part");
    CHECK(p && p->ntrail == 1);
    CHECK_STR(trail_at(p, 0), "The Article");
    const rubric_passage *lead = by_anchor(d, "top");
    CHECK_STR(lead ? lead->title : NULL, "The Article");
    rubric_doc_free(d);
}

static void markdown_front_matter_without_title_is_skipped(void)
{
    const char *src = "---\nlayout: post\ndate: 2024-01-01\n---\n\nBody text here.\n";
    rubric_doc *d = read_md(src);
    CHECK_STR(rubric_doc_title(d), "x");
    CHECK(d && rubric_doc_count(d) == 1);
    CHECK(!any_text_has(d, "layout"));
    const rubric_passage *p = rubric_doc_passage(d, 0);
    CHECK(p && p->start == (size_t)(strstr(src, "Body") - src));
    CHECK(p && p->text_len == strlen("Body text here.") &&
          memcmp(src + p->start, p->text, p->text_len) == 0);
    rubric_doc_free(d);
    /* Without any title, the first h1 anywhere titles the document. */
    d = read_md("---\ndraft: true\n---\nLead words.\n\n# Real Title\n\nText.\n");
    CHECK_STR(rubric_doc_title(d), "Real Title");
    CHECK(by_anchor(d, "real-title") != NULL);
    rubric_doc_free(d);
}

static void markdown_unclosed_front_matter_is_ordinary_text(void)
{
    rubric_doc *d = read_md("---\ntitle: Never Closed\n\nSome text.\n");
    CHECK_STR(rubric_doc_title(d), "x");
    CHECK(any_text_has(d, "title: Never Closed"));
    CHECK(any_text_has(d, "Some text."));
    rubric_doc_free(d);
    /* A rule followed by a blank line is a rule, not front matter. */
    d = read_md("---\n\ntitle: Not Front Matter\n\n---\n\nMore.\n");
    CHECK_STR(rubric_doc_title(d), "x");
    CHECK(any_text_has(d, "title: Not Front Matter"));
    rubric_doc_free(d);
}

/* --------------------------------------------------------------- anchors */

static void markdown_anchors_are_githubs(void)
{
    rubric_doc *d = read_md("# Hello, World!\n\na\n\n## C++ & Rust\n\nb\n\n## What's new?\n\nc\n\n"
                            "## Under_score and-hyphen\n\nd\n\n## Caf\xC3\xA9 Z\xC3\xBCrich\n\ne\n\n"
                            "## \xC3\x89T\xC3\x89 \xE6\x97\xA5\xE6\x9C\xAC 2024\n\nf\n");
    CHECK_STR(anchor_of(d, "Hello, World!"), "hello-world");
    CHECK_STR(anchor_of(d, "C++ & Rust"), "c--rust");
    CHECK_STR(anchor_of(d, "What's new?"), "whats-new");
    CHECK_STR(anchor_of(d, "Under_score and-hyphen"), "under_score-and-hyphen");
    CHECK_STR(anchor_of(d, "Caf\xC3\xA9 Z\xC3\xBCrich"), "caf\xC3\xA9-z\xC3\xBCrich");
    CHECK_STR(anchor_of(d, "\xC3\x89T\xC3\x89 \xE6\x97\xA5\xE6\x9C\xAC 2024"),
              "\xC3\xA9t\xC3\xA9-\xE6\x97\xA5\xE6\x9C\xAC-2024");
    rubric_doc_free(d);
}

static void markdown_repeated_headings_get_numbered_anchors(void)
{
    rubric_doc *d = read_md("# Doc\n\n## x\n\na\n\n## x\n\nb\n\n## x\n\nc\n\n"
                            "## y\n\nd\n\n## y-1\n\ne\n\n## y\n\nf\n");
    const char *want[] = {"doc", "x", "x-1", "x-2", "y", "y-1", "y-2"};
    CHECK(d && rubric_doc_count(d) == 7);
    for (size_t i = 0; d && i < 7 && i < rubric_doc_count(d); i++)
        CHECK_STR(rubric_doc_passage(d, i)->anchor, want[i]);
    rubric_doc_free(d);
}

static void markdown_explicit_id_attribute_names_the_anchor(void)
{
    rubric_doc *d = read_md("# Doc\n\n## Install it {#setup}\n\na\n\n## Other {: #kram .wide}\n\nb\n\n"
                            "## Set {braces} here\n\nc\n");
    CHECK_STR(anchor_of(d, "Install it"), "setup");
    CHECK_STR(anchor_of(d, "Other"), "kram");
    CHECK_STR(anchor_of(d, "Set {braces} here"), "set-braces-here");
    rubric_doc_free(d);
}

/* ---------------------------------------------------------------- blocks */

static void markdown_byte_ranges_hold_the_passage_text(void)
{
    size_t len = 0;
    char *src = source_file("tests/fixtures/sourdough.md", &len);
    CHECK(src != NULL);
    if (!src)
        return;
    rubric_doc *d = read_md_len(src, len);
    CHECK(d && rubric_doc_count(d) >= 8);
    for (size_t i = 0; d && i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        CHECK(p->start <= p->end && p->end <= len);
        /* Each word of the passage lies in its range. */
        const char *t = p->text, *e = p->text + p->text_len;
        while (t < e) {
            while (t < e && strchr(" \n|", *t))
                t++;
            const char *w = t;
            while (t < e && !strchr(" \n|", *t))
                t++;
            if (t > w && !found_between(src, p->start, p->end, w, (size_t)(t - w))) {
                fprintf(stderr, "  '%.*s' not in %zu..%zu\n", (int)(t - w), w, p->start, p->end);
                CHECK(0);
            }
        }
    }
    /* A one-line paragraph is exactly its range. */
    const rubric_passage *p = by_anchor(d, "shape");
    CHECK(p && p->end - p->start == p->text_len && memcmp(src + p->start, p->text, p->text_len) == 0);
    rubric_doc_free(d);
    free(src);
}

static void markdown_article_reads_into_its_sections(void)
{
    size_t len = 0;
    char *src = source_file("tests/fixtures/sourdough.md", &len);
    CHECK(src != NULL);
    if (!src)
        return;
    rubric_doc *d = read_md_len(src, len);
    CHECK_STR(rubric_doc_title(d), "Sourdough at Home: A Field Guide");
    const rubric_passage *toc = by_anchor(d, "contents");
    CHECK(toc && toc->boilerplate);
    const rubric_passage *feed = by_anchor(d, "feeding-schedule");
    CHECK(feed && feed->ntrail == 2);
    CHECK_STR(trail_at(feed, 0), "Sourdough at Home: A Field Guide");
    CHECK_STR(trail_at(feed, 1), "Keeping a starter");
    CHECK(text_has(feed, "Day | Flour | Water"));
    CHECK(text_has(feed, "1 | 50 g | 50 g"));
    CHECK(text_has(by_anchor(d, "keeping-a-starter"), "doubles within six hours"));
    CHECK(text_has(by_anchor(d, "mixing-and-folding"), "# not a heading"));
    CHECK(text_has(by_anchor(d, "baking"), "oven = 250"));
    CHECK(text_has(by_anchor(d, "troubleshooting"), "A dense crumb"));
    CHECK(text_has(by_anchor(d, "top"), "flour, water, salt and time"));
    for (size_t i = 0; d && i < rubric_doc_count(d); i++)
        CHECK(rubric_doc_passage(d, i)->boilerplate == (rubric_doc_passage(d, i) == toc));
    CHECK(!any_text_has(d, "fermentation]"));
    rubric_doc_free(d);
    free(src);
}

static void markdown_tables_html_and_entities_read_as_text(void)
{
    rubric_doc *d = read_md("# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
                            "<div class=\"note\">\n<p>Hi &amp; there</p>\n<script>var x = 1;</script>\n"
                            "<!-- hidden -->\n</div>\n\n"
                            "Some <b>bold</b> text &copy; &#x41;&#66; &bogus; line\nbreak<br>here.\n");
    const rubric_passage *p = by_anchor(d, "t");
    CHECK(text_has(p, "a | b\n1 | 2"));
    CHECK(text_has(p, "Hi & there"));
    CHECK(!any_text_has(d, "<p>"));
    CHECK(!any_text_has(d, "var x"));
    CHECK(!any_text_has(d, "hidden"));
    CHECK(text_has(p, "Some bold text \xC2\xA9 AB &bogus; line break here."));
    rubric_doc_free(d);
}

static void markdown_list_items_are_blocks_and_joined_lines(void)
{
    rubric_doc *d = read_md("# L\n\n- first item\n  continues\n- second item\n\n  with a paragraph\n"
                            "  - nested item\n");
    const rubric_passage *p = by_anchor(d, "l");
    CHECK(text_has(p, "first item continues\nsecond item\nwith a paragraph\nnested item"));
    CHECK(p && !p->boilerplate);
    rubric_doc_free(d);
}

static void markdown_link_lists_are_boilerplate(void)
{
    rubric_doc *d = read_md("# Doc\n\nA paragraph of real prose about things.\n\n"
                            "## See also\n\n- [One](a)\n- [Two](b)\n- [Three](c)\n  - [Three A](c#a)\n"
                            "- [Four](d)\n- **[Five](e)**\n\n"
                            "## Short\n\n- [One](a)\n- [Two](b)\n- [Three](c)\n- [Four](d)\n\n"
                            "## Mixed\n\n- [One](a)\n- [Two](b)\n- [Three](c)\n- [Four](d)\n"
                            "- [Five](e) is explained here\n\n"
                            "## Two links\n\n- [a](a) [b](b)\n- [c](c)\n- [d](d)\n- [e](e)\n- [f](f)\n");
    CHECK(d != NULL);
    const rubric_passage *p = by_anchor(d, "doc");
    CHECK(p && !p->boilerplate);
    p = by_anchor(d, "see-also");
    CHECK(p && p->boilerplate);
    CHECK(text_has(p, "Three A"));
    p = by_anchor(d, "short");
    CHECK(p && !p->boilerplate);
    p = by_anchor(d, "mixed");
    CHECK(p && !p->boilerplate);
    p = by_anchor(d, "two-links");
    CHECK(p && !p->boilerplate);
    rubric_doc_free(d);
}

static void markdown_long_section_is_split_into_bounded_parts(void)
{
    char *src = malloc(40000);
    CHECK(src != NULL);
    if (!src)
        return;
    size_t n = (size_t)sprintf(src, "# Long\n\n");
    for (int i = 0; i < 40; i++) {
        n += (size_t)sprintf(src + n, "Paragraph %d says", i);
        for (int k = 0; k < 25; k++)
            n += (size_t)sprintf(src + n, " word%d", k);
        n += (size_t)sprintf(src + n, ".\n\n");
    }
    /* One paragraph longer than a passage. */
    for (int k = 0; k < 800; k++)
        n += (size_t)sprintf(src + n, "long%d ", k);
    n += (size_t)sprintf(src + n, "\n");
    rubric_doc *d = read_md_len(src, n);
    size_t parts = 0;
    for (size_t i = 0; d && i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        CHECK(p->text_len <= 2400);
        CHECK_STR(p->title, "Long");
        CHECK(p->part == parts);
        CHECK(p->start < p->end && p->end <= n);
        parts++;
    }
    CHECK(parts >= 5);
    rubric_doc_free(d);
    free(src);
}

/* ------------------------------------------------------------- malformed */

static void run_hostile(const char *what, const char *src, size_t len)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rubric_doc *d = NULL;
    char *err = NULL;
    int rc = rubric_doc_read("x.md", src, len, &d, &err);
    double s = seconds_since(&t0);
    if (!(rc == RUBRIC_OK || rc == RUBRIC_EINPUT) || s > 2.0) {
        fprintf(stderr, "  %s: rc %d in %.2f s\n", what, rc, s);
        CHECK(0);
    }
    for (size_t i = 0; d && i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        CHECK(p->start <= p->end && p->end <= len);
        CHECK(p->text_len <= 2400 && p->text_len == strlen(p->text));
        CHECK(p->anchor[0] != '\0');
    }
    rubric_doc_free(d);
    free(err);
}

static void markdown_malformed_input_never_crashes_and_finishes_fast(void)
{
    run_hostile("unclosed fence", "# A\n\n```\n# inside\ntext", 22);
    rubric_doc *d = read_md("# A\n\n```\n# inside\n");
    CHECK(d && rubric_doc_count(d) == 1 && anchor_of(d, "inside") == NULL);
    rubric_doc_free(d);
    static const char *const small[] = {
        "---", "---\n", "---\n---", "---\ntitle:", "---\ntitle: \"open\n---\n",
        "---\ntitle: '\n---\n", "---\ntitle: \"\\u12\"\n---\nx", "#", "# {#}", "## {#id}\n",
        "&#99999999999; &#x; &#;", "<div\n", "<!--", "<script>", "| a |\n|--|\n| b",
        "[a]: <", "- [x] task\n- [ ] open", "\xFF\xFE# bad \xC3", "#\xC3 \xC3\xA9\n=\n",
    };
    for (size_t i = 0; i < sizeof small / sizeof *small; i++)
        run_hostile(small[i], small[i], strlen(small[i]));
    /* md4c 0.4.8 reads past an input ending in an unfinished link: the
     * reader must not depend on what follows the buffer. */
    static const char link_at_end[] = "a [b](c)) more";
    run_hostile("unfinished link at the end", link_at_end, 7);

    size_t big = 100000;
    char *src = malloc(10 * big + 16);
    CHECK(src != NULL);
    if (!src)
        return;
    for (size_t i = 0; i < 10000; i++)
        src[i] = '>';
    memcpy(src + 10000, " deep text\n", 11);
    run_hostile("10,000 nested blockquotes", src, 10011);
    memset(src, '*', big);
    run_hostile("100,000 stars", src, big);
    for (size_t i = 0; i < big; i++)
        src[i] = "*_[]`<>!(\n"[i % 10];
    run_hostile("delimiter soup", src, big);
    for (size_t i = 0; i < 20000; i++)
        memcpy(src + 2 * i, "- ", 2);
    src[40000] = 'x';
    run_hostile("20,000 nested list items", src, 40001);
    for (size_t i = 0; i < 20000; i++)
        memcpy(src + 3 * i, "#a\n", 3);
    run_hostile("20,000 headings", src, 60000);
    for (size_t i = 0; i < 20000; i++)
        memcpy(src + 5 * i, "# x\n\n", 5);
    run_hostile("20,000 repeated headings", src, 100000);
    for (size_t i = 0; i < big; i++)
        memcpy(src + 10 * i, "www.a.bc  ", 10);
    run_hostile("100,000 bare URLs in one paragraph", src, 10 * big);
    uint32_t seed = 12345;
    for (int round = 0; round < 50; round++) {
        size_t n = 1 + (size_t)round * 2000;
        for (size_t i = 0; i < n; i++) {
            /* Mostly ASCII, so that the file passes for text (too many
             * invalid UTF-8 bytes and it is never handed to the reader). */
            seed = seed * 1103515245u + 12345u;
            unsigned c = seed >> 24;
            if ((seed >> 8) % 32 != 0)
                c &= 0x7F;
            src[i] = c ? (char)c : '#';
        }
        run_hostile("random text", src, n);
        /* Any bytes but NUL (mostly refused as not UTF-8). */
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned c = seed >> 24;
            src[i] = c ? (char)c : '#';
        }
        run_hostile("random bytes", src, n);
        /* The same, drawn from Markdown's punctuation. */
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            src[i] = "#*_-=>|`~[]()!<&;:{} \n\n1.x"[(seed >> 16) % 27];
        }
        run_hostile("random markdown", src, n);
    }
    free(src);
}

/* Inputs the fuzzer once broke an invariant with (tests/fuzz/regressions):
 * each reader gives passages whose byte ranges stay inside the source. */
static void fuzz_regressions_keep_every_range_inside_the_source(void)
{
    static const char *const files[] = {"tests/fuzz/regressions/markdown-part-past-the-end.md"};
    static const char *const as[] = {"x.md", "x.txt", "x.html", "x.jsonl"};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        size_t len = 0;
        char *data = source_file(files[f], &len);
        CHECK(data != NULL);
        for (size_t k = 0; data && k < sizeof as / sizeof *as; k++) {
            rubric_doc *d = NULL;
            char *err = NULL;
            rubric_doc_read(as[k], data, len, &d, &err);
            for (size_t i = 0; d && i < rubric_doc_count(d); i++) {
                const rubric_passage *p = rubric_doc_passage(d, i);
                if (!(p->start <= p->end && p->end <= len)) {
                    fprintf(stderr, "  %s as %s: passage %zu has [%zu, %zu) in %zu bytes\n",
                            files[f], as[k], i, p->start, p->end, len);
                    harness_current_failed = 1;
                }
            }
            rubric_doc_free(d);
            free(err);
        }
        free(data);
    }
}

int main(void)
{
    RUN(markdown_atx_headings_nest_into_trails_outermost_first);
    RUN(fuzz_regressions_keep_every_range_inside_the_source);
    RUN(markdown_setext_headings_start_sections);
    RUN(markdown_heading_text_is_its_inline_text_without_urls);
    RUN(markdown_fenced_code_stays_text_of_its_section);
    RUN(markdown_indented_code_stays_text_of_its_section);
    RUN(markdown_front_matter_gives_a_plain_title);
    RUN(markdown_front_matter_gives_a_quoted_title);
    RUN(markdown_front_matter_title_stands_above_headings_without_h1);
    RUN(markdown_front_matter_without_title_is_skipped);
    RUN(markdown_unclosed_front_matter_is_ordinary_text);
    RUN(markdown_anchors_are_githubs);
    RUN(markdown_repeated_headings_get_numbered_anchors);
    RUN(markdown_explicit_id_attribute_names_the_anchor);
    RUN(markdown_byte_ranges_hold_the_passage_text);
    RUN(markdown_article_reads_into_its_sections);
    RUN(markdown_tables_html_and_entities_read_as_text);
    RUN(markdown_list_items_are_blocks_and_joined_lines);
    RUN(markdown_link_lists_are_boilerplate);
    RUN(markdown_long_section_is_split_into_bounded_parts);
    RUN(markdown_malformed_input_never_crashes_and_finishes_fast);
    return HARNESS_END();
}
