# Variables, ans, did-you-mean and :clear
W = (4096 x 4096)
x = (4096,)
W @ x
