/* judge.c: judging ranked results against judged queries (see judge.h and
 * the opening comment of tests/eval.c for the rules). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "judge.h"
#include "rubric.h"

static const char *prog = "eval";
static const char *prefix;

void judge_init(const char *name, const char *pfx)
{
    prog = name;
    prefix = pfx;
}

static void out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", prog);
    exit(1);
}

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

static char *dup_or_die(const char *s)
{
    char *d = strdup(s);
    if (!d)
        out_of_memory();
    return d;
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
    if (!a)
        out_of_memory();
    s->anchors = a;
    s->anchors[s->n++] = dup_or_die(anchor);
}

/* The section of ANCHOR in the file at PATH (a result's path), read once. */
static section *section_of(const char *path, const char *anchor)
{
    for (section *s = sections; s; s = s->next)
        if (strcmp(s->path, path) == 0 && strcmp(s->anchor, anchor) == 0)
            return s;
    section *s = calloc(1, sizeof *s);
    if (!s)
        out_of_memory();
    s->path = dup_or_die(path);
    s->anchor = dup_or_die(anchor);
    s->next = sections;
    sections = s;
    add_anchor(s, anchor);

    size_t len = 0;
    char *data = NULL;
    rubric_doc *doc = NULL;
    char *err = NULL;
    if (read_file(path, SIZE_MAX, &data, &len) != 0 ||
        rubric_doc_read(path, data, len, &doc, &err) != RUBRIC_OK) {
        fprintf(stderr, "%s: note: cannot read %s (%s): accepting only #%s there\n", prog,
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

void judge_cleanup(void)
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

/* Nonzero when the result PATH#ANCHOR is acceptable for TARGET ("path#anchor"
 * or "path"). */
static int hit_matches(const char *path, const char *hit_anchor, const char *target)
{
    const char *hash = strchr(target, '#');
    size_t wlen = hash ? (size_t)(hash - target) : strlen(target);
    if (!path_matches(path, target, wlen))
        return 0;
    if (!hash)
        return 1;
    const char *anchor = hash + 1;
    if (strcmp(hit_anchor, anchor) == 0)
        return 1;
    section *s = section_of(path, anchor);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->anchors[i], hit_anchor) == 0)
            return 1;
    return 0;
}

int judge_matches(const char *path, const char *anchor, const char *targets)
{
    char *save = NULL, *copy = dup_or_die(targets);
    int ok = 0;
    for (char *t = strtok_r(copy, " ", &save); t && !ok; t = strtok_r(NULL, " ", &save))
        ok = hit_matches(path, anchor, t);
    free(copy);
    return ok;
}

/* ------------------------------------------------------------------ one file */

int judge_file(const char *file, int verbose, judge_query_fn fn, void *ctx,
               judge_figures *fig)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open %s\n", prog, file);
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
            fprintf(stderr, "%s: %s:%u: expected query<TAB>path#anchor...\n", prog, file,
                    lineno);
            continue;
        }
        *tab = '\0';
        const char *query = line;
        const char *targets = tab + 1;
        char first[1024];
        unsigned rank = fn(ctx, query, targets, first, sizeof first);
        fig->n++;
        if (rank == 1)
            fig->at1++;
        if (rank >= 1 && rank <= JUDGE_LIMIT) {
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

void judge_summary(const char *file, const judge_figures *fig)
{
    double n = fig->n ? (double)fig->n : 1.0;
    printf("%s: n=%zu s@1=%.2f s@10=%.2f mrr@10=%.2f\n", file, fig->n, fig->at1 / n,
           fig->at10 / n, fig->rr / n);
}
