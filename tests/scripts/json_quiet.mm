# args: --json
# exact
# Commands that say nothing write no JSON object (issue 19): no
# {"kind":"text","text":""} for settings; those that say something do.
:set precision 3
:set memlimit 1GiB
:dtype bf16
:seed 3
:set precision
1 + 1
