// xapian.cc: rubric's extern "C" shim over libxapian, its only C++; no
// exception leaves it, and no other file includes <xapian.h>.
#include "shim.h"
#include "rubric.h"

#include <xapian.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

// A table file, the file it was (a rebuild may put another in its place),
// and its size at the last commit.
struct table_size {
    std::string path;
    dev_t dev;
    ino_t ino;
    off_t size;
};

// What identifies a glass database's state on disk: its version file,
// which every commit replaces (a new inode), in the directory a rebuild
// puts in place of the old one.
struct version_id {
    bool ok = false;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    struct timespec mtime = {0, 0}, ctime = {0, 0};
};

static version_id version_of(const std::string &dir)
{
    version_id v;
    struct stat st;
    if (stat((dir + "/iamglass").c_str(), &st) == 0) {
        v.ok = true;
        v.dev = st.st_dev;
        v.ino = st.st_ino;
        v.size = st.st_size;
        v.mtime = st.st_mtim;
        v.ctime = st.st_ctim;
    }
    return v;
}

static bool same_version(const version_id &a, const version_id &b)
{
    return a.ok && b.ok && a.dev == b.dev && a.ino == b.ino && a.size == b.size &&
           a.mtime.tv_sec == b.mtime.tv_sec && a.mtime.tv_nsec == b.mtime.tv_nsec &&
           a.ctime.tv_sec == b.ctime.tv_sec && a.ctime.tv_nsec == b.ctime.tv_nsec;
}

// A stub file as it was when read: replaced or rewritten, it is read anew.
struct file_id {
    bool ok = false;
    dev_t dev = 0;
    ino_t ino = 0;
    struct timespec mtime = {0, 0};
};

static file_id file_of(const std::string &path)
{
    file_id f;
    struct stat st;
    if (stat(path.c_str(), &st) == 0) {
        f.ok = true;
        f.dev = st.st_dev;
        f.ino = st.st_ino;
        f.mtime = st.st_mtim;
    }
    return f;
}

static bool same_file(const file_id &a, const file_id &b)
{
    return a.ok == b.ok && a.dev == b.dev && a.ino == b.ino && a.mtime.tv_sec == b.mtime.tv_sec &&
           a.mtime.tv_nsec == b.mtime.tv_nsec;
}

// Stub files, each as it was when read.
typedef std::vector<std::pair<std::string, file_id>> stub_list;

// How long a remote shard may take to connect, and to answer each message,
// unless the caller says (Xapian's own stubs fix both at 10 s).
static const unsigned remote_timeout_ms = 10000;

struct xs_db {
    Xapian::Database *rd = nullptr;          // the reader, or the writer seen as one
    int pin = -1;     // a reader: its directory, held open while rd reads it
    version_id seen;  // a reader: the version file as it was before rd opened
    Xapian::WritableDatabase *wr = nullptr;  // set for writers only
    std::string path;
    std::string err;
    bool txn = false;  // a writer holding a run's changes in a transaction
    bool failed = false;  // an operation failed (see xs_db_close())
    unsigned flush_every = 0;  // a writer without one: commit after this many adds
    unsigned unflushed = 0;
    // A writer with a transaction: its tables at the last commit, to give
    // back what an uncommitted run wrote past them (give_back).
    std::vector<table_size> committed;
    Xapian::rev revision = 0;
    // The terms of the document xs_db_term_stats() last looked into, with
    // their wdf: explaining a hit asks for dozens of its terms in turn.
    unsigned terms_of = 0;
    std::unordered_map<std::string, unsigned> wdfs;
    Xapian::termcount doclen_of = 0;  // that document's length
    // A set with a remote part: the term frequencies asked for, each of
    // which costs a round trip to every remote part, kept while a reopen
    // (before each search) finds nothing changed. See termfreq().
    std::unordered_map<std::string, Xapian::doccount> termfreqs;
    // A remote part: the metadata read from it, kept the same way (a search
    // reads a few keys of every part).
    std::unordered_map<std::string, std::string> metadata;
    // A set (several databases searched as one): what it was opened from
    // (index folders, stub files), and a handle on each database they name,
    // in order (parts, owned, sharing rd's tables, each with its path and
    // its version as it was opened), for what is read per database.
    std::vector<std::string> sources;
    std::vector<file_id> stubs_seen;  // of each source that is a stub
    stub_list inner_seen;  // the stubs of replicas a stub names (read_stub)
    std::vector<xs_db *> parts;
    bool remote = false;  // a part is served by xapian-tcpsrv
    unsigned timeout_ms = remote_timeout_ms;  // of a remote part
    bool partial = false;  // a remote part out of reach is left out
    std::vector<std::string> missing;  // ... those left out ("HOST:PORT")
};

// A stub's "remote HOST:PORT" line names its part "tcp://HOST:PORT".
static const char remote_scheme[] = "tcp://";

static bool is_remote(const std::string &part)
{
    return part.compare(0, sizeof remote_scheme - 1, remote_scheme) == 0;
}

// A remote part's "HOST:PORT".
static std::string remote_name(const std::string &part)
{
    return part.substr(sizeof remote_scheme - 1);
}

struct xs_doc {
    Xapian::Document doc;
};

// A term a query weighs: a document's weight is the sum, over the terms it
// holds, of BM25 times the factor of the OP_SCALE_WEIGHTs above the term.
struct Weighed {
    std::string term;
    double factor;
    size_t group;  // under a phrase or NEAR: 1 + its index in groups; else 0
};

struct xs_query {
    Xapian::Query q;
    bool too_wild = false;  // a wildcard over a set matched past its limit
    std::vector<Weighed> weighed;
    // The phrases and NEARs the weighed terms lie under, outermost: such a
    // term weighs a match only where the group matches it.
    std::vector<Xapian::Query> groups;
};

struct xs_mset {
    std::vector<double> weights;
    std::vector<std::string> data;
    std::vector<unsigned> docids;
    std::vector<size_t> collapsed;
    size_t estimate = 0;
    bool exact = false;  // the matches were all counted
    bool stopped = false;
    double spent = 0;  // seconds from the first candidate to the end
    // With facet_slots: each slot's values and their counts.
    std::map<unsigned, std::vector<std::pair<std::string, size_t>>> facets;
    size_t facet_seen = 0;
    std::vector<Weighed> weighed;  // the query's (xs_mset_weighed())
    std::vector<Xapian::Query> groups;
};

static char *dup_msg(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p)
        std::memcpy(p, s.c_str(), s.size() + 1);
    return p;
}

// The error's message, and the system's reason when it has one ("Error
// writing block 162 (No space left on device)"): what ran out is then said.
static std::string xapian_msg(const Xapian::Error &e)
{
    std::string m = e.get_msg();
    if (m.empty())
        m = e.get_type();
    const char *why = e.get_error_string();
    if (why && *why && m.find(why) == std::string::npos)
        m += std::string(" (") + why + ")";
    return m;
}

// Map the exception in flight to a status, recording its message in *msg.
static int map_error(std::string *msg)
{
    try {
        throw;
    } catch (const Xapian::DatabaseLockError &e) {
        *msg = xapian_msg(e);
        return XS_ELOCKED;
    } catch (const Xapian::NetworkError &e) {
        // A remote shard that stopped answering: the index cannot be read.
        std::string where = e.get_context();
        *msg = (where.empty() ? std::string() : where + ": ") + xapian_msg(e);
        return XS_ENET;
    } catch (const Xapian::WildcardError &e) {
        *msg = xapian_msg(e);
        return XS_EWILDCARD;
    } catch (const Xapian::DatabaseModifiedError &e) {
        *msg = xapian_msg(e);
        return XS_EMODIFIED;
    } catch (const Xapian::DatabaseOpeningError &e) {
        *msg = xapian_msg(e);
        return XS_ENODB;
    } catch (const Xapian::DatabaseCorruptError &e) {
        *msg = xapian_msg(e);
        return XS_ENODB;
    } catch (const Xapian::DatabaseError &e) {
        *msg = xapian_msg(e);
        return XS_ENODB;
    } catch (const Xapian::Error &e) {
        *msg = xapian_msg(e);
        return XS_EOTHER;
    } catch (const std::bad_alloc &) {
        *msg = "out of memory";
        return XS_ENOMEM;
    } catch (const std::exception &e) {
        *msg = e.what();
        return XS_EOTHER;
    } catch (...) {
        *msg = "unknown error";
        return XS_EOTHER;
    }
}

