/* index_file.c: one file into the index (look up, read and build, write), and files removed. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "store/shim.h"

/* Remember that PATH was given to add_file in this session. */
static int see(rubric_index *ix, const char *path)
{
    return hashset_add(&ix->seen, hash64(path, strlen(path)));
}

static int seen(const rubric_index *ix, const char *path)
{
    return hashset_has(&ix->seen, hash64(path, strlen(path)));
}

/* Free J's documents and id terms (the count stays). */
void job_free_docs(job *j)
{
    for (size_t i = 0; j->docs && i < j->n; i++) {
        xs_doc_free(j->docs[i]);
        free(j->ids[i]);
    }
    free(j->docs);
    free(j->ids);
    j->docs = NULL;
    j->ids = NULL;
}

void job_clear(job *j)
{
    job_free_docs(j);
    rubric_doc_free(j->doc);
    free(j->path);
    free(j->rel);
    free(j->msg);
    free(j->notes);
    free(j->fileterm);
    memset(j, 0, sizeof *j);
}

/* What J's outcome RC says of the file, as rubric_index_add() reports it. */
void job_outcome(const job *j, int rc, int *what, size_t *npassages)
{
    *what = rc == RUBRIC_OK ? j->what : RUBRIC_FILE_UNCHANGED;
    *npassages = rc == RUBRIC_OK && !j->touch && j->what != RUBRIC_FILE_UNCHANGED ? j->total : 0;
}

int job_fail(job *j, int rc, char *msg)
{
    j->rc = rc;
    j->done = 1;
    free(j->msg);
    j->msg = msg;
    return rc;
}

/* Why PATH is not read: it is over MAX bytes. Malloc'd. */
static char *too_large(const char *path, size_t max)
{
    return xasprintf("'%s': larger than the maximum file size (%zu bytes)", path, max);
}

/* Is PATH new, changed, or unchanged by size and time? */
void job_lookup(rubric_index *ix, job *j, const char *path, const char *rel)
{
    memset(j, 0, sizeof *j);
    j->max = ix->max_file_size;
    j->path = xstrdup(path);
    j->rel = xstrdup(rel ? rel : path);
    if (!j->path || !j->rel || see(ix, path) < 0) {
        job_fail(j, RUBRIC_ENOMEM, xasprintf("out of memory indexing '%s'", path));
        return;
    }
    if (ix->shard_n && rubric_shard_of(path, ix->shard_n) != ix->shard_k) {
        job_fail(j, RUBRIC_EINVAL, xasprintf("'%s' belongs to shard %u of %u, not to this "
                                             "one (%u)", path, rubric_shard_of(path, ix->shard_n),
                                             ix->shard_n, ix->shard_k));
        return;
    }
    struct stat st;
    if (stat(path, &st) < 0) {
        job_fail(j, RUBRIC_EIO, xasprintf("cannot read '%s': %s", path, strerror(errno)));
        return;
    }
    /* A FIFO or device would block or never end. */
    if (!S_ISREG(st.st_mode)) {
        job_fail(j, RUBRIC_EINPUT, xasprintf("'%s': not a regular file", path));
        return;
    }
    /* What one file may cost is bounded: its passages are built in memory. */
    if ((unsigned long long)st.st_size > j->max) {
        job_fail(j, RUBRIC_EINPUT, too_large(path, j->max));
        return;
    }
    j->known = layout_manifest_get(ix->db, path, &j->old);
    j->now.size = (long long)st.st_size;
    j->now.mtime = (long long)st.st_mtim.tv_sec;
    j->now.mtime_ns = (long long)st.st_mtim.tv_nsec;
    /* Same size and time: taken as unchanged without reading. */
    if (j->known && j->old.size == j->now.size && j->old.mtime == j->now.mtime &&
        j->old.mtime_ns == j->now.mtime_ns) {
        j->what = RUBRIC_FILE_UNCHANGED;
        j->done = 1;
    }
}

/* Read J's file, hash it and, unless its content is that of the manifest
 * entry (then J is a touch), parse it into *OUT. Nonzero when that settles J. */
