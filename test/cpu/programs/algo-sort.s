# Insertion sort of 64 signed doublewords and a binary search over the result, then an
# unsigned sort of 32 words with sltu: nested loops with data-dependent branches,
# likely branches and a recursive call with a stack frame.
main:
	dla	$29, stack_top
	dla	$4, arr
	li	$5, 64
	dli	$7, 0x9e3779b97f4a7c15
	move	$8, $7
1:	dmult	$8, $7
	mflo	$8
	daddiu	$8, $8, 1
	sd	$8, 0($4)
	daddiu	$4, $4, 8
	addiu	$5, $5, -1
	bnez	$5, 1b
	nop
	# insertion sort (signed)
	dla	$4, arr
	li	$9, 1
2:	dsll	$10, $9, 3
	daddu	$10, $10, $4
	ld	$11, 0($10)		# key
	move	$12, $9
3:	beqz	$12, 4f
	nop
	ld	$13, -8($10)
	slt	$14, $11, $13
	beqzl	$14, 4f
	nop
	sd	$13, 0($10)
	daddiu	$10, $10, -8
	b	3b
	addiu	$12, $12, -1
4:	sd	$11, 0($10)
	addiu	$9, $9, 1
	sltiu	$14, $9, 64
	bnez	$14, 2b
	nop
	ld	$2, 0($4)
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	ld	$2, 504($4)
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	# binary search for arr[37] (recursive)
	ld	$6, 296($4)
	li	$5, 0
	li	$7, 63
	jal	bsearch
	nop
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	# sum check
	li	$2, 0
	li	$9, 0
	li	$15, 64
5:	dsll	$10, $9, 3
	daddu	$10, $10, $4
	ld	$11, 0($10)
	daddu	$2, $2, $11
	drotr	$2, $2, 3
	addiu	$9, $9, 1
	bnel	$9, $15, 5b
	nop
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

# bsearch($4 = arr, $5 = lo, $7 = hi, $6 = key) -> $2 = index or -1
bsearch:
	daddiu	$29, $29, -16
	sd	$31, 8($29)
	slt	$8, $7, $5
	bnez	$8, 7f
	li	$2, -1
	daddu	$9, $5, $7
	dsra	$9, $9, 1		# mid
	dsll	$10, $9, 3
	daddu	$10, $10, $4
	ld	$10, 0($10)
	beq	$10, $6, 8f
	slt	$8, $10, $6
	beqz	$8, 6f
	nop
	jal	bsearch
	daddiu	$5, $9, 1
	b	7f
	nop
6:	jal	bsearch
	daddiu	$7, $9, -1
	b	7f
	nop
8:	move	$2, $9
7:	ld	$31, 8($29)
	jr	$31
	daddiu	$29, $29, 16

	.data
	.align	4
arr:	.space	512
	.space	1024
stack_top:
