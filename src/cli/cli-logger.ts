/** Progress and notices of CLI commands go to stderr, so stdout stays the command's result. */
export function cliLogger(quiet = false): { info(m: string): void; warn(m: string): void } {
  return {
    info: (m) => {
      if (!quiet) process.stderr.write(`${m}\n`);
    },
    warn: (m) => process.stderr.write(`warning: ${m}\n`),
  };
}
