// Compiles src/adapters/embedded-vectors/dot-scan.wat into dot-scan-wasm.ts (base64), so the
// build needs no WebAssembly tool. With --check it only fails when the committed file differs.
const fs = require('node:fs');
const path = require('node:path');
const loadWabt = require('wabt');

const dir = path.join(__dirname, '..', 'src', 'adapters', 'embedded-vectors');
const source = path.join(dir, 'dot-scan.wat');
const target = path.join(dir, 'dot-scan-wasm.ts');

async function main() {
  const wabt = await loadWabt();
  const module = wabt.parseWat('dot-scan.wat', fs.readFileSync(source, 'utf8'), { simd: true });
  module.validate();
  const { buffer } = module.toBinary({});
  module.destroy();
  const base64 = Buffer.from(buffer).toString('base64');
  // Laid out as the formatter lays out a long string, so lint and this check agree.
  const text = `// Generated from dot-scan.wat by \`npm run generate\`; do not edit.\nexport const DOT_SCAN_WASM =\n  '${base64}';\n`;
  if (process.argv.includes('--check')) {
    if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) {
      console.error('dot-scan-wasm.ts is out of date with dot-scan.wat (run `npm run generate`)');
      process.exit(1);
    }
    console.log('dot-scan-wasm.ts matches dot-scan.wat');
  } else {
    fs.writeFileSync(target, text);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
