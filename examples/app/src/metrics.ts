/**
 * Prometheus metrics in the text exposition format (version 0.0.4): counters and gauges with
 * labels, rendered in a stable order (by name, then by label values).
 */

/** Labels of one series. */
export type Labels = Readonly<Record<string, string>>;

/** A label value escaped for the text format: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A metric's series as text lines. */
function seriesLines(name: string, labelNames: readonly string[], series: ReadonlyMap<string, number>): string[] {
  return [...series.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => {
      const values: string[] = JSON.parse(key);
      const labels = labelNames.map((label, i) => `${label}="${escapeLabelValue(values[i])}"`).join(",");
      return `${name}${labels ? `{${labels}}` : ""} ${Number.isFinite(value) ? value : "NaN"}`;
    });
}

/** One metric: a name, help, a type and its series by label values. */
abstract class Metric {
  protected readonly series = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}
  abstract readonly type: "counter" | "gauge";

  protected keyOf(labels: Labels): string {
    const extra = Object.keys(labels).filter((l) => !this.labelNames.includes(l));
    if (extra.length) throw new Error(`metric ${this.name} has no label ${extra.join(", ")}`);
    return JSON.stringify(this.labelNames.map((l) => labels[l] ?? ""));
  }

  /** The series' value (0 when never set). */
  value(labels: Labels = {}): number {
    return this.series.get(this.keyOf(labels)) ?? 0;
  }

  render(): string {
    const help = this.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
    return [
      `# HELP ${this.name} ${help}`,
      `# TYPE ${this.name} ${this.type}`,
      ...seriesLines(this.name, this.labelNames, this.series),
    ].join("\n");
  }
}

/** A counter: only goes up. */
export class Counter extends Metric {
  readonly type = "counter";
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`counter ${this.name} cannot decrease (by ${by})`);
    const key = this.keyOf(labels);
    this.series.set(key, (this.series.get(key) ?? 0) + by);
  }
}

/** A gauge: set to a value, or computed when rendered. */
export class Gauge extends Metric {
  readonly type = "gauge";
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly collect?: (gauge: Gauge) => void,
  ) {
    super(name, help, labelNames);
  }
  set(labels: Labels, value: number): void {
    this.series.set(this.keyOf(labels), value);
  }
  override render(): string {
    this.collect?.(this);
    return super.render();
  }
}

/** The metrics of a process. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = [], collect?: (gauge: Gauge) => void): Gauge {
    return this.add(new Gauge(name, help, labelNames, collect));
  }

  /** Every metric, by name, as the body of a `/metrics` response. */
  render(): string {
    return `${[...this.metrics.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((m) => m.render())
      .join("\n")}\n`;
  }

  private add<M extends Metric>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} is registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }
}

/** The content type of {@link MetricsRegistry.render}'s text. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
