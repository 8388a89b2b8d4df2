/* test_analysis.c: the analysis chain against tables, Unicode's WordBreakTest and Snowball's vocabularies.
 *
 * Four groups:
 *   1. tables in the style of Xapian's api_termgen.cc: {input, "word[pos] ..."}
 *      for the exact (folded) form and for the stem, plus offsets, languages,
 *      invalid UTF-8 and the callback contract;
 *   2. rubric_segment() against every line of WordBreakTest.txt (Debian
 *      package unicode-data), keeping the segments that hold a letter or a
 *      number by general category (libunistring, no hand-written tables);
 *   3. libstemmer and rubric_analyzer against Snowball's voc.txt -> output.txt
 *      (Debian package snowball-data), for each language rubric offers;
 *   4. the analysis loop allocating nothing per token once warm.
 * Data files that are missing make their test print SKIP and pass.
 *
 * Build: gcc -std=c11 -Iinclude tests/test_analysis.c build/librubric.a \
 *        -lxapian -lstemmer -lunistring -lcjson -lstdc++ -lm
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libstemmer.h>
#include <unictype.h>

#include "rubric.h"
#include "harness.h"

#define WORDBREAK_TEST "/usr/share/unicode/auxiliary/WordBreakTest.txt"
#define SNOWBALL_DATA "/usr/share/snowball/data"
/* Failures printed per group: enough to diagnose, short enough to read. */
#define MAX_SHOWN 8

/* ------------------------------------------------------------ a growable buffer */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            fprintf(stderr, "test_analysis: out of memory\n");
            exit(2);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void buf_adds(buf *b, const char *s) { buf_add(b, s, strlen(s)); }

static const char *buf_str(buf *b)
{
    if (!b->p)
        buf_add(b, "", 0);
    return b->p;
}

/* Printable form of bytes: ASCII as is, the rest as \xNN. */
static void buf_add_escaped(buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f) {
            buf_add(b, s + i, 1);
        } else {
            char hex[8];
            snprintf(hex, sizeof hex, "\\x%02x", c);
            buf_adds(b, hex);
        }
    }
}

/* --------------------------------------------------------- collecting tokens */

/* What a run reported: "word[pos] word[pos] ..." plus contract checks on
 * every token (offsets in range, positions strictly increasing: a dropped
 * over-long word may leave a gap). */
typedef struct collect {
    buf out;
    int use_stem;
    size_t text_len;
    unsigned ntok, last_pos;
    int bad_offsets, bad_pos, bad_len;
} collect;

static int collect_token(void *ctx, const rubric_token *tok)
{
    collect *c = ctx;
    char pos[32];

    if (tok->start > tok->end || tok->end > c->text_len)
        c->bad_offsets = 1;
    /* Positions rise; the parts of a dotted name share the name's position. */
    if (c->ntok > 0 && (tok->sub ? tok->pos != c->last_pos : tok->pos <= c->last_pos))
        c->bad_pos = 1;
    c->last_pos = tok->pos;
    if (!tok->word || tok->word_len == 0 || !tok->stem || tok->stem_len == 0)
        c->bad_len = 1;
    if (c->out.len)
        buf_adds(&c->out, " ");
    if (c->use_stem) {
        if (tok->stem)
            buf_add(&c->out, tok->stem, tok->stem_len);
    } else {
        if (tok->word)
            buf_add(&c->out, tok->word, tok->word_len);
    }
    snprintf(pos, sizeof pos, "[%u]", tok->pos);
    buf_adds(&c->out, pos);
    c->ntok++;
    return 0;
}

/* Analyse TEXT and return "word[pos] ..." (caller frees), or NULL when the
 * run failed or broke the token contract (reported through CHECK). */
static char *analyze(rubric_analyzer *a, const char *text, size_t len, int use_stem)
{
    collect c = {0};
    c.use_stem = use_stem;
    c.text_len = len;
    int rc = rubric_analyzer_run(a, text, len, collect_token, &c);
    CHECK(rc == RUBRIC_OK);
    CHECK(!c.bad_offsets);
    CHECK(!c.bad_pos);
    CHECK(!c.bad_len);
    buf_str(&c.out);
    return c.out.p;
}

static rubric_analyzer *new_analyzer(const char *lang)
{
    rubric_analyzer *a = NULL;
    int rc = rubric_analyzer_new(lang, &a);
    if (rc != RUBRIC_OK || !a) {
        fprintf(stderr, "  cannot create analyzer '%s': %s\n", lang, rubric_strerror(rc));
        return NULL;
    }
    return a;
}

typedef struct row {
    const char *in;
    const char *want;
} row;

