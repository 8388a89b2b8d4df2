/* outline.c: sections and passages from a stream of headings and text blocks.
 *
 * The readers that extract text (HTML, Markdown, JSON Lines) feed it. A reader
 * reports headings (with their level and, when the source has one, their id)
 * and blocks of text (paragraphs, list items, code, table rows), each with
 * its byte range in the source and a boilerplate flag. The outline
 * keeps the stack of enclosing headings for trails, groups consecutive blocks
 * of one kind into passages, and cuts a passage once it reaches
 * RUBRIC_PASSAGE_TARGET bytes, at a block boundary (inside a block only when
 * the block alone is too long: passage_cut(), which the plain-text reader
 * uses too).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Headings nest at most this deep; deeper ones count as this level. */
#define OUTLINE_DEPTH 8
/* A block cut in parts is cut at a sentence end found at most this many bytes
 * past the target, else at a space before it. */
#define SENTENCE_REACH 600

struct outline {
    rubric_doc *d;
    const char *title[OUTLINE_DEPTH];  /* enclosing headings, owned by the doc */
    int level[OUTLINE_DEPTH];
    size_t depth;
    const char *anchor;  /* the current section's anchor */
    const char *part_anchor;  /* the anchor of the passage being built */
    int in_section;      /* a heading (or the page start) opened a section */
    size_t emitted;      /* passages emitted for the current section */
    buf text;            /* the passage being built */
    buf terms;           /* its defined terms, one a line */
    buf places;          /* the ids of its places, one a line */
    size_t *map;         /* pairs (offset in text, offset in source) per block */
    size_t nmap;         /* pairs in map */
    size_t capmap;       /* room in map, in numbers (two to a pair) */
    size_t start, end;
    int boilerplate;
    int open;
    const doc_record *record;  /* the record the passages come from, or NULL */
    int page_anchors;    /* anchors are the page's own ids, never slugs */
};

size_t passage_cut(const char *text, size_t len, size_t want, size_t reach, int (*gap)(char))
{
    for (size_t c = want; c + 1 < len && c < want + reach; c++)
        if (strchr(".!?", text[c - 1]) && text[c] == ' ')
            return c;
    for (size_t c = want; c > want / 2; c--)
        if (gap(text[c]))
            return c;
    size_t cut = want < len ? want : len;
    while (cut > 1 && cut < len && ((unsigned char)text[cut] & 0xC0) == 0x80)
        cut--;
    return cut;
}

/* The white space the outline trims from blocks and cuts them at. */
static int is_gap(char c)
{
    return c == ' ' || c == '\n';
}

/* *TEXT (*LEN bytes) without the gaps at either end. */
static void trim_gaps(const char **text, size_t *len)
{
    while (*len && is_gap((*text)[*len - 1]))
        (*len)--;
    while (*len && is_gap(**text)) {
        (*text)++;
        (*len)--;
    }
}

outline *outline_new(rubric_doc *d)
{
    outline *o = calloc(1, sizeof *o);
    if (o)
        o->d = d;
    return o;
}

void outline_free(outline *o)
{
    if (!o)
        return;
    buf_free(&o->text);
    buf_free(&o->terms);
    buf_free(&o->places);
    free(o->map);
    free(o);
}

static int flush(outline *o)
{
    if (!o->open)
        return 0;
    o->open = 0;
    /* The section's own heading is the last entry of the stack. */
    if (o->end < o->start)
        o->end = o->start;
    doc_passage p = {0};
    p.anchor = o->part_anchor ? o->part_anchor : o->anchor;
    p.section = o->anchor;
    p.title = o->depth ? o->title[o->depth - 1] : rubric_doc_title(o->d);
    /* The trail: the enclosing headings, none repeated, nor the passage's
     * own title (a page whose first heading is its title). */
    const char *trail[OUTLINE_DEPTH];
    size_t ntrail = 0;
    for (size_t i = 0; o->depth && i < o->depth - 1; i++)
        if (strcmp(o->title[i], p.title) != 0 &&
            (ntrail == 0 || strcmp(o->title[i], trail[ntrail - 1]) != 0))
            trail[ntrail++] = o->title[i];
    p.trail = trail;
    p.ntrail = ntrail;
    p.text = o->text.data ? o->text.data : "";
    p.text_len = o->text.len;
    p.start = o->start;
    p.end = o->end;
    p.boilerplate = o->boilerplate;
    p.map = o->map;
    p.nmap = o->nmap;
    p.record = o->record;
    p.terms = o->terms.len ? o->terms.data : NULL;
    p.places = o->places.len ? o->places.data : NULL;
    int rc = doc_add(o->d, &p);
    o->text.len = 0;
    o->terms.len = 0;
    o->places.len = 0;
    o->nmap = 0;
    o->emitted++;
    return rc;
}

/* Note that text from here on in the passage comes from SOURCE onwards. */
static int map_here(outline *o, size_t source)
{
    if (GROW(o->map, 2 * o->nmap + 1, o->capmap) < 0)
        return -1;
    o->map[2 * o->nmap] = o->text.len;
    o->map[2 * o->nmap + 1] = source;
    o->nmap++;
    return 0;
}

/* Close the current section; a section with no text still gets a passage, so
 * that its heading can be found and linked to. */
