/* cli.h: what rubric-index and rubric-query share: exit codes, the index
 * location, and status-to-exit mapping. Linked statically; not exported. */
#ifndef RUBRIC_CLI_H
#define RUBRIC_CLI_H

/* Exit codes of both tools (README: "Exit codes"). */
enum {
    EXIT_DONE = 0,     /* success */
    EXIT_SKIPPED = 1,  /* finished, but some inputs were skipped */
    EXIT_USAGE = 2,    /* usage error */
    EXIT_LOCKED = 3,   /* index locked by another writer */
    EXIT_NODB = 4      /* index missing, unreadable or damaged */
};

/* Where the index lives when --db is not given and $RUBRIC_DB is unset. */
#define CLI_DEFAULT_DB "rubric.db"

/* The index directory: FLAG when set, else $RUBRIC_DB, else CONFIGURED (the
 * configuration's), else the default. */
const char *cli_db_path(const char *flag, const char *configured);
/* The exit code for a library status. */
int cli_exit_code(int status);
/* Parse the count ARG given to option FLAG of TOOL, from MIN to MAX. Returns
 * 0, or -1 after saying on stderr what was wanted. */
int cli_count(const char *tool, const char *flag, const char *arg, unsigned long min,
              unsigned long max, unsigned long *out);

#endif
