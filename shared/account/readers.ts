/** Every fact reader: what the command line (which may run any rule) reads a live account with. */
import { ecrReader } from "./ecr-reader.js";
import { iamReader } from "./iam-reader.js";
import type { FactReaders } from "./sources.js";

export const ALL_READERS: FactReaders = { iam: iamReader, ecr: ecrReader };
