#!/usr/bin/env bash
# Trains every baseline at the paper's budget (Section 6 / Appendix F: K = 12, 340 epochs of 50,000
# fresh instances, Adam) into models/checkpoints/. Resumable: rerun it and each training continues from
# its checkpoint. JOBS trainings run at once (default 2). Extra arguments go to every `icsr train`
# (e.g. --epochs 40 for a reduced run, --device cuda, --max-minutes 8 for chunks).
set -euo pipefail
cd "$(dirname "$0")/.."
icsr=./build/icsr
out=models/checkpoints
jobs=${JOBS:-2}
mkdir -p "$out"
runs=(
  "--method ista --checkpoint $out/ista.safetensors"
  "--method fista --checkpoint $out/fista.safetensors"
  "--method lista --checkpoint $out/lista_fixed.safetensors"
  "--method lista --meta --checkpoint $out/lista_meta.safetensors"
  "--method lista_cp --checkpoint $out/lista_cp_fixed.safetensors"
  "--method lista_cp --meta --checkpoint $out/lista_cp_meta.safetensors"
  "--method alista --checkpoint $out/alista_fixed.safetensors"
  "--method lista_vm --checkpoint $out/lista_vm_fixed.safetensors"
  "--method lista_vm --meta --checkpoint $out/lista_vm_meta.safetensors"
  "--method lista_vm_ss --meta --support-first10 --checkpoint $out/lista_vm_ss_meta.safetensors"
  "--method lista_vm_per_layer --meta --checkpoint $out/lista_vm_per_layer_meta.safetensors"
  "--method lista_vm_ss_per_layer --meta --support-first10 --checkpoint $out/lista_vm_ss_per_layer_meta.safetensors"
  "--method lista_vm_per_layer --checkpoint $out/lista_vm_per_layer_fixed.safetensors"
  # LISTA-VM trained on the support-prior data, as the paper pre-trains every Fig. 1b method (exp.ss_tenfold)
  "--method lista_vm_per_layer --meta --support-first10 --checkpoint $out/lista_vm_per_layer_prior_meta.safetensors"
  "--method lista_vm --meta --support-first10 --checkpoint $out/lista_vm_prior_meta.safetensors"
)
printf '%s\n' "${runs[@]}" | xargs -P "$jobs" -I{} sh -c "$icsr train {} $* >> \"\$(echo '{}' | sed 's/.*--checkpoint //').log\" 2>&1 && echo done: {}"
