/**
 * A progress bar on stderr: `label [#####-----]  512/1024  50%`. On a terminal it redraws one line;
 * otherwise (a pipe, a log file) it writes a line at most every tenth of the way, so logs stay short.
 */
export interface ProgressBar {
  /** Sets the total when it becomes known (or changes). */
  total(total: number): void;
  update(done: number): void;
  /** Draws the final state and ends the line. */
  finish(message?: string): void;
}

const WIDTH = 30;

/**
 * `total` undefined: not known yet (nothing is drawn until it is). A total of 0 draws no bar either
 * (never "0/0 100%"): `finish` writes its message only.
 */
export function progressBar(label: string, total: number | undefined, stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): ProgressBar {
  let current = 0;
  let drawn = false;
  let lastTenth = -1;
  let finished = false;
  const interactive = stream.isTTY === true;
  const render = (of: number) => {
    const share = Math.min(1, current / of);
    const filled = Math.round(share * WIDTH);
    return `${label} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${String(current).padStart(String(Math.max(of, current)).length)}/${of} ${String(Math.round(share * 100)).padStart(3)}%`;
  };
  const draw = (force = false) => {
    if (total === undefined || total <= 0) return;
    drawn = true;
    if (interactive) {
      stream.write(`\r${render(total)}`);
      return;
    }
    const tenth = Math.floor((Math.min(current, total) / total) * 10);
    if (force || tenth > lastTenth) {
      lastTenth = tenth;
      stream.write(`${render(total)}\n`);
    }
  };
  draw();
  return {
    total(value) {
      total = value;
      draw();
    },
    update(done) {
      current = done;
      draw();
    },
    finish(message) {
      if (finished) return;
      finished = true;
      if (total !== undefined && total > 0) {
        if (interactive) stream.write(`\r${render(total)}\n`);
        else if (lastTenth < 10) draw(true);
      } else if (drawn && interactive) stream.write("\n");
      if (message) stream.write(`${message}\n`);
    },
  };
}