/* Run a table; prints each failing row with its input escaped. */
static void check_table(const char *lang, const row *rows, size_t n, int use_stem)
{
    rubric_analyzer *a = new_analyzer(lang);
    CHECK(a != NULL);
    if (!a)
        return;
    for (size_t i = 0; i < n; i++) {
        char *got = analyze(a, rows[i].in, strlen(rows[i].in), use_stem);
        if (!got || strcmp(got, rows[i].want) != 0) {
            buf in = {0};
            buf_add_escaped(&in, rows[i].in, strlen(rows[i].in));
            fprintf(stderr, "  row %zu: input \"%s\"\n", i, buf_str(&in));
            free(in.p);
        }
        CHECK_STR(got, rows[i].want);
        free(got);
    }
    rubric_analyzer_free(a);
}

/* ------------------------------------------------------------ 1. token tables */

/* The exact form: case- and accent-folded, possessive dropped, UAX #29 words. */
static const row english_words[] = {
    {"", ""},
    {"   \t\n ", ""},
    {"hello", "hello[0]"},
    {"hello world", "hello[0] world[1]"},
    {"Hello WORLD", "hello[0] world[1]"},
    {"  leading and trailing  ", "leading[0] and[1] trailing[2]"},
    {"hello, world! (again)", "hello[0] world[1] again[2]"},
    {"tab\tnew\nline\r\nend", "tab[0] new[1] line[2] end[3]"},
    /* accents: precomposed (NFC) and decomposed (NFD) fold alike */
    {"Café Zürich naïve", "cafe[0] zurich[1] naive[2]"},
    {"Cafe\xcc\x81", "cafe[0]"},
    {"ÉCOLE", "ecole[0]"},
    /* full case folding and compatibility forms */
    {"Straße", "strasse[0]"},
    {"ﬁnance", "finance[0]"},
    /* possessives: ASCII apostrophe and U+2019 */
    {"Russia's", "russia[0]"},
    {"Iran’s", "iran[0]"},
    {"Russia's Balancing Act: Supporting Iran Or Israel?",
     "russia[0] balancing[1] act[2] supporting[3] iran[4] or[5] israel[6]"},
    {"Russia built Iran's first nuclear power plant",
     "russia[0] built[1] iran[2] first[3] nuclear[4] power[5] plant[6]"},
    /* contractions stay one token */
    {"don't", "don't[0]"},
    {"I don't know", "i[0] don't[1] know[2]"},
    {"don’t", "don't[0]"},
    {"the students' books", "the[0] students[1] books[2]"},
    /* numbers: UAX #29 keeps decimal and grouping separators inside */
    {"3.14", "3.14[0]"},
    {"1,000", "1,000[0]"},
    {"pi is 3.14 and 1,000 is big", "pi[0] is[1] 3.14[2] and[3] 1,000[4] is[5] big[6]"},
    {"2024", "2024[0]"},
    /* hyphens split */
    {"Iran-Israel", "iran[0] israel[1]"},
    {"state-of-the-art", "state[0] of[1] the[2] art[3]"},
    /* URLs and e-mail addresses: split per UAX #29 ('.' joins letters) */
    {"https://example.com/path", "https[0] example.com[1] example[1] com[1] path[2]"},
    {"user@example.org", "user[0] example.org[1] example[1] org[1]"},
    {"os.path.join(a, b)", "os.path.join[0] os[0] path[0] join[0] a[1] b[2]"},
    {"platform.mac_ver() in 3.14", "platform.mac_ver[0] platform[0] mac_ver[0] in[1] 3.14[2]"},
    /* a name joined by single colons is its parts too (between digits a
     * colon joins nothing) */
    {"GtkSpinButton:value at 10:30", "gtkspinbutton:value[0] gtkspinbutton[0] value[0] at[1] 10[2] 30[3]"},
    {"GtkWidget::focus-in-event", "gtkwidget[0] gtk[0] widget[0] focus[1] in[2] event[3]"},
    /* a camel-case name is its humps too; a run of capitals stays whole,
     * and so does a word in one case or capitalised */
    {"GtkTreeModel", "gtktreemodel[0] gtk[0] tree[0] model[0]"},
    {"the pdbCommandLoop runs", "the[0] pdbcommandloop[1] pdb[1] command[1] loop[1] runs[2]"},
    {"HTTPServer GMenu Paris README", "httpserver[0] gmenu[1] paris[2] readme[3]"},
    {"toUTF8String", "toutf8string[0] to[0] utf8string[0]"},
    /* CJK ideographs: one token each */
    {"日本語", "日[0] 本[1] 語[2]"},
    {"中文 text", "中[0] 文[1] text[2]"},
    /* invalid UTF-8 never stops the run */
    {"abc\xff\xfe" "def", "abc[0] def[1]"},
    {"abc\xe2\x82", "abc[0]"},
    {"abc\xe2\x82 def", "abc[0] def[1]"},
    {"abc\xc3", "abc[0]"},
    {"\xc3", ""},
    {"\x80\x80" "abc", "abc[0]"},
    {"\xf0\x9f\x98", ""},
    {"abc \xed\xa0\x80 def", "abc[0] def[1]"},    /* UTF-16 surrogate */
    {"abc \xc0\xaf def", "abc[0] def[1]"},        /* overlong '/' */
    {"abc \xf8\x88\x80\x80\x80 def", "abc[0] def[1]"}, /* 5-byte form */
};

