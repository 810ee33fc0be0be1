# pvmtrace: `make` builds build/pvmtrace; `make run` and `make test` first
# install the Debian packages they need (see scripts/install-deps.sh).

BUILD    ?= build
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
ARCH     := x86

WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
CFLAGS   += $(WARN) -std=gnu11 -D_GNU_SOURCE -MMD -MP -Isrc -I$(BUILD)
# GCC turns a memcpy or memset whose size it can bound (a path clamped to its
# buffer) into `rep movs`/`rep stos`, whose start-up cost outweighs the short
# copies of each event (perf showed it in pvm_fact_path_set). glibc's own
# functions choose by size.
# (GCC on x86 only: another compiler builds without it.)
CFLAGS   += $(shell $(CC) -mstringop-strategy=libcall -E -x c /dev/null >/dev/null 2>&1 && \
		    echo -mstringop-strategy=libcall)
LDLIBS   := -lbpf -lelf -lz -ljson-c -lcrypto -lpthread
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# The kernel types: vendored, made from a Debian kernel's BTF by
# scripts/gen-vmlinux-h.sh, never from the build host's own kernel.
VMLINUX_H  := vmlinux/$(ARCH)/vmlinux.h
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) $(WARN) -Wno-unused-function \
	      -Wno-unused-parameter \
	      -Isrc -Isrc/bpf -I$(dir $(VMLINUX_H))

# Last in LOGIC_SRCS: code a run without these options or commands never
# executes stays away from the code it does, where the kernel's fault-around
# would map it.
LOGIC_OPTIONAL := src/output/format_ocsf.c src/output/syslog_msg.c src/output/syslog_out.c \
		  src/output/metrics.c \
		  src/replay/replay.c
# Decoding, formatting, filters, options: no libbpf, unit-tested without root.
LOGIC_SRCS  := src/cli/options.c src/sensor/mode.c src/event/decode.c src/event/clock.c \
	       src/event/container.c src/event/maps.c src/event/reassembly.c \
	       src/output/capture_store.c src/output/store_payload.c \
	       src/event/digest.c src/event/entity.c src/event/proc_target.c src/event/regions.c \
	       src/event/cgroups.c src/event/ancestry.c src/rules/kernel_allow.c \
	       src/output/escape.c src/output/json_writer.c src/output/format_json.c \
	       src/output/format_table.c src/output/stats.c \
	       src/rules/facts.c src/rules/facts_event.c src/rules/rules.c src/rules/allowlist.c \
	       src/output/format_alerts.c $(BUILD)/allowlist_default.c \
	       src/rules/facts_json.c src/output/output_file.c src/output/direct_out.c src/output/sink.c \
	       src/output/plain_out.c src/output/envelope.c \
	       src/reader/reader.c src/sensor/ring.c src/sensor/ia32.c \
	       src/sensor/child_probe.c src/sensor/heap_bounds.c \
	       $(LOGIC_OPTIONAL)
SENSOR_SRCS := src/sensor/sensor.c
MAIN_SRCS   := src/main.c $(SENSOR_SRCS) $(LOGIC_SRCS) src/output/metrics_http.c
UNIT_SRCS   := $(wildcard tests/unit/test_*.c) tests/unit/runner.c
E2E_SRCS    := tests/e2e/e2e.c tests/e2e/cases.c tests/e2e/trigger.c tests/e2e/cli.c \
	       tests/e2e/host.c tests/e2e/flood.c tests/e2e/reload.c tests/e2e/metrics.c \
	       tests/e2e/ocsf.c tests/e2e/syslog.c tests/e2e/cgroup_follow.c

MAIN_OBJS := $(MAIN_SRCS:%.c=$(BUILD)/obj/%.o)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/asan/%.o) $(LOGIC_SRCS:%.c=$(BUILD)/asan/%.o)
E2E_OBJS  := $(E2E_SRCS:%.c=$(BUILD)/obj/%.o)

.PHONY: all deps run test check unit e2e install-check static vmtest clean bench install \
	uninstall deb deb-check
