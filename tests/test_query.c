/* test_query.c: the query parser (lib/query.c) against tables, in the style of
 * Xapian's api_queryparser.cc: {input, expected qtree_describe() output}.
 *
 * qtree_describe() prints WORDS(a b) for words side by side, AND(...), OR(...),
 * NEAR/n(...), "phrases"~n, -excluded, =exact, prefix*, field:value; words are
 * the folded exact forms. Input that is not valid syntax must never be an
 * error: it reads as plain words (the malformed rows below). Random bytes,
 * 1000 brackets and a 100 KB query must parse quickly into a bounded tree.
 *
 * Built with -Ilib (the Makefile's flags) for internal.h.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "harness.h"

static rubric_analyzer *g_an;

typedef struct row {
    const char *input;
    const char *want;
} row;

/* Parse S; the description (caller frees), or NULL with a message. */
static char *describe(const char *s, size_t len)
{
    qtree *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    int rc = qtree_parse(g_an, s, len, q);
    char *d = rc == RUBRIC_OK ? qtree_describe(q) : NULL;
    if (rc != RUBRIC_OK)
        fprintf(stderr, "    qtree_parse: %s\n", rubric_strerror(rc));
    qtree_free(q);
    free(q);
    return d;
}

static void check_rows(const row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *got = describe(rows[i].input, strlen(rows[i].input));
        if (!got || strcmp(got, rows[i].want) != 0) {
            fprintf(stderr, "  query [%s]\n    got:  %s\n    want: %s\n", rows[i].input,
                    got ? got : "(null)", rows[i].want);
            harness_current_failed = 1;
        }
        free(got);
    }
}

#define CHECK_ROWS(rows) check_rows(rows, sizeof rows / sizeof *rows)

/* Every node of Q within the limits, every kid a node of Q. */
static int tree_bounded(const qtree *q)
{
    if (q->n > QUERY_MAX_NODES)
        return 0;
    if (q->root && (q->root < q->nodes || q->root >= q->nodes + q->n))
        return 0;
    for (size_t i = 0; i < q->n; i++) {
        const qnode *n = &q->nodes[i];
        if (n->nkids > QNODE_KIDS || n->nwords > QNODE_WORDS)
            return 0;
        for (size_t k = 0; k < n->nkids; k++)
            if (n->kid[k] < q->nodes || n->kid[k] >= q->nodes + q->n)
                return 0;
    }
    return 1;
}

/* ------------------------------------------------------------ valid syntax */

static void plain_words_are_words_side_by_side(void)
{
    static const row rows[] = {
        {"apples", "apples"},
        {"Apples", "apples"},
        {"apples pears", "WORDS(apples pears)"},
        {"  red   Apples\tpears\n", "WORDS(red apples pears)"},
        {"Russia's diplomats", "WORDS(russia diplomats)"},
        {"apples (pears)", "WORDS(apples pears)"},
        {"(apples pears)", "WORDS(apples pears)"},
        {"+apples", "apples"},
        {"+apples +pears", "WORDS(apples pears)"},
    };
    CHECK_ROWS(rows);
}

static void a_repeated_word_or_phrase_is_asked_once(void)
{
    static const row rows[] = {
        {"the the the the", "the"},
        {"apples pears apples", "WORDS(apples pears)"},
        {"Apples apples APPLES", "apples"},
        {"apples =apples", "WORDS(apples =apples)"},
        {"\"red apples\" \"red apples\" pears", "WORDS(\"red apples\" pears)"},
        {"apples OR apples OR pears", "OR(apples pears)"},
        {"apples -pears -pears", "WORDS(apples -pears)"},
        {"apples -apples", "WORDS(apples -apples)"},
        {"apples NEAR apples", "apples"},
        {"apples NEAR pears NEAR apples", "NEAR/10(apples pears)"},
    };
    CHECK_ROWS(rows);
}

