import * as api from "@opentelemetry/api";
import {
  errorType,
  instrumentsOf,
  knownMethod,
  routeBound,
  statusClass,
} from "../../lib/observability/otel-metrics.js";
import { installSdk } from "./otel-support.js";

it("knownMethod(): the HTTP methods as they are, anything else _OTHER", () => {
  expect(knownMethod("PATCH")).toBe("PATCH");
  expect(knownMethod("get")).toBe("_OTHER");
  expect(knownMethod("PROPFIND")).toBe("_OTHER");
});

it("statusClass(): 2xx … 5xx, _OTHER outside 100–599", () => {
  expect(statusClass(100)).toBe("1xx");
  expect(statusClass(204)).toBe("2xx");
  expect(statusClass(599)).toBe("5xx");
  expect(statusClass(99)).toBe("_OTHER");
  expect(statusClass(600)).toBe("_OTHER");
});

it("errorType(): a class-like name, never a message", () => {
  expect(errorType(new TypeError("x"))).toBe("TypeError");
  expect(errorType(Object.assign(new Error("x"), { name: "undici.HeadersTimeoutError" }))).toBe(
    "undici.HeadersTimeoutError",
  );
  expect(errorType(Object.assign(new Error(), { name: "GET /store/customers/cus_1 failed" }))).toBe(
    "_OTHER",
  );
  expect(errorType(Object.assign(new Error(), { name: "N".repeat(65) }))).toBe("_OTHER");
  expect(errorType("boom")).toBe("_OTHER");
});

it("routeBound(): at most `limit` distinct routes, then _OTHER; known ones stay", () => {
  const bounded = routeBound(2);
  expect(bounded("/a")).toBe("/a");
  expect(bounded("/b")).toBe("/b");
  expect(bounded("/c")).toBe("_OTHER");
  expect(bounded("/a")).toBe("/a");
});

it("instrumentsOf(): the same instruments while the provider stays, new ones when it changes", async () => {
  const current = instrumentsOf(api);
  const first = installSdk();
  try {
    const a = current();
    expect(current()).toBe(a);
    await first.uninstall();
    const second = installSdk();
    try {
      const b = current();
      expect(b).not.toBe(a);
      b.started.add(1);
      const metrics = await second.collect();
      expect(metrics.get("bff.session.started")?.descriptor.unit).toBe("{session}");
    } finally {
      await second.uninstall();
    }
  } finally {
    await first.uninstall().catch(() => {});
  }
});
