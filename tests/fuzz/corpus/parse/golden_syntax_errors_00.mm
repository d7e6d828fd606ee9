# Bad input: each line fails with a position and goes on
(1024x4096
(1024x4096))
[1, 2
