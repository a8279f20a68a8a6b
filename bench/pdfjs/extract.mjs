// Prints the text pdf.js (Firefox's PDF viewer) extracts from each PDF named on the command line:
// one JSON array (one string per file, pages separated by form feeds) on stdout.
import { readFile } from "node:fs/promises";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const out = [];
for (const path of process.argv.slice(2)) {
  const data = new Uint8Array(await readFile(path));
  const doc = await getDocument({ data, useSystemFonts: false, disableFontFace: true, verbosity: 0 }).promise;
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((it) => (it.str ?? "") + (it.hasEOL ? "\n" : "")).join(""));
  }
  out.push(pages.join("\f"));
  await doc.destroy();
}
process.stdout.write(JSON.stringify(out));
