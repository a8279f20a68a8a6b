// Prints the text pdf.js (Firefox's PDF viewer) extracts from each PDF named on the command line: one JSON
// array on stdout, per file {glued, spaced}: the text items joined as Firefox's find joins them (nothing
// between items, a newline after an item that ends a line), and joined with a space between items.
import { readFile } from "node:fs/promises";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const out = [];
for (const path of process.argv.slice(2)) {
  const data = new Uint8Array(await readFile(path));
  const doc = await getDocument({ data, useSystemFonts: false, disableFontFace: true, verbosity: 0 }).promise;
  const glued = [], spaced = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    glued.push(content.items.map((it) => (it.str ?? "") + (it.hasEOL ? "\n" : "")).join(""));
    spaced.push(content.items.map((it) => (it.str ?? "") + (it.hasEOL ? "\n" : "")).join(" "));
  }
  out.push({ glued: glued.join("\f"), spaced: spaced.join("\f") });
  await doc.destroy();
}
process.stdout.write(JSON.stringify(out));
