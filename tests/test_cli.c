/* test_cli.c: end-to-end tests of the real tools, build/rubric-index and
 * build/rubric-query, run through /bin/sh on a real index in a fresh temporary
 * directory (removed at the end).
 *
 * Binaries are found under $RUBRIC_BUILD (default "build"), the corpus under
 * $RUBRIC_SRCDIR/corpus (default "./corpus"). Each command's stdout is read
 * through popen, its stderr is redirected to a file, and its exit status is
 * WEXITSTATUS of the shell (a crash shows as 128 + signal).
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath */

#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "rubric.h"
#include "harness.h"
#include "shell.h"
#include "bytes.h"

/* The whole file at PATH, or NULL. */
#define slurp_file(path) slurp((path), NULL)

/* ------------------------------------------------------------------ setup */

static char g_tmp[PATH_MAX];    /* the temporary directory */
static char g_index[PATH_MAX];  /* absolute path of rubric-index */
static char g_query[PATH_MAX];  /* absolute path of rubric-query */
static char g_corpus[PATH_MAX]; /* absolute path of the corpus directory */
static char g_db[PATH_MAX];     /* the main index, built from the corpus */
static char g_src[PATH_MAX];    /* absolute path of the source tree */

/* A word that occurs only in the good file written next to bad inputs. */
#define GOOD_WORD "zanzibarquux"
static const char good_text[] =
    "Field Notes from the Marmalade Archive\n"
    "The marmalade archive in the old library holds letters, ledgers and recipes that "
    "a patient volunteer catalogued over many winters, and every box now carries a "
    "label with the word " GOOD_WORD " so that visitors can find the collection "
    "quickly and without asking the staff for help.\n";

/* ---------------------------------------------------------------- helpers */

/* Run a shell command (printf-style) in directory CWD (NULL: the temporary
 * directory). $I and $Q in the command are the two tools. */
__attribute__((format(printf, 3, 4)))
static void sh(cmd *c, const char *cwd, const char *fmt, ...)
{
    char body[8192], errpath[PATH_MAX + 32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    snprintf(errpath, sizeof errpath, "%s/.stderr", g_tmp);
    shell_run(c, cwd ? cwd : g_tmp, g_index, g_query, errpath, body);
}

/* DST (PATH_MAX bytes) = A SEP B, cut short if it would not fit. */
static void path_cat(char *dst, const char *a, const char *sep, const char *b)
{
    size_t na = strlen(a), ns = strlen(sep), nb = strlen(b);
    if (na + ns + nb >= PATH_MAX) {
        fprintf(stderr, "test_cli: path too long: %s%s%s\n", a, sep, b);
        na = ns = nb = 0;
    }
    memcpy(dst, a, na);
    memcpy(dst + na, sep, ns);
    memcpy(dst + na + ns, b, nb);
    dst[na + ns + nb] = '\0';
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static int ends_with(const char *s, const char *suffix)
{
    if (!s || !suffix)
        return 0;
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Case-insensitive strstr. */
static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay && *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

/* Number of passages in the index at DIR, through the library; -1 if it fails. */
static long db_passages(const char *dir)
{
    rubric_db *db = NULL;
    char *err = NULL;
    if (rubric_db_open(dir, &db, &err) != RUBRIC_OK) {
        free(err);
        return -1;
    }
    long n = (long)rubric_db_passages(db);
    rubric_db_close(db);
    return n;
}

/* Run rubric-query --json against DB (printf-style args after it) and parse the
 * output. Returns NULL (and reports) when the command fails or the JSON does
 * not parse. */
__attribute__((format(printf, 2, 3)))
static cJSON *query_json(const char *db, const char *fmt, ...)
{
    char args[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    cmd c;
    sh(&c, NULL, "\"$Q\" --db %s --json %s", sq(db), args);
    return json_output(&c, args);
}

static cJSON *results_of(const cJSON *j)
{
    cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "results");
    return cJSON_IsArray(r) ? r : NULL;
}

static int nresults(const cJSON *j)
{
    const cJSON *r = results_of(j);
    return r ? cJSON_GetArraySize(r) : -1;
}

static const cJSON *result(const cJSON *j, int i)
{
    const cJSON *r = results_of(j);
    return r ? cJSON_GetArrayItem(r, i) : NULL;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : -1e300;
}

/* 1 true, 0 false, -1 missing or not a bool. */
static int bool_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
}

/* The exact set of keys of object O is KEYS (NULL-terminated). */
static int has_exactly_keys(const cJSON *o, const char *const *keys)
{
    if (!cJSON_IsObject(o))
        return 0;
    int n = 0, want = 0;
    for (const cJSON *k = o->child; k; k = k->next) {
        int known = 0;
        for (const char *const *w = keys; *w; w++)
            known |= k->string && strcmp(k->string, *w) == 0;
        if (!known) {
            fprintf(stderr, "  unexpected key '%s'\n", k->string ? k->string : "?");
            return 0;
        }
        n++;
    }
    for (const char *const *w = keys; *w; w++)
        want++;
    return n == want;
}

/* Ranks are 1.. in order (from FIRST) and scores never increase. */
static int ranked(const cJSON *j, int first)
{
    int n = nresults(j);
    double prev = 1e300;
    for (int i = 0; i < n; i++) {
        const cJSON *r = result(j, i);
        double score = num_of(r, "score");
        if (num_of(r, "rank") != (double)(first + i) || score > prev)
            return 0;
        prev = score;
    }
    return 1;
}

/* Some result has this path and anchor. */
static int has_passage(const cJSON *j, const char *path, const char *anchor)
{
    for (int i = 0; i < nresults(j); i++) {
        const cJSON *r = result(j, i);
        if (streq(str_of(r, "path"), path) && streq(str_of(r, "anchor"), anchor))
            return 1;
    }
    return 0;
}

static int copy_file(const char *from, const char *to)
{
    char *data = slurp_file(from);
    if (!data)
        return -1;
    int rc = write_file(to, data, strlen(data));
    free(data);
    return rc;
}

/* Copy the corpus's *.txt files into DIR (created); returns how many, or -1. */
static int copy_corpus(const char *dir)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return -1;
    DIR *d = opendir(g_corpus);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !ends_with(e->d_name, ".txt"))
            continue;
        char from[PATH_MAX], to[PATH_MAX];
        path_join(from, g_corpus, e->d_name);
        path_join(to, dir, e->d_name);
        if (copy_file(from, to) < 0) {
            n = -1;
            break;
        }
        n++;
    }
    closedir(d);
    return n;
}

static int count_corpus_files(void)
{
    DIR *d = opendir(g_corpus);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && ends_with(e->d_name, ".txt"))
            n++;
    closedir(d);
    return n;
}

/* A fresh directory NAME under the temporary directory holding the good file;
 * its path goes to DIR. */
static int make_input_dir(const char *name, char *dir)
{
    char good[PATH_MAX];
    path_join(dir, g_tmp, name);
    if (mkdir(dir, 0755) < 0)
        return -1;
    path_join(good, dir, "good.txt");
    return write_file(good, good_text, strlen(good_text));
}

/* The good file indexed into DB is searchable: GOOD_WORD finds good.txt. */
static int good_file_found(const char *db)
{
    cJSON *j = query_json(db, "%s", GOOD_WORD);
    int ok = j && nresults(j) >= 1 && ends_with(str_of(result(j, 0), "path"), "/good.txt");
    cJSON_Delete(j);
    return ok;
}

/* Index DIR (holding good.txt and one bad file named BAD) into DIR.db and check:
 * exit 1, a stderr line naming BAD that gives one of the REASONS, and the good
 * file searchable. */
static void check_bad_input(const char *dir, const char *bad, const char *const *reasons)
{
    char db[PATH_MAX], line[1024];
    path_cat(db, dir, ".db", "");
    cmd c;
    sh(&c, NULL, "\"$I\" --db %s %s", sq(db), sq(dir));
    CHECK(c.status == 1);
    CHECK(line_with(c.err, bad, line, sizeof line));
    if (line_with(c.err, bad, line, sizeof line)) {
        int why = 0;
        for (const char *const *r = reasons; *r; r++)
            why |= find_ci(line, *r) != NULL;
        if (!why)
            fprintf(stderr, "  no reason in: %s\n", line);
        CHECK(why);
    }
    char sum[1024];
    CHECK(summary_line(c.err, sum, sizeof sum));
    CHECK(count_before(sum, "skipped") == 1);
    if (c.status != 1 || !strstr(c.err, bad))
        fprintf(stderr, "  exit %d, stderr:\n%s", c.status, c.err);
    cmd_free(&c);
    CHECK(good_file_found(db));
}

/* ------------------------------------------------------------------ tests */

static cmd g_first_run; /* the indexer run that built g_db */

static void indexing_the_corpus_exits_0_with_a_one_line_summary(void)
{
    char line[1024];
    CHECK(g_first_run.status == 0);
    CHECK(summary_line(g_first_run.err, line, sizeof line));
    /* exactly one summary line */
    const char *first = strstr(g_first_run.err, " files (");
    CHECK(first && !strstr(first + 1, " files ("));
    CHECK(count_before(line, "files") == count_corpus_files());
    CHECK(count_before(line, "added") == count_corpus_files());
    long passages = count_before(line, "passages");
    CHECK(passages > 0);
    CHECK(passages == db_passages(g_db));
    /* ends with the time in seconds: "..., 0.03 s" */
    size_t n = strlen(line);
    CHECK(n > 3 && strcmp(line + n - 2, " s") == 0 && line[n - 3] >= '0' && line[n - 3] <= '9');
    CHECK(g_first_run.out[0] == '\0'); /* nothing on stdout */
    if (g_first_run.status != 0)
        fprintf(stderr, "  stderr:\n%s", g_first_run.err);
}

