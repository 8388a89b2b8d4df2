/* index.c: files into the index, and a run's changes published by one commit.
 *
 * The format of what is written is layout.c's. Everything one run writes is
 * published by a single commit. A first build or a rebuild is written beside
 * the live index (DIR.rebuild; with a shard per thread under it when
 * add_many() runs several), then merged and compacted (compact_fresh()) and
 * swapped in (publish()).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"
#include "store/shim.h"

struct rubric_index {
    xs_db *db;       /* where this run writes */
    xs_db *live;     /* a rebuild: the live index, held for its lock */
    char *dir;       /* the index as readers name it */
    char *fresh;     /* a rebuild: where the new index is built */
    int dry_run;
    int dirty;       /* something changed since the last commit */
    rubric_analyzer *an;
    buf err;
    buf notes;       /* what the last file's reader skipped */
    int plain;       /* boilerplate detection off */
    hashset seen;    /* the paths given to add_file since open */
    xs_db **shards;  /* a fresh build on threads: its shards, in file order */
    size_t nshards;
    int broken;      /* a shard could not be written: no publishing */
};

/* Remember that PATH was given to add_file in this session. */
static int see(rubric_index *ix, const char *path)
{
    return hashset_add(&ix->seen, hash64(path, strlen(path)));
}

static int seen(const rubric_index *ix, const char *path)
{
    return hashset_has(&ix->seen, hash64(path, strlen(path)));
}

