/**
 * A minimal valid PDF with a text layer, built byte by byte: one page per entry, each line of text
 * drawn in Helvetica (a standard font, so no font file), with a correct cross-reference table.
 */
const escape = (text: string) => text.replace(/[\\()]/g, (char) => `\\${char}`);

/**
 * `locked`: the trailer names a standard security handler whose user-password check the empty
 * password fails, as a password-protected PDF's does (the content itself is left unencrypted).
 */
export function buildPdf(pages: readonly (readonly string[])[], options: { locked?: boolean } = {}): Buffer {
  const objects: string[] = [];
  const pageIds = pages.map((_, index) => 3 + index * 2);
  const fontId = 3 + pages.length * 2;
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pages.length} >>`;
  pages.forEach((lines, index) => {
    const pageId = pageIds[index] ?? 0;
    // Paragraphs are lines 14 points apart; an empty line leaves a wider gap (a new paragraph).
    const stream = `BT /F1 12 Tf 14 TL 72 720 Td ${lines.map((line) => (line === "" ? "T*" : `(${escape(line)}) Tj T*`)).join(" ")} ET`;
    objects[pageId] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${fontId} 0 R >> >> /Contents ${pageId + 1} 0 R >>`;
    objects[pageId + 1] = `<< /Length ${Buffer.byteLength(stream, "latin1")} >>\nstream\n${stream}\nendstream`;
  });
  objects[fontId] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(body, "latin1");
    body += `${id} 0 obj\n${objects[id] ?? ""}\nendobj\n`;
  }
  const xref = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) body += `${String(offsets[id]).padStart(10, "0")} 00000 n \n`;
  const check = "ab".repeat(32);
  const encrypt = options.locked
    ? `/Encrypt << /Filter /Standard /V 1 /R 2 /O <${check}> /U <${check}> /P -4 >> /ID [<${"01".repeat(16)}> <${"01".repeat(16)}>] `
    : "";
  body += `trailer\n<< ${encrypt}/Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}
