# Differential test library, part 1 (prepended to every program by the harness).
#
# Start-up: Status = 0 (kernel mode, BEV clear, interrupts off), Cause = 0, exception
# vectors installed at EBase (0xffffffff80000000), every TLB entry set to a unique
# never-matching kseg0 VPN2 (so both emulators start from the same TLB), UART FIFOs
# enabled and LCR = 3 (8N1), all GPRs zero except $30, the results pointer, then the
# program's `main`.
#
# Conventions for programs:
#   - they start at `main`, keep writable data in `.data`, finish with `b done` (a PC-relative branch: no register is
#     clobbered) and may use every GPR; k0/k1 ($26/$27) belong to exception handlers.
#   - $30 points at `results` (4 KiB): record a value with `sd $x, 0($30)` then
#     `daddiu $30, $30, 8`. The default exception handler records Cause (without the
#     board lines IP2-IP6), EPC and
#     BadVAddr there, then resumes after the faulting instruction (after the delay slot
#     when Cause.BD is set); an interrupt is recorded and Status.IE cleared.
#   - own handlers: store their address in exc_table + 0 (TLB refill, EBase + 0x000),
#     + 8 (XTLB refill, + 0x080), + 16 (general, + 0x180), + 24 (interrupt with
#     Cause.IV, + 0x200). They may use k0/k1 and end with eret.
#   - `_kdata + 8` counts exceptions taken; after 200 the run is aborted to `done`.
#   - helpers: install_vectors, tlb_write, elo_of (see below).
	.set noreorder
	.set noat
	# Writable data (the program's `.data` and the library's) starts on its own page, so
	# that no store ever hits a page holding code (QEMU would retranslate and log the
	# storing instruction twice).
	.data
	.align	12
	.text
	.globl start
start:
	mtc0	$0, $12			# Status: kernel, BEV=0, EXL=ERL=0, IE=0
	mtc0	$0, $13			# Cause: IV=0, IP1:0=0
	lui	$4, 0x8000		# EBase (reset value 0xffffffff80000000)
	bal	install_vectors
	nop
	# TLB: entry i = EntryHi 0xffffffff80000000 + (i << 13), invalid, 4 KiB pages
	mtc0	$0, $5			# PageMask
	mtc0	$0, $6			# Wired
	dmtc0	$0, $2			# EntryLo0
	dmtc0	$0, $3			# EntryLo1
	li	$8, 0
	li	$9, 32
1:	mtc0	$8, $0			# Index
	dsll	$10, $8, 13
	lui	$11, 0x8000
	daddu	$10, $10, $11
	dmtc0	$10, $10		# EntryHi
	ehb
	tlbwi
	addiu	$8, $8, 1
	bne	$8, $9, 1b
	nop
	dmtc0	$0, $10			# EntryHi = 0 (ASID 0)
	mtc0	$0, $0			# Index = 0
	# UART (16550 at ISA port 0x3f8 = kseg1 0xffffffffb80003f8): FIFOs on, 8N1
	lui	$8, 0xb800
	li	$9, 7
	sb	$9, 0x3fa($8)		# FCR
	li	$9, 3
	sb	$9, 0x3fb($8)		# LCR
	# results pointer
	lui	$30, %hi(results)
	daddiu	$30, $30, %lo(results)
	# clear every other GPR and HI/LO
	mthi	$0
	mtlo	$0
	move	$1, $0
	move	$2, $0
	move	$3, $0
	move	$4, $0
	move	$5, $0
	move	$6, $0
	move	$7, $0
	move	$8, $0
	move	$9, $0
	move	$10, $0
	move	$11, $0
	move	$12, $0
	move	$13, $0
	move	$14, $0
	move	$15, $0
	move	$16, $0
	move	$17, $0
	move	$18, $0
	move	$19, $0
	move	$20, $0
	move	$21, $0
	move	$22, $0
	move	$23, $0
	move	$24, $0
	move	$25, $0
	move	$26, $0
	move	$27, $0
	move	$28, $0
	move	$29, $0
	b	main
	move	$31, $0

# install_vectors($4 = base): copies the 4-word stub of each vector to base + 0x000,
# 0x080, 0x100, 0x180 and 0x200. Clobbers $8-$12.
install_vectors:
	lui	$8, %hi(_stubs)
	daddiu	$8, $8, %lo(_stubs)
	li	$9, 0			# vector index
2:	dsll	$10, $9, 4
	daddu	$10, $10, $8		# &_stubs[i] (16 bytes each)
	dsll	$11, $9, 1
	daddu	$11, $11, $8
	lhu	$11, 80($11)		# _vec_offsets[i]
	daddu	$11, $11, $4		# destination
	lw	$12, 0($10)
	sw	$12, 0($11)
	lw	$12, 4($10)
	sw	$12, 4($11)
	lw	$12, 8($10)
	sw	$12, 8($11)
	lw	$12, 12($10)
	sw	$12, 12($11)
	addiu	$9, $9, 1
	sltiu	$12, $9, 5
	bnez	$12, 2b
	nop
	jr	$31
	nop

# tlb_write($4 = index, $5 = EntryHi, $6 = EntryLo0, $7 = EntryLo1, $8 = PageMask):
# writes one TLB entry with tlbwi and restores EntryHi (the current ASID) and PageMask.
# Clobbers $9.
tlb_write:
	dmfc0	$9, $10
	mtc0	$4, $0
	dmtc0	$5, $10
	dmtc0	$6, $2
	dmtc0	$7, $3
	mtc0	$8, $5
	ehb
	tlbwi
	dmtc0	$9, $10
	mtc0	$0, $5
	ehb
	jr	$31
	nop

# elo_of($4 = kseg0 address) -> $2 = EntryLo of its 4 KiB page: PFN, C = 3, D = 1, V = 1, G = 0.
elo_of:
	dsll	$2, $4, 35
	dsrl	$2, $2, 47		# physical page number
	dsll	$2, $2, 6
	jr	$31
	ori	$2, $2, 0x1e

# Vector stubs: k1 = 8 * slot, then the common dispatcher.
_stubs:
	lui	$26, %hi(_vec_common)
	daddiu	$26, $26, %lo(_vec_common)
	jr	$26
	li	$27, 0			# 0x000 TLB refill
	lui	$26, %hi(_vec_common)
	daddiu	$26, $26, %lo(_vec_common)
	jr	$26
	li	$27, 8			# 0x080 XTLB refill
	lui	$26, %hi(_vec_common)
	daddiu	$26, $26, %lo(_vec_common)
	jr	$26
	li	$27, 32			# 0x100 cache error
	lui	$26, %hi(_vec_common)
	daddiu	$26, $26, %lo(_vec_common)
	jr	$26
	li	$27, 16			# 0x180 general
	lui	$26, %hi(_vec_common)
	daddiu	$26, $26, %lo(_vec_common)
	jr	$26
	li	$27, 24			# 0x200 interrupt (Cause.IV)
_vec_offsets:
	.half	0x000, 0x080, 0x100, 0x180, 0x200, 0, 0, 0

# ---- the program follows (assembled with .set noreorder, .set at) ----
	.set	at
