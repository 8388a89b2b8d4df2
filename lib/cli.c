/* cli.c: helpers shared by the two command-line tools. */
#include <stdlib.h>

#include "cli.h"
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

int cli_parse_count(const char *s, unsigned long *out)
{
    char *end = NULL;
    if (!s || !*s || *s == '-')
        return -1;
    unsigned long v = strtoul(s, &end, 10);
    if (*end)
        return -1;
    *out = v;
    return 0;
}
