# :bench's run count is read exactly (issue 23: UBSan reported the
# conversion of a huge count): whole numbers out of range are out of
# range, fractions are not counts.
:bench (2x2)@(2x2) 51
:bench (2x2)@(2x2) 9223372036854775807
:bench (2x2)@(2x2) 99999999999999999999
:bench (2x2)@(2x2) 1e18
:bench (2x2)@(2x2) 1e300
:bench (2x2)@(2x2) 2.5
:bench (2x2)@(2x2) 0
