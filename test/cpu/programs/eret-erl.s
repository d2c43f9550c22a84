# ERET: with Status.ERL set it returns to ErrorEPC and clears ERL (EXL untouched); with
# only EXL it returns to EPC and clears EXL; with both it clears ERL only; ERL = 1 makes
# kuseg an unmapped identity region in kernel mode. ErrorEPC is a plain 64-bit register.
main:
	dla	$2, 1f
	dmtc0	$2, $30			# ErrorEPC
	dla	$3, bad
	dmtc0	$3, $14			# EPC (must not be used)
	li	$4, 0x4			# ERL
	mtc0	$4, $12
	ehb
	eret
	b	bad
	nop
1:	mfc0	$5, $12
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	# both EXL and ERL: first eret clears ERL and goes to ErrorEPC
	dla	$2, 2f
	dmtc0	$2, $30
	dla	$3, 3f
	dmtc0	$3, $14
	li	$4, 0x6
	mtc0	$4, $12
	ehb
	eret
	b	bad
	nop
2:	mfc0	$5, $12
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	eret				# EXL still set: to EPC
	b	bad
	nop
3:	mfc0	$5, $12
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	# ERL: kuseg is unmapped in kernel mode
	li	$4, 0x4
	mtc0	$4, $12
	ehb
	dla	$6, word
	dsll	$6, $6, 35
	dsrl	$6, $6, 35		# physical address = kuseg address under ERL
	ld	$7, 0($6)
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	li	$8, 0x5555
	sd	$8, 8($6)
	mtc0	$0, $12
	ehb
	dla	$6, word
	ld	$7, 8($6)
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop
bad:	li	$9, 0xbad
	sd	$9, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

	.data
	.align	3
word:	.dword	0x0badc0de0badc0de, 0