// Keep VALUE for KEY in MEMO, which holds at most LIMIT: a full one is
// emptied first (what is asked again is then asked anew).
template <typename V>
static void remember(std::unordered_map<std::string, V> &memo, const std::string &key,
                     const V &value, size_t limit)
{
    if (memo.size() >= limit)
        memo.clear();
    memo.emplace(key, value);
}

// The value MEMO keeps for KEY, else ASK()'s, then kept (remember()).
template <typename V, typename F>
static V recall(std::unordered_map<std::string, V> &memo, const std::string &key, size_t limit,
                F ask)
{
    auto found = memo.find(key);
    if (found != memo.end())
        return found->second;
    V v = ask();
    remember(memo, key, v, limit);
    return v;
}

#define GUARD_DB(db, body)                                                     \
    try {                                                                      \
        body                                                                   \
    } catch (...) {                                                            \
        (db)->failed = true;                                                   \
        return map_error(&(db)->err);                                          \
    }

extern "C" {

int xs_status(int xs)
{
    switch (xs) {
    case XS_OK: return RUBRIC_OK;
    case XS_ENOMEM: return RUBRIC_ENOMEM;
    case XS_ELOCKED: return RUBRIC_ELOCKED;
    case XS_ENODB:
    case XS_EMODIFIED: return RUBRIC_ENODB;
    case XS_EWILDCARD: return RUBRIC_EINVAL;
    case XS_ENET: return RUBRIC_ESHARD;
    default: return RUBRIC_EINTERNAL;
    }
}

// Opening reads a database's files one by one (the version file, then each
// table). Were they looked up by path, a rebuild that exchanges the
// directory meanwhile would hand the opener files of both indexes, and such
// an open does not always fail: it may read passages of the one through the
// roots of the other. A reader therefore holds the directory open and opens
// the files through that descriptor (pin_dir()), which names the same
// directory whatever is renamed. What fails to open is tried again, the last
// time by its path, so that a database really damaged is reported under the
// name it was given.
static const int open_attempts = 20;

// Every passage rubric writes has words with positions, so an index holding
// passages but no positional data has lost its position table (deleted,
// unreadable): Xapian would then read every phrase as an AND, silently.
static void check_positions(const Xapian::Database &db)
{
    if (db.get_doccount() > 0 && !db.has_positions())
        throw Xapian::DatabaseCorruptError(
            "the index has passages but no positions (position.glass missing or unreadable)");
}

// The directory PATH held open for reading through: its descriptor, with
// *AT the name that reaches the directory through it. -1 where it cannot be
// (no /proc): the files are then looked up by path, as before.
static int pin_dir(const std::string &path, std::string *at)
{
    int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    std::string name = "/proc/self/fd/" + std::to_string(fd);
    struct stat st;
    if (stat(name.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        close(fd);
        return -1;
    }
    *at = name;
    return fd;
}

// Open the database at PATH to read, its directory pinned: *PIN is the
// descriptor to close once the database is deleted (-1: none).
static Xapian::Database *open_reader(const std::string &path, int *pin)
{
    *pin = -1;
    for (int attempt = 1;; attempt++) {
        std::string at = path;
        int fd = attempt < open_attempts ? pin_dir(path, &at) : -1;
        try {
            std::unique_ptr<Xapian::Database> db(new Xapian::Database(at));
            check_positions(*db);
            *pin = fd;
            return db.release();
        } catch (const Xapian::DatabaseError &) {
            if (fd >= 0)
                close(fd);
            if (attempt == open_attempts)
                throw;
        } catch (...) {
            if (fd >= 0)
                close(fd);
            throw;
        }
        struct timespec pause = {0, 5 * 1000 * 1000};
        nanosleep(&pause, nullptr);
    }
}

// The stub file a source names: the source itself when it is a file, or
// the XAPIANDB file of a folder holding one; "" when it is a database.
static std::string stub_of(const std::string &source)
{
    struct stat st;
    if (stat(source.c_str(), &st) == 0 && S_ISREG(st.st_mode))
        return source;
    std::string in = source + "/XAPIANDB";
    return stat(in.c_str(), &st) == 0 ? in : "";
}

// The databases the stub file STUB lists, appended to PARTS: "auto" and
// "glass" lines, with paths relative to the stub's folder; blank lines
// and lines starting with '#' say nothing. Any other line is refused with
// its number, as is a line naming a set (sets do not nest). Given INNER, a
// line may name a folder whose own stub names one local database, as a
// replica's does (xapian-replicate keeps the live copy so): that database
// is the part, and the stub read, as it was before, is added to INNER.
static void read_stub(const std::string &stub, std::vector<std::string> *parts,
                      stub_list *inner = nullptr)
{
    FILE *f = fopen(stub.c_str(), "re");
    if (!f)
        throw Xapian::DatabaseOpeningError("cannot read the stub file '" + stub +
                                           "': " + strerror(errno));
    std::string dir = stub.substr(0, stub.rfind('/') == std::string::npos ? 0 : stub.rfind('/') + 1);
    std::string line, bad;
    unsigned lineno = 0;
    int c = 0;
    size_t before = parts->size();
    while (bad.empty() && c != EOF) {
        line.clear();
        while ((c = fgetc(f)) != EOF && c != '\n')
            line += (char)c;
        lineno++;
        size_t b = line.find_first_not_of(" \t\r");
        if (b == std::string::npos || line[b] == '#')
            continue;
        size_t e = line.find_last_not_of(" \t\r");
        std::string text = line.substr(b, e + 1 - b);
        size_t sp = text.find_first_of(" \t");
        std::string kind = text.substr(0, sp);
        std::string path = sp == std::string::npos ? "" : text.substr(text.find_first_not_of(" \t", sp));
        if (kind == "remote") {
            // "remote HOST:PORT", as Xapian's stubs say it ("remote tcp
            // HOST:PORT" too); a program to run (":PROGRAM") is not taken.
            if (path.compare(0, 4, "tcp ") == 0)
                path = path.substr(path.find_first_not_of(" \t", 4));
            size_t colon = path.rfind(':');
            if (colon == std::string::npos || colon == 0 || colon + 1 == path.size() ||
                path.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
                bad = "a remote database is named 'remote HOST:PORT'";
                break;
            }
            parts->push_back(remote_scheme + path);
            continue;
        }
        if ((kind != "auto" && kind != "glass") || path.empty()) {
            bad = "not an 'auto PATH', 'glass PATH' or 'remote HOST:PORT' line";
            break;
        }
        if (path[0] != '/')
            path = dir + path;
        std::string nested = stub_of(path);
        if (!nested.empty()) {
            std::vector<std::string> one;
            file_id seen = file_of(nested);
            if (inner)
                read_stub(nested, &one);
            if (one.size() != 1 || is_remote(one[0])) {
                bad = "'" + path + "' is a set itself (sets do not nest)";
                break;
            }
            inner->emplace_back(nested, seen);
            path = one[0];
        }
        parts->push_back(path);
    }
    fclose(f);
    if (!bad.empty())
        throw Xapian::DatabaseOpeningError("stub file '" + stub + "', line " +
                                           std::to_string(lineno) + ": " + bad);
    if (parts->size() == before)
        throw Xapian::DatabaseOpeningError("stub file '" + stub + "' names no database");
}

// Delete DB's reader, then let its directory go.
static void close_reader(xs_db *db)
{
    delete db->rd;
    db->rd = nullptr;
    if (db->pin >= 0)
        close(db->pin);
    db->pin = -1;
}

// Xapian 1.4.22 aborts the process (std::terminate, in the commit that
// closing or destroying a writer makes) when the writer failed to write
// outside a transaction, as a full disk makes it fail. Such a writer is kept
// here, neither closed nor destroyed, until the process ends: what it had
// not written is lost, as it would be on failing, and its files are the
// caller's to remove or keep (a fresh build's scratch, which is removed).
static std::mutex failed_writers_lock;
static std::vector<Xapian::Database *> *failed_writers;

static void keep_failed_writer(Xapian::Database *d)
{
    if (!d)
        return;
    std::lock_guard<std::mutex> hold(failed_writers_lock);
    try {
        if (!failed_writers)
            failed_writers = new std::vector<Xapian::Database *>;
        failed_writers->push_back(d);
    } catch (...) {
        // Out of memory: the writer is dropped unreferenced, never closed.
    }
}

static void free_parts(std::vector<xs_db *> *parts)
{
    for (xs_db *p : *parts)
        close_reader(p), delete p;
    parts->clear();
}

// DB's reader and its parts' (which the reader reads through: it goes first).
static void drop_readers(xs_db *db)
{
    close_reader(db);
    free_parts(&db->parts);
}

// An open that failed: its status, the message into *ERRMSG, DB freed.
static int open_failed(xs_db *db, char **errmsg)
{
    int rc = map_error(&db->err);
    if (errmsg)
        *errmsg = dup_msg(db->err);
    drop_readers(db);
    delete db;
    return rc;
}

// Open DB's sources as they are now: each database alone, then all of them
// as one. A single plain index is opened as before, with no parts.
static void open_sources(xs_db *db)
{
    std::vector<std::string> paths;
    std::vector<file_id> stubs;
    stub_list inner;
    bool set = db->sources.size() > 1;
    for (const std::string &src : db->sources) {
        std::string stub = stub_of(src);
        stubs.push_back(stub.empty() ? file_id() : file_of(stub));
        if (stub.empty()) {
            paths.push_back(src);
        } else {
            read_stub(stub, &paths, &inner);
            set = true;
        }
    }
    if (!set) {
        version_id v = version_of(paths[0]);
        int pin = -1;
        Xapian::Database *fresh = open_reader(paths[0], &pin);
        drop_readers(db);
        db->rd = fresh;
        db->pin = pin;
        db->path = paths[0];
        db->seen = v;
        db->stubs_seen = stubs;
        return;
    }
    std::vector<xs_db *> parts;
    std::vector<std::string> missing;
    bool remote = false;
    std::unique_ptr<Xapian::Database> all(new Xapian::Database());
    try {
        for (const std::string &path : paths) {
            std::unique_ptr<xs_db> part(new xs_db);
            part->path = path;
            part->seen = version_of(path);
            try {
                if (is_remote(path)) {
                    std::string where = remote_name(path);
                    size_t colon = where.rfind(':');
                    unsigned port = (unsigned)std::strtoul(where.c_str() + colon + 1, nullptr, 10);
                    part->rd = new Xapian::Database(Xapian::Remote::open(
                        where.substr(0, colon), port, db->timeout_ms, db->timeout_ms));
                    remote = true;
                } else {
                    part->rd = open_reader(path, &part->pin);
                }
            } catch (const Xapian::NetworkError &e) {
                // Left out when the caller would rather have the others'
                // answers (unless none is left, below).
                if (db->partial) {
                    missing.push_back(remote_name(path));
                    continue;
                }
                throw Xapian::NetworkError(xapian_msg(e), "remote shard " + remote_name(path));
            } catch (const Xapian::Error &e) {
                throw Xapian::DatabaseOpeningError(
                    (is_remote(path) ? "remote shard " + remote_name(path) : "'" + path + "'") +
                    ": " + xapian_msg(e));
            }
            all->add_database(*part->rd);
            parts.push_back(part.release());
        }
        if (parts.empty())
            throw Xapian::NetworkError("no shard answered", "remote shard " + missing[0]);
    } catch (...) {
        free_parts(&parts);
        throw;
    }
    drop_readers(db);
    db->rd = all.release();
    db->parts = parts;
    db->remote = remote || !missing.empty();
    db->missing = missing;
    db->stubs_seen = stubs;
    db->inner_seen = inner;
}

int xs_db_open_read_many(const char *const *sources, size_t n, unsigned timeout_ms, int partial,
                         xs_db **out, char **errmsg)
{
    *out = nullptr;
    xs_db *db = new (std::nothrow) xs_db;
    if (!db)
        return XS_ENOMEM;
    if (timeout_ms)
        db->timeout_ms = timeout_ms;
    db->partial = partial != 0;
    try {
        for (size_t i = 0; i < n; i++)
            db->sources.push_back(sources[i]);
        db->path = sources[0];
        open_sources(db);
    } catch (...) {
        return open_failed(db, errmsg);
    }
    *out = db;
    return XS_OK;
}

int xs_db_open_read(const char *dir, xs_db **out, char **errmsg)
{
    return xs_db_open_read_many(&dir, 1, 0, 0, out, errmsg);
}

int xs_db_remote(const xs_db *db)
{
    return db->remote;
}

size_t xs_db_missing(const xs_db *db)
{
    return db->missing.size();
}

const char *xs_db_missing_name(const xs_db *db, size_t k)
{
    return db->missing[k].c_str();
}

int xs_db_is_set(const xs_db *db)
{
    return !db->parts.empty();
}

size_t xs_db_parts(const xs_db *db)
{
    return db->parts.empty() ? 1 : db->parts.size();
}

xs_db *xs_db_part(xs_db *db, size_t k)
{
    return db->parts.empty() ? db : db->parts[k];
}

const char *xs_db_path(const xs_db *db)
{
    return db->path.c_str();
}

// The table files of a glass database.
static const char *const glass_tables[] = {"docdata", "position", "postlist",
                                           "spelling", "synonym", "termlist"};

// Is T the file it was when noted, and has it grown since? FD open on it.
static bool grown(int fd, const table_size &t)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_dev == t.dev &&
           st.st_ino == t.ino && st.st_size > t.size;
}

// Notes the size of DB's tables and its revision, just committed. Short of
// memory, it notes nothing (and nothing will be given back): the commit
// itself has succeeded.
static void note_committed(xs_db *db)
{
    db->committed.clear();
    try {
        db->revision = db->wr->get_revision();
        for (const char *t : glass_tables) {
            std::string path = db->path + "/" + t + ".glass";
            struct stat st;
            if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
                db->committed.push_back({path, st.st_dev, st.st_ino, st.st_size});
        }
    } catch (...) {
        db->committed.clear();
    }
}

// A run that fails (a full disk, a file size limit) has written blocks past
// the end of its tables that no revision uses, and they keep the space they
// took: cut the tables back to their size at the last commit. Only under the
// lock, taken anew once the failed writer is closed (a writer that got in
// between owns the index now); only while the last commit on disk is the one
// the sizes were noted at, every block of which lies inside them; and only
// in the very files noted (a rebuild swaps in a directory of other files).
static void give_back(const std::string &dir, const std::vector<table_size> &committed,
                      Xapian::rev revision)
{
    std::vector<int> fds;
    bool any = false;
    for (const table_size &t : committed) {
        int fd = open(t.path.c_str(), O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0 && !grown(fd, t)) {
            close(fd);
            fd = -1;
        }
        fds.push_back(fd);
        any = any || fd >= 0;
    }
    if (any) {
        try {
            Xapian::WritableDatabase again(dir, Xapian::DB_OPEN);
            if (again.get_revision() == revision)
                for (size_t i = 0; i < fds.size(); i++)
                    if (fds[i] >= 0 && grown(fds[i], committed[i]) &&
                        ftruncate(fds[i], committed[i].size) != 0)
                        break;
            again.close();
        } catch (...) {
            // The space stays taken; the index is as the last commit left it.
        }
    }
    for (int fd : fds)
        if (fd >= 0)
            close(fd);
}

// Documents a writer without a transaction buffers before it commits them:
// a smaller batch than Xapian's default flush threshold of 10,000 was faster
// on a 2-core machine and keeps memory bounded whatever the corpus. Xapian's
// own autoflush is a commit too; this one is counted here instead of set
// through XAPIAN_FLUSH_THRESHOLD, since the library changes no environment.
static const unsigned flush_threshold = 1000;

static int open_writer(const char *dir, int flags, bool txn, xs_db **out, char **errmsg)
{
    *out = nullptr;
    xs_db *db = new (std::nothrow) xs_db;
    if (!db)
        return XS_ENOMEM;
    try {
        db->path = dir;
        // A user's own XAPIAN_FLUSH_THRESHOLD wins: Xapian then flushes.
        if (!txn && !std::getenv("XAPIAN_FLUSH_THRESHOLD"))
            db->flush_every = flush_threshold;
        db->wr = new Xapian::WritableDatabase(dir, flags);
        db->rd = db->wr;
        // A live index's changes stay private until xs_db_commit(), which
        // publishes them at one instant; a fresh build has nobody to hide
        // them from and flushes as it goes, in bounded memory.
        if (txn) {
            db->wr->begin_transaction(false);
            db->txn = true;
            note_committed(db);
        }
    } catch (...) {
        int rc = map_error(&db->err);
        if (errmsg)
            *errmsg = dup_msg(db->err);
        delete db->wr;
        delete db;
        return rc;
    }
    *out = db;
    return XS_OK;
}

int xs_db_open_write(const char *dir, xs_db **out, char **errmsg)
{
    return open_writer(dir, Xapian::DB_CREATE_OR_OPEN, true, out, errmsg);
}

int xs_db_open_write_many(const char *const *dirs, size_t n, xs_db **out, char **errmsg)
{
    *out = nullptr;
    xs_db *db = new (std::nothrow) xs_db;
    if (!db)
        return XS_ENOMEM;
    try {
        db->path = dirs[0];
        db->wr = new Xapian::WritableDatabase();
        db->rd = db->wr;
        for (size_t i = 0; i < n; i++) {
            std::unique_ptr<xs_db> part(new xs_db);
            part->path = dirs[i];
            try {
                part->wr = new Xapian::WritableDatabase(dirs[i], Xapian::DB_OPEN);
            } catch (const Xapian::Error &e) {
                throw Xapian::DatabaseOpeningError("'" + part->path + "': " + xapian_msg(e));
            }
            part->rd = part->wr;
            db->wr->add_database(*part->wr);
            db->parts.push_back(part.release());
        }
    } catch (...) {
        return open_failed(db, errmsg);  // its rd is its wr
    }
    *out = db;
    return XS_OK;
}

int xs_db_open_memory(xs_db **out, char **errmsg)
{
    // The in-memory backend (dry runs only) has no transactions.
    return open_writer("", Xapian::DB_BACKEND_INMEMORY, false, out, errmsg);
}

int xs_db_open_fresh(const char *dir, xs_db **out, char **errmsg)
{
    // A fresh build need not sync as it goes: it is synced once and published
    // by a rename, and a crash before that leaves only a scratch directory.
    return open_writer(dir, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_NO_SYNC, false, out,
                       errmsg);
}

int xs_db_compact(const char *const *sources, size_t n, const char *dest, char **errmsg)
{
    std::string err;
    try {
        Xapian::Database all;
        for (size_t i = 0; i < n; i++)
            all.add_database(Xapian::Database(sources[i]));
        // FULL packs the blocks without oversize items, so the index stays
        // cheap to update in place afterwards; more than three sources are
        // merged in passes, which Xapian documents as faster.
        unsigned flags = Xapian::Compactor::FULL;
        if (n > 3)
            flags |= Xapian::DBCOMPACT_MULTIPASS;
        all.compact(dest, flags);
        return XS_OK;
    } catch (...) {
        int rc = map_error(&err);
        if (errmsg)
            *errmsg = dup_msg(err);
        return rc;
    }
}

void xs_db_close(xs_db *db)
{
    if (!db)
        return;
    try {
        if (db->wr && db->txn)
            db->wr->cancel_transaction();
        if (db->wr && (!db->failed || db->txn))
            db->wr->close();
    } catch (...) {
        // Closing never fails visibly: uncommitted work is simply dropped.
        db->failed = true;
    }
    if (db->wr && db->failed && !db->txn) {
        // A writer that failed to write, or to close: kept, unclosed
        // (keep_failed_writer()), with the writers of its parts.
        for (xs_db *p : db->parts) {
            keep_failed_writer(p->rd);
            p->rd = nullptr;
            p->wr = nullptr;
        }
        keep_failed_writer(db->rd);
        db->rd = nullptr;
        db->wr = nullptr;
    }
    drop_readers(db);
    if (db->txn)
        give_back(db->path, db->committed, db->revision);
    delete db;
}

const char *xs_db_errmsg(const xs_db *db)
{
    return db->err.c_str();
}

// What DB keeps of what it read, which a change to the index may make wrong.
static void forget(xs_db *db)
{
    db->terms_of = 0;
    db->termfreqs.clear();
    db->metadata.clear();
    for (xs_db *p : db->parts)
        forget(p);
}

int xs_db_reopen(xs_db *db)
{
    // Reopening says whether any database moved on: a server answers that
    // it is at the revision it was, and then answers as it did.
    GUARD_DB(db, {
        if (db->rd->reopen())
            forget(db);
        return XS_OK;
    })
}

int xs_db_reopen_path(xs_db *db)
{
    forget(db);
    // Versions are taken before the tables open: a commit landing meanwhile
    // is seen as a change next time.
    GUARD_DB(db, open_sources(db); return XS_OK;)
}

int xs_db_refresh(xs_db *db)
{
    bool same = true;
    for (size_t i = 0; i < db->sources.size() && same; i++) {
        std::string stub = stub_of(db->sources[i]);
        same = stub.empty() ? !db->stubs_seen[i].ok : same_file(file_of(stub), db->stubs_seen[i]);
    }
    for (const auto &s : db->inner_seen)
        same = same && same_file(file_of(s.first), s.second);
    if (db->parts.empty())
        same = same && same_version(version_of(db->path), db->seen);
    for (const xs_db *p : db->parts)
        same = same && (is_remote(p->path) || same_version(version_of(p->path), p->seen));
    // Shards left out are tried again.
    if (!db->missing.empty())
        return xs_db_reopen_path(db);
    if (same && db->remote) {
        // A remote shard is asked whether it moved; one that dropped the
        // connection (idle too long) is connected to again.
        int rc = xs_db_reopen(db);
        return rc == XS_ENET ? xs_db_reopen_path(db) : rc;
    }
    return same ? XS_OK : xs_db_reopen_path(db);
}

unsigned long xs_db_revision(xs_db *db)
{
    try {
        return db->rd->get_revision();
    } catch (...) {
        map_error(&db->err);
        return 0;
    }
}

void xs_db_uuid(xs_db *db, char *out)
{
    out[0] = '\0';
    try {
        std::string u = db->rd->get_uuid();
        if (u.size() < XS_UUID_SIZE)
            memcpy(out, u.c_str(), u.size() + 1);
    } catch (...) {
        map_error(&db->err);
    }
}

int xs_db_commit(xs_db *db)
{
    GUARD_DB(db, {
        // An unflushed transaction keeps a run's changes private and lets a
        // failure drop them all; commit() then publishes them at one instant.
        if (db->txn)
            db->wr->commit_transaction();
        db->wr->commit();
        if (db->txn) {
            db->wr->begin_transaction(false);
            note_committed(db);
        }
        return XS_OK;
    })
}

size_t xs_db_doccount(xs_db *db)
{
    try {
        return db->rd->get_doccount();
    } catch (...) {
        map_error(&db->err);
        return 0;
    }
}

// One document's data, terms with their posting lists, and a position list.
static void probe_document(const Xapian::Database &d, Xapian::docid id)
{
    Xapian::Document doc = d.get_document(id, Xapian::DOC_ASSUME_VALID);
    (void)doc.get_data();
    for (Xapian::TermIterator t = d.termlist_begin(id); t != d.termlist_end(id); ++t) {
        (void)d.get_termfreq(*t);
        if (t.positionlist_count() > 0) {
            (void)*d.positionlist_begin(id, *t);
            break;
        }
    }
}

int xs_db_probe(xs_db *db)
{
    try {
        // One look into each table, down from its root, at the first and the
        // last document.
        Xapian::Database &d = *db->rd;
        if (d.get_doccount() > 0) {
            probe_document(d, *d.postlist_begin(""));
            Xapian::PostingIterator last = d.postlist_begin("");
            last.skip_to(d.get_lastdocid());
            if (last != d.postlist_end(""))
                probe_document(d, *last);
        }
        return XS_OK;
    } catch (...) {
        return map_error(&db->err);
    }
}

// The number of documents holding T. A remote part answers each with a
// synchronous round trip, and one search asks for a word's frequency several
// times (is it common? how rare? its coordination share; explain asks per
// hit): with a remote part, each answer is kept until the database is
// reopened, when it may have changed. At most TERMFREQS_KEPT are kept.
enum { TERMFREQS_KEPT = 4096 };

static Xapian::doccount termfreq(xs_db *db, const std::string &t)
{
    if (!db->remote)
        return db->rd->get_termfreq(t);
    return recall(db->termfreqs, t, TERMFREQS_KEPT, [&] { return db->rd->get_termfreq(t); });
}

int xs_db_learn_termfreqs(xs_db *db, const char *const *terms, size_t n)
{
    if (!db->remote)
        return XS_OK;
    try {
        std::vector<std::string> ask;
        for (size_t i = 0; i < n; i++)
            if (*terms[i] && !db->termfreqs.count(terms[i]))
                ask.emplace_back(terms[i]);
        if (ask.empty())
            return XS_OK;
        // A match that returns no hits still weighs its terms, with the
        // frequencies summed over every part: two messages to each remote
        // part, each sent to all before a reply is read, where asking the
        // terms one by one costs a round trip per term and part.
        Xapian::Enquire e(*db->rd);
        e.set_query(Xapian::Query(Xapian::Query::OP_OR, ask.begin(), ask.end()));
        Xapian::MSet m = e.get_mset(0, 0);
        if (db->termfreqs.size() + ask.size() > TERMFREQS_KEPT)
            db->termfreqs.clear();  // the whole answer kept
        for (const std::string &t : ask)
            remember(db->termfreqs, t, m.get_termfreq(t), TERMFREQS_KEPT);
        return XS_OK;
    } catch (...) {
        // A shard out of reach fails the search here, named; with partial,
        // the search's own match leaves it out.
        int rc = map_error(&db->err);
        return rc == XS_ENET && db->partial ? XS_OK : rc;
    }
}

size_t xs_db_termfreq(xs_db *db, const char *term, size_t len)
{
    try {
        return termfreq(db, std::string(term, len));
    } catch (...) {
        map_error(&db->err);
        return 0;
    }
}

// The value of KEY: for a remote part, asked once until it moves on (at
// most METADATA_KEPT keys are kept).
enum { METADATA_KEPT = 256 };

static std::string metadata(xs_db *db, const char *key)
{
    if (!is_remote(db->path))
        return db->rd->get_metadata(key);
    return recall(db->metadata, key, METADATA_KEPT, [&] { return db->rd->get_metadata(key); });
}

int xs_db_get_metadata(xs_db *db, const char *key, char **out, size_t *len)
{
    *out = nullptr;
    *len = 0;
    GUARD_DB(db, {
        std::string v = metadata(db, key);
        if (v.empty())
            return XS_OK;
        char *p = static_cast<char *>(std::malloc(v.size() + 1));
        if (!p)
            return XS_ENOMEM;
        std::memcpy(p, v.data(), v.size());
        p[v.size()] = '\0';
        *out = p;
        *len = v.size();
        return XS_OK;
    })
}

int xs_db_set_metadata(xs_db *db, const char *key, const char *val, size_t len)
{
    GUARD_DB(db, db->wr->set_metadata(key, std::string(val, len)); return XS_OK;)
}

int xs_db_words(xs_db *db, const char *start,
                int (*fn)(void *ctx, const char *term, size_t len, size_t freq), void *ctx)
{
    GUARD_DB(db, {
        Xapian::TermIterator t = db->rd->allterms_begin(start);
        while (t != db->rd->allterms_end(start)) {
            const std::string &s = *t;
            if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z') {
                // Prefixed terms sort together, from 'A' to 'Z': jump past them.
                t.skip_to("[");
                continue;
            }
            int rc = fn(ctx, s.data(), s.size(), t.get_termfreq());
            if (rc)
                return rc;
            ++t;
        }
        return XS_OK;
    })
}

