/* layout.c: the index format, read and written here only: what a passage's
 * document holds, and what the metadata holds.
 *
 * One passage is one Xapian document. SOURCE is the file as given to the
 * indexer; PAGE is the page a passage belongs to when that is not the source
 * itself (a JSON Lines record's path or url), else absent; REL is the page's
 * address for links: PAGE when there is one, else the file's address under
 * the root it was found in (the path itself when none was given).
 *
 * Terms (booleans have no position and a wdf of 0; the others have a wdf of
 * one per occurrence):
 *   Q<source>#<anchor>/<part>          the unique id (replace_document() on it
 *   Q<source>#<page>#<anchor>/<part>   is idempotent); the second form for a
 *                                      passage of a page inside the source
 *   P<source>                  boolean: the file, so that deleting this term
 *                              deletes the file's passages
 *   R<rel>                     boolean: the page's address (path: filters)
 *   K<tag>                     boolean, one per tag given by the source
 *   L<lang>                    boolean: the language given by the source
 *   XB                         boolean, on boilerplate passages only (none
 *                              when boilerplate detection is off)
 *   XD                         boolean, on folded passages only: copies of a
 *                              passage kept elsewhere (fold.c decides)
 *   XH<12 hex digits>          boolean: the print of the heading (a hash of
 *                              its stems in order), for folding; not on
 *                              boilerplate passages
 *   XE<12 hex digits>          the heading's key (layout_key): which words
 *                              it says, in any order, with a wdf of
 *                              PRESENCE_WDF; none for a heading of no
 *                              words or of over LAYOUT_KEY_WORDS
 *   XF<12 hex digits>          boolean: a sampled shingle of the heading and
 *                              body (three stems in a row), the top 48 bits
 *                              of its hash, which are 0 modulo the passage's
 *                              sample rate; not on boilerplate passages
 *   S<stem>                    stems of the section heading
 *   T<stem>                    stems of the trail (title and enclosing headings)
 *   A<stem>                    stems of the anchor's words that the heading
 *                              lacks (the "datetime" of a Sphinx entry
 *                              `datetime.timezone.tzname` headed
 *                              "timezone.tzname(dt)"; nothing for an anchor
 *                              made from the heading), Texinfo's escapes
 *                              read back (id_text(): _002c a comma); and
 *                              the words of its other places
 *                              (rubric_passage.places: index entries placed
 *                              before it), each once
 *   O<option>                  a word written as a command-line option
 *                              ("--onto", "-W": one or two dashes, no letter
 *                              or digit before them), as written, case kept,
 *                              its name's letters, digits, '_' and '-' (at
 *                              most OPTION_MAX bytes in all)
 *   D<stem>                    stems of the terms the passage's definition
 *                              lists define (rubric_passage.terms), each once;
 *   D<option>                  and each option they write, as an O term is,
 *                              once
 *   Z<stem>                    stems of the body text
 *   Y<stem>                    each stem of the S, Z, T, A and D terms once, with
 *                              a wdf of PRESENCE_WDF: the word is in the
 *                              passage, in any field (the ranked OR's
 *                              coordination share)
 *   C<word>                    the folded exact form of a word written in
 *                              capitals (two ASCII capitals or more, no
 *                              lowercase letter: an acronym), heading or body;
 *                              not for the parts of a dotted word
 *   <word>                     exact folded forms of the heading's words, then
 *                              the body's, with positions: the heading's from
 *                              0, the body's from HEADING_GAP after the
 *                              heading's last (for phrases and spelling)
 * A Q or P term (prefix included) over TERM_MAX bytes is written as the prefix,
 * "#" and 16 lowercase hex digits of the 64-bit FNV-1a hash of what would
 * follow the prefix. R, K and L values are cut at TERM_MAX bytes.
 *
 * Value slot XS_SLOT_PAGE (0): "<source>#<page>" ("<source>#" without a page),
 * which groups and collapses the passages of one page.
 * Value slot XS_SLOT_SECTION (1): "<source>#<page>#<anchor>" for a passage
 * with an anchor (none without): the parts of one section that share a link
 * (fold.c judges them together).
 * Value slot XS_SLOT_HIT (7): "<source>#<page>#<section>" for a passage of a
 * section with an anchor (none without), SECTION that anchor
 * (rubric_passage.section): the parts of one section, whichever ids they
 * link to, collapse into the best of them.
 * Value slots XS_SLOT_TOP (3), XS_SLOT_LANG (4), XS_SLOT_TAGS (5), which
 * searches count their matches by (facets): the first folder of the page's
 * address (for a URL, of its path; none for a page at the top), the language
 * the source gave, and its tags joined by XS_LIST_SEP; each absent when
 * empty.
 * Value slot XS_SLOT_ORDER (6): "<source>" XS_LIST_SEP and the passage's start
 * in the source as LAYOUT_ORDER_DIGITS digits, which orders passages of equal
 * weight alike in one index and in a set of them.
 * Value slot XS_SLOT_FOLD (2), not on boilerplate passages: the fold key, which
 * sorts the copies of a text best first: the reader's DOC_STRUCTURE_* as one
 * digit, the parts of the passage's section and the passages of its source
 * (LAYOUT_FOLD_COUNT_DIGITS digits each), then "<source>#<page>".
 *
 * Data: a JSON object, everything a result shows, so that queries never read
 * the sources. In this order:
 *   trail        array of strings: the title and enclosing headings, outermost first
 *   path         string: the page when there is one, else the source
 *   rel          string: REL
 *   anchor       string: the section's id, unique within the source ("" for none)
 *   title        string: the section's heading
 *   start, end   numbers: the passage's byte range in the source
 *   part         number: passages of the source before it with the same anchor
 *   boilerplate  boolean
 *   text         string: the passage's text, without its heading
 *   source       string, only with a page: the source file
 *   section      string, only when not the anchor: the anchor of the section
 *                the passage is a later part of (rubric_passage.section)
 *   tags         array of strings, only when the source gives tags
 *   lang         string, only when the source gives a language
 *   map          array of numbers, only for extracted text: pairs (offset in
 *                text, offset in the source) where its blocks begin; without
 *                it, text byte X is source byte start + X
 *
 * Metadata:
 *   rubric:lang            the analysis language (a libstemmer name, or "none")
 *   rubric:base_url        the URL results' links start with ("" or absent: none)
 *   rubric:updated         the time of the last commit that changed the index,
 *                          UTC, as 2024-01-31T12:00:00Z
 *   rubric:revision        the revision: in decimal, the number of commits that
 *                          changed the index, counted across rebuilds (a
 *                          rebuilt database would start Xapian's own count
 *                          again); an index without it reads as Xapian's count
 *   rubric:file:<source>   the manifest entry of a file indexed (the key is
 *                          hashed as a P term is, past TERM_MAX): a JSON object
 *                          {path, size, mtime, mtime_ns, hash, passages}: the
 *                          source, its size in bytes, its modification time in
 *                          seconds and the nanoseconds beyond, 16 lowercase hex
 *                          digits of the 64-bit FNV-1a hash of its content, and
 *                          its number of passages. An empty value is no entry.
 *   rubric:facets          "1" in an index built whole by a version that writes
 *                          the facet slots (set by a first build or a rebuild,
 *                          kept by reindexing): an older index has passages
 *                          without them, whose counts would be short
 *   rubric:presence        "1" in an index built whole by a version that
 *                          writes the Y terms (set by a first build or a
 *                          rebuild, kept by reindexing): an older index has
 *                          passages without them, whose words' presence is
 *                          matched from their field terms instead
 *   rubric:hits            "1" in an index built whole by a version that
 *                          writes XS_SLOT_HIT (set and kept as rubric:facets
 *                          is): an older index's parts collapse by their
 *                          links (XS_SLOT_SECTION) instead
 *   rubric:roots           the roots the runs that changed the index were given,
 *                          most recent first, at most LAYOUT_ROOTS_MAX: a JSON
 *                          array of [path as given, its real path], so that
 *                          the same folder under another spelling is caught
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "internal.h"
#include "store/shim.h"

/* Terms longer than this use a hash of the path: Xapian's glass backend
 * rejects terms over 245 bytes, and metadata keys share that limit. */
