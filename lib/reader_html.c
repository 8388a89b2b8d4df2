/* reader_html.c: HTML pages into sections, through libxml2's HTML parser (SAX).
 *
 * The parser follows browsers' error recovery for unclosed and stray tags and
 * decodes character references; rubric only listens to its events, so a page
 * costs time linear in its size. Memory is bounded too: the element stack
 * rubric keeps is at most HTML_DEPTH deep (deeper elements are counted, not
 * stored), and libxml2 drops what is nested deeper than its limit (256
 * levels without XML_PARSE_HUGE), then reads on.
 *
 * Events are first collected (headings, and blocks of text with their links),
 * then judged and replayed into the outline:
 *   - sections follow h1-h6, nested by <section>/<article> depth too;
 *   - a <dt> with an id (an API entry), or whose term opens with a named
 *     anchor (a glossary's <dt><a id="def_x"></a>x), heads a section below
 *     the heading;
 *   - a heading's anchor is its id, else that of an id-bearing element inside
 *     it, else its enclosing element's id (when it is that element's first
 *     heading), else an id right before it with no text between (or only
 *     navigation: Texinfo's <a name> above its node's links), else none (a
 *     link then lands on the page, with a text fragment); the text before
 *     the first heading is the page's top, with no anchor: an anchor is
 *     always a place of the page, and never an element not read;
 *   - a heading without an anchor whose element closes, after text of its
 *     own, before the next heading titles a box (a note, a warning), and
 *     headings in a row alone in one element after the first (a title
 *     block's author and date) are a byline: their words are the section's
 *     text, not sections;
 *   - headings below the top level saying the same words at the same level
 *     LABEL_REPEATS times or more on the page (outline numbers aside) are
 *     labels of a template (gtk-doc's "Parameters" under every function):
 *     their words are the section's text, not sections;
 *   - the terms of a definition list that head no section (an option of a
 *     manual page's OPTIONS) are the passage's terms (rubric_passage.terms),
 *     unless they open with a link (a citation of a place elsewhere), and
 *     so is the single name that opens a table of one row above prose
 *     (mark_name_rows());
 *   - the ids read between blocks (no text after them before the next
 *     block begins) are places of the passage that follows, as its anchor
 *     is (rubric_passage.places): Texinfo's index entries, written after a
 *     section's heading or before a term; an id that text follows in the
 *     same block names that text, and one inside a sentence marks a
 *     mention (Sphinx's index targets), neither a place;
 *   - a link to the heading itself holding no letter or digit (a permalink
 *     mark: ¶ § ◆) is not part of its title;
 *   - script, style, template, noscript, nav, button, [hidden] and elements
 *     marked data-rubric-ignore or with a navigation/banner/contentinfo/
 *     search/complementary role are not read, nor a footer (or an element
 *     whose id or class is "footer") outside sectioning content; an <aside> is read only when
 *     it holds notes (role doc-footnote, doc-endnote, note) and a <header>
 *     outside sectioning content only when it holds an h1;
 *   - when the page marks its main content (<main> or role="main"), only that
 *     is kept;
 *   - navigation is boilerplate, judged on a block, a list or a whole table
 *     (navigation()): a table of contents (links mostly to places of the
 *     page), link-dense text unless its words are mostly found in the
 *     page's prose (related links), and a bar of links with only labels
 *     between them ("Next: A, Up: B") at the edge of the content.
 * <meta name="robots" content="noindex"> excludes the page, and so does a
 * redirect at once to another (<meta http-equiv="refresh" content="0;
 * url=...">): the page it names holds the text.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unictype.h>
#include <unistr.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "internal.h"

/* A heading longer than this was never closed: its first words (up to
 * HEADING_TITLE_MAX bytes) become the title and the rest reads as text. */
#define HEADING_TEXT_MAX 1024
#define HEADING_TITLE_MAX 200
/* Headings saying the same at the same level this often on a page are
 * labels of a template (mark_repeated_labels()). */
#define LABEL_REPEATS 3
/* Elements rubric tracks; deeper nesting is counted only. */
#define HTML_DEPTH 512
/* A block is link-dense when this share of its text (in percent) is links. */
#define LINK_DENSE_PERCENT 70
/* A list is link-dense when this share of its items (percent) is. */
#define LINK_LIST_PERCENT 70
/* ...and has at least this many items. */
#define LINK_LIST_MIN 3
/* An index: a list or table of at least INDEX_ENTRIES_MIN items (blocks: a
 * table's cells), a link for every three or more (a row of a link and its
 * gloss) holding INDEX_LINK_PERCENT of its text or more (the entries' names,
 * not a table's footnote marks), INDEX_ENTRY_WORDS words an item or fewer
 * on average and none over INDEX_ENTRY_WORDS_MAX (no paragraph of prose
 * among them). */
#define INDEX_ENTRIES_MIN 10
#define INDEX_LINK_PERCENT 15
#define INDEX_ENTRY_WORDS 12
#define INDEX_ENTRY_WORDS_MAX 40
/* The longest name a one-row table may define (mark_name_rows()), in bytes. */
#define NAME_CELL_MAX 64

/* A bar of links: at least two, with at most LINK_BAR_LABELS words more
 * than links between them, and never more than LINK_BAR_WORDS_MAX. */
#define LINK_BAR_LABELS 3
#define LINK_BAR_WORDS_MAX 12
/* Link-dense text still counts as content when at least 1 in
 * PROSE_RELATED_RATIO of its content words occur in the page's prose. */
#define PROSE_RELATED_RATIO 2

enum { EV_HEADING, EV_BLOCK };

typedef struct event {
    int kind;
    int level;           /* headings */
    char *text;
    size_t len;
    char *id;            /* heading: its anchor id; block: nearest id so far */
    char *prior_id;      /* heading without one: the last id before it, */
    size_t prior_from;   /* and the first event after that id */
    size_t start, end;
    size_t link_bytes;   /* bytes of text inside <a href> */
    size_t links;        /* blocks: the links it holds, */
    size_t local_links;  /* those to a place of this page (href="#..."), */
    char *link_text;     /* and their text, each followed by a space */
    char *ids;           /* the ids read since the event before, one a line,
                          * or NULL: places of the page in it, or right
                          * before it with no text between */
    size_t list;         /* 1-based number of the outermost list holding it */
    size_t table;        /* 1-based number of the outermost table holding it */
    size_t row;          /* and its 1-based row there (0: before any) */
    int pre;             /* preformatted */
    int term;            /* blocks: inside a <dt>, a term a list defines */
    int label;           /* a heading that titles a box, not a section */
    int away;            /* a heading that is a link to another page */
    int in_main;         /* inside <main> or role="main" */
    int boilerplate;
} event;

/* Free what event E owns. */
static void event_free(event *e)
{
    free(e->text);
    free(e->id);
    free(e->prior_id);
    free(e->link_text);
    free(e->ids);
}

typedef struct elem {
    unsigned kind;     /* K_* */
    int skip;          /* not read (with its subtree) */
    int heading;       /* 1-6 for h1-h6 */
    int link;          /* a with href */
    int self_link;     /* a with href="#..." inside a heading */
    char *id;
    int implied_list;  /* a dt or dd outside any list: one of an implied dl */
    int heading_seen;  /* a heading came inside it already */
    int tentative;     /* read only if what it holds says so (tentative()) */
    size_t aside_from; /* the outermost such: the events before it */
} elem;

