/**
 * `memcube chat`: an interactive chat in the terminal against a running server, the answer
 * streamed as it is written. Each turn is remembered by the server; earlier turns of this session
 * are sent as history. `/exit` or Ctrl-D quits; Ctrl-C stops an answer, or quits at the prompt.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { MemcubeError } from "../client/index.js";
import { CONNECTION_OPTIONS, connect, explain, type CliIO } from "./remote.js";

const DIM = "\x1b[2m";
const BOLD = "\x1b[1m";
const RESET = "\x1b[0m";
const HISTORY = 20;

export async function chatCommand(args: string[], io: CliIO): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { ...CONNECTION_OPTIONS, model: { type: "string" }, session: { type: "string" }, cube: { type: "string", multiple: true } },
  });
  const { client, userId, baseUrl } = await connect(values, io.env);
  const color = io.stdout.isTTY === true;
  const style = (code: string, text: string) => (color ? `${code}${text}${RESET}` : text);
  const cubeIds = values.cube?.flatMap((value) =>
    value
      .split(",")
      .map((id) => id.trim())
      .filter(Boolean),
  );
  const session = values.session ?? `cli-${new Date().toISOString().slice(0, 10)}`;

  let model: string;
  try {
    const models = await client.models();
    const chosen = values.model ?? models.default_model;
    if (chosen === null) throw new Error("the server has no chat model configured (CHAT_MODEL_LIST)");
    if (!models.models.includes(chosen)) throw new Error(`unknown model '${chosen}'; the server has: ${models.models.join(", ")}`);
    model = chosen;
  } catch (error) {
    throw explain(error, baseUrl);
  }
  const out = io.stdout;
  out.write(style(DIM, `memcube chat · ${baseUrl} · user ${userId} · model ${model} · session ${session}\n/exit or Ctrl-D to quit\n`));

  const rl = createInterface({ input: io.stdin, output: io.stdout, terminal: io.stdin.isTTY === true && io.stdout.isTTY === true });
  rl.setPrompt(style(BOLD, "you> "));
  let answering: AbortController | undefined;
  rl.on("SIGINT", () => {
    if (answering) answering.abort();
    else rl.close();
  });
  const history: { role: "user" | "assistant"; content: string }[] = [];
  rl.prompt();
  for await (const line of rl) {
    const query = line.trim();
    if (query === "/exit" || query === "/quit") break;
    if (query === "") {
      rl.prompt();
      continue;
    }
    answering = new AbortController();
    let answer = "";
    let thinking = false;
    out.write(style(BOLD, "memcube> "));
    try {
      const frames = client.chatStream(
        { query, history: history.slice(-HISTORY), model_name_or_path: model, session_id: session, readable_cube_ids: cubeIds, writable_cube_ids: cubeIds },
        { signal: answering.signal },
      );
      for await (const frame of frames) {
        if (frame.type === "reasoning") {
          if (!thinking) out.write(style(DIM, "(thinking) "));
          thinking = true;
          out.write(style(DIM, frame.data));
        } else if (frame.type === "text") {
          if (thinking) out.write("\n");
          thinking = false;
          answer += frame.data;
          out.write(frame.data);
        }
      }
      out.write("\n");
      history.push({ role: "user", content: query }, { role: "assistant", content: answer });
    } catch (error) {
      if (answering.signal.aborted) out.write(style(DIM, " [stopped]\n"));
      else {
        const problem = explain(error, baseUrl);
        out.write("\n");
        io.stderr.write(`error: ${problem.message}${problem instanceof MemcubeError && problem.status ? ` (HTTP ${problem.status})` : ""}\n`);
      }
    } finally {
      answering = undefined;
    }
    rl.prompt();
  }
  rl.close();
  out.write(style(DIM, "bye\n"));
}