#define TERM_MAX 200
/* Position gap between the heading's words and the body's, wider than any
 * NEAR or phrase window, so that neither joins a heading to its text. */
#define HEADING_GAP 1000

int layout_file_term(const char *prefix, const char *path, buf *out)
{
    out->len = 0;
    if (strlen(prefix) + strlen(path) <= TERM_MAX)
        return buf_printf(out, "%s%s", prefix, path);
    return buf_printf(out, "%s#%016" PRIx64, prefix, hash64(path, strlen(path)));
}

/* ------------------------------------------------------------ documents */

typedef struct doc_ctx {
    xs_doc *doc;
    const char *text;    /* the text being analysed */
    const char *prefix;  /* S or Z */
    unsigned base;       /* position of this field's first word */
    unsigned last;       /* last position used */
    unsigned rate;       /* sample one shingle in RATE (XF terms); 0: none */
    uint64_t prev[2];    /* hashes of the two stems before this one */
    int heading;         /* the heading is being analysed */
    hashset heading_stems; /* hashes of the heading's stems */
    hashset present;     /* hashes of the stems given a presence term */
    hashset defined;     /* hashes of the stems given a term-field term */
    hashset placed;      /* hashes of the stems given an anchor term */
    int place;           /* reading the words of a place, not the anchor */
    uint64_t heading_print; /* of the heading's stems in order; 0: none */
    layout_key key;      /* of the heading (XE) */
    const char *lang;    /* the analysis language, for its function words */
    unsigned seen;       /* stems so far */
    buf term;
} doc_ctx;

/* The shingles (three stems in a row, heading then body) that are sampled:
 * those whose hash, as its term writes it, is 0 modulo the rate. The same
 * shingle is sampled in every passage that holds it, so the samples two
 * passages share estimate how much of one the other holds (fold.c). A
 * passage is sampled at one term for about every eight words, a shorter
 * one more densely (at rates that divide the coarser ones, so at a superset
 * of their samples), so that a short section and its copy still have
 * enough in common to tell. A term's last hex digit shows the coarsest rate
 * it is sampled at: which of a short passage's samples a longer passage,
 * one that holds the same text among more, holds too. */
static const struct {
    size_t below;  /* text shorter than this many bytes... */
    unsigned rate; /* ...is sampled at this rate */
} sample_rates[LAYOUT_SAMPLE_LEVELS] = {{400, 2}, {1200, 4}, {SIZE_MAX, 8}};
/* (Each rate divides the next, and 16: a hex digit shows them all.) */

static unsigned sample_rate(size_t text_len)
{
    int l = 0;
    while (text_len >= sample_rates[l].below)
        l++;
    return sample_rates[l].rate;
}

