/* db.c: the read handle: open an index, follow its rebuilds and reindexes
 * (reopen), and what it records (revision, language, base URL, statistics). */
#include <errno.h>
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
    return db->id;
}

const char *rubric_db_updated(rubric_db *db)
{
    free(db->updated);
    size_t len = 0;
    if (xs_db_get_metadata(db->db, META_UPDATED, &db->updated, &len) != XS_OK)
        db->updated = NULL;
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

int rubric_db_stats_get(rubric_db *db, rubric_db_stats *out)
{
    memset(out, 0, sizeof *out);
    out->revision = layout_revision(db->db);
    out->passages = xs_db_doccount(db->db);
    out->folded = xs_db_termfreq(db->db, TERM_FOLDED, strlen(TERM_FOLDED));
    if (xs_db_metadata(db->db, META_FILE, count_file, &out->files) != XS_OK)
        return RUBRIC_ENODB;
    out->bytes = dir_bytes(db->dir);
    return RUBRIC_OK;
}

const char *rubric_db_base_url(const rubric_db *db)
{
    return db->base_url ? db->base_url : "";
}

int rubric_db_open(const char *dir, rubric_db **out, char **errmsg)
{
    *out = NULL;
    if (errmsg)
        *errmsg = NULL;
    struct stat st;
    /* Without an atomic exchange, a rebuild leaves DIR missing for an
     * instant while its scratch copy takes its place: wait that out. */
    char *scratch = xasprintf("%s.rebuild", dir);
    for (int i = 0; i < 100 && scratch && stat(dir, &st) < 0 && errno == ENOENT &&
                    stat(scratch, &st) == 0;
         i++)
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    free(scratch);
    if (stat(dir, &st) < 0) {
        if (errmsg)
            *errmsg = errno == ENOENT
                          ? xasprintf("index '%s' does not exist (build it with rubric-index)", dir)
                          : xasprintf("cannot open index '%s': %s", dir, strerror(errno));
        return RUBRIC_ENODB;
    }
    rubric_db *db = calloc(1, sizeof *db);
    if (!db || !(db->dir = xstrdup(dir))) {
        free(db);
        return RUBRIC_ENOMEM;
    }
    char *msg = NULL;
    int rc = xs_db_open_read(dir, &db->db, &msg);
    if (rc != XS_OK) {
        if (errmsg)
            *errmsg = xasprintf("cannot open index '%s': %s", dir, msg ? msg : "out of memory");
        free(msg);
        free(db->dir);
        free(db);
        return rc == XS_ENOMEM ? RUBRIC_ENOMEM : RUBRIC_ENODB; /* any failure to open */
    }
    char *lang = NULL;
    size_t len = 0;
    xs_db_get_metadata(db->db, META_LANG, &lang, &len);
    xs_db_get_metadata(db->db, META_BASE_URL, &db->base_url, &len);
    rc = rubric_analyzer_new(lang ? lang : "english", &db->an);
    if (rc != RUBRIC_OK && errmsg)
        *errmsg = xasprintf("index '%s' names an unknown language '%s'", dir, lang);
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
