/* test_shards.c: sets of shards searched as one answer as one index of the
 * same files does.
 *
 * One tree (corpus/, tests/fixtures/ and, when Debian's python3.11-doc is
 * installed, the library pages beginning with "s" with their reStructuredText
 * sources) is indexed by build/rubric-index as one index and as sets of 1, 2
 * and 3 shards. Every query of bench/queries.txt and a table of every
 * operator is then run on each through the library, plainly, with explain,
 * grouped by article, with fragments and as typed: the same hits in the same
 * order, scores within 1e-9, the same explanations, counts and suggestions.
 * Then what a set's writer and readers refuse, and what keeps a set whole
 * across runs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "rubric.h"
#include "shell.h"
#include "wire.h"

#define PYDOCS "/usr/share/doc/python3.11/html"

static char g_index[PATH_MAX], g_query[PATH_MAX], g_tmp[PATH_MAX], g_err[PATH_MAX];
static char g_src[PATH_MAX];  /* the source tree of the repository */
static char g_tree[PATH_MAX]; /* the tree indexed */
static int g_pydocs;          /* the tree holds Python pages and their sources */

static void sh(cmd *c, const char *body)
{
    shell_run(c, g_tmp, g_index, g_query, g_err, body);
}

/* Run BODY; 0 when it exits WANT, else -1 with what it said. */
static int sh_expect(const char *body, int want)
{
    cmd c;
    sh(&c, body);
    int ok = c.status == want;
    if (!ok)
        fprintf(stderr, "  %s: exit %d (want %d): %s%s\n", body, c.status, want, c.out, c.err);
    cmd_free(&c);
    return ok ? 0 : -1;
}

/* What one search gave, in a form two indexes' answers compare in. */
typedef struct answer {
    int rc;
    size_t n, total;
    int exact, corrected;
    char *suggestion;
    char **ids;      /* path#anchor/part */
    double *scores;
    size_t *more_parts;
    char **explain;  /* each hit's contributions: field word wdf df, weights apart */
    double **weights;
    size_t *nweights;
    size_t narticles;
    size_t articles[64];  /* by article: each one's matching passages */
} answer;

static void answer_free(answer *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->ids[i]);
        free(a->explain[i]);
        free(a->weights[i]);
    }
    free(a->ids);
    free(a->scores);
    free(a->more_parts);
    free(a->explain);
    free(a->weights);
    free(a->nweights);
    free(a->suggestion);
    memset(a, 0, sizeof *a);
}

enum { MODE_PLAIN, MODE_EXPLAIN, MODE_ARTICLES, MODE_FRAGMENTS, MODE_PREFIX, MODES };
static const char *const mode_names[MODES] = {"plain", "explain", "per-article 2", "fragments 2",
                                              "prefix"};

static void ask(rubric_db *db, const char *q, int mode, answer *a)
{
    memset(a, 0, sizeof *a);
    rubric_search_opts o;
    rubric_search_opts_init(&o);
    o.limit = 10;
    /* No deadline: a slow moment must not cut one search short and not
     * the other. */
    o.time_budget = 60;
    o.explain = mode == MODE_EXPLAIN;
    o.per_article = mode == MODE_ARTICLES ? 2 : 0;
    o.fragments = mode == MODE_FRAGMENTS ? 2 : 0;
    o.prefix = mode == MODE_PREFIX;
    rubric_results *r = NULL;
    char *err = NULL;
    a->rc = rubric_search(db, q, strlen(q), &o, &r, &err);
    free(err);
    if (a->rc != RUBRIC_OK)
        return;
    a->n = rubric_results_count(r);
    a->total = rubric_results_total(r);
    a->exact = rubric_results_total_exact(r);
    a->corrected = rubric_results_corrected(r);
    const char *s = rubric_results_suggestion(r);
    a->suggestion = s ? strdup(s) : NULL;
    a->narticles = rubric_results_article_count(r);
    for (size_t i = 0; i < a->narticles && i < 64; i++)
        a->articles[i] = rubric_results_article(r, i)->matches;
    a->ids = calloc(a->n + 1, sizeof *a->ids);
    a->scores = calloc(a->n + 1, sizeof *a->scores);
    a->more_parts = calloc(a->n + 1, sizeof *a->more_parts);
    a->explain = calloc(a->n + 1, sizeof *a->explain);
    a->weights = calloc(a->n + 1, sizeof *a->weights);
    a->nweights = calloc(a->n + 1, sizeof *a->nweights);
    for (size_t i = 0; i < a->n; i++) {
        const rubric_hit *h = rubric_results_hit(r, i);
        if (asprintf(&a->ids[i], "%s#%s/%u", h->path, h->anchor, h->part) < 0)
            a->ids[i] = NULL;
        a->scores[i] = h->score;
        a->more_parts[i] = h->more_parts;
        size_t cap = 64, len = 0;
        char *e = calloc(1, cap);
        a->weights[i] = calloc(h->nexplain + 1, sizeof **a->weights);
        a->nweights[i] = h->nexplain;
        for (size_t k = 0; e && k < h->nexplain; k++) {
            const rubric_contribution *c = &h->explain[k];
            char one[512];
            int m = snprintf(one, sizeof one, "%s %s %u %zu %.9g; ", c->field, c->word, c->wdf,
                             c->df, c->scale);
            if (m > 0 && len + (size_t)m + 1 > cap) {
                cap = 2 * (len + (size_t)m + 1);
                char *p = realloc(e, cap);
                if (!p)
                    break;
                e = p;
            }
            if (m > 0) {
                memcpy(e + len, one, (size_t)m + 1);
                len += (size_t)m;
            }
            a->weights[i][k] = c->weight;
        }
        a->explain[i] = e;
    }
    rubric_results_free(r);
}

/* Scores agree to this share. A wildcard (and a word being typed, which
 * also matches the words it begins) is one synonym of its words, whose
 * frequency Xapian estimates shard by shard: its weight may differ by a
 * fraction of a percent, and is compared to that. */
static double g_tolerance = 1e-9;
#define WILD_TOLERANCE 1e-2

