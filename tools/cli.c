/* cli.c: helpers shared by the two command-line tools. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <unistr.h>

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

int cli_add_db(const char *tool, const char **dbs, size_t *n, size_t max, const char *dir)
{
    if (*n == max) {
        cli_error(tool, "usage", "--db names at most %zu indexes", max);
        return -1;
    }
    dbs[(*n)++] = dir;
    return 0;
}

int cli_exit_code(int status)
{
    switch (status) {
    case RUBRIC_OK: return EXIT_DONE;
    case RUBRIC_EINVAL: return EXIT_USAGE;
    case RUBRIC_ELOCKED: return EXIT_LOCKED;
    case RUBRIC_EIO:
    case RUBRIC_EINPUT: return EXIT_SKIPPED;
    case RUBRIC_ESHARD: return EXIT_SHARD;
    default: return EXIT_NODB;
    }
}

static int json_errors;

void cli_json_errors(int on)
{
    json_errors = on;
}

void cli_error(const char *tool, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (msg) {
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    fprintf(stderr, "%s: ", tool);
    cli_puts_safe(stderr, msg ? msg : "out of memory");
    fputc('\n', stderr);
    if (json_errors)
        cli_json_error(code, msg ? msg : "out of memory");
    free(msg);
}

int cli_option_error(const char *tool, int c, char *const *argv)
{
    char shortopt[3] = {'-', (char)optopt, '\0'};
    const char *name = optopt > 0 && optopt < 256 ? shortopt : argv[optind - 1];
    if (c == ':')
        cli_error(tool, "usage", "option '%s' wants a value", name);
    else
        cli_error(tool, "usage", "unknown option '%s'", name);
    fprintf(stderr, "Try '%s --help' for more information.\n", tool);
    return EXIT_USAGE;
}

int cli_count(const char *tool, const char *flag, const char *arg, unsigned long min,
              unsigned long max, unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = arg && *arg && *arg != '-' ? strtoul(arg, &end, 10) : 0;
    if (!end || *end || errno || v < min || v > max) {
        cli_error(tool, "usage", "%s wants a count from %lu to %lu, not '%s'", flag, min, max,
                  arg ? arg : "");
        return -1;
    }
    *out = v;
    return 0;
}

int cli_size(const char *s, size_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = *s >= '0' && *s <= '9' ? strtoull(s, &end, 10) : 0;
    int shift = !end ? -1 : !*end ? 0 : !end[1] && (*end == 'K' || *end == 'k') ? 10
                : !end[1] && (*end == 'M' || *end == 'm') ? 20
                : !end[1] && (*end == 'G' || *end == 'g') ? 30 : -1;
    if (!end || errno || v == 0 || shift < 0 || v > (SIZE_MAX >> shift))
        return -1;
    *out = (size_t)(v << shift);
    return 0;
}

int cli_grow(void *arr, size_t *cap, size_t n, size_t size)
{
    return grow_array(arr, cap, n, size);
}

cJSON *cli_json_object(void)
{
    cJSON *o = cJSON_CreateObject();
    if (o && !cJSON_AddNumberToObject(o, "schema", RUBRIC_JSON_SCHEMA)) {
        cJSON_Delete(o);
        o = NULL;
    }
    return o;
}

int cli_json_print(const char *tool, cJSON *o)
{
    char *s = o ? cJSON_Print(o) : NULL;
    cJSON_Delete(o);
    if (!s) {
        fprintf(stderr, "%s: out of memory\n", tool);
        return -1;
    }
    puts(s);
    free(s);
    return 0;
}

char *cli_valid_utf8(const char *s)
{
    return utf8_valid_copy(s, strlen(s), NULL);
}

void cli_json_error(const char *code, const char *message)
{
    char *valid = cli_valid_utf8(message);
    cJSON *o = cli_json_object(), *e = o ? cJSON_AddObjectToObject(o, "error") : NULL;
    if (e && valid && cJSON_AddStringToObject(e, "code", code) &&
        cJSON_AddStringToObject(e, "message", valid))
        cli_json_print("rubric", o);
    else
        cJSON_Delete(o);
    free(valid);
}

const char *cli_read_file(const char *path, size_t max, char **out, size_t *len)
{
    int e = read_file(path, max, out, len);
    return e == 0 ? NULL : read_file_error(e);
}

/* Whether the sequence of LEN bytes at S would drive the terminal: a C1
 * control (U+0080..U+009F), or a bidirectional embedding, override or
 * isolate (U+202A..U+202E, U+2066..U+2069) that reorders what follows. */
static int drives_terminal(const unsigned char *s, size_t len)
{
    if (len == 2)
        return s[0] == 0xC2 && s[1] <= 0x9F;
    if (len == 3 && s[0] == 0xE2)
        return (s[1] == 0x80 && s[2] >= 0xAA && s[2] <= 0xAE) ||
               (s[1] == 0x81 && s[2] >= 0xA6 && s[2] <= 0xA9);
    return 0;
}

void cli_write_safe(FILE *f, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, run = 0;
    while (i < n) {
        int mb = s[i] < 0x80 ? 1 : u8_mblen(s + i, n - i);
        size_t len = mb > 0 ? (size_t)mb : 0;
        int bad = len == 0 || (len == 1 && ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7F)) ||
                  drives_terminal(s + i, len);
        if (!bad) {
            i += len;
            continue;
        }
        fwrite(s + run, 1, i - run, f);
        fputc('?', f);
        i += len ? len : 1;
        run = i;
    }
    fwrite(s + run, 1, n - run, f);
}

void cli_puts_safe(FILE *f, const char *s)
{
    cli_write_safe(f, s, strlen(s));
}
