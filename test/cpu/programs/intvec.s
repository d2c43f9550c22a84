# Interrupt vector selection: with Cause.IV = 0 interrupts use the general vector
# (EBase + 0x180, ExcCode 0); with Cause.IV = 1 the special interrupt vector (EBase +
# 0x200; IntCtl.VS = 0, no vectored interrupts); other exceptions keep using 0x180
# whatever IV. Separate handlers record which vector ran.
main:
	dla	$2, general
	dla	$3, exc_table
	sd	$2, 16($3)
	dla	$2, special
	sd	$2, 24($3)
	li	$2, 0x0301
	mtc0	$2, $12
	li	$3, 0x0100		# IV = 0, IP0
	mtc0	$3, $13
	nop
	lui	$3, 0x0080
	ori	$3, $3, 0x0200		# IV = 1, IP1
	mtc0	$3, $13
	nop
	syscall				# general vector even with IV = 1
	lui	$3, 0x0080
	ori	$3, $3, 0x0300		# IV = 1, both
	mtc0	$3, $13
	nop
	mtc0	$0, $12
	mtc0	$0, $13
	b	done
	nop

general:
	li	$26, 0x180
	b	common
	nop
special:
	li	$26, 0x200
common:	sd	$26, 0($30)
	mfc0	$26, $13
	ori	$26, $26, 0x7c00
	xori	$26, $26, 0x7c00
	sd	$26, 8($30)
	dmfc0	$27, $14
	sd	$27, 16($30)
	daddiu	$30, $30, 24
	andi	$26, $26, 0x7c
	bnez	$26, 1f			# not an interrupt: skip the instruction
	nop
	mfc0	$26, $13
	ori	$26, $26, 0x7f00	# clear IP1:0 (and, in k0, the board lines IP2-IP6)
	xori	$26, $26, 0x7f00
	mtc0	$26, $13
	ehb
	eret
1:	daddiu	$27, $27, 4
	dmtc0	$27, $14
	ehb
	eret