static void quoted_phrases_and_their_slop(void)
{
    static const row rows[] = {
        {"\"red apples\"", "\"red apples\""},
        {"\"Red  Apples\" pears", "WORDS(\"red apples\" pears)"},
        {"\"red apples\"~3", "\"red apples\"~3"},
        {"\"red apples\"~0", "\"red apples\""},
        {"\"red apples\"~99", "\"red apples\"~50"},  /* slop capped at 50 */
        {"\"red apples\"~", "\"red apples\""},       /* ~ alone: no slop, no word */
        {"\"red apples\"pears", "WORDS(\"red apples\" pears)"},
        {"\"apples\"", "\"apples\""},
        {"-\"red apples\"", "-\"red apples\""},
        {"=\"red apples\"", "=\"red apples\""},
        {"title:\"red apples\"", "title:\"red apples\""},
        {"\"red apples\" \"green pears\"~2", "WORDS(\"red apples\" \"green pears\"~2)"},
    };
    CHECK_ROWS(rows);
}

static void boolean_operators_in_capitals(void)
{
    static const row rows[] = {
        {"apples OR pears", "OR(apples pears)"},
        {"apples OR pears OR plums", "OR(apples pears plums)"},
        {"apples AND pears", "AND(apples pears)"},
        {"apples pears AND plums", "AND(apples pears plums)"},
        {"apples AND pears OR plums", "OR(AND(apples pears) plums)"},
        {"apples OR pears AND plums", "OR(apples AND(pears plums))"},
        {"apples OR pears plums", "OR(apples WORDS(pears plums))"},
        {"\"red apples\" OR pears", "OR(\"red apples\" pears)"},
        /* lower and mixed case are words */
        {"apples or pears", "WORDS(apples or pears)"},
        {"apples and pears", "WORDS(apples and pears)"},
        {"apples Or pears", "WORDS(apples or pears)"},
        {"apples not pears", "WORDS(apples not pears)"},
        {"apples near pears", "WORDS(apples near pears)"},
        /* a leading AND has nothing before it, but what follows is valid */
        {"AND apples", "apples"},
    };
    CHECK_ROWS(rows);
}

static void exclusions_with_not_and_minus(void)
{
    static const row rows[] = {
        {"NOT apples", "-apples"},
        {"-apples", "-apples"},
        {"--apples", "apples"},  /* a command-line option, searched for */
        {"+-apples", "-apples"},
        {"pears -apples", "WORDS(pears -apples)"},
        {"pears NOT apples", "WORDS(pears -apples)"},
        {"pears AND NOT apples", "AND(pears -apples)"},
        {"NOT -apples", "apples"},  /* twice excluded is included */
        {"-NOT apples", "WORDS(-not apples)"},  /* a prefixed NOT is a word */
        {"pears -\"red apples\"", "WORDS(pears -\"red apples\")"},
        {"pears -(apples OR plums)", "WORDS(pears -OR(apples plums))"},
        {"pears NOT (apples OR plums)", "WORDS(pears -OR(apples plums))"},
        {"apples - pears", "WORDS(apples pears)"},  /* a dash alone is nothing */
    };
    CHECK_ROWS(rows);
}

static void parentheses_nest(void)
{
    static const row rows[] = {
        {"(apples OR pears) plums", "WORDS(OR(apples pears) plums)"},
        {"(apples OR pears) AND plums", "AND(OR(apples pears) plums)"},
        {"((apples OR pears) AND (plums OR figs)) -kiwi",
         "WORDS(AND(OR(apples pears) OR(plums figs)) -kiwi)"},
        {"(((apples)))", "apples"},
        {"((apples pears) OR (plums figs))", "OR(WORDS(apples pears) WORDS(plums figs))"},
        {"apples(pears)", "WORDS(apples pears)"},
        {"(apples OR pears)(plums OR figs)", "WORDS(OR(apples pears) OR(plums figs))"},
    };
    CHECK_ROWS(rows);
}

static void near_with_and_without_a_distance(void)
{
    static const row rows[] = {
        {"apples NEAR pears", "NEAR/10(apples pears)"},
        {"apples NEAR/3 pears", "NEAR/3(apples pears)"},
        {"apples NEAR/0 pears", "NEAR/0(apples pears)"},
        {"apples NEAR/200 pears", "NEAR/100(apples pears)"},  /* capped at 100 */
        {"apples NEAR/3 pears NEAR/5 plums", "NEAR/5(apples pears plums)"},
        {"apples NEAR pears plums", "WORDS(NEAR/10(apples pears) plums)"},
        {"\"red apples\" NEAR/2 pears", "NEAR/2(\"red apples\" pears)"},
        {"apples NEAR \"green pears\"", "NEAR/10(apples \"green pears\")"},
        {"figs OR apples NEAR pears", "OR(figs NEAR/10(apples pears))"},
        {"apples NEAR/ pears", "WORDS(apples near pears)"},  /* no number: a word */
    };
    CHECK_ROWS(rows);
}