static int close_enough(double x, double y)
{
    return fabs(x - y) <= g_tolerance * (fabs(x) > 1 ? fabs(x) : 1);
}

/* Compare B (from the set named WHAT) with A (one index); the first
 * difference is said. */
static int same_answer(const answer *a, const answer *b, const char *q, int mode, const char *what)
{
    const char *why = NULL;
    size_t at = 0;
    if (a->rc != b->rc)
        why = "status";
    else if (a->n != b->n)
        why = "number of hits";
    else if (a->exact && (!b->exact || a->total != b->total))
        why = "count of matches";  /* a set, looking at every match, may know more */
    else if (a->narticles != b->narticles)
        why = "number of articles";
    for (size_t k = 0; !why && a->exact && k < a->narticles && k < 10; k++)
        if (a->articles[k] != b->articles[k])
            why = "an article's matches";
    else if (a->corrected != b->corrected ||
             (a->suggestion ? !b->suggestion || strcmp(a->suggestion, b->suggestion)
                            : b->suggestion != NULL))
        why = "suggestion";
    /* The top ten: past them, passages of equal weight may be cut at
     * another one (a page's parts kept by article). */
    for (; !why && at < a->n && at < 10; at++) {
        if (!a->ids[at] || !b->ids[at] || strcmp(a->ids[at], b->ids[at])) {
            /* Weights equal to rounding (sums made in another order) are a
             * tie, which may fall either way: the passage must then be one
             * of the one index's of that weight. */
            int tie = close_enough(a->scores[at], b->scores[at]) &&
                      close_enough(a->scores[a->n - 1], b->scores[at]);  /* past the list */
            for (size_t k = 0; b->ids[at] && k < a->n && !tie; k++)
                tie = a->ids[k] && strcmp(a->ids[k], b->ids[at]) == 0 &&
                      close_enough(a->scores[k], b->scores[at]) &&
                      close_enough(a->scores[at], b->scores[at]);
            if (!tie) {
                why = "passage";
                break;
            }
            continue;
        }
        if (!close_enough(a->scores[at], b->scores[at]))
            why = "score";
        else if (a->exact && a->more_parts[at] != b->more_parts[at])
            why = "other parts matched";
        else if (strcmp(a->explain[at], b->explain[at]) || a->nweights[at] != b->nweights[at])
            why = "explanation";
        for (size_t k = 0; !why && k < a->nweights[at]; k++)
            if (!close_enough(a->weights[at][k], b->weights[at][k]))
                why = "explained weight";
        if (why)
            break;
    }
    if (!why)
        return 1;
    fprintf(stderr, "  %s, %s: '%s': %s differs", what, mode_names[mode], q, why);
    if (at < a->n && at < b->n)
        fprintf(stderr, " at rank %zu: %s %.17g against %s %.17g", at + 1,
                a->ids[at] ? a->ids[at] : "?", a->scores[at], b->ids[at] ? b->ids[at] : "?",
                b->scores[at]);
    fprintf(stderr, " (one index: %zu hits, total %zu; set: %zu, total %zu)\n", a->n, a->total,
            b->n, b->total);
    return 0;
}

/* The queries: bench/queries.txt, and one of each operator and form. */
static char **g_queries;
static size_t g_nqueries;

static const char *const operator_queries[] = {
    "honey", "queen bee", "\"queen bee\"", "queen OR drone", "bees -honey", "(bees OR wax) hive",
    "hive NEAR queen", "hive NEAR/3 queen", "\"hive queen\"~4", "swarm*", "s*", "str*",
    "title:hive", "path:library/", "=Hive", "beez", "pyhton strng", "regular expression",
    "socket timeout", "how do I split a string", "the of and", "sys.getrecursionlimit",
    "getrecursionlimit configuration setting", "lang:en", "bees tag:nothing", "zzzzqqq",
};

/* Append a copy of Q to the queries; -1 when out of memory. */
static int add_query(const char *q, size_t *cap)
{
    if (g_nqueries == *cap) {
        *cap = *cap ? 2 * *cap : 256;
        char **p = realloc(g_queries, *cap * sizeof *p);
        if (!p)
            return -1;
        g_queries = p;
    }
    return (g_queries[g_nqueries++] = strdup(q)) ? 0 : -1;
}

static int load_queries(void)
{
    char path[PATH_MAX];
    path_join(path, g_src, "bench/queries.txt");
    char *text = slurp(path, NULL);
    if (!text)
        return -1;
    size_t cap = 0;
    int rc = 0;
    for (char *line = strtok(text, "\n"); line && rc == 0; line = strtok(NULL, "\n"))
        if (*line && *line != '#')
            rc = add_query(line, &cap);
    free(text);
    for (size_t i = 0; rc == 0 && i < sizeof operator_queries / sizeof *operator_queries; i++)
        rc = add_query(operator_queries[i], &cap);
    return rc;
}

static rubric_db *open_db(const char *name)
{
    char path[PATH_MAX];
    path_join(path, g_tmp, name);
    rubric_db *db = NULL;
    char *err = NULL;
    if (rubric_db_open(path, &db, &err) != RUBRIC_OK)
        fprintf(stderr, "  cannot open %s: %s\n", path, err ? err : "?");
    free(err);
    return db;
}

/* The tree is indexed as one index and as sets of 1, 2 and 3 shards. */
static int build_all(void)
{
    char body[PATH_MAX * 3];
    snprintf(body, sizeof body,
             "$I -q --db one %s && $I -q --shards 1 --db set1 %s && $I -q --shards 2 --db set2 %s && "
             "$I -q --shards 3 -j 1 --db set3 %s",
             sq(g_tree), sq(g_tree), sq(g_tree), sq(g_tree));
    return sh_expect(body, 0);
}

/* The sets compared with one index, and their shards: local, then served
 * by xapian-tcpsrv on loopback when it is installed (stubs of remote lines,
 * and one of a remote shard beside a local one). */
static const char *g_sets[6] = {"set1", "set2", "set3"};
static const size_t g_set_shards[6] = {1, 2, 3, 2, 3, 2};
static size_t g_nsets = 3;

