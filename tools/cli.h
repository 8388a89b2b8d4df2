/* cli.h: what rubric-index and rubric-query share: exit codes, the index
 * location, and status-to-exit mapping. Linked statically; not exported. */
#ifndef RUBRIC_CLI_H
#define RUBRIC_CLI_H

#include <stdio.h>
#include <sys/stat.h>

/* Exit codes of both tools (README: "Exit codes"). */
enum {
    EXIT_DONE = 0,     /* success */
    EXIT_SKIPPED = 1,  /* finished, but some inputs were skipped */
    EXIT_USAGE = 2,    /* usage error */
    EXIT_LOCKED = 3,   /* index locked by another writer */
    EXIT_NODB = 4,     /* index missing, unreadable or damaged */
    EXIT_SHARD = 5     /* a remote shard of the index cannot be reached */
};

/* A synonyms file holds groups of a few words a line: one over this is not
 * one (a device, a dump), and would make every query slow. */
#define SYNONYMS_MAX_BYTES ((size_t)4 << 20)

/* Where the index lives when --db is not given and $RUBRIC_DB is unset. */
#define CLI_DEFAULT_DB "rubric.db"

/* The index directory: FLAG when set, else $RUBRIC_DB, else CONFIGURED (the
 * configuration's), else the default. */
const char *cli_db_path(const char *flag, const char *configured);
/* Add DIR, given to --db of TOOL, to the N of DBS (at most MAX): 0, or -1
 * after saying on stderr that there are too many. */
int cli_add_db(const char *tool, const char **dbs, size_t *n, size_t max, const char *dir);
/* The exit code for a library status. */
int cli_exit_code(int status);
/* Parse the count ARG given to option FLAG of TOOL, from MIN to MAX. Returns
 * 0, or -1 after saying on stderr what was wanted. */
int cli_count(const char *tool, const char *flag, const char *arg, unsigned long min,
              unsigned long max, unsigned long *out);

/* Write N bytes of S to F with every byte that could drive a terminal as
 * '?': C0 controls but the tab, DEL, C1 controls, bidirectional overrides
 * and isolates, and bytes that are not UTF-8. Text that comes from
 * documents, file names or queries goes through these, never straight to
 * a terminal or a log. */
void cli_write_safe(FILE *f, const char *s, size_t n);
void cli_puts_safe(FILE *f, const char *s);

/* With --json (cli_json_errors(1)), every error cli_error() reports is also
 * a JSON document on stdout (cli_json_error()). */
void cli_json_errors(int on);
/* Report an error: "TOOL: MESSAGE" on stderr (as text that cannot drive the
 * terminal) and, with --json, the JSON error of CODE ("usage", "config",
 * "index", "query", "input", "memory") on stdout. */
__attribute__((format(printf, 3, 4)))
void cli_error(const char *tool, const char *code, const char *fmt, ...);

/* A malloc'd copy of S with each byte that is not UTF-8 replaced (U+FFFD),
 * for JSON; NULL when out of memory. */
char *cli_valid_utf8(const char *s);

/* After getopt_long() (with opterr 0 and optstring starting with ':')
 * returned C, '?' or ':', for ARGV: report the unknown option or the missing
 * value in TOOL's name, and the pointer to --help. Returns EXIT_USAGE. */
int cli_option_error(const char *tool, int c, char *const *argv);

/* Print on stdout the JSON document of an error, for a tool run with
 * --json: {"schema": 1, "error": {"code": CODE, "message": MESSAGE}}, the
 * message made valid UTF-8. The exit code says the same as without --json. */
void cli_json_error(const char *code, const char *message);

/* A JSON object for a tool's output, its "schema" field first (NULL when out
 * of memory); printed on stdout and freed by cli_json_print(), which returns
 * -1 (said on stderr by TOOL) when O is NULL or cannot be printed. */
struct cJSON;
struct cJSON *cli_json_object(void);
int cli_json_print(const char *tool, struct cJSON *o);

/* Parse S, a size in bytes with an optional K, M or G suffix (powers of
 * 1024), into *OUT. 0, or -1 when S is not one (or is 0). */
int cli_size(const char *s, size_t *out);

/* The library's growable-array helper for the tools: room for element N in
 * *ARR of *CAP elements of SIZE bytes. 0, or -1 when out of memory (*ARR and
 * *CAP then unchanged). */
int cli_grow(void *arr, size_t *cap, size_t n, size_t size);
#define CLI_GROW(a, n, cap) cli_grow(&(a), &(cap), (n), sizeof *(a))

/* Read the whole file at PATH, of at most MAX bytes, into *OUT (malloc'd,
 * NUL-terminated beyond *LEN; caller frees). Returns NULL, or why not (not
 * a regular file, larger than MAX, the system's reason): a FIFO or a device
 * never blocks the caller. */
const char *cli_read_file(const char *path, size_t max, char **out, size_t *len);

/* rubric-index's walk over one root: files, or directories recursively in
 * name order; hidden entries skipped; links followed to files, never to
 * directories (which could loop); files no reader handles left out (named
 * when given as the root itself); INCLUDE/EXCLUDE globs (config.h) applied to
 * paths under the root. */
typedef struct cli_walk {
    const char *tool;                       /* names the messages on stderr */
    const char *root;
    char *const *include, *const *exclude;
    const struct stat *skip;                /* a directory never entered, or NULL */
    int (*file)(void *ctx, const char *path, const char *rel);  /* nonzero stops */
    /* Called (when not NULL) with each path the walk could not look at or
     * into: a root or entry that cannot be stat'ed, a folder that cannot be
     * listed, a dangling link. What was indexed under it is still there. */
    void (*failed)(void *ctx, const char *path);
    void *ctx;
    unsigned long skipped;                  /* paths named on stderr and left out */
    int stopped;                            /* FILE said stop, or memory ran out */
    /* Called (when not NULL) with each path named on stderr and left out,
     * and why (the failed paths above, a file no reader handles). */
    void (*skip_note)(void *ctx, const char *path, const char *why);
} cli_walk;

void cli_walk_run(cli_walk *w);

#endif