typedef struct html {
    htmlParserCtxtPtr ctxt;
    rubric_doc *d;
    elem stack[HTML_DEPTH];
    size_t depth, overflow;
    size_t skipping;      /* number of open skipped elements */
    int saw_main, in_main;
    size_t main_depth;
    size_t sectioning;    /* open sectioning elements */
    size_t sections;      /* open <section> and <article> elements */
    size_t list_depth, list_no;
    size_t implied_no;    /* the list_no of the last implied dl */
    size_t table_depth, table_no, table_row;
    /* The last heading, while the element holding it is open: the stack
     * size at that element (0: none), the heading's event (SIZE_MAX until
     * it is read), and whether text came after it. */
    size_t box_depth, box_event;
    int box_text;
    size_t box_first;     /* the first of the headings in a row there, with
                             no text between them (SIZE_MAX: none yet) */
    size_t tentative;     /* open asides and page headers (tentative()) */
    int tentative_keep;   /* the outermost holds what keeps it */
    size_t links, local_links;  /* of the block being read */
    buf link_text;
    int pre;
    int in_title, in_link;
    buf title;
    /* the block or heading being read */
    buf text;
    size_t start, end, link_bytes;
    int heading_level;
    int defining;         /* the heading being read is a <dt id> */
    int last_level;       /* level of the last h1-h6 */
    size_t dl_depth;      /* open <dl> elements */
    size_t dt_depth;      /* open <dt> elements */
    char *heading_id;     /* the heading's own id, or one inside it */
    char *heading_fallback; /* an enclosing element's id, else one right before it */
    size_t link_mark;     /* text length where an in-page link inside a heading began */
    int in_self_link;     /* inside <a href="#..."> within a heading */
    int heading_away;     /* the heading holds a link to another page */
    char *last_id;        /* the nearest id seen */
    buf ids;              /* the ids between blocks since the last event,
                           * one a line (places of what comes next) */
    buf loose_ids;        /* those read since the last block boundary: an id
                           * that text follows before the next boundary
                           * marks that text (a name, a mention), no place */
    size_t last_id_event; /* the events before it */
    char *heading_prior;  /* the heading's prior_id (see event) */
    size_t heading_prior_from;
    int fresh_id;         /* last_id came after the last heading */
    int text_since_id;    /* text was read since last_id */
    event *ev;
    size_t nev, capev;
    int failed;
} html;

/* What rubric makes of an element, by its name. */
enum {
    K_BLOCK = 1 << 0,      /* ends the block of text before it and its own */
    K_SKIP = 1 << 1,       /* not read, with all it holds */
    K_LIST = 1 << 2,       /* ul, ol, dl */
    K_DL = 1 << 3,
    K_PRE = 1 << 4,
    K_SECTION = 1 << 5,    /* section, article: nests headings */
    K_SECTIONING = 1 << 6, /* section, article, main: holds its own header/footer */
    K_PAGE_PART = 1 << 7,  /* header, footer: skipped outside sectioning content */
    K_VOID = 1 << 8,       /* br, meta: no end of their own to count */
    K_MAIN = 1 << 9,
    K_A = 1 << 10,
    K_DT = 1 << 11,
    K_TITLE = 1 << 12,
    K_META = 1 << 13,
    K_BR = 1 << 14,
    K_TABLE = 1 << 15,
    K_ROOT = 1 << 16,      /* html, body: hold the whole page */
    K_ASIDE = 1 << 17,     /* aside: dropped unless it holds footnotes */
    K_HEADER = 1 << 18,    /* header: outside sectioning content, dropped
                              unless it holds the page's h1 */
    K_DD = 1 << 19,
    K_DIV = 1 << 20,
    K_TR = 1 << 21
};

/* Sorted by name, for bsearch. */
static const struct tag {
    const char *name;
    unsigned kind;
} tags[] = {
    {"a", K_A},
    {"address", K_BLOCK},
    {"article", K_BLOCK | K_SECTION | K_SECTIONING},
    {"aside", K_BLOCK | K_ASIDE},
    {"blockquote", K_BLOCK},
    {"body", K_BLOCK | K_ROOT},
    {"br", K_BLOCK | K_VOID | K_BR},
    {"button", K_SKIP},
    {"caption", K_BLOCK},
    {"dd", K_BLOCK | K_DD},
    {"details", K_BLOCK},
    {"dialog", K_BLOCK},
    {"div", K_BLOCK | K_DIV},
    {"dl", K_BLOCK | K_LIST | K_DL},
    {"dt", K_BLOCK | K_DT},
    {"fieldset", K_BLOCK},
    {"figcaption", K_BLOCK},
    {"figure", K_BLOCK},
    {"footer", K_BLOCK | K_PAGE_PART},
    {"form", K_BLOCK},
    {"h1", K_BLOCK},
    {"h2", K_BLOCK},
    {"h3", K_BLOCK},
    {"h4", K_BLOCK},
    {"h5", K_BLOCK},
    {"h6", K_BLOCK},
    {"header", K_BLOCK | K_PAGE_PART | K_HEADER},
    {"hr", K_BLOCK},
    {"html", K_BLOCK | K_ROOT},
    {"iframe", K_SKIP},
    {"li", K_BLOCK},
    {"main", K_BLOCK | K_SECTIONING | K_MAIN},
    {"meta", K_VOID | K_META},
    {"nav", K_SKIP},
    {"noscript", K_SKIP},
    {"object", K_SKIP},
    {"ol", K_BLOCK | K_LIST},
    {"p", K_BLOCK},
    {"pre", K_BLOCK | K_PRE},
    {"script", K_SKIP},
    {"section", K_BLOCK | K_SECTION | K_SECTIONING},
    {"select", K_SKIP},
    {"style", K_SKIP},
    {"summary", K_BLOCK},
    {"svg", K_SKIP},
    {"table", K_BLOCK | K_TABLE},
    {"tbody", K_BLOCK},
    {"td", K_BLOCK},
    {"template", K_SKIP},
    {"tfoot", K_BLOCK},
    {"th", K_BLOCK},
    {"thead", K_BLOCK},
    {"title", K_TITLE},
    {"tr", K_BLOCK | K_TR},
    {"ul", K_BLOCK | K_LIST},
};

static int by_tag(const void *key, const void *t)
{
    return strcmp(key, ((const struct tag *)t)->name);
}

/* The K_* flags of the element NAME (0 for one rubric does not know). */
static unsigned tag_kind(const char *name)
{
    char lower[16];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof lower; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    if (name[i])
        return 0;  /* longer than any name in the table */
    lower[i] = '\0';
    const struct tag *t = bsearch(lower, tags, sizeof tags / sizeof *tags, sizeof *tags, by_tag);
    return t ? t->kind : 0;
}

/* 1-6 for h1-h6, else 0. */
static int heading_number(const char *name)
{
    return (name[0] == 'h' || name[0] == 'H') && name[1] >= '1' && name[1] <= '6' && !name[2]
               ? name[1] - '0'
               : 0;
}

/* Roles of the notes that make an <aside> content (DPUB-ARIA). */
static const char *const note_roles[] = {"doc-footnote", "doc-endnote", "doc-endnotes",
                                         "note", NULL};

static const char *const skipped_roles[] = {"navigation", "banner", "contentinfo", "search",
                                            "complementary", NULL};

