"""The event hub benchmark (``python -m bench.events``) runs and reports."""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)
)))


def test_small_run_of_ours_prints_the_table():
    result = subprocess.run(
        [sys.executable, '-m', 'bench.events', '--client', 'ours',
         '--events', '20', '--throughput-events', '50'],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {
        line.split('|')[1].strip(): [cell.strip()
                                     for cell in line.split('|')[2:5]]
        for line in result.stdout.splitlines() if line.startswith('| ')
    }
    assert set(rows) >= {
        'publish → receive, median', 'publish → receive, p99',
        'publish → reply received, median', 'publish → reply received, p99',
        'throughput (published → all received)', 'publish calls alone',
    }
    reference, ours, ratio = rows['publish → receive, median']
    assert reference == '—' and ratio == '—'
    assert re.match(r'^\d+\.\d\d ms$', ours), ours
    assert re.match(r'^[\d,]+ events/s$',
                    rows['throughput (published → all received)'][1])
    assert '20 events for the latencies, 50 for the throughput' in (
        result.stdout
    )


def test_table_ratios():
    sys.path.insert(0, ROOT)
    try:
        from bench import events
    finally:
        sys.path.remove(ROOT)
    text = events.table({
        'reference': {'latency_median': 2.0, 'throughput': 100.0},
        'ours': {'latency_median': 1.0, 'throughput': 300.0},
    })
    assert '| publish → receive, median | 2.00 ms | 1.00 ms | 2.0x |' in text
    assert ('| throughput (published → all received) | 100 events/s | '
            '300 events/s | 3.0x |') in text
    assert '| publish → receive, p99 | — | — | — |' in text


@pytest.mark.parametrize('values, fraction, expected', [
    ([1, 2, 3, 4], 0.99, 4),
    (list(range(1000)), 0.99, 989),
    ([5], 0.99, 5),
])
def test_percentile(values, fraction, expected):
    sys.path.insert(0, ROOT)
    try:
        from bench import events
    finally:
        sys.path.remove(ROOT)
    assert events._percentile(values, fraction) == expected
