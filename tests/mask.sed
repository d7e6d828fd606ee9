# mask.sed — what varies from run to run in mmcalc's output, replaced by
# placeholders (sed -E): timings, rates, the host's ridge point and its
# compute/memory-bound verdict, and their JSON fields. Shared by the golden
# and docs suites.
s/[0-9]+(\.[0-9]+)? (ns|µs|us|ms|s|min|h)\b/<time>/g
s/[0-9]+(\.[0-9]+)? [kMGTPE]?FLOP\/s/<rate>/g
s/ridge [0-9.]+ [kMG]?FLOP\/B/ridge <n> FLOP\/B/g
s/(on host: <time>, )(compute|memory)-bound/\1<bound>-bound/g
s/"device":"host","bound":"(compute|memory)"/"device":"host","bound":<bound>/g
s/"(seconds|seconds_median|gflops|predicted_seconds)":[-+.0-9eE]+/"\1":<n>/g