/* A 64-bit hash of the pair (A, B), order mattering. */
static uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t h = a * 0x9e3779b97f4a7c15u ^ (b + 0x7f4a7c159e3779b9u + (a << 6) + (a >> 2));
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9u;
    return h ^ (h >> 29);
}

/* Note the stem T of C; when it ends a sampled shingle, add its term
 * (boolean: XF and 12 hex digits of the shingle's hash). */
static int add_sample(doc_ctx *c, const rubric_token *t)
{
    uint64_t h = hash64(t->stem, t->stem_len);
    uint64_t s = mix(mix(c->prev[0], c->prev[1]), h);
    c->prev[0] = c->prev[1];
    c->prev[1] = h;
    if (++c->seen < 3 || (s >> 16) % c->rate != 0)
        return RUBRIC_OK;
    c->term.len = 0;
    if (buf_printf(&c->term, "%s%012" PRIx64, PREFIX_SAMPLE, s >> 16) < 0 ||
        xs_doc_add_boolean(c->doc, c->term.data, c->term.len) != XS_OK)
        return RUBRIC_ENOMEM;
    return RUBRIC_OK;
}

int layout_sample_level(const char *term, size_t len)
{
    char last = len > strlen(PREFIX_SAMPLE) ? term[len - 1] : 'x';
    unsigned digit = last >= '0' && last <= '9' ? (unsigned)(last - '0')
                     : last >= 'a' && last <= 'f' ? (unsigned)(last - 'a' + 10)
                                                  : 1;
    int l = 0;
    while (l + 1 < LAYOUT_SAMPLE_LEVELS && digit % sample_rates[l + 1].rate == 0)
        l++;
    return l;
}

void layout_key_add(layout_key *k, const char *s, size_t n)
{
    uint64_t h = hash64(s, n);
    for (size_t i = 0; i < k->n; i++)
        if (k->word[i] == h)
            return;
    if (k->n == LAYOUT_KEY_WORDS)
        k->over = 1;
    else
        k->word[k->n++] = h;
}

int layout_key_term(const layout_key *k, buf *out)
{
    if (!k->n || k->over)
        return 0;
    /* Order does not count: the hashes are added, then mixed with how
     * many they are. */
    uint64_t sum = 0;
    for (size_t i = 0; i < k->n; i++)
        sum += k->word[i];
    out->len = 0;
    return buf_printf(out, "%s%012" PRIx64, PREFIX_HEADING_KEY, mix(sum, k->n) >> 16) < 0 ? -1 : 1;
}

size_t layout_option_len(const char *s, size_t n, size_t dashes)
{
    size_t k = 0;
    while (k < n && k + dashes < OPTION_MAX &&
           (isalnum((unsigned char)s[k]) || s[k] == '_' || s[k] == '-') &&
           (unsigned char)s[k] < 0x80)
        k++;
    return k;
}

/* When token T is written as a command-line option ("--onto", "-W": one or
 * two dashes before it, and no letter or digit before them), add its O term:
 * the option as written, case kept ("-W" is not "-w"). */
static int add_option(doc_ctx *c, const rubric_token *t, int defined)
{
    size_t d = 0;
    while (d < 2 && d < t->start && c->text[t->start - d - 1] == '-')
        d++;
    if (!d)
        return RUBRIC_OK;
    size_t before = t->start - d;
    if (before > 0) {
        unsigned char ch = (unsigned char)c->text[before - 1];
        if (isalnum(ch) || ch == '-' || ch == '_' || ch >= 0x80)
            return RUBRIC_OK;  /* "re-run", "a--b": a word's hyphen */
    }
    size_t n = layout_option_len(c->text + t->start, strnlen(c->text + t->start, OPTION_MAX), d);
    if (!n)
        return RUBRIC_OK;
    c->term.len = 0;
    if (buf_adds(&c->term, defined ? PREFIX_TERM : PREFIX_OPTION) < 0 ||
        buf_add(&c->term, c->text + before, d + n) < 0)
        return RUBRIC_ENOMEM;
    /* A defined option counts once, as a defined word does. */
    uint64_t h = hash64(c->term.data, c->term.len);
    if (defined && hashset_has(&c->defined, h))
        return RUBRIC_OK;
    if ((defined && hashset_add(&c->defined, h) < 0) ||
        xs_doc_add_term(c->doc, c->term.data, c->term.len, 1) != XS_OK)
        return RUBRIC_ENOMEM;
    return RUBRIC_OK;
}

/* Is token T, the first of a heading, its outline number ("4.1", "A.2.1",
 * "3.")? Digits and dots, at most one letter. */
