/* rubric-index: walk files and directories and index their passages. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "config.h"
#include "rubric.h"

/* The most threads --jobs takes. A first build or --rebuild writes a shard
 * on each and merges them at commit; other runs read and analyse on each
 * while one thread writes, so there the one writer bounds the gain. */
#define JOBS_MAX 8
#define JOBS_MAX_TEXT "8"

static const char usage_text[] =
    "usage: rubric-index [OPTIONS] [PATH...]\n"
    "Index the passages of the files under each PATH (files or directories), or\n"
    "under the sources of the configuration when no PATH is given.\n"
    "\n"
    "  --db DIR          index directory (default: $RUBRIC_DB, else the\n"
    "                    configuration's, else ./" CLI_DEFAULT_DB ")\n"
    "  --lang LANG       stemming language (default: the index's own, else english);\n"
    "                    --lang list prints the languages\n"
    "  --include GLOB    index only files whose path under their PATH matches GLOB\n"
    "                    (repeatable; '*' also matches '/')\n"
    "  --exclude GLOB    skip files and folders whose path under their PATH matches\n"
    "                    GLOB (repeatable)\n"
    "  --base-url URL    links in results start with URL (recorded in the index)\n"
    "  --config FILE     read settings from FILE (default: the first that exists\n"
    "                    of ./" CONFIG_DEFAULT ", $XDG_CONFIG_HOME/rubric/" CONFIG_DEFAULT ",\n"
    "                    " CONFIG_SYSTEM ")\n"
    "  --rebuild         build a new index beside the live one, then put it in its\n"
    "                    place at one instant (also to change --lang)\n"
    "  --dry-run         list what would be added, changed and removed; change\n"
    "                    nothing\n"
    "  --wait SECONDS    if another indexer holds the index, wait for it this long\n"
    "  --max-file-size SIZE  skip files larger than SIZE bytes (K, M, G suffixes;\n"
    "                    default 32M)\n"
    "  --status          print the index's revision, update time, files, passages,\n"
    "                    language and size (a set: each shard's and the totals),\n"
    "                    and exit\n"
    "  --shards N        write DIR as a set of N shards (at most 64), each file in\n"
    "                    the shard a hash of its path names, searched as one; a\n"
    "                    set is then written as one without it (a new N needs\n"
    "                    --rebuild)\n"
    "  --shard K/N       write DIR as shard K (from 0) of a set of N built apart,\n"
    "                    with only the files that belong to it\n"
    "  -j, --jobs N      work on N threads (at most " JOBS_MAX_TEXT "; default: one per\n"
    "                    processor): a first build or --rebuild writes N shards\n"
    "                    side by side and merges them; other runs read and\n"
    "                    analyse on N threads while one writes\n"
    "  --json            print the run's summary (or --status) as JSON on stdout,\n"
    "                    and errors as a JSON object there too\n"
    "  -q, --quiet       print only errors and the summary line\n"
    "  -v, --verbose     also name each file added, changed or removed (instead of\n"
    "                    the progress line a terminal shows)\n"
    "  -h, --help        print this help\n"
    "  -V, --version     print the version\n"
    "\n"
    "Files read: .txt articles, .html/.htm pages, .md/.markdown, .jsonl records.\n"
    "Unchanged files are not indexed again; files gone from a PATH are removed.\n"
    "A set's copies of one text in different shards are folded (--shards); shards\n"
    "built apart fold only their own.\n"
    "Exit codes: 0 done, 1 some inputs skipped (named on stderr), 2 usage error,\n"
    "3 index locked by another indexer, 4 index missing, unreadable or damaged.\n";

/* The changesets each index keeps for replicas (XAPIAN_MAX_CHANGESETS). */
#define CHANGESETS_KEPT "10"

/* The progress line on a terminal: redrawn this often while files are
 * indexed, on stderr, then cleared for the summary. */
#define PROGRESS_MS 200

typedef struct progress {
    rubric_index *ix;
    size_t nfiles;
    double bytes;          /* of all the files queued */
    double t0;
    int on;                /* a thread draws it */
    int stop;
    size_t shown;          /* the width of the line on screen */
    pthread_t thread;
    pthread_mutex_t lock;  /* stderr: the line, and what else is said meanwhile */
    pthread_cond_t wake;
} progress;

