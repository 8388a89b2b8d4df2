/* eval.c: measure rubric's ranking against judged queries.
 *
 *   build/eval --db DIR [--prefix P] [-v] FILE.tsv...
 *
 * Each line of a FILE is `query<TAB>target[ target...]`, each target
 * `path#anchor`: the sections a knowledgeable reader would want to land on
 * (blank lines and lines starting with '#' are skipped). Every query goes
 * through rubric_search() with limit 10 and otherwise default options; the
 * rank of the first acceptable result gives success@1, success@10 and MRR@10
 * (the reciprocal rank of that result, 0 past rank 10, averaged over queries).
 *
 * When a result is acceptable for a target `path#anchor`:
 *
 * - its path matches: the result's path, less P when it starts with P (then
 *   less any leading '/'), equals the target's path or ends with '/' and the
 *   target's path. So `/usr/share/doc/python3.11/html/library/os.html`
 *   matches `library/os.html` without --prefix, but never `xos.html`;
 * - and its anchor is the target's anchor, or the anchor of another part of
 *   the same section. A long section is cut into parts, and a later part may
 *   be anchored on an element inside it (a `<dt id="os.walk">` in the section
 *   `files-and-directories`). The library returns hits only, so the evaluator
 *   reads the source file itself (the result's path, opened as stored, so run
 *   it from the directory the index was built from) with rubric_doc_read():
 *   the section is the first passage anchored on the target's anchor and the
 *   passages right after it that continue it (part > 0, or the same title and
 *   trail) or lie inside it (their trail continues with its title: its
 *   subsections and API entries, such as `<dt id="platform.mac_ver">` in
 *   `macos-platform`). Their anchors are all accepted: a reader following the
 *   link lands inside the judged section. When the file cannot be read, only
 *   the target's own anchor is accepted (a note on stderr says so).
 *
 * A target with no '#' accepts any passage of its file.
 *
 * Output, per file: each query that misses at rank 1 (with -v), then the
 * figures; at the end one line per file:
 *   FILE: n=N s@1=0.xx s@10=0.xx mrr@10=0.xx
 * Exit status: 0 when every file was evaluated, 1 when a file could not be
 * read, 2 on a usage error, 4 when the index cannot be opened.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rubric.h"

#define LIMIT 10

static const char usage_text[] =
    "usage: eval --db DIR [--prefix P] [-v] FILE.tsv...\n"
    "Run judged queries (query<TAB>path#anchor ...) and print success@1,\n"
    "success@10 and MRR@10 per file; -v lists the queries that miss at rank 1.\n";

static const char *prefix;

/* ------------------------------------------------------------ section cache */

/* The anchors of one target section, read from its source file. */
typedef struct section {
    char *path;     /* the result path the file was read from */
    char *anchor;   /* the target's anchor */
    char **anchors; /* every anchor of the section's parts (NULL: not read) */
    size_t n;
    struct section *next;
} section;

static section *sections;

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        fputs("eval: out of memory\n", stderr);
        exit(1);
    }
    return d;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f)
        return NULL;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!buf || got != (size_t)st.st_size) {
        free(buf);
        return NULL;
    }
    buf[got] = '\0';
    *len = got;
    return buf;
}

static int same_place(const rubric_passage *a, const rubric_passage *b)
{
    if (strcmp(a->title, b->title) != 0 || a->ntrail != b->ntrail)
        return 0;
    for (size_t i = 0; i < a->ntrail; i++)
        if (strcmp(a->trail[i], b->trail[i]) != 0)
            return 0;
    return 1;
}

/* Is B inside the section A heads: its trail is A's trail, then A's title? */
static int inside(const rubric_passage *a, const rubric_passage *b)
{
    if (b->ntrail <= a->ntrail || strcmp(b->trail[a->ntrail], a->title) != 0)
        return 0;
    for (size_t i = 0; i < a->ntrail; i++)
        if (strcmp(a->trail[i], b->trail[i]) != 0)
            return 0;
    return 1;
}

static void add_anchor(section *s, const char *anchor)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->anchors[i], anchor) == 0)
            return;
    char **a = realloc(s->anchors, (s->n + 1) * sizeof *a);
    if (!a) {
        fputs("eval: out of memory\n", stderr);
        exit(1);
    }
    s->anchors = a;
    s->anchors[s->n++] = xstrdup(anchor);
}

/* The section of ANCHOR in the file at PATH (a result's path), read once. */
static section *section_of(const char *path, const char *anchor)
{
    for (section *s = sections; s; s = s->next)
        if (strcmp(s->path, path) == 0 && strcmp(s->anchor, anchor) == 0)
            return s;
    section *s = calloc(1, sizeof *s);
    if (!s) {
        fputs("eval: out of memory\n", stderr);
        exit(1);
    }
    s->path = xstrdup(path);
    s->anchor = xstrdup(anchor);
    s->next = sections;
    sections = s;
    add_anchor(s, anchor);

    size_t len = 0;
    char *data = read_file(path, &len);
    rubric_doc *doc = NULL;
    char *err = NULL;
    if (!data || rubric_doc_read(path, data, len, &doc, &err) != RUBRIC_OK) {
        fprintf(stderr, "eval: note: cannot read %s (%s): accepting only #%s there\n",
                path, err ? err : "unreadable", anchor);
        free(err);
        free(data);
        return s;
    }
    size_t n = rubric_doc_count(doc), i = 0;
    while (i < n && strcmp(rubric_doc_passage(doc, i)->anchor, anchor) != 0)
        i++;
    if (i < n) {
        const rubric_passage *first = rubric_doc_passage(doc, i);
        for (i++; i < n; i++) {
            const rubric_passage *p = rubric_doc_passage(doc, i);
            if (p->part == 0 && !same_place(first, p) && !inside(first, p))
                break;
            add_anchor(s, p->anchor);
        }
    }
    rubric_doc_free(doc);
    free(data);
    return s;
}

static void free_sections(void)
{
    while (sections) {
        section *s = sections;
        sections = s->next;
        for (size_t i = 0; i < s->n; i++)
            free(s->anchors[i]);
        free(s->anchors);
        free(s->path);
        free(s->anchor);
        free(s);
    }
}

/* ------------------------------------------------------------------ matching */

static int path_matches(const char *path, const char *want, size_t wlen)
{
    if (prefix && *prefix && strncmp(path, prefix, strlen(prefix)) == 0) {
        path += strlen(prefix);
        while (*path == '/')
            path++;
    }
    size_t plen = strlen(path);
    if (plen < wlen || memcmp(path + plen - wlen, want, wlen) != 0)
        return 0;
    return plen == wlen || path[plen - wlen - 1] == '/';
}

/* Nonzero when HIT is acceptable for TARGET ("path#anchor" or "path"). */
static int hit_matches(const rubric_hit *hit, const char *target)
{
    const char *hash = strchr(target, '#');
    size_t wlen = hash ? (size_t)(hash - target) : strlen(target);
    if (!path_matches(hit->path, target, wlen))
        return 0;
    if (!hash)
        return 1;
    const char *anchor = hash + 1;
    if (strcmp(hit->anchor, anchor) == 0)
        return 1;
    section *s = section_of(hit->path, anchor);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->anchors[i], hit->anchor) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------ one file */

typedef struct figures {
    size_t n, at1, at10;
    double rr;
} figures;

/* Rank (1-based) of the first result acceptable for one of TARGETS (space
 * separated), 0 when none in the first LIMIT. *first describes result 1. */
