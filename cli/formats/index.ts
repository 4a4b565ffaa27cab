/**
 * The report formats of `--format` (docs/command-line.md#formats) and the file name each is written to
 * when `-o` names a directory.
 */
import { assertNever } from "../../shared/assert-never.js";
import type { Report } from "../finding.js";
import type { Style } from "../terminal.js";
import { renderAsff } from "./asff.js";
import { renderCsv } from "./csv.js";
import { renderJson } from "./json.js";
import { renderOcsf } from "./ocsf.js";
import { renderSarif } from "./sarif.js";
import { renderText } from "./text.js";

export type Format = "text" | "json" | "sarif" | "csv" | "asff" | "ocsf";
export const FORMATS: readonly Format[] = ["text", "json", "sarif", "csv", "asff", "ocsf"];

/** The file a format is written to in an `-o` directory. */
export const FILE_NAMES: Readonly<Record<Format, string>> = {
  text: "ecr-access-rules.txt",
  json: "ecr-access-rules.json",
  sarif: "ecr-access-rules.sarif",
  csv: "ecr-access-rules.csv",
  asff: "ecr-access-rules.asff.json",
  ocsf: "ecr-access-rules.ocsf.json",
};

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/**
 * Renders a report in a format; `terminal` styles and fits text (a file gets no colour and whole lines).
 *
 * @example
 * render("sarif", report, { width: 100 });
 */
export function render(format: Format, report: Report, terminal: { width: number; style?: Style }): string {
  switch (format) {
    case "text":
      return renderText(report, terminal);
    case "json":
      return renderJson(report);
    case "sarif":
      return renderSarif(report);
    case "csv":
      return renderCsv(report);
    case "asff":
      return renderAsff(report);
    case "ocsf":
      return renderOcsf(report);
    default:
      return assertNever(format, "format");
  }
}
