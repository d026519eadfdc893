/**
 * `memcube import-docs <paths or folders…>`: adds documents to a cube through a running server,
 * with a progress bar. Folders are walked (hidden entries skipped). Each file is known by its path
 * as given (its file_id), so importing the same folder again finds each file; a file whose content
 * the cube already holds (same SHA-256) is skipped without being sent. A file the server refuses
 * (too large, unreadable) is reported and the import goes on; the exit status says whether any was.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { MemcubeError, type MemcubeClient } from "../client/index.js";
import { progressBar } from "./progress.js";
import { CONNECTION_OPTIONS, UsageError, connect, explain, type CliIO } from "./remote.js";

const USAGE = "usage: memcube import-docs <file or folder>... [--cube id] [--session id] [--tag t]";

/** The files under the paths given, in a stable order. */
export function filesUnder(paths: readonly string[]): string[] {
  const found: string[] = [];
  const visit = (entry: string) => {
    const stat = statSync(entry);
    if (stat.isDirectory()) {
      for (const name of readdirSync(entry).sort()) if (!name.startsWith(".")) visit(path.join(entry, name));
    } else if (stat.isFile()) {
      found.push(entry);
    }
  };
  for (const entry of paths) visit(entry);
  return [...new Set(found)];
}

/** The SHA-256 of the file the cube holds under this file_id, if any (from one of its chunks). */
async function heldHash(client: MemcubeClient, cube: string, fileId: string): Promise<string | undefined> {
  try {
    const result = await client.search({
      query: path.basename(fileId),
      readable_cube_ids: [cube],
      top_k: 1,
      filter: { file_ids: fileId },
      include_preference: false,
    });
    const source = result.text_mem[0]?.memories[0]?.metadata.sources[0];
    return source?.type === "file" ? source.file_info.sha256 : undefined;
  } catch (error) {
    // A cube that does not exist yet holds nothing.
    if (error instanceof MemcubeError && error.status === 404) return undefined;
    throw error;
  }
}

export async function importDocsCommand(args: string[], io: CliIO): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CONNECTION_OPTIONS, cube: { type: "string" }, session: { type: "string" }, tag: { type: "string", multiple: true } },
  });
  if (positionals.length === 0) throw new UsageError(USAGE);
  let files: string[];
  try {
    files = filesUnder(positionals);
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  const { client, baseUrl, userId } = await connect(values, io.env);
  const cube = values.cube ?? userId;
  const bar = progressBar(`importing documents into ${cube}`, files.length, io.stderr);
  const counts = { added: 0, unchanged: 0, failed: 0, chunks: 0 };
  const failures: string[] = [];
  try {
    for (const [index, file] of files.entries()) {
      const content = readFileSync(file);
      const fileId = file.split(path.sep).join("/");
      if ((await heldHash(client, cube, fileId)) === createHash("sha256").update(content).digest("hex")) {
        counts.unchanged += 1;
      } else {
        try {
          const added = await client.addDocument({
            content,
            filename: path.basename(file),
            file_id: fileId,
            writable_cube_ids: [cube],
            // Stored when the add returns: the progress bar counts files that are searchable.
            async_mode: "sync",
            ...(values.session !== undefined && { session_id: values.session }),
            ...(values.tag !== undefined && { custom_tags: values.tag }),
          });
          counts.added += 1;
          counts.chunks += added.length;
        } catch (error) {
          if (!(error instanceof MemcubeError) || error.status >= 500 || error.status === 401 || error.status === 403) throw error;
          counts.failed += 1;
          failures.push(`${file}: ${error.message}`);
        }
      }
      bar.update(index + 1);
    }
  } catch (error) {
    bar.finish();
    throw explain(error, baseUrl);
  }
  bar.finish(`${counts.added} added (${counts.chunks} chunks), ${counts.unchanged} unchanged, ${counts.failed} refused`);
  for (const failure of failures) io.stderr.write(`refused: ${failure}\n`);
  if (counts.failed > 0) process.exitCode = 1;
}
