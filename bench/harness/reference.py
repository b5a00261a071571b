#!/usr/bin/env python3
"""The Python reference side of sedm's harness: the official samplers on given latents and labels.

    reference.py denoise --edm-src DIR --pkl NET.pkl --x X.npy --sigmas 0.002,1,80 [--labels L.npy] --out D.npy
        D(x; sigma) of the official network for every sigma: [S, N, C, H, W] float64
    reference.py edm     --edm-src DIR --pkl NET.pkl --latents Z.npy [--labels L.npy] [--steps 18] --out X.npy
        NVlabs/edm generate.py edm_sampler (Heun, S_churn 0)
    reference.py dg      --edm-src DIR --dg-src DIR --pkl NET.pkl --classifier C.pt --discriminator D.pt
                         --latents Z.npy [--labels L.npy] [--cond 0|1] [--steps 18] [--w1 2.0] [--w2 0]
                         [--time-min 0.01] [--time-max 1.0] [--es 1.0] --out X.npy
        alsdudrla10/DG generate.py edm_sampler with classifier_lib.get_discriminator (EDM-G++); with
        --es b != 1 the network is wrapped in EDM-ES's epsilon scaling D~ = x - (x - D)/b, which is
        SEDM-G++ (thefoolonthehill18/SEDM-G: ES on the network slope, the DG term unscaled;
        docs/ALGORITHMS.md sections 6.1 and 9.1)
    reference.py dg-logit --dg-src DIR --classifier C.pt --discriminator D.pt --x X.npy --tau T.npy
                         [--labels L.npy] [--cond 0|1] --out G.npy
        DG's own modules (classifier_lib.load_classifier / load_discriminator) at float32 inputs x [N, C, H, W]
        and VP times tau [N]: the head's pre-sigmoid logits l [N] followed by the input gradient of sum(l)
        [N, C, H, W], flattened into one float64 vector (the classifier parity measure)

Common: --device cpu|cuda (default cpu), --threads N (torch.set_num_threads), --batch B. Prints one JSON
line {"images": N, "seconds": T, "images_per_s": R}. DG's generate.py imports tensorflow and
torchvision only to save images; they are replaced by empty modules here when missing (nothing of
them is used by edm_sampler). The official trees are used as they are, never copied.
"""
import argparse
import json
import os
import sys
import time
import types


def die(message):
    print(f"reference: {message}", file=sys.stderr)
    sys.exit(2)


def load_net(args, torch):
    import pickle
    with open(args.pkl, "rb") as f:
        net = pickle.load(f)["ema"]
    return net.to(torch.device(args.device)).eval().requires_grad_(False)


def one_hot(args, net, n, torch, np):
    if not net.label_dim:
        return None
    if not args.labels:
        die("the network is class-conditional (label_dim %d): pass --labels" % net.label_dim)
    classes = torch.as_tensor(np.load(args.labels).astype(np.int64)).reshape(-1)
    if classes.numel() != n:
        die(f"--labels holds {classes.numel()} classes for {n} latents")
    return torch.eye(net.label_dim, device=args.device)[classes.to(args.device)]


def timed(run, n, sync):
    start = time.perf_counter()
    out = run()
    sync()
    seconds = time.perf_counter() - start
    print(json.dumps({"images": n, "seconds": seconds, "images_per_s": n / seconds}))
    return out