typedef struct run {
    rubric_index *ix;
    struct stat db_stat;
    int have_db_stat;
    int quiet, verbose, dry_run;
    cJSON *json;  /* with --json: the run's summary, filled as it goes */
    progress bar;
    double queued_bytes;  /* the sizes of the files queued */
    unsigned long files, added, changed, unchanged, excluded, skipped, partial, removed;
    unsigned long passages;
    int fatal;  /* a status that ends the run without committing */
    char **paths, **rels;  /* the files found, in order, and their addresses */
    size_t nfiles, cappaths, caprels;
    char **kept;           /* without an index yet (a set's walk): what to keep */
    size_t nkept, capkept;
    unsigned shard_k, shard_n;  /* --shard: this index's place (n 0: none) */
    int no_bar;            /* a shard of a set: no progress line of its own */
} run;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SECONDS as m:ss, or h:mm:ss, into OUT. */
static void clock_text(double seconds, char *out, size_t size)
{
    unsigned long t = seconds < 0 ? 0 : (unsigned long)(seconds + 0.5);
    if (t >= 3600)
        snprintf(out, size, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(out, size, "%lu:%02lu", t / 60, t % 60);
}

/* Draw LINE over what P shows (P->lock held): a carriage return, the line,
 * blanks over the rest of the one before. No other control character, so a
 * terminal without cursor movement (TERM=dumb) shows it right. */
static void progress_draw(progress *p, const char *line)
{
    size_t n = strlen(line);
    fprintf(stderr, "\r%s%*s", line, p->shown > n ? (int)(p->shown - n) : 0, "");
    if (p->shown > n)
        fprintf(stderr, "\r%s", line);
    p->shown = n;
    fflush(stderr);
}

/* Clear the line (P->lock held), so that a message or the summary stands
 * alone. */
static void progress_clear(progress *p)
{
    if (p->shown)
        fprintf(stderr, "\r%*s\r", (int)p->shown, "");
    p->shown = 0;
}

/* "rubric-index: 412 of 1027 files, 11203 passages, 14.2 MB/s, 0:04, about
 * 0:06 left", from the library's count of the files built. */
static void progress_line(progress *p, char *line, size_t size)
{
    rubric_progress now;
    rubric_index_progress(p->ix, &now);
    double elapsed = now_seconds() - p->t0;
    char spent[32], left[48] = "";
    clock_text(elapsed, spent, sizeof spent);
    if (now.bytes > 0 && p->bytes > now.bytes && elapsed >= 1) {
        char eta[32];
        clock_text(elapsed * (p->bytes - (double)now.bytes) / (double)now.bytes, eta, sizeof eta);
        snprintf(left, sizeof left, ", about %s left", eta);
    }
    snprintf(line, size, "rubric-index: %zu of %zu files, %zu passages, %.1f MB/s, %s%s",
             now.files, p->nfiles, now.passages,
             elapsed > 0 ? (double)now.bytes / 1e6 / elapsed : 0.0, spent, left);
}

static void *progress_run(void *arg)
{
    progress *p = arg;
    char line[256];
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        progress_line(p, line, sizeof line);
        progress_draw(p, line);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += PROGRESS_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        while (!p->stop && pthread_cond_timedwait(&p->wake, &p->lock, &until) == 0)
            ;
    }
    progress_clear(p);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Start drawing the progress of R's NFILES files (BYTES in all), when stderr
 * is a terminal and neither -q nor -v was given. */
static void progress_start(run *r, size_t nfiles, double bytes)
{
    progress *p = &r->bar;
    if (r->quiet || r->verbose || r->no_bar || !isatty(STDERR_FILENO))
        return;
    *p = (progress){.ix = r->ix, .nfiles = nfiles, .bytes = bytes, .t0 = now_seconds()};
    if (pthread_mutex_init(&p->lock, NULL) != 0)
        return;
    if (pthread_cond_init(&p->wake, NULL) != 0) {
        pthread_mutex_destroy(&p->lock);
        return;
    }
    /* Drawn once at the start, however short the run. */
    char line[256];
    progress_line(p, line, sizeof line);
    progress_draw(p, line);
    p->on = pthread_create(&p->thread, NULL, progress_run, p) == 0;
    if (!p->on) {
        progress_clear(p);
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
    }
}

static void progress_stop(run *r)
{
    progress *p = &r->bar;
    if (!p->on)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    p->on = 0;
}

/* Around a file's outcome: the line is not drawn meanwhile, and
 * progress_say() clears it before anything is said on stderr (it is drawn
 * again at its next turn). */
static void progress_hold(run *r)
{
    if (r->bar.on)
        pthread_mutex_lock(&r->bar.lock);
}

static void progress_say(run *r)
{
    if (r->bar.on)
        progress_clear(&r->bar);
}

static void progress_release(run *r)
{
    if (r->bar.on) {
        fflush(stderr);
        pthread_mutex_unlock(&r->bar.lock);
    }
}

/* Queue PATH (REL: its address under its root) for indexing; nonzero when
 * out of memory. */
static int queue_file(void *ctx, const char *path, const char *rel)
{
    run *r = ctx;
    if (CLI_GROW(r->paths, r->nfiles, r->cappaths) < 0 || CLI_GROW(r->rels, r->nfiles, r->caprels) < 0)
        goto oom;
    r->paths[r->nfiles] = strdup(path);
    r->rels[r->nfiles] = strdup(rel);
    if (!r->paths[r->nfiles] || !r->rels[r->nfiles]) {
        free(r->paths[r->nfiles]);
        free(r->rels[r->nfiles]);
        goto oom;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
        r->queued_bytes += (double)st.st_size;
    r->nfiles++;
    return 0;
oom:
    cli_error("rubric-index", "memory", "out of memory");
    r->fatal = RUBRIC_ENOMEM;
    return 1;
}

/* PATH could not be looked at (the walk said why): whatever was indexed under
 * it stays. */
static void keep_failed(void *ctx, const char *path)
{
    run *r = ctx;
    if (!r->fatal && !r->ix) {
        /* Kept by each shard of the set, once they are open. */
        char *p = strdup(path);
        if (p && CLI_GROW(r->kept, r->nkept, r->capkept) == 0) {
            r->kept[r->nkept++] = p;
            return;
        }
        free(p);
        cli_error("rubric-index", "memory", "out of memory");
        r->fatal = RUBRIC_ENOMEM;
        return;
    }
    if (!r->fatal && rubric_index_keep(r->ix, path) != RUBRIC_OK) {
        cli_error("rubric-index", "memory", "out of memory");
        r->fatal = RUBRIC_ENOMEM;
    }
}

/* PREFIX, then TEXT (a file name, or a message naming one) as text that
 * cannot forge a line or drive a terminal, then SUFFIX, on F. */
static void say(FILE *f, const char *prefix, const char *text, size_t len, const char *suffix)
{
    fputs(prefix, f);
    cli_write_safe(f, text, len);
    fputs(suffix, f);
}

#define SAY(f, prefix, text, suffix) say((f), (prefix), (text), strlen(text), (suffix))

/* With --json, note PATH and WHY under KEY of the summary ("skipped" files
 * with the reason, "partial" ones with what of them was skipped, and in a
 * dry run the files to "add", "change" and "remove", WHY NULL). */
static void note(run *r, const char *key, const char *path, const char *why)
{
    if (!r->json)
        return;
    cJSON *list = cJSON_GetObjectItemCaseSensitive(r->json, key);
    if (!list)
        list = cJSON_AddArrayToObject(r->json, key);
    char *p = cli_valid_utf8(path), *w = why ? cli_valid_utf8(why) : NULL;
    cJSON *item = !p || (why && !w) ? NULL
                  : why ? cJSON_CreateObject()
                        : cJSON_CreateString(p);
    if (item && why && !(cJSON_AddStringToObject(item, "path", p) &&
                         cJSON_AddStringToObject(item, "reason", w))) {
        cJSON_Delete(item);
        item = NULL;
    }
    if (!list || !item || !cJSON_AddItemToArray(list, item)) {
        cJSON_Delete(item);
        cli_error("rubric-index", "memory", "out of memory");
        r->fatal = RUBRIC_ENOMEM;
    }
    free(p);
    free(w);
}

static void note_skipped(void *ctx, const char *path, const char *why)
{
    note(ctx, "skipped", path, why);
}

/* What became of file I (rubric_index_add_many() calls this in order). A
 * status that ends the run is returned, which stops rubric_index_add_many(). */
static int file_outcome(run *r, size_t i, int rc, int what, size_t n);

/* The shards of a set say what became of their files on threads of their
 * own: one at a time. */
static pthread_mutex_t say_lock = PTHREAD_MUTEX_INITIALIZER;

static int file_done(void *ctx, size_t i, int rc, int what, size_t n)
{
    run *r = ctx;
    pthread_mutex_lock(&say_lock);
    progress_hold(r);
    int stop = file_outcome(r, i, rc, what, n);
    progress_release(r);
    pthread_mutex_unlock(&say_lock);
    return stop;
}

static int file_outcome(run *r, size_t i, int rc, int what, size_t n)
{
    const char *path = r->paths[i];
    if (rc != RUBRIC_OK || rubric_index_notes(r->ix))
        progress_say(r);
    if (rc == RUBRIC_EIO || rc == RUBRIC_EINPUT) {
        SAY(stderr, "rubric-index: skipped ", rubric_index_errmsg(r->ix), "\n");
        note(r, "skipped", path, rubric_index_errmsg(r->ix));
        r->skipped++;
        return 0;
    }
    if (rc != RUBRIC_OK) {
        cli_error("rubric-index", "index", "%s", rubric_index_errmsg(r->ix));
        r->fatal = rc;
        return rc;
    }
    r->files++;
    r->passages += n;
    const char *notes = rubric_index_notes(r->ix);
    if (notes) {
        /* Indexed, but parts of it were skipped: each is named. */
        for (const char *line = notes; *line;) {
            const char *nl = strchr(line, '\n');
            int len = nl ? (int)(nl - line) : (int)strlen(line);
            SAY(stderr, "rubric-index: ", path, ": skipped ");
            say(stderr, "", line, (size_t)len, "\n");
            char *one = strndup(line, (size_t)len);
            note(r, "partial", path, one ? one : "");
            free(one);
            line += len + (nl != NULL);
        }
        r->partial++;
    }
    static const char *const verbs[] = {"added  ", "changed", NULL, "excluded"};
    if (what == RUBRIC_FILE_ADDED)
        r->added++;
    else if (what == RUBRIC_FILE_CHANGED)
        r->changed++;
    else if (what == RUBRIC_FILE_EXCLUDED)
        r->excluded++;
    else
        r->unchanged++;
    if (r->dry_run && what != RUBRIC_FILE_UNCHANGED && r->json)
        note(r, what == RUBRIC_FILE_ADDED ? "add" : "change", path, NULL);
    else if (r->dry_run && what != RUBRIC_FILE_UNCHANGED)
        SAY(stdout, what == RUBRIC_FILE_ADDED ? "add " : "change ", path, "\n");
    else if (r->verbose && verbs[what]) {
        fprintf(stderr, "%s ", verbs[what]);
        SAY(stderr, "", path, "");
        fprintf(stderr, " (%zu passages)\n", n);
    }
    return 0;
}

static int list_languages(void)
{
    for (const char *const *l = rubric_languages(); *l; l++)
        printf("%s\n", *l);
    printf("none\n");
    return EXIT_DONE;
}

static void print_removed(void *ctx, const char *path)
{
    run *r = ctx;
    if (r->dry_run && r->json)
        note(r, "remove", path, NULL);
    else if (r->dry_run)
        SAY(stdout, "remove ", path, "\n");
    else if (r->verbose)
        SAY(stderr, "removed ", path, "\n");
}

/* Add the string S (made valid UTF-8; NULL: null) to O as KEY; 0 when out
 * of memory. */
static int add_string(cJSON *o, const char *key, const char *s)
{
    char *v = s ? cli_valid_utf8(s) : NULL;
    int ok = s ? v && cJSON_AddStringToObject(o, key, v) : cJSON_AddNullToObject(o, key) != NULL;
    free(v);
    return ok;
}

static int is_set(const char *db);

/* A set's shards for --status --json: an array of their figures; 0 when out
 * of memory. */
static int add_shards_json(cJSON *o, rubric_db *d)
{
    cJSON *list = cJSON_AddArrayToObject(o, "shards");
    for (size_t k = 0; list && k < rubric_db_shards(d); k++) {
        rubric_db_stats st;
        const char *path = NULL;
        cJSON *s = cJSON_CreateObject();
        if (!s || !cJSON_AddItemToArray(list, s))
            return 0;
        if (rubric_db_shard_stats(d, k, &st, &path) != RUBRIC_OK)
            return 0;
        if (!(add_string(s, "index", path) &&
              cJSON_AddNumberToObject(s, "revision", (double)st.revision) &&
              cJSON_AddNumberToObject(s, "files", (double)st.files) &&
              cJSON_AddNumberToObject(s, "passages", (double)st.passages) &&
              cJSON_AddNumberToObject(s, "folded", (double)st.folded) &&
              cJSON_AddNumberToObject(s, "bytes", (double)st.bytes)))
            return 0;
    }
    return list != NULL;
}

/* rubric-index --status --json: the same figures as an object. */
static int print_status_json(rubric_db *d, const rubric_db_stats *st, const char *db,
                             const char *config_path)
{
    cJSON *o = cli_json_object();
    const char *updated = rubric_db_updated(d), *base = rubric_db_base_url(d);
    if (o && !(add_string(o, "index", db) && cJSON_AddNumberToObject(o, "revision", (double)st->revision) &&
               add_string(o, "updated", *updated ? updated : NULL) &&
               cJSON_AddNumberToObject(o, "files", (double)st->files) &&
               cJSON_AddNumberToObject(o, "passages", (double)st->passages) &&
               cJSON_AddNumberToObject(o, "folded", (double)st->folded) &&
               add_string(o, "language", rubric_db_lang(d)) &&
               add_string(o, "base_url", *base ? base : NULL) &&
               cJSON_AddNumberToObject(o, "bytes", (double)st->bytes) &&
               add_string(o, "config", config_path) &&
               (!is_set(db) || add_shards_json(o, d)))) {
        cJSON_Delete(o);
        o = NULL;
    }
    return cli_json_print("rubric-index", o) == 0 ? EXIT_DONE : EXIT_NODB;
}

/* rubric-index --status: what the index holds, and the configuration read
 * (CONFIG_PATH: its path, or NULL); with JSON, as a JSON object. */
static int print_status(const char *db, const char *config_path, int json)
{
    rubric_db *d = NULL;
    char *err = NULL;
    int rc = rubric_db_open(db, &d, &err);
    if (rc != RUBRIC_OK) {
        cli_error("rubric-index", rc == RUBRIC_EINVAL ? "usage" : "index", "%s", err ? err : rubric_strerror(rc));
        free(err);
        return EXIT_NODB;
    }
    rubric_db_stats st;
    rc = rubric_db_stats_get(d, &st);
    if (rc == RUBRIC_OK && json) {
        rc = print_status_json(d, &st, db, config_path) == EXIT_DONE ? RUBRIC_OK : RUBRIC_ENOMEM;
        rubric_db_close(d);
        return rc == RUBRIC_OK ? EXIT_DONE : EXIT_NODB;
    }
    if (rc == RUBRIC_OK) {
        const char *updated = rubric_db_updated(d);
        SAY(stdout, "index:    ", db, "\n");
        printf("revision: %lu\n", st.revision);
        printf("updated:  %s\n", *updated ? updated : "(never)");
        printf("files:    %zu\n", st.files);
        printf("passages: %zu\n", st.passages);
        printf("folded:   %zu (copies of passages found elsewhere, left out of results)\n",
               st.folded);
        printf("language: %s\n", rubric_db_lang(d));
        printf("base url: %s\n", *rubric_db_base_url(d) ? rubric_db_base_url(d) : "(none)");
        fputs("config:   ", stdout);
        cli_puts_safe(stdout, config_path ? config_path : "(none)");
        putchar('\n');
        printf("size:     %.1f MB\n", (double)st.bytes / 1e6);
        if (is_set(db))
            printf("shards:   %zu\n", rubric_db_shards(d));
        for (size_t k = 0; is_set(db) && k < rubric_db_shards(d); k++) {
            rubric_db_stats one;
            const char *path = NULL;
            if (rubric_db_shard_stats(d, k, &one, &path) != RUBRIC_OK) {
                rc = RUBRIC_ENODB;
                break;
            }
            SAY(stdout, "  ", path, ": ");
            printf("revision %lu, %zu files, %zu passages, %zu folded, %.1f MB\n", one.revision,
                   one.files, one.passages, one.folded, (double)one.bytes / 1e6);
        }
    }
    if (rc != RUBRIC_OK) {
        cli_error("rubric-index", "index", "cannot read the manifest of '%s'", db);
    }
    rubric_db_close(d);
    return rc == RUBRIC_OK ? EXIT_DONE : EXIT_NODB;
}

/* The command line. */
typedef struct opts {
    const char *dbflag, *lang, *base_url, *config_path;
    char **include, **exclude;  /* NULL-terminated glob lists, or NULL */
    size_t ninclude, nexclude, capinclude, capexclude;
    int flags;                  /* RUBRIC_OPEN_* */
    int show_status, quiet, verbose, json;
    unsigned long wait, jobs;   /* jobs 0: one per processor */
    unsigned long shards;       /* --shards N (0: not given) */
    unsigned shard_k, shard_n;  /* --shard K/N (n 0: not given) */
    size_t max_file_size;       /* 0: the configuration's, else the library's */
    char **paths;               /* the PATHs given */
    size_t npaths;
} opts;

/* Append GLOB to the NULL-terminated list *LIST; -1 when out of memory. */
static int add_glob(char ***list, size_t *n, size_t *cap, char *glob)
{
    if (cli_grow(list, cap, *n + 1, sizeof **list) < 0)
        return -1;
    (*list)[(*n)++] = glob;
    (*list)[*n] = NULL;
    return 0;
}

/* Read the options into *O. Returns -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, opts *o)
{
    enum { OPT_DB = 256, OPT_LANG, OPT_INCLUDE, OPT_EXCLUDE, OPT_BASE, OPT_CONFIG, OPT_VERSION,
           OPT_REBUILD, OPT_DRY, OPT_WAIT, OPT_STATUS, OPT_MAX_FILE, OPT_JSON, OPT_SHARDS,
           OPT_SHARD };
    static const struct option longopts[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"lang", required_argument, NULL, OPT_LANG},
        {"include", required_argument, NULL, OPT_INCLUDE},
        {"exclude", required_argument, NULL, OPT_EXCLUDE},
        {"base-url", required_argument, NULL, OPT_BASE},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"rebuild", no_argument, NULL, OPT_REBUILD},
        {"dry-run", no_argument, NULL, OPT_DRY},
        {"wait", required_argument, NULL, OPT_WAIT},
        {"max-file-size", required_argument, NULL, OPT_MAX_FILE},
        {"status", no_argument, NULL, OPT_STATUS},
        {"json", no_argument, NULL, OPT_JSON},
        {"shards", required_argument, NULL, OPT_SHARDS},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"jobs", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    /* Errors are JSON too when --json is among the options, wherever. */
    for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
        if (strcmp(argv[i], "--json") == 0)
            cli_json_errors(1);
    opterr = 0;  /* its messages name the path run; ours name the tool */
    int c;
    while ((c = getopt_long(argc, argv, ":qvhj:V", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_DB: o->dbflag = optarg; break;
        case OPT_LANG: o->lang = optarg; break;
        case OPT_INCLUDE:
        case OPT_EXCLUDE:
            if ((c == OPT_INCLUDE ? add_glob(&o->include, &o->ninclude, &o->capinclude, optarg)
                                  : add_glob(&o->exclude, &o->nexclude, &o->capexclude, optarg)) <
                0) {
                cli_error("rubric-index", "memory", "out of memory");
                return EXIT_NODB;
            }
            break;
        case OPT_BASE: o->base_url = optarg; break;
        case OPT_CONFIG: o->config_path = optarg; break;
        case OPT_REBUILD: o->flags |= RUBRIC_OPEN_REBUILD; break;
        case OPT_DRY: o->flags |= RUBRIC_OPEN_DRY_RUN; break;
        case OPT_WAIT:
            if (cli_count("rubric-index", "--wait", optarg, 0, 86400, &o->wait) < 0)
                return EXIT_USAGE;
            break;
        case OPT_STATUS: o->show_status = 1; break;
        case OPT_JSON: o->json = 1; break;
        case OPT_SHARDS:
            if (cli_count("rubric-index", "--shards", optarg, 1, RUBRIC_SHARDS_MAX, &o->shards) < 0)
                return EXIT_USAGE;
            break;
        case OPT_SHARD: {
            unsigned k, n;
            int end = 0;
            if (sscanf(optarg, "%u/%u%n", &k, &n, &end) != 2 || optarg[end] || !n ||
                n > RUBRIC_SHARDS_MAX || k >= n || !strchr("0123456789", optarg[0])) {
                cli_error("rubric-index", "usage",
                          "--shard wants K/N, shard K (from 0) of N (at most %d), not '%s'",
                          RUBRIC_SHARDS_MAX, optarg);
                return EXIT_USAGE;
            }
            o->shard_k = k;
            o->shard_n = n;
            break;
        }
        case OPT_MAX_FILE:
            if (cli_size(optarg, &o->max_file_size) < 0) {
                cli_error("rubric-index", "usage",
                          "--max-file-size wants a size in bytes (a whole number, or with K, "
                          "M or G), not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'j':
            if (cli_count("rubric-index", "--jobs", optarg, 1, JOBS_MAX, &o->jobs) < 0)
                return EXIT_USAGE;
            break;
        case 'q': o->quiet = 1; break;
        case 'v': o->verbose = 1; break;
        case 'h': fputs(usage_text, stdout); return EXIT_DONE;
        case 'V':
        case OPT_VERSION: printf("rubric-index %s\n", rubric_version()); return EXIT_DONE;
        default: return cli_option_error("rubric-index", c, argv);
        }
    }
    o->paths = argv + optind;
    o->npaths = (size_t)(argc - optind);
    if (o->shards && o->shard_n) {
        cli_error("rubric-index", "usage", "--shards writes a whole set and --shard one shard "
                  "of it: give one of them");
        return EXIT_USAGE;
    }
    return -1;
}

/* Is there something to index, in a language that exists? -1 when so, else
 * the exit status. */
static int check_run(const opts *o, const config *cfg)
{
    if (o->npaths == 0 && cfg->nsources == 0) {
        cli_error("rubric-index", "usage", "no PATH given (and no sources in a configuration)");
        fputs("Try 'rubric-index --help' for more information.\n", stderr);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < o->npaths; i++)
        if (!*o->paths[i]) {
            /* An unset variable in a cron line: never "every file". */
            cli_error("rubric-index", "usage", "an empty PATH names no file or folder");
            fputs("Try 'rubric-index --help' for more information.\n", stderr);
            return EXIT_USAGE;
        }
    rubric_analyzer *a = NULL;
    if (o->lang && rubric_analyzer_new(o->lang, &a) != RUBRIC_OK) {
        cli_error("rubric-index", "usage", "unknown language '%s' (see --lang list)", o->lang);
        return EXIT_USAGE;
    }
    rubric_analyzer_free(a);
    return -1;
}

/* Open the index DB into R; with --wait, while another indexer holds it, try
 * again until it is done. -1 when open, else the exit status. */
static int open_index(const opts *o, const char *db, run *r)
{
    char *err = NULL;
    int rc = rubric_index_open_with(db, o->lang, o->flags, &r->ix, &err);
    for (double waited = 0; rc == RUBRIC_ELOCKED && waited < (double)o->wait; waited += 0.2) {
        free(err);
        err = NULL;
        nanosleep(&(struct timespec){0, 200 * 1000 * 1000}, NULL);
        rc = rubric_index_open_with(db, o->lang, o->flags, &r->ix, &err);
    }
    if (rc == RUBRIC_OK)
        return -1;
    cli_error("rubric-index", rc == RUBRIC_EINVAL ? "usage" : "index", "%s", err ? err : rubric_strerror(rc));
    free(err);
    return rc == RUBRIC_ELOCKED ? EXIT_LOCKED : rc == RUBRIC_EINVAL ? EXIT_USAGE : EXIT_NODB;
}

/* Root I: the command line's PATH I, else the configuration's source I. */
static const char *root_of(const opts *o, const config *cfg, size_t i, cli_walk *w)
{
    w->include = o->npaths ? o->include : cfg->sources[i].include;
    w->exclude = o->npaths ? o->exclude : cfg->sources[i].exclude;
    return o->npaths ? o->paths[i] : cfg->sources[i].root;
}

/* Walk the roots (listed into ROOTS, NROOTS of them) and queue their files. */
static void walk_roots(const opts *o, const config *cfg, run *r, const char **roots,
                       size_t nroots)
{
    for (size_t i = 0; i < nroots && !r->fatal; i++) {
        cli_walk w = {"rubric-index", NULL, NULL, NULL, r->have_db_stat ? &r->db_stat : NULL,
                      queue_file, keep_failed, r, 0, 0, note_skipped};
        w.root = roots[i] = root_of(o, cfg, i, &w);
        int rc = r->ix ? rubric_index_root(r->ix, w.root) : RUBRIC_OK;
        if (rc != RUBRIC_OK) {
            cli_error("rubric-index", "index", "%s", rubric_index_errmsg(r->ix));
            r->fatal = rc;
            break;
        }
        cli_walk_run(&w);
        r->skipped += w.skipped;
        if (w.stopped && !r->fatal)
            r->fatal = RUBRIC_ENOMEM;  /* out of memory listing a folder */
    }
}

/* Index the files queued, on JOBS threads (0: one per processor), and free
 * the queue. */
static void index_files(run *r, unsigned long jobs)
{
    /* A shard indexes only the files that belong to it. */
    if (r->shard_n) {
        size_t kept = 0;
        for (size_t i = 0; i < r->nfiles; i++)
            if (rubric_shard_of(r->paths[i], r->shard_n) == r->shard_k) {
                r->paths[kept] = r->paths[i];
                r->rels[kept++] = r->rels[i];
            } else {
                free(r->paths[i]);
                free(r->rels[i]);
            }
        r->nfiles = kept;
    }
    if (!r->fatal) {
        /* One thread per processor by default: a first build or a rebuild
         * writes a shard on each (README, "Performance"). */
        if (!jobs) {
            long cpus = sysconf(_SC_NPROCESSORS_ONLN);
            jobs = cpus < 1 ? 1 : cpus > JOBS_MAX ? JOBS_MAX : (unsigned long)cpus;
        }
        progress_start(r, r->nfiles, r->queued_bytes);
        int rc = rubric_index_add_many(r->ix, (const char *const *)r->paths,
                                       (const char *const *)r->rels, r->nfiles, (unsigned)jobs,
                                       file_done, r);
        progress_stop(r);
        if (rc != RUBRIC_OK && !r->fatal) {
            cli_error("rubric-index", "index", "%s", rubric_index_errmsg(r->ix));
            r->fatal = rc;
        }
    }
    for (size_t i = 0; i < r->nfiles; i++) {
        free(r->paths[i]);
        free(r->rels[i]);
    }
    free(r->paths);
    free(r->rels);
}

/* Remove the files indexed before under ROOTS that are gone now. */
static void remove_missing(run *r, const char *const *roots, size_t nroots)
{
    if (r->fatal)
        return;
    size_t removed = 0;
    int rc = rubric_index_remove_missing(r->ix, roots, nroots, print_removed, r, &removed);
    if (rc != RUBRIC_OK) {
        cli_error("rubric-index", "index", "%s", rubric_index_errmsg(r->ix));
        r->fatal = rc;
    }
    r->removed = removed;
}

/* The summary line. */
static void report(const run *r, size_t total, unsigned long revision, double t0)
{
    if (r->dry_run)
        fprintf(stderr, "rubric-index: dry run: %lu to add, %lu to change, %lu to remove, "
                        "%lu unchanged, %lu skipped; nothing written\n",
                r->added, r->changed, r->removed, r->unchanged, r->skipped);
    else
        fprintf(stderr,
                "rubric-index: %lu files (%lu added, %lu changed, %lu unchanged, %lu excluded, "
                "%lu skipped, %lu removed), %lu passages written, %zu in the index, "
                "revision %lu, %.2f s\n",
                r->files, r->added, r->changed, r->unchanged, r->excluded, r->skipped, r->removed,
                r->passages, total, revision, now_seconds() - t0);
}

/* With --json, the summary on stdout: the counts, the lists noted, the
 * passages, the revision, the time. 0 when out of memory (said). */
static int report_json(run *r, size_t total, unsigned long revision, double t0)
{
    cJSON *o = r->json;
    r->json = NULL;
    static const char *const lists[] = {"skipped", "partial", "add", "change", "remove"};
    int ok = cJSON_AddBoolToObject(o, "dry_run", r->dry_run) &&
             cJSON_AddNumberToObject(o, "files", (double)r->files) &&
             cJSON_AddNumberToObject(o, "added", (double)r->added) &&
             cJSON_AddNumberToObject(o, "changed", (double)r->changed) &&
             cJSON_AddNumberToObject(o, "unchanged", (double)r->unchanged) &&
             cJSON_AddNumberToObject(o, "excluded", (double)r->excluded) &&
             cJSON_AddNumberToObject(o, "removed", (double)r->removed) &&
             cJSON_AddNumberToObject(o, "passages_written", (double)r->passages) &&
             cJSON_AddNumberToObject(o, "passages", (double)total) &&
             cJSON_AddNumberToObject(o, "revision", (double)revision) &&
             cJSON_AddNumberToObject(o, "seconds", (double)(long)((now_seconds() - t0) * 1000) / 1000);
    /* Every list is there, empty when nothing was noted. */
    for (size_t k = 0; ok && k < sizeof lists / sizeof *lists; k++)
        if (!cJSON_GetObjectItemCaseSensitive(o, lists[k]))
            ok = cJSON_AddArrayToObject(o, lists[k]) != NULL;
    if (!ok) {
        cJSON_Delete(o);
        o = NULL;
    }
    return cli_json_print("rubric-index", o) == 0;
}

/* Commit the run, or after a fatal status discard it; close the index, say
 * how it went. Returns the exit status. */
static int finish(run *r, double t0)
{
    if (r->fatal) {
        /* Nothing of this run is published: readers keep the last commit. */
        rubric_index_close(r->ix);
        cJSON_Delete(r->json);
        fputs("rubric-index: stopped; the index is unchanged\n", stderr);
        return cli_exit_code(r->fatal);
    }
    /* The commit can take seconds (shards merged, copies folded): a terminal
     * says so meanwhile. */
    static const char writing[] = "rubric-index: writing the index";
    int shown = !r->quiet && !r->verbose && !r->dry_run && isatty(STDERR_FILENO);
    if (shown) {
        fputs(writing, stderr);
        fflush(stderr);
    }
    int committed = rubric_index_commit(r->ix) == RUBRIC_OK;
    if (shown)
        fprintf(stderr, "\r%*s\r", (int)strlen(writing), "");
    if (!committed) {
        cli_error("rubric-index", "index", "%s", rubric_index_errmsg(r->ix));
        rubric_index_close(r->ix);
        cJSON_Delete(r->json);
        return EXIT_NODB;
    }
    size_t total = rubric_index_passages(r->ix);
    unsigned long revision = rubric_index_revision(r->ix);
    rubric_index_close(r->ix);
    report(r, total, revision, t0);
    if (r->json && !report_json(r, total, revision, t0))
        return EXIT_NODB;
    return r->skipped || r->partial ? EXIT_SKIPPED : EXIT_DONE;
}

/* The settings of the command line, else the configuration, given to IX:
 * RUBRIC_OK, or the status of the one that could not be recorded
 * (rubric_index_errmsg() says why). */
static int apply_settings(rubric_index *ix, const opts *o, const config *cfg)
{
    rubric_index_set_boilerplate_detection(ix, cfg->detect_boilerplate);
    rubric_index_set_max_file_size(ix, o->max_file_size ? o->max_file_size : cfg->max_file_size);
    const char *base_url = o->base_url ? o->base_url : cfg->base_url;
    return base_url ? rubric_index_set_base_url(ix, base_url) : RUBRIC_OK;
}

/* Open the index, walk the roots, index their files, remove the files gone,
 * commit. Returns the exit status. */
static int index_run(const opts *o, const config *cfg)
{
    run r = {0};
    r.quiet = o->quiet;
    r.verbose = o->verbose && !o->quiet;
    if (o->json && !(r.json = cli_json_object())) {
        cli_error("rubric-index", "memory", "out of memory");
        return EXIT_NODB;
    }
    r.dry_run = (o->flags & RUBRIC_OPEN_DRY_RUN) != 0;
    const char *db = cli_db_path(o->dbflag, cfg->db);
    double t0 = now_seconds();
    int status = open_index(o, db, &r);
    if (status >= 0) {
        cJSON_Delete(r.json);
        return status;
    }
    r.have_db_stat = stat(db, &r.db_stat) == 0;
    if (o->shard_n && rubric_index_set_shard(r.ix, o->shard_k, o->shard_n, NULL) != RUBRIC_OK) {
        cli_error("rubric-index", "usage", "%s", rubric_index_errmsg(r.ix));
        rubric_index_close(r.ix);
        cJSON_Delete(r.json);
        return EXIT_USAGE;
    }
    r.shard_k = o->shard_k;
    r.shard_n = o->shard_n;
    if (apply_settings(r.ix, o, cfg) != RUBRIC_OK) {
        cli_error("rubric-index", "index", "%s", rubric_index_errmsg(r.ix));
        r.fatal = RUBRIC_ENODB;
    }
    /* The roots: the command line's, else the configuration's sources. */
    size_t nroots = o->npaths ? o->npaths : cfg->nsources;
    const char **roots = calloc(nroots + 1, sizeof *roots);
    if (!roots) {
        cli_error("rubric-index", "memory", "out of memory");
        r.fatal = RUBRIC_ENOMEM;
    } else {
        walk_roots(o, cfg, &r, roots, nroots);
    }
    index_files(&r, o->jobs);
    remove_missing(&r, roots, nroots);
    free(roots);
    return finish(&r, t0);
}

/* Is DB a set of shards (a folder holding the stub that names them)? */
static int is_set(const char *db)
{
    size_t n = strlen(db) + sizeof "/XAPIANDB";
    char *stub = malloc(n);
    struct stat st;
    int yes = stub && snprintf(stub, n, "%s/XAPIANDB", db) > 0 && stat(stub, &st) == 0;
    free(stub);
    return yes;
}

/* One shard of a set's run, on a thread of its own. */
typedef struct shard_run {
    run r;
    const opts *o;
    const config *cfg;
    const char *const *roots;
    size_t nroots;
    char *path;
    const char *set_id;
    unsigned long jobs;
    char **kept;
    size_t nkept;
    unsigned long before;  /* its revision before the run */
    int committed;         /* changed something, and committed */
    size_t total;          /* passages in the shard after the run */
    unsigned long revision;
} shard_run;

static void *shard_thread(void *arg)
{
    shard_run *sr = arg;
    run *r = &sr->r;
    char *err = NULL;
    /* The set's rebuild is the set's: each shard of a new set is new. */
    int flags = sr->o->flags & ~RUBRIC_OPEN_REBUILD;
    int rc = rubric_index_open_with(sr->path, sr->o->lang, flags, &r->ix, &err);
    if (rc != RUBRIC_OK) {
        pthread_mutex_lock(&say_lock);
        cli_error("rubric-index", rc == RUBRIC_EINVAL ? "usage" : "index", "%s",
                  err ? err : rubric_strerror(rc));
        pthread_mutex_unlock(&say_lock);
        free(err);
        r->fatal = rc;
    }
    if (!r->fatal) {
        /* Its place in the set (refused: a usage error), then the settings,
         * the roots and what the walk could not look at. */
        int placed = rubric_index_set_shard(r->ix, r->shard_k, r->shard_n, sr->set_id);
        r->fatal = placed;
        sr->before = rubric_index_revision(r->ix);
        if (!r->fatal && apply_settings(r->ix, sr->o, sr->cfg) != RUBRIC_OK)
            r->fatal = RUBRIC_ENODB;
        for (size_t i = 0; i < sr->nroots && !r->fatal; i++)
            r->fatal = rubric_index_root(r->ix, sr->roots[i]);
        for (size_t i = 0; i < sr->nkept && !r->fatal; i++)
            r->fatal = rubric_index_keep(r->ix, sr->kept[i]);
        if (r->fatal) {
            pthread_mutex_lock(&say_lock);
            cli_error("rubric-index", placed != RUBRIC_OK ? "usage" : "index", "%s",
                      rubric_index_errmsg(r->ix));
            pthread_mutex_unlock(&say_lock);
        }
    }
    index_files(r, sr->jobs);
    remove_missing(r, sr->roots, sr->nroots);
    if (!r->fatal && !r->dry_run) {
        if (rubric_index_commit(r->ix) != RUBRIC_OK) {
            pthread_mutex_lock(&say_lock);
            cli_error("rubric-index", "index", "%s", rubric_index_errmsg(r->ix));
            pthread_mutex_unlock(&say_lock);
            r->fatal = RUBRIC_ENODB;
        }
    }
    if (r->ix && !r->fatal) {
        sr->total = rubric_index_passages(r->ix);
        sr->revision = rubric_index_revision(r->ix);
        sr->committed = sr->revision != sr->before;
    }
    rubric_index_close(r->ix);
    r->ix = NULL;
    return NULL;
}

/* Move what the shard's --json summary noted into the set's. */
static void merge_notes(cJSON *into, cJSON *from)
{
    static const char *const lists[] = {"skipped", "partial", "add", "change", "remove"};
    for (size_t k = 0; into && from && k < sizeof lists / sizeof *lists; k++) {
        cJSON *src = cJSON_DetachItemFromObjectCaseSensitive(from, lists[k]);
        if (!src)
            continue;
        cJSON *dst = cJSON_GetObjectItemCaseSensitive(into, lists[k]);
        if (!dst) {
            cJSON_AddItemToObject(into, lists[k], src);
            continue;
        }
        cJSON *item;
        while ((item = cJSON_DetachItemFromArray(src, 0)))
            cJSON_AddItemToArray(dst, item);
        cJSON_Delete(src);
    }
}

/* rubric-index on a set of shards (--shards, or DB is one): the roots walked
 * once, each shard written on a thread of its own with the files that
 * belong to it, then the set committed as one. Returns the exit status. */
static int set_run(const opts *o, const config *cfg, const char *db)
{
    double t0 = now_seconds();
    rubric_set *set = NULL;
    char *err = NULL;
    int rc = rubric_set_open(db, (unsigned)o->shards, o->flags, &set, &err);
    for (double waited = 0; rc == RUBRIC_ELOCKED && waited < (double)o->wait; waited += 0.2) {
        free(err);
        err = NULL;
        nanosleep(&(struct timespec){0, 200 * 1000 * 1000}, NULL);
        rc = rubric_set_open(db, (unsigned)o->shards, o->flags, &set, &err);
    }
    if (rc != RUBRIC_OK) {
        cli_error("rubric-index", rc == RUBRIC_EINVAL ? "usage" : "index", "%s",
                  err ? err : rubric_strerror(rc));
        free(err);
        return rc == RUBRIC_ELOCKED ? EXIT_LOCKED : rc == RUBRIC_EINVAL ? EXIT_USAGE : EXIT_NODB;
    }
    run all = {0};
    all.quiet = o->quiet;
    all.verbose = o->verbose && !o->quiet;
    all.dry_run = (o->flags & RUBRIC_OPEN_DRY_RUN) != 0;
    all.have_db_stat = stat(db, &all.db_stat) == 0;
    if (o->json && !(all.json = cli_json_object()))
        all.fatal = RUBRIC_ENOMEM;
    size_t nroots = o->npaths ? o->npaths : cfg->nsources;
    const char **roots = calloc(nroots + 1, sizeof *roots);
    if (!roots)
        all.fatal = RUBRIC_ENOMEM;
    else
        walk_roots(o, cfg, &all, roots, nroots);
    unsigned n = rubric_set_shards(set);
    shard_run *sr = calloc(n, sizeof *sr);
    pthread_t *threads = calloc(n, sizeof *threads);
    if (!sr || !threads)
        all.fatal = RUBRIC_ENOMEM;
    /* The threads --jobs gives (one per processor by default), shared. */
    unsigned long jobs = o->jobs;
    if (!jobs) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = cpus < 1 ? 1 : cpus > JOBS_MAX ? JOBS_MAX : (unsigned long)cpus;
    }
    for (unsigned k = 0; k < n && !all.fatal; k++) {
        shard_run *s = &sr[k];
        s->o = o;
        s->cfg = cfg;
        s->roots = roots;
        s->nroots = nroots;
        s->set_id = rubric_set_id(set);
        s->kept = all.kept;
        s->nkept = all.nkept;
        s->jobs = jobs / n > 0 ? jobs / n : 1;
        s->r.quiet = all.quiet;
        s->r.verbose = all.verbose;
        s->r.dry_run = all.dry_run;
        s->r.no_bar = 1;
        s->r.shard_k = k;
        s->r.shard_n = n;
        if (o->json && !(s->r.json = cli_json_object()))
            all.fatal = RUBRIC_ENOMEM;
        /* Its files, in the walk's order. */
        for (size_t i = 0; i < all.nfiles && !all.fatal; i++)
            if (rubric_shard_of(all.paths[i], n) == k &&
                queue_file(&s->r, all.paths[i], all.rels[i]) != 0)
                all.fatal = RUBRIC_ENOMEM;
        if (!(s->path = rubric_set_shard_path(set, k)))
            all.fatal = RUBRIC_ENOMEM;
    }
    if (all.fatal == RUBRIC_ENOMEM)
        cli_error("rubric-index", "memory", "out of memory");
    unsigned started = 0;
    for (; started < n && !all.fatal; started++)
        if (pthread_create(&threads[started], NULL, shard_thread, &sr[started]) != 0) {
            cli_error("rubric-index", "index", "cannot start a thread for shard %u", started);
            all.fatal = RUBRIC_EINTERNAL;
            break;
        }
    int changed = 0;
    size_t total = 0;
    unsigned long revision = 0;
    for (unsigned k = 0; k < started; k++) {
        pthread_join(threads[k], NULL);
        run *r = &sr[k].r;
        if (r->fatal && !all.fatal)
            all.fatal = r->fatal;
        all.files += r->files;
        all.added += r->added;
        all.changed += r->changed;
        all.unchanged += r->unchanged;
        all.excluded += r->excluded;
        all.skipped += r->skipped;
        all.partial += r->partial;
        all.removed += r->removed;
        all.passages += r->passages;
        changed |= sr[k].committed;
        total += sr[k].total;
        merge_notes(all.json, r->json);
    }
    if (!all.fatal && rubric_set_commit(set, changed) != RUBRIC_OK) {
        cli_error("rubric-index", "index", "%s", rubric_set_errmsg(set));
        all.fatal = RUBRIC_ENODB;
    }
    int status;
    if (all.fatal) {
        fputs("rubric-index: stopped; the set's shards that committed stand, the others are "
              "unchanged\n", stderr);
        status = cli_exit_code(all.fatal);
        if (status == EXIT_SKIPPED)
            status = EXIT_NODB;
        cJSON_Delete(all.json);
        all.json = NULL;
    } else {
        rubric_db *d = NULL;
        if (!all.dry_run && rubric_db_open(db, &d, NULL) == RUBRIC_OK)
            revision = rubric_db_revision(d);
        rubric_db_close(d);
        report(&all, total, revision, t0);
        status = all.json && !report_json(&all, total, revision, t0) ? EXIT_NODB
                 : all.skipped || all.partial                         ? EXIT_SKIPPED
                                                                      : EXIT_DONE;
    }
    for (unsigned k = 0; sr && k < n; k++) {
        cJSON_Delete(sr[k].r.json);
        free(sr[k].path);
        /* A shard's thread frees its files (index_files()); one never
         * started leaves them. */
        for (size_t i = 0; k >= started && i < sr[k].r.nfiles; i++) {
            free(sr[k].r.paths[i]);
            free(sr[k].r.rels[i]);
        }
        if (k >= started) {
            free(sr[k].r.paths);
            free(sr[k].r.rels);
        }
    }
    for (size_t i = 0; i < all.nfiles; i++) {
        free(all.paths[i]);
        free(all.rels[i]);
    }
    free(all.paths);
    free(all.rels);
    for (size_t i = 0; i < all.nkept; i++)
        free(all.kept[i]);
    free(all.kept);
    free(sr);
    free(threads);
    free(roots);
    rubric_set_close(set);
    return status;
}

int main(int argc, char **argv)
{
    /* Past a file size limit (ulimit -f), a write then fails with EFBIG and
     * the run says so, instead of the signal killing it without a word. */
    signal(SIGXFSZ, SIG_IGN);
    /* Each commit also writes the changes it made as a changeset, the last
     * ten kept, so that xapian-replicate copies an incremental run as its
     * changes rather than whole (README, "Replicas"); the user's own
     * setting wins, 0 keeping none. */
    setenv("XAPIAN_MAX_CHANGESETS", CHANGESETS_KEPT, 0);
    opts o;
    config cfg;
    char *err = NULL;
    int status = parse_options(argc, argv, &o);
    if (status < 0 && o.lang && strcmp(o.lang, "list") == 0)
        status = list_languages();
    if (status < 0 && config_load(o.config_path, &cfg, &err) < 0) {
        cli_error("rubric-index", "config", "%s", err ? err : "out of memory");
        free(err);
        status = EXIT_USAGE;
    } else if (status < 0) {
        /* The command line overrides the configuration. */
        if (!o.lang)
            o.lang = cfg.lang;
        if (o.show_status)
            status = print_status(cli_db_path(o.dbflag, cfg.db), cfg.path, o.json);
        else if ((status = check_run(&o, &cfg)) < 0) {
            const char *db = cli_db_path(o.dbflag, cfg.db);
            status = o.shards || (!o.shard_n && is_set(db)) ? set_run(&o, &cfg, db)
                                                             : index_run(&o, &cfg);
        }
        config_free(&cfg);
    }
    free(o.include);
    free(o.exclude);
    return status;
}
