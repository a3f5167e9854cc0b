#!/usr/bin/env python3
"""Eager PyTorch reference for the training benchmark (benchmarks/bench_training.cpp).

The same two models as models/icl_transformers.cpp, the same data (d = 20, N = 10, S = 3, a fresh
Gaussian X per instance, every prefix), batch 64, Adam (lr 1e-4) with the gradient norm clipped at 1, the all-prefix label loss. Prints one
JSON line per model: steps per second, measured like the C++ benchmark (5 warm-up steps, then groups
of 10 steps each ended by reading the loss back, for at least --seconds), --repetitions times: the median
and every repetition's rate.

    python3 benchmarks/reference_train.py [--device cuda|cpu] [--precision fp32|tf32] [--seconds 5] [--repetitions 3]
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

D_SIGNAL, N_CONTEXT, SPARSITY, BATCH = 20, 10, 3, 64


def sample(batch, device):
    x = torch.randn(batch, N_CONTEXT + 1, D_SIGNAL, dtype=torch.float64)
    scores = torch.rand(batch, D_SIGNAL, dtype=torch.float64)
    support = scores.topk(SPARSITY, dim=1).indices
    beta = torch.zeros(batch, D_SIGNAL, dtype=torch.float64).scatter_(1, support, torch.randn(batch, SPARSITY, dtype=torch.float64))
    y = (x @ beta.unsqueeze(-1)).squeeze(-1)
    return x.float().to(device), y.float().to(device)


class ReluLayer(nn.Module):
    """Definitions 3.1-3.2: ReLU attention with the 1/i causal mask, full D x D heads, then h + W2 relu(W1 h + b)."""

    def __init__(self, dim, heads, hidden, std=0.02):
        super().__init__()
        self.query = nn.Parameter(torch.randn(heads, dim, dim) * std)
        self.key = nn.Parameter(torch.randn(heads, dim, dim) * std)
        self.value = nn.Parameter(torch.randn(heads, dim, dim) * std)
        self.w1 = nn.Parameter(torch.randn(hidden, dim) * std)
        self.w2 = nn.Parameter(torch.randn(dim, hidden) * std)
        self.bias = nn.Parameter(torch.zeros(hidden))

    def forward(self, h):
        b, t, d = h.shape
        m = self.query.shape[0]
        stacked = torch.cat([self.query, self.key, self.value]).reshape(3 * m * d, d)
        qkv = (h @ stacked.t()).view(b, t, 3, m, d).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        mask = torch.ones(t, t, device=h.device).tril() / torch.arange(1, t + 1, device=h.device).unsqueeze(1)
        h = h + ((torch.relu(q @ k.transpose(2, 3)) * mask) @ v).sum(1)
        return h + torch.relu(h @ self.w1.t() + self.bias) @ self.w2.t()


class SmallTF(nn.Module):
    def __init__(self, d=D_SIGNAL, layers=12, heads=4):
        super().__init__()
        dim = 2 * d + 2
        self.d = d
        self.layers = nn.ModuleList(ReluLayer(dim, heads, 4 * dim) for _ in range(layers))
        self.v = nn.Parameter(torch.randn(dim) * 0.02)

    def forward(self, x, y):
        b, rows, d = x.shape
        tokens = torch.zeros(b, rows, 2, 2 * d + 2, device=x.device)
        tokens[:, :, :, :d] = x.unsqueeze(2)
        tokens[:, :, 1, d] = y
        tokens[:, :, 0, 2 * d + 1] = 1.0
        h = tokens.view(b, 2 * rows, 2 * d + 2)[:, : 2 * rows - 1]
        for layer in self.layers:
            h = layer(h)
        return h[:, ::2] @ self.v


class GptBlock(nn.Module):
    def __init__(self, embed, heads, layers, std=0.02):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(embed), nn.LayerNorm(embed)
        self.attn, self.proj = nn.Linear(embed, 3 * embed), nn.Linear(embed, embed)
        self.fc, self.out = nn.Linear(embed, 4 * embed), nn.Linear(4 * embed, embed)
        for lin in (self.attn, self.proj, self.fc, self.out):
            nn.init.normal_(lin.weight, 0.0, std)
            nn.init.zeros_(lin.bias)
        for lin in (self.proj, self.out):
            nn.init.normal_(lin.weight, 0.0, std / math.sqrt(2 * layers))

    def forward(self, h):
        b, t, e = h.shape
        qkv = self.attn(self.ln1(h)).view(b, t, 3, self.heads, e // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        causal = torch.ones(t, t, dtype=torch.bool, device=h.device).triu(1)
        scores = (q @ k.transpose(2, 3) / math.sqrt(e // self.heads)).masked_fill(causal, float("-inf"))
        mixed = (torch.softmax(scores, -1) @ v).permute(0, 2, 1, 3).reshape(b, t, e)
        h = h + self.proj(mixed)
        return h + self.out(F.gelu(self.fc(self.ln2(h)), approximate="tanh"))


class Gpt2(nn.Module):
    def __init__(self, d=D_SIGNAL, n=N_CONTEXT, layers=12, embed=256, heads=8):
        super().__init__()
        self.read_in, self.read_out = nn.Linear(d, embed), nn.Linear(embed, 1)
        self.positions = nn.Parameter(torch.randn(2 * n + 1, embed) * 0.02)
        self.blocks = nn.ModuleList(GptBlock(embed, heads, layers) for _ in range(layers))
        self.final_ln = nn.LayerNorm(embed)

    def forward(self, x, y):
        b, rows, d = x.shape
        tokens = torch.zeros(b, rows, 2, d, device=x.device)
        tokens[:, :, 0] = x
        tokens[:, :, 1, 0] = y
        tokens = tokens.view(b, 2 * rows, d)[:, : 2 * rows - 1]
        h = self.read_in(tokens) + self.positions[: tokens.shape[1]]
        for block in self.blocks:
            h = block(h)
        return self.read_out(self.final_ln(h)[:, ::2]).squeeze(-1)


def measure(model, device, seconds):
    model.to(device).train()
    adam = torch.optim.Adam(model.parameters(), lr=1e-4)

    def step():
        x, y = sample(BATCH, device)
        loss = (model(x, y) - y).pow(2).mean()
        adam.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        adam.step()
        return loss.detach()

    for _ in range(5):
        step()
    float(step())
    steps, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        for _ in range(10):
            loss = step()
        float(loss)
        steps += 10
    return steps / (time.perf_counter() - began)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--precision", default="fp32", choices=["fp32", "tf32"])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--only", default="small_tf,gpt2")
    parser.add_argument("--repetitions", type=int, default=1)
    args = parser.parse_args()
    if args.precision == "tf32":
        torch.set_float32_matmul_precision("high")
    torch.manual_seed(1)
    for name in args.only.split(","):
        model = SmallTF() if name == "small_tf" else Gpt2()
        rates = sorted(measure(model, args.device, args.seconds) for _ in range(args.repetitions))
        print(json.dumps({"model": name, "device": args.device, "precision": args.precision, "batch": BATCH,
                          "steps_per_second": rates[len(rates) // 2], "repetitions": rates, "torch": torch.__version__,
                          "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    main()
