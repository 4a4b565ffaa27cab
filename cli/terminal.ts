/**
 * What the command line knows of the terminal it writes to (docs/command-line.md#the-terminal): colour only
 * on a TTY and never with `NO_COLOR` (or `TERM=dumb`), tables that fit the terminal's width by wrapping
 * their widest column between words, and progress on stderr — a bar on a TTY, plain lines otherwise.
 */
import type { TextSink } from "./common.js";

/** A sink that may be a terminal (`process.stdout` is one when `isTTY`). */
export interface TerminalSink extends TextSink {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** How text is styled: identity functions when colour is off. */
export interface Style {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
}

const plain = (text: string): string => text;
const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

export const NO_STYLE: Style = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain };
const COLOUR: Style = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
};

/**
 * Colour for `sink`: only when it is a TTY, `NO_COLOR` is unset or empty (no-color.org) and `TERM` is not
 * `dumb`.
 *
 * @example
 * styleFor(process.stdout, process.env).red("NON_COMPLIANT");
 */
export function styleFor(sink: TerminalSink, env: NodeJS.ProcessEnv): Style {
  if (sink.isTTY !== true) return NO_STYLE;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return NO_STYLE;
  if (env.TERM === "dumb") return NO_STYLE;
  return COLOUR;
}

/**
 * The width to fit: the terminal's; off a terminal `COLUMNS` when set, else none (`Infinity`: a file or a
 * pipe gets whole lines, which grep and diff read best).
 */
