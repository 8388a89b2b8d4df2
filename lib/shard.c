/* shard.c: a set of shards written as one: the folder holding them and the
 * stub file (XAPIANDB) naming them, the lock that keeps one writer on the
 * set, the copies folded across shards, and a rebuilt set put in place at
 * one instant.
 *
 * A set is a folder: shard-0 ... shard-(N-1), each an index of its own
 * (index.c writes it, with its own lock, manifest and commit), XAPIANDB with
 * an "auto shard-K" line for each, which readers open (db.c), and
 * rubric.lock, which a writer of the set holds (flock) from open to close.
 * A rebuild writes a whole new set beside it (DIR.rebuild) and exchanges the
 * two folders. Shards of one set record their place (META_SHARD, "K/N") and
 * the set's id (META_SET); readers check both. */
#define _GNU_SOURCE /* O_CLOEXEC, getrandom */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "store/shim.h"

#define SET_STUB "XAPIANDB"
#define SET_LOCK "rubric.lock"

struct rubric_set {
    char *dir;        /* the set as readers name it */
    char *build;      /* where this run writes it: DIR, or DIR.rebuild */
    unsigned n;
    char id[33];      /* 32 hex digits */
    int lock_fd;      /* DIR's lock */
    int build_fd;     /* a rebuild: the new set's lock */
    int made;         /* the stub is to be written (a new set, a rebuild) */
    unsigned long replaced; /* a rebuild: the revision of what it replaces */
    xs_db *held;      /* one index a rebuild replaces by a set: its writer,
                         for its lock */
    int dry_run;
    buf err;
};

static int set_fail(rubric_set *s, int code, char *msg)
{
    s->err.len = 0;
    buf_adds(&s->err, msg ? msg : "out of memory");
    free(msg);
    return code;
}
#define set_error(s, code, ...) set_fail((s), (code), xasprintf(__VA_ARGS__))

/* How many shards the stub of the set at DIR names (0: DIR holds none). */
static unsigned stub_count(const char *dir)
{
    char *path = xasprintf("%s/" SET_STUB, dir);
    FILE *f = path ? fopen(path, "re") : NULL;
    free(path);
    unsigned n = 0;
    char line[256];
    while (f && fgets(line, sizeof line, f))
        n += strncmp(line, "auto ", 5) == 0;
    if (f)
        fclose(f);
    return n;
}

/* Is NAME what a set's folder holds? */
static int set_entry(const char *name, int unused)
{
    (void)unused;
    if (strcmp(name, SET_STUB) == 0 || strcmp(name, SET_LOCK) == 0 ||
        strcmp(name, SET_STUB ".tmp") == 0)
        return 1;
    return strncmp(name, "shard-", 6) == 0 && name[6] &&
           strspn(name + 6, "0123456789") == strlen(name + 6);
}

/* The first entry of folder PATH that a set does not hold (malloc'd), or
 * NULL; *EMPTY says whether it holds anything. */
static char *foreign(const char *path, int *empty)
{
    return dir_foreign_entry(path, set_entry, 0, empty);
}

/* Is DIR one index (a glass database's version file in it)? A rebuild may
 * put a set in its place. */
static int is_index(const char *dir)
{
    char *v = xasprintf("%s/iamglass", dir);
    struct stat st;
    int yes = v && stat(v, &st) == 0;
    free(v);
    return yes;
}

/* Take the lock of the set folder DIR into *FD: RUBRIC_ELOCKED when another
 * writer holds it. The lock file is taken again when a rebuild put another
 * folder in DIR's place while we waited for it. */
static int lock_set(rubric_set *s, const char *dir, int *fd)
{
    char *path = xasprintf("%s/" SET_LOCK, dir);
    if (!path)
        return set_fail(s, RUBRIC_ENOMEM, NULL);
    for (;;) {
        *fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (*fd < 0) {
            int rc = set_error(s, RUBRIC_ENODB, "cannot create '%s': %s", path, strerror(errno));
            free(path);
            return rc;
        }
        if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
            close(*fd);
            *fd = -1;
            int rc = set_error(s, RUBRIC_ELOCKED, "index is locked by another indexer");
            free(path);
            return rc;
        }
        struct stat held, now;
        if (fstat(*fd, &held) == 0 && stat(path, &now) == 0 && held.st_ino == now.st_ino &&
            held.st_dev == now.st_dev)
            break;
        close(*fd);
    }
    free(path);
    return RUBRIC_OK;
}

