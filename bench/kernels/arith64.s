# 64-bit arithmetic: dmult/ddivu-free mix of 64-bit add, shift, rotate, compare (5 M iterations).
	.set noreorder
	.text
	.globl start
start:
	dli	$t0, 0x123456789abcdef1
	dli	$t1, 0x0fedcba987654321
	li	$s0, 5000000
1:	daddu	$t2, $t0, $t1
	dsll	$t3, $t2, 13
	dsrl32	$a4, $t2, 3
	xor	$t0, $t3, $a4
	drotr	$t1, $t1, 7
	dsubu	$t1, $t1, $t0
	sltu	$a5, $t1, $t0
	daddu	$t0, $t0, $a5
	addiu	$s0, $s0, -1
	bnez	$s0, 1b
	nop
	b	done
	nop
