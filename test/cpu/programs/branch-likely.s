# Branch-likely instructions (beql, bnel, blezl, bgtzl, bltzl, bgezl, bltzall, bgezall):
# the delay slot runs only when the branch is taken; the -al forms link either way.
main:
	dla	$20, values
	li	$21, 0
	li	$16, 0
1:	dsll	$2, $21, 3
	daddu	$2, $2, $20
	ld	$2, 0($2)
	ld	$3, 8($20)
	li	$4, 0
	beql	$2, $3, 2f
	addiu	$4, $4, 1		# only when taken
	ori	$4, $4, 0x10
2:	bnel	$2, $3, 3f
	addiu	$4, $4, 2
	ori	$4, $4, 0x20
3:	blezl	$2, 4f
	addiu	$4, $4, 4
	ori	$4, $4, 0x40
4:	bgtzl	$2, 5f
	addiu	$4, $4, 8
	ori	$4, $4, 0x80
5:	bltzl	$2, 6f
	addiu	$4, $4, 16
	ori	$4, $4, 0x100
6:	bgezl	$2, 7f
	addiu	$4, $4, 32
	ori	$4, $4, 0x200
7:	move	$31, $0
	bltzall	$2, 8f
	addiu	$4, $4, 64
	ori	$4, $4, 0x400
8:	dla	$5, 8b
	dsubu	$5, $31, $5
	daddu	$16, $16, $5
	move	$31, $0
	bgezall	$2, 9f
	addiu	$4, $4, 128
	ori	$4, $4, 0x800
9:	dla	$5, 9b
	dsubu	$5, $31, $5
	daddu	$16, $16, $5
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	addiu	$21, $21, 1
	sltiu	$6, $21, 8
	bnez	$6, 1b
	nop
	sd	$16, 0($30)
	daddiu	$30, $30, 8
	# likely loop: the delay slot runs on each taken iteration only
	li	$7, 4
	li	$8, 0
10:	addiu	$7, $7, -1
	bnel	$7, $0, 10b
	addiu	$8, $8, 1
	sd	$8, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

	.data
	.align	3
values:	.dword	0, 5, -5, 0x7fffffffffffffff, 0x8000000000000000, 0x0000000100000000
	.dword	0xffffffff00000000, 0x00000000ffffffff
