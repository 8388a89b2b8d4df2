/* index_pool.c: many files on threads (a pipeline, or shards of a fresh build), and the choice of way. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store/shim.h"

/* Files in flight at most per worker: bounds memory whatever the corpus. */
#define JOBS_PER_WORKER 8
/* Passages a part of a fresh build holds before its worker starts another:
 * writing into a database costs more the larger it grows (each commit
 * rewrites more of its tables), so parts are kept to the size at which a
 * build still grows linearly (the Python docs copied 10 times: 2 parts of
 * 92,000 passages), and merged once at the end. */
#define PART_PASSAGES 100000

/* The files given to rubric_index_add_many(), and whom to tell. */
typedef struct batch {
    const char *const *paths;
    const char *const *rels;  /* may be NULL */
    size_t n;
    rubric_add_fn done;       /* may be NULL */
    void *ctx;
} batch;

static const char *rel_of(const batch *b, size_t i)
{
    return b->rels ? b->rels[i] : NULL;
}

/* Tell the caller what became of file I; nonzero: the caller's stop. */
static int report(const batch *b, size_t i, int rc, int what, size_t npassages)
{
    return b->done ? b->done(b->ctx, i, rc, what, npassages) : 0;
}

/* Write file I, whose job J is built, on this thread; report it and clear J.
 * Returns the caller's stop, or 0. */
static int write_one(rubric_index *ix, const batch *b, size_t i, job *j)
{
    int rc = job_write(ix, j), what = 0;
    size_t np = 0;
    job_outcome(j, rc, &what, &np);
    int stop = report(b, i, rc, what, np);
    job_clear(j);
    return stop;
}

/* One thread: each file in turn, as rubric_index_add() does it. */
static int add_serial(rubric_index *ix, const batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        int what = 0;
        size_t np = 0;
        int rc = rubric_index_add(ix, b->paths[i], rel_of(b, i), &what, &np);
        int stop = report(b, i, rc, what, np);
        if (stop)
            return stop;
    }
    return RUBRIC_OK;
}

/* ------------------------------------------------------------ pipeline */

/* Workers read, parse and analyse files into a ring of jobs; this thread
 * looks them up (it reads the manifest) and writes them, in file order. */
typedef struct pool {
    rubric_index *ix;
    job *jobs;            /* a ring of WINDOW slots */
    size_t window;
    size_t n;             /* files in all */
    size_t next;          /* the next file a worker takes */
    size_t written;       /* files written so far (all below are free slots) */
    size_t looked;        /* files looked up so far */
    char *ready;          /* per slot: built */
    int stop;
    struct worker *workers;
    unsigned nworkers, started;
    int locks;            /* lock and wake are initialised */
    pthread_mutex_t lock;
    pthread_cond_t wake;  /* a slot became ready, or room opened */
} pool;

