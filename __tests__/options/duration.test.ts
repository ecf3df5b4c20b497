import { parseDuration } from "../../lib/options/duration.js";

it.each<[unknown, number]>([
  [0, 0],
  [90, 90_000],
  [1.5, 1500],
  ["250ms", 250],
  ["90s", 90_000],
  ["30m", 1_800_000],
  ["2h", 7_200_000],
  ["7d", 604_800_000],
  ["1.5h", 5_400_000],
  [" 2 h ", 7_200_000],
])("%p is %i ms", (value, ms) => {
  expect(parseDuration(value)).toBe(ms);
});

it.each<[unknown]>([
  [-1],
  [Number.NaN],
  [Number.POSITIVE_INFINITY],
  ["2"],
  ["2w"],
  ["-5s"],
  ["h"],
  ["1e3s"],
  [null],
  [undefined],
  [{}],
])("%p is no duration", (value) => {
  expect(parseDuration(value)).toBeUndefined();
});