int xs_db_metadata(xs_db *db, const char *prefix,
                   int (*fn)(void *ctx, const char *key, const char *val, size_t len), void *ctx)
{
    GUARD_DB(db, {
        for (Xapian::TermIterator k = db->rd->metadata_keys_begin(prefix);
             k != db->rd->metadata_keys_end(prefix); ++k) {
            const std::string &key = *k;
            std::string val = db->rd->get_metadata(key);
            int rc = fn(ctx, key.c_str(), val.data(), val.size());
            if (rc)
                return rc;
        }
        return XS_OK;
    })
}

int xs_db_replace(xs_db *db, const char *idterm, xs_doc *doc)
{
    GUARD_DB(db, db->wr->replace_document(idterm, doc->doc); return XS_OK;)
}

int xs_db_add(xs_db *db, xs_doc *doc)
{
    GUARD_DB(db, {
        db->wr->add_document(doc->doc);
        if (db->flush_every && ++db->unflushed >= db->flush_every) {
            db->wr->commit();
            db->unflushed = 0;
        }
        return XS_OK;
    })
}

int xs_db_delete_term(xs_db *db, const char *term)
{
    GUARD_DB(db, db->wr->delete_document(term); return XS_OK;)
}

int xs_db_terms(xs_db *db, const char *prefix,
                int (*fn)(void *ctx, const char *term, size_t len, size_t freq), void *ctx)
{
    GUARD_DB(db, {
        for (Xapian::TermIterator t = db->rd->allterms_begin(prefix);
             t != db->rd->allterms_end(prefix); ++t) {
            const std::string &s = *t;
            int rc = fn(ctx, s.data(), s.size(), t.get_termfreq());
            if (rc)
                return rc;
        }
        return XS_OK;
    })
}

