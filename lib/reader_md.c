/* reader_md.c: Markdown articles into sections, through md4c.
 *
 * The dialect is CommonMark with GitHub's tables, strikethrough and task
 * lists. md4c reports blocks, spans and pieces of text, each piece a pointer
 * into the source (line ends, code indentation and a few replacement strings
 * come from md4c's own static strings; those are text but carry no offset).
 * This reader turns them into outline calls:
 *   - ATX and Setext headings start sections; the heading's text is its inline
 *     text (code spans, emphasis and link text; not URLs, not image alt text,
 *     not inline HTML tags). Its anchor is the one GitHub gives it (see
 *     github_slug()), or an explicit trailing {#id} (Pandoc, kramdown {: #id}),
 *     which is removed from the title. A heading with no text is ignored;
 *   - each paragraph, list item, table row (cells joined by " | ") and code
 *     block (fenced or indented, verbatim) is one block of its section, its
 *     byte range running from its first piece of text to its last. Soft and
 *     hard line breaks become spaces; entities are decoded; inline HTML tags
 *     are dropped, and raw HTML blocks keep only the text between their tags;
 *   - YAML front matter (a first line "---", a next line that is not blank, and
 *     a closing "---" or "...") is not text: it is skipped, and its top-level
 *     `title:` (plain, 'single' or "double" quoted) is the document's title.
 *     Without one the title is the first level-1 heading, else the file name.
 *     A front matter title with no level-1 heading stands above every heading,
 *     first in every trail (as an HTML page's <title> does).
 *
 * Boilerplate: Markdown has none of the page furniture HTML has, so every
 * block is content except a link list: a list (with the lists nested in it)
 * of at least LINK_LIST_MIN_ITEMS items whose every item is a single link and
 * nothing else (a hand-made table of contents, a "see also" farm, a site's
 * navigation).
 *
 * Text before the first heading forms the document's opening section, with
 * anchor "top" (which browsers scroll to the top of the page).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <md4c.h>
#include <unicase.h>
#include <unictype.h>
#include <unistr.h>

#include "internal.h"

/* A list is a link list (boilerplate) when it has at least this many items,
 * each of them a single link: fewer is more likely a short "see" reference in
 * the prose. */
#define LINK_LIST_MIN_ITEMS 5

/* NUL bytes after md4c's copy of the input, where it may read past the end
 * (see read_markdown()). */
#define MD_PADDING 16

/* md4c's dialect: CommonMark plus GitHub's tables, strikethrough and task
 * lists. Not GitHub's bare-URL autolinks (MD_FLAG_PERMISSIVE*AUTOLINKS):
 * in md4c 0.4.8 they take time quadratic in the URLs of a paragraph (40,000
 * "www.a.b" in one paragraph: 0.4 s; 100,000: 2.5 s), and a bare URL reads as
 * the same words either way. */
#define MD_READER_FLAGS (MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS)

/* Why a parse stopped early. */
enum { STOP_NONE, STOP_FOUND, STOP_NOMEM };

/* Where the tag stripper of raw HTML blocks stands. */
enum { HTML_TEXT, HTML_TAG, HTML_COMMENT, HTML_RAW };

/* A block of a list, held until the whole list is judged. */
typedef struct pending {
    char *text;
    size_t len, start, end;
} pending;

