# rubric: a plain Makefile. `make` builds the tools and the library; `make test`
# runs every test; `make install PREFIX=... DESTDIR=...` installs.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
# Where the tools look for the system's configuration (rubric/rubric.json).
SYSCONFDIR ?= /etc
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DOCDIR ?= $(DATADIR)/doc/rubric
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/vendor-completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# `make install-strip` sets it: the binaries installed stripped.
INSTALL_STRIP ?=
VERSION := $(shell sed -n 's/^\#define RUBRIC_VERSION "\(.*\)"/\1/p' include/rubric.h)
MAN_PAGES = $(wildcard man/*.1 man/*.3 man/*.5)

CC ?= cc
CXX ?= c++
PKG_CONFIG ?= pkg-config

# Debian packages rubric builds against, and the files that prove them present.
DEB_PACKAGES = pkg-config g++ libxapian-dev libstemmer-dev libcjson-dev libunistring-dev \
               libxml2-dev libmd4c-dev libmicrohttpd-dev
DEB_PROBES = /usr/include/xapian.h /usr/include/libstemmer.h /usr/include/cjson/cJSON.h \
             /usr/include/unistr.h /usr/include/libxml2/libxml/HTMLparser.h /usr/include/md4c.h \
             /usr/include/microhttpd.h
MISSING := $(strip $(foreach f,$(DEB_PROBES),$(if $(wildcard $(f)),,$(f))))
# Data the tests read: Unicode's word-break tests, Snowball's vocabularies, and
# the Python documentation (the large real corpus); and the tools the tests of
# the completion and the manual pages run.
TEST_PACKAGES = unicode-data snowball-data python3.11-doc bash-completion zsh groff-base mandoc
TEST_PROBES = /usr/share/unicode/auxiliary/WordBreakTest.txt /usr/share/snowball/data/english/voc.txt \
              /usr/share/doc/python3.11/html/index.html /usr/share/bash-completion/bash_completion \
              /usr/bin/zsh /usr/bin/groff /usr/bin/mandoc
TEST_MISSING := $(strip $(foreach f,$(TEST_PROBES),$(if $(wildcard $(f)),,$(f))))
# SQLite, for build/fts5-eval only: the FTS5 baseline `make eval` compares rubric with.
SQLITE_PACKAGES = libsqlite3-dev
SQLITE_PROBE = /usr/include/sqlite3.h
SQLITE_MISSING := $(if $(wildcard $(SQLITE_PROBE)),,$(SQLITE_PROBE))
# What `make bench` compares rubric with (bench/run.sh): Xapian's omindex and
# quest, SQLite; Pagefind from npm into build/bench/node.
BENCH_PACKAGES = xapian-omega xapian-tools libsqlite3-dev
BENCH_PROBES = /usr/bin/omindex /usr/bin/quest $(SQLITE_PROBE)
BENCH_MISSING := $(strip $(foreach f,$(BENCH_PROBES),$(if $(wildcard $(f)),,$(f))))
# The trees `make eval` judges, NAME:PACKAGE:DIR each: a Debian package's
# documentation indexed whole, as installed, with its judged queries in
# tests/relevance/NAME.tsv, or only those drawn from its own index
# (EVAL_INDEXES: zsh's and Octave's Texinfo manuals, Exim's specification,
# kept as a check on generators the written sets do not cover); beside
# rubric, SQLite FTS5 and Omega (omindex, quest) as baselines.
EVAL_TREES = python-docs:python3.11-doc:/usr/share/doc/python3.11/html \
             git-docs:git-doc:/usr/share/doc/git-doc \
             gtk3-docs:libgtk-3-doc:/usr/share/gtk-doc/html/gtk3 \
             bash-docs:bash-doc:/usr/share/doc/bash \
             cmake-docs:cmake-doc:/usr/share/doc/cmake-doc/html \
             zsh-docs:zsh-doc:/usr/share/doc/zsh-common/html \
             octave-docs:octave-doc:/usr/share/doc/octave/octave.html \
             exim-docs:exim4-doc-html:/usr/share/doc/exim4-doc-html/spec_html
EVAL_PACKAGES = $(foreach t,$(EVAL_TREES),$(word 2,$(subst :, ,$(t)))) xapian-omega xapian-tools \
                $(SQLITE_PACKAGES)
EVAL_PROBES = $(foreach t,$(EVAL_TREES),$(word 3,$(subst :, ,$(t)))) /usr/bin/omindex /usr/bin/quest \
              $(SQLITE_PROBE)
EVAL_MISSING := $(strip $(foreach f,$(EVAL_PROBES),$(if $(wildcard $(f)),,$(f))))
# Known-item queries drawn from a tree's own index (tests/index_queries.c),
# NAME:PAGE[#ID] each: PAGE under the tree's DIR, read from the element ID
# on. They are judged like the written ones, as collection NAME-index, 200
# entries drawn with a fixed seed. git-doc ships no index.
EVAL_INDEXES = python-docs:genindex-all.html gtk3-docs:api-index-full.html \
               bash-docs:bashref.html\#Indexes cmake-docs:genindex.html \
               zsh-docs:Concept-Index.html octave-docs:Concept-Index.html \
               exim-docs:ch-option_index.html
EVAL_INDEX_NAMES = $(foreach i,$(EVAL_INDEXES),$(word 1,$(subst :, ,$(i)))-index)
# Where the judged queries are read from (another folder of NAME.tsv files
# may stand in: `make eval RELEVANCE=DIR`).
RELEVANCE ?= tests/relevance
PAGEFIND_VERSION ?= 1.6.0

WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
       -Wformat=2 -Wundef
WARNXX = -Wall -Wextra -Wshadow -Wpointer-arith -Wundef
OPT ?= -O2 -g
ifeq ($(SANITIZE),1)
OPT = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined
LDSAN = -fsanitize=address,undefined
endif
# ThreadSanitizer, for the runs on several threads (make test-tsan).
ifeq ($(SANITIZE),thread)
OPT = -O1 -g -fno-omit-frame-pointer -fsanitize=thread
LDSAN = -fsanitize=thread
endif

DEP_CFLAGS = $(shell $(PKG_CONFIG) --cflags xapian-core libcjson libxml-2.0 md4c 2>/dev/null)
DEP_LIBS = $(shell $(PKG_CONFIG) --libs xapian-core libcjson libxml-2.0 md4c 2>/dev/null) -lstemmer -lunistring

RUBRIC_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -DRUBRIC_BUILDING -Iinclude -Ilib \
                -fPIC -fvisibility=hidden $(WARN) $(OPT) $(DEP_CFLAGS) $(CPPFLAGS) $(CFLAGS)
RUBRIC_CXXFLAGS = -std=c++17 -DRUBRIC_BUILDING -Iinclude -Ilib -fPIC -fvisibility=hidden \
                  -fvisibility-inlines-hidden \
                  $(WARNXX) $(OPT) $(DEP_CFLAGS) $(CPPFLAGS) $(CXXFLAGS)
RUBRIC_LDFLAGS = -Wl,--as-needed $(LDSAN) $(LDFLAGS)
LIBS = $(DEP_LIBS) -lstdc++ -lm -lpthread
# The tools link libstemmer and libunistring statically: a query is a process
# of its own, and each shared library costs start-up time (symbol lookups).
TOOL_LIBS = $(shell $(PKG_CONFIG) --libs xapian-core libcjson libxml-2.0 md4c 2>/dev/null) \
            -Wl,-Bstatic -lstemmer -lunistring -Wl,-Bdynamic -lstdc++ -lm -lpthread

# The library that is installed: the engine, C, with its one C++ file
# (lib/store/xapian.cc, the only code that includes <xapian.h>).
LIB_C = lib/analysis.c lib/util.c lib/reader.c lib/reader_text.c lib/markup_inline.c lib/reader_html.c lib/html_guard.c lib/reader_md.c \
        lib/reader_jsonl.c lib/outline.c lib/layout.c lib/fold.c lib/index.c lib/index_file.c \
        lib/index_pool.c lib/shard.c lib/query.c lib/function_words.c lib/query_build.c lib/synonyms.c lib/db.c lib/spell.c lib/snippet.c lib/link.c \
        lib/explain.c lib/group.c lib/search.c lib/json.c
LIB_CC = lib/store/xapian.cc
LIB_OBJ = $(LIB_C:lib/%.c=build/lib/%.o) $(LIB_CC:lib/%.cc=build/lib/%.o)
LIB_HEADERS = include/rubric.h lib/internal.h lib/store/shim.h
# What the tools share and the library does not hold: options and exit
# codes, rubric.json, the walk over source trees.
TOOLS_C = tools/cli.c tools/walk.c tools/config.c
TOOLS_OBJ = $(TOOLS_C:tools/%.c=build/tools/%.o)
TOOLS_HEADERS = tools/cli.h tools/config.h
HEADERS = $(LIB_HEADERS) $(TOOLS_HEADERS)

TESTS = build/test_embed build/test_analysis build/test_reader build/test_markdown build/test_html build/test_generators build/test_pydocs build/test_cli build/test_config build/test_sites build/test_reindex build/test_shards build/test_query build/test_search build/test_serve build/test_faults build/fuzz_reader build/fuzz_search build/fuzz_config

all: deps build/librubric.a build/librubric.so build/rubric-index build/rubric-query build/rubric-serve \
     build/rubric.pc

deps:
ifneq ($(MISSING),)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing build dependencies: $(DEB_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES); \
	else \
	  echo "missing: $(MISSING)"; \
	  echo "run: sudo apt-get install $(DEB_PACKAGES)"; exit 1; \
	fi
endif

test-deps:
ifneq ($(TEST_MISSING),)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing test data: $(TEST_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_PACKAGES); \
	else \
	  echo "missing: $(TEST_MISSING) (the tests that read them will be skipped)"; \
	  echo "run: sudo apt-get install $(TEST_PACKAGES)"; \
	fi
endif

sqlite-deps:
ifneq ($(SQLITE_MISSING),)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing the FTS5 baseline's dependency: $(SQLITE_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SQLITE_PACKAGES); \
	else \
	  echo "missing: $(SQLITE_MISSING) (the FTS5 baseline of make eval will be skipped)"; \
	  echo "run: sudo apt-get install $(SQLITE_PACKAGES)"; \
	fi
endif

build/lib/%.o: lib/%.c $(LIB_HEADERS) | build/lib
	$(CC) $(RUBRIC_CFLAGS) -c $< -o $@

build/lib/store/%.o: lib/store/%.cc $(LIB_HEADERS) | build/lib
	@mkdir -p $(@D)
	$(CXX) $(RUBRIC_CXXFLAGS) -c $< -o $@

build/tools/%.o: tools/%.c $(HEADERS) | build/lib
	@mkdir -p $(@D)
	$(CC) $(RUBRIC_CFLAGS) -Itools -DRUBRIC_SYSCONFDIR='"$(SYSCONFDIR)"' -c $< -o $@

# What the tests and benchmarks link: the library's objects with their
# internal names (the Xapian shim, the readers) that they use too.
build/librubric-internal.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

# What the two tools (and the tests of the tools' helpers) link beside it.
build/librubric-tools.a: $(TOOLS_OBJ)
	rm -f $@
	ar rcs $@ $(TOOLS_OBJ)

# The static library that is installed: one object in which every name but the
# rubric_* API is made local, so that a program embedding rubric may name its
# own functions as it likes (tests/test_embed.c defines some of rubric's).
build/librubric.a: $(LIB_OBJ)
	rm -f $@ build/rubric.o
	$(LD) -r -o build/rubric.o $(LIB_OBJ)
	objcopy --localize-hidden build/rubric.o
	ar rcs $@ build/rubric.o
	rm -f build/rubric.o

build/librubric.so: $(LIB_OBJ) lib/rubric.map
	$(CXX) -shared -Wl,-soname,librubric.so.0 -Wl,--version-script=lib/rubric.map $(RUBRIC_LDFLAGS) \
	  -o $@ $(LIB_OBJ) $(LIBS)

build/rubric-index: indexer/main.c $(TOOLS_HEADERS) build/librubric-tools.a build/librubric-internal.a
	$(CC) $(RUBRIC_CFLAGS) -Itools $(RUBRIC_LDFLAGS) -o $@ indexer/main.c build/librubric-tools.a \
	  build/librubric-internal.a $(TOOL_LIBS)

build/rubric-query: query/main.c $(TOOLS_HEADERS) build/librubric-tools.a build/librubric-internal.a
	$(CC) $(RUBRIC_CFLAGS) -Itools $(RUBRIC_LDFLAGS) -o $@ query/main.c build/librubric-tools.a \
	  build/librubric-internal.a $(TOOL_LIBS)

# rubric-serve: the endpoints (serve/api.c), the transports (serve/main.c:
# libmicrohttpd's daemon, CGI mode) and the assets it serves, embedded
# (serve/embed.sh writes them as C).
SERVE_ASSETS = $(sort $(wildcard serve/assets/*))
build/serve/assets.c: serve/embed.sh $(SERVE_ASSETS)
	@mkdir -p $(@D)
	sh serve/embed.sh $@ $(SERVE_ASSETS)

# libmicrohttpd is loaded by name when the daemon starts (dlopen: CGI mode
# never loads it), the name read from the library pkg-config finds.
MHD_SONAME = $(shell objdump -p $$($(PKG_CONFIG) --variable=libdir libmicrohttpd 2>/dev/null)/libmicrohttpd.so \
               2>/dev/null | sed -n 's/^ *SONAME *//p')
SERVE_SOURCES = serve/api.c serve/cache.c
SERVE_HEADERS = serve/api.h serve/cache.h
build/rubric-serve: serve/main.c $(SERVE_SOURCES) $(SERVE_HEADERS) build/serve/assets.c $(TOOLS_HEADERS) \
                    build/librubric-tools.a build/librubric-internal.a
	$(CC) $(RUBRIC_CFLAGS) -Itools -Iserve $$($(PKG_CONFIG) --cflags libmicrohttpd) \
	  $(if $(MHD_SONAME),-DMHD_SONAME='"$(MHD_SONAME)"') $(RUBRIC_LDFLAGS) -o $@ \
	  serve/main.c $(SERVE_SOURCES) build/serve/assets.c build/librubric-tools.a \
	  build/librubric-internal.a $(TOOL_LIBS) -ldl

# An embedding program links the installed library, as users' programs do.
build/test_embed: tests/test_embed.c tests/harness.h build/librubric.a
	$(CC) $(RUBRIC_CFLAGS) $(RUBRIC_LDFLAGS) -o $@ $< build/librubric.a $(LIBS)

build/test_%: tests/test_%.c tests/harness.h tests/shell.h tests/bytes.h tests/html_check.h build/librubric-tools.a \
              build/librubric-internal.a
	$(CC) $(RUBRIC_CFLAGS) -Itools -Ilib/store $(RUBRIC_LDFLAGS) -o $@ $< build/librubric-tools.a \
	  build/librubric-internal.a $(LIBS)

# test_shards counts the messages sent to remote shards (tests/wire.c).
build/test_shards: tests/test_shards.c tests/wire.c tests/wire.h tests/harness.h tests/shell.h \
                   build/librubric-tools.a build/librubric-internal.a
	$(CC) $(RUBRIC_CFLAGS) -Itools -Ilib/store $(RUBRIC_LDFLAGS) -o $@ $< tests/wire.c \
	  build/librubric-tools.a build/librubric-internal.a $(LIBS)

# Out of memory at each allocation: the library's malloc, calloc and realloc
# calls are routed through the test's own (--wrap), which fails the Nth.
build/test_faults: tests/test_faults.c tests/harness.h tests/shell.h build/librubric-internal.a
	$(CC) $(RUBRIC_CFLAGS) $(RUBRIC_LDFLAGS) -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc \
	  -o $@ $< build/librubric-internal.a $(LIBS)

build/eval: tests/eval.c tests/judge.c tests/judge.h build/librubric-internal.a
	$(CC) $(RUBRIC_CFLAGS) $(RUBRIC_LDFLAGS) -o $@ $< tests/judge.c build/librubric-internal.a $(LIBS)

# Known-item queries from a tree's own index, for make eval.
build/index-queries: tests/index_queries.c | build
	$(CC) $(RUBRIC_CFLAGS) $(RUBRIC_LDFLAGS) -o $@ $< $(LIBS)

# The Omega baseline: judged queries through quest, judged by the same code
# (bench/omega.c).
build/omega-eval: bench/omega.c tests/judge.c tests/judge.h build/librubric-internal.a
	$(CC) $(RUBRIC_CFLAGS) -Itests $(RUBRIC_LDFLAGS) -o $@ $< tests/judge.c \
	  build/librubric-internal.a $(LIBS)

# The FTS5 baseline over the same passages and judged queries (bench/fts5.c).
build/fts5-eval: bench/fts5.c tests/judge.c tests/judge.h $(TOOLS_HEADERS) build/librubric-tools.a \
                 build/librubric-internal.a | sqlite-deps
	$(CC) $(RUBRIC_CFLAGS) -Itests -Itools $(RUBRIC_LDFLAGS) -o $@ $< tests/judge.c \
	  build/librubric-tools.a build/librubric-internal.a \
	  $(shell $(PKG_CONFIG) --libs sqlite3 2>/dev/null || echo -lsqlite3) $(LIBS)

# The benchmark's own programs (bench/floor.c, bench/inproc.c), with Xapian's
# TermGenerator as their reference (bench/xapian_ref.cc, not in the library).
build/bench/xapian_ref.o: bench/xapian_ref.cc bench/xapian_ref.h | build/lib
	@mkdir -p $(@D)
	$(CXX) $(RUBRIC_CXXFLAGS) -c $< -o $@

build/bench-%: bench/%.c bench/common.h bench/xapian_ref.h build/bench/xapian_ref.o \
               build/librubric-tools.a build/librubric-internal.a
	$(CC) $(RUBRIC_CFLAGS) -Itools $(RUBRIC_LDFLAGS) -o $@ $< build/bench/xapian_ref.o \
	  build/librubric-tools.a build/librubric-internal.a $(LIBS)

# The messages a search sends to remote shards, counted by the relay the
# tests use (tests/wire.c), for make bench-shards.
build/bench-wire: bench/wire.c bench/common.h tests/wire.c tests/wire.h build/librubric-tools.a \
                  build/librubric-internal.a
	$(CC) $(RUBRIC_CFLAGS) -Itools -Itests $(RUBRIC_LDFLAGS) -o $@ bench/wire.c tests/wire.c \
	  build/librubric-tools.a build/librubric-internal.a $(LIBS)

# The fuzz targets, run by a deterministic driver in `make test`...
build/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/driver.c build/librubric-tools.a build/librubric-internal.a
	$(CC) $(RUBRIC_CFLAGS) -Itools $(RUBRIC_LDFLAGS) -o $@ $< tests/fuzz/driver.c \
	  build/librubric-tools.a build/librubric-internal.a $(LIBS)

# The search target goes through rubric-serve's endpoints too.
build/fuzz_search: tests/fuzz/fuzz_search.c tests/fuzz/driver.c tests/html_check.h $(SERVE_SOURCES) $(SERVE_HEADERS) \
                   build/serve/assets.c build/librubric-tools.a build/librubric-internal.a
	$(CC) $(RUBRIC_CFLAGS) -Itools -Iserve $(RUBRIC_LDFLAGS) -o $@ tests/fuzz/fuzz_search.c \
	  tests/fuzz/driver.c $(SERVE_SOURCES) build/serve/assets.c build/librubric-tools.a \
	  build/librubric-internal.a $(LIBS)

# ...and under libFuzzer by `make fuzz` (clang), FUZZ_SECONDS each: the whole
# search path (search), each reader alone with inputs up to 1 MB (text,
# html, markdown, jsonl), and rubric.json with synonyms files (config). Seeds
# come from the repository's documents and queries (tests/fuzz/seeds.sh);
# what a run finds is kept in build/fuzz/corpus/TARGET for the next one.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = search text html markdown jsonl config
FUZZ_CFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
fuzz: | build
	$(MAKE) clean-lib
	$(MAKE) build/librubric-internal.a build/librubric-tools.a build/serve/assets.c CC=clang CXX=clang++ \
	  OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined"
	sh tests/fuzz/seeds.sh build/fuzz/seeds
	for t in $(FUZZ_TARGETS); do \
	  case $$t in \
	    search) src=search; def=; len=4096 ;; \
	    config) src=config; def=; len=65536 ;; \
	    text) src=reader; def='-DFUZZ_FILE="fuzz.txt"'; len=1048576 ;; \
	    html) src=reader; def='-DFUZZ_FILE="fuzz.html"'; len=1048576 ;; \
	    markdown) src=reader; def='-DFUZZ_FILE="fuzz.md"'; len=1048576 ;; \
	    jsonl) src=reader; def='-DFUZZ_FILE="fuzz.jsonl"'; len=1048576 ;; \
	  esac; \
	  extra=; [ $$t = search ] && extra="$(SERVE_SOURCES) build/serve/assets.c"; \
	  clang $(RUBRIC_CFLAGS) -Itools -Iserve $(FUZZ_CFLAGS) $$def -c -o build/libfuzzer_$$t.o \
	    tests/fuzz/fuzz_$$src.c && \
	  for x in $$extra; do clang $(RUBRIC_CFLAGS) -Itools -Iserve $(FUZZ_CFLAGS) -c \
	    -o build/libfuzzer_$$t-$$(basename $$x .c).o $$x || exit 1; done && \
	  clang++ -fsanitize=fuzzer,address,undefined -o build/libfuzzer_$$t build/libfuzzer_$$t.o \
	    $$(for x in $$extra; do echo build/libfuzzer_$$t-$$(basename $$x .c).o; done) \
	    build/librubric-tools.a build/librubric-internal.a $(LIBS) && \
	  mkdir -p build/fuzz/corpus/$$t && \
	  build/libfuzzer_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=$$len -rss_limit_mb=2048 \
	    -print_final_stats=1 build/fuzz/corpus/$$t build/fuzz/seeds/$$t \
	    2>&1 | tee build/fuzz/$$t.log | grep -E '^(#[0-9]+ *DONE|stat::|==[0-9]+==ERROR)' ; \
	  grep -q 'stat::number_of_executed_units' build/fuzz/$$t.log || \
	    { echo "fuzz: $$t stopped: see build/fuzz/$$t.log"; exit 1; }; \
	done
	$(MAKE) clean-lib