/* A new id for a set: 128 random bits in hex. */
static int new_id(rubric_set *s)
{
    unsigned char r[16];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        return set_error(s, RUBRIC_EINTERNAL, "cannot draw a set id: %s", strerror(errno));
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(s->id + 2 * i, 3, "%02x", r[i]);
    return RUBRIC_OK;
}

/* The id the set at DIR records (its first shard's), into S. */
static void read_id(rubric_set *s, const char *dir)
{
    char *shard = xasprintf("%s/shard-0", dir), *v = NULL, *msg = NULL;
    size_t len = 0;
    xs_db *db = NULL;
    if (shard && xs_db_open_read(shard, &db, &msg) == XS_OK &&
        xs_db_get_metadata(db, META_SET, &v, &len) == XS_OK && v && len < sizeof s->id)
        memcpy(s->id, v, len + 1);
    xs_db_close(db);
    free(v);
    free(msg);
    free(shard);
}

/* Make (or, left by a rebuild that died, clear) the folder a rebuild writes
 * the new set in, and take its lock. */
static int start_rebuild(rubric_set *s)
{
    if (!(s->build = xasprintf("%s.rebuild", s->dir)))
        return set_fail(s, RUBRIC_ENOMEM, NULL);
    int empty = 0;
    char *other = foreign(s->build, &empty);
    if (other) {
        int rc = set_error(s, RUBRIC_EINVAL, "'%s' is in the way of the new set and is not "
                           "rubric's: it holds '%s'; move it away", s->build, other);
        free(other);
        free(s->build);
        s->build = NULL;
        return rc;
    }
    if (remove_tree(s->build) != 0 || mkdir(s->build, 0755) != 0)
        return set_error(s, RUBRIC_ENODB, "cannot create '%s': %s", s->build, strerror(errno));
    return lock_set(s, s->build, &s->build_fd);
}

