/* html_guard.c: a page's bytes made safe for libxml2 before it parses them.
 *
 * Two things in a page cost libxml2's HTML parser more than the page is
 * worth, or read as text what is not: a flood of attributes on one element
 * (its duplicate check is quadratic in their number) and an XHTML page's
 * internal DTD subset (its declarations become the page's text). Both are
 * blanked with spaces, so that every other byte keeps its offset.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

static int is_html_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* The end of the attribute that starts at A in S (N bytes): its name, and
 * "=" with a value (quoted, or up to a space or '>') when it has one. */
static size_t attribute_end(const char *s, size_t n, size_t a)
{
    size_t j = a;
    while (j < n && !is_html_space(s[j]) && s[j] != '>' && s[j] != '=')
        j++;
    size_t k = j;
    while (k < n && is_html_space(s[k]))
        k++;
    if (k >= n || s[k] != '=')
        return j > a ? j : a + 1;
    for (k++; k < n && is_html_space(s[k]); k++)
        ;
    if (k < n && (s[k] == '"' || s[k] == '\'')) {
        const char *q = memchr(s + k + 1, s[k], n - k - 1);
        return q ? (size_t)(q - s) + 1 : n;
    }
    while (k < n && !is_html_space(s[k]) && s[k] != '>')
        k++;
    return k;
}

/* Where the comment whose text starts at FROM in S (N bytes) ends: past its
 * "-->", or at N when it never does. */
static size_t comment_end(const char *s, size_t n, size_t from)
{
    for (size_t k = from; k + 3 <= n; k++) {
        const char *dash = memchr(s + k, '-', n - k);
        if (!dash || (size_t)(dash - s) + 3 > n)
            break;
        k = (size_t)(dash - s);
        if (s[k + 1] == '-' && s[k + 2] == '>')
            return k + 3;
    }
    return n;
}

/* DATA (LEN bytes) with the attributes past the HTML_ATTRIBUTES_MAX-th of
 * each element blanked out (spaces, so that every byte keeps its offset),
 * malloc'd, or NULL when no element has that many (or memory ran out:
 * *FAILED). *ELEMENTS counts the elements cut short. */
static char *tame_attributes(const char *data, size_t len, size_t *elements, int *failed)
{
    char *out = NULL;
    *elements = 0;
    *failed = 0;
    for (size_t i = 0; i < len;) {
        const char *lt = memchr(data + i, '<', len - i);
        if (!lt)
            break;
        size_t j = (size_t)(lt - data) + 1;
        if (len - j >= 3 && memcmp(data + j, "!--", 3) == 0) {
            i = comment_end(data, len, j + 3);
            continue;
        }
        if (j >= len || !((data[j] | 0x20) >= 'a' && (data[j] | 0x20) <= 'z')) {
            i = j;
            continue;
        }
        while (j < len && !is_html_space(data[j]) && data[j] != '>')
            j++;  /* the element's name */
        size_t count = 0;
        int cut = 0;
        for (;;) {
            while (j < len && (is_html_space(data[j]) || data[j] == '/'))
                j++;
            if (j >= len || data[j] == '>')
                break;
            size_t end = attribute_end(data, len, j);
            if (++count > HTML_ATTRIBUTES_MAX) {
                if (!out) {
                    if (!(out = malloc(len))) {
                        *failed = 1;
                        return NULL;
                    }
                    memcpy(out, data, len);
                }
                memset(out + j, ' ', end - j);
                cut = 1;
            }
            j = end;
        }
        *elements += cut;
        i = j;
    }
    return out;
}

/* DATA (LEN bytes) with the internal subset of its DOCTYPE (an XHTML page's
 * "<!DOCTYPE html [ <!ENTITY ...> ]>") blanked out with spaces, malloc'd, or
 * NULL when it has none (or memory ran out: *FAILED). libxml2's HTML parser
 * would read the declarations as the page's text. */
static char *blank_dtd_subset(const char *data, size_t len, int *failed)
{
    *failed = 0;
    size_t i = 0;
    while (i < len && data[i] != '<')
        i++;
    /* The DOCTYPE comes first, after an XML declaration at most. */
    if (i + 1 < len && data[i + 1] == '?') {
        const char *end = memchr(data + i, '>', len - i);
        for (i = end ? (size_t)(end - data) + 1 : len; i < len && data[i] != '<'; i++)
            ;
    }
    if (len - i < 9 || strncasecmp(data + i, "<!DOCTYPE", 9) != 0)
        return NULL;
    size_t open = i + 9;
    while (open < len && data[open] != '[' && data[open] != '>')
        open++;
    if (open >= len || data[open] != '[')
        return NULL;
    char quote = 0;
    size_t k = open + 1;
    for (; k < len; k++) {
        if (quote) {
            quote = data[k] == quote ? 0 : quote;
        } else if (data[k] == '"' || data[k] == '\'') {
            quote = data[k];
        } else if (data[k] == ']') {
            size_t j = k + 1;
            while (j < len && is_html_space(data[j]))
                j++;
            if (j < len && data[j] == '>')
                break;
        }
    }
    if (k >= len)
        return NULL;  /* never closed: left to the parser's recovery */
    char *out = malloc(len);
    if (!out) {
        *failed = 1;
        return NULL;
    }
    memcpy(out, data, len);
    memset(out + open, ' ', k + 1 - open);
    return out;
}

char *html_guard(const char *data, size_t len, size_t *flooded, int *failed)
{
    char *undtd = blank_dtd_subset(data, len, failed);
    char *tamed = *failed ? NULL : tame_attributes(undtd ? undtd : data, len, flooded, failed);
    if (*failed) {
        free(undtd);
        return NULL;
    }
    if (!tamed)
        return undtd;  /* the one copy that changed, if any */
    free(undtd);
    return tamed;
}