static void query_bushehr_finds_nuclear_cooperation_first_with_the_documented_json(void)
{
    cJSON *j = query_json(g_db, "Bushehr");
    CHECK(j != NULL);
    if (!j)
        return;
    static const char *const top_keys[] = {"schema",  "query",   "total", "total_exact",
                                           "suggestion", "corrected", "partial", "results",
                                           "index", NULL};
    static const char *const hit_keys[] = {"rank",    "score",      "path",       "anchor",
                                           "title",   "trail",      "snippet",    "title_html",
                                           "trail_html", "boilerplate", "url", NULL};
    CHECK(has_exactly_keys(j, top_keys));
    CHECK_STR(str_of(j, "query"), "Bushehr");
    CHECK(num_of(j, "schema") == RUBRIC_JSON_SCHEMA);
    const cJSON *ix = cJSON_GetObjectItemCaseSensitive(j, "index");
    CHECK(num_of(ix, "revision") >= 1);
    CHECK(str_of(ix, "updated") && strlen(str_of(ix, "updated")) == 20 &&
          str_of(ix, "updated")[10] == 'T');
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "suggestion")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "corrected")));
    CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "total")));
    CHECK(num_of(j, "total") >= nresults(j));
    CHECK(nresults(j) >= 1);
    for (int i = 0; i < nresults(j); i++) {
        const cJSON *r = result(j, i);
        CHECK(has_exactly_keys(r, hit_keys));
        CHECK(num_of(r, "rank") == i + 1);
        CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r, "score")));
        CHECK(num_of(r, "score") > 0);
        CHECK(str_of(r, "path") && str_of(r, "anchor") && str_of(r, "title") &&
              str_of(r, "snippet"));
        const cJSON *trail = cJSON_GetObjectItemCaseSensitive(r, "trail");
        CHECK(cJSON_IsArray(trail));
        for (const cJSON *t = trail ? trail->child : NULL; t; t = t->next)
            CHECK(cJSON_IsString(t));
        CHECK(bool_of(r, "boilerplate") != -1);
    }
    const cJSON *r = result(j, 0);
    CHECK_STR(str_of(r, "title"), "Nuclear Cooperation");
    CHECK_STR(str_of(r, "anchor"), "nuclear-cooperation");
    CHECK(ends_with(str_of(r, "path"), "/russia-balancing-act.txt"));
    const cJSON *trail = cJSON_GetObjectItemCaseSensitive(r, "trail");
    CHECK(cJSON_GetArraySize(trail) == 2);
    const cJSON *t0 = cJSON_GetArrayItem(trail, 0), *t1 = cJSON_GetArrayItem(trail, 1);
    CHECK_STR(cJSON_IsString(t0) ? t0->valuestring : NULL,
              "Russia's Balancing Act: Supporting Iran Or Israel?");
    CHECK_STR(cJSON_IsString(t1) ? t1->valuestring : NULL, "Russia's Enduring Ties with Iran");
    CHECK(str_of(r, "snippet") && strstr(str_of(r, "snippet"), "<b>Bushehr</b>"));
    CHECK_STR(str_of(r, "title_html"), "Nuclear Cooperation"); /* nothing to mark */
    const cJSON *th = cJSON_GetObjectItemCaseSensitive(r, "trail_html");
    CHECK(cJSON_GetArraySize(th) == 2 && cJSON_IsString(cJSON_GetArrayItem(th, 1)) &&
          strcmp(cJSON_GetArrayItem(th, 1)->valuestring,
                 "Russia&#39;s Enduring Ties with Iran") == 0);
    CHECK(bool_of(r, "boilerplate") == 0);
    /* Without a base URL, the link is relative: the path under its root. */
    CHECK(ends_with(str_of(r, "url"), "russia-balancing-act.txt#nuclear-cooperation"));
    cJSON_Delete(j);
}

/* Some <b>X</b> in a snippet where X is another form of "mediation". */
static int marks_other_form_of_mediation(const char *snippet)
{
    for (const char *p = snippet; p && (p = strstr(p, "<b>")); p += 3) {
        const char *end = strstr(p + 3, "</b>");
        if (!end)
            break;
        size_t n = (size_t)(end - (p + 3));
        if (n >= 6 && strncasecmp(p + 3, "mediat", 6) == 0 &&
            !(n == 9 && strncasecmp(p + 3, "mediation", 9) == 0))
            return 1;
    }
    return 0;
}

static void query_mediation_finds_the_diplomacy_section_and_marks_other_forms(void)
{
    cJSON *j = query_json(g_db, "-n 20 mediation");
    CHECK(j && nresults(j) >= 1);
    if (!j)
        return;
    CHECK_STR(str_of(result(j, 0), "title"), "The Role of Diplomacy and Mediation");
    int other = 0;
    for (int i = 0; i < nresults(j); i++)
        other |= marks_other_form_of_mediation(str_of(result(j, i), "snippet"));
    CHECK(other);
    cJSON_Delete(j);
}

static void boilerplate_is_hidden_unless_asked_for(void)
{
    /* Netflix occurs only in a promotional link list of the corpus. Without
     * --boilerplate no result is that passage (none is boilerplate = false),
     * and no boilerplate passage is shown at all. */
    cJSON *j = query_json(g_db, "-n 100 Netflix");
    CHECK(j != NULL);
    for (int i = 0; j && i < nresults(j); i++) {
        CHECK(bool_of(result(j, i), "boilerplate") != 0);
        CHECK(bool_of(result(j, i), "boilerplate") != 1);
    }
    cJSON_Delete(j);

    j = query_json(g_db, "-n 100 --boilerplate Netflix");
    CHECK(j && nresults(j) >= 1);
    for (int i = 0; j && i < nresults(j); i++) {
        const cJSON *r = result(j, i);
        CHECK(bool_of(r, "boilerplate") == 1);
        CHECK(strstr(str_of(r, "snippet") ? str_of(r, "snippet") : "", "<b>Netflix</b>"));
    }
    cJSON_Delete(j);
}

static void a_misspelt_word_gets_a_suggestion(void)
{
    cJSON *j = query_json(g_db, "Bushher");
    CHECK(j != NULL);
    CHECK_STR(str_of(j, "suggestion"), "bushehr");
    cJSON_Delete(j);
}

static void a_quoted_phrase_matches_only_adjacent_words(void)
{
    cJSON *j = query_json(g_db, "%s", sq("\"nuclear power plant\""));
    CHECK(j && nresults(j) >= 1);
    CHECK_STR(str_of(result(j, 0), "title"), "Nuclear Cooperation");
    const char *path = str_of(result(j, 0), "path");
    char *keep = path ? strdup(path) : NULL;
    cJSON_Delete(j);
    if (!keep)
        return;
    /* the three words, unquoted, do find the passage ... */
    j = query_json(g_db, "-n 100 plant nuclear power");
    CHECK(j && has_passage(j, keep, "nuclear-cooperation"));
    cJSON_Delete(j);
    /* ... but not as the phrase "plant nuclear power" */
    j = query_json(g_db, "-n 100 %s", sq("\"plant nuclear power\""));
    CHECK(j != NULL);
    CHECK(j && !has_passage(j, keep, "nuclear-cooperation"));
    cJSON_Delete(j);
    free(keep);
}

static void a_minus_word_excludes_the_passages_that_hold_it(void)
{
    /* Learn the passage(s) holding Bushehr. */
    cJSON *b = query_json(g_db, "-n 100 --boilerplate Bushehr");
    CHECK(b && nresults(b) >= 1 && num_of(b, "total") <= 100);
    /* Iran alone finds the Bushehr passage ... */
    cJSON *iran = query_json(g_db, "-n 100 Iran");
    CHECK(iran && num_of(iran, "total") <= 100);
    CHECK(iran && b && has_passage(iran, str_of(result(b, 0), "path"),
                                   str_of(result(b, 0), "anchor")));
    /* ... Iran -Bushehr does not, and no snippet shows Bushehr. */
    cJSON *j = query_json(g_db, "-n 100 %s", sq("Iran -Bushehr"));
    CHECK(j && nresults(j) >= 1);
    CHECK(j && iran && nresults(j) < nresults(iran));
    for (int i = 0; j && b && i < nresults(b); i++)
        CHECK(!has_passage(j, str_of(result(b, i), "path"), str_of(result(b, i), "anchor")));
    for (int i = 0; j && i < nresults(j); i++) {
        const char *s = str_of(result(j, i), "snippet");
        CHECK(s && !find_ci(s, "Bushehr"));
    }
    cJSON_Delete(j);
    cJSON_Delete(iran);
    cJSON_Delete(b);
}

static void words_never_together_fall_back_to_ranked_partial_matches(void)
{
    /* Bushehr (an article on Russia) and hive (one on beekeeping) share no passage. */
    cJSON *a = query_json(g_db, "-n 100 --boilerplate Bushehr");
    cJSON *h = query_json(g_db, "-n 100 --boilerplate hive");
    CHECK(a && h && nresults(a) >= 1 && nresults(h) >= 1);
    CHECK(a && h && num_of(a, "total") <= 100 && num_of(h, "total") <= 100);
    for (int i = 0; a && h && i < nresults(a); i++)
        CHECK(!has_passage(h, str_of(result(a, i), "path"), str_of(result(a, i), "anchor")));
    cJSON *j = query_json(g_db, "-n 100 Bushehr hive");
    CHECK(j && nresults(j) >= 2);
    CHECK(j && ranked(j, 1));
    int with_bushehr = 0, with_hive = 0;
    for (int i = 0; j && i < nresults(j); i++) {
        const char *s = str_of(result(j, i), "snippet");
        with_bushehr |= s && strstr(s, "<b>Bushehr</b>") != NULL;
        with_hive |= s && find_ci(s, "<b>hive") != NULL;
    }
    CHECK(with_bushehr);
    CHECK(with_hive);
    cJSON_Delete(j);
    cJSON_Delete(h);
    cJSON_Delete(a);
}

static void limit_and_offset_page_through_the_ranking(void)
{
    cJSON *all = query_json(g_db, "Iran");
    CHECK(all && nresults(all) >= 3 && ranked(all, 1));
    cJSON *two = query_json(g_db, "-n 2 Iran");
    CHECK(two && nresults(two) == 2);
    CHECK(two && num_of(result(two, 0), "rank") == 1 && num_of(result(two, 1), "rank") == 2);
    cJSON *second = query_json(g_db, "--offset 1 -n 1 Iran");
    CHECK(second && nresults(second) == 1);
    if (all && second && nresults(all) >= 2 && nresults(second) == 1) {
        const cJSON *want = result(all, 1), *got = result(second, 0);
        CHECK(num_of(got, "rank") == 2);
        CHECK_STR(str_of(got, "path"), str_of(want, "path"));
        CHECK_STR(str_of(got, "anchor"), str_of(want, "anchor"));
        CHECK_STR(str_of(got, "snippet"), str_of(want, "snippet"));
        CHECK(num_of(got, "score") == num_of(want, "score"));
    }
    cJSON_Delete(second);
    cJSON_Delete(two);
    cJSON_Delete(all);
}

/* The total is the number of matching passages (a section's parts once),
 * exact for a small one and the same whatever -n and --offset; past the end
 * the text says how many there are. */
static void the_total_is_exact_and_the_same_on_every_page(void)
{
    static const char *const queries[] = {"Bushehr", "mediation", "Iran", "the"};
    for (size_t k = 0; k < sizeof queries / sizeof *queries; k++) {
        cJSON *all = query_json(g_db, "-n 100 %s", queries[k]);
        CHECK(all && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(all, "total_exact")));
        double total = all ? num_of(all, "total") : -1;
        CHECK(total == nresults(all)); /* all of them fit in 100 */
        static const char *const pages[] = {"-n 1", "-n 2", "--offset 1 -n 1", "--offset 50"};
        for (size_t p = 0; p < sizeof pages / sizeof *pages; p++) {
            cJSON *j = query_json(g_db, "%s %s", pages[p], queries[k]);
            if (!j || num_of(j, "total") != total)
                fprintf(stderr, "  %s %s: total %g, with -n 100 %g\n", pages[p], queries[k],
                        j ? num_of(j, "total") : -1, total);
            CHECK(j && num_of(j, "total") == total);
            CHECK(j && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "total_exact")));
            cJSON_Delete(j);
        }
        cJSON_Delete(all);
    }
    cmd c;
    sh(&c, NULL, "\"$Q\" --db %s -n 1 Bushehr", sq(g_db));
    CHECK(c.status == 0 && strstr(c.out, "\n1 of 1 passages\n") != NULL);
    cmd_free(&c);
    sh(&c, NULL, "\"$Q\" --db %s --offset 1 -n 1 mediation", sq(g_db));
    CHECK(c.status == 0 && strstr(c.out, "\n2 to 2 of ") != NULL && !strstr(c.out, "about"));
    cmd_free(&c);
    sh(&c, NULL, "\"$Q\" --db %s --offset 50 Bushehr", sq(g_db));
    CHECK(c.status == 0 && strcmp(c.out, "no more results (1 in all)\n") == 0);
    cmd_free(&c);
}

