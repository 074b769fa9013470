/** Prometheus text rendering of the reference app's metrics. */
import * as assert from "node:assert/strict";
import { escapeLabelValue, MetricsRegistry } from "../../../examples/app/src/metrics";

describe("reference app: metrics", () => {
  it("renders counters and gauges by name and label values, escaped", () => {
    const metrics = new MetricsRegistry();
    const requests = metrics.counter("app_http_requests_total", "HTTP requests by tenant and status.", ["tenant", "status"]);
    requests.inc({ tenant: "globex", status: "200" });
    requests.inc({ tenant: "acme", status: "503" }, 2);
    requests.inc({ tenant: "acme", status: "200" });
    requests.inc({ tenant: "acme", status: "200" });
    let readOnly = 1;
    metrics.gauge("app_tenant_read_only", "1 while\nread-only.", ["tenant"], (g) => g.set({ tenant: 'we"ird\\' }, readOnly));
    metrics.gauge("app_info", "Version.", ["version"]).set({ version: "1.0.0" }, 1);
    const expected = (value: number) =>
      [
        "# HELP app_http_requests_total HTTP requests by tenant and status.",
        "# TYPE app_http_requests_total counter",
        'app_http_requests_total{tenant="acme",status="200"} 2',
        'app_http_requests_total{tenant="acme",status="503"} 2',
        'app_http_requests_total{tenant="globex",status="200"} 1',
        "# HELP app_info Version.",
        "# TYPE app_info gauge",
        'app_info{version="1.0.0"} 1',
        "# HELP app_tenant_read_only 1 while\\nread-only.",
        "# TYPE app_tenant_read_only gauge",
        `app_tenant_read_only{tenant="we\\"ird\\\\"} ${value}`,
        "",
      ].join("\n");
    assert.equal(metrics.render(), expected(1));
    readOnly = 0;
    assert.equal(metrics.render(), expected(0));
    assert.equal(requests.value({ tenant: "acme", status: "503" }), 2);
  });

  it("refuses unknown labels, decreasing counters and a name twice", () => {
    const metrics = new MetricsRegistry();
    const counter = metrics.counter("c_total", "C.", ["a"]);
    assert.throws(() => counter.inc({ b: "x" }), /metric c_total has no label b/);
    assert.throws(() => counter.inc({ a: "x" }, -1), /counter c_total cannot decrease \(by -1\)/);
    assert.throws(() => metrics.gauge("c_total", "again"), /metric c_total is registered twice/);
    assert.equal(escapeLabelValue('a"b\\c\nd'), 'a\\"b\\\\c\\nd');
  });
});
