# Exceptions while Status.EXL = 1 (inside a handler): a TLB refill goes to the general
# vector (EBase + 0x180, ExcCode TLBL/TLBS), EPC and Cause.BD keep the values of the
# first exception, an XTLB refill likewise; Status.ERL = 1 behaves the same and makes
# kuseg unmapped. The nested handler resumes the outer one at a recovery address.
main:
	dla	$2, handler
	dla	$3, exc_table
	sd	$2, 16($3)
	dla	$2, refill
	sd	$2, 0($3)
	sd	$2, 8($3)
	li	$20, 0			# nesting depth
	# syscall: the handler touches unmapped kuseg with EXL = 1
	li	$21, 1			# mode 1: load from kuseg
	syscall
	sd	$22, 0($30)
	daddiu	$30, $30, 8
	# an exception in a delay slot first (BD = 1), then a nested one
	li	$21, 2			# mode 2: store to kuseg
	beq	$0, $0, 1f
	syscall
1:	sd	$22, 0($30)
	daddiu	$30, $30, 8
	# XTLB refill under EXL (UX = 1): general vector too
	li	$2, 0x20
	mtc0	$2, $12
	ehb
	li	$21, 3			# mode 3: load from xuseg
	syscall
	sd	$22, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $12
	ehb
	# ERL = 1: kuseg is unmapped (identity), no exception
	li	$21, 4
	syscall
	sd	$22, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

handler:
	daddiu	$20, $20, 1
	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 0($30)
	dmfc0	$26, $14
	sd	$26, 8($30)
	dmfc0	$26, $8
	sd	$26, 16($30)
	mfc0	$26, $12
	sd	$26, 24($30)
	sd	$20, 32($30)
	daddiu	$30, $30, 40
	li	$26, 1
	bne	$20, $26, nested	# depth 2: the nested exception
	nop
	# outer: EXL = 1 here; provoke the nested exception
	dla	$26, recover
	li	$27, 1
	beq	$21, $27, m1
	li	$27, 2
	beq	$21, $27, m2
	li	$27, 3
	beq	$21, $27, m3
	nop
	# mode 4: set ERL and read kuseg address 0x100000 + offset of `word` (identity)
	mfc0	$26, $12
	ori	$26, $26, 4
	mtc0	$26, $12
	ehb
	dla	$27, word
	dsll	$27, $27, 35
	dsrl	$27, $27, 35		# physical = kuseg address under ERL
	ld	$22, 0($27)
	mfc0	$26, $12
	xori	$26, $26, 4
	mtc0	$26, $12
	ehb
	b	out
	nop
m1:	li	$27, 0x4000
	b	out
	lw	$22, 0($27)		# nested TLBL (in a delay slot: BD must not change)
m2:	li	$27, 0x4000
	sw	$0, 0($27)		# nested TLBS
	b	out
	nop
m3:	dli	$27, 0x0000000200000000
	lw	$22, 0($27)		# nested, XTLB region
	b	out
	nop
recover:
	li	$22, 0x77
out:	daddiu	$20, $20, -1
	mfc0	$26, $13		# BD of the outer exception
	ori	$26, $26, 0x7c00	# (k0 must not keep the board lines IP2-IP6)
	xori	$26, $26, 0x7c00
	bgez	$26, 1f
	dmfc0	$27, $14
	daddiu	$27, $27, 4		# in a delay slot: resume after it
1:	daddiu	$27, $27, 4
	dmtc0	$27, $14
	ehb
	eret
nested:	daddiu	$20, $20, -1		# back to depth 1
	dla	$26, recover
	jr	$26
	nop

refill:	lui	$26, 0xbad		# must not be reached with EXL = 1
	sd	$26, 0($30)
	daddiu	$30, $30, 8
	b	_runaway
	nop

	.data
	.align	3
word:	.dword	0x1234123412341234
