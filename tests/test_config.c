/* test_config.c: unit tests of lib/config.c, the reader of rubric.json.
 *
 * Each test writes a configuration into a fresh temporary directory (removed at
 * the end) and calls config_load(): one test per kind of error (the message
 * must name the file and the key), the defaults, the values read (relative
 * paths resolved against the file's folder), and config_takes/config_prunes
 * on tables of (globs, path) -> expected.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <malloc.h> /* mallinfo2: glibc */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "internal.h"
#include "harness.h"

static char g_tmp[PATH_MAX]; /* the temporary directory */
static char g_cwd[PATH_MAX]; /* where the tests started */

/* ---------------------------------------------------------------- helpers */

/* DST (PATH_MAX bytes) = A "/" B, cut short (and reported) if too long. */
static void path_join(char *dst, const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na + 1 + nb >= PATH_MAX) {
        fprintf(stderr, "test_config: path too long: %s/%s\n", a, b);
        na = nb = 0;
    }
    memcpy(dst, a, na);
    dst[na] = '/';
    memcpy(dst + na + 1, b, nb);
    dst[na + 1 + nb] = '\0';
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = strlen(text);
    int ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Write TEXT to NAME under the temporary directory; its path goes to PATH. */
static int put(const char *name, const char *text, char *path)
{
    path_join(path, g_tmp, name);
    if (write_text(path, text) < 0) {
        fprintf(stderr, "  cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Load TEXT (written to NAME) and expect an error whose message names the
 * file and each of the NULL-terminated KEYS. When NOT is given, the message
 * must not hold it (to tell one kind of error from another). */
static void expect_error(const char *name, const char *text, const char *const *keys,
                         const char *not)
{
    char path[PATH_MAX];
    CHECK(put(name, text, path) == 0);
    config c;
    char *err = NULL;
    int rc = config_load(path, &c, &err);
    CHECK(rc == -1);
    CHECK(err != NULL);
    if (rc == -1) {
        /* a failed load leaves nothing to free: config_free is still safe */
        CHECK(c.path == NULL && c.db == NULL && c.sources == NULL && c.nsources == 0);
    }
    if (err) {
        int named = strstr(err, path) != NULL;
        CHECK(named);
        for (const char *const *k = keys; *k; k++) {
            int has = strstr(err, *k) != NULL;
            if (!has)
                fprintf(stderr, "  '%s' not in: %s\n", *k, err);
            CHECK(has);
        }
        if (not) {
            int clean = strstr(err, not) == NULL;
            if (!clean)
                fprintf(stderr, "  '%s' should not be in: %s\n", not, err);
            CHECK(clean);
        }
        if (!named)
            fprintf(stderr, "  file not named in: %s\n", err);
    } else if (rc == 0) {
        fprintf(stderr, "  %s was accepted: %s\n", name, text);
    }
    free(err);
    config_free(&c);
}

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Run FN in a child process, so that a crash fails one test, not the run.
 * Returns FN's return value (0 for success), or 128 + the signal. */
static int in_child(int (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(fn() ? 1 : 0);
    int st = 0;
    if (waitpid(pid, &st, 0) < 0)
        return -1;
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int path_is(const char *got, const char *dir, const char *rel)
{
    char want[PATH_MAX * 2];
    snprintf(want, sizeof want, "%s/%s", dir, rel);
    if (got && strcmp(got, want) == 0)
        return 1;
    fprintf(stderr, "  got %s, want %s\n", got ? got : "(null)", want);
    return 0;
}

/* ------------------------------------------------------- errors, one each */

static void an_unknown_top_level_key_is_an_error_naming_it(void)
{
    expect_error("unknown-top.json", "{\"db\": \"x.db\", \"colour\": \"red\"}", KEYS("'colour'"),
                 NULL);
    /* a key differing only in case is not the known one */
    expect_error("unknown-case.json", "{\"DB\": \"x.db\"}", KEYS("'DB'"), NULL);
}

static void an_unknown_key_inside_boilerplate_is_an_error_naming_it(void)
{
    expect_error("unknown-boiler.json", "{\"boilerplate\": {\"show\": true, \"hide\": false}}",
                 KEYS("boilerplate.hide"), NULL);
}

static void an_unknown_key_inside_a_source_is_an_error_naming_it(void)
{
    expect_error("unknown-source.json",
                 "{\"sources\": [{\"root\": \"site\", \"filter\": [\"*.html\"]}]}",
                 KEYS("sources[0].filter"), NULL);
    /* the index names the right source */
    expect_error("unknown-source2.json",
                 "{\"sources\": [\"notes\", {\"root\": \"site\", \"excludes\": []}]}",
                 KEYS("sources[1].excludes"), NULL);
}

static void lang_that_is_a_number_is_an_error_naming_lang(void)
{
    expect_error("lang.json", "{\"lang\": 3}", KEYS("'lang'"), "not a known key");
}

static void base_url_that_is_an_array_is_an_error_naming_base_url(void)
{
    expect_error("base-url.json", "{\"base_url\": []}", KEYS("'base_url'"), "not a known key");
}

static void db_that_is_a_boolean_is_an_error_naming_db(void)
{
    expect_error("db.json", "{\"db\": true}", KEYS("'db'"), "not a known key");
    expect_error("db-null.json", "{\"db\": null}", KEYS("'db'"), "not a known key");
}

static void boilerplate_that_is_a_string_is_an_error_naming_boilerplate(void)
{
    expect_error("boiler-str.json", "{\"boilerplate\": \"yes\"}", KEYS("'boilerplate'"),
                 "not a known key");
}

static void boilerplate_detect_that_is_a_string_is_an_error_naming_it(void)
{
    expect_error("detect.json", "{\"boilerplate\": {\"detect\": \"no\"}}",
                 KEYS("boilerplate.detect"), "not a known key");
    expect_error("show.json", "{\"boilerplate\": {\"show\": 1}}", KEYS("boilerplate.show"),
                 "not a known key");
}

static void sources_that_is_an_object_is_an_error_naming_sources(void)
{
    expect_error("sources-obj.json", "{\"sources\": {}}", KEYS("'sources'"), "not a known key");
    expect_error("sources-str.json", "{\"sources\": \"site\"}", KEYS("'sources'"),
                 "not a known key");
}

static void a_source_that_is_a_number_is_an_error_naming_it(void)
{
    expect_error("source-num.json", "{\"sources\": [3]}", KEYS("sources[0]"), "not a known key");
    expect_error("source-num2.json", "{\"sources\": [\"site\", 3]}", KEYS("sources[1]"),
                 "not a known key");
}

static void include_that_is_a_string_is_an_error_naming_it(void)
{
    expect_error("include-str.json",
                 "{\"sources\": [{\"root\": \"site\", \"include\": \"*.html\"}]}",
                 KEYS("sources[0].include"), "not a known key");
}

static void an_include_array_holding_a_number_is_an_error_naming_it(void)
{
    expect_error("include-num.json",
                 "{\"sources\": [{\"root\": \"site\", \"include\": [\"*.md\", 7]}]}",
                 KEYS("sources[0].include"), "not a known key");
    expect_error("exclude-num.json",
                 "{\"sources\": [{\"root\": \"site\", \"exclude\": [null]}]}",
                 KEYS("sources[0].exclude"), "not a known key");
}

static void a_source_object_without_root_is_an_error_naming_root(void)
{
    expect_error("no-root.json", "{\"sources\": [{\"include\": [\"*.md\"]}]}",
                 KEYS("sources[0]", "root"), "not a known key");
    expect_error("root-num.json", "{\"sources\": [{\"root\": 5}]}", KEYS("sources[0].root"),
                 "not a known key");
}

static void an_empty_path_is_an_error_naming_its_key(void)
{
    expect_error("empty-source.json", "{\"sources\": [\"\"]}", KEYS("sources[0]", "empty"),
                 NULL);
    expect_error("empty-root.json", "{\"sources\": [{\"root\": \"\"}]}",
                 KEYS("sources[0].root", "empty"), NULL);
    expect_error("empty-db.json", "{\"db\": \"\"}", KEYS("'db'", "empty"), NULL);
}

/* read_file(), which reads rubric.json (and every source file): a limit in
 * bytes that holds exactly, anything but a regular file refused at once. */
static void whole_files_are_read_up_to_their_limit_and_only_regular_ones(void)
{
    char path[PATH_MAX], fifo[PATH_MAX + 8];
    CHECK(put("limit.txt", "0123456789", path) == 0);
    char *data = NULL;
    size_t len = 0;
    CHECK(read_file(path, 10, &data, &len) == 0 && len == 10 && data && data[10] == '\0');
    free(data);
    CHECK(read_file(path, 9, &data, &len) == READ_TOO_LARGE && !data);
    CHECK(read_file(path, SIZE_MAX, &data, &len) == 0 && len == 10);
    free(data);
    /* /proc files say they are empty and are not. */
    CHECK(read_file("/proc/self/status", 16, &data, &len) == READ_TOO_LARGE);
    CHECK(read_file("/proc/self/status", SIZE_MAX, &data, &len) == 0 && len > 16);
    free(data);
    snprintf(fifo, sizeof fifo, "%s.fifo", path);
    CHECK(mkfifo(fifo, 0644) == 0);
    CHECK(read_file(fifo, SIZE_MAX, &data, &len) == READ_NOT_REGULAR && !data);
    unlink(fifo);
    CHECK(read_file("/dev/zero", SIZE_MAX, &data, &len) == READ_NOT_REGULAR);
    CHECK(strstr(read_file_error(READ_NOT_REGULAR), "regular") != NULL);
}

static void a_top_level_that_is_not_an_object_is_an_error(void)
{
    expect_error("array.json", "[{\"db\": \"x.db\"}]", KEYS("object"), NULL);
}

static void invalid_json_is_an_error_naming_the_file_and_the_line(void)
{
    /* the comma missing after "english" shows on line 4 */
    expect_error("invalid.json",
                 "{\n  \"db\": \"x.db\",\n  \"lang\": \"english\"\n  \"base_url\": \"https://x/\"\n}\n",
                 KEYS("line 4"), NULL);
    expect_error("invalid1.json", "{\"db\": \"x.db\",, }", KEYS("line 1"), NULL);
    expect_error("empty.json", "", KEYS("JSON"), NULL);
    expect_error("unclosed.json", "{\"db\": \"x.db\"", KEYS("JSON"), NULL);
}

static void text_after_the_json_object_is_an_error(void)
{
    /* cJSON stops after the first value unless told to require the end: a
     * second object (or stray text) after the first must not be ignored. */
    expect_error("trailing.json", "{\"db\": \"a.db\"}\n{\"db\": \"b.db\"}\n", KEYS("JSON"),
                 NULL);
    expect_error("trailing-text.json", "{\"db\": \"a.db\"} oops", KEYS("JSON"), NULL);
}

static void a_missing_file_given_explicitly_is_an_error_naming_it(void)
{
    char path[PATH_MAX];
    path_join(path, g_tmp, "no-such-config.json");
    config c;
    char *err = NULL;
    CHECK(config_load(path, &c, &err) == -1);
    CHECK(err && strstr(err, path));
    CHECK(err && strstr(err, strerror(ENOENT)));
    free(err);
    config_free(&c);
}

/* ----------------------------------------------------------- the defaults */

static void without_rubric_json_in_the_current_folder_the_defaults_apply(void)
{
    char dir[PATH_MAX];
    struct stat st;
    if (stat(CONFIG_SYSTEM, &st) == 0) {
        printf("     %s exists on this machine: the defaults are not checked\n", CONFIG_SYSTEM);
        return;
    }
    path_join(dir, g_tmp, "empty-cwd");
    CHECK(mkdir(dir, 0755) == 0);
    CHECK(chdir(dir) == 0);
    config c;
    char *err = (char *)"unchanged";
    int rc = config_load(NULL, &c, &err);
    CHECK(rc == 0);
    CHECK(err == NULL);
    if (rc == 0) {
        CHECK(c.path == NULL);
        CHECK(c.db == NULL && c.lang == NULL && c.base_url == NULL);
        CHECK(c.nsources == 0);
        CHECK(c.detect_boilerplate == 1);
        CHECK(c.show_boilerplate == 0);
        config_free(&c);
    }
    CHECK(chdir(g_cwd) == 0);
}

static void rubric_json_in_the_current_folder_is_read_by_default(void)
{
    char dir[PATH_MAX], file[PATH_MAX];
    path_join(dir, g_tmp, "default-cwd");
    CHECK(mkdir(dir, 0755) == 0);
    path_join(file, dir, CONFIG_DEFAULT);
    CHECK(write_text(file, "{\"db\": \"here.db\", \"boilerplate\": {\"show\": true}}") == 0);
    CHECK(chdir(dir) == 0);
    config c;
    char *err = NULL;
    int rc = config_load(NULL, &c, &err);
    CHECK(rc == 0);
    if (rc == 0) {
        CHECK_STR(c.path, CONFIG_DEFAULT);
        CHECK_STR(c.db, "here.db"); /* the current folder's: no prefix needed */
        CHECK(c.show_boilerplate == 1);
        CHECK(c.detect_boilerplate == 1);
        config_free(&c);
    } else {
        fprintf(stderr, "  %s\n", err ? err : "?");
    }
    free(err);
    /* ...and an invalid default file is an error naming it */
    CHECK(write_text(file, "{\"dbx\": 1}") == 0);
    err = NULL;
    CHECK(config_load(NULL, &c, &err) == -1);
    CHECK(err && strstr(err, CONFIG_DEFAULT) && strstr(err, "dbx"));
    free(err);
    config_free(&c);
    CHECK(chdir(g_cwd) == 0);
}

/* Load the configuration found from an empty current folder (none given);
 * its path and db into PATH and DB (empty when none). */
static void load_found(const char *cwd, char *path, char *db)
{
    path[0] = db[0] = '\0';
    CHECK(chdir(cwd) == 0);
    config c;
    char *err = NULL;
    int rc = config_load(NULL, &c, &err);
    CHECK(rc == 0);
    if (rc == 0) {
        snprintf(path, PATH_MAX, "%s", c.path ? c.path : "");
        snprintf(db, PATH_MAX, "%s", c.db ? c.db : "");
        config_free(&c);
    } else {
        fprintf(stderr, "  %s\n", err ? err : "?");
    }
    free(err);
    CHECK(chdir(g_cwd) == 0);
}

/* Without ./rubric.json: the user's, under $XDG_CONFIG_HOME when that is an
 * absolute path, else under ~/.config; the current folder's comes first. */
static void the_users_configuration_is_read_after_the_current_folders(void)
{
    char cwd[PATH_MAX], xdg[PATH_MAX], home[PATH_MAX], d[PATH_MAX], file[PATH_MAX],
        got[PATH_MAX], db[PATH_MAX], want[PATH_MAX];
    char *old_xdg = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    path_join(cwd, g_tmp, "user-cwd");
    path_join(xdg, g_tmp, "xdg");
    path_join(home, g_tmp, "home");
    CHECK(mkdir(cwd, 0755) == 0 && mkdir(xdg, 0755) == 0 && mkdir(home, 0755) == 0);
    path_join(d, xdg, "rubric");
    CHECK(mkdir(d, 0755) == 0);
    path_join(file, d, CONFIG_DEFAULT);
    CHECK(write_text(file, "{\"db\": \"xdg.db\"}") == 0);
    path_join(d, home, ".config");
    CHECK(mkdir(d, 0755) == 0);
    path_join(d, d, "rubric");
    CHECK(mkdir(d, 0755) == 0);
    path_join(d, d, CONFIG_DEFAULT);
    CHECK(write_text(d, "{\"db\": \"home.db\"}") == 0);
    setenv("HOME", home, 1);

    setenv("XDG_CONFIG_HOME", xdg, 1);
    load_found(cwd, got, db);
    CHECK_STR(got, file);
    path_join(want, xdg, "rubric/xdg.db"); /* relative to its folder */
    CHECK_STR(db, want);

    /* Unset, or not an absolute path: ~/.config. */
    unsetenv("XDG_CONFIG_HOME");
    load_found(cwd, got, db);
    CHECK_STR(got, d);
    setenv("XDG_CONFIG_HOME", "relative/config", 1);
    load_found(cwd, got, db);
    CHECK_STR(got, d);

    /* The current folder's first. */
    setenv("XDG_CONFIG_HOME", xdg, 1);
    path_join(file, cwd, CONFIG_DEFAULT);
    CHECK(write_text(file, "{\"db\": \"here.db\"}") == 0);
    load_found(cwd, got, db);
    CHECK_STR(got, CONFIG_DEFAULT);
    CHECK_STR(db, "here.db");

    if (old_xdg)
        setenv("XDG_CONFIG_HOME", old_xdg, 1);
    else
        unsetenv("XDG_CONFIG_HOME");
    if (old_home)
        setenv("HOME", old_home, 1);
    else
        unsetenv("HOME");
    free(old_xdg);
    free(old_home);
}

/* The example installed for /etc/rubric/rubric.json is a valid one. */
static void the_example_configuration_is_read_without_error(void)
{
    const char *src = getenv("RUBRIC_SRCDIR");
    char path[PATH_MAX];
    path_join(path, src && *src ? src : g_cwd, "contrib/rubric.json");
    config c;
    char *err = NULL;
    int rc = config_load(path, &c, &err);
    CHECK(rc == 0);
    if (rc == 0) {
        CHECK_STR(c.db, "/var/lib/rubric/site.db");
        CHECK(c.nsources == 1 && c.base_url != NULL);
        config_free(&c);
    } else {
        fprintf(stderr, "  %s\n", err ? err : "?");
    }
    free(err);
}

static void an_empty_object_gives_the_defaults(void)
{
    char path[PATH_MAX];
    CHECK(put("empty-object.json", "{ }", path) == 0);
    config c;
    char *err = NULL;
    int rc = config_load(path, &c, &err);
    CHECK(rc == 0 && err == NULL);
    if (rc == 0) {
        CHECK_STR(c.path, path);
        CHECK(c.db == NULL && c.lang == NULL && c.base_url == NULL && c.nsources == 0);
        CHECK(c.detect_boilerplate == 1 && c.show_boilerplate == 0);
        config_free(&c);
    }
    free(err);
}

/* ---------------------------------------------------------- values read */

static void every_value_is_read_with_relative_paths_under_the_files_folder(void)
{
    char dir[PATH_MAX], path[PATH_MAX];
    path_join(dir, g_tmp, "values");
    CHECK(mkdir(dir, 0755) == 0);
    path_join(path, dir, "rubric.json");
    CHECK(write_text(path,
                     "{\n"
                     "  \"db\": \"x.db\",\n"
                     "  \"lang\": \"french\",\n"
                     "  \"base_url\": \"docs/\",\n"
                     "  \"sources\": [\n"
                     "    \"notes\",\n"
                     "    {\"root\": \"sub/html\", \"include\": [\"*.html\", \"*.htm\"],\n"
                     "     \"exclude\": [\"_sources/*\"]},\n"
                     "    {\"root\": \"/abs/site\", \"exclude\": []}\n"
                     "  ],\n"
                     "  \"boilerplate\": {\"detect\": false, \"show\": true}\n"
                     "}\n") == 0);
    config c;
    char *err = NULL;
    int rc = config_load(path, &c, &err);
    CHECK(rc == 0);
    if (rc != 0) {
        fprintf(stderr, "  %s\n", err ? err : "?");
        free(err);
        return;
    }
    CHECK_STR(c.path, path);
    CHECK(path_is(c.db, dir, "x.db"));
    CHECK_STR(c.lang, "french");       /* not a path */
    CHECK_STR(c.base_url, "docs/");    /* not a path either */
    CHECK(c.detect_boilerplate == 0);
    CHECK(c.show_boilerplate == 1);
    CHECK(c.nsources == 3);
    if (c.nsources == 3) {
        CHECK(path_is(c.sources[0].root, dir, "notes"));
        CHECK(c.sources[0].include == NULL || c.sources[0].include[0] == NULL);
        CHECK(c.sources[0].exclude == NULL || c.sources[0].exclude[0] == NULL);
        CHECK(path_is(c.sources[1].root, dir, "sub/html"));
        CHECK(c.sources[1].include != NULL);
        if (c.sources[1].include) {
            CHECK_STR(c.sources[1].include[0], "*.html");
            CHECK_STR(c.sources[1].include[1], "*.htm");
            CHECK(c.sources[1].include[2] == NULL);
        }
        CHECK(c.sources[1].exclude != NULL);
        if (c.sources[1].exclude) {
            CHECK_STR(c.sources[1].exclude[0], "_sources/*"); /* globs are not paths */
            CHECK(c.sources[1].exclude[1] == NULL);
        }
        CHECK_STR(c.sources[2].root, "/abs/site"); /* absolute: kept */
        CHECK(c.sources[2].exclude == NULL || c.sources[2].exclude[0] == NULL);
    }
    config_free(&c);
    CHECK(c.path == NULL && c.sources == NULL && c.nsources == 0);
    config_free(&c); /* twice is harmless */
}

static void an_absolute_db_path_is_kept_as_written(void)
{
    char path[PATH_MAX];
    CHECK(put("absolute.json", "{\"db\": \"/var/lib/rubric/site.db\"}", path) == 0);
    config c;
    char *err = NULL;
    int rc = config_load(path, &c, &err);
    CHECK(rc == 0);
    if (rc == 0) {
        CHECK_STR(c.db, "/var/lib/rubric/site.db");
        config_free(&c);
    }
    free(err);
}

static void a_config_named_relatively_resolves_against_its_own_folder(void)
{
    /* from the temporary directory, "rel/cfg.json" saying "x.db" means rel/x.db */
    char dir[PATH_MAX], file[PATH_MAX];
    path_join(dir, g_tmp, "rel");
    CHECK(mkdir(dir, 0755) == 0);
    path_join(file, dir, "cfg.json");
    CHECK(write_text(file, "{\"db\": \"x.db\", \"sources\": [\"../site\", {\"root\": \"docs\"}]}") ==
          0);
    CHECK(chdir(g_tmp) == 0);
    config c;
    char *err = NULL;
    int rc = config_load("rel/cfg.json", &c, &err);
    CHECK(rc == 0);
    if (rc == 0) {
        CHECK_STR(c.db, "rel/x.db");
        CHECK(c.nsources == 2);
        if (c.nsources == 2) {
            CHECK_STR(c.sources[0].root, "rel/../site");
            CHECK_STR(c.sources[1].root, "rel/docs");
        }
        config_free(&c);
    }
    free(err);
    CHECK(chdir(g_cwd) == 0);
}

static void a_later_value_of_a_repeated_key_wins(void)
{
    char path[PATH_MAX];
    CHECK(put("repeat.json", "{\"lang\": \"german\", \"lang\": \"dutch\"}", path) == 0);
    config c;
    char *err = NULL;
    int rc = config_load(path, &c, &err);
    /* either refused, naming the key, or the last value read */
    if (rc == 0) {
        CHECK_STR(c.lang, "dutch");
        config_free(&c);
    } else {
        CHECK(err && strstr(err, "lang"));
    }
    free(err);
}

/* Loads {"sources": ["a", "b"], "sources": ["c"]}: the second array must
 * replace the first (or the file be refused). Run in a child: it used to
 * write past the end of the new array. */
static int load_repeated_sources(void)
{
    char path[PATH_MAX];
    if (put("repeat-sources.json", "{\"sources\": [\"a\", \"b\"], \"sources\": [\"c\"]}", path) < 0)
        return 1;
    config c;
    char *err = NULL;
    int rc = config_load(path, &c, &err);
    int ok;
    if (rc == 0) {
        ok = c.nsources == 1 && c.sources[0].root && strcmp(c.sources[0].root + strlen(g_tmp),
                                                             "/c") == 0;
        if (!ok)
            fprintf(stderr, "  nsources %zu (want 1)\n", c.nsources);
        config_free(&c);
    } else {
        ok = err && strstr(err, "sources") != NULL;
    }
    free(err);
    return !ok;
}

static void a_repeated_sources_key_replaces_the_list_without_overflowing_it(void)
{
    int rc = in_child(load_repeated_sources);
    if (rc >= 128)
        fprintf(stderr, "  config_load crashed with signal %d\n", rc - 128);
    CHECK(rc == 0);
}

/* Bytes the C library has handed out and not taken back. */
static size_t heap_in_use(void)
{
    return mallinfo2().uordblks;
}

static void a_refused_source_frees_what_was_read_of_it(void)
{
    /* The source that fails is not counted in nsources, so config_free()
     * never frees the root and globs read before its bad key: each refused
     * file leaked them (LeakSanitizer reports it under make SANITIZE=1).
     * Measured through mallinfo2() over many loads; ASan's allocator reports
     * nothing there, and LeakSanitizer takes over. */
    char path[PATH_MAX];
    CHECK(put("leak.json",
              "{\"sources\": [{\"root\": \"a-rather-long-folder-name/that-is-easy-to-see\", "
              "\"include\": [\"*.html\", \"*.md\"], \"exclude\": [\"_drafts/*\"], "
              "\"bogus\": 1}]}",
              path) == 0);
    enum { ROUNDS = 2000 };
    size_t before = 0;
    for (int i = 0; i < ROUNDS + 10; i++) {
        if (i == 10)
            before = heap_in_use(); /* after the first rounds warmed the heap */
        config c;
        char *err = NULL;
        CHECK(config_load(path, &c, &err) == -1);
        free(err);
        config_free(&c);
    }
    size_t after = heap_in_use();
    size_t grown = after > before ? after - before : 0;
    if (grown > 16 * 1024)
        fprintf(stderr, "  the heap grew by %zu bytes over %d refused loads\n", grown, ROUNDS);
    CHECK(grown <= 16 * 1024);
}

/* ----------------------------------------------------------------- globs */

static char *const NONE[] = {NULL};

static void config_takes_follows_its_table(void)
{
    static char *html[] = {"*.html", NULL};
    static char *html_md[] = {"*.html", "*.md", NULL};
    static char *drafts[] = {"_drafts/*", NULL};
    static char *guide[] = {"guide/*", NULL};
    static char *htmq[] = {"*.htm?", NULL};
    static char *range[] = {"[a-c]*.md", NULL};
    static char *upper[] = {"*.HTML", NULL};
    static char *index_html[] = {"index.html", NULL};
    static char *all[] = {"*", NULL};
    static const struct {
        char *const *include, *const *exclude;
        const char *rel;
        int want;
    } table[] = {
        {NULL, NULL, "a.html", 1},                /* no globs: everything */
        {NONE, NONE, "a.html", 1},                /* empty lists: the same */
        {html, NULL, "a.html", 1},
        {html, NULL, "guide/install.html", 1},    /* '*' crosses '/' */
        {html, NULL, "notes.md", 0},
        {html, NULL, "a.html.bak", 0},            /* the whole path must match */
        {html_md, NULL, "notes.md", 1},           /* any include will do */
        {NULL, drafts, "_drafts/wip.html", 0},
        {NULL, drafts, "_drafts/deep/wip.html", 0},
        {NULL, drafts, "x/_drafts/wip.html", 1},  /* globs start at the root */
        {NULL, drafts, "_draftsy/wip.html", 1},
        {html, drafts, "_drafts/wip.html", 0},    /* exclude beats include */
        {html, drafts, "guide/a.html", 1},
        {guide, NULL, "guide/a/b.html", 1},
        {guide, NULL, "guides/a.html", 0},
        {htmq, NULL, "a.html", 1},
        {htmq, NULL, "a.htm", 0},
        {range, NULL, "b.md", 1},
        {range, NULL, "d.md", 0},
        {upper, NULL, "a.html", 0},               /* case counts */
        {index_html, NULL, "index.html", 1},
        {index_html, NULL, "sub/index.html", 0},
        {all, NULL, ".hidden/x.md", 1},           /* no special leading dot */
        {all, all, "x.md", 0},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int got = config_takes(table[i].include, table[i].exclude, table[i].rel) != 0;
        if (got != table[i].want)
            fprintf(stderr, "  row %zu: config_takes(%s, %s, \"%s\") = %d, want %d\n", i,
                    table[i].include && table[i].include[0] ? table[i].include[0] : "-",
                    table[i].exclude && table[i].exclude[0] ? table[i].exclude[0] : "-",
                    table[i].rel, got, table[i].want);
        CHECK(got == table[i].want);
    }
}

static void config_prunes_follows_its_table(void)
{
    static char *drafts[] = {"_drafts/*", NULL};
    static char *drafts_dir[] = {"_drafts", NULL};
    static char *nested[] = {"*/_drafts/*", NULL};
    static char *two[] = {"_static/*", "_sources/*", NULL};
    static char *html[] = {"*.html", NULL};
    static char *files[] = {"_drafts/*.html", NULL};
    static const struct {
        char *const *exclude;
        const char *rel;
        int want;
    } table[] = {
        {NULL, "_drafts", 0},
        {NONE, "_drafts", 0},
        {drafts, "_drafts", 1},          /* the glob matches "_drafts/" */
        {drafts, "drafts", 0},
        {drafts, "_drafts2", 0},
        {drafts, "a/_drafts", 0},        /* anchored at the root */
        {drafts, "_drafts/sub", 1},
        {drafts_dir, "_drafts", 1},      /* the folder's own name */
        {drafts_dir, "_drafts/sub", 0},
        {nested, "a/_drafts", 1},
        {nested, "_drafts", 0},
        {two, "_sources", 1},
        {two, "_static", 1},
        {two, "static", 0},
        {html, "folder.html", 1},        /* a folder that matches is excluded whole */
        {html, "folder", 0},
        {files, "_drafts", 0},           /* only some files of it are excluded */
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int got = config_prunes(table[i].exclude, table[i].rel) != 0;
        if (got != table[i].want)
            fprintf(stderr, "  row %zu: config_prunes(%s, \"%s\") = %d, want %d\n", i,
                    table[i].exclude && table[i].exclude[0] ? table[i].exclude[0] : "-",
                    table[i].rel, got, table[i].want);
        CHECK(got == table[i].want);
    }
}

/* ------------------------------------------------------------------- main */

int main(void)
{
    if (!getcwd(g_cwd, sizeof g_cwd)) {
        fprintf(stderr, "test_config: getcwd: %s\n", strerror(errno));
        return 1;
    }
    const char *tmpdir = getenv("TMPDIR");
    snprintf(g_tmp, sizeof g_tmp, "%s/rubric-test-config-XXXXXX",
             tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(g_tmp)) {
        fprintf(stderr, "test_config: mkdtemp %s: %s\n", g_tmp, strerror(errno));
        return 1;
    }

    RUN(an_unknown_top_level_key_is_an_error_naming_it);
    RUN(an_unknown_key_inside_boilerplate_is_an_error_naming_it);
    RUN(an_unknown_key_inside_a_source_is_an_error_naming_it);
    RUN(lang_that_is_a_number_is_an_error_naming_lang);
    RUN(base_url_that_is_an_array_is_an_error_naming_base_url);
    RUN(db_that_is_a_boolean_is_an_error_naming_db);
    RUN(boilerplate_that_is_a_string_is_an_error_naming_boilerplate);
    RUN(boilerplate_detect_that_is_a_string_is_an_error_naming_it);
    RUN(sources_that_is_an_object_is_an_error_naming_sources);
    RUN(a_source_that_is_a_number_is_an_error_naming_it);
    RUN(include_that_is_a_string_is_an_error_naming_it);
    RUN(an_include_array_holding_a_number_is_an_error_naming_it);
    RUN(a_source_object_without_root_is_an_error_naming_root);
    RUN(an_empty_path_is_an_error_naming_its_key);
    RUN(whole_files_are_read_up_to_their_limit_and_only_regular_ones);
    RUN(a_top_level_that_is_not_an_object_is_an_error);
    RUN(invalid_json_is_an_error_naming_the_file_and_the_line);
    RUN(text_after_the_json_object_is_an_error);
    RUN(a_missing_file_given_explicitly_is_an_error_naming_it);
    RUN(without_rubric_json_in_the_current_folder_the_defaults_apply);
    RUN(rubric_json_in_the_current_folder_is_read_by_default);
    RUN(the_users_configuration_is_read_after_the_current_folders);
    RUN(the_example_configuration_is_read_without_error);
    RUN(an_empty_object_gives_the_defaults);
    RUN(every_value_is_read_with_relative_paths_under_the_files_folder);
    RUN(an_absolute_db_path_is_kept_as_written);
    RUN(a_config_named_relatively_resolves_against_its_own_folder);
    RUN(a_later_value_of_a_repeated_key_wins);
    RUN(a_repeated_sources_key_replaces_the_list_without_overflowing_it);
    RUN(a_refused_source_frees_what_was_read_of_it);
    RUN(config_takes_follows_its_table);
    RUN(config_prunes_follows_its_table);

    char cmdline[PATH_MAX + 32];
    snprintf(cmdline, sizeof cmdline, "rm -rf '%s'", g_tmp);
    if (system(cmdline) != 0)
        fprintf(stderr, "test_config: could not remove %s\n", g_tmp);
    return HARNESS_END();
}
