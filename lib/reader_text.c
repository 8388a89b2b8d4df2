/* reader_text.c: plain-text articles into sections, telling content from boilerplate.
 *
 * The shape read: a title on the first line; paragraphs; "- " lists; headings
 * as short lines without closing punctuation; optionally a table of contents,
 * a list whose items repeat later headings, which makes those headings the
 * top level (other headings between them are sub-headings).
 *
 * Boilerplate is decided from evidence in the text, never from known lines:
 *   - a list repeating the headings is a table of contents;
 *   - a list whose items are title-cased and mostly share no content word with
 *     the prose of their section is a link farm;
 *   - a short line that is not a heading and shares no content word with the
 *     article's prose is a promotion or a stray link.
 * Each run of boilerplate becomes a passage of its own, flagged.
 *
 * A markup source read as text (reStructuredText, AsciiDoc, Markdown kept as
 * .txt) says where its titles are, and then they alone are headings, at the
 * levels it gives them: a line underlined (or over- and underlined) by a run
 * of one punctuation character at least as long as it, its level that of the
 * first title adorned the same way (as reStructuredText ranks them); or a
 * line opening with 1 to 6 "#" or "=" and a space (Markdown, AsciiDoc), its
 * level their count. Adornment lines are not text. A table-of-contents
 * directive (reStructuredText's toctree and contents), and one whose content
 * no page shows (index, testsetup, testcleanup, meta, tabularcolumns) or
 * shows elsewhere (a substitution's definition), is
 * boilerplate, with what is indented below it.
 */
#include <stdlib.h>
#include <string.h>

#include <unictype.h>
#include <unistr.h>

#include "internal.h"

/* Heading shape: at most this many words and bytes. */
#define HEADING_MAX_WORDS 12
#define HEADING_MAX_BYTES 100
/* A line with fewer words than this may be a stray promotion or link. */
#define STRAY_MAX_WORDS 20
/* Stray lines are judged only against an article with at least this many
 * distinct content words of prose: a short note has too little to compare. */
#define STRAY_MIN_VOCABULARY 40
/* A list or line is unrelated to its context when fewer than 1 in
 * RELATED_RATIO of its content words occur there. */
#define RELATED_RATIO 3
/* Content words: at least this many bytes long, and not a function word. */
#define CONTENT_MIN_BYTES 4
/* Markup titles: at most this many levels, and an adornment line at least
 * ADORNMENT_MIN characters long. */
#define MARKUP_LEVELS 6
#define ADORNMENT_MIN 3

enum { B_LINE, B_LIST };

typedef struct block {
    int kind;
    size_t start, end;    /* byte range, trailing blank space excluded */
    size_t first, nitems; /* for lists: index of the first item in items[] */
    int words;            /* number of words */
    int titlecase;        /* most of its content words are capitalised */
    int heading;          /* 0, or the heading level (1 top, 2 sub; any depth
                             for markup titles) */
    int toc;              /* the table of contents, or its heading */
    int boilerplate;
    int adornment;        /* a markup title's under- or overline: not text */
    size_t title_start;   /* a markup title: where its text begins */
    size_t title_end;     /* and ends (before a closing run of its marks) */
} block;

typedef struct item {
    size_t start, end;  /* the item's text, without its marker */
} item;


typedef struct reader {
    const char *data;
    size_t len;
    rubric_analyzer *an;
    block *blocks;
    size_t nblocks, capblocks;
    item *items;
    size_t nitems, capitems;
    int failed;  /* out of memory somewhere */
    int markup;  /* a markup source: its inline markup is read (markup_inline.c) */
    markup_text inl;
} reader;

/* English function words of CONTENT_MIN_BYTES or more that carry no topic;
 * shorter words are never content words, whatever the language. */
static const char *const function_words[] = {
    "about", "after", "also", "been", "before", "being", "both", "does", "each", "even",
    "from", "have", "here", "into", "just", "like", "many", "more", "most", "much",
    "must", "never", "only", "other", "over", "same", "should", "some", "such", "than",
    "that", "their", "them", "then", "there", "these", "they", "this", "those", "through",
    "very", "were", "what", "when", "where", "which", "while", "will", "with", "would",
    "your", "could", "make", "made", "best", "free", "ultimate", "guide", "find", "know",
    NULL};

static int is_function_word(const char *w, size_t n)
{
    for (const char *const *f = function_words; *f; f++)
        if (strlen(*f) == n && memcmp(*f, w, n) == 0)
            return 1;
    return 0;
}


/* ---------------------------------------------------------------- words */

