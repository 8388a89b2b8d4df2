/* test_sites.c: end-to-end tests of the real tools on a small web site: HTML
 * pages, Markdown, a JSON Lines export, drafts, a noindex page. Links (base
 * URL + path under the root + "#" + anchor), --include/--exclude, rubric.json
 * (sources, db, base_url, boilerplate) and its overrides, reindexing after
 * deletes and edits, and malformed files among good ones.
 *
 * Binaries are found under $RUBRIC_BUILD (default "build"); everything runs in
 * a fresh temporary directory (removed at the end), each test in a folder of
 * its own holding its own copy of the site. Commands run through /bin/sh:
 * stdout is read through popen, stderr goes to a file, and the exit status is
 * the shell's (a crash shows as 128 + signal).
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath */

#include <ctype.h>
#include <errno.h>
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

static char g_tmp[PATH_MAX];   /* the temporary directory */
static char g_index[PATH_MAX]; /* absolute path of rubric-index */
static char g_query[PATH_MAX]; /* absolute path of rubric-query */

#define BASE "https://docs.example.org/"

/* ------------------------------------------------------------- the site */

/* Each word below occurs in one place only, so a query for it says whether
 * that place is in the index. */

static const char index_html[] =
    "<!DOCTYPE html>\n<html><head><title>Example Docs</title></head><body>\n"
    "<h1>Welcome to Example Docs</h1>\n"
    "<p>The welcome page talks about the quokkafrond project and how every part of it "
    "fits together.</p>\n"
    "<h2>Elsewhere</h2>\n"
    "<ul>\n"
    "<li><a href=\"/a\">Grommetwhistle Gazette</a></li>\n"
    "<li><a href=\"/b\">Partner Weather Station</a></li>\n"
    "<li><a href=\"/c\">Holiday Cottage Rentals</a></li>\n"
    "<li><a href=\"/d\">Vintage Bicycle Parts</a></li>\n"
    "<li><a href=\"/e\">Garden Gnome Outlet</a></li>\n"
    "</ul>\n"
    "</body></html>\n";

static const char install_html[] =
    "<!DOCTYPE html>\n<html><head><title>Installing</title></head><body>\n"
    "<main>\n"
    "<h1>Installation guide</h1>\n"
    "<section id=\"requirements\"><h2>Requirements</h2>\n"
    "<p>You need a compiler and the zorblaxite toolkit before building anything.</p>\n"
    "</section>\n"
    "<section id=\"build-steps\"><h2>Building from source</h2>\n"
    "<p>Run make in the checkout; the tumbleweedix step takes a while to finish.</p>\n"
    "</section>\n"
    "</main></body></html>\n";

/* The same page after an edit: a new word in place of the old one. */
static const char install_edited_html[] =
    "<!DOCTYPE html>\n<html><head><title>Installing</title></head><body>\n"
    "<main>\n"
    "<h1>Installation guide</h1>\n"
    "<section id=\"requirements\"><h2>Requirements</h2>\n"
    "<p>You need a compiler and the zorblaxite toolkit before building anything.</p>\n"
    "</section>\n"
    "<section id=\"build-steps\"><h2>Building from source</h2>\n"
    "<p>Run make in the checkout; the marmotquaver step, rewritten, is quick now.</p>\n"
    "</section>\n"
    "</main></body></html>\n";

static const char notes_md[] =
    "# Release notes\n"
    "\n"
    "Intro text for the notes.\n"
    "\n"
    "## Version two\n"
    "\n"
    "The second version adds the plinkerton feature to everything.\n";

static const char wip_html[] =
    "<html><body><h1>Draft</h1>\n"
    "<p>This draft mentions the snozzberry idea nobody has seen yet.</p></body></html>\n";

#define EXT_URL "https://ext.example.com/api/widgets"
#define FAQ_URL "https://ext.example.com/faq"
static const char export_jsonl[] =
    "{\"url\": \"" EXT_URL "\", \"title\": \"Widgets API\", \"anchor\": \"create\", "
    "\"text\": \"Create a widget with the frobnicator endpoint.\"}\n"
    "{\"path\": \"kb/article-7\", \"title\": \"Retries\", \"anchor\": \"retries\", "
    "\"text\": \"The gliblorp setting controls how often requests are retried.\"}\n"
    "{\"url\": \"" FAQ_URL "\", \"title\": \"Frequently Asked\", "
    "\"text\": \"Answers about the wibbleplank service.\"}\n";

/* ---------------------------------------------------------------- helpers */


