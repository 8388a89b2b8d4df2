/* config.c: reading rubric.json strictly: every unknown key or wrong type is
 * an error naming the key and the file. */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "config.h"
#include "internal.h"

typedef struct loader {
    const char *file;
    const char *dir;  /* the file's folder, "" for the current one */
    char *err;
} loader;

static int bad(loader *l, const char *key, const char *what)
{
    if (!l->err)
        l->err = xasprintf("%s: '%s' %s", l->file, key, what);
    return -1;
}

/* PATH as seen from the current folder: relative paths are the file's. */
static char *resolve(loader *l, const char *path)
{
    if (path[0] == '/' || !*l->dir)
        return xstrdup(path);
    return xasprintf("%s/%s", l->dir, path);
}

static int get_string(loader *l, const cJSON *v, const char *key, char **out, int is_path)
{
    if (!cJSON_IsString(v))
        return bad(l, key, "must be a string");
    if (is_path && !*v->valuestring)
        return bad(l, key, "is empty: a path must name a file or folder");
    free(*out);
    *out = is_path ? resolve(l, v->valuestring) : xstrdup(v->valuestring);
    return *out ? 0 : bad(l, key, "could not be stored: out of memory");
}

/* A size in bytes: a positive whole number, or a string such as "64M". */
static int get_size(loader *l, const cJSON *v, const char *key, size_t *out)
{
    if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 1e15 &&
        v->valuedouble == (double)(unsigned long long)v->valuedouble) {
        *out = (size_t)v->valuedouble;
        return 0;
    }
    if (cJSON_IsString(v) && cli_size(v->valuestring, out) == 0)
        return 0;
    return bad(l, key, "must be a size in bytes: a whole number, or a string like \"64M\"");
}

static int get_bool(loader *l, const cJSON *v, const char *key, int *out)
{
    if (!cJSON_IsBool(v))
        return bad(l, key, "must be true or false");
    *out = cJSON_IsTrue(v);
    return 0;
}

static int get_globs(loader *l, const cJSON *v, const char *key, char ***out)
{
    if (!cJSON_IsArray(v))
        return bad(l, key, "must be an array of glob strings");
    size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
    char **g = calloc(n + 1, sizeof *g);
    if (!g)
        return bad(l, key, "could not be stored: out of memory");
    *out = g;
    const cJSON *it;
    cJSON_ArrayForEach(it, v) {
        if (!cJSON_IsString(it))
            return bad(l, key, "must be an array of glob strings");
        if (!(g[i++] = xstrdup(it->valuestring)))
            return bad(l, key, "could not be stored: out of memory");
    }
    return 0;
}

static int get_source(loader *l, const cJSON *v, size_t i, config_source *s)
{
    char key[64];
    snprintf(key, sizeof key, "sources[%zu]", i);
    if (cJSON_IsString(v))
        return get_string(l, v, key, &s->root, 1);
    if (!cJSON_IsObject(v))
        return bad(l, key, "must be a folder name or an object {root, include, exclude}");
    const cJSON *m;
    cJSON_ArrayForEach(m, v) {
        char sub[128];
        snprintf(sub, sizeof sub, "%s.%s", key, m->string);
        int rc;
        if (strcmp(m->string, "root") == 0)
            rc = get_string(l, m, sub, &s->root, 1);
        else if (strcmp(m->string, "include") == 0)
            rc = get_globs(l, m, sub, &s->include);
        else if (strcmp(m->string, "exclude") == 0)
            rc = get_globs(l, m, sub, &s->exclude);
        else
            rc = bad(l, sub, "is not a known key (root, include, exclude)");
        if (rc < 0)
            return -1;
    }
    if (!s->root)
        return bad(l, key, "needs a \"root\"");
    return 0;
}