static int close_section(outline *o, size_t offset)
{
    if (!o->in_section)
        return 0;
    if (o->emitted == 0 && !o->open) {
        o->open = 1;
        o->start = o->end = offset;
        o->boilerplate = 0;
        o->part_anchor = NULL;
    }
    int rc = flush(o);
    o->in_section = 0;
    return rc;
}

void outline_record(outline *o, const doc_record *record)
{
    o->record = record;
}

void outline_page_anchors(outline *o)
{
    o->page_anchors = 1;
}

/* The anchor of a section titled TITLE whose source names it ID (or NULL). */
static const char *section_anchor(outline *o, const char *id, const char *title, size_t len)
{
    /* A record's own anchor names a place on its own page, and an HTML
     * page's ids are the only places a link can land on: kept as they are,
     * even when another section uses them too (its parts and it then share
     * a link). A page section without one has none: links to it are the
     * page's, with a text fragment. */
    if ((o->record || o->page_anchors) && id && *id)
        return doc_keep(o->d, utf8_valid_copy(id, strlen(id), NULL));
    if (o->page_anchors)
        return "";
    return doc_unique_anchor(o->d, id, title, len);
}

int outline_root(outline *o, const char *title)
{
    /* Context only comes before the first section, and never fills the stack. */
    if (o->in_section || o->depth + 1 >= OUTLINE_DEPTH)
        return 0;
    o->title[o->depth] = title;
    o->level[o->depth] = 0;
    o->depth++;
    return 0;
}

int outline_heading(outline *o, int level, const char *title, size_t len, const char *id,
                    size_t offset)
{
    if (close_section(o, offset) < 0)
        return -1;
    if (level < 1)
        level = 1;
    while (o->depth && o->level[o->depth - 1] >= level)
        o->depth--;
    if (o->depth == OUTLINE_DEPTH)
        o->depth--;
    char *t = doc_keep(o->d, xstrndup(title, len));
    const char *anchor = t ? section_anchor(o, id, title, len) : NULL;
    if (!anchor)
        return -1;
    o->title[o->depth] = t;
    o->level[o->depth] = level;
    o->depth++;
    o->anchor = anchor;
    o->part_anchor = NULL;
    o->in_section = 1;
    o->emitted = 0;
    return 0;
}

int outline_block(outline *o, const char *text, size_t len, size_t start, size_t end,
                  int boilerplate, const char *id)
{
    if (!o->in_section) {
        /* Text before the first heading: the page's opening section, which
         * on a page is its top (an id nearby may be anything's inside it). */
        const char *title = rubric_doc_title(o->d);
        const char *anchor = section_anchor(o, o->page_anchors ? NULL : id, title, strlen(title));
        if (!anchor)
            return -1;
        /* Keep only the context above every heading (level 0). */
        size_t roots = 0;
        while (roots < o->depth && o->level[roots] == 0)
            roots++;
        o->depth = roots;
        o->anchor = anchor;
        o->in_section = 1;
        o->emitted = 0;
    }
    trim_gaps(&text, &len);
    if (len == 0)
        return 0;
    if (o->open && (o->boilerplate != boilerplate || o->text.len >= RUBRIC_PASSAGE_TARGET ||
                    o->text.len + len > RUBRIC_PASSAGE_MAX)) {
        if (flush(o) < 0)
            return -1;
    }
    while (len > 0) {
        if (!o->open) {
            o->open = 1;
            o->start = start;
            o->boilerplate = boilerplate;
            /* A later part links to the nearest id before it, when the
             * source has one: the reader lands closer to the text. Not
             * boilerplate, which links nowhere worth landing (and the id
             * before a page's navigation bar is often the next section's). */
            o->part_anchor = o->emitted && !boilerplate && id && *id
                                 ? doc_keep(o->d, xstrdup(id))
                                 : NULL;
        } else if (buf_addc(&o->text, '\n') < 0) {
            return -1;
        }
        size_t take = len;
        if (o->text.len + take > RUBRIC_PASSAGE_MAX) {
            /* A block too long by itself: cut near the target. */
            size_t want = RUBRIC_PASSAGE_TARGET > o->text.len ? RUBRIC_PASSAGE_TARGET - o->text.len : 1;
            take = passage_cut(text, len, want, SENTENCE_REACH, is_gap);
        }
        if (map_here(o, start) < 0 || buf_add(&o->text, text, take) < 0)
            return -1;
        /* Where the rest of a cut block begins, roughly: never past the
         * block's end, though its text (entities decoded) may be longer
         * than its source. */
        start = start < end && take < end - start ? start + take : start < end ? end : start;
        o->end = end;
        text += take;
        len -= take;
        while (len && is_gap(*text)) {
            text++;
            len--;
        }
        if (len && flush(o) < 0)
            return -1;
    }
    return 0;
}

int outline_term(outline *o, const char *text, size_t len)
{
    trim_gaps(&text, &len);
    if (!o->open || !len)
        return 0;
    if (o->terms.len && buf_addc(&o->terms, '\n') < 0)
        return -1;
    return buf_add(&o->terms, text, len);
}

int outline_places(outline *o, const char *ids, size_t len)
{
    if (!len)
        return 0;
    if (o->places.len && buf_addc(&o->places, '\n') < 0)
        return -1;
    return buf_add(&o->places, ids, len);
}

int outline_finish(outline *o, size_t offset)
{
    return close_section(o, offset);
}
