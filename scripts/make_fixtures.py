#!/usr/bin/env python3
"""Random-weight files in the official formats, for sedm's import tests and measurements.

    make_fixtures.py edm   --edm-src DIR --out NET.pkl [--precond VPPrecond] [--model SongUNet]
                           [--resolution 16] [--channels 3] [--label-dim 0] [--model-kwargs JSON] [--seed 0]
        an EDM network snapshot ({"ema": net}, pickled as EDM's training loop does) built by
        NVlabs/edm's own classes, every parameter drawn at random (EDM zero-initialises some
        output layers; those get random values too so that every weight matters)
    make_fixtures.py dg    --dg-src DIR --kind classifier|discriminator --out FILE.pt
                           [--resolution 32] [--width 128] [--depth 4] [--cond 0] [--in-channels N] [--seed 0]
        a state dict written by torch.save(model.state_dict()) of DG's create_classifier, with the
        arguments of DG's classifier_lib.load_classifier / load_discriminator except the sizes given
    make_fixtures.py keys  --state FILE.pt --out KEYS.json
        the names and shapes of a torch.save state dict, as a JSON list [[name, [shape...]], ...]
    make_fixtures.py plain --keys KEYS.json --out FILE.pt [--seed 0] [--config-in CONFIG.json --config-out DIR]
        a state dict with those names and shapes made of plain torch tensors: an OrderedDict with the
        _metadata attribute, exactly the object nn.Module.state_dict() returns, saved by torch.save;
        so the import is tested on the official key names without the official source trees

Only python3 with torch (Debian: python3-torch) is needed, plus the official trees for edm / dg.
"""
import argparse
import collections
import json
import os
import pickle
import sys


def die(message):
    print(f"make_fixtures: {message}", file=sys.stderr)
    sys.exit(2)


def randomize(module, seed):
    """Every parameter and floating buffer ~ N(0, 1/fan_in) (weights) or 0.1 N(0, 1) (vectors)."""
    import torch
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(draw(p.shape, gen, name))
    return module


def draw(shape, gen, name=""):
    import torch
    shape = list(shape)
    z = torch.randn(shape, generator=gen, dtype=torch.float64)
    if len(shape) >= 2:
        fan_in = 1
        for s in shape[1:]:
            fan_in *= s
        return (z / fan_in ** 0.5).float()
    if name.endswith("norm.weight") or ".norm" in name and name.endswith("weight"):
        return (1 + 0.1 * z).float()
    return (0.1 * z).float()


def cmd_edm(args):
    sys.path.insert(0, os.path.abspath(args.edm_src))
    import torch
    from training import networks
    kwargs = json.loads(args.model_kwargs) if args.model_kwargs else {}
    precond = getattr(networks, args.precond)
    torch.manual_seed(args.seed)
    net = precond(img_resolution=args.resolution, img_channels=args.channels, label_dim=args.label_dim,
                  model_type=args.model, **kwargs)
    randomize(net.model, args.seed)
    net = net.eval().requires_grad_(False)
    with open(args.out, "wb") as f:
        pickle.dump(dict(ema=net), f)
    n = sum(p.numel() for p in net.parameters())
    print(f"make_fixtures: {args.precond}({args.model}) with {n} parameters -> {args.out}")


def cmd_dg(args):
    sys.path.insert(0, os.path.abspath(args.dg_src))
    import torch
    from guided_diffusion.script_util import create_classifier
    torch.manual_seed(args.seed)
    if not args.depth:
        args.depth = 4 if args.kind == "classifier" else 2
    if args.kind == "classifier":  # classifier_lib.load_classifier
        model = create_classifier(image_size=args.resolution, classifier_use_fp16=False,
                                  classifier_width=args.width, classifier_depth=args.depth,
                                  classifier_attention_resolutions="32,16,8", classifier_use_scale_shift_norm=True,
                                  classifier_resblock_updown=True, classifier_pool="attention",
                                  out_channels=args.out_channels or 1000)
    else:  # classifier_lib.load_discriminator
        model = create_classifier(image_size=8, classifier_use_fp16=False, classifier_width=args.width,
                                  classifier_depth=args.depth, classifier_attention_resolutions="32,16,8",
                                  classifier_use_scale_shift_norm=True, classifier_resblock_updown=True,
                                  classifier_pool="attention", out_channels=1,
                                  in_channels=args.in_channels or 512, condition=bool(args.cond))
    randomize(model, args.seed)
    torch.save(model.state_dict(), args.out)
    n = sum(p.numel() for p in model.parameters())
    print(f"make_fixtures: DG {args.kind} with {n} parameters -> {args.out}")


def cmd_keys(args):
    import torch
    state = torch.load(args.state, map_location="cpu")
    keys = [[k, list(v.shape)] for k, v in state.items()]
    with open(args.out, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(k) for k in keys) + "\n]\n")
    print(f"make_fixtures: {len(keys)} keys -> {args.out}")


def cmd_plain(args):
    import torch
    with open(args.keys) as f:
        keys = json.load(f)
    gen = torch.Generator().manual_seed(args.seed)
    state = collections.OrderedDict()
    state._metadata = collections.OrderedDict([("", {"version": 1})])  # as nn.Module.state_dict()
    for name, shape in keys:
        state[name] = draw(shape, gen, name)
    torch.save(state, args.out)
    print(f"make_fixtures: {len(keys)} plain tensors -> {args.out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("edm")
    p.add_argument("--edm-src", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--precond", default="VPPrecond", choices=["VPPrecond", "VEPrecond", "iDDPMPrecond", "EDMPrecond"])
    p.add_argument("--model", default="SongUNet", choices=["SongUNet", "DhariwalUNet"])
    p.add_argument("--resolution", type=int, default=16)
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--label-dim", type=int, default=0)
    p.add_argument("--model-kwargs", default="")
    p.add_argument("--seed", type=int, default=0)
    p = sub.add_parser("dg")
    p.add_argument("--dg-src", required=True)
    p.add_argument("--kind", required=True, choices=["classifier", "discriminator"])
    p.add_argument("--out", required=True)
    p.add_argument("--resolution", type=int, default=32)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--depth", type=int, default=0, help="default: DG's, 4 (classifier) or 2 (discriminator)")
    p.add_argument("--cond", type=int, default=0)
    p.add_argument("--in-channels", type=int, default=0)
    p.add_argument("--out-channels", type=int, default=0)
    p.add_argument("--seed", type=int, default=0)
    p = sub.add_parser("keys")
    p.add_argument("--state", required=True)
    p.add_argument("--out", required=True)
    p = sub.add_parser("plain")
    p.add_argument("--keys", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        import torch  # noqa: F401
    except ImportError:
        die("python3 has no torch (Debian: apt-get install python3-torch)")
    {"edm": cmd_edm, "dg": cmd_dg, "keys": cmd_keys, "plain": cmd_plain}[args.cmd](args)


if __name__ == "__main__":
    main()