clean-lib:
	rm -rf build/lib build/tools build/librubric.a build/librubric-internal.a build/librubric-tools.a \
	  build/librubric.so build/libfuzzer_*

# Written every time: it holds PREFIX, which `make install PREFIX=...` may set
# after a plain `make` wrote another.
.PHONY: build/rubric.pc
build/rubric.pc: | build
	@printf 'prefix=%s\nlibdir=%s\nincludedir=%s\n\nName: rubric\nDescription: passage-level full-text search\nVersion: %s\nRequires.private: xapian-core libcjson libxml-2.0 md4c\nLibs: -L$${libdir} -lrubric\nLibs.private: -lstemmer -lunistring -lstdc++ -lm\nCflags: -I$${includedir}\n' \
	  '$(PREFIX)' '$(LIBDIR)' '$(INCLUDEDIR)' \
	  "$$(sed -n 's/^#define RUBRIC_VERSION "\(.*\)"/\1/p' include/rubric.h)" > $@

build build/lib:
	mkdir -p $@

# Build, index corpus/ into ./rubric.db and run two example searches.
demo: all
	./build/rubric-index --db rubric.db corpus
	./build/rubric-query --db rubric.db Bushehr
	./build/rubric-query --db rubric.db mediation

test: all test-deps $(TESTS)
	@sh tests/run.sh $(TESTS)

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer, and
# the indexing runs on several threads under ThreadSanitizer, each in a
# clean build of its own (the objects differ): what .ci/run does after
# `make test`. Any report fails the run.
test-sanitize:
	$(MAKE) clean
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp $(MAKE) SANITIZE=1 test
	$(MAKE) clean

