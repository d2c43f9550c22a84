# Conditional traps, register (teq, tne, tge, tgeu, tlt, tltu) and immediate (teqi,
# tnei, tgei, tgeiu, tlti, tltiu) forms, each taken and not taken on signed/unsigned
# boundaries; the default handler records Cause/EPC and resumes after the trap.
main:
	li	$2, -1
	li	$3, 1
	dli	$4, 0x8000000000000000
	li	$5, 0
	teq	$3, $3			# trap
	teq	$3, $2
	tne	$3, $2			# trap
	tne	$3, $3
	tge	$3, $2			# trap (1 >= -1)
	tge	$2, $3
	tgeu	$2, $3			# trap (unsigned)
	tgeu	$3, $2
	tlt	$2, $3			# trap
	tlt	$3, $2
	tltu	$3, $2			# trap
	tltu	$2, $3
	tlt	$4, $5			# trap (INT64_MIN < 0)
	tltu	$4, $5
	teq	$0, $0, 0x3ff		# trap with a code
	teqi	$3, 1			# trap
	teqi	$3, -1
	tnei	$3, 0			# trap
	tnei	$5, 0
	tgei	$3, -1			# trap
	tgei	$2, 0
	tgeiu	$2, 1			# trap: 0xffff... >= 1
	tgeiu	$3, -1			# -1 sign-extends: 1 >= 0xffff... false
	tlti	$2, 0			# trap
	tlti	$3, 1
	tltiu	$3, -1			# trap
	tltiu	$2, 5
	tgei	$4, -32768
	tlti	$4, -32768		# trap
	dli	$6, 0x00000000ffffffff
	tgeiu	$6, -1
	teq	$6, $2
	li	$7, 0x42
	teq	$7, $7			# trap
	addiu	$7, $7, 1		# runs after the handler resumes
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop
