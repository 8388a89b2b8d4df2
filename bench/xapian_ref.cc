// xapian_ref.cc: the benchmark's reference indexing path, Xapian's own
// TermGenerator (xapian_ref.h). Used by bench/ only, never by the library.
#include "xapian_ref.h"

#include <xapian.h>

#include <cstdlib>
#include <cstring>
#include <string>

static Xapian::TermGenerator &termgen()
{
    static Xapian::TermGenerator tg = [] {
        Xapian::TermGenerator t;
        t.set_stemmer(Xapian::Stem("english"));
        return t;
    }();
    return tg;
}

static Xapian::WritableDatabase *writer;
static unsigned unflushed;
static const unsigned flush_every = 1000;  // as rubric-index's first build

static int fail(const char *what, char **errmsg)
{
    std::string m = what;
    try {
        throw;
    } catch (const Xapian::Error &e) {
        m += ": " + e.get_msg();
    } catch (const std::exception &e) {
        m += std::string(": ") + e.what();
    } catch (...) {
    }
    if (errmsg) {
        *errmsg = static_cast<char *>(std::malloc(m.size() + 1));
        if (*errmsg)
            std::memcpy(*errmsg, m.c_str(), m.size() + 1);
    }
    return -1;
}

extern "C" {

int ref_open(const char *dir, char **errmsg)
{
    try {
        writer = new Xapian::WritableDatabase(
            dir, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_NO_SYNC);
        unflushed = 0;
        return 0;
    } catch (...) {
        return fail("cannot open", errmsg);
    }
}

int ref_add(const char *text, size_t len, const char *title, char **errmsg)
{
    try {
        Xapian::TermGenerator &tg = termgen();
        Xapian::Document doc;
        tg.set_document(doc);
        if (title && *title) {
            tg.index_text(title, 1, "S");
            tg.increase_termpos();
        }
        std::string body(text, len);
        tg.index_text(body);
        doc.set_data(body);
        writer->add_document(doc);
        if (++unflushed >= flush_every) {
            writer->commit();
            unflushed = 0;
        }
        return 0;
    } catch (...) {
        return fail("cannot add a document", errmsg);
    }
}

int ref_close(char **errmsg)
{
    try {
        writer->commit();
        writer->close();
        delete writer;
        writer = nullptr;
        return 0;
    } catch (...) {
        delete writer;
        writer = nullptr;
        return fail("cannot commit", errmsg);
    }
}

size_t ref_count(const char *text, size_t len, size_t *terms)
{
    try {
        Xapian::TermGenerator &tg = termgen();
        Xapian::Document doc;
        tg.set_document(doc);
        tg.index_text(std::string(text, len));
        if (terms)
            *terms = doc.termlist_count();
        return tg.get_termpos();
    } catch (...) {
        if (terms)
            *terms = 0;
        return 0;
    }
}

}  // extern "C"