static void compare_sets(size_t first, size_t last)
{
    rubric_db *one = open_db("one");
    CHECK(one != NULL);
    size_t compared = 0, hits = 0;
    for (size_t s = first; one && s < last; s++) {
        rubric_db *set = open_db(g_sets[s]);
        CHECK(set != NULL);
        if (!set)
            continue;
        CHECK(rubric_db_shards(set) == g_set_shards[s]);
        CHECK(rubric_db_passages(set) == rubric_db_passages(one));
        size_t differ = 0;
        for (size_t i = 0; i < g_nqueries; i++)
            for (int mode = 0; mode < MODES; mode++) {
                answer a, b;
                g_tolerance = mode == MODE_PREFIX || strchr(g_queries[i], '*') ? WILD_TOLERANCE
                                                                                : 1e-9;
                ask(one, g_queries[i], mode, &a);
                ask(set, g_queries[i], mode, &b);
                /* At most a few said in full: the first shows what is wrong. */
                if (!same_answer(&a, &b, g_queries[i], mode, g_sets[s]) && ++differ > 5) {
                    answer_free(&a);
                    answer_free(&b);
                    goto next;
                }
                compared++;
                hits += a.n;
                answer_free(&a);
                answer_free(&b);
            }
    next:
        CHECK(differ == 0);
        rubric_db_close(set);
    }
    rubric_db_close(one);
    printf("     %zu queries, %d modes, %zu sets: %zu answers alike, %zu hits\n", g_nqueries,
           MODES, last - first, compared, hits);
    CHECK(hits > 1000);
}

static void a_set_of_shards_answers_as_one_index_does(void)
{
    compare_sets(0, 3);
}

/* ---------------------------------------------------------- remote shards */

static pid_t g_servers[16];
static size_t g_nservers;

