/* markup_inline.c: the inline markup of a markup source read as text, read
 * as its rendering shows it.
 *
 * A reStructuredText page says `:func:`len``, `.. versionchanged:: 3.4` and
 * ``word[0]``; the HTML built from it says "len()", "Changed in version
 * 3.4" and "word[0]". Left in, the markers are words of the passage: they
 * show in titles and snippets (":mod:`hmac` --- Keyed-Hashing"), and they
 * break the runs of words by which a copy is told from its original
 * (fold.c). What is read, all of it from the syntax alone:
 *   - a role before interpreted text, `:name:` right before a backquote, goes
 *     (`:func:`, `:c:func:`, `:ref:`);
 *   - interpreted text and literals, `text` and ``text``, keep their text
 *     without the backquotes, and so do Markdown's and AsciiDoc's code spans
 *     written the same way; inside single backquotes, a target after the
 *     text (`Python <https://python.org>`_) goes, and so do the `~` and `!`
 *     of a cross-reference (`~a.b.c` shows as "c"), and the `_` or `__` of a
 *     hyperlink reference after the closing backquote;
 *   - at the start of a line, a directive's marker goes and its arguments stay
 *     (`.. function:: new(key)` reads "new(key)"), except where the
 *     language says its argument names a file, a syntax or an author, which
 *     a page does not show (`.. include:: ENV_VAR.txt`, `.. image::`,
 *     `.. code-block:: cmake`, `.. moduleauthor::`): that line goes whole; a
 *     hyperlink target (`.. _label:`) goes with its line, and so does a
 *     comment (`.. cmake-manual-description: Reference`: explicit markup
 *     that is no directive, target, substitution or footnote) with the block
 *     indented below it (comment_end()); a
 *     substitution definition's marker (`.. |name| replace::`) goes, and so
 *     does a field's name (`:synopsis:`).
 * Anything else is left as written. The text keeps a map
 * of where each run of kept bytes came from, so that offsets in it still lead
 * to the source.
 */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "internal.h"

/* Interpreted text is looked for this far after its opening backquote. */
#define SPAN_MAX 400

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '+' || c == '.';
}

/* Append S[FROM..TO) (at source offset BASE + FROM), starting a new run of
 * the map unless it continues the bytes appended last. */
static int keep(markup_text *o, const char *s, size_t base, size_t from, size_t to)
{
    if (to <= from)
        return 0;
    if (!o->nmap || o->next_source != base + from) {
        if (GROW(o->map, 2 * o->nmap + 1, o->capmap) < 0)
            return -1;
        o->map[2 * o->nmap] = o->text.len;
        o->map[2 * o->nmap + 1] = base + from;
        o->nmap++;
    }
    o->next_source = base + to;
    return buf_add(&o->text, s + from, to - from);
}

/* The length of a role at S[0..N): ":name:" right before a backquote, the
 * name letters, digits and "_-+." with single colons inside ("c:func");
 * 0 when S holds none. */
static size_t role_at(const char *s, size_t n)
{
    if (n < 3 || s[0] != ':' || !name_char(s[1]))
        return 0;
    for (size_t i = 1; i + 1 < n; i++) {
        if (s[i] == ':' && s[i + 1] == '`')
            return i + 1;
        if (s[i] == ':' && (s[i + 1] == ':' || !name_char(s[i + 1])))
            return 0;
        if (s[i] != ':' && !name_char(s[i]))
            return 0;
    }
    return 0;
}

/* The directives of reStructuredText (docutils' and Sphinx's) whose
 * argument is a file to read or show, the syntax of the text below, or an
 * author (which Sphinx shows only when told to): never words of the page. */
static int hidden_argument(const char *name, size_t len)
{
    static const char *const names[] = {"include",      "literalinclude", "image",
                                        "figure",       "code-block",     "sourcecode",
                                        "code",         "highlight",      "raw",
                                        "moduleauthor", "sectionauthor",  "codeauthor"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++)
        if (strlen(names[k]) == len && memcmp(names[k], name, len) == 0)
            return 1;
    return 0;
}

/* What a line's opening markup at S[0..N) (after its indentation) costs: the
 * bytes to drop, or N for the whole line (a hyperlink target, a directive
 * whose argument is not shown, a comment: then *COMMENT is set). */
static size_t line_marker(const char *s, size_t n, int *comment)
{
    *comment = 0;
    if (n == 2 && s[0] == '.' && s[1] == '.') {
        *comment = 1;  /* an empty comment, or one whose text is below */
        return n;
    }
    if (n >= 3 && s[0] == '.' && s[1] == '.' && s[2] == ' ') {
        size_t i = 3;
        if (i < n && s[i] == '_')
            return n;  /* .. _label: */
        if (i < n && s[i] == '|') {  /* .. |name| directive:: */
            const char *bar = memchr(s + i + 1, '|', n - i - 1);
            if (!bar)
                return 0;
            i = (size_t)(bar - s) + 1;
            while (i < n && s[i] == ' ')
                i++;
        }
        size_t name = i;
        while (i < n && (name_char(s[i]) || (s[i] == ':' && i + 1 < n && s[i + 1] != ':')))
            i++;
        if (i == name || i + 1 >= n || s[i] != ':' || s[i + 1] != ':') {
            /* A footnote or citation (".. [1] text") shows; any other
             * explicit markup is a comment, which no page shows. */
            *comment = s[3] != '[';
            return *comment ? n : 0;
        }
        if (hidden_argument(s + name, i - name))
            return n;
        i += 2;
        while (i < n && s[i] == ' ')
            i++;
        return i;
    }
    if (n >= 3 && s[0] == ':' && (s[1] >= 'a' && s[1] <= 'z')) {  /* :field: */
        size_t i = 1;
        while (i < n && (name_char(s[i]) || s[i] == ' '))
            i++;
        if (i < n && s[i] == ':' && (i + 1 == n || s[i + 1] == ' ')) {
            i++;
            while (i < n && s[i] == ' ')
                i++;
            return i;
        }
    }
    return 0;
}

