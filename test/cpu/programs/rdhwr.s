# RDHWR: CPUNum (0), SYNCI_Step (1), CC (2, value not compared), CCRes (3) in kernel
# mode (always allowed), and in user mode: allowed by HWREna bits or Status.CU0,
# otherwise Reserved Instruction; registers 4-31 are always Reserved Instruction.
# Not here: UserLocal (29), absent on the 5KEc (Config3.ULRI = 0): Reserved Instruction
# for us, while QEMU 7.2 lets Kernel mode (or CU0) read it.
main:
	dla	$2, handler
	dla	$3, exc_table
	sd	$2, 16($3)
	rdhwr	$4, $0
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	rdhwr	$4, $1
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	rdhwr	$4, $2
	li	$4, 0
	rdhwr	$4, $3
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	rdhwr	$4, $4
	rdhwr	$4, $31
	# user mode: map the user page
	dla	$4, ucode
	bal	elo_of
	nop
	move	$6, $2
	move	$7, $0
	li	$4, 1
	li	$5, 0x00400000
	li	$8, 0
	bal	tlb_write
	nop
	li	$18, 0			# pass: HWREna = 0, 0x5, 0xf, CU0 with 0
again:	dla	$2, hwrena
	dsll	$3, $18, 3
	daddu	$2, $2, $3
	ld	$3, 0($2)
	mtc0	$3, $7
	li	$2, 0x00400000
	dmtc0	$2, $14
	li	$2, 0x12		# user, EXL
	li	$3, 3
	bne	$18, $3, 1f
	nop
	lui	$3, 0x1000
	or	$2, $2, $3		# last pass: CU0
1:	mtc0	$2, $12
	ehb
	eret
back:	addiu	$18, $18, 1
	sltiu	$2, $18, 4
	bnez	$2, again
	nop
	mtc0	$0, $7
	b	done
	nop

handler:
	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 0($30)
	dmfc0	$27, $14
	sd	$27, 8($30)
	daddiu	$30, $30, 16
	andi	$26, $26, 0x7c
	xori	$26, $26, 8 << 2	# syscall: back to kernel mode
	bnez	$26, 1f
	nop
	li	$26, 2
	mtc0	$26, $12
	dla	$26, back
	dmtc0	$26, $14
	ehb
	eret
1:	dmfc0	$26, $14
	daddiu	$26, $26, 4
	dmtc0	$26, $14
	ehb
	eret

	.align	12
ucode:	li	$9, 0x77
	rdhwr	$9, $0
	move	$10, $9
	li	$9, 0x77
	rdhwr	$9, $1
	move	$11, $9
	li	$9, 0x77
	rdhwr	$9, $2
	sltiu	$12, $9, 0x77		# only whether it was read (the value is time)
	li	$9, 0x77
	rdhwr	$9, $3
	move	$13, $9
	rdhwr	$9, $28
	syscall
	b	.
	nop

	.data
	.align	3
hwrena:	.dword	0, 0x5, 0xf, 0