static unsigned run_query(rubric_db *db, const char *query, char *targets,
                          char *first, size_t firstlen)
{
    rubric_search_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.limit = LIMIT;
    rubric_results *res = NULL;
    char *err = NULL;
    int rc = rubric_search(db, query, strlen(query), &opts, &res, &err);
    if (rc != RUBRIC_OK) {
        snprintf(first, firstlen, "(error: %s)", err ? err : rubric_strerror(rc));
        free(err);
        return 0;
    }
    const rubric_hit *h0 = rubric_results_hit(res, 0);
    if (h0)
        snprintf(first, firstlen, "%s#%s \"%s\"", h0->path, h0->anchor, h0->title);
    else
        snprintf(first, firstlen, "(no results)");

    unsigned rank = 0;
    for (size_t i = 0; !rank && i < rubric_results_count(res) && i < LIMIT; i++) {
        const rubric_hit *h = rubric_results_hit(res, i);
        char *save = NULL;
        char *copy = xstrdup(targets);
        for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
            if (hit_matches(h, t)) {
                rank = (unsigned)i + 1;
                break;
            }
        free(copy);
    }
    rubric_results_free(res);
    return rank;
}

static int eval_file(rubric_db *db, const char *file, int verbose, figures *fig)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "eval: cannot open %s\n", file);
        return -1;
    }
    printf("== %s\n", file);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned lineno = 0;
    memset(fig, 0, sizeof *fig);
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        if (!tab || !tab[1]) {
            fprintf(stderr, "eval: %s:%u: expected query<TAB>path#anchor...\n", file,
                    lineno);
            continue;
        }
        *tab = '\0';
        const char *query = line;
        char *targets = tab + 1;
        char first[1024];
        unsigned rank = run_query(db, query, targets, first, sizeof first);
        fig->n++;
        if (rank == 1)
            fig->at1++;
        if (rank >= 1 && rank <= LIMIT) {
            fig->at10++;
            fig->rr += 1.0 / rank;
        }
        if (verbose && rank != 1) {
            if (rank)
                printf("  rank %-2u %s\n", rank, query);
            else
                printf("  miss    %s\n", query);
            printf("          expected: %s\n", targets);
            printf("          first:    %s\n", first);
        }
    }
    free(line);
    fclose(f);
    double n = fig->n ? (double)fig->n : 1.0;
    printf("   n=%zu s@1=%.2f s@10=%.2f mrr@10=%.2f\n", fig->n, fig->at1 / n,
           fig->at10 / n, fig->rr / n);
    return 0;
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
    const char *dbdir = NULL;
    int verbose = 0, c;
    while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': dbdir = optarg; break;
        case 'p': prefix = optarg; break;
        case 'v': verbose = 1; break;
        case 'h': fputs(usage_text, stdout); return 0;
        default: fputs(usage_text, stderr); return 2;
        }
    }
    if (!dbdir || optind >= argc) {
        fputs(usage_text, stderr);
        return 2;
    }
    rubric_db *db = NULL;
    char *err = NULL;
    if (rubric_db_open(dbdir, &db, &err) != RUBRIC_OK) {
        fprintf(stderr, "eval: %s: %s\n", dbdir, err ? err : "cannot open the index");
        free(err);
        return 4;
    }
    int nfiles = argc - optind, status = 0;
    figures *figs = calloc((size_t)nfiles, sizeof *figs);
    int *ok = calloc((size_t)nfiles, sizeof *ok);
    if (!figs || !ok) {
        fputs("eval: out of memory\n", stderr);
        return 1;
    }
    for (int i = 0; i < nfiles; i++) {
        ok[i] = eval_file(db, argv[optind + i], verbose, &figs[i]) == 0;
        if (!ok[i])
            status = 1;
    }
    for (int i = 0; i < nfiles; i++) {
        if (!ok[i])
            continue;
        double n = figs[i].n ? (double)figs[i].n : 1.0;
        printf("%s: n=%zu s@1=%.2f s@10=%.2f mrr@10=%.2f\n", argv[optind + i], figs[i].n,
               figs[i].at1 / n, figs[i].at10 / n, figs[i].rr / n);
    }
    free(figs);
    free(ok);
    free_sections();
    rubric_db_close(db);
    return status;
}