/* Is NAME one of the space-separated classes of CLASSES (may be NULL)? */
static int has_class(const char *classes, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = classes; p && *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
            p++;
        const char *e = p;
        while (*e && !(*e == ' ' || *e == '\t' || *e == '\n' || *e == '\r' || *e == '\f'))
            e++;
        if ((size_t)(e - p) == n && strncasecmp(p, name, n) == 0)
            return 1;
        p = e;
    }
    return 0;
}

static int in_list(const char *name, const char *const *list)
{
    for (const char *const *l = list; *l; l++)
        if (strcasecmp(name, *l) == 0)
            return 1;
    return 0;
}

static const char *attr(const xmlChar **atts, const char *name)
{
    for (size_t i = 0; atts && atts[i]; i += 2)
        if (strcasecmp((const char *)atts[i], name) == 0)
            return atts[i + 1] ? (const char *)atts[i + 1] : "";
    return NULL;
}

/* Does DATA[0..LEN) hold NEEDLE, ignoring ASCII case? */
static int find_ci(const char *data, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (strncasecmp(data + i, needle, n) == 0)
            return 1;
    return 0;
}

static size_t offset(const html *h)
{
    long n = xmlByteConsumed(h->ctxt);
    return n > 0 ? (size_t)n : 0;
}

static int add_event(html *h, event e)
{
    if (GROW(h->ev, h->nev, h->capev) < 0)
        return -1;
    h->ev[h->nev++] = e;
    return 0;
}

static void fail(html *h)
{
    h->failed = 1;
    xmlStopParser(h->ctxt);
}

/* Trim spaces and the permalink marks pages put after headings (¶ §) when
 * they are not inside a link. */
static size_t trim_heading(const char *s, size_t n)
{
    for (;;) {
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
            n--;
        if (n >= 2 && (memcmp(s + n - 2, "\xC2\xB6", 2) == 0 || memcmp(s + n - 2, "\xC2\xA7", 2) == 0))
            n -= 2;
        else if (n >= 4 && memcmp(s + n - 4, "\xF0\x9F\x94\x97", 4) == 0)
            n -= 4;
        else
            return n;
    }
}

/* At a block boundary: the ids read since the last one, with no text
 * after them, lie between blocks. */
static void settle_ids(html *h)
{
    if (!h->loose_ids.len)
        return;
    if ((h->ids.len && buf_addc(&h->ids, '\n') < 0) ||
        buf_add(&h->ids, h->loose_ids.data, h->loose_ids.len) < 0)
        fail(h);
    h->loose_ids.len = 0;
}

static void record_block(html *h);

/* End the block (or heading) being read, recording it as an event; what
 * follows is a new block. */
static void end_block(html *h)
{
    record_block(h);
    settle_ids(h);
}

static void record_block(html *h)
{
    size_t n = h->text.len;
    const char *t = h->text.data;
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\n'))
        n--;
    event e = {0};
    if (h->heading_level) {
        n = trim_heading(t, n);
        e.kind = EV_HEADING;
        e.away = h->heading_away && h->link_bytes * 100 >= n * LINK_DENSE_PERCENT;
        h->heading_away = 0;
        h->fresh_id = 0;
        e.level = h->heading_level;
        if (!h->defining)
            h->last_level = h->heading_level;
        h->defining = 0;
        e.id = h->heading_id ? h->heading_id : h->heading_fallback;
        if (h->heading_id)
            free(h->heading_fallback);
        h->heading_id = h->heading_fallback = NULL;
        e.prior_id = e.id ? NULL : h->heading_prior;
        e.prior_from = h->heading_prior_from;
        if (e.id)
            free(h->heading_prior);
        h->heading_prior = NULL;
        h->heading_level = 0;
        if (n == 0) {
            free(e.id);
            free(e.prior_id);
            h->text.len = 0;
            return;
        }
    } else {
        if (n == 0) {
            h->text.len = 0;
            h->link_bytes = 0;
            h->links = h->local_links = 0;
            h->link_text.len = 0;
            return;
        }
        e.kind = EV_BLOCK;
        /* Only an id inside the section locates its text better than the
         * section's own anchor does. */
        e.id = h->last_id && h->fresh_id ? xstrdup(h->last_id) : NULL;
        if (h->last_id && h->fresh_id && !e.id) {
            fail(h);
            return;
        }
        e.list = h->list_depth ? h->list_no : 0;
        e.table = h->table_depth ? h->table_no : 0;
        e.row = h->table_depth ? h->table_row : 0;
        e.pre = h->pre;
        e.term = h->dt_depth > 0;
        e.link_bytes = h->link_bytes;
        e.links = h->links;
        e.local_links = h->local_links;
        if (h->link_text.len && !(e.link_text = xstrndup(h->link_text.data, h->link_text.len))) {
            free(e.id);
            fail(h);
            return;
        }
    }
    e.text = xstrndup(t, n);
    e.len = n;
    if (h->ids.len && !(e.ids = xstrndup(h->ids.data, h->ids.len))) {
        event_free(&e);
        fail(h);
        return;
    }
    h->ids.len = 0;
    e.in_main = h->in_main;
    e.start = h->start;
    e.end = h->end > h->start ? h->end : offset(h);
    h->text.len = 0;
    h->link_bytes = 0;
    h->links = h->local_links = 0;
    h->link_text.len = 0;
    if (!e.text || add_event(h, e) < 0) {
        event_free(&e);
        fail(h);
        return;
    }
    if (e.kind == EV_HEADING && h->box_depth) {
        h->box_event = e.id ? SIZE_MAX : h->nev - 1;
        if (h->box_first == SIZE_MAX)
            h->box_first = h->nev - 1;
    }
    else if (e.kind == EV_BLOCK && h->box_event != SIZE_MAX)
        h->box_text = 1;
}

/* End an overlong heading after its first words; the rest is a block. */
static void cut_heading(html *h)
{
    size_t cut = HEADING_TITLE_MAX;
    while (cut > HEADING_TITLE_MAX / 2 && h->text.data[cut] != ' ')
        cut--;
    if (h->text.data[cut] != ' ')
        while (cut > 1 && ((unsigned char)h->text.data[cut] & 0xC0) == 0x80)
            cut--;
    char *rest = xstrndup(h->text.data + cut, h->text.len - cut);
    if (!rest) {
        fail(h);
        return;
    }
    h->text.len = cut;
    end_block(h);
    if (buf_adds(&h->text, rest[0] == ' ' ? rest + 1 : rest) < 0)
        fail(h);
    free(rest);
}

static int reading(const html *h)
{
    return !h->skipping;
}

/* Is CONTENT, a <meta http-equiv="refresh">'s, a move elsewhere at once:
 * "0; url=OTHER" (OTHER not a place of this page)? A page that redirects
 * before it is seen only names where its content is (Texinfo writes one
 * for every node and anchor, "The node you are looking for is at ..."). */
static int redirects_at_once(const char *content)
{
    const char *c = content;
    while (*c == ' ')
        c++;
    if (*c != '0')
        return 0;
    while (*c == '0')
        c++;
    if (*c == '.')
        while (*++c == '0')
            ;
    while (*c == ' ')
        c++;
    if (*c != ';' && *c != ',')
        return 0;
    c++;
    while (*c == ' ')
        c++;
    if (strncasecmp(c, "url", 3) != 0)
        return 0;
    c += 3;
    while (*c == ' ')
        c++;
    if (*c++ != '=')
        return 0;
    while (*c == ' ' || *c == '\'' || *c == '"')
        c++;
    return *c && *c != '#';
}