int xs_db_postings(xs_db *db, const char *term, size_t len, unsigned **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    GUARD_DB(db, {
        std::string t(term, len);
        std::vector<unsigned> v;
        for (Xapian::PostingIterator p = db->rd->postlist_begin(t); p != db->rd->postlist_end(t);
             ++p)
            v.push_back(*p);
        if (v.empty())
            return XS_OK;
        unsigned *a = static_cast<unsigned *>(malloc(v.size() * sizeof *a));
        if (!a)
            return XS_ENOMEM;
        std::copy(v.begin(), v.end(), a);
        *ids = a;
        *n = v.size();
        return XS_OK;
    })
}

// Call FN for each term from T to END beginning with PREFIX (a termlist, in
// order); FN's nonzero return is returned.
static int prefixed_terms(Xapian::TermIterator t, const Xapian::TermIterator &end,
                          const char *prefix,
                          int (*fn)(void *ctx, const char *term, size_t len), void *ctx)
{
    t.skip_to(prefix);
    size_t plen = strlen(prefix);
    for (; t != end; ++t) {
        const std::string &s = *t;
        if (s.compare(0, plen, prefix) != 0)
            break;
        int rc = fn(ctx, s.data(), s.size());
        if (rc)
            return rc;
    }
    return XS_OK;
}

