// SPDX-License-Identifier: GPL-2.0
/*
 * hvm selftest library: /dev/hvm, VMs, memory slots, guest page tables,
 * loading this binary into the guest, vCPUs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hvm_util.h"
#include "guest.h"

/* ---- /dev/hvm ---------------------------------------------------------- */

static int hvm_fd = -1;

int open_hvm_or_skip(void)
{
	int fd = open(HVM_DEV_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			ksft_exit_skip("%s: %s", HVM_DEV_PATH, strerror(errno));
		ksft_exit_fail_msg("open %s: %s", HVM_DEV_PATH,
				   strerror(errno));
	}
	return fd;
}

void require_lapic_or_skip(void)
{
	if (hvm_check_cap(HVM_CAP_LAPIC) != 1)
		ksft_exit_skip("no in-kernel local APIC (HVM_CAP_LAPIC)");
}

static void on_alarm(int sig)
{
	(void)sig;
}

void alarm_ends_runs(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */

	sigemptyset(&sa.sa_mask);
	TEST_ASSERT(sigaction(SIGALRM, &sa, NULL) == 0, "sigaction");
}

int hvm_sys_fd(void)
{
	if (hvm_fd < 0)
		hvm_fd = open_hvm_or_skip();
	return hvm_fd;
}

u64 hvm_check_cap(u32 cap)
{
	int r = ioctl(hvm_sys_fd(), HVM_CHECK_CAP, (unsigned long)cap);

	TEST_ASSERT(r >= 0, "HVM_CHECK_CAP(%u) returned %d", cap, r);
	return (u64)r;
}

size_t hvm_vcpu_mmap_size(void)
{
	int r = ioctl(hvm_sys_fd(), HVM_GET_VCPU_MMAP_SIZE, 0);

	TEST_ASSERT(r > 0, "HVM_GET_VCPU_MMAP_SIZE returned %d", r);
	return (size_t)r;
}

/* ---- memory ------------------------------------------------------------ */

int __vm_set_memory_region(int vm_fd, u32 slot, u32 flags, u64 gpa, u64 size,
			   u64 uaddr)
{
	struct hvm_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = uaddr,
	};

	return ioctl(vm_fd, HVM_SET_MEMORY_REGION, &r);
}

void *vm_mem_add(struct hvm_vm *vm, u32 slot, u32 flags, u64 gpa, u64 size,
		 void *hva)
{
	struct hvm_region *reg = NULL;
	bool owned = false;
	int i, r;

	for (i = 0; i < HVM_MAX_REGIONS; i++) {
		if (!vm->regions[i].used) {
			reg = &vm->regions[i];
			break;
		}
	}
	TEST_ASSERT(reg, "too many regions");
	if (!hva) {
		hva = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		TEST_ASSERT(hva != MAP_FAILED, "mmap %#lx bytes", (unsigned long)size);
		owned = true;
	}
	r = __vm_set_memory_region(vm->fd, slot, flags, gpa, size,
				   (u64)(uintptr_t)hva);
	TEST_ASSERT(r == 0, "HVM_SET_MEMORY_REGION slot %u gpa %#lx size %#lx",
		    slot, (unsigned long)gpa, (unsigned long)size);
	*reg = (struct hvm_region){ .used = true, .slot = slot, .flags = flags,
				    .gpa = gpa, .size = size, .hva = hva,
				    .owned = owned };
	return hva;
}

void vm_mem_delete(struct hvm_vm *vm, u32 slot)
{
	int i, r;

	r = __vm_set_memory_region(vm->fd, slot, 0, 0, 0, 0);
	TEST_ASSERT(r == 0, "deleting slot %u", slot);
	for (i = 0; i < HVM_MAX_REGIONS; i++) {
		struct hvm_region *reg = &vm->regions[i];

		if (reg->used && reg->slot == slot) {
			if (reg->owned)
				munmap(reg->hva, reg->size);
			reg->used = false;
		}
	}
}

