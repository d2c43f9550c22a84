# Integer loop: ALU, shifts, a branch per 6 instructions (20 M iterations).
	.set noreorder
	.text
	.globl start
start:
	li	$t0, 0
	dli	$t1, 20000000
	li	$t2, 0
1:	daddiu	$t0, $t0, 1
	addu	$t2, $t2, $t0
	xor	$t3, $t2, $t0
	sll	$t3, $t3, 3
	bne	$t0, $t1, 1b
	daddu	$t2, $t2, $t3
	b	done
	nop