int xs_db_doc_terms(xs_db *db, unsigned docid, const char *prefix,
                    int (*fn)(void *ctx, const char *term, size_t len), void *ctx)
{
    GUARD_DB(db, return prefixed_terms(db->rd->termlist_begin(docid), db->rd->termlist_end(docid),
                                       prefix, fn, ctx);)
}

int xs_db_doc_value(xs_db *db, unsigned docid, unsigned slot, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    GUARD_DB(db, {
        std::string v = db->rd->get_document(docid).get_value(slot);
        char *s = static_cast<char *>(malloc(v.size() + 1));
        if (!s)
            return XS_ENOMEM;
        memcpy(s, v.data(), v.size());
        s[v.size()] = '\0';
        *out = s;
        *len = v.size();
        return XS_OK;
    })
}

int xs_db_values(xs_db *db, unsigned slot,
                 int (*fn)(void *ctx, unsigned docid, const char *value, size_t len), void *ctx)
{
    GUARD_DB(db, {
        for (Xapian::ValueIterator v = db->rd->valuestream_begin(slot);
             v != db->rd->valuestream_end(slot); ++v) {
            const std::string &s = *v;
            int rc = fn(ctx, v.get_docid(), s.data(), s.size());
            if (rc)
                return rc;
        }
        return XS_OK;
    })
}

