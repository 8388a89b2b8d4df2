/* rubric-index: walk files and directories and index their passages. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "rubric.h"

static const char usage_text[] =
    "usage: rubric-index [OPTIONS] PATH...\n"
    "Index the passages of the files under each PATH (files or directories).\n"
    "\n"
    "  --db DIR       index directory (default: $RUBRIC_DB, else ./" CLI_DEFAULT_DB ")\n"
    "  --lang LANG    stemming language (default: the index's own, else english);\n"
    "                 --lang list prints the languages\n"
    "  -q, --quiet    print only errors and the summary line\n"
    "  -h, --help     print this help\n"
    "  --version      print the version\n"
    "\n"
    "Files read: .txt articles. Unchanged files are not indexed again.\n"
    "Exit codes: 0 done, 1 some inputs skipped (named on stderr), 2 usage error,\n"
    "3 index locked by another indexer, 4 index missing, unreadable or damaged.\n";

typedef struct run {
    rubric_index *ix;
    const char *db;
    struct stat db_stat;
    int have_db_stat;
    int quiet;
    unsigned long files, added, changed, unchanged, excluded, skipped, partial, removed;
    unsigned long passages;
    int fatal;  /* a status that ends the run without committing */
} run;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void index_file(run *r, const char *path)
{
    int what = 0;
    size_t n = 0;
    int rc = rubric_index_add_file(r->ix, path, &what, &n);
    if (rc == RUBRIC_EIO || rc == RUBRIC_EINPUT) {
        fprintf(stderr, "rubric-index: skipped %s\n", rubric_index_errmsg(r->ix));
        r->skipped++;
        return;
    }
    if (rc != RUBRIC_OK) {
        fprintf(stderr, "rubric-index: %s\n", rubric_index_errmsg(r->ix));
        r->fatal = rc;
        return;
    }
    r->files++;
    r->passages += n;
    const char *notes = rubric_index_notes(r->ix);
    if (notes) {
        /* Indexed, but parts of it were skipped: each is named. */
        for (const char *line = notes; *line;) {
            const char *nl = strchr(line, '\n');
            int len = nl ? (int)(nl - line) : (int)strlen(line);
            fprintf(stderr, "rubric-index: %s: skipped %.*s\n", path, len, line);
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
    if (!r->quiet && verbs[what])
        fprintf(stderr, "%s %s (%zu passages)\n", verbs[what], path, n);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(run *r, const char *path, int explicit);

/* Index a directory's entries in name order, so runs are reproducible. */
static void walk_dir(run *r, const char *path)
{
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "rubric-index: skipped '%s': %s\n", path, strerror(errno));
        r->skipped++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;  /* hidden files, ".", ".." and version-control folders */
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **p = realloc(names, cap * sizeof *p);
            if (!p)
                break;
            names = p;
        }
        size_t len = strlen(path);
        int slash = len > 0 && path[len - 1] == '/';
        char *full = malloc(len + strlen(e->d_name) + 2);
        if (!full)
            break;
        sprintf(full, "%s%s%s", path, slash ? "" : "/", e->d_name);
        names[n++] = full;
    }
    closedir(dir);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        if (!r->fatal)
            walk(r, names[i], 0);
        free(names[i]);
    }
    free(names);
}

static void walk(run *r, const char *path, int explicit)
{
    struct stat st;
    if ((explicit ? stat(path, &st) : lstat(path, &st)) < 0) {
        fprintf(stderr, "rubric-index: skipped '%s': %s\n", path, strerror(errno));
        r->skipped++;
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        /* Inside a tree, follow links to files but never to directories,
         * which could loop. */
        if (stat(path, &st) < 0 || S_ISDIR(st.st_mode))
            return;
    }
    if (S_ISDIR(st.st_mode)) {
        if (r->have_db_stat && st.st_dev == r->db_stat.st_dev && st.st_ino == r->db_stat.st_ino)
            return;  /* never index the index */
        walk_dir(r, path);
        return;
    }
    if (!rubric_doc_supported(path)) {
        if (explicit) {
            fprintf(stderr, "rubric-index: skipped '%s': no reader for this kind of file\n", path);
            r->skipped++;
        }
        return;
    }
    index_file(r, path);
}

