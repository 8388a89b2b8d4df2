/* index.c: the write handle: open, settings, commit and the publication of a fresh build, close.
 *
 * The format of what is written is layout.c's. Everything one run writes is
 * published by a single commit. A first build or a rebuild is written beside
 * the live index (DIR.rebuild; with a shard per thread under it when
 * add_many() runs several), then merged and compacted (compact_fresh()) and
 * swapped in (publish()).
 */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "store/shim.h"

int index_fail(rubric_index *ix, int code, char *msg)
{
    ix->err.len = 0;
    buf_adds(&ix->err, msg ? msg : "out of memory");
    free(msg);
    return code;
}

/* Set metadata KEY to VALUE unless it holds that already. */
static int put_metadata(rubric_index *ix, const char *key, const char *value)
{
    char *have = NULL;
    size_t len = 0;
    int rc = xs_status(xs_db_get_metadata(ix->db, key, &have, &len));
    if (rc == RUBRIC_OK && !(have ? strcmp(have, value) == 0 : !*value)) {
        rc = xs_status(xs_db_set_metadata(ix->db, key, value, strlen(value)));
        ix->dirty = 1;
    }
    free(have);
    return rc;
}

int rubric_index_open(const char *dir, const char *lang, rubric_index **out, char **errmsg)
{
    return rubric_index_open_with(dir, lang, 0, out, errmsg);
}

/* Hand MSG (malloc'd, taken) to the caller's *ERRMSG, if it asked for one. */
static void tell(char **errmsg, char *msg)
{
    if (errmsg)
        *errmsg = msg;
    else
        free(msg);
}

/* Open IX's database at its directory, or (a dry run on no index, which
 * creates nothing) an empty one in memory. */
static int open_db(rubric_index *ix, int missing, char **errmsg)
{
    char *msg = NULL;
    /* A dry run writes nothing, so it takes no lock: it never keeps a real
     * run out, nor waits for one. */
    int rc = xs_status(ix->dry_run && missing ? xs_db_open_memory(&ix->db, &msg)
                       : ix->dry_run          ? xs_db_open_read(ix->dir, &ix->db, &msg)
                                              : xs_db_open_write(ix->dir, &ix->db, &msg));
    if (rc == RUBRIC_ELOCKED) {
        free(msg);
        msg = xstrdup("index is locked by another indexer");
    }
    if (rc != RUBRIC_OK)
        tell(errmsg, msg);
    return rc;
}

/* LANG (may be NULL) against HAVE, the language the index was built for:
 * an index with passages changes language only by a rebuild. */
static int check_lang(rubric_index *ix, const char *have, const char *lang, int rebuild,
                      char **errmsg)
{
    if (!have && xs_db_doccount(ix->db) > 0) {
        /* Every rubric index records its language at its first commit. */
        tell(errmsg, xasprintf("'%s' is a Xapian database that rubric did not make (it records "
                               "no language): name a rubric index, or a new or empty folder",
                               ix->dir));
        return RUBRIC_EINVAL;
    }
    if (!have || !lang || strcmp(have, lang) == 0 || rebuild || xs_db_doccount(ix->db) == 0)
        return RUBRIC_OK;
    tell(errmsg, xasprintf("index '%s' was built for language '%s', not '%s'; rebuild it "
                           "(--rebuild) to change language",
                           ix->dir, have, lang));
    return RUBRIC_EINVAL;
}

/* Is NAME what a Xapian glass database or rubric's scratch of a build holds
 * (its tables, its lock, its version file, the temporary files of a write;
 * the merged index and the shards)? */
static int ours(const char *name, int scratch)
{
    size_t n = strlen(name);
    if (strcmp(name, "iamglass") == 0 || strcmp(name, "flintlock") == 0 ||
        (n > 6 && strcmp(name + n - 6, ".glass") == 0) ||
        (n > 4 && strcmp(name + n - 4, ".tmp") == 0) ||  /* a write a kill cut short */
        strncmp(name, "changes", 7) == 0)
        return 1;
    if (!scratch)
        return 0;
    if (strcmp(name, "index") == 0)
        return 1;
    if (strncmp(name, "shard-", 6) != 0 || !name[6])
        return 0;
    return strspn(name + 6, "0123456789") == n - 6;
}

