# make stress: the real pvmtrace under floods, killed targets, pid reuse,
# process and thread storms and blocked calls (tests/stress/stress.c). As
# root, never part of `make test`; STRESS_SECONDS scales each scenario.
# Included by the Makefile before its first target: `make` alone must still mean `all`.
STRESS_DEFAULT_GOAL := $(.DEFAULT_GOAL)

.PHONY: stress

stress: $(BUILD)/pvmtrace $(BUILD)/stress
	$(BUILD)/stress --pvmtrace $(BUILD)/pvmtrace

$(BUILD)/stress: $(BUILD)/obj/tests/stress/stress.o
	$(CC) $(CFLAGS) $^ -ljson-c -lpthread -o $@

.DEFAULT_GOAL := $(STRESS_DEFAULT_GOAL)
