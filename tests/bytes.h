/* bytes.h: helpers the reader tests share (test_reader.c, test_html.c,
 * test_pydocs.c): finding bytes, an independent strict UTF-8 check, so that
 * the tests do not take the library's word for it, and (from shell.h)
 * reading a file. */
#ifndef RUBRIC_TEST_BYTES_H
#define RUBRIC_TEST_BYTES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell.h"

__attribute__((unused)) static const char *nz(const char *s) { return s ? s : "(null)"; }

__attribute__((unused)) static const char *find_bytes(const char *hay, size_t hlen, const char *needle,
                              size_t nlen)
{
    if (!hay || nlen == 0 || nlen > hlen) return NULL;
    for (size_t i = 0; i + nlen <= hlen; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, nlen) == 0) return hay + i;
    return NULL;
}

/* Strict UTF-8 check: no overlong forms, no surrogates, nothing past U+10FFFF. */
__attribute__((unused)) static int valid_utf8(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        uint32_t cp;
        if (c < 0x80) { i++; continue; }
        else if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
        else return 0;
        if (i + n >= len) return 0; /* truncated sequence */
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}

__attribute__((unused)) static int valid_utf8_str(const char *s) { return s && valid_utf8(s, strlen(s)); }

#endif
