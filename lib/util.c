/* util.c: buffers, growable arrays, hash tables, string, UTF-8, file and tree helpers. */
#define _GNU_SOURCE /* renameat2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unistr.h>

#include "internal.h"

int buf_grow(buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return -1;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_add(buf *b, const char *s, size_t n)
{
    if (buf_grow(b, n) < 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_adds(buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_addc(buf *b, char c)
{
    return buf_add(b, &c, 1);
}

int buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_grow(b, (size_t)n) < 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int buf_add_html(buf *b, const char *s, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        if (buf_add(b, s + run, i - run) < 0 || buf_adds(b, rep) < 0)
            return -1;
        run = i + 1;
    }
    return buf_add(b, s + run, n - run);
}

void buf_free(buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *buf_detach(buf *b)
{
    if (!b->data && buf_grow(b, 0) < 0)
        return NULL;
    char *p = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

int grow_array(void *arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t want = *cap ? *cap : 8;
    while (want <= n) {
        if (want > SIZE_MAX / 2)
            return -1;
        want *= 2;
    }
    if (want > SIZE_MAX / size)
        return -1;
    void *p = realloc(*(void **)arr, want * size);
    if (!p)
        return -1;
    *(void **)arr = p;
    *cap = want;
    return 0;
}

int is_ascii_space(char c)
{
    return c == '\n' || is_line_space(c);
}

int is_line_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

char *xstrndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *utf8_valid_copy(const char *s, size_t n, size_t *outlen)
{
    const uint8_t *u = (const uint8_t *)s;
    if (!u8_check(u, n)) {
        if (outlen)
            *outlen = n;
        return xstrndup(s, n);
    }
    buf b = {0};
    for (size_t i = 0; i < n;) {
        ucs4_t uc;
        int k = u8_mbtoucr(&uc, u + i, n - i);
        if (k < 0) {
            if (buf_adds(&b, "\xEF\xBF\xBD") < 0)
                goto fail;
            i++;
        } else {
            if (buf_add(&b, s + i, (size_t)k) < 0)
                goto fail;
            i += (size_t)k;
        }
    }
    if (outlen)
        *outlen = b.len;
    return buf_detach(&b);
fail:
    buf_free(&b);
    return NULL;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = malloc((size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

uint64_t hash64(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Keys are hashes; 0 marks a free slot, so a key of 0 is stored as 1. */
static uint64_t slot_key(uint64_t key)
{
    return key ? key : 1;
}

/* The slot of KEY (a slot key) in M: where it is, else the free slot where it
 * would go. M has room (cap > 0). */
static size_t slot_of(const hashmap *m, uint64_t key)
{
    size_t j = key & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != key)
        j = (j + 1) & (m->cap - 1);
    return j;
}

/* Make room for one more key: the table doubles (from 64) rather than fill
 * past half. Returns 0, or -1 when out of memory (M is then unchanged). */
static int hashmap_reserve(hashmap *m)
{
    if ((m->n + 1) * 2 <= m->cap)
        return 0;
    if (m->cap > SIZE_MAX / 2 / sizeof *m->values)
        return -1;
    hashmap grown = {0};
    grown.cap = m->cap ? m->cap * 2 : 64;
    grown.n = m->n;
    grown.keys = calloc(grown.cap, sizeof *grown.keys);
    grown.values = calloc(grown.cap, sizeof *grown.values);
    if (!grown.keys || !grown.values) {
        hashmap_free(&grown);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t j = slot_of(&grown, m->keys[i]);
            grown.keys[j] = m->keys[i];
            grown.values[j] = m->values[i];
        }
    hashmap_free(m);
    *m = grown;
    return 0;
}

size_t *hashmap_get(const hashmap *m, uint64_t key)
{
    if (!m->cap)
        return NULL;
    size_t j = slot_of(m, slot_key(key));
    return m->keys[j] ? &m->values[j] : NULL;
}

size_t *hashmap_at(hashmap *m, uint64_t key)
{
    size_t *v = hashmap_get(m, key);
    if (v)
        return v;
    if (hashmap_reserve(m) < 0)
        return NULL;
    key = slot_key(key);
    size_t j = slot_of(m, key);
    m->keys[j] = key;
    m->values[j] = 0;
    m->n++;
    return &m->values[j];
}

void hashmap_free(hashmap *m)
{
    free(m->keys);
    free(m->values);
    m->keys = NULL;
    m->values = NULL;
    m->cap = m->n = 0;
}

int hashset_add(hashset *s, uint64_t h)
{
    return hashmap_at(s, h) ? 0 : -1;
}

int hashset_has(const hashset *s, uint64_t h)
{
    return hashmap_get(s, h) != NULL;
}

void hashset_free(hashset *s)
{
    hashmap_free(s);
}

int read_file(const char *path, size_t max, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    /* Not blocking: a FIFO put where a file was stat'ed must not hang the
     * caller; it is refused below, from what the descriptor itself is. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return errno;
    struct stat st;
    int err = fstat(fd, &st) < 0 ? errno
              : S_ISDIR(st.st_mode) ? EISDIR
              : !S_ISREG(st.st_mode) ? READ_NOT_REGULAR
              : (unsigned long long)st.st_size > max ? READ_TOO_LARGE
                                                      : 0;
    size_t cap = !err && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096, n = 0;
    if (cap > max && max < SIZE_MAX)
        cap = max + 1;  /* a file that says it is empty (/proc) may hold more */
    char *p = err ? NULL : malloc(cap);
    if (!err && !p)
        err = ENOMEM;
    /* Room for MAX bytes and the final NUL, at most. */
    size_t limit = max < SIZE_MAX - 1 ? max + 1 : SIZE_MAX;
    while (!err) {
        if (n + 1 >= cap) {
            if (cap >= limit) {
                /* MAX bytes read: anything more is past the limit. */
                char probe;
                ssize_t r = read(fd, &probe, 1);
                err = r == 0 ? 0 : r < 0 ? errno : READ_TOO_LARGE;
                break;
            }
            size_t want = cap > limit / 2 ? limit : cap * 2;
            char *q = realloc(p, want);
            if (!q) {
                err = ENOMEM;
                break;
            }
            p = q;
            cap = want;
        }
        ssize_t r = read(fd, p + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            err = errno;
        else if (r == 0)
            break;
        else
            n += (size_t)r;
    }
    close(fd);
    if (err) {
        free(p);
        return err;
    }
    p[n] = '\0';
    *out = p;
    *len = n;
    return 0;
}

const char *read_file_error(int e)
{
    return e == READ_NOT_REGULAR ? "not a regular file (a FIFO, a device)"
           : e == READ_TOO_LARGE ? "larger than the limit for such files"
                                 : strerror(e);
}

/* JSON's syntax, checked without allocating (json_valid()). */
typedef struct json_scan {
    const char *s;
    size_t n, at;
} json_scan;

static void json_space(json_scan *j)
{
    while (j->at < j->n && strchr(" \t\r\n", j->s[j->at]) && j->s[j->at])
        j->at++;
}

static int json_literal(json_scan *j, const char *word)
{
    size_t len = strlen(word);
    if (j->n - j->at < len || memcmp(j->s + j->at, word, len) != 0)
        return 0;
    j->at += len;
    return 1;
}

static int json_string(json_scan *j)
{
    for (j->at++; j->at < j->n; j->at++) {
        unsigned char c = (unsigned char)j->s[j->at];
        if (c == '"') {
            j->at++;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c == '\\' && ++j->at >= j->n)
            return 0;
    }
    return 0;
}

static int json_number(json_scan *j)
{
    size_t from = j->at;
    while (j->at < j->n && strchr("+-0123456789.eE", j->s[j->at]) && j->s[j->at])
        j->at++;
    return j->at > from;
}

static int json_value(json_scan *j, int depth)
{
    json_space(j);
    if (j->at >= j->n || depth > 1000)
        return 0;
    char c = j->s[j->at];
    if (c == '"')
        return json_string(j);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->at++;
        json_space(j);
        if (j->at < j->n && j->s[j->at] == close) {
            j->at++;
            return 1;
        }
        for (;;) {
            if (c == '{') {
                json_space(j);
                if (j->at >= j->n || j->s[j->at] != '"' || !json_string(j))
                    return 0;
                json_space(j);
                if (j->at >= j->n || j->s[j->at++] != ':')
                    return 0;
            }
            if (!json_value(j, depth + 1))
                return 0;
            json_space(j);
            if (j->at >= j->n)
                return 0;
            if (j->s[j->at] == close) {
                j->at++;
                return 1;
            }
            if (j->s[j->at++] != ',')
                return 0;
        }
    }
    return json_literal(j, "true") || json_literal(j, "false") || json_literal(j, "null") ||
           json_number(j);
}

int json_valid(const char *s, size_t n)
{
    json_scan j = {s, n, 0};
    if (!json_value(&j, 0))
        return 0;
    json_space(&j);
    return j.at == n;
}

const char *rubric_strerror(int code)
{
    switch (code) {
    case RUBRIC_OK: return "success";
    case RUBRIC_ENOMEM: return "out of memory";
    case RUBRIC_EINVAL: return "invalid argument";
    case RUBRIC_EIO: return "cannot read file";
    case RUBRIC_EINPUT: return "not an indexable file";
    case RUBRIC_ELOCKED: return "index is locked by another indexer";
    case RUBRIC_ENODB: return "index is missing, unreadable or damaged";
    case RUBRIC_EINTERNAL: return "internal error";
    case RUBRIC_ESHARD: return "a remote shard of the index did not answer";
    default: return "unknown error";
    }
}

const char *rubric_version(void)
{
    return RUBRIC_VERSION;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return (type == FTW_DP ? rmdir(path) : unlink(path)) == 0 || errno == ENOENT ? 0 : -1;
}

char *dir_foreign_entry(const char *path, int (*ours)(const char *name, int arg), int arg,
                        int *empty)
{
    DIR *d = opendir(path);
    struct dirent *e;
    char *found = NULL;
    *empty = 1;
    while (d && !found && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        *empty = 0;
        if (!ours(e->d_name, arg) && !(found = xstrdup(e->d_name)))
            found = xstrdup("?");
    }
    if (d)
        closedir(d);
    return found;
}

int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int sync_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    int fd = open(path, (type == FTW_DP || type == FTW_D ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int sync_tree(const char *path)
{
    return nftw(path, sync_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int exchange_paths(const char *from, const char *to)
{
    struct stat st;
    if (lstat(to, &st) < 0 && errno == ENOENT)
        return rename(from, to);
#ifdef RENAME_EXCHANGE
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
#endif
    /* No atomic exchange here: for an instant TO is missing, which readers
     * opening it retry through. */
    char *old = xasprintf("%s.old", to);
    if (!old) {
        errno = ENOMEM;
        return -1;
    }
    int rc = -1;
    if (remove_tree(old) == 0 && rename(to, old) == 0) {
        rc = rename(from, to);
        if (rc == 0)
            rc = rename(old, from);
        else
            rename(old, to);
    }
    free(old);
    return rc;
}