typedef struct word_stats {
    const char *text;
    int words, content, capitalised;
    hashset *add_to;       /* when set, content stems are added here */
    const hashset *check;  /* when set, content stems found here are counted */
    int shared;
    int failed;
} word_stats;

static int count_word(void *ctx, const rubric_token *t)
{
    word_stats *w = ctx;
    if (t->sub)
        return 0;
    w->words++;
    if (t->word_len < CONTENT_MIN_BYTES || is_function_word(t->word, t->word_len))
        return 0;
    /* Numbers say little about a topic. */
    if (t->word[0] >= '0' && t->word[0] <= '9')
        return 0;
    w->content++;
    ucs4_t uc;
    u8_mbtouc(&uc, (const uint8_t *)w->text + t->start, t->end - t->start);
    if (uc_is_upper(uc) || uc_is_property_titlecase(uc))
        w->capitalised++;
    uint64_t h = hash64(t->stem, t->stem_len);
    if (w->add_to && hashset_add(w->add_to, h) < 0)
        w->failed = 1;
    if (w->check && hashset_has(w->check, h))
        w->shared++;
    return 0;
}

static word_stats stats_of(reader *r, size_t start, size_t end, hashset *add_to,
                           const hashset *check)
{
    word_stats w = {0};
    w.text = r->data + start;
    w.add_to = add_to;
    w.check = check;
    if (rubric_analyzer_run(r->an, r->data + start, end - start, count_word, &w) != RUBRIC_OK ||
        w.failed)
        r->failed = 1;
    return w;
}

/* Unrelated: has content words and shares fewer than 1 in RELATED_RATIO. */
static int unrelated(const word_stats *w)
{
    return w->content > 0 && w->shared * RELATED_RATIO < w->content;
}

static int titlecased(const word_stats *w)
{
    return w->content > 0 && w->capitalised * 3 >= w->content * 2;
}

/* ---------------------------------------------------------------- lines */

/* Length of a list marker at P ("- ", "* ", "• ", "1. ", "2) "), or 0. */
static size_t list_marker(const char *p, size_t n)
{
    if (n >= 2 && (p[0] == '-' || p[0] == '*' || p[0] == '+') && is_line_space(p[1]))
        return 2;
    if (n >= 4 && memcmp(p, "\xE2\x80\xA2", 3) == 0 && is_line_space(p[3]))
        return 4;
    size_t i = 0;
    while (i < n && i < 3 && p[i] >= '0' && p[i] <= '9')
        i++;
    if (i > 0 && i + 1 < n && (p[i] == '.' || p[i] == ')') && is_line_space(p[i + 1]))
        return i + 2;
    return 0;
}

static int push_block(reader *r, block b)
{
    if (GROW(r->blocks, r->nblocks, r->capblocks) < 0)
        return -1;
    r->blocks[r->nblocks++] = b;
    return 0;
}

static int push_item(reader *r, size_t start, size_t end)
{
    if (GROW(r->items, r->nitems, r->capitems) < 0)
        return -1;
    r->items[r->nitems].start = start;
    r->items[r->nitems].end = end;
    r->nitems++;
    return 0;
}

/* Split the text into blocks: each non-blank line, or a run of list items
 * (blank lines between items do not end the list). */
static int split_blocks(reader *r)
{
    size_t pos = 0;
    block *list = NULL;
    while (pos < r->len) {
        const char *nl = memchr(r->data + pos, '\n', r->len - pos);
        size_t eol = nl ? (size_t)(nl - r->data) : r->len;
        size_t s = pos, e = eol;
        while (s < e && is_line_space(r->data[s]))
            s++;
        while (e > s && is_line_space(r->data[e - 1]))
            e--;
        pos = nl ? eol + 1 : r->len;
        if (s == e)
            continue;
        size_t m = list_marker(r->data + s, e - s);
        if (m) {
            size_t is = s + m;
            while (is < e && is_line_space(r->data[is]))
                is++;
            if (push_item(r, is, e) < 0)
                return -1;
            if (list) {
                list->end = e;
                list->nitems++;
                continue;
            }
            block b = {.kind = B_LIST, .start = s, .end = e, .first = r->nitems - 1, .nitems = 1};
            if (push_block(r, b) < 0)
                return -1;
            list = &r->blocks[r->nblocks - 1];
            continue;
        }
        list = NULL;
        block b = {.kind = B_LINE, .start = s, .end = e};
        if (push_block(r, b) < 0)
            return -1;
    }
    for (size_t i = 0; i < r->nblocks; i++) {
        block *b = &r->blocks[i];
        word_stats w = stats_of(r, b->start, b->end, NULL, NULL);
        b->words = w.words;
        b->titlecase = titlecased(&w);
    }
    return r->failed ? -1 : 0;
}