int rubric_set_open(const char *dir, unsigned n, int flags, rubric_set **out, char **errmsg)
{
    *out = NULL;
    if (errmsg)
        *errmsg = NULL;
    rubric_set *s = calloc(1, sizeof *s);
    if (!s)
        return RUBRIC_ENOMEM;
    s->lock_fd = s->build_fd = -1;
    s->dry_run = (flags & RUBRIC_OPEN_DRY_RUN) != 0;
    int rebuild = (flags & RUBRIC_OPEN_REBUILD) != 0 && !s->dry_run;
    int rc = RUBRIC_OK, empty = 1;
    struct stat st;
    if (!(s->dir = xstrdup(dir)))
        rc = set_fail(s, RUBRIC_ENOMEM, NULL);
    for (size_t len = s->dir ? strlen(s->dir) : 0; len > 1 && s->dir[len - 1] == '/'; len--)
        s->dir[len - 1] = '\0';
    int exists = rc == RUBRIC_OK && stat(s->dir, &st) == 0;
    unsigned have = exists ? stub_count(s->dir) : 0;
    char *other = exists && S_ISDIR(st.st_mode) ? foreign(s->dir, &empty) : NULL;
    if (rc != RUBRIC_OK) {
        /* said */
    } else if (n > RUBRIC_SHARDS_MAX) {
        rc = set_error(s, RUBRIC_EINVAL, "a set has at most %d shards, not %u", RUBRIC_SHARDS_MAX, n);
    } else if (exists && !S_ISDIR(st.st_mode)) {
        rc = set_error(s, RUBRIC_EINVAL, "index '%s' is not a folder: a set of shards is one",
                       dir);
    } else if (other && !(rebuild && have == 0 && is_index(s->dir))) {
        rc = set_error(s, RUBRIC_EINVAL, "'%s' is not a set of shards: it holds '%s'%s", dir,
                       other, have ? "" : "; --rebuild makes a set in its place");
    } else if (!have && !n) {
        rc = set_error(s, RUBRIC_EINVAL, "'%s' is not a set of shards yet: say how many "
                       "(--shards N)", dir);
    } else if (have && n && n != have && !rebuild) {
        rc = set_error(s, RUBRIC_EINVAL, "'%s' is a set of %u shards, not %u: a new count "
                       "needs --rebuild", dir, have, n);
    }
    free(other);
    if (rc == RUBRIC_OK && s->dry_run && !have)
        rc = set_error(s, RUBRIC_EINVAL, "'%s' is not a set of shards yet: a dry run has "
                       "nothing to compare with", dir);
    if (rc == RUBRIC_OK && !exists && mkdir(s->dir, 0755) != 0)
        rc = set_error(s, RUBRIC_ENODB, "cannot create '%s': %s", dir, strerror(errno));
    /* One index that a set is to replace is held by its own lock: a lock
     * file of the set's left in it would make it no index of rubric's. */
    if (rc == RUBRIC_OK && !s->dry_run && !have && is_index(s->dir)) {
        char *msg = NULL;
        rc = xs_status(xs_db_open_write(s->dir, &s->held, &msg));
        if (rc == RUBRIC_ELOCKED)
            set_error(s, rc, "index is locked by another indexer");
        else if (rc != RUBRIC_OK)
            set_error(s, rc, "cannot open '%s': %s", dir, msg ? msg : "out of memory");
        free(msg);
    } else if (rc == RUBRIC_OK && !s->dry_run) {
        rc = lock_set(s, s->dir, &s->lock_fd);
    }
    s->n = n ? n : have;
    if (rc == RUBRIC_OK && have && !rebuild) {
        read_id(s, s->dir);
        s->build = xstrdup(s->dir);
    } else if (rc == RUBRIC_OK) {
        s->made = 1;
        rc = new_id(s);
        if (rc == RUBRIC_OK && rebuild && (have || !empty)) {
            rc = start_rebuild(s);
            xs_db *old = NULL;
            char *msg = NULL;
            if (rc == RUBRIC_OK && xs_db_open_read(s->dir, &old, &msg) == XS_OK)
                s->replaced = layout_revision(old);
            xs_db_close(old);
            free(msg);
        } else if (rc == RUBRIC_OK && !(s->build = xstrdup(s->dir))) {
            rc = set_fail(s, RUBRIC_ENOMEM, NULL);
        }
    }
    if (rc != RUBRIC_OK) {
        if (errmsg)
            *errmsg = xstrdup(s->err.data ? s->err.data : "out of memory");
        rubric_set_close(s);
        return rc;
    }
    *out = s;
    return RUBRIC_OK;
}

unsigned rubric_set_shards(const rubric_set *s)
{
    return s->n;
}

const char *rubric_set_id(const rubric_set *s)
{
    return s->id;
}

char *rubric_set_shard_path(const rubric_set *s, unsigned k)
{
    return xasprintf("%s/shard-%u", s->build, k);
}

const char *rubric_set_errmsg(const rubric_set *s)
{
    return s->err.data ? s->err.data : "";
}

/* Fold the copies that lie in different shards: one pass over the whole
 * set, as over one index (fold.c). A set already live has each shard's
 * revision moved on, so that readers keeping answers see the change. */
static int fold_across(rubric_set *s)
{
    char **paths = calloc(s->n, sizeof *paths);
    int rc = paths ? RUBRIC_OK : set_fail(s, RUBRIC_ENOMEM, NULL);
    for (unsigned k = 0; k < s->n && rc == RUBRIC_OK; k++)
        if (!(paths[k] = rubric_set_shard_path(s, k)))
            rc = set_fail(s, RUBRIC_ENOMEM, NULL);
    xs_db *db = NULL;
    char *msg = NULL;
    if (rc == RUBRIC_OK &&
        (rc = xs_status(xs_db_open_write_many((const char *const *)paths, s->n, &db, &msg))) !=
            RUBRIC_OK)
        set_error(s, rc, "cannot open the shards of '%s': %s", s->dir, msg ? msg : "");
    free(msg);
    if (rc == RUBRIC_OK && (rc = fold_run(db, NULL)) != RUBRIC_OK)
        set_error(s, rc, "cannot fold the copies across the shards: %s",
                  rc == RUBRIC_ENOMEM ? "out of memory" : xs_db_errmsg(db));
    for (unsigned k = 0; k < s->n && rc == RUBRIC_OK && !s->made; k++) {
        xs_db *part = xs_db_part(db, k);
        rc = layout_stamp(part, layout_revision(part) + 1);
    }
    /* A rebuilt set carries on from the revision of what it replaces, as a
     * rebuilt index does: its first shard starts past it. */
    if (rc == RUBRIC_OK && s->made && s->replaced) {
        xs_db *first = xs_db_part(db, 0);
        rc = layout_stamp(first, layout_revision(first) + s->replaced);
    }
    if (rc == RUBRIC_OK && (rc = xs_status(xs_db_commit(db))) != RUBRIC_OK)
        set_error(s, rc, "cannot write the shards of '%s': %s", s->dir, xs_db_errmsg(db));
    xs_db_close(db);
    for (unsigned k = 0; paths && k < s->n; k++)
        free(paths[k]);
    free(paths);
    return rc;
}

