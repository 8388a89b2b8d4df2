/* test_reader.c: the plain-text article reader (rubric_doc_read on *.txt).
 *
 * Each corpus article is compared with tests/golden/<name>.sections, one line
 * per passage in document order:
 *   anchor TAB part TAB boilerplate(0/1) TAB title TAB trail joined by " > "
 * with an optional sixth field "split": the section is long, and only its
 * number of parts is compared, loosely (at least 2).
 *
 * Corpus and golden files are found under $RUBRIC_SRCDIR (default ".").
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath, for shell.h */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rubric.h"
#include "bytes.h"
#include "harness.h"

/* ------------------------------------------------------------------ helpers */


static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}




static char *src_path(const char *rel)
{
    const char *dir = getenv("RUBRIC_SRCDIR");
    if (!dir || !*dir) dir = ".";
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, rel);
    return p;
}


/* Print up to MAX bytes of S on one line, newlines shown as "\n". */
static void print_excerpt(const char *s, size_t len, size_t max)
{
    fputc('"', stderr);
    for (size_t i = 0; s && i < len && i < max; i++) {
        if (s[i] == '\n') fputs("\\n", stderr);
        else if (s[i] == '\t') fputs("\\t", stderr);
        else fputc(s[i], stderr);
    }
    fputs(s && len > max ? "...\"" : "\"", stderr);
}

static char *join_trail(const char *const *trail, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++) len += strlen(nz(trail[i])) + 3;
    char *out = malloc(len), *p = out;
    if (!out) return NULL;
    *p = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i) { memcpy(p, " > ", 3); p += 3; }
        size_t k = strlen(nz(trail[i]));
        memcpy(p, nz(trail[i]), k);
        p += k;
    }
    *p = '\0';
    return out;
}

/* The passage whose byte range holds offset OFF, or NULL. */
static const rubric_passage *passage_at(const rubric_doc *d, size_t off)
{
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (p && p->start <= off && off < p->end) return p;
    }
    return NULL;
}

/* --------------------------------------------------------- corpus articles */

typedef struct article {
    char *relpath; /* as given to the reader: corpus/<name>.txt */
    char *data;
    size_t len;
    rubric_doc *doc;
} article;

/* Read corpus/<name>.txt and run the reader on it. Returns 0 (after failing
 * the current test with an explanation) when anything goes wrong. */
static int article_load(article *a, const char *name)
{
    char rel[256];
    memset(a, 0, sizeof *a);
    snprintf(rel, sizeof rel, "corpus/%s.txt", name);
    a->relpath = xstrdup(rel);
    char *full = src_path(rel);
    a->data = full ? slurp(full, &a->len) : NULL;
    if (!a->data) {
        fprintf(stderr, "  cannot read %s (set RUBRIC_SRCDIR to the source tree)\n",
                nz(full));
        free(full);
        CHECK(a->data != NULL);
        return 0;
    }
    free(full);
    char *err = NULL;
    int rc = rubric_doc_read(a->relpath, a->data, a->len, &a->doc, &err);
    if (rc != RUBRIC_OK || !a->doc) {
        fprintf(stderr, "  rubric_doc_read(%s) = %d (%s): %s\n", a->relpath, rc,
                nz(rubric_strerror(rc)), nz(err));
        free(err);
        CHECK(rc == RUBRIC_OK);
        CHECK(a->doc != NULL);
        return 0;
    }
    free(err);
    return 1;
}

static void article_free(article *a)
{
    rubric_doc_free(a->doc);
    free(a->data);
    free(a->relpath);
    memset(a, 0, sizeof *a);
}

static size_t offset_of(const article *a, const char *needle)
{
    const char *p = find_bytes(a->data, a->len, needle, strlen(needle));
    return p ? (size_t)(p - a->data) : (size_t)-1;
}

/* ------------------------------------------------------------ golden files */

/* A run of consecutive passages sharing anchor, title, trail and the
 * boilerplate flag, as expected (golden) or as read. */
typedef struct item {
    char *anchor, *title, *trail;
    int bp;
    int split;                    /* golden: compare the count loosely (>= 2) */
    size_t count;                 /* passages in the run */
    const rubric_passage *first;  /* read: the run's first passage */
} item;

typedef struct items {
    item *v;
    size_t n, cap;
} items;

static void items_free(items *it)
{
    for (size_t i = 0; i < it->n; i++) {
        free(it->v[i].anchor);
        free(it->v[i].title);
        free(it->v[i].trail);
    }
    free(it->v);
    memset(it, 0, sizeof *it);
}

static int items_add(items *it, const char *anchor, const char *title,
                     const char *trail, int bp, int split, const rubric_passage *p)
{
    if (it->n > 0) {
        item *last = &it->v[it->n - 1];
        if (last->bp == bp && strcmp(last->anchor, anchor) == 0 &&
            strcmp(last->title, title) == 0 && strcmp(last->trail, trail) == 0) {
            last->count++;
            last->split |= split;
            return 1;
        }
    }
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 32;
        item *v = realloc(it->v, cap * sizeof *v);
        if (!v) return 0;
        it->v = v;
        it->cap = cap;
    }
    item *x = &it->v[it->n++];
    x->anchor = xstrdup(anchor);
    x->title = xstrdup(title);
    x->trail = xstrdup(trail);
    x->bp = bp;
    x->split = split;
    x->count = 1;
    x->first = p;
    return x->anchor && x->title && x->trail;
}

/* Parse a golden file into items. Returns 0 (failing the test) on error. */
static int golden_load(const char *name, items *out)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/golden/%s.sections", name);
    char *full = src_path(rel);
    size_t len = 0;
    char *data = full ? slurp(full, &len) : NULL;
    if (!data) {
        fprintf(stderr, "  cannot read %s\n", nz(full));
        free(full);
        CHECK(data != NULL);
        return 0;
    }
    free(full);
    int ok = 1;
    unsigned lineno = 0;
    char *line = data;
    while (ok && line < data + len) {
        char *nl = memchr(line, '\n', (size_t)(data + len - line));
        char *end = nl ? nl : data + len;
        lineno++;
        if (end > line && end[-1] == '\r') end[-1] = '\0';
        *end = '\0';
        if (*line) {
            char *f[6] = {0};
            int nf = 0;
            char *s = line;
            while (nf < 6) {
                f[nf++] = s;
                char *tab = strchr(s, '\t');
                if (!tab) break;
                *tab = '\0';
                s = tab + 1;
            }
            if (nf < 4 || (f[2][0] != '0' && f[2][0] != '1') || f[2][1]) {
                fprintf(stderr, "  %s:%u: malformed golden line\n", rel, lineno);
                ok = 0;
                break;
            }
            int split = nf >= 6 && strcmp(f[5], "split") == 0;
            ok = items_add(out, f[0], f[3], nf >= 5 ? f[4] : "", f[2][0] == '1', split,
                           NULL);
        }
        line = end + 1;
    }
    free(data);
    CHECK(ok);
    return ok;
}

static int doc_items(const rubric_doc *d, items *out)
{
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (!p) return 0;
        char *trail = join_trail(p->trail, p->ntrail);
        if (!trail) return 0;
        int ok = items_add(out, nz(p->anchor), nz(p->title), trail, p->boilerplate != 0,
                           0, p);
        free(trail);
        if (!ok) return 0;
    }
    return 1;
}