/* <meta name="robots" content="noindex">: the page asks not to be indexed;
 * <meta http-equiv="refresh" content="0; url=..."> it is a redirect. */
static void note_meta(html *h, const xmlChar **atts)
{
    const char *n = attr(atts, "name"), *c = attr(atts, "content");
    const char *equiv = attr(atts, "http-equiv");
    if ((n && c && strcasecmp(n, "robots") == 0 && find_ci(c, strlen(c), "noindex")) ||
        (equiv && c && strcasecmp(equiv, "refresh") == 0 && redirects_at_once(c))) {
        h->d->excluded = 1;
        xmlStopParser(h->ctxt);
    }
}

/* The element's id: its id attribute, or an <a>'s name; NULL when none. */
static const char *element_id(unsigned kind, const xmlChar **atts)
{
    const char *id = attr(atts, "id");
    if (!id && (kind & K_A))
        id = attr(atts, "name");
    return id;
}

/* Note ID (not empty) as the nearest id seen; inside a heading, it is the
 * heading's own when the heading has none yet. Returns 0, or -1 when out of
 * memory before anything was noted. */
static int note_id(html *h, const char *id)
{
    char *copy = xstrdup(id);
    if (!copy) {
        fail(h);
        return -1;
    }
    free(h->last_id);
    h->last_id = copy;
    h->last_id_event = h->nev;
    /* An id read between blocks places what follows (settle_ids()); one
     * inside a block's text marks a word there (Sphinx's target of an
     * index entry at each mention of a command). */
    if (!h->heading_level && h->text.len == 0 &&
        ((h->loose_ids.len && buf_addc(&h->loose_ids, '\n') < 0) ||
         buf_adds(&h->loose_ids, id) < 0)) {
        fail(h);
        return -1;
    }
    h->fresh_id = !h->heading_level;
    h->text_since_id = 0;
    if (h->heading_level && !h->heading_id && !(h->heading_id = xstrdup(id)))
        fail(h);
    return 0;
}

/* Drop the events from FROM on. */
static void drop_events(html *h, size_t from)
{
    for (size_t i = from; i < h->nev; i++)
        event_free(&h->ev[i]);
    if (from < h->nev)
        h->nev = from;
    if (h->box_event != SIZE_MAX && h->box_event >= from)
        h->box_event = SIZE_MAX;
    if (h->box_first != SIZE_MAX && h->box_first >= from)
        h->box_first = SIZE_MAX;
}

/* Is the element not read, with all it holds? */
static int skipped(const html *h, unsigned kind, const xmlChar **atts, const char *role)
{
    /* An element whose id is "footer", or a <div> of class "footer", the
     * page footer before HTML5 named it, is one. */
    const char *id = attr(atts, "id");
    int footer = ((kind & K_PAGE_PART) && !(kind & K_HEADER)) ||
                 (id && strcasecmp(id, "footer") == 0) ||
                 ((kind & K_DIV) && has_class(attr(atts, "class"), "footer"));
    return (kind & K_SKIP) || attr(atts, "data-rubric-ignore") || attr(atts, "hidden") ||
           (role && in_list(role, skipped_roles)) || (footer && !h->sectioning);
}

/* Is the element read only if what it holds says so: an <aside> (a
 * sidebar, unless it holds notes: footnotes), a <header> outside sectioning
 * content (a site's banner, unless it holds the page's h1)? */
static int tentative(const html *h, unsigned kind)
{
    return (kind & K_ASIDE) || ((kind & K_HEADER) && !h->sectioning);
}

/* Push the element that starts (of KIND, its id ID) on the stack, and count
 * it into the state it changes: skipping, main content, sectioning, lists,
 * preformatted text, links. Returns the element, or NULL past HTML_DEPTH
 * (then it is only counted). */
