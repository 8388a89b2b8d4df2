/* index_queries.c: known-item queries drawn from a documentation tree's own
 * index, for `make eval`.
 *
 *   build/index-queries [--from ID] [--count N] [--seed S] PAGE PREFIX
 *
 * PAGE is an index page (Sphinx's genindex-all.html, gtk-doc's
 * api-index-full.html, a Texinfo manual's index nodes); with --from, only
 * what follows the element whose id (or <a name>) is ID is read. Every entry
 * of the index is a list item, a definition term or a table row (li, dt, tr)
 * whose first link points at a place in a page (an href with a '#'): the
 * entry's query is that link's text, the way the index prints it; an entry
 * nested in another entry's list is read as the index reads it, after the
 * name of the entry above ("flush()" and its sub-entry "(io.BufferedWriter
 * method)" give "flush() (io.BufferedWriter method)": the name less what
 * follows " ("). A term without a link whose <dd> lists the places it is
 * found (<dt>term</dt><dd><a>place</a>, <a>place</a></dd>) is an entry with
 * each of them as a target. The target is the link's, as a path under PREFIX (the
 * tree's folder) and an anchor. Links into the index itself (a letter bar)
 * and names without two letters or digits are no entries. Entries with the
 * same query are one query with all their targets.
 *
 * Output: N of the queries (all when fewer; default 200), drawn at random
 * with seed S (default 1: the same draw each time, on the same tree), as
 * lines of `query<TAB>target[ target...]`, the format tests/eval.c reads.
 */
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

typedef struct entry {
    char *query;
    char *targets;  /* space-separated */
} entry;

typedef struct reader {
    const char *from;   /* read what follows this id (NULL: all) */
    int started;
    char *dir;          /* the folder of PAGE, relative to PREFIX, "" or ending in '/' */
    char **index_ids;   /* ids inside the index: links there are no entries */
    size_t nids, capids;
    entry *e;
    size_t n, cap;
} reader;

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "index-queries: out of memory\n");
        exit(2);
    }
    return p;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(xrealloc(NULL, n), s, n);
}

/* Is C a list (ul, ol, dl): an index's nested entries? */
static int is_list(const xmlNode *c)
{
    return c->type == XML_ELEMENT_NODE &&
           (!xmlStrcmp(c->name, BAD_CAST "ul") || !xmlStrcmp(c->name, BAD_CAST "ol") ||
            !xmlStrcmp(c->name, BAD_CAST "dl"));
}

/* Is C a link (an <a href>)? */
static int is_link(const xmlNode *c)
{
    return c->type == XML_ELEMENT_NODE && !xmlStrcmp(c->name, BAD_CAST "a") &&
           xmlHasProp(c, BAD_CAST "href");
}

/* The text under NODE, blanks collapsed, without the lists nested in it
 * when OWN is set (an entry's own label). Caller frees. */
static char *text_of(xmlNode *node, int own)
{
    xmlBuffer *b = xmlBufferCreate();
    if (!b)
        return xstrdup("");
    xmlNode *stack[256];
    size_t depth = 0;
    for (xmlNode *c = node->children; c || depth;) {
        if (!c) {
            c = stack[--depth]->next;
            continue;
        }
        if (c->type == XML_TEXT_NODE && c->content)
            xmlBufferCat(b, c->content);
        if (c->type == XML_ELEMENT_NODE && c->children && !(own && is_list(c)) && depth < 256) {
            stack[depth++] = c;
            c = c->children;
            continue;
        }
        c = c->next;
    }
    const char *s = (const char *)xmlBufferContent(b);
    char *out = xrealloc(NULL, strlen(s) + 1);
    size_t k = 0;
    for (const char *p = s; *p; p++) {
        int blank = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f';
        if (blank) {
            if (k && out[k - 1] != ' ')
                out[k++] = ' ';
        } else
            out[k++] = *p;
    }
    while (k && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
    xmlBufferFree(b);
    return out;
}

/* The first <a href> under NODE (outside nested lists), or NULL. */
static xmlNode *first_link(xmlNode *node)
{
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_list(c))
            continue;
        if (is_link(c))
            return c;
        xmlNode *a = first_link(c);
        if (a)
            return a;
    }
    return NULL;
}

static int named(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
             (unsigned char)*s >= 0x80;
    return n >= 2;
}

