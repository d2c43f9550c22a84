# tlbwr and Wired: with Wired = 31 the random index is always 31 (the only random
# slot), so tlbwr is deterministic; wired entries below survive tlbwr; Wired write mask;
# Random itself is not read (QEMU's Random comes from a pseudo-random generator).
main:
	li	$2, 31
	mtc0	$2, $6			# Wired = 31
	ehb
	mfc0	$3, $6
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	dla	$4, pa
	bal	elo_of
	nop
	dmtc0	$2, $2
	dmtc0	$0, $3
	li	$5, 0x00060000
	dmtc0	$5, $10
	mtc0	$0, $5
	ehb
	tlbwr				# → entry 31
	li	$5, 0x00062000
	dmtc0	$5, $10
	ehb
	tlbwr				# overwrites entry 31
	dmtc0	$0, $10
	ehb
	li	$6, 31
	mtc0	$6, $0
	ehb
	tlbr
	dmfc0	$7, $10
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	dmfc0	$7, $2
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	dmtc0	$0, $10
	ehb
	li	$8, 0x62000
	ld	$9, 0($8)		# hits entry 31
	sd	$9, 0($30)
	daddiu	$30, $30, 8
	dla	$3, refill
	dla	$4, exc_table
	sd	$3, 0($4)
	li	$8, 0x60000
	ld	$9, 0($8)		# overwritten: refill
	sd	$9, 0($30)
	daddiu	$30, $30, 8
	# Wired write mask / range
	li	$2, 0x3f
	mtc0	$2, $6
	mfc0	$3, $6
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	li	$2, -1
	mtc0	$2, $6
	mfc0	$3, $6
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $6
	b	done
	nop

refill:	dmfc0	$26, $8
	sd	$26, 0($30)
	daddiu	$30, $30, 8
	dmfc0	$26, $14
	daddiu	$26, $26, 4
	dmtc0	$26, $14
	eret

	.data
	.align	12
pa:	.dword	0x5555aaaa, 0
	.space	4096 - 16