static elem *push_element(html *h, unsigned kind, const xmlChar **atts, const char *id)
{
    const char *role = attr(atts, "role");
    int skip = skipped(h, kind, atts, role);
    int maybe = tentative(h, kind);
    int is_main = (kind & K_MAIN) || (role && strcasecmp(role, "main") == 0);
    if (h->depth == HTML_DEPTH) {
        h->overflow++;
        return NULL;
    }
    elem *e = &h->stack[h->depth++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    e->skip = skip;
    if (skip)
        h->skipping++;
    if (is_main && !h->in_main) {
        h->in_main = h->saw_main = 1;
        h->main_depth = h->depth;
    }
    if (id && *id && !(e->id = xstrdup(id)))
        fail(h);
    if (kind & K_SECTIONING)
        h->sectioning++;
    if (kind & K_SECTION)
        h->sections++;
    if ((kind & K_LIST) && h->list_depth++ == 0)
        h->list_no++;
    /* A dt or dd outside any list is an item of a definition list the
     * markup implies (gtk-doc's symbol index has no dl): a run of them with
     * nothing else between is one list, judged as one. */
    if ((kind & (K_DT | K_DD)) && h->list_depth == 0) {
        const event *last = h->nev ? &h->ev[h->nev - 1] : NULL;
        if (!(h->implied_no && h->implied_no == h->list_no && last &&
              last->kind == EV_BLOCK && last->list == h->list_no))
            h->implied_no = ++h->list_no;
        h->list_depth++;
        e->implied_list = 1;
    }
    if ((kind & K_TABLE) && h->table_depth++ == 0) {
        h->table_no++;
        h->table_row = 0;
    }
    if ((kind & K_TR) && h->table_depth == 1)
        h->table_row++;
    e->tentative = maybe;
    if (maybe && h->tentative++ == 0) {
        e->aside_from = h->nev;
        h->tentative_keep = 0;
    }
    if (h->tentative && role && in_list(role, note_roles))
        h->tentative_keep = 1;
    if (kind & K_DL)
        h->dl_depth++;
    if (kind & K_DT)
        h->dt_depth++;
    if (kind & K_PRE)
        h->pre++;
    const char *href = kind & K_A ? attr(atts, "href") : NULL;
    if (href) {
        e->link = 1;
        h->in_link++;
        if (!h->heading_level && h->in_link == 1) {
            h->links++;
            h->local_links += href[0] == '#';
        }
        if (h->heading_level && href[0] != '#')
            h->heading_away = 1;
        if (h->heading_level && href[0] == '#' && !h->in_self_link) {
            e->self_link = 1;
            h->in_self_link = 1;
            h->link_mark = h->text.len;
        }
    }
    return e;
}

/* The anchor of a heading that has no id of its own (nor one inside it, yet):
 * the id of the nearest enclosing element that has one, when this is the
 * first heading inside it (<section id>, Texinfo's <div id>); else an id
 * right before it with no text between (<a name="..."></a><h3> in older
 * HTML); else none. Every anchor is thus a place of the page, at or just
 * before the heading. */
static void note_heading_fallback(html *h)
{
    free(h->heading_fallback);
    h->heading_fallback = NULL;
    int nearest = 1;
    for (size_t i = h->depth; i-- > 0;) {
        elem *e = &h->stack[i];
        if (e->id && nearest) {
            nearest = 0;
            if (!e->heading_seen && !(h->heading_fallback = xstrdup(e->id)))
                fail(h);
        }
        e->heading_seen = 1;
    }
    if (!h->heading_fallback && h->last_id && !h->text_since_id &&
        !(h->heading_fallback = xstrdup(h->last_id)))
        fail(h);
}

/* Heading E (h1-h6, LEVEL, its id ID or NULL) starts. */
static void heading_opens(html *h, elem *e, int level, const char *id)
{
    end_block(h);
    e->heading = level;
    h->heading_level = level;
    h->start = offset(h);
    if (h->tentative && level == 1)
        h->tentative_keep = 1;
    /* The anchor: the heading's id, else an id inside it (taken as it comes,
     * see note_id()), else the fallback. */
    free(h->heading_id);
    h->heading_id = id && *id ? xstrdup(id) : NULL;
    if (id && *id && !h->heading_id)
        fail(h);
    note_heading_fallback(h);
    /* The element holding the heading, unless it is a section. */
    elem *parent = h->depth >= 2 ? &h->stack[h->depth - 2] : NULL;
    size_t depth =
        parent && !(parent->kind & (K_SECTIONING | K_SECTION | K_ROOT)) ? h->depth - 1 : 0;
    if (!depth || depth != h->box_depth || h->box_text)
        h->box_first = SIZE_MAX;  /* no row of headings in one element */
    h->box_depth = depth;
    /* Without an anchor yet: the id before it, in case all between is
     * navigation (judged later: resolve_prior_ids()). */
    free(h->heading_prior);
    h->heading_prior = NULL;
    if (!h->heading_id && !h->heading_fallback && h->last_id &&
        !(h->heading_prior = xstrdup(h->last_id)))
        fail(h);
    h->heading_prior_from = h->last_id_event;
    h->box_event = SIZE_MAX;
    h->box_text = 0;
    /* Deeper sections nest headings deeper, whatever their number. */
    if ((size_t)h->heading_level < h->sections)
        h->heading_level = (int)h->sections;
    if (h->heading_level > 6)
        h->heading_level = 6;
}

/* The open <dt> whose term an element opening now begins (only inline
 * elements between them, and no letter or digit read since the term
 * opened): AsciiDoc's and DocBook's glossaries say <dt><a id="def_x"></a>x,
 * a named anchor right before the term (not a span marking where an index
 * entry points, as Sphinx puts before a "see also" link). NULL when there is
 * none. */
static elem *term_begun(html *h)
{
    for (size_t i = h->depth - 1; i-- > 0;) {
        elem *e = &h->stack[i];
        if (e->kind & K_DT) {
            for (size_t k = 0; k < h->text.len; k++)
                if (isalnum((unsigned char)h->text.data[k]) ||
                    (unsigned char)h->text.data[k] >= 0x80)
                    return NULL;
            return e;
        }
        if (e->kind & K_BLOCK)
            return NULL;
    }
    return NULL;
}

/* The id of an empty element right before a <dt> opening now, with no text
 * between (Texinfo's index entries, <span id="index-AUTO_005fPUSHD"></span>,
 * written before the term they index, at the end of the entry above): the
 * term's place, as an id inside it would be. NULL when there is none, or
 * when the element bearing it is still open (a container around the list,
 * the place of all of it). */
static const char *marker_before(const html *h)
{
    if (!h->last_id || h->text_since_id || !h->fresh_id)
        return NULL;
    for (size_t i = 0; i < h->depth && i < HTML_DEPTH; i++)
        if (h->stack[i].id && strcmp(h->stack[i].id, h->last_id) == 0)
            return NULL;
    return h->last_id;
}

/* A term with an id (an API entry: <dt id="json.dumps">, or <dt><a
 * id="def_x"></a>) starts: it heads a section of its own, below the heading
 * and the lists around it. */
static void definition_opens(html *h, elem *e, const char *id)
{
    end_block(h);
    e->heading = 1;
    h->defining = 1;
    h->heading_level = h->last_level + (int)(h->dl_depth ? h->dl_depth : 1);
    h->start = offset(h);
    free(h->heading_id);
    if (!(h->heading_id = xstrdup(id)))
        fail(h);
}

static void on_start(void *ctx, const xmlChar *tag, const xmlChar **atts)
{
    html *h = ctx;
    const char *name = (const char *)tag;
    if (h->failed)
        return;
    unsigned kind = tag_kind(name);
    if (kind & K_META) {
        note_meta(h, atts);
        return;
    }
    if ((kind & K_TITLE) && !h->title.len) {
        h->in_title = 1;
        return;
    }
    if ((kind & K_BLOCK) && reading(h) && !h->heading_level)
        end_block(h);
    if (kind & K_BR) {
        if (reading(h) && h->heading_level && buf_addc(&h->text, ' ') < 0)
            fail(h);
        return;
    }
    const char *id = element_id(kind, atts);
    /* An element not read (a button, a script) is no place to land on. */
    if (id && *id && reading(h) && !skipped(h, kind, atts, attr(atts, "role")) &&
        note_id(h, id) < 0)
        return;
    elem *e = push_element(h, kind, atts, id);
    if (!e || !reading(h))
        return;
    elem *term = NULL;
    const char *marked = NULL;
    if (heading_number(name) && !h->heading_level)
        heading_opens(h, e, heading_number(name), id);
    else if ((kind & K_DT) && id && *id && !h->heading_level)
        definition_opens(h, e, id);
    else if ((kind & K_DT) && !h->heading_level && (marked = marker_before(h)))
        definition_opens(h, e, marked);
    else if ((kind & K_A) && !attr(atts, "href") && id && *id && !h->heading_level &&
             (term = term_begun(h)))
        definition_opens(h, term, id);
}

static void on_end(void *ctx, const xmlChar *tag)
{
    html *h = ctx;
    const char *name = (const char *)tag;
    if (h->failed)
        return;
    unsigned kind = tag_kind(name);
    if (h->in_title && (kind & K_TITLE)) {
        h->in_title = 0;
        return;
    }
    if (kind & K_VOID)
        return;
    if (h->overflow) {
        h->overflow--;
        return;
    }
    if (h->depth == 0)
        return;
    elem *e = &h->stack[h->depth - 1];
    /* What the element was is what it was at its start (the parser closes
     * elements in order). */
    if ((e->kind & K_BLOCK) && reading(h) && (!h->heading_level || e->heading))
        end_block(h);
    /* A heading without an anchor whose element closes, after some text of
     * its own, before the next heading: the title of a box inside the
     * section (DocBook's "Note", "Warning"), whose text stays the
     * section's. */
    if (h->box_depth && h->depth == h->box_depth) {
        if (h->box_event != SIZE_MAX && h->box_text)
            h->ev[h->box_event].label = 1;
        /* Headings in a row alone in one element (a title block: title,
         * author, date): those after the first without an anchor are its
         * byline, not sections. */
        for (size_t k = h->box_first + 1; !h->box_text && h->box_first != SIZE_MAX && k < h->nev;
             k++)
            if (h->ev[k].kind == EV_HEADING && !h->ev[k].id)
                h->ev[k].label = 1;
        h->box_depth = 0;
        h->box_first = SIZE_MAX;
    }
    if (e->skip)
        h->skipping--;
    if (e->kind & K_SECTIONING)
        h->sectioning--;
    if (h->in_main && h->depth == h->main_depth)
        h->in_main = 0;
    if ((e->kind & K_LIST || e->implied_list) && h->list_depth)
        h->list_depth--;
    if ((e->kind & K_TABLE) && h->table_depth)
        h->table_depth--;
    if (e->tentative && h->tentative && --h->tentative == 0 && !h->tentative_keep)
        drop_events(h, e->aside_from);
    if ((e->kind & K_DL) && h->dl_depth)
        h->dl_depth--;
    if ((e->kind & K_DT) && h->dt_depth)
        h->dt_depth--;
    if ((e->kind & K_PRE) && h->pre)
        h->pre--;
    if (e->link && --h->in_link == 0 && !h->heading_level && buf_addc(&h->link_text, ' ') < 0)
        fail(h);
    if (e->self_link) {
        /* A link to the heading itself holding no letter nor digit (¶, #,
         * §, ◆) is a permalink mark, not part of the title. */
        h->in_self_link = 0;
        int word = 0;
        for (size_t i = h->link_mark; i < h->text.len && !word;) {
            ucs4_t uc;
            int n = u8_mbtouc(&uc, (const uint8_t *)h->text.data + i, h->text.len - i);
            word = uc_is_general_category_withtable(uc, UC_CATEGORY_MASK_L | UC_CATEGORY_MASK_N);
            i += n > 0 ? (size_t)n : 1;
        }
        if (!word && h->heading_level && h->link_mark <= h->text.len)
            h->text.len = h->link_mark;
    }
    if (e->kind & K_SECTION)
        h->sections--;
    free(e->id);
    h->depth--;
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
    html *h = ctx;
    if (h->failed || len <= 0)
        return;
    const char *s = (const char *)ch;
    if (h->in_title) {
        if (h->title.len < 1024 && buf_add(&h->title, s, (size_t)len) < 0)
            fail(h);
        return;
    }
    if (!reading(h))
        return;
    size_t before = h->text.len;
    for (int i = 0; i < len; i++) {
        char c = s[i];
        int space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
        if (space && !h->pre) {
            /* Runs of white space read as one space. */
            if (h->text.len && h->text.data[h->text.len - 1] != ' ' &&
                h->text.data[h->text.len - 1] != '\n' && buf_addc(&h->text, ' ') < 0)
                goto oom;
            continue;
        }
        if (h->text.len == 0)
            h->start = offset(h) >= (size_t)(len - i) ? offset(h) - (size_t)(len - i) : 0;
        /* A no-break space (C2 A0) is not text between an id and a heading. */
        if (c != (char)0xC2 && c != (char)0xA0) {
            h->text_since_id = 1;
            h->loose_ids.len = 0;  /* the ids before it mark it */
        }
        if (buf_addc(&h->text, c == '\r' ? '\n' : c) < 0)
            goto oom;
    }
    h->end = offset(h);
    if (h->in_link) {
        h->link_bytes += h->text.len - before;
        if (!h->heading_level &&
            buf_add(&h->link_text, h->text.data + before, h->text.len - before) < 0)
            goto oom;
    }
    if (h->heading_level && h->text.len > HEADING_TEXT_MAX)
        cut_heading(h);
    return;
oom:
    fail(h);
}

/* --------------------------------------------------------------- judging */

/* The page marks its main content: drop what lies outside it. */
static void keep_main(html *h)
{
    size_t w = 0;
    for (size_t i = 0; i < h->nev; i++) {
        if (h->ev[i].in_main) {
            h->ev[w++] = h->ev[i];
        } else {
            event_free(&h->ev[i]);
        }
    }
    h->nev = w;
}

typedef struct vocab_ctx {
    hashset set;             /* stems of the page's prose */
    size_t content, shared;  /* when checking: content words, and those in the set */
    int adding, failed;
} vocab_ctx;

static int vocab_word(void *ctx, const rubric_token *t)
{
    vocab_ctx *v = ctx;
    if (t->sub || t->word_len < 4)
        return 0;
    uint64_t k = hash64(t->stem, t->stem_len);
    if (!v->adding) {
        v->content++;
        v->shared += hashset_has(&v->set, k);
        return 0;
    }
    if (hashset_add(&v->set, k) < 0) {
        v->failed = 1;
        return RUBRIC_ENOMEM;
    }
    return 0;
}

static int link_dense(const event *e)
{
    return e->link_bytes * 100 >= e->len * LINK_DENSE_PERCENT;
}

/* Words in S[0..N): runs of letters and digits holding a letter (a section
 * number such as "4.2." is no word). */
static size_t count_words(const char *s, size_t n)
{
    size_t words = 0;
    int letter = 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)s[i] : ' ';
        if (isalnum(c) || c >= 0x80) {
            letter |= !isdigit(c);
        } else {
            words += letter;
            letter = 0;
        }
    }
    return words;
}

