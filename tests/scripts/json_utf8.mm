# args: --json
# JSON stays valid UTF-8 whatever bytes the user typed (fuzz-parse)
:help ‘
:help Ã©ÿ
:nopeâ€
