// Generate the page's message types from the committed JSON Schemas:
//   node examples/chat/web/generate-types.mjs [OUT_DIR]   (default: examples/chat/web/generated)
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { compileFromFile } from "json-schema-to-typescript";

const here = path.dirname(fileURLToPath(import.meta.url));
const schemas = path.resolve(here, "../../../schemas");
const out = path.resolve(process.argv[2] ?? path.join(here, "generated"));

await mkdir(out, { recursive: true });
for (const direction of ["client", "server"]) {
  const source = path.join(schemas, `chat.${direction}.schema.json`);
  const types = await compileFromFile(source, {
    additionalProperties: false,
    bannerComment: `// Generated from schemas/chat.${direction}.schema.json by generate-types.mjs: do not edit.`,
    cwd: schemas,
  });
  await writeFile(path.join(out, `${direction}.d.ts`), types);
}
