:source sub/none.mm
save("/nonexistent-dir/out.npy", A)
save("out.npy", (3x3))