typedef struct md_reader {
    outline *o;
    const char *data;  /* the whole file: offsets are relative to it */
    size_t len;
    int prescan;       /* looking only for the first level-1 heading */
    char *first_h1;    /* what the prescan found (malloc'd) */
    int stop;          /* STOP_*: returned by every callback */

    unsigned char *stack;  /* open blocks (MD_BLOCKTYPE), innermost last */
    size_t depth, capdepth;

    /* The block being read. */
    buf text;
    size_t start, end;
    int has_range;
    const char *sep;       /* separator to add before more text */
    int nlinks;            /* links in the block */
    int link_text;         /* text inside a link */
    int other_text;        /* text outside any link */
    int link_depth, img_depth;
    unsigned cells;        /* cells seen in the table row */
    int html_state;
    const char *raw_tag;   /* "script" or "style" while skipping one */
    size_t last_pos;       /* end of the last piece with an offset */

    /* The heading being read (level 0: none). */
    unsigned level;
    buf head;
    size_t head_pos;
    int head_has_pos;

    /* The list being read, blocks held until it closes. */
    size_t list_depth;
    pending *pend;
    size_t npend, cappend;
    size_t items;
    int all_links;

    int seen_heading;
    hashmap slugs;     /* hash of each anchor produced -> GitHub's repeat counter */
} md_reader;

/* ---------------------------------------------------------------- helpers */

static int has_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_ascii_space(s[i]))
            return 1;
    return 0;
}

/* Trim white space from both ends of the N bytes at *S: *S moves past the
 * leading run; returns the length left. */
static size_t trim(const char **s, size_t n)
{
    while (n && is_ascii_space((*s)[n - 1]))
        n--;
    while (n && is_ascii_space(**s)) {
        (*s)++;
        n--;
    }
    return n;
}

/* Append UC as UTF-8 (U+FFFD for NUL, a surrogate or no character). */
static int add_uc(buf *b, ucs4_t uc)
{
    if (uc == 0 || (uc >= 0xD800 && uc <= 0xDFFF))
        return buf_adds(b, "\xEF\xBF\xBD");
    uint8_t tmp[6];
    int k = u8_uctomb(tmp, uc, sizeof tmp);
    return k > 0 ? buf_add(b, (const char *)tmp, (size_t)k) : buf_adds(b, "\xEF\xBF\xBD");
}

/* Named entities common in prose; others are kept as written. */
static const struct {
    const char *name;
    ucs4_t uc;
} entities[] = {
    {"amp", '&'},        {"lt", '<'},         {"gt", '>'},          {"quot", '"'},
    {"apos", '\''},      {"nbsp", ' '},       {"copy", 0xA9},       {"reg", 0xAE},
    {"trade", 0x2122},   {"hellip", 0x2026},  {"mdash", 0x2014},    {"ndash", 0x2013},
    {"lsquo", 0x2018},   {"rsquo", 0x2019},   {"ldquo", 0x201C},    {"rdquo", 0x201D},
    {"laquo", 0xAB},     {"raquo", 0xBB},     {"times", 0xD7},      {"deg", 0xB0},
    {"middot", 0xB7},    {"bull", 0x2022},    {"euro", 0x20AC},     {"pound", 0xA3},
    {"yen", 0xA5},       {"cent", 0xA2},      {"sect", 0xA7},       {"para", 0xB6},
    {"shy", 0},          {"zwj", 0},          {"zwnj", 0},
};

/* Length of the entity "&...;" at S (0 when there is none). */
static size_t entity_len(const char *s, size_t n)
{
    if (n < 3 || s[0] != '&')
        return 0;
    for (size_t i = 1; i < n && i < 34; i++) {
        if (s[i] == ';')
            return i > 1 ? i + 1 : 0;
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || (i == 1 && s[i] == '#')))
            return 0;
    }
    return 0;
}

/* Append the entity S ("&name;", "&#123;", "&#x1F;") decoded. */
static int add_entity(buf *b, const char *s, size_t n)
{
    if (n >= 4 && s[1] == '#') {
        int hex = s[2] == 'x' || s[2] == 'X';
        unsigned long v = 0;
        size_t digits = 0;
        for (size_t i = hex ? 3 : 2; i + 1 < n; i++, digits++) {
            char c = s[i];
            int dv = c >= '0' && c <= '9'   ? c - '0'
                     : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                     : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                   : -1;
            if (dv < 0 || digits >= 8)
                return buf_add(b, s, n);
            v = v * (hex ? 16 : 10) + (unsigned long)dv;
        }
        if (digits == 0)
            return buf_add(b, s, n);
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return buf_adds(b, "\xEF\xBF\xBD");
        return add_uc(b, (ucs4_t)v);
    }
    for (size_t i = 0; i < sizeof entities / sizeof *entities; i++)
        if (strlen(entities[i].name) == n - 2 && memcmp(entities[i].name, s + 1, n - 2) == 0)
            return entities[i].uc ? add_uc(b, entities[i].uc) : 0;
    return buf_add(b, s, n);
}