/* Do the words TEXT[0..N) run through AN hold fewer than 1 in
 * PROSE_RELATED_RATIO of the page's prose words (V's set)? */
static int unrelated(rubric_analyzer *an, vocab_ctx *v, const char *text, size_t n)
{
    v->content = v->shared = 0;
    rubric_analyzer_run(an, text, n, vocab_word, v);
    return v->shared * PROSE_RELATED_RATIO < v->content || v->content == 0;
}

/* A group of blocks judged together: one block, a list, or a table. */
typedef struct group {
    size_t from, to;  /* events [from, to) */
    size_t items, dense, links, local, bytes, link_bytes, words, link_words;
    size_t terms, linked_terms; /* its <dt> blocks, and those holding a link */
    size_t longest;   /* words of its longest item */
    buf text, link_text;
} group;

/* Is group G navigation? Three kinds, each from its text alone:
 *   - a table of contents: links, mostly to places of this page, and most
 *     of its text theirs;
 *   - an index: a long list or table of short entries, most with a link (a
 *     module index, a back-of-book index, a list of commands, each with a
 *     line of gloss); its entries point at the prose, which ranks instead.
 *     A definition list whose terms are mostly not links is no index but
 *     the definitions themselves (a reference's settings, each a name and
 *     a line or two that link elsewhere), unless what follows its terms is
 *     mostly link text (the places each term is found: link-dense text);
 *   - link-dense text (a list of mostly links, a block mostly link text),
 *     unless its words are mostly the page's own prose (related links);
 *   - a bar of links with only labels between them ("Next: A, Up: B",
 *     "Prev | Chapter 4 | Next", or "Up: A" alone): at an EDGE of the content (right before a
 *     heading, or last on the page), where manuals put their page
 *     navigation, always; elsewhere unless the links' own words are mostly
 *     the page's prose (a sentence that names what it links). */
