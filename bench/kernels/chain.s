# Block chain: a loop of short blocks whose branches alternate with the counter's low
# bits (5 M iterations, 3 to 4 translated blocks each), for block-to-block dispatch.
	.set noreorder
	.text
	.globl start
start:
	li	$s0, 5000000
	li	$t0, 0
1:	andi	$t1, $s0, 1
	beqz	$t1, 2f
	addiu	$t0, $t0, 3
	xor	$t0, $t0, $s0
2:	andi	$t1, $s0, 2
	bnez	$t1, 3f
	sll	$t2, $t0, 1
	addu	$t0, $t0, $t2
3:	addiu	$s0, $s0, -1
	bnez	$s0, 1b
	nop
	b	done
	nop
