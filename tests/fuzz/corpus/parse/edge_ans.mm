ans
(3x4)
ans @ ans.T
ans = 1
