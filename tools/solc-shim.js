#!/usr/bin/env node
// A stand-in for a native `solc` binary, backed by solcjs (WebAssembly) from the pinned npm
// package `solc`. It answers the two calls py-solc-x and ape-solidity make:
//   solc --version              -> "Version: <X.Y.Z>+commit.<hash>.Linux.g++"
//   solc --standard-json [...]  -> standard-JSON compilation of stdin, imports read from disk
// Flags --base-path, --include-path and --allow-paths are honoured for import resolution.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require(path.join(__dirname, '..', 'node_modules', 'solc'));

const args = process.argv.slice(2);

function fullVersion() {
  // solcjs reports "0.8.28+commit.7893614a.Emscripten.clang"; py-solc-x parses X.Y.Z+commit.hash
  const match = /^(\d+\.\d+\.\d+)\+commit\.([0-9a-f]+)/.exec(solc.version());
  return `${match[1]}+commit.${match[2]}.Linux.g++`;
}

if (args.includes('--version')) {
  process.stdout.write('solc, the solidity compiler commandline interface\n');
  process.stdout.write(`Version: ${fullVersion()}\n`);
  process.exit(0);
}

if (!args.includes('--standard-json')) {
  process.stderr.write('solc-shim: only --version and --standard-json are supported\n');
  process.exit(2);
}

function optionValues(name) {
  const values = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && i + 1 < args.length) values.push(...args[i + 1].split(','));
    else if (args[i].startsWith(name + '=')) values.push(...args[i].slice(name.length + 1).split(','));
  }
  return values;
}

const searchRoots = [
  ...optionValues('--base-path'),
  ...optionValues('--include-path'),
  ...optionValues('--allow-paths'),
  process.cwd(),
];

function findImports(importPath) {
  const candidates = path.isAbsolute(importPath)
    ? [importPath]
    : searchRoots.map((root) => path.resolve(root, importPath));
  for (const candidate of candidates) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      return { contents: fs.readFileSync(candidate, 'utf8') };
    }
  }
  return { error: `File not found: ${importPath} (searched ${searchRoots.join(', ')})` };
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const output = solc.compile(input, { import: findImports });
  process.stdout.write(output);
});
