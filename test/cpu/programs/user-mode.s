# User mode (Status.KSU = 2, entered with eret): user code runs from a TLB-mapped kuseg
# page (0x00400000 → the physical page of `ucode`, 0x00401000 → `udata`). In user mode:
# loads/stores to kuseg work; kseg0/kseg1/kseg3 and 64-bit segments give AdEL/AdES
# (BadVAddr, and EntryHi/Context as QEMU sets them); mfc0 and cache give CpU (CE = 0)
# until Status.CU0 is set; 64-bit operations (sd, dsll of dli) are Reserved Instructions
# until Status.UX is set; syscall/break/trap work. A syscall with $2 = 0xff returns to
# kernel mode at `back`. Three passes: plain, CU0, CU0 + UX.
main:
	dla	$2, handler
	dla	$3, exc_table
	sd	$2, 16($3)
	dla	$4, ucode
	bal	elo_of
	nop
	move	$6, $2
	dla	$4, udata
	bal	elo_of
	nop
	move	$7, $2
	li	$4, 1			# TLB index
	li	$5, 0x00400000		# VPN2, ASID 0
	li	$8, 0
	bal	tlb_write
	nop
	li	$18, 0			# pass
again:	dla	$2, back
	dla	$3, ret_kernel
	sd	$2, 0($3)
	li	$2, 0x00400000
	dmtc0	$2, $14			# EPC = user entry
	li	$2, 0x12		# KSU = user, EXL
	beqz	$18, 1f
	nop
	lui	$3, 0x1000		# later passes: CU0
	or	$2, $2, $3
	sltiu	$3, $18, 2
	bnez	$3, 1f
	nop
	ori	$2, $2, 0x20		# third pass: UX (64-bit operations and xuseg)
1:	mtc0	$2, $12
	ehb
	eret

back:	sd	$18, 0($30)
	daddiu	$30, $30, 8
	mfc0	$2, $12
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	addiu	$18, $18, 1
	sltiu	$2, $18, 3
	bnez	$2, again
	nop
	b	done
	nop

# General handler: record Cause, EPC, BadVAddr, EntryHi, Status; a syscall with
# $2 = 0xff goes back to kernel mode at ret_kernel, anything else resumes at EPC + 4.
handler:
	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 0($30)
	dmfc0	$27, $14
	sd	$27, 8($30)
	dmfc0	$27, $8
	sd	$27, 16($30)
	dmfc0	$27, $10
	sd	$27, 24($30)
	mfc0	$27, $12
	sd	$27, 32($30)
	daddiu	$30, $30, 40
	andi	$26, $26, 0x7c
	xori	$26, $26, 8 << 2	# Sys?
	bnez	$26, 1f
	xori	$26, $2, 0xff
	bnez	$26, 1f
	nop
	li	$26, 0x2		# kernel mode, EXL
	mtc0	$26, $12
	dla	$26, ret_kernel
	ld	$26, 0($26)
	dmtc0	$26, $14
	ehb
	eret
1:	dmfc0	$26, $14
	daddiu	$26, $26, 4
	dmtc0	$26, $14
	ehb
	eret

# ---- user code (position independent: runs at 0x00400000) ----
	.align	12
ucode:	li	$2, 0x1000
	lui	$3, 0x0040
	sw	$2, 0x1000($3)		# udata
	lw	$4, 0x1000($3)
	sd	$4, 0x1008($3)
	lui	$5, 0x8010		# kseg0: AdEL / AdES
	lw	$6, 0($5)
	sw	$6, 0($5)
	lui	$5, 0xa010		# kseg1
	lb	$6, 0($5)
	lui	$5, 0xe000		# kseg3
	lw	$6, 0($5)
	lui	$5, 0xc000		# sseg (supervisor)
	lw	$6, 0($5)
	dli	$5, 0x9800000000100000	# xkphys: not a 32-bit address
	lw	$6, 0($5)
	dli	$5, 0x0000000100000000	# xuseg, UX = 0
	sw	$6, 0($5)
	mfc0	$7, $12			# CpU unless CU0
	mtc0	$0, $11
	syscall	5
	break	6
	li	$8, 1
	teqi	$8, 1
	lw	$9, 0x1000($3)
	li	$2, 0xff
	syscall				# back to the kernel
	b	.			# not reached
	nop

	.data
	.align	12
udata:	.space	4096
ret_kernel: .dword 0