int xs_db_doc_mark(xs_db *db, unsigned docid, const char *term, int on)
{
    GUARD_DB(db, {
        Xapian::Document d = db->wr->get_document(docid);
        if (on)
            d.add_boolean_term(term);
        else
            d.remove_term(term);
        db->wr->replace_document(docid, d);
        return XS_OK;
    })
}

xs_doc *xs_doc_new(void)
{
    return new (std::nothrow) xs_doc;
}

void xs_doc_free(xs_doc *doc)
{
    delete doc;
}

#define GUARD_DOC(body)                                                        \
    try {                                                                      \
        body                                                                   \
    } catch (...) {                                                            \
        std::string ignored;                                                   \
        return map_error(&ignored);                                            \
    }

int xs_doc_add_posting(xs_doc *doc, const char *term, size_t len, unsigned pos)
{
    GUARD_DOC(doc->doc.add_posting(std::string(term, len), pos); return XS_OK;)
}

int xs_doc_add_term(xs_doc *doc, const char *term, size_t len, unsigned wdf)
{
    GUARD_DOC(doc->doc.add_term(std::string(term, len), wdf); return XS_OK;)
}

int xs_doc_add_boolean(xs_doc *doc, const char *term, size_t len)
{
    GUARD_DOC(doc->doc.add_boolean_term(std::string(term, len)); return XS_OK;)
}

int xs_doc_add_value(xs_doc *doc, unsigned slot, const char *value, size_t len)
{
    GUARD_DOC(doc->doc.add_value(slot, std::string(value, len)); return XS_OK;)
}

int xs_doc_set_data(xs_doc *doc, const char *data, size_t len)
{
    GUARD_DOC(doc->doc.set_data(std::string(data, len)); return XS_OK;)
}

int xs_doc_terms(const xs_doc *doc, const char *prefix,
                 int (*fn)(void *ctx, const char *term, size_t len), void *ctx)
{
    GUARD_DOC(return prefixed_terms(doc->doc.termlist_begin(), doc->doc.termlist_end(), prefix,
                                    fn, ctx);)
}

xs_query *xs_query_term(const char *term, size_t len, unsigned wqf, unsigned pos)
{
    try {
        std::string t(term, len);
        return new xs_query{Xapian::Query(t, wqf, pos), false, {{t, 1.0, 0}}, {}};
    } catch (...) {
        return nullptr;
    }
}

// Matches the documents holding any of its terms, each with the same
// weight, whatever the term's frequency in it or the document's length: a
// word's share of a coordination score (xs_query_presence).
class PresenceSource : public Xapian::PostingSource {
    std::vector<std::string> terms;
    double weight;
    std::vector<Xapian::PostingIterator> its, ends;
    Xapian::docid did = 0;
    Xapian::doccount freq_min = 0, freq_max = 0, docs = 0;

    // The smallest docid any term is at, or 0 past them all.
    void settle()
    {
        did = 0;
        for (size_t i = 0; i < its.size(); i++)
            if (its[i] != ends[i] && (did == 0 || *its[i] < did))
                did = *its[i];
    }

  public:
    PresenceSource(std::vector<std::string> terms_, double weight_)
        : terms(std::move(terms_)), weight(weight_) {}

    PresenceSource *clone() const override { return new PresenceSource(terms, weight); }

    void init(const Xapian::Database &db) override
    {
        its.clear();
        ends.clear();
        freq_min = freq_max = 0;
        docs = db.get_doccount();
        for (const std::string &t : terms) {
            its.push_back(db.postlist_begin(t));
            ends.push_back(db.postlist_end(t));
            Xapian::doccount f = db.get_termfreq(t);
            freq_min = std::max(freq_min, f);
            freq_max += f;
        }
        freq_max = std::min(freq_max, docs);
        did = 0;
        set_maxweight(weight);
    }

    Xapian::doccount get_termfreq_min() const override { return freq_min; }
    Xapian::doccount get_termfreq_est() const override { return freq_min; }
    Xapian::doccount get_termfreq_max() const override { return freq_max; }

    void next(double) override
    {
        Xapian::docid from = did;
        for (size_t i = 0; i < its.size(); i++)
            if (its[i] != ends[i] && *its[i] <= from)
                ++its[i];
        settle();
    }

    void skip_to(Xapian::docid target, double) override
    {
        for (size_t i = 0; i < its.size(); i++)
            if (its[i] != ends[i])
                its[i].skip_to(target);
        settle();
    }

    bool at_end() const override { return did == 0; }
    Xapian::docid get_docid() const override { return did; }
    double get_weight() const override { return weight; }
    std::string get_description() const override { return "PresenceSource()"; }
};

xs_query *xs_query_presence(const char *const *terms, const size_t *lens, size_t n, double weight,
                            int stock)
{
    try {
        std::vector<std::string> t;
        for (size_t i = 0; i < n; i++)
            t.emplace_back(terms[i], lens[i]);
        if (stock) {
            // The same weight from what xapian-tcpsrv knows: a constant
            // source filtered by the terms (one that matches every document,
            // which the terms' postings drive).
            std::vector<Xapian::Query> any(t.begin(), t.end());
            return new xs_query{Xapian::Query(
                Xapian::Query::OP_FILTER,
                Xapian::Query((new Xapian::FixedWeightPostingSource(weight))->release()),
                Xapian::Query(Xapian::Query::OP_OR, any.begin(), any.end())), false, {}, {}};
        }
        return new xs_query{Xapian::Query((new PresenceSource(std::move(t), weight))->release()),
                            false, {}, {}};
    } catch (...) {
        return nullptr;
    }
}

static Xapian::Query::op map_op(int op)
{
    switch (op) {
    case XS_OP_AND: return Xapian::Query::OP_AND;
    case XS_OP_OR: return Xapian::Query::OP_OR;
    case XS_OP_AND_NOT: return Xapian::Query::OP_AND_NOT;
    case XS_OP_PHRASE: return Xapian::Query::OP_PHRASE;
    case XS_OP_NEAR: return Xapian::Query::OP_NEAR;
    case XS_OP_AND_MAYBE: return Xapian::Query::OP_AND_MAYBE;
    default: return Xapian::Query::OP_FILTER;
    }
}

xs_query *xs_query_combine(int op, xs_query **subs, size_t n, unsigned window)
{
    xs_query *res = nullptr;
    try {
        std::vector<Xapian::Query> v;
        v.reserve(n);
        bool too_wild = false;
        std::vector<Weighed> weighed;
        std::vector<Xapian::Query> groups;
        // The right side of an AND_NOT or a FILTER weighs nothing.
        bool left_only = op == XS_OP_AND_NOT || op == XS_OP_FILTER;
        bool positional = op == XS_OP_PHRASE || op == XS_OP_NEAR;
        for (size_t i = 0; i < n; i++)
            if (subs[i]) {
                v.push_back(subs[i]->q);
                too_wild = too_wild || subs[i]->too_wild;
                if (left_only && v.size() > 1)
                    continue;
                size_t base = groups.size();
                if (!positional)
                    groups.insert(groups.end(), subs[i]->groups.begin(), subs[i]->groups.end());
                for (const Weighed &w : subs[i]->weighed)
                    weighed.push_back({w.term, w.factor, w.group && !positional ? base + w.group : 0});
            }
        Xapian::Query q(map_op(op), v.begin(), v.end(), window);
        if (positional && !weighed.empty()) {
            groups.push_back(q);
            for (Weighed &w : weighed)
                w.group = groups.size();
        }
        res = new xs_query{q, too_wild, std::move(weighed), std::move(groups)};
    } catch (...) {
        res = nullptr;
    }
    for (size_t i = 0; i < n; i++)
        delete subs[i];
    return res;
}

xs_query *xs_query_scale(xs_query *q, double factor)
{
    if (!q)
        return nullptr;
    try {
        q->q = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor);
        for (Weighed &w : q->weighed)
            w.factor *= factor;
        return q;
    } catch (...) {
        delete q;
        return nullptr;
    }
}

