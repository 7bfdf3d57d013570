/*
 * The Sv39/Sv48 software MMU for the host tests: the virtual-address
 * translation algorithm of the RISC-V privileged architecture (version
 * 1.12, section 4.3.2, with 4.4 Sv39, 4.5 Sv48 and the Svpbmt and Svnapot
 * chapters), written from the manual and on purpose sharing nothing with
 * kernel/arch/riscv64/pt_format.c or riscv/pte.h, so that a mistake in the
 * format shows up as a disagreement between the two.
 *
 * The configuration modelled, which is the one the Pagoda kernel runs with:
 *   - satp.MODE Sv39 or Sv48 and one root for both halves: satp.PPN is
 *     req->user_root ("the root" in swmmu.h); req->kernel_root is not used,
 *     so a user directory must really carry the kernel half to translate it.
 *   - sstatus.SUM = 0: S-mode loads and stores to U pages fault;
 *     sstatus.MXR = 0: loads need R (X alone does not make a page readable);
 *     S-mode never executes from U pages; U-mode touches only U pages.
 *   - No Svnapot: bit 63 (N) is reserved. Bits 60:54 are reserved.
 *   - swmmu_sv39/sv48_translate: a hart without Svpbmt. Bits 62:61 are
 *     reserved, and the type comes from the PMAs, which this model does not
 *     have: every translation reports MEMORY_TYPE_NORMAL.
 *     swmmu_sv39/sv48_svpbmt_translate (declared by the tests that use
 *     them, not in swmmu.h): a hart with Svpbmt; PBMT 0 = PMA (NORMAL),
 *     1 = NC (NONCACHEABLE), 2 = IO, 3 reserved; reserved in pointers.
 *   - Accessed/dirty: SWMMU_AD_HARDWARE is a hart that updates A (and D on a
 *     store) in memory itself, as QEMU does; SWMMU_AD_FAULT a hart that traps
 *     instead (Svade).
 *
 * RISC-V reports every failure below as one "page fault" exception for the
 * access type; the outcome says which step raised it:
 *   SWMMU_NOT_PRESENT  no usable leaf: a non-canonical address, V = 0, W
 *                      without R, reserved bits or encodings, a pointer at
 *                      the last level, a misaligned superpage (checked
 *                      before the rights, although the manual's step 6
 *                      follows step 5: both raise the same exception);
 *   SWMMU_PROTECTION   a usable leaf whose R/W/X/U forbid the access;
 *   SWMMU_ACCESS_FLAG  the access is allowed, but A is clear, or D is clear on
 *                      a store, and the hart traps on that (SWMMU_AD_FAULT).
 * Access faults (PMP, PMA) are not modelled.
 */
#include "tests/host/swmmu.h"
#include <stdlib.h>
#include <string.h>

/* Sv39/Sv48 PTE bits, privileged spec figures 4.21 and 4.24. */
#define SV_V (UINT64_C(1) << 0)
#define SV_R (UINT64_C(1) << 1)
#define SV_W (UINT64_C(1) << 2)
#define SV_X (UINT64_C(1) << 3)
#define SV_U (UINT64_C(1) << 4)
#define SV_A (UINT64_C(1) << 6)
#define SV_D (UINT64_C(1) << 7)
#define SV_PPN_LOW 10               /* PPN: bits 53..10 */
#define SV_PPN_BITS 44
#define SV_RESERVED_MASK (UINT64_C(0x7f) << 54) /* bits 60..54 */
#define SV_PBMT_LOW 61                          /* PBMT: bits 62..61 */
#define SV_PBMT_MASK (UINT64_C(3) << SV_PBMT_LOW)
#define SV_N (UINT64_C(1) << 63)

/* PBMT values (Svpbmt). */
#define SV_PBMT_PMA 0
#define SV_PBMT_NC 1
#define SV_PBMT_IO 2
#define SV_PBMT_RESERVED 3

