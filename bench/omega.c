/* omega.c: Xapian's Omega as a page-level baseline for rubric's ranking, on
 * the same trees and judged queries.
 *
 *   build/omega-eval --db DB [--prefix P] [-v] FILE.tsv...
 *
 * DB is an omindex database of the tree at P built with `--url /`, so that a
 * page's url is its path under P with a '/' before it (bench/omega-eval.sh
 * builds it). Each judged query is run by Omega's command-line search,
 * a process of its own, as a user would type it into Omega's search box:
 *
 *   quest -d DB -m 10 -o and -- QUERY
 *
 * with quest's query parser flags (phrases, boolean operators, +/-), its
 * stop words and its English stemming, as omindex stems by default. `-o and`:
 * Omega's own default operator is AND since 1.3.0 (its DEFAULTOP parameter),
 * while quest's is OR; and as Omega does, there is no fallback when AND finds
 * nothing. A query Omega cannot parse (a lone `AND`) gets no results, as
 * Omega shows an error for it.
 *
 * A hit of quest's output is a line `DOCID: [WEIGHT]` followed by the
 * document's data, which omindex opens with `url=URL`. The url, %-escapes
 * decoded, after P is the hit's path, judged by tests/judge.c at page level
 * only (Omega returns pages), exactly as build/eval judges rubric's pages;
 * the output is build/eval's, without section figures, with the median time
 * of a query (quest's process, start to exit) under each file's figures.
 *
 * Exit status: 0 when every file was evaluated, 1 when a file could not be
 * read, 2 on a usage error, 4 when quest cannot be run on DB.
 */
#include <errno.h>
#include <getopt.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "judge.h"

extern char **environ;

static const char usage_text[] =
    "usage: omega-eval --db DB [--prefix P] [-v] FILE.tsv...\n"
    "Run judged queries (query<TAB>path#anchor ...) through quest on the omindex\n"
    "database DB of the tree at P and print success@1, success@10 and MRR@10 of\n"
    "pages per file, as build/eval does for rubric.\n";

