// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's CPUID table, from the leaves the accelerator supports, by
 * vmctl's policy (an allow-list): the leaves in cpuid_leaves[], with the
 * feature bits of cpuid_features[] that pass, the XSAVE components of
 * cpuid_xsave_components[], and what vmctl sets itself (the hypervisor
 * leaves, the APIC bits, the topology of one logical processor per vCPU,
 * the frequency leaves). A leaf, a bit or an XSAVE component that is not
 * in the tables is hidden, so a new host CPU feature reaches no guest
 * before someone has looked at it. docs/cpuid.md says why for each row.
 *
 * The accelerator adds what follows the guest's own state: OSXSAVE from
 * CR4, the APIC bit from IA32_APIC_BASE.EN, leaf 0xd's current XSAVE size
 * from XCR0 (kmod/cpuid.c, and kvm alike), and hides VMX and SVM.
 */
#include <errno.h>
#include <string.h>

#include "cpuid_policy.h"

#define HV_LEAF_BASE	0x40000000u
#define HV_LEAF_TIMING	0x40000010u
#define MAX_BASIC_LEAF	0x16u
#define MAX_EXT_LEAF	0x80000021u
#define MAX_LEAF7_SUBLEAF	1u

#define EAX	CPUID_REG(CPUID_EAX)
#define EBX	CPUID_REG(CPUID_EBX)
#define ECX	CPUID_REG(CPUID_ECX)
#define EDX	CPUID_REG(CPUID_EDX)
#define ALL	CPUID_ALL_REGS
#define ANY	CPUID_ANY_SUBLEAF

/* First match wins: the sub-leaves named before ANY. */
const struct cpuid_leaf cpuid_leaves[] = {
	{ 0x0, ANY, ALL, 0 },		/* EAX: highest basic leaf, vmctl's */
	{ 0x1, ANY, EAX | EBX, ECX | EDX },	/* EBX[31:16]: vmctl's */
	{ 0x2, ANY, ALL, 0 },
	{ 0x4, ANY, ALL, 0 },		/* EAX[31:14]: vmctl's */
	{ 0x6, ANY, 0, EAX },
	{ 0x7, 0, EAX, EBX | ECX | EDX },	/* EAX: highest sub-leaf */
	{ 0x7, 1, 0, EAX | EDX },
	{ 0xd, 0, ALL, 0 },		/* by the XSAVE components kept */
	{ 0xd, 1, 0, EAX },
	{ 0xd, ANY, ALL, 0 },		/* 2..63: the components kept */
	{ 0x15, ANY, 0, 0 },		/* Intel: empty */
	{ 0x16, ANY, ALL, 0 },		/* Intel: EAX, the TSC rate */
	{ 0x80000000, ANY, ALL, 0 },	/* EAX: highest extended leaf */
	{ 0x80000001, ANY, EAX | EBX, ECX | EDX },
	{ 0x80000002, ANY, ALL, 0 },
	{ 0x80000003, ANY, ALL, 0 },
	{ 0x80000004, ANY, ALL, 0 },
	{ 0x80000005, ANY, ALL, 0 },
	{ 0x80000006, ANY, ALL, 0 },
	{ 0x80000007, ANY, 0, EDX },
	{ 0x80000008, ANY, EAX | ECX | EDX, EBX },	/* ECX: vmctl's */
	{ 0x80000019, ANY, ALL, 0 },
	{ 0x8000001d, ANY, ALL, 0 },	/* EAX[31:14]: vmctl's */
	{ 0x8000001e, ANY, 0, 0 },	/* core 0 of node 0 */
	{ 0x80000021, ANY, 0, EAX },
};
const unsigned int cpuid_nr_leaves = sizeof(cpuid_leaves) / sizeof(cpuid_leaves[0]);

