/* analysis.c: the analysis chain: UTF-8 repair, UAX #29 words, folding, stemming. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libstemmer.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>
#include <uniwbrk.h>

#include "internal.h"

/* Analysed words are remembered in a direct-mapped cache keyed by their raw
 * bytes: running text repeats a small vocabulary, and folding plus stemming is
 * where the analysis time goes. Words longer than CACHE_WORD are not cached.
 * The cache starts small and grows (dropping what it held) once it has been
 * refilled twice over: a query's few snippets touch a few pages of it, while
 * an indexing run soon has it at full size. */
#define CACHE_MIN_SLOTS 256
#define CACHE_MAX_SLOTS 8192
#define CACHE_WORD 40

typedef struct cache_entry {
    uint8_t raw_len, word_len, stem_len, used;
    char raw[CACHE_WORD];
    char word[CACHE_WORD];
    char stem[CACHE_WORD];
} cache_entry;

struct rubric_analyzer {
    char lang[32];
    struct sb_stemmer *stemmer;  /* NULL for "none" */
    char *breaks;                /* u8_wordbreaks output, one byte per input byte */
    size_t breaks_cap;
    char *clean;                 /* input with invalid UTF-8 bytes blanked */
    size_t clean_cap;
    buf word, stem;              /* the current token's forms */
    buf scratch[2];              /* for folding and recomposing them */
    cache_entry *cache;
    size_t cache_slots;          /* a power of two */
    size_t cache_fills;          /* words stored since the cache last grew */
};

static const char *const none_lang = "none";

const char *const *rubric_languages(void)
{
    return sb_stemmer_list();
}

int rubric_analyzer_new(const char *lang, rubric_analyzer **out)
{
    *out = NULL;
    if (!lang || !*lang)
        lang = "english";
    if (strlen(lang) >= sizeof ((rubric_analyzer *)0)->lang)
        return RUBRIC_EINVAL;
    rubric_analyzer *a = calloc(1, sizeof *a);
    if (!a)
        return RUBRIC_ENOMEM;
    strcpy(a->lang, lang);
    if (strcmp(lang, none_lang) != 0) {
        /* sb_stemmer_new() also answers NULL for an unknown name: tell the two
         * apart by the list of algorithms. */
        int known = 0;
        for (const char *const *l = sb_stemmer_list(); *l; l++)
            known |= strcmp(*l, lang) == 0;
        if (!known) {
            free(a);
            return RUBRIC_EINVAL;
        }
        a->stemmer = sb_stemmer_new(lang, "UTF_8");
        if (!a->stemmer) {
            free(a);
            return RUBRIC_ENOMEM;
        }
    }
    a->cache_slots = CACHE_MIN_SLOTS;
    a->cache = calloc(a->cache_slots, sizeof *a->cache);
    if (!a->cache) {
        rubric_analyzer_free(a);
        return RUBRIC_ENOMEM;
    }
    *out = a;
    return RUBRIC_OK;
}

void rubric_analyzer_free(rubric_analyzer *a)
{
    if (!a)
        return;
    sb_stemmer_delete(a->stemmer);
    free(a->breaks);
    free(a->clean);
    buf_free(&a->word);
    buf_free(&a->stem);
    buf_free(&a->scratch[0]);
    buf_free(&a->scratch[1]);
    free(a->cache);
    free(a);
}

const char *rubric_analyzer_lang(const rubric_analyzer *a)
{
    return a->lang;
}