/* A port on loopback that nothing listens on now. */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static int accepts(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* Run SERVER (xapian-tcpsrv or xapian-replicate-server) on loopback with
 * ARG last: the port it listens on, or -1 when it does not within 5 s. */
static int start_server_idle(const char *server, const char *arg, const char *idle_ms);

static int start_server(const char *server, const char *arg)
{
    return start_server_idle(server, arg, NULL);
}

/* ... and, given IDLE_MS, xapian-tcpsrv closes a connection idle that long. */
static int start_server_idle(const char *server, const char *arg, const char *idle_ms)
{
    char portstr[16];
    int port = free_port();
    if (port < 0 || g_nservers == sizeof g_servers / sizeof *g_servers)
        return -1;
    snprintf(portstr, sizeof portstr, "%d", port);
    int tcpsrv = strcmp(server, "xapian-tcpsrv") == 0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* A group of its own: on SIGTERM it signals its whole group. */
        setpgid(0, 0);
        /* What it says of connections the client closed is not ours. */
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        if (tcpsrv && idle_ms)
            execlp(server, server, "--quiet", "--interface", "127.0.0.1", "--port", portstr,
                   "--idle-timeout", idle_ms, arg, (char *)NULL);
        else if (tcpsrv)
            execlp(server, server, "--quiet", "--interface", "127.0.0.1", "--port", portstr, arg,
                   (char *)NULL);
        else
            execlp(server, server, "-I", "127.0.0.1", "-p", portstr, arg, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    g_servers[g_nservers++] = pid;
    for (int i = 0; i < 500 && !accepts(port); i++)
        usleep(10000);
    return accepts(port) ? port : -1;
}

/* Serve the shard NAME (under the test's folder) with xapian-tcpsrv. */
static int serve_shard(const char *name)
{
    char path[PATH_MAX];
    path_join(path, g_tmp, name);
    return start_server("xapian-tcpsrv", path);
}

static void stop_servers(void)
{
    for (size_t i = 0; i < g_nservers; i++) {
        kill(g_servers[i], SIGTERM);
        waitpid(g_servers[i], NULL, 0);
    }
    g_nservers = 0;
}

/* Stubs of remote shards: set2's and set3's served, and set2's first served
 * beside its second read locally. 0, or -1 when a server did not start. */
static int serve_sets(void)
{
    char stub[PATH_MAX], text[512];
    int p[5];
    static const char *const shards[5] = {"set2/shard-0", "set2/shard-1", "set3/shard-0",
                                          "set3/shard-1", "set3/shard-2"};
    for (int i = 0; i < 5; i++)
        if ((p[i] = serve_shard(shards[i])) < 0)
            return -1;
    static const char *const names[3] = {"remote2.stub", "remote3.stub", "mixed.stub"};
    for (int k = 0; k < 3; k++) {
        if (k == 0)
            snprintf(text, sizeof text, "remote 127.0.0.1:%d\nremote 127.0.0.1:%d\n", p[0], p[1]);
        else if (k == 1)
            snprintf(text, sizeof text, "# set3, served\nremote 127.0.0.1:%d\nremote tcp "
                     "127.0.0.1:%d\nremote 127.0.0.1:%d\n", p[2], p[3], p[4]);
        else
            snprintf(text, sizeof text, "remote 127.0.0.1:%d\nauto set2/shard-1\n", p[0]);
        path_join(stub, g_tmp, names[k]);
        if (write_file(stub, text, strlen(text)) < 0)
            return -1;
        g_sets[g_nsets++] = names[k];
    }
    return 0;
}

static void remote_shards_answer_as_one_index_does(void)
{
    if (g_nsets == 3) {
        printf("SKIP xapian-tcpsrv is missing (Debian xapian-tools): no remote shards\n");
        return;
    }
    compare_sets(3, g_nsets);
}

/* A listener on loopback that never accepts: the kernel completes the
 * connection and nothing ever answers. Its port, or -1. */
static int black_hole(int *fd)
{
    *fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(*fd, 8) != 0 ||
        getsockname(*fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    return ntohs(a.sin_port);
}

static void a_shard_that_hangs_fails_within_the_timeout(void)
{
    int fd = -1, port = black_hole(&fd);
    CHECK(port > 0);
    char text[128], stub[PATH_MAX], body[256];
    snprintf(text, sizeof text, "auto set2/shard-0\nremote 127.0.0.1:%d\n", port);
    path_join(stub, g_tmp, "hung.stub");
    CHECK(write_file(stub, text, strlen(text)) == 0);
    /* Xapian's own stubs wait 10 s; --timeout 300 gives up long before the
     * 5 s after which the run is killed (status 124). */
    cmd c;
    snprintf(body, sizeof body, "timeout 5 $Q --timeout 300 --db hung.stub bees");
    sh(&c, body);
    CHECK(c.status == 5);
    char where[64];
    snprintf(where, sizeof where, "127.0.0.1:%d", port);
    CHECK(strstr(c.err, where) != NULL);
    cmd_free(&c);
    CHECK(sh_expect("$Q --timeout 0 --db one bees", 2) == 0);
    if (fd >= 0)
        close(fd);
}

static void a_connection_the_shard_closed_when_idle_is_opened_again(void)
{
    if (g_nsets == 3) {
        printf("SKIP xapian-tcpsrv is missing (Debian xapian-tools)\n");
        return;
    }
    char path[PATH_MAX], text[128], stub[PATH_MAX];
    path_join(path, g_tmp, "set2/shard-1");
    int port = start_server_idle("xapian-tcpsrv", path, "300");
    CHECK(port > 0);
    snprintf(text, sizeof text, "auto set2/shard-0\nremote 127.0.0.1:%d\n", port);
    path_join(stub, g_tmp, "idle.stub");
    CHECK(write_file(stub, text, strlen(text)) == 0);
    rubric_db *db = open_db("idle.stub"), *one = open_db("one");
    CHECK(db && one);
    for (int round = 0; db && one && round < 2; round++) {
        /* The second search comes after the server dropped the connection. */
        if (round)
            usleep(1000 * 1000);
        answer a, b;
        g_tolerance = 1e-9;
        ask(one, "socket timeout", MODE_PLAIN, &a);
        ask(db, "socket timeout", MODE_PLAIN, &b);
        CHECK(b.rc == RUBRIC_OK && a.n > 0);
        CHECK(same_answer(&a, &b, "socket timeout", MODE_PLAIN, "idle.stub"));
        answer_free(&a);
        answer_free(&b);
    }
    rubric_db_close(db);
    rubric_db_close(one);
}

/* xapian-replicate once from the master on PORT, its database NAME, into
 * the folder REPLICA of the test's folder: what it said ("N copies, M
 * changesets"). */
static char *replicate_into(int port, const char *name, const char *replica)
{
    char body[512];
    snprintf(body, sizeof body,
             "xapian-replicate -o -v -r 0 -h 127.0.0.1 -p %d -m %s %s 2>&1 | grep complete", port,
             name, replica);
    cmd c;
    sh(&c, body);
    char *said = strdup(c.out);
    cmd_free(&c);
    return said;
}

static char *replicate(int port)
{
    return replicate_into(port, "docs", "replica");
}

/* Pull each shard of the set "docs" from PORT into sreplica/docs: how many
 * pulls were copies and how many changesets came, over all the shards;
 * -1 and -1 when a pull said nothing. */
static void replicate_set(int port, size_t nshards, long *copies, long *changesets)
{
    *copies = *changesets = 0;
    for (size_t k = 0; k < nshards; k++) {
        char name[32], replica[64];
        snprintf(name, sizeof name, "docs/shard-%zu", k);
        snprintf(replica, sizeof replica, "sreplica/docs/shard-%zu", k);
        char *said = replicate_into(port, name, replica);
        long c, m;
        const char *at = said ? strstr(said, "complete: ") : NULL;
        if (!at || sscanf(at, "complete: %ld copies, %ld changesets", &c, &m) != 2) {
            fprintf(stderr, "  %s: %s\n", name, said ? said : "(nothing)");
            *copies = *changesets = -1;
            free(said);
            return;
        }
        *copies += c;
        *changesets += m;
        free(said);
    }
}

/* Each query of QS answered alike by the sets A and B. */
static void sets_answer_alike(const char *a, const char *b, const char *const *qs, size_t n)
{
    rubric_db *x = open_db(a), *y = open_db(b);
    CHECK(x && y);
    g_tolerance = 1e-9;
    for (size_t i = 0; x && y && i < n; i++) {
        answer p, q;
        ask(x, qs[i], MODE_PLAIN, &p);
        ask(y, qs[i], MODE_PLAIN, &q);
        CHECK(p.rc == RUBRIC_OK && p.n > 0);
        CHECK(same_answer(&p, &q, qs[i], MODE_PLAIN, b));
        answer_free(&p);
        answer_free(&q);
    }
    rubric_db_close(x);
    rubric_db_close(y);
}

/* A set's shards are replicated one by one, each a folder of its own beside
 * a copy of the set's stub: the replica answers as the master does, an
 * incremental run travels as changesets, a rebuild as copies. */
static void each_shard_of_a_set_is_replicated(void)
{
    if (system("command -v xapian-replicate-server >/dev/null 2>&1") != 0) {
        printf("SKIP xapian-replicate-server is missing (Debian xapian-tools)\n");
        return;
    }
    CHECK(sh_expect("rm -rf smaster sreplica ssite && mkdir -p smaster sreplica/docs && "
                    "cp -r tree/corpus ssite && cp -r tree/fixtures ssite/fixtures && "
                    "$I -q --shards 2 --db smaster/docs ssite && "
                    "cp smaster/docs/XAPIANDB sreplica/docs/",
                    0) == 0);
    char master[PATH_MAX];
    path_join(master, g_tmp, "smaster");
    int port = start_server("xapian-replicate-server", master);
    CHECK(port > 0);
    if (port <= 0)
        return;
    static const char *const qs[] = {"queen bee", "honey extraction", "propolis", "the"};
    long copies, changesets;
    replicate_set(port, 2, &copies, &changesets);
    CHECK(copies == 2);
    sets_answer_alike("smaster/docs", "sreplica/docs", qs, 2);
    /* A page added lands in one shard; every shard's pull is changesets. */
    CHECK(sh_expect("printf '<h1>Propolis</h1><p>Bees seal the hive with propolis.</p>' > "
                    "ssite/propolis.html && $I -q --db smaster/docs ssite",
                    0) == 0);
    replicate_set(port, 2, &copies, &changesets);
    CHECK(copies == 0 && changesets >= 1);
    sets_answer_alike("smaster/docs", "sreplica/docs", qs, sizeof qs / sizeof *qs);
    CHECK(sh_expect("$I --status --db sreplica/docs | grep -q '^passages: '", 0) == 0);
    /* A rebuild makes new databases: copies again. */
    CHECK(sh_expect("$I -q --rebuild --db smaster/docs ssite", 0) == 0);
    replicate_set(port, 2, &copies, &changesets);
    CHECK(copies == 2);
    sets_answer_alike("smaster/docs", "sreplica/docs", qs, sizeof qs / sizeof *qs);
}

static void a_replica_follows_by_changesets_and_a_rebuild_by_a_copy(void)
{
    if (system("command -v xapian-replicate-server >/dev/null 2>&1") != 0) {
        printf("SKIP xapian-replicate-server is missing (Debian xapian-tools)\n");
        return;
    }
    CHECK(sh_expect("rm -rf master replica site && mkdir master && cp -r tree/corpus site && "
                    "$I -q --db master/docs site", 0) == 0);
    char master[PATH_MAX];
    path_join(master, g_tmp, "master");
    int port = start_server("xapian-replicate-server", master);
    CHECK(port > 0);
    if (port <= 0)
        return;
    /* The first pull is a copy, and the replica answers. */
    char *said = replicate(port);
    CHECK(said && strstr(said, "1 copies"));
    free(said);
    CHECK(sh_expect("$Q --db replica -n 1 queen | grep -q Apiary", 0) == 0);
    /* An incremental run travels as its changes, and the replica sees the
     * new revision whole. */
    CHECK(sh_expect("printf '<h1>Propolis</h1><p>Bees seal the hive with propolis.</p>' > "
                    "site/propolis.html && $I -q --db master/docs site", 0) == 0);
    said = replicate(port);
    CHECK(said && strstr(said, "0 copies, 1 changesets"));
    free(said);
    CHECK(sh_expect("$Q --db replica -n 1 propolis | grep -q Propolis", 0) == 0);
    CHECK(sh_expect("$I --status --db replica | grep -qx 'revision: 2'", 0) == 0);
    /* A rebuild is a new database: a copy again. */
    CHECK(sh_expect("$I -q --rebuild --db master/docs site", 0) == 0);
    said = replicate(port);
    CHECK(said && strstr(said, "1 copies"));
    free(said);
    CHECK(sh_expect("$Q --db replica -n 1 propolis | grep -q Propolis", 0) == 0);
}

/* The messages one search sends the shards behind relays W, by type. */
static void count_search(rubric_db *db, wire **w, size_t limit, wire_counts *sum, size_t *hits)
{
    rubric_search_opts o;
    rubric_search_opts_init(&o);
    o.limit = limit;
    o.explain = 1;
    rubric_results *r = NULL;
    wire_reset(w[0]);
    wire_reset(w[1]);
    CHECK(rubric_search(db, "queen bee hive", 14, &o, &r, NULL) == RUBRIC_OK);
    *hits = r ? rubric_results_count(r) : 0;
    rubric_results_free(r);
    memset(sum, 0, sizeof *sum);
    for (int k = 0; k < 2; k++) {
        wire_counts c;
        wire_read(w[k], &c);
        for (int t = 0; t < WIRE_TYPES; t++)
            sum->msgs[t] += c.msgs[t];
    }
}

/* A search asks the remote shards for its words' frequencies at once, in a
 * match of its own (one query message to each shard), not a round trip per
 * word and shard; explaining its hits asks none again, and each hit's
 * length once. Searched again while no shard moved on, it asks for neither
 * frequencies nor metadata. Counted by a relay in front of each of set2's
 * shards. */
static void a_remote_search_asks_frequencies_at_once(void)
{
    if (g_nsets == 3) {
        printf("SKIP xapian-tcpsrv is missing (Debian xapian-tools)\n");
        return;
    }
    int port[2], via[2];
    wire *w[2] = {NULL, NULL};
    CHECK((port[0] = serve_shard("set2/shard-0")) > 0 && (port[1] = serve_shard("set2/shard-1")) > 0);
    for (int k = 0; k < 2; k++)
        CHECK((w[k] = wire_start(port[k], &via[k])) != NULL);
    if (!w[0] || !w[1]) {
        wire_stop(w[0]);
        wire_stop(w[1]);
        return;
    }
    char text[128], stub[PATH_MAX];
    snprintf(text, sizeof text, "remote 127.0.0.1:%d\nremote 127.0.0.1:%d\n", via[0], via[1]);
    path_join(stub, g_tmp, "counted.stub");
    CHECK(write_file(stub, text, strlen(text)) == 0);
    rubric_db *db = open_db("counted.stub");
    if (db) {
        wire_counts first, again;
        size_t hits, hits_again;
        count_search(db, w, 10, &first, &hits);
        CHECK(hits > 1);
        CHECK(first.msgs[WIRE_TERMFREQ] == 0);
        CHECK(first.msgs[WIRE_QUERY] == 2 * 2); /* the frequencies' match, the search's */
        CHECK(first.msgs[WIRE_DOCLENGTH] == hits);
        count_search(db, w, 10, &again, &hits_again);
        CHECK(hits_again == hits);
        CHECK(again.msgs[WIRE_TERMFREQ] == 0 && again.msgs[WIRE_GETMETADATA] == 0);
        CHECK(again.msgs[WIRE_QUERY] == 2);
        rubric_db_close(db);
    }
    wire_stop(w[0]);
    wire_stop(w[1]);
}

/* What a remote shard's answers are kept for lasts until it moves on: after
 * a run adds a page, a set kept open answers as one opened afresh. */
static void a_remote_shard_that_moved_on_is_asked_again(void)
{
    if (g_nsets == 3) {
        printf("SKIP xapian-tcpsrv is missing (Debian xapian-tools)\n");
        return;
    }
    CHECK(sh_expect("rm -rf live site3 && cp -r tree/corpus site3 && $I -q --db live site3", 0) == 0);
    int port = serve_shard("live");
    CHECK(port > 0);
    char text[64], stub[PATH_MAX];
    snprintf(text, sizeof text, "remote 127.0.0.1:%d\n", port);
    path_join(stub, g_tmp, "live.stub");
    CHECK(write_file(stub, text, strlen(text)) == 0);
    rubric_db *kept = open_db("live.stub");
    CHECK(kept != NULL);
    if (!kept || port <= 0)
        return;
    g_tolerance = 1e-9;
    answer before, after, fresh;
    ask(kept, "queen bee", MODE_EXPLAIN, &before);
    CHECK(before.rc == RUBRIC_OK && before.n > 0);
    CHECK(sh_expect("printf '<h1>Queen cells</h1><p>The queen bee lays in queen cups.</p>' > "
                    "site3/cells.html && $I -q --db live site3", 0) == 0);
    ask(kept, "queen bee", MODE_EXPLAIN, &after);
    rubric_db *again = open_db("live.stub");
    CHECK(again != NULL);
    if (again) {
        ask(again, "queen bee", MODE_EXPLAIN, &fresh);
        CHECK(fresh.rc == RUBRIC_OK && fresh.total == before.total + 1);
        CHECK(same_answer(&fresh, &after, "queen bee", MODE_EXPLAIN, "live.stub kept open"));
        answer_free(&fresh);
        rubric_db_close(again);
    }
    answer_free(&before);
    answer_free(&after);
    rubric_db_close(kept);
}

static void a_shard_that_does_not_answer_is_named(void)
{
    if (g_nsets == 3) {
        printf("SKIP xapian-tcpsrv is missing (Debian xapian-tools)\n");
        return;
    }
    char text[128], stub[PATH_MAX];
    int port = free_port();
    snprintf(text, sizeof text, "auto set2/shard-0\nremote 127.0.0.1:%d\n", port);
    path_join(stub, g_tmp, "dead.stub");
    CHECK(write_file(stub, text, strlen(text)) == 0);
    cmd c;
    sh(&c, "$Q --db dead.stub bees");
    CHECK(c.status == 5);
    char where[64];
    snprintf(where, sizeof where, "127.0.0.1:%d", port);
    CHECK(strstr(c.err, where) != NULL);
    cmd_free(&c);
    /* With --partial the shard that answers does, and the answer says what
     * is left out: the hits are those of that shard alone. */
    sh(&c, "$Q --partial --json --db dead.stub queen bee");
    cJSON *j = c.status == 0 ? cJSON_Parse(c.out) : NULL;
    CHECK(j != NULL);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "partial")));
    const cJSON *missing = cJSON_GetObjectItem(j, "missing_shards");
    CHECK(cJSON_GetArraySize(missing) == 1 && cJSON_GetStringValue(cJSON_GetArrayItem(missing, 0)) &&
          strcmp(cJSON_GetStringValue(cJSON_GetArrayItem(missing, 0)), where) == 0);
    CHECK(strstr(c.err, where) != NULL);
    cmd_free(&c);
    sh(&c, "$Q --json --db set2/shard-0 queen bee");
    cJSON *alone = c.status == 0 ? cJSON_Parse(c.out) : NULL;
    cmd_free(&c);
    CHECK(j && alone && cJSON_GetArraySize(cJSON_GetObjectItem(alone, "results")) > 0 &&
          cJSON_Compare(cJSON_GetObjectItem(j, "results"), cJSON_GetObjectItem(alone, "results"),
                        1));
    cJSON_Delete(j);
    cJSON_Delete(alone);
}

