import { describe, expect, it } from "vitest";
import { formatBytes, formatCost, formatDuration, formatSecondsPerStep } from "./format";

describe("format", () => {
  it("writes durations the way the page shows estimates", () => {
    expect(formatDuration(1620)).toBe("27 min 0 s");
    expect(formatDuration(3725)).toBe("1 h 2 min");
    expect(formatDuration(42.4)).toBe("42 s");
    expect(formatDuration(null)).toBe("–");
  });
  it("writes costs with three decimals below a dollar", () => {
    expect(formatCost(1.2312)).toBe("$1.23");
    expect(formatCost(0.0456)).toBe("$0.046");
    expect(formatCost(null)).toBe("–");
  });
  it("writes seconds per step with three significant digits", () => {
    expect(formatSecondsPerStep(0.005561388888888888)).toBe("0.00556");
    expect(formatSecondsPerStep(1.5)).toBe("1.5");
    expect(formatSecondsPerStep(12.3456)).toBe("12.3");
    expect(formatSecondsPerStep(null)).toBe("–");
  });
  it("writes sizes in B, KB and MB", () => {
    expect(formatBytes(900)).toBe("900 B");
    expect(formatBytes(120266)).toBe("117.4 KB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MB");
  });
});