static int outline_number(const doc_ctx *c, const rubric_token *t)
{
    int digits = 0, letters = 0;
    for (size_t i = t->start; i < t->end; i++) {
        unsigned char ch = (unsigned char)c->text[i];
        if (ch >= '0' && ch <= '9')
            digits++;
        else if (((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') || ch >= 0x80)
            letters++;
        else if (ch != '.')
            return 0;
    }
    return digits > 0 && letters <= 1;
}

/* Add PREFIX followed by S[0..N) to the document, without a position, WDF
 * times. */
static int add_term_wdf(doc_ctx *c, const char *prefix, const char *s, size_t n, unsigned wdf)
{
    c->term.len = 0;
    if (buf_adds(&c->term, prefix) < 0 || buf_add(&c->term, s, n) < 0 ||
        xs_doc_add_term(c->doc, c->term.data, c->term.len, wdf) != XS_OK)
        return RUBRIC_ENOMEM;
    return RUBRIC_OK;
}

/* ... once. */
static int add_term(doc_ctx *c, const char *prefix, const char *s, size_t n)
{
    return add_term_wdf(c, prefix, s, n, 1);
}

/* STEM (N bytes) as a term of a field (PREFIX: S, Z, T or A), and its
 * presence term once: the word is in the passage, whatever field holds it. */
static int add_field_term(doc_ctx *c, const char *prefix, const char *stem, size_t n)
{
    int rc = add_term(c, prefix, stem, n);
    uint64_t h = hash64(stem, n);
    if (rc != RUBRIC_OK || hashset_has(&c->present, h))
        return rc;
    if (hashset_add(&c->present, h) < 0)
        return RUBRIC_ENOMEM;
    return add_term_wdf(c, PREFIX_PRESENT, stem, n, PRESENCE_WDF);
}

/* Is token T written in capitals (an acronym: "US")? Then a synonym can tell
 * it from the pronoun "us". */
static int written_in_capitals(const doc_ctx *c, const rubric_token *t)
{
    int letters = 0;
    for (size_t i = t->start; i < t->end; i++) {
        char ch = c->text[i];
        if ((ch >= 'a' && ch <= 'z') || (unsigned char)ch >= 0x80)
            return 0;
        letters += (ch >= 'A' && ch <= 'Z');
    }
    return letters >= 2 && !t->sub;
}

/* A heading or body word: its exact form at its position, its stem. */
static int add_token(void *ctx, const rubric_token *t)
{
    doc_ctx *c = ctx;
    unsigned pos = c->base + t->pos;
    c->last = pos;
    if (xs_doc_add_posting(c->doc, t->word, t->word_len, pos) != XS_OK)
        return RUBRIC_ENOMEM;
    int rc = add_field_term(c, c->prefix, t->stem, t->stem_len);
    if (rc == RUBRIC_OK && c->heading &&
        hashset_add(&c->heading_stems, hash64(t->stem, t->stem_len)) < 0)
        rc = RUBRIC_ENOMEM;
    if (c->heading && !t->sub) {
        c->heading_print = mix(c->heading_print, hash64(t->stem, t->stem_len)) | 1;
        if (!(t->pos == 0 && outline_number(c, t)) && !function_word(c->lang, t->word))
            layout_key_add(&c->key, t->stem, t->stem_len);
    }
    if (rc == RUBRIC_OK && written_in_capitals(c, t))
        rc = add_term(c, PREFIX_CAPS, t->word, t->word_len);
    if (rc == RUBRIC_OK && !t->sub)
        rc = add_option(c, t, 0);
    if (rc == RUBRIC_OK && c->rate && !t->sub)
        rc = add_sample(c, t);
    return rc;
}

/* A trail word: its stem under the trail prefix, no position. */
static int add_trail_token(void *ctx, const rubric_token *t)
{
    return add_field_term(ctx, PREFIX_TRAIL, t->stem, t->stem_len);
}

/* A word of a term the passage defines: its stem under the term prefix
 * once, however many of its terms hold it (a list of a hundred key bindings
 * defines "M-" once), no position (the body holds it with one). */
static int add_defined_token(void *ctx, const rubric_token *t)
{
    doc_ctx *c = ctx;
    int rc = t->sub ? RUBRIC_OK : add_option(c, t, 1);
    uint64_t h = hash64(t->stem, t->stem_len);
    if (rc != RUBRIC_OK || hashset_has(&c->defined, h))
        return rc;
    if (hashset_add(&c->defined, h) < 0)
        return RUBRIC_ENOMEM;
    return add_field_term(c, PREFIX_TERM, t->stem, t->stem_len);
}

static int add_strings(cJSON *o, const char *key, const char *const *v, size_t n)
{
    cJSON *a = cJSON_AddArrayToObject(o, key);
    if (!a)
        return -1;
    for (size_t i = 0; i < n; i++) {
        cJSON *str = cJSON_CreateString(v[i]);
        if (!str || !cJSON_AddItemToArray(a, str)) {
            cJSON_Delete(str);
            return -1;
        }
    }
    return 0;
}

static int add_numbers(cJSON *o, const char *key, const size_t *v, size_t n)
{
    cJSON *a = cJSON_AddArrayToObject(o, key);
    if (!a)
        return -1;
    for (size_t i = 0; i < n; i++) {
        cJSON *num = cJSON_CreateNumber((double)v[i]);
        if (!num || !cJSON_AddItemToArray(a, num)) {
            cJSON_Delete(num);
            return -1;
        }
    }
    return 0;
}

/* The data of passage P of the file at SOURCE (REL: its address for links),
 * malloc'd; NULL when out of memory. */
static char *passage_data(const char *source, const char *rel, const rubric_passage *p)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || add_strings(o, "trail", p->trail, p->ntrail) < 0 ||
        !cJSON_AddStringToObject(o, "path", p->path ? p->path : source) ||
        !cJSON_AddStringToObject(o, "rel", p->path ? p->path : rel) ||
        !cJSON_AddStringToObject(o, "anchor", p->anchor) ||
        !cJSON_AddStringToObject(o, "title", p->title) ||
        !cJSON_AddNumberToObject(o, "start", (double)p->start) ||
        !cJSON_AddNumberToObject(o, "end", (double)p->end) ||
        !cJSON_AddNumberToObject(o, "part", p->part) ||
        !cJSON_AddBoolToObject(o, "boilerplate", p->boilerplate) ||
        !cJSON_AddStringToObject(o, "text", p->text))
        goto fail;
    if (p->path && !cJSON_AddStringToObject(o, "source", source))
        goto fail;
    if (p->section && strcmp(p->section, p->anchor) != 0 &&
        !cJSON_AddStringToObject(o, "section", p->section))
        goto fail;
    if (p->ntags && add_strings(o, "tags", p->tags, p->ntags) < 0)
        goto fail;
    if (p->lang && !cJSON_AddStringToObject(o, "lang", p->lang))
        goto fail;
    if (p->nmap && add_numbers(o, "map", p->map, 2 * p->nmap) < 0)
        goto fail;
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
fail:
    cJSON_Delete(o);
    return NULL;
}

/* Add the boolean term PREFIX + VALUE (cut at TERM_MAX bytes). */
static int add_prefixed(xs_doc *doc, const char *prefix, const char *value, buf *tmp)
{
    tmp->len = 0;
    if (buf_adds(tmp, prefix) < 0 || buf_add(tmp, value, strnlen(value, TERM_MAX)) < 0)
        return -1;
    return xs_doc_add_boolean(doc, tmp->data, tmp->len) == XS_OK ? 0 : -1;
}

/* An anchor word: its stem under the anchor prefix, no position, unless the
 * heading holds it (an anchor made from the heading adds nothing) or it
 * has no letter. A word of the passage's other places (c->place) counts
 * once, and not at all when the anchor says it. */
static int add_anchor_token(void *ctx, const rubric_token *t)
{
    doc_ctx *c = ctx;
    /* A number is a repeat's suffix (intro-2) or a generator's count
     * (DocBook's id-1.2.5): no name. */
    int letter = 0;
    for (size_t i = 0; i < t->stem_len && !letter; i++) {
        unsigned char ch = (unsigned char)t->stem[i];
        letter = ch >= 0x80 || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z');
    }
    uint64_t h = hash64(t->stem, t->stem_len);
    if (!letter || hashset_has(&c->heading_stems, h) || (c->place && hashset_has(&c->placed, h)))
        return RUBRIC_OK;
    if (hashset_add(&c->placed, h) < 0)
        return RUBRIC_ENOMEM;
    return add_field_term(c, PREFIX_ANCHOR, t->stem, t->stem_len);
}

/* The text of anchor ID, malloc'd (NULL when out of memory): a character
 * an id may not hold, Texinfo writes as "_00" and its two hex digits
 * ("index-loops_002c-until" for the entry "loops, until"), read back as that
 * character, so that the words part where the entry's did. */
static char *id_text(const char *id)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(id);
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *hi = i + 4 < n && id[i] == '_' && id[i + 1] == '0' && id[i + 2] == '0'
                             ? strchr(hex, tolower((unsigned char)id[i + 3])) : NULL;
        const char *lo = hi && *hi ? strchr(hex, tolower((unsigned char)id[i + 4])) : NULL;
        unsigned cp = lo && *lo ? (unsigned)(hi - hex) * 16 + (unsigned)(lo - hex) : 0;
        if (!cp) {
            *o++ = id[i];
            continue;
        }
        if (cp < 0x80) {
            *o++ = (char)cp;
        } else {  /* two bytes of UTF-8 */
            *o++ = (char)(0xc0 | (cp >> 6));
            *o++ = (char)(0x80 | (cp & 0x3f));
        }
        i += 4;
    }
    *o = '\0';
    return out;
}

