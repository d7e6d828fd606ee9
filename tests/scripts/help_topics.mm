# exact
# :help finds a device by any of its names, and operators, in their own
# topics (issue 19; h100 used to open the commands, which mention it);
# a misspelt device is matched against its names and aliases.
:help h100
:help @
:help **
:device h1000
:device a100x
:device mi3000
:device H100
:device h100-sxm