void *addr_gpa2hva(struct hvm_vm *vm, u64 gpa)
{
	int i;

	for (i = 0; i < HVM_MAX_REGIONS; i++) {
		struct hvm_region *reg = &vm->regions[i];

		if (reg->used && gpa >= reg->gpa && gpa - reg->gpa < reg->size)
			return (char *)reg->hva + (gpa - reg->gpa);
	}
	return NULL;
}

u64 vm_phys_alloc(struct hvm_vm *vm, u64 npages)
{
	u64 gpa = vm->phys_next;
	void *hva;

	TEST_ASSERT(vm->phys_end && gpa + npages * PAGE_SIZE <= vm->phys_end,
		    "out of guest memory (%lu pages)", (unsigned long)npages);
	vm->phys_next += npages * PAGE_SIZE;
	hva = addr_gpa2hva(vm, gpa);
	TEST_ASSERT(hva, "slot 0 missing");
	memset(hva, 0, npages * PAGE_SIZE);
	return gpa;
}

/* ---- guest page tables (4-level, 4 KiB pages) -------------------------- */

#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_ADDR_MASK	0x000ffffffffff000ull

static u64 *pt_table(struct hvm_vm *vm, u64 gpa)
{
	u64 *t = addr_gpa2hva(vm, gpa);

	TEST_ASSERT(t, "page table at unbacked gpa %#lx", (unsigned long)gpa);
	return t;
}

static void virt_map_page(struct hvm_vm *vm, u64 gva, u64 gpa)
{
	u64 table = vm->pml4_gpa;
	int level;

	TEST_ASSERT(vm->has_pgtables, "VM has no page tables");
	TEST_ASSERT(!(gva & ~PAGE_MASK) && !(gpa & ~PAGE_MASK),
		    "unaligned mapping %#lx -> %#lx", (unsigned long)gva,
		    (unsigned long)gpa);
	TEST_ASSERT(gva < (1ull << 47), "non-canonical/high gva %#lx",
		    (unsigned long)gva);
	for (level = 3; level > 0; level--) {
		u64 *e = &pt_table(vm, table)[(gva >> (12 + 9 * level)) & 0x1ff];

		if (!(*e & PTE_P))
			*e = vm_phys_alloc(vm, 1) | PTE_P | PTE_RW;
		table = *e & PTE_ADDR_MASK;
	}
	{
		u64 *e = &pt_table(vm, table)[(gva >> 12) & 0x1ff];

		TEST_ASSERT(!(*e & PTE_P), "gva %#lx mapped twice",
			    (unsigned long)gva);
		*e = gpa | PTE_P | PTE_RW;
	}
}

void virt_map(struct hvm_vm *vm, u64 gva, u64 gpa, u64 npages)
{
	u64 i;

	for (i = 0; i < npages; i++)
		virt_map_page(vm, gva + i * PAGE_SIZE, gpa + i * PAGE_SIZE);
}

u64 addr_gva2gpa(struct hvm_vm *vm, u64 gva)
{
	u64 table = vm->pml4_gpa;
	int level;

	if (!vm->has_pgtables || gva >= (1ull << 47))
		return -1ull;
	for (level = 3; level >= 0; level--) {
		u64 *t = addr_gpa2hva(vm, table);
		u64 e;

		if (!t)
			return -1ull;
		e = t[(gva >> (12 + 9 * level)) & 0x1ff];
		if (!(e & PTE_P))
			return -1ull;
		table = e & PTE_ADDR_MASK;
	}
	return table | (gva & ~PAGE_MASK);
}

void *addr_gva2hva(struct hvm_vm *vm, u64 gva)
{
	u64 gpa = addr_gva2gpa(vm, gva);
	void *hva;

	TEST_ASSERT(gpa != -1ull, "gva %#lx is not mapped", (unsigned long)gva);
	hva = addr_gpa2hva(vm, gpa);
	TEST_ASSERT(hva, "gva %#lx -> gpa %#lx is not backed", (unsigned long)gva,
		    (unsigned long)gpa);
	return hva;
}