static void each_file_lies_whole_in_the_shard_its_path_names(void)
{
    CHECK(rubric_shard_of("library/sys.html", 1) == 0);
    unsigned seen[3] = {0, 0, 0};
    char name[64];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "docs/page-%d.html", i);
        unsigned k = rubric_shard_of(name, 3);
        CHECK(k < 3 && k == rubric_shard_of(name, 3));
        if (k < 3)
            seen[k]++;
    }
    CHECK(seen[0] > 50 && seen[1] > 50 && seen[2] > 50);
    /* The shards' files add up to the index's, and each shard holds only
     * the files routed to it. */
    rubric_db *one = open_db("one"), *set = open_db("set3");
    CHECK(one && set);
    if (!one || !set) {
        rubric_db_close(one);
        rubric_db_close(set);
        return;
    }
    rubric_db_stats all, part, sum = {0};
    CHECK(rubric_db_stats_get(one, &all) == RUBRIC_OK);
    for (size_t k = 0; k < 3; k++) {
        const char *path = NULL;
        CHECK(rubric_db_shard_stats(set, k, &part, &path) == RUBRIC_OK);
        CHECK(part.files > 0);
        sum.files += part.files;
        sum.passages += part.passages;
        sum.folded += part.folded;
        /* Every passage in shard K is of a file routed to K. */
        rubric_db *shard = NULL;
        char *err = NULL;
        CHECK(rubric_db_open(path, &shard, &err) == RUBRIC_OK);
        free(err);
        rubric_search_opts o;
        rubric_search_opts_init(&o);
        o.limit = 500;
        o.boilerplate = 1;
        rubric_results *r = NULL;
        if (shard && rubric_search(shard, "the", 3, &o, &r, NULL) == RUBRIC_OK) {
            CHECK(rubric_results_count(r) > 0);
            for (size_t i = 0; i < rubric_results_count(r); i++)
                CHECK(rubric_shard_of(rubric_results_hit(r, i)->path, 3) == k);
        }
        rubric_results_free(r);
        rubric_db_close(shard);
    }
    CHECK(sum.files == all.files);
    CHECK(sum.passages == all.passages);
    rubric_db_stats whole;
    CHECK(rubric_db_stats_get(set, &whole) == RUBRIC_OK);
    CHECK(whole.files == all.files && whole.passages == all.passages);
    /* Copies are folded across shards as in one index. */
    CHECK(whole.folded == all.folded);
    if (g_pydocs)
        CHECK(all.folded > 0);
    rubric_db_close(one);
    rubric_db_close(set);
}

