# args: --json
# exact
# --json: a chart command's result is {"line", "kind": "chart", "command",
# "chart": the chart's data (axes with the ranges drawn, series with their
# points), "text": what it prints}. 10 FLOP/B at 1 TB/s is 10 TFLOP/s.
:device custom peak=100T bw=1T
:set unicode off
:roofline (60 x 60) @ (60 x 60) height=12
:sweep n = 60..240 x2: (n x n) @ (n x n) height=12
:explain (60 x 60) @ (60 x 60) sort=time