static int reserve(char **p, size_t *cap, size_t n)
{
    if (n <= *cap)
        return 0;
    char *q = realloc(*p, n);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

/* TEXT itself when it is valid UTF-8, else a copy in CLEAN with each invalid
 * byte replaced by a space: offsets stay those of the input, and the bytes
 * around a bad one still form words. */
static const uint8_t *repair_utf8(char **clean, size_t *cap, const char *text, size_t len)
{
    const uint8_t *s = (const uint8_t *)text;
    const uint8_t *bad = u8_check(s, len);
    if (!bad)
        return s;
    if (reserve(clean, cap, len ? len : 1) < 0)
        return NULL;
    uint8_t *c = (uint8_t *)*clean;
    memcpy(c, s, len);
    size_t i = (size_t)(bad - s);
    while (i < len) {
        ucs4_t uc;
        int n = u8_mbtoucr(&uc, c + i, len - i);
        if (n < 0) {
            c[i++] = ' ';
        } else {
            i += (size_t)n;
        }
    }
    return c;
}

static int is_word_char(ucs4_t uc)
{
    return uc_is_general_category_withtable(uc, UC_CATEGORY_MASK_L | UC_CATEGORY_MASK_N);
}

/* Walk the UAX #29 segments of TEXT holding a letter or digit, calling
 * FN(ctx, s, start, end) for each. S is the repaired text. */
typedef int (*segment_fn)(void *ctx, const uint8_t *s, size_t start, size_t end);

static int segments(char **breaks, size_t *breaks_cap, char **clean, size_t *clean_cap,
                    const char *text, size_t len, segment_fn fn, void *ctx)
{
    if (len == 0)
        return RUBRIC_OK;
    const uint8_t *s = repair_utf8(clean, clean_cap, text, len);
    if (!s || reserve(breaks, breaks_cap, len) < 0)
        return RUBRIC_ENOMEM;
    char *p = *breaks;
    u8_wordbreaks(s, len, p);
    size_t start = 0;
    while (start < len) {
        size_t end = start + 1;
        while (end < len && !p[end])
            end++;
        /* ASCII fast path, then the Unicode test. */
        int word = 0;
        for (size_t i = start; i < end && !word;) {
            if (s[i] < 0x80) {
                uint8_t ch = s[i];
                word = (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z');
                i++;
            } else {
                ucs4_t uc;
                int n = u8_mbtouc(&uc, s + i, end - i);
                word = is_word_char(uc);
                i += n > 0 ? (size_t)n : 1;
            }
        }
        if (word) {
            int rc = fn(ctx, s, start, end);
            if (rc)
                return rc;
        }
        start = end;
    }
    return RUBRIC_OK;
}

typedef struct raw_ctx {
    rubric_token_fn fn;
    void *ctx;
    unsigned pos;
} raw_ctx;

static int emit_raw(void *ctx, const uint8_t *s, size_t start, size_t end)
{
    raw_ctx *r = ctx;
    rubric_token t = {(const char *)s + start, end - start, (const char *)s + start,
                      end - start, start, end, r->pos++, 0};
    return r->fn(r->ctx, &t);
}

int rubric_segment(const char *text, size_t len, rubric_token_fn fn, void *ctx)
{
    char *breaks = NULL, *clean = NULL;
    size_t bcap = 0, ccap = 0;
    raw_ctx r = {fn, ctx, 0};
    int rc = segments(&breaks, &bcap, &clean, &ccap, text, len, emit_raw, &r);
    free(breaks);
    free(clean);
    return rc;
}

/* OUT's contents replaced by F[0..N), a result of libunistring's, which is
 * OUT's own storage when it fitted there and a new allocation otherwise. */
static int take_result(buf *out, uint8_t *f, size_t n)
{
    if (!f)
        return -1;
    if (f == (uint8_t *)out->data) {
        out->len = n;
        out->data[n] = '\0';
        return 0;
    }
    out->len = 0;
    int rc = buf_add(out, (const char *)f, n);
    free(f);
    return rc;
}

/* Case-fold S into OUT in normal form NF (NFKC for the stemmer, which expects
 * composed text; NFKD to strip accents after). The result goes straight into
 * OUT's storage, so a word allocates nothing once the buffers have grown. */
static int casefold(const uint8_t *s, size_t n, uninorm_t nf, buf *out)
{
    out->len = 0;
    if (buf_grow(out, 3 * n + 16) < 0)
        return -1;
    size_t flen = out->cap - 1;
    uint8_t *f = u8_casefold(s, n, NULL, nf, (uint8_t *)out->data, &flen);
    return take_result(out, f, flen);
}

/* Accents are stripped only from the scripts where they are accents (Latin,
 * Greek, Cyrillic); elsewhere (Devanagari vowel signs, say) a combining mark
 * tells words apart and stays. */
static const uc_script_t *latin, *greek, *cyrillic;
static pthread_once_t scripts_once = PTHREAD_ONCE_INIT;

static void find_scripts(void)
{
    latin = uc_script_byname("Latin");
    greek = uc_script_byname("Greek");
    cyrillic = uc_script_byname("Cyrillic");
}

static int strips_marks(const uc_script_t *script)
{
    pthread_once(&scripts_once, find_scripts);
    return script && (script == latin || script == greek || script == cyrillic);
}

/* Replace B's contents (in NFKD) by themselves without the accents of their
 * letters, recomposed to NFC (through SCRATCH). */
static int strip_marks(buf *b, buf *scratch)
{
    size_t w = 0;
    const uint8_t *s = (const uint8_t *)b->data;
    const uc_script_t *base = NULL;
    for (size_t i = 0; i < b->len;) {
        ucs4_t uc;
        int n = u8_mbtouc(&uc, s + i, b->len - i);
        if (n <= 0)
            n = 1;
        int mark = uc_is_general_category_withtable(uc, UC_CATEGORY_MASK_Mn);
        if (!mark)
            base = uc_script(uc);
        if (!mark || !strips_marks(base)) {
            memmove(b->data + w, b->data + i, (size_t)n);
            w += (size_t)n;
        }
        i += (size_t)n;
    }
    b->len = w;
    scratch->len = 0;
    if (buf_grow(scratch, b->len + 16) < 0)
        return -1;
    size_t clen = scratch->cap - 1;
    uint8_t *c = u8_normalize(UNINORM_NFC, (const uint8_t *)b->data, b->len,
                              (uint8_t *)scratch->data, &clen);
    if (take_result(scratch, c, clen) < 0)
        return -1;
    b->len = 0;
    return buf_add(b, scratch->data, scratch->len);
}

/* Typographic apostrophes become ASCII ones; a final possessive 's or ' goes. */
static void fold_apostrophes(buf *b)
{
    size_t w = 0;
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if (c == 0xE2 && i + 2 < b->len && (unsigned char)b->data[i + 1] == 0x80 &&
            ((unsigned char)b->data[i + 2] == 0x99 || (unsigned char)b->data[i + 2] == 0x98)) {
            b->data[w++] = '\'';
            i += 2;
        } else if (c == 0xCA && i + 1 < b->len && (unsigned char)b->data[i + 1] == 0xBC) {
            b->data[w++] = '\'';
            i += 1;
        } else {
            b->data[w++] = (char)c;
        }
    }
    b->len = w;
    if (b->len > 2 && b->data[b->len - 2] == '\'' && b->data[b->len - 1] == 's')
        b->len -= 2;
    while (b->len > 1 && b->data[b->len - 1] == '\'')
        b->len--;
    if (b->data)
        b->data[b->len] = '\0';
}

static int is_ascii(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 0x80)
            return 0;
    return 1;
}

