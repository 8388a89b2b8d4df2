/* index_pool.c: many files on threads: a pipeline, or shards of a fresh build; and the choice. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store/shim.h"

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
        job_build(w->an, p->ix->plain, p->ix->dry_run, j);
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
        job_build(s->an, all->ix->plain, 0, &all->jobs[i]);
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
        index_error(ix, rc, "out of memory");
        goto out;
    }
    /* The look-ups first (stat() only: a fresh build has no manifest), for
     * the sizes the runs are cut by. */
    for (size_t i = 0; i < n; i++)
        job_lookup(ix, &all.jobs[i], paths[i], rels ? rels[i] : NULL);
    cut_runs(all.jobs, n, runs, workers);
    for (unsigned k = 0; k < workers; k++) {
        char *path = index_shard_path(ix, ix->nshards), *msg = NULL;
        runs[k].all = &all;
        rc = path ? rubric_analyzer_new(rubric_analyzer_lang(ix->an), &runs[k].an) : RUBRIC_ENOMEM;
        if (rc == RUBRIC_OK && (rc = xs_status(xs_db_open_fresh(path, &runs[k].db, &msg))) == RUBRIC_OK)
            ix->shards[ix->nshards++] = runs[k].db;
        if (rc != RUBRIC_OK)
            index_error(ix, rc, "cannot create '%s': %s", path ? path : ix->fresh,
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
    rc = started == workers ? RUBRIC_OK : index_error(ix, RUBRIC_EINTERNAL, "cannot start a thread");
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
        int frc = job_write(ix, j), what = 0;
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
    INDEX_NEED_DB(ix);
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
        job_lookup(ix, &p.jobs[looked], paths[looked], rels ? rels[looked] : NULL);
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
        int frc = job_write(ix, j), what = 0;
        size_t np = 0;
        job_outcome(j, frc, &what, &np);
        int stop = done ? done(ctx, i, frc, what, np) : 0;
        job_clear(j);
        if (looked < n)
            job_lookup(ix, j, paths[looked], rels ? rels[looked] : NULL), looked++;
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