static void wildcards_exact_forms_and_fields(void)
{
    static const row rows[] = {
        {"pre*", "pre*"},
        {"Pre*", "pre*"},
        {"pre* apples", "WORDS(pre* apples)"},
        {"=apples", "=apples"},
        {"=Apples", "=apples"},
        {"-=apples", "-=apples"},
        {"=pre*", "=pre*"},
        {"title:apples", "title:apples"},
        {"title:Apples", "title:apples"},
        {"title:pre*", "title:pre*"},
        {"-title:apples", "-title:apples"},
        {"path:docs/fruit", "path:docs/fruit"},
        {"path:Docs/Fruit/", "path:Docs/Fruit/"},  /* paths keep their case */
        {"lang:FR", "lang:fr"},
        {"lang:en", "lang:en"},
        {"tag:Cooking", "tag:cooking"},
        {"tag:SETUP apples", "WORDS(tag:setup apples)"},
        {"apples -tag:draft", "WORDS(apples -tag:draft)"},
        {"apples title:pears lang:de", "WORDS(apples title:pears lang:de)"},
    };
    CHECK_ROWS(rows);
}

static void a_token_of_several_words_is_a_phrase(void)
{
    static const row rows[] = {
        {"Iran-Israel", "\"iran israel\""},
        {"Iran-Israel conflict", "WORDS(\"iran israel\" conflict)"},
        {"-Iran-Israel", "-\"iran israel\""},
        {"title:Iran-Israel", "title:\"iran israel\""},
        {"Iran-Israel OR Iran-Iraq", "OR(\"iran israel\" \"iran iraq\")"},
    };
    CHECK_ROWS(rows);
}

static void command_line_options_are_words_not_exclusions(void)
{
    static const row rows[] = {
        {"git fetch --prune", "WORDS(git fetch prune)"},
        {"--force-with-lease", "\"force with lease\""},
        {"git clean -x", "WORDS(git clean x)"},
        {"declare -A array", "WORDS(declare a array)"},
        {"apples -pears", "WORDS(apples -pears)"},  /* a word: still left out */
        {"apples -=pears", "WORDS(apples -=pears)"},
        {"apples -", "apples"},
        {"apples --", "apples"},
    };
    CHECK_ROWS(rows);
}

/* ------------------------------------------------------------- malformed */

/* Input that is not valid syntax is read as plain words (never an error);
 * input without any word is an empty list of words. */
static void malformed_brackets_read_as_plain_words(void)
{
    static const row rows[] = {
        {"(", "(empty)"},
        {")", "(empty)"},
        {"((", "(empty)"},
        {"()", "(empty)"},
        {"apples)", "apples"},
        {"(apples", "apples"},
        {"(apples))", "apples"},
        {")apples(", "apples"},
        {"apples (pears", "WORDS(apples pears)"},
        {"(apples OR pears", "WORDS(apples or pears)"},
        {"apples OR pears)", "WORDS(apples or pears)"},
        {"apples NEAR (pears)", "WORDS(apples near pears)"},
    };
    CHECK_ROWS(rows);
}

static void malformed_quotes_read_as_plain_words(void)
{
    static const row rows[] = {
        {"\"red apples", "WORDS(red apples)"},
        {"red \"apples", "WORDS(red apples)"},
        {"red apples\"", "WORDS(red apples)"},
        {"\"red\" \"apples", "WORDS(\"red\" apples)"},
        {"\"", "(empty)"},
        {"\"\"", "(empty)"},
        {"\"\"\"", "(empty)"},
        {"\"red apples\"~3 \"pears", "WORDS(\"red apples\"~3 pears)"},
    };
    CHECK_ROWS(rows);
}