static void out_of_memory(void)
{
    fputs("omega-eval: out of memory\n", stderr);
    exit(1);
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

typedef struct searcher {
    const char *db;
    const char *prefix; /* the tree's root, put before each url ("" for none) */
    int broken;         /* quest could not be run at all: the run is worthless */
    judge_times times;  /* microseconds per query of the current file */
} searcher;

/* Run quest on QUERY; its standard output into OUT. The exit status, or -1
 * when quest could not be started (in ERR). */
static int run_quest(const searcher *s, const char *query, buf *out, char *err, size_t errlen)
{
    int fd[2];
    if (pipe(fd) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    posix_spawn_file_actions_addclose(&fa, fd[1]);
    /* "--": a query may start with '-' (a word to leave out). */
    char *argv[] = {"quest", "-d", (char *)s->db, "-m", "10", "-o", "and", "--",
                    (char *)query, NULL};
    pid_t pid;
    int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    if (e) {
        close(fd[0]);
        snprintf(err, errlen, "cannot run quest: %s", strerror(e));
        return -1;
    }
    char chunk[8192];
    ssize_t n;
    while ((n = read(fd[0], chunk, sizeof chunk)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (buf_add(out, chunk, (size_t)n) < 0)
            out_of_memory();
    }
    close(fd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(err, errlen, "waitpid: %s", strerror(errno));
            return -1;
        }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The page of a url (LEN bytes, '/' first): PREFIX, then the url with its
 * %-escapes decoded. Caller frees with free(). */
static char *page_of(const char *prefix, const char *url, size_t len)
{
    buf b = {0};
    if (buf_adds(&b, prefix) < 0)
        out_of_memory();
    if (!*prefix)
        while (len && *url == '/')
            url++, len--;
    for (size_t i = 0; i < len; i++) {
        char c = url[i];
        if (c == '%' && i + 2 < len && hex(url[i + 1]) >= 0 && hex(url[i + 2]) >= 0) {
            c = (char)(hex(url[i + 1]) * 16 + hex(url[i + 2]));
            i += 2;
        }
        if (buf_addc(&b, c) < 0)
            out_of_memory();
    }
    return buf_detach(&b);
}

/* The pages of quest's OUTPUT, in rank order, at most JUDGE_LIMIT; their
 * number. Each `DOCID: [WEIGHT]` line opens a hit; its data's `url=` line
 * names it. */
static size_t parse_hits(const searcher *s, const char *output, char **pages)
{
    size_t n = 0;
    int in_hit = 0;
    for (const char *p = output; *p && n < JUDGE_LIMIT;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        size_t digits = strspn(p, "0123456789");
        if (digits && digits + 3 <= len && memcmp(p + digits, ": [", 3) == 0 && p[len - 1] == ']')
            in_hit = 1;
        else if (in_hit && len >= 4 && memcmp(p, "url=", 4) == 0) {
            pages[n++] = page_of(s->prefix, p + 4, len - 4);
            in_hit = 0;
        }
        p += len + (eol != NULL);
    }
    return n;
}

static judge_rank run_query(void *ctx, const char *query, const char *targets, char *first,
                            size_t firstlen)
{
    searcher *s = ctx;
    judge_rank rank = {0, 0};
    buf out = {0};
    char err[256];
    double t0 = now_us();
    int rc = run_quest(s, query, &out, err, sizeof err);
    double t = now_us() - t0;
    judge_time(&s->times, t);
    const char *text = out.data ? out.data : "";
    if (rc != 0) {
        /* quest says why on its standard output ("Couldn't parse query: ..."). */
        if (rc > 0)
            snprintf(err, sizeof err, "quest exit %d: %.*s", rc, (int)strcspn(text, "\n"), text);
        snprintf(first, firstlen, "(error: %s)", err);
        /* A query quest cannot parse is a miss; quest failing on every
         * query (no such database) is a failed run. */
        if (rc < 0 || !strstr(text, "parse query"))
            s->broken = 1;
        buf_free(&out);
        return rank;
    }
    char *pages[JUDGE_LIMIT];
    size_t n = parse_hits(s, text, pages);
    buf_free(&out);
    if (n)
        snprintf(first, firstlen, "%s", pages[0]);
    else
        snprintf(first, firstlen, "(no results)");
    judge_hit hits[JUDGE_LIMIT];
    for (size_t i = 0; i < n; i++)
        hits[i] = (judge_hit){pages[i], NULL};
    rank = judge_hits(hits, n, targets);
    for (size_t i = 0; i < n; i++)
        free(pages[i]);
    return rank;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"prefix", required_argument, NULL, 'p'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    searcher s;
    memset(&s, 0, sizeof s);
    s.prefix = "";
    int verbose = 0, c;
    while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': s.db = optarg; break;
        case 'p': s.prefix = optarg; break;
        case 'v': verbose = 1; break;
        case 'h': fputs(usage_text, stdout); return 0;
        default: fputs(usage_text, stderr); return 2;
        }
    }
    if (!s.db || optind >= argc) {
        fputs(usage_text, stderr);
        return 2;
    }
    /* The url follows the root: "/usr/share/doc/bash" + "/bashref.html". */
    char *root = strdup(s.prefix);
    if (!root)
        out_of_memory();
    for (size_t len = strlen(root); len > 1 && root[len - 1] == '/';)
        root[--len] = '\0';
    s.prefix = root;
    judge_init("omega-eval", *root ? root : NULL, 1);
    int nfiles = argc - optind, status = 0;
    judge_figures *figs = calloc((size_t)nfiles, sizeof *figs);
    int *ok = calloc((size_t)nfiles, sizeof *ok);
    if (!figs || !ok)
        out_of_memory();
    for (int i = 0; i < nfiles && !s.broken; i++) {
        ok[i] = judge_file(argv[optind + i], verbose, run_query, &s, &figs[i]) == 0;
        if (!ok[i]) {
            status = 1;
            continue;
        }
        double max, med = judge_times_median(&s.times, &max);
        if (max > 0)
            printf("   median %.1f ms per query, a quest process each (max %.1f ms)\n",
                   med / 1e3, max / 1e3);
    }
    if (s.broken) {
        fprintf(stderr, "omega-eval: quest fails on %s: no figures\n", s.db);
        status = 4;
    } else {
        for (int i = 0; i < nfiles; i++)
            if (ok[i])
                judge_summary(argv[optind + i], &figs[i]);
    }
    free(figs);
    free(ok);
    free(s.times.v);
    free(root);
    judge_cleanup();
    return status;
}