# Threads: the sharded and pipelined builds of test_reindex (rubric-index -j 2
# and -j 3, a rebuild, readers during reindexes, threads whose shards fill up), and rubric-serve's tests
# (two threads answering, sharing the answer cache and the query log, during
# reindexes and rebuilds), with every binary built for ThreadSanitizer: a
# report makes the server exit 66, which its test sees.
TSAN_TESTS = several_threads
test-tsan:
	$(MAKE) clean
	$(MAKE) SANITIZE=thread all build/test_reindex build/test_serve
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 RUBRIC_ONLY=$(TSAN_TESTS) sh tests/run.sh build/test_reindex
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 RUBRIC_ONLY=readers_never sh tests/run.sh build/test_reindex
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 RUBRIC_ONLY=shards_fill_up sh tests/run.sh build/test_reindex
	TSAN_OPTIONS=halt_on_error=1:exitcode=66 sh tests/run.sh build/test_serve
	$(MAKE) clean

# The tools and an in-process search under valgrind (memcheck): no error, no
# leak (definite or indirect).
VALGRIND = valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite,indirect \
           --show-leak-kinds=definite,indirect
test-valgrind: all build/test_search
	rm -rf build/valgrind && mkdir -p build/valgrind
	$(VALGRIND) build/rubric-index -q -j 2 --db build/valgrind/db corpus
	cp corpus/urban-beekeeping.txt build/valgrind/extra.txt
	$(VALGRIND) build/rubric-index -q --db build/valgrind/db corpus build/valgrind/extra.txt
	$(VALGRIND) build/rubric-index -q --rebuild --db build/valgrind/db corpus
	$(VALGRIND) build/rubric-query --db build/valgrind/db --json --fragments 3 --explain Bushehr >/dev/null
	$(VALGRIND) build/rubric-query --db build/valgrind/db --per-article 2 '"power plant" OR hive*' >/dev/null
	$(VALGRIND) build/rubric-query --db build/valgrind/db --color always 'mediatoin -Israel' >/dev/null
	$(VALGRIND) build/test_search >/dev/null
	@echo "test-valgrind: no errors"