#define F(leaf, sub, reg, bit, rule, name) \
	{ leaf, sub, CPUID_##reg, bit, CPUID_##rule, name }

const struct cpuid_feature cpuid_features[] = {
	F(0x1, 0, ECX, 0, PASS, "SSE3"),
	F(0x1, 0, ECX, 1, PASS, "PCLMULQDQ"),
	F(0x1, 0, ECX, 2, HIDE, "DTES64"),
	F(0x1, 0, ECX, 3, HIDE, "MONITOR"),
	F(0x1, 0, ECX, 4, HIDE, "DS-CPL"),
	F(0x1, 0, ECX, 5, HIDE, "VMX"),
	F(0x1, 0, ECX, 6, HIDE, "SMX"),
	F(0x1, 0, ECX, 7, HIDE, "EIST"),
	F(0x1, 0, ECX, 8, HIDE, "TM2"),
	F(0x1, 0, ECX, 9, PASS, "SSSE3"),
	F(0x1, 0, ECX, 10, HIDE, "CNXT-ID"),
	F(0x1, 0, ECX, 11, HIDE, "SDBG"),
	F(0x1, 0, ECX, 12, PASS, "FMA"),
	F(0x1, 0, ECX, 13, PASS, "CMPXCHG16B"),
	F(0x1, 0, ECX, 14, HIDE, "xTPR"),
	F(0x1, 0, ECX, 15, HIDE, "PDCM"),
	F(0x1, 0, ECX, 17, PASS, "PCID"),
	F(0x1, 0, ECX, 18, HIDE, "DCA"),
	F(0x1, 0, ECX, 19, PASS, "SSE4.1"),
	F(0x1, 0, ECX, 20, PASS, "SSE4.2"),
	F(0x1, 0, ECX, 21, VMCTL, "x2APIC"),
	F(0x1, 0, ECX, 22, PASS, "MOVBE"),
	F(0x1, 0, ECX, 23, PASS, "POPCNT"),
	F(0x1, 0, ECX, 24, VMCTL, "TSC-Deadline"),
	F(0x1, 0, ECX, 25, PASS, "AESNI"),
	F(0x1, 0, ECX, 26, PASS, "XSAVE"),
	F(0x1, 0, ECX, 27, VMCTL, "OSXSAVE"),
	F(0x1, 0, ECX, 28, PASS, "AVX"),
	F(0x1, 0, ECX, 29, PASS, "F16C"),
	F(0x1, 0, ECX, 30, PASS, "RDRAND"),
	F(0x1, 0, ECX, 31, VMCTL, "Hypervisor"),

	F(0x1, 0, EDX, 0, PASS, "FPU"),
	F(0x1, 0, EDX, 1, PASS, "VME"),
	F(0x1, 0, EDX, 2, PASS, "DE"),
	F(0x1, 0, EDX, 3, PASS, "PSE"),
	F(0x1, 0, EDX, 4, PASS, "TSC"),
	F(0x1, 0, EDX, 5, PASS, "MSR"),
	F(0x1, 0, EDX, 6, PASS, "PAE"),
	F(0x1, 0, EDX, 7, HIDE, "MCE"),
	F(0x1, 0, EDX, 8, PASS, "CX8"),
	F(0x1, 0, EDX, 9, VMCTL, "APIC"),
	F(0x1, 0, EDX, 11, PASS, "SEP"),
	F(0x1, 0, EDX, 12, PASS, "MTRR"),
	F(0x1, 0, EDX, 13, PASS, "PGE"),
	F(0x1, 0, EDX, 14, HIDE, "MCA"),
	F(0x1, 0, EDX, 15, PASS, "CMOV"),
	F(0x1, 0, EDX, 16, PASS, "PAT"),
	F(0x1, 0, EDX, 17, PASS, "PSE-36"),
	F(0x1, 0, EDX, 18, HIDE, "PSN"),
	F(0x1, 0, EDX, 19, PASS, "CLFSH"),
	F(0x1, 0, EDX, 21, HIDE, "DS"),
	F(0x1, 0, EDX, 22, HIDE, "ACPI"),
	F(0x1, 0, EDX, 23, PASS, "MMX"),
	F(0x1, 0, EDX, 24, PASS, "FXSR"),
	F(0x1, 0, EDX, 25, PASS, "SSE"),
	F(0x1, 0, EDX, 26, PASS, "SSE2"),
	F(0x1, 0, EDX, 27, PASS, "SS"),
	F(0x1, 0, EDX, 28, HIDE, "HTT"),
	F(0x1, 0, EDX, 29, HIDE, "TM"),
	F(0x1, 0, EDX, 31, HIDE, "PBE"),

	F(0x6, 0, EAX, 2, VMCTL, "ARAT"),

	F(0x7, 0, EBX, 0, PASS, "FSGSBASE"),
	F(0x7, 0, EBX, 1, HIDE, "TSC_ADJUST"),
	F(0x7, 0, EBX, 2, HIDE, "SGX"),
	F(0x7, 0, EBX, 3, PASS, "BMI1"),
	F(0x7, 0, EBX, 4, PASS, "HLE"),
	F(0x7, 0, EBX, 5, PASS, "AVX2"),
	F(0x7, 0, EBX, 6, PASS, "FDP_EXCPTN_ONLY"),
	F(0x7, 0, EBX, 7, PASS, "SMEP"),
	F(0x7, 0, EBX, 8, PASS, "BMI2"),
	F(0x7, 0, EBX, 9, PASS, "ERMS"),
	F(0x7, 0, EBX, 10, PASS, "INVPCID"),
	F(0x7, 0, EBX, 11, PASS, "RTM"),
	F(0x7, 0, EBX, 12, HIDE, "RDT-M"),
	F(0x7, 0, EBX, 13, PASS, "ZERO_FCS_FDS"),
	F(0x7, 0, EBX, 14, HIDE, "MPX"),
	F(0x7, 0, EBX, 15, HIDE, "RDT-A"),
	F(0x7, 0, EBX, 16, PASS, "AVX512F"),
	F(0x7, 0, EBX, 17, PASS, "AVX512DQ"),
	F(0x7, 0, EBX, 18, PASS, "RDSEED"),
	F(0x7, 0, EBX, 19, PASS, "ADX"),
	F(0x7, 0, EBX, 20, PASS, "SMAP"),
	F(0x7, 0, EBX, 21, PASS, "AVX512_IFMA"),
	F(0x7, 0, EBX, 23, PASS, "CLFLUSHOPT"),
	F(0x7, 0, EBX, 24, PASS, "CLWB"),
	F(0x7, 0, EBX, 25, HIDE, "PT"),
	F(0x7, 0, EBX, 26, PASS, "AVX512PF"),
	F(0x7, 0, EBX, 27, PASS, "AVX512ER"),
	F(0x7, 0, EBX, 28, PASS, "AVX512CD"),
	F(0x7, 0, EBX, 29, PASS, "SHA"),
	F(0x7, 0, EBX, 30, PASS, "AVX512BW"),
	F(0x7, 0, EBX, 31, PASS, "AVX512VL"),

	F(0x7, 0, ECX, 0, PASS, "PREFETCHWT1"),
	F(0x7, 0, ECX, 1, PASS, "AVX512_VBMI"),
	F(0x7, 0, ECX, 2, PASS, "UMIP"),
	F(0x7, 0, ECX, 3, HIDE, "PKU"),
	F(0x7, 0, ECX, 4, HIDE, "OSPKE"),
	F(0x7, 0, ECX, 5, HIDE, "WAITPKG"),
	F(0x7, 0, ECX, 6, PASS, "AVX512_VBMI2"),
	F(0x7, 0, ECX, 7, HIDE, "CET_SS"),
	F(0x7, 0, ECX, 8, PASS, "GFNI"),
	F(0x7, 0, ECX, 9, PASS, "VAES"),
	F(0x7, 0, ECX, 10, PASS, "VPCLMULQDQ"),
	F(0x7, 0, ECX, 11, PASS, "AVX512_VNNI"),
	F(0x7, 0, ECX, 12, PASS, "AVX512_BITALG"),
	F(0x7, 0, ECX, 13, HIDE, "TME_EN"),
	F(0x7, 0, ECX, 14, PASS, "AVX512_VPOPCNTDQ"),
	F(0x7, 0, ECX, 16, PASS, "LA57"),
	F(0x7, 0, ECX, 22, HIDE, "RDPID"),
	F(0x7, 0, ECX, 23, HIDE, "KL"),
	F(0x7, 0, ECX, 24, HIDE, "BUS_LOCK_DETECT"),
	F(0x7, 0, ECX, 25, PASS, "CLDEMOTE"),
	F(0x7, 0, ECX, 27, PASS, "MOVDIRI"),
	F(0x7, 0, ECX, 28, PASS, "MOVDIR64B"),
	F(0x7, 0, ECX, 29, HIDE, "ENQCMD"),
	F(0x7, 0, ECX, 30, HIDE, "SGX_LC"),
	F(0x7, 0, ECX, 31, HIDE, "PKS"),

	F(0x7, 0, EDX, 2, PASS, "AVX512_4VNNIW"),
	F(0x7, 0, EDX, 3, PASS, "AVX512_4FMAPS"),
	F(0x7, 0, EDX, 4, PASS, "FSRM"),
	F(0x7, 0, EDX, 5, HIDE, "UINTR"),
	F(0x7, 0, EDX, 8, PASS, "AVX512_VP2INTERSECT"),
	F(0x7, 0, EDX, 9, HIDE, "SRBDS_CTRL"),
	F(0x7, 0, EDX, 10, PASS, "MD_CLEAR"),
	F(0x7, 0, EDX, 11, PASS, "RTM_ALWAYS_ABORT"),
	F(0x7, 0, EDX, 13, HIDE, "TSX_FORCE_ABORT"),
	F(0x7, 0, EDX, 14, PASS, "SERIALIZE"),
	F(0x7, 0, EDX, 15, HIDE, "HYBRID"),
	F(0x7, 0, EDX, 16, PASS, "TSXLDTRK"),
	F(0x7, 0, EDX, 18, HIDE, "PCONFIG"),
	F(0x7, 0, EDX, 19, HIDE, "ARCH_LBR"),
	F(0x7, 0, EDX, 20, HIDE, "CET_IBT"),
	F(0x7, 0, EDX, 22, HIDE, "AMX_BF16"),
	F(0x7, 0, EDX, 23, PASS, "AVX512_FP16"),
	F(0x7, 0, EDX, 24, HIDE, "AMX_TILE"),
	F(0x7, 0, EDX, 25, HIDE, "AMX_INT8"),
	F(0x7, 0, EDX, 26, HIDE, "IBRS_IBPB"),
	F(0x7, 0, EDX, 27, HIDE, "STIBP"),
	F(0x7, 0, EDX, 28, HIDE, "L1D_FLUSH"),
	F(0x7, 0, EDX, 29, HIDE, "ARCH_CAPABILITIES"),
	F(0x7, 0, EDX, 30, HIDE, "CORE_CAPABILITIES"),
	F(0x7, 0, EDX, 31, HIDE, "SSBD"),

	F(0x7, 1, EAX, 0, PASS, "SHA512"),
	F(0x7, 1, EAX, 1, PASS, "SM3"),
	F(0x7, 1, EAX, 2, PASS, "SM4"),
	F(0x7, 1, EAX, 4, PASS, "AVX_VNNI"),
	F(0x7, 1, EAX, 5, PASS, "AVX512_BF16"),
	F(0x7, 1, EAX, 6, HIDE, "LASS"),
	F(0x7, 1, EAX, 7, PASS, "CMPCCXADD"),
	F(0x7, 1, EAX, 10, PASS, "FZRM"),
	F(0x7, 1, EAX, 11, PASS, "FSRS"),
	F(0x7, 1, EAX, 12, PASS, "FSRC"),
	F(0x7, 1, EAX, 17, HIDE, "FRED"),
	F(0x7, 1, EAX, 18, HIDE, "LKGS"),
	F(0x7, 1, EAX, 19, HIDE, "WRMSRNS"),
	F(0x7, 1, EAX, 21, HIDE, "AMX_FP16"),
	F(0x7, 1, EAX, 22, HIDE, "HRESET"),
	F(0x7, 1, EAX, 23, PASS, "AVX_IFMA"),
	F(0x7, 1, EAX, 26, HIDE, "LAM"),
	F(0x7, 1, EAX, 27, HIDE, "MSRLIST"),

	F(0x7, 1, EDX, 4, PASS, "AVX_VNNI_INT8"),
	F(0x7, 1, EDX, 5, PASS, "AVX_NE_CONVERT"),
	F(0x7, 1, EDX, 8, HIDE, "AMX_COMPLEX"),
	F(0x7, 1, EDX, 10, PASS, "AVX_VNNI_INT16"),
	F(0x7, 1, EDX, 14, PASS, "PREFETCHI"),
	F(0x7, 1, EDX, 18, HIDE, "CET_SSS"),
	F(0x7, 1, EDX, 19, HIDE, "AVX10"),
	F(0x7, 1, EDX, 21, HIDE, "APX_F"),

	F(0xd, 1, EAX, 0, PASS, "XSAVEOPT"),
	F(0xd, 1, EAX, 1, PASS, "XSAVEC"),
	F(0xd, 1, EAX, 2, PASS, "XGETBV_ECX1"),
	F(0xd, 1, EAX, 3, HIDE, "XSAVES"),
	F(0xd, 1, EAX, 4, HIDE, "XFD"),

	F(0x80000001, 0, ECX, 0, PASS, "LAHF_SAHF"),
	F(0x80000001, 0, ECX, 1, HIDE, "CmpLegacy"),
	F(0x80000001, 0, ECX, 2, HIDE, "SVM"),
	F(0x80000001, 0, ECX, 3, HIDE, "ExtApicSpace"),
	F(0x80000001, 0, ECX, 4, PASS, "AltMovCr8"),
	F(0x80000001, 0, ECX, 5, PASS, "ABM"),
	F(0x80000001, 0, ECX, 6, PASS, "SSE4A"),
	F(0x80000001, 0, ECX, 7, PASS, "MisAlignSse"),
	F(0x80000001, 0, ECX, 8, PASS, "3DNowPrefetch"),
	F(0x80000001, 0, ECX, 9, HIDE, "OSVW"),
	F(0x80000001, 0, ECX, 10, HIDE, "IBS"),
	F(0x80000001, 0, ECX, 11, PASS, "XOP"),
	F(0x80000001, 0, ECX, 12, HIDE, "SKINIT"),
	F(0x80000001, 0, ECX, 13, HIDE, "WDT"),
	F(0x80000001, 0, ECX, 15, HIDE, "LWP"),
	F(0x80000001, 0, ECX, 16, PASS, "FMA4"),
	F(0x80000001, 0, ECX, 17, HIDE, "TCE"),
	F(0x80000001, 0, ECX, 19, HIDE, "NodeId"),
	F(0x80000001, 0, ECX, 21, PASS, "TBM"),
	F(0x80000001, 0, ECX, 22, PASS, "TopologyExtensions"),
	F(0x80000001, 0, ECX, 23, HIDE, "PerfCtrExtCore"),
	F(0x80000001, 0, ECX, 24, HIDE, "PerfCtrExtDF"),
	F(0x80000001, 0, ECX, 26, HIDE, "DataBkptExt"),
	F(0x80000001, 0, ECX, 27, HIDE, "PerfTsc"),
	F(0x80000001, 0, ECX, 28, HIDE, "PerfCtrExtLLC"),
	F(0x80000001, 0, ECX, 29, HIDE, "MONITORX"),
	F(0x80000001, 0, ECX, 30, HIDE, "AddrMaskExt"),

	F(0x80000001, 0, EDX, 0, PASS, "FPU"),
	F(0x80000001, 0, EDX, 1, PASS, "VME"),
	F(0x80000001, 0, EDX, 2, PASS, "DE"),
	F(0x80000001, 0, EDX, 3, PASS, "PSE"),
	F(0x80000001, 0, EDX, 4, PASS, "TSC"),
	F(0x80000001, 0, EDX, 5, PASS, "MSR"),
	F(0x80000001, 0, EDX, 6, PASS, "PAE"),
	F(0x80000001, 0, EDX, 7, HIDE, "MCE"),
	F(0x80000001, 0, EDX, 8, PASS, "CMPXCHG8B"),
	F(0x80000001, 0, EDX, 9, VMCTL, "APIC"),
	F(0x80000001, 0, EDX, 11, PASS, "SYSCALL"),
	F(0x80000001, 0, EDX, 12, PASS, "MTRR"),
	F(0x80000001, 0, EDX, 13, PASS, "PGE"),
	F(0x80000001, 0, EDX, 14, HIDE, "MCA"),
	F(0x80000001, 0, EDX, 15, PASS, "CMOV"),
	F(0x80000001, 0, EDX, 16, PASS, "PAT"),
	F(0x80000001, 0, EDX, 17, PASS, "PSE36"),
	F(0x80000001, 0, EDX, 20, PASS, "NX"),
	F(0x80000001, 0, EDX, 22, PASS, "MmxExt"),
	F(0x80000001, 0, EDX, 23, PASS, "MMX"),
	F(0x80000001, 0, EDX, 24, PASS, "FXSR"),
	F(0x80000001, 0, EDX, 25, PASS, "FFXSR"),
	F(0x80000001, 0, EDX, 26, PASS, "Page1GB"),
	F(0x80000001, 0, EDX, 27, HIDE, "RDTSCP"),
	F(0x80000001, 0, EDX, 29, PASS, "LM"),
	F(0x80000001, 0, EDX, 30, PASS, "3DNowExt"),
	F(0x80000001, 0, EDX, 31, PASS, "3DNow"),

	F(0x80000007, 0, EDX, 7, HIDE, "HwPstate"),
	F(0x80000007, 0, EDX, 8, PASS, "TscInvariant"),
	F(0x80000007, 0, EDX, 9, HIDE, "CPB"),

	F(0x80000008, 0, EBX, 0, PASS, "CLZERO"),
	F(0x80000008, 0, EBX, 1, HIDE, "InstRetCntMsr"),
	F(0x80000008, 0, EBX, 2, PASS, "RstrFpErrPtrs"),
	F(0x80000008, 0, EBX, 3, HIDE, "INVLPGB"),
	F(0x80000008, 0, EBX, 4, HIDE, "RDPRU"),
	F(0x80000008, 0, EBX, 8, HIDE, "MCOMMIT"),
	F(0x80000008, 0, EBX, 9, PASS, "WBNOINVD"),
	F(0x80000008, 0, EBX, 12, HIDE, "IBPB"),
	F(0x80000008, 0, EBX, 14, HIDE, "IBRS"),
	F(0x80000008, 0, EBX, 15, HIDE, "STIBP"),
	F(0x80000008, 0, EBX, 23, HIDE, "PPIN"),
	F(0x80000008, 0, EBX, 24, HIDE, "SSBD"),
	F(0x80000008, 0, EBX, 25, HIDE, "VIRT_SSBD"),
	F(0x80000008, 0, EBX, 26, PASS, "SSB_NO"),
	F(0x80000008, 0, EBX, 28, HIDE, "PSFD"),
	F(0x80000008, 0, EBX, 29, PASS, "BTC_NO"),

	F(0x80000021, 0, EAX, 0, PASS, "NoNestedDataBp"),
	F(0x80000021, 0, EAX, 2, PASS, "LFenceAlwaysSerializing"),
	F(0x80000021, 0, EAX, 6, PASS, "NullSelectClearsBase"),
	F(0x80000021, 0, EAX, 8, HIDE, "AutoIBRS"),
	F(0x80000021, 0, EAX, 9, PASS, "NoSmmCtlMSR"),
};
const unsigned int cpuid_nr_features = sizeof(cpuid_features) / sizeof(cpuid_features[0]);

#define X(bit, rule, name)	{ bit, CPUID_##rule, name }

/* The user components (XCR0); no supervisor ones (IA32_XSS), no XSAVES. */
const struct cpuid_xsave_component cpuid_xsave_components[] = {
	X(0, PASS, "x87"),
	X(1, PASS, "SSE"),
	X(2, PASS, "AVX"),
	X(3, HIDE, "MPX BNDREGS"),
	X(4, HIDE, "MPX BNDCSR"),
	X(5, PASS, "AVX-512 opmask"),
	X(6, PASS, "AVX-512 ZMM_Hi256"),
	X(7, PASS, "AVX-512 Hi16_ZMM"),
	X(9, HIDE, "PKRU"),
	X(17, HIDE, "AMX TILECFG"),
	X(18, HIDE, "AMX TILEDATA"),
	X(19, HIDE, "APX"),
};
const unsigned int cpuid_nr_xsave_components =
	sizeof(cpuid_xsave_components) / sizeof(cpuid_xsave_components[0]);

/* Bits in a register that vmctl's rows let through. */
static uint32_t pass_mask(uint32_t leaf, uint32_t subleaf, unsigned int reg)
{
	uint32_t m = 0;
	unsigned int i;

	for (i = 0; i < cpuid_nr_features; i++) {
		const struct cpuid_feature *f = &cpuid_features[i];

		if (f->leaf == leaf && f->subleaf == subleaf && f->reg == reg &&
		    f->rule == CPUID_PASS)
			m |= 1u << f->bit;
	}
	return m;
}

static const struct cpuid_leaf *policy_leaf(uint32_t leaf, uint32_t subleaf)
{
	unsigned int i;

	for (i = 0; i < cpuid_nr_leaves; i++)
		if (cpuid_leaves[i].leaf == leaf &&
		    (cpuid_leaves[i].subleaf == ANY ||
		     cpuid_leaves[i].subleaf == subleaf))
			return &cpuid_leaves[i];
	return NULL;
}

static uint64_t xcr0_pass_mask(void)
{
	uint64_t m = 0;
	unsigned int i;

	for (i = 0; i < cpuid_nr_xsave_components; i++)
		if (cpuid_xsave_components[i].rule == CPUID_PASS)
			m |= 1ull << cpuid_xsave_components[i].bit;
	return m;
}

struct table {
	struct x86_cpuid_entry *e;
	unsigned int n, max;
	bool full;		/* an entry did not fit */
};

static struct x86_cpuid_entry *add(struct table *t, uint32_t fn, uint32_t idx,
				   bool sig)
{
	if (t->n == t->max) {
		t->full = true;
		return NULL;
	}
	t->e[t->n] = (struct x86_cpuid_entry){
		.function = fn, .index = idx, .index_significant = sig,
	};
	return &t->e[t->n++];
}

static struct x86_cpuid_entry *find(struct x86_cpuid_entry *e, unsigned int n,
				    uint32_t fn, uint32_t idx)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (e[i].function == fn &&
		    (!e[i].index_significant || e[i].index == idx))
			return &e[i];
	return NULL;
}