static void operators_with_nothing_to_apply_to_are_words(void)
{
    static const row rows[] = {
        {"OR", "or"},
        {"AND", "and"},
        {"NOT", "not"},
        {"NEAR", "near"},
        {"NEAR/", "near"},
        {"OR OR", "or"}, /* a repeated word is asked once */
        {"apples OR", "WORDS(apples or)"},
        {"apples AND", "WORDS(apples and)"},
        {"apples NOT", "WORDS(apples not)"},
        {"apples NEAR", "WORDS(apples near)"},
        {"apples OR OR pears", "WORDS(apples or pears)"},
        {"apples AND OR pears", "WORDS(apples and or pears)"},
        {"apples AND AND pears", "AND(apples pears)"},
        {"NOT NOT apples", "WORDS(not apples)"},
        {"apples NEAR NEAR pears", "WORDS(apples near pears)"},
        {"(apples OR)", "WORDS(apples or)"},
        {"(AND)", "and"},
    };
    CHECK_ROWS(rows);
}

static void stray_prefixes_and_punctuation_are_nothing(void)
{
    static const row rows[] = {
        {"-", "(empty)"},
        {"--", "(empty)"},
        {"+", "(empty)"},
        {"=", "(empty)"},
        {":", "(empty)"},
        {"*", "(empty)"},
        {"**", "(empty)"},
        {"~", "(empty)"},
        {"title:", "title"},
        {"lang:", "lang"},
        {"title: apples", "WORDS(title apples)"},
        {"title:*", "(empty)"},
        {"apples -", "apples"},
        {"apples *", "apples"},
        {"app**", "app*"},
        {"a*", "a*"},
        {"apples ~3", "WORDS(apples 3)"},  /* ~3 alone is the number 3 */
    };
    CHECK_ROWS(rows);
}

static void a_search_of_an_operator_alone_is_never_an_error(void)
{
    /* The same inputs through the parser: RUBRIC_OK and a description. */
    static const char *const inputs[] = {"(", ")", "((", "a)", "\"", "a OR", "AND a", "OR",
                                         "NEAR/", "-", "--", "title:", ":", "*", "a**",
                                         "NEAR/3", "OR a", ") (", "\"~3", "a NEAR/3"};
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        qtree q;
        int rc = qtree_parse(g_an, inputs[i], strlen(inputs[i]), &q);
        CHECK(rc == RUBRIC_OK);
        char *d = rc == RUBRIC_OK ? qtree_describe(&q) : NULL;
        if (!d)
            fprintf(stderr, "  [%s]: no description\n", inputs[i]);
        CHECK(d != NULL);
        CHECK(tree_bounded(&q));
        free(d);
        qtree_free(&q);
    }
}

/* Regression: like "apples OR", an OR with nothing before it has nothing to
 * apply to and reads as plain words. "OR apples" once parsed as
 * OR(WORDS() apples), an OR whose left side is empty, which qtree_build
 * turned into MatchAll, so the query matched every passage (see
 * test_search). */
static void an_or_with_nothing_before_it_reads_as_plain_words(void)
{
    static const row rows[] = {
        {"OR apples", "WORDS(or apples)"},
        {"() OR apples", "WORDS(or apples)"},
        {"(OR apples)", "WORDS(or apples)"},
    };
    CHECK_ROWS(rows);
}

/* ------------------------------------------------------------ the limits */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void a_thousand_open_brackets_parse_into_nothing(void)
{
    char s[1001];
    memset(s, '(', 1000);
    s[1000] = '\0';
    char *d = describe(s, 1000);
    CHECK_STR(d, "(empty)");
    free(d);
    /* ...and with a word inside */
    char t[1100];
    snprintf(t, sizeof t, "%sapples", s);
    d = describe(t, strlen(t));
    CHECK_STR(d, "apples");
    free(d);
    /* balanced: 1000 deep, still bounded */
    char *u = malloc(2100);
    if (!u)
        return;
    memset(u, '(', 1000);
    memcpy(u + 1000, "apples", 6);
    memset(u + 1006, ')', 1000);
    qtree q;
    CHECK(qtree_parse(g_an, u, 2006, &q) == RUBRIC_OK);
    CHECK(tree_bounded(&q));
    qtree_free(&q);
    free(u);
}

/* A 100 KB query of PIECE repeated: parsed in well under a second into at
 * most QUERY_MAX_NODES nodes. */