/* The query's words are marked in the title and the trail as in the
 * snippet: <b> in JSON's title_html and trail_html, colour in the text. */
static void matches_are_marked_in_titles_and_trails(void)
{
    cJSON *j = query_json(g_db, "-n 1 Iran nuclear");
    const cJSON *r = j && nresults(j) ? result(j, 0) : NULL;
    CHECK_STR(r ? str_of(r, "title_html") : NULL, "<b>Nuclear</b> Cooperation");
    const cJSON *th = r ? cJSON_GetObjectItemCaseSensitive(r, "trail_html") : NULL;
    const cJSON *t0 = cJSON_GetArrayItem(th, 0);
    CHECK(cJSON_IsString(t0) &&
          strcmp(t0->valuestring, "Russia&#39;s Balancing Act: Supporting <b>Iran</b> Or Israel?") ==
              0);
    cJSON_Delete(j);
    cmd c;
    sh(&c, NULL, "\"$Q\" --db %s --color always -n 1 Iran nuclear", sq(g_db));
    CHECK(c.status == 0 && strstr(c.out, "\033[1;31mNuclear\033[0;1m Cooperation") &&
          strstr(c.out, "Supporting \033[1;31mIran\033[0m Or"));
    cmd_free(&c);
}

/* --path, --tag, --lang select as the library's filters do, and --prefix
 * finds a word by the letters typed so far. */
static void filters_and_prefix_are_options_of_the_query_tool(void)
{
    cmd c;
    sh(&c, NULL, "\"$Q\" --db %s --json --path urban-beekeeping.txt Iran", sq(g_db));
    CHECK(c.status == 0 && strstr(c.out, "\"total\":\t0") != NULL);
    cmd_free(&c);
    sh(&c, NULL, "\"$Q\" --db %s --json --path russia-balancing-act.txt --path x/ Iran", sq(g_db));
    CHECK(c.status == 0 && strstr(c.out, "russia-balancing-act.txt#") != NULL);
    cmd_free(&c);
    sh(&c, NULL, "\"$Q\" --db %s -n 1 --prefix nuclear coop", sq(g_db));
    CHECK(c.status == 0 && strstr(c.out, "1. Nuclear Cooperation") != NULL &&
          strstr(c.out, "did you mean") == NULL);
    cmd_free(&c);
    /* Typed whole, "coop" is a word the index lacks: a suggestion. */
    sh(&c, NULL, "\"$Q\" --db %s -n 1 nuclear coop", sq(g_db));
    CHECK(c.status == 0 && strstr(c.out, "did you mean") != NULL);
    cmd_free(&c);
}

/* What bash completes for the words WORDS (the last one being completed),
 * with contrib/completion/rubric.bash loaded the way bash-completion loads
 * it; one candidate a line, into C. 77 when bash-completion is missing. */
static void complete_bash(cmd *c, const char *words)
{
    sh(c, NULL,
       "[ -r /usr/share/bash-completion/bash_completion ] || exit 77; "
       "PATH=\"$(dirname \"$I\"):$PATH\" bash -c '. /usr/share/bash-completion/bash_completion; "
       ". %s/contrib/completion/rubric.bash; COMP_WORDS=(%s); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
       "COMP_LINE=\"${COMP_WORDS[*]}\"; COMP_POINT=${#COMP_LINE}; "
       "f=$(complete -p ${COMP_WORDS[0]} | sed \"s/.*-F \\([^ ]*\\).*/\\1/\"); "
       "$f ${COMP_WORDS[0]} \"${COMP_WORDS[COMP_CWORD]}\" \"${COMP_WORDS[COMP_CWORD-1]}\"; "
       "printf \"%%s\\n\" \"${COMPREPLY[@]}\"'",
       g_src, words);
}

/* Every option a tool's --help lists (in its paragraph of options). */
static void help_options(const char *tool, char *out, size_t size)
{
    cmd c;
    sh(&c, NULL, "\"$%s\" --help | awk 'NF == 0 { n++; next } n == 1' | "
                 "grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | tr -d ',' | tr -s ' ' '\\n' | grep . | "
                 "sort -u | tr '\\n' ' '", tool);
    snprintf(out, size, "%s", c.out);
    cmd_free(&c);
}

/* Completion for bash and zsh knows every option of both tools, --lang's
 * values, --color's, and folders where a folder goes. */
static void completion_knows_the_options_and_their_values(void)
{
    cmd c;
    static const char *const tools[][2] = {
        {"I", "rubric-index"}, {"Q", "rubric-query"}, {"S", "rubric-serve"}};
    char opts[2048], zsh_file[PATH_MAX + 32];
    snprintf(zsh_file, sizeof zsh_file, "%s/contrib/completion/_rubric", g_src);
    char *zsh = slurp_file(zsh_file);
    CHECK(zsh != NULL);
    for (size_t t = 0; t < sizeof tools / sizeof *tools; t++) {
        help_options(tools[t][0], opts, sizeof opts);
        CHECK(strstr(opts, "--db") != NULL);
        char words[64];
        snprintf(words, sizeof words, "%s -", tools[t][1]);
        complete_bash(&c, words);
        if (c.status == 77) {
            fprintf(stderr, "  bash-completion missing: bash completion is not run\n");
            cmd_free(&c);
            break;
        }
        for (char *o = strtok(opts, " "); o; o = strtok(NULL, " ")) {
            char line[64];
            snprintf(line, sizeof line, "\n%s\n", o);
            size_t n = strlen(c.out);
            char *out = malloc(n + 2);
            if (out) {
                out[0] = '\n';
                memcpy(out + 1, c.out, n + 1);
            }
            if (!out || !strstr(out, line)) {
                fprintf(stderr, "  bash does not complete %s of %s\n", o, tools[t][1]);
                harness_current_failed = 1;
            }
            free(out);
            if (zsh && !strstr(zsh, o)) {
                fprintf(stderr, "  zsh does not know %s of %s\n", o, tools[t][1]);
                harness_current_failed = 1;
            }
        }
        cmd_free(&c);
    }
    free(zsh);
    complete_bash(&c, "rubric-index --lang engl");
    CHECK(c.status == 77 || strcmp(c.out, "english\n") == 0);
    cmd_free(&c);
    complete_bash(&c, "rubric-query --color a");
    CHECK(c.status == 77 || strcmp(c.out, "auto\nalways\n") == 0);
    cmd_free(&c);
    /* --db wants a folder: the corpus's files are not offered, its folder is. */
    char words[PATH_MAX + 64];
    snprintf(words, sizeof words, "rubric-query --db %s", g_corpus);
    complete_bash(&c, words);
    CHECK(c.status == 77 || (strstr(c.out, g_corpus) && !strstr(c.out, ".txt")));
    cmd_free(&c);
    sh(&c, NULL, "command -v zsh >/dev/null || exit 77; zsh -n %s/contrib/completion/_rubric",
       g_src);
    CHECK(c.status == 0 || c.status == 77);
    cmd_free(&c);
}

/* make install into a staging folder, with Debian's directories: every file
 * where it belongs (the shared library under its full version with its
 * links, the unit pointing at the installed tool), and make uninstall
 * removes exactly that; install-strip strips. */
static void make_install_puts_everything_in_place_and_uninstall_removes_it(void)
{
    char stage[PATH_MAX];
    path_join(stage, g_tmp, "stage");
    static const char vars[] = "PREFIX=/usr LIBDIR=/usr/lib/x86_64-linux-gnu";
    cmd c;
    sh(&c, NULL, "make -s -C %s install DESTDIR=%s %s >/dev/null && cd %s && "
                 "find . \\( -type f -o -type l \\) | sort",
       sq(g_src), sq(stage), vars, sq(stage));
    CHECK(c.status == 0);
    static const char *const want[] = {
        "./usr/bin/rubric-index", "./usr/bin/rubric-query", "./usr/bin/rubric-serve",
        "./usr/include/rubric.h",
        "./usr/lib/x86_64-linux-gnu/librubric.a", "./usr/lib/x86_64-linux-gnu/librubric.so",
        "./usr/lib/x86_64-linux-gnu/librubric.so.0",
        "./usr/lib/x86_64-linux-gnu/librubric.so." RUBRIC_VERSION,
        "./usr/lib/x86_64-linux-gnu/pkgconfig/rubric.pc",
        "./usr/lib/systemd/system/rubric-index.service",
        "./usr/lib/systemd/system/rubric-index.timer",
        "./usr/lib/systemd/system/rubric-serve.service",
        "./usr/lib/systemd/system/rubric-serve.socket",
        "./usr/share/bash-completion/completions/rubric-index",
        "./usr/share/bash-completion/completions/rubric-query",
        "./usr/share/bash-completion/completions/rubric-serve",
        "./usr/share/zsh/vendor-completions/_rubric", "./usr/share/doc/rubric/README.md",
        "./usr/share/man/man1/rubric-index.1", "./usr/share/man/man1/rubric-query.1",
        "./usr/share/man/man1/rubric-serve.1",
        "./usr/share/man/man3/rubric.3", "./usr/share/man/man5/rubric.json.5",
        "./usr/share/doc/rubric/examples/rubric.json",
        "./usr/share/doc/rubric/examples/nginx-rubric.conf"};
    for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
        char line[PATH_MAX];
        snprintf(line, sizeof line, "%s\n", want[k]);
        if (!strstr(c.out, line)) {
            fprintf(stderr, "  not installed: %s\n", want[k]);
            harness_current_failed = 1;
        }
    }
    cmd_free(&c);
    sh(&c, NULL, "cd %s/usr/lib/x86_64-linux-gnu && readlink librubric.so librubric.so.0 && "
                 "readelf -d librubric.so." RUBRIC_VERSION " | grep SONAME && "
                 "grep ExecStart= %s/usr/lib/systemd/system/rubric-index.service && "
                 "grep ExecStart= %s/usr/lib/systemd/system/rubric-serve.service && "
                 "grep ^libdir= pkgconfig/rubric.pc",
       sq(stage), sq(stage), sq(stage));
    CHECK(c.status == 0 && strstr(c.out, "librubric.so.0\nlibrubric.so." RUBRIC_VERSION "\n") &&
          strstr(c.out, "[librubric.so.0]") &&
          strstr(c.out, "ExecStart=/usr/bin/rubric-index ") &&
          strstr(c.out, "ExecStart=/usr/bin/rubric-serve ") &&
          strstr(c.out, "libdir=/usr/lib/x86_64-linux-gnu\n"));
    if (c.status != 0)
        fprintf(stderr, "  %s%s", c.out, c.err);
    cmd_free(&c);
    sh(&c, NULL, "make -s -C %s uninstall DESTDIR=%s %s >/dev/null && "
                 "find %s \\( -type f -o -type l \\)",
       sq(g_src), sq(stage), vars, sq(stage));
    CHECK(c.status == 0 && c.out[0] == '\0');
    if (c.out[0])
        fprintf(stderr, "  left after uninstall:\n%s", c.out);
    cmd_free(&c);
    sh(&c, NULL, "make -s -C %s install-strip DESTDIR=%s %s >/dev/null && "
                 "readelf -S %s/usr/bin/rubric-index | grep -c '\\.symtab'",
       sq(g_src), sq(stage), vars, sq(stage));
    CHECK(strncmp(c.out, "0", 1) == 0);  /* no symbol table left */
    cmd_free(&c);
}