/* The words of P: heading, body, trail. */
static int add_words(rubric_analyzer *an, const rubric_passage *p, doc_ctx *c)
{
    c->prefix = PREFIX_HEAD;
    c->text = p->title;
    c->heading = 1;
    int rc = rubric_analyzer_run(an, p->title, strlen(p->title), add_token, c);
    c->heading = 0;
    /* The heading's print (XH), for telling a short section's copy: two
     * copies of a page's entry say the same words around its name in other
     * markup ("New in version 3.1" and "3.1"), and have few samples. */
    if (rc == RUBRIC_OK && c->rate && c->heading_print) {
        c->term.len = 0;
        if (buf_printf(&c->term, "%s%012" PRIx64, PREFIX_HEADING_PRINT, c->heading_print >> 16) < 0 ||
            xs_doc_add_boolean(c->doc, c->term.data, c->term.len) != XS_OK)
            rc = RUBRIC_ENOMEM;
    }
    /* The heading's key, near-saturated as the presence terms are, so that
     * it weighs alike in a passage of any length. */
    int key = rc == RUBRIC_OK ? layout_key_term(&c->key, &c->term) : 0;
    if (key < 0 || (key > 0 && xs_doc_add_term(c->doc, c->term.data, c->term.len,
                                               PRESENCE_WDF) != XS_OK))
        rc = RUBRIC_ENOMEM;
    c->prefix = PREFIX_STEM;
    c->text = p->text;
    c->base = c->last + HEADING_GAP;
    if (rc == RUBRIC_OK)
        rc = rubric_analyzer_run(an, p->text, p->text_len, add_token, c);
    for (size_t i = 0; i < p->ntrail && rc == RUBRIC_OK; i++)
        rc = rubric_analyzer_run(an, p->trail[i], strlen(p->trail[i]), add_trail_token, c);
    if (rc == RUBRIC_OK && p->terms && *p->terms) {
        c->text = p->terms;  /* add_option() reads the dashes before a word */
        rc = rubric_analyzer_run(an, p->terms, strlen(p->terms), add_defined_token, c);
        c->text = p->text;
    }
    if (rc == RUBRIC_OK && p->anchor) {
        char *a = id_text(p->anchor);
        rc = a ? rubric_analyzer_run(an, a, strlen(a), add_anchor_token, c) : RUBRIC_ENOMEM;
        free(a);
    }
    /* The other ids that place it: index entries written before its term
     * ("index-until-loops" beside the anchor "index-loops_002c-until"). */
    c->place = 1;
    for (const char *id = p->places; rc == RUBRIC_OK && id && *id;) {
        size_t n = strcspn(id, "\n");
        char *one = xstrndup(id, n), *a = one ? id_text(one) : NULL;
        if (!a)
            rc = RUBRIC_ENOMEM;
        else if (!p->anchor || strcmp(one, p->anchor) != 0)
            rc = rubric_analyzer_run(an, a, strlen(a), add_anchor_token, c);
        free(one);
        free(a);
        id += n + (id[n] == '\n');
    }
    c->place = 0;
    return rc;
}