static void status_shows_each_shard_and_the_totals(void)
{
    cmd c;
    sh(&c, "$I --status --db set2 && $I --status --json --db set2");
    CHECK(c.status == 0);
    CHECK(strstr(c.out, "shards:   2") != NULL);
    CHECK(strstr(c.out, "shard-0") != NULL && strstr(c.out, "shard-1") != NULL);
    const char *json = strchr(c.out, '{');
    cJSON *o = json ? cJSON_Parse(json) : NULL;
    const cJSON *shards = cJSON_GetObjectItemCaseSensitive(o, "shards");
    CHECK(cJSON_IsArray(shards) && cJSON_GetArraySize(shards) == 2);
    double files = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, shards) files += cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "files"));
    CHECK(files > 0 && files == cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "files")));
    cJSON_Delete(o);
    cmd_free(&c);
}

static void a_shards_place_is_kept_and_another_is_refused(void)
{
    char body[PATH_MAX * 2];
    /* A shard built apart holds only its files; another place, count or a
     * plain index as a shard is refused, and a rebuild may change it. */
    snprintf(body, sizeof body, "$I -q --shard 1/2 --db apart %s", sq(g_tree));
    CHECK(sh_expect(body, 0) == 0);
    snprintf(body, sizeof body, "$I -q --shard 0/2 --db apart %s", sq(g_tree));
    CHECK(sh_expect(body, 2) == 0);
    snprintf(body, sizeof body, "$I -q --shard 1/3 --db apart %s", sq(g_tree));
    CHECK(sh_expect(body, 2) == 0);
    snprintf(body, sizeof body, "$I -q --shard 0/2 --db one %s", sq(g_tree));
    CHECK(sh_expect(body, 2) == 0);
    snprintf(body, sizeof body, "$I -q --rebuild --shard 0/3 --db apart %s", sq(g_tree));
    CHECK(sh_expect(body, 0) == 0);
    CHECK(sh_expect("$I -q --shard 2/2 --db x corpus", 2) == 0);
    CHECK(sh_expect("$I -q --shard 1 --db x corpus", 2) == 0);
    CHECK(sh_expect("$I -q --shards 2 --shard 0/2 --db x corpus", 2) == 0);
    /* One index becomes a set only by a rebuild, which leaves it as it was
     * until then, and carries its revision on. */
    snprintf(body, sizeof body,
             "$I -q --db plain %s && ! $I -q --shards 2 --db plain %s && test ! -e plain/rubric.lock "
             "&& $I -q --rebuild --shards 2 --db plain %s && test -f plain/XAPIANDB",
             sq(g_tree), sq(g_tree), sq(g_tree));
    CHECK(sh_expect(body, 0) == 0);
    rubric_db *plain = open_db("plain");
    CHECK(plain && rubric_db_shards(plain) == 2 && rubric_db_revision(plain) > 2);
    rubric_db_close(plain);
    /* A set's count changes only by a rebuild. */
    snprintf(body, sizeof body, "cp -r set2 reshard && $I -q --shards 3 --db reshard %s", sq(g_tree));
    CHECK(sh_expect(body, 2) == 0);
    snprintf(body, sizeof body, "$I -q --rebuild --shards 3 --db reshard %s", sq(g_tree));
    CHECK(sh_expect(body, 0) == 0);
    rubric_db *db = open_db("reshard");
    CHECK(db && rubric_db_shards(db) == 3);
    /* The revision carries on across a rebuild, to fewer shards too. */
    unsigned long before = db ? rubric_db_revision(db) : 0;
    CHECK(before > 2);
    rubric_db_close(db);
    snprintf(body, sizeof body, "$I -q --rebuild --shards 2 --db reshard %s", sq(g_tree));
    CHECK(sh_expect(body, 0) == 0);
    db = open_db("reshard");
    CHECK(db && rubric_db_shards(db) == 2 && rubric_db_revision(db) > before);
    rubric_db_close(db);
    CHECK(sh_expect("test ! -e reshard.rebuild && grep -c auto reshard/XAPIANDB | grep -qx 2", 0) == 0);
}