/* The manual pages render with no warning (groff, mandoc), and each tool's
 * page describes every option its --help lists. */
static void the_manual_pages_render_cleanly_and_name_every_option(void)
{
    static const char *const pages[] = {"rubric-index.1", "rubric-query.1", "rubric-serve.1",
                                        "rubric.json.5", "rubric.3"};
    cmd c;
    for (size_t k = 0; k < sizeof pages / sizeof *pages; k++) {
        sh(&c, NULL,
           "command -v groff >/dev/null || exit 77; groff -ww -man -z %s/man/%s 2>&1; "
           "command -v mandoc >/dev/null || exit 0; mandoc -Tlint %s/man/%s 2>&1",
           g_src, pages[k], g_src, pages[k]);
        if (c.status == 77) {
            fprintf(stderr, "  groff missing: the manual pages are not rendered\n");
            cmd_free(&c);
            break;
        }
        if (c.status != 0 || c.out[0])
            fprintf(stderr, "  %s: exit %d\n%s", pages[k], c.status, c.out);
        CHECK(c.status == 0 && c.out[0] == '\0');
        cmd_free(&c);
    }
    static const char *const tools[][2] = {
        {"I", "rubric-index.1"}, {"Q", "rubric-query.1"}, {"S", "rubric-serve.1"}};
    for (size_t t = 0; t < sizeof tools / sizeof *tools; t++) {
        char opts[2048], path[PATH_MAX + 64];
        help_options(tools[t][0], opts, sizeof opts);
        snprintf(path, sizeof path, "%s/man/%s", g_src, tools[t][1]);
        char *page = slurp_file(path);
        CHECK(page != NULL);
        for (char *o = strtok(opts, " "); page && o; o = strtok(NULL, " ")) {
            char roff[64];
            size_t n = 0;
            for (const char *q = o; *q && n + 3 < sizeof roff; q++) {
                if (*q == '-')
                    roff[n++] = '\\';
                roff[n++] = *q;
            }
            roff[n] = '\0';
            if (!strstr(page, roff)) {
                fprintf(stderr, "  %s does not describe %s\n", tools[t][1], o);
                harness_current_failed = 1;
            }
        }
        free(page);
    }
    /* rubric(3) gives every function rubric.h declares: its synopsis names
     * each as "name(". */
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/include/rubric.h", g_src);
    char *header = slurp_file(path);
    snprintf(path, sizeof path, "%s/man/rubric.3", g_src);
    char *manual = slurp_file(path);
    CHECK(header && manual);
    size_t functions = 0;
    for (const char *at = header; header && manual && (at = strstr(at, "RUBRIC_API ")); at++) {
        const char *paren = strchr(at, '(');
        const char *name = paren;
        while (name && name > at && (isalnum((unsigned char)name[-1]) || name[-1] == '_'))
            name--;
        if (!paren || paren - name < 7 || strncmp(name, "rubric_", 7) != 0)
            continue;
        char want[128];
        snprintf(want, sizeof want, "%.*s(", (int)(paren - name), name);
        functions++;
        if (!strstr(manual, want)) {
            fprintf(stderr, "  rubric.3 does not give %s)\n", want);
            harness_current_failed = 1;
        }
    }
    CHECK(functions > 40);
    free(header);
    free(manual);
}

/* The text output's link is the JSON's url, with and without a base URL. */
static void the_text_links_as_the_json_url_does(void)
{
    static const char *const bases[] = {"", "--base-url https://docs.example.org/ "};
    for (size_t k = 0; k < 2; k++) {
        cJSON *j = query_json(g_db, "%sBushehr", bases[k]);
        const char *url = j && nresults(j) ? str_of(result(j, 0), "url") : NULL;
        CHECK(url != NULL);
        cmd c;
        sh(&c, NULL, "\"$Q\" --db %s --color never %sBushehr", sq(g_db), bases[k]);
        char line[1024];
        snprintf(line, sizeof line, "\n   %s\n", url ? url : "?");
        if (!url || !strstr(c.out, line))
            fprintf(stderr, "  no line '%s' in:\n%s", url ? url : "?", c.out);
        CHECK(url && strstr(c.out, line) != NULL);
        cmd_free(&c);
        cJSON_Delete(j);
    }
}

static void reindexing_unchanged_or_touched_files_changes_nothing(void)
{
    char dir[PATH_MAX], corpus[PATH_MAX], db[PATH_MAX], line[1024];
    path_join(dir, g_tmp, "copy");
    path_join(corpus, dir, "corpus");
    path_join(db, dir, "db");
    CHECK(mkdir(dir, 0755) == 0);
    int nfiles = copy_corpus(corpus);
    CHECK(nfiles >= 2);

    cmd c;
    /* A relative path is stored as given. */
    sh(&c, dir, "\"$I\" --db db corpus");
    CHECK(c.status == 0);
    CHECK(summary_line(c.err, line, sizeof line) && count_before(line, "added") == nfiles);
    cmd_free(&c);
    long passages = db_passages(db);
    CHECK(passages > 0);
    cJSON *j = query_json(db, "Bushehr");
    CHECK_STR(str_of(result(j, 0), "path"), "corpus/russia-balancing-act.txt");
    char *before = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);

    /* Second run on the same input. */
    sh(&c, dir, "\"$I\" --db db corpus");
    CHECK(c.status == 0);
    CHECK(summary_line(c.err, line, sizeof line));
    CHECK(count_before(line, "added") == 0);
    CHECK(count_before(line, "changed") == 0);
    CHECK(count_before(line, "unchanged") == nfiles);
    if (c.status != 0 || count_before(line, "unchanged") != nfiles)
        fprintf(stderr, "  second run: %s", c.err);
    cmd_free(&c);
    CHECK(db_passages(db) == passages);
    j = query_json(db, "Bushehr");
    char *after = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    CHECK_STR(after, before);
    free(after);

    /* Same content, new modification time. */
    char file[PATH_MAX];
    path_join(file, corpus, "russia-balancing-act.txt");
    struct timespec ts[2] = {{1000000000, 0}, {1000000000, 0}};
    CHECK(utimensat(AT_FDCWD, file, ts, 0) == 0);
    sh(&c, dir, "\"$I\" --db db corpus");
    CHECK(c.status == 0);
    CHECK(summary_line(c.err, line, sizeof line));
    CHECK(count_before(line, "added") == 0);
    CHECK(count_before(line, "changed") == 0);
    CHECK(count_before(line, "unchanged") == nfiles);
    cmd_free(&c);
    CHECK(db_passages(db) == passages);
    j = query_json(db, "Bushehr");
    /* The new time is recorded (a write), so only the index's revision moves. */
    cJSON *b = cJSON_Parse(before);
    if (b)
        cJSON_DeleteItemFromObjectCaseSensitive(b, "index");
    if (j)
        cJSON_DeleteItemFromObjectCaseSensitive(j, "index");
    char *before_results = b ? cJSON_Print(b) : NULL;
    after = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    cJSON_Delete(b);
    CHECK_STR(after, before_results);
    free(after);
    free(before_results);

    /* New content is noticed: the counters above can move. */
    FILE *f = fopen(file, "ab");
    CHECK(f != NULL);
    if (f) {
        fputs("\nA Closing Note on Sources\nThis article drew on public reporting about "
              "the Bushehr plant and the diplomacy around it, and it will be revised as "
              "new statements from Moscow, Tehran and Jerusalem become available to the "
              "editors of this guide.\n", f);
        fclose(f);
    }
    sh(&c, dir, "\"$I\" --db db corpus");
    CHECK(c.status == 0);
    CHECK(summary_line(c.err, line, sizeof line));
    CHECK(count_before(line, "changed") == 1);
    CHECK(count_before(line, "unchanged") == nfiles - 1);
    cmd_free(&c);
    CHECK(db_passages(db) > passages);
    free(before);
}

static void a_file_deleted_from_an_indexed_directory_leaves_the_index(void)
{
    char dir[PATH_MAX], corpus[PATH_MAX], file[PATH_MAX];
    path_join(dir, g_tmp, "deleted");
    path_join(corpus, dir, "corpus");
    CHECK(mkdir(dir, 0755) == 0);
    CHECK(copy_corpus(corpus) >= 2);
    path_join(file, corpus, "urban-beekeeping.txt");
    cmd c;
    sh(&c, dir, "\"$I\" --db db corpus");
    CHECK(c.status == 0);
    cmd_free(&c);
    char db[PATH_MAX];
    path_join(db, dir, "db");
    long before = db_passages(db);
    cJSON *j = query_json(db, "-n 100 --boilerplate hive");
    CHECK(j && nresults(j) >= 1 &&
          streq(str_of(result(j, 0), "path"), "corpus/urban-beekeeping.txt"));
    cJSON_Delete(j);

    CHECK(unlink(file) == 0);
    sh(&c, dir, "\"$I\" --db db corpus");
    CHECK(c.status == 0);
    cmd_free(&c);
    CHECK(db_passages(db) < before);
    j = query_json(db, "-n 100 --boilerplate hive");
    CHECK(j != NULL);
    int stale = 0;
    for (int i = 0; j && i < nresults(j); i++)
        stale += streq(str_of(result(j, i), "path"), "corpus/urban-beekeeping.txt");
    if (stale)
        fprintf(stderr, "  %d passages of the deleted file are still found\n", stale);
    CHECK(stale == 0);
    cJSON_Delete(j);
}

/* The passages of the index in DIR/db (the shell says how many). */
static long passages_in(const char *dir)
{
    char db[PATH_MAX];
    path_join(db, dir, "db");
    return db_passages(db);
}

