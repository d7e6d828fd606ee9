# A command whose argument ends inside a string with a backslash stays
# inside its line (fuzz-parse: the span ran one byte past the line)
:help "\
:help "a\"\
:run "\
