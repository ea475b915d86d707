# hvm: build the module and the selftests, and run the checks (README.md, docs/testing.md).
#   make [all]       hvm.ko for KVER + the static selftests + vmctl
#   make demo        deps, then Linux boots as a guest of hvm through vmctl in the SVM lab
#   make check       deps, then check-build, check-unit, check-svm(-6.1), check-svm-newest,
#                    check-kunit, check-svm-debug, check-vmctl, check-vmx, check-vmctl-vmx;
#                    ends "N passed, N failed"
#   make kunit       the KUnit suites on the debug kernel (built once, cached)
#   make check-vmx   the VMX lab (Bochs: one boot on one CPU, one on two; 7 min)
#   make bench       hvm against kvm in both labs (lab/bench-lab); not part of check
#   make deps        install the Debian packages all of this needs (root)
#   make newest-kernel  fetch and prepare the newest Debian kernel (Debian unstable's;
#                    lab/newest-kernel, cached; check-build and check-svm-newest do it
#                    on first use)
# Variables: KVER (kernel to build for: newest Debian 12 -amd64 kernel with headers and
# an image in /boot), LAB_KVER (kernel the lab boots, = KVER), HVM_INSMOD_ARGS,
# LAB_TIMEOUT, LAB_TEST_TIMEOUT, LAB_VERBOSE=1 (see lab/svm-run-selftests and
# lab/vmx-run-selftests), SELFTEST_LDLIBS.

SHELL := /bin/bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:

# Evaluated once, on first use (so `make deps` works on a machine without kernels).
KVER ?= $(eval KVER := $(shell lab/find-kver --boot))$(KVER)
LAB_KVER ?= $(KVER)

CC ?= cc
SELFTEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -static -fno-stack-protector \
	-fno-pie -no-pie -fcf-protection=none -mno-red-zone -Iuapi -Iselftests/include -Itools/lib
SELFTEST_LDLIBS :=
SELFTEST_SRCS := $(wildcard selftests/*_test.c)
SELFTEST_LIB_SRCS := $(wildcard selftests/lib/*.c)
SELFTEST_BINS := $(SELFTEST_SRCS:selftests/%.c=build/selftests/%)
# The host CPUID table comes from the VMM library's one builder.
SELFTEST_LIB_OBJS := $(SELFTEST_LIB_SRCS:selftests/%.c=build/selftests/obj/%.o) \
	build/selftests/obj/vmm/cpuid.o
SELFTEST_OBJS := $(SELFTEST_SRCS:selftests/%.c=build/selftests/obj/%.o) $(SELFTEST_LIB_OBJS)
# The benchmark (bench/) is also a selftest: a copy named *_test runs as
# "hvmbench --quick --tap --accel hvm" (the smoke test of `make check`).
SELFTEST_BINS += build/selftests/bench_smoke_test
# The fuzzer (tools/hvmfuzz/) too: a copy named hvmfuzz_test does a bounded run
# (about a minute: fixed seeds and one from the clock) and prints TAP.
SELFTEST_BINS += build/selftests/hvmfuzz_test
# hvmbench links the VMM library (tools/lib/vmm/), as vmctl does.
ROOT := $(CURDIR)
include tools/lib/vmm/vmm.mk
BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -static $(VMM_CFLAGS)
BENCH_SRCS := $(wildcard bench/*.c bench/*.S) $(VMM_SRCS)

.PHONY: all module selftests deps clean check check-build check-unit check-svm check-svm-6.1 check-vmx need-kver \
	check-svm-newest newest-kernel debug-kernel kunit check-kunit check-svm-debug hvmfuzz fuzz

all: module selftests vmctl

need-kver:
	@[ -n "$(KVER)" ] || { echo "no Debian 12 kernel with headers and /boot/vmlinuz: run 'make deps'" >&2; exit 1; }

# Kbuild writes objects next to the sources: build in a copy, build/kmod-$(KVER)/.
module: need-kver
	@lab/build-module $(KVER)

# Also drops binaries whose source is gone, so the lab never runs a stale test.
selftests: $(SELFTEST_BINS)
	@for f in build/selftests/*_test; do \
		[[ " $(SELFTEST_BINS) " == *" $$f "* ]] || [ ! -e "$$f" ] || rm -v "$$f"; \
	done

build/selftests/obj/%.o: selftests/%.c
	@mkdir -p $(@D)
	$(CC) $(SELFTEST_CFLAGS) -MMD -MP -c -o $@ $<

build/selftests/obj/vmm/%.o: tools/lib/vmm/%.c
	@mkdir -p $(@D)
	$(CC) $(SELFTEST_CFLAGS) -MMD -MP -c -o $@ $<

build/selftests/%_test: build/selftests/obj/%_test.o $(SELFTEST_LIB_OBJS)
	$(CC) $(SELFTEST_CFLAGS) -o $@ $^ $(SELFTEST_LDLIBS)

.SECONDARY: $(SELFTEST_OBJS)
-include $(SELFTEST_OBJS:.o=.d)

deps:
	@lab/install-deps

clean:
	rm -rf build
	-$(MAKE) -C unit clean

# --- checks: each prints TAP ---

check-build:
	@lab/check-build

check-unit:
	$(MAKE) -C unit check

check-svm:
	@$(MAKE) --no-print-directory module selftests vmctl KVER=$(LAB_KVER)
	@LAB_KVER=$(LAB_KVER) HVM_KO=build/kmod-$(LAB_KVER)/hvm.ko SELFTESTS_DIR=build/selftests \
		lab/svm-run-selftests

# The VMX lab: Bochs (lab/bochs-boot), the whole suite in one boot.
check-vmx:
	@$(MAKE) --no-print-directory module selftests vmctl KVER=$(LAB_KVER)
	@LAB_KVER=$(LAB_KVER) HVM_KO=build/kmod-$(LAB_KVER)/hvm.ko SELFTESTS_DIR=build/selftests \
		lab/vmx-run-selftests

# The SVM lab on Debian 12's other kernel too (KVER is the newest: 6.12).
check-svm-6.1:
	@$(MAKE) --no-print-directory check-svm LAB_KVER=$$(lab/find-kver --boot 6.1)

# The newest Linux Debian packages (Debian unstable's), fetched, prepared and
# cached once per version in ~/.cache/hvm/newest-KVER/ (lab/newest-kernel).
newest-kernel:
	@lab/newest-kernel

# The SVM lab booting it, with its own kvm modules (lab/svm-newest-selftests).
check-svm-newest:
	@$(MAKE) --no-print-directory selftests vmctl
	@lab/svm-newest-selftests

# The debug test kernel (kunit/debug-kernel.config: KUnit, KASAN, lockdep,
# UBSAN, kmemleak), built once per machine into ~/.cache/hvm/kernel-*/.
debug-kernel:
	@lab/build-debug-kernel

# The KUnit suites (hvm_kunit.ko, kunit/) on the debug kernel, in QEMU.
kunit:
	@lab/run-kunit

check-kunit: kunit

# The SVM lab on the debug kernel: its bug detectors watch every selftest.
check-svm-debug:
	@$(MAKE) --no-print-directory selftests vmctl
	@lab/svm-debug-selftests

# Runs every part even when one fails, then sums them up (lab/tap-summary).
CHECK_PARTS := build unit svm svm-6.1 svm-newest kunit svm-debug vmctl vmx vmctl-vmx
check: deps
	@rm -rf build/check && mkdir -p build/check
	@for p in $(CHECK_PARTS); do \
		echo "### make check-$$p"; \
		$(MAKE) --no-print-directory check-$$p 2>&1 | tee build/check/$$p.log; \
		echo "$${PIPESTATUS[0]}" > build/check/$$p.rc; \
	done
	@lab/tap-summary $(addprefix build/check/,$(CHECK_PARTS))

# --- the benchmark (bench/, lab/bench-lab): not part of `make check` ---
.PHONY: bench bench-svm bench-vmx
build/bench/hvmbench: $(BENCH_SRCS) $(VMM_HDRS)
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -o $@ $(BENCH_SRCS)

build/selftests/bench_smoke_test: build/bench/hvmbench
	@mkdir -p $(@D)
	cp $< $@

# hvm against stock kvm in one boot of each lab; results in build/bench/.
# Both labs run even if the first fails.
bench:
	@$(MAKE) --no-print-directory bench-svm; r=$$?; \
	$(MAKE) --no-print-directory bench-vmx && exit $$r

bench-svm bench-vmx: bench-%:
	@$(MAKE) --no-print-directory module build/bench/hvmbench vmctl KVER=$(LAB_KVER)
	@LAB_KVER=$(LAB_KVER) HVM_KO=build/kmod-$(LAB_KVER)/hvm.ko lab/bench-lab $*

# --- vmctl (tools/vmctl/): the VMM, its lab test and the demo ---
.PHONY: vmctl check-vmctl check-vmctl-vmx check-vmx-full demo
# vmctl (static, for the lab's initramfs) and the multiboot test kernel.
vmctl:
	@$(MAKE) --no-print-directory -C tools/vmctl O=$(CURDIR)/build/vmctl

# The SVM lab runs vmctl: error messages, the multiboot test kernel, and the
# stock kernel booting to init under hvm (lab/vmctl-run-tests).
check-vmctl:
	@$(MAKE) --no-print-directory module vmctl KVER=$(LAB_KVER)
	@LAB_KVER=$(LAB_KVER) HVM_KO=build/kmod-$(LAB_KVER)/hvm.ko VMCTL_DIR=build/vmctl \
		lab/vmctl-run-tests

# vmctl in the VMX lab (Bochs): Linux with --cpus 1, and the multiboot kernel
# (about 2 minutes). check-vmx-full is its old name.
check-vmctl-vmx check-vmx-full:
	@$(MAKE) --no-print-directory module vmctl KVER=$(LAB_KVER)
	@VMCTL_LAB=vmx VMCTL_TESTS="vmctl_linux_test vmctl_multiboot_test" LAB_KVER=$(LAB_KVER) \
		HVM_KO=build/kmod-$(LAB_KVER)/hvm.ko VMCTL_DIR=build/vmctl lab/vmctl-run-tests

# Debian's stock kernel boots as a guest of hvm through vmctl, in the SVM lab.
demo: deps
	@$(MAKE) --no-print-directory module vmctl KVER=$(LAB_KVER)
	@LAB_KVER=$(LAB_KVER) HVM_KO=build/kmod-$(LAB_KVER)/hvm.ko VMCTL_DIR=build/vmctl \
		lab/vmctl-demo

# --- the fuzzer (tools/hvmfuzz/, docs/fuzzing.md) ---
# make hvmfuzz: build/hvmfuzz/hvmfuzz (static). make fuzz FUZZ_SECONDS=N boots the
# SVM lab (the debug kernel; Debian's LAB_KVER if that is given, or with
# FUZZ_KERNEL=stock) and fuzzes for N seconds; FUZZ_ARGS adds hvmfuzz options
# (e.g. --seed S, --threads K); the summary goes to build/fuzz/summary.txt
# (lab/fuzz-lab).
HVMFUZZ_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -static -pthread -Iuapi -Iselftests/include
HVMFUZZ_SRCS := $(wildcard tools/hvmfuzz/*.c) selftests/lib/ksft.c selftests/lib/debugfs.c
FUZZ_SECONDS ?= 600
FUZZ_KERNEL ?= $(if $(filter command line environment,$(origin LAB_KVER)),stock,debug)
FUZZ_ARGS ?=

hvmfuzz: build/hvmfuzz/hvmfuzz

build/hvmfuzz/hvmfuzz: $(HVMFUZZ_SRCS) $(wildcard tools/hvmfuzz/*.h) $(wildcard selftests/include/*.h) uapi/hvm.h
	@mkdir -p $(@D)
	$(CC) $(HVMFUZZ_CFLAGS) -o $@ $(HVMFUZZ_SRCS)

build/selftests/hvmfuzz_test: build/hvmfuzz/hvmfuzz
	@mkdir -p $(@D)
	cp $< $@

fuzz: build/hvmfuzz/hvmfuzz
	@$(if $(filter stock,$(FUZZ_KERNEL)),$(MAKE) --no-print-directory module KVER=$(LAB_KVER) &&) \
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_KERNEL=$(FUZZ_KERNEL) FUZZ_ARGS="$(FUZZ_ARGS)" \
		LAB_KVER=$(LAB_KVER) lab/fuzz-lab