/* The first entry of the folder PATH that an index (SCRATCH: a build's
 * scratch) would not hold, malloc'd, or NULL when all are. *EMPTY says
 * whether it holds anything at all. */
static char *foreign_entry(const char *path, int scratch, int *empty)
{
    return dir_foreign_entry(path, ours, scratch, empty);
}

/* Holding the lock, no rebuild is running: a scratch copy left by one that
 * died is removed, unless it holds what no build of rubric's writes (a
 * folder of the user's that happens to have that name stays). */
static void remove_scratch(const rubric_index *ix)
{
    char *scratch = xasprintf("%s.rebuild", ix->dir);
    int empty = 0;
    char *other = scratch ? foreign_entry(scratch, 1, &empty) : NULL;
    if (scratch && !other)
        remove_tree(scratch);
    free(other);
    free(scratch);
}

/* Has the folder PATH a glass database's version file, or is a writer
 * holding its lock (creating it, then)? Either way it is not ours to clear. */
static int has_version_file(const char *path)
{
    char *v = xasprintf("%s/iamglass", path), *lock = xasprintf("%s/flintlock", path);
    struct stat st;
    int yes = !v || !lock || stat(v, &st) == 0;
    int fd = yes ? -1 : open(lock, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        yes = fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type != F_UNLCK;
        close(fd);
    }
    free(v);
    free(lock);
    return yes;
}

/* Where the index named DIR lives, into *OUT (malloc'd): DIR without its
 * trailing slashes, or, when DIR is a symbolic link, the folder it leads to
 * (so that a rebuild replaces that folder and the link still leads to the
 * index). RUBRIC_EINVAL with a message when DIR cannot be an index: a file,
 * a link to nothing, or a folder holding what an index does not (a folder
 * of the user's, which a rebuild would otherwise replace). *MISSING says
 * whether it does not exist yet. */