static const struct x86_cpuid_entry *
find_const(const struct x86_cpuid_entry *e, unsigned int n, uint32_t fn,
	   uint32_t idx)
{
	return find((struct x86_cpuid_entry *)e, n, fn, idx);
}

static uint32_t *reg_of(struct x86_cpuid_entry *e, unsigned int reg)
{
	switch (reg) {
	case CPUID_EAX: return &e->eax;
	case CPUID_EBX: return &e->ebx;
	case CPUID_ECX: return &e->ecx;
	default: return &e->edx;
	}
}

static bool is_intel(const struct x86_cpuid_entry *leaf0)
{
	return leaf0 && leaf0->ebx == 0x756e6547 && leaf0->edx == 0x49656e69 &&
	       leaf0->ecx == 0x6c65746e;
}

/*
 * The supported entry through the policy: its leaf's copied registers,
 * its feature registers' passing bits, zeros elsewhere. False if the guest
 * does not get the leaf.
 */
static bool filter(const struct x86_cpuid_entry *s, uint64_t xcr0,
		   struct x86_cpuid_entry *e)
{
	const struct cpuid_leaf *l = policy_leaf(s->function, s->index);
	unsigned int reg;

	if (!l)
		return false;
	/* Leaf 0xd's sub-leaves 2..63 describe one XSAVE component each. */
	if (s->function == 0xd && s->index >= 2 &&
	    (s->index >= 64 || !(xcr0 & (1ull << s->index))))
		return false;
	*e = *s;
	for (reg = CPUID_EAX; reg <= CPUID_EDX; reg++) {
		uint32_t *r = reg_of(e, reg);

		if (l->features & CPUID_REG(reg))
			*r &= pass_mask(s->function, s->index, reg);
		else if (!(l->copy & CPUID_REG(reg)))
			*r = 0;
	}
	return true;
}