static void add_entry(reader *r, const char *query, const char *target)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->e[i].query, query) == 0) {
            size_t tl = strlen(target);
            for (const char *t = r->e[i].targets; *t;) {
                size_t len = strcspn(t, " ");
                if (len == tl && strncmp(t, target, tl) == 0)
                    return;  /* a target already there, token for token */
                t += len + (t[len] == ' ');
            }
            size_t a = strlen(r->e[i].targets), b = strlen(target);
            r->e[i].targets = xrealloc(r->e[i].targets, a + b + 2);
            r->e[i].targets[a] = ' ';
            memcpy(r->e[i].targets + a + 1, target, b + 1);
            return;
        }
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 256;
        r->e = xrealloc(r->e, r->cap * sizeof *r->e);
    }
    r->e[r->n].query = xstrdup(query);
    r->e[r->n].targets = xstrdup(target);
    r->n++;
}

static int is_index_id(const reader *r, const char *id)
{
    for (size_t i = 0; i < r->nids; i++)
        if (strcmp(r->index_ids[i], id) == 0)
            return 1;
    return 0;
}

static void add_link(reader *r, xmlNode *a, const char *name, const char *parent);

/* The links of a <dd> (outside the lists nested in it), each a target of
 * the term NAME: an index that lists a term's places after it (Exim's:
 * <dt>term</dt><dd><a>place</a>, <a>place</a></dd>). */
static void add_places(reader *r, xmlNode *dd, const char *name, const char *parent)
{
    for (xmlNode *c = dd->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || is_list(c))
            continue;
        if (is_link(c))
            add_link(r, c, name, parent);
        else
            add_places(r, c, name, parent);
    }
}

/* The entry at NODE (an li, dt or tr), under the entry named PARENT. */
static void read_entry(reader *r, xmlNode *node, const char *parent)
{
    xmlNode *a = first_link(node);
    if (!a && !xmlStrcmp(node->name, BAD_CAST "dt")) {
        xmlNode *dd = node->next;
        while (dd && dd->type != XML_ELEMENT_NODE)
            dd = dd->next;
        if (dd && !xmlStrcmp(dd->name, BAD_CAST "dd")) {
            char *name = text_of(node, 1);
            if (named(name))
                add_places(r, dd, name, parent);
            free(name);
        }
        return;
    }
    if (!a)
        return;
    char *name = text_of(a, 0);
    add_link(r, a, name, parent);
    free(name);
}

/* Link A as a target of the entry NAME, under the entry named PARENT. */
static void add_link(reader *r, xmlNode *a, const char *name, const char *parent)
{
    char *href = (char *)xmlGetProp(a, BAD_CAST "href");
    const char *hash = href ? strchr(href, '#') : NULL;
    /* A target holds no blank: targets are separated by spaces. */
    if (hash && hash[1] && !strstr(href, "://") && !strpbrk(href, " \t\n\r\f") && named(name) &&
        !(hash == href && is_index_id(r, hash + 1))) {
        /* The target: the page relative to the index page's folder. */
        size_t plen = (size_t)(hash - href);
        char *target = xrealloc(NULL, strlen(r->dir) + strlen(href) + 2);
        if (plen == 0)
            sprintf(target, "%s%s", r->dir, hash);  /* completed by the caller */
        else
            sprintf(target, "%s%.*s%s", r->dir, (int)plen, href, hash);
        const char *query = name;
        char *joined = NULL;
        if (parent && *parent) {
            size_t keep = strlen(parent);
            const char *paren = strstr(parent, " (");
            if (paren)
                keep = (size_t)(paren - parent);
            joined = xrealloc(NULL, keep + strlen(name) + 2);
            sprintf(joined, "%.*s %s", (int)keep, parent, name);
            query = joined;
        }
        add_entry(r, query, target);
        free(joined);
        free(target);
    }
    xmlFree(href);
}

/* The id of element C (or an <a>'s name), to xmlFree(); NULL when none. */
static char *id_of(xmlNode *c)
{
    char *id = (char *)xmlGetProp(c, BAD_CAST "id");
    if (!id && !xmlStrcmp(c->name, BAD_CAST "a"))
        id = (char *)xmlGetProp(c, BAD_CAST "name");
    return id;
}

/* Note the ids inside the index (after the --from element), and start there. */
static void note_ids(reader *r, xmlNode *node)
{
    for (xmlNode *c = node; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        char *id = id_of(c);
        if (id && r->started) {
            if (r->nids == r->capids) {
                r->capids = r->capids ? 2 * r->capids : 256;
                r->index_ids = xrealloc(r->index_ids, r->capids * sizeof *r->index_ids);
            }
            r->index_ids[r->nids++] = xstrdup(id);
        }
        if (id && r->from && strcmp(id, r->from) == 0)
            r->started = 1;
        xmlFree(id);
        note_ids(r, c->children);
    }
}