void vm_write_guest(struct hvm_vm *vm, u64 gva, const void *src, size_t len)
{
	while (len) {
		size_t n = PAGE_SIZE - (gva & ~PAGE_MASK);

		if (n > len)
			n = len;
		memcpy(addr_gva2hva(vm, gva), src, n);
		gva += n;
		src = (const char *)src + n;
		len -= n;
	}
}

void vm_read_guest(struct hvm_vm *vm, void *dst, u64 gva, size_t len)
{
	while (len) {
		size_t n = PAGE_SIZE - (gva & ~PAGE_MASK);

		if (n > len)
			n = len;
		memcpy(dst, addr_gva2hva(vm, gva), n);
		gva += n;
		dst = (char *)dst + n;
		len -= n;
	}
}

u64 vm_vaddr_alloc(struct hvm_vm *vm, size_t size)
{
	u64 npages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
	u64 gpa = vm_phys_alloc(vm, npages);
	u64 gva = vm->vaddr_next;

	virt_map(vm, gva, gpa, npages);
	/* Leave an unmapped guard page after every allocation. */
	vm->vaddr_next += (npages + 1) * PAGE_SIZE;
	return gva;
}

/* ---- loading this binary into the guest -------------------------------- */

/* Loaded ranges of the binary, for validating pointers from the guest. */
struct bin_range {
	u64 start, end;
};
static struct bin_range bin_ranges[16];
static int nr_bin_ranges;

bool host_addr_in_binary(u64 addr, u64 len)
{
	int i;

	for (i = 0; i < nr_bin_ranges; i++)
		if (addr >= bin_ranges[i].start && addr + len >= addr &&
		    addr + len <= bin_ranges[i].end)
			return true;
	return false;
}

static int load_phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct hvm_vm *vm = data;
	bool record = !nr_bin_ranges;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		u64 start, end, va;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		start = ALIGN_DOWN(info->dlpi_addr + ph->p_vaddr, PAGE_SIZE);
		end = ALIGN_UP(info->dlpi_addr + ph->p_vaddr + ph->p_memsz,
			       PAGE_SIZE);
		if (record && nr_bin_ranges < (int)ARRAY_SIZE(bin_ranges))
			bin_ranges[nr_bin_ranges++] = (struct bin_range){ start, end };
		for (va = start; va < end; va += PAGE_SIZE) {
			u64 gpa;

			if (addr_gva2gpa(vm, va) != -1ull)
				continue;	/* page shared by two segments */
			gpa = vm_phys_alloc(vm, 1);
			memcpy(addr_gpa2hva(vm, gpa), (void *)(uintptr_t)va,
			       PAGE_SIZE);
			virt_map_page(vm, va, gpa);
		}
	}
	return 1;	/* only the executable itself (the first object) */
}

static void vm_load_binary(struct hvm_vm *vm)
{
	/* Guest-visible globals must be final before the copy is made. */
	guest_is_amd = host_cpu_is_amd();
	dl_iterate_phdr(load_phdr_cb, vm);
	TEST_ASSERT(nr_bin_ranges > 0, "no PT_LOAD segments found");
}

/* ---- VMs --------------------------------------------------------------- */

struct hvm_vm *vm_create_bare(void)
{
	struct hvm_vm *vm = calloc(1, sizeof(*vm));

	TEST_ASSERT(vm, "calloc");
	vm->fd = ioctl(hvm_sys_fd(), HVM_CREATE_VM, 0);
	TEST_ASSERT(vm->fd >= 0, "HVM_CREATE_VM");
	return vm;
}

void vm_setup_descriptor_tables(struct hvm_vm *vm);	/* x86.c */

struct hvm_vm *vm_create(void)
{
	struct hvm_vm *vm = vm_create_bare();

	vm_mem_add(vm, 0, 0, 0, HVM_SLOT0_SIZE, NULL);
	vm->phys_next = HVM_PHYS_ALLOC_START;
	vm->phys_end = HVM_SLOT0_SIZE;
	vm->vaddr_next = HVM_VADDR_ALLOC_START;
	vm->pml4_gpa = vm_phys_alloc(vm, 1);
	vm->has_pgtables = true;
	vm_load_binary(vm);
	vm_setup_descriptor_tables(vm);
	return vm;
}