/* ------------------------------------------------------- GitHub's anchors */

/* Append GitHub's slug of TEXT: lowercased; every character dropped but
 * letters, marks, digits, '_', '-' and ' '; each space then a '-' (runs are
 * not collapsed: "C++ & Rust" is "c--rust"). Invalid UTF-8 bytes are dropped. */
static int github_slug(const char *text, size_t len, buf *out)
{
    buf valid = {0};
    uint8_t *lower = NULL;
    int rc = -1;
    const uint8_t *s = (const uint8_t *)text;
    for (size_t i = 0; i < len;) {
        ucs4_t uc;
        int k = u8_mbtoucr(&uc, s + i, len - i);
        if (k < 0) {
            i++;
            continue;
        }
        if (buf_add(&valid, text + i, (size_t)k) < 0)
            goto done;
        i += (size_t)k;
    }
    size_t n = 0;
    if (valid.len) {
        lower = u8_tolower((const uint8_t *)valid.data, valid.len, NULL, NULL, NULL, &n);
        if (!lower)
            goto done;
    }
    for (size_t i = 0; i < n;) {
        ucs4_t uc;
        int k = u8_mbtoucr(&uc, lower + i, n - i);
        if (k < 0) {
            i++;
            continue;
        }
        int keep = uc == '-' || uc == '_' ||
                   uc_is_general_category_withtable(uc, UC_CATEGORY_MASK_L | UC_CATEGORY_MASK_M |
                                                            UC_CATEGORY_MASK_Nd |
                                                            UC_CATEGORY_MASK_Nl |
                                                            UC_CATEGORY_MASK_Pc);
        if (uc == ' ') {
            if (buf_addc(out, '-') < 0)
                goto done;
        } else if (keep && buf_add(out, (const char *)lower + i, (size_t)k) < 0) {
            goto done;
        }
        i += (size_t)k;
    }
    rc = 0;
done:
    free(lower);
    buf_free(&valid);
    return rc;
}

static uint64_t slug_hash(const buf *slug)
{
    return hash64(slug->data, strlen(slug->data));
}

/* Make SLUG unique in the file as GitHub does (github-slugger): a repeat of
 * "x" becomes "x-1", then "x-2", skipping any already produced. SLUGS holds
 * the slugs produced, each with its repeat counter. */
static int unique_slug(hashmap *slugs, buf *slug)
{
    if (buf_grow(slug, 0) < 0)
        return -1;
    size_t *count = hashmap_get(slugs, slug_hash(slug));
    if (count) {
        size_t base = slug->len;
        do {
            (*count)++;
            slug->len = base;
            if (buf_printf(slug, "-%zu", *count) < 0)
                return -1;
        } while (hashmap_get(slugs, slug_hash(slug)));
    }
    return hashmap_at(slugs, slug_hash(slug)) ? 0 : -1;
}

/* When TEXT ends in an attribute block naming an id ({#id}, {#id .class},
 * kramdown's {: #id}), set *id and return the length of the text before it;
 * else return LEN. */
