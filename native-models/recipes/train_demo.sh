#!/bin/sh
# Replays the training of native-models/demo/atelier-shapes-128 exactly as it was run: four UNet
# stages, each started from the previous checkpoint (the later stages fixed what the earlier ones
# could not learn: places). CPU, one thread each; ~50 min on a quiet 2-core machine.
set -e
cd "$(dirname "$0")/../.."
R=native-models/recipes/train_demo.py
T=native-models/demo/.train
PY="nice -n 10 /usr/bin/python3"
$PY $R vae                                    # 1000 steps on 48 px crops
$PY $R latents                                # 12000 scenes -> $T/latents.pt
# 1: no coordinate channels (learnt colour, not place)
$PY $R unet --no-coords --batch 32 --unet-steps 3492 --unet-stop-at 1750
cp $T/unet.pt $T/unet-stage1.pt
# 2: + coordinate channels (conv_in widened with zero weights)
$PY $R unet --init-from $T/unet-stage1.pt --batch 32 --lr 4e-4 --unet-steps 2921 --unet-stop-at 1500
cp $T/unet.pt $T/unet-stage2.pt
# 3: + weight floor on the noisiest steps
$PY $R unet --init-from $T/unet-stage2.pt --batch 32 --lr 3e-4 --snr-floor 0.2 --unet-steps 3910 --unet-stop-at 750
cp $T/unet.pt $T/unet-stage3.pt
# 4: stronger floor + text probe loss: place words finally get distinct embeddings
$PY $R unet --init-from $T/unet-stage3.pt --batch 32 --lr 3e-4 --snr-floor 1.0 --aux-text 0.1 --unet-steps 3379
$PY $R export --unet-steps 3379 --rec-scheduler euler --rec-steps 20 --rec-guidance 5