static int ends_with_punct(const block *b, const char *data)
{
    char c = data[b->end - 1];
    return c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?';
}

/* A line that ends a sentence (or a list, or the start of the text) may be
 * followed by a heading; a line cut mid-sentence may not. */
static int ends_unit(const reader *r, size_t i)
{
    if (i == 0)
        return 1;
    const block *p = &r->blocks[i - 1];
    if (p->kind == B_LIST || p->heading)
        return 1;
    const char *e = r->data + p->end;
    char c = e[-1];
    if (strchr(".!?:;\"')]", c))
        return 1;
    /* closing quotes and ellipsis in UTF-8: ” ’ … */
    return p->end - p->start >= 3 &&
           (memcmp(e - 3, "\xE2\x80\x9D", 3) == 0 || memcmp(e - 3, "\xE2\x80\x99", 3) == 0 ||
            memcmp(e - 3, "\xE2\x80\xA6", 3) == 0);
}

static int heading_shaped(const reader *r, const block *b)
{
    if (b->kind != B_LINE || b->words == 0 || b->words > HEADING_MAX_WORDS ||
        b->end - b->start > HEADING_MAX_BYTES || ends_with_punct(b, r->data))
        return 0;
    /* " | " joins a page title to a site name: a link, not a heading. */
    for (size_t i = b->start; i + 3 <= b->end; i++)
        if (memcmp(r->data + i, " | ", 3) == 0)
            return 0;
    ucs4_t uc;
    u8_mbtouc(&uc, (const uint8_t *)r->data + b->start, b->end - b->start);
    return uc_is_upper(uc) || uc_is_property_titlecase(uc) || uc_is_digit(uc) ||
           (uc >= 0x80 && uc_is_alpha(uc) && !uc_is_lower(uc));
}

/* ------------------------------------------------------- markup titles */

/* Is block B a line of one punctuation character repeated (an adornment)?
 * Its character, or 0. */
static char adornment_char(const reader *r, const block *b)
{
    const char *p = r->data + b->start;
    size_t n = b->end - b->start;
    if (b->kind != B_LINE || n < ADORNMENT_MIN || !strchr("=-~^\"'`#*+:._<>", p[0]))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (p[i] != p[0])
            return 0;
    return p[0];
}

/* Are blocks A and B on consecutive lines? */
static int adjacent(const reader *r, const block *a, const block *b)
{
    const char *nl = memchr(r->data + a->end, '\n', b->start - a->end);
    return nl && !memchr(nl + 1, '\n', (size_t)(r->data + b->start - nl - 1));
}

/* The length of block B in characters. */
static size_t chars_of(const reader *r, const block *b)
{
    return u8_mbsnlen((const uint8_t *)r->data + b->start, b->end - b->start);
}

/* Can an adornment of ADORN characters underline a title of TITLE? About
 * as long: at least TITLE - 2 (AsciiDoc's leeway), and not much longer (a
 * listing's delimiter around one short command line is no overline). */
static int fits(size_t adorn, size_t title)
{
    return adorn + 2 >= title && adorn <= title + (title > 4 ? title : 4);
}

/* A line opening with 1 to MARKUP_LEVELS of C ('#' or '=') and a space, and
 * text after: the count, or 0. */
static int atx_level(const reader *r, const block *b, char c)
{
    const char *p = r->data + b->start;
    size_t n = b->end - b->start, k = 0;
    while (k < n && p[k] == c)
        k++;
    return b->kind == B_LINE && k >= 1 && k <= MARKUP_LEVELS && k + 1 < n &&
                   is_line_space(p[k])
               ? (int)k
               : 0;
}

/* END moved back over the line spaces before it, not past AT. */
static size_t trim_end(const reader *r, size_t at, size_t end)
{
    while (end > at && is_line_space(r->data[end - 1]))
        end--;
    return end;
}

/* Mark the markup titles, when the text has any: their blocks become
 * headings of their level, their adornments not text. Returns how many. */
