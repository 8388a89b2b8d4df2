/* reader.c: rubric_doc, the passages read from one source; the reader for each kind of file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unistr.h>

#include "internal.h"

/* A file with more invalid UTF-8 bytes than 1 in INVALID_UTF8_RATIO is taken
 * for text in another encoding, or for binary data, rather than repaired. */
#define INVALID_UTF8_RATIO 8

static const char *extension(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    return dot ? dot + 1 : "";
}

/* The readers, by file name extension, and how much structure what each
 * reads keeps (DOC_STRUCTURE_*): of two copies of a text, the one kept. */
static const struct reader {
    const char *ext;
    reader_fn read;
    int structure;
} readers[] = {
    {"txt", read_text, DOC_STRUCTURE_TEXT},
    {"text", read_text, DOC_STRUCTURE_TEXT},
    {"rst", read_text, DOC_STRUCTURE_TEXT},  /* reStructuredText: its titles are headings */
    {"adoc", read_text, DOC_STRUCTURE_TEXT}, /* AsciiDoc, likewise */
    {"asciidoc", read_text, DOC_STRUCTURE_TEXT},
    {"html", read_html, DOC_STRUCTURE_HTML},
    {"htm", read_html, DOC_STRUCTURE_HTML},
    {"xhtml", read_html, DOC_STRUCTURE_HTML},
    {"jsonl", read_jsonl, DOC_STRUCTURE_RECORDS},
    {"ndjson", read_jsonl, DOC_STRUCTURE_RECORDS},
    {"md", read_markdown, DOC_STRUCTURE_MARKUP},
    {"markdown", read_markdown, DOC_STRUCTURE_MARKUP},
};

static const struct reader *reader_for(const char *path)
{
    const char *ext = extension(path);
    for (size_t i = 0; i < sizeof readers / sizeof *readers; i++)
        if (strcasecmp(ext, readers[i].ext) == 0)
            return &readers[i];
    return NULL;
}

int rubric_doc_supported(const char *path)
{
    return reader_for(path) != NULL;
}

char *doc_keep(rubric_doc *d, char *s)
{
    if (!s)
        return NULL;
    if (GROW(d->strings, d->nstrings, d->capstrings) < 0) {
        free(s);
        return NULL;
    }
    d->strings[d->nstrings++] = s;
    return s;
}

static uint64_t anchor_hash(const char *anchor)
{
    return hash64(anchor, strlen(anchor));
}

int doc_anchor_taken(const rubric_doc *d, const char *anchor)
{
    return hashmap_get(&d->parts, anchor_hash(anchor)) != NULL;
}

/* Count one more passage for ANCHOR; returns its part number, or -1. */
static long count_part(rubric_doc *d, const char *anchor)
{
    size_t *parts = hashmap_at(&d->parts, anchor_hash(anchor));
    return parts ? (long)(*parts)++ : -1;
}

int doc_add(rubric_doc *d, const doc_passage *in)
{
    if (GROW(d->passages, d->count, d->cap) < 0)
        return -1;
    long part = count_part(d, in->anchor);
    if (part < 0)
        return -1;
    rubric_passage *p = &d->passages[d->count];
    memset(p, 0, sizeof *p);
    const char **tr = NULL;
    if (in->ntrail) {
        tr = (const char **)doc_keep(d, malloc(in->ntrail * sizeof *tr));
        if (!tr)
            return -1;
        for (size_t i = 0; i < in->ntrail; i++)
            if (!(tr[i] = doc_keep(d, utf8_valid_copy(in->trail[i], strlen(in->trail[i]), NULL))))
                return -1;
    }
    size_t text_len = in->text_len;
    p->anchor = doc_keep(d, utf8_valid_copy(in->anchor, strlen(in->anchor), NULL));
    p->title = doc_keep(d, utf8_valid_copy(in->title, strlen(in->title), NULL));
    p->text = doc_keep(d, utf8_valid_copy(in->text, text_len, &text_len));
    if (!p->anchor || !p->title || !p->text)
        return -1;
    p->trail = tr;
    p->ntrail = in->ntrail;
    p->text_len = text_len;
    p->start = in->start;
    p->end = in->end;
    p->part = (unsigned)part;
    p->boilerplate = in->boilerplate;
    if (in->record) {
        p->path = in->record->path;
        p->lang = in->record->lang;
        p->tags = in->record->tags;
        p->ntags = in->record->ntags;
    }
    if (in->nmap) {
        size_t *copy = (size_t *)doc_keep(d, malloc(2 * in->nmap * sizeof *copy));
        if (!copy)
            return -1;
        memcpy(copy, in->map, 2 * in->nmap * sizeof *copy);
        p->map = copy;
        p->nmap = in->nmap;
    }
    d->count++;
    return 0;
}

