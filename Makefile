# SPDX-License-Identifier: BSD-2-Clause
# MPComm: one non-recursive GNU Makefile.  Binaries go to build/bin/,
# objects to build/obj/.  `make SAN=address` builds into build-address/.

CC	?= cc
PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/bin
SEEDS	?= 2000
FUZZ_SECONDS ?= 20

WARN	 = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wcast-qual
CSTD	 = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -pthread
OPT	?= -O2 -g
CFLAGS	+= $(OPT) $(WARN) $(CSTD) -Iinclude -MMD -MP
LDFLAGS	+= -pthread

ifeq ($(SAN),)
B	 = build
else ifeq ($(SAN),address)
B	 = build-address
CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
LDFLAGS	+= -fsanitize=address,undefined
else ifeq ($(SAN),thread)
B	 = build-thread
CFLAGS	+= -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS	+= -fsanitize=thread
else
$(error SAN must be address or thread)
endif

LIB_SRC	 = $(wildcard src/lib/*.c)
LIB_OBJ	 = $(LIB_SRC:src/%.c=$(B)/obj/%.o)
LIB	 = $(B)/libmpcomm.a
PROGS	 = group_manager comparison_server peer mpctl mpreport
BINS	 = $(PROGS:%=$(B)/bin/%)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNITS	 = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
SIM	 = $(B)/tests/sim
TOOLS	 = $(B)/tests/ctlraw $(B)/tests/slowclient $(B)/tests/noise \
	   $(B)/tests/forge $(B)/tests/udprate $(B)/tests/hold $(B)/tests/sink

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all check unit sim cluster demo clean install uninstall asan tsan \
	valgrind bench bench-quick bench-ab fuzz soak

all: $(BINS)

$(B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/obj/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# The replay page (--html), embedded into the comparison server from its
# readable sources by embed.sh (sh and od).
PAGE_SRC = src/comparison_server/replay.html src/comparison_server/replay.css \
	   src/comparison_server/replay.js
comparison_server_GEN = $(B)/obj/comparison_server/page.o
$(B)/gen/page.c: src/comparison_server/embed.sh $(PAGE_SRC)
	@mkdir -p $(@D)
	sh src/comparison_server/embed.sh $@ page_html \
	    src/comparison_server/replay.html page_css \
	    src/comparison_server/replay.css page_js src/comparison_server/replay.js
$(B)/obj/comparison_server/page.o: $(B)/gen/page.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Isrc/comparison_server -c -o $@ $<

# mpreport draws a saved run with the comparison server's own code.
mpreport_GEN = $(patsubst %,$(B)/obj/comparison_server/%.o,compare collect \
	   logread report geo spacetime shiviz svg html saved) $(comparison_server_GEN)

define prog_rule
$(1)_OBJ = $$(patsubst src/%.c,$(B)/obj/%.o,$$(wildcard src/$(1)/*.c)) $$($(1)_GEN)
$(B)/bin/$(1): $$($(1)_OBJ) $(LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(B)/tests/test_%: $(B)/obj/tests/unit/test_%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

# The comparison server's judgement, tested without processes.
CS_JUDGE = $(patsubst %,$(B)/obj/comparison_server/%.o,compare collect logread report geo spacetime shiviz svg)
$(B)/tests/test_compare: $(B)/obj/tests/unit/test_compare.o $(CS_JUDGE) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^
$(B)/tests/test_spacetime: $(B)/obj/tests/unit/test_spacetime.o $(CS_JUDGE) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

# The simulation links its own copy of the ordering core, built with the
# switches that break it on purpose (src/lib/order_flaw.h); the programs'
# library has them compiled out.
FLAW_SRC = $(wildcard src/lib/order*.c)
FLAW_OBJ = $(FLAW_SRC:src/lib/%.c=$(B)/obj/flaws/%.o)

$(B)/obj/flaws/%.o: src/lib/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -DMPCOMM_FLAWS -c -o $@ $<

$(B)/obj/tests/sim/sim.o: CFLAGS += -DMPCOMM_FLAWS -Isrc/lib

$(SIM): $(B)/obj/tests/sim/sim.o $(FLAW_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

$(B)/tests/%: $(B)/obj/tests/tools/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

$(B)/tests/udprate: $(B)/obj/tests/bench/udprate.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

# The test suite: unit tests, the simulation, the cluster tests.
check: all $(UNITS) $(SIM) $(TOOLS)
	@B=$(B) SEEDS=$(SEEDS) tests/run.sh

unit: $(UNITS)
	@B=$(B) tests/run.sh unit

# The simulation alone, as long as you like: make sim SEEDS=20000.
sim: $(SIM)
	$(SIM) --seeds $(SEEDS)
	$(SIM) --flood --seeds $(SEEDS)
	$(SIM) --views --seeds $(SEEDS)
	$(SIM) --order causal --seeds $(SEEDS)
	$(SIM) --order causal --views --seeds $(SEEDS)
	$(SIM) --case all

cluster: all $(TOOLS)
	@B=$(B) tests/run.sh cluster

# The liveness soak: 50 runs of each configuration that used to hang
# (SOAK_RUNS=N for more or fewer).  Not part of check: about 40 minutes.
SOAK_RUNS ?= 50
soak: all
	@B=$(B) tests/soak/liveness.sh -r $(SOAK_RUNS)

# Benchmarks: not part of check.  BENCH_ARGS="--json FILE" to keep results.
bench: all $(TOOLS)
	@B=$(B) tests/bench/bench.sh $(BENCH_ARGS)

bench-quick: all $(TOOLS)
	@B=$(B) tests/bench/bench.sh --quick $(BENCH_ARGS)

# An interleaved A/B of floods against another build: BASE_B is that
# build's folder (holding bin/), e.g. a worktree of another commit built
# with `make`.  AB_ARGS="--rounds R --json FILE".
bench-ab: all
	@test -n "$(BASE_B)" || { echo "usage: make bench-ab BASE_B=DIR" >&2; exit 2; }
	@tests/bench/ab.sh $(AB_ARGS) $(BASE_B) $(B)

# The README's own example: keep the two in step (tests/cluster/test_scripts.sh).
DEMO	 = scripts/cluster.sh -n 4 -m 300 --regions world --compare none,fifo,causal,total
demo: all
	$(DEMO)

# libFuzzer targets (clang): each runs FUZZ_SECONDS on a scratch corpus
# seeded from tests/fuzz/corpus/.
FUZZ_CC	 = clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	   -fno-sanitize-recover=undefined $(CSTD) -Iinclude
FUZZ_TARGETS = msg ctl dlog ctlmsg trace render
# The renderers' target links the comparison server's judging and drawing.
FUZZ_SRC_render = $(patsubst %,src/comparison_server/%.c,compare \
	   collect logread report geo spacetime shiviz svg)

fuzz:
	@mkdir -p build-fuzz
	@for t in $(FUZZ_TARGETS); do \
	  case $$t in render) extra="$(FUZZ_SRC_render)" ;; *) extra= ;; esac; \
	  $(FUZZ_CC) $(FUZZ_FLAGS) -o build-fuzz/fuzz_$$t tests/fuzz/fuzz_$$t.c \
	    $$extra $(LIB_SRC) || exit 1; \
	  mkdir -p build-fuzz/corpus-$$t; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=1500 \
	    -print_final_stats=1 build-fuzz/corpus-$$t tests/fuzz/corpus/$$t \
	    >build-fuzz/fuzz_$$t.log 2>&1 || { tail -40 build-fuzz/fuzz_$$t.log; \
	    exit 1; }; \
	  grep -E "stat::number_of_executed_units|Done" build-fuzz/fuzz_$$t.log; \
	done

# The cluster tests with every program under valgrind's memcheck.
valgrind: all $(TOOLS)
	@VALGRIND=1 B=$(B) tests/run.sh cluster

# The sanitizer runs look for memory errors and races, not for rare
# schedules: the plain check already runs 2000 seeds, so 500 are enough here
# (and keep CI, which runs all three, within its time).
asan:
	$(MAKE) SAN=address SEEDS=500 check

tsan:
	$(MAKE) SAN=thread SEEDS=500 check

clean:
	rm -rf build build-address build-thread build-fuzz

# What `make install` puts where; `make uninstall` removes exactly that.
MANDIR	 = $(PREFIX)/share/man
SHAREDIR = $(PREFIX)/share/mpcomm
MAN8	 = src/group_manager/group_manager.8 src/peer/peer.8 \
	   src/comparison_server/comparison_server.8 src/mpctl/mpctl.8
MAN7	 = src/lib/mpcomm.7
MAN1	 = scripts/mpcomm-cluster.1 scripts/mpcomm-start-peers.1 \
	   scripts/mpcomm-netns-cluster.1 scripts/mpcomm-remote.1 \
	   src/mpreport/mpreport.1
SCRIPTS	 = cluster.sh start-peers.sh netns-cluster.sh remote.sh
UNITS	 = $(notdir $(wildcard scripts/systemd/*.service))
# The scripts' --version: the programs' own, written into lib.sh.
VERSION	 = $(shell sed -n 's/^\#define MPCOMM_VERSION[^"]*"\(.*\)"$$/\1/p' \
	   include/mpcomm/proc.h)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(SHAREDIR)/scripts \
	    $(DESTDIR)$(SHAREDIR)/systemd
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(MAN8) $(DESTDIR)$(MANDIR)/man8
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7
	install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1
	sed 's|^MPCOMM_VERSION=$$|MPCOMM_VERSION=$(VERSION)|' scripts/lib.sh \
	    >$(DESTDIR)$(SHAREDIR)/scripts/lib.sh
	chmod 644 $(DESTDIR)$(SHAREDIR)/scripts/lib.sh
	for f in $(SCRIPTS); do \
	  sed 's|$$here/build/bin}|$(BINDIR)}|' scripts/$$f \
	    >$(DESTDIR)$(SHAREDIR)/scripts/$$f && \
	  chmod 755 $(DESTDIR)$(SHAREDIR)/scripts/$$f || exit 1; \
	done
	for f in $(UNITS); do \
	  sed 's|/usr/local/bin/|$(BINDIR)/|g' scripts/systemd/$$f \
	    >$(DESTDIR)$(SHAREDIR)/systemd/$$f || exit 1; \
	done

uninstall:
	rm -f $(PROGS:%=$(DESTDIR)$(BINDIR)/%) \
	    $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8))) \
	    $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7))) \
	    $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MAN1))) \
	    $(addprefix $(DESTDIR)$(SHAREDIR)/scripts/,$(SCRIPTS) lib.sh) \
	    $(addprefix $(DESTDIR)$(SHAREDIR)/systemd/,$(UNITS))
	-rmdir $(DESTDIR)$(SHAREDIR)/scripts $(DESTDIR)$(SHAREDIR)/systemd \
	    $(DESTDIR)$(SHAREDIR) 2>/dev/null

-include $(shell find $(B) -name '*.d' 2>/dev/null)