static void a_set_missing_a_shard_or_disagreeing_is_refused(void)
{
    cmd c;
    /* A stub that lost a line. */
    sh(&c, "cp -r set3 lost && grep -v shard-2 set3/XAPIANDB > lost/XAPIANDB && $Q --db lost bees");
    CHECK(c.status == 4);
    CHECK(strstr(c.err, "shard 2/3") != NULL);
    cmd_free(&c);
    /* Indexes of other languages are not searched as one. */
    sh(&c, "$I -q --lang french --db fr corpus >/dev/null 2>&1; "
           "printf 'auto one\\nauto fr\\n' > langs.stub && $Q --db langs.stub bees");
    CHECK(c.status == 4);
    CHECK(strstr(c.err, "language") != NULL);
    cmd_free(&c);
    /* A stub's other lines are refused, naming the line: here a program
     * to run, which rubric does not. */
    sh(&c, "printf 'auto one\\nremote :xapian-progsrv one\\n' > prog.stub && $Q --db prog.stub bees");
    CHECK(c.status == 4);
    CHECK(strstr(c.err, "line 2") != NULL);
    cmd_free(&c);
    /* A line naming a set: sets do not nest (a replica's folder, whose stub
     * names one database, may be named). */
    sh(&c, "printf 'auto set2\n' > nest.stub && $Q --db nest.stub bees");
    CHECK(c.status == 4);
    CHECK(strstr(c.err, "do not nest") != NULL);
    cmd_free(&c);
    /* Repeated --db searches several indexes as one. */
    sh(&c, "$Q --json --db set2/shard-0 --db set2/shard-1 bees");
    CHECK(c.status == 0);
    cmd_free(&c);
}