static size_t custom_id(const char *text, size_t len, const char **id, size_t *idlen)
{
    size_t n = len;
    while (n && is_ascii_space(text[n - 1]))
        n--;
    if (n < 3 || text[n - 1] != '}')
        return len;
    size_t open = n - 1;
    while (open > 0 && text[open - 1] != '{' && text[open - 1] != '}')
        open--;
    if (open == 0 || text[open - 1] != '{')
        return len;
    size_t i = open, close = n - 1;
    if (i < close && text[i] == ':')
        i++;
    while (i < close && is_ascii_space(text[i]))
        i++;
    if (i >= close || text[i] != '#')
        return len;
    size_t s = ++i;
    while (i < close && !is_ascii_space(text[i]))
        i++;
    if (i == s)
        return len;
    *id = text + s;
    *idlen = i - s;
    n = open - 1;
    while (n && is_ascii_space(text[n - 1]))
        n--;
    return n;
}

/* ----------------------------------------------------------- front matter */

/* The line at DATA[I..]: its length without the line end; *next is the start
 * of the following line. */
static size_t line_at(const char *data, size_t len, size_t i, size_t *next)
{
    const char *nl = memchr(data + i, '\n', len - i);
    size_t e = nl ? (size_t)(nl - data) : len;
    *next = nl ? e + 1 : len;
    while (e > i && (data[e - 1] == '\r' || data[e - 1] == ' ' || data[e - 1] == '\t'))
        e--;
    return e - i;
}

/* Decode the YAML scalar V (a plain, 'single' or "double" quoted value on one
 * line) into OUT. */
static int yaml_scalar(const char *v, size_t n, buf *out)
{
    if (n && (v[0] == '"' || v[0] == '\'')) {
        char q = v[0];
        for (size_t i = 1; i < n; i++) {
            if (v[i] == q) {
                if (q == '\'' && i + 1 < n && v[i + 1] == '\'') {
                    i++;
                } else {
                    break;
                }
            } else if (q == '"' && v[i] == '\\' && i + 1 < n) {
                char c = v[++i];
                if (c == 'n' || c == 't')
                    c = ' ';
                if (c == 'u' && i + 4 < n) {
                    ucs4_t uc = 0;
                    size_t k;
                    for (k = 1; k <= 4; k++) {
                        char h = v[i + k];
                        int dv = h >= '0' && h <= '9'   ? h - '0'
                                 : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                 : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                        : -1;
                        if (dv < 0)
                            break;
                        uc = uc * 16 + (ucs4_t)dv;
                    }
                    if (k == 5) {
                        if (add_uc(out, uc) < 0)
                            return -1;
                        i += 4;
                        continue;
                    }
                }
                if (buf_addc(out, c) < 0)
                    return -1;
                continue;
            }
            if (buf_addc(out, v[i]) < 0)
                return -1;
        }
        return 0;
    }
    if (n && (v[0] == '|' || v[0] == '>'))
        return 0;  /* a block scalar on the following lines: not read */
    /* A plain scalar ends at a comment (" #"). */
    size_t e = 0;
    while (e < n && !(v[e] == '#' && e > 0 && (v[e - 1] == ' ' || v[e - 1] == '\t')))
        e++;
    while (e && is_ascii_space(v[e - 1]))
        e--;
    return buf_add(out, v, e);
}

/* When DATA opens with YAML front matter, return the offset just past it and
 * put its title (if any) in TITLE; else return 0. */
static size_t front_matter(const char *data, size_t len, buf *title, int *failed)
{
    size_t i = 0, next;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    if (line_at(data, len, i, &next) != 3 || memcmp(data + i, "---", 3) != 0)
        return 0;
    i = next;
    /* A "---" followed by a blank line is a thematic break, not front
     * matter (Pandoc's rule). */
    if (i >= len || line_at(data, len, i, &next) == 0)
        return 0;
    int have_title = 0;
    while (i < len) {
        size_t n = line_at(data, len, i, &next);
        const char *p = data + i;
        if (n == 3 && (memcmp(p, "---", 3) == 0 || memcmp(p, "...", 3) == 0))
            return next;
        if (!have_title && n > 6 && memcmp(p, "title:", 6) == 0 &&
            (p[6] == ' ' || p[6] == '\t')) {
            size_t s = 6;
            while (s < n && (p[s] == ' ' || p[s] == '\t'))
                s++;
            if (yaml_scalar(p + s, n - s, title) < 0)
                *failed = 1;
            have_title = 1;
        }
        i = next;
    }
    title->len = 0;  /* never closed: the whole file is Markdown */
    return 0;
}