static int read_source(job *j, rubric_doc **out)
{
    *out = NULL;
    char *data = NULL;
    size_t len = 0;
    int e = read_file(j->path, j->max, &data, &len);
    if (e == READ_NOT_REGULAR)
        job_fail(j, RUBRIC_EINPUT, xasprintf("'%s': not a regular file", j->path));
    else if (e == READ_TOO_LARGE)
        job_fail(j, RUBRIC_EINPUT, too_large(j->path, j->max));
    else if (e)
        job_fail(j, e == ENOMEM ? RUBRIC_ENOMEM : RUBRIC_EIO,
                 xasprintf("cannot read '%s': %s", j->path, strerror(e)));
    if (e)
        return 1;
    snprintf(j->now.hash, sizeof j->now.hash, "%016" PRIx64, hash64(data, len));
    if (j->known && strcmp(j->old.hash, j->now.hash) == 0) {
        free(data);
        j->touch = 1;  /* content unchanged: only the times moved */
        j->what = RUBRIC_FILE_UNCHANGED;
        return 1;
    }
    char *why = NULL;
    int rc = rubric_doc_read(j->path, data, len, out, &why);
    free(data);
    if (rc != RUBRIC_OK)
        job_fail(j, rc, rc == RUBRIC_EINPUT
                            ? xasprintf("'%s': %s", j->path, why ? why : "cannot be read")
                            : xasprintf("cannot index '%s': %s", j->path, rubric_strerror(rc)));
    free(why);
    return rc != RUBRIC_OK;
}

/* How many parts the section of J's passage I has: the run of passages from
 * it that share its anchor. Passages come in order, so each run is counted
 * once, when its first passage comes. */
static size_t section_parts(job *j, size_t i)
{
    if (i >= j->run_end) {
        const char *anchor = rubric_doc_passage(j->doc, i)->anchor;
        size_t last = i, n = rubric_doc_count(j->doc);
        while (last + 1 < n && strcmp(rubric_doc_passage(j->doc, last + 1)->anchor, anchor) == 0)
            last++;
        j->run_end = last + 1;
        j->run_parts = last - i + 1;
    }
    return j->run_parts;
}

/* The documents of J's next batch of passages, and their ids, into J. */
static int build_batch(rubric_analyzer *an, job *j)
{
    size_t n = j->total - j->next < JOB_BATCH ? j->total - j->next : JOB_BATCH;
    buf id = {0};
    int rc = RUBRIC_ENOMEM;
    j->docs = calloc(n + 1, sizeof *j->docs);
    j->ids = calloc(n + 1, sizeof *j->ids);
    if (!j->docs || !j->ids)
        goto out;
    for (j->n = 0; j->n < n; j->n++) {
        rubric_passage p = *rubric_doc_passage(j->doc, j->next + j->n);
        if (j->plain_only)
            p.boilerplate = 0;
        layout_source src = {j->path, j->rel, j->fileterm, j->doc->structure, j->total,
                             section_parts(j, j->next + j->n)};
        if (layout_passage_doc(an, &src, &p, &j->docs[j->n], &id) !=
                RUBRIC_OK ||
            !(j->ids[j->n] = xstrdup(id.data))) {
            xs_doc_free(j->docs[j->n]);
            goto out;
        }
    }
    j->next += n;
    rc = RUBRIC_OK;
out:
    buf_free(&id);
    return rc;
}

/* J's file term, and the documents of its first batch. */
static int build_docs(rubric_analyzer *an, job *j)
{
    buf term = {0};
    int rc = RUBRIC_ENOMEM;
    if (layout_file_term(PREFIX_FILE, j->path, &term) == 0 && (j->fileterm = xstrdup(term.data)))
        rc = build_batch(an, j);
    buf_free(&term);
    return rc;
}

int job_next_batch(rubric_analyzer *an, job *j)
{
    job_free_docs(j);
    j->n = 0;
    if (!j->doc || j->next >= j->total)
        return 0;
    if (build_batch(an, j) == RUBRIC_OK)
        return 1;
    job_fail(j, RUBRIC_ENOMEM, xasprintf("out of memory indexing '%s'", j->path));
    return -1;
}

