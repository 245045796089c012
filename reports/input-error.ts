/** Bad report input (a trace or results file): names the file and, when known, the line. */
export class ReportInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly detail: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${detail}`);
    this.name = 'ReportInputError';
  }
}