/* The stem of the exact form (English Snowball), accent-folded. */
static const row english_stems[] = {
    {"", ""},
    {"mediation mediator mediate", "mediat[0] mediat[1] mediat[2]"},
    {"running", "run[0]"},
    {"Running RUNS", "run[0] run[1]"},
    {"connection connected connecting", "connect[0] connect[1] connect[2]"},
    {"Russia's", "russia[0]"},
    {"Iran’s nuclear cooperation", "iran[0] nuclear[1] cooper[2]"},
    {"don't", "don't[0]"},
    {"Café", "cafe[0]"},
    {"3.14 1,000", "3.14[0] 1,000[1]"},
    {"Balancing", "balanc[0]"},
};

static void tokenizer_folds_case_accents_and_possessives(void)
{
    check_table("english", english_words, sizeof english_words / sizeof *english_words, 0);
}

static void stemmer_reduces_english_words_to_snowball_stems(void)
{
    check_table("english", english_stems, sizeof english_stems / sizeof *english_stems, 1);
}

/* One token's stem (caller frees), or NULL when the run gave not exactly one. */
static char *stem_of(rubric_analyzer *a, const char *word)
{
    collect c = {0};
    c.use_stem = 1;
    c.text_len = strlen(word);
    CHECK(rubric_analyzer_run(a, word, strlen(word), collect_token, &c) == RUBRIC_OK);
    if (c.ntok != 1) {
        free(c.out.p);
        return NULL;
    }
    /* drop the "[0]" */
    c.out.p[c.out.len - 3] = '\0';
    return c.out.p;
}

static void stemmer_gives_mediation_mediator_mediate_one_stem(void)
{
    rubric_analyzer *a = new_analyzer("english");
    CHECK(a != NULL);
    if (!a)
        return;
    char *s1 = stem_of(a, "mediation"), *s2 = stem_of(a, "mediator"),
         *s3 = stem_of(a, "mediate");
    CHECK(s1 && s2 && s3);
    if (s1 && s2 && s3) {
        CHECK_STR(s2, s1);
        CHECK_STR(s3, s1);
    }
    free(s1);
    free(s2);
    free(s3);
    rubric_analyzer_free(a);
}

/* Tokens with their original bytes, through the offsets. */
typedef struct spans {
    buf out; /* "orig|orig|..." */
    const char *text;
    size_t len;
    int bad;
} spans;

static int collect_span(void *ctx, const rubric_token *tok)
{
    spans *s = ctx;
    if (tok->start > tok->end || tok->end > s->len) {
        s->bad = 1;
        return 0;
    }
    if (s->out.len)
        buf_adds(&s->out, "|");
    buf_add(&s->out, s->text + tok->start, tok->end - tok->start);
    return 0;
}

