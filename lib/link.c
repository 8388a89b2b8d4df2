/* link.c: links to passages: their URL, and a text fragment that scrolls a
 * browser to the words. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unistr.h>

#include "internal.h"

/* Whether the ASCII byte C may stand as it is in PART of a URL. A path keeps
 * the printable ASCII that needs no quoting but for '?' and '#', which would
 * start a query or a fragment; a URL given whole keeps those; a fragment
 * reserves only '#'; a text directive keeps only letters, digits and ". _ ~",
 * since it reserves '-', ',' and '&'. */
static int url_keeps(unsigned char c, int part)
{
    if (part == URL_TEXT)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '~';
    if (c <= 0x20 || c == 0x7F || strchr("\"<>`%{}|\\^", c))
        return 0;
    return !(c == '#' && part != URL_GIVEN) && !(c == '?' && part == URL_PATH);
}

int url_encode(buf *b, const char *s, size_t n, int part)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        /* A path or a fragment keeps UTF-8 as it is (browsers show it so);
         * a byte that is not part of a UTF-8 character is encoded. */
        int len = c < 0x80 || part == URL_TEXT ? 1 : u8_mblen((const uint8_t *)s + i, n - i);
        int rc = len > 1               ? buf_add(b, s + i, (size_t)len)
                 : len == 1 && url_keeps(c, part) ? buf_addc(b, (char)c)
                                                  : buf_printf(b, "%%%02X", c);
        if (rc < 0)
            return -1;
        i += len > 1 ? (size_t)len : 1;
    }
    return 0;
}

/* Whether REL is a URL of the web, kept whole: http:// or https://. Any
 * other scheme is never a link rubric makes (the JSON Lines reader refuses
 * them); what looks like one is a path. */
static int web_url(const char *rel)
{
    return strncasecmp(rel, "http://", 7) == 0 || strncasecmp(rel, "https://", 8) == 0;
}

char *link_url(const char *base, const char *rel, const char *anchor)
{
    buf b = {0};
    int ok = 1, given = web_url(rel);
    if (!given && *base) {
        ok = buf_adds(&b, base) == 0;
        int slash_end = b.len && b.data[b.len - 1] == '/';
        if (slash_end && *rel == '/')
            rel++;
        else if (ok && !slash_end && *rel != '/')
            ok = buf_addc(&b, '/') == 0;
    } else if (!given) {
        /* A relative link: a first segment holding ':' would read as a
         * scheme ("javascript:x.txt"), and "//" as another host; "./" and
         * one slash keep both a path (RFC 3986, 4.2). */
        while (rel[0] == '/' && rel[1] == '/')
            rel++;
        size_t seg = strcspn(rel, "/");
        if (memchr(rel, ':', seg))
            ok = buf_adds(&b, "./") == 0;
    }
    ok = ok && url_encode(&b, rel, strlen(rel), given ? URL_GIVEN : URL_PATH) == 0;
    if (ok && *anchor)
        ok = buf_addc(&b, '#') == 0 && url_encode(&b, anchor, strlen(anchor), URL_FRAGMENT) == 0;
    if (!ok) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

char *link_text(const char *url, const rubric_fragment *f)
{
    buf b = {0};
    size_t from = f->nspans ? f->spans[0].start : 0, to = from, words = 0;
    while (to < f->text_len && words < 6) {
        while (to < f->text_len && f->text[to] != ' ')
            to++;
        words++;
        if (words < 6)
            while (to < f->text_len && f->text[to] == ' ')
                to++;
    }
    int ok = buf_adds(&b, url) == 0 &&
             buf_adds(&b, strchr(url, '#') ? ":~:text=" : "#:~:text=") == 0 &&
             url_encode(&b, f->text + from, to - from, URL_TEXT) == 0;
    if (!ok) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}
