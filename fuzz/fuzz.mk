# libFuzzer harnesses over the parsers of untrusted input (fuzz/README.md).
# Included by the Makefile; clang only: libFuzzer is clang's.

FUZZ_CC      ?= $(CLANG)
FUZZ_SECONDS ?= 60
FUZZ_NAMES   := replay allowlist decode
FUZZ_DIR     := $(BUILD)/fuzz
# The Makefile's flags, less the GCC-only one, with the sanitizers of `make unit`.
FUZZ_CFLAGS   = $(filter-out -mstringop-strategy=%,$(CFLAGS)) $(SANITIZE) -Ifuzz
# The logic sources with libFuzzer's coverage, in an archive: each harness
# links only the objects it uses.
FUZZ_LIB      = $(FUZZ_DIR)/libpvmtrace.a
FUZZ_DICT_replay    := $(FUZZ_DIR)/replay.dict
FUZZ_DICT_allowlist := fuzz/allowlist.dict

# Included before the Makefile's first target: `make` alone must still mean `all`.
FUZZ_DEFAULT_GOAL := $(.DEFAULT_GOAL)

.PHONY: fuzz fuzz-build fuzz-seeds

fuzz-build: $(FUZZ_NAMES:%=$(FUZZ_DIR)/fuzz_%) $(FUZZ_DICT_replay)

# Each harness for FUZZ_SECONDS over a copy of its seeds; all run, any failure fails.
fuzz: fuzz-build
	@status=0; \
	$(foreach n,$(FUZZ_NAMES),fuzz/run.sh $(FUZZ_DIR)/fuzz_$(n) fuzz/corpus/$(n) $(FUZZ_DIR) \
		$(FUZZ_SECONDS) $(FUZZ_DICT_$(n)) || status=1;) \
	exit $$status

# The decode and replay seeds again, after a change of record.h or of the JSON.
fuzz-seeds: $(FUZZ_DIR)/make_seeds
	$(FUZZ_DIR)/make_seeds fuzz/corpus

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

# record_builder.h's struct record_buffer puts the record, whose iov[] is a
# flexible array, before more iovecs: a GNU extension clang warns of.
$(FUZZ_DIR)/obj/fuzz/make_seeds.o: FUZZ_CFLAGS += -Itests/unit \
	-Wno-gnu-variable-sized-type-not-at-end

# Made by the pattern rule, yet kept: a change of one harness rebuilds only it.
.SECONDARY: $(FUZZ_NAMES:%=$(FUZZ_DIR)/obj/fuzz/fuzz_%.o) $(FUZZ_DIR)/obj/fuzz/harness.o \
	$(FUZZ_DIR)/obj/fuzz/make_seeds.o

$(FUZZ_LIB): $(LOGIC_SRCS:%.c=$(FUZZ_DIR)/obj/%.o)
	rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/fuzz/fuzz_%.o $(FUZZ_DIR)/obj/fuzz/harness.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -ljson-c -lcrypto -lpthread -o $@

$(FUZZ_DIR)/make_seeds: $(FUZZ_DIR)/obj/fuzz/make_seeds.o $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $^ -ljson-c -lcrypto -lpthread -o $@

# Every key and name of src/json_keys.h, in its quotes, as replay reads it.
$(FUZZ_DICT_replay): src/json_keys.h
	@mkdir -p $(@D)
	sed -n 's/^#define PVM_[A-Z0-9_]*  *"\([^"]*\)".*/"\\"\1\\""/p' $< > $@

.DEFAULT_GOAL := $(FUZZ_DEFAULT_GOAL)