static void tokenizer_offsets_point_at_original_bytes(void)
{
    rubric_analyzer *a = new_analyzer("english");
    CHECK(a != NULL);
    if (!a)
        return;
    static const row cases[] = {
        {"Hello, Café Zürich!", "Hello|Café|Zürich"},
        {"  ÉCOLE  naïve\t", "ÉCOLE|naïve"},
        {"日本 pi=3.14", "日|本|pi|3.14"},
        {"Cafe\xcc\x81 ok", "Cafe\xcc\x81|ok"},
        {"abc\xff\xfe" "def", "abc|def"},
        {"Iran-Israel", "Iran|Israel"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        spans s = {0};
        s.text = cases[i].in;
        s.len = strlen(cases[i].in);
        CHECK(rubric_analyzer_run(a, s.text, s.len, collect_span, &s) == RUBRIC_OK);
        CHECK(!s.bad);
        CHECK_STR(buf_str(&s.out), cases[i].want);
        free(s.out.p);
    }

    /* A possessive token covers "Russia's" (or, at least, "Russia"): the
     * word drops the "'s", the range must still start on the 'R'. */
    spans s = {0};
    s.text = "see Russia's ties";
    s.len = strlen(s.text);
    CHECK(rubric_analyzer_run(a, s.text, s.len, collect_span, &s) == RUBRIC_OK);
    const char *got = buf_str(&s.out);
    if (strcmp(got, "see|Russia's|ties") != 0)
        CHECK_STR(got, "see|Russia|ties");
    free(s.out.p);
    rubric_analyzer_free(a);
}

static void tokenizer_reads_text_without_nul_terminator(void)
{
    rubric_analyzer *a = new_analyzer("english");
    CHECK(a != NULL);
    if (!a)
        return;
    /* only the first 11 bytes count: "hello world" out of a longer buffer */
    const char text[] = "hello worldwide web";
    char *got = analyze(a, text, 11, 0);
    CHECK_STR(got, "hello[0] world[1]");
    free(got);
    /* a buffer cut in the middle of a multibyte character */
    const char cafe[] = "caf\xc3\xa9s";
    got = analyze(a, cafe, 4, 0); /* "caf" + the first byte of é */
    CHECK_STR(got, "caf[0]");
    free(got);
    rubric_analyzer_free(a);
}

static int stop_after_first(void *ctx, const rubric_token *tok)
{
    (void)tok;
    (*(int *)ctx)++;
    return 7;
}

static void analyzer_run_stops_when_callback_returns_nonzero(void)
{
    rubric_analyzer *a = new_analyzer("english");
    CHECK(a != NULL);
    if (!a)
        return;
    int calls = 0;
    const char *text = "one two three";
    CHECK(rubric_analyzer_run(a, text, strlen(text), stop_after_first, &calls) == 7);
    CHECK(calls == 1);
    calls = 0;
    CHECK(rubric_segment(text, strlen(text), stop_after_first, &calls) == 7);
    CHECK(calls == 1);
    rubric_analyzer_free(a);
}

/* Pseudo-random bytes (xorshift, fixed seed) must never crash the analyzer. */
static void tokenizer_survives_random_bytes(void)
{
    rubric_analyzer *a = new_analyzer("english");
    CHECK(a != NULL);
    if (!a)
        return;
    size_t len = 1 << 20;
    char *text = malloc(len);
    CHECK(text != NULL);
    if (!text) {
        rubric_analyzer_free(a);
        return;
    }
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        /* mostly ASCII letters and spaces, with high bytes mixed in */
        unsigned r = x % 100;
        text[i] = r < 60   ? (char)('a' + x / 100 % 26)
                  : r < 75 ? ' '
                           : (char)(0x80 + x / 100 % 128);
    }
    collect c = {0};
    c.text_len = len;
    CHECK(rubric_analyzer_run(a, text, len, collect_token, &c) == RUBRIC_OK);
    CHECK(c.ntok > 0);
    CHECK(!c.bad_offsets);
    CHECK(!c.bad_pos);
    CHECK(!c.bad_len);
    free(c.out.p);

    spans s = {0};
    s.text = text;
    s.len = len;
    CHECK(rubric_segment(text, len, collect_span, &s) == RUBRIC_OK);
    CHECK(!s.bad);
    free(s.out.p);
    free(text);
    rubric_analyzer_free(a);
}

/* rubric_segment: raw bytes of each segment holding a letter or digit. */
static int collect_segment(void *ctx, const rubric_token *tok)
{
    collect *c = ctx;
    if (tok->start > tok->end || tok->end > c->text_len)
        c->bad_offsets = 1;
    if (tok->word_len != tok->stem_len || tok->word_len != tok->end - tok->start)
        c->bad_len = 1;
    if (c->out.len)
        buf_adds(&c->out, "|");
    buf_add(&c->out, tok->word, tok->word_len);
    c->ntok++;
    return 0;
}

