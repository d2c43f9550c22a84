# j, jal, jr, jalr (rd = $31 and another register), jr.hb, jalr.hb, bal: targets, link
# values (PC + 8), delay slots, a computed jump table and a 64-bit return address.
main:
	li	$16, 0
	jal	f1
	addiu	$16, $16, 1		# delay slot of jal
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	dla	$2, f1
	jalr	$2
	addiu	$16, $16, 2
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	dla	$2, f2
	jalr	$17, $2			# link in $17
	addiu	$16, $16, 4
ret1:	sd	$16, 0($30)
	daddiu	$30, $30, 8
	dla	$3, ret1
	dsubu	$3, $17, $3
	sd	$3, 0($30)	# 0: $17 = address of ret1
	daddiu	$30, $30, 8
	j	skip
	addiu	$16, $16, 8
	addiu	$16, $16, 0x100		# skipped
skip:	sd	$16, 0($30)
	daddiu	$30, $30, 8
	dla	$2, f1
	jalr.hb	$2
	nop
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	dla	$2, hb
	jr.hb	$2
	nop
	addiu	$16, $16, 0x200		# skipped
hb:	sd	$16, 0($30)
	daddiu	$30, $30, 8
	# jump table
	dla	$20, table
	li	$21, 0
	li	$22, 0
1:	dsll	$4, $21, 3
	daddu	$4, $4, $20
	ld	$4, 0($4)
	jalr	$4
	nop
	addiu	$21, $21, 1
	sltiu	$5, $21, 4
	bnez	$5, 1b
	nop
	sd	$22, 0($30)
	daddiu	$30, $30, 8
	# link register values are the full 64-bit PC + 8
	bal	2f
	nop
2:	sd	$31, 0($30)
	daddiu	$30, $30, 8
	jal	3f
	nop
3:	sd	$31, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

f1:	jr	$31
	addiu	$16, $16, 0x10		# delay slot of the return
f2:	jr	$17
	addiu	$16, $16, 0x20
case0:	jr	$31
	addiu	$22, $22, 1
case1:	jr	$31
	addiu	$22, $22, 10
case2:	jr	$31
	addiu	$22, $22, 100
case3:	jr	$31
	addiu	$22, $22, 1000

	.data
	.align	3
table:	.dword	case0, case1, case2, case3