static int item_matches(const item *want, const item *got)
{
    if (want->bp != got->bp || strcmp(want->anchor, got->anchor) != 0 ||
        strcmp(want->title, got->title) != 0 || strcmp(want->trail, got->trail) != 0)
        return 0;
    return want->split ? got->count >= 2 : got->count == want->count;
}

static void print_item(char mark, const item *x)
{
    fprintf(stderr, "    %c %s  bp=%d  \"%s\"  trail: [%s]  x%zu%s", mark, x->anchor,
            x->bp, x->title, x->trail, x->count, x->split ? " (split: >= 2)" : "");
    if (x->first) {
        fputs("  text: ", stderr);
        print_excerpt(x->first->text, x->first->text_len, 50);
    }
    fputc('\n', stderr);
}

/* Compare with a longest-common-subsequence diff; print it on mismatch.
 * Returns the number of mismatched items. */
static size_t diff_items(const char *what, const items *want, const items *got)
{
    size_t n = want->n, m = got->n;
    size_t *L = calloc((n + 1) * (m + 1), sizeof *L);
    if (!L) return 1;
#define LCS(i, j) L[(i) * (m + 1) + (j)]
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            LCS(i, j) = item_matches(&want->v[i], &got->v[j])
                            ? LCS(i + 1, j + 1) + 1
                            : (LCS(i + 1, j) >= LCS(i, j + 1) ? LCS(i + 1, j)
                                                              : LCS(i, j + 1));
    size_t common = LCS(0, 0);
    size_t bad = (n - common) + (m - common);
    if (bad) {
        fprintf(stderr,
                "  %s: passages differ from the golden file "
                "(- expected only, + read only; runs of equal passages merged):\n",
                what);
        size_t i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && item_matches(&want->v[i], &got->v[j])) {
                print_item(' ', &got->v[j]);
                i++, j++;
            } else if (i < n && (j == m || LCS(i + 1, j) >= LCS(i, j + 1))) {
                print_item('-', &want->v[i++]);
            } else {
                print_item('+', &got->v[j++]);
            }
        }
    }
#undef LCS
    free(L);
    return bad;
}

static void check_against_golden(const char *name)
{
    article a;
    items want = {0}, got = {0};
    if (!article_load(&a, name)) { article_free(&a); return; }
    if (golden_load(name, &want)) {
        CHECK(doc_items(a.doc, &got));
        size_t bad = diff_items(a.relpath, &want, &got);
        CHECK(bad == 0);
    }
    items_free(&want);
    items_free(&got);
    article_free(&a);
}

/* ------------------------------------------------------ shared invariants */

/* Byte ranges lie inside the file, in document order, without overlap. */
static void check_ranges(const char *what, const rubric_doc *d, size_t len)
{
    size_t prev_end = 0;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        CHECK(p != NULL);
        if (!p) return;
        if (!(p->start <= p->end && p->end <= len && p->start >= prev_end)) {
            fprintf(stderr,
                    "  %s: passage %zu (%s part %u) has range [%zu, %zu); previous "
                    "ended at %zu, file is %zu bytes\n",
                    what, i, nz(p->anchor), p->part, p->start, p->end, prev_end, len);
            CHECK(p->start <= p->end && p->end <= len && p->start >= prev_end);
            return;
        }
        prev_end = p->end;
    }
}

/* Within a section (one anchor), parts are 0, 1, 2, ... in document order. */
static void check_parts(const char *what, const rubric_doc *d)
{
    size_t n = rubric_doc_count(d);
    for (size_t i = 0; i < n; i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        unsigned before = 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp(nz(rubric_doc_passage(d, j)->anchor), nz(p->anchor)) == 0) before++;
        if (p->part != before) {
            fprintf(stderr, "  %s: passage %zu (%s) is part %u, expected part %u\n", what,
                    i, nz(p->anchor), p->part, before);
            CHECK(p->part == before);
        }
    }
}

/* No line of a boilerplate passage (other than the table of contents, whose
 * items are headings) shows up in the text of a real passage. */
static void check_boilerplate_lines_stay_out(const article *a)
{
    const rubric_doc *d = a->doc;
    size_t n = rubric_doc_count(d);
    for (size_t i = 0; i < n; i++) {
        const rubric_passage *b = rubric_doc_passage(d, i);
        if (!b->boilerplate || strstr(nz(b->title), "Contents")) continue;
        size_t pos = b->start;
        while (pos < b->end) {
            const char *s = a->data + pos;
            const char *nl = memchr(s, '\n', b->end - pos);
            size_t llen = nl ? (size_t)(nl - s) : b->end - pos;
            size_t k = 0;
            while (k < llen && (s[k] == '-' || s[k] == ' ')) k++;
            if (llen - k >= 20) {
                for (size_t j = 0; j < n; j++) {
                    const rubric_passage *p = rubric_doc_passage(d, j);
                    if (p->boilerplate) continue;
                    if (find_bytes(p->text, p->text_len, s + k, llen - k)) {
                        fprintf(stderr, "  %s: real passage %s part %u holds the line ",
                                a->relpath, nz(p->anchor), p->part);
                        print_excerpt(s + k, llen - k, 80);
                        fprintf(stderr, " of boilerplate passage %s part %u\n",
                                nz(b->anchor), b->part);
                        CHECK(!"boilerplate line in a real passage");
                    }
                }
            }
            pos += llen + 1;
        }
    }
}

/* Each of LINES (known junk in the article) lies in a boilerplate passage and
 * in no real passage's text. */
static void check_known_junk(const article *a, const char *const *lines)
{
    for (; *lines; lines++) {
        size_t off = offset_of(a, *lines);
        if (off == (size_t)-1) {
            fprintf(stderr, "  test bug: \"%s\" is not in %s\n", *lines, a->relpath);
            CHECK(off != (size_t)-1);
            continue;
        }
        const rubric_passage *p = passage_at(a->doc, off);
        if (!p || !p->boilerplate) {
            fprintf(stderr, "  %s: junk line \"%s\" at byte %zu is in %s\n", a->relpath,
                    *lines, off,
                    p ? "a passage not marked boilerplate" : "no passage at all");
            if (p) fprintf(stderr, "    (passage %s part %u)\n", nz(p->anchor), p->part);
            CHECK(p && p->boilerplate);
        }
        for (size_t j = 0; j < rubric_doc_count(a->doc); j++) {
            const rubric_passage *q = rubric_doc_passage(a->doc, j);
            if (!q->boilerplate && find_bytes(q->text, q->text_len, *lines, strlen(*lines))) {
                fprintf(stderr, "  %s: real passage %s part %u holds junk \"%s\"\n",
                        a->relpath, nz(q->anchor), q->part, *lines);
                CHECK(!"junk line in a real passage");
            }
        }
    }
}