#define SV_PAGESIZE 4096
#define SV_PTESIZE 8
#define SV_VPN_BITS 9 /* each vpn[i] of the virtual address */
#define SV_OFFSET_BITS 12

struct sv_mode {
    int levels;   /* LEVELS: 3 for Sv39, 4 for Sv48 */
    int va_bits;  /* 39 or 48 */
    bool svpbmt;
};

static const struct sv_mode sv39_plain = { 3, 39, false };
static const struct sv_mode sv39_svpbmt = { 3, 39, true };
static const struct sv_mode sv48_plain = { 4, 48, false };
static const struct sv_mode sv48_svpbmt = { 4, 48, true };

/* The PTE at physical address ADDR; a table outside simulated memory is a test bug. */
static uint64_t pte_load(const struct swmmu_memory *mem, uint64_t addr)
{
    if (addr > mem->size || mem->size - addr < SV_PTESIZE)
        abort();
    uint64_t pte;
    memcpy(&pte, mem->base + addr, sizeof(pte)); /* little-endian host, as RISC-V */
    return pte;
}

static void pte_store(struct swmmu_memory *mem, uint64_t addr, uint64_t pte)
{
    if (addr > mem->size || mem->size - addr < SV_PTESIZE)
        abort();
    memcpy(mem->base + addr, &pte, sizeof(pte));
}

/* "Bits 63-va_bits must all equal bit va_bits-1, or else a page fault occurs." */
static bool va_valid(uint64_t va, int va_bits)
{
    uint64_t upper = va >> (va_bits - 1); /* bit va_bits-1 and everything above it */
    uint64_t ones = UINT64_MAX >> (va_bits - 1);
    return upper == 0 || upper == ones;
}

static uint64_t vpn(uint64_t va, int i)
{
    return (va >> (SV_OFFSET_BITS + SV_VPN_BITS * i)) & ((UINT64_C(1) << SV_VPN_BITS) - 1);
}

static uint64_t pte_ppn(uint64_t pte)
{
    return (pte >> SV_PPN_LOW) & ((UINT64_C(1) << SV_PPN_BITS) - 1);
}

/* Step 3: V clear, W without R, or a reserved bit or encoding set. */
static bool pte_faults(uint64_t pte, const struct sv_mode *mode)
{
    if (!(pte & SV_V) || ((pte & SV_W) && !(pte & SV_R)))
        return true;
    if ((pte & SV_RESERVED_MASK) || (pte & SV_N))
        return true;
    uint64_t pbmt = (pte & SV_PBMT_MASK) >> SV_PBMT_LOW;
    bool leaf = (pte & (SV_R | SV_X)) != 0;
    if (!mode->svpbmt || !leaf)
        return pbmt != 0;
    return pbmt == SV_PBMT_RESERVED;
}

/* Step 5, with SUM = 0 and MXR = 0. */
static bool access_allowed(uint64_t pte, const struct swmmu_request *req)
{
    bool user_page = (pte & SV_U) != 0;
    if (req->user != user_page)
        return false; /* U-mode only U pages; S-mode (SUM = 0) never U pages */
    switch (req->access) {
    case FAULT_READ:
        return (pte & SV_R) != 0;
    case FAULT_WRITE:
        return (pte & SV_W) != 0;
    case FAULT_EXECUTE:
        return (pte & SV_X) != 0;
    }
    abort();
}

static enum memory_type pte_type(uint64_t pte, const struct sv_mode *mode)
{
    if (!mode->svpbmt)
        return MEMORY_TYPE_NORMAL;
    switch ((pte & SV_PBMT_MASK) >> SV_PBMT_LOW) {
    case SV_PBMT_NC:
        return MEMORY_TYPE_NONCACHEABLE;
    case SV_PBMT_IO:
        return MEMORY_TYPE_IO;
    case SV_PBMT_PMA:
        return MEMORY_TYPE_NORMAL;
    }
    abort(); /* SV_PBMT_RESERVED was refused in step 3 */
}

