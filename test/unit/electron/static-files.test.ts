// Serving the built renderer: only regular files inside the root, whatever the URL tries.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentType, staticPath } from '../../../electron/services/static-files';

const base = mkdtempSync(join(tmpdir(), 'lianluo-static-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const root = join(base, 'renderer');
mkdirSync(join(root, 'assets', 'deep'), { recursive: true });
writeFileSync(join(root, 'index.html'), '<!doctype html>');
writeFileSync(join(root, 'assets', 'app.js'), '');
writeFileSync(join(root, 'assets', 'deep', 'style.css'), '');
writeFileSync(join(root, 'a b.png'), '');
writeFileSync(join(base, 'secret.txt'), 'secret');
// a sibling whose name starts with the root's: a naive startsWith(root) check lets it through
mkdirSync(join(base, 'renderer-evil'));
writeFileSync(join(base, 'renderer-evil', 'x.js'), '');

describe('staticPath', () => {
  it.each([
    ['/', 'index.html'],
    ['', 'index.html'],
    ['/index.html', 'index.html'],
    ['/assets/app.js', 'assets/app.js'],
    ['/assets/app.js?v=3#top', 'assets/app.js'],
    ['/assets/deep/style.css', 'assets/deep/style.css'],
    ['/assets/./deep/../app.js', 'assets/app.js'],
    ['/a%20b.png', 'a b.png'],
  ])('%j → %s', (url, file) => {
    expect(staticPath(root, url)).toBe(join(root, file));
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%2fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/%252e%252e/secret.txt', // double-encoded stays literal, and does not exist
    '/..\\secret.txt',
    '/%5c..%5csecret.txt',
    '/assets\\..\\..\\secret.txt',
    '/index.html%00.js',
    '/index.html\0',
    '/../renderer-evil/x.js',
    `/${'../'.repeat(20)}etc/passwd`,
    '/%E0%A4%A', // malformed escape
    '/assets', // a folder
    '/assets/',
    '/nope.js',
  ])('%j is refused', (url) => {
    expect(staticPath(root, url)).toBeUndefined();
  });
});

describe('contentType', () => {
  it('names the types the renderer uses and falls back to octet-stream', () => {
    expect(contentType('index.html')).toBe('text/html; charset=utf-8');
    expect(contentType('app.js')).toBe('text/javascript; charset=utf-8');
    expect(contentType('ring.wav')).toBe('audio/wav');
    expect(contentType('x.exe')).toBe('application/octet-stream');
    expect(contentType('noext')).toBe('application/octet-stream');
  });
});
