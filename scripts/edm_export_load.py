#!/usr/bin/env python3
"""Builds an NVlabs/edm network from a sedm checkpoint's sidecar and loads what `sedm export` wrote.

    python3 scripts/edm_export_load.py --edm-src EDM_DIR --sidecar NET.json --state NET.pt --out SNAPSHOT.pkl

The network is constructed by EDM's own classes (training/networks.py: VPPrecond / VEPrecond /
iDDPMPrecond / EDMPrecond around SongUNet or DhariwalUNet) with the constructor arguments the
sidecar records (for an imported checkpoint: the original ones; for a sedm-trained DDPM++: EDMPrecond
with sigma_data = 0.5 and the sedm config's U-Net arguments), then load_state_dict(strict=True)
checks that every name and shape fits. The result is pickled as EDM's training loop does
({"ema": net}), so EDM's generate.py and fid.py take it as a --network.
"""
import argparse
import json
import os
import pickle
import sys

UNET_KEYS = ["model_channels", "channel_mult", "channel_mult_emb", "num_blocks", "attn_resolutions", "dropout",
             "augment_dim", "embedding_type", "channel_mult_noise", "encoder_type", "decoder_type",
             "resample_filter", "label_dropout"]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--edm-src", required=True)
    p.add_argument("--sidecar", required=True)
    p.add_argument("--state", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    sys.path.insert(0, os.path.abspath(args.edm_src))
    import torch
    from training import networks
    with open(args.sidecar) as f:
        side = json.load(f)
    imported = side.get("imported", {})
    if "precond" in imported:
        cls = getattr(networks, imported["precond"])
        kwargs = dict(imported["precond_kwargs"])
    else:
        net_cfg = side["network"]
        if net_cfg.get("kind") != "unet":
            sys.exit(f"edm_export_load: a {net_cfg.get('kind')} network has no EDM form")
        pre = side.get("preconditioning", {"kind": "edm", "sigma_data": 0.5})
        cls = {"vp": networks.VPPrecond, "ve": networks.VEPrecond, "iddpm": networks.iDDPMPrecond,
               "edm": networks.EDMPrecond}[pre["kind"]]
        kwargs = dict(img_resolution=net_cfg["img_resolution"], img_channels=net_cfg["in_channels"],
                      label_dim=net_cfg["label_dim"], model_type="SongUNet")
        if pre["kind"] == "edm":
            kwargs["sigma_data"] = pre["sigma_data"]
        kwargs.update({k: net_cfg[k] for k in UNET_KEYS if k in net_cfg})
    net = cls(**kwargs)
    state = torch.load(args.state, map_location="cpu")
    net.load_state_dict(state, strict=True)
    net = net.eval().requires_grad_(False)
    with open(args.out, "wb") as f:
        pickle.dump(dict(ema=net), f)
    print(f"edm_export_load: {cls.__name__} with {len(state)} tensors -> {args.out}")


if __name__ == "__main__":
    main()