static void walk(reader *r, xmlNode *node, const char *parent)
{
    for (xmlNode *c = node; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        char *id = id_of(c);
        if (id && r->from && strcmp(id, r->from) == 0)
            r->started = 1;
        xmlFree(id);
        int item = !xmlStrcmp(c->name, BAD_CAST "li") || !xmlStrcmp(c->name, BAD_CAST "dt") ||
                   !xmlStrcmp(c->name, BAD_CAST "tr");
        if (item && r->started) {
            read_entry(r, c, parent);
            char *label = text_of(c, 1);
            walk(r, c->children, !xmlStrcmp(c->name, BAD_CAST "li") ? label : parent);
            free(label);
            continue;
        }
        walk(r, c->children, parent);
    }
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"from", required_argument, NULL, 'f'},
        {"count", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0},
    };
    reader r = {0};
    unsigned long count = 200, seed = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == 'f')
            r.from = optarg;
        else if (c == 'n')
            count = strtoul(optarg, NULL, 10);
        else if (c == 's')
            seed = strtoul(optarg, NULL, 10);
        else
            return 2;
    }
    if (argc - optind != 2) {
        fprintf(stderr, "usage: index-queries [--from ID] [--count N] [--seed S] PAGE PREFIX\n");
        return 2;
    }
    const char *page = argv[optind], *prefix = argv[optind + 1];
    size_t plen = strlen(prefix);
    while (plen && prefix[plen - 1] == '/')
        plen--;
    if (strncmp(page, prefix, plen) != 0 || page[plen] != '/') {
        fprintf(stderr, "index-queries: %s is not under %s\n", page, prefix);
        return 2;
    }
    const char *rel = page + plen + 1, *slash = strrchr(rel, '/');
    size_t dlen = slash ? (size_t)(slash - rel) + 1 : 0;
    r.dir = xrealloc(NULL, dlen + 1);
    memcpy(r.dir, rel, dlen);
    r.dir[dlen] = '\0';
    htmlDocPtr doc = htmlReadFile(page, "UTF-8",
                                  HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                      HTML_PARSE_NONET);
    if (!doc) {
        fprintf(stderr, "index-queries: cannot read %s\n", page);
        return 1;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    r.started = r.from == NULL;
    note_ids(&r, root);
    r.started = r.from == NULL;
    walk(&r, root, NULL);
    /* A link within the index page itself: its target is that page. */
    const char *base = slash ? slash + 1 : rel;
    for (size_t i = 0; i < r.n; i++) {
        char *t = r.e[i].targets, *out = xrealloc(NULL, 1);
        size_t len = 0;
        for (char *tok = strtok(t, " "); tok; tok = strtok(NULL, " ")) {
            size_t need = strlen(tok) + strlen(base) + 2;
            out = xrealloc(out, len + need + 1);
            size_t d = strlen(r.dir);
            if (strlen(tok) > d && strncmp(tok, r.dir, d) == 0 && tok[d] == '#')
                len += (size_t)sprintf(out + len, "%s%.*s%s%s", len ? " " : "", (int)d, tok, base,
                                       tok + d);
            else
                len += (size_t)sprintf(out + len, "%s%s", len ? " " : "", tok);
        }
        out[len] = '\0';
        free(t);
        r.e[i].targets = out;
    }
    /* The same draw for the same seed: a Fisher-Yates shuffle on xorshift64. */
    uint64_t x = seed * 0x9e3779b97f4a7c15u + 1;
    for (size_t i = r.n; i > 1; i--) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t j = (size_t)(x % i);
        entry t = r.e[i - 1];
        r.e[i - 1] = r.e[j];
        r.e[j] = t;
    }
    printf("# %zu entries of %s; %lu drawn with seed %lu (tests/index_queries.c)\n", r.n, rel,
           count < r.n ? count : (unsigned long)r.n, seed);
    for (size_t i = 0; i < r.n && i < count; i++)
        printf("%s\t%s\n", r.e[i].query, r.e[i].targets);
    for (size_t i = 0; i < r.n; i++) {
        free(r.e[i].query);
        free(r.e[i].targets);
    }
    for (size_t i = 0; i < r.nids; i++)
        free(r.index_ids[i]);
    free(r.index_ids);
    free(r.e);
    free(r.dir);
    xmlFreeDoc(doc);
    xmlCleanupParser();
    return 0;
}