typedef struct worker {
    pool *p;
    rubric_analyzer *an;
    pthread_t thread;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
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
        job_build(w->an, p->ix->plain, p->ix->dry_run, j);
        job_count_built(p->ix, j);
        pthread_mutex_lock(&p->lock);
        p->ready[i % p->window] = 1;
        pthread_cond_broadcast(&p->wake);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Set P up for B on NWORKERS workers, and look up the first window's files. */
static int pool_open(pool *p, rubric_index *ix, const batch *b, unsigned nworkers)
{
    memset(p, 0, sizeof *p);
    p->ix = ix;
    p->n = b->n;
    p->window = (size_t)nworkers * JOBS_PER_WORKER;
    p->nworkers = nworkers;
    p->jobs = calloc(p->window, sizeof *p->jobs);
    p->ready = calloc(p->window, 1);
    p->workers = calloc(nworkers, sizeof *p->workers);
    if (!p->jobs || !p->ready || !p->workers)
        return index_error(ix, RUBRIC_ENOMEM, "out of memory");
    for (unsigned w = 0; w < nworkers; w++) {
        p->workers[w].p = p;
        if (rubric_analyzer_new(rubric_analyzer_lang(ix->an), &p->workers[w].an) != RUBRIC_OK)
            return index_error(ix, RUBRIC_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->locks = 1;
    for (; p->looked < b->n && p->looked < p->window; p->looked++)
        job_lookup(ix, &p->jobs[p->looked], b->paths[p->looked], rel_of(b, p->looked));
    return RUBRIC_OK;
}

/* Start the workers; a pool runs with as many as could be started. */
static int pool_start(pool *p)
{
    for (; p->started < p->nworkers; p->started++)
        if (pthread_create(&p->workers[p->started].thread, NULL, work,
                           &p->workers[p->started]) != 0)
            break;
    return p->started ? RUBRIC_OK : index_error(p->ix, RUBRIC_EINTERNAL, "cannot start a thread");
}

/* Write the files in order as they are built, looking up the next in each
 * slot written. Returns the caller's stop, or 0. */
static int pool_write(pool *p, const batch *b)
{
    int stop = 0;
    for (size_t i = 0; i < b->n && !stop; i++) {
        size_t slot = i % p->window;
        pthread_mutex_lock(&p->lock);
        while (!p->ready[slot])
            pthread_cond_wait(&p->wake, &p->lock);
        pthread_mutex_unlock(&p->lock);
        job *j = &p->jobs[slot];
        stop = write_one(p->ix, b, i, j);
        if (p->looked < b->n) {
            job_lookup(p->ix, j, b->paths[p->looked], rel_of(b, p->looked));
            p->looked++;
        }
        pthread_mutex_lock(&p->lock);
        p->ready[slot] = 0;
        p->written = i + 1;
        if (stop)
            p->stop = 1;
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }
    return stop;
}

/* Stop and join the workers, and free what P holds. */
static void pool_close(pool *p)
{
    if (p->locks) {
        pthread_mutex_lock(&p->lock);
        p->stop = 1;
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }
    for (unsigned w = 0; w < p->started; w++)
        pthread_join(p->workers[w].thread, NULL);
    if (p->locks) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
    }
    for (size_t k = 0; p->jobs && k < p->window; k++)
        job_clear(&p->jobs[k]);
    for (unsigned w = 0; p->workers && w < p->nworkers; w++)
        rubric_analyzer_free(p->workers[w].an);
    free(p->workers);
    free(p->jobs);
    free(p->ready);
}

static int add_pipelined(rubric_index *ix, const batch *b, unsigned workers)
{
    pool p;
    int rc = pool_open(&p, ix, b, workers);
    if (rc == RUBRIC_OK)
        rc = pool_start(&p);
    if (rc == RUBRIC_OK)
        rc = pool_write(&p, b);
    pool_close(&p);
    return rc;
}

/* -------------------------------------------------------------- shards */

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
    xs_db *db;              /* the part it writes, the last of parts */
    xs_db **parts;          /* its parts in order, handed to the index at
                               the end (sharded_close) */
    size_t nparts, capparts;
    size_t in_part;         /* passages written into db */
    pthread_t thread;
    int finished;
} shard_run;

typedef struct sharded {
    rubric_index *ix;
    job *jobs;              /* one per file */
    char *ready;            /* per file: built and written */
    shard_run *runs;
    unsigned nruns, started;
    size_t named;           /* parts opened: each is named by its number */
    int stop;
    int locks;              /* lock and wake are initialised */
    pthread_mutex_t lock;   /* also guards ix->broken while the runs run */
    pthread_cond_t wake;
} sharded;

static int part_open(shard_run *s, char **why);

/* Write J's documents into shard S, then free them. */
static void shard_write(shard_run *s, job *j)
{
    int rc = XS_OK;
    if (j->done || j->touch)
        return;
    size_t full = s->all->ix->part_passages ? s->all->ix->part_passages : PART_PASSAGES;
    if (s->in_part >= full) {
        /* This part is full: its buffer written out, it waits for the merge. */
        char *why = NULL;
        int opened = RUBRIC_OK;
        rc = xs_db_commit(s->db);
        if (rc != XS_OK)
            why = xasprintf("cannot write to the index (adding '%s'): %s", j->path,
                            xs_db_errmsg(s->db));
        pthread_mutex_lock(&s->all->lock);
        if (rc == XS_OK)
            opened = part_open(s, &why);
        else
            s->all->ix->broken = 1;
        pthread_mutex_unlock(&s->all->lock);
        if (rc != XS_OK || opened != RUBRIC_OK) {
            job_free_docs(j);
            j->written = 1;
            job_fail(j, rc != XS_OK ? xs_status(rc) : opened, why);
            return;
        }
    }
    for (int more = 1; more > 0 && rc == XS_OK;) {
        for (size_t i = 0; i < j->n && rc == XS_OK; i++, s->in_part++)
            rc = xs_db_add(s->db, j->docs[i]);
        if (rc == XS_OK && (more = job_next_batch(s->an, j)) < 0) {
            pthread_mutex_lock(&s->all->lock);
            s->all->ix->broken = 1;
            pthread_mutex_unlock(&s->all->lock);
            return;
        }
    }
    job_free_docs(j);
    j->written = 1;
    if (rc != XS_OK) {
        job_fail(j, xs_status(rc), xasprintf("cannot write to the index (adding '%s'): %s", j->path,
                                             xs_db_errmsg(s->db)));
        pthread_mutex_lock(&s->all->lock);
        s->all->ix->broken = 1;
        pthread_mutex_unlock(&s->all->lock);
    }
}

static void *shard_work(void *arg)
{
    shard_run *s = arg;
    sharded *all = s->all;
    for (size_t i = s->from; i < s->to; i++) {
        pthread_mutex_lock(&all->lock);
        int stop = all->stop;
        pthread_mutex_unlock(&all->lock);
        if (stop)
            break;
        job_build(s->an, all->ix->plain, 0, &all->jobs[i]);
        job_count_built(all->ix, &all->jobs[i]);
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

/* Open a new part for run S to write into, named by the next number of
 * the build's parts: 0, or a status with the reason in *WHY (malloc'd), the
 * fresh build then broken. Once the runs have started, under ALL's lock. */
static int part_open(shard_run *s, char **why)
{
    rubric_index *ix = s->all->ix;
    char *path = index_shard_path(ix, ix->nshards + s->all->named), *msg = NULL;
    xs_db *db = NULL;
    int rc = path ? RUBRIC_OK : RUBRIC_ENOMEM;
    if (rc == RUBRIC_OK && GROW(s->parts, s->nparts, s->capparts) < 0)
        rc = RUBRIC_ENOMEM;
    if (rc == RUBRIC_OK && (rc = xs_status(xs_db_open_fresh(path, &db, &msg))) == RUBRIC_OK) {
        s->all->named++;
        s->parts[s->nparts++] = s->db = db;
        s->in_part = 0;
    } else {
        *why = xasprintf("cannot create '%s': %s", path ? path : ix->fresh,
                         msg ? msg : rubric_strerror(rc));
        ix->broken = 1;
    }
    free(path);
    free(msg);
    return rc;
}

/* Open run S's first part and its analyzer. */
static int shard_open(rubric_index *ix, shard_run *s)
{
    char *why = NULL;
    int rc = rubric_analyzer_new(rubric_analyzer_lang(ix->an), &s->an);
    if (rc != RUBRIC_OK)
        return index_error(ix, rc, "out of memory");
    if ((rc = part_open(s, &why)) != RUBRIC_OK)
        index_error(ix, rc, "%s", why ? why : "out of memory");
    free(why);
    return rc;
}

/* Set ALL up for B on NRUNS runs: every file looked up (stat() only: a fresh
 * build has no manifest), for the sizes the runs are cut by, and a shard
 * opened for each run. */
static int sharded_open(sharded *all, rubric_index *ix, const batch *b, unsigned nruns)
{
    memset(all, 0, sizeof *all);
    all->ix = ix;
    all->nruns = nruns;
    all->jobs = calloc(b->n, sizeof *all->jobs);
    all->ready = calloc(b->n, 1);
    all->runs = calloc(nruns, sizeof *all->runs);
    if (!all->jobs || !all->ready || !all->runs)
        return index_error(ix, RUBRIC_ENOMEM, "out of memory");
    for (size_t i = 0; i < b->n; i++)
        job_lookup(ix, &all->jobs[i], b->paths[i], rel_of(b, i));
    cut_runs(all->jobs, b->n, all->runs, nruns);
    for (unsigned k = 0; k < nruns; k++) {
        all->runs[k].all = all;
        int rc = shard_open(ix, &all->runs[k]);
        if (rc != RUBRIC_OK)
            return rc;
    }
    pthread_mutex_init(&all->lock, NULL);
    pthread_cond_init(&all->wake, NULL);
    all->locks = 1;
    return RUBRIC_OK;
}

/* Start a thread per run; a run left without one leaves the build broken. */
static int sharded_start(sharded *all)
{
    for (; all->started < all->nruns; all->started++)
        if (pthread_create(&all->runs[all->started].thread, NULL, shard_work,
                           &all->runs[all->started]) != 0)
            break;
    if (all->started == all->nruns)
        return RUBRIC_OK;
    pthread_mutex_lock(&all->lock);
    all->ix->broken = 1;
    pthread_mutex_unlock(&all->lock);
    return index_error(all->ix, RUBRIC_EINTERNAL, "cannot start a thread");
}

/* Write the files' manifest entries and report them, in order, as the runs
 * finish them. Returns the caller's stop, or 0. */
static int sharded_write(sharded *all, const batch *b)
{
    int stop = 0;
    for (size_t i = 0, k = 0; i < b->n && !stop; i++) {
        while (i >= all->runs[k].to)
            k++;
        pthread_mutex_lock(&all->lock);
        while (!all->ready[i] && !all->runs[k].finished)
            pthread_cond_wait(&all->wake, &all->lock);
        int ready = all->ready[i];
        pthread_mutex_unlock(&all->lock);
        if (!ready)
            break;  /* the run stopped short */
        stop = write_one(all->ix, b, i, &all->jobs[i]);
    }
    return stop;
}

/* Stop and join the runs, and free what ALL holds (the shards stay the
 * index's). */
static void sharded_close(sharded *all, size_t n)
{
    if (all->locks) {
        pthread_mutex_lock(&all->lock);
        all->stop = 1;
        pthread_mutex_unlock(&all->lock);
    }
    for (unsigned k = 0; k < all->started; k++)
        pthread_join(all->runs[k].thread, NULL);
    /* The parts, in the order of their files: the runs' in turn. */
    for (unsigned k = 0; all->runs && k < all->nruns; k++) {
        shard_run *s = &all->runs[k];
        for (size_t i = 0; i < s->nparts; i++) {
            if (GROW(all->ix->shards, all->ix->nshards, all->ix->capshards) < 0) {
                xs_db_close(s->parts[i]);  /* its passages are lost: */
                all->ix->broken = 1;       /* the build is not published */
                continue;
            }
            all->ix->shards[all->ix->nshards++] = s->parts[i];
        }
        free(s->parts);
    }
    if (all->locks) {
        pthread_cond_destroy(&all->wake);
        pthread_mutex_destroy(&all->lock);
    }
    for (size_t i = 0; all->jobs && i < n; i++)
        job_clear(&all->jobs[i]);
    for (unsigned k = 0; all->runs && k < all->nruns; k++)
        rubric_analyzer_free(all->runs[k].an);
    free(all->jobs);
    free(all->ready);
    free(all->runs);
}

static int add_sharded(rubric_index *ix, const batch *b, unsigned workers)
{
    sharded all;
    int rc = sharded_open(&all, ix, b, workers > b->n ? (unsigned)b->n : workers);
    if (rc == RUBRIC_OK)
        rc = sharded_start(&all);
    if (rc == RUBRIC_OK)
        rc = sharded_write(&all, b);
    sharded_close(&all, b->n);
    return rc;
}

/* ------------------------------------------------------------- choice */

int rubric_index_add_many(rubric_index *ix, const char *const *paths, const char *const *rels,
                          size_t n, unsigned workers, rubric_add_fn done, void *ctx)
{
    INDEX_NEED_DB(ix);
    atomic_store(&ix->built_files, 0);
    atomic_store(&ix->built_bytes, 0);
    atomic_store(&ix->built_passages, 0);
    batch b = {paths, rels, n, done, ctx};
    if (workers < 1)
        workers = 1;
    if (workers == 1 || n < 2)
        return add_serial(ix, &b);
    /* A fresh build holds nothing to look up or replace: each thread writes
     * its own shard. Otherwise one thread writes the one database. */
    return ix->fresh ? add_sharded(ix, &b, workers) : add_pipelined(ix, &b, workers);
}
