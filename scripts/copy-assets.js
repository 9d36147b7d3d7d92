// Copies the non-TypeScript files the compiled server needs next to its JavaScript.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const target = path.join(root, 'dist', 'src', 'gen');
fs.mkdirSync(target, { recursive: true });
fs.copyFileSync(path.join(root, 'src', 'gen', 'descriptors.binpb'), path.join(target, 'descriptors.binpb'));