void job_build(rubric_analyzer *an, int plain_only, int dry_run, job *j)
{
    rubric_doc *doc = NULL;
    if (j->done || read_source(j, &doc))
        return;
    j->excluded = rubric_doc_excluded(doc);
    j->what = j->excluded ? RUBRIC_FILE_EXCLUDED : j->known ? RUBRIC_FILE_CHANGED : RUBRIC_FILE_ADDED;
    int rc = RUBRIC_OK;
    if (rubric_doc_notes(doc) && !(j->notes = xstrdup(rubric_doc_notes(doc))))
        rc = RUBRIC_ENOMEM;
    j->doc = doc;
    j->total = rubric_doc_count(doc);
    j->plain_only = plain_only;
    /* A dry run only says what would happen: the file was read as a real run
     * would read it. */
    if (rc == RUBRIC_OK && !dry_run)
        rc = build_docs(an, j);
    if (rc != RUBRIC_OK)
        job_fail(j, rc, xasprintf("out of memory indexing '%s'", j->path));
    if (dry_run || rc != RUBRIC_OK || j->next >= j->total) {
        rubric_doc_free(doc);  /* no batch left to build from it */
        j->doc = NULL;
    }
}

/* Write what job_build() built. */
int job_write(rubric_index *ix, job *j)
{
    ix->err.len = 0;
    ix->notes.len = 0;
    if (j->msg) {
        index_fail(ix, j->rc, j->msg);
        j->msg = NULL;
    }
    if (j->done)
        return j->rc;
    if (ix->dry_run)
        goto notes;
    ix->dirty = 1;
    if (j->touch) {
        j->now.passages = j->old.passages;
        return layout_manifest_put(ix->db, j->path, &j->now) == RUBRIC_OK
                   ? RUBRIC_OK
                   : index_error(ix, RUBRIC_ENOMEM, "out of memory indexing '%s'", j->path);
    }
    /* A fresh build holds nothing yet: no passages to replace or delete, and
     * adding skips the look-up of each id. */
    int rc = RUBRIC_OK;
    if (!ix->fresh) {
        rc = fold_note_file(&ix->touched, ix->db, j->fileterm);
        if (rc == RUBRIC_OK)
            rc = xs_status(xs_db_delete_term(ix->db, j->fileterm));
    }
    for (int more = !j->written; more > 0 && rc == RUBRIC_OK;) {
        for (size_t i = 0; i < j->n && rc == RUBRIC_OK; i++) {
            if (!ix->fresh)
                rc = fold_note_doc(&ix->touched, j->docs[i]);
            if (rc == RUBRIC_OK)
                rc = xs_status(ix->fresh ? xs_db_add(ix->db, j->docs[i])
                                         : xs_db_replace(ix->db, j->ids[i], j->docs[i]));
        }
        if (rc == RUBRIC_OK && (more = job_next_batch(ix->an, j)) < 0) {
            char *msg = j->msg;
            j->msg = NULL;
            return index_fail(ix, j->rc, msg);
        }
    }
    j->now.passages = (long long)j->total;
    if (rc == RUBRIC_OK)
        rc = layout_manifest_put(ix->db, j->path, &j->now);
    if (rc != RUBRIC_OK)
        return index_error(ix, rc, "cannot write to the index (adding '%s'): %s", j->path,
                           xs_db_errmsg(ix->db));
notes:
    if (j->notes && buf_adds(&ix->notes, j->notes) < 0)
        return index_error(ix, RUBRIC_ENOMEM, "out of memory indexing '%s'", j->path);
    return RUBRIC_OK;
}

void job_count_built(rubric_index *ix, const job *j)
{
    atomic_fetch_add(&ix->built_files, 1);
    atomic_fetch_add(&ix->built_bytes, (size_t)j->now.size);
    atomic_fetch_add(&ix->built_passages, j->total);
}

void rubric_index_progress(const rubric_index *ix, rubric_progress *out)
{
    out->files = atomic_load(&ix->built_files);
    out->bytes = atomic_load(&ix->built_bytes);
    out->passages = atomic_load(&ix->built_passages);
}

int rubric_index_add(rubric_index *ix, const char *path, const char *rel, int *what,
                     size_t *npassages)
{
    if (what)
        *what = RUBRIC_FILE_UNCHANGED;
    if (npassages)
        *npassages = 0;
    INDEX_NEED_DB(ix);
    job j;
    job_lookup(ix, &j, path, rel);
    job_build(ix->an, ix->plain, ix->dry_run, &j);
    job_count_built(ix, &j);
    int rc = job_write(ix, &j), w = 0;
    size_t np = 0;
    job_outcome(&j, rc, &w, &np);
    if (what)
        *what = w;
    if (npassages)
        *npassages = np;
    job_clear(&j);
    return rc;
}