/* Fill a->word (exact form) and a->stem for the raw word S[0..N). */
static int analyse_word(rubric_analyzer *a, const uint8_t *s, size_t n)
{
    buf *w = &a->word, *st = &a->stem;
    int ascii = is_ascii(s, n);
    if (ascii) {
        w->len = 0;
        if (buf_grow(w, n) < 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            char c = (char)s[i];
            w->data[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
        }
        w->len = n;
        w->data[n] = '\0';
    } else if (casefold(s, n, UNINORM_NFKC, w) < 0) {
        return -1;
    }
    fold_apostrophes(w);

    /* The stemmer sees the folded word with its accents (libstemmer expects
     * case-folded NFC); accents are stripped from its output and from the
     * exact form alike, so "café" and "cafe" meet. */
    st->len = 0;
    if (a->stemmer) {
        const sb_symbol *r = sb_stemmer_stem(a->stemmer, (const sb_symbol *)w->data, (int)w->len);
        if (!r)
            return -1;
        if (buf_add(st, (const char *)r, (size_t)sb_stemmer_length(a->stemmer)) < 0)
            return -1;
    } else if (buf_add(st, w->data, w->len) < 0) {
        return -1;
    }
    if (!ascii) {
        buf *tmp = &a->scratch[0], *scratch = &a->scratch[1];
        if (casefold((const uint8_t *)w->data, w->len, UNINORM_NFKD, tmp) < 0 ||
            strip_marks(tmp, scratch) < 0)
            return -1;
        w->len = 0;
        if (buf_add(w, tmp->data, tmp->len) < 0 ||
            casefold((const uint8_t *)st->data, st->len, UNINORM_NFKD, tmp) < 0 ||
            strip_marks(tmp, scratch) < 0)
            return -1;
        st->len = 0;
        if (buf_add(st, tmp->data, tmp->len) < 0)
            return -1;
    }
    return 0;
}

typedef struct run_ctx {
    rubric_analyzer *a;
    rubric_token_fn fn;
    void *ctx;
    unsigned pos;
} run_ctx;

/* Double A's cache when it has been refilled twice over; when memory is
 * short it stays as it is. */
static void cache_grow(rubric_analyzer *a)
{
    if (a->cache_slots >= CACHE_MAX_SLOTS || a->cache_fills < 2 * a->cache_slots)
        return;
    cache_entry *bigger = calloc(2 * a->cache_slots, sizeof *bigger);
    if (!bigger)
        return;
    free(a->cache);
    a->cache = bigger;
    a->cache_slots *= 2;
    a->cache_fills = 0;
}

/* Fill T's word and stem for the raw word RAW[0..N), from the cache when it
 * holds it. Returns 0, or -1 when out of memory. */
static int analyse_cached(rubric_analyzer *a, const char *raw, size_t n, rubric_token *t)
{
    cache_entry *e = NULL;
    if (n < CACHE_WORD) {
        uint64_t h = hash64(raw, n);
        e = &a->cache[h & (a->cache_slots - 1)];
        if (e->used && e->raw_len == n && memcmp(e->raw, raw, n) == 0) {
            t->word = e->word;
            t->word_len = e->word_len;
            t->stem = e->stem;
            t->stem_len = e->stem_len;
            return 0;
        }
        /* A miss may grow the cache (the last token's strings are done
         * with by now); the word then goes to its slot in the new one. */
        cache_grow(a);
        e = &a->cache[h & (a->cache_slots - 1)];
    }
    if (analyse_word(a, (const uint8_t *)raw, n) < 0)
        return -1;
    t->word = a->word.data;
    t->word_len = a->word.len;
    t->stem = a->stem.data;
    t->stem_len = a->stem.len;
    if (e && a->word.len < CACHE_WORD && a->stem.len < CACHE_WORD) {
        a->cache_fills++;
        e->used = 1;
        e->raw_len = (uint8_t)n;
        memcpy(e->raw, raw, n);
        e->word_len = (uint8_t)a->word.len;
        memcpy(e->word, a->word.data, a->word.len + 1);
        e->stem_len = (uint8_t)a->stem.len;
        memcpy(e->stem, a->stem.data, a->stem.len);
        e->stem[a->stem.len] = '\0';
    }
    return 0;
}

/* Analyse RAW[START..END) and pass it on at position POS. */
static int emit_one(run_ctx *r, const uint8_t *s, size_t start, size_t end, unsigned pos,
                    unsigned sub)
{
    rubric_token t = {0};
    if (analyse_cached(r->a, (const char *)s + start, end - start, &t) < 0)
        return RUBRIC_ENOMEM;
    if (t.word_len == 0)
        return 0;
    /* A stemmer may reduce a word to nothing (porter: "s"): the word stands. */
    if (t.stem_len == 0) {
        t.stem = t.word;
        t.stem_len = t.word_len;
    }
    t.start = start;
    t.end = end;
    t.pos = pos;
    t.sub = sub;
    return r->fn(r->ctx, &t);
}

static int has_letter(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 0x80 || ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z'))
            return 1;
    return 0;
}

/* The offset of the first '.' or ':' in S[FROM..END) (a joint of a dotted
 * or colon-joined name), or 0 when there is none. */
static size_t next_joint(const uint8_t *s, size_t from, size_t end)
{
    for (size_t i = from; i < end; i++)
        if (s[i] == '.' || s[i] == ':')
            return i;
    return 0;
}

static int is_upper(uint8_t c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_lower(uint8_t c)
{
    return c >= 'a' && c <= 'z';
}

/* The offset of the next hump of a camel-case name in S[FROM..END), FROM
 * excluded (GtkTreeModel: Tree, then Model), or 0 when there is none: an
 * ASCII capital after an ASCII lowercase letter. A run of capitals stays
 * whole (HTTPServer, GMenu): where its word begins is a guess. */
static size_t next_hump(const uint8_t *s, size_t from, size_t end)
{
    for (size_t i = from + 1; i < end; i++)
        if (is_upper(s[i]) && is_lower(s[i - 1]))
            return i;
    return 0;
}

/* Emit the humps of the camel-case name S[START..END), when it has two or
 * more, as parts of the word at POS. */
static int emit_humps(run_ctx *r, const uint8_t *s, size_t start, size_t end, unsigned pos)
{
    size_t q = next_hump(s, start, end);
    if (!q)
        return 0;
    int rc = 0;
    for (size_t p = start; p < end && rc == 0; p = q, q = next_hump(s, p, end)) {
        q = q ? q : end;
        rc = emit_one(r, s, p, q, pos, 1);
    }
    return rc;
}

static int emit_word(void *ctx, const uint8_t *s, size_t start, size_t end)
{
    run_ctx *r = ctx;
    if (end - start > RUBRIC_WORD_MAX) {
        r->pos++;  /* keep the gap, so phrases do not join across it */
        return 0;
    }
    unsigned pos = r->pos++;
    int rc = emit_one(r, s, start, end, pos, 0);
    if (rc)
        return rc;
    /* A dotted name (os.path.join, platform.mac_ver), or one joined by
     * colons (GtkSpinButton:value, c:func), is also its parts, at the same
     * position, so "join" finds it; numbers (3.14, 10:30) stay whole. So is
     * a camel-case name (GtkRevealer: Gtk, Revealer), so that "reveal" finds
     * the overview of the widget that names it so. */
    if (!next_joint(s, start, end))
        return emit_humps(r, s, start, end, pos);
    size_t lettered = 0;
    for (size_t p = start, q; p < end; p = q + 1) {
        q = next_joint(s, p, end);
        q = q ? q : end;
        lettered += has_letter(s + p, q - p);
    }
    if (lettered < 2)
        return 0;
    for (size_t p = start, q; p < end && rc == 0; p = q + 1) {
        q = next_joint(s, p, end);
        q = q ? q : end;
        if (q > p)
            rc = emit_one(r, s, p, q, pos, 1);
    }
    return rc;
}

int rubric_analyzer_run(rubric_analyzer *a, const char *text, size_t len,
                        rubric_token_fn fn, void *ctx)
{
    run_ctx r = {a, fn, ctx, 0};
    return segments(&a->breaks, &a->breaks_cap, &a->clean, &a->clean_cap, text, len,
                    emit_word, &r);
}

typedef struct slug_ctx {
    buf *out;
    buf word;
} slug_ctx;

static int slug_word(void *ctx, const rubric_token *t)
{
    slug_ctx *c = ctx;
    if (casefold((const uint8_t *)t->word, t->word_len, UNINORM_NFC, &c->word) < 0)
        goto fail;
    if (c->out->len > 0 && c->out->data[c->out->len - 1] != '-' && buf_addc(c->out, '-') < 0)
        goto fail;
    for (size_t i = 0; i < c->word.len; i++) {
        unsigned char ch = (unsigned char)c->word.data[i];
        if (ch == '\'')
            continue;
        if (ch == 0xE2 && i + 2 < c->word.len && (unsigned char)c->word.data[i + 1] == 0x80 &&
            ((unsigned char)c->word.data[i + 2] & 0xFE) == 0x98) {
            i += 2;  /* U+2018, U+2019 */
            continue;
        }
        if (ch == '.' || ch == ':' || ch == ',')
            ch = '-';  /* "3.14" inside a heading: keep the slug a plain word list */
        if (buf_addc(c->out, (char)ch) < 0)
            goto fail;
    }
    return 0;
fail:
    return RUBRIC_ENOMEM;  /* stops the segmentation, which returns it */
}

int slugify(const char *text, size_t len, buf *out)
{
    slug_ctx c = {out, {0}};
    size_t before = out->len;
    int rc = rubric_segment(text, len, slug_word, &c);
    buf_free(&c.word);
    if (rc == RUBRIC_OK && out->len == before)
        rc = buf_adds(out, "section");
    return rc < 0 ? -1 : 0;
}
