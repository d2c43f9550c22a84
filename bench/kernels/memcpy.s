# memcpy: 64-bit loads and stores, 1 MiB copied 40 times.
	.set noreorder
	.text
	.globl start
start:
	li	$s0, 40
	dli	$s1, 0xffffffff80400000		# source
	dli	$s2, 0xffffffff80600000		# destination
2:	move	$t0, $s1
	move	$t1, $s2
	dli	$t2, 0xffffffff80500000		# end of source (1 MiB)
1:	ld	$t3, 0($t0)
	ld	$a4, 8($t0)
	ld	$a5, 16($t0)
	ld	$a6, 24($t0)
	sd	$t3, 0($t1)
	sd	$a4, 8($t1)
	sd	$a5, 16($t1)
	sd	$a6, 24($t1)
	daddiu	$t0, $t0, 32
	bne	$t0, $t2, 1b
	daddiu	$t1, $t1, 32
	addiu	$s0, $s0, -1
	bnez	$s0, 2b
	nop
	b	done
	nop