static const char *const seed_junk[] = {
    "Tylas Boyfriend 2024 The Ultimate Timeline And Analysis",
    "Peter Zeihans Wife Who Is She",
    "Watch Movies And Shows For Free With A Netflix Account",
    "Leland Melvin The Astronaut And Engineer Extraordinaire",
    "Stefania Ferrario An Inspiring Entrepreneur",
    "One Dose In, And Your Life Will Never Be The Same!",
    "What Does Crack Look Like? | How Crack Looks, Smells, & Feels",
    "do and does worksheets with answers for grade 1, 2, 3 | Made By Teachers",
    NULL};

static const char *const bee_junk[] = {
    "Who Is Marlowe Brennick Dating Right Now The Full Story",
    "Unblocked Racing Games For School Chromebooks Play Now",
    "Inside The Mansion Of Rapper Quell Dorsey Exclusive Photos",
    "Grab 70 Percent Off Coupon Codes For Every Store Today",
    "Everything We Know About Jasper Molloy And His Yacht",
    "Lucas Ferreira Stunning Transformation Before And After",
    "Doctors Hate Him: The Weird Tip That Fixes Your Knees Overnight!",
    "Best Garden Hoses Of 2024 | Tested, Reviewed & Ranked",
    "printable multiplication charts free download for kids ages 6-10 | Teacher Approved",
    NULL};

/* -------------------------------------------------------- corpus tests */

static void reader_finds_every_section_of_the_seed_article(void)
{
    check_against_golden("russia-balancing-act");
}

static void reader_finds_every_section_of_the_beekeeping_article(void)
{
    check_against_golden("urban-beekeeping");
}

static void reader_takes_the_title_from_the_first_line(void)
{
    article a;
    if (article_load(&a, "russia-balancing-act"))
        CHECK_STR(rubric_doc_title(a.doc),
                  "Russia's Balancing Act: Supporting Iran Or Israel?");
    article_free(&a);
    if (article_load(&a, "urban-beekeeping"))
        CHECK_STR(rubric_doc_title(a.doc),
                  "Urban Beekeeping: How the City\xE2\x80\x99s Rooftops Became Honey Country");
    article_free(&a);
}

static void reader_keeps_byte_ranges_inside_the_file_and_in_order(void)
{
    static const char *const names[] = {"russia-balancing-act", "urban-beekeeping"};
    for (size_t k = 0; k < 2; k++) {
        article a;
        if (article_load(&a, names[k])) {
            check_ranges(a.relpath, a.doc, a.len);
            for (size_t i = 0; i < rubric_doc_count(a.doc); i++) {
                const rubric_passage *p = rubric_doc_passage(a.doc, i);
                if (p->text_len == 0 || !p->text) {
                    fprintf(stderr, "  %s: passage %zu (%s part %u) has no text\n",
                            a.relpath, i, nz(p->anchor), p->part);
                    CHECK(p->text_len > 0 && p->text);
                }
            }
        }
        article_free(&a);
    }
}

static void reader_numbers_parts_in_document_order_within_a_section(void)
{
    static const char *const names[] = {"russia-balancing-act", "urban-beekeeping"};
    for (size_t k = 0; k < 2; k++) {
        article a;
        if (article_load(&a, names[k])) check_parts(a.relpath, a.doc);
        article_free(&a);
    }
}

static void reader_keeps_link_farm_lines_out_of_real_passages(void)
{
    article a;
    if (article_load(&a, "russia-balancing-act")) {
        check_boilerplate_lines_stay_out(&a);
        check_known_junk(&a, seed_junk);
    }
    article_free(&a);
    if (article_load(&a, "urban-beekeeping")) {
        check_boilerplate_lines_stay_out(&a);
        check_known_junk(&a, bee_junk);
    }
    article_free(&a);
}

static void reader_finds_netflix_only_in_boilerplate_of_the_seed_article(void)
{
    article a;
    if (!article_load(&a, "russia-balancing-act")) { article_free(&a); return; }
    size_t seen = 0;
    for (const char *s = a.data;
         (s = find_bytes(s, a.len - (size_t)(s - a.data), "Netflix", 7)) != NULL; s += 7) {
        const rubric_passage *p = passage_at(a.doc, (size_t)(s - a.data));
        seen++;
        if (!p || !p->boilerplate) {
            fprintf(stderr, "  \"Netflix\" at byte %zu is in %s\n", (size_t)(s - a.data),
                    p ? nz(p->anchor) : "no passage");
            CHECK(p && p->boilerplate);
        }
    }
    CHECK(seen == 1);
    for (size_t i = 0; i < rubric_doc_count(a.doc); i++) {
        const rubric_passage *p = rubric_doc_passage(a.doc, i);
        if (!p->boilerplate && find_bytes(p->text, p->text_len, "Netflix", 7)) {
            fprintf(stderr, "  real passage %s part %u mentions Netflix\n", nz(p->anchor),
                    p->part);
            CHECK(!"Netflix in a real passage");
        }
    }
    article_free(&a);
}

static void check_toc(const char *name, const char *label, const char *first_item)
{
    article a;
    if (!article_load(&a, name)) { article_free(&a); return; }
    size_t off = offset_of(&a, first_item);
    CHECK(off != (size_t)-1);
    const rubric_passage *p = off == (size_t)-1 ? NULL : passage_at(a.doc, off);
    CHECK(p != NULL);
    if (p) {
        if (!p->boilerplate)
            fprintf(stderr, "  %s: the table of contents is in real passage %s\n",
                    a.relpath, nz(p->anchor));
        CHECK(p->boilerplate);
        CHECK_STR(p->title, label);
    }
    /* The list of headings never lands in a real passage's text. */
    for (size_t i = 0; i < rubric_doc_count(a.doc); i++) {
        const rubric_passage *q = rubric_doc_passage(a.doc, i);
        if (!q->boilerplate && find_bytes(q->text, q->text_len, first_item, strlen(first_item))) {
            fprintf(stderr, "  %s: real passage %s holds \"%s\"\n", a.relpath,
                    nz(q->anchor), first_item);
            CHECK(!"table of contents item in a real passage");
        }
    }
    article_free(&a);
}

static void reader_marks_the_table_of_contents_as_boilerplate(void)
{
    check_toc("russia-balancing-act", "Table of Contents",
              "- Russia's Enduring Ties with Iran\n- The Delicate Dance");
    check_toc("urban-beekeeping", "Contents",
              "- Why Bees Took to the City\n- Choosing a Site");
}

static void reader_keeps_a_legit_list_in_its_section(void)
{
    article a;
    if (!article_load(&a, "urban-beekeeping")) { article_free(&a); return; }
    static const char *const items_[] = {
        "- A hive with a floor, two brood boxes, a queen excluder",
        "- Ten frames per box, each fitted with a sheet of wax foundation",
        "- A feeder for sugar syrup in early spring and late autumn", NULL};
    for (const char *const *it = items_; *it; it++) {
        size_t off = offset_of(&a, *it);
        CHECK(off != (size_t)-1);
        const rubric_passage *p = off == (size_t)-1 ? NULL : passage_at(a.doc, off);
        CHECK(p != NULL);
        if (!p) continue;
        if (p->boilerplate)
            fprintf(stderr, "  the equipment list item \"%s\" was marked boilerplate\n", *it);
        CHECK(!p->boilerplate);
        CHECK_STR(p->anchor, "the-hive-and-the-tools-of-the-trade");
        /* Its words are searchable: the item's text is in the passage's text. */
        CHECK(find_bytes(p->text, p->text_len, *it + 2, strlen(*it + 2)) != NULL);
    }
    article_free(&a);
}