/* ---------------------------------------------------------------- blocks */

static int oom(md_reader *r)
{
    r->stop = STOP_NOMEM;
    return r->stop;
}

/* Record that text at P..P+N belongs to the block or heading being read,
 * when P lies in the source. */
static void note_range(md_reader *r, const char *p, size_t n)
{
    if (p < r->data || p >= r->data + r->len || n > (size_t)(r->data + r->len - p))
        return;
    size_t s = (size_t)(p - r->data), e = s + n;
    r->last_pos = e;
    if (r->level) {
        if (!r->head_has_pos) {
            r->head_pos = s;
            r->head_has_pos = 1;
        }
        return;
    }
    if (!r->has_range) {
        r->start = s;
        r->has_range = 1;
    }
    if (e > r->end)
        r->end = e;
}

/* The buffer text goes to: the heading's, or the block's (with its pending
 * separator added first). */
static buf *target(md_reader *r)
{
    if (r->level)
        return &r->head;
    if (r->sep) {
        if (r->text.len && buf_adds(&r->text, r->sep) < 0)
            return NULL;
        r->sep = NULL;
    }
    return &r->text;
}

static int emit(md_reader *r, const char *text, size_t len, size_t start, size_t end, int bp)
{
    if (r->prescan)
        return 0;
    return outline_block(r->o, text, len, start, end, bp, r->seen_heading ? NULL : "top");
}

/* Decide whether the held list blocks are a link list, and pass them on. */
static int emit_list(md_reader *r)
{
    int bp = r->all_links && r->items >= LINK_LIST_MIN_ITEMS;
    int rc = 0;
    for (size_t i = 0; i < r->npend; i++) {
        pending *p = &r->pend[i];
        if (rc == 0)
            rc = emit(r, p->text, p->len, p->start, p->end, bp);
        free(p->text);
    }
    r->npend = 0;
    r->items = 0;
    r->all_links = 1;
    return rc;
}

/* End the block being read: pass it to the outline, or hold it when in a
 * list. */
static int flush_block(md_reader *r)
{
    int rc = 0;
    if (has_text(r->text.data, r->text.len) && !r->prescan) {
        size_t start = r->has_range ? r->start : r->last_pos;
        size_t end = r->has_range ? r->end : r->last_pos;
        if (r->list_depth) {
            int one_link = r->nlinks == 1 && r->link_text && !r->other_text;
            if (!one_link)
                r->all_links = 0;
            if (GROW(r->pend, r->npend, r->cappend) < 0)
                return -1;
            char *copy = xstrndup(r->text.data, r->text.len);
            if (!copy)
                return -1;
            r->pend[r->npend++] = (pending){copy, r->text.len, start, end};
        } else {
            rc = emit(r, r->text.data, r->text.len, start, end, 0);
        }
    }
    r->text.len = 0;
    r->has_range = 0;
    r->start = r->end = 0;
    r->sep = NULL;
    r->nlinks = r->link_text = r->other_text = 0;
    return rc;
}

