/* reader_jsonl.c: JSON Lines exports (one page or section per line) into passages.
 *
 * A record is an object:
 *   "path" or "url"   where the page lives (required; a string)
 *   "title"           the section's or page's title
 *   "anchor"          the section's id on that page
 *   "trail"           enclosing headings, outermost first (array of strings)
 *   "text" | "html" | "markdown"   the content (exactly one; a string)
 *   "tags"            array of strings; "lang": a string
 * Other keys are ignored, so exports can carry their own fields. A line that
 * is not such a record is noted with its number and skipped; the rest are read.
 * Plain text is one section; HTML and Markdown are read by their own readers,
 * the record's title and trail standing above their headings.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "internal.h"

/* Records longer than this are noted and skipped: one line of an export is
 * one page, and a page over this size is an export gone wrong. */
#define RECORD_MAX (16u << 20)

static void note(rubric_doc *d, size_t line, const char *what)
{
    buf_printf(&d->notes, "%sline %zu: %s", d->notes.len ? "\n" : "", line, what);
}

/* A string member, NULL when absent; *bad is set when present but not a string. */
static const char *string_of(const cJSON *o, const char *key, int *bad)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v || cJSON_IsNull(v))
        return NULL;
    if (!cJSON_IsString(v)) {
        *bad = 1;
        return NULL;
    }
    return v->valuestring;
}

/* Copy the strings of array member KEY into the document (lowercased when
 * LOWER) as *out, NULL-terminated, with *n of them; *out is NULL when the
 * member is absent. Returns 0, 1 when it is not an array of strings, or -1
 * when out of memory. */
static int strings_of(rubric_doc *d, const cJSON *o, const char *key, int lower,
                      const char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!a || cJSON_IsNull(a))
        return 0;
    if (!cJSON_IsArray(a))
        return 1;
    const cJSON *it;
    cJSON_ArrayForEach(it, a)
        if (!cJSON_IsString(it))
            return 1;
    size_t count = (size_t)cJSON_GetArraySize(a);
    const char **v = (const char **)doc_keep(d, calloc(count + 1, sizeof *v));
    if (!v)
        return -1;
    cJSON_ArrayForEach(it, a) {
        char *str = doc_keep(d, xstrdup(it->valuestring));
        if (!str)
            return -1;
        for (char *p = str; lower && *p; p++)
            *p = (char)tolower((unsigned char)*p);
        v[(*n)++] = str;
    }
    *out = v;
    return 0;
}

/* Plain text: one section titled TITLE, cut at blank lines into blocks. */
static int add_text(rubric_doc *d, const doc_record *rec, const char *title, const char *anchor,
                    const char *const *trail, size_t ntrail, const char *text,
                    size_t start, size_t end)
{
    outline *o = outline_new(d);
    if (!o)
        return -1;
    outline_record(o, rec);
    int rc = 0;
    for (size_t i = 0; i < ntrail && rc == 0; i++)
        rc = outline_root(o, trail[i]);
    if (rc == 0)
        rc = outline_heading(o, 1, title, strlen(title), anchor, start);
    const char *p = text;
    while (rc == 0 && *p) {
        const char *gap = strstr(p, "\n\n");
        size_t n = gap ? (size_t)(gap - p) : strlen(p);
        rc = outline_block(o, p, n, start, end, 0, NULL);
        p += n;
        while (*p == '\n')
            p++;
    }
    if (rc == 0)
        rc = outline_finish(o, end);
    outline_free(o);
    return rc;
}

/* HTML or Markdown: read into a document of its own, then copied in with the
 * record's trail above its own. */
static int add_page(rubric_doc *d, const doc_record *rec, reader_fn read, const char *title,
                    const char *const *trail, size_t ntrail, const char *content,
                    size_t start, size_t end, size_t line)
{
    rubric_doc *sub = calloc(1, sizeof *sub);
    if (!sub)
        return -1;
    int rc = read(sub, content, strlen(content), title ? title : "");
    if (rc == RUBRIC_EINPUT || (rc == RUBRIC_OK && sub->count == 0 && !sub->excluded)) {
        note(d, line, sub->notes.len ? sub->notes.data : "no text to index");
        rubric_doc_free(sub);
        return 0;
    }
    for (size_t i = 0; i < sub->count && rc == RUBRIC_OK; i++) {
        const rubric_passage *p = &sub->passages[i];
        const char *all[16];
        size_t n = 0;
        for (size_t k = 0; k < ntrail && n < 16; k++)
            all[n++] = trail[k];
        /* The record's title heads the page when the page's own does not. */
        if (title && *title && n < 16 &&
            !(p->ntrail ? strcmp(p->trail[0], title) == 0 : strcmp(p->title, title) == 0))
            all[n++] = title;
        for (size_t k = 0; k < p->ntrail && n < 16; k++)
            all[n++] = p->trail[k];
        doc_passage dp = {0};
        dp.anchor = p->anchor;
        dp.title = p->title;
        dp.trail = all;
        dp.ntrail = n;
        dp.text = p->text;
        dp.text_len = p->text_len;
        dp.start = start;
        dp.end = end;
        dp.boilerplate = p->boilerplate;
        dp.record = rec;
        if (doc_add(d, &dp) < 0)
            rc = RUBRIC_ENOMEM;
    }
    rubric_doc_free(sub);
    return rc == RUBRIC_OK ? 0 : -1;
}

