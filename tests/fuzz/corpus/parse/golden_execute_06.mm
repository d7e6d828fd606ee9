relu([-1, 0, 2])
cos(deg2rad(60))
R = [[cos(deg2rad(30)), -sin(deg2rad(30))], [sin(deg2rad(30)), cos(deg2rad(30))]]
R @ [[1], [0]]
