/* cli.c: helpers shared by the two command-line tools. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "internal.h"
#include "rubric.h"

const char *cli_db_path(const char *flag, const char *configured)
{
    if (flag && *flag)
        return flag;
    const char *env = getenv("RUBRIC_DB");
    if (env && *env)
        return env;
    return configured && *configured ? configured : CLI_DEFAULT_DB;
}

int cli_exit_code(int status)
{
    switch (status) {
    case RUBRIC_OK: return EXIT_DONE;
    case RUBRIC_EINVAL: return EXIT_USAGE;
    case RUBRIC_ELOCKED: return EXIT_LOCKED;
    case RUBRIC_EIO:
    case RUBRIC_EINPUT: return EXIT_SKIPPED;
    default: return EXIT_NODB;
    }
}

int cli_count(const char *tool, const char *flag, const char *arg, unsigned long min,
              unsigned long max, unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = arg && *arg && *arg != '-' ? strtoul(arg, &end, 10) : 0;
    if (!end || *end || errno || v < min || v > max) {
        fprintf(stderr, "%s: %s wants a count from %lu to %lu, not '%s'\n", tool, flag, min, max,
                arg ? arg : "");
        return -1;
    }
    *out = v;
    return 0;
}

int cli_read_file(const char *path, char **out, size_t *len)
{
    return read_file(path, out, len);
}
