# policygen — see README.md. GNU make.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/policygen
DESTDIR ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config
PKGS        = libcmark-gfm yaml-0.1 lua5.4 libzip pangocairo cairo-pdf nettle libmicrohttpd libqrencode gmime-3.0 \
              harfbuzz-subset fontconfig

OPT      ?= -O2 -g
# `make site` and `make test` compile on every processor.
NPROC    := $(shell nproc 2>/dev/null || echo 1)
WARN      = -Wall -Wextra -Werror -Wstrict-prototypes -Wno-unused-parameter -Wno-format-truncation
STD       = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
# Recursive (=) on purpose: pkg-config is asked when a recipe runs, after `deps`.
DEP_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
DEP_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lcmark-gfm-extensions -lpthread -lm
CFLAGS_ALL = $(STD) $(WARN) $(OPT) -Igenerator -Ibuild/gen -DPOLICYGEN_DATADIR='"$(DATADIR)"' $(DEP_CFLAGS) $(CFLAGS) -MMD -MP
SAN_FLAGS  = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

LIB_SRC  := $(filter-out generator/main.c,$(shell find generator -name '*.c' | LC_ALL=C sort))
REL_OBJ  := $(LIB_SRC:generator/%.c=build/rel/%.o)
SAN_OBJ  := $(LIB_SRC:generator/%.c=build/san/%.o)
TEST_SRC := $(shell find tests -name '*_test.c' | LC_ALL=C sort)
TEST_BIN := $(TEST_SRC:tests/%.c=build/tests/%)

.PHONY: all deps site test check bench fuzz install uninstall clean FORCE
all: policygen

deps:
	@sh tools/deps.sh

# The data folder is compiled into main.o: rebuild it when DATADIR changes.
build/datadir.stamp: FORCE
	@mkdir -p build
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' > $@
FORCE:

# Files assembled into the program (.incbin), which the compiler's
# dependency lists do not name.
build/rel/registers/regtype.o build/san/registers/regtype.o: generator/registers/types.yaml
build/rel/check/coverage.o build/san/check/coverage.o: generator/check/plan-template.yaml

build/rel/main.o build/san/main.o: build/datadir.stamp

# Every character of the program's own C and YAML sources, which the PDF
# fonts are cut down to with the content's (render/pdf/fonts.h).
GEN_CHARS_SRC := $(shell find generator -name '*.c' -o -name '*.yaml' | LC_ALL=C sort)
build/gen/builtin_chars.h: $(GEN_CHARS_SRC)
	@mkdir -p $(dir $@)
	@{ printf '#define PDF_BUILTIN_CHARS "'; \
	   LC_ALL=C.UTF-8 grep -ohP '[^\x00-\x7F]' $^ | LC_ALL=C sort -u | tr -d '\n'; \
	   printf '"\n'; } >$@.tmp && mv $@.tmp $@
build/rel/render/pdf/fonts.o build/san/render/pdf/fonts.o: build/gen/builtin_chars.h

policygen: build/rel/main.o build/rel/libpolicygen.a
	$(CC) $(OPT) -o $@ $^ $(DEP_LIBS) $(LDFLAGS)

build/rel/libpolicygen.a: $(REL_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/rel/%.o: generator/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The sanitized build that every test links.
build/san/libpolicygen.a: $(SAN_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/san/%.o: generator/%.c
	@mkdir -p $(dir $@)
	@echo "  CC san  $<"
	@$(CC) $(CFLAGS_ALL) $(SAN_FLAGS) -c -o $@ $<

build/san/policygen: build/san/main.o build/san/libpolicygen.a
	$(CC) $(SAN_FLAGS) -o $@ $^ $(DEP_LIBS)

build/tests/%: tests/%.c build/san/libpolicygen.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SAN_FLAGS) -Itests -o $@ $< build/san/libpolicygen.a $(DEP_LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

build/tests/mustache_spec: tests/spec/mustache_spec.c build/san/libpolicygen.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SAN_FLAGS) -o $@ $< build/san/libpolicygen.a $(DEP_LIBS)

build/tests/seed_coverage: tests/seed/seed_coverage.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) -O2 -o $@ $<

# Fuzzing with clang's libFuzzer (fuzz/README.md): the library once more,
# compiled with clang and coverage, but only the objects the harnesses link.
FUZZ_CC     ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  = $(filter-out -Wno-format-truncation,$(CFLAGS_ALL))
FUZZ_FLAGS   = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_SRC    := $(filter-out generator/core/outdir.c,$(wildcard generator/core/*.c)) \
               $(wildcard generator/diag/*.c generator/yaml/*.c generator/content/*.c \
                          generator/markdown/*.c generator/xref/*.c generator/registers/*.c \
                          generator/template/*.c generator/rules/*.c) \
               generator/render/html/body.c generator/render/html/register_html.c \
               generator/render/html/colwidth.c \
               generator/release/archive.c
FUZZ_OBJ    := $(FUZZ_SRC:generator/%.c=build/fuzz/obj/%.o)
FUZZ_NAMES  := $(patsubst fuzz/%_fuzz.c,%,$(sort $(wildcard fuzz/*_fuzz.c)))
FUZZ_BIN    := $(FUZZ_NAMES:%=build/fuzz/%_fuzz)

build/fuzz/obj/%.o: generator/%.c
	@mkdir -p $(dir $@)
	@echo "  CC fuzz $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/libpolicygen.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/%_fuzz: fuzz/%_fuzz.c fuzz/fuzz.h fuzz/render.h build/fuzz/libpolicygen.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< build/fuzz/libpolicygen.a $(DEP_LIBS)

# Each harness for FUZZ_SECONDS on its corpus (fuzz/corpus/NAME); what it
# finds goes to build/fuzz/findings/.
fuzz: deps
	@$(MAKE) --no-print-directory -j$(NPROC) $(FUZZ_BIN)
	@sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

site: deps
	@$(MAKE) --no-print-directory -j$(NPROC) policygen
	./policygen build -C content -o output

# One job more than processors: npm ci (first, so it starts at once) waits on
# the network while the compiler keeps every processor busy.
test: deps
	@$(MAKE) --no-print-directory -j$$(($(NPROC) + 1)) check

check: tests/node/node_modules/.package-lock.json policygen build/san/policygen $(TEST_BIN) \
       build/tests/mustache_spec build/tests/seed_coverage $(FUZZ_BIN)
	@bash tests/run.sh

# The browser tests' Node packages, exactly as the committed lock file says.
tests/node/node_modules/.package-lock.json: tests/node/package.json tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

bench: deps
	@$(MAKE) --no-print-directory -j$(NPROC) policygen
	@sh tools/bench.sh

install: policygen
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)
	install -m 755 policygen $(DESTDIR)$(BINDIR)/policygen
	cp -R themes lua-plugins starter $(DESTDIR)$(DATADIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/policygen
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build policygen

-include $(REL_OBJ:.o=.d) $(SAN_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d) build/rel/main.d build/san/main.d