static void what_cannot_be_looked_at_keeps_its_passages(void)
{
    char dir[PATH_MAX];
    path_join(dir, g_tmp, "keep");
    CHECK(mkdir(dir, 0755) == 0);
    cmd c;
    sh(&c, dir, "mkdir -p src/sub && cp %s/russia-balancing-act.txt src/a.txt && "
                "cp %s/urban-beekeeping.txt src/sub/b.txt && \"$I\" -q --db db src",
       sq(g_corpus), sq(g_corpus));
    CHECK(c.status == 0);
    cmd_free(&c);
    long all = passages_in(dir);
    CHECK(all > 0);

    /* An empty PATH (an unset variable in a cron line) is a usage error. */
    sh(&c, dir, "\"$I\" -q --db db \"\"");
    CHECK(c.status == 2 && strstr(c.err, "empty PATH"));
    cmd_free(&c);
    CHECK(passages_in(dir) == all);

    /* A root missing for a moment (an unmounted share) is named, and kept. */
    sh(&c, dir, "mv src away && \"$I\" -q --db db src; s=$?; mv away src; exit $s");
    CHECK(c.status == 1 && strstr(c.err, "skipped 'src'") && strstr(c.err, " 0 removed"));
    cmd_free(&c);
    CHECK(passages_in(dir) == all);

    /* A folder that became a dangling link: named, and its files kept. */
    sh(&c, dir, "mv src/sub sub.away && ln -s nowhere src/sub && \"$I\" -q --db db src; s=$?; "
                "rm src/sub && mv sub.away src/sub; exit $s");
    CHECK(c.status == 1 && strstr(c.err, "dangling symbolic link"));
    cmd_free(&c);
    CHECK(passages_in(dir) == all);

    /* A folder its user cannot list (run as nobody, when the test is root). */
    if (getuid() == 0) {
        sh(&c, dir, "chown -R 65534 . && chmod 000 src/sub && "
                    "setpriv --reuid=65534 --regid=65534 --clear-groups \"$I\" -q --db db src; "
                    "s=$?; chmod 755 src/sub; chown -R 0 .; exit $s");
        CHECK(c.status == 1 && strstr(c.err, "skipped 'src/sub'"));
        cmd_free(&c);
        CHECK(passages_in(dir) == all);
    }

    /* Once it is back, the run is clean again; once really gone, removed. */
    sh(&c, dir, "\"$I\" -q --db db src");
    CHECK(c.status == 0);
    cmd_free(&c);
    sh(&c, dir, "rm -r src/sub && \"$I\" -q --db db src");
    CHECK(c.status == 0 && strstr(c.err, " 1 removed"));
    cmd_free(&c);
    CHECK(passages_in(dir) < all);
}

static void db_names_an_index_or_a_new_or_empty_folder_and_nothing_else_is_touched(void)
{
    char dir[PATH_MAX];
    path_join(dir, g_tmp, "dbplace");
    CHECK(mkdir(dir, 0755) == 0);
    cmd c;
    /* A folder of the user's: refused, with and without --rebuild. */
    sh(&c, dir, "mkdir user && echo precious > user/precious.doc && "
                "\"$I\" -q --db user %s; a=$?; \"$I\" -q --rebuild --db user %s; b=$?; "
                "test \"$(ls user)\" = precious.doc && test $a = 2 && test $b = 2",
       sq(g_corpus), sq(g_corpus));
    CHECK(c.status == 0 && strstr(c.err, "'user' is not a rubric index") &&
          strstr(c.err, "precious.doc"));
    cmd_free(&c);
    /* A file: refused. A new folder with a trailing slash: built and rebuilt. */
    sh(&c, dir, "echo x > afile && \"$I\" -q --db afile %s", sq(g_corpus));
    CHECK(c.status == 2 && strstr(c.err, "not a folder"));
    cmd_free(&c);
    sh(&c, dir, "\"$I\" -q --db new/ %s && \"$I\" -q --rebuild --db new/ %s && "
                "\"$Q\" --db new/ Bushehr >/dev/null && test ! -e new/.rebuild",
       sq(g_corpus), sq(g_corpus));
    CHECK(c.status == 0);
    cmd_free(&c);
    /* An empty folder is a new index. */
    sh(&c, dir, "mkdir empty && \"$I\" -q --db empty %s", sq(g_corpus));
    CHECK(c.status == 0);
    cmd_free(&c);
    /* Through a symbolic link: the rebuild replaces what the link leads to,
     * and the link stays a link. */
    sh(&c, dir, "mkdir real && ln -s real link && \"$I\" -q --db link %s && "
                "\"$I\" -q --rebuild --db link %s && test -L link && "
                "\"$I\" --db real --status | grep -q 'revision: 2'",
       sq(g_corpus), sq(g_corpus));
    CHECK(c.status == 0);
    cmd_free(&c);
    /* A folder of the user's where a rebuild would put its scratch copy. */
    sh(&c, dir, "mkdir new.rebuild && echo mine > new.rebuild/notes.txt && "
                "\"$I\" -q --rebuild --db new %s; a=$?; \"$I\" -q --db new %s; b=$?; "
                "test -f new.rebuild/notes.txt && test $a = 2 && test $b = 0",
       sq(g_corpus), sq(g_corpus));
    CHECK(c.status == 0 && strstr(c.err, "not rubric's"));
    cmd_free(&c);
}

static void a_folder_given_under_another_spelling_is_refused_not_indexed_twice(void)
{
    char dir[PATH_MAX];
    path_join(dir, g_tmp, "spelling");
    CHECK(mkdir(dir, 0755) == 0);
    cmd c;
    sh(&c, dir, "mkdir -p docs/sub && cp %s/*.txt docs/ && cp %s/urban-beekeeping.txt docs/sub/b.txt && "
                "\"$I\" -q --db db docs", sq(g_corpus), sq(g_corpus));
    CHECK(c.status == 0);
    cmd_free(&c);
    long all = passages_in(dir);
    /* Spelled another way: refused, nothing indexed twice. */
    const char *others[] = {"./docs", "\"$PWD/docs\"", "./docs/sub", "docs/../docs"};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        sh(&c, dir, "\"$I\" -q --db db %s", others[i]);
        if (c.status != 2 || !strstr(c.err, "spelled another way")) {
            fprintf(stderr, "  %s: exit %d: %s", others[i], c.status, c.err);
            harness_current_failed = 1;
        }
        cmd_free(&c);
    }
    CHECK(passages_in(dir) == all);
    /* The same spelling, a folder below it, or a trailing slash: fine. */
    sh(&c, dir, "\"$I\" -q --db db docs/ && \"$I\" -q --db db docs/sub && \"$I\" -q --db db docs");
    CHECK(c.status == 0);
    cmd_free(&c);
    CHECK(passages_in(dir) == all);
    /* A rebuild takes the new spelling, which the next runs then keep. */
    sh(&c, dir, "\"$I\" -q --rebuild --db db ./docs && \"$I\" -q --db db ./docs && "
                "\"$I\" -q --db db docs; test $? = 2");
    CHECK(c.status == 0);
    cmd_free(&c);
    CHECK(passages_in(dir) == all);
}

static void the_index_is_found_from_db_flag_then_env_then_current_directory(void)
{
    char loc1[PATH_MAX], loc2[PATH_MAX], loc3[PATH_MAX], p[PATH_MAX];
    path_join(loc1, g_tmp, "loc1");
    path_join(loc2, g_tmp, "loc2");
    path_join(loc3, g_tmp, "loc3");
    CHECK(mkdir(loc1, 0755) == 0 && mkdir(loc2, 0755) == 0 && mkdir(loc3, 0755) == 0);
    cmd c;

    /* Nothing set: ./rubric.db */
    sh(&c, loc1, "unset RUBRIC_DB; \"$I\" %s", sq(g_corpus));
    CHECK(c.status == 0);
    cmd_free(&c);
    path_join(p, loc1, "rubric.db");
    CHECK(is_dir(p));
    sh(&c, loc1, "unset RUBRIC_DB; \"$Q\" --json Bushehr");
    CHECK(c.status == 0 && strstr(c.out, "\"Nuclear Cooperation\""));
    cmd_free(&c);
    /* ... and where there is none, the query names it. */
    sh(&c, loc3, "unset RUBRIC_DB; \"$Q\" Bushehr");
    CHECK(c.status == 4);
    CHECK(strstr(c.err, "rubric.db") != NULL);
    cmd_free(&c);

    /* $RUBRIC_DB when there is no --db. */
    sh(&c, loc2, "RUBRIC_DB=envdb \"$I\" %s", sq(g_corpus));
    CHECK(c.status == 0);
    cmd_free(&c);
    path_join(p, loc2, "envdb");
    CHECK(is_dir(p));
    path_join(p, loc2, "rubric.db");
    CHECK(!is_dir(p));
    sh(&c, loc2, "RUBRIC_DB=envdb \"$Q\" --json Bushehr");
    CHECK(c.status == 0 && strstr(c.out, "\"Nuclear Cooperation\""));
    cmd_free(&c);
    sh(&c, loc2, "unset RUBRIC_DB; \"$Q\" --json Bushehr");
    CHECK(c.status == 4);
    cmd_free(&c);

    /* --db wins over $RUBRIC_DB. */
    sh(&c, loc3, "RUBRIC_DB=envdb \"$I\" --db flagdb %s", sq(g_corpus));
    CHECK(c.status == 0);
    cmd_free(&c);
    path_join(p, loc3, "flagdb");
    CHECK(is_dir(p));
    path_join(p, loc3, "envdb");
    CHECK(!is_dir(p));
    sh(&c, loc3, "RUBRIC_DB=envdb \"$Q\" --db flagdb --json Bushehr");
    CHECK(c.status == 0 && strstr(c.out, "\"Nuclear Cooperation\""));
    cmd_free(&c);
    sh(&c, loc3, "RUBRIC_DB=envdb \"$Q\" --json Bushehr");
    CHECK(c.status == 4);
    CHECK(strstr(c.err, "envdb") != NULL);
    cmd_free(&c);
}

static void color_follows_the_flag_then_no_color_and_term_then_the_terminal(void)
{
    cmd c;
    sh(&c, NULL, "unset NO_COLOR; \"$Q\" --db %s Bushehr", sq(g_db));
    CHECK(c.status == 0);
    CHECK(strstr(c.out, "Nuclear Cooperation") != NULL);
    CHECK(strstr(c.out, "Bushehr") != NULL);
    CHECK(memchr(c.out, '\033', c.out_len) == NULL);
    cmd_free(&c);

    sh(&c, NULL, "unset NO_COLOR; \"$Q\" --db %s --color always Bushehr", sq(g_db));
    CHECK(c.status == 0);
    CHECK(strstr(c.out, "\033[") != NULL);
    cmd_free(&c);

    /* The command line beats the environment. */
    sh(&c, NULL, "NO_COLOR=1 \"$Q\" --db %s --color always Bushehr", sq(g_db));
    CHECK(c.status == 0);
    CHECK(strstr(c.out, "\033[") != NULL);
    cmd_free(&c);

    /* On a terminal (script(1) gives one): colour, unless NO_COLOR is set or
     * TERM is dumb, or --color never. */
    static const struct {
        const char *env, *flag;
        int colour;
    } tty[] = {{"unset NO_COLOR; TERM=xterm", "", 1},
               {"NO_COLOR=1 TERM=xterm", "", 0},
               {"unset NO_COLOR; TERM=dumb", "", 0},
               {"unset NO_COLOR; TERM=xterm", "--color never", 0}};
    for (size_t k = 0; k < sizeof tty / sizeof *tty; k++) {
        sh(&c, NULL, "command -v script >/dev/null || exit 77; %s; export TERM NO_COLOR; "
                     "script -qec \"'$Q' --db %s %s Bushehr\" /dev/null",
           tty[k].env, sq(g_db), tty[k].flag);
        if (c.status == 77) {
            fprintf(stderr, "  script(1) missing: the terminal cases are not run\n");
            cmd_free(&c);
            break;
        }
        CHECK(c.status == 0 && strstr(c.out, "Bushehr") != NULL);
        int has = strstr(c.out, "\033[1;31m") != NULL;
        if (has != tty[k].colour) {
            fprintf(stderr, "  on a terminal with %s %s: colour %s\n", tty[k].env, tty[k].flag,
                    has ? "shown" : "not shown");
            harness_current_failed = 1;
        }
        cmd_free(&c);
    }
}

/* Off a terminal an index run says only its summary (and what it skipped),
 * with no control character; -v names each file; on a terminal one line is
 * redrawn in place while it runs and cleared for the summary. */