static void check_huge(const char *piece)
{
    size_t n = 100 * 1024, plen = strlen(piece);
    char *s = malloc(n + 1);
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        s[i] = piece[i % plen];
    s[n] = '\0';
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    qtree q;
    int rc = qtree_parse(g_an, s, n, &q);
    double took = seconds_since(&t0);
    CHECK(rc == RUBRIC_OK);
    if (rc == RUBRIC_OK) {
        CHECK(q.n <= QUERY_MAX_NODES);
        CHECK(tree_bounded(&q));
        char *d = qtree_describe(&q);
        CHECK(d != NULL);
        free(d);
        qtree_free(&q);
    }
    if (took > 0.5) {
        fprintf(stderr, "  100 KB of [%s] took %.2f s\n", piece, took);
        harness_current_failed = 1;
    }
    free(s);
}

static void a_100_kb_query_is_bounded_in_time_and_nodes(void)
{
    static const char *const pieces[] = {
        "apples ", "apples OR ", "(apples OR pears) ", "\"red apples\" ", "apples NEAR ",
        "(", ")", "\"", "-", "pre* ", "Iran-Israel-Iraq-Syria ", "x", "a AND ", "NOT ",
        "title:x ", "\"a b c d e f g h i j k l m n o p q r s t\" ", "=", "é",
    };
    for (size_t i = 0; i < sizeof pieces / sizeof *pieces; i++)
        check_huge(pieces[i]);
}

static void a_long_query_is_truncated_and_says_so(void)
{
    char s[4096] = "";
    for (int i = 0; i < 100; i++) {
        char w[16];
        snprintf(w, sizeof w, "w%d ", i);
        strcat(s, w);
    }
    qtree q;
    CHECK(qtree_parse(g_an, s, strlen(s), &q) == RUBRIC_OK);
    CHECK(q.truncated);
    CHECK(q.n <= QUERY_MAX_NODES);
    /* the words kept are the first ones */
    char *d = qtree_describe(&q);
    CHECK(d && strncmp(d, "WORDS(w0 w1 w2 ", 15) == 0);
    free(d);
    qtree_free(&q);
    /* a phrase keeps its first QNODE_WORDS words */
    char p[512] = "\"";
    for (int i = 0; i < 20; i++) {
        char w[16];
        snprintf(w, sizeof w, "%sw%d", i ? " " : "", i);
        strcat(p, w);
    }
    strcat(p, "\"");
    d = describe(p, strlen(p));
    CHECK_STR(d, "\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15\"");
    free(d);
}

/* Regression: README says "a query keeps its first 48 words, phrases and
 * operators" (QUERY_MAX_NODES in internal.h). Forty words are 41 nodes, and
 * all forty are kept. When QNODE_KIDS (the kids of one AND) was 32, only 32
 * were kept: words 33-40 were dropped. */
static void forty_words_are_all_kept_under_the_48_node_limit(void)
{
    char s[1024] = "", want[1024] = "WORDS(";
    for (int i = 0; i < 40; i++) {
        char w[16];
        snprintf(w, sizeof w, "%sw%d", i ? " " : "", i);
        strcat(s, w);
        strcat(want, w);
    }
    strcat(want, ")");
    char *d = describe(s, strlen(s));
    CHECK_STR(d, want);
    free(d);
}

/* ------------------------------------------------------------- bad bytes */

static void invalid_utf8_reads_as_spaces(void)
{
    static const row rows[] = {
        {"\xff\xfe" "apples", "apples"},
        {"apples\xc3", "apples"},
        {"red\xc3 apples", "WORDS(red apples)"},
        {"\xed\xa0\x80 apples \xf8\x88\x80\x80\x80", "apples"},
        {"\xc0\xaf", "(empty)"},
        {"\"red \xff apples\"", "\"red apples\""},
        {"caf\xc3\xa9", "cafe"},  /* valid UTF-8: accents folded */
    };
    CHECK_ROWS(rows);
}

static uint64_t g_rng = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}