static int navigation(rubric_analyzer *an, vocab_ctx *v, const group *g, int list, int edge)
{
    if (g->links >= LINK_LIST_MIN && g->local * 2 > g->links && g->link_bytes * 2 >= g->bytes)
        return 1;
    int defines = g->terms && g->linked_terms * 2 < g->terms;
    if (list && !defines && g->items >= INDEX_ENTRIES_MIN && g->links * 3 >= g->items &&
        g->link_bytes * 100 >= g->bytes * INDEX_LINK_PERCENT &&
        g->words <= g->items * INDEX_ENTRY_WORDS && g->longest <= INDEX_ENTRY_WORDS_MAX)
        return 1;
    /* Terms that are not links, each followed by links alone, are an index
     * that lists a term's places after it (Exim's): judged by its glosses. */
    size_t glosses = defines ? g->items - g->terms : g->items;
    int dense = list ? glosses >= LINK_LIST_MIN && g->dense * 100 >= glosses * LINK_LIST_PERCENT
                     : g->dense && g->link_bytes >= 20;
    /* A block of related links may still be a bar ("Previous: A, Up: B"
     * names pages on this one's subject); a list of them is content. */
    if (dense) {
        int away = unrelated(an, v, g->text.data, g->text.len);
        if (away || list)
            return away;
    }
    size_t labels = g->words > g->link_words ? g->words - g->link_words : 0;
    if (g->links >= 2 && labels <= g->links + LINK_BAR_LABELS && labels <= LINK_BAR_WORDS_MAX)
        return edge || unrelated(an, v, g->link_text.data, g->link_text.len);
    /* At an edge, one link with one label is a bar too ("Up: Rules"). */
    return edge && g->links == 1 && labels <= 1 && g->link_bytes * 2 >= g->bytes;
}

/* Mark navigation (lists, tables and blocks: navigation()) as boilerplate. */
static int judge(html *h)
{
    rubric_analyzer *an = NULL;
    if (rubric_analyzer_new("english", &an) != RUBRIC_OK)
        return -1;
    vocab_ctx v = {0};
    v.adding = 1;
    for (size_t i = 0; i < h->nev && !v.failed; i++) {
        const event *e = &h->ev[i];
        if (e->kind == EV_BLOCK && !e->list && !e->table && !link_dense(e))
            rubric_analyzer_run(an, e->text, e->len, vocab_word, &v);
    }
    v.adding = 0;
    group g = {0};
    int failed = 0;
    for (size_t i = 0; i < h->nev && !v.failed && !failed;) {
        event *e = &h->ev[i];
        if (e->kind != EV_BLOCK) {
            i++;
            continue;
        }
        /* A table is judged whole, and a list outside one; any other block
         * alone. */
        size_t j = i + 1;
        if (e->table)
            while (j < h->nev && h->ev[j].kind == EV_BLOCK && h->ev[j].table == e->table)
                j++;
        else if (e->list)
            while (j < h->nev && h->ev[j].kind == EV_BLOCK && h->ev[j].list == e->list)
                j++;
        g.text.len = g.link_text.len = 0;
        g.items = g.dense = g.links = g.local = g.bytes = g.link_bytes = g.longest = 0;
        g.terms = g.linked_terms = 0;
        for (size_t k = i; k < j && !failed; k++) {
            const event *x = &h->ev[k];
            g.items++;
            size_t w = count_words(x->text, x->len);
            if (w > g.longest)
                g.longest = w;
            g.dense += link_dense(x);
            g.terms += x->term;
            g.linked_terms += x->term && x->links;
            g.links += x->links;
            g.local += x->local_links;
            g.bytes += x->len;
            g.link_bytes += x->link_bytes;
            failed = buf_add(&g.text, x->text, x->len) < 0 || buf_addc(&g.text, ' ') < 0 ||
                     (x->link_text && buf_adds(&g.link_text, x->link_text) < 0);
        }
        if (failed)
            break;
        g.words = count_words(g.text.data, g.text.len);
        g.link_words = count_words(g.link_text.data, g.link_text.len);
        int edge = j == h->nev || h->ev[j].kind == EV_HEADING;
        int nav = navigation(an, &v, &g, e->list || e->table, edge);
        for (size_t k = i; k < j; k++)
            h->ev[k].boilerplate = nav;
        i = j;
    }
    failed = failed || v.failed;
    buf_free(&g.text);
    buf_free(&g.link_text);
    hashset_free(&v.set);
    rubric_analyzer_free(an);
    return failed ? -1 : 0;
}

/* A heading without an anchor takes the id before it when nothing but
 * navigation lies between (Texinfo's <a name> above its node's navigation
 * bar). */
static void resolve_prior_ids(html *h)
{
    for (size_t i = 0; i < h->nev; i++) {
        event *e = &h->ev[i];
        if (e->kind != EV_HEADING || !e->prior_id)
            continue;
        int navigation_only = e->prior_from <= i;
        for (size_t k = e->prior_from; k < i && navigation_only; k++)
            navigation_only = h->ev[k].kind == EV_BLOCK && h->ev[k].boilerplate;
        if (navigation_only && !e->id) {
            e->id = e->prior_id;
            e->prior_id = NULL;
        }
    }
}

/* The words of heading E that say what it titles: without its outline
 * number ("22.9.2"), from *LEN bytes. */
static const char *label_words(const event *e, size_t *len)
{
    const char *s = e->text, *end = e->text + e->len;
    const char *w = s;
    while (w < end && ((*w >= '0' && *w <= '9') || *w == '.'))
        w++;
    if (w > s && w < end && *w == ' ')
        s = w + 1;
    *len = (size_t)(end - s);
    return s;
}

/* A hash of heading E's level and label_words(), case folded (ASCII); a
 * heading's text is at most HEADING_TEXT_MAX bytes. */
static uint64_t label_key(const event *e)
{
    size_t len;
    const char *w = label_words(e, &len);
    char folded[HEADING_TEXT_MAX + 1];
    folded[0] = (char)('0' + e->level);
    if (len > HEADING_TEXT_MAX)
        len = HEADING_TEXT_MAX;
    for (size_t i = 0; i < len; i++)
        folded[i + 1] = (char)tolower((unsigned char)w[i]);
    return hash64(folded, len + 1) | 1;  /* never 0, a free slot */
}

/* Headings that title a field of a template, not a section: the same words
 * at the same level under LABEL_REPEATS or more headings of the page
 * (gtk-doc's "Parameters" and "Returns" below every function, Doxygen's
 * alike). Their words are their section's text. 0, or -1 when out of
 * memory. */
static int mark_repeated_labels(html *h)
{
    hashmap seen = {0};
    int rc = 0;
    for (size_t i = 0; i < h->nev && rc == 0; i++) {
        const event *e = &h->ev[i];
        size_t *n = e->kind == EV_HEADING && e->level >= 2 ? hashmap_at(&seen, label_key(e))
                                                           : &(size_t){0};
        if (!n)
            rc = -1;
        else
            (*n)++;
    }
    for (size_t i = 0; i < h->nev && rc == 0; i++) {
        event *e = &h->ev[i];
        const size_t *n = e->kind == EV_HEADING && e->level >= 2
                              ? hashmap_get(&seen, label_key(e))
                              : NULL;
        if (n && *n >= LABEL_REPEATS)
            e->label = 1;
    }
    hashmap_free(&seen);
    return rc;
}

/* Does block E open with the text of its first link? */
static int opens_with_link(const event *e)
{
    if (!e->links || !e->link_text)
        return 0;
    const char *t = e->text, *end = e->text + e->len;
    while (t < end && is_ascii_space(*t))
        t++;
    size_t first = strcspn(e->link_text, " ");
    return first && (size_t)(end - t) >= first && memcmp(t, e->link_text, first) == 0;
}

/* A table of one row whose first cell is a single name, followed by text
 * outside it, names what follows as a list's term does: Exim's options, each
 * a row of its name, use, type and default above the prose describing it.
 * A table of more rows (a summary of names and what each does) defines
 * nothing. The first cell is marked a term. */
