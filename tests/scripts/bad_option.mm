# args: -qz
1 + 1
