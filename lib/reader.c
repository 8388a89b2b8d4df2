/* reader.c: rubric_doc, the passages read from one source; the reader for each kind of file. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <uniconv.h>
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
    p->terms = in->terms ? doc_keep(d, utf8_valid_copy(in->terms, strlen(in->terms), NULL)) : "";
    p->places = in->places ? doc_keep(d, utf8_valid_copy(in->places, strlen(in->places), NULL))
                           : "";
    p->section = in->section && strcmp(in->section, in->anchor) != 0
                     ? doc_keep(d, utf8_valid_copy(in->section, strlen(in->section), NULL))
                     : p->anchor;
    p->text = doc_keep(d, utf8_valid_copy(in->text, text_len, &text_len));
    if (!p->anchor || !p->title || !p->text || !p->section || !p->terms || !p->places)
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

/* The charset an HTML page declares in its first CHARSET_PRESCAN bytes
 * (<meta charset="X">, <meta http-equiv="Content-Type" content="...;
 * charset=X">, <?xml ... encoding="X"?>), into OUT; 0 when none. */
#define CHARSET_PRESCAN 1024
static int declared_charset(const char *data, size_t len, char *out, size_t outlen)
{
    size_t n = len < CHARSET_PRESCAN ? len : CHARSET_PRESCAN;
    static const char *const keys[] = {"charset=", "encoding="};
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            size_t kl = strlen(keys[k]);
            if (i + kl > n || strncasecmp(data + i, keys[k], kl) != 0)
                continue;
            size_t j = i + kl, o = 0;
            while (j < n && (data[j] == '"' || data[j] == '\'' || data[j] == ' '))
                j++;
            while (j < n && o + 1 < outlen &&
                   (isalnum((unsigned char)data[j]) || strchr("-_.:", data[j])))
                out[o++] = data[j++];
            out[o] = '\0';
            if (o)
                return 1;
        }
    return 0;
}

/* A page in another charset is converted when at most this large (its
 * conversion keeps 8 bytes per source byte for a moment). */
#define CONVERT_MAX (8 << 20)

/* DATA (LEN bytes, in CHARSET) as UTF-8, in *TEXT and *TEXT_LEN, with
 * OFFSETS[i] the offset in it of the character at source byte i ((size_t)-1
 * inside a character): RUBRIC_OK, RUBRIC_ENOMEM, or RUBRIC_EINPUT with WHY
 * said (a charset iconv does not know, or bytes that are not of it). */
static int to_utf8(const char *charset, const char *data, size_t len, char **text,
                   size_t *text_len, size_t **offsets, char *why, size_t whylen)
{
    /* An offset for each source byte: the memory is bounded. */
    if (len > CONVERT_MAX) {
        snprintf(why, whylen, "not UTF-8 text, and too large to convert from %s as it "
                 "declares (over %d MiB)", charset, CONVERT_MAX >> 20);
        return RUBRIC_EINPUT;
    }
    *offsets = malloc((len + 1) * sizeof **offsets);  /* one more: to_source_offsets() */
    if (!*offsets)
        return RUBRIC_ENOMEM;
    size_t n = 0;
    uint8_t *u = u8_conv_from_encoding(charset, iconveh_error, data, len, *offsets, NULL, &n);
    if (!u) {
        free(*offsets);
        *offsets = NULL;
        if (errno == ENOMEM)
            return RUBRIC_ENOMEM;
        snprintf(why, whylen, "not UTF-8 text, nor %s as it declares (%s)", charset,
                 errno == EINVAL ? "a charset this system cannot convert" : "bytes that are not");
        return RUBRIC_EINPUT;
    }
    *text = (char *)u;
    *text_len = n;
    return RUBRIC_OK;
}

/* The passages of D were read from a conversion of the source to UTF-8:
 * their byte ranges and maps, offsets in the conversion (LEN bytes of it),
 * become offsets in the source again through OFFSETS (N source bytes, and
 * room for one more). */
static void to_source_offsets(rubric_doc *d, size_t *offsets, size_t n, size_t len)
{
    /* A byte inside a character takes the offset of the character, so
     * that the offsets never decrease: the first source byte at an offset
     * is where the character there begins. */
    for (size_t i = 0; i < n; i++)
        if (offsets[i] == (size_t)-1)
            offsets[i] = i ? offsets[i - 1] : 0;
    offsets[n] = len;
    for (size_t p = 0; p < d->count; p++) {
        rubric_passage *q = &d->passages[p];
        size_t *at[2] = {&q->start, &q->end};
        for (size_t j = 0; j < 2 + q->nmap; j++) {
            /* The map is the document's own copy (doc_add()). */
            size_t *x = j < 2 ? at[j] : (size_t *)&q->map[2 * (j - 2) + 1];
            size_t lo = 0, hi = n;  /* the first source byte at or past *x */
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (offsets[mid] < *x)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            *x = lo;
        }
    }
}

/* rubric_doc_read() of DATA, in UTF-8 (or not text), with reader R. */
static int read_as(const struct reader *r, const char *path, const char *data, size_t len,
                   rubric_doc **out, char **errmsg, char *why, size_t whylen)
{
    const char *bad = r ? not_text(data, len, why, whylen)
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

int rubric_doc_read(const char *path, const char *data, size_t len, rubric_doc **out,
                    char **errmsg)
{
    *out = NULL;
    if (errmsg)
        *errmsg = NULL;
    char why[160];
    const struct reader *r = reader_for(path);
    /* A page not in UTF-8 that says which charset it is in is read in
     * UTF-8 (Apache's Korean manual is in EUC-KR), its ranges still the
     * source's. */
    char charset[64], *converted = NULL;
    size_t *offsets = NULL, source_len = len;
    if (r && r->structure == DOC_STRUCTURE_HTML && len && !memchr(data, '\0', len) &&
        u8_check((const uint8_t *)data, len) && declared_charset(data, len, charset, sizeof charset) &&
        strcasecmp(charset, "utf-8") != 0 && strcasecmp(charset, "utf8") != 0) {
        size_t clen = 0;
        int rc = to_utf8(charset, data, len, &converted, &clen, &offsets, why, sizeof why);
        if (rc != RUBRIC_OK) {
            if (errmsg && rc == RUBRIC_EINPUT)
                *errmsg = xstrdup(why);
            return rc;
        }
        data = converted;
        len = clen;
    }
    int rc = read_as(r, path, data, len, out, errmsg, why, sizeof why);
    if (rc == RUBRIC_OK && offsets)
        to_source_offsets(*out, offsets, source_len, len);
    free(converted);
    free(offsets);
    return rc;
}

int rubric_doc_excluded(const rubric_doc *d)
{
    return d->excluded;
}

const char *rubric_doc_notes(const rubric_doc *d)
{
    return d->notes.len ? d->notes.data : NULL;
}