def dg_logit(args):
    if not (args.dg_src and args.classifier and args.discriminator and args.x and args.tau):
        die("dg-logit needs --dg-src, --classifier, --discriminator, --x and --tau")
    import numpy as np
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    sys.path.insert(0, os.path.abspath(args.dg_src))
    import classifier_lib
    os.chdir("/")  # classifier_lib prefixes checkpoint paths with os.getcwd()
    x = torch.as_tensor(np.load(args.x)).to(args.device, torch.float32).requires_grad_(True)
    tau = torch.as_tensor(np.load(args.tau)).to(args.device, torch.float32).reshape(-1)
    classifier = classifier_lib.load_classifier(args.classifier, x.shape[-1], args.device, eval=True)
    head = classifier_lib.load_discriminator(args.discriminator, args.device, bool(args.cond), eval=True)
    condition = None
    if args.cond:
        if not args.labels:
            die("--cond 1 needs --labels")
        classes = torch.as_tensor(np.load(args.labels).astype(np.int64)).reshape(-1)
        condition = torch.eye(10, device=args.device)[classes.to(args.device)]
    # classifier_lib.get_discriminator's evaluate, without the sigmoid: the head's logit.
    features = classifier(x, timesteps=tau, feature=True)
    logit = head(features, tau, sigmoid=False, condition=condition).view(-1)
    (grad,) = torch.autograd.grad(logit.sum(), x)
    out = torch.cat([logit.detach().to(torch.float64), grad.to(torch.float64).reshape(-1)])
    np.save(args.out, out.cpu().numpy())


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    p.add_argument("mode", choices=["denoise", "edm", "dg", "dg-logit"])
    p.add_argument("--edm-src")
    p.add_argument("--dg-src")
    p.add_argument("--pkl")
    p.add_argument("--x")
    p.add_argument("--tau")
    p.add_argument("--sigmas", default="0.002,1,80")
    p.add_argument("--latents")
    p.add_argument("--labels")
    p.add_argument("--classifier")
    p.add_argument("--discriminator")
    p.add_argument("--cond", type=int, default=0)
    p.add_argument("--steps", type=int, default=18)
    p.add_argument("--w1", type=float, default=2.0)
    p.add_argument("--w2", type=float, default=0.0)
    p.add_argument("--time-min", type=float, default=0.01)
    p.add_argument("--time-max", type=float, default=1.0)
    p.add_argument("--es", type=float, default=1.0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    for key in ("out", "classifier", "discriminator", "pkl", "latents", "labels", "x", "tau"):
        if getattr(args, key):
            setattr(args, key, os.path.abspath(getattr(args, key)))

    if args.mode == "dg-logit":
        dg_logit(args)
        return
    if not (args.edm_src and args.pkl):
        die(args.mode + " needs --edm-src and --pkl")
    sys.path.insert(0, os.path.abspath(args.edm_src))
    import numpy as np
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
    sync = (lambda: torch.cuda.synchronize()) if args.device.startswith("cuda") else (lambda: None)
    net = load_net(args, torch)

    if args.mode == "denoise":
        x = torch.as_tensor(np.load(args.x)).to(args.device, torch.float32)
        labels = one_hot(args, net, x.shape[0], torch, np)
        outs = []
        for s in [float(v) for v in args.sigmas.split(",")]:
            sigma = torch.full([x.shape[0]], s, dtype=torch.float64, device=args.device)
            with torch.no_grad():
                outs.append(net(x, sigma, labels).to(torch.float64).cpu().numpy())
        np.save(args.out, np.stack(outs))
        return

    latents = torch.as_tensor(np.load(args.latents)).to(args.device, torch.float64)
    n = latents.shape[0]
    labels = one_hot(args, net, n, torch, np)

    if args.mode == "edm":
        import generate as edm_generate  # NVlabs/edm generate.py
        def run():
            out = []
            for s in range(0, n, args.batch):
                lab = None if labels is None else labels[s:s + args.batch]
                with torch.no_grad():
                    out.append(edm_generate.edm_sampler(net, latents[s:s + args.batch], lab, num_steps=args.steps))
            return torch.cat(out)
        images = timed(run, n, sync)
    else:
        if not (args.dg_src and args.classifier and args.discriminator):
            die("dg needs --dg-src, --classifier and --discriminator")
        for name in ("tensorflow",):
            if name not in sys.modules:
                try:
                    __import__(name)
                except ImportError:
                    sys.modules[name] = types.ModuleType(name)
        try:
            import torchvision.utils  # noqa: F401
        except ImportError:
            tv = types.ModuleType("torchvision")
            tv.utils = types.ModuleType("torchvision.utils")
            tv.utils.make_grid = tv.utils.save_image = None
            sys.modules["torchvision"] = tv
            sys.modules["torchvision.utils"] = tv.utils
        sys.path.remove(os.path.abspath(args.edm_src))
        sys.path.insert(0, os.path.abspath(args.dg_src))
        for mod in [m for m in sys.modules if m == "generate"]:
            del sys.modules[mod]
        import classifier_lib
        import generate as dg_generate  # alsdudrla10/DG generate.py
        # classifier_lib prefixes checkpoint paths with os.getcwd(): run from / with absolute paths.
        os.chdir("/")
        disc = classifier_lib.get_discriminator(os.path.abspath(args.classifier), os.path.abspath(args.discriminator),
                                                bool(net.label_dim and args.cond), net.img_resolution, args.device,
                                                enable_grad=True)
        vpsde = classifier_lib.vpsde()
        model = net
        if args.es != 1.0:
            class EpsilonScaled(torch.nn.Module):
                """EDM-ES: D~ = x - (x - D)/b, so the slope (x - D~)/sigma is the scaled noise estimate."""
                def __init__(self, inner, b):
                    super().__init__()
                    self.inner, self.b = inner, b
                    for attr in ("sigma_min", "sigma_max", "img_resolution", "img_channels", "label_dim"):
                        setattr(self, attr, getattr(inner, attr))

                def round_sigma(self, sigma):
                    return self.inner.round_sigma(sigma)

                def forward(self, x, sigma, class_labels=None):
                    d = self.inner(x, sigma, class_labels).to(torch.float64)
                    return x - (x - d) / self.b
            model = EpsilonScaled(net, args.es)

        def run():
            out = []
            for s in range(0, n, args.batch):
                lab = None if labels is None else labels[s:s + args.batch]
                out.append(dg_generate.edm_sampler(0, args.time_min, args.time_max, vpsde, args.w1, args.w2, disc,
                                                   model, latents[s:s + args.batch], lab, num_steps=args.steps)
                           .detach())
            return torch.cat(out)
        images = timed(run, n, sync)
    np.save(args.out, images.to(torch.float64).cpu().numpy())


if __name__ == "__main__":
    main()