/* Steps 1-8 for REQ; on SWMMU_OK, *PA and *TYPE are the translation. */
static enum swmmu_outcome walk(const struct sv_mode *mode, struct swmmu_memory *mem,
                               const struct swmmu_request *req, uint64_t *pa,
                               enum memory_type *type)
{
    uint64_t va = req->va;
    if (!va_valid(va, mode->va_bits))
        return SWMMU_NOT_PRESENT;

    /* Step 1: a = satp.ppn x PAGESIZE, i = LEVELS - 1. satp holds a ppn: a test must too. */
    uint64_t a = req->user_root;
    if (a % SV_PAGESIZE)
        abort();
    int i = mode->levels - 1;
    uint64_t pte_addr, pte;
    for (;;) {
        /* Step 2. */
        pte_addr = a + vpn(va, i) * SV_PTESIZE;
        pte = pte_load(mem, pte_addr);
        /* Step 3. */
        if (pte_faults(pte, mode))
            return SWMMU_NOT_PRESENT;
        /* Step 4: R or X makes a leaf; otherwise descend. */
        if (pte & (SV_R | SV_X))
            break;
        i = i - 1;
        if (i < 0)
            return SWMMU_NOT_PRESENT;
        a = pte_ppn(pte) * SV_PAGESIZE;
    }

    /* Step 6 (before 5, see the top): a superpage's low ppn[i-1:0] must be zero. */
    uint64_t superpage_ppn_mask = (UINT64_C(1) << (SV_VPN_BITS * i)) - 1;
    if (pte_ppn(pte) & superpage_ppn_mask)
        return SWMMU_NOT_PRESENT;

    /* Step 5. */
    if (!access_allowed(pte, req))
        return SWMMU_PROTECTION;

    /* Step 7: A clear, or a store with D clear. */
    bool store = req->access == FAULT_WRITE;
    if (!(pte & SV_A) || (store && !(pte & SV_D))) {
        if (req->ad_mode == SWMMU_AD_FAULT)
            return SWMMU_ACCESS_FLAG;
        pte |= SV_A | (store ? SV_D : 0);
        pte_store(mem, pte_addr, pte);
    }

    /*
     * Step 8: pa.pgoff = va.pgoff; for a superpage pa.ppn[i-1:0] =
     * va.vpn[i-1:0]; pa.ppn[LEVELS-1:i] = pte.ppn[LEVELS-1:i].
     */
    uint64_t va_low_mask = (UINT64_C(1) << (SV_OFFSET_BITS + SV_VPN_BITS * i)) - 1;
    *pa = (pte_ppn(pte) * SV_PAGESIZE & ~va_low_mask) | (va & va_low_mask);
    *type = pte_type(pte, mode);
    return SWMMU_OK;
}

static void translate(const struct sv_mode *mode, struct swmmu_memory *mem,
                      const struct swmmu_request *req, struct swmmu_result *result)
{
    uint64_t pa = 0;
    enum memory_type type = MEMORY_TYPE_NORMAL;
    result->outcome = walk(mode, mem, req, &pa, &type);
    result->pa = pa;
    result->type = type;
}

void swmmu_sv39_translate(struct swmmu_memory *mem, const struct swmmu_request *req,
                          struct swmmu_result *result)
{
    translate(&sv39_plain, mem, req, result);
}

void swmmu_sv48_translate(struct swmmu_memory *mem, const struct swmmu_request *req,
                          struct swmmu_result *result)
{
    translate(&sv48_plain, mem, req, result);
}

/* The Svpbmt harts (see the top of the file). */

void swmmu_sv39_svpbmt_translate(struct swmmu_memory *mem, const struct swmmu_request *req,
                                 struct swmmu_result *result)
{
    translate(&sv39_svpbmt, mem, req, result);
}

void swmmu_sv48_svpbmt_translate(struct swmmu_memory *mem, const struct swmmu_request *req,
                                 struct swmmu_result *result)
{
    translate(&sv48_svpbmt, mem, req, result);
}