int rubric_index_remove_file(rubric_index *ix, const char *path)
{
    INDEX_NEED_DB(ix);
    ix->err.len = 0;
    if (ix->dry_run)
        return RUBRIC_OK;
    ix->dirty = 1;
    buf term = {0};
    int rc = RUBRIC_ENOMEM;
    if (layout_file_term(PREFIX_FILE, path, &term) == 0)
        rc = fold_note_file(&ix->touched, ix->db, term.data);
    if (rc == RUBRIC_OK)
        rc = xs_status(xs_db_delete_term(ix->db, term.data));
    if (rc == RUBRIC_OK)
        rc = layout_manifest_remove(ix->db, path);
    buf_free(&term);
    if (rc != RUBRIC_OK)
        return index_error(ix, rc, "cannot remove '%s': %s", path, xs_db_errmsg(ix->db));
    return RUBRIC_OK;
}

int rubric_index_add_file(rubric_index *ix, const char *path, int *what, size_t *npassages)
{
    return rubric_index_add(ix, path, NULL, what, npassages);
}

/* Is PATH one of ROOTS or beneath one of them? */
static int under(const char *path, const char *const *roots, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(roots[i]);
        if (len == 0)
            continue;  /* names nothing (never "everything") */
        while (len > 1 && roots[i][len - 1] == '/')
            len--;
        if (strncmp(path, roots[i], len) == 0 &&
            (path[len] == '\0' || path[len] == '/' || roots[i][len - 1] == '/'))
            return 1;
    }
    return 0;
}

typedef struct missing_ctx {
    rubric_index *ix;
    const char *const *roots;
    size_t nroots;
    char **paths;  /* to remove once the walk is over */
    size_t n, cap;
} missing_ctx;

/* Collect PATH, from the manifest, if it is gone from under the roots. */
static int find_missing(void *ctx, const char *path)
{
    missing_ctx *c = ctx;
    if (!under(path, c->roots, c->nroots) || seen(c->ix, path) ||
        under(path, (const char *const *)c->ix->kept, c->ix->nkept))
        return RUBRIC_OK;
    if (GROW(c->paths, c->n, c->cap) < 0 || !(c->paths[c->n] = xstrdup(path)))
        return RUBRIC_ENOMEM;
    c->n++;
    return RUBRIC_OK;
}

/* A path without its trailing slashes, for comparing spellings. */
static size_t bare_len(const char *s)
{
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        n--;
    return n;
}

/* Is B the folder A or under it? *REST then points at what follows A in B. */
static int within(const char *a, const char *b, const char **rest)
{
    size_t n = bare_len(a);
    if (strncmp(a, b, n) != 0 || (b[n] != '\0' && b[n] != '/' && !(n == 1 && a[0] == '/')))
        return 0;
    *rest = b + n;
    return 1;
}

/* Do SPELLING + REST and OTHER name the same path as written? */
static int spelled_alike(const char *spelling, const char *rest, const char *other)
{
    size_t n = bare_len(spelling), m = bare_len(other), r = bare_len(rest);
    if (r == 1 && rest[0] == '/')
        r = 0;
    return n + r == m && strncmp(spelling, other, n) == 0 && strncmp(rest, other + n, r) == 0;
}

/* Load the roots recorded, unless this is a fresh build (which records its
 * own only: the old spellings go with the old index). */
static int load_roots(rubric_index *ix)
{
    if (ix->roots_loaded)
        return RUBRIC_OK;
    ix->roots_loaded = 1;
    if (ix->fresh)
        return RUBRIC_OK;
    char **pairs = NULL;
    size_t n = 0;
    int rc = layout_roots_get(ix->db, &pairs, &n);
    if (rc != RUBRIC_OK)
        return rc;
    ix->roots = pairs;
    ix->nroots = n;
    ix->caproots = 2 * n;
    return RUBRIC_OK;
}