xs_query *xs_query_wildcard(xs_db *db, const char *prefix, size_t len, unsigned max,
                            int limit_error)
{
    try {
        // Expanded here rather than by Xapian's OP_WILDCARD: the shards of
        // a set would each expand it and weigh its words by their own
        // frequencies; here the words and their weights are those of one
        // index of every passage, whichever way the passages are split.
        std::string pre(prefix, len);
        std::vector<std::pair<Xapian::doccount, std::string>> words;
        for (Xapian::TermIterator t = db->rd->allterms_begin(pre); t != db->rd->allterms_end(pre);
             ++t)
            words.emplace_back(t.get_termfreq(), *t);
        bool too_many = max && words.size() > max;
        if (too_many && !limit_error) {
            // The most frequent MAX, the earlier word first among equals.
            std::stable_sort(words.begin(), words.end(),
                             [](const std::pair<Xapian::doccount, std::string> &a,
                                const std::pair<Xapian::doccount, std::string> &b) {
                                 return a.first > b.first;
                             });
            words.resize(max);
            too_many = false;
        }
        std::vector<Xapian::Query> subs;
        for (const auto &w : words)
            subs.emplace_back(w.second);
        // One synonym, as Xapian's own wildcard is. Over a set, Xapian
        // estimates its frequency shard by shard from the words each holds,
        // so its weight may differ from one index's by a fraction of a
        // percent.
        return new xs_query{Xapian::Query(Xapian::Query::OP_SYNONYM, subs.begin(), subs.end()),
                            too_many, {}, {}};
    } catch (...) {
        map_error(&db->err);
        return nullptr;
    }
}

xs_query *xs_query_match_nothing(void)
{
    try {
        return new xs_query{Xapian::Query::MatchNothing, false, {}, {}};
    } catch (...) {
        return nullptr;
    }
}

xs_query *xs_query_match_all(void)
{
    try {
        return new xs_query{Xapian::Query::MatchAll, false, {}, {}};
    } catch (...) {
        return nullptr;
    }
}

void xs_query_free(xs_query *q)
{
    delete q;
}

double xs_clock(void)
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// What the deadline sources of one match share (one per shard): when the
// match began, its budget, and whether it ran out.
struct match_clock {
    double budget;
    double start = 0;  // the first candidate's time, 0 before it
    bool stopped = false;
};

// Matches every document until the match has spent its budget, then ends.
// Filtering a query by it stops the match there, which Xapian 1.4 cannot do
// by itself (its time limit only gives up on check_at_least). Xapian's AND
// asks each of its postlists about every candidate document, a filter
// included, before a phrase or NEAR looks at positions: so even a phrase
// that scans every passage and matches none (a 16-word phrase of "the")
// comes here for each one. The clock starts at the first candidate, once
// the tables are open (a cold start or a slow machine opens them slowly),
// and is read at the second candidate and every deadline_stride after.
class DeadlineSource : public Xapian::PostingSource {
    static const unsigned deadline_stride = 64;
    std::shared_ptr<match_clock> clock;
    Xapian::docid did = 0, last = 0;
    Xapian::doccount docs = 0;
    unsigned calls = 0;
    bool ended = false;

    void tick()
    {
        unsigned n = calls++;
        if (n == 0 && clock->start == 0)
            clock->start = xs_clock();
        else if ((n == 1 || n % deadline_stride == 0) &&
                 xs_clock() - clock->start >= clock->budget)
            ended = clock->stopped = true;
    }

  public:
    explicit DeadlineSource(std::shared_ptr<match_clock> clock_) : clock(std::move(clock_)) {}

    DeadlineSource *clone() const override { return new DeadlineSource(clock); }

    void init(const Xapian::Database &db) override
    {
        did = 0;
        calls = 0;
        ended = clock->stopped;
        last = db.get_lastdocid();
        docs = db.get_doccount();
        // Until it stops it matches every document, and says so: the AND
        // then drives with the other postlists and only checks this one,
        // and Xapian's estimates are those of the query alone.
        set_maxweight(0);
    }

    Xapian::doccount get_termfreq_min() const override { return docs; }
    Xapian::doccount get_termfreq_est() const override { return docs; }
    Xapian::doccount get_termfreq_max() const override { return docs; }

    void next(double) override
    {
        did++;
        tick();
    }

    void skip_to(Xapian::docid target, double) override
    {
        if (target > did)
            did = target;
        tick();
    }

    bool check(Xapian::docid target, double w_min) override
    {
        skip_to(target, w_min);
        return true;
    }

    bool at_end() const override { return ended || did > last; }
    Xapian::docid get_docid() const override { return did; }
    std::string get_description() const override { return "DeadlineSource()"; }
};

// A match weighs each term of its query Q with frequencies summed over
// every part, and its MSet MS holds them: kept, so that explaining the hits
// asks none of them again.
static void keep_termfreqs(xs_db *db, const Xapian::Query &q, const Xapian::MSet &ms)
{
    for (auto t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t) {
        if (!db->termfreqs.count(*t))
            remember(db->termfreqs, *t, ms.get_termfreq(*t), TERMFREQS_KEPT);
    }
}

// Runs the query and copies out what the caller needs, so that a writer
// committing meanwhile cannot invalidate the results afterwards.
static void run_search(xs_db *db, const xs_query *query, const xs_search *o, xs_mset *m)
{
    Xapian::Enquire enq(*db->rd);
    auto clock = std::make_shared<match_clock>();
    clock->budget = o->budget;
    // A remote shard matches on its server, which knows no source of
    // rubric's: its time is bounded by the remote timeout instead.
    if (o->budget > 0 && !db->remote) {
        Xapian::Query until((new DeadlineSource(clock))->release());
        // The budget also ends the counting that check_at_least asks for.
        // Enquire::set_time_limit is not used: its timer thread can fire
        // after get_mset() has returned and write into a stack frame that
        // is gone (valgrind caught it with a budget already spent).
        enq.set_query(Xapian::Query(Xapian::Query::OP_FILTER, query->q, until));
    } else {
        enq.set_query(query->q);
    }
    enq.set_weighting_scheme(Xapian::BM25Weight(o->k1, 0, 1, o->b, 0.5));
    // Equal weights in the order of their passages, not of their docids,
    // which interleave differently when a set holds them.
    enq.set_sort_by_relevance_then_value(XS_SLOT_ORDER, false);
    if (o->collapse_max)
        enq.set_collapse_key(o->collapse_slot, o->collapse_max);
    std::vector<std::pair<unsigned, std::unique_ptr<Xapian::ValueCountMatchSpy>>> spies;
    for (unsigned slot = 0; slot < 32; slot++)
        if (o->facet_slots & (1u << slot)) {
            spies.emplace_back(slot, new Xapian::ValueCountMatchSpy(slot));
            enq.add_matchspy(spies.back().second.get());
        }
    // Xapian 1.4.22 prunes wrongly now and then: when an AND_MAYBE that an
    // OR has become turns into an AND (the match's minimum weight passing
    // what its required side can give), the AND starts one past the larger
    // of the two sides' positions, and so skips the document the optional
    // side stands on when it is ahead and holds both (andmaybepostlist.cc,
    // AndMaybePostList::next). Where that happens depends on the order of
    // the documents, so a set and one index of the same files lose
    // different passages. A set's match therefore looks at every candidate,
    // within the budget, which never raises the minimum weight (one database
    // alone, a replica's stub, prunes as one index does), and so does one
    // with a remote shard, whose matches are counted here (below).
    Xapian::doccount check = o->check_at_least;
    if ((db->parts.size() > 1 || db->remote) && db->rd->get_doccount() > check)
        check = db->rd->get_doccount();
    // A remote shard collapses on its server and reports no count of what
    // it collapsed: the matches of each value are counted here instead,
    // every one of them being looked at.
    std::unique_ptr<Xapian::ValueCountMatchSpy> keys;
    if (db->remote && o->collapse_max) {
        keys.reset(new Xapian::ValueCountMatchSpy(o->collapse_slot));
        enq.add_matchspy(keys.get());
    }
    Xapian::MSet ms = enq.get_mset(o->offset, o->limit, check);
    if (db->remote)
        keep_termfreqs(db, query->q, ms);
    std::unordered_map<std::string, Xapian::doccount> key_count;
    if (keys)
        for (Xapian::TermIterator v = keys->values_begin(); v != keys->values_end(); ++v)
            key_count[*v] = v.get_termfreq();
    m->facets.clear();
    m->facet_seen = 0;
    for (const auto &spy : spies) {
        auto &list = m->facets[spy.first];
        for (Xapian::TermIterator v = spy.second->values_begin(); v != spy.second->values_end(); ++v)
            list.emplace_back(*v, v.get_termfreq());
        m->facet_seen = spy.second->get_total();
    }
    // The spies have counted; a second match must not count again.
    enq.clear_matchspies();
    m->estimate = ms.get_matches_estimated();
    m->stopped = clock->stopped;
    m->exact = !m->stopped && ms.get_matches_lower_bound() == ms.get_matches_upper_bound();
    if (keys) {
        // Every match was looked at and counted by its value: those kept
        // of each value (at most collapse_max) and those with none.
        Xapian::doccount kept = 0, valued = 0;
        for (const auto &k : key_count) {
            kept += std::min<Xapian::doccount>(k.second, o->collapse_max);
            valued += k.second;
        }
        m->estimate = kept + (keys->get_total() - valued);
        m->exact = true;
    }
    // Past a full page the matcher prunes by weight even below check_at_least,
    // and the bounds stay apart; when few can match, count them: every match
    // fits in a page of the upper bound's size.
    // That page's size is the count only when each value of the collapse
    // key keeps one match (a section's parts counted once); and then each
    // hit's count of the matches collapsed into it is exact too (the first
    // match may have pruned some), whichever way a set interleaves them.
    Xapian::doccount upper = ms.get_matches_upper_bound();
    std::unordered_map<Xapian::docid, Xapian::doccount> collapsed;
    if (!m->exact && !m->stopped && upper <= o->check_at_least && upper > o->offset + o->limit &&
        o->collapse_max <= 1) {
        Xapian::MSet all = enq.get_mset(0, upper, o->check_at_least);
        if (!clock->stopped) {
            m->estimate = all.size();
            m->exact = true;
            for (Xapian::MSetIterator it = all.begin(); o->collapse_max && it != all.end(); ++it)
                collapsed[*it] = it.get_collapse_count();
        }
        m->stopped = clock->stopped;
    }
    m->spent = clock->start > 0 ? xs_clock() - clock->start : 0;
    m->weights.clear();
    m->data.clear();
    m->docids.clear();
    m->collapsed.clear();
    std::vector<std::string> hit_keys;  // with keys: each hit's value
    std::unordered_map<std::string, Xapian::doccount> key_kept;
    for (Xapian::MSetIterator it = ms.begin(); it != ms.end(); ++it) {
        // One document a hit: from a remote shard, each is a round trip.
        Xapian::Document doc = it.get_document();
        m->weights.push_back(it.get_weight());
        m->data.push_back(doc.get_data());
        m->docids.push_back(*it);
        auto c = collapsed.find(*it);
        m->collapsed.push_back(c != collapsed.end() ? c->second : it.get_collapse_count());
        if (keys) {
            hit_keys.push_back(doc.get_value(o->collapse_slot));
            key_kept[hit_keys.back()]++;
        }
    }
    // Of each value, the matches that no hit shown here stands for.
    for (size_t i = 0; i < hit_keys.size(); i++) {
        const std::string &key = hit_keys[i];
        Xapian::doccount n = key.empty() ? 0 : key_count[key], kept = key_kept[key];
        m->collapsed[i] = n > kept ? n - kept : 0;
    }
}

