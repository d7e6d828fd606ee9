A @ A
ans @ ans
ans = A
ans
ans + ans
