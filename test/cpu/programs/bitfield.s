# ext, ins, dext, dextm, dextu, dins, dinsm, dinsu over a spread of positions and sizes,
# including the full-width and boundary cases.
main:
	dli	$2, 0x8badf00ddeadbeef
	dli	$3, 0x0123456789abcdef
	ext	$4, $2, 0, 32
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	ext	$4, $2, 0, 1
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	ext	$4, $2, 31, 1
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	ext	$4, $2, 4, 28
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	ext	$4, $2, 8, 24
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	ext	$4, $2, 16, 16
	sd	$4, 0($30)
	daddiu	$30, $30, 8
	move	$5, $3
	ins	$5, $2, 0, 32
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	move	$5, $3
	ins	$5, $2, 0, 1
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	move	$5, $3
	ins	$5, $2, 31, 1
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	move	$5, $3
	ins	$5, $2, 8, 16
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	move	$5, $3
	ins	$5, $0, 4, 24
	sd	$5, 0($30)
	daddiu	$30, $30, 8
	dext	$6, $2, 0, 32
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dext	$6, $2, 0, 1
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dext	$6, $2, 31, 1
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dext	$6, $2, 4, 20
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dext	$6, $2, 31, 2
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dextm	$6, $2, 0, 64
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dextm	$6, $2, 0, 33
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dextm	$6, $2, 31, 33
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dextm	$6, $2, 4, 40
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dextu	$6, $2, 32, 32
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dextu	$6, $2, 32, 1
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dextu	$6, $2, 63, 1
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	dextu	$6, $2, 40, 12
	sd	$6, 0($30)
	daddiu	$30, $30, 8
	move	$7, $3
	dins	$7, $2, 0, 32
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	move	$7, $3
	dins	$7, $2, 0, 1
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	move	$7, $3
	dins	$7, $2, 31, 1
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	move	$7, $3
	dins	$7, $2, 12, 8
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	move	$7, $3
	dinsm	$7, $2, 0, 64
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	move	$7, $3
	dinsm	$7, $2, 0, 33
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	move	$7, $3
	dinsm	$7, $2, 31, 33
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	move	$7, $3
	dinsm	$7, $2, 20, 40
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	move	$7, $3
	dinsu	$7, $2, 32, 32
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	move	$7, $3
	dinsu	$7, $2, 32, 1
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	move	$7, $3
	dinsu	$7, $2, 63, 1
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	move	$7, $3
	dinsu	$7, $2, 40, 16
	sd	$7, 0($30)
	daddiu	$30, $30, 8
	# a value whose low word is negative: ins/ext sign-extend their 32-bit result
	dli	$8, 0x00000000ffffffff
	ext	$9, $8, 1, 31
	sd	$9, 0($30)
	daddiu	$30, $30, 8
	move	$9, $0
	ins	$9, $8, 31, 1
	sd	$9, 0($30)
	daddiu	$30, $30, 8
	b	done
	nop