static void reader_splits_long_sections_at_a_bounded_size(void)
{
    static const char *const names[] = {"russia-balancing-act", "urban-beekeeping"};
    for (size_t k = 0; k < 2; k++) {
        article a;
        if (article_load(&a, names[k])) {
            for (size_t i = 0; i < rubric_doc_count(a.doc); i++) {
                const rubric_passage *p = rubric_doc_passage(a.doc, i);
                if (!p->boilerplate && p->text_len > 3000) {
                    fprintf(stderr, "  %s: passage %s part %u has %zu bytes of text\n",
                            a.relpath, nz(p->anchor), p->part, p->text_len);
                    CHECK(p->text_len <= 3000);
                }
            }
        }
        article_free(&a);
    }
}

static void reader_supports_txt_files(void)
{
    CHECK(rubric_doc_supported("corpus/russia-balancing-act.txt"));
    CHECK(rubric_doc_supported("notes.txt"));
    CHECK(!rubric_doc_supported("photo.png"));
}

/* --------------------------------------------------------- inline fixtures */

/* Read an inline fixture; fails the test and returns NULL on error. */
static rubric_doc *read_fixture(const char *path, const char *data, size_t len)
{
    rubric_doc *d = NULL;
    char *err = NULL;
    int rc = rubric_doc_read(path, data, len, &d, &err);
    if (rc != RUBRIC_OK || !d) {
        fprintf(stderr, "  rubric_doc_read(%s) = %d (%s): %s\n", path, rc,
                nz(rubric_strerror(rc)), nz(err));
        CHECK(rc == RUBRIC_OK && d != NULL);
        free(err);
        rubric_doc_free(d);
        return NULL;
    }
    free(err);
    return d;
}

static void print_doc(const rubric_doc *d)
{
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        char *t = join_trail(p->trail, p->ntrail);
        fprintf(stderr, "    [%zu] %s part %u bp=%d \"%s\" trail [%s]\n", i, nz(p->anchor),
                p->part, p->boilerplate, nz(p->title), nz(t));
        free(t);
    }
}

/* Empty or blank input: no passages, or a clean error. Never a crash. */
static void check_nothing(const char *path, const char *data, size_t len)
{
    rubric_doc *d = NULL;
    char *err = NULL;
    int rc = rubric_doc_read(path, data, len, &d, &err);
    if (rc == RUBRIC_OK) {
        CHECK(d != NULL);
        if (d && rubric_doc_count(d) != 0) {
            fprintf(stderr, "  %zu passages from %zu blank bytes:\n", rubric_doc_count(d), len);
            print_doc(d);
            CHECK(rubric_doc_count(d) == 0);
        }
    } else {
        CHECK(rc < 0);
        CHECK(d == NULL);
        if (rc == RUBRIC_EINPUT) CHECK(err != NULL && err[0] != '\0');
    }
    free(err);
    rubric_doc_free(d);
}

static void reader_survives_empty_input(void)
{
    check_nothing("empty.txt", "", 0);
    check_nothing("empty.txt", NULL, 0);
    check_nothing("blank.txt", "\n\n   \n\t\n", 6);
}

static void reader_survives_invalid_utf8(void)
{
    static const char text[] =
        "Caf\xE9 Culture in Old Lisbon\n"
        "The old quarter still has a dozen coffee houses where regulars argue over "
        "football and poetry, and a stray byte \xFF or a cut sequence \xE2\x80 must not "
        "stop anyone from reading about them.\n"
        "Contents\n"
        "- Roasting Houses\n"
        "- The Pastry Counter\n"
        "Roasting Houses\n"
        "Beans arrive by ship and are roasted in the lower town, where the smell "
        "drifts uphill every morning \xC3\x28 and settles over the tram stops.\n"
        "The Pastry Counter\n"
        "Custard tarts are baked in batches of forty, dusted with cinnamon and sold "
        "warm, with an overlong slash \xC0\xAF and a surrogate \xED\xA0\x80 in this line.\n";
    rubric_doc *d = read_fixture("lisbon.txt", text, sizeof text - 1);
    if (!d) return;
    int roasting = 0, pastry = 0;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        CHECK(p->anchor && p->anchor[0]);
        CHECK(valid_utf8_str(p->anchor));
        CHECK(valid_utf8_str(p->title));
        for (size_t k = 0; k < p->ntrail; k++) CHECK(valid_utf8_str(p->trail[k]));
        if (p->anchor && strcmp(p->anchor, "roasting-houses") == 0) {
            roasting++;
            CHECK(!p->boilerplate);
            CHECK(find_bytes(p->text, p->text_len, "tram stops", 10) != NULL);
        }
        if (p->anchor && strcmp(p->anchor, "the-pastry-counter") == 0) {
            pastry++;
            CHECK(!p->boilerplate);
        }
    }
    const char *title = rubric_doc_title(d);
    CHECK(valid_utf8_str(title));
    CHECK(title && strstr(title, "Culture in Old Lisbon"));
    CHECK(roasting == 1);
    CHECK(pastry == 1);
    check_ranges("lisbon.txt", d, sizeof text - 1);
    if (harness_current_failed) print_doc(d);
    rubric_doc_free(d);
}

struct want {
    const char *anchor, *title;
    size_t ntrail;
};

static void check_passages(const char *what, const rubric_doc *d, const char *doc_title,
                           const struct want *w, size_t n)
{
    int ok = rubric_doc_count(d) == n;
    for (size_t i = 0; ok && i < n; i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        ok = p->anchor && strcmp(p->anchor, w[i].anchor) == 0 && p->title &&
             strcmp(p->title, w[i].title) == 0 && p->ntrail == w[i].ntrail &&
             !p->boilerplate && p->part == 0 &&
             (p->ntrail == 0 || (p->trail[0] && strcmp(p->trail[0], doc_title) == 0));
    }
    if (!ok) {
        fprintf(stderr, "  %s: expected %zu passages:\n", what, n);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "    [%zu] %s part 0 bp=0 \"%s\" trail [%s]\n", i, w[i].anchor,
                    w[i].title, w[i].ntrail ? doc_title : "");
        fprintf(stderr, "  got %zu:\n", rubric_doc_count(d));
        print_doc(d);
    }
    CHECK(ok);
}

static void reader_treats_every_heading_as_top_level_without_a_toc(void)
{
    static const char text[] =
        "Quiet Harbours of the North Sea\n"
        "Along this stretch of coast the harbours are small, tidal and mostly empty "
        "outside the summer, when sailing boats from three countries crowd the quays.\n"
        "Fishing Villages\n"
        "Each village grew around a single slipway, and the oldest houses still face "
        "away from the sea to keep the winter gales off their doors.\n"
        "Most families once owned a share in a boat rather than a whole one, which "
        "spread the losses of a bad season across the entire street.\n"
        "Lighthouses and Their Keepers\n"
        "The last resident keeper left in 1987, but the lamp still turns every night, "
        "watched over by an engineer who drives out from the town twice a week.\n"
        "The Decline of the Herring Trade\n"
        "Overfishing and new quotas ended the herring boom within a generation, and "
        "the smokehouses were turned into galleries, flats and a small museum.\n";
    rubric_doc *d = read_fixture("harbours.txt", text, sizeof text - 1);
    if (!d) return;
    const char *t = "Quiet Harbours of the North Sea";
    const struct want w[] = {
        {"quiet-harbours-of-the-north-sea", t, 0},
        {"fishing-villages", "Fishing Villages", 1},
        {"lighthouses-and-their-keepers", "Lighthouses and Their Keepers", 1},
        {"the-decline-of-the-herring-trade", "The Decline of the Herring Trade", 1},
    };
    check_passages("harbours.txt", d, t, w, sizeof w / sizeof w[0]);
    CHECK_STR(rubric_doc_title(d), t);
    check_ranges("harbours.txt", d, sizeof text - 1);
    rubric_doc_free(d);
}

/* A passage READ must give, in order: its title and its trail joined by " > ". */
struct outline_want {
    const char *title, *trail;
};

static void check_outline(const char *what, const rubric_doc *d, const char *doc_title,
                          const struct outline_want *w, size_t n)
{
    int ok = rubric_doc_count(d) == n && strcmp(nz(rubric_doc_title(d)), doc_title) == 0;
    for (size_t i = 0; ok && i < n; i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        char *t = join_trail(p->trail, p->ntrail);
        ok = strcmp(nz(p->title), w[i].title) == 0 && strcmp(nz(t), w[i].trail) == 0 &&
             !p->boilerplate && p->part == 0;
        free(t);
    }
    if (!ok) {
        fprintf(stderr, "  %s: expected the title \"%s\" and %zu passages:\n", what, doc_title, n);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "    [%zu] \"%s\" trail [%s]\n", i, w[i].title, w[i].trail);
        fprintf(stderr, "  got \"%s\" and %zu:\n", nz(rubric_doc_title(d)), rubric_doc_count(d));
        print_doc(d);
    }
    CHECK(ok);
}

static void reader_takes_restructuredtext_titles_as_the_headings_at_their_levels(void)
{
    static const char text[] =
        "=================\n"
        " Spool Reference\n"
        "=================\n"
        "\n"
        "The spool library keeps records in order on disk and hands them out again\n"
        "to readers in the same order, one at a time.\n"
        "\n"
        "Opening spools\n"
        "==============\n"
        "\n"
        "Call :func:`spool_open` with the path of the spool and the flags you need.\n"
        "\n"
        "A short line\n"
        "\n"
        "The line above is a paragraph of its own, not a heading: this text has\n"
        "titles of its own markup, and only those are headings.\n"
        "\n"
        "Flags\n"
        "-----\n"
        "\n"
        "The create flag makes an empty spool when none exists yet.\n"
        "\n"
        "Closing spools\n"
        "==============\n"
        "\n"
        "Call ``spool_close`` once every record is written.\n";
    const char *t = "Spool Reference";
    const struct outline_want w[] = {
        {t, ""},
        {"Opening spools", t},
        {"Flags", "Spool Reference > Opening spools"},
        {"Closing spools", t},
    };
    static const char *const names[] = {"spool.rst", "spool.rst.txt"};
    for (size_t k = 0; k < 2; k++) {
        rubric_doc *d = read_fixture(names[k], text, sizeof text - 1);
        if (!d)
            return;
        check_outline(names[k], d, t, w, sizeof w / sizeof w[0]);
        check_ranges(names[k], d, sizeof text - 1);
        rubric_doc_free(d);
    }
}

static void reader_takes_asciidoc_and_hash_titles_as_the_headings_at_their_levels(void)
{
    static const char adoc[] =
        "= Spool Guide\n"
        "\n"
        "How to install the spool tools and run them on a server.\n"
        "\n"
        "== Installing\n"
        "\n"
        "The tools come as one package for each system.\n"
        "\n"
        "=== From source\n"
        "\n"
        "Unpack the release and run make in its folder.\n"
        "\n"
        "== Running\n"
        "\n"
        "Start the daemon with the path of the spool folder.\n";
    static const char hashes[] =
        "# Spool Notes\n"
        "\n"
        "Notes kept while tuning the spool on a busy machine.\n"
        "\n"
        "## Buffers\n"
        "\n"
        "Larger buffers mean fewer writes and longer waits.\n"
        "\n"
        "### Sizes\n"
        "\n"
        "Sixty-four kilobytes was the best size on spinning disks.\n"
        "\n"
        "## Locks\n"
        "\n"
        "Only one writer holds the lock at a time.\n";
    const struct outline_want a[] = {
        {"Spool Guide", ""},
        {"Installing", "Spool Guide"},
        {"From source", "Spool Guide > Installing"},
        {"Running", "Spool Guide"},
    };
    const struct outline_want h[] = {
        {"Spool Notes", ""},
        {"Buffers", "Spool Notes"},
        {"Sizes", "Spool Notes > Buffers"},
        {"Locks", "Spool Notes"},
    };
    rubric_doc *d = read_fixture("guide.adoc", adoc, sizeof adoc - 1);
    if (d) {
        check_outline("guide.adoc", d, "Spool Guide", a, sizeof a / sizeof a[0]);
        rubric_doc_free(d);
    }
    d = read_fixture("notes.txt", hashes, sizeof hashes - 1);
    if (d) {
        check_outline("notes.txt", d, "Spool Notes", h, sizeof h / sizeof h[0]);
        rubric_doc_free(d);
    }
    /* A title may close with a run of its marks, which is not part of it;
     * marks inside the title, or not after a space, are. */
    static const char closed[] =
        "Spool design notes\n"
        "\n"
        "=== Purpose of the spool ===\n"
        "\n"
        "It keeps jobs until a worker takes them.\n"
        "\n"
        "=== C# = bindings==\n"
        "\n"
        "Bindings for other languages come later.\n";
    const struct outline_want c[] = {
        {"Purpose of the spool", "Spool design notes"},
        {"C# = bindings==", "Spool design notes"},
    };
    d = read_fixture("design.txt", closed, sizeof closed - 1);
    if (d) {
        check_outline("design.txt", d, "Spool design notes", c, sizeof c / sizeof c[0]);
        rubric_doc_free(d);
    }
}

/* Where byte X of passage P's text came from in the source. */
static size_t source_offset(const rubric_passage *p, size_t x)
{
    if (!p->map)
        return p->start + x;
    size_t t0 = 0, s0 = p->start;
    for (size_t k = 0; k < p->nmap && p->map[2 * k] <= x; k++) {
        t0 = p->map[2 * k];
        s0 = p->map[2 * k + 1];
    }
    return s0 + (x - t0);
}

/* A reStructuredText source read as its HTML shows it: roles, backquotes,
 * link targets, directive and field markers are markup, not words (a target
 * above the title is not the title); the text still leads back to the
 * source word for word. */
static void reader_reads_restructuredtext_inline_markup_as_its_rendering_shows_it(void)
{
    static const char text[] =
        ".. _spool-ref:\n"
        "\n"
        ":mod:`spool` --- Record Spools\n"
        "==============================\n"
        "\n"
        ".. module:: spool\n"
        "   :synopsis: Records kept in order.\n"
        "\n"
        ".. _opening:\n"
        "\n"
        "Opening ``spool`` files\n"
        "-----------------------\n"
        "\n"
        "Call :func:`spool.open` or :c:func:`spool_open_fd` with ``flags``; see\n"
        ":ref:`the flags <spool-flags>` and `Spool home <https://example.org/spool>`_.\n"
        "The :meth:`~spool.Spool.close` method ends it, and :func:`!rewind` starts over.\n"
        "\n"
        ".. versionchanged:: 2.1\n"
        "   Takes a file descriptor.\n"
        "\n"
        ".. include:: ../common/SPOOL-NOTE.txt\n"
        "\n"
        ".. code-block:: pycon\n"
        "\n"
        "   >>> spool.open(path)\n"
        "\n"
        "\n"
        "A lone ` backquote stays as written.\n";
    rubric_doc *d = read_fixture("spool.rst", text, sizeof text - 1);
    if (!d)
        return;
    CHECK_STR(rubric_doc_title(d), "spool --- Record Spools");
    const rubric_passage *open = NULL;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        if (strcmp(p->title, "Opening spool files") == 0)
            open = p;
        static const char *const markup[] = {":func:", ":c:func:", "``", ":ref:", "<spool-flags>",
                                             "https://", "`_", "~", "!rewind", ".. _opening",
                                             ".. versionchanged", ":synopsis:", ".. module",
                                             "SPOOL-NOTE", "pycon"};
        for (size_t k = 0; k < sizeof markup / sizeof *markup; k++)
            if (find_bytes(p->text, p->text_len, markup[k], strlen(markup[k]))) {
                fprintf(stderr, "  passage '%s' holds the markup '%s'\n", p->title, markup[k]);
                harness_current_failed = 1;
            }
    }
    CHECK(open != NULL);
    if (open) {
        static const char *const shown[] = {
            "Call spool.open or spool_open_fd with flags; see\nthe flags and Spool home.",
            "The close method ends it, and rewind starts over.",
            "2.1\n   Takes a file descriptor.", ">>> spool.open(path)",
            "A lone ` backquote stays as written."};
        for (size_t k = 0; k < sizeof shown / sizeof *shown; k++)
            if (!find_bytes(open->text, open->text_len, shown[k], strlen(shown[k]))) {
                fprintf(stderr, "  the text lacks \"%s\":\n  %.*s\n", shown[k],
                        (int)open->text_len, open->text);
                harness_current_failed = 1;
            }
        /* Every word leads back to itself in the source. */
        static const char *const words[] = {"Call", "spool_open_fd", "flags", "Spool home",
                                            "close", "rewind", "Takes", "lone"};
        for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
            const char *w = find_bytes(open->text, open->text_len, words[k], strlen(words[k]));
            CHECK(w != NULL);
            if (!w)
                continue;
            size_t at = source_offset(open, (size_t)(w - open->text));
            if (at + strlen(words[k]) > sizeof text - 1 ||
                memcmp(text + at, words[k], strlen(words[k])) != 0) {
                fprintf(stderr, "  '%s' maps to source offset %zu: \"%.20s\"\n", words[k], at,
                        at < sizeof text - 1 ? text + at : "");
                harness_current_failed = 1;
            }
        }
    }
    check_ranges("spool.rst", d, sizeof text - 1);
    rubric_doc_free(d);
}

/* What a reStructuredText page's HTML never shows stays out of its text:
 * authors, index entries, a doctest's set-up, the file an include names,
 * substitutions' definitions (shown where they are used); the prose and
 * the code shown stay. */
static void reader_leaves_out_what_a_restructuredtext_page_does_not_show(void)
{
    static const char text[] =
        ":mod:`spool` --- Record Spools\n"
        "==============================\n"
        "\n"
        ".. moduleauthor:: Ada Quillfeather <ada@example.org>\n"
        ".. sectionauthor:: Bram Ostwick <bram@example.org>\n"
        "\n"
        ".. index::\n"
        "   pair: record; spool\n"
        "   single: zanderfile\n"
        "\n"
        ".. testsetup::\n"
        "\n"
        "   import grimbleton\n"
        "\n"
        ".. |spool_kind| replace:: ``quernstone``\n"
        ".. |logo| image:: tollhouse.png\n"
        ".. include:: SPOOL_NOTES.txt\n"
        "\n"
        "Spools keep records in the order they were written.\n"
        "\n"
        ".. code-block:: python\n"
        "\n"
        "   spool.open(path)\n";
    rubric_doc *d = read_fixture("spool.rst", text, sizeof text - 1);
    if (!d)
        return;
    int prose = 0, code = 0;
    static const char *const hidden[] = {"Quillfeather", "Ostwick",    "example.org",
                                         "zanderfile",   "pair",       "grimbleton",
                                         "python",       "quernstone", "tollhouse",
                                         "SPOOL_NOTES"};
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        prose += find_bytes(p->text, p->text_len, "in the order", 12) != NULL && !p->boilerplate;
        code += find_bytes(p->text, p->text_len, "spool.open(path)", 16) != NULL && !p->boilerplate;
        for (size_t k = 0; k < sizeof hidden / sizeof *hidden && !p->boilerplate; k++)
            if (find_bytes(p->text, p->text_len, hidden[k], strlen(hidden[k]))) {
                fprintf(stderr, "  passage '%s' holds '%s'\n", p->title, hidden[k]);
                harness_current_failed = 1;
            }
    }
    CHECK(prose == 1 && code == 1);
    check_ranges("spool.rst", d, sizeof text - 1);
    rubric_doc_free(d);
}

/* A table-of-contents directive of a reStructuredText source lists
 * documents, one a line: navigation, as its HTML page's list of links is;
 * the text around it stays content. */
static void reader_reads_a_contents_directive_as_navigation(void)
{
    static const char text[] =
        "Spool Reference\n"
        "===============\n"
        "\n"
        ".. contents::\n"
        "   :local:\n"
        "\n"
        "Spools keep records in the order they were written.\n"
        "\n"
        "Record Commands\n"
        "---------------\n"
        "\n"
        ".. toctree::\n"
        "   :maxdepth: 1\n"
        "\n"
        "   /command/spool_open\n"
        "   /command/spool_append\n"
        "   /command/spool_rewind\n"
        "\n"
        "Each command takes the spool's handle first.\n";
    rubric_doc *d = read_fixture("reference.rst", text, sizeof text - 1);
    if (!d)
        return;
    int listed = 0, prose = 0, order = 0;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        const char *t = p->text;
        size_t n = p->text_len;
        if (find_bytes(t, n, "spool_append", 12) || find_bytes(t, n, "maxdepth", 8) ||
            find_bytes(t, n, "local", 5)) {
            listed++;
            CHECK(p->boilerplate);
        }
        if (find_bytes(t, n, "handle first", 12)) {
            prose++;
            CHECK(!p->boilerplate);
            CHECK_STR(p->title, "Record Commands");
        }
        if (find_bytes(t, n, "in the order", 12)) {
            order++;
            CHECK(!p->boilerplate);
        }
    }
    CHECK(listed >= 1 && prose == 1 && order == 1);
    check_ranges("reference.rst", d, sizeof text - 1);
    rubric_doc_free(d);
}

/* A reStructuredText comment (explicit markup that is no directive, target,
 * substitution or footnote) is shown by no page: before the title it is
 * not the title, nor a trail's first entry, and inside a section it is no
 * text of it. A footnote is text. */
static const char comment_rst[] =
    ".. kiln-manual-description: Kiln Properties Reference\n"
    "\n"
    "kiln-properties(7)\n"
    "******************\n"
    "\n"
    "Each property of a kiln is listed here.\n"
    "\n"
    "Shelf Properties\n"
    "================\n"
    "\n"
    ".. a note for the editors: keep this list sorted\n"
    "   and the editors' names out of it\n"
    "\n"
    "A shelf bears the ware [1]_.\n"
    "\n"
    "..\n"
    "   prop:: SHELF_LOAD_EDITORS\n"
    "\n"
    "   The text of a directive left out by its empty comment.\n"
    "\n"
    "..\n"
    "\n"
    "   An empty comment is no comment of the block quote below it.\n"
    "\n"
    ".. [1] Silicon carbide, as a rule.\n";

/* The comments of TEXT (LEN bytes: comment_rst, its line ends LF or CRLF)
 * are read as nothing. */
static void check_comments_read_as_nothing(const char *text, size_t len)
{
    rubric_doc *d = read_fixture("properties.rst", text, len);
    if (!d)
        return;
    CHECK_STR(rubric_doc_title(d), "kiln-properties(7)");
    int shelf = 0;
    for (size_t i = 0; i < rubric_doc_count(d); i++) {
        const rubric_passage *p = rubric_doc_passage(d, i);
        for (size_t k = 0; k < p->ntrail; k++)
            if (strstr(p->trail[k], "description")) {
                fprintf(stderr, "  passage '%s' has the trail entry '%s'\n", p->title, p->trail[k]);
                harness_current_failed = 1;
            }
        if (find_bytes(p->text, p->text_len, "editors", 7) ||
            find_bytes(p->text, p->text_len, "EDITORS", 7) ||
            find_bytes(p->text, p->text_len, "left out", 8) ||
            find_bytes(p->text, p->text_len, "kiln-manual", 11)) {
            fprintf(stderr, "  passage '%s' holds a comment\n", p->title);
            harness_current_failed = 1;
        }
        if (p->title && strcmp(p->title, "Shelf Properties") == 0) {
            shelf++;
            CHECK(find_bytes(p->text, p->text_len, "Silicon carbide", 15) != NULL);
            CHECK(find_bytes(p->text, p->text_len, "block quote below", 17) != NULL);
            CHECK(p->ntrail == 1 && strcmp(p->trail[0], "kiln-properties(7)") == 0);
        }
    }
    CHECK(shelf == 1);
    check_ranges("properties.rst", d, len);
    rubric_doc_free(d);
}

static void reader_reads_a_restructuredtext_comment_as_nothing(void)
{
    check_comments_read_as_nothing(comment_rst, sizeof comment_rst - 1);
    static char crlf[2 * sizeof comment_rst];
    size_t n = 0;
    for (const char *p = comment_rst; *p; p++) {
        if (*p == '\n')
            crlf[n++] = '\r';
        crlf[n++] = *p;
    }
    check_comments_read_as_nothing(crlf, n);
}

static void reader_takes_no_line_of_a_delimited_listing_for_a_title(void)
{
    static const char text[] =
        "spool-push(1)\n"
        "=============\n"
        "\n"
        "NAME\n"
        "----\n"
        "spool-push - add records to a spool\n"
        "\n"
        "EXAMPLES\n"
        "--------\n"
        "\n"
        "Push one record:\n"
        "\n"
        "-----------------\n"
        "$ spool push a.rec\n"
        "-----------------\n"
        "\n"
        "Push two, then look:\n"
        "\n"
        "------------------\n"
        "$ spool push b.rec\n"
        "$ spool list\n"
        "------------------\n"
        "\n"
        "Each record keeps the time it was pushed.\n";
    const char *t = "spool-push(1)";
    const struct outline_want w[] = {
        {"NAME", t},
        {"EXAMPLES", t},
    };
    rubric_doc *d = read_fixture("spool-push.txt", text, sizeof text - 1);
    if (!d)
        return;
    check_outline("spool-push.txt", d, t, w, sizeof w / sizeof w[0]);
    rubric_doc_free(d);
}

/* A short capitalised line is no heading when it is indented (the text of
 * a definition, as an AsciiDoc list's) or when the next line goes on with
 * its sentence (a paragraph wrapped by hand). */
static void reader_takes_no_wrapped_or_indented_line_for_a_heading(void)
{
    static const char text[] =
        "Pottery Notes\n"
        "\n"
        "Notes from the studio, kept between firings so the next batch goes better.\n"
        "\n"
        "Glazes\n"
        "\n"
        "Each glaze is tried on a test tile before it goes near a pot.\n"
        "\n"
        "--dip::\n"
        "\tDip the pot in the glaze bucket for three\n"
        "\tseconds, no longer, then let it drip dry on the rack.\n"
        "\n"
        "The Kiln Was Loaded on a Tuesday and Fired\n"
        "overnight for twelve hours, with the damper half open.\n"
        "\n"
        "Soaking the Kiln\n"
        "\n"
        "Holding the top temperature for twenty minutes lets the glaze heal over.\n";
    const char *t = "Pottery Notes";
    const struct outline_want w[] = {
        {t, ""},
        {"Glazes", t},
        {"Soaking the Kiln", t},
    };
    rubric_doc *d = read_fixture("pottery.txt", text, sizeof text - 1);
    if (!d)
        return;
    check_outline("pottery.txt", d, t, w, sizeof w / sizeof w[0]);
    rubric_doc_free(d);
}

static void reader_makes_repeated_anchors_unique(void)
{
    static const char text[] =
        "Two Walks Along the Canal\n"
        "Both walks start at the lock by the station and need no map, only decent "
        "shoes and a little patience with the cyclists on the towpath.\n"
        "The Morning Walk\n"
        "Heading east, the path passes the old brewery, two swing bridges and a row "
        "of narrowboats where the owners are usually making breakfast.\n"
        "What to Bring\n"
        "Water, a light jacket and some coins for the kiosk at the second bridge, "
        "which sells the best bacon rolls on the whole canal.\n"
        "The Evening Walk\n"
        "Heading west, the towpath runs between reed beds, and on still evenings the "
        "herons stand so close to the water that they look like fence posts.\n"
        "What to Bring\n"
        "A torch for the last stretch under the trees, and insect repellent from June "
        "onwards, when the midges rise off the water at dusk.\n";
    rubric_doc *d = read_fixture("canal.txt", text, sizeof text - 1);
    if (!d) return;
    const char *t = "Two Walks Along the Canal";
    const struct want w[] = {
        {"two-walks-along-the-canal", t, 0},
        {"the-morning-walk", "The Morning Walk", 1},
        {"what-to-bring", "What to Bring", 1},
        {"the-evening-walk", "The Evening Walk", 1},
        {"what-to-bring-1", "What to Bring", 1},
    };
    check_passages("canal.txt", d, t, w, sizeof w / sizeof w[0]);
    rubric_doc_free(d);
}

static void reader_slugs_headings_keeping_unicode_letters(void)
{
    static const char text[] =
        "Notes on Dance Halls\n"
        "A short survey of the dance halls of the interwar years, drawn from "
        "newspaper advertisements, police reports and a few surviving diaries.\n"
        "Caf\xC3\xA9 Society & the 1920s: Z\xC3\xBCrich\xE2\x80\x99s Jazz Age\n"
        "Bands from Paris and Berlin played in the hotel ballrooms along the lake, "
        "and the students copied their steps in cheaper rooms across the river.\n";
    rubric_doc *d = read_fixture("dance.txt", text, sizeof text - 1);
    if (!d) return;
    const struct want w[] = {
        {"notes-on-dance-halls", "Notes on Dance Halls", 0},
        {"caf\xC3\xA9-society-the-1920s-z\xC3\xBCrichs-jazz-age",
         "Caf\xC3\xA9 Society & the 1920s: Z\xC3\xBCrich\xE2\x80\x99s Jazz Age", 1},
    };
    check_passages("dance.txt", d, "Notes on Dance Halls", w, sizeof w / sizeof w[0]);
    rubric_doc_free(d);
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void reader_splits_a_single_50_mb_line_into_bounded_passages(void)
{
    static const char sentence[] =
        "Honeybees forage widely across the city and come home dusted with pollen. ";
    const size_t slen = sizeof sentence - 1;
    const size_t len = (size_t)50 * 1024 * 1024;
    char *data = malloc(len);
    CHECK(data != NULL);
    if (!data) return;
    for (size_t i = 0; i < len; i += slen)
        memcpy(data + i, sentence, len - i < slen ? len - i : slen);

    /* How long it takes is make bench's to measure, not a test's to assert
     * (a busy machine under the sanitizers once took more than 20 s): the
     * time is only said. */
    double t0 = now_seconds();
    rubric_doc *d = read_fixture("huge.txt", data, len);
    printf("     reading 50 MB on one line took %.1f s\n", now_seconds() - t0);
    if (d) {
        size_t n = rubric_doc_count(d), total = 0, worst = 0;
        CHECK(n >= 2);
        const char *title = rubric_doc_title(d);
        CHECK(!title || strlen(title) <= 1024);
        for (size_t i = 0; i < n; i++) {
            const rubric_passage *p = rubric_doc_passage(d, i);
            total += p->text_len;
            if (p->text_len > worst) worst = p->text_len;
            if ((p->anchor && strlen(p->anchor) > 1024) ||
                (p->title && strlen(p->title) > 1024)) {
                fprintf(stderr, "  passage %zu has a %zu-byte anchor, %zu-byte title\n", i,
                        strlen(nz(p->anchor)), strlen(nz(p->title)));
                CHECK(!"unbounded anchor or title");
                break;
            }
        }
        if (worst > 65536) fprintf(stderr, "  longest passage: %zu bytes\n", worst);
        CHECK(worst <= 65536);
        /* Split, not truncated: the text stays searchable. */
        if (total < len / 2)
            fprintf(stderr, "  passages hold %zu of %zu bytes\n", total, len);
        CHECK(total >= len / 2);
        check_ranges("huge.txt", d, len);
        rubric_doc_free(d);
    }
    free(data);
}

static void check_binary(const char *path, const char *data, size_t len)
{
    rubric_doc *d = NULL;
    char *err = NULL;
    int rc = rubric_doc_read(path, data, len, &d, &err);
    if (rc != RUBRIC_EINPUT)
        fprintf(stderr, "  %s: rubric_doc_read = %d (%s), want RUBRIC_EINPUT\n", path, rc,
                nz(rubric_strerror(rc)));
    CHECK(rc == RUBRIC_EINPUT);
    CHECK(d == NULL);
    CHECK(err != NULL && err[0] != '\0');
    free(err);
    rubric_doc_free(d);
}

static void reader_rejects_binary_data_with_nul_bytes(void)
{
    /* The start of a PNG image. */
    static const char png[] =
        "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0\x5c\x72\xa8\x66"
        "\0\0\0\x04sBIT\x08\x08\x08\x08\x7c\x08\x64\x88\0\0\0\x19tEXtSoftware\0www";
    check_binary("image.txt", png, sizeof png - 1);

    /* A tar header: a text-looking file name, then NUL padding and octal fields. */
    char tar[1024];
    memset(tar, 0, sizeof tar);
    memcpy(tar, "notes/article.txt", 17);
    memcpy(tar + 100, "0000644", 7);
    memcpy(tar + 108, "0001750", 7);
    memcpy(tar + 124, "00000002322", 11);
    memcpy(tar + 257, "ustar", 5);
    memcpy(tar + 512, "Title line\nSome text that follows the header.\n", 46);
    check_binary("archive.txt", tar, sizeof tar);

    /* Pseudo-random bytes, NULs included. */
    char noise[4096];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof noise; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        noise[i] = (char)(i % 16 == 7 ? 0 : (x & 0xFF));
    }
    check_binary("noise.txt", noise, sizeof noise);
}

int main(void)
{
    RUN(reader_finds_every_section_of_the_seed_article);
    RUN(reader_finds_every_section_of_the_beekeeping_article);
    RUN(reader_takes_the_title_from_the_first_line);
    RUN(reader_keeps_byte_ranges_inside_the_file_and_in_order);
    RUN(reader_numbers_parts_in_document_order_within_a_section);
    RUN(reader_keeps_link_farm_lines_out_of_real_passages);
    RUN(reader_finds_netflix_only_in_boilerplate_of_the_seed_article);
    RUN(reader_marks_the_table_of_contents_as_boilerplate);
    RUN(reader_keeps_a_legit_list_in_its_section);
    RUN(reader_splits_long_sections_at_a_bounded_size);
    RUN(reader_supports_txt_files);
    RUN(reader_survives_empty_input);
    RUN(reader_survives_invalid_utf8);
    RUN(reader_treats_every_heading_as_top_level_without_a_toc);
    RUN(reader_takes_restructuredtext_titles_as_the_headings_at_their_levels);
    RUN(reader_takes_asciidoc_and_hash_titles_as_the_headings_at_their_levels);
    RUN(reader_reads_restructuredtext_inline_markup_as_its_rendering_shows_it);
    RUN(reader_reads_a_contents_directive_as_navigation);
    RUN(reader_reads_a_restructuredtext_comment_as_nothing);
    RUN(reader_leaves_out_what_a_restructuredtext_page_does_not_show);
    RUN(reader_takes_no_wrapped_or_indented_line_for_a_heading);
    RUN(reader_takes_no_line_of_a_delimited_listing_for_a_title);
    RUN(reader_makes_repeated_anchors_unique);
    RUN(reader_slugs_headings_keeping_unicode_letters);
    RUN(reader_splits_a_single_50_mb_line_into_bounded_passages);
    RUN(reader_rejects_binary_data_with_nul_bytes);
    return HARNESS_END();
}
