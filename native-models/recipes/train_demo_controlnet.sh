#!/bin/sh
# Replays the training of native-models/demo/atelier-shapes-128-scribble as it was run (CPU, one thread, nice 15
# on a shared 2-core machine). The run itself used --deadline, which fits the step count to the time left; the
# step counts it chose are written out here. The first run (fitted to 773 steps while the machine was busiest)
# was stopped after its step-250 checkpoint and resumed with a longer schedule.
set -e
cd "$(dirname "$0")/../.."
R=native-models/recipes/train_demo_controlnet.py
PY="nice -n 15 /usr/bin/python3"
$PY $R data                                       # 3000 scenes through the demo VAE -> .train-controlnet/data.pt
$PY $R train --steps 773 --stop-at 250
$PY $R train --resume --steps 1860
$PY $R export
