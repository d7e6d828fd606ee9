3 * 4
:dtype
