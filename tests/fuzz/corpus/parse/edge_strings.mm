"unterminated
"\x"
"a\"b"
shape("s")
"" @ ""