static size_t find_markup_titles(reader *r)
{
    /* Adornment styles in order of first use: character, and overlined. */
    char style_char[MARKUP_LEVELS];
    int style_over[MARKUP_LEVELS];
    size_t nstyles = 0, found = 0;
    int overlines = 0;  /* the first title is overlined */
    for (size_t i = 0; i + 1 < r->nblocks; i++) {
        block *t = &r->blocks[i], *under = &r->blocks[i + 1];
        char c = adornment_char(r, under);
        if (!c || adornment_char(r, t) || t->kind != B_LINE || t->words == 0 ||
            t->end - t->start > 2 * HEADING_MAX_BYTES || !adjacent(r, t, under) ||
            !fits(chars_of(r, under), chars_of(r, t)))
            continue;
        block *over = i > 0 ? &r->blocks[i - 1] : NULL;
        int overlined = over && !over->adornment && adornment_char(r, over) == c &&
                        adjacent(r, over, t) && chars_of(r, over) == chars_of(r, under);
        /* A title stands apart from the text before it: the last line of a
         * paragraph or of a delimited listing, right above a line of dashes,
         * is no title. And a text whose first title has no overline uses
         * none (AsciiDoc never does): a line between two lines of dashes is
         * a listing of one line. */
        if (over && !overlined && adjacent(r, over, t))
            continue;
        if (!found)
            overlines = overlined;
        else if (overlined && !overlines)
            continue;
        size_t k = 0;
        while (k < nstyles && !(style_char[k] == c && style_over[k] == overlined))
            k++;
        if (k == nstyles) {
            if (nstyles == MARKUP_LEVELS)
                continue;
            style_char[nstyles] = c;
            style_over[nstyles++] = overlined;
        }
        t->heading = (int)k + 1;
        t->title_start = t->start;
        t->title_end = t->end;
        under->adornment = 1;
        if (overlined)
            over->adornment = 1;
        found++;
        i++;
    }
    /* Titles marked by "#" or "=": only in a text that has no underlined
     * ones, and at least two of them, so that a stray comment line is not
     * taken for a title. */
    for (size_t pass = 0; pass < 2 && !found; pass++) {
        char c = pass ? '=' : '#';
        size_t n = 0;
        for (size_t i = 0; i < r->nblocks; i++)
            n += atx_level(r, &r->blocks[i], c) > 0;
        if (n < 2)
            continue;
        for (size_t i = 0; i < r->nblocks; i++) {
            block *b = &r->blocks[i];
            int level = atx_level(r, b, c);
            if (!level)
                continue;
            size_t at = b->start + (size_t)level;
            while (at < b->end && is_line_space(r->data[at]))
                at++;
            /* A title may close with a run of its marks after a space, as
             * both Markdown and AsciiDoc allow ("=== Usage ==="). */
            size_t end = trim_end(r, at, b->end), close = end;
            while (close > at && r->data[close - 1] == c)
                close--;
            if (close < end && close > at && is_line_space(r->data[close - 1]))
                end = trim_end(r, at, close);
            b->heading = level;
            b->title_start = at;
            b->title_end = end;
            found++;
        }
    }
    return found;
}

/* ----------------------------------------------------- table of contents */

/* 1 when the two ranges have the same slug, 0 when not, -1 when out of
 * memory (never taken for "not the same"). */
static int same_slug(const reader *r, size_t s1, size_t e1, size_t s2, size_t e2)
{
    buf a = {0}, b = {0};
    int same = -1;
    if (slugify(r->data + s1, e1 - s1, &a) == 0 && slugify(r->data + s2, e2 - s2, &b) == 0)
        same = a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
    buf_free(&a);
    buf_free(&b);
    return same;
}

/* Find the first list whose items repeat later lines, in order; mark it and
 * the heading before it as the table of contents, and the repeated lines as
 * top-level headings. Returns 1 when found. */
static int find_toc(reader *r)
{
    for (size_t i = 0; i < r->nblocks; i++) {
        block *l = &r->blocks[i];
        if (l->kind != B_LIST || l->nitems < 2)
            continue;
        size_t matched = 0, next = i + 1;
        size_t *where = calloc(l->nitems, sizeof *where);
        if (!where)
            return -1;
        for (size_t k = 0; k < l->nitems; k++) {
            const item *it = &r->items[l->first + k];
            for (size_t j = next; j < r->nblocks; j++) {
                const block *b = &r->blocks[j];
                int same = b->kind == B_LINE && b->words <= HEADING_MAX_WORDS
                               ? same_slug(r, it->start, it->end, b->start, b->end)
                               : 0;
                if (same < 0) {
                    free(where);
                    return -1;
                }
                if (same) {
                    where[k] = j;
                    matched++;
                    next = j + 1;
                    break;
                }
            }
        }
        if (matched >= 2 && matched * 5 >= l->nitems * 3) {
            l->toc = 1;
            l->boilerplate = 1;
            for (size_t k = 0; k < l->nitems; k++)
                if (where[k])
                    r->blocks[where[k]].heading = 1;
            if (i > 1 && heading_shaped(r, &r->blocks[i - 1]))
                r->blocks[i - 1].toc = 1;
            free(where);
            return 1;
        }
        free(where);
    }
    return 0;
}