/* Whether the N bytes of JSON at S escape a NUL (\u0000): cJSON's strings
 * end at it, so a path or title holding one would be silently cut short. */
static int escapes_nul(const char *s, size_t n)
{
    for (size_t i = 0; i + 6 <= n; i++) {
        if (s[i] != '\\')
            continue;
        if (s[i + 1] == 'u' && s[i + 2] == '0' && s[i + 3] == '0' && s[i + 4] == '0' &&
            s[i + 5] == '0')
            return 1;
        i++;  /* the escaped character, a backslash included */
    }
    return 0;
}

/* Whether a page's address WHERE has a scheme other than http and https
 * (javascript:, data:, file:, ...), whose length goes to *LEN. A link to such
 * an address would run or read something instead of opening a page. */
static int unsafe_scheme(const char *where, size_t *len)
{
    size_t n = 0;
    while (where[n] && (isalnum((unsigned char)where[n]) || strchr("+-.", where[n])))
        n++;
    *len = n;
    if (n == 0 || where[n] != ':' || !isalpha((unsigned char)where[0]))
        return 0;
    return !((n == 4 && strncasecmp(where, "http", 4) == 0) ||
             (n == 5 && strncasecmp(where, "https", 5) == 0));
}

/* Read the record on line LINE (bytes START..END of the file). Returns 0 (the
 * record read, or noted and skipped), or -1 when out of memory. */
static int read_record(rubric_doc *d, const char *data, size_t start, size_t end, size_t line)
{
    if (end - start > RECORD_MAX) {
        note(d, line, "record too large");
        return 0;
    }
    if (escapes_nul(data + start, end - start)) {
        note(d, line, "holds \\u0000 (a NUL character), which no field may");
        return 0;
    }
    cJSON *o = cJSON_ParseWithLength(data + start, end - start);
    if (!o) {
        note(d, line, "not valid JSON");
        return 0;
    }
    int rc = 0, bad = 0;
    if (!cJSON_IsObject(o)) {
        note(d, line, "not a JSON object");
        goto done;
    }
    const char *path = string_of(o, "path", &bad), *url = string_of(o, "url", &bad);
    const char *title = string_of(o, "title", &bad), *anchor = string_of(o, "anchor", &bad);
    const char *text = string_of(o, "text", &bad), *html = string_of(o, "html", &bad);
    const char *md = string_of(o, "markdown", &bad), *lang = string_of(o, "lang", &bad);
    size_t ntrail = 0, ntags = 0;
    const char **trail = NULL, **tags = NULL;
    int got = bad ? 1 : strings_of(d, o, "trail", 0, &trail, &ntrail);
    if (got == 0)
        got = strings_of(d, o, "tags", 1, &tags, &ntags);
    if (got < 0) {
        rc = -1;
        goto done;
    }
    if (got > 0) {
        note(d, line, "a field has the wrong type (path, url, title, anchor, text, html, "
                      "markdown and lang are strings; trail and tags arrays of strings)");
        goto done;
    }
    const char *where = path && *path ? path : url;
    if (!where || !*where) {
        note(d, line, "no \"path\" or \"url\"");
        goto done;
    }
    size_t scheme = 0;
    if (unsafe_scheme(where, &scheme)) {
        char what[120];
        snprintf(what, sizeof what, "the page's address is a '%.*s:' link: only http and https "
                 "links (or paths) are kept", (int)(scheme < 20 ? scheme : 20), where);
        note(d, line, what);
        goto done;
    }
    if (!!text + !!html + !!md != 1) {
        note(d, line, "needs exactly one of \"text\", \"html\" or \"markdown\"");
        goto done;
    }
    doc_record rec = {0};
    rec.path = doc_keep(d, xstrdup(where));
    char *folded = lang ? doc_keep(d, xstrdup(lang)) : NULL;
    for (char *c = folded; c && *c; c++)
        *c = (char)tolower((unsigned char)*c);  /* matched folded, as tags */
    rec.lang = folded;
    rec.tags = tags;
    rec.ntags = ntags;
    if (!rec.path || (lang && !rec.lang)) {
        rc = -1;
        goto done;
    }
    const char *given = title && *title ? title : NULL;
    if (!given) {
        const char *slash = strrchr(where, '/');
        title = slash && slash[1] ? slash + 1 : where;
    }
    if (text)
        rc = add_text(d, &rec, title, anchor, trail, ntrail, text, start, end);
    else
        rc = add_page(d, &rec, html ? read_html : read_markdown, given, trail, ntrail,
                      html ? html : md, start, end, line);
done:
    cJSON_Delete(o);
    return rc;
}

int read_jsonl(rubric_doc *d, const char *data, size_t len, const char *name)
{
    if (!(d->title = xstrdup(name)))
        return RUBRIC_ENOMEM;
    size_t line = 0;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        line++;
        size_t s = pos, e = end;
        while (s < e && isspace((unsigned char)data[s]))
            s++;
        while (e > s && isspace((unsigned char)data[e - 1]))
            e--;
        if (e > s && read_record(d, data, s, e, line) < 0)
            return RUBRIC_ENOMEM;
        pos = nl ? end + 1 : len;
    }
    if (d->count == 0 && !d->notes.len)
        buf_adds(&d->notes, "no records");
    return RUBRIC_OK;
}
