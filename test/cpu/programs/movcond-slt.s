# movz/movn (taken and not, rd = rs, $zero as condition/destination) and the set-on-
# less-than family slt, sltu, slti, sltiu with signed/unsigned boundaries and the sign-
# extended immediate of sltiu.
main:
	dli	$2, 0x8000000000000000
	dli	$3, 0x7fffffffffffffff
	li	$4, -1
	li	$5, 1
	dli	$6, 0x00000000ffffffff
	li	$7, 0x1111
	move	$8, $7
	movz	$8, $2, $0
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	move	$8, $7
	movz	$8, $2, $5
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	move	$8, $7
	movn	$8, $2, $5
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	move	$8, $7
	movn	$8, $2, $0
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	movz	$0, $2, $0
	sd	$0, 0($30)
	daddiu	$30, $30, 8
	move	$8, $7
	movn	$8, $8, $6		# high half zero, low half non-zero
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	dsll32	$9, $5, 0		# only the high half set
	move	$8, $7
	movz	$8, $2, $9
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	move	$8, $7
	movn	$8, $2, $9
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	# slt family
	li	$16, 0
	dla	$20, values
	li	$21, 0
1:	dsll	$22, $21, 3
	daddu	$22, $22, $20
	ld	$10, 0($22)
	li	$23, 0
2:	dsll	$24, $23, 3
	daddu	$24, $24, $20
	ld	$11, 0($24)
	slt	$12, $10, $11
	sltu	$13, $10, $11
	dsll	$16, $16, 2
	or	$16, $16, $12
	dsll	$13, $13, 1
	or	$16, $16, $13
	drotr	$16, $16, 5
	addiu	$23, $23, 1
	sltiu	$24, $23, 8
	bnez	$24, 2b
	nop
	slti	$12, $10, -1
	sltiu	$13, $10, -1		# immediate sign-extended, compared unsigned
	slti	$14, $10, 0x7fff
	sltiu	$15, $10, 0x7fff
	slti	$17, $10, -32768
	sltiu	$18, $10, -32768
	sb	$12, 0($30)
	sb	$13, 1($30)
	sb	$14, 2($30)
	sb	$15, 3($30)
	sb	$17, 4($30)
	sb	$18, 5($30)
	daddiu	$30, $30, 8
	addiu	$21, $21, 1
	sltiu	$24, $21, 8
	bnez	$24, 1b
	nop
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	slt	$0, $4, $5
	sltiu	$19, $0, 1
	sd	$19, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

	.data
	.align	3
values:
	.dword	0, 1, -1, 0x7fffffffffffffff, 0x8000000000000000
	.dword	0x00000000ffffffff, 0xffffffff80000000, 0x7fff