static void a_run_shows_progress_on_a_terminal_and_lists_files_only_with_v(void)
{
    char db[PATH_MAX], line[1024];
    cmd c;
    path_join(db, g_tmp, "progress.db");
    sh(&c, NULL, "\"$I\" --db %s %s", sq(db), sq(g_corpus));
    CHECK(c.status == 0 && summary_line(c.err, line, sizeof line));
    CHECK(strchr(c.err, '\r') == NULL && strchr(c.err, '\033') == NULL);
    CHECK(strstr(c.err, "added ") == NULL);  /* no line per file */
    CHECK(strchr(c.err, '\n') == c.err + strlen(c.err) - 1);  /* the summary alone */
    cmd_free(&c);
    sh(&c, NULL, "rm -rf %s && \"$I\" -v --db %s %s", sq(db), sq(db), sq(g_corpus));
    CHECK(c.status == 0 && strstr(c.err, "added ") && strstr(c.err, "russia-balancing-act.txt"));
    cmd_free(&c);
    sh(&c, NULL,
       "command -v script >/dev/null || exit 77; rm -rf %s; "
       "script -qec \"'$I' --db %s %s\" /dev/null",
       sq(db), sq(db), sq(g_corpus));
    if (c.status == 77) {
        fprintf(stderr, "  script(1) missing: the terminal case is not run\n");
    } else {
        char want[64];
        snprintf(want, sizeof want, "\rrubric-index: 0 of %d files, 0 passages", count_corpus_files());
        const char *bar = strstr(c.out, want), *summary = strstr(c.out, " files (");
        CHECK(c.status == 0 && bar && summary && bar < summary);
        /* the summary starts a line of its own, the line before cleared */
        const char *start = summary;
        while (start > c.out && start[-1] != '\r' && start[-1] != '\n')
            start--;
        CHECK(strncmp(start, "rubric-index: ", 14) == 0 && start > c.out && start[-1] == '\r');
        CHECK(strstr(c.out, "added ") == NULL);
        if (!bar || !summary)
            fprintf(stderr, "  on a terminal:\n%s", c.out);
    }
    cmd_free(&c);
    /* -q: nothing but the summary, on a terminal too. */
    sh(&c, NULL,
       "command -v script >/dev/null || exit 77; rm -rf %s; "
       "script -qec \"'$I' -q --db %s %s\" /dev/null",
       sq(db), sq(db), sq(g_corpus));
    CHECK(c.status == 77 || (c.status == 0 && strstr(c.out, " of ") == NULL &&
                             strstr(c.out, " files (") != NULL));
    cmd_free(&c);
}

static void help_version_and_usage_errors_have_their_exit_codes(void)
{
    cmd c;
    sh(&c, NULL, "\"$I\" --help");
    CHECK(c.status == 0 && strstr(c.out, "usage: rubric-index") != NULL);
    for (const char *l = c.out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        CHECK((strchr(l, '\n') ? (size_t)(strchr(l, '\n') - l) : strlen(l)) <= 80);
    cmd_free(&c);
    sh(&c, NULL, "\"$Q\" --help");
    CHECK(c.status == 0 && strstr(c.out, "usage: rubric-query") != NULL);
    /* The whole query language, a line each, as the README's table has it. */
    static const char *const syntax[] = {"\"power plant\"", "~2", " OR ", " AND ", "-word",
                                         "NOT ", "(a OR b)", "NEAR/3", "mediat*", "=mediation",
                                         "os.path.join", "focus-in-event", "title:", "path:",
                                         "lang:", "tag:", "--prune"};
    for (size_t k = 0; k < sizeof syntax / sizeof *syntax; k++)
        if (!strstr(c.out, syntax[k])) {
            fprintf(stderr, "  rubric-query --help lacks %s\n", syntax[k]);
            harness_current_failed = 1;
        }
    for (const char *l = c.out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        CHECK((strchr(l, '\n') ? (size_t)(strchr(l, '\n') - l) : strlen(l)) <= 80);
    cmd_free(&c);
    sh(&c, NULL, "\"$I\" --version");
    CHECK(c.status == 0 && strstr(c.out, RUBRIC_VERSION) != NULL);
    cmd_free(&c);
    sh(&c, NULL, "\"$Q\" --version");
    CHECK(c.status == 0 && strstr(c.out, RUBRIC_VERSION) != NULL);
    cmd_free(&c);
    sh(&c, NULL, "\"$I\" -V && \"$Q\" -V");
    CHECK(c.status == 0 && strstr(c.out, "rubric-index " RUBRIC_VERSION) != NULL &&
          strstr(c.out, "rubric-query " RUBRIC_VERSION) != NULL);
    cmd_free(&c);

    sh(&c, NULL, "\"$I\" --no-such-option %s", sq(g_corpus));
    CHECK(c.status == 2 && c.err[0] != '\0');
    cmd_free(&c);
    sh(&c, NULL, "\"$Q\" --db %s --no-such-option Bushehr", sq(g_db));
    CHECK(c.status == 2 && c.err[0] != '\0');
    cmd_free(&c);
    sh(&c, NULL, "\"$I\"");
    CHECK(c.status == 2 && c.err[0] != '\0');
    cmd_free(&c);
    sh(&c, NULL, "\"$Q\" --db %s", sq(g_db));
    CHECK(c.status == 2 && c.err[0] != '\0');
    cmd_free(&c);

    char db[PATH_MAX];
    path_join(db, g_tmp, "klingon.db");
    sh(&c, NULL, "\"$I\" --db %s --lang klingon %s", sq(db), sq(g_corpus));
    CHECK(c.status == 2);
    CHECK(strstr(c.err, "klingon") != NULL);
    CHECK(!is_dir(db)); /* nothing was created */
    cmd_free(&c);
}

static void invalid_utf8_is_skipped_by_name_and_the_rest_indexed(void)
{
    char dir[PATH_MAX], bad[PATH_MAX];
    CHECK(make_input_dir("latin1", dir) == 0);
    path_join(bad, dir, "latin1.txt");
    static const char latin1[] =
        "Cr\xe8me br\xfbl\xe9\x65\n"
        "\xc9t\xe9 \xe0 la fran\xe7\x61ise: caf\xe9, cr\xe8me, br\xfbl\xe9\x65, d\xe9j\xe0, "
        "\xe9l\xe8ve, \xe9t\xe9, f\xeate, na\xefve, gar\xe7on, fa\xe7\x61\x64\x65.\n";
    CHECK(write_file(bad, latin1, sizeof latin1 - 1) == 0);
    static const char *const why[] = {"UTF-8", "UTF8", "encoding", "not text", NULL};
    check_bad_input(dir, "latin1.txt", why);
}

static void an_empty_file_is_skipped_by_name_and_the_rest_indexed(void)
{
    char dir[PATH_MAX], bad[PATH_MAX];
    CHECK(make_input_dir("empty", dir) == 0);
    path_join(bad, dir, "empty.txt");
    CHECK(write_file(bad, "", 0) == 0);
    static const char *const why[] = {"empty", "no text", NULL};
    check_bad_input(dir, "empty.txt", why);
}

/* With --json, CMD's stdout is one JSON object whose error has CODE, its
 * exit STATUS, and stderr names the tool (not the path it was run by). */
static void check_json_error(const char *cmdline, int status, const char *code, const char *tool)
{
    cmd c;
    sh(&c, NULL, "%s", cmdline);
    cJSON *j = cJSON_Parse(c.out);
    const cJSON *e = j ? cJSON_GetObjectItemCaseSensitive(j, "error") : NULL;
    if (c.status != status || !e || !str_of(e, "code") || strcmp(str_of(e, "code"), code))
        fprintf(stderr, "  %s: exit %d, stdout:\n%s", cmdline, c.status, c.out);
    CHECK(c.status == status);
    CHECK(j && num_of(j, "schema") == RUBRIC_JSON_SCHEMA);
    CHECK_STR(str_of(e, "code"), code);
    CHECK(str_of(e, "message") && *str_of(e, "message"));
    CHECK(strncmp(c.err, tool, strlen(tool)) == 0 && c.err[strlen(tool)] == ':');
    cJSON_Delete(j);
    cmd_free(&c);
}

static void json_output_errors_status_and_run_summaries_carry_a_schema(void)
{
    char missing[PATH_MAX], cmdline[3 * PATH_MAX];
    path_join(missing, g_tmp, "no-such.db");
    check_json_error("\"$Q\" --json --no-such-option Bushehr", 2, "usage", "rubric-query");
    check_json_error("\"$Q\" -n x --json Bushehr", 2, "usage", "rubric-query");
    check_json_error("\"$Q\" --json", 2, "usage", "rubric-query");
    snprintf(cmdline, sizeof cmdline, "\"$Q\" --json --db %s Bushehr", sq(missing));
    check_json_error(cmdline, 4, "index", "rubric-query");
    check_json_error("\"$I\" --json --bogus x", 2, "usage", "rubric-index");
    snprintf(cmdline, sizeof cmdline, "\"$I\" --json --status --db %s", sq(missing));
    check_json_error(cmdline, 4, "index", "rubric-index");
    /* Without --json an error is no JSON, and getopt's own words are not used. */
    cmd c;
    sh(&c, NULL, "\"$Q\" --no-such-option Bushehr");
    CHECK(c.status == 2 && c.out[0] == '\0' &&
          strstr(c.err, "rubric-query: unknown option '--no-such-option'") != NULL);
    cmd_free(&c);

    /* --status --json: the figures of --status. */
    sh(&c, NULL, "\"$I\" --status --json --db %s", sq(g_db));
    cJSON *j = cJSON_Parse(c.out);
    static const char *const status_keys[] = {"schema", "index", "revision", "updated", "files",
                                              "passages", "folded", "language", "base_url",
                                              "bytes", "config", NULL};
    CHECK(c.status == 0 && j && has_exactly_keys(j, status_keys));
    CHECK(num_of(j, "files") == count_corpus_files() && num_of(j, "passages") == db_passages(g_db));
    CHECK_STR(str_of(j, "language"), "english");
    cJSON_Delete(j);
    cmd_free(&c);

    /* A run's summary, a skipped file with its reason, a dry run's plan. */
    char dir[PATH_MAX], bad[PATH_MAX], db[PATH_MAX];
    CHECK(make_input_dir("json-run", dir) == 0);
    path_join(bad, dir, "binary.txt");
    CHECK(write_file(bad, "a\0b", 3) == 0);
    path_join(db, g_tmp, "json-run.db");
    sh(&c, NULL, "\"$I\" --json --db %s %s", sq(db), sq(dir));
    j = cJSON_Parse(c.out);
    CHECK(c.status == 1 && j && num_of(j, "schema") == RUBRIC_JSON_SCHEMA);
    CHECK(j && num_of(j, "added") == num_of(j, "files") && num_of(j, "files") >= 1);
    CHECK(j && num_of(j, "passages") == db_passages(db) && num_of(j, "revision") == 1);
    const cJSON *sk = j ? cJSON_GetObjectItemCaseSensitive(j, "skipped") : NULL;
    CHECK(cJSON_GetArraySize(sk) == 1);
    const cJSON *s0 = cJSON_GetArrayItem(sk, 0);
    CHECK(s0 && ends_with(str_of(s0, "path"), "/binary.txt") && str_of(s0, "reason") &&
          strstr(str_of(s0, "reason"), "binary"));
    cJSON_Delete(j);
    cmd_free(&c);
    CHECK(unlink(bad) == 0);
    path_join(bad, dir, "new.txt");
    CHECK(write_file(bad, good_text, sizeof good_text - 1) == 0);
    sh(&c, NULL, "\"$I\" --json --dry-run --db %s %s", sq(db), sq(dir));
    j = cJSON_Parse(c.out);
    const cJSON *add = j ? cJSON_GetObjectItemCaseSensitive(j, "add") : NULL;
    CHECK(c.status == 0 && j && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "dry_run")));
    CHECK(cJSON_GetArraySize(add) == 1 && cJSON_IsString(cJSON_GetArrayItem(add, 0)) &&
          ends_with(cJSON_GetArrayItem(add, 0)->valuestring, "/new.txt"));
    cJSON_Delete(j);
    cmd_free(&c);
}

