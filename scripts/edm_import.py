#!/usr/bin/env python3
"""Unpickles an NVlabs/edm network snapshot and writes what `sedm import edm` maps.

    python3 scripts/edm_import.py --edm-src EDM_DIR --pkl SNAPSHOT.pkl --out DIR [--key ema]

EDM snapshots are Python pickles that embed EDM's own classes (training/networks.py,
torch_utils/persistence.py), so reading one needs an EDM source tree on sys.path; its path is
given, never copied into this project. Writes, into DIR:

  state.pt     torch.save of a plain dict {name: tensor} = net.state_dict() (names as EDM's, with
               the preconditioner's "model." prefix), float32 and contiguous
  config.json  {"precond": class name, "model": class name, "precond_kwargs": {...},
                "model_kwargs": {...}} - every constructor argument resolved against the class's
               signature defaults, plus sigma_min / sigma_max / sigma_data where the net has them

Exit status 2 with one line on stderr on any problem. This script never writes sedm's
checkpoint itself: the Java side validates names and shapes and writes it atomically.
"""
import argparse
import inspect
import json
import os
import pickle
import sys


def die(message):
    print(f"edm_import: {message}", file=sys.stderr)
    sys.exit(2)


def resolved_kwargs(obj):
    """The constructor arguments of a persistent EDM object, defaults filled in."""
    # torch_utils/persistence.py wraps each class in a subclass whose __init__(*args, **kwargs)
    # records the arguments; the signature with the defaults is the wrapped class's.
    cls = next((c for c in type(obj).__mro__ if "__init__" in c.__dict__
                and "persistent_class" not in c.__dict__["__init__"].__qualname__), type(obj))
    init_kwargs = dict(getattr(obj, "init_kwargs", {}) or {})
    init_args = tuple(getattr(obj, "init_args", ()) or ())
    signature = inspect.signature(cls.__init__)
    params = [p for p in signature.parameters.values() if p.name != "self"]
    out = {}
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    for p, value in zip(positional, init_args):
        out[p.name] = value
    for p in params:
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        if p.name in init_kwargs:
            out[p.name] = init_kwargs.pop(p.name)
        elif p.name not in out and p.default is not inspect.Parameter.empty:
            out[p.name] = p.default
    out.update(init_kwargs)  # **model_kwargs of a preconditioner
    return out


def jsonable(value):
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    return repr(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edm-src", required=True, help="a checkout of NVlabs/edm (dnnlib, torch_utils, training)")
    parser.add_argument("--pkl", required=True, help="the network snapshot (.pkl)")
    parser.add_argument("--out", required=True, help="output folder (created)")
    parser.add_argument("--key", default="ema", help="the snapshot entry holding the network (default: ema)")
    args = parser.parse_args()

    for sub in ("dnnlib", "torch_utils"):
        if not os.path.isdir(os.path.join(args.edm_src, sub)):
            die(f"--edm-src {args.edm_src} is not an NVlabs/edm checkout (no {sub}/ folder)")
    sys.path.insert(0, os.path.abspath(args.edm_src))
    try:
        import torch
    except ImportError:
        die("python3 has no torch (Debian: apt-get install python3-torch)")
    try:
        with open(args.pkl, "rb") as f:
            snapshot = pickle.load(f)
    except FileNotFoundError:
        die(f"--pkl {args.pkl}: no such file")
    except Exception as e:  # a corrupt or foreign pickle: name it, no traceback
        die(f"--pkl {args.pkl}: cannot unpickle ({type(e).__name__}: {e})")
    net = snapshot.get(args.key) if isinstance(snapshot, dict) else None
    if net is None:
        keys = sorted(snapshot) if isinstance(snapshot, dict) else type(snapshot).__name__
        die(f"--pkl {args.pkl}: no network under key '{args.key}' (has {keys})")
    model = getattr(net, "model", None)
    if not isinstance(net, torch.nn.Module) or not isinstance(model, torch.nn.Module):
        die(f"--pkl {args.pkl}: '{args.key}' is a {type(net).__name__}, not an EDM preconditioned network")

    config = {
        "precond": type(net).__name__,
        "model": type(model).__name__,
        "precond_kwargs": jsonable(resolved_kwargs(net)),
        "model_kwargs": jsonable(resolved_kwargs(model)),
    }
    for attr in ("sigma_min", "sigma_max", "sigma_data", "img_resolution", "img_channels", "label_dim"):
        if hasattr(net, attr):
            config[attr] = jsonable(float(getattr(net, attr)) if attr.startswith("sigma") else getattr(net, attr))
    state = {k: v.detach().to(torch.float32).contiguous() if v.is_floating_point() else v.detach().contiguous()
             for k, v in net.state_dict().items()}
    os.makedirs(args.out, exist_ok=True)
    torch.save(state, os.path.join(args.out, "state.pt"))
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    print(f"edm_import: {len(state)} tensors, {config['precond']}({config['model']}) -> {args.out}")


if __name__ == "__main__":
    main()