/* Leaf 0xd.0: the components kept, and the largest area they need. */
static void xsave_sizes(struct table *t, uint64_t xcr0)
{
	struct x86_cpuid_entry *e = find(t->e, t->n, 0xd, 0), *sub;
	uint32_t i, size = 512 + 64;	/* legacy area, XSAVE header */

	if (!e)
		return;
	for (i = 2; i < 64; i++) {
		if (!(xcr0 & (1ull << i)) || !(sub = find(t->e, t->n, 0xd, i)) ||
		    !sub->index_significant || sub->index != i)
			continue;
		if (sub->ebx + sub->eax > size)
			size = sub->ebx + sub->eax;
	}
	e->eax = (uint32_t)xcr0;
	e->edx = (uint32_t)(xcr0 >> 32);
	e->ebx = 512 + 64;	/* for XCR0 at reset; the accelerator's after */
	e->ecx = size;
}

/* The bits of the CPUID_VMCTL rows, and the topology of one vCPU. */
static void vmctl_bits(struct table *t, const struct x86_cpuid_entry *sup,
		       unsigned int nsup, const struct cpuid_config *cfg)
{
	const struct x86_cpuid_entry *s;
	struct x86_cpuid_entry *e;
	unsigned int i;

	if ((e = find(t->e, t->n, 1, 0))) {
		s = find_const(sup, nsup, 1, 0);	/* there, as e is */
		e->ecx |= 1u << 31;			/* Hypervisor */
		/* x2APIC and the deadline timer: the kernel APIC's modes. */
		if (cfg->lapic && cfg->x2apic)
			e->ecx |= 1u << 21;
		if (cfg->lapic && cfg->tsc_deadline)
			e->ecx |= 1u << 24;
		/* OSXSAVE stays clear: the accelerator sets it from CR4. */
		if (cfg->lapic)
			e->edx |= s->edx & (1u << 9);	/* APIC */
		/* Initial APIC ID: the vCPU's; one logical processor. */
		e->ebx = (e->ebx & 0xffff) | (1u << 16) | (cfg->apic_id << 24);
	}
	if ((e = find(t->e, t->n, 0x80000001, 0)) && cfg->lapic) {
		s = find_const(sup, nsup, 0x80000001, 0);
		e->edx |= s->edx & (1u << 9);		/* APIC */
	}
	/* ARAT: an emulated APIC timer runs in every C-state. */
	if ((e = find(t->e, t->n, 6, 0)) && cfg->lapic)
		e->eax |= 1u << 2;
	if ((e = find(t->e, t->n, 7, 0)) && e->eax > MAX_LEAF7_SUBLEAF)
		e->eax = MAX_LEAF7_SUBLEAF;
	for (i = 0; i < t->n; i++) {
		e = &t->e[i];
		switch (e->function) {
		case 0x4:	/* one core, one thread per cache */
		case 0x8000001d:
			e->eax &= 0x3ff;
			break;
		case 0x80000008:	/* one core, APIC ID size 0 */
			e->ecx &= ~0xf0ffu;
			break;
		}
	}
}

