/* db.c: the read handle: open an index, follow its rebuilds and reindexes
 * (reopen), and what it records (revision, language, base URL, statistics). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"
#include "store/shim.h"

int rubric_db_set_synonyms(rubric_db *db, const char *text, size_t len, char **errmsg)
{
    synonyms *s = NULL;
    int rc = text ? synonyms_parse(db->an, text, len, &s, errmsg) : RUBRIC_OK;
    if (rc != RUBRIC_OK)
        return rc;
    synonyms_free(db->syn);
    db->syn = s;
    return RUBRIC_OK;
}

unsigned long rubric_db_revision(rubric_db *db)
{
    return layout_revision(db->db);
}

_Static_assert(sizeof ((rubric_db *)0)->id == XS_UUID_SIZE, "rubric_db's id holds a UUID");

const char *rubric_db_id(rubric_db *db)
{
    xs_db_uuid(db->db, db->id);
    if (!xs_db_is_set(db->db))
        return db->id;
    /* A set's: a digest of its databases' ids, in order. */
    uint64_t h = 0;
    char one[XS_UUID_SIZE];
    for (size_t k = 0; k < xs_db_parts(db->db); k++) {
        xs_db_uuid(xs_db_part(db->db, k), one);
        uint64_t both[2] = {h, hash64(one, strlen(one))};
        h = hash64(both, sizeof both);
    }
    snprintf(db->id, sizeof db->id, "set-%016llx", (unsigned long long)h);
    return db->id;
}

/* The time DB (a part of a set, or a whole index) was last updated, malloc'd,
 * or NULL when it records none. */
static char *updated_of(xs_db *db)
{
    char *v = NULL;
    size_t len = 0;
    if (xs_db_get_metadata(db, META_UPDATED, &v, &len) != XS_OK) {
        free(v);
        v = NULL;
    }
    return v;
}

const char *rubric_db_updated(rubric_db *db)
{
    free(db->updated);
    db->updated = NULL;
    /* A set was updated when its newest part was (the times are ISO-8601
     * UTC: they sort as text). */
    for (size_t k = 0; k < xs_db_parts(db->db); k++) {
        char *t = updated_of(xs_db_part(db->db, k));
        if (t && (!db->updated || strcmp(t, db->updated) > 0)) {
            free(db->updated);
            db->updated = t;
        } else {
            free(t);
        }
    }
    return db->updated ? db->updated : "";
}

const char *rubric_db_lang(const rubric_db *db)
{
    return rubric_analyzer_lang(db->an);
}

int rubric_db_reopen(rubric_db *db)
{
    return xs_status(xs_db_refresh(db->db));
}

static int count_file(void *ctx, const char *key, const char *val, size_t len)
{
    (void)key;
    (void)val;
    *(size_t *)ctx += len > 0;
    return 0;
}

/* Bytes in the files of DIR (a glass database is one flat directory). */
static unsigned long long dir_bytes(const char *dir)
{
    unsigned long long n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char *path = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (path && stat(path, &st) == 0 && S_ISREG(st.st_mode))
            n += (unsigned long long)st.st_size;
        free(path);
    }
    if (d)
        closedir(d);
    return n;
}

/* The figures of DB, one index. */
static int stats_of(xs_db *db, rubric_db_stats *out)
{
    memset(out, 0, sizeof *out);
    out->revision = layout_revision(db);
    out->passages = xs_db_doccount(db);
    out->folded = xs_db_termfreq(db, TERM_FOLDED, strlen(TERM_FOLDED));
    if (xs_db_metadata(db, META_FILE, count_file, &out->files) != XS_OK)
        return RUBRIC_ENODB;
    out->bytes = dir_bytes(xs_db_path(db));
    return RUBRIC_OK;
}

int rubric_db_stats_get(rubric_db *db, rubric_db_stats *out)
{
    memset(out, 0, sizeof *out);
    for (size_t k = 0; k < xs_db_parts(db->db); k++) {
        rubric_db_stats one;
        int rc = stats_of(xs_db_part(db->db, k), &one);
        if (rc != RUBRIC_OK)
            return rc;
        out->revision += one.revision;
        out->files += one.files;
        out->passages += one.passages;
        out->bytes += one.bytes;
        out->folded += one.folded;
    }
    return RUBRIC_OK;
}