static int index_place(const char *dir, char **out, int *missing, char **errmsg)
{
    *out = NULL;
    *missing = 0;
    if (!*dir) {
        tell(errmsg, xstrdup("the index's folder is an empty path"));
        return RUBRIC_EINVAL;
    }
    char *path = xstrdup(dir);
    if (!path)
        return RUBRIC_ENOMEM;
    for (size_t n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
        path[n - 1] = '\0';
    struct stat st;
    if (lstat(path, &st) < 0) {
        *missing = errno == ENOENT;
        *out = path;
        return RUBRIC_OK;  /* opening says why when it is not just missing */
    }
    if (S_ISLNK(st.st_mode)) {
        char *real = realpath(path, NULL);
        if (!real) {
            tell(errmsg, xasprintf("index '%s' is a symbolic link to nothing: %s", dir,
                                   strerror(errno)));
            free(path);
            return RUBRIC_EINVAL;
        }
        free(path);
        path = real;
        if (stat(path, &st) < 0)
            st.st_mode = 0;
    }
    int rc = RUBRIC_OK, empty = 0;
    char *other = NULL;
    if (S_ISDIR(st.st_mode) && !(other = foreign_entry(path, 0, &empty)) && !empty &&
        !has_version_file(path)) {
        /* Only what Xapian writes, but no version file: a first build killed
         * as it created the index. It is ours, and holds nothing yet. */
        remove_tree(path);
        *missing = 1;
        *out = path;
        return RUBRIC_OK;
    }
    free(other);
    other = NULL;
    if (!S_ISDIR(st.st_mode)) {
        tell(errmsg, xasprintf("index '%s' is not a folder: name the folder the index lives "
                               "in (or a new one)", dir));
        rc = RUBRIC_EINVAL;
    } else if ((other = foreign_entry(path, 0, &empty))) {
        tell(errmsg, xasprintf("'%s' is not a rubric index: it holds other files ('%s'); "
                               "name an index, or a new or empty folder", dir, other));
        rc = RUBRIC_EINVAL;
    }
    free(other);
    if (rc != RUBRIC_OK)
        free(path);
    else
        *out = path;
    return rc;
}

/* Set IX up to build a new index beside the live one, holding its lock all
 * along, so that no other indexer writes to what is about to be replaced. A
 * scratch directory left by a rebuild that died is ours to replace. */
static int start_fresh(rubric_index *ix, char **errmsg)
{
    ix->live = ix->db;
    ix->db = NULL;
    ix->dirty = 1;
    if (!(ix->fresh = xasprintf("%s.rebuild", ix->dir)))
        return RUBRIC_ENOMEM;
    int empty = 0;
    char *other = foreign_entry(ix->fresh, 1, &empty);
    if (other) {
        tell(errmsg, xasprintf("'%s' is in the way of the new index and is not rubric's: it "
                               "holds '%s'; move it away", ix->fresh, other));
        free(other);
        free(ix->fresh);
        ix->fresh = NULL;  /* not ours to remove on close */
        return RUBRIC_EINVAL;
    }
    char *msg = NULL;
    int rc = remove_tree(ix->fresh) != 0 ? RUBRIC_ENODB
                                         : xs_status(xs_db_open_fresh(ix->fresh, &ix->db, &msg));
    if (rc != RUBRIC_OK) {
        tell(errmsg, xasprintf("cannot create '%s': %s", ix->fresh, msg ? msg : strerror(errno)));
        free(msg);
        return rc;
    }
    /* The new index keeps the live one's base URL unless told another. */
    char *base = NULL;
    size_t len = 0;
    if (xs_db_get_metadata(ix->live, META_BASE_URL, &base, &len) == XS_OK && base)
        rc = put_metadata(ix, META_BASE_URL, base);
    free(base);
    /* Built whole: every passage has its facet values, presence terms and
     * section slot (layout.c). */
    if (rc == RUBRIC_OK)
        rc = put_metadata(ix, META_FACETS, "1");
    if (rc == RUBRIC_OK)
        rc = put_metadata(ix, META_PRESENCE, "1");
    if (rc == RUBRIC_OK)
        rc = put_metadata(ix, META_HITS, "1");
    return rc;
}

/* IX's analyzer for LANG, which a real run records. */
static int open_analyzer(rubric_index *ix, const char *lang, char **errmsg)
{
    int rc = rubric_analyzer_new(lang, &ix->an);
    if (rc == RUBRIC_EINVAL)
        tell(errmsg, xasprintf("unknown language '%s'", lang));
    if (rc == RUBRIC_OK && !ix->dry_run)
        rc = put_metadata(ix, META_LANG, lang);
    return rc;
}

int rubric_index_open_with(const char *dir, const char *lang, int flags, rubric_index **out,
                           char **errmsg)
{
    *out = NULL;
    if (errmsg)
        *errmsg = NULL;
    rubric_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return RUBRIC_ENOMEM;
    int missing = 0, rc = index_place(dir, &ix->dir, &missing, errmsg);
    if (rc != RUBRIC_OK) {
        free(ix);
        return rc;
    }
    ix->dry_run = (flags & RUBRIC_OPEN_DRY_RUN) != 0;
    ix->max_file_size = RUBRIC_FILE_MAX_DEFAULT;
    /* A first build is built as a rebuild is, beside an empty index that
     * holds the lock: it then flushes as it goes, in bounded memory, and
     * appears at once when done. */
    int rebuild = !ix->dry_run && ((flags & RUBRIC_OPEN_REBUILD) || missing);
    char *have = NULL;
    size_t len = 0;
    rc = open_db(ix, missing, errmsg);
    /* An index with no passages that never committed (a first build killed
     * before it was published left it so) is built as a first build is,
     * not in one transaction holding every file. One that committed holding
     * nothing (a shard no file belongs to) is an index like any other: a
     * run that changes nothing leaves it as it is. */
    if (rc == RUBRIC_OK && !ix->dry_run && xs_db_doccount(ix->db) == 0 &&
        !layout_committed(ix->db))
        rebuild = 1;
    if (rc == RUBRIC_OK)
        rc = xs_status(xs_db_get_metadata(ix->db, META_LANG, &have, &len));
    if (rc == RUBRIC_OK)
        rc = check_lang(ix, have, lang, rebuild, errmsg);
    if (rc == RUBRIC_OK && rebuild)
        rc = start_fresh(ix, errmsg);
    else if (rc == RUBRIC_OK && !ix->dry_run)
        remove_scratch(ix);
    if (rc == RUBRIC_OK)
        rc = open_analyzer(ix, lang ? lang : have ? have : "english", errmsg);
    free(have);
    if (rc != RUBRIC_OK) {
        rubric_index_close(ix);
        return rc;
    }
    *out = ix;
    return RUBRIC_OK;
}

/* Close a fresh build's shards (what they hold uncommitted is dropped). */
static void close_shards(rubric_index *ix)
{
    for (size_t k = 0; k < ix->nshards; k++)
        xs_db_close(ix->shards[k]);
    free(ix->shards);
    ix->shards = NULL;
    ix->nshards = ix->capshards = 0;
}

void rubric_index_close(rubric_index *ix)
{
    if (!ix)
        return;
    xs_db_close(ix->db);
    xs_db_close(ix->live);
    close_shards(ix);
    if (ix->fresh)
        remove_tree(ix->fresh);  /* a rebuild not published */
    free(ix->fresh);
    free(ix->dir);
    rubric_analyzer_free(ix->an);
    buf_free(&ix->err);
    buf_free(&ix->notes);
    hashset_free(&ix->seen);
    fold_set_free(&ix->touched);
    for (size_t i = 0; i < ix->nkept; i++)
        free(ix->kept[i]);
    free(ix->kept);
    for (size_t i = 0; i < 2 * ix->nroots; i++)
        free(ix->roots[i]);
    free(ix->roots);
    free(ix);
}

size_t rubric_index_passages(rubric_index *ix)
{
    size_t n = ix->db ? xs_db_doccount(ix->db) : 0;
    for (size_t k = 0; k < ix->nshards; k++)
        n += xs_db_doccount(ix->shards[k]);
    return n;
}

const char *rubric_index_errmsg(const rubric_index *ix)
{
    return ix->err.data ? ix->err.data : "";
}

const char *rubric_index_notes(const rubric_index *ix)
{
    return ix->notes.len ? ix->notes.data : NULL;
}

const char *rubric_index_lang(const rubric_index *ix)
{
    return rubric_analyzer_lang(ix->an);
}

/* Shard K of a fresh build, under its scratch directory. */
char *index_shard_path(const rubric_index *ix, size_t k)
{
    return xasprintf("%s/shard-%zu", ix->fresh, k);
}

/* Fold the duplicates of the fresh build compacted at DEST: every passage is
 * new, so every one is judged. */
static int fold_fresh(rubric_index *ix, const char *dest)
{
    xs_db *db = NULL;
    char *msg = NULL;
    int rc = xs_status(xs_db_open_write(dest, &db, &msg));
    if (rc != RUBRIC_OK) {
        index_error(ix, rc, "cannot open the new index '%s': %s", dest, msg ? msg : "");
        free(msg);
        return rc;
    }
    rc = fold_run(db, NULL);
    if (rc == RUBRIC_OK)
        rc = xs_status(xs_db_commit(db));
    if (rc != RUBRIC_OK)
        index_error(ix, rc, "cannot fold the duplicates of the new index: %s",
                    rc == RUBRIC_ENOMEM ? "out of memory" : xs_db_errmsg(db));
    xs_db_close(db);
    return rc;
}

/* A fresh build's last step: its committed parts (the writer's own database,
 * then its shards) merged in order into one compacted database, at *READY
 * (malloc'd) under the scratch directory. Compacting packs the blocks that a
 * build leaves half full: the index is about half the size, and a query reads
 * fewer blocks. */
static int compact_fresh(rubric_index *ix, char **ready)
{
    *ready = NULL;
    if (ix->broken)
        return index_error(ix, RUBRIC_ENODB, "the new index is incomplete: a part of it could not "
                                         "be written");
    size_t n = 1 + ix->nshards;
    const char **src = calloc(n, sizeof *src);
    int rc = src ? RUBRIC_OK : index_error(ix, RUBRIC_ENOMEM, "out of memory");
    if (rc == RUBRIC_OK)
        src[0] = ix->fresh;
    for (size_t k = 0; k < ix->nshards && rc == RUBRIC_OK; k++) {
        if (xs_db_commit(ix->shards[k]) != XS_OK)
            rc = index_error(ix, RUBRIC_ENODB, "cannot write the new index: %s",
                         xs_db_errmsg(ix->shards[k]));
        else if (!(src[k + 1] = xstrdup(xs_db_path(ix->shards[k]))))
            rc = index_error(ix, RUBRIC_ENOMEM, "out of memory");
    }
    close_shards(ix);
    xs_db_close(ix->db);
    ix->db = NULL;
    char *dest = rc == RUBRIC_OK ? xasprintf("%s/index", ix->fresh) : NULL;
    char *msg = NULL;
    if (rc == RUBRIC_OK && !dest)
        rc = index_error(ix, RUBRIC_ENOMEM, "out of memory");
    else if (rc == RUBRIC_OK && xs_db_compact(src, n, dest, &msg) != XS_OK)
        rc = index_error(ix, RUBRIC_ENODB, "cannot compact the new index into '%s': %s", dest,
                     msg ? msg : "");
    free(msg);
    /* A shard of a set written as one is folded with the set, every passage
     * of it judged again there: folding it alone first is work thrown away
     * (and each passage it folds, a document written twice). */
    if (rc == RUBRIC_OK && !ix->in_set)
        rc = fold_fresh(ix, dest);
    for (size_t k = 1; src && k < n; k++)
        free((char *)src[k]);
    free(src);
    if (rc == RUBRIC_OK)
        *ready = dest;
    else
        free(dest);
    return rc;
}

/* Swap the rebuilt index in for the live one, at one instant for readers. */
static int publish(rubric_index *ix)
{
    char *ready = NULL;
    int rc = compact_fresh(ix, &ready);
    if (rc != RUBRIC_OK)
        return rc;
    if (sync_tree(ready) != 0)
        rc = index_error(ix, RUBRIC_ENODB, "cannot sync '%s': %s", ready, strerror(errno));
    else if (exchange_paths(ready, ix->dir) != 0)
        rc = index_error(ix, RUBRIC_ENODB, "cannot put '%s' in place of '%s': %s", ready, ix->dir,
                     strerror(errno));
    free(ready);
    if (rc != RUBRIC_OK)
        return rc;
    /* The old index now lies under the scratch directory: release it and
     * remove it. Readers that have it open keep reading it until they
     * reopen. */
    xs_db_close(ix->live);
    ix->live = NULL;
    remove_tree(ix->fresh);
    free(ix->fresh);
    ix->fresh = NULL;
    char *msg = NULL;
    rc = xs_status(xs_db_open_write(ix->dir, &ix->db, &msg));
    if (rc != RUBRIC_OK)
        index_error(ix, rc, "cannot reopen '%s': %s", ix->dir, msg ? msg : "");
    free(msg);
    return rc;
}

int rubric_index_commit(rubric_index *ix)
{
    INDEX_NEED_DB(ix);
    ix->err.len = 0;
    /* A run that changed nothing writes nothing: the revision stays. It
     * still looks into every table once, so that it does not report a
     * damaged index (a truncated table) as fine. */
    if (ix->dry_run || !ix->dirty) {
        int rc = xs_status(xs_db_probe(ix->fresh ? ix->live : ix->db));
        if (rc != RUBRIC_OK)
            return index_error(ix, rc, "index '%s' is damaged (rubric-index --rebuild writes it "
                               "anew): %s", ix->dir, xs_db_errmsg(ix->fresh ? ix->live : ix->db));
        return RUBRIC_OK;
    }
    /* The revision counts commits of this index across rebuilds: a rebuild
     * carries on from the live index's. */
    int rc = ix->fresh ? RUBRIC_OK : fold_run(ix->db, &ix->touched);
    fold_set_free(&ix->touched);
    if (rc != RUBRIC_OK)
        return index_error(ix, rc, "cannot fold the duplicates: %s",
                           rc == RUBRIC_ENOMEM ? "out of memory" : xs_db_errmsg(ix->db));
    rc = index_record_roots(ix);
    if (rc == RUBRIC_OK)
        rc = layout_stamp(ix->db, rubric_index_revision(ix) + 1);
    if (rc == RUBRIC_OK)
        rc = xs_status(xs_db_commit(ix->db));
    if (rc != RUBRIC_OK)
        return index_error(ix, rc, "cannot commit the index: %s", xs_db_errmsg(ix->db));
    ix->dirty = 0;
    return ix->fresh ? publish(ix) : RUBRIC_OK;
}

unsigned long rubric_index_revision(rubric_index *ix)
{
    xs_db *db = ix->fresh ? ix->live : ix->db;
    return db ? layout_revision(db) : 0;
}

void rubric_index_set_boilerplate_detection(rubric_index *ix, int on)
{
    ix->plain = !on;
}

int rubric_index_set_base_url(rubric_index *ix, const char *url)
{
    INDEX_NEED_DB(ix);
    ix->err.len = 0;
    if (ix->dry_run)
        return RUBRIC_OK;
    int rc = put_metadata(ix, META_BASE_URL, url ? url : "");
    if (rc != RUBRIC_OK)
        return index_error(ix, rc, "cannot record the base URL: %s", xs_db_errmsg(ix->db));
    return RUBRIC_OK;
}

unsigned rubric_shard_of(const char *path, unsigned n)
{
    return n > 1 ? (unsigned)(hash64(path, strlen(path)) % n) : 0;
}

/* Is the index IX writes in place (no rebuild) free to be shard PLACE
 * ("K/N") of SET ("": any)? An index with passages keeps its place: files
 * routed by another count would be in the wrong shards. */
static int check_shard(rubric_index *ix, const char *place, const char *set)
{
    if (xs_db_doccount(ix->db) == 0)
        return RUBRIC_OK;
    char *have = NULL, *have_set = NULL;
    size_t len = 0;
    int rc = xs_status(xs_db_get_metadata(ix->db, META_SHARD, &have, &len));
    if (rc == RUBRIC_OK)
        rc = xs_status(xs_db_get_metadata(ix->db, META_SET, &have_set, &len));
    if (rc != RUBRIC_OK)
        rc = index_error(ix, rc, "cannot read the index's place: %s", xs_db_errmsg(ix->db));
    else if (!have)
        rc = index_error(ix, RUBRIC_EINVAL, "index '%s' was built as one index, not as shard "
                         "%s: --rebuild makes it one", ix->dir, place);
    else if (strcmp(have, place) != 0)
        rc = index_error(ix, RUBRIC_EINVAL, "index '%s' was built as shard %s, not %s: a new "
                         "count of shards needs a --rebuild of every shard", ix->dir, have, place);
    else if (*set && have_set && strcmp(have_set, set) != 0)
        rc = index_error(ix, RUBRIC_EINVAL, "index '%s' is shard %s of set '%s', not of '%s'",
                         ix->dir, have, have_set, set);
    free(have);
    free(have_set);
    return rc;
}

int rubric_index_set_shard(rubric_index *ix, unsigned k, unsigned n, const char *set)
{
    INDEX_NEED_DB(ix);
    ix->err.len = 0;
    if (n < 1 || n > RUBRIC_SHARDS_MAX || k >= n)
        return index_error(ix, RUBRIC_EINVAL, "shard %u of %u: there is no such shard (at most "
                           "%d shards, counted from 0)", k, n, RUBRIC_SHARDS_MAX);
    char place[32];
    snprintf(place, sizeof place, "%u/%u", k, n);
    set = set ? set : "";
    int rc = ix->fresh ? RUBRIC_OK : check_shard(ix, place, set);
    if (rc != RUBRIC_OK)
        return rc;
    ix->shard_k = k;
    ix->shard_n = n;
    ix->in_set = *set != '\0';
    if (ix->dry_run)
        return RUBRIC_OK;
    rc = put_metadata(ix, META_SHARD, place);
    if (rc == RUBRIC_OK && *set)
        rc = put_metadata(ix, META_SET, set);
    return rc == RUBRIC_OK ? RUBRIC_OK
                           : index_error(ix, rc, "cannot record the shard: %s", xs_db_errmsg(ix->db));
}

void rubric_index_set_max_file_size(rubric_index *ix, size_t bytes)
{
    ix->max_file_size = bytes ? bytes : RUBRIC_FILE_MAX_DEFAULT;
}
