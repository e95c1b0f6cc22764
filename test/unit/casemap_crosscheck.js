#!/usr/bin/env node
// test/unit/casemap_crosscheck.js
//	  The ":lower" and ":upper" template transforms (src/template.c) against
//	  node's own String.prototype.toLowerCase() and toUpperCase().
//
// Every code point on its own, every code point around a capital sigma
// (Final_Sigma reads the cased and case-ignorable characters around it),
// and random strings of letters that case-map in unusual ways (É, İ, ı, ß,
// ŉ, ΐ, ﬀ, Σ, Georgian, Cherokee, Deseret, combining marks, apostrophes),
// each split into three spans mapped separately in the context of the
// whole string, as a key's holes are.  Builds test/unit/casemap_driver
// through the unit Makefile.  Last line:
//     unit casemap_crosscheck: N passed, M failed
//
// Usage: node test/unit/casemap_crosscheck.js [random-count] [seed]
'use strict';

const { execFileSync, spawnSync } = require('child_process');
const path = require('path');

const HERE = __dirname;
const DRIVER = path.join(HERE, 'casemap_driver');
const COUNT = parseInt(process.argv[2] || '20000', 10);
let seed = parseInt(process.argv[3] || '14', 10);

execFileSync('make', ['-s', '-C', HERE, 'casemap_driver'], { stdio: 'inherit' });

function rand(n) {
	// xorshift32: the same strings on every run
	seed ^= seed << 13; seed >>>= 0;
	seed ^= seed >>> 17;
	seed ^= seed << 5; seed >>>= 0;
	return seed % n;
}

const cases = [];
const utf8 = (s) => Buffer.from(s, 'utf8');

function add(s, a, b) {
	const len = utf8(s).length;
	if (a === undefined) {
		a = len;
		b = len;
	}
	cases.push([s, a, b]);
}

// split points on character boundaries: byte offsets of the i-th character
function splitAt(s, i, j) {
	const chars = Array.from(s);
	const off = (k) => utf8(chars.slice(0, k).join('')).length;
	return [off(i), off(j)];
}

// every code point alone, in chunks (each chunk is one line, split in three)
let chunk = [];
for (let cp = 0; cp <= 0x10ffff; cp++) {
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0x0a || cp === 0)
		continue;
	chunk.push(String.fromCodePoint(cp) + ' ');
	if (chunk.length === 256) {
		const s = chunk.join('');
		add(s, ...splitAt(s, 100, 300));
		chunk = [];
	}
}
if (chunk.length)
	add(chunk.join(''));

// every code point before and after a sigma, between letters
const SIGMA = '\u03a3';
const probes = [];
for (let cp = 1; cp <= 0x10ffff; cp++) {
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0x0a)
		continue;
	const c = String.fromCodePoint(cp);
	if (/\p{Cased}|\p{Case_Ignorable}/u.test(c) || cp < 0x100)
		probes.push(c);
}
for (const c of probes) {
	for (const s of [c + SIGMA, 'A' + c + SIGMA, SIGMA + c, 'A' + SIGMA + c, 'A' + SIGMA + c + 'b',
					 'A' + c + SIGMA + c + ' ', c + SIGMA + 'x'])
		add(s, ...splitAt(s, 1, Array.from(s).length - 1));
}

// random strings of interesting characters
const ALPHABET = Array.from('aAzZ \'.:_#-1éÉİıIißẞŉΐΰﬀﬃﬆΣσςΑαΌό\u0307\u0301\u0345\u00ad\u2019ǅǄǆ' +
	'ᲐაᏣꭳ𐐀𐐨ǰJ̌ᾳᾼῳﬓԱՓﬔ\u200d\u0300Ωω');
for (let n = 0; n < COUNT; n++) {
	const len = 1 + rand(12);
	let s = '';
	for (let k = 0; k < len; k++)
		s += ALPHABET[rand(ALPHABET.length)];
	const i = rand(len + 1);
	const j = i + rand(len - i + 1);
	add(s, ...splitAt(s, i, j));
}

const input = cases.map(([s, a, b]) => utf8(s).toString('hex') + ',' + a + ',' + b).join('\n') + '\n';
const run = spawnSync(DRIVER, [], { input, maxBuffer: 1 << 30 });
if (run.status !== 0) {
	console.error('casemap_driver failed: ' + run.stderr);
	console.log('unit casemap_crosscheck: 0 passed, 1 failed');
	process.exit(1);
}
const lines = run.stdout.toString().split('\n');
let passed = 0;
let failed = 0;
cases.forEach(([s], k) => {
	const want = utf8(s.toLowerCase()).toString('hex') + ' ' + utf8(s.toUpperCase()).toString('hex');
	if (lines[k] === want)
		passed++;
	else {
		if (failed < 10) {
			const [lo, up] = (lines[k] || ' ').split(' ');
			console.error('mismatch for ' + JSON.stringify(s) + ': lower ' +
				JSON.stringify(Buffer.from(lo, 'hex').toString()) + ' want ' + JSON.stringify(s.toLowerCase()) +
				', upper ' + JSON.stringify(Buffer.from(up || '', 'hex').toString()) + ' want ' +
				JSON.stringify(s.toUpperCase()));
		}
		failed++;
	}
});
console.log(`unit casemap_crosscheck: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