static void a_binary_file_is_skipped_by_name_and_the_rest_indexed(void)
{
    char dir[PATH_MAX], bad[PATH_MAX];
    CHECK(make_input_dir("binary", dir) == 0);
    path_join(bad, dir, "binary.txt");
    static const char bin[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0\x01\0\0\0"
                              "some text\0more\0\x01\x02\x03";
    CHECK(write_file(bad, bin, sizeof bin - 1) == 0);
    static const char *const why[] = {"binary", "NUL", "not text", NULL};
    check_bad_input(dir, "binary.txt", why);
}

static void a_50_mb_single_line_file_is_indexed_or_skipped_without_crashing(void)
{
    char dir[PATH_MAX], big[PATH_MAX], db[PATH_MAX];
    CHECK(make_input_dir("big", dir) == 0);
    path_join(big, dir, "huge.txt");
    FILE *f = fopen(big, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    static char chunk[1 << 20];
    for (size_t i = 0; i + 5 <= sizeof chunk; i += 5)
        memcpy(chunk + i, "word ", 5);
    size_t per = sizeof chunk - sizeof chunk % 5;
    size_t total = 0;
    while (total < 50u * 1024 * 1024)
        total += fwrite(chunk, 1, per, f);
    CHECK(fclose(f) == 0);
    path_cat(db, dir, ".db", "");

    cmd c;
    sh(&c, NULL, "timeout 55 \"$I\" --db %s %s", sq(db), sq(dir));
    CHECK(c.status == 0 || c.status == 1);
    if (c.status == 1) {
        CHECK(strstr(c.err, "huge.txt") != NULL);
    } else if (c.status == 0) {
        cJSON *j = query_json(db, "-n 1 word");
        CHECK(j && nresults(j) == 1 && ends_with(str_of(result(j, 0), "path"), "/huge.txt"));
        cJSON_Delete(j);
    } else {
        fprintf(stderr, "  exit %d, stderr:\n%s", c.status, c.err);
    }
    cmd_free(&c);
    CHECK(good_file_found(db));
    unlink(big);
}

static void an_unreadable_file_is_skipped_by_name_and_the_rest_indexed(void)
{
    char dir[PATH_MAX], bad[PATH_MAX];
    CHECK(make_input_dir("unreadable", dir) == 0);
    path_join(bad, dir, "secret.txt");
    CHECK(write_file(bad, good_text, strlen(good_text)) == 0);
    CHECK(chmod(bad, 0) == 0);
    static const char *const why[] = {"permission", "cannot read", "denied", NULL};
    if (geteuid() != 0) {
        check_bad_input(dir, "secret.txt", why);
    } else {
        /* Root reads any file: the indexer runs as nobody, in the folder. */
        cmd c;
        sh(&c, dir, "mkdir in && mv good.txt secret.txt in/ && chown -R 65534 . && "
                    "setpriv --reuid=65534 --regid=65534 --clear-groups \"$I\" --db db in");
        CHECK(c.status == 1 && strstr(c.err, "in/secret.txt") && find_ci(c.err, "denied"));
        if (c.status != 1)
            fprintf(stderr, "  exit %d, stderr:\n%s", c.status, c.err);
        cmd_free(&c);
        char db[PATH_MAX];
        path_join(db, dir, "db");
        cJSON *j = query_json(db, "%s", GOOD_WORD);
        CHECK(j && nresults(j) == 1);
        cJSON_Delete(j);
        path_join(bad, dir, "in/secret.txt");
    }
    chmod(bad, 0644);
}

static void a_fifo_named_like_an_article_is_skipped_instead_of_hanging(void)
{
    char dir[PATH_MAX], fifo[PATH_MAX], db[PATH_MAX], line[1024];
    CHECK(make_input_dir("fifo", dir) == 0);
    path_join(fifo, dir, "pipe.txt");
    CHECK(mkfifo(fifo, 0644) == 0);
    path_cat(db, dir, ".db", "");
    cmd c;
    sh(&c, NULL, "timeout 5 \"$I\" --db %s %s", sq(db), sq(dir));
    CHECK(c.status != 124); /* timeout's status: the indexer hung */
    CHECK(c.status == 0 || c.status == 1);
    if (c.status == 1)
        CHECK(line_with(c.err, "pipe.txt", line, sizeof line));
    if (c.status != 0 && c.status != 1)
        fprintf(stderr, "  exit %d (124: killed after 5 s), stderr:\n%s", c.status, c.err);
    cmd_free(&c);
    CHECK(good_file_found(db));
}

static void settings_files_that_are_fifos_or_devices_are_refused_at_once(void)
{
    char fifo[PATH_MAX];
    path_join(fifo, g_tmp, "settings.fifo");
    CHECK(mkfifo(fifo, 0644) == 0);
    const char *files[] = {fifo, "/dev/zero"};
    for (size_t k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++) {
            cmd c;
            if (i == 0)
                sh(&c, NULL, "timeout 5 \"$Q\" --db %s --synonyms %s Bushehr", sq(g_db),
                   sq(files[k]));
            else if (i == 1)
                sh(&c, NULL, "timeout 5 \"$Q\" --db %s --config %s Bushehr", sq(g_db),
                   sq(files[k]));
            else
                sh(&c, NULL, "timeout 5 \"$I\" --db %s --config %s --status", sq(g_db),
                   sq(files[k]));
            if (c.status != 2 || !strstr(c.err, "not a regular file")) {
                fprintf(stderr, "  case %d on %s: exit %d (124: hung), stderr: %s", i, files[k],
                        c.status, c.err);
                harness_current_failed = 1;
            }
            cmd_free(&c);
        }
    unlink(fifo);
}

static void files_over_the_maximum_size_are_skipped_keeping_their_passages(void)
{
    char dir[PATH_MAX];
    CHECK(make_input_dir("maxsize", dir) == 0);
    cmd c;
    /* good.txt is some 400 bytes; it is indexed, then grows past 1K. */
    sh(&c, dir, "\"$I\" -q --db db good.txt && head -c 2000 /dev/zero | tr '\\0' 'a' >> good.txt "
                "&& \"$I\" -q --db db --max-file-size 1K good.txt");
    CHECK(c.status == 1 && strstr(c.err, "larger than the maximum file size (1024 bytes)"));
    cmd_free(&c);
    char db[PATH_MAX];
    path_join(db, dir, "db");
    cJSON *j = query_json(db, "%s", GOOD_WORD);
    CHECK(j && nresults(j) == 1);  /* what was indexed for it stays */
    cJSON_Delete(j);
    /* The configuration's limit, and bad values. */
    sh(&c, dir, "echo '{\"max_file_size\": \"2K\"}' > rubric.json && \"$I\" -q --db db good.txt");
    CHECK(c.status == 1 && strstr(c.err, "(2048 bytes)"));
    cmd_free(&c);
    sh(&c, dir, "echo '{\"max_file_size\": \"lots\"}' > rubric.json && \"$I\" -q --db db good.txt");
    CHECK(c.status == 2 && strstr(c.err, "max_file_size"));
    cmd_free(&c);
    sh(&c, dir, "rm rubric.json && \"$I\" -q --db db --max-file-size 0 good.txt");
    CHECK(c.status == 2 && strstr(c.err, "--max-file-size"));
    cmd_free(&c);
    sh(&c, dir, "\"$I\" -q --db db --max-file-size 1M good.txt");
    CHECK(c.status == 0);
    cmd_free(&c);
}

static void a_missing_index_exits_4_naming_its_path(void)
{
    cmd c;
    sh(&c, NULL, "\"$Q\" --db /nonexistent/x Bushehr");
    CHECK(c.status == 4);
    CHECK(strstr(c.err, "/nonexistent/x") != NULL);
    CHECK(c.out[0] == '\0');
    cmd_free(&c);
}

static void a_damaged_index_exits_4_saying_so_never_crashing(void)
{
    /* A truncated table: the search fails on every retry, and says so. */
    cmd c;
    sh(&c, NULL,
       "rm -rf damaged && cp -a %s damaged && "
       "truncate -s $(( $(stat -c %%s damaged/postlist.glass) / 2 )) damaged/postlist.glass && "
       "\"$Q\" --db damaged Bushehr",
       sq(g_db));
    CHECK(c.status == 4);
    CHECK(strstr(c.err, "'damaged'") && find_ci(c.err, "damaged?"));
    cmd_free(&c);
    /* An indexer run with nothing to do says so too, and so does a dry run. */
    sh(&c, NULL, "\"$I\" -q --db damaged %s; a=$?; \"$I\" --dry-run --db damaged %s; b=$?; "
                 "test $a = 4 && test $b = 4", sq(g_corpus), sq(g_corpus));
    CHECK(c.status == 0 && strstr(c.err, "'damaged' is damaged"));
    cmd_free(&c);
    /* No position table: phrases would silently turn into AND. */
    sh(&c, NULL,
       "rm -rf damaged && cp -a %s damaged && rm damaged/position.glass && "
       "\"$Q\" --db damaged '\"plant nuclear\"'",
       sq(g_db));
    CHECK(c.status == 4);
    CHECK(strstr(c.err, "position") != NULL);
    CHECK(c.out[0] == '\0');
    cmd_free(&c);
    sh(&c, NULL, "rm -rf damaged");
    cmd_free(&c);
}

/* Whether the N bytes at S hold anything that drives a terminal: C0 controls
 * but the newline and tab, DEL, a C1 control or a bidirectional override. */
static int drives_terminal(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
            return 1;
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] <= 0x9F)
            return 1;
        if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
            (unsigned char)s[i + 2] == 0xAE)
            return 1;
    }
    return 0;
}