static void segmenter_reports_raw_bytes_of_word_segments(void)
{
    static const row cases[] = {
        {"", ""},
        {"Hello, WORLD!", "Hello|WORLD"},
        {"Café Zürich", "Café|Zürich"},
        {"Russia's Iran’s", "Russia's|Iran’s"},
        {"3.14 1,000", "3.14|1,000"},
        {"Iran-Israel", "Iran|Israel"},
        {"日本語", "日|本|語"},
        {"... --- !!!", ""},
        {"abc\xff\xfe" "def", "abc|def"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        collect c = {0};
        c.text_len = strlen(cases[i].in);
        CHECK(rubric_segment(cases[i].in, c.text_len, collect_segment, &c) == RUBRIC_OK);
        CHECK(!c.bad_offsets);
        CHECK(!c.bad_len);
        CHECK_STR(buf_str(&c.out), cases[i].want);
        free(c.out.p);
    }
}

static void analyzer_rejects_unknown_language(void)
{
    rubric_analyzer *a = (rubric_analyzer *)&a; /* must be set to NULL */
    CHECK(rubric_analyzer_new("klingon", &a) == RUBRIC_EINVAL);
    CHECK(a == NULL);
    rubric_analyzer_free(NULL); /* a no-op */
}

static void analyzer_accepts_every_listed_language(void)
{
    const char *const *langs = rubric_languages();
    CHECK(langs != NULL);
    if (!langs)
        return;
    size_t n = 0;
    int has_english = 0;
    for (; langs[n]; n++) {
        rubric_analyzer *a = NULL;
        int rc = rubric_analyzer_new(langs[n], &a);
        if (rc != RUBRIC_OK)
            fprintf(stderr, "  language '%s': %s\n", langs[n], rubric_strerror(rc));
        CHECK(rc == RUBRIC_OK && a != NULL);
        if (!a)
            continue;
        CHECK_STR(rubric_analyzer_lang(a), langs[n]);
        char *got = analyze(a, "Running 42", 10, 0);
        CHECK_STR(got, "running[0] 42[1]");
        free(got);
        rubric_analyzer_free(a);
        if (strcmp(langs[n], "english") == 0)
            has_english = 1;
    }
    printf("     %zu languages\n", n);
    CHECK(n > 0);
    CHECK(has_english);
}

static void analyzer_none_does_not_stem(void)
{
    rubric_analyzer *a = new_analyzer("none");
    CHECK(a != NULL);
    if (!a)
        return;
    CHECK_STR(rubric_analyzer_lang(a), "none");
    const char *text = "Running mediation Café";
    char *got = analyze(a, text, strlen(text), 1);
    CHECK_STR(got, "running[0] mediation[1] cafe[2]");
    free(got);
    rubric_analyzer_free(a);
}

/* ---------------------------------------------------- 2. Unicode WordBreakTest */

static size_t utf8_put(char *out, uint32_t c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | c >> 18);
    out[1] = (char)(0x80 | (c >> 12 & 0x3f));
    out[2] = (char)(0x80 | (c >> 6 & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

/* "Holding a letter or digit", by general category L* or N*. (Not
 * uc_is_alpha: Alphabetic also covers the regional indicators, So, so
 * a lone flag letter U+1F1E6 would count as a word.) */
static int is_letter_or_number(uint32_t c)
{
    return uc_is_general_category(c, UC_CATEGORY_L) ||
           uc_is_general_category(c, UC_CATEGORY_N);
}

#define WB_MAX 256 /* code points per test line; the file's longest has < 30 */

typedef struct seg {
    size_t start, end;
} seg;

typedef struct seglist {
    seg s[WB_MAX];
    size_t n;
    size_t text_len;
    int bad;
} seglist;

static int collect_wb(void *ctx, const rubric_token *tok)
{
    seglist *l = ctx;
    if (l->n == WB_MAX || tok->start > tok->end || tok->end > l->text_len ||
        tok->word_len != tok->end - tok->start) {
        l->bad = 1;
        return 0;
    }
    l->s[l->n].start = tok->start;
    l->s[l->n].end = tok->end;
    l->n++;
    return 0;
}

/* Code points of TEXT[a, b) as "0041 0308". */
static void add_hex(buf *b, const uint32_t *cps, const size_t *offs, size_t ncp, size_t a,
                    size_t e)
{
    buf_adds(b, "[");
    int first = 1;
    for (size_t i = 0; i < ncp; i++) {
        if (offs[i] >= a && offs[i] < e) {
            char hex[16];
            snprintf(hex, sizeof hex, "%s%04X", first ? "" : " ", (unsigned)cps[i]);
            buf_adds(b, hex);
            first = 0;
        }
    }
    buf_adds(b, "]");
}

static void segmenter_passes_unicode_word_break_test(void)
{
    FILE *f = fopen(WORDBREAK_TEST, "r");
    if (!f) {
        printf("SKIP WordBreakTest: cannot open %s (install unicode-data)\n", WORDBREAK_TEST);
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned lineno = 0, total = 0, passed = 0, shown = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        lineno++;
        char *hash = strchr(line, '#');
        const char *comment = hash ? hash + 1 : "";
        if (hash)
            *hash = '\0';

        uint32_t cps[WB_MAX];
        size_t offs[WB_MAX + 1];
        char text[WB_MAX * 4];
        size_t ncp = 0, len = 0;
        size_t breaks[WB_MAX + 1]; /* byte offsets where ÷ stands */
        size_t nbreaks = 0;
        int malformed = 0;
        for (char *save = NULL, *t = strtok_r(line, " \t\r\n", &save); t;
             t = strtok_r(NULL, " \t\r\n", &save)) {
            if (strcmp(t, "\xc3\xb7") == 0) { /* ÷ */
                if (nbreaks <= WB_MAX)
                    breaks[nbreaks++] = len;
            } else if (strcmp(t, "\xc3\x97") == 0) { /* × */
            } else {
                char *end;
                unsigned long c = strtoul(t, &end, 16);
                if (*end || c > 0x10ffff || ncp == WB_MAX) {
                    malformed = 1;
                    break;
                }
                cps[ncp] = (uint32_t)c;
                offs[ncp] = len;
                len += utf8_put(text + len, (uint32_t)c);
                ncp++;
            }
        }
        if (ncp == 0 && !malformed)
            continue; /* comment or blank line */
        total++;
        offs[ncp] = len;

        /* expected: the ÷-delimited segments holding a letter or number */
        seglist want = {0};
        for (size_t b = 0; !malformed && b + 1 < nbreaks; b++) {
            size_t a = breaks[b], e = breaks[b + 1];
            int word = 0;
            for (size_t i = 0; i < ncp; i++)
                if (offs[i] >= a && offs[i] < e && is_letter_or_number(cps[i]))
                    word = 1;
            if (word && a < e) {
                want.s[want.n].start = a;
                want.s[want.n].end = e;
                want.n++;
            }
        }

        seglist got = {0};
        got.text_len = len;
        int rc = malformed ? RUBRIC_OK : rubric_segment(text, len, collect_wb, &got);
        int ok = !malformed && rc == RUBRIC_OK && !got.bad && got.n == want.n;
        for (size_t i = 0; ok && i < want.n; i++)
            ok = got.s[i].start == want.s[i].start && got.s[i].end == want.s[i].end;
        if (ok) {
            passed++;
            continue;
        }
        if (shown++ < MAX_SHOWN) {
            buf d = {0};
            if (malformed) {
                buf_adds(&d, "cannot parse the line");
            } else {
                buf_adds(&d, "want");
                for (size_t i = 0; i < want.n; i++)
                    add_hex(&d, cps, offs, ncp, want.s[i].start, want.s[i].end);
                if (want.n == 0)
                    buf_adds(&d, " (none)");
                buf_adds(&d, " got");
                for (size_t i = 0; i < got.n; i++)
                    add_hex(&d, cps, offs, ncp, got.s[i].start, got.s[i].end);
                if (got.n == 0)
                    buf_adds(&d, " (none)");
                if (rc != RUBRIC_OK || got.bad)
                    buf_adds(&d, " (bad return or token fields)");
            }
            size_t clen = strcspn(comment, "\r\n");
            fprintf(stderr, "  WordBreakTest line %u: %s\n    #%.*s\n", lineno, buf_str(&d),
                    (int)clen, comment);
            free(d.p);
        }
    }
    free(line);
    fclose(f);
    printf("     WordBreakTest: %u/%u lines\n", passed, total);
    CHECK(total > 0);
    CHECK(passed == total);
}

/* -------------------------------------------------- 3. Snowball vocabularies */

/* Open DIR/NAME, or DIR/NAME.gz through gzip; *piped says how to close it. */
static FILE *open_data(const char *dir, const char *name, int *piped)
{
    char path[512];
    struct stat st;
    *piped = 0;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (stat(path, &st) == 0)
        return fopen(path, "r");
    snprintf(path, sizeof path, "%s/%s.gz", dir, name);
    if (stat(path, &st) != 0 || strchr(path, '\''))
        return NULL;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "gzip -dc '%s'", path);
    *piped = 1;
    return popen(cmd, "r");
}

static void close_data(FILE *f, int piped)
{
    if (!f)
        return;
    if (piped)
        pclose(f);
    else
        fclose(f);
}

static size_t chomp(char *s, ssize_t n)
{
    size_t len = n > 0 ? (size_t)n : 0;
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
        s[--len] = '\0';
    return len;
}

static int all_lower_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return 0;
    return n > 0;
}

static int all_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

/* The stem rubric gives one word, when it gives exactly one token. */
typedef struct one_stem {
    buf stem;
    unsigned ntok;
} one_stem;

static int collect_one_stem(void *ctx, const rubric_token *tok)
{
    one_stem *o = ctx;
    if (o->ntok++ == 0) {
        o->stem.len = 0;
        buf_add(&o->stem, tok->stem, tok->stem_len);
    }
    return 0;
}

/* Per-language counts, computed once and shared by the two snowball tests. */
typedef struct snowball_counts {
    int scanned, languages, missing_data;
    unsigned long sb_total, sb_passed;       /* libstemmer on all of voc.txt */
    unsigned long rb_total, rb_passed;       /* rubric on ASCII lowercase words */
    unsigned long rb_not_one, rb_skipped;    /* not one token; not ASCII */
    int sb_fail_langs, rb_fail_langs, errors;
} snowball_counts;

static snowball_counts snowball;

static void scan_language(const char *lang)
{
    char dir[300];
    snprintf(dir, sizeof dir, "%s/%s", SNOWBALL_DATA, lang);
    int pv, po;
    FILE *voc = open_data(dir, "voc.txt", &pv);
    FILE *out = open_data(dir, "output.txt", &po);
    if (!voc || !out) {
        close_data(voc, pv);
        close_data(out, po);
        snowball.missing_data++;
        printf("     snowball %s: no data in %s\n", lang, dir);
        return;
    }
    struct sb_stemmer *st = sb_stemmer_new(lang, "UTF_8");
    rubric_analyzer *a = NULL;
    int rc = rubric_analyzer_new(lang, &a);
    if (!st || rc != RUBRIC_OK) {
        fprintf(stderr, "  snowball %s: cannot create %s\n", lang,
                !st ? "sb_stemmer" : "rubric_analyzer");
        snowball.errors++;
        sb_stemmer_delete(st);
        rubric_analyzer_free(a);
        close_data(voc, pv);
        close_data(out, po);
        return;
    }
    snowball.languages++;

    char *w = NULL, *e = NULL;
    size_t wcap = 0, ecap = 0;
    ssize_t wn, en;
    unsigned long sb_t = 0, sb_p = 0, rb_t = 0, rb_p = 0, rb_not_one = 0, rb_skip = 0;
    int sb_shown = 0, rb_shown = 0;
    one_stem o = {0};
    while ((wn = getline(&w, &wcap, voc)) > 0) {
        if ((en = getline(&e, &ecap, out)) <= 0) {
            fprintf(stderr, "  snowball %s: output.txt is shorter than voc.txt\n", lang);
            snowball.errors++;
            break;
        }
        size_t wl = chomp(w, wn), el = chomp(e, en);
        if (wl == 0)
            continue;

        /* libstemmer itself */
        sb_t++;
        const sb_symbol *s = sb_stemmer_stem(st, (const sb_symbol *)w, (int)wl);
        size_t sl = s ? (size_t)sb_stemmer_length(st) : 0;
        if (s && sl == el && memcmp(s, e, el) == 0) {
            sb_p++;
        } else if (sb_shown++ < 3) {
            fprintf(stderr, "  snowball %s: libstemmer '%s' -> '%.*s', want '%s'\n", lang,
                    w, (int)sl, s ? (const char *)s : "", e);
        }

        /* rubric, for plain ASCII lowercase words with an ASCII stem */
        if (!all_lower_ascii(w, wl) || !all_ascii(e, el)) {
            rb_skip++;
            continue;
        }
        o.ntok = 0;
        if (rubric_analyzer_run(a, w, wl, collect_one_stem, &o) != RUBRIC_OK ||
            o.ntok != 1) {
            rb_not_one++;
            if (rb_not_one <= 3)
                fprintf(stderr, "  snowball %s: rubric gives %u tokens for '%s' (stem '%s')\n",
                        lang, o.ntok, w, e);
            continue;
        }
        rb_t++;
        /* Where Snowball reduces a word to nothing, rubric keeps the word
         * itself as its stem, so that the word stays searchable. */
        const char *want = el ? e : w;
        size_t wantl = el ? el : wl;
        if (o.stem.len == wantl && memcmp(o.stem.p, want, wantl) == 0) {
            rb_p++;
        } else if (rb_shown++ < 3) {
            fprintf(stderr, "  snowball %s: rubric '%s' -> '%s', want '%s'\n", lang, w,
                    buf_str(&o.stem), e);
        }
    }
    free(o.stem.p);
    free(w);
    free(e);
    sb_stemmer_delete(st);
    rubric_analyzer_free(a);
    close_data(voc, pv);
    close_data(out, po);

    printf("     snowball %s: %lu/%lu libstemmer, %lu/%lu rubric (%lu skipped: not plain a-z",
           lang, sb_p, sb_t, rb_p, rb_t, rb_skip);
    if (rb_not_one)
        printf(", %lu not one token", rb_not_one);
    printf(")\n");
    snowball.sb_total += sb_t;
    snowball.sb_passed += sb_p;
    snowball.rb_total += rb_t;
    snowball.rb_passed += rb_p;
    snowball.rb_not_one += rb_not_one;
    snowball.rb_skipped += rb_skip;
    if (sb_p != sb_t)
        snowball.sb_fail_langs++;
    if (rb_p != rb_t)
        snowball.rb_fail_langs++;
}

static void scan_snowball(void)
{
    if (snowball.scanned)
        return;
    snowball.scanned = 1;
    struct stat st;
    if (stat(SNOWBALL_DATA, &st) != 0)
        return;
    const char *const *langs = rubric_languages();
    for (size_t i = 0; langs && langs[i]; i++)
        if (strcmp(langs[i], "none") != 0)
            scan_language(langs[i]);
}

static double rate(unsigned long p, unsigned long t) { return t ? 100.0 * p / t : 100.0; }

static void libstemmer_stems_every_snowball_vocabulary_word(void)
{
    scan_snowball();
    if (snowball.languages == 0) {
        printf("SKIP snowball: no vocabularies under %s (install snowball-data)\n",
               SNOWBALL_DATA);
        return;
    }
    printf("     snowball overall (libstemmer): %lu/%lu words, %.3f%%, %d languages\n",
           snowball.sb_passed, snowball.sb_total, rate(snowball.sb_passed, snowball.sb_total),
           snowball.languages);
    CHECK(snowball.errors == 0);
    CHECK(snowball.sb_fail_langs == 0);
}

static void analyzer_stems_ascii_snowball_words_like_snowball(void)
{
    scan_snowball();
    if (snowball.languages == 0) {
        printf("SKIP snowball through rubric: no vocabularies under %s\n", SNOWBALL_DATA);
        return;
    }
    printf("     snowball overall (rubric): %lu/%lu words, %.3f%% (%lu skipped as not plain a-z, "
           "%lu not one token)\n",
           snowball.rb_passed, snowball.rb_total, rate(snowball.rb_passed, snowball.rb_total),
           snowball.rb_skipped, snowball.rb_not_one);
    CHECK(snowball.errors == 0);
    CHECK(snowball.rb_total > 0);
    CHECK(snowball.rb_fail_langs == 0);
}

/* ------------------------------------------- 4. no allocation per token */

/* Every allocation of this process is counted, by standing in for glibc's
 * malloc family and handing on to it. (Not under AddressSanitizer, whose
 * own allocator must see every call.) */
#if !defined(__SANITIZE_ADDRESS__) && defined(__GLIBC__)
#define COUNTS_ALLOCATIONS 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
static unsigned long g_allocations;

void *malloc(size_t n)
{
    g_allocations++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    g_allocations++;
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    g_allocations++;
    return __libc_realloc(p, n);
}

void free(void *p)
{
    __libc_free(p);
}

static int count_token(void *ctx, const rubric_token *t)
{
    (void)t;
    (*(size_t *)ctx)++;
    return 0;
}
#endif

/* Once its buffers have grown, the analyzer allocates nothing per token: not
 * for a word it remembers, nor for one it folds and stems anew, in any
 * script (the words below are all different, too many to remember). */
static void analysis_allocates_nothing_per_token_once_warm(void)
{
#ifdef COUNTS_ALLOCATIONS
    static const char *const stems[] = {"Café", "naïve", "Straße", "résumé", "Ελληνικά",
                                        "русский", "日本語", "mediation", "Bushehr", "os.path"};
    size_t cap = 1 << 20, len = 0;
    char *text = malloc(cap);
    rubric_analyzer *a = new_analyzer("english");
    CHECK(text != NULL && a != NULL);
    if (!text || !a) {
        free(text);
        rubric_analyzer_free(a);
        return;
    }
    for (unsigned i = 0; len + 64 < cap; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s%u ", stems[i % 10], i / 10);
    size_t first = 0, second = 0;
    CHECK(rubric_analyzer_run(a, text, len, count_token, &first) == RUBRIC_OK);
    unsigned long before = g_allocations;
    CHECK(rubric_analyzer_run(a, text, len, count_token, &second) == RUBRIC_OK);
    unsigned long during = g_allocations - before;
    printf("     %zu tokens, %lu allocations on a second run\n", second, during);
    CHECK(second == first && second > 50000);
    CHECK(during == 0);
    free(text);
    rubric_analyzer_free(a);
#else
    printf("SKIP allocations are not counted under this allocator\n");
#endif
}

int main(void)
{
    RUN(tokenizer_folds_case_accents_and_possessives);
    RUN(stemmer_reduces_english_words_to_snowball_stems);
    RUN(stemmer_gives_mediation_mediator_mediate_one_stem);
    RUN(tokenizer_offsets_point_at_original_bytes);
    RUN(tokenizer_reads_text_without_nul_terminator);
    RUN(analyzer_run_stops_when_callback_returns_nonzero);
    RUN(tokenizer_survives_random_bytes);
    RUN(segmenter_reports_raw_bytes_of_word_segments);
    RUN(analyzer_rejects_unknown_language);
    RUN(analyzer_accepts_every_listed_language);
    RUN(analyzer_none_does_not_stem);
    RUN(segmenter_passes_unicode_word_break_test);
    RUN(libstemmer_stems_every_snowball_vocabulary_word);
    RUN(analyzer_stems_ascii_snowball_words_like_snowball);
    RUN(analysis_allocates_nothing_per_token_once_warm);
    return HARNESS_END();
}
