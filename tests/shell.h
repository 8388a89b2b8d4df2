/* shell.h: running the real tools from end-to-end tests (test_cli.c,
 * test_sites.c, test_reindex.c), and the small file helpers every test that
 * reads or writes files shares. */
#ifndef RUBRIC_SHELL_H
#define RUBRIC_SHELL_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#define SHELL_UNUSED __attribute__((unused))

typedef struct cmd {
    int status;  /* exit status; 128 + N when killed by signal N; -1 on failure */
    char *out;   /* stdout, NUL-terminated */
    size_t out_len;
    char *err;   /* stderr, NUL-terminated */
} cmd;

SHELL_UNUSED static void cmd_free(cmd *c)
{
    free(c->out);
    free(c->err);
    c->out = c->err = NULL;
}

/* All of F, NUL-terminated (its length in *len when LEN is not NULL). */
SHELL_UNUSED static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    for (;;) {
        if (cap - n < 4096) {
            char *p = realloc(s, cap * 2);
            if (!p) {
                free(s);
                return NULL;
            }
            s = p;
            cap *= 2;
        }
        size_t got = fread(s + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    s[n] = '\0';
    if (len)
        *len = n;
    return s;
}

/* The file at PATH, NUL-terminated, or NULL. */
SHELL_UNUSED static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = read_all(f, len);
    fclose(f);
    return s;
}

/* Write LEN bytes of DATA to the file at PATH; 0 or -1. */
SHELL_UNUSED static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* Single-quote S for /bin/sh; returns a static buffer (one of four, rotating). */
SHELL_UNUSED static const char *sq(const char *s)
{
    static char bufs[4][PATH_MAX * 2];
    static int which;
    char *b = bufs[which++ % 4];
    size_t n = 0;
    b[n++] = '\'';
    for (; *s && n < sizeof bufs[0] - 6; s++) {
        if (*s == '\'') {
            memcpy(b + n, "'\\''", 4);
            n += 4;
        } else {
            b[n++] = *s;
        }
    }
    b[n++] = '\'';
    b[n] = '\0';
    return b;
}

/* Run the shell command BODY in directory CWD, with $I and $Q the indexer
 * and the query tool, stdout and stderr caught in C (stderr through the
 * file ERRPATH). */
SHELL_UNUSED static void shell_run(cmd *c, const char *cwd, const char *indexer,
                                   const char *query, const char *errpath, const char *body)
{
    char full[12288];
    snprintf(full, sizeof full, "cd %s && I=%s && Q=%s && ( %s ) 2>%s", sq(cwd), sq(indexer),
             sq(query), body, sq(errpath));
    c->status = -1;
    c->out = c->err = NULL;
    c->out_len = 0;
    fflush(NULL);
    FILE *p = popen(full, "r");
    if (p) {
        c->out = read_all(p, &c->out_len);
        int st = pclose(p);
        if (st != -1 && WIFEXITED(st))
            c->status = WEXITSTATUS(st);
        else if (st != -1 && WIFSIGNALED(st))
            c->status = 128 + WTERMSIG(st);
    }
    c->err = slurp(errpath, NULL);
    if (!c->out)
        c->out = calloc(1, 1);
    if (!c->err)
        c->err = calloc(1, 1);
}

/* The JSON rubric-query printed in C (run with ARGS), parsed; NULL, said on
 * stderr, when it failed or printed something else. C is freed. */
SHELL_UNUSED static cJSON *json_output(cmd *c, const char *args)
{
    cJSON *j = NULL;
    if (c->status != 0)
        fprintf(stderr, "  rubric-query %s: exit %d: %s", args, c->status, c->err);
    else if (!(j = cJSON_Parse(c->out)))
        fprintf(stderr, "  rubric-query %s: output is not JSON:\n%s\n", args, c->out);
    cmd_free(c);
    return j;
}

/* DST (PATH_MAX bytes) = A "/" B, cut short if it would not fit. */
SHELL_UNUSED static void path_join(char *dst, const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na + 1 + nb >= PATH_MAX) {
        fprintf(stderr, "path too long: %s/%s\n", a, b);
        na = nb = 0;
    }
    memcpy(dst, a, na);
    dst[na] = '/';
    memcpy(dst + na + 1, b, nb);
    dst[na + 1 + nb] = '\0';
}

/* Copy into LINE (SIZE bytes) the line of TEXT holding NEEDLE; 0 if none. */
SHELL_UNUSED static int line_with(const char *text, const char *needle, char *line, size_t size)
{
    const char *hit = strstr(text, needle);
    if (!hit)
        return 0;
    const char *start = hit;
    while (start > text && start[-1] != '\n')
        start--;
    const char *end = strchr(hit, '\n');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    if (n >= size)
        n = size - 1;
    memcpy(line, start, n);
    line[n] = '\0';
    return 1;
}

/* The summary line of an indexer run: the last line of stderr naming "files". */
SHELL_UNUSED static int summary_line(const char *err, char *line, size_t size)
{
    const char *last = NULL;
    for (const char *p = err; (p = strstr(p, " files (")); p++)
        last = p;
    if (!last)
        return 0;
    const char *start = last;
    while (start > err && start[-1] != '\n')
        start--;
    return line_with(start, " files (", line, size);
}

/* In the summary line, the number written just before " WORD" (e.g. "3 added"),
 * or -1 when there is none. */
SHELL_UNUSED static long count_before(const char *line, const char *word)
{
    char pat[64];
    snprintf(pat, sizeof pat, " %s", word);
    for (const char *p = strstr(line, pat); p; p = strstr(p + 1, pat)) {
        const char *d = p;
        while (d > line && d[-1] >= '0' && d[-1] <= '9')
            d--;
        if (d < p && (d == line || d[-1] == ' ' || d[-1] == '(' || d[-1] == ','))
            return strtol(d, NULL, 10);
    }
    return -1;
}

/* OUT (PATH_MAX bytes) = the absolute form of PATH; -1 (said) when it is not
 * there. */
SHELL_UNUSED static int absolute(const char *path, char *out)
{
    if (!realpath(path, out)) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* What every end-to-end test starts with: the two tools found in
 * $RUBRIC_BUILD (default "build") as absolute paths into INDEXER and QUERY, a
 * fresh temporary directory rubric-test-NAME-XXXXXX into TMP (all PATH_MAX
 * bytes), and no $RUBRIC_DB to choose an index behind the tests' back.
 * Returns 0, or -1 after saying why. */
SHELL_UNUSED static int shell_setup(const char *name, char *indexer, char *query, char *tmp)
{
    const char *build = getenv("RUBRIC_BUILD"), *tmpdir = getenv("TMPDIR");
    char p[PATH_MAX];
    build = build && *build ? build : "build";
    snprintf(p, sizeof p, "%s/rubric-index", build);
    if (absolute(p, indexer) < 0)
        return -1;
    snprintf(p, sizeof p, "%s/rubric-query", build);
    if (absolute(p, query) < 0)
        return -1;
    snprintf(tmp, PATH_MAX, "%s/rubric-test-%s-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp", name);
    if (!mkdtemp(tmp)) {
        fprintf(stderr, "test_%s: mkdtemp %s: %s\n", name, tmp, strerror(errno));
        return -1;
    }
    unsetenv("RUBRIC_DB");
    return 0;
}

#endif