static int get_boilerplate(loader *l, const cJSON *v, config *c)
{
    if (!cJSON_IsObject(v))
        return bad(l, "boilerplate", "must be an object {detect, show}");
    const cJSON *m;
    cJSON_ArrayForEach(m, v) {
        int rc;
        if (strcmp(m->string, "detect") == 0)
            rc = get_bool(l, m, "boilerplate.detect", &c->detect_boilerplate);
        else if (strcmp(m->string, "show") == 0)
            rc = get_bool(l, m, "boilerplate.show", &c->show_boilerplate);
        else {
            char sub[128];
            snprintf(sub, sizeof sub, "boilerplate.%s", m->string);
            rc = bad(l, sub, "is not a known key (detect, show)");
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

static void free_globs(char **g);

static void free_sources(config *c)
{
    for (size_t i = 0; i < c->nsources; i++) {
        free(c->sources[i].root);
        free_globs(c->sources[i].include);
        free_globs(c->sources[i].exclude);
    }
    free(c->sources);
    c->sources = NULL;
    c->nsources = 0;
}

static int parse(loader *l, const cJSON *root, config *c)
{
    if (!cJSON_IsObject(root))
        return bad(l, "(top level)", "must be a JSON object");
    const cJSON *m;
    cJSON_ArrayForEach(m, root) {
        const char *k = m->string;
        int rc;
        if (strcmp(k, "db") == 0)
            rc = get_string(l, m, k, &c->db, 1);
        else if (strcmp(k, "lang") == 0)
            rc = get_string(l, m, k, &c->lang, 0);
        else if (strcmp(k, "base_url") == 0)
            rc = get_string(l, m, k, &c->base_url, 0);
        else if (strcmp(k, "synonyms") == 0)
            rc = get_string(l, m, k, &c->synonyms, 1);
        else if (strcmp(k, "boilerplate") == 0)
            rc = get_boilerplate(l, m, c);
        else if (strcmp(k, "max_file_size") == 0)
            rc = get_size(l, m, k, &c->max_file_size);
        else if (strcmp(k, "sources") == 0) {
            if (!cJSON_IsArray(m))
                return bad(l, k, "must be an array of sources");
            /* A repeated key replaces the list given before. */
            free_sources(c);
            size_t n = (size_t)cJSON_GetArraySize(m);
            c->sources = calloc(n ? n : 1, sizeof *c->sources);
            if (!c->sources)
                return bad(l, k, "could not be stored: out of memory");
            const cJSON *it;
            rc = 0;
            cJSON_ArrayForEach(it, m) {
                /* Counted first, so that config_free() frees a source
                 * refused halfway. */
                c->nsources++;
                if ((rc = get_source(l, it, c->nsources - 1, &c->sources[c->nsources - 1])) < 0)
                    break;
            }
        } else
            rc = bad(l, k, "is not a known key (db, lang, base_url, synonyms, sources, boilerplate, "
                           "max_file_size)");
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* The first configuration of CONFIG_ORDER that exists (malloc'd), or NULL:
 * the current folder's, the user's, the system's. An unset or relative
 * $XDG_CONFIG_HOME means ~/.config, as the XDG base directory rules say. */
static char *find_config(void)
{
    struct stat st;
    if (stat(CONFIG_DEFAULT, &st) == 0)
        return xstrdup(CONFIG_DEFAULT);
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char *user = xdg && xdg[0] == '/'
                     ? xasprintf("%s/%s/%s", xdg, CONFIG_USER_DIR, CONFIG_DEFAULT)
                 : home && home[0] == '/'
                     ? xasprintf("%s/.config/%s/%s", home, CONFIG_USER_DIR, CONFIG_DEFAULT)
                     : NULL;
    if (user && stat(user, &st) == 0)
        return user;
    free(user);
    return stat(CONFIG_SYSTEM, &st) == 0 ? xstrdup(CONFIG_SYSTEM) : NULL;
}

int config_load(const char *path, config *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->detect_boilerplate = 1;
    *err = NULL;
    char *found = NULL;
    if (!path) {
        if (!(found = find_config()))
            return 0;
        path = found;
    }
    char *data = NULL;
    size_t len = 0;
    int e = read_file(path, CONFIG_MAX_BYTES, &data, &len);
    if (e) {
        *err = xasprintf("cannot read '%s': %s", path,
                         e == READ_TOO_LARGE ? "larger than " CONFIG_MAX_TEXT : read_file_error(e));
        free(found);
        return -1;
    }
    out->path = xstrdup(path);
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup("");
    loader l = {path, dir ? dir : "", NULL};
    const char *at = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(data, len, &at, 0);
    int rc = 0;
    /* One JSON value and nothing after it but white space. */
    while (root && at && at < data + len && strchr(" \t\r\n", *at))
        at++;
    if (root && at && at < data + len) {
        cJSON_Delete(root);
        root = NULL;
    }
    if (!root) {
        /* AT is the first byte cJSON could not read: say which line. */
        size_t line = 1;
        for (const char *p = data; at && p < at && p < data + len; p++)
            line += *p == '\n';
        *err = xasprintf("%s: not valid JSON (line %zu)", path, line);
        rc = -1;
    } else if (parse(&l, root, out) < 0) {
        *err = l.err;
        rc = -1;
    }
    cJSON_Delete(root);
    free(data);
    free(dir);
    free(found);
    if (rc < 0)
        config_free(out);
    return rc;
}

static void free_globs(char **g)
{
    for (size_t i = 0; g && g[i]; i++)
        free(g[i]);
    free(g);
}

void config_free(config *c)
{
    free_sources(c);
    free(c->path);
    free(c->db);
    free(c->lang);
    free(c->base_url);
    free(c->synonyms);
    memset(c, 0, sizeof *c);
}

static int matches(char *const *globs, const char *rel)
{
    for (size_t i = 0; globs && globs[i]; i++)
        if (fnmatch(globs[i], rel, 0) == 0)
            return 1;
    return 0;
}

int config_takes(char *const *include, char *const *exclude, const char *rel)
{
    return (!include || !include[0] || matches(include, rel)) && !matches(exclude, rel);
}

int config_prunes(char *const *exclude, const char *rel)
{
    char *with_slash = xasprintf("%s/", rel);
    int pruned = matches(exclude, rel) || (with_slash && matches(exclude, with_slash));
    free(with_slash);
    return pruned;
}
