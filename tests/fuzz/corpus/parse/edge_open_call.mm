softmax(