/* Keep the text of the interpreted text S[FROM..TO) (inside its single
 * backquotes): without a target after it, without a cross-reference's "!",
 * and after the last dot when it opens with "~". */
static int keep_interpreted(markup_text *o, const char *s, size_t base, size_t from, size_t to)
{
    if (to > from + 1 && s[to - 1] == '>') {
        for (size_t i = to - 1; i > from; i--)
            if (s[i] == '<' && s[i - 1] == ' ') {
                to = i - 1;
                while (to > from && s[to - 1] == ' ')
                    to--;
                break;
            }
    }
    if (from < to && s[from] == '!')
        from++;
    else if (from < to && s[from] == '~') {
        from++;
        for (size_t i = to; i > from; i--)
            if (s[i - 1] == '.') {
                from = i;
                break;
            }
    }
    return keep(o, s, base, from, to);
}

/* The indentation of the line at S[AT..N): its width, or SIZE_MAX when it
 * is blank; *NEXT is where the next line starts. */
static size_t line_indent(const char *s, size_t n, size_t at, size_t *next)
{
    size_t k = at;
    while (k < n && (s[k] == ' ' || s[k] == '\t'))
        k++;
    const char *eol = memchr(s + k, '\n', n - k);
    *next = eol ? (size_t)(eol - s) + 1 : n;
    int blank = k == n || s[k] == '\n' || (s[k] == '\r' && (k + 1 == n || s[k + 1] == '\n'));
    return blank ? SIZE_MAX : k - at;
}

/* Where the text of a comment whose marker is indented by INDENT ends, its
 * lines from AT on: the block indented deeper below it, blank lines within
 * it included. A marker alone (EMPTY) above a blank line is an empty
 * comment: what is indented below that is a block quote. */
static size_t comment_end(const char *s, size_t n, size_t at, size_t indent, int empty)
{
    size_t next, end = at;
    if (empty && at < n && line_indent(s, n, at, &next) == SIZE_MAX)
        return at;
    while (at < n) {
        size_t w = line_indent(s, n, at, &next);
        if (w != SIZE_MAX && w <= indent)
            break;
        if (w != SIZE_MAX)
            end = next;  /* blank lines count only when deeper text follows */
        at = next;
    }
    return end;
}

int markup_inline(const char *s, size_t n, size_t base, markup_text *o)
{
    o->text.len = 0;
    o->nmap = 0;
    size_t i = 0, kept = 0;  /* S[kept..i) is yet to be appended */
    while (i < n) {
        char c = s[i];
        if (i == 0 || s[i - 1] == '\n') {
            size_t j = i;
            while (j < n && (s[j] == ' ' || s[j] == '\t'))
                j++;
            const char *eol = memchr(s + j, '\n', n - j);
            size_t line_end = eol ? (size_t)(eol - s) : n;
            /* The line's text, without the CR of a CRLF. */
            size_t len = line_end - j - (line_end > j && s[line_end - 1] == '\r');
            int comment;
            size_t drop = line_marker(s + j, len, &comment);
            if (drop) {
                if (keep(o, s, base, kept, j) < 0)
                    return -1;
                size_t indent = j - i;
                kept = i = drop == len ? (line_end < n ? line_end + 1 : n) : j + drop;
                if (comment)
                    kept = i = comment_end(s, n, i, indent, len == 2);
                continue;
            }
        }
        if (c == ':' && (i == 0 || !name_char(s[i - 1]))) {
            size_t r = role_at(s + i, n - i);
            if (r) {
                if (keep(o, s, base, kept, i) < 0)
                    return -1;
                kept = i += r;
                continue;
            }
        }
        if (c == '`') {
            size_t open = i + 1 < n && s[i + 1] == '`' ? 2 : 1;
            size_t limit = n - i < SPAN_MAX ? n : i + SPAN_MAX, close = 0;
            for (size_t k = i + open; k + open <= limit && !close; k++) {
                if (s[k] == '\n' && k + 1 < n && s[k + 1] == '\n')
                    break;  /* never across paragraphs */
                if (s[k] == '`' && (open == 1 || s[k + 1] == '`'))
                    close = k;
            }
            if (close > i + open) {
                if (keep(o, s, base, kept, i) < 0)
                    return -1;
                int rc = open == 2 ? keep(o, s, base, i + 2, close)
                                   : keep_interpreted(o, s, base, i + 1, close);
                if (rc < 0)
                    return -1;
                i = close + open;
                if (open == 1)
                    for (int u = 0; u < 2 && i < n && s[i] == '_'; u++)
                        i++;
                kept = i;
                continue;
            }
            i += open;
            continue;
        }
        i++;
    }
    return keep(o, s, base, kept, n);
}

void markup_text_free(markup_text *o)
{
    buf_free(&o->text);
    free(o->map);
    memset(o, 0, sizeof *o);
}
