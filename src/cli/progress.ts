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

export function progressBar(label: string, total: number, stream: NodeJS.WritableStream & { isTTY?: boolean } = process.stderr): ProgressBar {
  let current = 0;
  let lastTenth = -1;
  let finished = false;
  const interactive = stream.isTTY === true;
  const render = () => {
    const share = total <= 0 ? 1 : Math.min(1, current / total);
    const filled = Math.round(share * WIDTH);
    return `${label} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${String(current).padStart(String(Math.max(total, current)).length)}/${total} ${String(Math.round(share * 100)).padStart(3)}%`;
  };
  const draw = (force = false) => {
    if (interactive) {
      stream.write(`\r${render()}`);
      return;
    }
    const tenth = total <= 0 ? 10 : Math.floor((Math.min(current, total) / total) * 10);
    if (force || tenth > lastTenth) {
      lastTenth = tenth;
      stream.write(`${render()}\n`);
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
      if (interactive) stream.write(`\r${render()}\n`);
      else if (lastTenth < 10) draw(true);
      if (message) stream.write(`${message}\n`);
    },
  };
}
