# Status bits that change where an address translates, toggled between accesses to the
# same addresses: an xkphys load with KX set, then with KX clear (AdEL); an xuseg load
# with UX set (TLB refill through the XTLB vector) then clear (AdEL); a kuseg load under
# ERL (unmapped identity), then after ERL is cleared by mtc0 and by eret (TLB refill).
# Each access succeeds or faults as the Status of that moment says — not as the one
# under which the same page was accessed before (the default handler records Cause, EPC
# and BadVAddr and goes on after the access; `refill` here does the same for both refill
# vectors, keeping EXL's Status for the count).
main:
	dla	$2, refill
	dla	$3, exc_table
	sd	$2, 0($3)
	sd	$2, 8($3)
	dla	$20, word
	dsll	$21, $20, 35
	dsrl	$21, $21, 35		# physical address of word = its kuseg address under ERL
	dli	$22, 0x9800000000000000
	or	$22, $22, $21		# xkphys (cached) alias of word
	# xkphys: KX set → loads; KX clear → AdEL; KX set again → loads
	li	$4, 0x80
	mtc0	$4, $12
	ehb
	ld	$5, 0($22)
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $12
	ehb
	li	$5, 1
	ld	$5, 0($22)
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	li	$4, 0x80
	mtc0	$4, $12
	ehb
	ld	$5, 8($22)
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	# xuseg beyond 4 GiB: UX set → TLB refill (XTLB vector); UX clear → AdEL
	dli	$23, 0x0000000100000000
	li	$4, 0xa0
	mtc0	$4, $12
	ehb
	lw	$6, 0($23)
	mtc0	$0, $12
	ehb
	lw	$6, 0($23)
	# kuseg under ERL: identity; ERL cleared by mtc0 → TLB refill
	li	$4, 0x4
	mtc0	$4, $12
	ehb
	ld	$7, 0($21)
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	mtc0	$0, $12
	ehb
	li	$7, 2
	ld	$7, 0($21)
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	# ERL again, read, then eret clears it: the same read refills
	li	$4, 0x4
	mtc0	$4, $12
	ehb
	ld	$7, 8($21)
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	dla	$2, 1f
	dmtc0	$2, $30			# ErrorEPC
	ehb
	eret
	b	bad
	nop
1:	li	$7, 3
	ld	$7, 8($21)
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop
refill:	mfc0	$26, $13
	ori	$26, $26, 0x7c00	# (board interrupt lines not compared)
	xori	$26, $26, 0x7c00
	sd	$26, 0($30)
	dmfc0	$26, $8
	sd	$26, 8($30)
	daddiu	$30, $30, 16
	dmfc0	$26, $14
	daddiu	$26, $26, 4		# resume after the load (never in a delay slot here)
	dmtc0	$26, $14
	ehb
	eret
bad:	li	$9, 0xbad
	sd	$9, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

	.data
	.align	3
word:	.dword	0x1122334455667788, 0x99aabbccddeeff00