struct hvm_vm *vm_create_with_lapic(void)
{
	struct hvm_vm *vm = vm_create();

	TEST_ASSERT(ioctl(vm->fd, HVM_CREATE_LAPIC, 0ul) == 0, "HVM_CREATE_LAPIC");
	return vm;
}

struct hvm_vm *vm_create_with_vcpu(struct hvm_vcpu **vcpu, void *guest_code)
{
	struct hvm_vm *vm = vm_create();

	*vcpu = vm_vcpu_add(vm, 0, guest_code);
	return vm;
}

void vm_close_fd(struct hvm_vm *vm)
{
	if (vm->fd >= 0) {
		TEST_ASSERT(close(vm->fd) == 0, "close VM fd");
		vm->fd = -1;
	}
}

void vm_free(struct hvm_vm *vm)
{
	int i;

	if (!vm)
		return;
	for (i = 0; i < HVM_MAX_VCPUS_TRACKED; i++) {
		struct hvm_vcpu *v = vm->vcpus[i];

		if (!v)
			continue;
		if (v->run)
			munmap(v->run, v->run_size);
		if (v->fd >= 0)
			close(v->fd);
		free(v);
	}
	vm_close_fd(vm);
	for (i = 0; i < HVM_MAX_REGIONS; i++)
		if (vm->regions[i].used && vm->regions[i].owned)
			munmap(vm->regions[i].hva, vm->regions[i].size);
	free(vm);
}

/* ---- vCPUs ------------------------------------------------------------- */

int __vm_create_vcpu(int vm_fd, u32 id)
{
	return ioctl(vm_fd, HVM_CREATE_VCPU, (unsigned long)id);
}

struct hvm_vcpu *vm_vcpu_add_raw(struct hvm_vm *vm, u32 id)
{
	struct hvm_vcpu *vcpu = calloc(1, sizeof(*vcpu));
	int i;

	TEST_ASSERT(vcpu, "calloc");
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = __vm_create_vcpu(vm->fd, id);
	TEST_ASSERT(vcpu->fd >= 0, "HVM_CREATE_VCPU %u", id);
	vcpu->run_size = hvm_vcpu_mmap_size();
	vcpu->run = mmap(NULL, vcpu->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "mmap vCPU fd");
	for (i = 0; i < HVM_MAX_VCPUS_TRACKED; i++) {
		if (!vm->vcpus[i]) {
			vm->vcpus[i] = vcpu;
			break;
		}
	}
	TEST_ASSERT(i < HVM_MAX_VCPUS_TRACKED, "too many vCPUs");
	return vcpu;
}

extern char guest_return_stub[];

struct hvm_vcpu *vm_vcpu_add(struct hvm_vm *vm, u32 id, void *guest_code)
{
	struct hvm_vcpu *vcpu = vm_vcpu_add_raw(vm, id);
	struct hvm_cpuid *cpuid;
	struct hvm_regs regs;
	u64 stack, ret = (u64)(uintptr_t)guest_return_stub;

	stack = vm_vaddr_alloc(vm, HVM_GUEST_STACK_SIZE);
	vcpu->stack_gva = stack + HVM_GUEST_STACK_SIZE;
	/* As if guest_code had been called: return address on the stack. */
	vm_write_guest(vm, vcpu->stack_gva - 8, &ret, 8);

	vcpu_setup_long_mode(vcpu);
	memset(&regs, 0, sizeof(regs));
	regs.rip = (u64)(uintptr_t)guest_code;
	regs.rsp = vcpu->stack_gva - 8;
	regs.rflags = X86_RFLAGS_FIXED;
	vcpu_set_regs(vcpu, &regs);

	cpuid = host_cpuid_table();
	vcpu_set_cpuid(vcpu, cpuid);
	free(cpuid);
	return vcpu;
}

void vcpu_args_set(struct hvm_vcpu *vcpu, u64 arg0, u64 arg1)
{
	struct hvm_regs regs;

	vcpu_get_regs(vcpu, &regs);
	regs.rdi = arg0;
	regs.rsi = arg1;
	vcpu_set_regs(vcpu, &regs);
}