/* ------------------------------------------------------------- structure */

/* Mark headings. With a table of contents, its headings are the top level;
 * other headings between the first and the last of them are sub-headings,
 * and headings past the last one (a conclusion, say) stand beside them. */
/* Does line B start after blanks on its line? */
static int indented(const reader *r, const block *b)
{
    return b->start > 0 && r->data[b->start - 1] != '\n';
}

/* Does line N, right below line B (no blank line between), start in lower
 * case: the rest of B's sentence? */
static int continues(const reader *r, const block *b, const block *n)
{
    if (n->kind != B_LINE)
        return 0;
    size_t newlines = 0;
    for (size_t k = b->end; k < n->start; k++)
        newlines += r->data[k] == '\n';
    if (newlines != 1)
        return 0;
    ucs4_t uc;
    u8_mbtouc(&uc, (const uint8_t *)r->data + n->start, n->end - n->start);
    return uc_is_lower(uc);
}

static void find_headings(reader *r, size_t first, int have_toc)
{
    size_t first_top = r->nblocks, last_top = r->nblocks;
    if (have_toc)
        for (size_t i = first; i < r->nblocks; i++)
            if (r->blocks[i].heading) {
                if (first_top == r->nblocks)
                    first_top = i;
                last_top = i;
            }
    for (size_t i = first; i < r->nblocks; i++) {
        block *b = &r->blocks[i];
        if (b->heading || b->toc || b->kind != B_LINE)
            continue;
        /* Right after the title a heading may follow: the title is a unit. */
        if (i + 1 >= r->nblocks || !heading_shaped(r, b) || (i != first && !ends_unit(r, i)))
            continue;
        /* A heading introduces something: a paragraph, a list or a heading. */
        const block *n = &r->blocks[i + 1];
        if (n->kind == B_LINE && n->words < 3)
            continue;
        /* An indented line is no heading (a definition's text, a quote), nor
         * one whose sentence the next line goes on with: the first line of
         * a paragraph wrapped by hand. */
        if (indented(r, b) || continues(r, b, n))
            continue;
        if (!have_toc || i > last_top || i < first_top)
            b->heading = 1;
        else
            b->heading = 2;
    }
}

/* Mark link farms and stray promotional lines. */
static int find_boilerplate(reader *r, size_t first)
{
    /* The article's prose: lines that are neither headings nor lists. */
    hashset article = {0};
    for (size_t i = first; i < r->nblocks; i++) {
        const block *b = &r->blocks[i];
        if (b->kind == B_LINE && !b->heading && !b->toc && b->words >= STRAY_MAX_WORDS)
            stats_of(r, b->start, b->end, &article, NULL);
    }
    size_t sec = first;
    while (sec < r->nblocks && !r->failed) {
        /* One section: from a heading (or the start) to the next heading. */
        size_t end = sec + 1;
        while (end < r->nblocks && !r->blocks[end].heading && !r->blocks[end].toc)
            end++;
        hashset local = {0};
        for (size_t i = sec; i < end; i++) {
            const block *b = &r->blocks[i];
            if (b->kind == B_LINE)
                stats_of(r, b->start, b->end, &local, NULL);
        }
        for (size_t i = sec; i < end; i++) {
            block *b = &r->blocks[i];
            if (b->heading || b->toc)
                continue;
            if (b->kind == B_LIST) {
                size_t far = 0, caps = 0;
                for (size_t k = 0; k < b->nitems; k++) {
                    const item *it = &r->items[b->first + k];
                    word_stats w = stats_of(r, it->start, it->end, NULL, &local);
                    far += unrelated(&w);
                    caps += titlecased(&w);
                }
                b->boilerplate = far * 5 >= b->nitems * 3 && caps * 2 >= b->nitems;
            } else if (b->words < STRAY_MAX_WORDS && article.n >= STRAY_MIN_VOCABULARY) {
                word_stats w = stats_of(r, b->start, b->end, NULL, &article);
                b->boilerplate = unrelated(&w);
            }
        }
        hashset_free(&local);
        sec = end;
    }
    hashset_free(&article);
    return r->failed ? -1 : 0;
}

/* Where the line holding byte AT begins. */
static size_t line_start(const reader *r, size_t at)
{
    while (at > 0 && r->data[at - 1] != '\n')
        at--;
    return at;
}