size_t rubric_db_missing(const rubric_db *db)
{
    return xs_db_missing(db->db);
}

const char *rubric_db_missing_shard(const rubric_db *db, size_t k)
{
    return k < xs_db_missing(db->db) ? xs_db_missing_name(db->db, k) : NULL;
}

size_t rubric_db_shards(const rubric_db *db)
{
    return xs_db_parts(db->db);
}

int rubric_db_shard_stats(rubric_db *db, size_t k, rubric_db_stats *out, const char **path)
{
    if (k >= rubric_db_shards(db))
        return RUBRIC_EINVAL;
    xs_db *part = xs_db_part(db->db, k);
    if (path)
        *path = xs_db_path(part);
    return stats_of(part, out);
}

const char *rubric_db_base_url(const rubric_db *db)
{
    return db->base_url ? db->base_url : "";
}

/* Metadata KEY of DB into *OUT (malloc'd, NULL when absent): for a set, the
 * value every part holds, or RUBRIC_ENODB with a message (in *ERRMSG) naming
 * two parts that disagree on WHAT. */
static int agreed_metadata(xs_db *db, const char *key, const char *what, char **out, char **errmsg)
{
    size_t len = 0;
    *out = NULL;
    for (size_t k = 0; k < xs_db_parts(db); k++) {
        char *v = NULL;
        int rc = xs_status(xs_db_get_metadata(xs_db_part(db, k), key, &v, &len));
        if (rc == RUBRIC_OK && k > 0 && (v ? !*out || strcmp(v, *out) : *out != NULL)) {
            if (errmsg)
                *errmsg = xasprintf("the shards disagree on their %s: '%s' has '%s', '%s' has '%s'",
                                    what, xs_db_path(xs_db_part(db, 0)), *out ? *out : "",
                                    xs_db_path(xs_db_part(db, k)), v ? v : "");
            rc = RUBRIC_ENODB;
        }
        if (rc != RUBRIC_OK) {
            free(v);
            free(*out);
            *out = NULL;
            return rc;
        }
        if (k == 0)
            *out = v;
        else
            free(v);
    }
    return RUBRIC_OK;
}

/* A set whose indexes are all shards of one set (one id) must hold each of
 * its shards once: a stub that lost a line, or names a shard twice, would
 * search some files twice or not at all. RUBRIC_ENODB with a message when it
 * does not. Indexes of different sets, or not shards, may be searched
 * together. */
static int check_shards(xs_db *db, char **errmsg)
{
    size_t n = xs_db_parts(db);
    unsigned char seen[RUBRIC_SHARDS_MAX] = {0};
    char *set = NULL, *msg = NULL;
    unsigned count = 0;
    int one_set = xs_db_is_set(db);
    for (size_t k = 0; k < n && one_set && !msg; k++) {
        xs_db *part = xs_db_part(db, k);
        char *place = NULL, *id = NULL;
        size_t len = 0;
        unsigned sk = 0, sn = 0;
        xs_db_get_metadata(part, META_SHARD, &place, &len);
        xs_db_get_metadata(part, META_SET, &id, &len);
        one_set = place && id && sscanf(place, "%u/%u", &sk, &sn) == 2 && sk < sn &&
                  sn <= RUBRIC_SHARDS_MAX && (k == 0 || (strcmp(id, set) == 0 && sn == count));
        if (one_set && k == 0) {
            set = id;
            id = NULL;
            count = sn;
        }
        if (one_set && seen[sk]++)
            msg = xasprintf("'%s' is shard %s of its set, as another of the set's indexes is",
                            xs_db_path(part), place);
        free(place);
        free(id);
    }
    /* Left out on purpose (rubric_open_opts.partial), shards are missing. */
    if (one_set && !msg && n != count && !xs_db_missing(db))
        for (unsigned k = 0; k < count && !msg; k++)
            if (!seen[k])
                msg = xasprintf("shard %u/%u of the set is missing (%zu of its %u shards named)",
                                k, count, n, count);
    free(set);
    if (!msg)
        return RUBRIC_OK;
    if (errmsg)
        *errmsg = msg;
    else
        free(msg);
    return RUBRIC_ENODB;
}