include fuzz/fuzz.mk
include tests/stress/stress.mk
all: $(BUILD)/pvmtrace

deps:
	@scripts/install-deps.sh

# The README's two commands. Packages first, then a build that can use them.
run: deps
	$(MAKE) all
	$(BUILD)/pvmtrace

test: deps
	$(MAKE) check

check: unit e2e install-check

unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests

e2e: $(BUILD)/pvmtrace $(BUILD)/e2e-tests $(BUILD)/trigger32 $(BUILD)/trigger64
	@scripts/install-deps.sh tests/e2e/packages.txt
	$(BUILD)/e2e-tests --pvmtrace $(BUILD)/pvmtrace --trigger32 $(BUILD)/trigger32 \
		--trigger64 $(BUILD)/trigger64 --require tp_btf

# make install into a scratch DESTDIR, every file checked, the unit verified
# and its command line run (tests/install/check.sh).
install-check: $(BUILD)/pvmtrace $(BUILD)/trigger64
	@scripts/install-deps.sh tests/install/packages.txt
	tests/install/check.sh $(BUILD)

# The e2e suite on Debian's 6.1 and 6.12 kernels under qemu, and on this host.
vmtest: deps static
	@scripts/install-deps.sh tests/vm/packages.txt
	tests/vm/vmtest.sh $(BUILD)

$(BUILD)/pvmtrace.bpf.o: src/bpf/pvmtrace.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/pvmtrace.skel.h: $(BUILD)/pvmtrace.bpf.o
	$(BPFTOOL) gen skeleton $< name pvmtrace_bpf > $@.tmp && mv $@.tmp $@

# config/allowlist.conf as the C string pvm_default_allowlist (rules/allowlist.h).
$(BUILD)/allowlist_default.c: config/allowlist.conf
	@mkdir -p $(@D)
	{ echo 'const char pvm_default_allowlist[] = {'; \
	  od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; echo '0x00 };'; } > $@.tmp
	mv $@.tmp $@

# The version has one owner: debian/changelog's first line.
VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
$(BUILD)/obj/src/main.o: CFLAGS += -DPVMTRACE_VERSION='"$(VERSION)"'
$(BUILD)/obj/src/main.o: debian/changelog

# Everything that includes the skeleton must wait for it.
$(BUILD)/obj/src/sensor/sensor.o: $(BUILD)/pvmtrace.skel.h

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) -c $< -o $@

