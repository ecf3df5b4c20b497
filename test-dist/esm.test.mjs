import { test } from "node:test";
import express from "express";
import * as bff from "bff-session";
import { runSmoke } from "./smoke.mjs";

test("the ESM build imports by package name and serves a login", () => runSmoke(bff, express));