/* Write the stub naming the shards, in place at one instant. */
static int write_stub(rubric_set *s)
{
    char *tmp = xasprintf("%s/" SET_STUB ".tmp", s->build);
    char *path = xasprintf("%s/" SET_STUB, s->build);
    int rc = tmp && path ? RUBRIC_OK : set_fail(s, RUBRIC_ENOMEM, NULL);
    FILE *f = rc == RUBRIC_OK ? fopen(tmp, "we") : NULL;
    if (rc == RUBRIC_OK && !f)
        rc = set_error(s, RUBRIC_ENODB, "cannot create '%s': %s", tmp, strerror(errno));
    for (unsigned k = 0; f && k < s->n; k++)
        fprintf(f, "auto shard-%u\n", k);
    if (f && (fflush(f) != 0 || fsync(fileno(f)) != 0))
        rc = set_error(s, RUBRIC_ENODB, "cannot write '%s': %s", tmp, strerror(errno));
    if (f && fclose(f) != 0 && rc == RUBRIC_OK)
        rc = set_error(s, RUBRIC_ENODB, "cannot write '%s': %s", tmp, strerror(errno));
    if (rc == RUBRIC_OK && rename(tmp, path) != 0)
        rc = set_error(s, RUBRIC_ENODB, "cannot put '%s' in place: %s", path, strerror(errno));
    free(tmp);
    free(path);
    return rc;
}

int rubric_set_commit(rubric_set *s, int changed)
{
    s->err.len = 0;
    if (s->dry_run || (!changed && !s->made))
        return RUBRIC_OK;
    int rc = fold_across(s);
    if (rc == RUBRIC_OK && s->made)
        rc = write_stub(s);
    if (rc != RUBRIC_OK || strcmp(s->build, s->dir) == 0) {
        s->made = rc == RUBRIC_OK ? 0 : s->made;
        return rc;
    }
    /* A rebuild: the new set in place of the old at one instant, and the
     * old one (now under the scratch name) removed. */
    if (sync_tree(s->build) != 0)
        return set_error(s, RUBRIC_ENODB, "cannot sync '%s': %s", s->build, strerror(errno));
    if (exchange_paths(s->build, s->dir) != 0)
        return set_error(s, RUBRIC_ENODB, "cannot put '%s' in place of '%s': %s", s->build,
                         s->dir, strerror(errno));
    xs_db_close(s->held);  /* the index replaced, now under the scratch name */
    s->held = NULL;
    remove_tree(s->build);
    free(s->build);
    s->build = xstrdup(s->dir);
    /* The lock held on the new set is now the set's own. */
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    s->lock_fd = s->build_fd;
    s->build_fd = -1;
    s->made = 0;
    return s->build ? RUBRIC_OK : set_fail(s, RUBRIC_ENOMEM, NULL);
}

void rubric_set_close(rubric_set *s)
{
    if (!s)
        return;
    /* A rebuild not put in place is dropped. */
    if (s->build && s->dir && strcmp(s->build, s->dir) != 0)
        remove_tree(s->build);
    if (s->build_fd >= 0)
        close(s->build_fd);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    xs_db_close(s->held);
    free(s->build);
    free(s->dir);
    buf_free(&s->err);
    free(s);
}