int cpuid_build(const struct x86_cpuid_entry *sup, unsigned int nsup,
		const struct cpuid_config *cfg, struct x86_cpuid_entry *out,
		unsigned int max)
{
	const struct x86_cpuid_entry *s0 = find_const(sup, nsup, 0, 0);
	const struct x86_cpuid_entry *se = find_const(sup, nsup, 0x80000000, 0);
	const struct x86_cpuid_entry *sd = find_const(sup, nsup, 0xd, 0);
	struct table t = { .e = out, .max = max };
	uint32_t max_basic = s0 ? s0->eax : 0, max_ext = se ? se->eax : 0;
	uint64_t xcr0 = 0;
	bool intel = is_intel(s0);
	struct x86_cpuid_entry *e, f;
	unsigned int i;

	if (max_basic > MAX_BASIC_LEAF)
		max_basic = MAX_BASIC_LEAF;
	if (intel)
		max_basic = MAX_BASIC_LEAF;	/* the frequency leaves */
	if (max_ext > MAX_EXT_LEAF)
		max_ext = MAX_EXT_LEAF;
	if (sd)
		xcr0 = ((uint64_t)sd->edx << 32 | sd->eax) & xcr0_pass_mask();
	for (i = 0; i < nsup; i++) {
		uint32_t fn = sup[i].function;

		if (fn > max_basic && (fn < 0x80000000 || fn > max_ext))
			continue;
		if (filter(&sup[i], xcr0, &f) && (e = add(&t, 0, 0, false)))
			*e = f;
	}
	if ((e = find(t.e, t.n, 0, 0)))
		e->eax = max_basic;
	if ((e = find(t.e, t.n, 0x80000000, 0)))
		e->eax = max_ext;
	xsave_sizes(&t, xcr0);
	vmctl_bits(&t, sup, nsup, cfg);
	if (intel) {
		/*
		 * Leaf 0x15 stays empty: Linux takes its crystal to be the
		 * APIC timer's input, which is 1 GHz in hvm and kvm alike, and
		 * computes crystal_khz * EBX in 32 bits, so at 1 GHz EBX/EAX
		 * could not give the TSC rate within 100 ppm. (The 1 kHz
		 * crystal given here before made Linux's APIC timer period 4
		 * ticks, 1000 times too short.) The guest gets the TSC rate
		 * from tsc_early_khz= and calibrates its APIC timer, as on AMD.
		 * Leaf 0x16: nominal MHz.
		 */
		if (!find(t.e, t.n, 0x15, 0))
			add(&t, 0x15, 0, false);
		if (!(e = find(t.e, t.n, 0x16, 0)))
			e = add(&t, 0x16, 0, false);
		if (e)
			e->eax = (uint32_t)(cfg->tsc_khz / 1000);
	}
	/*
	 * Leaf 0x40000000: "hvmhvmhvmhvm", highest leaf 0x40000010. Leaf
	 * 0x40000010: TSC and bus frequency in kHz, the "VMware timing
	 * leaf" other hypervisors reuse; the bus is the APIC timer's 1 GHz.
	 * Linux reads neither, so vmctl also puts tsc_early_khz= on its
	 * command line (boot_linux.c).
	 */
	if ((e = add(&t, HV_LEAF_BASE, 0, false))) {
		e->eax = HV_LEAF_TIMING;
		memcpy(&e->ebx, "hvmh", 4);
		memcpy(&e->ecx, "vmhv", 4);
		memcpy(&e->edx, "mhvm", 4);
	}
	if ((e = add(&t, HV_LEAF_TIMING, 0, false))) {
		e->eax = (uint32_t)cfg->tsc_khz;
		e->ebx = 1000000;
	}
	return t.full ? -E2BIG : (int)t.n;
}
