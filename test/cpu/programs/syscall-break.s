# syscall and break with code fields, handled by a custom general-exception handler at
# EBase + 0x180 (BEV = 0): it records Cause, EPC, Status (EXL set) and the code field
# read from the faulting instruction, then returns to EPC + 4 with eret. Also the
# instructions that follow still see their registers intact.
main:
	dla	$2, handler
	dla	$3, exc_table
	sd	$2, 16($3)
	li	$10, 0x1234
	syscall
	syscall	0x1
	syscall	0xfffff
	break
	break	7
	break	0x3ff, 0x3ff
	li	$11, 0x5678
	sd	$10, 0($30)
	daddiu	$30, $30, 8
	sd	$11, 0($30)
	daddiu	$30, $30, 8
	dla	$3, exc_table
	sd	$0, 16($3)		# back to the default handler
	syscall
	b	done
	nop

handler:
	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 0($30)
	dmfc0	$26, $14
	sd	$26, 8($30)
	lw	$27, 0($26)		# the instruction
	sd	$27, 16($30)
	mfc0	$27, $12
	sd	$27, 24($30)
	daddiu	$30, $30, 32
	daddiu	$26, $26, 4
	dmtc0	$26, $14
	eret
