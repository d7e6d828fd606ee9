W
