// Fails when src/gen does not match what `buf generate` makes from proto/ today.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const buf = path.join(root, 'node_modules', '.bin', 'buf');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'recall-gen-'));
try {
  execFileSync(buf, ['generate', '--output', tmp], { cwd: root, stdio: 'inherit' });
  execFileSync(buf, ['build', '-o', path.join(tmp, 'src', 'gen', 'descriptors.binpb')], {
    cwd: root,
    stdio: 'inherit',
  });
  const stale = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const rel = path.relative(tmp, full);
        const committed = path.join(root, rel);
        if (!fs.existsSync(committed) || !fs.readFileSync(committed).equals(fs.readFileSync(full))) stale.push(rel);
      }
    }
  };
  walk(tmp);
  if (stale.length > 0) {
    console.error(`Generated code is out of date with proto/ (run \`npm run generate\`):\n  ${stale.join('\n  ')}`);
    process.exit(1);
  }
  console.log('generated code matches proto/');
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
