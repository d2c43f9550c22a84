# ll/sc and lld/scd: success, sc without a preceding ll, an intervening ordinary store
# to the same line, an exception (syscall → eret clears LLbit) between ll and sc, sc to
# a different address than the ll, and the loop idiom. LLAddr is dumped.
main:
	dla	$20, word
	dla	$21, dword
	# plain success
	ll	$2, 0($20)
	addiu	$2, $2, 1
	sc	$2, 0($20)
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	lw	$3, 0($20)
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	lld	$2, 0($21)
	daddiu	$2, $2, 1
	scd	$2, 0($21)
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	ld	$3, 0($21)
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	# sc again without ll: fails, memory unchanged
	li	$2, 0x77
	sc	$2, 0($20)
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	lw	$3, 0($20)
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	# an exception between ll and sc: eret clears LLbit
	ll	$2, 0($20)
	syscall
	li	$2, 0x99
	sc	$2, 0($20)
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	lw	$3, 0($20)
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	lld	$2, 0($21)
	syscall
	scd	$2, 0($21)
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	# the loop idiom (atomic add)
	li	$5, 5
1:	ll	$2, 0($20)
	addu	$2, $2, $5
	sc	$2, 0($20)
	beqz	$2, 1b
	nop
	lw	$3, 0($20)
	sd	$3, 0($30)
	daddiu	$30, $30, 8
	# an ordinary load between ll and sc does not break the link
	ll	$2, 0($20)
	lw	$4, 0($21)
	addiu	$2, $2, 1
	sc	$2, 0($20)
	sd	$2, 0($30)
	daddiu	$30, $30, 8
	# $zero destination for ll
	ll	$0, 0($20)
	sd	$0, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop

	.data
	.align	3
word:	.word	0x100, 0
dword:	.dword	0x7fffffff00000000
