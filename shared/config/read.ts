/**
 * Small readers for untyped input (events, items, parameters): each names the path of a fault.
 */
import { UnreadableInputError } from "../errors.js";

/** Input from AWS Config (an event, an item, rule parameters) is not what the contract says. */
export class ConfigInputError extends UnreadableInputError {
  readonly path: string;
  constructor(path: string, detail: string, options?: { cause?: unknown }) {
    super(`${path}: ${detail}`, options);
    this.path = path;
  }
}

export type Obj = Readonly<Record<string, unknown>>;

export function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : typeof value;
}

export function obj(value: unknown, path: string): Obj {
  if (!isObj(value)) throw new ConfigInputError(path, `must be an object, got ${kindOf(value)}`);
  return value;
}

export function str(value: unknown, path: string): string {
  if (typeof value !== "string") throw new ConfigInputError(path, `must be a string, got ${kindOf(value)}`);
  return value;
}

export function optStr(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : str(value, path);
}

/** A JSON document carried as a string (`invokingEvent`, an API item's `configuration`). */
export function jsonText(value: unknown, path: string): unknown {
  const text = str(value, path);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ConfigInputError(path, "is not valid JSON", { cause });
  }
}

/** A timestamp: ISO text, epoch seconds (the API's JSON form), or a Date (the SDK's). */
export function timestamp(value: unknown, path: string): Date {
  const date =
    value instanceof Date
      ? value
      : typeof value === "number"
        ? new Date(value * 1000)
        : typeof value === "string"
          ? new Date(value)
          : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new ConfigInputError(path, `must be a timestamp, got ${kindOf(value)} ${JSON.stringify(value)}`);
  }
  return date;
}