/* The facet values of passage P of the page at address REL. */
static int add_facet_values(xs_doc *doc, const char *rel, const rubric_passage *p, buf *tmp)
{
    const char *at = strstr(rel, "://");
    if (at) {  /* a URL: its path, after the host */
        at = strchr(at + 3, '/');
        rel = at ? at + 1 : "";
    }
    while (*rel == '/')
        rel++;
    size_t top = strcspn(rel, "/?#");
    if (rel[top] == '/' && top &&
        xs_doc_add_value(doc, XS_SLOT_TOP, rel, top < TERM_MAX ? top : TERM_MAX) != XS_OK)
        return -1;
    if (p->lang && *p->lang &&
        xs_doc_add_value(doc, XS_SLOT_LANG, p->lang, strnlen(p->lang, TERM_MAX)) != XS_OK)
        return -1;
    tmp->len = 0;
    for (size_t i = 0; i < p->ntags; i++)
        if ((i && buf_addc(tmp, XS_LIST_SEP) < 0) ||
            buf_add(tmp, p->tags[i], strnlen(p->tags[i], TERM_MAX)) < 0)
            return -1;
    return tmp->len && xs_doc_add_value(doc, XS_SLOT_TAGS, tmp->data, tmp->len) != XS_OK ? -1 : 0;
}

/* The booleans and the value of P, and its id term into ID. */
static int add_filters(xs_doc *doc, const layout_source *src, const rubric_passage *p, buf *id)
{
    const char *source = src->path, *rel = src->rel, *fileterm = src->fileterm;
    const char *page = p->path ? p->path : "";
    buf key = {0};
    int rc = -1;
    if (xs_doc_add_boolean(doc, fileterm, strlen(fileterm)) != XS_OK)
        goto done;
    if (p->boilerplate &&
        xs_doc_add_boolean(doc, TERM_BOILERPLATE, strlen(TERM_BOILERPLATE)) != XS_OK)
        goto done;
    for (size_t i = 0; i < p->ntags; i++)
        if (add_prefixed(doc, PREFIX_TAG, p->tags[i], &key) < 0)
            goto done;
    if (p->lang && add_prefixed(doc, PREFIX_LANG, p->lang, &key) < 0)
        goto done;
    if (add_prefixed(doc, PREFIX_REL, p->path ? p->path : rel, &key) < 0)
        goto done;
    key.len = 0;
    if (buf_printf(&key, "%s#%s", source, page) < 0 ||
        xs_doc_add_value(doc, XS_SLOT_PAGE, key.data, key.len) != XS_OK)
        goto done;
    if (!p->boilerplate) {
        key.len = 0;
        if (buf_printf(&key, "%d%0*zu%0*zu%s#%s", src->structure, LAYOUT_FOLD_COUNT_DIGITS,
                       src->section_parts, LAYOUT_FOLD_COUNT_DIGITS, src->passages, source,
                       page) < 0 ||
            xs_doc_add_value(doc, XS_SLOT_FOLD, key.data, key.len) != XS_OK)
            goto done;
    }
    key.len = 0;
    if (buf_printf(&key, "%s%c%0*zu", source, XS_LIST_SEP, LAYOUT_ORDER_DIGITS, p->start) < 0 ||
        xs_doc_add_value(doc, XS_SLOT_ORDER, key.data, key.len) != XS_OK)
        goto done;
    key.len = 0;
    if (*p->anchor && (buf_printf(&key, "%s#%s#%s", source, page, p->anchor) < 0 ||
                       xs_doc_add_value(doc, XS_SLOT_SECTION, key.data, key.len) != XS_OK))
        goto done;
    /* A section's parts share one hit, whatever ids they link to. */
    const char *section = p->section ? p->section : p->anchor;
    key.len = 0;
    if (*section && (buf_printf(&key, "%s#%s#%s", source, page, section) < 0 ||
                     xs_doc_add_value(doc, XS_SLOT_HIT, key.data, key.len) != XS_OK))
        goto done;
    if (add_facet_values(doc, p->path ? p->path : rel, p, &key) < 0)
        goto done;
    key.len = 0;
    if (buf_printf(&key, "%s#%s%s%s/%u", source, page, p->path ? "#" : "", p->anchor,
                   p->part) < 0 ||
        layout_file_term(PREFIX_ID, key.data, id) < 0 ||
        xs_doc_add_boolean(doc, id->data, id->len) != XS_OK)
        goto done;
    rc = 0;
done:
    buf_free(&key);
    return rc;
}