static void random_bytes_always_parse_and_describe(void)
{
    /* Query syntax is over-represented, so that the parser's paths are hit. */
    static const char *const pieces[] = {"(", ")", "\"", "-", "+", "=", "*", ":", "~", "/",
                                         " ", "OR", "AND", "NOT", "NEAR", "NEAR/", "title:",
                                         "path:", "lang:", "tag:", "apples", "3", "\xc3",
                                         "\xff", "\xe2\x80\x9c", "\t"};
    size_t np = sizeof pieces / sizeof *pieces;
    char s[600];
    int bad = 0;
    for (int i = 0; i < 4000 && bad < 5; i++) {
        size_t len = 0, want = rnd() % 200;
        int mode = i % 3;  /* raw bytes, pieces, or both */
        while (len < want) {
            if (mode == 0 || (mode == 2 && rnd() % 2)) {
                char c = (char)(rnd() % 255 + 1);  /* NUL-free */
                s[len++] = c;
            } else {
                const char *p = pieces[rnd() % np];
                size_t n = strlen(p);
                memcpy(s + len, p, n);
                len += n;
            }
        }
        s[len] = '\0';
        qtree q;
        int rc = qtree_parse(g_an, s, len, &q);
        char *d = rc == RUBRIC_OK ? qtree_describe(&q) : NULL;
        if (rc != RUBRIC_OK || !d || !tree_bounded(&q)) {
            fprintf(stderr, "  input %d (%zu bytes): rc %d, description %s, bounded %d\n", i,
                    len, rc, d ? d : "(null)", rc == RUBRIC_OK ? tree_bounded(&q) : -1);
            harness_current_failed = 1;
            bad++;
        }
        free(d);
        if (rc == RUBRIC_OK)
            qtree_free(&q);
    }
}

/* A query parsed twice describes the same. */
static void parsing_is_deterministic(void)
{
    static const char *const inputs[] = {"(apples OR pears) -figs", "\"a b\"~2 NEAR/4 c",
                                         "title:x path:y lang:Z tag:W =v u*"};
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        char *a = describe(inputs[i], strlen(inputs[i]));
        char *b = describe(inputs[i], strlen(inputs[i]));
        CHECK(a && b && strcmp(a, b) == 0);
        free(a);
        free(b);
    }
}

/* Queries are (pointer, length): bytes past LEN are never read. */
static void only_len_bytes_are_read(void)
{
    const char *s = "apples pears";
    char *d = describe(s, 6);
    CHECK_STR(d, "apples");
    free(d);
    d = describe("\"red apples\" x", 5);  /* "\"red " : an unpaired quote */
    CHECK_STR(d, "red");
    free(d);
    d = describe("title:apples", 6);  /* "title:" */
    CHECK_STR(d, "title");
    free(d);
    d = describe("NEAR/3", 5);  /* "NEAR/" */
    CHECK_STR(d, "near");
    free(d);
}

int main(void)
{
    if (rubric_analyzer_new("english", &g_an) != RUBRIC_OK) {
        fprintf(stderr, "test_query: no english analyzer\n");
        return 1;
    }
    RUN(plain_words_are_words_side_by_side);
    RUN(quoted_phrases_and_their_slop);
    RUN(boolean_operators_in_capitals);
    RUN(exclusions_with_not_and_minus);
    RUN(parentheses_nest);
    RUN(near_with_and_without_a_distance);
    RUN(wildcards_exact_forms_and_fields);
    RUN(a_token_of_several_words_is_a_phrase);
    RUN(command_line_options_are_words_not_exclusions);
    RUN(malformed_brackets_read_as_plain_words);
    RUN(malformed_quotes_read_as_plain_words);
    RUN(a_repeated_word_or_phrase_is_asked_once);
    RUN(operators_with_nothing_to_apply_to_are_words);
    RUN(stray_prefixes_and_punctuation_are_nothing);
    RUN(a_search_of_an_operator_alone_is_never_an_error);
    RUN(an_or_with_nothing_before_it_reads_as_plain_words);
    RUN(a_thousand_open_brackets_parse_into_nothing);
    RUN(a_100_kb_query_is_bounded_in_time_and_nodes);
    RUN(a_long_query_is_truncated_and_says_so);
    RUN(forty_words_are_all_kept_under_the_48_node_limit);
    RUN(invalid_utf8_reads_as_spaces);
    RUN(random_bytes_always_parse_and_describe);
    RUN(parsing_is_deterministic);
    RUN(only_len_bytes_are_read);
    rubric_analyzer_free(g_an);
    return HARNESS_END();
}