$(BUILD)/pvmtrace: $(MAIN_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/unit-tests: $(UNIT_OBJS)
	$(CC) $(CFLAGS) $(SANITIZE) $^ -ljson-c -lcrypto -lpthread -o $@

$(BUILD)/e2e-tests: $(E2E_OBJS)
	$(CC) $(CFLAGS) $^ -ljson-c -lcrypto -lpthread -o $@

# The reader alone, records made up with no kernel: bench/readerbench.c.
$(BUILD)/readerbench: $(BUILD)/obj/bench/readerbench.o $(LOGIC_SRCS:%.c=$(BUILD)/obj/%.o)
	$(CC) $(CFLAGS) $^ -ljson-c -lcrypto -lpthread -o $@

# Statically linked copies run in the bare initramfs of tests/vm.
static: $(BUILD)/static/pvmtrace $(BUILD)/static/e2e-tests $(BUILD)/trigger32 $(BUILD)/trigger64

# Without --metrics: libmicrohttpd.a needs GnuTLS's static library (metrics_none.c).
STATIC_OBJS := $(filter-out %/metrics_http.o,$(MAIN_OBJS)) $(BUILD)/obj/src/output/metrics_none.o

$(BUILD)/static/pvmtrace: $(STATIC_OBJS)
	@mkdir -p $(@D)
	$(CC) -static $(CFLAGS) $^ -lbpf -lelf -lz -lzstd -ljson-c -lcrypto -lpthread -o $@

$(BUILD)/static/e2e-tests: $(E2E_OBJS)
	@mkdir -p $(@D)
	$(CC) -static $(CFLAGS) $^ -ljson-c -lcrypto -lpthread -o $@

# The exec'd triggers are static: trigger32 runs without i386 shared
# libraries, and both run in the bare initramfs of tests/vm.
$(BUILD)/trigger32: tests/e2e/abi_trigger.c
	@mkdir -p $(@D)
	$(CC) -m32 -static -fno-pie -no-pie -O2 $(WARN) $< -o $@

$(BUILD)/trigger64: tests/e2e/abi_trigger.c
	@mkdir -p $(@D)
	$(CC) -static -O2 $(WARN) $< -o $@

# Installed files. /etc's are the administrator's once there: never
# overwritten, and removed by uninstall only when still as shipped.
PREFIX     ?= /usr/local
DESTDIR    ?=
SBINDIR    := $(PREFIX)/sbin
MAN8DIR    := $(PREFIX)/share/man/man8
UNITDIR    := $(PREFIX)/lib/systemd/system
ETC_FILES  := pvmtrace/allowlist.conf:config/allowlist.conf default/pvmtrace:dist/pvmtrace.default \
	      logrotate.d/pvmtrace:dist/pvmtrace.logrotate

install: $(BUILD)/pvmtrace
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MAN8DIR) $(DESTDIR)$(UNITDIR)
	install -m 0755 $(BUILD)/pvmtrace $(DESTDIR)$(SBINDIR)/pvmtrace
	install -m 0644 docs/pvmtrace.8 $(DESTDIR)$(MAN8DIR)/pvmtrace.8
	sed 's|@SBINDIR@|$(SBINDIR)|' dist/pvmtrace.service.in > $(BUILD)/pvmtrace.service
	install -m 0644 $(BUILD)/pvmtrace.service $(DESTDIR)$(UNITDIR)/pvmtrace.service
	@for pair in $(ETC_FILES); do \
		to=$(DESTDIR)/etc/$${pair%%:*}; from=$${pair#*:}; \
		if [ -e "$$to" ]; then echo "install: $$to kept as it is"; \
		else install -D -m 0644 "$$from" "$$to" && echo "install: $$to"; fi; \
	done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/pvmtrace $(DESTDIR)$(MAN8DIR)/pvmtrace.8 \
		$(DESTDIR)$(UNITDIR)/pvmtrace.service
	@for pair in $(ETC_FILES); do \
		to=$(DESTDIR)/etc/$${pair%%:*}; from=$${pair#*:}; \
		if [ ! -e "$$to" ]; then :; \
		elif cmp -s "$$from" "$$to"; then rm -f "$$to"; \
		else echo "uninstall: $$to changed since install: kept"; fi; \
	done
	-rmdir $(DESTDIR)/etc/pvmtrace 2>/dev/null

# The Debian package, built from a copy of the tree in $(BUILD)/deb:
# dpkg-buildpackage leaves its files in the parent of the tree it builds.
DEB := $(BUILD)/pvmtrace_$(VERSION)_amd64.deb

deb: deps
	@scripts/install-deps.sh dist/deb-packages.txt
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/pvmtrace-$(VERSION)
	tar -c --exclude=./$(BUILD) --exclude=./.git . | tar -x -C $(BUILD)/deb/pvmtrace-$(VERSION)
	cd $(BUILD)/deb/pvmtrace-$(VERSION) && dpkg-buildpackage -us -uc -b
	cp $(BUILD)/deb/pvmtrace_$(VERSION)_amd64.deb $(DEB)

# Installs, upgrades and purges the package on this machine (CI runs it).
deb-check: deb
	@scripts/install-deps.sh tests/install/packages.txt
	tests/install/deb.sh $(DEB)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' -type f -not -path '$(BUILD)/deb/*' 2>/dev/null)

# Benchmarks: side-by-side ratios, never part of `make test` (bench/README.md).
bench: deps all $(BUILD)/readerbench
	@scripts/install-deps.sh bench/packages.txt
	bench/run.sh $(BUILD)