int layout_passage_doc(rubric_analyzer *an, const layout_source *src, const rubric_passage *p,
                       xs_doc **out, buf *id)
{
    doc_ctx c = {.rate = p->boilerplate ? 0 : sample_rate(p->text_len),
                 .lang = rubric_analyzer_lang(an)};
    char *data = NULL;
    int rc = RUBRIC_ENOMEM;
    *out = NULL;
    id->len = 0;
    if (!(c.doc = xs_doc_new()))
        goto done;
    if (add_words(an, p, &c) != RUBRIC_OK)
        goto done;
    data = passage_data(src->path, src->rel, p);
    if (!data || xs_doc_set_data(c.doc, data, strlen(data)) != XS_OK)
        goto done;
    if (add_filters(c.doc, src, p, id) < 0)
        goto done;
    *out = c.doc;
    c.doc = NULL;
    rc = RUBRIC_OK;
done:
    xs_doc_free(c.doc);
    buf_free(&c.term);
    hashset_free(&c.heading_stems);
    hashset_free(&c.placed);
    hashset_free(&c.present);
    hashset_free(&c.defined);
    free(data);
    return rc;
}

/* --------------------------------------------------------- passage data */

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The strings of array KEY of O into *OUT (a malloc'd array, NULL-terminated,
 * pointing into O), their number into *N; non-strings are left out. */
static int strings_of(const cJSON *o, const char *key, const char ***out, size_t *n)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key), *v;
    const char **s = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof *s);
    if (!s)
        return -1;
    *n = 0;
    cJSON_ArrayForEach(v, a)
        if (cJSON_IsString(v))
            s[(*n)++] = v->valuestring;
    *out = s;
    return 0;
}

/* The pairs of the map of O, if any. */
static int map_of(const cJSON *o, size_t **out, size_t *n)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "map");
    size_t pairs = (size_t)cJSON_GetArraySize(a) / 2;
    if (!pairs)
        return 0;
    size_t *m = calloc(2 * pairs, sizeof *m);
    if (!m)
        return -1;
    for (size_t k = 0; k < 2 * pairs; k++)
        m[k] = (size_t)cJSON_GetNumberValue(cJSON_GetArrayItem(a, (int)k));
    *out = m;
    *n = pairs;
    return 0;
}

int layout_passage_decode(const char *data, size_t len, layout_passage *out)
{
    memset(out, 0, sizeof *out);
    cJSON *o = cJSON_ParseWithLength(data, len);
    if (!o)
        return json_valid(data, len) ? RUBRIC_ENOMEM : RUBRIC_ENODB;
    out->record = o;
    out->path = str_of(o, "path");
    out->rel = str_of(o, "rel");
    out->source = str_of(o, "source");
    out->anchor = str_of(o, "anchor");
    out->section = cJSON_GetObjectItemCaseSensitive(o, "section") ? str_of(o, "section")
                                                                  : out->anchor;
    out->title = str_of(o, "title");
    out->text = str_of(o, "text");
    out->text_len = strlen(out->text);
    out->lang = str_of(o, "lang");
    out->start = (size_t)num_of(o, "start");
    out->end = (size_t)num_of(o, "end");
    out->part = (unsigned)num_of(o, "part");
    out->boilerplate = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "boilerplate"));
    if (strings_of(o, "trail", &out->trail, &out->ntrail) < 0 ||
        strings_of(o, "tags", &out->tags, &out->ntags) < 0 ||
        map_of(o, &out->map, &out->nmap) < 0) {
        layout_passage_clear(out);
        return RUBRIC_ENOMEM;
    }
    return RUBRIC_OK;
}

void layout_passage_clear(layout_passage *p)
{
    cJSON_Delete(p->record);
    free(p->trail);
    free(p->tags);
    free(p->map);
    memset(p, 0, sizeof *p);
}

size_t layout_source_offset(const layout_passage *p, size_t x)
{
    size_t t0 = 0, s0 = p->start;
    for (size_t k = 0; k < p->nmap; k++) {
        if (p->map[2 * k] > x)
            break;
        t0 = p->map[2 * k];
        s0 = p->map[2 * k + 1];
    }
    return s0 + (x - t0);
}

/* ------------------------------------------------------------- manifest */

int layout_manifest_get(xs_db *db, const char *path, layout_manifest_entry *out)
{
    buf key = {0};
    char *val = NULL;
    size_t len = 0;
    int found = 0;
    if (layout_file_term(META_FILE, path, &key) == 0 &&
        xs_db_get_metadata(db, key.data, &val, &len) == XS_OK && val) {
        cJSON *o = cJSON_ParseWithLength(val, len);
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "hash");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "path");
        if (cJSON_IsString(h) && cJSON_IsString(p) && strcmp(p->valuestring, path) == 0) {
            snprintf(out->hash, sizeof out->hash, "%s", h->valuestring);
            out->size = (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "size"));
            out->mtime =
                (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "mtime"));
            out->passages =
                (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "passages"));
            out->mtime_ns =
                (long long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "mtime_ns"));
            found = 1;
        }
        cJSON_Delete(o);
    }
    free(val);
    buf_free(&key);
    return found;
}

