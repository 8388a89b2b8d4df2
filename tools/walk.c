/* walk.c: the walk over a source tree, shared by rubric-index and the benchmarks.
 *
 * Kept apart from cli.c because it asks the readers which files they take: a
 * tool that only queries links no reader. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "config.h"
#include "internal.h"

/* PATH's address under the walk's root (PATH itself when the root is it). */
static const char *relative(const cli_walk *w, const char *path)
{
    size_t n = strlen(w->root);
    while (n > 1 && w->root[n - 1] == '/')
        n--;
    if (strncmp(path, w->root, n) == 0 && path[n] == '/')
        return path + n + 1;
    return path;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(cli_walk *w, const char *path, int explicit);

/* PATH could not be looked at: say why, and let the caller keep what it
 * indexed there. */
static void fail(cli_walk *w, const char *path, const char *why)
{
    fputs(w->tool, stderr);
    fputs(": skipped '", stderr);
    cli_puts_safe(stderr, path);
    fprintf(stderr, "': %s\n", why);
    w->skipped++;
    if (w->skip_note)
        w->skip_note(w->ctx, path, why);
    if (w->failed)
        w->failed(w->ctx, path);
}

/* A directory's entries in name order, so runs are reproducible. */
static void walk_dir(cli_walk *w, const char *path)
{
    DIR *dir = opendir(path);
    if (!dir) {
        fail(w, path, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0, len = strlen(path);
    int slash = len > 0 && path[len - 1] == '/';
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue;  /* hidden files, ".", ".." and version-control folders */
        if (GROW(names, n, cap) < 0)
            break;
        char *full = malloc(len + strlen(e->d_name) + 2);
        if (!full)
            break;
        sprintf(full, "%s%s%s", path, slash ? "" : "/", e->d_name);
        names[n++] = full;
    }
    closedir(dir);
    if (e) {
        fprintf(stderr, "%s: out of memory listing '%s'\n", w->tool, path);
        w->stopped = 1;
    }
    if (n)  /* an empty folder: NAMES is NULL, which qsort() may not be given */
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        if (!w->stopped)
            walk(w, names[i], 0);
        free(names[i]);
    }
    free(names);
}

static void walk(cli_walk *w, const char *path, int explicit)
{
    struct stat st;
    if ((explicit ? stat(path, &st) : lstat(path, &st)) < 0) {
        fail(w, path, strerror(errno));
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        if (stat(path, &st) < 0) {
            /* A link to nothing, or to itself round a loop. */
            fail(w, path, errno == ELOOP ? "symbolic link loop" : "dangling symbolic link");
            return;
        }
        if (S_ISDIR(st.st_mode))
            return;  /* links to folders are not followed: they could loop */
    }
    if (S_ISDIR(st.st_mode)) {
        if (w->skip && st.st_dev == w->skip->st_dev && st.st_ino == w->skip->st_ino)
            return;
        if (!explicit && config_prunes(w->exclude, relative(w, path)))
            return;
        walk_dir(w, path);
        return;
    }
    if (!rubric_doc_supported(path)) {
        if (explicit) {
            fputs(w->tool, stderr);
            fputs(": skipped '", stderr);
            cli_puts_safe(stderr, path);
            fputs("': no reader for this kind of file\n", stderr);
            w->skipped++;
            if (w->skip_note)
                w->skip_note(w->ctx, path, "no reader for this kind of file");
        }
        return;
    }
    if (!explicit && !config_takes(w->include, w->exclude, relative(w, path)))
        return;
    if (w->file(w->ctx, path, relative(w, path)) != 0)
        w->stopped = 1;
}

void cli_walk_run(cli_walk *w)
{
    walk(w, w->root, 1);
}