static void text_output_never_passes_terminal_controls_from_documents_names_or_queries(void)
{
    static const char article[] =
        "\033]0;PWNED\007\033[2JEscapology Notes\n"
        "\n"
        "Plain words about escapology, a bell \007 here, a CSI \302\233 31m there, and an "
        "override \342\200\256 that would turn the rest of the line around.\n";
    char dir[PATH_MAX], file[PATH_MAX];
    path_join(dir, g_tmp, "escapes");
    CHECK(mkdir(dir, 0755) == 0);
    path_join(file, dir, "esc\033[31mred\033[0m.txt");
    CHECK(write_file(file, article, sizeof article - 1) == 0);
    cmd c;
    sh(&c, NULL, "\"$I\" -q --db escapes.db escapes && \"$Q\" --db escapes.db --color never "
                 "--explain --fragments 2 escapology");
    CHECK(c.status == 0 && strstr(c.out, "Escapology Notes") && strstr(c.out, "red"));
    CHECK(!drives_terminal(c.out, c.out_len));
    CHECK(!drives_terminal(c.err, strlen(c.err)));
    cmd_free(&c);
    /* A newline in a file name cannot forge a line of the indexer's log. */
    path_join(file, dir, "forged\nrubric-index: 0 files (0 added).txt");
    CHECK(write_file(file, article, sizeof article - 1) == 0);
    sh(&c, NULL, "\"$I\" -v --db escapes.db escapes");
    CHECK(c.status == 0);
    int summaries = 0;
    for (const char *l = c.err; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        summaries += strncmp(l, "rubric-index: ", 14) == 0;
    CHECK(summaries == 1 && strstr(c.err, "forged?rubric-index: 0 files"));
    CHECK(!drives_terminal(c.err, strlen(c.err)));
    cmd_free(&c);
    /* The query echoed back, in a result line and in an error. */
    /* (Its words, "zq", "9" and "qx", are in no passage, one by one either.) */
    sh(&c, NULL, "\"$Q\" --db escapes.db --color never \"$(printf 'zq\\033]9;qx\\007zq')\"");
    CHECK(c.status == 0 && strstr(c.out, "no passages match"));
    CHECK(!drives_terminal(c.out, c.out_len));
    cmd_free(&c);
    sh(&c, NULL, "\"$Q\" --db escapes.db \"$(printf '\\033\\007!!')\"");
    CHECK(c.status == 2 && c.err[0]);
    CHECK(!drives_terminal(c.err, strlen(c.err)));
    cmd_free(&c);
}

/* Whether every string in J (keys and values, all the way down) is UTF-8. */
static int all_utf8(const cJSON *j)
{
    for (const cJSON *c = j; c; c = c->next) {
        if (c->string && !valid_utf8(c->string, strlen(c->string)))
            return 0;
        if (cJSON_IsString(c) && !valid_utf8(c->valuestring, strlen(c->valuestring)))
            return 0;
        if (c->child && !all_utf8(c->child))
            return 0;
    }
    return 1;
}

static void json_is_utf8_and_urls_encode_what_file_names_hold(void)
{
    static const char article[] =
        "Odd Names\n\nEvery file here has a name a link must encode: quuxnames.\n";
    /* Each file's own words: four copies of one text would be folded into one. */
    static const char *const own[] = {
        "The hash sign would start a fragment, so it travels as an escape instead.",
        "A question mark would start a query string, and the equals sign follows it.",
        "This byte is not UTF-8 at all, which only an escape can carry into a link.",
        "The percent sign itself begins every escape, so it needs one of its own.",
        "A colon before any slash would read as a scheme, and this one runs script.",
    };
    static const char *const names[] = {"a#b.txt", "c?d=1.txt", "inv\377name.txt", "e%f.txt",
                                        "javascript:alert(1).txt"};
    /* A relative link whose first segment holds ':' starts "./" (RFC 3986,
     * 4.2): else a browser reads "javascript:" as the link's scheme. */
    static const char *const urls[] = {"a%23b.txt#odd-names", "c%3Fd=1.txt#odd-names",
                                       "inv%FFname.txt#odd-names",
                                       "e%25f.txt#odd-names",
                                       "./javascript:alert(1).txt#odd-names"};
    char dir[PATH_MAX], file[PATH_MAX];
    path_join(dir, g_tmp, "names");
    CHECK(mkdir(dir, 0755) == 0);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        path_join(file, dir, names[i]);
        char text[512];
        snprintf(text, sizeof text, "%s%s\n", article, own[i]);
        CHECK(write_file(file, text, strlen(text)) == 0);
    }
    cmd c;
    sh(&c, NULL, "\"$I\" -q --db names.db names");
    CHECK(c.status == 0);
    cmd_free(&c);
    cJSON *j = query_json("names.db", "quuxnames");
    CHECK(j && nresults(j) == 5 && all_utf8(j));
    for (size_t i = 0; j && i < sizeof urls / sizeof *urls; i++) {
        int found = 0;
        for (int k = 0; k < nresults(j); k++)
            found += streq(str_of(result(j, k), "url"), urls[i]);
        if (!found) {
            fprintf(stderr, "  no result has the url %s\n", urls[i]);
            harness_current_failed = 1;
        }
    }
    cJSON_Delete(j);
    /* A query that is not UTF-8 echoes back as UTF-8. */
    j = query_json("names.db", "quux\377names");
    CHECK(j && all_utf8(j) && str_of(j, "query"));
    cJSON_Delete(j);
}

static void queries_without_words_are_usage_errors(void)
{
    cmd c;
    sh(&c, NULL, "\"$Q\" --db %s ''", sq(g_db));
    CHECK(c.status == 2 && c.err[0] != '\0');
    cmd_free(&c);
    sh(&c, NULL, "\"$Q\" --db %s --json %s", sq(g_db), sq("?! ... -- ,;"));
    CHECK(c.status == 2 && c.err[0] != '\0');
    cmd_free(&c);
    /* a real word through the same command line works */
    sh(&c, NULL, "\"$Q\" --db %s --json Bushehr", sq(g_db));
    CHECK(c.status == 0);
    cmd_free(&c);
}

static void an_unbalanced_quote_never_crashes(void)
{
    cJSON *j = query_json(g_db, "%s", sq("\"nuclear power"));
    CHECK(j != NULL);
    CHECK(j && nresults(j) >= 0);
    CHECK(j && ranked(j, 1));
    cJSON_Delete(j);
}

static void a_second_writer_gets_exit_3_while_the_index_is_locked(void)
{
    char db[PATH_MAX];
    path_join(db, g_tmp, "lock.db");
    rubric_index *ix = NULL;
    char *err = NULL;
    int rc = rubric_index_open(db, NULL, &ix, &err);
    CHECK(rc == RUBRIC_OK && ix != NULL);
    if (rc != RUBRIC_OK)
        fprintf(stderr, "  rubric_index_open: %s\n", err ? err : rubric_strerror(rc));
    free(err);
    cmd c;
    sh(&c, NULL, "\"$I\" --db %s %s", sq(db), sq(g_corpus));
    CHECK(c.status == 3);
    CHECK(find_ci(c.err, "locked") != NULL);
    if (c.status != 3)
        fprintf(stderr, "  exit %d, stderr:\n%s", c.status, c.err);
    cmd_free(&c);
    rubric_index_close(ix);
    /* once closed, the same command succeeds */
    sh(&c, NULL, "\"$I\" --db %s %s", sq(db), sq(g_corpus));
    CHECK(c.status == 0);
    cmd_free(&c);
}

/* ------------------------------------------------------------------- main */

int main(void)
{
    const char *src = getenv("RUBRIC_SRCDIR");
    char p[PATH_MAX];
    src = src && *src ? src : ".";
    if (shell_setup("cli", g_index, g_query, g_tmp) < 0)
        return 1;
    /* $S in the shell commands: rubric-serve, beside the other two. */
    char serve[PATH_MAX];
    snprintf(p, sizeof p, "%s/rubric-serve", getenv("RUBRIC_BUILD") && *getenv("RUBRIC_BUILD")
                                                 ? getenv("RUBRIC_BUILD") : "build");
    if (absolute(p, serve) < 0)
        return 1;
    setenv("S", serve, 1);
    snprintf(p, sizeof p, "%s/corpus", src);
    if (absolute(p, g_corpus) < 0 || absolute(src, g_src) < 0)
        return 1;
    /* Nor colours. */
    unsetenv("NO_COLOR");

    path_join(g_db, g_tmp, "db");
    sh(&g_first_run, NULL, "\"$I\" --db %s %s", sq(g_db), sq(g_corpus));

    RUN(indexing_the_corpus_exits_0_with_a_one_line_summary);
    RUN(query_bushehr_finds_nuclear_cooperation_first_with_the_documented_json);
    RUN(query_mediation_finds_the_diplomacy_section_and_marks_other_forms);
    RUN(boilerplate_is_hidden_unless_asked_for);
    RUN(a_misspelt_word_gets_a_suggestion);
    RUN(a_quoted_phrase_matches_only_adjacent_words);
    RUN(a_minus_word_excludes_the_passages_that_hold_it);
    RUN(words_never_together_fall_back_to_ranked_partial_matches);
    RUN(limit_and_offset_page_through_the_ranking);
    RUN(the_total_is_exact_and_the_same_on_every_page);
    RUN(the_text_links_as_the_json_url_does);
    RUN(matches_are_marked_in_titles_and_trails);
    RUN(filters_and_prefix_are_options_of_the_query_tool);
    RUN(completion_knows_the_options_and_their_values);
    RUN(make_install_puts_everything_in_place_and_uninstall_removes_it);
    RUN(the_manual_pages_render_cleanly_and_name_every_option);
    RUN(reindexing_unchanged_or_touched_files_changes_nothing);
    RUN(a_file_deleted_from_an_indexed_directory_leaves_the_index);
    RUN(what_cannot_be_looked_at_keeps_its_passages);
    RUN(db_names_an_index_or_a_new_or_empty_folder_and_nothing_else_is_touched);
    RUN(a_folder_given_under_another_spelling_is_refused_not_indexed_twice);
    RUN(the_index_is_found_from_db_flag_then_env_then_current_directory);
    RUN(color_follows_the_flag_then_no_color_and_term_then_the_terminal);
    RUN(a_run_shows_progress_on_a_terminal_and_lists_files_only_with_v);
    RUN(help_version_and_usage_errors_have_their_exit_codes);
    RUN(json_output_errors_status_and_run_summaries_carry_a_schema);
    RUN(invalid_utf8_is_skipped_by_name_and_the_rest_indexed);
    RUN(an_empty_file_is_skipped_by_name_and_the_rest_indexed);
    RUN(a_binary_file_is_skipped_by_name_and_the_rest_indexed);
    RUN(a_50_mb_single_line_file_is_indexed_or_skipped_without_crashing);
    RUN(an_unreadable_file_is_skipped_by_name_and_the_rest_indexed);
    RUN(a_fifo_named_like_an_article_is_skipped_instead_of_hanging);
    RUN(settings_files_that_are_fifos_or_devices_are_refused_at_once);
    RUN(files_over_the_maximum_size_are_skipped_keeping_their_passages);
    RUN(a_missing_index_exits_4_naming_its_path);
    RUN(a_damaged_index_exits_4_saying_so_never_crashing);
    RUN(text_output_never_passes_terminal_controls_from_documents_names_or_queries);
    RUN(json_is_utf8_and_urls_encode_what_file_names_hold);
    RUN(queries_without_words_are_usage_errors);
    RUN(an_unbalanced_quote_never_crashes);
    RUN(a_second_writer_gets_exit_3_while_the_index_is_locked);

    cmd_free(&g_first_run);
    snprintf(p, sizeof p, "rm -rf %s", sq(g_tmp));
    if (system(p) != 0)
        fprintf(stderr, "test_cli: could not remove %s\n", g_tmp);
    return HARNESS_END();
}