export function widthOf(sink: TerminalSink, env: NodeJS.ProcessEnv): number {
  if (sink.isTTY === true && sink.columns !== undefined && sink.columns > 0) return sink.columns;
  const fromEnv = Number.parseInt(env.COLUMNS ?? "", 10);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : Number.POSITIVE_INFINITY;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences colour adds.
const ESCAPES = /\u001b\[[0-9;]*m/gu;

/** The width of text as shown: escape sequences take no room. */
export function visibleLength(text: string): number {
  return [...text.replace(ESCAPES, "")].length;
}

/**
 * Wraps text to lines of at most `width` characters, between words; a word longer than a line (an ARN) is
 * cut into pieces rather than lost.
 *
 * @example
 * wrap("the repository policy admits everyone", 16); // ["the repository", "policy admits", "everyone"]
 */
export function wrap(text: string, width: number): string[] {
  const limit = Math.max(1, width);
  if (!Number.isFinite(limit)) return text.split("\n").map((line) => line.trim().split(/\s+/u).join(" "));
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/u).filter((w) => w !== "")) {
      let rest = word;
      while ([...rest].length > limit) {
        if (line !== "") {
          lines.push(line);
          line = "";
        }
        const chars = [...rest];
        // Break after a hyphen, colon, comma or slash when one falls in the line, else at the limit.
        const head = chars.slice(0, limit).join("");
        const soft = Math.max(...["-", ":", ",", "/"].map((mark) => head.lastIndexOf(mark)));
        const at = soft > limit / 3 ? soft + 1 : limit;
        lines.push(chars.slice(0, at).join(""));
        rest = chars.slice(at).join("");
      }
      if (rest === "") continue;
      if (line === "") line = rest;
      else if ([...line].length + 1 + [...rest].length <= limit) line += ` ${rest}`;
      else {
        lines.push(line);
        line = rest;
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Formats rows as a table that fits `width`: columns two spaces apart, the first row a header; when the
 * rows are wider than `width`, the widest columns are narrowed and their cells wrap (nothing is cut).
 *
 * @example
 * fitTable([["rule", "count"], ["ecr-repository-policy-trusted", "3"]], 80);
 */
export function fitTable(
  rows: readonly (readonly string[])[],
  width: number,
  style: Style = NO_STYLE,
): string {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const natural = Array.from({ length: columns }, (_, c) =>
    Math.max(1, ...rows.map((row) => visibleLength(row[c] ?? ""))),
  );
  const gaps = 2 * Math.max(0, columns - 1);
  const widths = [...natural];
  // A column's longest word: narrowing it below that would break words.
  const words = Array.from({ length: columns }, (_, c) =>
    Math.max(1, ...rows.flatMap((row) => (row[c] ?? "").split(/\s+/u).map((word) => visibleLength(word)))),
  );
  const total = () => widths.reduce((a, b) => a + b, 0) + gaps;
  const narrowest = (limit: (c: number) => number): number => {
    let pick = -1;
    for (let c = 0; c < columns; c++) {
      if ((widths[c] ?? 0) <= limit(c)) continue;
      if (pick < 0 || (widths[c] ?? 0) > (widths[pick] ?? 0)) pick = c;
    }
    return pick;
  };
  // First wrap between words (the widest column first), then, if that is not enough, within words.
  for (const limit of [(c: number) => words[c] ?? 1, () => 8]) {
    while (total() > width) {
      const c = narrowest(limit);
      if (c < 0) break;
      widths[c] = (widths[c] ?? 0) - 1;
    }
  }
  const out: string[] = [];
  rows.forEach((row, r) => {
    const cells = Array.from({ length: columns }, (_, c) => {
      const text = row[c] ?? "";
      const w = widths[c] ?? 1;
      return visibleLength(text) <= w ? [text] : wrap(text, w);
    });
    const height = Math.max(1, ...cells.map((lines) => lines.length));
    for (let line = 0; line < height; line++) {
      const parts = cells.map((lines, c) => {
        const text = lines[line] ?? "";
        const last = c === columns - 1;
        return last ? text : text + " ".repeat(Math.max(0, (widths[c] ?? 0) - visibleLength(text)));
      });
      const text = parts.join("  ").trimEnd();
      out.push(r === 0 ? style.bold(text) : text);
    }
  });
  return `${out.join("\n")}\n`;
}

/** What a progress report says now. */
export interface ProgressState {
  /** What is being done, with its counts so far ("3 IAM pages (1,021 principals) · 12 repositories"). */
  readonly label: string;
  /** Steps done of `total`, when the total is known: a bar shows it. */
  readonly done?: number;
  readonly total?: number;
  /** A step worth its own line in a log (an account finished): off a terminal it is printed at once. */
  readonly milestone?: boolean;
}

/** Progress of a long read or scan, on stderr. */
export interface Progress {
  update(state: ProgressState): void;
  /** A message line (an account that failed): printed above the bar, which is redrawn on the next update. */
  note(line: string): void;
  /** The work is over: a bar drawn on a terminal becomes `summary` (or is cleared without one). */
  end(summary?: string): void;
}

/** How progress is reported; every field has a default. */
export interface ProgressOptions {
  /** Off a terminal, print nothing (`--quiet`); a bar on a terminal still shows, as it leaves nothing behind. */
  readonly quiet?: boolean;
  /** The clock, in milliseconds (tests fix it). */
  readonly now?: () => number;
  /** On a terminal, the bar appears once the work has lasted this long (default 250 ms): quick runs show none. */
  readonly delayMs?: number;
  /** Off a terminal, a line at most this often (default 10 s), plus one per milestone. */
  readonly intervalMs?: number;
}

/** Progress that says nothing. */
export const NO_PROGRESS: Progress = { update: () => {}, note: () => {}, end: () => {} };

const BAR_WIDTH = 24;

function counts(state: ProgressState): string {
  const n = (value: number) => value.toLocaleString("en-US");
  return state.total === undefined ? "" : `${n(state.done ?? 0)}/${n(state.total)} `;
}

/**
 * A progress reporter for `sink`, each line starting `prefix:`. On a terminal (`isTTY`): one line redrawn in
 * place (`\r`, then erase to the end of the line) at most every 80 ms, with a bar when the total is known,
 * fitted to the terminal's width; `end(summary)` leaves the summary as its final line. It has no colour, so
 * `NO_COLOR` changes nothing here. Off a terminal (a file, a pipe, CI logs): a plain line at most every
 * `intervalMs`, one per milestone, and the summary when any line was printed — nothing for a quick run.
 *
 * @example
 * const progress = progressFor(process.stderr, "ecr-access-rules scan");
 * progress.update({ label: "evaluations", done: 10, total: 100 });
 * progress.end("100 evaluations in 1.2 s");
 */
export function progressFor(sink: TerminalSink, prefix: string, options: ProgressOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  if (sink.isTTY === true) {
    const delay = options.delayMs ?? 250;
    let drawn = false;
    let lastDraw = Number.NEGATIVE_INFINITY;
    const fitted = (line: string) => {
      const width = Math.max(20, (sink.columns ?? 80) - 1);
      const chars = [...line];
      return chars.length <= width ? line : `${chars.slice(0, width - 1).join("")}…`;
    };
    return {
      update(state) {
        const at = now();
        if (at - started < delay) return;
        const final = state.total !== undefined && state.done === state.total;
        if (!final && at - lastDraw < 80) return;
        lastDraw = at;
        let bar = "";
        if (state.total !== undefined) {
          const share = state.total === 0 ? 1 : Math.min(1, (state.done ?? 0) / state.total);
          const filled = Math.round(BAR_WIDTH * share);
          bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] `;
        }
        sink.write(`\r${fitted(`${prefix}: ${bar}${counts(state)}${state.label}`)}\u001b[K`);
        drawn = true;
      },
      note(line) {
        sink.write(drawn ? `\r\u001b[K${line}\n` : `${line}\n`);
        drawn = false;
        lastDraw = Number.NEGATIVE_INFINITY;
      },
      end(summary) {
        if (!drawn) return;
        sink.write(summary === undefined ? "\r\u001b[K" : `\r${fitted(`${prefix}: ${summary}`)}\u001b[K\n`);
        drawn = false;
      },
    };
  }
  if (options.quiet === true) return { ...NO_PROGRESS, note: (line) => sink.write(`${line}\n`) };
  const interval = options.intervalMs ?? 10_000;
  let lastLine = started;
  let printed = false;
  return {
    update(state) {
      const at = now();
      if (state.milestone !== true && at - lastLine < interval) return;
      lastLine = at;
      printed = true;
      sink.write(`${prefix}: ${counts(state)}${state.label}\n`);
    },
    note(line) {
      sink.write(`${line}\n`);
    },
    end(summary) {
      if (printed && summary !== undefined) sink.write(`${prefix}: ${summary}\n`);
    },
  };
}