static int end_heading(md_reader *r)
{
    unsigned level = r->level;
    r->level = 0;
    const char *t = r->head.data ? r->head.data : "";
    size_t n = trim(&t, r->head.len);
    const char *cid = NULL;
    size_t cidlen = 0;
    n = custom_id(t, n, &cid, &cidlen);
    buf id = {0}, title = {0};
    int rc = 0;
    if (n == 0)
        goto done;  /* an empty heading is a rule, not a section */
    /* The title with each run of spaces as one (the anchor keeps them all,
     * as GitHub's does). */
    for (size_t i = 0; i < n && rc == 0; i++)
        if (!is_ascii_space(t[i]))
            rc = buf_addc(&title, t[i]);
        else if (!is_ascii_space(t[i + 1]))
            rc = buf_addc(&title, ' ');
    if (rc < 0)
        goto done;
    if (r->prescan) {
        if (level == 1) {
            r->first_h1 = buf_detach(&title);
            rc = r->first_h1 ? 0 : -1;
            r->stop = STOP_FOUND;
        }
        goto done;
    }
    if (cid) {
        rc = buf_add(&id, cid, cidlen);
    } else {
        rc = github_slug(t, n, &id);
        if (rc == 0 && id.len)
            rc = unique_slug(&r->slugs, &id);
    }
    if (rc == 0)
        rc = outline_heading(r->o, (int)level, title.data, title.len, id.len ? id.data : NULL,
                             r->head_has_pos ? r->head_pos : r->last_pos);
    r->seen_heading = 1;
done:
    buf_free(&id);
    buf_free(&title);
    r->head.len = 0;
    return rc;
}

/* Append the visible text of a piece of a raw HTML block: tags, comments and
 * the insides of <script> and <style> are dropped. */