int rubric_index_root(rubric_index *ix, const char *root)
{
    INDEX_NEED_DB(ix);
    ix->err.len = 0;
    char *real = realpath(root, NULL);
    if (!real)
        return RUBRIC_OK;  /* not there: the walk says so */
    int rc = load_roots(ix);
    for (size_t i = 0; rc == RUBRIC_OK && i < ix->nroots; i++) {
        const char *given = ix->roots[2 * i], *at = ix->roots[2 * i + 1], *rest = NULL;
        if (spelled_alike(given, "", root))
            continue;
        /* Below a recorded root, files would be named GIVEN + REST before
         * and ROOT + ... now; above one, ROOT + REST now and GIVEN before. */
        int clash = (within(at, real, &rest) && !spelled_alike(given, rest, root)) ||
                    (within(real, at, &rest) && !spelled_alike(root, rest, given));
        if (clash)
            rc = index_error(ix, RUBRIC_EINVAL,
                             "'%s' is the folder indexed as '%s', spelled another way: its "
                             "files would be indexed twice; give it as before (or --rebuild "
                             "to index it under the new name)",
                             root, given);
    }
    if (rc == RUBRIC_OK && !ix->dry_run) {
        char *copy = xstrdup(root);
        if (!copy || GROW(ix->roots, 2 * ix->nroots + 1, ix->caproots) < 0) {
            free(copy);
            free(real);
            return index_error(ix, RUBRIC_ENOMEM, "out of memory");
        }
        memmove(ix->roots + 2, ix->roots, 2 * ix->nroots * sizeof *ix->roots);
        ix->roots[0] = copy;
        ix->roots[1] = real;
        ix->nroots++;
        ix->roots_changed = 1;
        real = NULL;
    }
    free(real);
    return rc;
}

int index_record_roots(rubric_index *ix)
{
    if (!ix->roots_changed)
        return RUBRIC_OK;
    /* The newest of each spelling, newest first. */
    size_t kept = 0;
    for (size_t i = 0; i < ix->nroots; i++) {
        int seen = 0;
        for (size_t k = 0; k < kept && !seen; k++)
            seen = strcmp(ix->roots[2 * k], ix->roots[2 * i]) == 0;
        if (seen) {
            free(ix->roots[2 * i]);
            free(ix->roots[2 * i + 1]);
            continue;
        }
        ix->roots[2 * kept] = ix->roots[2 * i];
        ix->roots[2 * kept + 1] = ix->roots[2 * i + 1];
        kept++;
    }
    ix->nroots = kept;
    return layout_roots_put(ix->db, ix->roots, ix->nroots);
}

int rubric_index_keep(rubric_index *ix, const char *path)
{
    if (!*path)
        return index_error(ix, RUBRIC_EINVAL, "an empty path names no file to keep");
    if (GROW(ix->kept, ix->nkept, ix->capkept) < 0 || !(ix->kept[ix->nkept] = xstrdup(path)))
        return index_error(ix, RUBRIC_ENOMEM, "out of memory");
    ix->nkept++;
    return RUBRIC_OK;
}

int rubric_index_remove_missing(rubric_index *ix, const char *const *roots, size_t nroots,
                                void (*each)(void *ctx, const char *path), void *ctx,
                                size_t *removed)
{
    if (removed)
        *removed = 0;
    INDEX_NEED_DB(ix);
    for (size_t i = 0; i < nroots; i++)
        if (!*roots[i])
            return index_error(ix, RUBRIC_EINVAL, "an empty root names no files to look for");
    missing_ctx c = {ix, roots, nroots, NULL, 0, 0};
    int rc = layout_manifest_each(ix->db, find_missing, &c);
    if (rc == RUBRIC_ENOMEM)
        rc = index_error(ix, rc, "out of memory looking for removed files");
    else if (rc != RUBRIC_OK)
        rc = index_error(ix, rc, "cannot read the manifest: %s", xs_db_errmsg(ix->db));
    for (size_t i = 0; i < c.n; i++) {
        if (rc == RUBRIC_OK) {
            rc = rubric_index_remove_file(ix, c.paths[i]);
            if (rc == RUBRIC_OK && removed)
                (*removed)++;
            if (rc == RUBRIC_OK && each)
                each(ctx, c.paths[i]);
        }
        free(c.paths[i]);
    }
    free(c.paths);
    return rc;
}

