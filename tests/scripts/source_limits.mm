# exact
# :source reads a bounded script file: devices and directories are
# refused at once (issue 23), not read until memory runs out
:source /dev/zero
:source /
1 + 1