static void a_set_is_written_as_one_and_never_through_its_stub(void)
{
    /* The stub file and a shard's set folder are not indexes to write. */
    CHECK(sh_expect("$I -q --db set2/XAPIANDB corpus", 2) == 0);
    /* A second writer on the set is refused (exit 3) while one holds it. */
    char lock[PATH_MAX];
    path_join(lock, g_tmp, "set2/rubric.lock");
    int fd = open(lock, O_RDWR);
    CHECK(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0);
    char body[PATH_MAX * 2];
    snprintf(body, sizeof body, "$I -q --db set2 %s", sq(g_tree));
    CHECK(sh_expect(body, 3) == 0);
    if (fd >= 0)
        close(fd);
    /* Run again without --shards: the set's own count; nothing changed. */
    cmd c;
    snprintf(body, sizeof body, "$I --db set2 %s", sq(g_tree));
    sh(&c, body);
    CHECK(c.status == 0);
    CHECK(strstr(c.err, "(0 added, 0 changed") != NULL);
    cmd_free(&c);
}

static void an_incremental_run_on_a_set_keeps_it_answering_as_one_index(void)
{
    if (!g_pydocs) {
        printf("SKIP " PYDOCS " is missing (Debian python3.11-doc): no copies to fold\n");
        return;
    }
    /* The HTML page of sys gone: its source copy comes back, in whichever
     * shard it lies, as in one index; and a page changed is indexed anew. */
    char body[PATH_MAX * 4];
    snprintf(body, sizeof body,
             "rm -rf t2 && cp -r %s t2 && $I -q --db one2 t2 && $I -q --shards 2 --db set2b t2 && "
             "rm t2/py/library/sys.html && echo '<h1>New</h1><p>bees and getrecursionlimit</p>' > "
             "t2/py/library/new.html && $I -q --db one2 t2 && $I -q --db set2b t2",
             sq(g_tree));
    CHECK(sh_expect(body, 0) == 0);
    rubric_db *one = open_db("one2"), *set = open_db("set2b");
    CHECK(one && set);
    static const char *const qs[] = {"getrecursionlimit", "sys.setrecursionlimit", "bees",
                                     "stdin stdout"};
    for (size_t i = 0; one && set && i < sizeof qs / sizeof *qs; i++) {
        answer a, b;
        ask(one, qs[i], MODE_PLAIN, &a);
        ask(set, qs[i], MODE_PLAIN, &b);
        CHECK(same_answer(&a, &b, qs[i], MODE_PLAIN, "set2b"));
        CHECK(a.n > 0);
        answer_free(&a);
        answer_free(&b);
    }
    rubric_db_stats sa, sb;
    if (one && set) {
        CHECK(rubric_db_stats_get(one, &sa) == RUBRIC_OK && rubric_db_stats_get(set, &sb) == RUBRIC_OK);
        CHECK(sa.folded == sb.folded && sa.files == sb.files);
        /* Each shard's revision moved: the set's too. */
        CHECK(sb.revision >= 4);
    }
    rubric_db_close(one);
    rubric_db_close(set);
}

/* The tree: corpus/ and tests/fixtures/ copied, and the Python library
 * pages beginning with "s" with their sources when installed. */
static int make_tree(void)
{
    path_join(g_tree, g_tmp, "tree");
    char body[PATH_MAX * 4];
    snprintf(body, sizeof body,
             "mkdir -p tree && cp -r %s/corpus tree/corpus && cp -r %s/tests/fixtures tree/fixtures",
             sq(g_src), sq(g_src));
    if (sh_expect(body, 0) < 0)
        return -1;
    struct stat st;
    g_pydocs = stat(PYDOCS "/library/sys.html", &st) == 0 &&
               stat(PYDOCS "/_sources/library/sys.rst.txt", &st) == 0;
    if (!g_pydocs)
        return 0;
    snprintf(body, sizeof body,
             "mkdir -p tree/py/library tree/py/_sources/library && "
             "cp " PYDOCS "/library/s*.html tree/py/library/ && "
             "cp " PYDOCS "/_sources/library/s*.rst.txt tree/py/_sources/library/");
    return sh_expect(body, 0);
}

int main(void)
{
    const char *src = getenv("RUBRIC_SRCDIR");
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", src && *src ? src : ".");
    if (shell_setup("shards", g_index, g_query, g_tmp) < 0 || absolute(p, g_src) < 0)
        return 1;
    path_join(g_err, g_tmp, "stderr");
    if (make_tree() < 0 || load_queries() < 0 || build_all() < 0) {
        fprintf(stderr, "test_shards: cannot build the indexes in %s\n", g_tmp);
        return 1;
    }
    printf("     %s\n", g_pydocs ? "corpus, fixtures and 64 files of " PYDOCS
                                 : "corpus and fixtures (no " PYDOCS ")");
    TRY(a_set_of_shards_answers_as_one_index_does);
    if (system("command -v xapian-tcpsrv >/dev/null 2>&1") == 0 && serve_sets() < 0)
        fprintf(stderr, "test_shards: xapian-tcpsrv did not start\n");
    TRY(remote_shards_answer_as_one_index_does);
    TRY(a_shard_that_does_not_answer_is_named);
    TRY(a_remote_search_asks_frequencies_at_once);
    TRY(a_remote_shard_that_moved_on_is_asked_again);
    TRY(a_shard_that_hangs_fails_within_the_timeout);
    TRY(a_connection_the_shard_closed_when_idle_is_opened_again);
    TRY(a_replica_follows_by_changesets_and_a_rebuild_by_a_copy);
    TRY(each_shard_of_a_set_is_replicated);
    stop_servers();
    TRY(each_file_lies_whole_in_the_shard_its_path_names);
    TRY(status_shows_each_shard_and_the_totals);
    TRY(a_shards_place_is_kept_and_another_is_refused);
    TRY(a_set_missing_a_shard_or_disagreeing_is_refused);
    TRY(a_set_is_written_as_one_and_never_through_its_stub);
    TRY(an_incremental_run_on_a_set_keeps_it_answering_as_one_index);
    for (size_t i = 0; i < g_nqueries; i++)
        free(g_queries[i]);
    free(g_queries);
    int rc = HARNESS_END();
    if (rc == 0) {
        cmd c;
        sh(&c, "true");
        cmd_free(&c);
        char body[PATH_MAX + 16];
        snprintf(body, sizeof body, "rm -rf %s", sq(g_tmp));
        if (system(body) != 0)
            fprintf(stderr, "test_shards: could not remove %s\n", g_tmp);
    }
    return rc;
}