/* Is block B a reStructuredText directive whose content a page does not
 * show as text: one that makes a table of contents (".. toctree::",
 * Sphinx's list of the documents below; ".. contents::", the section list
 * docutils generates), whose content is navigation, as a page's <nav> is;
 * or one whose content is for the tools (".. index::" entries, the set-up
 * and clean-up code of doctests, <meta> fields, a table's column spec), or
 * shown elsewhere (a substitution's definition, ".. |name| replace::
 * text", shown where |name| is written)? */
static int contents_directive(const reader *r, const block *b)
{
    static const char *const names[] = {"toctree", "contents", "index", "testsetup",
                                        "testcleanup", "meta", "tabularcolumns"};
    const char *p = r->data + b->start;
    size_t n = b->end - b->start;
    if (b->kind != B_LINE || n < 3 || memcmp(p, ".. ", 3) != 0)
        return 0;
    if (n > 4 && p[3] == '|') {
        /* ".. |name| directive::" */
        const char *close = memchr(p + 4, '|', n - 4);
        const char *end = p + n;
        const char *d = close ? close + 1 : end;
        if (d < end && *d == ' ') {
            const char *q = d + 1;
            while (q < end && (((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z') || *q == '-'))
                q++;
            return q > d + 1 && end - q >= 2 && q[0] == ':' && q[1] == ':';
        }
        return 0;
    }
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        size_t len = strlen(names[k]);
        if (n >= 3 + len + 2 && memcmp(p + 3, names[k], len) == 0 &&
            memcmp(p + 3 + len, "::", 2) == 0)
            return 1;
    }
    return 0;
}

/* Mark as boilerplate each such directive of a markup source and what is
 * indented below it: the documents a table of contents lists
 * ("/variable/CMAKE_AR", one a line) are links, not text about them, and
 * an index entry ("pair: .ini; file") or a doctest's set-up is no text a
 * reader of the page sees. */
static void mark_contents_directives(reader *r, size_t first)
{
    for (size_t i = first; i < r->nblocks; i++) {
        if (!contents_directive(r, &r->blocks[i]))
            continue;
        size_t indent = r->blocks[i].start - line_start(r, r->blocks[i].start);
        r->blocks[i].boilerplate = 1;
        while (i + 1 < r->nblocks && !r->blocks[i + 1].heading && !r->blocks[i + 1].adornment &&
               r->blocks[i + 1].start - line_start(r, r->blocks[i + 1].start) > indent)
            r->blocks[++i].boilerplate = 1;
    }
}

/* ------------------------------------------------------------- passages */

typedef struct section {
    const char *title;
    const char *anchor;
    const char *trail[MARKUP_LEVELS + 1];
    size_t ntrail;
} section;

/* Read the inline markup of the file's bytes START..END into R->inl. Is it
 * nothing but markup (the text read all blanks)? 1, 0, or -1 when out of
 * memory. */
static int read_inline(reader *r, size_t start, size_t end)
{
    if (markup_inline(r->data + start, end - start, start, &r->inl) < 0)
        return -1;
    for (size_t k = 0; k < r->inl.text.len; k++)
        if (!is_ascii_space(r->inl.text.data[k]))
            return 0;
    return 1;
}

/* Add the file's bytes START..END as a passage of section S. */
static int add_passage(reader *r, rubric_doc *d, const section *s, size_t start,
                       size_t end, int boilerplate)
{
    doc_passage p = {0};
    p.anchor = s->anchor;
    p.title = s->title;
    p.trail = s->trail;
    p.ntrail = s->ntrail;
    p.text = r->data + start;
    p.text_len = end - start;
    if (r->markup) {
        int only = read_inline(r, start, end);
        if (only < 0)
            return -1;
        if (only)
            return 0;  /* markup alone (a hyperlink target) */
        p.text = r->inl.text.data;
        p.text_len = r->inl.text.len;
        p.map = r->inl.map;
        p.nmap = r->inl.nmap;
    }
    p.start = start;
    p.end = end;
    p.boilerplate = boilerplate;
    return doc_add(d, &p);
}

/* Emit the consecutive blocks IDS[0..N) as one or more passages of at most
 * RUBRIC_PASSAGE_MAX bytes, cut at block boundaries, or inside a block too
 * long by itself at a sentence or word boundary. A passage's text is the
 * file's bytes from its start to its end, so offsets in it map to the file. */
static int emit_run(reader *r, rubric_doc *d, section *s, const size_t *ids, size_t n,
                    int boilerplate)
{
    size_t start = 0, end = 0;
    int open = 0;
    for (size_t k = 0; k < n; k++) {
        const block *b = &r->blocks[ids[k]];
        size_t bs = b->start;
        while (bs < b->end) {
            if (open && (end - start >= RUBRIC_PASSAGE_TARGET ||
                         b->end - start > RUBRIC_PASSAGE_MAX)) {
                if (add_passage(r, d, s, start, end, boilerplate) < 0)
                    return -1;
                open = 0;
            }
            size_t be = b->end;
            if (be - bs > RUBRIC_PASSAGE_MAX)
                be = bs + passage_cut(r->data + bs, b->end - bs, RUBRIC_PASSAGE_TARGET,
                                      RUBRIC_PASSAGE_MAX - RUBRIC_PASSAGE_TARGET, is_line_space);
            if (!open)
                start = bs;
            open = 1;
            end = be;
            if (be < b->end) {
                /* The rest of an over-long block starts a passage of its own. */
                if (add_passage(r, d, s, start, end, boilerplate) < 0)
                    return -1;
                open = 0;
            }
            bs = be;
            while (bs < b->end && is_line_space(r->data[bs]))
                bs++;
        }
    }
    if (open && add_passage(r, d, s, start, end, boilerplate) < 0)
        return -1;
    return 0;
}

/* Emit the section whose blocks are FROM..TO (heading excluded): each run
 * of content or of boilerplate, in document order, as passages of its own. */
static int emit_section(reader *r, rubric_doc *d, section *s, size_t from, size_t to)
{
    size_t *ids = malloc((to - from + 1) * sizeof *ids);
    if (!ids)
        return -1;
    int rc = 0;
    for (size_t i = from; i < to && rc == 0;) {
        int bp = r->blocks[i].boilerplate;
        size_t n = 0;
        for (; i < to && r->blocks[i].boilerplate == bp; i++)
            if (!r->blocks[i].adornment)
                ids[n++] = i;
        rc = emit_run(r, d, s, ids, n, bp);
    }
    free(ids);
    return rc;
}

static int build_passages(reader *r, rubric_doc *d, size_t first)
{
    const char *top = NULL, *title = d->title ? d->title : "";
    section s = {0};
    s.title = title;
    s.anchor = doc_unique_anchor(d, NULL, title, strlen(title));
    if (!s.anchor)
        return -1;
    size_t from = first;
    for (size_t i = first; i <= r->nblocks; i++) {
        const block *b = i < r->nblocks ? &r->blocks[i] : NULL;
        if (b && !b->heading && !(b->toc && b->kind == B_LINE))
            continue;
        if (emit_section(r, d, &s, from, i) < 0)
            return -1;
        if (!b)
            break;
        /* A new section starts at heading B. */
        char *t = doc_keep(d, xstrndup(r->data + b->start, b->end - b->start));
        const char *anchor = t ? doc_unique_anchor(d, NULL, t, b->end - b->start) : NULL;
        if (!anchor)
            return -1;
        if (b->heading == 1 || b->toc)
            top = t;
        memset(&s, 0, sizeof s);
        s.title = t;
        s.anchor = anchor;
        if (d->title)
            s.trail[s.ntrail++] = d->title;
        if (b->heading == 2 && top)
            s.trail[s.ntrail++] = top;
        from = i + 1;
        /* The table of contents heading's section holds only the list. */
        if (b->toc) {
            size_t j = i + 1;
            if (j < r->nblocks && r->blocks[j].toc) {
                if (emit_run(r, d, &s, &j, 1, 1) < 0)
                    return -1;
                from = j + 1;
                i = j;
            }
            /* What follows the table of contents before the first heading
             * belongs to the article's opening section. */
            top = NULL;
            s.title = title;
            s.anchor = d->count ? d->passages[0].anchor : "top";
            s.ntrail = 0;
        }
    }
    return 0;
}

/* The markup title at START..END with its inline markup read (a copy, valid
 * UTF-8, caller frees), or as written when that leaves nothing; NULL when
 * out of memory. */
static char *markup_title(reader *r, size_t start, size_t end)
{
    if (read_inline(r, start, end) < 0)
        return NULL;
    if (r->inl.text.len == 0)
        return utf8_valid_copy(r->data + start, end - start, NULL);
    return utf8_valid_copy(r->inl.text.data, r->inl.text.len, NULL);
}

/* The passages of a text whose headings are markup titles (of any level),
 * from block FIRST on; the document's title, when it is a title itself, is
 * at level TOP (0: none). Each section's trail: the document's title, then
 * the titles it lies under, none repeated. */
static int build_markup_passages(reader *r, rubric_doc *d, size_t first, int top)
{
    const char *open[MARKUP_LEVELS + 1] = {0};  /* the title open at each level */
    if (top)
        open[top] = d->title;
    section s = {0};
    s.title = d->title;
    s.anchor = doc_unique_anchor(d, NULL, d->title, strlen(d->title));
    if (!s.anchor)
        return -1;
    size_t from = first;
    for (size_t i = first; i <= r->nblocks; i++) {
        const block *b = i < r->nblocks ? &r->blocks[i] : NULL;
        if (b && !b->heading)
            continue;
        if (emit_section(r, d, &s, from, i) < 0)
            return -1;
        if (!b)
            break;
        char *t = doc_keep(d, markup_title(r, b->title_start, b->title_end));
        const char *anchor = t ? doc_unique_anchor(d, NULL, t, strlen(t)) : NULL;
        if (!anchor)
            return -1;
        memset(&s, 0, sizeof s);
        s.title = t;
        s.anchor = anchor;
        s.trail[s.ntrail++] = d->title;
        for (int l = 1; l < b->heading; l++)
            if (open[l] && strcmp(open[l], s.trail[s.ntrail - 1]) != 0)
                s.trail[s.ntrail++] = open[l];
        if (strcmp(s.trail[s.ntrail - 1], t) == 0 && s.ntrail > 1)
            s.ntrail--;
        open[b->heading] = t;
        for (int l = b->heading + 1; l <= MARKUP_LEVELS; l++)
            open[l] = NULL;
        from = i + 1;
    }
    return 0;
}

/* A text with markup titles: its title is the first of them when nothing
 * but adornment comes before it, else its first line. */
static int read_markup_text(reader *r, rubric_doc *d, const char *name)
{
    /* Adornment and lines of markup alone (a hyperlink target, ".. _intro:")
     * come before the title, not as it. */
    size_t i = 0;
    for (;; i++) {
        if (i >= r->nblocks)
            break;
        int only = read_inline(r, r->blocks[i].start, r->blocks[i].end);
        if (only < 0)
            return -1;
        if (!r->blocks[i].adornment && !only)
            break;
    }
    size_t first = 0;
    int top = 0;
    const block *b = i < r->nblocks ? &r->blocks[i] : NULL;
    r->markup = 1;
    if (b && b->heading) {
        if (!(d->title = markup_title(r, b->title_start, b->title_end)))
            return -1;
        top = b->heading;
        first = i + 1;
    } else if (b && b->kind == B_LINE && b->words > 0 && b->words <= 30) {
        if (!(d->title = markup_title(r, b->start, b->end)))
            return -1;
        first = i + 1;
    }
    if (!d->title && !(d->title = xstrdup(name)))
        return -1;
    if (find_boilerplate(r, first) < 0)
        return -1;
    mark_contents_directives(r, first);
    if (build_markup_passages(r, d, first, top) < 0)
        return -1;
    return 0;
}

int read_text(rubric_doc *d, const char *data, size_t len, const char *name)
{
    reader r = {0};
    r.data = data;
    r.len = len;
    int rc = rubric_analyzer_new("english", &r.an);
    if (rc != RUBRIC_OK)
        return rc;
    rc = RUBRIC_ENOMEM;
    if (split_blocks(&r) < 0)
        goto done;
    rc = RUBRIC_OK;
    if (r.nblocks == 0)
        goto done;
    rc = RUBRIC_ENOMEM;
    if (find_markup_titles(&r)) {
        if (read_markup_text(&r, d, name) < 0)
            goto done;
        rc = RUBRIC_OK;
        goto done;
    }
    /* The title: the first line, when it is short enough to be one. */
    size_t first = 0;
    const block *b0 = &r.blocks[0];
    if (b0->kind == B_LINE && b0->words > 0 && b0->words <= 30) {
        d->title = utf8_valid_copy(data + b0->start, b0->end - b0->start, NULL);
        if (!d->title)
            goto done;
        first = 1;
    }
    if (!d->title && !(d->title = xstrdup(name)))
        goto done;
    int toc = find_toc(&r);
    if (toc < 0)
        goto done;
    find_headings(&r, first, toc);
    if (find_boilerplate(&r, first) < 0 || build_passages(&r, d, first) < 0)
        goto done;
    rc = RUBRIC_OK;
done:
    rubric_analyzer_free(r.an);
    free(r.blocks);
    free(r.items);
    markup_text_free(&r.inl);
    return rc;
}