/* Write LEN bytes of DATA to REL under DIR, creating the folders on the way. */
static int put_bytes(const char *dir, const char *rel, const char *data, size_t len)
{
    char path[PATH_MAX];
    path_join(path, dir, rel);
    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        int bad = mkdir(path, 0755) < 0 && errno != EEXIST;
        *p = '/';
        if (bad)
            return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "  cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    int ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int put(const char *dir, const char *rel, const char *text)
{
    return put_bytes(dir, rel, text, strlen(text));
}

static int gone(const char *dir, const char *rel)
{
    char path[PATH_MAX];
    path_join(path, dir, rel);
    return unlink(path) == 0 ? 0 : -1;
}

static int is_dir(const char *dir, const char *rel)
{
    char path[PATH_MAX];
    struct stat st;
    path_join(path, dir, rel);
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A fresh working folder NAME under the temporary directory, holding the site
 * under site/; its path goes to DIR. */
static int make_site(const char *name, char *dir)
{
    path_join(dir, g_tmp, name);
    if (mkdir(dir, 0755) < 0)
        return -1;
    return put(dir, "site/index.html", index_html) | put(dir, "site/guide/install.html", install_html) |
           put(dir, "site/notes.md", notes_md) | put(dir, "site/_drafts/wip.html", wip_html) |
           put(dir, "site/data/export.jsonl", export_jsonl);
}


/* Run a shell command (printf-style) in directory CWD. $I and $Q in the
 * command are the two tools. */
__attribute__((format(printf, 3, 4)))
static void sh(cmd *c, const char *cwd, const char *fmt, ...)
{
    char body[8192], errpath[PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    path_join(errpath, g_tmp, ".stderr");
    shell_run(c, cwd, g_index, g_query, errpath, body);
}

/* Run the indexer in CWD with ARGS; expect exit WANT (reported otherwise). */
static int index_run(const char *cwd, int want, const char *args)
{
    cmd c;
    sh(&c, cwd, "\"$I\" %s", args);
    int status = c.status;
    if (status != want)
        fprintf(stderr, "  rubric-index %s: exit %d (want %d), stderr:\n%s", args, status, want,
                c.err);
    cmd_free(&c);
    return status;
}

/* rubric-query --json ARGS (printf-style) in CWD, parsed; NULL (reported) when
 * it fails or does not print JSON. */
__attribute__((format(printf, 2, 3)))
static cJSON *query(const char *cwd, const char *fmt, ...)
{
    char args[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    cmd c;
    sh(&c, cwd, "\"$Q\" --json %s", args);
    return json_output(&c, args);
}

static int nresults(const cJSON *j)
{
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "results");
    return cJSON_IsArray(r) ? cJSON_GetArraySize(r) : -1;
}

static const cJSON *result(const cJSON *j, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "results"), i);
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* 1 true, 0 false, -1 missing or not a bool. */
static int bool_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
}

/* How many results the query ARGS gives in CWD; -1 when it fails. */
__attribute__((format(printf, 2, 3)))
static int hits(const char *cwd, const char *fmt, ...)
{
    char args[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    cJSON *j = query(cwd, "%s", args);
    int n = j ? nresults(j) : -1;
    cJSON_Delete(j);
    return n;
}

/* The url of the first result of query ARGS in CWD, copied into URL (empty
 * when there is none); its path goes to PATH, its anchor to ANCHOR (may be
 * NULL). Returns the number of results, -1 on failure. */
static int first_hit(const char *cwd, const char *args, char *url, char *path, char *anchor)
{
    cJSON *j = query(cwd, "%s", args);
    int n = j ? nresults(j) : -1;
    const cJSON *r = n > 0 ? result(j, 0) : NULL;
    const char *u = r ? str_of(r, "url") : NULL, *p = r ? str_of(r, "path") : NULL,
               *a = r ? str_of(r, "anchor") : NULL;
    snprintf(url, 1024, "%s", u ? u : "");
    if (path)
        snprintf(path, 1024, "%s", p ? p : "");
    if (anchor)
        snprintf(anchor, 1024, "%s", a ? a : "");
    cJSON_Delete(j);
    return n;
}

/* Some line of TEXT holds both A and B. */
static int a_line_has_both(const char *text, const char *a, const char *b)
{
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char line[2048];
        if (n >= sizeof line)
            n = sizeof line - 1;
        memcpy(line, p, n);
        line[n] = '\0';
        if (strstr(line, a) && strstr(line, b))
            return 1;
        p = nl ? nl + 1 : NULL;
    }
    return 0;
}

/* In the indexer's summary line, the number just before " WORD" (e.g. "3
 * added"), or -1 when there is none. */
static long count_in_summary(const char *err, const char *word)
{
    char line[1024], pat[64];
    const char *last = NULL;
    for (const char *p = err; (p = strstr(p, " files (")); p++)
        last = p;
    while (last && last > err && last[-1] != '\n')
        last--;
    if (!last || !line_with(last, " files (", line, sizeof line))
        return -1;
    snprintf(pat, sizeof pat, " %s", word);
    for (const char *p = strstr(line, pat); p; p = strstr(p + 1, pat)) {
        const char *d = p;
        while (d > line && d[-1] >= '0' && d[-1] <= '9')
            d--;
        if (d < p && (d == line || d[-1] == ' ' || d[-1] == '('))
            return strtol(d, NULL, 10);
    }
    return -1;
}

/* The base URL recorded in the index at REL under DIR, through the library;
 * copied into OUT ("?" when the index cannot be opened). */
static void recorded_base_url(const char *dir, const char *rel, char *out, size_t size)
{
    char path[PATH_MAX];
    path_join(path, dir, rel);
    rubric_db *db = NULL;
    char *err = NULL;
    if (rubric_db_open(path, &db, &err) != RUBRIC_OK) {
        snprintf(out, size, "?");
        free(err);
        return;
    }
    snprintf(out, size, "%s", rubric_db_base_url(db));
    rubric_db_close(db);
}

/* ------------------------------------------------------------------ links */

static void links_are_the_base_url_the_path_under_the_root_and_the_anchor(void)
{
    char dir[PATH_MAX], url[1024], path[1024], anchor[1024];
    CHECK(make_site("links", dir) == 0);
    CHECK(index_run(dir, 0, "--db db --base-url " BASE " site") == 0);

    CHECK(first_hit(dir, "--db db tumbleweedix", url, path, anchor) == 1);
    CHECK_STR(path, "site/guide/install.html"); /* the path as given */
    CHECK_STR(anchor, "build-steps");           /* the <section>'s id */
    CHECK_STR(url, BASE "guide/install.html#build-steps");

    CHECK(first_hit(dir, "--db db zorblaxite", url, path, anchor) == 1);
    CHECK_STR(url, BASE "guide/install.html#requirements");

    CHECK(first_hit(dir, "--db db plinkerton", url, path, anchor) == 1);
    CHECK_STR(path, "site/notes.md");
    CHECK_STR(url, BASE "notes.md#version-two"); /* the Markdown heading's slug */

    CHECK(first_hit(dir, "--db db quokkafrond", url, path, anchor) == 1);
    CHECK_STR(url, BASE "index.html"); /* a heading without an id: the page itself */

    /* --base-url at query time overrides the recorded one; '' makes links relative */
    CHECK(first_hit(dir, "--db db --base-url https://mirror.example.com/m/ tumbleweedix", url, path,
                    anchor) == 1);
    CHECK_STR(url, "https://mirror.example.com/m/guide/install.html#build-steps");
    CHECK(first_hit(dir, "--db db --base-url '' tumbleweedix", url, path, anchor) == 1);
    CHECK_STR(url, "guide/install.html#build-steps");
}

static void a_base_url_without_a_final_slash_still_gets_one_before_the_path(void)
{
    char dir[PATH_MAX], url[1024];
    CHECK(make_site("links-noslash", dir) == 0);
    /* the root given as ./site/ also yields paths under it */
    CHECK(index_run(dir, 0, "--db db --base-url https://docs.example.org/v2 ./site/") == 0);
    CHECK(first_hit(dir, "--db db tumbleweedix", url, NULL, NULL) == 1);
    CHECK_STR(url, "https://docs.example.org/v2/guide/install.html#build-steps");
}

static void a_jsonl_record_with_an_absolute_url_links_to_that_url_and_its_anchor(void)
{
    char dir[PATH_MAX], url[1024], path[1024], anchor[1024];
    CHECK(make_site("jsonl-links", dir) == 0);
    CHECK(index_run(dir, 0, "--db db --base-url " BASE " site") == 0);

    CHECK(first_hit(dir, "--db db frobnicator", url, path, anchor) == 1);
    CHECK_STR(path, EXT_URL); /* the record's address, not the .jsonl file */
    CHECK_STR(anchor, "create");
    CHECK_STR(url, EXT_URL "#create"); /* absolute: the base URL is not put before it */

    /* a record's relative "path" is under the base URL like a page */
    CHECK(first_hit(dir, "--db db gliblorp", url, path, anchor) == 1);
    CHECK_STR(path, "kb/article-7");
    CHECK_STR(url, BASE "kb/article-7#retries");

    /* without an "anchor", the slug of its title */
    CHECK(first_hit(dir, "--db db wibbleplank", url, path, anchor) == 1);
    CHECK_STR(anchor, "frequently-asked");
    CHECK_STR(url, FAQ_URL "#frequently-asked");
}

/* ------------------------------------------------------------ JSON Lines */

static void json_lines_with_malformed_lines_are_indexed_without_them_naming_each_line(void)
{
    char dir[PATH_MAX], url[1024], path[1024];
    path_join(dir, g_tmp, "jsonl-bad");
    CHECK(mkdir(dir, 0755) == 0);
    CHECK(put(dir, "export/records.jsonl",
              "{\"path\": \"recs/one\", \"title\": \"One\", \"text\": \"Alpha mentions quibblefish.\"}\n"
              "this line is not JSON at all {\n"
              "{\"path\": \"recs/two\", \"title\": \"Two\", \"text\": \"Beta mentions wobblecart.\"}\n"
              "{\"path\": \"recs/both\", \"title\": \"Both\", \"text\": \"bothwordzz text\", "
              "\"html\": \"<p>bothwordzz html</p>\"}\n"
              "{\"path\": \"recs/three\", \"title\": \"Three\", \"text\": \"Gamma mentions snorkelpane.\"}\n") ==
          0);
    cmd c;
    sh(&c, dir, "\"$I\" --db db export");
    CHECK(c.status == 1);
    CHECK(a_line_has_both(c.err, "export/records.jsonl", "line 2"));
    CHECK(a_line_has_both(c.err, "export/records.jsonl", "line 4"));
    /* the good lines are not named */
    CHECK(!strstr(c.err, "line 1") && !strstr(c.err, "line 3") && !strstr(c.err, "line 5"));
    CHECK(count_in_summary(c.err, "files") == 1);
    if (c.status != 1 || !strstr(c.err, "line 2") || !strstr(c.err, "line 4"))
        fprintf(stderr, "  exit %d, stderr:\n%s", c.status, c.err);
    cmd_free(&c);

    CHECK(first_hit(dir, "--db db quibblefish", url, path, NULL) == 1);
    CHECK_STR(path, "recs/one");
    CHECK_STR(url, "recs/one#one"); /* no base URL: relative */
    CHECK(first_hit(dir, "--db db wobblecart", url, path, NULL) == 1);
    CHECK_STR(path, "recs/two");
    CHECK(first_hit(dir, "--db db snorkelpane", url, path, NULL) == 1);
    CHECK_STR(path, "recs/three");
    CHECK(hits(dir, "--db db bothwordzz") == 0); /* the malformed record is not indexed */
}

static void json_lines_records_with_unsafe_links_or_nul_characters_are_named_and_skipped(void)
{
    char dir[PATH_MAX], url[1024], path[1024];
    path_join(dir, g_tmp, "jsonl-unsafe");
    CHECK(mkdir(dir, 0755) == 0);
    CHECK(put(dir, "export/records.jsonl",
              "{\"url\": \"javascript:alert(9)//\", \"title\": \"J\", \"text\": \"zorblat one\"}\n"
              "{\"url\": \"DATA:text/html,<b>x</b>\", \"title\": \"D\", \"text\": \"zorblat two\"}\n"
              "{\"path\": \"nul\\u0000cut.html\", \"title\": \"N\", \"text\": \"zorblat three\"}\n"
              "{\"path\": \"back\\\\u0000slash.html\", \"title\": \"B\", \"text\": \"plimvane\"}\n"
              "{\"url\": \"https://docs.example.org/p?a=1\", \"title\": \"H\", "
              "\"text\": \"quorvex\"}\n") == 0);
    cmd c;
    sh(&c, dir, "\"$I\" --db db export");
    CHECK(c.status == 1);
    CHECK(a_line_has_both(c.err, "line 1", "'javascript:'"));
    CHECK(a_line_has_both(c.err, "line 2", "'DATA:'"));
    CHECK(a_line_has_both(c.err, "line 3", "NUL"));
    CHECK(!strstr(c.err, "line 4") && !strstr(c.err, "line 5"));
    cmd_free(&c);
    CHECK(hits(dir, "--db db zorblat") == 0);
    /* an escaped backslash before u0000 is text, not a NUL */
    CHECK(first_hit(dir, "--db db plimvane", url, path, NULL) == 1);
    CHECK_STR(path, "back\\u0000slash.html");
    CHECK(first_hit(dir, "--db db quorvex", url, path, NULL) == 1);
    CHECK_STR(url, "https://docs.example.org/p?a=1#h");
}

/* --------------------------------------------------------- include/exclude */

static void exclude_keeps_a_folder_out_of_the_index(void)
{
    char dir[PATH_MAX];
    CHECK(make_site("exclude", dir) == 0);
    cmd c;
    sh(&c, dir, "\"$I\" --db db --exclude '_drafts/*' site");
    CHECK(c.status == 0);
    CHECK(!strstr(c.err, "wip.html"));
    CHECK(count_in_summary(c.err, "files") == 4);
    cmd_free(&c);
    CHECK(hits(dir, "--db db snozzberry") == 0);
    CHECK(hits(dir, "--db db tumbleweedix") == 1);
    CHECK(hits(dir, "--db db plinkerton") == 1);
    /* without the exclusion the draft is indexed: the check above can fail */
    CHECK(index_run(dir, 0, "--db db2 site") == 0);
    CHECK(hits(dir, "--db db2 snozzberry") == 1);
}

static void include_indexes_only_the_matching_files(void)
{
    char dir[PATH_MAX], url[1024], path[1024];
    CHECK(make_site("include", dir) == 0);
    cmd c;
    sh(&c, dir, "\"$I\" --db db --include '*.md' site");
    CHECK(c.status == 0);
    CHECK(count_in_summary(c.err, "files") == 1);
    CHECK(count_in_summary(c.err, "added") == 1);
    cmd_free(&c);
    CHECK(first_hit(dir, "--db db plinkerton", url, path, NULL) == 1);
    CHECK_STR(path, "site/notes.md");
    CHECK(hits(dir, "--db db tumbleweedix") == 0);
    CHECK(hits(dir, "--db db quokkafrond") == 0);
    CHECK(hits(dir, "--db db frobnicator") == 0);
    CHECK(hits(dir, "--db db snozzberry") == 0);
    /* two includes take both kinds; '*' crosses folders */
    CHECK(index_run(dir, 0, "--db db2 --include '*.md' --include 'guide/*' site") == 0);
    CHECK(hits(dir, "--db db2 plinkerton") == 1);
    CHECK(hits(dir, "--db db2 tumbleweedix") == 1);
    CHECK(hits(dir, "--db db2 quokkafrond") == 0);
}

/* ---------------------------------------------------------- configuration */

static const char site_config[] =
    "{\n"
    "  \"db\": \"conf.db\",\n"
    "  \"base_url\": \"https://conf.example.net/docs/\",\n"
    "  \"sources\": [{\"root\": \"site\", \"include\": [\"*.html\", \"*.md\"],\n"
    "               \"exclude\": [\"_drafts/*\"]}],\n"
    "  \"boilerplate\": {\"show\": true}\n"
    "}\n";

static void rubric_json_gives_the_sources_the_db_the_base_url_and_shows_boilerplate(void)
{
    char dir[PATH_MAX], url[1024], path[1024], base[1024];
    CHECK(make_site("config", dir) == 0);
    CHECK(put(dir, "rubric.json", site_config) == 0);
    cmd c;
    sh(&c, dir, "\"$I\" -v");
    CHECK(c.status == 0);
    CHECK(strstr(c.err, "site/guide/install.html") != NULL);
    CHECK(strstr(c.err, "site/notes.md") != NULL);
    CHECK(count_in_summary(c.err, "files") == 3); /* two pages and the notes */
    if (c.status != 0)
        fprintf(stderr, "  stderr:\n%s", c.err);
    cmd_free(&c);
    CHECK(is_dir(dir, "conf.db"));
    CHECK(!is_dir(dir, "rubric.db"));
    recorded_base_url(dir, "conf.db", base, sizeof base);
    CHECK_STR(base, "https://conf.example.net/docs/");

    /* rubric-query finds conf.db and links with the base URL */
    CHECK(first_hit(dir, "tumbleweedix", url, path, NULL) == 1);
    CHECK_STR(path, "site/guide/install.html");
    CHECK_STR(url, "https://conf.example.net/docs/guide/install.html#build-steps");
    /* the sources' globs held: no drafts, no JSON Lines */
    CHECK(hits(dir, "snozzberry") == 0);
    CHECK(hits(dir, "frobnicator") == 0);

    /* boilerplate.show: the link list is in the results, marked */
    cJSON *j = query(dir, "grommetwhistle");
    CHECK(j && nresults(j) == 1);
    CHECK(j && bool_of(result(j, 0), "boilerplate") == 1);
    cJSON_Delete(j);
    /* a configuration without show hides it: the check above can fail */
    CHECK(put(dir, "plain.json", "{\"db\": \"conf.db\"}") == 0);
    CHECK(hits(dir, "--config plain.json grommetwhistle") == 0);
    CHECK(hits(dir, "--config plain.json --boilerplate grommetwhistle") == 1);
}

static void flags_override_the_db_and_base_url_of_rubric_json(void)
{
    char dir[PATH_MAX], url[1024], base[1024];
    CHECK(make_site("config-override", dir) == 0);
    CHECK(put(dir, "rubric.json", site_config) == 0);
    /* the configured sources go into the index the flag names */
    CHECK(index_run(dir, 0, "--db flag.db --base-url https://flag.example.org/") == 0);
    CHECK(is_dir(dir, "flag.db"));
    CHECK(!is_dir(dir, "conf.db"));
    recorded_base_url(dir, "flag.db", base, sizeof base);
    CHECK_STR(base, "https://flag.example.org/");

    /* rubric-query without --db looks in conf.db, which does not exist */
    cmd c;
    sh(&c, dir, "\"$Q\" --json tumbleweedix");
    CHECK(c.status == 4);
    CHECK(strstr(c.err, "conf.db") != NULL);
    cmd_free(&c);
    /* --db and --base-url override the file */
    CHECK(first_hit(dir, "--db flag.db --base-url https://cli.example.org/ tumbleweedix", url, NULL,
                    NULL) == 1);
    CHECK_STR(url, "https://cli.example.org/guide/install.html#build-steps");
    /* --db alone: the configuration's base URL comes before the index's */
    CHECK(first_hit(dir, "--db flag.db tumbleweedix", url, NULL, NULL) == 1);
    CHECK_STR(url, "https://conf.example.net/docs/guide/install.html#build-steps");
    /* a PATH on the command line replaces the sources (and their globs) */
    CHECK(index_run(dir, 0, "--db path.db site") == 0);
    CHECK(hits(dir, "--db path.db snozzberry") == 1);
}

static void config_names_another_file_whose_paths_are_relative_to_it(void)
{
    char dir[PATH_MAX], url[1024], path[1024];
    CHECK(make_site("config-other", dir) == 0);
    CHECK(put(dir, "rubric.json", site_config) == 0);
    CHECK(put(dir, "alt/alt.json",
              "{\"db\": \"alt.db\", \"base_url\": \"https://alt.example.org/\", "
              "\"sources\": [\"../site\"]}") == 0);
    CHECK(index_run(dir, 0, "--config alt/alt.json") == 0);
    CHECK(is_dir(dir, "alt/alt.db")); /* relative to the file's folder */
    CHECK(!is_dir(dir, "alt.db"));
    CHECK(!is_dir(dir, "conf.db"));   /* ./rubric.json was not read */
    CHECK(first_hit(dir, "--config alt/alt.json tumbleweedix", url, path, NULL) == 1);
    CHECK_STR(path, "alt/../site/guide/install.html");
    CHECK_STR(url, "https://alt.example.org/guide/install.html#build-steps");
    /* alt.json has no globs: the draft and the export are in */
    CHECK(hits(dir, "--config alt/alt.json snozzberry") == 1);
    CHECK(hits(dir, "--config alt/alt.json frobnicator") == 1);
    /* and no boilerplate.show */
    CHECK(hits(dir, "--config alt/alt.json grommetwhistle") == 0);
}

/* Without ./rubric.json, the user's configuration is read (a timer unit
 * then needs no working directory), and --status says which file that was. */
static void the_users_configuration_serves_both_tools_from_any_folder(void)
{
    char dir[PATH_MAX];
    CHECK(make_site("config-user", dir) == 0);
    CHECK(put(dir, "xdg/rubric/rubric.json",
              "{\"db\": \"user.db\", \"sources\": [\"../../site\"]}") == 0);
    CHECK(put(dir, "elsewhere/.keep", "") == 0);
    cmd c;
    sh(&c, dir, "cd elsewhere && XDG_CONFIG_HOME=\"$PWD/../xdg\" \"$I\" -q");
    CHECK(c.status == 0);
    cmd_free(&c);
    CHECK(is_dir(dir, "xdg/rubric/user.db")); /* relative to the file's folder */
    sh(&c, dir, "cd elsewhere && XDG_CONFIG_HOME=\"$PWD/../xdg\" \"$Q\" --json tumbleweedix");
    CHECK(c.status == 0 && strstr(c.out, "install.html") != NULL);
    cmd_free(&c);
    sh(&c, dir, "cd elsewhere && XDG_CONFIG_HOME=\"$PWD/../xdg\" \"$I\" --status");
    CHECK(c.status == 0 && strstr(c.out, "\nconfig:   ") && strstr(c.out, "xdg/rubric/rubric.json\n"));
    cmd_free(&c);
    /* With none, it says so. */
    sh(&c, dir, "cd elsewhere && \"$I\" --db ../xdg/rubric/user.db --status");
    CHECK(c.status == 0 && strstr(c.out, "\nconfig:   (none)\n") != NULL);
    cmd_free(&c);
}

static void boilerplate_detect_false_indexes_link_lists_as_content(void)
{
    char dir[PATH_MAX];
    CHECK(make_site("config-detect", dir) == 0);
    CHECK(put(dir, "rubric.json",
              "{\"db\": \"d.db\", \"sources\": [\"site\"], \"boilerplate\": {\"detect\": false}}") ==
          0);
    CHECK(index_run(dir, 0, "") == 0);
    cJSON *j = query(dir, "grommetwhistle");
    CHECK(j && nresults(j) == 1);
    CHECK(j && bool_of(result(j, 0), "boilerplate") == 0);
    cJSON_Delete(j);
}

/* Both tools refuse the configuration at FILE (in DIR; NULL: ./rubric.json)
 * with exit 2 and a message naming FILE and KEY. */
static void check_refused(const char *dir, const char *file, const char *key)
{
    char opt[PATH_MAX + 16] = "";
    if (file)
        snprintf(opt, sizeof opt, "--config %s", sq(file));
    const char *named = file ? file : "rubric.json";
    cmd c;
    sh(&c, dir, "\"$I\" %s --db db site", opt);
    CHECK(c.status == 2);
    CHECK(a_line_has_both(c.err, named, key));
    if (c.status != 2 || !a_line_has_both(c.err, named, key))
        fprintf(stderr, "  rubric-index: exit %d, stderr:\n%s", c.status, c.err);
    cmd_free(&c);
    sh(&c, dir, "\"$Q\" %s --db db tumbleweedix", opt);
    CHECK(c.status == 2);
    CHECK(a_line_has_both(c.err, named, key));
    CHECK(c.out[0] == '\0');
    if (c.status != 2 || !a_line_has_both(c.err, named, key))
        fprintf(stderr, "  rubric-query: exit %d, stderr:\n%s", c.status, c.err);
    cmd_free(&c);
}

static void a_rubric_json_with_an_unknown_key_stops_both_tools_with_exit_2(void)
{
    char dir[PATH_MAX];
    CHECK(make_site("config-bad", dir) == 0);
    CHECK(put(dir, "rubric.json", "{\"db\": \"x.db\", \"colour\": \"red\"}") == 0);
    check_refused(dir, NULL, "colour");
    CHECK(!is_dir(dir, "db") && !is_dir(dir, "x.db")); /* nothing was indexed */
    /* a wrong type and a key deep inside, through --config */
    CHECK(put(dir, "typo.json", "{\"sources\": [{\"root\": \"site\", \"include\": \"*.md\"}]}") == 0);
    check_refused(dir, "typo.json", "sources[0].include");
    CHECK(put(dir, "deep.json", "{\"boilerplate\": {\"shows\": true}}") == 0);
    check_refused(dir, "deep.json", "boilerplate.shows");
    /* a --config naming a missing file is refused as well */
    check_refused(dir, "missing.json", "missing.json");
}

static void a_repeated_sources_key_in_rubric_json_does_not_crash_the_indexer(void)
{
    /* config_load wrote the second "sources" array past its end (see
     * test_config): the indexer died with SIGSEGV. Either refusing the file
     * (exit 2) or indexing the last list is fine. */
    char dir[PATH_MAX];
    CHECK(make_site("config-repeat", dir) == 0);
    CHECK(put(dir, "rubric.json",
              "{\"db\": \"r.db\", \"sources\": [\"site/guide\", \"site/notes.md\"], "
              "\"sources\": [\"site/guide\"]}") == 0);
    cmd c;
    sh(&c, dir, "\"$I\"");
    CHECK(c.status == 0 || c.status == 2);
    if (c.status != 0 && c.status != 2)
        fprintf(stderr, "  exit %d, stderr:\n%s", c.status, c.err);
    cmd_free(&c);
}

/* -------------------------------------------------------------- reindexing */

static void reindexing_drops_a_deleted_file_and_replaces_an_edited_one(void)
{
    char dir[PATH_MAX], url[1024];
    CHECK(make_site("reindex", dir) == 0);
    CHECK(index_run(dir, 0, "--db db --base-url " BASE " site") == 0);
    CHECK(hits(dir, "--db db plinkerton") == 1);
    CHECK(hits(dir, "--db db tumbleweedix") == 1);

    CHECK(gone(dir, "site/notes.md") == 0);
    CHECK(put(dir, "site/guide/install.html", install_edited_html) == 0);
    cmd c;
    sh(&c, dir, "\"$I\" --db db site");
    CHECK(c.status == 0);
    CHECK(count_in_summary(c.err, "removed") == 1);
    CHECK(count_in_summary(c.err, "changed") == 1);
    CHECK(count_in_summary(c.err, "added") == 0);
    cmd_free(&c);
    CHECK(hits(dir, "--db db plinkerton") == 0);
    CHECK(hits(dir, "--db db tumbleweedix") == 0);
    CHECK(first_hit(dir, "--db db marmotquaver", url, NULL, NULL) == 1);
    CHECK_STR(url, BASE "guide/install.html#build-steps"); /* the base URL stays recorded */
    CHECK(hits(dir, "--db db zorblaxite") == 1);           /* the unchanged section stays */
    CHECK(hits(dir, "--db db quokkafrond") == 1);          /* the other files too */
}

static void reindexing_the_configured_sources_drops_deleted_and_newly_excluded_files(void)
{
    char dir[PATH_MAX];
    CHECK(make_site("reindex-config", dir) == 0);
    CHECK(put(dir, "rubric.json", "{\"db\": \"c.db\", \"sources\": [\"site\"]}") == 0);
    CHECK(index_run(dir, 0, "") == 0);
    CHECK(hits(dir, "plinkerton") == 1);
    CHECK(hits(dir, "snozzberry") == 1);
    CHECK(gone(dir, "site/notes.md") == 0);
    CHECK(put(dir, "rubric.json",
              "{\"db\": \"c.db\", \"sources\": [{\"root\": \"site\", \"exclude\": [\"_drafts/*\"]}]}") ==
          0);
    CHECK(index_run(dir, 0, "") == 0);
    CHECK(hits(dir, "plinkerton") == 0);
    CHECK(hits(dir, "snozzberry") == 0);
    CHECK(hits(dir, "tumbleweedix") == 1);
}

/* ----------------------------------------------------------------- noindex */

static void a_noindex_page_is_not_found_and_the_run_exits_0(void)
{
    char dir[PATH_MAX];
    CHECK(make_site("noindex", dir) == 0);
    CHECK(put(dir, "site/private.html",
              "<!DOCTYPE html><html><head><title>Private</title>\n"
              "<meta name=\"robots\" content=\"noindex\"></head><body>\n"
              "<h1>Private page</h1><p>The hushwillow plans are not for search engines.</p>\n"
              "</body></html>\n") == 0);
    cmd c;
    sh(&c, dir, "\"$I\" --db db site");
    CHECK(c.status == 0);
    CHECK(count_in_summary(c.err, "excluded") == 1);
    CHECK(count_in_summary(c.err, "skipped") == 0);
    if (c.status != 0)
        fprintf(stderr, "  stderr:\n%s", c.err);
    cmd_free(&c);
    CHECK(hits(dir, "--db db hushwillow") == 0);
    CHECK(hits(dir, "--db db private") == 0);
    CHECK(hits(dir, "--db db tumbleweedix") == 1);

    /* a page indexed before and marked noindex since loses its passages */
    CHECK(hits(dir, "--db db quokkafrond") == 1);
    CHECK(put(dir, "site/index.html",
              "<html><head><meta name=\"robots\" content=\"noindex, nofollow\"></head><body>\n"
              "<h1>Welcome</h1><p>The quokkafrond project, now hidden.</p></body></html>\n") == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    CHECK(hits(dir, "--db db quokkafrond") == 0);
}

static void a_noindex_written_in_capitals_also_keeps_the_page_out(void)
{
    /* robots values are case-insensitive: content="NOINDEX" is noindex.
     * lib/reader_html.c's find_ci() looks for the first letter with a
     * case-sensitive memchr, so it misses "NOINDEX". */
    char dir[PATH_MAX];
    path_join(dir, g_tmp, "noindex-caps");
    CHECK(mkdir(dir, 0755) == 0);
    CHECK(put(dir, "site/a.html",
              "<html><head><meta name=\"robots\" content=\"NOINDEX\"></head><body>\n"
              "<h1>Caps</h1><p>The shoutybarrow page asks to stay out.</p></body></html>\n") == 0);
    CHECK(put(dir, "site/b.html",
              "<html><head><meta name=\"Robots\" content=\"NoIndex, NoFollow\"></head><body>\n"
              "<h1>Mixed</h1><p>The camelwhisk page asks to stay out too.</p></body></html>\n") == 0);
    CHECK(put(dir, "site/c.html",
              "<html><body><h1>Open</h1><p>The openmeadow page is public.</p></body></html>\n") ==
          0);
    cmd c;
    sh(&c, dir, "\"$I\" --db db site");
    CHECK(c.status == 0);
    CHECK(count_in_summary(c.err, "excluded") == 2);
    cmd_free(&c);
    CHECK(hits(dir, "--db db shoutybarrow") == 0);
    CHECK(hits(dir, "--db db camelwhisk") == 0);
    CHECK(hits(dir, "--db db openmeadow") == 1);
}

/* --------------------------------------------------------------- malformed */

static void malformed_html_markdown_and_jsonl_do_not_stop_the_rest(void)
{
    char dir[PATH_MAX];
    CHECK(make_site("malformed", dir) == 0);
    /* named to come first in each folder, so the good files are read after them */
    CHECK(put(dir, "site/a-broken.html",
              "<html><body><h2 <p>broken <<div><table><tr><td>cell<h3>unclosed heading\n"
              "<section id=x><p>after &bogus; &#xFFFFFFFF; <![CDATA[ <script>if (a<b) {") == 0);
    CHECK(put(dir, "site/a-broken.md",
              "---\ntitle: \"unterminated\n# Title\n\n```python\nunclosed fence\n\n* [x](\n"
              "> > > > > quote\n<div>\n[ref]: <\n") == 0);
    CHECK(put(dir, "site/a-broken.jsonl", "{{{{\n[1,2,3]\n\"string\"\n{\"path\": 5, \"text\": \"x\"}\n"
                                          "{\"path\": \"p\", \"text\": [\"a\"]}\n") == 0);
    CHECK(put_bytes(dir, "site/guide/a-binary.md", "# Bin\n\nabc\0def\n", 15) == 0);
    CHECK(put(dir, "site/guide/a-nul.html", "") == 0);          /* empty */
    cmd c;
    sh(&c, dir, "\"$I\" --db db --base-url " BASE " site");
    CHECK(c.status == 0 || c.status == 1);
    CHECK(strstr(c.err, "a-broken.jsonl") != NULL); /* no good record: named */
    CHECK(strstr(c.err, "a-nul.html") != NULL);     /* empty: named */
    CHECK(strstr(c.err, "a-binary.md") != NULL);    /* NUL bytes: named */
    CHECK(strstr(c.err, "stopped") == NULL);
    if (c.status != 0 && c.status != 1)
        fprintf(stderr, "  exit %d, stderr:\n%s", c.status, c.err);
    cmd_free(&c);
    CHECK(hits(dir, "--db db tumbleweedix") == 1);
    CHECK(hits(dir, "--db db zorblaxite") == 1);
    CHECK(hits(dir, "--db db plinkerton") == 1);
    CHECK(hits(dir, "--db db quokkafrond") == 1);
    CHECK(hits(dir, "--db db frobnicator") == 1);
    CHECK(hits(dir, "--db db gliblorp") == 1);
    CHECK(hits(dir, "--db db snozzberry") == 1);
}

/* -------------------------------------------------------------- duplicates */

/* A page, and the plain-text copy of its source that its generator ships
 * beside it: the same words, other markup. Each section's words occur in it
 * and its copy only. */
static const char kiln_html[] =
    "<!DOCTYPE html><html><head><title>Kiln Firing</title></head><body>\n"
    "<h1 id=\"kiln-firing\">Kiln Firing</h1>\n"
    "<p>This guide covers the two firings every piece of studio pottery goes through, from "
    "loading the shelves to opening the lid, and what can go wrong along the way.</p>\n"
    "<h2 id=\"bisque\">Bisque firing</h2>\n"
    "<p>The first firing turns dry greenware into porous bisque that still drinks water. Load "
    "the pieces so that they may touch, since nothing is glazed yet, and raise the heat slowly "
    "through the first few hundred degrees so that the last of the water leaves without "
    "cracking the walls. A quarrelwick cone on the middle shelf tells you when the chamber has "
    "reached the right temperature, and the lid stays closed until the kiln has cooled again "
    "to the warmth of a summer afternoon.</p>\n"
    "<h2 id=\"glaze\">Glaze firing</h2>\n"
    "<p>The second firing melts the glaze into glass. Every glazed piece needs its own space "
    "on the shelf, with the foot wiped clean so that it does not fuse to the kiln wash. The "
    "heat climbs faster this time, holds for a short soak at the top so that bubbles in the "
    "glaze can heal over, and then falls with the lid shut; opening early craters the surface "
    "and can crack the pots, which the potters call dunting.</p>\n"
    "</body></html>\n";

static const char kiln_txt[] =
    "Kiln Firing\n===========\n\n"
    "This guide covers the two firings every piece of studio pottery goes through, from "
    "loading the shelves to opening the lid, and what can go wrong along the way.\n\n"
    "Bisque firing\n-------------\n\n"
    "The first firing turns dry greenware into porous bisque that still drinks water. Load\n"
    "the pieces so that they may touch, since nothing is glazed yet, and raise the heat\n"
    "slowly through the first few hundred degrees so that the last of the water leaves\n"
    "without cracking the walls. A *quarrelwick* cone on the middle shelf tells you when\n"
    "the chamber has reached the right temperature, and the lid stays closed until the kiln\n"
    "has cooled again to the warmth of a summer afternoon.\n\n"
    "Glaze firing\n------------\n\n"
    "The second firing melts the glaze into glass. Every glazed piece needs its own space\n"
    "on the shelf, with the foot wiped clean so that it does not fuse to the kiln wash. The\n"
    "heat climbs faster this time, holds for a short soak at the top so that bubbles in the\n"
    "glaze can heal over, and then falls with the lid shut; opening early craters the\n"
    "surface and can crack the pots, which the potters call ``dunting``.\n";

/* A fresh folder NAME with the page and its copy under site/. */
static int make_copies(const char *name, char *dir)
{
    path_join(dir, g_tmp, name);
    if (mkdir(dir, 0755) < 0)
        return -1;
    return put(dir, "site/kiln.html", kiln_html) | put(dir, "site/_sources/kiln.txt", kiln_txt);
}

/* The "folded:" count rubric-index --status prints for the index at DIR/db;
 * -1 when there is none. */
static long folded_count_of(const char *dir, const char *db)
{
    cmd c;
    sh(&c, dir, "\"$I\" --db %s --status", db);
    const char *f = c.status == 0 ? strstr(c.out, "\nfolded:") : NULL;
    long n = f ? strtol(f + strlen("\nfolded:"), NULL, 10) : -1;
    cmd_free(&c);
    return n;
}

static long folded_count(const char *dir)
{
    return folded_count_of(dir, "db");
}

/* Every result of QUERY in DIR is from the page (PAGE.html) or from its copy
 * (PAGE.txt), as WANT says ("html", "txt"); and there is at least one. */
static void results_are_from(const char *dir, const char *page, const char *query_words,
                             const char *want)
{
    char file[64];
    snprintf(file, sizeof file, "%s.%s", page, want);
    cJSON *j = query(dir, "--db db -n 50 %s", query_words);
    int n = j ? nresults(j) : -1;
    CHECK(n > 0);
    for (int i = 0; i < n; i++) {
        const char *path = str_of(result(j, i), "path");
        int ok = path && strstr(path, file) != NULL;
        if (!ok)
            fprintf(stderr, "  %s: result %d is from %s, want the %s\n", query_words, i + 1,
                    path ? path : "(none)", want);
        CHECK(ok);
    }
    cJSON_Delete(j);
}

static void a_plain_text_copy_of_a_page_is_folded_into_its_html_sections(void)
{
    char dir[PATH_MAX], url[1024], path[1024], anchor[1024];
    CHECK(make_copies("copies", dir) == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    CHECK(first_hit(dir, "--db db quarrelwick", url, path, anchor) == 1);
    CHECK_STR(path, "site/kiln.html");
    CHECK_STR(anchor, "bisque");
    results_are_from(dir, "kiln", "dunting", "html");
    results_are_from(dir, "kiln", "kiln", "html");
    CHECK(folded_count(dir) >= 1);
}

static void the_copy_folded_is_the_same_whatever_order_the_files_came_in(void)
{
    char dir[PATH_MAX];
    CHECK(make_copies("copies-order", dir) == 0);
    /* The copy first, alone; the page in a later run. */
    CHECK(index_run(dir, 0, "--db db site/_sources") == 0);
    results_are_from(dir, "kiln", "quarrelwick", "txt");
    CHECK(folded_count(dir) == 0);
    CHECK(index_run(dir, 0, "--db db site/kiln.html") == 0);
    results_are_from(dir, "kiln", "quarrelwick", "html");
    results_are_from(dir, "kiln", "dunting", "html");
    long once = folded_count(dir);
    CHECK(once >= 1);
    /* Editing the page leaves the same choice. */
    CHECK(put(dir, "site/kiln.html", kiln_html) == 0);
    CHECK(index_run(dir, 0, "--db db --rebuild site") == 0);
    results_are_from(dir, "kiln", "quarrelwick", "html");
    CHECK(folded_count(dir) == once);
}

static void deleting_the_kept_copy_brings_the_folded_one_back(void)
{
    char dir[PATH_MAX];
    CHECK(make_copies("copies-delete", dir) == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    results_are_from(dir, "kiln", "quarrelwick", "html");
    CHECK(gone(dir, "site/kiln.html") == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    results_are_from(dir, "kiln", "quarrelwick", "txt");
    results_are_from(dir, "kiln", "dunting", "txt");
    CHECK(folded_count(dir) == 0);
    /* And back again. */
    CHECK(put(dir, "site/kiln.html", kiln_html) == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    results_are_from(dir, "kiln", "quarrelwick", "html");
}

/* A page whose one long section its source copy, longer by the link targets
 * the page does not show, splits in two: the copy's short second part is
 * sampled more densely than the page's section that holds its text. */
static const char ash_html[] =
    "<!DOCTYPE html><html><head><title>Ash Glazes</title></head><body>\n"
    "<h1 id=\"ash-glazes\">Ash Glazes</h1>\n"
    "<h2 id=\"mixing\">Mixing an ash glaze</h2>\n"
    "<p>Wood ash glazes are the oldest high-fired glazes, found by accident when ash from "
    "the fuel settled on pots and melted in the heat of the kiln. Potters today mix them "
    "on purpose from the ash of hearths and bonfires, washed to take out the soluble salts, "
    "sieved, and blended with clay and feldspar in roughly equal parts. The result varies "
    "with the tree, the soil it grew in and even the season it was cut, which is half "
    "of the charm and most of the frustration. (see the glaze chemistry notes)</p>\n"
    "<p>Washing is the step most people rush. Soak the ash in a bucket of water for a "
    "day, pour off the grey liquid, and repeat until the water runs clear; wear gloves, "
    "because wet ash is caustic enough to burn the skin. Dry the washed ash on a plaster "
    "bat before weighing it, or every recipe you write down will be off by the weight "
    "of the water it still held. Sieve it twice, through a coarse mesh and then a fine "
    "one, and keep the charcoal lumps for the garden. (the safety sheet)</p>\n"
    "<p>Ash from hardwood such as oak or beech tends to give runny greens and ambers, "
    "while grass and straw ash brings more silica and a stiffer, paler surface. Keep a "
    "tile for every batch, labelled with its source, and fire it beside your pots; a glaze "
    "that ran off a test tile will run off a tall vase too, and pool in the bottom of "
    "a bowl until it cracks the foot. (tile photographs)</p>\n"
    "<p>Reduction deepens the colours of ash glazes: with less oxygen in the chamber the "
    "iron in the ash turns from amber to celadon green. A short reduction near the top "
    "of the firing is enough, and a long one can leave the glaze dull and blistered.</p>\n"
    "</body></html>\n";

static const char ash_txt[] =
    "Ash Glazes\n"
    "==========\n"
    "\n"
    "Mixing an ash glaze\n"
    "-------------------\n"
    "\n"
    "Wood ash glazes are the oldest high-fired glazes, found by accident when ash\n"
    "from the fuel settled on pots and melted in the heat of the kiln. Potters\n"
    "today mix them on purpose from the ash of hearths and bonfires, washed to\n"
    "take out the soluble salts, sieved, and blended with clay and feldspar in\n"
    "roughly equal parts. The result varies with the tree, the soil it grew in\n"
    "and even the season it was cut, which is half of the charm and most of the\n"
    "frustration. (see `the glaze chemistry notes\n"
    "<https://example.org/ceramics/glaze-chemistry/notes.html>`_)\n"
    "\n"
    "Washing is the step most people rush. Soak the ash in a bucket of water for\n"
    "a day, pour off the grey liquid, and repeat until the water runs clear; wear\n"
    "gloves, because wet ash is caustic enough to burn the skin. Dry the washed\n"
    "ash on a plaster bat before weighing it, or every recipe you write down will\n"
    "be off by the weight of the water it still held. Sieve it twice, through a\n"
    "coarse mesh and then a fine one, and keep the charcoal lumps for the garden.\n"
    "(`the safety sheet\n"
    "<https://example.org/ceramics/safety/caustic-materials.html>`_)\n"
    "\n"
    "Ash from hardwood such as oak or beech tends to give runny greens and\n"
    "ambers, while grass and straw ash brings more silica and a stiffer, paler\n"
    "surface. Keep a tile for every batch, labelled with its source, and fire it\n"
    "beside your pots; a glaze that ran off a test tile will run off a tall vase\n"
    "too, and pool in the bottom of a bowl until it cracks the foot. (`tile\n"
    "photographs\n"
    "<https://example.org/ceramics/galleries/ash-test-tiles-2019.html>`_)\n"
    "\n"
    "Reduction deepens the colours of ash glazes: with less oxygen in the chamber\n"
    "the iron in the ash turns from amber to celadon green. A short reduction\n"
    "near the top of the firing is enough, and a long one can leave the glaze\n"
    "dull and blistered.\n";

/* A folder NAME under the tests' (its path into DIR) holding the page
 * site/PAGE (HTML) and its copy site/_sources/COPY (TEXT), indexed. */
static void index_page_and_copy(const char *name, char *dir, const char *page, const char *html,
                                const char *copy, const char *text)
{
    char rel[256];
    path_join(dir, g_tmp, name);
    CHECK(mkdir(dir, 0755) == 0);
    snprintf(rel, sizeof rel, "site/%s", page);
    CHECK(put(dir, rel, html) == 0);
    snprintf(rel, sizeof rel, "site/_sources/%s", copy);
    CHECK(put(dir, rel, text) == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
}

static void a_short_part_of_a_copy_folds_into_the_long_section_holding_it(void)
{
    char dir[PATH_MAX];
    index_page_and_copy("copies-split", dir, "ash.html", ash_html, "ash.txt", ash_txt);
    results_are_from(dir, "ash", "celadon", "html"); /* the copy's second part */
    results_are_from(dir, "ash", "feldspar", "html");
    CHECK(folded_count(dir) == 2);
}

/* Two pages written from one template: alike, but each about its own thing. */
static const char *const alike_pages[2][2] = {
    {"site/open.html", "<html><head><title>spool_open</title></head><body><h1>spool_open</h1>"
     "<p>Opens the spool named by its first argument and returns a handle to it. The spool must "
     "exist unless the create flag is given, in which case an empty spool is written first. "
     "The handle stays valid until it is passed to the matching close call, and may be used "
     "from one thread at a time. On failure it returns a null handle and sets the error code "
     "to say why, for example when the spool is locked by another writer or the disk is "
     "full.</p></body></html>"},
    {"site/close.html", "<html><head><title>spool_close</title></head><body><h1>spool_close</h1>"
     "<p>Closes the spool held by its first argument and frees the handle. The spool must be "
     "open unless the flush flag is given, in which case pending records are written first. "
     "The handle stops being valid once it is passed to this call, and may not be used from "
     "any thread afterwards. On failure it still frees the handle and sets the error code to "
     "say why, for example when the spool was locked by another writer or the disk is "
     "full.</p></body></html>"},
};

static void pages_that_are_only_alike_are_both_kept(void)
{
    char dir[PATH_MAX];
    path_join(dir, g_tmp, "alike");
    CHECK(mkdir(dir, 0755) == 0);
    for (int i = 0; i < 2; i++)
        CHECK(put(dir, alike_pages[i][0], alike_pages[i][1]) == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    CHECK(hits(dir, "--db db handle spool") == 2);
    CHECK(folded_count(dir) == 0);
}

/* Options that two manual pages of one tool both include, each among its
 * own: the same text in each, read by the same reader. */
static const char *const shared_options[][2] = {
    {"--depth N", "Stop descending after N levels of the spool tree, counting the top as one. "
     "A depth of zero reads the top spool alone and ignores every folder below it, which "
     "is what the nightly rotation wants when only the newest records matter."},
    {"--since DATE", "Leave out records written before DATE, given as a calendar day or as "
     "a number of days ago. Records without a timestamp are always read, because the "
     "spool cannot tell how old they are and guessing would hide them."},
    {"--follow", "Keep the spool open after the last record and print new ones as the "
     "writer appends them, the way a terminal pager follows a growing log. Interrupt "
     "with the usual key to stop following; the handle is closed cleanly."},
    {"--checksum", "Verify each record against the checksum the writer stored beside it "
     "and report a mismatch on standard error with the record's offset. A corrupt record "
     "is skipped rather than printed, and the exit status says that one was."},
    {"--batch SIZE", "Read SIZE records at a time instead of one, which is faster on slow "
     "disks and network shares. A larger batch uses more memory; the default of "
     "sixty-four suits most machines and rarely needs to change."},
    {"--quiet", "Print nothing but the records themselves: no summary line at the end, no "
     "warnings about skipped folders, and no progress dots on a terminal. Errors are "
     "still reported, since a silent failure helps nobody."},
    {"--locale NAME", "Format dates and numbers in the summary for the locale NAME instead "
     "of the one the environment sets. The records are printed as written, whatever "
     "the locale, so that scripts reading them see the same bytes."},
    {"--exclude GLOB", "Skip every spool whose name matches GLOB, a shell pattern; the "
     "option may be given more than once. A folder excluded this way is not entered, "
     "so a pattern can also keep a slow mount out of a run."},
};

/* Write a manual page for the tool's subcommand NAME: the shared options
 * above, then OWN's, in one OPTIONS section. */
static int put_manual_page(const char *dir, const char *name, const char *const own[][2],
                           size_t nown)
{
    char page[16384], rel[64];
    int n = snprintf(page, sizeof page,
                     "<!DOCTYPE html><html><head><title>spool-%s</title></head><body>\n"
                     "<h1 id=\"top\">spool-%s</h1>\n<h2 id=\"options\">OPTIONS</h2>\n<dl>\n",
                     name, name);
    for (size_t i = 0; i < sizeof shared_options / sizeof *shared_options; i++)
        n += snprintf(page + n, sizeof page - (size_t)n, "<dt>%s</dt><dd><p>%s</p></dd>\n",
                      shared_options[i][0], shared_options[i][1]);
    for (size_t i = 0; i < nown; i++)
        n += snprintf(page + n, sizeof page - (size_t)n, "<dt>%s</dt><dd><p>%s</p></dd>\n",
                      own[i][0], own[i][1]);
    snprintf(page + n, sizeof page - (size_t)n, "</dl>\n</body></html>\n");
    snprintf(rel, sizeof rel, "site/spool-%s.html", name);
    return put(dir, rel, page);
}

static void pages_that_include_the_same_options_each_keep_them(void)
{
    static const char *const read_own[][2] = {
        {"--reverse", "Print the records newest first. The spool is read from its end, "
         "so this costs nothing extra, and it combines with every other option here."},
        {"--raw", "Print each record's bytes as stored, without decoding the escapes the "
         "writer added, for piping into another program that expects them."},
    };
    static const char *const peek_own[][2] = {
        {"--count", "Print how many records would be read, and nothing else, so that a "
         "script can decide whether a full read is worth starting."},
        {"--first", "Stop after the first record that matches, which makes a quick test "
         "of whether a spool holds anything at all from the given day."},
    };
    char dir[PATH_MAX];
    path_join(dir, g_tmp, "included-options");
    CHECK(mkdir(dir, 0755) == 0);
    CHECK(put_manual_page(dir, "read", read_own, 2) == 0);
    CHECK(put_manual_page(dir, "peek", peek_own, 2) == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    /* The section is in parts, the first all shared; neither page's is folded. */
    CHECK(hits(dir, "--db db sixty-four") == 2);
    CHECK(hits(dir, "--db db timestamp") == 2);
    CHECK(folded_count(dir) == 0);
    /* A page that copies one of them whole is a copy: its parts fold. */
    CHECK(put_manual_page(dir, "read-again", read_own, 2) == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    CHECK(hits(dir, "--db db sixty-four") == 2);
    long once = folded_count(dir);
    CHECK(once >= 2);
    CHECK(index_run(dir, 0, "--db db --rebuild site") == 0);
    CHECK(folded_count(dir) == once);
    /* Either copy deleted, the other is back. */
    CHECK(gone(dir, "site/spool-read.html") == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    CHECK(hits(dir, "--db db sixty-four") == 2);
    CHECK(hits(dir, "--db db piping") == 1);
    CHECK(folded_count(dir) == 0);
}

/* A generated reference: short entries, each a name and a sentence of one
 * template, beside their sources. The samples of each are stock phrases
 * (the template's), but the copy has its page's heading and words. */
static void short_entries_of_one_template_fold_into_their_pages(void)
{
    static const char *const names[] = {"ALPHA", "BETA", "GAMMA", "DELTA"};
    char dir[PATH_MAX], rel[128], page[1024];
    path_join(dir, g_tmp, "template-entries");
    CHECK(mkdir(dir, 0755) == 0);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(page, sizeof page,
                 "<html><head><title>SPOOL_DEPTH_%s</title></head><body>\n"
                 "<h1 id=\"spool-depth-%zu\">SPOOL_DEPTH_%s</h1>\n"
                 "<p>New in version 3.1.</p>\n"
                 "<p>Default value for the %s_DEPTH property of a spool if set when the spool "
                 "is created.</p>\n</body></html>\n",
                 names[i], i, names[i], names[i]);
        snprintf(rel, sizeof rel, "site/depth/%s.html", names[i]);
        CHECK(put(dir, rel, page) == 0);
        snprintf(page, sizeof page,
                 "SPOOL_DEPTH_%s\n-----------------\n\n.. versionadded:: 3.1\n\n"
                 "Default value for the :prop:`%s_DEPTH` property of a spool if set when the\n"
                 "spool is created.\n",
                 names[i], names[i]);
        snprintf(rel, sizeof rel, "site/_sources/depth/%s.txt", names[i]);
        CHECK(put(dir, rel, page) == 0);
    }
    CHECK(index_run(dir, 0, "--db db site") == 0);
    CHECK(folded_count(dir) == 4);
    cJSON *j = query(dir, "--db db -n 20 SPOOL_DEPTH_BETA");
    int n = j ? nresults(j) : -1;
    CHECK(n >= 1);
    for (int i = 0; i < n; i++) {
        const char *path = str_of(result(j, i), "path");
        CHECK(path && strstr(path, ".html") != NULL);
    }
    CHECK(n >= 1 && strstr(str_of(result(j, 0), "path"), "BETA.html") != NULL);
    cJSON_Delete(j);
}


/* Three pages share a paragraph, and each ships its source beside it, with
 * a line the page leaves out. The paragraph is held by six pages, but by
 * three of each kind, so it is not a stock phrase: without it, each copy's
 * own words, fewer than the line its page lacks, could not tell it. */
static void a_paragraph_three_pages_share_still_tells_their_copies(void)
{
    static const char *const names[] = {"ember", "cinder", "flint"};
    static const char shared[] =
        "The value is read once when the controller starts, and a change takes effect at "
        "the next firing; a value outside the range the controller accepts is replaced by "
        "the nearest one.";
    char dir[PATH_MAX], rel[128], page[2048];
    path_join(dir, g_tmp, "shared-paragraph");
    CHECK(mkdir(dir, 0755) == 0);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        const char *name = names[i];
        snprintf(page, sizeof page,
                 "<html><head><title>%s</title></head><body>\n<h1 id=\"%s\">%s</h1>\n"
                 "<p>Hours the %s stage of a firing lasts.</p>\n<p>%s</p>\n</body></html>\n",
                 name, name, name, name, shared);
        snprintf(rel, sizeof rel, "site/%s.html", name);
        CHECK(put(dir, rel, page) == 0);
        snprintf(page, sizeof page,
                 "%s\n-----\n\nHours the %s stage of a firing lasts.\n\n%s\n\n"
                 "Written for the %s build of the manual, this line is left out of the page.\n",
                 name, name, shared, name);
        snprintf(rel, sizeof rel, "site/_sources/%s.rst.txt", name);
        CHECK(put(dir, rel, page) == 0);
    }
    CHECK(index_run(dir, 0, "--db db site") == 0);
    CHECK(folded_count(dir) == 3);
    cJSON *j = query(dir, "--db db -n 20 controller starts");
    CHECK(j && nresults(j) == 3);
    for (int i = 0; j && i < nresults(j); i++) {
        const char *path = str_of(result(j, i), "path");
        CHECK(path && strstr(path, ".html") != NULL);
    }
    cJSON_Delete(j);
}

/* A page whose long sections describe their fields in the same words (the
 * presets of a configuration format, each taking the same sixty fields),
 * beside its reStructuredText source: each sentence is held by a dozen
 * passages, as is each heading, but by two pages only, so it still tells
 * the copy. */
static void sections_written_alike_still_tell_their_copy(void)
{
    static const char *const kinds[] = {"Kindling", "Glazing", "Firing", "Cooling"};
    static const char *const things[] = {"shelf", "cone", "damper", "burner", "flue",
                                         "thermocouple", "chamber", "bag wall", "spy hole",
                                         "saggar"};
    static const char *const states[] = {"cold", "climbing", "soaking", "reducing", "venting",
                                         "cooling"};
    static char fields[6000], html[30000], rst[30000];
    size_t nf = 0;
    for (size_t i = 0; i < 60; i++)
        nf += (size_t)snprintf(fields + nf, sizeof fields - nf,
                               "The %s %s setting says what the preset does when the kiln is %s. ",
                               things[i % 10], i / 10 ? "spare" : "main", states[i / 10]);
    size_t nh = (size_t)snprintf(html, sizeof html,
                                 "<!DOCTYPE html><html><head><title>Kiln presets</title></head>"
                                 "<body>\n<h1 id=\"kiln-presets\">Kiln presets</h1>\n");
    size_t nr = (size_t)snprintf(rst, sizeof rst, "Kiln presets\n============\n\n");
    for (size_t k = 0; k < 4; k++) {
        char slug[32];
        snprintf(slug, sizeof slug, "%s", kinds[k]);
        slug[0] = (char)(slug[0] - 'A' + 'a');
        nh += (size_t)snprintf(html + nh, sizeof html - nh,
                               "<h2 id=\"%s-preset\">%s Preset</h2>\n<p>%s</p>\n", slug,
                               kinds[k], fields);
        nr += (size_t)snprintf(rst + nr, sizeof rst - nr, "%s Preset\n-------------\n\n%s\n\n",
                               kinds[k], fields);
    }
    snprintf(html + nh, sizeof html - nh, "</body></html>\n");
    char dir[PATH_MAX];
    index_page_and_copy("presets", dir, "presets.html", html, "presets.rst.txt", rst);
    results_are_from(dir, "presets", "thermocouple", "html");
    results_are_from(dir, "presets", "glazing", "html");
    CHECK(folded_count(dir) >= 8);
}

/* Paragraph K about a kiln, of at most SIZE - 1 bytes and about SIZE - 40,
 * its words varied with K. */
static void kiln_paragraph(char *out, size_t size, unsigned k)
{
    static const char *const nouns[] = {"shelf", "cone", "damper", "burner", "flue", "chamber",
                                        "saggar", "wall", "door", "vent", "post", "brick",
                                        "arch", "floor", "crown", "port"};
    static const char *const verbs[] = {"warms", "cracks", "settles", "glows", "shifts",
                                        "darkens", "rings", "bends", "holds", "drops", "leans",
                                        "steams"};
    size_t n = 0;
    out[0] = '\0';
    for (unsigned s = 0; n + 40 < size; s++) {
        unsigned a = (k * 7 + s * 3) % 16, b = (k * 5 + s * 11) % 12, c = (k * 3 + s * 5 + 1) % 16;
        n += (size_t)snprintf(out + n, size - n, "%sThe %s %s near the %s in hour %u of run %u.",
                              n ? " " : "", nouns[a], verbs[b], nouns[c], s + 1, k + 1);
    }
}

/* A page "Firing log" of the eight paragraphs PARA and a tail, into HTML
 * (8 KiB), and its reStructuredText source, into RST (8 KiB). */
static void firing_log(char para[8][512], char html[8192], char rst[8192])
{
    const char *tail = "Last of all the quenchwater tray is emptied into the yard drain, "
                       "its lid is wiped dry with a cloth kept for nothing else, and "
                       "the logbook is signed by whoever loaded the kiln that morning.";
    snprintf(html, 8192,
             "<html><head><title>Firing log</title></head><body>\n"
             "<h1 id=\"firing-log\">Firing log</h1>\n<p>%s</p>\n<p>%s</p>\n<p>%s %s</p>\n"
             "<p>%s</p>\n<p>%s %s</p>\n<p>%s %s</p>\n</body></html>\n",
             para[0], para[1], para[2], para[3], para[4], para[5], para[6], para[7], tail);
    size_t n = (size_t)snprintf(rst, 8192, "Firing log\n==========\n\n");
    for (unsigned k = 0; k < 8; k++)
        n += (size_t)snprintf(rst + n, 8192 - n, "%s\n\n", para[k]);
    snprintf(rst + n, 8192 - n, "%s\n", tail);
}

/* A long section and its reStructuredText source cut into parts at other
 * places: the page writes pairs of the source's paragraphs as one, so the
 * source's last part is a short tail (its last paragraph) whose text lies
 * inside a longer part of the page, sampled too sparsely there to tell it.
 * The rest of its section is folded into the page, and so is the tail. */
static void the_tail_of_a_copied_section_folds_with_the_rest_of_it(void)
{
    static char html[8192], rst[8192];
    char para[8][512];
    for (unsigned k = 0; k < 8; k++)
        kiln_paragraph(para[k], 400, k);
    firing_log(para, html, rst);
    char dir[PATH_MAX];
    index_page_and_copy("copied-tail", dir, "firing.html", html, "firing.rst.txt", rst);
    CHECK(folded_count(dir) == 3);
    cJSON *j = query(dir, "--db db -n 20 quenchwater");
    CHECK(j && nresults(j) == 1);
    const char *path = j && nresults(j) ? str_of(result(j, 0), "path") : NULL;
    CHECK(path && strstr(path, "firing.html") != NULL);
    if (path && !strstr(path, "firing.html"))
        fprintf(stderr, "  quenchwater: the first result is from %s\n", path);
    cJSON_Delete(j);
}

/* Paragraph K of made-up words, sentences of nine words until it is about
 * 400 bytes long; OUT holds 512. No two paragraphs share a phrase. */
static void made_up_paragraph(char out[512], unsigned k)
{
    static const char *const syllables[] = {"ka", "lo", "mi", "ter", "quo", "ran", "vel", "sut",
                                            "pim", "dor", "bex", "nal", "fen", "gri", "hus", "jop"};
    unsigned long x = k * 7919UL + 13;
    size_t n = 0;
    while (n + 40 < 400) {
        size_t start = n ? n + 1 : 0;
        for (int w = 0; w < 9; w++) {
            int nsyl = 2 + (int)((x >> 7) % 2);
            if (n)
                out[n++] = ' ';
            for (int j = 0; j < nsyl; j++) {
                x = (x * 1103515245UL + 12345UL) & 0x7fffffffUL;
                const char *syl = syllables[(x >> 10) % 16];
                memcpy(out + n, syl, strlen(syl));
                n += strlen(syl);
            }
        }
        out[start] = (char)toupper((unsigned char)out[start]);
        out[n++] = '.';
    }
    out[n] = '\0';
}

/* The same pages indexed in another order fold the same passages. Another
 * page holds the first paragraphs of the long section, so the first part of
 * its source is held by two pages with more structure and the next by the
 * section's page alone: the source's tail folds with the rest of its
 * section whichever of the two pages its first parts were read against
 * first (a set of shards numbers its passages otherwise than one index). */
static void a_copy_folds_alike_whatever_order_its_pages_came_in(void)
{
    static char html[8192], print[4096], rst[8192];
    char para[8][512];
    for (unsigned k = 0; k < 8; k++) {
        if (k < 3)
            made_up_paragraph(para[k], k);
        else
            kiln_paragraph(para[k], 400, k);
    }
    firing_log(para, html, rst);
    snprintf(print, sizeof print,
             "<html><head><title>Opening the kiln</title></head><body>\n"
             "<h1 id=\"opening\">Opening the kiln</h1>\n<p>%s</p>\n<p>%s</p>\n<p>%s</p>\n"
             "<p>%s</p>\n</body></html>\n",
             para[0], para[1], para[2], para[3]);
    char dir[PATH_MAX];
    path_join(dir, g_tmp, "fold-order");
    CHECK(mkdir(dir, 0755) == 0);
    CHECK(put(dir, "site/opening.html", print) == 0);
    CHECK(put(dir, "site/_sources/firing.rst.txt", rst) == 0);
    /* First the print page and the source, then the section's page. */
    CHECK(index_run(dir, 0, "--db db site") == 0);
    CHECK(put(dir, "site/firing.html", html) == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    /* All three at once, the section's page read first. */
    CHECK(index_run(dir, 0, "--db fresh site") == 0);
    long later = folded_count_of(dir, "db"), fresh = folded_count_of(dir, "fresh");
    CHECK(later == 3 && fresh == 3);
    if (later != 3 || fresh != 3)
        fprintf(stderr, "  folded: %ld with the page added later, %ld at once; want 3\n", later,
                fresh);
    for (int k = 0; k < 2; k++) {
        char args[64];
        snprintf(args, sizeof args, "--db %s -n 20 quenchwater", k ? "fresh" : "db");
        cJSON *j = query(dir, "%s", args);
        CHECK(j && nresults(j) == 1);
        const char *path = j && nresults(j) ? str_of(result(j, 0), "path") : NULL;
        CHECK(path && strstr(path, "firing.html") != NULL);
        cJSON_Delete(j);
    }
}

/* A source whose sections include their text from other files
 * (".. include::"), beside the page built from it: those sections hold none
 * of the page's text, but the rest of the source is the page's, so they are
 * folded into the page's sections of the same headings. When the page goes,
 * they come back, and each state is what a fresh build folds. */
static void a_section_that_includes_its_text_folds_with_the_copy_it_belongs_to(void)
{
    static char html[8192], rst[8192];
    char para[3][600], opts[2][400];
    for (unsigned k = 0; k < 3; k++)
        kiln_paragraph(para[k], sizeof para[k], k);
    for (unsigned k = 0; k < 2; k++)
        kiln_paragraph(opts[k], sizeof opts[k], 10 + k);
    snprintf(html, sizeof html,
             "<html><head><title>kilnctl(1)</title></head><body>\n"
             "<h1 id=\"kilnctl-1\">kilnctl(1)</h1>\n"
             "<h2 id=\"description\">Description</h2>\n<p>%s</p>\n<p>%s</p>\n<p>%s</p>\n"
             "<h2 id=\"options\">Options</h2>\n<dl><dt>--soak</dt><dd><p>%s</p></dd>\n"
             "<dt>--vent</dt><dd><p>%s</p></dd></dl>\n</body></html>\n",
             para[0], para[1], para[2], opts[0], opts[1]);
    snprintf(rst, sizeof rst,
             "kilnctl(1)\n**********\n\nDescription\n===========\n\n%s\n\n%s\n\n%s\n\n"
             "Options\n=======\n\n.. program:: kilnctl\n\n.. include:: OPTIONS_SOAK.txt\n\n"
             ".. include:: OPTIONS_VENT.txt\n",
             para[0], para[1], para[2]);
    char dir[PATH_MAX];
    path_join(dir, g_tmp, "including-copy");
    CHECK(mkdir(dir, 0755) == 0);
    CHECK(put(dir, "site/_sources/kilnctl.rst.txt", rst) == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    CHECK(folded_count(dir) == 0);
    cJSON *j = query(dir, "--db db -n 20 kilnctl options");
    CHECK(j && nresults(j) >= 1);
    cJSON_Delete(j);
    /* The page arrives: the run rechecks the whole source. */
    CHECK(put(dir, "site/kilnctl.html", html) == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    long folded = folded_count(dir);
    CHECK(folded == 2); /* Description and Options */
    if (folded != 2)
        fprintf(stderr, "  %ld passages of the source folded, want 2\n", folded);
    results_are_from(dir, "kilnctl", "kilnctl options", "html");
    CHECK(index_run(dir, 0, "--db fresh site") == 0);
    cmd c;
    sh(&c, dir, "\"$I\" --db fresh --status");
    CHECK(c.status == 0 && strstr(c.out, "\nfolded:   2 ") != NULL);
    cmd_free(&c);
    /* And goes: every passage of the source is back. */
    CHECK(gone(dir, "site/kilnctl.html") == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    CHECK(folded_count(dir) == 0);
    results_are_from(dir, "kilnctl", "kilnctl options", "rst.txt");
}

/* Markup in a heading and a trail reaches title_html and trail_html
 * escaped, the query's words alone marked. */
static void markup_in_headings_is_escaped_where_matches_are_marked(void)
{
    char dir[PATH_MAX];
    path_join(dir, g_tmp, "hostile-titles");
    CHECK(mkdir(dir, 0755) == 0);
    CHECK(put(dir, "site/x.html",
              "<html><head><title>&lt;img src=x onerror=alert(1)&gt; Vortex</title></head>"
              "<body><h1>&lt;img src=x onerror=alert(1)&gt; Vortex</h1>"
              "<h2 id=\"k\">&lt;script&gt;alert(2)&lt;/script&gt; Kelpwhistle &amp; co</h2>"
              "<p>The kelpwhistle vortex is described here at some length, twice.</p>"
              "</body></html>") == 0);
    CHECK(index_run(dir, 0, "--db db site") == 0);
    cJSON *j = query(dir, "--db db kelpwhistle vortex");
    const cJSON *r = j && nresults(j) ? result(j, 0) : NULL;
    const char *t = r ? str_of(r, "title_html") : NULL;
    CHECK_STR(t, "&lt;script&gt;alert(2)&lt;/script&gt; <b>Kelpwhistle</b> &amp; co");
    const cJSON *th = r ? cJSON_GetObjectItemCaseSensitive(r, "trail_html") : NULL;
    const cJSON *t0 = cJSON_GetArrayItem(th, 0);
    CHECK(cJSON_IsString(t0) &&
          strcmp(t0->valuestring, "&lt;img src=x onerror=alert(1)&gt; <b>Vortex</b>") == 0);
    cJSON_Delete(j);
}

/* ------------------------------------------------------------------- main */

int main(void)
{
    char p[PATH_MAX * 2 + 16];
    if (shell_setup("sites", g_index, g_query, g_tmp) < 0)
        return 1;

    RUN(links_are_the_base_url_the_path_under_the_root_and_the_anchor);
    RUN(a_base_url_without_a_final_slash_still_gets_one_before_the_path);
    RUN(a_jsonl_record_with_an_absolute_url_links_to_that_url_and_its_anchor);
    RUN(json_lines_with_malformed_lines_are_indexed_without_them_naming_each_line);
    RUN(json_lines_records_with_unsafe_links_or_nul_characters_are_named_and_skipped);
    RUN(exclude_keeps_a_folder_out_of_the_index);
    RUN(include_indexes_only_the_matching_files);
    RUN(rubric_json_gives_the_sources_the_db_the_base_url_and_shows_boilerplate);
    RUN(flags_override_the_db_and_base_url_of_rubric_json);
    RUN(the_users_configuration_serves_both_tools_from_any_folder);
    RUN(config_names_another_file_whose_paths_are_relative_to_it);
    RUN(boilerplate_detect_false_indexes_link_lists_as_content);
    RUN(a_rubric_json_with_an_unknown_key_stops_both_tools_with_exit_2);
    RUN(a_repeated_sources_key_in_rubric_json_does_not_crash_the_indexer);
    RUN(reindexing_drops_a_deleted_file_and_replaces_an_edited_one);
    RUN(reindexing_the_configured_sources_drops_deleted_and_newly_excluded_files);
    RUN(a_noindex_page_is_not_found_and_the_run_exits_0);
    RUN(a_noindex_written_in_capitals_also_keeps_the_page_out);
    RUN(malformed_html_markdown_and_jsonl_do_not_stop_the_rest);
    RUN(a_plain_text_copy_of_a_page_is_folded_into_its_html_sections);
    RUN(the_copy_folded_is_the_same_whatever_order_the_files_came_in);
    RUN(deleting_the_kept_copy_brings_the_folded_one_back);
    RUN(a_short_part_of_a_copy_folds_into_the_long_section_holding_it);
    RUN(pages_that_are_only_alike_are_both_kept);
    RUN(pages_that_include_the_same_options_each_keep_them);
    RUN(short_entries_of_one_template_fold_into_their_pages);
    RUN(a_paragraph_three_pages_share_still_tells_their_copies);
    RUN(sections_written_alike_still_tell_their_copy);
    RUN(the_tail_of_a_copied_section_folds_with_the_rest_of_it);
    RUN(a_copy_folds_alike_whatever_order_its_pages_came_in);
    RUN(a_section_that_includes_its_text_folds_with_the_copy_it_belongs_to);
    RUN(markup_in_headings_is_escaped_where_matches_are_marked);

    snprintf(p, sizeof p, "rm -rf %s", sq(g_tmp));
    if (system(p) != 0)
        fprintf(stderr, "test_sites: could not remove %s\n", g_tmp);
    return HARNESS_END();
}