# Ranking quality on judged queries ($(RELEVANCE)/*.tsv), kept out of `make
# test`. Fresh indexes each run, so they reflect the current readers.
# EVALFLAGS=-v lists misses. corpus/ first, then each of EVAL_TREES whole (a
# tree whose folder or judged queries are missing is skipped, and said so),
# indexed by its absolute path, judged with --prefix DIR so that a result's
# path under DIR must be a target's path exactly. Then the baselines on the
# same trees and queries: SQLite FTS5 over rubric's passages
# (bench/fts5-eval.sh) and Omega's pages (bench/omega-eval.sh), each skipped
# when its tools are missing; then one table of every collection and engine
# (bench/eval-table.sh).
PYDOCS = /usr/share/doc/python3.11/html
eval: all build/eval build/index-queries eval-deps
	rm -rf build/eval-*.db build/eval-*.sqlite build/eval-*.out build/eval-*.log build/eval-index
	build/rubric-index -q --db build/eval-corpus.db corpus || [ $$? -eq 1 ]
	build/eval $(EVALFLAGS) --db build/eval-corpus.db \
	  $(RELEVANCE)/seed-article.tsv $(RELEVANCE)/beekeeping.tsv > build/eval-rubric-corpus.out; \
	  s=$$?; cat build/eval-rubric-corpus.out; exit $$s
	@for t in $(EVAL_TREES); do \
	  name=$${t%%:*}; dir=$${t##*:}; pkg=$${t#*:}; pkg=$${pkg%%:*}; tsv=$(RELEVANCE)/$$name.tsv; \
	  if [ ! -d $$dir ]; then echo "eval: $$dir missing (Debian $$pkg): $$name skipped"; continue; fi; \
	  drawn=; for i in $(EVAL_INDEXES); do [ "$${i%%:*}" != "$$name" ] || drawn=1; done; \
	  if [ ! -f $$tsv ] && [ -z "$$drawn" ]; then echo "eval: $$tsv missing: $$name skipped"; continue; fi; \
	  echo "build/rubric-index -q --db build/eval-$$name.db $$dir"; \
	  build/rubric-index -q --db build/eval-$$name.db $$dir || [ $$? -eq 1 ] || exit 1; \
	  if [ -f $$tsv ]; then \
	    echo "build/eval $(EVALFLAGS) --db build/eval-$$name.db --prefix $$dir $$tsv"; \
	    build/eval $(EVALFLAGS) --db build/eval-$$name.db --prefix $$dir $$tsv \
	      > build/eval-rubric-$$name.out; \
	    s=$$?; cat build/eval-rubric-$$name.out; [ $$s -eq 0 ] || exit $$s; \
	  fi; \
	  for i in $(EVAL_INDEXES); do \
	    [ "$${i%%:*}" = "$$name" ] || continue; \
	    spec=$${i#*:}; page=$${spec%%#*}; from=; \
	    case $$spec in *'#'*) from="--from $${spec#*#}" ;; esac; \
	    [ -f $$dir/$$page ] || { echo "eval: $$dir/$$page missing: $$name-index skipped"; continue; }; \
	    mkdir -p build/eval-index; \
	    echo "build/index-queries $$from $$dir/$$page $$dir > build/eval-index/$$name-index.tsv"; \
	    build/index-queries $$from $$dir/$$page $$dir > build/eval-index/$$name-index.tsv || exit 1; \
	    echo "build/eval $(EVALFLAGS) --db build/eval-$$name.db --prefix $$dir build/eval-index/$$name-index.tsv"; \
	    build/eval $(EVALFLAGS) --db build/eval-$$name.db --prefix $$dir \
	      build/eval-index/$$name-index.tsv > build/eval-rubric-$$name-index.out; \
	    s=$$?; cat build/eval-rubric-$$name-index.out; [ $$s -eq 0 ] || exit $$s; \
	  done; \
	done
	@if [ -f $(SQLITE_PROBE) ]; then \
	  $(MAKE) --no-print-directory build/fts5-eval && \
	  EVALFLAGS="$(EVALFLAGS)" sh bench/fts5-eval.sh $(RELEVANCE) $(EVAL_TREES); \
	else \
	  echo "eval: $(SQLITE_PROBE) missing ($(SQLITE_PACKAGES)): the FTS5 baseline skipped"; \
	fi
	@if command -v omindex >/dev/null && command -v quest >/dev/null; then \
	  $(MAKE) --no-print-directory build/omega-eval && \
	  EVALFLAGS="$(EVALFLAGS)" sh bench/omega-eval.sh $(RELEVANCE) $(EVAL_TREES); \
	else \
	  echo "eval: omindex or quest missing (xapian-omega, xapian-tools): the Omega baseline skipped"; \
	fi
	@sh bench/eval-table.sh corpus $(EVAL_TREES) $(EVAL_INDEX_NAMES)

# What `make eval` reads and compares with: the trees' Debian packages, Omega
# and SQLite. Installed when root with apt-get; otherwise named, and their
# rows skipped.
eval-deps:
ifneq ($(EVAL_MISSING),)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing what make eval reads and compares with: $(EVAL_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(EVAL_PACKAGES) \
	    || echo "eval-deps: could not install them all: their rows will be skipped"; \
	else \
	  echo "missing: $(EVAL_MISSING) (their rows of make eval will be skipped)"; \
	  echo "run: sudo apt-get install $(EVAL_PACKAGES)"; \
	fi
endif

# Speed and memory beside omindex, Pagefind, SQLite FTS5 and Xapian's own
# TermGenerator, on a copy of the Python docs' HTML pages; kept out of `make
# test`. One table, also written to build/bench/table.txt (bench/run.sh).
bench-deps:
ifneq ($(BENCH_MISSING),)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing the benchmark's tools: $(BENCH_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BENCH_PACKAGES) \
	    || echo "bench-deps: could not install them all: their rows will read n/a"; \
	else \
	  echo "missing: $(BENCH_MISSING) (their rows will read n/a)"; \
	  echo "run: sudo apt-get install $(BENCH_PACKAGES)"; \
	fi
endif
	@if ! ls build/bench/node/node_modules/@pagefind/*/bin/pagefind* >/dev/null 2>&1; then \
	  if command -v npm >/dev/null; then \
	    echo "npm install --prefix build/bench/node pagefind@$(PAGEFIND_VERSION)"; \
	    npm install --prefix build/bench/node --no-audit --no-fund pagefind@$(PAGEFIND_VERSION) >/dev/null \
	      || echo "bench-deps: pagefind could not be installed: its row will read n/a"; \
	  else \
	    echo "bench-deps: npm missing: the pagefind row will read n/a"; \
	  fi; \
	fi

bench: all build/bench-floor build/bench-inproc bench-deps
	@if [ -f $(SQLITE_PROBE) ]; then $(MAKE) --no-print-directory build/fts5-eval || true; fi
	sh bench/run.sh $(PYDOCS)

# The widget and the results page in a real browser (tests/browser): Debian's
# chromium driven by npm's playwright-core, axe-core's rules; screenshots in
# build/browser. Installs what it lacks when run as root.
BROWSER_PACKAGES = chromium nodejs npm
test-browser: all
	@if [ ! -x /usr/bin/chromium ] || ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      $(if $(wildcard /usr/bin/chromium),,chromium) \
	      $$(command -v npm >/dev/null || echo nodejs npm); \
	  else echo "run: sudo apt-get install $(BROWSER_PACKAGES)"; exit 1; fi; \
	fi
	@mkdir -p build/browser
	@cp tests/browser/package.json build/browser/package.json
	@[ -d build/browser/node_modules/playwright-core ] && [ -d build/browser/node_modules/axe-core ] || \
	  (cd build/browser && npm install --no-audit --no-fund --silent)
	NODE_PATH=$(CURDIR)/build/browser/node_modules node tests/browser/widget.test.js

# The Debian packages (debian/): rubric, librubric0, librubric-dev, built
# from a copy of the tracked files in build/deb, then checked by lintian.
DEB_TOOLS = debhelper dpkg-dev lintian
deb:
	@if ! command -v dh >/dev/null || ! command -v lintian >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      $(DEB_TOOLS) $(DEB_PACKAGES); \
	  else echo "run: sudo apt-get install $(DEB_TOOLS) $(DEB_PACKAGES)"; exit 1; fi; \
	fi
	rm -rf build/deb && mkdir -p build/deb/rubric-$(VERSION)
	git ls-files -z | xargs -0 tar -cf - | tar -xf - -C build/deb/rubric-$(VERSION)
	cd build/deb/rubric-$(VERSION) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error build/deb/rubric_$(VERSION)_*.changes

# rubric-serve under load (bench/serve.sh): wrk on loopback at 1, 8 and 64
# connections, memory over 100,000 requests, CGI mode beside Omega's CGI.
SERVE_BENCH_PACKAGES = wrk xapian-omega
# Sets of shards beside one index: builds, and searches local and over
# xapian-tcpsrv on loopback (bench/shards.sh); kept out of `make test`.
bench-shards: all build/bench-inproc build/bench-wire
	sh bench/shards.sh $(PYDOCS)

# How rubric grows with its corpus (bench/scale.sh): the Python docs copied
# 1, 10 and 100 times (BENCH_SCALE) and the Rust documentation, built as one
# index, as a set of shards and by omindex, and searched in process, over
# local shards and over remote ones; kept out of `make test`.
SCALE_BENCH_PACKAGES = python3.11-doc rust-doc xapian-omega xapian-tools
RUSTDOCS = /usr/share/doc/rust-doc/html
bench-scale: all build/bench-inproc build/bench-wire
	@if [ ! -d $(PYDOCS) ] || [ ! -d $(RUSTDOCS) ] || ! command -v omindex >/dev/null || \
	    ! command -v xapian-tcpsrv >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SCALE_BENCH_PACKAGES); \
	  else echo "run: sudo apt-get install $(SCALE_BENCH_PACKAGES)"; exit 1; fi; \
	fi
	sh bench/scale.sh $(PYDOCS) $(RUSTDOCS)

bench-serve: all
	@if ! command -v wrk >/dev/null || ! command -v omindex >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SERVE_BENCH_PACKAGES); \
	  else echo "run: sudo apt-get install $(SERVE_BENCH_PACKAGES)"; exit 1; fi; \
	fi
	sh bench/serve.sh $(PYDOCS)

# What `make install` puts where, every path under $(DESTDIR); `make
# uninstall` removes exactly these. The shared library is librubric.so.VERSION,
# with the soname link librubric.so.0 and the link to build against.
INSTALLED = $(BINDIR)/rubric-index $(BINDIR)/rubric-query $(BINDIR)/rubric-serve $(LIBDIR)/librubric.a \
            $(LIBDIR)/librubric.so.$(VERSION) $(LIBDIR)/librubric.so.0 $(LIBDIR)/librubric.so \
            $(INCLUDEDIR)/rubric.h $(PKGCONFIGDIR)/rubric.pc \
            $(foreach m,$(MAN_PAGES),$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m))) \
            $(BASHCOMPDIR)/rubric-index $(BASHCOMPDIR)/rubric-query $(BASHCOMPDIR)/rubric-serve \
            $(ZSHCOMPDIR)/_rubric \
            $(SYSTEMDUNITDIR)/rubric-index.service $(SYSTEMDUNITDIR)/rubric-index.timer \
            $(SYSTEMDUNITDIR)/rubric-serve.service $(SYSTEMDUNITDIR)/rubric-serve.socket \
            $(DOCDIR)/examples/nginx-rubric.conf \
            $(DOCDIR)/README.md $(DOCDIR)/examples/rubric.json

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	  $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	  $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(DOCDIR)/examples \
	  $(sort $(foreach m,$(MAN_PAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))))
	install -m 755 $(INSTALL_STRIP) build/rubric-index build/rubric-query build/rubric-serve \
	  $(DESTDIR)$(BINDIR)/
	install -m 644 build/librubric.a $(DESTDIR)$(LIBDIR)/
	install -m 755 build/librubric.so $(DESTDIR)$(LIBDIR)/librubric.so.$(VERSION)
	$(if $(INSTALL_STRIP),strip --strip-unneeded $(DESTDIR)$(LIBDIR)/librubric.so.$(VERSION))
	ln -sf librubric.so.$(VERSION) $(DESTDIR)$(LIBDIR)/librubric.so.0
	ln -sf librubric.so.0 $(DESTDIR)$(LIBDIR)/librubric.so
	install -m 644 include/rubric.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 644 build/rubric.pc $(DESTDIR)$(PKGCONFIGDIR)/
	for m in $(MAN_PAGES); do \
	  s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; \
	done
	install -m 644 contrib/completion/rubric.bash $(DESTDIR)$(BASHCOMPDIR)/rubric-index
	ln -sf rubric-index $(DESTDIR)$(BASHCOMPDIR)/rubric-query
	ln -sf rubric-index $(DESTDIR)$(BASHCOMPDIR)/rubric-serve
	install -m 644 contrib/completion/_rubric $(DESTDIR)$(ZSHCOMPDIR)/_rubric
	for u in rubric-index.service rubric-serve.service; do \
	  sed 's|/usr/local/bin/|$(BINDIR)/|' contrib/systemd/$$u > $(DESTDIR)$(SYSTEMDUNITDIR)/$$u && \
	  chmod 644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u || exit 1; \
	done
	install -m 644 contrib/systemd/rubric-index.timer contrib/systemd/rubric-serve.socket \
	  $(DESTDIR)$(SYSTEMDUNITDIR)/
	install -m 644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 644 contrib/rubric.json $(DESTDIR)$(DOCDIR)/examples/
	install -m 644 contrib/nginx/rubric.conf $(DESTDIR)$(DOCDIR)/examples/nginx-rubric.conf

install-strip:
	$(MAKE) install INSTALL_STRIP=-s

uninstall:
	rm -f $(foreach f,$(INSTALLED),$(DESTDIR)$(f))
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build

test-tsan test-sanitize test-valgrind: test-deps

.PHONY: all deps test-deps sqlite-deps demo test test-sanitize test-tsan test-valgrind eval eval-deps bench bench-deps bench-serve bench-shards bench-scale test-browser deb fuzz clean-lib install install-strip uninstall clean