static void mark_name_rows(html *h)
{
    for (size_t i = 0; i < h->nev; i++) {
        event *e = &h->ev[i];
        if (e->kind != EV_BLOCK || !e->table || e->boilerplate ||
            (i && h->ev[i - 1].kind == EV_BLOCK && h->ev[i - 1].table == e->table))
            continue;
        size_t j = i + 1, rows = e->row;
        while (j < h->nev && h->ev[j].kind == EV_BLOCK && h->ev[j].table == e->table) {
            rows = h->ev[j].row > rows ? h->ev[j].row : rows;
            j++;
        }
        const char *t = e->text, *end = e->text + e->len;
        while (t < end && is_ascii_space(*t))
            t++;
        while (end > t && is_ascii_space(end[-1]))
            end--;
        size_t n = (size_t)(end - t), word = 0;
        while (word < n && !is_ascii_space(t[word]))
            word++;
        int prose_after = j < h->nev && h->ev[j].kind == EV_BLOCK && !h->ev[j].table &&
                          !h->ev[j].boilerplate;
        if (rows == 1 && j > i + 1 && n && word == n && n <= NAME_CELL_MAX && prose_after)
            e->term = 1;
        i = j - 1;
    }
}

/* Replay the events into sections. */
static int replay(html *h, size_t size)
{
    rubric_doc *d = h->d;
    int has_h1 = 0;
    for (size_t i = 0; i < h->nev && !has_h1; i++)
        has_h1 = h->ev[i].kind == EV_HEADING && h->ev[i].level == 1;
    /* The page's title: its first h1, else <title>, else the file name. */
    char *title = NULL;
    for (size_t i = 0; i < h->nev && !title; i++)
        if (h->ev[i].kind == EV_HEADING && h->ev[i].level == 1)
            title = xstrdup(h->ev[i].text);
    if (!title && h->title.len) {
        size_t n = h->title.len, s = 0;
        while (s < n && strchr(" \t\r\n", h->title.data[s]))
            s++;
        while (n > s && strchr(" \t\r\n", h->title.data[n - 1]))
            n--;
        if (n > s)
            title = xstrndup(h->title.data + s, n - s);
    }
    if (title) {
        free(d->title);
        d->title = title;
    }
    mark_name_rows(h);
    outline *o = outline_new(d);
    if (!o)
        return -1;
    outline_page_anchors(o);
    int rc = 0;
    /* Without an h1, the page title stands above every heading. */
    if (!has_h1 && title)
        rc = outline_root(o, d->title);
    for (size_t i = 0; i < h->nev && rc == 0; i++) {
        event *e = &h->ev[i];
        /* The parser's byte counts are approximate (character references,
         * recovery): keep ranges inside the page and in order. */
        if (e->start > size)
            e->start = size;
        if (e->end > size)
            e->end = size;
        if (e->end < e->start)
            e->end = e->start;
        /* A heading that is a link elsewhere, with nothing under it, is an
         * entry of a table of contents (zsh's FAQ.html), not a section. */
        int toc = e->kind == EV_HEADING && e->away &&
                  (i + 1 == h->nev || h->ev[i + 1].kind == EV_HEADING);
        int heads = !toc && e->kind == EV_HEADING && !e->label;
        /* The ids read between blocks before a block place its passage
         * (Texinfo's index entries after a heading or before a term). */
        if (!heads && e->ids)
            rc = outline_places(o, e->ids, strlen(e->ids));
        if (rc != 0)
            break;
        if (toc)
            rc = outline_block(o, e->text, e->len, e->start, e->end, 1, NULL);
        else if (heads)
            rc = outline_heading(o, e->level, e->text, e->len, e->id, e->start);
        else if (e->kind == EV_HEADING)
            rc = outline_block(o, e->text, e->len, e->start, e->end, 0, NULL);
        else
            rc = outline_block(o, e->text, e->len, e->start, e->end, e->boilerplate, e->id);
        /* A list's term (an option, a field) is one its section defines;
         * not one that opens with a link (a citation: "PEP 479 - Change
         * StopIteration handling"), to the place that defines it. */
        if (rc == 0 && e->kind == EV_BLOCK && e->term && !e->boilerplate &&
            !opens_with_link(e))
            rc = outline_term(o, e->text, e->len);
        if (rc == 0 && heads && e->ids)
            rc = outline_places(o, e->ids, strlen(e->ids));
    }
    if (rc == 0)
        rc = outline_finish(o, size);
    outline_free(o);
    return rc;
}

/* libxml2 2.9 sets up its globals on first use without a lock: two threads
 * reading their first pages at once could race there. */
static pthread_once_t libxml_once = PTHREAD_ONCE_INIT;

static void init_libxml(void)
{
    xmlInitParser();
}

int read_html(rubric_doc *d, const char *data, size_t len, const char *name)
{
    pthread_once(&libxml_once, init_libxml);
    if (len > INT32_MAX) {
        buf_adds(&d->notes, "page too large");
        return RUBRIC_EINPUT;
    }
    html *h = calloc(1, sizeof *h);
    if (!h)
        return RUBRIC_ENOMEM;
    h->box_event = h->box_first = SIZE_MAX;
    h->d = d;
    if (!(d->title = xstrdup(name))) {
        free(h);
        return RUBRIC_ENOMEM;
    }
    size_t flooded = 0;
    int failed = 0;
    char *tamed = html_guard(data, len, &flooded, &failed);
    if (failed) {
        free(h);
        return RUBRIC_ENOMEM;
    }
    if (tamed)
        data = tamed;
    if (flooded)
        buf_printf(&d->notes, "the attributes past the %dth of %zu element%s",
                   HTML_ATTRIBUTES_MAX, flooded, flooded == 1 ? "" : "s");
    htmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.startElement = on_start;
    sax.endElement = on_end;
    sax.characters = on_text;
    sax.ignorableWhitespace = on_text;
    sax.cdataBlock = NULL;  /* script and style bodies */
    int rc = RUBRIC_ENOMEM;
    h->ctxt = htmlCreatePushParserCtxt(&sax, h, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8);
    if (h->ctxt) {
        /* The page is UTF-8 by now (reader.c converts one in another
         * charset): a charset it declares is not read again. */
        htmlCtxtUseOptions(h->ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                        HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                        HTML_PARSE_IGNORE_ENC);
        htmlParseChunk(h->ctxt, data, (int)len, 1);
        if (!h->failed && !h->d->excluded) {
            end_block(h);
            if (h->saw_main)
                keep_main(h);
            if (!h->failed && judge(h) == 0 &&
                (resolve_prior_ids(h), mark_repeated_labels(h) == 0) && replay(h, len) == 0)
                rc = RUBRIC_OK;
        } else if (!h->failed) {
            rc = RUBRIC_OK;
        }
        htmlFreeParserCtxt(h->ctxt);
    }
    for (size_t i = 0; i < h->nev; i++)
        event_free(&h->ev[i]);
    while (h->depth)
        free(h->stack[--h->depth].id);
    free(h->ev);
    free(h->heading_id);
    free(h->heading_fallback);
    free(h->heading_prior);
    free(h->last_id);
    buf_free(&h->ids);
    buf_free(&h->loose_ids);
    buf_free(&h->text);
    buf_free(&h->title);
    buf_free(&h->link_text);
    free(h);
    free(tamed);
    return rc;
}
