"""Where the CPU forward's time goes: every convolution of the network timed alone (bench_cpu's BM_ConvUnit,
synthetic weights, 2 threads), grouped by what runs it, with each group's share of the convolution time and its
rate in direct-convolution GFLOP/s (2 * cin * cout * kh * kw * output pixels per second, whatever the algorithm).

Usage: python3 tools/bench_cpu_layers.py [--bench build/bench/bench_cpu] [--batch 1] [--isa avx2] [--json FILE]
Needs only the Python standard library. The grouping follows the CPU backend's choices (src/backend/cpu/
conv2d_cpu.cpp, winograd_cpu.cpp) for the 299 x 299 network; numbers are a single run on a shared machine, so
compare builds with alternating invocations.
"""
import argparse
import collections
import json
import os
import subprocess
import sys


def group_of(label):
    """The algorithm that runs a conv unit of the 299 x 299 network, from its name."""
    name = label.split('.')[-1]
    if label.startswith('Conv2d_1a'):
        return '3x3 stride 2, 3 input channels (Conv2d_1a)'
    if label in ('Conv2d_2a_3x3', 'Conv2d_2b_3x3', 'Conv2d_4a_3x3'):
        return 'F(4x4, 3x3), stem'
    if label in ('Mixed_6a.branch3x3', 'Mixed_6a.branch3x3dbl_3', 'Mixed_7a.branch3x3_2',
                 'Mixed_7a.branch7x7x3_4'):
        return '3x3 stride 2'
    if ('7x7' in name or '7x7x3' in name) and not name.endswith('_1'):
        return 'F(4, 7), 1x7 / 7x1'
    if label.startswith(('Mixed_5', 'Mixed_6a')) and name in ('branch3x3dbl_2', 'branch3x3dbl_3'):
        return 'F(4x4, 3x3), 35 x 35'
    if name == 'branch5x5_2':
        return 'F(2x2, 5x5)'
    if label.startswith('Mixed_7') and name.endswith(('_2a', '_2b', '_3a', '_3b')):
        return '1x3 / 3x1, 8 x 8'
    if label.startswith('Mixed_7') and name == 'branch3x3dbl_2':
        return '3x3, 8 x 8 (direct)'
    return '1x1'


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--bench', default='build/bench/bench_cpu')
    ap.add_argument('--batch', type=int, default=1, choices=(1, 8))
    ap.add_argument('--isa', default='', help='force the kernels of one instruction set (FIDCPP_ISA)')
    ap.add_argument('--json', default='', help='also write the per-unit rows here')
    a = ap.parse_args()
    env = dict(os.environ)
    if a.isa:
        env['FIDCPP_ISA'] = a.isa
    out = subprocess.run([a.bench, '--benchmark_filter=BM_ConvUnit/[0-9]+/%d/2/' % a.batch,
                          '--benchmark_format=json'], env=env, check=True, capture_output=True, text=True).stdout
    rows = []
    for b in json.loads(out)['benchmarks']:
        if b.get('error_occurred'):
            sys.exit('bench_cpu: %s: %s' % (b['name'], b.get('error_message', '')))
        ms = b['real_time'] / a.batch  # per image; the unit is ms (bench_cpu sets it)
        rows.append({'unit': b['label'], 'ms_per_image': ms, 'gflop': b['GFLOP/s'] * b['real_time'] * 1e-3 / a.batch})
    if not rows:
        sys.exit('bench_cpu ran no BM_ConvUnit benchmark')
    groups = collections.defaultdict(lambda: [0, 0.0, 0.0])
    for r in rows:
        g = groups[group_of(r['unit'])]
        g[0] += 1
        g[1] += r['ms_per_image']
        g[2] += r['gflop']
    total = sum(g[1] for g in groups.values())
    print('batch %d, 2 threads%s: %.2f ms of convolution per image (units timed alone)' %
          (a.batch, ', ISA ' + a.isa if a.isa else '', total))
    print('| layers | units | ms / image | share | direct-equivalent GFLOP/s |')
    print('|---|---|---|---|---|')
    for k, g in sorted(groups.items(), key=lambda kv: -kv[1][1]):
        print('| %s | %d | %.2f | %.1f%% | %.0f |' % (k, g[0], g[1], 100 * g[1] / total, 1e3 * g[2] / g[1]))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(rows, f, indent=1)


if __name__ == '__main__':
    main()