static int list_languages(void)
{
    for (const char *const *l = rubric_languages(); *l; l++)
        printf("%s\n", *l);
    printf("none\n");
    return EXIT_DONE;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},   {"lang", required_argument, NULL, 'l'},
        {"quiet", no_argument, NULL, 'q'},      {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},    {NULL, 0, NULL, 0}};
    const char *dbflag = NULL, *lang = NULL;
    run r = {0};
    int c;
    while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': dbflag = optarg; break;
        case 'l': lang = optarg; break;
        case 'q': r.quiet = 1; break;
        case 'h': fputs(usage_text, stdout); return EXIT_DONE;
        case 'V': printf("rubric-index %s\n", rubric_version()); return EXIT_DONE;
        default:
            fputs("Try 'rubric-index --help' for more information.\n", stderr);
            return EXIT_USAGE;
        }
    }
    if (lang && strcmp(lang, "list") == 0)
        return list_languages();
    if (optind >= argc) {
        fputs("rubric-index: no PATH given\nTry 'rubric-index --help' for more information.\n",
              stderr);
        return EXIT_USAGE;
    }
    if (lang) {
        rubric_analyzer *a = NULL;
        if (rubric_analyzer_new(lang, &a) != RUBRIC_OK) {
            fprintf(stderr, "rubric-index: unknown language '%s' (see --lang list)\n", lang);
            return EXIT_USAGE;
        }
        rubric_analyzer_free(a);
    }
    r.db = cli_db_path(dbflag);
    double t0 = now_seconds();
    char *err = NULL;
    int rc = rubric_index_open(r.db, lang, &r.ix, &err);
    if (rc != RUBRIC_OK) {
        fprintf(stderr, "rubric-index: %s\n", err ? err : rubric_strerror(rc));
        free(err);
        return rc == RUBRIC_ELOCKED ? EXIT_LOCKED : rc == RUBRIC_EINVAL ? EXIT_USAGE : EXIT_NODB;
    }
    r.have_db_stat = stat(r.db, &r.db_stat) == 0;
    for (int i = optind; i < argc && !r.fatal; i++)
        walk(&r, argv[i], 1);
    if (!r.fatal) {
        /* Files indexed before under these paths that are gone now. */
        size_t removed = 0;
        rc = rubric_index_remove_missing(r.ix, (const char *const *)argv + optind,
                                         (size_t)(argc - optind), &removed);
        if (rc != RUBRIC_OK) {
            fprintf(stderr, "rubric-index: %s\n", rubric_index_errmsg(r.ix));
            r.fatal = rc;
        }
        r.removed = removed;
    }
    if (r.fatal) {
        /* Nothing of this run is published: readers keep the last commit. */
        rubric_index_close(r.ix);
        fprintf(stderr, "rubric-index: stopped; the index is unchanged\n");
        return cli_exit_code(r.fatal);
    }
    rc = rubric_index_commit(r.ix);
    if (rc != RUBRIC_OK) {
        fprintf(stderr, "rubric-index: %s\n", rubric_index_errmsg(r.ix));
        rubric_index_close(r.ix);
        return EXIT_NODB;
    }
    size_t total = rubric_index_passages(r.ix);
    rubric_index_close(r.ix);
    fprintf(stderr,
            "rubric-index: %lu files (%lu added, %lu changed, %lu unchanged, %lu skipped, "
            "%lu removed), %lu passages written, %zu in the index, %.2f s\n",
            r.files, r.added, r.changed, r.unchanged + r.excluded, r.skipped, r.removed,
            r.passages, total, now_seconds() - t0);
    return r.skipped || r.partial ? EXIT_SKIPPED : EXIT_DONE;
}