const char *doc_unique_anchor(rubric_doc *d, const char *preferred, const char *text, size_t len)
{
    if (preferred && *preferred && !doc_anchor_taken(d, preferred))
        return doc_keep(d, utf8_valid_copy(preferred, strlen(preferred), NULL));
    buf slug = {0};
    if (slugify(text, len, &slug) < 0)
        return NULL;
    /* Repeats go on from the last suffix this slug was given, so that a page
     * of ten thousand sections of one heading costs ten thousand tries, not
     * fifty million. */
    size_t base = slug.len, *last = NULL;
    if (doc_anchor_taken(d, slug.data) &&
        !(last = hashmap_at(&d->suffixes, hash64(slug.data, base)))) {
        buf_free(&slug);
        return NULL;
    }
    for (size_t n = last ? *last + 1 : 0; last && doc_anchor_taken(d, slug.data); n++) {
        slug.len = base;
        *last = n;
        if (buf_printf(&slug, "-%zu", n) < 0) {
            buf_free(&slug);
            return NULL;
        }
    }
    return doc_keep(d, buf_detach(&slug));
}

void rubric_doc_free(rubric_doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->nstrings; i++)
        free(d->strings[i]);
    free(d->strings);
    free(d->passages);
    hashmap_free(&d->parts);
    hashmap_free(&d->suffixes);
    buf_free(&d->notes);
    free(d->title);
    free(d);
}

const char *rubric_doc_title(const rubric_doc *d)
{
    return d->title ? d->title : "";
}

size_t rubric_doc_count(const rubric_doc *d)
{
    return d->count;
}

const rubric_passage *rubric_doc_passage(const rubric_doc *d, size_t i)
{
    return i < d->count ? &d->passages[i] : NULL;
}

/* Why DATA is not text, or NULL when it is. */
static const char *not_text(const char *data, size_t len, char *why, size_t whylen)
{
    if (len == 0)
        return "empty file";
    if (memchr(data, '\0', len))
        return "binary file (contains NUL bytes)";
    size_t invalid = 0;
    const uint8_t *s = (const uint8_t *)data;
    for (size_t i = 0; i < len;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        ucs4_t uc;
        int n = u8_mbtoucr(&uc, s + i, len - i);
        if (n < 0) {
            invalid++;
            i++;
        } else {
            i += (size_t)n;
        }
    }
    if (invalid > 0 && invalid >= len / INVALID_UTF8_RATIO) {
        snprintf(why, whylen, "not UTF-8 text (%zu invalid bytes of %zu)", invalid, len);
        return why;
    }
    return NULL;
}

int rubric_doc_read(const char *path, const char *data, size_t len, rubric_doc **out,
                    char **errmsg)
{
    *out = NULL;
    if (errmsg)
        *errmsg = NULL;
    char why[128];
    const struct reader *r = reader_for(path);
    const char *bad = r ? not_text(data, len, why, sizeof why)
                           : "no reader for this kind of file";
    if (bad) {
        if (errmsg)
            *errmsg = xstrdup(bad);
        return RUBRIC_EINPUT;
    }
    rubric_doc *d = calloc(1, sizeof *d);
    if (!d)
        return RUBRIC_ENOMEM;
    d->structure = r->structure;
    /* A title for sources without one: the file name without its extension. */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t blen = strlen(base), elen = strlen(extension(base));
    char *name = xstrndup(base, elen && elen < blen ? blen - elen - 1 : blen);
    int rc = name ? r->read(d, data, len, name) : RUBRIC_ENOMEM;
    free(name);
    if (rc == RUBRIC_OK && d->count == 0 && !d->excluded) {
        rc = RUBRIC_EINPUT;
        if (!d->notes.len)
            buf_adds(&d->notes, "no text to index");
    }
    if (rc != RUBRIC_OK) {
        if (errmsg && rc == RUBRIC_EINPUT)
            *errmsg = xstrdup(d->notes.len ? d->notes.data : "cannot be read");
        rubric_doc_free(d);
        return rc;
    }
    *out = d;
    return RUBRIC_OK;
}

int rubric_doc_excluded(const rubric_doc *d)
{
    return d->excluded;
}

const char *rubric_doc_notes(const rubric_doc *d)
{
    return d->notes.len ? d->notes.data : NULL;
}