static int set_err(rubric_index *ix, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int set_err(rubric_index *ix, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[512];
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    ix->err.len = 0;
    buf_adds(&ix->err, tmp);
    return code;
}

/* A commit that failed part-way may have closed the database: then only
 * rubric_index_close() is left to call. */
#define NEED_DB(ix)                                                                     \
    do {                                                                                \
        if (!(ix)->db)                                                                  \
            return set_err((ix), RUBRIC_ENODB, "the index was closed by a failed commit"); \
    } while (0)

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

int rubric_index_open_with(const char *dir, const char *lang, int flags, rubric_index **out,
                           char **errmsg)
{
    *out = NULL;
    if (errmsg)
        *errmsg = NULL;
    rubric_index *ix = calloc(1, sizeof *ix);
    if (!ix || !(ix->dir = xstrdup(dir))) {
        free(ix);
        return RUBRIC_ENOMEM;
    }
    ix->dry_run = (flags & RUBRIC_OPEN_DRY_RUN) != 0;
    char *msg = NULL;
    struct stat st;
    /* A first build is built as a rebuild is, beside an empty index that
     * holds the lock: it then flushes as it goes, in bounded memory, and
     * appears at once when done. */
    if (!ix->dry_run && stat(dir, &st) < 0 && errno == ENOENT)
        flags |= RUBRIC_OPEN_REBUILD;
    int rc = ix->dry_run && stat(dir, &st) < 0 && errno == ENOENT
                 ? xs_status(xs_db_open_memory(&ix->db, &msg)) /* a dry run creates nothing */
                 : xs_status(xs_db_open_write(dir, &ix->db, &msg));
    if (rc != RUBRIC_OK) {
        if (errmsg)
            *errmsg = rc == RUBRIC_ELOCKED ? xstrdup("index is locked by another indexer") : msg;
        if (rc == RUBRIC_ELOCKED)
            free(msg);
        free(ix->dir);
        free(ix);
        return rc;
    }
    char *have = NULL;
    size_t havelen = 0;
    rc = xs_status(xs_db_get_metadata(ix->db, META_LANG, &have, &havelen));
    int rebuild = (flags & RUBRIC_OPEN_REBUILD) && !ix->dry_run;
    if (rc == RUBRIC_OK && have && lang && strcmp(have, lang) != 0 && !rebuild &&
        xs_db_doccount(ix->db) > 0) {
        if (errmsg)
            *errmsg = xasprintf("index '%s' was built for language '%s', not '%s'; rebuild it "
                                "(--rebuild) to change language",
                                dir, have, lang);
        rc = RUBRIC_EINVAL;
    }
    if (rc == RUBRIC_OK && !rebuild && !ix->dry_run) {
        /* Holding the lock, no rebuild is running: a scratch copy left by one
         * that died is removed. */
        char *scratch = xasprintf("%s.rebuild", dir);
        if (scratch)
            remove_tree(scratch);
        free(scratch);
    }
    if (rc == RUBRIC_OK && rebuild) {
        /* Build beside the live index, holding its lock all along, so that
         * no other indexer writes to what is about to be replaced. A scratch
         * directory left by a rebuild that died is ours to replace. */
        ix->live = ix->db;
        ix->db = NULL;
        ix->fresh = xasprintf("%s.rebuild", dir);
        if (!ix->fresh)
            rc = RUBRIC_ENOMEM;
        else if (remove_tree(ix->fresh) != 0 ||
                 (rc = xs_status(xs_db_open_fresh(ix->fresh, &ix->db, &msg))) != RUBRIC_OK) {
            if (errmsg)
                *errmsg = xasprintf("cannot create '%s': %s", ix->fresh, msg ? msg : strerror(errno));
            free(msg);
            rc = rc == RUBRIC_OK ? RUBRIC_ENODB : rc;
        }
        ix->dirty = 1;
        /* The new index keeps the live one's base URL unless told another. */
        char *base = NULL;
        size_t blen = 0;
        if (rc == RUBRIC_OK && xs_db_get_metadata(ix->live, META_BASE_URL, &base, &blen) == XS_OK &&
            base)
            rc = put_metadata(ix, META_BASE_URL, base);
        free(base);
    }
    if (rc == RUBRIC_OK) {
        const char *use = lang ? lang : have ? have : "english";
        rc = rubric_analyzer_new(use, &ix->an);
        if (rc == RUBRIC_EINVAL && errmsg)
            *errmsg = xasprintf("unknown language '%s'", use);
        if (rc == RUBRIC_OK && !ix->dry_run)
            rc = put_metadata(ix, META_LANG, use);
    }
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
    ix->nshards = 0;
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
static char *shard_path(const rubric_index *ix, size_t k)
{
    return xasprintf("%s/shard-%zu", ix->fresh, k);
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
        return set_err(ix, RUBRIC_ENODB, "the new index is incomplete: a part of it could not "
                                         "be written");
    size_t n = 1 + ix->nshards;
    const char **src = calloc(n, sizeof *src);
    int rc = src ? RUBRIC_OK : set_err(ix, RUBRIC_ENOMEM, "out of memory");
    if (rc == RUBRIC_OK)
        src[0] = ix->fresh;
    for (size_t k = 0; k < ix->nshards && rc == RUBRIC_OK; k++) {
        if (xs_db_commit(ix->shards[k]) != XS_OK)
            rc = set_err(ix, RUBRIC_ENODB, "cannot write the new index: %s",
                         xs_db_errmsg(ix->shards[k]));
        else if (!(src[k + 1] = shard_path(ix, k)))
            rc = set_err(ix, RUBRIC_ENOMEM, "out of memory");
    }
    close_shards(ix);
    xs_db_close(ix->db);
    ix->db = NULL;
    char *dest = rc == RUBRIC_OK ? xasprintf("%s/index", ix->fresh) : NULL;
    char *msg = NULL;
    if (rc == RUBRIC_OK && !dest)
        rc = set_err(ix, RUBRIC_ENOMEM, "out of memory");
    else if (rc == RUBRIC_OK && xs_db_compact(src, n, dest, &msg) != XS_OK)
        rc = set_err(ix, RUBRIC_ENODB, "cannot compact the new index into '%s': %s", dest,
                     msg ? msg : "");
    free(msg);
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
        rc = set_err(ix, RUBRIC_ENODB, "cannot sync '%s': %s", ready, strerror(errno));
    else if (exchange_paths(ready, ix->dir) != 0)
        rc = set_err(ix, RUBRIC_ENODB, "cannot put '%s' in place of '%s': %s", ready, ix->dir,
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
        set_err(ix, rc, "cannot reopen '%s': %s", ix->dir, msg ? msg : "");
    free(msg);
    return rc;
}

int rubric_index_commit(rubric_index *ix)
{
    NEED_DB(ix);
    ix->err.len = 0;
    /* A run that changed nothing writes nothing: the revision stays. */
    if (ix->dry_run || !ix->dirty)
        return RUBRIC_OK;
    /* The revision counts commits of this index across rebuilds: a rebuild
     * carries on from the live index's. */
    int rc = layout_stamp(ix->db, rubric_index_revision(ix) + 1);
    if (rc == RUBRIC_OK)
        rc = xs_status(xs_db_commit(ix->db));
    if (rc != RUBRIC_OK)
        return set_err(ix, rc, "cannot commit the index: %s", xs_db_errmsg(ix->db));
    ix->dirty = 0;
    return ix->fresh ? publish(ix) : RUBRIC_OK;
}

unsigned long rubric_index_revision(rubric_index *ix)
{
    xs_db *db = ix->fresh ? ix->live : ix->db;
    return db ? layout_revision(db) : 0;
}

int rubric_index_remove_file(rubric_index *ix, const char *path)
{
    NEED_DB(ix);
    ix->err.len = 0;
    if (ix->dry_run)
        return RUBRIC_OK;
    ix->dirty = 1;
    buf term = {0};
    int rc = RUBRIC_ENOMEM;
    if (layout_file_term(PREFIX_FILE, path, &term) == 0)
        rc = xs_status(xs_db_delete_term(ix->db, term.data));
    if (rc == RUBRIC_OK)
        rc = layout_manifest_remove(ix->db, path);
    buf_free(&term);
    if (rc != RUBRIC_OK)
        return set_err(ix, rc, "cannot remove '%s': %s", path, xs_db_errmsg(ix->db));
    return RUBRIC_OK;
}

int rubric_index_add_file(rubric_index *ix, const char *path, int *what, size_t *npassages)
{
    return rubric_index_add(ix, path, NULL, what, npassages);
}

void rubric_index_set_boilerplate_detection(rubric_index *ix, int on)
{
    ix->plain = !on;
}

int rubric_index_set_base_url(rubric_index *ix, const char *url)
{
    NEED_DB(ix);
    ix->err.len = 0;
    if (ix->dry_run)
        return RUBRIC_OK;
    int rc = put_metadata(ix, META_BASE_URL, url ? url : "");
    if (rc != RUBRIC_OK)
        return set_err(ix, rc, "cannot record the base URL: %s", xs_db_errmsg(ix->db));
    return RUBRIC_OK;
}

/* One file on its way into the index: looked up in the manifest (stage 1,
 * the writer's thread), read, parsed and turned into documents (stage 2, any
 * thread), written (stage 3, the writer's thread). */
typedef struct job {
    char *path, *rel;
    layout_manifest_entry old, now;
    int known;
    int done;          /* stage 1 settled it: unchanged, or an error */
    int rc;            /* its status, once settled */
    char *msg;         /* the error's message (stages 1 and 2) */
    int touch;         /* content unchanged: only its times are recorded */
    int what, excluded;
    char *notes;
    char *fileterm;
    xs_doc **docs;     /* its passages' documents, and their id terms */
    char **ids;
    size_t n;
    int written;       /* the documents went to a shard already (and are freed) */
} job;

/* Free J's documents and id terms (the count stays). */
static void job_free_docs(job *j)
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

static void job_clear(job *j)
{
    job_free_docs(j);
    free(j->path);
    free(j->rel);
    free(j->msg);
    free(j->notes);
    free(j->fileterm);
    memset(j, 0, sizeof *j);
}

/* What J's outcome RC says of the file, as rubric_index_add() reports it. */
static void job_outcome(const job *j, int rc, int *what, size_t *npassages)
{
    *what = rc == RUBRIC_OK ? j->what : RUBRIC_FILE_UNCHANGED;
    *npassages = rc == RUBRIC_OK && !j->touch && j->what != RUBRIC_FILE_UNCHANGED ? j->n : 0;
}

static int job_fail(job *j, int rc, char *msg)
{
    j->rc = rc;
    j->done = 1;
    free(j->msg);
    j->msg = msg;
    return rc;
}

/* Stage 1: is PATH new, changed, or unchanged by size and time? */
static void stage_lookup(rubric_index *ix, job *j, const char *path, const char *rel)
{
    memset(j, 0, sizeof *j);
    j->path = xstrdup(path);
    j->rel = xstrdup(rel ? rel : path);
    if (!j->path || !j->rel || see(ix, path) < 0) {
        job_fail(j, RUBRIC_ENOMEM, xasprintf("out of memory indexing '%s'", path));
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

/* Stage 2: read, hash, parse and build the documents, with analyzer AN. */
static void stage_build(rubric_analyzer *an, int plain_only, int dry_run, job *j)
{
    if (j->done)
        return;
    char *data = NULL;
    size_t len = 0;
    int e = read_file(j->path, &data, &len);
    if (e) {
        job_fail(j, e == ENOMEM ? RUBRIC_ENOMEM : RUBRIC_EIO,
                 xasprintf("cannot read '%s': %s", j->path, strerror(e)));
        return;
    }
    snprintf(j->now.hash, sizeof j->now.hash, "%016" PRIx64, hash64(data, len));
    if (j->known && strcmp(j->old.hash, j->now.hash) == 0) {
        free(data);
        j->touch = 1;  /* content unchanged: only the times moved */
        j->what = RUBRIC_FILE_UNCHANGED;
        return;
    }
    rubric_doc *doc = NULL;
    char *why = NULL;
    int rc = rubric_doc_read(j->path, data, len, &doc, &why);
    free(data);
    if (rc != RUBRIC_OK) {
        job_fail(j, rc, rc == RUBRIC_EINPUT
                            ? xasprintf("'%s': %s", j->path, why ? why : "cannot be read")
                            : xasprintf("cannot index '%s': %s", j->path, rubric_strerror(rc)));
        free(why);
        return;
    }
    j->excluded = rubric_doc_excluded(doc);
    j->what = j->excluded ? RUBRIC_FILE_EXCLUDED : j->known ? RUBRIC_FILE_CHANGED : RUBRIC_FILE_ADDED;
    size_t n = rubric_doc_count(doc);
    buf term = {0}, id = {0};
    rc = RUBRIC_ENOMEM;
    if (rubric_doc_notes(doc) && !(j->notes = xstrdup(rubric_doc_notes(doc))))
        goto out;
    if (dry_run) {
        /* Only say what would happen: the file was read as a real run would. */
        rc = RUBRIC_OK;
        goto out;
    }
    if (layout_file_term(PREFIX_FILE, j->path, &term) < 0 || !(j->fileterm = xstrdup(term.data)))
        goto out;
    j->docs = calloc(n + 1, sizeof *j->docs);
    j->ids = calloc(n + 1, sizeof *j->ids);
    if (!j->docs || !j->ids)
        goto out;
    for (; j->n < n; j->n++) {
        rubric_passage p = *rubric_doc_passage(doc, j->n);
        if (plain_only)
            p.boilerplate = 0;
        if (layout_passage_doc(an, j->path, j->rel, j->fileterm, &p, &j->docs[j->n], &id) !=
                RUBRIC_OK ||
            !(j->ids[j->n] = xstrdup(id.data))) {
            xs_doc_free(j->docs[j->n]);
            goto out;
        }
    }
    rc = RUBRIC_OK;
out:
    if (rc != RUBRIC_OK)
        job_fail(j, rc, xasprintf("out of memory indexing '%s'", j->path));
    buf_free(&term);
    buf_free(&id);
    rubric_doc_free(doc);
}

/* Stage 3: write what stage 2 built. */
static int stage_write(rubric_index *ix, job *j)
{
    ix->err.len = 0;
    ix->notes.len = 0;
    if (j->msg)
        set_err(ix, j->rc, "%s", j->msg);
    if (j->done)
        return j->rc;
    if (ix->dry_run)
        goto notes;
    ix->dirty = 1;
    if (j->touch) {
        j->now.passages = j->old.passages;
        return layout_manifest_put(ix->db, j->path, &j->now) == RUBRIC_OK
                   ? RUBRIC_OK
                   : set_err(ix, RUBRIC_ENOMEM, "out of memory indexing '%s'", j->path);
    }
    /* A fresh build holds nothing yet: no passages to replace or delete, and
     * adding skips the look-up of each id. */
    int rc = ix->fresh ? RUBRIC_OK : xs_status(xs_db_delete_term(ix->db, j->fileterm));
    for (size_t i = 0; i < j->n && !j->written && rc == RUBRIC_OK; i++)
        rc = xs_status(ix->fresh ? xs_db_add(ix->db, j->docs[i])
                              : xs_db_replace(ix->db, j->ids[i], j->docs[i]));
    j->now.passages = (long long)j->n;
    if (rc == RUBRIC_OK)
        rc = layout_manifest_put(ix->db, j->path, &j->now);
    if (rc != RUBRIC_OK)
        return set_err(ix, rc, "cannot index '%s': %s", j->path, xs_db_errmsg(ix->db));
notes:
    if (j->notes && buf_adds(&ix->notes, j->notes) < 0)
        return set_err(ix, RUBRIC_ENOMEM, "out of memory indexing '%s'", j->path);
    return RUBRIC_OK;
}

int rubric_index_add(rubric_index *ix, const char *path, const char *rel, int *what,
                     size_t *npassages)
{
    if (what)
        *what = RUBRIC_FILE_UNCHANGED;
    if (npassages)
        *npassages = 0;
    NEED_DB(ix);
    job j;
    stage_lookup(ix, &j, path, rel);
    stage_build(ix->an, ix->plain, ix->dry_run, &j);
    int rc = stage_write(ix, &j), w = 0;
    size_t np = 0;
    job_outcome(&j, rc, &w, &np);
    if (what)
        *what = w;
    if (npassages)
        *npassages = np;
    job_clear(&j);
    return rc;
}

/* ------------------------------------------------------------ many files */

/* Files in flight at most per worker: bounds memory whatever the corpus. */
#define JOBS_PER_WORKER 8

typedef struct pool {
    rubric_index *ix;
    job *jobs;            /* a ring of WINDOW slots */
    size_t window;
    size_t n;             /* files in all */
    size_t next;          /* the next file a worker takes */
    size_t written;       /* files written so far (all below are free slots) */
    char *ready;          /* per slot: stage 2 done */
    int stop;
    rubric_analyzer **an; /* one per worker */
    pthread_mutex_t lock;
    pthread_cond_t wake;  /* a slot became ready, or room opened */
} pool;

typedef struct worker_arg {
    pool *p;
    rubric_analyzer *an;
} worker_arg;

static void *worker(void *arg)
{
    worker_arg *w = arg;
    pool *p = w->p;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stop && p->next < p->n && p->next >= p->written + p->window)
            pthread_cond_wait(&p->wake, &p->lock);
        if (p->stop || p->next >= p->n)
            break;
        size_t i = p->next++;
        job *j = &p->jobs[i % p->window];
        pthread_mutex_unlock(&p->lock);
        stage_build(w->an, p->ix->plain, p->ix->dry_run, j);
        pthread_mutex_lock(&p->lock);
        p->ready[i % p->window] = 1;
        pthread_cond_broadcast(&p->wake);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* A fresh build on several threads: the files are cut into as many runs of
 * consecutive files as there are workers, of about equal bytes, and each
 * worker reads, analyses and writes its run into a shard of its own, so the
 * writing too is shared out. At commit the shards are merged in order
 * (compact_fresh()), which numbers the passages as one thread would have: the
 * index is the same whatever the number of threads. Outcomes are still
 * reported, and the manifest written, in file order on this thread. */
typedef struct shard_run {
    struct sharded *all;
    size_t from, to;        /* its files */
    rubric_analyzer *an;
    xs_db *db;              /* its shard */
    int finished;
} shard_run;

typedef struct sharded {
    rubric_index *ix;
    job *jobs;              /* one per file */
    char *ready;            /* per file: built and written */
    int stop, failed;
    pthread_mutex_t lock;
    pthread_cond_t wake;
} sharded;

/* Write J's documents into shard S, then free them. */
static void shard_write(shard_run *s, job *j)
{
    int rc = XS_OK;
    if (j->done || j->touch)
        return;
    for (size_t i = 0; i < j->n && rc == XS_OK; i++)
        rc = xs_db_add(s->db, j->docs[i]);
    job_free_docs(j);
    j->written = 1;
    if (rc != XS_OK) {
        job_fail(j, xs_status(rc), xasprintf("cannot index '%s': %s", j->path, xs_db_errmsg(s->db)));
        pthread_mutex_lock(&s->all->lock);
        s->all->failed = 1;
        pthread_mutex_unlock(&s->all->lock);
    }
}

static void *shard_worker(void *arg)
{
    shard_run *s = arg;
    sharded *all = s->all;
    for (size_t i = s->from; i < s->to; i++) {
        pthread_mutex_lock(&all->lock);
        int stop = all->stop;
        pthread_mutex_unlock(&all->lock);
        if (stop)
            break;
        stage_build(s->an, all->ix->plain, 0, &all->jobs[i]);
        shard_write(s, &all->jobs[i]);
        pthread_mutex_lock(&all->lock);
        all->ready[i] = 1;
        pthread_cond_broadcast(&all->wake);
        pthread_mutex_unlock(&all->lock);
    }
    pthread_mutex_lock(&all->lock);
    s->finished = 1;
    pthread_cond_broadcast(&all->wake);
    pthread_mutex_unlock(&all->lock);
    return NULL;
}

/* Cut files [0, N) of JOBS into NRUNS runs of consecutive files, of about
 * equal bytes. */
static void cut_runs(const job *jobs, size_t n, shard_run *runs, size_t nruns)
{
    double total = 0, sum = 0;
    for (size_t i = 0; i < n; i++)
        total += (double)jobs[i].now.size + 1;
    size_t i = 0;
    for (size_t k = 0; k < nruns; k++) {
        runs[k].from = i;
        double goal = total * (double)(k + 1) / (double)nruns;
        /* A run takes files until its share of the bytes is reached (a file
         * goes to the run where most of it falls): always at least one, and
         * never so many that a later run is left with none. */
        while (i < n && (k + 1 == nruns || n - i > nruns - k - 1) &&
               (i == runs[k].from || sum + (double)jobs[i].now.size / 2 < goal))
            sum += (double)jobs[i++].now.size + 1;
        runs[k].to = i;
    }
}

static int add_sharded(rubric_index *ix, const char *const *paths, const char *const *rels,
                       size_t n, unsigned workers, rubric_add_fn done, void *ctx)
{
    if (workers > n)
        workers = (unsigned)n;
    sharded all = {0};
    all.ix = ix;
    all.jobs = calloc(n, sizeof *all.jobs);
    all.ready = calloc(n, 1);
    shard_run *runs = calloc(workers, sizeof *runs);
    pthread_t *threads = calloc(workers, sizeof *threads);
    xs_db **shards = realloc(ix->shards, (ix->nshards + workers) * sizeof *shards);
    int rc = RUBRIC_ENOMEM;
    unsigned started = 0;
    if (shards)
        ix->shards = shards;
    if (!all.jobs || !all.ready || !runs || !threads || !shards) {
        set_err(ix, rc, "out of memory");
        goto out;
    }
    /* The look-ups first (stat() only: a fresh build has no manifest), for
     * the sizes the runs are cut by. */
    for (size_t i = 0; i < n; i++)
        stage_lookup(ix, &all.jobs[i], paths[i], rels ? rels[i] : NULL);
    cut_runs(all.jobs, n, runs, workers);
    for (unsigned k = 0; k < workers; k++) {
        char *path = shard_path(ix, ix->nshards), *msg = NULL;
        runs[k].all = &all;
        rc = path ? rubric_analyzer_new(rubric_analyzer_lang(ix->an), &runs[k].an) : RUBRIC_ENOMEM;
        if (rc == RUBRIC_OK && (rc = xs_status(xs_db_open_fresh(path, &runs[k].db, &msg))) == RUBRIC_OK)
            ix->shards[ix->nshards++] = runs[k].db;
        if (rc != RUBRIC_OK)
            set_err(ix, rc, "cannot create '%s': %s", path ? path : ix->fresh,
                    msg ? msg : rubric_strerror(rc));
        free(path);
        free(msg);
        if (rc != RUBRIC_OK) {
            ix->broken = 1;
            goto out;
        }
    }
    pthread_mutex_init(&all.lock, NULL);
    pthread_cond_init(&all.wake, NULL);
    for (; started < workers; started++)
        if (pthread_create(&threads[started], NULL, shard_worker, &runs[started]) != 0)
            break;
    rc = started == workers ? RUBRIC_OK : set_err(ix, RUBRIC_EINTERNAL, "cannot start a thread");
    for (size_t i = 0, k = 0; i < n && rc == RUBRIC_OK; i++) {
        while (i >= runs[k].to)
            k++;
        pthread_mutex_lock(&all.lock);
        while (!all.ready[i] && !runs[k].finished)
            pthread_cond_wait(&all.wake, &all.lock);
        int ready = all.ready[i];
        pthread_mutex_unlock(&all.lock);
        if (!ready)
            break;  /* told to stop */
        job *j = &all.jobs[i];
        int frc = stage_write(ix, j), what = 0;
        size_t np = 0;
        job_outcome(j, frc, &what, &np);
        if (done && done(ctx, i, frc, what, np) != 0)
            rc = frc == RUBRIC_OK ? RUBRIC_EINTERNAL : frc;
        job_clear(j);
    }
    pthread_mutex_lock(&all.lock);
    all.stop = 1;
    pthread_mutex_unlock(&all.lock);
    for (unsigned k = 0; k < started; k++)
        pthread_join(threads[k], NULL);
    if (all.failed)
        ix->broken = 1;
    pthread_cond_destroy(&all.wake);
    pthread_mutex_destroy(&all.lock);
out:
    for (size_t i = 0; all.jobs && i < n; i++)
        job_clear(&all.jobs[i]);
    for (unsigned k = 0; runs && k < workers; k++)
        rubric_analyzer_free(runs[k].an);
    free(all.jobs);
    free(all.ready);
    free(runs);
    free(threads);
    return rc;
}

int rubric_index_add_many(rubric_index *ix, const char *const *paths, const char *const *rels,
                          size_t n, unsigned workers, rubric_add_fn done, void *ctx)
{
    NEED_DB(ix);
    if (workers < 1)
        workers = 1;
    if (ix->fresh && workers > 1 && n > 1)
        return add_sharded(ix, paths, rels, n, workers, done, ctx);
    if (workers == 1 || n < 2) {
        /* One thread: each file in turn, as rubric_index_add() does it. */
        for (size_t i = 0; i < n; i++) {
            int what = 0;
            size_t np = 0;
            int rc = rubric_index_add(ix, paths[i], rels ? rels[i] : NULL, &what, &np);
            if (done && done(ctx, i, rc, what, np) != 0)
                return rc == RUBRIC_OK ? RUBRIC_EINTERNAL : rc;
        }
        return RUBRIC_OK;
    }
    pool p = {0};
    p.ix = ix;
    p.n = n;
    p.window = (size_t)workers * JOBS_PER_WORKER;
    p.jobs = calloc(p.window, sizeof *p.jobs);
    p.ready = calloc(p.window, 1);
    p.an = calloc(workers, sizeof *p.an);
    worker_arg *args = calloc(workers, sizeof *args);
    pthread_t *threads = calloc(workers, sizeof *threads);
    int rc = RUBRIC_ENOMEM;
    size_t started = 0;
    if (!p.jobs || !p.ready || !p.an || !args || !threads)
        goto out;
    for (unsigned w = 0; w < workers; w++)
        if (rubric_analyzer_new(rubric_analyzer_lang(ix->an), &p.an[w]) != RUBRIC_OK)
            goto out;
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.wake, NULL);
    rc = RUBRIC_OK;
    /* Stage 1 of the first window before the workers start; later slots as
     * they free up, always on this thread (it reads the manifest). */
    size_t looked = 0;
    for (; looked < n && looked < p.window; looked++)
        stage_lookup(ix, &p.jobs[looked], paths[looked], rels ? rels[looked] : NULL);
    for (unsigned w = 0; w < workers; w++) {
        args[w].p = &p;
        args[w].an = p.an[w];
        if (pthread_create(&threads[w], NULL, worker, &args[w]) != 0)
            break;
        started++;
    }
    if (!started)
        rc = RUBRIC_EINTERNAL;
    for (size_t i = 0; i < n && rc == RUBRIC_OK; i++) {
        size_t slot = i % p.window;
        pthread_mutex_lock(&p.lock);
        while (!p.ready[slot])
            pthread_cond_wait(&p.wake, &p.lock);
        pthread_mutex_unlock(&p.lock);
        job *j = &p.jobs[slot];
        int frc = stage_write(ix, j), what = 0;
        size_t np = 0;
        job_outcome(j, frc, &what, &np);
        int stop = done ? done(ctx, i, frc, what, np) : 0;
        job_clear(j);
        if (looked < n)
            stage_lookup(ix, j, paths[looked], rels ? rels[looked] : NULL), looked++;
        pthread_mutex_lock(&p.lock);
        p.ready[slot] = 0;
        p.written = i + 1;
        if (stop)
            p.stop = 1;
        pthread_cond_broadcast(&p.wake);
        pthread_mutex_unlock(&p.lock);
        if (stop)
            rc = frc == RUBRIC_OK ? RUBRIC_EINTERNAL : frc;
    }
    pthread_mutex_lock(&p.lock);
    p.stop = 1;
    pthread_cond_broadcast(&p.wake);
    pthread_mutex_unlock(&p.lock);
    for (size_t w = 0; w < started; w++)
        pthread_join(threads[w], NULL);
    pthread_cond_destroy(&p.wake);
    pthread_mutex_destroy(&p.lock);
out:
    for (size_t k = 0; p.jobs && k < p.window; k++)
        job_clear(&p.jobs[k]);
    for (unsigned w = 0; p.an && w < workers; w++)
        rubric_analyzer_free(p.an[w]);
    free(p.an);
    free(p.jobs);
    free(p.ready);
    free(args);
    free(threads);
    return rc;
}

/* Is PATH one of ROOTS or beneath one of them? */
static int under(const char *path, const char *const *roots, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(roots[i]);
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
    if (!under(path, c->roots, c->nroots) || seen(c->ix, path))
        return RUBRIC_OK;
    if (GROW(c->paths, c->n, c->cap) < 0 || !(c->paths[c->n] = xstrdup(path)))
        return RUBRIC_ENOMEM;
    c->n++;
    return RUBRIC_OK;
}

int rubric_index_remove_missing(rubric_index *ix, const char *const *roots, size_t nroots,
                                void (*each)(void *ctx, const char *path), void *ctx,
                                size_t *removed)
{
    if (removed)
        *removed = 0;
    NEED_DB(ix);
    missing_ctx c = {ix, roots, nroots, NULL, 0, 0};
    int rc = layout_manifest_each(ix->db, find_missing, &c);
    if (rc == RUBRIC_ENOMEM)
        rc = set_err(ix, rc, "out of memory looking for removed files");
    else if (rc != RUBRIC_OK)
        rc = set_err(ix, rc, "cannot read the manifest: %s", xs_db_errmsg(ix->db));
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