static int html_block_text(md_reader *r, const char *p, size_t n)
{
    buf *b = target(r);
    if (!b)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (r->html_state == HTML_TAG) {
            if (c == '>') {
                r->html_state = r->raw_tag ? HTML_RAW : HTML_TEXT;
                if (b->len && b->data[b->len - 1] != ' ' && buf_addc(b, ' ') < 0)
                    return -1;
            }
            continue;
        }
        if (r->html_state == HTML_COMMENT) {
            if (c == '>' && i >= 2 && p[i - 1] == '-' && p[i - 2] == '-')
                r->html_state = HTML_TEXT;
            continue;
        }
        if (r->html_state == HTML_RAW) {
            size_t k = strlen(r->raw_tag);
            if (c == '<' && n - i >= k + 2 && p[i + 1] == '/' &&
                strncasecmp(p + i + 2, r->raw_tag, k) == 0) {
                r->raw_tag = NULL;
                r->html_state = HTML_TAG;
            }
            continue;
        }
        if (c == '<' && i + 1 < n) {
            char d = p[i + 1];
            if (n - i >= 4 && memcmp(p + i, "<!--", 4) == 0) {
                r->html_state = HTML_COMMENT;
                i += 3;
                continue;
            }
            if ((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') || d == '/' || d == '!' ||
                d == '?') {
                r->html_state = HTML_TAG;
                static const char *const raw[] = {"script", "style"};
                for (size_t j = 0; j < 2; j++) {
                    size_t k = strlen(raw[j]);
                    if (n - i - 1 > k && strncasecmp(p + i + 1, raw[j], k) == 0 &&
                        (p[i + 1 + k] == '>' || is_ascii_space(p[i + 1 + k])))
                        r->raw_tag = raw[j];
                }
                continue;
            }
        }
        size_t e = c == '&' ? entity_len(p + i, n - i) : 0;
        if (e) {
            if (add_entity(b, p + i, e) < 0)
                return -1;
            i += e - 1;
        } else if (is_ascii_space(c)) {
            if (b->len && b->data[b->len - 1] != ' ' && buf_addc(b, ' ') < 0)
                return -1;
        } else if (buf_addc(b, c) < 0) {
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------- md4c callbacks */

static unsigned char parent(const md_reader *r)
{
    /* The block that holds the innermost one. */
    return r->depth >= 2 ? r->stack[r->depth - 2] : MD_BLOCK_DOC;
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *u)
{
    md_reader *r = u;
    if (GROW(r->stack, r->depth, r->capdepth) < 0)
        return oom(r);
    r->stack[r->depth++] = (unsigned char)type;
    int rc = 0;
    switch (type) {
    case MD_BLOCK_DOC:
        break;
    case MD_BLOCK_P:
        if (parent(r) == MD_BLOCK_LI)
            r->sep = "\n";  /* a list item's paragraphs stay one block */
        else
            rc = flush_block(r);
        break;
    case MD_BLOCK_H:
        rc = flush_block(r);
        /* Sections never start inside a held list: judge it so far. */
        if (rc == 0 && r->npend)
            rc = emit_list(r);
        r->level = ((MD_BLOCK_H_DETAIL *)detail)->level;
        if (r->level < 1)
            r->level = 1;
        r->head.len = 0;
        r->head_has_pos = 0;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        rc = flush_block(r);
        if (r->list_depth++ == 0) {
            r->items = 0;
            r->all_links = 1;
        }
        break;
    case MD_BLOCK_LI:
        rc = flush_block(r);
        r->items++;
        break;
    case MD_BLOCK_CODE:
    case MD_BLOCK_HTML:
        rc = flush_block(r);
        r->html_state = HTML_TEXT;
        r->raw_tag = NULL;
        break;
    case MD_BLOCK_TR:
        rc = flush_block(r);
        r->cells = 0;
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        if (r->cells++)
            r->sep = " | ";
        break;
    default:
        rc = flush_block(r);
        break;
    }
    return rc < 0 ? oom(r) : r->stop;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *u)
{
    (void)detail;
    md_reader *r = u;
    int rc = 0;
    switch (type) {
    case MD_BLOCK_H:
        rc = end_heading(r);
        break;
    case MD_BLOCK_P:
        if (parent(r) != MD_BLOCK_LI)
            rc = flush_block(r);
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        rc = flush_block(r);
        if (rc == 0 && r->list_depth && --r->list_depth == 0)
            rc = emit_list(r);
        break;
    default:
        rc = flush_block(r);
        break;
    }
    if (r->depth)
        r->depth--;
    return rc < 0 ? oom(r) : r->stop;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *u)
{
    (void)detail;
    md_reader *r = u;
    if (type == MD_SPAN_A && r->link_depth++ == 0 && !r->level)
        r->nlinks++;
    else if (type == MD_SPAN_IMG)
        r->img_depth++;
    return r->stop;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *u)
{
    (void)detail;
    md_reader *r = u;
    if (type == MD_SPAN_A && r->link_depth)
        r->link_depth--;
    else if (type == MD_SPAN_IMG && r->img_depth)
        r->img_depth--;
    return r->stop;
}

static int text(MD_TEXTTYPE type, const MD_CHAR *p, MD_SIZE size, void *u)
{
    md_reader *r = u;
    size_t n = size;
    /* A heading's text is what GitHub shows of it: no image alt text. */
    if (r->level && r->img_depth)
        return r->stop;
    /* Never take in bytes past the input (md4c's padding). */
    if (p >= r->data && p <= r->data + r->len && n > (size_t)(r->data + r->len - p))
        n = (size_t)(r->data + r->len - p);
    note_range(r, p, n);
    if (r->prescan && !r->level)
        return r->stop;
    /* Repair invalid UTF-8 here rather than in doc_add(), so that the
     * outline measures passages at their final size. */
    char *fixed = NULL;
    if (u8_check((const uint8_t *)p, n)) {
        if (!(fixed = utf8_valid_copy(p, n, &n)))
            return oom(r);
        p = fixed;
    }
    int rc = 0;
    buf *b = NULL;
    if (type == MD_TEXT_HTML) {
        /* Inline HTML: the tag is dropped, the text around it stays. */
        int in_block = r->depth && r->stack[r->depth - 1] == MD_BLOCK_HTML;
        if (in_block && !r->level)
            rc = html_block_text(r, p, n);
        else if (n >= 3 && strncasecmp(p, "<br", 3) == 0)  /* a break between words */
            rc = (b = target(r)) ? buf_addc(b, ' ') : -1;
        goto done;
    }
    if (!(b = target(r))) {
        rc = -1;
        goto done;
    }
    switch (type) {
    case MD_TEXT_NULLCHAR:
        rc = buf_adds(b, "\xEF\xBF\xBD");
        break;
    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR:
        rc = buf_addc(b, ' ');
        break;
    case MD_TEXT_ENTITY:
        rc = add_entity(b, p, n);
        break;
    default:
        rc = buf_add(b, p, n);
        break;
    }
    if (!r->level && type != MD_TEXT_BR && type != MD_TEXT_SOFTBR && has_text(p, n)) {
        if (r->link_depth)
            r->link_text = 1;
        else
            r->other_text = 1;
    }
done:
    free(fixed);
    return rc < 0 ? oom(r) : r->stop;
}

/* Run md4c over DATA[OFF..LEN]. */
static int parse(md_reader *r, size_t off, int prescan)
{
    MD_PARSER parser = {0, MD_READER_FLAGS, enter_block, leave_block, enter_span, leave_span,
                        text, NULL, NULL};
    r->prescan = prescan;
    r->stop = STOP_NONE;
    r->depth = 0;
    r->level = 0;
    r->list_depth = 0;
    r->link_depth = r->img_depth = 0;
    r->last_pos = off;
    r->all_links = 1;
    r->items = 0;
    r->text.len = 0;
    r->has_range = 0;
    r->start = r->end = 0;
    r->sep = NULL;
    r->nlinks = r->link_text = r->other_text = 0;
    int rc = md_parse(r->data + off, (MD_SIZE)(r->len - off), &parser, r);
    if (r->stop == STOP_NOMEM || (rc != 0 && r->stop == STOP_NONE))
        return -1;
    if (r->stop == STOP_NONE && (flush_block(r) < 0 || emit_list(r) < 0))
        return -1;
    return 0;
}

int read_markdown(rubric_doc *d, const char *data, size_t len, const char *name)
{
    md_reader r = {0};
    buf title = {0};
    int failed = 0;
    int rc = RUBRIC_ENOMEM;
    char *copy = NULL;
    size_t off = front_matter(data, len, &title, &failed);
    if (failed)
        goto done;
    if (len - off > (MD_SIZE)-1 || len > SIZE_MAX - MD_PADDING) {
        buf_adds(&d->notes, "too large for the Markdown reader");
        rc = RUBRIC_EINPUT;
        goto done;
    }
    /* md4c 0.4.8 reads past the end of its input in some unfinished
     * constructs (a document ending in "[a](b", say); it stops at a NUL, so
     * it reads a copy followed by NULs. Offsets are the same in the copy. */
    if (!(copy = malloc(len + MD_PADDING)))
        goto done;
    memcpy(copy, data, len);
    memset(copy + len, 0, MD_PADDING);
    r.data = copy;
    r.len = len;
    /* The first level-1 heading, when there is one, heads the outline. */
    if (parse(&r, off, 1) < 0)
        goto done;
    int fm_title = title.len && has_text(title.data, title.len);
    if (fm_title) {
        const char *t = title.data;
        size_t n = trim(&t, title.len);
        d->title = utf8_valid_copy(t, n, NULL);
    } else {
        const char *t = r.first_h1 ? r.first_h1 : name;
        d->title = utf8_valid_copy(t, strlen(t), NULL);
    }
    if (!d->title || !(r.o = outline_new(d)))
        goto done;
    /* Without one, the front matter's title stands above every heading, as
     * an HTML page's <title> does. */
    if (fm_title && !r.first_h1 && outline_root(r.o, d->title) < 0)
        goto done;
    if (parse(&r, off, 0) < 0 || outline_finish(r.o, len) < 0)
        goto done;
    rc = RUBRIC_OK;
done:
    free(copy);
    for (size_t i = 0; i < r.npend; i++)
        free(r.pend[i].text);
    free(r.pend);
    free(r.stack);
    free(r.first_h1);
    buf_free(&r.text);
    buf_free(&r.head);
    buf_free(&title);
    hashmap_free(&r.slugs);
    outline_free(r.o);
    return rc;
}
