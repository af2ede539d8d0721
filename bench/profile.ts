/**
 * Kernel-by-kernel time of GAN steps, from tf.profile: calls and milliseconds per kernel
 * name, and the share of the step's wall time that the kernels account for. The rest is
 * JavaScript around the kernels (tape recording, tidy scopes, tensor bookkeeping).
 *
 * Kernels registered in JavaScript that call other kernels directly, such as the wasm
 * matMul and convolution fixes of src/kernels, appear once with the time of everything
 * they call. Profiling adds its own overhead per kernel, so the wall time here is above the
 * benchmark's.
 */
import * as tf from '@tensorflow/tfjs';
import { formatMs } from './timing.ts';

export interface KernelTotal {
  name: string;
  calls: number;
  totalMs: number;
}

export interface StepProfile {
  steps: number;
  wallMs: number;
  kernelMs: number;
  calls: number;
  /** Per kernel name, slowest first. */
  kernels: KernelTotal[];
}

/** Profiles `steps` calls of `runStep` (after the caller's warm-up) and totals each kernel. */
export async function profileSteps(runStep: (index: number) => void, steps: number): Promise<StepProfile> {
  const started = performance.now();
  const info = await tf.profile(() => {
    for (let i = 1; i <= steps; i++) runStep(i);
  });
  const wallMs = performance.now() - started;

  const backend = tf.getBackend();
  const totals = new Map<string, KernelTotal>();
  for (const kernel of info.kernels) {
    // Ops with a custom gradient (e.g. fusedMatMul__op) are recorded as a scope around the
    // kernels they run, which are recorded too; counting the scope would count them twice.
    if (tf.getKernel(kernel.name, backend) === undefined) continue;
    const total = totals.get(kernel.name) ?? { name: kernel.name, calls: 0, totalMs: 0 };
    total.calls += 1;
    // A backend without a kernel timer reports an error object in place of the time.
    if (typeof kernel.kernelTimeMs === 'number') total.totalMs += kernel.kernelTimeMs;
    totals.set(kernel.name, total);
  }
  const kernels = [...totals.values()].sort((a, b) => b.totalMs - a.totalMs);
  const kernelMs = kernels.reduce((sum, kernel) => sum + kernel.totalMs, 0);
  const calls = kernels.reduce((sum, kernel) => sum + kernel.calls, 0);
  return { steps, wallMs, kernelMs, calls, kernels };
}

/** Formats a profile as a Markdown table of the `top` slowest kernels, per step. */
export function formatProfile(title: string, profile: StepProfile, top = 10): string {
  const perStep = (value: number) => value / profile.steps;
  const lines = [
    `${title}: ${formatMs(perStep(profile.wallMs))} ms wall per step under the profiler, ` +
      `${formatMs(perStep(profile.kernelMs))} ms in ${Math.round(perStep(profile.calls))} kernel calls ` +
      `(${((100 * profile.kernelMs) / profile.wallMs).toFixed(0)} % of wall time)`,
    '',
    '| kernel | calls/step | ms/step | share of kernel time |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const kernel of profile.kernels.slice(0, top)) {
    const share = profile.kernelMs > 0 ? (100 * kernel.totalMs) / profile.kernelMs : 0;
    lines.push(`| ${kernel.name} | ${formatCalls(perStep(kernel.calls))} | ${formatMs(perStep(kernel.totalMs))} | ${share.toFixed(1)} % |`);
  }
  const rest = profile.kernels.slice(top);
  if (rest.length > 0) {
    const restMs = rest.reduce((sum, kernel) => sum + kernel.totalMs, 0);
    const restCalls = rest.reduce((sum, kernel) => sum + kernel.calls, 0);
    const share = profile.kernelMs > 0 ? (100 * restMs) / profile.kernelMs : 0;
    lines.push(`| ${rest.length} other kernels | ${formatCalls(perStep(restCalls))} | ${formatMs(perStep(restMs))} | ${share.toFixed(1)} % |`);
  }
  return lines.join('\n');
}

function formatCalls(calls: number): string {
  return Number.isInteger(calls) ? String(calls) : calls.toFixed(1);
}
