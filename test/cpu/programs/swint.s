# Software interrupts (Cause.IP0/IP1) and the interrupt enables: an interrupt is taken
# right after the instruction that makes it pending and enabled (mtc0 Cause, mtc0
# Status, ei), through the general vector with ExcCode 0 (Cause.IV = 0); IM masking,
# EXL, ERL and IE block it; di returns the old Status; both lines pending at once.
# The handler records Cause (IP bits) and EPC, clears IP1:0 and returns.
main:
	dla	$2, handler
	dla	$3, exc_table
	sd	$2, 16($3)
	li	$2, 0x0101		# IE, IM0
	mtc0	$2, $12
	li	$3, 0x0100
	mtc0	$3, $13			# IP0: taken after this instruction
	addiu	$16, $16, 1
	li	$2, 0x0201		# IE, IM1
	mtc0	$2, $12
	li	$3, 0x0100
	mtc0	$3, $13			# IP0 pending but masked
	addiu	$16, $16, 1
	mfc0	$4, $13
	andi	$4, $4, 0x0300
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	li	$2, 0x0301
	mtc0	$2, $12			# unmask IM0: taken now
	addiu	$16, $16, 1
	# EXL and ERL block interrupts
	li	$2, 0x0303		# IE, EXL
	mtc0	$2, $12
	li	$3, 0x0200
	mtc0	$3, $13
	addiu	$16, $16, 1
	li	$2, 0x0305		# IE, ERL
	mtc0	$2, $12
	addiu	$16, $16, 1
	li	$2, 0x0301		# IE only: taken
	mtc0	$2, $12
	addiu	$16, $16, 1
	# di / ei
	li	$3, 0x0300
	di	$5			# old Status in $5, IE cleared
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	mtc0	$3, $13			# both pending, IE = 0
	addiu	$16, $16, 1
	mfc0	$6, $12
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	ei	$7			# taken right after ei
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	addiu	$16, $16, 1
	di
	ei
	di	$0
	mfc0	$6, $12
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $12
	mtc0	$0, $13
	b	done
	nop

handler:
	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 0($30)
	dmfc0	$26, $14
	sd	$26, 8($30)
	daddiu	$30, $30, 16
	mfc0	$26, $13
	ori	$26, $26, 0x7f00	# clear IP1:0 (and, in k0, the board lines IP2-IP6)
	xori	$26, $26, 0x7f00	# clear IP1:0
	mtc0	$26, $13
	ehb
	eret
