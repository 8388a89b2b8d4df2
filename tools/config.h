/* config.h: rubric.json, the configuration both tools read. Linked
 * statically into the tools; not part of the public API. */
#ifndef RUBRIC_CONFIG_H
#define RUBRIC_CONFIG_H

#include <stddef.h>

/* Where the tools look for a configuration when --config is not given, in
 * this order: the current folder's, the user's (under $XDG_CONFIG_HOME, else
 * ~/.config), the system's. */
#define CONFIG_DEFAULT "rubric.json"
#define CONFIG_USER_DIR "rubric"
#ifndef RUBRIC_SYSCONFDIR
#define RUBRIC_SYSCONFDIR "/etc"
#endif
#define CONFIG_SYSTEM RUBRIC_SYSCONFDIR "/rubric/rubric.json"
/* A configuration is a few lines; past this it is not one (a device, a log
 * named by mistake), and reading it all would cost for nothing. */
#define CONFIG_MAX_BYTES ((size_t)1 << 20)
#define CONFIG_MAX_TEXT "1 MiB"

typedef struct config_source {
    char *root;
    char **include, **exclude;  /* NULL-terminated glob lists (may be empty) */
} config_source;

typedef struct config {
    char *path;       /* the file read, or NULL when there was none */
    char *db;         /* NULL when not set */
    char *lang;
    char *base_url;
    char *synonyms;   /* a synonyms file for queries, or NULL */
    config_source *sources;
    size_t nsources;
    int detect_boilerplate;  /* default 1 */
    int show_boilerplate;    /* default 0 */
    size_t max_file_size;    /* bytes; 0 when not set */
} config;

/* Read the configuration at PATH; with PATH NULL, the first of the three
 * above that exists, else the defaults (out->path NULL). Paths in the file are
 * relative to its folder. Returns 0, or -1 with *err (caller frees) naming
 * the file and the key. */
int config_load(const char *path, config *out, char **err);
void config_free(config *c);

/* Nonzero when REL (a path relative to its root) is taken: it matches one of
 * INCLUDE (or INCLUDE is empty) and none of EXCLUDE. Globs are fnmatch(3)
 * patterns in which '*' also matches '/'. */
int config_takes(char *const *include, char *const *exclude, const char *rel);
/* Nonzero when the folder REL (relative to its root) is excluded whole. */
int config_prunes(char *const *exclude, const char *rel);

#endif