// Searches run on a reader that keeps failing as the index changes under it.
static const int search_attempts = 5;

int xs_db_search(xs_db *db, const xs_query *query, const xs_search *o, xs_mset **out)
{
    *out = nullptr;
    if (query->too_wild) {
        db->err = "a wildcard matches too many words";
        return XS_EWILDCARD;
    }
    xs_mset *m = new (std::nothrow) xs_mset;
    if (!m)
        return XS_ENOMEM;
    int rc = XS_OK;
    // A writer that commits twice while we read makes our revision vanish:
    // reopen at the newest revision and run the whole search again.
    for (int attempt = 1;; attempt++) {
        try {
            run_search(db, query, o, m);
            m->weighed = query->weighed;
            m->groups = query->groups;
            *out = m;
            return XS_OK;
        } catch (...) {
            rc = map_error(&db->err);
        }
        // A reader opened without its directory pinned (no /proc) may
        // have files of two generations, when a rebuild swapped the directory
        // while it opened them: that passes on opening it again. A damaged
        // index fails every time: after the last attempt, its error stands.
        // A remote shard that dropped an idle connection answers again once
        // reopened.
        if (attempt == search_attempts ||
            (rc != XS_EMODIFIED && ((rc != XS_ENODB && rc != XS_ENET) || db->wr)))
            break;
        // A writer reopens in place; a reader by path, where a rebuild may
        // have put a new index.
        int reopened = db->wr ? xs_db_reopen(db) : xs_db_reopen_path(db);
        if (reopened != XS_OK) {
            rc = reopened;
            break;
        }
    }
    delete m;
    return rc;
}

int xs_db_term_stats(xs_db *db, unsigned docid, const char *term, xs_term_stats *out)
{
    GUARD_DB(db, {
        std::string t(term);
        out->wdf = 0;
        out->termfreq = termfreq(db, t);
        out->avlength = db->rd->get_avlength();
        out->doccount = db->rd->get_doccount();
        if (db->terms_of != docid) {
            db->terms_of = 0;
            db->wdfs.clear();
            for (Xapian::TermIterator it = db->rd->termlist_begin(docid);
                 it != db->rd->termlist_end(docid); ++it)
                db->wdfs.emplace(*it, it.get_wdf());
            db->doclen_of = db->rd->get_doclength(docid);
            db->terms_of = docid;
        }
        out->doclen = db->doclen_of;
        auto found = db->wdfs.find(t);
        if (found != db->wdfs.end())
            out->wdf = found->second;
        return XS_OK;
    })
}

void xs_mset_free(xs_mset *m)
{
    delete m;
}

size_t xs_mset_facet_values(const xs_mset *m, unsigned slot)
{
    auto it = m->facets.find(slot);
    return it == m->facets.end() ? 0 : it->second.size();
}

const char *xs_mset_facet_value(const xs_mset *m, unsigned slot, size_t i, size_t *len,
                                size_t *count)
{
    auto it = m->facets.find(slot);
    if (it == m->facets.end() || i >= it->second.size())
        return nullptr;
    *len = it->second[i].first.size();
    *count = it->second[i].second;
    return it->second[i].first.data();
}

size_t xs_mset_facet_seen(const xs_mset *m)
{
    return m->facet_seen;
}

unsigned xs_mset_docid(const xs_mset *m, size_t i)
{
    return m->docids[i];
}

size_t xs_mset_collapsed(const xs_mset *m, size_t i)
{
    return m->collapsed[i];
}

size_t xs_mset_size(const xs_mset *m)
{
    return m->data.size();
}

size_t xs_mset_estimate(const xs_mset *m)
{
    return m->estimate;
}

int xs_mset_exact(const xs_mset *m)
{
    return m->exact;
}

int xs_mset_stopped(const xs_mset *m)
{
    return m->stopped;
}

double xs_mset_spent(const xs_mset *m)
{
    return m->spent;
}

size_t xs_mset_weighed(const xs_mset *m)
{
    return m->weighed.size();
}

const char *xs_mset_weighed_term(const xs_mset *m, size_t i, double *factor, size_t *group)
{
    if (i >= m->weighed.size())
        return nullptr;
    *factor = m->weighed[i].factor;
    *group = m->weighed[i].group;
    return m->weighed[i].term.c_str();
}

int xs_mset_group_matches(xs_db *db, const xs_mset *m, size_t group, const char *id, size_t len)
{
    if (!group)
        return 1;
    if (group > m->groups.size())
        return 0;
    try {
        Xapian::Enquire e(*db->rd);
        e.set_query(Xapian::Query(Xapian::Query::OP_FILTER, m->groups[group - 1],
                                  Xapian::Query(std::string(id, len))));
        e.set_weighting_scheme(Xapian::BoolWeight());
        return e.get_mset(0, 1).size() > 0;
    } catch (...) {
        return map_error(&db->err);
    }
}

double xs_mset_weight(const xs_mset *m, size_t i)
{
    return m->weights[i];
}

const char *xs_mset_data(const xs_mset *m, size_t i, size_t *len)
{
    *len = m->data[i].size();
    return m->data[i].data();
}

}  // extern "C"
