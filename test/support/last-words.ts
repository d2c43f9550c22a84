// A demo-board guest that prints two lines and powers off at once (exit code 7), for the
// tests that its last line reaches the console (test/boards/demo-power.test.ts: machine
// and CLI; test/adapter/last-words.test.ts: a debug session).

/** Prints a line through the UART (waiting for THRE only, as most guests do) and powers off at once. */
export const LAST_WORDS = `
	.set	noreorder
	.text
	.globl	start
start:
	dli	$t9, 0xffffffffb80003f8
	dla	$a0, msg
1:	lbu	$t8, 0($a0)
	beqz	$t8, 3f
	nop
2:	lbu	$at, 5($t9)
	andi	$at, $at, 0x20
	beqz	$at, 2b
	nop
	sb	$t8, 0($t9)
	b	1b
	daddiu	$a0, $a0, 1
3:	dli	$t2, 0xffffffffbf100000
	li	$s3, 0x5a5a0007
	sw	$s3, 0($t2)
4:	b	4b
	nop
	.data
msg:	.asciz	"first line\\nthe last line, written just before power-off\\n"
`;

export const LAST_WORDS_OUTPUT = 'first line\nthe last line, written just before power-off\n';