int rubric_db_open(const char *dir, rubric_db **out, char **errmsg)
{
    return rubric_db_open_with(&dir, 1, NULL, out, errmsg);
}

int rubric_db_open_many(const char *const *dirs, size_t n, rubric_db **out, char **errmsg)
{
    return rubric_db_open_with(dirs, n, NULL, out, errmsg);
}

void rubric_open_opts_init(rubric_open_opts *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
}

int rubric_db_open_with(const char *const *dirs, size_t n, const rubric_open_opts *opts,
                        rubric_db **out, char **errmsg)
{
    *out = NULL;
    if (errmsg)
        *errmsg = NULL;
    if (opts && opts->size != sizeof *opts) {
        if (errmsg)
            *errmsg = xstrdup("the open options were not initialised (rubric_open_opts_init)");
        return RUBRIC_EINVAL;
    }
    if (opts && opts->timeout_ms > RUBRIC_TIMEOUT_MAX_MS) {
        if (errmsg)
            *errmsg = xasprintf("a remote shard's timeout is at most %d ms, not %u",
                                RUBRIC_TIMEOUT_MAX_MS, opts->timeout_ms);
        return RUBRIC_EINVAL;
    }
    if (n == 0) {
        if (errmsg)
            *errmsg = xstrdup("no index named");
        return RUBRIC_EINVAL;
    }
    struct stat st;
    for (size_t i = 0; i < n; i++) {
        const char *dir = dirs[i];
        /* Without an atomic exchange, a rebuild leaves DIR missing for an
         * instant while its scratch copy takes its place: wait that out. */
        char *scratch = xasprintf("%s.rebuild", dir);
        for (int t = 0; t < 100 && scratch && stat(dir, &st) < 0 && errno == ENOENT &&
                        stat(scratch, &st) == 0;
             t++)
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        free(scratch);
        if (stat(dir, &st) < 0) {
            if (errmsg)
                *errmsg = errno == ENOENT
                              ? xasprintf("index '%s' does not exist (build it with rubric-index)", dir)
                              : xasprintf("cannot open index '%s': %s", dir, strerror(errno));
            return RUBRIC_ENODB;
        }
    }
    const char *dir = dirs[0];
    rubric_db *db = calloc(1, sizeof *db);
    if (!db || !(db->dir = xstrdup(dir))) {
        free(db);
        return RUBRIC_ENOMEM;
    }
    char *msg = NULL;
    int rc = xs_db_open_read_many(dirs, n, opts ? opts->timeout_ms : 0, opts ? opts->partial : 0,
                                  &db->db, &msg);
    if (rc != XS_OK) {
        if (errmsg)
            *errmsg = xasprintf("cannot open index '%s': %s", dir, msg ? msg : "out of memory");
        free(msg);
        free(db->dir);
        free(db);
        /* any failure to open is the index's, but a shard out of reach */
        return rc == XS_ENOMEM ? RUBRIC_ENOMEM : rc == XS_ENET ? RUBRIC_ESHARD : RUBRIC_ENODB;
    }
    char *lang = NULL;
    rc = check_shards(db->db, errmsg);
    if (rc == RUBRIC_OK)
        rc = agreed_metadata(db->db, META_LANG, "language", &lang, errmsg);
    if (rc == RUBRIC_OK)
        rc = agreed_metadata(db->db, META_BASE_URL, "base URL", &db->base_url, errmsg);
    if (rc == RUBRIC_OK) {
        rc = rubric_analyzer_new(lang ? lang : "english", &db->an);
        if (rc != RUBRIC_OK && errmsg)
            *errmsg = xasprintf("index '%s' names an unknown language '%s'", dir, lang);
    }
    free(lang);
    if (rc != RUBRIC_OK) {
        rubric_db_close(db);
        return rc == RUBRIC_EINVAL ? RUBRIC_ENODB : rc;
    }
    *out = db;
    return RUBRIC_OK;
}

void rubric_db_close(rubric_db *db)
{
    if (!db)
        return;
    xs_db_close(db->db);
    rubric_analyzer_free(db->an);
    free(db->base_url);
    free(db->updated);
    free(db->dir);
    synonyms_free(db->syn);
    free(db);
}

size_t rubric_db_passages(rubric_db *db)
{
    return xs_db_doccount(db->db);
}