int layout_manifest_put(xs_db *db, const char *path, const layout_manifest_entry *e)
{
    buf key = {0};
    cJSON *o = cJSON_CreateObject();
    char *s = NULL;
    int rc = RUBRIC_ENOMEM;
    if (o && cJSON_AddStringToObject(o, "path", path) &&
        cJSON_AddNumberToObject(o, "size", (double)e->size) &&
        cJSON_AddNumberToObject(o, "mtime", (double)e->mtime) &&
        cJSON_AddNumberToObject(o, "mtime_ns", (double)e->mtime_ns) &&
        cJSON_AddStringToObject(o, "hash", e->hash) &&
        cJSON_AddNumberToObject(o, "passages", (double)e->passages) &&
        (s = cJSON_PrintUnformatted(o)) && layout_file_term(META_FILE, path, &key) == 0)
        rc = xs_status(xs_db_set_metadata(db, key.data, s, strlen(s)));
    cJSON_Delete(o);
    free(s);
    buf_free(&key);
    return rc;
}

int layout_roots_get(xs_db *db, char ***pairs, size_t *n)
{
    *pairs = NULL;
    *n = 0;
    char *v = NULL;
    size_t len = 0;
    int rc = xs_status(xs_db_get_metadata(db, META_ROOTS, &v, &len));
    cJSON *a = rc == RUBRIC_OK && v ? cJSON_ParseWithLength(v, len) : NULL;
    free(v);
    size_t count = (size_t)cJSON_GetArraySize(a);
    char **out = count ? calloc(2 * count, sizeof *out) : NULL;
    if (count && !out)
        rc = RUBRIC_ENOMEM;
    const cJSON *pair;
    size_t k = 0;
    cJSON_ArrayForEach(pair, a) {
        const cJSON *p = cJSON_GetArrayItem(pair, 0), *r = cJSON_GetArrayItem(pair, 1);
        if (!out || !cJSON_IsString(p) || !cJSON_IsString(r))
            continue;  /* not what this format writes: dropped */
        if (!(out[2 * k] = xstrdup(p->valuestring)) ||
            !(out[2 * k + 1] = xstrdup(r->valuestring))) {
            rc = RUBRIC_ENOMEM;
            k++;
            break;
        }
        k++;
    }
    cJSON_Delete(a);
    if (rc != RUBRIC_OK) {
        for (size_t i = 0; out && i < 2 * k; i++)
            free(out[i]);
        free(out);
        return rc;
    }
    *pairs = out;
    *n = k;
    return RUBRIC_OK;
}

int layout_roots_put(xs_db *db, char *const *pairs, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    int ok = a != NULL;
    for (size_t i = 0; ok && i < n && i < LAYOUT_ROOTS_MAX; i++) {
        const char *two[2] = {pairs[2 * i], pairs[2 * i + 1]};
        cJSON *pair = cJSON_CreateStringArray(two, 2);
        ok = pair && cJSON_AddItemToArray(a, pair);
        if (!ok)
            cJSON_Delete(pair);
    }
    char *s = ok ? cJSON_PrintUnformatted(a) : NULL;
    int rc = s ? xs_status(xs_db_set_metadata(db, META_ROOTS, s, strlen(s))) : RUBRIC_ENOMEM;
    free(s);
    cJSON_Delete(a);
    return rc;
}

int layout_manifest_remove(xs_db *db, const char *path)
{
    buf key = {0};
    int rc = RUBRIC_ENOMEM;
    if (layout_file_term(META_FILE, path, &key) == 0)
        rc = xs_status(xs_db_set_metadata(db, key.data, "", 0));
    buf_free(&key);
    return rc;
}

typedef struct each_ctx {
    int (*fn)(void *ctx, const char *path);
    void *ctx;
    int rc;  /* what FN returned to stop the walk */
} each_ctx;

static int each_entry(void *ctx, const char *key, const char *val, size_t len)
{
    (void)key;
    each_ctx *c = ctx;
    if (len == 0)
        return 0;  /* a removed entry */
    cJSON *o = cJSON_ParseWithLength(val, len);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(o, "path");
    if (cJSON_IsString(p))
        c->rc = c->fn(c->ctx, p->valuestring);
    cJSON_Delete(o);
    return c->rc != 0;
}

int layout_manifest_each(xs_db *db, int (*fn)(void *ctx, const char *path), void *ctx)
{
    each_ctx c = {fn, ctx, 0};
    int rc = xs_status(xs_db_metadata(db, META_FILE, each_entry, &c));
    return c.rc ? c.rc : rc;
}

/* ------------------------------------------------------------- revision */

/* The revision of one database. */
static unsigned long one_revision(xs_db *db)
{
    char *v = NULL;
    size_t len = 0;
    unsigned long rev = 0;
    if (xs_db_get_metadata(db, META_REVISION, &v, &len) == XS_OK && v)
        rev = strtoul(v, NULL, 10);
    else
        rev = xs_db_revision(db);  /* an index from before the count was kept */
    free(v);
    return rev;
}

unsigned long layout_revision(xs_db *db)
{
    /* A set's: the sum of its databases', which only grows. */
    unsigned long sum = 0;
    for (size_t k = 0; k < xs_db_parts(db); k++)
        sum += one_revision(xs_db_part(db, k));
    return sum;
}

int layout_committed(xs_db *db)
{
    char *v = NULL;
    size_t len = 0;
    int yes = xs_db_get_metadata(db, META_REVISION, &v, &len) == XS_OK && v;
    free(v);
    return yes;
}

int layout_stamp(xs_db *db, unsigned long revision)
{
    char now[32], rev[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    snprintf(rev, sizeof rev, "%lu", revision);
    int rc = xs_status(xs_db_set_metadata(db, META_UPDATED, now, strlen(now)));
    if (rc == RUBRIC_OK)
        rc = xs_status(xs_db_set_metadata(db, META_REVISION, rev, strlen(rev)));
    return rc;
}
