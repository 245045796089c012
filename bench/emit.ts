/** Benchmark output: one JSON line per figure on stdout, with a stable field order. */
export interface BenchFigure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
}

export function emit(figure: BenchFigure): void {
  process.stdout.write(
    JSON.stringify({ bench: figure.bench, metric: figure.metric, value: figure.value, unit: figure.unit }) + '\n',
  );
}

/** Heap in use after a full collection (needs node --expose-gc; otherwise without collecting). */
export function heapUsedBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