int __vcpu_ioctl(struct hvm_vcpu *vcpu, unsigned long cmd, void *arg)
{
	return ioctl(vcpu->fd, cmd, arg);
}

int __vcpu_run(struct hvm_vcpu *vcpu)
{
	return ioctl(vcpu->fd, HVM_RUN, 0);
}

void vcpu_run(struct hvm_vcpu *vcpu)
{
	int r = __vcpu_run(vcpu);

	TEST_ASSERT(r == 0, "HVM_RUN returned %d, exit: %s", r,
		    vcpu->run ? exit_reason_str(vcpu->run->exit_reason) : "?");
}

void vcpu_get_regs(struct hvm_vcpu *vcpu, struct hvm_regs *regs)
{
	TEST_ASSERT(ioctl(vcpu->fd, HVM_GET_REGS, regs) == 0, "HVM_GET_REGS");
}

void vcpu_set_regs(struct hvm_vcpu *vcpu, const struct hvm_regs *regs)
{
	TEST_ASSERT(ioctl(vcpu->fd, HVM_SET_REGS, regs) == 0, "HVM_SET_REGS");
}

void vcpu_get_sregs(struct hvm_vcpu *vcpu, struct hvm_sregs *sregs)
{
	TEST_ASSERT(ioctl(vcpu->fd, HVM_GET_SREGS, sregs) == 0, "HVM_GET_SREGS");
}

void vcpu_set_sregs(struct hvm_vcpu *vcpu, const struct hvm_sregs *sregs)
{
	TEST_ASSERT(ioctl(vcpu->fd, HVM_SET_SREGS, sregs) == 0, "HVM_SET_SREGS");
}

u64 vcpu_get_rip(struct hvm_vcpu *vcpu)
{
	struct hvm_regs regs;

	vcpu_get_regs(vcpu, &regs);
	return regs.rip;
}

void *vcpu_io_data(struct hvm_vcpu *vcpu)
{
	return (char *)vcpu->run + vcpu->run->io.data_offset;
}

/* ---- real mode --------------------------------------------------------- */

void vcpu_setup_real_mode(struct hvm_vcpu *vcpu, u64 rip)
{
	struct hvm_segment data = {
		.limit = 0xffff, .type = 3, .present = 1, .s = 1,
	};
	struct hvm_sregs sregs;
	struct hvm_regs regs;

	vcpu_get_sregs(vcpu, &sregs);
	sregs.cs = (struct hvm_segment){
		.limit = 0xffff, .type = 0xb, .present = 1, .s = 1,
	};
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.tr = (struct hvm_segment){ .limit = 0xffff, .type = 0xb,
					 .present = 1 };
	sregs.ldt = (struct hvm_segment){ .limit = 0xffff, .type = 2,
					  .present = 1 };
	sregs.gdt = (struct hvm_dtable){ .base = 0, .limit = 0xffff };
	sregs.idt = (struct hvm_dtable){ .base = 0, .limit = 0x3ff };
	sregs.cr0 = X86_CR0_ET;
	sregs.cr2 = sregs.cr3 = sregs.cr4 = sregs.cr8 = 0;
	sregs.efer = 0;
	vcpu_set_sregs(vcpu, &sregs);

	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = 0x8000;
	regs.rflags = X86_RFLAGS_FIXED;
	vcpu_set_regs(vcpu, &regs);
}

struct hvm_vm *vm_create_real_mode(struct hvm_vcpu **vcpup, const void *code,
				   size_t len, u64 gpa)
{
	struct hvm_vm *vm = vm_create_bare();
	char *mem;

	TEST_ASSERT(gpa + len <= 0x10000, "real-mode code must sit below 64K");
	mem = vm_mem_add(vm, 0, 0, 0, 1ul << 20, NULL);
	memcpy(mem + gpa, code, len);
	*vcpup = vm_vcpu_add_raw(vm, 0);
	vcpu_setup_real_mode(*vcpup, gpa);
	return vm;
}
